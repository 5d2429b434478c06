//! feed-rs documents to the model: every text field sanitised, links resolved, a stable key per
//! item, and feed-rs panics contained so one bad document only fails its own feed.

use feed_rs::model::{Entry, Link, Text};
use sha2::{Digest, Sha256};
use url::Url;

use super::rewrite;
use crate::model::{Enclosure, FeedMeta, NewArticle};
use crate::text::{html, sanitize, width};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("not a feed: {0}")]
    Invalid(String),
    #[error("the feed parser crashed on this document: {}", .0 .0)]
    Panicked(#[from] crate::panics::Panicked),
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub meta: FeedMeta,
    pub articles: Vec<NewArticle>,
}

/// Longest title, author and feed name kept, in columns: a 100 KB title is an attack, not news.
const MAX_TITLE_COLUMNS: usize = 1000;
const MAX_NAME_COLUMNS: usize = 200;

/// Parses UTF-8 feed text (see `decode`). `base` resolves relative links. Dialects feed-rs
/// reads without items are rewritten first; a document it refuses is retried once after
/// repairs (docs/compatibility.md lists them in order).
pub fn parse(original: &str, base: Option<&Url>) -> Result<ParsedFeed, ParseError> {
    let text = rewrite::before_parse(original);
    let feed = match parse_once(&text, base) {
        Ok(feed) => feed,
        // Report the original error if the repaired document fails too.
        Err(first) => match rewrite::repaired(&text) {
            Some(fixed) => parse_once(&fixed, base).map_err(|_| first)?,
            None => return Err(first),
        },
    };
    // feed-rs read the document "fine" and lost every item: an element left open before them
    // swallowed them (`<title>Broken<item>…`). That is an error, never "ok, 0 new". (Counted
    // in the document as served: the repairs may have turned such items into text.)
    match item_tags(original) {
        n if n > 0 && feed.articles.is_empty() => Err(ParseError::Invalid(format!(
            "the document has {n} item{} but none could be read: its XML is broken before them (an element left open?)",
            if n == 1 { "" } else { "s" }
        ))),
        _ => Ok(feed),
    }
}

/// How many `<item>` or `<entry>` start tags the XML text has (JSON Feed: none).
fn item_tags(text: &str) -> usize {
    let bytes = text.as_bytes();
    ["<item", "<entry"]
        .iter()
        .map(|tag| {
            memchr::memmem::find_iter(bytes, tag.as_bytes())
                .filter(|&at| {
                    matches!(
                        bytes.get(at + tag.len()),
                        Some(b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'/')
                    )
                })
                .count()
        })
        .sum()
}

fn parse_once(text: &str, base: Option<&Url>) -> Result<ParsedFeed, ParseError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.map(Url::as_str))
        // An empty id marks items without one: we derive our own stable key (feed-rs would
        // otherwise make a random one when there is no link or title either).
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(super::dates::parse_date)
        .sanitize_content(false)
        .build();
    let feed =
        crate::panics::contain(|| parser.parse(text.as_bytes()))?.map_err(|e| ParseError::Invalid(e.to_string()))?;

    let feed_base = base.cloned();
    let atom = feed.feed_type == feed_rs::model::FeedType::Atom;
    let meta = FeedMeta {
        title: feed
            .title
            .as_ref()
            .map(|t| width::truncate(&text_to_line(t, atom), MAX_NAME_COLUMNS))
            .filter(|t| !t.is_empty()),
        site_url: pick_link(&feed.links, feed_base.as_ref()),
    };
    let feed_author = feed
        .authors
        .iter()
        .find_map(|p| p.name.as_deref().map(sanitize::clean_line));
    let articles = feed
        .entries
        .iter()
        .map(|e| to_article(e, feed_base.as_ref(), feed_author.as_deref(), atom))
        .collect();
    Ok(ParsedFeed { meta, articles })
}

