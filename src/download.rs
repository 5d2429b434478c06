//! Downloading an attachment to the download folder: resumed from its `.part` file after an
//! interruption, capped in size, named from its URL with nothing that could leave the folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use reqwest::StatusCode;

/// The file name for a URL's last path segment: letters, digits and `.-_ ` kept, the rest `_`;
/// no leading dots, at most 100 characters; "download" when nothing is left.
pub fn file_name(url: &str) -> String {
    let last = url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(str::to_string)))
        .unwrap_or_default();
    let decoded = url::form_urlencoded::parse(format!("x={last}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or(last);
    let cleaned: String = decoded
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed: String = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end()
        .chars()
        .take(100)
        .collect();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_') {
        "download".into()
    } else {
        trimmed
    }
}

/// A name in `dir` not taken yet: `name`, else `name (2)`, `name (3)`… before the extension.
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    if !path.exists() {
        return path;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.to_string(), String::new()),
    };
    (2..10_000)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(path)
}

/// Downloads `url` into `dir`, at most `max` bytes; `progress(done, total)` as it goes. A
/// `.part` file left by an interrupted download is continued (HTTP Range) when the server
/// allows it, else started over. Returns where the file is.
///
/// A file of that name and of the size the server gives is this attachment, saved before: it
/// is not downloaded again (`Saved::Already`). Another file of that name is left alone.
pub async fn download(
    client: &reqwest::Client,
    url: &str,
    dir: &Path,
    max: u64,
    progress: &(dyn Fn(u64, Option<u64>) + Send + Sync),
) -> Result<Saved, String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https attachments are downloaded".into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = file_name(url);
    let part = dir.join(format!("{name}.part"));
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut request = client.get(parsed);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().await.map_err(|e| e.without_url().to_string())?;
    let (mut done, append) = match response.status() {
        StatusCode::PARTIAL_CONTENT if have > 0 => (have, true),
        s if s.is_success() => (0, false),
        s => return Err(format!("the server answered {s}")),
    };
    let total = response.content_length().map(|n| n + done);
    let earlier = dir.join(&name);
    let earlier_size = std::fs::metadata(&earlier)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if !append && total.is_some() && earlier_size == total {
        return Ok(Saved::Already(earlier));
    }
    if total.is_some_and(|t| t > max) {
        return Err(format!("larger than max_download_size ({} bytes)", max));
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&part)
        .map_err(|e| format!("{}: {e}", part.display()))?;
    let mut last_shown = 0;
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        format!(
            "interrupted after {done} bytes ({}); downloading again resumes",
            e.without_url()
        )
    })? {
        done += chunk.len() as u64;
        if done > max {
            drop(file);
            let _ = std::fs::remove_file(&part);
            return Err(format!("larger than max_download_size ({max} bytes)"));
        }
        file.write_all(&chunk).map_err(|e| format!("{}: {e}", part.display()))?;
        if done - last_shown >= 256 * 1024 {
            last_shown = done;
            progress(done, total);
        }
    }
    if total.is_some_and(|t| done < t) {
        return Err(format!("interrupted after {done} bytes; downloading again resumes"));
    }
    file.flush().map_err(|e| e.to_string())?;
    let target = free_path(dir, &name);
    std::fs::rename(&part, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    progress(done, total);
    Ok(Saved::New(target))
}

/// Where an attachment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    New(PathBuf),
    /// It was there already, from an earlier download.
    Already(PathBuf),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_leave_the_folder() {
        assert_eq!(file_name("https://cdn.example.org/ep12.mp3?token=1"), "ep12.mp3");
        assert_eq!(file_name("https://x.org/a/..%2F..%2Fetc%2Fpasswd"), "_.._etc_passwd");
        assert_eq!(file_name("https://x.org/.hidden"), "hidden");
        assert_eq!(file_name("https://x.org/"), "download");
        assert_eq!(file_name("https://x.org/%E0%A4%B8%E0%A4%AE.mp3"), "सम.mp3");
        assert_eq!(file_name("https://x.org/a;rm -rf ~.mp3"), "a_rm -rf _.mp3");
        assert!(file_name(&format!("https://x.org/{}", "a".repeat(300))).len() <= 100);
    }
}
