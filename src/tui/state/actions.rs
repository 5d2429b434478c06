//! What each `Action` does in the current focus: `perform` dispatches to the pane that owns the
//! behaviour; flags (read, star, mark the view read) and focus moves live here.

use super::super::action::Action;
use super::article::{self, open_selected, render_if_needed};
use super::headlines::{go_bottom, go_top, move_by};
use super::input::{confirm_remove_feed, prompt, Confirmed, InputKind};
use super::links;
use super::refresh::start_refresh;
use super::sidebar::{activate_sidebar, toggle_group, toggle_hide_read};
use super::stories;
use super::undo::{self, Change};
use super::unread;
use super::visual;
use super::{AppState, Command, Focus, Mode, SidebarEntry, ViewKind};
use crate::model::{Filter, Flag};

/// Runs an action in the current focus. A count repeats motions; before `o` or `y` it picks
/// the article's numbered link ("3o" opens link [3]).
pub fn perform(state: &mut AppState, action: Action, given: Option<usize>) -> Vec<Command> {
    let count = given.unwrap_or(1);
    if state.visual.is_some() {
        match action {
            Action::ToggleRead => return visual::set_flag(state, Flag::Read),
            Action::ToggleStar => return visual::set_flag(state, Flag::Starred),
            Action::OpenLink => return visual::open(state),
            Action::Cancel | Action::Back | Action::Visual => return visual::toggle(state),
            // Movement extends the selection; anything else ends it first.
            _ if matches!(state.focus, Focus::Headlines) && is_motion(action) => {}
            _ => state.visual = None,
        }
    }
    match action {
        Action::Visual => visual::toggle(state),
        Action::MoveDown
        | Action::MoveUp
        | Action::HalfPageDown
        | Action::HalfPageUp
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom => motion(state, action, count),
        Action::FocusLeft | Action::FocusPrev | Action::FocusRight | Action::FocusNext => {
            state.focus = next_focus(state, action);
            render_if_needed(state)
        }
        Action::Open => match state.focus {
            Focus::Sidebar => {
                if let Some(SidebarEntry::Untagged) = state.selected_entry() {
                    toggle_group(state);
                    return vec![];
                }
                state.focus = Focus::Headlines;
                activate_sidebar(state)
            }
            Focus::Headlines => open_selected(state),
            Focus::Article => vec![],
        },
        Action::PageArticle | Action::FullArticle | Action::OpenLink | Action::CopyLink => {
            article::perform(state, action, given)
        }
        Action::Pipe => article::pipe(state, None),
        Action::LinkHints => links::start_hints(state),
        Action::UrlPicker => links::open_url_picker(state),
        Action::Share => links::open_share_picker(state),
        Action::LastMessage => links::show_last_message(state),
        Action::Download => article::download(state, given.unwrap_or(1)),
        Action::ToggleRead => toggle_flag(state, true),
        Action::ToggleStar => toggle_flag(state, false),
        Action::MarkViewRead => confirm_mark_view_read(state),
        Action::NextUnread => unread::next_unread(state, false, false),
        Action::PrevUnread => unread::next_unread(state, true, false),
        Action::ReadAndNext => unread::read_and_next(state),
        Action::CycleSort => {
            let sort = state.view.sort.next();
            state.view.sort = sort;
            let key = state.view.kind.key();
            state.sorts.insert(key.clone(), sort);
            state.notify(format!("sorted {}", sort.describe()), false);
            let mut cmds = vec![Command::SaveSort { view: key, sort }];
            cmds.extend(state.reload_view());
            cmds
        }
        Action::RemoveFeed => confirm_remove_feed(state),
        Action::Undo => undo::undo(state),
        Action::Redo => undo::redo(state),
        Action::ToggleUnreadOnly => {
            let mut view = state.view.clone();
            view.unread_only = !view.unread_only;
            state.open_view(view)
        }
        Action::ToggleHidden => {
            let mut view = state.view.clone();
            view.show_hidden = !view.show_hidden;
            state.notify(
                if view.show_hidden {
                    "showing articles hidden by filters (. hides them again)"
                } else {
                    "articles hidden by filters are hidden again"
                },
                false,
            );
            state.open_view(view)
        }
        Action::ToggleStory => stories::toggle_story(state),
        Action::RefreshFeed => {
            let feed = match (state.focus, state.sidebar_entries().get(state.sidebar_selected)) {
                (Focus::Sidebar, Some(SidebarEntry::Feed { id, .. })) => Some(*id),
                _ => state.headlines.current().map(|a| a.feed_id),
            };
            match feed {
                Some(id) => start_refresh(state, Some(id)),
                None => {
                    state.notify("no feed selected", true);
                    vec![]
                }
            }
        }
        Action::RefreshAll => start_refresh(state, None),
        Action::Search => prompt(state, InputKind::Search),
        Action::CommandLine => prompt(state, InputKind::Command),
        Action::NextResult | Action::PrevResult => {
            if state.view.search().is_none() {
                state.notify("no search: press / to search", true);
                return vec![];
            }
            let step = if action == Action::NextResult {
                count as isize
            } else {
                -(count as isize)
            };
            state.focus = Focus::Headlines;
            let mut cmds = move_by(state, step);
            cmds.extend(open_selected(state));
            cmds
        }
        Action::ToggleFullscreen => {
            state.fullscreen = !state.fullscreen;
            if state.fullscreen && state.article.is_some() {
                state.focus = Focus::Article;
            }
            render_if_needed(state)
        }
        Action::ToggleFeeds => {
            toggle_group(state);
            vec![]
        }
        Action::ToggleHideRead => {
            toggle_hide_read(state);
            vec![]
        }
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        Action::Back => back(state),
        Action::Cancel => {
            state.notice = None;
            state.count = None;
            vec![]
        }
        // ctrl-c, newsboat's Q: never asks.
        Action::Quit => {
            state.quit = true;
            vec![]
        }
    }
}

