//! Pictures in the article pane: the terminal's graphics protocol (asked once as the reader
//! starts, or named in the config), and each image fetched, cached, decoded and encoded for it.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{DynamicImage, ImageReader};
use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::sliced::SlicedProtocol;
use ratatui_image::Resize;
use sha2::{Digest, Sha256};

use crate::config::{FeedTarget, ImageMode};
use crate::feed::{FetchError, Fetched, Fetcher, Validators};

/// An image encoded for the terminal at its shown size, drawn row by row (a picture half
/// scrolled out of the pane shows its visible rows).
#[derive(Clone)]
pub struct Picture(Arc<SlicedProtocol>);

impl Picture {
    pub fn rows(&self) -> u16 {
        self.0.size().height
    }

    pub fn protocol(&self) -> &SlicedProtocol {
        &self.0
    }
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = self.0.size();
        write!(f, "Picture({}x{} cells)", size.width, size.height)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not a web address")]
    NotWeb,
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("the server answered 304 to a request without validators")]
    NotModified,
    #[error("cannot decode: {0}")]
    Decode(String),
    #[error("too small to show ({0}x{1} pixels)")]
    TooSmall(u32, u32),
    #[error("cannot encode for the terminal: {0}")]
    Encode(String),
    #[error("{0}")]
    Task(String),
}

/// Whether the reader runs inside tmux or screen, whose graphics passthrough often breaks.
fn in_multiplexer() -> bool {
    let term = std::env::var("TERM").unwrap_or_default();
    std::env::var_os("TMUX").is_some()
        || std::env::var_os("STY").is_some()
        || term.starts_with("screen")
        || term.starts_with("tmux")
}

/// The protocol pictures are drawn with, or None for "[image: alt]" only. Asks the terminal
/// (raw mode on, before anything reads keys) unless the config names the protocol, and then only
/// for its font size. "auto" is off in tmux and screen, and off where the terminal has no
/// graphics protocol: half blocks are shown only when asked for.
pub fn picker(mode: ImageMode) -> Option<Picker> {
    let named = match mode {
        ImageMode::Off => return None,
        ImageMode::Halfblocks => return Some(Picker::halfblocks()),
        ImageMode::Auto if in_multiplexer() => return None,
        ImageMode::Auto => None,
        ImageMode::Kitty => Some(ProtocolType::Kitty),
        ImageMode::Iterm2 => Some(ProtocolType::Iterm2),
        ImageMode::Sixel => Some(ProtocolType::Sixel),
    };
    let asked = Picker::from_query_stdio();
    if let Err(e) = &asked {
        tracing::info!("the terminal did not say which images it shows: {e}");
    }
    match named {
        Some(protocol) => {
            let mut picker = asked.unwrap_or_else(|_| Picker::halfblocks());
            picker.set_protocol_type(protocol);
            Some(picker)
        }
        None => asked.ok().filter(|p| p.protocol_type() != ProtocolType::Halfblocks),
    }
}

/// Where the picture cache is: `images/` beside the cache file.
pub fn cache_dir(cache: &Path) -> PathBuf {
    cache.parent().unwrap_or(Path::new(".")).join("images")
}

/// An image's file in the cache: its address hashed, so no address can name a path.
fn cached_file(dir: &Path, url: &str) -> PathBuf {
    let digest = Sha256::digest(url.as_bytes());
    let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(name)
}

/// The image's bytes: from the cache, else fetched with the feeds' limits (size, time,
/// redirects) and then kept in the cache (written whole, then renamed, so a kill leaves no
/// half file under the final name).
pub async fn bytes(fetcher: &Fetcher, dir: &Path, url: &str) -> Result<Vec<u8>, ImageError> {
    let parsed = url::Url::parse(url).map_err(|_| ImageError::NotWeb)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ImageError::NotWeb);
    }
    let file = cached_file(dir, url);
    if let Ok(bytes) = tokio::fs::read(&file).await {
        return Ok(bytes);
    }
    let body = match fetcher.fetch(&FeedTarget::Http(parsed), &Validators::default()).await? {
        Fetched::Body(body) => body,
        Fetched::NotModified => return Err(ImageError::NotModified),
    };
    let part = file.with_extension("part");
    let kept = async {
        tokio::fs::create_dir_all(dir).await?;
        tokio::fs::write(&part, &body.bytes).await?;
        tokio::fs::rename(&part, &file).await
    };
    if let Err(e) = kept.await {
        tracing::warn!("cannot keep an image in {}: {e}", dir.display());
    }
    Ok(body.bytes)
}

/// Largest width or height decoded, and the most memory a decoder may take: a small file that
/// claims a huge picture (a decompression bomb) is refused before it is unpacked.
const MAX_SIDE: u32 = 10_000;
const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;

