//! The sidebar: All, Unread, Starred, saved queries, then each tag with its saved queries and
//! feeds under it (a feed with two tags under both; untagged feeds last), folding, hiding what
//! is read, and a stable selection.

use std::collections::BTreeSet;

use crate::model::{Feed, FeedId};

use super::{AppState, Command, ViewKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidebarEntry {
    All,
    Unread,
    Starred,
    /// A saved query by name, listed under `tag` (None: above the tags).
    Query {
        name: String,
        tag: Option<String>,
    },
    Tag(String),
    /// The group of feeds with no tag.
    Untagged,
    /// A feed, listed under `tag` (None: in the untagged group).
    Feed {
        id: FeedId,
        tag: Option<String>,
    },
}

/// The sidebar's own state besides the selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SidebarState {
    /// Folded groups: tag names, and "" for the untagged group.
    pub folded: BTreeSet<String>,
    /// Tags and feeds with nothing unread are left out (the current view's stay).
    pub hide_read: bool,
}

impl AppState {
    pub fn sidebar_entries(&self) -> Vec<SidebarEntry> {
        let mut v = vec![SidebarEntry::All, SidebarEntry::Unread, SidebarEntry::Starred];
        let query_entries = |tag: Option<&String>| -> Vec<SidebarEntry> {
            self.queries
                .iter()
                .filter(|q| match tag {
                    Some(t) => q.tags.contains(t),
                    None => q.tags.is_empty(),
                })
                .filter(|q| {
                    let shown = matches!(&self.view.kind, ViewKind::Query { name, .. } if *name == q.name);
                    !self.sidebar.hide_read || shown || self.query_unread.get(&q.name).is_none_or(|n| *n > 0)
                })
                .map(|q| SidebarEntry::Query {
                    name: q.name.clone(),
                    tag: tag.cloned(),
                })
                .collect()
        };
        v.extend(query_entries(None));
        let mut groups: Vec<(Option<&String>, Vec<&Feed>)> = self
            .all_tags()
            .into_iter()
            .map(|t| (Some(t), self.feeds.iter().filter(|f| f.has_label(t)).collect()))
            .collect();
        // A synced feed without a folder is under its account's name.
        let untagged: Vec<&Feed> = self
            .feeds
            .iter()
            .filter(|f| f.tags.is_empty() && f.account.is_none())
            .collect();
        if !untagged.is_empty() {
            groups.push((None, untagged));
        }
        for (tag, feeds) in groups {
            let unread: u64 = match tag {
                Some(t) => self.tag_unread(t),
                None => feeds.iter().map(|f| f.unread).sum(),
            };
            let is_current_tag = tag.is_some_and(|t| self.view.kind == ViewKind::Tag(t.clone()));
            let shows_current_feed = feeds.iter().any(|f| self.is_current_feed(f.id));
            if self.sidebar.hide_read && unread == 0 && !is_current_tag && !shows_current_feed {
                continue;
            }
            v.push(match tag {
                Some(t) => SidebarEntry::Tag(t.clone()),
                None => SidebarEntry::Untagged,
            });
            if self.sidebar.folded.contains(tag.map_or("", String::as_str)) {
                continue;
            }
            if tag.is_some() {
                v.extend(query_entries(tag));
            }
            for f in feeds {
                if self.sidebar.hide_read && f.unread == 0 && !self.is_current_feed(f.id) {
                    continue;
                }
                v.push(SidebarEntry::Feed {
                    id: f.id,
                    tag: tag.cloned(),
                });
            }
        }
        v
    }

