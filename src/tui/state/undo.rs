//! Undo and redo of what the reader changed: each step holds the exact articles a key changed,
//! so undoing a mark-all touches those and nothing that arrived or was read since.

use std::collections::HashSet;

use crate::model::{ArticleId, Flag};

use super::{AppState, Command};

/// Steps kept per session (the oldest are forgotten first).
pub const UNDO_STEPS: usize = 200;

/// One change to the cache, as made: `flag` set to `value` on exactly `ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub flag: Flag,
    pub ids: Vec<ArticleId>,
    pub value: bool,
    /// What the user did, for the status bar ("marked All read").
    pub what: String,
}

#[derive(Debug, Clone, Default)]
pub struct History {
    done: Vec<Change>,
    undone: Vec<Change>,
}

impl History {
    /// Remembers a change just made; a new change forgets what was undone.
    pub fn record(&mut self, change: Change) {
        if change.ids.is_empty() {
            return;
        }
        self.done.push(change);
        if self.done.len() > UNDO_STEPS {
            self.done.remove(0);
        }
        self.undone.clear();
    }
}

pub(super) fn undo(state: &mut AppState) -> Vec<Command> {
    let Some(change) = state.history.done.pop() else {
        state.notify("nothing to undo", true);
        return vec![];
    };
    let cmds = apply(state, &change, !change.value);
    state.notify(format!("undone: {} ({})", change.what, plural(change.ids.len())), false);
    state.history.undone.push(change);
    cmds
}

pub(super) fn redo(state: &mut AppState) -> Vec<Command> {
    let Some(change) = state.history.undone.pop() else {
        state.notify("nothing to redo", true);
        return vec![];
    };
    let cmds = apply(state, &change, change.value);
    state.notify(format!("redone: {} ({})", change.what, plural(change.ids.len())), false);
    state.history.done.push(change);
    cmds
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 article".into()
    } else {
        format!("{n} articles")
    }
}

/// Sets `flag` to `value` on the change's articles: on screen now, in the cache by command.
fn apply(state: &mut AppState, change: &Change, value: bool) -> Vec<Command> {
    let ids: HashSet<ArticleId> = change.ids.iter().copied().collect();
    let set = |read: &mut bool, starred: &mut bool| match change.flag {
        Flag::Read => *read = value,
        Flag::Starred => *starred = value,
    };
    for a in state.headlines.rows.iter_mut().filter(|a| ids.contains(&a.id)) {
        set(&mut a.read, &mut a.starred);
    }
    if let Some(p) = state.article.as_mut().filter(|p| ids.contains(&p.article.summary.id)) {
        let s = &mut p.article.summary;
        set(&mut s.read, &mut s.starred);
    }
    vec![
        Command::SetFlags {
            flag: change.flag,
            ids: change.ids.clone(),
            value,
        },
        Command::LoadFeeds,
    ]
}
