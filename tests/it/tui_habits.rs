//! The reader's power-user habits, through `update`: link hints, the URL picker, share
//! targets, the last message whole, prompt history, Tab completion, `:set`, `:query`,
//! `:save-article`, and the help overlay that says it scrolls.

use crate::common::reader::*;
use khabar::model::ArticleId;
use khabar::tui::state::{update, AppState, Command, Mode, Msg, PickPurpose, ViewKind};

/// `loaded(3)` with the first article open and rendered with three links and a picture.
fn with_links() -> AppState {
    let (mut s, _) = loaded(3);
    let html = "<p><a href='http://e/one'>one</a> <a href='http://e/two'>two</a> <a href='https://e/three'>three</a></p><img src='http://e/p.png' alt='a map'>";
    open_rendered(&mut s, html, 60);
    s
}

#[test]
fn link_hints_open_or_copy_the_link_whose_letters_are_typed() {
    let (mut none, _) = loaded(3);
    assert!(keys(&mut none, "F").is_empty());
    assert!(none.notice.as_ref().unwrap().text.contains("open an article first"));

    let mut s = with_links();
    keys(&mut s, "F");
    assert!(matches!(s.mode, Mode::Hints { .. }));
    // a, s, d for the links, f for the picture: "d" opens the third.
    let cmds = keys(&mut s, "d");
    assert_eq!(opened(&cmds), ["https://e/three"]);
    assert_eq!(s.mode, Mode::Normal);
    // In capitals: copied.
    keys(&mut s, "F");
    assert_eq!(keys(&mut s, "F"), [Command::Copy("http://e/p.png".into())]);
    // A letter no label has: the hints go, and it says so.
    keys(&mut s, "F");
    assert!(keys(&mut s, "z").is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.notice.as_ref().unwrap().text.contains("no link labelled"));
    // Esc puts them away.
    keys(&mut s, "F esc");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(khabar::tui::state::hint_labels(3), ["a", "s", "d"]);
    let many = khabar::tui::state::hint_labels(30);
    assert_eq!((many[0].as_str(), many.len()), ("aa", 30));
}

#[test]
fn the_url_picker_lists_every_link_to_open_or_copy() {
    let mut s = with_links();
    keys(&mut s, "g l");
    let Mode::Pick(pick) = &s.mode else {
        panic!("no picker: {:?}", s.mode)
    };
    assert_eq!(pick.purpose, PickPurpose::Link);
    assert_eq!(pick.items.len(), 4, "{:?}", pick.items);
    assert!(
        pick.items[0].0.starts_with("[1] one") && pick.items[3].0.contains("a map"),
        "{:?}",
        pick.items
    );
    let cmds = keys(&mut s, "j enter");
    assert_eq!(opened(&cmds), ["http://e/two"]);
    keys(&mut s, "g l");
    assert_eq!(keys(&mut s, "G y"), [Command::Copy("http://e/p.png".into())]);
}

#[test]
fn share_targets_are_chosen_from_a_list() {
    let (mut s, _) = loaded(3);
    keys(&mut s, "g s");
    assert!(s.notice.as_ref().unwrap().text.contains("no [[share]] targets"));
    s.shares = vec!["wallabag".into(), "mail".into()];
    keys(&mut s, "g s");
    assert!(matches!(&s.mode, Mode::Pick(p) if p.purpose == PickPurpose::Share(ArticleId(1))));
    let cmds = keys(&mut s, "j enter");
    assert_eq!(
        cmds,
        [Command::Share {
            id: ArticleId(1),
            target: "mail".into()
        }]
    );
}

