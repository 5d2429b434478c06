//! Script and filter feeds: a program's stdout is the feed (for a filter, the fetched body is its
//! stdin). argv without a shell, the fetch's time limit and body cap, stderr and status as the error.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::fetch::FetchError;

/// The most of a program's stderr kept for its error message.
const MAX_STDERR: u64 = 4096;

/// Runs `argv` with `input` on its stdin (none: an empty stdin) and returns its stdout, at most
/// `max_body` bytes, within `timeout`; the program and anything it started are killed after it.
pub async fn run(
    argv: &[String],
    input: Option<Vec<u8>>,
    max_body: u64,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(error("", "the command is empty".into()));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Its own process group, so a timeout also stops what it started (`sh -c "curl …"`).
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .spawn()
        .map_err(|e| error(program, format!("cannot run it: {e}")))?;
    let group = child.id();
    let stdin = child.stdin.take();
    let feed_input = async move {
        if let (Some(mut stdin), Some(bytes)) = (stdin, input) {
            // A program that stops reading early is its own business: its output still counts.
            let _ = stdin.write_all(&bytes).await;
        }
    };
    let mut stdout = child.stdout.take();
    let read_output = async move {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            s.take(max_body + 1).read_to_end(&mut out).await.map(|_| out)
        } else {
            Ok(out)
        }
    };
    let mut stderr = child.stderr.take();
    let read_errors = async move {
        let mut err = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(MAX_STDERR).read_to_end(&mut err).await;
        }
        err
    };
    let work = async {
        let ((), out, err) = tokio::join!(feed_input, read_output, read_errors);
        let status = child.wait().await;
        (out, err, status)
    };
    let Ok((out, err, status)) = tokio::time::timeout(timeout, work).await else {
        kill_group(group);
        return Err(error(
            program,
            format!("no answer within {} s, stopped", timeout.as_secs()),
        ));
    };
    let out = out.map_err(|e| error(program, format!("cannot read its output: {e}")))?;
    if out.len() as u64 > max_body {
        kill_group(group);
        return Err(FetchError::TooLarge { limit: max_body });
    }
    let status = status.map_err(|e| error(program, e.to_string()))?;
    if !status.success() {
        let said = String::from_utf8_lossy(&err);
        let said = crate::text::sanitize::clean_line(said.trim());
        let said: String = said.chars().take(300).collect();
        let how = status
            .code()
            .map_or_else(|| "it was killed".to_string(), |c| format!("it exited with status {c}"));
        return Err(error(
            program,
            if said.is_empty() { how } else { format!("{how}: {said}") },
        ));
    }
    Ok(out)
}

fn error(program: &str, message: String) -> FetchError {
    FetchError::Program {
        program: program.to_string(),
        message,
    }
}

#[cfg(unix)]
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads; it
        // touches no memory of ours.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_: Option<u32>) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(ToString::to_string).collect()
    }

    #[tokio::test]
    async fn output_input_errors_and_limits() {
        let second = Duration::from_secs(5);
        let out = run(&argv(&["printf", "<rss/>"]), None, 100, second).await.unwrap();
        assert_eq!(out, b"<rss/>");
        let out = run(&argv(&["tr", "a-z", "A-Z"]), Some(b"abc".to_vec()), 100, second)
            .await
            .unwrap();
        assert_eq!(out, b"ABC");
        let e = run(&argv(&["sh", "-c", "echo bad token >&2; exit 3"]), None, 100, second)
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(e, "sh: it exited with status 3: bad token");
        let e = run(&argv(&["head", "-c", "1000", "/dev/zero"]), None, 100, second)
            .await
            .unwrap_err();
        assert_eq!(e, FetchError::TooLarge { limit: 100 });
        let e = run(&argv(&["sleep", "30"]), None, 100, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no answer within"), "{e}");
        let e = run(&argv(&["/no/such/program"]), None, 100, second).await.unwrap_err();
        assert!(e.to_string().starts_with("/no/such/program: cannot run it"), "{e}");
    }
}
