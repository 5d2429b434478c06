//! The daily reading loop in the reader's state machine: undo and redo, confirmation before a
//! large mark-all, next and previous unread. Key sequences into `update`, as a user types them.

use crate::common::reader::*;
use khabar::model::{ArticleId, FeedId, Flag, SortOrder};
use khabar::tui::state::{update, Change, Command, LoadKind, Mode, Msg, SidebarEntry, ViewKind, UNDO_STEPS};

fn change_of(cmds: &[Command]) -> Option<(Flag, Vec<ArticleId>, bool)> {
    cmds.iter().find_map(|c| match c {
        Command::SetFlags { flag, ids, value } => Some((*flag, ids.clone(), *value)),
        _ => None,
    })
}

#[test]
fn undo_and_redo_restore_exactly_what_a_key_changed() {
    let (mut s, _) = loaded(10);
    keys(&mut s, "m j s j m");
    assert!(s.headlines.rows[0].read && s.headlines.rows[1].starred && s.headlines.rows[2].read);

    // Newest first: the last m, then the star, then the first m.
    assert_eq!(
        change_of(&keys(&mut s, "U")),
        Some((Flag::Read, vec![ArticleId(3)], false))
    );
    assert!(!s.headlines.rows[2].read);
    assert_eq!(
        change_of(&keys(&mut s, "U")),
        Some((Flag::Starred, vec![ArticleId(2)], false))
    );
    assert!(!s.headlines.rows[1].starred);
    assert_eq!(
        change_of(&keys(&mut s, "ctrl-r")),
        Some((Flag::Starred, vec![ArticleId(2)], true))
    );
    assert!(s.headlines.rows[1].starred);
    assert!(s.notice.as_ref().unwrap().text.starts_with("redone: starred"));

    // A new change forgets what was undone.
    keys(&mut s, "U");
    keys(&mut s, "j m");
    assert!(change_of(&keys(&mut s, "ctrl-r")).is_none());
    assert_eq!(s.notice.as_ref().unwrap().text, "nothing to redo");

    // Opening an article (which marks it read) is a step too.
    keys(&mut s, "g g j j j j enter");
    assert!(s.headlines.rows[4].read);
    assert_eq!(
        change_of(&keys(&mut s, "U")),
        Some((Flag::Read, vec![ArticleId(5)], false))
    );
    assert!(!s.headlines.rows[4].read);
}

#[test]
fn at_least_a_hundred_steps_are_kept() {
    let (mut s, _) = loaded(10);
    let presses = UNDO_STEPS + 20;
    for _ in 0..presses {
        keys(&mut s, "s");
    }
    let mut undone = 0;
    while change_of(&keys(&mut s, "U")).is_some() {
        undone += 1;
    }
    const { assert!(UNDO_STEPS >= 100) };
    assert_eq!(undone, UNDO_STEPS);
    assert!(
        !s.headlines.rows[0].starred,
        "an even number of undos from an even number of toggles"
    );
}

#[test]
fn a_large_mark_all_asks_first_and_undoes_exactly_what_it_marked() {
    // 3 unread in feed 1 (the sidebar's counts), shown in All: All always asks.
    let (mut s, _) = loaded(10);
    assert!(keys(&mut s, "A").is_empty(), "nothing happens before the answer");
    let Mode::Confirm { question, .. } = &s.mode else {
        panic!("no question: {:?}", s.mode)
    };
    assert_eq!(question, "mark 3 unread articles in All read? (y/n)");
    assert!(keys(&mut s, "n").is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.notice.as_ref().unwrap().text, "cancelled");
    assert!(s.headlines.rows.iter().all(|a| !a.read));

    keys(&mut s, "A");
    let cmds = keys(&mut s, "y");
    assert!(
        matches!(&cmds[0], Command::MarkViewRead { what, .. } if what == "marked All read"),
        "{cmds:?}"
    );
    assert!(s.headlines.rows.iter().all(|a| a.read));
    // The cache answers with exactly the articles it changed; undo restores those only.
    let changed = vec![ArticleId(2), ArticleId(4), ArticleId(7)];
    update(
        &mut s,
        Msg::Changed(Change {
            flag: Flag::Read,
            ids: changed.clone(),
            value: true,
            what: "marked All read".into(),
        }),
    );
    assert_eq!(change_of(&keys(&mut s, "U")), Some((Flag::Read, changed, false)));
    let unread: Vec<i64> = s.headlines.rows.iter().filter(|a| !a.read).map(|a| a.id.0).collect();
    assert_eq!(unread, [2, 4, 7]);
}

