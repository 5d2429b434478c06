//! Saved queries' kept counts on a real cache file: after every kind of change (new, updated and
//! deleted articles, flags from this connection and from another, filters, article tags, feed
//! tags and titles, a feed removed, time passing `age:` edges) they equal counting afresh.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use khabar::config::{Config, ConfigSource};
use khabar::model::{ArticleId, Enclosure, Filter, Flag, NewArticle};
use khabar::query::{FilterAction, FilterRule, Query};
use khabar::store::{KeptCounts, Store};

use crate::common::fetched;

const DAY: i64 = 86_400;

fn config(text: &str) -> Config {
    Config::parse(text, "t.toml", Path::new("/"), ConfigSource::User("t.toml".into())).unwrap()
}

const FEEDS: &str = "[[feed]]\nurl = \"http://a/f\"\ntitle = \"Alpha news\"\ntags = [\"t\"]\n\
                     [[feed]]\nurl = \"http://b/f\"\ntags = [\"u\"]\n[[feed]]\nurl = \"http://c/f\"\n";

/// Every construct of the query language, as saved queries.
const QUERIES: &[&str] = &[
    "kernel",
    "\"kernel news\"",
    "kernel -news",
    "rain OR चंद्रयान",
    "title:rust",
    "title:/^Show (HN|Lobsters)/",
    "author:ann",
    "feed:alpha",
    "feed:/b\\/f$/",
    "tag:t",
    "tag:later",
    "-tag:t",
    "is:unread",
    "is:read",
    "is:starred",
    "is:hidden",
    "has:enclosure",
    "age:<7d",
    "age:>30d is:unread",
    "after:2026-01-01",
    "before:2026-01-01 tag:u",
    "(kernel OR rain) -author:cara",
    "-(tag:t OR is:starred)",
];

fn queries() -> Vec<(String, Query)> {
    QUERIES
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("q{i}"), khabar::query::parse(q).unwrap()))
        .collect()
}

/// A small deterministic generator (no dependency, the same sequence every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const TITLES: &[&str] = &[
    "Rust 2.0 released",
    "Show HN: a tool",
    "Weather",
    "भारत समाचार",
    "Show Lobsters",
];
const BODIES: &[&str] = &[
    "The kernel news today",
    "big news from the kernel",
    "rain and kernel",
    "चंद्रयान सफल",
    "nothing",
];
const AUTHORS: &[Option<&str>] = &[Some("Ann Lee"), Some("Bob"), Some("Cara"), None];

fn article(rng: &mut Lcg, key: u64, real_now: i64) -> NewArticle {
    NewArticle {
        key: format!("id:{key}"),
        title: TITLES[rng.next(TITLES.len() as u64) as usize].to_string(),
        link: Some(format!("http://e/{key}")),
        author: AUTHORS[rng.next(AUTHORS.len() as u64) as usize].map(str::to_string),
        // From a year ago to now, some within a few minutes of the 7-day edge.
        published: Utc
            .timestamp_opt(
                match rng.next(4) {
                    0 => real_now - 7 * DAY + rng.next(600) as i64 - 300,
                    _ => real_now - rng.next(400) as i64 * DAY,
                },
                0,
            )
            .single(),
        content: Some(format!("<p>{}</p>", BODIES[rng.next(BODIES.len() as u64) as usize])),
        enclosures: if rng.next(3) == 0 {
            vec![Enclosure {
                url: format!("http://e/{key}.mp3"),
                mime: Some("audio/mpeg".into()),
                length: None,
                duration: None,
            }]
        } else {
            Vec::new()
        },
    }
}

fn at(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).unwrap()
}

/// Counts afresh, the way the sidebar counted before counts were kept.
fn fresh(store: &Store, queries: &[(String, Query)]) -> Vec<(String, u64)> {
    queries
        .iter()
        .map(|(name, q)| {
            let filter = Filter {
                unread_only: true,
                query: Some(q.clone()),
                ..Filter::default()
            };
            (name.clone(), store.count(&filter).unwrap() as u64)
        })
        .collect()
}

fn all_ids(store: &Store) -> Vec<ArticleId> {
    let filter = Filter {
        show_hidden: true,
        ..Filter::default()
    };
    store
        .list(&filter, 10_000, None)
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect()
}

