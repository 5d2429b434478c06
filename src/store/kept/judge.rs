//! Judging changed articles for kept counts: each read once for every saved query, with the
//! filters' evaluator in memory, words from the search index's hits; and the feeds as queries see them.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::query::{matches, Candidate, Evaluator, Expr, Query, Text};

use super::super::fts::match_text;
use super::super::{Result, Store};

/// Changed articles are read this many at a time.
const CHUNK: usize = 4_096;

/// What a kept count depends on beside articles: feeds' tags and whether they are configured
/// (every query), and their titles and addresses (`feed:`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct FeedPrint {
    pub(super) tags_and_active: u64,
    pub(super) names: u64,
}

/// A feed as queries see it: configured or not, its address, its title as shown, its tags.
#[derive(Debug, Default)]
pub(super) struct FeedFacts {
    active: bool,
    url: String,
    title: Option<String>,
    tags: Vec<String>,
}

impl Store {
    /// The feeds as queries see them, and fingerprints of what queries read of them.
    pub(super) fn feed_facts(&self) -> Result<(FeedPrint, HashMap<i64, FeedFacts>)> {
        let mut feeds: HashMap<i64, FeedFacts> = HashMap::new();
        let mut tags_and_active = DefaultHasher::new();
        let mut names = DefaultHasher::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, active, url, COALESCE(config_title, title) FROM feeds ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let facts = FeedFacts {
                active: r.get(1)?,
                url: r.get(2)?,
                title: r.get(3)?,
                tags: Vec::new(),
            };
            let id: i64 = r.get(0)?;
            (id, facts.active).hash(&mut tags_and_active);
            (id, &facts.url, &facts.title).hash(&mut names);
            feeds.insert(id, facts);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tag, feed_id FROM feed_tags ORDER BY tag, feed_id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (tag, feed): (String, i64) = (r.get(0)?, r.get(1)?);
            (&tag, feed).hash(&mut tags_and_active);
            if let Some(f) = feeds.get_mut(&feed) {
                f.tags.push(tag);
            }
        }
        let print = FeedPrint {
            tags_and_active: tags_and_active.finish(),
            names: names.finish(),
        };
        Ok((print, feeds))
    }

    /// For each query, which of the `asked` articles are its unread, visible matches
    /// (ascending). Each article is read once for all the queries; read articles and those of
    /// feeds no longer configured match none (every count is of unread articles).
    pub(super) fn judge(
        &self,
        asked: &BTreeSet<i64>,
        queries: &[&Query],
        feeds: &HashMap<i64, FeedFacts>,
        now: i64,
    ) -> Result<Vec<Vec<i64>>> {
        let ids: Vec<i64> = asked.iter().copied().collect();
        let mut rows = self.conn.prepare_cached(
            "SELECT a.id, a.feed_id, a.starred, a.hidden, a.sort_time, a.title, a.author,
                    EXISTS (SELECT 1 FROM enclosures e WHERE e.article_id = a.id)
             FROM articles a WHERE a.read = 0 AND a.id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut own_tags = self.conn.prepare_cached(
            "SELECT article_id, tag FROM article_tags WHERE article_id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut unread: Vec<Unread> = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let list = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let mut tags_of: HashMap<i64, Vec<String>> = HashMap::new();
            for row in own_tags.query_map([&list], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
                let (id, tag) = row?;
                tags_of.entry(id).or_default().push(tag);
            }
            let mut found = rows.query([&list])?;
            while let Some(r) = found.next()? {
                let id: i64 = r.get(0)?;
                let feed: i64 = r.get(1)?;
                if !feeds.get(&feed).is_some_and(|f| f.active) {
                    continue;
                }
                unread.push(Unread {
                    id,
                    feed,
                    starred: r.get(2)?,
                    hidden: r.get(3)?,
                    sort_time: r.get(4)?,
                    title: r.get(5)?,
                    author: r.get(6)?,
                    has_enclosure: r.get(7)?,
                    own_tags: tags_of.remove(&id),
                });
            }
        }
        let mut out = vec![Vec::new(); queries.len()];
        if unread.is_empty() {
            return Ok(out);
        }
        unread.sort_unstable_by_key(|u| u.id);
        let hits = self.index_hits(queries, &unread)?;
        let eval = Evaluator::for_queries(queries.iter().copied());
        let mut tags = Vec::new();
        for u in &unread {
            let feed = &feeds[&u.feed];
            let tags: &[String] = match &u.own_tags {
                Some(own) => {
                    tags.clear();
                    tags.extend(feed.tags.iter().chain(own).cloned());
                    &tags
                }
                None => &feed.tags,
            };
            let c = Candidate {
                title: &u.title,
                author: u.author.as_deref(),
                feed_title: feed.title.as_deref(),
                feed_url: &feed.url,
                tags,
                read: false,
                starred: u.starred,
                hidden: u.hidden,
                has_enclosure: u.has_enclosure,
                sort_time: u.sort_time,
                now,
            };
            let mut text = |t: &Text| hits.get(t).is_none_or(|h| h.as_ref().is_none_or(|h| h.contains(&u.id)));
            for (q, found) in queries.iter().zip(out.iter_mut()) {
                if matches(&eval, q, &c, &mut text) {
                    found.push(u.id);
                }
            }
        }
        Ok(out)
    }

    /// For each word and phrase of the queries, which of the `unread` articles (by id,
    /// ascending) the search index finds it in; None for one with no letter or digit (it asks
    /// nothing of the index, as in the SQL).
    fn index_hits(&self, queries: &[&Query], unread: &[Unread]) -> Result<HashMap<Text, Option<HashSet<i64>>>> {
        let mut hits: HashMap<Text, Option<HashSet<i64>>> = HashMap::new();
        for q in queries {
            texts_in(&q.expr, &mut |t| {
                hits.entry(t.clone()).or_insert(None);
            });
        }
        let (Some(low), Some(high)) = (unread.first(), unread.last()) else {
            return Ok(hits);
        };
        self.complete_search_index()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3")?;
        for (text, found) in hits.iter_mut() {
            let Some(m) = match_text(text) else { continue };
            // Both ascending: one walk keeps the hits among the articles asked about.
            let mut asked = unread.iter().map(|u| u.id).peekable();
            let mut kept = HashSet::new();
            let mut rows = stmt.query(rusqlite::params![m, low.id, high.id])?;
            while let Some(r) = rows.next()? {
                let hit: i64 = r.get(0)?;
                while asked.next_if(|&id| id < hit).is_some() {}
                match asked.peek() {
                    Some(&id) if id == hit => {
                        kept.insert(hit);
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            *found = Some(kept);
        }
        Ok(hits)
    }
}

/// An unread article of a configured feed, as the queries are asked about it.
struct Unread {
    id: i64,
    feed: i64,
    starred: bool,
    hidden: bool,
    sort_time: i64,
    title: String,
    author: Option<String>,
    has_enclosure: bool,
    own_tags: Option<Vec<String>>,
}

/// Calls `each` with every word and phrase of the expression.
fn texts_in(e: &Expr, each: &mut dyn FnMut(&Text)) {
    match e {
        Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| texts_in(t, each)),
        Expr::Not(inner) => texts_in(inner, each),
        Expr::Text(t) => each(t),
        _ => {}
    }
}
