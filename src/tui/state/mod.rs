//! The reader's state and its one transition function, `update(state, msg) -> commands`.
//! Pure: no I/O, no clock, no terminal. Everything it needs arrives in a `Msg`; everything it
//! wants done leaves as a `Command` for the effects to run. One file per concern below.

mod actions;
mod article;
mod headlines;
mod images;
mod input;
mod links;
mod messages;
mod mouse;
mod prompt;
mod queries;
mod refresh;
mod sidebar;
mod stories;
mod undo;
mod unread;
mod view;
mod visual;

use std::collections::HashMap;

use crate::model::{Feed, FeedId, SortOrder};

use super::keymap::{Key, Keymap};
use super::layout;

pub use actions::perform;
pub use article::{ArticlePane, ARTICLE_HEADER_LINES};
pub use headlines::{Headlines, LoadKind, PAGE, WINDOW};
pub use images::ImageSlot;
pub use input::{InputKind, Mode};
pub use links::{hint_labels, link_targets, unlinked_images, Pick, PickPurpose};
pub use messages::{Command, LiveConfig, Msg};
pub use prompt::{kind_name, Prompts, COMMANDS, SETTINGS};
pub use refresh::Progress;
pub use sidebar::{SidebarEntry, SidebarState};
pub use undo::{Change, FilterChange, History, Step, UNDO_STEPS};
pub use unread::Seek;
pub use view::{View, ViewKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Sidebar,
    Headlines,
    Article,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Everything the reader shows and remembers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub keymap: Keymap,
    pub focus: Focus,
    pub feeds: Vec<Feed>,
    pub tags: Vec<String>,
    /// Saved queries from the config, in its order, and their unread counts by name.
    pub queries: Vec<crate::config::SavedQuery>,
    pub query_unread: HashMap<String, u64>,
    pub sidebar: SidebarState,
    pub sidebar_selected: usize,
    pub view: View,
    /// The order each view was last shown in, by `ViewKind::key` (kept in the cache).
    pub sorts: HashMap<String, SortOrder>,
    /// A next/previous-unread jump waiting for the cache (see `unread.rs`).
    pub seek: Option<Seek>,
    /// The anchor row of a visual selection in the headline window (`v`).
    pub visual: Option<usize>,
    /// Opening an article's link in the browser marks it read (`open_marks_read`).
    pub open_marks_read: bool,
    /// Quitting asks first (`confirm_quit`).
    pub confirm_quit: bool,
    /// Marking a big view read asks first (`confirm_mark_all`).
    pub confirm_mark_all: bool,
    /// Reading an article of a story marks the whole story read (`[stories] read_together`).
    pub read_together: bool,
    pub headlines: Headlines,
    pub article: Option<ArticlePane>,
    pub fullscreen: bool,
    pub mode: Mode,
    pub progress: Option<Progress>,
    /// A sync of the accounts is under way (after a refresh's feeds).
    pub syncing: bool,
    pub notice: Option<Notice>,
    /// The last notice shown, kept for `g m` after the status bar moved on.
    pub last_message: Option<Notice>,
    /// The `[[share]]` targets' names, in config order.
    pub shares: Vec<String>,
    /// The prompts' histories and Tab's candidates.
    pub prompts: Prompts,
    /// What undo and redo can restore, newest last.
    pub history: History,
    /// Shown until the first key press, over ordinary notices: where the user's config goes
    /// when khabar started on the built-in one.
    pub startup_hint: Option<String>,
    pub pending: Vec<Key>,
    pub count: Option<usize>,
    pub size: (u16, u16),
    /// The local time zone's offset, set by the app (at startup and with each schedule tick) so
    /// drawing needs no clock or environment.
    pub utc_offset: chrono::FixedOffset,
    pub spinner: usize,
    /// The most rows a picture in the article pane takes; 0 when pictures are off.
    pub image_rows: u16,
    /// A feed to select and open once the feed list has it (its removal was just undone).
    pub select_feed: Option<String>,
    /// Tags filters gave articles, with their unread counts (`Msg::ArticleTags`).
    pub article_tags: Vec<(String, u64)>,
    pub quit: bool,
}

