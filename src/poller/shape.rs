//! What a feed's own settings change in its refresh: its requests (secrets read, a proxy's
//! client), its body run through a filter program, and the articles its limits keep.

use chrono::{DateTime, Utc};

use crate::config::FeedRequest;
use crate::feed::{command, FetchError, Fetcher, Limits, RequestExtras};
use crate::model::NewArticle;
use crate::store::Trim;

use super::jobs::Shape;
use super::PollError;

/// The feed's request settings made ready: its secrets read (off the async workers), a client
/// of its own for a proxy.
pub(super) async fn extras(request: &FeedRequest, limits: &Limits) -> Result<RequestExtras, PollError> {
    if request.is_default() {
        return Ok(RequestExtras::default());
    }
    let request = request.clone();
    let (headers, basic_auth) = tokio::task::spawn_blocking(move || {
        let mut headers = Vec::new();
        for (name, source) in &request.headers {
            headers.push((name.clone(), crate::secret::read(source, &format!("headers.{name}"))?));
        }
        let auth = match &request.basic_auth {
            Some((user, source)) => Some((user.clone(), crate::secret::read(source, "password_command")?)),
            None => None,
        };
        Ok::<_, crate::secret::SecretError>((headers, auth))
    })
    .await
    .map_err(|e| PollError::Task(format!("secret task failed: {e}")))?
    .map_err(|e| PollError::Fetch(FetchError::Network(e.0)))?;
    let client = match &request.proxy {
        Some(proxy) => Some(Fetcher::client(limits, Some(proxy))?),
        None => None,
    };
    Ok(RequestExtras {
        user_agent: request.user_agent.clone(),
        headers,
        basic_auth,
        client,
    })
}

/// The fetched body through the feed's `filter` program: its stdout is the feed.
pub(super) async fn filter(argv: &[String], body: Vec<u8>, limits: &Limits) -> Result<Vec<u8>, FetchError> {
    command::run(argv, Some(body), limits.max_body, limits.timeout).await
}

/// Only what the feed's `max_items` and `max_age` keep, newest first by date (undated ones in
/// document order after them); and how the stored ones are cut back the same way.
pub(super) fn keep(shape: &Shape, articles: &mut Vec<NewArticle>, now: DateTime<Utc>) -> Trim {
    let older_than = shape
        .max_age
        .and_then(|age| chrono::Duration::from_std(age).ok())
        .map(|age| now - age);
    if let Some(before) = older_than {
        articles.retain(|a| a.published.is_none_or(|p| p >= before));
    }
    if let Some(max) = shape.max_items.filter(|m| articles.len() > *m) {
        let mut order: Vec<usize> = (0..articles.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(articles[i].published));
        let mut kept = vec![false; articles.len()];
        for &i in order.iter().take(max) {
            kept[i] = true;
        }
        let mut i = 0;
        articles.retain(|_| {
            i += 1;
            kept[i - 1]
        });
    }
    Trim {
        unread_too: shape.max_items.is_some(),
        older_than: older_than.map(|t| t.timestamp()),
    }
}
