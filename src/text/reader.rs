//! Reader mode: the main content of a web page (headline, summary, paragraphs, section headings)
//! without its boilerplate, via dom_smoothie (a port of Mozilla's Readability) after removing
//! ad slots and share/trending widgets that sit inside the story's own container.

use super::{html, sanitize};

/// Elements removed before extraction: ad slots, share bars, trending widgets. Readability
/// scoring keeps them when they sit inside the article body.
const BOILERPLATE: &str = r#"[class~="ad"], [class~="ads"], [class^="ad-"], [class*=" ad-"], [id^="div-gpt-ad"],
    [class*="advert"], [id*="advert"], [class*="sponsor"], ins.adsbygoogle,
    [class*="share-bar"], [class*="social-share"], [class*="sharing"],
    [class*="trending"], [id^="trending"], script, style, noscript, iframe, form"#;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ReaderError {
    #[error("no readable article found on the page ({0})")]
    NotReadable(String),
}

/// The page's main content as HTML (sanitised). `url` resolves relative links and images.
pub fn extract(page: &str, url: &str) -> Result<String, ReaderError> {
    let page = html::limit_depth(page, html::MAX_DEPTH);
    let doc = dom_query::Document::from(page.as_ref());
    doc.select(BOILERPLATE).remove();
    let mut readability = dom_smoothie::Readability::with_document(doc, Some(url), None)
        .map_err(|e| ReaderError::NotReadable(e.to_string()))?;
    let article = readability
        .parse()
        .map_err(|e| ReaderError::NotReadable(e.to_string()))?;
    let content = sanitize::clean_body(&article.content);
    if html::to_plain(&content).trim().is_empty() {
        return Err(ReaderError::NotReadable("it has no text".into()));
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_story_and_drops_ads_and_widgets() {
        let para = |n: u32| {
            format!("<p>Paragraph {n} of the story, long enough to read as real prose, with several clauses, commas, and a full stop at the end of it.</p>")
        };
        let page = format!(
            r##"<html><head><title>Story</title></head><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article class="story"><h1>The headline</h1>{}<div class="ad-slot in-story"><span>Advertisement</span></div>
            {}<div class="share-bar"><a href="#">Share on X</a></div>{}</article>
            <aside class="trending-now"><h3>Trending now</h3><a href="/x">Other story</a></aside>
            <footer>All rights reserved</footer></body></html>"##,
            para(1),
            para(2),
            para(3)
        );
        let out = extract(&page, "http://example.org/story").unwrap();
        let text = html::to_plain(&out);
        for keep in ["Paragraph 1", "Paragraph 2", "Paragraph 3"] {
            assert!(text.contains(keep), "{text}");
        }
        for drop in [
            "Advertisement",
            "Share on X",
            "Trending now",
            "All rights reserved",
            "Home",
        ] {
            assert!(!text.contains(drop), "{drop} in {text}");
        }
        assert!(extract("<html><body></body></html>", "http://example.org/").is_err());
    }
}
