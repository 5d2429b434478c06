//! `khabar show ID [--full] [--json]`: one article as text, the title block then the body
//! wrapped to a width, or as one JSON object; with --full, the article from its web page.

use crate::text::attachments::with_attachments;
use std::io::{self, IsTerminal, Write};

use anyhow::Context;
use serde_json::json;

use crate::config::Config;
use crate::feed::full::fetch_full;
use crate::feed::{Fetcher, Limits};
use crate::model::{Article, ArticleId};
use crate::store::Store;
use crate::text::{rich, width};

/// Prints the article. With `full` (or for a `full_text` feed whose page is cached) the body is
/// the full article from its web page, fetched once and cached; if that fails, the feed's own
/// text is shown and stderr says why.
pub async fn run(store: &mut Store, config: &Config, id: i64, shape: ShowAs, full: bool) -> anyhow::Result<()> {
    let mut article = store
        .article(ArticleId(id))?
        .with_context(|| format!("no article with id {id} (see `khabar list`)"))?;
    let full_text_feed = config
        .feeds
        .iter()
        .any(|f| f.url == article.summary.feed_url && f.full_text);
    if full && article.full_content.is_none() {
        let fetcher = Fetcher::new(Limits::from(&config.general))?;
        match fetch_full(
            &fetcher,
            article.summary.link.as_deref(),
            config.reader_selector(&article.summary.feed_url).as_deref(),
        )
        .await
        {
            Ok(html) => {
                store.set_full_content(article.summary.id, Ok(&html))?;
                article.full_content = Some(html);
            }
            Err(e) => {
                store.set_full_content(article.summary.id, Err(&e.to_string()))?;
                eprintln!("khabar: no full article ({e}); showing the feed's text");
            }
        }
    }
    if !(full || full_text_feed) {
        article.full_content = None;
    }
    let width = match shape {
        ShowAs::Json => {
            let full_error = store.full_error(article.summary.id)?;
            let v = article_json(&article, full_error.as_deref());
            writeln!(io::stdout().lock(), "{v}")?;
            return Ok(());
        }
        ShowAs::Text { width } => width,
    };
    let width = width
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
        .unwrap_or(80);
    let stdout = io::stdout();
    let styled = stdout.is_terminal();
    let mut out = stdout.lock();
    write!(out, "{}", render(&article, width, styled))?;
    Ok(())
}

/// How `show` prints the article.
#[derive(Debug, Clone, Copy)]
pub enum ShowAs {
    /// Wrapped to this width (default: $COLUMNS, else 80).
    Text {
        width: Option<usize>,
    },
    Json,
}

/// The HTML `show` renders, as the article pane does: reader mode's text (without a headline
/// that is the title) else the feed's, then the attachments; None when there is nothing.
fn shown_body(article: &Article) -> Option<String> {
    let full = article
        .full_content
        .as_deref()
        .map(|f| crate::text::reader::without_title(f, &article.summary.title));
    match full.or(article.content.as_deref()) {
        Some(b) => Some(with_attachments(b, &article.enclosures)),
        None if !article.enclosures.is_empty() => Some(with_attachments("", &article.enclosures)),
        None => None,
    }
}

/// The JSON contract of `show --json`: `list --json`'s fields, whether reader mode's text is
/// the body (`full`) and why it could not be had, the body as plain text, its links (numbered
/// as the reader numbers them) and its images.
fn article_json(article: &Article, full_error: Option<&str>) -> serde_json::Value {
    let a = &article.summary;
    let body = shown_body(article);
    let rendered = body
        .as_deref()
        .map(|html| {
            crate::panics::contain(|| rich::render(html, rich::UNWRAPPED)).unwrap_or_else(|e| {
                tracing::error!("rendering article {}: {e}", a.id.0);
                rich::Rendered {
                    lines: vec![rich::RichLine::plain(
                        rich::LineKind::Text,
                        crate::text::html::to_plain(html),
                    )],
                    ..rich::Rendered::default()
                }
            })
        })
        .unwrap_or_default();
    let mut v = super::list::article_json(a);
    let fields = [
        ("full", json!(article.full_content.is_some())),
        ("enclosures", json!(article.enclosures)),
        ("full_error", json!(full_error)),
        (
            "body_text",
            json!(
                body.as_deref()
                    .map(|html| crate::panics::contain(|| rich::data_text_of(html))
                        .unwrap_or_else(|_| rendered.data_text()))
                    .unwrap_or_default()
            ),
        ),
        (
            "links",
            json!(rendered
                .links
                .iter()
                .zip(&rendered.link_texts)
                .enumerate()
                .map(|(i, (url, text))| json!({"n": i + 1, "url": url, "text": text}))
                .collect::<Vec<_>>()),
        ),
        (
            "images",
            json!(rendered
                .images
                .iter()
                .map(|i| json!({"url": i.url, "alt": i.alt}))
                .collect::<Vec<_>>()),
        ),
    ];
    if let Some(map) = v.as_object_mut() {
        for (k, value) in fields {
            map.insert(k.to_string(), value);
        }
    }
    v
}

/// The article as the article pane shows it. `styled` adds bold to the title (terminals only).
/// Every line fits `width` but the link, which stays whole so it can be copied.
pub fn render(article: &Article, width: usize, styled: bool) -> String {
    let a = &article.summary;
    let mut s = String::new();
    for line in width::wrap(a.shown_title(), width) {
        if styled {
            s.push_str(&format!("\x1b[1m{line}\x1b[0m\n"));
        } else {
            s.push_str(&format!("{line}\n"));
        }
    }
    s.push_str(&format!(
        "Feed:   {}\n",
        width::truncate(&a.feed_title, width.saturating_sub(8))
    ));
    if let Some(author) = &a.author {
        s.push_str(&format!(
            "Author: {}\n",
            width::truncate(author, width.saturating_sub(8))
        ));
    }
    if let Some(p) = a.published {
        s.push_str(&format!(
            "Date:   {}\n",
            p.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M %Z")
        ));
    }
    if let Some(link) = &a.link {
        s.push_str(&format!("Link:   {link}\n"));
    }
    s.push('\n');
    let body = shown_body(article);
    if let Some(body) = body.as_deref() {
        // The article pane's renderer, as plain text; a renderer panic on hostile HTML falls
        // back to the body's plain text.
        match crate::panics::contain(|| rich::render(body, width).to_text()) {
            Ok(text) => s.push_str(&text),
            Err(e) => {
                tracing::error!("rendering article {}: {e}", a.id.0);
                for line in width::wrap(&crate::text::html::to_plain(body), width) {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        }
    }
    s
}
