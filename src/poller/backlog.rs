//! Back-pressure between parsing and the cache writer: one parse per core at a time, and a bound
//! on the parsed articles waiting to be written, so memory stays flat however fast feeds arrive.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Parsed articles that may wait for the writer (or be in its transaction) at once. A feed
/// larger than this waits until the writer has nothing else, then goes alone.
pub const MAX_QUEUED_ARTICLES: usize = 1_000;

pub(super) struct Backlog {
    cpu: Arc<Semaphore>,
    queued: Arc<Semaphore>,
}

impl Backlog {
    pub(super) fn new() -> Backlog {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Backlog {
            cpu: Arc::new(Semaphore::new(cores)),
            queued: Arc::new(Semaphore::new(MAX_QUEUED_ARTICLES)),
        }
    }

    /// A turn to parse and prepare one feed: held until its articles are queued for the writer.
    pub(super) async fn cpu(&self) -> OwnedSemaphorePermit {
        self.cpu.clone().acquire_owned().await.expect("never closed")
    }

    /// Room for `n` parsed articles in the writer's backlog, held until they are written.
    pub(super) async fn articles(&self, n: usize) -> OwnedSemaphorePermit {
        let n = n.clamp(1, MAX_QUEUED_ARTICLES) as u32;
        self.queued.clone().acquire_many_owned(n).await.expect("never closed")
    }
}
