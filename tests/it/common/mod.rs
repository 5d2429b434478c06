//! Test support: a small HTTP/1.1 server on 127.0.0.1 whose routes a test sets up (status,
//! headers, ETag handling, gzip, stalls, trickles), and helpers to run the khabar binary.
#![allow(dead_code)]

pub mod fake_server;
pub mod reader;
pub mod rest_fakes;
pub mod sync_fakes;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a route answers.
#[derive(Clone, Debug, Default)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Answer 304 when the request's If-None-Match equals this.
    pub etag: Option<String>,
    pub gzip: bool,
    /// Accept the request and never answer (until the client gives up; bounded to 60 s).
    pub hang: bool,
    /// Send the headers, then one byte of the body a second (bounded to 60 s).
    pub trickle: bool,
    /// Send a body of this many bytes of "x", without a Content-Length, as fast as the client
    /// reads (it stops when the client hangs up).
    pub endless: Option<u64>,
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            body: body.into(),
            ..Default::default()
        }
    }

    pub fn status(code: u16) -> Route {
        Route {
            status: code,
            body: format!("status {code}").into_bytes(),
            ..Default::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.into());
        self.header("ETag", etag)
            .header("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT")
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub headers: HashMap<String, String>,
}

#[derive(Clone)]
pub struct TestServer {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = TestServer {
            base,
            routes: Arc::default(),
            hits: Arc::default(),
        };
        let s = server.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || s.serve(conn));
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn route(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.into(), route);
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }

    fn serve(&self, conn: TcpStream) {
        conn.set_read_timeout(Some(Duration::from_secs(10))).ok();
        // Head and body go out in two writes: without this, Nagle holds the body for the client's
        // delayed ACK, 40 ms a request.
        conn.set_nodelay(true).ok();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut conn = conn;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let Some(headers) = read_headers(&mut reader) else {
                return;
            };
            self.hits.lock().unwrap().push(Hit {
                path: path.clone(),
                headers: headers.clone(),
            });
            let route = self
                .routes
                .lock()
                .unwrap()
                .get(&path)
                .cloned()
                .unwrap_or_else(|| Route::status(404));
            if route.hang {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            if route.trickle {
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<");
                for _ in 0..60 {
                    std::thread::sleep(Duration::from_secs(1));
                    if conn.write_all(b"r").and_then(|_| conn.flush()).is_err() {
                        return;
                    }
                }
                return;
            }
            if let Some(total) = route.endless {
                let _ = conn
                    .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/rss+xml\r\n\r\n");
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < total && conn.write_all(&chunk).is_ok() {
                    sent += chunk.len() as u64;
                }
                return;
            }
            let not_modified = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
            let (status, mut body) = if not_modified {
                (304, Vec::new())
            } else {
                (route.status, route.body.clone())
            };
            let mut extra = String::new();
            let accepts_gzip = headers.get("accept-encoding").is_some_and(|v| v.contains("gzip"));
            if route.gzip && accepts_gzip && !body.is_empty() {
                let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(&body).unwrap();
                body = enc.finish().unwrap();
                extra.push_str("Content-Encoding: gzip\r\n");
            }
            for (k, v) in &route.headers {
                extra.push_str(&format!("{k}: {v}\r\n"));
            }
            let head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n{extra}\r\n", body.len());
            if conn.write_all(head.as_bytes()).is_err() || conn.write_all(&body).is_err() {
                return;
            }
            let _ = conn.flush();
        }
    }
}

/// An HTTP request's headers (names lower-cased), read up to the blank line; None when the
/// connection ends first.
pub fn read_headers(reader: &mut impl BufRead) -> Option<HashMap<String, String>> {
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            return Some(headers);
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
}

