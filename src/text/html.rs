//! HTML to text: a fast tag stripper for titles and the search index, and the html2text
//! rendering behind `khabar show` (and later the article pane).

use super::sanitize;

/// Plain text of an HTML fragment: tags removed (script/style/comments with their contents),
/// entities decoded, whitespace collapsed. Cheap: no DOM is built.
pub fn to_plain(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return sanitize::clean_line(html);
    }
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
        let name = rest[1..name_end].to_ascii_lowercase();
        if name.is_empty() {
            // A lone '<' is text.
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let Some(gt) = rest.find('>') else {
            rest = "";
            break;
        };
        rest = &rest[gt + 1..];
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = find_ascii_ci(rest, &close)
                .map(|i| {
                    let tail = &rest[i..];
                    tail.find('>').map(|g| &tail[g + 1..]).unwrap_or("")
                })
                .unwrap_or("");
        }
        // Tags separate words ("a<br>b" is two words); extra spaces are collapsed below.
        out.push(' ');
    }
    out.push_str(rest);
    sanitize::clean_line(&html_escape::decode_html_entities(&out))
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack
        .as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Renders an HTML body to plain text wrapped at `width` columns, links numbered with
/// references at the end. The output is sanitised again: entities such as `&#27;` decode to
/// controls only here, after ingestion.
pub fn render_plain(html: &str, width: usize) -> String {
    let width = width.max(10);
    let rendered = html2text::config::plain()
        .string_from_read(html.as_bytes(), width)
        .unwrap_or_else(|_| to_plain(html));
    let cleaned = sanitize::clean_body(&rendered);
    cleaned.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_fragments() {
        assert_eq!(
            to_plain("<b>Bold</b> &amp; <i>it&eacute;</i>&nbsp;x&#8217;s&hellip;"),
            "Bold & ité x’s…"
        );
        assert_eq!(
            to_plain("a<script>alert(1)</script>b<style>p{}</STYLE>c<!-- hidden -->d"),
            "a b cd"
        );
        assert_eq!(to_plain("5 < 7 and 8 > 3"), "5 < 7 and 8 > 3");
        assert_eq!(to_plain("line<br/>two"), "line two");
    }

    #[test]
    fn render_drops_script_and_style_and_escapes() {
        let out = render_plain(
            "<p>Hello <b>world</b></p><script>var secret=1;</script><style>.x{color:red}</style><p>&#27;[31mred</p>",
            40,
        );
        assert!(out.contains("Hello"), "{out}");
        assert!(!out.contains("secret") && !out.contains("color"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }

    #[test]
    fn render_wraps_to_width() {
        let words = "शब्द ".repeat(40);
        let out = render_plain(&format!("<p>{words}</p>"), 30);
        for line in out.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(line) <= 30, "{line}");
        }
    }
}
