//! Views of the articles table: a filter (unread, starred, tag, feed) read a page at a time with
//! keyset cursors in both directions, counted, and positioned; rows become `ArticleSummary`s.

use rusqlite::{params_from_iter, ToSql};

use crate::model::{ArticleId, ArticleSummary, FeedId, Filter, SortOrder};

use super::{ts, Result, Store};

/// A position in a view: the values an article has in every sort key, so the same cursor pages
/// in whichever order the view is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub(super) sort_time: i64,
    pub(super) id: i64,
    pub(super) read: bool,
    pub(super) title: String,
    /// The article's feed's place in the config.
    pub(super) position: i64,
}

/// One column of a sort order and its direction.
#[derive(Clone, Copy)]
enum Key {
    SortTime,
    Id,
    Read,
    Title,
    Position,
}

impl Key {
    fn column(self) -> &'static str {
        match self {
            Key::SortTime => "a.sort_time",
            Key::Id => "a.id",
            Key::Read => "a.read",
            Key::Title => "a.title COLLATE NOCASE",
            Key::Position => "f.position",
        }
    }

    fn value(self, c: &Cursor) -> Box<dyn ToSql> {
        match self {
            Key::SortTime => Box::new(c.sort_time),
            Key::Id => Box::new(c.id),
            Key::Read => Box::new(c.read),
            Key::Title => Box::new(c.title.clone()),
            Key::Position => Box::new(c.position),
        }
    }
}

/// The keys of an order, most significant first, with `true` for ascending. The indexes that
/// serve them: `articles_time` (date, both ways), `articles_feed_time` per feed for the feed
/// order, and for title and unread first those of `ORDER_INDEXES`.
fn keys_of(order: SortOrder) -> &'static [(Key, bool)] {
    match order {
        SortOrder::Newest => &[(Key::SortTime, false), (Key::Id, false)],
        SortOrder::Oldest => &[(Key::SortTime, true), (Key::Id, true)],
        SortOrder::Feed => &[(Key::Position, true), (Key::SortTime, false), (Key::Id, false)],
        SortOrder::Title => &[(Key::Title, true), (Key::Id, true)],
        SortOrder::UnreadFirst => &[(Key::Read, true), (Key::SortTime, false), (Key::Id, false)],
    }
}

pub(super) const SUMMARY_COLUMNS: &str = "a.id, a.feed_id, f.url, COALESCE(f.config_title, f.title, f.url), a.title, \
     a.link, a.author, a.published, a.read, a.starred, a.sort_time";

/// Indexes made the first time their order is used: each one slows every refresh (its inserts
/// land all over the index), so a user who never sorts by title never pays for it. Directions
/// must match the ORDER BY (or its reverse), or SQLite sorts anyway.
const ORDER_INDEXES: &[(SortOrder, &str)] = &[
    (
        SortOrder::Title,
        "CREATE INDEX IF NOT EXISTS articles_title ON articles(title COLLATE NOCASE, id)",
    ),
    (
        SortOrder::UnreadFirst,
        "CREATE INDEX IF NOT EXISTS articles_unread_first ON articles(read, sort_time DESC, id DESC)",
    ),
];

impl Store {
    /// Makes sure the index of `order` exists (once per connection; on a 100,000-article cache
    /// the first use of an order takes about a tenth of a second).
    pub(super) fn order_index(&self, order: SortOrder) -> Result<()> {
        let Some(i) = ORDER_INDEXES.iter().position(|(o, _)| *o == order) else {
            return Ok(());
        };
        let bit = 1u8 << i;
        if self.order_indexes.get() & bit == 0 {
            self.conn.execute_batch(ORDER_INDEXES[i].1)?;
            self.order_indexes.set(self.order_indexes.get() | bit);
        }
        Ok(())
    }

