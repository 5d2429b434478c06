//! The SQLite cache: the only code that writes SQL. Owns the feeds, feed_tags, articles and
//! articles_fts tables; every write of one feed's fetch is a single transaction.

mod body;
mod fts;
mod schema;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, ToSql};
use sha2::{Digest, Sha256};

use crate::config::FeedConfig;
use crate::model::{Article, ArticleId, ArticleSummary, Feed, FeedId, FeedMeta, Filter, NewArticle};
use crate::text::html;
use body::{pack, Packed, Unpacked};

pub use schema::CURRENT_VERSION as SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cache database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the cache was written by a newer khabar (schema {found}, this build knows {supported})")]
    TooNew { found: i64, supported: i64 },
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
    /// Inside `in_one_transaction`: search-index writes held back until the end. FTS5 flushes
    /// its pending terms to a new segment at every savepoint once it has been written in a
    /// transaction, so writing it per feed would cost a flush and merges per feed.
    deferred_fts: Option<Vec<FtsWrite>>,
}

/// A search-index change, in order (an update deletes the old entry, then inserts).
enum FtsWrite {
    Delete(i64),
    Insert(i64, String),
}

/// What the poller needs to know to fetch a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct PollState {
    pub feed_id: FeedId,
    pub url: String,
    pub fetch_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetched: Option<DateTime<Utc>>,
    pub failures: u32,
    pub retry_after: Option<DateTime<Utc>>,
    /// `body_hash` of the last body written (None after a fetch that changed nothing stored).
    pub body_hash: Option<i64>,
}

/// A successful fetch with a body, to be written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    pub status: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Set after a permanent redirect or autodiscovery; later fetches go there.
    pub fetch_url: Option<String>,
    /// `body_hash` of the fetched body, kept so an identical body is not parsed next time.
    pub body_hash: Option<i64>,
    pub meta: FeedMeta,
    pub articles: Vec<NewArticle>,
    pub keep_per_feed: usize,
    /// The articles' identity and content hashes, computed before the write (`prepare`), so
    /// the work is done in parallel outside the cache lock. Computed here when absent.
    pub prepared: Option<Prepared>,
}

/// Identity and content hashes of a feed's articles, in document order, and the search text of
/// those that `prepare` was told are new or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    keys: Vec<i64>,
    hashes: Vec<i64>,
    index_texts: Vec<Option<String>>,
    /// The compressed bodies of the same articles (those with search text).
    bodies: Vec<Option<Packed>>,
}

/// The stored articles of one feed: identity key -> content hash.
pub type StoredHashes = HashMap<i64, i64>;

/// Prepares articles for `FetchRecord::prepared`: pure CPU work, no cache access, so it runs in
/// parallel outside the write lock. With `stored` (read just before), the search text of new and
/// changed articles is built here too; unchanged ones cost only their hashes.
pub fn prepare(articles: &[NewArticle], stored: Option<&StoredHashes>) -> Prepared {
    let keys: Vec<i64> = articles.iter().map(|a| hash64(a.key.as_bytes())).collect();
    let hashes: Vec<i64> = articles.iter().map(article_hash).collect();
    let (mut index_texts, mut bodies) = (Vec::new(), Vec::new());
    if let Some(stored) = stored {
        for (i, a) in articles.iter().enumerate() {
            let write = stored.get(&keys[i]) != Some(&hashes[i]);
            index_texts.push(write.then(|| index_text(a)));
            bodies.push(a.content.as_deref().filter(|_| write).map(pack));
        }
    }
    Prepared {
        keys,
        hashes,
        index_texts,
        bodies,
    }
}

/// What a write changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A position in a view (newest first): an article's (sort_time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    sort_time: i64,
    id: i64,
}

/// Searches with at most this many hits are ordered by SQLite; more are found by walking the view.
const SORTED_HITS_MAX: usize = 2_000;
/// Rows read per step of that walk.
const WALK_CHUNK: usize = 1_000;

const SUMMARY_COLUMNS: &str = "a.id, a.feed_id, f.url, COALESCE(f.config_title, f.title, f.url), a.title, \
     a.link, a.author, a.published, a.read, a.starred, a.sort_time";

