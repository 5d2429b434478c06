//! Plain data shared by every layer: feeds, articles, ids and the filter that selects a view.
//! No I/O here; the store fills these types and the CLI and UI read them.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Row id of a feed in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FeedId(pub i64);

/// Row id of an article in the cache; stable for the article's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ArticleId(pub i64);

/// A tag name as written in the config.
pub type Tag = String;

/// A feed as the cache knows it, with its counts and the outcome of its last fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub id: FeedId,
    /// The URL as configured (the feed's identity, even after redirects).
    pub url: String,
    /// The URL actually fetched: differs after a permanent redirect or autodiscovery.
    pub fetch_url: Option<String>,
    /// The configured title, else the feed's own title.
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub tags: Vec<Tag>,
    pub articles: u64,
    pub unread: u64,
    /// Of its unread articles, those in a story another feed's article leads (a view of stories
    /// shows one headline for the story).
    pub unread_folded: u64,
    pub last_fetched: Option<DateTime<Utc>>,
    pub last_status: Option<String>,
    pub last_error: Option<String>,
    /// The sync account it comes from (`[[account]]`'s name); None for a `[[feed]]`.
    pub account: Option<String>,
}

impl Feed {
    /// The name to show: configured or fetched title, else the URL.
    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.url)
    }

    /// Whether `label` groups this feed: one of its tags, or the name of its sync account.
    pub fn has_label(&self, label: &str) -> bool {
        self.tags.iter().any(|t| t == label) || self.account.as_deref() == Some(label)
    }
}

/// An article as listed: everything but the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub feed_id: FeedId,
    pub feed_url: String,
    pub feed_title: String,
    pub title: String,
    pub link: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub read: bool,
    pub starred: bool,
    /// Hidden by a filter (seen only when hidden articles are shown).
    pub hidden: bool,
    pub tags: Vec<Tag>,
    /// The story it is part of (`store::stories`), None when it is alone.
    pub story: Option<i64>,
    /// The story's other articles, earliest first (filled for a page of a view).
    pub also_in: Vec<StoryMember>,
}

/// Another article of the same story: what the headline and the article pane name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryMember {
    pub id: ArticleId,
    pub read: bool,
    pub feed_title: String,
}

impl ArticleSummary {
    /// The JSON contract of `list --json`, `search --json` and the new-articles hook.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.0,
            "feed_url": self.feed_url,
            "feed_title": self.feed_title,
            "title": self.title,
            "link": self.link,
            "author": self.author,
            "published": self.published.map(|p| p.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "read": self.read,
            "starred": self.starred,
            "hidden": self.hidden,
            "tags": self.tags,
            "story": self.story,
            "also_in": self.also_in.iter().map(|m| m.id.0).collect::<Vec<_>>(),
        })
    }

    pub fn flag(&self, flag: Flag) -> bool {
        match flag {
            Flag::Read => self.read,
            Flag::Starred => self.starred,
            Flag::Hidden => self.hidden,
        }
    }

    pub fn set_flag(&mut self, flag: Flag, value: bool) {
        match flag {
            Flag::Read => self.read = value,
            Flag::Starred => self.starred = value,
            Flag::Hidden => self.hidden = value,
        }
    }

    /// The title to show: an article without one (kept as "" in the cache and in JSON) reads
    /// "(untitled)".
    pub fn shown_title(&self) -> &str {
        if self.title.is_empty() {
            "(untitled)"
        } else {
            &self.title
        }
    }
}

/// An article with its body (HTML, already sanitised of control characters).
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub summary: ArticleSummary,
    pub content: Option<String>,
    /// The full article extracted from its web page (reader mode), once fetched.
    pub full_content: Option<String>,
    pub enclosures: Vec<Enclosure>,
}

/// An article as parsed from a feed, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    /// Stable identity within its feed: guid, else link, else a hash of title+date+content.
    pub key: String,
    pub title: String,
    pub link: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub content: Option<String>,
    /// Attached media (podcast audio, video, files), in document order.
    pub enclosures: Vec<Enclosure>,
}

