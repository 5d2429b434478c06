//! Refreshing feeds: picks what is due, fetches with bounded concurrency (overall and per host),
//! parses off the async workers, writes each feed in one transaction, and reports PollEvents.

mod backlog;
mod error;
mod group;
mod ingest;
mod jobs;
mod shape;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, Semaphore};

use crate::config::{FeedTarget, General};
use crate::feed::{FetchError, Fetched, Fetcher, Limits, Validators};
use crate::model::FeedId;
use crate::store::{lock, GroupProgress, SharedStore, Store, StoryRules, WriteCounts, INDEX_CHUNK, STORY_CHUNK};

pub use error::PollError;
use group::{Deliver, GroupWriter};

pub use group::MAX_WRITES_PER_COMMIT;
pub use jobs::{Job, Shape};

/// Most article pages fetched per `full_text` feed and refresh: the newest first.
const FULL_TEXT_PER_REFRESH: usize = 20;

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
        /// New articles each filter acted on: (filter index in the config, count).
        filtered: Vec<(usize, usize)>,
        /// Of the new articles, those a filter hid.
        hidden: usize,
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
    /// After `Finished`: the articles the refresh stored went into the search index (searches
    /// meanwhile indexed what they needed first).
    Indexed {
        articles: usize,
        elapsed: Duration,
    },
    /// The stories pass after the index: `grouped` of `decided` new articles joined a story.
    Grouped {
        decided: usize,
        grouped: usize,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshSummary {
    pub feeds: usize,
    pub updated: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub skipped: usize,
    pub new_articles: usize,
    /// Of the new articles, those filters hid.
    pub hidden_articles: usize,
    pub elapsed: Duration,
}

/// Fetches feeds and writes them to the cache.
pub struct Poller {
    fetcher: Fetcher,
    writer: Arc<GroupWriter>,
    /// A second connection for the reads that prepare a write (None for an in-memory cache).
    reader: Option<Arc<Mutex<Store>>>,
    backlog: backlog::Backlog,
    concurrency: usize,
    per_host: usize,
    keep_per_feed: usize,
    stories: Option<StoryRules>,
}

enum Outcome {
    Updated(WriteCounts),
    NotModified,
    Skipped(DateTime<Utc>),
    Failed(PollError),
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
            writer: Arc::new(GroupWriter::new(store)),
            reader,
            backlog: backlog::Backlog::new(),
            concurrency: general.concurrency,
            per_host: general.per_host_concurrency,
            keep_per_feed: general.articles_per_feed,
            stories: None,
        })
    }

    /// Groups the articles each run stores into stories, by these rules.
    pub fn with_stories(mut self, rules: StoryRules) -> Poller {
        self.stories = Some(rules).filter(|r| r.group);
        self
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
                FeedTarget::File(_) | FeedTarget::Command(_) => String::new(),
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
                        filtered: c.filtered.clone(),
                        hidden: c.hidden,
                    },
                    Outcome::NotModified => PollEvent::NotModified { feed, url },
                    Outcome::Skipped(until) => PollEvent::Skipped {
                        feed,
                        url,
                        until: *until,
                    },
                    Outcome::Failed(error) => PollEvent::Failed {
                        feed,
                        url,
                        reason: error.to_string(),
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
                    summary.hidden_articles += c.hidden;
                }
                Ok(Outcome::NotModified) => summary.not_modified += 1,
                Ok(Outcome::Skipped(_)) => summary.skipped += 1,
                Ok(Outcome::Failed(_)) | Err(_) => summary.failed += 1,
            }
        }
        summary.elapsed = started.elapsed();
        let _ = events.send(PollEvent::Finished(summary.clone()));
        let indexing = Instant::now();
        let indexed = self.index_for_search().await;
        if indexed > 0 {
            let _ = events.send(PollEvent::Indexed {
                articles: indexed,
                elapsed: indexing.elapsed(),
            });
        }
        if let Some(rules) = &self.stories {
            let grouping = Instant::now();
            let done = self.group_stories(rules.clone()).await;
            if done.decided > 0 {
                let _ = events.send(PollEvent::Grouped {
                    decided: done.decided,
                    grouped: done.grouped,
                    elapsed: grouping.elapsed(),
                });
            }
        }
        summary
    }

    /// The stories pass, a chunk per write. A failure is logged: the next pass goes on from
    /// where this one stopped.
    async fn group_stories(&self, rules: StoryRules) -> GroupProgress {
        let mut total = GroupProgress::default();
        let rules = Arc::new(rules);
        // Each step decides a chunk or ends the pass; the bound only guards against a cache
        // that keeps growing under it.
        for _ in 0..10_000 {
            let step_rules = rules.clone();
            match self.write(move |s| s.group_stories(&step_rules, STORY_CHUNK)).await {
                Ok(p) => {
                    group::release_freed_memory();
                    total.decided += p.decided;
                    total.grouped += p.grouped;
                    if p.done {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!("stories: {e}");
                    break;
                }
            }
        }
        total
    }

    /// The search index pass after the articles are stored, a chunk per group write, so the
    /// reader's own writes wait for one chunk at most. A failure is logged: the next search
    /// indexes what is left.
    async fn index_for_search(&self) -> usize {
        let waiting = match self.write(|s| s.search_backlog()).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!("search index: {e}");
                return 0;
            }
        };
        let mut indexed = 0;
        for _ in 0..waiting.div_ceil(INDEX_CHUNK) {
            match self.write(|s| s.index_pending(INDEX_CHUNK)).await {
                Ok(0) => break,
                Ok(n) => indexed += n,
                Err(e) => {
                    tracing::error!("search index: {e}");
                    break;
                }
            }
        }
        if let Err(e) = self.write(|s| s.release_free_pages()).await {
            tracing::warn!("cache: cannot release free pages: {e}");
        }
        indexed
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
        let extras = match shape::extras(&job.shape.request, self.fetcher.limits()).await {
            Ok(extras) => extras,
            Err(e) => return Outcome::Failed(self.fail(feed, now, e).await),
        };
        let fetched = match self.fetcher.fetch_with(&job.target, &validators, &extras).await {
            Ok(Fetched::Body(mut body)) if job.shape.filter.is_some() => {
                let argv = job.shape.filter.as_deref().unwrap_or_default();
                let bytes = std::mem::take(&mut body.bytes);
                shape::filter(argv, bytes, self.fetcher.limits()).await.map(|bytes| {
                    body.bytes = bytes;
                    // The program's output is the feed: the server's charset no longer applies.
                    body.content_type = None;
                    Fetched::Body(body)
                })
            }
            other => other,
        };
        let result = match fetched {
            Ok(Fetched::NotModified) => {
                self.write(move |s| s.record_not_modified(feed, now).map(|_| Outcome::NotModified))
                    .await
            }
            Ok(Fetched::Body(body)) => {
                // Forced refreshes parse even an unchanged body.
                let previous = job.state.body_hash.filter(|_| !force);
                let (full_text, selector) = (job.full_text, job.shape.reader_selector.clone());
                let stored = self.store_body(job, *body, now, previous).await;
                if full_text && stored.is_ok() {
                    self.fill_full_text(feed, selector.as_deref()).await;
                }
                stored
            }
            Err(e) => Err(self.fail(feed, now, e.into()).await),
        };
        result.unwrap_or_else(Outcome::Failed)
    }

    /// Reader mode for a `full_text` feed: fetches the pages of its newest articles that have
    /// none yet, one at a time within this feed's slot. A failure is kept on the article.
    async fn fill_full_text(&self, feed: FeedId, selector: Option<&str>) {
        let missing = match self
            .write(move |s| s.missing_full_text(feed, FULL_TEXT_PER_REFRESH))
            .await
        {
            Ok(m) => m,
            Err(e) => return tracing::error!("feed {}: {e}", feed.0),
        };
        for (id, link) in missing {
            let result = crate::feed::full::fetch_full(&self.fetcher, Some(&link), selector).await;
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

    /// Records a failure on the feed (its articles stay: its status label, message and any
    /// Retry-After) and returns it for the event.
    async fn fail(&self, feed: FeedId, now: DateTime<Utc>, error: PollError) -> PollError {
        let (status, message, retry_after) = (error.status_label(), error.to_string(), error.retry_after());
        let write = self
            .write(move |s| s.record_failure(feed, now, &status, &message, retry_after))
            .await;
        if let Err(e) = write {
            tracing::error!("cannot record failure of feed {}: {e}", feed.0);
        }
        error
    }

    /// Runs a store write on the blocking pool, so the async workers never wait on SQLite.
    async fn write<T, F>(&self, f: F) -> Result<T, PollError>
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
        result
            .await
            .map_err(|_| PollError::Store("cache write aborted".into()))?
            .map_err(PollError::Store)
    }
}
