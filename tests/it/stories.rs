//! Stories: the same news from several feeds grouped, through a real refresh over HTTP, the
//! cache file, the headless commands and the reader's state; and grouping resumed after a kill.

use std::collections::{BTreeSet, HashMap};

use crate::common::{feed_entry, open_store, stderr, stdout, Route, Sandbox, TestServer};
use khabar::model::{ArticleId, ArticleSummary, Flag, StoryMember};
use khabar::tui::state::Command;

/// An RSS feed of (guid, title, body, link, hour of 2026-11-20).
fn feed(title: &str, items: &[(&str, &str, &str, &str, u32)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>http://example.org/</link>\n"
    );
    for (guid, t, body, link, hour) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{t}</title><link>{link}</link><pubDate>20 Nov 2026 {hour:02}:00:00 +0000</pubDate><description>{body}</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// Serves each feed (path, document), writes a config with `extra` on top, refreshes.
fn refreshed(feeds: &[(&str, String)], extra: &str) -> (Sandbox, TestServer) {
    let server = TestServer::start();
    let sb = Sandbox::new();
    let mut config = format!("{extra}\n");
    for (path, doc) in feeds {
        server.route(path, Route::ok(doc.clone()));
        config.push_str(&feed_entry(&server.url(path), &["news"]));
    }
    sb.write_config(&config);
    sb.refresh();
    (sb, server)
}

/// `list --json` as (title → story).
fn stories_by_title(sb: &Sandbox) -> HashMap<String, Option<i64>> {
    sb.list_json(&[])
        .into_iter()
        .map(|v| (v["title"].as_str().unwrap().to_string(), v["story"].as_i64()))
        .collect()
}

const DELHI_A: (&str, &str, &str, &str, u32) = (
    "a1",
    "दिल्ली में भारी बारिश से जलभराव, कई उड़ानें रद्द",
    "राजधानी दिल्ली में सोमवार को भारी बारिश के बाद कई इलाकों में जलभराव हो गया और हवाई अड्डे पर कई उड़ानें रद्द कर दी गईं।",
    "https://a.example/delhi-rain",
    8,
);
const DELHI_B: (&str, &str, &str, &str, u32) = (
    "b1",
    "दिल्ली में भारी बारिश: जलभराव के कारण उड़ानें रद्द",
    "सोमवार को दिल्ली में हुई भारी बारिश से कई इलाकों में जलभराव हुआ, हवाई अड्डे से कई उड़ानें रद्द करनी पड़ीं।",
    "https://b.example/news/1001",
    10,
);
const MUMBAI_B: (&str, &str, &str, &str, u32) = (
    "b2",
    "मुंबई में शेयर बाजार नई ऊंचाई पर बंद",
    "बॉम्बे स्टॉक एक्सचेंज का सूचकांक सोमवार को रिकॉर्ड स्तर पर बंद हुआ, निवेशकों में उत्साह रहा।",
    "https://b.example/news/1002",
    9,
);
const MOON_A: (&str, &str, &str, &str, u32) = (
    "a2",
    "ISRO launches Chandrayaan-4 मिशन सफलतापूर्वक",
    "Chandrayaan-4 lifted off from Sriharikota on Friday morning; इसरो ने कहा कि मिशन सफलतापूर्वक कक्षा में पहुंचा।",
    "https://a.example/moon",
    11,
);
const MOON_B: (&str, &str, &str, &str, u32) = (
    "b3",
    "Chandrayaan-4: इसरो का मिशन सफलतापूर्वक लॉन्च, lifted off from Sriharikota",
    "इसरो ने शुक्रवार सुबह Sriharikota से Chandrayaan-4 मिशन सफलतापूर्वक लॉन्च किया और यान कक्षा में पहुंचा।",
    "https://b.example/news/1003",
    12,
);

#[test]
fn the_same_story_in_hindi_and_in_mixed_titles_from_two_feeds_is_one_story() {
    let (sb, _server) = refreshed(
        &[
            ("/a.xml", feed("Akhbar A", &[DELHI_A, MOON_A])),
            ("/b.xml", feed("Akhbar B", &[DELHI_B, MUMBAI_B, MOON_B])),
        ],
        "",
    );
    let stories = stories_by_title(&sb);
    let delhi = stories[DELHI_A.1];
    assert!(delhi.is_some(), "{stories:?}");
    assert_eq!(stories[DELHI_B.1], delhi, "{stories:?}");
    let moon = stories[MOON_A.1];
    assert!(moon.is_some() && moon != delhi, "{stories:?}");
    assert_eq!(stories[MOON_B.1], moon, "{stories:?}");
    assert_eq!(stories[MUMBAI_B.1], None, "{stories:?}");

    // also_in names the other copy; story:ID and is:grouped find the story's articles.
    let listed = sb.list_json(&[]);
    let a = listed.iter().find(|v| v["title"] == DELHI_A.1).unwrap();
    let b = listed.iter().find(|v| v["title"] == DELHI_B.1).unwrap();
    assert_eq!(a["also_in"], serde_json::json!([b["id"]]));
    let story = delhi.unwrap().to_string();
    let found = sb.list_json(&["--query", &format!("story:{story}")]);
    assert_eq!(found.len(), 2);
    assert_eq!(sb.list_json(&["--query", "is:grouped"]).len(), 4);
    assert_eq!(sb.list_json(&["--query=-is:grouped"]).len(), 1);

    // --stories: one line per story, the earliest copy leading, the other feed named.
    let out = sb.run(&["list", "--stories"]);
    let text = stdout(&out);
    assert_eq!(text.matches("दिल्ली").count(), 1, "{text}");
    assert!(text.contains("+1 also in Akhbar B"), "{text}");
    assert!(text.contains("मुंबई"), "{text}");
    let lines = sb.list_json(&["--stories"]);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines.iter().any(|v| v["title"] == DELHI_A.1),
        "the earliest leads: {lines:?}"
    );

    // mark --story marks both copies read, and says so.
    let out = sb.run(&["mark", "--story", &story, "--read"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("marked 2 of 2"), "{}", stderr(&out));
    let read: Vec<bool> = sb
        .list_json(&["--query", &format!("story:{story}")])
        .iter()
        .map(|v| v["read"].as_bool().unwrap())
        .collect();
    assert_eq!(read, [true, true]);
    let out = sb.run(&["mark", "--story", "999999", "--read"]);
    assert!(
        !out.status.success() && stderr(&out).contains("no story 999999"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stories_follow_the_settings_prefer_scope_and_per_feed_opt_out() {
    let docs = [
        ("/a.xml", feed("Akhbar A", &[DELHI_A])),
        ("/b.xml", feed("Akhbar B", &[DELHI_B])),
    ];
    // prefer: feed B's copy leads though it came later.
    let server = TestServer::start();
    for (p, d) in &docs {
        server.route(p, Route::ok(d.clone()));
    }
    let sb = Sandbox::new();
    let write = |stories: &str, b_extra: &str| {
        sb.write_config(&format!(
            "{stories}\n[[feed]]\nurl = {:?}\ntags = [\"hindi\"]\n[[feed]]\nurl = {:?}\ntags = [\"other\"]\n{b_extra}",
            server.url("/a.xml"),
            server.url("/b.xml")
        ));
    };
    write(&format!("[stories]\nprefer = [{:?}]", server.url("/b.xml")), "");
    sb.refresh();
    let lines = sb.list_json(&["--stories"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["title"], DELHI_B.1);

    // scope = "tag": the two feeds share no tag, so nothing is grouped.
    write("[stories]\nscope = \"tag\"", "");
    let out = sb.run(&["stories"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stories_by_title(&sb).values().all(Option::is_none));

    // Back to all feeds, but feed B says group = false.
    write("", "group = false\n");
    sb.run(&["stories"]);
    assert!(stories_by_title(&sb).values().all(Option::is_none));
    write("", "");
    sb.run(&["stories"]);
    assert!(stories_by_title(&sb).values().all(Option::is_some));

    // group = false: nothing to do, and said so.
    write("[stories]\ngroup = false", "");
    let out = sb.run(&["stories"]);
    assert!(
        !out.status.success() && stderr(&out).contains("stories are off"),
        "{}",
        stderr(&out)
    );
    let bad = sb.path("bad.toml");
    std::fs::write(&bad, "[stories]\nwindow = \"10s\"\n").unwrap();
    let out = sb.run_raw(&["--config", bad.to_str().unwrap(), "feeds"]);
    assert!(
        stderr(&out).contains("bad.toml:2:1: `window` must be at least 1m"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_post_republished_under_a_new_guid_is_one_story_within_its_feed() {
    let (sb, _server) = refreshed(
        &[(
            "/a.xml",
            feed(
                "Blog",
                &[
                    (
                        "old-guid",
                        "Release notes",
                        "Version 2 is out.",
                        "https://www.blog.example/release/?utm_source=rss",
                        8,
                    ),
                    (
                        "new-guid",
                        "Release notes (updated)",
                        "Version 2 is out.",
                        "http://blog.example/release#top",
                        20,
                    ),
                    ("other", "Something else", "Unrelated.", "https://blog.example/other", 9),
                ],
            ),
        )],
        "",
    );
    let stories = stories_by_title(&sb);
    assert!(stories["Release notes"].is_some());
    assert_eq!(stories["Release notes"], stories["Release notes (updated)"]);
    assert_eq!(stories["Something else"], None);
    assert_eq!(sb.list_json(&["--stories"]).len(), 2);
}

/// A~B and B~C, A and C unrelated: single-link clustering would chain all three together.
#[test]
fn a_chain_of_three_different_stories_does_not_merge() {
    let a = (
        "a",
        "Volcano erupts near Reykjavik airport, all flights grounded",
        "Lava and ash from the eruption closed Keflavik airport on Tuesday.",
        "https://a.example/volcano",
        8,
    );
    let b = (
        "b",
        "Volcano erupts near Reykjavik airport as central bank raises interest rates",
        "Keflavik airport closed by lava and ash on Tuesday; the central bank raised interest rates to a record.",
        "https://b.example/roundup",
        9,
    );
    let c = (
        "c",
        "Central bank raises interest rates to record high",
        "The central bank raised interest rates on Tuesday to a record, citing inflation.",
        "https://c.example/rates",
        10,
    );
    let filler = |name: &str, n: u32| -> Vec<(String, String, String, String, u32)> {
        (0..n)
            .map(|i| {
                (
                    format!("{name}{i}"),
                    format!("{name} filler headline {i} about gardening tips"),
                    format!("Plant tulips in autumn {i}."),
                    format!("https://{name}.example/f{i}"),
                    1 + i,
                )
            })
            .collect()
    };
    let doc = |title: &str, main: (&str, &str, &str, &str, u32), name: &str| {
        let extra = filler(name, 4);
        let mut items: Vec<(&str, &str, &str, &str, u32)> = vec![main];
        items.extend(
            extra
                .iter()
                .map(|(g, t, b, l, h)| (g.as_str(), t.as_str(), b.as_str(), l.as_str(), *h)),
        );
        feed(title, &items)
    };
    // B and C alone are one story: the chain is real.
    let (pair, _s) = refreshed(&[("/b.xml", doc("B", b, "fb")), ("/c.xml", doc("C", c, "fc"))], "");
    let st = stories_by_title(&pair);
    assert!(
        st[b.1].is_some() && st[b.1] == st[c.1],
        "B~C should group alone: {st:?}"
    );
    let (pair, _s) = refreshed(&[("/a.xml", doc("A", a, "fa")), ("/b.xml", doc("B", b, "fb"))], "");
    let st = stories_by_title(&pair);
    assert!(
        st[a.1].is_some() && st[a.1] == st[b.1],
        "A~B should group alone: {st:?}"
    );

    let (sb, _server) = refreshed(
        &[
            ("/a.xml", doc("A", a, "fa")),
            ("/b.xml", doc("B", b, "fb")),
            ("/c.xml", doc("C", c, "fc")),
        ],
        "",
    );
    let st = stories_by_title(&sb);
    assert!(
        st[a.1].is_none() || st[a.1] != st[c.1],
        "A and C must not be one story: {st:?}"
    );
}

/// Every story's articles, as sets of titles, whatever the ids.
fn partition(path: &std::path::Path) -> BTreeSet<BTreeSet<String>> {
    let store = open_store(path);
    let filter = khabar::model::Filter::default();
    let mut by_story: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for a in store.list(&filter, 100_000, None).unwrap() {
        if let Some(s) = a.story {
            by_story
                .entry(s)
                .or_default()
                .insert(format!("{} {}", a.feed_url, a.title));
        }
    }
    by_story.into_values().collect()
}

fn state_of(path: &std::path::Path, name: &str) -> Option<i64> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    conn.query_row("SELECT value FROM story_state WHERE name = ?1", [name], |r| r.get(0))
        .ok()
}

#[test]
fn grouping_an_existing_cache_resumes_after_a_kill_with_the_same_stories() {
    // 12 outlets x 40 items; item i of every outlet reports event i in its own words.
    let server = TestServer::start();
    let sb = Sandbox::new();
    let mut config = "[stories]\ngroup = false\n".to_string();
    let places = [
        "Lisbon", "Nairobi", "Osaka", "Quito", "Tromso", "Hanoi", "Dakar", "Perth",
    ];
    let things = [
        "bridge", "festival", "election", "storm", "strike", "museum", "derby", "census",
    ];
    for f in 0..12 {
        let items: Vec<(String, String, String, String, u32)> = (0..40)
            .map(|i| {
                let (p, t) = (places[i % 8], things[(i / 8) % 5 + (i % 3)]);
                (
                    format!("f{f}-{i}"),
                    format!("{p} {t} news {i}: outlet {f} reports the {t} in {p}"),
                    format!("Officials in {p} spoke about the {t} (event {i}) on day {}.", i % 20),
                    format!("https://outlet{f}.example/{i}"),
                    (i % 20) as u32,
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str, &str, u32)> = items
            .iter()
            .map(|(g, t, b, l, h)| (g.as_str(), t.as_str(), b.as_str(), l.as_str(), *h))
            .collect();
        server.route(&format!("/f{f}.xml"), Route::ok(feed(&format!("Outlet {f}"), &refs)));
        config.push_str(&feed_entry(&server.url(&format!("/f{f}.xml")), &["news"]));
    }
    sb.write_config(&config);
    sb.refresh();
    assert_eq!(
        state_of(&sb.cache(), "mark"),
        None,
        "grouping is off: nothing grouped yet"
    );
    sb.write_config(&config.replace("group = false", "group = true"));
    let pristine = sb.path("pristine.db");
    std::fs::copy(sb.cache(), &pristine).unwrap();

    // Uninterrupted, on a copy.
    let whole = Sandbox::new();
    std::fs::copy(&pristine, whole.cache()).unwrap();
    std::fs::copy(sb.config(), whole.config()).unwrap();
    let out = whole.run(&["stories"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = partition(&whole.cache());
    assert!(expected.len() >= 10, "the corpus has stories: {}", expected.len());

    // Killed after some chunks were committed, then run again.
    let mut killed_midway = false;
    for _attempt in 0..5 {
        std::fs::copy(&pristine, sb.cache()).unwrap();
        let _ = std::fs::remove_file(sb.path("cache.db-wal"));
        let mut child = sb.command(&["stories", "--chunk", "3"]).spawn().unwrap();
        let started = std::time::Instant::now();
        while state_of(&sb.cache(), "run_id").is_none() && started.elapsed() < std::time::Duration::from_secs(20) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill();
        child.wait().unwrap();
        if state_of(&sb.cache(), "mark").is_none() && state_of(&sb.cache(), "run_id").is_some() {
            killed_midway = true;
            break;
        }
    }
    assert!(killed_midway, "the pass was never caught midway");
    let out = sb.run(&["stories"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(partition(&sb.cache()), expected);
}

/// Opening a story's lead marks the story read as one step; undo unmarks exactly those.
#[test]
fn reading_a_story_marks_it_read_in_one_undoable_step() {
    let (mut s, _) = crate::common::reader::loaded(3);
    let member = |id: i64, read: bool| StoryMember {
        id: ArticleId(id),
        read,
        feed_title: format!("Feed {id}"),
    };
    let mut lead: ArticleSummary = s.headlines.rows[0].clone();
    lead.story = Some(7);
    lead.also_in = vec![member(40, false), member(41, true), member(42, false)];
    s.headlines.rows[0] = lead.clone();
    let cmds = crate::common::reader::keys(&mut s, "enter");
    let ids = vec![lead.id, ArticleId(40), ArticleId(42)];
    assert!(
        cmds.contains(&Command::SetFlags {
            flag: Flag::Read,
            ids: ids.clone(),
            value: true
        }),
        "{cmds:?}"
    );
    let cmds = crate::common::reader::keys(&mut s, "q U");
    assert!(
        cmds.contains(&Command::SetFlags {
            flag: Flag::Read,
            ids,
            value: false
        }),
        "{cmds:?}"
    );
    // read_together = false: the lead alone.
    s.read_together = false;
    s.headlines.rows[0].read = false;
    let cmds = crate::common::reader::keys(&mut s, "enter");
    assert!(cmds.contains(&Command::SetRead(lead.id, true)), "{cmds:?}");
}

/// A story marked read here sends every one of its articles' read state to the server.
#[test]
fn marking_a_synced_story_read_pushes_every_copy() {
    use crate::common::sync_fakes::{self, Dialect, Feed as RemoteFeed, State};
    let mut state = State::new(Dialect::Miniflux);
    state.feeds = vec![
        RemoteFeed::new("Dainik", "https://dainik.example/feed", Some("news")),
        RemoteFeed::new("Samachar", "https://samachar.example/rss", Some("news")),
    ];
    state.add(
        0,
        "Monsoon floods close Delhi airport runways and metro lines",
        false,
        false,
    );
    state.add(
        1,
        "Delhi airport runways and metro lines closed by monsoon floods",
        false,
        false,
    );
    state.add(1, "Cricket board names new selection committee", false, false);
    let (_server, shared, endpoint) = sync_fakes::fever(state);
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "[[account]]\nname = \"home\"\nkind = \"fever\"\nurl = \"{endpoint}\"\nusername = \"reader\"\npassword_env = \"KHABAR_TEST_SYNC_PASSWORD\"\n"
    ));
    let sync = || {
        let out = sb
            .command(&["sync"])
            .env("KHABAR_TEST_SYNC_PASSWORD", "correct horse")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    sync();
    let stories = stories_by_title(&sb);
    let story = stories["Monsoon floods close Delhi airport runways and metro lines"];
    assert!(story.is_some(), "the sync's articles were grouped: {stories:?}");
    assert_eq!(
        stories["Delhi airport runways and metro lines closed by monsoon floods"],
        story
    );
    assert_eq!(stories["Cricket board names new selection committee"], None);
    let out = sb.run(&["mark", "--story", &story.unwrap().to_string(), "--read"]);
    assert!(out.status.success(), "{}", stderr(&out));
    sync();
    let s = shared.lock().unwrap();
    let read: Vec<(&str, bool)> = s.items.values().map(|i| (i.title.as_str(), i.read)).collect();
    assert_eq!(read.iter().filter(|(_, r)| *r).count(), 2, "{read:?}");
    assert!(read.iter().any(|(t, r)| t.starts_with("Cricket") && !r), "{read:?}");
}
