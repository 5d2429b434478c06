//! The cache on a real SQLite file: config sync without needless writes, keyset paging in both
//! directions, positions and counts for the scrollbar, marking a view read, and migrations.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use khabar::config::{Config, ConfigSource};
use khabar::model::{ArticleId, FeedId, Filter, Flag, NewArticle, SortOrder};
use khabar::store::Store;

use crate::common::fetched;

fn config(text: &str) -> Config {
    Config::parse(text, "t.toml", Path::new("/"), ConfigSource::User("t.toml".into())).unwrap()
}

fn articles(n: i64) -> Vec<NewArticle> {
    (0..n)
        .map(|i| NewArticle {
            key: format!("id:{i}"),
            title: format!("Article {i}"),
            link: Some(format!("http://e/{i}")),
            author: None,
            published: Utc.timestamp_opt(1_700_000_000 + i * 60, 0).single(),
            content: Some(format!("<p>body {i}</p>")),
            enclosures: Vec::new(),
        })
        .collect()
}

/// A cache on a real file (`c.db` in the returned folder) with two feeds: "http://a/f" tagged
/// "t", and "http://b/f".
fn two_feed_cache() -> (tempfile::TempDir, Store, Vec<FeedId>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.db")).unwrap();
    let c = config("[[feed]]\nurl = \"http://a/f\"\ntags = [\"t\"]\n[[feed]]\nurl = \"http://b/f\"\n");
    let ids = store.sync_feeds(&c.feeds).unwrap();
    (dir, store, ids)
}

fn q(text: &str) -> khabar::query::Query {
    khabar::query::parse(text).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).unwrap()
}

#[test]
fn sync_writes_only_what_changed_and_hides_removed_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.db")).unwrap();
    let two = config("[[feed]]\nurl = \"http://a/f\"\ntags = [\"x\", \"y\"]\n[[feed]]\nurl = \"http://b/f\"\n");
    let ids = store.sync_feeds(&two.feeds).unwrap();
    let mtime = |p: &Path| {
        std::fs::metadata(p.with_extension("db-wal"))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let wal_before = mtime(&dir.path().join("c.db"));
    assert_eq!(store.sync_feeds(&two.feeds).unwrap(), ids, "same ids");
    assert_eq!(
        mtime(&dir.path().join("c.db")),
        wal_before,
        "an unchanged config writes nothing"
    );

    let one = config("[[feed]]\nurl = \"http://a/f\"\ntags = [\"y\"]\ntitle = \"A\"\n");
    store.sync_feeds(&one.feeds).unwrap();
    let feeds = store.feeds().unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(feeds[0].tags, ["y"]);
    assert_eq!(feeds[0].title.as_deref(), Some("A"));
    // Back in the config: the same feed (same id) returns.
    assert_eq!(store.sync_feeds(&two.feeds).unwrap(), ids);
    assert_eq!(store.feeds().unwrap().len(), 2);
}

#[test]
fn keyset_pages_positions_and_marking_a_view_read() {
    let (_dir, mut store, ids) = two_feed_cache();
    let (now, rec) = (now(), |a| fetched(a, 10_000));
    store.apply_fetch(ids[0], now, &rec(articles(250))).unwrap();
    store.apply_fetch(ids[1], now, &rec(articles(10))).unwrap();

    let all = Filter::default();
    assert_eq!(store.count(&all).unwrap(), 260);
    let first = store.list(&all, 100, None).unwrap();
    let next = store
        .list(&all, 100, Some(&store.cursor_of(first[99].id).unwrap()))
        .unwrap();
    assert_eq!(next.len(), 100);
    assert!(first.iter().all(|a| !next.contains(a)), "pages do not overlap");
    let back = store
        .list_before(&all, 100, &store.cursor_of(next[0].id).unwrap())
        .unwrap();
    assert_eq!(back, first, "paging back returns the same rows in the same order");
    let last = store.list_last(&all, 30).unwrap();
    assert_eq!(last.len(), 30);
    assert_eq!(
        store.position(&all, &store.cursor_of(last[0].id).unwrap()).unwrap(),
        230
    );
    assert_eq!(store.position(&all, &store.cursor_of(first[0].id).unwrap()).unwrap(), 0);

    let tagged = Filter {
        tag: Some("t".into()),
        ..Default::default()
    };
    assert_eq!(store.count(&tagged).unwrap(), 250);
    assert_eq!(store.mark_view_read(&tagged).unwrap(), 250);
    let unread = Filter {
        unread_only: true,
        ..Default::default()
    };
    assert_eq!(store.count(&unread).unwrap(), 10);
    assert!(store.set_read(ArticleId(first[0].id.0), false).unwrap());
    assert_eq!(store.count(&unread).unwrap(), 11);
}

