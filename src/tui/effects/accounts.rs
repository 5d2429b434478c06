//! The sync accounts in a running reader: each synced on its own interval, and the changes made
//! here sent a few seconds after they are made, between syncs; reports come back as `Msg`s.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::super::state::Msg;
use super::{background, watch, Effects, Network};

/// How often the schedule looks at the accounts.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// A change waits this long for others made with it (marking several articles in a row goes as
/// one batch).
const PUSH_AFTER: Duration = Duration::from_secs(3);
/// After a failed send, the next try waits this long (the server is down, or we are offline).
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// When each account was last synced whole (by the schedule or by `R`).
pub(super) type LastSync = Arc<std::sync::Mutex<HashMap<String, Instant>>>;

impl Effects {
    /// Starts the accounts' schedule once, on the background runtime; it ends with the reader.
    pub(super) fn start_account_schedule(&self) {
        if self.account_schedule.set(()).is_err() {
            return;
        }
        let (config, cache, network, msgs) = (
            self.config.clone(),
            self.cache.clone(),
            self.network.clone(),
            self.msgs.clone(),
        );
        let (last_sync, lock) = (self.last_sync.clone(), self.accounts_busy.clone());
        background().spawn(async move {
            let mut waiting_since: HashMap<String, Instant> = HashMap::new();
            let mut retry_at: HashMap<String, Instant> = HashMap::new();
            // Bounded by the reader: the loop ends when the event loop's channel closes.
            while !msgs.is_closed() {
                tokio::time::sleep(CHECK_EVERY).await;
                let config = watch::current(&config);
                if config.accounts.is_empty() {
                    continue;
                }
                let Ok(net) = Network::get(&network, &config, &cache).await else {
                    continue;
                };
                let store = &net.poll_store;
                for account in &config.accounts {
                    let name = account.name.clone();
                    let interval = account.sync_interval.unwrap_or(config.general.refresh_interval.0);
                    let due = last_synced(&last_sync, &name).is_none_or(|at| at.elapsed() >= interval);
                    if due {
                        let _busy = lock.lock().await;
                        let _ = msgs.send(Msg::SyncStarted);
                        let report = crate::sync::sync_one(&config, account, store).await;
                        crate::sync::group_stories(&config, store, std::slice::from_ref(&report)).await;
                        set_synced(&last_sync, std::slice::from_ref(&name));
                        waiting_since.remove(&name);
                        let _ = msgs.send(Msg::Synced(vec![report]));
                        continue;
                    }
                    if crate::sync::pending_count(store, &name).await.unwrap_or(0) == 0 {
                        waiting_since.remove(&name);
                        continue;
                    }
                    let since = *waiting_since.entry(name.clone()).or_insert_with(Instant::now);
                    let may_retry = retry_at.get(&name).is_none_or(|at| Instant::now() >= *at);
                    if since.elapsed() < PUSH_AFTER || !may_retry {
                        continue;
                    }
                    let _busy = lock.lock().await;
                    let report = crate::sync::push_account(&config, account, store).await;
                    waiting_since.remove(&name);
                    if report.error.is_some() {
                        retry_at.insert(name, Instant::now() + RETRY_AFTER);
                    } else {
                        retry_at.remove(&name);
                    }
                    send_pushed(&msgs, report);
                }
            }
        });
    }
}

fn send_pushed(msgs: &mpsc::UnboundedSender<Msg>, report: crate::sync::AccountReport) {
    if report.pushed > 0 || report.error.is_some() {
        let _ = msgs.send(Msg::Pushed(report));
    }
}

fn last_synced(last: &LastSync, account: &str) -> Option<Instant> {
    last.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(account)
        .copied()
}

/// Records these accounts as synced now.
pub(super) fn set_synced(last: &LastSync, accounts: &[String]) {
    let mut map = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    for a in accounts {
        map.insert(a.clone(), now);
    }
}
