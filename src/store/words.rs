//! The search index's tokenizer mirrored in Rust, exactly: which characters make tokens and what
//! each folds to, as SQLite's `unicode61` (the cache's settings) does it, from `token_table.rs`.

use memchr::memmem::Finder;

use super::token_table::{DROPPED, SEPARATOR, TABLE};

/// A text as the index's tokenizer sees it: its tokens, folded (lower case, diacritics
/// removed), separated by spaces.
pub(super) fn fold(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 1);
    // Scripts come in runs: the last range looked up usually holds the next character too.
    let mut last: (u32, u32, i32) = (1, 0, SEPARATOR);
    let mut rest = text;
    while let Some(&b) = rest.as_bytes().first() {
        if b.is_ascii() {
            out.push(ASCII_FOLD[b as usize]);
            rest = &rest[1..];
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        let cp = c as u32;
        if !(last.0..=last.1).contains(&cp) {
            last = range_of(cp);
        }
        match last.2 {
            SEPARATOR => out.push(b' '),
            DROPPED => {}
            delta => {
                let folded = char::from_u32((cp as i32 + delta) as u32).unwrap_or(c);
                out.extend_from_slice(folded.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
    }
    out
}

/// ASCII as the tokenizer folds it: letters and digits in lower case, everything else a space.
const ASCII_FOLD: [u8; 128] = {
    let mut table = [b' '; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// The table's range holding `cp` with its class, or the gap around it (a separator).
fn range_of(cp: u32) -> (u32, u32, i32) {
    let i = TABLE.partition_point(|&(first, _, _)| first <= cp);
    match i.checked_sub(1).map(|i| TABLE[i]) {
        Some((first, last, class)) if cp <= last => (first, last, class),
        before => {
            let low = before.map_or(0, |(_, last, _)| last + 1);
            let high = TABLE.get(i).map_or(u32::MAX, |&(first, _, _)| first - 1);
            (low, high, SEPARATOR)
        }
    }
}

/// A word or phrase of a query (as the index is asked for it): its tokens, which must follow
/// each other.
pub(super) struct Phrase {
    tokens: Vec<Vec<u8>>,
    first: Finder<'static>,
}

impl Phrase {
    /// None when the text has no token (it matches everything then, as in a search).
    pub(super) fn new(query_text: &str) -> Option<Phrase> {
        let folded = fold(query_text);
        let tokens: Vec<Vec<u8>> = folded
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        let first = Finder::new(tokens.first()?).into_owned();
        Some(Phrase { tokens, first })
    }

    /// Whether the tokens occur in `folded` (from `fold`), one after another.
    pub(super) fn is_in(&self, folded: &[u8]) -> bool {
        let in_token = |at: usize| folded.get(at).is_some_and(|&b| b != b' ');
        'occurrence: for start in self.first.find_iter(folded) {
            if start > 0 && in_token(start - 1) {
                continue;
            }
            let mut at = start + self.tokens[0].len();
            if in_token(at) {
                continue;
            }
            for token in &self.tokens[1..] {
                while folded.get(at) == Some(&b' ') {
                    at += 1;
                }
                if !folded[at..].starts_with(token) {
                    continue 'occurrence;
                }
                at += token.len();
                if in_token(at) {
                    continue 'occurrence;
                }
            }
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn index() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = \"{}\");
             CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);",
            super::super::fts::TOKENIZER
        ))
        .unwrap();
        conn
    }

    /// Every non-ASCII character as SQLite's tokenizer treats it, as `TABLE` records it: one
    /// document per block of characters, each character between two `x`s.
    fn sqlite_table() -> Vec<(u32, u32, i32)> {
        let conn = index();
        let chars: Vec<char> = (0x80..=0x10FFFF_u32).filter_map(char::from_u32).collect();
        let mut classes: Vec<(u32, i32)> = Vec::with_capacity(chars.len());
        let tx = conn.unchecked_transaction().unwrap();
        for (n, block) in chars.chunks(4096).enumerate() {
            let text: String = block.iter().map(|c| format!("x{c}x ")).collect();
            tx.execute(
                "INSERT INTO t (rowid, text) VALUES (?1, ?2)",
                rusqlite::params![n as i64 + 1, text],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        let mut stmt = conn.prepare("SELECT doc, term FROM v ORDER BY doc, offset").unwrap();
        let mut terms: Vec<Vec<String>> = vec![Vec::new(); chars.len().div_ceil(4096)];
        for row in stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
        {
            let (doc, term) = row.unwrap();
            terms[doc as usize - 1].push(term);
        }
        for (block, terms) in chars.chunks(4096).zip(terms) {
            let mut terms = terms.into_iter();
            for &c in block {
                let term = terms.next().expect("a token per character");
                let class = if term == "x" {
                    assert_eq!(terms.next().as_deref(), Some("x"));
                    SEPARATOR
                } else {
                    let inner = &term[1..term.len() - 1];
                    let mut it = inner.chars();
                    match (it.next(), it.next()) {
                        (None, _) => DROPPED,
                        (Some(f), None) => f as i32 - c as i32,
                        _ => panic!("U+{:04X} folds to two characters", c as u32),
                    }
                };
                classes.push((c as u32, class));
            }
        }
        let mut ranges: Vec<(u32, u32, i32)> = Vec::new();
        for (cp, class) in classes {
            match ranges.last_mut() {
                Some(last) if last.2 == class && (last.1 + 1 == cp || (last.1 == 0xD7FF && cp == 0xE000)) => {
                    last.1 = cp;
                }
                _ => ranges.push((cp, cp, class)),
            }
        }
        ranges
    }

    /// The table is what the SQLite khabar is built with does, for every character. When an
    /// upgrade of SQLite changes its tables, this fails: write the new one with
    /// `KHABAR_WRITE_TOKEN_TABLE=1 cargo test --lib token_table`.
    #[test]
    fn token_table_is_what_sqlite_does() {
        let table = sqlite_table();
        if std::env::var_os("KHABAR_WRITE_TOKEN_TABLE").is_some() {
            let mut out = String::from(
                "//! Generated from SQLite's unicode61 tokenizer (remove_diacritics 2, categories L* N* Co M*)\n\
                 //! by `KHABAR_WRITE_TOKEN_TABLE=1 cargo test --lib token_table`; checked by that test.\n\n\
                 /// A separator between tokens.\npub(super) const SEPARATOR: i32 = i32::MIN;\n\
                 /// Part of a token, folded away.\npub(super) const DROPPED: i32 = i32::MIN + 1;\n\n\
                 const S: i32 = SEPARATOR;\nconst D: i32 = DROPPED;\n\n\
                 /// (first, last, class) for every non-ASCII character: `SEPARATOR` (S), `DROPPED` (D), or the\n\
                 /// offset to the character it folds to.\n#[rustfmt::skip]\npub(super) const TABLE: &[(u32, u32, i32)] = &[\n",
            );
            let mut line = String::new();
            for (first, last, class) in &table {
                let class = match *class {
                    SEPARATOR => "S".to_string(),
                    DROPPED => "D".to_string(),
                    d => d.to_string(),
                };
                let entry = format!("(0x{first:X},0x{last:X},{class}),");
                if line.len() + entry.len() > 96 {
                    out.push_str(&format!("    {line}\n"));
                    line.clear();
                }
                line.push_str(&entry);
            }
            out.push_str(&format!("    {line}\n"));
            out.push_str("];\n");
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/token_table.rs"), out).unwrap();
        }
        assert_eq!(table.len(), TABLE.len(), "ranges");
        for (ours, sqlite) in TABLE.iter().zip(&table) {
            assert_eq!(ours, sqlite);
        }
    }

    /// What the tokenizer makes of a non-ASCII character, looked up alone.
    fn class(c: char) -> i32 {
        let cp = c as u32;
        let i = TABLE.partition_point(|&(first, _, _)| first <= cp);
        match i.checked_sub(1).map(|i| TABLE[i]) {
            Some((_, last, class)) if cp <= last => class,
            _ => SEPARATOR,
        }
    }

    /// `fold` (which remembers the last range it looked up) folds every character as the table
    /// says, whatever came before it.
    #[test]
    fn every_character_folds_as_the_table_says_after_any_other() {
        let expected = |c: char| -> Vec<u8> {
            if c.is_ascii() {
                return vec![if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase() as u8
                } else {
                    b' '
                }];
            }
            match class(c) {
                SEPARATOR => vec![b' '],
                DROPPED => vec![],
                d => char::from_u32((c as i32 + d) as u32)
                    .unwrap_or(c)
                    .to_string()
                    .into_bytes(),
            }
        };
        let chars: Vec<char> = (0..=0x10FFFFu32).filter_map(char::from_u32).collect();
        // Each after its neighbour, and after one far away (the remembered range is wrong then).
        for (i, &c) in chars.iter().enumerate() {
            let far = chars[(i * 7919 + 0x4E00) % chars.len()];
            let near = chars[i.saturating_sub(1)];
            let mut want = expected(far);
            want.extend(expected(c));
            want.extend(expected(near));
            want.extend(expected(c));
            assert_eq!(fold(&format!("{far}{c}{near}{c}")), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn text_folds_to_the_index_tokens() {
        let conn = index();
        for text in [
            "The Kernel, today — x86-64!",
            "Café naïve ÆON Straße İstanbul",
            "भारत समाचार: चंद्रयान सफल हुआ",
            " 東 京 タ ワ ー の夜景",
            "Ελληνικά ΣΟΦΙΑ; русский ТЕКСТ",
            "emoji 🚀👩‍💻 and ZWJ\u{200D}joined",
        ] {
            conn.execute("DELETE FROM t", []).unwrap();
            conn.execute("INSERT INTO t (rowid, text) VALUES (1, ?1)", [text])
                .unwrap();
            let mut stmt = conn.prepare("SELECT term FROM v ORDER BY offset").unwrap();
            let sqlite: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
            let folded = String::from_utf8(fold(text)).unwrap();
            let ours: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
            assert_eq!(ours, sqlite, "{text}");
        }
    }

    #[test]
    fn phrases_match_whole_tokens_in_order() {
        let f = |t: &str| fold(t);
        let p = |q: &str| Phrase::new(q).unwrap();
        assert!(p("kernel").is_in(&f("The Kernel, today")));
        assert!(!p("kernel").is_in(&f("kernels today")));
        assert!(!p("kernel").is_in(&f("subkernel")));
        assert!(p("kernel news").is_in(&f("kernel \u{2014} news")));
        assert!(!p("kernel news").is_in(&f("kernel big news")));
        assert!(p("x86-64").is_in(&f("on x86 64 only")));
        assert!(p("news").is_in(&f("kernel kernel news")));
        assert!(p("cafe").is_in(&f("Café culture")));
        assert!(p("CAFÉ").is_in(&f("cafe culture")));
        assert!(p("समाचार").is_in(&f("भारत समाचार")));
        assert!(Phrase::new("--").is_none());
    }
}
