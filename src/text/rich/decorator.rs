//! How html2text's output is decorated: its rich decorator, but with images as "[image: alt]"
//! shown only where they add something.

use html2text::render::{RichAnnotation, RichDecorator, TaggedLine, TextDecorator};

/// html2text's rich decorator, but images read "[image: alt]" (wrapped with the text, so the
/// width stays exact): the alt only when it says something and not twice in a row, and an
/// image repeated at once (a picture and its fallback) only once.
#[derive(Clone)]
pub(super) struct Decorator(pub(super) RichDecorator, pub(super) LastImage);

#[derive(Clone, Default)]
pub(super) struct LastImage {
    src: String,
    alt: String,
}

/// Alt text that says nothing: empty, a generic word, a file name, a number.
fn says_nothing(alt: &str) -> bool {
    let lower = alt.to_lowercase();
    let generic = [
        "image",
        "img",
        "photo",
        "picture",
        "pic",
        "thumbnail",
        "placeholder",
        "graphic",
    ];
    let file = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"];
    alt.is_empty()
        || generic.contains(&lower.as_str())
        || file.iter().any(|ext| lower.ends_with(ext))
        || alt
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '-' || c == '_')
}

impl TextDecorator for Decorator {
    type Annotation = RichAnnotation;

    fn decorate_link_start(&mut self, url: &str) -> (String, RichAnnotation) {
        self.0.decorate_link_start(url)
    }
    fn decorate_link_end(&mut self) -> String {
        self.0.decorate_link_end()
    }
    fn decorate_em_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_em_start()
    }
    fn decorate_em_end(&self) -> String {
        self.0.decorate_em_end()
    }
    fn decorate_strong_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_strong_start()
    }
    fn decorate_strong_end(&self) -> String {
        self.0.decorate_strong_end()
    }
    fn decorate_strikeout_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_strikeout_start()
    }
    fn decorate_strikeout_end(&self) -> String {
        self.0.decorate_strikeout_end()
    }
    fn decorate_code_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_code_start()
    }
    fn decorate_code_end(&self) -> String {
        self.0.decorate_code_end()
    }
    fn decorate_preformat_first(&self) -> RichAnnotation {
        self.0.decorate_preformat_first()
    }
    fn decorate_preformat_cont(&self) -> RichAnnotation {
        self.0.decorate_preformat_cont()
    }
    fn decorate_image(&mut self, src: &str, title: &str) -> (String, RichAnnotation) {
        let alt = title.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = if !src.is_empty() && src == self.1.src {
            String::new()
        } else if says_nothing(&alt) || alt == self.1.alt {
            "[image]".to_string()
        } else {
            format!("[image: {alt}]")
        };
        self.1 = LastImage {
            src: src.to_string(),
            alt,
        };
        (text, RichAnnotation::Image(src.to_string()))
    }
    fn header_prefix(&self, level: usize) -> String {
        self.0.header_prefix(level)
    }
    fn quote_prefix(&self) -> String {
        self.0.quote_prefix()
    }
    fn unordered_item_prefix(&self) -> String {
        self.0.unordered_item_prefix()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        self.0.ordered_item_prefix(i)
    }
    fn make_subblock_decorator(&self) -> Self {
        self.clone()
    }
    fn finalise(&mut self, urls: Vec<String>) -> Vec<TaggedLine<RichAnnotation>> {
        self.0.finalise(urls)
    }
}
