//! Refreshing feeds: picks what is due, fetches with bounded concurrency (overall and per host),
//! parses off the async workers, writes each feed in one transaction, and reports PollEvents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, Semaphore};
use url::Url;

use crate::config::{Config, FeedTarget, General};
use crate::feed::fetch::Body;
use crate::feed::{decode, discover, parse, FetchError, Fetched, Fetcher, Limits, Validators};
use crate::model::FeedId;
use crate::store::{FetchRecord, PollState, Store, WriteCounts};

/// Most article pages fetched per `full_text` feed and refresh: the newest first.
const FULL_TEXT_PER_REFRESH: usize = 20;

/// The cache as shared between the poller's workers: writes are serialised by the lock.
pub type SharedStore = Arc<Mutex<Store>>;

/// Locks the store, recovering from a panic in another holder (SQLite itself stays consistent).
pub fn lock(store: &SharedStore) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Progress of a refresh, one event per step, for the UI's status bar and `khabar refresh`.
#[derive(Debug, Clone, PartialEq)]
pub enum PollEvent {
    Started {
        feed: FeedId,
        url: String,
    },
    Updated {
        feed: FeedId,
        url: String,
        new: usize,
        updated: usize,
    },
    NotModified {
        feed: FeedId,
        url: String,
    },
    /// Not fetched: the server asked us to wait (Retry-After) until then.
    Skipped {
        feed: FeedId,
        url: String,
        until: DateTime<Utc>,
    },
    Failed {
        feed: FeedId,
        url: String,
        reason: String,
    },
    Finished(RefreshSummary),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshSummary {
    pub feeds: usize,
    pub updated: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub skipped: usize,
    pub new_articles: usize,
    pub elapsed: Duration,
}

/// One feed to poll: its config entry joined with its fetch state.
#[derive(Debug, Clone)]
pub struct Job {
    pub state: PollState,
    pub target: FeedTarget,
    pub interval: Duration,
    /// Fetch the full article of new items (reader mode) after the feed is stored.
    pub full_text: bool,
}

impl Job {
    /// Pairs configured feeds with their cache state (call `Store::sync_feeds` first).
    pub fn all(config: &Config, states: Vec<PollState>) -> Vec<Job> {
        let by_url: HashMap<&str, _> = config.feeds.iter().map(|f| (f.url.as_str(), f)).collect();
        states
            .into_iter()
            .filter_map(|state| {
                let feed = by_url.get(state.url.as_str())?;
                // A recorded permanent redirect or discovered feed URL replaces the configured one.
                let target = state
                    .fetch_url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok())
                    .map(FeedTarget::Http)
                    .unwrap_or_else(|| feed.target.clone());
                Some(Job {
                    target,
                    interval: feed.refresh_interval.unwrap_or(config.general.refresh_interval.0),
                    full_text: feed.full_text,
                    state,
                })
            })
            .collect()
    }

    /// When the background refresh should fetch this feed next: its interval after the last
    /// fetch, doubled per consecutive failure (capped at a day), never before a Retry-After.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let last = self.state.last_fetched?;
        let factor = 1u32 << self.state.failures.min(16);
        let wait = self
            .interval
            .saturating_mul(factor)
            .min(Duration::from_secs(86_400).max(self.interval));
        let due = last + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(1));
        Some(self.state.retry_after.map_or(due, |r| r.max(due)))
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next_due().is_none_or(|d| d <= now)
    }
}

/// Fetches feeds and writes them to the cache.
pub struct Poller {
    fetcher: Fetcher,
    writer: Arc<GroupWriter>,
    /// A second connection for the reads that prepare a write (None for an in-memory cache).
    reader: Option<Arc<Mutex<Store>>>,
    concurrency: usize,
    per_host: usize,
    keep_per_feed: usize,
}

enum Outcome {
    Updated(WriteCounts),
    NotModified,
    Skipped(DateTime<Utc>),
    Failed(String),
}

impl Poller {
    pub fn new(general: &General, store: SharedStore) -> Result<Poller, FetchError> {
        let reader = match lock(&store).reopen() {
            Ok(r) => r.map(|s| Arc::new(Mutex::new(s))),
            Err(e) => {
                tracing::warn!("no second cache connection, writes prepare under the lock: {e}");
                None
            }
        };
        Ok(Poller {
            fetcher: Fetcher::new(Limits::from(general))?,
            writer: Arc::new(GroupWriter {
                store,
                queue: Mutex::new(Vec::new()),
            }),
            reader,
            concurrency: general.concurrency,
            per_host: general.per_host_concurrency,
            keep_per_feed: general.articles_per_feed,
        })
    }

