//! Vigie's storage: one narrow trait, chosen once from the database URL at start.
//!
//! The trait speaks domain records, never SQL, so that PostgreSQL can be a second implementation
//! of the same story. An import runs inside one [`ImportSession`]: everything it writes becomes
//! visible at `commit`, and dropping the session without committing rolls everything back — a
//! crash at any moment leaves the database as it was before or after.

pub mod accounts;
mod accounts_sql;
mod audit_chain;
mod audit_group;
mod entity;
mod ledger;
/// The schema migrations of both databases, found by `build.rs` in `migrations/`.
mod migrations {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

    /// Refuses a database that a newer Vigie migrated further than this one knows.
    pub(crate) fn check(applied: usize, known: usize) -> crate::Result<()> {
        if applied > known {
            return Err(crate::StoreError::Unsupported(format!(
                "this database has schema version {applied}, newer than this Vigie knows ({known}): upgrade Vigie"
            )));
        }
        Ok(())
    }
}
mod pg_conn;
pub mod portable;
mod postgres;
mod publication_sql;
mod record;
mod records_sql;
mod shared;
mod sql;
mod sqlite;
mod texts;
mod url;
mod writes_sql;
pub use publication_sql::{PublishedFile, sha256_hex};
pub use writes_sql::{DecidedPair, PairDecision, Verified};

use std::path::PathBuf;

use vigie_core::aggregate::FactText;
use vigie_core::{ByList, Catalog, ListKind, Month};

pub use accounts::{Actor, Device, Organization, Role, Session, Submission, Token, User};
pub use audit_chain::{AuditCheck, BrokenLink};
pub use audit_group::{AuditGroup, ReadAudit};

pub use entity::{PreparedRow, PreparedRows};
pub use postgres::PostgresStore;
pub use record::{Select, put_record};
pub use shared::{CachedAnswer, MonthAnswer, MonthCoverage, Pool, PooledStore, Shared};
pub use sqlite::SqliteStore;
pub use url::DbUrl;
pub use vigie_core::records::schema;
pub use vigie_core::{Record, RecordKind};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database refused or failed: what Vigie was doing, and the database's own words.
    #[error("{context}: {message}")]
    Database { context: String, message: String },
    #[error("{0}")]
    Unsupported(String),
    /// The caller may not write this record (another organisation's).
    #[error("{0}")]
    Forbidden(String),
    /// Another writer kept the database longer than this one would wait.
    #[error("{0}")]
    Busy(String),
    /// A stored value that cannot be read as what it should be: the database was changed by
    /// something other than Vigie, or damaged.
    #[error("cannot read {what}: {reason}")]
    Unreadable { what: String, reason: String },
    /// The change touches a violation of a signed-off month: refused by the database itself.
    #[error(
        "{} is signed off (version {}, by {} on {}): its violations cannot be changed until an admin reopens it",
        .0.month, .0.version, .0.signed_by, .0.signed_at
    )]
    Locked(vigie_core::Lock),
}

impl StoreError {
    /// A database's refusal or failure, read as a lock when a lock trigger raised it.
    pub(crate) fn database(context: String, message: String) -> StoreError {
        match vigie_core::Lock::from_message(&message) {
            Some(lock) => StoreError::Locked(lock),
            None => StoreError::Database { context, message },
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What storing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
    /// The same id appeared earlier in the same file with other content.
    ConflictInFile,
}

/// Where a batch came from: recorded with every import.
#[derive(Debug, Clone)]
pub struct BatchSource {
    pub kind: RecordKind,
    pub file_name: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Inserted => self.inserted += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged | Outcome::ConflictInFile => self.unchanged += 1,
        }
    }

    pub fn changed(&self) -> bool {
        self.inserted + self.updated > 0
    }
}

/// How much the database holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub violations: u64,
    pub incidents: u64,
    pub alerts: u64,
    pub risk_answers: u64,
    pub organizations: u64,
    pub batches: u64,
    pub audit_entries: u64,
}

/// Which audit entries to read: by actor, by action, between two days (UTC, inclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub limit: u32,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON object of the changed columns' old values (updates only).
    pub old: Option<String>,
    pub new: Option<String>,
    /// Who made the change (`None` before accounts existed, and for imports until they name one).
    pub actor: Option<String>,
}

/// One committed import batch (a file), as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBatch {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub imported_at: String,
    pub counts: Counts,
    /// Who imported it.
    pub actor: Option<String>,
}

/// A recommendation of the report: open from its month until an analyst closes it, with the
/// cluster's follow-ups, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub zone: String,
    pub opened: Month,
    pub closed: Option<Month>,
    pub follow_ups: Vec<FollowUp>,
}

impl Recommendation {
    /// As the report's table shows it: actors, action, zone, and the latest follow-up.
    pub fn row(&self) -> [String; 4] {
        let latest = self.follow_ups.last().map(|f| f.body.clone()).unwrap_or_default();
        [self.actor.clone(), self.action.clone(), self.zone.clone(), latest]
    }
}

