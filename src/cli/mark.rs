//! `khabar mark ID... --read|--unread|--star|--unstar`: set a flag on articles for scripts.
//! All or nothing: an id the cache does not have changes nothing and is named in the error.

use anyhow::bail;

use crate::model::{ArticleId, Flag};
use crate::store::Store;

use super::MarkArgs;

pub fn run(store: &mut Store, args: &MarkArgs) -> anyhow::Result<()> {
    let (flag, value, word) = match (args.read, args.unread, args.star, args.unstar) {
        (true, ..) => (Flag::Read, true, "read"),
        (_, true, ..) => (Flag::Read, false, "unread"),
        (_, _, true, _) => (Flag::Starred, true, "starred"),
        _ => (Flag::Starred, false, "unstarred"),
    };
    let mut ids: Vec<ArticleId> = Vec::with_capacity(args.ids.len());
    for id in args.ids.iter().map(|&i| ArticleId(i)) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let found = store.existing(&ids)?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(|id| id.0.to_string())
        .collect();
    if !missing.is_empty() {
        bail!(
            "no article with id {} in the cache (`khabar list --json` shows ids); nothing was changed",
            missing.join(", ")
        );
    }
    let changed = store.set_flag_many(&ids, flag, value)?;
    let already = ids.len() - changed.len();
    let note = if already > 0 {
        format!(" ({already} already {word})")
    } else {
        String::new()
    };
    eprintln!("marked {} of {} articles {word}{note}", changed.len(), ids.len());
    Ok(())
}