#[test]
fn a_small_mark_all_in_a_feed_does_not_ask() {
    let (mut s, _) = loaded(10);
    // The sidebar: All, Unread, Starred, tag "news", then under it feed 1 (3 unread).
    keys(&mut s, "h j j j j");
    let cmds = keys(&mut s, "A");
    assert!(matches!(&cmds[0], Command::MarkViewRead { .. }), "{cmds:?}");
    assert_eq!(s.mode, Mode::Normal);
}

fn page(
    s: &mut khabar::tui::state::AppState,
    kind: LoadKind,
    ids: std::ops::RangeInclusive<i64>,
    first_index: usize,
) -> Vec<Command> {
    let generation = s.headlines.generation;
    let rows = ids
        .map(|i| article(i, 1, &format!("Title {i}"), "http://example.org/a"))
        .collect();
    update(
        s,
        Msg::Page {
            generation,
            kind,
            rows,
            first_index: Some(first_index),
            total: None,
        },
    )
}

#[test]
fn next_and_previous_unread_in_the_window() {
    let (mut s, _) = loaded(10);
    for i in [1, 2, 4, 5] {
        s.headlines.rows[i].read = true;
    }
    keys(&mut s, "J");
    assert_eq!(s.headlines.selected, 3);
    keys(&mut s, "J");
    assert_eq!(s.headlines.selected, 6);
    keys(&mut s, "K");
    assert_eq!(s.headlines.selected, 3);
    keys(&mut s, "K");
    assert_eq!(s.headlines.selected, 0);
    // From the article pane, the next unread is shown (and so marked read).
    keys(&mut s, "enter");
    let cmds = keys(&mut s, "J");
    assert_eq!(s.headlines.selected, 3);
    assert!(cmds.contains(&Command::LoadArticle(ArticleId(4))), "{cmds:?}");
    assert!(cmds.contains(&Command::SetRead(ArticleId(4), true)));
}

