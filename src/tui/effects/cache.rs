//! The reader's cache worker: a thread with its own connection that answers store jobs in order
//! (pages of a view, an article, the feed list, writes of flags) with `Msg`s for the event loop.

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use crate::config::FeedConfig;
use crate::model::{ArticleId, Flag};
use crate::query::{FilterAction, FilterRule};
use crate::store::{action_flag, Store, StoreError};

use super::super::state::{Change, Command, FilterChange, LoadKind, Msg, Notice, View, PAGE};
use super::counter::count_saved_queries;

/// Most results a search view holds.
const SEARCH_LIMIT: usize = 500;

/// The cache worker's answer to `StoreJob::ArticleFor`: the article, None when it is gone.
pub(super) type ArticleAnswer = Result<Option<crate::model::Article>, String>;

pub(super) enum StoreJob {
    /// A cache command as `update` made it (the effects send those as they are), answered with
    /// the `Msg` it asks for.
    Cache(Command),
    /// Every saved query counted afresh (the counter thread is gone).
    CountAfresh(Vec<(String, crate::query::Query)>),
    ApplyFilters(std::sync::Arc<[FilterRule]>),
    /// An article for the effects, not the state (the pipe program, a share target, a file
    /// read it): the answer goes to the sender.
    ArticleFor(ArticleId, tokio::sync::oneshot::Sender<ArticleAnswer>),
    SetFull(ArticleId, Result<String, String>),
    /// `:move`: the feed's history, then its config line (`subscribe::relocate`); the config
    /// watcher applies the file.
    MoveFeed {
        source: crate::config::ConfigSource,
        from: String,
        to: String,
    },
    /// The config changed: its feeds into the cache (new ones added, removed ones hidden); the
    /// sender hears when it is done.
    SyncFeeds(Vec<FeedConfig>, tokio::sync::oneshot::Sender<()>),
}

impl StoreJob {
    fn writes(&self) -> bool {
        !matches!(
            self,
            StoreJob::Cache(
                Command::LoadFeeds
                    | Command::CheckCache
                    | Command::LoadPage { .. }
                    | Command::LoadArticle(_)
                    | Command::FindUnread { .. }
            ) | StoreJob::CountAfresh(_)
                | StoreJob::ArticleFor(..)
        )
    }
}

/// Answers store jobs in order until the app drops its sender.
pub(super) fn store_worker(mut store: Store, jobs: std_mpsc::Receiver<StoreJob>, msgs: mpsc::UnboundedSender<Msg>) {
    if let Err(e) = store.defer_checkpoints() {
        tracing::warn!("cache: {e}");
    }
    let mut wrote = false;
    let mut seen_version = store.data_version().ok();
    loop {
        // The WAL is copied into the file when no job waits, not inside the write a key asked for.
        let job = match jobs.try_recv() {
            Ok(job) => job,
            Err(std_mpsc::TryRecvError::Disconnected) => break,
            Err(std_mpsc::TryRecvError::Empty) => {
                if std::mem::take(&mut wrote) {
                    if let Err(e) = store.checkpoint() {
                        tracing::warn!("cache checkpoint: {e}");
                    }
                }
                match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                }
            }
        };
        wrote |= job.writes();
        // Writes answer nothing unless they fail; the state already shows their effect.
        let reply = answer(&mut store, job, &msgs, &mut seen_version);
        let msg = match reply {
            Ok(Some(msg)) => msg,
            Ok(None) => continue,
            Err(e) => cache_error(&e),
        };
        if msgs.send(msg).is_err() {
            break;
        }
    }
}