impl Store {
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
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL + NORMAL: a crash can lose the last commits but never corrupts the file.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn,
            deferred_fts: None,
        })
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
    /// commit, one FTS flush and one WAL sync. Each write keeps its own savepoint, so a failed
    /// one is rolled back alone. A failed commit fails them all (nothing is kept).
    pub fn in_one_transaction<R>(&mut self, writes: impl FnOnce(&mut Store) -> R) -> Result<R> {
        if !self.conn.is_autocommit() {
            // A write that panicked left its transaction open: it is abandoned, not committed.
            self.conn.execute_batch("ROLLBACK")?;
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.deferred_fts = Some(Vec::new());
        let result = writes(self);
        let fts = self.deferred_fts.take().unwrap_or_default();
        match write_fts(&self.conn, fts).and_then(|()| Ok(self.conn.execute_batch("COMMIT")?)) {
            Ok(()) => Ok(result),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The identity and content hashes of a feed's stored articles (see `prepare`).
    pub fn stored_hashes(&self, feed: FeedId) -> Result<StoredHashes> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, hash FROM articles WHERE feed_id = ?1")?;
        let rows = stmt.query_map([feed.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Makes the feeds table match the config: adds new feeds, updates titles and tags, and hides
    /// (never deletes) feeds no longer configured, so their read and starred state survive.
    /// Writes nothing when the cache already matches, so starting up costs no write.
    pub fn sync_feeds(&mut self, feeds: &[FeedConfig]) -> Result<Vec<FeedId>> {
        type Row = (i64, Option<String>, i64, bool);
        let stored: HashMap<String, Row> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT url, id, config_title, position, active FROM feeds")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let tags = self.tags_by_feed()?;
        let configured: HashSet<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        let unchanged = stored.values().filter(|r| r.3).count() == feeds.len()
            && feeds.iter().enumerate().all(|(pos, f)| {
                stored.get(&f.url).is_some_and(|(id, title, position, active)| {
                    *active
                        && *title == f.title
                        && *position == pos as i64
                        && tags.get(&FeedId(*id)).map_or(f.tags.is_empty(), |t| *t == f.tags)
                })
            });
        if unchanged {
            return Ok(feeds.iter().map(|f| FeedId(stored[&f.url].0)).collect());
        }

        let tx = self.conn.transaction()?;
        {
            let mut hide = tx.prepare("UPDATE feeds SET active = 0 WHERE url = ?1")?;
            for (url, row) in &stored {
                if row.3 && !configured.contains(url.as_str()) {
                    hide.execute([url])?;
                }
            }
        }
        let mut ids = Vec::with_capacity(feeds.len());
        {
            let mut upsert = tx.prepare(
                "INSERT INTO feeds (url, config_title, position, active) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT(url) DO UPDATE SET config_title = ?2, position = ?3, active = 1
                 RETURNING id",
            )?;
            let mut clear_tags = tx.prepare("DELETE FROM feed_tags WHERE feed_id = ?1")?;
            let mut add_tag = tx.prepare("INSERT OR IGNORE INTO feed_tags (tag, feed_id, pos) VALUES (?1, ?2, ?3)")?;
            for (pos, f) in feeds.iter().enumerate() {
                let id: i64 = upsert.query_row(params![f.url, f.title, pos as i64], |r| r.get(0))?;
                clear_tags.execute([id])?;
                for (tag_pos, t) in f.tags.iter().enumerate() {
                    add_tag.execute(params![t, id, tag_pos as i64])?;
                }
                ids.push(FeedId(id));
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Fetch state of the configured feeds, in config order.
    pub fn poll_states(&self) -> Result<Vec<PollState>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, url, fetch_url, etag, last_modified, last_fetched, failures, retry_after, body_hash
             FROM feeds WHERE active = 1 ORDER BY position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PollState {
                feed_id: FeedId(r.get(0)?),
                url: r.get(1)?,
                fetch_url: r.get(2)?,
                etag: r.get(3)?,
                last_modified: r.get(4)?,
                last_fetched: r.get::<_, Option<i64>>(5)?.map(ts),
                failures: r.get(6)?,
                retry_after: r.get::<_, Option<i64>>(7)?.map(ts),
                body_hash: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A 304: only the timestamp and status change.
    pub fn record_not_modified(&mut self, feed: FeedId, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = '304', last_error = NULL,
                 failures = 0, retry_after = NULL WHERE id = ?1",
            )?
            .execute(params![feed.0, at.timestamp()])?;
        Ok(())
    }

    /// A 200 whose body is the one last stored: like a 304, plus the new validators.
    pub fn record_same_body(
        &mut self,
        feed: FeedId,
        at: DateTime<Utc>,
        status: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = ?3, last_error = NULL, failures = 0,
                 retry_after = NULL, etag = ?4, last_modified = ?5 WHERE id = ?1",
            )?
            .execute(params![feed.0, at.timestamp(), status, etag, last_modified])?;
        Ok(())
    }

    /// A failed fetch: the error is kept on the feed, its articles are untouched.
    pub fn record_failure(
        &mut self,
        feed: FeedId,
        at: DateTime<Utc>,
        status: &str,
        error: &str,
        retry_after: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = ?3, last_error = ?4,
                 failures = failures + 1, retry_after = ?5 WHERE id = ?1",
            )?
            .execute(params![
                feed.0,
                at.timestamp(),
                status,
                error,
                retry_after.map(|t| t.timestamp())
            ])?;
        Ok(())
    }

    /// Writes one fetched feed atomically (a savepoint, so it can join `in_one_transaction`):
    /// new articles inserted, changed ones updated (read and starred state kept), unchanged ones
    /// not touched, then retention.
    pub fn apply_fetch(&mut self, feed: FeedId, at: DateTime<Utc>, rec: &FetchRecord) -> Result<WriteCounts> {
        let now = at.timestamp();
        let tx = self.conn.savepoint()?;
        let mut counts = WriteCounts::default();

        let existing: HashMap<i64, (i64, i64)> = {
            let mut stmt = tx.prepare_cached("SELECT key, id, hash FROM articles WHERE feed_id = ?1")?;
            let rows = stmt.query_map([feed.0], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
            rows.collect::<rusqlite::Result<_>>()?
        };

        // Within one document a repeated identity keeps its first occurrence (usually the newest).
        let mut first_of_key: HashMap<i64, usize> = HashMap::with_capacity(rec.articles.len());
        let computed;
        let prepared = match &rec.prepared {
            Some(p) if p.keys.len() == rec.articles.len() => p,
            _ => {
                computed = prepare(&rec.articles, None);
                &computed
            }
        };
        let keys = &prepared.keys;
        let text_of = |i: usize| match prepared.index_texts.get(i) {
            Some(Some(text)) => Cow::Borrowed(text.as_str()),
            _ => Cow::Owned(index_text(&rec.articles[i])),
        };
        let body_of = |i: usize| match (prepared.index_texts.get(i), prepared.bodies.get(i)) {
            (Some(Some(_)), Some(body)) => body.as_ref().map(Cow::Borrowed),
            _ => rec.articles[i].content.as_deref().map(|c| Cow::Owned(pack(c))),
        };
        for (i, key) in keys.iter().enumerate() {
            first_of_key.entry(*key).or_insert(i);
        }
        let seen_keys: HashSet<i64> = first_of_key.keys().copied().collect();
        let mut fts = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (feed_id, key, hash, sort_time, published, title, link, author, content)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE articles SET hash = ?2, published = ?3, title = ?4, link = ?5, author = ?6, content = ?7
                 WHERE id = ?1",
            )?;

            // Reverse document order: undated items first seen together then list in feed order.
            for (i, a) in rec.articles.iter().enumerate().rev() {
                let key = keys[i];
                if first_of_key[&key] != i {
                    continue;
                }
                let hash = prepared.hashes[i];
                let published = a.published.map(|p| p.timestamp());
                match existing.get(&key) {
                    Some(&(_, old_hash)) if old_hash == hash => counts.unchanged += 1,
                    Some(&(id, _)) => {
                        update.execute(params![
                            id,
                            hash,
                            published,
                            a.title,
                            a.link,
                            a.author,
                            body_of(i).as_deref()
                        ])?;
                        fts.push(FtsWrite::Delete(id));
                        fts.push(FtsWrite::Insert(id, text_of(i).into_owned()));
                        counts.updated += 1;
                    }
                    None => {
                        let sort_time = published.map_or(now, |p| p.min(now));
                        insert.execute(params![
                            feed.0,
                            key,
                            hash,
                            sort_time,
                            published,
                            a.title,
                            a.link,
                            a.author,
                            body_of(i).as_deref()
                        ])?;
                        fts.push(FtsWrite::Insert(tx.last_insert_rowid(), text_of(i).into_owned()));
                        counts.new += 1;
                    }
                }
            }
        }

        tx.prepare_cached(
            "UPDATE feeds SET last_fetched = ?2, last_status = ?3, last_error = NULL, failures = 0,
             retry_after = NULL, etag = ?4, last_modified = ?5,
             fetch_url = COALESCE(?6, fetch_url), title = COALESCE(?7, title), site_url = COALESCE(?8, site_url),
             body_hash = ?9
             WHERE id = ?1",
        )?
        .execute(params![
            feed.0,
            now,
            rec.status,
            rec.etag,
            rec.last_modified,
            rec.fetch_url,
            rec.meta.title,
            rec.meta.site_url,
            rec.body_hash
        ])?;

        // New articles are unread. (Deletions and read changes are counted by triggers.)
        if counts.new > 0 {
            tx.prepare_cached(
                "UPDATE feeds SET article_count = article_count + ?2, unread_count = unread_count + ?2 WHERE id = ?1",
            )?
            .execute(params![feed.0, counts.new as i64])?;
        }
        counts.removed = retain(&tx, feed, rec.keep_per_feed, &seen_keys)?;
        match &mut self.deferred_fts {
            Some(deferred) => {
                tx.commit()?;
                deferred.append(&mut fts);
            }
            None => {
                write_fts(&tx, fts)?;
                tx.commit()?;
            }
        }
        Ok(counts)
    }

    /// Configured feeds with their tags and counts, in config order.
    pub fn feeds(&self) -> Result<Vec<Feed>> {
        let tags = self.tags_by_feed()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.id, f.url, f.fetch_url, COALESCE(f.config_title, f.title), f.site_url,
                    f.last_fetched, f.last_status, f.last_error,
                    f.article_count, f.unread_count
             FROM feeds f WHERE f.active = 1 ORDER BY f.position",
        )?;
        let rows = stmt.query_map([], |r| {
            let id = FeedId(r.get(0)?);
            Ok(Feed {
                id,
                url: r.get(1)?,
                fetch_url: r.get(2)?,
                title: r.get(3)?,
                site_url: r.get(4)?,
                tags: tags.get(&id).cloned().unwrap_or_default(),
                last_fetched: r.get::<_, Option<i64>>(5)?.map(ts),
                last_status: r.get(6)?,
                last_error: r.get(7)?,
                articles: r.get::<_, i64>(8)? as u64,
                unread: r.get::<_, i64>(9)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One page of a view, newest first, starting after `after` (keyset pagination: the cost of
    /// a page does not grow with its depth).
    pub fn list(&self, filter: &Filter, limit: usize, after: Option<Cursor>) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_select(filter);
        newest_first_after(&mut sql, &mut args, after, limit);
        self.query_summaries(&sql, args)
    }

    /// The page just before `before` (newer articles), returned newest first.
    pub fn list_before(&self, filter: &Filter, limit: usize, before: Cursor) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_select(filter);
        beyond(&mut sql, &mut args, before, Side::Newer);
        sql.push_str(" ORDER BY a.sort_time ASC, a.id ASC LIMIT ?");
        args.push(Box::new(limit as i64));
        let mut rows = self.query_summaries(&sql, args)?;
        rows.reverse();
        Ok(rows)
    }

    /// The oldest `limit` articles of a view, newest first (the bottom page).
    pub fn list_last(&self, filter: &Filter, limit: usize) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_select(filter);
        sql.push_str(" ORDER BY a.sort_time ASC, a.id ASC LIMIT ?");
        args.push(Box::new(limit as i64));
        let mut rows = self.query_summaries(&sql, args)?;
        rows.reverse();
        Ok(rows)
    }

    /// Articles in a view.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        // The per-feed counts answer every view but starred ones without reading articles.
        let (sql, args) = if filter.starred_only {
            filtered_count(filter)
        } else {
            let column = if filter.unread_only {
                "unread_count"
            } else {
                "article_count"
            };
            let mut sql = format!("SELECT COALESCE(SUM(f.{column}), 0) FROM feeds f WHERE f.active = 1");
            let mut args: Vec<Box<dyn ToSql>> = Vec::new();
            narrow_to_feeds(&mut sql, &mut args, filter, "f.id");
            (sql, args)
        };
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Articles of the view that sort before (are newer than) `cursor`: its index in the view.
    pub fn position(&self, filter: &Filter, cursor: Cursor) -> Result<usize> {
        let (mut sql, mut args) = filtered_count(filter);
        beyond(&mut sql, &mut args, cursor, Side::Newer);
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Marks every article of a view read; returns how many changed.
    pub fn mark_view_read(&mut self, filter: &Filter) -> Result<usize> {
        let (select, args) = filtered_select(filter);
        let sql = format!("UPDATE articles SET read = 1 WHERE read = 0 AND id IN (SELECT id FROM ({select}))");
        Ok(self.conn.prepare(&sql)?.execute(params_from_iter(args.iter()))?)
    }

    /// Full-text search over titles and bodies, newest first, within the filter.
    pub fn search(&self, query: &str, filter: &Filter, limit: usize) -> Result<Vec<ArticleSummary>> {
        let Some(expr) = fts::match_query(query) else {
            return Ok(Vec::new());
        };
        // Reading the index alone is cheap (a few ms for 100,000 hits); ordering all hits by time
        // is not. Few hits: SQLite sorts them. Many: walk the view newest first and keep hits, so
        // about `limit` / (hit ratio) rows are read.
        let hits: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1")?;
            let rows = stmt.query_map([&expr], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if hits.len() <= SORTED_HITS_MAX {
            let (mut sql, mut args) = filtered_select(filter);
            sql.push_str(" AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)");
            sql.push_str(" ORDER BY a.sort_time DESC, a.id DESC LIMIT ?");
            args.push(Box::new(expr));
            args.push(Box::new(limit as i64));
            return self.query_summaries(&sql, args);
        }
        let hits: HashSet<i64> = hits.into_iter().collect();
        let mut found: Vec<i64> = Vec::with_capacity(limit);
        let mut after: Option<Cursor> = None;
        while found.len() < limit {
            let (mut sql, mut args) = filtered("SELECT a.id, a.sort_time", filter);
            newest_first_after(&mut sql, &mut args, after, WALK_CHUNK);
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows: Vec<(i64, i64)> = stmt
                .query_map(params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let Some(&(id, sort_time)) = rows.last() else { break };
            after = Some(Cursor { sort_time, id });
            found.extend(
                rows.iter()
                    .map(|r| r.0)
                    .filter(|id| hits.contains(id))
                    .take(limit - found.len()),
            );
        }
        // In chunks, to stay under SQLite's limit on bound parameters; `found` is in view order.
        let mut out = Vec::with_capacity(found.len());
        for ids in found.chunks(500) {
            let (mut sql, mut args) = filtered_select(filter);
            sql.push_str(&format!(
                " AND a.id IN ({}) ORDER BY a.sort_time DESC, a.id DESC",
                vec!["?"; ids.len()].join(",")
            ));
            args.extend(ids.iter().map(|&id| Box::new(id) as Box<dyn ToSql>));
            out.extend(self.query_summaries(&sql, args)?);
        }
        Ok(out)
    }

    /// The keyset position of an article, to page from it in either direction.
    pub fn cursor_of(&self, id: ArticleId) -> Result<Cursor> {
        let sort_time = self
            .conn
            .prepare_cached("SELECT sort_time FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))?;
        Ok(Cursor { sort_time, id: id.0 })
    }

    pub fn article(&self, id: ArticleId) -> Result<Option<Article>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, a.content, a.full_content FROM articles a JOIN feeds f ON f.id = a.feed_id \
             WHERE a.id = ?1"
        );
        let tags = self.tags_by_feed()?;
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], |r| {
                Ok((
                    summary_from_row(r)?,
                    r.get::<_, Unpacked>(11)?.0,
                    r.get::<_, Unpacked>(12)?.0,
                ))
            })
            .optional()?;
        Ok(row.map(|(mut summary, content, full_content)| {
            summary.tags = tags.get(&summary.feed_id).cloned().unwrap_or_default();
            Article {
                summary,
                content,
                full_content,
            }
        }))
    }

    /// Keeps the extracted full article, or why it could not be had (then it is not retried
    /// by the background refresh; asking for it again does retry).
    pub fn set_full_content(&mut self, id: ArticleId, result: std::result::Result<&str, &str>) -> Result<()> {
        let (content, error) = match result {
            Ok(html) => (Some(pack(html)), None),
            Err(why) => (None, Some(why)),
        };
        self.conn
            .prepare_cached(
                "UPDATE articles SET full_content = COALESCE(?2, full_content), full_error = ?3 WHERE id = ?1",
            )?
            .execute(params![id.0, content, error])?;
        Ok(())
    }

    /// The newest articles of a feed whose full text has not been fetched or tried yet.
    pub fn missing_full_text(&self, feed: FeedId, limit: usize) -> Result<Vec<(ArticleId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, link FROM articles WHERE feed_id = ?1 AND full_content IS NULL AND full_error IS NULL
             AND link IS NOT NULL ORDER BY sort_time DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![feed.0, limit as i64], |r| Ok((ArticleId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks an article read or unread. False when no such article.
    pub fn set_read(&mut self, id: ArticleId, read: bool) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("UPDATE articles SET read = ?2 WHERE id = ?1")?
            .execute(params![id.0, read])?;
        Ok(n == 1)
    }

    pub fn set_starred(&mut self, id: ArticleId, starred: bool) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("UPDATE articles SET starred = ?2 WHERE id = ?1")?
            .execute(params![id.0, starred])?;
        Ok(n == 1)
    }

    fn tags_by_feed(&self) -> Result<HashMap<FeedId, Vec<String>>> {
        let mut map: HashMap<FeedId, Vec<String>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed_id, tag FROM feed_tags ORDER BY feed_id, pos")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            map.entry(FeedId(r.get(0)?)).or_default().push(r.get(1)?);
        }
        Ok(map)
    }

    fn query_summaries(&self, sql: &str, args: Vec<Box<dyn ToSql>>) -> Result<Vec<ArticleSummary>> {
        let tags = self.tags_by_feed()?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), summary_from_row)?;
        let mut out: Vec<ArticleSummary> = rows.collect::<rusqlite::Result<_>>()?;
        for a in &mut out {
            a.tags = tags.get(&a.feed_id).cloned().unwrap_or_default();
        }
        Ok(out)
    }
}

fn filtered_select(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered(&format!("SELECT {SUMMARY_COLUMNS}"), filter)
}

fn filtered_count(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered("SELECT COUNT(*)", filter)
}

/// `select` over the articles of configured feeds narrowed by the filter; more conditions may be
/// appended with AND.
fn filtered(select: &str, filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = format!("{select} FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.active = 1");
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if filter.unread_only {
        sql.push_str(" AND a.read = 0");
    }
    if filter.starred_only {
        sql.push_str(" AND a.starred = 1");
    }
    narrow_to_feeds(&mut sql, &mut args, filter, "a.feed_id");
    (sql, args)
}

/// The filter's tag and feed conditions, on a query joined to `feeds f`; `feed_id` names the
/// column holding the feed's id.
fn narrow_to_feeds(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, filter: &Filter, feed_id: &str) {
    if let Some(tag) = &filter.tag {
        sql.push_str(&format!(
            " AND {feed_id} IN (SELECT feed_id FROM feed_tags WHERE tag = ?)"
        ));
        args.push(Box::new(tag.clone()));
    }
    if let Some(url) = &filter.feed_url {
        sql.push_str(" AND f.url = ?");
        args.push(Box::new(url.clone()));
    }
}

/// Which rows of a view `beyond` keeps, from a cursor.
enum Side {
    Newer,
    Older,
}

/// Narrows a view query (from `filtered`) to the rows strictly newer or older than `cursor`.
fn beyond(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, cursor: Cursor, side: Side) {
    let op = match side {
        Side::Newer => ">",
        Side::Older => "<",
    };
    sql.push_str(&format!(
        " AND (a.sort_time {op} ? OR (a.sort_time = ? AND a.id {op} ?))"
    ));
    args.extend([
        Box::new(cursor.sort_time) as Box<dyn ToSql>,
        Box::new(cursor.sort_time),
        Box::new(cursor.id),
    ]);
}

/// Ends a view query (from `filtered`): the rows older than `after`, newest first, `limit` of them.
fn newest_first_after(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, after: Option<Cursor>, limit: usize) {
    if let Some(c) = after {
        beyond(sql, args, c, Side::Older);
    }
    sql.push_str(" ORDER BY a.sort_time DESC, a.id DESC LIMIT ?");
    args.push(Box::new(limit as i64));
}

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: ArticleId(r.get(0)?),
        feed_id: FeedId(r.get(1)?),
        feed_url: r.get(2)?,
        feed_title: r.get(3)?,
        title: r.get(4)?,
        link: r.get(5)?,
        author: r.get(6)?,
        published: r.get::<_, Option<i64>>(7)?.map(ts),
        read: r.get(8)?,
        starred: r.get(9)?,
        tags: Vec::new(),
    })
}

/// Keeps the newest `keep` articles of a feed. Only read, unstarred articles that are no longer
/// in the feed's current document are dropped: one still served would come back as unread.
fn retain(tx: &Connection, feed: FeedId, keep: usize, current: &HashSet<i64>) -> Result<usize> {
    let total: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM articles WHERE feed_id = ?1")?
        .query_row([feed.0], |r| r.get(0))?;
    if total as usize <= keep {
        return Ok(0);
    }
    let doomed: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, key, read, starred FROM articles WHERE feed_id = ?1
             ORDER BY sort_time DESC, id DESC LIMIT -1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![feed.0, keep as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let (id, key, read, starred) = row?;
            if read && !starred && !current.contains(&key) {
                ids.push(id);
            }
        }
        ids
    };
    let mut delete = tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?;
    for id in &doomed {
        delete.execute([id])?;
    }
    Ok(doomed.len())
}

