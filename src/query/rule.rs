//! Filters (`[[filter]]`): a query, what to do with the articles it matches as they arrive, and
//! the feeds it is limited to. Plain data; the store applies them.

use super::Query;

/// A filter as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterRule {
    pub query: Query,
    pub action: FilterAction,
    /// Feeds it is limited to, by configured URL or title; with `tags`, either may match.
    /// Both empty: every feed.
    pub feeds: Vec<String>,
    pub tags: Vec<String>,
}

/// What a filter does to an article it matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterAction {
    /// Kept in the cache but out of every view, count and search that does not ask for it.
    Hide,
    Read,
    Star,
    /// Gives the article a tag of its own (`tag:NAME` finds it).
    Tag(String),
}

impl FilterAction {
    /// `hide`, `read`, `star` or `tag:NAME`, as written in the config.
    pub fn parse(text: &str) -> Result<FilterAction, String> {
        match text.trim() {
            "hide" => Ok(FilterAction::Hide),
            "read" => Ok(FilterAction::Read),
            "star" => Ok(FilterAction::Star),
            other => match other.strip_prefix("tag:").map(str::trim) {
                Some(tag) if !tag.is_empty() && !tag.chars().any(char::is_control) => {
                    Ok(FilterAction::Tag(tag.to_string()))
                }
                Some(_) => Err("`tag:` needs a name, like tag:later".into()),
                None => Err(format!("unknown action `{other}`, use hide, read, star or tag:NAME")),
            },
        }
    }

    /// As written in the config (`tag:later`).
    pub fn name(&self) -> String {
        match self {
            FilterAction::Hide => "hide".into(),
            FilterAction::Read => "read".into(),
            FilterAction::Star => "star".into(),
            FilterAction::Tag(t) => format!("tag:{t}"),
        }
    }

    /// The past tense for reports: "hidden", "marked read", "starred", "tagged later".
    pub fn done(&self) -> String {
        match self {
            FilterAction::Hide => "hidden".into(),
            FilterAction::Read => "marked read".into(),
            FilterAction::Star => "starred".into(),
            FilterAction::Tag(t) => format!("tagged {t}"),
        }
    }
}

impl FilterRule {
    /// Whether the filter is for this feed (its configured URL, its title, its tags).
    pub fn applies_to(&self, url: &str, title: Option<&str>, tags: &[String]) -> bool {
        if self.feeds.is_empty() && self.tags.is_empty() {
            return true;
        }
        self.feeds.iter().any(|f| f == url || Some(f.as_str()) == title) || self.tags.iter().any(|t| tags.contains(t))
    }

    /// One line naming the filter in reports: `hide "title:sponsored"`.
    pub fn label(&self) -> String {
        format!("{} {:?}", self.action.name(), self.query.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_name_themselves() {
        for (text, action) in [
            ("hide", FilterAction::Hide),
            (" read ", FilterAction::Read),
            ("star", FilterAction::Star),
            ("tag:later", FilterAction::Tag("later".into())),
            ("tag: लेख", FilterAction::Tag("लेख".into())),
        ] {
            assert_eq!(FilterAction::parse(text).as_ref(), Ok(&action), "{text}");
            assert_eq!(FilterAction::parse(&action.name()), Ok(action));
        }
        assert_eq!(
            FilterAction::parse("delete").unwrap_err(),
            "unknown action `delete`, use hide, read, star or tag:NAME"
        );
        assert_eq!(
            FilterAction::parse("tag:").unwrap_err(),
            "`tag:` needs a name, like tag:later"
        );
    }

    #[test]
    fn a_filter_is_limited_to_its_feeds_and_tags() {
        let rule = |feeds: &[&str], tags: &[&str]| FilterRule {
            query: crate::query::parse("x").unwrap(),
            action: FilterAction::Hide,
            feeds: feeds.iter().map(ToString::to_string).collect(),
            tags: tags.iter().map(ToString::to_string).collect(),
        };
        let news = vec!["news".to_string()];
        assert!(rule(&[], &[]).applies_to("https://a/", None, &[]));
        assert!(rule(&["https://a/"], &[]).applies_to("https://a/", None, &[]));
        assert!(!rule(&["https://a/"], &[]).applies_to("https://b/", None, &news));
        assert!(rule(&["LWN"], &[]).applies_to("https://lwn.net/", Some("LWN"), &[]));
        assert!(rule(&["https://a/"], &["news"]).applies_to("https://b/", None, &news));
        assert!(!rule(&[], &["tech"]).applies_to("https://b/", None, &news));
    }
}
