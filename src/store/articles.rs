//! One article at a time: reading it whole (body, reader-mode page, attachments), its read and
//! starred flags, marking a view read, and the reader-mode page kept beside the feed's text.

use std::collections::HashMap;

use rusqlite::{params, params_from_iter, OptionalExtension};

use crate::model::{Article, ArticleId, Enclosure, FeedId, Filter, Flag};

use super::packing::{pack, Unpacked};
use super::views::{filtered_select, summary_from_row, SUMMARY_COLUMNS};
use super::{Result, Store};

impl Store {
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
                    r.get::<_, Unpacked>(13)?.0,
                    r.get::<_, Unpacked>(14)?.0,
                ))
            })
            .optional()?;
        let Some((mut summary, content, full_content)) = row else {
            return Ok(None);
        };
        summary.tags = tags.get(&summary.feed_id).cloned().unwrap_or_default();
        self.fill_also_in(std::slice::from_mut(&mut summary))?;
        let enclosures = self.enclosures(&[id])?.remove(&id).unwrap_or_default();
        Ok(Some(Article {
            summary,
            content,
            full_content,
            enclosures,
        }))
    }

    /// The newest article's id: articles stored later have larger ones (what a refresh brought).
    pub fn last_article_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM articles")?
            .query_row([], |r| r.get(0))?)
    }

    /// The articles stored after `after` (an id from `last_article_id`), that filters left
    /// visible, oldest first, at most `limit`: what a refresh brought, for hooks and notices.
    pub fn articles_after(&self, after: i64, limit: usize) -> Result<Vec<Article>> {
        let ids: Vec<ArticleId> = self
            .conn
            .prepare_cached(
                "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id
                 WHERE a.id > ?1 AND a.hidden = 0 AND f.active = 1 ORDER BY a.id LIMIT ?2",
            )?
            .query_map(params![after, limit as i64], |r| Ok(ArticleId(r.get(0)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.article(id)?);
        }
        Ok(out)
    }

    /// The attachments of these articles, in their order.
    pub fn enclosures(&self, ids: &[ArticleId]) -> Result<HashMap<ArticleId, Vec<Enclosure>>> {
        let list = serde_json::to_string(&ids.iter().map(|id| id.0).collect::<Vec<i64>>()).unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT article_id, url, mime, length, duration FROM enclosures
             WHERE article_id IN (SELECT value FROM json_each(?1)) ORDER BY article_id, pos",
        )?;
        let mut rows = stmt.query([list])?;
        let mut out: HashMap<ArticleId, Vec<Enclosure>> = HashMap::new();
        while let Some(r) = rows.next()? {
            out.entry(ArticleId(r.get(0)?)).or_default().push(Enclosure {
                url: r.get(1)?,
                mime: r.get(2)?,
                length: r.get::<_, Option<i64>>(3)?.map(|n| n as u64),
                duration: r.get::<_, Option<i64>>(4)?.map(|n| n as u64),
            });
        }
        Ok(out)
    }

    /// Why the article's web page could not be had for reader mode, if it could not.
    pub fn full_error(&self, id: ArticleId) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT full_error FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?
            .flatten())
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

    /// Marks every article of a view read; returns how many changed.
    pub fn mark_view_read(&mut self, filter: &Filter) -> Result<usize> {
        Ok(self.mark_view_read_ids(filter)?.len())
    }

    /// Marks every article of a view read; returns exactly the articles it changed, so undoing
    /// it touches those and nothing that arrived or was read since.
    pub fn mark_view_read_ids(&mut self, filter: &Filter) -> Result<Vec<ArticleId>> {
        let (select, args) = filtered_select(filter, &self.article_tagged(filter)?);
        let sql =
            format!("UPDATE articles SET read = 1 WHERE read = 0 AND id IN (SELECT id FROM ({select})) RETURNING id");
        let mut stmt = self.conn.prepare(&sql)?;
        let ids = stmt.query_map(params_from_iter(args.iter()), |r| Ok(ArticleId(r.get(0)?)))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets a flag on many articles in one statement; returns those whose flag changed (ids
    /// that no longer exist are skipped).
    pub fn set_flag_many(&mut self, ids: &[ArticleId], flag: Flag, value: bool) -> Result<Vec<ArticleId>> {
        let column = flag_column(flag);
        // In rowid order the rows are visited page after page, not back and forth.
        let mut sorted: Vec<i64> = ids.iter().map(|id| id.0).collect();
        sorted.sort_unstable();
        let list = serde_json::to_string(&sorted).unwrap_or_default();
        let sql = format!(
            "UPDATE articles SET {column} = ?1 WHERE {column} != ?1 AND id IN (SELECT value FROM json_each(?2))
             RETURNING id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let changed = stmt.query_map(params![value, list], |r| Ok(ArticleId(r.get(0)?)))?;
        Ok(changed.collect::<rusqlite::Result<_>>()?)
    }

    /// Which of `ids` are articles in the cache, in the order given.
    pub fn existing(&self, ids: &[ArticleId]) -> Result<Vec<ArticleId>> {
        let list = serde_json::to_string(&ids.iter().map(|id| id.0).collect::<Vec<i64>>()).unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT j.value FROM json_each(?1) j WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = j.value)
             ORDER BY j.key",
        )?;
        let found = stmt.query_map([list], |r| Ok(ArticleId(r.get(0)?)))?;
        Ok(found.collect::<rusqlite::Result<_>>()?)
    }
}

/// The column holding a flag.
pub(super) fn flag_column(flag: Flag) -> &'static str {
    match flag {
        Flag::Read => "read",
        Flag::Starred => "starred",
        Flag::Hidden => "hidden",
    }
}
