//! Views of the articles table: a filter (unread, starred, tag, feed) read a page at a time with
//! keyset cursors in both directions, counted, and positioned; rows become `ArticleSummary`s.

use rusqlite::{params_from_iter, ToSql};

use crate::model::{ArticleId, ArticleSummary, FeedId, Filter, SortOrder};

use super::order::{beyond, cursor_from_row, order_by, Cursor, Side, ALL_CURSOR_COLUMNS};
use super::query_sql::Tagged;
use super::{ts, Result, Store};

/// Where a page of a view starts.
#[derive(Clone, Copy)]
enum Start<'a> {
    Top,
    After(&'a Cursor),
    At(&'a Cursor),
    Before(&'a Cursor),
    Bottom,
}

pub(super) const SUMMARY_COLUMNS: &str = "a.id, a.feed_id, \
     CASE WHEN f.account IS NULL THEN f.url ELSE COALESCE(f.fetch_url, f.url) END, COALESCE(f.config_title, f.title, f.url), a.title, \
     a.link, a.author, a.published, a.read, a.starred, a.sort_time, a.hidden, a.story";

impl Store {
    /// One page of a view in its order, starting after `after` (keyset pagination: the cost of
    /// a page does not grow with its depth).
    pub fn list(&self, filter: &Filter, limit: usize, after: Option<&Cursor>) -> Result<Vec<ArticleSummary>> {
        self.page(filter, limit, after.map_or(Start::Top, Start::After))
    }

    /// A page of a view starting at `from` itself (to show an article found elsewhere).
    pub fn list_from(&self, filter: &Filter, limit: usize, from: &Cursor) -> Result<Vec<ArticleSummary>> {
        self.page(filter, limit, Start::At(from))
    }

    /// The page just before `before` in the view's order, returned in that order.
    pub fn list_before(&self, filter: &Filter, limit: usize, before: &Cursor) -> Result<Vec<ArticleSummary>> {
        self.page(filter, limit, Start::Before(before))
    }

    /// The last `limit` articles of a view, in its order (the bottom page).
    pub fn list_last(&self, filter: &Filter, limit: usize) -> Result<Vec<ArticleSummary>> {
        self.page(filter, limit, Start::Bottom)
    }

    /// `limit` rows of the view from `start`, in the view's order (rows before a cursor, or at
    /// the bottom, are read backwards and turned round).
    fn page(&self, filter: &Filter, limit: usize, start: Start<'_>) -> Result<Vec<ArticleSummary>> {
        let tagged = self.article_tagged(filter)?;
        let (mut sql, mut args) = filtered_walk(&summary_select(), filter, self.walk(filter)?, &tagged);
        let beyond_cursor = match start {
            Start::Top | Start::Bottom => None,
            Start::After(c) => Some((c, Side::Later, false)),
            Start::At(c) => Some((c, Side::Later, true)),
            Start::Before(c) => Some((c, Side::Earlier, false)),
        };
        if let Some((cursor, side, inclusive)) = beyond_cursor {
            beyond(&mut sql, &mut args, filter.sort, cursor, side, inclusive);
        }
        let backwards = matches!(start, Start::Before(_) | Start::Bottom);
        order_by(&mut sql, filter.sort, backwards);
        sql.push_str(" LIMIT ?");
        args.push(Box::new(limit as i64));
        let mut rows = self.query_summaries(&sql, args)?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The first unread article after `after` (or before it, with `backward`) in the view's
    /// order: what "next unread" jumps to. None when there is none that way.
    pub fn next_unread(&self, filter: &Filter, after: Option<&Cursor>, backward: bool) -> Result<Option<ArticleId>> {
        // Few unread among many: they are found by the unread index, whatever the order.
        let walk = self.walk(filter)?;
        let tagged = self.article_tagged(filter)?;
        let (mut sql, mut args) = filtered_walk("SELECT a.id", filter, walk, &tagged);
        sql.push_str(if walk.unread {
            " AND +a.read = 0"
        } else {
            " AND a.read = 0"
        });
        if let Some(c) = after {
            let side = if backward { Side::Earlier } else { Side::Later };
            beyond(&mut sql, &mut args, filter.sort, c, side, false);
        }
        order_by(&mut sql, filter.sort, backward);
        sql.push_str(" LIMIT 1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        Ok(match rows.next()? {
            Some(r) => Some(ArticleId(r.get(0)?)),
            None => None,
        })
    }

    /// Articles in a view.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        // The per-feed counts answer every view but starred ones without reading articles.
        let article_tags = match &filter.tag {
            Some(tag) => self.tag_on_articles(tag)?,
            None => false,
        };
        let slow = filter.starred_only || filter.query.is_some() || shows_hidden(filter) || article_tags;
        let (sql, args) = if slow {
            filtered_walk(
                "SELECT COUNT(*)",
                filter,
                self.count_walk(filter)?,
                &self.article_tagged(filter)?,
            )
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
        Ok(if !slow && filter.stories {
            (n as usize).saturating_sub(self.folded_in(filter)?)
        } else {
            n as usize
        })
    }

    /// Articles of a view of stories that it folds away (counted by the partial index of folded
    /// articles, few beside the view's): what the per-feed counts hold beyond its headlines.
    fn folded_in(&self, filter: &Filter) -> Result<usize> {
        let all = Filter {
            stories: false,
            expanded: None,
            ..filter.clone()
        };
        let (mut sql, mut args) = filtered("SELECT COUNT(*)", &all, &self.article_tagged(filter)?);
        sql.push_str(" AND a.folded = 1 AND a.story IS NOT ?");
        args.push(Box::new(filter.expanded));
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Articles of the view that come before `cursor` in its order: its index in the view.
    pub fn position(&self, filter: &Filter, cursor: &Cursor) -> Result<usize> {
        self.order_index(filter.sort)?;
        let (mut sql, mut args) = filtered_count(filter, &self.article_tagged(filter)?);
        beyond(&mut sql, &mut args, filter.sort, cursor, Side::Earlier, false);
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The keyset position of an article, to page from it in either direction and any order.
    pub fn cursor_of(&self, id: ArticleId) -> Result<Cursor> {
        let sql =
            format!("SELECT {ALL_CURSOR_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id.0], cursor_from_row)?)
    }

    /// Whether any article has this tag of its own (a filter gave it).
    fn tag_on_articles(&self, tag: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM article_tags WHERE tag = ?1)")?
            .query_row([tag], |r| r.get(0))?)
    }
}

pub(super) fn filtered_select(filter: &Filter, tagged: &Tagged) -> (String, Vec<Box<dyn ToSql>>) {
    filtered(&summary_select(), filter, tagged)
}

fn summary_select() -> String {
    format!("SELECT {SUMMARY_COLUMNS}")
}

/// How a query that reads a view in order (with a LIMIT) should find its rows. SQLite, without
/// statistics, prefers an equality on an index (the tag's feeds, `read = 0`) and then sorts
/// every match; when matches are common, walking the order's own index and skipping the others
/// reads a few hundred rows instead. `+` in front of a column keeps SQLite off its index.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Walk {
    /// Filter the tag's feeds row by row while walking the order's index.
    tag: bool,
    /// Filter `read = 0` row by row: the order has its own index (title, feed) and at least one
    /// article in `COMMON` is unread.
    unread: bool,
    /// Walk the date index that carries titles and authors (`title:`, `author:` by date).
    text: bool,
    /// The clock that anchors `age:` (None: now).
    now: Option<i64>,
}

impl Walk {
    /// The same walk with `age:` anchored at `now`.
    pub(super) fn at(self, now: i64) -> Walk {
        Walk { now: Some(now), ..self }
    }
}

impl Store {
    /// How to count a view's unread articles that a title or author pattern (or `is:starred`)
    /// narrows: when unread articles are common, `read = 0` narrows little, and reading the date
    /// index (which carries titles and authors) or the starred index beats looking up each unread
    /// row, body and all (100,000 unread: `title:` 67 -> 16 ms, `is:starred` 37 -> 0.04 ms). Words
    /// are left to the index of unread articles, which counts them faster.
    pub(super) fn count_walk(&self, filter: &Filter) -> Result<Walk> {
        // Counting reads that index by itself (it covers the count).
        self.text_index_for(filter)?;
        let helps = filter
            .query
            .as_ref()
            .is_some_and(|q| !q.has_text() && (q.has_title_or_author() || q.has_starred()));
        if !filter.unread_only || !helps {
            return Ok(Walk::default());
        }
        let (all, unread): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(article_count), 0), COALESCE(SUM(unread_count), 0) FROM feeds WHERE active = 1",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Walk {
            unread: unread * COMMON >= all,
            ..Walk::default()
        })
    }
}

