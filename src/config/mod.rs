//! The TOML config: the validated `Config` and its loading, with file:line:column errors.
//! The embedded default (config.example.toml) is used when the user has no file of their own.

mod accounts;
mod edit;
mod edit_more;
mod error;
mod feeds;
mod filters;
mod openers;
mod paths;
mod queries;
mod shares;
mod stories;
mod values;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use accounts::{Account, AccountKind, SecretSource};
pub use edit::{ConfigEdit, RemovedFeed};
pub use edit_more::{NewFeed, SettingValue};
use error::find_key;
pub use error::{ConfigError, Located, Position};
pub use feeds::{command_identity, split_selector, FeedConfig, FeedRequest, Scrape};
pub use openers::{fallback as fallback_opener, Opener};
pub use paths::{locate, ConfigSource, Paths};
pub use queries::SavedQuery;
pub use shares::Share;
pub use stories::{Stories, StoryScope};
pub use values::{
    expand_program, expand_tilde, parse_duration, parse_target, ByteSize, FeedTarget, HumanDuration, ImageMode,
    PipeFormat,
};

/// The documented example config, compiled in: khabar runs on it when the user has no file.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config.example.toml");

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    pub general: General,
    pub feeds: Vec<FeedConfig>,
    /// `[keys]` as written, in file order: the reader turns them into its keymap and reports a
    /// bad action or key at its position (`tui::settings`), before the terminal is touched.
    pub keys: Vec<KeyBinding>,
    /// `[theme]` as written: element name and colour, checked by the reader likewise.
    pub theme: Vec<ThemeEntry>,
    /// `[[query]]`: saved queries, in file order.
    pub queries: Vec<SavedQuery>,
    /// `[[filter]]`: what happens to matching articles as they arrive, in file order (the
    /// order they act in). Shared: every refresh takes them.
    pub filters: std::sync::Arc<[crate::query::FilterRule]>,
    /// `[[account]]`: sync servers, in file order.
    pub accounts: Vec<Account>,
    /// `[[opener]]`: programs for links, the first that matches wins.
    pub openers: Vec<Opener>,
    /// `[stories]`: grouping the articles that report the same news.
    pub stories: Stories,
    /// `[[share]]`: where an article can be sent, in file order.
    pub shares: Vec<Share>,
    /// What is accepted but should change (a readable plain password): shown, never fatal.
    pub warnings: Vec<String>,
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
    /// Opening an article's link in the browser marks it read.
    pub open_marks_read: bool,
    /// Quitting the reader asks first (y/n).
    pub confirm_quit: bool,
    /// Marking a whole view read asks first when it holds more than a screenful (and in All).
    pub confirm_mark_all: bool,
    /// The sidebar starts showing tags and feeds with nothing unread (`H` toggles).
    pub show_read_feeds: bool,
    /// A program run after each refresh that brought new articles, with them as JSON Lines on
    /// its stdin (argv, never a shell).
    pub on_new_articles: Option<Vec<String>>,
    /// How long that program may run before it is stopped.
    pub hook_timeout: HumanDuration,
    /// Say when a refresh brought new articles: with `notify_command`, else (in the reader) a
    /// terminal notification. Unset, it is on exactly when `notify_command` is set (`notifies`).
    pub notify: Option<bool>,
    /// The notification program: `{count}` and `{feeds}` are replaced in its arguments.
    pub notify_command: Option<Vec<String>>,
    /// The program `|` sends the current article to (argv); `:pipe CMD` names one at the time.
    pub pipe_command: Option<Vec<String>>,
    /// What it gets on its stdin: "text", "markdown", "html" or "json".
    pub pipe_format: PipeFormat,
    /// Its output shown in the article pane (true), or discarded.
    pub pipe_output: bool,
    /// Where `d` saves attachments (default: $XDG_DOWNLOAD_DIR, else ~/Downloads).
    #[serde(deserialize_with = "values::tilde_path")]
    pub download_dir: Option<PathBuf>,
    /// The largest attachment `d` saves.
    pub max_download_size: ByteSize,
    /// Pictures in the article pane: "auto" (the terminal's protocol, off inside tmux and
    /// screen), "off", or a protocol named outright.
    pub images: ImageMode,
    /// The most rows a picture takes.
    pub image_height: u16,
    /// The picture cache in the data dir is cut back to this when the reader starts.
    pub image_cache_size: ByteSize,
    pub user_agent: String,
}

