//! `khabar list` and `khabar search`: articles in a view's order (a query narrows them), as
//! aligned text or JSON Lines.
//! Pages through the cache, so even a huge list never sits in memory at once.

use std::io::{self, BufWriter, Write};

use crate::model::{ArticleSummary, Filter};
use crate::query::Query;
use crate::store::Store;
use crate::text::width;

use super::ListArgs;

const PAGE: usize = 500;

pub fn list(store: &Store, args: &ListArgs) -> anyhow::Result<()> {
    let filter = Filter {
        unread_only: args.unread,
        starred_only: args.starred,
        tag: args.tag.clone(),
        feed_url: args.feed.clone(),
        query: args.query.clone(),
        show_hidden: args.hidden,
        sort: args.sort,
        stories: args.stories,
        expanded: None,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut remaining = args.limit.unwrap_or(usize::MAX);
    let mut cursor = None;
    while remaining > 0 {
        let page = store.list(&filter, remaining.min(PAGE), cursor.as_ref())?;
        write_page(&mut out, store, &page, args.json, args.stories)?;
        remaining -= page.len();
        match page.last() {
            Some(last) if page.len() == PAGE => cursor = Some(store.cursor_of(last.id)?),
            _ => break,
        }
    }
    finish(out)
}

pub fn search(store: &Store, query: &Query, json: bool, limit: Option<usize>) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    let found = store.search(query, &Filter::default(), limit.unwrap_or(1000))?;
    write_page(&mut out, store, &found, json, false)?;
    finish(out)
}

/// A page of articles; as JSON, each with its attachments (`enclosures`, read for the page at once).
/// With `stories`, a story's line names its other feeds.
fn write_page(
    out: &mut impl Write,
    store: &Store,
    page: &[ArticleSummary],
    json: bool,
    stories: bool,
) -> anyhow::Result<()> {
    if !json {
        for a in page {
            write_article(out, a, false)?;
            if stories && !a.also_in.is_empty() {
                let feeds: Vec<&str> = a.also_in.iter().map(|m| m.feed_title.as_str()).collect();
                let line = format!("{:>7}   +{} also in {}", "", a.also_in.len(), feeds.join(", "));
                match writeln!(out, "{line}") {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    other => other?,
                }
            }
        }
        return Ok(());
    }
    let ids: Vec<_> = page.iter().map(|a| a.id).collect();
    let mut enclosures = store.enclosures(&ids)?;
    for a in page {
        let mut v = article_json(a);
        v["enclosures"] = serde_json::json!(enclosures.remove(&a.id).unwrap_or_default());
        match writeln!(out, "{v}") {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    Ok(())
}

/// A closed pipe (`khabar list | head`) is a normal end, not an error.
pub(super) fn finish(mut out: impl Write) -> anyhow::Result<()> {
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

pub(super) fn write_article(out: &mut impl Write, a: &ArticleSummary, as_json: bool) -> anyhow::Result<()> {
    let result = if as_json {
        writeln!(out, "{}", article_json(a))
    } else {
        let date = a
            .published
            .map(|p| p.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "                ".into());
        let flags = format!(
            "{}{}",
            if a.read { ' ' } else { 'N' },
            if a.starred { '*' } else { ' ' }
        );
        writeln!(
            out,
            "{:>7} {flags} {date}  {}  {}{}",
            a.id.0,
            width::fit(&a.feed_title, 24),
            a.shown_title(),
            if a.hidden { "  (hidden)" } else { "" }
        )
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The JSON Lines contract of `list` and `search` (defined once, on the type).
pub fn article_json(a: &ArticleSummary) -> serde_json::Value {
    a.to_json()
}
