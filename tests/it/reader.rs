//! Reader mode through the real binary: `show --full` fetches the article's page over HTTP,
//! keeps the story and drops the page's boilerplate, caches it (no second fetch, works offline),
//! refuses non-web links, falls back to the feed's text with a reason, and `full_text = true`
//! feeds fetch pages on refresh.

use crate::common::*;

const PAGE: &str = include_str!("../fixtures/reader/page.html");

/// Lines of the fixture page that reader mode must keep.
const KEEP: &[&str] = &[
    "北海道の日本海沿岸で、国内最大級の洋上風力発電所が今月から本格的に運転を始めた。",
    "発電所は沖合約三キロに二十四基の風車を並べたもので、建設には五年をかけた。",
    "地元の漁業との共存",
    "漁協の組合長は「最初は不安だったが、今は海の環境を一緒に調べる仲間だと思っている」と話した。",
    "今後の計画",
    "送電網の増強についても国と調整を続けている。",
];

/// Boilerplate that must not reach the reader.
const DROP: &[&str] = &[
    "広告",
    "いま話題",
    "芸能ニュース速報",
    "LINEで送る",
    "アクセスランキング",
    "人気アイドル",
    "無断転載",
    "プライバシーポリシー",
    "スポーツ",
    "dataLayer",
];

/// A feed whose one item carries only a summary and links to `link`.
fn summary_feed(link: &str) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>みなと新聞</title><item><guid>wind-1</guid>\
         <title>北海道で新しい風力発電所が稼働</title><link>{link}</link>\
         <description>洋上風力発電所が運転を始めた。</description></item></channel></rss>"
    )
}

/// Joins wrapped lines so a sentence broken across lines is found whole.
fn unwrapped(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join("")
}

fn setup(server: &TestServer, link: &str, full_text: bool) -> Sandbox {
    server.route("/feed.xml", Route::ok(summary_feed(link)));
    let sb = Sandbox::new();
    let extra = if full_text { "full_text = true\n" } else { "" };
    sb.write_config(&format!("{}{extra}", feed_entry(&server.url("/feed.xml"), &["news"])));
    sb.refresh();
    sb
}

