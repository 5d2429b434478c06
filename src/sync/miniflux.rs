//! The Miniflux REST API v1 client: feeds with their categories, entries after the last id seen
//! and those changed since the last sync, status and bookmarks in batches, subscriptions.

use chrono::DateTime;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::model::Flag;
use crate::store::{RemoteFeed, SharedStore};

use super::http::Http;
use super::items::{clean_title, http_url};
use super::rest::{next_mark, number, shape, take_changes, Credentials, Dated, Rest};
use super::{AccountReport, RemoteItem, SyncError};

/// Entries per page.
const PAGE: usize = 100;
/// Most pages read per list in one sync (100,000 entries); the rest comes next sync.
const MAX_PAGES: usize = 1_000;
/// Entry ids per status request.
const BATCH: usize = 500;
/// The highest entry id below which every entry was stored.
const AFTER: &str = "miniflux_complete_through";
/// The `changed_after` (seconds) the next sync asks from.
const CHANGED: &str = "miniflux_changed_since";

pub struct Miniflux<'a> {
    rest: Rest<'a>,
    /// Whether the server sets bookmarks by list (`PUT /v1/entries` with `starred`, Miniflux
    /// 2.2 and later); older ones only toggle one entry at a time.
    starred_by_list: bool,
}

impl<'a> Miniflux<'a> {
    /// The API under the Miniflux root the account names. An empty username means the password
    /// is an API key.
    pub fn new(http: &'a Http, url: &Url, username: &str, password: &str) -> Miniflux<'a> {
        let root = url.as_str().trim_end_matches('/');
        let base = root.strip_suffix("/v1").unwrap_or(root).to_string() + "/v1";
        let credentials = if username.is_empty() {
            Credentials::Token(password.into())
        } else {
            Credentials::Basic {
                username: username.into(),
                password: password.into(),
            }
        };
        Miniflux {
            rest: Rest::new(http, &base, credentials),
            starred_by_list: true,
        }
    }

    pub fn requests(&self) -> usize {
        self.rest.requests
    }

    /// Feeds, each with its category as a tag.
    pub async fn feeds(&mut self) -> Result<Vec<RemoteFeed>, SyncError> {
        #[derive(Deserialize)]
        struct Feed {
            id: Value,
            feed_url: Option<String>,
            site_url: Option<String>,
            title: Option<String>,
            category: Option<Category>,
        }
        #[derive(Deserialize)]
        struct Category {
            title: String,
        }
        let feeds: Vec<Feed> = shape("feeds", self.rest.call("feeds", Method::GET, "feeds", None).await?)?;
        Ok(feeds
            .into_iter()
            .filter_map(|f| {
                Some(RemoteFeed {
                    id: number(&f.id)?.to_string(),
                    title: f.title.map(|t| clean_title(&t)).filter(|t| !t.is_empty()),
                    url: f.feed_url.and_then(|u| http_url(&u)),
                    site_url: f.site_url.and_then(|u| http_url(&u)),
                    folders: f
                        .category
                        .map(|c| clean_title(&c.title))
                        .into_iter()
                        .filter(|t| !t.is_empty())
                        .collect(),
                })
            })
            .collect())
    }

    /// A page of entries by id, above `after`, changed after `changed` (seconds) when given.
    async fn entries(&mut self, after: i64, changed: Option<i64>) -> Result<Vec<Dated>, SyncError> {
        let mut path = format!("entries?order=id&direction=asc&limit={PAGE}&after_entry_id={after}");
        if let Some(seconds) = changed {
            path.push_str(&format!("&changed_after={seconds}"));
        }
        entries(self.rest.call("entries", Method::GET, &path, None).await?)
    }

    /// Every entry above `after` (and changed after `changed`), a page at a time, added to
    /// `out`. Returns whether the list was read to its end.
    async fn all_entries(&mut self, after: i64, changed: Option<i64>, out: &mut Vec<Dated>) -> Result<bool, SyncError> {
        let mut from = after;
        for _ in 0..MAX_PAGES {
            let page = self.entries(from, changed).await?;
            // `total` counts every match, not this page: the end is a short or empty page.
            let full = page.len() >= PAGE;
            let top = page.iter().map(|e| e.item.id).max();
            out.extend(page);
            match top {
                Some(top) if full && top > from => from = top,
                _ => return Ok(true),
            }
        }
        Ok(false)
    }

    async fn set_starred(&mut self, ids: &[i64], value: bool) -> Result<(), SyncError> {
        if self.starred_by_list {
            let body = json!({"entry_ids": ids, "starred": value});
            match self.rest.call("entries", Method::PUT, "entries", Some(&body)).await {
                Err(SyncError::Status { status, .. }) if status == reqwest::StatusCode::BAD_REQUEST => {
                    tracing::info!("Miniflux: bookmarks by list refused (before 2.2); one entry at a time");
                    self.starred_by_list = false;
                }
                other => return other.map(drop),
            }
        }
        // Toggling is not idempotent: each entry is looked at first.
        for id in ids {
            let path = format!("entries/{id}");
            let now = self.rest.call("entry", Method::GET, &path, None).await?;
            if now.get("starred").and_then(Value::as_bool) != Some(value) {
                let toggle = format!("entries/{id}/bookmark");
                self.rest.call("bookmark", Method::PUT, &toggle, None).await?;
            }
        }
        Ok(())
    }

    /// Subscribes to `url` in the category titled `folder` (made when missing; else the
    /// user's first category, as Miniflux requires one).
    pub async fn subscribe(&mut self, url: &str, folder: Option<&str>) -> Result<(), SyncError> {
        #[derive(Deserialize)]
        struct Category {
            id: Value,
            title: String,
        }
        let categories: Vec<Category> = shape(
            "categories",
            self.rest.call("categories", Method::GET, "categories", None).await?,
        )?;
        let found = match folder {
            Some(name) => categories.iter().find(|c| c.title == name),
            None => categories.first(),
        };
        let category = match (found, folder) {
            (Some(c), _) => number(&c.id),
            (None, Some(name)) => {
                let made = self
                    .rest
                    .call("categories", Method::POST, "categories", Some(&json!({"title": name})))
                    .await?;
                made.get("id").and_then(number)
            }
            (None, None) => None,
        }
        .ok_or_else(|| SyncError::Unsupported("Miniflux has no category to put the feed in".into()))?;
        let body = json!({"feed_url": url, "category_id": category});
        self.rest
            .call("feeds", Method::POST, "feeds", Some(&body))
            .await
            .map(drop)
    }

    pub async fn unsubscribe(&mut self, feed_id: &str) -> Result<(), SyncError> {
        let path = format!("feeds/{feed_id}");
        self.rest.call("feeds", Method::DELETE, &path, None).await.map(drop)
    }
}

fn entries(answer: Value) -> Result<Vec<Dated>, SyncError> {
    #[derive(Deserialize)]
    struct Page {
        entries: Vec<Raw>,
    }
    #[derive(Deserialize)]
    struct Raw {
        id: Value,
        feed_id: Value,
        title: Option<String>,
        url: Option<String>,
        author: Option<String>,
        content: Option<String>,
        published_at: Option<String>,
        changed_at: Option<String>,
        #[serde(default)]
        status: String,
        #[serde(default)]
        starred: bool,
    }
    let page: Page = shape("entries", answer)?;
    let time = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp())
    };
    Ok(page
        .entries
        .into_iter()
        .filter_map(|e| {
            Some(Dated {
                changed: time(&e.changed_at).unwrap_or(0),
                item: RemoteItem {
                    id: number(&e.id)?,
                    feed: number(&e.feed_id)?.to_string(),
                    title: e.title,
                    link: e.url,
                    author: e.author,
                    published: time(&e.published_at),
                    content: e.content,
                    // "removed" entries were read and flushed.
                    read: e.status != "unread",
                    starred: e.starred,
                },
            })
        })
        .collect())
}

