//! What an import writes around its rows, and deletions, on either database (`sql.rs`); the
//! rows themselves go by each backend's fast path. The caller holds the write lock.

use crate::entity::{Entity, now};
use crate::sql::{Sql, args};
use crate::{Actor, BatchSource, Counts, Result, other_geography};

/// One row's change, as the feed names it: its storage key, and the record's id and organisation
/// (which a deletion leaves nowhere else).
pub(crate) struct RowChange<'a> {
    pub row: i64,
    pub id: &'a str,
    pub organization: &'a str,
    pub deleted: bool,
}

/// Appends a batch's or a row's change to the change feed; readers take it in once the
/// transaction commits (PostgreSQL's other processes are woken by a notification).
pub(crate) fn record_change(
    db: &mut dyn Sql,
    table: &str,
    batch: Option<i64>,
    row: Option<RowChange<'_>>,
) -> Result<()> {
    let what = "recording the change";
    db.execute(
        what,
        "INSERT INTO changes (entity, batch_id, row_id, deleted, record_id, organization) VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            table,
            batch,
            row.as_ref().map(|r| r.row),
            row.as_ref().is_some_and(|r| r.deleted),
            row.as_ref().map(|r| r.id),
            row.as_ref().map(|r| r.organization)
        ],
    )?;
    if let Some(notify) = db.dialect().notify() {
        db.execute(what, notify, &[])?;
    }
    Ok(())
}

/// Deletes a record by its id (of `owner`'s organisation, when given): the row, its audit entry
/// with its old values, and its place in the change feed. `false`: no such record.
pub(crate) fn delete_row(
    db: &mut dyn Sql,
    entity: &Entity,
    id: &str,
    owner: Option<&str>,
    actor: &Actor,
) -> Result<bool> {
    let what = format!("deleting from {}", entity.table);
    let key = db.dialect().key(entity.table);
    let sql = format!(
        "SELECT {key}, {} FROM {} WHERE {} = $1 AND (CAST($2 AS TEXT) IS NULL OR {} = $2)",
        entity.columns.join(", "),
        entity.table,
        entity.key,
        entity.columns[entity.organization_column]
    );
    let found = db.query(&what, &sql, args![id, owner])?;
    let Some(found) = found.first() else { return Ok(false) };
    let row: i64 = found.get(0)?;
    db.execute(&what, &format!("DELETE FROM {} WHERE {key} = $1", entity.table), args![row])?;
    let mut old = serde_json::Map::new();
    for (i, column) in entity.columns.iter().enumerate() {
        let value: Option<String> = found.get(i + 1)?;
        old.insert(column.clone(), value.map_or(serde_json::Value::Null, serde_json::Value::String));
    }
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, old_values, actor, client)
         VALUES ($1, 'delete', $2, $3, $4, $5, $6)",
        args![
            now(),
            entity.table,
            id,
            serde_json::Value::Object(old).to_string(),
            &actor.name,
            actor.client.as_deref()
        ],
    )?;
    let organization: Option<String> = found.get(entity.organization_column + 1)?;
    let organization = organization.unwrap_or_default();
    record_change(db, entity.table, None, Some(RowChange { row, id, organization: &organization, deleted: true }))?;
    Ok(true)
}

/// Starts a file's import batch (the next id after the largest): its id.
pub(crate) fn begin_batch(db: &mut dyn Sql, source: &BatchSource) -> Result<i64> {
    let added = db.query(
        "recording import batch",
        "INSERT INTO import_batches (batch_id, kind, file_name, sha256, imported_at)
         SELECT COALESCE(MAX(batch_id), 0) + 1, $1, $2, '', $3 FROM import_batches RETURNING batch_id",
        args![source.kind.name(), &source.file_name, now()],
    )?;
    let id = added.first().map_or(Ok(0), |r| r.get(0))?;
    let empty = db.dialect().empty("import_seen");
    db.execute("preparing import", &empty, &[])?;
    Ok(id)
}

/// Ends a file's batch: its counts, its place in the change feed when it changed anything,
/// and its audit entry, naming who imported it.
pub(crate) fn end_batch(
    db: &mut dyn Sql,
    (batch, table): (i64, &str),
    counts: &Counts,
    sha256: &str,
    actor: &Actor,
) -> Result<()> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let stored = db.query(
        "recording import counts",
        "UPDATE import_batches SET inserted = $1, updated = $2, unchanged = $3, sha256 = $4 WHERE batch_id = $5
         RETURNING kind, file_name",
        args![n(counts.inserted), n(counts.updated), n(counts.unchanged), sha256, batch],
    )?;
    let (kind, file): (String, String) = match stored.first() {
        Some(r) => (r.get(0)?, r.get(1)?),
        None => Default::default(),
    };
    if counts.changed() {
        record_change(db, table, Some(batch), None)?;
    }
    let new = serde_json::json!({
        "kind": kind, "file": file, "sha256": sha256,
        "inserted": counts.inserted, "updated": counts.updated, "unchanged": counts.unchanged,
    });
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, new_values, batch_id, actor, client)
         VALUES ($1, 'import', 'import_batches', $2, $3, $4, $5, $6)",
        args![now(), batch.to_string(), new.to_string(), batch, &actor.name, actor.client.as_deref()],
    )?;
    Ok(())
}

