//! The user's programs that get articles: `on_new_articles` after a refresh (their JSON Lines on
//! its stdin), `notify_command`, and pipes (`|`); argv with a time limit, never a shell.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::io::Read as _;

use crate::config::PipeFormat;
use crate::model::Article;
use crate::text::html;

/// Most new articles handed to a hook or counted in one notification's lines.
pub const MAX_NEW: usize = 10_000;

/// An article as a hook and `refresh --json` get it: `list --json`'s fields, its attachments
/// and its text.
pub fn article_line(a: &Article) -> serde_json::Value {
    let mut v = a.summary.to_json();
    v["enclosures"] = serde_json::json!(a.enclosures);
    v["body_text"] = serde_json::json!(body_text(a));
    v
}

/// The body as data, as `show --json`'s `body_text` gives it: the article pane's renderer,
/// unwrapped, without its `[n]` and `[image: …]` marks; the body's plain text if it fails.
pub fn body_text(a: &Article) -> String {
    let body = a.full_content.as_deref().or(a.content.as_deref()).unwrap_or("");
    crate::panics::contain(|| crate::text::rich::data_text_of(body))
        .unwrap_or_else(|_| html::to_plain(body).trim().to_string())
}

/// Runs `argv` with `input` on its stdin; stopped (killed) after `limit`. The error says what
/// went wrong (cannot start, exit status, time limit), never what the program printed.
pub fn run_with_input(argv: &[String], input: &[u8], limit: Duration) -> Result<(), String> {
    run(argv, input, limit, false).map(|_| ())
}

/// Most output kept from a pipe.
const MAX_OUTPUT: usize = 1 << 20;

/// As `run_with_input`, returning what the program wrote on its stdout (up to 1 MiB, as text).
pub fn run_capturing(argv: &[String], input: &[u8], limit: Duration) -> Result<String, String> {
    run(argv, input, limit, true)
}

fn run(argv: &[String], input: &[u8], limit: Duration, capture: bool) -> Result<String, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".into());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(if capture { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    // Written and read on threads of their own: a program that does not read its input, or
    // writes much, must not block the time limit.
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input);
        }
    });
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout {
            let _ = std::io::Read::take(s, MAX_OUTPUT as u64).read_to_end(&mut out);
        }
        out
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let _ = writer.join();
                let out = reader.join().unwrap_or_default();
                return if status.success() {
                    Ok(String::from_utf8_lossy(&out).into_owned())
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

/// An article as a pipe gets it, in the configured format.
pub fn pipe_input(a: &Article, format: PipeFormat) -> Vec<u8> {
    let body = a.full_content.as_deref().or(a.content.as_deref()).unwrap_or("");
    let s = &a.summary;
    let link = s.link.as_deref().unwrap_or("");
    let text = match format {
        PipeFormat::Html => body.to_string(),
        PipeFormat::Json => article_line(a).to_string(),
        PipeFormat::Text => format!("{}\n{}\n{link}\n\n{}\n", s.shown_title(), s.feed_title, body_text(a)),
        PipeFormat::Markdown => format!(
            "# {}\n\n*{}* · <{link}>\n\n{}\n",
            s.shown_title(),
            s.feed_title,
            body_text(a)
        ),
    };
    text.into_bytes()
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
    if let (true, Some(command)) = (general.notifies(), general.notify_command.as_deref()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArticleId, ArticleSummary, FeedId};

    fn article() -> Article {
        Article {
            summary: ArticleSummary {
                id: ArticleId(7),
                feed_id: FeedId(1),
                feed_url: "https://lwn.net/rss".into(),
                feed_title: "LWN".into(),
                title: "Rust in the kernel".into(),
                link: Some("https://lwn.net/1".into()),
                author: None,
                published: None,
                read: false,
                starred: false,
                hidden: false,
                tags: vec![],
                story: None,
                also_in: vec![],
            },
            content: Some("<p>Drivers, <b>mostly</b>.</p>".into()),
            full_content: None,
            enclosures: vec![],
        }
    }

    #[test]
    fn a_pipe_gets_the_article_in_its_format_and_only_its_stdout_comes_back() {
        let a = article();
        let text = |f| String::from_utf8(pipe_input(&a, f)).unwrap();
        assert_eq!(
            text(PipeFormat::Text),
            "Rust in the kernel\nLWN\nhttps://lwn.net/1\n\nDrivers, mostly.\n"
        );
        assert!(text(PipeFormat::Markdown).starts_with("# Rust in the kernel\n\n*LWN* · <https://lwn.net/1>"));
        assert_eq!(text(PipeFormat::Html), "<p>Drivers, <b>mostly</b>.</p>");
        let json: serde_json::Value = serde_json::from_str(&text(PipeFormat::Json)).unwrap();
        assert_eq!(
            (json["id"].as_i64(), json["body_text"].as_str()),
            (Some(7), Some("Drivers, mostly."))
        );
        let sh = |script: &str| vec!["sh".to_string(), "-c".to_string(), script.to_string()];
        assert_eq!(
            run_capturing(&sh("tr a-z A-Z"), b"abc", Duration::from_secs(5)).unwrap(),
            "ABC"
        );
        assert_eq!(
            run_capturing(&sh("exit 2"), b"", Duration::from_secs(5)).unwrap_err(),
            "sh ended: exit status: 2"
        );
        let slow = run_capturing(&sh("sleep 5"), b"", Duration::from_millis(300)).unwrap_err();
        assert_eq!(slow, "sh was stopped after 0 s");
    }
}
