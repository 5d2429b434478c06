//! Feeds that are not plain feeds, through the real binary: script feeds, filter feeds, scraped
//! pages; and a feed's own settings: headers, basic auth, user agent, max_items, max_age.

use crate::common::*;

const GENERAL: &str = "[general]\nrequest_timeout = \"5s\"\nconnect_timeout = \"2s\"\n";

fn titles(sb: &Sandbox) -> Vec<String> {
    let mut t: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[test]
fn a_script_feed_is_its_programs_output_and_its_failure_is_the_feeds_error() {
    let sb = Sandbox::new();
    let doc = sb.path("made.xml");
    std::fs::write(&doc, rss("Made", &[("a", "From a script", "x"), ("b", "Second", "y")])).unwrap();
    // The argument holds shell syntax: it reaches `cat` as one argument, never a shell.
    let marker = sb.path("ran");
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\ncommand = [\"cat\", {doc:?}]\ntags = [\"s\"]\n\n[[feed]]\ncommand = [\"sh\", \"-c\", \"echo token expired >&2; exit 4\"]\n\n[[feed]]\ncommand = [\"cat\", \"$(touch {})\"]\n",
        marker.display()
    ));
    let out = sb.run(&["refresh"]);
    assert_eq!(titles(&sb), ["From a script", "Second"], "{}", stderr(&out));
    assert!(!marker.exists(), "an argument was run through a shell");
    let feeds = sb.feeds_json();
    let feed = |prefix: &str| {
        feeds
            .iter()
            .find(|f| f["url"].as_str().unwrap().starts_with(prefix))
            .unwrap()
    };
    assert_eq!(feed("exec:cat")["title"], "Made");
    assert_eq!(
        feed("exec:sh")["last_error"],
        "sh: it exited with status 4: token expired"
    );
    assert!(feed("exec:cat \"$(touch")["last_error"]
        .as_str()
        .unwrap()
        .contains("No such file"));
    // Another reader cannot run it: OPML export leaves it out and says so.
    let exported = sb.run(&["export"]);
    assert!(!stdout(&exported).contains("exec:"), "{}", stdout(&exported));
    assert!(
        stderr(&exported).contains("not exported: exec:cat"),
        "{}",
        stderr(&exported)
    );
    // A script feed is removed by the name it is listed under, like any feed.
    let out = sb.run(&["remove", &format!("exec:cat {}", doc.display())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!std::fs::read_to_string(sb.config()).unwrap().contains("made.xml"));
}

#[test]
fn a_filter_feed_rewrites_the_fetched_body_and_conditional_get_still_applies() {
    let server = TestServer::start();
    server.route(
        "/f.xml",
        Route::ok(rss("Filtered", &[("a", "Old title", "x")])).with_etag("\"v1\""),
    );
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\nfilter = [\"sed\", \"s/Old/New/\"]\n",
        server.url("/f.xml")
    ));
    sb.refresh();
    assert_eq!(titles(&sb), ["New title"]);
    let second = sb.refresh();
    assert_eq!(server.hits("/f.xml")[1].headers["if-none-match"], "\"v1\"");
    assert_eq!(sb.feeds_json()[0]["last_status"], "304", "{}", stderr(&second));
}

const PAGE: &str = r#"<html><head><meta charset="windows-1251"><title>Блог</title></head><body>
<ul class="posts">
  <li class="post"><h2><a href="/p/1">Первый пост</a></h2><time datetime="2026-11-02T10:00:00Z">2 Nov</time>
      <p class="dek">Про <b>всё</b></p><span class="by">Анна</span></li>
  <li class="post"><h2><a href="p/2?x=1">Второй</a></h2><time datetime="2026-11-03">3 Nov</time></li>
  <li class="post"><h2>No link here</h2></li>
</ul></body></html>"#;

#[test]
fn a_page_without_a_feed_is_scraped_with_css_selectors() {
    let server = TestServer::start();
    let (page, _, _) = encoding_rs::WINDOWS_1251.encode(PAGE);
    server.route(
        "/blog/",
        Route::ok(page.into_owned()).header("content-type", "text/html"),
    );
    server.route(
        "/empty/",
        Route::ok("<html><body><p>nothing</p></body></html>").header("content-type", "text/html"),
    );
    let sb = Sandbox::new();
    let scrape = "item = \"li.post\"\ntitle = \"h2\"\nlink = \"h2 a@href\"\ndate = \"time@datetime\"\nsummary = \"p.dek\"\nauthor = \".by\"\n";
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\n[feed.scrape]\n{scrape}\n[[feed]]\nurl = {:?}\n[feed.scrape]\n{scrape}",
        server.url("/blog/"),
        server.url("/empty/")
    ));
    sb.run(&["refresh"]);
    let mut articles = sb.list_json(&[]);
    articles.sort_by_key(|a| a["title"].as_str().unwrap().to_string());
    let got: Vec<(&str, &str)> = articles
        .iter()
        .map(|a| (a["title"].as_str().unwrap(), a["link"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("Второй", server.url("/blog/p/2?x=1").as_str()),
            ("Первый пост", server.url("/p/1").as_str())
        ]
    );
    assert_eq!(articles[1]["author"], "Анна");
    assert!(articles[1]["published"]
        .as_str()
        .unwrap()
        .starts_with("2026-11-02T10:00:00"));
    let shown = stdout(&sb.run(&["show", &articles[1]["id"].to_string()]));
    assert!(shown.contains("Про всё"), "{shown}");
    let feeds = sb.feeds_json();
    assert_eq!(feeds[0]["title"], "Блог");
    assert_eq!(
        feeds[1]["last_error"],
        "scrape item: \"li.post\" matched nothing on the page"
    );
    // Scraped again, the same items are the same articles (their links are their identity).
    sb.run(&["refresh", "--force"]);
    assert_eq!(sb.list_json(&[]).len(), 2);
}

