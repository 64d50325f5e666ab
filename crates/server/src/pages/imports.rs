//! The import page: upload a CSV file of violations, flash alerts or risk answers; see what the
//! import did, or every broken rule (line, column, value, what was expected) in the reader's
//! language, then upload the fixed file again; and the history of import batches.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use vigie_i18n::{Args, Lang};
use vigie_store::{Counts, RecordKind};

use super::{layout, other_languages, page, page_query, words};
use crate::AppState;
use crate::api::Imported;
use crate::caller::Caller;
use crate::error::ApiError;

/// The most broken rules one upload lists.
const MAX_ERRORS: usize = 1000;

/// The kinds a file may hold, with the import route's names for them.
const KINDS: [(&str, RecordKind); 3] =
    [("violations", RecordKind::Violations), ("alerts", RecordKind::Alerts), ("risk", RecordKind::RiskAnswers)];

/// The upload of KoBoToolbox or ODK exports (violations, through a mapping).
const KOBO: &str = "kobo";

pub async fn imports(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let history = history(&state, &caller, lang).await?;
    let body = html! { h1 { (lang.text("ui-imports")) } (upload_form(&caller, lang, "violations")) (history) };
    let other = other_languages(lang, "/imports", &[]);
    Ok(page(layout(lang, &lang.text("ui-imports"), &caller, other, body), cookie))
}

/// An upload: the file imported all or nothing, then what it did, or every broken rule.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&[], &headers);
    let _taking_in = state.upload_slot().map_err(ApiError::page)?;
    let mut upload = crate::uploads::Upload::new()?;
    let received = match upload.form(form).await {
        Ok(fields) => Ok(fields),
        Err(refused) => Err(state.refused_upload(&caller, refused).await),
    };
    let fields = match received {
        Ok(fields) => fields,
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large(&state, &caller, lang, cookie, &e).await;
        }
        Err(e) => return Err(e.page()),
    };
    let field = |name: &str| fields.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone());
    let kind = field("kind").unwrap_or_else(|| "violations".to_owned());
    let mapping = field("mapping");
    let record_kind = KINDS.iter().find(|(name, _)| *name == kind).map(|(_, k)| *k);
    if upload.files.is_empty() || (record_kind.is_none() && kind != KOBO) {
        return Err(ApiError::bad_request("send a kind and a file").page());
    }
    let who = caller.clone();
    let shown_name = upload.files.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ");
    let outcome = state
        .blocking(move |state, store| match record_kind {
            // KoBoToolbox or ODK exports: one or several files (a CSV export's repeat files).
            None => crate::api::imported_kobo(state, store, &who, &upload, mapping.as_deref(), MAX_ERRORS),
            Some(record_kind) => crate::api::imported(state, store, record_kind, &who, &upload, false, MAX_ERRORS),
        })
        .await;
    let (status, result) = match outcome {
        Ok(Imported::Done(report)) => (StatusCode::OK, done(lang, &shown_name, &report)),
        Ok(Imported::Invalid { errors, more }) => (StatusCode::UNPROCESSABLE_ENTITY, invalid(lang, &errors, more)),
        // An unreadable file, or a partner's rows of another organisation: said in the page.
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::FORBIDDEN => {
            (e.status, html! { div.error role="alert" { p { (lang.text("ui-import-failed")) } p { (e.message) } } })
        }
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => (e.status, too_large_notice(lang, &e)),
        Err(e) => return Err(e.page()),
    };
    let history = history(&state, &caller, lang).await?;
    let body = html! { h1 { (lang.text("ui-imports")) } (result) (upload_form(&caller, lang, &kind)) (history) };
    let other = other_languages(lang, "/imports", &[]);
    let mut response = page(layout(lang, &lang.text("ui-imports"), &caller, other, body), cookie);
    *response.status_mut() = status;
    Ok(response)
}

/// A file refused for its size (or a zip bomb), said in the reader's language.
fn too_large_notice(lang: Lang, refused: &ApiError) -> Markup {
    html! { div.error role="alert" { p { (lang.text("ui-import-too-large")) } p { (refused.message) } } }
}

/// The imports page with a refused upload's notice, answered 413.
async fn too_large(
    state: &Arc<AppState>,
    caller: &Caller,
    lang: Lang,
    cookie: Option<HeaderValue>,
    refused: &ApiError,
) -> Result<Response, ApiError> {
    let history = history(state, caller, lang).await?;
    let body = html! { h1 { (lang.text("ui-imports")) } (too_large_notice(lang, refused)) (upload_form(caller, lang, "violations")) (history) };
    let other = other_languages(lang, "/imports", &[]);
    let mut response = page(layout(lang, &lang.text("ui-imports"), caller, other, body), cookie);
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    Ok(response)
}

