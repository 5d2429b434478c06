//! The reader's state and its one transition function, `update(state, msg) -> commands`.
//! Pure: no I/O, no clock, no terminal. Everything it needs arrives in a `Msg`; everything it
//! wants done leaves as a `Command` for the effects to run.

use crate::model::{Article, ArticleId, ArticleSummary, Feed, FeedId, Filter};
use crate::poller::PollEvent;
use crate::text::rich::Rendered;

use super::action::Action;
use super::keymap::{Code, Key, Keymap, Resolution};
use super::layout;

/// Rows fetched per query, and the most rows held at once (a sliding window over the view).
pub const PAGE: usize = 200;
pub const WINDOW: usize = 3 * PAGE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Sidebar,
    Headlines,
    Article,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidebarEntry {
    All,
    Unread,
    Starred,
    Tag(String),
    FeedsHeader,
    Feed(FeedId),
}

/// What the headline list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewKind {
    All,
    Unread,
    Starred,
    Tag(String),
    Feed { id: FeedId, url: String },
    Search(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub kind: ViewKind,
    pub unread_only: bool,
}

impl View {
    pub fn filter(&self) -> Filter {
        let mut f = Filter {
            unread_only: self.unread_only,
            ..Default::default()
        };
        match &self.kind {
            ViewKind::All | ViewKind::Search(_) => {}
            ViewKind::Unread => f.unread_only = true,
            ViewKind::Starred => f.starred_only = true,
            ViewKind::Tag(t) => f.tag = Some(t.clone()),
            ViewKind::Feed { url, .. } => f.feed_url = Some(url.clone()),
        }
        f
    }

    pub fn search(&self) -> Option<&str> {
        match &self.kind {
            ViewKind::Search(q) => Some(q),
            _ => None,
        }
    }
}

/// Which page a load asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    First,
    Last,
    After(ArticleId),
    Before(ArticleId),
}

/// A window of the current view, newest first.
#[derive(Debug, Clone, Default)]
pub struct Headlines {
    pub rows: Vec<ArticleSummary>,
    /// Index in the whole view of `rows[0]`.
    pub first_index: usize,
    pub total: Option<usize>,
    pub at_top: bool,
    pub at_bottom: bool,
    pub selected: usize,
    pub scroll: usize,
    pub loading: bool,
    /// Replies carrying an older generation belong to a previous view and are dropped.
    pub generation: u64,
    /// After a reload, select this article again if it is in the new rows.
    pub reselect: Option<ArticleId>,
}

impl Headlines {
    pub fn current(&self) -> Option<&ArticleSummary> {
        self.rows.get(self.selected)
    }
}

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
}

impl ArticlePane {
    fn new(article: Article) -> ArticlePane {
        ArticlePane {
            show_full: article.full_content.is_some(),
            article,
            rendered: None,
            scroll: 0,
            fetching_full: false,
        }
    }

