//! Filters on a real cache: judged as articles arrive (before they are written, so nothing
//! unfiltered is ever visible), meaning exactly what the same query means in a search; hidden
//! articles out of views and counts but never lost; dry run and apply over the cache as it is.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use khabar::config::{Config, ConfigSource};
use khabar::model::{ArticleId, FeedId, Filter, Flag, NewArticle};
use khabar::query::{FilterAction, FilterRule};
use khabar::store::{prepare, FetchRecord, Filters, Store};

use crate::common::{feed_entry, rss, stderr, stdout, Route, Sandbox, TestServer};

fn config(text: &str) -> Config {
    Config::parse(text, "t.toml", Path::new("/"), ConfigSource::User("t.toml".into())).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn article(key: &str, title: &str, author: Option<&str>, body: &str, days_ago: i64) -> NewArticle {
    NewArticle {
        key: format!("id:{key}"),
        title: title.into(),
        link: Some(format!("http://e/{key}")),
        author: author.map(str::to_string),
        published: Utc.timestamp_opt(now().timestamp() - days_ago * 86_400, 0).single(),
        content: Some(format!("<p>{body}</p>")),
        enclosures: Vec::new(),
    }
}

fn rule(query: &str, action: FilterAction) -> FilterRule {
    FilterRule {
        query: khabar::query::parse(query).unwrap(),
        action,
        feeds: vec![],
        tags: vec![],
    }
}

/// A cache with feeds "http://a/f" (tagged "t", titled "Alpha") and "http://b/f".
fn cache() -> (tempfile::TempDir, Store, Vec<FeedId>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.db")).unwrap();
    let c =
        config("[[feed]]\nurl = \"http://a/f\"\ntitle = \"Alpha\"\ntags = [\"t\"]\n[[feed]]\nurl = \"http://b/f\"\n");
    let ids = store.sync_feeds(&c.feeds).unwrap();
    (dir, store, ids)
}

/// Writes a fetch the way the poller does: prepared (and judged) first, then applied.
fn arrive(
    store: &mut Store,
    feed: FeedId,
    url: &str,
    articles: Vec<NewArticle>,
    rules: &Arc<[FilterRule]>,
) -> Vec<(usize, usize)> {
    let (title, tags): (Option<&str>, Vec<String>) = if url == "http://a/f" {
        (Some("Alpha"), vec!["t".into()])
    } else {
        (None, vec![])
    };
    let filters = Filters::new(rules.clone()).for_feed(url, title, &tags);
    let stored = store.stored_hashes(feed).unwrap();
    let prepared = prepare(&articles, Some(&stored), Some(&filters), now().timestamp());
    let record = FetchRecord {
        status: "200".into(),
        articles,
        keep_per_feed: 1000,
        prepared: Some(prepared),
        ..Default::default()
    };
    // Feed b's as the poller's group commit writes them (the texts the filters made indexed at
    // its end), feed a's alone (left for the index pass).
    if url == "http://b/f" {
        store
            .in_one_transaction(|s| s.apply_fetch(feed, now(), &record))
            .unwrap()
            .unwrap()
            .filtered
    } else {
        store.apply_fetch(feed, now(), &record).unwrap().filtered
    }
}

fn titles(store: &Store, filter: &Filter) -> Vec<String> {
    let mut t: Vec<String> = store
        .list(filter, 1000, None)
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    t.sort();
    t
}

fn query_filter(q: &str) -> Filter {
    Filter {
        query: Some(khabar::query::parse(q).unwrap()),
        ..Default::default()
    }
}

fn sample_articles() -> (Vec<NewArticle>, Vec<NewArticle>) {
    let a = vec![
        article("a1", "Rust 2.0 released", Some("Ann Lee"), "The kernel news today", 1),
        article("a2", "Show HN: a tool", Some("Bob"), "big news from the kernel", 400),
        article("a3", "भारत समाचार 100%", None, "चंद्रयान सफल हुआ", 30),
        article("a4", "Café culture", None, "東京タワーの夜景 and naïve art", 3),
    ];
    let b = vec![
        article("b1", "Weather", Some("Cara"), "rain and kernel", 10),
        article("b2", "Sponsored: buy now", None, "an ad", 2),
    ];
    (a, b)
}

const QUERIES: &[&str] = &[
    "kernel",
    "\"kernel news\"",
    "kernel -news",
    "rain OR चंद्रयान",
    "समाचार",
    "cafe",
    "CAFÉ",
    "naive",
    "東京",
    "タワー",
    "title:rust",
    "title:\"show hn\"",
    "title:/^Show (HN|Lobsters)/",
    "title:%",
    "author:ann",
    "-author:ann",
    "author:/^B/",
    "feed:alpha",
    "feed:b/f",
    "tag:t",
    "-tag:t",
    "is:unread",
    "is:read",
    "is:starred",
    "age:<7d",
    "age:>1y",
    "(kernel OR rain) -author:cara",
    "-(tag:t OR kernel)",
    "100%",
];

/// The promise filters make: a filter's query at arrival selects exactly what the same query
/// selects in the cache (words through the same tokenizer, fields, tags, flags, ages).
#[test]
fn a_filter_acts_on_exactly_what_its_query_finds() {
    let rules: Arc<[FilterRule]> = QUERIES
        .iter()
        .enumerate()
        .map(|(i, q)| rule(q, FilterAction::Tag(format!("q{i}"))))
        .collect();
    let (_dir, mut store, feeds) = cache();
    let (a, b) = sample_articles();
    let acted_a = arrive(&mut store, feeds[0], "http://a/f", a, &rules);
    let (a_count, b_count) = (store.count(&Filter::default()).unwrap(), b.len());
    let acted_b = arrive(&mut store, feeds[1], "http://b/f", b, &rules);
    assert_eq!(store.count(&Filter::default()).unwrap(), a_count + b_count);
    assert_eq!(store.search_backlog().unwrap(), a_count, "b's texts went in with them");
    let mut checked_nonempty = 0;
    for (i, q) in QUERIES.iter().enumerate() {
        let found = titles(&store, &query_filter(q));
        let tagged = titles(&store, &query_filter(&format!("tag:q{i}")));
        assert_eq!(tagged, found, "filter {q:?} at arrival against the query in the cache");
        let reported: usize = acted_a
            .iter()
            .chain(&acted_b)
            .filter(|(r, _)| *r == i)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(reported, found.len(), "reported count of {q:?}");
        checked_nonempty += usize::from(!found.is_empty());
    }
    assert!(
        checked_nonempty >= 20,
        "most queries match something ({checked_nonempty})"
    );
    // Spot checks that the tokenizer agreement is not vacuous.
    assert_eq!(titles(&store, &query_filter("tag:q5")), ["Café culture"]);
    assert_eq!(titles(&store, &query_filter("tag:q8")), ["Café culture"]);
    assert_eq!(titles(&store, &query_filter("tag:q4")), ["भारत समाचार 100%"]);
}

#[test]
fn hidden_articles_leave_views_and_counts_but_stay_in_the_cache() {
    let rules: Arc<[FilterRule]> = vec![
        rule("title:sponsored", FilterAction::Hide),
        rule("kernel", FilterAction::Read),
        rule("author:ann", FilterAction::Star),
    ]
    .into();
    let (_dir, mut store, feeds) = cache();
    let (a, b) = sample_articles();
    let acted_a = arrive(&mut store, feeds[0], "http://a/f", a, &rules);
    let acted_b = arrive(&mut store, feeds[1], "http://b/f", b, &rules);
    assert_eq!(acted_a, [(1, 2), (2, 1)]);
    assert_eq!(acted_b, [(0, 1), (1, 1)]);

    let all = Filter::default();
    assert!(!titles(&store, &all).contains(&"Sponsored: buy now".to_string()));
    assert_eq!(store.count(&all).unwrap(), 5);
    let unread = Filter {
        unread_only: true,
        ..Default::default()
    };
    assert_eq!(titles(&store, &unread), ["Café culture", "भारत समाचार 100%"]);
    assert_eq!(store.count(&unread).unwrap(), 2);
    let starred = Filter {
        starred_only: true,
        ..Default::default()
    };
    assert_eq!(titles(&store, &starred), ["Rust 2.0 released"]);
    // The sidebar's per-feed counts count visible articles only.
    let counts: Vec<(u64, u64)> = store.feeds().unwrap().iter().map(|f| (f.articles, f.unread)).collect();
    assert_eq!(counts, [(4, 2), (1, 0)]);
    // Search does not find it either, unless asked.
    let q = khabar::query::parse("ad").unwrap();
    assert!(store.search(&q, &Filter::default(), 10).unwrap().is_empty());

    // Never lost: `is:hidden` finds it, the toggle shows it, flagged as hidden.
    assert_eq!(titles(&store, &query_filter("is:hidden")), ["Sponsored: buy now"]);
    let shown = Filter {
        show_hidden: true,
        ..Default::default()
    };
    let rows = store.list(&shown, 100, None).unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(store.count(&shown).unwrap(), 6);
    let hidden = rows.iter().find(|r| r.hidden).unwrap();
    assert_eq!(hidden.title, "Sponsored: buy now");
    let q = khabar::query::parse("ad is:hidden").unwrap();
    assert_eq!(store.search(&q, &Filter::default(), 10).unwrap().len(), 1);

    // Unhiding puts it back in the counts; deleting a hidden article does not miscount.
    store.set_flag_many(&[hidden.id], Flag::Hidden, false).unwrap();
    let counts: Vec<(u64, u64)> = store.feeds().unwrap().iter().map(|f| (f.articles, f.unread)).collect();
    assert_eq!(counts, [(4, 2), (2, 1)]);
    store.set_flag_many(&[hidden.id], Flag::Hidden, true).unwrap();
    store.set_flag_many(&[hidden.id], Flag::Read, true).unwrap();
    let counts: Vec<(u64, u64)> = store.feeds().unwrap().iter().map(|f| (f.articles, f.unread)).collect();
    assert_eq!(counts, [(4, 2), (1, 0)]);
}

#[test]
fn filters_act_in_order_and_only_on_new_articles_of_their_feeds() {
    let mut scoped = rule("kernel", FilterAction::Hide);
    scoped.feeds = vec!["Alpha".into()];
    let rules: Arc<[FilterRule]> = vec![
        scoped,
        // Sees what the first left: a hidden article is not "kernel" to it.
        rule("kernel", FilterAction::Tag("k".into())),
        rule("is:hidden", FilterAction::Tag("was-hidden".into())),
    ]
    .into();
    let (_dir, mut store, feeds) = cache();
    let (a, b) = sample_articles();
    arrive(&mut store, feeds[0], "http://a/f", a.clone(), &rules);
    arrive(&mut store, feeds[1], "http://b/f", b, &rules);
    assert_eq!(titles(&store, &query_filter("tag:k")), ["Weather"]);
    // A tag is a tag: the view of tag k (`list --tag k`) and the article's tags show it too.
    let tag_view = Filter {
        tag: Some("k".into()),
        ..Filter::default()
    };
    let listed = store.list(&tag_view, 10, None).unwrap();
    assert_eq!(listed.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Weather"]);
    assert!(listed[0].tags.contains(&"k".to_string()), "{:?}", listed[0].tags);
    assert_eq!(store.count(&tag_view).unwrap(), 1);
    assert_eq!(
        titles(&store, &query_filter("tag:was-hidden is:hidden")),
        ["Rust 2.0 released", "Show HN: a tool"]
    );
    // An article already in the cache is not judged again when its feed is fetched again.
    let id = store.list(&query_filter("tag:k"), 1, None).unwrap()[0].id;
    store.remove_article_tag(&[id], "k").unwrap();
    let (_, b) = sample_articles();
    assert!(arrive(&mut store, feeds[1], "http://b/f", b, &rules).is_empty());
    assert!(titles(&store, &query_filter("tag:k")).is_empty());
}

#[test]
fn dry_run_and_apply_work_on_the_cache_as_it_is() {
    let (_dir, mut store, feeds) = cache();
    let none: Arc<[FilterRule]> = Vec::new().into();
    let (a, b) = sample_articles();
    arrive(&mut store, feeds[0], "http://a/f", a, &none);
    arrive(&mut store, feeds[1], "http://b/f", b, &none);
    let mut by_tag = rule("kernel", FilterAction::Tag("k".into()));
    by_tag.tags = vec!["t".into()];
    let rules = vec![
        rule("title:sponsored OR title:weather", FilterAction::Hide),
        by_tag,
        rule("is:unread age:>1y", FilterAction::Read),
    ];
    let matches = store.filter_matches(&rules, 1).unwrap();
    let counts: Vec<usize> = matches.iter().map(|m| m.count).collect();
    assert_eq!(counts, [2, 2, 1]);
    assert_eq!(matches[0].sample.len(), 1);
    // A dry run changes nothing.
    assert_eq!(store.count(&Filter::default()).unwrap(), 6);

    let applied = store.apply_filters(&rules).unwrap();
    let changed: Vec<usize> = applied.iter().map(|a| a.ids.len()).collect();
    assert_eq!(changed, [2, 2, 1]);
    assert_eq!(store.count(&Filter::default()).unwrap(), 4);
    assert_eq!(
        titles(&store, &query_filter("tag:k")),
        ["Rust 2.0 released", "Show HN: a tool"]
    );
    // Applying again changes nothing: every match already is what the filter makes it.
    assert!(store.apply_filters(&rules).unwrap().iter().all(|a| a.ids.is_empty()));
    // Undo is exact: the ids returned are the ones to put back.
    store.set_flag_many(&applied[0].ids, Flag::Hidden, false).unwrap();
    store.remove_article_tag(&applied[1].ids, "k").unwrap();
    store.set_flag_many(&applied[2].ids, Flag::Read, false).unwrap();
    assert_eq!(store.count(&Filter::default()).unwrap(), 6);
    assert_eq!(
        store
            .count(&Filter {
                unread_only: true,
                ..Default::default()
            })
            .unwrap(),
        6
    );
    assert!(titles(&store, &query_filter("tag:k")).is_empty());
    let _ = ArticleId(0);
}

/// `khabar refresh` applies the config's filters and says per feed what each did; `khabar
/// filter` lists and applies; `list --hidden` shows hidden articles.
#[test]
fn refresh_reports_filters_and_the_filter_command_dry_runs_and_applies() {
    let server = TestServer::start();
    server.route(
        "/a.xml",
        Route::ok(rss(
            "A",
            &[
                ("1", "Sponsored: deal", "ad"),
                ("2", "Kernel news", "the kernel"),
                ("3", "Other", "x"),
            ],
        )),
    );
    let sb = Sandbox::new();
    let feeds = feed_entry(&server.url("/a.xml"), &["news"]);
    sb.write_config(&format!(
        "{feeds}\n[[filter]]\nquery = \"title:sponsored\"\naction = \"hide\"\n\
         [[filter]]\nquery = \"kernel\"\naction = \"star\"\ntags = [\"news\"]\n"
    ));
    let out = sb.refresh();
    let err = stderr(&out);
    assert!(
        err.contains("3 new; 1 hidden by filter 1 (hide \"title:sponsored\"), 1 starred by filter 2 (star \"kernel\")"),
        "{err}"
    );
    let listed = sb.list_json(&[]);
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|a| a["hidden"] == false));
    let all = sb.list_json(&["--hidden"]);
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().filter(|a| a["hidden"] == true).count(), 1);
    assert_eq!(sb.list_json(&["--starred"]).len(), 1);

    // A new filter, tried on what is there, then applied.
    sb.write_config(&format!(
        "{feeds}\n[[filter]]\nquery = \"title:sponsored\"\naction = \"hide\"\n\
         [[filter]]\nquery = \"title:other\"\naction = \"read\"\n"
    ));
    let dry = sb.run(&["filter", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(
        text.contains("filter 1 (hide \"title:sponsored\"): 0 would be hidden"),
        "{text}"
    );
    assert!(
        text.contains("filter 2 (read \"title:other\"): 1 would be marked read:"),
        "{text}"
    );
    assert!(text.contains("Other"), "{text}");
    assert_eq!(sb.list_json(&["--unread"]).len(), 2);
    let applied = sb.run(&["filter", "--apply", "--json"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let lines = crate::common::json_lines(&applied);
    assert_eq!(lines[1]["changed"], 1);
    assert_eq!(sb.list_json(&["--unread"]).len(), 1);

    // No filters: a clear error, exit 1.
    sb.write_config(&feeds);
    let none = sb.run(&["filter"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("no [[filter]]"), "{}", stderr(&none));
}
