//! The floor under a cold refresh: each part of the work it cannot skip, timed alone on one core
//! over the corpus kit's feeds, one after another, with no queues. `cargo bench --bench floor`.
//!
//! The parts are the least each feature can cost with the crates khabar is built on: reqwest
//! fetches every feed from the corpus's nginx over one connection (gzip, as khabar asks), feed-rs
//! parses, one SQLite table with one index takes the rows (russ's shape: one transaction per
//! feed), zstd level 1 compresses the bodies, the index text is stripped of tags, and a
//! contentless FTS5 table with khabar's tokenizer takes it, 1,000 per transaction. What the sums
//! print is a floor, not khabar: its own refresh adds concurrent fetching, sanitising, change
//! detection, the reader's indexes and counts. A second table times khabar's own parts the same way (its
//! parser, `store::prepare`, the writer in the poller's groups, the index pass), so the two can be
//! set side by side. The corpus is `$KHABAR_BENCH_DIR` (default /tmp/khabar-bench),
//! made by `../shared/bench/serve.sh start`.
// A benchmark, like a test, stops at the first thing that is not as set up.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};

use khabar::poller::MAX_WRITES_PER_COMMIT;
use khabar::store::{INDEX_CHUNK, SEARCH_TOKENIZER as TOKENIZER};

/// CPU time of the whole process (user + system): every part runs alone, and khabar's index
/// pass makes its texts on a worker thread of its own.
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
fn process_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given and nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// One part's cost: CPU of the process while it ran, and wall time.
struct Cost {
    part: &'static str,
    cpu: Duration,
    wall: Duration,
}

fn timed<T>(part: &'static str, costs: &mut Vec<Cost>, work: impl FnOnce() -> T) -> T {
    let (cpu, wall) = (process_cpu(), Instant::now());
    let out = work();
    costs.push(Cost {
        part,
        cpu: process_cpu() - cpu,
        wall: wall.elapsed(),
    });
    out
}

/// khabar's own parts over the same documents, each alone: its parser (feed-rs and the repairs
/// around it, sanitising), hashes and compression, the writer, then the index pass.
fn khabar_parts(documents: &[Vec<u8>], scratch: &Path) -> Vec<Cost> {
    use khabar::store::{FetchRecord, Store};
    let mut costs = Vec::new();
    let now = chrono::Utc::now();
    let parsed: Vec<_> = timed("parse (khabar::feed::parse)", &mut costs, || {
        let parse = |doc: &Vec<u8>| khabar::feed::parse::parse(&String::from_utf8_lossy(doc), None);
        documents
            .iter()
            .map(|doc| parse(doc).expect("the corpus parses"))
            .collect()
    });
    let records: Vec<FetchRecord> = timed("hashes and compression (store::prepare)", &mut costs, || {
        let new_feed = khabar::store::StoredHashes::default();
        let record = |feed: khabar::feed::parse::ParsedFeed| FetchRecord {
            status: "200".into(),
            prepared: Some(khabar::store::prepare(
                &feed.articles,
                Some(&new_feed),
                None,
                now.timestamp(),
            )),
            articles: feed.articles,
            keep_per_feed: usize::MAX,
            ..Default::default()
        };
        parsed.into_iter().map(record).collect()
    });
    let mut store = Store::open(&scratch.join("khabar.db")).expect("open a cache");
    let config: String = (0..records.len())
        .map(|n| format!("[[feed]]\nurl = \"http://127.0.0.1/{n}\"\n"))
        .collect();
    let source = khabar::config::ConfigSource::User("floor".into());
    let config = khabar::config::Config::parse(&config, "floor", Path::new("/"), source).expect("a config");
    let feeds = store.sync_feeds(&config.feeds).expect("the feeds");
    timed("write (apply_fetch, 32 feeds per commit)", &mut costs, || {
        let writes: Vec<_> = feeds.iter().zip(&records).collect();
        for group in writes.chunks(MAX_WRITES_PER_COMMIT) {
            let write = |s: &mut Store| {
                group
                    .iter()
                    .try_for_each(|(feed, rec)| s.apply_fetch(**feed, now, rec).map(drop))
            };
            store
                .in_one_transaction(write)
                .expect("a group commit")
                .expect("a write");
        }
    });
    timed("search index pass (texts on a worker)", &mut costs, || {
        let waiting = store.search_backlog().expect("the backlog");
        for _ in 0..waiting.div_ceil(INDEX_CHUNK) {
            store.index_pending(INDEX_CHUNK).expect("an index chunk");
        }
        assert_eq!(
            store.search_backlog().expect("the backlog"),
            0,
            "the pass indexed everything"
        );
    });
    costs
}

