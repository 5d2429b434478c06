//! newsboat's `config` file as khabar settings: browser, bind-key (over the newsboat key preset),
//! ignore-article (hiding filters), color, limits and notifications; every other line reported.

use std::collections::BTreeMap;

use crate::config::SettingValue;

use super::query;
use super::split_words;

/// One thing a config line asks for, in khabar's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `[table] key = value`, where the file has no such key yet.
    Set {
        table: &'static str,
        key: String,
        value: SettingValue,
    },
    /// A `[[filter]]` with action `hide` (feeds: empty for all).
    Hide { query: String, feeds: Vec<String> },
}

/// A config file translated: the changes with their lines, the lines left out with why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Translated {
    pub changes: Vec<(usize, Change)>,
    pub skipped: Vec<(usize, String)>,
}

/// newsboat operations with a counterpart, and the khabar action each becomes.
const OPERATIONS: &[(&str, &str)] = &[
    ("up", "move_up"),
    ("down", "move_down"),
    ("prev", "move_up"),
    ("next", "move_down"),
    ("next-unread", "next_unread"),
    ("prev-unread", "prev_unread"),
    ("next-feed", "next_unread"),
    ("prev-feed", "prev_unread"),
    ("open", "open"),
    ("open-in-browser", "open_link"),
    ("open-in-browser-and-mark-read", "open_link"),
    ("goto-url", "open_link"),
    ("show-urls", "open_link"),
    ("toggle-article-read", "toggle_read"),
    ("mark-feed-read", "mark_view_read"),
    ("mark-all-feeds-read", "mark_view_read"),
    ("reload", "refresh_feed"),
    ("reload-all", "refresh_all"),
    ("quit", "back"),
    ("hard-quit", "quit"),
    ("search", "search"),
    ("help", "help"),
    ("toggle-show-read-feeds", "toggle_hide_read"),
    ("home", "top"),
    ("end", "bottom"),
    ("pageup", "page_up"),
    ("pagedown", "page_down"),
    ("halfpageup", "half_page_up"),
    ("halfpagedown", "half_page_down"),
    ("sort", "cycle_sort"),
    ("rev-sort", "cycle_sort"),
    ("edit-flags", "toggle_star"),
    ("pipe-to", "pipe"),
    ("cmdline", "command_line"),
    ("delete-feed", "remove_feed"),
];

/// newsboat's key names as khabar writes them; None for a key khabar has no name for.
fn key_name(key: &str) -> Option<String> {
    if let Some(letter) = key.strip_prefix('^').filter(|l| l.chars().count() == 1) {
        return Some(format!("ctrl-{}", letter.to_lowercase()));
    }
    let named = match key {
        "ENTER" => "enter",
        "SPACE" => "space",
        "TAB" => "tab",
        "ESC" => "esc",
        "UP" => "up",
        "DOWN" => "down",
        "LEFT" => "left",
        "RIGHT" => "right",
        "PPAGE" => "pageup",
        "NPAGE" => "pagedown",
        "HOME" => "home",
        "END" => "end",
        "BACKSPACE" => "backspace",
        "DEL" => "delete",
        _ => "",
    };
    if !named.is_empty() {
        return Some(named.into());
    }
    if let Some(n) = key
        .strip_prefix('F')
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=12).contains(n))
    {
        return Some(format!("f{n}"));
    }
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_whitespace() && !c.is_control() => Some(c.to_string()),
        _ => None,
    }
}

/// newsboat colour names as khabar reads them; None for `default` and unknown ones.
fn colour(name: &str) -> Option<String> {
    if let Some(n) = name.strip_prefix("color").and_then(|n| n.parse::<u8>().ok()) {
        return Some(n.to_string());
    }
    let known = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
    if known.contains(&name)
        || (name.starts_with('#') && name.len() == 7 && name[1..].chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Some(name.to_string());
    }
    None
}

