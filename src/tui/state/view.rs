//! Which articles the headline list shows (`View`: a sidebar entry or a search, unread only, its
//! order), its title, and opening one.

use crate::model::{FeedId, Filter, SortOrder};
use crate::query::Query;

use super::{AppState, Command, Focus, Headlines, LoadKind};

/// What the headline list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewKind {
    All,
    Unread,
    Starred,
    Tag(String),
    Feed {
        id: FeedId,
        url: String,
    },
    /// A search: the query as parsed (its text is `Query::text`).
    Search(Query),
    /// A saved query (`[[query]]`), by its name, with its query as configured.
    Query {
        name: String,
        query: Query,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub kind: ViewKind,
    pub unread_only: bool,
    /// Articles hidden by filters shown too (marked as such).
    pub show_hidden: bool,
    pub sort: SortOrder,
    /// A story shows as one headline (`[stories] group`); searches show every match.
    pub stories: bool,
    /// The story shown whole (`=`).
    pub expanded: Option<i64>,
}

impl View {
    pub fn filter(&self) -> Filter {
        let mut f = Filter {
            unread_only: self.unread_only,
            show_hidden: self.show_hidden,
            sort: self.sort,
            stories: self.stories && self.search().is_none(),
            expanded: self.expanded,
            ..Default::default()
        };
        match &self.kind {
            ViewKind::All | ViewKind::Search(_) => {}
            ViewKind::Query { query, .. } => f.query = Some(query.clone()),
            ViewKind::Unread => f.unread_only = true,
            ViewKind::Starred => f.starred_only = true,
            ViewKind::Tag(t) => f.tag = Some(t.clone()),
            ViewKind::Feed { url, .. } => f.feed_url = Some(url.clone()),
        }
        f
    }

    pub fn search(&self) -> Option<&Query> {
        match &self.kind {
            ViewKind::Search(q) => Some(q),
            _ => None,
        }
    }
}

impl ViewKind {
    /// The name its order is remembered under ("all", "tag:news", "feed:URL"; every search
    /// shares "search").
    pub fn key(&self) -> String {
        match self {
            ViewKind::All => "all".into(),
            ViewKind::Unread => "unread".into(),
            ViewKind::Starred => "starred".into(),
            ViewKind::Tag(t) => format!("tag:{t}"),
            ViewKind::Feed { url, .. } => format!("feed:{url}"),
            ViewKind::Search(_) => "search".into(),
            ViewKind::Query { name, .. } => format!("query:{name}"),
        }
    }
}

impl AppState {
    /// The view's name for the status bar and the headline title.
    pub fn view_title(&self) -> String {
        let base = match &self.view.kind {
            ViewKind::All => "All".to_string(),
            ViewKind::Unread => "Unread".to_string(),
            ViewKind::Starred => "Starred".to_string(),
            ViewKind::Tag(t) => format!("Tag: {t}"),
            ViewKind::Feed { id, url } => self.feed(*id).map_or(url.clone(), |f| f.display_title().to_string()),
            ViewKind::Search(q) => format!("Search: {}", q.text),
            ViewKind::Query { name, .. } => format!("Query: {name}"),
        };
        let base = if self.view.unread_only && self.view.kind != ViewKind::Unread {
            format!("{base} (unread)")
        } else {
            base
        };
        let base = if self.view.show_hidden {
            format!("{base} (with hidden)")
        } else {
            base
        };
        if self.view.sort == SortOrder::default() {
            base
        } else {
            format!("{base} · {}", self.view.sort.describe())
        }
    }

    /// A view of `kind` keeping the unread-only and hidden toggles, in the order it was last
    /// shown in.
    pub(super) fn view_of(&self, kind: ViewKind) -> View {
        // A saved query opens in its configured order until another is picked.
        let configured = match &kind {
            ViewKind::Query { name, .. } => self.queries.iter().find(|q| q.name == *name).and_then(|q| q.sort),
            _ => None,
        };
        View {
            sort: self.sorts.get(&kind.key()).copied().or(configured).unwrap_or_default(),
            kind,
            unread_only: self.view.unread_only,
            show_hidden: self.view.show_hidden,
            stories: self.view.stories,
            expanded: None,
        }
    }

    /// Shows `view` from its first page; replies for the view before it are dropped.
    pub(super) fn open_view(&mut self, view: View) -> Vec<Command> {
        self.view = view;
        let generation = self.headlines.generation + 1;
        self.headlines = Headlines {
            generation,
            loading: true,
            ..Default::default()
        };
        vec![Command::LoadPage {
            generation,
            view: self.view.clone(),
            kind: LoadKind::First,
            count: true,
        }]
    }

    /// Opens a view of `kind`, keeping the unread-only toggle, and moves to the headlines.
    pub(super) fn open_kind(&mut self, kind: ViewKind) -> Vec<Command> {
        self.focus = Focus::Headlines;
        self.open_view(self.view_of(kind))
    }
}
