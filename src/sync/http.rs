//! HTTP for the sync clients: one reqwest client with the config's timeouts, answers read whole
//! up to a cap, and `SyncError`, the one error type of sync (never holding a secret).

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};

use crate::config::General;

/// Largest answer read from a sync server: an id list of 10,000 is ~300 KB, a batch of 250
/// full articles a few MB.
pub const MAX_RESPONSE: usize = 8 * 1024 * 1024;

/// Longest wait a 429's Retry-After is honoured for within one sync; beyond it the account
/// fails this time and is tried at the next sync.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why an account's sync failed. Messages name the account's server and what was asked, never a
/// password, token or API key.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the server refused the username or password ({0})")]
    Auth(String),
    #[error("{what}: the server answered {status}")]
    Status { what: String, status: StatusCode },
    #[error("{what}: the answer is larger than {} MiB", MAX_RESPONSE / (1024 * 1024))]
    TooLarge { what: String },
    #[error("{what}: no answer within {timeout:?}")]
    Timeout { what: String, timeout: Duration },
    #[error("{what}: {message}")]
    Malformed { what: String, message: String },
    #[error("{what}: {message}")]
    Network { what: String, message: String },
    #[error("{what}: the server asks to wait {seconds} s (429); trying again at the next sync")]
    RateLimited { what: String, seconds: u64 },
    #[error("password: {0}")]
    Secret(String),
    /// What this account's kind of server, or this config, cannot do.
    #[error("{0}")]
    Unsupported(String),
    #[error("cache: {0}")]
    Store(String),
}

impl From<crate::store::StoreError> for SyncError {
    fn from(e: crate::store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

/// An answer read whole.
pub struct Reply {
    pub status: StatusCode,
    /// GReader's `X-Reader-Google-Bad-Token: true`: the write token expired.
    pub bad_token: bool,
    /// Seconds, from a Retry-After in seconds.
    pub retry_after: Option<u64>,
    /// The server's clock (its `Date` header), in Unix seconds.
    pub date: Option<i64>,
    pub body: Vec<u8>,
}

pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

impl Http {
    pub fn new(general: &General) -> Result<Http, SyncError> {
        crate::feed::fetch::install_tls();
        let client = reqwest::Client::builder()
            .connect_timeout(general.connect_timeout.0)
            .timeout(general.request_timeout.0)
            .user_agent(general.user_agent.clone())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| SyncError::Network {
                what: "HTTP client".into(),
                message: e.to_string(),
            })?;
        Ok(Http {
            client,
            timeout: general.request_timeout.0,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request (built anew by `make` for a retry) and reads the answer whole, up to
    /// `MAX_RESPONSE`. A 429 is waited out once, as its Retry-After says (up to a minute).
    pub async fn send(&self, what: &str, make: impl Fn() -> RequestBuilder) -> Result<Reply, SyncError> {
        let reply = self.send_once(what, make()).await?;
        if reply.status != StatusCode::TOO_MANY_REQUESTS {
            return Ok(reply);
        }
        let limited = |seconds: u64| SyncError::RateLimited {
            what: what.into(),
            seconds,
        };
        let seconds = reply.retry_after.unwrap_or(MAX_RETRY_AFTER.as_secs() + 1);
        if Duration::from_secs(seconds) > MAX_RETRY_AFTER {
            return Err(limited(seconds));
        }
        tracing::info!("{what}: 429, waiting {seconds} s as asked");
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let again = self.send_once(what, make()).await?;
        if again.status == StatusCode::TOO_MANY_REQUESTS {
            return Err(limited(again.retry_after.unwrap_or(seconds)));
        }
        Ok(again)
    }

    async fn send_once(&self, what: &str, request: RequestBuilder) -> Result<Reply, SyncError> {
        let network = |e: reqwest::Error| {
            if e.is_timeout() {
                SyncError::Timeout {
                    what: what.into(),
                    timeout: self.timeout,
                }
            } else {
                SyncError::Network {
                    what: what.into(),
                    message: describe(e),
                }
            }
        };
        let mut response = request.send().await.map_err(network)?;
        let status = response.status();
        let bad_token = response
            .headers()
            .get("x-reader-google-bad-token")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        let retry = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v.trim()).ok())
            .map(|d| d.timestamp());
        if response.content_length().is_some_and(|n| n > MAX_RESPONSE as u64) {
            return Err(SyncError::TooLarge { what: what.into() });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > MAX_RESPONSE {
                return Err(SyncError::TooLarge { what: what.into() });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            bad_token,
            retry_after: retry,
            date,
            body,
        })
    }
}

/// A network error with its cause ("error sending request: connection refused"), without the
/// URL reqwest puts in its message (a query string may hold more than it should show).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    let mut last = String::new();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    if !last.is_empty() && !text.contains(&last) {
        text.push_str(": ");
        text.push_str(&last);
    }
    text
}

/// `application/x-www-form-urlencoded` of these pairs (a form body, or a query string).
pub fn encode(pairs: &[(&str, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// A POST with a form body.
pub fn post_form(client: &reqwest::Client, url: &str, pairs: &[(&str, String)]) -> RequestBuilder {
    client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(pairs))
}

/// Parses a JSON answer, naming what was asked when it is not the expected shape.
pub fn json<T: serde::de::DeserializeOwned>(what: &str, reply: &Reply) -> Result<T, SyncError> {
    serde_json::from_slice(&reply.body).map_err(|e| SyncError::Malformed {
        what: what.into(),
        message: format!("not the JSON expected ({e})"),
    })
}
