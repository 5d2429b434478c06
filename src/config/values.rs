//! The config's value types and their parsers: durations ("1h30m"), sizes ("16MiB"), and feed
//! targets (http(s) URLs, file URLs and plain paths).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer};
use serde::Deserialize;
use url::Url;

/// A duration written as "90s", "15m", "2h", "1d" or combined ("1h30m").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s).map(HumanDuration).ok_or_else(|| {
            de::Error::custom(format!(
                "bad duration {s:?}: expected e.g. \"90s\", \"15m\", \"2h\", \"1d\""
            ))
        })
    }
}

/// Parses "15m", "2h", "1h30m", "45s", "1d". Zero and unknown units are rejected.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !digits.is_empty() || total == 0 {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// A size: an integer of bytes, or "512KiB", "16MiB", "1GiB" (also KB/MB/GB as powers of 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Text(String),
        }
        let bad = |s: &str| de::Error::custom(format!("bad size {s:?}: expected bytes or e.g. \"16MiB\""));
        match Raw::deserialize(d)? {
            Raw::Int(0) => Err(bad("0")),
            Raw::Int(n) => Ok(ByteSize(n)),
            Raw::Text(s) => parse_size(&s).map(ByteSize).ok_or_else(|| bad(&s)),
        }
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v > 0)
}

/// Where a feed's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedTarget {
    Http(Url),
    File(PathBuf),
    /// A program whose output is the feed (argv, never a shell).
    Command(Vec<String>),
}

/// `~` or `~/…` as the home folder (`$HOME`); anything else as written.
pub fn expand_tilde(path: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    match path.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(path)),
        Some(rest) if rest.starts_with('/') => home().map_or_else(|| PathBuf::from(path), |h| h.join(&rest[1..])),
        _ => PathBuf::from(path),
    }
}

/// An argv with its program's `~` expanded (the words after it are the program's business).
pub fn expand_program(argv: &[String]) -> Vec<String> {
    let mut out = argv.to_vec();
    if let Some(first) = out.first_mut() {
        if first.starts_with('~') {
            *first = expand_tilde(first).to_string_lossy().into_owned();
        }
    }
    out
}

/// Deserialises a path with `~` expanded.
pub fn tilde_path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|p| expand_tilde(&p)))
}

/// Accepts http(s) and file URLs and plain paths (relative ones against the config's folder).
pub fn parse_target(url: &str, base_dir: &Path) -> Result<FeedTarget, String> {
    if url.is_empty() {
        return Err("empty feed url".into());
    }
    let looks_like_url = url.contains("://") || url.starts_with("file:");
    if !looks_like_url {
        let p = expand_tilde(url);
        let p = if p.is_absolute() { p } else { base_dir.join(p) };
        return Ok(FeedTarget::File(p));
    }
    let parsed = Url::parse(url).map_err(|e| format!("bad feed url {url:?}: {e}"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(FeedTarget::Http(parsed)),
        "http" | "https" => Err(format!("bad feed url {url:?}: no host")),
        "file" => parsed
            .to_file_path()
            .map(FeedTarget::File)
            .map_err(|_| format!("bad feed url {url:?}: not a local file path")),
        other => Err(format!(
            "bad feed url {url:?}: scheme {other:?} is not http, https or file"
        )),
    }
}

/// How the article pane shows a body's images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageMode {
    /// The terminal's graphics protocol when it has one (asked when the reader starts), never
    /// inside tmux or screen, where they often break; else "[image: alt]".
    #[default]
    Auto,
    Off,
    Kitty,
    Iterm2,
    Sixel,
    /// Coloured half-block characters: coarse, but any colour terminal shows them.
    Halfblocks,
}

/// What a pipe gets on its stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PipeFormat {
    /// Title, link and the body as plain text.
    #[default]
    Text,
    /// The same as Markdown (a heading, the link, paragraphs).
    Markdown,
    /// The body's HTML.
    Html,
    /// The new-articles hook's JSON object.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172800)));
        for bad in ["", "15", "m", "15x", "0s", "1.5h", "-1m"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB"), Some(16 << 20));
        assert_eq!(parse_size("512 KiB"), Some(512 << 10));
        assert_eq!(parse_size("2MB"), Some(2_000_000));
        assert_eq!(parse_size("lots"), None);
    }
}
