//! A fetched body becomes stored articles: hashed, decoded and parsed on the blocking pool (the
//! same bytes as last time are not parsed), an HTML page followed to the feed it links, then written.

use chrono::{DateTime, Utc};
use url::Url;

use std::sync::Arc;

use crate::config::{FeedTarget, Scrape};
use crate::feed::fetch::Body;
use crate::feed::{decode, discover, parse, scrape, Fetched, Validators};
use crate::model::FeedId;
use crate::store::{FetchRecord, WriteCounts};

use super::{Job, Outcome, PollError, Poller};
use crate::store::lock;

impl Poller {
    /// Parses a fetched body (discovering the feed behind an HTML page) and writes it.
    pub(super) async fn store_body(
        &self,
        job: Job,
        body: Body,
        now: DateTime<Utc>,
        previous_hash: Option<i64>,
    ) -> Result<Outcome, PollError> {
        let (feed, target, shape, mut filters) = (job.state.feed_id, &job.target, &job.shape, job.filters);
        let base = body
            .content_location
            .clone()
            .or(body.final_url.clone())
            .or_else(|| match target {
                FeedTarget::Http(u) => Some(u.clone()),
                FeedTarget::File(p) => Url::from_file_path(p).ok(),
                FeedTarget::Command(_) => None,
            });
        let mut fetch_url = body.permanent_redirect.as_ref().map(Url::to_string);
        // A feed that moved for good is parsed and written, so its new address is recorded.
        let previous_hash = previous_hash.filter(|_| fetch_url.is_none());
        let (mut status, mut validators) = (body.status, body.validators);
        // One parse per core at a time, and no more parsed articles than the writer's backlog
        // holds: a fast network never piles parsed feeds up in memory (see `Backlog`).
        let mut cpu = self.backlog.cpu().await;
        let (mut body_hash, first) = parse_blocking(
            body.bytes,
            body.content_type,
            base.clone(),
            previous_hash,
            shape.scrape.clone(),
        )
        .await;
        let parsed = match first {
            Ok(Decoded::Parsed(p)) => p,
            Ok(Decoded::Same) => {
                drop(cpu);
                // Many servers answer 200 to conditional requests: the same bytes are the same
                // articles, so nothing is parsed or written but the fetch itself.
                let status = status.to_string();
                return self
                    .write(move |s| {
                        s.record_same_body(
                            feed,
                            now,
                            &status,
                            validators.etag.as_deref(),
                            validators.last_modified.as_deref(),
                        )
                        .map(|()| Outcome::Updated(WriteCounts::default()))
                    })
                    .await;
            }
            Err(ParseFailure::Html(page_text)) => {
                drop(cpu);
                let found = self.follow_feed_link(feed, now, base.clone(), &page_text).await?;
                (status, validators, body_hash) = (found.status, found.validators, found.body_hash);
                fetch_url = Some(found.url);
                cpu = found.cpu;
                found.parsed
            }
            Err(e) => return Err(self.fail(feed, now, PollError::Parse(e.message())).await),
        };
        // Hashes and search text are built on the blocking pool, in parallel with other feeds,
        // not under the write lock; only new and changed articles get search text.
        let mut articles = parsed.articles;
        let trim = super::shape::keep(shape, &mut articles, now);
        let _queued = self.backlog.articles(articles.len()).await;
        let reader = self.reader.clone();
        // `feed:` in a filter sees the title shown for the feed: configured, else its own.
        if filters.feed_title.is_none() {
            filters.feed_title = parsed.meta.title.clone();
        }
        let (articles, prepared) = match tokio::task::spawn_blocking(move || {
            let stored = reader.and_then(|r| match lock(&r).stored_hashes(feed) {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!("feed {}: cannot read stored hashes: {e}", feed.0);
                    None
                }
            });
            let prepared = crate::store::prepare(&articles, stored.as_ref(), Some(&filters), now.timestamp());
            (articles, prepared)
        })
        .await
        {
            Ok((a, p)) => (a, Some(p)),
            Err(e) => {
                let why = format!("hashing task failed: {e}");
                return Err(self.fail(feed, now, PollError::Task(why)).await);
            }
        };
        drop(cpu);
        let record = FetchRecord {
            prepared,
            body_hash: Some(body_hash),
            status: status.to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            fetch_url,
            meta: parsed.meta,
            articles,
            keep_per_feed: shape.max_items.unwrap_or(self.keep_per_feed),
            trim,
            remote: None,
        };
        self.write(move |s| s.apply_fetch(feed, now, &record).map(Outcome::Updated))
            .await
    }
}

