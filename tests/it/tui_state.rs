//! The reader's state machine driven by key sequences: `update(state, msg)` is pure, so these
//! tests feed it keys and replies and assert the state and the commands it asks for.

use crate::common::reader::*;
use khabar::model::{ArticleId, ArticleSummary, FeedId};
use khabar::poller::{PollEvent, RefreshSummary};
use khabar::tui::keymap::Keymap;
use khabar::tui::state::{update, AppState, Command, Focus, LoadKind, Mode, Msg, SidebarEntry, ViewKind, PAGE, WINDOW};

#[test]
fn start_loads_feeds_and_the_first_page() {
    let mut s = AppState::new(Keymap::default(), vec![], (80, 24));
    let cmds = s.start();
    // Headlines first: the first frame waits for them, not for the feed counts.
    assert!(matches!(
        &cmds[0],
        Command::LoadPage {
            kind: LoadKind::First,
            count: true,
            ..
        }
    ));
    assert_eq!(cmds[1], Command::LoadFeeds);
}

#[test]
fn movement_with_counts_and_sequences() {
    let (mut s, _) = loaded(50);
    keys(&mut s, "j");
    assert_eq!(s.headlines.selected, 1);
    keys(&mut s, "5 j");
    assert_eq!(s.headlines.selected, 6);
    keys(&mut s, "1 2 k");
    assert_eq!(s.headlines.selected, 0, "moves stop at the top");
    keys(&mut s, "G");
    assert_eq!(s.headlines.selected, 49, "the whole view is loaded: G goes to its end");
    keys(&mut s, "g g");
    assert_eq!(s.headlines.selected, 0);
    keys(&mut s, "ctrl-d");
    assert_eq!(s.headlines.selected, 14, "half of the 27-row list, rounded up");
    keys(&mut s, "ctrl-f");
    assert_eq!(s.headlines.selected, 41);
    keys(&mut s, "g x j");
    assert_eq!(s.headlines.selected, 42, "an unbound key cancels a pending prefix");
}

#[test]
fn enter_opens_and_marks_read_q_goes_back_then_quits() {
    let (mut s, _) = loaded(5);
    keys(&mut s, "j");
    let cmds = keys(&mut s, "enter");
    assert_eq!(
        cmds,
        [
            Command::SetRead(ArticleId(2), true),
            Command::LoadFeeds,
            Command::LoadArticle(ArticleId(2))
        ]
    );
    assert!(s.headlines.rows[1].read);
    assert_eq!(s.focus, Focus::Article);
    keys(&mut s, "q");
    assert_eq!(s.focus, Focus::Headlines);
    assert!(!s.quit);
    keys(&mut s, "q");
    assert!(s.quit);
}

#[test]
fn toggles_and_links() {
    let (mut s, _) = loaded(3);
    assert_eq!(
        keys(&mut s, "m"),
        [Command::SetRead(ArticleId(1), true), Command::LoadFeeds]
    );
    assert_eq!(
        keys(&mut s, "m"),
        [Command::SetRead(ArticleId(1), false), Command::LoadFeeds]
    );
    assert_eq!(
        keys(&mut s, "s"),
        [Command::SetStarred(ArticleId(1), true), Command::LoadFeeds]
    );
    assert!(s.headlines.rows[0].starred);
    // Opening the link marks the (unread) article read: open_marks_read is on by default.
    let cmds = keys(&mut s, "o");
    assert_eq!(opened(&cmds), ["http://example.org/a"]);
    assert_eq!(cmds[1..], [Command::SetRead(ArticleId(1), true), Command::LoadFeeds]);
    assert_eq!(keys(&mut s, "y"), [Command::Copy("http://example.org/a".into())]);
    s.headlines.rows[0].link = Some("javascript:alert(1)".into());
    assert!(keys(&mut s, "o").is_empty(), "only http(s) links are opened");
    assert!(s.notice.as_ref().unwrap().error);
    s.headlines.rows[0].link = Some("file:///etc/passwd".into());
    assert!(keys(&mut s, "o").is_empty());
}

