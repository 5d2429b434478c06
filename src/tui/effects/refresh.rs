//! Refreshing in the reader: the poller over the feeds a command picks, then (when asked for) a
//! sync of every account, each reported to the event loop as `Msg`s.

use tokio::sync::mpsc;

use crate::poller::{Job, PollEvent};
use crate::store::lock;
use crate::store::StoreError;

use super::super::state::{Msg, Notice};
use super::{background, Effects, Network};

impl Effects {
    /// Polls the configured feeds that `select` picks, in the background; PollEvents become Msgs.
    /// With `sync`, the accounts are synced after the feeds (their reports become `Msg::Synced`).
    pub(super) fn refresh(&self, select: impl Fn(&Job) -> bool + Send + 'static, force: bool, wait: Wait, sync: bool) {
        let (config, cache, network, msgs) = (
            self.config(),
            self.cache.clone(),
            self.network.clone(),
            self.msgs.clone(),
        );
        let refreshing = self.refreshing.clone();
        let (last_sync, accounts_busy) = (self.last_sync.clone(), self.accounts_busy.clone());
        let sync = sync && !config.accounts.is_empty();
        background().spawn(async move {
            let _running = match refreshing.clone().try_lock_owned() {
                Ok(guard) => guard,
                Err(_) if wait == Wait::SkipIfRunning => return,
                Err(_) => refreshing.lock_owned().await,
            };
            let net = match Network::get(&network, &config, &cache).await {
                Ok(net) => net,
                Err(e) => {
                    let _ = msgs.send(Msg::Notice(Notice {
                        text: format!("refresh failed: {e}"),
                        error: true,
                    }));
                    return;
                }
            };
            let (store, poller) = (net.poll_store.clone(), net.poller.clone());
            let states = tokio::task::spawn_blocking(move || {
                let store = lock(&store);
                Ok::<_, StoreError>((store.poll_states()?, store.last_article_id()?))
            })
            .await;
            // `before`: the newest article now; what the refresh stores comes after it.
            let (states, before) = match states {
                Ok(Ok(found)) => found,
                Ok(Err(e)) => return notify_failure(&msgs, e),
                Err(e) => return tracing::error!("refresh task: {e}"),
            };
            let jobs: Vec<Job> = Job::all(&config, states).into_iter().filter(|j| select(j)).collect();
            // A scheduled check with nothing due stays silent; an asked-for refresh always reports
            // (its end clears the progress shown).
            if !jobs.is_empty() || wait == Wait::Asked {
                let _ = msgs.send(Msg::RefreshStarted(jobs.len()));
                let (tx, mut rx) = mpsc::unbounded_channel::<PollEvent>();
                let poll_msgs = msgs.clone();
                let forward = tokio::spawn(async move {
                    while let Some(ev) = rx.recv().await {
                        if poll_msgs.send(Msg::Poll(ev)).is_err() {
                            break;
                        }
                    }
                });
                let summary = poller.run(jobs, force, tx).await;
                let _ = forward.await;
                if summary.new_articles > 0 {
                    after_refresh(&config, &net.poll_store, before, &msgs).await;
                }
            }
            if sync {
                let _busy = accounts_busy.lock().await;
                let names: Vec<String> = config.accounts.iter().map(|a| a.name.clone()).collect();
                super::accounts::set_synced(&last_sync, &names);
                let _ = msgs.send(Msg::SyncStarted);
                let reports = crate::sync::sync_all(&config, &net.poll_store).await;
                let _ = msgs.send(Msg::Synced(reports));
            }
        });
    }
}

/// After a refresh that brought new articles: the hook and the notification command (on the
/// blocking pool), or the terminal's own notification (the app writes it); failures shown.
async fn after_refresh(
    config: &std::sync::Arc<crate::config::Config>,
    store: &crate::store::SharedStore,
    before: i64,
    msgs: &mpsc::UnboundedSender<Msg>,
) {
    let general = &config.general;
    if general.on_new_articles.is_none() && !general.notifies() {
        return;
    }
    let (config, store) = (config.clone(), store.clone());
    let done = tokio::task::spawn_blocking(move || {
        let new = lock(&store).articles_after(before, crate::hooks::MAX_NEW)?;
        let notify = |a: &crate::model::Article| config.feeds.iter().any(|f| f.url == a.summary.feed_url && f.notify);
        let errors = crate::hooks::after_refresh(&config.general, &new, &notify);
        let terminal = (config.general.notifies() && config.general.notify_command.is_none())
            .then(|| crate::hooks::notified(&new, &notify))
            .filter(|(count, _)| *count > 0)
            .map(|(count, feeds)| crate::hooks::summary(count, &feeds));
        Ok::<_, StoreError>((errors, terminal))
    })
    .await;
    match done {
        Ok(Ok((errors, terminal))) => {
            if let Some(text) = terminal {
                let _ = msgs.send(Msg::TerminalNotify(text));
            }
            if !errors.is_empty() {
                let _ = msgs.send(Msg::Notice(Notice {
                    text: errors.join("; "),
                    error: true,
                }));
            }
        }
        Ok(Err(e)) => tracing::error!("new articles: {e}"),
        Err(e) => tracing::error!("hooks task: {e}"),
    }
}

/// What a refresh does when another one is running, and whether it reports when nothing is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wait {
    /// The schedule's check: skipped while a refresh runs; silent when nothing is due.
    SkipIfRunning,
    /// New feeds from the config: waits its turn; silent when there are none.
    Quietly,
    /// The user asked: waits its turn, always reports.
    Asked,
}

fn notify_failure(msgs: &mpsc::UnboundedSender<Msg>, e: StoreError) {
    let _ = msgs.send(Msg::Notice(Notice {
        text: format!("refresh failed: {e}"),
        error: true,
    }));
}