/// A share is "common" when at least one row in this many matches.
const COMMON: i64 = 20;

impl Store {
    /// Decides `Walk` from the per-feed counts (one read of the feeds table).
    pub(super) fn walk(&self, filter: &Filter) -> Result<Walk> {
        self.order_index(filter.sort)?;
        let text = self.text_index_for(filter)? && matches!(filter.sort, SortOrder::Newest | SortOrder::Oldest);
        let own_index = !matches!(
            filter.sort,
            SortOrder::Newest | SortOrder::Oldest | SortOrder::UnreadFirst
        );
        // Only a tag, or unread articles in an order with its own index, have a choice to make;
        // a query's own conditions are left to SQLite.
        if (filter.tag.is_none() && !own_index) || filter.query.is_some() {
            return Ok(Walk {
                text,
                ..Walk::default()
            });
        }
        let mut sql = "SELECT COALESCE(SUM(f.article_count), 0), COALESCE(SUM(f.unread_count), 0) FROM feeds f \
                       WHERE f.active = 1"
            .to_string();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        narrow_to_feeds(&mut sql, &mut args, filter, "f.id");
        let (articles, unread): (i64, i64) = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
        let total: i64 = if filter.tag.is_some() {
            self.conn
                .prepare_cached("SELECT COALESCE(SUM(article_count), 0) FROM feeds WHERE active = 1")?
                .query_row([], |r| r.get(0))?
        } else {
            articles
        };
        Ok(Walk {
            tag: filter.tag.is_some() && filter.sort != SortOrder::Feed && articles * COMMON >= total,
            unread: own_index && unread * COMMON >= articles,
            text,
            ..Walk::default()
        })
    }
}

