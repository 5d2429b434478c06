//! HTML to plain text without a DOM: the fast tag stripper behind titles and the search index.
//! (Articles are rendered by `rich`.)

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
}
