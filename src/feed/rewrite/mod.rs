//! The document as feed-rs can read it: dialects it reads without items rewritten, text it
//! refuses or misreads fixed before the first parse, and the repairs for one retry.

use std::borrow::Cow;

mod cdf;
mod constructs;
mod scan;

use constructs::fix_text_constructs;
use scan::{attributes, has_child, push_attributes, rewrite_blocks, root_name, start_tag_len};

/// Everything applied to a document before its first parse (docs/compatibility.md, step 2).
pub(super) fn before_parse(text: &str) -> Cow<'_, str> {
    let mut out = rewrite_dialects(text);
    for fix in [fix_text_constructs, rss1_links_from_about, dc_titles] {
        if let Some(fixed) = fix(&out) {
            out = Cow::Owned(fixed);
        }
    }
    out
}

/// The document repaired for one retry after feed-rs refused it (step 4); None when there was
/// nothing to repair.
pub(super) fn repaired(text: &str) -> Option<String> {
    let versioned = normalise_rss_version(text);
    let current = versioned.as_deref().unwrap_or(text);
    repair_entities(current).or(versioned)
}

/// Dialects feed-rs parses with no items, rewritten to the ones it knows: RSS 0.90 to RSS 1.0,
/// Atom 0.3 to Atom 1.0, Microsoft's CDF to RSS 2.0, RSS 2.0 in a default namespace (UserLand's, or one nobody defined) to
/// plain RSS 2.0; and `itunes:author` to `dc:creator`, which it reads.
fn rewrite_dialects(text: &str) -> Cow<'_, str> {
    if let Some(rss) = cdf::cdf_as_rss(text) {
        return Cow::Owned(rss);
    }
    let mut out = match rss_without_default_namespace(text) {
        Some(fixed) => Cow::Owned(fixed),
        None => Cow::Borrowed(text),
    };
    // Netscape published RSS 0.90's namespace under two hosts.
    for netscape in [
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://channel.netscape.com/rdf/simple/0.9/",
    ] {
        if text.contains(netscape) {
            out = out.replace(netscape, "http://purl.org/rss/1.0/").into();
        }
    }
    if text.contains("http://purl.org/atom/ns#") {
        let mut t = out.replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
        for (old, new) in [
            ("issued>", "published>"),
            ("modified>", "updated>"),
            ("tagline>", "subtitle>"),
            ("copyright>", "rights>"),
        ] {
            t = t
                .replace(&format!("<{old}"), &format!("<{new}"))
                .replace(&format!("</{old}"), &format!("</{new}"));
        }
        // Atom 0.3 content: a MIME type plus mode="escaped"|"xml".
        t = t
            .replace("type=\"text/html\" mode=\"escaped\"", "type=\"html\"")
            .replace("mode=\"escaped\" type=\"text/html\"", "type=\"html\"")
            .replace("type=\"application/xhtml+xml\" mode=\"xml\"", "type=\"xhtml\"")
            .replace("mode=\"escaped\"", "")
            .replace("type=\"text/plain\"", "type=\"text\"");
        out = t.into();
    }
    // iTunes elements in other letter case (`itunes:Author`): the names feed-rs knows are lower.
    if let Some(lowered) = lowercase_itunes_names(&out) {
        out = lowered.into();
    }
    if out.contains("<itunes:author>") {
        out = out
            .replace("<itunes:author>", "<dc:creator>")
            .replace("</itunes:author>", "</dc:creator>")
            .into();
        if !out.contains("xmlns:dc=") {
            out = out
                .replacen("<rss ", "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ", 1)
                .into();
        }
    }
    out
}

