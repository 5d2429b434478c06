//! The article pane: title, feed, author, date and link, then the rendered body with its styles
//! and link list. Scrolls on its own; shows the cached rendering for the pane's width.

use ratatui::layout::{Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::{Element, Theme};
use super::{focused, inner, pane_block, scrollbar};
use crate::text::rich::{LineKind, RichLine};
use crate::text::width;
use crate::tui::state::{AppState, ArticlePane, Focus, ARTICLE_HEADER_LINES};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let Some(pane) = &state.article else { return };
    frame.render_widget(
        pane_block(" Article ".into(), focused(state, Focus::Article), theme),
        area,
    );
    let body = inner(area).inner(Margin {
        vertical: 0,
        horizontal: 1,
    });
    let cols = body.width as usize;
    let mut lines = header(pane, cols, state, theme);
    match &pane.rendered {
        Some((_, r)) => lines.extend(r.lines.iter().map(|l| styled_line(l, theme))),
        None => lines.push(Line::styled("rendering…", theme.style(Element::Dim))),
    }
    let total = lines.len();
    let visible: Vec<Line> = lines.into_iter().skip(pane.scroll).take(body.height as usize).collect();
    frame.render_widget(Paragraph::new(visible), body);
    if total > body.height as usize {
        scrollbar(frame, area, total.saturating_sub(body.height as usize), pane.scroll);
    }
}

/// Title (up to two lines), feed and author, date, link, then a blank line.
fn header<'a>(pane: &ArticlePane, cols: usize, state: &AppState, theme: &Theme) -> Vec<Line<'a>> {
    let a = &pane.article.summary;
    let mut lines: Vec<Line> = width::wrap(a.shown_title(), cols)
        .into_iter()
        .take(2)
        .map(|t| Line::styled(t, theme.style(Element::Title)))
        .collect();
    let mut meta = a.feed_title.clone();
    if let Some(author) = &a.author {
        meta.push_str(" · ");
        meta.push_str(author);
    }
    lines.push(Line::styled(width::truncate(&meta, cols), theme.style(Element::Dim)));
    let mode = if pane.fetching_full {
        " · fetching the full article…"
    } else if pane.show_full {
        " · full article"
    } else {
        ""
    };
    let flags = format!(
        "{}{}{mode}",
        if a.starred { " ★" } else { "" },
        if a.read { "" } else { " (unread)" }
    );
    let date = a
        .published
        .map(|p| p.with_timezone(&state.utc_offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "no date".into());
    lines.push(Line::styled(
        width::truncate(&format!("{date}{flags}"), cols),
        theme.style(Element::Dim),
    ));
    if let Some(link) = &a.link {
        lines.push(Line::styled(width::truncate(link, cols), theme.style(Element::Link)));
    }
    lines.truncate(ARTICLE_HEADER_LINES - 1);
    lines.push(Line::default());
    lines
}

fn styled_line<'a>(line: &RichLine, theme: &Theme) -> Line<'a> {
    let base = match line.kind {
        LineKind::Text => Style::default(),
        LineKind::Heading => theme.style(Element::Heading),
        LineKind::Quote => theme.style(Element::Quote),
        LineKind::Preformatted => theme.style(Element::Code),
        LineKind::LinkRef => theme.style(Element::Dim),
    };
    let spans: Vec<Span> = line
        .spans
        .iter()
        .map(|s| {
            let mut style = base;
            if s.kind.bold {
                style = style.add_modifier(Modifier::BOLD);
            }
            if s.kind.italic {
                style = style.add_modifier(Modifier::ITALIC);
            }
            if s.kind.strike {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            if s.kind.code {
                style = style.patch(theme.style(Element::Code));
            }
            if s.kind.link {
                style = style.patch(theme.style(Element::Link));
            }
            if s.kind.image {
                style = style.patch(theme.style(Element::Dim));
            }
            Span::styled(s.text.clone(), style)
        })
        .collect();
    Line::from(spans)
}