fn to_article(e: &Entry, feed_base: Option<&Url>, feed_author: Option<&str>, atom: bool) -> NewArticle {
    let base = e
        .base
        .as_deref()
        .and_then(|b| match feed_base {
            Some(fb) => fb.join(b).ok(),
            None => Url::parse(b).ok(),
        })
        .or_else(|| feed_base.cloned());
    // A guid that is a web address is the permalink when the item has no link.
    let link = pick_link(&e.links, base.as_ref()).or_else(|| {
        Url::parse(e.id.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| sanitize::clean_line(u.as_str()))
    });
    let content = e
        .content
        .as_ref()
        .and_then(|c| Some(body_to_html(is_plain_type(&c.content_type), c.body.as_deref()?)))
        .or_else(|| e.summary.as_ref().map(text_to_html))
        // A YouTube entry (Media RSS only): its description is the body, its thumbnail an image.
        .or_else(|| media_body(e))
        .map(|b| sanitize::clean_body(&b))
        .filter(|b| !b.trim().is_empty());
    // The title, else a media title (feed-rs keeps `media:title` on the media object), else
    // the start of the text; else none ("", shown as "(untitled)").
    let media_title = e.media.iter().find_map(|m| m.title.as_ref());
    let mut title = e
        .title
        .as_ref()
        .or(media_title)
        .map(|t| width::truncate(&text_to_line(t, atom), MAX_TITLE_COLUMNS))
        .unwrap_or_default();
    if title.is_empty() {
        title = content
            .as_deref()
            .map(html::to_plain)
            .map(|t| width::truncate(&t, 80))
            .unwrap_or_default();
    }
    let author = e
        .authors
        .iter()
        .find_map(person_name)
        .or_else(|| feed_author.map(str::to_string));
    let published = e.published.or(e.updated);

    let id = sanitize::clean_line(&e.id);
    let key = if !id.is_empty() {
        format!("id:{id}")
    } else if let Some(link) = &link {
        format!("link:{link}")
    } else {
        let mut h = Sha256::new();
        h.update(title.as_bytes());
        h.update(published.map(|p| p.to_rfc3339()).unwrap_or_default());
        h.update(content.as_deref().unwrap_or(""));
        format!("hash:{:x}", h.finalize())
    };
    NewArticle {
        key,
        title,
        link,
        author,
        published,
        content,
        enclosures: enclosures_of(e, base.as_ref()),
    }
}

/// Most attachments kept per article (a hostile feed may list thousands).
const MAX_ENCLOSURES: usize = 20;

/// The files attached to an entry, in document order, each address once: RSS `<enclosure>` and
/// Media RSS `media:content` (feed-rs files both as media objects), Atom `rel="enclosure"`
/// links and JSON Feed attachments (links with a type). Only http(s) addresses.
fn enclosures_of(e: &Entry, base: Option<&Url>) -> Vec<Enclosure> {
    let mut out: Vec<Enclosure> = Vec::new();
    let mut push = |url: &str, mime: Option<String>, length: Option<u64>, duration: Option<u64>| {
        let Some(url) = absolute_http(url, base) else {
            return;
        };
        if out.len() < MAX_ENCLOSURES && !out.iter().any(|x| x.url == url) {
            out.push(Enclosure {
                url,
                mime: mime
                    .map(|m| sanitize::clean_line(&m))
                    .filter(|m| !m.is_empty() && m.len() <= 100),
                length: length.filter(|n| *n > 0),
                duration: duration.filter(|d| *d > 0),
            });
        }
    };
    for m in &e.media {
        for c in &m.content {
            if let Some(url) = &c.url {
                let duration = c.duration.or(m.duration).map(|d| d.as_secs());
                push(
                    url.as_str(),
                    c.content_type.as_ref().map(ToString::to_string),
                    c.size,
                    duration,
                );
            }
        }
    }
    for l in &e.links {
        let attached = match l.rel.as_deref() {
            Some(rel) => rel == "enclosure",
            // A JSON Feed attachment: a link with a type and no relation.
            None => l.media_type.is_some(),
        };
        if attached {
            push(&l.href, l.media_type.clone(), l.length, None);
        }
    }
    // A media group's length without one on its content: the first audio or video attachment's.
    // (feed-rs drops `itunes:duration` when the item has no `itunes:image`: not known then.)
    let episode_length = e.media.iter().find_map(|m| m.duration).map(|d| d.as_secs());
    if let Some(first) = out.iter_mut().find(|x| {
        x.mime
            .as_deref()
            .is_some_and(|m| m.starts_with("audio/") || m.starts_with("video/"))
    }) {
        first.duration = first.duration.or(episode_length.filter(|d| *d > 0));
    }
    out
}

