//! `khabar filter`: what the config's `[[filter]]`s match in the cache as it is (`--dry-run`,
//! the default), or applying them to it (`--apply`), with counts per filter.

use std::io::{self, BufWriter, Write};

use serde_json::json;

use crate::config::Config;
use crate::store::Store;

use super::list::{article_json, finish, write_article};

/// Articles listed per filter in a dry run.
const SAMPLE: usize = 20;

pub fn run(store: &mut Store, config: &Config, apply: bool, json: bool) -> anyhow::Result<()> {
    let rules = &config.filters;
    if rules.is_empty() {
        anyhow::bail!(
            "no [[filter]] in {}: docs/queries.md shows how to write one",
            config.source
        );
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if apply {
        let applied = store.apply_filters(rules)?;
        let mut total = 0;
        for a in &applied {
            let rule = &rules[a.rule];
            total += a.ids.len();
            let line = if json {
                json!({"filter": a.rule + 1, "query": rule.query.text, "action": rule.action.name(),
                       "changed": a.ids.len(), "ids": a.ids.iter().map(|i| i.0).collect::<Vec<_>>()})
                .to_string()
            } else {
                format!(
                    "filter {} ({}): {} {}",
                    a.rule + 1,
                    rule.label(),
                    a.ids.len(),
                    rule.action.done()
                )
            };
            writeln!(out, "{line}")?;
        }
        if !json {
            writeln!(
                out,
                "{total} changes (in the reader, `:filter apply` does the same and u undoes it)"
            )?;
        }
        return finish(out);
    }
    for m in store.filter_matches(rules, SAMPLE)? {
        let rule = &rules[m.rule];
        if json {
            let sample: Vec<_> = m.sample.iter().map(article_json).collect();
            let line = json!({"filter": m.rule + 1, "query": rule.query.text, "action": rule.action.name(),
                              "would_change": m.count, "sample": sample});
            writeln!(out, "{line}")?;
            continue;
        }
        writeln!(
            out,
            "filter {} ({}): {} would be {}{}",
            m.rule + 1,
            rule.label(),
            m.count,
            rule.action.done(),
            if m.count > m.sample.len() {
                format!(", the newest {}:", m.sample.len())
            } else if m.count > 0 {
                ":".into()
            } else {
                String::new()
            }
        )?;
        for a in &m.sample {
            write_article(&mut out, a, false)?;
        }
    }
    finish(out)
}
