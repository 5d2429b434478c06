//! The hashes that identify what the cache holds: a fetched body (parsed again only when it
//! changed), an article's identity key, and its content (rewritten only when it changed).

use sha2::{Digest, Sha256};

use crate::model::NewArticle;

/// Identifies a fetched feed body. Salted with the parser's generation, so a khabar that parses
/// differently reads every feed once more instead of trusting what an older one stored.
pub fn body_hash(bytes: &[u8]) -> i64 {
    const PARSER_GENERATION: &[u8] = b"khabar-parse-3";
    let mut h = Sha256::new();
    h.update(PARSER_GENERATION);
    h.update(bytes);
    i64::from_le_bytes(h.finalize()[..8].try_into().expect("sha256 is 32 bytes"))
}

/// The keys an article may have been imported under (`IMPORTED_KEY_PREFIX` + its guid, which
/// newsboat takes from the item's id, else its link).
pub(super) fn imported_keys(a: &NewArticle) -> Vec<i64> {
    let id = a.key.strip_prefix("id:");
    [id, a.link.as_deref()]
        .into_iter()
        .flatten()
        .map(|k| hash64(format!("{IMPORTED_KEY_PREFIX}{k}").as_bytes()))
        .collect()
}

/// Keys of imported articles start with this, then the other reader's guid.
pub const IMPORTED_KEY_PREFIX: &str = "imported:";

pub(super) fn hash64(bytes: &[u8]) -> i64 {
    let digest = Sha256::digest(bytes);
    i64::from_le_bytes(digest[..8].try_into().expect("sha256 is 32 bytes"))
}

pub(super) fn article_hash(a: &NewArticle) -> i64 {
    let mut h = Sha256::new();
    for field in [
        Some(a.title.as_str()),
        a.link.as_deref(),
        a.author.as_deref(),
        a.content.as_deref(),
    ] {
        // Length-prefixed so ("ab", "c") and ("a", "bc") differ.
        let f = field.unwrap_or("");
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.update(a.published.map_or(i64::MIN, |p| p.timestamp()).to_le_bytes());
    // Only when there are some: articles without attachments keep the hash they had before
    // attachments were stored (nothing is rewritten for them).
    for e in &a.enclosures {
        for field in [Some(e.url.as_str()), e.mime.as_deref()] {
            let f = field.unwrap_or("");
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        h.update(e.length.unwrap_or(0).to_le_bytes());
        h.update(e.duration.unwrap_or(0).to_le_bytes());
    }
    i64::from_le_bytes(h.finalize()[..8].try_into().expect("sha256 is 32 bytes"))
}
