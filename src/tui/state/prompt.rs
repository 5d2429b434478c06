//! The prompts' memory and help: history for `/` and `:` (Up and Down, kept in the cache), Tab
//! completion of `:` commands and their arguments, and `:set` for settings that last the session.

use super::input::{InputKind, Mode};
use super::{AppState, Command};
use crate::model::SortOrder;

/// Most entries a prompt's history holds in memory (the cache keeps as many).
pub const HISTORY: usize = 100;

/// What the prompts remember, and where Up and Down are in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompts {
    pub search: Vec<String>,
    pub command: Vec<String>,
    /// The entry shown while browsing (an index into the kind's list), and what was typed before.
    browsing: Option<(usize, String)>,
    /// Tab's candidates for the word being completed, and the one shown.
    completing: Option<Completion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Completion {
    /// The line before the word completed.
    head: String,
    candidates: Vec<String>,
    at: usize,
}

impl Prompts {
    /// A prompt opened or closed: browsing and completing start afresh.
    pub(super) fn reset(&mut self) {
        self.browsing = None;
        self.completing = None;
    }
}

/// The cache's name for a prompt's history.
pub fn kind_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Search => "search",
        InputKind::Command => "command",
    }
}

/// A line the prompt was given: the newest entry of its history, here and in the cache.
pub(super) fn remember(state: &mut AppState, kind: InputKind, text: &str) -> Command {
    let list = match kind {
        InputKind::Search => &mut state.prompts.search,
        InputKind::Command => &mut state.prompts.command,
    };
    list.retain(|t| t != text);
    list.push(text.to_string());
    if list.len() > HISTORY {
        list.remove(0);
    }
    state.prompts.reset();
    Command::RememberPrompt {
        kind: kind_name(kind),
        text: text.to_string(),
    }
}

/// Up (`older`) or Down in the prompt's history; past the newest entry, what was typed.
pub(super) fn browse(state: &mut AppState, older: bool) {
    let Mode::Input { kind, text } = &mut state.mode else {
        return;
    };
    let prompts = &mut state.prompts;
    let list = match kind {
        InputKind::Search => &prompts.search,
        InputKind::Command => &prompts.command,
    };
    if list.is_empty() {
        return;
    }
    let next = match (&prompts.browsing, older) {
        (None, true) => Some(list.len() - 1),
        (None, false) => return,
        (Some((i, _)), true) => Some(i.saturating_sub(1)),
        (Some((i, _)), false) if i + 1 < list.len() => Some(i + 1),
        (Some(_), false) => None,
    };
    let typed = match prompts.browsing.take() {
        Some((_, typed)) => typed,
        None => text.clone(),
    };
    match next {
        Some(i) => {
            *text = list[i].clone();
            prompts.browsing = Some((i, typed));
        }
        None => *text = typed,
    }
}

/// The `:` commands, for Tab.
pub const COMMANDS: &[&str] = &[
    "add",
    "feed",
    "filter",
    "move",
    "pipe",
    "q",
    "query",
    "refresh",
    "remove",
    "rename",
    "save",
    "save-article",
    "set",
    "tag",
];

/// Tab in the `:` prompt: the word under the cursor (the end) completed from the commands, or
/// from a command's arguments (tags, feeds, saved queries, settings); Tab again shows the next.
pub(super) fn complete(state: &mut AppState) {
    let Mode::Input {
        kind: InputKind::Command,
        text,
    } = &state.mode
    else {
        return;
    };
    let text = text.clone();
    // Tab again, the line as the last Tab left it: the next candidate.
    if let Some(c) = &mut state.prompts.completing {
        if format!("{}{}", c.head, c.candidates[c.at]) == text {
            c.at = (c.at + 1) % c.candidates.len();
            let line = format!("{}{}", c.head, c.candidates[c.at]);
            state.mode = Mode::Input {
                kind: InputKind::Command,
                text: line,
            };
            return;
        }
    }
    let (head, word) = match text.rsplit_once(' ') {
        Some((head, word)) => (format!("{head} "), word.to_string()),
        None => (String::new(), text.clone()),
    };
    let candidates: Vec<String> = match head.split_whitespace().next() {
        None => COMMANDS.iter().map(ToString::to_string).collect(),
        Some("tag") => state.all_tags().into_iter().cloned().collect(),
        Some("feed") => state.feeds.iter().map(|f| f.url.clone()).collect(),
        Some("query") => state.queries.iter().map(|q| q.name.clone()).collect(),
        Some("set") => SETTINGS.iter().map(|(n, _)| (*n).to_string()).collect(),
        Some("filter") => vec!["apply".into()],
        Some(_) => Vec::new(),
    };
    let candidates: Vec<String> = candidates.into_iter().filter(|c| c.starts_with(&word)).collect();
    match candidates.len() {
        0 => state.notify(format!("nothing to complete for {word:?}"), false),
        n => {
            if n > 1 {
                state.notify(format!("tab: {}", candidates.join("  ")), false);
            }
            let line = format!("{head}{}", candidates[0]);
            state.prompts.completing = Some(Completion {
                head,
                candidates,
                at: 0,
            });
            state.mode = Mode::Input {
                kind: InputKind::Command,
                text: line,
            };
        }
    }
}

