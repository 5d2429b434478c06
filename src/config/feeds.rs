//! `[[feed]]` tables: where a feed's bytes come from (a URL, a file, a program, a program that
//! filters the fetched body, a page scraped with CSS selectors) and its settings over `[general]`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::error::line_col;
use super::values::{expand_program, parse_target, FeedTarget, HumanDuration};
use super::{ConfigError, Position, SecretSource};

/// One `[[feed]]` table.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// As written in the config (for a script feed: `exec:` and its words): the feed's identity
    /// in the cache.
    pub url: String,
    pub target: FeedTarget,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub refresh_interval: Option<Duration>,
    /// Reader mode on refresh: fetch each new article's page and keep its main content.
    pub full_text: bool,
    /// Its new articles count in notifications (`notify = false` leaves them out).
    pub notify: bool,
    /// Its articles may join stories (`group = false` keeps each on its own).
    pub group: bool,
    /// A program the fetched body goes through (stdin to stdout) before it is parsed.
    pub filter: Option<Vec<String>>,
    /// The body is a web page: its items are found with these selectors.
    pub scrape: Option<Arc<Scrape>>,
    /// The newest this many articles are kept (never a starred one), over `articles_per_feed`.
    pub max_items: Option<usize>,
    /// Articles older than this are dropped (never a starred one).
    pub max_age: Option<Duration>,
    /// How its HTTP requests differ from the default ones.
    pub request: FeedRequest,
    /// Where reader mode finds the article on this feed's pages (a CSS selector).
    pub reader_selector: Option<String>,
}

/// A feed's own HTTP settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedRequest {
    pub user_agent: Option<String>,
    /// Extra headers, each value written or read from a program (for tokens).
    pub headers: Vec<(String, SecretSource)>,
    /// HTTP basic auth: the user name and where the password comes from.
    pub basic_auth: Option<(String, SecretSource)>,
    pub proxy: Option<String>,
}

impl FeedRequest {
    pub fn is_default(&self) -> bool {
        *self == FeedRequest::default()
    }
}

/// `[feed.scrape]`: CSS selectors, each optionally `selector@attribute` (else its text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scrape {
    /// Each match is one article; the others are read inside it.
    pub item: String,
    pub title: String,
    #[serde(default = "default_link")]
    pub link: String,
    pub date: Option<String>,
    /// A chrono format for `date` when it is not RFC 3339/2822 or a common form.
    pub date_format: Option<String>,
    pub summary: Option<String>,
    pub author: Option<String>,
}

fn default_link() -> String {
    "a@href".into()
}

impl Scrape {
    /// Each selector by its key, for errors that name the one that failed.
    pub fn selectors(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("item", self.item.as_str()),
            ("title", &self.title),
            ("link", &self.link),
        ];
        for (name, sel) in [
            ("date", &self.date),
            ("summary", &self.summary),
            ("author", &self.author),
        ] {
            if let Some(s) = sel {
                out.push((name, s));
            }
        }
        out
    }
}

