//! `khabar import --newsboat [DIR]`: newsboat's `urls` (feeds, tags, "~titles") into the config,
//! and its `cache.db` (articles, read state, flags as stars) into the cache.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

use crate::config::{ConfigEdit, ConfigSource, NewFeed, SettingValue};
use crate::model::ImportedArticle;
use crate::store::{read_newsboat_cache, ImportCounts, Store};

mod query;
mod settings;

/// One feed line of newsboat's `urls`, as a feed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlsFeed {
    /// What newsboat's cache calls it (`exec:…` and `filter:…` lines whole).
    pub newsboat_url: String,
    pub feed: NewFeed,
}

/// A `query:` line as a saved query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlsQuery {
    pub line: usize,
    pub name: String,
    pub query: String,
}

/// `urls` read: its feeds and queries, and the lines that cannot be brought, with why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Urls {
    pub feeds: Vec<UrlsFeed>,
    pub queries: Vec<UrlsQuery>,
    pub skipped: Vec<(usize, String)>,
}

/// Reads newsboat's `urls`: `URL [tag ...]`, a quoted "~Title", "!tag" (hidden in newsboat: a
/// tag here), `#` comments; `exec:` and `filter:` lines as program feeds, `query:` lines as
/// saved queries (their filter translated).
pub fn parse_urls(text: &str) -> Urls {
    let mut out = Urls::default();
    for (n, line) in text.lines().enumerate() {
        let words = split_words(line.trim());
        let Some(url) = words.first() else { continue };
        if url.starts_with('#') {
            continue;
        }
        let mut feed = NewFeed::default();
        if let Some(rest) = url.strip_prefix("query:") {
            match rest.split_once(':') {
                Some((name, expr)) => match query::translate(expr) {
                    Ok(query) => out.queries.push(UrlsQuery {
                        line: n + 1,
                        name: name.trim().to_string(),
                        query,
                    }),
                    Err(why) => out.skipped.push((n + 1, format!("{url}: {why}"))),
                },
                None => out
                    .skipped
                    .push((n + 1, format!("{url}: a query: line needs a name and a filter"))),
            }
            continue;
        } else if let Some(command) = url.strip_prefix("exec:") {
            feed.command = Some(program_words(command));
        } else if let Some(rest) = url.strip_prefix("filter:") {
            let Some((program, target)) = rest.split_once(':') else {
                out.skipped
                    .push((n + 1, format!("{url}: a filter: line is filter:PROGRAM:URL")));
                continue;
            };
            feed.filter = Some(program_words(program));
            feed.url = Some(target.to_string());
        } else {
            feed.url = Some(url.clone());
        }
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
        out.feeds.push(UrlsFeed {
            newsboat_url: url.clone(),
            feed,
        });
    }
    out
}

