//! The article pane: opening the selected article (which marks it read), its rendered body and
//! scroll, reader mode (the full page), and its links (open, copy, numbered `3o`).

use std::collections::HashMap;

use crate::model::{Article, ArticleId, LinkKind, OpenTarget};
use crate::text::rich::Rendered;

use super::super::action::Action;
use super::super::layout;
use super::headlines::clamp_scroll;
use super::images::ImageSlot;
use super::{stories, AppState, Command, Focus};

/// At most this many lines (title, feed/author, date, link, blank) are drawn above the body.
pub const ARTICLE_HEADER_LINES: usize = 6;

#[derive(Debug, Clone)]
pub struct ArticlePane {
    pub article: Article,
    /// Rendered body for (width); re-rendered only when the width or the body shown changes.
    pub rendered: Option<(usize, Rendered)>,
    pub scroll: usize,
    /// Showing the full article from its page (reader mode) instead of the feed's text.
    pub show_full: bool,
    /// Reader mode was asked for and its page is being fetched.
    pub fetching_full: bool,
    /// A pipe's output, shown instead of the body until another article opens.
    pub piped: Option<String>,
    /// The body's pictures by address, for the rendered width (see `images.rs`).
    pub images: HashMap<String, ImageSlot>,
}

impl ArticlePane {
    fn new(article: Article) -> ArticlePane {
        ArticlePane {
            show_full: article.full_content.is_some(),
            article,
            rendered: None,
            scroll: 0,
            fetching_full: false,
            piped: None,
            images: HashMap::new(),
        }
    }

    /// The HTML the pane shows: a pipe's output, else the feed's text or reader mode's, then
    /// the attachments.
    pub fn body(&self) -> String {
        if let Some(out) = &self.piped {
            return format!("<pre>{}</pre>", html_escape::encode_text(out));
        }
        let full = self.article.full_content.as_deref().filter(|_| self.show_full);
        let full = full.map(|f| crate::text::reader::without_title(f, &self.article.summary.title));
        let body = full.or(self.article.content.as_deref()).unwrap_or("");
        let body = crate::text::attachments::with_attachments(body, &self.article.enclosures);
        match stories::also_in(&self.article.summary.also_in) {
            Some(also) => also + &body,
            None => body,
        }
    }
}

/// Opens the selected headline in the article pane, marking it read first.
pub(super) fn open_selected(state: &mut AppState) -> Vec<Command> {
    let Some(a) = state.headlines.current().cloned() else {
        return vec![];
    };
    state.focus = Focus::Article;
    // Written before the article is loaded, so it arrives already read.
    let mut cmds = stories::mark_read_with_story(state, &a, "opened (marked read)");
    cmds.push(Command::LoadArticle(a.id));
    cmds
}

/// An article arrived from the cache: the open one reloaded, or the one to show.
/// Said while reader mode fetches a page; forgotten once the page is shown.
const FETCHING_FULL: &str = "fetching the full article…";

pub(super) fn on_article(state: &mut AppState, article: Article) -> Vec<Command> {
    // The open article reloaded (after reader mode fetched its page): keep the place.
    if let Some(pane) = state
        .article
        .as_mut()
        .filter(|p| p.article.summary.id == article.summary.id)
    {
        let became_full = pane.fetching_full && article.full_content.is_some();
        pane.article = article;
        if became_full {
            pane.fetching_full = false;
            pane.show_full = true;
            pane.rendered = None;
            pane.scroll = 0;
            state.forget_notice(FETCHING_FULL);
        }
        return render_if_needed(state);
    }
    if state.headlines.current().map(|a| a.id) == Some(article.summary.id) || state.article.is_none() {
        state.article = Some(ArticlePane::new(article));
        return render_if_needed(state);
    }
    vec![]
}

/// The article pane's own actions: paging, reader mode, and its links.
pub(super) fn perform(state: &mut AppState, action: Action, given: Option<usize>) -> Vec<Command> {
    let count = given.unwrap_or(1);
    match action {
        Action::PageArticle => {
            if state.article.is_none() {
                return open_selected(state);
            }
            scroll_article(state, (count * state.article_page()) as isize);
            vec![]
        }
        Action::FullArticle => toggle_full(state),
        Action::OpenLink | Action::CopyLink if given.is_some() => match numbered_link(state, count) {
            Ok(url) if action == Action::CopyLink => {
                state.notify(format!("copied [{count}] {url}"), false);
                vec![Command::Copy(url)]
            }
            Ok(url) => open_url(state, url),
            Err(why) => {
                state.notify(why, true);
                vec![]
            }
        },
        Action::OpenLink => match current_link(state) {
            Some(url) => {
                let mut cmds = open_url(state, url);
                if !cmds.is_empty() && state.open_marks_read {
                    cmds.extend(mark_current_read(state, "opened in the browser (marked read)"));
                }
                cmds
            }
            None => {
                state.notify("this article has no link", true);
                vec![]
            }
        },
        Action::CopyLink => match current_link(state) {
            Some(url) => {
                state.notify(format!("copied {url}"), false);
                vec![Command::Copy(url)]
            }
            None => vec![],
        },
        _ => vec![],
    }
}

