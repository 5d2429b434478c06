//! Sort orders in SQL: each order's keys, the keyset condition past a cursor in either
//! direction, ORDER BY, the cursor's columns, and the indexes the title and unread orders need.

use rusqlite::ToSql;

use crate::model::SortOrder;

use super::{Result, Store};

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
pub(super) enum Key {
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
pub(super) fn keys_of(order: SortOrder) -> &'static [(Key, bool)] {
    match order {
        SortOrder::Newest => &[(Key::SortTime, false), (Key::Id, false)],
        SortOrder::Oldest => &[(Key::SortTime, true), (Key::Id, true)],
        SortOrder::Feed => &[(Key::Position, true), (Key::SortTime, false), (Key::Id, false)],
        SortOrder::Title => &[(Key::Title, true), (Key::Id, true)],
        SortOrder::UnreadFirst => &[(Key::Read, true), (Key::SortTime, false), (Key::Id, false)],
    }
}

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

/// The date index with titles and authors in it, made the first time a query matches titles or
/// authors: such a query then reads the index instead of every wide row (bodies inline), 57–95 ms
/// -> 11–19 ms for a first page of 100,000 articles. Every refresh pays for it (about a tenth
/// more per cold refresh), so only those who use such queries have it.
const TEXT_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS articles_time_text ON articles(sort_time, id, feed_id, read, starred, hidden, title, author)";
/// Its bit in `Store::order_indexes`, above the orders' own.
const TEXT_INDEX_BIT: u8 = 1 << 7;

impl Store {
    /// Makes sure the title-and-author index exists when the filter's query needs it; whether it does.
    pub(super) fn text_index_for(&self, filter: &crate::model::Filter) -> Result<bool> {
        if !filter.query.as_ref().is_some_and(|q| q.has_title_or_author()) {
            return Ok(false);
        }
        if self.order_indexes.get() & TEXT_INDEX_BIT == 0 {
            self.conn.execute_batch(TEXT_INDEX)?;
            self.order_indexes.set(self.order_indexes.get() | TEXT_INDEX_BIT);
        }
        Ok(true)
    }

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
pub(super) const ALL_CURSOR_COLUMNS: &str = "a.id, a.sort_time, a.read, a.title, f.position";

pub(super) fn cursor_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cursor> {
    Ok(Cursor {
        id: r.get(0)?,
        sort_time: r.get(1)?,
        read: r.get(2)?,
        title: r.get(3)?,
        position: r.get(4)?,
    })
}
