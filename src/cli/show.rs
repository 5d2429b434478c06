//! `khabar show ID`: one article as text, the title block then the body wrapped to a width.

use std::io::{self, IsTerminal, Write};

use anyhow::Context;

use crate::model::{Article, ArticleId};
use crate::store::Store;
use crate::text::rich;

pub fn run(store: &Store, id: i64, width: Option<usize>) -> anyhow::Result<()> {
    let article = store
        .article(ArticleId(id))?
        .with_context(|| format!("no article with id {id} (see `khabar list`)"))?;
    let width = width
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
        .unwrap_or(80);
    let stdout = io::stdout();
    let styled = stdout.is_terminal();
    let mut out = stdout.lock();
    write!(out, "{}", render(&article, width, styled))?;
    Ok(())
}

/// The article as the article pane shows it. `styled` adds bold to the title (terminals only).
pub fn render(article: &Article, width: usize, styled: bool) -> String {
    let a = &article.summary;
    let mut s = String::new();
    if styled {
        s.push_str(&format!("\x1b[1m{}\x1b[0m\n", a.title));
    } else {
        s.push_str(&format!("{}\n", a.title));
    }
    s.push_str(&format!("Feed:   {}\n", a.feed_title));
    if let Some(author) = &a.author {
        s.push_str(&format!("Author: {author}\n"));
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
    if let Some(body) = &article.content {
        // The article pane's renderer, as plain text.
        s.push_str(&rich::render(body, width).to_text());
    }
    s
}
