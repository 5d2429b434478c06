//! Attachments and media feeds: a podcast (RSS `<enclosure>`), a YouTube channel (Media RSS
//! only: its description is the body, its thumbnail an image), a JSON Feed with attachments and
//! an Atom enclosure link, stored, listed, shown and numbered like links.

use std::path::Path;

use crate::common::{stderr, stdout, Sandbox};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/media")
        .join(name)
        .display()
        .to_string()
}

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    let feeds: String = ["podcast.xml", "youtube.xml", "attachments.json", "atom-enclosure.xml"]
        .iter()
        .map(|f| format!("[[feed]]\nurl = {:?}\n", fixture(f)))
        .collect();
    sb.write_config(&feeds);
    sb.refresh();
    sb
}

fn by_title(sb: &Sandbox, title: &str) -> serde_json::Value {
    sb.list_json(&[])
        .into_iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?}"))
}

fn show_json(sb: &Sandbox, id: i64) -> serde_json::Value {
    let out = sb.run(&["show", &id.to_string(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_attachment_form_is_stored_listed_and_shown() {
    let sb = sandbox();

    let episode = by_title(&sb, "Episode 12: Schedulers");
    assert_eq!(
        episode["enclosures"],
        serde_json::json!([{"url": "https://cdn.example.org/ep12.mp3", "type": "audio/mpeg", "length": 23456789}])
    );
    let hostile = by_title(&sb, "Episode 11: Hostile attachments");
    assert_eq!(
        hostile["enclosures"],
        serde_json::json!([]),
        "only http(s) addresses are kept"
    );

    let json = by_title(&sb, "Slides and recording");
    let urls: Vec<&str> = json["enclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://json.example.org/slides.pdf",
            "https://json.example.org/talk.m4a"
        ]
    );
    assert_eq!(
        json["link"], "https://json.example.org/1",
        "an attachment is not the article's link"
    );

    let atom = by_title(&sb, "Release tarball");
    assert_eq!(
        atom["enclosures"][0]["url"],
        "https://atom.example.org/files/release-1.0.tar.gz"
    );
    assert_eq!(atom["enclosures"][0]["length"], 4096);

    // `show`: an Attachments block after the body, numbered with the links (what `o N` opens).
    let shown = show_json(&sb, episode["id"].as_i64().unwrap());
    assert_eq!(shown["enclosures"][0]["type"], "audio/mpeg");
    let links = shown["links"].as_array().unwrap();
    let last = links.last().unwrap();
    assert_eq!(last["url"], "https://cdn.example.org/ep12.mp3");
    assert_eq!(last["text"], "audio/mpeg, 23.5 MB");
    let text = sb.run(&["show", &episode["id"].to_string(), "--width", "80"]);
    let text = stdout(&text);
    assert!(
        text.contains("Attachments") && text.contains("audio/mpeg, 23.5 MB"),
        "{text}"
    );
}

#[test]
fn a_youtube_entry_reads_its_description_after_its_thumbnail() {
    let sb = sandbox();
    let video = by_title(&sb, "How the kernel schedules");
    assert_eq!(video["link"], "https://www.youtube.com/watch?v=vid123");
    let shown = show_json(&sb, video["id"].as_i64().unwrap());
    let body = shown["body_text"].as_str().unwrap();
    assert!(body.contains("A walk through the scheduler."), "{body}");
    assert!(
        !body.contains("[image"),
        "the thumbnail is in `images`, not the text: {body}"
    );
    assert_eq!(
        shown["images"][0]["url"],
        "https://i1.ytimg.com/vi/vid123/hqdefault.jpg"
    );
    assert_eq!(shown["enclosures"][0]["type"], "application/x-shockwave-flash");
    // Searchable like any body.
    let found = sb.run(&["search", "walk through", "--json"]);
    assert!(stdout(&found).contains("How the kernel schedules"));
}

/// `has:enclosure` in a search, a list and a filter acting as the articles arrive.
#[test]
fn queries_and_filters_know_attachments() {
    let sb = Sandbox::new();
    let feeds: String = ["podcast.xml", "youtube.xml", "attachments.json", "atom-enclosure.xml"]
        .iter()
        .map(|f| format!("[[feed]]\nurl = {:?}\n", fixture(f)))
        .collect();
    sb.write_config(&format!(
        "{feeds}[[filter]]\nquery = \"has:enclosure title:episode\"\naction = \"tag:listen\"\n"
    ));
    sb.refresh();
    let mut with: Vec<String> = sb
        .list_json(&["--query", "has:enclosure"])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    with.sort();
    assert_eq!(
        with,
        [
            "Episode 12: Schedulers",
            "How the kernel schedules",
            "Release tarball",
            "Slides and recording"
        ]
    );
    let without = sb.list_json(&["--query=-has:enclosure"]);
    assert_eq!(without.len(), 1);
    let tagged = sb.list_json(&["--query", "tag:listen"]);
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0]["title"], "Episode 12: Schedulers");
    let bad = sb.run(&["search", "has:video"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown `has:video`, use has:enclosure"),
        "{}",
        stderr(&bad)
    );
}
