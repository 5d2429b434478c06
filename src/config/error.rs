//! What a config mistake looks like: `ConfigError` (file, line, column, message), and the
//! positions of values that other layers validate later (the reader's `[keys]` and `[theme]`).

use std::ops::Range;

/// A config that could not be used. Always names the file and, where known, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// An edit of the file that cannot be made (no such feed, a file that is not a config).
    #[error("{file}: {message}")]
    Edit { file: String, message: String },
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// Where a value was written: the config file's name as shown in errors, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` of `text`, read from `file`.
    pub fn in_text(file: &str, text: &str, offset: usize) -> Position {
        let (line, column) = line_col(text, offset);
        Position {
            file: file.to_string(),
            line,
            column,
        }
    }

    /// An error about the value written here.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// A value from the config with where it was written, for errors found by the layer that
/// understands it (the reader validates key names and colours; the config only carries them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub at: Position,
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Span of the first `key =` in the text, for errors found after deserialising.
pub(super) fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let start = offset + (line.len() - trimmed.len());
                return Some(start..start + key.len());
            }
        }
        offset += line.len();
    }
    None
}
