//! The grouping pass: articles stored since the last one, decided in time order against the
//! articles within the window of each (read by the date index, a page at a time), a chunk per
//! transaction that also records how far it got, so a kill loses at most one chunk.

use std::collections::{HashSet, VecDeque};

use rusqlite::{params, Connection, OptionalExtension};

use super::feeds::{relead, relead_if_asked, Feeds};
use super::group::{Decision, Entry, Window};
use super::sig::Signature;
use super::{clear_state, set_state, state_int, state_text, StoryRules, StorySig, STORE_SIG};
use crate::store::packing::Unpacked;
use crate::store::{Result, Store};
use crate::text::html;

/// Rows of the date index read at once.
const PAGE: i64 = 2_048;
/// The most articles before, and after, the one decided that it is compared with: the window
/// in time, narrowed where articles are dense, so memory stays bounded.
const NEAREST: usize = 1_000;

/// How far one step of the pass got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupProgress {
    /// New articles decided (joined a story or left alone).
    pub decided: usize,
    /// Of those, how many joined a story.
    pub grouped: usize,
    /// Nothing is left to group.
    pub done: bool,
}

impl Store {
    /// One step of grouping: up to `budget` articles decided, in one transaction (or a
    /// savepoint of the one open).
    pub fn group_stories(&self, rules: &StoryRules, budget: usize) -> Result<GroupProgress> {
        if !rules.group {
            return Ok(GroupProgress {
                done: true,
                ..GroupProgress::default()
            });
        }
        crate::store::in_savepoint(&self.conn, "stories", || step(&self.conn, rules, budget.max(1)))
    }

    /// Groups everything waiting, a step at a time (bounded: each step decides at least one
    /// article, or ends the pass).
    pub fn group_all_stories(&self, rules: &StoryRules, budget: usize) -> Result<GroupProgress> {
        let mut total = GroupProgress::default();
        let waiting: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM articles")?
            .query_row([], |r| r.get(0))?;
        for _ in 0..=(waiting as usize).div_ceil(budget.max(1)) + 2 {
            let p = self.group_stories(rules, budget)?;
            total.decided += p.decided;
            total.grouped += p.grouped;
            if p.done {
                total.done = true;
                break;
            }
        }
        Ok(total)
    }
}

fn step(conn: &Connection, rules: &StoryRules, budget: usize) -> Result<GroupProgress> {
    let grouping = rules.grouping_key();
    if state_text(conn, "grouping")?.as_deref() != Some(grouping.as_str()) {
        // Other settings: every story is made again, from the first article.
        conn.execute_batch(
            "UPDATE articles SET story = NULL, folded = 0 WHERE story IS NOT NULL;
             UPDATE story_sigs SET story = NULL WHERE story IS NOT NULL;",
        )?;
        for name in ["mark", "target", "run_at", "run_id"] {
            clear_state(conn, name)?;
        }
        set_state(conn, "grouping", &grouping)?;
        // Every story from here on is led as `prefer` says now.
        set_state(conn, "leads", rules.leads_key())?;
    }
    let mark = state_int(conn, "mark")?.unwrap_or(0);
    let target = match state_int(conn, "target")? {
        Some(t) => t,
        None => {
            let newest: i64 = conn
                .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM articles")?
                .query_row([], |r| r.get(0))?;
            if newest > mark {
                set_state(conn, "target", newest)?;
            }
            newest
        }
    };
    let feeds = Feeds::load(conn, rules)?;
    if target <= mark {
        relead_if_asked(conn, rules, &feeds)?;
        return Ok(GroupProgress {
            done: true,
            ..GroupProgress::default()
        });
    }
    // Signatures are made sure of once per run, from where the last run made sure of them.
    let signed = state_int(conn, "signed")?.unwrap_or(0).max(mark);
    if signed < target {
        if backfill(conn, signed, target, budget)? >= budget {
            return Ok(GroupProgress::default());
        }
        set_state(conn, "signed", target)?;
    }
    let run = (
        state_int(conn, "run_at")?.unwrap_or(i64::MIN),
        state_int(conn, "run_id")?.unwrap_or(i64::MIN),
    );
    let todo = undecided(conn, mark, target, run, budget)?;
    let finished = todo.len() < budget;
    let mut progress = sweep(conn, rules, &feeds, &todo)?;
    if let Some(&(at, id)) = todo.last() {
        set_state(conn, "run_at", at)?;
        set_state(conn, "run_id", id)?;
    }
    if finished {
        set_state(conn, "mark", target)?;
        for name in ["target", "run_at", "run_id"] {
            clear_state(conn, name)?;
        }
        relead_if_asked(conn, rules, &feeds)?;
        progress.done = true;
    }
    Ok(progress)
}

