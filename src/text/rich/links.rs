//! Links and images as numbered references: an image outside any link becomes a link to
//! itself (so `o` opens it), and html2text's marks ("text[n]") and footnotes are read back.

use crate::text::html::{attribute, comparable, to_plain};

/// Shortest alt text taken as said again when the body holds it: a short one ("The chart")
/// turns up inside sentences that are not its caption.
const SAID_ALT_MIN_CHARS: usize = 20;

/// How far around an image its alt text is looked for (bytes of HTML each side): a caption
/// sits next to its picture, and a story's headline next to its lead picture.
const SAID_ALT_WINDOW: usize = 4096;

/// Alts looked for, at most, per rendering: a hostile feed can carry thousands of images.
const SAID_ALT_MAX_CHECKS: usize = 256;

/// Every image not already inside a link becomes a link to itself, so it gets a number like
/// a link and `o` opens it (an image repeated at once is linked once); an image without alt
/// text, or whose alt the text around it already says (a caption, the headline), gets
/// alt="image", so it shows as "[image]": neither vanishing nor saying the same words twice.
pub(super) fn link_images(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains("<img") && !html.contains("<IMG") {
        return std::borrow::Cow::Borrowed(html);
    }
    let checks_left = std::cell::Cell::new(SAID_ALT_MAX_CHECKS);
    let said_nearby = |alt: &str, at: std::ops::Range<usize>| {
        let alt = comparable(alt);
        if alt.chars().count() < SAID_ALT_MIN_CHARS || checks_left.get() == 0 {
            return false;
        }
        checks_left.set(checks_left.get() - 1);
        let mut from = at.start.saturating_sub(SAID_ALT_WINDOW);
        while !html.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at.end + SAID_ALT_WINDOW).min(html.len());
        while !html.is_char_boundary(to) {
            to += 1;
        }
        // A window that starts inside a tag starts after it: an attribute is not text.
        if from > 0 {
            from = html[from..at.start].find('>').map_or(at.start, |i| from + i + 1);
        }
        let near = format!(" {} ", comparable(&to_plain(&html[from..to])));
        near.contains(&format!(" {alt} "))
    };
    let mut out = String::with_capacity(html.len() + 256);
    let (mut copied, mut pos, mut in_link, mut last_src) = (0, 0, 0usize, String::new());
    while let Some(i) = html[pos..].find('<') {
        let start = pos + i;
        let Some(len) = html[start..].find('>').map(|e| e + 1) else {
            break;
        };
        let tag = &html[start..start + len];
        pos = start + len;
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "a" => in_link += 1,
            "/a" => in_link = in_link.saturating_sub(1),
            "img" => {
                let Some(src) = attribute(tag, "src").filter(|s| {
                    let s = s.trim();
                    !s.is_empty() && !s.starts_with("data:") && !s.contains('"')
                }) else {
                    continue;
                };
                // html2text drops an image without alt text: it is a picture all the same.
                let alt = attribute(tag, "alt").map(|a| html_escape::decode_html_entities(&a).into_owned());
                let has_alt = alt.is_some_and(|a| !a.trim().is_empty() && !said_nearby(&a, start..pos));
                // The first of two alt attributes is the one HTML reads.
                let tag = if has_alt {
                    tag.to_string()
                } else {
                    format!("<img alt=\"image\"{}", &tag[4..])
                };
                out.push_str(&html[copied..start]);
                copied = pos;
                if in_link > 0 || src == last_src {
                    out.push_str(&tag);
                    continue;
                }
                out.push_str(&format!("<a href=\"{}\">{tag}</a>", src.trim()));
                last_src = src;
            }
            _ => {}
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Spaces that end a link's text moved after its `</a>`: html2text puts a link's mark where
/// the link ends, so `<a>Florida Man </a>will` would read "Florida Man [3]will".
pub(super) fn spaces_after_links(html: &str) -> std::borrow::Cow<'_, str> {
    static SPACE_THEN_END: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)([ \t\r\n]+)(</a\s*>)").expect("a valid pattern"));
    SPACE_THEN_END.replace_all(html, "$2$1")
}

/// The number of a link mark ("[3]") at the start of a text.
pub(super) fn link_mark(text: &str) -> Option<usize> {
    let rest = text.trim_start().strip_prefix('[')?;
    let end = rest.find(']')?;
    rest[..end].parse().ok().filter(|n| *n > 0)
}

/// A footnote line "[n]: url".
pub(super) fn footnote(line: &str) -> Option<(usize, String)> {
    let n = link_mark(line)?;
    let url = line.trim_start().split_once("]: ")?.1.trim();
    Some((n, url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::render;

    #[test]
    fn a_link_mark_sits_against_the_link_text_and_the_space_stays_after_it() {
        let html = "<p>Of course <a href=\"https://a.example/fm\">Florida Man </a>will <a href=\"https://a.example/x\">\n  act\n</a>now.</p>";
        let text = render(html, 100).to_text();
        assert!(text.contains("Of course Florida Man[1] will act[2] now."), "{text}");
    }

    #[test]
    fn an_alt_the_body_already_says_shows_as_a_bare_image() {
        let html = r#"<figure><img src="a.png" alt="Police outside the &quot;Grand&quot; hotel"><figcaption>Police outside the "Grand" hotel on Monday.</figcaption></figure>
            <p><img src="b.png" alt="A map of the route north"> The route ran north.</p>
            <p><img src="c.png" alt="The chart"> Before the chart, after the chart.</p>"#;
        let text = render(html, 100).to_text();
        assert!(
            text.starts_with("[image][1]") && text.contains("Police outside the \"Grand\" hotel on Monday."),
            "{text}"
        );
        assert!(text.contains("[image: A map of the route north][2]"), "{text}");
        // A short alt turns up inside sentences that are not its caption.
        assert!(text.contains("[image: The chart][3]"), "{text}");
        let html = r#"<p><img src="c.png" alt="The harbour at dawn, from the hill"> The harbour at dawnlight, from the hill.</p>"#;
        assert!(
            render(html, 100)
                .to_text()
                .contains("[image: The harbour at dawn, from the hill]"),
            "whole words only"
        );
    }
}
