//! Keys in: counts ("5j"), multi-key sequences ("g g") resolved through the keymap, the help
//! overlay's keys, and the text prompts (search `/` and the command line `:`).

use super::super::action::Action;
use super::super::keymap::{Code, Key, Resolution};
use super::actions::mark_view_read;
use super::refresh::start_refresh;
use super::{perform, AppState, Command, Focus, SidebarEntry, ViewKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Search,
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help {
        scroll: usize,
    },
    Input {
        kind: InputKind,
        text: String,
    },
    /// The query language's summary, over the search prompt (`?` on an empty `/`).
    QueryHelp,
    /// Letters over the article's links (`F`): what has been typed of one, and whether it
    /// is to be copied (typed in capitals).
    Hints {
        typed: String,
        copy: bool,
    },
    /// A list to choose from (the article's links, the share targets).
    Pick(super::links::Pick),
    /// The last message in full (`g m`).
    Message {
        scroll: usize,
    },
    /// A question on the status line; `y` does it, any other key cancels.
    Confirm {
        question: String,
        then: Confirmed,
    },
}

/// What a confirmed question does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    MarkViewRead,
    Quit,
    /// Remove this feed (its configured URL) from the config.
    RemoveFeed(String),
}

pub(super) fn on_key(state: &mut AppState, key: Key) -> Vec<Command> {
    state.startup_hint = None;
    if let Mode::Input { kind, text } = &mut state.mode {
        match key.code {
            Code::Esc => {
                state.mode = Mode::Normal;
                state.prompts.reset();
            }
            Code::Enter => {
                let (kind, text) = (*kind, text.trim().to_string());
                state.mode = Mode::Normal;
                if text.is_empty() {
                    state.prompts.reset();
                    return vec![];
                }
                let remember = super::prompt::remember(state, kind, &text);
                let mut cmds = submit_input(state, kind, &text);
                cmds.push(remember);
                return cmds;
            }
            Code::Up => super::prompt::browse(state, true),
            Code::Down => super::prompt::browse(state, false),
            Code::Tab => super::prompt::complete(state),
            // Backspace on an empty line leaves it, as in vim.
            Code::Backspace if text.pop().is_none() => state.mode = Mode::Normal,
            Code::Backspace => {}
            Code::Char('?') if *kind == InputKind::Search && text.is_empty() => state.mode = Mode::QueryHelp,
            Code::Char(c) if !key.ctrl && !key.alt => text.push(c),
            _ => {}
        }
        return vec![];
    }
    if let Mode::Confirm { then, .. } = &state.mode {
        let then = then.clone();
        state.mode = Mode::Normal;
        if key == Key::ch('y') {
            return match then {
                Confirmed::MarkViewRead => mark_view_read(state),
                Confirmed::Quit => {
                    state.quit = true;
                    vec![]
                }
                Confirmed::RemoveFeed(url) => vec![Command::RemoveFeed { url, record: true }],
            };
        }
        state.notify("cancelled", false);
        return vec![];
    }
    match &mut state.mode {
        Mode::Hints { .. } => return super::links::on_hint_key(state, key),
        Mode::Pick(_) => return super::links::on_pick_key(state, key),
        Mode::Message { scroll } => {
            match key.code {
                Code::Char('j') | Code::Down => *scroll += 1,
                Code::Char('k') | Code::Up => *scroll = scroll.saturating_sub(1),
                _ => state.mode = Mode::Normal,
            }
            return vec![];
        }
        _ => {}
    }
    if state.mode == Mode::QueryHelp {
        // Any key goes back to the prompt the summary was opened from.
        state.mode = Mode::Input {
            kind: InputKind::Search,
            text: String::new(),
        };
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
            // A key press ends a jump still waiting for the cache (a new jump starts its own).
            state.seek = None;
            let count = state.count.take();
            // A new key press replaces an old notice.
            if !matches!(action, Action::Cancel) {
                state.notice = None;
            }
            perform(state, action, count)
        }
    }
}

/// Opens a prompt of `kind` on the status line.
pub(super) fn prompt(state: &mut AppState, kind: InputKind) -> Vec<Command> {
    state.prompts.reset();
    state.mode = Mode::Input {
        kind,
        text: String::new(),
    };
    vec![]
}

fn submit_input(state: &mut AppState, kind: InputKind, text: &str) -> Vec<Command> {
    if text.is_empty() {
        return vec![];
    }
    match kind {
        InputKind::Search => match crate::query::parse(text) {
            Ok(query) => {
                // The mistake of an earlier try is fixed: its message goes with it.
                if state
                    .notice
                    .as_ref()
                    .is_some_and(|n| n.error && n.text.starts_with("query: "))
                {
                    state.notice = None;
                }
                state.open_kind(ViewKind::Search(query))
            }
            // The prompt stays, with what was typed, so the mistake can be fixed.
            Err(e) => {
                state.mode = Mode::Input {
                    kind,
                    text: text.to_string(),
                };
                state.notify(format!("query: {e}"), true);
                vec![]
            }
        },
        InputKind::Command => run_command_line(state, text),
    }
}

