//! `khabar refresh`: fetch every configured feed now, reporting each feed on stderr, then a
//! summary. Failed feeds are reported, never fatal.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Config;
use crate::poller::{Job, PollEvent, Poller, RefreshSummary};
use crate::store::{lock, with_store, SharedStore, StoryRules};
use std::io::Write;

use crate::hooks;
use crate::query::FilterRule;

/// Refreshes all feeds; prints progress with `report`. Failed feeds do not make this fail.
/// With `json`, stdout gets a JSON line per feed, then one per new article. Then the
/// `on_new_articles` hook and the notification command run (their failures are reported).
pub async fn run(config: &Config, store: SharedStore, force: bool, json: bool) -> anyhow::Result<RefreshSummary> {
    let before = lock(&store).last_article_id()?;
    let states = lock(&store).poll_states()?;
    let jobs = Job::all(config, states);
    let poller = Arc::new(Poller::new(&config.general, store.clone())?.with_stories(StoryRules::from_config(config)));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let rules = config.filters.clone();
    let printer = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let Some(line) = describe(&event, &rules) {
                eprintln!("{line}");
            }
            if let Some(line) = json.then(|| feed_json(&event)).flatten() {
                println!("{line}");
            }
        }
    });
    let summary = poller.run(jobs, force, tx).await;
    let _ = printer.await;
    let wants_new = json || config.general.on_new_articles.is_some() || config.general.notifies();
    if wants_new && summary.new_articles > 0 {
        let new = with_store(&store, move |s| s.articles_after(before, hooks::MAX_NEW)).await?;
        if json {
            let mut out = std::io::stdout().lock();
            for a in &new {
                let mut v = hooks::article_line(a);
                v["type"] = serde_json::json!("article");
                if writeln!(out, "{v}").is_err() {
                    break;
                }
            }
        }
        let (general, feeds) = (config.general.clone(), config.feeds.clone());
        let errors = tokio::task::spawn_blocking(move || {
            let notify = |a: &crate::model::Article| feeds.iter().any(|f| f.url == a.summary.feed_url && f.notify);
            hooks::after_refresh(&general, &new, &notify)
        })
        .await?;
        for e in errors {
            eprintln!("khabar: warning: {e}");
        }
    }
    Ok(summary)
}

/// The `refresh --json` line for a feed's outcome.
fn feed_json(event: &PollEvent) -> Option<String> {
    let v = match event {
        PollEvent::Updated {
            url,
            new,
            updated,
            filtered,
            hidden,
            ..
        } => serde_json::json!({"type": "feed", "url": url, "status": "ok", "new": new, "updated": updated,
                                "hidden": hidden, "filtered": filtered.iter().map(|(r, n)| serde_json::json!({"filter": r + 1, "count": n})).collect::<Vec<_>>()}),
        PollEvent::NotModified { url, .. } => {
            serde_json::json!({"type": "feed", "url": url, "status": "not modified", "new": 0})
        }
        PollEvent::Skipped { url, until, .. } => {
            serde_json::json!({"type": "feed", "url": url, "status": "skipped", "new": 0,
                                                                      "until": until.to_rfc3339()})
        }
        PollEvent::Failed { url, reason, .. } => {
            serde_json::json!({"type": "feed", "url": url, "status": "failed", "new": 0,
                                                                     "error": reason})
        }
        PollEvent::Started { .. } | PollEvent::Finished(_) | PollEvent::Indexed { .. } | PollEvent::Grouped { .. } => {
            return None
        }
    };
    Some(v.to_string())
}

/// The stderr line for an event; `rules` name the filters that acted.
fn describe(event: &PollEvent, rules: &[FilterRule]) -> Option<String> {
    Some(match event {
        PollEvent::Started { .. } => return None,
        PollEvent::Updated {
            url,
            new,
            updated,
            filtered,
            ..
        } => {
            let changed = if *updated > 0 {
                format!(", {updated} updated")
            } else {
                String::new()
            };
            let acted: Vec<String> = filtered
                .iter()
                .filter_map(|&(r, n)| {
                    let rule = rules.get(r)?;
                    Some(format!(
                        "{n} {} by filter {} ({})",
                        rule.action.done(),
                        r + 1,
                        rule.label()
                    ))
                })
                .collect();
            let acted = if acted.is_empty() {
                String::new()
            } else {
                format!("; {}", acted.join(", "))
            };
            format!("ok    {url}: {new} new{changed}{acted}")
        }
        PollEvent::NotModified { url, .. } => format!("304   {url}: not modified"),
        PollEvent::Skipped { url, until, .. } => format!(
            "skip  {url}: its server said to wait (Retry-After or 410 Gone) until {}; --force fetches anyway",
            until.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S")
        ),
        PollEvent::Failed { url, reason, .. } => format!("FAIL  {url}: {reason}"),
        PollEvent::Indexed { articles, elapsed } => {
            format!(
                "indexed {articles} articles for search in {:.2}s",
                elapsed.as_secs_f64()
            )
        }
        PollEvent::Grouped { grouped, elapsed, .. } => format!(
            "grouped {grouped} articles into stories in {:.2}s",
            elapsed.as_secs_f64()
        ),
        PollEvent::Finished(s) => format!(
            "refreshed {} in {:.2}s: {}{}; {} fetched, {} not modified, {} failed, {} skipped",
            crate::text::plural(s.feeds as u64, "feed", "feeds"),
            s.elapsed.as_secs_f64(),
            crate::text::plural(s.new_articles as u64, "new article", "new articles"),
            if s.hidden_articles > 0 {
                format!(" ({} hidden by filters)", s.hidden_articles)
            } else {
                String::new()
            },
            s.updated,
            s.not_modified,
            s.failed,
            s.skipped
        ),
    })
}