/// Translates newsboat's `config`.
pub fn translate(text: &str) -> Translated {
    let mut out = Translated::default();
    // Keys per action, in file order: an action newsboat binds twice gets both keys.
    let mut keys: BTreeMap<&'static str, (usize, Vec<String>)> = BTreeMap::new();
    let mut bound: BTreeMap<String, &'static str> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let words = split_words(line.trim());
        let Some(command) = words.first() else { continue };
        if command.starts_with('#') {
            continue;
        }
        let args: Vec<&str> = words[1..]
            .iter()
            .map(String::as_str)
            .take_while(|w| !w.starts_with('#'))
            .collect();
        let mut set = |table: &'static str, key: &str, value: SettingValue| {
            out.changes.push((
                line_no,
                Change::Set {
                    table,
                    key: key.into(),
                    value,
                },
            ));
        };
        let first = args.first().copied().unwrap_or("");
        let yes = matches!(first, "yes" | "true");
        match command.as_str() {
            "browser" if !first.is_empty() => set("general", "browser", SettingValue::Text(first.replace("%u", "{url}"))),
            "max-items" => match first.parse::<i64>() {
                Ok(n) if n > 0 => set("general", "articles_per_feed", SettingValue::Int(n)),
                _ => out.skipped.push((line_no, format!("{line}: khabar keeps at most articles_per_feed (500) read articles per feed; 0 (keep all) has no counterpart"))),
            },
            "reload-time" => match first.parse::<u64>() {
                Ok(n) if n > 0 => set("general", "refresh_interval", SettingValue::Text(format!("{n}m"))),
                _ => out.skipped.push((line_no, format!("{line}: not a number of minutes"))),
            },
            "user-agent" if !first.is_empty() => set("general", "user_agent", SettingValue::Text(first.into())),
            "notify-program" if !first.is_empty() => {
                set(
                    "general",
                    "notify_command",
                    SettingValue::List(vec![first.into(), "khabar: {count} new articles in {feeds}".into()]),
                );
            }
            "confirm-mark-all-feeds-read" | "confirm-mark-feed-read" => set("general", "confirm_mark_all", SettingValue::Bool(yes)),
            "confirm-exit" => set("general", "confirm_quit", SettingValue::Bool(yes)),
            "show-read-feeds" => set("general", "show_read_feeds", SettingValue::Bool(yes)),
            "bind-key" => bind_key(&args, line_no, line, &mut keys, &mut bound, &mut out.skipped),
            "ignore-article" => match (args.first(), args.get(1)) {
                (Some(feed), Some(expr)) => match query::translate(expr) {
                    Ok(query) => {
                        let feeds = if *feed == "*" { vec![] } else { vec![(*feed).to_string()] };
                        out.changes.push((line_no, Change::Hide { query, feeds }));
                    }
                    Err(why) => out.skipped.push((line_no, format!("{line}: {why}"))),
                },
                _ => out.skipped.push((line_no, format!("{line}: ignore-article needs a feed and a filter"))),
            },
            "color" => color(&args, line_no, line, &mut out),
            "macro" => out.skipped.push((line_no, format!("{line}: macros have no counterpart; `:` commands and [keys] cover most of their uses"))),
            _ => out.skipped.push((line_no, format!("{line}: no such setting in khabar"))),
        }
    }
    for (action, (line, list)) in keys {
        let value = if list.len() == 1 {
            SettingValue::Text(list[0].clone())
        } else {
            SettingValue::List(list)
        };
        out.changes.push((
            line,
            Change::Set {
                table: "keys",
                key: action.into(),
                value,
            },
        ));
    }
    out
}

