//! Runs the Commands that `update` returns: cache queries and writes on a worker thread with its
//! own connection, rendering on the blocking pool, refreshes through the poller, the browser
//! and the clipboard. Results come back to the event loop as `Msg`s.

mod accounts;
mod cache;
mod counter;
mod media;
mod open;
mod refresh;
mod user;
mod watch;

use std::path::PathBuf;
use std::sync::{mpsc as std_mpsc, Arc};

use chrono::Utc;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::feed::full::fetch_full;
use crate::feed::{Fetcher, Limits};
use crate::poller::{Job, Poller};
use crate::store::SharedStore;
use crate::store::Store;
use crate::subscribe;
use crate::text::html;
use crate::text::rich;

use super::state::{Command, Msg, Notice};
use cache::{store_worker, StoreJob};
use counter::Counter;
use refresh::Wait;
use watch::SharedConfig;

pub use open::open_url;

pub struct Effects {
    jobs: std_mpsc::Sender<StoreJob>,
    /// The saved queries' counter (the store worker counts only when it is gone).
    counter: Counter,
    msgs: mpsc::UnboundedSender<Msg>,
    /// The config in force: replaced when the file changes (`watch.rs`).
    config: SharedConfig,
    cache: PathBuf,
    /// Set up on first use, off the path to the first frame: HTTP clients load the system's
    /// certificates and the poller opens two more cache connections (a few ms at startup).
    network: Arc<tokio::sync::OnceCell<Arc<Network>>>,
    /// Held while a refresh runs: a scheduled one is skipped then, an asked-for one waits.
    refreshing: Arc<tokio::sync::Mutex<()>>,
    /// When each account was last synced whole: the accounts' schedule (`accounts.rs`) syncs
    /// each once per its interval; `R` syncs them all.
    last_sync: accounts::LastSync,
    /// Held while an account is synced or its changes sent: never two at once.
    accounts_busy: Arc<tokio::sync::Mutex<()>>,
    /// Set once the accounts' schedule runs.
    account_schedule: Arc<std::sync::OnceLock<()>>,
    /// How pictures are encoded for this terminal; unset while they are off.
    picker: std::sync::OnceLock<ratatui_image::picker::Picker>,
}

/// The runtime that refreshes and fetches pages for the reader: its threads (HTTP, parsing,
/// cache writes) run at a lower priority than the event loop, so on a busy machine a key press
/// is handled before the next feed is parsed. Lives as long as the process.
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
fn background() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name("khabar-refresh")
            .on_thread_start(|| {
                // Linux applies this to the calling thread only; elsewhere it may lower the whole
                // process, which is harmless.
                // SAFETY: setpriority has no memory effects; a failure only leaves the priority.
                unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
            })
            .enable_all()
            .build()
            .expect("a runtime for the background refresh")
    })
}

/// What refreshing and reader mode need.
struct Network {
    poll_store: SharedStore,
    poller: Arc<Poller>,
    /// For reader mode: the same limits as feeds.
    fetcher: Fetcher,
}

impl Network {
    async fn get(
        cell: &tokio::sync::OnceCell<Arc<Network>>,
        config: &Arc<Config>,
        cache: &std::path::Path,
    ) -> Result<Arc<Network>, String> {
        let (config, cache) = (config.clone(), cache.to_path_buf());
        cell.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || -> anyhow::Result<Arc<Network>> {
                let poll_store: SharedStore = Arc::new(std::sync::Mutex::new(Store::open(&cache)?));
                Ok(Arc::new(Network {
                    poller: Arc::new(
                        Poller::new(&config.general, poll_store.clone())?
                            .with_stories(crate::store::StoryRules::from_config(&config)),
                    ),
                    poll_store,
                    fetcher: Fetcher::new(Limits::from(&config.general))?,
                }))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{e:#}"))
        })
        .await
        .cloned()
    }
}

impl Effects {
    /// Starts the store worker on `store`; the poller writes through its own connection to `cache`.
    pub fn start(
        config: Arc<Config>,
        store: Store,
        cache: PathBuf,
        msgs: mpsc::UnboundedSender<Msg>,
    ) -> anyhow::Result<Effects> {
        let counter = Counter::start(cache.clone(), msgs.clone())?;
        let (jobs, rx) = std_mpsc::channel();
        let worker_msgs = msgs.clone();
        std::thread::Builder::new()
            .name("khabar-store".into())
            .spawn(move || store_worker(store, rx, worker_msgs))?;
        let config: SharedConfig = Arc::new(std::sync::RwLock::new(config));
        watch::start(config.clone(), jobs.clone(), msgs.clone());
        Ok(Effects {
            jobs,
            counter,
            msgs,
            config,
            cache,
            network: Arc::new(tokio::sync::OnceCell::new()),
            refreshing: Arc::new(tokio::sync::Mutex::new(())),
            last_sync: Arc::default(),
            accounts_busy: Arc::default(),
            account_schedule: Arc::default(),
            picker: std::sync::OnceLock::new(),
        })
    }

