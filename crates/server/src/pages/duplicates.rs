//! The duplicate review: a month's pairs of violations that may be one event reported twice,
//! best first, side by side with why, and the IM officer's decision on each.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use vigie_core::Month;
use vigie_core::duplicates::{DEFAULT_THRESHOLD, Reason};
use vigie_i18n::Lang;
use vigie_store::{RecordKind, Select};

use super::records::shown;
use super::{asked_month, escape_query, layout, month_name, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

/// The most pairs a page shows, the likeliest first (the CLI and the API give them all).
const SHOWN: usize = 100;

/// The columns shown side by side.
const COLUMNS: [&str; 12] = [
    "incident_date",
    "admin3_pcode",
    "locality",
    "violation_code",
    "perpetrator_code",
    "place_code",
    "time_slot_code",
    "victim_sex",
    "victim_age_group",
    "victim_population",
    "organization",
    "narrative",
];

fn reason_text(lang: Lang, reason: Reason) -> String {
    match reason {
        Reason::DaysApart(days) => words(lang, "duplicate-reason-days-apart", &[("days", days.to_string())]),
        other => lang.text(&format!("duplicate-reason-{}", other.code().replace('_', "-"))),
    }
}

pub async fn review(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let month = asked_month(&asked)?.or_else(|| state.shared.current().facts.latest().map(Month::of));
    let saved = asked.iter().any(|(k, _)| k == "saved");
    let other = other_languages(lang, "/duplicates", &asked);
    let csrf = caller.csrf.clone().unwrap_or_default();
    let body = state
        .blocking(move |state, store| {
            let catalog = state.shared.catalog();
            let Some(month) = month else {
                return Ok(html! { h1 { (lang.text("ui-duplicates")) } p.notice { (lang.text("ui-no-data")) } });
            };
            let pairs = vigie_store::duplicate_candidates(&*store, catalog, month, DEFAULT_THRESHOLD)?;
            let schema = vigie_store::schema(RecordKind::Violations, catalog);
            let names: Vec<&str> = schema.names().collect();
            let fields = |id: &str| -> Result<Vec<String>, ApiError> {
                let found = store.records(catalog, RecordKind::Violations, Select::Id(id))?;
                Ok(found.first().map(|(_, r)| r.fields(catalog)).unwrap_or_default())
            };
            let mut shown_pairs = Vec::new();
            // A page of the likeliest: each pair reads its two records.
            for pair in pairs.iter().take(SHOWN) {
                shown_pairs.push((pair, fields(&pair.a)?, fields(&pair.b)?));
            }
            let cell = |values: &[String], column: &str| {
                let value = names.iter().position(|n| *n == column).and_then(|i| values.get(i)).cloned().unwrap_or_default();
                shown(catalog, lang, column, &value)
            };
            let label = |column: &str| lang.text(&format!("field-{column}"));
            Ok(html! {
                h1 { (lang.text("ui-duplicates")) }
                @if saved { p.notice role="status" { (lang.text("ui-saved-duplicate")) } }
                form.filters method="get" action="/duplicates" aria-label=(lang.text("ui-month")) {
                    label { (lang.text("ui-month")) input type="month" name="month" value=(month.to_string()); }
                    button.primary type="submit" { (lang.text("ui-apply")) }
                }
                h2 { (month_name(lang, month)) }
                p #pairs data-value=(pairs.len()) { (words(lang, "ui-duplicate-count", &[("count", lang.int(pairs.len() as u64))])) }
                @if pairs.len() > SHOWN {
                    p.hint { (words(lang, "ui-duplicate-shown", &[("shown", lang.int(SHOWN as u64))])) }
                }
                @for (n, (pair, a, b)) in shown_pairs.iter().enumerate() {
                    section.pair aria-labelledby={ "pair-" (n) } {
                        h3 #{ "pair-" (n) } {
                            a href={ "/violations/" (escape_query(&pair.a)) } { (pair.a) } " · "
                            a href={ "/violations/" (escape_query(&pair.b)) } { (pair.b) } " — "
                            (words(lang, "ui-duplicate-score", &[("score", lang.percent(pair.score * 100.0, 0))]))
                        }
                        p.reasons { @for (i, reason) in pair.reasons.iter().enumerate() { @if i > 0 { " · " } (reason_text(lang, *reason)) } }
                        div.table-scroll {
                            table {
                                thead { tr { th scope="col" { (lang.text("ui-field")) } th scope="col" { (pair.a) } th scope="col" { (pair.b) } } }
                                tbody {
                                    @for column in COLUMNS {
                                        @let (x, y) = (cell(a, column), cell(b, column));
                                        tr.same[x == y && !x.is_empty()] { th scope="row" { (label(column)) } td { (x) } td { (y) } }
                                    }
                                }
                            }
                        }
                        form.decide method="post" action={ "/duplicates?csrf=" (csrf) } {
                            input type="hidden" name="a" value=(pair.a);
                            input type="hidden" name="b" value=(pair.b);
                            input type="hidden" name="month" value=(month.to_string());
                            button.primary type="submit" name="decision" value="same" { (words(lang, "ui-duplicate-same", &[("b", pair.b.clone()), ("a", pair.a.clone())])) }
                            button type="submit" name="decision" value="distinct" { (lang.text("ui-duplicate-distinct")) }
                        }
                    }
                }
            })
        })
        .await
        .map_err(ApiError::page)?;
    Ok(page(layout(lang, &lang.text("ui-duplicates"), &caller, other, body), cookie))
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    a: String,
    b: String,
    decision: String,
    month: Option<String>,
}

/// A decision sent from the review (or a violation's page, to undo): audited, then back.
pub async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, ApiError> {
    let decision = vigie_store::PairDecision::parse(&form.decision)
        .ok_or_else(|| ApiError::bad_request("decision: same, distinct or undo").page())?;
    crate::api::decided(&state, &caller, &form.a, &form.b, decision).await.map_err(ApiError::page)?;
    let back = match form.month.as_deref().and_then(Month::parse) {
        Some(month) => format!("/duplicates?month={month}&saved=1"),
        None => format!("/violations/{}", escape_query(&form.b)),
    };
    Ok(Redirect::to(&back).into_response())
}
