//! The reader's part of the config: `[keys]` become the keymap and `[theme]` the colours. A
//! mistake is reported at its file:line:column, by `main` before the terminal is touched.

use ratatui::style::Color;

use crate::config::{Config, ConfigError};

use super::keymap::{Keymap, PRESETS};
use super::ui::theme::{parse_color, Background, Element};

/// The keymap and colours the user asked for, validated.
#[derive(Debug, Clone)]
pub struct UiSettings {
    pub keymap: Keymap,
    /// The user's colours, applied over the palette by `Theme::new`.
    pub colours: Vec<(Element, Color)>,
    /// `[theme] background`: None for "auto" (ask the terminal when the reader starts).
    pub background: Option<Background>,
}

impl UiSettings {
    /// Reads `[keys]` and `[theme]`: unknown actions and elements, bad keys and colours, and two
    /// actions given the same key are errors naming the value and where it was written.
    pub fn from_config(config: &Config) -> Result<UiSettings, ConfigError> {
        // `preset = "newsboat"` picks the defaults; every other entry binds an action.
        let mut base = Keymap::default();
        let mut bindings = Vec::new();
        for b in &config.keys {
            if b.action.value != "preset" {
                bindings.push(b);
                continue;
            }
            let name = b.keys.first().map_or("", |k| k.value.as_str());
            let at = b.keys.first().map_or(&b.action.at, |k| &k.at);
            base = Keymap::with_preset(name)
                .ok_or_else(|| at.error(format!("unknown key preset {name:?}; known: {}", PRESETS.join(", "))))?;
        }
        let user_keys: Vec<(String, Vec<String>)> = bindings
            .iter()
            .map(|b| (b.action.value.clone(), b.keys.iter().map(|k| k.value.clone()).collect()))
            .collect();
        let keymap = base.overridden(&user_keys).map_err(|(entry, key, err)| {
            let binding = bindings[entry];
            let at = key
                .and_then(|k| binding.keys.get(k))
                .map_or(&binding.action.at, |k| &k.at);
            at.error(err.to_string())
        })?;

        let mut colours = Vec::new();
        let mut background = None;
        for entry in &config.theme {
            let (element, colour) = (&entry.element.value, &entry.colour.value);
            if element == "background" {
                background = match colour.as_str() {
                    "auto" => None,
                    "light" => Some(Background::Light),
                    "dark" => Some(Background::Dark),
                    other => {
                        return Err(entry.colour.at.error(format!(
                            "bad background {other:?}: expected \"auto\", \"light\" or \"dark\""
                        )))
                    }
                };
                continue;
            }
            let Some(known) = Element::from_name(element) else {
                let names: Vec<&str> = Element::ALL.iter().map(|e| e.name()).collect();
                return Err(entry.element.at.error(format!(
                    "unknown theme element {element:?}; known: background, {}",
                    names.join(", ")
                )));
            };
            let Some(parsed) = parse_color(colour) else {
                return Err(entry.colour.at.error(format!(
                    "bad colour {colour:?} for {element}: expected a name (\"red\", \"light-blue\"), \"#rrggbb\" or 0-255"
                )));
            };
            colours.push((known, parsed));
        }
        Ok(UiSettings {
            keymap,
            colours,
            background,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::ConfigSource;
    use crate::tui::action::Action;

    fn settings(text: &str) -> Result<UiSettings, ConfigError> {
        let config = Config::parse(
            text,
            "test.toml",
            Path::new("/base"),
            ConfigSource::User("test.toml".into()),
        )?;
        UiSettings::from_config(&config)
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = settings("[keys]\nfly = \"x\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: unknown action \"fly\""), "{e}");
        let e = settings("[keys]\nhelp = [\"x\", \"hyper-q\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("test.toml:2:14: bad key \"hyper-q\""), "{e}");
        let e = settings("[keys]\nhelp = \"x\"\nquit = [\"y\", \"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("test.toml:3:14: key \"x\" is bound to both help and quit"),
            "{e}"
        );
        let e = settings("[theme]\nlink = \"blurple\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:8: bad colour \"blurple\""), "{e}");
        let e = settings("[theme]\nlnk = \"red\"\n").unwrap_err().to_string();
        assert!(
            e.starts_with("test.toml:2:1: unknown theme element \"lnk\"") && e.contains("known: background, text, dim"),
            "{e}"
        );
    }

    #[test]
    fn user_keys_and_colours_apply() {
        let s =
            settings("[keys]\nmove_down = \"ctrl-n\"\nhelp = [\"f1\", \"?\"]\n[theme]\nlink = \"#00ff00\"\n").unwrap();
        assert_eq!(s.keymap.keys_for(Action::Help), ["f1", "?"]);
        assert_eq!(s.keymap.keys_for(Action::MoveDown), ["ctrl-n"]);
        assert_eq!(s.colours, [(Element::Link, Color::Rgb(0, 255, 0))]);
        assert_eq!(s.background, None, "auto by default");
        let s = settings("[theme]\nbackground = \"light\"\n").unwrap();
        assert_eq!(s.background, Some(Background::Light));
        // newsboat's keys win over khabar's; the user's win over both; `?` lists what is in force.
        let s = settings("[keys]\npreset = \"newsboat\"\nquit = \"ctrl-q\"\n").unwrap();
        assert_eq!(
            s.keymap.keys_for(Action::NextUnread),
            ["n"],
            "J is newsboat's next article"
        );
        assert_eq!(s.keymap.keys_for(Action::ToggleRead), ["m", "N"]);
        assert_eq!(
            s.keymap.keys_for(Action::NextResult),
            ["ctrl-n"],
            "n went to next unread, results move with ctrl-n"
        );
        assert_eq!(s.keymap.keys_for(Action::Top), ["g g", "home"], "g g stays top");
        assert_eq!(s.keymap.keys_for(Action::Quit), ["ctrl-q"]);
        let e = settings("[keys]\npreset = \"emacs\"\n").unwrap_err().to_string();
        assert!(
            e.starts_with("test.toml:2:10: unknown key preset \"emacs\"; known: khabar, newsboat"),
            "{e}"
        );
        let e = settings("[theme]\nbackground = \"beige\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:14: bad background \"beige\""), "{e}");
    }
}