    /// Polls the jobs, at most `concurrency` at once and `per_host_concurrency` per host.
    /// Feeds under a server's Retry-After are skipped unless `force`. One feed's failure is
    /// recorded on that feed and never stops the others.
    pub async fn run(
        self: &Arc<Self>,
        jobs: Vec<Job>,
        force: bool,
        events: mpsc::UnboundedSender<PollEvent>,
    ) -> RefreshSummary {
        let started = Instant::now();
        let global = Arc::new(Semaphore::new(self.concurrency));
        let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        let total = jobs.len();
        for job in jobs {
            let host = match &job.target {
                FeedTarget::Http(u) => u.host_str().unwrap_or("").to_string(),
                FeedTarget::File(_) => String::new(),
            };
            let host_limit = hosts
                .entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone();
            let global = global.clone();
            let this = self.clone();
            let events = events.clone();
            tasks.spawn(async move {
                let _host = host_limit.acquire_owned().await.expect("semaphore never closed");
                let _slot = global.acquire_owned().await.expect("semaphore never closed");
                let (feed, url) = (job.state.feed_id, job.state.url.clone());
                let outcome = this.poll_one(job, force, &events).await;
                let event = match &outcome {
                    Outcome::Updated(c) => PollEvent::Updated {
                        feed,
                        url,
                        new: c.new,
                        updated: c.updated,
                    },
                    Outcome::NotModified => PollEvent::NotModified { feed, url },
                    Outcome::Skipped(until) => PollEvent::Skipped {
                        feed,
                        url,
                        until: *until,
                    },
                    Outcome::Failed(reason) => PollEvent::Failed {
                        feed,
                        url,
                        reason: reason.clone(),
                    },
                };
                let _ = events.send(event);
                outcome
            });
        }
        let mut summary = RefreshSummary {
            feeds: total,
            ..Default::default()
        };
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Outcome::Updated(c)) => {
                    summary.updated += 1;
                    summary.new_articles += c.new;
                }
                Ok(Outcome::NotModified) => summary.not_modified += 1,
                Ok(Outcome::Skipped(_)) => summary.skipped += 1,
                Ok(Outcome::Failed(_)) | Err(_) => summary.failed += 1,
            }
        }
        summary.elapsed = started.elapsed();
        let _ = events.send(PollEvent::Finished(summary.clone()));
        summary
    }

    async fn poll_one(&self, job: Job, force: bool, events: &mpsc::UnboundedSender<PollEvent>) -> Outcome {
        let now = Utc::now();
        let feed = job.state.feed_id;
        if let Some(until) = job.state.retry_after.filter(|t| *t > now && !force) {
            return Outcome::Skipped(until);
        }
        let _ = events.send(PollEvent::Started {
            feed,
            url: job.state.url.clone(),
        });
        let validators = Validators {
            etag: job.state.etag.clone(),
            last_modified: job.state.last_modified.clone(),
        };
        let result = match self.fetcher.fetch(&job.target, &validators).await {
            Ok(Fetched::NotModified) => {
                self.write(move |s| s.record_not_modified(feed, now).map(|_| Outcome::NotModified))
                    .await
            }
            Ok(Fetched::Body(body)) => {
                // Forced refreshes parse even an unchanged body.
                let previous = job.state.body_hash.filter(|_| !force);
                let stored = self.store_body(feed, &job.target, *body, now, previous).await;
                if job.full_text && stored.is_ok() {
                    self.fill_full_text(feed).await;
                }
                stored
            }
            Err(e) => Err(self
                .fail(feed, now, &e.status_label(), &e.to_string(), e.retry_after())
                .await),
        };
        result.unwrap_or_else(Outcome::Failed)
    }

    /// Reader mode for a `full_text` feed: fetches the pages of its newest articles that have
    /// none yet, one at a time within this feed's slot. A failure is kept on the article.
    async fn fill_full_text(&self, feed: FeedId) {
        let missing = match self
            .write(move |s| s.missing_full_text(feed, FULL_TEXT_PER_REFRESH))
            .await
        {
            Ok(m) => m,
            Err(e) => return tracing::error!("feed {}: {e}", feed.0),
        };
        for (id, link) in missing {
            let result = crate::feed::full::fetch_full(&self.fetcher, Some(&link)).await;
            if let Err(e) = &result {
                tracing::info!("full text of {link}: {e}");
            }
            let saved = self
                .write(move |s| match &result {
                    Ok(html) => s.set_full_content(id, Ok(html)),
                    Err(e) => s.set_full_content(id, Err(&e.to_string())),
                })
                .await;
            if let Err(e) = saved {
                tracing::error!("cannot store the full text of {link}: {e}");
            }
        }
    }

    /// Parses a fetched body (discovering the feed behind an HTML page) and writes it.
    async fn store_body(
        &self,
        feed: FeedId,
        target: &FeedTarget,
        body: Body,
        now: DateTime<Utc>,
        previous_hash: Option<i64>,
    ) -> Result<Outcome, String> {
        let base = body
            .content_location
            .clone()
            .or(body.final_url.clone())
            .or_else(|| match target {
                FeedTarget::Http(u) => Some(u.clone()),
                FeedTarget::File(p) => Url::from_file_path(p).ok(),
            });
        let mut fetch_url = body.permanent_redirect.as_ref().map(Url::to_string);
        // A feed that moved for good is parsed and written, so its new address is recorded.
        let previous_hash = previous_hash.filter(|_| fetch_url.is_none());
        let (mut status, mut validators) = (body.status, body.validators);
        let (mut body_hash, first) = parse_blocking(body.bytes, body.content_type, base.clone(), previous_hash).await;
        let parsed = match first {
            Ok(Decoded::Parsed(p)) => p,
            Ok(Decoded::Same) => {
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
                let Some(page) = base.clone() else {
                    return Err(self.fail(feed, now, "error", "an HTML page, not a feed", None).await);
                };
                let Some(found) = discover::find_feed_link(&page_text, &page) else {
                    return Err(self
                        .fail(
                            feed,
                            now,
                            "error",
                            "an HTML page with no feed link (<link rel=\"alternate\">)",
                            None,
                        )
                        .await);
                };
                tracing::info!("feed {}: discovered {found} on {page}", feed.0);
                let fetched = self
                    .fetcher
                    .fetch(&FeedTarget::Http(found.clone()), &Validators::default())
                    .await;
                let body = match fetched {
                    Ok(Fetched::Body(b)) => *b,
                    Ok(Fetched::NotModified) => {
                        return Err(self
                            .fail(
                                feed,
                                now,
                                "error",
                                "discovered feed answered 304 to an unconditional request",
                                None,
                            )
                            .await)
                    }
                    Err(e) => {
                        return Err(self
                            .fail(feed, now, &e.status_label(), &e.to_string(), e.retry_after())
                            .await)
                    }
                };
                let found_base = body.final_url.clone().unwrap_or(found.clone());
                (status, validators) = (body.status, body.validators);
                let (found_hash, parsed) = parse_blocking(body.bytes, body.content_type, Some(found_base), None).await;
                body_hash = found_hash;
                match parsed {
                    Ok(Decoded::Parsed(p)) => {
                        fetch_url = Some(found.to_string());
                        p
                    }
                    // Not asked for (no previous hash); `Same` cannot come back.
                    Ok(Decoded::Same) => return Err("discovered feed: nothing parsed".into()),
                    Err(e) => {
                        return Err(self
                            .fail(
                                feed,
                                now,
                                "parse-error",
                                &format!("discovered feed {found}: {}", e.message()),
                                None,
                            )
                            .await)
                    }
                }
            }
            Err(e) => return Err(self.fail(feed, now, "parse-error", &e.message(), None).await),
        };
        // Hashes and search text are built on the blocking pool, in parallel with other feeds,
        // not under the write lock; only new and changed articles get search text.
        let articles = parsed.articles;
        let reader = self.reader.clone();
        let (articles, prepared) = match tokio::task::spawn_blocking(move || {
            let stored = reader.and_then(|r| match lock(&r).stored_hashes(feed) {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!("feed {}: cannot read stored hashes: {e}", feed.0);
                    None
                }
            });
            let prepared = crate::store::prepare(&articles, stored.as_ref());
            (articles, prepared)
        })
        .await
        {
            Ok((a, p)) => (a, Some(p)),
            Err(e) => {
                return Err(self
                    .fail(feed, now, "error", &format!("hashing task failed: {e}"), None)
                    .await)
            }
        };
        let record = FetchRecord {
            prepared,
            body_hash: Some(body_hash),
            status: status.to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            fetch_url,
            meta: parsed.meta,
            articles,
            keep_per_feed: self.keep_per_feed,
        };
        self.write(move |s| s.apply_fetch(feed, now, &record).map(Outcome::Updated))
            .await
    }

    /// Records a failure on the feed (its articles stay) and returns the message for the event.
    async fn fail(
        &self,
        feed: FeedId,
        now: DateTime<Utc>,
        status: &str,
        msg: &str,
        retry_after: Option<DateTime<Utc>>,
    ) -> String {
        let (status, message) = (status.to_string(), msg.to_string());
        let write = self
            .write(move |s| s.record_failure(feed, now, &status, &message, retry_after))
            .await;
        if let Err(e) = write {
            tracing::error!("cannot record failure of feed {}: {e}", feed.0);
        }
        msg.to_string()
    }

    /// Runs a store write on the blocking pool, so the async workers never wait on SQLite.
    async fn write<T, F>(&self, f: F) -> Result<T, String>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        self.writer.submit(Box::new(move |store: &mut Store| {
            let outcome = f(store).map_err(|e| e.to_string());
            Box::new(move |commit: Result<(), String>| {
                let _ = done.send(commit.and(outcome));
            }) as Deliver
        }));
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || writer.drain());
        result.await.map_err(|_| "cache write aborted".to_string())?
    }
}

