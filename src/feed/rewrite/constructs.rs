//! Atom and Media RSS text constructs feed-rs refuses or misreads (unknown types, base64,
//! markup left unescaped in a title), rewritten to forms it reads.

use super::scan::{attributes, push_attributes, root_name, start_tag_len};

/// What feed-rs reads from an element's `type` (and Atom 0.3's `mode`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Construct {
    /// Atom `title`, `subtitle`, `summary`, `rights`: feed-rs knows only text, html and xhtml.
    AtomText,
    /// Atom `content`: also a media type, which means base64 unless textual or XML.
    AtomContent,
    /// `media:title`, `media:description`: only plain and html.
    MediaText,
    /// An RSS title, which has no type.
    RssTitle,
}

/// The new `type` (replacing `type` and `mode`) and the new text of an element.
#[derive(Debug, Default, PartialEq)]
struct Fix {
    kind: Option<&'static str>,
    inner: Option<String>,
}

/// Text constructs feed-rs refuses (which fails the whole document) or misreads: types it does
/// not know (`application/xhtml+xml`, `text/plain`, an empty type, `application/octet-stream`),
/// base64 text (Atom 0.3 `mode="base64"`, or Atom 1.0 with a non-text media type) decoded, and
/// markup a feed left unescaped in a title escaped, so the title reads as its text.
pub(super) fn fix_text_constructs(text: &str) -> Option<String> {
    let atom = root_name(text).is_some_and(|n| n == "feed" || n.ends_with(":feed"));
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(i) = text[pos..].find('<') {
        let start = pos + i;
        let rest = &text[start..];
        if let Some(skip) = ["<![CDATA[", "<!--"]
            .iter()
            .zip(["]]>", "-->"])
            .find(|(open, _)| rest.starts_with(**open))
            .map(|(_, close)| rest.find(close).map_or(rest.len(), |e| e + close.len()))
        {
            pos = start + skip;
            continue;
        }
        pos = start + 1;
        let name_len = rest[1..]
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')))
            .unwrap_or(rest.len() - 1);
        let name = &rest[1..1 + name_len];
        let (prefix, local) = name.rsplit_once(':').unwrap_or(("", name));
        let construct = match (prefix, local) {
            ("" | "atom", "title" | "subtitle" | "summary" | "rights") if atom => Construct::AtomText,
            ("" | "atom", "content") if atom => Construct::AtomContent,
            ("media", "title" | "description") => Construct::MediaText,
            ("", "title") if !atom => Construct::RssTitle,
            _ => continue,
        };
        let Some(tag_len) = start_tag_len(rest) else { break };
        if rest[..tag_len].ends_with("/>") {
            pos = start + tag_len;
            continue;
        }
        let attrs = attributes(&rest[1 + name_len..tag_len - 1]);
        let close = format!("</{name}>");
        let Some(inner_len) = rest[tag_len..].find(&close) else {
            continue;
        };
        let inner = &rest[tag_len..tag_len + inner_len];
        let end = start + tag_len + inner_len + close.len();
        let fix = fix_construct(construct, &attrs, inner);
        if fix != Fix::default() {
            out.push_str(&text[copied..start]);
            out.push('<');
            out.push_str(name);
            match fix.kind {
                Some(kind) => {
                    push_attributes(&mut out, attrs.iter().filter(|(n, _)| !matches!(*n, "type" | "mode")));
                    out.push_str(&format!(" type=\"{kind}\""));
                }
                None => push_attributes(&mut out, attrs.iter()),
            }
            out.push('>');
            out.push_str(fix.inner.as_deref().unwrap_or(inner));
            out.push_str(&close);
            copied = end;
        }
        pos = end;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn fix_construct(construct: Construct, attrs: &[(&str, &str)], inner: &str) -> Fix {
    let value = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim().to_ascii_lowercase())
    };
    let kind = value("type");
    let escaped_markup = || Fix {
        kind: Some("html"),
        inner: Some(escape_text(inner)),
    };
    match construct {
        Construct::RssTitle => {
            if has_markup(inner) {
                Fix {
                    kind: None,
                    inner: Some(escape_text(inner)),
                }
            } else {
                Fix::default()
            }
        }
        Construct::MediaText => match kind.as_deref() {
            None | Some("plain" | "html") => Fix::default(),
            Some("text/html" | "xhtml" | "application/xhtml+xml") => Fix {
                kind: Some("html"),
                inner: None,
            },
            Some(_) => Fix {
                kind: Some("plain"),
                inner: None,
            },
        },
        Construct::AtomText | Construct::AtomContent => {
            if construct == Construct::AtomContent && value("src").is_some() {
                return Fix::default();
            }
            let kind = kind.as_deref().unwrap_or("text");
            let xml = kind.ends_with("+xml") || kind.ends_with("/xml");
            let textual = matches!(kind, "text" | "html" | "xhtml") || kind.starts_with("text/");
            let base64 = value("mode").as_deref() == Some("base64") || (!textual && !xml && !kind.is_empty());
            if base64 {
                if let Some(decoded) = decode_base64(inner) {
                    return Fix {
                        kind: Some(if matches!(kind, "html" | "text/html") {
                            "html"
                        } else {
                            "text"
                        }),
                        inner: Some(escape_text(&decoded)),
                    };
                }
            }
            let new_kind = match kind {
                "text" | "html" | "xhtml" | "text/html" => None,
                _ if xml => Some("xhtml"),
                _ if construct == Construct::AtomContent && textual => None,
                _ => Some("text"),
            };
            let effective = new_kind.unwrap_or(kind);
            if construct == Construct::AtomText
                && matches!(effective, "text" | "html" | "text/html")
                && has_markup(inner)
            {
                return escaped_markup();
            }
            Fix {
                kind: new_kind,
                inner: None,
            }
        }
    }
}

/// Markup inside text that should hold none (not counting a CDATA section, which is text).
fn has_markup(inner: &str) -> bool {
    inner.contains('<') && !inner.contains("<![CDATA[")
}

/// Text as XML character data.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Base64 text that decodes to UTF-8; None for anything else (plain words are left alone).
fn decode_base64(text: &str) -> Option<String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(4) {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut bytes = Vec::with_capacity(digits.len() / 4 * 3);
    let last = digits.len() / 4 - 1;
    for (n, quad) in digits.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || (pad > 0 && n != last) {
            return None;
        }
        let mut acc = 0u32;
        for &b in &quad[..4 - pad] {
            acc = acc << 6 | value(b)?;
        }
        acc <<= 6 * pad as u32;
        bytes.extend_from_slice(&acc.to_be_bytes()[1..4 - pad]);
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_only_what_is_base64_utf8() {
        assert_eq!(decode_base64("SGVs\nbG8="), Some("Hello".into()));
        assert_eq!(decode_base64("4KS54KS/4KSC4KSm4KWA"), Some("हिंदी".into()));
        assert_eq!(decode_base64("Octet title"), None);
        assert_eq!(decode_base64("abcd"), None, "three bytes that are not UTF-8");
        assert_eq!(decode_base64("ab=c"), None);
    }

    #[test]
    fn cdata_and_comments_are_not_rewritten() {
        let doc = "<rss><channel><item><description><![CDATA[<title>a <b>b</b></title>]]></description>\
                   <!-- <title>x <i>y</i></title> --><title>T</title></item></channel></rss>";
        assert_eq!(fix_text_constructs(doc), None);
    }
}
