//! End-to-end refresh through the real binary against a local HTTP server: conditional GET,
//! per-feed errors, charsets, autodiscovery, sanitising, dedupe, retention and redirects.

use crate::common::*;
use khabar::model::ArticleId;

const GENERAL: &str = "[general]\nrequest_timeout = \"3s\"\nconnect_timeout = \"2s\"\n";

#[test]
fn conditional_get_stores_validators_and_second_refresh_writes_nothing() {
    let server = TestServer::start();
    let doc = rss("Cond", &[("a", "First", "one"), ("b", "Second", "two")]);
    server.route(
        "/cond.xml",
        Route {
            gzip: true,
            ..Route::ok(doc).with_etag("\"v1\"")
        },
    );
    let sb = Sandbox::new();
    sb.write_config(&format!("{GENERAL}{}", feed_entry(&server.url("/cond.xml"), &["t"])));

    let first = sb.refresh();
    assert!(stderr(&first).contains("2 new"), "{}", stderr(&first));
    let state = open_store(&sb.cache()).poll_states().unwrap().remove(0);
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(state.last_modified.as_deref(), Some("Tue, 24 Nov 2026 10:00:00 GMT"));
    assert!(server.hits("/cond.xml")[0].headers["accept-encoding"].contains("gzip"));

    let second = sb.refresh();
    let hit = server.hits("/cond.xml").pop().unwrap();
    assert_eq!(hit.headers.get("if-none-match").map(String::as_str), Some("\"v1\""));
    assert_eq!(
        hit.headers.get("if-modified-since").map(String::as_str),
        Some("Tue, 24 Nov 2026 10:00:00 GMT")
    );
    assert!(stderr(&second).contains("304"), "{}", stderr(&second));
    assert!(stderr(&second).contains("0 new articles"), "{}", stderr(&second));
    assert_eq!(sb.list_json(&[]).len(), 2);
    assert_eq!(sb.feeds_json()[0]["last_status"], "304");
}

#[test]
fn each_failure_is_recorded_on_its_feed_and_never_stops_the_others() {
    let server = TestServer::start();
    server.route("/good.xml", Route::ok(rss("Good", &[("g1", "Fine", "ok")])));
    server.route("/500.xml", Route::status(500));
    server.route(
        "/hang.xml",
        Route {
            hang: true,
            ..Route::ok("")
        },
    );
    server.route(
        "/bad.xml",
        Route::ok("<rss version=\"2.0\"><channel><item><title>unclosed"),
    );
    server.route("/big.xml", Route::ok(rss("Big", &[("x", "Big", &"y".repeat(200_000))])));
    let sb = Sandbox::new();
    let mut config = format!("{GENERAL}max_body_size = \"64KiB\"\n");
    for path in ["/good.xml", "/404.xml", "/500.xml", "/hang.xml", "/bad.xml", "/big.xml"] {
        config.push_str(&feed_entry(&server.url(path), &[]));
    }
    config.push_str(&feed_entry(sb.path("missing.xml").to_str().unwrap(), &[]));
    sb.write_config(&config);

    let out = sb.refresh();
    let err = stderr(&out);
    assert!(err.contains("6 failed"), "{err}");
    let feeds = sb.feeds_json();
    let by_url = |p: &str| {
        feeds
            .iter()
            .find(|f| f["url"].as_str().unwrap().ends_with(p))
            .unwrap()
            .clone()
    };
    assert_eq!(by_url("/good.xml")["last_error"], serde_json::Value::Null);
    assert_eq!(by_url("/good.xml")["articles"], 1);
    assert_eq!(by_url("/404.xml")["last_status"], "404");
    assert!(by_url("/404.xml")["last_error"]
        .as_str()
        .unwrap()
        .contains("404 Not Found"));
    assert_eq!(by_url("/500.xml")["last_status"], "500");
    assert_eq!(by_url("/hang.xml")["last_status"], "timeout");
    assert!(by_url("/hang.xml")["last_error"]
        .as_str()
        .unwrap()
        .contains("timed out"));
    assert_eq!(by_url("/bad.xml")["last_status"], "parse-error");
    assert_eq!(by_url("/big.xml")["last_status"], "too-large");
    assert!(by_url("/big.xml")["last_error"]
        .as_str()
        .unwrap()
        .contains("65536-byte limit"));
    assert!(by_url("missing.xml")["last_error"]
        .as_str()
        .unwrap()
        .contains("missing.xml"));
    for f in &feeds {
        assert!(f["last_fetched"].is_string(), "{f}");
    }
}

