//! The headline list: a sliding window of at most `WINDOW` rows over the view, paged from the
//! cache with keyset cursors in both directions, and the selection and scroll inside it.

use crate::model::{ArticleId, ArticleSummary};

use super::article::{open_selected, scroll_article};
use super::sidebar::{activate_sidebar, move_sidebar};
use super::unread;
use super::{AppState, Command, Focus};

/// Rows fetched per query, and the most rows held at once (a sliding window over the view).
pub const PAGE: usize = 200;
pub const WINDOW: usize = 3 * PAGE;

/// Which page a load asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    First,
    Last,
    After(ArticleId),
    Before(ArticleId),
    /// A page starting at this article (one found beyond the window: next unread).
    At(ArticleId),
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

impl AppState {
    /// Reloads the view from the top, keeping the selected article selected when it is there.
    /// The old rows stay on screen until the new page arrives.
    pub(super) fn reload_view(&mut self) -> Vec<Command> {
        self.headlines.reselect = self.headlines.current().map(|a| a.id);
        self.replace_rows(LoadKind::First, true)
    }

    /// Reloads the view where the reader is (the selected article stays selected and in view),
    /// for changes made elsewhere: flags and counts may differ, the position should not.
    pub(super) fn reload_in_place(&mut self) -> Vec<Command> {
        match self.headlines.current().map(|a| a.id) {
            Some(id) if self.headlines.first_index > 0 => self.replace_rows(LoadKind::At(id), true),
            _ => self.reload_view(),
        }
    }

    /// Asks for a page that will replace the rows; replies to earlier requests are dropped.
    pub(super) fn replace_rows(&mut self, kind: LoadKind, count: bool) -> Vec<Command> {
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

/// Moves by `delta` in the focused pane: the sidebar entry, the headline, or the article's lines.
pub(super) fn move_by(state: &mut AppState, delta: isize) -> Vec<Command> {
    match state.focus {
        Focus::Sidebar => move_sidebar(state, delta),
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
pub(super) fn follow_selection(state: &mut AppState) -> Vec<Command> {
    clamp_scroll(state);
    let current = state.headlines.current().map(|a| a.id);
    match (&state.article, current) {
        (Some(p), Some(id)) if p.article.summary.id != id => vec![Command::LoadArticle(id)],
        _ => vec![],
    }
}

pub(super) fn go_top(state: &mut AppState) -> Vec<Command> {
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
            follow_selection(state)
        }
        Focus::Headlines => state.open_view(state.view.clone()),
    }
}

pub(super) fn go_bottom(state: &mut AppState) -> Vec<Command> {
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
pub(super) fn ensure_window(state: &mut AppState) -> Vec<Command> {
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

/// A page arrived: it replaces the rows or extends the window at one end, which then drops
/// rows at the other end beyond `WINDOW`.
pub(super) fn on_page(
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
    // New rows in place of the window: a visual selection's anchor no longer means anything.
    if matches!(kind, LoadKind::First | LoadKind::Last | LoadKind::At(_)) {
        state.visual = None;
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
        LoadKind::At(_) => {
            h.first_index = first_index.unwrap_or(0);
            h.at_top = h.first_index == 0;
            h.at_bottom = !full;
            h.rows = rows;
            h.selected = 0;
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
                state.visual = state.visual.map(|v| v.saturating_sub(drop));
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
            state.visual = state.visual.map(|v| v + added);
            if h.rows.len() > WINDOW {
                h.rows.truncate(WINDOW);
                h.at_bottom = false;
            }
        }
    }
    if state.seek.is_some() {
        let target = match kind {
            LoadKind::At(id) => Some(id),
            _ => None,
        };
        return unread::on_page(state, target);
    }
    let mut cmds = ensure_window(state);
    cmds.extend(follow_selection(state));
    cmds
}

/// Selects row `idx` of the window (a click): a click on the selected row opens it.
pub(super) fn select_row(state: &mut AppState, idx: usize) -> Vec<Command> {
    let was = state.headlines.selected;
    state.headlines.selected = idx;
    let mut cmds = ensure_window(state);
    if was == idx {
        cmds.extend(open_selected(state));
    } else {
        cmds.extend(follow_selection(state));
    }
    cmds
}

/// Keeps the selection visible in the headline list.
pub(super) fn clamp_scroll(state: &mut AppState) {
    let page = state.headline_page();
    let h = &mut state.headlines;
    if h.selected < h.scroll {
        h.scroll = h.selected;
    } else if h.selected >= h.scroll + page {
        h.scroll = h.selected + 1 - page;
    }
    scroll_article(state, 0);
}
