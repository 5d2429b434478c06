//! Several khabar processes on one cache: two started at once on a cache that does not exist yet
//! (a cron job and the reader at login) both open it, migrate it once, and finish their work.

use std::process::Stdio;

use crate::common::*;
use khabar::model::Filter;

#[test]
fn two_refreshes_racing_on_a_new_cache_both_succeed() {
    let sb = Sandbox::new();
    let mut config = String::new();
    for f in 0..20 {
        let items: Vec<(String, String)> = (0..10)
            .map(|i| (format!("f{f}-{i}"), format!("Feed {f} item {i}")))
            .collect();
        let refs: Vec<(&str, &str, &str)> = items.iter().map(|(g, t)| (g.as_str(), t.as_str(), "body")).collect();
        std::fs::write(sb.path(&format!("feed{f}.xml")), rss(&format!("Feed {f}"), &refs)).unwrap();
        config.push_str(&feed_entry(&format!("feed{f}.xml"), &["t"]));
    }
    sb.write_config(&config);
    let config_path = sb.config();
    // The race is over a few milliseconds: every round starts two processes on a new cache.
    for round in 0..12 {
        let cache = sb.path(&format!("race{round}.db"));
        let args = [
            "--config",
            config_path.to_str().unwrap(),
            "--cache",
            cache.to_str().unwrap(),
            "refresh",
        ];
        let children: Vec<_> = (0..2)
            .map(|_| {
                sb.command_raw(&args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start khabar")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: a refresh failed: {}",
                stderr(&out)
            );
            let err = stderr(&out);
            assert!(
                !err.contains("already exists") && !err.contains("locked"),
                "round {round}: {err}"
            );
        }
        let store = open_store(&cache);
        assert_eq!(store.count(&Filter::default()).unwrap(), 200, "round {round}");
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}