#[test]
fn charsets_from_prolog_header_and_bom_are_decoded() {
    let server = TestServer::start();
    let encode = |enc: &'static encoding_rs::Encoding, s: &str| enc.encode(s).0.into_owned();
    let item = |title: &str| {
        format!("<rss version=\"2.0\"><channel><title>C</title><item><guid>1</guid><title>{title}</title></item></channel></rss>")
    };

    let mut cp1251 = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>".to_vec();
    cp1251.extend(encode(encoding_rs::WINDOWS_1251, &item("Новая версия ядра")));
    server.route("/cp1251.xml", Route::ok(cp1251));

    // The header says ISO-8859-1; the prolog lies (UTF-8): the header wins.
    let mut latin1 = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>".to_vec();
    latin1.extend(encode(encoding_rs::WINDOWS_1252, &item("Café naïve")));
    server.route(
        "/latin1.xml",
        Route::ok(latin1).header("Content-Type", "application/rss+xml; charset=ISO-8859-1"),
    );

    let mut sjis = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>".to_vec();
    sjis.extend(encode(encoding_rs::SHIFT_JIS, &item("新しいリリース")));
    server.route("/sjis.xml", Route::ok(sjis));

    let mut utf16 = vec![0xFF, 0xFE];
    for unit in format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{}", item("हिंदी समाचार")).encode_utf16()
    {
        utf16.extend(unit.to_le_bytes());
    }
    server.route("/utf16.xml", Route::ok(utf16));

    let mut broken = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_vec();
    broken.extend(item("valid \u{20ac} then ").into_bytes());
    let at = broken.windows(5).position(|w| w == b"then ").unwrap() + 5;
    broken.splice(at..at, [0xFF, 0xFE, b'!']);
    server.route("/broken.xml", Route::ok(broken));

    let sb = Sandbox::new();
    let mut config = GENERAL.to_string();
    for p in ["/cp1251.xml", "/latin1.xml", "/sjis.xml", "/utf16.xml", "/broken.xml"] {
        config.push_str(&feed_entry(&server.url(p), &[]));
    }
    sb.write_config(&config);
    let out = sb.refresh();
    assert!(stderr(&out).contains("0 failed"), "{}", stderr(&out));
    let titles: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "Новая версия ядра",
        "Café naïve",
        "新しいリリース",
        "हिंदी समाचार",
        "valid € then \u{FFFD}\u{FFFD}!",
    ] {
        assert!(titles.iter().any(|t| t == expected), "{expected:?} not in {titles:?}");
    }
}

#[test]
fn html_page_leads_to_its_feed_by_autodiscovery() {
    let server = TestServer::start();
    server.route(
        "/blog/",
        Route::ok("<!DOCTYPE html><html><head><title>Blog</title><link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.atom\"></head><body>hi</body></html>")
            .header("Content-Type", "text/html; charset=utf-8"),
    );
    server.route(
        "/blog/feed.atom",
        Route::ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Found</title><id>f</id><entry><id>e1</id><title>Discovered post</title><link href=\"p1\"/></entry></feed>"),
    );
    server.route(
        "/nofeed.html",
        Route::ok("<html><head></head><body>no feed</body></html>"),
    );
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{GENERAL}{}{}",
        feed_entry(&server.url("/blog/"), &[]),
        feed_entry(&server.url("/nofeed.html"), &[])
    ));
    sb.refresh();
    let list = sb.list_json(&[]);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["title"], "Discovered post");
    assert_eq!(list[0]["link"], server.url("/blog/p1"));
    assert_eq!(list[0]["feed_url"], server.url("/blog/"));
    let state = open_store(&sb.cache()).poll_states().unwrap();
    assert_eq!(
        state[0].fetch_url.as_deref(),
        Some(server.url("/blog/feed.atom").as_str())
    );
    let feeds = sb.feeds_json();
    assert!(
        feeds[1]["last_error"].as_str().unwrap().contains("no feed link"),
        "{}",
        feeds[1]
    );

    // The next refresh goes straight to the discovered feed.
    let before = server.hits("/blog/").len();
    sb.refresh();
    assert_eq!(server.hits("/blog/").len(), before);
    assert_eq!(server.hits("/blog/feed.atom").len(), 2);
}

