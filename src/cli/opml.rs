//! OPML: `khabar export` prints the configured feeds as OPML 2.0; `khabar import` adds the feeds
//! of an OPML file to the user's config file, editing it in place so its comments survive.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::config::{Config, ConfigSource};

/// A feed found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    pub tags: Vec<String>,
}

/// OPML 2.0 of the configured feeds: each feed in a folder named for its first tag, with all
/// its tags in `category` so they round-trip.
pub fn export(config: &Config, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<opml version="2.0">"#)?;
    writeln!(out, "  <head><title>khabar feeds</title></head>\n  <body>")?;
    let outline = |f: &crate::config::FeedConfig| {
        let title = escape(f.title.as_deref().unwrap_or(&f.url)).into_owned();
        let category = if f.tags.is_empty() {
            String::new()
        } else {
            format!(r#" category="{}""#, escape(f.tags.join(",")))
        };
        format!(
            r#"<outline type="rss" text="{title}" title="{title}" xmlUrl="{}"{category}/>"#,
            escape(&f.url)
        )
    };
    // Config order is kept: consecutive feeds with the same first tag share a folder.
    let mut open_folder: Option<&String> = None;
    for f in &config.feeds {
        let folder = f.tags.first();
        if folder != open_folder {
            if open_folder.is_some() {
                writeln!(out, "    </outline>")?;
            }
            if let Some(tag) = folder {
                writeln!(out, r#"    <outline text="{0}" title="{0}">"#, escape(tag))?;
            }
            open_folder = folder;
        }
        let indent = if folder.is_some() { "      " } else { "    " };
        writeln!(out, "{indent}{}", outline(f))?;
    }
    if open_folder.is_some() {
        writeln!(out, "    </outline>")?;
    }
    writeln!(out, "  </body>\n</opml>")?;
    Ok(())
}

/// Reads the feeds of an OPML document. Folder names and `category` entries become tags.
pub fn parse_opml(text: &str) -> anyhow::Result<Vec<OpmlFeed>> {
    let mut reader = Reader::from_str(text);
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut feeds = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader
            .read_event()
            .with_context(|| format!("not valid OPML (XML error at byte {})", reader.error_position()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "opml" => saw_opml = true,
            Event::Start(e) if e.local_name().as_ref() == "outline" => {
                let attrs = outline_attrs(&e)?;
                if let Some(feed) = to_feed(&attrs, &folders) {
                    feeds.push(feed);
                    folders.push(None);
                } else {
                    folders.push(attrs.text.or(attrs.title));
                }
            }
            Event::Empty(e) if e.local_name().as_ref() == "outline" => {
                let attrs = outline_attrs(&e)?;
                if let Some(feed) = to_feed(&attrs, &folders) {
                    feeds.push(feed);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "outline" => {
                folders.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        bail!("not an OPML file (no <opml> element)");
    }
    Ok(feeds)
}

#[derive(Default)]
struct OutlineAttrs {
    xml_url: Option<String>,
    text: Option<String>,
    title: Option<String>,
    category: Option<String>,
}

fn outline_attrs(e: &BytesStart<'_>) -> anyhow::Result<OutlineAttrs> {
    let mut a = OutlineAttrs::default();
    for attr in e.attributes() {
        let attr = attr.context("bad attribute in <outline>")?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .context("bad attribute value in <outline>")?;
        let value = crate::text::sanitize::clean_line(&value);
        let slot = match attr.key.local_name().as_ref() {
            "xmlUrl" | "xmlurl" => &mut a.xml_url,
            "text" => &mut a.text,
            "title" => &mut a.title,
            "category" => &mut a.category,
            _ => continue,
        };
        *slot = Some(value).filter(|v| !v.is_empty());
    }
    Ok(a)
}

fn to_feed(a: &OutlineAttrs, folders: &[Option<String>]) -> Option<OpmlFeed> {
    let url = a.xml_url.clone()?;
    let mut tags: Vec<String> = Vec::new();
    let categories = a
        .category
        .iter()
        .flat_map(|c| c.split(','))
        .map(|c| c.trim().trim_start_matches('/').to_string());
    for t in folders.iter().flatten().cloned().chain(categories) {
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    Some(OpmlFeed {
        url,
        title: a.title.clone().or_else(|| a.text.clone()),
        tags,
    })
}

/// Adds the OPML file's feeds to the user's config file (created if missing), skipping feeds
/// already there. The result is validated before it replaces the file.
pub fn import(opml_path: &Path, source: &ConfigSource) -> anyhow::Result<()> {
    let target = match source {
        ConfigSource::User(p) => p.clone(),
        ConfigSource::Embedded { suggested } => suggested.clone(),
    };
    let opml_text =
        std::fs::read_to_string(opml_path).with_context(|| format!("cannot read {}", opml_path.display()))?;
    let feeds = parse_opml(&opml_text).with_context(|| opml_path.display().to_string())?;

    let original = match std::fs::read_to_string(&target) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# khabar configuration (see config.example.toml for every key).\n".to_string()
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", target.display())),
    };
    let base_dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
    let shown = target.display().to_string();
    // Refuse to edit a config that is already broken: the user would not see which error is ours.
    let existing = Config::parse(&original, &shown, &base_dir, source.clone())?;
    let mut doc: toml_edit::DocumentMut = original.parse().with_context(|| shown.clone())?;

    let mut known: Vec<String> = existing.feeds.iter().map(|f| f.url.clone()).collect();
    let (mut added, mut skipped) = (Vec::new(), 0);
    for f in feeds {
        if known.contains(&f.url) {
            skipped += 1;
            continue;
        }
        if let Err(e) = crate::config::parse_target(&f.url, &base_dir) {
            eprintln!("skipped: {e}");
            skipped += 1;
            continue;
        }
        let mut table = toml_edit::Table::new();
        table.insert("url", toml_edit::value(f.url.clone()));
        if let Some(t) = &f.title {
            table.insert("title", toml_edit::value(t.clone()));
        }
        if !f.tags.is_empty() {
            table.insert("tags", toml_edit::value(f.tags.iter().collect::<toml_edit::Array>()));
        }
        let feeds_array = doc
            .entry("feed")
            .or_insert_with(|| toml_edit::ArrayOfTables::new().into())
            .as_array_of_tables_mut()
            .context("`feed` in the config is not a list of [[feed]] tables")?;
        feeds_array.push(table);
        known.push(f.url.clone());
        added.push(f);
    }
    if added.is_empty() {
        eprintln!(
            "nothing to add: all {skipped} feeds of {} are already in {shown}",
            opml_path.display()
        );
        return Ok(());
    }
    let new_text = doc.to_string();
    Config::parse(&new_text, &shown, &base_dir, source.clone())
        .context("the imported feeds would make the config invalid")?;
    if !base_dir.as_os_str().is_empty() {
        std::fs::create_dir_all(&base_dir).with_context(|| format!("cannot create {}", base_dir.display()))?;
    }
    let tmp = target.with_extension("toml.khabar-import");
    std::fs::write(&tmp, &new_text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &target).with_context(|| format!("cannot replace {}", shown))?;
    for f in &added {
        let tags = if f.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", f.tags.join(", "))
        };
        eprintln!("added {}{tags}", f.url);
    }
    eprintln!(
        "imported {} feeds into {shown} ({skipped} already there or skipped)",
        added.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_categories_become_tags() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><body>
            <outline text="Tech"><outline text="Linux"><outline type="rss" text="LWN" xmlUrl="https://lwn.net/rss"/></outline></outline>
            <outline type="rss" title="Loose" xmlUrl="https://x.org/f" category="/news,/a b"/>
            </body></opml>"#;
        let feeds = parse_opml(opml).unwrap();
        assert_eq!(
            feeds[0],
            OpmlFeed {
                url: "https://lwn.net/rss".into(),
                title: Some("LWN".into()),
                tags: vec!["Tech".into(), "Linux".into()]
            }
        );
        assert_eq!(feeds[1].tags, vec!["news", "a b"]);
        assert!(parse_opml("<html/>").is_err());
    }
}