/// A new recommendation's actors, action and zone, trimmed; both stores refuse one without
/// actors or action.
pub(crate) fn recommendation_fields<'a>(
    who: &'a str,
    action: &'a str,
    zone: &'a str,
) -> Result<(&'a str, &'a str, &'a str)> {
    let (who, action, zone) = (who.trim(), action.trim(), zone.trim());
    if who.is_empty() || action.is_empty() {
        return Err(StoreError::Conflict("a recommendation needs its actors and its action".into()));
    }
    Ok((who, action, zone))
}

/// A follow-up's text, trimmed; both stores refuse an empty one.
pub(crate) fn follow_up_body(body: &str) -> Result<&str> {
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::Conflict("a follow-up needs its text".into()));
    }
    Ok(body)
}

/// Puts records read by storage key back in the order `keys` asked for them.
pub(crate) fn in_order_of(records: &mut [(u32, Record)], keys: &[u32]) {
    let place: std::collections::HashMap<u32, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    records.sort_by_key(|(key, _)| place.get(key).copied());
}

/// One follow-up of a recommendation: what the cluster did, in which month's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub month: Month,
    pub body: String,
    pub at: String,
    pub by: Option<String>,
}

/// The storage of one Vigie deployment.
pub trait Store: sql::Backend + Send {
    /// Starts an import; nothing it writes is visible until [`ImportSession::commit`]. While
    /// another process writes, it waits its turn as [`Store::set_write_wait`] says.
    fn import(&mut self) -> Result<Box<dyn ImportSession + '_>>;
    /// How writes wait for another writer (another `vigie import`, a server).
    fn set_write_wait(&mut self, wait: WriteWait);
    fn summary(&self) -> Result<Summary> {
        sql::read(self, ledger::summary)
    }
    /// The coded fields of the violations `rows` names, as stored text, with the storage key:
    /// the aggregation layer's load path, which needs no whole records.
    fn for_each_coded_violation(&self, rows: Rows, visit: &mut dyn FnMut(u32, &FactText<'_>)) -> Result<()> {
        sql::read(self, |db| records_sql::for_each_coded_violation(db, rows, &mut *visit))
    }
    /// The violations whose incident date is in `[from, to]`, parsed back into records with
    /// `catalog` (the command's): the report's incident list.
    fn violations_between(
        &self,
        catalog: &Catalog,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<vigie_core::Violation>> {
        sql::read(self, |db| records_sql::violations_between(db, catalog, from, to))
    }
    /// The flash alerts dated in `[from, to]`.
    fn alerts_between(
        &self,
        catalog: &Catalog,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<vigie_core::Alert>> {
        sql::read(self, |db| records_sql::alerts_between(db, catalog, from, to))
    }
    /// The stored records of one kind that `select` names, with their storage keys, parsed back
    /// with `catalog` (the command's).
    fn records(&self, catalog: &Catalog, kind: RecordKind, select: Select<'_>) -> Result<Vec<(u32, Record)>> {
        sql::read(self, |db| records_sql::records(db, catalog, kind, select))
    }
    /// The stored violations or alerts with a storage key in `keys` that `keep` accepts, in
    /// storage order, each as its exchange format's cells (aligned with [`schema`]; empty:
    /// absent; UTF-8 text as stored), handed to `row` without being parsed again: what a
    /// download streams. Stops early when `row` says so; gives the number of rows handed over.
    fn export(
        &self,
        catalog: &Catalog,
        kind: RecordKind,
        keys: std::ops::Range<u32>,
        keep: &dyn Fn(u32) -> bool,
        row: &mut dyn FnMut(&[&[u8]]) -> bool,
    ) -> Result<u64> {
        sql::read(self, |db| records_sql::export(db, catalog, kind, keys.clone(), keep, &mut *row))
    }
    /// Whether anonymous visitors get the public aggregates (off until an admin switches it on).
    fn public_access(&self) -> Result<bool> {
        Ok(sql::read(self, |db| accounts_sql::setting(db, "public_access"))?.as_deref() == Some("on"))
    }
    fn set_public_access(&mut self, enabled: bool, actor: &Actor) -> Result<()> {
        sql::write_access(self, true, |db| accounts_sql::set_public_access(db, enabled, actor))
    }
    /// The geography version the stored P-codes belong to (`None` before the first import).
    fn geography(&self) -> Result<Option<String>> {
        sql::read(self, |db| accounts_sql::setting(db, "geography"))
    }
    /// The risk answers of the months `[from, to]`, parsed with `catalog`'s definitions.
    fn risk_answers_between(&self, catalog: &Catalog, from: Month, to: Month) -> Result<Vec<vigie_core::RiskAnswer>> {
        sql::read(self, |db| records_sql::risk_answers_between(db, catalog, from, to))
    }
    /// The latest month with risk answers: a new definition may start after it at the earliest.
    fn latest_risk_month(&self) -> Result<Option<Month>> {
        sql::read(self, ledger::latest_risk_month)
    }
    /// The loaded risk index definitions (the embedded one, version 1, is not stored).
    fn risk_definitions(&self) -> Result<Vec<StoredRiskDefinition>> {
        sql::read(self, ledger::risk_definitions)
    }
    /// Stores a new definition version and returns its number. Refused when any month from
    /// `definition.from` on already has answers: they were scored with the definition in force,
    /// and a new definition never rescores them.
    fn add_risk_definition(&mut self, definition: &StoredRiskDefinition) -> Result<u32> {
        sql::write(self, true, |db| ledger::add_risk_definition(db, definition))
    }
    /// The newest entry of the change feed (0 when none).
    fn last_change(&self) -> Result<i64> {
        sql::read(self, ledger::last_change)
    }
    /// Whether the connection to the database is gone (PostgreSQL restarted, the session
    /// terminated): a pool drops such a store rather than lend it again. A file never is.
    fn is_broken(&self) -> bool {
        false
    }
    /// Bounds the pages this connection keeps in its own memory (SQLite's page cache, 64 MiB
    /// by default for bulk imports and whole-table reads). A server holds a connection per
    /// request at work, each of which would otherwise fill its own cache over time. A
    /// server-side database keeps its cache on its side: nothing to do.
    fn cap_cache(&self, _bytes: usize) -> Result<()> {
        Ok(())
    }
    /// At most `limit` entries of the change feed after `seq`, in order, with what a follower
    /// needs to name each change.
    fn feed(&self, seq: i64, limit: u32) -> Result<Vec<FeedEntry>> {
        sql::read(self, |db| ledger::feed(db, seq, limit))
    }
    /// The change feed after `seq`, in order: what every process's aggregation follows.
    fn changes_since(&self, seq: i64) -> Result<Vec<Change>> {
        sql::read(self, |db| ledger::changes_since(db, seq))
    }
    /// Deletes a record by its id, with its old values and `actor` in the audit log and its
    /// place in the change feed; `false` when there was none.
    fn delete(&mut self, kind: RecordKind, id: &str, actor: &Actor) -> Result<bool> {
        self.delete_owned(kind, id, None, actor)
    }
    /// [`Store::delete`], of a record of organisation `owner` only (a partner's): its owner is
    /// read in the deletion's own transaction, so no write in between can make it another's.
    /// `false` when there was none of that owner.
    fn delete_owned(&mut self, kind: RecordKind, id: &str, owner: Option<&str>, actor: &Actor) -> Result<bool>;
    /// Records a decision about a proposed pair of violations (see [`writes_sql::decide_pair`]).
    fn decide_pair(&mut self, a: &str, b: &str, decision: PairDecision, actor: &Actor) -> Result<()> {
        sql::write(self, true, |db| writes_sql::decide_pair(db, a, b, decision, actor))
    }
    /// Every pair decided and not undone.
    fn decided_pairs(&self) -> Result<Vec<DecidedPair>> {
        sql::read(self, writes_sql::decided_pairs)
    }
    /// The violation `id` was decided to duplicate, if any.
    fn duplicate_of(&self, id: &str) -> Result<Option<String>> {
        sql::read(self, |db| writes_sql::duplicate_of(db, id))
    }
    /// The violations decided to duplicate `id`.
    fn duplicates_of(&self, id: &str) -> Result<Vec<String>> {
        sql::read(self, |db| writes_sql::duplicates_of(db, id))
    }
    /// A violation's verification status and reason (`None`: no such violation).
    fn verification_of(&self, id: &str) -> Result<Option<vigie_core::Decision>> {
        sql::read(self, |db| writes_sql::verification_of(db, id))
    }
    /// Sets the verification of each violation of `decisions`, all or nothing, each change
    /// audited (see [`writes_sql::set_verification`]).
    fn set_verification(
        &mut self,
        decisions: &[(String, vigie_core::Decision)],
        actor: &Actor,
    ) -> Result<Vec<Verified>> {
        sql::write(self, true, |db| writes_sql::set_verification(db, decisions, actor))
    }
    /// Every published version of `month` (of every month: `None`), oldest first.
    fn publications(&self, month: Option<Month>) -> Result<Vec<vigie_core::Publication>> {
        sql::read(self, |db| publication_sql::publications(db, month))
    }
    /// Signs `month` off: `files` become its next published version (see
    /// [`publication_sql::sign_off`]); made from the data as of change `data_version`.
    fn sign_off(
        &mut self,
        month: Month,
        note: Option<&str>,
        files: &[(String, Vec<u8>)],
        data_version: i64,
        actor: &Actor,
    ) -> Result<vigie_core::Publication> {
        sql::write(self, true, |db| publication_sql::sign_off(db, month, note, files, data_version, actor))
    }
    /// Reopens a signed-off month (its published versions stay).
    fn reopen(&mut self, month: Month, reason: &str, actor: &Actor) -> Result<vigie_core::Publication> {
        sql::write(self, true, |db| publication_sql::reopen(db, month, reason, actor))
    }
    /// The month and version a violation was written after (a late report), if any.
    fn written_after_publication(&self, id: &str) -> Result<Option<(Month, u32)>> {
        sql::read(self, |db| publication_sql::written_after_publication(db, id))
    }
    /// The files of a published version.
    fn published_files(&self, month: Month, version: u32) -> Result<Vec<PublishedFile>> {
        sql::read(self, |db| publication_sql::published_files(db, month, version))
    }
    /// A published file's bytes, as stored (`None`: no such file).
    fn published_file(&self, month: Month, version: u32, name: &str) -> Result<Option<Vec<u8>>> {
        sql::read(self, |db| publication_sql::published_file(db, month, version, name))
    }
    /// Adds a device (a monitor's phone) whose key hashes to `key_hash`, for `organization`.
    fn add_device(&mut self, name: &str, organization: &str, key_hash: &str, actor: &Actor) -> Result<()> {
        sql::write_access(self, true, |db| accounts_sql::add_device(db, name, organization, key_hash, actor))
    }
    fn devices(&self) -> Result<Vec<accounts::Device>> {
        sql::read(self, accounts_sql::devices)
    }
    /// The device of a key (by its hash), unless revoked.
    fn device_for_key(&self, key_hash: &str) -> Result<Option<accounts::Device>> {
        sql::read(self, |db| accounts_sql::device_for_key(db, key_hash))
    }
    /// Revokes a device's key: `false` when there was no such device, or it was revoked already.
    fn revoke_device(&mut self, name: &str, actor: &Actor) -> Result<bool> {
        sql::write_access(self, true, |db| accounts_sql::revoke_device(db, name, actor))
    }
    /// A submission already received.
    fn submission(&self, instance_id: &str) -> Result<Option<accounts::Submission>> {
        sql::read(self, |db| accounts_sql::submission(db, instance_id))
    }
    /// A submission needing attention, corrected by a person, now counting; audited with
    /// `changes`. A conflict when it needs no correction (any more).
    fn correct_submission(
        &mut self,
        instance_id: &str,
        xml: &str,
        changes: serde_json::Value,
        actor: &Actor,
    ) -> Result<()> {
        sql::write(self, true, |db| accounts_sql::correct_submission(db, instance_id, xml, &changes, actor))
    }
    /// Keeps a submission as received; the one it edits is marked replaced.
    fn keep_submission(&mut self, submission: &accounts::Submission, replaces: Option<&str>) -> Result<()> {
        sql::write(self, true, |db| accounts_sql::keep_submission(db, submission, replaces))
    }
    /// The submissions needing attention, newest first (of one organisation, when given).
    fn submissions_needing_attention(&self, organization: Option<&str>) -> Result<Vec<accounts::Submission>> {
        sql::read(self, |db| accounts_sql::submissions_needing_attention(db, organization))
    }
    /// The newest audit entries first.
    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        self.audit_search(&AuditQuery { limit, ..AuditQuery::default() })
    }
    /// The newest audit entries that `query` selects, first.
    fn audit_search(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        sql::read(self, |db| ledger::audit_search(db, query))
    }
    /// The analysts' texts of a month's report: `(section, body)`, the section `context` or a
    /// reporting region's code.
    fn report_texts(&self, month: Month) -> Result<Vec<(String, String)>> {
        sql::read(self, |db| texts::report_texts(db, month))
    }
    /// Writes (or, empty, removes) one text of a month's report, audited.
    fn set_report_text(&mut self, month: Month, section: &str, body: &str, actor: &Actor) -> Result<()> {
        sql::write(self, false, |db| texts::set_report_text(db, month, section, body, actor))
    }
    /// The recommendations open in `month` (opened then or before, not closed before), with
    /// their follow-ups up to that month.
    fn recommendations(&self, month: Month) -> Result<Vec<Recommendation>> {
        sql::read(self, |db| texts::recommendations(db, month))
    }
    /// Adds a recommendation, open from `month`, audited; its id.
    fn add_recommendation(&mut self, month: Month, who: &str, action: &str, zone: &str, actor: &Actor) -> Result<i64> {
        sql::write(self, false, |db| texts::add_recommendation(db, month, who, action, zone, actor))
    }
    /// Adds a follow-up to a recommendation, audited.
    fn follow_up(&mut self, id: i64, month: Month, body: &str, actor: &Actor) -> Result<()> {
        sql::write(self, false, |db| texts::follow_up(db, id, month, body, actor))
    }
    /// Closes a recommendation from `month` on (it still shows in that month's report), audited.
    fn close_recommendation(&mut self, id: i64, month: Month, actor: &Actor) -> Result<()> {
        sql::write(self, false, |db| texts::close_recommendation(db, id, month, actor))
    }
    /// The newest committed import batches of files (not the API's one-record writes), those
    /// of an organisation's users only when one is given.
    fn batches(&self, organization: Option<&str>, limit: u32) -> Result<Vec<ImportBatch>> {
        sql::read(self, |db| ledger::batches(db, organization, limit))
    }

    /// Adds a partner organisation (refused when its code exists).
    fn add_organization(&mut self, code: &str, name: Option<&str>, actor: &Actor) -> Result<()> {
        sql::write(self, false, |db| accounts_sql::add_organization(db, code, name, actor))
    }
    fn organizations(&self) -> Result<Vec<Organization>> {
        sql::read(self, accounts_sql::organizations)
    }
    /// Adds a user with an argon2id `password_hash` (refused when the name exists, or a
    /// partner's organisation does not).
    fn add_user(&mut self, user: &User, password_hash: &str, actor: &Actor) -> Result<()> {
        sql::write(self, false, |db| accounts_sql::add_user(db, user, password_hash, actor))
    }
    fn users(&self) -> Result<Vec<User>> {
        sql::read(self, accounts_sql::users)
    }
    /// A user and their password hash, to check a login.
    fn user_for_login(&self, name: &str) -> Result<Option<(User, String)>> {
        sql::read(self, |db| accounts_sql::user_for_login(db, name))
    }
    /// Disables or enables a user (`false`: no such user).
    fn set_user_disabled(&mut self, name: &str, disabled: bool, actor: &Actor) -> Result<bool> {
        let action = if disabled { "user_disable" } else { "user_enable" };
        let details = serde_json::json!({ "disabled": disabled });
        sql::write_access(self, false, |db| {
            accounts_sql::change_user(db, name, "disabled", disabled.into(), (actor, action, details.clone()))
        })
    }
    /// Replaces a user's password hash (`false`: no such user).
    fn set_password(&mut self, name: &str, password_hash: &str, actor: &Actor) -> Result<bool> {
        sql::write_access(self, false, |db| {
            let audited = (actor, "password_reset", serde_json::json!({}));
            accounts_sql::change_user(db, name, "password_hash", password_hash.into(), audited)
        })
    }
    /// Stores a bearer token's hash for a user until `expires_at` (RFC 3339): its id (`None`:
    /// no such user).
    fn add_token(&mut self, name: &str, token_hash: &str, expires_at: &str, actor: &Actor) -> Result<Option<u64>> {
        // Under the write lock: the next id is the largest plus one.
        sql::write(self, true, |db| accounts_sql::add_token(db, name, token_hash, expires_at, actor))
    }
    /// The enabled user a token's hash belongs to, and the token, unless it has expired.
    fn user_for_token(&self, token_hash: &str) -> Result<Option<(User, Token)>> {
        sql::read(self, |db| accounts_sql::user_for_token(db, token_hash))
    }
    /// Notes that a token was used now.
    fn touch_token(&mut self, token_hash: &str) -> Result<()> {
        sql::write(self, false, |db| accounts_sql::touch_token(db, token_hash))
    }
    /// The tokens (of one user, or all), expired ones included, oldest first.
    fn tokens(&self, user: Option<&str>) -> Result<Vec<Token>> {
        sql::read(self, |db| accounts_sql::tokens(db, user))
    }
    /// Ends a token (audited): `false` when no token has this id.
    fn revoke_token(&mut self, id: u64, actor: &Actor) -> Result<bool> {
        sql::write_access(self, false, |db| accounts_sql::revoke_token(db, id, actor))
    }
    /// Seals the audit entries not yet in the hash chain, then checks the whole chain.
    fn verify_audit(&mut self) -> Result<AuditCheck> {
        // Seal what was written without it (an older Vigie, a crash), then walk the chain.
        sql::write(self, false, |_| Ok(()))?;
        sql::read(self, ledger::verify_audit)
    }
    /// Deletes the sessions and tokens that have expired: how many of each.
    fn purge_expired(&mut self) -> Result<(u64, u64)> {
        sql::write_access(self, false, accounts_sql::purge_expired)
    }
    /// Counts one sign-in attempt under each key (`user:NAME`, `addr:IP`) before its password
    /// is checked, atomically, and returns the most attempts any key has counted in its window
    /// (this one included). A window that began before `window_start` (RFC 3339) begins again.
    fn count_attempt(&mut self, keys: &[String], window_start: &str) -> Result<u64> {
        sql::write(self, false, |db| accounts_sql::count_attempt(db, keys, window_start))
    }
    /// A successful sign-in: the account's attempts are forgotten, and this attempt no longer
    /// counts against its address.
    fn attempt_succeeded(&mut self, account: &str, address: &str) -> Result<()> {
        sql::write(self, false, |db| accounts_sql::attempt_succeeded(db, account, address))
    }
    /// Opens a login session for an enabled user.
    fn add_session(&mut self, session: &Session) -> Result<()> {
        sql::write(self, false, |db| accounts_sql::add_session(db, session))
    }
    /// The session with this hash and its enabled user (expiry is the caller's to check).
    fn session(&self, hash: &str) -> Result<Option<(User, Session)>> {
        sql::read(self, |db| accounts_sql::session(db, hash))
    }
    fn end_session(&mut self, hash: &str) -> Result<()> {
        sql::write_access(self, false, |db| accounts_sql::end_session(db, hash))
    }
    /// Ends every session of a user (audited): the number ended. A changed password, role or
    /// state ends them too.
    fn end_sessions(&mut self, name: &str, actor: &Actor) -> Result<u64> {
        sql::write_access(self, false, |db| accounts_sql::end_sessions(db, name, actor))
    }
    /// An audit entry for something that changes no data: a login, a failed login, a view of a
    /// record's details, a download.
    fn record(
        &mut self,
        actor: &Actor,
        action: &str,
        entity: &str,
        id: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        sql::write(self, false, |db| sql::audit(db, actor, action, entity, id, details.clone()))
    }
    /// Writes audit entries in one transaction (see [`AuditGroup`]).
    fn record_all(&mut self, entries: &[ReadAudit]) -> Result<()> {
        sql::write(self, false, |db| {
            entries.iter().try_for_each(|e| sql::audit(db, &e.actor, &e.action, &e.entity, &e.id, e.details.clone()))
        })
    }

    /// Every row of every table ([`portable::TABLES`], in that order, each in key order), all
    /// from one consistent snapshot: what a copy or a backup reads.
    fn dump(&self, row: &mut dyn FnMut(&'static portable::Table, Vec<portable::Value>) -> Result<()>) -> Result<()> {
        // One snapshot of the whole database, whatever commits meanwhile.
        self.read_snapshot(&mut |db| records_sql::dump(db, &mut *row))
    }
    /// Starts loading a whole database into this one, in one transaction; refused unless this
    /// one is empty (a copy or a restore never merges).
    fn load(&mut self) -> Result<Box<dyn portable::Load + '_>>;
    /// The version of this store's own schema (its migrations applied).
    fn schema_version(&self) -> Result<u32>;
}

/// One entry of the change feed: a write that every reader takes in, whole, in `seq` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    /// Whether it changed violations (the aggregation layer's rows); alerts and risk answers are
    /// read from the store each time.
    pub violations: bool,
    pub what: Changed,
}

/// An entry of the change feed as a follower reads it (`GET /api/v1/changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub seq: i64,
    pub kind: RecordKind,
    pub what: FeedChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedChange {
    /// The records an import batch inserted or updated and that no later write changed again.
    Batch(i64),
    /// One record written or deleted: its storage key then, its id and organisation (empty for
    /// changes recorded before Vigie named them).
    Row { key: i64, id: String, organization: String, deleted: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The rows an import batch inserted or updated (they carry its `batch_id`).
    Batch(i64),
    /// One row written (its storage key).
    Row(i64),
    /// One row deleted (its storage key).
    Deleted(i64),
}

/// A risk index definition as loaded: the two files' text, kept so that a month can always be
/// rescored exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRiskDefinition {
    /// Assigned by the store.
    pub version: u32,
    /// The first month it scores; `None`: every month.
    pub from: Option<Month>,
    pub questions: String,
    pub levels: String,
    /// The files it was loaded from.
    pub source: String,
    pub sha256: String,
}

/// The catalog for `store`: `base` (the embedded lists and the command's geography) plus the
/// store's risk index definitions. Refused when the store's data is coded with another geography.
pub fn catalog(store: &dyn Store, base: Catalog) -> Result<Catalog> {
    if let Some(stored) = store.geography()?
        && stored != base.geography.name
    {
        return Err(other_geography(&stored, &base.geography.name));
    }
    let mut catalog = base;
    for stored in store.risk_definitions()? {
        let definition =
            vigie_core::RiskDefinition::parse("risk_index.csv", &stored.questions, "risk_levels.csv", &stored.levels)
                .map_err(|e| {
                StoreError::Conflict(format!("stored risk index definition {} is invalid: {e}", stored.version))
            })?;
        catalog.risk.add(vigie_core::RiskVersion { version: stored.version, from: stored.from, definition });
    }
    Ok(catalog)
}

/// A month's full table set as every output reads it: the violations from the aggregation
/// layer's facts, the risk index (the month and the one before) and the month's flash alerts
/// from the store; with the alerts themselves, which the report also maps and lists.
pub fn month_tables(
    store: &dyn Store,
    catalog: &Catalog,
    facts: &vigie_core::aggregate::Facts,
    month: Month,
    filter: &vigie_core::aggregate::Filter,
) -> Result<MonthAnswer> {
    let rules = vigie_core::aggregate::SignalRules::builtin(catalog);
    Ok(MonthRecords::read(store, catalog, month, &rules)?.tables(catalog, facts, month, filter))
}

/// The pairs of violations of `month` that may be one event reported twice, best first, from
/// the month's counted violations and the days around it; pairs decided already are not
/// proposed again.
pub fn duplicate_candidates(
    store: &dyn Store,
    catalog: &Catalog,
    month: Month,
    threshold: f64,
) -> Result<Vec<vigie_core::duplicates::Candidate>> {
    let (from, to) = vigie_core::duplicates::window(month);
    let violations = store.violations_between(catalog, from, to)?;
    let mut decided = vigie_core::duplicates::Decided::default();
    for pair in store.decided_pairs()? {
        decided.add(&pair.a, &pair.b);
    }
    Ok(vigie_core::duplicates::candidates(&violations, catalog, month, &decided, threshold))
}

/// The records beside violations that a month's tables count: the risk answers of the month and
/// the one before, the month's flash alerts, and the published versions (for earlier months'
/// late reports). Read once per data version and month by a server, whatever the filter: a
/// sign-off or a reopening enters the change feed, so it makes a new data version.
#[derive(Debug, Clone, Default)]
pub struct MonthRecords {
    /// The risk answers of the month and the two before (a level rising two months running).
    pub answers: Vec<vigie_core::RiskAnswer>,
    pub alerts: Vec<vigie_core::Alert>,
    pub publications: Vec<vigie_core::Publication>,
    /// The early-warning rules the month's signals follow.
    pub rules: vigie_core::aggregate::SignalRules,
    /// The month's signals over every counted violation, computed at the first answer: they
    /// are the same for every filter, and these records are of one data version.
    signals: std::sync::OnceLock<Vec<vigie_core::aggregate::Signal>>,
}

impl MonthRecords {
    pub fn read(
        store: &dyn Store,
        catalog: &Catalog,
        month: Month,
        rules: &vigie_core::aggregate::SignalRules,
    ) -> Result<MonthRecords> {
        Ok(MonthRecords {
            rules: rules.clone(),
            answers: store.risk_answers_between(catalog, month.previous().previous(), month)?,
            alerts: store.alerts_between(catalog, month.first_day(), month.last_day())?,
            publications: store.publications(None)?,
            signals: std::sync::OnceLock::new(),
        })
    }

    /// The month's signals over every counted violation of `facts` (the same data version as
    /// these records), counted once.
    fn signals(
        &self,
        facts: &vigie_core::aggregate::Facts,
        catalog: &Catalog,
        month: Month,
    ) -> &[vigie_core::aggregate::Signal] {
        self.signals
            .get_or_init(|| vigie_core::aggregate::month_signals(facts, catalog, &self.rules, month, &self.answers))
    }

    /// The month's full table set for `filter`, with the month's alerts.
    pub fn tables(
        &self,
        catalog: &Catalog,
        facts: &vigie_core::aggregate::Facts,
        month: Month,
        filter: &vigie_core::aggregate::Filter,
    ) -> MonthAnswer {
        let tables = facts
            .tables(catalog, month, filter)
            .with_monitoring(catalog, &self.answers, &self.alerts, filter)
            .with_late(facts, catalog, &self.publications, filter)
            .with_signals(self.signals(facts, catalog, month), catalog, &self.rules, filter);
        (tables, self.alerts.clone())
    }
}

/// One all-or-nothing import of one or more files.
pub trait ImportSession {
    fn begin_file(&mut self, source: &BatchSource) -> Result<()>;
    /// Inserts, updates (with an audit entry) or leaves each record of `rows` as it is, in
    /// order; `outcomes` gets what happened to each (cleared first). A batch at a time, so that
    /// a server-side database gets a few statements per batch, not one per row.
    fn put(&mut self, rows: &PreparedRows, outcomes: &mut Vec<Outcome>) -> Result<()>;
    /// Closes the file's batch; its checksum is known only once the file has been read.
    fn end_file(&mut self, counts: &Counts, sha256: &str) -> Result<()>;
    /// Makes everything visible at once. Dropping the session instead rolls everything back.
    fn commit(self: Box<Self>) -> Result<()>;
    /// The ids of stored records of `kind` that start with `prefix` (a form's rows), of the
    /// restricted organisation only when there is one.
    fn ids_with_prefix(&mut self, kind: RecordKind, prefix: &str) -> Result<Vec<String>>;
    /// Deletes a record in the import's transaction, with its audit entry and change (of the
    /// restricted organisation only, when there is one).
    fn delete(&mut self, kind: RecordKind, id: &str) -> Result<bool>;
    /// Lets this import write only records of `organization` (a partner's): a row whose id is
    /// another organisation's record is refused.
    fn restrict_to(&mut self, organization: &str);
    /// Names who the audit log says made this import's changes (the command line, until set).
    fn act_as(&mut self, actor: &Actor);
    /// Records that the imported P-codes belong to geography `name`, the first time; refused
    /// when the store's data belongs to another geography.
    fn bind_geography(&mut self, name: &str) -> Result<()>;
    /// The newest risk index definition version (1: none loaded), read inside the session's
    /// transaction: an import validates risk answers with a catalog read before the session
    /// began, and this tells whether that catalog is still current.
    fn latest_risk_version(&self) -> Result<u32>;
}

/// The aggregation layer's facts, loaded from a store and kept in step with its writes by
/// following the change feed.
#[derive(Clone)]
pub struct LiveFacts {
    pub facts: vigie_core::aggregate::Facts,
    /// The last change taken in.
    last_change: i64,
}

impl LiveFacts {
    pub fn load(store: &dyn Store, catalog: &Catalog) -> Result<LiveFacts> {
        // The feed's position is read first: a write that commits while the rows are read is
        // taken in again by the next refresh, and taking a row in twice changes nothing.
        let last_change = store.last_change()?;
        let mut live = LiveFacts { facts: vigie_core::aggregate::Facts::new(catalog), last_change };
        live.take_in(store, catalog, Rows::All)?;
        live.facts.compact();
        Ok(live)
    }

    /// The last change of the feed these facts hold: the data version answers are keyed by.
    pub fn version(&self) -> i64 {
        self.last_change
    }

    /// Reads `rows` as they are now: appended unsorted when loading everything, upserted
    /// (keeping the month cube in step) otherwise.
    fn take_in(&mut self, store: &dyn Store, catalog: &Catalog, rows: Rows) -> Result<()> {
        let loading = rows == Rows::All;
        let facts = &mut self.facts;
        // Two stages on two cores: this thread reads rows into text batches, a decoder thread
        // turns them into facts.
        let invalid = std::thread::scope(|scope| -> Result<Option<u32>> {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<TextBatch>(4);
            let decoder = scope.spawn(move || {
                let mut invalid = None;
                for batch in receiver {
                    for (key, cells) in batch.rows() {
                        match facts.fact_from_text(catalog, &cells) {
                            Some(fact) if loading => facts.append(key, fact),
                            Some(fact) => facts.upsert(key, fact),
                            None => invalid = Some(key),
                        }
                    }
                }
                invalid
            });
            let mut batch = TextBatch::default();
            let read = store.for_each_coded_violation(rows, &mut |key, text| {
                batch.push(key, text);
                if batch.keys.len() == 4096 {
                    // A closed channel means the decoder stopped; its result says why.
                    let _ = sender.send(std::mem::take(&mut batch));
                }
            });
            let _ = sender.send(batch);
            drop(sender);
            let invalid = decoder.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            read.map(|()| invalid)
        })?;
        if let Some(key) = invalid {
            return Err(StoreError::Conflict(format!(
                "stored violation (row {key}) has a code the reference lists no longer know"
            )));
        }
        Ok(())
    }

    /// Takes in every change since the last load or refresh, in the feed's order, each whole:
    /// an import's rows, an edited row, a deleted one. No rebuild.
    pub fn refresh(&mut self, store: &dyn Store, catalog: &Catalog) -> Result<()> {
        for change in store.changes_since(self.last_change)? {
            if change.violations {
                match change.what {
                    Changed::Batch(batch) => self.take_in(store, catalog, Rows::Batch(batch))?,
                    Changed::Row(row) => self.take_in(store, catalog, Rows::Row(row))?,
                    Changed::Deleted(row) => {
                        if let Ok(key) = u32::try_from(row) {
                            self.facts.remove(key);
                        }
                    }
                }
            }
            self.last_change = change.seq;
        }
        Ok(())
    }
}

/// Which stored violations to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    All,
    /// Those whose last write was this import batch.
    Batch(i64),
    /// One, by storage key.
    Row(i64),
}

/// Rows of coded text, packed in one string: per row the fixed cells of [`TextBatch::FIXED`],
/// then one per code list.
#[derive(Default)]
struct TextBatch {
    keys: Vec<u32>,
    text: String,
    ends: Vec<u32>,
}

impl TextBatch {
    /// incident id, incident date, commune, subtype, organisation, report date, latitude,
    /// verification, duplicate of, batch.
    const FIXED: usize = 10;
    const CELLS: usize = TextBatch::FIXED + ListKind::COUNT;

