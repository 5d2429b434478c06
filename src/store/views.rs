//! Views of the articles table: a filter (unread, starred, tag, feed) read a page at a time with
//! keyset cursors in both directions, counted, and positioned; rows become `ArticleSummary`s.

use rusqlite::{params_from_iter, ToSql};

use crate::model::{ArticleId, ArticleSummary, FeedId, Filter};

use super::{ts, Result, Store};

/// A position in a view (newest first): an article's (sort_time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub(super) sort_time: i64,
    pub(super) id: i64,
}

pub(super) const SUMMARY_COLUMNS: &str = "a.id, a.feed_id, f.url, COALESCE(f.config_title, f.title, f.url), a.title, \
     a.link, a.author, a.published, a.read, a.starred, a.sort_time";

impl Store {
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

    /// The keyset position of an article, to page from it in either direction.
    pub fn cursor_of(&self, id: ArticleId) -> Result<Cursor> {
        let sort_time = self
            .conn
            .prepare_cached("SELECT sort_time FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))?;
        Ok(Cursor { sort_time, id: id.0 })
    }

    pub(super) fn query_summaries(&self, sql: &str, args: Vec<Box<dyn ToSql>>) -> Result<Vec<ArticleSummary>> {
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

pub(super) fn filtered_select(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered(&format!("SELECT {SUMMARY_COLUMNS}"), filter)
}

fn filtered_count(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered("SELECT COUNT(*)", filter)
}

/// `select` over the articles of configured feeds narrowed by the filter; more conditions may be
/// appended with AND.
pub(super) fn filtered(select: &str, filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
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
pub(super) fn newest_first_after(
    sql: &mut String,
    args: &mut Vec<Box<dyn ToSql>>,
    after: Option<Cursor>,
    limit: usize,
) {
    if let Some(c) = after {
        beyond(sql, args, c, Side::Older);
    }
    sql.push_str(" ORDER BY a.sort_time DESC, a.id DESC LIMIT ?");
    args.push(Box::new(limit as i64));
}

pub(super) fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleSummary> {
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