impl Miniflux<'_> {
    async fn push_batch(&mut self, flag: Flag, value: bool, ids: &[i64]) -> Result<(), SyncError> {
        match flag {
            Flag::Read => {
                let body = json!({"entry_ids": ids, "status": if value { "read" } else { "unread" }});
                self.rest
                    .call("entries", Method::PUT, "entries", Some(&body))
                    .await
                    .map(drop)
            }
            Flag::Starred => self.set_starred(ids, value).await,
            Flag::Hidden => Ok(()),
        }
    }

    /// Whether the server no longer has this entry (removed, or its feed unsubscribed).
    async fn is_gone(&mut self, id: i64) -> Result<bool, SyncError> {
        let path = format!("entries/{id}");
        match self.rest.call("entry", Method::GET, &path, None).await {
            Ok(_) => Ok(false),
            Err(SyncError::Status { status, .. }) if status == reqwest::StatusCode::NOT_FOUND => Ok(true),
            Err(e) => Err(e),
        }
    }
}

impl super::push::BatchPush for Miniflux<'_> {
    const BATCH: usize = BATCH;
    /// Miniflux answers 500 ("nothing has been updated") to a batch none of whose entries it
    /// still has: then each entry goes alone, and one the server no longer has is let go (it
    /// keeps its state here), so it never blocks the changes behind it.
    async fn push(&mut self, flag: Flag, value: bool, ids: &[i64]) -> Result<(), SyncError> {
        match self.push_batch(flag, value, ids).await {
            Err(SyncError::Status { status, .. }) if status.is_server_error() => {}
            other => return other,
        }
        for id in ids {
            match self.push_batch(flag, value, &[*id]).await {
                Err(SyncError::Status { status, what }) if status.is_server_error() => {
                    if !self.is_gone(*id).await? {
                        return Err(SyncError::Status { status, what });
                    }
                    tracing::info!("Miniflux no longer has entry {id}; its change stays here only");
                }
                other => other?,
            }
        }
        Ok(())
    }
}

