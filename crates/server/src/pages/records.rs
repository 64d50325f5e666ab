//! The record pages, written once for violations, flash alerts and risk answers: a list (the
//! API's, with the dashboard's filters), a record's page (audited), and the entry and edit
//! form — validated by the import's rules, each broken rule said next to its field in the
//! reader's language.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use maud::{Markup, html};
use vigie_core::{Catalog, Decision, EventType, FieldError, ListKind, Rejection, Rule, Verification};
use vigie_i18n::{Args, Lang};
use vigie_report::Pick;
use vigie_store::{Outcome, RecordKind, Select};

use super::{Choice, FILTERS, encode, escape_query, filter_fields, layout, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

/// Where a kind's pages live.
pub(crate) fn path(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Violations => "/violations",
        RecordKind::Alerts => "/alerts",
        RecordKind::RiskAnswers => "/risk-answers",
    }
}

/// A kind's page routes: its list, its entry form, one record, its edit form.
pub(crate) fn paths(kind: RecordKind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        RecordKind::Violations => ("/violations", "/violations/new", "/violations/{id}", "/violations/{id}/edit"),
        RecordKind::Alerts => ("/alerts", "/alerts/new", "/alerts/{id}", "/alerts/{id}/edit"),
        RecordKind::RiskAnswers => {
            ("/risk-answers", "/risk-answers/new", "/risk-answers/{id}", "/risk-answers/{id}/edit")
        }
    }
}

/// The title of a kind's pages.
pub(crate) fn title(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Violations => "ui-violations",
        RecordKind::Alerts => "ui-alerts",
        RecordKind::RiskAnswers => "ui-risk-answers",
    }
}

/// The columns a kind's list shows, the record's id first.
fn list_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Violations => &[
            "violation_id",
            "incident_date",
            "admin3_pcode",
            "violation_code",
            "perpetrator_code",
            "victim_sex",
            "victim_age_group",
            "organization",
        ],
        RecordKind::Alerts => {
            &["alert_id", "alert_date", "admin3_pcode", "event_type", "affected_persons", "organization"]
        }
        RecordKind::RiskAnswers => &["answer_id", "month", "admin3_pcode", "organization"],
    }
}

/// The sort orders a list offers (the date column is the kind's), with their labels.
fn sorts(kind: RecordKind) -> [(String, &'static str); 4] {
    let date = crate::records::date_column(kind);
    [
        (format!("-{date}"), "ui-sort-newest"),
        (date.to_owned(), "ui-sort-oldest"),
        ("admin3_pcode".into(), "ui-sort-commune"),
        ("organization".into(), "ui-sort-organization"),
    ]
}

/// A column's label: its message, or a risk question's own text.
fn column_label(catalog: &Catalog, lang: Lang, column: &str) -> String {
    match question(catalog, column) {
        Some(q) => format!("{} — {}", q.code, lang.pick(&q.text)),
        None => lang.text(&format!("field-{column}")),
    }
}

/// The question a risk answer's column answers (from the newest version that asks it).
fn question<'c>(catalog: &'c Catalog, column: &str) -> Option<&'c vigie_core::risk::Question> {
    catalog.risk.versions().iter().rev().flat_map(|v| &v.definition.questions).find(|q| q.code == column)
}

/// A code of a record's column with its label, as a person reads it.
pub(crate) fn shown(catalog: &Catalog, lang: Lang, column: &str, code: &str) -> String {
    let g = &catalog.geography;
    let label = match column {
        "admin1_pcode" => g
            .regions
            .iter()
            .find(|r| r.code == code)
            .map(|r| lang.pick(&r.name).to_owned())
            .or_else(|| g.admin1.iter().find(|u| u.pcode == code).map(|u| u.name.clone())),
        "admin2_pcode" => g.cercles.iter().find(|c| c.unit.pcode == code).map(|c| c.unit.name.clone()),
        "admin3_pcode" => g.commune_by_pcode(code).map(|id| g.commune(id).unit.name.clone()),
        "violation_code" => {
            catalog.typology.subtypes.iter().find(|s| s.code == code).map(|s| lang.pick(&s.label).to_owned())
        }
        "event_type" => EventType::parse(code).map(|_| event_type(lang, code)),
        _ => match question(catalog, column) {
            Some(q) => q.options.iter().find(|o| o.code == code).map(|o| lang.pick(&o.label).to_owned()),
            None => ListKind::ALL.into_iter().find(|k| k.column() == column).and_then(|kind| {
                let list = catalog.lists.get(kind);
                list.find(code).map(|i| lang.pick(&list.codes[i as usize].label).to_owned())
            }),
        },
    };
    label.unwrap_or_else(|| code.to_owned())
}