/// Actions that move the selection (and so extend a visual selection). The match in `perform`
/// lists the same movements without the unread jumps; it stays a plain match so the compiler
/// checks that every action is handled.
fn is_motion(action: Action) -> bool {
    matches!(
        action,
        Action::MoveDown
            | Action::MoveUp
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
            | Action::NextUnread
            | Action::PrevUnread
    )
}

/// Movement by lines, half pages, pages (of the focused pane), or to either end.
fn motion(state: &mut AppState, action: Action, count: usize) -> Vec<Command> {
    let page = match state.focus {
        Focus::Article => state.article_page(),
        _ => state.headline_page(),
    };
    let half = page.div_ceil(2);
    let delta = match action {
        Action::MoveDown => count as isize,
        Action::MoveUp => -(count as isize),
        Action::HalfPageDown => (count * half) as isize,
        Action::HalfPageUp => -((count * half) as isize),
        Action::PageDown => (count * page) as isize,
        Action::PageUp => -((count * page) as isize),
        Action::Top => return go_top(state),
        _ => return go_bottom(state),
    };
    move_by(state, delta)
}

/// h/l move left and right through the panes shown; Tab and Shift-Tab cycle through them.
fn next_focus(state: &AppState, action: Action) -> Focus {
    let article = state.article.is_some();
    match (action, state.focus) {
        (Action::FocusLeft | Action::FocusPrev, Focus::Article) => Focus::Headlines,
        (Action::FocusLeft | Action::FocusPrev, Focus::Headlines) => Focus::Sidebar,
        (Action::FocusPrev, Focus::Sidebar) if article => Focus::Article,
        (Action::FocusPrev, Focus::Sidebar) => Focus::Headlines,
        (Action::FocusLeft, Focus::Sidebar) => Focus::Sidebar,
        (_, Focus::Sidebar) => Focus::Headlines,
        (_, Focus::Headlines) if article => Focus::Article,
        (Action::FocusNext, Focus::Headlines | Focus::Article) => Focus::Sidebar,
        (_, other) => other,
    }
}

/// `q`: closes the article, then leaves a search, then quits.
fn back(state: &mut AppState) -> Vec<Command> {
    match state.focus {
        Focus::Article => {
            state.article = None;
            state.fullscreen = false;
            state.focus = Focus::Headlines;
        }
        _ if state.view.search().is_some() => return state.open_view(state.view_of(ViewKind::All)),
        // From the lists, `q` quits at once, an article open beside them or not (or asks, with
        // `confirm_quit`).
        _ => return quit(state),
    }
    vec![]
}

/// Quits, or asks first when `confirm_quit` says so.
fn quit(state: &mut AppState) -> Vec<Command> {
    if state.confirm_quit {
        state.mode = Mode::Confirm {
            question: "quit khabar? (y/n)".into(),
            then: Confirmed::Quit,
        };
    } else {
        state.quit = true;
    }
    vec![]
}

