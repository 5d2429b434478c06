//! `khabar stories`: group the cache's articles into stories now (a refresh does it by itself),
//! or all again with `--rebuild`; one line says what it did.

use crate::config::Config;
use crate::store::{Store, StoryRules};

pub fn run(store: &Store, config: &Config, rebuild: bool, chunk: usize) -> anyhow::Result<()> {
    let rules = StoryRules::from_config(config);
    if !rules.group {
        anyhow::bail!("stories are off ([stories] group = false in the config); nothing was grouped");
    }
    if rebuild {
        store.forget_stories()?;
    }
    let started = std::time::Instant::now();
    let done = store.group_all_stories(&rules, chunk)?;
    let stories = store.story_count()?;
    eprintln!(
        "grouped {} of {} articles looked at into stories in {:.2}s; {stories} stories in the cache",
        done.grouped,
        done.decided,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
