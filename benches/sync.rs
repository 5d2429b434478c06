//! Sync against the in-process Google Reader fake (FreshRSS's dialect, the tests' own): a first
//! sync of 10,000 items, a sync with nothing new, and pushing 1,000 pending changes, each timed
//! whole (HTTP on 127.0.0.1, a real cache file) with its request count. `cargo bench --bench sync`.
// A benchmark, like a test, stops at the first thing that is not as set up.
#![allow(clippy::unwrap_used)]

// The tests' support, shared: this benchmark uses its Google Reader fake.
#[path = "../tests/it/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::fake_server::FakeServer;
use common::sync_fakes::{self, Dialect, Feed, State};
use divan::Bencher;
use khabar::config::{Config, ConfigSource};
use khabar::model::{Filter, Flag};
use khabar::store::SharedStore;
use khabar::store::Store;

fn main() {
    divan::main();
}

const ITEMS: usize = 10_000;

fn server() -> (FakeServer, String) {
    let mut state = State::new(Dialect::FreshRss);
    state.feeds = (0..50)
        .map(|i| {
            Feed::new(
                &format!("Feed {i}"),
                &format!("https://example.org/{i}.xml"),
                Some(&format!("folder {}", i % 5)),
            )
        })
        .collect();
    for n in 0..ITEMS {
        state.add(
            n % 50,
            &format!("Item {n} about the scheduler"),
            n % 3 == 0,
            n % 50 == 0,
        );
    }
    let (server, _shared, api) = sync_fakes::greader(state);
    (server, api)
}

