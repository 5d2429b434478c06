//! The help overlays: every action with the keys bound to it, read from the live keymap, so a
//! remapped key shows as it is; and the query language's summary (`?` in the search prompt).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::theme::{Element, Theme};
use super::{inner, pane_block};
use crate::text::width;
use crate::tui::action::Action;
use crate::tui::state::AppState;

/// The help text: one line per action, "keys  description".
pub fn lines(state: &AppState) -> Vec<(String, &'static str)> {
    Action::ALL
        .iter()
        .map(|a| {
            let keys = state.keymap.keys_for(*a);
            let keys = if keys.is_empty() {
                "(unbound)".to_string()
            } else {
                keys.join(", ")
            };
            (keys, a.description())
        })
        .collect()
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme, scroll: usize) {
    let entries = lines(state);
    let h = area.height.saturating_sub(2).max(1);
    let title = " Keys (any other key closes) ";
    draw_columns(frame, area, theme, title, h, &entries, scroll);
}

/// The query language on one screen (`crate::query::SUMMARY`).
pub fn draw_queries(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let entries: Vec<(String, &str)> = crate::query::SUMMARY
        .iter()
        .map(|(syntax, meaning)| (syntax.to_string(), *meaning))
        .collect();
    let h = (entries.len() as u16 + 3).min(area.height.saturating_sub(2)).max(1);
    let title = " Queries (docs/queries.md; any key goes back) ";
    draw_columns(frame, area, theme, title, h, &entries, 0);
}

/// A centred popup `h` rows high listing (left, right) pairs in two columns, from `scroll`.
fn draw_columns(
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    title: &str,
    h: u16,
    entries: &[(String, &str)],
    scroll: usize,
) {
    let w = area.width.saturating_sub(4).clamp(1, 76);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, popup);
    frame.render_widget(pane_block(title.to_string(), true, theme), popup);
    let body = inner(popup);
    let left_cols = entries
        .iter()
        .map(|(k, _)| width::width(k))
        .max()
        .unwrap_or(0)
        .min(body.width as usize / 2);
    let right_cols = (body.width as usize).saturating_sub(left_cols + 2);
    let text: Vec<Line> = entries
        .iter()
        .skip(scroll.min(entries.len().saturating_sub(1)))
        .map(|(left, right)| {
            Line::from(vec![
                Span::styled(width::fit(left, left_cols), theme.style(Element::Title)),
                Span::raw("  "),
                Span::raw(width::truncate(right, right_cols)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(text), body);
}