#[test]
fn kept_counts_equal_counting_afresh_after_every_kind_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let feeds = store.sync_feeds(&config(FEEDS).feeds).unwrap();
    let queries = queries();
    let real_now = Utc::now().timestamp();
    let mut rng = Lcg(7);
    let mut keys = 0u64;
    for f in &feeds {
        let items = batch(&mut rng, &mut keys, 20, real_now);
        store.apply_fetch(*f, at(real_now), &fetched(items, 100)).unwrap();
    }

    let mut kept: KeptCounts = store.keep_counts().unwrap();
    let check = |store: &Store, kept: &mut KeptCounts, step: &str| {
        let counts = store
            .kept_unread_counts(kept, &queries, Utc::now().timestamp())
            .unwrap();
        assert_eq!(counts, fresh(store, &queries), "after {step}");
    };
    check(&store, &mut kept, "the first count");
    let between = fresh(&store, &queries)
        .iter()
        .filter(|(_, n)| (1..60).contains(n))
        .count();
    assert!(
        between >= 15,
        "most queries match some of the 60 articles but not all: {between}"
    );

    let other = Store::open(&path).unwrap();
    let mut other = other;
    for round in 0..12 {
        let ids = all_ids(&store);
        let pick = |rng: &mut Lcg, n: usize| -> Vec<ArticleId> {
            (0..n).map(|_| ids[rng.next(ids.len() as u64) as usize]).collect()
        };
        match round % 6 {
            0 => {
                // This connection marks and stars, one and many.
                let one = pick(&mut rng, 1)[0];
                store.set_read(one, true).unwrap();
                store.set_flag_many(&pick(&mut rng, 8), Flag::Starred, true).unwrap();
                store.set_flag_many(&pick(&mut rng, 5), Flag::Read, false).unwrap();
            }
            1 => {
                // Another connection (a sync, another process) marks many.
                other.set_flag_many(&pick(&mut rng, 15), Flag::Read, true).unwrap();
            }
            2 => {
                // A refresh: new articles, changed ones (same keys, new text), retention.
                let f = feeds[rng.next(3) as usize];
                let mut items = batch(&mut rng, &mut keys, 6, real_now);
                for _ in 0..4 {
                    let key = 1 + rng.next(keys);
                    let mut again = article(&mut rng, key, real_now);
                    again.title = "Rust kernel rewrite".into();
                    items.push(again);
                }
                other.apply_fetch(f, at(real_now), &fetched(items, 18)).unwrap();
            }
            3 => {
                // Filters over what is stored: hide, star, tag.
                let rules = [
                    FilterRule {
                        query: khabar::query::parse("title:weather").unwrap(),
                        action: FilterAction::Hide,
                        feeds: Vec::new(),
                        tags: Vec::new(),
                    },
                    FilterRule {
                        query: khabar::query::parse("author:bob").unwrap(),
                        action: FilterAction::Tag("later".into()),
                        feeds: Vec::new(),
                        tags: Vec::new(),
                    },
                ];
                other.apply_filters(&rules).unwrap();
                store.remove_article_tag(&pick(&mut rng, 3), "later").unwrap();
            }
            4 => {
                // The config changed: tags moved, a title changed, then a feed removed.
                let text = if round < 6 {
                    FEEDS
                        .replace("tags = [\"u\"]", "tags = [\"t\", \"u\"]")
                        .replace("Alpha news", "Beta")
                } else {
                    "[[feed]]\nurl = \"http://a/f\"\ntitle = \"Alpha news\"\ntags = [\"t\"]\n\
                     [[feed]]\nurl = \"http://b/f\"\ntags = [\"u\"]\n"
                        .to_string()
                };
                store.sync_feeds(&config(&text).feeds).unwrap();
            }
            _ => {
                // Nothing changed.
            }
        }
        check(&store, &mut kept, &format!("round {round}"));
        store.trim_changes(&mut kept).unwrap();
    }

    // Time passes: the `age:` edges move over articles nothing else changed.
    let later = Utc::now().timestamp() + 2 * 3600;
    let kept_later = store.kept_unread_counts(&mut kept, &queries, later).unwrap();
    let afresh_later = store
        .kept_unread_counts(&mut KeptCounts::default(), &queries, later)
        .unwrap();
    assert_eq!(kept_later, afresh_later, "two hours on");
    let age = |counts: &[(String, u64)]| counts[QUERIES.iter().position(|q| *q == "age:<7d").unwrap()].1;
    assert_ne!(
        age(&kept_later),
        age(&fresh(&store, &queries)),
        "the edge passed some articles"
    );

    store.stop_keeping_counts().unwrap();
    drop(other);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(rows("SELECT COUNT(*) FROM count_watch"), 0);
    assert_eq!(rows("SELECT COUNT(*) FROM article_changes"), 0);
}

/// `n` new articles, their keys counted on from `keys`.
fn batch(rng: &mut Lcg, keys: &mut u64, n: usize, real_now: i64) -> Vec<NewArticle> {
    (0..n)
        .map(|_| {
            *keys += 1;
            article(rng, *keys, real_now)
        })
        .collect()
}

