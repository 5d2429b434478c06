//! Filters in the cache: judging a feed's new articles before they are written (the words
//! through a scratch index with the cache's own tokenizer), and matching or applying them later.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{params, params_from_iter, ToSql};

use crate::model::{ArticleId, ArticleSummary, Filter, Flag, NewArticle};
use crate::query::{matches, Candidate, Evaluator, Expr, FilterAction, FilterRule, Text};

use super::articles::flag_column;
use super::fts::{match_text, segmented};
use super::query_sql::{article_tagged, Tagged};
use super::views::{filtered, SUMMARY_COLUMNS};
use super::words::{self, Phrase};
use super::{Result, Store};

/// The config's filters, ready to judge arrivals: the rules, with their regular expressions
/// compiled once for a whole refresh.
#[derive(Debug, Clone)]
pub struct Filters {
    rules: Arc<[FilterRule]>,
    eval: Arc<Evaluator>,
}

impl Filters {
    pub fn new(rules: Arc<[FilterRule]>) -> Filters {
        let eval = Arc::new(Evaluator::for_queries(rules.iter().map(|r| &r.query)));
        Filters { rules, eval }
    }

    /// The filters that apply to one feed (by its configured URL, title and tags).
    pub fn for_feed(&self, url: &str, title: Option<&str>, tags: &[String]) -> FeedFilters {
        FeedFilters {
            applying: (0..self.rules.len())
                .filter(|&i| self.rules[i].applies_to(url, title, tags))
                .collect(),
            all: self.clone(),
            feed_url: url.to_string(),
            feed_title: title.map(str::to_string),
            feed_tags: tags.to_vec(),
        }
    }
}

/// The filters as they meet one feed: every rule (for its number in reports), which of them
/// apply to this feed, and what a query may ask about the feed.
#[derive(Debug, Clone)]
pub struct FeedFilters {
    all: Filters,
    /// Indices of the rules for this feed, in order.
    pub applying: Vec<usize>,
    pub feed_url: String,
    /// The title shown for the feed (configured, else its own), if known.
    pub feed_title: Option<String>,
    pub feed_tags: Vec<String>,
}

/// What the filters did to one new article: the flags and tags it is written with, and which
/// filters acted (by index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub read: bool,
    pub starred: bool,
    pub hidden: bool,
    pub tags: Vec<String>,
    pub acted: Vec<usize>,
}

/// Judges the articles at `which` (new to the cache): each filter in order sees the article as
/// the filters before it left it. `text_of` gives an article's search text. Pure CPU work, so
/// it runs beside the other feeds, outside the cache's lock.
pub(super) fn judge<'a>(
    articles: &[NewArticle],
    which: &[usize],
    text_of: &dyn Fn(usize) -> Cow<'a, str>,
    filters: &FeedFilters,
    now: i64,
) -> HashMap<usize, Verdict> {
    let mut verdicts = HashMap::new();
    if filters.applying.is_empty() || which.is_empty() {
        return verdicts;
    }
    let hits = text_hits(which, text_of, filters);
    let rules = &filters.all.rules;
    // The feed's tags, then the tags filters gave this article so far (cut back per article).
    let mut tags: Vec<String> = filters.feed_tags.clone();
    for &i in which {
        let a = &articles[i];
        let mut v = Verdict::default();
        let sort_time = a.published.map_or(now, |p| p.timestamp().min(now));
        tags.truncate(filters.feed_tags.len());
        for &r in &filters.applying {
            let rule = &rules[r];
            let candidate = Candidate {
                title: &a.title,
                author: a.author.as_deref(),
                feed_title: filters.feed_title.as_deref(),
                feed_url: &filters.feed_url,
                tags: &tags,
                read: v.read,
                starred: v.starred,
                hidden: v.hidden,
                has_enclosure: !a.enclosures.is_empty(),
                sort_time,
                now,
            };
            let mut text = |t: &Text| hits.get(t).is_none_or(|found| found.contains(&i));
            if !matches(&filters.all.eval, &rule.query, &candidate, &mut text) {
                continue;
            }
            let acted = match &rule.action {
                FilterAction::Hide => !std::mem::replace(&mut v.hidden, true),
                FilterAction::Read => !std::mem::replace(&mut v.read, true),
                FilterAction::Star => !std::mem::replace(&mut v.starred, true),
                FilterAction::Tag(t) if v.tags.contains(t) => false,
                FilterAction::Tag(t) => {
                    v.tags.push(t.clone());
                    tags.push(t.clone());
                    true
                }
            };
            if acted {
                v.acted.push(r);
            }
        }
        if !v.acted.is_empty() {
            verdicts.insert(i, v);
        }
    }
    verdicts
}

