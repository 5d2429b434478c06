//! `khabar add`, `remove` and `rename`: the feed list edited in the user's config file, keeping
//! its comments (`subscribe` does the work; this reports it).

use crate::config::{Config, ConfigSource};
use crate::store::Store;
use crate::subscribe::{self, SubscribeError};

pub async fn add(
    source: &ConfigSource,
    config: &Config,
    url: &str,
    tags: &[String],
    title: Option<&str>,
) -> anyhow::Result<()> {
    let added = subscribe::add(source, &config.general, url, tags, title)
        .await
        .map_err(edge)?;
    let name = title
        .map(str::to_string)
        .or(added.feed.title.clone())
        .unwrap_or_else(|| added.feed.url.clone());
    let via = added
        .found_on
        .map(|page| format!(" (found on {page})"))
        .unwrap_or_default();
    eprintln!(
        "added {name}: {}{via} ({} in the feed now; the next refresh stores them); in {}",
        added.feed.url,
        crate::text::plural(added.feed.articles as u64, "article", "articles"),
        added.config_file
    );
    Ok(())
}

pub fn remove(source: &ConfigSource, url: &str) -> anyhow::Result<()> {
    subscribe::remove(source, url).map_err(edge)?;
    eprintln!(
        "removed {} from your config (its read and starred articles stay in the cache)",
        url.trim()
    );
    Ok(())
}

/// `khabar move FROM TO`: the feed's history goes with it to the new address.
pub fn move_feed(source: &ConfigSource, store: &mut Store, from: &str, to: &str) -> anyhow::Result<()> {
    let mut moved = 0u64;
    let config_file = subscribe::relocate(source, from, to, |a, b| {
        let Some(id) = store.move_feed(a, b).map_err(|e| e.to_string())? else {
            return Ok(());
        };
        moved = store
            .feeds()
            .map_err(|e| e.to_string())?
            .iter()
            .find(|f| f.id == id)
            .map_or(0, |f| f.articles);
        Ok(())
    })
    .map_err(edge)?;
    eprintln!(
        "moved {} to {}: {} and their read and starred state go with it; in {config_file}",
        from.trim(),
        to.trim(),
        crate::text::plural(moved, "article", "articles"),
    );
    Ok(())
}

pub fn rename(source: &ConfigSource, url: &str, title: &str) -> anyhow::Result<()> {
    subscribe::rename(source, url, Some(title)).map_err(edge)?;
    match Some(title.trim()).filter(|t| !t.is_empty()) {
        Some(t) => eprintln!("{} is now called {t:?}", url.trim()),
        None => eprintln!("{} shows its own title again", url.trim()),
    }
    Ok(())
}

/// A config mistake stays a `ConfigError` at the edge, so it exits with 2 like any other.
fn edge(e: SubscribeError) -> anyhow::Error {
    match e {
        SubscribeError::Config(c) => c.into(),
        other => other.into(),
    }
}
