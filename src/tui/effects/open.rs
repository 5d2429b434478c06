//! Handing a link to its program (an opener, the browser): only http(s), an argv, never a shell;
//! the child is reaped off the UI thread.

use std::process::{Command as Process, Stdio};

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
