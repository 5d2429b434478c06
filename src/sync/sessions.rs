//! Logins kept for the life of the process, never written anywhere: a reader that syncs every
//! few minutes logs in to each server once. Keyed by a digest of address, user and password.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use md5::{Digest, Md5};

/// What a login gave: the session or auth token, and the write token once asked for.
#[derive(Clone, Default)]
pub struct Session {
    pub auth: String,
    pub token: Option<String>,
}

/// Identifies one login: a changed password is another key, so it logs in again.
pub type Key = [u8; 16];

static SESSIONS: LazyLock<Mutex<HashMap<Key, Session>>> = LazyLock::new(Mutex::default);

pub fn key(address: &str, username: &str, password: &str) -> Key {
    Md5::digest(format!("{address}\0{username}\0{password}").as_bytes()).into()
}

pub fn get(key: &Key) -> Option<Session> {
    SESSIONS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
        .cloned()
}

pub fn put(key: &Key, session: Session) {
    SESSIONS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(*key, session);
}

pub fn forget(key: &Key) {
    SESSIONS.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
}