fn toggle_flag(state: &mut AppState, read: bool) -> Vec<Command> {
    let target = match (state.focus, &state.article) {
        (Focus::Article, Some(p)) => p.article.summary.id,
        _ => match state.headlines.current() {
            Some(a) => a.id,
            None => return vec![],
        },
    };
    let mut value = None;
    for a in state.headlines.rows.iter_mut().filter(|a| a.id == target) {
        if read {
            a.read = !a.read;
            value = Some(a.read);
        } else {
            a.starred = !a.starred;
            value = Some(a.starred);
        }
    }
    if let Some(p) = state.article.as_mut().filter(|p| p.article.summary.id == target) {
        let s = &mut p.article.summary;
        let v = value.unwrap_or(if read { !s.read } else { !s.starred });
        if read {
            s.read = v;
        } else {
            s.starred = v;
        }
        value = Some(v);
    }
    let Some(v) = value else { return vec![] };
    let (flag, what) = match (read, v) {
        (true, true) => (Flag::Read, "marked read"),
        (true, false) => (Flag::Read, "marked unread"),
        (false, true) => (Flag::Starred, "starred"),
        (false, false) => (Flag::Starred, "unstarred"),
    };
    state.history.record(Change {
        flag,
        ids: vec![target],
        value: v,
        what: what.into(),
    });
    let cmd = if read {
        Command::SetRead(target, v)
    } else {
        Command::SetStarred(target, v)
    };
    vec![cmd, Command::LoadFeeds]
}

/// Marking a view read asks first when it would change more than a screenful, and always in
/// All (one key must not lose months of unread state).
fn confirm_mark_view_read(state: &mut AppState) -> Vec<Command> {
    let unread = unread_in_view(state);
    if unread == Some(0) {
        state.notify(format!("nothing unread in {}", state.view_title()), false);
        return vec![];
    }
    let big = unread.is_none_or(|n| n > state.headline_page());
    if !state.confirm_mark_all || (!big && state.view.kind != ViewKind::All) {
        return mark_view_read(state);
    }
    let how_many = unread.map_or("every unread article".to_string(), |n| format!("{n} unread articles"));
    state.mode = Mode::Confirm {
        question: format!("mark {how_many} in {} read? (y/n)", state.view_title()),
        then: Confirmed::MarkViewRead,
    };
    vec![]
}

/// Unread articles in the view, from the per-feed counts (or the rows, when all are loaded);
/// None when unknown.
fn unread_in_view(state: &AppState) -> Option<usize> {
    let sum = |keep: &dyn Fn(&crate::model::Feed) -> bool| -> usize {
        state.feeds.iter().filter(|f| keep(f)).map(|f| f.unread as usize).sum()
    };
    let h = &state.headlines;
    match &state.view.kind {
        ViewKind::All | ViewKind::Unread => Some(sum(&|_| true)),
        ViewKind::Tag(t) => Some(sum(&|f| f.has_label(t))),
        ViewKind::Feed { id, .. } => Some(sum(&|f| f.id == *id)),
        ViewKind::Query { name, .. } => state.query_unread.get(name).map(|n| *n as usize),
        ViewKind::Starred | ViewKind::Search(_) if h.at_top && h.at_bottom && !h.loading => {
            Some(h.rows.iter().filter(|a| !a.read).count())
        }
        ViewKind::Starred | ViewKind::Search(_) => None,
    }
}

pub(super) fn mark_view_read(state: &mut AppState) -> Vec<Command> {
    let what = format!("marked {} read", state.view_title());
    if state.view.search().is_some() {
        // A search view's rows are all loaded: mark exactly those.
        let ids: Vec<_> = state.headlines.rows.iter().filter(|a| !a.read).map(|a| a.id).collect();
        for a in &mut state.headlines.rows {
            a.read = true;
        }
        let cmds = ids
            .iter()
            .map(|id| Command::SetRead(*id, true))
            .chain([Command::LoadFeeds])
            .collect();
        state.history.record(Change {
            flag: Flag::Read,
            ids,
            value: true,
            what: what.clone(),
        });
        state.notify(what, false);
        return cmds;
    }
    for a in &mut state.headlines.rows {
        a.read = true;
    }
    state.notify(what.clone(), false);
    // A story's folded copies are part of what the view shows: they are read with it.
    let filter = Filter {
        stories: false,
        expanded: None,
        ..state.view.filter()
    };
    vec![Command::MarkViewRead { filter, what }, Command::LoadFeeds]
}