/// A selector and the attribute read from its match (`a@href`), or None for its text.
pub fn split_selector(sel: &str) -> (&str, Option<&str>) {
    match sel.rsplit_once('@') {
        Some((css, attr)) if !attr.is_empty() && !attr.contains([' ', ']', ')']) => (css.trim(), Some(attr.trim())),
        _ => (sel.trim(), None),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeed {
    url: Option<Spanned<String>>,
    command: Option<Spanned<Vec<String>>>,
    filter: Option<Spanned<Vec<String>>>,
    scrape: Option<Spanned<Scrape>>,
    title: Option<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    refresh_interval: Option<HumanDuration>,
    #[serde(default)]
    full_text: bool,
    notify: Option<bool>,
    group: Option<bool>,
    max_items: Option<Spanned<usize>>,
    max_age: Option<HumanDuration>,
    user_agent: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<HeaderValue>>,
    username: Option<Spanned<String>>,
    password_command: Option<Spanned<Vec<String>>>,
    proxy: Option<Spanned<String>>,
    reader_selector: Option<Spanned<String>>,
}

/// A header's value: written, or the first line a program prints.
#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderValue {
    Text(String),
    Command(Vec<String>),
}

/// Checks every `[[feed]]`: its source, settings and selectors, and that none is listed twice.
pub(super) fn feeds(
    raw: Vec<Spanned<RawFeed>>,
    file: &str,
    text: &str,
    base_dir: &Path,
) -> Result<Vec<FeedConfig>, ConfigError> {
    let at = |offset: usize| Position::in_text(file, text, offset);
    let mut feeds: Vec<FeedConfig> = Vec::with_capacity(raw.len());
    let mut seen = HashMap::new();
    for table in raw {
        let table_start = table.span().start;
        let f = table.into_inner();
        let (url, target, start) = source(&f, &at, base_dir, table_start)?;
        // The first entry's offset, turned into a line only for the error: counting lines for
        // every feed would cost time quadratic in the number of feeds.
        if let Some(first) = seen.insert(target.clone(), start) {
            let first_line = line_col(text, first).0;
            return Err(at(start).error(format!("duplicate feed {url:?} (already listed on line {first_line})")));
        }
        let mut tags = Vec::new();
        for t in &f.tags {
            let tag = t.get_ref().trim().to_string();
            if tag.is_empty() || tag.chars().any(char::is_control) {
                return Err(at(t.span().start).error(format!("bad tag {tag:?}: tags must be non-empty text")));
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let filter = match &f.filter {
            Some(argv) => Some(program(argv, "filter", &at)?),
            None => None,
        };
        let scrape = match &f.scrape {
            Some(s) => {
                check_scrape(s.get_ref()).map_err(|m| at(s.span().start).error(m))?;
                Some(Arc::new(s.get_ref().clone()))
            }
            None => None,
        };
        if let Some(sel) = &f.reader_selector {
            dom_query::Matcher::new(sel.get_ref()).map_err(|_| {
                at(sel.span().start).error(format!("reader_selector: {:?} is not a CSS selector", sel.get_ref()))
            })?;
        }
        if let Some(n) = f.max_items.as_ref().filter(|n| *n.get_ref() == 0) {
            return Err(at(n.span().start).error("`max_items` must be at least 1"));
        }
        feeds.push(FeedConfig {
            request: request(&f, &at)?,
            url,
            target,
            title: f.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            tags,
            refresh_interval: f.refresh_interval.map(|d| d.0),
            full_text: f.full_text,
            notify: f.notify.unwrap_or(true),
            group: f.group.unwrap_or(true),
            filter,
            scrape,
            max_items: f.max_items.map(Spanned::into_inner),
            max_age: f.max_age.map(|d| d.0),
            reader_selector: f.reader_selector.map(Spanned::into_inner),
        });
    }
    Ok(feeds)
}

/// The feed's identity, target and where it was written: `url` or `command`, exactly one.
fn source(
    f: &RawFeed,
    at: &dyn Fn(usize) -> Position,
    base_dir: &Path,
    table_start: usize,
) -> Result<(String, FeedTarget, usize), ConfigError> {
    match (&f.url, &f.command) {
        (Some(url), None) => {
            let start = url.span().start;
            let written = url.get_ref().trim().to_string();
            let target = parse_target(&written, base_dir).map_err(|m| at(start).error(m))?;
            if f.filter.is_some() && f.scrape.is_some() {
                return Err(at(start).error("give `filter` or `[feed.scrape]`, not both"));
            }
            Ok((written, target, start))
        }
        (None, Some(command)) => {
            let start = command.span().start;
            if f.filter.is_some() || f.scrape.is_some() {
                return Err(
                    at(start).error("a `command` feed's output is the feed: `filter` and `scrape` are for `url` feeds")
                );
            }
            let argv = program(command, "command", at)?;
            Ok((command_identity(command.get_ref()), FeedTarget::Command(argv), start))
        }
        (Some(url), Some(_)) => Err(at(url.span().start).error("give `url` or `command`, not both")),
        (None, None) => {
            Err(at(table_start).error("a [[feed]] needs `url = \"https://…\"` or `command = [\"program\", \"arg\"]`"))
        }
    }
}

/// A script feed's identity: `exec:` and its words as written (quoted where they hold a blank),
/// as newsboat names such a feed.
pub fn command_identity(argv: &[String]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(char::is_whitespace) || w.contains(['"', '\'', '\\']) {
                format!("{w:?}")
            } else {
                w.clone()
            }
        })
        .collect();
    format!("exec:{}", words.join(" "))
}

/// An argv: not empty, its program with `~` expanded.
fn program(argv: &Spanned<Vec<String>>, key: &str, at: &dyn Fn(usize) -> Position) -> Result<Vec<String>, ConfigError> {
    if argv.get_ref().first().is_none_or(|p| p.trim().is_empty()) {
        return Err(at(argv.span().start).error(format!("`{key}` needs a program: [\"program\", \"arg\", …]")));
    }
    Ok(expand_program(argv.get_ref()))
}

fn check_scrape(s: &Scrape) -> Result<(), String> {
    for (name, sel) in s.selectors() {
        let (css, _) = split_selector(sel);
        if css.is_empty() || dom_query::Matcher::new(css).is_err() {
            return Err(format!("[feed.scrape] {name}: {sel:?} is not a CSS selector"));
        }
    }
    Ok(())
}

fn request(f: &RawFeed, at: &dyn Fn(usize) -> Position) -> Result<FeedRequest, ConfigError> {
    let mut headers = Vec::new();
    for (name, value) in &f.headers {
        let bad = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err();
        if bad {
            return Err(at(value.span().start).error(format!("headers: {name:?} is not a header name")));
        }
        let source = match value.get_ref() {
            HeaderValue::Text(t) => SecretSource::Plain(t.clone()),
            HeaderValue::Command(argv) if !argv.is_empty() => SecretSource::Command(expand_program(argv)),
            HeaderValue::Command(_) => {
                return Err(at(value.span().start).error(format!("headers: {name:?} has an empty command")))
            }
        };
        headers.push((name.clone(), source));
    }
    let basic_auth = match (&f.username, &f.password_command) {
        (Some(user), Some(cmd)) => Some((
            user.get_ref().clone(),
            SecretSource::Command(program(cmd, "password_command", at)?),
        )),
        (None, None) => None,
        (Some(user), None) => {
            return Err(
                at(user.span().start).error("`username` needs `password_command` (a program that prints the password)")
            )
        }
        (None, Some(cmd)) => return Err(at(cmd.span().start).error("`password_command` needs `username`")),
    };
    if let Some(proxy) = &f.proxy {
        reqwest::Proxy::all(proxy.get_ref()).map_err(|_| {
            at(proxy.span().start).error(format!(
                "proxy: {:?} is not a proxy URL (http:// or https://)",
                proxy.get_ref()
            ))
        })?;
    }
    Ok(FeedRequest {
        user_agent: f.user_agent.clone(),
        headers,
        basic_auth,
        proxy: f.proxy.as_ref().map(|p| p.get_ref().clone()),
    })
}
