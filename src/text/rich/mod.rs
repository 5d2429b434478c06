//! An HTML body as styled, wrapped lines (html2text's annotated output), with inline link
//! numbers and a numbered link list at the end. Style kinds, not colours: the UI's theme decides.

use html2text::render::{RichAnnotation, RichDecorator};
use unicode_width::UnicodeWidthStr;

use super::sanitize;

mod decorator;
mod links;

use decorator::{Decorator, LastImage};
use links::{footnote, link_images, link_mark, spaces_after_links};

/// What a span of text is; the theme maps each to a style.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpanKind {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub code: bool,
    pub link: bool,
    pub image: bool,
}

/// The kind of a whole line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LineKind {
    #[default]
    Text,
    Heading,
    Quote,
    Preformatted,
    /// The numbered link list after the body.
    LinkRef,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichSpan {
    pub text: String,
    pub kind: SpanKind,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichLine {
    pub kind: LineKind,
    pub spans: Vec<RichSpan>,
}

impl RichLine {
    pub fn plain(kind: LineKind, text: impl Into<String>) -> RichLine {
        RichLine {
            kind,
            spans: vec![RichSpan {
                text: text.into(),
                kind: SpanKind::default(),
            }],
        }
    }

    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

impl Rendered {
    /// The rendering as plain text, one line per line (what `khabar show` prints).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.text().trim_end());
            out.push('\n');
        }
        out
    }
}

/// A rendered body: its lines, its links in reference order ([1] is `links[0]`), and its images
/// in the order they appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub lines: Vec<RichLine>,
    pub links: Vec<String>,
    /// Each link's text where it first appears, by the same index as `links`.
    pub link_texts: Vec<String>,
    pub images: Vec<Image>,
}

/// An image in a rendered body: its address, its alt text (may be empty), and the line its
/// "[image: alt]" is on (where the reader shows the picture, below that line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    pub url: String,
    pub alt: String,
    pub line: usize,
}

impl Rendered {
    /// The body as plain text: the lines up to the link list, without trailing blank lines.
    pub fn body_text(&self) -> String {
        let body: Vec<String> = self
            .lines
            .iter()
            .take_while(|l| l.kind != LineKind::LinkRef)
            .map(|l| l.text().trim_end().to_string())
            .collect();
        body.join("\n").trim_end().to_string()
    }

    /// The body as data: its paragraphs without the reader's `[n]` link marks and
    /// `[image: …]` lines (`links` and `images` carry those), blank lines between paragraphs.
    /// The text without the reader's marks (used by `data_text_of`, which also leaves captions
    /// out).
    pub fn data_text(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        for line in self.lines.iter().take_while(|l| l.kind != LineKind::LinkRef) {
            let mut text = String::new();
            // A mark follows a link's (or a picture's) text, at the start of the next span.
            let mut after_link = false;
            for span in &line.spans {
                let mut t = span.text.as_str();
                if after_link && !span.kind.link {
                    t = without_mark(t);
                }
                after_link = span.kind.link;
                if !span.kind.image {
                    text.push_str(t);
                }
            }
            let text = text.trim_end();
            // A line that held only marks goes with them; one blank line between paragraphs.
            let had_text = line.spans.iter().any(|s| !s.text.trim().is_empty());
            if text.trim().is_empty() && (had_text || out.last().is_none_or(String::is_empty)) {
                continue;
            }
            out.push(text.to_string());
        }
        out.join("\n").trim().to_string()
    }
}

/// `t` without the `[n]` the reader put at its start.
fn without_mark(t: &str) -> &str {
    let Some(rest) = t.strip_prefix('[') else { return t };
    match rest.find(']') {
        Some(end) if end > 0 && rest[..end].chars().all(|c| c.is_ascii_digit()) => &rest[end + 1..],
        _ => t,
    }
}

/// Bodies longer than this get a quick first rendering of their beginning (see `render_first`).
pub const FIRST_SCREEN_BYTES: usize = 64 * 1024;

/// For a long body, its first 64 KiB (cut before a tag), which is far more than a screen: its
/// rendering is shown at once while the whole body renders. None for bodies short enough to
/// render whole without a pause.
pub fn first_screen(html: &str) -> Option<&str> {
    if html.len() <= 2 * FIRST_SCREEN_BYTES {
        return None;
    }
    let cut = html[FIRST_SCREEN_BYTES..].find('<').map(|i| FIRST_SCREEN_BYTES + i)?;
    Some(&html[..cut])
}

