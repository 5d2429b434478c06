//! Fakes of the sync servers, written from their documented behaviour (../shared/SYNC-NOTES.md):
//! the Google Reader API as FreshRSS and as Miniflux speak it, and Fever as Coldsweat does.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::fake_server::{FakeServer, Request, Response};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    FreshRss,
    Miniflux,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub feed: usize,
    pub title: String,
    pub body: String,
    pub read: bool,
    pub starred: bool,
}

#[derive(Clone, Debug)]
pub struct Feed {
    pub title: String,
    pub url: String,
    pub folder: Option<String>,
    /// Unsubscribed (ids stay as they were: `feed/<position + 1>`).
    pub removed: bool,
}

impl Feed {
    pub fn new(title: &str, url: &str, folder: Option<&str>) -> Feed {
        Feed {
            title: title.into(),
            url: url.into(),
            folder: folder.map(str::to_string),
            removed: false,
        }
    }
}

/// One request answered rudely, as real servers and the networks in front of them do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rude {
    /// 503 with an HTML page; nothing done.
    Down,
    /// The request is done, but its answer is cut off halfway.
    CutOff,
    /// 200 with a login page instead of the answer; nothing done (a proxy, a maintenance page).
    HtmlOk,
}

/// What the next requests get instead of a proper answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Trouble {
    None,
    Status(u16),
    Hang(Duration),
    Malformed,
    Huge,
    /// 429 with this Retry-After, once.
    RateLimitOnce(u64),
    /// The write token is reported expired once.
    ExpireTokenOnce,
}

pub struct State {
    pub dialect: Dialect,
    pub user: String,
    pub password: String,
    pub feeds: Vec<Feed>,
    /// By server id.
    pub items: BTreeMap<i64, Item>,
    pub trouble: Trouble,
    /// Ids per `items/ids` page (small, to exercise `continuation`).
    pub page: usize,
    /// Every `edit-tag` and `mark-all-as-read` seen.
    pub writes: Vec<String>,
    /// Calls whose path ends with this answer only after the delay (a process can be killed
    /// while it waits).
    pub slow: Option<(String, Duration)>,
    /// Fever pages in the order Coldsweat scans them (by feed, then id) instead of by id.
    pub by_feed: bool,
    /// Each page (Fever `items`, GReader contents) gives its first item twice.
    pub duplicates: bool,
    /// Bytes of padding in each new item's body (large articles).
    pub body_pad: usize,
    /// Requests answered so far; the one with this number gets the rude answer.
    pub served: usize,
    pub rude_at: Option<(usize, Rude)>,
    /// The REST fakes' clock (seconds, one tick a request) and each item's last seen state
    /// with the time it changed: how they answer "what changed since".
    pub clock: i64,
    pub changed: BTreeMap<i64, (bool, bool, i64)>,
    /// Miniflux before 2.2: bookmarks only toggle, one entry at a time.
    pub toggle_only: bool,
    /// Raised to expire every login given so far (a server restart, a changed session key).
    pub logins_revoked: u32,
}

const AUTH: &str = "fake-auth-token";

impl State {
    pub fn new(dialect: Dialect) -> State {
        State {
            dialect,
            user: "reader".into(),
            password: "correct horse".into(),
            feeds: Vec::new(),
            items: BTreeMap::new(),
            trouble: Trouble::None,
            page: usize::MAX,
            writes: Vec::new(),
            slow: None,
            by_feed: false,
            duplicates: false,
            body_pad: 0,
            served: 0,
            rude_at: None,
            clock: 1_790_000_000,
            changed: BTreeMap::new(),
            toggle_only: false,
            logins_revoked: 0,
        }
    }

    /// A new item on the server (ids as the dialect makes them), returned.
    pub fn add(&mut self, feed: usize, title: &str, read: bool, starred: bool) -> i64 {
        let base = match self.dialect {
            // FreshRSS: microsecond insertion times.
            Dialect::FreshRss => 1_732_000_000_000_000,
            Dialect::Miniflux => 0,
        };
        let id = base + self.items.len() as i64 + 1;
        self.items.insert(
            id,
            Item {
                feed,
                title: title.into(),
                body: format!("<p>{title} <b>body</b></p>{}", "x".repeat(self.body_pad)),
                read,
                starred,
            },
        );
        id
    }

