//! Fetching a feed's bytes: HTTP(S) with conditional GET, decompression, timeouts, a redirect
//! limit and a cap on the decompressed body; or a local file with the same cap.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;
use tokio::io::AsyncReadExt;
use url::Url;

use crate::config::{FeedTarget, General};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FetchError {
    #[error("timed out after {}s", .0.as_secs())]
    Timeout(Duration),
    #[error("HTTP {code}{}", reason(*.code))]
    Status {
        code: u16,
        retry_after: Option<DateTime<Utc>>,
    },
    #[error("body larger than the {limit}-byte limit (max_body_size)")]
    TooLarge { limit: u64 },
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    #[error("refused redirect to {0:?}: only http and https are followed")]
    BadRedirect(String),
    #[error("{0}")]
    Network(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// A script or filter feed's program failed.
    #[error("{program}: {message}")]
    Program { program: String, message: String },
}

fn reason(code: u16) -> String {
    StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

impl FetchError {
    /// The status column value for this failure.
    pub fn status_label(&self) -> String {
        match self {
            FetchError::Status { code, .. } => code.to_string(),
            FetchError::Timeout(_) => "timeout".into(),
            FetchError::TooLarge { .. } => "too-large".into(),
            _ => "error".into(),
        }
    }

    /// When the feed may be asked again: the server's Retry-After, or a day after 410 Gone.
    pub fn retry_after(&self) -> Option<DateTime<Utc>> {
        match self {
            FetchError::Status { code: 410, retry_after } => {
                Some(retry_after.unwrap_or_else(|| Utc::now() + chrono::Duration::days(1)))
            }
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Limits every fetch obeys.
#[derive(Debug, Clone)]
pub struct Limits {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body: u64,
    pub max_redirects: usize,
    pub user_agent: String,
}

impl From<&General> for Limits {
    fn from(g: &General) -> Self {
        Limits {
            timeout: g.request_timeout.0,
            connect_timeout: g.connect_timeout.0,
            max_body: g.max_body_size.0,
            max_redirects: g.max_redirects,
            user_agent: g.user_agent.clone(),
        }
    }
}

/// HTTP cache validators from the previous fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A feed's own request settings: resolved (secrets read) just before its fetch.
#[derive(Clone, Default)]
pub struct RequestExtras {
    pub user_agent: Option<String>,
    pub headers: Vec<(String, String)>,
    pub basic_auth: Option<(String, String)>,
    /// A client of its own (a proxy), else the shared one.
    pub client: Option<reqwest::Client>,
}

/// Never shows header values or the password.
impl std::fmt::Debug for RequestExtras {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RequestExtras")
            .field("user_agent", &self.user_agent)
            .field("headers", &names)
            .field("basic_auth", &self.basic_auth.as_ref().map(|(u, _)| u))
            .field("proxy", &self.client.is_some())
            .finish()
    }
}

/// What a fetch produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// 304: nothing to parse, nothing to write.
    NotModified,
    Body(Box<Body>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub status: u16,
    pub validators: Validators,
    /// Where the body came from after redirects.
    pub final_url: Option<Url>,
    /// Set when every redirect on the way was permanent (301/308).
    pub permanent_redirect: Option<Url>,
    pub content_location: Option<Url>,
}

/// One HTTP client shared by all fetches (connection reuse across feeds).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: Limits,
}

static TLS_PROVIDER: Once = Once::new();

/// reqwest is built without a default TLS provider: ring is installed once, before any client
/// (the feed fetcher's, the sync clients').
pub fn install_tls() {
    TLS_PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Fetcher {
    pub fn new(limits: Limits) -> Result<Fetcher, FetchError> {
        let client = Self::client(&limits, None)?;
        Ok(Fetcher { client, limits })
    }

    /// A client with these limits, through `proxy` if given (a feed's own `proxy`).
    pub fn client(limits: &Limits, proxy: Option<&str>) -> Result<reqwest::Client, FetchError> {
        install_tls();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(limits.user_agent.clone())
            .gzip(true)
            .brotli(true)
            .deflate(true);
        if let Some(proxy) = proxy {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| FetchError::Network(format!("bad proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        builder
            .build()
            .map_err(|e| FetchError::Network(format!("cannot build HTTP client: {e}")))
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Fetches a target; the whole operation, redirects included, ends within the timeout.
    pub async fn fetch(&self, target: &FeedTarget, validators: &Validators) -> Result<Fetched, FetchError> {
        self.fetch_with(target, validators, &RequestExtras::default()).await
    }

    /// As `fetch`, with a feed's own request settings (and a script feed's program run).
    pub async fn fetch_with(
        &self,
        target: &FeedTarget,
        validators: &Validators,
        extras: &RequestExtras,
    ) -> Result<Fetched, FetchError> {
        let work = async {
            match target {
                FeedTarget::Http(url) => self.fetch_http(url.clone(), validators, extras).await,
                FeedTarget::File(path) => read_file(path, self.limits.max_body).await,
                FeedTarget::Command(argv) => {
                    let bytes = super::command::run(argv, None, self.limits.max_body, self.limits.timeout).await?;
                    Ok(Fetched::Body(Box::new(Body::local(bytes))))
                }
            }
        };
        tokio::time::timeout(self.limits.timeout, work)
            .await
            .unwrap_or(Err(FetchError::Timeout(self.limits.timeout)))
    }

    async fn fetch_http(
        &self,
        start: Url,
        validators: &Validators,
        extras: &RequestExtras,
    ) -> Result<Fetched, FetchError> {
        let client = extras.client.as_ref().unwrap_or(&self.client);
        let origin = start.origin();
        let mut url = start;
        let mut all_permanent = true;
        let mut redirected = false;
        for _ in 0..=self.limits.max_redirects {
            let mut req = client.get(url.clone());
            if let Some(agent) = &extras.user_agent {
                req = req.header(header::USER_AGENT, agent);
            }
            // A feed's credentials go to its own origin only, never where a redirect points.
            if url.origin() == origin {
                for (name, value) in &extras.headers {
                    req = req.header(name.as_str(), value.as_str());
                }
                if let Some((user, password)) = &extras.basic_auth {
                    req = req.basic_auth(user, Some(password));
                }
            }
            if let Some(etag) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
            let resp = req.send().await.map_err(|e| self.network_error(e))?;
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| FetchError::Network(format!("HTTP {status} without a Location header")))?;
                let next = url
                    .join(location)
                    .map_err(|_| FetchError::BadRedirect(location.to_string()))?;
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::BadRedirect(next.to_string()));
                }
                all_permanent &= matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT);
                redirected = true;
                url = next;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    code: status.as_u16(),
                    retry_after: parse_retry_after(resp.headers()),
                });
            }
            let headers = resp.headers().clone();
            let bytes = self.read_capped(resp).await?;
            let text_header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            return Ok(Fetched::Body(Box::new(Body {
                bytes,
                content_type: text_header(header::CONTENT_TYPE),
                status: status.as_u16(),
                validators: Validators {
                    etag: text_header(header::ETAG),
                    last_modified: text_header(header::LAST_MODIFIED),
                },
                permanent_redirect: (redirected && all_permanent).then(|| url.clone()),
                content_location: text_header(header::CONTENT_LOCATION).and_then(|l| url.join(&l).ok()),
                final_url: Some(url),
            })));
        }
        Err(FetchError::TooManyRedirects(self.limits.max_redirects))
    }

    /// Reads the (decompressed) body chunk by chunk, stopping at the cap.
    async fn read_capped(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let max = self.limits.max_body;
        if resp.content_length().is_some_and(|n| n > max) && resp.headers().get(header::CONTENT_ENCODING).is_none() {
            return Err(FetchError::TooLarge { limit: max });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.network_error(e))? {
            if body.len() as u64 + chunk.len() as u64 > max {
                return Err(FetchError::TooLarge { limit: max });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn network_error(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout(self.limits.timeout);
        }
        // The innermost cause says what really happened ("connection refused", "dns error").
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg = s.to_string();
            source = s.source();
        }
        FetchError::Network(msg)
    }
}

async fn read_file(path: &Path, max: u64) -> Result<Fetched, FetchError> {
    let err = |e: std::io::Error| FetchError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = tokio::fs::File::open(path).await.map_err(err)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).await.map_err(err)?;
    if bytes.len() as u64 > max {
        return Err(FetchError::TooLarge { limit: max });
    }
    Ok(Fetched::Body(Box::new(Body::local(bytes))))
}

impl Body {
    /// Bytes that came from no server: a file, a program.
    pub fn local(bytes: Vec<u8>) -> Body {
        Body {
            bytes,
            content_type: None,
            status: 200,
            validators: Validators::default(),
            final_url: None,
            permanent_redirect: None,
            content_location: None,
        }
    }
}

/// Retry-After as seconds or an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u32>() {
        return Some(Utc::now() + chrono::Duration::seconds(secs.into()));
    }
    DateTime::parse_from_rfc2822(v).ok().map(|d| d.with_timezone(&Utc))
}
