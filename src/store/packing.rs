//! Article bodies at rest: HTML is stored zstd-compressed as a BLOB (about half the size),
//! short or incompressible text as plain TEXT. Caches written before compression read unchanged.

use std::io::Read;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::ToSql;

/// First byte of a compressed body: the format, so another can be added later.
const ZSTD: u8 = 1;
/// Shorter text is stored as it is: compression would save too little to pay for itself.
const MIN_PACKED: usize = 256;
/// Fastest level: bodies are compressed on the refresh path. On the benchmark corpus zstd 1
/// compresses as well as deflate 1 in a third of the time.
const LEVEL: i32 = 1;
/// No stored body inflates past this (bodies are capped at fetch far below it).
const MAX_INFLATED: u64 = 256 << 20;

thread_local! {
    /// One compression context per thread: creating one per body would cost more than the
    /// compression of a short article.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        std::cell::RefCell::new(zstd::bulk::Compressor::new(LEVEL).ok());
}

thread_local! {
    /// One decompression context per thread, for the same reason (the search index pass
    /// inflates every body a refresh stored).
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        std::cell::RefCell::new(zstd::bulk::Decompressor::new().ok());
}

/// A compressed body's bytes. `pack` records the size in the frame; a frame without it (or
/// too large a claim) is read as a stream, never past `MAX_INFLATED`.
fn inflate(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    let size = zstd::zstd_safe::get_frame_content_size(compressed).ok().flatten();
    if let Some(size) = size.filter(|&n| n <= MAX_INFLATED) {
        let inflated = DECOMPRESSOR.with_borrow_mut(|d| d.as_mut().map(|d| d.decompress(compressed, size as usize)));
        if let Some(inflated) = inflated {
            return inflated;
        }
    }
    let mut bytes = Vec::new();
    zstd::stream::read::Decoder::new(compressed)?
        .take(MAX_INFLATED)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A body ready to be bound to an INSERT or UPDATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packed {
    Text(String),
    Compressed(Vec<u8>),
}

/// Compresses `text` when that pays.
pub fn pack(text: &str) -> Packed {
    if text.len() >= MIN_PACKED {
        let compressed = COMPRESSOR.with_borrow_mut(|c| match c {
            Some(c) => c.compress(text.as_bytes()).ok(),
            None => None,
        });
        if let Some(compressed) = compressed.filter(|c| c.len() < text.len()) {
            let mut out = Vec::with_capacity(compressed.len() + 1);
            out.push(ZSTD);
            out.extend_from_slice(&compressed);
            return Packed::Compressed(out);
        }
    }
    Packed::Text(text.to_string())
}

impl ToSql for Packed {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Packed::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Packed::Compressed(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// A body read back: TEXT as stored, BLOB inflated.
pub struct Unpacked(pub Option<String>);

impl FromSql for Unpacked {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Null => Ok(Unpacked(None)),
            ValueRef::Text(t) => Ok(Unpacked(Some(String::from_utf8_lossy(t).into_owned()))),
            ValueRef::Blob([ZSTD, compressed @ ..]) => {
                let damaged = |e: std::io::Error| FromSqlError::Other(format!("damaged article body: {e}").into());
                String::from_utf8(inflate(compressed).map_err(damaged)?)
                    .map(|s| Unpacked(Some(s)))
                    .map_err(|e| FromSqlError::Other(Box::new(e)))
            }
            ValueRef::Blob(_) => Err(FromSqlError::Other("article body in an unknown format".into())),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Option<String> {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.query_row("SELECT ?1", [pack(text)], |r| r.get::<_, Unpacked>(0))
            .unwrap()
            .0
    }

    #[test]
    fn bodies_round_trip_and_only_long_ones_are_compressed() {
        let long = "<p>हिन्दी समाचार 日本語 news</p>\n".repeat(40);
        assert!(matches!(pack(&long), Packed::Compressed(ref b) if b.len() < long.len() / 4));
        assert_eq!(round_trip(&long).as_deref(), Some(long.as_str()));
        assert_eq!(pack("<p>short</p>"), Packed::Text("<p>short</p>".into()));
        assert_eq!(round_trip("<p>short</p>").as_deref(), Some("<p>short</p>"));
        assert_eq!(round_trip("").as_deref(), Some(""));
    }

    #[test]
    fn damaged_or_unknown_blobs_are_errors_not_panics() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for blob in [vec![ZSTD, 0xff, 0x00, 0x13], vec![9, 1, 2], vec![]] {
            let got = conn.query_row("SELECT ?1", [&blob], |r| r.get::<_, Unpacked>(0));
            assert!(got.is_err(), "{blob:?}");
        }
    }
}
