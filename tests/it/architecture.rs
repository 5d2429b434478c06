//! The rules of ARCHITECTURE.md that a machine can check, read from the source files: which
//! layer may import what, the size of a file, and the comment each file starts with.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to `src/` ("tui/app.rs").
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a file without its unit tests (everything from the first `#[cfg(test)]`).
fn code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// Lines of `text` (comments included) that mention `needle` outside a `//` comment.
fn uses(text: &str, needle: &str) -> Vec<String> {
    code(text)
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with("//") && l.contains(needle)
        })
        .map(str::to_string)
        .collect()
}

/// Files (outside `allowed`) that mention any of `needles`, for an error message.
fn offenders(allowed: impl Fn(&str) -> bool, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources() {
        if allowed(&path) {
            continue;
        }
        for needle in needles {
            for line in uses(&text, needle) {
                found.push(format!("src/{path}: {}", line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_reader_knows_the_terminal() {
    // main.rs is the composition root: it starts the reader (`khabar::tui`), never the terminal.
    let found = offenders(
        |p| p.starts_with("tui/"),
        &["crate::tui", "ratatui", "crossterm", "super::tui"],
    );
    assert!(found.is_empty(), "the core imports the screen:\n{}", found.join("\n"));
}

#[test]
fn only_the_store_speaks_sql() {
    let found = offenders(|p| p.starts_with("store/"), &["rusqlite"]);
    assert!(found.is_empty(), "SQL outside src/store:\n{}", found.join("\n"));
}

#[test]
fn feed_code_knows_no_cache_and_no_poller() {
    let found = offenders(
        |p| !p.starts_with("feed/"),
        &["crate::store", "crate::poller", "crate::cli"],
    );
    assert!(found.is_empty(), "src/feed reaches up a layer:\n{}", found.join("\n"));
}

#[test]
fn the_query_language_is_a_pure_parser() {
    let found = offenders(
        |p| !p.starts_with("query/"),
        &["crate::store", "crate::tui", "crate::config", "::now(", "std::fs"],
    );
    assert!(
        found.is_empty(),
        "src/query does more than parse:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_reader_state_does_no_io_and_reads_no_clock() {
    let found = offenders(
        |p| !p.starts_with("tui/state/"),
        &[
            "::now(",
            "std::fs",
            "std::process",
            "std::net",
            "tokio",
            "crossterm",
            "crate::store",
            "crate::feed",
            "super::effects",
            "super::app",
        ],
    );
    assert!(found.is_empty(), "update() must stay pure:\n{}", found.join("\n"));
}

#[test]
fn files_are_small_and_say_what_they_own() {
    let mut problems = Vec::new();
    for (path, text) in sources() {
        let lines = code(&text).lines().count();
        if lines > 400 {
            problems.push(format!(
                "src/{path}: {lines} lines of code (tests aside); split it by concern"
            ));
        }
        let mut head = text.lines();
        let opening = [head.next(), head.next()];
        if !opening.iter().all(|l| l.is_some_and(|l| l.starts_with("//!"))) {
            problems.push(format!("src/{path}: does not start with its two-line `//!` comment"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks above read real files: make sure they see the tree and would catch a breach.
#[test]
fn the_checks_see_the_source_tree() {
    let files = sources();
    assert!(files.iter().any(|(p, _)| p == "tui/state/mod.rs"), "src/ not found");
    assert!(uses("use crate::tui::keymap::Keymap;\n", "crate::tui").len() == 1);
    assert!(uses("// crate::tui in a comment\n", "crate::tui").is_empty());
    assert!(uses("fn a() {}\n#[cfg(test)]\nuse crate::tui::x;\n", "crate::tui").is_empty());
}
