//! The command line: arguments (clap) and the headless commands, each in its own file.
//! Commands report with anyhow at this edge; the library below uses typed errors.

mod demo;
mod feeds;
mod filter;
mod list;
mod manage;
mod mark;
mod newsboat;
mod opml;
mod refresh;
mod show;
mod stories;
mod sync;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::SortOrder;
use crate::query::Query;

pub use demo::run as demo;
pub use demo::{prepare as prepare_demo, Demo};
pub use feeds::run as feeds;
pub use filter::run as filter;
pub use list::{list, search};
pub use manage::{add, move_feed, remove, rename};
pub use mark::run as mark;
pub use newsboat::import as import_newsboat;
pub use opml::{export, import};
pub use refresh::run as refresh;
pub use show::{run as show, ShowAs};
pub use stories::run as stories;
pub use sync::{remove_anywhere, run as sync, subscribe_remote};

/// khabar: a fast terminal news reader.
#[derive(Debug, Parser)]
#[command(name = "khabar", version, about)]
pub struct Cli {
    /// Config file (default: $KHABAR_CONFIG, else ~/.config/khabar/config.toml, else built-in).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Cache database (default: ~/.local/share/khabar/cache.db).
    #[arg(long, global = true, value_name = "PATH")]
    pub cache: Option<PathBuf>,
    /// Benchmarks: open the reader, exit after the first frame that shows headlines, and print
    /// the time since start and the peak resident memory on stderr.
    #[arg(long, hide = true)]
    pub bench_startup: bool,
    /// Benchmarks: time key press to redrawn frame, scrolling the view ("scroll") or pressing
    /// keys while a refresh of every feed runs ("refresh"); the figures go to stderr.
    #[arg(long, hide = true, value_name = "scroll|refresh")]
    pub bench_keys: Option<KeyBenchMode>,
    /// Benchmarks and tests: when a command ends, print its peak resident memory on stderr
    /// ("peak resident memory: N KiB"), its own, which a parent cannot read cleanly.
    #[arg(long, hide = true, global = true)]
    pub bench_peak: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KeyBenchMode {
    Scroll,
    Refresh,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every feed now; a line per feed on stderr, then a summary.
    Refresh {
        /// Also fetch feeds whose server asked us to wait (Retry-After).
        #[arg(long)]
        force: bool,
        /// JSON Lines on stdout: one per feed ("type": "feed"), then one per new article
        /// ("type": "article", `list --json`'s fields with `enclosures` and `body_text`).
        #[arg(long)]
        json: bool,
    },
    /// List articles, newest first.
    List(ListArgs),
    /// Show one article as text.
    Show {
        id: i64,
        /// Wrap at this many columns (default: $COLUMNS, else 80).
        #[arg(long)]
        width: Option<usize>,
        /// Reader mode: the full article from its web page (fetched once, then cached).
        #[arg(long)]
        full: bool,
        /// One JSON object: the article's fields, its text, links and images.
        #[arg(long)]
        json: bool,
    },
    /// Mark articles read, unread, starred or unstarred, by the ids `list --json` shows.
    Mark(MarkArgs),
    /// Group the cache's articles into stories now (a refresh does it by itself); with
    /// --rebuild, every story is made again from the first article.
    Stories {
        #[arg(long)]
        rebuild: bool,
        /// Articles decided per transaction (a kill loses at most one).
        #[arg(long, hide = true, default_value_t = crate::store::STORY_CHUNK)]
        chunk: usize,
    },
    /// Search with the query language (docs/queries.md): words and "phrases" in titles and
    /// bodies, fields such as title:, tag:, is:unread, age:<7d; -, OR and parentheses.
    Search {
        #[arg(value_parser = parse_query)]
        query: Query,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// What your [[filter]]s match in the cache as it is (the default, --dry-run), or apply
    /// them to it (--apply); refreshes apply them to new articles by themselves.
    Filter {
        /// List what each filter would change (the default).
        #[arg(long, conflicts_with = "apply")]
        dry_run: bool,
        /// Apply the filters to the articles already in the cache.
        #[arg(long)]
        apply: bool,
        #[arg(long)]
        json: bool,
    },
    /// Sync with your [[account]]s (Google Reader API, Fever, TT-RSS, Nextcloud News, Miniflux): push the read and starred changes
    /// made here, then pull subscriptions, new articles and state. A line per account.
    Sync {
        /// One JSON object per account: pushed, pulled, new, feeds, requests, pending, error.
        #[arg(long)]
        json: bool,
    },
    /// List the configured feeds with their counts and last fetch.
    Feeds {
        #[arg(long)]
        json: bool,
    },
    /// Add a feed to your config file (comments are kept). A web page's URL finds the feed it
    /// links to; nothing is added unless it parses.
    Add {
        url: String,
        /// A tag for the feed (repeat for more).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// A title of your own instead of the feed's.
        #[arg(long)]
        title: Option<String>,
        /// Subscribe on this sync account's server instead (Google Reader API; the first
        /// --tag is its folder there), then sync it.
        #[arg(long, value_name = "NAME", conflicts_with = "title")]
        account: Option<String>,
    },
    /// Remove a feed from your config file (its articles stay in the cache, hidden); a synced
    /// feed (by its address) is unsubscribed on its account's server.
    Remove { url: String },
    /// Give a feed a new address, keeping its articles, read and starred state, title and tags
    /// (a feed is its URL: editing the url line by hand starts a new feed instead).
    Move {
        /// The feed's address as written in the config.
        from: String,
        /// Its new address.
        to: String,
    },
    /// Set the title shown for a feed ("" goes back to the feed's own).
    Rename { url: String, title: String },
    /// Add the feeds of an OPML file to your config file (comments are kept); or, with
    /// --newsboat, newsboat's feeds, tags and titles, and its articles with their read state.
    Import {
        /// An OPML file.
        #[arg(required_unless_present = "newsboat")]
        file: Option<PathBuf>,
        /// newsboat's folder (its `urls` and `cache.db`); default ~/.newsboat, else
        /// $XDG_CONFIG_HOME/newsboat and $XDG_DATA_HOME/newsboat.
        #[arg(long, value_name = "DIR", num_args = 0..=1, conflicts_with = "file")]
        newsboat: Option<Option<PathBuf>>,
    },
    /// Print the configured feeds as OPML 2.0.
    Export,
    /// Try khabar offline on bundled demo feeds, in a temporary cache.
    Demo,
    /// Print a shell completion script: `khabar completions bash > ~/.local/share/bash-completion/completions/khabar`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `khabar man > ~/.local/share/man/man1/khabar.1`.
    Man,
    /// The config: with --example, print the documented example (every key, commented), to
    /// start a file of your own: `khabar config --example > ~/.config/khabar/config.toml`;
    /// without, say which file is in force.
    Config {
        #[arg(long)]
        example: bool,
    },
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("flag").required(true).args(["read", "unread", "star", "unstar"])))]
pub struct MarkArgs {
    /// Article ids (the `id` of `khabar list --json`).
    #[arg(required_unless_present = "story", value_name = "ID")]
    pub ids: Vec<i64>,
    /// Every article of this story (the `story` of `khabar list --json`).
    #[arg(long, value_name = "STORY")]
    pub story: Option<i64>,
    #[arg(long)]
    pub read: bool,
    #[arg(long)]
    pub unread: bool,
    #[arg(long)]
    pub star: bool,
    #[arg(long)]
    pub unstar: bool,
}

