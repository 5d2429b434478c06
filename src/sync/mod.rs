//! Sync with the servers of `[[account]]`s: push the read/starred changes made here, then pull
//! subscriptions, new articles and the server's state. A pending local change always wins.

mod fever;
mod greader;
mod greader_items;
mod http;
mod items;
mod miniflux;
mod nextcloud;
mod push;
mod rest;
mod subscriptions;
mod ttrss;

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use crate::config::{Account, AccountKind, Config, General};
use crate::model::{FeedId, Flag};
use crate::store::SharedStore;
use crate::store::{PendingChange, RemoteFeed, Store, StoreError};

use fever::Fever;
use greader::GReader;
pub use http::SyncError;
pub use items::RemoteItem;
pub use subscriptions::{subscribe, unsubscribe};

use items::store_items;

/// What one account's sync did (the `sync --json` line).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccountReport {
    pub account: String,
    pub kind: String,
    /// Local changes the server accepted.
    pub pushed: usize,
    /// Read/starred changes the server's state made here.
    pub pulled: usize,
    /// Articles new to the cache.
    pub new: usize,
    pub feeds: usize,
    pub requests: usize,
    /// Local changes still waiting for the server.
    pub pending: usize,
    pub error: Option<String>,
}

/// Syncs every account, one after another; one failing never stops the others.
pub async fn sync_all(config: &Config, store: &SharedStore) -> Vec<AccountReport> {
    let mut reports = Vec::with_capacity(config.accounts.len());
    for account in &config.accounts {
        let mut report = AccountReport {
            account: account.name.clone(),
            kind: account.kind.name().into(),
            ..Default::default()
        };
        if let Err(e) = sync_account(account, &config.general, store, &mut report).await {
            tracing::warn!("sync {}: {e}", account.name);
            report.error = Some(e.to_string());
        }
        let (name, error) = (account.name.clone(), report.error.clone());
        if let Err(e) = with_store(store, move |s| s.record_sync(&name, Utc::now(), error.as_deref())).await {
            tracing::error!("sync {}: cannot record the outcome: {e}", account.name);
        }
        let name = account.name.clone();
        report.pending = with_store(store, move |s| s.pending_changes(&name).map(|p| p.len()))
            .await
            .unwrap_or(report.pending);
        reports.push(report);
    }
    // What the servers brought joins stories as a refresh's articles do.
    let rules = crate::store::StoryRules::from_config(config);
    if rules.group && reports.iter().any(|r| r.new > 0) {
        let grouped = with_store(store, move |s| s.group_all_stories(&rules, crate::store::STORY_CHUNK)).await;
        if let Err(e) = grouped {
            tracing::error!("stories after sync: {e}");
        }
    }
    reports
}

async fn password_of(account: &Account) -> Result<String, SyncError> {
    let source = account.secret.clone();
    tokio::task::spawn_blocking(move || crate::secret::read(&source, "password_command"))
        .await
        .map_err(|e| SyncError::Secret(format!("task failed: {e}")))?
        .map_err(|e| SyncError::Secret(e.0))
}

async fn sync_account(
    account: &Account,
    general: &General,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    let password = password_of(account).await?;
    let http = http::Http::new(general)?;
    match account.kind {
        AccountKind::GReader => {
            let mut client = GReader::login(&http, &account.url, &account.username, &password).await?;
            let result = sync_greader(&mut client, &account.name, store, report).await;
            report.requests = client.requests;
            result
        }
        AccountKind::Fever => {
            let mut client = Fever::login(&http, &account.url, &account.username, &password).await?;
            let result = sync_fever(&mut client, &account.name, store, report).await;
            report.requests = client.requests;
            result
        }
        AccountKind::TtRss => {
            let mut client = ttrss::TtRss::login(&http, &account.url, &account.username, &password).await?;
            let result = ttrss::sync(&mut client, &account.name, store, report).await;
            report.requests = client.requests();
            result
        }
        AccountKind::Nextcloud => {
            let mut client = nextcloud::Nextcloud::new(&http, &account.url, &account.username, &password);
            let result = nextcloud::sync(&mut client, &account.name, store, report).await;
            report.requests = client.requests();
            result
        }
        AccountKind::Miniflux => {
            let mut client = miniflux::Miniflux::new(&http, &account.url, &account.username, &password);
            let result = miniflux::sync(&mut client, &account.name, store, report).await;
            report.requests = client.requests();
            result
        }
    }
}

