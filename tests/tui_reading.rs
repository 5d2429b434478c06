//! The daily reading loop in the reader's state machine: undo and redo, confirmation before a
//! large mark-all, next and previous unread. Key sequences into `update`, as a user types them.

mod common;

use common::reader::*;
use khabar::model::{ArticleId, Flag};
use khabar::tui::state::{update, Change, Command, Mode, Msg, UNDO_STEPS};

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
    assert!(UNDO_STEPS >= 100);
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
    // The sidebar: All, Unread, Starred, tag "news", the feeds header, feed 1 (3 unread).
    keys(&mut s, "h j j j j j");
    let cmds = keys(&mut s, "A");
    assert!(matches!(&cmds[0], Command::MarkViewRead { .. }), "{cmds:?}");
    assert_eq!(s.mode, Mode::Normal);
}
