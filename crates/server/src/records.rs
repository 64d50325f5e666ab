//! The record routes — `violations`, `alerts`, `risk-answers` — written once for the three
//! kinds: a list (filtered, sorted, paged by cursor or offset, scoped by role), a record's read,
//! create, correction and deletion, each with the import's validation, messages and audit.
//!
//! A partner sees and writes only its own organisation's records: another organisation's
//! record does not exist for it (404), and every refused attempt is audited.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use vigie_core::aggregate::{Cursor, Filter, PageRequest, SortBy, page_of};
use vigie_core::{Catalog, FieldError, ListKind, Month};
use vigie_store::{Outcome, Record, RecordKind, Select, Store};

use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

/// The most records one page holds.
pub const MAX_PAGE: usize = 1000;

/// Where a kind's routes live: its list, and one record by id.
pub(crate) fn paths(kind: RecordKind) -> (&'static str, &'static str) {
    match kind {
        RecordKind::Violations => ("/api/v1/violations", "/api/v1/violations/{id}"),
        RecordKind::Alerts => ("/api/v1/alerts", "/api/v1/alerts/{id}"),
        RecordKind::RiskAnswers => ("/api/v1/risk-answers", "/api/v1/risk-answers/{id}"),
    }
}

/// The column a kind's records are dated by: the name its lists sort by date with.
pub(crate) fn date_column(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Violations => "incident_date",
        RecordKind::Alerts => "alert_date",
        RecordKind::RiskAnswers => "month",
    }
}

/// The sort keys a kind's list accepts (`-` before one sorts descending).
pub(crate) fn sort_names(kind: RecordKind) -> Vec<&'static str> {
    SortBy::NAMES
        .iter()
        .filter(|(_, sort)| kind == RecordKind::Violations || *sort != SortBy::Subtype)
        .map(|(name, sort)| if *sort == SortBy::IncidentDate { date_column(kind) } else { name })
        .collect()
}

fn sort_by(kind: RecordKind, name: &str) -> Option<SortBy> {
    if name == date_column(kind) {
        return Some(SortBy::IncidentDate);
    }
    match SortBy::parse(name)? {
        SortBy::IncidentDate => None,
        SortBy::Subtype if kind != RecordKind::Violations => None,
        sort => Some(sort),
    }
}

/// A record as the API shows it: its exchange format's columns and their text (absent: null).
pub(crate) fn record_json(record: &Record, catalog: &Catalog) -> serde_json::Value {
    let schema = vigie_store::schema(record.kind(), catalog);
    let object: serde_json::Map<String, serde_json::Value> = schema
        .names()
        .zip(record.fields(catalog))
        .map(|(name, value)| {
            (name.to_owned(), if value.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(value) })
        })
        .collect();
    serde_json::Value::Object(object)
}

/// The organisation whose records a caller may see and write (`None`: every one).
pub(crate) fn scope(caller: &Caller) -> Option<String> {
    match caller.sight() {
        vigie_core::aggregate::Sight::Organization(own) => Some(own),
        _ => None,
    }
}

/// Records the refusal of what `caller` wanted with another organisation's or a missing record.
pub(crate) fn denied(
    store: &mut dyn Store,
    caller: &Caller,
    kind: RecordKind,
    id: &str,
    wanted: &str,
) -> Result<(), ApiError> {
    store.record(&caller.actor("?"), "denied", kind.table(), id, serde_json::json!({ "wanted": wanted }))?;
    Ok(())
}

/// The list's paging, sorting and filters, from the query string.
struct ListQuery {
    page: PageRequest,
    filter: Filter,
}