fn event_type(lang: Lang, code: &str) -> String {
    let mut args = Args::new();
    args.set("type", code.to_owned());
    lang.format("event-type", &args)
}

/// The records of a kind the caller may see (a partner, its own organisation's), filtered
/// with the dashboard's filters, sorted, a page at a time; each list is audited.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, mut asked) = page_query(&query, &headers);
    // Where a decision on ticked rows comes back to: said once, not a filter.
    let verified = asked.iter().any(|(k, v)| k == "saved" && v == "verified");
    asked.retain(|(k, _)| k != "saved");
    let mut listing = asked.clone();
    if !listing.iter().any(|(k, _)| k == "limit") {
        listing.push(("limit".into(), "50".into()));
    }
    let base = path(kind);
    let other = other_languages(lang, base, &asked);
    let who = caller.clone();
    let body = state
        .blocking(move |state, store| {
            let listed = crate::records::listed(state, store, kind, &who, &listing)?;
            let catalog = state.shared.catalog();
            let organizations = state.shared.current().facts.organizations().to_vec();
            let chosen = |name: &str| asked.iter().filter(|(k, _)| k == name).map(|(_, c)| c.clone()).collect::<Vec<_>>();
            let sorts = sorts(kind);
            let sort = chosen("sort").first().cloned().unwrap_or_else(|| sorts[0].0.clone());
            let next = listed.next.as_ref().map(|cursor| {
                let mut pairs: Vec<(String, String)> = asked.iter().filter(|(k, _)| k != "cursor").cloned().collect();
                pairs.push(("cursor".into(), cursor.clone()));
                format!("{base}?{}", encode(&pairs))
            });
            let download: Vec<(String, String)> = asked.iter().filter(|(k, _)| k != "cursor" && k != "sort").cloned().collect();
            let mut count = Args::new();
            count.set("count", listed.total);
            let columns = list_columns(kind);
            let schema = vigie_store::schema(kind, catalog);
            let names: Vec<&str> = schema.names().collect();
            let filters: Vec<(&str, &str)> = match kind {
                RecordKind::Violations => FILTERS.to_vec(),
                _ => FILTERS.iter().copied().filter(|(n, _)| matches!(*n, "region" | "cercle" | "commune" | "organization")).collect(),
            };
            Ok(html! {
                h1 { (lang.text(title(kind))) }
                @if verified { p.notice role="status" { (lang.text("ui-saved-verified")) } }
                p.actions { a.button href={ (base) "/new" } { (lang.text("ui-new-record")) } }
                form.filters method="get" action=(base) aria-label=(lang.text("ui-filters")) {
                    @for (_, month) in asked.iter().filter(|(k, _)| k == "month") {
                        input type="hidden" name="month" value=(month);
                    }
                    (filter_fields(catalog, lang, &asked, &organizations, false, &filters))
                    label {
                        (lang.text("ui-sort"))
                        select name="sort" {
                            @for (value, message) in &sorts {
                                option value=(value) selected[sort == *value] { (lang.text(message)) }
                            }
                        }
                    }
                    button.primary type="submit" { (lang.text("ui-apply")) }
                    a href=(base) { (lang.text("ui-reset")) }
                }
                p #total data-value=(listed.total) { (lang.format("ui-count", &count)) }
                @if kind == RecordKind::Violations {
                    p.downloads {
                        (lang.text("ui-download-list")) " "
                        a href={ "/violations.csv?" (encode(&download)) } download { "CSV" }
                        " · "
                        a href={ "/violations.xlsx?" (encode(&download)) } download { "Excel (XLSX)" }
                    }
                }
                @let verifying = kind == RecordKind::Violations && who.may(vigie_store::Role::may_verify);
                @let back = format!("{base}?{}", encode(&asked));
                form #verify-selected method="post" action={ "/verification?csrf=" (who.csrf.as_deref().unwrap_or_default()) } {}
                @if verifying && !listed.records.is_empty() {
                    fieldset.verify {
                        legend { (lang.text("ui-verify-selected")) }
                        input type="hidden" name="back" value=(back) form="verify-selected";
                        (decision_fields(lang, None, Some("verify-selected")))
                        button.primary type="submit" form="verify-selected" { (lang.text("ui-verify")) }
                    }
                }
                div.table-scroll {
                    table {
                        thead { tr {
                            @if verifying { th scope="col" { span.visually-hidden { (lang.text("ui-select")) } } }
                            @for column in columns { th scope="col" { (column_label(catalog, lang, column)) } }
                            @if kind == RecordKind::Violations { th scope="col" { (lang.text("ui-verification")) } }
                        } }
                        tbody {
                            @for (record, verification) in listed.records.iter().zip(&listed.verification) {
                                @let fields = record.fields(catalog);
                                @let cell = |column: &str| names.iter().position(|n| *n == column).and_then(|i| fields.get(i)).cloned().unwrap_or_default();
                                tr {
                                    @if verifying {
                                        td { input type="checkbox" name="id" value=(record.id()) form="verify-selected"
                                            aria-label=(words(lang, "ui-select-record", &[("id", record.id().to_owned())])); }
                                    }
                                    td { a href={ (base) "/" (escape_query(record.id())) } { (record.id()) } }
                                    @for column in &columns[1..] {
                                        td { (shown(catalog, lang, column, &cell(column))) }
                                    }
                                    @if kind == RecordKind::Violations {
                                        td { @if let Some(v) = verification { (lang.text(&v.label_id())) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(next) = next {
                    p { a href=(next) rel="next" { (lang.text("ui-next-page")) } }
                }
            })
        })
        .await
        .map_err(ApiError::page)?;
    Ok(page(layout(lang, &lang.text(title(kind)), &caller, other, body), cookie))
}

/// One record, every field with its label and its long text, for a caller who may see it
/// (audited); another organisation's does not exist for a partner.
pub async fn view(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let base = path(kind);
    let address = format!("{base}/{}", escape_query(&id));
    let other = other_languages(lang, &address, &[]);
    let who = caller.clone();
    let heading = words(lang, "ui-record", &[("id", id.clone())]);
    let title = heading.clone();
    let saved = asked.iter().find(|(k, _)| k == "saved").map(|(_, v)| format!("ui-saved-{v}"));
    let body = state
        .blocking(move |state, store| {
            let record = crate::records::viewed(state, store, kind, &id, &who)?;
            let catalog = state.shared.catalog();
            let schema = vigie_store::schema(kind, catalog);
            let fields = record.fields(catalog);
            let (verification, duplicates, original) = match kind {
                RecordKind::Violations => (store.verification_of(&id)?, store.duplicates_of(&id)?, store.duplicate_of(&id)?),
                _ => (None, Vec::new(), None),
            };
            let late = match kind {
                RecordKind::Violations => store.written_after_publication(&id)?,
                _ => None,
            };
            let verifying = who.may(vigie_store::Role::may_verify);
            let csrf = who.csrf.clone().unwrap_or_default();
            Ok(html! {
                h1 { (heading) }
                @if let Some(saved) = saved.filter(|s| matches!(s.as_str(), "ui-saved-inserted" | "ui-saved-updated" | "ui-saved-unchanged" | "ui-saved-verified")) {
                    p.notice role="status" { (lang.text(&saved)) }
                }
                p.actions { a.button href={ (address) "/edit" } { (lang.text("ui-edit")) } }
                @if let Some((month, version)) = late {
                    p.notice #late-report {
                        (words(lang, "ui-late-report", &[("month", super::month_name(lang, month)), ("version", version.to_string())]))
                        " " a href={ "/reports?month=" (month) } { (lang.text("ui-publication")) }
                    }
                }
                dl.fields {
                    @for (name, value) in schema.names().zip(&fields) {
                        @if !is_long_text(name) && !value.is_empty() {
                            @let label = shown(catalog, lang, name, value);
                            dt { (column_label(catalog, lang, name)) }
                            dd { (label) @if label != *value { " (" (value) ")" } }
                        }
                    }
                }
                @for (name, value) in schema.names().zip(&fields) {
                    @if is_long_text(name) && !value.is_empty() {
                        h2 { (column_label(catalog, lang, name)) }
                        p.narrative { (value) }
                    }
                }
                @if let Some(decision) = verification {
                    section.verification aria-labelledby="verification-title" {
                        h2 #verification-title { (lang.text("ui-verification")) }
                        p #verification-status data-status=(decision.status.code()) {
                            (lang.text(&decision.status.label_id()))
                            @if let Some(reason) = decision.reason { " — " (lang.text(&reason.label_id())) }
                        }
                        @if verifying {
                            form method="post" action={ "/verification?csrf=" (csrf) } {
                                input type="hidden" name="id" value=(id);
                                input type="hidden" name="back" value=(address);
                                (decision_fields(lang, Some(decision), None))
                                button.primary type="submit" { (lang.text("ui-verify")) }
                            }
                        }
                    }
                }
                @if !duplicates.is_empty() {
                    section.duplicates aria-labelledby="duplicates-title" {
                        h2 #duplicates-title { (lang.text("ui-duplicates-of")) }
                        ul { @for b in &duplicates { li { a href={ (base) "/" (escape_query(b)) } { (b) } } } }
                    }
                }
                @if let Some(original) = &original {
                    p #duplicate-of {
                        (lang.text("ui-duplicate-of")) " " a href={ (base) "/" (escape_query(original)) } { (original) }
                    }
                    @if verifying {
                        form method="post" action={ "/duplicates?csrf=" (csrf) } {
                            input type="hidden" name="a" value=(original);
                            input type="hidden" name="b" value=(id);
                            button type="submit" name="decision" value="undo" { (lang.text("ui-duplicate-undo")) }
                        }
                    }
                }
                p { a href=(base) { (lang.text("ui-back-to-list")) } }
            })
        })
        .await
        .map_err(ApiError::page)?;
    Ok(page(layout(lang, &title, &caller, other, body), cookie))
}

/// A verification decision's fields: the status, and a rejection's reason (ignored otherwise);
/// `form` names the form they belong to when they stand outside it.
fn decision_fields(lang: Lang, current: Option<Decision>, form: Option<&str>) -> Markup {
    html! {
        label {
            (lang.text("ui-verification"))
            select name="status" form=[form] {
                @for v in Verification::ALL {
                    option value=(v.code()) selected[current.is_some_and(|d| d.status == v)] { (lang.text(&v.label_id())) }
                }
            }
        }
        label {
            (lang.text("ui-verification-reason"))
            select name="reason" form=[form] {
                option value="" { "—" }
                @for r in Rejection::ALL {
                    option value=(r.code()) selected[current.is_some_and(|d| d.reason == Some(r))] { (lang.text(&r.label_id())) }
                }
            }
        }
    }
}

/// Verification decisions sent from a violation's page or the list's ticked rows: one status
/// for every violation named, all or nothing (audited), then back where they were made.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let status = field("status").unwrap_or_default();
    // A reason chosen beside another status is no decision of the reader's: only a rejection has one.
    let reason = field("reason").filter(|r| !r.is_empty() && status == Verification::Rejected.code());
    let decision = Decision::parse(&status, reason.as_deref()).map_err(|e| ApiError::bad_request(e).page())?;
    let ids: Vec<(String, Decision)> =
        form.iter().filter(|(k, _)| k == "id").map(|(_, id)| (id.clone(), decision)).collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request("tick the violations to decide on").page());
    }
    // Back to a page of the records only: never to an address the form names elsewhere.
    let back = field("back").filter(|b| b.starts_with("/violations")).unwrap_or_else(|| "/violations".into());
    crate::api::verified(&state, &caller, ids).await.map_err(ApiError::page)?;
    let join = if back.contains('?') { '&' } else { '?' };
    Ok(axum::response::Redirect::to(&format!("{back}{join}saved=verified")).into_response())
}

fn is_long_text(column: &str) -> bool {
    matches!(column, "narrative" | "description")
}

/// The blank entry form: a fresh id, today's date, the partner's organisation.
pub async fn new(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let catalog = state.shared.catalog();
    let now = chrono::Utc::now();
    let id = format!("{}-{}", kind_prefix(kind), now.format("%Y%m%d-%H%M%S%3f"));
    let mut values = HashMap::new();
    let schema = vigie_store::schema(kind, catalog);
    let names: Vec<&str> = schema.names().collect();
    values.insert(names[0].to_owned(), id.clone());
    if kind == RecordKind::Violations {
        values.insert("incident_id".to_owned(), id);
    }
    let date = match kind {
        RecordKind::RiskAnswers => ("month", now.format("%Y-%m").to_string()),
        _ => (crate::records::date_column(kind), now.format("%Y-%m-%d").to_string()),
    };
    values.insert(date.0.to_owned(), date.1);
    if let Some(own) = crate::records::scope(&caller) {
        values.insert("organization".into(), own);
    }
    Ok(form_page(&state, kind, &caller, lang, None, &values, &[], StatusCode::OK, cookie))
}

fn kind_prefix(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Violations => "V",
        RecordKind::Alerts => "A",
        RecordKind::RiskAnswers => "R",
    }
}

