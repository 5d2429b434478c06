//! Where each pane goes for a terminal size and state: shared by drawing and by `update` (page
//! sizes, mouse hit-testing), so both always agree. Pure geometry.

use ratatui::layout::Rect;

use super::state::Focus;

/// Below this width the article pane takes the whole screen when it has focus.
pub const WIDE: u16 = 100;
/// Below this width the sidebar shows only when it has focus (then full width).
pub const MEDIUM: u16 = 60;

/// What the layout depends on: the terminal's size, the focused pane, whether an article is
/// open, and full-width reading (`AppState::shape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub size: (u16, u16),
    pub focus: Focus,
    pub article_open: bool,
    pub fullscreen: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panes {
    pub sidebar: Option<Rect>,
    pub headlines: Option<Rect>,
    pub article: Option<Rect>,
    pub status: Rect,
}

pub fn panes(state: Shape) -> Panes {
    let (w, h) = state.size;
    let area = Rect::new(0, 0, w, h);
    let status = Rect::new(0, h.saturating_sub(1), w, h.min(1));
    let main = Rect::new(0, 0, w, h.saturating_sub(1));
    let mut p = Panes {
        status,
        ..Default::default()
    };
    if main.height == 0 || area.width == 0 {
        return p;
    }
    let article_open = state.article_open;
    if article_open && state.focus == Focus::Article && (state.fullscreen || w < WIDE) {
        p.article = Some(main);
        return p;
    }
    if w < MEDIUM && state.focus == Focus::Sidebar {
        p.sidebar = Some(main);
        return p;
    }
    let mut x = 0;
    if w >= MEDIUM {
        let sw = (w / 5).clamp(16, 30);
        p.sidebar = Some(Rect::new(0, 0, sw, main.height));
        x = sw;
    }
    let rest = w - x;
    if article_open && w >= WIDE {
        let hw = rest * 45 / 100;
        p.headlines = Some(Rect::new(x, 0, hw, main.height));
        p.article = Some(Rect::new(x + hw, 0, rest - hw, main.height));
    } else {
        p.headlines = Some(Rect::new(x, 0, rest, main.height));
    }
    p
}

/// Rows of content inside a bordered pane.
pub fn inner_height(r: Option<Rect>) -> usize {
    r.map_or(1, |r| r.height.saturating_sub(2).max(1) as usize)
}

/// Columns of content inside a bordered pane (the article also keeps a one-column margin and
/// one column for its scrollbar).
pub fn article_text_width(r: Option<Rect>) -> usize {
    r.map_or(40, |r| r.width.saturating_sub(4).max(10) as usize)
}
