//! Reader mode's network half: fetch an article's web page with the same limits as feeds
//! (http and https only), decode it, and extract the main content off the async workers.

use url::Url;

use crate::config::FeedTarget;
use crate::text::reader::{self, ReaderError};

use super::{decode, FetchError, Fetched, Fetcher, Validators};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FullTextError {
    #[error("the article has no link")]
    NoLink,
    #[error("not fetching {0:?}: only http and https links are fetched")]
    NotWeb(String),
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Reader(#[from] ReaderError),
    #[error("the server answered 304 to an unconditional request")]
    NotModified,
    #[error("extraction failed: {0}")]
    Task(String),
}

/// The main content of the page at `link`, as sanitised HTML; where `selector` (the feed's
/// `reader_selector`) matches, what it matches.
pub async fn fetch_full(
    fetcher: &Fetcher,
    link: Option<&str>,
    selector: Option<&str>,
) -> Result<String, FullTextError> {
    let link = link.ok_or(FullTextError::NoLink)?;
    let url = Url::parse(link).map_err(|_| FullTextError::NotWeb(link.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FullTextError::NotWeb(link.to_string()));
    }
    let body = match fetcher
        .fetch(&FeedTarget::Http(url.clone()), &Validators::default())
        .await?
    {
        Fetched::Body(b) => b,
        Fetched::NotModified => return Err(FullTextError::NotModified),
    };
    let page_url = body.final_url.clone().unwrap_or(url);
    let selector = selector.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let charset = body.content_type.as_deref().and_then(decode::charset_of);
        let page = decode::decode_html(&body.bytes, charset);
        crate::panics::contain(|| reader::extract_at(&page, page_url.as_str(), selector.as_deref()))
            .map_err(|e| FullTextError::Task(e.to_string()))?
            .map_err(FullTextError::from)
    })
    .await
    .map_err(|e| FullTextError::Task(e.to_string()))?
}