#[test]
fn show_full_extracts_the_story_once_and_keeps_it() {
    let server = TestServer::start();
    server.route(
        "/wind.html",
        Route::ok(PAGE).header("Content-Type", "text/html; charset=utf-8"),
    );
    let sb = setup(&server, &server.url("/wind.html"), false);
    let id = sb.list_json(&[])[0]["id"].to_string();

    let plain = stdout(&sb.run(&["show", &id]));
    assert!(
        plain.contains("洋上風力発電所が運転を始めた。") && !plain.contains("漁協"),
        "{plain}"
    );
    assert!(server.hits("/wind.html").is_empty(), "plain show never fetches");

    let out = sb.run(&["show", &id, "--full", "--width", "60"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let flat = unwrapped(&text);
    for keep in KEEP {
        assert!(flat.contains(keep), "missing {keep:?} in\n{text}");
    }
    for drop in DROP {
        assert!(!text.contains(drop), "boilerplate {drop:?} in\n{text}");
    }
    for line in text.lines() {
        assert!(khabar::text::width::width(line) <= 60, "{line:?}");
    }
    // The page's headline is the item's title: the title block says it, the body does not.
    assert_eq!(text.matches("北海道で新しい風力発電所が稼働").count(), 1, "{text}");
    assert_eq!(server.hits("/wind.html").len(), 1);

    // Cached: no second fetch, and it works with the page gone.
    server.route("/wind.html", Route::status(500));
    let again = stdout(&sb.run(&["show", &id, "--full", "--width", "60"]));
    assert_eq!(again, text);
    assert_eq!(server.hits("/wind.html").len(), 1);
}

#[test]
fn failures_keep_the_feed_text_and_say_why() {
    let server = TestServer::start();
    for (link, reason) in [
        (server.url("/gone.html"), "HTTP 404"),
        ("javascript:alert(1)".to_string(), ""),
        ("file:///etc/passwd".to_string(), ""),
    ] {
        let sb = setup(&server, &link, false);
        let list = sb.list_json(&[]);
        let id = list[0]["id"].to_string();
        let out = sb.run(&["show", &id, "--full"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("洋上風力発電所が運転を始めた。"),
            "the feed's text stays"
        );
        let err = stderr(&out);
        if list[0]["link"].is_null() {
            // Unsafe links are dropped at ingestion: there is nothing to fetch.
            assert!(err.contains("no full article (the article has no link)"), "{err}");
        } else {
            assert!(err.contains("no full article") && err.contains(reason), "{err}");
        }
        assert!(!stdout(&out).contains("root:"));
    }
}

#[test]
fn full_text_feeds_fetch_pages_on_refresh() {
    let server = TestServer::start();
    server.route("/wind.html", Route::ok(PAGE));
    let sb = setup(&server, &server.url("/wind.html"), true);
    assert_eq!(server.hits("/wind.html").len(), 1, "fetched during the refresh");
    let id = sb.list_json(&[])[0]["id"].to_string();
    server.route("/wind.html", Route::status(500));
    // A full_text feed shows the cached page even without --full, offline.
    let text = unwrapped(&stdout(&sb.run(&["show", &id])));
    assert!(text.contains(KEEP[3]), "{text}");
    // A second refresh does not fetch the page again.
    sb.refresh();
    assert_eq!(server.hits("/wind.html").len(), 1);
}

/// `show --json`: the article's fields, its text unwrapped but for paragraphs, its links as the
/// reader numbers them, its images; with `--full`, reader mode's text and why it failed.
#[test]
fn show_json_carries_the_article_as_data() {
    let server = TestServer::start();
    let body =
        "&lt;p&gt;First paragraph with a &lt;a href=\"http://e.org/one\"&gt;first &lt;b&gt;link&lt;/b&gt;&lt;/a&gt; \
                and a long sentence that would wrap at eighty columns if anything wrapped it here.&lt;/p&gt;\
                &lt;p&gt;Second &lt;a href=\"http://e.org/two\"&gt;two&lt;/a&gt; \
                &lt;img src=\"http://e.org/i.png\" alt=\"A chart\"&gt;&lt;/p&gt;";
    server.route(
        "/feed.xml",
        Route::ok(format!(
            "<rss version=\"2.0\"><channel><title>J</title><item><guid>j1</guid><title>Data</title>\
             <link>{}</link><author>a@e.org (Ann)</author><description>{body}</description></item></channel></rss>",
            server.url("/gone.html")
        )),
    );
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/feed.xml"), &["news"]));
    sb.refresh();
    let id = sb.list_json(&[])[0]["id"].to_string();

    let out = sb.run(&["show", &id, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["id"].to_string(), id);
    assert_eq!((v["title"].as_str(), v["author"].as_str()), (Some("Data"), Some("Ann")));
    assert_eq!(v["feed_title"], "J");
    assert_eq!(v["tags"], serde_json::json!(["news"]));
    assert_eq!((v["read"].as_bool(), v["full"].as_bool()), (Some(false), Some(false)));
    assert!(v["full_error"].is_null());
    let text = v["body_text"].as_str().unwrap();
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 2, "{text:?}");
    assert!(
        paragraphs[0].starts_with("First paragraph")
            && paragraphs[0].ends_with("wrapped it here.")
            && !paragraphs[0].contains('\n'),
        "{text:?}"
    );
    assert!(!text.contains("http://e.org/one"), "no link list in the text: {text:?}");
    assert!(
        !text.contains("[1]") && !text.contains("[image"),
        "no marks in the text: {text:?}"
    );
    assert_eq!(
        v["links"],
        serde_json::json!([
            {"n": 1, "url": "http://e.org/one", "text": "first link"},
            {"n": 2, "url": "http://e.org/two", "text": "two"},
            // The image is numbered like a link, so `o 3` opens it.
            {"n": 3, "url": "http://e.org/i.png", "text": "[image: A chart]"},
        ])
    );
    assert_eq!(
        v["images"],
        serde_json::json!([{"url": "http://e.org/i.png", "alt": "A chart"}])
    );

    // --full with a page that is gone: the feed's text, and why.
    let out = sb.run(&["show", &id, "--json", "--full"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["full"], false);
    assert!(v["full_error"].as_str().unwrap().contains("404"), "{v}");
    assert!(v["body_text"].as_str().unwrap().starts_with("First paragraph"));

    // --full with the page there: reader mode's text.
    server.route("/gone.html", Route::ok(PAGE));
    let out = sb.run(&["show", &id, "--json", "--full"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["full"], true);
    assert!(v["full_error"].is_null());
    assert!(v["body_text"].as_str().unwrap().contains(KEEP[0]), "{v}");
}

/// The shared Hindi story (a copy of `../shared/fixtures/hindi-news/`) keeps its headline, its
/// lede and every paragraph, although the feed item's title is not the page's headline, and
/// drops the page's boilerplate.
#[test]
fn the_hindi_story_keeps_headline_lede_and_body() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reader/hindi");
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
    let server = TestServer::start();
    server.route(
        "/story.html",
        Route::ok(read("page.html")).header("Content-Type", "text/html; charset=utf-8"),
    );
    server.route(
        "/feed.xml",
        Route::ok(format!(
            "<rss version=\"2.0\"><channel><title>ज़ी न्यूज़</title><item><guid>h1</guid>\
             <title>रूस और भारत: अंतरिक्ष में साझेदारी</title><link>{}</link>\
             <description>सारांश</description></item></channel></rss>",
            server.url("/story.html")
        )),
    );
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/feed.xml"), &[]));
    sb.refresh();
    let id = sb.list_json(&[])[0]["id"].to_string();
    let out = sb.run(&["show", &id, "--full", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    let text = v["body_text"].as_str().unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for keep in read("expected-keep.txt").lines().filter(|l| !l.trim().is_empty()) {
        let keep = keep.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&keep), "missing {keep:?} in\n{text}");
    }
    for drop in read("expected-drop.txt").lines().filter(|l| !l.trim().is_empty()) {
        assert!(!text.contains(drop.trim()), "boilerplate {drop:?} in\n{text}");
    }
}

/// Pages in three more scripts (Han, Arabic, Hangul; goose3's test pages, see the fixtures'
/// README): reader mode keeps every sentence of their expected text.
#[test]
fn extraction_keeps_the_story_in_chinese_arabic_and_korean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reader/scripts");
    for name in ["zh-bbc", "ar-cnn", "ko-donga"] {
        let page = std::fs::read_to_string(format!("{dir}/{name}.html")).unwrap();
        let expected = std::fs::read_to_string(format!("{dir}/{name}.expected.txt")).unwrap();
        let (url, text) = expected.split_once('\n').unwrap();
        let html = khabar::text::reader::extract(&page, url).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = khabar::text::rich::render(&html, 1 << 20).data_text();
        let got: String = got.split_whitespace().collect::<Vec<_>>().join(" ");
        // Sentences, at their ends in each script; goose3 glues paragraphs together, so a
        // sentence is checked alone, spaces folded.
        let mut sentences: Vec<String> = text
            .split(['。', '.', '!', '?', '؟', '\n', '“', '”'])
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| s.chars().count() >= 8)
            .collect();
        // goose3 keeps only the opening of some pages: their last word may be cut.
        if let Some(last) = sentences.last_mut() {
            if let Some((whole, _cut)) = last.rsplit_once(' ') {
                *last = whole.to_string();
            }
        }
        assert!(!sentences.is_empty(), "{name}");
        let missing: Vec<&String> = sentences.iter().filter(|s| !got.contains(s.as_str())).collect();
        assert!(missing.is_empty(), "{name}: lost {missing:#?}\nfrom:\n{got}");
    }
}
