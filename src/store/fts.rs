//! The articles_fts table: the text that goes in (written by `search_backlog`), queries, and
//! search. Han and kana have no spaces, so each such character is indexed as its own token and
//! a CJK query becomes a phrase: any substring matches.

use std::collections::HashSet;

use rusqlite::{params_from_iter, ToSql};

use crate::model::{ArticleSummary, Filter};
use crate::query::Query;

use super::order::{cursor_columns, cursor_from_row, order_by, page_after, Cursor};
use super::views::{filtered, filtered_select};
use super::{Result, Store};

/// The index's tokenizer, as migration 1 created it (filters' scratch index uses the same).
pub const TOKENIZER: &str = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'";

/// Characters indexed one per token.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF66}'..='\u{FF9D}' // half-width katakana
        | '\u{20000}'..='\u{2FA1F}')
}

/// The text as stored in the index: CJK characters set apart by spaces.
pub fn index_text(title: &str, body_plain: &str) -> String {
    let mut out = String::with_capacity(title.len() + body_plain.len() + 8);
    for part in [title, "\n", body_plain] {
        push_segmented(&mut out, part);
    }
    out
}

fn push_segmented(out: &mut String, s: &str) {
    if s.is_ascii() || !s.chars().any(is_cjk) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// An FTS5 MATCH expression for what a user typed: every word must occur, each word matched as
/// a phrase (so punctuation and CJK runs behave). None when there is nothing to search for.
pub fn match_query(user: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in user.split_whitespace() {
        let mut seg = String::new();
        push_segmented(&mut seg, word);
        if !seg.chars().any(char::is_alphanumeric) {
            continue;
        }
        terms.push(format!("\"{}\"", seg.trim().replace('"', "\"\"")));
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A word or phrase as the index is asked for it (CJK characters set apart).
pub(super) fn segmented(text: &str) -> String {
    let mut seg = String::new();
    push_segmented(&mut seg, text);
    seg
}

/// The MATCH expression for one word or phrase of a query (see `match_query`): None when it
/// holds no letter or digit.
pub(super) fn match_text(text: &crate::query::Text) -> Option<String> {
    match text {
        crate::query::Text::Word(w) => match_query(w),
        crate::query::Text::Phrase(p) => {
            let mut seg = String::new();
            push_segmented(&mut seg, p);
            seg.chars()
                .any(char::is_alphanumeric)
                .then(|| format!("\"{}\"", seg.trim().replace('"', "\"\"")))
        }
    }
}

/// Searches with at most this many hits are ordered by SQLite; more are found by walking the view.
const SORTED_HITS_MAX: usize = 2_000;
/// Rows read per step of that walk.
const WALK_CHUNK: usize = 1_000;

impl Store {
    /// The first `limit` articles a query matches within the filter, in the filter's order.
    /// The words every match needs are looked up in the index first: few hits are sorted by
    /// SQLite, many are found by walking the view (the rest of the query checked row by row).
    pub fn search(&self, query: &Query, filter: &Filter, limit: usize) -> Result<Vec<ArticleSummary>> {
        let (texts, rest) = query.split_text();
        let filter = &Filter {
            query: rest.map(|expr| Query {
                text: query.text.clone(),
                expr,
            }),
            ..filter.clone()
        };
        let words: Vec<String> = texts.iter().filter_map(match_text).collect();
        if words.is_empty() {
            return self.list(filter, limit, None);
        }
        let expr = words.join(" ");
        self.complete_search_index()?;
        self.order_index(filter.sort)?;
        // Reading the index alone is cheap (a few ms for 100,000 hits); ordering all hits by time
        // is not. Few hits: SQLite sorts them. Many: walk the view in its order and keep hits, so
        // about `limit` / (hit ratio) rows are read.
        let hits: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1")?;
            let rows = stmt.query_map([&expr], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let tagged = self.article_tagged(filter)?;
        if hits.len() <= SORTED_HITS_MAX {
            let (mut sql, mut args) = filtered_select(filter, &tagged);
            sql.push_str(" AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)");
            order_by(&mut sql, filter.sort, false);
            sql.push_str(" LIMIT ?");
            args.push(Box::new(expr));
            args.push(Box::new(limit as i64));
            return self.query_summaries(&sql, args);
        }
        let hits: HashSet<i64> = hits.into_iter().collect();
        let mut found: Vec<i64> = Vec::with_capacity(limit);
        let mut after: Option<Cursor> = None;
        while found.len() < limit {
            let (mut sql, mut args) = filtered(&format!("SELECT {}", cursor_columns(filter.sort)), filter, &tagged);
            page_after(&mut sql, &mut args, filter.sort, after.as_ref(), WALK_CHUNK);
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows: Vec<Cursor> = stmt
                .query_map(params_from_iter(args.iter()), cursor_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            found.extend(
                rows.iter()
                    .map(|c| c.id)
                    .filter(|id| hits.contains(id))
                    .take(limit - found.len()),
            );
            let Some(last) = rows.into_iter().last() else { break };
            after = Some(last);
        }
        // In chunks, to stay under SQLite's limit on bound parameters; `found` is in view order.
        let mut out = Vec::with_capacity(found.len());
        for ids in found.chunks(500) {
            let (mut sql, mut args) = filtered_select(filter, &tagged);
            sql.push_str(&format!(" AND a.id IN ({})", vec!["?"; ids.len()].join(",")));
            order_by(&mut sql, filter.sort, false);
            args.extend(ids.iter().map(|&id| Box::new(id) as Box<dyn ToSql>));
            out.extend(self.query_summaries(&sql, args)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cjk_only() {
        assert_eq!(index_text("上海科技", ""), " 上  海  科  技 \n");
        assert_eq!(index_text("भारत news", "x"), "भारत news\nx");
    }

    #[test]
    fn queries_are_quoted_phrases() {
        assert_eq!(match_query("rust  \"kernel"), Some("\"rust\" \"\"\"kernel\"".into()));
        assert_eq!(match_query("科技"), Some("\"科  技\"".into()));
        assert_eq!(match_query(" -- ; "), None);
    }
}
