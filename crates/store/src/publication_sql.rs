//! Monthly sign-off and published versions (migrations 13 and 0007), on either database. The
//! lock itself is the databases' own (triggers on the violations): every write path is covered
//! without asking here, and its refusal reads back as [`StoreError::Locked`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use vigie_core::{Month, Publication, Reopening};

use crate::entity::now;
use crate::sql::{Sql, args};
use crate::writes_sql::record_change;
use crate::{Actor, Result, StoreError};

/// A file of a published version, as listed (its bytes read apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFile {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

pub(crate) fn publications(db: &mut dyn Sql, month: Option<Month>) -> Result<Vec<Publication>> {
    let month = month.map(|m| m.to_string());
    db.query(
        "reading published versions",
        "SELECT month, version, signed_at, signed_by, note, last_batch, reopened_at, reopened_by, reopen_reason
         FROM month_versions WHERE CAST($1 AS TEXT) IS NULL OR month = $1 ORDER BY month, version",
        args![month],
    )?
    .iter()
    .map(|r| {
        let month: String = r.get(0)?;
        let reopened = match (r.get::<Option<String>>(6)?, r.get::<Option<String>>(8)?) {
            (Some(at), Some(reason)) => {
                Some(Reopening { at, by: r.get::<Option<String>>(7)?.unwrap_or_default(), reason })
            }
            _ => None,
        };
        Ok(Publication {
            month: Month::parse(&month).ok_or_else(|| StoreError::Unreadable {
                what: "a published version".into(),
                reason: format!("month {month}"),
            })?,
            version: r.get(1)?,
            signed_at: r.get(2)?,
            signed_by: r.get(3)?,
            note: r.get(4)?,
            last_batch: r.get(5)?,
            reopened,
        })
    })
    .collect()
}

/// Signs `month` off as its next version with `files` (name, bytes), made from the data as of
/// change `data_version`: refused when the month is signed off already, or when the data
/// changed since (the files would not be what the version says; make them again).
pub(crate) fn sign_off(
    db: &mut dyn Sql,
    month: Month,
    note: Option<&str>,
    files: &[(String, Vec<u8>)],
    data_version: i64,
    actor: &Actor,
) -> Result<Publication> {
    let what = "signing a month off";
    let versions = publications(db, Some(month))?;
    if let Some(locked) = versions.last().filter(|p| p.locks()) {
        return Err(StoreError::Locked(locked.lock()));
    }
    if crate::ledger::last_change(db)? != data_version {
        return Err(StoreError::Busy(format!("{month}'s data changed while its report was made: sign off again")));
    }
    let last_batch: i64 = db
        .query(what, "SELECT COALESCE(MAX(batch_id), 0) FROM import_batches", &[])?
        .first()
        .map_or(Ok(0), |r| r.get(0))?;
    let version = versions.last().map_or(1, |p| p.version + 1);
    let (at, month_text) = (now(), month.to_string());
    db.execute(
        what,
        "INSERT INTO month_versions (month, version, signed_at, signed_by, note, last_batch) VALUES ($1, $2, $3, $4, $5, $6)",
        args![&month_text, i64::from(version), &at, &actor.name, note, last_batch],
    )?;
    let mut listed = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let sha256 = sha256_hex(bytes);
        db.execute(
            what,
            "INSERT INTO published_files (month, version, name, sha256, bytes, content) VALUES ($1, $2, $3, $4, $5, $6)",
            args![&month_text, i64::from(version), name, &sha256, bytes.len() as i64, BASE64.encode(bytes)],
        )?;
        listed.push(serde_json::json!({ "name": name, "sha256": sha256, "bytes": bytes.len() }));
    }
    let new = serde_json::json!({ "version": version, "note": note, "files": listed });
    audit(db, "sign_off", &month_text, None, Some(new), actor)?;
    record_change(db, "months", None, None)?;
    Ok(Publication {
        month,
        version,
        signed_at: at,
        signed_by: actor.name.clone(),
        note: note.map(str::to_owned),
        last_batch,
        reopened: None,
    })
}