#[test]
fn a_feeds_own_headers_auth_and_user_agent_go_to_its_server_only() {
    let server = TestServer::start();
    let doc = rss("Private", &[("a", "Members only", "x")]);
    server.route("/private.xml", Route::ok(doc.clone()));
    server.route("/public.xml", Route::ok(doc));
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\nuser_agent = \"Mozilla/5.0 (khabar test)\"\nusername = \"ana\"\npassword_command = [\"printf\", \"s3cret\\\\nnotes\"]\nheaders = {{ \"X-Token\" = [\"echo\", \"tok-1\"], \"X-Plain\" = \"p\" }}\n\n[[feed]]\nurl = {:?}\n",
        server.url("/private.xml"),
        server.url("/public.xml")
    ));
    sb.refresh();
    let private = &server.hits("/private.xml")[0].headers;
    assert_eq!(private["user-agent"], "Mozilla/5.0 (khabar test)");
    assert_eq!(private["authorization"], "Basic YW5hOnMzY3JldA==");
    assert_eq!(private["x-token"], "tok-1");
    assert_eq!(private["x-plain"], "p");
    let public = &server.hits("/public.xml")[0].headers;
    assert!(public["user-agent"].starts_with("khabar/"));
    assert!(!public.contains_key("authorization") && !public.contains_key("x-token"));

    // Redirected to another origin (`localhost` is not `127.0.0.1`), the credentials stay home.
    let elsewhere = server.url("/public.xml").replace("127.0.0.1", "localhost");
    server.route("/moved.xml", Route::status(302).header("location", &elsewhere));
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\nusername = \"ana\"\npassword_command = [\"echo\", \"pw\"]\nheaders = {{ \"X-Token\" = \"t\" }}\n",
        server.url("/moved.xml")
    ));
    sb.refresh();
    assert!(server.hits("/moved.xml")[0].headers.contains_key("authorization"));
    let followed = server.hits("/public.xml");
    assert_eq!(followed.len(), 2, "the redirect was followed");
    assert!(!followed[1].headers.contains_key("authorization") && !followed[1].headers.contains_key("x-token"));

    // A failing password program is the feed's error, without anything it printed.
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\nusername = \"ana\"\npassword_command = [\"sh\", \"-c\", \"echo s3cret; exit 1\"]\n",
        server.url("/private.xml")
    ));
    sb.run(&["refresh", "--force"]);
    let error = sb.feeds_json()[0]["last_error"].as_str().unwrap().to_string();
    assert!(
        error.starts_with("password_command `sh -c") && error.contains("it failed"),
        "{error}"
    );
    assert!(!error.contains("s3cret\n") && !error.ends_with("s3cret"), "{error}");
}

#[test]
fn max_items_and_max_age_keep_the_newest_and_never_a_starred_article() {
    let server = TestServer::start();
    let items = |n: u32| -> Vec<(String, String, String, u32)> {
        (1..=n)
            .map(|d| (format!("g{d}"), format!("Day {d:02}"), "x".to_string(), d))
            .collect()
    };
    let doc = |items: &[(String, String, String, u32)]| {
        let refs: Vec<(&str, &str, &str, u32)> = items
            .iter()
            .map(|(g, t, b, d)| (g.as_str(), t.as_str(), b.as_str(), *d))
            .collect();
        rss_dated("Daily", &refs)
    };
    server.route("/daily.xml", Route::ok(doc(&items(5))));
    let sb = Sandbox::new();
    let config = |max: &str| format!("{GENERAL}[[feed]]\nurl = {:?}\n{max}\n", server.url("/daily.xml"));
    sb.write_config(&config(""));
    sb.refresh();
    assert_eq!(titles(&sb).len(), 5);
    let day1 = sb.list_json(&[]).into_iter().find(|a| a["title"] == "Day 01").unwrap();
    assert!(sb.run(&["mark", "--star", &day1["id"].to_string()]).status.success());

    // Cut to three: the newest two stay, and the starred oldest one with them.
    server.route("/daily.xml", Route::ok(doc(&items(6))));
    sb.write_config(&config("max_items = 2"));
    sb.run(&["refresh", "--force"]);
    assert_eq!(titles(&sb), ["Day 01", "Day 05", "Day 06"]);

    // An age limit far in the past of these dates drops every unstarred one.
    sb.write_config(&config("max_age = \"1d\""));
    sb.run(&["refresh", "--force"]);
    assert_eq!(titles(&sb), ["Day 01"]);
}

