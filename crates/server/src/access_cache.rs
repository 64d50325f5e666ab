//! Sessions, tokens and the public-access setting as last read from the store, so that a
//! request from someone already seen costs no database round trip (on PostgreSQL, that round
//! trip was most of a cached answer's cost).
//!
//! An entry is kept with the access tag ([`vigie_store::Shared::access_tag`]) taken before it
//! was read, and served only while the tag is the same: a change of access committed since —
//! a session ended, a token revoked, a user disabled, a password reset, public access switched —
//! in this process, or in another through PostgreSQL's notification, drops it. Where no
//! notification would come (SQLite, or the listening connection down) there is no tag and
//! nothing is kept: every request asks the store, as SQLite answers in microseconds.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use vigie_store::{Session, Token, User};

type Tag = (u64, u64);

/// Who a credential's hash signs in, as the store said.
#[derive(Clone)]
pub(crate) enum Entry {
    Token(User, Token),
    Session(User, Session),
}

/// Entries kept at most. Each is a few hundred bytes (a user, a hash, a CSRF token, dates): the
/// cache stays under about 4 MB, whoever calls.
const KEPT: usize = 8192;

#[derive(Default)]
pub(crate) struct AccessCache {
    entries: Mutex<HashMap<String, (Tag, Entry)>>,
    public: Mutex<Option<(Tag, bool)>>,
}

impl AccessCache {
    /// What `hash` signs in, if read under `tag` and still valid.
    pub(crate) fn get(&self, hash: &str, tag: Option<Tag>) -> Option<Entry> {
        let tag = tag?;
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(hash).filter(|(kept, _)| *kept == tag).map(|(_, entry)| entry.clone())
    }

    /// Keeps what the store said of `hash`, read after `tag` was taken.
    pub(crate) fn keep(&self, hash: String, tag: Option<Tag>, entry: Entry) {
        let Some(tag) = tag else { return };
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= KEPT {
            entries.retain(|_, (kept, _)| *kept == tag);
            if entries.len() >= KEPT {
                entries.clear();
            }
        }
        entries.insert(hash, (tag, entry));
    }

    /// Whether public access is on, if read under `tag`.
    pub(crate) fn public_access(&self, tag: Option<Tag>) -> Option<bool> {
        let tag = tag?;
        let public = self.public.lock().unwrap_or_else(PoisonError::into_inner);
        public.filter(|(kept, _)| *kept == tag).map(|(_, on)| on)
    }

    pub(crate) fn keep_public_access(&self, tag: Option<Tag>, on: bool) {
        if let Some(tag) = tag {
            *self.public.lock().unwrap_or_else(PoisonError::into_inner) = Some((tag, on));
        }
    }
}
