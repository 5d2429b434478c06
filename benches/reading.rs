//! The reading loop on a big cache (divan): the first page of every order, next unread, and
//! undoing a mark-all of 10,000 articles. `cargo bench --bench reading`; with
//! `KHABAR_BENCH_CACHE=path/cache.db` it runs on a copy of that cache (e.g. the shared corpus'
//! 100,000 articles), else on a synthetic one of 500 feeds × 200 articles.
// A benchmark, like a test, stops at the first thing that is not as set up.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use divan::{black_box, Bencher};
use khabar::config::{Config, ConfigSource};
use khabar::model::{ArticleId, Filter, Flag, NewArticle, SortOrder};
use khabar::store::{FetchRecord, KeptCounts, Store};

fn main() {
    divan::main();
}

/// A copy of the cache the benchmarks read and write, made once.
fn cache() -> &'static std::path::Path {
    static CACHE: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    let (_, path) = CACHE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        match std::env::var_os("KHABAR_BENCH_CACHE") {
            Some(src) => {
                std::fs::copy(src, &path).expect("copy KHABAR_BENCH_CACHE");
            }
            None => synthetic(&path),
        }
        // Migrated once here, not inside a measurement.
        drop(Store::open(&path).unwrap());
        (dir, path)
    });
    path
}

fn synthetic(path: &std::path::Path) {
    let mut config = String::new();
    for f in 0..500 {
        config.push_str(&format!(
            "[[feed]]\nurl = \"http://127.0.0.1/{f}.xml\"\ntags = [\"t{}\"]\n",
            f % 7
        ));
    }
    let config = Config::parse(
        &config,
        "bench.toml",
        std::path::Path::new("/"),
        ConfigSource::User("b".into()),
    )
    .unwrap();
    let mut store = Store::open(path).unwrap();
    let ids = store.sync_feeds(&config.feeds).unwrap();
    store
        .in_one_transaction(|s| {
            for (f, id) in ids.iter().enumerate() {
                let articles = (0..200)
                    .map(|i| NewArticle {
                        key: format!("{f}-{i}"),
                        title: format!("{} story {i} of feed {f}", ["Alpha", "beta", "Gamma", "delta"][i % 4]),
                        link: Some(format!("http://127.0.0.1/{f}/{i}")),
                        author: None,
                        published: Utc
                            .timestamp_opt(1_700_000_000 + (i as i64 * 500 + f as i64) * 60, 0)
                            .single(),
                        content: Some(format!("<p>Body {i}</p>")),
                        enclosures: Vec::new(),
                    })
                    .collect();
                let rec = FetchRecord {
                    status: "200".into(),
                    articles,
                    keep_per_feed: 500,
                    ..Default::default()
                };
                s.apply_fetch(*id, Utc::now(), &rec).unwrap();
            }
        })
        .unwrap();
}

fn open() -> Store {
    Store::open(cache()).unwrap()
}

/// A connection to a copy of the cache of its own, for a benchmark that adds articles.
fn open_scratch() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scratch.db");
    Store::open(cache()).unwrap().checkpoint().unwrap();
    std::fs::copy(cache(), &path).unwrap();
    let store = Store::open(&path).unwrap();
    (dir, store)
}

const ORDERS: [&str; 5] = ["newest", "oldest", "feed", "title", "unread"];

fn order(name: &str) -> SortOrder {
    SortOrder::from_name(name).unwrap()
}

#[divan::bench(args = ORDERS)]
fn first_page_of_200_all(b: Bencher, name: &str) {
    let store = open();
    let filter = Filter {
        sort: order(name),
        ..Default::default()
    };
    b.bench_local(|| store.list(black_box(&filter), 200, None).unwrap());
}

#[divan::bench(args = ORDERS)]
fn first_page_of_200_one_tag(b: Bencher, name: &str) {
    let store = open();
    let tag = store.feeds().unwrap()[3].tags.first().cloned();
    let filter = Filter {
        sort: order(name),
        tag,
        ..Default::default()
    };
    b.bench_local(|| store.list(black_box(&filter), 200, None).unwrap());
}

/// The next unread article when the newest 20,000 of the view are read: the query walks past them.
#[divan::bench(args = ORDERS)]
fn next_unread_past_20k_read(b: Bencher, name: &str) {
    let mut store = open();
    let filter = Filter {
        sort: order(name),
        ..Default::default()
    };
    let newest = store.list(&Filter::default(), 20_000, None).unwrap();
    let ids: Vec<ArticleId> = newest.iter().map(|a| a.id).collect();
    store.set_flag_many(&ids, Flag::Read, true).unwrap();
    let from = store.cursor_of(store.list(&filter, 1, None).unwrap()[0].id).unwrap();
    b.bench_local(|| store.next_unread(black_box(&filter), Some(&from), false).unwrap());
    store.set_flag_many(&ids, Flag::Read, false).unwrap();
}

