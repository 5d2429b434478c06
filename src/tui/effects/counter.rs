//! The saved queries' counter: a thread with its own connection that keeps their unread counts
//! between asks (`KeptCounts`), and the count of every saved query the store worker also uses.

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use crate::model::Filter;
use crate::store::{Store, StoreError};

use super::super::state::Msg;
use super::cache::cache_error;

/// Every saved query, by name: what one ask of the counter is about.
type Queries = Vec<(String, crate::query::Query)>;

/// The saved queries' counter (`count_worker`) and the way to ask it.
pub(super) struct Counter {
    asks: std_mpsc::Sender<Queries>,
    thread: std::thread::JoinHandle<()>,
}

impl Counter {
    /// Starts the counter on a connection of its own to `cache`, opened on its thread (off the
    /// path to the first frame).
    pub(super) fn start(cache: std::path::PathBuf, msgs: mpsc::UnboundedSender<Msg>) -> std::io::Result<Counter> {
        let (asks, rx) = std_mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("khabar-counts".into())
            .spawn(move || match Store::open(&cache) {
                Ok(store) => count_worker(store, rx, msgs),
                // Its asks then go to the store worker, counted afresh.
                Err(e) => drop(msgs.send(cache_error(&e))),
            })?;
        Ok(Counter { asks, thread })
    }

    /// Asks for every query's count; the queries back when the counter is gone.
    pub(super) fn ask(&self, queries: Queries) -> Result<(), Queries> {
        self.asks.send(queries).map_err(|e| e.0)
    }

    /// Waits for the counter to save its counts and end.
    pub(super) fn finish(self) {
        drop(self.asks);
        let _ = self.thread.join();
    }
}

/// The saved queries' counter: a thread with its own connection that keeps their counts between
/// asks (`KeptCounts`, taken over from the last reader and left for the next), so counting never
/// waits behind, or holds up, a page or a mark. Only the latest of the asks waiting is answered
/// (each asks about every query).
fn count_worker(mut store: Store, asks: std_mpsc::Receiver<Queries>, msgs: mpsc::UnboundedSender<Msg>) {
    // Kept from the first ask on: a reader with no saved queries never turns the change log on.
    let mut kept: Option<crate::store::KeptCounts> = None;
    let mut keeping = false;
    while let Ok(mut queries) = asks.recv() {
        while let Ok(newer) = asks.try_recv() {
            queries = newer;
        }
        if !std::mem::replace(&mut keeping, true) {
            kept = store
                .resume_counts()
                .map_err(|e| tracing::warn!("cache: saved queries' counts will be counted afresh: {e}"))
                .ok();
        }
        let msg = match count_saved_queries(&store, kept.as_mut(), &queries) {
            Ok(counts) => Msg::QueryCounts(counts),
            Err(e) => cache_error(&e),
        };
        if msgs.send(msg).is_err() {
            break;
        }
        if let Some(k) = kept.as_mut() {
            if let Err(e) = store.trim_changes(k) {
                tracing::warn!("cache: change log: {e}");
            }
        }
    }
    // Left for the next reader, which then starts from them.
    if let Some(k) = &kept {
        if let Err(e) = store.save_counts(k) {
            tracing::warn!("cache: saving the saved queries' counts: {e}");
        }
    }
}

/// Every saved query's unread count: from the kept counts, or (without them, or when bringing
/// them up to date fails) counted afresh.
pub(super) fn count_saved_queries(
    store: &Store,
    kept: Option<&mut crate::store::KeptCounts>,
    queries: &[(String, crate::query::Query)],
) -> Result<Vec<(String, u64)>, StoreError> {
    if let Some(kept) = kept {
        match store.kept_unread_counts(kept, queries, chrono::Utc::now().timestamp()) {
            Ok(counts) => return Ok(counts),
            Err(e) => {
                tracing::warn!("cache: kept counts: {e}; counting afresh");
                *kept = Default::default();
            }
        }
    }
    queries
        .iter()
        .map(|(name, query)| {
            let filter = Filter {
                unread_only: true,
                query: Some(query.clone()),
                ..Filter::default()
            };
            store.count(&filter).map(|n| (name.clone(), n as u64))
        })
        .collect()
}
