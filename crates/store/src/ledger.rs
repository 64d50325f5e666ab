//! What the database says about itself, on either database (`sql.rs`): its counts, the change
//! feed, the audit log and its chain, import batches, risk index definitions.

use vigie_core::Month;

use crate::audit_chain;
use crate::entity::now;
use crate::sql::{Sql, args};
use crate::{
    AuditCheck, AuditEntry, AuditQuery, Change, Changed, Counts, ImportBatch, Result, StoreError, StoredRiskDefinition,
    Summary,
};

/// The one whole number `sql` answers.
fn number(db: &mut dyn Sql, sql: &str) -> Result<u64> {
    db.query(sql, sql, &[])?.first().map_or(Ok(0), |r| r.get::<Option<u64>>(0).map(Option::unwrap_or_default))
}

pub(crate) fn summary(db: &mut dyn Sql) -> Result<Summary> {
    Ok(Summary {
        violations: number(db, "SELECT COUNT(*) FROM violations")?,
        incidents: number(db, "SELECT COUNT(DISTINCT incident_id) FROM violations")?,
        alerts: number(db, "SELECT COUNT(*) FROM alerts")?,
        risk_answers: number(db, "SELECT COUNT(*) FROM risk_answers")?,
        organizations: number(db, "SELECT COUNT(*) FROM organizations")?,
        batches: number(db, "SELECT COUNT(*) FROM import_batches")?,
        audit_entries: number(db, "SELECT COUNT(*) FROM audit_log")?,
    })
}

pub(crate) fn last_change(db: &mut dyn Sql) -> Result<i64> {
    let found = db.query("reading the change feed", "SELECT COALESCE(MAX(seq), 0) FROM changes", &[])?;
    found.first().map_or(Ok(0), |r| r.get(0))
}

pub(crate) fn feed(db: &mut dyn Sql, seq: i64, limit: u32) -> Result<Vec<crate::FeedEntry>> {
    db.query(
        "reading the change feed",
        &format!(
            "SELECT seq, entity, batch_id, row_id, deleted, record_id, organization FROM changes
             WHERE seq > $1 AND entity <> 'months' ORDER BY seq LIMIT {limit}"
        ),
        args![seq],
    )?
    .iter()
    .map(|r| {
        let entity: String = r.get(1)?;
        let kind = crate::RecordKind::ALL.into_iter().find(|k| k.table() == entity).ok_or_else(|| {
            crate::StoreError::Unreadable { what: "the change feed".into(), reason: format!("entity {entity}") }
        })?;
        let what = match (r.get::<Option<i64>>(2)?, r.get::<Option<i64>>(3)?) {
            (Some(batch), _) => crate::FeedChange::Batch(batch),
            (None, row) => crate::FeedChange::Row {
                key: row.unwrap_or_default(),
                id: r.get::<Option<String>>(5)?.unwrap_or_default(),
                organization: r.get::<Option<String>>(6)?.unwrap_or_default(),
                deleted: r.get(4)?,
            },
        };
        Ok(crate::FeedEntry { seq: r.get(0)?, kind, what })
    })
    .collect()
}

pub(crate) fn changes_since(db: &mut dyn Sql, seq: i64) -> Result<Vec<Change>> {
    db.query(
        "reading the change feed",
        "SELECT seq, entity, batch_id, row_id, deleted FROM changes WHERE seq > $1 ORDER BY seq",
        args![seq],
    )?
    .iter()
    .map(|r| {
        let what = match (r.get::<Option<i64>>(2)?, r.get::<Option<i64>>(3)?, r.get::<bool>(4)?) {
            (Some(batch), _, _) => Changed::Batch(batch),
            (None, Some(row), true) => Changed::Deleted(row),
            (None, Some(row), false) => Changed::Row(row),
            (None, None, _) => Changed::Batch(0),
        };
        Ok(Change { seq: r.get(0)?, violations: r.get::<String>(1)? == "violations", what })
    })
    .collect()
}

pub(crate) fn audit_search(db: &mut dyn Sql, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    // `at` is RFC 3339 in UTC: a day's entries sort from its date to the next day's.
    let from = query.from.map(|d| d.to_string());
    let to = query.to.and_then(|d| d.succ_opt()).map(|d| d.to_string());
    db.query(
        "reading audit log",
        "SELECT at, action, entity, entity_id, old_values, new_values, actor FROM audit_log
         WHERE (CAST($1 AS TEXT) IS NULL OR actor = $1) AND (CAST($2 AS TEXT) IS NULL OR action = $2)
           AND (CAST($3 AS TEXT) IS NULL OR at >= $3) AND (CAST($4 AS TEXT) IS NULL OR at < $4)
         ORDER BY entry_id DESC LIMIT $5",
        args![query.actor.as_deref(), query.action.as_deref(), from, to, i64::from(query.limit)],
    )?
    .iter()
    .map(|r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            action: r.get(1)?,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            old: r.get(4)?,
            new: r.get(5)?,
            actor: r.get(6)?,
        })
    })
    .collect()
}

