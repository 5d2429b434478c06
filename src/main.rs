//! khabar's entry point: the startup order and nothing else.
//! paths -> logging -> config -> store -> headless command or the reader (the one place that
//! wires the reader to the core).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;

use khabar::cli::{self, Cli, Command};
use khabar::config::{self, Config, ConfigError, ConfigSource, Paths};
use khabar::store::Store;
use khabar::tui::{self, settings::UiSettings};

/// Exit code for a bad config or bad arguments.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    shape_allocator();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("khabar: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report_peak = cli.bench_peak;
    let result = runtime.block_on(run(cli, started));
    if report_peak {
        eprintln!(
            "peak resident memory: {} KiB",
            khabar::measure::peak_rss_kib().unwrap_or(0)
        );
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("khabar: config error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        // `khabar list | head`: the reader of our output left; that is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("khabar: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc's allocator, set before any thread starts. By default it serves a large block freed
/// once (a fetched feed of 600 KB) from its heap ever after instead of the system (the mmap
/// threshold follows the largest block freed), and gives every thread an arena that keeps what
/// it freed: a cold refresh of 100,000 articles then peaked at 52 MB, with these settings 37.
#[allow(unsafe_code)] // libc call with no safe wrapper; SAFETY below
fn shape_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

async fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<()> {
    // Generated from the command definitions alone: no config, cache or log needed.
    if let Some(Command::Completions { shell }) = &cli.command {
        return completions(*shell);
    }
    if let Some(Command::Config { example: true }) = &cli.command {
        let mut out = std::io::stdout().lock();
        out.write_all(khabar::config::EMBEDDED_DEFAULT.as_bytes())?;
        return Ok(out.flush()?);
    }
    if let Some(Command::Man) = &cli.command {
        let mut out = std::io::stdout().lock();
        cli::man_page(&mut out)?;
        return Ok(out.flush()?);
    }
    let paths = Paths::discover()?;
    let _log_guard = khabar::logging::init(&paths.data_dir);
    if let Some(Command::Demo) = cli.command {
        return demo().await;
    }
    let loaded = load_config(&cli, &paths)?;
    let (config, source) = (&loaded.config, &loaded.source);
    // Commands that edit the config file need no cache.
    match &cli.command {
        Some(Command::Import {
            file: Some(file),
            newsboat: None,
        }) => return cli::import(file, source),
        Some(Command::Add {
            url,
            tags,
            title,
            account: None,
        }) => return cli::add(source, config, url, tags, title.as_deref()).await,
        Some(Command::Remove { url }) if config.feeds.iter().any(|f| f.url == url.trim()) => {
            return cli::remove(source, url)
        }
        Some(Command::Rename { url, title }) => return cli::rename(source, url, title),
        Some(Command::Config { .. }) => {
            match source {
                ConfigSource::User(path) => println!("{}", path.display()),
                ConfigSource::Embedded { suggested } => println!(
                    "the built-in example; yours goes in {0} (khabar config --example > {0})",
                    suggested.display()
                ),
            }
            return Ok(());
        }
        _ => {}
    }
    let cache_path = cli.cache.clone().unwrap_or_else(|| paths.default_cache_file());
    let mut store = Store::open(&cache_path).map_err(|e| anyhow::anyhow!("{}: {e}", cache_path.display()))?;
    store.sync_feeds(&config.feeds)?;
    let Some(command) = cli.command else {
        return reader(&cli, started, loaded, store, cache_path).await;
    };
    store.tend_count_log(&cache_path)?;
    with_cache(command, &loaded, store).await
}

/// `khabar completions SHELL`: generated whole first, since clap_complete panics when a write
/// fails (`| head -1`).
fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut script = Vec::new();
    cli::completions(shell, &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    Ok(out.flush()?)
}

/// `khabar demo`: the reader on a prepared temporary cache, removed afterwards.
async fn demo() -> anyhow::Result<()> {
    let Some(demo) = cli::demo().await? else {
        return Ok(());
    };
    let settings = UiSettings::from_config(&demo.config)?;
    let store = Store::open(&demo.cache)?;
    let notice = Some(cli::Demo::NOTICE.to_string());
    let result = tui::app::run(demo.config, settings, store, demo.cache.clone(), notice, None).await;
    let _ = std::fs::remove_dir_all(&demo.dir);
    result
}

/// The config in force, checked whole (the reader's keys and colours too, for every command,
/// before anything is touched), and what is said about it.
struct Loaded {
    source: config::ConfigSource,
    config: Config,
    settings: UiSettings,
    /// For the reader's status bar: a warning about the config, else the "no config" hint.
    notice: Option<String>,
}

fn load_config(cli: &Cli, paths: &Paths) -> anyhow::Result<Loaded> {
    let env_config = std::env::var_os("KHABAR_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let source = config::locate(cli.config.as_deref(), env_config.as_deref(), paths);
    let config = Config::load(source.clone())?;
    let settings = UiSettings::from_config(&config)?;
    // Said once: on stderr for commands, in the status bar for the reader.
    let notice = config.source.notice();
    if let (Some(n), Some(_)) = (&notice, &cli.command) {
        eprintln!("khabar: {n}");
    }
    for w in &config.warnings {
        tracing::warn!("{w}");
        if cli.command.is_some() {
            eprintln!("khabar: warning: {w}");
        }
    }
    // A warning about the config (a password others can read) outranks the "no config" hint.
    let notice = config.warnings.first().map(|w| format!("warning: {w}")).or(notice);
    tracing::info!("config from {}", config.source);
    Ok(Loaded {
        source,
        config,
        settings,
        notice,
    })
}

/// `khabar` with no command: the reader (or one of its hidden benchmarks).
async fn reader(
    cli: &Cli,
    started: std::time::Instant,
    loaded: Loaded,
    store: Store,
    cache_path: PathBuf,
) -> anyhow::Result<()> {
    use khabar::cli::KeyBenchMode;
    use tui::bench::Bench;
    let bench = match cli.bench_keys {
        Some(KeyBenchMode::Scroll) => Some(Bench::Scroll),
        Some(KeyBenchMode::Refresh) => Some(Bench::DuringRefresh),
        None => cli.bench_startup.then_some(Bench::Startup(started)),
    };
    tui::app::run(loaded.config, loaded.settings, store, cache_path, loaded.notice, bench).await
}

/// A headless command on the cache. The ones `run` answered before the cache was opened (they
/// edit only the config file, or need nothing) are an error here, never a panic.
async fn with_cache(command: Command, loaded: &Loaded, mut store: Store) -> anyhow::Result<()> {
    let (config, source) = (&loaded.config, &loaded.source);
    let shared = |store: Store| Arc::new(Mutex::new(store));
    match command {
        Command::Refresh { force, json } => cli::refresh(config, shared(store), force, json).await.map(|_| ()),
        Command::Sync { json } => cli::sync(config, shared(store), json).await.map(|_| ()),
        Command::Add {
            url,
            tags,
            account: Some(account),
            ..
        } => cli::subscribe_remote(config, shared(store), &account, &url, tags.first()).await,
        Command::Move { from, to } => cli::move_feed(source, &mut store, &from, &to),
        Command::Remove { url } => cli::remove_anywhere(source, config, shared(store), &url).await,
        Command::List(args) => cli::list(&store, &args),
        Command::Show { id, width, full, json } => {
            let shape = if json {
                cli::ShowAs::Json
            } else {
                cli::ShowAs::Text { width }
            };
            cli::show(&mut store, config, id, shape, full).await
        }
        Command::Search { query, json, limit } => cli::search(&store, &query, json, limit),
        Command::Mark(args) => cli::mark(&mut store, &args),
        Command::Stories { rebuild, chunk } => cli::stories(&store, config, rebuild, chunk),
        Command::Import { newsboat, .. } => cli::import_newsboat(newsboat.flatten().as_deref(), source, &mut store),
        Command::Feeds { json } => cli::feeds(&store, json),
        Command::Export => {
            let titles = store
                .feeds()?
                .into_iter()
                .filter_map(|f| Some((f.url, f.title?)))
                .collect();
            let mut out = std::io::stdout().lock();
            cli::export(config, &titles, &mut out)?;
            Ok(out.flush()?)
        }
        Command::Filter { apply, json, .. } => cli::filter(&mut store, config, apply, json),
        other @ (Command::Add { .. }
        | Command::Rename { .. }
        | Command::Demo
        | Command::Completions { .. }
        | Command::Config { .. }
        | Command::Man) => {
            anyhow::bail!("internal: {other:?} is answered before the cache is opened")
        }
    }
}