    fn token(&self) -> String {
        match self.dialect {
            Dialect::FreshRss => "fresh-write-token-0123456789abcdef0123456789abcdef012345".into(),
            // Miniflux: the token is the auth token.
            Dialect::Miniflux => self.auth(),
        }
    }

    /// The auth token logins get now: revoking logins (`logins_revoked += 1`) changes it, and
    /// every older one is refused with 401.
    fn auth(&self) -> String {
        format!("{AUTH}-{}", self.logins_revoked)
    }
}

pub type Shared = Arc<Mutex<State>>;

/// Serves the GReader API at `{base}/api/greader.php` (FreshRSS) or `{base}` (Miniflux).
pub fn greader(state: State) -> (FakeServer, Shared, String) {
    let dialect = state.dialect;
    let shared: Shared = Arc::new(Mutex::new(state));
    let s = shared.clone();
    let server = FakeServer::start(move |r| {
        // The state is not held while a slow answer waits: other requests go on.
        let slow = s
            .lock()
            .unwrap()
            .slow
            .clone()
            .filter(|(call, _)| r.path.ends_with(call.as_str()));
        if let Some((_, delay)) = slow {
            std::thread::sleep(delay);
        }
        rudely(&mut s.lock().unwrap(), r, handle_greader)
    });
    let api = match dialect {
        Dialect::FreshRss => format!("{}/api/greader.php", server.base),
        Dialect::Miniflux => server.base.clone(),
    };
    (server, shared, api)
}

/// The answer, unless this request is the one to be rude to.
pub(super) fn rudely(state: &mut State, r: &Request, handle: fn(&mut State, &Request) -> Response) -> Response {
    let n = state.served;
    state.served += 1;
    match state.rude_at.filter(|(at, _)| *at == n).map(|(_, rude)| rude) {
        Some(Rude::Down) => Response::new(503, "<html><body>Service Unavailable</body></html>"),
        Some(Rude::HtmlOk) => Response::new(200, "<html><body>Please log in</body></html>"),
        Some(Rude::CutOff) => {
            let mut answer = handle(state, r);
            answer.cut_after = Some(answer.body.len() / 2);
            answer
        }
        None => handle(state, r),
    }
}

pub(super) fn trouble(state: &mut State) -> Option<Response> {
    let answer = match state.trouble.clone() {
        Trouble::None | Trouble::ExpireTokenOnce => return None,
        Trouble::Status(code) => Response::new(code, "server error"),
        Trouble::Hang(d) => {
            let mut r = Response::new(200, "{}");
            r.delay = Some(d);
            r
        }
        Trouble::Malformed => Response::new(200, "{\"subscriptions\": [ not json"),
        Trouble::Huge => Response::new(200, vec![b' '; 10 * 1024 * 1024]),
        Trouble::RateLimitOnce(seconds) => {
            state.trouble = Trouble::None;
            Response::new(429, "slow down").header("retry-after", &seconds.to_string())
        }
    };
    Some(answer)
}

