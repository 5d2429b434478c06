//! Drawing: one file per widget, each a function of the app state. No I/O, no SQL, no parsing.

pub mod theme;