#[test]
fn control_and_escape_sequences_never_reach_storage_or_output() {
    let server = TestServer::start();
    let nasty = "<rss version=\"2.0\"><channel><title>Feed&#x1b;]0;pwned&#x7;Name</title>\
        <item><guid>n1</guid><title>Red&#x1b;[31m alert&#x1b;[0m&#x202e;txt.exe</title>\
        <author>bob&#x9b;2J&#x85;</author>\
        <description>&lt;p&gt;body&#x1b;]52;c;aGk=&#x7; text&#x7;&lt;/p&gt;&lt;p&gt;&amp;#27;[2Jentity&lt;/p&gt;</description></item></channel></rss>";
    server.route("/nasty.xml", Route::ok(nasty));
    let sb = Sandbox::new();
    sb.write_config(&format!("{GENERAL}{}", feed_entry(&server.url("/nasty.xml"), &[])));
    sb.refresh();
    let a = &sb.list_json(&[])[0];
    assert_eq!(a["title"], "Red alerttxt.exe");
    assert_eq!(a["feed_title"], "FeedName");
    assert_eq!(a["author"], "bob");
    let article = open_store(&sb.cache())
        .article(ArticleId(a["id"].as_i64().unwrap()))
        .unwrap()
        .unwrap();
    let body = article.content.unwrap();
    assert!(
        !body.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{body:?}"
    );
    let shown = sb.run(&["show", &a["id"].to_string()]);
    let text = stdout(&shown);
    assert!(text.contains("body text") && text.contains("entity"), "{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
}

#[test]
fn refetching_never_duplicates_and_keeps_read_and_starred() {
    let server = TestServer::start();
    server.route(
        "/f.xml",
        Route::ok(rss("F", &[("a", "Alpha", "1"), ("b", "Beta", "2")])),
    );
    let sb = Sandbox::new();
    sb.write_config(&format!("{GENERAL}{}", feed_entry(&server.url("/f.xml"), &["news"])));
    sb.refresh();
    let list = sb.list_json(&[]);
    let id_of = |list: &[serde_json::Value], title: &str| {
        list.iter().find(|a| a["title"] == title).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (alpha, beta) = (id_of(&list, "Alpha"), id_of(&list, "Beta"));
    {
        let mut store = open_store(&sb.cache());
        assert!(store.set_read(ArticleId(alpha), true).unwrap());
        assert!(store.set_starred(ArticleId(beta), true).unwrap());
    }
    // Same items again (Alpha retitled), plus a new one: no duplicates, state kept.
    server.route(
        "/f.xml",
        Route::ok(rss(
            "F",
            &[("c", "Gamma", "3"), ("a", "Alpha v2", "1"), ("b", "Beta", "2")],
        )),
    );
    let out = sb.refresh();
    assert!(stderr(&out).contains("1 new, 1 updated"), "{}", stderr(&out));
    let list = sb.list_json(&[]);
    assert_eq!(list.len(), 3, "{list:?}");
    let a = list.iter().find(|a| a["id"] == alpha).unwrap();
    assert_eq!(a["title"], "Alpha v2");
    assert_eq!(a["read"], true);
    assert_eq!(list.iter().find(|a| a["id"] == beta).unwrap()["starred"], true);
    assert_eq!(sb.list_json(&["--unread"]).len(), 2);
    assert_eq!(sb.list_json(&["--starred"]).len(), 1);
    assert_eq!(sb.list_json(&["--tag", "news", "--limit", "2"]).len(), 2);
    assert_eq!(sb.list_json(&["--tag", "other"]).len(), 0);
}

#[test]
fn retention_keeps_newest_and_never_drops_unread_or_starred() {
    let server = TestServer::start();
    // Old 0 is the newest of the old ones (day 10), Old 4 the oldest (day 6).
    let old = [
        ("old0", "Old 0", "x", 10),
        ("old1", "Old 1", "x", 9),
        ("old2", "Old 2", "x", 8),
        ("old3", "Old 3", "x", 7),
        ("old4", "Old 4", "x", 6),
    ];
    server.route("/r.xml", Route::ok(rss_dated("R", &old)));
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "[general]\narticles_per_feed = 3\n{}",
        feed_entry(&server.url("/r.xml"), &[])
    ));
    sb.refresh();
    let first = sb.list_json(&[]);
    assert_eq!(first.len(), 5, "unread articles are never dropped");
    {
        let mut store = open_store(&sb.cache());
        for a in &first {
            store.set_read(ArticleId(a["id"].as_i64().unwrap()), true).unwrap();
        }
        let old4 = first.iter().find(|a| a["title"] == "Old 4").unwrap()["id"]
            .as_i64()
            .unwrap();
        store.set_starred(ArticleId(old4), true).unwrap();
    }
    // Still in the feed: read articles are kept (dropping them would bring them back as new).
    sb.refresh();
    assert_eq!(sb.list_json(&[]).len(), 5);

    server.route(
        "/r.xml",
        Route::ok(rss_dated(
            "R",
            &[("new0", "New 0", "x", 20), ("new1", "New 1", "x", 19)],
        )),
    );
    sb.refresh();
    let titles: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().into())
        .collect();
    // Newest 3 by date are New 0, New 1 (unread) and Old 0; Old 4 is starred; the rest go.
    assert_eq!(titles, ["New 0", "New 1", "Old 0", "Old 4"]);
}

