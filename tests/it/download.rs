//! Downloading an attachment from a server on 127.0.0.1: interrupted half-way, then resumed
//! with a Range request; capped in size; named so nothing leaves the download folder.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common::fake_server::{FakeServer, Response};
use khabar::download::Saved;

fn audio() -> Vec<u8> {
    (0..600_000u32).map(|i| (i % 251) as u8).collect()
}

fn client() -> reqwest::Client {
    khabar::feed::fetch::install_tls();
    reqwest::Client::new()
}

/// Downloads `url` into `dir` (at most `max` bytes), progress ignored.
fn get(rt: &tokio::runtime::Runtime, url: &str, dir: &std::path::Path, max: u64) -> Result<std::path::PathBuf, String> {
    match rt.block_on(khabar::download::download(&client(), url, dir, max, &|_, _| {}))? {
        Saved::New(path) => Ok(path),
        Saved::Already(path) => Err(format!("already saved: {}", path.display())),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn an_interrupted_download_resumes_where_it_stopped() {
    let body = audio();
    let cut_once = Arc::new(AtomicBool::new(true));
    let (data, cut) = (body.clone(), cut_once.clone());
    let server = FakeServer::start(move |r| {
        let from: usize = r
            .headers
            .get("range")
            .and_then(|v| v.strip_prefix("bytes="))
            .and_then(|v| v.trim_end_matches('-').parse().ok())
            .unwrap_or(0);
        let mut answer = if from > 0 {
            Response::new(206, data[from..].to_vec()).header(
                "content-range",
                &format!("bytes {from}-{}/{}", data.len() - 1, data.len()),
            )
        } else {
            Response::new(200, data.clone())
        };
        // The first transfer stops after 200,000 bytes, as a dropped connection does.
        if cut.swap(false, Ordering::SeqCst) {
            answer.cut_after = Some(200_000);
        }
        answer
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/podcast/ep12.mp3?token=x", server.base);
    let rt = runtime();
    let first = get(&rt, &url, dir.path(), 10_000_000);
    let why = first.unwrap_err();
    assert!(why.contains("interrupted") && why.contains("resumes"), "{why}");
    let part = dir.path().join("ep12.mp3.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 200_000);

    let saved = get(&rt, &url, dir.path(), 10_000_000).unwrap();
    assert_eq!(saved, dir.path().join("ep12.mp3"));
    assert_eq!(std::fs::read(&saved).unwrap(), body, "the two halves make the file");
    assert!(!part.exists());
    let ranges: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.headers.get("range").cloned())
        .collect();
    assert_eq!(ranges, ["bytes=200000-"]);

    // Again: it is there already, and says where.
    let again = get(&rt, &url, dir.path(), 10_000_000).unwrap_err();
    assert_eq!(again, format!("already saved: {}", saved.display()));
    // Another file of that name is never written over: the download goes beside it.
    std::fs::write(&saved, b"another episode").unwrap();
    let beside = get(&rt, &url, dir.path(), 10_000_000).unwrap();
    assert_eq!(beside, dir.path().join("ep12 (2).mp3"));
    assert_eq!(std::fs::read(&saved).unwrap(), b"another episode");
}

#[test]
fn downloads_are_capped_and_named_inside_the_folder() {
    let server = FakeServer::start(|_| Response::new(200, vec![7u8; 300_000]));
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let hostile = format!("{}/x/..%2F..%2F.bashrc", server.base);
    let saved = get(&rt, &hostile, dir.path(), 1_000_000).unwrap();
    assert_eq!(saved.parent(), Some(dir.path()), "{}", saved.display());
    let too_big = get(&rt, &format!("{}/big.bin", server.base), dir.path(), 100_000);
    assert!(too_big.unwrap_err().contains("max_download_size"));
    assert!(!dir.path().join("big.bin").exists() && !dir.path().join("big.bin.part").exists());
    let not_web = get(&rt, "file:///etc/passwd", dir.path(), 100);
    assert!(not_web.is_err());
}
