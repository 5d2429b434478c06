//! Saved queries' unread counts kept between asks: each query's unread matches held in memory and
//! brought up to date from what changed since (`article_changes`, new ids, `age:` edges passed).

mod judge;
mod watch;

use std::collections::{BTreeSet, HashMap};

use rusqlite::params_from_iter;

use crate::model::Filter;
use crate::query::{Expr, Field, Query};

use judge::FeedPrint;
pub use watch::lock_reader;

use super::views::filtered_walk;
use super::{Result, Store};

/// Past this many changed articles since the last ask, the queries are counted again from
/// scratch instead of article by article (a first refresh of a large cache).
const RECOUNT_OVER: usize = 50_000;

/// The reader's kept counts. Made by `Store::keep_counts` or `Store::resume_counts`, which turn
/// the change log on.
#[derive(Debug, Default)]
pub struct KeptCounts {
    /// By query text: its unread, visible matches, by id, ascending.
    kept: HashMap<String, Vec<i64>>,
    /// The highest article id that every kept query has been asked about.
    highest: i64,
    /// The last `article_changes` row read.
    last_change: i64,
    /// The clock of the last ask (where the `age:` edges stood).
    asked_at: i64,
    /// Fingerprints of what queries read from the feeds table, as last asked.
    feeds: FeedPrint,
    /// The last change row that is still in the log (rows before it are deleted by `trim`).
    trimmed_to: i64,
}

impl KeptCounts {
    /// How many queries' matches are held (none: the next ask counts every query afresh).
    pub fn queries_held(&self) -> usize {
        self.kept.len()
    }
}

impl Store {
    /// The unread, visible articles of each query, as `count` with `unread_only` would say,
    /// from what `kept` holds brought up to date. `now` anchors `age:`. Queries not asked
    /// about are forgotten.
    ///
    /// What changed since the last ask (logged changes, new ids, articles an `age:` edge
    /// passed) is read once and judged for every query in memory, with the filters' evaluator
    /// (which means what the SQL means) and the search index's hits in the changed range.
    pub fn kept_unread_counts(
        &self,
        kept: &mut KeptCounts,
        queries: &[(String, Query)],
        now: i64,
    ) -> Result<Vec<(String, u64)>> {
        // An index a count needs is made first: made inside the snapshot below, it would be a
        // write that fails at once if another connection wrote since the snapshot began.
        for (_, query) in queries {
            self.text_index_for(&unread_filter(query))?;
        }
        // One snapshot: the log, the new ids and the matches all as of the same moment.
        let tx = self.conn.unchecked_transaction()?;
        let (print, feeds) = self.feed_facts()?;
        let highest: i64 = self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM articles")?
            .query_row([], |r| r.get(0))?;
        let mut changed = BTreeSet::new();
        let mut last_change = kept.last_change;
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT seq, article_id FROM article_changes WHERE seq > ?1 ORDER BY seq")?;
            let mut rows = stmt.query([kept.last_change])?;
            while let Some(r) = rows.next()? {
                last_change = r.get(0)?;
                changed.insert(r.get::<_, i64>(1)?);
            }
        }
        let new_ids = (highest - kept.highest).max(0) as usize;
        let recount_all = kept.kept.is_empty() || changed.len() + new_ids > RECOUNT_OVER;
        if !recount_all {
            changed.extend(kept.highest + 1..=highest);
        }