/// The newest 10,000 articles: what a mark-all of a big view changes.
fn newest_10k(store: &Store) -> Vec<ArticleId> {
    store
        .list(&Filter::default(), 10_000, None)
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect()
}

/// A connection as the reader's cache worker has it (the checkpoint runs after a write, when
/// the worker is idle), and the newest 10,000 articles.
fn worker_store() -> (std::cell::RefCell<Store>, Vec<ArticleId>) {
    let store = open();
    store.defer_checkpoints().unwrap();
    let ids = newest_10k(&store);
    (std::cell::RefCell::new(store), ids)
}

/// Undo of a mark-all that changed 10,000 articles: one statement over exactly those ids.
// One iteration per sample: each needs its own mark-all before it.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn undo_mark_all_of_10k(b: Bencher) {
    let (store, ids) = worker_store();
    bench_undo(b, &store, &ids);
}

/// Times setting `ids` unread again, each time after marking them read (not timed).
fn bench_undo(b: Bencher, store: &std::cell::RefCell<Store>, ids: &[ArticleId]) {
    b.with_inputs(|| {
        store.borrow_mut().set_flag_many(ids, Flag::Read, true).unwrap();
        store.borrow().checkpoint().unwrap();
    })
    .bench_local_values(|()| {
        store
            .borrow_mut()
            .set_flag_many(black_box(ids), Flag::Read, false)
            .unwrap()
    });
    store.borrow().checkpoint().unwrap();
}

/// The idle checkpoint that follows the undo above (off the reader's path: no job waits).
// One iteration per sample: each needs its own mark-all before it.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn checkpoint_after_undo_of_10k(b: Bencher) {
    let (store, ids) = worker_store();
    let store = &store;
    b.with_inputs(|| {
        store.borrow_mut().set_flag_many(&ids, Flag::Read, true).unwrap();
        store.borrow().checkpoint().unwrap();
        store.borrow_mut().set_flag_many(&ids, Flag::Read, false).unwrap();
    })
    .bench_local_values(|()| store.borrow().checkpoint().unwrap());
}

/// Twenty saved queries of the kinds people keep (a tag's unread, recent words, a title
/// pattern, a feed, a regex, negations): what the sidebar counts.
const SAVED: [&str; 20] = [
    "tag:t1 is:unread",
    "tag:t2 -tag:t3",
    "is:unread age:<7d",
    "is:starred",
    "scheduler",
    "kernel OR socket",
    "\"Mars audit\"",
    "Delhi -Tokyo",
    "title:keynote",
    "title:/^Ships/",
    "author:ann",
    "feed:feed-1",
    "tag:t4 scheduler",
    "age:>30d is:unread",
    "after:2026-11-01",
    "before:2026-01-01 tag:t5",
    "(Emacs OR Vim) is:unread",
    "title:\"should not\"",
    "roadmap tag:t6",
    "Nairobi Tokyo Mars",
];

fn saved_filter(q: &str, unread_only: bool) -> Filter {
    Filter {
        unread_only,
        query: Some(khabar::query::parse(q).unwrap()),
        ..Default::default()
    }
}

/// The sidebar's counts: unread articles of all twenty saved queries, one after another.
#[divan::bench(sample_count = 20)]
fn count_20_saved_queries(b: Bencher) {
    let store = open();
    let filters: Vec<Filter> = SAVED.iter().map(|q| saved_filter(q, true)).collect();
    b.bench_local(|| {
        filters
            .iter()
            .map(|f| store.count(black_box(f)).unwrap())
            .sum::<usize>()
    });
}

/// The unread count of each saved query alone: where the sidebar's total goes.
#[divan::bench(args = SAVED, sample_count = 10)]
fn count_of_saved_query(b: Bencher, q: &str) {
    let store = open();
    let filter = saved_filter(q, true);
    b.bench_local(|| store.count(black_box(&filter)).unwrap());
}

/// The first page of 200 of each saved query (the slowest is what a user waits for).
#[divan::bench(args = SAVED, sample_count = 20)]
fn first_page_of_saved_query(b: Bencher, q: &str) {
    let store = open();
    let filter = saved_filter(q, false);
    b.bench_local(|| store.list(black_box(&filter), 200, None).unwrap());
}

/// The saved queries as the reader keeps them: the twenty parsed once.
fn saved_queries() -> Vec<(String, khabar::query::Query)> {
    SAVED
        .iter()
        .map(|q| (q.to_string(), khabar::query::parse(q).unwrap()))
        .collect()
}

/// What a benchmark of kept counts works with: the connection, its kept counts, the twenty
/// queries and the newest 10,000 articles.
struct Keeping {
    store: std::cell::RefCell<Store>,
    kept: std::cell::RefCell<KeptCounts>,
    queries: Vec<(String, khabar::query::Query)>,
    ids: Vec<ArticleId>,
}

