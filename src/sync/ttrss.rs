//! The Tiny Tiny RSS JSON API client (`…/api/`, API level 15 and later): a session, categories as
//! folders, headlines by `since_id` and `view_mode`, `updateArticle` in batches, subscriptions.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::model::Flag;
use crate::store::{RemoteFeed, SharedStore};

use super::http::Http;
use super::items::{clean_title, http_url, store_items};
use super::rest::{flag, number, shape, Credentials, Rest};
use super::{sessions, RemoteItem, SyncError};

/// Headlines per page: the API's cap is 200; with contents, 60 articles of 40 KB stay far below
/// the answer cap.
pub const PAGE: usize = 60;
/// Ids per page when only ids and flags are asked for (the API's cap).
const ID_PAGE: usize = 200;
/// Most pages read for one list in one sync (120,000 headlines); the rest comes next sync.
const MAX_PAGES: usize = 600;
/// Ids per `getArticle` or `updateArticle` request.
pub const BATCH: usize = 200;

pub struct TtRss<'a> {
    rest: Rest<'a>,
    sid: String,
    session: sessions::Key,
    /// The session came from `sessions`: NOT_LOGGED_IN means it ended; one new login is tried.
    reused: bool,
    username: String,
    password: String,
}

/// Which articles `headlines` lists.
#[derive(Clone, Copy)]
pub enum View {
    /// Every article with an id above `since`, with its contents.
    After(i64),
    Unread,
    Starred,
}

impl<'a> TtRss<'a> {
    /// Logs in, unless this process has a session there already (`sessions`).
    pub async fn login(http: &'a Http, url: &Url, username: &str, password: &str) -> Result<TtRss<'a>, SyncError> {
        let session = sessions::key(url.as_str(), username, password);
        let mut t = TtRss {
            rest: Rest::new(http, url.as_str(), Credentials::None),
            sid: String::new(),
            session,
            reused: false,
            username: username.into(),
            password: password.into(),
        };
        match sessions::get(&session) {
            Some(kept) => (t.sid, t.reused) = (kept.auth, true),
            None => t.new_session().await?,
        }
        Ok(t)
    }

    async fn new_session(&mut self) -> Result<(), SyncError> {
        sessions::forget(&self.session);
        let body = json!({"op": "login", "user": self.username, "password": self.password});
        let answer = self.rest.call("login", Method::POST, "", Some(&body)).await?;
        let content = content("login", answer)?;
        self.sid = content
            .get("session_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| SyncError::Malformed {
                what: "login".into(),
                message: "no session_id in the answer (is the url the API's, e.g. …/tt-rss/api/?)".into(),
            })?
            .to_string();
        self.reused = false;
        let kept = sessions::Session {
            auth: self.sid.clone(),
            token: None,
        };
        sessions::put(&self.session, kept);
        Ok(())
    }

    pub fn requests(&self) -> usize {
        self.rest.requests
    }

    /// One call; a kept session the server ended is replaced once.
    async fn op(&mut self, op: &str, mut params: Value) -> Result<Value, SyncError> {
        params["op"] = json!(op);
        loop {
            params["sid"] = json!(self.sid);
            let answer = self.rest.call(op, Method::POST, "", Some(&params)).await?;
            match content(op, answer) {
                Err(SyncError::Auth(_)) if self.reused => {
                    tracing::info!("{op}: the kept TT-RSS session ended; logging in again");
                    self.new_session().await?;
                }
                other => return other,
            }
        }
    }

    /// Feeds, each with its category as its folder ("Uncategorized" is none).
    pub async fn feeds(&mut self) -> Result<Vec<RemoteFeed>, SyncError> {
        #[derive(Deserialize)]
        struct Category {
            id: Value,
            title: String,
        }
        #[derive(Deserialize)]
        struct Feed {
            id: Value,
            title: Option<String>,
            feed_url: Option<String>,
            #[serde(default)]
            cat_id: Value,
        }
        let categories: Vec<Category> = shape(
            "getCategories",
            self.op("getCategories", json!({"include_empty": true})).await?,
        )?;
        let titles: HashMap<i64, String> = categories
            .into_iter()
            .filter_map(|c| Some((number(&c.id)?, clean_title(&c.title))))
            .collect();
        let feeds: Vec<Feed> = shape("getFeeds", self.op("getFeeds", json!({"cat_id": -3})).await?)?;
        Ok(feeds
            .into_iter()
            .filter_map(|f| {
                let id = number(&f.id).filter(|id| *id > 0)?;
                let folder = number(&f.cat_id)
                    .filter(|c| *c > 0)
                    .and_then(|c| titles.get(&c).cloned());
                Some(RemoteFeed {
                    id: id.to_string(),
                    title: f.title.map(|t| clean_title(&t)).filter(|t| !t.is_empty()),
                    url: f.feed_url.and_then(|u| http_url(&u)),
                    site_url: None,
                    folders: folder.into_iter().filter(|t| !t.is_empty()).collect(),
                })
            })
            .collect())
    }