fn print_costs(costs: &[Cost]) {
    println!("| part (alone) | CPU s | wall s |");
    println!("|---|---|---|");
    for cost in costs {
        println!(
            "| {} | {:.3} | {:.3} |",
            cost.part,
            cost.cpu.as_secs_f64(),
            cost.wall.as_secs_f64()
        );
    }
}

/// What the store needs of one parsed article.
struct Item {
    feed: usize,
    key: i64,
    title: String,
    link: Option<String>,
    author: Option<String>,
    published: Option<i64>,
    body: String,
}

fn items_of(feed: usize, parsed: feed_rs::model::Feed) -> impl Iterator<Item = Item> {
    parsed.entries.into_iter().map(move |entry| {
        let body = match (entry.content.and_then(|c| c.body), entry.summary) {
            (Some(body), _) => body,
            (None, Some(summary)) => summary.content,
            (None, None) => String::new(),
        };
        Item {
            feed,
            key: khabar::store::body_hash(entry.id.as_bytes()),
            title: entry.title.map(|t| t.content).unwrap_or_default(),
            link: entry.links.into_iter().next().map(|l| l.href),
            author: entry.authors.into_iter().next().and_then(|a| a.name),
            published: entry.published.or(entry.updated).map(|t| t.timestamp()),
            body,
        }
    })
}

fn feed_urls(corpus: &Path) -> Vec<String> {
    let list = corpus.join("data/www/feeds.txt");
    let text = std::fs::read_to_string(&list).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (start the corpus: ../shared/bench/serve.sh start)",
            list.display()
        )
    });
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Every feed's document, fetched one after another on this thread (a current-thread runtime
/// drives the connection here, so the thread's CPU is all the HTTP costs).
fn fetch_all(urls: &[String]) -> Vec<Vec<u8>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = reqwest::Client::builder().build().expect("an HTTP client");
    runtime.block_on(async {
        let mut documents = Vec::with_capacity(urls.len());
        for url in urls {
            let response = client
                .get(url)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status);
            let response = response.unwrap_or_else(|e| panic!("{url}: {e} (is ../shared/bench/serve.sh running?)"));
            documents.push(response.bytes().await.expect("a feed's body").to_vec());
        }
        documents
    })
}

fn open_scratch(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open the scratch database");
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("synchronous");
    conn
}

fn store_rows(conn: &mut Connection, items: &[Item], compressed: &[Vec<u8>]) {
    conn.execute_batch(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL,
            key INTEGER NOT NULL, title TEXT NOT NULL, link TEXT, author TEXT, published INTEGER,
            content BLOB);
         CREATE UNIQUE INDEX entries_identity ON entries(feed_id, key);",
    )
    .expect("create the rows' table");
    let mut rest = items.iter().zip(compressed).peekable();
    while let Some((first, _)) = rest.peek() {
        let feed = first.feed;
        let tx = conn.transaction().expect("begin");
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO entries (feed_id, key, title, link, author, published, content)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .expect("prepare");
            while let Some((item, body)) = rest.next_if(|(item, _)| item.feed == feed) {
                insert
                    .execute(params![
                        item.feed as i64,
                        item.key,
                        item.title,
                        item.link,
                        item.author,
                        item.published,
                        body
                    ])
                    .expect("insert a row");
            }
        }
        tx.commit().expect("commit");
    }
}

fn store_index(conn: &mut Connection, texts: &[String], tokenizer: &str) {
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE search USING fts5(text, content = '', contentless_delete = 1, tokenize = \"{tokenizer}\")"
    ))
    .expect("create the index");
    for (chunk_at, chunk) in texts.chunks(INDEX_CHUNK).enumerate() {
        let tx = conn.transaction().expect("begin");
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO search (rowid, text) VALUES (?, ?)")
                .expect("prepare");
            for (i, text) in chunk.iter().enumerate() {
                let rowid = (chunk_at * INDEX_CHUNK + i + 1) as i64;
                insert.execute(params![rowid, text]).expect("index a text");
            }
        }
        tx.commit().expect("commit");
    }
}