    /// The HTML the pane shows.
    pub fn body(&self) -> &str {
        let full = self.article.full_content.as_deref().filter(|_| self.show_full);
        full.or(self.article.content.as_deref()).unwrap_or("")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Search,
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help { scroll: usize },
    Input { kind: InputKind, text: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub new: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Everything the reader shows and remembers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub keymap: Keymap,
    pub focus: Focus,
    pub feeds: Vec<Feed>,
    pub tags: Vec<String>,
    pub feeds_collapsed: bool,
    pub sidebar_selected: usize,
    pub view: View,
    pub headlines: Headlines,
    pub article: Option<ArticlePane>,
    pub fullscreen: bool,
    pub mode: Mode,
    pub progress: Option<Progress>,
    pub notice: Option<Notice>,
    /// Shown until the first key press, over ordinary notices: where the user's config goes
    /// when khabar started on the built-in one.
    pub startup_hint: Option<String>,
    pub pending: Vec<Key>,
    pub count: Option<usize>,
    pub size: (u16, u16),
    /// The local time zone's offset, set by the app (at startup and with each schedule tick) so
    /// drawing needs no clock or environment.
    pub utc_offset: chrono::FixedOffset,
    pub spinner: usize,
    pub quit: bool,
}

/// Inputs to `update`.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Resize(u16, u16),
    Click {
        col: u16,
        row: u16,
    },
    Wheel {
        col: u16,
        row: u16,
        down: bool,
    },
    /// Spinner frame while a refresh runs.
    Tick,
    /// The background schedule fired (every minute): refresh what is due. Carries the local
    /// time zone's offset then, so times follow a daylight-saving change within a minute.
    Schedule(chrono::FixedOffset),
    Poll(PollEvent),
    Feeds(Vec<Feed>),
    Page {
        generation: u64,
        kind: LoadKind,
        rows: Vec<ArticleSummary>,
        first_index: Option<usize>,
        total: Option<usize>,
    },
    Article(Box<Article>),
    Rendered {
        id: ArticleId,
        width: usize,
        full: bool,
        rendered: Rendered,
    },
    /// Reader mode could not get the article's page: the feed's text stays.
    FullFailed {
        id: ArticleId,
        reason: String,
    },
    /// The number of articles in the view, counted after its first page was sent.
    Total {
        generation: u64,
        total: usize,
    },
    /// A refresh began over this many feeds.
    RefreshStarted(usize),
    Notice(Notice),
}

/// Work for the effects.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadFeeds,
    LoadPage {
        generation: u64,
        view: View,
        kind: LoadKind,
        count: bool,
    },
    LoadArticle(ArticleId),
    Render {
        id: ArticleId,
        html: String,
        width: usize,
        full: bool,
    },
    /// Reader mode: fetch the article's page, keep its main content, then reload the article.
    FetchFull {
        id: ArticleId,
        link: Option<String>,
    },
    SetRead(ArticleId, bool),
    SetStarred(ArticleId, bool),
    MarkViewRead(Filter),
    Refresh(Option<FeedId>),
    RefreshDue,
    OpenUrl(String),
    Copy(String),
}

impl AppState {
    pub fn new(keymap: Keymap, tags: Vec<String>, size: (u16, u16)) -> AppState {
        AppState {
            keymap,
            focus: Focus::Headlines,
            feeds: Vec::new(),
            tags,
            feeds_collapsed: false,
            sidebar_selected: 0,
            view: View {
                kind: ViewKind::All,
                unread_only: false,
            },
            headlines: Headlines::default(),
            article: None,
            fullscreen: false,
            mode: Mode::Normal,
            progress: None,
            notice: None,
            startup_hint: None,
            pending: Vec::new(),
            count: None,
            size,
            utc_offset: chrono::FixedOffset::east_opt(0).expect("zero offset"),
            spinner: 0,
            quit: false,
        }
    }

    /// The commands that fill a fresh state: the headlines first, for the first frame.
    pub fn start(&mut self) -> Vec<Command> {
        let mut cmds = self.open_view(self.view.clone());
        cmds.push(Command::LoadFeeds);
        cmds
    }

    pub fn sidebar_entries(&self) -> Vec<SidebarEntry> {
        let mut v = vec![SidebarEntry::All, SidebarEntry::Unread, SidebarEntry::Starred];
        v.extend(self.tags.iter().cloned().map(SidebarEntry::Tag));
        v.push(SidebarEntry::FeedsHeader);
        if !self.feeds_collapsed {
            v.extend(self.feeds.iter().map(|f| SidebarEntry::Feed(f.id)));
        }
        v
    }

    pub fn feed(&self, id: FeedId) -> Option<&Feed> {
        self.feeds.iter().find(|f| f.id == id)
    }

    /// The view's name for the status bar and the headline title.
    pub fn view_title(&self) -> String {
        let base = match &self.view.kind {
            ViewKind::All => "All".to_string(),
            ViewKind::Unread => "Unread".to_string(),
            ViewKind::Starred => "Starred".to_string(),
            ViewKind::Tag(t) => format!("Tag: {t}"),
            ViewKind::Feed { id, url } => self.feed(*id).map_or(url.clone(), |f| f.display_title().to_string()),
            ViewKind::Search(q) => format!("Search: {q}"),
        };
        if self.view.unread_only && self.view.kind != ViewKind::Unread {
            format!("{base} (unread)")
        } else {
            base
        }
    }

    fn headline_page(&self) -> usize {
        layout::inner_height(layout::panes(self).headlines)
    }