#[test]
fn next_unread_asks_the_cache_past_the_window() {
    let (mut s, _) = loaded(1000);
    assert!(!s.headlines.at_bottom);
    for a in &mut s.headlines.rows {
        a.read = true;
    }
    let cmds = keys(&mut s, "J");
    let [Command::FindUnread { after, backward, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!((*after, *backward), (ArticleId(200), false));
    // The cache found article 450 at index 449 and sends the page that starts there.
    page(&mut s, LoadKind::At(ArticleId(450)), 450..=649, 449);
    assert_eq!(s.headlines.current().unwrap().id, ArticleId(450));
    assert_eq!(s.headlines.first_index, 449);
    assert!(!s.headlines.at_top);
    assert!(s.seek.is_none());
}

#[test]
fn an_exhausted_view_goes_on_to_the_next_tag_or_feed_with_unread() {
    let (mut s, _) = loaded(10);
    for a in &mut s.headlines.rows {
        a.read = true;
    }
    // Feed 1 (tag "news") has 3 unread: the next view with unread after All is the tag.
    let cmds = keys(&mut s, "J");
    assert!(
        matches!(&cmds[0], Command::LoadPage { view, .. } if view.kind == ViewKind::Tag("news".into())),
        "{cmds:?}"
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "next unread in tag news");
    assert_eq!(
        s.sidebar_entries()[s.sidebar_selected],
        SidebarEntry::Tag("news".into())
    );
    // Its first page arrives: the first unread in it is selected.
    let mut rows: Vec<_> = (1..=5).map(|i| article(i, 1, "t", "http://e/")).collect();
    rows[0].read = true;
    rows[1].read = true;
    first_page(&mut s, rows, 5);
    assert_eq!(s.headlines.selected, 2);

    // When the cache finds nothing past the window, the next view is opened the same way.
    let (mut s, _) = loaded(1000);
    keys(&mut s, "G");
    for a in &mut s.headlines.rows {
        a.read = true;
    }
    let generation = match keys(&mut s, "J").as_slice() {
        [Command::FindUnread { generation, .. }] => *generation,
        other => panic!("{other:?}"),
    };
    let cmds = update(&mut s, Msg::NoUnreadBeyond { generation });
    assert!(matches!(&cmds[0], Command::LoadPage { view, .. } if view.kind == ViewKind::Tag("news".into())));
}

#[test]
fn with_nothing_unread_anywhere_the_status_bar_says_so() {
    let (mut s, _) = loaded(5);
    update(&mut s, Msg::Feeds(vec![feed(1, 0), feed(2, 0)]));
    for a in &mut s.headlines.rows {
        a.read = true;
    }
    assert!(keys(&mut s, "J").is_empty());
    assert_eq!(s.notice.as_ref().unwrap().text, "no unread articles left");
}

#[test]
fn read_and_next_marks_the_current_article_and_opens_the_next_unread() {
    let (mut s, _) = loaded(10);
    s.headlines.rows[1].read = true;
    let cmds = keys(&mut s, "x");
    assert_eq!(&cmds[..2], [Command::SetRead(ArticleId(1), true), Command::LoadFeeds]);
    assert!(cmds.contains(&Command::LoadArticle(ArticleId(3))), "{cmds:?}");
    assert!(s.headlines.rows[0].read && s.headlines.rows[2].read);
    assert_eq!(s.headlines.selected, 2);
    // Both marks are undo steps.
    keys(&mut s, "U U");
    assert!(!s.headlines.rows[0].read && !s.headlines.rows[2].read);
}

#[test]
fn opening_a_link_marks_read_unless_configured_not_to() {
    let (mut s, _) = loaded(3);
    let cmds = keys(&mut s, "o");
    assert_eq!(opened(&cmds), ["http://example.org/a"]);
    assert_eq!(cmds[1..], [Command::SetRead(ArticleId(1), true), Command::LoadFeeds]);
    keys(&mut s, "j");
    s.open_marks_read = false;
    let cmds = keys(&mut s, "o");
    assert_eq!((opened(&cmds), cmds.len()), (vec!["http://example.org/a"], 1));
    assert!(!s.headlines.rows[1].read);
}

#[test]
fn each_view_keeps_its_order() {
    let (mut s, _) = loaded(10);
    let cmds = keys(&mut s, "S");
    assert_eq!(
        cmds[0],
        Command::SaveSort {
            view: "all".into(),
            sort: SortOrder::Oldest
        }
    );
    assert!(
        matches!(&cmds[1], Command::LoadPage { view, kind: LoadKind::First, .. } if view.sort == SortOrder::Oldest)
    );
    assert_eq!(s.view_title(), "All · oldest first");
    keys(&mut s, "S S");
    assert_eq!(s.view.sort, SortOrder::Title);
    // Another view has its own order; coming back to All finds All's.
    keys(&mut s, "h j");
    assert_eq!(s.view.kind, ViewKind::Unread);
    assert_eq!(s.view.sort, SortOrder::Newest);
    keys(&mut s, "k");
    assert_eq!(s.view.sort, SortOrder::Title);
    assert_eq!(s.view.filter().sort, SortOrder::Title);
}

fn tagged_feed(id: i64, unread: u64, tags: &[&str]) -> khabar::model::Feed {
    let mut f = feed(id, unread);
    f.tags = tags.iter().map(ToString::to_string).collect();
    f
}

#[test]
fn the_sidebar_is_a_tree_of_tags_and_feeds() {
    let (mut s, _) = loaded(5);
    s.tags = vec!["news".into(), "tech".into()];
    update(
        &mut s,
        Msg::Feeds(vec![
            tagged_feed(1, 3, &["news", "tech"]),
            tagged_feed(2, 0, &["news"]),
            tagged_feed(3, 2, &[]),
        ]),
    );
    let feed_in = |id: i64, tag: Option<&str>| SidebarEntry::Feed {
        id: khabar::model::FeedId(id),
        tag: tag.map(str::to_string),
    };
    assert_eq!(
        s.sidebar_entries()[3..],
        [
            SidebarEntry::Tag("news".into()),
            feed_in(1, Some("news")),
            feed_in(2, Some("news")),
            SidebarEntry::Tag("tech".into()),
            feed_in(1, Some("tech")),
            SidebarEntry::Untagged,
            feed_in(3, None),
        ],
        "a feed with two tags is under both"
    );
    assert_eq!((s.tag_unread("news"), s.tag_unread("tech")), (3, 3));

    // c folds the group under the cursor (from one of its feeds, the selection goes to the tag).
    keys(&mut s, "h j j j j");
    assert_eq!(s.selected_entry(), Some(feed_in(1, Some("news"))));
    keys(&mut s, "c");
    assert_eq!(s.selected_entry(), Some(SidebarEntry::Tag("news".into())));
    assert_eq!(s.sidebar_entries()[4], SidebarEntry::Tag("tech".into()));
    keys(&mut s, "c");
    assert_eq!(s.sidebar_entries()[4], feed_in(1, Some("news")));

    // H hides what has nothing unread; the view on screen stays listed.
    keys(&mut s, "j j");
    assert_eq!(s.selected_entry(), Some(feed_in(2, Some("news"))));
    keys(&mut s, "H");
    assert!(
        s.sidebar_entries().contains(&feed_in(2, Some("news"))),
        "the current view stays"
    );
    keys(&mut s, "j");
    assert!(
        !s.sidebar_entries().contains(&feed_in(2, Some("news"))),
        "hidden once left"
    );
    assert_eq!(s.selected_entry(), Some(SidebarEntry::Tag("tech".into())));
}

#[test]
fn the_sidebar_selection_stays_put_when_counts_change() {
    let (mut s, _) = loaded(5);
    s.tags = vec!["news".into(), "tech".into()];
    let feeds = |a, b| vec![tagged_feed(1, a, &["news"]), tagged_feed(2, b, &["tech"])];
    update(&mut s, Msg::Feeds(feeds(3, 4)));
    keys(&mut s, "H h G");
    let selected = s.selected_entry();
    assert!(matches!(selected, Some(SidebarEntry::Feed { .. })));
    // A refresh reads everything in "news" elsewhere: its entries go, the selection does not move.
    update(&mut s, Msg::Feeds(feeds(0, 5)));
    assert_eq!(s.selected_entry(), selected);
    update(&mut s, Msg::Feeds(feeds(7, 5)));
    assert_eq!(s.selected_entry(), selected);
}

#[test]
fn removing_a_feed_asks_and_undo_puts_it_back() {
    let (mut s, _) = loaded(5);
    keys(&mut s, "h j j j j");
    assert!(keys(&mut s, "D").is_empty());
    let Mode::Confirm { question, .. } = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert!(question.starts_with("remove Feed 1 from your config?"), "{question}");
    let url = "http://127.0.0.1/1.xml".to_string();
    assert_eq!(
        keys(&mut s, "y"),
        [Command::RemoveFeed {
            url: url.clone(),
            record: true
        }]
    );
    let removed = khabar::config::RemovedFeed {
        url: url.clone(),
        index: 0,
        toml: format!("[[feed]]\nurl = \"{url}\"\n"),
    };
    update(
        &mut s,
        Msg::FeedRemoved {
            removed: removed.clone(),
            record: true,
        },
    );
    // The feed list without it: the sidebar and the headlines agree on what is shown.
    let agree = |s: &khabar::tui::state::AppState| match (s.selected_entry(), &s.view.kind) {
        (Some(SidebarEntry::Feed { id, .. }), ViewKind::Feed { id: shown, .. }) => id == *shown,
        (Some(SidebarEntry::Tag(t)), ViewKind::Tag(shown)) => t == *shown,
        (Some(SidebarEntry::All), ViewKind::All) | (Some(SidebarEntry::Unread), ViewKind::Unread) => true,
        _ => false,
    };
    let cmds = update(&mut s, Msg::Feeds(vec![feed(2, 0)]));
    assert!(
        !matches!(s.view.kind, ViewKind::Feed { id: FeedId(1), .. }),
        "{:?}",
        s.view.kind
    );
    assert!(agree(&s), "{:?} and {:?}", s.selected_entry(), s.view.kind);
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })));
    // Undo: the feed comes back selected and shown.
    assert_eq!(keys(&mut s, "U"), [Command::RestoreFeed(removed)]);
    update(&mut s, Msg::Feeds(vec![feed(1, 3), feed(2, 0)]));
    assert!(
        matches!(s.view.kind, ViewKind::Feed { id: FeedId(1), .. }),
        "{:?}",
        s.view.kind
    );
    assert!(agree(&s), "{:?} and {:?}", s.selected_entry(), s.view.kind);
    assert_eq!(keys(&mut s, "ctrl-r"), [Command::RemoveFeed { url, record: false }]);
    // n answers no.
    keys(&mut s, "D n");
    assert_eq!(s.notice.as_ref().unwrap().text, "cancelled");
}

