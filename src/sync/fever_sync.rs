//! A Fever account's sync: push one item at a time, then feeds, items by `since_id` pages with
//! the ids the pages skipped asked for by id, and the unread and saved id sets applied.

use std::collections::{HashMap, HashSet};

use crate::model::{FeedId, Flag};
use crate::store::SharedStore;

use super::fever::{self, Fever};
use super::items::store_items;
use super::{
    apply_state, clear_pushed, known_ids, mark_of, pending_of, remote_feeds, set_mark, AccountReport, RemoteItem,
    SyncError,
};

pub(super) async fn sync(
    f: &mut Fever<'_>,
    account: &str,
    store: &SharedStore,
    report: &mut AccountReport,
) -> Result<(), SyncError> {
    push(f, store, account, &mut report.pushed).await?;

    let feeds = f.feeds().await?;
    let feed_ids = remote_feeds(store, account, feeds, report).await?;
    report.new = fever_items(f, account, store, &feed_ids).await?;
    let unread = f.id_set("unread_item_ids").await?;
    let starred = f.id_set("saved_item_ids").await?;
    // Unread and saved items the pages did not bring (a server that skipped them, an item
    // of a feed listed late) are asked for by id.
    let known = known_ids(store, account).await?;
    let mut missing: Vec<i64> = unread
        .union(&starred)
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    missing.sort_unstable();
    for chunk in missing.chunks(fever::ITEMS_PER_CALL) {
        let items = f.items_with_ids(chunk).await?;
        report.new += store_items(store, &feed_ids, items).await?.new;
    }
    // Fever cannot list every id: items below the lowest it still has were removed there, and
    // keep their state here.
    let lowest = f.lowest_id().await?;
    report.pulled = apply_state(store, account, unread, starred, move |id| {
        lowest.is_some_and(|l| id >= l)
    })
    .await?;
    Ok(())
}

/// Fever marks one item per request; each accepted change is forgotten as it goes.
pub(super) async fn push(
    f: &mut Fever<'_>,
    store: &SharedStore,
    account: &str,
    pushed: &mut usize,
) -> Result<(), SyncError> {
    let pending = pending_of(store, account).await?;
    let mut accepted = Vec::new();
    let mut result = Ok(());
    for p in &pending {
        let mark_as = match (p.flag, p.value) {
            (Flag::Read, true) => "read",
            (Flag::Read, false) => "unread",
            (Flag::Starred, true) => "saved",
            (Flag::Starred, false) => "unsaved",
            (Flag::Hidden, _) => continue,
        };
        if let Err(e) = f.mark(p.remote, mark_as).await {
            result = Err(e);
            break;
        }
        accepted.push(*p);
    }
    *pushed = clear_pushed(store, accepted).await?;
    result
}

/// The Fever mark below which every item id was fetched or asked for.
const FEVER_COMPLETE: &str = "fever_complete_through";
/// Most `items` calls one sync makes (25,000 items); the rest comes at the next sync.
const FEVER_MAX_CALLS: usize = 500;
/// Ids skipped by the pages that are asked for one by one (by 50) when no more are missing
/// than this: servers with dense ids (Coldsweat, Miniflux, TT-RSS). A server whose ids are
/// sparse (FreshRSS: microsecond times) keeps its pages in order and skips nothing.
const FEVER_MAX_GAP: usize = 10_000;

/// New items by `since_id` pages, each stored as it arrives, from the account's mark. A page
/// in no order (Coldsweat's) jumps over ids: those between the mark and the highest id seen
/// that are neither known nor seen are asked for with `with_ids`. The mark then moves to the
/// highest id seen, never past an item left unstored (its feed not yet listed), and only once
/// everything below it is done: a sync cut short starts again from the old mark.
async fn fever_items(
    f: &mut Fever<'_>,
    account: &str,
    store: &SharedStore,
    feeds: &HashMap<String, FeedId>,
) -> Result<usize, SyncError> {
    let mark = mark_of(store, account, FEVER_COMPLETE).await?;
    let known = known_ids(store, account).await?;
    let mut seen: HashSet<i64> = HashSet::new();
    let mut orphans: Vec<i64> = Vec::new();
    let (mut new, mut since, mut highest) = (0, mark, mark);
    let mut calls = 0;
    loop {
        if calls == FEVER_MAX_CALLS {
            tracing::warn!("Fever items: stopped after {FEVER_MAX_CALLS} calls; the rest comes next sync");
            break;
        }
        calls += 1;
        let page = f.items_after(since).await?;
        let top = page.iter().map(|i| i.id).max();
        let fresh: Vec<RemoteItem> = page
            .into_iter()
            .filter(|i| i.id > since && seen.insert(i.id) && !known.contains(&i.id))
            .collect();
        let stored = store_items(store, feeds, fresh).await?;
        new += stored.new;
        orphans.extend(stored.orphans);
        match top {
            Some(top) if top > since => {
                since = top;
                highest = highest.max(top);
            }
            _ => break,
        }
    }
    let gaps: Vec<i64> = if (highest - mark) as u64 <= (FEVER_MAX_GAP + seen.len()) as u64 {
        (mark + 1..=highest)
            .filter(|id| !seen.contains(id) && !known.contains(id))
            .collect()
    } else {
        Vec::new()
    };
    for chunk in gaps.chunks(fever::ITEMS_PER_CALL) {
        let items = f.items_with_ids(chunk).await?;
        let stored = store_items(store, feeds, items).await?;
        new += stored.new;
        orphans.extend(stored.orphans);
    }
    let complete = orphans.iter().map(|o| o - 1).fold(highest, i64::min);
    if complete > mark {
        set_mark(store, account, FEVER_COMPLETE, complete).await?;
    }
    Ok(new)
}