fn parse_query(text: &str) -> Result<Query, String> {
    crate::query::parse(text).map_err(|e| e.to_string())
}

fn parse_sort(s: &str) -> Result<SortOrder, String> {
    SortOrder::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = SortOrder::ALL.iter().map(|o| o.name()).collect();
        format!("unknown order {s:?}; use one of {}", names.join(", "))
    })
}

/// The shell completion script for `shell`, generated from the same definitions as `--help`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "khabar", out);
}

/// The manual page, generated from the same definitions as `--help` and the completions.
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command()).render(out)
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub unread: bool,
    #[arg(long)]
    pub starred: bool,
    /// Include articles hidden by filters.
    #[arg(long)]
    pub hidden: bool,
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// A feed URL as written in the config.
    #[arg(long, value_name = "URL")]
    pub feed: Option<String>,
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only articles this query matches (docs/queries.md), e.g. 'tag:tech is:unread -rust'.
    #[arg(long, value_name = "QUERY", value_parser = parse_query)]
    pub query: Option<Query>,
    /// Order: newest (the default), oldest, feed, title or unread (unread first).
    #[arg(long, value_name = "ORDER", default_value = "newest", value_parser = parse_sort)]
    pub sort: SortOrder,
    /// JSON Lines: one object per article.
    #[arg(long)]
    pub json: bool,
    /// One line per story: the article that leads it, then the other feeds that report it.
    #[arg(long)]
    pub stories: bool,
}
