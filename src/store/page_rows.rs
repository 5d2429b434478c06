//! A page of a view made whole: each row's feed tags, the tags filters gave it, and the other
//! articles of its story; a few small queries per page, never one per row.

use std::collections::HashMap;

use rusqlite::{params_from_iter, ToSql};

use crate::model::{ArticleId, ArticleSummary, StoryMember};

use super::views::summary_from_row;
use super::{Result, Store};

impl Store {
    pub(super) fn query_summaries(&self, sql: &str, args: Vec<Box<dyn ToSql>>) -> Result<Vec<ArticleSummary>> {
        let tags = self.tags_by_feed()?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), summary_from_row)?;
        let mut out: Vec<ArticleSummary> = rows.collect::<rusqlite::Result<_>>()?;
        let mut own = self.own_tags(&out)?;
        self.fill_also_in(&mut out)?;
        for a in &mut out {
            a.tags = tags.get(&a.feed_id).cloned().unwrap_or_default();
            for t in own.remove(&a.id).unwrap_or_default() {
                if !a.tags.contains(&t) {
                    a.tags.push(t);
                }
            }
        }
        Ok(out)
    }

    /// Each row's `also_in`: the other articles of its story, earliest first.
    pub(super) fn fill_also_in(&self, rows: &mut [ArticleSummary]) -> Result<()> {
        let stories = self.stories_of_page(rows)?;
        for a in rows {
            if let Some(members) = a.story.and_then(|s| stories.get(&s)) {
                a.also_in = members.iter().filter(|m| m.id != a.id).cloned().collect();
            }
        }
        Ok(())
    }

    /// The articles of the stories on a page, by story (one query, only for a page with some).
    fn stories_of_page(&self, page: &[ArticleSummary]) -> Result<HashMap<i64, Vec<StoryMember>>> {
        let mut map: HashMap<i64, Vec<StoryMember>> = HashMap::new();
        let mut ids: Vec<i64> = page.iter().filter_map(|a| a.story).collect();
        if ids.is_empty() {
            return Ok(map);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.story, a.id, a.read, COALESCE(f.config_title, f.title, f.url)
             FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE a.story IN (SELECT value FROM json_each(?1)) ORDER BY a.sort_time, a.id",
        )?;
        let mut rows = stmt.query([serde_json::to_string(&ids).unwrap_or_default()])?;
        while let Some(r) = rows.next()? {
            map.entry(r.get(0)?).or_default().push(StoryMember {
                id: ArticleId(r.get(1)?),
                read: r.get(2)?,
                feed_title: r.get(3)?,
            });
        }
        Ok(map)
    }

    /// The tags filters gave these articles, by article.
    fn own_tags(&self, page: &[ArticleSummary]) -> Result<HashMap<ArticleId, Vec<String>>> {
        let mut map: HashMap<ArticleId, Vec<String>> = HashMap::new();
        if page.is_empty() {
            return Ok(map);
        }
        let ids: Vec<i64> = page.iter().map(|a| a.id.0).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT article_id, tag FROM article_tags WHERE article_id IN (SELECT value FROM json_each(?1)) ORDER BY tag",
        )?;
        let mut rows = stmt.query([serde_json::to_string(&ids).unwrap_or_default()])?;
        while let Some(r) = rows.next()? {
            map.entry(ArticleId(r.get(0)?)).or_default().push(r.get(1)?);
        }
        Ok(map)
    }
}
