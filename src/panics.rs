//! Panics of code that reads untrusted input (feed-rs, the renderer, the extractor, image
//! decoders) contained: each becomes its caller's `Panicked` error, logged, never printed.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::text::sanitize;

/// A panic caught by `contain`, with its message made safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("crashed on this input: {0}")]
pub struct Panicked(pub String);

thread_local! {
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
}
static QUIET_HOOK: Once = Once::new();

/// Runs `f`, turning a panic into an error. The panic message goes to the log, not the
/// terminal, and the reader's restoring panic hook is not run. Used around all untrusted input
/// handling: feed parsing, article rendering, reader-mode extraction, pictures.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, Panicked> {
    QUIET_HOOK.call_once(install_filter);
    // Restores the outer value: these calls nest (the poller contains `parse`, which contains
    // feed-rs), and an inner call must not disarm the outer one.
    let outer = CONTAINING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(outer));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Panicked(sanitize::clean_line(&msg))
    })
}

/// Wraps the current panic hook so that panics inside `contain` are only logged. Call it again
/// after installing another hook (such as the reader's restoring one) to stay outermost.
pub fn install_filter() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CONTAINING.with(Cell::get) {
            tracing::warn!("panic contained: {info}");
        } else {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_containment_stays_armed() {
        let outer = contain(|| {
            let inner = contain(|| 1);
            assert_eq!(inner, Ok(1));
            assert!(CONTAINING.with(Cell::get), "the inner call left the outer one armed");
            panic!("contained");
        });
        assert_eq!(outer, Err(Panicked("contained".into())));
        assert!(!CONTAINING.with(Cell::get));
    }
}