fn handle_greader(state: &mut State, r: &Request) -> Response {
    let path = match state.dialect {
        Dialect::FreshRss => match r.path.strip_prefix("/api/greader.php") {
            Some(p) => p.to_string(),
            None => return Response::new(404, "not found"),
        },
        Dialect::Miniflux => r.path.clone(),
    };
    if path == "/accounts/ClientLogin" {
        return match (r.form_value("Email"), r.form_value("Passwd")) {
            (Some(u), Some(p)) if u == state.user && p == state.password => {
                Response::new(200, format!("SID={0}\nLSID=null\nAuth={0}\n", state.auth()))
            }
            _ => Response::new(401, "Error=BadAuthentication\n"),
        };
    }
    if let Some(answer) = trouble(state) {
        return answer;
    }
    let header_ok = r.headers.get("authorization") == Some(&format!("GoogleLogin auth={}", state.auth()));
    let is_post = r.method == "POST";
    // Miniflux ignores the header on POST and checks T; FreshRSS wants the header always.
    let authed = match (state.dialect, is_post) {
        (Dialect::Miniflux, true) => r.form_value("T") == Some(state.token().as_str()),
        _ => header_ok,
    };
    if !authed {
        return Response::new(401, "Unauthorized");
    }
    let Some(call) = path.strip_prefix("/reader/api/0/") else {
        return Response::new(404, "not found");
    };
    match call {
        "token" => Response::new(200, format!("{}\n", state.token())),
        "subscription/list" => {
            let subs: Vec<serde_json::Value> = state
                .feeds
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.removed)
                .map(|(i, f)| {
                    let categories: Vec<serde_json::Value> = f
                        .folder
                        .iter()
                        .map(|l| json!({"id": format!("user/-/label/{l}"), "label": l}))
                        .collect();
                    json!({"id": format!("feed/{}", i + 1), "title": f.title, "url": f.url,
                           "htmlUrl": "https://example.org/", "categories": categories})
                })
                .collect();
            Response::json(&json!({ "subscriptions": subs }))
        }
        "stream/items/ids" => item_ids(state, r),
        "stream/items/contents" => {
            if state.dialect == Dialect::FreshRss && is_post && r.form_value("T") != Some(state.token().as_str()) {
                // FreshRSS takes contents by GET or POST; a POST needs no token either.
            }
            let mut ids: Vec<i64> = r.form_all("i").iter().filter_map(|i| i.parse().ok()).collect();
            if state.duplicates {
                ids.extend(ids.first().copied());
            }
            let items: Vec<serde_json::Value> = ids
                .iter()
                .filter_map(|id| state.items.get(id).map(|it| (id, it)))
                .map(|(id, it)| {
                    let mut categories = vec!["user/-/state/com.google/reading-list".to_string()];
                    if it.read {
                        categories.push("user/-/state/com.google/read".into());
                    }
                    if it.starred {
                        categories.push("user/-/state/com.google/starred".into());
                    }
                    json!({
                        "id": format!("tag:google.com,2005:reader/item/{:016x}", *id as u64),
                        "title": it.title,
                        "published": 1_790_000_000 + *id % 1000,
                        "alternate": [{"href": format!("https://example.org/{id}")}],
                        "summary": {"content": it.body},
                        "author": "Ann",
                        "origin": {"streamId": format!("feed/{}", it.feed + 1)},
                        "categories": categories,
                    })
                })
                .collect();
            Response::json(&json!({ "items": items }))
        }
        "edit-tag" => {
            if state.trouble == Trouble::ExpireTokenOnce {
                state.trouble = Trouble::None;
                return Response::new(401, "Unauthorized").header("X-Reader-Google-Bad-Token", "true");
            }
            if r.form_value("T") != Some(state.token().as_str()) {
                return Response::new(401, "Unauthorized").header("X-Reader-Google-Bad-Token", "true");
            }
            let ids: Vec<i64> = r.form_all("i").iter().filter_map(|i| i.parse().ok()).collect();
            let (tag, value) = match (r.form_value("a"), r.form_value("r")) {
                (Some(a), _) => (a.to_string(), true),
                (None, Some(rm)) => (rm.to_string(), false),
                _ => return Response::new(400, "no a or r"),
            };
            state.writes.push(format!("edit-tag {tag} {value} {}", ids.len()));
            for id in ids {
                // Unknown ids are fine: both servers answer OK.
                if let Some(it) = state.items.get_mut(&id) {
                    if tag.ends_with("/read") {
                        it.read = value;
                    } else if tag.ends_with("/starred") {
                        it.starred = value;
                    }
                }
            }
            Response::new(200, "OK")
        }
        "subscription/quickadd" => {
            if r.form_value("T") != Some(state.token().as_str()) {
                return Response::new(401, "Unauthorized").header("X-Reader-Google-Bad-Token", "true");
            }
            let url = r.form_value("quickadd").unwrap_or_default().to_string();
            state.feeds.push(Feed::new(&url, &url, None));
            state.writes.push(format!("quickadd {url}"));
            Response::json(&json!({"numResults": 1, "query": url, "streamId": format!("feed/{}", state.feeds.len())}))
        }
        "subscription/edit" => {
            if r.form_value("T") != Some(state.token().as_str()) {
                return Response::new(401, "Unauthorized").header("X-Reader-Google-Bad-Token", "true");
            }
            let n: usize = r
                .form_value("s")
                .and_then(|s| s.strip_prefix("feed/"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let Some(feed) = n.checked_sub(1).and_then(|i| state.feeds.get_mut(i)) else {
                return Response::new(400, "no such subscription");
            };
            match r.form_value("ac") {
                Some("unsubscribe") => feed.removed = true,
                Some("edit") => {
                    if let Some(label) = r.form_value("a").and_then(|a| a.rsplit_once("/label/")) {
                        feed.folder = Some(label.1.to_string());
                    }
                }
                _ => return Response::new(400, "bad ac"),
            }
            state
                .writes
                .push(format!("subscription/edit {}", r.form_value("ac").unwrap_or("")));
            Response::new(200, "OK")
        }
        "mark-all-as-read" => {
            state.writes.push("mark-all-as-read".into());
            Response::new(200, "OK")
        }
        // Miniflux answers unknown calls with an empty list.
        _ if state.dialect == Dialect::Miniflux => Response::json(&json!([])),
        _ => Response::new(404, "unknown call"),
    }
}

fn item_ids(state: &State, r: &Request) -> Response {
    let stream = r.param("s").unwrap_or("");
    let exclude_read = r.param("xt").is_some_and(|x| x.ends_with("/read"));
    let cap = match state.dialect {
        Dialect::Miniflux => 10_000,
        Dialect::FreshRss => usize::MAX,
    };
    let n = r
        .param("n")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(20)
        .min(cap)
        .min(state.page);
    // Newest first, as both servers list them.
    let matching: Vec<i64> = state
        .items
        .iter()
        .rev()
        .filter(|(_, it)| !state.feeds.get(it.feed).is_some_and(|f| f.removed))
        .filter(|(_, it)| match stream {
            s if s.ends_with("/starred") => it.starred,
            _ => true,
        })
        .filter(|(_, it)| !(exclude_read && it.read))
        .map(|(id, _)| *id)
        .collect();
    let start = match (state.dialect, r.param("c")) {
        (_, None) => 0,
        // FreshRSS: the continuation is the last id given.
        (Dialect::FreshRss, Some(c)) => c
            .parse::<i64>()
            .ok()
            .and_then(|last| matching.iter().position(|id| *id == last))
            .map_or(matching.len(), |p| p + 1),
        // Miniflux: an offset.
        (Dialect::Miniflux, Some(c)) => c.parse().unwrap_or(matching.len()),
    };
    let page: Vec<i64> = matching.iter().skip(start).take(n).copied().collect();
    let refs: Vec<serde_json::Value> = page.iter().map(|id| json!({"id": id.to_string()})).collect();
    let more = start + page.len() < matching.len();
    let mut answer = json!({ "itemRefs": refs });
    if more {
        answer["continuation"] = match state.dialect {
            Dialect::FreshRss => json!(page.last().unwrap().to_string()),
            Dialect::Miniflux => json!((start + page.len()).to_string()),
        };
    }
    Response::json(&answer)
}

/// Serves the Fever API at `{base}/fever/` as Coldsweat does: the call in the query string,
/// the key and writes in the form body, 50 items a call.
pub fn fever(state: State) -> (FakeServer, Shared, String) {
    let shared: Shared = Arc::new(Mutex::new(state));
    let s = shared.clone();
    let server = FakeServer::start(move |r| rudely(&mut s.lock().unwrap(), r, handle_fever));
    let endpoint = format!("{}/fever/", server.base);
    (server, shared, endpoint)
}

fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn handle_fever(state: &mut State, r: &Request) -> Response {
    if r.path != "/fever/" || !r.query_has("api") {
        return Response::new(404, "not found");
    }
    if let Some(answer) = trouble(state) {
        return answer;
    }
    let key = md5_hex(&format!("{}:{}", state.user, state.password));
    if r.form_value("api_key") != Some(key.as_str()) {
        return Response::json(&json!({"api_version": 3, "auth": 0}));
    }
    let mut answer = json!({"api_version": 3, "auth": 1, "last_refreshed_on_time": 1_790_000_000});
    if r.query_has("groups") {
        let mut folders: Vec<String> = state.feeds.iter().filter_map(|f| f.folder.clone()).collect();
        folders.dedup();
        answer["groups"] = json!(folders
            .iter()
            .enumerate()
            .map(|(i, f)| json!({"id": i + 1, "title": f}))
            .collect::<Vec<_>>());
        answer["feeds_groups"] = json!(folders
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let ids: Vec<String> = state
                    .feeds
                    .iter()
                    .enumerate()
                    .filter(|(_, feed)| feed.folder.as_deref() == Some(f))
                    .map(|(n, _)| (n + 1).to_string())
                    .collect();
                json!({"group_id": i + 1, "feed_ids": ids.join(",")})
            })
            .collect::<Vec<_>>());
    }
    if r.query_has("feeds") {
        answer["feeds"] = json!(state
            .feeds
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.removed)
            .map(|(i, f)| json!({"id": i + 1, "title": f.title, "url": f.url, "site_url": "https://example.org/"}))
            .collect::<Vec<_>>());
    }
    if r.query_has("items") {
        // Read parameters come from the query string only (Coldsweat reads `request.args`).
        let since: i64 = r
            .query
            .iter()
            .find(|(k, _)| k == "since_id")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let with_ids: Option<Vec<i64>> = r
            .query
            .iter()
            .find(|(k, _)| k == "with_ids")
            .map(|(_, v)| v.split(',').filter_map(|x| x.trim().parse().ok()).take(50).collect());
        let mut page: Vec<(&i64, &Item)> = match &with_ids {
            Some(ids) => ids.iter().filter_map(|id| state.items.get_key_value(id)).collect(),
            None if state.by_feed => {
                // Coldsweat: no ORDER BY, so its scan order (by feed) decides which 50 come.
                let mut all: Vec<(&i64, &Item)> = state.items.range(since + 1..).collect();
                all.sort_by_key(|(id, it)| (it.feed, **id));
                all.into_iter().take(50).collect()
            }
            None => state.items.range(since + 1..).take(50).collect(),
        };
        if state.duplicates {
            page.extend(page.first().copied());
        }
        answer["items"] = json!(page
            .into_iter()
            .map(
                |(id, it)| json!({"id": id, "feed_id": it.feed + 1, "title": it.title, "author": "Ann",
                                   "html": it.body, "url": format!("https://example.org/{id}"),
                                   "is_saved": i32::from(it.starred), "is_read": i32::from(it.read),
                                   "created_on_time": 1_790_000_000 + id})
            )
            .collect::<Vec<_>>());
    }
    let ids = |f: &dyn Fn(&Item) -> bool| {
        state
            .items
            .iter()
            .filter(|(_, it)| f(it))
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    if r.query_has("unread_item_ids") {
        answer["unread_item_ids"] = json!(ids(&|it| !it.read));
    }
    if r.query_has("saved_item_ids") {
        answer["saved_item_ids"] = json!(ids(&|it| it.starred));
    }
    if r.query_has("mark") {
        // Coldsweat answers 400 to a mark in the query string.
        return Response::new(400, "mark belongs in the form");
    }
    if let (Some("item"), Some(mark_as), Some(id)) = (r.form_value("mark"), r.form_value("as"), r.form_value("id")) {
        let id: i64 = id.parse().unwrap_or(0);
        state.writes.push(format!("mark {mark_as} {id}"));
        if let Some(it) = state.items.get_mut(&id) {
            match mark_as {
                "read" => it.read = true,
                "unread" => it.read = false,
                "saved" => it.starred = true,
                "unsaved" => it.starred = false,
                _ => return Response::new(400, "bad as"),
            }
        }
    }
    Response::json(&answer)
}
