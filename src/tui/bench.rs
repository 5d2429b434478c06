//! The reader's built-in benchmarks (hidden flags): time to the first frame, and key press to
//! redrawn frame while scrolling or during a refresh. Keys are injected into the real loop.

use std::time::{Duration, Instant};

use super::effects::Effects;
use super::keymap::{Code, Key};
use super::state::{update, AppState, Msg};

/// What `--bench-startup` or `--bench-keys` asked for.
#[derive(Debug, Clone, Copy)]
pub enum Bench {
    /// Quit after the first frame with headlines; the Instant is the process start.
    Startup(Instant),
    /// Scroll a scripted path through the view (j, ctrl-d, G, k, gg): each key is timed until
    /// its frame is drawn with no page load pending (render + query).
    Scroll,
    /// Press R, then j/k every 20 ms until the refresh is over: each key is timed until the
    /// first frame drawn after it was handled.
    DuringRefresh,
}

/// Most time a key benchmark runs, whatever happens.
const BENCH_LIMIT: Duration = Duration::from_secs(120);

pub struct KeyBench {
    during_refresh: bool,
    script: Vec<Key>,
    next: usize,
    /// When the key being measured was due, and whether the loop has handled it.
    pending: Option<(Instant, bool, Key)>,
    latencies: Vec<(Duration, Key)>,
    started: Option<Instant>,
    /// When the previous key's frame was drawn: a key is not pressed before that, so its
    /// time starts no earlier.
    last_done: Option<Instant>,
    refresh_seen: bool,
}

fn key(c: char, ctrl: bool) -> Key {
    Key {
        code: Code::Char(c),
        ctrl,
        alt: false,
    }
}

impl KeyBench {
    pub fn new(bench: Bench) -> Option<KeyBench> {
        let (during_refresh, script) = match bench {
            Bench::Startup(_) => return None,
            Bench::Scroll => {
                let mut s = vec![key('j', false); 400];
                s.extend(vec![key('d', true); 100]);
                s.push(key('G', false));
                s.extend(vec![key('k', false); 300]);
                s.extend(vec![key('u', true); 50]);
                s.extend([key('g', false), key('g', false)]);
                s.extend(vec![key('j', false); 100]);
                (false, s)
            }
            Bench::DuringRefresh => (true, Vec::new()),
        };
        Some(KeyBench {
            during_refresh,
            script,
            next: 0,
            pending: None,
            latencies: Vec::new(),
            started: None,
            last_done: None,
            refresh_seen: false,
        })
    }

    /// The interval between injected keys.
    pub fn every(&self) -> Duration {
        Duration::from_millis(if self.during_refresh { 20 } else { 2 })
    }

    /// The first frame with headlines is on screen: start (a refresh first, if asked).
    pub fn start(&mut self, now: Instant) -> Option<Msg> {
        if self.started.is_some() {
            return None;
        }
        self.started = Some(now);
        self.during_refresh.then(|| Msg::Key(key('R', false)))
    }

    pub fn wants_key(&self) -> bool {
        self.started.is_some() && self.pending.is_none()
    }

    /// The key due at `due`, now marked pending.
    pub fn press(&mut self, due: Instant) -> Option<Msg> {
        let k = if self.during_refresh {
            key(if self.next.is_multiple_of(2) { 'j' } else { 'k' }, false)
        } else {
            *self.script.get(self.next)?
        };
        self.next += 1;
        self.pending = Some((self.last_done.map_or(due, |done| due.max(done)), false, k));
        Some(Msg::Key(k))
    }

    /// The loop has run `update` for everything it received, including the pending key.
    pub fn handled(&mut self) {
        if let Some((_, handled, _)) = &mut self.pending {
            *handled = true;
        }
    }

    /// A frame was drawn: times the pending key if this frame shows it. Returns the report when
    /// the benchmark is over.
    pub fn drawn(&mut self, state: &AppState) -> Option<String> {
        self.refresh_seen |= state.progress.is_some();
        if let Some((due, true, k)) = self.pending {
            if self.during_refresh || !state.headlines.loading {
                self.latencies.push((due.elapsed(), k));
                self.pending = None;
                self.last_done = Some(Instant::now());
            }
        }
        let over = if self.during_refresh {
            self.refresh_seen && state.progress.is_none()
        } else {
            self.next >= self.script.len()
        };
        let timed_out = self.started.is_some_and(|t| t.elapsed() > BENCH_LIMIT);
        ((over && self.pending.is_none()) || timed_out).then(|| self.report(timed_out))
    }

    fn report(&mut self, timed_out: bool) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.latencies.sort_by_key(|(d, _)| *d);
        let n = self.latencies.len();
        let at = |q: f64| {
            self.latencies
                .get(((n as f64 * q) as usize).min(n.saturating_sub(1)))
                .map_or(0.0, |(d, _)| ms(*d))
        };
        let worst = self.latencies.last().map_or(String::new(), |(d, k)| {
            let name = match k.code {
                Code::Char(c) if k.ctrl => format!("ctrl-{c}"),
                Code::Char(c) => c.to_string(),
                _ => "?".into(),
            };
            format!("; max {:.2} ms (key {name})", ms(*d))
        });
        format!(
            "key to frame ({}): {n} keys; median {:.2} ms; p99 {:.2} ms{worst}{}",
            if self.during_refresh {
                "during refresh"
            } else {
                "scrolling"
            },
            at(0.5),
            at(0.99),
            if timed_out { "; stopped at the time limit" } else { "" }
        )
    }
}

/// The hidden benchmarks' part after a frame: the key benchmark's first key once headlines
/// show, and the report that ends either benchmark.
pub(super) fn after_frame(
    state: &mut AppState,
    keys: Option<&mut KeyBench>,
    bench: Option<Bench>,
    effects: &Effects,
) -> Option<String> {
    if let Some(kb) = keys {
        if !state.headlines.loading {
            if let Some(first) = kb.start(Instant::now()) {
                for cmd in update(state, first) {
                    effects.run(cmd);
                }
            }
        }
        return kb.drawn(state);
    }
    let (Some(Bench::Startup(started)), false) = (bench, state.headlines.loading) else {
        return None;
    };
    Some(format!(
        "first frame with headlines: {:.2} ms; peak RSS {} KiB; {} rows loaded of {} in the view",
        started.elapsed().as_secs_f64() * 1000.0,
        crate::measure::peak_rss_kib().unwrap_or(0),
        state.headlines.rows.len(),
        state.headlines.total.unwrap_or(0)
    ))
}