    fn article_page(&self) -> usize {
        layout::inner_height(layout::panes(self).article)
            .saturating_sub(1)
            .max(1)
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
        });
    }

    fn open_view(&mut self, view: View) -> Vec<Command> {
        self.view = view;
        let generation = self.headlines.generation + 1;
        self.headlines = Headlines {
            generation,
            loading: true,
            ..Default::default()
        };
        vec![Command::LoadPage {
            generation,
            view: self.view.clone(),
            kind: LoadKind::First,
            count: true,
        }]
    }

    /// Reloads the view from the top, keeping the selected article selected when it is there.
    /// The old rows stay on screen until the new page arrives.
    fn reload_view(&mut self) -> Vec<Command> {
        self.headlines.reselect = self.headlines.current().map(|a| a.id);
        self.replace_rows(LoadKind::First, true)
    }

    /// Asks for a page that will replace the rows; replies to earlier requests are dropped.
    fn replace_rows(&mut self, kind: LoadKind, count: bool) -> Vec<Command> {
        let h = &mut self.headlines;
        h.generation += 1;
        h.loading = true;
        vec![Command::LoadPage {
            generation: h.generation,
            view: self.view.clone(),
            kind,
            count,
        }]
    }
}

/// The one transition function.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            clamp_scroll(state);
            render_if_needed(state)
        }
        Msg::Click { col, row } => on_click(state, col, row),
        Msg::Wheel { col, row, down } => on_wheel(state, col, row, down),
        Msg::Tick => {
            state.spinner = state.spinner.wrapping_add(1);
            vec![]
        }
        Msg::Schedule(utc_offset) => {
            state.utc_offset = utc_offset;
            if state.progress.is_none() {
                vec![Command::RefreshDue]
            } else {
                vec![]
            }
        }
        Msg::Poll(ev) => on_poll(state, ev),
        Msg::Feeds(feeds) => {
            state.feeds = feeds;
            let n = state.sidebar_entries().len();
            state.sidebar_selected = state.sidebar_selected.min(n.saturating_sub(1));
            vec![]
        }
        Msg::Page {
            generation,
            kind,
            rows,
            first_index,
            total,
        } => on_page(state, generation, kind, rows, first_index, total),
        Msg::Article(article) => {
            // The open article reloaded (after reader mode fetched its page): keep the place.
            if let Some(pane) = state
                .article
                .as_mut()
                .filter(|p| p.article.summary.id == article.summary.id)
            {
                let became_full = pane.fetching_full && article.full_content.is_some();
                pane.article = *article;
                if became_full {
                    pane.fetching_full = false;
                    pane.show_full = true;
                    pane.rendered = None;
                    pane.scroll = 0;
                }
                return render_if_needed(state);
            }
            if state.headlines.current().map(|a| a.id) == Some(article.summary.id) || state.article.is_none() {
                state.article = Some(ArticlePane::new(*article));
                return render_if_needed(state);
            }
            vec![]
        }
        Msg::Rendered {
            id,
            width,
            full,
            rendered,
        } => {
            if let Some(pane) = state
                .article
                .as_mut()
                .filter(|p| p.article.summary.id == id && p.show_full == full)
            {
                pane.rendered = Some((width, rendered));
                clamp_scroll(state);
            }
            vec![]
        }
        Msg::FullFailed { id, reason } => {
            if let Some(pane) = state.article.as_mut().filter(|p| p.article.summary.id == id) {
                pane.fetching_full = false;
            }
            state.notify(format!("no full article: {reason}; showing the feed's text"), true);
            vec![]
        }
        Msg::Total { generation, total } => {
            if generation == state.headlines.generation {
                state.headlines.total = Some(total);
            }
            vec![]
        }
        Msg::RefreshStarted(total) => {
            state.progress.get_or_insert_with(Progress::default).total = total;
            vec![]
        }
        Msg::Notice(n) => {
            state.notice = Some(n);
            vec![]
        }
    }
}

