//! Links and images as numbered references: an image outside any link becomes a link to
//! itself (so `o` opens it), and html2text's marks ("text[n]") and footnotes are read back.

/// Every image not already inside a link becomes a link to itself, so it gets a number like
/// a link and `o` opens it (an image repeated at once is linked once); an image without alt
/// text gets alt="image", so it shows as "[image]" instead of vanishing.
pub(super) fn link_images(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains("<img") && !html.contains("<IMG") {
        return std::borrow::Cow::Borrowed(html);
    }
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
                let Some(src) = crate::text::html::attribute(tag, "src").filter(|s| {
                    let s = s.trim();
                    !s.is_empty() && !s.starts_with("data:") && !s.contains('"')
                }) else {
                    continue;
                };
                // html2text drops an image without alt text: it is a picture all the same.
                let has_alt = crate::text::html::attribute(tag, "alt").is_some_and(|a| !a.trim().is_empty());
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