#[test]
fn a_count_before_o_opens_that_numbered_link() {
    let (mut s, _) = loaded(3);
    assert!(keys(&mut s, "2 o").is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("open an article first"));
    let html = "<p><a href='http://e/one'>one</a> <a href='javascript:x()'>two</a> <a href='https://e/three'>3</a></p>";
    open_rendered(&mut s, html, 40);
    let cmds = keys(&mut s, "3 o");
    assert_eq!(opened(&cmds), ["https://e/three"]);
    assert!(matches!(&cmds[0], Command::Open(t) if t.kind == khabar::model::LinkKind::Link));
    assert_eq!(keys(&mut s, "1 y"), [Command::Copy("http://e/one".into())]);
    assert!(keys(&mut s, "2 o").is_empty(), "a javascript: link is never opened");
    assert!(keys(&mut s, "9 o").is_empty());
    assert!(s
        .notice
        .as_ref()
        .unwrap()
        .text
        .contains("no link [9]: this article has 3 links"));
    let cmds = keys(&mut s, "o");
    assert_eq!(
        (opened(&cmds), cmds.len()),
        (vec!["http://example.org/a"], 1),
        "plain o opens the article's own link"
    );
}

#[test]
fn views_from_sidebar_search_and_command_line() {
    let (mut s, _) = loaded(3);
    let cmds = keys(&mut s, "u");
    assert!(s.view.unread_only);
    assert!(matches!(&cmds[0], Command::LoadPage { view, kind: LoadKind::First, .. } if view.unread_only));

    keys(&mut s, "h");
    assert_eq!(s.focus, Focus::Sidebar);
    let cmds = keys(&mut s, "j j j");
    assert_eq!(
        s.view.kind,
        ViewKind::Tag("news".into()),
        "moving in the sidebar shows the view"
    );
    assert!(matches!(cmds.last(), Some(Command::LoadPage { .. })));
    // The tag's feeds are listed under it.
    keys(&mut s, "j");
    assert!(matches!(s.view.kind, ViewKind::Feed { id: FeedId(1), .. }));
    keys(&mut s, "enter");
    assert_eq!(s.focus, Focus::Headlines);

    keys(&mut s, "/");
    type_text(&mut s, "चंद्रयान");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "चंद्रयान"));
    let cmds = keys(&mut s, "enter");
    assert_eq!(s.view.kind, ViewKind::Search(khabar::query::parse("चंद्रयान").unwrap()));
    assert!(
        matches!(&cmds[0], Command::LoadPage { view, .. } if view.search().map(|q| q.text.as_str()) == Some("चंद्रयान"))
    );

    // A query with a mistake keeps the prompt, with what was typed, and says where.
    keys(&mut s, "/");
    type_text(&mut s, "news age:<7x");
    let cmds = submit(&mut s);
    assert!(cmds.is_empty());
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "news age:<7x"));
    let notice = s.notice.as_ref().unwrap();
    assert!(
        notice.error && notice.text.contains("column 12") && notice.text.contains("unknown unit `x`"),
        "{}",
        notice.text
    );
    keys(&mut s, "esc");

    keys(&mut s, ":");
    type_text(&mut s, "tag nope");
    keys(&mut s, "enter");
    assert!(s.notice.as_ref().unwrap().text.contains("no tag \"nope\""));
    keys(&mut s, ":");
    type_text(&mut s, "tag news");
    keys(&mut s, "enter");
    assert_eq!(s.view.kind, ViewKind::Tag("news".into()));
    keys(&mut s, ":");
    type_text(&mut s, "x");
    keys(&mut s, "esc");
    assert_eq!(s.mode, Mode::Normal, "esc cancels the command line");
    keys(&mut s, ":");
    type_text(&mut s, "q");
    keys(&mut s, "enter");
    assert!(s.quit);
}

