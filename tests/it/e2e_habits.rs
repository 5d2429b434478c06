//! The last mile in a real terminal (tmux): link hints open a link with the browser written
//! newsboat's way, a share target gets the article, `:save-article` writes it, and what the
//! search prompt was given comes back with Up after a restart.

use crate::common::*;
use crate::e2e_tmux::{assert_restored, reader_on, start_reader, wait_dead};

fn wait_file(path: &std::path::Path, what: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                return text;
            }
        }
        assert!(start.elapsed().as_secs() < 15, "no {what} at {}", path.display());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn hints_share_save_and_history_through_the_real_reader() {
    let Some((sb, tmux)) = reader_on("habits", |sb| {
        std::fs::write(
            sb.path("one.xml"),
            rss(
                "Tech",
                &[(
                    "a",
                    "Kernel release notes",
                    "&lt;p&gt;The scheduler &lt;a href='http://example.org/sched'&gt;work&lt;/a&gt; landed.&lt;/p&gt;",
                )],
            ),
        )
        .unwrap();
        // The browser as newsboat writes it, %u where the address goes.
        let browser = sb.path("browser.sh");
        write_script(
            &browser,
            &format!("#!/bin/sh\necho \"$1 $2\" > {}\n", sb.path("opened").display()),
        );
        let share = sb.path("share.sh");
        write_script(
            &share,
            &format!("#!/bin/sh\n{{ echo \"$1\"; cat; }} > {}\n", sb.path("shared").display()),
        );
        format!(
            "[general]\nbrowser = \"{} %u --new\"\n\n[[share]]\nname = \"keep\"\ncommand = [{:?}, \"{{title}}\"]\n{}",
            browser.display(),
            share.display().to_string(),
            feed_entry("one.xml", &["tech"])
        )
    }) else {
        return;
    };
    tmux.wait_for("the feed", |s| s.contains("Kernel release notes"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the article", |s| s.contains("scheduler"));
    tmux.keys(&["F"]);
    tmux.wait_for("the hint", |s| s.contains("work[a]") || s.contains("work [a]"));
    tmux.keys(&["a"]);
    assert_eq!(
        wait_file(&sb.path("opened"), "opened link").trim(),
        "http://example.org/sched --new"
    );

    tmux.keys(&["g", "s"]);
    tmux.wait_for("the share list", |s| s.contains("Share with") && s.contains("keep"));
    tmux.keys(&["Enter"]);
    let shared = wait_file(&sb.path("shared"), "shared article");
    assert!(
        shared.starts_with("Kernel release notes\n") && shared.contains("The scheduler work"),
        "{shared}"
    );
    tmux.wait_for("the notice", |s| s.contains("shared with keep"));

    let saved = sb.path("kept.md");
    tmux.keys(&[":"]);
    tmux.type_text(&format!("save-article {}", saved.display()));
    tmux.keys(&["Enter"]);
    let markdown = wait_file(&saved, "saved article");
    assert!(markdown.starts_with("# Kernel release notes"), "{markdown}");

    tmux.keys(&["/"]);
    tmux.type_text("kernel");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the search", |s| s.contains("Search: kernel") || s.contains("kernel"));
    tmux.keys(&["q", "q", "q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);
    drop(tmux);

    // Another run: Up in the search prompt brings back what it was given.
    let tmux = start_reader(&sb, "habits2");
    tmux.wait_for("the feed", |s| s.contains("Kernel release notes"));
    tmux.keys(&["/", "Up"]);
    tmux.wait_for("the remembered search", |s| {
        s.lines().last().is_some_and(|l| l.contains("/kernel")) || s.contains("/kernel█")
    });
    tmux.keys(&["Escape", "q"]);
    wait_dead(&tmux);
}
