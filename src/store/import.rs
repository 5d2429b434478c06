//! Another reader's history brought into the cache: newsboat's cache.db read (its items, read
//! state and flags), and imported articles written under their old identity, state and all.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OpenFlags};

use crate::model::{FeedId, ImportedArticle, NewArticle};

use super::hashes::{article_hash, hash64, IMPORTED_KEY_PREFIX};
use super::packing::pack;
use super::search_backlog;
use super::{Result, Store};

/// What an import did to one feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    /// Already in the cache (fetched by khabar, or imported before): their state was merged.
    pub merged: usize,
}

/// The items of a newsboat cache, by feed URL (deleted items left out), oldest first.
pub fn read_newsboat_cache(path: &Path) -> Result<Vec<(String, ImportedArticle)>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let mut stmt = conn.prepare(
        "SELECT feedurl, guid, title, author, url, pubDate, content, unread, COALESCE(flags, '')
         FROM rss_item WHERE deleted = 0 ORDER BY pubDate, id",
    )?;
    let text = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let rows = stmt.query_map([], |r| {
        let published: i64 = r.get(5)?;
        Ok((
            r.get::<_, String>(0)?,
            ImportedArticle {
                article: NewArticle {
                    key: r.get(1)?,
                    title: r.get(2)?,
                    author: text(r.get(3)?),
                    link: text(r.get(4)?),
                    published: (published > 0)
                        .then(|| Utc.timestamp_opt(published, 0).single())
                        .flatten(),
                    content: text(r.get(6)?),
                    enclosures: Vec::new(),
                },
                read: r.get::<_, i64>(7)? == 0,
                starred: !r.get::<_, String>(8)?.trim().is_empty(),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Writes imported articles into a feed in one transaction. Each is keyed by its old
    /// identity, so the next refresh recognises it (and gives it khabar's key) instead of adding
    /// it again; one already here gets the imported read and starred state.
    pub fn import_articles(
        &mut self,
        feed: FeedId,
        items: &[ImportedArticle],
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut counts = ImportCounts::default();
        let mut to_index = Vec::new();
        let mut new_unread = 0;
        {
            let mut find = tx.prepare_cached("SELECT id FROM articles WHERE feed_id = ?1 AND key IN (?2, ?3, ?4)")?;
            let mut flags = tx.prepare_cached("UPDATE articles SET read = ?2, starred = ?3 WHERE id = ?1")?;
            let mut current = tx.prepare_cached(
                "SELECT a.read, a.starred, i.read, i.starred FROM articles a
                 LEFT JOIN imported_flags i ON i.article_id = a.id WHERE a.id = ?1",
            )?;
            let mut remember = tx.prepare_cached(
                "INSERT INTO imported_flags (article_id, read, starred) VALUES (?1, ?2, ?3)
                 ON CONFLICT(article_id) DO UPDATE SET read = ?2, starred = ?3",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (feed_id, key, hash, sort_time, published, title, link, author, content, read, starred)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for item in items {
                let a = &item.article;
                // newsboat makes an item with no guid its link followed by its date: the link is
                // the identity khabar will see.
                let identity = match &a.link {
                    Some(link) if a.key.starts_with(link.as_str()) => link,
                    _ => &a.key,
                };
                let imported_key = hash64(format!("{IMPORTED_KEY_PREFIX}{identity}").as_bytes());
                let as_id = hash64(format!("id:{}", a.key).as_bytes());
                let as_link = a
                    .link
                    .as_ref()
                    .map_or(imported_key, |l| hash64(format!("link:{l}").as_bytes()));
                let found: Option<i64> = find
                    .query_row(params![feed.0, imported_key, as_id, as_link], |r| r.get(0))
                    .ok();
                if let Some(id) = found {
                    type Flags = (bool, bool, Option<bool>, Option<bool>);
                    let (read, starred, last_read, last_starred): Flags =
                        current.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                    let wanted = (
                        merged_flag(read, last_read, item.read),
                        merged_flag(starred, last_starred, item.starred),
                    );
                    if wanted != (read, starred) {
                        flags.execute(params![id, wanted.0, wanted.1])?;
                    }
                    remember.execute(params![id, item.read, item.starred])?;
                    counts.merged += 1;
                    continue;
                }
                let published = a.published.map(|p| p.timestamp());
                let sort_time = published.map_or(now.timestamp(), |p| p.min(now.timestamp()));
                insert.execute(params![
                    feed.0,
                    imported_key,
                    article_hash(a),
                    sort_time,
                    published,
                    a.title,
                    a.link,
                    a.author,
                    a.content.as_deref().map(pack),
                    item.read,
                    item.starred
                ])?;
                let id = tx.last_insert_rowid();
                remember.execute(params![id, item.read, item.starred])?;
                to_index.push((id, false));
                counts.added += 1;
                new_unread += usize::from(!item.read);
            }
        }
        // Inserts are counted here (deletes and read changes by trigger), as in `apply_fetch`.
        tx.prepare_cached(
            "UPDATE feeds SET article_count = article_count + ?2, unread_count = unread_count + ?3 WHERE id = ?1",
        )?
        .execute(params![feed.0, counts.added as i64, new_unread as i64])?;
        search_backlog::mark(&tx, &to_index)?;
        tx.commit()?;
        Ok(counts)
    }
}

/// One flag of an article another reader's import finds here: what the user did here since the
/// last import stays (an import never undoes it). Unchanged since then, it follows the other
/// reader; never imported before, it is set if either reader set it.
fn merged_flag(here: bool, last_imported: Option<bool>, imported: bool) -> bool {
    match last_imported {
        Some(last) if last != here => here,
        Some(_) => imported,
        None => here || imported,
    }
}