/// The edit form of a record the caller may see, filled with its values.
pub async fn edit(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&[], &headers);
    let (who, asked) = (caller.clone(), id.clone());
    let values = state
        .blocking(move |state, store| {
            let record = crate::records::viewed(state, store, kind, &asked, &who)?;
            let catalog = state.shared.catalog();
            let schema = vigie_store::schema(kind, catalog);
            Ok(schema.names().map(str::to_owned).zip(record.fields(catalog)).collect::<HashMap<_, _>>())
        })
        .await
        .map_err(ApiError::page)?;
    Ok(form_page(&state, kind, &caller, lang, Some(&id), &values, &[], StatusCode::OK, cookie))
}

/// The entry form, sent: saved and shown, or the form again with each broken rule next to its
/// field (422).
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    save(state, kind, caller, headers, None, form).await
}

/// The edit form, sent.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Extension(kind): Extension<RecordKind>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    save(state, kind, caller, headers, Some(id), form).await
}

async fn save(
    state: Arc<AppState>,
    kind: RecordKind,
    caller: Caller,
    headers: HeaderMap,
    editing: Option<String>,
    form: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&[], &headers);
    let values: HashMap<String, String> = form.into_iter().collect();
    let (who, sent, id) = (caller.clone(), values.clone(), editing.clone());
    let result = state
        .blocking(move |state, store| {
            let catalog = state.shared.catalog();
            let schema = vigie_store::schema(kind, catalog);
            let names: Vec<&str> = schema.names().collect();
            let mut texts: Vec<Option<String>> = names.iter().map(|n| sent.get(*n).cloned()).collect();
            if let Some(id) = &id {
                // The edited record keeps its id, whatever the form says.
                texts[0] = Some(id.clone());
            } else if let Some(new_id) = texts[0].as_deref().map(str::trim).filter(|t| !t.is_empty())
                && let Some((_, existing)) = store.records(catalog, kind, Select::Id(new_id))?.pop()
            {
                if crate::records::scope(&who).is_some_and(|own| own != existing.organization()) {
                    // Another organisation's record does not exist for a partner, as in the API.
                    crate::records::denied(store, &who, kind, new_id, "write")?;
                    return Err(ApiError::not_found());
                }
                let taken = FieldError {
                    column: names[0].to_owned(),
                    value: new_id.to_owned(),
                    expected: "an identifier no stored record has".into(),
                    rule: Rule::Taken,
                };
                return Ok(Err(vec![taken]));
            }
            crate::records::written(state, store, kind, &who, id.as_deref(), &texts)
        })
        .await
        .map_err(ApiError::page)?;
    match result {
        Ok((outcome, record)) => {
            let word = match outcome {
                Outcome::Inserted => "inserted",
                Outcome::Updated => "updated",
                Outcome::Unchanged | Outcome::ConflictInFile => "unchanged",
            };
            let to = format!("{}/{}?saved={word}", path(kind), escape_query(record.id()));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
        }
        Err(errors) => Ok(form_page(
            &state,
            kind,
            &caller,
            lang,
            editing.as_deref(),
            &values,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
            cookie,
        )),
    }
}

