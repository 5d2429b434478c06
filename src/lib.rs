//! khabar: a terminal news reader. This crate root lists the layers in data-flow order:
//! config -> feed (fetch, parse) -> poller / sync -> store -> cli / tui.

pub mod cli;
pub mod config;
pub mod download;
pub mod feed;
pub mod hooks;
pub mod logging;
pub mod measure;
pub mod model;
pub mod panics;
pub mod poller;
pub mod query;
pub mod secret;
pub mod store;
pub mod subscribe;
pub mod sync;
pub mod text;
pub mod tui;
