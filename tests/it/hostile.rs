//! Hostile servers and feeds, refreshed alongside a healthy feed through the real binary:
//! decompression bombs, endless and trickling bodies, hangs, redirect loops, error statuses,
//! entity tricks, extreme content, and unsafe links. Each is recorded on its own feed; the good
//! feed is always stored; time and memory stay bounded.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs `khabar refresh` and returns (stderr, wall time, peak resident memory in MiB).
fn refresh_measured(sb: &Sandbox) -> (String, Duration, u64) {
    let start = Instant::now();
    let out = sb.run(&["--bench-peak", "refresh"]);
    let elapsed = start.elapsed();
    let err = stderr(&out);
    assert!(out.status.success(), "refresh failed: {err}");
    (err, elapsed, reported_peak_kib(&out) / 1024)
}

/// A gzip stream of `members` members, each `member_mib` MiB of zeros: small on the wire, huge
/// once decompressed.
fn gzip_bomb(members: usize, member_mib: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..member_mib {
        enc.write_all(&zeros).unwrap();
    }
    let member = enc.finish().unwrap();
    member.repeat(members)
}

#[test]
fn resource_attacks_are_cut_at_their_limits_and_the_good_feed_is_stored() {
    let server = TestServer::start();
    server.route("/good.xml", Route::ok(rss("Good", &[("g", "Good item", "fine")])));
    // 1 GiB of zeros in 32 gzip members of 32 MiB: about 1 MiB on the wire.
    let bomb = gzip_bomb(32, 32);
    assert!(bomb.len() < 2 << 20, "bomb is {} bytes", bomb.len());
    server.route(
        "/bomb.xml",
        Route::ok(bomb)
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "application/rss+xml"),
    );
    server.route(
        "/endless.xml",
        Route {
            endless: Some(512 << 20),
            ..Route::ok("")
        },
    );
    server.route(
        "/trickle.xml",
        Route {
            trickle: true,
            ..Route::ok("")
        },
    );
    server.route(
        "/hang.xml",
        Route {
            hang: true,
            ..Route::ok("")
        },
    );
    server.route("/loop.xml", Route::status(301).header("Location", "/loop2.xml"));
    server.route("/loop2.xml", Route::status(302).header("Location", "/loop.xml"));
    let sb = Sandbox::new();
    let mut config = "[general]\nrequest_timeout = \"3s\"\nconnect_timeout = \"2s\"\n".to_string();
    for p in [
        "/good.xml",
        "/bomb.xml",
        "/endless.xml",
        "/trickle.xml",
        "/hang.xml",
        "/loop.xml",
    ] {
        config.push_str(&feed_entry(&server.url(p), &[]));
    }
    sb.write_config(&config);

    let (err, elapsed, peak_mib) = refresh_measured(&sb);
    assert!(err.contains("5 failed"), "{err}");
    assert!(elapsed < Duration::from_secs(15), "the whole refresh took {elapsed:?}");
    assert!(peak_mib < 200, "peak resident memory {peak_mib} MiB");

    let feeds = sb.feeds_json();
    let status = |p: &str| {
        let f = feeds.iter().find(|f| f["url"].as_str().unwrap().ends_with(p)).unwrap();
        (
            f["last_status"].as_str().unwrap().to_string(),
            f["last_error"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(status("/good.xml").0, "200");
    assert_eq!(sb.list_json(&[]).len(), 1);
    assert_eq!(status("/bomb.xml").0, "too-large", "{:?}", status("/bomb.xml"));
    assert!(status("/bomb.xml").1.contains("16777216-byte limit"));
    assert_eq!(status("/endless.xml").0, "too-large");
    assert_eq!(status("/trickle.xml").0, "timeout");
    assert_eq!(status("/hang.xml").0, "timeout");
    assert!(status("/loop.xml").1.contains("more than 10 redirects"));
}

#[test]
fn error_statuses_are_recorded_and_gone_or_busy_feeds_wait() {
    let server = TestServer::start();
    server.route("/good.xml", Route::ok(rss("Good", &[("g", "Good item", "fine")])));
    server.route("/gone.xml", Route::status(410));
    server.route("/busy.xml", Route::status(503).header("Retry-After", "120"));
    server.route("/500.xml", Route::status(500));
    server.route(
        "/malformed.xml",
        Route::ok("<rss version=\"2.0\"><channel><item><title>a</tit"),
    );
    server.route(
        "/page.html",
        Route::ok("<!doctype html><html><head><title>x</title></head><body>no feed</body></html>"),
    );
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">{}]><rss version=\"2.0\"><channel><title>L</title><item><guid>l</guid><title>&e;</title></item></channel></rss>",
        (b'b'..=b'e').map(|c| format!("<!ENTITY {} \"{}\">", c as char, format!("&{};", (c - 1) as char).repeat(10))).collect::<String>()
    );
    server.route("/laughs.xml", Route::ok(laughs));
    server.route(
        "/to-file.xml",
        Route::status(302).header("Location", "file:///etc/passwd"),
    );
    server.route(
        "/to-js.xml",
        Route::status(301).header("Location", "javascript:alert(1)"),
    );
    server.route(
        "/xxe.xml",
        Route::ok("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss version=\"2.0\"><channel><title>X</title><item><guid>x</guid><title>t&x;t</title></item></channel></rss>"),
    );
    let sb = Sandbox::new();
    let mut config = "[general]\nrequest_timeout = \"3s\"\n".to_string();
    for p in [
        "/good.xml",
        "/404.xml",
        "/gone.xml",
        "/busy.xml",
        "/500.xml",
        "/malformed.xml",
        "/page.html",
        "/laughs.xml",
        "/xxe.xml",
    ] {
        config.push_str(&feed_entry(&server.url(p), &[]));
    }
    sb.write_config(&config);
    let (_, _, peak_mib) = refresh_measured(&sb);
    assert!(peak_mib < 200);
    let feeds = sb.feeds_json();
    let get = |p: &str| {
        feeds
            .iter()
            .find(|f| f["url"].as_str().unwrap().ends_with(p))
            .unwrap()
            .clone()
    };
    assert_eq!(get("/404.xml")["last_status"], "404");
    assert_eq!(get("/gone.xml")["last_status"], "410");
    assert_eq!(get("/busy.xml")["last_status"], "503");
    assert_eq!(get("/500.xml")["last_status"], "500");
    assert_eq!(get("/malformed.xml")["last_status"], "parse-error");
    assert!(get("/page.html")["last_error"]
        .as_str()
        .unwrap()
        .contains("no feed link"));
    for a in sb.list_json(&[]) {
        let t = a["title"].as_str().unwrap();
        assert!(
            t.len() < 2000 && !t.contains("root:"),
            "entity expanded or resolved: {t:.80}"
        );
    }

    // Gone (410) and busy (Retry-After) feeds are not asked again on the next refresh.
    let hits = |p: &str| server.hits(p).len();
    let before = (hits("/gone.xml"), hits("/busy.xml"), hits("/500.xml"));
    let (err, _, _) = refresh_measured(&sb);
    assert_eq!((hits("/gone.xml"), hits("/busy.xml")), (before.0, before.1), "{err}");
    assert_eq!(
        hits("/500.xml"),
        before.2 + 1,
        "an ordinary failure is retried by an explicit refresh"
    );
    assert!(
        err.contains("skip") && err.contains("gone.xml") && err.contains("busy.xml"),
        "{err}"
    );
}

#[test]
fn extreme_content_is_stored_sensibly_and_renders() {
    let server = TestServer::start();
    let huge_title = "बहुत लंबा शीर्षक ".repeat(4_000); // about 100 KB
    let big_body = format!("&lt;p&gt;{}&lt;/p&gt;", "long article words ".repeat(55_000)); // about 1 MB
    let nested = format!("{}deep{}", "&lt;div&gt;".repeat(20_000), "&lt;/div&gt;".repeat(20_000));
    let mut doc = String::from("<rss version=\"2.0\"><channel><title>Extreme</title>");
    doc.push_str(&format!("<item><guid>title</guid><title>{huge_title}</title></item>"));
    doc.push_str(&format!(
        "<item><guid>body</guid><title>Big body</title><description>{big_body}</description></item>"
    ));
    doc.push_str(&format!(
        "<item><guid>nested</guid><title>Nested</title><description>{nested}</description></item>"
    ));
    doc.push_str(
        "<item><guid>future</guid><title>Year 9999</title><pubDate>Fri, 31 Dec 9999 23:59:59 +0000</pubDate></item>",
    );
    doc.push_str(
        "<item><guid>epoch</guid><title>Year 1970</title><pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate></item>",
    );
    doc.push_str("<item><guid>nodate</guid><title>Bad date</title><pubDate>the day after tomorrow</pubDate></item>");
    doc.push_str("<item><guid>dup</guid><title>Duplicate one</title></item><item><guid>dup</guid><title>Duplicate two</title></item>");
    doc.push_str("<item><title>No guid, no link</title><description>only text</description></item>");
    for i in 0..10_000 {
        doc.push_str(&format!(
            "<item><guid>many-{i}</guid><title>Item {i}</title><link>http://e/{i}</link></item>"
        ));
    }
    doc.push_str("</channel></rss>");
    server.route("/extreme.xml", Route::ok(doc));
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "[general]\narticles_per_feed = 20000\n{}",
        feed_entry(&server.url("/extreme.xml"), &[])
    ));
    let (err, elapsed, peak_mib) = refresh_measured(&sb);
    assert!(err.contains("0 failed"), "{err}");
    assert!(peak_mib < 200, "peak {peak_mib} MiB");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");

    let list = sb.list_json(&[]);
    assert_eq!(list.len(), 10_000 + 8, "duplicates kept once, the id-less item kept");
    let find = |t: &str| {
        list.iter()
            .find(|a| a["title"].as_str().unwrap().starts_with(t))
            .unwrap()
            .clone()
    };
    let title = list
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("बहुत"))
        .unwrap()["title"]
        .as_str()
        .unwrap()
        .to_string();
    let cols = khabar::text::width::width(&title);
    assert!(
        cols <= 1000 && title.ends_with('…'),
        "long titles are cut to 1,000 columns: {cols}"
    );
    assert_eq!(find("Year 9999")["published"], "9999-12-31T23:59:59Z");
    assert_eq!(find("Year 1970")["published"], "1970-01-01T00:00:00Z");
    assert!(find("Bad date")["published"].is_null());
    assert_eq!(find("Duplicate")["title"], "Duplicate one");
    // A far-future date does not pin the article above everything else forever.
    assert_ne!(list[0]["title"], "Year 9999");

    for t in ["Big body", "Nested", "बहुत"] {
        let id = find(t)["id"].to_string();
        let start = Instant::now();
        let out = sb.run(&["show", &id, "--width", "80"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "show {t} took {:?}",
            start.elapsed()
        );
        let text = stdout(&out);
        let too_wide: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("Link:") && khabar::text::width::width(l) > 80)
            .collect();
        assert!(
            too_wide.is_empty(),
            "{t}: {:?}",
            too_wide
                .iter()
                .map(|l| l.chars().take(60).collect::<String>())
                .collect::<Vec<_>>()
        );
    }
}

