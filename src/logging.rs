//! Logging to a file in the data dir through `tracing`: the terminal belongs to the UI and to
//! command output, so nothing is logged there.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging to `dir/khabar.log` (level from `KHABAR_LOG`, default info). Keep the guard
/// alive until exit so buffered lines are flushed. None when the folder cannot be created.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "khabar.log");
    // The default queue holds 128,000 lines, allocated and touched up front: about 5 MB and
    // 2 ms before the first frame. A few thousand is plenty for a log at info; past that, lines
    // are dropped rather than stalling the reader.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4_096)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_env("KHABAR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
