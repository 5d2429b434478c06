//! OPML: `khabar export` prints the configured feeds as OPML 2.0; `khabar import` adds the feeds
//! of an OPML file to the user's config file, editing it in place so its comments survive.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::config::{Config, ConfigEdit, ConfigSource};

/// A feed found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    pub tags: Vec<String>,
}

/// OPML 2.0 of the configured feeds: each feed in a folder named for its first tag (one folder
/// per tag, in the order tags first appear), with all its tags in `category` so they
/// round-trip. A feed's title is the user's, else the feed's own as the cache knows it
/// (`titles`, by URL), else its URL.
pub fn export(
    config: &Config,
    titles: &std::collections::HashMap<String, String>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<opml version="2.0">"#)?;
    writeln!(out, "  <head><title>khabar feeds</title></head>\n  <body>")?;
    let outline = |f: &crate::config::FeedConfig| {
        let title = f
            .title
            .as_deref()
            .or(titles.get(&f.url).map(String::as_str))
            .unwrap_or(&f.url);
        let title = escape(title).into_owned();
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
    // A script feed names a program, no address another reader can fetch: said, not exported.
    let feeds: Vec<&crate::config::FeedConfig> = config
        .feeds
        .iter()
        .filter(|f| {
            let script = matches!(f.target, crate::config::FeedTarget::Command(_));
            if script {
                eprintln!("not exported: {} (a script feed: its program runs only here)", f.url);
            }
            !script
        })
        .collect();
    // Config order, except that a folder holds all its feeds where its first one stood.
    let mut written: Vec<&String> = Vec::new();
    for f in &feeds {
        match f.tags.first() {
            Some(tag) if written.contains(&tag) => {}
            Some(tag) => {
                written.push(tag);
                writeln!(out, r#"    <outline text="{0}" title="{0}">"#, escape(tag.as_str()))?;
                for f in feeds.iter().filter(|f| f.tags.first() == Some(tag)) {
                    writeln!(out, "      {}", outline(f))?;
                }
                writeln!(out, "    </outline>")?;
            }
            None => writeln!(out, "    {}", outline(f))?,
        }
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
    let opml_text =
        std::fs::read_to_string(opml_path).with_context(|| format!("cannot read {}", opml_path.display()))?;
    let feeds = parse_opml(&opml_text).with_context(|| opml_path.display().to_string())?;
    let mut edit = ConfigEdit::open(source)?;
    let base_dir = edit.base_dir();
    let shown = edit.path().display().to_string();
    let (mut added, mut skipped) = (Vec::new(), 0);
    for f in feeds {
        if edit.has_feed(&f.url) {
            skipped += 1;
            continue;
        }
        if let Err(e) = crate::config::parse_target(&f.url, &base_dir) {
            eprintln!("skipped: {e}");
            skipped += 1;
            continue;
        }
        edit.add_feed(&f.url, f.title.as_deref(), &f.tags)?;
        added.push(f);
    }
    if added.is_empty() {
        eprintln!(
            "nothing to add: all {skipped} feeds of {} are already in {shown}",
            opml_path.display()
        );
        return Ok(());
    }
    edit.save()
        .context("the imported feeds would make the config invalid")?;
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
