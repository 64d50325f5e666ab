//! Audit entries of many requests written in one transaction: a group commit. A server audits
//! every list, view and download; written one transaction each, these reads queue for the one
//! writer and wait for a disk flush each (on SQLite, `synchronous = FULL`). Here a request hands
//! its entry in and waits until a transaction holding it has committed — the first to arrive
//! writes every entry waiting at that moment, with its own store — so an answer still leaves
//! only once its audit entry is durable, and N waiting requests cost one commit.

use std::sync::{Condvar, Mutex, PoisonError};

use crate::{Actor, Result, Store, StoreError};

/// An audit entry to write, as [`Store::record`] takes it (a read: a list, a view, a download).
#[derive(Debug, Clone)]
pub struct ReadAudit {
    pub actor: Actor,
    pub action: String,
    pub entity: String,
    pub id: String,
    pub details: serde_json::Value,
}

#[derive(Default)]
pub struct AuditGroup {
    state: Mutex<Group>,
    written: Condvar,
}

#[derive(Default)]
struct Group {
    /// Entries waiting, with their tickets (handed out in order).
    pending: Vec<(u64, ReadAudit)>,
    next_ticket: u64,
    /// Every ticket below it is written (or failed).
    done_below: u64,
    /// Whether a request is writing a group now.
    writing: bool,
    /// The tickets of failed groups and why, kept until their requests have read them.
    failed: Vec<(std::ops::Range<u64>, String)>,
}

impl AuditGroup {
    /// Writes `entry` with the others waiting, in one transaction: returns once it is committed.
    pub fn record(&self, store: &mut dyn Store, entry: ReadAudit) -> Result<()> {
        let mut group = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = group.next_ticket;
        group.next_ticket += 1;
        group.pending.push((ticket, entry));
        loop {
            if group.done_below > ticket {
                let failed = group.failed.iter().find(|(tickets, _)| tickets.contains(&ticket));
                let result = failed.map_or(Ok(()), |(_, why)| Err(StoreError::Conflict(why.clone())));
                // Failures long past: every request of theirs has read them.
                let recent = group.done_below.saturating_sub(1024);
                group.failed.retain(|(tickets, _)| tickets.end > recent);
                return result;
            }
            if group.writing {
                group = self.written.wait(group).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            group.writing = true;
            let batch = std::mem::take(&mut group.pending);
            drop(group);
            let first = batch.first().map_or(ticket, |(t, _)| *t);
            let end = batch.last().map_or(first, |(t, _)| t + 1);
            let entries: Vec<ReadAudit> = batch.into_iter().map(|(_, e)| e).collect();
            // A panic while writing must not leave the others waiting for a writer that is gone:
            // their entries fail, then the panic goes on.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.record_all(&entries)));
            let (written, panic) = match outcome {
                Ok(written) => (written, None),
                Err(panic) => (Err(StoreError::Conflict("the audit writer stopped".into())), Some(panic)),
            };
            group = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(e) = written {
                group.failed.push((first..end, format!("writing the audit log: {e}")));
            }
            group.done_below = group.done_below.max(end);
            group.writing = false;
            self.written.notify_all();
            if let Some(panic) = panic {
                drop(group);
                std::panic::resume_unwind(panic);
            }
        }
    }
}
