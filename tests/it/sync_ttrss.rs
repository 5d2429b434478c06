//! Sync against a real Tiny Tiny RSS: Debian's package on PHP and PostgreSQL, started by
//! `.ci/ttrss.sh` (which `.ci/run` runs). Ignored by a plain `cargo test`; run with `--ignored`
//! and KHABAR_TTRSS ("URL USER PASSWORD FEEDS_BASE") and KHABAR_TTRSS_FEEDS (the served folder)
//! set, it fails (never skips) when that server does not answer.

use std::path::PathBuf;

use crate::common::{json_lines, stderr, stdout, Sandbox};

const PASSWORD_VAR: &str = "TTRSS_TEST_PASSWORD";
/// Items of the three large feeds `.ci/big_feeds.py` writes.
const BIG_ITEMS: u64 = 3 * 410;

struct Server {
    url: String,
    user: String,
    password: String,
    feeds_base: String,
}

fn server() -> Server {
    let line = std::env::var("KHABAR_TTRSS")
        .expect("KHABAR_TTRSS (set by .ci/run from .ci/ttrss.sh start) names the real server");
    let parts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(parts.len(), 4, "KHABAR_TTRSS is URL USER PASSWORD FEEDS_BASE: {line:?}");
    Server {
        url: parts[0].into(),
        user: parts[1].into(),
        password: parts[2].into(),
        feeds_base: parts[3].trim_end_matches('/').into(),
    }
}

/// The server fetches its feeds now (`.ci/ttrss.sh update`).
fn server_fetches() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/ttrss.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg("update")
        .output()
        .unwrap();
    assert!(out.status.success(), "ttrss.sh update: {}", stderr(&out));
}

fn client(s: &Server) -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "[[account]]\nname = \"tt\"\nkind = \"ttrss\"\nurl = \"{}\"\nusername = \"{}\"\npassword_env = \"{PASSWORD_VAR}\"\n",
        s.url, s.user
    ));
    sb
}

fn run(sb: &Sandbox, s: &Server, args: &[&str]) -> std::process::Output {
    sb.command(args).env(PASSWORD_VAR, &s.password).output().unwrap()
}

