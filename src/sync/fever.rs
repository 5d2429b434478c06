//! The Fever API client (Coldsweat, Miniflux, FreshRSS, Tiny Tiny RSS's plugin): groups, feeds,
//! items by id ranges, the unread and saved id sets, and marking items one at a time.

use std::collections::HashSet;

use md5::{Digest, Md5};
use serde::Deserialize;
use url::Url;

use crate::store::RemoteFeed;

use super::http::{json, post_form, Http, SyncError};
use super::{sessions, RemoteItem};

/// Fever gives at most 50 items per call, and takes at most 50 ids in `with_ids`.
pub const ITEMS_PER_CALL: usize = 50;

pub struct Fever<'a> {
    http: &'a Http,
    endpoint: Url,
    api_key: String,
    /// This process's earlier check of the same key (`sessions`).
    session: sessions::Key,
    pub requests: usize,
}

/// What every answer carries.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    auth: serde_json::Value,
}

impl<'a> Fever<'a> {
    /// Checks the key (`api_key = md5("user:password")`) with a first call, unless this process
    /// checked it before (a key refused later is checked again next time).
    pub async fn login(http: &'a Http, endpoint: &Url, username: &str, password: &str) -> Result<Fever<'a>, SyncError> {
        let digest = Md5::digest(format!("{username}:{password}").as_bytes());
        let api_key = digest.iter().map(|b| format!("{b:02x}")).collect();
        let session = sessions::key(endpoint.as_str(), username, password);
        let mut fever = Fever {
            http,
            endpoint: endpoint.clone(),
            api_key,
            session,
            requests: 0,
        };
        if sessions::get(&session).is_none() {
            fever.call::<serde_json::Value>("login", &[], &[]).await?;
            sessions::put(&session, sessions::Session::default());
        }
        Ok(fever)
    }

    /// `POST {endpoint}?api&<query…>`: the call and what it reads in the query string (`groups`,
    /// `items&since_id=N`), the key and what it writes in the form body (`mark=item&as=…`), as
    /// the Fever API (and Coldsweat strictly) expects them.
    async fn call<T: serde::de::DeserializeOwned>(
        &mut self,
        what: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
    ) -> Result<T, SyncError> {
        let mut url = self.endpoint.clone();
        let mut q = String::from("api");
        for (k, v) in query {
            q.push('&');
            q.push_str(k);
            if !v.is_empty() {
                q.push('=');
                q.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
            }
        }
        url.set_query(Some(&q));
        let mut body: Vec<(&str, String)> = vec![("api_key", self.api_key.clone())];
        body.extend(form.iter().cloned());
        self.requests += 1;
        let http = self.http;
        let reply = http
            .send(what, || post_form(http.client(), url.as_str(), &body))
            .await?;
        if !reply.status.is_success() {
            return Err(SyncError::Status {
                what: what.into(),
                status: reply.status,
            });
        }
        let envelope: Envelope = json(what, &reply)?;
        let authed = match &envelope.auth {
            serde_json::Value::Number(n) => n.as_i64() == Some(1),
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::String(s) => s == "1",
            _ => false,
        };
        if !authed {
            sessions::forget(&self.session);
            return Err(SyncError::Auth("the Fever API answered auth = 0".into()));
        }
        json(what, &reply)
    }

    /// Feeds, with their groups as tags.
    pub async fn feeds(&mut self) -> Result<Vec<RemoteFeed>, SyncError> {
        #[derive(Deserialize)]
        struct Groups {
            #[serde(default)]
            groups: Vec<Group>,
            #[serde(default)]
            feeds_groups: Vec<FeedsGroup>,
        }
        #[derive(Deserialize)]
        struct Group {
            id: serde_json::Value,
            title: String,
        }
        #[derive(Deserialize)]
        struct FeedsGroup {
            group_id: serde_json::Value,
            feed_ids: String,
        }
        #[derive(Deserialize)]
        struct Feeds {
            #[serde(default)]
            feeds: Vec<Feed>,
        }
        #[derive(Deserialize)]
        struct Feed {
            id: serde_json::Value,
            title: Option<String>,
            url: Option<String>,
            site_url: Option<String>,
        }
        let groups: Groups = self.call("groups", &[("groups", String::new())], &[]).await?;
        let feeds: Feeds = self.call("feeds", &[("feeds", String::new())], &[]).await?;
        let group_title = |id: &serde_json::Value| {
            groups
                .groups
                .iter()
                .find(|g| number(&g.id) == number(id))
                .map(|g| super::items::clean_title(&g.title))
        };
        Ok(feeds
            .feeds
            .into_iter()
            .filter_map(|f| {
                let id = number(&f.id)?;
                let folders = groups
                    .feeds_groups
                    .iter()
                    .filter(|fg| fg.feed_ids.split(',').any(|x| x.trim().parse::<i64>().ok() == Some(id)))
                    .filter_map(|fg| group_title(&fg.group_id))
                    .filter(|t| !t.is_empty())
                    .collect();
                Some(RemoteFeed {
                    id: id.to_string(),
                    title: f.title.map(|t| super::items::clean_title(&t)).filter(|t| !t.is_empty()),
                    url: f.url.and_then(|u| super::items::http_url(&u)),
                    site_url: f.site_url.and_then(|u| super::items::http_url(&u)),
                    folders,
                })
            })
            .collect())
    }

    /// One page of items with ids above `since`: at most 50, in whatever order the server
    /// keeps (Coldsweat's has none), so its highest id is no bookmark by itself.
    pub async fn items_after(&mut self, since: i64) -> Result<Vec<RemoteItem>, SyncError> {
        self.items("items", &[("items", String::new()), ("since_id", since.to_string())])
            .await
    }

    /// The items with these ids (at most 50 a call): those the server still has.
    pub async fn items_with_ids(&mut self, ids: &[i64]) -> Result<Vec<RemoteItem>, SyncError> {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        self.items("items", &[("items", String::new()), ("with_ids", list.join(","))])
            .await
    }

    /// The lowest item id the server still has (items below it were removed there).
    pub async fn lowest_id(&mut self) -> Result<Option<i64>, SyncError> {
        let page = self.items_after(0).await?;
        Ok(page.iter().map(|i| i.id).min())
    }

    async fn items(&mut self, what: &str, query: &[(&str, String)]) -> Result<Vec<RemoteItem>, SyncError> {
        #[derive(Deserialize)]
        struct Items {
            #[serde(default)]
            items: Vec<Item>,
        }
        #[derive(Deserialize)]
        struct Item {
            id: serde_json::Value,
            feed_id: serde_json::Value,
            title: Option<String>,
            author: Option<String>,
            html: Option<String>,
            url: Option<String>,
            #[serde(default)]
            is_saved: serde_json::Value,
            #[serde(default)]
            is_read: serde_json::Value,
            created_on_time: Option<serde_json::Value>,
        }
        let items: Items = self.call(what, query, &[]).await?;
        Ok(items
            .items
            .into_iter()
            .filter_map(|i| {
                Some(RemoteItem {
                    id: number(&i.id)?,
                    feed: number(&i.feed_id)?.to_string(),
                    title: i.title,
                    link: i.url,
                    author: i.author,
                    published: i.created_on_time.as_ref().and_then(number),
                    content: i.html,
                    read: number(&i.is_read) == Some(1),
                    starred: number(&i.is_saved) == Some(1),
                })
            })
            .collect())
    }

    /// `unread_item_ids` or `saved_item_ids`: the whole set.
    pub async fn id_set(&mut self, which: &str) -> Result<HashSet<i64>, SyncError> {
        let answer: serde_json::Value = self.call(which, &[(which, String::new())], &[]).await?;
        let list = answer.get(which).and_then(|v| v.as_str()).unwrap_or("");
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>().map_err(|_| SyncError::Malformed {
                    what: which.into(),
                    message: format!("{s:?} is not an item id"),
                })
            })
            .collect()
    }

    /// Marks one item: `read`, `unread`, `saved` or `unsaved` (all idempotent).
    pub async fn mark(&mut self, id: i64, mark_as: &str) -> Result<(), SyncError> {
        self.call::<serde_json::Value>(
            "mark",
            &[],
            &[("mark", "item".into()), ("as", mark_as.into()), ("id", id.to_string())],
        )
        .await?;
        Ok(())
    }
}

/// A Fever number, sent as a number or a string depending on the server.
fn number(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}