impl AppState {
    pub fn new(keymap: Keymap, tags: Vec<String>, size: (u16, u16)) -> AppState {
        AppState {
            keymap,
            focus: Focus::Headlines,
            feeds: Vec::new(),
            tags,
            queries: Vec::new(),
            query_unread: HashMap::new(),
            sidebar: SidebarState::default(),
            sidebar_selected: 0,
            view: View {
                kind: ViewKind::All,
                unread_only: false,
                show_hidden: false,
                sort: SortOrder::default(),
                stories: true,
                expanded: None,
            },
            sorts: HashMap::new(),
            seek: None,
            visual: None,
            open_marks_read: true,
            confirm_quit: false,
            confirm_mark_all: true,
            read_together: true,
            headlines: Headlines::default(),
            article: None,
            fullscreen: false,
            mode: Mode::Normal,
            progress: None,
            syncing: false,
            notice: None,
            last_message: None,
            shares: Vec::new(),
            prompts: Prompts::default(),
            history: History::default(),
            startup_hint: None,
            pending: Vec::new(),
            count: None,
            size,
            utc_offset: chrono::FixedOffset::east_opt(0).expect("zero offset"),
            spinner: 0,
            image_rows: 0,
            select_feed: None,
            article_tags: Vec::new(),
            quit: false,
        }
    }

    /// The commands that fill a fresh state: the headlines first, for the first frame.
    pub fn start(&mut self) -> Vec<Command> {
        let mut cmds = self.open_view(self.view_of(self.view.kind.clone()));
        cmds.push(Command::LoadFeeds);
        cmds
    }

    pub fn feed(&self, id: FeedId) -> Option<&Feed> {
        self.feeds.iter().find(|f| f.id == id)
    }

    fn headline_page(&self) -> usize {
        layout::inner_height(layout::panes(self.shape()).headlines)
    }

    fn article_page(&self) -> usize {
        layout::inner_height(layout::panes(self.shape()).article)
            .saturating_sub(1)
            .max(1)
    }

    /// What the pane layout depends on (`layout::panes`).
    pub fn shape(&self) -> super::layout::Shape {
        super::layout::Shape {
            size: self.size,
            focus: self.focus,
            article_open: self.article.is_some(),
            fullscreen: self.fullscreen,
        }
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
        });
    }

    /// Clears the notice if it still says `text` (a message must not outlive its cause).
    fn forget_notice(&mut self, text: &str) {
        if self.notice.as_ref().is_some_and(|n| n.text == text) {
            self.notice = None;
        }
    }
}

/// The one transition function: the message's own work, then the pictures it brought into view.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Command> {
    let mut cmds = handle(state, msg);
    cmds.extend(images::wanted(state));
    if state.notice.is_some() && state.notice != state.last_message {
        state.last_message.clone_from(&state.notice);
    }
    cmds
}