/// The entry or edit form's page.
#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    kind: RecordKind,
    caller: &Caller,
    lang: Lang,
    editing: Option<&str>,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    status: StatusCode,
    cookie: Option<axum::http::HeaderValue>,
) -> Response {
    let catalog = state.shared.catalog();
    let base = path(kind);
    let (heading, address) = match editing {
        Some(id) => {
            (words(lang, "ui-edit-record", &[("id", id.to_owned())]), format!("{base}/{}/edit", escape_query(id)))
        }
        None => (lang.text(&format!("{}-new", title(kind))), format!("{base}/new")),
    };
    let action = format!("{address}?csrf={}", caller.csrf.as_deref().unwrap_or_default());
    let organizations = state.shared.current().facts.organizations().to_vec();
    let own = crate::records::scope(caller);
    let form = RecordForm { catalog, lang, kind, values, errors, editing: editing.is_some(), own, organizations };
    let body = html! {
        h1 { (heading) }
        @if !errors.is_empty() {
            div.error role="alert" #errors {
                p { (words(lang, "ui-form-errors", &[("count", errors.len().to_string())])) }
                ul { @for e in errors { li { a href={ "#" (e.column) } { (column_label(catalog, lang, &e.column)) } " — " (lang.text(e.rule.message_id())) } } }
            }
        }
        form.record method="post" action=(action) novalidate {
            (form.fields())
            div.actions {
                button.primary type="submit" { (lang.text("ui-save")) }
                a href=(base) { (lang.text("ui-cancel")) }
            }
        }
    };
    let other = other_languages(lang, &address, &[]);
    let mut response = page(layout(lang, &heading, caller, other, body), cookie);
    *response.status_mut() = status;
    response
}

