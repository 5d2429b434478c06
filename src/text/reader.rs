//! Reader mode: the main content of a web page without its boilerplate (ad slots, consent
//! banners, share buttons): trafilatura with its own fallbacks, else Readability (dom_smoothie);
//! then link lists dropped, the page's headline and lede put back where the extractor dropped
//! them, and every link and image made absolute.

use dom_query::Document;
use url::Url;

use super::cleanup;
use super::html::{self, comparable};
use super::sanitize;

/// Elements removed before the Readability fallback: ad slots, share bars, trending widgets.
/// Readability scoring keeps them when they sit inside the article body. (Removed before
/// trafilatura too, they cost it more body than boilerplate: F1 0.919 to 0.896.)
const BOILERPLATE: &str = r#"[class~="ad"], [class~="ads"], [class^="ad-"], [class*=" ad-"], [id^="div-gpt-ad"],
    [class*="advert"], [id*="advert"], [class*="sponsor"], ins.adsbygoogle,
    [class*="share-bar"], [class*="social-share"], [class*="sharing"],
    [class*="trending"], [id^="trending"], script, style, noscript, iframe, form"#;

/// Ad slots and share widgets, removed before any extractor sees the page: inside the story's
/// container, trafilatura keeps their labels ("Advertisement", "Click To Tweet") as text.
const AD_SLOTS: &str = r#"[class~="ad"], [class~="ads"], [class^="ad-"], [class*=" ad-"], [id^="div-gpt-ad"],
    [class*="advert"], [id*="advert"], ins.adsbygoogle, [class*="share-bar"], [class*="social-share"],
    [class*="ctt-btn"]"#;

/// What the page does not show: hidden outright, or only while the pointer rests on a name (a
/// person's card of their latest stories inside a sentence). Readability drops the first kind
/// too; inside a paragraph, either kind reads as part of the sentence.
const UNSHOWN: &str = r#"[hidden], [aria-hidden="true"], [style*="display:none" i], [style*="display: none" i],
    [style*="visibility:hidden" i], [style*="visibility: hidden" i], [class*="tooltip" i], [class*="popover" i],
    [class*="hovercard" i], [class*="rollover" i]"#;

/// Most text an unshown element may hold to go: a page that hides its whole story until a
/// script runs still has it read.
const UNSHOWN_MAX_TEXT: usize = 1500;

/// Cookie and consent banners, dialogs, newsletter sign-ups: whatever text they hold, none of
/// it is the story. (`modal` and `popup` classes are not among them: galleries use them too.)
const OVERLAYS: &str = r#"[id*="cookie" i], [class*="cookie" i], [id*="consent" i], [class*="consent" i],
    [id*="gdpr" i], [class*="gdpr" i], [id^="cmplz"], [class*="cmplz"], [role="dialog"],
    [aria-modal="true"], [class*="newsletter" i], [id*="newsletter" i]"#;

/// Share buttons by where they go (a network's share intent, a mail with no address, a script):
/// nothing a reader can follow from a terminal, and their labels ("Whatsapp", "Tweet") read as
/// the story's words when they sit inside it.
const SHARE_LINKS: &str = r#"a[href^="whatsapp:" i], a[href*="api.whatsapp.com/send"], a[href*="wa.me/?"],
    a[href*="facebook.com/sharer"], a[href*="facebook.com/share.php"], a[href*="twitter.com/intent/"],
    a[href*="twitter.com/share"], a[href*="x.com/intent/"], a[href*="pinterest.com/pin/create"],
    a[href*="linkedin.com/shareArticle"], a[href*="reddit.com/submit"], a[href*="t.me/share"],
    a[href^="mailto:?"], a[href^="javascript:" i]"#;

/// Most text a share button holds: a longer link is someone's sentence, whatever it points to.
const SHARE_LINK_MAX_TEXT: usize = 30;

/// Controls that show or hide more of the page, when they go nowhere (no address, or just "#"):
/// a caption's "... more" and "less", a bio's "Read More". Their words are all a control says,
/// so only those go.
const TOGGLES: &str = r##"a:not([href]), a[href="#"], button"##;
const TOGGLE_WORDS: &[&str] = &[
    "more",
    "less",
    "read more",
    "read less",
    "show more",
    "show less",
    "see more",
    "see less",
];

