//! Fakes of the REST sync servers, written from their API documentation: Nextcloud News v1.3
//! and Miniflux v1, on the same `State` as the other fakes, and as rude (pages in no order,
//! duplicates, cut-off answers, 200 with a login page).

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::fake_server::{FakeServer, Request, Response};
use super::sync_fakes::{rudely, trouble, Feed, Item, Shared, State};

/// Serves Nextcloud News at `{base}/index.php/apps/news/api/v1-3`; returns the Nextcloud root.
pub fn nextcloud(state: State) -> (FakeServer, Shared, String) {
    let shared: Shared = Arc::new(Mutex::new(state));
    let s = shared.clone();
    let server = FakeServer::start(move |r| dated(&mut s.lock().unwrap(), r, handle_nextcloud));
    let root = server.base.clone();
    (server, shared, root)
}

/// Serves Miniflux's API at `{base}/v1`; returns the Miniflux root.
pub fn miniflux(state: State) -> (FakeServer, Shared, String) {
    let shared: Shared = Arc::new(Mutex::new(state));
    let s = shared.clone();
    let server = FakeServer::start(move |r| dated(&mut s.lock().unwrap(), r, handle_miniflux));
    let root = server.base.clone();
    (server, shared, root)
}

/// The answer with the fake clock's `Date`, as real servers send theirs.
fn dated(state: &mut State, r: &Request, handle: fn(&mut State, &Request) -> Response) -> Response {
    let answer = rudely(state, r, handle);
    let now = chrono::DateTime::from_timestamp(state.clock, 0).unwrap();
    answer.header("date", &now.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn authorised(state: &State, r: &Request) -> bool {
    let basic = format!(
        "Basic {}",
        base64(format!("{}:{}", state.user, state.password).as_bytes())
    );
    r.headers.get("authorization") == Some(&basic) || r.headers.get("x-auth-token") == Some(&state.password)
}

/// Dates every item whose state changed since the last request (another client's change made
/// straight on `State`) or that is new, at the time before this request; then ticks the clock.
fn tick(state: &mut State) {
    let now = state.clock;
    state.clock += 1;
    for (id, it) in &state.items {
        let entry = state.changed.entry(*id).or_insert((it.read, it.starred, now));
        if (entry.0, entry.1) != (it.read, it.starred) {
            *entry = (it.read, it.starred, now);
        }
    }
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

fn ids_in(value: &Value, key: &str) -> Option<Vec<i64>> {
    value.get(key)?.as_array()?.iter().map(Value::as_i64).collect()
}

fn folders(state: &State) -> Vec<String> {
    let mut names: Vec<String> = state.feeds.iter().filter_map(|f| f.folder.clone()).collect();
    names.sort();
    names.dedup();
    names
}

fn folder_id(state: &State, name: &str) -> Option<usize> {
    folders(state).iter().position(|f| f == name).map(|i| i + 1)
}

/// Items of feeds still subscribed, with their change time, highest id first.
fn listed(state: &State) -> Vec<(i64, &Item, i64)> {
    state
        .items
        .iter()
        .rev()
        .filter(|(_, it)| !state.feeds.get(it.feed).is_some_and(|f| f.removed))
        .map(|(id, it)| (*id, it, state.changed.get(id).map_or(0, |c| c.2)))
        .collect()
}

/// A new folder (a category): it exists while a feed is in it, so a removed placeholder feed
/// keeps it. Returns its id.
fn make_folder(state: &mut State, name: &str) -> Option<usize> {
    let mut holder = Feed::new("", "", Some(name));
    holder.removed = true;
    state.feeds.push(holder);
    folder_id(state, name)
}

/// Subscribes to `url` in the folder with this id (none if unknown); returns the feed's id.
fn subscribe(state: &mut State, url: &str, folder: Option<u64>) -> usize {
    let folder = folder.and_then(|id| folders(state).get((id as usize).wrapping_sub(1)).cloned());
    state.feeds.push(Feed::new(url, url, folder.as_deref()));
    state.writes.push(format!("subscribe {url}"));
    state.feeds.len()
}

/// Unsubscribes the feed a `feeds/ID` path names; false when there is none.
fn unsubscribe(state: &mut State, path: &str) -> bool {
    let n: usize = path["feeds/".len()..].parse().unwrap_or(0);
    let Some(feed) = n.checked_sub(1).and_then(|i| state.feeds.get_mut(i)) else {
        return false;
    };
    feed.removed = true;
    state.writes.push(format!("unsubscribe {n}"));
    true
}

/// 201 with a JSON body, as Miniflux answers a creation.
fn created(value: &Value) -> Response {
    Response {
        status: 201,
        ..Response::json(value)
    }
}

fn handle_nextcloud(state: &mut State, r: &Request) -> Response {
    let Some(call) = r.path.strip_prefix("/index.php/apps/news/api/v1-3/") else {
        return Response::new(404, "<html>Not found</html>");
    };
    if !authorised(state, r) {
        return Response::new(401, "{\"message\":\"Unauthorized\"}");
    }
    if let Some(answer) = trouble(state) {
        return answer;
    }
    tick(state);
    let item = |id: i64, it: &Item, modified: i64| {
        json!({"id": id, "guid": format!("g{id}"), "guidHash": format!("{:032x}", id), "url": format!("https://example.org/{id}"),
               "title": it.title, "author": "Ann", "pubDate": 1_790_000_000 + id % 1000, "body": it.body,
               "feedId": it.feed + 1, "unread": !it.read, "starred": it.starred,
               // News 15 and later: microseconds here, seconds in the parameter.
               "lastModified": modified * 1_000_000})
    };
    let param = |name: &str| r.param(name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    match (r.method.as_str(), call) {
        ("GET", "folders") => {
            let list: Vec<Value> = folders(state)
                .iter()
                .enumerate()
                .map(|(i, f)| json!({"id": i + 1, "name": f}))
                .collect();
            Response::json(&json!({ "folders": list }))
        }
        ("GET", "feeds") => {
            let list: Vec<Value> = state
                .feeds
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.removed)
                .map(|(i, f)| {
                    json!({"id": i + 1, "url": f.url, "title": f.title, "link": "https://example.org/",
                                     "folderId": f.folder.as_deref().and_then(|n| folder_id(state, n))})
                })
                .collect();
            Response::json(&json!({ "feeds": list, "starredCount": 0 }))
        }
        ("GET", "items") => {
            let (size, offset) = (param("batchSize").max(1) as usize, param("offset"));
            let mut page: Vec<Value> = listed(state)
                .into_iter()
                .filter(|(id, _, _)| offset == 0 || *id < offset)
                .take(size)
                .map(|(id, it, m)| item(id, it, m))
                .collect();
            if state.by_feed {
                page.sort_by_key(|v| (v["feedId"].as_i64(), v["id"].as_i64()));
            }
            if state.duplicates {
                page.extend(page.first().cloned());
            }
            Response::json(&json!({ "items": page }))
        }
        ("GET", "items/updated") => {
            let since = param("lastModified");
            let page: Vec<Value> = listed(state)
                .into_iter()
                .filter(|(_, _, m)| *m >= since)
                .map(|(id, it, m)| item(id, it, m))
                .collect();
            Response::json(&json!({ "items": page }))
        }
        ("PUT", action) if action.starts_with("items/") && action.ends_with("/multiple") => {
            // v1.3 takes item ids; v1.2's `items` of feed ids and guid hashes is refused.
            let Some(ids) = ids_in(&body(r), "itemIds") else {
                return Response::new(400, "{\"message\":\"itemIds missing\"}");
            };
            let what = action.trim_start_matches("items/").trim_end_matches("/multiple");
            state.writes.push(format!("{what} {}", ids.len()));
            for id in ids {
                if let Some(it) = state.items.get_mut(&id) {
                    match what {
                        "read" => it.read = true,
                        "unread" => it.read = false,
                        "star" => it.starred = true,
                        "unstar" => it.starred = false,
                        _ => return Response::new(404, "no such action"),
                    }
                }
            }
            Response::new(200, "")
        }
        ("POST", "folders") => {
            let name = body(r)["name"].as_str().unwrap_or("").to_string();
            let id = make_folder(state, &name);
            Response::json(&json!({"folders": [{"id": id, "name": name}]}))
        }
        ("POST", "feeds") => {
            let b = body(r);
            let url = b["url"].as_str().unwrap_or("").to_string();
            let id = subscribe(state, &url, b["folderId"].as_u64());
            Response::json(&json!({"feeds": [{"id": id, "url": url}]}))
        }
        ("DELETE", path) if path.starts_with("feeds/") => match unsubscribe(state, path) {
            true => Response::new(200, ""),
            false => Response::new(404, "{\"message\":\"Feed not found\"}"),
        },
        _ => Response::new(404, "<html>Not found</html>"),
    }
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).unwrap().to_rfc3339()
}

fn handle_miniflux(state: &mut State, r: &Request) -> Response {
    let Some(call) = r.path.strip_prefix("/v1/") else {
        return Response::new(404, "404 page not found");
    };
    if !authorised(state, r) {
        return Response::new(401, "{\"error_message\":\"Access Unauthorized\"}");
    }
    if let Some(answer) = trouble(state) {
        return answer;
    }
    tick(state);
    let entry = |id: i64, it: &Item, changed: i64| {
        json!({"id": id, "feed_id": it.feed + 1, "title": it.title, "url": format!("https://example.org/{id}"),
               "author": "Ann", "content": it.body, "published_at": rfc3339(1_790_000_000 + id % 1000),
               "changed_at": rfc3339(changed), "status": if it.read { "read" } else { "unread" }, "starred": it.starred})
    };
    let categories = |state: &State| -> Vec<Value> {
        folders(state)
            .iter()
            .enumerate()
            .map(|(i, f)| json!({"id": i + 1, "title": f}))
            .collect()
    };
    let param = |name: &str| r.param(name).and_then(|v| v.parse::<i64>().ok());
    match (r.method.as_str(), call) {
        ("GET", "feeds") => {
            let list: Vec<Value> = state
                .feeds
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.removed)
                .map(|(i, f)| {
                    let category = f.folder.as_deref().unwrap_or("All");
                    json!({"id": i + 1, "feed_url": f.url, "site_url": "https://example.org/", "title": f.title,
                           "category": {"id": folder_id(state, category).unwrap_or(0), "title": category}})
                })
                .collect();
            Response::json(&json!(list))
        }
        ("GET", "categories") => Response::json(&json!(categories(state))),
        ("POST", "categories") => {
            let title = body(r)["title"].as_str().unwrap_or("").to_string();
            let id = make_folder(state, &title);
            created(&json!({"id": id, "title": title}))
        }
        ("GET", "entries") => {
            let (after, changed, limit) = (
                param("after_entry_id").unwrap_or(0),
                param("changed_after"),
                param("limit").unwrap_or(100).max(1) as usize,
            );
            let mut matching: Vec<(i64, &Item, i64)> = listed(state)
                .into_iter()
                .filter(|(id, _, c)| *id > after && changed.is_none_or(|t| *c > t))
                .collect();
            matching.reverse();
            // `total` counts every match, not the page.
            let total = matching.len();
            let mut page: Vec<Value> = matching
                .into_iter()
                .take(limit)
                .map(|(id, it, c)| entry(id, it, c))
                .collect();
            if state.duplicates {
                page.extend(page.first().cloned());
            }
            Response::json(&json!({"total": total, "entries": page}))
        }
        ("PUT", "entries") => {
            let b = body(r);
            let Some(ids) = ids_in(&b, "entry_ids") else {
                return Response::new(400, "{\"error_message\":\"entry_ids missing\"}");
            };
            let status = b["status"].as_str();
            let starred = b["starred"].as_bool();
            if status.is_none() && (starred.is_none() || state.toggle_only) {
                return Response::new(400, "{\"error_message\":\"Invalid status\"}");
            }
            state
                .writes
                .push(format!("entries {status:?} {starred:?} {}", ids.len()));
            for id in ids {
                if let Some(it) = state.items.get_mut(&id) {
                    if let Some(s) = status {
                        it.read = s != "unread";
                    }
                    if let Some(s) = starred {
                        it.starred = s;
                    }
                }
            }
            Response::new(204, "")
        }
        ("GET", path) if path.starts_with("entries/") => {
            let id: i64 = path["entries/".len()..].parse().unwrap_or(0);
            let changed = state.changed.get(&id).map_or(0, |c| c.2);
            match state.items.get(&id) {
                Some(it) => Response::json(&entry(id, it, changed)),
                None => Response::new(404, "{\"error_message\":\"Entry not found\"}"),
            }
        }
        ("PUT", path) if path.starts_with("entries/") && path.ends_with("/bookmark") => {
            let id: i64 = path["entries/".len()..path.len() - "/bookmark".len()]
                .parse()
                .unwrap_or(0);
            state.writes.push(format!("toggle {id}"));
            match state.items.get_mut(&id) {
                Some(it) => {
                    it.starred = !it.starred;
                    Response::new(204, "")
                }
                None => Response::new(404, "{\"error_message\":\"Entry not found\"}"),
            }
        }
        ("POST", "feeds") => {
            let b = body(r);
            let url = b["feed_url"].as_str().unwrap_or("").to_string();
            let id = subscribe(state, &url, b["category_id"].as_u64());
            created(&json!({"feed_id": id}))
        }
        ("DELETE", path) if path.starts_with("feeds/") => match unsubscribe(state, path) {
            true => Response::new(204, ""),
            false => Response::new(404, "{\"error_message\":\"Feed not found\"}"),
        },
        _ => Response::new(404, "404 page not found"),
    }
}
