//! The reader's lifecycle and its one event loop: terminal setup and restore (also on panic and
//! signals), then `select!` over terminal input, effect results, the refresh schedule and a
//! spinner tick; the screen is drawn only when something changed.

use std::fs::File;
use std::io::{stdout, Stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyCode, KeyEventKind, KeyModifiers, MouseButton,
    MouseEventKind,
};
use crossterm::terminal::EnterAlternateScreen;
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::store::Store;

use super::backend::ExactBackend;
use super::bench::{Bench, KeyBench};
use super::effects::Effects;
use super::keymap::{Code, Key};
use super::osc;
use super::settings::UiSettings;
use super::state::{kind_name, update, AppState, Command, InputKind, Msg, Notice};
use super::ui::{self, theme::Theme};

/// How often the background refresh looks for due feeds.
const SCHEDULE_EVERY: Duration = Duration::from_secs(60);
/// How often the reader looks for writes of other processes (one PRAGMA on the cache worker).
const WATCH_CACHE_EVERY: Duration = Duration::from_secs(2);

/// Runs the reader until the user quits. Fails before touching the terminal when another
/// reader holds the cache. With `bench`, runs that benchmark instead of waiting for the user,
/// and reports on stderr once the terminal is restored.
pub async fn run(
    config: Config,
    settings: UiSettings,
    store: Store,
    cache: PathBuf,
    notice: Option<String>,
    bench: Option<Bench>,
) -> anyhow::Result<()> {
    let _lock = lock_cache(&cache)?;
    let start = Start {
        background: Default::default(),
        image_rows: 0,
        keymap: settings.keymap.clone(),
        notice,
        sorts: store.view_sorts().unwrap_or_else(|e| {
            tracing::warn!("cannot read the views' orders, using the default: {e}");
            Vec::new()
        }),
        history: [InputKind::Search, InputKind::Command].map(|kind| {
            store.prompt_history(kind_name(kind)).unwrap_or_else(|e| {
                tracing::warn!("cannot read the prompts' history: {e}");
                Vec::new()
            })
        }),
    };
    let config = Arc::new(config);
    let (msg_tx, msg_rx) = mpsc::unbounded_channel();
    let effects = Effects::start(config.clone(), store, cache, msg_tx)?;

    let mut terminal = init_terminal().context("cannot set up the terminal")?;
    // Raw mode is on and nothing reads input yet: the terminal's answer can be read here.
    let background = settings.background.unwrap_or_else(super::background::detect);
    tracing::info!("palette for a {background:?} background");
    let theme = Theme::new(&settings.colours, background, no_color());
    // Asked now too, for the same reason; off (no rows) when the terminal cannot show pictures.
    let picker = super::images::picker(config.general.images);
    tracing::info!("pictures: {:?}", picker.as_ref().map(|p| p.protocol_type()));
    let image_rows = if picker.is_some() {
        config.general.image_height
    } else {
        0
    };
    if let Some(picker) = picker {
        effects.show_pictures(picker);
    }
    let start = Start {
        background,
        image_rows,
        ..start
    };
    let result = event_loop(&mut terminal, &config, theme, &effects, msg_rx, start, bench).await;
    restore_terminal();
    effects.finish();
    if let (Ok(Some(report)), Some(_)) = (&result, bench) {
        eprintln!("{report}");
    }
    result.map(|_| ())
}

/// What the state starts with besides the config: the keymap, the notice for the status bar,
/// and each view's remembered order (read before the first page is asked for).
struct Start {
    /// The palette's background in force (asked of the terminal, or the config's).
    background: super::ui::theme::Background,
    /// The most rows a picture takes, 0 when pictures are off.
    image_rows: u16,
    keymap: super::keymap::Keymap,
    notice: Option<String>,
    sorts: Vec<(String, crate::model::SortOrder)>,
    /// The `/` and `:` prompts' histories, oldest first.
    history: [Vec<String>; 2],
}

/// The state the reader starts from: the config's tags, queries and settings, and what `run`
/// prepared in `Start` (the keymap, the notice, the views' orders, picture rows).
fn initial_state(config: &Config, start: &mut Start, size: (u16, u16)) -> AppState {
    let mut state = AppState::new(std::mem::take(&mut start.keymap), config.tags(), size);
    state.queries = config.queries.clone();
    state.utc_offset = *chrono::Local::now().offset();
    state.startup_hint = start.notice.take();
    state.sorts = std::mem::take(&mut start.sorts).into_iter().collect();
    state.open_marks_read = config.general.open_marks_read;
    state.confirm_quit = config.general.confirm_quit;
    state.confirm_mark_all = config.general.confirm_mark_all;
    state.sidebar.hide_read = !config.general.show_read_feeds;
    state.read_together = config.stories.read_together;
    state.view.stories = config.stories.group;
    state.image_rows = start.image_rows;
    let [search, command] = std::mem::take(&mut start.history);
    (state.prompts.search, state.prompts.command) = (search, command);
    state.shares = config.shares.iter().map(|s| s.name.clone()).collect();
    state
}

