//! newsboat's filter language (`title =~ "x" and unread = "yes"`) in khabar's query language,
//! for `query:` feeds and `ignore-article`; what has no counterpart is refused with why.

/// One token of a newsboat filter expression.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Op(&'static str),
    Open,
    Close,
}

const OPS: [&str; 11] = ["!=", "=~", "!~", "<=", ">=", "!#", "=", "<", ">", "#", "between"];

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' {
            chars.next();
            out.push(if c == '(' { Token::Open } else { Token::Close });
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('\\') => s.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => s.push(c),
                    None => return Err("a quote is not closed".into()),
                }
            }
            out.push(Token::Text(s));
        } else if "=!<>#~".contains(c) {
            let mut op = String::new();
            while let Some(&c) = chars.peek().filter(|c| "=!<>#~".contains(**c)) {
                op.push(c);
                chars.next();
            }
            let known = OPS
                .iter()
                .find(|o| **o == op)
                .ok_or_else(|| format!("unknown operator `{op}`"))?;
            out.push(Token::Op(known));
        } else {
            let mut w = String::new();
            while let Some(&c) = chars
                .peek()
                .filter(|c| !c.is_whitespace() && !"()\"=!<>#~".contains(**c))
            {
                w.push(c);
                chars.next();
            }
            out.push(if w == "between" {
                Token::Op("between")
            } else {
                Token::Word(w)
            });
        }
    }
    Ok(out)
}

/// The expression in khabar's query language, or why it cannot be.
pub fn translate(text: &str) -> Result<String, String> {
    let tokens = tokens(text)?;
    let mut at = 0;
    let query = or_expr(&tokens, &mut at, 0)?;
    if at < tokens.len() {
        return Err(format!("unexpected {:?}", tokens[at]));
    }
    Ok(query)
}

fn or_expr(t: &[Token], at: &mut usize, depth: usize) -> Result<String, String> {
    let mut parts = vec![and_expr(t, at, depth)?];
    while matches!(t.get(*at), Some(Token::Word(w)) if w == "or") {
        *at += 1;
        parts.push(and_expr(t, at, depth)?);
    }
    Ok(parts.join(" OR "))
}

fn and_expr(t: &[Token], at: &mut usize, depth: usize) -> Result<String, String> {
    let mut parts = vec![term(t, at, depth)?];
    while matches!(t.get(*at), Some(Token::Word(w)) if w == "and") {
        *at += 1;
        let next = term(t, at, depth)?;
        parts.push(next);
    }
    // An OR inside an and-term keeps its parentheses (term adds them).
    Ok(parts.join(" "))
}

fn term(t: &[Token], at: &mut usize, depth: usize) -> Result<String, String> {
    if depth > 32 {
        return Err("nested too deeply".into());
    }
    match t.get(*at) {
        Some(Token::Open) => {
            *at += 1;
            let inner = or_expr(t, at, depth + 1)?;
            if t.get(*at) != Some(&Token::Close) {
                return Err("a parenthesis is not closed".into());
            }
            *at += 1;
            Ok(format!("({inner})"))
        }
        Some(Token::Word(attr)) => {
            let op = match t.get(*at + 1) {
                Some(Token::Op(op)) => *op,
                _ => return Err(format!("`{attr}` needs an operator and a value")),
            };
            let value = match t.get(*at + 2) {
                Some(Token::Text(v) | Token::Word(v)) => v.clone(),
                _ => return Err(format!("`{attr} {op}` needs a value")),
            };
            *at += 3;
            comparison(attr, op, &value)
        }
        other => Err(format!("expected a comparison, found {other:?}")),
    }
}

