//! More edits of the user's config for importers: program feeds, settings set only where the
//! file has none, `[[filter]]`s and `[[query]]`s added once; comments kept as `ConfigEdit` keeps them.

use super::edit::edit_error;
use super::feeds::command_identity;
use super::{ConfigEdit, ConfigError};

/// A value for `set_if_absent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    Text(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
}

impl SettingValue {
    fn to_toml(&self) -> toml_edit::Value {
        match self {
            SettingValue::Text(t) => t.as_str().into(),
            SettingValue::Int(n) => (*n).into(),
            SettingValue::Bool(b) => (*b).into(),
            SettingValue::List(l) => l.iter().collect::<toml_edit::Array>().into(),
        }
    }
}

/// A `[[feed]]` to add: a URL (maybe with a filter program) or a program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFeed {
    pub url: Option<String>,
    pub command: Option<Vec<String>>,
    pub filter: Option<Vec<String>>,
    pub title: Option<String>,
    pub tags: Vec<String>,
}

impl NewFeed {
    /// Its identity in the cache (`FeedConfig::url`).
    pub fn identity(&self) -> String {
        match (&self.url, &self.command) {
            (Some(url), _) => url.clone(),
            (None, Some(argv)) => command_identity(argv),
            (None, None) => String::new(),
        }
    }
}

impl ConfigEdit {
    /// Appends a `[[feed]]` table for `feed`.
    pub fn add_new_feed(&mut self, feed: &NewFeed) -> Result<(), ConfigError> {
        let mut table = toml_edit::Table::new();
        let list = |words: &[String]| toml_edit::value(words.iter().collect::<toml_edit::Array>());
        if let Some(url) = &feed.url {
            table.insert("url", toml_edit::value(url));
        }
        if let Some(command) = &feed.command {
            table.insert("command", list(command));
        }
        if let Some(filter) = &feed.filter {
            table.insert("filter", list(filter));
        }
        if let Some(t) = &feed.title {
            table.insert("title", toml_edit::value(t));
        }
        if !feed.tags.is_empty() {
            table.insert("tags", list(&feed.tags));
        }
        self.tables_mut()?.push(table);
        Ok(())
    }

    /// Sets `[table] key = value` unless the file sets that key already (what the user wrote, or
    /// an earlier import, stays). True when it was set.
    pub fn set_if_absent(&mut self, table: &str, key: &str, value: &SettingValue) -> Result<bool, ConfigError> {
        let shown = self.target.display().to_string();
        let section = self
            .doc
            .entry(table)
            .or_insert_with(|| {
                let mut t = toml_edit::Table::new();
                t.set_implicit(false);
                t.into()
            })
            .as_table_mut()
            .ok_or_else(|| edit_error(&shown, format!("`{table}` in the config is not a table")))?;
        if section.contains_key(key) {
            return Ok(false);
        }
        section.insert(key, toml_edit::value(value.to_toml()));
        Ok(true)
    }

    /// Appends a `[[filter]]` unless one with the same query and action exists. True when added.
    pub fn add_filter_once(&mut self, query: &str, action: &str, feeds: &[String]) -> Result<bool, ConfigError> {
        let tables = self.array_of_tables_mut("filter")?;
        let same = |t: &toml_edit::Table, key: &str, want: &str| t.get(key).and_then(|v| v.as_str()) == Some(want);
        if tables
            .iter()
            .any(|t| same(t, "query", query) && same(t, "action", action))
        {
            return Ok(false);
        }
        let mut table = toml_edit::Table::new();
        table.insert("query", toml_edit::value(query));
        table.insert("action", toml_edit::value(action));
        if !feeds.is_empty() {
            table.insert("feeds", toml_edit::value(feeds.iter().collect::<toml_edit::Array>()));
        }
        tables.push(table);
        Ok(true)
    }

    /// Whether a `[[query]]` with this name exists.
    pub fn has_query(&self, name: &str) -> bool {
        self.doc
            .get("query")
            .and_then(|q| q.as_array_of_tables())
            .is_some_and(|t| t.iter().any(|q| q.get("name").and_then(|n| n.as_str()) == Some(name)))
    }
}
