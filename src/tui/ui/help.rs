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
    let w = area.width.saturating_sub(4).clamp(1, 76);
    let h = area.height.saturating_sub(2).max(1);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, popup);
    frame.render_widget(pane_block(" Keys (any other key closes) ".into(), true, theme), popup);
    let body = inner(popup);
    let entries = lines(state);
    let key_cols = entries
        .iter()
        .map(|(k, _)| width::width(k))
        .max()
        .unwrap_or(0)
        .min(body.width as usize / 2);
    let desc_cols = (body.width as usize).saturating_sub(key_cols + 2);
    let text: Vec<Line> = entries
        .iter()
        .skip(scroll.min(entries.len().saturating_sub(1)))
        .map(|(keys, desc)| {
            Line::from(vec![
                Span::styled(width::fit(keys, key_cols), theme.style(Element::Title)),
                Span::raw("  "),
                Span::raw(width::truncate(desc, desc_cols)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(text), body);
}

/// The query language on one screen (`crate::query::SUMMARY`).
pub fn draw_queries(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let entries = crate::query::SUMMARY;
    let w = area.width.saturating_sub(4).clamp(1, 76);
    let h = (entries.len() as u16 + 3).min(area.height.saturating_sub(2)).max(1);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, popup);
    let title = " Queries (docs/queries.md; any key goes back) ".to_string();
    frame.render_widget(pane_block(title, true, theme), popup);
    let body = inner(popup);
    let syntax_cols = entries
        .iter()
        .map(|(s, _)| width::width(s))
        .max()
        .unwrap_or(0)
        .min(body.width as usize / 2);
    let meaning_cols = (body.width as usize).saturating_sub(syntax_cols + 2);
    let text: Vec<Line> = entries
        .iter()
        .map(|(syntax, meaning)| {
            Line::from(vec![
                Span::styled(width::fit(syntax, syntax_cols), theme.style(Element::Title)),
                Span::raw("  "),
                Span::raw(width::truncate(meaning, meaning_cols)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(text), body);
}