    fn push(&mut self, key: u32, t: &FactText<'_>) {
        self.keys.push(key);
        let cells = [
            t.incident_id,
            t.incident_date,
            t.admin3_pcode,
            t.violation_code,
            t.organization,
            t.report_date,
            t.latitude,
            t.verification,
            t.duplicate_of,
            t.batch,
        ];
        for cell in cells.iter().chain(t.codes.values()) {
            self.text.push_str(cell);
            self.ends.push(self.text.len() as u32);
        }
    }

    fn rows(&self) -> impl Iterator<Item = (u32, FactText<'_>)> {
        self.keys.iter().enumerate().map(|(i, &key)| {
            let cell = |j: usize| {
                let n = i * TextBatch::CELLS + j;
                let start = if n == 0 { 0 } else { self.ends[n - 1] as usize };
                &self.text[start..self.ends[n] as usize]
            };
            let mut codes = ByList::default();
            for (j, (_, code)) in codes.iter_mut().enumerate() {
                *code = cell(TextBatch::FIXED + j);
            }
            let text = FactText {
                incident_id: cell(0),
                incident_date: cell(1),
                admin3_pcode: cell(2),
                violation_code: cell(3),
                organization: cell(4),
                report_date: cell(5),
                latitude: cell(6),
                verification: cell(7),
                duplicate_of: cell(8),
                batch: cell(9),
                codes,
            };
            (key, text)
        })
    }
}

/// How a write waits for another process that holds the database's write lock.
pub struct WriteWait {
    /// How long to wait before giving up with [`StoreError::Busy`].
    pub timeout: std::time::Duration,
    /// Called once when the write has to wait (to tell the user why nothing happens).
    pub notify: Box<dyn Fn() + Send + Sync>,
}

impl Default for WriteWait {
    /// Ten minutes, quietly.
    fn default() -> WriteWait {
        WriteWait { timeout: std::time::Duration::from_secs(600), notify: Box::new(|| ()) }
    }
}

/// The error for data of one geography read or written with another.
pub(crate) fn other_geography(stored: &str, given: &str) -> StoreError {
    StoreError::Conflict(format!(
        "this database holds data coded with geography {stored}, not {given}: run Vigie with --geography {stored}"
    ))
}

/// Opens the store a URL names, creating and migrating it when needed.
pub fn open(url: &DbUrl) -> Result<Box<dyn Store>> {
    match url {
        DbUrl::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
        DbUrl::SqliteMemory => Ok(Box::new(SqliteStore::open(&PathBuf::from(":memory:"))?)),
        DbUrl::Postgres(url) => Ok(Box::new(PostgresStore::open(url)?)),
    }
}

/// Databases for the tests of every crate (the `test-support` feature, for dev-dependencies only).
#[cfg(feature = "test-support")]
pub mod testing;
