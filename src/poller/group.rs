//! Group commit: the one path by which the poller writes to the cache. Writes queued while one
//! commits share the next transaction, each in its own savepoint, and none is reported before it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::Store;

use crate::store::{lock, SharedStore};

/// Most writes committed together: bounds how long the UI's own writes wait for the lock.
pub const MAX_WRITES_PER_COMMIT: usize = 32;

/// Freed memory is handed back to the system after this many commits (see `release_freed_memory`).
const TRIM_EVERY: usize = 4;

/// A queued write: runs inside the shared transaction and returns how to report its result
/// once the commit is known.
pub(super) type QueuedWrite = Box<dyn FnOnce(&mut Store) -> Deliver + Send>;
pub(super) type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Group commit: one drainer at a time runs every write queued meanwhile in one transaction.
/// Under load (a cold refresh) dozens of feeds share a commit, FTS flush and WAL sync; a lone
/// write still commits at once. No write is reported done before its commit.
pub(super) struct GroupWriter {
    store: SharedStore,
    queue: Mutex<Vec<QueuedWrite>>,
    /// A drainer is running: writes queued now are its. One thread writes, instead of one per
    /// write blocked on the cache lock (each a thread of the blocking pool, with its memory).
    draining: AtomicBool,
}

impl GroupWriter {
    pub(super) fn new(store: SharedStore) -> GroupWriter {
        GroupWriter {
            store,
            queue: Mutex::new(Vec::new()),
            draining: AtomicBool::new(false),
        }
    }

    /// Queues a write, and starts a drainer on the blocking pool unless one runs.
    pub(super) fn submit(self: &Arc<Self>, write: QueuedWrite) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(write);
        if !self.draining.swap(true, Ordering::AcqRel) {
            let this = self.clone();
            tokio::task::spawn_blocking(move || this.drain());
        }
    }

    /// Blocking: commits queued writes until the queue is empty, then lets the next submit
    /// start a drainer (checking once more, so a write queued meanwhile is never left behind).
    fn drain(&self) {
        let mut store = lock(&self.store);
        let mut commits = 0usize;
        loop {
            let batch: Vec<QueuedWrite> = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = queue.len().min(MAX_WRITES_PER_COMMIT);
                queue.drain(..n).collect()
            };
            if batch.is_empty() {
                self.draining.store(false, Ordering::Release);
                let waiting = !self.queue.lock().unwrap_or_else(|p| p.into_inner()).is_empty();
                if waiting && !self.draining.swap(true, Ordering::AcqRel) {
                    continue;
                }
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
            commits += 1;
            if commits.is_multiple_of(TRIM_EVERY) {
                release_freed_memory();
            }
        }
    }
}

/// Hands the memory freed by the batch just written back to the system. glibc keeps freed
/// memory in per-thread arenas: parsed feeds are freed on other threads than they were made on,
/// and without this a cold refresh's resident memory grows with the number of feeds.
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
pub(super) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