        // Which queries are brought up to date, and which are counted again.
        let mut next: HashMap<String, Vec<i64>> = HashMap::with_capacity(queries.len());
        let mut updating: Vec<(&Query, Vec<i64>, BTreeSet<i64>)> = Vec::new();
        for (_, query) in queries {
            if next.contains_key(&query.text) || updating.iter().any(|(q, ..)| q.text == query.text) {
                continue;
            }
            let stale = kept.feeds.tags_and_active != print.tags_and_active
                || (reads_feed_names(query) && kept.feeds.names != print.names);
            match kept.kept.remove(&query.text) {
                Some(members) if !stale && !recount_all => {
                    let mut ids = changed.clone();
                    self.passed_age_edges(query, kept.asked_at, now, &mut ids)?;
                    if ids.is_empty() {
                        next.insert(query.text.clone(), members);
                    } else {
                        updating.push((query, members, ids));
                    }
                }
                _ => {
                    next.insert(query.text.clone(), self.unread_matches(query, now)?);
                }
            }
        }
        if !updating.is_empty() {
            let asked: BTreeSet<i64> = updating.iter().flat_map(|(_, _, ids)| ids.iter().copied()).collect();
            let judged: Vec<&Query> = updating.iter().map(|(q, _, _)| *q).collect();
            let found = self.judge(&asked, &judged, &feeds, now)?;
            // Every query was judged on all of them: each one's answer replaces what it held.
            for ((query, members, _), found) in updating.into_iter().zip(found) {
                next.insert(query.text.clone(), merge(members, &asked, found));
            }
        }
        tx.finish()?;
        let out = queries
            .iter()
            .map(|(name, query)| (name.clone(), next.get(&query.text).map_or(0, |m| m.len() as u64)))
            .collect();
        kept.kept = next;
        kept.highest = highest;
        kept.last_change = last_change;
        kept.asked_at = now;
        kept.feeds = print;
        Ok(out)
    }

    /// The ids of the query's unread, visible matches, ascending: counted from scratch, the way
    /// the view's count would.
    fn unread_matches(&self, query: &Query, now: i64) -> Result<Vec<i64>> {
        let filter = unread_filter(query);
        let tagged = self.article_tagged(&filter)?;
        let walk = self.count_walk(&filter)?.at(now);
        let (sql, args) = filtered_walk("SELECT a.id", &filter, walk, &tagged);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?;
        let mut ids: Vec<i64> = rows.collect::<rusqlite::Result<_>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Adds the articles an `age:` term of the query has passed over between two asks: their
    /// time lies between where its edge stood then and where it stands now.
    fn passed_age_edges(&self, query: &Query, then: i64, now: i64, ids: &mut BTreeSet<i64>) -> Result<()> {
        let mut ages = Vec::new();
        ages_in(&query.expr, &mut ages);
        if then == now {
            return Ok(());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM articles WHERE sort_time >= ?1 AND sort_time < ?2")?;
        for seconds in ages {
            let (a, b) = (then.saturating_sub(seconds), now.saturating_sub(seconds));
            let rows = stmt.query_map([a.min(b), a.max(b)], |r| r.get::<_, i64>(0))?;
            for id in rows {
                ids.insert(id?);
            }
        }
        Ok(())
    }
}

/// `members` with every id of `asked` replaced by what was found among them (all ascending):
/// one walk over each.
fn merge(members: Vec<i64>, asked: &BTreeSet<i64>, found: Vec<i64>) -> Vec<i64> {
    let mut asked = asked.iter().copied().peekable();
    let kept = members.into_iter().filter(|&id| {
        while asked.next_if(|&a| a < id).is_some() {}
        asked.peek() != Some(&id)
    });
    let mut out = Vec::with_capacity(found.len());
    let mut found = found.into_iter().peekable();
    for id in kept {
        while let Some(f) = found.next_if(|&f| f < id) {
            out.push(f);
        }
        out.push(id);
    }
    out.extend(found);
    out
}

/// The view a saved query's count is of: its unread articles.
fn unread_filter(query: &Query) -> Filter {
    Filter {
        unread_only: true,
        query: Some(query.clone()),
        ..Filter::default()
    }
}

/// Whether the query reads feeds' titles or addresses.
fn reads_feed_names(query: &Query) -> bool {
    fn walk(e: &Expr) -> bool {
        match e {
            Expr::And(terms) | Expr::Or(terms) => terms.iter().any(walk),
            Expr::Not(inner) => walk(inner),
            Expr::Field(Field::Feed, _) => true,
            _ => false,
        }
    }
    walk(&query.expr)
}

/// The spans of the query's `age:` terms, in seconds.
fn ages_in(e: &Expr, out: &mut Vec<i64>) {
    match e {
        Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| ages_in(t, out)),
        Expr::Not(inner) => ages_in(inner, out),
        Expr::Age { seconds, .. } => out.push(*seconds),
        _ => {}
    }
}
