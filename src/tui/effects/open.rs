//! Handing things to the user's programs: a link to its opener or the browser (only http(s)),
//! an article to the pipe program; an argv, never a shell, children reaped off the UI thread.

use std::process::{Command as Process, Stdio};

use super::cache::ArticleAnswer;

/// Starts `argv` (program and arguments, the URL among them) for an http(s) URL, detached
/// from the terminal: never through a shell; the child is reaped off the UI thread.
pub fn open_url(argv: &[String], url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https links are opened".into());
    }
    let Some((program, args)) = argv.split_first() else {
        return Err("the opener's command is empty".into());
    };
    let mut child = Process::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // Reap it when it exits, without blocking the UI.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The pipe program (`|`, `:pipe CMD`) and how it is run.
pub(super) struct Pipe {
    pub argv: Vec<String>,
    pub format: crate::config::PipeFormat,
    /// Its output shown in the article pane (`pipe_output`).
    pub show: bool,
    pub limit: std::time::Duration,
}

impl Pipe {
    /// Waits for the cache worker's copy of the article, runs the program on it (off the
    /// runtime) and answers `Msg::Piped`.
    pub(super) async fn run(
        self,
        id: crate::model::ArticleId,
        article: tokio::sync::oneshot::Receiver<ArticleAnswer>,
        msgs: tokio::sync::mpsc::UnboundedSender<super::super::state::Msg>,
    ) {
        use super::super::state::{Msg, Notice};
        let article = match article.await {
            Ok(Ok(Some(article))) => article,
            // Gone from the cache, or the worker stopped (it says so itself).
            Ok(Ok(None)) | Err(_) => return,
            Ok(Err(e)) => {
                let _ = msgs.send(Msg::Notice(Notice {
                    text: format!("pipe: cache error: {e}"),
                    error: true,
                }));
                return;
            }
        };
        let program = self.argv.first().cloned().unwrap_or_default();
        let result = tokio::task::spawn_blocking(move || {
            let input = crate::hooks::pipe_input(&article, self.format);
            crate::hooks::run_capturing(&self.argv, &input, self.limit).map(|out| {
                if self.show {
                    crate::text::sanitize::clean_body(&out)
                } else {
                    String::new()
                }
            })
        })
        .await
        .unwrap_or_else(|e| Err(format!("the program's task failed: {e}")));
        let _ = msgs.send(Msg::Piped { id, program, result });
    }
}
