//! Keys to actions: key-string parsing ("j", "ctrl-d", "shift-tab", "g g"), the default vim-style
//! bindings, the user's `[keys]` merged over them, and resolution of multi-key sequences.
//! Terminal-independent: the app converts crossterm events into `Key` before asking.

use std::fmt;

use super::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// One key press: a code and the ctrl/alt modifiers (shift is in the character's case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: Code::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// Parses one key: "j", "G", "?", "space", "enter", "ctrl-d", "alt-x", "shift-tab", "f5".
    pub fn parse(s: &str) -> Option<Key> {
        let mut key = Key::plain(Code::Esc);
        let mut rest = s;
        let mut shift = false;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("c-")) {
                key.ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-").or_else(|| lower.strip_prefix("m-")) {
                key.alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-").or_else(|| lower.strip_prefix("s-")) {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        key.code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && c != ' ' => {
                let c = if shift { c.to_uppercase().next().unwrap_or(c) } else { c };
                shift = false;
                // ctrl-D and ctrl-d are the same key to terminals.
                Code::Char(if key.ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => Code::Char(' '),
                "enter" | "return" => Code::Enter,
                "esc" | "escape" => Code::Esc,
                "tab" if shift => {
                    shift = false;
                    Code::BackTab
                }
                "tab" => Code::Tab,
                "backtab" => Code::BackTab,
                "backspace" => Code::Backspace,
                "delete" | "del" => Code::Delete,
                "insert" => Code::Insert,
                "up" => Code::Up,
                "down" => Code::Down,
                "left" => Code::Left,
                "right" => Code::Right,
                "home" => Code::Home,
                "end" => Code::End,
                "pageup" | "pgup" => Code::PageUp,
                "pagedown" | "pgdn" => Code::PageDown,
                f if f.starts_with('f') => Code::F(f[1..].parse().ok().filter(|n| (1..=24).contains(n))?),
                _ => return None,
            },
        };
        (!shift).then_some(key)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::F(n) => write!(f, "f{n}"),
            Code::BackTab => f.write_str("shift-tab"),
            other => f.write_str(&format!("{other:?}").to_ascii_lowercase()),
        }
    }
}

/// A key sequence such as "g g", written space-separated.
pub fn parse_sequence(s: &str) -> Option<Vec<Key>> {
    let keys: Option<Vec<Key>> = s.split_whitespace().map(Key::parse).collect();
    keys.filter(|k| !k.is_empty() && k.len() <= 4)
}

fn sequence_to_string(seq: &[Key]) -> String {
    seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
}

/// The bindings in force: defaults with the user's overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Vec<Key>, Action)>,
}

/// What a key (after any pending prefix) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Action(Action),
    /// The keys so far start a longer sequence: wait for the next key.
    Prefix,
    Unbound,
}

const DEFAULTS: &[(&str, Action)] = &[
    ("j", Action::MoveDown),
    ("down", Action::MoveDown),
    ("k", Action::MoveUp),
    ("up", Action::MoveUp),
    ("h", Action::FocusLeft),
    ("left", Action::FocusLeft),
    ("l", Action::FocusRight),
    ("right", Action::FocusRight),
    ("tab", Action::FocusNext),
    ("shift-tab", Action::FocusPrev),
    ("g g", Action::Top),
    ("home", Action::Top),
    ("G", Action::Bottom),
    ("end", Action::Bottom),
    ("ctrl-d", Action::HalfPageDown),
    ("ctrl-u", Action::HalfPageUp),
    ("ctrl-f", Action::PageDown),
    ("pagedown", Action::PageDown),
    ("ctrl-b", Action::PageUp),
    ("pageup", Action::PageUp),
    ("enter", Action::Open),
    ("space", Action::PageArticle),
    ("f", Action::FullArticle),
    ("o", Action::OpenLink),
    ("y", Action::CopyLink),
    ("F", Action::LinkHints),
    ("g l", Action::UrlPicker),
    ("g s", Action::Share),
    ("g m", Action::LastMessage),
    ("|", Action::Pipe),
    ("d", Action::Download),
    ("m", Action::ToggleRead),
    ("J", Action::NextUnread),
    ("K", Action::PrevUnread),
    ("x", Action::ReadAndNext),
    ("S", Action::CycleSort),
    ("s", Action::ToggleStar),
    ("v", Action::Visual),
    ("A", Action::MarkViewRead),
    ("U", Action::Undo),
    ("ctrl-r", Action::Redo),
    ("u", Action::ToggleUnreadOnly),
    (".", Action::ToggleHidden),
    ("=", Action::ToggleStory),
    ("r", Action::RefreshFeed),
    ("R", Action::RefreshAll),
    ("D", Action::RemoveFeed),
    ("/", Action::Search),
    ("n", Action::NextResult),
    ("N", Action::PrevResult),
    (":", Action::CommandLine),
    ("z", Action::ToggleFullscreen),
    ("c", Action::ToggleFeeds),
    ("H", Action::ToggleHideRead),
    ("?", Action::Help),
    ("q", Action::Back),
    ("esc", Action::Cancel),
    ("ctrl-c", Action::Quit),
];