#[test]
fn a_query_mistake_is_forgotten_once_the_corrected_query_runs() {
    let (mut s, _) = loaded(3);
    keys(&mut s, "/");
    type_text(&mut s, "title:(");
    keys(&mut s, "enter");
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.starts_with("query: ")),
        "{:?}",
        s.notice
    );
    // The prompt stayed with the text: fix it and run it.
    keys(&mut s, "backspace");
    type_text(&mut s, "rust");
    let cmds = keys(&mut s, "enter");
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })), "{cmds:?}");
    assert!(s.notice.is_none(), "{:?}", s.notice);
}

#[test]
fn search_results_next_and_previous() {
    let (mut s, _) = loaded(3);
    assert!(keys(&mut s, "n").is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("no search"));
    keys(&mut s, "/");
    type_text(&mut s, "x");
    keys(&mut s, "enter");
    let rows = vec![article(7, 1, "A", "http://e/a"), article(8, 1, "B", "http://e/b")];
    first_page(&mut s, rows, 2);
    let cmds = keys(&mut s, "n");
    assert_eq!(s.headlines.selected, 1);
    assert!(cmds.contains(&Command::LoadArticle(ArticleId(8))));
    keys(&mut s, "N");
    assert_eq!(s.headlines.selected, 0);
    keys(&mut s, "h q");
    assert_eq!(s.view.kind, ViewKind::All, "q leaves the search view");
}

#[test]
fn the_list_pages_from_the_cache_in_a_bounded_window() {
    let (mut s, cmds) = loaded(100_000);
    assert!(
        !cmds.iter().any(|c| matches!(
            c,
            Command::LoadPage {
                kind: LoadKind::After(_),
                ..
            }
        )),
        "no prefetch at the top"
    );
    assert!(!s.headlines.at_bottom);
    // Paging down asks for the next page before the selection reaches the end of the rows.
    let mut load = None;
    for _ in 0..8 {
        let cmds = keys(&mut s, "ctrl-f");
        if let Some(c @ Command::LoadPage { .. }) = cmds.first() {
            load = Some(c.clone());
            break;
        }
    }
    let Some(Command::LoadPage {
        kind: LoadKind::After(last),
        generation,
        ..
    }) = load
    else {
        panic!("expected a next-page load, got {load:?}");
    };
    assert!(s.headlines.selected < PAGE);
    assert_eq!(last, ArticleId(PAGE as i64));
    // While loading, no second request.
    assert!(keys(&mut s, "j").iter().all(|c| !matches!(c, Command::LoadPage { .. })));
    // Pages keep arriving; the window never grows past WINDOW rows.
    let mut next = PAGE as i64 + 1;
    for _ in 0..5 {
        let rows: Vec<ArticleSummary> = (next..next + PAGE as i64)
            .map(|i| article(i, 1, "t", "http://e/"))
            .collect();
        next += PAGE as i64;
        s.headlines.selected = s.headlines.rows.len() - 1;
        update(
            &mut s,
            Msg::Page {
                generation,
                kind: LoadKind::After(ArticleId(0)),
                rows,
                first_index: None,
                total: None,
            },
        );
        assert!(s.headlines.rows.len() <= WINDOW);
    }
    assert!(!s.headlines.at_top);
    assert_eq!(s.headlines.first_index + s.headlines.rows.len(), next as usize - 1);
    assert_eq!(
        s.headlines.rows[s.headlines.selected].id.0 as usize,
        s.headlines.first_index + s.headlines.selected + 1
    );
    // A reply for an older view is dropped.
    let before = s.headlines.rows.clone();
    update(
        &mut s,
        Msg::Page {
            generation: generation - 1,
            kind: LoadKind::First,
            rows: vec![],
            first_index: None,
            total: None,
        },
    );
    assert_eq!(s.headlines.rows, before);
    // G when the end is not loaded asks for the last page.
    let cmds = keys(&mut s, "G");
    assert!(matches!(
        cmds[0],
        Command::LoadPage {
            kind: LoadKind::Last,
            ..
        }
    ));
}

