//! The config file, watched while the reader runs: a valid edit is applied (feeds in step in the
//! cache, keys and colours to the app); a broken one keeps the config in force and says why.

use std::sync::{mpsc as std_mpsc, Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

use crate::config::{Config, ConfigSource};

use super::super::settings::UiSettings;
use super::super::state::{LiveConfig, Msg, Notice};
use super::cache::StoreJob;

/// The config in force, shared by the effects and replaced whole when the file changes.
pub(super) type SharedConfig = Arc<RwLock<Arc<Config>>>;

/// How often the file's size and modification time are looked at.
const EVERY: Duration = Duration::from_secs(1);

pub(super) fn current(config: &SharedConfig) -> Arc<Config> {
    config.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// Watches the config's file (the one the user's config goes in, when running on the built-in
/// one) until the reader's message channel closes.
pub(super) fn start(config: SharedConfig, jobs: std_mpsc::Sender<StoreJob>, msgs: mpsc::UnboundedSender<Msg>) {
    let path = match &current(&config).source {
        ConfigSource::User(p) => p.clone(),
        ConfigSource::Embedded { suggested } => suggested.clone(),
    };
    let stamp = |p: &std::path::Path| std::fs::metadata(p).ok().map(|m| (m.len(), m.modified().ok()));
    // Taken now, not when the task first runs: an edit made before then must still count.
    let mut last: Option<(u64, Option<SystemTime>)> = stamp(&path);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !msgs.is_closed() {
            tick.tick().await;
            let now = stamp(&path);
            if now == last || now.is_none() {
                continue;
            }
            last = now;
            let source = ConfigSource::User(path.clone());
            let loaded = tokio::task::spawn_blocking(move || {
                let config = Config::load(source)?;
                let settings = UiSettings::from_config(&config)?;
                Ok::<_, crate::config::ConfigError>((config, settings))
            })
            .await;
            let msg = match loaded {
                Ok(Ok((new, settings))) => {
                    tracing::info!("config reloaded from {}", path.display());
                    let live = LiveConfig {
                        tags: new.tags(),
                        queries: new.queries.clone(),
                        keymap: settings.keymap,
                        open_marks_read: new.general.open_marks_read,
                        confirm_quit: new.general.confirm_quit,
                        confirm_mark_all: new.general.confirm_mark_all,
                        shares: new.shares.iter().map(|s| s.name.clone()).collect(),
                        read_together: new.stories.read_together,
                        group_stories: new.stories.group,
                    };
                    // The feeds first: in step in the cache before anything reads them again.
                    let (done, synced) = tokio::sync::oneshot::channel();
                    if jobs.send(StoreJob::SyncFeeds(new.feeds.clone(), done)).is_err() {
                        break;
                    }
                    let _ = synced.await;
                    *config.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(new);
                    Msg::ConfigChanged(Box::new(live))
                }
                Ok(Err(e)) => {
                    tracing::warn!("config not reloaded: {e}");
                    Msg::Notice(Notice {
                        text: format!("{e} (the config in use stays)"),
                        error: true,
                    })
                }
                Err(e) => {
                    tracing::error!("config reload task: {e}");
                    continue;
                }
            };
            if msgs.send(msg).is_err() {
                break;
            }
        }
    });
}