    /// One page of headlines, `skip` into the list.
    pub async fn headlines(&mut self, view: View, skip: usize) -> Result<Vec<RemoteItem>, SyncError> {
        let (mode, since, limit, content) = match view {
            View::After(since) => ("all_articles", since, PAGE, true),
            View::Unread => ("unread", 0, ID_PAGE, false),
            View::Starred => ("marked", 0, ID_PAGE, false),
        };
        let params = json!({"feed_id": -4, "view_mode": mode, "since_id": since, "limit": limit,
                            "skip": skip, "show_content": content, "order_by": "date_reverse"});
        let list = self.op("getHeadlines", params).await?;
        items("getHeadlines", list)
    }

    /// Every id of a list (unread or starred), a page at a time.
    pub async fn id_set(&mut self, view: View) -> Result<HashSet<i64>, SyncError> {
        let mut ids = HashSet::new();
        for page in 0..MAX_PAGES {
            let got = self.headlines(view, page * ID_PAGE).await?;
            let full = got.len() >= ID_PAGE;
            ids.extend(got.into_iter().map(|i| i.id));
            if !full {
                break;
            }
        }
        Ok(ids)
    }

    /// The articles with these ids, contents included.
    pub async fn articles(&mut self, ids: &[i64]) -> Result<Vec<RemoteItem>, SyncError> {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let answer = self.op("getArticle", json!({"article_id": list.join(",")})).await?;
        items("getArticle", answer)
    }

    /// Sets read (`unread` field) or starred (`marked`) on these articles: idempotent.
    pub async fn update(&mut self, ids: &[i64], starred: bool, value: bool) -> Result<(), SyncError> {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        // field 0 is `marked`, 2 is `unread`; mode 1 sets, 0 clears.
        let (field, mode) = if starred { (0, value) } else { (2, !value) };
        let params = json!({"article_ids": list.join(","), "field": field, "mode": i32::from(mode)});
        self.op("updateArticle", params).await.map(drop)
    }

    /// Subscribes to `url`, in the category titled `folder` (which must exist on the server:
    /// this API cannot create one).
    pub async fn subscribe(&mut self, url: &str, folder: Option<&str>) -> Result<(), SyncError> {
        let category = match folder {
            None => 0,
            Some(name) => {
                let categories = self.op("getCategories", json!({"include_empty": true})).await?;
                categories
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c.get("title").and_then(Value::as_str) == Some(name))
                    .and_then(|c| c.get("id").and_then(number))
                    .ok_or_else(|| {
                        SyncError::Unsupported(format!(
                            "TT-RSS has no category {name:?} and its API cannot make one: create it on the server first"
                        ))
                    })?
            }
        };
        let answer = self
            .op("subscribeToFeed", json!({"feed_url": url, "category_id": category}))
            .await?;
        let code = answer.pointer("/status/code").and_then(number).unwrap_or(-1);
        match code {
            0 | 1 => Ok(()),
            2 => Err(subscribe_error("the server finds the address invalid")),
            3 | 4 => Err(subscribe_error("the address is a web page, not a feed")),
            5 => Err(subscribe_error("the server could not download it")),
            6 => Err(subscribe_error("the server finds no valid feed there")),
            _ => Err(subscribe_error(&format!("the server answered code {code}"))),
        }
    }

    pub async fn unsubscribe(&mut self, feed_id: &str) -> Result<(), SyncError> {
        self.op("unsubscribeFeed", json!({"feed_id": feed_id})).await.map(drop)
    }
}

fn subscribe_error(why: &str) -> SyncError {
    SyncError::Unsupported(format!("TT-RSS did not subscribe: {why}"))
}

