//! `[[account]]` tables: the sync servers (GReader, Fever, TT-RSS, Nextcloud, Miniflux) and where
//! each one's secret comes from. The secret is never read here, and never printed by anything.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::error::{ConfigError, Position};

/// A sync account as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Names the account in the sidebar, `feeds --json` and `sync`'s report; the cache keys its
    /// feeds and articles by it.
    pub name: String,
    pub kind: AccountKind,
    /// The API's address: GReader's base (`…/api/greader.php`, a Miniflux root) or Fever's
    /// endpoint (`…/fever/`).
    pub url: Url,
    pub username: String,
    pub secret: SecretSource,
    /// How often the reader syncs it by itself; `None`: the general refresh interval.
    pub sync_interval: Option<std::time::Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// The Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux).
    GReader,
    Fever,
    /// Tiny Tiny RSS's JSON API (`…/api/`).
    TtRss,
    /// Nextcloud News' REST API v1.3 (the Nextcloud root).
    Nextcloud,
    /// Miniflux's own REST API v1 (the Miniflux root).
    Miniflux,
}

impl AccountKind {
    pub fn name(self) -> &'static str {
        match self {
            AccountKind::GReader => "greader",
            AccountKind::Fever => "fever",
            AccountKind::TtRss => "ttrss",
            AccountKind::Nextcloud => "nextcloud",
            AccountKind::Miniflux => "miniflux",
        }
    }
}

/// Where the password comes from, read at sync time only.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A program's first line of output (`["pass", "show", "rss"]`), run without a shell.
    Command(Vec<String>),
    /// An environment variable's value.
    Env(String),
    /// Written in the config (accepted; a warning when others can read the file).
    Plain(String),
}

/// Never shows a plain password (a `{:?}` in a log or a panic message must not leak it).
impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Command(argv) => f.debug_tuple("Command").field(argv).finish(),
            SecretSource::Env(var) => f.debug_tuple("Env").field(var).finish(),
            SecretSource::Plain(_) => f.write_str("Plain(<hidden>)"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    name: Option<Spanned<String>>,
    kind: Spanned<String>,
    url: Spanned<String>,
    username: String,
    password_command: Option<Spanned<Vec<String>>>,
    password_env: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    sync_interval: Option<super::values::HumanDuration>,
}

