//! What to poll and when: a `Job` per configured feed (its target, after any recorded redirect),
//! and its schedule: the feed's interval, doubled per failure up to a day, never before Retry-After.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{Config, FeedRequest, FeedTarget, Scrape};
use crate::store::{FeedFilters, Filters, PollState};

/// One feed to poll: its config entry joined with its fetch state.
#[derive(Debug, Clone)]
pub struct Job {
    pub state: PollState,
    pub target: FeedTarget,
    pub interval: Duration,
    /// Fetch the full article of new items (reader mode) after the feed is stored.
    pub full_text: bool,
    /// The config's filters, as they apply to this feed's new articles.
    pub filters: FeedFilters,
    /// How this feed differs from a plain one: its program, page, requests and limits.
    pub shape: Shape,
}

/// A feed's own settings that change how it is fetched, read and kept.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// The body goes through this program before it is parsed.
    pub filter: Option<Vec<String>>,
    /// The body is a page read with these selectors.
    pub scrape: Option<Arc<Scrape>>,
    pub request: FeedRequest,
    pub max_items: Option<usize>,
    pub max_age: Option<Duration>,
    /// Where reader mode finds the article on this feed's pages.
    pub reader_selector: Option<String>,
}

impl Job {
    /// Pairs configured feeds with their cache state (call `Store::sync_feeds` first).
    pub fn all(config: &Config, states: Vec<PollState>) -> Vec<Job> {
        let by_url: HashMap<&str, _> = config.feeds.iter().map(|f| (f.url.as_str(), f)).collect();
        let filters = Filters::new(config.filters.clone());
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
                    filters: filters.for_feed(&feed.url, feed.title.as_deref(), &feed.tags),
                    target,
                    interval: feed.refresh_interval.unwrap_or(config.general.refresh_interval.0),
                    full_text: feed.full_text,
                    shape: Shape {
                        filter: feed.filter.clone(),
                        scrape: feed.scrape.clone(),
                        request: feed.request.clone(),
                        max_items: feed.max_items,
                        max_age: feed.max_age,
                        reader_selector: feed.reader_selector.clone(),
                    },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FeedId;
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
            shape: Shape::default(),
            filters: Filters::new(Vec::new().into()).for_feed("http://x/", None, &[]),
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
