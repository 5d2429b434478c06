//! `khabar sync`: every `[[account]]` synced now (push what changed here, then pull), a line
//! per account; exit 0 even when an account fails (its error is in its line).

use std::io::{self, Write};

use crate::config::Config;
use crate::store::SharedStore;
use crate::sync::{sync_all, AccountReport};

pub async fn run(config: &Config, store: SharedStore, json: bool) -> anyhow::Result<Vec<AccountReport>> {
    if config.accounts.is_empty() {
        anyhow::bail!(
            "no [[account]] in {}: docs/sync.md shows how to add one (FreshRSS, Miniflux, Inoreader, Coldsweat…)",
            config.source
        );
    }
    let reports = sync_all(config, &store).await;
    let mut out = io::stdout().lock();
    for r in &reports {
        let line = if json { serde_json::to_string(r)? } else { describe(r) };
        match writeln!(out, "{line}") {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            other => other?,
        }
    }
    Ok(reports)
}

/// `khabar add URL --account NAME`: subscribed on the server, then synced.
pub async fn subscribe_remote(
    config: &Config,
    store: SharedStore,
    account: &str,
    url: &str,
    folder: Option<&String>,
) -> anyhow::Result<()> {
    let report = crate::sync::subscribe(config, &store, account, url, folder.map(String::as_str)).await?;
    eprintln!("subscribed {account} to {url}");
    if report.error.is_some() {
        eprintln!("the server has the feed; the sync after it failed, and `khabar sync` tries again:");
    }
    println!("{}", describe(&report));
    Ok(())
}

/// `khabar remove URL`: a feed of the config is removed from it; else the synced feed at that
/// address is unsubscribed on its server.
pub async fn remove_anywhere(
    source: &crate::config::ConfigSource,
    config: &Config,
    store: SharedStore,
    url: &str,
) -> anyhow::Result<()> {
    match crate::sync::unsubscribe(config, &store, url).await? {
        Some(account) => {
            eprintln!(
                "unsubscribed {account} from {} (its read and starred articles stay in the cache)",
                url.trim()
            );
            Ok(())
        }
        // Not synced either: the config's own answer names the mistake.
        None => super::remove(source, url),
    }
}

fn describe(r: &AccountReport) -> String {
    let pending = if r.pending > 0 {
        format!("; {} changes wait for the server", r.pending)
    } else {
        String::new()
    };
    match &r.error {
        Some(e) => format!("FAIL  {} ({}): {e}{pending}", r.account, r.kind),
        None => format!(
            "ok    {} ({}): {} pushed, {} new, {} changed by the server, {} feeds, {} requests{pending}",
            r.account, r.kind, r.pushed, r.new, r.pulled, r.feeds, r.requests
        ),
    }
}
