//! How text goes into and queries go against the FTS5 index. Han and kana have no spaces, so each
//! such character is indexed as its own token and a CJK query becomes a phrase: any substring matches.

/// Characters indexed one per token.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF66}'..='\u{FF9D}' // half-width katakana
        | '\u{20000}'..='\u{2FA1F}')
}

/// The text as stored in the index: CJK characters set apart by spaces.
pub fn index_text(title: &str, body_plain: &str) -> String {
    let mut out = String::with_capacity(title.len() + body_plain.len() + 8);
    for part in [title, "\n", body_plain] {
        push_segmented(&mut out, part);
    }
    out
}

fn push_segmented(out: &mut String, s: &str) {
    if !s.chars().any(is_cjk) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// An FTS5 MATCH expression for what a user typed: every word must occur, each word matched as
/// a phrase (so punctuation and CJK runs behave). None when there is nothing to search for.
pub fn match_query(user: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in user.split_whitespace() {
        let mut seg = String::new();
        push_segmented(&mut seg, word);
        if !seg.chars().any(char::is_alphanumeric) {
            continue;
        }
        terms.push(format!("\"{}\"", seg.trim().replace('"', "\"\"")));
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cjk_only() {
        assert_eq!(index_text("上海科技", ""), " 上  海  科  技 \n");
        assert_eq!(index_text("भारत news", "x"), "भारत news\nx");
    }

    #[test]
    fn queries_are_quoted_phrases() {
        assert_eq!(match_query("rust  \"kernel"), Some("\"rust\" \"\"\"kernel\"".into()));
        assert_eq!(match_query("科技"), Some("\"科  技\"".into()));
        assert_eq!(match_query(" -- ; "), None);
    }
}
