//! The interactive reader: the event loop, keymap and actions, pure state updates, effects, and
//! the widgets. The only part of khabar that talks to the terminal.

pub mod action;
pub mod app;
pub mod backend;
pub mod background;
pub mod bench;
pub mod effects;
pub mod images;
pub mod keymap;
pub mod layout;
pub mod osc;
pub mod settings;
pub mod state;
pub mod ui;
