//! Helpers for driving the reader's pure state machine: articles and feeds as the cache would
//! send them, a state with a loaded first page, and key sequences.

use chrono::{TimeZone, Utc};
use khabar::model::{ArticleId, ArticleSummary, Feed, FeedId};
use khabar::tui::keymap::{parse_sequence, Keymap};
use khabar::tui::state::{update, AppState, Command, LoadKind, Msg, PAGE};

pub fn article(id: i64, feed: i64, title: &str, link: &str) -> ArticleSummary {
    ArticleSummary {
        id: ArticleId(id),
        feed_id: FeedId(feed),
        feed_url: format!("http://127.0.0.1/{feed}.xml"),
        feed_title: format!("Feed {feed}"),
        title: title.into(),
        link: Some(link.into()),
        author: None,
        published: Utc.timestamp_opt(1_790_000_000 - id * 60, 0).single(),
        read: false,
        starred: false,
        hidden: false,
        tags: vec![],
        story: None,
        also_in: vec![],
    }
}

pub fn feed(id: i64, unread: u64) -> Feed {
    Feed {
        id: FeedId(id),
        url: format!("http://127.0.0.1/{id}.xml"),
        fetch_url: None,
        title: Some(format!("Feed {id}")),
        site_url: None,
        tags: vec!["news".into()],
        articles: unread,
        unread,
        unread_folded: 0,
        last_fetched: None,
        last_status: None,
        last_error: None,
        account: None,
    }
}

/// A state showing `n` articles (ids 1..=n) in the All view, as after the first page loaded.
pub fn loaded(n: i64) -> (AppState, Vec<Command>) {
    let mut s = AppState::new(Keymap::default(), vec!["news".into()], (120, 30));
    let cmds = s.start();
    update(&mut s, Msg::Feeds(vec![feed(1, 3), feed(2, 0)]));
    let rows: Vec<ArticleSummary> = (1..=n.min(PAGE as i64))
        .map(|i| article(i, 1 + i % 2, &format!("Title {i}"), "http://example.org/a"))
        .collect();
    let more = first_page(&mut s, rows, n as usize);
    (s, cmds.into_iter().chain(more).collect())
}

/// Delivers the first page of the current view, as the cache would.
pub fn first_page(s: &mut AppState, rows: Vec<ArticleSummary>, total: usize) -> Vec<Command> {
    let generation = s.headlines.generation;
    update(
        s,
        Msg::Page {
            generation,
            kind: LoadKind::First,
            rows,
            first_index: Some(0),
            total: Some(total),
        },
    )
}

/// Sends space-separated keys such as "5 j" or "g g" and collects every command.
pub fn keys(s: &mut AppState, seq: &str) -> Vec<Command> {
    seq.split_whitespace()
        .flat_map(|k| parse_sequence(k).unwrap())
        .flat_map(|k| update(s, Msg::Key(k)))
        .collect()
}

pub fn type_text(s: &mut AppState, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| update(s, Msg::Key(khabar::tui::keymap::Key::ch(c))))
        .collect()
}

/// The addresses of the links these commands open, in order.
pub fn opened(cmds: &[Command]) -> Vec<&str> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Open(t) => Some(t.url.as_str()),
            _ => None,
        })
        .collect()
}

/// Enter in a prompt: the commands it gave, but the one that remembers the line (every line
/// does that; `tui_habits` tests it).
pub fn submit(s: &mut AppState) -> Vec<Command> {
    keys(s, "enter")
        .into_iter()
        .filter(|c| !matches!(c, Command::RememberPrompt { .. }))
        .collect()
}

/// Opens the selected article (Enter, then the cache's answer) and delivers `html` rendered
/// at `width`, as the renderer would.
pub fn open_rendered(s: &mut AppState, html: &str, width: usize) {
    keys(s, "enter");
    let article = khabar::model::Article {
        summary: s.headlines.rows[s.headlines.selected].clone(),
        content: None,
        full_content: None,
        enclosures: Vec::new(),
    };
    let id = article.summary.id;
    update(s, Msg::Article(Box::new(article)));
    update(
        s,
        Msg::Rendered {
            id,
            width,
            full: false,
            rendered: khabar::text::rich::render(html, width),
        },
    );
}
