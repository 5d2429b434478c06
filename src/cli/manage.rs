//! `khabar add`, `remove` and `rename`: the feed list edited in the user's config file, keeping
//! its comments. `add` checks first that the URL (or the page's feed link) is a feed.

use anyhow::{bail, Context};

use crate::config::{parse_target, Config, ConfigEdit, ConfigSource};
use crate::feed::probe::probe;
use crate::feed::{Fetcher, Limits};

/// Adds a feed: a page URL is followed to the feed it links to; what is added must parse.
pub async fn add(
    source: &ConfigSource,
    config: &Config,
    url: &str,
    tags: &[String],
    title: Option<&str>,
) -> anyhow::Result<()> {
    let mut edit = ConfigEdit::open(source)?;
    let url = url.trim();
    let target = parse_target(url, &edit.base_dir()).map_err(anyhow::Error::msg)?;
    if edit.has_feed(url) {
        bail!("{url} is already in {}", edit.path().display());
    }
    let fetcher = Fetcher::new(Limits::from(&config.general))?;
    let found = probe(&fetcher, &target, url).await.map_err(anyhow::Error::msg)?;
    if found.url != url && edit.has_feed(&found.url) {
        bail!(
            "{url} links to {}, which is already in {}",
            found.url,
            edit.path().display()
        );
    }
    let tags = clean_tags(tags)?;
    edit.add_feed(&found.url, title, &tags)?;
    let path = edit.path().display().to_string();
    edit.save().context("the new feed would make the config invalid")?;
    let name = title
        .map(str::to_string)
        .or(found.title)
        .unwrap_or_else(|| found.url.clone());
    let via = if found.url != url {
        format!(" (found on {url})")
    } else {
        String::new()
    };
    eprintln!(
        "added {name}: {}{via}, {} articles now; in {path}",
        found.url, found.articles
    );
    Ok(())
}

/// Removes a feed from the config; the cache keeps its articles (hidden) in case it comes back.
pub fn remove(source: &ConfigSource, url: &str) -> anyhow::Result<()> {
    let mut edit = ConfigEdit::open(source)?;
    edit.remove_feed(url.trim())?;
    let path = edit.path().display().to_string();
    edit.save()?;
    eprintln!(
        "removed {} from {path} (its read and starred articles stay in the cache)",
        url.trim()
    );
    Ok(())
}

/// Sets the title shown for a feed; an empty title goes back to the feed's own.
pub fn rename(source: &ConfigSource, url: &str, title: &str) -> anyhow::Result<()> {
    let mut edit = ConfigEdit::open(source)?;
    let title = Some(title.trim()).filter(|t| !t.is_empty());
    edit.set_title(url.trim(), title)?;
    let path = edit.path().display().to_string();
    edit.save()?;
    match title {
        Some(t) => eprintln!("{} is now called {t:?} in {path}", url.trim()),
        None => eprintln!("{} shows its own title again ({path})", url.trim()),
    }
    Ok(())
}

fn clean_tags(tags: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().map(|t| t.trim()) {
        if t.is_empty() || t.chars().any(char::is_control) {
            bail!("bad tag {t:?}: tags must be non-empty text");
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}
