//! Getting feeds: fetching bytes (HTTP with limits and validators, or local files), decoding
//! them to UTF-8, parsing with feed-rs into the model, finding a feed behind an HTML page, and
//! fetching an article's page for reader mode.
//! No SQL and no UI here.

pub mod command;
pub mod dates;
pub mod decode;
pub mod discover;
pub mod fetch;
pub mod full;
pub mod parse;
pub mod probe;
mod rewrite;
pub mod scrape;

pub use fetch::{FetchError, Fetched, Fetcher, Limits, RequestExtras, Validators};
pub use parse::{ParseError, ParsedFeed};