/// Checks the `[[account]]` tables; `file_path` (the user's file, if any) is looked at for a
/// plain password: a warning is returned when others may read it.
pub(super) fn accounts(
    raw: Vec<RawAccount>,
    file: &str,
    text: &str,
    file_path: Option<&Path>,
) -> Result<(Vec<Account>, Vec<String>), ConfigError> {
    let mut out: Vec<Account> = Vec::with_capacity(raw.len());
    let mut warnings = Vec::new();
    for (i, a) in raw.into_iter().enumerate() {
        let at = |offset: usize| Position::in_text(file, text, offset);
        let what = format!("account {}", i + 1);
        let kind = match a.kind.get_ref().as_str() {
            "greader" => AccountKind::GReader,
            "fever" => AccountKind::Fever,
            "ttrss" => AccountKind::TtRss,
            "nextcloud" => AccountKind::Nextcloud,
            "miniflux" => AccountKind::Miniflux,
            other => {
                return Err(at(a.kind.span().start).error(format!(
                    "{what}: unknown kind {other:?}, use \"greader\" (FreshRSS, Inoreader, The Old Reader, BazQux), \"fever\", \"ttrss\", \"nextcloud\" or \"miniflux\""
                )))
            }
        };
        let url_at = a.url.span().start;
        let url = Url::parse(a.url.get_ref().trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| at(url_at).error(format!("{what}: url {:?} is not an http(s) address", a.url.get_ref())))?;
        let name = match a.name {
            Some(n) => {
                let trimmed = n.get_ref().trim().to_string();
                if trimmed.is_empty() || trimmed.chars().any(|c| c.is_control() || c == ':') {
                    return Err(at(n.span().start).error(format!("{what}: a name must be non-empty text without ':'")));
                }
                trimmed
            }
            None => url.host_str().unwrap_or("account").to_string(),
        };
        if out.iter().any(|o| o.name == name) {
            return Err(at(url_at).error(format!(
                "{what}: another account is already called {name:?}; give this one a `name`"
            )));
        }
        let secret = match (a.password_command, a.password_env, a.password) {
            (Some(argv), None, None) => {
                let span = argv.span();
                let argv = argv.into_inner();
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    return Err(at(span.start).error(format!("{what}: password_command needs a program")));
                }
                SecretSource::Command(super::values::expand_program(&argv))
            }
            (None, Some(var), None) => SecretSource::Env(var.into_inner()),
            (None, None, Some(plain)) => {
                if let Some(path) = file_path.filter(|p| readable_by_others(p)) {
                    warnings.push(format!(
                        "{}: {what} has its password in a file others can read: `chmod 600 {}`, or use password_command",
                        path.display(),
                        path.display()
                    ));
                }
                SecretSource::Plain(plain.into_inner())
            }
            _ => {
                return Err(at(url_at).error(format!(
                    "{what}: give exactly one of password_command = [\"pass\", \"show\", \"rss\"], password_env = \"VAR\" or password"
                )))
            }
        };
        out.push(Account {
            name,
            kind,
            url,
            username: a.username,
            secret,
            sync_interval: a.sync_interval.map(|d| d.0),
        });
    }
    Ok((out, warnings))
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Config, ConfigSource};
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "c.toml", Path::new("/"), ConfigSource::User("c.toml".into()))
    }

    #[test]
    fn accounts_parse_with_their_secret_source() {
        let c = parse(
            "[[account]]\nkind = \"greader\"\nurl = \"https://rss.example.org/api/greader.php\"\nusername = \"me\"\n\
             password_command = [\"pass\", \"show\", \"rss\"]\n\
             [[account]]\nname = \"cold\"\nkind = \"fever\"\nurl = \"http://127.0.0.1:8/fever/\"\nusername = \"u\"\npassword_env = \"FEVER_PW\"\n",
        )
        .unwrap();
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.accounts[0].name, "rss.example.org");
        assert_eq!(c.accounts[0].kind, AccountKind::GReader);
        assert_eq!(
            c.accounts[0].secret,
            SecretSource::Command(vec!["pass".into(), "show".into(), "rss".into()])
        );
        assert_eq!(c.accounts[1].name, "cold");
        assert_eq!(c.accounts[1].secret, SecretSource::Env("FEVER_PW".into()));
    }

    #[test]
    fn a_plain_password_never_shows_in_debug_output() {
        let c = parse(
            "[[account]]\nkind = \"fever\"\nurl = \"http://h/fever/\"\nusername = \"u\"\npassword = \"hunter2\"\n",
        )
        .unwrap();
        assert!(!format!("{:?}", c.accounts).contains("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn mistakes_name_the_file_line_and_column() {
        let err = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            err("[[account]]\nkind = \"tt-rss\"\nurl = \"http://h/\"\nusername = \"u\"\npassword_env = \"P\"\n"),
            "c.toml:2:8: account 1: unknown kind \"tt-rss\", use \"greader\" (FreshRSS, Inoreader, The Old Reader, BazQux), \"fever\", \"ttrss\", \"nextcloud\" or \"miniflux\""
        );
        assert_eq!(
            err("[[account]]\nkind = \"fever\"\nurl = \"ftp://h/\"\nusername = \"u\"\npassword_env = \"P\"\n"),
            "c.toml:3:7: account 1: url \"ftp://h/\" is not an http(s) address"
        );
        assert!(
            err("[[account]]\nkind = \"fever\"\nurl = \"http://h/\"\nusername = \"u\"\n")
                .contains("give exactly one of password_command")
        );
        assert!(err(
            "[[account]]\nkind = \"fever\"\nurl = \"http://h/\"\nusername = \"u\"\npassword_env = \"P\"\npassword = \"x\"\n"
        )
        .contains("give exactly one of"));
        assert!(err(
            "[[account]]\nkind = \"fever\"\nurl = \"http://h/a\"\nusername = \"u\"\npassword_env = \"P\"\n\
             [[account]]\nkind = \"fever\"\nurl = \"http://h/b\"\nusername = \"u\"\npassword_env = \"P\"\n"
        )
        .contains("another account is already called \"h\""));
        assert!(
            err("[[account]]\nkind = \"fever\"\nurl = \"http://h/\"\nusername = \"u\"\npassword_command = []\n")
                .contains("password_command needs a program")
        );
    }
}
