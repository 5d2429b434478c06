//! The search index's backlog (`search_pending`): articles stored but not yet indexed, marked
//! in the transaction that stores them, and the pass that indexes them (`articles_fts`' writer).

use rusqlite::types::{FromSql, Value, ValueRef};
use rusqlite::{params, Connection};

use super::fts;
use super::packing::Unpacked;
use super::stories::{StorySig, STORE_SIG};
use super::{Result, Store};
use crate::text::html;

/// Articles indexed per transaction of the pass. FTS5 holds a transaction's terms in memory
/// until its commit: 5,000 articles peaked 12 MB above the refresh itself, 1,000 stay under it
/// (the merges of the extra segments free pages, given back after the pass). A UI write waits
/// for one chunk at most.
pub const INDEX_CHUNK: usize = 1_000;
/// Search texts made ahead of the writer at once, within a chunk: small, so the writer waits
/// only for the first few of each chunk (512 made it wait for half: the pass took 0.73 s for
/// 25,000 articles against 0.68 s with 64).
const TEXTS_AT_ONCE: usize = 64;

/// Marks articles for the index pass: `(id, replace)`, where `replace` says the index holds an
/// older text of the article, deleted before the new one goes in.
pub(super) fn mark(conn: &Connection, marks: &[(i64, bool)]) -> Result<()> {
    if marks.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(i64, i64)> = marks.iter().map(|&(id, replace)| (id, i64::from(replace))).collect();
    let json = serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into());
    // One statement per write: a statement per article cost as much as the rows themselves.
    conn.prepare_cached(
        "INSERT INTO search_pending (article_id, replace)
         SELECT value ->> 0, value ->> 1 FROM json_each(?1) WHERE true
         ON CONFLICT (article_id) DO UPDATE SET replace = max(replace, excluded.replace)",
    )?
    .execute([json])?;
    Ok(())
}

/// An article whose search text was made before it was stored (its feed's filters look for
/// words): indexed at the end of the group's transaction, not left for the pass to make again.
pub(super) struct HeldText {
    pub(super) id: i64,
    /// The index may hold an older text of it.
    pub(super) replace: bool,
    pub(super) text: String,
}

/// Indexes held texts (inside the transaction that stored their articles), taking them off the
/// backlog if an earlier write left them there. One a later write of the same group deleted
/// (retention) is dropped: its id may come back as another article.
pub(super) fn write_held(conn: &Connection, held: Vec<HeldText>) -> Result<()> {
    if held.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached("INSERT INTO articles_fts (rowid, text) VALUES (?1, ?2)")?;
    let mut delete = conn.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?;
    let mut unmark = conn.prepare_cached("DELETE FROM search_pending WHERE article_id = ?1")?;
    let mut exists = conn.prepare_cached("SELECT 1 FROM articles WHERE id = ?1")?;
    for h in held {
        if !exists.exists([h.id])? {
            continue;
        }
        if h.replace {
            delete.execute([h.id])?;
            unmark.execute([h.id])?;
        }
        insert.execute(params![h.id, h.text])?;
    }
    Ok(())
}

/// An article as the pass reads it.
struct Waiting {
    id: i64,
    replace: bool,
    /// Its title and stored body, inflated by the workers. None: the article was deleted after
    /// it was marked.
    text: Option<(String, Value)>,
    /// Its link and its feed's name, for its story signature.
    link: Option<String>,
    feed_name: String,
}

/// What the workers make of a waiting article: its search text and its story signature.
type Made = Option<(String, StorySig)>;

impl Store {
    /// How many articles wait for the search index.
    pub fn search_backlog(&self) -> Result<usize> {
        backlog(&self.conn)
    }

    /// Indexes up to `max` waiting articles in one transaction (or in a savepoint of the one
    /// open, as the poller's group commit has); returns how many it took off the backlog.
    pub fn index_pending(&self, max: usize) -> Result<usize> {
        index_pending(&self.conn, max)
    }

    /// Indexes the whole backlog (see `complete`).
    pub fn complete_search_index(&self) -> Result<usize> {
        complete(&self.conn)
    }
}