/// The browser is run as a program with the URL as one argument: shell syntax in a URL stays
/// inert text.
#[test]
fn links_are_opened_without_a_shell() {
    let sb = Sandbox::new();
    let script = sb.path("browser.sh");
    let args_file = sb.path("args");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {}; done\n",
            args_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let marker = sb.path("pwned");
    let url = format!(
        "http://example.org/a?q=$(touch {m});`touch {m}`&x=1|touch {m}",
        m = marker.display()
    );
    // As the reader does it: the browser setting's words, the link's address as one argument.
    let target = khabar::model::OpenTarget {
        url: url::Url::parse(&url).unwrap().to_string(),
        kind: khabar::model::LinkKind::Link,
        mime: None,
        title: "a title; with `backticks`".into(),
        feed: "$(feed)".into(),
    };
    let argv = khabar::config::fallback_opener(Some(&format!("{} --new-tab", script.display())), None, &target);
    khabar::tui::effects::open_url(&argv, &target.url).unwrap();
    let start = Instant::now();
    while !args_file.exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let args = std::fs::read_to_string(&args_file).unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(
        args,
        format!("--new-tab\n{parsed}\n"),
        "the URL arrives as one argument"
    );
    assert!(!marker.exists(), "nothing in the URL ran");
    for bad in ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/", "not a url"] {
        assert!(
            khabar::tui::effects::open_url(&[script.display().to_string(), bad.to_string()], bad).is_err(),
            "{bad}"
        );
    }
}

/// html2text's line filler overflows after an emoji with a skin-tone modifier followed by a long
/// word (found by fuzzing; upstream). `show` still prints the article, within the width.
#[test]
fn the_known_renderer_overflow_is_survived() {
    let server = TestServer::start();
    let body = format!("&lt;p&gt;👩🔬👨🏽{} &amp;lt;&lt;/p&gt;", "\u{FFFD}".repeat(115));
    server.route("/emoji.xml", Route::ok(rss("E", &[("e", "Emoji", &body)])));
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/emoji.xml"), &[]));
    sb.refresh();
    let id = sb.list_json(&[])[0]["id"].to_string();
    let out = sb.run(&["show", &id, "--width", "40"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("👩🔬"), "{text}");
    assert!(
        text.lines()
            .filter(|l| !l.starts_with("Link:"))
            .all(|l| khabar::text::width::width(l) <= 40),
        "{text}"
    );
}