fn list_query(kind: RecordKind, catalog: &Catalog, query: &[(String, String)]) -> Result<ListQuery, ApiError> {
    let mut page = PageRequest { sort: SortBy::IncidentDate, descending: true, after: None, offset: 0, limit: 100 };
    let mut filters = Vec::new();
    let mut month = None;
    for (name, value) in query {
        match name.as_str() {
            "limit" => {
                page.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| ApiError::bad_request(format!("limit must be a number from 1 to {MAX_PAGE}")))?;
            }
            "offset" => {
                page.offset = value.parse().map_err(|_| ApiError::bad_request("offset must be a number"))?;
            }
            "cursor" => {
                page.after = Some(
                    Cursor::parse(value)
                        .ok_or_else(|| ApiError::bad_request("give the cursor as the previous page's `next`"))?,
                );
            }
            "sort" => {
                let (descending, name) = value.strip_prefix('-').map_or((false, value.as_str()), |n| (true, n));
                page.sort = sort_by(kind, name).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "cannot sort by `{name}`: sort by one of {} (`-` first for descending)",
                        sort_names(kind).join(", ")
                    ))
                })?;
                page.descending = descending;
            }
            // The dashboard's month: its violations are those of its days.
            "month" => {
                month = Some(Month::parse(value).ok_or_else(|| ApiError::bad_request("month: YYYY-MM"))?);
            }
            _ => filters.push((name.as_str(), value.as_str())),
        }
    }
    let mut filter = Filter::from_codes(catalog, filters).map_err(ApiError::bad_request)?;
    if let Some(month) = month {
        filter.from = Some(filter.from.map_or(month.first_day(), |from| from.max(month.first_day())));
        filter.to = Some(filter.to.map_or(month.last_day(), |to| to.min(month.last_day())));
    }
    if kind != RecordKind::Violations
        && (!filter.categories.is_empty()
            || !filter.subtypes.is_empty()
            || ListKind::ALL.iter().any(|k| !filter.codes[*k].is_empty()))
    {
        return Err(ApiError::bad_request(format!(
            "{} are filtered by place (region, cercle, commune), organization, from and to only",
            kind.table()
        )));
    }
    Ok(ListQuery { page, filter })
}

/// The records the caller may see, filtered as the tables are (the CLI's filter names), sorted
/// (`sort=-incident_date` by default) and paged (`limit` ≤ 1 000, then `cursor` — the previous
/// page's `next` — or `offset`). Violations are chosen by the aggregation layer, so a list's
/// `total` is the count the tables give for the same filter.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .blocking(move |state, store| {
            let listed = listed(state, store, kind, &caller, &query)?;
            let catalog = state.shared.catalog();
            let rows: Vec<serde_json::Value> = listed.records.iter().map(|r| record_json(r, catalog)).collect();
            Ok(Json(serde_json::json!({
                "total": listed.total, "limit": listed.page.limit, "offset": listed.page.offset,
                "next": listed.next, kind.table(): rows,
            })))
        })
        .await
}

/// A page of a list, as the API and the pages show it.
pub(crate) struct Listed {
    pub page: PageRequest,
    pub total: u64,
    /// The next page's cursor.
    pub next: Option<String>,
    pub records: Vec<Record>,
    /// Each violation's verification status (none for other kinds).
    pub verification: Vec<Option<vigie_core::Verification>>,
}

/// The page of records of `kind` the caller may see for `query` (paging, sorting and the
/// tables' filters); audited as a list.
pub(crate) fn listed(
    state: &AppState,
    store: &mut dyn Store,
    kind: RecordKind,
    caller: &Caller,
    query: &[(String, String)],
) -> Result<Listed, ApiError> {
    let catalog = state.shared.catalog();
    let ListQuery { page, mut filter } = list_query(kind, catalog, query)?;
    let own = scope(caller);
    let visible = scoped(own.as_deref(), &mut filter);
    let (selection, mut records) = match kind {
        RecordKind::Violations => {
            let live = state.shared.refresh(&*store)?;
            let selection = state.shared.ordered(&live, &filter, page.sort, page.descending).page(&page);
            let records = store.records(catalog, kind, Select::Keys(&selection.keys))?;
            (selection, records)
        }
        _ => {
            let all = store.records(catalog, kind, Select::Organization(own.as_deref()))?;
            let rows = chosen(catalog, all, &filter, page.sort);
            let selection = page_of(rows.iter().map(|(value, key, _)| (*value, *key)).collect(), &page);
            let mut by_key: HashMap<u32, Record> = rows.into_iter().map(|(_, key, r)| (key, r)).collect();
            let records = selection.keys.iter().filter_map(|k| by_key.remove(k).map(|r| (*k, r))).collect();
            (selection, records)
        }
    };
    if !visible {
        records.clear();
    }
    let details = serde_json::json!({ "rows": records.len(), "query": query });
    state.audit_read(store, caller.actor("?"), "list", kind.table(), own.as_deref().unwrap_or("*"), details)?;
    let facts = &state.shared.current().facts;
    let verification = records
        .iter()
        .map(|(key, _)| if kind == RecordKind::Violations { facts.verification_of(*key) } else { None })
        .collect();
    Ok(Listed {
        verification,
        page,
        total: if visible { selection.total } else { 0 },
        next: selection.next.filter(|_| visible).map(|c| c.to_string()),
        records: records.into_iter().map(|(_, r)| r).collect(),
    })
}

