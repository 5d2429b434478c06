//! A secret (an account's or a feed's password, a header's token) from where the config says: a
//! program run without a shell, an environment variable, or the config. Errors never show the value.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::SecretSource;

/// Why a secret could not be read: names its source, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SecretError(pub String);

/// How long a `password_command` may take (a password manager may ask for a passphrase).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads the secret (blocking: call it off the async workers). `key` names the setting in errors.
pub fn read(source: &SecretSource, key: &str) -> Result<String, SecretError> {
    match source {
        SecretSource::Plain(p) => Ok(p.clone()),
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(v),
            _ => Err(SecretError(format!("the environment variable {var} is not set"))),
        },
        SecretSource::Command(argv) => run(argv, key),
    }
}

fn run(argv: &[String], key: &str) -> Result<String, SecretError> {
    let shown = argv.join(" ");
    let fail = |why: String| SecretError(format!("{key} `{shown}`: {why}"));
    let (program, args) = argv.split_first().ok_or_else(|| fail("no program".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot run it: {e}")))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!("no answer within {} s", COMMAND_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_string(&mut out)
            .map_err(|_| fail("its output is not text".into()))?;
    }
    if !status.success() {
        return Err(fail(format!("it failed ({status})")));
    }
    // `pass` prints the password on the first line, notes after it.
    match out.lines().next().map(str::trim_end) {
        Some(first) if !first.is_empty() => Ok(first.to_string()),
        _ => Err(fail("it printed nothing".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_password(source: &SecretSource) -> Result<String, SecretError> {
        read(source, "password_command")
    }

    #[test]
    fn a_command_gives_its_first_line_and_failures_never_show_output() {
        let cmd = |argv: &[&str]| SecretSource::Command(argv.iter().map(ToString::to_string).collect());
        assert_eq!(read_password(&cmd(&["printf", "s3cret\\nnotes"])).unwrap(), "s3cret");
        // What the program printed never shows in the error (here the secret is not in argv).
        std::env::set_var("KHABAR_TEST_SECRET_PRINTED", "s3cret");
        let err = read_password(&cmd(&["sh", "-c", "echo $KHABAR_TEST_SECRET_PRINTED; exit 3"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("it failed") && !err.contains("s3cret"), "{err}");
        let err = read_password(&cmd(&["/no/such/program"])).unwrap_err().to_string();
        assert!(err.contains("cannot run it"), "{err}");
        // Arguments are arguments: nothing is run through a shell.
        assert_eq!(
            read_password(&cmd(&["echo", "$(id)", ";", "`id`"])).unwrap(),
            "$(id) ; `id`"
        );
        let err = read_password(&SecretSource::Env("KHABAR_TEST_NO_SUCH_VARIABLE".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the environment variable KHABAR_TEST_NO_SUCH_VARIABLE is not set"
        );
    }
}