#[test]
fn refresh_progress_is_live_and_one_at_a_time() {
    let (mut s, _) = loaded(3);
    assert_eq!(keys(&mut s, "R"), [Command::Refresh(None)]);
    assert!(keys(&mut s, "R").is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("already running"));
    update(&mut s, Msg::RefreshStarted(3));
    let url = String::from("u");
    update(
        &mut s,
        Msg::Poll(PollEvent::Updated {
            feed: FeedId(1),
            url: url.clone(),
            new: 4,
            updated: 0,
            filtered: vec![],
            hidden: 0,
        }),
    );
    update(
        &mut s,
        Msg::Poll(PollEvent::Failed {
            feed: FeedId(2),
            url: url.clone(),
            reason: "HTTP 500".into(),
        }),
    );
    let p = s.progress.clone().unwrap();
    assert_eq!((p.done, p.total, p.new, p.failed), (2, 3, 4, 1));
    let summary = RefreshSummary {
        feeds: 3,
        updated: 1,
        failed: 1,
        new_articles: 4,
        ..Default::default()
    };
    let cmds = update(&mut s, Msg::Poll(PollEvent::Finished(summary)));
    assert!(s.progress.is_none());
    assert!(cmds.contains(&Command::LoadFeeds));
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Command::LoadPage {
                kind: LoadKind::First,
                ..
            }
        )),
        "new articles reload the view"
    );
    assert!(s.notice.as_ref().unwrap().text.contains("4 new"));
    assert_eq!(
        s.headlines.rows.len(),
        3,
        "the old rows stay until the reloaded page arrives"
    );
    // r refreshes the selected article's feed.
    assert_eq!(keys(&mut s, "r"), [Command::Refresh(Some(FeedId(2)))]);
}

