//! A month's publication over HTTP: the months and their versions, signing off, reopening, and a
//! published version's files served byte for byte as stored. The pages' forms call the same
//! helpers ([`signed_off`], [`reopened`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vigie_core::aggregate::{Filter, Sight};
use vigie_core::{Month, MonthState, Publication};
use vigie_report::report::{Edition, published_name};

use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

fn month_of(text: &str) -> Result<Month, ApiError> {
    Month::parse(text).ok_or_else(|| ApiError::bad_request("give the month as YYYY-MM"))
}

/// Every month with a published version, with what the caller may download of each. Changes
/// since publication (violations written since the newest version) are for whoever sees every
/// record.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let everything = caller.sight() == Sight::Everything;
    let months = state.blocking(move |state, store| months(state, store, everything)).await?;
    Ok(Json(serde_json::json!({ "months": months })))
}

/// Each published month, as JSON: state, changes since (when `everything`), versions and files.
pub(crate) fn months(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    everything: bool,
) -> Result<Vec<serde_json::Value>, ApiError> {
    let publications = store.publications(None)?;
    let live = state.shared.refresh(&*store)?;
    let catalog = state.shared.catalog();
    let edition = if everything { Edition::Full } else { Edition::Public };
    let mut out = Vec::new();
    for versions in publications.chunk_by(|a, b| a.month == b.month) {
        let Some(newest) = versions.last() else { continue };
        let mut listed = Vec::new();
        for p in versions {
            let files: Vec<serde_json::Value> = store
                .published_files(p.month, p.version)?
                .into_iter()
                .filter(|f| f.name.split('/').nth(1) == Some(edition.code()))
                .map(|f| serde_json::json!({ "name": f.name, "sha256": f.sha256, "bytes": f.bytes }))
                .collect();
            listed.push(version_json(p, files));
        }
        let mut month = serde_json::json!({
            "month": newest.month.to_string(),
            "state": MonthState::of(versions.last()).code(),
            "versions": listed,
        });
        if everything {
            month["changes_since_publication"] =
                live.facts.written_after(catalog, newest.month, newest.last_batch, &Filter::default()).into();
        }
        out.push(month);
    }
    Ok(out)
}

fn version_json(p: &Publication, files: Vec<serde_json::Value>) -> serde_json::Value {
    let reopened = p.reopened.as_ref();
    serde_json::json!({
        "version": p.version,
        "signed_at": p.signed_at,
        "signed_by": p.signed_by,
        "note": p.note,
        "reopened_at": reopened.map(|r| &r.at),
        "reopened_by": reopened.map(|r| &r.by),
        "reopen_reason": reopened.map(|r| &r.reason),
        "files": files,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SignOffBody {
    note: Option<String>,
}

/// Signs the month off: its report, in every language and edition, becomes its next published
/// version, and its violations are locked.
pub async fn sign_off(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(month): Path<String>,
    body: Option<Json<SignOffBody>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let month = month_of(&month)?;
    let note = body.and_then(|b| b.0.note).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::bad_request("note: 1000 characters at most"));
    }
    let published = signed_off(&state, &caller, month, note).await?;
    Ok(Json(version_json(&published, Vec::new())))
}

/// Signs a month off for the API and the pages alike; a write that lands while the report is
/// made is taken in, and the report made again (twice at most).
pub(crate) async fn signed_off(
    state: &Arc<AppState>,
    caller: &Caller,
    month: Month,
    note: Option<String>,
) -> Result<Publication, ApiError> {
    let actor = caller.actor("?");
    state
        .blocking(move |state, store| {
            let mut tries = 0;
            loop {
                let live = state.shared.catch_up(&*store)?;
                let catalog = state.shared.catalog();
                match crate::publish::sign_off(store, catalog, &live, month, note.as_deref(), state.min_count, &actor) {
                    Ok(published) => {
                        state.shared.catch_up(&*store)?;
                        return Ok(published);
                    }
                    Err(crate::publish::PublishError::Store(vigie_store::StoreError::Busy(_))) if tries < 2 => {
                        tries += 1
                    }
                    Err(crate::publish::PublishError::Store(e)) => return Err(e.into()),
                    Err(e) => return Err(ApiError::internal(e)),
                }
            }
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    reason: String,
}

/// Reopens a signed-off month (admins): its violations may change again, its versions stay.
pub async fn reopen(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(month): Path<String>,
    Json(body): Json<ReopenBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let month = month_of(&month)?;
    let reopened = reopened(&state, &caller, month, body.reason).await?;
    Ok(Json(version_json(&reopened, Vec::new())))
}

pub(crate) async fn reopened(
    state: &Arc<AppState>,
    caller: &Caller,
    month: Month,
    reason: String,
) -> Result<Publication, ApiError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::bad_request("reason: say why the month is reopened (1000 characters at most)"));
    }
    let actor = caller.actor("?");
    state
        .blocking(move |state, store| {
            let reopened = store.reopen(month, &reason, &actor)?;
            state.shared.catch_up(&*store)?;
            Ok(reopened)
        })
        .await
}

#[derive(Deserialize)]
pub struct FileQuery {
    lang: Option<String>,
}

/// A file of a published version, byte for byte as stored: the full edition for whoever sees
/// every record, the public one for anyone else; the incident list for IM officers and admins,
/// the tables' workbook for signed-in users (as the live report's files).
pub async fn file(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((month, version, file)): Path<(String, u32, String)>,
    Query(query): Query<FileQuery>,
) -> Result<Response, ApiError> {
    let month = month_of(&month)?;
    let lang = match query.lang.as_deref() {
        None => vigie_report::Lang::default(),
        Some(code) => {
            vigie_report::Lang::parse(code).ok_or_else(|| ApiError::bad_request(format!("no language `{code}`")))?
        }
    };
    let names = vigie_report::report::file_names(lang, month);
    let role = caller.user.as_ref().map(|u| u.role);
    let (name, content_type) = match file.as_str() {
        "pdf" => (names.pdf, "application/pdf"),
        "html" => (names.html, "text/html; charset=utf-8"),
        "tables.csv" => (names.tables, "text/csv; charset=utf-8"),
        "tables.xlsx" if role.is_some() => (format!("tables-{month}.xlsx"), crate::api::XLSX),
        "incidents.xlsx" if role.is_some_and(vigie_core::Role::may_download_incident_list) => {
            (names.incidents, crate::api::XLSX)
        }
        "tables.xlsx" | "incidents.xlsx" => return Err(ApiError::forbidden()),
        _ => return Err(ApiError::not_found()),
    };
    let edition = if caller.sight() == Sight::Everything { Edition::Full } else { Edition::Public };
    let stored = published_name(lang, edition, &file);
    let actor = caller.actor("?");
    let (name, bytes) = state
        .blocking(move |state, store| {
            let bytes = store.published_file(month, version, &stored)?.ok_or_else(ApiError::not_found)?;
            let details = serde_json::json!({ "month": month.to_string(), "version": version });
            state.audit_read(&mut *store, actor, "download", "published_files", &stored, details)?;
            Ok((name, bytes))
        })
        .await?;
    let disposition = format!("attachment; filename=\"v{version}-{name}\"");
    let disposition = HeaderValue::from_str(&disposition).map_err(ApiError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