/// Pushes, then pulls: feeds, entries above the id mark, then the entries changed since the
/// last sync (all stored together once both lists have come), whose state is taken as they
/// come. Both marks move
/// only after a complete pass; the change mark is the server's time when this sync began
/// (`next_mark`), so a change made by another client while this sync ran is asked for again.
pub(super) async fn sync(
    m: &mut Miniflux<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    let started = std::time::Instant::now();
    super::push::push_pending(m, store, account, &mut report.pushed).await?;
    let feeds = m.feeds().await?;
    let feed_ids = super::remote_feeds(store, account, feeds, report).await?;
    let known = super::known_ids(store, account).await?;
    let (after, since) = (
        super::mark_of(store, account, AFTER).await?,
        super::mark_of(store, account, CHANGED).await?,
    );
    let mut got = Vec::new();
    let mut complete = m.all_entries(after, None, &mut got).await?;
    if since > 0 {
        complete &= m.all_entries(0, Some(since), &mut got).await?;
    }
    let highest = got.iter().map(|e| e.item.id).fold(after, i64::max);
    let (orphans, newest) = take_changes(store, account, &feed_ids, &known, got, report).await?;
    if complete {
        let through = orphans.iter().map(|o| o - 1).fold(highest, i64::min);
        if through > after {
            super::set_mark(store, account, AFTER, through).await?;
        }
        // `changed_after` asks for changes after it: a second before this sync's start.
        if let Some(next) = next_mark(m.rest.started_at.map(|t| t - 1), newest, started) {
            super::set_mark(store, account, CHANGED, next.max(since).max(1)).await?;
        }
    }
    Ok(())
}