fn on_key(state: &mut AppState, key: Key) -> Vec<Command> {
    state.startup_hint = None;
    if let Mode::Input { kind, text } = &mut state.mode {
        match key.code {
            Code::Esc => state.mode = Mode::Normal,
            Code::Enter => {
                let (kind, text) = (*kind, text.trim().to_string());
                state.mode = Mode::Normal;
                return submit_input(state, kind, &text);
            }
            // Backspace on an empty line leaves it, as in vim.
            Code::Backspace if text.pop().is_none() => state.mode = Mode::Normal,
            Code::Backspace => {}
            Code::Char(c) if !key.ctrl && !key.alt => text.push(c),
            _ => {}
        }
        return vec![];
    }
    if let Mode::Help { scroll } = &mut state.mode {
        // In help: scrolling keys scroll it; anything else closes it.
        match state.keymap.resolve(&[key]) {
            Resolution::Action(Action::MoveDown) => *scroll += 1,
            Resolution::Action(Action::MoveUp) => *scroll = scroll.saturating_sub(1),
            Resolution::Action(Action::Quit) => state.quit = true,
            _ => state.mode = Mode::Normal,
        }
        return vec![];
    }

    // A count prefix ("5j"): digits not bound to anything.
    if let Code::Char(d @ '0'..='9') = key.code {
        if state.pending.is_empty()
            && !key.ctrl
            && !key.alt
            && state.keymap.resolve(&[key]) == Resolution::Unbound
            && (d != '0' || state.count.is_some())
        {
            let digit = d as usize - '0' as usize;
            state.count = Some((state.count.unwrap_or(0) * 10 + digit).min(100_000));
            return vec![];
        }
    }
    state.pending.push(key);
    match state.keymap.resolve(&state.pending) {
        Resolution::Prefix => vec![],
        Resolution::Unbound => {
            state.pending.clear();
            state.count = None;
            vec![]
        }
        Resolution::Action(action) => {
            state.pending.clear();
            let count = state.count.take();
            // A new key press replaces an old notice.
            if !matches!(action, Action::Cancel) {
                state.notice = None;
            }
            perform(state, action, count)
        }
    }
}

