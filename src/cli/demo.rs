//! `khabar demo`: the bundled demo feeds (Hindi, CJK, Arabic, emoji) written to a temporary
//! folder with a config and cache of their own, refreshed offline, then listed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;

use crate::config::{Config, ConfigSource};
use crate::store::Store;

/// The demo feeds, compiled in so the binary works from anywhere.
const DEMO_FEEDS: &[(&str, &str, &str, &str)] = &[
    (
        "hindi.xml",
        include_str!("../../assets/demo/hindi.xml"),
        "ख़बर डेमो",
        "hindi",
    ),
    (
        "world.json",
        include_str!("../../assets/demo/world.json"),
        "World in brief",
        "world",
    ),
    (
        "tech.atom",
        include_str!("../../assets/demo/tech.atom"),
        "Terminal tech",
        "tech",
    ),
];

/// A demo folder: config, feeds and cache. Returned so a caller (the TUI) can open it.
pub struct Demo {
    pub dir: PathBuf,
    pub config: Config,
    pub cache: PathBuf,
}

/// Writes the demo feeds and config into a new folder under the system temp dir.
pub fn prepare() -> anyhow::Result<Demo> {
    let dir = std::env::temp_dir().join(format!("khabar-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut config_text = String::from("# khabar demo config (temporary)\n");
    for (file, body, title, tag) in DEMO_FEEDS {
        std::fs::write(dir.join(file), body).with_context(|| format!("cannot write the demo feed {file}"))?;
        config_text.push_str(&format!(
            "\n[[feed]]\nurl = \"{file}\"\ntitle = \"{title}\"\ntags = [\"demo\", \"{tag}\"]\n"
        ));
    }
    let config_path = dir.join("config.toml");
    std::fs::write(&config_path, &config_text)?;
    let config = Config::load(ConfigSource::User(config_path))?;
    Ok(Demo {
        cache: dir.join("cache.db"),
        dir,
        config,
    })
}

impl Demo {
    /// What the reader says when it opens on the demo.
    pub const NOTICE: &'static str = "demo: offline feeds in a temporary cache; press ? for keys, q to quit";
}

/// Builds the demo and refreshes it. On a terminal, returns it for the reader to open (whoever
/// opens it removes `dir` afterwards). Without one (a pipe, a test), lists what it holds instead
/// and keeps the folder.
pub async fn run() -> anyhow::Result<Option<Demo>> {
    let demo = prepare()?;
    let store = Arc::new(Mutex::new(Store::open(&demo.cache)?));
    crate::store::lock(&store).sync_feeds(&demo.config.feeds)?;
    super::refresh(&demo.config, store.clone(), false, false).await?;
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        return Ok(Some(demo));
    }
    let store = crate::store::lock(&store);
    super::list(
        &store,
        &super::ListArgs {
            unread: false,
            starred: false,
            hidden: false,
            tag: None,
            feed: None,
            limit: None,
            query: None,
            sort: crate::model::SortOrder::Newest,
            json: false,
            stories: false,
        },
    )?;
    print_next_steps(&demo.dir, &demo.cache);
    Ok(None)
}

fn print_next_steps(dir: &Path, cache: &Path) {
    let config = dir.join("config.toml");
    eprintln!(
        "\nThe demo lives in {dir}. Try:\n  khabar --config {c} --cache {k} show ID\n  khabar --config {c} --cache {k} search पक्षी\nRemove the folder when done.",
        dir = dir.display(),
        c = config.display(),
        k = cache.display()
    );
}
