//! Reader mode: the main content of a web page (headline, lede, paragraphs, section headings)
//! without its boilerplate: trafilatura (with its own fallbacks), else Readability (dom_smoothie)
//! after removing ad slots and widgets; then the page's headline and lede where the extractor
//! dropped them, and every link and image made absolute.

use dom_query::Document;
use url::Url;

use super::{html, sanitize};

/// Elements removed before the Readability fallback: ad slots, share bars, trending widgets.
/// Readability scoring keeps them when they sit inside the article body. (Removed before
/// trafilatura too, they cost it more body than boilerplate: F1 0.919 to 0.896.)
const BOILERPLATE: &str = r#"[class~="ad"], [class~="ads"], [class^="ad-"], [class*=" ad-"], [id^="div-gpt-ad"],
    [class*="advert"], [id*="advert"], [class*="sponsor"], ins.adsbygoogle,
    [class*="share-bar"], [class*="social-share"], [class*="sharing"],
    [class*="trending"], [id^="trending"], script, style, noscript, iframe, form"#;

/// Ad slots and share widgets, removed before any extractor sees the page: inside the story's
/// container, trafilatura keeps their labels ("Advertisement") as text.
const AD_SLOTS: &str = r#"[class~="ad"], [class~="ads"], [class^="ad-"], [class*=" ad-"], [id^="div-gpt-ad"],
    [class*="advert"], [id*="advert"], ins.adsbygoogle, [class*="share-bar"], [class*="social-share"]"#;

/// Most text an ad slot or share bar holds (its label, a few links).
const AD_SLOT_MAX_TEXT: usize = 100;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ReaderError {
    #[error("no readable article found on the page ({0})")]
    NotReadable(String),
}

/// The page's main content as HTML (sanitised). `url` resolves relative links and images.
pub fn extract(page: &str, url: &str) -> Result<String, ReaderError> {
    let page = html::limit_depth(page, html::MAX_DEPTH);
    let doc = Document::from(page.as_ref());
    for slot in doc.select(AD_SLOTS).iter() {
        // A page's wrapper may carry such a class too: only what holds next to no text goes.
        if slot.text().chars().filter(|c| !c.is_whitespace()).count() < AD_SLOT_MAX_TEXT {
            slot.remove();
        }
    }
    let cleaned = doc.html();
    let content = match by_trafilatura(&cleaned, url) {
        Some(content) => content,
        None => by_readability(&cleaned, url)?,
    };
    let content = with_headline_and_lede(&doc, content);
    let content = sanitize::clean_body(&absolute(&content, url));
    if html::to_plain(&content).trim().is_empty() {
        return Err(ReaderError::NotReadable("it has no text".into()));
    }
    Ok(content)
}

/// trafilatura with its fallbacks (Readability and jusText candidates, compared with its own
/// result): None when it finds no text.
fn by_trafilatura(page: &str, url: &str) -> Option<String> {
    let mut options = trafilatura::Options::default();
    options.original_url = Url::parse(url).ok();
    options.include_links = true;
    options.include_images = true;
    options.enable_fallback = true;
    let result = trafilatura::extract(page, &options).ok()?;
    (!html::to_plain(&result.content_html).trim().is_empty()).then_some(result.content_html)
}

fn by_readability(page: &str, url: &str) -> Result<String, ReaderError> {
    let doc = Document::from(page);
    doc.select(BOILERPLATE).remove();
    let mut readability = dom_smoothie::Readability::with_document(doc, Some(url), None)
        .map_err(|e| ReaderError::NotReadable(e.to_string()))?;
    let article = readability
        .parse()
        .map_err(|e| ReaderError::NotReadable(e.to_string()))?;
    Ok(article.content.to_string())
}

/// Words and spaces only, lower case: how a headline is recognised inside extracted text.
fn comparable(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && !is_mark(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join(" ")
}

/// Combining marks (the vowel signs of Devanagari and other scripts) belong to their word.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0900}'..='\u{0DFF}' | '\u{1AB0}'..='\u{1AFF}' | '\u{200C}' | '\u{200D}')
}

/// The page's headline (its first `h1`, else `og:title`) and its lede (the element that shows
/// the page's description, such as a standfirst under the headline) put back in front of the
/// content when the extractor left them out: they are part of the story as the page shows it.
fn with_headline_and_lede(doc: &Document, content: String) -> String {
    let have = comparable(&html::to_plain(&content));
    let meta = |selector: &str| {
        doc.select(selector)
            .attr("content")
            .map(|c| sanitize::clean_line(&c))
            .filter(|c| !c.is_empty())
    };
    let headline = Some(sanitize::clean_line(&doc.select("h1").first().text()))
        .filter(|h| !h.is_empty())
        .or_else(|| meta(r#"meta[property="og:title"]"#));
    let lede = meta(r#"meta[property="og:description"]"#)
        .or_else(|| meta(r#"meta[name="description"]"#))
        .filter(|description| !have.contains(&comparable(description)))
        .and_then(|description| shown_lede(doc, &description));
    let mut front = String::new();
    for (text, tag) in [(headline, "h1"), (lede, "p")] {
        let Some(text) = text else { continue };
        let wanted = comparable(&text);
        if wanted.is_empty() || have.contains(&wanted) {
            continue;
        }
        front.push_str(&format!("<{tag}>{}</{tag}>", html_escape::encode_text(&text)));
    }
    front + &content
}

/// The text of the element that shows the page's description, if one does: its start matches
/// the description's start (descriptions are often cut short).
fn shown_lede(doc: &Document, description: &str) -> Option<String> {
    let want = comparable(description);
    let prefix: String = want.chars().take(40).collect();
    if prefix.chars().count() < 20 {
        return None;
    }
    doc.select("body p, body h2")
        .iter()
        .map(|el| sanitize::clean_line(&el.text()))
        .find(|text| text.len() < 2000 && comparable(text).starts_with(&prefix))
}

/// Links and images resolved against the page's address; anything else is left as it is.
fn absolute(content: &str, url: &str) -> String {
    let Ok(base) = Url::parse(url) else {
        return content.to_string();
    };
    let doc = Document::fragment(content);
    for (selector, attr) in [("a[href]", "href"), ("img[src]", "src")] {
        for el in doc.select(selector).iter() {
            let Some(value) = el.attr(attr) else { continue };
            if let Ok(joined) = base.join(value.trim()) {
                el.set_attr(attr, joined.as_str());
            }
        }
    }
    doc.select("html").inner_html().to_string()
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