/// Runs an action in the current focus. A count repeats motions; before `o` or `y` it picks
/// the article's numbered link ("3o" opens link [3]).
pub fn perform(state: &mut AppState, action: Action, given: Option<usize>) -> Vec<Command> {
    let count = given.unwrap_or(1);
    let page = match state.focus {
        Focus::Article => state.article_page(),
        _ => state.headline_page(),
    };
    match action {
        Action::MoveDown => move_by(state, count as isize),
        Action::MoveUp => move_by(state, -(count as isize)),
        Action::HalfPageDown => move_by(state, (count * page.div_ceil(2)) as isize),
        Action::HalfPageUp => move_by(state, -((count * page.div_ceil(2)) as isize)),
        Action::PageDown => move_by(state, (count * page) as isize),
        Action::PageUp => move_by(state, -((count * page) as isize)),
        Action::Top => go_top(state),
        Action::Bottom => go_bottom(state),
        Action::FocusLeft | Action::FocusPrev => {
            state.focus = match state.focus {
                Focus::Article => Focus::Headlines,
                Focus::Headlines => Focus::Sidebar,
                Focus::Sidebar if action == Action::FocusPrev && state.article.is_some() => Focus::Article,
                Focus::Sidebar if action == Action::FocusPrev => Focus::Headlines,
                Focus::Sidebar => Focus::Sidebar,
            };
            render_if_needed(state)
        }
        Action::FocusRight | Action::FocusNext => {
            state.focus = match state.focus {
                Focus::Sidebar => Focus::Headlines,
                Focus::Headlines if state.article.is_some() => Focus::Article,
                Focus::Headlines if action == Action::FocusNext => Focus::Sidebar,
                Focus::Article if action == Action::FocusNext => Focus::Sidebar,
                other => other,
            };
            render_if_needed(state)
        }
        Action::Open => match state.focus {
            Focus::Sidebar => {
                if let Some(SidebarEntry::FeedsHeader) = state.sidebar_entries().get(state.sidebar_selected) {
                    state.feeds_collapsed = !state.feeds_collapsed;
                    return vec![];
                }
                state.focus = Focus::Headlines;
                activate_sidebar(state)
            }
            Focus::Headlines => open_selected(state),
            Focus::Article => vec![],
        },
        Action::PageArticle => {
            if state.article.is_none() {
                return open_selected(state);
            }
            scroll_article(state, (count * state.article_page()) as isize);
            vec![]
        }
        Action::FullArticle => match &mut state.article {
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
                let (id, link) = (pane.article.summary.id, pane.article.summary.link.clone());
                state.notify("fetching the full article…", false);
                vec![Command::FetchFull { id, link }]
            }
        },
        Action::OpenLink | Action::CopyLink if given.is_some() => match numbered_link(state, count) {
            Ok(url) if action == Action::CopyLink => {
                state.notify(format!("copied [{count}] {url}"), false);
                vec![Command::Copy(url)]
            }
            Ok(url) if is_web_url(&url) => vec![Command::OpenUrl(url)],
            Ok(url) => {
                state.notify(format!("not opening {url}: only http and https links are opened"), true);
                vec![]
            }
            Err(why) => {
                state.notify(why, true);
                vec![]
            }
        },
        Action::OpenLink => match current_link(state) {
            Some(url) if is_web_url(&url) => vec![Command::OpenUrl(url)],
            Some(url) => {
                state.notify(format!("not opening {url}: only http and https links are opened"), true);
                vec![]
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
        Action::ToggleRead => toggle_flag(state, true),
        Action::ToggleStar => toggle_flag(state, false),
        Action::MarkViewRead => {
            for a in &mut state.headlines.rows {
                a.read = true;
            }
            let filter = match state.view.search() {
                // A search view's rows are all loaded: mark exactly those.
                Some(_) => {
                    return state
                        .headlines
                        .rows
                        .iter()
                        .map(|a| Command::SetRead(a.id, true))
                        .chain([Command::LoadFeeds])
                        .collect()
                }
                None => state.view.filter(),
            };
            state.notify(format!("marked {} read", state.view_title()), false);
            vec![Command::MarkViewRead(filter), Command::LoadFeeds]
        }
        Action::ToggleUnreadOnly => {
            let mut view = state.view.clone();
            view.unread_only = !view.unread_only;
            state.open_view(view)
        }
        Action::RefreshFeed => {
            let feed = match (state.focus, state.sidebar_entries().get(state.sidebar_selected)) {
                (Focus::Sidebar, Some(SidebarEntry::Feed(id))) => Some(*id),
                _ => state.headlines.current().map(|a| a.feed_id),
            };
            match feed {
                Some(id) => start_refresh(state, Some(id)),
                None => {
                    state.notify("no feed selected", true);
                    vec![]
                }
            }
        }
        Action::RefreshAll => start_refresh(state, None),
        Action::Search => {
            state.mode = Mode::Input {
                kind: InputKind::Search,
                text: String::new(),
            };
            vec![]
        }
        Action::CommandLine => {
            state.mode = Mode::Input {
                kind: InputKind::Command,
                text: String::new(),
            };
            vec![]
        }
        Action::NextResult | Action::PrevResult => {
            if state.view.search().is_none() {
                state.notify("no search: press / to search", true);
                return vec![];
            }
            let step = if action == Action::NextResult {
                count as isize
            } else {
                -(count as isize)
            };
            state.focus = Focus::Headlines;
            let mut cmds = move_by(state, step);
            cmds.extend(open_selected(state));
            cmds
        }
        Action::ToggleFullscreen => {
            state.fullscreen = !state.fullscreen;
            if state.fullscreen && state.article.is_some() {
                state.focus = Focus::Article;
            }
            render_if_needed(state)
        }
        Action::ToggleFeeds => {
            state.feeds_collapsed = !state.feeds_collapsed;
            let n = state.sidebar_entries().len();
            state.sidebar_selected = state.sidebar_selected.min(n - 1);
            vec![]
        }
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        Action::Back => {
            match state.focus {
                Focus::Article => {
                    state.article = None;
                    state.fullscreen = false;
                    state.focus = Focus::Headlines;
                }
                _ if state.article.is_some() => state.article = None,
                _ if state.view.search().is_some() => {
                    return state.open_view(View {
                        kind: ViewKind::All,
                        unread_only: state.view.unread_only,
                    })
                }
                _ => state.quit = true,
            }
            vec![]
        }
        Action::Cancel => {
            state.notice = None;
            state.count = None;
            vec![]
        }
        Action::Quit => {
            state.quit = true;
            vec![]
        }
    }
}

fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
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

fn current_link(state: &AppState) -> Option<String> {
    match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => p.article.summary.link.clone(),
        _ => state.headlines.current().and_then(|a| a.link.clone()),
    }
}

fn toggle_flag(state: &mut AppState, read: bool) -> Vec<Command> {
    let target = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => p.article.summary.id,
        _ => match state.headlines.current() {
            Some(a) => a.id,
            None => return vec![],
        },
    };
    let mut value = None;
    for a in state.headlines.rows.iter_mut().filter(|a| a.id == target) {
        if read {
            a.read = !a.read;
            value = Some(a.read);
        } else {
            a.starred = !a.starred;
            value = Some(a.starred);
        }
    }
    if let Some(p) = state.article.as_mut().filter(|p| p.article.summary.id == target) {
        let s = &mut p.article.summary;
        let v = value.unwrap_or(if read { !s.read } else { !s.starred });
        if read {
            s.read = v;
        } else {
            s.starred = v;
        }
        value = Some(v);
    }
    let Some(v) = value else { return vec![] };
    let cmd = if read {
        Command::SetRead(target, v)
    } else {
        Command::SetStarred(target, v)
    };
    vec![cmd, Command::LoadFeeds]
}