fn sync(sb: &Sandbox, s: &Server) -> serde_json::Value {
    let out = run(sb, s, &["sync", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json_lines(&out).remove(0);
    assert_eq!(
        report["error"],
        serde_json::Value::Null,
        "the real server must answer: {report}"
    );
    report
}

fn article(sb: &Sandbox, title: &str) -> serde_json::Value {
    sb.list_json(&[])
        .into_iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?}"))
}

fn mark(sb: &Sandbox, title: &str, flag: &str) {
    let id = article(sb, title)["id"].as_i64().unwrap().to_string();
    assert!(sb.run(&["mark", &id, flag]).status.success());
}

#[test]
#[ignore = "needs the real TT-RSS .ci/run starts (KHABAR_TTRSS, KHABAR_TTRSS_FEEDS)"]
fn a_real_ttrss_server_subscribes_syncs_and_unsubscribes_with_two_clients() {
    let s = server();
    let dir = PathBuf::from(std::env::var("KHABAR_TTRSS_FEEDS").expect("KHABAR_TTRSS_FEEDS: the served folder"));
    for name in ["tech.xml", "world.xml"] {
        let fixture =
            std::fs::read_to_string(format!("{}/tests/fixtures/sync/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(dir.join(name), fixture).unwrap();
    }
    let big = std::process::Command::new("python3")
        .arg(format!("{}/.ci/big_feeds.py", env!("CARGO_MANIFEST_DIR")))
        .arg(&dir)
        .arg(&s.feeds_base)
        .output()
        .unwrap();
    assert!(big.status.success(), "{}", stderr(&big));
    let (a, b) = (client(&s), client(&s));

    // Subscribing from khabar, into the server's categories.
    for (feed, folder) in [
        ("tech.xml", "tech"),
        ("world.xml", "news"),
        ("big0.xml", "big"),
        ("big1.xml", "big"),
        ("big2.xml", "big"),
    ] {
        let url = format!("{}/{feed}", s.feeds_base);
        let out = run(&a, &s, &["add", &url, "--account", "tt", "--tag", folder]);
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    }
    let out = run(
        &a,
        &s,
        &[
            "add",
            &format!("{}/x.xml", s.feeds_base),
            "--account",
            "tt",
            "--tag",
            "nowhere",
        ],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("no category \"nowhere\""),
        "{}",
        stderr(&out)
    );
    server_fetches();
    let first = sync(&a, &s);
    assert_eq!(first["feeds"], 5, "{first}");
    assert_eq!(first["new"], 4 + BIG_ITEMS, "{first}");
    let mut titles: Vec<String> = a
        .list_json(&["--tag", "big"])
        .iter()
        .map(|x| x["title"].as_str().unwrap().split(' ').nth(1).unwrap().to_string())
        .collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len() as u64, BIG_ITEMS);
    let mut tags: Vec<String> = a
        .feeds_json()
        .iter()
        .flat_map(|f| f["tags"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["big", "big", "big", "news", "tech"]);
    assert!(a.list_json(&[]).iter().any(|x| x["title"] == "चंद्रयान सफल हुआ"));
    assert_eq!(sync(&b, &s)["new"], 4 + BIG_ITEMS);

    // Nothing new: a handful of requests, never one per article.
    let again = sync(&a, &s);
    assert_eq!(again["new"], 0, "{again}");
    assert!(again["requests"].as_u64().unwrap() <= 20, "{again}");
    // A process that syncs again (a running reader) keeps its session: one request fewer.
    let quiet_in_process = in_process_quiet_sync(&s);
    assert_eq!(quiet_in_process + 1, again["requests"].as_u64().unwrap() as usize);

    // What one client does reaches the other through the server, both ways.
    mark(&a, "Kernel 7.0 released", "--read");
    mark(&a, "Election results", "--star");
    assert_eq!(sync(&a, &s)["pushed"], 2);
    sync(&b, &s);
    assert_eq!(article(&b, "Kernel 7.0 released")["read"], true);
    assert_eq!(article(&b, "Election results")["starred"], true);
    mark(&b, "Kernel 7.0 released", "--unread");
    mark(&b, "Election results", "--unstar");
    assert_eq!(sync(&b, &s)["pushed"], 2);
    sync(&a, &s);
    assert_eq!(article(&a, "Kernel 7.0 released")["read"], false);
    assert_eq!(article(&a, "Election results")["starred"], false);

    // Unsubscribing from khabar: gone on the server, so gone for the other client too.
    let world = format!("{}/world.xml", s.feeds_base);
    let out = run(&a, &s, &["remove", &world]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sync(&b, &s)["feeds"], 4);
    assert!(!b.feeds_json().iter().any(|f| f["url"] == world.as_str()));
}

/// Syncs twice in this process into a cache of its own; the second sync's requests.
fn in_process_quiet_sync(s: &Server) -> usize {
    std::env::set_var("KHABAR_TEST_TTRSS_IN_PROCESS", &s.password);
    let text = format!(
        "[[account]]\nname = \"tt\"\nkind = \"ttrss\"\nurl = \"{}\"\nusername = \"{}\"\npassword_env = \"KHABAR_TEST_TTRSS_IN_PROCESS\"\n",
        s.url, s.user
    );
    let (config, store, _dir) = crate::common::in_process(&text);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let first = runtime.block_on(khabar::sync::sync_all(&config, &store)).remove(0);
    assert_eq!(first.error, None, "{first:?}");
    let second = runtime.block_on(khabar::sync::sync_all(&config, &store)).remove(0);
    assert_eq!((second.error.clone(), second.new), (None, 0), "{second:?}");
    second.requests
}
