//! `[[opener]]` tables: which program opens which link (by kind, MIME type glob or URL regex),
//! with `{url}`, `{title}` and `{feed}` put into its arguments; never a shell.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Position};
use crate::model::{LinkKind, OpenTarget};

/// An opener as configured.
#[derive(Debug, Clone)]
pub struct Opener {
    pub kind: Option<LinkKind>,
    /// A MIME type, `*` matching any run of characters (`audio/*`).
    pub mime: Option<String>,
    /// A regular expression the URL must match.
    pub url: Option<regex::Regex>,
    /// The program and its arguments.
    pub command: Vec<String>,
    /// The program takes the terminal (lynx, w3m, mpv in the terminal, less): the reader steps
    /// aside until it exits.
    pub terminal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOpener {
    kind: Option<Spanned<String>>,
    mime: Option<String>,
    url: Option<Spanned<String>>,
    command: Spanned<Vec<String>>,
    #[serde(default)]
    terminal: bool,
}

pub(super) fn openers(raw: Vec<RawOpener>, file: &str, text: &str) -> Result<Vec<Opener>, ConfigError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, o)| {
            let at = |offset: usize| Position::in_text(file, text, offset);
            let what = format!("opener {}", i + 1);
            let kind = match &o.kind {
                None => None,
                Some(k) => Some(match k.get_ref().as_str() {
                    "link" => LinkKind::Link,
                    "enclosure" => LinkKind::Enclosure,
                    "image" => LinkKind::Image,
                    other => {
                        return Err(at(k.span().start)
                            .error(format!("{what}: unknown kind {other:?}, use link, enclosure or image")))
                    }
                }),
            };
            let url = match &o.url {
                None => None,
                Some(re) => Some(
                    crate::query::compile_regex(re.get_ref())
                        .map_err(|e| at(re.span().start).error(format!("{what}: url: bad regex: {e}")))?,
                ),
            };
            let span = o.command.span();
            let command = o.command.into_inner();
            if command.first().is_none_or(|p| p.trim().is_empty()) {
                return Err(at(span.start).error(format!(
                    "{what}: command needs a program, like [\"mpv\", \"--no-video\", \"{{url}}\"]"
                )));
            }
            Ok(Opener {
                kind,
                mime: o.mime,
                url,
                command: super::values::expand_program(&command),
                terminal: o.terminal,
            })
        })
        .collect()
}

impl Opener {
    /// Whether this opener is for the link: every condition it has holds.
    pub fn matches(&self, target: &OpenTarget) -> bool {
        self.kind.is_none_or(|k| k == target.kind)
            && self
                .mime
                .as_deref()
                .is_none_or(|glob| target.mime.as_deref().is_some_and(|m| glob_matches(glob, m)))
            && self.url.as_ref().is_none_or(|re| re.is_match(&target.url))
    }

    /// The program and its arguments for the link: `{url}`, `{title}` and `{feed}` replaced
    /// inside each argument (each stays one argument, whatever it holds); the URL appended when
    /// no argument asks for it.
    pub fn argv(&self, target: &OpenTarget) -> Vec<String> {
        expand(&self.command, target)
    }
}

/// `command` with the placeholders filled in (see `Opener::argv`).
pub fn expand(command: &[String], target: &OpenTarget) -> Vec<String> {
    let mut argv: Vec<String> = command
        .iter()
        .map(|a| {
            a.replace("{url}", &target.url)
                .replace("{title}", &target.title)
                .replace("{feed}", &target.feed)
        })
        .collect();
    if !command.iter().any(|a| a.contains("{url}")) {
        argv.push(target.url.clone());
    }
    argv
}

/// The program for a link no opener is for: the `browser` setting (its words), else `$BROWSER`
/// (its first entry; `%s` is the URL, as that convention has it), else the system opener.
pub fn fallback(browser: Option<&str>, env_browser: Option<&str>, target: &OpenTarget) -> Vec<String> {
    // newsboat writes the URL's place as %u.
    let words = browser.map(|b| {
        b.split_whitespace()
            .map(|w| w.replace("%u", "{url}"))
            .collect::<Vec<_>>()
    });
    if let Some(words) = words {
        if !words.is_empty() {
            return expand(&words, target);
        }
    }
    if let Some(first) = env_browser.and_then(|b| b.split(':').map(str::trim).find(|s| !s.is_empty())) {
        let words: Vec<String> = first.split_whitespace().map(|w| w.replace("%s", "{url}")).collect();
        return expand(&words, target);
    }
    let system = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    expand(&[system.to_string()], target)
}

