//! `[stories]`: whether and how articles that report the same news are grouped, as written;
//! `store::stories` does the grouping.

use std::time::Duration;

use serde::Deserialize;

use super::HumanDuration;

/// `[stories]`: which articles are grouped as one story, and how a story reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Stories {
    /// Group at all: the reader shows a story as one headline, `list --stories` one line each.
    pub group: bool,
    /// Articles further apart in time than this are never one story.
    pub window: HumanDuration,
    /// Group across every feed, or only among feeds sharing a tag.
    pub scope: StoryScope,
    /// Reading a story marks all its articles read.
    pub read_together: bool,
    /// Feed URLs or tags, best first: whose copy of a story leads it.
    pub prefer: Vec<String>,
}

impl Stories {
    /// What a value cannot be (the caller places the error at its key).
    pub(super) fn check(&self) -> Result<(), String> {
        if self.window.0 < Duration::from_secs(60) {
            return Err(format!("`window` must be at least 1m, not {:?}", self.window.0));
        }
        Ok(())
    }
}

impl Default for Stories {
    fn default() -> Self {
        Stories {
            group: true,
            window: HumanDuration(Duration::from_secs(3 * 24 * 3600)),
            scope: StoryScope::All,
            read_together: true,
            prefer: Vec::new(),
        }
    }
}

/// `[stories] scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoryScope {
    All,
    Tag,
}
