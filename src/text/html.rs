//! HTML to plain text without a DOM: the fast tag stripper behind titles and the search index.
//! (Articles are rendered by `rich`.)

use super::sanitize;

/// Plain text of an HTML fragment: tags removed (script/style/comments with their contents),
/// entities decoded, whitespace collapsed. Cheap: no DOM is built.
pub fn to_plain(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return sanitize::clean_line(html);
    }
    sanitize::clean_line(&text_of(html))
}

/// The text of an HTML fragment for the search index: as `to_plain`, but whitespace is left as
/// it is (the index's tokenizer splits on any of it, so folding it would only cost a copy).
pub fn to_index_text(html: &str) -> String {
    let text = if html.contains(['<', '&']) {
        std::borrow::Cow::Owned(text_of(html))
    } else {
        std::borrow::Cow::Borrowed(html)
    };
    if sanitize::is_clean_body(&text) {
        text.into_owned()
    } else {
        sanitize::clean_body(&text)
    }
}

/// Tags (script and style with their contents) and comments removed, entities decoded.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map(|i| &after[i + 3..]).unwrap_or("");
            continue;
        }
        let name_end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '!'))
            .map(|i| i + 1)
            .unwrap_or(rest.len());
        let name = &rest[1..name_end];
        if name.is_empty() {
            // A lone '<' is text.
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            rest = "";
            break;
        };
        rest = &rest[gt + 1..];
        let raw_text = name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style");
        if raw_text {
            let close = format!("</{}", name.to_ascii_lowercase());
            rest = find_ascii_ci(rest, &close)
                .map(|i| {
                    let tail = &rest[i..];
                    tail.find('>').map(|g| &tail[g + 1..]).unwrap_or("")
                })
                .unwrap_or("");
        }
        // Tags separate words ("a<br>b" is two words): a mark for now, a space below unless a
        // no-break space the author wrote stands beside it ("ité</i>&nbsp;x").
        out.push(TAG_GAP);
    }
    out.push_str(rest);
    if out.contains('&') {
        out = with_html4_angles(&out);
        if let std::borrow::Cow::Owned(decoded) = html_escape::decode_html_entities(&out) {
            out = decoded;
        }
    }
    tag_gaps_to_spaces(&out)
}

/// Where a tag that starts `tag` ends: its `>` outside quoted attribute values (an `alt` may
/// hold one), else its first `>` when the quotes never close.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    tag.find('>')
}

/// `&lang;` and `&rang;` as HTML 4 defined them (U+2329, U+232A), which feeds written for it
/// mean; HTML 5 moved them to the mathematical brackets U+27E8 and U+27E9.
pub fn html4_entity(name: &str) -> Option<char> {
    match name {
        "lang" => Some('\u{2329}'),
        "rang" => Some('\u{232A}'),
        _ => None,
    }
}

fn with_html4_angles(text: &str) -> String {
    if !text.contains("&lang;") && !text.contains("&rang;") {
        return text.to_string();
    }
    text.replace("&lang;", "\u{2329}").replace("&rang;", "\u{232A}")
}

/// Where a tag was, in `text_of`'s work (a private-use character: nothing a feed means).
const TAG_GAP: char = '\u{E000}';

/// Each tag's gap as a space, but none beside whitespace (a no-break or typographic space
/// included), which separates the words already.
fn tag_gaps_to_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(TAG_GAP) {
        out.push_str(&rest[..at]);
        rest = rest[at..].trim_start_matches(TAG_GAP);
        let before = out.chars().next_back().is_some_and(char::is_whitespace);
        if !before && !rest.starts_with(char::is_whitespace) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

/// Words and spaces only, lower case: how a headline, a lede or an image's alt text is
/// recognised inside other text.
pub fn comparable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || is_mark(c) {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Combining marks (the vowel signs of Devanagari and other scripts) belong to their word.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0900}'..='\u{0DFF}' | '\u{1AB0}'..='\u{1AFF}' | '\u{200C}' | '\u{200D}')
}