struct RecordForm<'a> {
    catalog: &'a Catalog,
    lang: Lang,
    kind: RecordKind,
    values: &'a HashMap<String, String>,
    errors: &'a [FieldError],
    editing: bool,
    /// A partner's organisation: the only one its records may name.
    own: Option<String>,
    organizations: Vec<String>,
}

impl RecordForm<'_> {
    /// Every column of the kind's schema, each with its widget, its label (required ones
    /// marked) and its broken rules.
    fn fields(&self) -> Markup {
        let schema = vigie_store::schema(self.kind, self.catalog);
        html! {
            @for (i, column) in schema.columns.iter().enumerate() {
                @let name = column.name.as_str();
                @let errors: Vec<&FieldError> = self.errors.iter().filter(|e| e.column == name).collect();
                div.field.wide[is_long_text(name)] {
                    label for=(name) {
                        (column_label(self.catalog, self.lang, name))
                        @if column.required { " " abbr.required title=(self.lang.text("ui-required")) { "*" } }
                    }
                    @if name == "admin3_pcode" {
                        input #commune-search type="search" data-commune-search autocomplete="off"
                            placeholder=(self.lang.text("ui-commune-search")) aria-label=(self.lang.text("ui-commune-search"));
                    }
                    (self.widget(i == 0, name, !errors.is_empty()))
                    @for e in &errors {
                        p.field-error id={ "error-" (name) } {
                            (self.lang.text(e.rule.message_id()))
                            @if !e.value.is_empty() { " " (words(self.lang, "ui-found", &[("value", e.value.clone())])) }
                        }
                    }
                }
            }
        }
    }

    fn widget(&self, is_id: bool, name: &str, invalid: bool) -> Markup {
        let value = self.values.get(name).map(String::as_str).unwrap_or_default();
        let described = invalid.then(|| format!("error-{name}"));
        let c = self.catalog;
        let lang = self.lang;
        let select = |options: Vec<Choice>, place: &str| {
            html! {
                select #(name) name=(name) data-place=[(!place.is_empty()).then_some(place)] aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()] {
                    option value="" { "—" }
                    @for o in &options {
                        option value=(o.code) selected[o.code == value] data-region=[o.region.as_ref()] data-cercle=[o.cercle.as_ref()] { (o.label) }
                    }
                }
            }
        };
        let list = |kind: ListKind| {
            c.lists.get(kind).codes.iter().map(|o| Choice::new(&o.code, lang.pick(&o.label))).collect()
        };
        match name {
            _ if is_id && self.editing => html! { input #(name) name=(name) value=(value) readonly; },
            "organization" if self.own.is_some() => html! { input #(name) name=(name) value=(value) readonly; },
            "organization" => html! {
                input #(name) name=(name) value=(value) list="organizations" autocomplete="off"
                    aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()];
                datalist #organizations { @for o in &self.organizations { option value=(o) {} } }
            },
            "incident_date" | "report_date" | "alert_date" => html! {
                input #(name) type="date" name=(name) value=(value) aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()];
            },
            "month" => html! {
                input #(name) type="month" name=(name) value=(value) placeholder="2021-11" aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()];
            },
            "latitude" | "longitude" | "affected_households" | "affected_persons" => html! {
                input #(name) name=(name) value=(value) inputmode=(if name.starts_with("affected") { "numeric" } else { "decimal" })
                    aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()];
            },
            "narrative" | "description" => html! {
                textarea #(name) name=(name) rows="6" aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()] { (value) }
            },
            "admin1_pcode" => select(super::places(c, lang, "region"), "region"),
            "admin2_pcode" => select(super::places(c, lang, "cercle"), "cercle"),
            "admin3_pcode" => select(super::places(c, lang, "commune"), "commune"),
            "violation_code" => html! {
                select #(name) name=(name) aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()] {
                    option value="" { "—" }
                    @for (i, category) in c.typology.categories.iter().enumerate() {
                        optgroup label={ (category.code) " — " (lang.pick(&category.label)) } {
                            @for s in c.typology.subtypes.iter().filter(|s| usize::from(s.category) == i) {
                                option value=(s.code) selected[s.code == value] { (s.code) " — " (lang.pick(&s.label)) }
                            }
                        }
                    }
                }
            },
            "event_type" => {
                select(EventType::ALL.iter().map(|t| Choice::new(t.code(), &event_type(lang, t.code()))).collect(), "")
            }
            _ => {
                if let Some(kind) = ListKind::ALL.into_iter().find(|k| k.column() == name) {
                    select(list(kind), "")
                } else if let Some(q) = question(c, name) {
                    select(q.options.iter().map(|o| Choice::new(&o.code, lang.pick(&o.label))).collect(), "")
                } else {
                    html! { input #(name) name=(name) value=(value) aria-invalid=[invalid.then_some("true")] aria-describedby=[described.clone()]; }
                }
            }
        }
    }
}