/// For every word and phrase the feed's filters use, the articles (of `which`) containing it,
/// exactly as a search finds them: the text and the words folded by the index's own tokenizer
/// rules (`words`). A text absent from the map matches everything (it has no letter or digit to
/// look for, as `match_text` says).
fn text_hits<'a>(
    which: &[usize],
    text_of: &dyn Fn(usize) -> Cow<'a, str>,
    filters: &FeedFilters,
) -> HashMap<Text, HashSet<usize>> {
    let mut texts: Vec<&Text> = Vec::new();
    for &r in &filters.applying {
        collect_texts(&filters.all.rules[r].query.expr, &mut texts);
    }
    // Only texts the index is asked about (a letter or digit in them) narrow; each is folded
    // as the index is asked: segmented (CJK set apart), then tokenized. One without tokens
    // matches nothing, as its MATCH would.
    texts.retain(|t| match_text(t).is_some());
    let mut hits: HashMap<Text, HashSet<usize>> = texts.iter().map(|&t| (t.clone(), HashSet::new())).collect();
    let phrases: Vec<(&Text, Phrase)> = texts
        .into_iter()
        .filter_map(|t| {
            let asked = match t {
                Text::Word(w) | Text::Phrase(w) => segmented(w),
            };
            Some((t, Phrase::new(&asked)?))
        })
        .collect();
    if phrases.is_empty() {
        return hits;
    }
    for &i in which {
        let folded = words::fold(&text_of(i));
        for (t, phrase) in &phrases {
            if phrase.is_in(&folded) {
                hits.entry((*t).clone()).or_default().insert(i);
            }
        }
    }
    hits
}

fn collect_texts<'a>(expr: &'a Expr, out: &mut Vec<&'a Text>) {
    match expr {
        Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| collect_texts(t, out)),
        Expr::Not(inner) => collect_texts(inner, out),
        Expr::Text(t) if !out.contains(&t) => out.push(t),
        _ => {}
    }
}

/// What one filter matches in the cache now, among the articles it would change.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterMatches {
    /// The filter's index in the config.
    pub rule: usize,
    pub count: usize,
    /// The first of them, newest first.
    pub sample: Vec<ArticleSummary>,
}

/// What applying one filter to the cache changed, exactly (what undo restores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterApplied {
    pub rule: usize,
    pub ids: Vec<ArticleId>,
}

