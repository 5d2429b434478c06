//! What the user sends out of the reader: an article to the pipe program (`|`), a `[[share]]`
//! target (argv with its address and title, its text on stdin, never a shell), or a file.

use std::io::Write;

use super::super::state::{Msg, Notice};
use super::cache::{ArticleAnswer, StoreJob};
use super::{background, Effects};
use crate::config::PipeFormat;
use crate::model::{Article, ArticleId};

impl Effects {
    /// The article, from the cache worker, then `then` with it off the runtime; its result is
    /// said in the status bar.
    fn with_article(
        &self,
        id: ArticleId,
        what: String,
        then: impl FnOnce(Article) -> Result<String, String> + Send + 'static,
    ) {
        let (answer, article) = tokio::sync::oneshot::channel::<ArticleAnswer>();
        self.job(StoreJob::ArticleFor(id, answer));
        let msgs = self.msgs.clone();
        background().spawn(async move {
            let said = match article.await {
                Ok(Ok(Some(article))) => tokio::task::spawn_blocking(move || then(article))
                    .await
                    .unwrap_or_else(|e| Err(format!("task failed: {e}"))),
                Ok(Ok(None)) | Err(_) => return,
                Ok(Err(e)) => Err(format!("cache error: {e}")),
            };
            let notice = match said {
                Ok(text) => Notice { text, error: false },
                Err(e) => Notice {
                    text: format!("{what}: {e}"),
                    error: true,
                },
            };
            let _ = msgs.send(Msg::Notice(notice));
        });
    }

    /// `g s`: the `[[share]]` target named `target` gets the article.
    pub(super) fn share(&self, id: ArticleId, target: String) {
        let config = self.config();
        let Some(share) = config.shares.iter().find(|s| s.name == target).cloned() else {
            return self.notice(format!("no [[share]] named {target:?}"), true);
        };
        let limit = config.general.hook_timeout.0;
        self.with_article(id, format!("share with {target}"), move |a| {
            let s = &a.summary;
            let argv = share.argv(s.link.as_deref().unwrap_or(""), s.shown_title(), &s.feed_title);
            let text = crate::hooks::body_text(&a);
            crate::hooks::run_with_input(&argv, text.as_bytes(), limit)?;
            Ok(format!("shared with {target}"))
        });
    }

    /// `:save-article PATH`: Markdown for a `.md` or `.markdown` path, else text; never over a
    /// file that is there.
    pub(super) fn save_article(&self, id: ArticleId, path: String) {
        let path = crate::config::expand_tilde(&path);
        let shown = path.display().to_string();
        self.with_article(id, format!("save-article {shown}"), move |a| {
            let markdown = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
            let format = if markdown {
                PipeFormat::Markdown
            } else {
                PipeFormat::Text
            };
            let bytes = crate::hooks::pipe_input(&a, format);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => "a file is there already".to_string(),
                    _ => e.to_string(),
                })?;
            file.write_all(&bytes).map_err(|e| e.to_string())?;
            Ok(format!("saved the article to {shown}"))
        });
    }

    /// The article to the pipe program (`|`, `:pipe CMD`), run by `open::Pipe`.
    pub(super) fn pipe(&self, id: crate::model::ArticleId, argv: Option<Vec<String>>) {
        let config = self.config();
        match argv.or_else(|| config.general.pipe_command.clone()) {
            Some(argv) => {
                let (answer, article) = tokio::sync::oneshot::channel();
                self.job(StoreJob::ArticleFor(id, answer));
                let general = &config.general;
                let run = super::open::Pipe {
                    argv,
                    format: general.pipe_format,
                    show: general.pipe_output,
                    limit: general.hook_timeout.0,
                };
                background().spawn(run.run(id, article, self.msgs.clone()));
            }
            None => self.notice(
                "no pipe_command in [general]: set one, or name a program with :pipe CMD".into(),
                true,
            ),
        }
    }
}