fn upload_form(caller: &Caller, lang: Lang, kind: &str) -> Markup {
    let action = format!("/imports?csrf={}", caller.csrf.as_deref().unwrap_or_default());
    html! {
        form.upload method="post" action=(action) enctype="multipart/form-data" data-upload {
            label {
                (lang.text("ui-import-kind"))
                select name="kind" {
                    @for (name, record_kind) in KINDS {
                        option value=(name) selected[name == kind] { (lang.text(super::records::title(record_kind))) }
                    }
                    option value=(KOBO) selected[kind == KOBO] { (lang.text("ui-import-kobo")) }
                }
            }
            label {
                (lang.text("ui-import-file"))
                input type="file" name="file" accept=".csv,text/csv,.xlsx,.json" multiple required;
            }
            label {
                (lang.text("ui-import-mapping"))
                input type="file" name="mapping" accept=".toml";
            }
            button.primary type="submit" { (lang.text("ui-import-send")) }
            progress hidden aria-label=(lang.text("ui-import-progress")) {}
            p.hint { (lang.text("ui-import-hint")) }
        }
    }
}

fn counts(lang: Lang, counts: &Counts) -> String {
    let mut args = Args::new();
    args.set("inserted", counts.inserted);
    args.set("updated", counts.updated);
    args.set("unchanged", counts.unchanged);
    lang.format("ui-import-counts", &args)
}

fn done(lang: Lang, name: &str, report: &vigie_import::Report) -> Markup {
    html! {
        div.notice role="status" {
            p { strong { (words(lang, "ui-import-done", &[("file", name.to_owned())])) } " " (counts(lang, &report.total)) }
            @for file in &report.files { @for warning in &file.warnings { p { (warning) } } }
        }
    }
}

/// Every broken rule, located to its cell, in a table: line, column, value, what was expected
/// (the rule in the reader's language, and the import's own words with its limits).
fn invalid(lang: Lang, errors: &[vigie_import::RowError], more: u64) -> Markup {
    let mut count = Args::new();
    count.set("count", errors.len() as u64 + more);
    html! {
        div.error role="alert" #import-errors {
            p { strong { (lang.format("ui-import-invalid", &count)) } }
        }
        div.table-scroll {
            table.errors {
                caption { (lang.text("ui-import-errors")) }
                thead { tr {
                    th scope="col" { (lang.text("ui-import-file")) }
                    th.n scope="col" { (lang.text("ui-import-line")) }
                    th scope="col" { (lang.text("ui-import-column")) }
                    th scope="col" { (lang.text("ui-import-value")) }
                    th scope="col" { (lang.text("ui-import-expected")) }
                } }
                tbody {
                    @for e in errors {
                        tr {
                            td data-label=(lang.text("ui-import-file")) { (e.file) }
                            td.n data-label=(lang.text("ui-import-line")) { (e.line) }
                            td data-label=(lang.text("ui-import-column")) { code { (e.column) } }
                            td data-label=(lang.text("ui-import-value")) { @if e.value.is_empty() { "—" } @else { code { (e.value) } } }
                            td data-label=(lang.text("ui-import-expected")) {
                                @if let Some(rule) = e.rule { (lang.text(rule.message_id())) br; }
                                small { (e.expected) }
                            }
                        }
                    }
                }
            }
        }
        @if more > 0 { p { (words(lang, "ui-import-more", &[("count", lang.int(more))])) } }
    }
}

/// The newest import batches the caller may see: a partner, its organisation's users'.
async fn history(state: &Arc<AppState>, caller: &Caller, lang: Lang) -> Result<Markup, ApiError> {
    let own = crate::records::scope(caller);
    let batches =
        state.blocking(move |_, store| Ok(store.batches(own.as_deref(), 50)?)).await.map_err(ApiError::page)?;
    Ok(html! {
        h2 { (lang.text("ui-import-history")) }
        @if batches.is_empty() {
            p { (lang.text("ui-import-none")) }
        } @else {
            div.table-scroll {
                table #batches {
                    thead { tr {
                        th.n scope="col" { "#" }
                        th scope="col" { (lang.text("ui-import-when")) }
                        th scope="col" { (lang.text("ui-import-kind")) }
                        th scope="col" { (lang.text("ui-import-file")) }
                        th scope="col" { (lang.text("ui-import-who")) }
                        th scope="col" { (lang.text("ui-import-result")) }
                    } }
                    tbody {
                        @for b in &batches {
                            tr {
                                td.n { (b.id) }
                                td { (b.imported_at.get(..16).unwrap_or(&b.imported_at).replace('T', " ")) }
                                td { (KINDS.iter().find(|(n, _)| *n == b.kind).map_or(b.kind.clone(), |(_, k)| lang.text(super::records::title(*k)))) }
                                // The file's name, not the importing machine's folders.
                                td { (b.file_name.rsplit(['/', '\\']).next().unwrap_or_default()) }
                                td { (b.actor.as_deref().unwrap_or("—")) }
                                td { (counts(lang, &b.counts)) }
                            }
                        }
                    }
                }
            }
        }
    })
}
