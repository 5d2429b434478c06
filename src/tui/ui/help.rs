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
use crate::tui::state::{AppState, Pick};

/// The help text: one line per action, "keys  action_name: description"; the name is what
/// `[keys]` takes.
pub fn lines(state: &AppState) -> Vec<(String, String)> {
    Action::ALL
        .iter()
        .map(|a| {
            let keys = state.keymap.keys_for(*a);
            let keys = if keys.is_empty() {
                "(unbound)".to_string()
            } else {
                keys.join(", ")
            };
            (keys, format!("{}: {}", a.name(), a.description()))
        })
        .collect()
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme, scroll: usize) {
    let entries = lines(state);
    let h = area.height.saturating_sub(2).max(1);
    let rows = usize::from(h.saturating_sub(2)).max(1);
    let first = scroll.min(entries.len().saturating_sub(1));
    let last = (first + rows).min(entries.len());
    // Where the list is, and that it goes on, when it does not fit.
    let title = if entries.len() > rows {
        format!(
            " Keys {}–{last} of {} (j/k scroll, any other key closes) ",
            first + 1,
            entries.len()
        )
    } else {
        " Keys (any key closes) ".to_string()
    };
    draw_columns(frame, area, theme, &title, h, &entries, first);
}

/// A list to choose from (`Pick`): the chosen row highlighted, kept in view.
pub fn draw_pick(frame: &mut Frame<'_>, area: Rect, pick: &Pick, theme: &Theme) {
    let h = (pick.items.len() as u16 + 2).min(area.height.saturating_sub(2)).max(3);
    let w = area.width.saturating_sub(4).clamp(1, 100);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, popup);
    frame.render_widget(pane_block(pick.title.clone(), true, theme), popup);
    let body = inner(popup);
    let rows = usize::from(body.height).max(1);
    let top = pick.selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = pick
        .items
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, (shown, _))| {
            let text = width::fit(shown, body.width as usize);
            if i == pick.selected {
                Line::styled(text, theme.style(Element::Selection))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// The last message, whole, wrapped (`g m`).
pub fn draw_message(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme, scroll: usize) {
    let Some(notice) = &state.last_message else { return };
    let w = area.width.saturating_sub(4).clamp(1, 100);
    let wrapped = crate::text::rich::render(
        &html_escape::encode_text(&notice.text),
        usize::from(w.saturating_sub(2)).max(1),
    )
    .body_text();
    let lines: Vec<&str> = wrapped.lines().collect();
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2)).max(3);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, popup);
    frame.render_widget(pane_block(" Last message (any key closes) ".into(), true, theme), popup);
    let style = if notice.error {
        theme.style(Element::Error)
    } else {
        theme.style(Element::Text)
    };
    let text: Vec<Line> = lines
        .iter()
        .skip(scroll.min(lines.len().saturating_sub(1)))
        .map(|l| Line::styled(l.to_string(), style))
        .collect();
    frame.render_widget(Paragraph::new(text), inner(popup));
}

/// The query language on one screen (`crate::query::SUMMARY`).
pub fn draw_queries(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let entries: Vec<(String, String)> = crate::query::SUMMARY
        .iter()
        .map(|(syntax, meaning)| (syntax.to_string(), meaning.to_string()))
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
    entries: &[(String, String)],
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
