//! The status bar: the input line while searching or typing a command; otherwise the view, live
//! refresh progress, notices and errors, and key hints.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::{Element, Theme};
use crate::text::width;
use crate::tui::action::Action;
use crate::tui::state::{AppState, Focus, InputKind, Mode, SidebarEntry};

const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let cols = area.width as usize;
    let bar = theme.style(Element::Status);
    if let Mode::Input { kind, text } = &state.mode {
        let prompt = match kind {
            InputKind::Search => "/",
            InputKind::Command => ":",
        };
        // Show the end of a long input, so the cursor stays in view.
        let mut shown = format!("{prompt}{text}");
        while width::width(&shown) + 1 > cols && !shown.is_empty() {
            shown.remove(0);
        }
        let mut spans = vec![Span::raw(shown.clone()), Span::raw("█")];
        // A query that did not parse says why beside the prompt it stays in; Tab lists its
        // candidates there.
        if let Some(n) = state.notice.as_ref() {
            let room = cols.saturating_sub(width::width(&shown) + 3);
            let style = if n.error {
                theme.style(Element::Error)
            } else {
                theme.style(Element::Dim)
            };
            if room > 0 {
                spans.push(Span::styled(
                    format!("  {}", width::fit(&n.text, room)),
                    style.patch(bar),
                ));
            }
        }
        let line = Line::from(spans).style(bar);
        frame.render_widget(Paragraph::new(line).style(bar), area);
        return;
    }
    if let Mode::Hints { typed, .. } = &state.mode {
        let text = format!(" type a link's letters to open it, in capitals to copy it; esc: cancel  {typed}");
        let line = Line::from(Span::styled(
            width::fit(&text, cols),
            theme.style(Element::Progress).patch(bar),
        ));
        frame.render_widget(Paragraph::new(line).style(bar), area);
        return;
    }
    if let Mode::Confirm { question, .. } = &state.mode {
        let line = Line::from(Span::styled(
            width::fit(&format!(" {question}"), cols),
            theme.style(Element::Error).patch(bar),
        ));
        frame.render_widget(Paragraph::new(line).style(bar), area);
        return;
    }

    let mut left = format!(" {} ", state.view_title());
    if let Some(n) = state.count {
        left.push_str(&format!("{n} "));
    }
    let middle: Span = if let Some(p) = &state.progress {
        let spin = SPINNER[state.spinner % SPINNER.len()];
        let failed = if p.failed > 0 {
            format!(" · {} failed", p.failed)
        } else {
            String::new()
        };
        Span::styled(
            format!("{spin} refreshing {}/{} feeds · {} new{failed}", p.done, p.total, p.new),
            theme.style(Element::Progress),
        )
    } else if state.syncing {
        let spin = SPINNER[state.spinner % SPINNER.len()];
        Span::styled(
            format!("{spin} syncing with your accounts"),
            theme.style(Element::Progress),
        )
    } else if let Some(hint) = &state.startup_hint {
        Span::styled(hint.clone(), theme.style(Element::Progress))
    } else if let Some(n) = &state.notice {
        Span::styled(n.text.clone(), if n.error { theme.style(Element::Error) } else { bar })
    } else if let Some(err) = selected_feed_error(state) {
        Span::styled(format!("last fetch failed: {err}"), theme.style(Element::Error))
    } else {
        Span::raw("")
    };
    let hint = |a: Action| {
        state
            .keymap
            .keys_for(a)
            .into_iter()
            .next()
            .map(|k| format!("{k}:{}", a.name()))
    };
    let hints: Vec<String> = [Action::Help, Action::Search, Action::RefreshAll, Action::Back]
        .into_iter()
        .filter_map(hint)
        .collect();
    let right = format!(" {} ", hints.join("  "));

    let left = width::truncate(&left, cols);
    let mut room = cols.saturating_sub(width::width(&left));
    // Key hints give way to the startup hint (its path is the point) and to a message they
    // would cut short.
    let message_cut = state.notice.is_some() && width::width(&middle.content) + width::width(&right) > room;
    let right = if width::width(&right) + 20 <= room && state.startup_hint.is_none() && !message_cut {
        right
    } else {
        String::new()
    };
    room = room.saturating_sub(width::width(&right));
    // A message cut short says where the whole of it is.
    let whole = state.keymap.keys_for(Action::LastMessage).into_iter().next();
    let middle_text = match whole {
        Some(key) if state.notice.is_some() && width::width(&middle.content) > room && room > 20 => {
            let tail = format!("… ({key}: whole)");
            let cut = width::truncate(&middle.content, room - width::width(&tail));
            width::fit(&format!("{}{tail}", cut.trim_end_matches('…')), room)
        }
        _ => width::fit(&middle.content, room),
    };
    let line = Line::from(vec![
        Span::styled(left, bar.add_modifier(ratatui::style::Modifier::BOLD)),
        Span::styled(middle_text, middle.style.patch(bar)),
        Span::styled(right, theme.style(Element::Dim).patch(bar)),
    ]);
    frame.render_widget(Paragraph::new(line).style(bar), area);
}

fn selected_feed_error(state: &AppState) -> Option<&str> {
    if state.focus != Focus::Sidebar {
        return None;
    }
    match state.sidebar_entries().get(state.sidebar_selected)? {
        SidebarEntry::Feed { id, .. } => state.feed(*id)?.last_error.as_deref(),
        _ => None,
    }
}