/// Where `needle` (ASCII) first occurs in `haystack`, ignoring ASCII case; no copy is made.
pub fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack
        .as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Deepest element nesting kept: html5ever's parse time grows with the square of the depth
/// (20,000 nested elements took over a second), and no real article nests this deep.
pub const MAX_DEPTH: usize = 200;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];

/// The HTML with tags nested deeper than `max` removed (their text is kept). Borrowed, and
/// cheap, when nothing is that deep.
pub fn limit_depth(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if html.bytes().filter(|&b| b == b'<').count() <= max {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut depth = 0usize;
    let mut dropped = false;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        // Comments and declarations pass through untouched.
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |i| i + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let tag = &rest[..=gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with("</");
        let name: String = tag[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            out.push_str(tag);
            continue;
        }
        let opens = !closing && !tag.ends_with("/>") && !VOID.contains(&name.as_str());
        let deep = if opens {
            depth += 1;
            depth > max
        } else if closing {
            let deep = depth > max;
            depth = depth.saturating_sub(1);
            deep
        } else {
            // Void and self-closing elements do not nest: a <br> stays a line break.
            false
        };
        if deep {
            dropped = true;
        } else {
            out.push_str(tag);
        }
        // Raw text elements: their content is not markup.
        if opens && matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            let end = find_ascii_ci(rest, &close).unwrap_or(rest.len());
            if !deep {
                out.push_str(&rest[..end]);
            }
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    if dropped {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(html)
    }
}

/// The value of `name=` in a start tag (`<img src="…" …>`), quoted or bare, as written
/// (entities not decoded). A bare value ends at whitespace or `>`.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = tag[at + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=').filter(|_| before_ok) else {
            continue;
        };
        let rest = rest.trim_start();
        return Some(match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or("").to_string(),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_cut_and_text_kept() {
        let deep = format!("{}deep text{}", "<div>".repeat(1000), "</div>".repeat(1000));
        let cut = limit_depth(&deep, 10);
        assert_eq!(cut, format!("{}deep text{}", "<div>".repeat(10), "</div>".repeat(10)));
        let normal = "<p>a<br>b<img src=x/><script>if (a<b) {}</script></p>";
        assert!(matches!(limit_depth(normal, 2), std::borrow::Cow::Borrowed(_)));
        let mixed = format!("<p>{}x<br>y{}</p><p>after</p>", "<b>".repeat(5), "</b>".repeat(5));
        assert_eq!(limit_depth(&mixed, 3), "<p><b><b>x<br>y</b></b></p><p>after</p>");
    }

    #[test]
    fn plain_text_of_fragments() {
        // A `>` inside an attribute's quotes does not end the tag; ordinary spaces beside a
        // no-break space stay; `&lang;` is HTML 4's.
        assert_eq!(to_plain("A <img alt=\"dog>\" src=\"x\"> here"), "A here");
        assert_eq!(to_plain("testing &nbsp; entity"), "testing \u{a0} entity");
        assert_eq!(to_plain("&lang;x&rang;"), "\u{2329}x\u{232A}");
        assert_eq!(
            to_plain("<b>Bold</b> &amp; <i>it&eacute;</i>&nbsp;x&#8217;s&hellip;"),
            "Bold & ité\u{a0}x’s…"
        );
        assert_eq!(
            to_plain("a<script>alert(1)</script>b<style>p{}</STYLE>c<!-- hidden -->d"),
            "a b cd"
        );
        assert_eq!(to_plain("5 < 7 and 8 > 3"), "5 < 7 and 8 > 3");
        assert_eq!(to_plain("line<br/>two"), "line two");
    }

    #[test]
    fn attributes_quoted_bare_and_not_a_suffix() {
        let tag = r#"<img data-src="x" src='a b.png' alt=Bare title="q">"#;
        assert_eq!(attribute(tag, "src").as_deref(), Some("a b.png"));
        assert_eq!(attribute(tag, "alt").as_deref(), Some("Bare"));
        assert_eq!(attribute("<a href=/feed.xml>", "href").as_deref(), Some("/feed.xml"));
        assert_eq!(attribute("<a>", "href"), None);
    }
}
