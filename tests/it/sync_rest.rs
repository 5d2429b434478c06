//! Nextcloud News and Miniflux's own API against in-process fakes written from their
//! documentation: a whole account life (pages, pushes, another client's changes, subscribing),
//! the documented edge cases, and how few requests a sync needs.

use crate::common::rest_fakes;
use crate::common::sync_fakes::{Dialect, Feed, Shared, State};
use crate::common::{json_lines, stderr, Sandbox};

const PASSWORD_VAR: &str = "KHABAR_TEST_REST_PASSWORD";

fn config(kind: &str, url: &str, username: &str) -> String {
    format!(
        "[general]\nrequest_timeout = \"2s\"\n\n[[account]]\nname = \"home\"\nkind = \"{kind}\"\nurl = \"{url}\"\nusername = \"{username}\"\npassword_env = \"{PASSWORD_VAR}\"\n"
    )
}

fn run(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    sb.command(args).env(PASSWORD_VAR, "correct horse").output().unwrap()
}

fn sync(sb: &Sandbox) -> serde_json::Value {
    let out = run(sb, &["sync", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json_lines(&out).remove(0);
    assert_eq!(report["error"], serde_json::Value::Null, "{report}");
    report
}

fn server(items: usize) -> State {
    let mut s = State::new(Dialect::Miniflux);
    s.feeds = vec![
        Feed::new("Tech", "https://tech.example.org/feed", Some("tech")),
        Feed::new("World", "https://world.example.org/rss", Some("news")),
    ];
    // Pages in no order, and their first item twice.
    s.by_feed = true;
    s.duplicates = true;
    for n in 0..items {
        s.add(n % 2, &format!("Item {n}"), n % 3 == 0, n % 10 == 0);
    }
    s
}

fn id_of(sb: &Sandbox, title: &str) -> String {
    sb.list_json(&[])
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?}"))["id"]
        .as_i64()
        .unwrap()
        .to_string()
}

fn item<'a>(s: &'a State, title: &str) -> &'a crate::common::sync_fakes::Item {
    s.items.values().find(|i| i.title == title).unwrap()
}