/// Narrows `filter` to a partner's own organisation, whatever it asks: whether it asked for
/// anything the partner may see.
fn scoped(own: Option<&str>, filter: &mut Filter) -> bool {
    let Some(own) = own else { return true };
    let visible = filter.organizations.is_empty() || filter.organizations.iter().any(|o| o == own);
    filter.organizations = vec![own.to_owned()];
    visible
}

/// The storage keys of every violation the caller may see for the tables' filters of `query`
/// (paging and sorting refused: a download is the whole selection); audited as a download.
pub(crate) fn downloaded(
    state: &AppState,
    store: &mut dyn Store,
    caller: &Caller,
    query: &[(String, String)],
    format: &str,
) -> Result<Vec<u32>, ApiError> {
    let catalog = state.shared.catalog();
    let filters: Vec<(String, String)> =
        query.iter().filter(|(k, _)| !matches!(k.as_str(), "sort" | "limit" | "offset" | "cursor")).cloned().collect();
    let ListQuery { mut filter, .. } = list_query(RecordKind::Violations, catalog, &filters)?;
    let own = scope(caller);
    let keys = if scoped(own.as_deref(), &mut filter) {
        state.shared.refresh(&*store)?.facts.keys(catalog, &filter)
    } else {
        Vec::new()
    };
    let details = serde_json::json!({ "rows": keys.len(), "query": filters, "format": format });
    state.audit_read(store, caller.actor("?"), "download", "violations", own.as_deref().unwrap_or("*"), details)?;
    Ok(keys)
}

/// The alerts or risk answers `filter` selects (by place, organisation and dates), each with
/// its sort value and storage key.
fn chosen(catalog: &Catalog, all: Vec<(u32, Record)>, filter: &Filter, sort: SortBy) -> Vec<(i64, u32, Record)> {
    let places = filter.place_and_organization(catalog);
    let mut organizations: Vec<&str> = all.iter().map(|(_, r)| r.organization()).collect();
    organizations.sort_unstable();
    organizations.dedup();
    let rank: HashMap<String, i64> =
        organizations.iter().enumerate().map(|(i, o)| ((*o).to_owned(), i as i64)).collect();
    all.into_iter()
        .filter(|(_, r)| {
            let (first, last) = r.dates();
            places(r.commune(), r.organization())
                && filter.from.is_none_or(|from| last >= from)
                && filter.to.is_none_or(|to| first <= to)
        })
        .map(|(key, r)| {
            let value = match sort {
                SortBy::IncidentDate => i64::from(chrono::Datelike::num_days_from_ce(&r.dates().0)),
                SortBy::Commune => i64::from(r.commune().0),
                SortBy::Organization => rank.get(r.organization()).copied().unwrap_or(0),
                SortBy::Subtype | SortBy::Stored => 0,
            };
            (value, key, r)
        })
        .collect()
}

/// The one record `id` names, if the caller may see it.
fn visible_record(
    store: &dyn Store,
    catalog: &Catalog,
    kind: RecordKind,
    id: &str,
    caller: &Caller,
) -> Result<Option<Record>, ApiError> {
    let own = scope(caller);
    let found = store.records(catalog, kind, Select::Id(id))?.pop().map(|(_, r)| r);
    Ok(found.filter(|r| own.as_deref().is_none_or(|o| o == r.organization())))
}

/// One record, details and narrative included, for a caller who may see it; every view is
/// audited.
pub async fn get(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .blocking(move |state, store| {
            let record = viewed(state, store, kind, &id, &caller)?;
            Ok(Json(record_json(&record, state.shared.catalog())))
        })
        .await
}

/// The record `id` names, for a caller who may see it, its view audited; another
/// organisation's record, or none, is a 404 and an audited refusal.
pub(crate) fn viewed(
    state: &AppState,
    store: &mut dyn Store,
    kind: RecordKind,
    id: &str,
    caller: &Caller,
) -> Result<Record, ApiError> {
    match visible_record(&*store, state.shared.catalog(), kind, id, caller)? {
        Some(record) => {
            state.audit_read(&mut *store, caller.actor("?"), "view", kind.table(), id, serde_json::json!({}))?;
            Ok(record)
        }
        None => {
            denied(store, caller, kind, id, "view")?;
            Err(ApiError::not_found())
        }
    }
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    write(state, kind, caller, None, body).await
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    write(state, kind, caller, Some(id), body).await
}