/// The `content` of an answer whose `status` is 0; the server's error otherwise.
fn content(what: &str, answer: Value) -> Result<Value, SyncError> {
    let status = answer.get("status").and_then(number);
    let content = answer.get("content").cloned().unwrap_or(Value::Null);
    match status {
        Some(0) => Ok(content),
        Some(_) => {
            let error = content.get("error").and_then(Value::as_str).unwrap_or("").to_string();
            Err(match error.as_str() {
                "LOGIN_ERROR" => SyncError::Auth("TT-RSS refused the login".into()),
                "API_DISABLED" => SyncError::Auth(
                    "the API is off for this user: enable it in TT-RSS's Preferences (Enable API access)".into(),
                ),
                "NOT_LOGGED_IN" => SyncError::Auth("TT-RSS ended the session".into()),
                _ => SyncError::Malformed {
                    what: what.into(),
                    message: format!(
                        "the server answered the error {:?}",
                        crate::text::sanitize::clean_line(&error)
                    ),
                },
            })
        }
        None => Err(SyncError::Malformed {
            what: what.into(),
            message: "no status in the answer (is the url the API's, e.g. …/tt-rss/api/?)".into(),
        }),
    }
}

/// Headlines or articles as items; entries without an id or feed are left out.
fn items(what: &str, list: Value) -> Result<Vec<RemoteItem>, SyncError> {
    #[derive(Deserialize)]
    struct Item {
        id: Value,
        #[serde(default)]
        feed_id: Value,
        title: Option<String>,
        link: Option<String>,
        author: Option<String>,
        content: Option<String>,
        updated: Option<Value>,
        #[serde(default)]
        unread: Value,
        #[serde(default)]
        marked: Value,
    }
    let list: Vec<Item> = shape(what, list)?;
    Ok(list
        .into_iter()
        .filter_map(|i| {
            Some(RemoteItem {
                id: number(&i.id)?,
                feed: number(&i.feed_id)?.to_string(),
                title: i.title,
                link: i.link,
                author: i.author,
                published: i.updated.as_ref().and_then(number),
                content: i.content,
                read: !flag(&i.unread),
                starred: flag(&i.marked),
            })
        })
        .collect())
}

impl super::push::BatchPush for TtRss<'_> {
    const BATCH: usize = BATCH;
    async fn push(&mut self, flag: Flag, value: bool, ids: &[i64]) -> Result<(), SyncError> {
        match flag {
            Flag::Read => self.update(ids, false, value).await,
            Flag::Starred => self.update(ids, true, value).await,
            Flag::Hidden => Ok(()),
        }
    }
}

/// The id below which every headline was stored (or asked for by id).
const SINCE: &str = "ttrss_complete_through";

/// Pushes, then pulls: feeds, headlines above the account's mark (oldest first, a page at a
/// time, each stored as it arrives), the unread and starred id lists, and by id any unread or
/// starred article the pages did not bring. The mark moves only after a complete pass, and
/// never past an article whose feed the server has not listed yet.
pub(super) async fn sync(
    t: &mut TtRss<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut super::AccountReport,
) -> Result<(), SyncError> {
    super::push::push_pending(t, store, account, &mut report.pushed).await?;
    let feeds = t.feeds().await?;
    let feed_ids = super::remote_feeds(store, account, feeds, report).await?;
    let known = super::known_ids(store, account).await?;
    let mark = super::mark_of(store, account, SINCE).await?;
    let (mut seen, mut orphans, mut highest, mut complete) = (HashSet::new(), Vec::new(), mark, false);
    for page in 0..MAX_PAGES {
        let got = t.headlines(View::After(mark), page * PAGE).await?;
        let full = got.len() >= PAGE;
        highest = got.iter().map(|i| i.id).fold(highest, i64::max);
        let fresh: Vec<RemoteItem> = got
            .into_iter()
            .filter(|i| i.id > mark && seen.insert(i.id) && !known.contains(&i.id))
            .collect();
        let stored = store_items(store, &feed_ids, fresh).await?;
        report.new += stored.new;
        orphans.extend(stored.orphans);
        if !full {
            complete = true;
            break;
        }
    }
    let unread = t.id_set(View::Unread).await?;
    let starred = t.id_set(View::Starred).await?;
    let mut missing: Vec<i64> = unread
        .union(&starred)
        .filter(|id| !known.contains(id) && !seen.contains(id))
        .copied()
        .collect();
    missing.sort_unstable();
    for chunk in missing.chunks(BATCH) {
        let items = t.articles(chunk).await?;
        report.new += store_items(store, &feed_ids, items).await?.new;
    }
    // TT-RSS purges only read, unstarred articles: one missing from both lists is read here too.
    report.pulled = super::apply_state(store, account, unread, starred, |_| true).await?;
    let through = orphans.iter().map(|o| o - 1).fold(highest, i64::min);
    if complete && through > mark {
        super::set_mark(store, account, SINCE, through).await?;
    }
    Ok(())
}
