//! `khabar add`, `remove` and `rename`: the feed list edited in the user's config file, keeping
//! its comments (`subscribe` does the work; this reports it).

use crate::config::{Config, ConfigSource};
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
        "added {name}: {}{via}, {} articles now; in {}",
        added.feed.url, added.feed.articles, added.config_file
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