/// `:q`, `:refresh`, `:tag NAME`, `:feed URL`, `:query NAME`, `:add URL [TAG…]`, `:rename TITLE`,
/// `:remove`, `:move [OLD] NEW`, `:save NAME`, `:save-article PATH`, `:set …`, `:filter apply`.
fn run_command_line(state: &mut AppState, text: &str) -> Vec<Command> {
    let (cmd, arg) = text.split_once(' ').map_or((text, ""), |(c, a)| (c, a.trim()));
    match cmd {
        "q" | "quit" => {
            state.quit = true;
            vec![]
        }
        "set" => super::prompt::set(state, arg),
        "query" => match state.queries.iter().find(|q| q.name == arg) {
            Some(saved) => {
                let kind = ViewKind::Query {
                    name: saved.name.clone(),
                    query: saved.query.clone(),
                };
                state.open_kind(kind)
            }
            None => {
                let names: Vec<&str> = state.queries.iter().map(|q| q.name.as_str()).collect();
                state.notify(format!("no saved query {arg:?} (saved: {})", names.join(", ")), true);
                vec![]
            }
        },
        "save-article" => super::article::save_article(state, arg),
        "refresh" => start_refresh(state, None),
        "add" if !arg.is_empty() => {
            let mut words = arg.split_whitespace().map(str::to_string);
            let url = words.next().unwrap_or_default();
            state.notify(format!("checking {url}…"), false);
            vec![Command::AddFeed {
                url,
                tags: words.collect(),
            }]
        }
        "add" => {
            state.notify("usage: :add URL [TAG…] (a web page's URL finds its feed)", true);
            vec![]
        }
        "rename" => match chosen_feed(state) {
            Some(url) => vec![Command::RenameFeed {
                url,
                title: Some(arg.to_string()).filter(|t| !t.is_empty()),
            }],
            None => {
                state.notify("select a feed to rename (in the sidebar, or one of its articles)", true);
                vec![]
            }
        },
        "remove" => confirm_remove_feed(state),
        "move" => {
            let words: Vec<&str> = arg.split_whitespace().collect();
            let (from, to) = match (words.as_slice(), chosen_feed(state)) {
                ([from, to], _) => (from.to_string(), to.to_string()),
                ([to], Some(from)) => (from, to.to_string()),
                _ => {
                    state.notify(
                        "usage: :move NEW_URL (the selected feed) or :move OLD_URL NEW_URL: its articles and read state go with it",
                        true,
                    );
                    return vec![];
                }
            };
            state.notify(format!("moving {from} to {to}…"), false);
            vec![Command::MoveFeed { from, to }]
        }
        "save" => super::queries::save_search(state, arg),
        "pipe" if !arg.is_empty() => {
            super::article::pipe(state, Some(arg.split_whitespace().map(str::to_string).collect()))
        }
        "pipe" => super::article::pipe(state, None),
        "filter" if arg == "apply" => {
            state.notify("applying your filters to the cache…", false);
            vec![Command::ApplyFilters]
        }
        "filter" => {
            state.notify(
                "usage: :filter apply (your [[filter]]s on the articles already here; U undoes; khabar filter --dry-run shows what they match)",
                true,
            );
            vec![]
        }
        "tag" if state.all_tags().iter().any(|t| *t == arg) => state.open_kind(ViewKind::Tag(arg.to_string())),
        "tag" => {
            let tags: Vec<&str> = state.all_tags().into_iter().map(String::as_str).collect();
            state.notify(format!("no tag {arg:?} (tags: {})", tags.join(", ")), true);
            vec![]
        }
        "feed" => match state.feeds.iter().find(|f| f.url == arg) {
            Some(f) => {
                let kind = ViewKind::Feed {
                    id: f.id,
                    url: f.url.clone(),
                };
                state.open_kind(kind)
            }
            None => {
                state.notify(format!("no configured feed {arg:?}"), true);
                vec![]
            }
        },
        other => {
            state.notify(
                format!("unknown command :{other} (Tab lists them: :tag NAME, :feed URL, :query NAME, :add URL, :rename TITLE, :remove, :move [OLD] NEW, :save NAME, :save-article PATH, :set NAME, :filter apply, :refresh, :q)"),
                true,
            );
            vec![]
        }
    }
}

/// The feed an action on "the selected feed" means: the sidebar's feed under the cursor, else
/// the current article's feed. Its configured URL.
pub(super) fn chosen_feed(state: &AppState) -> Option<String> {
    let id = match (state.focus, state.selected_entry()) {
        (Focus::Sidebar, Some(SidebarEntry::Feed { id, .. })) => id,
        _ => state.headlines.current()?.feed_id,
    };
    state.feed(id).map(|f| f.url.clone())
}

/// `D` / `:remove`: asks before removing the selected feed from the config.
pub(super) fn confirm_remove_feed(state: &mut AppState) -> Vec<Command> {
    let Some(url) = chosen_feed(state) else {
        state.notify("select a feed to remove (in the sidebar, or one of its articles)", true);
        return vec![];
    };
    let name = state
        .feeds
        .iter()
        .find(|f| f.url == url)
        .map_or(url.clone(), |f| f.display_title().to_string());
    state.mode = Mode::Confirm {
        question: format!("remove {name} from your config? its articles stay in the cache (y/n)"),
        then: Confirmed::RemoveFeed(url),
    };
    vec![]
}