/// The rendering of `first_screen`, if the body is long.
pub fn render_first(html: &str, width: usize) -> Option<Rendered> {
    first_screen(html).map(|prefix| render(prefix, width))
}

/// Elements a browser would not show, on top of the page's own `display: none` rules.
const HIDDEN_CSS: &str = "[hidden] { display: none; } [aria-hidden=true] { display: none; } \
     template { display: none; } noscript { display: none; }";

/// A width no line reaches: text rendered unwrapped, one line a paragraph.
pub const UNWRAPPED: usize = 1 << 20;

/// Most text a caption-classed element holds to be read as a caption (a bigger one holds more).
const CAPTION_MAX_TEXT: usize = 400;

/// The body as data (`show --json`'s `body_text`, the hooks' article text): the prose as the
/// pane renders it, unwrapped, without the `[n]` and `[image: …]` marks, and without captions:
/// a caption belongs to its picture (the `images` array), not to the article's words.
pub fn data_text_of(html: &str) -> String {
    // Both kinds of caption say "caption" in the markup; most bodies have none to parse for.
    if !html.contains("caption") {
        return render(html, UNWRAPPED).data_text();
    }
    let doc = dom_query::Document::fragment(html);
    let captions = doc.select(r#"figcaption, [class*="caption"]"#);
    let mut removed = false;
    for caption in captions.iter() {
        let text = caption.text();
        let visible = text.chars().filter(|c| !c.is_whitespace()).count();
        if caption.is("figcaption") || (visible < CAPTION_MAX_TEXT && caption.select("img, p").length() == 0) {
            caption.remove();
            removed = true;
        }
    }
    let prose = if removed {
        doc.select("html").inner_html().to_string()
    } else {
        html.to_string()
    };
    render(&prose, UNWRAPPED).data_text()
}

/// Renders HTML to at most `width` columns. Never fails: unparseable HTML falls back to text.
pub fn render(html: &str, width: usize) -> Rendered {
    let width = width.max(10);
    let html = link_images(html);
    let html = spaces_after_links(&html);
    let html = super::html::limit_depth(&html, super::html::MAX_DEPTH);
    let config = html2text::config::with_decorator(Decorator(RichDecorator::new(), LastImage::default()))
        .link_footnotes(true)
        .use_doc_css()
        .add_agent_css(HIDDEN_CSS)
        .expect("the built-in CSS parses");
    let tagged = config.lines_from_read(html.as_bytes(), width);
    let Ok(tagged) = tagged else {
        let text = super::html::to_plain(&html);
        return Rendered {
            lines: vec![RichLine::plain(LineKind::Text, text)],
            ..Rendered::default()
        };
    };
    let mut lines = Vec::with_capacity(tagged.len());
    // html2text numbers every link where it ends ("text[n]") and lists "[n]: url" at the end:
    // the list gives the addresses, the text before each mark gives the link's text.
    let mut footnotes: Vec<(usize, String)> = Vec::new();
    let mut texts: Vec<(usize, String)> = Vec::new();
    let mut run: Option<(String, String)> = None;
    let mut images: Vec<Image> = Vec::new();
    let mut in_footnotes = false;
    for line in tagged {
        let mut out = RichLine::default();
        for ts in line.tagged_strings() {
            let mut kind = SpanKind::default();
            for ann in &ts.tag {
                match ann {
                    RichAnnotation::Strong => kind.bold = true,
                    RichAnnotation::Emphasis => kind.italic = true,
                    RichAnnotation::Strikeout => kind.strike = true,
                    RichAnnotation::Code => kind.code = true,
                    RichAnnotation::Preformat(_) => out.kind = LineKind::Preformatted,
                    RichAnnotation::Image(_) => kind.image = true,
                    RichAnnotation::Link(_) => kind.link = true,
                    _ => {}
                }
            }
            let text = sanitize::clean_line_keep_spaces(&ts.s);
            let link = ts.tag.iter().find_map(|a| match a {
                RichAnnotation::Link(url) if !in_footnotes => Some(url),
                _ => None,
            });
            run = match (link, run.take()) {
                // The same link as the segment before (styled parts, or wrapped over lines).
                (Some(url), Some((open, mut t))) if open == *url => {
                    if out.spans.is_empty() {
                        t.push(' ');
                    }
                    t.push_str(&text);
                    Some((open, t))
                }
                (Some(url), _) => Some((url.clone(), text.clone())),
                (None, Some((open, t))) => match link_mark(&text) {
                    Some(n) => {
                        texts.push((n, t));
                        None
                    }
                    // Blank space between the text and its mark.
                    None if text.trim().is_empty() => Some((open, t)),
                    None => None,
                },
                (None, None) => None,
            };
            for ann in &ts.tag {
                if let RichAnnotation::Image(src) = ann {
                    if images.last().is_none_or(|i| i.url != *src) {
                        let alt = text.trim();
                        let alt = alt
                            .strip_prefix("[image: ")
                            .and_then(|a| a.strip_suffix(']'))
                            .unwrap_or("");
                        images.push(Image {
                            url: sanitize::clean_line(src),
                            alt: alt.to_string(),
                            line: lines.len(),
                        });
                    }
                }
            }
            if !text.is_empty() {
                out.spans.push(RichSpan { text, kind });
            }
        }
        let text = out.text();
        // html2text writes footnotes as "[n]: url" after a blank line at the end.
        if text.starts_with("[1]: ") {
            in_footnotes = true;
        }
        if in_footnotes {
            out.kind = LineKind::LinkRef;
            if let Some((n, url)) = footnote(&text) {
                footnotes.push((n, url));
            }
        } else if out.kind == LineKind::Text {
            let trimmed = text.trim_start();
            let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
            if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
                // The style marks a heading; html2text's "## " prefix is dropped.
                out.kind = LineKind::Heading;
                let after = &trimmed[hashes..];
                let prefix = text.len() - after.trim_start().len();
                strip_prefix(&mut out.spans, prefix);
            } else if text.starts_with("> ") || text == ">" {
                out.kind = LineKind::Quote;
            }
        }
        if out.text().width() > width {
            lines.extend(split_wide(out, width));
        } else {
            lines.push(out);
        }
    }
    while lines.last().is_some_and(|l| l.text().trim().is_empty()) {
        lines.pop();
    }
    let count = footnotes.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let mut links = vec![String::new(); count];
    let mut link_texts = vec![String::new(); count];
    for (n, url) in footnotes {
        links[n - 1] = url;
    }
    for (n, text) in texts {
        if let Some(slot) = link_texts.get_mut(n.wrapping_sub(1)) {
            *slot = sanitize::clean_line(&text);
        }
    }
    Rendered {
        lines,
        links,
        link_texts,
        images,
    }
}

