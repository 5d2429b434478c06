//! Sync with the servers of `[[account]]`s: push the read/starred changes made here, then pull
//! subscriptions, new articles and the server's state. A pending local change always wins.

mod fever;
mod greader;
mod http;
mod secret;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use url::Url;

use crate::config::{Account, AccountKind, Config, General};
use crate::model::{FeedId, Flag, NewArticle};
use crate::poller::{lock, SharedStore};
use crate::store::{FetchRecord, PendingChange, RemoteArticle, RemoteFeed, Store, StoreError};
use crate::text::{html, sanitize};

use fever::Fever;
use greader::GReader;
pub use http::SyncError;

/// An article as a server gives it, before it is made safe and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    pub id: i64,
    /// The server's id of its feed.
    pub feed: String,
    pub title: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
    /// Unix seconds.
    pub published: Option<i64>,
    pub content: Option<String>,
    pub read: bool,
    pub starred: bool,
}

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
        let name = account.name.clone();
        report.pending = with_store(store, move |s| s.pending_changes(&name).map(|p| p.len()))
            .await
            .unwrap_or(report.pending);
        reports.push(report);
    }
    reports
}

async fn sync_account(
    account: &Account,
    general: &General,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    let source = account.secret.clone();
    let password = tokio::task::spawn_blocking(move || secret::read(&source))
        .await
        .map_err(|e| SyncError::Secret(format!("task failed: {e}")))??;
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
    }
}

async fn sync_greader(
    g: &mut GReader<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    // Push first: what the user did here is what the server must end up with.
    let pending = pending_of(store, account).await?;
    let mut accepted: Vec<PendingChange> = Vec::new();
    let mut pushed = Ok(());
    for (flag, value) in [
        (Flag::Read, true),
        (Flag::Read, false),
        (Flag::Starred, true),
        (Flag::Starred, false),
    ] {
        let group: Vec<PendingChange> = pending
            .iter()
            .filter(|p| p.flag == flag && p.value == value)
            .copied()
            .collect();
        if group.is_empty() {
            continue;
        }
        let ids: Vec<i64> = group.iter().map(|p| p.remote).collect();
        let tag = if flag == Flag::Read {
            greader::READ
        } else {
            greader::STARRED
        };
        if let Err(e) = g.edit_tag(&ids, tag, value).await {
            pushed = Err(e);
            break;
        }
        accepted.extend(group);
    }
    report.pushed = clear_pushed(store, accepted).await?;
    pushed?;

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
    if !new_ids.is_empty() {
        let items = g.contents(&new_ids).await?;
        report.new = store_items(store, &feed_ids, items).await?;
    }
    let present: HashSet<i64> = all.into_iter().collect();
    report.pulled = apply_state(store, account, unread, starred, move |id| present.contains(&id)).await?;
    Ok(())
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
    let known = known_ids(store, account).await?;
    let items = f.items_since(known.iter().copied().max().unwrap_or(0)).await?;
    let items: Vec<RemoteItem> = items.into_iter().filter(|i| !known.contains(&i.id)).collect();
    report.new = store_items(store, &feed_ids, items).await?;
    let unread = f.id_set("unread_item_ids").await?;
    let starred = f.id_set("saved_item_ids").await?;
    // Fever cannot list every id: items below the lowest it still has were removed there, and
    // keep their state here.
    let lowest = f.lowest_id().await?;
    report.pulled = apply_state(store, account, unread, starred, move |id| {
        lowest.is_some_and(|l| id >= l)
    })
    .await?;
    Ok(())
}

/// Runs a store call on the blocking pool.
async fn with_store<T, F>(store: &SharedStore, f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&mut lock(&store)))
        .await
        .map_err(|e| SyncError::Store(format!("task failed: {e}")))?
        .map_err(SyncError::from)
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

/// Writes new items, each with its feed's other new items, in one transaction; items of a feed
/// the server did not list are left for a later sync. Returns how many were new.
async fn store_items(
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
    items: Vec<RemoteItem>,
) -> Result<usize, SyncError> {
    let mut by_feed: HashMap<FeedId, (Vec<NewArticle>, Vec<RemoteArticle>)> = HashMap::new();
    let mut orphans = 0;
    for item in items {
        let Some(&feed) = feeds.get(&item.feed) else {
            orphans += 1;
            continue;
        };
        let entry = by_feed.entry(feed).or_default();
        entry.1.push(RemoteArticle {
            id: item.id,
            read: item.read,
            starred: item.starred,
        });
        entry.0.push(to_article(item));
    }
    if orphans > 0 {
        tracing::info!("sync: {orphans} items of feeds not in the subscription list, left for later");
    }
    let records: Arc<Vec<(FeedId, FetchRecord)>> = Arc::new(
        by_feed
            .into_iter()
            .map(|(feed, (articles, remote))| {
                let record = FetchRecord {
                    status: "sync".into(),
                    articles,
                    remote: Some(remote),
                    // The server decides what it keeps; here nothing synced is dropped.
                    keep_per_feed: usize::MAX,
                    ..Default::default()
                };
                (feed, record)
            })
            .collect(),
    );
    let now = Utc::now();
    with_store(store, move |s| {
        let counts = s.in_one_transaction(|s| {
            records
                .iter()
                .map(|(feed, record)| s.apply_fetch(*feed, now, record).map(|c| c.new))
                .collect::<Result<Vec<usize>, StoreError>>()
        })??;
        Ok(counts.into_iter().sum())
    })
    .await
}

/// A server's item as an article: every text made safe as a feed's would be.
fn to_article(item: RemoteItem) -> NewArticle {
    NewArticle {
        key: format!("remote:{}", item.id),
        title: item.title.as_deref().map(clean_title).unwrap_or_default(),
        link: item.link.as_deref().and_then(http_url),
        author: item
            .author
            .as_deref()
            .map(sanitize::clean_line)
            .filter(|a| !a.trim().is_empty()),
        published: item.published.and_then(|s| Utc.timestamp_opt(s, 0).single()),
        content: item
            .content
            .as_deref()
            .map(sanitize::clean_body)
            .filter(|c| !c.trim().is_empty()),
    }
}

/// A title or label as one safe line of text (servers send HTML entities, sometimes markup).
fn clean_title(text: &str) -> String {
    sanitize::clean_line(&html::to_plain(text)).trim().to_string()
}

/// An http(s) address, made safe; None for anything else.
fn http_url(text: &str) -> Option<String> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| sanitize::clean_line(u.as_str()))
}
