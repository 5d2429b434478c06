//! The sync side of the cache: an account's subscriptions as feeds, its articles' server ids,
//! the local changes waiting to be pushed (`sync_pending`), and the server's state applied.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, TransactionBehavior};

use crate::model::{ArticleId, FeedId, Flag};

use super::{Result, Store};

/// A subscription as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFeed {
    /// The server's id for it (`feed/12` in GReader, a number in Fever).
    pub id: String,
    pub title: Option<String>,
    /// The feed's own address, when the server says.
    pub url: Option<String>,
    pub site_url: Option<String>,
    /// Its folders (GReader labels, Fever groups): the feed's tags here.
    pub folders: Vec<String>,
}

/// A synced article's server id and the state the server gave it when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteArticle {
    pub id: i64,
    pub read: bool,
    pub starred: bool,
}

/// A local change the server has not accepted yet: `flag` should be `value` on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingChange {
    pub article: ArticleId,
    pub remote: i64,
    pub flag: Flag,
    pub value: bool,
}

/// What the server's state changed here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateApplied {
    pub read: usize,
    pub unread: usize,
    pub starred: usize,
    pub unstarred: usize,
}

impl StateApplied {
    pub fn total(&self) -> usize {
        self.read + self.unread + self.starred + self.unstarred
    }
}

/// Subscriptions start after the config's feeds in the sidebar, in the server's order.
const FIRST_SYNCED_POSITION: i64 = 1_000_000;

/// The identity of a synced feed in `feeds.url` (never a configured feed's address).
pub fn synced_feed_key(account: &str, remote_id: &str) -> String {
    format!("sync:{account}:{remote_id}")
}

fn flag_name(flag: Flag) -> Option<&'static str> {
    match flag {
        Flag::Read => Some("read"),
        Flag::Starred => Some("starred"),
        Flag::Hidden => None,
    }
}

impl Store {
    /// Makes an account's feeds match its subscriptions (titles, addresses, folders as tags);
    /// those no longer subscribed are hidden, never deleted. Returns server id -> feed.
    pub fn sync_remote_feeds(&mut self, account: &str, feeds: &[RemoteFeed]) -> Result<HashMap<String, FeedId>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ids = HashMap::with_capacity(feeds.len());
        {
            let mut upsert = tx.prepare(
                "INSERT INTO feeds (url, account, remote_id, title, fetch_url, site_url, position, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
                 ON CONFLICT(url) DO UPDATE SET title = COALESCE(?4, title), fetch_url = ?5,
                     site_url = COALESCE(?6, site_url), position = ?7, active = 1
                 RETURNING id",
            )?;
            let mut clear_tags = tx.prepare("DELETE FROM feed_tags WHERE feed_id = ?1")?;
            let mut add_tag = tx.prepare("INSERT OR IGNORE INTO feed_tags (tag, feed_id, pos) VALUES (?1, ?2, ?3)")?;
            for (pos, f) in feeds.iter().enumerate() {
                let id: i64 = upsert.query_row(
                    params![
                        synced_feed_key(account, &f.id),
                        account,
                        f.id,
                        f.title,
                        f.url,
                        f.site_url,
                        FIRST_SYNCED_POSITION + pos as i64
                    ],
                    |r| r.get(0),
                )?;
                clear_tags.execute([id])?;
                for (tag_pos, t) in f.folders.iter().enumerate() {
                    add_tag.execute(params![t, id, tag_pos as i64])?;
                }
                ids.insert(f.id.clone(), FeedId(id));
            }
        }
        let subscribed: Vec<i64> = ids.values().map(|f| f.0).collect();
        tx.execute(
            "UPDATE feeds SET active = 0 WHERE account = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
            params![account, serde_json::to_string(&subscribed).unwrap_or_default()],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// Records how an account's sync ended on each of its feeds, as a fetch's outcome is: the
    /// sidebar and `feeds` show a failed account's feeds as failed, with the reason.
    pub fn record_sync(&mut self, account: &str, at: chrono::DateTime<chrono::Utc>, error: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = ?3, last_error = ?4 WHERE account = ?1 AND active = 1",
            )?
            .execute(params![
                account,
                at.timestamp(),
                if error.is_some() { "sync error" } else { "synced" },
                error
            ])?;
        Ok(())
    }