/// Decodes an image (PNG, JPEG, GIF, WebP) within those bounds.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| ImageError::Decode(e.to_string()))
}

/// Encodes a picture for the terminal: its natural size in cells, shrunk to fit `cols` by
/// `max_rows` (never enlarged). Pictures smaller than two cells (tracking pixels, spacers)
/// are not shown.
pub fn encode(picker: &Picker, image: DynamicImage, cols: u16, max_rows: u16) -> Result<Picture, ImageError> {
    let font = picker.font_size();
    if image.width() < u32::from(font.width) * 2 && image.height() < u32::from(font.height) {
        return Err(ImageError::TooSmall(image.width(), image.height()));
    }
    let natural = Resize::natural_size(&image, font);
    let area = Size::new(natural.width.min(cols).max(1), natural.height.min(max_rows).max(1));
    SlicedProtocol::new_with_resize(picker, image, area, Resize::Fit(None))
        .map(|p| Picture(Arc::new(p)))
        .map_err(|e| ImageError::Encode(e.to_string()))
}

/// Fetches (or reads from the cache), decodes and encodes one image; the CPU work runs on the
/// blocking pool.
pub async fn load(
    fetcher: &Fetcher,
    dir: &Path,
    picker: Picker,
    url: &str,
    cols: u16,
    max_rows: u16,
) -> Result<Picture, ImageError> {
    let bytes = bytes(fetcher, dir, url).await?;
    tokio::task::spawn_blocking(move || {
        crate::panics::contain(|| encode(&picker, decode(&bytes)?, cols, max_rows))
            .map_err(|e| ImageError::Task(e.to_string()))?
    })
    .await
    .map_err(|e| ImageError::Task(e.to_string()))?
}

/// Cuts the cache back to `max` bytes, oldest files first (by modification time).
pub fn prune(dir: &Path, max: u64) -> std::io::Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort();
    let mut removed = 0;
    for (_, len, path) in files {
        if total <= max {
            break;
        }
        std::fs::remove_file(&path)?;
        total -= len;
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    /// PNG's chunk checksum (CRC-32, ISO 3309), so an edited header is still a valid one.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn pictures_keep_their_natural_size_within_the_bounds() {
        let picker = Picker::halfblocks(); // cells of 10x20 pixels
        let small = encode(&picker, decode(&png(100, 60)).unwrap(), 80, 12).unwrap();
        assert_eq!(small.rows(), 3, "60 px at 20 px a row");
        let tall = encode(&picker, decode(&png(400, 1000)).unwrap(), 80, 12).unwrap();
        assert_eq!(tall.rows(), 12, "capped at image_height");
        let wide = encode(&picker, decode(&png(3000, 400)).unwrap(), 40, 12).unwrap();
        assert!(wide.protocol().size().width <= 40, "{wide:?}");
        assert!(wide.rows() < 12, "fitted to the width, the aspect kept: {wide:?}");
    }

    #[test]
    fn tracking_pixels_and_broken_files_are_not_shown() {
        let picker = Picker::halfblocks();
        let pixel = encode(&picker, decode(&png(1, 1)).unwrap(), 80, 12);
        assert!(matches!(pixel, Err(ImageError::TooSmall(1, 1))), "{pixel:?}");
        assert!(matches!(
            decode(b"<html>not a picture</html>"),
            Err(ImageError::Decode(_))
        ));
        let mut truncated = png(200, 200);
        truncated.truncate(truncated.len() / 2);
        assert!(decode(&truncated).is_err());
    }

    #[test]
    fn a_small_file_claiming_a_huge_picture_is_refused_before_decoding() {
        // A valid PNG header and IHDR for 60000x60000 pixels (a decompression bomb's opening).
        let mut bomb = png(4, 4);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = decode(&bomb).unwrap_err().to_string();
        assert!(
            e.contains("limit"),
            "refused by the limits, not by a broken checksum: {e}"
        );
    }

    #[test]
    fn cache_files_are_named_by_hash_and_pruned_oldest_first() {
        let dir = std::env::temp_dir().join(format!("khabar-images-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let hostile = cached_file(&dir, "http://x/../../etc/passwd");
        assert_eq!(hostile.parent(), Some(dir.as_path()));
        assert_eq!(hostile.file_name().unwrap().len(), 32);
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let path = dir.join(name);
            std::fs::write(&path, vec![0u8; 1000]).unwrap();
            let at = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + i as u64);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(at)
                .unwrap();
        }
        assert_eq!(prune(&dir, 2000).unwrap(), 1);
        assert!(!dir.join("old").exists() && dir.join("mid").exists() && dir.join("new").exists());
        assert_eq!(prune(&dir, 5000).unwrap(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