/// Captions, among which a gallery may write each one twice: cut short and whole.
const CAPTIONS: &str = r#"[class*="caption"]"#;

/// Every kind of caption: those above and `figcaption`s.
const CAPTIONS_AND_FIGURES: &str = r#"[class*="caption"], figcaption"#;

/// Shortest caption text compared with its siblings (a shorter one may well repeat by chance).
const CAPTION_MIN_TEXT: usize = 40;

/// Posts embedded from social networks, as their own embed code writes them: a quote of the
/// post's text that the network's script turns into a card.
const EMBEDDED_POSTS: &str = "blockquote.twitter-tweet, blockquote.instagram-media, blockquote.tiktok-embed";

/// Wrappers of an embedded post looked at, innermost first.
const EMBED_WRAPPERS: usize = 4;

/// Most text a consent banner holds (its policy, its categories of cookies, their buttons).
const OVERLAY_MAX_TEXT: usize = 4000;

/// Most text an ad slot or share bar holds (its label, a few links).
const AD_SLOT_MAX_TEXT: usize = 100;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ReaderError {
    #[error("no readable article found on the page ({0})")]
    NotReadable(String),
}

/// The page's main content as HTML (sanitised). `url` resolves relative links and images.
pub fn extract(page: &str, url: &str) -> Result<String, ReaderError> {
    extract_at(page, url, None)
}

/// As `extract`; where `selector` (a feed's `reader_selector`) matches, its matches are the
/// article, cleaned the same way.
pub fn extract_at(page: &str, url: &str, selector: Option<&str>) -> Result<String, ReaderError> {
    let page = html::limit_depth(page, html::MAX_DEPTH);
    let doc = Document::from(page.as_ref());
    // A page's wrapper may carry an ad slot's class too: only what holds next to no text goes.
    remove_small(&doc, AD_SLOTS, AD_SLOT_MAX_TEXT);
    remove_small(&doc, UNSHOWN, UNSHOWN_MAX_TEXT);
    for banner in doc.select(OVERLAYS).iter() {
        // A page may flag its whole body while a banner shows ("cookie-consent-open").
        if !banner.is("html, body, main, article") && visible_chars(&banner.text()) < OVERLAY_MAX_TEXT {
            banner.remove();
        }
    }
    for post in doc.select(EMBEDDED_POSTS).nodes() {
        unflag_wrappers(post);
    }
    remove_small(&doc, SHARE_LINKS, SHARE_LINK_MAX_TEXT);
    for short in doc.select(CAPTIONS).nodes() {
        if is_cut_short_caption(short) {
            short.remove_from_parent();
        }
    }
    cleanup::captions_said_once(&doc, CAPTIONS_AND_FIGURES);
    cleanup::without_teaser_grids(&doc);
    cleanup::loose_text_as_paragraphs(&doc);
    for toggle in doc.select(TOGGLES).iter() {
        if is_toggle(&toggle.text()) {
            toggle.remove();
        }
    }
    let chosen = selector.map(|sel| doc.select(sel)).filter(|found| !found.is_empty());
    let by_selector = chosen.is_some();
    let content = match chosen {
        // The feed's `reader_selector` says where the article is: no guessing.
        Some(found) => found
            .iter()
            .map(|s| s.html().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        None => {
            let cleaned = doc.html();
            match by_trafilatura(&cleaned, url) {
                Some(content) => spaced_links_in_quotes(&content),
                None => by_readability(&cleaned, url)?,
            }
        }
    };
    let content = cleanup::without_link_lists(&content);
    // What the selector chose is the article as the user wants it: nothing is put back.
    let content = if by_selector {
        content
    } else {
        with_headline_and_lede(&doc, content)
    };
    let content = sanitize::clean_body(&absolute(&content, url));
    if html::to_plain(&content).trim().is_empty() {
        return Err(ReaderError::NotReadable("it has no text".into()));
    }
    Ok(content)
}

/// Removes the elements `selector` matches that hold fewer than `max` visible characters.
fn remove_small(doc: &Document, selector: &str, max: usize) {
    for element in doc.select(selector).iter() {
        if visible_chars(&element.text()) < max {
            element.remove();
        }
    }
}

fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether a caption is the start of a caption beside it, cut short for a collapsed view ("…
/// strengthen the military relations ... more" next to the whole of it): shown once, whole.
fn is_cut_short_caption(caption: &dom_query::NodeRef) -> bool {
    let text = caption.text();
    let cut = text
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '…'));
    let cut = cut
        .strip_suffix("more")
        .unwrap_or(cut)
        .trim_end_matches(['.', '…', ' ']);
    if cut.chars().count() < CAPTION_MIN_TEXT {
        return false;
    }
    let whole = |node: Option<dom_query::NodeRef>| {
        node.filter(|n| n.is(CAPTIONS)).is_some_and(|n| {
            let other = n.text();
            let other = other.trim();
            other.len() > cut.len() && other.starts_with(cut)
        })
    };
    whole(caption.prev_element_sibling()) || whole(caption.next_element_sibling())
}

