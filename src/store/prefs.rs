//! The reader's preferences that survive a restart: view_sort (the order each view was last
//! shown in, by the reader's view names) and prompt_history (what `/` and `:` were given).

use rusqlite::params;

use crate::model::SortOrder;

use super::{Result, Store};

/// Entries kept per prompt.
pub const PROMPT_HISTORY: usize = 100;

impl Store {
    /// Every view's remembered order (unknown names, from a newer khabar, are skipped).
    pub fn view_sorts(&self) -> Result<Vec<(String, SortOrder)>> {
        let mut stmt = self.conn.prepare_cached("SELECT view, sort FROM view_sort")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (view, sort) = row?;
            if let Some(sort) = SortOrder::from_name(&sort) {
                out.push((view, sort));
            }
        }
        Ok(out)
    }

    /// What a prompt (`kind`: "search", "command") was given, oldest first.
    pub fn prompt_history(&self, kind: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT text FROM prompt_history WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map([kind], |r| r.get::<_, String>(0))?;
        rows.collect::<std::result::Result<_, _>>().map_err(Into::into)
    }

    /// Remembers `text` as the newest entry of a prompt's history (an earlier copy goes), keeping
    /// the newest `PROMPT_HISTORY` entries.
    pub fn remember_prompt(&mut self, kind: &str, text: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached("DELETE FROM prompt_history WHERE kind = ?1 AND text = ?2")?
            .execute(params![kind, text])?;
        tx.prepare_cached("INSERT INTO prompt_history (kind, text) VALUES (?1, ?2)")?
            .execute(params![kind, text])?;
        tx.prepare_cached(
            "DELETE FROM prompt_history WHERE kind = ?1 AND id NOT IN
             (SELECT id FROM prompt_history WHERE kind = ?1 ORDER BY id DESC LIMIT ?2)",
        )?
        .execute(params![kind, PROMPT_HISTORY as i64])?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers a view's order; the default order is stored as no row.
    pub fn set_view_sort(&mut self, view: &str, sort: SortOrder) -> Result<()> {
        if sort == SortOrder::default() {
            self.conn
                .prepare_cached("DELETE FROM view_sort WHERE view = ?1")?
                .execute([view])?;
        } else {
            self.conn
                .prepare_cached(
                    "INSERT INTO view_sort (view, sort) VALUES (?1, ?2) ON CONFLICT(view) DO UPDATE SET sort = ?2",
                )?
                .execute(params![view, sort.name()])?;
        }
        Ok(())
    }
}