#[test]
fn nothing_is_logged_without_a_keeper_and_the_log_is_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let feeds = store.sync_feeds(&config(FEEDS).feeds).unwrap();
    let mut rng = Lcg(3);
    let now = Utc::now().timestamp();
    let items = (0..30).map(|k| article(&mut rng, k, now)).collect();
    store.apply_fetch(feeds[0], at(now), &fetched(items, 100)).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let logged = || {
        conn.query_row("SELECT COUNT(*) FROM article_changes", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let ids = all_ids(&store);
    store.set_flag_many(&ids, Flag::Read, true).unwrap();
    assert_eq!(logged(), 0, "no reader keeps counts: nothing logged");

    let mut kept = store.keep_counts().unwrap();
    let queries = queries();
    store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    store.set_flag_many(&ids, Flag::Read, false).unwrap();
    assert_eq!(logged(), 30, "each changed article logged");
    store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    store.trim_changes(&mut kept).unwrap();
    assert_eq!(logged(), 1, "read rows deleted but the last");
    store.set_read(ids[0], true).unwrap();
    let counts = store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    assert_eq!(counts, fresh(&store, &queries), "a change after the trim is read");
}

#[test]
fn a_log_left_on_by_a_reader_that_died_is_turned_off_by_the_next_command_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    store.sync_feeds(&config(FEEDS).feeds).unwrap();
    let watching = || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("SELECT COUNT(*) FROM count_watch", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 1
    };
    // A reader: it holds the lock and keeps counts.
    let lock = khabar::store::lock_reader(&path).unwrap().expect("no other reader");
    let _kept = store.keep_counts().unwrap();
    let mut command = Store::open(&path).unwrap();
    command.tend_count_log(&path).unwrap();
    assert!(watching(), "a living reader's log stays on");
    // The reader dies without stopping its log: its lock goes with it.
    drop(lock);
    command.tend_count_log(&path).unwrap();
    assert!(!watching(), "turned off once no reader holds the lock");
}

#[test]
fn counts_left_by_one_reader_are_where_the_next_starts_after_headless_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let feeds = store.sync_feeds(&config(FEEDS).feeds).unwrap();
    let queries = queries();
    let now = Utc::now().timestamp();
    let mut rng = Lcg(11);
    let mut keys = 0;
    for f in &feeds {
        let items = batch(&mut rng, &mut keys, 20, now);
        store.apply_fetch(*f, at(now), &fetched(items, 100)).unwrap();
    }
    // A reader counts, then leaves normally: its counts are saved, the log stays on.
    let lock = khabar::store::lock_reader(&path).unwrap().unwrap();
    let mut kept = store.resume_counts().unwrap();
    store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    store.save_counts(&kept).unwrap();
    drop((kept, lock));

    // Headless commands meanwhile: a refresh, marks, a filter; none turns the log off.
    let mut headless = Store::open(&path).unwrap();
    headless.tend_count_log(&path).unwrap();
    let items = batch(&mut rng, &mut keys, 8, now);
    headless.apply_fetch(feeds[1], at(now), &fetched(items, 25)).unwrap();
    let ids = all_ids(&headless);
    headless.set_flag_many(&ids[..10], Flag::Read, true).unwrap();
    headless.set_flag_many(&ids[20..25], Flag::Starred, true).unwrap();
    let rule = FilterRule {
        query: khabar::query::parse("author:cara").unwrap(),
        action: FilterAction::Hide,
        feeds: Vec::new(),
        tags: Vec::new(),
    };
    headless.apply_filters(&[rule]).unwrap();
    headless.tend_count_log(&path).unwrap();

    // The next reader starts from the saved counts, and they are right.
    let mut store = Store::open(&path).unwrap();
    let mut kept = store.resume_counts().unwrap();
    assert_eq!(kept.queries_held(), QUERIES.len(), "started from the saved counts");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        rows("SELECT COUNT(*) FROM kept_state"),
        0,
        "taken, not left for a crash to trust"
    );
    assert!(
        rows("SELECT COUNT(*) FROM article_changes") > 10,
        "the headless changes were logged"
    );
    let counts = store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    assert_eq!(counts, fresh(&store, &queries));

    // This one dies without saving: the next command turns the log off.
    drop(kept);
    headless.tend_count_log(&path).unwrap();
    assert_eq!(rows("SELECT COUNT(*) FROM count_watch"), 0);
    assert_eq!(rows("SELECT COUNT(*) FROM article_changes"), 0);
}

#[test]
fn saved_counts_that_cannot_be_read_are_counted_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let feeds = store.sync_feeds(&config(FEEDS).feeds).unwrap();
    let now = Utc::now().timestamp();
    let mut rng = Lcg(5);
    let items = (0..12).map(|k| article(&mut rng, k, now)).collect();
    store.apply_fetch(feeds[0], at(now), &fetched(items, 100)).unwrap();
    let queries = queries();
    let mut kept = store.resume_counts().unwrap();
    store.kept_unread_counts(&mut kept, &queries, now).unwrap();
    store.save_counts(&kept).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    for damage in [
        "UPDATE kept_state SET state = x'02'",
        "UPDATE kept_state SET state = substr(state, 1, 9)",
    ] {
        store.save_counts(&kept).unwrap();
        conn.execute(damage, []).unwrap();
        let mut resumed = store.resume_counts().unwrap();
        assert_eq!(resumed.queries_held(), 0, "{damage}: not trusted");
        let counts = store.kept_unread_counts(&mut resumed, &queries, now).unwrap();
        assert_eq!(counts, fresh(&store, &queries), "{damage}");
    }
}
