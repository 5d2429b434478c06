//! Which palette fits the terminal: asks it for its background colour (OSC 11, with DA1 after it
//! so a terminal that ignores OSC 11 still answers at once), else `COLORFGBG`, else dark.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::ui::theme::Background;

/// How long a terminal may take to answer before the palette falls back.
const ANSWER_WITHIN: Duration = Duration::from_millis(150);

/// The background in force: asked of the terminal (raw mode must be on, nothing else reading
/// input yet), else from `COLORFGBG`, else dark.
pub fn detect() -> Background {
    query_terminal()
        .or_else(|| std::env::var("COLORFGBG").ok().and_then(|v| from_colorfgbg(&v)))
        .unwrap_or_default()
}

/// OSC 11 then DA1 on the controlling terminal; the answer is read until DA1's reply ends it.
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
fn query_terminal() -> Option<Background> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    // ST, not BEL, ends the query: BEL would ring in a terminal that does not know OSC 11.
    tty.write_all(b"\x1b]11;?\x1b\\\x1b[c").ok()?;
    tty.flush().ok()?;
    let started = Instant::now();
    let mut reply = Vec::new();
    let mut buf = [0u8; 256];
    // Bounded: at most ANSWER_WITHIN, and at most 4 KiB of answer.
    while reply.len() < 4096 {
        let left = ANSWER_WITHIN.checked_sub(started.elapsed())?;
        let mut fds = libc::pollfd {
            fd: tty.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut fds, 1, left.as_millis().max(1) as libc::c_int) };
        if ready <= 0 {
            return None;
        }
        let n = tty.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        reply.extend_from_slice(&buf[..n]);
        if da1_done(&reply) {
            break;
        }
    }
    parse_osc11(&reply).map(|(r, g, b)| from_rgb(r, g, b))
}

/// DA1's reply (`ESC [ ? … c`) has arrived: every answer before it is in.
fn da1_done(reply: &[u8]) -> bool {
    let Some(start) = reply.windows(3).position(|w| w == b"\x1b[?") else {
        return false;
    };
    reply[start + 3..].contains(&b'c')
}

/// The colour in an OSC 11 answer: `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` (1 to 4 hex digits each),
/// ended by BEL or ST. Scaled to 0..=255.
pub fn parse_osc11(reply: &[u8]) -> Option<(u8, u8, u8)> {
    let text = String::from_utf8_lossy(reply);
    let rest = &text[text.find("]11;")? + 4..];
    let rest = rest.strip_prefix("rgb:").or_else(|| rest.strip_prefix("rgba:"))?;
    let end = rest.find(['\x07', '\x1b']).unwrap_or(rest.len());
    let mut parts = rest[..end].split('/').map(|h| {
        let v = u32::from_str_radix(h, 16).ok()?;
        let max = (1u32 << (4 * h.len().clamp(1, 4))) - 1;
        Some((v * 255 / max) as u8)
    });
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// Light when the colour's relative luminance is above the middle.
pub fn from_rgb(r: u8, g: u8, b: u8) -> Background {
    if luminance(r, g, b) > 0.5 {
        Background::Light
    } else {
        Background::Dark
    }
}

/// WCAG relative luminance of an sRGB colour, 0 (black) to 1 (white).
pub fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// `COLORFGBG` ("15;0", "0;default;15"): its last field is the background's ANSI index.
pub fn from_colorfgbg(value: &str) -> Option<Background> {
    let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    Some(match bg {
        7 | 9..=15 => Background::Light,
        _ => Background::Dark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_environment() {
        assert_eq!(
            parse_osc11(b"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b[?62;c"),
            Some((255, 255, 255))
        );
        assert_eq!(parse_osc11(b"\x1b]11;rgb:1e1e/1e1e/2e2e\x1b\\"), Some((30, 30, 46)));
        assert_eq!(parse_osc11(b"\x1b]11;rgb:f/f/e\x07"), Some((255, 255, 238)));
        assert_eq!(parse_osc11(b"\x1b[?62;22c"), None, "DA1 alone: no OSC 11 support");
        assert_eq!(parse_osc11(b"\x1b]11;rgb:zz/00/00\x07"), None);
        assert!(da1_done(b"\x1b]11;rgb:0/0/0\x07\x1b[?1;2c"));
        assert!(!da1_done(b"\x1b]11;rgb:0/0/0\x07\x1b[?1;2"));
        assert_eq!(from_rgb(255, 255, 255), Background::Light);
        assert_eq!(from_rgb(0xfd, 0xf6, 0xe3), Background::Light, "solarized light");
        assert_eq!(from_rgb(0x00, 0x2b, 0x36), Background::Dark, "solarized dark");
        assert_eq!(from_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(from_colorfgbg("15;default;0"), Some(Background::Dark));
        assert_eq!(from_colorfgbg("15;default"), None);
    }
}