/// The ids of a kind's records that start with `prefix` (a form's), of `owner`'s organisation
/// when given.
pub(crate) fn ids_with_prefix(
    db: &mut dyn Sql,
    entity: &Entity,
    prefix: &str,
    owner: Option<&str>,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT {key} FROM {table} WHERE substr({key}, 1, length($1)) = $1 AND (CAST($2 AS TEXT) IS NULL OR organization = $2)",
        key = entity.key,
        table = entity.table
    );
    db.query("listing a form's records", &sql, args![prefix, owner])?.iter().map(|r| r.get(0)).collect()
}

/// Records the geography a database's P-codes are of, the first time; refuses another later.
pub(crate) fn bind_geography(db: &mut dyn Sql, name: &str) -> Result<()> {
    match crate::accounts_sql::setting(db, "geography")? {
        Some(stored) if stored != name => Err(other_geography(&stored, name)),
        Some(_) => Ok(()),
        None => {
            db.execute(
                "recording the database's geography",
                "INSERT INTO settings (key, value) VALUES ('geography', $1)",
                args![name],
            )?;
            Ok(())
        }
    }
}

/// The newest risk index definition's version (1: the built-in one).
pub(crate) fn latest_risk_version(db: &mut dyn Sql) -> Result<u32> {
    let found = db.query("reading risk index definitions", "SELECT MAX(version) FROM risk_definitions", &[])?;
    Ok(found.first().map(|r| r.get::<Option<u32>>(0)).transpose()?.flatten().unwrap_or(1))
}

/// A violation's verification as it was and as it is now, for one decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub id: String,
    pub before: vigie_core::Decision,
    pub after: vigie_core::Decision,
}

/// A violation's verification status and reason, by its id.
pub(crate) fn verification_of(db: &mut dyn Sql, id: &str) -> Result<Option<vigie_core::Decision>> {
    let found = db.query(
        "reading verification",
        "SELECT verification, verification_reason FROM violations WHERE violation_id = $1",
        args![id],
    )?;
    let Some(found) = found.first() else { return Ok(None) };
    let (status, reason): (String, Option<String>) = (found.get(0)?, found.get(1)?);
    vigie_core::Decision::parse(&status, reason.as_deref())
        .map(Some)
        .map_err(|reason| crate::StoreError::Unreadable { what: format!("violation {id}'s verification"), reason })
}

/// Sets the verification of each violation of `decisions` (id, decision), all or nothing: an
/// unknown id refuses them all. Each change is audited with its old and new values and enters
/// the change feed; a decision that changes nothing writes nothing.
pub(crate) fn set_verification(
    db: &mut dyn Sql,
    decisions: &[(String, vigie_core::Decision)],
    actor: &Actor,
) -> Result<Vec<Verified>> {
    let what = "setting verification";
    let key = db.dialect().key("violations");
    let mut done = Vec::with_capacity(decisions.len());
    for (id, after) in decisions {
        let found =
            db.query(what, &format!("SELECT {key}, organization FROM violations WHERE violation_id = $1"), args![id])?;
        let Some(found) = found.first() else {
            return Err(crate::StoreError::NotFound(format!("violation {id}: no such violation, nothing was changed")));
        };
        let row: i64 = found.get(0)?;
        let organization: String = found.get(1)?;
        let before = verification_of(db, id)?.unwrap_or_default();
        if before != *after {
            let (status, reason) = after.codes();
            db.execute(
                what,
                &format!("UPDATE violations SET verification = $1, verification_reason = $2 WHERE {key} = $3"),
                args![status, reason, row],
            )?;
            let values = |d: &vigie_core::Decision| {
                let (status, reason) = d.codes();
                serde_json::json!({ "verification": status, "verification_reason": reason }).to_string()
            };
            db.execute(
                "writing audit log",
                "INSERT INTO audit_log (at, action, entity, entity_id, old_values, new_values, actor, client)
                 VALUES ($1, 'verify', 'violations', $2, $3, $4, $5, $6)",
                args![now(), id, values(&before), values(after), &actor.name, actor.client.as_deref()],
            )?;
            record_change(
                db,
                "violations",
                None,
                Some(RowChange { row, id, organization: &organization, deleted: false }),
            )?;
        }
        done.push(Verified { id: id.clone(), before, after: *after });
    }
    Ok(done)
}

/// What an IM officer decides about a proposed pair of violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairDecision {
    /// `b` reports the same event as `a`: it becomes `a`'s duplicate and leaves every count.
    Same,
    /// Two events: the pair is never proposed again.
    Distinct,
    /// Takes back whatever was decided about the pair.
    Undo,
}

