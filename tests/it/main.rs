//! Every integration test in one binary: one link of the crate instead of one per file (most of
//! a test build's time). A module per area; the shared helpers in `common`.
// A test stops at the first thing that is not as set up: unwrap is how it says so.
#![allow(clippy::unwrap_used)]

mod common;

mod architecture;
mod cli;
mod compat;
mod concurrency;
mod crash;
mod download;
mod e2e_habits;
mod e2e_tmux;
mod feed_kinds;
mod filters;
mod hooks;
mod hostile;
mod identity;
mod images;
mod kept_counts;
mod media;
mod memory;
mod newsboat;
mod reader;
mod refresh;
mod store;
mod stories;
mod sync;
mod sync_coldsweat;
mod sync_rest;
mod sync_ttrss;
mod tui_draw;
mod tui_habits;
mod tui_reading;
mod tui_state;
