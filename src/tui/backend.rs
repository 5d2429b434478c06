//! A backend wrapper that keeps complex scripts exact on screen. Terminals disagree with
//! unicode-width (and each other) on some clusters, and a two-column Devanagari cluster such as
//! "की" is two separate terminal cells, not one wide glyph: overwriting its first cell leaves the
//! second on screen, while ratatui believes it blank. So every non-ASCII grapheme is placed with
//! its own cursor move, the cells a wide one covers are blanked before it is drawn, and when a
//! wide one is replaced its covered cells are blanked again.

use std::collections::{HashMap, HashSet};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use unicode_width::UnicodeWidthStr;

pub struct ExactBackend<B> {
    inner: B,
    /// Where wide graphemes are on screen now, and their widths.
    wide: HashMap<(u16, u16), u16>,
}

impl<B> ExactBackend<B> {
    pub fn new(inner: B) -> Self {
        ExactBackend {
            inner,
            wide: HashMap::new(),
        }
    }
}

impl<B: Backend> Backend for ExactBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let written: HashSet<(u16, u16)> = cells.iter().map(|&(x, y, _)| (x, y)).collect();
        // One blank per cell in that cell's style, for the covered cells next to it.
        let blanks: Vec<Cell> = cells
            .iter()
            .map(|(_, _, c)| {
                let mut blank = (*c).clone();
                blank.set_symbol(" ");
                blank
            })
            .collect();
        let mut run: Vec<(u16, u16, &Cell)> = Vec::with_capacity(cells.len());
        for (i, &(x, y, cell)) in cells.iter().enumerate() {
            let symbol = cell.symbol();
            let width = symbol.width() as u16;
            let was_wide = self.wide.get(&(x, y)).copied().unwrap_or(1);
            if symbol.is_ascii() && was_wide == 1 {
                run.push((x, y, cell));
                continue;
            }
            // Each separate draw call starts with an absolute cursor move.
            self.inner.draw(run.drain(..))?;
            // Blank what the old grapheme covered (unless redrawn now) and what the new one will.
            for dx in 1..was_wide.max(width) {
                let pos = (x.saturating_add(dx), y);
                if dx < width || !written.contains(&pos) {
                    self.inner.draw(std::iter::once((pos.0, pos.1, &blanks[i])))?;
                }
            }
            self.inner.draw(std::iter::once((x, y, cell)))?;
            if width > 1 {
                self.wide.insert((x, y), width);
            } else {
                self.wide.remove(&(x, y));
            }
        }
        self.inner.draw(run.drain(..))
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.wide.clear();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        if clear_type == ClearType::All {
            self.wide.clear();
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    /// A writer whose bytes the test can read while the backend holds it.
    #[derive(Clone, Default)]
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The bytes the wrapped crossterm backend writes for a line.
    fn output(text: &str) -> String {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, text, ratatui::style::Style::default());
        let prev = Buffer::empty(buf.area);
        let mut out = Vec::new();
        {
            let mut backend = ExactBackend::new(CrosstermBackend::new(&mut out));
            backend.draw(prev.diff(&buf).into_iter()).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn non_ascii_graphemes_are_placed_absolutely_and_wide_ones_blanked_first() {
        let out = output("ab新c");
        // "ab" as one run, a blank at column 3 (0-based, 1-based 4), 新 at column 2, then c moved to 4.
        let blank = out.find("\u{1b}[1;4H ").expect("blank under the wide cell");
        let wide = out.find("\u{1b}[1;3H新").expect("wide char placed absolutely");
        let after = out.find("\u{1b}[1;5Hc").expect("next cell placed absolutely");
        assert!(out.starts_with("\u{1b}[1;1H"), "{out:?}");
        assert!(blank < wide && wide < after, "{out:?}");
        // Plain ASCII stays one run: a single cursor move.
        // Replacing a two-cell Devanagari cluster with a space rewrites its second cell too.
        let sink = Sink::default();
        let mut backend = ExactBackend::new(CrosstermBackend::new(sink.clone()));
        let area = Rect::new(0, 0, 4, 1);
        let (mut before, mut after) = (Buffer::empty(area), Buffer::empty(area));
        before.set_string(0, 0, "की", ratatui::style::Style::default());
        backend.draw(Buffer::empty(area).diff(&before).into_iter()).unwrap();
        sink.0.borrow_mut().clear();
        after.set_string(0, 0, "x", ratatui::style::Style::default());
        backend.draw(before.diff(&after).into_iter()).unwrap();
        let out = String::from_utf8(sink.0.borrow().clone()).unwrap();
        assert!(out.contains("\u{1b}[1;2H "), "second cell blanked: {out:?}");
        let ascii = output("abc");
        assert!(ascii.contains("\u{1b}[1;1Habc"), "{ascii:?}");
    }
}