async fn sync_greader(
    g: &mut GReader<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    // Push first: what the user did here is what the server must end up with.
    push::push_pending(g, store, account, &mut report.pushed).await?;

    let feeds = g.subscriptions().await?;
    report.feeds = feeds.len();
    let feed_ids = remote_feeds(store, account, feeds).await?;
    let all = g.ids(greader::READING_LIST, None).await?;
    let unread: HashSet<i64> = g
        .ids(greader::READING_LIST, Some(greader::READ))
        .await?
        .into_iter()
        .collect();
    let starred: HashSet<i64> = g.ids(greader::STARRED, None).await?.into_iter().collect();
    let known = known_ids(store, account).await?;
    let new_ids: Vec<i64> = all.iter().copied().filter(|id| !known.contains(id)).collect();
    report.new = fetch_contents(g, store, &feed_ids, &new_ids).await?;
    let present: HashSet<i64> = all.into_iter().collect();
    report.pulled = apply_state(store, account, unread, starred, move |id| present.contains(&id)).await?;
    Ok(())
}

/// New items' contents, a batch at a time, each batch stored as it arrives: a sync cut short
/// keeps what it had, and the next one asks only for the rest. A batch whose answer is too
/// large is asked for again in halves (articles of 40 KB make 250 of them over the cap); an
/// item too large alone is left out and logged, never stopping the others. Returns how many
/// were new.
async fn fetch_contents(
    g: &mut GReader<'_>,
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
    ids: &[i64],
) -> Result<usize, SyncError> {
    let mut new = 0;
    let mut size = greader::BATCH;
    let mut rest = ids;
    while !rest.is_empty() {
        let take = size.min(rest.len());
        match g.contents(&rest[..take]).await {
            Ok(items) => {
                new += store_items(store, feeds, items).await?.new;
                rest = &rest[take..];
                size = (size * 2).min(greader::BATCH);
            }
            Err(SyncError::TooLarge { .. }) if take > 1 => size = take / 2,
            Err(SyncError::TooLarge { what }) => {
                tracing::warn!("{what}: item {} alone is larger than the cap; left out", rest[0]);
                rest = &rest[1..];
            }
            Err(e) => return Err(e),
        }
    }
    Ok(new)
}

async fn sync_fever(
    f: &mut Fever<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    // Fever marks one item per request; each accepted change is forgotten as it goes.
    let pending = pending_of(store, account).await?;
    let mut accepted = Vec::new();
    let mut pushed = Ok(());
    for p in &pending {
        let mark_as = match (p.flag, p.value) {
            (Flag::Read, true) => "read",
            (Flag::Read, false) => "unread",
            (Flag::Starred, true) => "saved",
            (Flag::Starred, false) => "unsaved",
            (Flag::Hidden, _) => continue,
        };
        if let Err(e) = f.mark(p.remote, mark_as).await {
            pushed = Err(e);
            break;
        }
        accepted.push(*p);
    }
    report.pushed = clear_pushed(store, accepted).await?;
    pushed?;

    let feeds = f.feeds().await?;
    report.feeds = feeds.len();
    let feed_ids = remote_feeds(store, account, feeds).await?;
    report.new = fever_items(f, account, store, &feed_ids).await?;
    let unread = f.id_set("unread_item_ids").await?;
    let starred = f.id_set("saved_item_ids").await?;
    // Unread and saved items the pages did not bring (a server that skipped them, an item
    // of a feed listed late) are asked for by id.
    let known = known_ids(store, account).await?;
    let mut missing: Vec<i64> = unread
        .union(&starred)
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    missing.sort_unstable();
    for chunk in missing.chunks(fever::ITEMS_PER_CALL) {
        let items = f.items_with_ids(chunk).await?;
        report.new += store_items(store, &feed_ids, items).await?.new;
    }
    // Fever cannot list every id: items below the lowest it still has were removed there, and
    // keep their state here.
    let lowest = f.lowest_id().await?;
    report.pulled = apply_state(store, account, unread, starred, move |id| {
        lowest.is_some_and(|l| id >= l)
    })
    .await?;
    Ok(())
}

/// The Fever mark below which every item id was fetched or asked for.
const FEVER_COMPLETE: &str = "fever_complete_through";
/// Most `items` calls one sync makes (25,000 items); the rest comes at the next sync.
const FEVER_MAX_CALLS: usize = 500;
/// Ids skipped by the pages that are asked for one by one (by 50) when no more are missing
/// than this: servers with dense ids (Coldsweat, Miniflux, TT-RSS). A server whose ids are
/// sparse (FreshRSS: microsecond times) keeps its pages in order and skips nothing.
const FEVER_MAX_GAP: usize = 10_000;

