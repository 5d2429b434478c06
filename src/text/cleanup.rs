//! What reader mode removes around extraction: blocks that are nearly all links (related-story
//! lists, tag rows) and captions the page says three times or more (a credit under every photo).

use std::collections::HashMap;

use dom_query::Document;

/// Share of a block's text that may be link text before the block reads as a list of other
/// stories (related articles, tags, "more from"), not as the story's own prose.
const LINK_LIST_DENSITY: f64 = 0.8;

/// The extracted content without blocks that are nearly all links: related-story lists, tag
/// rows, "more from" boxes that extractors keep when they sit inside the story's container.
pub fn without_link_lists(content: &str) -> String {
    let doc = Document::fragment(content);
    let count = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).count();
    for block in doc.select("ul, ol, p, div, section, aside, nav").iter() {
        let links = block.select("a");
        if links.length() < 2 {
            continue;
        }
        let all = count(&block.text());
        let linked: usize = links.iter().map(|a| count(&a.text())).sum();
        if all > 0 && linked as f64 >= LINK_LIST_DENSITY * all as f64 {
            block.remove();
        }
    }
    doc.select("html").inner_html().to_string()
}

const HEADINGS: &str = "h2, h3, h4, h5, h6";

/// Fewest teasers (links holding a heading: a card) that make a block a grid of other
/// stories.
const GRID_TEASERS: usize = 3;

/// Grids of other stories ("You may also like": cards, links that each hold a heading, with next
/// to no text of their own), removed from the page before extraction: an extractor
/// keeps their headings as the story's and loses the links that gave them away.
pub fn without_teaser_grids(doc: &Document) {
    let count = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).count();
    for block in doc.select("div, section, aside, ul, ol").iter() {
        if block.is("html, body, main, article") {
            continue;
        }
        let links = block.select("a");
        let teasers = links.iter().filter(|a| a.select(HEADINGS).length() > 0).count();
        if teasers < GRID_TEASERS {
            continue;
        }
        let all = count(&block.text());
        let linked: usize = links.iter().map(|a| count(&a.text())).sum();
        if linked as f64 >= LINK_LIST_DENSITY * all as f64 {
            block.remove();
        }
    }
}

/// Shortest caption text counted as a repeat (a shorter one, "Photo", may repeat by nature).
const REPEAT_MIN_CHARS: usize = 20;

/// How often a caption's text must appear for its later copies to go.
const REPEATS: usize = 3;

/// Captions the page repeats three times or more (a series' name under every photo, the same
/// credit after each picture): said once, where it first appears. Only captions: a story's own
/// lines may repeat on purpose (a meal plan's "eat before your workout" for every day).
pub fn captions_said_once(doc: &Document, captions: &str) {
    let key = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let found: Vec<_> = doc.select(captions).iter().collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for caption in &found {
        let text = key(&caption.text());
        if text.chars().filter(|c| c.is_alphanumeric()).count() >= REPEAT_MIN_CHARS {
            *seen.entry(text).or_default() += 1;
        }
    }
    let mut first: HashMap<String, ()> = HashMap::new();
    for caption in found {
        let text = key(&caption.text());
        if seen.get(&text).is_some_and(|n| *n >= REPEATS) && first.insert(text, ()).is_some() {
            caption.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_of_story_cards_goes_but_a_list_of_links_in_prose_stays() {
        let card = |n: usize| format!(r#"<a href="/s{n}"><img src="/i{n}.jpg"><h3>Another story number {n}</h3></a>"#);
        let page = format!(
            r#"<article><p>The story itself, with <a href="/a">one link</a> and <a href="/b">another</a>, and <a href="/c">a third</a> in its words.</p>
            <div class="related"><div class="title">You may also like</div><div>{}</div></div></article>"#,
            (1..=4).map(card).collect::<String>()
        );
        let doc = Document::from(page.as_str());
        without_teaser_grids(&doc);
        let text = doc.select("body").text().to_string();
        assert!(!text.contains("Another story"), "{text}");
        assert!(text.contains("The story itself") && text.contains("a third"), "{text}");
    }

    #[test]
    fn a_caption_said_three_times_stays_once_where_it_first_appears_and_twice_stays_twice() {
        let figure = |caption: &str| format!("<figure><img src=x><figcaption>{caption}</figcaption></figure>");
        let page = format!(
            "<p>start</p>{}{}{}{}{}",
            figure("The festival of lights, from the square"),
            figure("The festival of lights, from the square"),
            figure("A credit given twice on this page only"),
            figure("The festival of lights, from the square"),
            figure("A credit given twice on this page only"),
        );
        let doc = Document::from(page.as_str());
        captions_said_once(&doc, "figcaption");
        let text = doc.select("body").text().to_string();
        assert_eq!(text.matches("The festival of lights").count(), 1, "{text}");
        assert!(
            text.find("The festival").unwrap() < text.find("A credit").unwrap(),
            "{text}"
        );
        assert_eq!(text.matches("A credit given twice").count(), 2, "{text}");
    }
}