/// Walks the audit log's chain (sealed by the caller first), naming the first entry that
/// breaks it.
pub(crate) fn verify_audit(db: &mut dyn Sql) -> Result<AuditCheck> {
    let sql = format!(
        "SELECT chain_position, hash, {} FROM audit_log WHERE chain_position > $1 ORDER BY chain_position LIMIT 10000",
        audit_chain::CHAINED
    );
    let mut checker = audit_chain::Checker::default();
    let mut after = 0i64;
    loop {
        let rows = db.query("checking the audit log", &sql, args![after])?;
        if rows.is_empty() {
            return Ok(checker.finish());
        }
        for row in &rows {
            let position: i64 = row.get(0)?;
            let hash: Option<String> = row.get(1)?;
            let cells =
                (2..2 + audit_chain::COLUMNS.len()).map(|i| row.get(i)).collect::<Result<Vec<Option<String>>>>()?;
            if !checker.push(position, hash.as_deref().unwrap_or_default(), &cells) {
                return Ok(checker.finish());
            }
            after = position;
        }
    }
}

/// The newest import batches (not the API's one-record writes), each with its importer, of
/// one organisation's users or of everyone.
pub(crate) fn batches(db: &mut dyn Sql, organization: Option<&str>, limit: u32) -> Result<Vec<ImportBatch>> {
    // A batch's importer is named by its audit entry, written as it commits.
    db.query(
        "reading import batches",
        "SELECT b.batch_id, b.kind, b.file_name, b.imported_at, b.inserted, b.updated, b.unchanged, a.actor
         FROM import_batches b
         JOIN audit_log a ON a.batch_id = b.batch_id AND a.action = 'import' AND a.entity = 'import_batches'
         WHERE b.file_name <> '(api)'
           AND (CAST($1 AS TEXT) IS NULL OR a.actor IN (SELECT name FROM users WHERE organization = $1))
         ORDER BY b.batch_id DESC LIMIT $2",
        args![organization, i64::from(limit)],
    )?
    .iter()
    .map(|r| {
        let count = |i: usize| r.get::<i64>(i).map(|n| n.max(0).unsigned_abs());
        Ok(ImportBatch {
            id: r.get(0)?,
            kind: r.get(1)?,
            file_name: r.get(2)?,
            imported_at: r.get(3)?,
            counts: Counts { inserted: count(4)?, updated: count(5)?, unchanged: count(6)? },
            actor: r.get(7)?,
        })
    })
    .collect()
}

pub(crate) fn latest_risk_month(db: &mut dyn Sql) -> Result<Option<Month>> {
    let found = db.query("reading risk answers", "SELECT MAX(month) FROM risk_answers", &[])?;
    Ok(found.first().map(|r| r.get::<Option<String>>(0)).transpose()?.flatten().as_deref().and_then(Month::parse))
}

pub(crate) fn risk_definitions(db: &mut dyn Sql) -> Result<Vec<StoredRiskDefinition>> {
    db.query(
        "reading risk index definitions",
        "SELECT version, valid_from, questions, levels, source, sha256 FROM risk_definitions ORDER BY version",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(StoredRiskDefinition {
            version: r.get(0)?,
            from: r.get::<Option<String>>(1)?.as_deref().and_then(Month::parse),
            questions: r.get(2)?,
            levels: r.get(3)?,
            source: r.get(4)?,
            sha256: r.get(5)?,
        })
    })
    .collect()
}

/// Stores a new risk index definition from its first month on (the caller holds the write
/// lock), never for a month already scored: its version.
pub(crate) fn add_risk_definition(db: &mut dyn Sql, d: &StoredRiskDefinition) -> Result<u32> {
    let what = "storing a risk index definition";
    let from = d.from.map(|m| m.to_string());
    let scored = db.query(
        what,
        "SELECT DISTINCT month FROM risk_answers WHERE CAST($1 AS TEXT) IS NULL OR month >= $1 ORDER BY month",
        args![from.as_deref()],
    )?;
    let scored: Vec<String> = scored.iter().map(|r| r.get(0)).collect::<Result<_>>()?;
    if let Some(last) = scored.last() {
        let earliest = Month::parse(last).map_or_else(|| "a later month".to_owned(), |m| m.next().to_string());
        return Err(StoreError::Conflict(format!(
            "the risk answers of {} were scored with the definition in force for them, and a new definition never \
             rescores a month: start it at {earliest} at the earliest (--from {earliest})",
            scored.join(", ")
        )));
    }
    // Version 1 is the built-in definition.
    let latest = db.query(what, "SELECT MAX(version) FROM risk_definitions", &[])?;
    let latest: Option<u32> = latest.first().map(|r| r.get(0)).transpose()?.flatten();
    let version = latest.map_or(2, |v| v.saturating_add(1).max(2));
    db.execute(
        what,
        "INSERT INTO risk_definitions (version, valid_from, questions, levels, source, sha256, loaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![i64::from(version), from.as_deref(), &d.questions, &d.levels, &d.source, &d.sha256, now()],
    )?;
    let new = serde_json::json!({ "from": from, "source": d.source, "sha256": d.sha256 });
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, new_values)
         VALUES ($1, 'insert', 'risk_definitions', $2, $3)",
        args![now(), version.to_string(), new.to_string()],
    )?;
    Ok(version)
}
