//! The Google Reader API client: the subset FreshRSS, Miniflux, Inoreader, The Old Reader and
//! BazQux all implement, in few requests (id lists, contents and edits in batches).

use std::collections::HashSet;

use reqwest::StatusCode;
use serde::Deserialize;
use url::Url;

use crate::store::RemoteFeed;

use super::greader_items::{parse_id, Item, Items};
use super::http::{encode, json, post_form, Http, Reply, SyncError};
use super::{sessions, RemoteItem};

/// Ids per `stream/items/ids` page (Miniflux's cap; FreshRSS has none).
const IDS_PER_PAGE: usize = 10_000;
/// Most pages of ids read per stream in one sync (a million items).
const MAX_ID_PAGES: usize = 100;
/// Ids per `stream/items/contents` or `edit-tag` request.
pub const BATCH: usize = 250;

pub const READ: &str = "user/-/state/com.google/read";
pub const STARRED: &str = "user/-/state/com.google/starred";
pub const READING_LIST: &str = "user/-/state/com.google/reading-list";

pub struct GReader<'a> {
    http: &'a Http,
    base: String,
    auth: String,
    token: Option<String>,
    /// This process's earlier login to the same server, user and password (`sessions`).
    session: sessions::Key,
    /// The login came from `sessions`: a 401 means it expired, and one new login is tried.
    reused: bool,
    username: String,
    password: String,
    /// Requests made, for the report and the benchmarks.
    pub requests: usize,
}

impl<'a> GReader<'a> {
    /// `ClientLogin` with the API password, unless this process logged in there before.
    pub async fn login(http: &'a Http, base: &Url, username: &str, password: &str) -> Result<GReader<'a>, SyncError> {
        let base = base.as_str().trim_end_matches('/').to_string();
        let session = sessions::key(&base, username, password);
        let mut g = GReader {
            http,
            base,
            auth: String::new(),
            token: None,
            session,
            reused: false,
            username: username.into(),
            password: password.into(),
            requests: 0,
        };
        match sessions::get(&session) {
            Some(kept) => {
                (g.auth, g.token, g.reused) = (kept.auth, kept.token, true);
            }
            None => g.client_login().await?,
        }
        Ok(g)
    }

    async fn client_login(&mut self) -> Result<(), SyncError> {
        sessions::forget(&self.session);
        let url = format!("{}/accounts/ClientLogin", self.base);
        let form = [("Email", self.username.clone()), ("Passwd", self.password.clone())];
        self.requests += 1;
        let http = self.http;
        let reply = http.send("login", || post_form(http.client(), &url, &form)).await?;
        if matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(SyncError::Auth(format!("login answered {}", reply.status)));
        }
        check("login", &reply)?;
        let text = String::from_utf8_lossy(&reply.body);
        let auth = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Auth="))
            .filter(|a| !a.is_empty())
            .ok_or_else(|| SyncError::Malformed {
                what: "login".into(),
                message: "no Auth= in the answer (is the url the API's, e.g. …/api/greader.php?)".into(),
            })?
            .to_string();
        (self.auth, self.token, self.reused) = (auth, None, false);
        self.keep();
        Ok(())
    }

    fn keep(&self) {
        let session = sessions::Session {
            auth: self.auth.clone(),
            token: self.token.clone(),
        };
        sessions::put(&self.session, session);
    }

    /// A 401 on a kept login: it expired, so one new login (false: the 401 stands).
    async fn renewed(&mut self, what: &str) -> Result<bool, SyncError> {
        if !self.reused {
            return Ok(false);
        }
        tracing::info!("{what}: the kept login expired; logging in again");
        self.client_login().await?;
        Ok(true)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/reader/api/0/{path}", self.base)
    }

    async fn get(&mut self, what: &str, path: &str, query: &[(&str, String)]) -> Result<Reply, SyncError> {
        let url = match query {
            [] => self.url(path),
            _ => format!("{}?{}", self.url(path), encode(query)),
        };
        loop {
            let header = format!("GoogleLogin auth={}", self.auth);
            self.requests += 1;
            let http = self.http;
            let reply = http
                .send(what, || {
                    http.client().get(&url).header(reqwest::header::AUTHORIZATION, &header)
                })
                .await?;
            if reply.status == StatusCode::UNAUTHORIZED {
                if self.renewed(what).await? {
                    continue;
                }
                return Err(SyncError::Auth(format!("{what} answered 401")));
            }
            check(what, &reply)?;
            return Ok(reply);
        }
    }