/// Settings `:set` changes for this session, each with what it means.
pub const SETTINGS: &[(&str, &str)] = &[
    ("unread_only", "the view shows only unread articles"),
    ("show_hidden", "the view shows articles filters hid"),
    ("stories", "a story shows as one headline"),
    ("hide_read", "the sidebar leaves out what has nothing unread"),
    ("open_marks_read", "opening a link marks the article read"),
    ("read_together", "reading a story's article reads the story"),
    ("confirm_quit", "q asks before quitting"),
    ("confirm_mark_all", "A asks before marking many read"),
    ("sort", "the view's order: newest, oldest, feed, title, unread"),
];

/// `:set NAME`, `:set noNAME`, `:set NAME!` (toggle), `:set NAME=VALUE` or `:set NAME VALUE`,
/// `:set NAME?` (show it), `:set` (show them all). Until the reader quits.
pub(super) fn set(state: &mut AppState, arg: &str) -> Vec<Command> {
    let arg = arg.trim();
    if arg.is_empty() {
        let all: Vec<String> = SETTINGS
            .iter()
            .map(|(n, _)| format!("{n}={}", value_of(state, n)))
            .collect();
        state.notify(all.join("  "), false);
        return vec![];
    }
    let (name, value) = match arg.split_once(['=', ' ']) {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (arg, None),
    };
    let (name, wanted) = if let Some(n) = name.strip_suffix('?') {
        let shown = format!("{n}={}", value_of(state, n));
        state.notify(shown, false);
        return vec![];
    } else if let Some(n) = name.strip_suffix('!') {
        (n, Wanted::Toggle)
    } else if let Some(n) = name.strip_prefix("no").filter(|n| SETTINGS.iter().any(|(s, _)| s == n)) {
        (n, Wanted::Bool(false))
    } else {
        match value {
            None => (name, Wanted::Bool(true)),
            Some("true" | "yes" | "on" | "1") => (name, Wanted::Bool(true)),
            Some("false" | "no" | "off" | "0") => (name, Wanted::Bool(false)),
            Some(v) => (name, Wanted::Text(v.to_string())),
        }
    };
    if !SETTINGS.iter().any(|(s, _)| *s == name) {
        let names: Vec<&str> = SETTINGS.iter().map(|(n, _)| *n).collect();
        state.notify(format!("no setting {name:?} (:set knows {})", names.join(", ")), true);
        return vec![];
    }
    if name == "sort" {
        let Wanted::Text(order) = wanted else {
            state.notify("usage: :set sort newest|oldest|feed|title|unread", true);
            return vec![];
        };
        let Some(sort) = SortOrder::from_name(&order) else {
            state.notify(
                format!("no order {order:?} (newest, oldest, feed, title, unread)"),
                true,
            );
            return vec![];
        };
        state.view.sort = sort;
        state.notify(format!("sort={order} until khabar quits"), false);
        return state.reload_view();
    }
    let now = value_of(state, name) == "true";
    let new = match wanted {
        Wanted::Bool(b) => b,
        Wanted::Toggle => !now,
        Wanted::Text(v) => {
            state.notify(format!("{name} is true or false, not {v:?}"), true);
            return vec![];
        }
    };
    state.notify(format!("{name}={new} until khabar quits"), false);
    if new == now {
        return vec![];
    }
    let mut view = state.view.clone();
    match name {
        "unread_only" => view.unread_only = new,
        "show_hidden" => view.show_hidden = new,
        "stories" => {
            view.stories = new;
            view.expanded = None;
        }
        "hide_read" => state.sidebar.hide_read = new,
        "open_marks_read" => state.open_marks_read = new,
        "read_together" => state.read_together = new,
        "confirm_quit" => state.confirm_quit = new,
        _ => state.confirm_mark_all = new,
    }
    if view == state.view {
        vec![]
    } else {
        state.open_view(view)
    }
}

enum Wanted {
    Bool(bool),
    Toggle,
    Text(String),
}

fn value_of(state: &AppState, name: &str) -> String {
    let b = match name {
        "unread_only" => state.view.unread_only,
        "show_hidden" => state.view.show_hidden,
        "stories" => state.view.stories,
        "hide_read" => state.sidebar.hide_read,
        "open_marks_read" => state.open_marks_read,
        "read_together" => state.read_together,
        "confirm_quit" => state.confirm_quit,
        "confirm_mark_all" => state.confirm_mark_all,
        "sort" => return state.view.sort.name().to_string(),
        _ => return "?".into(),
    };
    b.to_string()
}