/// Reopens a signed-off month: its violations may change again; its versions stay.
pub(crate) fn reopen(db: &mut dyn Sql, month: Month, reason: &str, actor: &Actor) -> Result<Publication> {
    let versions = publications(db, Some(month))?;
    let Some(mut locked) = versions.last().filter(|p| p.locks()).cloned() else {
        return Err(StoreError::Conflict(format!("{month} is not signed off")));
    };
    let (at, month_text) = (now(), month.to_string());
    db.execute(
        "reopening a month",
        "UPDATE month_versions SET reopened_at = $1, reopened_by = $2, reopen_reason = $3 WHERE month = $4 AND version = $5",
        args![&at, &actor.name, reason, &month_text, i64::from(locked.version)],
    )?;
    let old = serde_json::json!({ "version": locked.version, "state": "signed_off" });
    let new = serde_json::json!({ "version": locked.version, "state": "reopened", "reason": reason });
    audit(db, "reopen", &month_text, Some(old), Some(new), actor)?;
    record_change(db, "months", None, None)?;
    locked.reopened = Some(Reopening { at, by: actor.name.clone(), reason: reason.to_owned() });
    Ok(locked)
}

fn audit(
    db: &mut dyn Sql,
    action: &str,
    month: &str,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
    actor: &Actor,
) -> Result<()> {
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, old_values, new_values, actor, client)
         VALUES ($1, $2, 'month_versions', $3, $4, $5, $6, $7)",
        args![
            now(),
            action,
            month,
            old.map(|v| v.to_string()),
            new.map(|v| v.to_string()),
            &actor.name,
            actor.client.as_deref()
        ],
    )?;
    Ok(())
}

pub(crate) fn published_files(db: &mut dyn Sql, month: Month, version: u32) -> Result<Vec<PublishedFile>> {
    db.query(
        "reading a published version",
        "SELECT name, sha256, bytes FROM published_files WHERE month = $1 AND version = $2 ORDER BY name",
        args![month.to_string(), i64::from(version)],
    )?
    .iter()
    .map(|r| Ok(PublishedFile { name: r.get(0)?, sha256: r.get(1)?, bytes: r.get::<i64>(2)?.max(0) as u64 }))
    .collect()
}

/// A published file's bytes, checked against the checksum stored with them.
pub(crate) fn published_file(db: &mut dyn Sql, month: Month, version: u32, name: &str) -> Result<Option<Vec<u8>>> {
    let found = db.query(
        "reading a published file",
        "SELECT sha256, content FROM published_files WHERE month = $1 AND version = $2 AND name = $3",
        args![month.to_string(), i64::from(version), name],
    )?;
    let Some(found) = found.first() else { return Ok(None) };
    let (sha256, content): (String, String) = (found.get(0)?, found.get(1)?);
    let unreadable =
        |reason: String| StoreError::Unreadable { what: format!("published file {month} v{version} {name}"), reason };
    let bytes = BASE64.decode(content.as_bytes()).map_err(|e| unreadable(e.to_string()))?;
    if sha256_hex(&bytes) != sha256 {
        return Err(unreadable("its bytes no longer match their checksum".into()));
    }
    Ok(Some(bytes))
}

/// A file's SHA-256, as `sha256sum` writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The published version of its month that a violation was written after (a late report, or a
/// change since publication once reopened): its month's newest, when a later batch wrote it.
pub(crate) fn written_after_publication(db: &mut dyn Sql, id: &str) -> Result<Option<(Month, u32)>> {
    let found = db.query(
        "reading a violation's publication",
        "SELECT m.month, m.version FROM violations v
         JOIN month_versions m ON m.month = substr(v.incident_date, 1, 7)
         WHERE v.violation_id = $1 AND v.batch_id > m.last_batch
           AND m.version = (SELECT MAX(version) FROM month_versions n WHERE n.month = m.month)",
        args![id],
    )?;
    let Some(row) = found.first() else { return Ok(None) };
    let (month, version): (String, u32) = (row.get(0)?, row.get(1)?);
    Ok(Month::parse(&month).map(|m| (m, version)))
}
