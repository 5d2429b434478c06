//! Where the config and the cache live: XDG paths, which config file is in force (`--config`,
//! `$KHABAR_CONFIG`, the user's file, or the embedded default) and the notice for the last case.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;

/// Where the config came from, so the UI and CLI can tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    User(PathBuf),
    /// No file anywhere: running on the embedded default; `suggested` is where a user's file goes.
    Embedded {
        suggested: PathBuf,
    },
}

/// Standard locations, resolved once at startup.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// XDG paths (`~/.config/khabar`, `~/.local/share/khabar`), also on macOS.
    pub fn discover() -> Result<Paths, ConfigError> {
        use etcetera::app_strategy::{AppStrategy, AppStrategyArgs};
        let strategy = etcetera::choose_app_strategy(AppStrategyArgs {
            top_level_domain: "org".into(),
            author: "khabar".into(),
            app_name: "khabar".into(),
        })
        .map_err(|e| ConfigError::Io {
            file: "$HOME".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(Paths {
            config_dir: strategy.config_dir(),
            data_dir: strategy.data_dir(),
        })
    }

    pub fn default_config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn default_cache_file(&self) -> PathBuf {
        self.data_dir.join("cache.db")
    }
}

/// Picks the config file: `--config`, else `$KHABAR_CONFIG`, else the XDG file if it exists.
pub fn locate(explicit: Option<&Path>, env: Option<&Path>, paths: &Paths) -> ConfigSource {
    if let Some(p) = explicit.or(env) {
        return ConfigSource::User(p.to_path_buf());
    }
    let default = paths.default_config_file();
    if default.exists() {
        ConfigSource::User(default)
    } else {
        ConfigSource::Embedded { suggested: default }
    }
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::User(p) => write!(f, "{}", p.display()),
            ConfigSource::Embedded { .. } => write!(f, "the built-in default config"),
        }
    }
}

impl ConfigSource {
    /// The one-time notice shown when no user file exists.
    pub fn notice(&self) -> Option<String> {
        match self {
            ConfigSource::User(_) => None,
            ConfigSource::Embedded { suggested } => Some(format!(
                "no config file, so the built-in default is in use; yours goes in {} (or use --config or KHABAR_CONFIG)",
                suggested.display()
            )),
        }
    }
}
