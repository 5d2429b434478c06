//! The Nextcloud News REST API v1.3 client: folders, feeds, items (all of them once, then only
//! those changed since the last sync), read and star by item ids in batches, subscriptions.

use std::collections::HashMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::model::Flag;
use crate::store::{RemoteFeed, SharedStore};

use super::http::Http;
use super::items::{clean_title, http_url};
use super::rest::{flag, next_mark, number, shape, take_changes, Credentials, Dated, Rest};
use super::{AccountReport, RemoteItem, SyncError};

/// Items per page of the first sync.
const PAGE: usize = 200;
/// Most pages read in one sync (200,000 items); the rest comes next sync.
const MAX_PAGES: usize = 1_000;
/// Item ids per read/star request.
const BATCH: usize = 500;
/// The `lastModified` (seconds) from which the next sync asks for changes.
const CHANGED: &str = "nextcloud_changed_since";

pub struct Nextcloud<'a> {
    rest: Rest<'a>,
}

impl<'a> Nextcloud<'a> {
    /// The API under the Nextcloud root the account names (or the API's own address).
    pub fn new(http: &'a Http, url: &Url, username: &str, password: &str) -> Nextcloud<'a> {
        let root = url.as_str().trim_end_matches('/');
        let base = if root.contains("/apps/news/api/") {
            root.to_string()
        } else {
            format!("{root}/index.php/apps/news/api/v1-3")
        };
        let credentials = Credentials::Basic {
            username: username.into(),
            password: password.into(),
        };
        Nextcloud {
            rest: Rest::new(http, &base, credentials),
        }
    }

    pub fn requests(&self) -> usize {
        self.rest.requests
    }

    async fn get(&mut self, what: &str, path: &str) -> Result<Value, SyncError> {
        self.rest.call(what, Method::GET, path, None).await
    }

    async fn folders(&mut self) -> Result<HashMap<i64, String>, SyncError> {
        #[derive(Deserialize)]
        struct Folders {
            folders: Vec<Folder>,
        }
        #[derive(Deserialize)]
        struct Folder {
            id: Value,
            name: String,
        }
        let folders: Folders = shape("folders", self.get("folders", "folders").await?)?;
        Ok(folders
            .folders
            .into_iter()
            .filter_map(|f| Some((number(&f.id)?, clean_title(&f.name))))
            .collect())
    }

    /// Feeds, each with its folder as a tag.
    pub async fn feeds(&mut self) -> Result<Vec<RemoteFeed>, SyncError> {
        #[derive(Deserialize)]
        struct Feeds {
            feeds: Vec<Feed>,
        }
        #[derive(Deserialize)]
        struct Feed {
            id: Value,
            url: Option<String>,
            title: Option<String>,
            link: Option<String>,
            #[serde(default, rename = "folderId")]
            folder_id: Value,
        }
        let folders = self.folders().await?;
        let feeds: Feeds = shape("feeds", self.get("feeds", "feeds").await?)?;
        Ok(feeds
            .feeds
            .into_iter()
            .filter_map(|f| {
                let folder = number(&f.folder_id).and_then(|id| folders.get(&id).cloned());
                Some(RemoteFeed {
                    id: number(&f.id)?.to_string(),
                    title: f.title.map(|t| clean_title(&t)).filter(|t| !t.is_empty()),
                    url: f.url.and_then(|u| http_url(&u)),
                    site_url: f.link.and_then(|u| http_url(&u)),
                    folders: folder.into_iter().filter(|t| !t.is_empty()).collect(),
                })
            })
            .collect())
    }

    /// A page of every item, newest first, older than `offset` (0: the newest).
    async fn page(&mut self, offset: i64) -> Result<Vec<Dated>, SyncError> {
        let path = format!("items?batchSize={PAGE}&offset={offset}&type=3&id=0&getRead=true&oldestFirst=false");
        items("items", self.get("items", &path).await?)
    }

    /// Every item created or changed since `seconds`.
    async fn updated(&mut self, seconds: i64) -> Result<Vec<Dated>, SyncError> {
        let path = format!("items/updated?lastModified={seconds}&type=3&id=0");
        items("items/updated", self.get("items/updated", &path).await?)
    }

    /// Subscribes to `url` in the folder named `folder` (made when missing).
    pub async fn subscribe(&mut self, url: &str, folder: Option<&str>) -> Result<(), SyncError> {
        let folder_id = match folder {
            None => 0,
            Some(name) => match self.folders().await?.into_iter().find(|(_, n)| n == name) {
                Some((id, _)) => id,
                None => {
                    let made = self
                        .rest
                        .call("folders", Method::POST, "folders", Some(&json!({"name": name})))
                        .await?;
                    made.pointer("/folders/0/id")
                        .and_then(number)
                        .ok_or_else(|| SyncError::Malformed {
                            what: "folders".into(),
                            message: "no id for the new folder".into(),
                        })?
                }
            },
        };
        let body = json!({"url": url, "folderId": folder_id});
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

fn items(what: &str, answer: Value) -> Result<Vec<Dated>, SyncError> {
    #[derive(Deserialize)]
    struct Items {
        items: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        id: Value,
        #[serde(rename = "feedId")]
        feed_id: Value,
        title: Option<String>,
        url: Option<String>,
        author: Option<String>,
        body: Option<String>,
        #[serde(rename = "pubDate")]
        pub_date: Option<Value>,
        #[serde(default)]
        unread: Value,
        #[serde(default)]
        starred: Value,
        #[serde(default, rename = "lastModified")]
        last_modified: Value,
    }
    let list: Items = shape(what, answer)?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|i| {
            Some(Dated {
                changed: seconds(number(&i.last_modified).unwrap_or(0)),
                item: RemoteItem {
                    id: number(&i.id)?,
                    feed: number(&i.feed_id)?.to_string(),
                    title: i.title,
                    link: i.url,
                    author: i.author,
                    published: i.pub_date.as_ref().and_then(number),
                    content: i.body,
                    read: !flag(&i.unread),
                    starred: flag(&i.starred),
                },
            })
        })
        .collect())
}

/// News 15 and later give an item's `lastModified` in microseconds; the API takes seconds.
fn seconds(value: i64) -> i64 {
    if value > 100_000_000_000 {
        value / 1_000_000
    } else {
        value
    }
}

impl super::push::BatchPush for Nextcloud<'_> {
    const BATCH: usize = BATCH;
    async fn push(&mut self, flag: Flag, value: bool, ids: &[i64]) -> Result<(), SyncError> {
        let path = match (flag, value) {
            (Flag::Read, true) => "items/read/multiple",
            (Flag::Read, false) => "items/unread/multiple",
            (Flag::Starred, true) => "items/star/multiple",
            (Flag::Starred, false) => "items/unstar/multiple",
            (Flag::Hidden, _) => return Ok(()),
        };
        // v1.3 takes item ids for stars too (v1.2 wanted feed ids and guid hashes).
        let body = json!({ "itemIds": ids });
        self.rest.call(path, Method::PUT, path, Some(&body)).await.map(drop)
    }
}