#[test]
fn the_last_message_can_be_read_whole() {
    let (mut s, _) = loaded(3);
    keys(&mut s, "g m");
    assert_eq!(s.notice.as_ref().unwrap().text, "no message yet");
    let long = format!("feed x: {}", "a very long error ".repeat(20));
    update(
        &mut s,
        Msg::Notice(khabar::tui::state::Notice {
            text: long.clone(),
            error: true,
        }),
    );
    keys(&mut s, "j");
    assert!(s.notice.is_none(), "the status bar moved on");
    keys(&mut s, "g m");
    assert_eq!(s.mode, Mode::Message { scroll: 0 });
    assert_eq!(s.last_message.as_ref().unwrap().text, long);
    keys(&mut s, "x");
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn prompts_remember_what_they_were_given_and_complete_commands() {
    let (mut s, _) = loaded(3);
    s.prompts.search = vec!["older".into()];
    keys(&mut s, "/");
    type_text(&mut s, "rust");
    let cmds = keys(&mut s, "enter");
    assert_eq!(
        cmds[cmds.len() - 1],
        Command::RememberPrompt {
            kind: "search",
            text: "rust".into()
        }
    );
    assert_eq!(s.prompts.search, ["older", "rust"]);
    keys(&mut s, "q /");
    type_text(&mut s, "draft");
    keys(&mut s, "up");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "rust"));
    keys(&mut s, "up up");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "older"));
    keys(&mut s, "down down");
    assert!(
        matches!(&s.mode, Mode::Input { text, .. } if text == "draft"),
        "{:?}",
        s.mode
    );
    keys(&mut s, "esc");

    // Tab: commands, then a command's arguments; Tab again, the next candidate.
    keys(&mut s, ":");
    type_text(&mut s, "sa");
    keys(&mut s, "tab");
    assert!(
        matches!(&s.mode, Mode::Input { text, .. } if text == "save"),
        "{:?}",
        s.mode
    );
    assert_eq!(s.notice.as_ref().unwrap().text, "tab: save  save-article");
    keys(&mut s, "tab");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "save-article"));
    keys(&mut s, "tab");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "save"));
    keys(&mut s, "esc :");
    type_text(&mut s, "set unr");
    keys(&mut s, "tab");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "set unread_only"));
    keys(&mut s, "esc :");
    type_text(&mut s, "tag n");
    keys(&mut s, "tab");
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text == "tag news"));
}

#[test]
fn set_changes_a_setting_until_the_reader_quits() {
    let (mut s, _) = loaded(3);
    let run = |s: &mut AppState, line: &str| {
        keys(s, ":");
        type_text(s, line);
        keys(s, "enter")
    };
    let cmds = run(&mut s, "set unread_only");
    assert!(s.view.unread_only);
    assert!(cmds.iter().any(|c| matches!(c, Command::LoadPage { .. })), "{cmds:?}");
    run(&mut s, "set unread_only!");
    assert!(!s.view.unread_only);
    run(&mut s, "set confirm_quit=yes");
    assert!(s.confirm_quit);
    run(&mut s, "set noconfirm_quit");
    assert!(!s.confirm_quit);
    run(&mut s, "set sort oldest");
    assert_eq!(s.view.sort, khabar::model::SortOrder::Oldest);
    run(&mut s, "set sort?");
    assert_eq!(s.notice.as_ref().unwrap().text, "sort=oldest");
    run(&mut s, "set colour");
    assert!(s.notice.as_ref().unwrap().error);
    assert!(s.notice.as_ref().unwrap().text.starts_with("no setting \"colour\""));
}

#[test]
fn query_opens_a_saved_query_and_save_article_names_a_file() {
    let (mut s, _) = loaded(3);
    s.queries = vec![khabar::config::SavedQuery {
        name: "Fresh".into(),
        query: khabar::query::parse("is:unread").unwrap(),
        sort: None,
        tags: vec![],
    }];
    let first = s.headlines.rows[0].id;
    keys(&mut s, ":");
    type_text(&mut s, "save-article ~/keep.md");
    let cmds = keys(&mut s, "enter");
    assert!(cmds.contains(&Command::SaveArticle {
        id: first,
        path: "~/keep.md".into()
    }));
    keys(&mut s, ":");
    type_text(&mut s, "query Fresh");
    keys(&mut s, "enter");
    assert!(matches!(&s.view.kind, ViewKind::Query { name, .. } if name == "Fresh"));
}

#[test]
fn the_help_names_each_action_and_says_it_scrolls() {
    let (s, _) = loaded(3);
    let lines = khabar::tui::ui::help_lines(&s);
    assert!(lines
        .iter()
        .any(|(keys, what)| keys == "F" && what.starts_with("link_hints: ")));
    assert!(lines
        .iter()
        .any(|(keys, what)| keys == "g m" && what.starts_with("last_message: ")));
}