/// Creates (`POST`) or corrects (`PUT`) a record with the import's validation and messages.
async fn write(
    state: Arc<AppState>,
    kind: RecordKind,
    caller: Caller,
    path_id: Option<String>,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<Response, ApiError> {
    state
        .blocking(move |state, store| {
            let catalog = state.shared.catalog();
            let mut texts: Vec<Option<String>> = vigie_store::schema(kind, catalog)
                .names()
                .map(|name| match body.get(name) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            // A correction's id is its address's; the body may repeat it.
            if let (Some(id), Some(first)) = (&path_id, texts.first_mut())
                && first.as_deref().is_none_or(|t| t.trim().is_empty())
            {
                *first = Some(id.clone());
            }
            let (outcome, record) = match written(state, store, kind, &caller, path_id.as_deref(), &texts)? {
                Ok(written) => written,
                Err(errors) => {
                    let mut error = ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid",
                        "the record breaks the rules of DATA-FORMATS.md",
                    );
                    error.details = errors
                        .iter()
                        .map(|e| format!("column `{}`: found `{}`, expected {}", e.column, e.value, e.expected))
                        .collect();
                    return Err(error);
                }
            };
            let (status, word) = match outcome {
                Outcome::Inserted => (StatusCode::CREATED, "inserted"),
                Outcome::Updated => (StatusCode::OK, "updated"),
                Outcome::Unchanged | Outcome::ConflictInFile => (StatusCode::OK, "unchanged"),
            };
            let body = serde_json::json!({ "outcome": word, "record": record_json(&record, catalog) });
            Ok((status, Json(body)).into_response())
        })
        .await
}

/// Writes a record given as its columns' texts (aligned with its kind's schema; blank is
/// absent), with the import's validation: the broken rules, or what the write did. `path_id`
/// is the record corrected; with `None`, the row is written as an import row is. A partner
/// writes only its own organisation's records, and cannot touch another's by reusing its id.
pub(crate) fn written(
    state: &AppState,
    store: &mut dyn Store,
    kind: RecordKind,
    caller: &Caller,
    path_id: Option<&str>,
    texts: &[Option<String>],
) -> Result<Result<(Outcome, Record), Vec<FieldError>>, ApiError> {
    let catalog = state.shared.catalog();
    let values: Vec<Option<&str>> =
        texts.iter().map(|t| t.as_deref().map(str::trim).filter(|t| !t.is_empty())).collect();
    let today = chrono::Utc::now().date_naive();
    let record = match Record::parse(kind, &values, catalog, today) {
        Ok(record) => record,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(id) = path_id
        && id != record.id()
    {
        return Err(ApiError::bad_request(format!("the record's id must be {id}, the one of its address")));
    }
    let existing = store.records(catalog, kind, Select::Id(record.id()))?.pop().map(|(_, r)| r);
    if let Some(own) = scope(caller) {
        if existing.as_ref().is_some_and(|e| e.organization() != own) {
            // Another organisation's record: it does not exist for this partner.
            denied(store, caller, kind, record.id(), "write")?;
            return Err(ApiError::not_found());
        }
        if record.organization() != own {
            denied(store, caller, kind, record.id(), "write")?;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "other_organization",
                format!("a partner writes records of {own} only"),
            ));
        }
    }
    if path_id.is_some() && existing.is_none() {
        return Err(ApiError::not_found());
    }
    // The owner is checked again in the write's own transaction: a change in between (another
    // organisation's record by now) is refused, never overwritten.
    let outcome = match vigie_store::put_record(store, catalog, &record, scope(caller).as_deref(), &caller.actor("?")) {
        Err(vigie_store::StoreError::Forbidden(_)) => {
            denied(store, caller, kind, record.id(), "write")?;
            return Err(ApiError::not_found());
        }
        outcome => outcome?,
    };
    // The writer's next answer counts its write.
    state.shared.catch_up(&*store)?;
    Ok(Ok((outcome, record)))
}

/// Deletes a record the caller may write (its old values and the caller stay in the audit log).
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .blocking(move |state, store| {
            // The owner is checked in the deletion's own transaction.
            if store.delete_owned(kind, &id, scope(&caller).as_deref(), &caller.actor("?"))? {
                state.shared.catch_up(&*store)?;
                return Ok(StatusCode::NO_CONTENT);
            }
            denied(store, &caller, kind, &id, "delete")?;
            Err(ApiError::not_found())
        })
        .await
}
