//! The change log's life: on while a reader keeps counts, the counts saved in the cache when it
//! leaves (so the next one starts from them, the log still on), off when nothing will read it.

use std::fs::File;
use std::path::Path;

use rusqlite::OptionalExtension;

use super::{FeedPrint, KeptCounts};
use crate::store::{Result, Store};

/// Past this many logged changes with no reader, the log is turned off and the saved counts
/// dropped (the next reader counts from scratch): a log nothing reads must not grow for ever.
const LOG_CAP: i64 = 200_000;

/// The reader's lock on a cache (`cache.lock` beside it): Some while this process holds it,
/// None when another process does. The OS releases it when the holder ends, however it ends.
pub fn lock_reader(cache: &Path) -> std::io::Result<Option<File>> {
    let file = File::create(cache.with_extension("lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

impl Store {
    /// Starts keeping counts on this connection: the change log on and emptied. Only one
    /// keeper per cache (the reader, which holds the cache's lock).
    pub fn keep_counts(&mut self) -> Result<KeptCounts> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             INSERT OR IGNORE INTO count_watch (id) VALUES (1);
             DELETE FROM article_changes;
             DELETE FROM kept_state;
             COMMIT;",
        )?;
        Ok(KeptCounts::default())
    }

    /// Stops the change log and drops any saved counts (the next reader counts from scratch).
    pub fn stop_keeping_counts(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             DELETE FROM count_watch;
             DELETE FROM article_changes;
             DELETE FROM kept_state;
             COMMIT;",
        )?;
        Ok(())
    }

    /// Looks after the log while no reader runs (a headless command calls this; one read when
    /// the log is off): turned off when no reader will start from it (a reader that died left
    /// no counts to start from) or when it has grown past `LOG_CAP`.
    pub fn tend_count_log(&mut self, cache: &Path) -> Result<()> {
        let on: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM count_watch)", [], |r| r.get(0))?;
        if !on {
            return Ok(());
        }
        // The reader holds its lock while it lives; holding it proves there is none, and keeps
        // one from starting (and turning the log on) until this is done.
        let Ok(Some(_lock)) = lock_reader(cache) else {
            return Ok(());
        };
        // The span of the log's numbers: as many rows at most, read from its ends.
        let (saved, logged): (bool, i64) = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM kept_state),
                    (SELECT COALESCE(MAX(seq) - MIN(seq) + 1, 0) FROM article_changes)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !saved || logged > LOG_CAP {
            tracing::info!("turning the change log off ({logged} changes, saved counts: {saved})");
            self.stop_keeping_counts()?;
        }
        Ok(())
    }

    /// Starts keeping counts from those the last reader saved, when the log has been on since:
    /// then only what changed meanwhile is judged. Otherwise as `keep_counts`.
    pub fn resume_counts(&mut self) -> Result<KeptCounts> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let on: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM count_watch)", [], |r| r.get(0))?;
        let saved: Option<Vec<u8>> = tx
            .query_row("SELECT state FROM kept_state", [], |r| r.get(0))
            .optional()?;
        // Taken: a reader that dies leaves none behind to be trusted.
        tx.execute("DELETE FROM kept_state", [])?;
        tx.commit()?;
        match saved.filter(|_| on).and_then(|bytes| decode(&bytes)) {
            Some(kept) => Ok(kept),
            None => self.keep_counts(),
        }
    }

    /// Saves the counts for the next reader and leaves the log on (a reader leaving).
    pub fn save_counts(&mut self, kept: &KeptCounts) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR REPLACE INTO kept_state (id, state) SELECT 1, ?1 FROM count_watch",
            [encode(kept)],
        )?;
        tx.execute("DELETE FROM article_changes WHERE seq < ?1", [kept.last_change])?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes the log rows `kept` has read (the last one stays: its number is where the next
    /// change's is counted from). Cheap when there is nothing to delete.
    pub fn trim_changes(&mut self, kept: &mut KeptCounts) -> Result<()> {
        if kept.last_change > kept.trimmed_to {
            self.conn
                .prepare_cached("DELETE FROM article_changes WHERE seq < ?1")?
                .execute([kept.last_change])?;
            kept.trimmed_to = kept.last_change;
        }
        Ok(())
    }
}

/// The version of `encode`'s layout; another is not read (the reader counts from scratch).
const FORMAT: u8 = 1;

/// The counts as bytes: each number a LEB128 varint, each query's ids as gaps from the last.
fn encode(k: &KeptCounts) -> Vec<u8> {
    let mut out = vec![FORMAT];
    let put = |out: &mut Vec<u8>, mut n: u64| loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    };
    for n in [k.highest, k.last_change, k.asked_at] {
        put(&mut out, n as u64);
    }
    put(&mut out, k.feeds.tags_and_active);
    put(&mut out, k.feeds.names);
    put(&mut out, k.kept.len() as u64);
    for (text, ids) in &k.kept {
        put(&mut out, text.len() as u64);
        out.extend_from_slice(text.as_bytes());
        put(&mut out, ids.len() as u64);
        let mut last = 0i64;
        for &id in ids {
            put(&mut out, id.wrapping_sub(last) as u64);
            last = id;
        }
    }
    out
}

/// `encode`'s bytes back; None for anything else (another format, a damaged row).
fn decode(bytes: &[u8]) -> Option<KeptCounts> {
    let (&format, rest) = bytes.split_first()?;
    if format != FORMAT {
        return None;
    }
    let mut r = Bytes(rest);
    let (highest, last_change, asked_at) = (r.number()? as i64, r.number()? as i64, r.number()? as i64);
    let feeds = FeedPrint {
        tags_and_active: r.number()?,
        names: r.number()?,
    };
    let mut kept = std::collections::HashMap::new();
    for _ in 0..r.number()? {
        let len = r.number()? as usize;
        let text = String::from_utf8(r.take(len)?.to_vec()).ok()?;
        let count = r.number()? as usize;
        let mut ids = Vec::with_capacity(count.min(r.0.len()));
        let mut last = 0i64;
        for _ in 0..count {
            last = last.wrapping_add(r.number()? as i64);
            ids.push(last);
        }
        kept.insert(text, ids);
    }
    r.0.is_empty().then_some(KeptCounts {
        kept,
        highest,
        last_change,
        asked_at,
        feeds,
        trimmed_to: 0,
    })
}

/// What is left to read of `encode`'s bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn number(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first()?;
            self.0 = rest;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..len)?, self.0.get(len..)?);
        self.0 = rest;
        Some(head)
    }
}
