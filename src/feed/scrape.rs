//! A web page without a feed read as one: `[feed.scrape]`'s CSS selectors find its items, their
//! titles, links (made absolute: each item's identity), dates, summaries and authors.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use dom_query::{Document, Matcher, Selection};
use url::Url;

use crate::config::{split_selector, Scrape};
use crate::model::{FeedMeta, NewArticle};
use crate::text::{sanitize, width};

use super::dates::parse_date;
use super::parse::{ParseError, ParsedFeed};

/// Most items read from one page.
const MAX_ITEMS: usize = 1000;
const MAX_TITLE_COLUMNS: usize = 1000;

/// The page's items. An error names the selector that matched nothing.
pub fn scrape<'a>(html: &str, base: Option<&Url>, rules: &'a Scrape) -> Result<ParsedFeed, ParseError> {
    let doc = Document::from(html);
    let (item, _) = field("item", &rules.item)?;
    let items = doc.select_matcher(&item);
    if items.is_empty() {
        return Err(ParseError::Invalid(format!(
            "scrape item: {:?} matched nothing on the page",
            rules.item
        )));
    }
    let optional = |key, sel: &'a Option<String>| sel.as_deref().map(|s| field(key, s)).transpose();
    let fields = Fields {
        title: field("title", &rules.title)?,
        link: field("link", &rules.link)?,
        date: optional("date", &rules.date)?,
        summary: optional("summary", &rules.summary)?,
        author: optional("author", &rules.author)?,
    };
    let mut articles = Vec::new();
    let (mut titled, mut linked) = (false, false);
    for node in items.iter().take(MAX_ITEMS) {
        let title = read(&node, &fields.title).map(|t| width::truncate(&sanitize::clean_line(&t), MAX_TITLE_COLUMNS));
        let link = read(&node, &fields.link).and_then(|l| absolute(&l, base));
        titled |= title.is_some();
        linked |= link.is_some();
        let (Some(title), Some(link)) = (title, link) else {
            continue;
        };
        let published = fields
            .date
            .as_ref()
            .and_then(|d| read(&node, d))
            .and_then(|d| date(&d, rules.date_format.as_deref()));
        let content = fields.summary.as_ref().and_then(|s| summary(&node, s));
        let author = fields
            .author
            .as_ref()
            .and_then(|a| read(&node, a))
            .map(|a| width::truncate(&sanitize::clean_line(&a), 200));
        if articles.iter().any(|a: &NewArticle| a.key == link) {
            continue;
        }
        articles.push(NewArticle {
            key: link.clone(),
            title,
            link: Some(link),
            author,
            published,
            content,
            enclosures: Vec::new(),
        });
    }
    if articles.is_empty() {
        let (key, sel) = if titled && !linked {
            ("link", &rules.link)
        } else {
            ("title", &rules.title)
        };
        return Err(ParseError::Invalid(format!(
            "scrape {key}: {sel:?} matched nothing inside the {} items",
            items.length()
        )));
    }
    let page_title = doc.select("title").text();
    Ok(ParsedFeed {
        meta: FeedMeta {
            title: Some(sanitize::clean_line(page_title.trim())).filter(|t| !t.is_empty()),
            site_url: base.map(Url::to_string),
        },
        articles,
    })
}

/// A selector compiled, with the attribute read from its match (None: its text).
type Field<'a> = (Matcher, Option<&'a str>);

struct Fields<'a> {
    title: Field<'a>,
    link: Field<'a>,
    date: Option<Field<'a>>,
    summary: Option<Field<'a>>,
    author: Option<Field<'a>>,
}

/// `key`'s selector (`css@attr`) compiled; the error names the key.
fn field<'a>(key: &str, sel: &'a str) -> Result<Field<'a>, ParseError> {
    let (css, attr) = split_selector(sel);
    let matcher =
        Matcher::new(css).map_err(|_| ParseError::Invalid(format!("scrape {key}: {sel:?} is not a CSS selector")))?;
    Ok((matcher, attr))
}

/// The first match inside the item (the item itself when it matches, as `a@href` on an `<a>`
/// item): its attribute, else its text, trimmed; None when empty.
fn read(item: &Selection, (matcher, attr): &Field) -> Option<String> {
    let found = if item.is_matcher(matcher) {
        item.clone()
    } else {
        item.select_single_matcher(matcher)
    };
    if found.is_empty() {
        return None;
    }
    let value = match attr {
        Some(a) => found.attr(a)?.to_string(),
        None => found.text().to_string(),
    };
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!value.is_empty()).then_some(value)
}

/// A summary's HTML (for a text attribute, the text escaped).
fn summary(item: &Selection, (matcher, attr): &Field) -> Option<String> {
    let found = item.select_single_matcher(matcher);
    if found.is_empty() {
        return None;
    }
    let html = match attr {
        Some(a) => html_escape::encode_text(&found.attr(a)?.to_string()).into_owned(),
        None => found.inner_html().to_string(),
    };
    let html = sanitize::clean_body(&html);
    (!html.trim().is_empty()).then_some(html)
}

/// http(s) links only, resolved against the page.
fn absolute(link: &str, base: Option<&Url>) -> Option<String> {
    let url = match base {
        Some(b) => b.join(link.trim()).ok()?,
        None => Url::parse(link.trim()).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| sanitize::clean_line(url.as_str()))
}

/// A date in the forms feeds use, else in `format` (chrono's), a date alone at midnight UTC.
fn date(text: &str, format: Option<&str>) -> Option<DateTime<Utc>> {
    if let Some(f) = format {
        if let Ok(d) = DateTime::parse_from_str(text, f) {
            return Some(d.with_timezone(&Utc));
        }
        if let Ok(d) = NaiveDateTime::parse_from_str(text, f) {
            return Some(d.and_utc());
        }
        if let Ok(d) = NaiveDate::parse_from_str(text, f) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    parse_date(text).or_else(|| {
        NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
    })
}