#[test]
fn the_command_line_adds_and_renames_feeds() {
    let (mut s, _) = loaded(5);
    keys(&mut s, ":");
    type_text(&mut s, "add https://example.org/blog news tech");
    assert_eq!(
        submit(&mut s),
        [Command::AddFeed {
            url: "https://example.org/blog".into(),
            tags: vec!["news".into(), "tech".into()]
        }]
    );
    // Renames the feed of the selected article.
    keys(&mut s, ":");
    type_text(&mut s, "rename हिंदी ख़बरें");
    assert_eq!(
        submit(&mut s),
        [Command::RenameFeed {
            url: "http://127.0.0.1/2.xml".into(),
            title: Some("हिंदी ख़बरें".into())
        }]
    );
}

#[test]
fn move_gives_a_feed_a_new_address_and_its_view_follows() {
    let (mut s, _) = loaded(5);
    // The feed of the selected article, to the address given.
    keys(&mut s, ":");
    type_text(&mut s, "move https://example.org/new.xml");
    assert_eq!(
        submit(&mut s),
        [Command::MoveFeed {
            from: "http://127.0.0.1/2.xml".into(),
            to: "https://example.org/new.xml".into()
        }]
    );
    keys(&mut s, ":");
    type_text(&mut s, "move http://a/x http://b/x");
    assert_eq!(
        submit(&mut s),
        [Command::MoveFeed {
            from: "http://a/x".into(),
            to: "http://b/x".into()
        }]
    );
    keys(&mut s, ":");
    type_text(&mut s, "move");
    assert!(submit(&mut s).is_empty());
    assert!(s.notice.as_ref().unwrap().text.starts_with("usage: :move"));

    // The feed's view, when its address changes, shows it under the new one.
    keys(&mut s, "h j j j j");
    assert!(
        matches!(s.view.kind, ViewKind::Feed { id: FeedId(1), .. }),
        "{:?}",
        s.view.kind
    );
    let mut moved = feed(1, 3);
    moved.url = "https://example.org/new.xml".into();
    let cmds = update(&mut s, Msg::Feeds(vec![moved, feed(2, 0)]));
    assert!(
        matches!(&s.view.kind, ViewKind::Feed { id: FeedId(1), url } if url == "https://example.org/new.xml"),
        "{:?}",
        s.view.kind
    );
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })));
}

