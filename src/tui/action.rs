//! The vocabulary of the keymap and the help overlay: every user action, with its config name
//! and a one-line description. Pure data, no terminal types.

macro_rules! actions {
    ($($variant:ident => $name:literal, $desc:literal;)*) => {
        /// Something the user asks for. Keys map to these through the keymap.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The name used in `[keys]` of the config.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $desc),* }
            }
        }
    };
}

actions! {
    MoveDown => "move_down", "Move down";
    MoveUp => "move_up", "Move up";
    FocusLeft => "focus_left", "Focus the pane to the left";
    FocusRight => "focus_right", "Focus the pane to the right";
    FocusNext => "focus_next", "Focus the next pane";
    FocusPrev => "focus_prev", "Focus the previous pane";
    Top => "top", "Go to the top";
    Bottom => "bottom", "Go to the bottom";
    HalfPageDown => "half_page_down", "Half a page down";
    HalfPageUp => "half_page_up", "Half a page up";
    PageDown => "page_down", "A page down";
    PageUp => "page_up", "A page up";
    Open => "open", "Open the selection (marks an article read)";
    PageArticle => "page_article", "Page the article down";
    FullArticle => "full_article", "Full article from its web page (again: the feed's text)";
    OpenLink => "open_link", "Open the article's link in the browser (3o: link [3])";
    CopyLink => "copy_link", "Copy the article's link (OSC 52; 3y: link [3])";
    LinkHints => "link_hints", "A letter on every link and picture: type it to open, in capitals to copy";
    UrlPicker => "url_picker", "Every link of the article in a list: enter opens, y copies";
    Share => "share", "Send the article to a [[share]] target, chosen from a list";
    Pipe => "pipe", "Send the article to pipe_command (or :pipe CMD)";
    Download => "download", "Download an attachment (2d: the second) to download_dir";
    ToggleRead => "toggle_read", "Toggle read";
    NextUnread => "next_unread", "Next unread article (on into the next tag or feed)";
    PrevUnread => "prev_unread", "Previous unread article";
    ReadAndNext => "read_and_next", "Mark read and open the next unread article";
    CycleSort => "cycle_sort", "Next order: newest, oldest, feed, title, unread";
    ToggleStar => "toggle_star", "Toggle star";
    Visual => "visual", "Select several (move to extend; m, s, o act on all)";
    MarkViewRead => "mark_view_read", "Mark the view read (asks y/n when many)";
    Undo => "undo", "Undo: read, star, mark-all, :filter apply";
    Redo => "redo", "Redo what undo undid";
    ToggleUnreadOnly => "toggle_unread_only", "Show only unread articles, or all";
    ToggleHidden => "toggle_hidden", "Show articles filters hid too, or not";
    ToggleStory => "toggle_story", "Show every article of the selected story, or fold it back";
    RefreshFeed => "refresh_feed", "Refresh the selected feed";
    RefreshAll => "refresh_all", "Refresh all feeds";
    RemoveFeed => "remove_feed", "Remove the feed from the config (asks; U undoes)";
    Search => "search", "Search (full text)";
    NextResult => "next_result", "Next search result";
    PrevResult => "prev_result", "Previous search result";
    CommandLine => "command_line", "Command line (Tab completes; Up: history): :set, :query, :save-article, :add, :tag, :feed…";
    ToggleFullscreen => "toggle_fullscreen", "Article pane full width, or back";
    ToggleFeeds => "toggle_feeds", "Fold or unfold the tag under the cursor";
    ToggleHideRead => "toggle_hide_read", "Hide tags and feeds with nothing unread, or show all";
    Help => "help", "Show or hide this help";
    LastMessage => "last_message", "Show the last message in full";
    Back => "back", "Go back; quit from the list";
    Cancel => "cancel", "Cancel";
    Quit => "quit", "Quit";
}

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(!a.description().is_empty());
        }
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
