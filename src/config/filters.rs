//! `[[filter]]` tables: what happens to matching articles as they arrive, checked here so a
//! mistake names the file, line and column (the query's own column included).

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Position};
use super::queries::located_query;
use super::FeedConfig;
use crate::query::{FilterAction, FilterRule};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    query: Spanned<String>,
    action: Spanned<String>,
    #[serde(default)]
    feeds: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Checks the `[[filter]]` tables of `text` (read from `file`) against the configured feeds.
pub(super) fn filters(
    raw: Vec<RawFilter>,
    feeds: &[FeedConfig],
    file: &str,
    text: &str,
) -> Result<Vec<FilterRule>, ConfigError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, f)| {
            let at = |offset: usize| Position::in_text(file, text, offset);
            let what = format!("filter {}", i + 1);
            let query = located_query(f.query, file, text, &what)?;
            let action_at = f.action.span().start;
            let action = FilterAction::parse(f.action.get_ref())
                .map_err(|e| at(action_at).error(format!("{what}: action: {e}")))?;
            let mut limited_to = Vec::with_capacity(f.feeds.len());
            for feed in f.feeds {
                let (span, name) = (feed.span(), feed.into_inner());
                let known = feeds
                    .iter()
                    .any(|c| c.url == name || c.title.as_deref() == Some(name.as_str()));
                if !known {
                    return Err(at(span.start).error(format!(
                        "{what}: feeds: {name:?} is not a configured feed (use its url or title)"
                    )));
                }
                limited_to.push(name);
            }
            let tags = f
                .tags
                .into_iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            Ok(FilterRule {
                query,
                action,
                feeds: limited_to,
                tags,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Config, ConfigSource};
    use crate::query::FilterAction;

    fn parse(text: &str) -> Result<Config, super::ConfigError> {
        Config::parse(text, "c.toml", Path::new("/"), ConfigSource::User("c.toml".into()))
    }

    const FEEDS: &str = "[[feed]]\nurl = \"https://lwn.net/rss\"\ntitle = \"LWN\"\ntags = [\"tech\"]\n";

    #[test]
    fn filters_parse_in_file_order() {
        let c = parse(&format!(
            "{FEEDS}[[filter]]\nquery = \"title:sponsored\"\naction = \"hide\"\n\
             [[filter]]\nquery = \"rust\"\naction = \"tag:rust\"\nfeeds = [\"LWN\", \"https://lwn.net/rss\"]\ntags = [\"tech\"]\n"
        ))
        .unwrap();
        assert_eq!(c.filters.len(), 2);
        assert_eq!(c.filters[0].action, FilterAction::Hide);
        assert_eq!(c.filters[0].query.text, "title:sponsored");
        assert!(c.filters[0].feeds.is_empty());
        assert_eq!(c.filters[1].action, FilterAction::Tag("rust".into()));
        assert_eq!(c.filters[1].feeds, ["LWN", "https://lwn.net/rss"]);
        assert_eq!(c.filters[1].tags, ["tech"]);
    }

    #[test]
    fn mistakes_name_the_file_line_and_column() {
        let err = |text: &str| parse(&format!("{FEEDS}{text}")).unwrap_err().to_string();
        assert_eq!(
            err("[[filter]]\nquery = \"ad age:<2q\"\naction = \"hide\"\n"),
            "c.toml:6:19: filter 1: `age:<2q` (column 10): unknown unit `q`, use h, d, w, m, y"
        );
        assert_eq!(
            err("[[filter]]\nquery = \"ad\"\naction = \"delete\"\n"),
            "c.toml:7:10: filter 1: action: unknown action `delete`, use hide, read, star or tag:NAME"
        );
        assert_eq!(
            err("[[filter]]\nquery = \"ad\"\naction = \"read\"\nfeeds = [\"HN\"]\n"),
            "c.toml:8:10: filter 1: feeds: \"HN\" is not a configured feed (use its url or title)"
        );
        assert!(err("[[filter]]\nquery = \"ad\"\n").contains("missing field `action`"));
        assert!(err("[[filter]]\nquery = \"ad\"\naction = \"hide\"\nwhen = 1\n").contains("unknown field `when`"));
    }
}
