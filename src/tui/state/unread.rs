//! Next and previous unread: in the window, then in the cache beyond it, then on into the next
//! tag or feed with unread articles (sidebar order, wrapping once); "read and next" too.

use super::article::{mark_current_read, open_selected};
use super::headlines::{ensure_window, follow_selection};
use super::{AppState, Command, Focus, SidebarEntry, ViewKind};

/// A jump to an unread article that waits for the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seek {
    pub backward: bool,
    /// Show the article when found (the jump was made from the article pane, or read-and-next).
    pub open: bool,
    /// The view was just opened for this jump: look from its first (or last) row.
    pub fresh: bool,
}

/// `J` / `K`: the next (previous) unread article in the view's order.
pub(super) fn next_unread(state: &mut AppState, backward: bool, open: bool) -> Vec<Command> {
    let open = open || state.focus == Focus::Article || state.article.is_some();
    let h = &state.headlines;
    let found = if backward {
        (0..h.selected.min(h.rows.len())).rev().find(|&i| !h.rows[i].read)
    } else {
        (h.selected + 1..h.rows.len()).find(|&i| !h.rows[i].read)
    };
    if let Some(i) = found {
        return select(state, i, open);
    }
    seek_beyond(
        state,
        Seek {
            backward,
            open,
            fresh: false,
        },
    )
}

/// `x`: marks the current article read (undoably) and goes to the next unread one, shown.
pub(super) fn read_and_next(state: &mut AppState) -> Vec<Command> {
    let mut cmds = mark_current_read(state, "marked read");
    cmds.extend(next_unread(state, false, true));
    cmds
}

/// Selects row `i` (and shows it when asked): the jump ends here.
fn select(state: &mut AppState, i: usize, open: bool) -> Vec<Command> {
    state.seek = None;
    state.headlines.selected = i;
    let mut cmds = ensure_window(state);
    if open {
        state.focus = Focus::Headlines;
        cmds.extend(open_selected(state));
    } else {
        cmds.extend(follow_selection(state));
    }
    cmds
}

/// Nothing unread in the window that way: ask the cache past its edge, or move on.
fn seek_beyond(state: &mut AppState, seek: Seek) -> Vec<Command> {
    let h = &state.headlines;
    let edge = if seek.backward {
        (!h.at_top).then(|| h.rows.first().map(|a| a.id)).flatten()
    } else {
        (!h.at_bottom).then(|| h.rows.last().map(|a| a.id)).flatten()
    };
    match edge {
        Some(after) if state.view.search().is_none() => {
            state.seek = Some(Seek { fresh: false, ..seek });
            state.headlines.generation += 1;
            state.headlines.loading = true;
            vec![Command::FindUnread {
                generation: state.headlines.generation,
                view: state.view.clone(),
                after,
                backward: seek.backward,
            }]
        }
        _ => next_view(state, seek),
    }
}

/// The view is exhausted: open the next tag or feed (in sidebar order) that has unread articles.
fn next_view(state: &mut AppState, seek: Seek) -> Vec<Command> {
    state.seek = None;
    let candidates: Vec<ViewKind> = state
        .tags
        .iter()
        .cloned()
        .map(ViewKind::Tag)
        .chain(state.feeds.iter().map(|f| ViewKind::Feed {
            id: f.id,
            url: f.url.clone(),
        }))
        .collect();
    let unread = |kind: &ViewKind| -> u64 {
        match kind {
            ViewKind::Tag(t) => state.feeds.iter().filter(|f| f.has_label(t)).map(|f| f.unread).sum(),
            ViewKind::Feed { id, .. } => state.feed(*id).map_or(0, |f| f.unread),
            _ => 0,
        }
    };
    let n = candidates.len();
    let here = candidates.iter().position(|k| *k == state.view.kind);
    // From the current entry onwards (backwards), wrapping once; the current view is last.
    let order: Vec<usize> = (1..=n)
        .map(|step| match (here, seek.backward) {
            (Some(i), false) => (i + step) % n,
            (Some(i), true) => (i + n * 2 - step) % n,
            (None, false) => step - 1,
            (None, true) => n - step,
        })
        .collect();
    let Some(next) = order
        .into_iter()
        .map(|i| &candidates[i])
        .find(|k| **k != state.view.kind && unread(k) > 0)
        .cloned()
    else {
        state.notify("no unread articles left", false);
        return vec![];
    };
    let in_sidebar = |e: &SidebarEntry| match (e, &next) {
        (SidebarEntry::Tag(t), ViewKind::Tag(u)) => t == u,
        (SidebarEntry::Feed { id, .. }, ViewKind::Feed { id: shown, .. }) => id == shown,
        _ => false,
    };
    if let Some(i) = state.sidebar_entries().iter().position(in_sidebar) {
        state.sidebar_selected = i;
    }
    state.notify(format!("next unread in {}", sidebar_name(state, &next)), false);
    let view = state.view_of(next);
    let mut cmds = state.open_view(view);
    state.seek = Some(Seek { fresh: true, ..seek });
    if seek.backward {
        // From the bottom: the last page replaces the first one asked for.
        cmds = state.replace_rows(super::LoadKind::Last, false);
    }
    cmds
}

fn sidebar_name(state: &AppState, kind: &ViewKind) -> String {
    match kind {
        ViewKind::Tag(t) => format!("tag {t}"),
        ViewKind::Feed { id, url } => state.feed(*id).map_or(url.clone(), |f| f.display_title().to_string()),
        _ => String::new(),
    }
}

/// A page arrived while a jump waits: finish it in these rows, or look further.
pub(super) fn on_page(state: &mut AppState, target: Option<crate::model::ArticleId>) -> Vec<Command> {
    let Some(seek) = state.seek else {
        return vec![];
    };
    let h = &state.headlines;
    let found = match target {
        Some(id) => h.rows.iter().position(|a| a.id == id),
        None if seek.backward => (0..h.rows.len()).rev().find(|&i| !h.rows[i].read),
        None => (0..h.rows.len()).find(|&i| !h.rows[i].read),
    };
    match found {
        Some(i) => select(state, i, seek.open),
        // Counts said there were unread articles, but none were here: the counts were stale.
        None if seek.fresh && state.headlines.at_top && state.headlines.at_bottom => {
            state.seek = None;
            state.notify("no unread articles left", false);
            vec![]
        }
        None => seek_beyond(state, Seek { fresh: false, ..seek }),
    }
}

/// The cache found nothing unread past the window: move on to the next view.
pub(super) fn on_none_beyond(state: &mut AppState, generation: u64) -> Vec<Command> {
    if generation != state.headlines.generation {
        return vec![];
    }
    state.headlines.loading = false;
    match state.seek {
        Some(seek) => next_view(state, seek),
        None => vec![],
    }
}
