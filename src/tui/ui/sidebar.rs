//! The sidebar: All, Unread, Starred, then each tag (foldable) with its unread count and its
//! feeds indented under it; feeds whose last fetch failed are marked.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::{Element, Theme};
use super::{focused, inner, pane_block, selected_line};
use crate::text::width;
use crate::tui::state::{AppState, Focus, SidebarEntry};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let block = pane_block(" khabar ".into(), focused(state, Focus::Sidebar), theme);
    let body = inner(area);
    frame.render_widget(block, area);
    let cols = body.width as usize;
    // With stories grouped, Unread counts a story once (its other feeds' copies are folded).
    let unread_total: u64 = state
        .feeds
        .iter()
        .map(|f| match state.view.stories {
            true => f.unread.saturating_sub(f.unread_folded),
            false => f.unread,
        })
        .sum();
    let entries = state.sidebar_entries();
    let height = body.height as usize;
    let scroll = state.sidebar_selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = entries
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(i, entry)| {
            let (label, count, error) = match entry {
                SidebarEntry::All => ("All".to_string(), None, false),
                SidebarEntry::Unread => ("Unread".to_string(), Some(unread_total), false),
                SidebarEntry::Starred => ("Starred".to_string(), None, false),
                // Under a tag, indented like its feeds.
                SidebarEntry::Query { name, tag } => (
                    format!("{}/ {name}", if tag.is_some() { "    " } else { "" }),
                    state.query_unread.get(name).copied(),
                    false,
                ),
                SidebarEntry::Tag(t) => {
                    let mark = if state.is_account(t) { '@' } else { '#' };
                    (
                        format!("{} {mark}{t}", arrow(state, t)),
                        Some(state.tag_unread(t)),
                        false,
                    )
                }
                SidebarEntry::Untagged => {
                    let unread = state.feeds.iter().filter(|f| f.tags.is_empty()).map(|f| f.unread).sum();
                    (format!("{} (no tag)", arrow(state, "")), Some(unread), false)
                }
                SidebarEntry::Feed { id, .. } => match state.feed(*id) {
                    Some(f) => (
                        match &f.title {
                            Some(title) => format!("    {title}"),
                            // Room for the count and the failure mark, as below.
                            None => format!("    {}", untitled(&f.url, cols.saturating_sub(11))),
                        },
                        Some(f.unread),
                        f.last_error.is_some(),
                    ),
                    None => ("  ?".to_string(), None, false),
                },
            };
            let count_text = match count {
                Some(n) if n > 0 => format!(" {n}"),
                _ => String::new(),
            };
            let mark = if error { "!" } else { "" };
            let label_cols = cols.saturating_sub(width::width(&count_text) + mark.len());
            let mut spans = vec![Span::raw(width::fit(&label, label_cols))];
            if error {
                spans.push(Span::styled(mark, theme.style(Element::Error)));
            }
            spans.push(Span::styled(count_text, theme.style(Element::Count)));
            let mut line = Line::from(spans);
            if i == state.sidebar_selected {
                line = selected_line(line, state, Focus::Sidebar, theme);
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// A feed without a title by its address: no scheme, and when it is too long, its start and
/// its end, so two feeds of one host (both failing, say) can be told apart.
fn untitled(url: &str, cols: usize) -> String {
    let short = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let short = short.strip_prefix("www.").unwrap_or(short);
    let chars: Vec<char> = short.chars().collect();
    if width::width(short) <= cols || cols < 8 || chars.len() != short.len() {
        return short.to_string();
    }
    let tail = cols / 2;
    let head = cols - tail - 1;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

/// ▸ for a folded group, ▾ for an open one.
fn arrow(state: &AppState, group: &str) -> &'static str {
    if state.sidebar.folded.contains(group) {
        "▸"
    } else {
        "▾"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_untitled_feeds_of_one_host_read_apart() {
        let a = untitled("https://www.example.com/feeds/politics/rss.xml", 20);
        let b = untitled("https://www.example.com/feeds/sport/rss.xml", 20);
        assert_ne!(a, b);
        assert_eq!(a, "example.c…cs/rss.xml");
        assert!(width::width(&a) <= 20);
        assert_eq!(untitled("http://a.org/x", 20), "a.org/x");
    }
}