    async fn token(&mut self) -> Result<String, SyncError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let reply = self.get("token", "token", &[]).await?;
        let token = String::from_utf8_lossy(&reply.body).trim().to_string();
        if token.is_empty() {
            return Err(SyncError::Malformed {
                what: "token".into(),
                message: "empty".into(),
            });
        }
        self.token = Some(token.clone());
        self.keep();
        Ok(token)
    }

    /// A write: the token in the form (`T`), renewed once when the server says it expired (and
    /// the login once, when a kept one expired).
    pub(super) async fn post(&mut self, what: &str, path: &str, form: &[(&str, String)]) -> Result<Reply, SyncError> {
        for attempt in 0..3 {
            let token = self.token().await?;
            let (url, header) = (self.url(path), format!("GoogleLogin auth={}", self.auth));
            let mut body: Vec<(&str, String)> = form.to_vec();
            body.push(("T", token));
            self.requests += 1;
            let http = self.http;
            let reply = http
                .send(what, || {
                    post_form(http.client(), &url, &body).header(reqwest::header::AUTHORIZATION, &header)
                })
                .await?;
            if reply.status == StatusCode::UNAUTHORIZED && reply.bad_token && attempt == 0 {
                tracing::info!("{what}: the write token expired; asking for a new one");
                self.token = None;
                continue;
            }
            if reply.status == StatusCode::UNAUTHORIZED {
                if !reply.bad_token && self.renewed(what).await? {
                    continue;
                }
                return Err(SyncError::Auth(format!("{what} answered 401")));
            }
            check(what, &reply)?;
            return Ok(reply);
        }
        Err(SyncError::Auth(format!("{what}: a new token was refused too")))
    }

    /// The subscriptions, their folders as tags.
    pub async fn subscriptions(&mut self) -> Result<Vec<RemoteFeed>, SyncError> {
        #[derive(Deserialize)]
        struct List {
            subscriptions: Vec<Subscription>,
        }
        #[derive(Deserialize)]
        struct Subscription {
            id: String,
            title: Option<String>,
            url: Option<String>,
            #[serde(rename = "htmlUrl")]
            html_url: Option<String>,
            #[serde(default)]
            categories: Vec<Category>,
        }
        #[derive(Deserialize)]
        struct Category {
            id: String,
            label: Option<String>,
        }
        let what = "subscription/list";
        let reply = self
            .get(what, "subscription/list", &[("output", "json".into())])
            .await?;
        let list: List = json(what, &reply)?;
        Ok(list
            .subscriptions
            .into_iter()
            .map(|s| RemoteFeed {
                url: s
                    .url
                    .or_else(|| s.id.strip_prefix("feed/").map(str::to_string))
                    .and_then(|u| super::items::http_url(&u)),
                site_url: s.html_url.and_then(|u| super::items::http_url(&u)),
                title: s.title.map(|t| super::items::clean_title(&t)).filter(|t| !t.is_empty()),
                folders: s
                    .categories
                    .into_iter()
                    .filter_map(|c| {
                        let label = c
                            .label
                            .or_else(|| c.id.rsplit_once("/label/").map(|(_, l)| l.to_string()))?;
                        Some(super::items::clean_title(&label)).filter(|l| !l.is_empty())
                    })
                    .collect(),
                id: s.id,
            })
            .collect())
    }

    /// Every item id of a stream (`exclude`: without those in that state), following
    /// `continuation` (opaque: FreshRSS gives an id, Miniflux an offset).
    pub async fn ids(&mut self, stream: &str, exclude: Option<&str>) -> Result<Vec<i64>, SyncError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, rename = "itemRefs")]
            item_refs: Option<Vec<ItemRef>>,
            continuation: Option<serde_json::Value>,
        }
        #[derive(Deserialize)]
        struct ItemRef {
            id: serde_json::Value,
        }
        let what = format!("stream/items/ids ({})", stream.rsplit('/').next().unwrap_or(stream));
        let mut ids = Vec::new();
        let mut seen_continuations = HashSet::new();
        let mut continuation: Option<String> = None;
        for _ in 0..MAX_ID_PAGES {
            let mut query = vec![
                ("output", "json".to_string()),
                ("s", stream.to_string()),
                ("n", IDS_PER_PAGE.to_string()),
            ];
            if let Some(x) = exclude {
                query.push(("xt", x.to_string()));
            }
            if let Some(c) = &continuation {
                query.push(("c", c.clone()));
            }
            let reply = self.get(&what, "stream/items/ids", &query).await?;
            let page: Page = json(&what, &reply)?;
            let refs = page.item_refs.unwrap_or_default();
            let count = refs.len();
            for r in refs {
                ids.push(parse_id(&r.id).ok_or_else(|| SyncError::Malformed {
                    what: what.clone(),
                    message: format!("item id {} is not a number", r.id),
                })?);
            }
            continuation = match page.continuation {
                Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            match &continuation {
                Some(c) if count > 0 && seen_continuations.insert(c.clone()) => {}
                _ => return Ok(ids),
            }
        }
        tracing::warn!("{what}: stopped after {MAX_ID_PAGES} pages");
        Ok(ids)
    }

    /// The items with these ids, in one request (`BATCH` at most; the caller makes the batch
    /// smaller when the answer was too large).
    pub async fn contents(&mut self, ids: &[i64]) -> Result<Vec<RemoteItem>, SyncError> {
        let what = "stream/items/contents";
        // A POST: too many ids for a URL. Miniflux reads a POST's auth from `T` only.
        let form: Vec<(&str, String)> = ids.iter().map(|id| ("i", id.to_string())).collect();
        let reply = self.post(what, "stream/items/contents?output=json", &form).await?;
        let items: Items = json(what, &reply)?;
        Ok(items.items.into_iter().filter_map(Item::into_remote).collect())
    }
}

pub(super) fn check(what: &str, reply: &Reply) -> Result<(), SyncError> {
    if reply.status.is_success() {
        Ok(())
    } else {
        Err(SyncError::Status {
            what: what.into(),
            status: reply.status,
        })
    }
}
