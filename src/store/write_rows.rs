//! The statements one fetch writes with (`write::apply_fetch`): articles and their
//! attachments, the tags filters gave them, and the outcome on the feed's row.

use std::collections::HashMap;

use rusqlite::params;

use crate::model::{FeedId, NewArticle};

use super::packing::Packed;
use super::write::FetchRecord;
use super::Result;

/// The statements that write a feed's articles and their attachments, prepared once per fetch.
pub(super) struct ArticleRows<'t> {
    insert: rusqlite::CachedStatement<'t>,
    update: rusqlite::CachedStatement<'t>,
    pub(super) rekey: rusqlite::CachedStatement<'t>,
    clear_enclosures: rusqlite::CachedStatement<'t>,
    enclosure: rusqlite::CachedStatement<'t>,
}

/// What a new article's row holds besides the feed's own fields.
pub(super) struct NewRow {
    pub(super) feed: FeedId,
    pub(super) key: i64,
    pub(super) hash: i64,
    pub(super) sort_time: i64,
    pub(super) published: Option<i64>,
    pub(super) read: bool,
    pub(super) starred: bool,
    pub(super) hidden: bool,
    pub(super) remote: Option<i64>,
}

impl<'t> ArticleRows<'t> {
    pub(super) fn prepare(tx: &'t rusqlite::Savepoint<'_>) -> rusqlite::Result<ArticleRows<'t>> {
        Ok(ArticleRows {
            insert: tx.prepare_cached(
                "INSERT INTO articles (feed_id, key, hash, sort_time, published, title, link, author, content,
                 read, starred, hidden, remote)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            update: tx.prepare_cached(
                "UPDATE articles SET hash = ?2, published = ?3, title = ?4, link = ?5, author = ?6, content = ?7
                 WHERE id = ?1",
            )?,
            rekey: tx.prepare_cached("UPDATE articles SET key = ?2 WHERE id = ?1")?,
            clear_enclosures: tx.prepare_cached("DELETE FROM enclosures WHERE article_id = ?1")?,
            enclosure: tx.prepare_cached(
                "INSERT INTO enclosures (article_id, pos, url, mime, length, duration) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
        })
    }

    /// A new article with its attachments; its id.
    pub(super) fn insert(
        &mut self,
        tx: &rusqlite::Savepoint<'_>,
        row: &NewRow,
        a: &NewArticle,
        body: Option<&Packed>,
    ) -> rusqlite::Result<i64> {
        self.insert.execute(params![
            row.feed.0,
            row.key,
            row.hash,
            row.sort_time,
            row.published,
            a.title,
            a.link,
            a.author,
            body,
            row.read,
            row.starred,
            row.hidden,
            row.remote
        ])?;
        let id = tx.last_insert_rowid();
        self.enclosures(id, a, false)?;
        Ok(id)
    }

    /// A changed article's fields and attachments (its read and starred state kept).
    pub(super) fn update(
        &mut self,
        id: i64,
        hash: i64,
        published: Option<i64>,
        a: &NewArticle,
        body: Option<&Packed>,
    ) -> rusqlite::Result<()> {
        self.update
            .execute(params![id, hash, published, a.title, a.link, a.author, body])?;
        self.enclosures(id, a, true)
    }

    fn enclosures(&mut self, id: i64, a: &NewArticle, replace: bool) -> rusqlite::Result<()> {
        if replace {
            self.clear_enclosures.execute([id])?;
        }
        for (pos, e) in a.enclosures.iter().enumerate() {
            self.enclosure.execute(params![
                id,
                pos as i64,
                e.url,
                e.mime,
                e.length.map(|n| n as i64),
                e.duration.map(|n| n as i64)
            ])?;
        }
        Ok(())
    }
}

/// The feed's stored articles: identity key -> (id, hash of the stored fields).
pub(super) fn stored_rows(tx: &rusqlite::Savepoint<'_>, feed: FeedId) -> Result<HashMap<i64, (i64, i64)>> {
    let mut stmt = tx.prepare_cached("SELECT key, id, hash FROM articles WHERE feed_id = ?1")?;
    let rows = stmt.query_map([feed.0], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The tags filters gave new articles, in one statement for all (a statement per tag cost a
/// tenth of a cold refresh whose filters tag most articles).
pub(super) fn write_filter_tags(tx: &rusqlite::Savepoint<'_>, tags: &[(i64, &str)]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let pairs = serde_json::to_string(tags).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT OR IGNORE INTO article_tags (article_id, tag)
         SELECT value ->> 0, value ->> 1 FROM json_each(?1)",
    )?
    .execute([pairs])?;
    Ok(())
}

/// The fetch's outcome on the feed's row: when, its status and validators, where it moved, its
/// own title and site, the body's hash; any earlier failure cleared.
pub(super) fn record_fetch(tx: &rusqlite::Savepoint<'_>, feed: FeedId, now: i64, rec: &FetchRecord) -> Result<()> {
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
    Ok(())
}
