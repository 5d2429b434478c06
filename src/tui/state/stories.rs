//! Stories in the reader: a story read as one (its other copies marked read with it, one undo
//! step), its "Also in" links, and showing it whole (`=`).

use crate::model::{ArticleSummary, Flag};

use super::undo::Change;
use super::{AppState, Command};

/// Where the article pane's "Also in" links point: the story's other articles, opened in the
/// pane like any link is opened (`3o`).
pub(super) const ALSO_IN: &str = "khabar:article/";

/// "Also in: Feed B [1], Feed C [2]" above a story's article: each a link to the other copy.
pub(super) fn also_in(members: &[crate::model::StoryMember]) -> Option<String> {
    if members.is_empty() {
        return None;
    }
    let links: Vec<String> = members
        .iter()
        .map(|m| {
            format!(
                "<a href=\"{ALSO_IN}{}\">{}</a>",
                m.id.0,
                html_escape::encode_text(&m.feed_title)
            )
        })
        .collect();
    Some(format!("<p><i>Also in: {}</i></p>", links.join(", ")))
}

/// Marks `a` read, and with `read_together` its story's other unread articles, as one undo
/// step (`what` names it).
pub(super) fn mark_read_with_story(state: &mut AppState, a: &ArticleSummary, what: &str) -> Vec<Command> {
    let mut ids = Vec::new();
    if !a.read {
        ids.push(a.id);
    }
    if state.read_together {
        ids.extend(a.also_in.iter().filter(|m| !m.read).map(|m| m.id));
    }
    if ids.is_empty() {
        return vec![];
    }
    for row in state.headlines.rows.iter_mut().filter(|r| ids.contains(&r.id)) {
        row.read = true;
    }
    if let Some(p) = state.article.as_mut().filter(|p| ids.contains(&p.article.summary.id)) {
        p.article.summary.read = true;
    }
    let what = match ids.len() {
        1 => what.to_string(),
        n => format!("{what}: the story's {n} articles"),
    };
    state.history.record(Change {
        flag: Flag::Read,
        ids: ids.clone(),
        value: true,
        what,
    });
    let write = match ids.as_slice() {
        [one] => Command::SetRead(*one, true),
        _ => Command::SetFlags {
            flag: Flag::Read,
            ids,
            value: true,
        },
    };
    vec![write, Command::LoadFeeds]
}

/// `=`: the selected story's every article in place, or folded back under its lead.
pub(super) fn toggle_story(state: &mut AppState) -> Vec<Command> {
    let Some(story) = state.headlines.current().and_then(|a| a.story) else {
        state.notify("this article is not part of a story", true);
        return vec![];
    };
    if !state.view.stories {
        state.notify("stories are not grouped ([stories] group = false)", true);
        return vec![];
    }
    state.view.expanded = if state.view.expanded == Some(story) {
        None
    } else {
        Some(story)
    };
    state.reload_in_place()
}