/// One `attribute op value` as a query term.
fn comparison(attr: &str, op: &str, value: &str) -> Result<String, String> {
    let no = || {
        Err(format!(
            "`{attr} {op} \"{value}\"` has no counterpart in khabar's queries"
        ))
    };
    let negate = |q: String, neg: bool| if neg { format!("-{q}") } else { q };
    match attr {
        // newsboat's matching minds case; khabar's regexes ignore it unless told `(?-i)`.
        "title" | "author" | "feedtitle" | "rssurl" | "feedurl" => {
            let field = match attr {
                "title" => "title",
                "author" => "author",
                _ => "feed",
            };
            match op {
                "=~" | "!~" => Ok(negate(
                    format!("{field}:/(?-i){}/", value.replace('/', "\\/")),
                    op == "!~",
                )),
                "=" | "!=" => Ok(negate(
                    format!("{field}:/(?-i)^{}$/", regex::escape(value).replace('/', "\\/")),
                    op == "!=",
                )),
                "#" | "!#" => Ok(negate(format!("{field}:{}", quoted(value)), op == "!#")),
                _ => no(),
            }
        }
        "unread" => match (op, value) {
            ("=", "yes") | ("!=", "no") => Ok("is:unread".into()),
            ("=", "no") | ("!=", "yes") => Ok("is:read".into()),
            _ => no(),
        },
        // Imported flags become stars: any flag is a star here.
        "flags" => match op {
            "#" | "=~" => Ok("is:starred".into()),
            "!#" | "!~" => Ok("-is:starred".into()),
            "=" if value.is_empty() => Ok("-is:starred".into()),
            "!=" if value.is_empty() => Ok("is:starred".into()),
            _ => no(),
        },
        "tags" => match op {
            "#" => Ok(format!("tag:{}", quoted(value))),
            "!#" => Ok(format!("-tag:{}", quoted(value))),
            _ => no(),
        },
        "age" => {
            let days: u64 = value
                .trim()
                .parse()
                .map_err(|_| format!("age {op} {value:?}: not a number of days"))?;
            match op {
                "<" => Ok(format!("age:<{days}d")),
                "<=" => Ok(format!("age:<{}d", days + 1)),
                ">" => Ok(format!("age:>{days}d")),
                ">=" if days > 0 => Ok(format!("age:>{}d", days - 1)),
                _ => no(),
            }
        }
        "enclosure_url" | "enclosure_type" if value.is_empty() => match op {
            "!=" => Ok("has:enclosure".into()),
            "=" => Ok("-has:enclosure".into()),
            _ => no(),
        },
        "content" | "description" if matches!(op, "=~" | "#") && is_plain(value) => Ok(quoted_phrase(value)),
        _ => no(),
    }
}

/// Letters, digits and spaces only: a regex that is a plain phrase.
fn is_plain(value: &str) -> bool {
    !value.trim().is_empty() && value.chars().all(|c| c.is_alphanumeric() || c == ' ')
}

fn quoted_phrase(value: &str) -> String {
    format!("\"{}\"", value.trim())
}

fn quoted(value: &str) -> String {
    if value
        .chars()
        .all(|c| !c.is_whitespace() && c != '"' && c != '(' && c != ')')
        && !value.is_empty()
    {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('"', ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newsboat_filters_become_queries() {
        let ok = |text: &str| translate(text).unwrap();
        assert_eq!(ok(r#"unread = "yes""#), "is:unread");
        assert_eq!(
            ok(r#"title =~ "rust" and unread = "yes""#),
            "title:/(?-i)rust/ is:unread"
        );
        assert_eq!(ok(r#"age < 7 or flags # "s""#), "age:<7d OR is:starred");
        assert_eq!(
            ok(r#"tags # "tech" and (title =~ "^Show" or author = "Ann B.")"#),
            r#"tag:tech (title:/(?-i)^Show/ OR author:/(?-i)^Ann B\.$/)"#
        );
        assert_eq!(ok(r#"tags !# "two words""#), r#"-tag:"two words""#);
        assert_eq!(ok(r#"content =~ "climate change""#), r#""climate change""#);
        assert_eq!(ok(r#"feedtitle =~ "LWN""#), "feed:/(?-i)LWN/");
        assert_eq!(ok(r#"age >= 3"#), "age:>2d");
        for (bad, why) in [
            (r#"link =~ "x""#, "no counterpart"),
            (r#"date between 2020:2021"#, "no counterpart"),
            (r#"title =~ "x" and"#, "expected a comparison"),
            (r#"(unread = "yes""#, "not closed"),
            (r#"title ~= "x""#, "unknown operator"),
        ] {
            let e = translate(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        // What it makes parses as a query.
        for text in [r#"title =~ "a/b" or unread = "no""#, r#"author != "x(y)""#] {
            crate::query::parse(&ok(text)).unwrap();
        }
    }
}