fn start_refresh(state: &mut AppState, feed: Option<FeedId>) -> Vec<Command> {
    if state.progress.is_some() {
        state.notify("a refresh is already running", true);
        return vec![];
    }
    state.progress = Some(Progress::default());
    vec![Command::Refresh(feed)]
}

fn submit_input(state: &mut AppState, kind: InputKind, text: &str) -> Vec<Command> {
    if text.is_empty() {
        return vec![];
    }
    match kind {
        InputKind::Search => {
            state.focus = Focus::Headlines;
            state.open_view(View {
                kind: ViewKind::Search(text.to_string()),
                unread_only: state.view.unread_only,
            })
        }
        InputKind::Command => {
            let (cmd, arg) = text.split_once(' ').map_or((text, ""), |(c, a)| (c, a.trim()));
            match cmd {
                "q" | "quit" => {
                    state.quit = true;
                    vec![]
                }
                "refresh" => start_refresh(state, None),
                "tag" if state.tags.iter().any(|t| t == arg) => {
                    state.focus = Focus::Headlines;
                    state.open_view(View {
                        kind: ViewKind::Tag(arg.to_string()),
                        unread_only: state.view.unread_only,
                    })
                }
                "tag" => {
                    state.notify(format!("no tag {arg:?} (tags: {})", state.tags.join(", ")), true);
                    vec![]
                }
                "feed" => match state.feeds.iter().find(|f| f.url == arg) {
                    Some(f) => {
                        let kind = ViewKind::Feed {
                            id: f.id,
                            url: f.url.clone(),
                        };
                        state.focus = Focus::Headlines;
                        state.open_view(View {
                            kind,
                            unread_only: state.view.unread_only,
                        })
                    }
                    None => {
                        state.notify(format!("no configured feed {arg:?}"), true);
                        vec![]
                    }
                },
                other => {
                    state.notify(
                        format!("unknown command :{other} (try :tag NAME, :feed URL, :refresh, :q)"),
                        true,
                    );
                    vec![]
                }
            }
        }
    }
}

fn activate_sidebar(state: &mut AppState) -> Vec<Command> {
    let Some(entry) = state.sidebar_entries().get(state.sidebar_selected).cloned() else {
        return vec![];
    };
    let kind = match entry {
        SidebarEntry::All => ViewKind::All,
        SidebarEntry::Unread => ViewKind::Unread,
        SidebarEntry::Starred => ViewKind::Starred,
        SidebarEntry::Tag(t) => ViewKind::Tag(t),
        SidebarEntry::Feed(id) => ViewKind::Feed {
            id,
            url: state.feed(id).map(|f| f.url.clone()).unwrap_or_default(),
        },
        SidebarEntry::FeedsHeader => return vec![],
    };
    if state.view.kind == kind {
        return vec![];
    }
    state.open_view(View {
        kind,
        unread_only: state.view.unread_only,
    })
}

fn open_selected(state: &mut AppState) -> Vec<Command> {
    let Some(a) = state.headlines.current().cloned() else {
        return vec![];
    };
    state.focus = Focus::Article;
    let mut cmds = Vec::new();
    if !a.read {
        state.headlines.rows[state.headlines.selected].read = true;
        // Written before the article is loaded, so it arrives already read.
        cmds.push(Command::SetRead(a.id, true));
        cmds.push(Command::LoadFeeds);
    }
    cmds.push(Command::LoadArticle(a.id));
    cmds
}

fn move_by(state: &mut AppState, delta: isize) -> Vec<Command> {
    match state.focus {
        Focus::Sidebar => {
            let n = state.sidebar_entries().len();
            state.sidebar_selected = state
                .sidebar_selected
                .saturating_add_signed(delta)
                .min(n.saturating_sub(1));
            activate_sidebar(state)
        }
        Focus::Headlines => {
            let h = &mut state.headlines;
            if h.rows.is_empty() {
                return vec![];
            }
            h.selected = h.selected.saturating_add_signed(delta).min(h.rows.len() - 1);
            let mut cmds = ensure_window(state);
            cmds.extend(follow_selection(state));
            cmds
        }
        Focus::Article => {
            scroll_article(state, delta);
            vec![]
        }
    }
}

