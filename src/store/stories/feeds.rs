//! What grouping knows of the feeds (who opted out, their tags for `scope = "tag"`, their rank
//! in `prefer`), and the lead of each story: the preferred feed's article, else the earliest.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use crate::config::StoryScope;
use crate::store::Result;

use super::{set_state, state_text, StoryRules};

/// What grouping needs to know of the feeds: who opted out, their tags, who leads.
pub(super) struct Feeds {
    pub(super) off: HashSet<i64>,
    tags: HashMap<i64, Vec<String>>,
    rank: HashMap<i64, usize>,
    scope: StoryScope,
}

impl Feeds {
    pub(super) fn load(conn: &Connection, rules: &StoryRules) -> Result<Feeds> {
        let mut feeds = Feeds {
            off: HashSet::new(),
            tags: HashMap::new(),
            rank: HashMap::new(),
            scope: rules.scope,
        };
        let mut stmt = conn.prepare_cached("SELECT id, url FROM feeds")?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare_cached("SELECT feed_id, tag FROM feed_tags")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (feed, tag) = row?;
            feeds.tags.entry(feed).or_default().push(tag);
        }
        for (id, url) in rows {
            if rules.off.contains(&url) {
                feeds.off.insert(id);
            }
            let tags = feeds.tags.get(&id);
            let rank = rules
                .prefer
                .iter()
                .position(|p| *p == url || tags.is_some_and(|t| t.contains(p)))
                .unwrap_or(rules.prefer.len());
            feeds.rank.insert(id, rank);
        }
        Ok(feeds)
    }

    pub(super) fn may_pair(&self, a: i64, b: i64) -> bool {
        if self.off.contains(&a) || self.off.contains(&b) {
            return false;
        }
        match self.scope {
            StoryScope::All => true,
            StoryScope::Tag => match (self.tags.get(&a), self.tags.get(&b)) {
                (Some(x), Some(y)) => x.iter().any(|t| y.contains(t)),
                _ => false,
            },
        }
    }
}

/// Which article leads a story: the preferred feed's, else the earliest.
pub(super) fn relead(conn: &Connection, story: i64, feeds: &Feeds) -> Result<()> {
    let members: Vec<(i64, i64, i64)> = conn
        .prepare_cached("SELECT id, feed_id, sort_time FROM articles WHERE story = ?1")?
        .query_map([story], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let lead = members
        .iter()
        .min_by_key(|&&(id, feed, at)| (feeds.rank.get(&feed).copied().unwrap_or(usize::MAX), at, id))
        .map(|m| m.0);
    if let Some(lead) = lead {
        conn.prepare_cached("UPDATE articles SET folded = (id != ?2) WHERE story = ?1 AND folded != (id != ?2)")?
            .execute([story, lead])?;
    }
    Ok(())
}

/// Every story's lead again when `prefer` changed.
pub(super) fn relead_if_asked(conn: &Connection, rules: &StoryRules, feeds: &Feeds) -> Result<()> {
    let key = rules.leads_key();
    if state_text(conn, "leads")?.as_deref() == Some(key.as_str()) {
        return Ok(());
    }
    let stories: Vec<i64> = conn
        .prepare_cached("SELECT DISTINCT story FROM articles WHERE story IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for s in stories {
        relead(conn, s, feeds)?;
    }
    set_state(conn, "leads", &key)
}
