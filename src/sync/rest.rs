//! JSON over HTTP for the REST-style sync APIs (TT-RSS, Nextcloud News, Miniflux): one base
//! address, its credentials, requests counted, and answers that must be JSON (never a page).

use reqwest::{Method, StatusCode};

use std::collections::{HashMap, HashSet};

use crate::model::FeedId;
use crate::store::SharedStore;

use super::http::{Http, Reply, SyncError};
use super::items::store_items;
use super::{AccountReport, RemoteItem};

/// How a REST server is told who is asking.
pub enum Credentials {
    Basic {
        username: String,
        password: String,
    },
    /// Miniflux's API key (`X-Auth-Token`).
    Token(String),
    /// In the body (TT-RSS's session id).
    None,
}

pub struct Rest<'a> {
    http: &'a Http,
    base: String,
    credentials: Credentials,
    /// Requests made, for the report and the benchmarks.
    pub requests: usize,
    /// The server's clock at its first answer (`Date`): changes after it are the next sync's.
    pub started_at: Option<i64>,
}

impl<'a> Rest<'a> {
    pub fn new(http: &'a Http, base: &str, credentials: Credentials) -> Rest<'a> {
        Rest {
            http,
            base: base.trim_end_matches('/').to_string(),
            credentials,
            requests: 0,
            started_at: None,
        }
    }

    /// Sends `method {base}/{path}` with a JSON body, if any; an answer other than 2xx is an error
    /// (401/403: the credentials), and so is a 2xx whose body is a page rather than JSON (a
    /// proxy's or a login page). Returns the parsed body (`null` when empty, as 204s are).
    pub async fn call(
        &mut self,
        what: &str,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, SyncError> {
        let url = if path.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{}", self.base, path.trim_start_matches('/'))
        };
        self.requests += 1;
        let (http, credentials) = (self.http, &self.credentials);
        let reply = http
            .send(what, || {
                let mut request = http.client().request(method.clone(), &url);
                request = match credentials {
                    Credentials::Basic { username, password } => request.basic_auth(username, Some(password)),
                    Credentials::Token(token) => request.header("X-Auth-Token", token),
                    Credentials::None => request,
                };
                match body {
                    Some(b) => request
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(b.to_string()),
                    None => request,
                }
            })
            .await?;
        if self.started_at.is_none() {
            self.started_at = reply.date;
        }
        answer(what, &reply)
    }
}

/// The JSON of a 2xx answer; the status or the shape otherwise.
pub fn answer(what: &str, reply: &Reply) -> Result<serde_json::Value, SyncError> {
    if matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        return Err(SyncError::Auth(format!("{what} answered {}", reply.status)));
    }
    if !reply.status.is_success() {
        return Err(SyncError::Status {
            what: what.into(),
            status: reply.status,
        });
    }
    let body = reply.body.trim_ascii();
    if body.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(body).map_err(|_| SyncError::Malformed {
        what: what.into(),
        message: if body.starts_with(b"<") {
            "the server answered with a web page, not JSON (a login or error page?)".into()
        } else {
            "not the JSON expected".into()
        },
    })
}

/// A number sent as a number or as a string, as these servers do.
pub fn number(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON value as a type, naming what was asked when its shape is not the one expected.
pub fn shape<T: serde::de::DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T, SyncError> {
    serde_json::from_value(value).map_err(|e| SyncError::Malformed {
        what: what.into(),
        message: format!("not the JSON expected ({e})"),
    })
}

/// A flag sent as `true`, `1` or `"1"`.
pub fn flag(v: &serde_json::Value) -> bool {
    matches!(v, serde_json::Value::Bool(true)) || number(v) == Some(1)
}

/// An item with the time it last changed on its server (seconds).
pub struct Dated {
    pub item: RemoteItem,
    pub changed: i64,
}

/// Takes what a list of changed items brought: those new to the cache are stored (an id given
/// twice once), the others' state applied. Returns the items left for later (their feed is not
/// listed yet) and the newest change seen.
pub(super) async fn take_changes(
    store: &SharedStore,
    account: &str,
    feeds: &HashMap<String, FeedId>,
    known: &HashSet<i64>,
    got: Vec<Dated>,
    report: &mut AccountReport,
) -> Result<(Vec<i64>, Option<i64>), SyncError> {
    let newest = got.iter().map(|d| d.changed).max();
    let mut seen = HashSet::new();
    let (fresh, states): (Vec<RemoteItem>, Vec<RemoteItem>) = got
        .into_iter()
        .map(|d| d.item)
        .filter(|i| seen.insert(i.id))
        .partition(|i| !known.contains(&i.id));
    let stored = store_items(store, feeds, fresh).await?;
    report.new += stored.new;
    report.pulled += super::apply_changed(store, account, states).await?;
    Ok((stored.orphans, newest))
}

/// Where the next sync asks for changes from: the server's clock when this sync began (its
/// first answer's `Date`), so a change another client makes while this sync runs is asked for
/// again; without a `Date`, the newest change seen less this sync's duration.
pub(super) fn next_mark(server_start: Option<i64>, newest: Option<i64>, started: std::time::Instant) -> Option<i64> {
    server_start.or_else(|| newest.map(|n| n - started.elapsed().as_secs() as i64 - 2))
}