/// newsboat's default meanings, for `[keys] preset = "newsboat"`: they replace whatever
/// khabar binds to the same keys (and sequences starting with them).
const NEWSBOAT: &[(&str, Action)] = &[
    ("n", Action::NextUnread),
    ("p", Action::PrevUnread),
    ("N", Action::ToggleRead),
    ("A", Action::MarkViewRead),
    ("o", Action::OpenLink),
    ("O", Action::OpenLink),
    ("r", Action::RefreshFeed),
    ("R", Action::RefreshAll),
    ("J", Action::MoveDown),
    ("K", Action::MoveUp),
    ("l", Action::ToggleHideRead),
    ("Q", Action::Quit),
    ("q", Action::Back),
    ("/", Action::Search),
    // n and N are newsboat's: search results move with these instead; `g g` stays top.
    ("ctrl-n", Action::NextResult),
    ("ctrl-p", Action::PrevResult),
    ("?", Action::Help),
];

/// Named sets of default keys, applied over khabar's own before the user's `[keys]`.
pub const PRESETS: &[&str] = &["khabar", "newsboat"];

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(keys, action)| (parse_sequence(keys).expect("default keys parse"), *action))
            .collect();
        Keymap { bindings }
    }
}

/// A user's `[keys]` entry that cannot be used, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingError {
    UnknownAction(String),
    BadKey(String),
    Conflict {
        keys: String,
        first: Action,
        second: Action,
    },
}

impl fmt::Display for BindingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindingError::UnknownAction(a) => write!(f, "unknown action {a:?} in [keys] (see `?` in khabar for the list)"),
            BindingError::BadKey(k) => write!(
                f,
                "bad key {k:?}: expected e.g. \"j\", \"G\", \"ctrl-d\", \"shift-tab\", \"enter\", \"space\", \"f5\" or a sequence \"g g\""
            ),
            BindingError::Conflict { keys, first, second } => {
                write!(f, "key {keys:?} is bound to both {} and {}", first.name(), second.name())
            }
        }
    }
}

impl Keymap {
    /// khabar's defaults with a preset's keys over them ("khabar": none).
    pub fn with_preset(name: &str) -> Option<Keymap> {
        let preset: &[(&str, Action)] = match name {
            "khabar" => &[],
            "newsboat" => NEWSBOAT,
            _ => return None,
        };
        let mut map = Keymap::default();
        for (keys, action) in preset {
            let seq = parse_sequence(keys).expect("preset keys parse");
            map.bindings
                .retain(|(s, _)| !s.starts_with(&seq) && !seq.starts_with(s.as_slice()));
            map.bindings.push((seq, *action));
        }
        Some(map)
    }

    /// The defaults with the user's bindings applied: an action the user lists loses its default
    /// keys, and a key the user gives an action is taken from any other action.
    /// `user` holds (action name, key strings) in config order; errors carry the entry's index
    /// and, for a bad key, the key's index.
    pub fn with_overrides(user: &[(String, Vec<String>)]) -> Result<Keymap, (usize, Option<usize>, BindingError)> {
        Keymap::default().overridden(user)
    }

    /// This keymap with the user's bindings applied (see `with_overrides`).
    pub fn overridden(self, user: &[(String, Vec<String>)]) -> Result<Keymap, (usize, Option<usize>, BindingError)> {
        let mut map = self;
        let mut taken: Vec<(Vec<Key>, Action)> = Vec::new();
        for (i, (name, keys)) in user.iter().enumerate() {
            let action = Action::from_name(name).ok_or((i, None, BindingError::UnknownAction(name.clone())))?;
            map.bindings.retain(|(_, a)| *a != action);
            for (k, key) in keys.iter().enumerate() {
                let seq = parse_sequence(key).ok_or((i, Some(k), BindingError::BadKey(key.clone())))?;
                if let Some((_, other)) = taken.iter().find(|(s, a)| *s == seq && *a != action) {
                    return Err((
                        i,
                        Some(k),
                        BindingError::Conflict {
                            keys: key.clone(),
                            first: *other,
                            second: action,
                        },
                    ));
                }
                map.bindings.retain(|(s, _)| *s != seq);
                taken.push((seq.clone(), action));
                map.bindings.push((seq, action));
            }
        }
        Ok(map)
    }