    /// The config's tags in its order, then the tags only synced feeds have (their server
    /// folders), in the feeds' order, then the sync accounts' names (each groups its feeds),
    /// then those only filters gave (to articles), by name.
    pub(super) fn all_tags(&self) -> Vec<&String> {
        let mut tags: Vec<&String> = self.tags.iter().collect();
        for t in self
            .feeds
            .iter()
            .flat_map(|f| &f.tags)
            .chain(self.feeds.iter().filter_map(|f| f.account.as_ref()))
            .chain(self.article_tags.iter().map(|(t, _)| t))
        {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        tags
    }

    fn is_current_feed(&self, id: FeedId) -> bool {
        matches!(self.view.kind, ViewKind::Feed { id: shown, .. } if shown == id)
    }

    /// Unread articles of a tag's feeds; for a tag only filters gave, of its articles.
    pub fn tag_unread(&self, tag: &str) -> u64 {
        let mut feeds = self.feeds.iter().filter(|f| f.has_label(tag)).peekable();
        if feeds.peek().is_none() {
            return self.article_tags.iter().find(|(t, _)| t == tag).map_or(0, |(_, n)| *n);
        }
        feeds.map(|f| f.unread).sum()
    }

    /// Whether a sidebar group is a sync account's (shown `@name`, not `#name`).
    pub fn is_account(&self, label: &str) -> bool {
        let is_tag = self
            .tags
            .iter()
            .chain(self.feeds.iter().flat_map(|f| &f.tags))
            .any(|t| t == label);
        !is_tag && self.feeds.iter().any(|f| f.account.as_deref() == Some(label))
    }

    /// The selected entry, if the index is in range.
    pub fn selected_entry(&self) -> Option<SidebarEntry> {
        self.sidebar_entries().get(self.sidebar_selected).cloned()
    }

    /// Puts the selection back on `entry` after the list changed (counts during a refresh,
    /// folding, hiding), so it never jumps; else keeps the index in range.
    pub(super) fn keep_selection(&mut self, entry: Option<SidebarEntry>) {
        let entries = self.sidebar_entries();
        self.sidebar_selected = entry
            .and_then(|e| entries.iter().position(|x| *x == e))
            .unwrap_or(self.sidebar_selected)
            .min(entries.len().saturating_sub(1));
    }
}

/// After the feed list changed, the sidebar and the headlines agree again: a feed whose removal
/// was undone is selected and shown; a removed feed's view gives way to what the sidebar now
/// selects.
pub(super) fn follow_feed_list(state: &mut AppState) -> Vec<Command> {
    if let Some(url) = state.select_feed.clone() {
        let Some(id) = state.feeds.iter().find(|f| f.url == url).map(|f| f.id) else {
            return vec![];
        };
        state.select_feed = None;
        if let Some(at) = state
            .sidebar_entries()
            .iter()
            .position(|e| matches!(e, SidebarEntry::Feed { id: f, .. } if *f == id))
        {
            state.sidebar_selected = at;
            return activate_sidebar(state);
        }
        return vec![];
    }
    match &state.view.kind {
        ViewKind::Feed { id, .. } if state.feed(*id).is_none() => activate_sidebar(state),
        // Moved to a new address (`:move`): the same feed, shown under it.
        ViewKind::Feed { id, url } if state.feed(*id).is_some_and(|f| f.url != *url) => {
            let id = *id;
            let url = state.feed(id).map(|f| f.url.clone()).unwrap_or_default();
            let focus = state.focus;
            let cmds = state.open_kind(ViewKind::Feed { id, url });
            state.focus = focus;
            cmds
        }
        _ => vec![],
    }
}

/// Opens the view of the selected sidebar entry (nothing when it is already shown).
pub(super) fn activate_sidebar(state: &mut AppState) -> Vec<Command> {
    let Some(entry) = state.selected_entry() else {
        return vec![];
    };
    let kind = match entry.clone() {
        SidebarEntry::All => ViewKind::All,
        SidebarEntry::Unread => ViewKind::Unread,
        SidebarEntry::Starred => ViewKind::Starred,
        SidebarEntry::Tag(t) => ViewKind::Tag(t),
        SidebarEntry::Query { name, .. } => match state.queries.iter().find(|q| q.name == name) {
            Some(saved) => ViewKind::Query {
                name,
                query: saved.query.clone(),
            },
            None => return vec![],
        },
        SidebarEntry::Feed { id, .. } => ViewKind::Feed {
            id,
            url: state.feed(id).map(|f| f.url.clone()).unwrap_or_default(),
        },
        SidebarEntry::Untagged => return vec![],
    };
    if state.view.kind == kind {
        return vec![];
    }
    let cmds = state.open_view(state.view_of(kind));
    // Hiding what is read depends on the view shown: keep the selection on its entry.
    state.keep_selection(Some(entry));
    cmds
}

/// Moves the sidebar selection by `delta` entries and opens what it lands on.
pub(super) fn move_sidebar(state: &mut AppState, delta: isize) -> Vec<Command> {
    let n = state.sidebar_entries().len();
    state.sidebar_selected = state
        .sidebar_selected
        .saturating_add_signed(delta)
        .min(n.saturating_sub(1));
    activate_sidebar(state)
}

/// Folds or unfolds the group under the selection (a tag, or the group of the selected feed).
pub(super) fn toggle_group(state: &mut AppState) {
    let Some(entry) = state.selected_entry() else {
        return;
    };
    let (group, select) = match &entry {
        SidebarEntry::Tag(t) => (t.clone(), entry.clone()),
        SidebarEntry::Untagged => (String::new(), entry.clone()),
        SidebarEntry::Feed { tag: Some(t), .. } => (t.clone(), SidebarEntry::Tag(t.clone())),
        SidebarEntry::Feed { tag: None, .. } => (String::new(), SidebarEntry::Untagged),
        _ => return,
    };
    if !state.sidebar.folded.remove(&group) {
        state.sidebar.folded.insert(group);
    }
    state.keep_selection(Some(select));
}

/// Hides (or shows again) the tags and feeds with nothing unread.
pub(super) fn toggle_hide_read(state: &mut AppState) {
    let entry = state.selected_entry();
    state.sidebar.hide_read = !state.sidebar.hide_read;
    state.keep_selection(entry);
    let what = if state.sidebar.hide_read {
        "hiding tags and feeds with nothing unread"
    } else {
        "showing every tag and feed"
    };
    state.notify(what, false);
}
