//! `khabar refresh`: fetch every configured feed now, reporting each feed on stderr, then a
//! summary. Failed feeds are reported, never fatal.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Config;
use crate::poller::{self, Job, PollEvent, Poller, RefreshSummary, SharedStore};
use crate::query::FilterRule;

/// Refreshes all feeds; prints progress with `report`. Failed feeds do not make this fail.
pub async fn run(config: &Config, store: SharedStore, force: bool) -> anyhow::Result<RefreshSummary> {
    let states = poller::lock(&store).poll_states()?;
    let jobs = Job::all(config, states);
    let poller = Arc::new(Poller::new(&config.general, store)?);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let rules = config.filters.clone();
    let printer = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let Some(line) = describe(&event, &rules) {
                eprintln!("{line}");
            }
        }
    });
    let summary = poller.run(jobs, force, tx).await;
    let _ = printer.await;
    Ok(summary)
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
        PollEvent::Finished(s) => format!(
            "refreshed {} feeds in {:.2}s: {} new articles{}; {} fetched, {} not modified, {} failed, {} skipped",
            s.feeds,
            s.elapsed.as_secs_f64(),
            s.new_articles,
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
