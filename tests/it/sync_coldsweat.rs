//! Sync against a real Fever server: Coldsweat from PyPI, started by `.ci/coldsweat.sh` (which
//! `.ci/run` runs). Ignored by a plain `cargo test`; run with `--ignored` and
//! KHABAR_COLDSWEAT_URL set, it fails (never skips) when that server does not answer.

use crate::common::{json_lines, stderr, Sandbox};

const USER: &str = "test@example.com";
const PASSWORD: &str = "testpassword";
/// Items of the three large feeds `.ci/big_feeds.py` writes for the server.
const BIG_ITEMS: u64 = 3 * 410;

fn endpoint() -> String {
    std::env::var("KHABAR_COLDSWEAT_URL")
        .expect("KHABAR_COLDSWEAT_URL (set by .ci/run from .ci/coldsweat.sh start) names the real server")
}

fn client() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(&format!(
        "[[account]]\nname = \"cold\"\nkind = \"fever\"\nurl = \"{}\"\nusername = \"{USER}\"\npassword_env = \"COLDSWEAT_TEST_PASSWORD\"\n",
        endpoint()
    ));
    sb
}

fn sync(sb: &Sandbox) -> serde_json::Value {
    let out = sb
        .command(&["sync", "--json"])
        .env("COLDSWEAT_TEST_PASSWORD", PASSWORD)
        .output()
        .unwrap();
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
#[ignore = "needs the real Fever server .ci/run starts (KHABAR_COLDSWEAT_URL)"]
fn a_real_fever_server_syncs_with_two_clients() {
    let (a, b) = (client(), client());
    let first = sync(&a);
    assert_eq!(first["feeds"], 5, "{first}");
    assert_eq!(first["new"], 4 + BIG_ITEMS, "{first}");
    // Every one of the large feeds' items arrived (Coldsweat's pages come in no order).
    let mut big: Vec<String> = a
        .list_json(&["--tag", "big"])
        .iter()
        .map(|x| x["title"].as_str().unwrap().split(' ').nth(1).unwrap().to_string())
        .collect();
    big.sort();
    big.dedup();
    let mut expected: Vec<String> = (0..3).flat_map(|f| (0..410).map(move |n| format!("{f}-{n}"))).collect();
    expected.sort();
    assert_eq!(big, expected);
    let feeds = a.feeds_json();
    let mut tags: Vec<String> = feeds
        .iter()
        .flat_map(|f| f["tags"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["big", "big", "big", "news", "tech"]);
    assert!(a.list_json(&[]).iter().any(|x| x["title"] == "चंद्रयान सफल हुआ"));
    sync(&b);

    // What one client does reaches the other through the server, both ways.
    mark(&a, "Kernel 7.0 released", "--read");
    mark(&a, "Election results", "--star");
    assert_eq!(sync(&a)["pushed"], 2);
    sync(&b);
    assert_eq!(article(&b, "Kernel 7.0 released")["read"], true);
    assert_eq!(article(&b, "Election results")["starred"], true);

    mark(&b, "Kernel 7.0 released", "--unread");
    mark(&b, "Election results", "--unstar");
    assert_eq!(sync(&b)["pushed"], 2);
    sync(&a);
    assert_eq!(article(&a, "Kernel 7.0 released")["read"], false);
    assert_eq!(article(&a, "Election results")["starred"], false);
}
