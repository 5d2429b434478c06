//! The feeds and feed_tags tables: the configured feeds kept in step with the config, their
//! fetch state (validators, failures, back-off) and what the sidebar lists.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::config::FeedConfig;
use crate::model::{Feed, FeedId};

use super::{ts, Result, Store};

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

impl Store {
    /// Makes the feeds table match the config: adds new feeds, updates titles and tags, and hides
    /// (never deletes) feeds no longer configured, so their read and starred state survive.
    /// Writes nothing when the cache already matches, so starting up costs no write.
    pub fn sync_feeds(&mut self, feeds: &[FeedConfig]) -> Result<Vec<FeedId>> {
        type Row = (i64, Option<String>, i64, bool, Option<String>);
        let stored: HashMap<String, Row> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT url, id, config_title, position, active, fetch_url FROM feeds WHERE account IS NULL",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let tags = self.tags_by_feed()?;
        let configured: HashSet<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        let unchanged = stored.values().filter(|r| r.3).count() == feeds.len()
            && feeds.iter().enumerate().all(|(pos, f)| {
                stored.get(&f.url).is_some_and(|(id, title, position, active, _)| {
                    *active
                        && *title == f.title
                        && *position == pos as i64
                        && tags.get(&FeedId(*id)).map_or(f.tags.is_empty(), |t| *t == f.tags)
                })
            });
        if unchanged {
            return Ok(feeds.iter().map(|f| FeedId(stored[&f.url].0)).collect());
        }

        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // A feed is its URL. A configured URL with no row takes over the row of a feed no
        // longer configured only when that feed's server moved it there for good (a recorded
        // permanent redirect, or the feed its page linked to): never by title or position, which
        // gave one feed's articles to another. `move_feed` is the user's explicit move.
        {
            let mut taken: HashSet<&str> = HashSet::new();
            let mut rekey = tx.prepare(
                "UPDATE feeds SET url = ?2, etag = CASE WHEN fetch_url = ?2 THEN etag END,
                 last_modified = CASE WHEN fetch_url = ?2 THEN last_modified END,
                 body_hash = CASE WHEN fetch_url = ?2 THEN body_hash END, fetch_url = NULL
                 WHERE id = ?1",
            )?;
            for f in feeds {
                if stored.contains_key(&f.url) {
                    continue;
                }
                let moved = stored.iter().find(|(url, (_, _, _, _, fetch_url))| {
                    !configured.contains(url.as_str())
                        && !taken.contains(url.as_str())
                        && fetch_url.as_deref() == Some(f.url.as_str())
                });
                if let Some((old_url, (id, ..))) = moved {
                    tracing::info!("feed {old_url} moved to {} for good: its articles go with it", f.url);
                    rekey.execute(params![id, f.url])?;
                    taken.insert(old_url);
                }
            }
        }
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

    /// The user's explicit move of a feed's history (articles, read and starred state, tags and
    /// position) from `from` to `to`: the one way besides a permanent redirect that history
    /// changes URL. The caller (`subscribe::relocate`) has checked the config: `from` is one of
    /// its feeds and `to` is not. A row already at `to` (a feed removed before, or not yet
    /// hidden) is merged in, articles it shares with `from` kept once, `from`'s copy winning.
    /// The fetch state starts afresh, as the new address has its own validators and errors.
    /// None when `from` has no row yet (its config line is newer than the cache): nothing moves.
    pub fn move_feed(&mut self, from: &str, to: &str) -> Result<Option<FeedId>> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row = |url: &str| -> Result<Option<i64>> {
            let mut stmt = tx.prepare_cached("SELECT id FROM feeds WHERE url = ?1 AND account IS NULL")?;
            let mut rows = stmt.query([url])?;
            Ok(match rows.next()? {
                Some(r) => Some(r.get(0)?),
                None => None,
            })
        };
        let Some(id) = row(from)? else {
            return Ok(None);
        };
        if from == to {
            return Ok(Some(FeedId(id)));
        }
        if let Some(other) = row(to)? {
            tx.execute(
                "UPDATE OR IGNORE articles SET feed_id = ?1 WHERE feed_id = ?2",
                params![id, other],
            )?;
            tx.execute("DELETE FROM articles WHERE feed_id = ?1", [other])?;
            tx.execute("DELETE FROM feeds WHERE id = ?1", [other])?;
        }
        tx.execute(
            "UPDATE feeds SET url = ?2, fetch_url = NULL, etag = NULL, last_modified = NULL, body_hash = NULL,
             last_fetched = NULL, last_status = NULL, last_error = NULL, failures = 0, retry_after = NULL,
             article_count = (SELECT COUNT(*) FROM articles a WHERE a.feed_id = ?1 AND a.hidden = 0),
             unread_count = (SELECT COUNT(*) FROM articles a WHERE a.feed_id = ?1 AND a.hidden = 0 AND a.read = 0)
             WHERE id = ?1",
            params![id, to],
        )?;
        tx.commit()?;
        Ok(Some(FeedId(id)))
    }

    /// Fetch state of the configured feeds, in config order.
    pub fn poll_states(&self) -> Result<Vec<PollState>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, url, fetch_url, etag, last_modified, last_fetched, failures, retry_after, body_hash
             FROM feeds WHERE active = 1 AND account IS NULL ORDER BY position",
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

    /// Configured feeds with their tags and counts, in config order.
    pub fn feeds(&self) -> Result<Vec<Feed>> {
        let tags = self.tags_by_feed()?;
        let folded = self.unread_folded()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.id, f.url, f.fetch_url, COALESCE(f.config_title, f.title), f.site_url,
                    f.last_fetched, f.last_status, f.last_error,
                    f.article_count, f.unread_count, f.account
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
                unread_folded: folded.get(&id).copied().unwrap_or(0),
                account: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Unread articles folded into another's story, by feed (the partial index holds only
    /// folded articles, so this reads those alone).
    fn unread_folded(&self) -> Result<HashMap<FeedId, u64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_id, COUNT(*) FROM articles WHERE folded = 1 AND read = 0 AND hidden = 0 GROUP BY feed_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((FeedId(r.get(0)?), r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn tags_by_feed(&self) -> Result<HashMap<FeedId, Vec<String>>> {
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
}