#[test]
fn feed_settings_are_checked_with_their_position() {
    let sb = Sandbox::new();
    let error = |body: &str| {
        sb.write_config(body);
        let out = sb.run(&["feeds"]);
        assert!(!out.status.success());
        stderr(&out)
    };
    let config = sb.config().display().to_string();
    let e = error("[[feed]]\ntitle = \"x\"\n");
    assert!(e.contains(&format!("{config}:1:1: a [[feed]] needs `url")), "{e}");
    let e = error("[[feed]]\nurl = \"http://a/\"\n[feed.scrape]\nitem = \"li[\"\ntitle = \"h2\"\n");
    assert!(
        e.contains(&format!(
            "{config}:3:1: [feed.scrape] item: \"li[\" is not a CSS selector"
        )) || e.contains("item: \"li[\" is not a CSS selector"),
        "{e}"
    );
    let e = error("[[feed]]\nurl = \"http://a/\"\nmax_items = 0\n");
    assert!(
        e.contains(&format!("{config}:3:13: `max_items` must be at least 1")),
        "{e}"
    );
    let e = error("[[feed]]\nurl = \"http://a/\"\nusername = \"me\"\n");
    assert!(
        e.contains(&format!("{config}:3:12: `username` needs `password_command`")),
        "{e}"
    );
    let e = error("[[feed]]\ncommand = []\n");
    assert!(e.contains(&format!("{config}:2:11: `command` needs a program")), "{e}");
}

#[test]
fn reader_selector_tells_reader_mode_where_the_article_is() {
    let server = TestServer::start();
    let page = "<html><body><article><h1>Decoy</h1><p>The extractor would pick this long paragraph of decoy text, which is not the story at all but looks like one.</p><p>More decoy text so the article element wins on length alone.</p></article>\
        <div class=\"real-story\"><p>The short real story.</p></div></body></html>";
    server.route("/page", Route::ok(page).header("content-type", "text/html"));
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>S</title><item><guid>1</guid><title>T</title><link>{}</link><description>d</description></item></channel></rss>",
        server.url("/page")
    );
    server.route("/feed.xml", Route::ok(feed));
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = {:?}\nreader_selector = \"div.real-story\"\n",
        server.url("/feed.xml")
    ));
    sb.refresh();
    let id = sb.list_json(&[])[0]["id"].to_string();
    let out = sb.run(&["show", &id, "--full", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["body_text"], "The short real story.", "{}", stderr(&out));
}

#[test]
fn a_feeds_proxy_carries_its_requests() {
    // The test server is the proxy: it gets the absolute address an HTTP proxy is asked for.
    let proxy = TestServer::start();
    proxy.route(
        "http://feeds.example.invalid/news.xml",
        Route::ok(rss("Proxied", &[("a", "Through the proxy", "x")])),
    );
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "{GENERAL}[[feed]]\nurl = \"http://feeds.example.invalid/news.xml\"\nproxy = {:?}\n",
        proxy.base
    ));
    sb.refresh();
    assert_eq!(titles(&sb), ["Through the proxy"]);
    assert_eq!(proxy.hits("http://feeds.example.invalid/news.xml").len(), 1);
}

#[test]
fn tilde_is_the_home_folder_in_feed_paths_and_programs() {
    let sb = Sandbox::new();
    let home = sb.path("home");
    std::fs::create_dir_all(home.join("feeds")).unwrap();
    std::fs::create_dir_all(home.join("bin")).unwrap();
    std::fs::write(home.join("feeds/a.xml"), rss("File", &[("a", "From a file", "x")])).unwrap();
    let script = home.join("bin/feed.sh");
    write_script(&script, &format!("#!/bin/sh\ncat {}\n", sb.path("made.xml").display()));
    std::fs::write(sb.path("made.xml"), rss("Script", &[("b", "From a script", "y")])).unwrap();
    sb.write_config(&format!(
        "{GENERAL}download_dir = \"~/dl\"\n\n[[feed]]\nurl = \"~/feeds/a.xml\"\n\n[[feed]]\ncommand = [\"~/bin/feed.sh\"]\n"
    ));
    let out = sb.run(&["refresh"]);
    assert_eq!(titles(&sb), ["From a file", "From a script"], "{}", stderr(&out));
    // The script feed keeps the name it was written with.
    assert!(sb.feeds_json().iter().any(|f| f["url"] == "exec:~/bin/feed.sh"));
}
