//! Visual selection in the headline list: `v` anchors it, movement extends it, and read, star
//! or open act on every article in it at once (one undo step); `v` again or Esc ends it.

use crate::model::{ArticleId, Flag};

use super::article::is_web_url;
use super::undo::Change;
use super::{AppState, Command, Focus};

/// Most links opened at once from a selection.
pub const MAX_OPEN: usize = 20;

impl AppState {
    /// The rows of the window in the visual selection, if one is active.
    pub fn visual_range(&self) -> Option<std::ops::RangeInclusive<usize>> {
        let anchor = self.visual?;
        let sel = self.headlines.selected;
        Some(anchor.min(sel)..=anchor.max(sel))
    }
}

pub(super) fn toggle(state: &mut AppState) -> Vec<Command> {
    if state.visual.take().is_some() {
        state.notify("selection ended", false);
    } else if !state.headlines.rows.is_empty() {
        state.focus = Focus::Headlines;
        state.visual = Some(state.headlines.selected);
        state.notify(
            "selecting: move to extend; m, s or o act on every selected article",
            false,
        );
    }
    vec![]
}

/// m / s on the selection: all read (starred) unless all already are, then all unread.
pub(super) fn set_flag(state: &mut AppState, flag: Flag) -> Vec<Command> {
    let Some(range) = state.visual_range() else {
        return vec![];
    };
    state.visual = None;
    let get = |a: &crate::model::ArticleSummary| a.flag(flag);
    let rows = &state.headlines.rows[range];
    let value = !rows.iter().all(get);
    let ids: Vec<ArticleId> = rows.iter().filter(|a| get(a) != value).map(|a| a.id).collect();
    for a in state.headlines.rows.iter_mut().filter(|a| ids.contains(&a.id)) {
        a.set_flag(flag, value);
    }
    let what = match (flag, value) {
        (Flag::Read, true) => "marked read",
        (Flag::Read, false) => "marked unread",
        (Flag::Starred, true) => "starred",
        (Flag::Starred, false) => "unstarred",
        (Flag::Hidden, true) => "hidden",
        (Flag::Hidden, false) => "shown",
    };
    state.notify(format!("{what}: {} articles", ids.len()), false);
    state.history.record(Change {
        flag,
        ids: ids.clone(),
        value,
        what: what.into(),
    });
    if ids.is_empty() {
        return vec![];
    }
    vec![Command::SetFlags { flag, ids, value }, Command::LoadFeeds]
}

/// o on the selection: every selected article's link in the browser (http and https only).
pub(super) fn open(state: &mut AppState) -> Vec<Command> {
    let Some(range) = state.visual_range() else {
        return vec![];
    };
    state.visual = None;
    let links: Vec<crate::model::OpenTarget> = state.headlines.rows[range]
        .iter()
        .filter_map(|a| {
            let url = a.link.clone().filter(|l| is_web_url(l))?;
            Some(crate::model::OpenTarget {
                url,
                kind: crate::model::LinkKind::Link,
                mime: None,
                title: a.shown_title().to_string(),
                feed: a.feed_title.clone(),
            })
        })
        .collect();
    if links.len() > MAX_OPEN {
        state.notify(
            format!("{} links selected: at most {MAX_OPEN} are opened at once", links.len()),
            true,
        );
        return vec![];
    }
    state.notify(format!("opening {} links", links.len()), false);
    links.into_iter().map(Command::Open).collect()
}
