//! Sync with the servers of `[[account]]`s: push the read/starred changes made here, then pull
//! subscriptions, new articles and the server's state. A pending local change always wins.

mod fever;
mod fever_sync;
mod greader;
mod greader_items;
mod greader_sync;
mod greader_writes;
mod http;
mod items;
mod miniflux;
mod nextcloud;
mod push;
mod rest;
mod sessions;
mod subscriptions;
mod ttrss;

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use crate::config::{Account, AccountKind, Config, General};
use crate::model::FeedId;
use crate::store::SharedStore;
use crate::store::{PendingChange, RemoteFeed, Store, StoreError};

use fever::Fever;
use greader::GReader;
pub use http::SyncError;
pub use items::RemoteItem;
pub use subscriptions::{subscribe, unsubscribe};

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
        reports.push(sync_one(config, account, store).await);
    }
    group_stories(config, store, &reports).await;
    reports
}

/// Syncs one account: push, then pull. Its outcome is recorded on its feeds (the sidebar and
/// `feeds` show a failure as a failed fetch's).
pub async fn sync_one(config: &Config, account: &Account, store: &SharedStore) -> AccountReport {
    let mut report = AccountReport::of(account);
    if let Err(e) = sync_account(account, &config.general, store, &mut report).await {
        tracing::warn!("sync {}: {e}", account.name);
        report.error = Some(e.to_string());
    }
    let (name, error) = (account.name.clone(), report.error.clone());
    if let Err(e) = with_store(store, move |s| s.record_sync(&name, Utc::now(), error.as_deref())).await {
        tracing::error!("sync {}: cannot record the outcome: {e}", account.name);
    }
    report.pending = pending_count(store, &account.name).await.unwrap_or(report.pending);
    report
}

/// Sends the account's pending changes and nothing else (the reader does this a few seconds
/// after a change, between full syncs). A failure leaves them pending.
pub async fn push_account(config: &Config, account: &Account, store: &SharedStore) -> AccountReport {
    let mut report = AccountReport::of(account);
    if let Err(e) = push_only(account, &config.general, store, &mut report).await {
        tracing::warn!("sync {}: sending changes: {e}", account.name);
        report.error = Some(e.to_string());
    }
    report.pending = pending_count(store, &account.name).await.unwrap_or(report.pending);
    report
}

/// How many of the account's changes wait for its server.
pub async fn pending_count(store: &SharedStore, account: &str) -> Result<usize, SyncError> {
    Ok(pending_of(store, account).await?.len())
}

/// What the servers brought joins stories as a refresh's articles do.
pub async fn group_stories(config: &Config, store: &SharedStore, reports: &[AccountReport]) {
    let rules = crate::store::StoryRules::from_config(config);
    if rules.group && reports.iter().any(|r| r.new > 0) {
        let grouped = with_store(store, move |s| s.group_all_stories(&rules, crate::store::STORY_CHUNK)).await;
        if let Err(e) = grouped {
            tracing::error!("stories after sync: {e}");
        }
    }
}

impl AccountReport {
    fn of(account: &Account) -> AccountReport {
        AccountReport {
            account: account.name.clone(),
            kind: account.kind.name().into(),
            ..Default::default()
        }
    }
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
            let result = greader_sync::sync(&mut client, &account.name, store, report).await;
            report.requests = client.requests;
            result
        }
        AccountKind::Fever => {
            let mut client = Fever::login(&http, &account.url, &account.username, &password).await?;
            let result = fever_sync::sync(&mut client, &account.name, store, report).await;
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

async fn push_only(
    account: &Account,
    general: &General,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    if pending_count(store, &account.name).await? == 0 {
        return Ok(());
    }
    let password = password_of(account).await?;
    let http = http::Http::new(general)?;
    let (user, name, url) = (&account.username, account.name.as_str(), &account.url);
    let pushed = &mut report.pushed;
    let (result, requests) = match account.kind {
        AccountKind::GReader => {
            let mut c = GReader::login(&http, url, user, &password).await?;
            (push::push_pending(&mut c, store, name, pushed).await, c.requests)
        }
        AccountKind::Fever => {
            let mut c = Fever::login(&http, url, user, &password).await?;
            (fever_sync::push(&mut c, store, name, pushed).await, c.requests)
        }
        AccountKind::TtRss => {
            let mut c = ttrss::TtRss::login(&http, url, user, &password).await?;
            (push::push_pending(&mut c, store, name, pushed).await, c.requests())
        }
        AccountKind::Nextcloud => {
            let mut c = nextcloud::Nextcloud::new(&http, url, user, &password);
            (push::push_pending(&mut c, store, name, pushed).await, c.requests())
        }
        AccountKind::Miniflux => {
            let mut c = miniflux::Miniflux::new(&http, url, user, &password);
            (push::push_pending(&mut c, store, name, pushed).await, c.requests())
        }
    };
    report.requests = requests;
    result
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

/// The account's subscriptions into the cache (counted in the report); server id -> feed.
async fn remote_feeds(
    store: &SharedStore,
    account: &str,
    feeds: Vec<RemoteFeed>,
    report: &mut AccountReport,
) -> Result<HashMap<String, FeedId>, SyncError> {
    report.feeds = feeds.len();
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
