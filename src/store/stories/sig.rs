//! An article's words as story grouping compares them: the search index's tokens of its title
//! and first paragraphs (character pairs in scripts written without spaces), hashed, as a BLOB.

use super::super::words::fold;

/// Words of the body read after the title: the lede, where a report says what happened.
const LEDE_WORDS: usize = 60;
/// Title words kept (a title longer than this is a paragraph).
const TITLE_WORDS: usize = 40;

/// An article's words, each a hash, sorted and without repeats; a word in both is a title word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    pub title: Vec<u32>,
    pub lede: Vec<u32>,
}

impl Signature {
    /// From the article's title, its body as text, and the words of its feed's name (left out:
    /// "- Reuters" under every Reuters headline says nothing about the story).
    pub fn new(title: &str, body_text: &str, feed_name: &str) -> Signature {
        let noise = words(feed_name, usize::MAX);
        let keep = |mut w: Vec<u32>| {
            w.retain(|h| noise.binary_search(h).is_err());
            w
        };
        let title = keep(words(title, TITLE_WORDS));
        let mut lede = keep(words(body_text, LEDE_WORDS));
        lede.retain(|h| title.binary_search(h).is_err());
        Signature { title, lede }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_empty() && self.lede.is_empty()
    }

    /// Every word, title words first.
    pub fn all(&self) -> impl Iterator<Item = (u32, bool)> + '_ {
        self.title
            .iter()
            .map(|&w| (w, true))
            .chain(self.lede.iter().map(|&w| (w, false)))
    }

    /// As stored: the number of title words (u16), then every word (u32), little-endian.
    pub fn to_blob(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 4 * (self.title.len() + self.lede.len()));
        out.extend_from_slice(&(self.title.len() as u16).to_le_bytes());
        for w in self.title.iter().chain(&self.lede) {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// A stored signature; anything malformed reads as no words.
    pub fn from_blob(blob: &[u8]) -> Signature {
        let Some((head, rest)) = blob.split_first_chunk::<2>() else {
            return Signature::default();
        };
        let n_title = u16::from_le_bytes(*head) as usize;
        if rest.len() % 4 != 0 || rest.len() / 4 < n_title {
            return Signature::default();
        }
        let all: Vec<u32> = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Signature {
            title: all[..n_title].to_vec(),
            lede: all[n_title..].to_vec(),
        }
    }
}

/// A function word's hashes, as a text's words are hashed (for `stop.rs`).
pub(super) fn word_hashes(word: &str) -> Vec<u32> {
    words_but(word, usize::MAX, &super::FastSet::default())
}

/// Bytes of text read per word wanted: long words in a script of three-byte characters, and
/// the spaces and marks between them, with room to spare.
const PREFIX_BYTES_PER_WORD: usize = 40;

/// The text's first `max` bytes, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The first `max` words of a text, hashed, sorted, without repeats or function words.
fn words(text: &str, max: usize) -> Vec<u32> {
    words_but(text, max, super::stop::words())
}

/// The first `max` words of a text, hashed, sorted, without repeats. A token in a script written
/// without spaces (Chinese, Japanese, Thai, ...) is one long run to the tokenizer: its pairs of
/// characters are its words, as CJK search engines index them.
fn words_but(text: &str, max: usize, stop: &super::FastSet) -> Vec<u32> {
    // Only the start is read: a long body folded whole would cost more than all the rest.
    let folded = fold(prefix(text, max.saturating_mul(PREFIX_BYTES_PER_WORD)));
    let mut out = Vec::new();
    for token in folded.split(|&b| b == b' ').filter(|t| !t.is_empty()).take(max) {
        let Ok(token) = std::str::from_utf8(token) else {
            continue;
        };
        if token.len() == 1 {
            continue; // "a", "s" of "it's", single digits
        }
        if token.chars().any(unspaced) {
            let chars: Vec<char> = token.chars().collect();
            if chars.len() == 1 {
                out.push(hash(token.as_bytes()));
            }
            for pair in chars.windows(2) {
                let mut buf = [0u8; 8];
                let a = pair[0].encode_utf8(&mut buf).len();
                let b = pair[1].encode_utf8(&mut buf[a..]).len();
                out.push(hash(&buf[..a + b]));
            }
        } else {
            out.push(hash(token.as_bytes()));
        }
    }
    out.retain(|h| !stop.contains(h));
    out.sort_unstable();
    out.dedup();
    out
}

/// A character of a script written without spaces between words.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B and on
}

/// FNV-1a: fast, stable across versions and machines (signatures are stored).
fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_search_indexs_tokens_folded() {
        let a = Signature::new("Café Owner WINS", "", "");
        let b = Signature::new("cafe owner wins!", "", "");
        assert_eq!(a, b);
        assert_eq!(a.title.len(), 3);
    }

    #[test]
    fn the_feeds_own_name_is_left_out_and_title_words_are_not_lede_words() {
        let s = Signature::new(
            "Floods close the port - Reuters",
            "The port closed after floods.",
            "Reuters",
        );
        let plain = Signature::new("Floods close the port", "", "");
        assert_eq!(s.title, plain.title);
        // "The" and "after" are function words; "floods" and "port" are the title's.
        assert_eq!(s.lede, Signature::new("closed", "", "").title);
    }

    #[test]
    fn scripts_without_spaces_are_read_as_pairs_of_characters() {
        let a = Signature::new("东京奥运会开幕", "", "");
        let b = Signature::new("奥运会在东京开幕", "", "");
        let shared = a.title.iter().filter(|w| b.title.binary_search(w).is_ok()).count();
        // 东京, 奥运, 运会, 开幕
        assert_eq!(shared, 4, "{a:?} {b:?}");
        // Hindi is written with spaces: its words, "में" (a function word) left out.
        let hindi = Signature::new("दिल्ली में भारी बारिश", "", "");
        assert_eq!(hindi.title.len(), 3);
    }

    #[test]
    fn a_signature_survives_its_blob_and_a_broken_blob_is_empty() {
        let s = Signature::new("One two three", "four five six seven", "");
        assert_eq!(Signature::from_blob(&s.to_blob()), s);
        assert!(Signature::from_blob(&[1]).is_empty());
        assert!(Signature::from_blob(&[9, 0, 1, 2, 3, 4]).is_empty());
    }
}
