//! Coming from newsboat, against the real newsboat: it fetches the local test server into its
//! own cache, marks articles read (`newsboat -I`), then `khabar import --newsboat` brings over
//! every feed, tag, title, article, read flag and flag-as-star, and a refresh adds nothing twice.

use std::process::Command;

use crate::common::*;
use khabar::model::Filter;

/// Whether these tests can run (see `program_available`).
fn newsboat_available() -> bool {
    program_available("newsboat", "-v")
}

#[test]
fn import_from_a_real_newsboat() {
    if !newsboat_available() {
        return;
    }
    let server = TestServer::start();
    // An RSS feed with guids, and one whose items have only links (identity by link).
    server.route(
        "/a.xml",
        Route::ok(rss(
            "Alpha",
            &[
                ("a1", "Alpha one", "&lt;p&gt;first&lt;/p&gt;"),
                ("a2", "Alpha two", "&lt;p&gt;second&lt;/p&gt;"),
                ("a3", "अल्फ़ा तीन", "&lt;p&gt;तीसरा&lt;/p&gt;"),
            ],
        )),
    );
    let no_guids = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Beta</title><link>http://e/</link>\
        <item><title>Beta one</title><link>http://e/b1</link><description>x</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>\
        <item><title>Beta two</title><link>http://e/b2</link><description>y</description><pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate></item>\
        </channel></rss>";
    server.route("/b.xml", Route::ok(no_guids));
    let sb = Sandbox::new();
    let nb = sb.path("nb");
    std::fs::create_dir_all(&nb).unwrap();
    let (a, b) = (server.url("/a.xml"), server.url("/b.xml"));
    std::fs::write(
        nb.join("urls"),
        format!("# newsboat\n{a} news \"~Alpha news\"\n{b} tech !later\n\"query:Unread:unread = \\\"yes\\\"\"\nexec:/bin/true\n"),
    )
    .unwrap();
    let newsboat = |args: &[&str]| {
        let out = Command::new("newsboat")
            .args([
                "-u",
                nb.join("urls").to_str().unwrap(),
                "-c",
                nb.join("cache.db").to_str().unwrap(),
            ])
            .args(args)
            .env("HOME", sb.path("home"))
            .output()
            .expect("run newsboat");
        assert!(out.status.success(), "newsboat {args:?}: {}", stderr(&out));
    };
    std::fs::create_dir_all(sb.path("home")).unwrap();
    newsboat(&["-x", "reload"]);
    // newsboat's guid for an item without one is its link followed by its date.
    std::fs::write(nb.join("read.txt"), "a2\nhttp://e/b1Mon, 02 Nov 2026 10:00:00 GMT\n").unwrap();
    newsboat(&["-I", nb.join("read.txt").to_str().unwrap()]);
    // Flags are set in newsboat's reader (ctrl-e); its cache keeps them as letters.
    let conn = rusqlite::Connection::open(nb.join("cache.db")).unwrap();
    conn.execute("UPDATE rss_item SET flags = 's' WHERE guid = 'a3'", [])
        .unwrap();
    drop(conn);

    sb.write_config("# mine\n[general]\nrequest_timeout = \"5s\"\n");
    let out = sb.run(&["import", "--newsboat", nb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("urls:4: query:") && err.contains("urls:5: exec:/bin/true"),
        "{err}"
    );
    assert!(
        err.contains("2 feeds added") && err.contains("5 articles imported"),
        "{err}"
    );

    let feeds = sb.feeds_json();
    assert_eq!(feeds.len(), 2);
    assert_eq!(
        (feeds[0]["url"].as_str(), feeds[0]["title"].as_str()),
        (Some(a.as_str()), Some("Alpha news"))
    );
    assert_eq!(feeds[0]["tags"], serde_json::json!(["news"]));
    assert_eq!(feeds[1]["tags"], serde_json::json!(["tech", "later"]));
    let state = |sb: &Sandbox| -> Vec<(String, bool, bool)> {
        let mut v: Vec<_> = sb
            .list_json(&[])
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap().to_string(),
                    a["read"].as_bool().unwrap(),
                    a["starred"].as_bool().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let expected = vec![
        ("Alpha one".to_string(), false, false),
        ("Alpha two".to_string(), true, false),
        ("Beta one".to_string(), true, false),
        ("Beta two".to_string(), false, false),
        ("अल्फ़ा तीन".to_string(), false, true),
    ];
    assert_eq!(state(&sb), expected);
    let links: Vec<String> = sb
        .list_json(&[])
        .iter()
        .filter_map(|a| a["link"].as_str().map(str::to_string))
        .collect();
    assert!(links.contains(&"http://e/b2".to_string()), "{links:?}");

    // The next refresh recognises every imported article: nothing new, nothing lost.
    let out = sb.refresh();
    assert!(stderr(&out).contains("0 new"), "{}", stderr(&out));
    assert_eq!(state(&sb), expected);
    assert_eq!(open_store(&sb.cache()).count(&Filter::default()).unwrap(), 5);
    // Importing again changes nothing.
    let out = sb.run(&["import", "--newsboat", nb.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 feeds added") && stderr(&out).contains("0 articles imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(state(&sb), expected);

    // What the user does here is never undone by another import; what changed only in
    // newsboat since comes over.
    let id_of = |title: &str| sb.list_json(&[]).into_iter().find(|a| a["title"] == title).unwrap()["id"].to_string();
    assert!(sb.run(&["mark", &id_of("Alpha one"), "--read"]).status.success());
    assert!(sb.run(&["mark", &id_of("Alpha two"), "--unread"]).status.success());
    assert!(sb.run(&["mark", &id_of("अल्फ़ा तीन"), "--unstar"]).status.success());
    std::fs::write(
        nb.join("read2.txt"),
        "http://e/b2Tue, 03 Nov 2026 10:00:00 GMT
",
    )
    .unwrap();
    newsboat(&["-I", nb.join("read2.txt").to_str().unwrap()]);
    let out = sb.run(&["import", "--newsboat", nb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = vec![
        ("Alpha one".to_string(), true, false),
        ("Alpha two".to_string(), false, false),
        ("Beta one".to_string(), true, false),
        ("Beta two".to_string(), true, false),
        ("अल्फ़ा तीन".to_string(), false, false),
    ];
    assert_eq!(state(&sb), expected);
}