/// An http(s) address, made absolute against `base`; None for any other scheme.
fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let url = match Url::parse(href.trim()) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href.trim()).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| sanitize::clean_line(url.as_str()))
}

/// The body of an entry that has only Media RSS: its description as text, after its thumbnail.
fn media_body(e: &Entry) -> Option<String> {
    let m = e
        .media
        .iter()
        .find(|m| m.description.is_some() || !m.thumbnails.is_empty())?;
    let mut body = String::new();
    if let Some(thumb) = m.thumbnails.first() {
        if let Some(src) = absolute_http(&thumb.image.uri, None) {
            let alt = m.title.as_ref().map(|t| t.content.as_str()).unwrap_or("thumbnail");
            body.push_str(&format!(
                "<p><img src=\"{}\" alt=\"{}\"></p>",
                html_escape::encode_double_quoted_attribute(&src),
                html_escape::encode_double_quoted_attribute(alt)
            ));
        }
    }
    if let Some(d) = &m.description {
        body.push_str(&text_to_html(d));
    }
    (!body.is_empty()).then_some(body)
}

/// A person as a display name: "Jane Doe" from "jane@x.org (Jane Doe)" or "Jane Doe (jane@x.org)";
/// the address when there is no name.
fn person_name(p: &feed_rs::model::Person) -> Option<String> {
    let clean = |s: &str| html::to_plain(s);
    let mut name = p.name.as_deref().map(clean).unwrap_or_default();
    // "Name (email)" or "email (Name)" in one field.
    if let (Some(open), true) = (name.find('('), name.ends_with(')')) {
        let outside = name[..open].trim().to_string();
        let inside = name[open + 1..name.len() - 1].trim().to_string();
        // The part that is not an address is the name.
        name = if outside.is_empty() || (outside.contains('@') && !inside.is_empty()) {
            inside
        } else {
            outside
        };
    }
    let name = name.trim_matches(|c: char| c == '"' || c.is_whitespace()).to_string();
    let name = if name.is_empty() {
        p.email.as_deref().map(clean).unwrap_or_default()
    } else {
        name
    };
    (!name.is_empty()).then(|| width::truncate(&name, MAX_NAME_COLUMNS))
}

/// A text construct as one plain line: markup removed and entities decoded, except in Atom's
/// explicit `type="text"`, where "<" is a character (RSS titles are often escaped HTML).
fn text_to_line(t: &Text, atom: bool) -> String {
    if atom && is_plain(t) {
        sanitize::clean_line(&t.content)
    } else {
        html::to_plain(&t.content)
    }
}

fn is_plain(t: &Text) -> bool {
    is_plain_type(&t.content_type)
}

fn is_plain_type(content_type: &impl std::fmt::Display) -> bool {
    content_type.to_string().starts_with("text/plain")
}

/// Text that carries markup although declared plain (common in RSS 1.0 descriptions).
fn looks_like_html(s: &str) -> bool {
    ["</", "<br", "<p>", "<img", "<a ", "&lt;", "&amp;", "&#"]
        .iter()
        .any(|m| s.contains(m))
}

/// A text construct as HTML: plain text is escaped and keeps its line breaks.
fn text_to_html(t: &Text) -> String {
    body_to_html(is_plain(t), &t.content)
}

