//! Choosing among an article's links: letter hints over the pane's links and pictures (`F`),
//! the URL picker (`g l`), the share targets (`g s`), and the last message shown whole (`g m`).

use super::super::keymap::{Code, Key};
use super::article::open_url;
use super::input::Mode;
use super::{AppState, Command, Focus};
use crate::model::ArticleId;

/// Hint letters, the home row first.
pub const HINT_LETTERS: &str = "asdfghjklqwertyuiopzxcvbnm";

/// `n` distinct labels: single letters while they last, else two letters each.
pub fn hint_labels(n: usize) -> Vec<String> {
    let letters: Vec<char> = HINT_LETTERS.chars().collect();
    if n <= letters.len() {
        return letters.iter().take(n).map(ToString::to_string).collect();
    }
    letters
        .iter()
        .flat_map(|a| letters.iter().map(move |b| format!("{a}{b}")))
        .take(n)
        .collect()
}

/// A list to choose from, over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub title: String,
    /// (what is shown, what is chosen).
    pub items: Vec<(String, String)>,
    pub selected: usize,
    pub purpose: PickPurpose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    /// A link of the open article: opened, or copied with `y`.
    Link,
    /// A `[[share]]` target for this article.
    Share(ArticleId),
}

/// The open article's links (its body's, its attachments') then its pictures: (text, address).
pub fn link_targets(state: &AppState) -> Vec<(String, String)> {
    let Some((_, rendered)) = state.article.as_ref().and_then(|p| p.rendered.as_ref()) else {
        return Vec::new();
    };
    let links = rendered.links.iter().enumerate().map(|(i, url)| {
        let text = rendered.link_texts.get(i).cloned().unwrap_or_default();
        (format!("[{}] {text}", i + 1), url.clone())
    });
    // A picture that is a link already has its number; the others are added after the links.
    let images = unlinked_images(rendered).map(|img| {
        let alt = if img.alt.is_empty() { "picture" } else { &img.alt };
        (format!("[image: {alt}]"), img.url.clone())
    });
    links.chain(images).collect()
}

/// The body's pictures that are no link of it.
pub fn unlinked_images(rendered: &crate::text::rich::Rendered) -> impl Iterator<Item = &crate::text::rich::Image> {
    rendered.images.iter().filter(|img| !rendered.links.contains(&img.url))
}

/// `F`: a label on each link and picture of the open article.
pub(super) fn start_hints(state: &mut AppState) -> Vec<Command> {
    if state.article.is_none() {
        state.notify("open an article first (enter): F labels its links", true);
        return vec![];
    }
    if link_targets(state).is_empty() {
        state.notify("this article has no links or pictures", true);
        return vec![];
    }
    state.mode = Mode::Hints {
        typed: String::new(),
        copy: false,
    };
    vec![]
}

/// A key while the labels show: letters narrow them; a whole label opens its link (copies it,
/// when typed in capitals); anything else puts them away.
pub(super) fn on_hint_key(state: &mut AppState, key: Key) -> Vec<Command> {
    let Mode::Hints { typed, copy } = &mut state.mode else {
        return vec![];
    };
    let Code::Char(c) = key.code else {
        state.mode = Mode::Normal;
        return vec![];
    };
    if key.ctrl || key.alt {
        state.mode = Mode::Normal;
        return vec![];
    }
    *copy |= c.is_uppercase();
    typed.push(c.to_ascii_lowercase());
    let (typed, copy) = (typed.clone(), *copy);
    let targets = link_targets(state);
    let labels = hint_labels(targets.len());
    if let Some(i) = labels.iter().position(|l| *l == typed) {
        state.mode = Mode::Normal;
        let (_, url) = targets[i].clone();
        if copy {
            state.notify(format!("copied {url}"), false);
            return vec![Command::Copy(url)];
        }
        return open_url(state, url);
    }
    if !labels.iter().any(|l| l.starts_with(&typed)) {
        state.mode = Mode::Normal;
        state.notify(format!("no link labelled {typed:?}"), true);
    }
    vec![]
}

/// `g l`: every link of the open article in a list.
pub(super) fn open_url_picker(state: &mut AppState) -> Vec<Command> {
    let items = link_targets(state);
    if items.is_empty() {
        let why = if state.article.is_some() {
            "this article has no links"
        } else {
            "open an article first (enter): g l lists its links"
        };
        state.notify(why, true);
        return vec![];
    }
    state.mode = Mode::Pick(Pick {
        title: " Links (enter opens, y copies, esc closes) ".into(),
        items: items
            .into_iter()
            .map(|(text, url)| (format!("{text}  {url}"), url))
            .collect(),
        selected: 0,
        purpose: PickPurpose::Link,
    });
    vec![]
}

/// `g s`: the `[[share]]` targets for the open (else selected) article.
pub(super) fn open_share_picker(state: &mut AppState) -> Vec<Command> {
    let id = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => Some(p.article.summary.id),
        _ => state.headlines.current().map(|a| a.id),
    };
    let Some(id) = id else {
        state.notify("select an article to share", true);
        return vec![];
    };
    if state.shares.is_empty() {
        state.notify(
            "no [[share]] targets in your config (config.example.toml has examples)",
            true,
        );
        return vec![];
    }
    state.mode = Mode::Pick(Pick {
        title: " Share with (enter sends, esc closes) ".into(),
        items: state.shares.iter().map(|s| (s.clone(), s.clone())).collect(),
        selected: 0,
        purpose: PickPurpose::Share(id),
    });
    vec![]
}

/// A key in a list: move, choose (enter; `y` copies a link), or close it.
pub(super) fn on_pick_key(state: &mut AppState, key: Key) -> Vec<Command> {
    let Mode::Pick(pick) = &mut state.mode else {
        return vec![];
    };
    let last = pick.items.len().saturating_sub(1);
    match key.code {
        Code::Char('j') | Code::Down => pick.selected = (pick.selected + 1).min(last),
        Code::Char('k') | Code::Up => pick.selected = pick.selected.saturating_sub(1),
        Code::Char('g') | Code::Home => pick.selected = 0,
        Code::Char('G') | Code::End => pick.selected = last,
        Code::Enter | Code::Char('y') => {
            let copy = key.code == Code::Char('y');
            let (purpose, value) = (pick.purpose, pick.items[pick.selected].1.clone());
            state.mode = Mode::Normal;
            return match purpose {
                PickPurpose::Link if copy => {
                    state.notify(format!("copied {value}"), false);
                    vec![Command::Copy(value)]
                }
                PickPurpose::Link => open_url(state, value),
                PickPurpose::Share(_) if copy => vec![],
                PickPurpose::Share(id) => {
                    state.notify(format!("sharing with {value}…"), false);
                    vec![Command::Share { id, target: value }]
                }
            };
        }
        _ => state.mode = Mode::Normal,
    }
    vec![]
}

/// `g m`: the last message, whole (a long error is cut in the status bar).
pub(super) fn show_last_message(state: &mut AppState) -> Vec<Command> {
    if state.last_message.is_none() {
        state.notify("no message yet", false);
        return vec![];
    }
    state.mode = Mode::Message { scroll: 0 };
    vec![]
}
