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

/// What one filter changed when applied to the cache: a flag, or a tag given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterChange {
    Flags(Change),
    Tagged { tag: String, ids: Vec<ArticleId> },
}

impl FilterChange {
    fn len(&self) -> usize {
        match self {
            FilterChange::Flags(c) => c.ids.len(),
            FilterChange::Tagged { ids, .. } => ids.len(),
        }
    }
}

/// One undoable step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Flags(Change),
    /// `:filter apply`: every filter's changes, undone and redone together.
    Filters(Vec<FilterChange>),
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
            state.select_feed = Some(removed.url.clone());
            vec![Command::RestoreFeed(removed.clone())]
        }
        Step::Filters(changes) => {
            state.notify(format!("undone: applying filters ({})", filter_total(changes)), false);
            apply_filter_changes(state, changes, false)
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
        Step::Filters(changes) => {
            state.notify(format!("redone: applying filters ({})", filter_total(changes)), false);
            apply_filter_changes(state, changes, true)
        }
    };
    state.history.done.push(step);
    cmds
}

/// "3 changes": what `:filter apply` did, in the status bar.
pub(super) fn filter_total(changes: &[FilterChange]) -> String {
    match changes.iter().map(FilterChange::len).sum::<usize>() {
        1 => "1 change".into(),
        n => format!("{n} changes"),
    }
}

/// Puts `:filter apply`'s changes back (`done` false) or makes them again; then the view and
/// the counts are read again (hidden articles leave or come back).
fn apply_filter_changes(state: &mut AppState, changes: &[FilterChange], done: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    for change in changes {
        match change {
            FilterChange::Flags(c) => cmds.push(Command::SetFlags {
                flag: c.flag,
                ids: c.ids.clone(),
                value: if done { c.value } else { !c.value },
            }),
            FilterChange::Tagged { tag, ids } => cmds.push(Command::SetArticleTag {
                tag: tag.clone(),
                ids: ids.clone(),
                value: done,
            }),
        }
    }
    cmds.push(Command::LoadFeeds);
    cmds.extend(state.reload_view());
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
    for a in state.headlines.rows.iter_mut().filter(|a| ids.contains(&a.id)) {
        a.set_flag(change.flag, value);
    }
    if let Some(p) = state.article.as_mut().filter(|p| ids.contains(&p.article.summary.id)) {
        p.article.summary.set_flag(change.flag, value);
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
