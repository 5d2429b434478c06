//! The Google Reader API's writes: subscribing, unsubscribing and `edit-tag`, each accepted only
//! when the server says so, and the batched pushes built on them.

use super::greader::{GReader, BATCH, READ, STARRED};
use serde::Deserialize;

use super::http::{json, SyncError};

impl GReader<'_> {
    /// Subscribes to a feed (`quickadd`), into `folder` when given.
    pub async fn subscribe(&mut self, url: &str, folder: Option<&str>) -> Result<(), SyncError> {
        #[derive(Deserialize)]
        struct Added {
            #[serde(rename = "streamId")]
            stream_id: Option<String>,
            error: Option<String>,
        }
        let what = "subscription/quickadd";
        let reply = self
            .post(what, "subscription/quickadd", &[("quickadd", url.to_string())])
            .await?;
        let added: Added = json(what, &reply)?;
        let stream = match (added.stream_id, added.error) {
            (Some(s), _) if !s.is_empty() => s,
            (_, error) => {
                return Err(SyncError::Unsupported(format!(
                    "the server would not subscribe to {url}: {}",
                    error.unwrap_or_else(|| "no feed found there".into())
                )))
            }
        };
        if let Some(folder) = folder {
            let form = [
                ("ac", "edit".to_string()),
                ("s", stream),
                ("a", format!("user/-/label/{folder}")),
            ];
            self.post("subscription/edit", "subscription/edit", &form).await?;
        }
        Ok(())
    }

    /// Unsubscribes from a feed by its server id (`feed/…`).
    pub async fn unsubscribe(&mut self, stream: &str) -> Result<(), SyncError> {
        let form = [("ac", "unsubscribe".to_string()), ("s", stream.to_string())];
        self.post("subscription/edit", "subscription/edit", &form).await?;
        Ok(())
    }

    /// Adds (`add`) or removes a state tag on items, in batches; idempotent.
    pub async fn edit_tag(&mut self, ids: &[i64], tag: &str, add: bool) -> Result<(), SyncError> {
        for batch in ids.chunks(BATCH) {
            let mut form: Vec<(&str, String)> = batch.iter().map(|id| ("i", id.to_string())).collect();
            form.push((if add { "a" } else { "r" }, tag.to_string()));
            let reply = self.post("edit-tag", "edit-tag", &form).await?;
            // Only `OK` is an acceptance. A 200 with a login or error page (a proxy, a
            // maintenance page) accepted nothing: the changes stay pending.
            if String::from_utf8_lossy(&reply.body).trim() != "OK" {
                return Err(SyncError::Malformed {
                    what: "edit-tag".into(),
                    message: format!(
                        "the server did not answer OK ({}); the changes wait for the next sync",
                        excerpt(&reply.body)
                    ),
                });
            }
        }
        Ok(())
    }
}

/// The start of an answer, for an error message: one line, at most 60 characters.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(60)
        .collect();
    if line.is_empty() {
        "an empty answer".into()
    } else {
        format!("{line:?}")
    }
}

impl super::push::BatchPush for GReader<'_> {
    const BATCH: usize = BATCH;
    async fn push(&mut self, flag: crate::model::Flag, value: bool, ids: &[i64]) -> Result<(), SyncError> {
        let tag = match flag {
            crate::model::Flag::Read => READ,
            crate::model::Flag::Starred => STARRED,
            crate::model::Flag::Hidden => return Ok(()),
        };
        self.edit_tag(ids, tag, value).await
    }
}
