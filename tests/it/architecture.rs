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

/// One "**`src/…` never imports** …" sentence of ARCHITECTURE.md: the files it is about and
/// what they must not name.
#[derive(Debug)]
struct NeverImports {
    /// "feed/" (a folder) or "subscribe.rs" (a file), relative to `src/`.
    scope: String,
    /// Module names in backticks.
    modules: Vec<String>,
    /// Crates and things named in words: SQLite, ratatui, crossterm, tokio, the clock.
    words: Vec<&'static str>,
    /// "any khabar module but `x`": the one module it may import.
    only: Option<String>,
}

/// Every rule the map states, read from its text (whitespace folded, so a rule may break lines).
fn rules_of_the_map() -> Vec<NeverImports> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rules = Vec::new();
    for part in doc.split("**`src/").skip(1) {
        let Some((scope, rest)) = part.split_once("` never imports**") else {
            continue;
        };
        // The list ends at the sentence's end, a colon or an aside in parentheses.
        let list = rest.split(['.', ':', '(']).next().unwrap_or("");
        let ticked: Vec<String> = list.split('`').skip(1).step_by(2).map(str::to_string).collect();
        let words = [
            ("SQLite", "rusqlite"),
            ("ratatui", "ratatui"),
            ("crossterm", "crossterm"),
            ("tokio", "tokio"),
            ("reads no clock", "::now("),
        ]
        .iter()
        .filter(|(said, _)| list.contains(said))
        .map(|(_, needle)| *needle)
        .collect();
        let only = list.contains("any khabar module but").then(|| ticked[0].clone());
        rules.push(NeverImports {
            scope: scope.to_string(),
            modules: if only.is_some() { Vec::new() } else { ticked },
            words,
            only,
        });
    }
    rules
}

/// The module `line` names after `crate::` (and, for the reader's own parts, `super::`), if any.
fn named_modules(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["crate::", "crate::tui::", "super::", "super::super::"] {
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
            rest = after;
        }
    }
    found
}

/// Whether a line of code breaks the rule: it names a module the rule forbids (after `crate::`;
/// `super::x` inside a folder is its own file, except the reader's `effects`, `app` and `ui`,
/// one level up from `tui/state/`), or a crate or the clock the rule names.
fn breaks(rule: &NeverImports, line: &str) -> bool {
    let named = named_modules(line);
    let imported: Vec<&String> = named
        .iter()
        .filter(|m| line.contains(&format!("crate::{m}")) || ["effects", "app", "ui"].contains(&m.as_str()))
        .collect();
    match &rule.only {
        Some(allowed) => imported
            .iter()
            .any(|m| *m != allowed && line.contains(&format!("crate::{m}"))),
        None => rule.modules.iter().any(|m| imported.contains(&m)) || rule.words.iter().any(|w| line.contains(w)),
    }
}

#[test]
fn every_never_imports_rule_of_the_map_holds_as_written() {
    let rules = rules_of_the_map();
    // The map states these; a sentence reworded out of the checkable form would drop one.
    let scopes: Vec<&str> = rules.iter().map(|r| r.scope.as_str()).collect();
    for expected in [
        "model.rs",
        "config/",
        "feed/",
        "query/",
        "text/",
        "store/",
        "poller/",
        "sync/",
        "subscribe.rs",
        "cli/",
        "tui/state/",
    ] {
        assert!(
            scopes.contains(&expected),
            "ARCHITECTURE.md states no rule for src/{expected}: {scopes:?}"
        );
    }
    let mut broken = Vec::new();
    for rule in &rules {
        assert!(
            !rule.modules.is_empty() || !rule.words.is_empty() || rule.only.is_some(),
            "a rule that names nothing: {rule:?}"
        );
        for (path, text) in sources() {
            let in_scope = if rule.scope.ends_with('/') {
                path.starts_with(&rule.scope)
            } else {
                path == rule.scope
            };
            if !in_scope {
                continue;
            }
            for line in code(&text).lines().filter(|l| !l.trim_start().starts_with("//")) {
                if breaks(rule, line) {
                    broken.push(format!(
                        "src/{path} (src/{} never imports {:?} {:?}): {}",
                        rule.scope,
                        rule.modules,
                        rule.words,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "the map and the code disagree:\n{}",
        broken.join("\n")
    );
}

/// The reading of the map's rules would notice a breach.
#[test]
fn the_rules_reader_understands_the_map() {
    let rules = rules_of_the_map();
    let feed = rules.iter().find(|r| r.scope == "feed/").unwrap();
    assert!(
        feed.modules.contains(&"store".to_string()) && feed.words.contains(&"rusqlite"),
        "{feed:?}"
    );
    let config = rules.iter().find(|r| r.scope == "config/").unwrap();
    assert!(
        !config.modules.contains(&"query".to_string()),
        "an aside is no rule: {config:?}"
    );
    let model = rules.iter().find(|r| r.scope == "model.rs").unwrap();
    assert_eq!(model.only.as_deref(), Some("query"));
    let state = rules.iter().find(|r| r.scope == "tui/state/").unwrap();
    assert!(
        state.words.contains(&"::now(") && state.modules.contains(&"effects".to_string()),
        "{state:?}"
    );
    assert!(breaks(feed, "use crate::store::Store;") && breaks(feed, "let c = rusqlite::Connection::open(p);"));
    assert!(!breaks(feed, "use crate::model::Feed;") && !breaks(feed, "use super::parse;"));
    assert!(breaks(model, "use crate::config::Config;") && !breaks(model, "pub query: Option<crate::query::Query>,"));
    assert!(breaks(state, "use super::super::effects::cache;") && breaks(state, "let t = chrono::Utc::now();"));
    assert!(breaks(state, "use super::super::ui::theme::Element;"));
}
