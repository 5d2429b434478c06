//! Finding the feed behind an HTML page from its `<link rel="alternate" type="...">` tags, and
//! telling an HTML page from a feed that failed to parse.

use url::Url;

const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "text/xml",
    "application/xml",
];

/// True when the body is an HTML page rather than a feed.
pub fn looks_like_html(text: &str, content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("text/html")) {
        return true;
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head")
}

/// The first feed link on the page, resolved against the page URL. Only http(s) results.
pub fn find_feed_link(html: &str, page: &Url) -> Option<Url> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    // Scanning the lowercased copy keeps byte offsets equal to the original's.
    while let Some(i) = lower[from..].find("<link") {
        let start = from + i;
        let end = start + lower[start..].find('>')?;
        from = end;
        let tag = &html[start + 5..end];
        let attr = |name: &str| crate::text::html::attribute(tag, name);
        let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
        let ty = attr("type").unwrap_or_default().to_ascii_lowercase();
        if !rel.split_whitespace().any(|r| r == "alternate") || !FEED_TYPES.contains(&ty.trim()) {
            continue;
        }
        let href = html_escape::decode_html_entities(&attr("href")?).trim().to_string();
        if let Ok(url) = page.join(&href) {
            if matches!(url.scheme(), "http" | "https") {
                return Some(url);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_alternate_feed_links() {
        let page = Url::parse("http://example.org/blog/post.html").unwrap();
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/atom+xml" HREF="../feed.atom?a=1&amp;b=2">
            </head></html>"#;
        assert!(looks_like_html(html, None));
        assert_eq!(
            find_feed_link(html, &page).unwrap().as_str(),
            "http://example.org/feed.atom?a=1&b=2"
        );
        let none = r#"<html><head><link rel=alternate type="text/html" href="/x"></head>"#;
        assert_eq!(find_feed_link(none, &page), None);
        let js = r#"<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">"#;
        assert_eq!(find_feed_link(js, &page), None);
    }
}