/// Runs a command that writes to the terminal besides frames (only the app does): a copy to
/// the clipboard or a notification. False for every other command.
fn write_to_terminal(cmd: &Command, state: &mut AppState) -> bool {
    match cmd {
        Command::TerminalNotify(text) => osc::notify(text),
        Command::Copy(text) => {
            if let Err(e) = osc::copy(text) {
                let text = format!("cannot copy: {e}");
                update(state, Msg::Notice(Notice { text, error: true }));
            }
        }
        _ => return false,
    }
    true
}

/// NO_COLOR (any non-empty value) turns every colour off.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

type Term = Terminal<ExactBackend<CrosstermBackend<Stdout>>>;

/// What `ratatui::init()` does (raw mode, alternate screen, a restoring panic hook), plus mouse
/// capture, over the exact-placement backend.
fn init_terminal() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    // Outermost: contained feed-parser panics are logged and never reach the restoring hook.
    crate::panics::install_filter();
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(ExactBackend::new(CrosstermBackend::new(stdout())))
}

/// Gives the terminal to a program (an opener with `terminal = true`) and takes it back when it
/// ends, however it ends (its exit status or its failure to start, for the status bar): raw
/// mode, the alternate screen and the mouse are left and entered again, and the screen is
/// redrawn whole. The program gets the arguments as given, never a shell.
fn run_in_terminal(terminal: &mut Term, argv: &[String]) -> anyhow::Result<Option<String>> {
    let Some((program, args)) = argv.split_first() else {
        return Ok(Some("the opener's command is empty".into()));
    };
    crossterm::execute!(stdout(), DisableMouseCapture, crossterm::terminal::LeaveAlternateScreen)?;
    crossterm::terminal::disable_raw_mode()?;
    crossterm::execute!(stdout(), crossterm::cursor::Show)?;
    let status = std::process::Command::new(program).args(args).status();
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    terminal.clear()?;
    Ok(match status {
        Ok(s) if s.success() => None,
        Ok(s) => Some(format!("{program} ended: {s}")),
        Err(e) => Some(format!("cannot run {program}: {e}")),
    })
}

fn restore_terminal() {
    let _ = crossterm::execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    // After leaving the alternate screen, whose exit may restore the state saved on entry.
    let _ = crossterm::execute!(stdout(), crossterm::cursor::Show);
}