fn body_to_html(plain: bool, content: &str) -> String {
    if plain && !looks_like_html(content) {
        let escaped = html_escape::encode_text(content);
        format!("<p>{}</p>", escaped.replace("\n\n", "</p><p>").replace('\n', "<br>"))
    } else {
        content.to_string()
    }
}

/// The alternate (or first) link, absolute, http(s) only.
fn pick_link(links: &[Link], base: Option<&Url>) -> Option<String> {
    let alternate = links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"));
    let href = alternate.or(links.first())?.href.trim();
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| sanitize::clean_line(url.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_version_attributes_never_panic() {
        for doc in [
            "<rss version=ている。</p",
            "<rss version=",
            "<rss version='",
            "<rss version=\"2.0",
            "<rss",
        ] {
            assert!(parse(doc, None).is_err(), "{doc}");
        }
    }

    #[test]
    fn rss_without_version_is_retried_as_2_0() {
        let doc = "<rss><channel><title>T</title><item><title>A</title><link>http://x/a</link></item></channel></rss>";
        let f = parse(doc, None).unwrap();
        assert_eq!(f.articles.len(), 1);
        let doc = doc.replace("<rss>", "<rss version='0.94'>");
        assert_eq!(parse(&doc, None).unwrap().articles[0].title, "A");
    }

    #[test]
    fn keys_are_stable_without_guid_or_link() {
        let doc = "<rss version=\"2.0\"><channel><title>T</title><item><description>only text</description></item></channel></rss>";
        let a = parse(doc, None).unwrap();
        let b = parse(doc, None).unwrap();
        assert_eq!(a.articles[0].key, b.articles[0].key);
        assert!(a.articles[0].key.starts_with("hash:"));
        assert_eq!(a.articles[0].title, "only text");
    }

    #[test]
    fn relative_links_resolve_and_unsafe_links_drop() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://ex.org/blog/"><title>T</title><id>f</id>
            <entry><id>1</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title><link href="posts/1"/></entry>
            <entry><id>2</id><title>J</title><link href="javascript:alert(1)"/></entry></feed>"#;
        let f = parse(doc, Some(&Url::parse("http://other.org/feed").unwrap())).unwrap();
        assert_eq!(f.articles[0].link.as_deref(), Some("http://ex.org/blog/posts/1"));
        assert_eq!(f.articles[0].title, "Bold & more");
        assert_eq!(f.articles[1].link, None);
    }

    #[test]
    fn entities_are_never_expanded_or_resolved() {
        let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        laughs.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..10 {
            let prev = format!("&lol{};", i - 1).repeat(10);
            laughs.push_str(&format!("<!ENTITY lol{i} \"{prev}\">\n"));
        }
        laughs.push_str(
            "]>\n<rss version=\"2.0\"><channel><title>T</title><item><title>&lol9;</title></item></channel></rss>",
        );
        // Either refused or kept small: never a billion "lol"s.
        if let Ok(f) = parse(&laughs, None) {
            assert!(f.articles.iter().all(|a| a.title.len() < 1000));
        }
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
            <rss version=\"2.0\"><channel><title>T</title><item><title>x&xxe;y</title></item></channel></rss>";
        if let Ok(f) = parse(xxe, None) {
            assert!(f.articles.iter().all(|a| !a.title.contains("root:")));
        }
    }

    #[test]
    fn items_lost_to_an_element_left_open_are_an_error_not_an_empty_feed() {
        let broken = r#"<rss version="2.0"><channel><title>Broken<item><title>x</title></channel></rss>"#;
        let e = parse(broken, None).unwrap_err().to_string();
        assert!(e.contains("1 item but none could be read"), "{e}");
        let empty = r#"<rss version="2.0"><channel><title>Quiet</title><itemsCount>0</itemsCount></channel></rss>"#;
        assert_eq!(parse(empty, None).unwrap().articles.len(), 0);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            parse("<html><body>hi</body></html>", None),
            Err(ParseError::Invalid(_))
        ));
        assert!(parse("", None).is_err());
    }
}