/// newsboat runs `exec:` and `filter:` programs through `sh -c`: plain words become argv as
/// they are; a line that needs the shell (pipes, variables, quotes) runs through one, as there.
fn program_words(command: &str) -> Vec<String> {
    let needs_shell = command
        .chars()
        .any(|c| "|&;<>()$`\\\"'*?[]{}=!#".contains(c))
        // `~` past the program's own start is the shell's to expand.
        || command.trim_start().get(1..).is_some_and(|rest| rest.contains('~'));
    if needs_shell {
        vec!["sh".into(), "-c".into(), command.to_string()]
    } else {
        command.split_whitespace().map(str::to_string).collect()
    }
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

/// newsboat's files: its feed list, its config (may be absent) and its cache.
struct Files {
    urls: PathBuf,
    config: PathBuf,
    cache: PathBuf,
}

/// Where newsboat keeps its files: DIR, else ~/.newsboat, else the XDG folders.
fn locate(dir: Option<&Path>) -> anyhow::Result<Files> {
    let in_dir = |d: &Path, data: &Path| Files {
        urls: d.join("urls"),
        config: d.join("config"),
        cache: data.join("cache.db"),
    };
    if let Some(d) = dir {
        return Ok(in_dir(d, d));
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("no $HOME to find newsboat in")?;
    let dotdir = home.join(".newsboat");
    if dotdir.join("urls").exists() {
        return Ok(in_dir(&dotdir, &dotdir));
    }
    let xdg = |var: &str, default: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map_or_else(|| home.join(default), PathBuf::from)
            .join("newsboat")
    };
    Ok(in_dir(
        &xdg("XDG_CONFIG_HOME", ".config"),
        &xdg("XDG_DATA_HOME", ".local/share"),
    ))
}

/// What an import added to the config.
#[derive(Default)]
struct Added {
    feeds: usize,
    queries: usize,
}

pub fn import(dir: Option<&Path>, source: &ConfigSource, store: &mut Store) -> anyhow::Result<()> {
    let files = locate(dir)?;
    let text = std::fs::read_to_string(&files.urls)
        .with_context(|| format!("cannot read newsboat's feed list {}", files.urls.display()))?;
    let urls = parse_urls(&text);
    for (line, why) in &urls.skipped {
        eprintln!("not imported: {}:{line}: {why}", files.urls.display());
    }
    let settings = match std::fs::read_to_string(&files.config) {
        Ok(text) => Some(settings::translate(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read newsboat's config {}", files.config.display())),
    };

    let mut edit = ConfigEdit::open(source)?;
    let mut added = Added::default();
    for f in &urls.feeds {
        if edit.has_feed(&f.feed.identity()) {
            continue;
        }
        if let Some(url) = &f.feed.url {
            if let Err(e) = crate::config::parse_target(url, &edit.base_dir()) {
                eprintln!("not imported: {e}");
                continue;
            }
        }
        edit.add_new_feed(&f.feed)?;
        added.feeds += 1;
    }
    for q in &urls.queries {
        if edit.has_query(&q.name) {
            continue;
        }
        match crate::query::parse(&q.query) {
            Ok(_) => {
                edit.add_query(&q.name, &q.query)?;
                added.queries += 1;
            }
            Err(e) => eprintln!(
                "not imported: {}:{}: query:{}: {e}",
                files.urls.display(),
                q.line,
                q.name
            ),
        }
    }
    if let Some(settings) = &settings {
        apply_settings(&mut edit, settings, &files.config)?;
    }
    let config_file = edit.path().display().to_string();
    let config = edit.save()?;
    eprintln!(
        "{} feeds added to {config_file} ({} were there already), {} saved queries",
        added.feeds,
        urls.feeds.len() - added.feeds,
        added.queries
    );
    let ids = store.sync_feeds(&config.feeds)?;

    if !files.cache.exists() {
        eprintln!(
            "no newsboat cache at {}: only the feeds were imported",
            files.cache.display()
        );
        return Ok(());
    }
    let items = read_newsboat_cache(&files.cache).with_context(|| format!("reading {}", files.cache.display()))?;
    let now = Utc::now();
    let mut total = ImportCounts::default();
    let (mut read, mut starred) = (0, 0);
    for f in &urls.feeds {
        let identity = f.feed.identity();
        let Some(pos) = config.feeds.iter().position(|c| c.url == identity) else {
            continue;
        };
        // newsboat names an exec: or filter: feed by its whole line; khabar by its program or URL.
        let mine: Vec<ImportedArticle> = items
            .iter()
            .filter(|(url, _)| *url == f.newsboat_url)
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
        files.cache.display(),
        total.merged
    );
    Ok(())
}

/// newsboat's settings into the config where it has none of its own; what cannot be is said.
fn apply_settings(edit: &mut ConfigEdit, settings: &settings::Translated, file: &Path) -> anyhow::Result<()> {
    for (line, why) in &settings.skipped {
        eprintln!("not imported: {}:{line}: {why}", file.display());
    }
    // Keys the file binds already stay with their actions: a second binding would clash.
    let taken: Vec<String> = edit
        .before
        .keys
        .iter()
        .flat_map(|b| b.keys.iter().map(|k| k.value.clone()))
        .collect();
    edit.set_if_absent("keys", "preset", &SettingValue::Text("newsboat".into()))?;
    let mut set = 0;
    for (line, change) in &settings.changes {
        match change {
            settings::Change::Set { table, key, value } => {
                let clashes = match value {
                    SettingValue::Text(k) if *table == "keys" => taken.contains(k),
                    SettingValue::List(ks) if *table == "keys" => ks.iter().any(|k| taken.contains(k)),
                    _ => false,
                };
                if clashes {
                    eprintln!(
                        "not imported: {}:{line}: its key is bound in your config already",
                        file.display()
                    );
                    continue;
                }
                set += usize::from(edit.set_if_absent(table, key, value)?);
            }
            settings::Change::Hide { query, feeds } => {
                if let Some(missing) = feeds.iter().find(|f| !edit.has_feed(f)) {
                    eprintln!(
                        "not imported: {}:{line}: ignore-article names {missing}, which is not a feed here",
                        file.display()
                    );
                    continue;
                }
                set += usize::from(edit.add_filter_once(query, "hide", feeds)?);
            }
        }
    }
    eprintln!(
        "{set} settings taken from {} (those your config sets already were kept)",
        file.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lines() {
        let urls = parse_urls(
            "# my feeds\nhttp://a/f news \"~A title\" \"two words\" !hidden # trailing\n\n  http://b/f\n\"query:Unread:unread = \\\"yes\\\"\"\n\"exec:~/bin/feed --x\" t\nfilter:~/f.sh:http://c/f\n\"exec:curl -s http://d/ | sed s/a/b/\"\n\"query:Bad:link =~ \\\"x\\\"\"\n",
        );
        let feeds: Vec<(&str, NewFeed)> = urls
            .feeds
            .iter()
            .map(|f| (f.newsboat_url.as_str(), f.feed.clone()))
            .collect();
        let words = |w: &[&str]| Some(w.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(
            feeds,
            [
                (
                    "http://a/f",
                    NewFeed {
                        url: Some("http://a/f".into()),
                        title: Some("A title".into()),
                        tags: vec!["news".into(), "two words".into(), "hidden".into()],
                        ..NewFeed::default()
                    }
                ),
                (
                    "http://b/f",
                    NewFeed {
                        url: Some("http://b/f".into()),
                        ..NewFeed::default()
                    }
                ),
                (
                    "exec:~/bin/feed --x",
                    NewFeed {
                        command: words(&["~/bin/feed", "--x"]),
                        tags: vec!["t".into()],
                        ..NewFeed::default()
                    }
                ),
                (
                    "filter:~/f.sh:http://c/f",
                    NewFeed {
                        url: Some("http://c/f".into()),
                        filter: words(&["~/f.sh"]),
                        ..NewFeed::default()
                    }
                ),
                (
                    "exec:curl -s http://d/ | sed s/a/b/",
                    NewFeed {
                        command: words(&["sh", "-c", "curl -s http://d/ | sed s/a/b/"]),
                        ..NewFeed::default()
                    }
                ),
            ]
        );
        // The identity of a plain exec: line is newsboat's own name for it.
        assert_eq!(urls.feeds[2].feed.identity(), "exec:~/bin/feed --x");
        assert_eq!(
            urls.queries,
            [UrlsQuery {
                line: 5,
                name: "Unread".into(),
                query: "is:unread".into()
            }]
        );
        assert_eq!(urls.skipped.len(), 1);
        assert!(urls.skipped[0].1.contains("no counterpart"), "{:?}", urls.skipped);
    }
}
