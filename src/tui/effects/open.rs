//! Handing a link to the browser: only http(s), the configured program's words as argv plus the
//! URL as one more argument, never a shell; the child is reaped off the UI thread.

use std::process::{Command as Process, Stdio};

/// Opens an http(s) URL with the configured browser (its words as program and arguments, the
/// URL as one more argument) or the system opener. Never through a shell.
pub fn open_url(browser: Option<&str>, url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https links are opened".into());
    }
    let mut words: Vec<String> = match browser {
        Some(b) => b.split_whitespace().map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None => vec!["xdg-open".into()],
    };
    if words.is_empty() {
        return Err("the browser setting is empty".into());
    }
    let program = words.remove(0);
    let mut child = Process::new(&program)
        .args(&words)
        .arg(parsed.as_str())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // Reap it when it exits, without blocking the UI.
    std::thread::spawn(move || child.wait());
    Ok(())
}
