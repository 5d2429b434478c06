//! Refreshes as the reader sees them: starting one (never two at once), counting its progress
//! from the poller's events, and what to reload when it ends.

use crate::model::FeedId;
use crate::poller::PollEvent;
use crate::sync::AccountReport;

use super::{AppState, Command};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub new: usize,
    pub failed: usize,
}

pub(super) fn start_refresh(state: &mut AppState, feed: Option<FeedId>) -> Vec<Command> {
    if state.progress.is_some() {
        state.notify("a refresh is already running", true);
        return vec![];
    }
    state.progress = Some(Progress::default());
    vec![Command::Refresh(feed)]
}

pub(super) fn on_poll(state: &mut AppState, ev: PollEvent) -> Vec<Command> {
    // After the refresh's end: nothing to show (a search made meanwhile indexed what it needed).
    match ev {
        // A search shows what arrived once it is in the index (its words are looked up there).
        PollEvent::Indexed { articles, .. } => {
            return if articles > 0 && state.view.search().is_some() {
                state.reload_view()
            } else {
                vec![]
            };
        }
        // New stories fold articles already on screen into their leads.
        PollEvent::Grouped { grouped, .. } => {
            if grouped == 0 {
                return vec![];
            }
            let mut cmds = vec![Command::LoadFeeds];
            if state.view.search().is_none() {
                cmds.extend(state.reload_view());
            }
            return cmds;
        }
        _ => {}
    }
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
            let hidden = if s.hidden_articles > 0 {
                format!(" ({} hidden by filters)", s.hidden_articles)
            } else {
                String::new()
            };
            state.notify(
                format!(
                    "refreshed {}: {} new{hidden}{failed}",
                    crate::text::plural(s.feeds as u64, "feed", "feeds"),
                    s.new_articles
                ),
                s.failed > 0,
            );
            let mut cmds = vec![Command::LoadFeeds];
            if s.new_articles > 0 && state.view.search().is_none() {
                cmds.extend(state.reload_view());
            }
            return cmds;
        }
        PollEvent::Indexed { .. } | PollEvent::Grouped { .. } => {}
    }
    vec![]
}

/// Changes went to an account's server between syncs: said briefly under the account's name,
/// or, when the server did not take them, why and how many wait (they go with the next try).
pub(super) fn on_pushed(state: &mut AppState, report: &AccountReport) -> Vec<Command> {
    let plural = |n: usize| if n == 1 { "change" } else { "changes" };
    match &report.error {
        None => state.notify(
            format!("{}: {} {} sent", report.account, report.pushed, plural(report.pushed)),
            false,
        ),
        Some(e) => state.notify(
            format!(
                "{}: sending failed: {e}; {} {} waiting to be sent",
                report.account,
                report.pending,
                plural(report.pending)
            ),
            true,
        ),
    }
    vec![]
}

/// A sync ended: one line for all accounts in the status bar, each under its own name (a
/// failure first, as an error), then the feed list and the view read again when it changed
/// anything.
pub(super) fn on_synced(state: &mut AppState, reports: Vec<AccountReport>) -> Vec<Command> {
    state.syncing = false;
    let changed: usize = reports.iter().map(|r| r.new + r.pulled).sum();
    let waiting = |r: &AccountReport| {
        if r.pending > 0 {
            format!(", {} waiting to be sent", r.pending)
        } else {
            String::new()
        }
    };
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| {
            Some(format!(
                "{} sync failed: {}{}",
                r.account,
                r.error.as_deref()?,
                waiting(r)
            ))
        })
        .collect();
    let synced = reports.iter().filter(|r| r.error.is_none()).map(|r| {
        format!(
            "{} synced: {} new, {} changed by the server, {} sent{}",
            r.account,
            r.new,
            r.pulled,
            r.pushed,
            waiting(r)
        )
    });
    let text = failed.iter().cloned().chain(synced).collect::<Vec<_>>().join("; ");
    state.notify(text, !failed.is_empty());
    let mut cmds = vec![Command::LoadFeeds];
    if changed > 0 && state.view.search().is_none() {
        cmds.extend(state.reload_view());
    }
    cmds
}
