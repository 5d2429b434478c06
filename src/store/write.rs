//! Writing one fetch's articles: identity and content hashes (prepared off the lock), insert
//! new, update changed, skip unchanged, keep the per-feed counts, and retention.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::model::{FeedId, FeedMeta, NewArticle};
use crate::text::html;

use super::accounts::RemoteArticle;
use super::filtering::{judge, FeedFilters, Verdict};
use super::fts;
use super::hashes::{article_hash, hash64, imported_keys};
use super::packing::{pack, Packed};
use super::search_backlog::{self, HeldText};
use super::write_rows::{record_fetch, stored_rows, write_filter_tags, ArticleRows, NewRow};
use super::{Result, Store};

/// A successful fetch with a body, to be written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    pub status: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Set after a permanent redirect or autodiscovery; later fetches go there.
    pub fetch_url: Option<String>,
    /// `body_hash` of the fetched body, kept so an identical body is not parsed next time.
    pub body_hash: Option<i64>,
    pub meta: FeedMeta,
    pub articles: Vec<NewArticle>,
    pub keep_per_feed: usize,
    /// A feed's own `max_items` and `max_age`: what else goes.
    pub trim: Trim,
    /// The articles' identity and content hashes, computed before the write (`prepare`), so
    /// the work is done in parallel outside the cache lock. Computed here when absent.
    pub prepared: Option<Prepared>,
    /// For a sync account's articles, in the same order: their server ids and the state they
    /// arrive with.
    pub remote: Option<Vec<RemoteArticle>>,
}

/// How far a feed with its own `max_items` or `max_age` is cut back, beyond `keep_per_feed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trim {
    /// Unread articles past `keep_per_feed` go too (the feed's `max_items` was asked for).
    pub unread_too: bool,
    /// Articles older than this (a Unix time) go, read or not.
    pub older_than: Option<i64>,
}

/// Identity and content hashes of a feed's articles, in document order, and the compressed
/// bodies of those that `prepare` was told are new or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    keys: Vec<i64>,
    hashes: Vec<i64>,
    /// By article: None when not packed here (unchanged, or no `stored` given), else its body.
    bodies: Vec<Option<Option<Packed>>>,
    /// By article: the search text, when the filters made it to look for words.
    texts: Vec<Option<String>>,
    /// What the filters did to the articles new to the cache (by index; none: untouched).
    verdicts: HashMap<usize, Verdict>,
}

/// The stored articles of one feed: identity key -> content hash.
pub type StoredHashes = HashMap<i64, i64>;

/// Prepares articles for `FetchRecord::prepared`: pure CPU work, no cache access, so it runs in
/// parallel outside the write lock. With `stored` (read just before), the bodies of new and
/// changed articles are compressed here too; unchanged ones cost only their hashes. `filters`
/// judge the new ones (all of them without `stored`); `now` is the time of the fetch (unix
/// seconds).
pub fn prepare(
    articles: &[NewArticle],
    stored: Option<&StoredHashes>,
    filters: Option<&FeedFilters>,
    now: i64,
) -> Prepared {
    let keys: Vec<i64> = articles.iter().map(|a| hash64(a.key.as_bytes())).collect();
    let hashes: Vec<i64> = articles.iter().map(article_hash).collect();
    let mut bodies = Vec::new();
    // Made only if a filter looks for words; then kept, so the index need not make it again.
    let texts: Vec<std::cell::OnceCell<String>> = (0..articles.len()).map(|_| std::cell::OnceCell::new()).collect();
    if let Some(stored) = stored {
        for (i, a) in articles.iter().enumerate() {
            let write = stored.get(&keys[i]) != Some(&hashes[i]);
            bodies.push(write.then(|| a.content.as_deref().map(pack)));
        }
    }
    let verdicts = match filters {
        Some(filters) if !filters.applying.is_empty() => {
            let new: Vec<usize> = (0..articles.len())
                .filter(|&i| stored.is_none_or(|s| !s.contains_key(&keys[i])))
                .collect();
            judge(
                articles,
                &new,
                &|i| Cow::Borrowed(texts[i].get_or_init(|| index_text(&articles[i]))),
                filters,
                now,
            )
        }
        _ => HashMap::new(),
    };
    let texts = texts.into_iter().map(std::cell::OnceCell::into_inner).collect();
    Prepared {
        keys,
        hashes,
        bodies,
        texts,
        verdicts,
    }
}