fn bind_key(
    args: &[&str],
    line_no: usize,
    line: &str,
    keys: &mut BTreeMap<&'static str, (usize, Vec<String>)>,
    bound: &mut BTreeMap<String, &'static str>,
    skipped: &mut Vec<(usize, String)>,
) {
    let (Some(key), Some(op)) = (args.first(), args.get(1)) else {
        return skipped.push((line_no, format!("{line}: bind-key needs a key and an operation")));
    };
    let Some(action) = OPERATIONS.iter().find(|(o, _)| o == op).map(|(_, a)| *a) else {
        return skipped.push((
            line_no,
            format!("{line}: newsboat's {op} has no counterpart (press ? in khabar for every action)"),
        ));
    };
    let Some(name) = key_name(key) else {
        return skipped.push((line_no, format!("{line}: khabar has no name for the key {key:?}")));
    };
    // newsboat binds per dialog; khabar's keys mean one thing everywhere: the first one wins.
    if let Some(other) = bound.get(&name).filter(|a| **a != action) {
        return skipped.push((
            line_no,
            format!("{line}: {name:?} is already {other} from an earlier line"),
        ));
    }
    bound.insert(name.clone(), action);
    let entry = keys.entry(action).or_insert((line_no, Vec::new()));
    if !entry.1.contains(&name) {
        entry.1.push(name);
    }
}

fn color(args: &[&str], line_no: usize, line: &str, out: &mut Translated) {
    let (Some(element), Some(fg), bg) = (args.first(), args.get(1), args.get(2)) else {
        return out
            .skipped
            .push((line_no, format!("{line}: color needs an element and a colour")));
    };
    // khabar colours the selection and the status bar as backgrounds, the rest as text.
    let (target, from) = match *element {
        "listnormal" | "article" => ("text", *fg),
        "listnormal_unread" => ("unread", *fg),
        "listfocus" | "listfocus_unread" => ("selection", bg.copied().unwrap_or("default")),
        "info" => ("status", bg.copied().unwrap_or("default")),
        "title" => ("title", *fg),
        _ => {
            return out
                .skipped
                .push((line_no, format!("{line}: khabar has no {element} element")))
        }
    };
    match colour(from) {
        Some(c) => out.changes.push((
            line_no,
            Change::Set {
                table: "theme",
                key: target.into(),
                value: SettingValue::Text(c),
            },
        )),
        None => out.skipped.push((
            line_no,
            format!("{line}: {from:?} keeps khabar's own colour for {target}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_becomes_a_setting_or_a_reason() {
        let t = translate(
            "# mine\nbrowser \"lynx %u\"\nbind-key j down\nbind-key ^D pagedown\nbind-key k up feedlist\nbind-key k prev article\nbind-key X toggle-source-view\nmax-items 100\nreload-time 15\ncolor listfocus black yellow bold\ncolor background white black\nmacro p set browser \"mpv %u\"\nignore-article \"*\" \"title =~ \\\"Sponsored\\\"\"\nauto-reload yes\nconfirm-mark-all-feeds-read no\n",
        );
        let set = |table: &str, key: &str| {
            t.changes.iter().find_map(|(_, c)| match c {
                Change::Set {
                    table: tb,
                    key: k,
                    value,
                } if *tb == table && k == key => Some(value.clone()),
                _ => None,
            })
        };
        assert_eq!(set("general", "browser"), Some(SettingValue::Text("lynx {url}".into())));
        assert_eq!(set("keys", "move_down"), Some(SettingValue::Text("j".into())));
        assert_eq!(set("keys", "page_down"), Some(SettingValue::Text("ctrl-d".into())));
        assert_eq!(set("keys", "move_up"), Some(SettingValue::Text("k".into())));
        assert_eq!(set("general", "articles_per_feed"), Some(SettingValue::Int(100)));
        assert_eq!(set("general", "confirm_mark_all"), Some(SettingValue::Bool(false)));
        assert_eq!(
            set("general", "refresh_interval"),
            Some(SettingValue::Text("15m".into()))
        );
        assert_eq!(set("theme", "selection"), Some(SettingValue::Text("yellow".into())));
        assert!(t.changes.iter().any(|(line, c)| *line == 13
            && *c
                == Change::Hide {
                    query: "title:/(?-i)Sponsored/".into(),
                    feeds: vec![]
                }));
        let skipped: Vec<usize> = t.skipped.iter().map(|(l, _)| *l).collect();
        assert_eq!(skipped, [7, 11, 12, 14], "{:?}", t.skipped);
    }
}