    pub fn run(&self, cmd: Command) {
        match cmd {
            // The cache worker answers these as they are.
            cmd @ (Command::LoadFeeds
            | Command::CheckCache
            | Command::LoadPage { .. }
            | Command::LoadArticle(_)
            | Command::SetRead(..)
            | Command::SetStarred(..)
            | Command::FindUnread { .. }
            | Command::SaveSort { .. }
            | Command::SetFlags { .. }
            | Command::MarkViewRead { .. }
            | Command::SetArticleTag { .. }
            | Command::RememberPrompt { .. }) => self.job(StoreJob::Cache(cmd)),
            Command::Share { id, target } => self.share(id, target),
            Command::SaveArticle { id, path } => self.save_article(id, path),
            Command::CountQueries(queries) => {
                // The counter gone (it logged why), the store worker counts afresh instead.
                if let Err(queries) = self.counter.ask(queries) {
                    self.job(StoreJob::CountAfresh(queries));
                }
            }
            Command::ApplyFilters => {
                let rules = self.config().filters.clone();
                if rules.is_empty() {
                    let _ = self.msgs.send(Msg::Notice(Notice {
                        text: "no [[filter]] in your config (docs/queries.md shows how to write one)".into(),
                        error: true,
                    }));
                } else {
                    self.job(StoreJob::ApplyFilters(rules));
                }
            }
            Command::Render { id, html, width, full } => self.render(id, html, width, full),
            Command::FetchFull { id, link, feed_url } => self.fetch_full(id, link, &feed_url),
            Command::Refresh(feed) => self.refresh(
                move |job: &Job| feed.is_none_or(|id| job.state.feed_id == id),
                feed.is_some(),
                Wait::Asked,
                feed.is_none(),
            ),
            Command::RefreshDue => {
                // The accounts keep their own schedule, started with the reader's first check.
                self.start_account_schedule();
                let now = Utc::now();
                self.refresh(move |job: &Job| job.is_due(now), false, Wait::SkipIfRunning, false);
            }
            Command::RefreshNew => self.refresh(
                |job: &Job| job.state.last_fetched.is_none(),
                false,
                Wait::Quietly,
                false,
            ),
            Command::Open(target) => self.open(&target),
            Command::Download(url) => media::download(self.config(), self.msgs.clone(), url),
            Command::LoadImage {
                id,
                url,
                cols,
                max_rows,
            } => self.load_image(id, url, cols, max_rows),
            Command::Pipe { id, argv } => self.pipe(id, argv),
            // The app runs these: only it writes to the terminal.
            Command::RunInTerminal(_) | Command::TerminalNotify(_) | Command::Copy(_) => {}
            Command::MoveFeed { from, to } => self.job(StoreJob::MoveFeed {
                source: self.config().source.clone(),
                from,
                to,
            }),
            cmd @ (Command::AddFeed { .. }
            | Command::RemoveFeed { .. }
            | Command::RestoreFeed(_)
            | Command::RenameFeed { .. }
            | Command::SaveQuery { .. }) => self.subscribe(cmd),
        }
    }

    /// Renders an article's HTML on the blocking pool: a long body's first screen at once, then
    /// the whole; a renderer panic on hostile HTML becomes a plain-text fallback.
    fn render(&self, id: crate::model::ArticleId, html: String, width: usize, full: bool) {
        let msgs = self.msgs.clone();
        tokio::task::spawn_blocking(move || {
            // A long body shows its beginning at once; the whole rendering replaces it.
            // A renderer panic on hostile HTML becomes a plain-text fallback.
            let safe = |f: &dyn Fn() -> rich::Rendered| {
                crate::panics::contain(f).unwrap_or_else(|e| {
                    tracing::error!("rendering article {}: {e}", id.0);
                    rich::Rendered {
                        lines: vec![rich::RichLine::plain(rich::LineKind::Text, html::to_plain(&html))],
                        ..rich::Rendered::default()
                    }
                })
            };
            let first = rich::first_screen(&html).map(|prefix| safe(&|| rich::render(prefix, width)));
            for rendered in first
                .into_iter()
                .chain(std::iter::once_with(|| safe(&|| rich::render(&html, width))))
            {
                let msg = Msg::Rendered {
                    id,
                    width,
                    full,
                    rendered,
                };
                if msgs.send(msg).is_err() {
                    break;
                }
            }
        });
    }

