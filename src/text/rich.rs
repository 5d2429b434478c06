//! An HTML body as styled, wrapped lines (html2text's annotated output), with inline link
//! numbers and a numbered link list at the end. Style kinds, not colours: the UI's theme decides.

use html2text::render::RichAnnotation;

use super::sanitize;

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

/// A rendered body: its lines and its links in reference order ([1] is `links[0]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub lines: Vec<RichLine>,
    pub links: Vec<String>,
}

/// Renders HTML to at most `width` columns. Never fails: unparseable HTML falls back to text.
pub fn render(html: &str, width: usize) -> Rendered {
    let width = width.max(10);
    let tagged = html2text::config::rich()
        .link_footnotes(true)
        .lines_from_read(html.as_bytes(), width);
    let Ok(tagged) = tagged else {
        let text = super::html::to_plain(html);
        return Rendered {
            lines: vec![RichLine::plain(LineKind::Text, text)],
            links: Vec::new(),
        };
    };
    let mut lines = Vec::with_capacity(tagged.len());
    let mut links = Vec::new();
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
                    RichAnnotation::Link(url) => {
                        kind.link = true;
                        if !links.contains(url) {
                            links.push(url.clone());
                        }
                    }
                    _ => {}
                }
            }
            let text = sanitize::clean_line_keep_spaces(&ts.s);
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
        } else if out.kind == LineKind::Text {
            let trimmed = text.trim_start();
            let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
            if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
                // The style marks a heading; html2text's "## " prefix is dropped.
                out.kind = LineKind::Heading;
                if let Some(first) = out.spans.first_mut() {
                    let t = first.text.trim_start();
                    first.text = t[hashes..].trim_start().to_string();
                }
                out.spans.retain(|s| !s.text.is_empty());
            } else if text.starts_with("> ") || text == ">" {
                out.kind = LineKind::Quote;
            }
        }
        lines.push(out);
    }
    while lines.last().is_some_and(|l| l.text().trim().is_empty()) {
        lines.pop();
    }
    Rendered { lines, links }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn styles_links_and_line_kinds() {
        let r = render(
            "<h2>Head</h2><p>Some <b>bold</b> and <i>it</i> with <a href='http://x.org/a'>a link</a>.</p>\
             <blockquote>quoted</blockquote><pre>  code  kept</pre><script>evil()</script><img alt='Pic' src='p.png'>",
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
        assert_eq!(r.links, ["http://x.org/a"]);
        let refs: Vec<&RichLine> = r.lines.iter().filter(|l| l.kind == LineKind::LinkRef).collect();
        assert!(refs.iter().any(|l| l.text() == "[1]: http://x.org/a"), "{all:?}");
        assert!(!all.iter().any(|l| l.contains("evil")));
        for l in &all {
            assert!(l.width() <= 40, "{l:?}");
        }
    }
}