/// The next `budget` articles of the run, in time order: stored up to `target`, after `mark`,
/// past the run's last decided one, not hidden.
fn undecided(conn: &Connection, mark: i64, target: i64, run: (i64, i64), budget: usize) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sort_time, id FROM articles INDEXED BY articles_time WHERE id > ?1 AND id <= ?2 AND hidden = 0",
    )?;
    let rows = stmt.query_map([mark, target], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut todo: Vec<(i64, i64)> = rows.collect::<rusqlite::Result<_>>()?;
    todo.retain(|&key| key > run);
    todo.sort_unstable();
    todo.truncate(budget);
    Ok(todo)
}

/// Signatures for articles the search index pass did not sign (stored before stories existed,
/// or indexed with their feed's filters): made here from their title and body.
fn backfill(conn: &Connection, mark: i64, target: i64, budget: usize) -> Result<usize> {
    let missing: Vec<(i64, String, rusqlite::types::Value, Option<String>, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT a.id, a.title, a.content, a.link, COALESCE(f.config_title, f.title, '')
             FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE a.id > ?1 AND a.id <= ?2
               AND NOT EXISTS (SELECT 1 FROM story_sigs s WHERE s.article_id = a.id)
             ORDER BY a.id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![mark, target, budget as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut sign = conn.prepare_cached(STORE_SIG)?;
    for (id, title, content, link, feed_name) in &missing {
        use rusqlite::types::FromSql;
        let body = Unpacked::column_result(content.into())
            .ok()
            .and_then(|Unpacked(b)| b)
            .map(|b| html::to_index_text(&b))
            .unwrap_or_default();
        let sig = StorySig::new(title, &body, link.as_deref(), feed_name);
        sign.execute(params![id, sig.link, sig.words])?;
    }
    Ok(missing.len())
}

/// Decides `todo` (sorted by time), reading the date index around each.
fn sweep(conn: &Connection, rules: &StoryRules, feeds: &Feeds, todo: &[(i64, i64)]) -> Result<GroupProgress> {
    let mut progress = GroupProgress::default();
    let mut touched: HashSet<i64> = HashSet::new();
    let mut next_story = state_int(conn, "next_story")?.unwrap_or(1);
    let mut set_story = conn.prepare_cached("UPDATE articles SET story = ?2 WHERE id = ?1")?;
    let mut set_copy = conn.prepare_cached("UPDATE story_sigs SET story = ?2 WHERE article_id = ?1")?;
    let w = rules.window;
    let mut i = 0;
    while i < todo.len() {
        // One stretch of time: articles whose windows overlap are read together.
        let mut j = i + 1;
        while j < todo.len() && todo[j].0.saturating_sub(w) <= todo[j - 1].0.saturating_add(w) {
            j += 1;
        }
        let mut window = Window::default();
        // Keys of the window's articles in time order; read but not yet in the window.
        let mut queue: VecDeque<(i64, i64)> = VecDeque::new();
        let mut pending: VecDeque<Entry> = VecDeque::new();
        let mut reader = Stream::new(start_of(conn, todo[i], w)?, todo[j - 1].0.saturating_add(w));
        for &(at, id) in &todo[i..j] {
            // Ahead: up to `w` later and at most NEAREST articles (a dense stretch of time, a
            // cold refresh of a big corpus, would otherwise hold it all in memory); behind: back
            // to `w` earlier, at most NEAREST articles, let go of as the reading goes on.
            loop {
                evict(&mut queue, &mut window, (at, id), w);
                let ahead = queue.len() - queue.partition_point(|&k| k <= (at, id));
                if ahead >= NEAREST {
                    break;
                }
                if pending.is_empty() && !reader.done {
                    pending.extend(reader.page(conn)?);
                }
                match pending.front() {
                    Some(e) if e.at <= at.saturating_add(w) => {
                        if let Some(e) = pending.pop_front() {
                            queue.push_back((e.at, e.id));
                            window.enter(e);
                        }
                    }
                    _ => break,
                }
            }
            evict(&mut queue, &mut window, (at, id), w);
            progress.decided += 1;
            let Some(entry) = window.get(id) else { continue };
            if entry.story.is_some() || feeds.off.contains(&entry.feed) {
                continue;
            }
            let decision = window.decide(id, &rules.tuning, &|a, b| feeds.may_pair(a, b));
            let (story, pair) = match decision {
                None => continue,
                Some(Decision::Join(s)) => (s, None),
                Some(Decision::Pair(b)) => {
                    next_story += 1;
                    (next_story - 1, Some(b))
                }
            };
            for member in std::iter::once(id).chain(pair) {
                window.assign(member, story);
                set_story.execute([member, story])?;
                set_copy.execute([member, story])?;
                progress.grouped += 1;
            }
            touched.insert(story);
        }
        i = j;
    }
    set_state(conn, "next_story", next_story)?;
    let mut touched: Vec<i64> = touched.into_iter().collect();
    touched.sort_unstable();
    for s in touched {
        relead(conn, s, feeds)?;
    }
    Ok(progress)
}

/// Where reading starts for the window of `first`: `w` earlier, or the NEAREST-th article
/// before it if that is later (what lies before it would be let go of unread).
fn start_of(conn: &Connection, first: (i64, i64), w: i64) -> Result<(i64, i64)> {
    let nearest: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT sort_time, id FROM articles INDEXED BY articles_time WHERE (sort_time, id) < (?1, ?2)
             ORDER BY sort_time DESC, id DESC LIMIT 1 OFFSET ?3",
        )?
        .query_row(params![first.0, first.1, NEAREST as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let earliest = (first.0.saturating_sub(w), i64::MIN);
    Ok(nearest.map_or(earliest, |n| n.max(earliest)))
}

/// Lets go of the articles before `key` that are more than `w` earlier, or beyond the NEAREST.
fn evict(queue: &mut VecDeque<(i64, i64)>, window: &mut Window, key: (i64, i64), w: i64) {
    let mut behind = queue.partition_point(|&k| k < key);
    while let Some(&(t, gone)) = queue.front() {
        if t >= key.0.saturating_sub(w) && behind <= NEAREST {
            break;
        }
        queue.pop_front();
        window.leave(gone);
        behind = behind.saturating_sub(1);
    }
}

/// The date index read forward a page at a time between two times.
struct Stream {
    last_at: i64,
    last_id: i64,
    until: i64,
    done: bool,
}

impl Stream {
    /// From the article at `from` (included) to the time `until`.
    fn new(from: (i64, i64), until: i64) -> Stream {
        Stream {
            last_at: from.0,
            last_id: from.1.saturating_sub(1),
            until,
            done: false,
        }
    }

    fn page(&mut self, conn: &Connection) -> Result<Vec<Entry>> {
        let mut stmt = conn.prepare_cached(
            "SELECT a.id, a.feed_id, a.sort_time, s.story, s.link, s.words
             FROM articles a INDEXED BY articles_time JOIN story_sigs s ON s.article_id = a.id
             WHERE (a.sort_time, a.id) > (?1, ?2) AND a.sort_time <= ?3 AND a.hidden = 0
             ORDER BY a.sort_time, a.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![self.last_at, self.last_id, self.until, PAGE], |r| {
            Ok(Entry {
                id: r.get(0)?,
                feed: r.get(1)?,
                at: r.get(2)?,
                story: r.get(3)?,
                link: r.get(4)?,
                sig: Signature::from_blob(&r.get::<_, Vec<u8>>(5)?),
            })
        })?;
        let page: Vec<Entry> = rows.collect::<rusqlite::Result<_>>()?;
        match page.last() {
            Some(e) => (self.last_at, self.last_id) = (e.at, e.id),
            None => self.done = true,
        }
        if (page.len() as i64) < PAGE {
            self.done = true;
        }
        Ok(page)
    }
}