/// Reader mode: shows the full article, fetching its page the first time, or back the feed's text.
fn toggle_full(state: &mut AppState) -> Vec<Command> {
    match &mut state.article {
        None => {
            state.notify("open an article first (enter)", true);
            vec![]
        }
        Some(pane) if pane.article.full_content.is_some() => {
            pane.show_full = !pane.show_full;
            pane.rendered = None;
            pane.scroll = 0;
            render_if_needed(state)
        }
        Some(pane) if pane.fetching_full => vec![],
        Some(pane) => {
            pane.fetching_full = true;
            let summary = &pane.article.summary;
            let (id, link, feed_url) = (summary.id, summary.link.clone(), summary.feed_url.clone());
            state.notify(FETCHING_FULL, false);
            vec![Command::FetchFull { id, link, feed_url }]
        }
    }
}

/// Marks the current article (the open one, else the selected one) read, undoably, if it was
/// unread; `what` names the step for undo.
pub(super) fn mark_current_read(state: &mut AppState, what: &str) -> Vec<Command> {
    let current = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => Some(p.article.summary.clone()),
        _ => state.headlines.current().cloned(),
    };
    match current {
        Some(a) => stories::mark_read_with_story(state, &a, what),
        None => vec![],
    }
}

/// A link of the open article (or the selected headline's) with what an opener chooses by: an
/// attachment, an image of the body, or a link.
fn open_target(state: &AppState, url: String) -> OpenTarget {
    let pane = state.article.as_ref();
    let (title, feed) = match (pane, state.headlines.current()) {
        (Some(p), _) => (
            p.article.summary.shown_title().to_string(),
            p.article.summary.feed_title.clone(),
        ),
        (None, Some(a)) => (a.shown_title().to_string(), a.feed_title.clone()),
        (None, None) => (String::new(), String::new()),
    };
    let enclosure = pane.and_then(|p| p.article.enclosures.iter().find(|e| e.url == url));
    let image = pane
        .and_then(|p| p.rendered.as_ref())
        .is_some_and(|(_, r)| r.images.iter().any(|i| i.url == url));
    let kind = match (enclosure, image) {
        (Some(_), _) => LinkKind::Enclosure,
        (None, true) => LinkKind::Image,
        (None, false) => LinkKind::Link,
    };
    OpenTarget {
        mime: enclosure.and_then(|e| e.mime.clone()),
        url,
        kind,
        title,
        feed,
    }
}

/// Only web links are handed to the browser.
pub(super) fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

pub(super) fn open_url(state: &mut AppState, url: String) -> Vec<Command> {
    if let Some(id) = url.strip_prefix(stories::ALSO_IN).and_then(|n| n.parse().ok()) {
        // The pane shows the next article that arrives when it has none.
        state.article = None;
        return vec![Command::LoadArticle(ArticleId(id))];
    }
    if is_web_url(&url) {
        vec![Command::Open(open_target(state, url))]
    } else {
        state.notify(format!("not opening {url}: only http and https links are opened"), true);
        vec![]
    }
}

/// Link [n] of the open article's body.
fn numbered_link(state: &AppState, n: usize) -> Result<String, String> {
    let Some((_, rendered)) = state.article.as_ref().and_then(|p| p.rendered.as_ref()) else {
        return Err("open an article first: its links are numbered [1], [2]…".into());
    };
    match rendered.links.get(n.wrapping_sub(1)) {
        Some(url) => Ok(url.clone()),
        None => Err(format!(
            "no link [{n}]: this article has {} links",
            rendered.links.len()
        )),
    }
}

