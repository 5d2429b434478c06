//! Stories: the articles that report the same news, grouped as they arrive (`pass.rs`), their
//! leads, and what views and commands ask of them. Owns `story_sigs`, `story_state` and the
//! `story`/`folded` columns of `articles`.

mod canon;
mod feeds;
mod group;
mod pass;
mod sig;
mod stop;

use rusqlite::{params, OptionalExtension};

use crate::config::{Config, StoryScope};
use crate::model::ArticleId;

use super::{Result, Store};

use canon::canonical_link;
use group::TUNING;
use sig::Signature;

pub use group::Tuning;
pub use pass::GroupProgress;

/// Word hashes are already well mixed (FNV-1a): a multiply is all a map of them needs, where
/// the standard SipHash cost a tenth of the pass.
#[derive(Default, Clone, Copy)]
pub(super) struct MixHasher(u64);

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

pub(super) type Mix = std::hash::BuildHasherDefault<MixHasher>;
pub(super) type FastMap<K, V> = std::collections::HashMap<K, V, Mix>;
pub(super) type FastSet = std::collections::HashSet<u32, Mix>;

/// Articles the stories pass decides per transaction: a UI write waits for one at most.
pub const STORY_CHUNK: usize = 5_000;

/// Writes one article's signature (the search index pass, and the backfill of older caches).
pub(super) const STORE_SIG: &str = "INSERT INTO story_sigs (article_id, link, words) VALUES (?1, ?2, ?3)
     ON CONFLICT (article_id) DO UPDATE SET link = excluded.link, words = excluded.words";

/// An article's signature as stored: its canonical link's hash and its words.
pub(super) struct StorySig {
    pub(super) link: Option<i64>,
    pub(super) words: Vec<u8>,
}

impl StorySig {
    pub(super) fn new(title: &str, body_text: &str, link: Option<&str>, feed_name: &str) -> StorySig {
        StorySig {
            link: link.and_then(canonical_link).map(|l| link_hash(&l)),
            words: Signature::new(title, body_text, feed_name).to_blob(),
        }
    }
}

fn link_hash(canonical: &str) -> i64 {
    super::hashes::hash64(canonical.as_bytes())
}

/// `[stories]` as grouping needs it: plain data, so a pass can run off the config's thread.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRules {
    pub group: bool,
    /// Seconds.
    pub window: i64,
    pub scope: StoryScope,
    /// Feeds (URLs) whose articles stay on their own (`group = false`).
    pub off: Vec<String>,
    /// Feed URLs or tags, best first: whose copy leads a story.
    pub prefer: Vec<String>,
    pub tuning: Tuning,
}

impl StoryRules {
    pub fn from_config(config: &Config) -> StoryRules {
        let s = &config.stories;
        StoryRules {
            group: s.group,
            window: s.window.0.as_secs().try_into().unwrap_or(i64::MAX),
            scope: s.scope,
            off: config
                .feeds
                .iter()
                .filter(|f| !f.group)
                .map(|f| f.url.clone())
                .collect(),
            prefer: s.prefer.clone(),
            tuning: tuning_from_env().unwrap_or(TUNING),
        }
    }

    /// What grouping depends on: when it changes, every story is made again.
    fn grouping_key(&self) -> String {
        let mut off = self.off.clone();
        off.sort();
        format!(
            "{}|{:?}|{:?}|{}",
            self.window,
            self.scope,
            self.tuning,
            off.join("\u{1f}")
        )
    }

    fn leads_key(&self) -> String {
        self.prefer.join("\u{1f}")
    }
}

impl Store {
    /// Every article of a story, by its id (`mark --story`, `story:ID`).
    pub fn story_articles(&self, story: i64) -> Result<Vec<ArticleId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM articles WHERE story = ?1 ORDER BY sort_time, id")?;
        let rows = stmt.query_map([story], |r| Ok(ArticleId(r.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stories in the cache.
    pub fn story_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(DISTINCT story) FROM articles WHERE story IS NOT NULL")?
            .query_row([], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Every story undone: the next pass groups the whole cache again.
    pub fn forget_stories(&self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE;
             UPDATE articles SET story = NULL, folded = 0 WHERE story IS NOT NULL;
             UPDATE story_sigs SET story = NULL WHERE story IS NOT NULL;
             DELETE FROM story_state WHERE name != 'next_story';
             COMMIT;",
        )?;
        Ok(())
    }
}

/// `KHABAR_STORY_TUNING="mean,least,shared,shared_title,max_story"`: other thresholds, for
/// `benches/stories.py` to draw precision against recall. Not a setting: ill-formed is ignored.
fn tuning_from_env() -> Option<Tuning> {
    let text = std::env::var("KHABAR_STORY_TUNING").ok()?;
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [mean, least, shared, shared_title, max_story] = parts.as_slice() else {
        return None;
    };
    Some(Tuning {
        mean: mean.parse().ok()?,
        least: least.parse().ok()?,
        shared: shared.parse().ok()?,
        shared_title: shared_title.parse().ok()?,
        max_story: max_story.parse().ok()?,
    })
}

fn state<T: rusqlite::types::FromSql>(conn: &rusqlite::Connection, name: &str) -> Result<Option<T>> {
    Ok(conn
        .prepare_cached("SELECT value FROM story_state WHERE name = ?1")?
        .query_row([name], |r| r.get::<_, Option<T>>(0))
        .optional()?
        .flatten())
}

fn state_int(conn: &rusqlite::Connection, name: &str) -> Result<Option<i64>> {
    state(conn, name)
}

fn state_text(conn: &rusqlite::Connection, name: &str) -> Result<Option<String>> {
    state(conn, name)
}

fn set_state(conn: &rusqlite::Connection, name: &str, value: impl rusqlite::ToSql) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO story_state (name, value) VALUES (?1, ?2)")?
        .execute(params![name, value])?;
    Ok(())
}

fn clear_state(conn: &rusqlite::Connection, name: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM story_state WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}
