//! `[[query]]` tables: saved queries (virtual feeds) as written, checked here so a mistake in
//! one names the file, line and column of the very character the query parser objects to.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Position};
use crate::model::SortOrder;
use crate::query::Query;

/// A saved query: a sidebar entry whose view is every article the query matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    pub name: String,
    pub query: Query,
    /// The order it opens in until the user picks another (remembered per view as usual).
    pub sort: Option<SortOrder>,
    /// Tags whose group in the sidebar lists it too; with none it sits above the tags.
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuery {
    name: Spanned<String>,
    query: Spanned<String>,
    sort: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Checks the `[[query]]` tables of `text` (read from `file`).
pub(super) fn saved_queries(raw: Vec<RawQuery>, file: &str, text: &str) -> Result<Vec<SavedQuery>, ConfigError> {
    let mut out: Vec<SavedQuery> = Vec::with_capacity(raw.len());
    for q in raw {
        let at = |offset: usize| Position::in_text(file, text, offset);
        let name_at = q.name.span().start;
        let name = q.name.into_inner().trim().to_string();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(at(name_at).error("a query's `name` must be non-empty text"));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(at(name_at).error(format!("duplicate query name {name:?}")));
        }
        let query = located_query(q.query, file, text, &format!("query {name:?}"))?;
        let sort = match q.sort {
            None => None,
            Some(s) => {
                let span = s.span();
                let s = s.into_inner();
                Some(SortOrder::from_name(&s).ok_or_else(|| {
                    let names: Vec<&str> = SortOrder::ALL.iter().map(|o| o.name()).collect();
                    at(span.start).error(format!("unknown order {s:?}; use one of {}", names.join(", ")))
                })?)
            }
        };
        let tags = q
            .tags
            .into_iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        out.push(SavedQuery {
            name,
            query,
            sort,
            tags,
        });
    }
    Ok(out)
}

/// Parses a query written in the config; a mistake names the file, line and column of the very
/// character the parser objects to, after `what` ("query \"Rust\"", "filter 2").
pub(super) fn located_query(
    written: Spanned<String>,
    file: &str,
    text: &str,
    what: &str,
) -> Result<Query, ConfigError> {
    let span = written.span();
    let query_text = written.into_inner();
    crate::query::parse(&query_text).map_err(|e| {
        // The column inside the query, as a place in the file (past the opening quote).
        let inside: usize = query_text.chars().take(e.column - 1).map(char::len_utf8).sum();
        Position::in_text(file, text, span.start + 1 + inside).error(format!("{what}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Config, ConfigSource};

    fn parse(text: &str) -> Result<Config, super::ConfigError> {
        Config::parse(text, "c.toml", Path::new("/"), ConfigSource::User("c.toml".into()))
    }

    #[test]
    fn saved_queries_parse_with_their_order_and_tags() {
        let c = parse(
            "[[query]]\nname = \"Fresh\"\nquery = \"is:unread age:<2d\"\nsort = \"oldest\"\ntags = [\"news\"]\n\
             [[query]]\nname = \"Rust\"\nquery = \"title:rust\"\n",
        )
        .unwrap();
        assert_eq!(c.queries.len(), 2);
        assert_eq!(c.queries[0].name, "Fresh");
        assert_eq!(c.queries[0].query.text, "is:unread age:<2d");
        assert_eq!(c.queries[0].sort, Some(crate::model::SortOrder::Oldest));
        assert_eq!(c.queries[0].tags, ["news"]);
        assert_eq!((c.queries[1].sort, c.queries[1].tags.len()), (None, 0));
    }

    #[test]
    fn mistakes_name_the_file_line_and_column() {
        let err = |text: &str| parse(text).unwrap_err().to_string();
        // The `x` of `age:<7x` is on line 3, column 21.
        assert_eq!(
            err("# saved\n[[query]]\nname = \"W\"\nquery = \"news age:<7x\"\n"),
            "c.toml:4:21: query \"W\": `age:<7x` (column 12): unknown unit `x`, use h, d, w, m, y"
        );
        assert_eq!(
            err("[[query]]\nname = \"A\"\nquery = \"a\"\n[[query]]\nname = \"A\"\nquery = \"b\"\n"),
            "c.toml:5:8: duplicate query name \"A\""
        );
        assert!(err("[[query]]\nname = \"A\"\nquery = \"a\"\nsort = \"best\"\n")
            .starts_with("c.toml:4:8: unknown order \"best\""));
        assert!(err("[[query]]\nname = \" \"\nquery = \"a\"\n").starts_with("c.toml:2:8: a query's `name`"));
        assert!(err("[[query]]\nname = \"A\"\n").contains("missing field `query`"));
        assert!(err("[[query]]\nname = \"A\"\nquery = \"a\"\ncolour = 1\n").contains("unknown field `colour`"));
    }
}
