//! Strips what must never reach a terminal from untrusted text: escape sequences (CSI, OSC,
//! DCS...), C0/C1 controls and bidi overrides. Applied to every feed field before it is stored.

/// For one-line fields (titles, authors, feed names): also folds newlines and tabs into single
/// spaces and trims.
pub fn clean_line(s: &str) -> String {
    if is_clean_line(s) {
        return s.to_string();
    }
    fold_line(s)
}

/// Folds whitespace; scrubs only when something is unsafe (HTML stripped of its tags is clean
/// but full of newlines and runs of spaces, so this is the common case behind the search index).
fn fold_line(s: &str) -> String {
    if !is_clean_body(s) {
        return scrub_and_fold_line(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    // In clean text the only ASCII whitespace is space, tab and newline, which both splitters
    // agree on; the ASCII one skips decoding characters.
    if s.is_ascii() {
        s.split_ascii_whitespace().for_each(&mut push);
    } else {
        s.split(folds).filter(|w| !w.is_empty()).for_each(&mut push);
    }
    out
}

/// `clean_line` without any fast path: scrub, then fold whitespace.
fn scrub_and_fold_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in Scrubbed::new(s) {
        if folds(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// For text already laid out (rendered lines): removes everything unsafe, and turns newlines
/// and tabs into spaces, but keeps runs of spaces (indentation, preformatted text).
pub fn clean_line_keep_spaces(s: &str) -> String {
    Scrubbed::new(s)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect()
}

/// For bodies: keeps newlines and tabs (CR and CRLF become LF), drops everything else unsafe.
pub fn clean_body(s: &str) -> String {
    if is_clean_body(s) && !s.contains('\r') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = Scrubbed::new(s).peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() != Some(&'\n') {
                out.push('\n');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// True when the text needs no cleaning; lets hot paths skip an allocation.
pub fn is_clean_body(s: &str) -> bool {
    // Byte patterns of the unsafe characters, so no character is decoded: C0 controls but
    // newline and tab, DEL, C1 controls (U+0080-U+009F: C2 80-C2 9F) and the bidi controls
    // (U+202A-U+202E: E2 80 AA-AE; U+2066-U+2069: E2 81 A6-A9). In valid UTF-8, C2 and E2
    // only ever start a character.
    let b = s.as_bytes();
    for (i, &byte) in b.iter().enumerate() {
        let unsafe_here = match byte {
            b'\n' | b'\t' => false,
            0x00..=0x1F | 0x7F => true,
            0xC2 => matches!(b.get(i + 1), Some(0x80..=0x9F)),
            0xE2 => matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
            ),
            _ => false,
        };
        if unsafe_here {
            return false;
        }
    }
    true
}

/// True when `clean_line` would return the text unchanged: nothing unsafe, no whitespace but
/// single spaces between words.
fn is_clean_line(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let ascii_ok = bytes
        .iter()
        .zip(bytes.iter().skip(1).chain(std::iter::once(&b'x')))
        .all(|(&b, &next)| (b > 0x20 && b != 0x7f) || b >= 0x80 || (b == b' ' && next != b' '));
    ascii_ok && (s.is_ascii() || s.chars().all(|c| !is_unsafe(c) && (c == ' ' || !c.is_whitespace())))
}

/// Whitespace a line folds into one space. No-break and typographic spaces (`&nbsp;`,
/// `&ensp;`, `&emsp;`, `&thinsp;`…) are the author's choice and stay as they are, and so do
/// the ordinary spaces beside them: only runs of ordinary whitespace fold ("testing &nbsp;
/// entity" keeps its three spaces).
fn folds(c: char) -> bool {
    c.is_whitespace() && !is_kept_space(c)
}

fn is_kept_space(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Iterator over the characters that survive: escape sequences are removed whole, other
/// controls are dropped, except \n, \t and \r which the callers fold.
struct Scrubbed<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Scrubbed<'a> {
    fn new(s: &'a str) -> Self {
        Scrubbed {
            chars: s.chars().peekable(),
        }
    }

    /// After CSI: parameter and intermediate bytes, then one final byte.
    fn skip_csi(&mut self) {
        while let Some(&c) = self.chars.peek() {
            match c {
                '\u{30}'..='\u{3F}' | '\u{20}'..='\u{2F}' => {
                    self.chars.next();
                }
                '\u{40}'..='\u{7E}' => {
                    self.chars.next();
                    return;
                }
                _ => return,
            }
        }
    }

    /// After OSC/DCS/SOS/PM/APC: up to BEL or ST (ESC \ or U+009C). Stops before a newline so
    /// an unterminated sequence cannot swallow the rest of a body.
    fn skip_string(&mut self) {
        while let Some(&c) = self.chars.peek() {
            match c {
                '\u{07}' | '\u{9C}' => {
                    self.chars.next();
                    return;
                }
                '\u{1B}' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'\\') {
                        self.chars.next();
                    }
                    return;
                }
                '\n' => return,
                _ => {
                    self.chars.next();
                }
            }
        }
    }
}

impl Iterator for Scrubbed<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            let c = self.chars.next()?;
            match c {
                '\n' | '\t' | '\r' => return Some(c),
                '\u{1B}' => match self.chars.peek() {
                    Some('[') => {
                        self.chars.next();
                        self.skip_csi();
                    }
                    Some(']' | 'P' | 'X' | '^' | '_') => {
                        self.chars.next();
                        self.skip_string();
                    }
                    Some(&n) if ('\u{20}'..='\u{7E}').contains(&n) => {
                        // Two-character escapes (ESC c, ESC 7...), with any intermediates.
                        self.chars.next();
                        if ('\u{20}'..='\u{2F}').contains(&n) {
                            if let Some(&f) = self.chars.peek() {
                                if ('\u{30}'..='\u{7E}').contains(&f) {
                                    self.chars.next();
                                }
                            }
                        }
                    }
                    _ => {}
                },
                '\u{9B}' => self.skip_csi(),
                '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => self.skip_string(),
                c if is_unsafe(c) => {}
                c => return Some(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_whole() {
        assert_eq!(clean_line("a\u{1b}[31;1mred\u{1b}[0m b"), "ared b");
        assert_eq!(clean_line("x\u{1b}]0;pwned\u{07}y"), "xy");
        assert_eq!(clean_line("x\u{1b}]52;c;aGVsbG8=\u{1b}\\y"), "xy");
        assert_eq!(clean_line("x\u{9b}2Jy\u{9d}0;t\u{9c}z"), "xyz");
        assert_eq!(clean_line("bell\u{07}\u{08}\u{7f}\u{85}!"), "bell!");
        assert_eq!(clean_line("\u{1b}Pq#0;2;0;0;0\u{1b}\\ok"), "ok");
        assert_eq!(clean_line("esc at end\u{1b}"), "esc at end");
    }

    #[test]
    fn strips_bidi_overrides_but_keeps_joiners() {
        assert_eq!(clean_line("abc\u{202E}fed\u{202C}\u{2066}x\u{2069}"), "abcfedx");
        let family = "👩\u{200D}💻 क्षत्रिय";
        assert_eq!(clean_line(family), family);
    }

    #[test]
    fn line_folds_whitespace_body_keeps_lines() {
        assert_eq!(clean_line("  a\n\tb   c  "), "a b c");
        assert_eq!(clean_body("a\r\nb\rc\td\u{1b}[2J"), "a\nb\nc\td");
        assert_eq!(
            clean_body("unterminated \u{1b}]0;title\nnext line"),
            "unterminated \nnext line"
        );
    }

    #[test]
    fn fast_paths_agree_with_the_slow_path() {
        for s in [
            "plain words",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "nl\nx",
            "नमस्ते दुनिया",
            "a\u{00a0}b",
            "x\u{85}y",
            "e\u{1b}[1m",
            "bidi\u{202e}x",
            "",
            "é",
            "a\u{3000}b",
            "\n\n  x  \t y \n",
            " हिन्दी\u{2003} \u{00a0}समाचार\n",
            "\u{1680}",
            "c1\u{9b}2J",
            "\u{80}",
            "\u{9f}",
            "\u{a0}\u{bf}",
            "iso\u{2069}late",
            "\u{2066}",
            "\u{202a}",
            "\u{2029}\u{202f}\u{2065}\u{206a}\u{2000}",
            "trailing\u{e2}",
            "ok\u{7f}",
        ] {
            let slow = scrub_and_fold_line(s);
            assert_eq!(fold_line(s), slow, "{s:?}");
            assert_eq!(clean_line(s), slow, "{s:?}");
            assert_eq!(
                is_clean_body(s),
                s.chars().all(|c| !is_unsafe(c) || c == '\n' || c == '\t'),
                "{s:?}"
            );
        }
    }

    #[test]
    fn clean_check_matches() {
        assert!(is_clean_body("हिंदी\n\tok"));
        assert!(!is_clean_body("a\u{1b}b"));
        assert!(!is_clean_body("a\u{202E}b"));
    }
}
