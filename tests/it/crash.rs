//! Crash safety: `khabar refresh` killed with SIGKILL at many points leaves a cache that opens,
//! passes `PRAGMA integrity_check`, keeps every read and starred flag set before, and searches
//! exactly (whether the kill landed while storing or while indexing).

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use khabar::model::{ArticleId, Filter};

fn write_feeds(sb: &Sandbox, feeds: usize, items: usize, version: &str) {
    for f in 0..feeds {
        let items: Vec<(String, String, String)> = (0..items)
            .map(|i| {
                (
                    format!("f{f}-i{i}"),
                    format!("Feed {f} item {i} {version}"),
                    format!("&lt;p&gt;{}&lt;/p&gt;", "body text ".repeat(40)),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        std::fs::write(sb.path(&format!("feed{f}.xml")), rss(&format!("Feed {f}"), &refs)).unwrap();
    }
}

#[test]
fn sigkill_during_refresh_never_corrupts_the_cache_or_loses_state() {
    let sb = Sandbox::new();
    let feeds = 150;
    let mut config = String::new();
    for f in 0..feeds {
        config.push_str(&feed_entry(&format!("feed{f}.xml"), &[]));
    }
    sb.write_config(&config);
    write_feeds(&sb, feeds, 30, "v1");
    sb.refresh();

    // Read and starred state set before the refreshes that get killed.
    let (read, starred): (Vec<ArticleId>, Vec<ArticleId>) = {
        let mut store = open_store(&sb.cache());
        let all = store.list(&Filter::default(), 400, None).unwrap();
        let read: Vec<ArticleId> = all.iter().step_by(3).map(|a| a.id).collect();
        let starred: Vec<ArticleId> = all.iter().step_by(7).map(|a| a.id).collect();
        for id in &read {
            store.set_read(*id, true).unwrap();
        }
        for id in &starred {
            store.set_starred(*id, true).unwrap();
        }
        (read, starred)
    };

    let mut killed_mid_run = 0;
    let mut unindexed_after_kill = 0;
    for (round, delay_ms) in [5u64, 20, 40, 60, 90, 120, 160, 220].into_iter().enumerate() {
        // Every round changes every feed, so each refresh has real writes to interrupt.
        write_feeds(&sb, feeds, 30, &format!("v{}", round + 2));
        let mut child = sb
            .command(&["refresh"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();

        let store = open_store(&sb.cache());
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        unindexed_after_kill += usize::from(store.search_backlog().unwrap() > 0);
        let all = store.list(&Filter::default(), 10_000, None).unwrap();
        assert_eq!(all.len(), feeds * 30, "round {round}: no article lost or duplicated");
        // The search index is exact however far its pass got: each version's word finds just
        // the articles whose title has it (the older text of a replaced article is gone).
        for version in [round + 1, round + 2].map(|v| format!("v{v}")) {
            let titled = all.iter().filter(|a| a.title.ends_with(&format!(" {version}"))).count();
            let query = khabar::query::parse(&version).unwrap();
            let found = store.search(&query, &Filter::default(), 10_000).unwrap();
            assert_eq!(found.len(), titled, "round {round}: search for {version}");
        }
        for id in &read {
            assert!(
                all.iter().find(|a| a.id == *id).unwrap().read,
                "round {round}: read flag lost on {id:?}"
            );
        }
        for id in &starred {
            assert!(
                all.iter().find(|a| a.id == *id).unwrap().starred,
                "round {round}: star lost on {id:?}"
            );
        }
    }
    assert!(
        killed_mid_run >= 3,
        "only {killed_mid_run} kills landed during a refresh: make the corpus larger"
    );
    assert!(
        unindexed_after_kill >= 1,
        "no kill left articles for the search index: the search checks above tested nothing"
    );
}