/// The violations of the list's filters as `violations.csv` (the exchange format, so it can be
/// imported again), streamed as it is read: no row cap, little memory, whatever its size. The
/// rows are chosen (and the download audited) before the first byte, so a bad filter is a
/// clear error; a failure while streaming breaks the download rather than shortening it.
pub async fn download_csv(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    download(state, caller, query, Download::Csv).await
}

/// The same as an Excel workbook: written in constant memory to a temporary file, then sent;
/// past a sheet's 1 048 575 rows, the rows go on in a next sheet.
pub async fn download_xlsx(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    download(state, caller, query, Download::Xlsx).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Download {
    Csv,
    Xlsx,
}

async fn download(
    state: Arc<AppState>,
    caller: Caller,
    query: Vec<(String, String)>,
    format: Download,
) -> Result<Response, ApiError> {
    // `hxl=1`: HXL's hashtag row under the CSV's header (no filter).
    let hxl = query.iter().any(|(k, v)| k == "hxl" && matches!(v.as_str(), "1" | "true"));
    let query: Vec<(String, String)> =
        query.into_iter().filter(|(k, v)| k != "lang" && k != "hxl" && !v.is_empty()).collect();
    let name = if format == Download::Csv { "csv" } else { "xlsx" };
    let keys = state
        .blocking(move |state, store| crate::records::downloaded(state, store, &caller, &query, name))
        .await
        .map_err(ApiError::page)?;
    let last = keys.iter().max().copied().unwrap_or(0);
    let mut chosen = vec![0u64; last as usize / 64 + 1];
    for k in keys {
        chosen[k as usize / 64] |= 1 << (k % 64);
    }
    let chosen: Arc<[u64]> = chosen.into();
    let keep = move |k: u32| chosen.get(k as usize / 64).is_some_and(|w| w & (1 << (k % 64)) != 0);
    let stream = match format {
        Download::Csv => csv_stream(&state, keep, last, hxl),
        Download::Xlsx => {
            let (sender, receiver) = tokio::sync::mpsc::channel(4);
            work(&state, sender, move |state, store, sender| {
                let send = |chunk: Vec<u8>| sender.blocking_send(Ok(chunk)).is_ok();
                stream_xlsx(store, state.shared.catalog(), &keep, send)
            });
            chunks(vec![receiver], usize::MAX).boxed()
        }
    };
    let (content_type, disposition) = match format {
        Download::Csv => ("text/csv; charset=utf-8", "attachment; filename=\"violations.csv\""),
        Download::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment; filename=\"violations.xlsx\"",
        ),
    };
    let headers = [(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, axum::body::Body::from_stream(stream)).into_response())
}

