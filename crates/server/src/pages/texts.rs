//! The report's own words, written in pages by analysts (IM officers and admins): the month's
//! context, the regional analyses and the recommendations with their follow-up history. Each
//! text's numbers are checked against the month's figures as it is saved, and again when the
//! report is built; flagged numbers are highlighted with the figures they might have meant.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use vigie_core::Month;
use vigie_core::aggregate::Filter;
use vigie_i18n::Lang;
use vigie_report::Pick;
use vigie_report::text_check::{TextWarning, check};

use super::{escape_query, layout, month_name, month_param, other_languages, page, page_query, words};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

/// The month a page or form is about: the one asked for, else the latest with data.
fn month_of(state: &AppState, asked: Option<&str>) -> Result<Month, ApiError> {
    match asked.filter(|m| !m.is_empty()) {
        Some(m) => month_param(m),
        None => Ok(state
            .shared
            .current()
            .facts
            .latest()
            .map(Month::of)
            .unwrap_or_else(|| Month::of(chrono::Utc::now().date_naive()))),
    }
}

pub async fn texts(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let month = month_of(&state, asked.iter().find(|(k, _)| k == "month").map(|(_, v)| v.as_str()))?;
    let csrf = caller.csrf.clone().unwrap_or_default();
    let body = state
        .blocking(move |state, store| {
            let catalog = state.shared.catalog();
            let answer = state.shared.month_tables(&*store, month, &Filter::default())?;
            let cells = vigie_report::cells(&answer.0, catalog);
            let texts = store.report_texts(month)?;
            let recommendations = store.recommendations(month)?;
            let text_of = |section: &str| texts.iter().find(|(s, _)| s == section).map(|(_, b)| b.clone()).unwrap_or_default();
            let mut sections = vec![("context".to_owned(), lang.text("ui-texts-context"), None)];
            for r in &catalog.geography.regions {
                sections.push((r.code.clone(), words(lang, "heading-region", &[("region", lang.pick(&r.name).to_owned())]), Some(r.code.clone())));
            }
            let action = |path: &str| format!("{path}?csrf={csrf}");
            Ok(html! {
                h1 { (words(lang, "ui-texts-title", &[("month", month_name(lang, month))])) }
                form.filters method="get" action="/texts" aria-label=(lang.text("ui-month")) {
                    label { (lang.text("ui-month")) input type="month" name="month" value=(month.to_string()); }
                    button.primary type="submit" { (lang.text("ui-apply")) }
                }
                p.hint { (lang.text("ui-texts-hint")) }
                @for (section, title, region) in &sections {
                    @let body = text_of(section);
                    section.text #(format!("text-{section}")) {
                        h2 { (title) }
                        form.text method="post" action=(action("/texts")) {
                            input type="hidden" name="month" value=(month.to_string());
                            input type="hidden" name="section" value=(section);
                            label for={ "body-" (section) } { (lang.text("ui-texts-body")) }
                            textarea #(format!("body-{section}")) name="body" rows=(if section == "context" { 8 } else { 4 }) { (body) }
                            button.primary type="submit" { (lang.text("ui-save")) }
                        }
                        @if !body.trim().is_empty() {
                            (checked(lang, &body, &check(&body, lang, catalog, &cells, region.as_deref())))
                        }
                    }
                }
                section #recommendations {
                    h2 { (lang.text("heading-recommendations")) }
                    @if recommendations.is_empty() { p { (lang.text("ui-texts-no-recommendation")) } }
                    @for r in &recommendations {
                        article.recommendation #(format!("recommendation-{}", r.id)) {
                            h3 { (r.actor) " — " (r.action) }
                            p.hint {
                                (words(lang, "ui-texts-opened", &[("month", month_name(lang, r.opened)), ("zone", r.zone.clone())]))
                                @if let Some(closed) = r.closed { " " (words(lang, "ui-texts-closed", &[("month", month_name(lang, closed))])) }
                            }
                            @if !r.follow_ups.is_empty() {
                                ol.follow-ups {
                                    @for f in &r.follow_ups {
                                        li { strong { (month_name(lang, f.month)) } " — " (f.body) " " small { "(" (f.by.as_deref().unwrap_or("—")) ", " (f.at.get(..10).unwrap_or(&f.at)) ")" } }
                                    }
                                }
                            }
                            @if r.closed.is_none() {
                                form.text method="post" action=(action(&format!("/recommendations/{}", r.id))) {
                                    input type="hidden" name="month" value=(month.to_string());
                                    label for={ "follow-" (r.id) } { (lang.text("ui-texts-follow-up")) }
                                    textarea #(format!("follow-{}", r.id)) name="follow_up" rows="2" {}
                                    label.inline { input type="checkbox" name="close" value="1"; " " (lang.text("ui-texts-close")) }
                                    button.primary type="submit" { (lang.text("ui-save")) }
                                }
                            }
                        }
                    }
                    h3 { (lang.text("ui-texts-new-recommendation")) }
                    form.record method="post" action=(action("/recommendations")) {
                        input type="hidden" name="month" value=(month.to_string());
                        div.field { label for="rec-actor" { (lang.text("recommendation-actor")) } input #rec-actor name="actor" required; }
                        div.field { label for="rec-zone" { (lang.text("recommendation-zone")) } input #rec-zone name="zone"; }
                        div.field.wide { label for="rec-action" { (lang.text("recommendation-action")) } textarea #rec-action name="action" rows="2" required {} }
                        div.actions { button.primary type="submit" { (lang.text("ui-texts-add")) } }
                    }
                }
            })
        })
        .await
        .map_err(ApiError::page)?;
    let other = other_languages(lang, "/texts", &asked);
    Ok(page(layout(lang, &lang.text("ui-texts"), &caller, other, body), cookie))
}

