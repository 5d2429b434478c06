//! What the reader writes to its terminal besides frames, each an OSC sequence: a copy to the
//! clipboard (52) and a desktop notification (9, or 777 where the terminal reads that).

use std::io::{stdout, Write};

/// OSC 52: the terminal puts the text on the clipboard (also over SSH).
pub fn copy(text: &str) -> std::io::Result<()> {
    use crossterm::clipboard::CopyToClipboard;
    crossterm::execute!(stdout(), CopyToClipboard::to_clipboard_from(text))
}

/// A desktop notification through the reader's own terminal: OSC 777 where the terminal is one
/// that reads it (foot, urxvt), else OSC 9 (iTerm2, kitty, WezTerm, Windows Terminal); not
/// inside tmux or screen, whose terminal is not the reader's own. The text is sanitised first.
pub fn notify(text: &str) {
    if std::env::var_os("TMUX").is_some() || std::env::var_os("STY").is_some() {
        return;
    }
    let text = crate::text::sanitize::clean_line(text).replace(';', ",");
    let term = std::env::var("TERM").unwrap_or_default();
    let sequence = if term.starts_with("foot") || term.contains("rxvt") {
        format!("\x1b]777;notify;khabar;{text}\x07")
    } else {
        format!("\x1b]9;{text}\x07")
    };
    let mut out = stdout();
    let _ = out.write_all(sequence.as_bytes()).and_then(|()| out.flush());
}
