//! Checking a URL before it is added as a feed: fetch it (an HTML page: the feed it links to),
//! parse what comes back, and say which URL is the feed and what it holds.

use url::Url;

use crate::config::FeedTarget;

use super::{decode, discover, parse, Fetched, Fetcher, Validators};

/// A URL that serves a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// The feed's own URL: the one given, or the feed a page links to.
    pub url: String,
    pub title: Option<String>,
    pub articles: usize,
}

/// Fetches and parses `target`; a page with a feed link is followed once.
pub async fn probe(fetcher: &Fetcher, target: &FeedTarget, given: &str) -> Result<Probed, String> {
    let mut target = target.clone();
    let mut url = given.to_string();
    for _ in 0..2 {
        let body = match fetcher.fetch(&target, &Validators::default()).await {
            Ok(Fetched::Body(b)) => *b,
            Ok(Fetched::NotModified) => return Err(format!("{url}: the server answered 304 to a plain request")),
            Err(e) => return Err(format!("{url}: {e}")),
        };
        let page = body.final_url.clone().or_else(|| match &target {
            FeedTarget::Http(u) => Some(u.clone()),
            FeedTarget::File(p) => Url::from_file_path(p).ok(),
            FeedTarget::Command(_) => None,
        });
        let base = page.clone();
        let content_type = body.content_type.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            crate::panics::contain(|| {
                let charset = content_type.as_deref().and_then(decode::charset_of);
                let text = decode::decode(&body.bytes, charset);
                match parse::parse(&text, base.as_ref()) {
                    Ok(p) => Ok(Ok(p)),
                    Err(_) if discover::looks_like_html(&text, content_type.as_deref()) => Ok(Err(text)),
                    Err(e) => Err(e.to_string()),
                }
            })
            .map_err(|e| parse::ParseError::from(e).to_string())
            .and_then(|r| r)
        })
        .await
        .map_err(|e| format!("{url}: the parser failed: {e}"))?;
        match parsed {
            Ok(Ok(feed)) => {
                return Ok(Probed {
                    url,
                    title: feed.meta.title,
                    articles: feed.articles.len(),
                })
            }
            Ok(Err(html)) => {
                let found = page
                    .as_ref()
                    .and_then(|p| discover::find_feed_link(&html, p))
                    .ok_or_else(|| format!("{url} is a web page with no feed link (<link rel=\"alternate\">)"))?;
                url = found.to_string();
                target = FeedTarget::Http(found);
            }
            Err(e) => return Err(format!("{url} is not a feed khabar can read: {e}")),
        }
    }
    Err(format!("{url}: the page's feed link leads to another page, not a feed"))
}
