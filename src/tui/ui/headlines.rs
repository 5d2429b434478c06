//! The headline list: date, feed and title per row, unread in bold, starred marked, the
//! selection highlighted, and a scrollbar placed by the row's index in the whole view.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::{Element, Theme};
use super::{focused, inner, pane_block, scrollbar, selected_line};
use crate::text::width;
use crate::tui::state::{AppState, Focus};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let h = &state.headlines;
    let count = match h.total {
        Some(n) => format!(" ({n})"),
        None => String::new(),
    };
    let title = width::truncate(
        &format!(" {}{count} ", state.view_title()),
        area.width.saturating_sub(4) as usize,
    );
    frame.render_widget(pane_block(title, focused(state, Focus::Headlines), theme), area);
    let body = inner(area);
    let cols = body.width.saturating_sub(1) as usize; // one column for the scrollbar
    if h.rows.is_empty() {
        let text = if h.loading {
            "loading…"
        } else {
            "nothing here (R refreshes, u toggles unread only)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(width::truncate(text, cols), theme.style(Element::Dim))),
            body,
        );
        return;
    }
    let feed_cols = (cols / 5).clamp(6, 18);
    let lines: Vec<Line> = h
        .rows
        .iter()
        .enumerate()
        .skip(h.scroll)
        .take(body.height as usize)
        .map(|(i, a)| {
            // A hidden article (shown by the toggle) is marked and dimmed.
            let star = match (a.starred, a.hidden) {
                (true, _) => "★",
                (false, true) => "-",
                (false, false) => " ",
            };
            let date = a
                .published
                .map(|p| p.with_timezone(&state.utc_offset).format("%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let fixed = format!(
                "{star}{} {} ",
                width::fit(&date, 11),
                width::fit(&a.feed_title, feed_cols)
            );
            // A story: how many other feeds report it, and which (or that it is shown whole).
            let story = match (&a.story, a.also_in.is_empty()) {
                (Some(s), false) if state.view.expanded == Some(*s) => " ▾".to_string(),
                (Some(_), false) if state.view.stories => {
                    let feeds: Vec<&str> = a.also_in.iter().map(|m| m.feed_title.as_str()).collect();
                    format!(" +{} {}", a.also_in.len(), feeds.join(", "))
                }
                _ => String::new(),
            };
            let title_cols = cols.saturating_sub(width::width(&fixed));
            // The mark keeps at least its count; the title keeps at least half the room.
            let story = width::truncate(&story, (title_cols / 2).max(4).min(title_cols));
            let title_cols = title_cols.saturating_sub(width::width(&story));
            let row_style = if a.hidden {
                theme.style(Element::Dim)
            } else if a.read {
                theme.style(Element::Text)
            } else {
                theme.style(Element::Unread)
            };
            let mut line = Line::from(vec![
                Span::styled(star, theme.style(Element::Starred)),
                Span::styled(fixed[star.len()..].to_string(), theme.style(Element::Dim)),
                Span::styled(width::fit(a.shown_title(), title_cols), row_style),
                Span::styled(story, theme.style(Element::Dim)),
            ]);
            let in_visual = state.visual_range().is_some_and(|r| r.contains(&i));
            if i == h.selected || in_visual {
                line = selected_line(line, state, Focus::Headlines, theme);
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);

    let total = h.total.unwrap_or(h.first_index + h.rows.len());
    if total > body.height as usize {
        scrollbar(frame, area, total, h.first_index + h.selected);
    }
}
