//! Attachments and pictures for the reader: `d` saves an attachment with progress in the status
//! bar; the open article's images are fetched (or read from their cache) and encoded off the loop.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Config;
use crate::model::ArticleId;

use super::super::images;
use super::super::state::{Msg, Notice};
use super::{background, Effects, Network};

/// Where downloads go without `download_dir`: $XDG_DOWNLOAD_DIR, else ~/Downloads.
fn download_dir() -> PathBuf {
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Downloads")))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Saves an attachment in the download folder, saying how far it got in the status bar.
pub(super) fn download(config: Arc<Config>, msgs: mpsc::UnboundedSender<Msg>, url: String) {
    background().spawn(async move {
        let say = |text: String, error: bool| {
            let _ = msgs.send(Msg::Notice(Notice { text, error }));
        };
        let dir = config.general.download_dir.clone().unwrap_or_else(download_dir);
        crate::feed::fetch::install_tls();
        let client = match reqwest::Client::builder()
            .connect_timeout(config.general.connect_timeout.0)
            .user_agent(config.general.user_agent.clone())
            .build()
        {
            Ok(c) => c,
            Err(e) => return say(format!("download: {e}"), true),
        };
        let name = crate::download::file_name(&url);
        let progress = |done: u64, total: Option<u64>| {
            let of = total.map_or(String::new(), |t| format!(" ({}%)", done * 100 / t.max(1)));
            let _ = msgs.send(Msg::Notice(Notice {
                text: format!("downloading {name}: {} KB{of}", done / 1000),
                error: false,
            }));
        };
        let max = config.general.max_download_size.0;
        match crate::download::download(&client, &url, &dir, max, &progress).await {
            Ok(crate::download::Saved::New(path)) => say(format!("saved {}", path.display()), false),
            Ok(crate::download::Saved::Already(path)) => say(format!("already saved: {}", path.display()), false),
            Err(e) => say(format!("download of {name}: {e}"), true),
        }
    });
}

impl Effects {
    /// Pictures are shown with this protocol from now on; the picture cache is cut back to
    /// `image_cache_size` first, off the event loop.
    pub fn show_pictures(&self, picker: ratatui_image::picker::Picker) {
        let (dir, max) = (images::cache_dir(&self.cache), self.config().general.image_cache_size.0);
        tokio::task::spawn_blocking(move || match images::prune(&dir, max) {
            Ok(0) => {}
            Ok(n) => tracing::info!("picture cache: removed {n} old files to stay under {max} bytes"),
            Err(e) => tracing::warn!("picture cache {}: {e}", dir.display()),
        });
        let _ = self.picker.set(picker);
    }

    /// Fetches, decodes and encodes one picture of the open article; answers `Msg::Image`.
    pub(super) fn load_image(&self, id: ArticleId, url: String, cols: u16, max_rows: u16) {
        let Some(picker) = self.picker.get().cloned() else {
            return;
        };
        let (network, config, cache, msgs) = (
            self.network.clone(),
            self.config(),
            self.cache.clone(),
            self.msgs.clone(),
        );
        background().spawn(async move {
            let result = match Network::get(&network, &config, &cache).await {
                Ok(net) => images::load(&net.fetcher, &images::cache_dir(&cache), picker, &url, cols, max_rows)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            if let Err(e) = &result {
                tracing::info!("picture {url} not shown: {e}");
            }
            let _ = msgs.send(Msg::Image { id, url, cols, result });
        });
    }
}