/// A line wider than `width` cut into lines that fit, at grapheme boundaries, styles kept.
/// html2text wraps text, but not everything it emits (a link reference whose URL holds spaces).
fn split_wide(line: RichLine, width: usize) -> Vec<RichLine> {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = vec![RichLine {
        kind: line.kind,
        spans: Vec::new(),
    }];
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for g in span.text.graphemes(true) {
            let w = g.width();
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    out.last_mut().expect("never empty").spans.push(RichSpan {
                        text: std::mem::take(&mut piece),
                        kind: span.kind,
                    });
                }
                out.push(RichLine {
                    kind: line.kind,
                    spans: Vec::new(),
                });
                used = 0;
            }
            piece.push_str(g);
            used += w;
        }
        if !piece.is_empty() {
            out.last_mut().expect("never empty").spans.push(RichSpan {
                text: piece,
                kind: span.kind,
            });
        }
    }
    out
}

/// Removes the first `bytes` bytes of the line's text, across span boundaries. `bytes` must end
/// on a character boundary of the joined text, which then is one inside a span too.
fn strip_prefix(spans: &mut Vec<RichSpan>, mut bytes: usize) {
    for span in spans.iter_mut() {
        if bytes == 0 {
            break;
        }
        let cut = bytes.min(span.text.len());
        span.text.drain(..cut);
        bytes -= cut;
    }
    spans.retain(|s| !s.text.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn the_data_leaves_captions_to_their_pictures_and_the_pane_shows_them() {
        let html = r#"<p>The story's own words.</p><figure><img src="http://e/p.png"><figcaption>A crowd outside, on Monday (AP Photo)</figcaption></figure>
            <p class="wp-caption-text">The square at dusk</p><div class="caption-wrap"><p>A long paragraph kept whatever its class says.</p></div><p>More words.</p>"#;
        let data = data_text_of(html);
        assert!(
            !data.contains("A crowd outside") && !data.contains("The square at dusk"),
            "{data}"
        );
        for kept in ["The story's own words.", "A long paragraph kept", "More words."] {
            assert!(data.contains(kept), "{kept} in {data}");
        }
        let pane = render(html, 80).body_text();
        assert!(
            pane.contains("A crowd outside") && pane.contains("The square at dusk"),
            "{pane}"
        );
    }

    #[test]
    fn data_text_leaves_the_readers_marks_out() {
        let html = "<p>The <a href='http://e/x'>scheduler work</a> landed [sic] in [2024].</p><img src='http://e/p.png' alt='a map'><p>Next <b>para</b>.</p>";
        let r = render(html, 1 << 20);
        assert!(r.body_text().contains("work[1]") && r.body_text().contains("[image: a map]"));
        assert_eq!(
            r.data_text(),
            "The scheduler work landed [sic] in [2024].\n\nNext para."
        );
        assert_eq!(r.links.len(), 2, "the links still carry what the marks pointed to");
    }

    #[test]
    fn a_long_body_gets_a_quick_first_screen_that_matches_its_start() {
        let html = "<p>word word word word word</p>".repeat(10_000);
        let first = render_first(&html, 40).expect("long body");
        let whole = render(&html, 40);
        assert!(first.lines.len() > 100 && first.lines.len() < whole.lines.len());
        assert_eq!(first.lines[..100], whole.lines[..100]);
        assert!(render_first("<p>short</p>", 40).is_none());
    }

    /// Found by the fuzzer: a link whose URL holds a newline and spaces made html2text's
    /// reference line wider than the width.
    #[test]
    fn lines_never_exceed_the_width() {
        let html = "<p><a href='/wor\n                                                                  ld'>x</a></p>";
        let r = render(html, 40);
        assert!(
            r.lines.iter().all(|l| l.text().width() <= 40),
            "{:?}",
            r.lines.iter().map(RichLine::text).collect::<Vec<_>>()
        );
        let parts: Vec<RichLine> = split_wide(RichLine::plain(LineKind::Text, "新的开源项目正式发布"), 5);
        assert_eq!(
            parts.iter().map(RichLine::text).collect::<Vec<_>>(),
            ["新的", "开源", "项目", "正式", "发布"]
        );
    }

    /// Found by the fuzzer: a "#" prefix split across spans made the heading strip slice out of
    /// a span's bounds.
    #[test]
    fn heading_prefix_split_across_spans() {
        for html in [
            "<p><b>#</b># x</p>",
            "<p><i>#</i><b>#</b> y</p>",
            "<h2><b>Bold</b> start</h2>",
            "<p>#<b> </b>z</p>",
        ] {
            let r = render(html, 40);
            assert!(
                r.lines.iter().all(|l| l.spans.iter().all(|s| !s.text.is_empty())),
                "{html}"
            );
        }
        let r = render("<h2><b>Bold</b> heading</h2>", 40);
        let line = r.lines.iter().find(|l| l.kind == LineKind::Heading).unwrap();
        assert_eq!(line.text(), "Bold heading");
    }

    #[test]
    fn hidden_elements_never_show() {
        let html = r#"<style>.gone { display: none }</style><p>Visible</p><div hidden>h1</div>
            <p style="display:none">h2</p><p class="gone">h3</p><span aria-hidden="true">h4</span>
            <template>h5</template><noscript>h6</noscript><p style="color:red">shown</p>"#;
        let text = render(html, 60).to_text();
        assert!(text.contains("Visible") && text.contains("shown"), "{text}");
        for hidden in ["h1", "h2", "h3", "h4", "h5", "h6", "display"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
    }

    #[test]
    fn tables_stay_within_the_width() {
        let html = "<table><tr><th>City</th><th>शहर</th></tr><tr><td>Tokyo</td><td>東京</td></tr></table>";
        let r = render(html, 30);
        let text = r.to_text();
        assert!(
            text.contains("Tokyo") && text.contains("東京") && text.contains("शहर"),
            "{text}"
        );
        assert!(r.lines.iter().all(|l| l.text().width() <= 30));
    }

    #[test]
    fn escapes_decoded_from_entities_never_survive() {
        let text = render("<p>&#27;[31mred&#27;]0;title&#7; &#x9b;2Jdone</p>", 40).to_text();
        assert!(text.contains("red") && text.contains("done"), "{text:?}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    }

    #[test]
    fn wraps_every_script_to_the_width() {
        let html = format!(
            "<p>{}</p><p>{}</p>",
            "शब्द ".repeat(40),
            "新的开源项目正式发布".repeat(8)
        );
        for width in [10, 23, 37] {
            for line in render(&html, width).lines {
                assert!(line.text().width() <= width, "{width}: {:?}", line.text());
            }
        }
    }

    #[test]
    fn styles_links_and_line_kinds() {
        let r = render(
            "<h2>Head</h2><p>Some <b>bold</b> and <i>it</i> with <a href='http://x.org/a'>a link</a>.</p>\
             <blockquote>quoted</blockquote><pre>  code  kept</pre><script>evil()</script><img alt='Harbour' src='p.png'>",
            40,
        );
        let all: Vec<String> = r.lines.iter().map(RichLine::text).collect();
        assert!(all.iter().any(|l| l.contains("Head")), "{all:?}");
        assert_eq!(
            r.lines.iter().find(|l| l.text().contains("Head")).unwrap().kind,
            LineKind::Heading
        );
        assert_eq!(
            r.lines.iter().find(|l| l.text().contains("quoted")).unwrap().kind,
            LineKind::Quote
        );
        let pre = r.lines.iter().find(|l| l.text().contains("code  kept")).unwrap();
        assert_eq!(pre.kind, LineKind::Preformatted);
        let spans: Vec<&RichSpan> = r.lines.iter().flat_map(|l| &l.spans).collect();
        assert!(spans.iter().any(|s| s.text == "bold" && s.kind.bold));
        assert!(spans.iter().any(|s| s.text == "it" && s.kind.italic));
        assert!(spans.iter().any(|s| s.text.contains("a link") && s.kind.link));
        assert!(all.iter().any(|l| l.contains("a link[1]")), "{all:?}");
        assert_eq!(r.links, ["http://x.org/a", "p.png"], "the image is numbered too");
        let refs: Vec<&RichLine> = r.lines.iter().filter(|l| l.kind == LineKind::LinkRef).collect();
        assert!(refs.iter().any(|l| l.text() == "[1]: http://x.org/a"), "{all:?}");
        assert!(!all.iter().any(|l| l.contains("evil")));
        assert!(all.iter().any(|l| l.contains("[image: Harbour]")), "{all:?}");
        assert!(spans
            .iter()
            .any(|s| s.text.contains("[image: Harbour]") && s.kind.image));
        for l in &all {
            assert!(l.width() <= 40, "{l:?}");
        }
    }

    #[test]
    fn each_image_knows_the_line_it_is_on() {
        let r = render(
            "<p>One.</p><p>Two.</p><img src='http://x.org/a.png' alt='A'><p>Three.</p><img src='http://x.org/b.png'>",
            40,
        );
        for image in &r.images {
            assert!(
                r.lines[image.line].text().contains("[image"),
                "{image:?} in {:?}",
                r.lines
            );
        }
        assert_eq!(r.images.len(), 2, "an image without alt is one too: {:?}", r.images);
        assert!(r.images[0].line < r.images[1].line);
        assert!(r.lines[r.images[0].line].text().contains("[image: A]"));
    }

    #[test]
    fn image_alts_show_once_and_only_when_they_say_something() {
        let html = r#"<p>Before <img src="http://e/a.png" alt="A  chart"><img src="http://e/a.png" alt="A chart">
            <img src="http://e/b.png" alt="A chart"> <img src="http://e/c.png" alt="photo">
            <img src="http://e/d.png" alt="IMG_1234.JPG"> <img src="http://e/e.png" alt="The river"> after</p>"#;
        let r = render(html, 200);
        assert_eq!(
            r.body_text(),
            "Before [image: A chart][1] [image][2] [image][3] [image][4] [image: The river][5] after"
        );
        // Numbered like links, so `o` opens them.
        assert_eq!(r.links[1], "http://e/b.png");
        let urls: Vec<&str> = r.images.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://e/a.png",
                "http://e/b.png",
                "http://e/c.png",
                "http://e/d.png",
                "http://e/e.png"
            ]
        );
        assert_eq!(r.images[0].alt, "A chart");
    }

    #[test]
    fn every_link_mark_opens_its_own_link_with_its_text() {
        let html = r#"<p><a href="http://e/x">first <b>bold</b></a> and <a href="http://e/y">second</a>,
            <a href="http://e/x">x again</a>, <a href="http://e/z"></a> and
            <a href="http://e/w"><img src="http://e/w.png" alt="Map of the route"></a>.</p>"#;
        let r = render(html, 30);
        // A link with nothing in it gets no mark, so no number.
        assert_eq!(r.links, ["http://e/x", "http://e/y", "http://e/x", "http://e/w"]);
        assert_eq!(
            r.link_texts,
            ["first bold", "second", "x again", "[image: Map of the route]"]
        );
        let text = r.body_text().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("x again[3]") && text.contains("route][4]"), "{text}");
    }
}
