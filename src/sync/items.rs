//! A server's items as articles: every text made safe as a feed's would be, then written with
//! their feed's other new items in one transaction.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use url::Url;

use crate::model::{FeedId, NewArticle};
use crate::store::SharedStore;
use crate::store::{FetchRecord, RemoteArticle, StoreError};
use crate::text::{html, sanitize};

use super::{with_store, SyncError};

/// An article as a server gives it, before it is made safe and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    pub id: i64,
    /// The server's id of its feed.
    pub feed: String,
    pub title: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
    /// Unix seconds.
    pub published: Option<i64>,
    pub content: Option<String>,
    pub read: bool,
    pub starred: bool,
}

/// What `store_items` did.
#[derive(Debug, Default)]
pub(super) struct Stored {
    /// Items new to the cache.
    pub new: usize,
    /// Ids of items whose feed the server did not list: left for a later sync, so a bookmark
    /// must not pass them.
    pub orphans: Vec<i64>,
}

/// Writes new items, each with its feed's other new items, in one transaction; items of a feed
/// the server did not list are left for a later sync. An id given twice is stored once.
pub(super) async fn store_items(
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
    items: Vec<RemoteItem>,
) -> Result<Stored, SyncError> {
    let mut by_feed: HashMap<FeedId, (Vec<NewArticle>, Vec<RemoteArticle>)> = HashMap::new();
    let mut orphans = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for item in items {
        if !seen.insert(item.id) {
            continue;
        }
        let Some(&feed) = feeds.get(&item.feed) else {
            orphans.push(item.id);
            continue;
        };
        let entry = by_feed.entry(feed).or_default();
        entry.1.push(RemoteArticle {
            id: item.id,
            read: item.read,
            starred: item.starred,
        });
        entry.0.push(to_article(item));
    }
    if !orphans.is_empty() {
        tracing::info!(
            "sync: {} items of feeds not in the subscription list, left for later",
            orphans.len()
        );
    }
    let records: Vec<(FeedId, FetchRecord)> = by_feed
        .into_iter()
        .map(|(feed, (articles, remote))| {
            let record = FetchRecord {
                status: "sync".into(),
                articles,
                remote: Some(remote),
                // The server decides what it keeps; here nothing synced is dropped.
                keep_per_feed: usize::MAX,
                ..Default::default()
            };
            (feed, record)
        })
        .collect();
    let now = Utc::now();
    with_store(store, move |s| {
        let counts = s.in_one_transaction(|s| {
            records
                .iter()
                .map(|(feed, record)| s.apply_fetch(*feed, now, record).map(|c| c.new))
                .collect::<Result<Vec<usize>, StoreError>>()
        })??;
        Ok(Stored {
            new: counts.into_iter().sum(),
            orphans,
        })
    })
    .await
}

/// A server's item as an article: every text made safe as a feed's would be.
fn to_article(item: RemoteItem) -> NewArticle {
    NewArticle {
        key: format!("remote:{}", item.id),
        title: item.title.as_deref().map(clean_title).unwrap_or_default(),
        link: item.link.as_deref().and_then(http_url),
        author: item
            .author
            .as_deref()
            .map(sanitize::clean_line)
            .filter(|a| !a.trim().is_empty()),
        published: item.published.and_then(|s| Utc.timestamp_opt(s, 0).single()),
        content: item
            .content
            .as_deref()
            .map(sanitize::clean_body)
            .filter(|c| !c.trim().is_empty()),
        enclosures: Vec::new(),
    }
}

/// A title or label as one safe line of text (servers send HTML entities, sometimes markup).
pub(super) fn clean_title(text: &str) -> String {
    sanitize::clean_line(&html::to_plain(text)).trim().to_string()
}

/// An http(s) address, made safe; None for anything else.
pub(super) fn http_url(text: &str) -> Option<String> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| sanitize::clean_line(u.as_str()))
}