/// Whether an element's text is only a show-more control's words ("... more", "Read More").
fn is_toggle(text: &str) -> bool {
    let words = text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '…' | '+' | '-'));
    words.len() <= 9 && TOGGLE_WORDS.iter().any(|w| words.eq_ignore_ascii_case(w))
}

/// Takes `class` and `id` off the elements that only wrap an embedded post: sites wrap them in
/// a "social-media-embed" box, which trafilatura drops as a social widget, post and all, though
/// the post's text is part of the story (what the people it quotes said).
fn unflag_wrappers(post: &dom_query::NodeRef) {
    let letters = |node: &dom_query::NodeRef| node.text().chars().filter(|c| c.is_alphanumeric()).count();
    let own = letters(post);
    let mut wrapper = post.parent();
    for _ in 0..EMBED_WRAPPERS {
        match wrapper {
            Some(node) if node.is("div, figure, aside, section") && letters(&node) == own => {
                node.remove_attrs(&["class", "id"]);
                wrapper = node.parent();
            }
            _ => break,
        }
    }
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

/// trafilatura 0.6 trims the text on either side of an element inside a quote ("on it: <a>" comes
/// out "on it:<a>", "<a>process</a> is" as "<a>process</a>is"), which glues a link to the words
/// around it. Inside quotes, a space goes back between a word or a sentence's punctuation and the
/// link after it, and between a link and the word or link after it: nobody writes a link against
/// a letter.
fn spaced_links_in_quotes(content: &str) -> String {
    static QUOTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?is)<blockquote\b.*?</blockquote\s*>").expect("a valid pattern")
    });
    static GLUED_LINK: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)([\p{L}\p{N}:;,.!?)])(<a\b)").expect("a valid pattern"));
    static GLUED_AFTER: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)(</a\s*>)([\p{L}\p{N}]|<a\b)").expect("a valid pattern"));
    let spaced = |quote: &regex::Captures| {
        let before = GLUED_LINK.replace_all(&quote[0], "$1 $2");
        GLUED_AFTER.replace_all(&before, "$1 $2").into_owned()
    };
    QUOTE.replace_all(content, spaced).into_owned()
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