/// Indexes the whole backlog on `conn`, a chunk per transaction: what every read of the index
/// runs first, so results stay exact after a refresh, or a kill that left articles unindexed.
pub(super) fn complete(conn: &Connection) -> Result<usize> {
    let mut done = 0;
    // Each chunk takes at least one article off the backlog; what another process adds
    // meanwhile is its own pass's to index (or the next search's).
    for _ in 0..backlog(conn)?.div_ceil(INDEX_CHUNK) {
        match index_pending(conn, INDEX_CHUNK)? {
            0 => break,
            n => done += n,
        }
    }
    Ok(done)
}

fn backlog(conn: &Connection) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM search_pending")?
        .query_row([], |r| r.get(0))?;
    Ok(n as usize)
}

fn index_pending(conn: &Connection, max: usize) -> Result<usize> {
    super::in_savepoint(conn, "search_index", || index_chunk(conn, max))
}

fn index_chunk(conn: &Connection, max: usize) -> Result<usize> {
    let waiting: Vec<Waiting> = {
        let mut stmt = conn.prepare_cached(
            "SELECT p.article_id, p.replace, a.id IS NOT NULL, a.title, a.content, a.link,
                    COALESCE(f.config_title, f.title, '')
             FROM search_pending p LEFT JOIN articles a ON a.id = p.article_id
             LEFT JOIN feeds f ON f.id = a.feed_id
             ORDER BY p.article_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([max as i64], |r| {
            let exists: bool = r.get(2)?;
            Ok(Waiting {
                id: r.get(0)?,
                replace: r.get(1)?,
                text: match exists {
                    true => Some((r.get(3)?, r.get(4)?)),
                    false => None,
                },
                link: r.get(5)?,
                feed_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut insert = conn.prepare_cached("INSERT INTO articles_fts (rowid, text) VALUES (?1, ?2)")?;
    let mut delete = conn.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?;
    let mut unmark = conn.prepare_cached("DELETE FROM search_pending WHERE article_id = ?1")?;
    let mut sign = conn.prepare_cached(STORE_SIG)?;
    // A worker makes the texts of the next few hundred while this thread indexes the last: the
    // two halves of the pass cost about the same, and the chunk's inflated bodies at once would
    // not fit the memory a refresh keeps to.
    std::thread::scope(|scope| {
        let (texts, made) = std::sync::mpsc::sync_channel::<Vec<Made>>(2);
        let parts = waiting.chunks(TEXTS_AT_ONCE);
        scope.spawn(move || {
            for part in parts {
                if texts.send(part.iter().map(make).collect()).is_err() {
                    break; // the writer failed and stopped listening
                }
            }
        });
        let mut done = 0;
        for (part, texts) in waiting.chunks(TEXTS_AT_ONCE).zip(made) {
            for (w, text) in part.iter().zip(texts) {
                if w.replace {
                    delete.execute([w.id])?;
                }
                if let Some((text, sig)) = text {
                    insert.execute(params![w.id, text])?;
                    sign.execute(params![w.id, sig.link, sig.words])?;
                }
                unmark.execute([w.id])?;
                done += 1;
            }
        }
        Ok(done)
    })
}

/// An article's search text and story signature (None for a deleted one). A body that cannot
/// be read leaves the title searchable.
fn make(w: &Waiting) -> Made {
    w.text.as_ref().map(|(title, content)| {
        let body = match Unpacked::column_result(ValueRef::from(content)) {
            Ok(Unpacked(body)) => body.as_deref().map(html::to_index_text).unwrap_or_default(),
            Err(e) => {
                tracing::warn!("article {}: only its title is searchable: {e}", w.id);
                String::new()
            }
        };
        let sig = StorySig::new(title, &body, w.link.as_deref(), &w.feed_name);
        (fts::index_text(title, &body), sig)
    })
}

#[cfg(test)]
mod tests {
    use super::super::words::fold;
    use crate::text::html::{to_index_text, to_plain};

    fn tokens(text: &str) -> Vec<Vec<u8>> {
        let folded = fold(text);
        folded
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    }

    #[test]
    fn the_index_sees_the_words_the_reader_shows() {
        for html in [
            "<p>ab\u{202E}cd</p>\n\n<b>e</b>&amp;f",
            "x\u{1b}[31my\u{7}z",
            "plain  text\twith\r\nbreaks",
            "<script>no</script>t&nbsp;u&#x41;",
            "हिन्दी <i>समाचार</i>",
        ] {
            assert_eq!(tokens(&to_index_text(html)), tokens(&to_plain(html)), "{html:?}");
        }
    }
}
