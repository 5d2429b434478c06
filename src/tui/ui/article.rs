//! The article pane: title, feed, author, date and link, then the rendered body with its styles
//! and link list. Scrolls on its own; shows the cached rendering for the pane's width.

use ratatui::layout::{Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use ratatui_image::sliced::{SignedPosition, SlicedImage};

use super::theme::{Element, Theme};
use super::{focused, inner, pane_block, scrollbar};
use crate::text::rich::{LineKind, Rendered, RichLine};
use crate::text::width;
use crate::tui::images::Picture;
use crate::tui::state::{hint_labels, unlinked_images, AppState, ArticlePane, Focus, Mode, ARTICLE_HEADER_LINES};

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
    // Each picture takes blank rows below its "[image: alt]" line; drawn over them below.
    let mut pictures: Vec<(usize, &Picture)> = Vec::new();
    let hints = match &state.mode {
        Mode::Hints { typed, .. } => Some(typed.as_str()),
        _ => None,
    };
    match &pane.rendered {
        Some((_, r)) => {
            let labels = hints.map(|_| hint_labels(r.links.len() + unlinked_images(r).count()));
            let mut placed = pane.placed_pictures().into_iter().peekable();
            for (i, line) in r.lines.iter().enumerate() {
                let mut styled = styled_line(line, theme);
                if let (Some(typed), Some(labels)) = (hints, &labels) {
                    styled = with_hints(styled, i, r, labels, typed, theme);
                }
                lines.push(styled);
                while let Some((_, picture)) = placed.next_if(|(at, _)| *at == i) {
                    pictures.push((lines.len(), picture));
                    lines.extend((0..picture.rows()).map(|_| Line::default()));
                }
            }
        }
        None => lines.push(Line::styled("rendering…", theme.style(Element::Dim))),
    }
    let (total, height) = (lines.len(), body.height as usize);
    let visible: Vec<Line> = lines.into_iter().skip(pane.scroll).take(height).collect();
    frame.render_widget(Paragraph::new(visible), body);
    for (row, picture) in pictures {
        let rows = usize::from(picture.rows());
        if row + rows <= pane.scroll || row >= pane.scroll + height {
            continue;
        }
        // Within a row count of the pane, so it fits an i16; the widget draws the rows in view.
        let y = row as i64 - pane.scroll as i64;
        let at = SignedPosition::from((0, y as i16));
        frame.render_widget(SlicedImage::new(picture.protocol(), at), body);
    }
    if total > height {
        scrollbar(frame, area, total.saturating_sub(height), pane.scroll);
    }
}

/// Link marks (`[3]`) shown as their hint labels while `F` waits for one (those that still
/// match what was typed), and a picture's label before its line.
fn with_hints<'a>(
    line: Line<'a>,
    index: usize,
    r: &Rendered,
    labels: &[String],
    typed: &str,
    theme: &Theme,
) -> Line<'a> {
    let label_style = theme.style(Element::Selection).add_modifier(Modifier::BOLD);
    let mut spans: Vec<Span<'a>> = Vec::new();
    for (j, image) in unlinked_images(r).enumerate() {
        let label = &labels[r.links.len() + j];
        if image.line == index && label.starts_with(typed) {
            spans.push(Span::styled(format!("[{label}]"), label_style));
            spans.push(Span::raw(" "));
        }
    }
    for span in line.spans {
        let text = span.content.to_string();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                break;
            };
            let label = rest[open + 1..close]
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=r.links.len()).contains(n))
                .map(|n| &labels[n - 1])
                .filter(|l| l.starts_with(typed));
            match label {
                Some(label) => {
                    spans.push(Span::styled(rest[..open].to_string(), span.style));
                    spans.push(Span::styled(format!("[{label}]"), label_style));
                }
                None => spans.push(Span::styled(rest[..=close].to_string(), span.style)),
            }
            rest = &rest[close + 1..];
        }
        spans.push(Span::styled(rest.to_string(), span.style));
    }
    Line::from(spans).style(line.style)
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
