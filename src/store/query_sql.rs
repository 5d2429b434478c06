//! Queries (`crate::query`) as SQL conditions on `articles a JOIN feeds f`: words and phrases
//! through the search index, fields by LIKE or the `regexp` function, flags and dates by column.

use std::collections::HashSet;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, ToSql};

use crate::query::{compile_regex, Expr, Field, Pattern, State, Text};

use super::fts::match_text;
use super::{Result, Store};
use crate::model::Filter;

/// Registers `regexp(pattern, text)` (the `title:/…/` form): the `regex` crate, linear time,
/// each pattern compiled once per statement.
pub(super) fn register_regexp(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let re = ctx.get_or_create_aux(0, |pattern| {
                compile_regex(pattern.as_str()?).map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
            })?;
            let text: Option<String> = ctx.get(1)?;
            Ok(text.is_some_and(|t| re.is_match(&t)))
        },
    )
}

/// The tags of a query that some article has of its own (given by a filter). Only those are
/// looked up in `article_tags`: the OR with it would cost a table lookup per matching row.
pub(super) type Tagged = HashSet<String>;

impl Store {
    /// `Tagged` for a view's query: one index probe per `tag:` term.
    pub(super) fn article_tagged(&self, filter: &Filter) -> Result<Tagged> {
        article_tagged(&self.conn, filter)
    }
}

/// `Tagged` for a query, read on `conn` (inside a transaction that may have tagged articles).
/// A query with words brings the search index up to date first, as every read of it must.
pub(super) fn article_tagged(conn: &Connection, filter: &Filter) -> Result<Tagged> {
    fn tags<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
        match e {
            Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| tags(t, out)),
            Expr::Not(inner) => tags(inner, out),
            Expr::Tag(t) => out.push(t),
            _ => {}
        }
    }
    let mut found = Tagged::new();
    let Some(q) = &filter.query else {
        return Ok(found);
    };
    if q.has_text() {
        super::search_backlog::complete(conn)?;
    }
    let mut names = Vec::new();
    tags(&q.expr, &mut names);
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM article_tags WHERE tag = ?1)")?;
    for name in names {
        if stmt.query_row([name], |r| r.get::<_, bool>(0))? {
            found.insert(name.to_string());
        }
    }
    Ok(found)
}

/// Appends ` AND (condition)` for the query's expression; `now` (unix seconds) anchors `age:`.
pub(super) fn push_query(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, expr: &Expr, now: i64, tagged: &Tagged) {
    sql.push_str(" AND ");
    push_expr(sql, args, expr, now, tagged);
}

fn push_expr(sql: &mut String, args: &mut Vec<Box<dyn ToSql>>, expr: &Expr, now: i64, tagged: &Tagged) {
    match expr {
        Expr::And(terms) => {
            // The words every match needs go to the index as one expression.
            let texts: Vec<&Text> = terms
                .iter()
                .filter_map(|t| match t {
                    Expr::Text(t) => Some(t),
                    _ => None,
                })
                .collect();
            let mut parts: Vec<String> = Vec::new();
            if let Some(m) = joined_match(&texts) {
                parts.push(FTS_CONDITION.to_string());
                args.push(Box::new(m));
            }
            for t in terms.iter().filter(|t| !matches!(t, Expr::Text(_))) {
                let mut part = String::new();
                push_expr(&mut part, args, t, now, tagged);
                parts.push(part);
            }
            if parts.is_empty() {
                sql.push('1');
            } else {
                sql.push('(');
                sql.push_str(&parts.join(" AND "));
                sql.push(')');
            }
        }
        Expr::Or(terms) => {
            sql.push('(');
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                push_expr(sql, args, t, now, tagged);
            }
            sql.push(')');
        }
        Expr::Not(inner) => {
            sql.push_str("NOT ");
            push_expr(sql, args, inner, now, tagged);
        }
        Expr::Text(t) => match joined_match(&[t]) {
            Some(m) => {
                sql.push_str(FTS_CONDITION);
                args.push(Box::new(m));
            }
            // Punctuation alone: nothing to look for, so it does not narrow.
            None => sql.push('1'),
        },
        Expr::Field(field, pattern) => {
            let columns: &[&str] = match field {
                Field::Title => &["a.title"],
                // NULL would make `-author:x` skip articles with no author.
                Field::Author => &["COALESCE(a.author, '')"],
                Field::Feed => &["COALESCE(ff.config_title, ff.title, '')", "ff.url"],
            };
            let tests: Vec<String> = columns
                .iter()
                .map(|c| match pattern {
                    Pattern::Contains(text) => {
                        args.push(Box::new(format!("%{}%", escape_like(text))));
                        format!("{c} LIKE ? ESCAPE '\\'")
                    }
                    Pattern::Regex(re) => {
                        args.push(Box::new(re.clone()));
                        format!("regexp(?, {c})")
                    }
                })
                .collect();
            let test = format!("({})", tests.join(" OR "));
            if *field == Field::Feed {
                // The feeds are matched once, not once per article: with none or few matching,
                // the articles of those feeds are all that is read (100,000 articles: 25 -> 0.1-5 ms).
                sql.push_str(&format!("a.feed_id IN (SELECT ff.id FROM feeds ff WHERE {test})"));
            } else {
                sql.push_str(&test);
            }
        }
        Expr::Tag(tag) if tagged.contains(tag) => {
            sql.push_str(
                "(a.feed_id IN (SELECT feed_id FROM feed_labels WHERE tag = ?) \
                 OR a.id IN (SELECT article_id FROM article_tags WHERE tag = ?))",
            );
            args.push(Box::new(tag.clone()));
            args.push(Box::new(tag.clone()));
        }
        Expr::Tag(tag) => {
            sql.push_str("a.feed_id IN (SELECT feed_id FROM feed_labels WHERE tag = ?)");
            args.push(Box::new(tag.clone()));
        }
        Expr::Is(state) => sql.push_str(match state {
            State::Unread => "a.read = 0",
            State::Read => "a.read = 1",
            State::Starred => "a.starred = 1",
            State::Hidden => "a.hidden = 1",
            State::Grouped => "a.story IS NOT NULL",
        }),
        Expr::Story(id) => {
            sql.push_str("a.story = ?");
            args.push(Box::new(*id));
        }
        Expr::HasEnclosure => sql.push_str("EXISTS (SELECT 1 FROM enclosures e WHERE e.article_id = a.id)"),
        Expr::Age { newer, seconds } => {
            sql.push_str(if *newer { "a.sort_time >= ?" } else { "a.sort_time < ?" });
            args.push(Box::new(now.saturating_sub(*seconds)));
        }
        Expr::After(t) => {
            sql.push_str("a.sort_time >= ?");
            args.push(Box::new(*t));
        }
        Expr::Before(t) => {
            sql.push_str("a.sort_time < ?");
            args.push(Box::new(*t));
        }
    }
}

/// `+` keeps SQLite from driving the query by the hits (a rowid lookup in the wide table for
/// each of tens of thousands, then a sort: 48 ms for a common word on 100,000 articles): it
/// walks the view's own index and checks each row against the hits instead (13 ms; a rare word
/// 5 ms).
const FTS_CONDITION: &str = "+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)";

/// One MATCH expression requiring every word and phrase; None when none has a letter or digit.
fn joined_match(texts: &[&Text]) -> Option<String> {
    let parts: Vec<String> = texts.iter().filter_map(|t| match_text(t)).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `%`, `_` and `\` taken literally by LIKE … ESCAPE '\'.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
