//! What crosses the state's border: `Msg`, everything `update` is told, and `Command`, everything
//! it asks the effects to do. Both are plain data; the app and the effects are their other ends.

use crate::config::RemovedFeed;
use crate::model::{Article, ArticleId, ArticleSummary, Feed, FeedId, Filter, Flag, SortOrder};
use crate::poller::PollEvent;
use crate::text::rich::Rendered;

use super::super::images::Picture;
use super::super::keymap::{Key, Keymap};
use super::{Change, FilterChange, LoadKind, Notice, View};

/// Inputs to `update`.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Resize(u16, u16),
    Click {
        col: u16,
        row: u16,
    },
    Wheel {
        col: u16,
        row: u16,
        down: bool,
    },
    /// Spinner frame while a refresh runs.
    Tick,
    /// The background schedule fired (every minute): refresh what is due. Carries the local
    /// time zone's offset then, so times follow a daylight-saving change within a minute.
    Schedule(chrono::FixedOffset),
    Poll(PollEvent),
    Feeds(Vec<Feed>),
    /// The tags filters gave articles, with their unread counts (after every `Feeds`).
    ArticleTags(Vec<(String, u64)>),
    /// Unread articles of each saved query, by name.
    QueryCounts(Vec<(String, u64)>),
    Page {
        generation: u64,
        kind: LoadKind,
        rows: Vec<ArticleSummary>,
        first_index: Option<usize>,
        total: Option<usize>,
    },
    Article(Box<Article>),
    Rendered {
        id: ArticleId,
        width: usize,
        full: bool,
        rendered: Rendered,
    },
    /// Reader mode could not get the article's page: the feed's text stays.
    FullFailed {
        id: ArticleId,
        reason: String,
    },
    /// The number of articles in the view, counted after its first page was sent.
    Total {
        generation: u64,
        total: usize,
    },
    /// Nothing unread past the window that way (a `FindUnread` of this generation).
    NoUnreadBeyond {
        generation: u64,
    },
    /// A refresh began over this many feeds.
    RefreshStarted(usize),
    /// The config file changed and was valid: what the reader takes from it (the feeds are
    /// already in step in the cache).
    ConfigChanged(Box<LiveConfig>),
    /// A feed was removed from the config (`record`: as a new undo step).
    FeedRemoved {
        removed: RemovedFeed,
        record: bool,
    },
    /// The cache made a change asked for by a filter (mark the view read): exactly these
    /// articles changed, which is what undo restores.
    Changed(Change),
    /// `:filter apply` ran: what each filter changed, exactly (one undo step).
    FiltersApplied(Vec<FilterChange>),
    /// The accounts are being synced (after the feeds of a refresh).
    SyncStarted,
    /// What each account's sync did, or why it failed.
    Synced(Vec<crate::sync::AccountReport>),
    /// The changes made here were sent to an account's server between syncs (or why not).
    Pushed(crate::sync::AccountReport),
    /// An opener wants the terminal for this program.
    RunInTerminal(Vec<String>),
    /// New articles arrived and the terminal should say so (`notify` without a command).
    TerminalNotify(String),
    /// A pipe ended: its output (shown when wanted), or why it failed.
    Piped {
        id: ArticleId,
        program: String,
        result: Result<String, String>,
    },
    /// A picture of the open article, encoded for `cols` columns, or why it cannot be shown.
    Image {
        id: ArticleId,
        url: String,
        cols: u16,
        result: Result<Picture, String>,
    },
    Notice(Notice),
    /// Time to ask whether another process wrote to the cache (every few seconds).
    WatchCache,
    /// Another process (`khabar mark`, `sync`, a `refresh` from cron) wrote to the cache: counts
    /// and the view are read again.
    CacheChangedElsewhere,
}