fn handle(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(key) => input::on_key(state, key),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            headlines::clamp_scroll(state);
            article::render_if_needed(state)
        }
        Msg::Click { col, row } => mouse::on_click(state, col, row),
        Msg::Wheel { col, row, down } => mouse::on_wheel(state, col, row, down),
        Msg::Tick => {
            state.spinner = state.spinner.wrapping_add(1);
            vec![]
        }
        // A refresh of the reader's own reloads what it changed when it ends.
        Msg::WatchCache if state.progress.is_none() && !state.syncing => vec![Command::CheckCache],
        Msg::WatchCache => vec![],
        Msg::CacheChangedElsewhere => {
            let mut cmds = vec![Command::LoadFeeds];
            if state.view.search().is_none() {
                cmds.extend(state.reload_in_place());
            }
            cmds
        }
        Msg::Schedule(utc_offset) => {
            state.utc_offset = utc_offset;
            if state.progress.is_none() {
                vec![Command::RefreshDue]
            } else {
                vec![]
            }
        }
        Msg::Poll(ev) => refresh::on_poll(state, ev),
        Msg::Feeds(feeds) => {
            let selected = state.selected_entry();
            state.feeds = feeds;
            state.keep_selection(selected);
            let mut cmds = sidebar::follow_feed_list(state);
            // The feeds' counts changed: so may the saved queries'.
            cmds.extend(state.count_queries());
            cmds
        }
        Msg::ArticleTags(tags) => {
            let selected = state.selected_entry();
            state.article_tags = tags;
            state.keep_selection(selected);
            vec![]
        }
        Msg::QueryCounts(counts) => {
            let selected = state.selected_entry();
            state.query_unread = counts.into_iter().collect();
            state.keep_selection(selected);
            vec![]
        }
        Msg::Page {
            generation,
            kind,
            rows,
            first_index,
            total,
        } => headlines::on_page(state, generation, kind, rows, first_index, total),
        Msg::Article(article) => article::on_article(state, *article),
        Msg::Rendered {
            id,
            width,
            full,
            rendered,
        } => {
            article::on_rendered(state, id, width, full, rendered);
            vec![]
        }
        Msg::FullFailed { id, reason } => {
            article::on_full_failed(state, id, reason);
            vec![]
        }
        Msg::Total { generation, total } => {
            if generation == state.headlines.generation {
                state.headlines.total = Some(total);
            }
            vec![]
        }
        Msg::RefreshStarted(total) => {
            state.progress.get_or_insert_with(Progress::default).total = total;
            vec![]
        }
        Msg::NoUnreadBeyond { generation } => unread::on_none_beyond(state, generation),
        Msg::ConfigChanged(live) => {
            let selected = state.selected_entry();
            state.tags = live.tags;
            state.queries = live.queries;
            state.keymap = live.keymap;
            state.open_marks_read = live.open_marks_read;
            state.confirm_quit = live.confirm_quit;
            state.confirm_mark_all = live.confirm_mark_all;
            state.shares = live.shares;
            state.read_together = live.read_together;
            if state.view.stories != live.group_stories {
                state.view.stories = live.group_stories;
                state.view.expanded = None;
            }
            state.keep_selection(selected);
            state.notify("config reloaded", false);
            // New feeds are due at once; removed ones leave the sidebar and the list.
            let mut cmds = vec![Command::LoadFeeds, Command::RefreshNew];
            if state.follow_saved_query() {
                cmds.extend(state.open_view(state.view.clone()));
            } else if state.view.search().is_none() {
                cmds.extend(state.reload_view());
            }
            cmds
        }
        Msg::FeedRemoved { removed, record } => {
            state.notify(
                format!("removed {} from your config (U puts it back)", removed.url),
                false,
            );
            if record {
                state.history.record_step(Step::FeedRemoved(removed));
            }
            vec![Command::LoadFeeds]
        }
        Msg::Changed(change) => {
            state.history.record(change);
            // A mark-all moved many articles: recount the saved queries.
            state.count_queries()
        }
        Msg::RunInTerminal(argv) => vec![Command::RunInTerminal(argv)],
        Msg::TerminalNotify(text) => vec![Command::TerminalNotify(text)],
        Msg::Piped { id, program, result } => article::on_piped(state, id, program, result),
        Msg::SyncStarted => {
            state.syncing = true;
            vec![]
        }
        Msg::Synced(reports) => refresh::on_synced(state, reports),
        Msg::Pushed(report) => refresh::on_pushed(state, &report),
        Msg::FiltersApplied(changes) => {
            let total = undo::filter_total(&changes);
            state.notify(format!("filters applied: {total} (U undoes)"), false);
            state.history.record_step(undo::Step::Filters(changes));
            let mut cmds = vec![Command::LoadFeeds];
            cmds.extend(state.reload_view());
            cmds
        }
        Msg::Image { id, url, cols, result } => {
            images::on_image(state, id, url, cols, result);
            vec![]
        }
        Msg::Notice(n) => {
            state.notice = Some(n);
            vec![]
        }
    }
}