#[test]
fn permanent_redirect_is_followed_and_recorded() {
    let server = TestServer::start();
    server.route("/old.xml", Route::status(301).header("Location", "/new.xml"));
    server.route("/new.xml", Route::ok(rss("Moved", &[("m", "Moved item", "x")])));
    server.route("/tmp.xml", Route::status(302).header("Location", "/new2.xml"));
    server.route("/new2.xml", Route::ok(rss("Temp", &[("t", "Temp item", "x")])));
    server.route("/loop.xml", Route::status(302).header("Location", "/loop.xml"));
    let sb = Sandbox::new();
    let mut config = GENERAL.to_string();
    for p in ["/old.xml", "/tmp.xml", "/loop.xml"] {
        config.push_str(&feed_entry(&server.url(p), &[]));
    }
    sb.write_config(&config);
    sb.refresh();
    let states = open_store(&sb.cache()).poll_states().unwrap();
    assert_eq!(states[0].fetch_url.as_deref(), Some(server.url("/new.xml").as_str()));
    assert_eq!(states[1].fetch_url, None, "a temporary redirect is not recorded");
    let feeds = sb.feeds_json();
    assert!(
        feeds[2]["last_error"]
            .as_str()
            .unwrap()
            .contains("more than 10 redirects"),
        "{}",
        feeds[2]
    );
    sb.refresh();
    assert_eq!(server.hits("/old.xml").len(), 1);
    assert_eq!(server.hits("/new.xml").len(), 2);
    assert_eq!(sb.list_json(&["--feed", &server.url("/old.xml")]).len(), 1);
}

#[test]
fn retry_after_is_honoured() {
    let server = TestServer::start();
    server.route("/busy.xml", Route::status(429).header("Retry-After", "3600"));
    let sb = Sandbox::new();
    sb.write_config(&format!("{GENERAL}{}", feed_entry(&server.url("/busy.xml"), &[])));
    sb.refresh();
    assert_eq!(sb.feeds_json()[0]["last_status"], "429");
    let second = sb.refresh();
    assert!(
        stderr(&second).contains("its server said to wait"),
        "{}",
        stderr(&second)
    );
    assert_eq!(server.hits("/busy.xml").len(), 1);
    let forced = sb.run(&["refresh", "--force"]);
    assert!(forced.status.success());
    assert_eq!(server.hits("/busy.xml").len(), 2);
}

