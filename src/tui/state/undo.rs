//! Undo and redo of what the reader changed: each step holds the exact articles a key changed
//! (so undoing a mark-all touches those and nothing since), or the feed it removed.

use std::collections::HashSet;

use crate::config::RemovedFeed;
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

/// One undoable step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Flags(Change),
    /// A feed removed from the config, with its table to put back.
    FeedRemoved(RemovedFeed),
}

#[derive(Debug, Clone, Default)]
pub struct History {
    done: Vec<Step>,
    undone: Vec<Step>,
}

impl History {
    /// Remembers a change just made; a new change forgets what was undone.
    pub fn record(&mut self, change: Change) {
        if !change.ids.is_empty() {
            self.record_step(Step::Flags(change));
        }
    }

    pub fn record_step(&mut self, step: Step) {
        self.done.push(step);
        if self.done.len() > UNDO_STEPS {
            self.done.remove(0);
        }
        self.undone.clear();
    }
}

pub(super) fn undo(state: &mut AppState) -> Vec<Command> {
    let Some(step) = state.history.done.pop() else {
        state.notify("nothing to undo", true);
        return vec![];
    };
    let cmds = match &step {
        Step::Flags(change) => {
            let cmds = apply(state, change, !change.value);
            state.notify(format!("undone: {} ({})", change.what, plural(change.ids.len())), false);
            cmds
        }
        Step::FeedRemoved(removed) => {
            state.notify(format!("undone: removing {}", removed.url), false);
            vec![Command::RestoreFeed(removed.clone())]
        }
    };
    state.history.undone.push(step);
    cmds
}

pub(super) fn redo(state: &mut AppState) -> Vec<Command> {
    let Some(step) = state.history.undone.pop() else {
        state.notify("nothing to redo", true);
        return vec![];
    };
    let cmds = match &step {
        Step::Flags(change) => {
            let cmds = apply(state, change, change.value);
            state.notify(format!("redone: {} ({})", change.what, plural(change.ids.len())), false);
            cmds
        }
        Step::FeedRemoved(removed) => {
            state.notify(format!("redone: removing {}", removed.url), false);
            vec![Command::RemoveFeed {
                url: removed.url.clone(),
                record: false,
            }]
        }
    };
    state.history.done.push(step);
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