/// What a write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// New articles each filter acted on: (filter index, count), by index.
    pub filtered: Vec<(usize, usize)>,
    /// New articles a filter hid (counted in `new`).
    pub hidden: usize,
}

impl Store {
    /// The identity and content hashes of a feed's stored articles (see `prepare`).
    pub fn stored_hashes(&self, feed: FeedId) -> Result<StoredHashes> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, hash FROM articles WHERE feed_id = ?1")?;
        let rows = stmt.query_map([feed.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes one fetched feed atomically (a savepoint, so it can join `in_one_transaction`):
    /// new articles inserted, changed ones updated (read and starred state kept), unchanged ones
    /// not touched, then retention.
    pub fn apply_fetch(&mut self, feed: FeedId, at: DateTime<Utc>, rec: &FetchRecord) -> Result<WriteCounts> {
        let now = at.timestamp();
        let tx = self.conn.savepoint()?;
        let mut counts = WriteCounts::default();

        let existing = stored_rows(&tx, feed)?;

        // Within one document a repeated identity keeps its first occurrence (usually the newest).
        let mut first_of_key: HashMap<i64, usize> = HashMap::with_capacity(rec.articles.len());
        let computed;
        let prepared = match &rec.prepared {
            Some(p) if p.keys.len() == rec.articles.len() => p,
            _ => {
                computed = prepare(&rec.articles, None, None, now);
                &computed
            }
        };
        let keys = &prepared.keys;
        let body_of = |i: usize| match prepared.bodies.get(i) {
            Some(Some(body)) => body.as_ref().map(Cow::Borrowed),
            _ => rec.articles[i].content.as_deref().map(|c| Cow::Owned(pack(c))),
        };
        for (i, key) in keys.iter().enumerate() {
            first_of_key.entry(*key).or_insert(i);
        }
        let seen_keys: HashSet<i64> = first_of_key.keys().copied().collect();
        // What the index pass must (re)index: (id, the index holds an older text).
        let mut to_index: Vec<(i64, bool)> = Vec::new();
        // Those whose text the filters made: indexed at the group's commit (see `HeldText`).
        let mut held: Vec<HeldText> = Vec::new();
        let holding = self.held_texts.is_some();
        let mut index_later = |id: i64, replace: bool, i: usize| match prepared.texts.get(i) {
            Some(Some(text)) if holding => held.push(HeldText {
                id,
                replace,
                text: text.clone(),
            }),
            _ => to_index.push((id, replace)),
        };
        let (mut visible_new, mut unread_new) = (0i64, 0i64);
        let mut acted: BTreeMap<usize, usize> = BTreeMap::new();
        // The tags filters gave new articles, written in one statement after them.
        let mut tags: Vec<(i64, &str)> = Vec::new();
        {
            let mut rows = ArticleRows::prepare(&tx)?;
            let mut adopted: HashSet<i64> = HashSet::new();

            // Reverse document order: undated items first seen together then list in feed order.
            for (i, a) in rec.articles.iter().enumerate().rev() {
                let key = keys[i];
                if first_of_key[&key] != i {
                    continue;
                }
                let hash = prepared.hashes[i];
                let published = a.published.map(|p| p.timestamp());
                // An article imported from another reader is stored under that reader's identity:
                // the first time the feed serves it, it takes khabar's key and stays the same row.
                let imported = if existing.contains_key(&key) || existing.is_empty() {
                    None
                } else {
                    imported_keys(a)
                        .into_iter()
                        .find_map(|k| existing.get(&k).filter(|(id, _)| !adopted.contains(id)))
                };
                if let Some(&(id, _)) = imported {
                    rows.rekey.execute(params![id, key])?;
                    adopted.insert(id);
                }
                match imported.or(existing.get(&key)) {
                    Some(&(_, old_hash)) if old_hash == hash => counts.unchanged += 1,
                    Some(&(id, _)) => {
                        rows.update(id, hash, published, a, body_of(i).as_deref())?;
                        index_later(id, true, i);
                        counts.updated += 1;
                    }
                    None => {
                        let sort_time = published.map_or(now, |p| p.min(now));
                        let verdict = prepared.verdicts.get(&i);
                        let flag = |f: fn(&Verdict) -> bool| verdict.is_some_and(f);
                        let remote = rec.remote.as_ref().and_then(|r| r.get(i));
                        let read = flag(|v| v.read) || remote.is_some_and(|r| r.read);
                        let starred = flag(|v| v.starred) || remote.is_some_and(|r| r.starred);
                        let hidden = flag(|v| v.hidden);
                        let new = NewRow {
                            feed,
                            key,
                            hash,
                            sort_time,
                            published,
                            read,
                            starred,
                            hidden,
                            remote: remote.map(|r| r.id),
                        };
                        let id = rows.insert(&tx, &new, a, body_of(i).as_deref())?;
                        if let Some(v) = verdict {
                            tags.extend(v.tags.iter().map(|t| (id, t.as_str())));
                            for r in &v.acted {
                                *acted.entry(*r).or_default() += 1;
                            }
                        }
                        index_later(id, false, i);
                        counts.new += 1;
                        visible_new += i64::from(!hidden);
                        unread_new += i64::from(!hidden && !read);
                    }
                }
            }
        }
        write_filter_tags(&tx, &tags)?;
        record_fetch(&tx, feed, now, rec)?;
        // New articles are counted here, visible ones only (the triggers count the rest).
        if visible_new > 0 {
            tx.prepare_cached(
                "UPDATE feeds SET article_count = article_count + ?2, unread_count = unread_count + ?3 WHERE id = ?1",
            )?
            .execute(params![feed.0, visible_new, unread_new])?;
        }
        counts.filtered = acted.into_iter().collect();
        counts.hidden = counts.new - visible_new as usize;
        counts.removed = retain(&tx, feed, rec.keep_per_feed, rec.trim, &seen_keys)?;
        search_backlog::mark(&tx, &to_index)?;
        tx.commit()?;
        if let Some(group) = &mut self.held_texts {
            group.append(&mut held);
        }
        Ok(counts)
    }
}

/// Keeps the newest `keep` articles of a feed. Only read, unstarred articles that are no longer
/// in the feed's current document are dropped: one still served would come back as unread.
/// `trim` drops unread ones too, and those older than its limit; never a starred one.
fn retain(tx: &Connection, feed: FeedId, keep: usize, trim: Trim, current: &HashSet<i64>) -> Result<usize> {
    let mut removed = 0;
    if let Some(before) = trim.older_than {
        removed += tx
            .prepare_cached("DELETE FROM articles WHERE feed_id = ?1 AND sort_time < ?2 AND starred = 0")?
            .execute(params![feed.0, before])?;
    }
    let total: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM articles WHERE feed_id = ?1")?
        .query_row([feed.0], |r| r.get(0))?;
    if total as usize <= keep {
        return Ok(removed);
    }
    let doomed: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, key, read, starred FROM articles WHERE feed_id = ?1
             ORDER BY sort_time DESC, id DESC LIMIT -1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![feed.0, keep as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let (id, key, read, starred) = row?;
            if (read || trim.unread_too) && !starred && !current.contains(&key) {
                ids.push(id);
            }
        }
        ids
    };
    let mut delete = tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?;
    for id in &doomed {
        delete.execute([id])?;
    }
    Ok(removed + doomed.len())
}

pub(super) fn index_text(a: &NewArticle) -> String {
    let body = a.content.as_deref().map(html::to_index_text).unwrap_or_default();
    fts::index_text(&a.title, &body)
}