/// The whole life of an account on a REST server; returns the requests of a sync with nothing
/// new and of one with 10 new articles and 5 changes made here.
fn account_life(
    kind: &str,
    serve: fn(State) -> (crate::common::fake_server::FakeServer, Shared, String),
    username: &str,
) -> (u64, u64) {
    let (_server, shared, url) = serve(server(450));
    let sb = Sandbox::new();
    sb.write_config(&config(kind, &url, username));
    let first = sync(&sb);
    assert_eq!(
        (first["new"].as_u64(), first["feeds"].as_u64()),
        (Some(450), Some(2)),
        "{first}"
    );
    assert_eq!(sb.list_json(&["--unread"]).len(), 300);
    assert_eq!(sb.list_json(&["--starred"]).len(), 45);
    assert!(sb.feeds_json().iter().any(|f| f["tags"] == serde_json::json!(["news"])));

    let quiet = sync(&sb);
    assert_eq!(
        (quiet["new"].as_u64(), quiet["pulled"].as_u64()),
        (Some(0), Some(0)),
        "{quiet}"
    );

    // Changes made here go up in batches; another client's changes come down.
    for title in ["Item 1", "Item 2", "Item 4"] {
        assert!(sb.run(&["mark", &id_of(&sb, title), "--read"]).status.success());
    }
    assert!(sb.run(&["mark", &id_of(&sb, "Item 5"), "--star"]).status.success());
    assert!(sb.run(&["mark", &id_of(&sb, "Item 10"), "--unstar"]).status.success());
    {
        let mut s = shared.lock().unwrap();
        s.items.values_mut().find(|i| i.title == "Item 7").unwrap().read = true;
        s.items.values_mut().find(|i| i.title == "Item 8").unwrap().starred = true;
        for n in 450..460 {
            s.add(n % 2, &format!("Item {n}"), false, false);
        }
    }
    let busy = sync(&sb);
    assert_eq!(
        (busy["pushed"].as_u64(), busy["new"].as_u64(), busy["pulled"].as_u64()),
        (Some(5), Some(10), Some(2)),
        "{busy}"
    );
    {
        let s = shared.lock().unwrap();
        assert!(item(&s, "Item 1").read && item(&s, "Item 4").read && item(&s, "Item 5").starred);
        assert!(!item(&s, "Item 10").starred);
    }
    let list = sb.list_json(&[]);
    let get = |t: &str| list.iter().find(|a| a["title"] == t).unwrap().clone();
    assert_eq!(
        (get("Item 7")["read"].clone(), get("Item 8")["starred"].clone()),
        (true.into(), true.into())
    );

    // Subscribing (into a folder the server makes) and unsubscribing.
    let add = run(
        &sb,
        &[
            "add",
            "https://new.example.org/feed.xml",
            "--account",
            "home",
            "--tag",
            "later",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let added = sb
        .feeds_json()
        .into_iter()
        .find(|f| f["url"] == "https://new.example.org/feed.xml");
    assert_eq!(added.map(|f| f["tags"].clone()), Some(serde_json::json!(["later"])));
    let remove = run(&sb, &["remove", "https://new.example.org/feed.xml"]);
    assert!(remove.status.success(), "{}", stderr(&remove));
    assert_eq!(sync(&sb)["feeds"], 2);
    (quiet["requests"].as_u64().unwrap(), busy["requests"].as_u64().unwrap())
}

#[test]
fn a_nextcloud_news_account_syncs_both_ways_in_few_requests() {
    let (quiet, busy) = account_life("nextcloud", rest_fakes::nextcloud, "reader");
    // folders, feeds, items/updated; then one request per kind of change (read, star, unstar).
    assert_eq!((quiet, busy), (3, 6));
}

#[test]
fn a_miniflux_account_syncs_both_ways_in_few_requests() {
    let (quiet, busy) = account_life("miniflux", rest_fakes::miniflux, "reader");
    // feeds, new entries, changed entries; then one request per kind of change (read, star,
    // unstar).
    assert_eq!((quiet, busy), (3, 6));
}

#[test]
fn a_miniflux_api_key_works_and_an_old_server_toggles_bookmarks_only_when_needed() {
    let mut state = server(3);
    state.toggle_only = true;
    let (_server, shared, url) = rest_fakes::miniflux(state);
    let sb = Sandbox::new();
    // No username: the password is an API key (X-Auth-Token).
    sb.write_config(&config("miniflux", &url, ""));
    // The fake takes the password as the key.
    assert_eq!(sync(&sb)["new"], 3);
    // "Item 1" is starred there already: starring it here too must not toggle it off.
    shared
        .lock()
        .unwrap()
        .items
        .values_mut()
        .find(|i| i.title == "Item 1")
        .unwrap()
        .starred = true;
    for title in ["Item 1", "Item 2"] {
        assert!(sb.run(&["mark", &id_of(&sb, title), "--star"]).status.success());
    }
    assert_eq!(sync(&sb)["pushed"], 2);
    let s = shared.lock().unwrap();
    assert!(item(&s, "Item 1").starred && item(&s, "Item 2").starred);
    let toggles: Vec<&String> = s.writes.iter().filter(|w| w.starts_with("toggle")).collect();
    assert_eq!(toggles.len(), 1, "{:?}", s.writes);
}

/// In one process (a running reader), a Google Reader API account logs in once: a sync with
/// nothing new is then 4 requests. A login the server expired is renewed once, transparently.
#[test]
fn a_process_that_syncs_again_logs_in_once_and_again_only_when_the_login_expires() {
    let mut state = State::new(Dialect::FreshRss);
    state.feeds = vec![Feed::new("Tech", "https://tech.example.org/feed", Some("tech"))];
    for n in 0..20 {
        state.add(0, &format!("Item {n}"), false, false);
    }
    let (_server, shared, api) = crate::common::sync_fakes::greader(state);
    std::env::set_var("KHABAR_TEST_KEPT_LOGIN", "correct horse");
    let text = format!(
        "[[account]]\nname = \"home\"\nkind = \"greader\"\nurl = \"{api}\"\nusername = \"reader\"\npassword_env = \"KHABAR_TEST_KEPT_LOGIN\"\n"
    );
    let (config, store, _dir) = crate::common::in_process(&text);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sync = || runtime.block_on(khabar::sync::sync_all(&config, &store)).remove(0);
    let first = sync();
    // login, subscriptions, 3 id lists, the write token, one batch of contents.
    assert_eq!(
        (first.new, first.requests, first.error.clone()),
        (20, 7, None),
        "{first:?}"
    );
    let quiet = sync();
    // subscriptions and the all, unread and starred id lists: no login.
    assert_eq!((quiet.requests, quiet.error.clone()), (4, None), "{quiet:?}");
    shared.lock().unwrap().logins_revoked += 1;
    let renewed = sync();
    // The refused request, the login, the same request again, then the rest.
    assert_eq!((renewed.requests, renewed.error.clone()), (6, None), "{renewed:?}");
    assert_eq!(sync().requests, 4);
}

/// Miniflux answers 500 to a status change none of whose entries it still has: the change to an
/// entry the server dropped stays here only and never blocks the others.
#[test]
fn a_miniflux_entry_gone_from_the_server_never_blocks_the_changes_behind_it() {
    let (_server, shared, url) = rest_fakes::miniflux(server(4));
    let sb = Sandbox::new();
    sb.write_config(&config("miniflux", &url, "reader"));
    assert_eq!(sync(&sb)["new"], 4);
    for title in ["Item 1", "Item 2"] {
        assert!(sb.run(&["mark", &id_of(&sb, title), "--read"]).status.success());
    }
    assert!(sb.run(&["mark", &id_of(&sb, "Item 2"), "--star"]).status.success());
    {
        // The server flushed Item 1 and Item 2 (say, its retention).
        let mut s = shared.lock().unwrap();
        s.items.retain(|_, it| it.title != "Item 1" && it.title != "Item 2");
    }
    let report = sync(&sb);
    assert_eq!(
        (report["pushed"].as_u64(), report["pending"].as_u64()),
        (Some(3), Some(0)),
        "{report}"
    );
    let list = sb.list_json(&[]);
    let one = list.iter().find(|a| a["title"] == "Item 1").unwrap();
    assert_eq!(one["read"], true, "the change stays here");
}
