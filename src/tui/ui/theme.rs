//! Colours of each screen element: a dark and a light palette, the user's `[theme]` over them
//! (names or "#rrggbb"), and NO_COLOR, which drops every colour and keeps only bold/italic/reverse.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

macro_rules! elements {
    ($($variant:ident => $name:literal, $dark:expr, $light:expr;)*) => {
        /// A themable part of the screen.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Element { $($variant),* }

        impl Element {
            pub const ALL: &'static [Element] = &[$(Element::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Element::$variant => $name),* }
            }

            /// The element's colour in a palette. `Reset` is the terminal's own colour: text
            /// and unread headlines (bold) use it, so they read on any background.
            pub fn default_color(self, background: Background) -> Color {
                match (self, background) {
                    $((Element::$variant, Background::Dark) => $dark,)*
                    $((Element::$variant, Background::Light) => $light,)*
                }
            }
        }
    };
}

//  element            name              dark background        light background
elements! {
    Text => "text", Color::Reset, Color::Reset;
    Dim => "dim", Color::DarkGray, Color::Indexed(242);
    Border => "border", Color::DarkGray, Color::Indexed(245);
    BorderFocused => "border_focused", Color::Cyan, Color::Indexed(25);
    Selection => "selection", Color::Indexed(24), Color::Indexed(153);
    SelectionUnfocused => "selection_unfocused", Color::Indexed(237), Color::Indexed(252);
    Unread => "unread", Color::Reset, Color::Reset;
    Starred => "starred", Color::Yellow, Color::Indexed(130);
    Error => "error", Color::LightRed, Color::Indexed(160);
    Title => "title", Color::LightCyan, Color::Indexed(24);
    Heading => "heading", Color::LightYellow, Color::Indexed(94);
    Link => "link", Color::LightBlue, Color::Indexed(25);
    Quote => "quote", Color::Green, Color::Indexed(28);
    Code => "code", Color::LightMagenta, Color::Indexed(90);
    Count => "count", Color::Cyan, Color::Indexed(31);
    Status => "status", Color::Indexed(236), Color::Indexed(253);
    Progress => "progress", Color::LightGreen, Color::Indexed(28);
}

/// The terminal's background, which picks the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Background {
    #[default]
    Dark,
    Light,
}

impl Element {
    pub fn from_name(name: &str) -> Option<Element> {
        Element::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// Selection and status colours are backgrounds; the rest colour the text.
    pub fn is_background(self) -> bool {
        matches!(self, Element::Selection | Element::SelectionUnfocused | Element::Status)
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
    /// The palette for `background` with the user's colours (`UiSettings::colours`) over it.
    pub fn new(user: &[(Element, Color)], background: Background, no_color: bool) -> Theme {
        let mut colors: Vec<(Element, Color)> =
            Element::ALL.iter().map(|e| (*e, e.default_color(background))).collect();
        for (e, c) in user {
            if let Some(slot) = colors.iter_mut().find(|(el, _)| el == e) {
                slot.1 = *c;
            }
        }
        Theme { colors, no_color }
    }

    pub fn color(&self, e: Element) -> Color {
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
            Element::SelectionUnfocused if self.no_color => style.add_modifier(Modifier::UNDERLINED),
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
        Theme::new(&[], Background::Dark, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_colours_and_no_color() {
        let t = Theme::new(
            &[(Element::Link, parse_color("#ff0000").unwrap())],
            Background::Dark,
            false,
        );
        assert_eq!(t.style(Element::Link).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.style(Element::Selection).bg, Some(Color::Indexed(24)));
        let plain = Theme::new(&[(Element::Link, Color::Red)], Background::Dark, true);
        assert_eq!(plain.style(Element::Link).fg, None);
        assert!(plain
            .style(Element::Selection)
            .add_modifier
            .contains(Modifier::REVERSED));
        assert_eq!(parse_color("light-red"), Some(Color::LightRed));
        assert_eq!(parse_color("nope"), None);
    }
}
