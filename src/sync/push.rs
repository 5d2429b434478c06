//! Pushing the changes made here to servers that take them in batches (every kind but Fever):
//! grouped by flag and value, a batch at a time, each accepted batch forgotten as it goes.

use crate::model::Flag;
use crate::store::{PendingChange, SharedStore};

use super::{clear_pushed, pending_of, SyncError};

/// A server that sets one flag to one value on many articles in one request, idempotently.
pub(super) trait BatchPush {
    /// Most ids one request takes.
    const BATCH: usize;
    async fn push(&mut self, flag: Flag, value: bool, ids: &[i64]) -> Result<(), SyncError>;
}

/// Pushes every pending change of `account`, counting in `pushed` those the server accepted. A
/// failure stops the push (what was accepted before it is forgotten, the rest waits) and is
/// returned after the accepted ones are cleared.
pub(super) async fn push_pending<C: BatchPush>(
    client: &mut C,
    store: &SharedStore,
    account: &str,
    pushed: &mut usize,
) -> Result<(), SyncError> {
    let pending = pending_of(store, account).await?;
    let mut accepted: Vec<PendingChange> = Vec::new();
    let mut failed = None;
    'groups: for (flag, value) in [
        (Flag::Read, true),
        (Flag::Read, false),
        (Flag::Starred, true),
        (Flag::Starred, false),
    ] {
        let group: Vec<PendingChange> = pending
            .iter()
            .filter(|p| p.flag == flag && p.value == value)
            .copied()
            .collect();
        for batch in group.chunks(C::BATCH) {
            let ids: Vec<i64> = batch.iter().map(|p| p.remote).collect();
            if let Err(e) = client.push(flag, value, &ids).await {
                failed = Some(e);
                break 'groups;
            }
            accepted.extend_from_slice(batch);
        }
    }
    *pushed = clear_pushed(store, accepted).await?;
    failed.map_or(Ok(()), Err)
}
