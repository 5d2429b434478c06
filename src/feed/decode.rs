//! Bytes to UTF-8 before feed-rs sees them: UTF-32, then the BOM, then the HTTP charset, then
//! the XML declaration, then UTF-16 sniffing, else UTF-8, or a detected legacy encoding when the
//! bytes are not UTF-8. Invalid sequences become U+FFFD.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// The charset parameter of a Content-Type header value.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Decodes a document to UTF-8 text, and rewrites its XML declaration to say so, so the
/// parser does not decode it a second time.
pub fn decode(bytes: &[u8], header_charset: Option<&str>) -> String {
    let text = match decode_utf32(bytes) {
        Some(text) => std::borrow::Cow::Owned(text),
        None => pick_encoding(bytes, header_charset).decode(bytes).0,
    };
    rewrite_declaration(text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']))
}

/// UTF-32 (which encoding_rs does not read), known by its BOM or by a `<` in four bytes.
fn decode_utf32(bytes: &[u8]) -> Option<String> {
    let (big_endian, body) = match bytes {
        [0, 0, 0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, 0, 0, rest @ ..] => (false, rest),
        [0, 0, 0, b'<', ..] => (true, bytes),
        [b'<', 0, 0, 0, ..] => (false, bytes),
        _ => return None,
    };
    let chunks = body.chunks(4);
    let mut text = String::with_capacity(body.len() / 4);
    for chunk in chunks {
        let unit = <[u8; 4]>::try_from(chunk).ok().map(|b| {
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        });
        text.push(unit.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
    }
    Some(text)
}

/// UTF-8, or UTF-8 with a few stray bytes (a feed pasted together from two sources): reading
/// those as a legacy encoding would garble every other non-ASCII character.
fn mostly_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    invalid == 0 || invalid * 4 < valid
}

/// Bytes that declare no encoding and are not UTF-8: chardetng's guess (Firefox's detector),
/// which tells Big5, EUC-JP, EUC-KR, GBK, KOI8-R, Shift_JIS and the single-byte encodings apart.
fn detect_legacy(bytes: &[u8]) -> &'static Encoding {
    if mostly_utf8(bytes) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // Enough text to decide; a whole large feed would cost more than it tells.
    const SAMPLE: usize = 256 * 1024;
    detector.feed(&bytes[..bytes.len().min(SAMPLE)], bytes.len() <= SAMPLE);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

fn pick_encoding(bytes: &[u8], header_charset: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    let sniffed_utf16 = match bytes {
        [0, b'<', ..] => Some(UTF_16BE),
        [b'<', 0, ..] => Some(UTF_16LE),
        _ => None,
    };
    if let Some(enc) = header_charset.and_then(|c| Encoding::for_label(c.as_bytes())) {
        // A header claiming UTF-16 over an ASCII-looking body (or the reverse) is a lie.
        let header_is_16 = enc == UTF_16BE || enc == UTF_16LE;
        if header_is_16 == sniffed_utf16.is_some() {
            return sniffed_utf16.unwrap_or(enc);
        }
    }
    if let Some(enc) = sniffed_utf16 {
        return enc;
    }
    declared_encoding(bytes)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        // A declaration of UTF-16 in a body that is not UTF-16 is wrong: read it as UTF-8.
        .filter(|e| *e != UTF_16BE && *e != UTF_16LE)
        .unwrap_or_else(|| detect_legacy(bytes))
}

/// Decodes a web page to UTF-8: BOM, then the HTTP charset, then `<meta charset>` (or
/// `http-equiv` content), else UTF-8 or the detected legacy encoding. Invalid sequences become U+FFFD.
pub fn decode_html(bytes: &[u8], header_charset: Option<&str>) -> String {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| header_charset.and_then(|c| Encoding::for_label(c.as_bytes())))
        .or_else(|| meta_charset(bytes).and_then(|c| Encoding::for_label(c.as_bytes())))
        .unwrap_or_else(|| detect_legacy(bytes));
    encoding.decode(bytes).0.into_owned()
}

/// The charset a page's `<meta>` declares in its first 2 KiB.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = head[from..].find("<meta") {
        let start = from + i;
        let end = start + head[start..].find('>')?;
        from = end;
        let tag = &head[start..end];
        if let Some(at) = tag.find("charset=") {
            let value: String = tag[at + 8..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    None
}

/// The encoding named in `<?xml ... encoding="..."?>`, read as ASCII.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

fn rewrite_declaration(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("<?xml") {
        if let Some(end) = rest.find("?>") {
            return format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", &rest[end + 2..]);
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_charset() {
        assert_eq!(charset_of("text/xml; charset=\"windows-1251\""), Some("windows-1251"));
        assert_eq!(charset_of("application/rss+xml"), None);
    }

    #[test]
    fn pages_by_meta_charset() {
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Новости");
        let mut page =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>"
                .to_vec();
        page.extend_from_slice(&cp1251);
        assert!(decode_html(&page, None).contains("Новости"));
        let mut page = b"<meta charset='windows-1251'>".to_vec();
        page.extend_from_slice(&cp1251);
        assert!(decode_html(&page, None).ends_with("Новости"));
        assert!(decode_html("<p>हिंदी</p>".as_bytes(), None).contains("हिंदी"));
    }

    #[test]
    fn decodes_by_declaration_header_and_bom() {
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Привет");
        let mut doc = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><t>".to_vec();
        doc.extend_from_slice(&cp1251);
        doc.extend_from_slice(b"</t>");
        assert_eq!(
            decode(&doc, None),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Привет</t>"
        );
        // The header wins over the declaration.
        let latin1 = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>caf\xe9</t>";
        assert!(decode(latin1, Some("iso-8859-1")).contains("café"));
        // Invalid UTF-8 is replaced, the rest kept.
        assert!(decode(latin1, None).contains("caf\u{FFFD}</t>"));
        // UTF-16 with a BOM, whatever the header says.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "<?xml version=\"1.0\" encoding=\"utf-16\"?><t>हिंदी</t>".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert!(decode(&utf16, Some("utf-8")).ends_with("encoding=\"UTF-8\"?><t>हिंदी</t>"));
        // Shift_JIS by declaration.
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("新しい");
        let mut doc = b"<?xml version='1.0' encoding='Shift_JIS'?><t>".to_vec();
        doc.extend_from_slice(&sjis);
        assert!(decode(&doc, None).ends_with("<t>新しい"));
    }
}
