//! Group commit: the one path by which the poller writes to the cache. Writes queued while one
//! commits share the next transaction, each in its own savepoint, and none is reported before it.

use std::sync::Mutex;

use crate::store::Store;

use super::{lock, SharedStore};

/// Most writes committed together: bounds how long the UI's own writes wait for the lock.
const MAX_WRITES_PER_COMMIT: usize = 32;

/// A queued write: runs inside the shared transaction and returns how to report its result
/// once the commit is known.
pub(super) type QueuedWrite = Box<dyn FnOnce(&mut Store) -> Deliver + Send>;
pub(super) type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Group commit: whoever holds the cache lock runs every write queued meanwhile in one
/// transaction. Under load (a cold refresh) dozens of feeds share a commit, FTS flush and
/// WAL sync; a lone write still commits at once. No write is reported done before its commit.
pub(super) struct GroupWriter {
    pub(super) store: SharedStore,
    pub(super) queue: Mutex<Vec<QueuedWrite>>,
}

impl GroupWriter {
    pub(super) fn submit(&self, write: QueuedWrite) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(write);
    }

    /// Blocking: commits queued writes until the queue is empty (another drainer may already
    /// have taken this caller's write; then there is nothing to do).
    pub(super) fn drain(&self) {
        let mut store = lock(&self.store);
        loop {
            let batch: Vec<QueuedWrite> = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = queue.len().min(MAX_WRITES_PER_COMMIT);
                queue.drain(..n).collect()
            };
            if batch.is_empty() {
                return;
            }
            let mut delivers = Vec::with_capacity(batch.len());
            let committed = store
                .in_one_transaction(|s| delivers.extend(batch.into_iter().map(|write| write(s))))
                .map_err(|e| {
                    tracing::error!("cache commit failed: {e}");
                    format!("cache commit failed: {e}")
                });
            // Writes that never ran (the transaction could not start) report "aborted".
            for deliver in delivers {
                deliver(committed.clone());
            }
        }
    }
}
