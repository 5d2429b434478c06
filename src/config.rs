//! The TOML config: types, loading with file:line:column errors, validation, and XDG paths.
//! The embedded default (config.example.toml) is used when the user has no file of their own.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer};
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::tui::keymap::Keymap;
use crate::tui::ui::theme::{parse_color, Element};

/// The documented example config, compiled in: khabar runs on it when the user has no file.
pub const EMBEDDED_DEFAULT: &str = include_str!("../config.example.toml");

/// A config that could not be used. Always names the file and, where known, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// Where the config came from, so the UI and CLI can tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    User(PathBuf),
    /// No file anywhere: running on the embedded default; `suggested` is where a user's file goes.
    Embedded {
        suggested: PathBuf,
    },
}

/// Standard locations, resolved once at startup.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// XDG paths (`~/.config/khabar`, `~/.local/share/khabar`), also on macOS.
    pub fn discover() -> Result<Paths, ConfigError> {
        use etcetera::app_strategy::{AppStrategy, AppStrategyArgs};
        let strategy = etcetera::choose_app_strategy(AppStrategyArgs {
            top_level_domain: "org".into(),
            author: "khabar".into(),
            app_name: "khabar".into(),
        })
        .map_err(|e| ConfigError::Io {
            file: "$HOME".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(Paths {
            config_dir: strategy.config_dir(),
            data_dir: strategy.data_dir(),
        })
    }

    pub fn default_config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn default_cache_file(&self) -> PathBuf {
        self.data_dir.join("cache.db")
    }
}

/// Picks the config file: `--config`, else `$KHABAR_CONFIG`, else the XDG file if it exists.
pub fn locate(explicit: Option<&Path>, env: Option<&Path>, paths: &Paths) -> ConfigSource {
    if let Some(p) = explicit.or(env) {
        return ConfigSource::User(p.to_path_buf());
    }
    let default = paths.default_config_file();
    if default.exists() {
        ConfigSource::User(default)
    } else {
        ConfigSource::Embedded { suggested: default }
    }
}

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    pub general: General,
    pub feeds: Vec<FeedConfig>,
    /// The keymap in force: defaults with `[keys]` applied (validated at load).
    pub keymap: Keymap,
    /// `[theme]`: element name and colour, validated at load.
    pub theme: Vec<(String, String)>,
    pub source: ConfigSource,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct General {
    /// How often the background poller refreshes each feed.
    pub refresh_interval: HumanDuration,
    /// Feeds fetched at once.
    pub concurrency: usize,
    /// Feeds fetched at once from one host.
    pub per_host_concurrency: usize,
    /// Whole-request limit: connect, redirects and body.
    pub request_timeout: HumanDuration,
    pub connect_timeout: HumanDuration,
    /// Cap on a decompressed response body.
    pub max_body_size: ByteSize,
    pub max_redirects: usize,
    /// Newest articles kept per feed (unread and starred ones are always kept).
    pub articles_per_feed: usize,
    /// Program that opens links; None = the system opener.
    pub browser: Option<String>,
    pub user_agent: String,
}

impl Default for General {
    fn default() -> Self {
        General {
            refresh_interval: HumanDuration(Duration::from_secs(30 * 60)),
            concurrency: 16,
            per_host_concurrency: 8,
            request_timeout: HumanDuration(Duration::from_secs(30)),
            connect_timeout: HumanDuration(Duration::from_secs(10)),
            max_body_size: ByteSize(16 * 1024 * 1024),
            max_redirects: 10,
            articles_per_feed: 500,
            browser: None,
            user_agent: concat!("khabar/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// One `[[feed]]` table.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// As written in the config: the feed's identity in the cache.
    pub url: String,
    pub target: FeedTarget,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub refresh_interval: Option<Duration>,
    /// Reader mode on refresh: fetch each new article's page and keep its main content.
    pub full_text: bool,
}

/// Where a feed's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedTarget {
    Http(Url),
    File(PathBuf),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    general: General,
    #[serde(default)]
    feed: Vec<RawFeed>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<KeyList>>,
    #[serde(default)]
    theme: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `action = "key"` or `action = ["key", "other key"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn into_vec(self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k],
            KeyList::Many(ks) => ks,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: Spanned<String>,
    title: Option<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    refresh_interval: Option<HumanDuration>,
    #[serde(default)]
    full_text: bool,
}

/// A duration written as "90s", "15m", "2h", "1d" or combined ("1h30m").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s).map(HumanDuration).ok_or_else(|| {
            de::Error::custom(format!(
                "bad duration {s:?}: expected e.g. \"90s\", \"15m\", \"2h\", \"1d\""
            ))
        })
    }
}

/// Parses "15m", "2h", "1h30m", "45s", "1d". Zero and unknown units are rejected.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !digits.is_empty() || total == 0 {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// A size: an integer of bytes, or "512KiB", "16MiB", "1GiB" (also KB/MB/GB as powers of 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Text(String),
        }
        let bad = |s: &str| de::Error::custom(format!("bad size {s:?}: expected bytes or e.g. \"16MiB\""));
        match Raw::deserialize(d)? {
            Raw::Int(0) => Err(bad("0")),
            Raw::Int(n) => Ok(ByteSize(n)),
            Raw::Text(s) => parse_size(&s).map(ByteSize).ok_or_else(|| bad(&s)),
        }
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v > 0)
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::User(p) => write!(f, "{}", p.display()),
            ConfigSource::Embedded { .. } => write!(f, "the built-in default config"),
        }
    }
}

impl ConfigSource {
    /// The one-time notice shown when no user file exists.
    pub fn notice(&self) -> Option<String> {
        match self {
            ConfigSource::User(_) => None,
            ConfigSource::Embedded { suggested } => Some(format!(
                "no config file, so the built-in default is in use; yours goes in {} (or use --config or KHABAR_CONFIG)",
                suggested.display()
            )),
        }
    }
}

impl Config {
    /// Reads and validates the config from its source. Never writes anything.
    pub fn load(source: ConfigSource) -> Result<Config, ConfigError> {
        match &source {
            ConfigSource::User(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
                    file: path.display().to_string(),
                    source: e,
                })?;
                let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Self::parse(&text, &path.display().to_string(), &base, source.clone())
            }
            ConfigSource::Embedded { .. } => {
                let cwd = std::env::current_dir().unwrap_or_default();
                Self::parse(EMBEDDED_DEFAULT, "<built-in config.example.toml>", &cwd, source.clone())
            }
        }
    }

    /// Parses config text. `file` names it in errors; relative feed paths resolve against `base_dir`.
    pub fn parse(text: &str, file: &str, base_dir: &Path, source: ConfigSource) -> Result<Config, ConfigError> {
        let at = |span: Option<Range<usize>>, message: String| {
            let (line, column) = span.map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError::Invalid {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| at(e.span(), e.message().trim().to_string()))?;

        let g = &raw.general;
        if g.concurrency == 0 || g.per_host_concurrency == 0 {
            let key = if g.concurrency == 0 {
                "concurrency"
            } else {
                "per_host_concurrency"
            };
            return Err(at(find_key(text, key), format!("`{key}` must be at least 1")));
        }
        if g.articles_per_feed == 0 {
            return Err(at(
                find_key(text, "articles_per_feed"),
                "`articles_per_feed` must be at least 1".into(),
            ));
        }

        let mut feeds: Vec<FeedConfig> = Vec::with_capacity(raw.feed.len());
        let mut seen = std::collections::HashMap::new();
        for f in raw.feed {
            let span = f.url.span();
            let url = f.url.into_inner().trim().to_string();
            let target = parse_target(&url, base_dir).map_err(|m| at(Some(span.clone()), m))?;
            // The first entry's offset, turned into a line only for the error: counting lines for
            // every feed would cost time quadratic in the number of feeds.
            if let Some(first) = seen.insert(target.clone(), span.start) {
                let first_line = line_col(text, first).0;
                return Err(at(
                    Some(span),
                    format!("duplicate feed {url:?} (already listed on line {first_line})"),
                ));
            }
            let mut tags = Vec::new();
            for t in f.tags {
                let span = t.span();
                let tag = t.into_inner().trim().to_string();
                if tag.is_empty() || tag.chars().any(char::is_control) {
                    return Err(at(Some(span), format!("bad tag {tag:?}: tags must be non-empty text")));
                }
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            feeds.push(FeedConfig {
                url,
                target,
                title: f.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
                tags,
                refresh_interval: f.refresh_interval.map(|d| d.0),
                full_text: f.full_text,
            });
        }
        let mut key_spans = Vec::new();
        let mut user_keys = Vec::new();
        for (action, list) in raw.keys {
            let (action_span, action) = (action.span(), action.into_inner());
            let (list_span, keys) = (list.span(), list.into_inner().into_vec());
            // Each key's own span: its quoted text inside the value.
            let mut from = list_span.start;
            let spans: Vec<Range<usize>> = keys
                .iter()
                .map(|k| {
                    let quoted = format!("{k:?}");
                    let end = list_span.end.min(text.len());
                    match text[from.min(end)..end].find(&quoted) {
                        Some(i) => {
                            let start = from + i;
                            from = start + quoted.len();
                            start..from
                        }
                        None => list_span.clone(),
                    }
                })
                .collect();
            key_spans.push((action_span, spans));
            user_keys.push((action, keys));
        }
        let keymap = Keymap::with_overrides(&user_keys).map_err(|(entry, key, err)| {
            let (action_span, spans) = &key_spans[entry];
            let span = key.and_then(|k| spans.get(k).cloned()).unwrap_or(action_span.clone());
            at(Some(span), err.to_string())
        })?;

        let mut theme = Vec::new();
        for (element, colour) in raw.theme {
            let (espan, element) = (element.span(), element.into_inner());
            if Element::from_name(&element).is_none() {
                let names: Vec<&str> = Element::ALL.iter().map(|e| e.name()).collect();
                return Err(at(
                    Some(espan),
                    format!("unknown theme element {element:?}; known: {}", names.join(", ")),
                ));
            }
            let (cspan, colour) = (colour.span(), colour.into_inner());
            if parse_color(&colour).is_none() {
                return Err(at(
                    Some(cspan),
                    format!("bad colour {colour:?} for {element}: expected a name (\"red\", \"light-blue\"), \"#rrggbb\" or 0-255"),
                ));
            }
            theme.push((element, colour));
        }

        Ok(Config {
            general: raw.general,
            feeds,
            keymap,
            theme,
            source,
        })
    }

    /// Every tag used by a feed, in config order, without repeats.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        for t in self.feeds.iter().flat_map(|f| &f.tags) {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        tags
    }
}

/// Accepts http(s) and file URLs and plain paths (relative ones against the config's folder).
pub fn parse_target(url: &str, base_dir: &Path) -> Result<FeedTarget, String> {
    if url.is_empty() {
        return Err("empty feed url".into());
    }
    let looks_like_url = url.contains("://") || url.starts_with("file:");
    if !looks_like_url {
        let p = Path::new(url);
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            base_dir.join(p)
        };
        return Ok(FeedTarget::File(p));
    }
    let parsed = Url::parse(url).map_err(|e| format!("bad feed url {url:?}: {e}"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(FeedTarget::Http(parsed)),
        "http" | "https" => Err(format!("bad feed url {url:?}: no host")),
        "file" => parsed
            .to_file_path()
            .map(FeedTarget::File)
            .map_err(|_| format!("bad feed url {url:?}: not a local file path")),
        other => Err(format!(
            "bad feed url {url:?}: scheme {other:?} is not http, https or file"
        )),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Span of the first `key =` in the text, for errors found after deserialising.
fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let start = offset + (line.len() - trimmed.len());
                return Some(start..start + key.len());
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            "test.toml",
            Path::new("/base"),
            ConfigSource::User("test.toml".into()),
        )
    }

    #[test]
    fn embedded_default_parses() {
        let c = parse(EMBEDDED_DEFAULT).expect("embedded default must parse");
        assert!(!c.feeds.is_empty());
        assert_eq!(c.general.concurrency, 16);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172800)));
        for bad in ["", "15", "m", "15x", "0s", "1.5h", "-1m"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB"), Some(16 << 20));
        assert_eq!(parse_size("512 KiB"), Some(512 << 10));
        assert_eq!(parse_size("2MB"), Some(2_000_000));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn plain_and_relative_paths_resolve_against_config_dir() {
        let c = parse("[[feed]]\nurl = \"feeds/a.xml\"\n[[feed]]\nurl = \"file:///tmp/b.xml\"\n").unwrap();
        assert_eq!(c.feeds[0].target, FeedTarget::File("/base/feeds/a.xml".into()));
        assert_eq!(c.feeds[1].target, FeedTarget::File("/tmp/b.xml".into()));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("[general]\nrefresh_interval = \"15x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("test.toml:2:20: bad duration \"15x\""), "{e}");
        let e = parse("[[feed]]\nurl = \"gopher://x\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:7:") && e.contains("gopher"), "{e}");
        let e = parse("[[feed]]\nurl = \"http://a/x\"\n\n[[feed]]\nurl = \"http://a/x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("test.toml:5:7: duplicate feed") && e.contains("line 2"),
            "{e}"
        );
        let e = parse("[general]\ncolour = 1\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: unknown field `colour`"), "{e}");
        let e = parse("[keys]\nfly = \"x\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: unknown action \"fly\""), "{e}");
        let e = parse("[keys]\nhelp = [\"x\", \"hyper-q\"]\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:14: bad key \"hyper-q\""), "{e}");
        let e = parse("[theme]\nlink = \"blurple\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:8: bad colour \"blurple\""), "{e}");
        let e = parse("[theme]\nlnk = \"red\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: unknown theme element \"lnk\""), "{e}");
        let c = parse("[keys]\nmove_down = \"ctrl-n\"\nhelp = [\"f1\", \"?\"]\n[theme]\nlink = \"#00ff00\"\n").unwrap();
        assert_eq!(c.keymap.keys_for(crate::tui::action::Action::Help), ["f1", "?"]);
        assert_eq!(c.theme, [("link".to_string(), "#00ff00".to_string())]);
        let e = parse("[general]\nconcurrency = 0\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: `concurrency` must be at least 1"), "{e}");
    }
}
