//! `khabar import --newsboat [DIR]`: newsboat's `urls` (feeds, tags, "~titles") into the config,
//! and its `cache.db` (articles, read state, flags as stars) into the cache.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

use crate::config::{ConfigEdit, ConfigSource};
use crate::model::ImportedArticle;
use crate::store::{read_newsboat_cache, ImportCounts, Store};

/// One feed line of newsboat's `urls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlsFeed {
    pub url: String,
    pub title: Option<String>,
    pub tags: Vec<String>,
}

/// `urls` read: its feeds, and the lines that cannot become feeds, with why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Urls {
    pub feeds: Vec<UrlsFeed>,
    pub skipped: Vec<(usize, String)>,
}

/// Reads newsboat's `urls`: `URL [tag ...]`, a quoted "~Title", "!tag" (hidden in newsboat: a
/// tag here), `#` comments; `query:`, `exec:` and `filter:` lines are skipped, each with why.
pub fn parse_urls(text: &str) -> Urls {
    let mut out = Urls::default();
    for (n, line) in text.lines().enumerate() {
        let words = split_words(line.trim());
        let Some(url) = words.first() else { continue };
        if url.starts_with('#') {
            continue;
        }
        let why = if url.starts_with("query:") {
            Some("a query feed (khabar's saved queries will take these)")
        } else if url.starts_with("exec:") {
            Some("an exec: feed runs a program; khabar never runs commands from its feed list")
        } else if url.starts_with("filter:") {
            Some("a filter: feed pipes a feed through a program; khabar never runs commands from its feed list")
        } else {
            None
        };
        if let Some(why) = why {
            out.skipped.push((n + 1, format!("{url}: {why}")));
            continue;
        }
        let mut feed = UrlsFeed {
            url: url.clone(),
            title: None,
            tags: Vec::new(),
        };
        for w in &words[1..] {
            if let Some(title) = w.strip_prefix('~') {
                feed.title = Some(title.to_string()).filter(|t| !t.trim().is_empty());
            } else if w.starts_with('#') {
                break;
            } else {
                let tag = w.strip_prefix('!').unwrap_or(w).trim();
                if !tag.is_empty() && !feed.tags.iter().any(|t| t == tag) {
                    feed.tags.push(tag.to_string());
                }
            }
        }
        out.feeds.push(feed);
    }
    out
}

/// Words separated by blanks; "double quotes" group, with \" and \\ inside them.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => word.extend(chars.next()),
                    '"' => break,
                    c => word.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

/// Where newsboat keeps its files: DIR, else ~/.newsboat, else the XDG folders.
fn locate(dir: Option<&Path>) -> anyhow::Result<(PathBuf, PathBuf)> {
    if let Some(d) = dir {
        return Ok((d.join("urls"), d.join("cache.db")));
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("no $HOME to find newsboat in")?;
    let dotdir = home.join(".newsboat");
    if dotdir.join("urls").exists() {
        return Ok((dotdir.join("urls"), dotdir.join("cache.db")));
    }
    let xdg = |var: &str, default: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map_or_else(|| home.join(default), PathBuf::from)
            .join("newsboat")
    };
    Ok((
        xdg("XDG_CONFIG_HOME", ".config").join("urls"),
        xdg("XDG_DATA_HOME", ".local/share").join("cache.db"),
    ))
}

pub fn import(dir: Option<&Path>, source: &ConfigSource, store: &mut Store) -> anyhow::Result<()> {
    let (urls_path, cache_path) = locate(dir)?;
    let text = std::fs::read_to_string(&urls_path)
        .with_context(|| format!("cannot read newsboat's feed list {}", urls_path.display()))?;
    let urls = parse_urls(&text);
    for (line, why) in &urls.skipped {
        eprintln!("not imported: {}:{line}: {why}", urls_path.display());
    }

    let mut edit = ConfigEdit::open(source)?;
    let mut added = 0;
    for f in &urls.feeds {
        if edit.has_feed(&f.url) {
            continue;
        }
        if let Err(e) = crate::config::parse_target(&f.url, &edit.base_dir()) {
            eprintln!("not imported: {e}");
            continue;
        }
        edit.add_feed(&f.url, f.title.as_deref(), &f.tags)?;
        added += 1;
    }
    let config_file = edit.path().display().to_string();
    let config = if added > 0 { edit.save()? } else { edit.before };
    eprintln!(
        "{added} feeds added to {config_file} ({} were there already)",
        urls.feeds.len() - added
    );
    let ids = store.sync_feeds(&config.feeds)?;

    if !cache_path.exists() {
        eprintln!(
            "no newsboat cache at {}: only the feeds were imported",
            cache_path.display()
        );
        return Ok(());
    }
    let items = read_newsboat_cache(&cache_path).with_context(|| format!("reading {}", cache_path.display()))?;
    let now = Utc::now();
    let mut total = ImportCounts::default();
    let (mut read, mut starred) = (0, 0);
    for f in &urls.feeds {
        let Some(pos) = config.feeds.iter().position(|c| c.url == f.url) else {
            continue;
        };
        let mine: Vec<ImportedArticle> = items
            .iter()
            .filter(|(url, _)| *url == f.url)
            .map(|(_, a)| a.clone())
            .collect();
        read += mine.iter().filter(|a| a.read).count();
        starred += mine.iter().filter(|a| a.starred).count();
        let counts = store.import_articles(ids[pos], &mine, now)?;
        total.added += counts.added;
        total.merged += counts.merged;
    }
    eprintln!(
        "{} articles imported from {} ({read} read, {starred} flagged, now starred); {} were in the cache already and took newsboat's read and starred state",
        total.added,
        cache_path.display(),
        total.merged
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lines() {
        let urls = parse_urls(
            "# my feeds\nhttp://a/f news \"~A title\" \"two words\" !hidden # trailing\n\n  http://b/f\n\"query:Unread:unread = \\\"yes\\\"\"\nexec:~/bin/feed\nfilter:~/f.sh:http://c/f\n",
        );
        assert_eq!(
            urls.feeds,
            [
                UrlsFeed {
                    url: "http://a/f".into(),
                    title: Some("A title".into()),
                    tags: vec!["news".into(), "two words".into(), "hidden".into()],
                },
                UrlsFeed {
                    url: "http://b/f".into(),
                    title: None,
                    tags: vec![],
                },
            ]
        );
        let lines: Vec<usize> = urls.skipped.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [5, 6, 7]);
        assert!(urls.skipped[0]
            .1
            .starts_with("query:Unread:unread = \"yes\": a query feed"));
        assert!(urls.skipped[1].1.contains("never runs commands"));
    }
}
