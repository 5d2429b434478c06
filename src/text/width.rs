//! Display width of text in terminal columns, and cutting to a width on grapheme boundaries,
//! so Devanagari clusters, CJK and emoji sequences are never split or overflow a column.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns the text takes in a terminal.
pub fn width(s: &str) -> usize {
    s.width()
}

/// The text cut to at most `max` columns, ending in '…' when cut. Never splits a grapheme.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// The text cut or padded with spaces to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Word-wraps one line of text to `max` columns, breaking inside a word (at a grapheme
/// boundary) only when the word alone is wider than the line.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split_word_bounds() {
        let w = word.width();
        if used + w > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            used = 0;
            if word.trim().is_empty() {
                continue;
            }
        }
        if w > max {
            for g in word.graphemes(true) {
                let gw = g.width();
                if used + gw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push_str(g);
                used += gw;
            }
        } else {
            line.push_str(word);
            used += w;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_grapheme_boundaries() {
        // "क्षि" is one cluster: never split between its code points.
        let hindi = "क्षत्रिय क्षत्रिय";
        for max in 1..12 {
            let t = truncate(hindi, max);
            assert!(width(&t) <= max, "{max}: {t}");
            let body = t.trim_end_matches('…');
            assert!(hindi.starts_with(body));
            assert!(body.graphemes(true).all(|g| hindi.graphemes(true).any(|h| h == g)));
        }
        assert_eq!(truncate("新的开源项目", 5), "新的…");
        assert_eq!(truncate("新的开源项目", 6), "新的…");
        assert_eq!(fit("新的开源项目", 6), "新的… ");
        assert_eq!(truncate("👩‍💻👩‍💻👩‍💻", 4), "👩‍💻…");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn wraps_words_and_overlong_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        for line in wrap("चंद्रयान की सफलता पर भारत को बधाई दी", 10)
        {
            assert!(width(&line) <= 10, "{line}");
        }
        assert_eq!(wrap("新的开源项目", 5), ["新的", "开源", "项目"]);
    }
}