/// Most writes committed together: bounds how long the UI's own writes wait for the lock.
const MAX_WRITES_PER_COMMIT: usize = 32;

/// A queued write: runs inside the shared transaction and returns how to report its result
/// once the commit is known.
type QueuedWrite = Box<dyn FnOnce(&mut Store) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Group commit: whoever holds the cache lock runs every write queued meanwhile in one
/// transaction. Under load (a cold refresh) dozens of feeds share a commit, FTS flush and
/// WAL sync; a lone write still commits at once. No write is reported done before its commit.
struct GroupWriter {
    store: SharedStore,
    queue: Mutex<Vec<QueuedWrite>>,
}

impl GroupWriter {
    fn submit(&self, write: QueuedWrite) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(write);
    }

    /// Blocking: commits queued writes until the queue is empty (another drainer may already
    /// have taken this caller's write; then there is nothing to do).
    fn drain(&self) {
        let mut store = lock(&self.store);
        loop {
            let batch: Vec<QueuedWrite> = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = queue.len().min(MAX_WRITES_PER_COMMIT);
                queue.drain(..n).collect()
            };
            if batch.is_empty() {
                return;
            }
            let mut delivers = Vec::with_capacity(batch.len());
            let committed = store
                .in_one_transaction(|s| delivers.extend(batch.into_iter().map(|write| write(s))))
                .map_err(|e| {
                    tracing::error!("cache commit failed: {e}");
                    format!("cache commit failed: {e}")
                });
            // Writes that never ran (the transaction could not start) report "aborted".
            for deliver in delivers {
                deliver(committed.clone());
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
) -> (i64, Result<Decoded, ParseFailure>) {
    tokio::task::spawn_blocking(move || {
        let hash = crate::store::body_hash(&bytes);
        if previous == Some(hash) {
            return (hash, Ok(Decoded::Same));
        }
        // Everything that reads the untrusted bytes runs contained: a panic fails this feed only,
        // and never reaches the reader's terminal-restoring hook.
        let parsed = parse::contain_panics(|| {
            let charset = content_type.as_deref().and_then(decode::charset_of);
            let text = decode::decode(&bytes, charset);
            match parse::parse(&text, base.as_ref()) {
                Ok(p) => Ok(Decoded::Parsed(p)),
                Err(_) if discover::looks_like_html(&text, content_type.as_deref()) => Err(ParseFailure::Html(text)),
                Err(e) => Err(ParseFailure::Other(e.to_string())),
            }
        })
        .unwrap_or_else(|e| Err(ParseFailure::Other(e.to_string())));
        (hash, parsed)
    })
    .await
    .unwrap_or_else(|e| (0, Err(ParseFailure::Other(format!("parser task failed: {e}")))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn job(failures: u32, retry_after: Option<DateTime<Utc>>) -> Job {
        Job {
            state: PollState {
                feed_id: FeedId(1),
                url: "http://x/".into(),
                fetch_url: None,
                etag: None,
                last_modified: None,
                last_fetched: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
                failures,
                retry_after,
                body_hash: None,
            },
            target: FeedTarget::Http(Url::parse("http://x/").unwrap()),
            interval: Duration::from_secs(1800),
            full_text: false,
        }
    }

    #[test]
    fn failing_feeds_back_off_exponentially_up_to_a_day() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let wait = |failures| (job(failures, None).next_due().unwrap() - t0).num_minutes();
        assert_eq!(wait(0), 30);
        assert_eq!(wait(1), 60);
        assert_eq!(wait(3), 240);
        assert_eq!(wait(10), 24 * 60);
        let later = t0 + chrono::Duration::hours(5);
        assert_eq!(
            job(0, Some(later)).next_due(),
            Some(later),
            "Retry-After wins when later"
        );
        assert!(!job(1, None).is_due(t0 + chrono::Duration::minutes(59)));
        assert!(job(1, None).is_due(t0 + chrono::Duration::minutes(60)));
    }
}
