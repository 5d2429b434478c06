//! The cache schema as numbered migrations, applied in order and recorded in PRAGMA user_version.
//! Never edit a released migration: add the next one.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Each entry moves the schema from version i to i+1; a run of them commits as one transaction.
const MIGRATIONS: &[&str] = &[
    // 1: feeds, tags, articles, contentless FTS5 index.
    r#"
    CREATE TABLE feeds (
        id            INTEGER PRIMARY KEY,
        url           TEXT NOT NULL UNIQUE,   -- as configured: the feed's identity
        config_title  TEXT,
        title         TEXT,                   -- the feed's own title
        site_url      TEXT,
        fetch_url     TEXT,                   -- after a permanent redirect or autodiscovery
        etag          TEXT,
        last_modified TEXT,
        last_fetched  INTEGER,                -- unix seconds
        last_status   TEXT,
        last_error    TEXT,
        failures      INTEGER NOT NULL DEFAULT 0,
        retry_after   INTEGER,                -- unix seconds; no fetch before
        active        INTEGER NOT NULL DEFAULT 1,
        position      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE feed_tags (
        tag     TEXT NOT NULL,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        pos     INTEGER NOT NULL,             -- order of the tag in the feed's config entry
        PRIMARY KEY (tag, feed_id)
    ) WITHOUT ROWID;
    CREATE TABLE articles (
        id        INTEGER PRIMARY KEY,
        feed_id   INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key       INTEGER NOT NULL,           -- 64-bit hash of the identity (guid, link or content)
        hash      INTEGER NOT NULL,           -- 64-bit hash of the stored fields: skips unchanged items
        sort_time INTEGER NOT NULL,           -- published, capped at first sight; else first sight
        published INTEGER,
        read      INTEGER NOT NULL DEFAULT 0,
        starred   INTEGER NOT NULL DEFAULT 0,
        title     TEXT NOT NULL,
        link      TEXT,
        author    TEXT,
        content   TEXT
    );
    CREATE UNIQUE INDEX articles_identity ON articles(feed_id, key);
    CREATE INDEX articles_time ON articles(sort_time, id);
    CREATE INDEX articles_feed_time ON articles(feed_id, sort_time, id);
    CREATE INDEX articles_unread ON articles(feed_id) WHERE read = 0;
    CREATE INDEX articles_starred ON articles(sort_time, id) WHERE starred = 1;
    -- Contentless: the indexed text is prepared in Rust (tags stripped, CJK split per character).
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        text, content = '', contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
    );
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        DELETE FROM articles_fts WHERE rowid = old.id;
    END;
    "#,
    // 2: reader mode: the extracted page, or why it could not be had.
    r#"
    ALTER TABLE articles ADD COLUMN full_content TEXT;
    ALTER TABLE articles ADD COLUMN full_error TEXT;
    "#,
    // 3: search index tuning for bulk writes (a refresh commits thousands of articles at once);
    // the time index covers the view filters, so counting a range of the view (the scrollbar
    // position) reads the index only.
    r#"
    DROP INDEX articles_time;
    CREATE INDEX articles_time ON articles(sort_time, id, feed_id, read, starred);
    -- Hash of the last feed body stored: an identical body answered with 200 is not parsed again.
    ALTER TABLE feeds ADD COLUMN body_hash INTEGER;
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216);
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 16);
    "#,
    // 4: article and unread counts kept per feed, so the sidebar and a view's size cost a read of
    // the feeds table instead of counting articles (10 ms at 100,000). Deleting and marking read
    // update them by trigger; inserts are counted once per feed by `apply_fetch` (a trigger per
    // inserted row added a quarter to a cold refresh).
    r#"
    ALTER TABLE feeds ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
    UPDATE feeds SET
        article_count = (SELECT COUNT(*) FROM articles a WHERE a.feed_id = feeds.id),
        unread_count = (SELECT COUNT(*) FROM articles a WHERE a.feed_id = feeds.id AND a.read = 0);
    CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
        UPDATE feeds SET article_count = article_count - 1, unread_count = unread_count - (old.read = 0)
        WHERE id = old.feed_id;
    END;
    CREATE TRIGGER articles_count_read AFTER UPDATE OF read ON articles
    WHEN (old.read = 0) != (new.read = 0) BEGIN
        UPDATE feeds SET unread_count = unread_count + (new.read = 0) - (old.read = 0) WHERE id = new.feed_id;
    END;
    "#,
    // 5: each view keeps its order; the feed order walks the feeds by position, then each feed's
    // date index. (The title and unread-first orders' indexes are made the first time those
    // orders are used, `views::ORDER_INDEXES`: every index slows every refresh.)
    r#"
    CREATE INDEX feeds_position ON feeds(position);
    CREATE TABLE view_sort (
        view TEXT PRIMARY KEY,                -- e.g. "all", "tag:news", "feed:https://…"
        sort TEXT NOT NULL                    -- SortOrder::name
    ) WITHOUT ROWID;
    "#,
    // 6: filters. A hidden article stays in the cache but out of views and counts (the per-feed
    // counts count visible articles); filters may give articles tags of their own.
    r#"
    ALTER TABLE articles ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    DROP INDEX articles_time;
    CREATE INDEX articles_time ON articles(sort_time, id, feed_id, read, starred, hidden);
    CREATE INDEX articles_hidden ON articles(sort_time, id) WHERE hidden = 1;
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        tag        TEXT NOT NULL,
        PRIMARY KEY (article_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX article_tags_tag ON article_tags(tag, article_id);
    DROP TRIGGER articles_count_delete;
    CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
        UPDATE feeds SET article_count = article_count - (old.hidden = 0),
            unread_count = unread_count - (old.read = 0 AND old.hidden = 0)
        WHERE id = old.feed_id;
    END;
    DROP TRIGGER articles_count_read;
    CREATE TRIGGER articles_count_flags AFTER UPDATE OF read, hidden ON articles
    WHEN old.hidden != new.hidden OR (old.read = 0) != (new.read = 0) BEGIN
        UPDATE feeds SET article_count = article_count + (new.hidden = 0) - (old.hidden = 0),
            unread_count = unread_count + (new.read = 0 AND new.hidden = 0) - (old.read = 0 AND old.hidden = 0)
        WHERE id = new.feed_id;
    END;
    "#,
    // 7: sync. Feeds of a sync account (`account`, the server's `remote_id`) beside the
    // config's; a synced article's server id (`remote`); the local read/starred changes not yet
    // accepted by the server, one desired value per article and flag (recorded by trigger, so
    // every path that changes a flag records it; a sync's own pull removes what it caused).
    r#"
    ALTER TABLE feeds ADD COLUMN account TEXT;
    ALTER TABLE feeds ADD COLUMN remote_id TEXT;
    CREATE UNIQUE INDEX feeds_remote ON feeds(account, remote_id) WHERE account IS NOT NULL;
    ALTER TABLE articles ADD COLUMN remote INTEGER;
    CREATE INDEX articles_remote ON articles(remote) WHERE remote IS NOT NULL;
    CREATE TABLE sync_pending (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        flag       TEXT NOT NULL,             -- 'read' or 'starred'
        value      INTEGER NOT NULL,
        PRIMARY KEY (article_id, flag)
    ) WITHOUT ROWID;
    CREATE TRIGGER sync_pending_read AFTER UPDATE OF read ON articles
    WHEN new.remote IS NOT NULL AND old.read != new.read BEGIN
        INSERT INTO sync_pending (article_id, flag, value) VALUES (new.id, 'read', new.read)
        ON CONFLICT (article_id, flag) DO UPDATE SET value = excluded.value;
    END;
    -- Unread counts and next-unread read the index alone again with hidden articles left out.
    DROP INDEX articles_unread;
    CREATE INDEX articles_unread ON articles(feed_id, hidden) WHERE read = 0;
    CREATE TRIGGER sync_pending_starred AFTER UPDATE OF starred ON articles
    WHEN new.remote IS NOT NULL AND old.starred != new.starred BEGIN
        INSERT INTO sync_pending (article_id, flag, value) VALUES (new.id, 'starred', new.starred)
        ON CONFLICT (article_id, flag) DO UPDATE SET value = excluded.value;
    END;
    "#,
    // 8: attachments (RSS enclosures, Media RSS, Atom enclosure links, JSON Feed attachments).
    r#"
    CREATE TABLE enclosures (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        pos        INTEGER NOT NULL,          -- order in the item
        url        TEXT NOT NULL,
        mime       TEXT,
        length     INTEGER,                   -- bytes, as the feed claims
        duration   INTEGER,                   -- seconds
        PRIMARY KEY (article_id, pos)
    ) WITHOUT ROWID;
    "#,
    // 9: saved queries' counts kept by the reader (`store::kept`). While counts are kept
    // (`count_watch` has its row: a reader runs, or left its counts saved for the next), every
    // change to a stored article (flags, text, deletion, its own tags) is logged, so the counts
    // are brought up to date from what changed instead of counted again. New articles are not
    // logged: their ids are above the last one counted. (An article's attachments change only
    // with an update of the article, which is logged.)
    r#"
    CREATE TABLE count_watch (id INTEGER PRIMARY KEY CHECK (id = 1));
    -- The counts a reader left (`kept/watch.rs`): the next one starts from them if the log
    -- has been on since.
    CREATE TABLE kept_state (id INTEGER PRIMARY KEY CHECK (id = 1), state BLOB NOT NULL);
    CREATE TABLE article_changes (
        seq        INTEGER PRIMARY KEY,       -- order of the change; the reader reads on from its last
        article_id INTEGER NOT NULL
    );
    CREATE TRIGGER article_changes_update AFTER UPDATE OF read, starred, hidden, title, author, content,
        sort_time, feed_id ON articles
    WHEN EXISTS (SELECT 1 FROM count_watch) BEGIN
        INSERT INTO article_changes (article_id) VALUES (new.id);
    END;
    CREATE TRIGGER article_changes_delete AFTER DELETE ON articles
    WHEN EXISTS (SELECT 1 FROM count_watch) BEGIN
        INSERT INTO article_changes (article_id) VALUES (old.id);
    END;
    CREATE TRIGGER article_changes_tag AFTER INSERT ON article_tags
    WHEN EXISTS (SELECT 1 FROM count_watch) BEGIN
        INSERT INTO article_changes (article_id) VALUES (new.article_id);
    END;
    CREATE TRIGGER article_changes_untag AFTER DELETE ON article_tags
    WHEN EXISTS (SELECT 1 FROM count_watch) BEGIN
        INSERT INTO article_changes (article_id) VALUES (old.article_id);
    END;
    "#,
    // 10: the search index is built after the articles are stored (`store::search_backlog`):
    // a refresh marks what it stored, in the same transaction, and the index pass (or the next
    // search, first) indexes it. `replace`: the index holds an older text of the article.
    r#"
    CREATE TABLE search_pending (
        article_id INTEGER PRIMARY KEY,
        replace    INTEGER NOT NULL
    );
    DROP TRIGGER articles_fts_delete;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        DELETE FROM articles_fts WHERE rowid = old.id;
        DELETE FROM search_pending WHERE article_id = old.id;
    END;
    "#,
    // 11: where each account's sync stands (`store::sync`): Fever's `complete_through`, the
    // highest item id below which every id was fetched or asked for. And the flags another
    // reader's import last gave each article (`store::import`): an import again changes only
    // what nobody changed here since.
    r#"
    CREATE TABLE sync_marks (
        account TEXT NOT NULL,
        mark    TEXT NOT NULL,
        value   INTEGER NOT NULL,
        PRIMARY KEY (account, mark)
    ) WITHOUT ROWID;
    CREATE TABLE imported_flags (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        read       INTEGER NOT NULL,
        starred    INTEGER NOT NULL
    );
    "#,
    // 12: stories (`store::stories`): the articles that report the same news. `story` is the
    // story's id (from `story_state`'s counter, never reused), NULL for an article alone;
    // `folded` marks a story's articles other than the one that leads it, which a view of
    // stories leaves out. `story_sigs` holds each article's words as grouping compares them,
    // written by the search index pass that reads the article's text anyway, and a copy of its
    // story, so the pass reads the date index and this narrow table, never the articles' rows.
    r#"
    ALTER TABLE articles ADD COLUMN story INTEGER;
    ALTER TABLE articles ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_story ON articles(story) WHERE story IS NOT NULL;
    CREATE INDEX articles_folded ON articles(feed_id) WHERE folded = 1;
    CREATE TABLE story_sigs (
        article_id INTEGER PRIMARY KEY,
        link       INTEGER,
        words      BLOB NOT NULL,
        story      INTEGER               -- articles.story, kept here for the pass's reads
    );
    CREATE TABLE story_state (
        name  TEXT PRIMARY KEY,
        value BLOB
    ) WITHOUT ROWID;
    CREATE TRIGGER story_sigs_delete AFTER DELETE ON articles BEGIN
        DELETE FROM story_sigs WHERE article_id = old.id;
    END;
    "#,
    // 13: what the reader's prompts were given (`/` searches, `:` commands), newest last, so
    // Up and Down find them after a restart (`store::prefs`).
    r#"
    CREATE TABLE prompt_history (
        id   INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- "search" or "command"
        text TEXT NOT NULL
    );
    CREATE INDEX prompt_history_kind ON prompt_history(kind, id);
    "#,
    // 14: an account's name labels its feeds as a tag does (the sidebar's group of the account,
    // `list --tag NAME`, `tag:NAME`): tags are asked for through this view.
    r#"
    CREATE VIEW feed_labels AS
        SELECT feed_id, tag FROM feed_tags
        UNION ALL SELECT id, account FROM feeds WHERE account IS NOT NULL;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date. A cache from a newer khabar is refused, not damaged.
///
/// Two processes may open a new cache at the same moment (a cron job and the reader at login):
/// the migrations run in one write transaction taken before the version is read, so the second
/// process waits for the first, then finds the schema current and runs nothing.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    if schema_version(conn)? == CURRENT_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version = schema_version(&tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

/// Lets a new file hand the pages it no longer uses back to the file system (see
/// `Store::release_free_pages`). SQLite takes the mode only before the file's first table and
/// before it is switched to WAL: an older cache keeps the mode it has.
pub fn choose_vacuum_mode(conn: &Connection) -> Result<(), StoreError> {
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if tables == 0 {
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    }
    Ok(())
}

/// The version a cache is at; one written by a newer khabar is an error.
fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    Ok(version)
}
