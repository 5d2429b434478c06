//! `khabar sync`: every `[[account]]` synced now (push what changed here, then pull), a line
//! per account; exit 0 even when an account fails (its error is in its line).

use std::io::{self, Write};

use crate::config::Config;
use crate::poller::SharedStore;
use crate::sync::{sync_all, AccountReport};

pub async fn run(config: &Config, store: SharedStore, json: bool) -> anyhow::Result<Vec<AccountReport>> {
    if config.accounts.is_empty() {
        anyhow::bail!(
            "no [[account]] in {}: docs/sync.md shows how to add one (FreshRSS, Miniflux, Inoreader, Coldsweat…)",
            config.source
        );
    }
    for w in &config.warnings {
        eprintln!("khabar: warning: {w}");
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
