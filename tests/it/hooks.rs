//! After a refresh: `refresh --json` for scripts, the `on_new_articles` hook with the new
//! articles on its stdin, and the notification command; a failing or hanging program never
//! breaks the refresh.

use crate::common::{json_lines, rss, stderr, Sandbox};

fn write_feed(sb: &Sandbox, items: &[(&str, &str, &str)]) {
    std::fs::write(sb.path("one.xml"), rss("Tech", items)).unwrap();
}

fn script(sb: &Sandbox, name: &str, body: &str) -> String {
    let path = sb.path(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    path.display().to_string()
}

#[test]
fn refresh_json_gives_each_feed_then_each_new_article() {
    let sb = Sandbox::new();
    write_feed(
        &sb,
        &[
            ("a", "Kernel notes", "scheduler &lt;b&gt;work&lt;/b&gt;"),
            ("b", "Garden", "roses"),
        ],
    );
    sb.write_config(&format!(
        "[[feed]]\nurl = \"one.xml\"\n[[feed]]\nurl = {:?}\n",
        sb.path("missing.xml").display().to_string()
    ));
    let out = sb.run(&["refresh", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let feeds: Vec<_> = lines.iter().filter(|l| l["type"] == "feed").collect();
    assert_eq!(feeds.len(), 2);
    assert!(feeds.iter().any(|f| f["status"] == "ok" && f["new"] == 2));
    assert!(feeds.iter().any(|f| f["status"] == "failed" && f["error"].is_string()));
    let articles: Vec<_> = lines.iter().filter(|l| l["type"] == "article").collect();
    assert_eq!(articles.len(), 2);
    let kernel = articles.iter().find(|a| a["title"] == "Kernel notes").unwrap();
    assert_eq!(kernel["body_text"], "scheduler work", "the body as plain text");
    assert_eq!(kernel["enclosures"], serde_json::json!([]));
    assert!(kernel["id"].is_i64() && kernel["feed_title"] == "Tech");
    // Nothing new: feed lines only.
    let again = json_lines(&sb.run(&["refresh", "--json"]));
    assert!(again.iter().all(|l| l["type"] == "feed"));
}

#[test]
fn the_hook_gets_exactly_the_new_articles_and_its_failures_never_break_the_refresh() {
    let sb = Sandbox::new();
    write_feed(&sb, &[("a", "First", "one")]);
    let got = sb.path("got.jsonl");
    let hook = script(&sb, "hook.sh", &format!("cat >> {}", got.display()));
    let config = |extra: &str| {
        format!(
            "[general]\non_new_articles = [\"sh\", {hook:?}]\nhook_timeout = \"1s\"\n{extra}\n[[feed]]\nurl = \"one.xml\"\n\
             [[filter]]\nquery = \"title:sponsored\"\naction = \"hide\"\n"
        )
    };
    sb.write_config(&config(""));
    sb.refresh();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&got)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["title"].as_str(), lines[0]["body_text"].as_str()),
        (Some("First"), Some("one"))
    );

    // Only what is new, and never what a filter hid.
    write_feed(
        &sb,
        &[
            ("a", "First", "one"),
            ("b", "Second", "two"),
            ("c", "Sponsored: buy", "ad"),
        ],
    );
    sb.refresh();
    let text = std::fs::read_to_string(&got).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.lines().last().unwrap().contains("\"Second\""));
    assert!(!text.contains("Sponsored"));
    // Nothing new: the hook does not run.
    sb.refresh();
    assert_eq!(std::fs::read_to_string(&got).unwrap().lines().count(), 2);

    // A failing hook, then one that hangs: each reported, the refresh done, the articles stored.
    let failing = script(&sb, "fail.sh", "exit 4");
    sb.write_config(&config("").replace(&format!("{hook:?}"), &format!("{failing:?}")));
    write_feed(&sb, &[("d", "Third", "three")]);
    let out = sb.refresh();
    assert!(
        stderr(&out).contains("on_new_articles: sh ended: exit status: 4"),
        "{}",
        stderr(&out)
    );
    let hanging = script(&sb, "hang.sh", "sleep 30");
    sb.write_config(&config("").replace(&format!("{hook:?}"), &format!("{hanging:?}")));
    write_feed(&sb, &[("e", "Fourth", "four")]);
    let started = std::time::Instant::now();
    let out = sb.refresh();
    assert!(stderr(&out).contains("was stopped after 1 s"), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let titles: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert!(titles.contains(&"Third".to_string()) && titles.contains(&"Fourth".to_string()));
}

#[test]
fn the_notification_command_counts_new_articles_of_feeds_that_notify() {
    let sb = Sandbox::new();
    write_feed(&sb, &[("a", "One", "1"), ("b", "Two", "2")]);
    std::fs::write(sb.path("quiet.xml"), rss("Quiet", &[("q", "Hush", "h")])).unwrap();
    let said = sb.path("said");
    let notify = script(
        &sb,
        "notify.sh",
        &format!("printf '%s|%s' \"$1\" \"$2\" > {}", said.display()),
    );
    sb.write_config(&format!(
        "[general]\nnotify_command = [\"sh\", {notify:?}, \"{{count}}\", \"{{feeds}}\"]\n\
         [[feed]]\nurl = \"one.xml\"\n[[feed]]\nurl = \"quiet.xml\"\nnotify = false\n"
    ));
    // Setting the program is asking for notifications: no `notify = true` needed.
    sb.refresh();
    assert_eq!(std::fs::read_to_string(&said).unwrap(), "2|Tech");
    // `notify = false` silences it.
    std::fs::remove_file(&said).unwrap();
    let text = std::fs::read_to_string(sb.config()).unwrap();
    sb.write_config(&text.replace("[general]\n", "[general]\nnotify = false\n"));
    write_feed(&sb, &[("a", "One", "1"), ("b", "Two", "2"), ("c", "Three", "3")]);
    sb.refresh();
    assert!(!said.exists(), "notify = false wins over notify_command");
}
