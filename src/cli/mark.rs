//! `khabar mark ID... [--story S] --read|--unread|--star|--unstar`: set a flag on articles (or a
//! whole story's) for scripts.
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
    if let Some(story) = args.story {
        let members = store.story_articles(story)?;
        if members.is_empty() {
            bail!(
                "no story {story} in the cache (`khabar list --json` shows each article's story); nothing was changed"
            );
        }
        ids.extend(members);
    }
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