/// A scratch home for one test: config, cache, and a HOME so nothing touches the real one.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config(&self) -> PathBuf {
        self.path("config.toml")
    }

    pub fn cache(&self) -> PathBuf {
        self.path("cache.db")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }

    /// Runs khabar with this sandbox's config and cache.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run khabar")
    }

    /// Runs khabar with exactly these arguments and HOME pointing into the sandbox.
    pub fn run_raw(&self, args: &[&str]) -> Output {
        self.command_raw(args).output().expect("run khabar")
    }

    /// A khabar command on this sandbox's config and cache, for tests that manage the process.
    pub fn command(&self, args: &[&str]) -> Command {
        let (config, cache) = (self.config(), self.cache());
        let mut full = vec!["--config", config.to_str().unwrap(), "--cache", cache.to_str().unwrap()];
        full.extend_from_slice(args);
        self.command_raw(&full)
    }

    /// A khabar command with exactly these arguments, its HOME and TMPDIR in the sandbox.
    pub fn command_raw(&self, args: &[&str]) -> Command {
        let home = self.path("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_khabar"));
        cmd.args(args)
            .env("HOME", &home)
            .env("TMPDIR", self.dir.path())
            .env_remove("KHABAR_CONFIG")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("COLUMNS");
        cmd
    }

    /// `list --json` parsed.
    pub fn list_json(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["list", "--json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert!(out.status.success(), "list failed: {}", stderr(&out));
        json_lines(&out)
    }

    pub fn feeds_json(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["feeds", "--json"]);
        assert!(out.status.success(), "feeds failed: {}", stderr(&out));
        json_lines(&out)
    }

    pub fn refresh(&self) -> Output {
        let out = self.run(&["refresh"]);
        assert!(out.status.success(), "refresh failed: {}", stderr(&out));
        out
    }
}

/// Whether a program the test needs runs (`program flag` succeeds). CI installs every one
/// (.ci/run), so there a missing program fails the test; elsewhere it skips with a note.
pub fn program_available(program: &str, version_flag: &str) -> bool {
    let found = Command::new(program)
        .arg(version_flag)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required in CI (.ci/run installs it)"
        );
        eprintln!("skipping: {program} is not installed");
    }
    found
}

pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An RSS 2.0 document with items (guid, title, description); each item's date depends only
/// on its guid, so reordering items does not change them.
pub fn rss(title: &str, items: &[(&str, &str, &str)]) -> String {
    let dated: Vec<_> = items
        .iter()
        .map(|&(g, t, b)| (g, t, b, 1 + g.bytes().map(u32::from).sum::<u32>() % 28))
        .collect();
    rss_dated(title, &dated)
}

/// An RSS 2.0 document with items (guid, title, description, day of November 2026).
pub fn rss_dated(title: &str, items: &[(&str, &str, &str, u32)]) -> String {
    let mut s = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>http://example.org/</link>\n");
    for (guid, t, body, day) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{t}</title><link>http://example.org/{guid}</link><pubDate>{day:02} Nov 2026 10:00:00 +0000</pubDate><description>{body}</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// A [[feed]] table.
pub fn feed_entry(url: &str, tags: &[&str]) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("{t:?}")).collect();
    format!("\n[[feed]]\nurl = {url:?}\ntags = [{}]\n", tags.join(", "))
}

pub fn open_store(path: &Path) -> khabar::store::Store {
    khabar::store::Store::open(path).expect("open cache")
}

/// A small seeded generator (xorshift64*) for the property tests: the seed names a sequence, so
/// a failing one is kept as a regression case.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }
}

/// How many generated cases a property test runs: a few by default, `KHABAR_PROPTEST_CASES`
/// for the long mode.
pub fn proptest_cases(default: u64) -> u64 {
    std::env::var("KHABAR_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The peak resident memory (KiB) a khabar run with `--bench-peak` reported on its stderr: its
/// own. A parent's `wait4` would not do: a child spawned from this big test process starts with
/// the parent's resident pages counted.
pub fn reported_peak_kib(out: &Output) -> u64 {
    let err = stderr(out);
    err.lines()
        .find_map(|l| {
            l.strip_prefix("peak resident memory: ")?
                .strip_suffix(" KiB")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no peak reported: {err}"))
}

/// A successful fetch of these articles, keeping `keep` per feed.
pub fn fetched(articles: Vec<khabar::model::NewArticle>, keep: usize) -> khabar::store::FetchRecord {
    khabar::store::FetchRecord {
        status: "200".into(),
        articles,
        keep_per_feed: keep,
        ..Default::default()
    }
}

/// Writes an executable script (mode 755) at `path`.
pub fn write_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A config read from `text` and a fresh cache of its own, for syncing in this process (as a
/// running reader does); the directory lives as long as the returned guard.
pub fn in_process(text: &str) -> (khabar::config::Config, khabar::store::SharedStore, tempfile::TempDir) {
    let config = khabar::config::Config::parse(
        text,
        "t.toml",
        Path::new("/"),
        khabar::config::ConfigSource::User("t.toml".into()),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(std::sync::Mutex::new(open_store(&dir.path().join("c.db"))));
    (config, store, dir)
}
