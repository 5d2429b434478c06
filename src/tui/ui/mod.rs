//! Drawing: one file per widget, each a function of the app state and the theme. No I/O, no
//! SQL, no parsing; the article arrives already rendered.

mod article;
mod headlines;
mod help;
mod sidebar;
mod status;
pub mod theme;

pub use help::lines as help_lines;

use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Scrollbar, ScrollbarOrientation, ScrollbarState};
use ratatui::Frame;

use self::theme::{Element, Theme};
use super::layout;
use super::state::{AppState, Focus, Mode};

/// Draws the whole screen for the state.
pub fn draw(frame: &mut Frame<'_>, state: &AppState, theme: &Theme) {
    let panes = layout::panes(state.shape());
    if let Some(r) = panes.sidebar {
        sidebar::draw(frame, r, state, theme);
    }
    if let Some(r) = panes.headlines {
        headlines::draw(frame, r, state, theme);
    }
    if let Some(r) = panes.article {
        article::draw(frame, r, state, theme);
    }
    status::draw(frame, panes.status, state, theme);
    if let Mode::Help { scroll } = state.mode {
        help::draw(frame, frame.area(), state, theme, scroll);
    }
    if state.mode == Mode::QueryHelp {
        help::draw_queries(frame, frame.area(), theme);
    }
    match &state.mode {
        Mode::Pick(pick) => help::draw_pick(frame, frame.area(), pick, theme),
        Mode::Message { scroll } => help::draw_message(frame, frame.area(), state, theme, *scroll),
        _ => {}
    }
}

/// A pane's frame, highlighted when it has focus.
fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.style(Element::BorderFocused)
    } else {
        theme.style(Element::Border)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(border)
        .title(title)
        .title_style(border)
}

fn focused(state: &AppState, pane: Focus) -> bool {
    state.focus == pane && matches!(state.mode, Mode::Normal | Mode::Input { .. })
}

/// A vertical scrollbar over a pane's right border, for `position` of `total`.
fn scrollbar(frame: &mut Frame<'_>, pane: Rect, total: usize, position: usize) {
    let mut state = ScrollbarState::new(total).position(position);
    frame.render_stateful_widget(
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None),
        pane.inner(Margin {
            vertical: 1,
            horizontal: 0,
        }),
        &mut state,
    );
}

fn inner(r: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(r)
}

fn selection_style(state: &AppState, pane: Focus, theme: &Theme) -> Style {
    if state.focus == pane {
        theme.style(Element::Selection)
    } else {
        // Its own background, not the focused one dimmed: dim text on a coloured bar is what
        // xterm made unreadable.
        theme.style(Element::SelectionUnfocused)
    }
}

/// A selected row: the selection's background, and every span in the text colour (keeping its
/// bold or underline), since the palette's colours are chosen to read on the terminal's
/// background, not on the selection's.
fn selected_line<'a>(line: Line<'a>, state: &AppState, pane: Focus, theme: &Theme) -> Line<'a> {
    let text = theme.style(Element::Text).fg;
    let spans = line
        .spans
        .into_iter()
        .map(|mut span| {
            span.style.fg = text;
            span
        })
        .collect::<Vec<_>>();
    Line::from(spans).style(selection_style(state, pane, theme))
}
