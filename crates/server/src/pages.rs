//! The HTML pages: sign-in and the dashboard, rendered on the server from the same
//! aggregation layer and the same report renderer as the API and the PDF, in the visitor's
//! language. No script: every filter is a link or a form, so the URL holds the view.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use vigie_core::aggregate::{Filter, MonthTables};
use vigie_core::{Catalog, ListKind, Month};
use vigie_i18n::{Args, Lang};
use vigie_report::Pick;
use vigie_report::document::Block;

use crate::AppState;
use crate::access::Caller;
use crate::error::ApiError;
use vigie_store::{Record, RecordKind, Role};

/// The stylesheet, embedded: no page loads anything from elsewhere.
pub const CSS: &str = include_str!("../assets/vigie.css");

/// The cookie that keeps the visitor's language.
const LANG_COOKIE: &str = "vigie_lang";

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

pub async fn home() -> Redirect {
    Redirect::to("/dashboard")
}

/// The language asked for in the query (`lang=en`, then kept in a cookie), else the cookie's,
/// else the default.
fn language(query: Option<&str>, headers: &HeaderMap) -> (Lang, Option<HeaderValue>) {
    if let Some(lang) = query.and_then(Lang::parse) {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000", lang.code());
        return (lang, HeaderValue::from_str(&cookie).ok());
    }
    let cookie = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| c.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('=')).and_then(Lang::parse)
    });
    (cookie.unwrap_or_default(), None)
}

/// A page's language (and the cookie that keeps a new choice) and the query's other values,
/// empty ones left out.
fn page_query(query: &[(String, String)], headers: &HeaderMap) -> (Lang, Option<HeaderValue>, Vec<(String, String)>) {
    let (lang, cookie) = language(query.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()), headers);
    let asked = query.iter().filter(|(k, v)| k != "lang" && !v.is_empty()).cloned().collect();
    (lang, cookie, asked)
}

/// The link to the same page in the other language.
fn other_language(lang: Lang, path: &str, query: &[(String, String)]) -> (Lang, String) {
    let other = Lang::all().into_iter().find(|l| *l != lang).unwrap_or(lang);
    let mut pairs: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "lang").cloned().collect();
    pairs.push(("lang".into(), other.code().into()));
    (other, format!("{path}?{}", encode(&pairs)))
}

fn encode(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", escape_query(k), escape_query(v))).collect::<Vec<_>>().join("&")
}