/// `*` matches any run of characters; everything else as written (ASCII case ignored).
fn glob_matches(glob: &str, text: &str) -> bool {
    let (glob, text) = (glob.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let mut rest = text.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Config, ConfigSource};
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "c.toml", Path::new("/"), ConfigSource::User("c.toml".into()))
    }

    fn target(url: &str, kind: LinkKind, mime: Option<&str>) -> OpenTarget {
        OpenTarget {
            url: url.into(),
            kind,
            mime: mime.map(str::to_string),
            title: "A \"title\"; rm -rf ~".into(),
            feed: "Feed $(id)".into(),
        }
    }

    #[test]
    fn openers_choose_by_kind_type_and_url_and_fill_arguments_inertly() {
        let c = parse(
            "[[opener]]\nkind = \"enclosure\"\nmime = \"audio/*\"\ncommand = [\"mpv\", \"--no-video\", \"--title={title}\", \"{url}\"]\nterminal = true\n\
             [[opener]]\nurl = \"^https://(www\\\\.)?youtube\\\\.com/\"\ncommand = [\"mpv\"]\n",
        )
        .unwrap();
        let hostile = "https://x.example/a;$(touch /tmp/p)`id`|b";
        let audio = target(hostile, LinkKind::Enclosure, Some("audio/mpeg"));
        let first = &c.openers[0];
        assert!(first.terminal && first.matches(&audio));
        assert_eq!(
            first.argv(&audio),
            ["mpv", "--no-video", "--title=A \"title\"; rm -rf ~", hostile],
            "each placeholder stays inside its one argument"
        );
        assert!(!first.matches(&target(hostile, LinkKind::Enclosure, Some("video/mp4"))));
        assert!(!first.matches(&target(hostile, LinkKind::Link, Some("audio/mpeg"))));
        let video = target("https://www.youtube.com/watch?v=1", LinkKind::Link, None);
        assert!(c.openers[1].matches(&video) && !c.openers[1].matches(&audio));
        assert_eq!(c.openers[1].argv(&video), ["mpv", "https://www.youtube.com/watch?v=1"]);
    }

    #[test]
    fn without_an_opener_the_browser_setting_then_browser_env_then_the_system_opener() {
        let t = target("https://a.example/", LinkKind::Link, None);
        assert_eq!(
            fallback(Some("firefox --new-tab"), Some("lynx"), &t),
            ["firefox", "--new-tab", "https://a.example/"]
        );
        // newsboat's `browser "lynx %u"`: the URL where %u stands, not appended.
        assert_eq!(
            fallback(Some("lynx %u -dump"), None, &t),
            ["lynx", "https://a.example/", "-dump"]
        );
        assert_eq!(fallback(None, Some("w3m %s:lynx"), &t), ["w3m", "https://a.example/"]);
        assert_eq!(fallback(None, Some("lynx"), &t), ["lynx", "https://a.example/"]);
        let system = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        assert_eq!(fallback(None, None, &t), [system, "https://a.example/"]);
    }

    #[test]
    fn mistakes_name_the_file_line_and_column() {
        let err = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            err("[[opener]]\nkind = \"audio\"\ncommand = [\"mpv\"]\n"),
            "c.toml:2:8: opener 1: unknown kind \"audio\", use link, enclosure or image"
        );
        assert!(err("[[opener]]\ncommand = []\n").starts_with("c.toml:2:11: opener 1: command needs a program"));
        assert!(err("[[opener]]\nurl = \"(\"\ncommand = [\"x\"]\n").contains("opener 1: url: bad regex"));
        assert!(glob_matches("audio/*", "Audio/MPEG") && !glob_matches("audio/*", "video/mp4"));
        assert!(glob_matches("*/*ogg*", "audio/x-vorbis+ogg") && glob_matches("text/html", "text/html"));
    }
}