/// New items by `since_id` pages, each stored as it arrives, from the account's mark. A page
/// in no order (Coldsweat's) jumps over ids: those between the mark and the highest id seen
/// that are neither known nor seen are asked for with `with_ids`. The mark then moves to the
/// highest id seen, never past an item left unstored (its feed not yet listed), and only once
/// everything below it is done: a sync cut short starts again from the old mark.
async fn fever_items(
    f: &mut Fever<'_>,
    account: &str,
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
) -> Result<usize, SyncError> {
    let mark = mark_of(store, account, FEVER_COMPLETE).await?;
    let known = known_ids(store, account).await?;
    let mut seen: HashSet<i64> = HashSet::new();
    let mut orphans: Vec<i64> = Vec::new();
    let (mut new, mut since, mut highest) = (0, mark, mark);
    let mut calls = 0;
    loop {
        if calls == FEVER_MAX_CALLS {
            tracing::warn!("Fever items: stopped after {FEVER_MAX_CALLS} calls; the rest comes next sync");
            break;
        }
        calls += 1;
        let page = f.items_after(since).await?;
        let top = page.iter().map(|i| i.id).max();
        let fresh: Vec<RemoteItem> = page
            .into_iter()
            .filter(|i| i.id > since && seen.insert(i.id) && !known.contains(&i.id))
            .collect();
        let stored = store_items(store, feeds, fresh).await?;
        new += stored.new;
        orphans.extend(stored.orphans);
        match top {
            Some(top) if top > since => {
                since = top;
                highest = highest.max(top);
            }
            _ => break,
        }
    }
    let gaps: Vec<i64> = if (highest - mark) as u64 <= (FEVER_MAX_GAP + seen.len()) as u64 {
        (mark + 1..=highest)
            .filter(|id| !seen.contains(id) && !known.contains(id))
            .collect()
    } else {
        Vec::new()
    };
    for chunk in gaps.chunks(fever::ITEMS_PER_CALL) {
        let items = f.items_with_ids(chunk).await?;
        let stored = store_items(store, feeds, items).await?;
        new += stored.new;
        orphans.extend(stored.orphans);
    }
    let complete = orphans.iter().map(|o| o - 1).fold(highest, i64::min);
    if complete > mark {
        set_mark(store, account, FEVER_COMPLETE, complete).await?;
    }
    Ok(new)
}

/// Runs a store call on the blocking pool (`store::with_store`), its error a sync error.
async fn with_store<T, F>(store: &SharedStore, f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
{
    crate::store::with_store(store, f).await.map_err(SyncError::from)
}

async fn pending_of(store: &SharedStore, account: &str) -> Result<Vec<PendingChange>, SyncError> {
    let account = account.to_string();
    with_store(store, move |s| s.pending_changes(&account)).await
}

async fn clear_pushed(store: &SharedStore, accepted: Vec<PendingChange>) -> Result<usize, SyncError> {
    if accepted.is_empty() {
        return Ok(0);
    }
    with_store(store, move |s| s.clear_pushed(&accepted)).await
}

async fn remote_feeds(
    store: &SharedStore,
    account: &str,
    feeds: Vec<RemoteFeed>,
) -> Result<HashMap<String, FeedId>, SyncError> {
    let account = account.to_string();
    with_store(store, move |s| s.sync_remote_feeds(&account, &feeds)).await
}

/// A mark of the account's (a bookmark into the server's ids or times); 0 when never set.
async fn mark_of(store: &SharedStore, account: &str, key: &'static str) -> Result<i64, SyncError> {
    let account = account.to_string();
    Ok(with_store(store, move |s| s.sync_mark(&account, key))
        .await?
        .unwrap_or(0))
}

async fn set_mark(store: &SharedStore, account: &str, key: &'static str, value: i64) -> Result<(), SyncError> {
    let account = account.to_string();
    with_store(store, move |s| s.set_sync_mark(&account, key, value)).await
}

async fn known_ids(store: &SharedStore, account: &str) -> Result<HashSet<i64>, SyncError> {
    let account = account.to_string();
    with_store(store, move |s| s.remote_ids(&account)).await
}

async fn apply_state(
    store: &SharedStore,
    account: &str,
    unread: HashSet<i64>,
    starred: HashSet<i64>,
    present: impl Fn(i64) -> bool + Send + 'static,
) -> Result<usize, SyncError> {
    let account = account.to_string();
    with_store(store, move |s| {
        s.apply_remote_state(&account, &unread, &starred, &present)
            .map(|a| a.total())
    })
    .await
}

/// The state of the articles a server says changed: taken for those, and only those.
async fn apply_changed(store: &SharedStore, account: &str, changed: Vec<RemoteItem>) -> Result<usize, SyncError> {
    if changed.is_empty() {
        return Ok(0);
    }
    let present: HashSet<i64> = changed.iter().map(|i| i.id).collect();
    let unread = changed.iter().filter(|i| !i.read).map(|i| i.id).collect();
    let starred = changed.iter().filter(|i| i.starred).map(|i| i.id).collect();
    apply_state(store, account, unread, starred, move |id| present.contains(&id)).await
}