/// The floor's parts over the documents, then the index variants that are not parts of it, and
/// the number of articles. What they made is dropped before khabar's own parts run.
fn floor_parts(documents: &[Vec<u8>], scratch: &Path) -> (Vec<Cost>, Vec<Cost>, usize) {
    let mut costs = Vec::new();
    let items: Vec<Item> = timed("parse (feed-rs)", &mut costs, || {
        let parsed = documents
            .iter()
            .enumerate()
            .map(|(n, doc)| (n, feed_rs::parser::parse(&doc[..])));
        parsed
            .flat_map(|(n, feed)| items_of(n, feed.expect("the corpus parses")))
            .collect()
    });
    let compressed: Vec<Vec<u8>> = timed("compress bodies (zstd 1)", &mut costs, || {
        let mut zstd = zstd::bulk::Compressor::new(1).expect("a zstd context");
        items
            .iter()
            .map(|item| zstd.compress(item.body.as_bytes()).expect("compress"))
            .collect()
    });
    let mut rows = open_scratch(&scratch.join("rows.db"));
    timed("store rows (1 table, 1 index, 1 commit per feed)", &mut costs, || {
        store_rows(&mut rows, &items, &compressed);
    });
    let texts: Vec<String> = timed("index text (tags stripped)", &mut costs, || {
        let text = |item: &Item| format!("{}\n{}", item.title, khabar::text::html::to_index_text(&item.body));
        items.iter().map(text).collect()
    });
    let mut index = open_scratch(&scratch.join("index.db"));
    timed("FTS5 insert and merge (1,000 per commit)", &mut costs, || {
        store_index(&mut index, &texts, TOKENIZER);
    });
    // Not parts of the floor, since neither can serve khabar's search: the ascii tokenizer folds
    // no letter outside ASCII (the least any tokenizer could take off FTS5's share), and an
    // index without positions cannot match a phrase (every CJK query is one).
    let mut variants = Vec::new();
    let mut ascii = open_scratch(&scratch.join("ascii.db"));
    timed("FTS5 with the ascii tokenizer", &mut variants, || {
        store_index(&mut ascii, &texts, "ascii");
    });
    let mut positionless = open_scratch(&scratch.join("positionless.db"));
    timed("FTS5 without positions (detail = none)", &mut variants, || {
        store_index(&mut positionless, &texts, &format!("{TOKENIZER}\", detail = \"none"));
    });
    (costs, variants, items.len())
}

fn main() {
    let corpus = PathBuf::from(std::env::var_os("KHABAR_BENCH_DIR").unwrap_or("/tmp/khabar-bench".into()));
    let urls = feed_urls(&corpus);
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let mut costs = Vec::new();
    let documents = timed("fetch (reqwest, one connection, gzip)", &mut costs, || fetch_all(&urls));
    let bytes: usize = documents.iter().map(Vec::len).sum();
    let (parts, variants, articles) = floor_parts(&documents, scratch.path());
    costs.extend(parts);

    let (first, count, megabytes) = (&urls[0], urls.len(), bytes as f64 / 1e6);
    println!("{count} feeds ({first} ...), {articles} articles, {megabytes:.1} MB of XML");
    print_costs(&costs);
    let cpu_of = |part: &str| {
        costs
            .iter()
            .find(|c| c.part.starts_with(part))
            .map_or(0.0, |c| c.cpu.as_secs_f64())
    };
    let total: f64 = costs.iter().map(|c| c.cpu.as_secs_f64()).sum();
    println!("| all parts: the CPU floor | {total:.3} | |");
    let writer = cpu_of("store rows") + cpu_of("FTS5");
    println!("| rows + FTS5: the one SQLite writer's floor | {writer:.3} | |");
    println!("| all parts over 2 cores: the wall floor | {:.3} | |", total / 2.0);
    for cost in &variants {
        let cpu = cost.cpu.as_secs_f64();
        let floor_with_it = total - cpu_of("FTS5") + cpu;
        println!(
            "| not in the floor: {} ({cpu:.3} s), the CPU floor with it | {floor_with_it:.3} | |",
            cost.part
        );
    }

    let own = khabar_parts(&documents, scratch.path());
    println!("\nkhabar's own parts, each alone (its refresh overlaps them on both cores):");
    print_costs(&own);
    let own_total: f64 = own.iter().map(|c| c.cpu.as_secs_f64()).sum();
    println!("| all of khabar's parts (fetch not included) | {own_total:.3} | |");
}
