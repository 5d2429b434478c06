//! The query parser: text to tokens (each with its column), tokens to an `Expr` by recursive
//! descent (`OR` binds looser than adjacency; `-` binds tightest), nesting bounded.

use chrono::{NaiveDate, NaiveTime};

use super::{compile_regex, Expr, Field, Pattern, Query, QueryError, State, Text};

/// Parentheses and negations deeper than this are refused (a hostile query must not overflow
/// the stack).
const MAX_DEPTH: usize = 32;

const FIELDS: &str = "title, author, feed, tag, is, has, age, after, before";

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    Not,
    /// A word or "phrase" (quoted), or `name:value`; `value` keeps its quotes or slashes.
    Term {
        field: Option<String>,
        value: String,
    },
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    column: usize,
    raw: String,
}

fn error(column: usize, token: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        column,
        token: token.to_string(),
        message: message.into(),
    }
}

/// Parses a query. Empty text is an error: there is nothing to match.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(error(1, text, "nothing to search for"));
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    if let Some(t) = parser.tokens.get(parser.at) {
        return Err(error(t.column, &t.raw, "unmatched `)`"));
    }
    Ok(Query {
        text: text.trim().to_string(),
        expr,
    })
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            '-' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace() && *n != ')') => Some(Tok::Not),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token {
                tok,
                column,
                raw: c.to_string(),
            });
            i += 1;
            continue;
        }
        let start = i;
        // A field name: lowercase letters then ':' (not a URL's "http://").
        let name_len = chars[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        let is_field = name_len > 0
            && chars.get(i + name_len) == Some(&':')
            && !(chars.get(i + name_len + 1) == Some(&'/') && chars.get(i + name_len + 2) == Some(&'/'));
        let field = is_field.then(|| chars[i..i + name_len].iter().collect::<String>());
        if is_field {
            i += name_len + 1;
        }
        let value_start = i;
        match chars.get(i) {
            Some('"') => {
                let close = chars[i + 1..].iter().position(|c| *c == '"');
                let Some(close) = close else {
                    let raw: String = chars[start..].iter().collect();
                    return Err(error(value_start + 1, &raw, "unclosed quote"));
                };
                i += close + 2;
            }
            Some('/') if field.is_some() => {
                // A regex runs to the next '/' not escaped by a backslash.
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '/' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                if j >= chars.len() {
                    let raw: String = chars[start..].iter().collect();
                    return Err(error(value_start + 1, &raw, "unclosed `/`: a regex ends with `/`"));
                }
                i = j + 1;
            }
            _ => {
                while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '(' && chars[i] != ')' {
                    i += 1;
                }
            }
        }
        let raw: String = chars[start..i].iter().collect();
        let value: String = chars[value_start..i].iter().collect();
        let tok = if field.is_none() && value == "OR" {
            Tok::Or
        } else {
            Tok::Term { field, value }
        };
        out.push(Token {
            tok,
            column: start + 1,
            raw,
        });
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn deeper(&mut self, t: &Token) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(t.column, &t.raw, format!("nested more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut terms = vec![self.and()?];
        while let Some(t) = self.peek().filter(|t| t.tok == Tok::Or).cloned() {
            self.at += 1;
            if self.peek().is_none_or(|n| matches!(n.tok, Tok::Or | Tok::Close)) {
                return Err(error(t.column, &t.raw, "OR needs a term on each side"));
            }
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut terms = Vec::new();
        while let Some(t) = self.peek() {
            match t.tok {
                Tok::Close => break,
                Tok::Or if terms.is_empty() => {
                    return Err(error(t.column, &t.raw, "OR needs a term on each side"));
                }
                Tok::Or => break,
                _ => terms.push(self.unary()?),
            }
        }
        match terms.len() {
            0 => {
                let (column, raw) = self.peek().map_or((1, String::new()), |t| (t.column, t.raw.clone()));
                Err(error(column, &raw, "nothing to search for here"))
            }
            1 => Ok(terms.pop().expect("one term")),
            _ => Ok(Expr::And(terms)),
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        let t = self.tokens[self.at].clone();
        self.at += 1;
        match &t.tok {
            Tok::Not => {
                self.deeper(&t)?;
                if self.peek().is_none() {
                    return Err(error(t.column, &t.raw, "`-` needs a term after it"));
                }
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Tok::Open => {
                self.deeper(&t)?;
                let inner = self.or()?;
                match self.peek() {
                    Some(c) if c.tok == Tok::Close => self.at += 1,
                    _ => return Err(error(t.column, &t.raw, "unclosed `(`")),
                }
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Close => Err(error(t.column, &t.raw, "unmatched `)`")),
            Tok::Or => Err(error(t.column, &t.raw, "OR needs a term on each side")),
            Tok::Term { field, value } => term(&t, field.as_deref(), value),
        }
    }
}

/// A quoted value without its quotes; None when it is not quoted.
fn unquoted(value: &str) -> Option<&str> {
    value.strip_prefix('"')?.strip_suffix('"')
}

fn term(t: &Token, field: Option<&str>, value: &str) -> Result<Expr, QueryError> {
    let value_column = t.column + field.map_or(0, |f| f.chars().count() + 1);
    let Some(field) = field else {
        return Ok(Expr::Text(match unquoted(value) {
            Some(phrase) => Text::Phrase(phrase.to_string()),
            None => Text::Word(value.to_string()),
        }));
    };
    if value.is_empty() {
        return Err(error(t.column, &t.raw, format!("`{field}:` needs a value")));
    }
    let plain = unquoted(value).unwrap_or(value);
    match field {
        "title" | "author" | "feed" => {
            let which = match field {
                "title" => Field::Title,
                "author" => Field::Author,
                _ => Field::Feed,
            };
            let pattern = match value.strip_prefix('/').and_then(|v| v.strip_suffix('/')) {
                Some(re) if !re.is_empty() => {
                    compile_regex(re).map_err(|e| error(value_column, &t.raw, format!("bad regex: {e}")))?;
                    Pattern::Regex(re.to_string())
                }
                _ => Pattern::Contains(plain.to_string()),
            };
            Ok(Expr::Field(which, pattern))
        }
        "tag" => Ok(Expr::Tag(plain.to_string())),
        "is" => match plain {
            "unread" => Ok(Expr::Is(State::Unread)),
            "read" => Ok(Expr::Is(State::Read)),
            "starred" => Ok(Expr::Is(State::Starred)),
            "hidden" => Ok(Expr::Is(State::Hidden)),
            "grouped" => Ok(Expr::Is(State::Grouped)),
            other => Err(error(
                value_column,
                &t.raw,
                format!("unknown state `{other}`, use unread, read, starred, hidden, grouped"),
            )),
        },
        "story" => plain.parse::<i64>().map(Expr::Story).map_err(|_| {
            error(
                value_column,
                &t.raw,
                format!("`{plain}` is not a story id: `khabar list --json` shows each article's story"),
            )
        }),
        "has" => match plain {
            "enclosure" | "enclosures" | "attachment" => Ok(Expr::HasEnclosure),
            other => Err(error(
                value_column,
                &t.raw,
                format!("unknown `has:{other}`, use has:enclosure"),
            )),
        },
        "age" => age(t, value_column, plain),
        "after" | "before" => {
            let day = NaiveDate::parse_from_str(plain, "%Y-%m-%d").map_err(|_| {
                error(
                    value_column,
                    &t.raw,
                    format!("`{plain}` is not a date: write it like 2026-01-31"),
                )
            })?;
            let seconds = day.and_time(NaiveTime::MIN).and_utc().timestamp();
            Ok(if field == "after" {
                Expr::After(seconds)
            } else {
                Expr::Before(seconds)
            })
        }
        other => Err(error(
            t.column,
            &t.raw,
            format!("unknown field `{other}:`, use {FIELDS}"),
        )),
    }
}

/// `age:<7d`, `age:>1y`, `age:7d` (newer than).
fn age(t: &Token, column: usize, value: &str) -> Result<Expr, QueryError> {
    let (newer, rest, column) = match value.chars().next() {
        Some('<') => (true, &value[1..], column + 1),
        Some('>') => (false, &value[1..], column + 1),
        _ => (true, value, column),
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Err(error(column, &t.raw, "needs a number and a unit, like age:<7d"));
    }
    let number: i64 = rest[..digits]
        .parse()
        .map_err(|_| error(column, &t.raw, "the number is too large"))?;
    let unit = &rest[digits..];
    let unit_seconds = match unit {
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "m" => 30 * 86_400,
        "y" => 365 * 86_400,
        "" => return Err(error(column + digits, &t.raw, "needs a unit: h, d, w, m or y")),
        other => {
            return Err(error(
                column + digits,
                &t.raw,
                format!("unknown unit `{other}`, use h, d, w, m, y"),
            ))
        }
    };
    let seconds = number
        .checked_mul(unit_seconds)
        .ok_or_else(|| error(column, &t.raw, "the number is too large"))?;
    Ok(Expr::Age { newer, seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Expr {
        Expr::Text(Text::Word(w.into()))
    }

    fn err(q: &str) -> String {
        parse(q).expect_err(q).to_string()
    }

    #[test]
    fn words_phrases_and_fields() {
        assert_eq!(parse("rust").unwrap().expr, word("rust"));
        assert_eq!(
            parse("rust \"kernel news\" भारत").unwrap().expr,
            Expr::And(vec![
                word("rust"),
                Expr::Text(Text::Phrase("kernel news".into())),
                word("भारत")
            ])
        );
        assert_eq!(
            parse("title:\"rust 2\" author:ann feed:lwn tag:tech").unwrap().expr,
            Expr::And(vec![
                Expr::Field(Field::Title, Pattern::Contains("rust 2".into())),
                Expr::Field(Field::Author, Pattern::Contains("ann".into())),
                Expr::Field(Field::Feed, Pattern::Contains("lwn".into())),
                Expr::Tag("tech".into()),
            ])
        );
        assert_eq!(
            parse("title:/^Show (HN|Lobsters)/").unwrap().expr,
            Expr::Field(Field::Title, Pattern::Regex("^Show (HN|Lobsters)".into()))
        );
        assert_eq!(
            parse("is:unread is:read is:starred is:hidden").unwrap().expr,
            Expr::And(vec![
                Expr::Is(State::Unread),
                Expr::Is(State::Read),
                Expr::Is(State::Starred),
                Expr::Is(State::Hidden)
            ])
        );
        // A URL is a word, not a field.
        assert_eq!(parse("https://lwn.net").unwrap().expr, word("https://lwn.net"));
    }

    #[test]
    fn ages_and_dates() {
        assert_eq!(
            parse("age:<7d").unwrap().expr,
            Expr::Age {
                newer: true,
                seconds: 7 * 86_400
            }
        );
        assert_eq!(
            parse("age:>1y").unwrap().expr,
            Expr::Age {
                newer: false,
                seconds: 365 * 86_400
            }
        );
        assert_eq!(
            parse("age:12h").unwrap().expr,
            Expr::Age {
                newer: true,
                seconds: 12 * 3_600
            }
        );
        assert_eq!(parse("after:2026-01-01").unwrap().expr, Expr::After(1_767_225_600));
        assert_eq!(parse("before:2026-01-02").unwrap().expr, Expr::Before(1_767_312_000));
    }

    #[test]
    fn negation_or_and_parentheses() {
        assert_eq!(
            parse("a b OR c").unwrap().expr,
            Expr::Or(vec![Expr::And(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            parse("a (b OR c) -d -(e f)").unwrap().expr,
            Expr::And(vec![
                word("a"),
                Expr::Or(vec![word("b"), word("c")]),
                Expr::Not(Box::new(word("d"))),
                Expr::Not(Box::new(Expr::And(vec![word("e"), word("f")]))),
            ])
        );
        assert_eq!(
            parse("-tag:sports").unwrap().expr,
            Expr::Not(Box::new(Expr::Tag("sports".into())))
        );
        // A lone or trailing '-' is a word, as in "a - b".
        assert_eq!(
            parse("a - b").unwrap().expr,
            Expr::And(vec![word("a"), word("-"), word("b")])
        );
        // "or" in lower case is a word.
        assert_eq!(parse("or").unwrap().expr, word("or"));
    }

    #[test]
    fn mistakes_point_at_their_column() {
        assert_eq!(
            err("age:<7x"),
            "`age:<7x` (column 7): unknown unit `x`, use h, d, w, m, y"
        );
        assert_eq!(err("news age:7"), "`age:7` (column 11): needs a unit: h, d, w, m or y");
        assert_eq!(
            err("age:<d"),
            "`age:<d` (column 6): needs a number and a unit, like age:<7d"
        );
        assert_eq!(
            err("age:99999999999999999y"),
            "`age:99999999999999999y` (column 5): the number is too large"
        );
        assert_eq!(
            err("is:new"),
            "`is:new` (column 4): unknown state `new`, use unread, read, starred, hidden, grouped"
        );
        assert_eq!(
            err("x titel:rust"),
            "`titel:rust` (column 3): unknown field `titel:`, use title, author, feed, tag, is, has, age, after, before"
        );
        assert_eq!(err("title:"), "`title:` (column 1): `title:` needs a value");
        assert_eq!(
            err("after:2026-13-01"),
            "`after:2026-13-01` (column 7): `2026-13-01` is not a date: write it like 2026-01-31"
        );
        assert_eq!(err("a \"b c"), "`\"b c` (column 3): unclosed quote");
        assert_eq!(err("title:/a(/"), "`title:/a(/` (column 7): bad regex: unclosed group");
        assert_eq!(
            err("title:/abc"),
            "`title:/abc` (column 7): unclosed `/`: a regex ends with `/`"
        );
        assert_eq!(err("(a b"), "`(` (column 1): unclosed `(`");
        assert_eq!(err("a b)"), "`)` (column 4): unmatched `)`");
        assert_eq!(err("a OR"), "`OR` (column 3): OR needs a term on each side");
        assert_eq!(err("OR a"), "`OR` (column 1): OR needs a term on each side");
        assert_eq!(err("()"), "`)` (column 2): nothing to search for here");
        assert_eq!(err("   "), "`   ` (column 1): nothing to search for");
        assert!(err(&"(".repeat(100)).contains("nested more than 32 deep"));
        assert!(err(&"-".repeat(100)).contains("nested more than 32 deep"));
    }

    #[test]
    fn huge_regexes_are_refused_not_built() {
        let e = err("title:/(a{1000}){1000}/");
        assert!(e.contains("bad regex") && e.contains("size limit"), "{e}");
    }

    #[test]
    fn split_text_separates_what_the_index_answers() {
        let q = parse("rust \"big news\" is:unread").unwrap();
        let (texts, rest) = q.split_text();
        assert_eq!(texts, [Text::Word("rust".into()), Text::Phrase("big news".into())]);
        assert_eq!(rest, Some(Expr::Is(State::Unread)));
        let (texts, rest) = parse("a OR b").unwrap().split_text();
        assert!(texts.is_empty() && rest.is_some());
    }
}