    /// One page of a view in its order, starting after `after` (keyset pagination: the cost of
    /// a page does not grow with its depth).
    pub fn list(&self, filter: &Filter, limit: usize, after: Option<&Cursor>) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_walk(&summary_select(), filter, self.walk(filter)?);
        page_after(&mut sql, &mut args, filter.sort, after, limit);
        self.query_summaries(&sql, args)
    }

    /// A page of a view starting at `from` itself (to show an article found elsewhere).
    pub fn list_from(&self, filter: &Filter, limit: usize, from: &Cursor) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_walk(&summary_select(), filter, self.walk(filter)?);
        beyond(&mut sql, &mut args, filter.sort, from, Side::Later, true);
        order_by(&mut sql, filter.sort, false);
        sql.push_str(" LIMIT ?");
        args.push(Box::new(limit as i64));
        self.query_summaries(&sql, args)
    }

    /// The page just before `before` in the view's order, returned in that order.
    pub fn list_before(&self, filter: &Filter, limit: usize, before: &Cursor) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_walk(&summary_select(), filter, self.walk(filter)?);
        beyond(&mut sql, &mut args, filter.sort, before, Side::Earlier, false);
        order_by(&mut sql, filter.sort, true);
        sql.push_str(" LIMIT ?");
        args.push(Box::new(limit as i64));
        let mut rows = self.query_summaries(&sql, args)?;
        rows.reverse();
        Ok(rows)
    }

    /// The last `limit` articles of a view, in its order (the bottom page).
    pub fn list_last(&self, filter: &Filter, limit: usize) -> Result<Vec<ArticleSummary>> {
        let (mut sql, mut args) = filtered_walk(&summary_select(), filter, self.walk(filter)?);
        order_by(&mut sql, filter.sort, true);
        sql.push_str(" LIMIT ?");
        args.push(Box::new(limit as i64));
        let mut rows = self.query_summaries(&sql, args)?;
        rows.reverse();
        Ok(rows)
    }

    /// The first unread article after `after` (or before it, with `backward`) in the view's
    /// order: what "next unread" jumps to. None when there is none that way.
    pub fn next_unread(&self, filter: &Filter, after: Option<&Cursor>, backward: bool) -> Result<Option<ArticleId>> {
        // Few unread among many: they are found by the unread index, whatever the order.
        let walk = self.walk(filter)?;
        let (mut sql, mut args) = filtered_walk("SELECT a.id", filter, walk);
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

    /// Articles of the view that come before `cursor` in its order: its index in the view.
    pub fn position(&self, filter: &Filter, cursor: &Cursor) -> Result<usize> {
        self.order_index(filter.sort)?;
        let (mut sql, mut args) = filtered_count(filter);
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
    filtered(&summary_select(), filter)
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
}

/// A share is "common" when at least one row in this many matches.
const COMMON: i64 = 20;

impl Store {
    /// Decides `Walk` from the per-feed counts (one read of the feeds table).
    pub(super) fn walk(&self, filter: &Filter) -> Result<Walk> {
        self.order_index(filter.sort)?;
        let own_index = !matches!(
            filter.sort,
            SortOrder::Newest | SortOrder::Oldest | SortOrder::UnreadFirst
        );
        // Only a tag, or unread articles in an order with its own index, have a choice to make.
        if filter.tag.is_none() && !own_index {
            return Ok(Walk::default());
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
        })
    }
}

fn filtered_count(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered("SELECT COUNT(*)", filter)
}

/// `select` over the articles of configured feeds narrowed by the filter; more conditions may be
/// appended with AND.
pub(super) fn filtered(select: &str, filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    filtered_walk(select, filter, Walk::default())
}

