//! The audit log as a hash chain. Each entry, once sealed, holds its place in the chain and
//! `SHA-256(hash of the entry before ‖ its own columns)`: an entry edited, removed or inserted
//! afterwards breaks the chain from there on, and `vigie audit verify` names the first entry
//! that does not hold. Entries are sealed right after their write (in SQLite's write transaction;
//! on PostgreSQL in a short transaction of their own, one sealer at a time, so that audit-only
//! writes such as sign-ins never wait for an import). Someone who can rewrite the database can
//! also recompute the chain from the entry they change: keep `vigie audit verify`'s last hash
//! elsewhere to hold the log to it.

use sha2::{Digest, Sha256};

/// An entry's columns, in the order the chain hashes them.
pub(crate) const COLUMNS: [&str; 10] =
    ["entry_id", "at", "action", "entity", "entity_id", "old_values", "new_values", "batch_id", "actor", "client"];

/// The hash of an entry whose columns are `cells` (as text), after the entry hashed `previous`.
pub(crate) fn link(previous: &str, cells: &[Option<String>]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    for cell in cells {
        match cell {
            // Lengths first: no two different entries hash the same bytes.
            Some(text) => {
                hasher.update([1]);
                hasher.update((text.len() as u64).to_le_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update([0]),
        }
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What `vigie audit verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries in the chain.
    pub entries: u64,
    /// The hash of the last entry: kept elsewhere, it shows later that nothing was rewritten.
    pub last_hash: String,
    /// The first entry that breaks the chain, if any.
    pub broken: Option<BrokenLink>,
}

/// An entry whose hash does not follow from the chain before it (edited, or a neighbour
/// removed or inserted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub position: i64,
    pub entry_id: i64,
    pub at: String,
    pub action: String,
}

/// Walks sealed entries in chain order and says where the chain breaks: a position out of
/// sequence, or a hash that does not follow.
#[derive(Default)]
pub(crate) struct Checker {
    found: AuditCheck,
}

impl Checker {
    /// The next entry: `false` once the chain is broken (nothing after it is read).
    pub fn push(&mut self, position: i64, hash: &str, cells: &[Option<String>]) -> bool {
        let found = &mut self.found;
        found.entries += 1;
        if position != found.entries as i64 || hash != link(&found.last_hash, cells) {
            let cell = |i: usize| cells.get(i).cloned().flatten().unwrap_or_default();
            found.broken =
                Some(BrokenLink { position, entry_id: cell(0).parse().unwrap_or(0), at: cell(1), action: cell(2) });
            return false;
        }
        found.last_hash = hash.to_owned();
        true
    }

    pub fn finish(self) -> AuditCheck {
        self.found
    }
}