#[test]
fn a_cache_from_a_newer_khabar_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).err().expect("refused").to_string();
    assert!(err.contains("newer khabar") && err.contains("99"), "{err}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, 99);
}

#[test]
fn writes_grouped_in_one_transaction_commit_together_and_fail_alone() {
    let (_dir, mut store, ids) = two_feed_cache();
    let (now, rec) = (now(), |a| fetched(a, 10_000));
    let mut renamed = articles(3);
    for a in &mut renamed {
        a.title = format!("{} zebra", a.title);
    }
    let results = store
        .in_one_transaction(|s| {
            let first = s.apply_fetch(ids[0], now, &rec(articles(5)));
            // No such feed: the foreign key fails this write, and only this one.
            let broken = s.apply_fetch(FeedId(999), now, &rec(articles(2)));
            let second = s.apply_fetch(ids[1], now, &rec(renamed));
            (first, broken, second)
        })
        .unwrap();
    assert_eq!(results.0.unwrap().new, 5);
    assert!(results.1.is_err());
    assert_eq!(results.2.unwrap().new, 3);
    assert_eq!(
        store.count(&Filter::default()).unwrap(),
        8,
        "the failed write left nothing"
    );
    // Every committed write left its articles for the index; a search indexes them first.
    assert_eq!(store.search(&q("zebra"), &Filter::default(), 10).unwrap().len(), 3);
    assert_eq!(store.search(&q("body"), &Filter::default(), 10).unwrap().len(), 8);

    // A changed article in a later group replaces its search entry.
    let mut changed = articles(1);
    changed[0].content = Some("<p>giraffe</p>".into());
    store
        .in_one_transaction(|s| s.apply_fetch(ids[0], now, &rec(changed)).unwrap())
        .unwrap();
    assert_eq!(store.search(&q("giraffe"), &Filter::default(), 10).unwrap().len(), 1);
    assert_eq!(store.search(&q("body"), &Filter::default(), 10).unwrap().len(), 7);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn stored_articles_wait_for_the_index_and_every_read_of_it_completes_it_first() {
    let (_dir, mut store, ids) = two_feed_cache();
    let now = now();
    store.apply_fetch(ids[0], now, &fetched(articles(6), 100)).unwrap();
    assert_eq!(store.search_backlog().unwrap(), 6, "stored, not yet indexed");
    // A pass cut short (a kill mid-pass leaves this): the search indexes the rest first.
    assert_eq!(store.index_pending(4).unwrap(), 4);
    assert_eq!(store.search_backlog().unwrap(), 2);
    assert_eq!(store.search(&q("body"), &Filter::default(), 10).unwrap().len(), 6);
    assert_eq!(store.search_backlog().unwrap(), 0);

    // A changed article waits again; a view narrowed by words completes the index too, and the
    // old text is gone from it.
    let mut changed = articles(1);
    changed[0].content = Some("<p>giraffe</p>".into());
    store.apply_fetch(ids[0], now, &fetched(changed, 100)).unwrap();
    assert_eq!(store.search_backlog().unwrap(), 1);
    let words = |text: &str| Filter {
        query: Some(q(text)),
        ..Filter::default()
    };
    assert_eq!(store.list(&words("giraffe"), 10, None).unwrap().len(), 1);
    assert_eq!(store.count(&words("body")).unwrap(), 5);

    // Articles deleted before they were indexed again leave the backlog and the index with them.
    let all = store.list(&Filter::default(), 10, None).unwrap();
    for a in &all {
        store.set_read(a.id, true).unwrap();
    }
    let mut zebras = articles(6);
    for a in &mut zebras {
        a.content = Some("<p>zebra</p>".into());
    }
    store.apply_fetch(ids[0], now, &fetched(zebras, 100)).unwrap();
    assert_eq!(store.search_backlog().unwrap(), 6);
    let mut other = articles(9);
    other.drain(..6);
    store.apply_fetch(ids[1], now, &fetched(articles(2), 100)).unwrap();
    store.apply_fetch(ids[0], now, &fetched(other, 3)).unwrap();
    assert_eq!(
        store.search_backlog().unwrap(),
        5,
        "the 2 new of b/f and the 3 new of a/f"
    );
    assert_eq!(store.complete_search_index().unwrap(), 5);
    assert_eq!(store.search(&q("body"), &Filter::default(), 20).unwrap().len(), 5);
    assert!(store.search(&q("zebra"), &Filter::default(), 20).unwrap().is_empty());
    assert_eq!(
        store.count(&Filter::default()).unwrap(),
        5,
        "a/f kept only its 3 current"
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn searches_with_many_hits_return_the_newest_in_view_order() {
    let (_dir, mut store, ids) = two_feed_cache();
    let (now, rec) = (now(), |a| fetched(a, 10_000));
    // 3,000 hits for "body" (more than are sorted by SQLite), 20 for "rare".
    let mut many = articles(3_000);
    for a in many.iter_mut().step_by(150) {
        a.title.push_str(" rare");
    }
    store.apply_fetch(ids[0], now, &rec(many)).unwrap();
    store.apply_fetch(ids[1], now, &rec(articles(1_500))).unwrap();

    let all = Filter::default();
    for limit in [1, 200, 1_200, 10_000] {
        let hits = store.search(&q("body"), &all, limit).unwrap();
        assert_eq!(hits, store.list(&all, limit, None).unwrap(), "limit {limit}");
    }
    let rare = store.search(&q("rare"), &all, 200).unwrap();
    assert_eq!(rare.len(), 20);
    assert!(rare.windows(2).all(|w| w[0].published >= w[1].published));

    // The walk honours the view's filter.
    let tagged = Filter {
        tag: Some("t".into()),
        ..Default::default()
    };
    store.mark_view_read(&tagged).unwrap();
    let unread = Filter {
        unread_only: true,
        ..Default::default()
    };
    let hits = store.search(&q("body"), &unread, 300).unwrap();
    assert_eq!(hits.len(), 300);
    assert!(hits.iter().all(|a| a.feed_id == ids[1] && !a.read));
    assert_eq!(hits, store.list(&unread, 300, None).unwrap());
}

#[test]
fn per_feed_counts_follow_inserts_reads_and_deletions() {
    let (dir, mut store, ids) = two_feed_cache();
    let (path, now, rec) = (dir.path().join("c.db"), now(), fetched);
    let check = |store: &Store| {
        let db = rusqlite::Connection::open(&path).unwrap();
        for feed in store.feeds().unwrap() {
            let (total, unread): (i64, i64) = db
                .query_row(
                    "SELECT COUNT(*), COALESCE(SUM(read = 0), 0) FROM articles WHERE feed_id = ?1",
                    [feed.id.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(
                (feed.articles, feed.unread),
                (total as u64, unread as u64),
                "{}",
                feed.url
            );
        }
        let all = Filter::default();
        let counted = store.list(&all, 100_000, None).unwrap().len();
        assert_eq!(store.count(&all).unwrap(), counted);
        let unread = Filter {
            unread_only: true,
            ..Default::default()
        };
        assert_eq!(
            store.count(&unread).unwrap(),
            store.list(&unread, 100_000, None).unwrap().len()
        );
    };

    store.apply_fetch(ids[0], now, &rec(articles(30), 1_000)).unwrap();
    store.apply_fetch(ids[1], now, &rec(articles(5), 1_000)).unwrap();
    check(&store);
    let first = store.list(&Filter::default(), 3, None).unwrap();
    assert!(store.set_read(first[0].id, true).unwrap());
    assert!(store.set_read(first[0].id, true).unwrap(), "marking twice counts once");
    assert!(store.set_starred(first[1].id, true).unwrap());
    check(&store);
    let tagged = Filter {
        tag: Some("t".into()),
        ..Default::default()
    };
    store.mark_view_read(&tagged).unwrap();
    assert_eq!(store.count(&tagged).unwrap(), 30);
    check(&store);
    // Retention drops read articles no longer served: only 10 newest are in the document now.
    let served: Vec<NewArticle> = articles(30).into_iter().skip(20).collect();
    let removed = store.apply_fetch(ids[0], now, &rec(served, 12)).unwrap().removed;
    assert!(removed > 0);
    check(&store);
    let kept = store.list(&tagged, 1, None).unwrap();
    assert!(store.set_read(kept[0].id, false).unwrap());
    check(&store);
}

#[test]
fn a_mark_all_is_undone_exactly_even_after_a_refresh() {
    let (_dir, mut store, ids) = two_feed_cache();
    store.apply_fetch(ids[0], now(), &fetched(articles(30), 500)).unwrap();
    let all = Filter::default();
    let unread = Filter {
        unread_only: true,
        ..Default::default()
    };
    let before = store.list(&all, 100, None).unwrap();
    // Two were read already: the mark-all changes the other 28, and says which.
    store.set_read(before[0].id, true).unwrap();
    store.set_read(before[5].id, true).unwrap();
    let changed = store.mark_view_read_ids(&all).unwrap();
    assert_eq!(changed.len(), 28);
    assert!(!changed.contains(&before[0].id) && !changed.contains(&before[5].id));
    assert_eq!(store.count(&unread).unwrap(), 0);

    // A refresh brings 10 new unread articles; undo touches only the 28.
    store.apply_fetch(ids[0], now(), &fetched(articles(40), 500)).unwrap();
    assert_eq!(store.count(&unread).unwrap(), 10);
    let restored = store.set_flag_many(&changed, Flag::Read, false).unwrap();
    assert_eq!(restored.len(), 28);
    assert_eq!(store.count(&unread).unwrap(), 38, "per-feed counts follow");
    let now_read: Vec<ArticleId> = store
        .list(&all, 100, None)
        .unwrap()
        .iter()
        .filter(|a| a.read)
        .map(|a| a.id)
        .collect();
    assert_eq!(now_read.len(), 2);
    assert!(now_read.contains(&before[0].id) && now_read.contains(&before[5].id));

    // Setting what is already set changes nothing; unknown ids are skipped.
    assert!(store.set_flag_many(&changed, Flag::Read, false).unwrap().is_empty());
    let starred = store
        .set_flag_many(&[before[1].id, ArticleId(999_999)], Flag::Starred, true)
        .unwrap();
    assert_eq!(starred, [before[1].id]);
    assert_eq!(
        store.existing(&[ArticleId(999_999), before[2].id]).unwrap(),
        [before[2].id]
    );
}

/// The view's rows in `order`, computed in Rust from the rows themselves: the oracle for paging.
fn sorted_in_rust(mut rows: Vec<khabar::model::ArticleSummary>, order: SortOrder, feeds: &[FeedId]) -> Vec<ArticleId> {
    let date = |a: &khabar::model::ArticleSummary| a.published.map_or(0, |p| p.timestamp());
    rows.sort_by(|a, b| match order {
        SortOrder::Newest => (date(b), b.id).cmp(&(date(a), a.id)),
        SortOrder::Oldest => (date(a), a.id).cmp(&(date(b), b.id)),
        SortOrder::Feed => {
            let pos = |x: &khabar::model::ArticleSummary| feeds.iter().position(|f| *f == x.feed_id);
            (pos(a), date(b), b.id).cmp(&(pos(b), date(a), a.id))
        }
        SortOrder::Title => (a.title.to_ascii_lowercase(), a.id).cmp(&(b.title.to_ascii_lowercase(), b.id)),
        SortOrder::UnreadFirst => (a.read, date(b), b.id).cmp(&(b.read, date(a), a.id)),
    });
    rows.into_iter().map(|a| a.id).collect()
}

#[test]
fn every_order_pages_both_ways_positions_and_finds_unread() {
    let (_dir, mut store, ids) = two_feed_cache();
    // Titles with repeats and mixed case; dates with ties across feeds.
    let make = |feed: i64, n: i64| -> Vec<NewArticle> {
        (0..n)
            .map(|i| NewArticle {
                key: format!("{feed}:{i}"),
                title: ["apple", "Banana", "cherry", "apple", "Date"][(i % 5) as usize].to_string(),
                link: None,
                author: None,
                published: Utc.timestamp_opt(1_700_000_000 + (i / 3) * 60, 0).single(),
                content: None,
                enclosures: Vec::new(),
            })
            .collect()
    };
    store.apply_fetch(ids[1], now(), &fetched(make(2, 37), 500)).unwrap();
    store.apply_fetch(ids[0], now(), &fetched(make(1, 41), 500)).unwrap();
    let everything = store.list(&Filter::default(), 1000, None).unwrap();
    for (i, a) in everything.iter().enumerate() {
        if i % 3 == 0 {
            store.set_read(a.id, true).unwrap();
        }
    }
    for order in SortOrder::ALL {
        let filter = Filter {
            sort: order,
            ..Default::default()
        };
        let all = store.list(&filter, 1000, None).unwrap();
        let expected = sorted_in_rust(all.clone(), order, &ids);
        let got: Vec<ArticleId> = all.iter().map(|a| a.id).collect();
        assert_eq!(got, expected, "{order:?}: one page");

        // Forward in pages of 7, backward from the end in pages of 7: the same sequence.
        let mut forward = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list(&filter, 7, cursor.as_ref()).unwrap();
            forward.extend(page.iter().map(|a| a.id));
            match page.last() {
                Some(last) if page.len() == 7 => cursor = Some(store.cursor_of(last.id).unwrap()),
                _ => break,
            }
        }
        assert_eq!(forward, expected, "{order:?}: forward pages");
        let mut backward = store.list_last(&filter, 7).unwrap();
        while backward.len() < expected.len() {
            let before = store
                .list_before(&filter, 7, &store.cursor_of(backward[0].id).unwrap())
                .unwrap();
            assert!(!before.is_empty(), "{order:?}: stuck going back");
            backward.splice(0..0, before);
        }
        assert_eq!(
            backward.iter().map(|a| a.id).collect::<Vec<_>>(),
            expected,
            "{order:?}: backward pages"
        );

        // Positions, a page from an article, and the next unread either way.
        for (i, id) in expected.iter().enumerate().step_by(11) {
            let c = store.cursor_of(*id).unwrap();
            assert_eq!(store.position(&filter, &c).unwrap(), i, "{order:?}: position");
            let from = store.list_from(&filter, 3, &c).unwrap();
            assert_eq!(
                from.iter().map(|a| a.id).collect::<Vec<_>>(),
                expected[i..(i + 3).min(expected.len())]
            );
            let read_of = |id: &ArticleId| all.iter().find(|a| a.id == *id).unwrap().read;
            let next = expected[i + 1..].iter().find(|id| !read_of(id)).copied();
            assert_eq!(
                store.next_unread(&filter, Some(&c), false).unwrap(),
                next,
                "{order:?}: next unread"
            );
            let prev = expected[..i].iter().rev().find(|id| !read_of(id)).copied();
            assert_eq!(
                store.next_unread(&filter, Some(&c), true).unwrap(),
                prev,
                "{order:?}: previous unread"
            );
        }
    }
    // Each view's order is remembered; the default is no row.
    store.set_view_sort("tag:t", SortOrder::Title).unwrap();
    store.set_view_sort("all", SortOrder::Oldest).unwrap();
    store.set_view_sort("all", SortOrder::Newest).unwrap();
    assert_eq!(store.view_sorts().unwrap(), [("tag:t".to_string(), SortOrder::Title)]);
}

#[test]
fn a_feed_is_its_url_history_moves_only_by_redirect_or_move_feed() {
    let (_dir, mut store, ids) = two_feed_cache();
    store.apply_fetch(ids[0], now(), &fetched(articles(5), 500)).unwrap();
    store.apply_fetch(ids[1], now(), &fetched(articles(3), 500)).unwrap();
    let first = store.list(&Filter::default(), 100, None).unwrap();
    let a_article = first.iter().find(|a| a.feed_id == ids[0]).unwrap().id;
    store.set_read(a_article, true).unwrap();
    store.set_starred(a_article, true).unwrap();

    // The URL replaced in place (untitled, first in the config): a new feed, by position never.
    let replaced = store
        .sync_feeds(&config("[[feed]]\nurl = \"http://a2/f\"\ntags = [\"t\"]\n[[feed]]\nurl = \"http://b/f\"\n").feeds)
        .unwrap();
    assert_ne!(replaced[0], ids[0]);
    assert_eq!(store.feeds().unwrap()[0].articles, 0);
    // Nor by title: a new URL under an old title is still a new feed.
    let titled = store
        .sync_feeds(
            &config("[[feed]]\nurl = \"http://a2/f\"\n[[feed]]\nurl = \"http://b2/f\"\ntitle = \"Bee\"\n").feeds,
        )
        .unwrap();
    assert_ne!(titled[1], ids[1]);

    // The user's explicit move carries everything, into the address's own (hidden) history.
    assert_eq!(
        store.move_feed("http://nowhere/f", "http://a2/f").unwrap(),
        None,
        "no row: nothing moves"
    );
    store
        .sync_feeds(&config("[[feed]]\nurl = \"http://a/f\"\n[[feed]]\nurl = \"http://b/f\"\n").feeds)
        .unwrap();
    assert_eq!(store.move_feed("http://a/f", "http://a2/f").unwrap(), Some(ids[0]));
    let after = store
        .sync_feeds(&config("[[feed]]\nurl = \"http://a2/f\"\n[[feed]]\nurl = \"http://b/f\"\n").feeds)
        .unwrap();
    assert_eq!(after, ids);
    let feeds = store.feeds().unwrap();
    assert_eq!((feeds[0].url.as_str(), feeds[0].articles), ("http://a2/f", 5));
    let kept = store.article(a_article).unwrap().unwrap().summary;
    assert!(kept.read && kept.starred && kept.feed_url == "http://a2/f");

    // A feed that moved for good (a permanent redirect was recorded) is followed there.
    let mut rec = fetched(articles(2), 500);
    rec.fetch_url = Some("http://c-new/f".into());
    store.apply_fetch(ids[1], now(), &rec).unwrap();
    let followed = store
        .sync_feeds(&config("[[feed]]\nurl = \"http://c-new/f\"\n[[feed]]\nurl = \"http://a2/f\"\n").feeds)
        .unwrap();
    assert_eq!(followed[0], ids[1]);
    assert_eq!(store.feeds().unwrap()[0].articles, 3);
}

#[test]
fn deferred_checkpoints_reach_the_file_when_asked() {
    let (dir, mut store, feeds) = two_feed_cache();
    store.apply_fetch(feeds[0], now(), &fetched(articles(20), 100)).unwrap();
    store.checkpoint().unwrap();
    store.defer_checkpoints().unwrap();
    let all = store.list(&Filter::default(), 100, None).unwrap();
    let ids: Vec<ArticleId> = all.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 20);
    assert_eq!(store.set_flag_many(&ids, Flag::Read, true).unwrap().len(), 20);
    // The file alone (WAL ignored) still has them unread until the checkpoint copies the WAL in.
    let file_only = |dir: &Path| {
        let uri = format!("file:{}?immutable=1", dir.join("c.db").display());
        let conn = rusqlite::Connection::open_with_flags(
            uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        conn.query_row("SELECT COUNT(*) FROM articles WHERE read = 1", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(file_only(dir.path()), 0);
    store.checkpoint().unwrap();
    assert_eq!(file_only(dir.path()), ids.len() as i64);
}

/// Every construct of the query language against a real cache: words and phrases through the
/// search index, fields, tags, flags, ages and dates, negation, OR and parentheses; and the same
/// query through list, count, search and marking a view read.
#[test]
fn queries_select_by_every_field() {
    let (dir, mut store, feeds) = two_feed_cache();
    let has_text_index = || {
        let conn = rusqlite::Connection::open(dir.path().join("c.db")).unwrap();
        conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'articles_time_text'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 1
    };
    let day = 86_400;
    let real_now = Utc::now().timestamp();
    let at = |t: i64| Utc.timestamp_opt(t, 0).single();
    let article = |key: &str, title: &str, author: Option<&str>, body: &str, published: i64| NewArticle {
        key: format!("id:{key}"),
        title: title.into(),
        link: Some(format!("http://e/{key}")),
        author: author.map(str::to_string),
        published: at(published),
        content: Some(format!("<p>{body}</p>")),
        enclosures: Vec::new(),
    };
    let jan_15 = 1_768_435_200; // 2026-01-15
    let dec_31 = 1_767_139_200; // 2025-12-31
    let a = vec![
        article(
            "a1",
            "Rust 2.0 released",
            Some("Ann Lee"),
            "The kernel news today",
            real_now - day,
        ),
        article(
            "a2",
            "Show HN: a tool",
            Some("Bob"),
            "big news from the kernel",
            real_now - 400 * day,
        ),
        article("a3", "भारत समाचार 100%", None, "चंद्रयान सफल", jan_15),
    ];
    let b = vec![article("b1", "Weather", Some("Cara"), "rain and kernel", dec_31)];
    store.apply_fetch(feeds[0], now(), &fetched(a, 100)).unwrap();
    store.apply_fetch(feeds[1], now(), &fetched(b, 100)).unwrap();
    let all = store.list(&Filter::default(), 100, None).unwrap();
    let id = |title: &str| all.iter().find(|x| x.title.starts_with(title)).unwrap().id;
    store.set_read(id("Show HN"), true).unwrap();
    store.set_starred(id("Weather"), true).unwrap();

    let matching = |store: &Store, q: &str| -> Vec<String> {
        let filter = Filter {
            query: Some(khabar::query::parse(q).unwrap()),
            ..Default::default()
        };
        let mut titles: Vec<String> = store
            .list(&filter, 100, None)
            .unwrap()
            .into_iter()
            .map(|x| x.title.split(' ').next().unwrap().to_string())
            .collect();
        titles.sort();
        assert_eq!(store.count(&filter).unwrap(), titles.len(), "count of {q}");
        // Unread only: counted the way the sidebar counts (its own plan), listed the same.
        let unread = Filter {
            unread_only: true,
            ..filter
        };
        let listed = store.list(&unread, 100, None).unwrap();
        assert!(listed.iter().all(|x| !x.read));
        assert_eq!(store.count(&unread).unwrap(), listed.len(), "unread count of {q}");
        titles
    };
    assert_eq!(matching(&store, "kernel is:unread").len(), 2);
    assert!(!has_text_index(), "no title or author query yet: no index to keep up");
    for (q, expected) in [
        ("kernel", &["Rust", "Show", "Weather"][..]),
        ("\"kernel news\"", &["Rust"]),
        ("kernel -news", &["Weather"]),
        ("rain OR चंद्रयान", &["Weather", "भारत"]),
        ("title:rust", &["Rust"]),
        ("title:\"show hn\"", &["Show"]),
        ("title:/^Show (HN|Lobsters)/", &["Show"]),
        ("title:%", &["भारत"]),
        ("author:ann", &["Rust"]),
        ("author:/^B/", &["Show"]),
        ("feed:a/f", &["Rust", "Show", "भारत"]),
        ("tag:t", &["Rust", "Show", "भारत"]),
        ("-tag:t", &["Weather"]),
        ("is:unread", &["Rust", "Weather", "भारत"]),
        ("is:read", &["Show"]),
        ("is:starred", &["Weather"]),
        ("age:<7d", &["Rust"]),
        ("age:>1y", &["Show"]),
        ("after:2026-01-01", &["Rust", "भारत"]),
        ("before:2026-01-01", &["Show", "Weather"]),
        ("(kernel OR rain) is:unread -author:cara", &["Rust"]),
        ("-(tag:t OR is:starred)", &[]),
    ] {
        assert_eq!(matching(&store, q), expected, "{q}");
    }
    assert!(has_text_index(), "made by the first title: query");

    // Search: the words through the index first, the rest row by row.
    let q = khabar::query::parse("kernel is:unread").unwrap();
    let found = store.search(&q, &Filter::default(), 10).unwrap();
    let mut titles: Vec<&str> = found.iter().map(|x| x.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["Rust 2.0 released", "Weather"]);

    // Marking a query's view read touches exactly its articles.
    let filter = Filter {
        query: Some(khabar::query::parse("kernel is:unread").unwrap()),
        ..Default::default()
    };
    assert_eq!(store.mark_view_read_ids(&filter).unwrap().len(), 2);
    assert_eq!(matching(&store, "is:unread"), ["भारत"]);
}

/// A new cache gives the pages it frees back to the file system; one made before khabar chose
/// that mode (here: already in WAL mode when first opened) keeps its size and is not harmed.
#[test]
fn freed_pages_go_back_to_the_file_system_on_new_caches() {
    let pages = |dir: &Path, pragma: &str| -> i64 {
        let conn = rusqlite::Connection::open(dir.join("c.db")).unwrap();
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0)).unwrap()
    };
    let long_articles = |n: i64| {
        let mut list = articles(n);
        for (i, a) in list.iter_mut().enumerate() {
            let words: String = (0..1500).map(|w| format!("w{}x{} ", i * 7919 + w, w % 13)).collect();
            a.content = Some(format!("<p>{words}</p>"));
        }
        list
    };
    let (dir, mut store, feeds) = two_feed_cache();
    store
        .apply_fetch(feeds[0], now(), &fetched(long_articles(200), 1000))
        .unwrap();
    store.complete_search_index().unwrap();
    for a in store.list(&Filter::default(), 1000, None).unwrap() {
        store.set_read(a.id, true).unwrap();
    }
    store
        .apply_fetch(feeds[0], now(), &fetched(long_articles(2), 2))
        .unwrap();
    store.complete_search_index().unwrap();
    let (free, before) = (pages(dir.path(), "freelist_count"), pages(dir.path(), "page_count"));
    assert!(free > 100, "the deleted articles freed pages: {free}");
    assert_eq!(store.release_free_pages().unwrap() as i64, free);
    assert_eq!(pages(dir.path(), "freelist_count"), 0);
    // (A pointer-map page the shorter file no longer needs may go too.)
    assert!(pages(dir.path(), "page_count") <= before - free);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.search(&q("w3x3"), &Filter::default(), 10).unwrap().len(), 1);

    let old = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(old.path().join("c.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    drop(conn);
    let old_store = Store::open(&old.path().join("c.db")).unwrap();
    assert_eq!(pages(old.path(), "auto_vacuum"), 0, "the mode of an older cache stays");
    assert_eq!(old_store.release_free_pages().unwrap(), 0);
}
