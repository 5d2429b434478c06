//! The mouse: a click selects in the pane it lands in (a second click on a headline opens it),
//! the wheel scrolls the pane under the pointer without moving the focus.

use ratatui::layout::Rect;

use super::super::layout;
use super::article::scroll_article;
use super::headlines::{move_by, select_row};
use super::sidebar::activate_sidebar;
use super::{AppState, Command, Focus};

pub(super) fn on_click(state: &mut AppState, col: u16, row: u16) -> Vec<Command> {
    let panes = layout::panes(state.shape());
    let inside = |r: Option<Rect>| r.filter(|r| r.contains((col, row).into()));
    if let Some(r) = inside(panes.sidebar) {
        state.focus = Focus::Sidebar;
        let line = (row.saturating_sub(r.y + 1)) as usize;
        if line < state.sidebar_entries().len() {
            state.sidebar_selected = line;
            return activate_sidebar(state);
        }
    } else if let Some(r) = inside(panes.headlines) {
        state.focus = Focus::Headlines;
        let idx = state.headlines.scroll + (row.saturating_sub(r.y + 1)) as usize;
        if idx < state.headlines.rows.len() {
            return select_row(state, idx);
        }
    } else if inside(panes.article).is_some() {
        state.focus = Focus::Article;
    }
    vec![]
}

pub(super) fn on_wheel(state: &mut AppState, col: u16, row: u16, down: bool) -> Vec<Command> {
    let panes = layout::panes(state.shape());
    let delta = if down { 3 } else { -3 };
    let hit = |r: Option<Rect>| r.is_some_and(|r| r.contains((col, row).into()));
    if hit(panes.article) {
        scroll_article(state, delta);
        vec![]
    } else if hit(panes.headlines) {
        let focus = state.focus;
        state.focus = Focus::Headlines;
        let cmds = move_by(state, delta);
        state.focus = focus;
        cmds
    } else {
        vec![]
    }
}