/// A worker connection keeping the twenty saved queries' counts (the first count done).
fn keeping_store(mut store: Store) -> Keeping {
    store.defer_checkpoints().unwrap();
    let ids = newest_10k(&store);
    let queries = saved_queries();
    let mut kept = store.keep_counts().unwrap();
    store
        .kept_unread_counts(&mut kept, &queries, Utc::now().timestamp())
        .unwrap();
    Keeping {
        store: std::cell::RefCell::new(store),
        kept: std::cell::RefCell::new(kept),
        queries,
        ids,
    }
}

/// The sidebar's counts, kept: what the reader pays when it asks again after `change` (not
/// measured) touched the cache.
fn bench_kept_counts(b: Bencher, store: Store, change: impl Fn(&mut Store, &[ArticleId], usize)) {
    let Keeping {
        store,
        kept,
        queries,
        ids,
    } = keeping_store(store);
    let (store, kept) = (&store, &kept);
    let round = std::cell::Cell::new(0usize);
    b.with_inputs(|| {
        round.set(round.get() + 1);
        change(&mut store.borrow_mut(), &ids, round.get());
        store.borrow_mut().trim_changes(&mut kept.borrow_mut()).unwrap();
    })
    .bench_local_values(|()| {
        store
            .borrow()
            .kept_unread_counts(&mut kept.borrow_mut(), black_box(&queries), Utc::now().timestamp())
            .unwrap()
    });
    store.borrow_mut().stop_keeping_counts().unwrap();
}

/// Counting all twenty from nothing (the reader's first ask): the kept counts' starting point.
#[divan::bench(sample_count = 10)]
fn kept_counts_first_ask(b: Bencher) {
    let store = open();
    let queries = saved_queries();
    b.bench_local(|| {
        store
            .kept_unread_counts(&mut KeptCounts::default(), black_box(&queries), Utc::now().timestamp())
            .unwrap()
    });
}

/// Asked again with nothing changed.
#[divan::bench(sample_count = 50)]
fn kept_counts_nothing_changed(b: Bencher) {
    bench_kept_counts(b, open(), |_, _, _| {});
}

/// Asked again after one article was marked read (or unread): the common case while reading.
#[divan::bench(sample_count = 50)]
fn kept_counts_after_one_mark(b: Bencher) {
    bench_kept_counts(b, open(), |store, ids, round| {
        store.set_read(ids[round % ids.len()], round % 2 == 0).unwrap();
    });
}

/// Asked again after a mark-all (or its undo) of 10,000 articles.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn kept_counts_after_mark_all_of_10k(b: Bencher) {
    bench_kept_counts(b, open(), |store, ids, round| {
        store.set_flag_many(ids, Flag::Read, round % 2 == 1).unwrap();
    });
}

/// Asked again after a refresh stored 1,000 new articles (50 feeds × 20) with words, titles and
/// authors the queries look for.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn kept_counts_after_1000_new_articles(b: Bencher) {
    let (_dir, scratch) = open_scratch();
    bench_kept_counts(b, scratch, |store, _, round| {
        let feeds: Vec<_> = store.feeds().unwrap().into_iter().take(50).collect();
        store
            .in_one_transaction(|s| {
                for (f, feed) in feeds.iter().enumerate() {
                    let articles = (0..20)
                        .map(|i| NewArticle {
                            key: format!("kept-{round}-{f}-{i}"),
                            title: format!("Ships keynote {round} {i}: should not wait"),
                            link: None,
                            author: Some("ann".into()),
                            published: Some(Utc::now()),
                            content: Some(format!("<p>scheduler kernel Delhi roadmap Emacs {i}</p>")),
                            enclosures: Vec::new(),
                        })
                        .collect();
                    let rec = FetchRecord {
                        status: "200".into(),
                        articles,
                        keep_per_feed: 100_000,
                        ..Default::default()
                    };
                    s.apply_fetch(feed.id, Utc::now(), &rec).unwrap();
                }
            })
            .unwrap();
    });
}

/// Undo of a mark-all of 10,000 while the reader keeps counts: the change log's cost (each
/// changed article is logged).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn undo_mark_all_of_10k_while_counts_are_kept(b: Bencher) {
    let Keeping { store, ids, .. } = keeping_store(open());
    bench_undo(b, &store, &ids);
    store.borrow_mut().stop_keeping_counts().unwrap();
}

/// A reader starting from the counts the last one saved (decoded, then asked with nothing
/// changed meanwhile): what the first count at start costs when the last reader left normally.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn kept_counts_resumed_at_start(b: Bencher) {
    let Keeping {
        store, kept, queries, ..
    } = keeping_store(open());
    let store = &store;
    let saved = kept.into_inner();
    b.with_inputs(|| store.borrow_mut().save_counts(&saved).unwrap())
        .bench_local_values(|()| {
            let mut s = store.borrow_mut();
            let mut resumed = s.resume_counts().unwrap();
            s.kept_unread_counts(&mut resumed, black_box(&queries), Utc::now().timestamp())
                .unwrap()
        });
    store.borrow_mut().stop_keeping_counts().unwrap();
}