/// Work for the effects.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadFeeds,
    /// Answered with `Msg::CacheChangedElsewhere` when another connection wrote to the cache
    /// since the last ask (SQLite's `data_version`).
    CheckCache,
    /// Count the unread articles of these saved queries (name, query).
    CountQueries(Vec<(String, crate::query::Query)>),
    /// Write a `[[query]]` to the config file; the config watcher then shows it.
    SaveQuery {
        name: String,
        query: String,
    },
    LoadPage {
        generation: u64,
        view: View,
        kind: LoadKind,
        count: bool,
    },
    LoadArticle(ArticleId),
    /// The first unread article past `after` in the view's order (before it, with `backward`):
    /// answered with a page starting there (`LoadKind::At`), or `Msg::NoUnreadBeyond`.
    FindUnread {
        generation: u64,
        view: View,
        after: ArticleId,
        backward: bool,
    },
    /// Remember the order of a view (by `ViewKind::key`).
    SaveSort {
        view: String,
        sort: SortOrder,
    },
    Render {
        id: ArticleId,
        html: String,
        width: usize,
        full: bool,
    },
    /// Remember what a prompt was given (`kind`: "search" or "command").
    RememberPrompt {
        kind: &'static str,
        text: String,
    },
    /// Write the article to a file: Markdown for `.md`, else text.
    SaveArticle {
        id: ArticleId,
        path: String,
    },
    /// Send the article to the `[[share]]` target of this name.
    Share {
        id: ArticleId,
        target: String,
    },
    /// Reader mode: fetch the article's page, keep its main content, then reload the article.
    FetchFull {
        id: ArticleId,
        link: Option<String>,
        /// Whose `reader_selector` applies.
        feed_url: String,
    },
    SetRead(ArticleId, bool),
    SetStarred(ArticleId, bool),
    /// Undo and redo: a flag on exactly these articles.
    SetFlags {
        flag: Flag,
        ids: Vec<ArticleId>,
        value: bool,
    },
    /// Marks the view read; the cache answers with the `Change` it made (`Msg::Changed`).
    MarkViewRead {
        filter: Filter,
        what: String,
    },
    /// Apply the config's filters to the articles already in the cache.
    ApplyFilters,
    /// Give these articles a tag of their own, or take it away (undo of `:filter apply`).
    SetArticleTag {
        tag: String,
        ids: Vec<ArticleId>,
        value: bool,
    },
    Refresh(Option<FeedId>),
    RefreshDue,
    /// Fetch the feeds never fetched (just added to the config), after any refresh running.
    RefreshNew,
    /// Open a link with its opener (`[[opener]]`), else the browser.
    Open(crate::model::OpenTarget),
    /// Run a program that takes the terminal (an opener with `terminal = true`): the reader
    /// steps aside and comes back when it exits.
    RunInTerminal(Vec<String>),
    /// A notification through the reader's own terminal (OSC 9, or OSC 777).
    TerminalNotify(String),
    /// Save an attachment in the download folder.
    Download(String),
    /// Fetch (or read from the picture cache) an image of the open article and encode it for
    /// the terminal to fit `cols` by `max_rows`; answered with `Msg::Image`.
    LoadImage {
        id: ArticleId,
        url: String,
        cols: u16,
        max_rows: u16,
    },
    /// Send an article to a program (`|`, `:pipe CMD`); None: the configured `pipe_command`.
    Pipe {
        id: ArticleId,
        argv: Option<Vec<String>>,
    },
    Copy(String),
    /// Adds a feed to the config after checking it is one (`:add URL [TAG…]`).
    AddFeed {
        url: String,
        tags: Vec<String>,
    },
    /// Gives a feed a new address with its history (`:move [FROM] TO`, as `khabar move`).
    MoveFeed {
        from: String,
        to: String,
    },
    /// Removes a feed from the config; answered with `Msg::FeedRemoved`.
    RemoveFeed {
        url: String,
        record: bool,
    },
    /// Puts a removed feed back (undo).
    RestoreFeed(RemovedFeed),
    /// Sets the title shown for a feed (None: its own).
    RenameFeed {
        url: String,
        title: Option<String>,
    },
}

/// What the reader's state takes from a reloaded config (its colours are the app's, which
/// reads them from the config in force when this arrives).
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub tags: Vec<String>,
    pub queries: Vec<crate::config::SavedQuery>,
    pub keymap: Keymap,
    pub open_marks_read: bool,
    pub confirm_quit: bool,
    pub confirm_mark_all: bool,
    /// The `[[share]]` targets' names.
    pub shares: Vec<String>,
    /// `[stories] read_together` and `group`.
    pub read_together: bool,
    pub group_stories: bool,
}
