//! The query language of search, `list --query` (and, later, saved queries and filters): its
//! syntax tree and its parser, with errors that point at the column. No SQL here (`store` owns it).

mod eval;
mod parse;
mod rule;

pub use eval::{matches, Candidate, Evaluator};
pub use parse::parse;
pub use rule::{FilterAction, FilterRule};

/// The one-screen summary `?` shows in the reader's search prompt: (syntax, meaning).
pub const SUMMARY: &[(&str, &str)] = &[
    ("kernel  \"big news\"", "a word, a phrase, in title or body"),
    ("title:rust  author:ann", "the field contains the text"),
    ("feed:lwn  tag:tech", "the feed's title or URL; a tag's feeds"),
    ("title:/^Show HN/", "a regular expression (title, author, feed)"),
    ("is:unread  is:read  is:starred", "by flag"),
    ("is:hidden", "hidden by a filter (shown only when asked)"),
    ("is:grouped  story:12", "in a story; in this story"),
    ("has:enclosure", "with an attachment (a podcast's audio, a file)"),
    ("age:<7d  age:>1y", "newer / older than (h d w m y)"),
    ("after:2026-01-01  before:…", "by date (UTC), on or after / before"),
    ("a b", "both"),
    ("a OR b", "either (OR in capitals)"),
    ("-a  -(a OR b)", "not"),
    ("(a OR b) is:unread", "parentheses group"),
];

/// A parsed query, with the text it came from (shown in titles, written back to the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub expr: Expr,
}

/// What a query matches. Adjacent terms are `And`; `-` is `Not`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Words or a "quoted phrase" in the title or body (the search index).
    Text(Text),
    /// `title:`, `author:`, `feed:` (its title or URL).
    Field(Field, Pattern),
    /// `tag:NAME`: articles of feeds with that tag.
    Tag(String),
    /// `is:unread`, `is:read`, `is:starred`, `is:hidden`.
    Is(State),
    /// `has:enclosure`: articles with an attachment (audio, video, a file).
    HasEnclosure,
    /// `story:ID`: the articles of one story (`list --json`'s `story`).
    Story(i64),
    /// `age:<7d` (newer than) and `age:>1y` (older than), in seconds.
    Age {
        newer: bool,
        seconds: i64,
    },
    /// `after:2026-01-01` (on or after that day, UTC) as unix seconds.
    After(i64),
    /// `before:2026-01-01` (before that day, UTC) as unix seconds.
    Before(i64),
}

/// Text for the search index: a word, or a phrase whose words must be adjacent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Text {
    Word(String),
    Phrase(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Author,
    Feed,
}

/// How a field is matched: contains the text (any case for ASCII), or a regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    Contains(String),
    /// Checked when parsed; matched in linear time (the `regex` crate), never backtracking.
    Regex(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unread,
    Read,
    Starred,
    /// Hidden by a filter: only a query that asks for them finds these.
    Hidden,
    /// Part of a story with other articles.
    Grouped,
}

/// A query that does not parse: what is wrong, and where (1-based column, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{token}` (column {column}): {message}")]
pub struct QueryError {
    pub column: usize,
    pub token: String,
    pub message: String,
}

/// Largest compiled regular expression, in bytes: a pattern like `(a{1000}){1000}` is refused
/// instead of taking the reader's memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a `/regex/` pattern with the size limit; the error is the regex crate's, in one line.
/// Case is ignored, as `title:rust` ignores it, unless the pattern says `(?-i)`.
pub fn compile_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let last = e.to_string().lines().last().unwrap_or("invalid").trim().to_string();
            last.strip_prefix("error: ").unwrap_or(&last).to_string()
        })
}

impl Query {
    /// Whether some term anywhere in the query (under AND, OR or NOT) is one `pred` accepts.
    fn any_term(&self, pred: fn(&Expr) -> bool) -> bool {
        fn walk(e: &Expr, pred: fn(&Expr) -> bool) -> bool {
            match e {
                Expr::And(terms) | Expr::Or(terms) => terms.iter().any(|t| walk(t, pred)),
                Expr::Not(inner) => walk(inner, pred),
                term => pred(term),
            }
        }
        walk(&self.expr, pred)
    }

    /// Whether the query asks about hidden articles (`is:hidden`, also negated): then it sees
    /// them; every other query sees only what filters left visible.
    pub fn mentions_hidden(&self) -> bool {
        self.any_term(|t| matches!(t, Expr::Is(State::Hidden)))
    }

    /// Whether the query has words or phrases for the search index (anywhere in it).
    pub fn has_text(&self) -> bool {
        self.any_term(|t| matches!(t, Expr::Text(_)))
    }

    /// Whether the query asks for starred articles (anywhere in it).
    pub fn has_starred(&self) -> bool {
        self.any_term(|t| matches!(t, Expr::Is(State::Starred)))
    }

    /// Whether the query matches a pattern against articles' titles or authors (anywhere in it).
    pub fn has_title_or_author(&self) -> bool {
        self.any_term(|t| matches!(t, Expr::Field(Field::Title | Field::Author, _)))
    }

    /// The top-level words and phrases every match must contain, and the rest of the query:
    /// what the search index answers at once, and what is checked row by row.
    pub fn split_text(&self) -> (Vec<Text>, Option<Expr>) {
        let terms = match &self.expr {
            Expr::And(terms) => terms.clone(),
            other => vec![other.clone()],
        };
        let (texts, rest): (Vec<Expr>, Vec<Expr>) = terms.into_iter().partition(|t| matches!(t, Expr::Text(_)));
        let texts = texts
            .into_iter()
            .filter_map(|t| match t {
                Expr::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        let rest = match rest.len() {
            0 => None,
            1 => rest.into_iter().next(),
            _ => Some(Expr::And(rest)),
        };
        (texts, rest)
    }
}