/// A part of a download, or the failure that breaks it.
type Chunk = Result<Vec<u8>, std::io::Error>;

/// Runs `job` on a blocking thread with a store of its own; its failure reaches the client as
/// a broken download, in the place of the part it could not send.
fn work(
    state: &Arc<AppState>,
    sender: tokio::sync::mpsc::Sender<Chunk>,
    job: impl FnOnce(&AppState, &mut dyn vigie_store::Store, &tokio::sync::mpsc::Sender<Chunk>) -> Result<(), ApiError>
    + Send
    + 'static,
) {
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let failed = sender.clone();
        if let Err(e) = state.blocking(move |state, store| job(state, store, &sender)).await {
            let _ = failed.send(Err(std::io::Error::other(e.message))).await;
        }
    });
}

/// The parts the workers send, in order: part `k` from worker `k % workers`, up to `parts`.
fn chunks(
    receivers: Vec<tokio::sync::mpsc::Receiver<Chunk>>,
    parts: usize,
) -> impl futures_util::Stream<Item = Chunk> + Send {
    futures_util::stream::unfold((receivers, 0), move |(mut receivers, k)| async move {
        if k >= parts {
            return None;
        }
        let n = receivers.len();
        let chunk = receivers[k % n].recv().await?;
        Some((chunk, (receivers, k + 1)))
    })
}

/// Storage keys per part of a CSV download.
const BLOCK: u32 = 16_384;