    /// Reader mode's page for an article: stored, then the article reloaded; a failure is
    /// stored on the article and said.
    fn fetch_full(&self, id: crate::model::ArticleId, link: Option<String>, feed_url: &str) {
        let (jobs, msgs) = (self.jobs.clone(), self.msgs.clone());
        let (network, config, cache) = (self.network.clone(), self.config(), self.cache.clone());
        let selector = config.reader_selector(feed_url);
        background().spawn(async move {
            let fetched = match Network::get(&network, &config, &cache).await {
                Ok(net) => fetch_full(&net.fetcher, link.as_deref(), selector.as_deref())
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match fetched {
                Ok(html) => {
                    // Stored first, then reloaded: the same worker runs both in order.
                    let _ = jobs.send(StoreJob::SetFull(id, Ok(html)));
                    let _ = jobs.send(StoreJob::Cache(Command::LoadArticle(id)));
                }
                Err(e) => {
                    let _ = jobs.send(StoreJob::SetFull(id, Err(e.clone())));
                    let _ = msgs.send(Msg::FullFailed { id, reason: e });
                }
            }
        });
    }

    /// A link to its opener (a terminal one through the app), else the browser.
    fn open(&self, target: &crate::model::OpenTarget) {
        let config = self.config();
        let opener = config.openers.iter().find(|o| o.matches(target));
        let argv = match opener {
            Some(o) => o.argv(target),
            None => crate::config::fallback_opener(
                config.general.browser.as_deref(),
                std::env::var("BROWSER").ok().as_deref(),
                target,
            ),
        };
        if opener.is_some_and(|o| o.terminal) {
            let _ = self.msgs.send(Msg::RunInTerminal(argv));
        } else if let Err(e) = open_url(&argv, &target.url) {
            self.notice(format!("cannot open {}: {e}", target.url), true);
        }
    }

    /// The config in force now (the app reads a reloaded config's colours here).
    pub fn current_config(&self) -> Arc<Config> {
        self.config()
    }

    /// The config in force now.
    fn config(&self) -> Arc<Config> {
        watch::current(&self.config)
    }

    /// Changes the feed list in the config file; the watcher then applies the new file.
    fn subscribe(&self, cmd: Command) {
        let (config, msgs) = (self.config(), self.msgs.clone());
        background().spawn(async move {
            let source = config.source.clone();
            let result = match cmd {
                Command::AddFeed { url, tags } => subscribe::add(&source, &config.general, &url, &tags, None)
                    .await
                    .map(|added| {
                        let name = added.feed.title.unwrap_or_else(|| added.feed.url.clone());
                        Msg::Notice(Notice {
                            text: format!("added {name} ({} articles); fetching it", added.feed.articles),
                            error: false,
                        })
                    }),
                Command::RemoveFeed { url, record } => {
                    subscribe::remove(&source, &url).map(|removed| Msg::FeedRemoved { removed, record })
                }
                Command::RestoreFeed(removed) => subscribe::restore(&source, &removed).map(|()| {
                    Msg::Notice(Notice {
                        text: format!("{} is back in your config", removed.url),
                        error: false,
                    })
                }),
                Command::RenameFeed { url, title } => subscribe::rename(&source, &url, title.as_deref()).map(|()| {
                    Msg::Notice(Notice {
                        text: format!("renamed {url}"),
                        error: false,
                    })
                }),
                Command::SaveQuery { name, query } => subscribe::save_query(&source, &name, &query).map(|()| {
                    Msg::Notice(Notice {
                        text: format!("saved query {name:?} in your config"),
                        error: false,
                    })
                }),
                _ => return,
            };
            let msg = result.unwrap_or_else(|e| {
                Msg::Notice(Notice {
                    text: e.to_string(),
                    error: true,
                })
            });
            let _ = msgs.send(msg);
        });
    }

    /// The reader is leaving: lets the counter save its counts for the next one (after the
    /// count it may be in the middle of).
    pub fn finish(self) {
        self.counter.finish();
    }

    fn job(&self, job: StoreJob) {
        if self.jobs.send(job).is_err() {
            self.notice("the cache worker stopped; see the log".into(), true);
        }
    }

    fn notice(&self, text: String, error: bool) {
        let _ = self.msgs.send(Msg::Notice(Notice { text, error }));
    }
}
