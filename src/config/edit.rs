//! Editing the user's config file in place: add, remove or retitle a `[[feed]]` keeping every
//! comment (toml_edit); the result is validated, then replaces the file atomically.

use std::path::{Path, PathBuf};

use super::{Config, ConfigError, ConfigSource};

/// The user's config file open for editing.
pub struct ConfigEdit {
    pub(super) target: PathBuf,
    source: ConfigSource,
    pub(super) doc: toml_edit::DocumentMut,
    /// The config as it was, validated: edits never start from a broken file.
    pub before: Config,
    /// The file does not exist yet: it is written with `NEW_FILE_HEADER` first.
    new_file: bool,
}

/// The first line of a config file khabar creates (as a document comment toml_edit would write
/// it after the tables, so it is put before them when saving).
const NEW_FILE_HEADER: &str = "# khabar configuration (config.example.toml in khabar's source lists every key).\n\n";

/// A `[[feed]]` table as it stood in the file, to put back on undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedFeed {
    pub url: String,
    /// Its place among the `[[feed]]` tables.
    pub index: usize,
    /// The table's TOML, comments and all.
    pub toml: String,
}

impl ConfigEdit {
    /// Opens the config in force for editing (the embedded default's edits go to the file the
    /// user's config belongs in, created with a header).
    pub fn open(source: &ConfigSource) -> Result<ConfigEdit, ConfigError> {
        let target = match source {
            ConfigSource::User(p) => p.clone(),
            ConfigSource::Embedded { suggested } => suggested.clone(),
        };
        let shown = target.display().to_string();
        let (original, new_file) = match std::fs::read_to_string(&target) {
            Ok(t) => (t, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
            Err(e) => return Err(ConfigError::Io { file: shown, source: e }),
        };
        // Refuse to edit a config that is already broken: the user would not see which error is ours.
        let before = Config::parse(&original, &shown, &base_dir(&target), source.clone())?;
        let doc = original
            .parse()
            .map_err(|e: toml_edit::TomlError| edit_error(&shown, e.to_string()))?;
        Ok(ConfigEdit {
            target,
            source: source.clone(),
            doc,
            before,
            new_file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Folder that relative feed paths resolve against.
    pub fn base_dir(&self) -> PathBuf {
        base_dir(&self.target)
    }

    /// Whether a feed with this identity (a URL as written, or `exec:` and a program's words) is
    /// configured.
    pub fn has_feed(&self, url: &str) -> bool {
        self.tables()
            .is_some_and(|t| t.iter().any(|f| table_url(f).as_deref() == Some(url)))
    }

    /// Appends a `[[feed]]` table.
    pub fn add_feed(&mut self, url: &str, title: Option<&str>, tags: &[String]) -> Result<(), ConfigError> {
        let mut table = toml_edit::Table::new();
        table.insert("url", toml_edit::value(url));
        if let Some(t) = title {
            table.insert("title", toml_edit::value(t));
        }
        if !tags.is_empty() {
            table.insert("tags", toml_edit::value(tags.iter().collect::<toml_edit::Array>()));
        }
        self.tables_mut()?.push(table);
        Ok(())
    }

    /// Appends a `[[query]]` table (a saved query). The name must be new.
    pub fn add_query(&mut self, name: &str, query: &str) -> Result<(), ConfigError> {
        let shown = self.target.display().to_string();
        let tables = self.array_of_tables_mut("query")?;
        if tables
            .iter()
            .any(|t| t.get("name").and_then(|n| n.as_str()) == Some(name))
        {
            return Err(edit_error(&shown, format!("a query named {name:?} exists already")));
        }
        let mut table = toml_edit::Table::new();
        table.insert("name", toml_edit::value(name));
        table.insert("query", toml_edit::value(query));
        tables.push(table);
        Ok(())
    }

    /// Removes the feed with this URL; returns its table for undo.
    pub fn remove_feed(&mut self, url: &str) -> Result<RemovedFeed, ConfigError> {
        let shown = self.target.display().to_string();
        let tables = self.tables_mut()?;
        let index = (0..tables.len())
            .find(|&i| tables.get(i).and_then(table_url).as_deref() == Some(url))
            .ok_or_else(|| edit_error(&shown, format!("no [[feed]] with url {url:?}")))?;
        let mut one = toml_edit::DocumentMut::new();
        let mut single = toml_edit::ArrayOfTables::new();
        single.push(tables.get(index).cloned().unwrap_or_default());
        one.insert("feed", toml_edit::Item::ArrayOfTables(single));
        tables.remove(index);
        Ok(RemovedFeed {
            url: url.to_string(),
            index,
            toml: one.to_string(),
        })
    }

    /// Puts a removed feed back where it was (or last, if the file changed meanwhile).
    pub fn restore_feed(&mut self, removed: &RemovedFeed) -> Result<(), ConfigError> {
        let shown = self.target.display().to_string();
        let doc: toml_edit::DocumentMut = removed
            .toml
            .parse()
            .map_err(|e: toml_edit::TomlError| edit_error(&shown, e.to_string()))?;
        let table = doc
            .get("feed")
            .and_then(|f| f.as_array_of_tables())
            .and_then(|t| t.get(0))
            .cloned()
            .ok_or_else(|| edit_error(&shown, "the removed feed's text is not a [[feed]] table".into()))?;
        // Positions came from the one-table document it was kept in: toml_edit would write it at
        // the top of the file. Without one, a table is written after the table before it.
        let mut table = table;
        forget_positions(&mut table);
        let tables = self.tables_mut()?;
        // ArrayOfTables has no insert: rebuild it with the table in its old place.
        let mut rebuilt = toml_edit::ArrayOfTables::new();
        let at = removed.index.min(tables.len());
        for (i, t) in tables.iter().enumerate() {
            if i == at {
                rebuilt.push(table.clone());
            }
            rebuilt.push(t.clone());
        }
        if at == tables.len() {
            rebuilt.push(table);
        }
        *tables = rebuilt;
        Ok(())
    }

    /// Sets (or with None, removes) the title of the feed with this URL.
    pub fn set_title(&mut self, url: &str, title: Option<&str>) -> Result<(), ConfigError> {
        let shown = self.target.display().to_string();
        let tables = self.tables_mut()?;
        let table = tables
            .iter_mut()
            .find(|t| table_url(t).as_deref() == Some(url))
            .ok_or_else(|| edit_error(&shown, format!("no [[feed]] with url {url:?}")))?;
        match title {
            Some(t) => {
                table.insert("title", toml_edit::value(t));
            }
            None => {
                table.remove("title");
            }
        }
        Ok(())
    }

    /// Gives the feed at `from` the address `to` in place: its title, tags, other keys and
    /// comments stay (`khabar move`).
    pub fn set_url(&mut self, from: &str, to: &str) -> Result<(), ConfigError> {
        let shown = self.target.display().to_string();
        if self.has_feed(to) {
            return Err(edit_error(&shown, format!("{to} is already a [[feed]]")));
        }
        let tables = self.tables_mut()?;
        let table = tables
            .iter_mut()
            .find(|t| table_url(t).as_deref() == Some(from))
            .ok_or_else(|| edit_error(&shown, format!("no [[feed]] with url {from:?}")))?;
        let decor = table.get("url").and_then(|u| u.as_value()).map(|v| v.decor().clone());
        let mut value = toml_edit::Value::from(to);
        if let Some(d) = decor {
            *value.decor_mut() = d;
        }
        table.insert("url", toml_edit::Item::Value(value));
        Ok(())
    }

    /// Validates the edited text and writes it in place of the file (a rename: a reader of the
    /// file sees the old or the new text, never half). Returns the new config.
    pub fn save(self) -> Result<Config, ConfigError> {
        let shown = self.target.display().to_string();
        let mut text = self.doc.to_string();
        if self.new_file {
            text.insert_str(0, NEW_FILE_HEADER);
        }
        let config = Config::parse(&text, &shown, &base_dir(&self.target), self.source.clone())?;
        let io = |e| ConfigError::Io {
            file: shown.clone(),
            source: e,
        };
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.target.with_extension("toml.khabar-edit");
        std::fs::write(&tmp, &text).map_err(io)?;
        std::fs::rename(&tmp, &self.target).map_err(io)?;
        Ok(config)
    }

    pub(super) fn tables(&self) -> Option<&toml_edit::ArrayOfTables> {
        self.doc.get("feed").and_then(|f| f.as_array_of_tables())
    }

    pub(super) fn tables_mut(&mut self) -> Result<&mut toml_edit::ArrayOfTables, ConfigError> {
        self.array_of_tables_mut("feed")
    }

    /// The file's `[[key]]` tables, made when there are none.
    pub(super) fn array_of_tables_mut(&mut self, key: &str) -> Result<&mut toml_edit::ArrayOfTables, ConfigError> {
        let shown = self.target.display().to_string();
        self.doc
            .entry(key)
            .or_insert_with(|| toml_edit::ArrayOfTables::new().into())
            .as_array_of_tables_mut()
            .ok_or_else(|| {
                edit_error(
                    &shown,
                    format!("`{key}` in the config is not a list of [[{key}]] tables"),
                )
            })
    }
}

fn forget_positions(table: &mut toml_edit::Table) {
    table.set_position(None);
    for (_, item) in table.iter_mut() {
        match item {
            toml_edit::Item::Table(t) => forget_positions(t),
            toml_edit::Item::ArrayOfTables(a) => a.iter_mut().for_each(forget_positions),
            _ => {}
        }
    }
}

/// A `[[feed]]` table's identity: its URL as written, or `exec:` and its program's words.
pub(super) fn table_url(t: &toml_edit::Table) -> Option<String> {
    if let Some(url) = t.get("url").and_then(|u| u.as_str()) {
        return Some(url.trim().to_string());
    }
    let words: Vec<String> = t
        .get("command")?
        .as_array()?
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    Some(super::feeds::command_identity(&words))
}

fn base_dir(target: &Path) -> PathBuf {
    target.parent().map(Path::to_path_buf).unwrap_or_default()
}

pub(super) fn edit_error(file: &str, message: String) -> ConfigError {
    ConfigError::Edit {
        file: file.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# my feeds\n[general]\nconcurrency = 4 # polite\n\n# first\n[[feed]]\nurl = \"http://a/f\" # A\ntags = [\"x\"]\n\n# second\n[[feed]]\nurl = \"http://b/f\"\n";

    fn edit(dir: &tempfile::TempDir) -> ConfigEdit {
        let path = dir.path().join("config.toml");
        std::fs::write(&path, TEXT).unwrap();
        ConfigEdit::open(&ConfigSource::User(path)).unwrap()
    }

    #[test]
    fn edits_keep_comments_and_undo_puts_a_feed_back_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = edit(&dir);
        assert!(e.has_feed("http://a/f") && !e.has_feed("http://c/f"));
        e.add_feed("http://c/f", Some("C"), &["y".into()]).unwrap();
        e.set_title("http://b/f", Some("Bee")).unwrap();
        let removed = e.remove_feed("http://a/f").unwrap();
        assert_eq!(removed.index, 0);
        assert!(removed.toml.contains("tags = [\"x\"]"), "{}", removed.toml);
        let c = e.save().unwrap();
        let urls: Vec<&str> = c.feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(urls, ["http://b/f", "http://c/f"]);
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert!(text.contains("# my feeds") && text.contains("concurrency = 4 # polite") && text.contains("# second"));

        let mut e = ConfigEdit::open(&ConfigSource::User(dir.path().join("config.toml"))).unwrap();
        e.restore_feed(&removed).unwrap();
        let c = e.save().unwrap();
        let urls: Vec<&str> = c.feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(urls, ["http://a/f", "http://b/f", "http://c/f"]);
        assert_eq!(c.feeds[0].tags, ["x"]);
        assert_eq!(c.feeds[1].title.as_deref(), Some("Bee"));
        assert!(std::fs::read_to_string(dir.path().join("config.toml"))
            .unwrap()
            .contains("# A"));
    }

    #[test]
    fn an_edit_that_breaks_the_config_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = edit(&dir);
        e.add_feed("gopher://nope", None, &[]).unwrap();
        assert!(e.save().unwrap_err().to_string().contains("gopher"));
        assert_eq!(std::fs::read_to_string(dir.path().join("config.toml")).unwrap(), TEXT);
        let mut e = edit(&dir);
        assert!(e
            .remove_feed("http://z/f")
            .unwrap_err()
            .to_string()
            .contains("no [[feed]] with url"));
    }
}
