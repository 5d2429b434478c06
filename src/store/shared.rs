//! The cache shared between tasks and threads of one process (`SharedStore`): its lock, and a
//! store call run on the blocking pool, off the async runtime (`with_store`).

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Store, StoreError};

/// The cache as shared between the poller's workers, sync and the commands: writes are
/// serialised by the lock.
pub type SharedStore = Arc<Mutex<Store>>;

/// Locks the store, recovering from a panic in another holder (SQLite itself stays consistent).
pub fn lock(store: &SharedStore) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs a store call on the blocking pool, the lock held for the call only.
pub async fn with_store<T, F>(store: &SharedStore, f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&mut lock(&store)))
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
}