impl Store {
    /// What each filter would change in the cache as it is (`khabar filter --dry-run`): the
    /// articles it matches that its action would change, counted, the first `sample` listed.
    pub fn filter_matches(&self, rules: &[FilterRule], sample: usize) -> Result<Vec<FilterMatches>> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            let tagged = self.article_tagged(&rule_filter(rule))?;
            let (sql, args) = rule_select("SELECT COUNT(*)", rule, &tagged);
            let count: i64 = self
                .conn
                .prepare(&sql)?
                .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
            let (mut sql, mut args) = rule_select(&format!("SELECT {SUMMARY_COLUMNS}"), rule, &tagged);
            sql.push_str(" ORDER BY a.sort_time DESC, a.id DESC LIMIT ?");
            args.push(Box::new(sample as i64));
            let rows = self.query_summaries(&sql, args)?;
            out.push(FilterMatches {
                rule: i,
                count: count as usize,
                sample: rows,
            });
        }
        Ok(out)
    }

    /// Applies every filter to the cache as it is, in order, in one transaction (`khabar filter
    /// --apply`, `:filter apply` in the reader); returns exactly what each changed.
    pub fn apply_filters(&mut self, rules: &[FilterRule]) -> Result<Vec<FilterApplied>> {
        let tx = self.conn.savepoint()?;
        let mut out = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            let tagged = article_tagged(&tx, &rule_filter(rule))?;
            let (select, mut args) = rule_select("SELECT a.id", rule, &tagged);
            let sql = if let FilterAction::Tag(tag) = &rule.action {
                args.insert(0, Box::new(tag.clone()));
                format!("INSERT INTO article_tags (article_id, tag) SELECT id, ? FROM ({select}) RETURNING article_id")
            } else if let Some(flag) = action_flag(&rule.action) {
                let column = flag_column(flag);
                format!("UPDATE articles SET {column} = 1 WHERE id IN ({select}) RETURNING id")
            } else {
                continue;
            };
            let mut ids: Vec<ArticleId> = tx
                .prepare(&sql)?
                .query_map(params_from_iter(args.iter()), |r| Ok(ArticleId(r.get(0)?)))?
                .collect::<rusqlite::Result<_>>()?;
            ids.sort_unstable();
            out.push(FilterApplied { rule: i, ids });
        }
        tx.commit()?;
        Ok(out)
    }

    /// Takes a tag given by a filter off these articles (undo); returns those that had it.
    pub fn remove_article_tag(&mut self, ids: &[ArticleId], tag: &str) -> Result<Vec<ArticleId>> {
        let list = serde_json::to_string(&ids.iter().map(|id| id.0).collect::<Vec<i64>>()).unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM article_tags WHERE tag = ?1 AND article_id IN (SELECT value FROM json_each(?2))
             RETURNING article_id",
        )?;
        let removed = stmt.query_map(params![tag, list], |r| Ok(ArticleId(r.get(0)?)))?;
        Ok(removed.collect::<rusqlite::Result<_>>()?)
    }

    /// Gives these articles a tag of their own (redo of a filter's tagging).
    pub fn add_article_tag(&mut self, ids: &[ArticleId], tag: &str) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)")?;
        for id in ids {
            stmt.execute(params![id.0, tag])?;
        }
        Ok(())
    }

    /// Every tag filters gave articles, with the unread (visible) articles that have it, by
    /// name: the sidebar lists them as it lists the config's tags.
    pub fn article_tag_counts(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.tag, SUM(a.read = 0) FROM article_tags t JOIN articles a ON a.id = t.article_id
             JOIN feeds f ON f.id = a.feed_id WHERE a.hidden = 0 AND f.active = 1
             GROUP BY t.tag ORDER BY t.tag",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The tags filters gave an article.
    pub fn article_tags(&self, id: ArticleId) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tag FROM article_tags WHERE article_id = ?1 ORDER BY tag")?;
        let tags = stmt.query_map([id.0], |r| r.get(0))?;
        Ok(tags.collect::<rusqlite::Result<_>>()?)
    }
}

/// The flag an action sets, when it sets one.
pub fn action_flag(action: &FilterAction) -> Option<Flag> {
    match action {
        FilterAction::Hide => Some(Flag::Hidden),
        FilterAction::Read => Some(Flag::Read),
        FilterAction::Star => Some(Flag::Starred),
        FilterAction::Tag(_) => None,
    }
}

fn rule_filter(rule: &FilterRule) -> Filter {
    Filter {
        query: Some(rule.query.clone()),
        ..Filter::default()
    }
}

/// `select` over the articles a rule matches (in its feeds) that its action would change.
fn rule_select(select: &str, rule: &FilterRule, tagged: &Tagged) -> (String, Vec<Box<dyn ToSql>>) {
    let filter = rule_filter(rule);
    let (mut sql, mut args) = filtered(select, &filter, tagged);
    sql.push_str(match &rule.action {
        FilterAction::Hide => " AND a.hidden = 0",
        FilterAction::Read => " AND a.read = 0",
        FilterAction::Star => " AND a.starred = 0",
        FilterAction::Tag(_) => " AND a.id NOT IN (SELECT article_id FROM article_tags WHERE tag = ?)",
    });
    if let FilterAction::Tag(tag) = &rule.action {
        args.push(Box::new(tag.clone()));
    }
    if !rule.feeds.is_empty() || !rule.tags.is_empty() {
        let marks = |n: usize| vec!["?"; n].join(", ");
        sql.push_str(&format!(
            " AND (f.url IN ({}) OR f.config_title IN ({}) \
             OR a.feed_id IN (SELECT feed_id FROM feed_labels WHERE tag IN ({})))",
            marks(rule.feeds.len()),
            marks(rule.feeds.len()),
            marks(rule.tags.len())
        ));
        for f in rule.feeds.iter().chain(&rule.feeds).chain(&rule.tags) {
            args.push(Box::new(f.clone()));
        }
    }
    (sql, args)
}