fn filtered_count(filter: &Filter, tagged: &Tagged) -> (String, Vec<Box<dyn ToSql>>) {
    filtered("SELECT COUNT(*)", filter, tagged)
}

/// `select` over the articles of configured feeds narrowed by the filter; more conditions may be
/// appended with AND.
pub(super) fn filtered(select: &str, filter: &Filter, tagged: &Tagged) -> (String, Vec<Box<dyn ToSql>>) {
    filtered_walk(select, filter, Walk::default(), tagged)
}

/// `filtered`, shaped by `walk` for a query that reads the view in order.
pub(super) fn filtered_walk(
    select: &str,
    filter: &Filter,
    walk: Walk,
    tagged: &Tagged,
) -> (String, Vec<Box<dyn ToSql>>) {
    // By feed, the feeds are the outer loop in position order, each feed's articles read by its
    // date index (SQLite would otherwise sort every article).
    let from = match filter.sort {
        SortOrder::Feed => {
            "feeds f INDEXED BY feeds_position CROSS JOIN articles a INDEXED BY articles_feed_time \
             ON a.feed_id = f.id"
        }
        _ if walk.text => "articles a INDEXED BY articles_time_text JOIN feeds f ON f.id = a.feed_id",
        _ => "articles a JOIN feeds f ON f.id = a.feed_id",
    };
    let mut sql = format!("{select} FROM {from} WHERE f.active = 1");
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if !shows_hidden(filter) {
        sql.push_str(" AND a.hidden = 0");
    }
    if filter.unread_only {
        sql.push_str(if walk.unread {
            " AND +a.read = 0"
        } else {
            " AND a.read = 0"
        });
    }
    if filter.starred_only {
        sql.push_str(" AND a.starred = 1");
    }
    if filter.stories {
        match filter.expanded {
            Some(story) => {
                sql.push_str(" AND (a.folded = 0 OR a.story = ?)");
                args.push(Box::new(story));
            }
            None => sql.push_str(" AND a.folded = 0"),
        }
    }
    let feed_id = if walk.tag { "+a.feed_id" } else { "a.feed_id" };
    narrow_to_feeds(&mut sql, &mut args, filter, feed_id);
    if let Some(q) = &filter.query {
        let now = walk.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
        super::query_sql::push_query(&mut sql, &mut args, &q.expr, now, tagged);
    }
    (sql, args)
}

/// Whether a view includes hidden articles: asked for, or its query is about them.
pub(super) fn shows_hidden(filter: &Filter) -> bool {
    filter.show_hidden || filter.query.as_ref().is_some_and(|q| q.mentions_hidden())
}

/// The filter's tag and feed conditions, on a query joined to `feeds f`; `feed_id` names the
/// column holding the feed's id.
fn narrow_to_feeds(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, filter: &Filter, feed_id: &str) {
    if let Some(tag) = &filter.tag {
        // A tag is a tag: a feed's from the config, or an article's own from a filter. Only a
        // query over articles (not the per-feed counts) can see the second kind.
        if feed_id == "f.id" {
            sql.push_str(&format!(
                " AND {feed_id} IN (SELECT feed_id FROM feed_labels WHERE tag = ?)"
            ));
            args.push(Box::new(tag.clone()));
        } else {
            sql.push_str(&format!(
                " AND ({feed_id} IN (SELECT feed_id FROM feed_labels WHERE tag = ?) \
                 OR a.id IN (SELECT article_id FROM article_tags WHERE tag = ?))"
            ));
            args.push(Box::new(tag.clone()));
            args.push(Box::new(tag.clone()));
        }
    }
    if let Some(url) = &filter.feed_url {
        // A synced feed answers to its own address too (`feeds` and `list --json` show that one).
        sql.push_str(" AND (f.url = ? OR (f.account IS NOT NULL AND f.fetch_url = ?))");
        args.push(Box::new(url.clone()));
        args.push(Box::new(url.clone()));
    }
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
        hidden: r.get(11)?,
        tags: Vec::new(),
        story: r.get(12)?,
        also_in: Vec::new(),
    })
}