impl General {
    /// Whether new articles are announced: as `notify` says, else when a `notify_command` is
    /// set (setting the program is asking for it).
    pub fn notifies(&self) -> bool {
        self.notify.unwrap_or(self.notify_command.is_some())
    }
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
            open_marks_read: true,
            confirm_quit: false,
            confirm_mark_all: true,
            show_read_feeds: true,
            on_new_articles: None,
            hook_timeout: HumanDuration(Duration::from_secs(30)),
            notify: None,
            notify_command: None,
            pipe_command: None,
            pipe_format: PipeFormat::Text,
            pipe_output: true,
            download_dir: None,
            max_download_size: ByteSize(2 * 1024 * 1024 * 1024),
            images: ImageMode::Auto,
            image_height: 12,
            image_cache_size: ByteSize(100 * 1024 * 1024),
            user_agent: concat!("khabar/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// One `[keys]` entry: `action = "key"` or `action = ["key", "g g"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub action: Located<String>,
    pub keys: Vec<Located<String>>,
}

/// One `[theme]` entry: `element = "colour"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeEntry {
    pub element: Located<String>,
    pub colour: Located<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    general: General,
    feed: Vec<Spanned<feeds::RawFeed>>,
    keys: BTreeMap<Spanned<String>, Spanned<KeyList>>,
    theme: BTreeMap<Spanned<String>, Spanned<String>>,
    query: Vec<queries::RawQuery>,
    filter: Vec<filters::RawFilter>,
    account: Vec<accounts::RawAccount>,
    opener: Vec<openers::RawOpener>,
    share: Vec<shares::RawShare>,
    stories: Stories,
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
            Position::in_text(file, text, span.map_or(0, |s| s.start)).error(message)
        };
        let mut raw: RawConfig = toml::from_str(text).map_err(|e| at(e.span(), e.message().trim().to_string()))?;

        let g = &raw.general;
        if g.concurrency == 0 || g.per_host_concurrency == 0 {
            let key = if g.concurrency == 0 {
                "concurrency"
            } else {
                "per_host_concurrency"
            };
            return Err(at(find_key(text, key), format!("`{key}` must be at least 1")));
        }
        if !(1..=200).contains(&g.image_height) {
            return Err(at(
                find_key(text, "image_height"),
                format!("`image_height` must be 1 to 200 rows, not {}", g.image_height),
            ));
        }
        if g.articles_per_feed == 0 {
            return Err(at(
                find_key(text, "articles_per_feed"),
                "`articles_per_feed` must be at least 1".into(),
            ));
        }

        for argv in [
            &mut raw.general.on_new_articles,
            &mut raw.general.notify_command,
            &mut raw.general.pipe_command,
        ]
        .into_iter()
        .flatten()
        {
            *argv = expand_program(argv);
        }
        let feeds = feeds::feeds(raw.feed, file, text, base_dir)?;
        let position = |offset: usize| Position::in_text(file, text, offset);
        let mut keys = Vec::new();
        for (action, list) in raw.keys {
            let action = Located {
                at: position(action.span().start),
                value: action.into_inner(),
            };
            let (list_span, list) = (list.span(), list.into_inner().into_vec());
            // Each key's own span: its quoted text inside the value.
            let mut from = list_span.start;
            let keys_at = list
                .into_iter()
                .map(|k| {
                    let quoted = format!("{k:?}");
                    let end = list_span.end.min(text.len());
                    let start = match text[from.min(end)..end].find(&quoted) {
                        Some(i) => {
                            let start = from + i;
                            from = start + quoted.len();
                            start
                        }
                        None => list_span.start,
                    };
                    Located {
                        value: k,
                        at: position(start),
                    }
                })
                .collect();
            keys.push(KeyBinding { action, keys: keys_at });
        }
        let theme = raw
            .theme
            .into_iter()
            .map(|(element, colour)| ThemeEntry {
                element: Located {
                    at: position(element.span().start),
                    value: element.into_inner(),
                },
                colour: Located {
                    at: position(colour.span().start),
                    value: colour.into_inner(),
                },
            })
            .collect();

        let queries = queries::saved_queries(raw.query, file, text)?;
        let filters = filters::filters(raw.filter, &feeds, file, text)?.into();
        let file_path = match &source {
            ConfigSource::User(p) => Some(p.as_path()),
            ConfigSource::Embedded { .. } => None,
        };
        let (accounts, warnings) = accounts::accounts(raw.account, file, text, file_path)?;
        let openers = openers::openers(raw.opener, file, text)?;
        let shares = shares::shares(raw.share, file, text)?;
        raw.stories.check().map_err(|m| at(find_key(text, "window"), m))?;
        Ok(Config {
            shares,
            stories: raw.stories,
            openers,
            accounts,
            warnings,
            general: raw.general,
            feeds,
            keys,
            theme,
            queries,
            filters,
            source,
        })
    }

    /// The `reader_selector` of the feed with this identity, if it has one.
    pub fn reader_selector(&self, feed_url: &str) -> Option<String> {
        self.feeds
            .iter()
            .find(|f| f.url == feed_url)
            .and_then(|f| f.reader_selector.clone())
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
        let e = parse("[general]\nconcurrency = 0\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:1: `concurrency` must be at least 1"), "{e}");
        let e = parse("[general]\nimages = \"svg\"\n").unwrap_err().to_string();
        assert!(e.starts_with("test.toml:2:10: unknown variant `svg`"), "{e}");
        let e = parse("[general]\n\nimage_height = 0\n").unwrap_err().to_string();
        assert_eq!(e, "test.toml:3:1: `image_height` must be 1 to 200 rows, not 0");
        let c = parse("[general]\nimages = \"halfblocks\"\nimage_cache_size = \"5MiB\"\n").unwrap();
        assert_eq!(c.general.images, ImageMode::Halfblocks);
        assert_eq!(c.general.image_cache_size.0, 5 * 1024 * 1024);
    }

    /// `[keys]` and `[theme]` are the reader's to validate; the config carries each value with
    /// where it was written (tests of the errors: `tui::settings`).
    #[test]
    fn keys_and_theme_carry_their_positions() {
        let c = parse("[keys]\nmove_down = \"ctrl-n\"\nhelp = [\"f1\", \"?\"]\n[theme]\nlink = \"#00ff00\"\n").unwrap();
        let at = |line, column| Position {
            file: "test.toml".into(),
            line,
            column,
        };
        let help = &c.keys[0];
        assert_eq!((help.action.value.as_str(), &help.action.at), ("help", &at(3, 1)));
        let keys: Vec<_> = help.keys.iter().map(|k| (k.value.as_str(), k.at.column)).collect();
        assert_eq!(keys, [("f1", 9), ("?", 15)]);
        assert_eq!(c.keys[1].keys[0].at, at(2, 13));
        assert_eq!(
            (c.theme[0].element.value.as_str(), &c.theme[0].colour.at),
            ("link", &at(5, 8))
        );
    }
}