#[test]
fn user_keymap_and_help() {
    let user = vec![("move_down".to_string(), vec!["ctrl-n".to_string()])];
    let mut s = AppState::new(Keymap::with_overrides(&user).unwrap(), vec![], (80, 24));
    let _ = s.start();
    let rows = (1..=5).map(|i| article(i, 1, "t", "http://e/")).collect();
    first_page(&mut s, rows, 5);
    keys(&mut s, "j");
    assert_eq!(s.headlines.selected, 0, "j no longer moves");
    keys(&mut s, "ctrl-n");
    assert_eq!(s.headlines.selected, 1);
    keys(&mut s, "?");
    assert_eq!(s.mode, Mode::Help { scroll: 0 });
    keys(&mut s, "ctrl-n");
    assert_eq!(s.mode, Mode::Help { scroll: 1 });
    keys(&mut s, "x");
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn any_size_and_mouse() {
    let (mut s, _) = loaded(30);
    for (w, h) in [(40, 10), (1, 1), (0, 0), (59, 12), (100, 40), (250, 80)] {
        update(&mut s, Msg::Resize(w, h));
        keys(&mut s, "j enter l h tab shift-tab z");
        keys(&mut s, "q");
        s.quit = false;
    }
    update(&mut s, Msg::Resize(120, 30));
    keys(&mut s, "g g");
    // Sidebar is 24 wide at 120 columns; row 4 of the list (y = 1 + 3) is the 4th headline.
    update(&mut s, Msg::Click { col: 50, row: 4 });
    assert_eq!((s.focus, s.headlines.selected), (Focus::Headlines, 3));
    update(
        &mut s,
        Msg::Wheel {
            col: 50,
            row: 4,
            down: true,
        },
    );
    assert_eq!(s.headlines.selected, 6);
    update(&mut s, Msg::Click { col: 3, row: 2 });
    assert_eq!(s.focus, Focus::Sidebar);
    assert_eq!(s.view.kind, ViewKind::Unread);
}

#[test]
fn f_fetches_the_full_article_once_then_toggles() {
    let (mut s, _) = loaded(3);
    assert!(keys(&mut s, "f").is_empty());
    keys(&mut s, "enter");
    let summary = s.headlines.rows[0].clone();
    let feed_text = khabar::model::Article {
        summary: summary.clone(),
        content: Some("<p>summary</p>".into()),
        full_content: None,
        enclosures: Vec::new(),
    };
    update(&mut s, Msg::Article(Box::new(feed_text)));
    let id = summary.id;
    assert_eq!(
        keys(&mut s, "f"),
        [Command::FetchFull {
            id,
            link: summary.link.clone(),
            feed_url: summary.feed_url.clone(),
        }]
    );
    assert!(keys(&mut s, "f").is_empty(), "one fetch at a time");
    update(
        &mut s,
        Msg::FullFailed {
            id,
            reason: "HTTP 404 Not Found".into(),
        },
    );
    assert!(s.notice.as_ref().unwrap().text.contains("no full article: HTTP 404"));
    assert_eq!(
        keys(&mut s, "f"),
        [Command::FetchFull {
            id,
            link: summary.link.clone(),
            feed_url: summary.feed_url.clone(),
        }],
        "asking again retries"
    );

    // The store kept the page and the article reloads: the pane switches to it and renders it
    // (without the page's headline, which is the title the pane's title block shows).
    let page = format!("<h1>{}</h1><p>whole story</p>", summary.title);
    let full = khabar::model::Article {
        summary,
        content: Some("<p>summary</p>".into()),
        full_content: Some(page),
        enclosures: Vec::new(),
    };
    let cmds = update(&mut s, Msg::Article(Box::new(full)));
    assert!(
        matches!(&cmds[..], [Command::Render { html, full: true, .. }] if html == "<p>whole story</p>"),
        "{cmds:?}"
    );
    assert!(s.article.as_ref().unwrap().show_full);
    assert!(
        s.notice.is_none(),
        "the fetch's notice goes once the page shows: {:?}",
        s.notice
    );
    // f now toggles between the full article and the feed's text, without fetching.
    let cmds = keys(&mut s, "f");
    assert!(
        matches!(&cmds[..], [Command::Render { html, full: false, .. }] if html == "<p>summary</p>"),
        "{cmds:?}"
    );
    let cmds = keys(&mut s, "f");
    assert!(matches!(&cmds[..], [Command::Render { full: true, .. }]), "{cmds:?}");
}

#[test]
fn the_startup_hint_stays_until_a_key_is_pressed() {
    let (mut s, _) = loaded(3);
    s.startup_hint = Some("no config file found; put yours in ~/.config/khabar/config.toml".into());
    update(&mut s, Msg::RefreshStarted(4));
    let summary = RefreshSummary {
        feeds: 4,
        failed: 4,
        ..Default::default()
    };
    update(&mut s, Msg::Poll(PollEvent::Finished(summary)));
    assert!(s.startup_hint.is_some(), "a refresh result does not hide it");
    keys(&mut s, "j");
    assert!(s.startup_hint.is_none());
}

#[test]
fn the_schedule_refreshes_what_is_due_and_follows_the_time_zone() {
    let (mut s, _) = loaded(3);
    let ist = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let cmds = update(&mut s, Msg::Schedule(ist));
    assert_eq!(s.utc_offset, ist, "a daylight-saving change shows within a minute");
    assert!(cmds.iter().any(|c| matches!(c, Command::RefreshDue)), "{cmds:?}");
    // While a refresh runs, the schedule only moves the clock.
    update(&mut s, Msg::RefreshStarted(2));
    let summer = chrono::FixedOffset::east_opt(3600).unwrap();
    let cmds = update(&mut s, Msg::Schedule(summer));
    assert_eq!(s.utc_offset, summer);
    assert!(!cmds.iter().any(|c| matches!(c, Command::RefreshDue)), "{cmds:?}");
}

/// Saved queries in the sidebar: counted when the feeds change, listed above the tags (or under
/// their tag), opened in their configured order, kept in step with the config, and a search
/// saved with `:save NAME`.
#[test]
fn saved_queries_in_the_sidebar() {
    use khabar::config::SavedQuery;
    use khabar::model::SortOrder;
    let saved = |name: &str, q: &str, sort: Option<SortOrder>, tags: &[&str]| SavedQuery {
        name: name.into(),
        query: khabar::query::parse(q).unwrap(),
        sort,
        tags: tags.iter().map(ToString::to_string).collect(),
    };
    let (mut s, _) = loaded(3);
    s.queries = vec![
        saved("Fresh", "is:unread age:<2d", Some(SortOrder::Oldest), &[]),
        saved("Kernel", "title:kernel", None, &["news"]),
    ];
    let cmds = update(&mut s, Msg::Feeds(vec![feed(1, 3), feed(2, 0)]));
    assert!(
        matches!(&cmds[..], [Command::CountQueries(q)] if q.len() == 2 && q[0].0 == "Fresh"),
        "{cmds:?}"
    );
    update(
        &mut s,
        Msg::QueryCounts(vec![("Fresh".into(), 4), ("Kernel".into(), 1)]),
    );
    let entries = s.sidebar_entries();
    let names: Vec<String> = entries.iter().map(|e| format!("{e:?}")).collect();
    let fresh = entries
        .iter()
        .position(|e| matches!(e, SidebarEntry::Query { name, tag: None } if name == "Fresh"))
        .expect("Fresh above the tags");
    let tag = entries
        .iter()
        .position(|e| *e == SidebarEntry::Tag("news".into()))
        .unwrap();
    let kernel = entries
        .iter()
        .position(|e| matches!(e, SidebarEntry::Query { name, tag: Some(t) } if name == "Kernel" && t == "news"))
        .expect("Kernel under #news");
    assert!(fresh == 3 && tag > fresh && kernel == tag + 1, "{names:?}");

    // Opening one: its view, in its configured order, loading its first page.
    keys(&mut s, "h");
    s.sidebar_selected = fresh - 1;
    let cmds = keys(&mut s, "j");
    assert!(matches!(&s.view.kind, ViewKind::Query { name, .. } if name == "Fresh"));
    assert_eq!(s.view.sort, SortOrder::Oldest);
    assert!(matches!(cmds.last(), Some(Command::LoadPage { view, .. }) if view.filter().query.is_some()));
    assert!(s.view_title().starts_with("Query: Fresh"));

    // The config changes its definition: the open view follows; removed, All is shown.
    let mut live = khabar::tui::state::LiveConfig {
        tags: vec!["news".into()],
        queries: vec![saved("Fresh", "is:unread age:<3d", None, &[])],
        keymap: khabar::tui::keymap::Keymap::default(),
        open_marks_read: true,
        read_together: true,
        group_stories: true,
        confirm_quit: false,
        confirm_mark_all: true,
        shares: vec![],
    };
    let cmds = update(&mut s, Msg::ConfigChanged(Box::new(live.clone())));
    assert!(matches!(&s.view.kind, ViewKind::Query { query, .. } if query.text == "is:unread age:<3d"));
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })));
    live.queries.clear();
    update(&mut s, Msg::ConfigChanged(Box::new(live)));
    assert_eq!(s.view.kind, ViewKind::All);

    // :save keeps the current search; without one it says what to do.
    keys(&mut s, ":");
    type_text(&mut s, "save Rust");
    keys(&mut s, "enter");
    assert!(s.notice.as_ref().unwrap().text.contains("search first"));
    keys(&mut s, "/");
    type_text(&mut s, "rust -tag:sports");
    keys(&mut s, "enter");
    keys(&mut s, ":");
    type_text(&mut s, "save Rust news");
    let cmds = submit(&mut s);
    assert_eq!(
        cmds,
        [Command::SaveQuery {
            name: "Rust news".into(),
            query: "rust -tag:sports".into()
        }]
    );
}