/// Reader mode's text without its opening headline when that is the article's title: the
/// title block above the body already says it (a headline that differs from it stays).
pub fn without_title<'a>(content: &'a str, title: &str) -> &'a str {
    let rest = content.trim_start();
    let Some(level) = ["<h1", "<h2"]
        .iter()
        .find(|open| rest.get(..3).is_some_and(|start| start.eq_ignore_ascii_case(open)))
    else {
        return content;
    };
    let close = format!("</{}>", &level[1..]);
    let Some(end) = html::find_ascii_ci(rest, &close).map(|i| i + close.len()) else {
        return content;
    };
    let wanted = comparable(title);
    if wanted.is_empty() || comparable(&html::to_plain(&rest[..end])) != wanted {
        return content;
    }
    &rest[end..]
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

    #[test]
    fn the_opening_headline_goes_only_when_it_is_the_title() {
        let content = "<h1>Wind farm <em>opens</em></h1><p>The story.</p>";
        assert_eq!(without_title(content, "Wind farm opens"), "<p>The story.</p>");
        assert_eq!(without_title(content, "wind farm: opens!"), "<p>The story.</p>");
        assert_eq!(without_title(content, "Another title"), content);
        assert_eq!(without_title(content, ""), content);
        let later = "<p>Lede.</p><h1>Wind farm opens</h1>";
        assert_eq!(
            without_title(later, "Wind farm opens"),
            later,
            "only an opening headline"
        );
        assert_eq!(without_title("<h1>Unclosed", "Unclosed"), "<h1>Unclosed");
    }

    fn story(paragraphs: u32) -> String {
        (1..=paragraphs)
            .map(|n| format!("<p>Paragraph {n} of the story, long enough to read as real prose, with several clauses, commas, and <a href=\"/ref{n}\">a source</a> at the end of it.</p>"))
            .collect()
    }

    #[test]
    fn drops_consent_banners_and_sign_ups_but_not_a_body_flagged_by_them() {
        let page = format!(
            r#"<html><body class="cookie-consent-open"><article>{}
            <div class="newsletter-box"><p>Get our newsletter in your inbox every morning, free of charge, with the day's best stories.</p></div>{}
            <section class="Newsletter-container"><h3>Pick Six Newsletter</h3><p>Thanks for signing up! Keep an eye on your inbox.</p></section>
            <div id="cookie-law-info-bar"><p>This website uses cookies to improve your experience while you navigate through the website, and some of them are stored in your browser.</p></div>
            <div role="dialog"><p>Privacy overview: necessary cookies are absolutely essential for the website to function properly, and they are stored.</p></div>
            </article></body></html>"#,
            story(3),
            story(2)
        );
        let text = html::to_plain(&extract(&page, "http://example.org/story").unwrap());
        assert!(text.contains("Paragraph 1") && text.contains("Paragraph 3"), "{text}");
        for drop in ["newsletter", "Newsletter", "signing up", "cookies", "Privacy overview"] {
            assert!(!text.contains(drop), "{drop} in {text}");
        }
    }

    #[test]
    fn drops_blocks_that_are_nearly_all_links_and_keeps_prose_with_links() {
        let content = format!(
            r#"{}<ul><li><a href="/a">Other story one about something else</a></li><li><a href="/b">Other story two</a></li></ul>
            <p>Tags: <a href="/t/x">stock car</a>, <a href="/t/y">interlagos</a></p>"#,
            story(2)
        );
        let text = html::to_plain(&cleanup::without_link_lists(&content));
        assert!(text.contains("Paragraph 1") && text.contains("a source"), "{text}");
        for drop in ["Other story", "interlagos"] {
            assert!(!text.contains(drop), "{drop} in {text}");
        }
    }

    #[test]
    fn a_caption_under_every_photo_is_said_once_but_a_story_may_repeat_its_own_lines() {
        let photo = |n: usize| {
            format!(
                r#"<div class="wp-caption"><img src="/p{n}.jpg"><p class="wp-caption-text">The festival of lights, seen from the square</p></div>
                <p>Scene {n}: eat sixty minutes before your workout, then walk along the river at dusk.</p>"#
            )
        };
        let page = format!(
            "<html><body><article>{}{}</article></body></html>",
            story(3),
            (1..=4).map(photo).collect::<String>()
        );
        let text = html::to_plain(&extract(&page, "https://example.org/a").unwrap());
        assert!(text.matches("The festival of lights").count() <= 1, "{text}");
        assert_eq!(
            text.matches("eat sixty minutes before your workout").count(),
            4,
            "{text}"
        );
    }

    #[test]
    fn drops_share_buttons_but_not_links_to_the_same_sites_or_sentences() {
        let page = format!(
            r#"<html><body><article>{}
            <p>Send this story to a friend who follows the council and its long budget debates:
            <a href="whatsapp://send?text=Story">Whatsapp</a> <a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a>
            <a href="javascript: void(0);">Pint</a> <a href="https://twitter.com/intent/tweet?url=x">Tweet</a>
            <a href="mailto:?subject=Story">Email</a></p>
            <p><a href="https://twitter.com/intent/tweet?text=q"><span class="sw-click-to-tweet"><span class="sw-ctt-text">Growing
            into the role gradually brings much less stress for everyone.</span><span class="sw-ctt-btn">Click To Tweet</span></span></a></p>{}
            <p>The mayor answered <a href="https://twitter.com/mayor/status/1">on her own account</a> and
            on <a href="https://www.facebook.com/cityhall">the city's page</a> within the hour.</p>
            <p>As one reader put it, <a href="https://twitter.com/intent/tweet?text=x">the city never looked better from the river</a>, and many agreed.</p>
            </article></body></html>"#,
            story(3),
            story(2)
        );
        let text = html::to_plain(&extract(&page, "http://example.org/story").unwrap());
        assert!(text.contains("Paragraph 1") && text.contains("Paragraph 3"), "{text}");
        for keep in [
            "on her own account",
            "the city's page",
            "never looked better from the river",
        ] {
            assert!(text.contains(keep), "{keep} missing from {text}");
        }
        assert!(text.contains("much less stress for everyone"), "{text}");
        for drop in ["Whatsapp", "Facebook", "Pint", "Tweet", "Email"] {
            assert!(!text.contains(drop), "{drop} in {text}");
        }
    }

    #[test]
    fn a_link_in_a_quote_keeps_its_spaces_from_the_words_around_it() {
        let page = format!(
            r#"<html><body><article>{}<blockquote><p>Yes this is real, see <a href="/it">it</a> here: <a href="https://t.co/y">t.co/y</a></p>
            — Name (@handle) <a href="/s">November 19, 2019</a> <a href="/p">pic.example/1</a></blockquote>{}</article></body></html>"#,
            story(3),
            story(2)
        );
        // The rendered text, as the pane and `show` have it (plain text puts a space at every tag).
        let content = extract(&page, "http://example.org/story").unwrap();
        for spaced in ["see <a", "</a> here: <a", "(@handle) <a", "</a> <a"] {
            assert!(content.contains(spaced), "{spaced} missing from {content}");
        }
        let quote = r#"<blockquote><p>A <a href="/x">link</a>, "<a href="/y">quoted</a>"</p></blockquote>"#;
        assert_eq!(
            spaced_links_in_quotes(quote),
            quote,
            "already spaced, or after an opening quote"
        );
    }

    #[test]
    fn keeps_an_embedded_post_that_a_site_boxes_as_a_social_widget() {
        let page = format!(
            r#"<html><body><article>{}<div class="social-media-embed"><blockquote class="twitter-tweet">
            <p lang="en">Yes this is real and yes the state spent nearly half a million dollars on it</p>
            — Dianna (@dianna) <a href="https://twitter.com/dianna/status/1">November 18, 2019</a></blockquote></div>{}
            </article></body></html>"#,
            story(3),
            story(2)
        );
        let text = html::to_plain(&extract(&page, "http://example.org/story").unwrap());
        assert!(text.contains("half a million dollars on it"), "{text}");
        assert!(text.contains("Paragraph 1") && text.contains("Paragraph 3"), "{text}");
    }

    #[test]
    fn a_gallery_caption_shows_once_whole_and_its_toggles_go() {
        let whole = "U.S. Defense Secretary Mark Esper, left, and Vietnam's Defense Minister shake hands in Hanoi. \
            Esper is on a visit to Vietnam to strengthen the military relations with the nation.";
        let page = format!(
            r##"<html><body><article>{}<figure><img src="/p.jpg" alt="">
            <div class="caption-full">{whole}<a class="more-caption">less</a></div>
            <div class="caption-truncated">U.S. Defense Secretary Mark Esper, left, and Vietnam's Defense Minister shake hands in Hanoi. Esper is on a visit<a class="more-caption"> ... more</a></div>
            <span class="credit">Photo: Hau Dinh, AP</span></figure>{}
            <p>Want more of the story? <a href="#">Read More</a> <button>Show less</button> or go to <a href="#part-two">more</a>.</p>
            </article></body></html>"##,
            story(3),
            story(2)
        );
        let text = html::to_plain(&extract(&page, "http://example.org/story").unwrap());
        assert_eq!(text.matches("shake hands in Hanoi").count(), 1, "{text}");
        assert!(text.contains("with the nation"), "the whole caption stays: {text}");
        assert!(
            !text.contains("less") && !text.contains("Read More") && !text.contains("Show less"),
            "{text}"
        );
        assert!(
            text.contains("go to more"),
            "a link to a part of the page is not a toggle: {text}"
        );
    }
}