/// The chosen violations as CSV, read by two workers at once (a core each: reading SQLite
/// rows is the download's work), each taking every other block of storage keys and writing
/// it as one part; the parts are sent in order. Each worker holds at most two parts ahead.
fn csv_stream(
    state: &Arc<AppState>,
    keep: impl Fn(u32) -> bool + Clone + Send + 'static,
    last: u32,
    hxl: bool,
) -> futures_util::stream::BoxStream<'static, Chunk> {
    let catalog = state.shared.catalog();
    let schema = vigie_store::schema(RecordKind::Violations, catalog);
    let mut header = Vec::new();
    write_csv_row(&mut header, &schema.names().map(str::as_bytes).collect::<Vec<_>>());
    if hxl {
        let tags: Vec<String> = schema.names().map(vigie_report::hxl::violation_tag).collect();
        write_csv_row(&mut header, &tags.iter().map(|t| t.as_bytes()).collect::<Vec<_>>());
    }
    let blocks = (last / BLOCK + 1) as usize;
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get).clamp(1, 2);
    let mut receivers = Vec::new();
    for w in 0..workers {
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        receivers.push(receiver);
        let keep = keep.clone();
        work(state, sender, move |state, store, sender| {
            let catalog = state.shared.catalog();
            for block in (w..blocks).step_by(workers) {
                let start = block as u32 * BLOCK;
                let mut part = Vec::with_capacity(1 << 20);
                store.export(
                    catalog,
                    RecordKind::Violations,
                    start..start.saturating_add(BLOCK),
                    &keep,
                    &mut |cells| {
                        write_csv_row(&mut part, cells);
                        true
                    },
                )?;
                if sender.blocking_send(Ok(part)).is_err() {
                    break;
                }
            }
            Ok(())
        });
    }
    futures_util::stream::once(async move { Ok(header) }).chain(chunks(receivers, blocks)).boxed()
}

/// The rows an Excel sheet holds below its header.
const SHEET_ROWS: u32 = 1_048_575;

/// The chosen violations as a workbook (text cells, as in the exchange format), written in
/// constant memory, then sent a chunk at a time.
fn stream_xlsx(
    store: &mut dyn vigie_store::Store,
    catalog: &Catalog,
    keep: &dyn Fn(u32) -> bool,
    send: impl Fn(Vec<u8>) -> bool,
) -> Result<(), ApiError> {
    use rust_xlsxwriter::Workbook;
    let schema = vigie_store::schema(RecordKind::Violations, catalog);
    let names: Vec<&str> = schema.names().collect();
    let mut workbook = Workbook::new();
    let mut failure = None;
    // A new sheet, with the header: the first, then one per 1 048 575 rows.
    let add_sheet = |workbook: &mut Workbook, number: usize| -> Result<(), rust_xlsxwriter::XlsxError> {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(if number == 1 { "violations".to_owned() } else { format!("violations ({number})") })?;
        sheet.write_row(0, 0, names.iter().copied())?;
        Ok(())
    };
    add_sheet(&mut workbook, 1).map_err(ApiError::internal)?;
    let (mut row, mut sheets) = (0u32, 1usize);
    store.export(catalog, RecordKind::Violations, 0..u32::MAX, keep, &mut |cells| {
        let written = (|| {
            if row == SHEET_ROWS {
                sheets += 1;
                add_sheet(&mut workbook, sheets)?;
                row = 0;
            }
            row += 1;
            let texts = cells.iter().map(|c| String::from_utf8_lossy(c));
            workbook.worksheet_from_index(sheets - 1)?.write_row(row, 0, texts)?;
            Ok::<_, rust_xlsxwriter::XlsxError>(())
        })();
        written.map_err(|e| failure = Some(e)).is_ok()
    })?;
    if let Some(e) = failure {
        return Err(ApiError::internal(e));
    }
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("violations.xlsx");
    workbook.save(&path).map_err(ApiError::internal)?;
    let mut file = std::fs::File::open(&path).map_err(ApiError::internal)?;
    loop {
        let mut chunk = vec![0; CHUNK];
        let n = std::io::Read::read(&mut file, &mut chunk).map_err(ApiError::internal)?;
        if n == 0 {
            return Ok(());
        }
        chunk.truncate(n);
        if !send(chunk) {
            return Ok(());
        }
    }
}

/// How much of a workbook is sent at a time.
const CHUNK: usize = 64 * 1024;

/// One CSV row (RFC 4180: a cell with a separator, a quote or a line break is quoted; a
/// formula-like cell is guarded with a `'`, `vigie_core::spreadsheet`).
fn write_csv_row(out: &mut Vec<u8>, cells: &[&[u8]]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let cell = &&*vigie_core::spreadsheet::guard(cell);
        if cell.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            out.push(b'"');
            for &b in *cell {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(cell);
        }
    }
    out.push(b'\n');
}