fn write_fts(conn: &Connection, writes: Vec<FtsWrite>) -> Result<()> {
    let mut insert = conn.prepare_cached("INSERT INTO articles_fts (rowid, text) VALUES (?1, ?2)")?;
    let mut delete = conn.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?;
    for w in writes {
        match w {
            FtsWrite::Delete(id) => delete.execute([id])?,
            FtsWrite::Insert(id, text) => insert.execute(params![id, text])?,
        };
    }
    Ok(())
}

fn index_text(a: &NewArticle) -> String {
    let body = a.content.as_deref().map(html::to_plain).unwrap_or_default();
    fts::index_text(&a.title, &body)
}

/// Identifies a fetched feed body. Salted with the parser's generation, so a khabar that parses
/// differently reads every feed once more instead of trusting what an older one stored.
pub fn body_hash(bytes: &[u8]) -> i64 {
    const PARSER_GENERATION: &[u8] = b"khabar-parse-1";
    let mut h = Sha256::new();
    h.update(PARSER_GENERATION);
    h.update(bytes);
    i64::from_le_bytes(h.finalize()[..8].try_into().expect("sha256 is 32 bytes"))
}

fn hash64(bytes: &[u8]) -> i64 {
    let digest = Sha256::digest(bytes);
    i64::from_le_bytes(digest[..8].try_into().expect("sha256 is 32 bytes"))
}

fn article_hash(a: &NewArticle) -> i64 {
    let mut h = Sha256::new();
    for field in [
        Some(a.title.as_str()),
        a.link.as_deref(),
        a.author.as_deref(),
        a.content.as_deref(),
    ] {
        // Length-prefixed so ("ab", "c") and ("a", "bc") differ.
        let f = field.unwrap_or("");
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.update(a.published.map_or(i64::MIN, |p| p.timestamp()).to_le_bytes());
    i64::from_le_bytes(h.finalize()[..8].try_into().expect("sha256 is 32 bytes"))
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}
