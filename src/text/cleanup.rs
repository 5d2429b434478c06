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

/// Letters and digits of text written straight into an element before its runs are read as
/// paragraphs.
const LOOSE_PROSE_MIN: usize = 300;

/// Elements a run of loose text may hold and stay one paragraph.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
];

/// Text written straight into a `div` between other elements, with `<br><br>` for paragraph
/// breaks (as Readability reads it): each run of that text and its inline elements becomes a
/// `<p>`. Extractors take paragraphs; the loose runs they took in part or not at all (the text
/// after a link or an emphasis lost, a sentence cut at its first link).
pub fn loose_text_as_paragraphs(doc: &Document) {
    let holders: Vec<_> = doc.select("div, section, article, td").nodes().to_vec();
    for holder in holders {
        // The holder's own prose, written straight into it: a sentence or two of a byline or a
        // footer note stays as it is.
        let loose: usize = holder
            .children()
            .iter()
            .filter(|c| c.is_text())
            .map(|c| c.text().chars().filter(|ch| ch.is_alphanumeric()).count())
            .sum();
        if loose < LOOSE_PROSE_MIN {
            continue;
        }
        let mut run = Vec::new();
        let children = holder.children();
        for (i, child) in children.iter().enumerate() {
            let name = child.node_name().map(|n| n.to_ascii_lowercase());
            let phrasing = child.is_text() || name.as_deref().is_some_and(|n| PHRASING.contains(&n));
            let is_break = name.as_deref() == Some("br");
            // A `<br>` followed (past blank text) by another ends the paragraph.
            let ends = is_break
                && children[i + 1..]
                    .iter()
                    .find(|n| !(n.is_text() && n.text().trim().is_empty()))
                    .is_some_and(|n| n.node_name().is_some_and(|m| m.eq_ignore_ascii_case("br")));
            if phrasing || (is_break && !ends) {
                run.push(*child);
            } else {
                wrap(doc, std::mem::take(&mut run));
            }
        }
        wrap(doc, run);
    }
}

/// Puts a run of nodes into a new `<p>` where the run was, when it holds any text.
fn wrap(doc: &Document, run: Vec<dom_query::NodeRef>) {
    if !run.iter().any(|n| !n.text().trim().is_empty()) {
        return;
    }
    let p = doc.tree.new_element("p");
    run[0].insert_before(&p);
    for node in run {
        node.remove_from_parent();
        p.append_child(&node);
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
    fn loose_prose_between_breaks_becomes_paragraphs_with_its_links_and_a_short_note_stays() {
        let sentence = "Apple plans to release a new notebook with a scissor switch keyboard in the first half of next year, according to sources";
        let page = format!(
            r#"<div id="story">{sentence} cited by <em><a href="/d">DigiTimes</a></em>. A preview was shared.<br> <br><img src="/k.jpg"><center>A caption</center> <br>{sentence}, and one more line<br>after a single break.<br><br>{sentence} at the end.</div>
            <div id="note">Published by Ann <br><br> Category: news</div>"#
        );
        let doc = Document::from(page.as_str());
        loose_text_as_paragraphs(&doc);
        let paragraphs: Vec<String> = doc.select("#story > p").iter().map(|p| p.text().to_string()).collect();
        assert_eq!(paragraphs.len(), 3, "{paragraphs:#?}");
        assert!(
            paragraphs[0].ends_with("cited by DigiTimes. A preview was shared."),
            "{paragraphs:#?}"
        );
        assert!(
            paragraphs[1].contains("one more lineafter a single break."),
            "a single break stays inside: {paragraphs:#?}"
        );
        assert_eq!(
            doc.select("#story > img, #story > center").length(),
            2,
            "blocks stay where they were"
        );
        assert_eq!(doc.select("#note p").length(), 0, "a short note is left as it is");
    }

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
