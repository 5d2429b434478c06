//! The headless commands' contract through the real binary: config errors, the embedded
//! default, JSON output, search in several scripts, show, OPML round trip and the demo.

use crate::common::*;

#[test]
fn bad_config_exits_2_naming_file_line_and_column_and_does_nothing_else() {
    let cases = [
        (
            "[general]\nrefresh_interval = \"soon\"\n",
            ":2:20: bad duration \"soon\"",
        ),
        ("[general]\nconcurency = 4\n", ":2:1: unknown field `concurency`"),
        (
            "[[feed]]\nurl = \"ftp://example.org/f\"\n",
            ":2:7: bad feed url \"ftp://example.org/f\"",
        ),
        (
            "[[feed]]\nurl = \"http://a.org/f\"\n[[feed]]\nurl = \"http://a.org/f\"\n",
            ":4:7: duplicate feed \"http://a.org/f\" (already listed on line 2)",
        ),
        ("[[feed]]\ntitle = \"no url\"\n", ":1:1: a [[feed]] needs `url"),
        ("[general\n", ":1:9:"),
        // The reader's settings are checked for every command too, before anything is opened.
        ("[keys]\nquit = \"hyper-x\"\n", ":2:8: bad key \"hyper-x\""),
        ("[theme]\nlink = \"blurple\"\n", ":2:8: bad colour \"blurple\" for link"),
    ];
    for (text, expected) in cases {
        let sb = Sandbox::new();
        sb.write_config(text);
        let out = sb.run(&["refresh"]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        let err = stderr(&out);
        let want = format!("{}{expected}", sb.config().display());
        assert!(err.contains(&want), "{text}\nwanted {want}\ngot {err}");
        assert!(!sb.cache().exists(), "a bad config must not create the cache");
    }
}

#[test]
fn no_config_anywhere_runs_on_the_embedded_default_and_says_where_a_file_goes() {
    let sb = Sandbox::new();
    let cache = sb.cache();
    let out = sb.run_raw(&["--cache", cache.to_str().unwrap(), "feeds", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let expected_path = sb.path("home").join(".config/khabar/config.toml");
    assert!(
        err.contains("built-in default") && err.contains(expected_path.to_str().unwrap()),
        "{err}"
    );
    let feeds = json_lines(&out);
    let embedded = khabar::config::Config::parse(
        khabar::config::EMBEDDED_DEFAULT,
        "x",
        std::path::Path::new("/"),
        khabar::config::ConfigSource::User("x".into()),
    )
    .unwrap();
    assert_eq!(feeds.len(), embedded.feeds.len());
    assert!(!expected_path.exists(), "khabar never writes the user's config");
}

#[test]
fn json_lines_contract_of_list_search_and_feeds() {
    let server = TestServer::start();
    server.route(
        "/h.xml",
        Route::ok(rss(
            "हिंदी समाचार",
            &[
                ("h1", "चंद्रयान की सफलता पर बधाई", "&lt;p&gt;अंतरिक्ष कार्यक्रम&lt;/p&gt;"),
                (
                    "h2",
                    "上海科技大会今日开幕",
                    "&lt;p&gt;终端阅读器性能对比测试&lt;/p&gt;",
                ),
                (
                    "h3",
                    "Kernel release notes",
                    "&lt;p&gt;The scheduler improves latency&lt;/p&gt;",
                ),
            ],
        )),
    );
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/h.xml"), &["hindi", "news"]));
    sb.refresh();
    let list = sb.list_json(&[]);
    assert_eq!(list.len(), 3);
    for a in &list {
        let obj = a.as_object().unwrap();
        for key in [
            "id",
            "feed_url",
            "feed_title",
            "title",
            "link",
            "author",
            "published",
            "read",
            "starred",
            "tags",
        ] {
            assert!(obj.contains_key(key), "missing {key} in {a}");
        }
        assert!(a["id"].is_i64());
        assert_eq!(a["feed_url"], server.url("/h.xml"));
        assert_eq!(a["feed_title"], "हिंदी समाचार");
        assert!(a["author"].is_null());
        assert_eq!(a["read"], false);
        assert_eq!(a["tags"], serde_json::json!(["hindi", "news"]));
        let published = a["published"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(published).is_ok(), "{published}");
    }
    // Newest first.
    let dates: Vec<&str> = list.iter().map(|a| a["published"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");

    let search = |q: &str| {
        let out = sb.run(&["search", q, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        json_lines(&out)
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(search("चंद्रयान"), ["चंद्रयान की सफलता पर बधाई"]);
    assert_eq!(search("अंतरिक्ष"), ["चंद्रयान की सफलता पर बधाई"]);
    assert_eq!(search("科技"), ["上海科技大会今日开幕"]);
    assert_eq!(search("阅读器"), ["上海科技大会今日开幕"]);
    assert_eq!(search("scheduler latency"), ["Kernel release notes"]);
    assert_eq!(search("scheduler missing"), Vec::<String>::new());
    // FTS syntax inside a phrase is text; an unbalanced query is a mistake, named.
    assert_eq!(search("\"NEAR(a b) OR ( * ^\""), Vec::<String>::new());
    let out = sb.run(&["search", "\"unbalanced OR (", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("(column 1): unclosed quote"), "{}", stderr(&out));

    let feeds = sb.feeds_json();
    assert_eq!(feeds.len(), 1);
    let f = feeds[0].as_object().unwrap();
    for key in [
        "url",
        "title",
        "tags",
        "articles",
        "unread",
        "last_fetched",
        "last_status",
        "last_error",
    ] {
        assert!(f.contains_key(key), "missing {key}");
    }
    assert_eq!(f["articles"], 3);
    assert_eq!(f["unread"], 3);
    assert!(f["last_error"].is_null());
}

#[test]
fn show_renders_the_article_wrapped_without_script_or_style() {
    let server = TestServer::start();
    let body = "&lt;p&gt;Visible words that are long enough to need wrapping at a narrow width, and then some more words.&lt;/p&gt;\
        &lt;script&gt;stealCookies()&lt;/script&gt;&lt;style&gt;.ad{display:none}&lt;/style&gt;&lt;p&gt;See &lt;a href='http://example.org/more'&gt;more&lt;/a&gt;&lt;/p&gt;";
    server.route("/s.xml", Route::ok(rss("Show", &[("s1", "A title", body)])));
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/s.xml"), &[]));
    sb.refresh();
    let id = sb.list_json(&[])[0]["id"].to_string();
    let out = sb.run(&["show", &id, "--width", "40"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("A title\nFeed:   Show\n"), "{text}");
    assert!(text.contains("Link:   http://example.org/s1"), "{text}");
    assert!(
        text.contains("Visible words") && text.contains("http://example.org/more"),
        "{text}"
    );
    assert!(
        !text.contains("stealCookies") && !text.contains("display:none"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "plain text when stdout is not a terminal");
    for line in text.lines().skip(5) {
        assert!(khabar::text::width::width(line) <= 40, "{line:?}");
    }
    let missing = sb.run(&["show", "999999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no article with id 999999"));
}

#[test]
fn opml_export_import_round_trip_keeps_comments_and_tags() {
    let source = Sandbox::new();
    source.write_config(
        "[[feed]]\nurl = \"https://a.example/feed\"\ntitle = \"A & B\"\ntags = [\"tech\", \"rust\"]\n\
         [[feed]]\nurl = \"https://b.example/rss\"\n\
         [[feed]]\nurl = \"https://c.example/atom\"\ntags = [\"news\"]\n",
    );
    let exported = source.run(&["export"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let opml = stdout(&exported);
    assert!(
        opml.contains("<opml version=\"2.0\">") && opml.contains("text=\"A &amp; B\""),
        "{opml}"
    );

    let target = Sandbox::new();
    target.write_config("# my feeds, hand-written\n[general]\nconcurrency = 4 # keep it low\n\n[[feed]]\nurl = \"https://c.example/atom\"\n");
    std::fs::write(target.path("in.opml"), &opml).unwrap();
    let out = target.run(&["import", target.path("in.opml").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("imported 2 feeds"), "{}", stderr(&out));
    let text = std::fs::read_to_string(target.config()).unwrap();
    assert!(text.starts_with("# my feeds, hand-written\n"), "{text}");
    assert!(text.contains("concurrency = 4 # keep it low"), "{text}");

    let config = khabar::config::Config::load(khabar::config::ConfigSource::User(target.config())).unwrap();
    let urls: Vec<(&str, Vec<String>)> = config.feeds.iter().map(|f| (f.url.as_str(), f.tags.clone())).collect();
    assert_eq!(
        urls,
        [
            ("https://c.example/atom", vec![]),
            ("https://a.example/feed", vec!["tech".to_string(), "rust".to_string()]),
            ("https://b.example/rss", vec![]),
        ]
    );
    assert_eq!(config.feeds[1].title.as_deref(), Some("A & B"));

    // Importing again adds nothing and leaves the file as it was.
    let again = target.run(&["import", target.path("in.opml").to_str().unwrap()]);
    assert!(stderr(&again).contains("nothing to add"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(target.config()).unwrap(), text);

    let bad = target.run(&["import", "/nonexistent.opml"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("/nonexistent.opml"));
}

#[test]
fn demo_works_offline() {
    let sb = Sandbox::new();
    let out = sb.run_raw(&["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("पुणे में नई सार्वजनिक लाइब्रेरी खुली"), "{text}");
    assert!(text.contains("東京の新しい路面電車が開業"), "{text}");
    assert!(stderr(&out).contains("0 failed"), "{}", stderr(&out));
}

#[test]
fn output_cut_short_by_its_reader_is_not_an_error() {
    let server = TestServer::start();
    let items: Vec<(String, String, String)> = (0..300)
        .map(|i| {
            (
                format!("g{i}"),
                format!("Headline number {i} of a long list"),
                "x".into(),
            )
        })
        .collect();
    let items: Vec<(&str, &str, &str)> = items.iter().map(|(a, b, c)| (&a[..], &b[..], &c[..])).collect();
    server.route("/many.xml", Route::ok(rss("Many", &items)));
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/many.xml"), &[]));
    sb.refresh();
    // Like `khabar list | head -0`: the pipe's reader is gone before khabar writes.
    for args in [
        &["list"][..],
        &["search", "Headline"],
        &["feeds"],
        &["feeds", "--json"],
        &["export"],
    ] {
        let out = into_closed_pipe(sb.command(args));
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "{args:?}: nothing said about the pipe"
        );
    }
}

#[test]
fn mark_sets_flags_by_id_all_or_nothing() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("f.xml"),
        rss("F", &[("a", "Alpha", "x"), ("b", "Beta", "y"), ("c", "Gamma", "z")]),
    )
    .unwrap();
    sb.write_config(&feed_entry("f.xml", &["t"]));
    sb.refresh();
    let ids: Vec<String> = sb.list_json(&[]).iter().map(|a| a["id"].to_string()).collect();
    let flags = |sb: &Sandbox| -> Vec<(bool, bool)> {
        sb.list_json(&[])
            .iter()
            .map(|a| (a["read"].as_bool().unwrap(), a["starred"].as_bool().unwrap()))
            .collect()
    };

    let out = sb.run(&["mark", &ids[0], &ids[1], "--read"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("marked 2 of 2 articles read"), "{}", stderr(&out));
    assert_eq!(flags(&sb), [(true, false), (true, false), (false, false)]);

    let out = sb.run(&["mark", &ids[1], &ids[2], "--read"]);
    assert!(
        stderr(&out).contains("marked 1 of 2 articles read (1 already read)"),
        "{}",
        stderr(&out)
    );
    sb.run(&["mark", &ids[2], "--star"]);
    sb.run(&["mark", &ids[0], "--unread"]);
    assert_eq!(flags(&sb), [(false, false), (true, false), (true, true)]);

    // An unknown id changes nothing, and is named.
    let out = sb.run(&["mark", &ids[1], "999999", "--unread"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no article with id 999999"), "{}", stderr(&out));
    assert_eq!(flags(&sb), [(false, false), (true, false), (true, true)]);

    // Exactly one flag must be given.
    let out = sb.run(&["mark", &ids[1]]);
    assert_eq!(out.status.code(), Some(2));
    let out = sb.run(&["mark", &ids[1], "--read", "--star"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Runs a command whose stdout's reader is gone before it writes (`khabar … | head -0`).
fn into_closed_pipe(mut command: std::process::Command) -> std::process::Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = sb.run_raw(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in ["refresh", "mark", "unread", "completions"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = sb.run_raw(&["man"]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH khabar"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains("mark") && page.contains("search"));
    // Neither needs a config: a broken one does not stop them.
    sb.write_config("[general\n");
    let out = sb.run(&["completions", "bash"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // `khabar completions fish | head -1`: a reader that leaves early is no error.
    for args in [&["completions", "fish"][..], &["man"][..]] {
        let out = into_closed_pipe(sb.command_raw(args));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn export_writes_each_folder_once_with_the_titles_the_cache_knows() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("a.xml"), rss("Alpha Feed", &[("1", "One", "x")])).unwrap();
    std::fs::write(sb.path("b.xml"), rss("Beta Feed", &[("1", "One", "x")])).unwrap();
    std::fs::write(sb.path("c.xml"), rss("Gamma Feed", &[("1", "One", "x")])).unwrap();
    sb.write_config(
        "[[feed]]\nurl = \"a.xml\"\ntags = [\"tech\"]\n[[feed]]\nurl = \"b.xml\"\ntags = [\"news\"]\n\
         [[feed]]\nurl = \"c.xml\"\ntitle = \"Mine\"\ntags = [\"tech\"]\n",
    );
    sb.refresh();
    let opml = stdout(&sb.run(&["export"]));
    assert_eq!(opml.matches("<outline text=\"tech\"").count(), 1, "{opml}");
    assert_eq!(opml.matches("<outline text=\"news\"").count(), 1, "{opml}");
    assert!(
        opml.contains("text=\"Alpha Feed\"") && opml.contains("text=\"Mine\""),
        "{opml}"
    );
    let tech = &opml[opml.find("text=\"tech\"").unwrap()..];
    let tech = &tech[..tech.find("</outline>").unwrap()];
    assert!(
        tech.contains("Alpha Feed") && tech.contains("Mine") && !tech.contains("Beta"),
        "{opml}"
    );
}

#[test]
fn add_remove_and_rename_edit_the_config_keeping_comments() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Route::ok(rss("Found feed", &[("a", "One", "x"), ("b", "Two", "y")])),
    );
    server.route(
        "/page.html",
        Route::ok(r#"<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>hi</body></html>"#)
            .header("Content-Type", "text/html"),
    );
    server.route(
        "/plain.html",
        Route::ok("<html><head></head><body>no feed</body></html>").header("Content-Type", "text/html"),
    );
    let sb = Sandbox::new();
    let original = "# my feeds\n[general]\nrequest_timeout = \"5s\" # short\n";
    sb.write_config(original);

    // A page's URL finds its feed; the feed's URL is what goes in.
    let out = sb.run(&["add", &server.url("/page.html"), "--tag", "news", "--tag", "local"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("added Found feed") && err.contains("2 articles"), "{err}");
    let text = std::fs::read_to_string(sb.config()).unwrap();
    assert!(text.starts_with(original), "comments and settings kept:\n{text}");
    assert!(
        text.contains(&format!("url = \"{}\"", server.url("/feed.xml"))),
        "{text}"
    );
    assert!(text.contains("tags = [\"news\", \"local\"]"), "{text}");

    // Twice, or a page without a feed, or a bad URL: an error and the file untouched.
    for (args, wanted) in [
        (vec!["add".to_string(), server.url("/feed.xml")], "already in"),
        (vec!["add".to_string(), server.url("/page.html")], "already in"),
        (vec!["add".to_string(), server.url("/plain.html")], "no feed link"),
        (vec!["add".to_string(), server.url("/missing.xml")], "404"),
        (vec!["add".to_string(), "gopher://x/".to_string()], "gopher"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sb.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(wanted), "{args:?}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(sb.config()).unwrap(), text);
    }

    let feed = server.url("/feed.xml");
    let out = sb.run(&["rename", &feed, "Mine"]);
    assert!(out.status.success(), "{}", stderr(&out));
    sb.refresh();
    assert_eq!(sb.feeds_json()[0]["title"], "Mine");
    let out = sb.run(&["remove", &feed]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sb.feeds_json().is_empty());
    let after = std::fs::read_to_string(sb.config()).unwrap();
    assert!(after.starts_with(original) && !after.contains("feed.xml"), "{after}");
    let out = sb.run(&["remove", &feed]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no [[feed]] with url"));
}

/// `list --query` and `search` speak the query language; a mistake exits 2 naming the column,
/// and nothing else happens.
#[test]
fn list_and_search_take_queries_and_point_at_mistakes() {
    let server = TestServer::start();
    server.route(
        "/a.xml",
        Route::ok(rss(
            "Tech",
            &[
                ("a1", "Rust kernel news", "about kernels"),
                ("a2", "Python release", "snakes"),
            ],
        )),
    );
    server.route(
        "/b.xml",
        Route::ok(rss("Weather", &[("b1", "Rain today", "kernel of truth")])),
    );
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{}{}",
        feed_entry(&server.url("/a.xml"), &["tech"]),
        feed_entry(&server.url("/b.xml"), &[])
    ));
    sb.refresh();
    let titles = |args: &[&str]| -> Vec<String> {
        let out = sb.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let mut t: Vec<String> = stdout(&out)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["title"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        titles(&["list", "--json", "--query", "kernel -tag:tech"]),
        ["Rain today"]
    );
    assert_eq!(
        titles(&["list", "--json", "--query", "tag:tech title:/^P/"]),
        ["Python release"]
    );
    assert_eq!(
        titles(&["search", "--json", "kernel"]),
        ["Rain today", "Rust kernel news"]
    );
    assert_eq!(titles(&["search", "--json", "kernel OR snakes feed:tech"]).len(), 3);

    for args in [&["list", "--query", "age:<7x"][..], &["search", "is:new"]] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("column") && (err.contains("unknown unit `x`") || err.contains("unknown state `new`")),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn config_says_which_file_is_in_force_and_prints_the_example() {
    let sb = Sandbox::new();
    let out = sb.run(&["config", "--example"]);
    assert!(out.status.success());
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml")).unwrap();
    assert_eq!(stdout(&out), example);
    // What it prints is a config khabar runs on.
    sb.write_config(&example);
    assert!(sb.run(&["feeds"]).status.success());
    let out = sb.run(&["config"]);
    assert_eq!(stdout(&out).trim(), sb.config().display().to_string());
}
