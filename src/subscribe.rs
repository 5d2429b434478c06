//! Changing what the user subscribes to: adding a feed (after checking that the URL, or the
//! page's feed link, is a feed), removing one (kept for undo), retitling one, and saving a
//! query, in the config.

use crate::config::{parse_target, ConfigEdit, ConfigError, ConfigSource, General, RemovedFeed};
use crate::feed::probe::{probe, Probed};
use crate::feed::{FetchError, Fetcher, Limits};

#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Feed(String),
    #[error("cannot fetch: {0}")]
    Fetch(#[from] FetchError),
}

/// A feed added to the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub feed: Probed,
    /// The URL the user gave, when it was a page that linked to the feed.
    pub found_on: Option<String>,
    pub config_file: String,
}

/// Adds a feed: a page URL is followed to the feed it links to; what is added must parse.
pub async fn add(
    source: &ConfigSource,
    general: &General,
    url: &str,
    tags: &[String],
    title: Option<&str>,
) -> Result<Added, SubscribeError> {
    let mut edit = ConfigEdit::open(source)?;
    let url = url.trim();
    let config_file = edit.path().display().to_string();
    let target = parse_target(url, &edit.base_dir()).map_err(SubscribeError::Feed)?;
    if edit.has_feed(url) {
        return Err(SubscribeError::Feed(format!("{url} is already in {config_file}")));
    }
    let tags = clean_tags(tags)?;
    let fetcher = Fetcher::new(Limits::from(general))?;
    let feed = probe(&fetcher, &target, url).await.map_err(SubscribeError::Feed)?;
    if feed.url != url && edit.has_feed(&feed.url) {
        return Err(SubscribeError::Feed(format!(
            "{url} links to {}, which is already in {config_file}",
            feed.url
        )));
    }
    edit.add_feed(&feed.url, title, &tags)?;
    edit.save()?;
    Ok(Added {
        found_on: (feed.url != url).then(|| url.to_string()),
        feed,
        config_file,
    })
}

/// Removes a feed from the config; returns its table so it can be put back.
pub fn remove(source: &ConfigSource, url: &str) -> Result<RemovedFeed, SubscribeError> {
    let mut edit = ConfigEdit::open(source)?;
    let removed = edit.remove_feed(url.trim())?;
    edit.save()?;
    Ok(removed)
}

/// Puts a removed feed back where it was.
pub fn restore(source: &ConfigSource, removed: &RemovedFeed) -> Result<(), SubscribeError> {
    let mut edit = ConfigEdit::open(source)?;
    if !edit.has_feed(&removed.url) {
        edit.restore_feed(removed)?;
        edit.save()?;
    }
    Ok(())
}

/// Sets the title shown for a feed; None goes back to the feed's own.
pub fn rename(source: &ConfigSource, url: &str, title: Option<&str>) -> Result<(), SubscribeError> {
    let mut edit = ConfigEdit::open(source)?;
    edit.set_title(url.trim(), title.map(str::trim).filter(|t| !t.is_empty()))?;
    edit.save()?;
    Ok(())
}

/// `khabar move` and `:move`: the feed at `from` gets the address `to`, with its history. A
/// feed is its URL, so this is the one way (besides a server's permanent redirect) that
/// articles and their read and starred state follow a feed to a new address. The history moves
/// first (`move_history(from, to)`, the cache's part), then the config line; if the config
/// cannot be written, the history is moved back, so the two never disagree for long.
/// Returns the config file's path.
pub fn relocate(
    source: &ConfigSource,
    from: &str,
    to: &str,
    mut move_history: impl FnMut(&str, &str) -> Result<(), String>,
) -> Result<String, SubscribeError> {
    let (from, to) = (from.trim(), to.trim());
    let mut edit = ConfigEdit::open(source)?;
    let config_file = edit.path().display().to_string();
    parse_target(to, &edit.base_dir()).map_err(SubscribeError::Feed)?;
    if !edit.has_feed(from) {
        return Err(SubscribeError::Feed(format!(
            "no [[feed]] with url {from} in {config_file}"
        )));
    }
    edit.set_url(from, to)?;
    move_history(from, to).map_err(SubscribeError::Feed)?;
    if let Err(e) = edit.save() {
        if let Err(back) = move_history(to, from) {
            tracing::error!(
                "move {from} -> {to}: the config was not written and the history could not go back: {back}"
            );
        }
        return Err(e.into());
    }
    Ok(config_file)
}

/// Saves a query under `name` as a `[[query]]` in the config file (comments kept).
pub fn save_query(source: &ConfigSource, name: &str, query: &str) -> Result<(), SubscribeError> {
    let mut edit = ConfigEdit::open(source)?;
    edit.add_query(name.trim(), query.trim())?;
    edit.save()?;
    Ok(())
}

fn clean_tags(tags: &[String]) -> Result<Vec<String>, SubscribeError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().map(|t| t.trim()) {
        if t.is_empty() || t.chars().any(char::is_control) {
            return Err(SubscribeError::Feed(format!(
                "bad tag {t:?}: tags must be non-empty text"
            )));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}