    /// What `keys` (a pending prefix plus the new key) means.
    pub fn resolve(&self, keys: &[Key]) -> Resolution {
        let mut prefix = false;
        for (seq, action) in &self.bindings {
            if seq.as_slice() == keys {
                return Resolution::Action(*action);
            }
            prefix |= seq.len() > keys.len() && seq.starts_with(keys);
        }
        if prefix {
            Resolution::Prefix
        } else {
            Resolution::Unbound
        }
    }

    /// The keys bound to an action, as written in the config ("g g", "ctrl-d").
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(seq, _)| sequence_to_string(seq))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_strings() {
        assert_eq!(Key::parse("j"), Some(Key::ch('j')));
        assert_eq!(Key::parse("G"), Some(Key::ch('G')));
        assert_eq!(Key::parse("shift-g"), Some(Key::ch('G')));
        assert_eq!(Key::parse("ctrl-D"), Some(Key::ctrl('d')));
        assert_eq!(Key::parse("shift-tab"), Some(Key::plain(Code::BackTab)));
        assert_eq!(Key::parse("space"), Some(Key::ch(' ')));
        assert_eq!(Key::parse("f5"), Some(Key::plain(Code::F(5))));
        assert_eq!(Key::parse("?"), Some(Key::ch('?')));
        for bad in ["", "foo", "ctrl-", "f99", "shift-enter", "jj"] {
            assert_eq!(Key::parse(bad), None, "{bad}");
        }
        assert_eq!(parse_sequence("g g"), Some(vec![Key::ch('g'), Key::ch('g')]));
    }

    /// The example config lists every action with its default keys, as the keymap has them.
    #[test]
    fn the_example_config_lists_every_action_and_its_keys() {
        let example = crate::config::EMBEDDED_DEFAULT;
        let map = Keymap::default();
        for action in Action::ALL {
            let keys = map.keys_for(*action);
            let written = match keys.as_slice() {
                [one] => format!("{} = {one:?}", action.name()),
                many => format!("{} = {:?}", action.name(), many),
            };
            assert!(example.contains(&written), "config.example.toml lacks `{written}`");
        }
    }

    #[test]
    fn resolves_sequences() {
        let map = Keymap::default();
        assert_eq!(map.resolve(&[Key::ch('g')]), Resolution::Prefix);
        assert_eq!(
            map.resolve(&[Key::ch('g'), Key::ch('g')]),
            Resolution::Action(Action::Top)
        );
        assert_eq!(map.resolve(&[Key::ch('Z')]), Resolution::Unbound);
        assert_eq!(map.keys_for(Action::Top), ["g g", "home"]);
    }

    #[test]
    fn user_bindings_replace_defaults() {
        let user = vec![
            ("move_down".to_string(), vec!["ctrl-n".to_string()]),
            ("help".to_string(), vec!["j".to_string()]),
        ];
        let map = Keymap::with_overrides(&user).unwrap();
        assert_eq!(map.resolve(&[Key::ctrl('n')]), Resolution::Action(Action::MoveDown));
        assert_eq!(map.resolve(&[Key::ch('j')]), Resolution::Action(Action::Help));
        assert_eq!(map.resolve(&[Key::plain(Code::Down)]), Resolution::Unbound);
        assert_eq!(map.resolve(&[Key::ch('?')]), Resolution::Unbound);

        let bad = vec![("fly".to_string(), vec!["x".to_string()])];
        assert_eq!(
            Keymap::with_overrides(&bad).unwrap_err().2,
            BindingError::UnknownAction("fly".into())
        );
        let bad = vec![("help".to_string(), vec!["x".to_string(), "hyper-x".to_string()])];
        assert_eq!(Keymap::with_overrides(&bad).unwrap_err().1, Some(1));
        let clash = vec![
            ("help".to_string(), vec!["x".to_string()]),
            ("quit".to_string(), vec!["x".to_string()]),
        ];
        assert!(matches!(
            Keymap::with_overrides(&clash).unwrap_err().2,
            BindingError::Conflict { .. }
        ));
    }
}
