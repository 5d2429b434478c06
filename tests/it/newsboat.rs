//! Coming from newsboat, against the real newsboat: it fetches the local test server into its
//! own cache, marks articles read (`newsboat -I`), then `khabar import --newsboat` brings over
//! every feed, tag, title, article, read flag and flag-as-star, and a refresh adds nothing twice;
//! and a whole setup (program feeds, query feeds, the config file) comes over.

use std::process::Command;

use crate::common::*;
use khabar::model::Filter;

/// Whether these tests can run (see `program_available`).
fn newsboat_available() -> bool {
    program_available("newsboat", "-v")
}

/// The real newsboat on the feed list and cache in `nb`, its HOME in the sandbox.
fn run_newsboat(sb: &Sandbox, nb: &std::path::Path, args: &[&str]) {
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
        format!("# newsboat\n{a} news \"~Alpha news\"\n{b} tech !later\n"),
    )
    .unwrap();
    let newsboat = |args: &[&str]| run_newsboat(&sb, &nb, args);
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

/// A years-old newsboat setup with every form: program feeds, a query feed, and a config with
/// each setting khabar takes. The real newsboat builds the cache (running the programs) and
/// checks the config; the import brings it all, reports only what has no meaning here, and
/// changes nothing when run again.
#[test]
fn a_whole_newsboat_setup_comes_over_and_again_changes_nothing() {
    if !newsboat_available() {
        return;
    }
    let server = TestServer::start();
    server.route("/raw.xml", Route::ok(rss("Raw", &[("r1", "Old news", "x")])));
    server.route(
        "/plain.xml",
        Route::ok(rss("Plain", &[("p1", "Plain one", "x"), ("p2", "Sponsored: buy", "y")])),
    );
    let sb = Sandbox::new();
    let nb = sb.path("nb");
    std::fs::create_dir_all(sb.path("home")).unwrap();
    std::fs::create_dir_all(&nb).unwrap();
    let script = nb.join("made.sh");
    std::fs::write(nb.join("made.xml"), rss("Made", &[("m1", "Made by a script", "x")])).unwrap();
    write_script(&script, &format!("#!/bin/sh\ncat {}\n", nb.join("made.xml").display()));
    let filter = nb.join("fix.sh");
    write_script(&filter, "#!/bin/sh\nsed s/Old/New/\n");
    let (raw, plain) = (server.url("/raw.xml"), server.url("/plain.xml"));
    std::fs::write(
        nb.join("urls"),
        format!(
            "{plain} news\n\"exec:{}\" local \"~My script\"\n\"filter:{}:{raw}\" fixed\n\"query:Fresh news:unread = \\\"yes\\\" and tags # \\\"news\\\"\"\n\"query:By link:link =~ \\\"x\\\"\"\n",
            script.display(),
            filter.display()
        ),
    )
    .unwrap();
    let config = format!(
        "browser \"lynx %u\"\nbind-key j down\nbind-key ^D pagedown\nbind-key X toggle-source-view\nignore-article \"*\" \"title =~ \\\"Sponsored\\\"\"\ncolor listfocus black yellow\ncolor background white black\nmax-items 200\nreload-time 45\nuser-agent \"Mozilla/5.0 (X11)\"\nnotify-program \"{}\"\nconfirm-exit yes\nshow-read-feeds no\nmacro m set browser \"mpv %u\" ; open-in-browser ; set browser \"lynx %u\"\n",
        nb.join("notify.sh").display()
    );
    std::fs::write(nb.join("config"), config).unwrap();
    run_newsboat(&sb, &nb, &["-C", nb.join("config").to_str().unwrap(), "-x", "reload"]);

    sb.write_config("# mine\n[general]\nrequest_timeout = \"5s\"\n");
    let out = sb.run(&["import", "--newsboat", nb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("not imported"))
        .map(|l| {
            l.rsplit_once(&*nb.display().to_string())
                .map_or(l, |(_, rest)| rest)
                .to_string()
        })
        .collect();
    assert_eq!(report.len(), 4, "{report:#?}");
    assert!(
        report[0].starts_with("/urls:5: query:By link:") && report[0].contains("no counterpart"),
        "{report:#?}"
    );
    assert!(
        report[1].starts_with("/config:4: bind-key X toggle-source-view"),
        "{report:#?}"
    );
    assert!(report[2].starts_with("/config:7: color background"), "{report:#?}");
    assert!(report[3].starts_with("/config:14: macro"), "{report:#?}");

    // The program feeds run here as they did there, and keep newsboat's articles.
    let feeds = sb.feeds_json();
    let urls: Vec<&str> = feeds.iter().map(|f| f["url"].as_str().unwrap()).collect();
    assert_eq!(
        urls,
        [plain.as_str(), &format!("exec:{}", script.display()), raw.as_str()]
    );
    assert_eq!(feeds[1]["title"], "My script");
    let mut titles: Vec<String> = sb
        .list_json(&["--hidden"])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    // newsboat keeps no ignored article; here the filter hides it as it arrives.
    assert_eq!(titles, ["Made by a script", "New news", "Plain one"]);
    let written = std::fs::read_to_string(sb.config()).unwrap();
    for line in [
        "browser = \"lynx {url}\"",
        "articles_per_feed = 200",
        "refresh_interval = \"45m\"",
        "user_agent = \"Mozilla/5.0 (X11)\"",
        "confirm_quit = true",
        "show_read_feeds = false",
        "preset = \"newsboat\"",
        "move_down = \"j\"",
        "page_down = \"ctrl-d\"",
        "selection = \"yellow\"",
        "query = \"title:/(?-i)Sponsored/\"",
        "action = \"hide\"",
        "name = \"Fresh news\"",
        "query = \"is:unread tag:news\"",
        "filter = [",
    ] {
        assert!(written.contains(line), "{line} missing in:\n{written}");
    }
    let refreshed = sb.refresh();
    assert!(
        stderr(&refreshed).contains("1 new"),
        "only the ignored article: {}",
        stderr(&refreshed)
    );
    let shown: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert!(!shown.iter().any(|t| t.starts_with("Sponsored")), "{shown:?}");
    assert_eq!(sb.list_json(&["--hidden"]).len(), 4);

    // Again: the file and the cache stay as they are.
    let out = sb.run(&["import", "--newsboat", nb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 feeds added") && stderr(&out).contains("0 settings taken"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(sb.config()).unwrap(), written);
}
