//! The interactive reader: the event loop, keymap and actions, pure state updates, effects, and
//! the widgets. The only part of khabar that talks to the terminal.

pub mod action;
pub mod keymap;
pub mod ui;