/// With the article pane open beside the list, it follows the selection.
fn follow_selection(state: &mut AppState) -> Vec<Command> {
    clamp_scroll(state);
    let current = state.headlines.current().map(|a| a.id);
    match (&state.article, current) {
        (Some(p), Some(id)) if p.article.summary.id != id => vec![Command::LoadArticle(id)],
        _ => vec![],
    }
}

fn go_top(state: &mut AppState) -> Vec<Command> {
    match state.focus {
        Focus::Sidebar => {
            state.sidebar_selected = 0;
            activate_sidebar(state)
        }
        Focus::Article => {
            if let Some(p) = &mut state.article {
                p.scroll = 0;
            }
            vec![]
        }
        Focus::Headlines if state.headlines.at_top => {
            state.headlines.selected = 0;
            let mut cmds = vec![];
            cmds.extend(follow_selection(state));
            cmds
        }
        Focus::Headlines => state.open_view(state.view.clone()),
    }
}

fn go_bottom(state: &mut AppState) -> Vec<Command> {
    match state.focus {
        Focus::Sidebar => {
            state.sidebar_selected = state.sidebar_entries().len() - 1;
            activate_sidebar(state)
        }
        Focus::Article => {
            scroll_article(state, isize::MAX / 2);
            vec![]
        }
        Focus::Headlines if state.headlines.at_bottom => {
            state.headlines.selected = state.headlines.rows.len().saturating_sub(1);
            follow_selection(state)
        }
        Focus::Headlines => state.replace_rows(LoadKind::Last, false),
    }
}

/// Asks for the next or previous page when the selection nears an edge of the window.
fn ensure_window(state: &mut AppState) -> Vec<Command> {
    let margin = state.headline_page() * 2;
    let h = &mut state.headlines;
    if h.loading || h.rows.is_empty() {
        return vec![];
    }
    let kind = if h.selected + margin >= h.rows.len() && !h.at_bottom {
        LoadKind::After(h.rows[h.rows.len() - 1].id)
    } else if h.selected < margin && !h.at_top {
        LoadKind::Before(h.rows[0].id)
    } else {
        return vec![];
    };
    h.loading = true;
    vec![Command::LoadPage {
        generation: h.generation,
        view: state.view.clone(),
        kind,
        count: false,
    }]
}

fn on_page(
    state: &mut AppState,
    generation: u64,
    kind: LoadKind,
    mut rows: Vec<ArticleSummary>,
    first_index: Option<usize>,
    total: Option<usize>,
) -> Vec<Command> {
    let h = &mut state.headlines;
    if generation != h.generation {
        return vec![];
    }
    h.loading = false;
    if total.is_some() {
        h.total = total;
    }
    let full = rows.len() >= PAGE;
    match kind {
        LoadKind::First => {
            h.rows = rows;
            h.first_index = 0;
            h.at_top = true;
            h.at_bottom = !full;
            h.selected = h
                .reselect
                .take()
                .and_then(|id| h.rows.iter().position(|a| a.id == id))
                .unwrap_or(0);
            h.scroll = 0;
        }
        LoadKind::Last => {
            h.first_index = first_index.unwrap_or(0);
            h.at_top = !full;
            h.at_bottom = true;
            h.selected = rows.len().saturating_sub(1);
            h.rows = rows;
            h.scroll = h.selected;
        }
        LoadKind::After(_) => {
            h.at_bottom = !full;
            h.rows.append(&mut rows);
            if h.rows.len() > WINDOW {
                let drop = h.rows.len() - WINDOW;
                h.rows.drain(..drop);
                h.first_index += drop;
                h.selected = h.selected.saturating_sub(drop);
                h.scroll = h.scroll.saturating_sub(drop);
                h.at_top = false;
            }
        }
        LoadKind::Before(_) => {
            h.at_top = !full;
            let added = rows.len();
            rows.append(&mut h.rows);
            h.rows = rows;
            h.first_index = first_index.unwrap_or(h.first_index.saturating_sub(added));
            h.selected += added;
            h.scroll += added;
            if h.rows.len() > WINDOW {
                h.rows.truncate(WINDOW);
                h.at_bottom = false;
            }
        }
    }
    let mut cmds = ensure_window(state);
    cmds.extend(follow_selection(state));
    cmds
}

