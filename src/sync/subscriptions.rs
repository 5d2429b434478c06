//! Subscribing and unsubscribing on an account's server (every kind but Fever can), then
//! bringing the cache in step.

use crate::config::{Account, AccountKind, Config};
use crate::store::SharedStore;

use super::greader::GReader;
use super::miniflux::Miniflux;
use super::nextcloud::Nextcloud;
use super::ttrss::TtRss;
use super::{http, password_of, sync_account, with_store, AccountReport, SyncError};

/// Subscribes an account to a feed on its server (Google Reader API `quickadd`, in `folder` when
/// given), then syncs the account so the feed and its articles are here. Returns the report
/// (a failed sync after a subscription that worked is the report's error, not this one's).
pub async fn subscribe(
    config: &Config,
    store: &SharedStore,
    account: &str,
    url: &str,
    folder: Option<&str>,
) -> Result<AccountReport, SyncError> {
    let account = find_account(config, account)?;
    let http = http::Http::new(&config.general)?;
    let password = password_of(account).await?;
    match account.kind {
        AccountKind::GReader => {
            let mut g = GReader::login(&http, &account.url, &account.username, &password).await?;
            g.subscribe(url, folder).await?;
        }
        AccountKind::TtRss => {
            let mut t = TtRss::login(&http, &account.url, &account.username, &password).await?;
            t.subscribe(url, folder).await?;
        }
        AccountKind::Nextcloud => {
            let mut n = Nextcloud::new(&http, &account.url, &account.username, &password);
            n.subscribe(url, folder).await?;
        }
        AccountKind::Miniflux => {
            let mut m = Miniflux::new(&http, &account.url, &account.username, &password);
            m.subscribe(url, folder).await?;
        }
        AccountKind::Fever => {
            return Err(SyncError::Unsupported(
                "the Fever API cannot subscribe: add the feed on the server's own page, then `khabar sync`".into(),
            ))
        }
    }
    let mut report = AccountReport {
        account: account.name.clone(),
        kind: account.kind.name().into(),
        ..Default::default()
    };
    // Subscribed: from here on a failure is the sync's, reported as any sync's is (the server
    // has the feed, and the next sync brings it).
    if let Err(e) = sync_account(account, &config.general, store, &mut report).await {
        tracing::warn!("sync {} after subscribing: {e}", account.name);
        report.error = Some(e.to_string());
    }
    Ok(report)
}

/// Unsubscribes the account that has the feed at `url` (its own address) on its server, and
/// hides it here (its read and starred articles stay). None when no account has that feed.
pub async fn unsubscribe(config: &Config, store: &SharedStore, url: &str) -> Result<Option<String>, SyncError> {
    let wanted = url.to_string();
    let Some((name, remote_id)) = with_store(store, move |s| s.remote_feed_at(&wanted)).await? else {
        return Ok(None);
    };
    let account = find_account(config, &name)?;
    let http = http::Http::new(&config.general)?;
    let password = password_of(account).await?;
    match account.kind {
        AccountKind::GReader => {
            let mut g = GReader::login(&http, &account.url, &account.username, &password).await?;
            g.unsubscribe(&remote_id).await?;
        }
        AccountKind::TtRss => {
            let mut t = TtRss::login(&http, &account.url, &account.username, &password).await?;
            t.unsubscribe(&remote_id).await?;
        }
        AccountKind::Nextcloud => {
            let mut n = Nextcloud::new(&http, &account.url, &account.username, &password);
            n.unsubscribe(&remote_id).await?;
        }
        AccountKind::Miniflux => {
            let mut m = Miniflux::new(&http, &account.url, &account.username, &password);
            m.unsubscribe(&remote_id).await?;
        }
        AccountKind::Fever => {
            return Err(SyncError::Unsupported(
                "the Fever API cannot unsubscribe: remove the feed on the server's own page, then `khabar sync`".into(),
            ))
        }
    }
    let hidden = name.clone();
    with_store(store, move |s| s.hide_remote_feed(&hidden, &remote_id)).await?;
    Ok(Some(name))
}

pub(super) fn find_account<'a>(config: &'a Config, name: &str) -> Result<&'a Account, SyncError> {
    config.accounts.iter().find(|a| a.name == name).ok_or_else(|| {
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        SyncError::Unsupported(format!(
            "no account {name:?} in the config (accounts: {})",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ))
    })
}
