//! `khabar feeds`: every configured and synced feed with its counts and the outcome of its last
//! fetch (or sync), as a table or as JSON Lines.

use std::io::{self, Write};

use chrono::SecondsFormat;
use serde_json::json;

use crate::store::Store;
use crate::text::width;

pub fn run(store: &Store, as_json: bool) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    for f in store.feeds()? {
        // A synced feed's identity is its account's; the address shown is the feed's own.
        let url = match &f.account {
            Some(_) => f.fetch_url.as_deref().unwrap_or(&f.url),
            None => &f.url,
        };
        if as_json {
            let v = json!({
                "url": url,
                "account": f.account,
                "title": f.title.as_deref().unwrap_or(""),
                "tags": f.tags,
                "articles": f.articles,
                "unread": f.unread,
                "last_fetched": f.last_fetched.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                "last_status": f.last_status,
                "last_error": f.last_error,
            });
            writeln!(out, "{v}")?;
        } else {
            let status = match (&f.last_status, &f.last_error) {
                (_, Some(err)) => format!("error: {err}"),
                (Some(s), None) => s.clone(),
                (None, None) => "never fetched".into(),
            };
            writeln!(
                out,
                "{:>5}/{:<5} {}  [{}]  {}  {status}",
                f.unread,
                f.articles,
                width::fit(f.display_title(), 30),
                f.tags.join(","),
                url
            )?;
        }
    }
    Ok(())
}