#[test]
fn a_reloaded_config_brings_its_tags_and_keys() {
    let (mut s, _) = loaded(5);
    let keymap = khabar::tui::keymap::Keymap::with_overrides(&[("next_unread".into(), vec!["n".into()])]).unwrap();
    let cmds = update(
        &mut s,
        Msg::ConfigChanged(Box::new(khabar::tui::state::LiveConfig {
            tags: vec!["news".into(), "science".into()],
            queries: vec![],
            keymap,
            open_marks_read: false,
            read_together: true,
            group_stories: true,
            confirm_quit: false,
            confirm_mark_all: true,
            shares: vec![],
        })),
    );
    assert_eq!(cmds[..2], [Command::LoadFeeds, Command::RefreshNew]);
    assert!(
        matches!(
            &cmds[2],
            Command::LoadPage {
                kind: LoadKind::First,
                ..
            }
        ),
        "the list reloads"
    );
    assert_eq!(s.tags, ["news", "science"]);
    assert!(!s.open_marks_read);
    s.headlines.rows[1].read = true;
    keys(&mut s, "n");
    assert_eq!(s.headlines.selected, 2, "the new key is in force");
}

#[test]
fn a_visual_selection_acts_on_every_article_in_it() {
    let (mut s, _) = loaded(10);
    s.headlines.rows[1].read = true;
    keys(&mut s, "j v j j");
    assert_eq!(s.visual_range(), Some(1..=3));
    let cmds = keys(&mut s, "m");
    assert_eq!(
        change_of(&cmds),
        Some((Flag::Read, vec![ArticleId(3), ArticleId(4)], true)),
        "only the ones that change"
    );
    assert!(s.visual.is_none() && s.headlines.rows[1..=3].iter().all(|a| a.read));
    // All read: m again marks them all unread; one undo restores exactly the step.
    keys(&mut s, "v k k m");
    assert!(s.headlines.rows[1..=3].iter().all(|a| !a.read));
    keys(&mut s, "U");
    assert!(s.headlines.rows[1..=3].iter().all(|a| a.read));

    // Star and open: every selected article's (http) link.
    keys(&mut s, "g g v j s");
    assert!(s.headlines.rows[0].starred && s.headlines.rows[1].starred);
    s.headlines.rows[1].link = Some("javascript:x".into());
    let cmds = keys(&mut s, "v j j o");
    assert_eq!(cmds.len(), 2, "{cmds:?}");
    assert!(cmds
        .iter()
        .all(|c| matches!(c, Command::Open(t) if t.url.starts_with("http"))));

    // Esc ends it; so does any action that is not a movement.
    keys(&mut s, "v j esc");
    assert!(s.visual.is_none());
    keys(&mut s, "v j R");
    assert!(s.visual.is_none());
    // A reload replaces the rows under a selection: it ends.
    keys(&mut s, "v j");
    page(&mut s, LoadKind::First, 1..=10, 0);
    assert!(s.visual.is_none());
}