/// A file attached to an article: RSS `<enclosure>`, Atom `rel="enclosure"`, a JSON Feed
/// attachment, Media RSS `media:content`. Only http(s) addresses are kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Enclosure {
    pub url: String,
    /// The MIME type as the feed gives it (`audio/mpeg`).
    #[serde(rename = "type")]
    pub mime: Option<String>,
    /// Bytes, as the feed claims.
    pub length: Option<u64>,
    /// Seconds, when the feed says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
}

/// What a link of an article is: what `[[opener]]`s choose by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The article's own link, or a link in its body.
    Link,
    /// One of its attachments.
    Enclosure,
    /// An image in its body.
    Image,
}

impl LinkKind {
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::Link => "link",
            LinkKind::Enclosure => "enclosure",
            LinkKind::Image => "image",
        }
    }
}

/// A link to open, with what an opener may choose by or put in its command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTarget {
    pub url: String,
    pub kind: LinkKind,
    /// An attachment's type (`audio/mpeg`).
    pub mime: Option<String>,
    /// The article's title and its feed's, for `{title}` and `{feed}`.
    pub title: String,
    pub feed: String,
}

/// An article brought in from another reader, with the state the user left it in there.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedArticle {
    /// `key` holds the other reader's own identity for the article (newsboat: its guid).
    pub article: NewArticle,
    pub read: bool,
    pub starred: bool,
}

/// What the feed document says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedMeta {
    pub title: Option<String>,
    pub site_url: Option<String>,
}

/// A flag the reader sets on an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    Read,
    Starred,
    /// Set by filters: out of every view that does not ask for hidden articles.
    Hidden,
}

/// Selects the articles of a view and their order. Empty filter = every article, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub unread_only: bool,
    pub starred_only: bool,
    pub tag: Option<Tag>,
    pub feed_url: Option<String>,
    /// Only articles the query matches (search, `list --query`).
    pub query: Option<crate::query::Query>,
    /// Hidden articles too (the reader's toggle); a query with `is:hidden` sees them anyway.
    pub show_hidden: bool,
    pub sort: SortOrder,
    /// A story shows as its lead alone (the reader with `[stories] group`, `list --stories`).
    pub stories: bool,
    /// ... except this story, shown whole (expanded in the reader).
    pub expanded: Option<i64>,
}

/// The order of a view's articles. Every order ends with the article id, so it is total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// By date, newest first.
    #[default]
    Newest,
    /// By date, oldest first.
    Oldest,
    /// By feed (in config order), newest first within each.
    Feed,
    /// By title, A to Z (case-insensitive for ASCII).
    Title,
    /// Unread first, each part newest first.
    UnreadFirst,
}

impl SortOrder {
    pub const ALL: [SortOrder; 5] = [
        SortOrder::Newest,
        SortOrder::Oldest,
        SortOrder::Feed,
        SortOrder::Title,
        SortOrder::UnreadFirst,
    ];

    /// The name in the cache, the config and `--sort`.
    pub fn name(self) -> &'static str {
        match self {
            SortOrder::Newest => "newest",
            SortOrder::Oldest => "oldest",
            SortOrder::Feed => "feed",
            SortOrder::Title => "title",
            SortOrder::UnreadFirst => "unread",
        }
    }

    pub fn from_name(name: &str) -> Option<SortOrder> {
        SortOrder::ALL.into_iter().find(|s| s.name() == name)
    }

    /// What the status bar says.
    pub fn describe(self) -> &'static str {
        match self {
            SortOrder::Newest => "newest first",
            SortOrder::Oldest => "oldest first",
            SortOrder::Feed => "by feed",
            SortOrder::Title => "by title",
            SortOrder::UnreadFirst => "unread first",
        }
    }

    /// The order after this one, for the key that cycles through them.
    pub fn next(self) -> SortOrder {
        let i = SortOrder::ALL.iter().position(|s| *s == self).unwrap_or(0);
        SortOrder::ALL[(i + 1) % SortOrder::ALL.len()]
    }
}