/// The feed an HTML page linked to, fetched and parsed (the parse's CPU slot held).
struct Discovered {
    url: String,
    parsed: parse::ParsedFeed,
    status: u16,
    validators: Validators,
    body_hash: i64,
    cpu: tokio::sync::OwnedSemaphorePermit,
}

impl Poller {
    /// A page instead of a feed: the feed its `<link rel="alternate">` names, fetched and
    /// parsed; a page without one, or a link that leads nowhere, is the feed's failure.
    async fn follow_feed_link(
        &self,
        feed: FeedId,
        now: DateTime<Utc>,
        base: Option<Url>,
        page_text: &str,
    ) -> Result<Discovered, PollError> {
        let Some(page) = base else {
            return Err(self
                .fail(feed, now, PollError::NotAFeed("an HTML page, not a feed".into()))
                .await);
        };
        let Some(found) = discover::find_feed_link(page_text, &page) else {
            let why = "an HTML page with no feed link (<link rel=\"alternate\">)";
            return Err(self.fail(feed, now, PollError::NotAFeed(why.into())).await);
        };
        tracing::info!("feed {}: discovered {found} on {page}", feed.0);
        let fetched = self
            .fetcher
            .fetch(&FeedTarget::Http(found.clone()), &Validators::default())
            .await;
        let body = match fetched {
            Ok(Fetched::Body(b)) => *b,
            Ok(Fetched::NotModified) => {
                let why = "discovered feed answered 304 to an unconditional request";
                return Err(self.fail(feed, now, PollError::NotAFeed(why.into())).await);
            }
            Err(e) => return Err(self.fail(feed, now, e.into()).await),
        };
        let found_base = body.final_url.clone().unwrap_or(found.clone());
        let (status, validators) = (body.status, body.validators);
        let cpu = self.backlog.cpu().await;
        let (body_hash, parsed) = parse_blocking(body.bytes, body.content_type, Some(found_base), None, None).await;
        match parsed {
            Ok(Decoded::Parsed(parsed)) => Ok(Discovered {
                url: found.to_string(),
                parsed,
                status,
                validators,
                body_hash,
                cpu,
            }),
            // Not asked for (no previous hash); `Same` cannot come back.
            Ok(Decoded::Same) => Err(PollError::Parse("discovered feed: nothing parsed".into())),
            Err(e) => {
                let why = format!("discovered feed {found}: {}", e.message());
                Err(self.fail(feed, now, PollError::Parse(why)).await)
            }
        }
    }
}

enum ParseFailure {
    /// The body is an HTML page: look for a feed link in it.
    Html(String),
    Other(String),
}

impl ParseFailure {
    fn message(&self) -> String {
        match self {
            ParseFailure::Html(_) => "an HTML page, not a feed".into(),
            ParseFailure::Other(m) => m.clone(),
        }
    }
}

/// A parsed body, or the body last stored again.
enum Decoded {
    Parsed(parse::ParsedFeed),
    Same,
}

/// Hashes, decodes and parses on the blocking pool: parsing is CPU work and must not stall the
/// runtime. A body whose hash is `previous` is not parsed. Returns the body's hash too.
async fn parse_blocking(
    bytes: Vec<u8>,
    content_type: Option<String>,
    base: Option<Url>,
    previous: Option<i64>,
    scrape: Option<Arc<Scrape>>,
) -> (i64, Result<Decoded, ParseFailure>) {
    tokio::task::spawn_blocking(move || {
        let hash = crate::store::body_hash(&bytes);
        if previous == Some(hash) {
            return (hash, Ok(Decoded::Same));
        }
        // Everything that reads the untrusted bytes runs contained: a panic fails this feed only,
        // and never reaches the reader's terminal-restoring hook.
        let parsed = crate::panics::contain(|| {
            let charset = content_type.as_deref().and_then(decode::charset_of);
            let text = decode::decode(&bytes, charset);
            if let Some(rules) = &scrape {
                return scrape::scrape(&text, base.as_ref(), rules)
                    .map(Decoded::Parsed)
                    .map_err(|e| match e {
                        parse::ParseError::Invalid(why) => ParseFailure::Other(why),
                        other => ParseFailure::Other(other.to_string()),
                    });
            }
            match parse::parse(&text, base.as_ref()) {
                Ok(p) => Ok(Decoded::Parsed(p)),
                Err(_) if discover::looks_like_html(&text, content_type.as_deref()) => Err(ParseFailure::Html(text)),
                Err(e) => Err(ParseFailure::Other(e.to_string())),
            }
        })
        .unwrap_or_else(|e| Err(ParseFailure::Other(parse::ParseError::from(e).to_string())));
        (hash, parsed)
    })
    .await
    .unwrap_or_else(|e| (0, Err(ParseFailure::Other(format!("parser task failed: {e}")))))
}