/// `filtered`, shaped by `walk` for a query that reads the view in order.
fn filtered_walk(select: &str, filter: &Filter, walk: Walk) -> (String, Vec<Box<dyn ToSql>>) {
    // By feed, the feeds are the outer loop in position order, each feed's articles read by its
    // date index (SQLite would otherwise sort every article).
    let from = match filter.sort {
        SortOrder::Feed => {
            "feeds f INDEXED BY feeds_position CROSS JOIN articles a INDEXED BY articles_feed_time \
             ON a.feed_id = f.id"
        }
        _ => "articles a JOIN feeds f ON f.id = a.feed_id",
    };
    let mut sql = format!("{select} FROM {from} WHERE f.active = 1");
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
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
    let feed_id = if walk.tag { "+a.feed_id" } else { "a.feed_id" };
    narrow_to_feeds(&mut sql, &mut args, filter, feed_id);
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

/// Which rows of a view `beyond` keeps: those after the cursor in the view's order, or before.
pub(super) enum Side {
    Later,
    Earlier,
}

/// Narrows a view query (from `filtered`) to the rows strictly after or before `cursor` in
/// `order` (and the cursor's own row, with `inclusive`): `(k1 > v1) OR (k1 = v1 AND k2 > v2) ...`
/// with each key's comparison turned by its direction.
pub(super) fn beyond(
    sql: &mut String,
    args: &mut Vec<Box<dyn ToSql>>,
    order: SortOrder,
    cursor: &Cursor,
    side: Side,
    inclusive: bool,
) {
    let keys = keys_of(order);
    // The leading key's range, implied by the terms below but stated so SQLite scans a range of
    // its index instead of taking each OR term apart and sorting the union.
    let (lead, lead_ascending) = keys[0];
    let lead_op = if matches!(side, Side::Later) == lead_ascending {
        ">="
    } else {
        "<="
    };
    sql.push_str(&format!(" AND {} {lead_op} ?", lead.column()));
    args.push(lead.value(cursor));
    let mut terms = Vec::with_capacity(keys.len());
    for (i, (key, ascending)) in keys.iter().enumerate() {
        let later = matches!(side, Side::Later) == *ascending;
        let last = i + 1 == keys.len();
        let op = match (later, last && inclusive) {
            (true, false) => ">",
            (true, true) => ">=",
            (false, false) => "<",
            (false, true) => "<=",
        };
        let mut term: Vec<String> = keys[..i].iter().map(|(k, _)| format!("{} = ?", k.column())).collect();
        for (k, _) in &keys[..i] {
            args.push(k.value(cursor));
        }
        term.push(format!("{} {op} ?", key.column()));
        args.push(key.value(cursor));
        terms.push(format!("({})", term.join(" AND ")));
    }
    sql.push_str(&format!(" AND ({})", terms.join(" OR ")));
}

/// ` ORDER BY` the view's order, or its reverse.
pub(super) fn order_by(sql: &mut String, order: SortOrder, reversed: bool) {
    let keys: Vec<String> = keys_of(order)
        .iter()
        .map(|(k, ascending)| {
            let dir = if *ascending != reversed { "ASC" } else { "DESC" };
            format!("{} {dir}", k.column())
        })
        .collect();
    sql.push_str(&format!(" ORDER BY {}", keys.join(", ")));
}

/// Ends a view query (from `filtered`): `limit` rows after `after`, in the view's order.
pub(super) fn page_after(
    sql: &mut String,
    args: &mut Vec<Box<dyn ToSql>>,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: usize,
) {
    if let Some(c) = after {
        beyond(sql, args, order, c, Side::Later, false);
    }
    order_by(sql, order, false);
    sql.push_str(" LIMIT ?");
    args.push(Box::new(limit as i64));
}

/// The columns `cursor_from_row` reads, for queries that walk a view in `order`: only the keys
/// the order uses are read (the others are constants), so a walk by date reads the date index
/// alone and never the rows.
pub(super) fn cursor_columns(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Newest | SortOrder::Oldest => "a.id, a.sort_time, 0, '', 0",
        SortOrder::UnreadFirst => "a.id, a.sort_time, a.read, '', 0",
        SortOrder::Title => "a.id, a.sort_time, 0, a.title, 0",
        SortOrder::Feed => "a.id, a.sort_time, 0, '', f.position",
    }
}

/// Every key of every order, for `cursor_of`.
const ALL_CURSOR_COLUMNS: &str = "a.id, a.sort_time, a.read, a.title, f.position";

pub(super) fn cursor_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cursor> {
    Ok(Cursor {
        id: r.get(0)?,
        sort_time: r.get(1)?,
        read: r.get(2)?,
        title: r.get(3)?,
        position: r.get(4)?,
    })
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