fn on_poll(state: &mut AppState, ev: PollEvent) -> Vec<Command> {
    let progress = state.progress.get_or_insert_with(Progress::default);
    match ev {
        PollEvent::Started { .. } => {}
        PollEvent::Updated { new, .. } => {
            progress.done += 1;
            progress.new += new;
        }
        PollEvent::NotModified { .. } | PollEvent::Skipped { .. } => progress.done += 1,
        PollEvent::Failed { .. } => {
            progress.done += 1;
            progress.failed += 1;
        }
        PollEvent::Finished(s) => {
            state.progress = None;
            let failed = if s.failed > 0 {
                format!(", {} failed (see the feed list)", s.failed)
            } else {
                String::new()
            };
            state.notify(
                format!("refreshed {} feeds: {} new{failed}", s.feeds, s.new_articles),
                s.failed > 0,
            );
            let mut cmds = vec![Command::LoadFeeds];
            if s.new_articles > 0 && state.view.search().is_none() {
                cmds.extend(state.reload_view());
            }
            return cmds;
        }
    }
    vec![]
}

fn scroll_article(state: &mut AppState, delta: isize) {
    let page = state.article_page();
    if let Some(p) = &mut state.article {
        let lines = p.rendered.as_ref().map_or(0, |(_, r)| r.lines.len()) + ARTICLE_HEADER_LINES;
        p.scroll = p.scroll.saturating_add_signed(delta).min(lines.saturating_sub(page));
    }
}

/// At most this many lines (title, feed/author, date, link, blank) are drawn above the body.
pub const ARTICLE_HEADER_LINES: usize = 6;

/// Keeps the selection visible in the headline list.
fn clamp_scroll(state: &mut AppState) {
    let page = state.headline_page();
    let h = &mut state.headlines;
    if h.selected < h.scroll {
        h.scroll = h.selected;
    } else if h.selected >= h.scroll + page {
        h.scroll = h.selected + 1 - page;
    }
    scroll_article(state, 0);
}

/// Asks for the article body at the pane's current width when the cached one does not fit.
fn render_if_needed(state: &mut AppState) -> Vec<Command> {
    let width = layout::article_text_width(layout::panes(state).article);
    match &state.article {
        Some(p) if p.rendered.as_ref().is_none_or(|(w, _)| *w != width) => vec![Command::Render {
            id: p.article.summary.id,
            html: p.body().to_string(),
            width,
            full: p.show_full,
        }],
        _ => vec![],
    }
}

fn on_click(state: &mut AppState, col: u16, row: u16) -> Vec<Command> {
    let panes = layout::panes(state);
    let inside = |r: Option<ratatui::layout::Rect>| r.filter(|r| r.contains((col, row).into()));
    if let Some(r) = inside(panes.sidebar) {
        state.focus = Focus::Sidebar;
        let line = (row.saturating_sub(r.y + 1)) as usize;
        if line < state.sidebar_entries().len() {
            state.sidebar_selected = line;
            return activate_sidebar(state);
        }
    } else if let Some(r) = inside(panes.headlines) {
        state.focus = Focus::Headlines;
        let idx = state.headlines.scroll + (row.saturating_sub(r.y + 1)) as usize;
        if idx < state.headlines.rows.len() {
            let was = state.headlines.selected;
            state.headlines.selected = idx;
            let mut cmds = ensure_window(state);
            // A click on the selected headline opens it.
            if was == idx {
                cmds.extend(open_selected(state));
            } else {
                cmds.extend(follow_selection(state));
            }
            return cmds;
        }
    } else if inside(panes.article).is_some() {
        state.focus = Focus::Article;
    }
    vec![]
}

fn on_wheel(state: &mut AppState, col: u16, row: u16, down: bool) -> Vec<Command> {
    let panes = layout::panes(state);
    let delta = if down { 3 } else { -3 };
    let hit = |r: Option<ratatui::layout::Rect>| r.is_some_and(|r| r.contains((col, row).into()));
    if hit(panes.article) {
        scroll_article(state, delta);
        vec![]
    } else if hit(panes.headlines) {
        let focus = state.focus;
        state.focus = Focus::Headlines;
        let cmds = move_by(state, delta);
        state.focus = focus;
        cmds
    } else {
        vec![]
    }
}
