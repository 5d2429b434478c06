//! What runs after a refresh that brought new articles: the `on_new_articles` program (their
//! JSON Lines on its stdin, within a time limit) and the `notify_command`; never a shell.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::model::Article;
use crate::text::html;

/// Most new articles handed to a hook or counted in one notification's lines.
pub const MAX_NEW: usize = 10_000;

/// An article as a hook and `refresh --json` get it: `list --json`'s fields, its attachments
/// and its text.
pub fn article_line(a: &Article) -> serde_json::Value {
    let mut v = a.summary.to_json();
    v["enclosures"] = serde_json::json!(a.enclosures);
    let body = a.full_content.as_deref().or(a.content.as_deref()).unwrap_or("");
    v["body_text"] = serde_json::json!(html::to_plain(body).trim());
    v
}

/// Runs `argv` with `input` on its stdin; stopped (killed) after `limit`. The error says what
/// went wrong (cannot start, exit status, time limit), never what the program printed.
pub fn run_with_input(argv: &[String], input: &[u8], limit: Duration) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".into());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    // Written on its own thread: a program that does not read must not block the limit.
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input);
        }
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let _ = writer.join();
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("{program} ended: {status}"))
                };
            }
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{program} was stopped after {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
}

/// The notification command with `{count}` and `{feeds}` (the feeds' titles, comma separated)
/// replaced inside its arguments.
pub fn notify_argv(command: &[String], count: usize, feeds: &[String]) -> Vec<String> {
    let names = feeds.join(", ");
    command
        .iter()
        .map(|a| a.replace("{count}", &count.to_string()).replace("{feeds}", &names))
        .collect()
}

/// One line for a notification: "12 new articles: LWN, Hacker News".
pub fn summary(count: usize, feeds: &[String]) -> String {
    let noun = if count == 1 { "article" } else { "articles" };
    format!("{count} new {noun}: {}", feeds.join(", "))
}

/// After a refresh: the hook with the new articles (those of every feed), then the notification
/// command (articles of feeds with `notify` on). Returns the errors, for the user to see.
pub fn after_refresh(
    general: &crate::config::General,
    articles: &[Article],
    notify_feeds: &dyn Fn(&Article) -> bool,
) -> Vec<String> {
    let mut errors = Vec::new();
    if articles.is_empty() {
        return errors;
    }
    if let Some(hook) = general.on_new_articles.as_deref() {
        let mut input = Vec::new();
        for a in articles {
            input.extend(article_line(a).to_string().into_bytes());
            input.push(b'\n');
        }
        if let Err(e) = run_with_input(hook, &input, general.hook_timeout.0) {
            tracing::warn!("on_new_articles: {e}");
            errors.push(format!("on_new_articles: {e}"));
        }
    }
    if let (true, Some(command)) = (general.notify, general.notify_command.as_deref()) {
        let (count, feeds) = notified(articles, notify_feeds);
        if count > 0 {
            if let Err(e) = run_with_input(&notify_argv(command, count, &feeds), &[], general.hook_timeout.0) {
                tracing::warn!("notify_command: {e}");
                errors.push(format!("notify_command: {e}"));
            }
        }
    }
    errors
}

/// How many of the articles are to be notified, and their feeds' titles (each once, in order).
pub fn notified(articles: &[Article], notify_feeds: &dyn Fn(&Article) -> bool) -> (usize, Vec<String>) {
    let mut feeds: Vec<String> = Vec::new();
    let mut count = 0;
    for a in articles.iter().filter(|a| notify_feeds(a)) {
        count += 1;
        if !feeds.contains(&a.summary.feed_title) {
            feeds.push(a.summary.feed_title.clone());
        }
    }
    (count, feeds)
}
