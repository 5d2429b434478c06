//! The Google Reader API's item JSON: an item of `stream/items/contents` as a `RemoteItem`, and
//! item ids in both forms servers send (short decimals, the long `tag:google.com` form).

use serde::Deserialize;

use super::greader::{READ, STARRED};
use super::RemoteItem;

/// An item id in either form: decimal (`items/ids`, possibly negative, as a string or a
/// number) or the long form `tag:google.com,2005:reader/item/<16 hex digits>`.
pub fn parse_id(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|u| u as i64)),
        serde_json::Value::String(s) => match s.rsplit_once("/item/") {
            Some((_, hex)) => u64::from_str_radix(hex, 16).ok().map(|u| u as i64),
            None => s
                .parse::<i64>()
                .ok()
                .or_else(|| s.parse::<u64>().ok().map(|u| u as i64)),
        },
        _ => None,
    }
}

#[derive(Deserialize)]
pub(super) struct Items {
    #[serde(default)]
    pub(super) items: Vec<Item>,
}

#[derive(Deserialize)]
pub(super) struct Item {
    id: serde_json::Value,
    title: Option<String>,
    published: Option<i64>,
    #[serde(default)]
    alternate: Vec<Href>,
    #[serde(default)]
    canonical: Vec<Href>,
    summary: Option<Body>,
    content: Option<Body>,
    author: Option<String>,
    origin: Option<Origin>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Deserialize)]
struct Href {
    href: String,
}

#[derive(Deserialize)]
struct Body {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Origin {
    #[serde(rename = "streamId")]
    stream_id: String,
}

impl Item {
    pub(super) fn into_remote(self) -> Option<RemoteItem> {
        let id = parse_id(&self.id)?;
        let has = |state: &str| {
            self.categories
                .iter()
                .any(|c| c.ends_with(state.trim_start_matches("user/-")))
        };
        let (read, starred) = (has(READ), has(STARRED));
        Some(RemoteItem {
            id,
            feed: self.origin?.stream_id,
            title: self.title,
            link: self.canonical.into_iter().chain(self.alternate).next().map(|h| h.href),
            author: self.author,
            published: self.published,
            content: self.content.or(self.summary).and_then(|b| b.content),
            read,
            starred,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_parse_in_every_form_servers_use() {
        assert_eq!(parse_id(&json!("123")), Some(123));
        assert_eq!(parse_id(&json!("-4")), Some(-4));
        assert_eq!(parse_id(&json!(77)), Some(77));
        assert_eq!(
            parse_id(&json!("tag:google.com,2005:reader/item/000000000000001f")),
            Some(31)
        );
        // The long form of a negative short id: the same 64 bits.
        assert_eq!(
            parse_id(&json!("tag:google.com,2005:reader/item/fffffffffffffffc")),
            Some(-4)
        );
        assert_eq!(parse_id(&json!("x")), None);
    }
}