/// `d` (`2d`): the open article's attachment `n`, to the download folder.
pub(super) fn download(state: &mut AppState, n: usize) -> Vec<Command> {
    let Some(pane) = &state.article else {
        state.notify("open an article first: d saves its attachments", true);
        return vec![];
    };
    let count = pane.article.enclosures.len();
    match pane.article.enclosures.get(n.wrapping_sub(1)).map(|e| e.url.clone()) {
        Some(url) => {
            state.notify(format!("downloading {url}…"), false);
            vec![Command::Download(url)]
        }
        None => {
            state.notify(format!("no attachment {n}: this article has {count}"), true);
            vec![]
        }
    }
}

/// `:save-article PATH`: the open article (else the selected one) to a file.
pub(super) fn save_article(state: &mut AppState, path: &str) -> Vec<Command> {
    if path.is_empty() {
        state.notify("usage: :save-article PATH (PATH.md: Markdown, else text)", true);
        return vec![];
    }
    let id = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => Some(p.article.summary.id),
        _ => state.headlines.current().map(|a| a.id),
    };
    match id {
        Some(id) => vec![Command::SaveArticle {
            id,
            path: path.to_string(),
        }],
        None => {
            state.notify("select an article to save", true);
            vec![]
        }
    }
}

/// `|` and `:pipe CMD`: the open article (else the selected one) to a program.
pub(super) fn pipe(state: &mut AppState, argv: Option<Vec<String>>) -> Vec<Command> {
    let id = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => Some(p.article.summary.id),
        _ => state.headlines.current().map(|a| a.id),
    };
    match id {
        Some(id) => {
            state.notify("piping the article…", false);
            vec![Command::Pipe { id, argv }]
        }
        None => {
            state.notify("select an article to pipe", true);
            vec![]
        }
    }
}

/// A pipe ended: its output replaces the open article's body (when it is that article and
/// there is output), or the status bar says what happened.
pub(super) fn on_piped(
    state: &mut AppState,
    id: ArticleId,
    program: String,
    result: Result<String, String>,
) -> Vec<Command> {
    match result {
        Err(why) => {
            state.notify(format!("pipe: {why}"), true);
            vec![]
        }
        Ok(out) if out.trim().is_empty() => {
            state.notify(format!("piped to {program}"), false);
            vec![]
        }
        Ok(out) => match state.article.as_mut().filter(|p| p.article.summary.id == id) {
            Some(pane) => {
                pane.piped = Some(out);
                pane.rendered = None;
                pane.scroll = 0;
                state.notify(format!("output of {program} (reopen the article for its text)"), false);
                render_if_needed(state)
            }
            None => {
                state.notify(format!("piped to {program}"), false);
                vec![]
            }
        },
    }
}

fn current_link(state: &AppState) -> Option<String> {
    match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => p.article.summary.link.clone(),
        _ => state.headlines.current().and_then(|a| a.link.clone()),
    }
}

pub(super) fn scroll_article(state: &mut AppState, delta: isize) {
    let page = state.article_page();
    if let Some(p) = &mut state.article {
        let lines = p.body_rows() + ARTICLE_HEADER_LINES;
        p.scroll = p.scroll.saturating_add_signed(delta).min(lines.saturating_sub(page));
    }
}

/// Asks for the article body at the pane's current width when the cached one does not fit.
pub(super) fn render_if_needed(state: &mut AppState) -> Vec<Command> {
    let width = layout::article_text_width(layout::panes(state.shape()).article);
    match &state.article {
        Some(p) if p.rendered.as_ref().is_none_or(|(w, _)| *w != width) => vec![Command::Render {
            id: p.article.summary.id,
            html: p.body(),
            width,
            full: p.show_full,
        }],
        _ => vec![],
    }
}

/// A rendered body arrived: kept when it is still the body the pane shows.
pub(super) fn on_rendered(state: &mut AppState, id: ArticleId, width: usize, full: bool, rendered: Rendered) {
    if let Some(pane) = state
        .article
        .as_mut()
        .filter(|p| p.article.summary.id == id && p.show_full == full)
    {
        // Pictures are encoded for a width: at another one they are asked for again.
        if pane.rendered.as_ref().is_some_and(|(w, _)| *w != width) {
            pane.images.clear();
        }
        pane.rendered = Some((width, rendered));
        clamp_scroll(state);
    }
}

/// Reader mode could not get the page: the feed's text stays, and the user is told why.
pub(super) fn on_full_failed(state: &mut AppState, id: ArticleId, reason: String) {
    if let Some(pane) = state.article.as_mut().filter(|p| p.article.summary.id == id) {
        pane.fetching_full = false;
    }
    state.notify(format!("no full article: {reason}; showing the feed's text"), true);
}
