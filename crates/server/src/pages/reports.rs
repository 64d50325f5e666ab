//! The reports page: a month's report (PDF, HTML), its tables (CSV, XLSX) and its incident
//! list, each offered only to the roles that may have it (the report route decides again).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use vigie_core::Month;
use vigie_store::Role;

use super::{asked_month, layout, month_name, other_languages, page, page_query};
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
                @if role.is_none() { p.notice { (lang.text("ui-public")) } }
                ul.downloads {
                    @for (file, message) in &files {
                        li { a href={ "/api/v1/reports/" (month) "/" (file) "?lang=" (lang.code()) } download { (lang.text(message)) } }
                    }
                }
                p.hint { (lang.text("ui-report-audited")) }
            }
        }
    };
    let other = other_languages(lang, "/reports", &asked);
    Ok(page(layout(lang, &lang.text("ui-reports"), &caller, other, body), cookie))
}