    /// The account and server id of the synced feed at this address (its own URL), if any.
    pub fn remote_feed_at(&self, url: &str) -> Result<Option<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account, remote_id FROM feeds WHERE account IS NOT NULL AND active = 1 AND fetch_url = ?1",
        )?;
        let mut rows = stmt.query([url.trim()])?;
        Ok(match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        })
    }

    /// Hides a synced feed at once (unsubscribed here; the next sync would hide it anyway).
    pub fn hide_remote_feed(&mut self, account: &str, remote_id: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE feeds SET active = 0 WHERE account = ?1 AND remote_id = ?2")?
            .execute(params![account, remote_id])?;
        Ok(())
    }

    /// A mark of where an account's sync stands (`sync_marks`), if one was set.
    pub fn sync_mark(&self, account: &str, mark: &str) -> Result<Option<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM sync_marks WHERE account = ?1 AND mark = ?2")?;
        let mut rows = stmt.query(params![account, mark])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    pub fn set_sync_mark(&mut self, account: &str, mark: &str, value: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_marks (account, mark, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT(account, mark) DO UPDATE SET value = ?3",
            )?
            .execute(params![account, mark, value])?;
        Ok(())
    }

    /// The server ids of an account's articles in the cache.
    pub fn remote_ids(&self, account: &str) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.remote FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE f.account = ?1 AND a.remote IS NOT NULL",
        )?;
        let ids = stmt.query_map([account], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    /// Local changes to an account's articles that its server has not accepted yet.
    pub fn pending_changes(&self, account: &str) -> Result<Vec<PendingChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.article_id, a.remote, p.flag, p.value FROM sync_pending p
             JOIN articles a ON a.id = p.article_id JOIN feeds f ON f.id = a.feed_id
             WHERE f.account = ?1 ORDER BY p.article_id",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(PendingChange {
                article: ArticleId(r.get(0)?),
                remote: r.get(1)?,
                flag: if r.get::<_, String>(2)? == "starred" {
                    Flag::Starred
                } else {
                    Flag::Read
                },
                value: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every pending local change, all accounts (`sync --json`, the status bar).
    pub fn pending_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM sync_pending")?
            .query_row([], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Forgets changes the server accepted: each only if it still asks for the value pushed (a
    /// change made while the push was on its way stays pending).
    pub fn clear_pushed(&mut self, pushed: &[PendingChange]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut cleared = 0;
        {
            let mut delete =
                tx.prepare_cached("DELETE FROM sync_pending WHERE article_id = ?1 AND flag = ?2 AND value = ?3")?;
            for p in pushed {
                if let Some(flag) = flag_name(p.flag) {
                    cleared += delete.execute(params![p.article.0, flag, p.value])?;
                }
            }
        }
        tx.commit()?;
        Ok(cleared)
    }

    /// Applies the server's read and starred state to the account's articles the server still
    /// has (`present`) in feeds still subscribed, except where a local change is pending: that
    /// one wins and is pushed next time. Articles of a feed removed on the server keep their
    /// state (the server's sets no longer mention them). The writes this makes are the
    /// server's, so they are not recorded as pending.
    pub fn apply_remote_state(
        &mut self,
        account: &str,
        unread: &HashSet<i64>,
        starred: &HashSet<i64>,
        present: &dyn Fn(i64) -> bool,
    ) -> Result<StateApplied> {
        // One write transaction from reading to writing: a change the reader makes meanwhile
        // waits, then finds the server's value and is recorded as pending on top of it.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows: Vec<(i64, i64, bool, bool)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT a.id, a.remote, a.read, a.starred FROM articles a JOIN feeds f ON f.id = a.feed_id
                 WHERE f.account = ?1 AND f.active = 1 AND a.remote IS NOT NULL",
            )?;
            let rows = stmt.query_map([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let (mut to_read, mut to_unread, mut to_star, mut to_unstar) = (vec![], vec![], vec![], vec![]);
        for (id, remote, read, is_starred) in rows {
            if !present(remote) {
                continue;
            }
            match (read, unread.contains(&remote)) {
                (false, false) => to_read.push(id),
                (true, true) => to_unread.push(id),
                _ => {}
            }
            match (is_starred, starred.contains(&remote)) {
                (false, true) => to_star.push(id),
                (true, false) => to_unstar.push(id),
                _ => {}
            }
        }
        let mut applied = StateApplied::default();
        for (column, value, ids, count) in [
            ("read", true, &to_read, &mut applied.read),
            ("read", false, &to_unread, &mut applied.unread),
            ("starred", true, &to_star, &mut applied.starred),
            ("starred", false, &to_unstar, &mut applied.unstarred),
        ] {
            if ids.is_empty() {
                continue;
            }
            let list = serde_json::to_string(ids).unwrap_or_default();
            let changed: Vec<i64> = tx
                .prepare_cached(&format!(
                    "UPDATE articles SET {column} = ?1 WHERE {column} != ?1 AND id IN (SELECT value FROM json_each(?2))
                     AND id NOT IN (SELECT article_id FROM sync_pending WHERE flag = '{column}')
                     RETURNING id"
                ))?
                .query_map(params![value, list], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // The trigger recorded these as local changes: they are the server's own.
            tx.prepare_cached(
                "DELETE FROM sync_pending WHERE flag = ?1 AND article_id IN (SELECT value FROM json_each(?2))",
            )?
            .execute(params![column, serde_json::to_string(&changed).unwrap_or_default()])?;
            *count = changed.len();
        }
        tx.commit()?;
        Ok(applied)
    }
}