/// One job's answer: the `Msg` it asks for (None for a write, which the state already shows),
/// or the cache's error. A job that answers twice (a page, then its count) sends the first
/// itself.
fn answer(
    store: &mut Store,
    job: StoreJob,
    msgs: &mpsc::UnboundedSender<Msg>,
    seen_version: &mut Option<i64>,
) -> Result<Option<Msg>, StoreError> {
    match job {
        StoreJob::Cache(Command::LoadFeeds) => store.feeds().and_then(|f| {
            // The feeds first: the tags' counts are a second look.
            if msgs.send(Msg::Feeds(f)).is_err() {
                return Ok(None);
            }
            store.article_tag_counts().map(|t| Some(Msg::ArticleTags(t)))
        }),
        StoreJob::Cache(Command::CheckCache) => store.data_version().map(|version| {
            let changed = seen_version.is_some_and(|seen| seen != version);
            *seen_version = Some(version);
            changed.then_some(Msg::CacheChangedElsewhere)
        }),
        StoreJob::CountAfresh(queries) => {
            count_saved_queries(store, None, &queries).map(|counts| Some(Msg::QueryCounts(counts)))
        }
        StoreJob::Cache(Command::LoadPage {
            generation,
            view,
            kind,
            count,
        }) => load_page(store, &view, kind).map(|(rows, first_index, total)| {
            let page = Msg::Page {
                generation,
                kind,
                rows,
                first_index,
                total,
            };
            // The page goes out first; counting a large view can take longer than the query.
            if count && total.is_none() {
                if msgs.send(page).is_err() {
                    return None;
                }
                return store
                    .count(&view.filter())
                    .ok()
                    .map(|total| Msg::Total { generation, total });
            }
            Some(page)
        }),
        StoreJob::Cache(Command::FindUnread {
            generation,
            view,
            after,
            backward,
        }) => find_unread(store, &view, after, backward).map(|found| {
            Some(match found {
                Some((id, (rows, first_index, total))) => Msg::Page {
                    generation,
                    kind: LoadKind::At(id),
                    rows,
                    first_index,
                    total,
                },
                None => Msg::NoUnreadBeyond { generation },
            })
        }),
        StoreJob::Cache(Command::SaveSort { view, sort }) => store.set_view_sort(&view, sort).map(|_| None),
        StoreJob::Cache(Command::RememberPrompt { kind, text }) => store.remember_prompt(kind, &text).map(|_| None),
        StoreJob::MoveFeed { source, from, to } => {
            let moved = crate::subscribe::relocate(&source, &from, &to, |a, b| {
                store.move_feed(a, b).map(|_| ()).map_err(|e| e.to_string())
            });
            Ok(Some(Msg::Notice(match moved {
                Ok(_) => Notice {
                    text: format!("moved {from} to {to}, its articles and read state with it"),
                    error: false,
                },
                Err(e) => Notice {
                    text: e.to_string(),
                    error: true,
                },
            })))
        }
        StoreJob::SyncFeeds(feeds, done) => {
            let synced = store.sync_feeds(&feeds).map(|_| None);
            let _ = done.send(());
            synced
        }
        StoreJob::Cache(Command::LoadArticle(id)) => store.article(id).map(|a| a.map(|a| Msg::Article(Box::new(a)))),
        StoreJob::Cache(Command::SetRead(id, v)) => store.set_read(id, v).map(|_| None),
        StoreJob::Cache(Command::SetStarred(id, v)) => store.set_starred(id, v).map(|_| None),
        StoreJob::Cache(Command::SetFlags { flag, ids, value }) => store.set_flag_many(&ids, flag, value).map(|_| None),
        StoreJob::Cache(Command::MarkViewRead { filter, what }) => store.mark_view_read_ids(&filter).map(|ids| {
            Some(Msg::Changed(Change {
                flag: Flag::Read,
                ids,
                value: true,
                what,
            }))
        }),
        StoreJob::ArticleFor(id, answer) => {
            let _ = answer.send(store.article(id).map_err(|e| e.to_string()));
            Ok(None)
        }
        StoreJob::ApplyFilters(rules) => store.apply_filters(&rules).map(|applied| {
            let changes = applied
                .into_iter()
                .filter(|a| !a.ids.is_empty())
                .filter_map(|a| {
                    let rule = &rules[a.rule];
                    let what = format!("filter {} ({})", a.rule + 1, rule.label());
                    match (&rule.action, action_flag(&rule.action)) {
                        (FilterAction::Tag(tag), _) => Some(FilterChange::Tagged {
                            tag: tag.clone(),
                            ids: a.ids,
                        }),
                        (_, Some(flag)) => Some(FilterChange::Flags(Change {
                            flag,
                            ids: a.ids,
                            value: true,
                            what,
                        })),
                        (_, None) => None,
                    }
                })
                .collect();
            Some(Msg::FiltersApplied(changes))
        }),
        StoreJob::Cache(Command::SetArticleTag { tag, ids, value: true }) => {
            store.add_article_tag(&ids, &tag).map(|_| None)
        }
        StoreJob::Cache(Command::SetArticleTag { tag, ids, value: false }) => {
            store.remove_article_tag(&ids, &tag).map(|_| None)
        }
        // Only cache commands are sent here (`Effects::run`).
        StoreJob::Cache(other) => {
            tracing::error!("cache worker: {other:?} is not a cache command");
            Ok(None)
        }
        StoreJob::SetFull(id, result) => {
            let result = result.as_deref().map_err(String::as_str);
            store.set_full_content(id, result).map(|_| None)
        }
    }
}

/// A failed job: logged, and said in the status bar.
pub(super) fn cache_error(e: &StoreError) -> Msg {
    tracing::error!("cache: {e}");
    Msg::Notice(Notice {
        text: format!("cache error: {e}"),
        error: true,
    })
}

/// The first unread article past `after`, and the page that starts with it.
fn find_unread(
    store: &Store,
    view: &View,
    after: ArticleId,
    backward: bool,
) -> Result<Option<(ArticleId, Page)>, StoreError> {
    let cursor = store.cursor_of(after)?;
    match store.next_unread(&view.filter(), Some(&cursor), backward)? {
        Some(id) => Ok(Some((id, load_page(store, view, LoadKind::At(id))?))),
        None => Ok(None),
    }
}

type Page = (Vec<crate::model::ArticleSummary>, Option<usize>, Option<usize>);

fn load_page(store: &Store, view: &View, kind: LoadKind) -> Result<Page, StoreError> {
    let filter = view.filter();
    if let Some(q) = view.search() {
        let rows = match kind {
            LoadKind::First => store.search(q, &filter, SEARCH_LIMIT)?,
            _ => Vec::new(),
        };
        let total = rows.len();
        return Ok((rows, Some(0), Some(total)));
    }
    Ok(match kind {
        LoadKind::First => {
            let rows = store.list(&filter, PAGE, None)?;
            // A short first page is the whole view: its length is the count.
            let total = (rows.len() < PAGE).then_some(rows.len());
            (rows, Some(0), total)
        }
        LoadKind::After(id) => (store.list(&filter, PAGE, Some(&store.cursor_of(id)?))?, None, None),
        // The state places an earlier page just before its window: no COUNT over the rows
        // newer than it, which costs a read per row (most of the view after G).
        LoadKind::Before(id) => (store.list_before(&filter, PAGE, &store.cursor_of(id)?)?, None, None),
        LoadKind::At(id) => {
            let cursor = store.cursor_of(id)?;
            let rows = store.list_from(&filter, PAGE, &cursor)?;
            (rows, Some(store.position(&filter, &cursor)?), None)
        }
        LoadKind::Last => {
            let rows = store.list_last(&filter, PAGE)?;
            let total = store.count(&filter)?;
            let len = rows.len();
            (rows, Some(total.saturating_sub(len)), Some(total))
        }
    })
}