impl PairDecision {
    pub fn parse(text: &str) -> Option<PairDecision> {
        match text {
            "same" => Some(PairDecision::Same),
            "distinct" => Some(PairDecision::Distinct),
            "undo" => Some(PairDecision::Undo),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PairDecision::Same => "same",
            PairDecision::Distinct => "distinct",
            PairDecision::Undo => "undo",
        }
    }
}

/// A decided pair: `b` is `a`'s duplicate (`same`) or another event (`distinct`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedPair {
    pub a: String,
    pub b: String,
    pub same: bool,
}

pub(crate) fn decided_pairs(db: &mut dyn Sql) -> Result<Vec<DecidedPair>> {
    db.query("reading duplicate decisions", "SELECT violation_a, violation_b, decision FROM duplicate_decisions", &[])?
        .iter()
        .map(|r| Ok(DecidedPair { a: r.get(0)?, b: r.get(1)?, same: r.get::<String>(2)? == "same" }))
        .collect()
}

/// The violation `id` was decided to duplicate, if any.
pub(crate) fn duplicate_of(db: &mut dyn Sql, id: &str) -> Result<Option<String>> {
    let found =
        db.query("reading duplicates", "SELECT duplicate_of FROM violations WHERE violation_id = $1", args![id])?;
    found.first().map_or(Ok(None), |r| r.get(0))
}

/// The violations recorded as `id`'s duplicates.
pub(crate) fn duplicates_of(db: &mut dyn Sql, id: &str) -> Result<Vec<String>> {
    db.query(
        "reading duplicates",
        "SELECT violation_id FROM violations WHERE duplicate_of = $1 ORDER BY violation_id",
        args![id],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Records a decision about the pair (`a`, `b`), audited, both violations' changes in the feed.
/// `same` refuses a pair whose `a` is itself a duplicate (decide on its original) or whose `b`
/// already duplicates another.
pub(crate) fn decide_pair(db: &mut dyn Sql, a: &str, b: &str, decision: PairDecision, actor: &Actor) -> Result<()> {
    let what = "deciding on a pair of violations";
    if a == b {
        return Err(crate::StoreError::Conflict(format!("{a} and {b} are one violation")));
    }
    let key = db.dialect().key("violations");
    let mut rows = Vec::new();
    for id in [a, b] {
        let found = db.query(
            what,
            &format!("SELECT {key}, organization, duplicate_of FROM violations WHERE violation_id = $1"),
            args![id],
        )?;
        let Some(found) = found.first() else {
            return Err(crate::StoreError::NotFound(format!("violation {id}: no such violation, nothing was changed")));
        };
        rows.push((found.get::<i64>(0)?, found.get::<String>(1)?, found.get::<Option<String>>(2)?));
    }
    let pair = args![a, b];
    let before: Vec<String> = db
        .query(
            what,
            "SELECT decision FROM duplicate_decisions WHERE (violation_a = $1 AND violation_b = $2)
                OR (violation_a = $2 AND violation_b = $1)",
            pair,
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    if decision == PairDecision::Same {
        if let Some(original) = &rows[0].2 {
            return Err(crate::StoreError::Conflict(format!(
                "{a} is itself a duplicate of {original}: decide on {original}"
            )));
        }
        if let Some(other) = rows[1].2.as_deref().filter(|o| *o != a) {
            return Err(crate::StoreError::Conflict(format!("{b} is already a duplicate of {other}: undo that first")));
        }
    }
    db.execute(
        what,
        "DELETE FROM duplicate_decisions WHERE (violation_a = $1 AND violation_b = $2) OR (violation_a = $2 AND violation_b = $1)",
        args![a, b],
    )?;
    // Whichever of the two named the other as its original no longer does, unless it is the same.
    for (i, (this, other)) in [(a, b), (b, a)].into_iter().enumerate() {
        let names_other = rows[i].2.as_deref() == Some(other);
        let duplicate = decision == PairDecision::Same && this == b;
        if names_other != duplicate {
            let value = duplicate.then_some(other);
            db.execute(
                what,
                &format!("UPDATE violations SET duplicate_of = $1 WHERE {key} = $2"),
                args![value, rows[i].0],
            )?;
            record_change(
                db,
                "violations",
                None,
                Some(RowChange { row: rows[i].0, id: this, organization: &rows[i].1, deleted: false }),
            )?;
        }
    }
    if decision != PairDecision::Undo {
        db.execute(
            what,
            "INSERT INTO duplicate_decisions (violation_a, violation_b, decision, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5)",
            args![a, b, decision.code(), now(), &actor.name],
        )?;
    }
    let old = serde_json::json!({ "pair": [a, b], "decision": before.first() }).to_string();
    let new =
        serde_json::json!({ "pair": [a, b], "decision": (decision != PairDecision::Undo).then_some(decision.code()) })
            .to_string();
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, old_values, new_values, actor, client)
         VALUES ($1, 'duplicate', 'violations', $2, $3, $4, $5, $6)",
        args![now(), b, old, new, &actor.name, actor.client.as_deref()],
    )?;
    Ok(())
}