fn escape_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every page's frame: the bar (the other language, who is signed in, sign-out), then `body`.
fn layout(lang: Lang, title: &str, caller: &Caller, other: (Lang, String), body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Vigie" }
                link rel="stylesheet" href="/assets/vigie.css";
            }
            body {
                a.skip href="#main" { (lang.text("ui-skip")) }
                header.bar {
                    a.brand href="/dashboard" { "Vigie" }
                    nav aria-label="Vigie" {
                        a href="/dashboard" { (lang.text("ui-dashboard")) }
                        @if sees_records(caller) {
                            a href="/violations" { (lang.text("ui-violations")) }
                        }
                        a href=(other.1) lang=(other.0.code()) hreflang=(other.0.code()) { (other.0.text("ui-language-name")) }
                        @if let Some(user) = &caller.user {
                            span { (words(lang, "ui-signed-in-as", &[("name", user.name.clone()), ("role", user.role.name().to_owned())])) }
                            @if let Some(csrf) = &caller.csrf {
                                form method="post" action={ "/logout?csrf=" (csrf) } {
                                    button type="submit" { (lang.text("ui-sign-out")) }
                                }
                            }
                        } @else {
                            a href="/login" { (lang.text("ui-sign-in")) }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// Whether the caller may open individual records (a partner, its own organisation's): only
/// then are they linked.
fn sees_records(caller: &Caller) -> bool {
    caller.user.as_ref().is_some_and(|u| matches!(u.role, Role::Admin | Role::ImOfficer | Role::Partner))
}

fn words(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let mut fluent = Args::new();
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    lang.format(id, &fluent)
}

fn page(markup: Markup, cookie: Option<HeaderValue>) -> Response {
    let mut response = markup.into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct SignInQuery {
    lang: Option<String>,
    failed: Option<String>,
}

pub async fn sign_in_page(
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    let (lang, cookie) = language(query.lang.as_deref(), &headers);
    let failed =
        query.failed.as_deref().map(|why| if why == "throttled" { "ui-too-many" } else { "ui-bad-credentials" });
    let body = html! {
        form.login method="post" action="/login" {
            h1 { (lang.text("ui-sign-in")) }
            @if let Some(message) = failed {
                p.error role="alert" { (lang.text(message)) }
            }
            label { (lang.text("ui-user-name")) input name="name" autocomplete="username" required; }
            label { (lang.text("ui-password")) input type="password" name="password" autocomplete="current-password" required; }
            button.primary type="submit" { (lang.text("ui-sign-in")) }
        }
    };
    let other = other_language(lang, "/login", &[]);
    page(layout(lang, &lang.text("ui-sign-in"), &caller, other, body), cookie)
}

/// The sign-in form: a session cookie and the dashboard, or the form again with why.
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Form(form): Form<crate::api::Login>,
) -> Response {
    match crate::api::open_session(&state, &caller, &headers, form.name, form.password).await {
        Ok((_, cookie, _)) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/dashboard")), (header::SET_COOKIE, cookie)],
        )
            .into_response(),
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => Redirect::to("/login?failed=throttled").into_response(),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Redirect::to("/login?failed=1").into_response(),
        Err(e) => e.page().into_response(),
    }
}

pub async fn sign_out(State(state): State<Arc<AppState>>, Extension(caller): Extension<Caller>) -> Response {
    match crate::api::end_session(&state, &caller).await {
        Ok(cookie) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login")), (header::SET_COOKIE, cookie)],
        )
            .into_response(),
        Err(e) => e.page().into_response(),
    }
}

/// The query names the dashboard's filter form offers, each with its label's message.
const FILTERS: [(&str, &str); 7] = [
    ("region", "ui-filter-region"),
    ("category", "ui-filter-category"),
    ("perpetrator", "ui-filter-perpetrator"),
    ("sex", "ui-filter-sex"),
    ("age_group", "ui-filter-age"),
    ("population", "ui-filter-population"),
    ("organization", "ui-filter-organization"),
];

/// The choices of a filter: code and label.
fn choices(catalog: &Catalog, lang: Lang, name: &str, organizations: &[String]) -> Vec<(String, String)> {
    let list = |kind: ListKind| {
        catalog.lists.get(kind).codes.iter().map(|c| (c.code.clone(), lang.pick(&c.label).to_owned())).collect()
    };
    match name {
        "region" => catalog.geography.regions.iter().map(|r| (r.code.clone(), lang.pick(&r.name).to_owned())).collect(),
        "category" => catalog
            .typology
            .categories
            .iter()
            .map(|c| (c.code.clone(), format!("{} — {}", c.code, lang.pick(&c.label))))
            .collect(),
        "perpetrator" => list(ListKind::Perpetrator),
        "sex" => list(ListKind::Sex),
        "age_group" => list(ListKind::AgeGroup),
        "population" => list(ListKind::Population),
        "organization" => organizations.iter().map(|o| (o.clone(), o.clone())).collect(),
        _ => Vec::new(),
    }
}

/// The filter form's fields (the dashboard's and the list's), with the choices `asked` made; no
/// organisation filter on the public dashboard.
fn filter_fields(
    catalog: &Catalog,
    lang: Lang,
    asked: &[(String, String)],
    organizations: &[String],
    public: bool,
) -> Markup {
    let chosen = |name: &str| asked.iter().filter(|(k, _)| k == name).map(|(_, c)| c.as_str()).collect::<Vec<_>>();
    let date = |name: &str| chosen(name).first().map(|d| (*d).to_owned()).unwrap_or_default();
    html! {
        @for (name, message) in FILTERS {
            @if !(public && name == "organization") {
                label {
                    (lang.text(message))
                    select name=(name) {
                        option value="" { (lang.text("ui-all")) }
                        @for (code, label) in choices(catalog, lang, name, organizations) {
                            option value=(code) selected[chosen(name).contains(&code.as_str())] { (label) }
                        }
                    }
                }
            }
        }
        label { (lang.text("ui-filter-from")) input type="date" name="from" value=(date("from")); }
        label { (lang.text("ui-filter-to")) input type="date" name="to" value=(date("to")); }
    }
}

/// A change as the key figures say it: `+12 (+5,2 %)`, or "unchanged".
fn change(lang: Lang, now: u64, then: u64) -> String {
    if now == then {
        return lang.text("ui-no-change");
    }
    let sign = if now > then { "+" } else { "−" };
    let delta = format!("{sign}{}", lang.int(now.abs_diff(then)));
    if then == 0 {
        return delta;
    }
    let share = now.abs_diff(then) as f64 / then as f64 * 100.0;
    format!("{delta} ({sign}{})", lang.percent(share, 1))
}

fn month_name(lang: Lang, month: Month) -> String {
    let mut args = Args::new();
    args.set("month", lang.text(&format!("month-{}", month.number())));
    args.set("year", month.year().to_string());
    lang.format("month-year", &args)
}

/// The dashboard: the month's key figures beside the month before and the same month a year
/// earlier, then the report's figures with the table behind each, for the filters of the URL.
/// An anonymous visitor (public access on) gets the public version.
pub async fn dashboard(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let public = caller.user.is_none();
    let catalog = state.shared.catalog();
    let filter =
        Filter::from_codes(catalog, asked.iter().filter(|(k, _)| k != "month").map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| ApiError::bad_request(e).page())?;
    if public && !filter.organizations.is_empty() {
        return Err(ApiError::bad_request("the public dashboard is not filtered by organisation").page());
    }
    let month = match asked.iter().find(|(k, _)| k == "month") {
        Some((_, m)) => Some(Month::parse(m).ok_or_else(|| ApiError::bad_request("give the month as YYYY-MM").page())?),
        None => None,
    };
    let other = other_language(lang, "/dashboard", &asked);
    let body = state
        .blocking(move |state, store| {
            let live = state.shared.refresh(&*store)?;
            let Some(month) = month.or_else(|| live.facts.latest().map(Month::of)) else {
                return Ok(html! { h1 { (lang.text("ui-dashboard")) } p.notice { (lang.text("ui-no-data")) } });
            };
            let answer = state.shared.month_tables(&*store, month, &filter)?;
            let year_earlier = Month::new(month.year() - 1, month.number()).unwrap_or(month);
            let earlier = state.shared.month_tables(&*store, year_earlier, &filter)?;
            let form = format!("dashboard {} {}", lang.code(), if public { "public" } else { "" });
            let rendered = answer.rendered(&form, |answer| {
                let january = month.months_of_year().next().unwrap_or(month);
                let annexes = vigie_report::Annexes {
                    alerts: answer.1.clone(),
                    coverage: live.facts.commune_counts(state.shared.catalog(), january, month),
                };
                let figures = figures(state.shared.catalog(), lang, &answer.0, &annexes, public);
                Ok::<_, ApiError>(figures.into_string().into_bytes())
            })?;
            let organizations = live.facts.organizations().to_vec();
            Ok(dashboard_body(
                DashboardView {
                    catalog: state.shared.catalog(),
                    lang,
                    month,
                    public,
                    asked: &asked,
                    organizations: &organizations,
                },
                &answer.0,
                &earlier.0,
                &String::from_utf8_lossy(&rendered),
            ))
        })
        .await
        .map_err(ApiError::page)?;
    Ok(page(layout(lang, &lang.text("ui-dashboard"), &caller, other, body), cookie))
}

struct DashboardView<'a> {
    catalog: &'a Catalog,
    lang: Lang,
    month: Month,
    public: bool,
    asked: &'a [(String, String)],
    organizations: &'a [String],
}

fn dashboard_body(v: DashboardView<'_>, now: &MonthTables, earlier: &MonthTables, figures: &str) -> Markup {
    let lang = v.lang;
    // A year with nothing recorded (for these filters) is no ground for a comparison.
    let to_earlier = |now: u64, then: u64| {
        let month = month_name(lang, earlier.month);
        if earlier.year_to_date() == 0 {
            return words(lang, "ui-no-data-for", &[("month", month)]);
        }
        words(lang, "ui-vs-year-earlier", &[("change", change(lang, now, then)), ("month", month)])
    };
    let this = month_name(lang, v.month);
    html! {
        h1 { (lang.text("ui-dashboard")) " — " (this) }
        @if v.public { p.notice { (lang.text("ui-public")) } }
        form.filters method="get" action="/dashboard" aria-label=(lang.text("ui-filters")) {
            label { (lang.text("ui-month")) input type="month" name="month" value=(v.month.to_string()); }
            (filter_fields(v.catalog, lang, v.asked, v.organizations, v.public))
            button.primary type="submit" { (lang.text("ui-apply")) }
            a href={ "/dashboard?month=" (v.month) } { (lang.text("ui-reset")) }
        }
        section.keys aria-label=(this) {
            (key(lang, "key-month", &words(lang, "ui-key-month", &[("month", this.clone())]), now.current.total, &[
                words(lang, "ui-vs-previous", &[("change", change(lang, now.current.total, now.previous.total)), ("month", month_name(lang, v.month.previous()))]),
                to_earlier(now.current.total, earlier.current.total),
            ]))
            (key(lang, "key-year", &words(lang, "ui-key-year", &[("year", v.month.year().to_string())]), now.year_to_date(), &[
                to_earlier(now.year_to_date(), earlier.year_to_date()),
            ]))
            (key(lang, "key-incidents", &words(lang, "ui-key-incidents", &[("month", this.clone())]), now.current.incidents, &[
                words(lang, "ui-vs-previous", &[("change", change(lang, now.current.incidents, now.previous.incidents)), ("month", month_name(lang, v.month.previous()))]),
            ]))
        }
        (PreEscaped(figures))
    }
}

fn key(lang: Lang, id: &str, label: &str, value: u64, changes: &[String]) -> Markup {
    html! {
        div.key id=(id) {
            div.label { (label) }
            div.value data-value=(value) { (lang.int(value)) }
            @for change in changes { p.change { (change) } }
        }
    }
}

/// A figure of the report: its caption, its SVG and the table of its data, as HTML.
struct Chart {
    caption: String,
    svg: String,
    data: Option<String>,
}

/// The report's sections as the dashboard shows them: each heading, then its figures in a
/// grid, each with the table that follows it in the report behind a disclosure (the text
/// alternative of the chart).
fn figures(
    catalog: &Catalog,
    lang: Lang,
    tables: &MonthTables,
    annexes: &vigie_report::Annexes,
    public: bool,
) -> Markup {
    let cells = vigie_report::cells(tables, catalog);
    let (document, _) = vigie_report::narrative::build(
        tables,
        catalog,
        &cells,
        lang,
        &vigie_report::Inputs::default(),
        annexes,
        public,
    );
    // Sections of figures: a level-1 heading opens one; a table right after a figure is its data.
    let mut sections: Vec<(String, Vec<Chart>)> = Vec::new();
    let mut blocks = document.blocks.iter().peekable();
    while let Some(block) = blocks.next() {
        match block {
            Block::Heading { level: 1, text } => sections.push((text.clone(), Vec::new())),
            Block::Figure { caption, svg } => {
                let data = match blocks.peek() {
                    Some(Block::Table(t)) => Some(t.to_html()),
                    _ => None,
                };
                if let Some(section) = sections.last_mut() {
                    section.1.push(Chart { caption: caption.clone(), svg: svg.clone(), data });
                }
            }
            _ => {}
        }
    }
    html! {
        @for (title, figures) in sections.iter().filter(|(_, f)| !f.is_empty()) {
            section {
                h2 { (title) }
                div.charts {
                    @for chart in figures {
                        figure {
                            (PreEscaped(&chart.svg))
                            figcaption { (chart.caption) }
                            @if let Some(data) = &chart.data {
                                details { summary { (lang.text("ui-chart-data")) } (PreEscaped(data)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The sort orders the list offers, with their labels.
const SORTS: [(&str, &str); 4] = [
    ("-incident_date", "ui-sort-newest"),
    ("incident_date", "ui-sort-oldest"),
    ("admin3_pcode", "ui-sort-commune"),
    ("organization", "ui-sort-organization"),
];

/// A code of a record's column with its label, as a person reads it.
fn shown(catalog: &Catalog, lang: Lang, column: &str, code: &str) -> String {
    let g = &catalog.geography;
    let label = match column {
        "admin1_pcode" => g.regions.iter().find(|r| r.code == code).map(|r| lang.pick(&r.name).to_owned()),
        "admin2_pcode" => g.cercles.iter().find(|c| c.unit.pcode == code).map(|c| c.unit.name.clone()),
        "admin3_pcode" => g.commune_by_pcode(code).map(|id| g.commune(id).unit.name.clone()),
        "violation_code" => {
            catalog.typology.subtypes.iter().find(|s| s.code == code).map(|s| lang.pick(&s.label).to_owned())
        }
        _ => ListKind::ALL.into_iter().find(|k| k.column() == column).and_then(|kind| {
            let list = catalog.lists.get(kind);
            list.find(code).map(|i| lang.pick(&list.codes[i as usize].label).to_owned())
        }),
    };
    label.unwrap_or_else(|| code.to_owned())
}

/// The violations the caller may see (a partner, its own organisation's), filtered with the
/// dashboard's filters, sorted, a page at a time; each list is audited.
pub async fn violations(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let mut listing = asked.clone();
    if !listing.iter().any(|(k, _)| k == "limit") {
        listing.push(("limit".into(), "50".into()));
    }
    let other = other_language(lang, "/violations", &asked);
    let who = caller.clone();
    let body = state
        .blocking(move |state, store| {
            let listed = crate::records::listed(state, store, RecordKind::Violations, &who, &listing)?;
            let catalog = state.shared.catalog();
            let organizations = state.shared.current().facts.organizations().to_vec();
            let chosen = |name: &str| asked.iter().filter(|(k, _)| k == name).map(|(_, c)| c.clone()).collect::<Vec<_>>();
            let sort = chosen("sort").first().cloned().unwrap_or_else(|| "-incident_date".into());
            let next = listed.next.as_ref().map(|cursor| {
                let mut pairs: Vec<(String, String)> = asked.iter().filter(|(k, _)| k != "cursor").cloned().collect();
                pairs.push(("cursor".into(), cursor.clone()));
                format!("/violations?{}", encode(&pairs))
            });
            let mut count = Args::new();
            count.set("count", listed.total);
            let columns = ["violation_id", "incident_date", "admin3_pcode", "violation_code", "perpetrator_code", "victim_sex", "victim_age_group", "organization"];
            let schema = vigie_store::schema(RecordKind::Violations, catalog);
            let names: Vec<&str> = schema.names().collect();
            Ok(html! {
                h1 { (lang.text("ui-violations")) }
                form.filters method="get" action="/violations" aria-label=(lang.text("ui-filters")) {
                    (filter_fields(catalog, lang, &asked, &organizations, false))
                    label {
                        (lang.text("ui-sort"))
                        select name="sort" {
                            @for (value, message) in SORTS {
                                option value=(value) selected[sort == value] { (lang.text(message)) }
                            }
                        }
                    }
                    button.primary type="submit" { (lang.text("ui-apply")) }
                    a href="/violations" { (lang.text("ui-reset")) }
                }
                p #total data-value=(listed.total) { (lang.format("ui-count", &count)) }
                div.table-scroll {
                    table {
                        thead { tr { @for column in columns { th scope="col" { (lang.text(&format!("field-{column}"))) } } } }
                        tbody {
                            @for record in &listed.records {
                                @let fields = record.fields(catalog);
                                @let cell = |column: &str| names.iter().position(|n| *n == column).and_then(|i| fields.get(i)).cloned().unwrap_or_default();
                                tr {
                                    td { a href={ "/violations/" (escape_query(record.id())) } { (record.id()) } }
                                    @for column in &columns[1..] {
                                        td { (shown(catalog, lang, column, &cell(column))) }
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
    Ok(page(layout(lang, &lang.text("ui-violations"), &caller, other, body), cookie))
}

/// One violation, every field with its label and the narrative, for a caller who may see it
/// (audited); another organisation's does not exist for a partner.
pub async fn violation(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, _) = page_query(&query, &headers);
    let path = format!("/violations/{}", escape_query(&id));
    let other = other_language(lang, &path, &[]);
    let who = caller.clone();
    let title = words(lang, "ui-violation", &[("id", id.clone())]);
    let heading = title.clone();
    let body = state
        .blocking(move |state, store| {
            let record = crate::records::viewed(state, store, RecordKind::Violations, &id, &who)?;
            let catalog = state.shared.catalog();
            let schema = vigie_store::schema(RecordKind::Violations, catalog);
            let fields = record.fields(catalog);
            let narrative = match &record {
                Record::Violation(v) => v.narrative.clone(),
                _ => None,
            };
            Ok(html! {
                h1 { (heading) }
                dl.fields {
                    @for (name, value) in schema.names().zip(&fields) {
                        @if name != "narrative" && !value.is_empty() {
                            dt { (lang.text(&format!("field-{name}"))) }
                            dd { (shown(catalog, lang, name, value)) @if shown(catalog, lang, name, value) != *value { " (" (value) ")" } }
                        }
                    }
                }
                @if let Some(narrative) = narrative {
                    h2 { (lang.text("field-narrative")) }
                    p.narrative { (narrative) }
                }
                p { a href="/violations" { (lang.text("ui-back-to-list")) } }
            })
        })
        .await
        .map_err(ApiError::page)?;
    Ok(page(layout(lang, &title, &caller, other, body), cookie))
}
