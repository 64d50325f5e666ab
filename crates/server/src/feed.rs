//! `GET /api/v1/changes`: the change feed for those who build on Vigie's data. In order: the
//! records created, updated and deleted (violations, alerts, risk answers), a violation's
//! verification decisions included (as its record, status with it). A follower that applies
//! every entry from an empty cursor holds exactly the records the caller may see.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use vigie_store::{FeedChange, RecordKind, Select, Store};

use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::records::{record_json, scope};

#[derive(Deserialize)]
pub struct ChangesQuery {
    since: Option<String>,
    limit: Option<u32>,
}

/// Where a page of the feed starts: after entry `seq`, and within it after storage key `key`
/// (an import batch's records come over several pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Cursor {
    seq: i64,
    key: Option<u32>,
}

impl Cursor {
    fn parse(text: &str) -> Option<Cursor> {
        if text.is_empty() {
            return Some(Cursor::default());
        }
        match text.split_once('.') {
            Some((seq, key)) => Some(Cursor { seq: seq.parse().ok()?, key: Some(key.parse().ok()?) }),
            None => Some(Cursor { seq: text.parse().ok()?, key: None }),
        }
    }

    fn text(self) -> String {
        match self.key {
            Some(key) => format!("{}.{key}", self.seq),
            None => self.seq.to_string(),
        }
    }
}

/// The kind's name in the feed, as its API path says it.
fn kind_name(kind: RecordKind) -> &'static str {
    crate::records::paths(kind).0.trim_start_matches("/api/v1/")
}

pub async fn changes(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let cursor = Cursor::parse(query.since.as_deref().unwrap_or_default())
        .ok_or_else(|| ApiError::bad_request("since: the previous page's `next`, or nothing to start"))?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit: 1 to 1000"));
    }
    let own = scope(&caller);
    let actor = caller.actor("?");
    let page = state
        .blocking(move |state, store| {
            let page = read(state, store, cursor, limit as usize, own.as_deref())?;
            let details = serde_json::json!({ "since": cursor.text(), "entries": page.0.len() });
            state.audit_read(store, actor, "changes", "changes", own.as_deref().unwrap_or("*"), details)?;
            Ok(page)
        })
        .await?;
    let (entries, next, more) = page;
    Ok(Json(serde_json::json!({ "changes": entries, "next": next.text(), "more": more })))
}

/// Up to `limit` entries after `cursor` of `own`'s records (or every one's), the cursor after
/// them, and whether more were there.
fn read(
    state: &AppState,
    store: &mut dyn Store,
    mut cursor: Cursor,
    limit: usize,
    own: Option<&str>,
) -> Result<(Vec<serde_json::Value>, Cursor, bool), ApiError> {
    let catalog = state.shared.catalog();
    let mut out = Vec::new();
    // A batch being read resumes at its own entry.
    let start = if cursor.key.is_some() { cursor.seq - 1 } else { cursor.seq };
    let entries = store.feed(start, limit as u32 + 1)?;
    for entry in &entries {
        if out.len() >= limit {
            return Ok((out, cursor, true));
        }
        let item = |op: &str, id: &str, record: Option<serde_json::Value>| {
            let mut item = serde_json::json!({ "seq": entry.seq, "kind": kind_name(entry.kind), "op": op, "id": id });
            if let Some(record) = record {
                item["record"] = record;
            }
            item
        };
        match &entry.what {
            FeedChange::Batch(batch) => {
                let after = if cursor.seq == entry.seq { cursor.key.unwrap_or(0) } else { 0 };
                let room = (limit - out.len()) as u32;
                let select = Select::Batch { batch: *batch, after, organization: own, limit: room + 1 };
                let records = store.records(catalog, entry.kind, select)?;
                for (key, record) in records.iter().take(room as usize) {
                    out.push(item("upsert", record.id(), Some(shown(store, entry.kind, record, catalog)?)));
                    cursor = Cursor { seq: entry.seq, key: Some(*key) };
                }
                if records.len() > room as usize {
                    return Ok((out, cursor, true));
                }
            }
            FeedChange::Row { key, id, organization, deleted } => {
                let theirs = own.is_none_or(|own| own == organization);
                if *deleted && theirs && !id.is_empty() {
                    out.push(item("delete", id, None));
                } else if !*deleted && theirs {
                    // The record as it is now, if that key still holds it (a later entry says
                    // what became of it otherwise).
                    let key = u32::try_from(*key).unwrap_or(u32::MAX);
                    if let Some((_, record)) = store.records(catalog, entry.kind, Select::Keys(&[key]))?.pop()
                        && record.id() == id
                    {
                        out.push(item("upsert", id, Some(shown(store, entry.kind, &record, catalog)?)));
                    }
                }
            }
        }
        cursor = Cursor { seq: entry.seq, key: None };
    }
    Ok((out, cursor, entries.len() > limit))
}

/// A record as the feed gives it: the API's record, a violation with its verification.
fn shown(
    store: &dyn Store,
    kind: RecordKind,
    record: &vigie_core::Record,
    catalog: &vigie_core::Catalog,
) -> Result<serde_json::Value, ApiError> {
    let mut json = record_json(record, catalog);
    if kind == RecordKind::Violations
        && let Some(decision) = store.verification_of(record.id())?
    {
        let (status, reason) = decision.codes();
        json["verification"] = serde_json::json!({ "status": status, "reason": reason });
    }
    Ok(json)
}
