//! The reports page: a month's report (PDF, HTML), its tables (CSV, XLSX) and its incident
//! list, each offered only to the roles that may have it (the report route decides again).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use vigie_core::aggregate::{Filter, Sight};
use vigie_core::{Month, MonthState, Publication};
use vigie_i18n::Lang;
use vigie_store::Role;

use super::{asked_month, layout, month_name, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

pub async fn reports(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let month = asked_month(&asked)?.or_else(|| state.shared.current().facts.latest().map(Month::of));
    let role = caller.user.as_ref().map(|u| u.role);
    let everything = caller.sight() == Sight::Everything;
    let saved = asked.iter().find(|(k, _)| k == "saved").map(|(_, v)| v.clone());
    // Every published month: its versions, and what changed since (for who sees every record).
    let publications = state
        .blocking(move |state, store| {
            let publications = store.publications(None)?;
            let live = state.shared.refresh(&*store)?;
            let catalog = state.shared.catalog();
            let changes: Vec<(Month, u64)> = publications
                .chunk_by(|a, b| a.month == b.month)
                .filter_map(|versions| versions.last())
                .map(|p| (p.month, live.facts.written_after(catalog, p.month, p.last_batch, &Filter::default())))
                .collect();
            Ok((publications, changes))
        })
        .await?;
    // Who may have which file: the public version for the anonymous; the tables' workbook for
    // signed-in users; the incident list for IM officers and admins.
    let files: Vec<(&str, &str)> = [
        ("pdf", "ui-report-pdf", true),
        ("html", "ui-report-html", true),
        ("tables.csv", "ui-report-tables-csv", true),
        ("tables.xlsx", "ui-report-tables-xlsx", role.is_some()),
        ("incidents.xlsx", "ui-report-incidents", role.is_some_and(Role::may_download_incident_list)),
    ]
    .into_iter()
    .filter(|(_, _, allowed)| *allowed)
    .map(|(file, message, _)| (file, message))
    .collect();
    let body = html! {
        h1 { (lang.text("ui-reports")) }
        form.filters method="get" action="/reports" aria-label=(lang.text("ui-month")) {
            label { (lang.text("ui-month")) input type="month" name="month" value=[month.map(|m| m.to_string())]; }
            button.primary type="submit" { (lang.text("ui-apply")) }
        }
        @match month {
            None => p.notice { (lang.text("ui-no-data")) },
            Some(month) => {
                h2 { (month_name(lang, month)) }
                p.hint { (lang.text("ui-live-report")) }
                @if role.is_none() { p.notice { (lang.text("ui-public")) } }
                ul.downloads {
                    @for (file, message) in &files {
                        li { a href={ "/api/v1/reports/" (month) "/" (file) "?lang=" (lang.code()) } download { (lang.text(message)) } }
                    }
                }
                p.hint { (lang.text("ui-report-audited")) }
                @let versions: Vec<&Publication> = publications.0.iter().filter(|p| p.month == month).collect();
                (publication(lang, &caller, month, &versions, &files, saved.as_deref()))
            }
        }
        @if !publications.1.is_empty() {
            h2 { (lang.text("ui-published-months")) }
            table.published {
                thead { tr {
                    th scope="col" { (lang.text("ui-month")) }
                    th scope="col" { (lang.text("ui-publication-state")) }
                    th scope="col" { (lang.text("ui-versions")) }
                    @if everything { th scope="col" { (lang.text("ui-changes-since")) } }
                } }
                tbody {
                    @for versions in publications.0.chunk_by(|a, b| a.month == b.month) {
                        @let m = versions[0].month;
                        tr {
                            th scope="row" { a href={ "/reports?month=" (m) } { (month_name(lang, m)) } }
                            td { (lang.text(&format!("ui-state-{}", MonthState::of(versions.last()).code().replace('_', "-")))) }
                            td { (versions.len()) }
                            @if everything {
                                td.number { (publications.1.iter().find(|(x, _)| *x == m).map_or(0, |(_, n)| *n)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let other = other_languages(lang, "/reports", &asked);
    Ok(page(layout(lang, &lang.text("ui-reports"), &caller, other, body), cookie))
}

fn state_text(lang: Lang, state: MonthState) -> String {
    lang.text(&format!("ui-month-{}", state.code().replace('_', "-")))
}

/// The month's publication: where it stands, its versions and their files, and the forms that
/// sign it off (IM officers, admins) or reopen it (admins).
fn publication(
    lang: Lang,
    caller: &Caller,
    month: Month,
    versions: &[&Publication],
    files: &[(&str, &str)],
    saved: Option<&str>,
) -> Markup {
    let role = caller.user.as_ref().map(|u| u.role);
    let state = MonthState::of(versions.last().copied());
    let csrf = caller.csrf.clone().unwrap_or_default();
    let newest = versions.last();
    html! {
        section.publication aria-labelledby="publication" {
            h3 #publication { (lang.text("ui-publication")) }
            @match saved {
                Some("signed-off") => p.notice role="status" { (lang.text("ui-saved-signed-off")) },
                Some("reopened") => p.notice role="status" { (lang.text("ui-saved-reopened")) },
                _ => {},
            }
            p { strong { (state_text(lang, state)) } }
            @if let Some(p) = newest.filter(|p| p.locks()) {
                p.hint { (words(lang, "ui-locked-hint", &[("who", p.signed_by.clone()), ("when", crate::error::utc_minute(&p.signed_at)), ("version", p.version.to_string())])) }
            }
            @if !versions.is_empty() {
                ul.versions {
                    @for p in versions.iter().rev() {
                        li {
                            (words(lang, "ui-version-line", &[("version", p.version.to_string()), ("who", p.signed_by.clone()), ("when", crate::error::utc_minute(&p.signed_at))]))
                            @if let Some(note) = &p.note { " — " q { (note) } }
                            @if let Some(r) = &p.reopened {
                                br;
                                (words(lang, "ui-reopened-line", &[("who", r.by.clone()), ("when", crate::error::utc_minute(&r.at)), ("reason", r.reason.clone())]))
                            }
                            ul.downloads {
                                @for (file, message) in files {
                                    li { a href={ "/api/v1/months/" (month) "/versions/" (p.version) "/" (file) "?lang=" (lang.code()) } download {
                                        (lang.text(message)) " — " (words(lang, "ui-version-short", &[("version", p.version.to_string())]))
                                    } }
                                }
                            }
                        }
                    }
                }
            }
            @if role.is_some_and(Role::may_verify) && state != MonthState::SignedOff {
                form.filters.sign-off method="post" action={ "/reports/sign-off?csrf=" (csrf) } {
                    input type="hidden" name="month" value=(month);
                    label { (lang.text("ui-sign-off-note")) input type="text" name="note" maxlength="1000"; }
                    button.primary type="submit" { (words(lang, "ui-sign-off", &[("month", month_name(lang, month))])) }
                    p.hint { (lang.text("ui-sign-off-hint")) }
                }
            }
            @if role.is_some_and(Role::may_reopen) && state == MonthState::SignedOff {
                form.filters.reopen method="post" action={ "/reports/reopen?csrf=" (csrf) } {
                    input type="hidden" name="month" value=(month);
                    label { (lang.text("ui-reopen-reason")) input type="text" name="reason" required maxlength="1000"; }
                    button type="submit" { (words(lang, "ui-reopen", &[("month", month_name(lang, month))])) }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct MonthForm {
    month: String,
    note: Option<String>,
    reason: Option<String>,
}

fn form_month(form: &MonthForm) -> Result<Month, ApiError> {
    Month::parse(&form.month).ok_or_else(|| ApiError::bad_request("give the month as YYYY-MM").page())
}

/// The sign-off button: the month's report published and its violations locked, then back.
pub async fn sign_off(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<MonthForm>,
) -> Result<Response, ApiError> {
    let month = form_month(&form)?;
    let note = form.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    crate::months::signed_off(&state, &caller, month, note).await.map_err(ApiError::page)?;
    Ok(Redirect::to(&format!("/reports?month={month}&saved=signed-off")).into_response())
}

/// The reopening form (admins), then back.
pub async fn reopen(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<MonthForm>,
) -> Result<Response, ApiError> {
    let month = form_month(&form)?;
    crate::months::reopened(&state, &caller, month, form.reason.unwrap_or_default()).await.map_err(ApiError::page)?;
    Ok(Redirect::to(&format!("/reports?month={month}&saved=reopened")).into_response())
}