fn config(api: &str) -> Config {
    std::env::set_var("KHABAR_BENCH_SYNC_PASSWORD", "correct horse");
    let text = format!(
        "[[account]]\nname = \"bench\"\nkind = \"greader\"\nurl = \"{api}\"\nusername = \"reader\"\npassword_env = \"KHABAR_BENCH_SYNC_PASSWORD\"\n"
    );
    Config::parse(
        &text,
        "bench.toml",
        Path::new("/"),
        ConfigSource::User("bench.toml".into()),
    )
    .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn open(dir: &Path) -> SharedStore {
    Arc::new(Mutex::new(Store::open(&dir.join("cache.db")).unwrap()))
}

/// The first sync of an account with 10,000 items into an empty cache.
#[divan::bench(sample_count = 5)]
fn first_sync_of_10k_items(b: Bencher) {
    let (server, api) = server();
    let config = config(&api);
    let rt = runtime();
    b.with_inputs(|| {
        server.clear_requests();
        tempfile::tempdir().unwrap()
    })
    .bench_local_values(|dir| {
        let store = open(dir.path());
        let reports = rt.block_on(khabar::sync::sync_all(&config, &store));
        assert_eq!(reports[0].new, ITEMS, "{reports:?}");
        dir
    });
    println!("first sync: {} requests", server.request_count());
}

/// The fake server, and a cache that has synced with it once.
fn synced_once() -> (
    FakeServer,
    Config,
    tokio::runtime::Runtime,
    tempfile::TempDir,
    SharedStore,
) {
    let (server, api) = server();
    let config = config(&api);
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    rt.block_on(khabar::sync::sync_all(&config, &store));
    (server, config, rt, dir, store)
}

/// A sync when nothing changed on either side.
#[divan::bench(sample_count = 20)]
fn sync_with_nothing_new(b: Bencher) {
    let (server, config, rt, _dir, store) = synced_once();
    b.bench_local(|| {
        server.clear_requests();
        let reports = rt.block_on(khabar::sync::sync_all(&config, &store));
        assert_eq!((reports[0].new, reports[0].pushed), (0, 0));
        reports[0].requests
    });
    println!("nothing new: {} requests", server.request_count());
}

/// Pushing 1,000 local changes (marked read here), then the pull that follows.
#[divan::bench(sample_count = 5)]
fn push_1000_pending_changes(b: Bencher) {
    let (server, config, rt, _dir, store) = synced_once();
    let unread = Filter {
        unread_only: true,
        ..Default::default()
    };
    b.with_inputs(|| {
        let mut s = store.lock().unwrap();
        let ids: Vec<_> = s.list(&unread, 1000, None).unwrap().into_iter().map(|a| a.id).collect();
        s.set_flag_many(&ids, Flag::Read, true).unwrap();
        server.clear_requests();
    })
    .bench_local_values(|()| {
        let reports = rt.block_on(khabar::sync::sync_all(&config, &store));
        assert_eq!(reports[0].pushed, 1000, "{reports:?}");
        // The next sample marks the next thousand; the server has these now.
    });
    println!("push 1,000: {} requests (last sample)", server.request_count());
}

/// Every server kind through the same three syncs (first of 1,000 items, nothing new, 10 new
/// with 5 changes made here), against the tests' fakes: requests and wall time, printed as the
/// table in docs/benchmarks.md. Times are medians of 5 runs.
#[divan::bench(sample_count = 1)]
fn requests_per_server_kind() {
    println!("| server kind | first sync of 1,000 | nothing new | 10 new + 5 changes here |");
    println!("|---|---|---|---|");
    for kind in [
        "greader (FreshRSS)",
        "greader (Miniflux)",
        "fever",
        "nextcloud",
        "miniflux",
    ] {
        let cells: Vec<String> = (0..3).map(|step| median_cell(kind, step)).collect();
        println!("| {kind} | {} |", cells.join(" | "));
    }
}

/// Runs the three syncs five times on fresh servers; the median time of `step`, and its requests.
fn median_cell(kind: &str, step: usize) -> String {
    let mut runs: Vec<(std::time::Duration, usize)> = (0..5).map(|_| three_syncs(kind)[step]).collect();
    runs.sort();
    let (time, requests) = runs[2];
    format!("{requests} requests, {:.0} ms", time.as_secs_f64() * 1000.0)
}

fn three_syncs(kind: &str) -> [(std::time::Duration, usize); 3] {
    let mut state = State::new(if kind.contains("FreshRSS") {
        Dialect::FreshRss
    } else {
        Dialect::Miniflux
    });
    state.feeds = (0..10)
        .map(|i| {
            Feed::new(
                &format!("Feed {i}"),
                &format!("https://example.org/{i}.xml"),
                Some("news"),
            )
        })
        .collect();
    for n in 0..1000 {
        state.add(n % 10, &format!("Item {n}"), n % 3 == 0, n % 50 == 0);
    }
    let (server, shared, url, kind_name) = match kind {
        "fever" => {
            let (s, sh, u) = sync_fakes::fever(state);
            (s, sh, u, "fever")
        }
        "nextcloud" => {
            let (s, sh, u) = common::rest_fakes::nextcloud(state);
            (s, sh, u, "nextcloud")
        }
        "miniflux" => {
            let (s, sh, u) = common::rest_fakes::miniflux(state);
            (s, sh, u, "miniflux")
        }
        _ => {
            let (s, sh, u) = sync_fakes::greader(state);
            (s, sh, u, "greader")
        }
    };
    std::env::set_var("KHABAR_BENCH_SYNC_PASSWORD", "correct horse");
    let text = format!(
        "[[account]]\nname = \"bench\"\nkind = \"{kind_name}\"\nurl = \"{url}\"\nusername = \"reader\"\npassword_env = \"KHABAR_BENCH_SYNC_PASSWORD\"\n"
    );
    let config = Config::parse(
        &text,
        "bench.toml",
        Path::new("/"),
        ConfigSource::User("bench.toml".into()),
    )
    .unwrap();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let timed = |store: &SharedStore| {
        server.clear_requests();
        let start = std::time::Instant::now();
        let reports = rt.block_on(khabar::sync::sync_all(&config, store));
        assert!(reports[0].error.is_none(), "{reports:?}");
        (start.elapsed(), server.request_count())
    };
    let first = timed(&store);
    let quiet = timed(&store);
    {
        let mut s = shared.lock().unwrap();
        for n in 1000..1010 {
            s.add(n % 10, &format!("Item {n}"), false, false);
        }
    }
    {
        let mut s = store.lock().unwrap();
        let ids: Vec<_> = s
            .list(&Filter::default(), 5, None)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        s.set_flag_many(&ids[..3], Flag::Read, true).unwrap();
        s.set_flag_many(&ids[3..], Flag::Starred, true).unwrap();
    }
    let busy = timed(&store);
    [first, quiet, busy]
}