/// The text with each flagged number marked, then what is wrong with each and the figures it
/// might have meant; or that every number matches.
fn checked(lang: Lang, text: &str, warnings: &[TextWarning]) -> Markup {
    if warnings.is_empty() {
        return html! { p.checked { (lang.text("ui-texts-all-match")) } };
    }
    // The text, with the flagged numbers marked in order.
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut rest = text;
    for w in warnings {
        if let Some(at) = rest.find(&w.number) {
            parts.push((rest[..at].to_owned(), false));
            parts.push((w.number.clone(), true));
            rest = &rest[at + w.number.len()..];
        }
    }
    parts.push((rest.to_owned(), false));
    html! {
        div.text-warnings role="status" {
            p.preview { @for (part, flagged) in &parts { @if *flagged { mark { (part) } } @else { (part) } } }
            ul {
                @for w in warnings {
                    li { mark { (w.number) } " " (w.message) " " (w.candidates.join(" ; ")) }
                }
            }
        }
    }
}

fn back_to(month: &str, anchor: &str) -> Response {
    let to = format!("/texts?month={}#{anchor}", escape_query(month));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

#[derive(Deserialize)]
pub struct TextForm {
    month: String,
    section: String,
    body: String,
}

pub async fn save_text(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<TextForm>,
) -> Result<Response, ApiError> {
    let month = month_of(&state, Some(&form.month))?;
    let known = form.section == "context" || state.shared.catalog().geography.region_by_code(&form.section).is_some();
    if !known {
        return Err(ApiError::bad_request("a text is the month's context or a reporting region's analysis").page());
    }
    let (section, actor) = (form.section.clone(), caller.actor("?"));
    state
        .blocking(move |_, store| Ok(store.set_report_text(month, &form.section, &form.body, &actor)?))
        .await
        .map_err(ApiError::page)?;
    Ok(back_to(&month.to_string(), &format!("text-{section}")))
}

#[derive(Deserialize)]
pub struct RecommendationForm {
    month: String,
    actor: String,
    action: String,
    #[serde(default)]
    zone: String,
}

pub async fn add_recommendation(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<RecommendationForm>,
) -> Result<Response, ApiError> {
    let month = month_of(&state, Some(&form.month))?;
    let actor = caller.actor("?");
    let id = state
        .blocking(move |_, store| Ok(store.add_recommendation(month, &form.actor, &form.action, &form.zone, &actor)?))
        .await
        .map_err(ApiError::page)?;
    Ok(back_to(&month.to_string(), &format!("recommendation-{id}")))
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    month: String,
    #[serde(default)]
    follow_up: String,
    close: Option<String>,
}

/// A follow-up of a recommendation, and its closing when asked.
pub async fn follow_up(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<FollowUpForm>,
) -> Result<Response, ApiError> {
    let month = month_of(&state, Some(&form.month))?;
    let actor = caller.actor("?");
    state
        .blocking(move |_, store| {
            if !form.follow_up.trim().is_empty() {
                store.follow_up(id, month, &form.follow_up, &actor)?;
            }
            if form.close.is_some() {
                store.close_recommendation(id, month, &actor)?;
            }
            Ok(())
        })
        .await
        .map_err(ApiError::page)?;
    Ok(back_to(&month.to_string(), &format!("recommendation-{id}")))
}
