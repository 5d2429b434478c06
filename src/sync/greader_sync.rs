//! A Google Reader API account's sync: push, then subscriptions, the id lists (all, unread,
//! starred), contents of the ids the cache lacks in batches, and the server's state applied.

use std::collections::{HashMap, HashSet};

use crate::model::FeedId;
use crate::store::SharedStore;

use super::greader::{self, GReader};
use super::items::store_items;
use super::{apply_state, known_ids, push, remote_feeds, AccountReport, SyncError};

pub(super) async fn sync(
    g: &mut GReader<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    // Push first: what the user did here is what the server must end up with.
    push::push_pending(g, store, account, &mut report.pushed).await?;

    let feeds = g.subscriptions().await?;
    let feed_ids = remote_feeds(store, account, feeds, report).await?;
    let all = g.ids(greader::READING_LIST, None).await?;
    let unread: HashSet<i64> = g
        .ids(greader::READING_LIST, Some(greader::READ))
        .await?
        .into_iter()
        .collect();
    let starred: HashSet<i64> = g.ids(greader::STARRED, None).await?.into_iter().collect();
    let known = known_ids(store, account).await?;
    let new_ids: Vec<i64> = all.iter().copied().filter(|id| !known.contains(id)).collect();
    report.new = fetch_contents(g, store, &feed_ids, &new_ids).await?;
    let present: HashSet<i64> = all.into_iter().collect();
    report.pulled = apply_state(store, account, unread, starred, move |id| present.contains(&id)).await?;
    Ok(())
}

/// New items' contents, a batch at a time, each batch stored as it arrives: a sync cut short
/// keeps what it had, and the next one asks only for the rest. A batch whose answer is too
/// large is asked for again in halves (articles of 40 KB make 250 of them over the cap); an
/// item too large alone is left out and logged, never stopping the others. Returns how many
/// were new.
async fn fetch_contents(
    g: &mut GReader<'_>,
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
    ids: &[i64],
) -> Result<usize, SyncError> {
    let mut new = 0;
    let mut size = greader::BATCH;
    let mut rest = ids;
    while !rest.is_empty() {
        let take = size.min(rest.len());
        match g.contents(&rest[..take]).await {
            Ok(items) => {
                new += store_items(store, feeds, items).await?.new;
                rest = &rest[take..];
                size = (size * 2).min(greader::BATCH);
            }
            Err(SyncError::TooLarge { .. }) if take > 1 => size = take / 2,
            Err(SyncError::TooLarge { what }) => {
                tracing::warn!("{what}: item {} alone is larger than the cap; left out", rest[0]);
                rest = &rest[1..];
            }
            Err(e) => return Err(e),
        }
    }
    Ok(new)
}