/// One reader per cache: a second one would poll and write the same feeds.
fn lock_cache(cache: &Path) -> anyhow::Result<File> {
    match crate::store::lock_reader(cache) {
        Ok(Some(file)) => Ok(file),
        Ok(None) => bail!(
            "another khabar is already reading {}; close it first (headless commands such as `khabar list` still work)",
            cache.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot lock {}", cache.with_extension("lock").display())),
    }
}

async fn event_loop(
    terminal: &mut Term,
    config: &Config,
    theme: Theme,
    effects: &Effects,
    mut msgs: mpsc::UnboundedReceiver<Msg>,
    start: Start,
    bench: Option<Bench>,
) -> anyhow::Result<Option<String>> {
    let size = terminal.size()?;
    let mut theme = theme;
    let mut start = start;
    let mut state = initial_state(config, &mut start, (size.width, size.height));
    for cmd in state.start() {
        effects.run(cmd);
    }

    let mut events = EventStream::new();
    let mut schedule = tokio::time::interval(SCHEDULE_EVERY);
    schedule.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut watch_cache = tokio::time::interval(WATCH_CACHE_EVERY);
    watch_cache.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut spinner = tokio::time::interval(Duration::from_millis(120));
    // Idle between refreshes: no burst of catch-up ticks (and redraws) when the next one starts.
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let (mut term, mut hup, mut int) = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::hangup())?,
        signal(SignalKind::interrupt())?,
    );
    // For the end-to-end test that a panic restores the terminal (docs/security.md).
    let panic_after_first_frame = std::env::var_os("KHABAR_DEBUG_PANIC").is_some();
    let mut keys = bench.and_then(KeyBench::new);
    let mut key_tick = tokio::time::interval(keys.as_ref().map_or(SCHEDULE_EVERY, KeyBench::every));
    key_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| ui::draw(frame, &state, &theme))?;
            dirty = false;
            if panic_after_first_frame {
                panic!("KHABAR_DEBUG_PANIC is set: panicking after the first frame, as asked");
            }
            if let Some(report) = super::bench::after_frame(&mut state, keys.as_mut(), bench, effects) {
                return Ok(Some(report));
            }
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => to_msg(ev),
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => break,
            },
            Some(msg) = msgs.recv() => Some(msg),
            _ = spinner.tick(), if state.progress.is_some() || state.syncing => Some(Msg::Tick),
            _ = schedule.tick(), if bench.is_none() => Some(Msg::Schedule(*chrono::Local::now().offset())),
            _ = watch_cache.tick(), if bench.is_none() => Some(Msg::WatchCache),
            due = key_tick.tick(), if keys.as_ref().is_some_and(KeyBench::wants_key) => {
                keys.as_mut().and_then(|kb| kb.press(due.into_std()))
            }
            _ = term.recv() => break,
            _ = hup.recv() => break,
            _ = int.recv() => break,
        };
        let mut batch: Vec<Msg> = msg.into_iter().collect();
        // Drain what is already waiting, so a burst of keys or events costs one draw.
        while let Ok(m) = msgs.try_recv() {
            batch.push(m);
        }
        // Polled with this task's own waker: crossterm's EventStream keeps the first waker it is
        // given, so a no-op waker (as `now_or_never` uses) would lose every later key press.
        loop {
            tokio::select! {
                biased;
                Some(Ok(ev)) = events.next() => batch.extend(to_msg(ev)),
                () = std::future::ready(()) => break,
            }
        }
        for m in batch {
            // Asking whether the cache changed changes nothing on screen.
            dirty |= !matches!(m, Msg::WatchCache);
            // The theme is the app's: a reloaded config's colours apply here, the rest in `update`.
            // (The reloaded config is in force when its message arrives.)
            if let Msg::ConfigChanged(_) = &m {
                if let Ok(look) = UiSettings::from_config(&effects.current_config()) {
                    let background = look.background.unwrap_or(start.background);
                    theme = Theme::new(&look.colours, background, no_color());
                }
            }
            for cmd in update(&mut state, m) {
                if write_to_terminal(&cmd, &mut state) {
                    continue;
                }
                let Command::RunInTerminal(argv) = cmd else {
                    effects.run(cmd);
                    continue;
                };
                // The key reader lets go of the terminal too, so no key meant for the program
                // is taken; a new one starts when the reader is back.
                drop(events);
                let failed = run_in_terminal(terminal, &argv)?;
                events = EventStream::new();
                if let Some(text) = failed {
                    update(&mut state, Msg::Notice(Notice { text, error: true }));
                }
            }
        }
        if let Some(kb) = keys.as_mut() {
            kb.handled();
        }
        if state.quit {
            break;
        }
    }
    Ok(None)
}

/// Terminal events as messages; key releases and unknown events are dropped.
fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            let code = match k.code {
                KeyCode::Char(c) => Code::Char(c),
                KeyCode::Enter => Code::Enter,
                KeyCode::Esc => Code::Esc,
                KeyCode::Tab => Code::Tab,
                KeyCode::BackTab => Code::BackTab,
                KeyCode::Backspace => Code::Backspace,
                KeyCode::Delete => Code::Delete,
                KeyCode::Insert => Code::Insert,
                KeyCode::Up => Code::Up,
                KeyCode::Down => Code::Down,
                KeyCode::Left => Code::Left,
                KeyCode::Right => Code::Right,
                KeyCode::Home => Code::Home,
                KeyCode::End => Code::End,
                KeyCode::PageUp => Code::PageUp,
                KeyCode::PageDown => Code::PageDown,
                KeyCode::F(n) => Code::F(n),
                _ => return None,
            };
            let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
            let code = match code {
                Code::Char(c) if ctrl => Code::Char(c.to_ascii_lowercase()),
                other => other,
            };
            Some(Msg::Key(Key {
                code,
                ctrl,
                alt: k.modifiers.contains(KeyModifiers::ALT),
            }))
        }
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click {
                col: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Msg::Wheel {
                col: m.column,
                row: m.row,
                down: true,
            }),
            MouseEventKind::ScrollUp => Some(Msg::Wheel {
                col: m.column,
                row: m.row,
                down: false,
            }),
            _ => None,
        },
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}