/// Pushes, then pulls: feeds, then at the first sync every item (pages of older items, stored
/// together once all have come), later only the items changed since the last sync, whose state
/// is taken as they come. The mark is the server's time when this sync began (`next_mark`): a
/// change another client made while this sync ran is asked for again, never missed.
pub(super) async fn sync(
    n: &mut Nextcloud<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    let started = std::time::Instant::now();
    super::push::push_pending(n, store, account, &mut report.pushed).await?;
    let feeds = n.feeds().await?;
    let feed_ids = super::remote_feeds(store, account, feeds, report).await?;
    let known = super::known_ids(store, account).await?;
    let mark = super::mark_of(store, account, CHANGED).await?;
    let mut changed: Vec<Dated> = Vec::new();
    if mark > 0 {
        changed = n.updated(mark).await?;
    } else {
        let mut offset = 0;
        for _ in 0..MAX_PAGES {
            let page = n.page(offset).await?;
            // Pages may come in any order: the lowest id is where the next one starts.
            let lowest = page.iter().map(|c| c.item.id).min();
            changed.extend(page);
            match lowest {
                Some(low) if offset == 0 || low < offset => offset = low,
                _ => break,
            }
        }
    }
    let (orphans, newest) = take_changes(store, account, &feed_ids, &known, changed, report).await?;
    if orphans.is_empty() {
        // `lastModified` asks for changes at or after it: the server's time at this sync's start.
        if let Some(next) = next_mark(n.rest.started_at, newest, started) {
            super::set_mark(store, account, CHANGED, next.max(mark).max(1)).await?;
        }
    }
    Ok(())
}
