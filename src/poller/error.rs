//! Why one feed's refresh failed (`PollError`): the label the feed records as its
//! `last_status`, the message it shows as `last_error`, and how long its server asked to wait.

use chrono::{DateTime, Utc};

use crate::feed::FetchError;

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The fetch itself (network, status, limits).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The body is no feed: an HTML page without a feed link, or a discovery that led nowhere.
    #[error("{0}")]
    NotAFeed(String),
    /// The feed parser refused the document.
    #[error("{0}")]
    Parse(String),
    /// The cache could not record what was fetched (the feed's articles are as they were).
    #[error("{0}")]
    Store(String),
    /// A worker task stopped (it panicked).
    #[error("{0}")]
    Task(String),
}

impl PollError {
    /// The feed's `last_status` for this failure: the fetch's own (an HTTP code, "timeout"…),
    /// "parse-error" for a document the parser refused, else "error".
    pub fn status_label(&self) -> String {
        match self {
            PollError::Fetch(e) => e.status_label(),
            PollError::Parse(_) => "parse-error".into(),
            PollError::NotAFeed(_) | PollError::Store(_) | PollError::Task(_) => "error".into(),
        }
    }

    /// When the server asked to be fetched again, if it did.
    pub fn retry_after(&self) -> Option<DateTime<Utc>> {
        match self {
            PollError::Fetch(e) => e.retry_after(),
            _ => None,
        }
    }
}
