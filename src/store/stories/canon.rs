//! An article link reduced to what names the page: the scheme, `www.`/`m.`/`amp.` hosts,
//! `/amp` paths, a trailing slash, the fragment and tracking parameters do not.

/// Query parameters that only say where a reader came from.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref",
    "ref_src",
    "ref_url",
    "cmpid",
    "ncid",
    "ocid",
    "smid",
    "spm",
    "_ga",
    "at_medium",
    "at_campaign",
];

/// Host prefixes that serve the same page under another name.
const MIRROR_PREFIXES: &[&str] = &["www.", "m.", "amp.", "mobile."];

/// The canonical form of an article's link: `None` for what is not an http(s) URL.
pub fn canonical_link(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut host = url.host_str()?.to_ascii_lowercase();
    while let Some(rest) = MIRROR_PREFIXES.iter().find_map(|p| host.strip_prefix(p)) {
        if !rest.contains('.') {
            break; // `m.com` is a host of its own
        }
        host = rest.to_string();
    }
    let mut path = url.path().to_string();
    for suffix in ["/amp", "/amp/", ".amp", "/amp.html"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.to_string();
            break;
        }
    }
    if let Some(p) = path.strip_prefix("/amp/") {
        path = format!("/{p}");
    }
    while path.ends_with('/') {
        path.pop();
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !(k.starts_with("utm_") || TRACKING.contains(&k.as_str()))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut out = format!("{host}{port}{path}");
    if !params.is_empty() {
        out.push('?');
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&query.join("&"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::canonical_link;

    #[test]
    fn the_same_page_under_its_many_addresses_is_one_link() {
        let same = [
            "https://www.example.com/news/story-1",
            "http://example.com/news/story-1/",
            "https://m.example.com/news/story-1#comments",
            "https://amp.example.com/news/story-1/amp",
            "https://example.com/amp/news/story-1",
            "https://example.com/news/story-1?utm_source=rss&utm_medium=feed",
            "https://example.com/news/story-1?fbclid=abc&gclid=x&ref=hn",
            "HTTPS://WWW.EXAMPLE.COM/news/story-1",
        ];
        for link in same {
            assert_eq!(
                canonical_link(link).as_deref(),
                Some("example.com/news/story-1"),
                "{link}"
            );
        }
    }

    #[test]
    fn what_names_another_page_is_kept() {
        let a = canonical_link("https://example.com/item?id=1&utm_source=x").unwrap();
        let b = canonical_link("https://example.com/item?id=2").unwrap();
        assert_ne!(a, b);
        assert_eq!(a, "example.com/item?id=1");
        // Parameters in another order are the same page.
        assert_eq!(
            canonical_link("https://example.com/p?b=2&a=1"),
            canonical_link("https://example.com/p?a=1&b=2")
        );
        assert_ne!(
            canonical_link("https://example.com/a"),
            canonical_link("https://example.org/a")
        );
        assert_ne!(
            canonical_link("https://example.com:8080/a"),
            canonical_link("https://example.com/a")
        );
        // Paths are case-sensitive; hosts are not.
        assert_ne!(
            canonical_link("https://example.com/A"),
            canonical_link("https://example.com/a")
        );
        assert_eq!(canonical_link("mailto:x@example.com"), None);
        assert_eq!(canonical_link("not a url"), None);
        assert_eq!(canonical_link("https://m.com/x").as_deref(), Some("m.com/x"));
    }
}