/// `<itunes:Author>` as `<itunes:author>`; None when every iTunes name is lower case already.
fn lowercase_itunes_names(text: &str) -> Option<String> {
    let upper_at = |t: &str, i: usize| t[i..].starts_with(|c: char| c.is_ascii_uppercase());
    let needs = text
        .match_indices("itunes:")
        .any(|(i, _)| i > 0 && matches!(&text[i - 1..i], "<" | "/") && upper_at(text, i + 7));
    if !needs {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("itunes:") {
        let tag = i > 0 && matches!(&rest[i - 1..i], "<" | "/");
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        if tag {
            let end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
            // iTunes' own names are camel case after their first letter (`newFeedUrl`): that
            // letter is folded, or the whole name when it is written in capitals.
            let name = &rest[..end];
            if name.chars().all(|c| !c.is_ascii_lowercase()) {
                out.push_str(&name.to_ascii_lowercase());
            } else {
                let (first, tail) = name.split_at(name.chars().next().map_or(0, char::len_utf8));
                out.push_str(&first.to_ascii_lowercase());
                out.push_str(tail);
            }
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// HTML named entities (`&eacute;`, `&nbsp;`) are not XML: they become numeric references, and a
/// bare `&` ("AT&T") is escaped. None when nothing needed repair.
fn repair_entities(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let name_len = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|n| n + 1);
        let entity = name_len
            .filter(|&n| n > 1 && rest[n..].starts_with(';'))
            .map(|n| &rest[1..n]);
        let html4 = entity.and_then(crate::text::html::html4_entity);
        match entity {
            // `&#X41;`: XML allows only a lowercase x.
            Some(name) if name.starts_with("#X") => {
                out.push_str("&#x");
                out.push_str(&name[2..]);
                out.push(';');
                rest = &rest[name.len() + 2..];
                changed = true;
            }
            Some(name) if name.starts_with('#') || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") => {
                out.push_str(&rest[..name.len() + 2]);
                rest = &rest[name.len() + 2..];
            }
            Some(name) if html4.is_some() => {
                out.push_str(&format!("&#{};", html4.map_or(0, u32::from)));
                rest = &rest[name.len() + 2..];
                changed = true;
            }
            Some(name) => {
                let decoded = html_escape::decode_html_entities(&rest[..name.len() + 2]).into_owned();
                if decoded.starts_with('&') {
                    out.push_str("&amp;");
                    rest = &rest[1..];
                } else {
                    for c in decoded.chars() {
                        out.push_str(&format!("&#{};", c as u32));
                    }
                    rest = &rest[name.len() + 2..];
                }
                changed = true;
            }
            None => {
                out.push_str("&amp;");
                rest = &rest[1..];
                changed = true;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// RSS with no version attribute, or one feed-rs does not know (0.93, 0.94, 2.0.1), is read as 2.0.
fn normalise_rss_version(text: &str) -> Option<String> {
    let start = text.find("<rss")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    let new_tag = match tag.find("version=") {
        Some(v) => {
            // Only a quoted value is rewritten (found by fuzzing: `version=て` sliced inside a character).
            let quote = tag[v + 8..].chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value_end = v + 9 + tag[v + 9..].find(quote)?;
            if &tag[v + 9..value_end] == "2.0" {
                return None;
            }
            format!("{}version=\"2.0\"{}", &tag[..v], &tag[value_end + 1..])
        }
        None => format!("<rss version=\"2.0\"{}", &tag[4..]),
    };
    Some(format!("{}{}{}", &text[..start], new_tag, &text[end..]))
}

/// `<rss xmlns="…">`: RSS 2.0 has no namespace, and feed-rs finds nothing in one (UserLand's
/// `backend.userland.com/rss2`, or one nobody defined). The attribute is dropped.
fn rss_without_default_namespace(text: &str) -> Option<String> {
    if root_name(text)? != "rss" {
        return None;
    }
    let start = text.find("<rss")?;
    let tag_len = start_tag_len(&text[start..])?;
    let tag = &text[start..start + tag_len];
    let attrs = attributes(tag.get(4..tag_len - 1)?);
    if !attrs.iter().any(|(name, _)| *name == "xmlns") {
        return None;
    }
    let mut rebuilt = String::from("<rss");
    push_attributes(&mut rebuilt, attrs.iter().filter(|(name, _)| *name != "xmlns"));
    rebuilt.push('>');
    Some(format!("{}{rebuilt}{}", &text[..start], &text[start + tag_len..]))
}

/// RSS 1.0 items without `<link>` (feed-rs drops them): their `rdf:about` is the address.
fn rss1_links_from_about(text: &str) -> Option<String> {
    if !root_name(text).is_some_and(|n| n.ends_with("RDF")) {
        return None;
    }
    rewrite_blocks(text, "item", |start_tag, inner| {
        if has_child(inner, "link") {
            return None;
        }
        let attrs = attributes(start_tag);
        let about = attrs.iter().find(|(n, _)| *n == "rdf:about").map(|(_, v)| *v)?;
        Some(format!("<link>{about}</link>{inner}"))
    })
}

/// `dc:title`, else an item's own `media:title`, stands for a missing `<title>` in an item or
/// entry: feed-rs reads no `dc:title`, and keeps a `media:title` only on a media object (one
/// inside `media:content` is read from there).
fn dc_titles(text: &str) -> Option<String> {
    if !text.contains("<dc:title") && !text.contains("<media:title") && !text.contains("<dc:author") {
        return None;
    }
    let rename = |_: &str, inner: &str| -> Option<String> {
        // `dc:author` (not Dublin Core's own `dc:creator`, which feed-rs reads) is the author.
        if has_child(inner, "dc:author") && !has_child(inner, "dc:creator") && !has_child(inner, "author") {
            let renamed = inner
                .replacen("<dc:author", "<dc:creator", 1)
                .replacen("</dc:author>", "</dc:creator>", 1);
            return Some(dc_title_for(&renamed).unwrap_or(renamed));
        }
        dc_title_for(inner)
    };
    let items = rewrite_blocks(text, "item", rename);
    let entries = rewrite_blocks(items.as_deref().unwrap_or(text), "entry", rename);
    let entries = entries.or(items);
    // A channel's own `dc:title`, before its items, when it has no `title`.
    let channel = rewrite_blocks(entries.as_deref().unwrap_or(text), "channel", |_, inner| {
        let head = &inner[..inner.find("<item").unwrap_or(inner.len())];
        (!has_child(head, "title") && has_child(head, "dc:title")).then(|| {
            inner
                .replacen("<dc:title", "<title", 1)
                .replacen("</dc:title>", "</title>", 1)
        })
    });
    channel.or(entries)
}

/// An item's `dc:title`, else its own `media:title`, as its missing `<title>`.
fn dc_title_for(inner: &str) -> Option<String> {
    if has_child(inner, "title") {
        return None;
    }
    let from = if has_child(inner, "dc:title") {
        "dc:title"
    } else if has_child(inner, "media:title") && !has_child(inner, "media:content") && !has_child(inner, "media:group")
    {
        "media:title"
    } else {
        return None;
    };
    Some(
        inner
            .replacen(&format!("<{from}"), "<title", 1)
            .replacen(&format!("</{from}>"), "</title>", 1),
    )
}
