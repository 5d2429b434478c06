//! Text handling: sanitising of untrusted feed text, HTML to plain text, and display width.
//! Pure functions with no I/O; every layer that shows or stores feed text goes through here.

pub mod attachments;
mod cleanup;
pub mod html;
pub mod reader;
pub mod rich;
pub mod sanitize;
pub mod width;

/// "1 article", "2 articles": a count with the noun it counts.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