/// `:filter apply` and `.`: the filters' changes are one undo step (flags and tags together),
/// and the hidden toggle reopens the view with hidden articles and says so.
#[test]
fn applying_filters_is_one_step_that_undo_reverses_and_the_hidden_toggle_reopens_the_view() {
    use khabar::tui::state::FilterChange;
    let (mut s, _) = loaded(10);
    let cmds = keys(&mut s, ": f i l t e r space a p p l y enter");
    assert!(cmds.iter().any(|c| matches!(c, Command::ApplyFilters)), "{cmds:?}");

    let hidden = vec![ArticleId(3), ArticleId(5)];
    let tagged = vec![ArticleId(1)];
    let cmds = update(
        &mut s,
        Msg::FiltersApplied(vec![
            FilterChange::Flags(Change {
                flag: Flag::Hidden,
                ids: hidden.clone(),
                value: true,
                what: "filter 1".into(),
            }),
            FilterChange::Tagged {
                tag: "later".into(),
                ids: tagged.clone(),
            },
        ]),
    );
    assert!(
        cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })),
        "the view is read again"
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "filters applied: 3 changes (U undoes)");

    let undo = keys(&mut s, "U");
    assert_eq!(change_of(&undo), Some((Flag::Hidden, hidden.clone(), false)));
    assert!(undo
        .iter()
        .any(|c| matches!(c, Command::SetArticleTag { tag, ids, value: false } if tag == "later" && *ids == tagged)));
    assert_eq!(s.notice.as_ref().unwrap().text, "undone: applying filters (3 changes)");
    let redo = keys(&mut s, "ctrl-r");
    assert_eq!(change_of(&redo), Some((Flag::Hidden, hidden, true)));
    assert!(redo
        .iter()
        .any(|c| matches!(c, Command::SetArticleTag { value: true, .. })));

    // `.` shows hidden articles in the same view, and again hides them.
    let cmds = keys(&mut s, ".");
    assert!(s.view.show_hidden);
    assert!(s.view_title().ends_with("(with hidden)"), "{}", s.view_title());
    let Some(Command::LoadPage { view, .. }) = cmds.iter().find(|c| matches!(c, Command::LoadPage { .. })) else {
        panic!("no reload: {cmds:?}")
    };
    assert!(view.filter().show_hidden);
    keys(&mut s, ".");
    assert!(!s.view.show_hidden);
}

