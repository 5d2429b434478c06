//! A query's expression checked against one article in memory: how filters judge articles as they
//! arrive, before they are stored. Means exactly what the store's SQL for the same query means.

use std::collections::HashMap;

use regex::Regex;

use super::{compile_regex, Expr, Field, Pattern, State, Text};

/// What a query can ask about one article.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub title: &'a str,
    pub author: Option<&'a str>,
    /// The feed's title as shown (configured, else its own).
    pub feed_title: Option<&'a str>,
    /// The feed's configured URL.
    pub feed_url: &'a str,
    /// The feed's tags, then the article's own.
    pub tags: &'a [String],
    pub read: bool,
    pub starred: bool,
    pub hidden: bool,
    pub has_enclosure: bool,
    /// Unix seconds: the article's place in time, and now (for `age:`).
    pub sort_time: i64,
    pub now: i64,
}

/// Checks expressions against candidates with their regular expressions compiled once (a
/// refresh shares one across its threads).
#[derive(Debug, Default)]
pub struct Evaluator {
    regexes: HashMap<String, Regex>,
}

/// Whether `expr` matches `c`; `text` answers the words and phrases (the search index's
/// business: the store asks its tokenizer). A query that does not mention `is:hidden` never
/// matches a hidden article, as it never finds one in the cache.
pub fn matches(eval: &Evaluator, query: &super::Query, c: &Candidate<'_>, text: &mut dyn FnMut(&Text) -> bool) -> bool {
    (!c.hidden || query.mentions_hidden()) && eval.expr(&query.expr, c, text)
}

impl Evaluator {
    /// Compiles the regular expressions of these queries.
    pub fn for_queries<'a>(queries: impl IntoIterator<Item = &'a super::Query>) -> Evaluator {
        fn walk(e: &Expr, out: &mut HashMap<String, Regex>) {
            match e {
                Expr::And(terms) | Expr::Or(terms) => terms.iter().for_each(|t| walk(t, out)),
                Expr::Not(inner) => walk(inner, out),
                Expr::Field(_, Pattern::Regex(re)) if !out.contains_key(re) => {
                    // Checked when parsed, so it compiles.
                    if let Ok(compiled) = compile_regex(re) {
                        out.insert(re.clone(), compiled);
                    }
                }
                _ => {}
            }
        }
        let mut regexes = HashMap::new();
        for q in queries {
            walk(&q.expr, &mut regexes);
        }
        Evaluator { regexes }
    }

    fn expr(&self, expr: &Expr, c: &Candidate<'_>, text: &mut dyn FnMut(&Text) -> bool) -> bool {
        match expr {
            Expr::And(terms) => terms.iter().all(|t| self.expr(t, c, text)),
            Expr::Or(terms) => terms.iter().any(|t| self.expr(t, c, text)),
            Expr::Not(inner) => !self.expr(inner, c, text),
            Expr::Text(t) => text(t),
            Expr::Field(field, pattern) => {
                let values: [Option<&str>; 2] = match field {
                    Field::Title => [Some(c.title), None],
                    Field::Author => [Some(c.author.unwrap_or("")), None],
                    Field::Feed => [Some(c.feed_title.unwrap_or("")), Some(c.feed_url)],
                };
                values.into_iter().flatten().any(|v| self.field(pattern, v))
            }
            Expr::Tag(tag) => c.tags.iter().any(|t| t == tag),
            Expr::Is(state) => match state {
                State::Unread => !c.read,
                State::Read => c.read,
                State::Starred => c.starred,
                State::Hidden => c.hidden,
                // An arriving article is grouped after it is stored: never in a story yet.
                State::Grouped => false,
            },
            Expr::Story(_) => false,
            Expr::HasEnclosure => c.has_enclosure,
            Expr::Age { newer, seconds } => {
                let edge = c.now.saturating_sub(*seconds);
                if *newer {
                    c.sort_time >= edge
                } else {
                    c.sort_time < edge
                }
            }
            Expr::After(t) => c.sort_time >= *t,
            Expr::Before(t) => c.sort_time < *t,
        }
    }

    fn field(&self, pattern: &Pattern, value: &str) -> bool {
        match pattern {
            // SQL's LIKE: any case for ASCII letters, others as written.
            Pattern::Contains(needle) => value.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()),
            Pattern::Regex(re) => match self.regexes.get(re) {
                Some(compiled) => compiled.is_match(value),
                // A query the evaluator was not made for: compiled for this once.
                None => compile_regex(re).is_ok_and(|r| r.is_match(value)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn candidate() -> Candidate<'static> {
        static TAGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        Candidate {
            title: "Show HN: Rust in the kernel",
            author: None,
            feed_title: Some("Hacker News"),
            feed_url: "https://news.ycombinator.com/rss",
            tags: TAGS.get_or_init(|| vec!["tech".into(), "later".into()]),
            read: false,
            starred: false,
            hidden: false,
            has_enclosure: false,
            sort_time: 1_000_000,
            now: 1_000_000 + 3 * 86_400,
        }
    }

    fn check(q: &str, c: &Candidate<'_>) -> bool {
        let query = parse(q).unwrap();
        let mut words = |t: &Text| match t {
            Text::Word(w) => w == "kernel",
            Text::Phrase(p) => p == "in the kernel",
        };
        matches(&Evaluator::for_queries([&query]), &query, c, &mut words)
    }

    #[test]
    fn every_construct_means_what_the_sql_means() {
        let c = candidate();
        for (q, want) in [
            ("kernel", true),
            ("\"in the kernel\"", true),
            ("kernel linux", false),
            ("kernel OR linux", true),
            ("-linux", true),
            ("-(kernel OR linux)", false),
            ("title:rust", true),
            ("title:RUST", true),
            ("title:/^Show HN/", true),
            ("title:/^show hn/", true),
            ("title:/(?-i)^show hn/", false),
            ("author:ann", false),
            ("-author:ann", true),
            ("feed:hacker", true),
            ("feed:ycombinator", true),
            ("feed:/^Hacker/", true),
            ("tag:tech", true),
            ("tag:later", true),
            ("tag:Tech", false),
            ("is:unread", true),
            ("is:read", false),
            ("is:starred", false),
            ("is:hidden", false),
            ("has:enclosure", false),
            ("-has:enclosure", true),
            ("age:<7d", true),
            ("age:<2d", false),
            ("age:>2d", true),
            ("after:1970-01-12", true),
            ("before:1970-01-12", false),
        ] {
            assert_eq!(check(q, &c), want, "{q}");
        }
    }

    #[test]
    fn hidden_articles_match_only_queries_about_hidden_ones() {
        let c = Candidate {
            hidden: true,
            ..candidate()
        };
        assert!(!check("title:rust", &c));
        assert!(check("title:rust is:hidden", &c));
        assert!(!check("-is:hidden", &c));
    }

    #[test]
    fn non_ascii_text_matches_as_written() {
        let c = Candidate {
            title: "Ärger in München: दिल्ली",
            ..candidate()
        };
        assert!(check("title:München", &c));
        assert!(check("title:दिल्ली", &c));
        // LIKE folds ASCII only.
        assert!(!check("title:ärger", &c));
    }
}
