//! A cold refresh's memory stays flat: with fifteen times the feeds (and articles) the writer has
//! to keep up with, the peak resident memory of `khabar refresh` barely moves, because parsed
//! feeds wait for the writer in a bounded backlog and one thread writes. Each refresh reports
//! its own peak (`--bench-peak`), which this test process's size does not touch.

use crate::common::*;

/// A feed of `items` articles with bodies of about 1.5 KB, different in every feed.
fn feed(n: usize, items: usize) -> String {
    let body = |i: usize| {
        let words: String = (0..150)
            .map(|w| format!("w{}x{} ", (n * 31 + i * 7 + w) % 997, w % 13))
            .collect();
        format!("<![CDATA[<p>{words}</p>]]>")
    };
    let articles: Vec<(String, String, String, u32)> = (0..items)
        .map(|i| {
            (
                format!("f{n}-{i}"),
                format!("Story {i} of feed {n}"),
                body(i),
                1 + (i % 28) as u32,
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, &str, u32)> = articles
        .iter()
        .map(|(g, t, b, d)| (g.as_str(), t.as_str(), b.as_str(), *d))
        .collect();
    rss_dated(&format!("Feed {n}"), &borrowed)
}

fn refresh(server: &TestServer, feeds: usize) -> u64 {
    let sb = Sandbox::new();
    let config: String = (0..feeds)
        .map(|n| feed_entry(&server.url(&format!("/f{n}.xml")), &["t"]))
        .collect();
    sb.write_config(&config);
    let out = sb.run(&["--bench-peak", "refresh"]);
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains(&format!("{} new articles", feeds * 60)), "{said}");
    reported_peak_kib(&out)
}

#[test]
fn a_cold_refresh_of_fifteen_times_the_feeds_peaks_at_about_the_same_memory() {
    let server = TestServer::start();
    for n in 0..600 {
        server.route(&format!("/f{n}.xml"), Route::ok(feed(n, 60)));
    }
    let small = refresh(&server, 40);
    let large = refresh(&server, 600);
    eprintln!("peak resident memory: 40 feeds {small} KiB, 600 feeds {large} KiB");
    assert!(
        large <= small + small / 8 + 2 * 1024,
        "600 feeds (36,000 articles) peaked at {large} KiB, 40 feeds (2,400) at {small} KiB: memory grows with the feeds"
    );
}