/// A sync's end in the status bar: totals, and each failing account named as an error.
#[test]
fn a_sync_reports_in_the_status_bar_and_rereads_what_changed() {
    use khabar::sync::AccountReport;
    let (mut s, _) = loaded(10);
    update(&mut s, Msg::SyncStarted);
    assert!(s.syncing);
    let ok = AccountReport {
        account: "home".into(),
        kind: "greader".into(),
        new: 3,
        pulled: 2,
        pushed: 1,
        ..Default::default()
    };
    let failed = AccountReport {
        account: "work".into(),
        kind: "fever".into(),
        pending: 4,
        error: Some("the server refused the username or password (login answered 401)".into()),
        ..Default::default()
    };
    let cmds = update(&mut s, Msg::Synced(vec![ok.clone(), failed]));
    assert!(!s.syncing);
    let notice = s.notice.clone().unwrap();
    assert!(notice.error);
    assert_eq!(
        notice.text,
        "work sync failed: the server refused the username or password (login answered 401), 4 waiting to be sent; \
         home synced: 3 new, 2 changed by the server, 1 sent"
    );
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadFeeds)));
    assert!(
        cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })),
        "new articles: the view is read again"
    );
    let cmds = update(
        &mut s,
        Msg::Synced(vec![AccountReport {
            new: 0,
            pulled: 0,
            ..ok
        }]),
    );
    assert!(!s.notice.as_ref().unwrap().error);
    assert!(!cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })));
}

#[test]
fn a_tag_only_filters_gave_is_in_the_sidebar_with_its_count() {
    let (mut s, _) = loaded(5);
    update(&mut s, Msg::ArticleTags(vec![("kernel".into(), 2), ("news".into(), 9)]));
    let entries = s.sidebar_entries();
    let at = entries
        .iter()
        .position(|e| *e == SidebarEntry::Tag("kernel".into()))
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(s.tag_unread("kernel"), 2);
    // A tag feeds have too keeps its feeds' count.
    assert_eq!(s.tag_unread("news"), 3);
    assert_eq!(
        entries
            .iter()
            .filter(|e| **e == SidebarEntry::Tag("news".into()))
            .count(),
        1
    );
    keys(&mut s, "h g g");
    keys(&mut s, &"j ".repeat(at));
    assert_eq!(s.selected_entry(), Some(SidebarEntry::Tag("kernel".into())));
    keys(&mut s, "enter");
    assert_eq!(s.view.kind, ViewKind::Tag("kernel".into()));
}

#[test]
fn q_quits_from_the_lists_at_once_or_asks_with_confirm_quit() {
    // An article open beside the list does not stand between q and quitting.
    let (mut s, _) = loaded(5);
    keys(&mut s, "l enter");
    let summary = s.headlines.rows[0].clone();
    update(
        &mut s,
        Msg::Article(Box::new(khabar::model::Article {
            summary,
            content: Some("<p>body</p>".into()),
            full_content: None,
            enclosures: Vec::new(),
        })),
    );
    keys(&mut s, "h");
    assert!(s.article.is_some() && s.focus != khabar::tui::state::Focus::Article);
    keys(&mut s, "q");
    assert!(s.quit);

    let (mut s, _) = loaded(5);
    s.confirm_quit = true;
    keys(&mut s, "q");
    assert!(!s.quit);
    let Mode::Confirm { question, .. } = &s.mode else {
        panic!("no question: {:?}", s.mode)
    };
    assert_eq!(question, "quit khabar? (y/n)");
    keys(&mut s, "n");
    assert!(!s.quit && s.mode == Mode::Normal);
    keys(&mut s, "q y");
    assert!(s.quit);
    // ctrl-c never asks.
    let (mut s, _) = loaded(5);
    s.confirm_quit = true;
    keys(&mut s, "ctrl-c");
    assert!(s.quit);

    // confirm_mark_all = false: A marks at once, even All.
    let (mut s, _) = loaded(10);
    s.confirm_mark_all = false;
    let cmds = keys(&mut s, "A");
    assert!(matches!(&cmds[0], Command::MarkViewRead { .. }), "{cmds:?}");
}
