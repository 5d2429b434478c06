//! Microsoft's Channel Definition Format (`<CHANNEL HREF=…><ITEM HREF=…><TITLE>`, 1997) as the
//! RSS 2.0 it amounts to: its channels' items in one channel, `HREF` as links, `ABSTRACT` as text.

use super::scan::{attributes, root_name, start_tag_len};

/// The CDF document as RSS 2.0; None when the document is no CDF.
pub(super) fn cdf_as_rss(text: &str) -> Option<String> {
    // CDF's root: `CHANNEL` in capitals, or a `channel` with an `HREF` (an RSS channel without
    // its `rss` element keeps its own elements, and is left to the parser).
    let root = root_name(text)?;
    if !root.eq_ignore_ascii_case("channel") {
        return None;
    }
    let at = text.find(&format!("<{root}"))?;
    let tag = &text[at..at + start_tag_len(&text[at..])?];
    let has_href = attributes(&tag[root.len() + 1..])
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("href"));
    if root != "CHANNEL" && !has_href {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = &text[text.find('<')?..];
    // The prolog (`<?xml …?>`) stays; the rest is read tag by tag.
    if let Some(root) = find_ci(rest, "<channel") {
        out.push_str(&rest[..root]);
        rest = &rest[root..];
    }
    let mut depth = 0usize;
    let mut in_item = false;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") || rest.starts_with("<![CDATA[") {
            let end = if rest.starts_with("<!--") { "-->" } else { "]]>" };
            let stop = rest.find(end).map_or(rest.len(), |i| i + end.len());
            out.push_str(&rest[..stop]);
            rest = &rest[stop..];
            continue;
        }
        let len = start_tag_len(rest).unwrap_or(rest.len());
        let tag = &rest[..len];
        rest = &rest[len..];
        let closing = tag.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name_end = tag[name_start..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(tag.len(), |i| i + name_start);
        let name = tag[name_start..name_end].to_ascii_lowercase();
        let attr = |wanted: &str| {
            attributes(&tag[name_end..])
                .into_iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.to_string())
        };
        let href = || attr("href");
        match (name.as_str(), closing) {
            // Nested channels are folded into the first: their items are its items.
            ("channel", false) => {
                depth += 1;
                if depth == 1 {
                    out.push_str("<rss version=\"2.0\"><channel>");
                    if let Some(h) = href() {
                        out.push_str(&format!("<link>{h}</link>"));
                    }
                }
            }
            ("channel", true) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push_str("</channel></rss>");
                }
            }
            ("item", false) => {
                in_item = true;
                out.push_str("<item>");
                if let Some(h) = href() {
                    out.push_str(&format!("<link>{h}</link><guid isPermaLink=\"false\">{h}</guid>"));
                }
                if let Some(modified) = attr("lastmod") {
                    out.push_str(&format!("<pubDate>{modified}</pubDate>"));
                }
            }
            ("item", true) => {
                in_item = false;
                out.push_str("</item>");
            }
            // A nested channel's own title and abstract would replace the first's.
            ("title" | "abstract", _) if in_item || depth == 1 => {
                let as_rss = if name == "title" { "title" } else { "description" };
                out.push_str(&format!("<{}{as_rss}>", if closing { "/" } else { "" }));
            }
            // LOGO, SCHEDULE, USAGE… have no RSS counterpart.
            _ => {}
        }
    }
    Some(out)
}

fn find_ci(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cdf_channel_reads_as_rss() {
        let cdf = "<?xml version=\"1.0\"?><CHANNEL HREF=\"http://e.org/\"><TITLE>CDF</TITLE><LOGO HREF=\"l.gif\" STYLE=\"IMAGE\"/>\
                   <ITEM HREF=\"http://e.org/a\" LASTMOD=\"1998-11-05T22:12\"><TITLE>First</TITLE><ABSTRACT>One</ABSTRACT></ITEM>\
                   <CHANNEL HREF=\"http://e.org/sub\"><TITLE>Sub</TITLE><ITEM HREF=\"http://e.org/b\"><TITLE>Second</TITLE></ITEM></CHANNEL></CHANNEL>";
        let rss = cdf_as_rss(cdf).unwrap();
        assert!(
            rss.starts_with(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><link>http://e.org/</link><title>CDF</title>"
            ),
            "{rss}"
        );
        assert!(rss.contains("<item><link>http://e.org/a</link>"), "{rss}");
        assert!(rss.contains("<pubDate>1998-11-05T22:12</pubDate>"), "{rss}");
        assert!(rss.ends_with("</item></channel></rss>"), "{rss}");
        assert_eq!(cdf_as_rss("<rss><channel/></rss>"), None);
        assert_eq!(
            cdf_as_rss("<channel><title>t</title><link>http://e.org/</link></channel>"),
            None
        );
    }
}
