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

/// An entry's chained columns as text, in [`COLUMNS`]' order, as a select list.
pub(crate) const CHAINED: &str = "CAST(entry_id AS TEXT), at, action, entity, entity_id, old_values, new_values, \
     CAST(batch_id AS TEXT), actor, client";

/// Seals the entries not yet in the chain, in their order, after the last sealed one. The
/// caller makes it the only sealer (SQLite: its write transaction; PostgreSQL: a lock).
pub(crate) fn seal(db: &mut dyn crate::sql::Sql) -> crate::Result<()> {
    use crate::sql::args;
    let what = "sealing the audit log";
    let last = db.query(
        what,
        "SELECT chain_position, hash FROM audit_log WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1",
        &[],
    )?;
    let (mut position, mut previous): (i64, String) = match last.first() {
        Some(r) => (r.get(0)?, r.get::<Option<String>>(1)?.unwrap_or_default()),
        None => (0, String::new()),
    };
    let unsealed =
        format!("SELECT {CHAINED} FROM audit_log WHERE chain_position IS NULL ORDER BY entry_id LIMIT 10000");
    loop {
        let rows = db.query(what, &unsealed, &[])?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            let cells = (0..COLUMNS.len()).map(|i| row.get(i)).collect::<crate::Result<Vec<Option<String>>>>()?;
            position += 1;
            previous = link(&previous, &cells);
            let id: i64 = cells[0].as_deref().and_then(|id| id.parse().ok()).unwrap_or_default();
            db.execute(
                what,
                "UPDATE audit_log SET chain_position = $1, hash = $2 WHERE entry_id = $3",
                args![position, previous.as_str(), id],
            )?;
        }
    }
}