#[test]
fn an_identical_body_answered_with_200_is_not_parsed_or_written_again() {
    let server = TestServer::start();
    // No validators: the server answers every request with 200 and the whole body.
    let doc = rss("Same", &[("a", "First", "one"), ("b", "Second", "two")]);
    server.route("/same.xml", Route::ok(doc.clone()).header("ETag", "\"e1\""));
    let sb = Sandbox::new();
    sb.write_config(&format!("{GENERAL}{}", feed_entry(&server.url("/same.xml"), &[])));
    assert!(stderr(&sb.refresh()).contains("2 new"));
    let before = open_store(&sb.cache()).poll_states().unwrap().remove(0);
    assert!(before.body_hash.is_some());
    // Stored hashes no longer match the items: parsing the body again would rewrite both.
    rusqlite::Connection::open(sb.cache())
        .unwrap()
        .execute("UPDATE articles SET hash = 0", [])
        .unwrap();

    // Same bytes, new ETag: recorded as fetched, nothing parsed, no article written.
    server.route("/same.xml", Route::ok(doc.clone()).header("ETag", "\"e2\""));
    let out = sb.refresh();
    assert!(stderr(&out).contains("0 new articles; 1 fetched"), "{}", stderr(&out));
    let after = open_store(&sb.cache()).poll_states().unwrap().remove(0);
    assert_eq!(after.etag.as_deref(), Some("\"e2\""), "the new validator is kept");
    assert_eq!(after.body_hash, before.body_hash);
    assert!(after.last_fetched >= before.last_fetched);
    assert!(!stderr(&out).contains("updated"), "{}", stderr(&out));

    // A changed body is parsed as always.
    let changed = rss(
        "Same",
        &[("c", "Third", "three"), ("a", "First", "one"), ("b", "Second", "two")],
    );
    server.route("/same.xml", Route::ok(changed));
    let out = sb.refresh();
    assert!(stderr(&out).contains("1 new, 2 updated"), "{}", stderr(&out));
    assert_ne!(
        open_store(&sb.cache()).poll_states().unwrap().remove(0).body_hash,
        before.body_hash
    );
    assert_eq!(sb.list_json(&[]).len(), 3);
}

#[test]
fn a_refresh_asked_for_while_one_runs_waits_for_it() {
    use khabar::poller::PollEvent;
    use khabar::tui::effects::Effects;
    use khabar::tui::state::{Command, Msg};

    let server = TestServer::start();
    let mut config_text = GENERAL.to_string();
    for i in 0..20 {
        let path = format!("/f{i}.xml");
        server.route(&path, Route::ok(rss("F", &[("a", "A", "1"), ("b", "B", "2")])));
        config_text.push_str(&feed_entry(&server.url(&path), &[]));
    }
    let sb = Sandbox::new();
    sb.write_config(&config_text);
    let config = std::sync::Arc::new(
        khabar::config::Config::parse(
            &config_text,
            "t.toml",
            std::path::Path::new("/"),
            khabar::config::ConfigSource::User("t.toml".into()),
        )
        .unwrap(),
    );
    let mut store = khabar::store::Store::open(&sb.cache()).unwrap();
    store.sync_feeds(&config.feeds).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _guard = runtime.enter();
    let effects = Effects::start(config, store, sb.cache(), tx).unwrap();
    effects.run(Command::Refresh(None));
    effects.run(Command::Refresh(None));
    // Every refresh event, in order, until both have finished (bounded: 30 s).
    let mut events = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while events.iter().filter(|e| **e == "finished").count() < 2 && std::time::Instant::now() < deadline {
        match runtime.block_on(tokio::time::timeout(std::time::Duration::from_secs(1), rx.recv())) {
            Ok(Some(Msg::RefreshStarted(n))) => {
                assert_eq!(n, 20);
                events.push("started");
            }
            Ok(Some(Msg::Poll(PollEvent::Finished(_)))) => events.push("finished"),
            Ok(Some(Msg::Poll(PollEvent::Updated { .. } | PollEvent::NotModified { .. }))) => events.push("feed"),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {}
        }
    }
    let first_done = events
        .iter()
        .position(|e| *e == "finished")
        .expect("a refresh finished");
    assert_eq!(events.iter().filter(|e| **e == "started").count(), 2, "{events:?}");
    assert_eq!(
        events.iter().skip(first_done + 1).position(|e| *e == "started"),
        Some(0),
        "{events:?}"
    );
    assert_eq!(
        events.iter().filter(|e| **e == "feed").count(),
        40,
        "no feed event mixed in or lost"
    );
}
