//! Colours of each screen element: defaults, the user's `[theme]` (names or "#rrggbb"), and
//! NO_COLOR, which drops every colour and keeps only bold/italic/reverse.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

macro_rules! elements {
    ($($variant:ident => $name:literal, $default:expr;)*) => {
        /// A themable part of the screen.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Element { $($variant),* }

        impl Element {
            pub const ALL: &'static [Element] = &[$(Element::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Element::$variant => $name),* }
            }

            fn default_color(self) -> Color {
                match self { $(Element::$variant => $default),* }
            }
        }
    };
}

elements! {
    Text => "text", Color::Reset;
    Dim => "dim", Color::DarkGray;
    Border => "border", Color::DarkGray;
    BorderFocused => "border_focused", Color::Cyan;
    Selection => "selection", Color::Indexed(24);
    Unread => "unread", Color::White;
    Starred => "starred", Color::Yellow;
    Error => "error", Color::LightRed;
    Title => "title", Color::LightCyan;
    Heading => "heading", Color::LightYellow;
    Link => "link", Color::LightBlue;
    Quote => "quote", Color::Green;
    Code => "code", Color::LightMagenta;
    Count => "count", Color::Cyan;
    Status => "status", Color::Indexed(236);
    Progress => "progress", Color::LightGreen;
}

impl Element {
    pub fn from_name(name: &str) -> Option<Element> {
        Element::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// Selection and status colours are backgrounds; the rest colour the text.
    fn is_background(self) -> bool {
        matches!(self, Element::Selection | Element::Status)
    }
}

/// Parses "red", "light-red", "#1e90ff", or a 0-255 palette index.
pub fn parse_color(s: &str) -> Option<Color> {
    Color::from_str(s.trim()).ok()
}

#[derive(Debug, Clone)]
pub struct Theme {
    colors: Vec<(Element, Color)>,
    no_color: bool,
}

impl Theme {
    /// The defaults with the user's colours (`UiSettings::colours`) over them.
    pub fn new(user: &[(Element, Color)], no_color: bool) -> Theme {
        let mut colors: Vec<(Element, Color)> = Element::ALL.iter().map(|e| (*e, e.default_color())).collect();
        for (e, c) in user {
            if let Some(slot) = colors.iter_mut().find(|(el, _)| el == e) {
                slot.1 = *c;
            }
        }
        Theme { colors, no_color }
    }

    fn color(&self, e: Element) -> Color {
        self.colors
            .iter()
            .find(|(el, _)| *el == e)
            .map_or(Color::Reset, |(_, c)| *c)
    }

    /// The style of an element. Under NO_COLOR only modifiers remain.
    pub fn style(&self, e: Element) -> Style {
        let mut style = Style::default();
        if !self.no_color {
            style = if e.is_background() {
                style.bg(self.color(e))
            } else {
                style.fg(self.color(e))
            };
        }
        match e {
            Element::Selection if self.no_color => style.add_modifier(Modifier::REVERSED),
            Element::Unread | Element::Title | Element::Heading | Element::BorderFocused => {
                style.add_modifier(Modifier::BOLD)
            }
            Element::Link => style.add_modifier(Modifier::UNDERLINED),
            Element::Quote => style.add_modifier(Modifier::ITALIC),
            _ => style,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(&[], false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_colours_and_no_color() {
        let t = Theme::new(&[(Element::Link, parse_color("#ff0000").unwrap())], false);
        assert_eq!(t.style(Element::Link).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.style(Element::Selection).bg, Some(Color::Indexed(24)));
        let plain = Theme::new(&[(Element::Link, Color::Red)], true);
        assert_eq!(plain.style(Element::Link).fg, None);
        assert!(plain
            .style(Element::Selection)
            .add_modifier
            .contains(Modifier::REVERSED));
        assert_eq!(parse_color("light-red"), Some(Color::LightRed));
        assert_eq!(parse_color("nope"), None);
    }
}
