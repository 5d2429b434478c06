//! The view_sort table: the order each view was last shown in, so it survives a restart.
//! Views are named by the reader ("all", "tag:news", "feed:URL"); the cache only keeps the pairs.

use rusqlite::params;

use crate::model::SortOrder;

use super::{Result, Store};

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
