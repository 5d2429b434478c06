//! `[[share]]` tables: named programs an article is sent to (a read-later service, mail), their
//! argv with `{url}`, `{title}` and `{feed}` filled in; the article's text goes to their stdin.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Position};
use super::values::expand_program;

/// A share target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub name: String,
    pub command: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShare {
    name: Spanned<String>,
    command: Spanned<Vec<String>>,
}

/// Checks the `[[share]]` tables: a name each, once, and a program.
pub(super) fn shares(raw: Vec<RawShare>, file: &str, text: &str) -> Result<Vec<Share>, ConfigError> {
    let at = |offset: usize| Position::in_text(file, text, offset);
    let mut out: Vec<Share> = Vec::with_capacity(raw.len());
    for s in raw {
        let name = s.name.get_ref().trim().to_string();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(at(s.name.span().start).error("a share's `name` must be non-empty text"));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(at(s.name.span().start).error(format!("duplicate share name {name:?}")));
        }
        if s.command.get_ref().first().is_none_or(|p| p.trim().is_empty()) {
            return Err(at(s.command.span().start).error(format!(
                "share {name:?}: command needs a program: [\"program\", \"{{url}}\"]"
            )));
        }
        out.push(Share {
            name,
            command: expand_program(s.command.get_ref()),
        });
    }
    Ok(out)
}

impl Share {
    /// Its argv for an article: each placeholder inside the argument it was written in, never
    /// split or run through a shell.
    pub fn argv(&self, url: &str, title: &str, feed: &str) -> Vec<String> {
        self.command
            .iter()
            .map(|a| {
                a.replace("{url}", url)
                    .replace("{title}", title)
                    .replace("{feed}", feed)
            })
            .collect()
    }
}
