//! The SQLite cache: the only code that writes SQL. This file opens a cache (WAL, migrations)
//! and owns the connection and its transactions; each table's queries live in their own file.

mod accounts;
mod articles;
mod feeds;
mod filtering;
mod fts;
mod hashes;
mod import;
mod kept;
mod order;
mod packing;
mod page_rows;
mod prefs;
mod query_sql;
mod schema;
mod search_backlog;
mod shared;
mod stories;
mod token_table;
mod views;
mod words;
mod write;
mod write_rows;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

pub use accounts::{synced_feed_key, PendingChange, RemoteArticle, RemoteFeed, StateApplied};
pub use feeds::PollState;
pub use filtering::{action_flag, FeedFilters, FilterApplied, FilterMatches, Filters, Verdict};
pub use fts::TOKENIZER as SEARCH_TOKENIZER;
pub use hashes::body_hash;
pub use import::{read_newsboat_cache, ImportCounts};
pub use kept::{lock_reader, KeptCounts};
pub use order::Cursor;
pub use schema::CURRENT_VERSION as SCHEMA_VERSION;
pub use search_backlog::INDEX_CHUNK;
pub use shared::{lock, with_store, SharedStore};
pub use stories::{GroupProgress, StoryRules, Tuning, STORY_CHUNK};
pub use write::{prepare, FetchRecord, Prepared, StoredHashes, Trim, WriteCounts};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cache database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the cache was written by a newer khabar (schema {found}, this build knows {supported})")]
    TooNew { found: i64, supported: i64 },
    /// The task a cache call ran on stopped (it panicked): the call's work is not done.
    #[error("a cache task stopped: {0}")]
    Task(String),
    #[error("another process holds the cache: {0}")]
    Held(String),
    #[error("cannot create the cache folder {path}: {source}")]
    Dir {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, StoreError>;

/// One open cache.
pub struct Store {
    conn: Connection,
    /// Inside `in_one_transaction`: search texts already made (`HeldText`), indexed at its end.
    /// FTS5 flushes its pending terms at every savepoint once written in a transaction, so
    /// writing them per feed would cost a flush and merges per feed.
    held_texts: Option<Vec<search_backlog::HeldText>>,
    /// The sort orders whose index this connection has made sure of (`views::ORDER_INDEXES`).
    order_indexes: std::cell::Cell<u8>,
}

impl Store {
    /// SQLite's `data_version`: it changes when another connection (another process, or the
    /// poller's) commits to the cache, never for this connection's own writes.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Opens (creating if needed) the cache at `path`, in WAL mode, migrated to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Dir {
                path: dir.display().to_string(),
                source: e,
            })?;
        }
        Self::setup(Connection::open(path)?)
    }

    /// A private in-memory cache (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::choose_vacuum_mode(&conn)?;
        // WAL + NORMAL: a crash can lose the last commits but never corrupts the file.
        use_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        query_sql::register_regexp(&conn)?;
        // A process that finds another one migrating waits for it, however long the migration.
        conn.busy_timeout(MIGRATION_WAIT)?;
        schema::migrate(&mut conn)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Store {
            conn,
            held_texts: None,
            order_indexes: std::cell::Cell::new(0),
        })
    }

    /// Shapes this connection for the reader's interactive writes: a page cache large enough
    /// for a bulk flag change (10,000 rows touch thousands of pages; the default 2 MB spills
    /// them mid-statement) and no checkpoint inside a committing statement (a third of an
    /// undo's time): the owner calls `checkpoint` when it is idle instead.
    pub fn defer_checkpoints(&self) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -16_384)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    /// Copies what the WAL holds into the cache file without waiting for readers (PASSIVE);
    /// other connections' own automatic checkpoints also do it.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Another connection to the same cache file (None for an in-memory cache), for reads that
    /// must not wait for the writer.
    pub fn reopen(&self) -> Result<Option<Store>> {
        match self.conn.path().filter(|p| !p.is_empty()) {
            Some(path) => Ok(Some(Store::open(Path::new(path))?)),
            None => Ok(None),
        }
    }

    /// Runs `writes` inside one transaction, committed once: many feeds' writes cost one
    /// commit, one WAL sync and at most one search-index flush. Each write keeps its own
    /// savepoint, so a failed one is rolled back alone. A failed commit fails them all (nothing
    /// is kept).
    pub fn in_one_transaction<R>(&mut self, writes: impl FnOnce(&mut Store) -> R) -> Result<R> {
        if !self.conn.is_autocommit() {
            // A write that panicked left its transaction open: it is abandoned, not committed.
            self.conn.execute_batch("ROLLBACK")?;
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.held_texts = Some(Vec::new());
        let result = writes(self);
        let held = self.held_texts.take().unwrap_or_default();
        let committed =
            search_backlog::write_held(&self.conn, held).and_then(|()| Ok(self.conn.execute_batch("COMMIT")?));
        match committed {
            Ok(()) => Ok(result),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Gives the pages the cache no longer uses back to the file system: after a cold refresh
    /// the search index's merges leave about 6 % of the file free. Only caches created since
    /// khabar chose this mode can (see `schema::choose_vacuum_mode`); on others it does nothing.
    /// Returns how many pages went.
    pub fn release_free_pages(&self) -> Result<usize> {
        let free: i64 = self.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        // Each step of the pragma gives back one page.
        let mut vacuum = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut steps = vacuum.raw_query();
        let mut released = 0;
        while (released as i64) < free && steps.next()?.is_some() {
            released += 1;
        }
        Ok(released)
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// How long a statement waits for another process's write lock before "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a cache waits for another process that is migrating it.
const MIGRATION_WAIT: Duration = Duration::from_secs(120);

/// Puts the cache in WAL mode (a setting kept in the file, so usually already there). Switching
/// a new file needs it to itself, and SQLite answers "busy" at once, without waiting, while
/// another process opens it too: the switch is retried until `BUSY_TIMEOUT`.
fn use_wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") || mode.eq_ignore_ascii_case("memory") => return Ok(()),
            Err(e) if e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) => return Err(e.into()),
            // Still "delete" (another connection held the file) or busy: try again shortly.
            _ if started.elapsed() < BUSY_TIMEOUT => std::thread::sleep(Duration::from_millis(5)),
            Ok(mode) => return Err(StoreError::Held(format!("it stays in journal mode {mode:?}"))),
            Err(e) => return Err(e.into()),
        }
    }
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Runs `work` in a savepoint named `name`: inside the transaction already open (the poller's
/// group commit), else in one of its own, committed at the end. On an error nothing it wrote
/// stays.
fn in_savepoint<T>(conn: &rusqlite::Connection, name: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    let own = conn.is_autocommit();
    if own {
        conn.execute_batch("BEGIN IMMEDIATE")?;
    }
    conn.execute_batch(&format!("SAVEPOINT {name}"))?;
    match work() {
        Ok(done) => {
            conn.execute_batch(&format!("RELEASE {name}"))?;
            if own {
                if let Err(e) = conn.execute_batch("COMMIT") {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e.into());
                }
            }
            Ok(done)
        }
        Err(e) => {
            let _ = conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"));
            if own {
                let _ = conn.execute_batch("ROLLBACK");
            }
            Err(e)
        }
    }
}
