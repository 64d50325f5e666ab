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
use vigie_core::aggregate::{Disclosure, Filter, MonthTables, Sight};
use vigie_core::{Catalog, ListKind, Month, Verification};
use vigie_i18n::{Args, Lang};
use vigie_report::Pick;
use vigie_report::charts::Link;
use vigie_report::document::Block;

use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;
use vigie_store::{RecordKind, Role};

pub mod admin;
pub mod devices;
pub mod duplicates;
pub mod imports;
pub mod records;
pub mod reports;
pub mod submissions;
pub mod texts;

/// The stylesheet, embedded: no page loads anything from elsewhere.
pub const CSS: &str = include_str!("../../assets/vigie.css");
/// The pages' one script: progressive enhancement (cascading places, commune search, upload
/// progress). Every page works without it.
pub const JS: &str = include_str!("../../assets/vigie.js");

/// The cookie that keeps the visitor's language.
const LANG_COOKIE: &str = "vigie_lang";

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// The pages' icon: served, so that no browser asks for a missing `/favicon.ico`.
pub const ICON: &str = include_str!("../../assets/icon.svg");

pub async fn icon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], ICON).into_response()
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS).into_response()
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

/// The language a request is answered in: its query's `lang`, else the page's cookie, else the
/// first language of `Accept-Language` that Vigie speaks, else the default.
pub(crate) fn request_language(query: Option<&str>, headers: &HeaderMap) -> Lang {
    let asked = query.and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::parse));
    let cookie = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| c.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('=')).and_then(Lang::parse)
    });
    let accepted = || {
        let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        header.split(',').find_map(|tag| {
            let tag = tag.split(';').next()?.trim();
            Lang::parse(tag.split('-').next()?.to_ascii_lowercase().as_str())
        })
    };
    asked.or(cookie).or_else(accepted).unwrap_or_default()
}

/// A page's language (and the cookie that keeps a new choice) and the query's other values,
/// empty ones left out.
fn page_query(query: &[(String, String)], headers: &HeaderMap) -> (Lang, Option<HeaderValue>, Vec<(String, String)>) {
    let (lang, cookie) = language(query.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()), headers);
    let asked = query.iter().filter(|(k, v)| k != "lang" && !v.is_empty()).cloned().collect();
    (lang, cookie, asked)
}

/// A month written as a page's form sends it (`YYYY-MM`).
fn month_param(text: &str) -> Result<Month, ApiError> {
    Month::parse(text).ok_or_else(|| ApiError::bad_request("give the month as YYYY-MM").page())
}

/// The `month` a page's query asks for, if any.
fn asked_month(asked: &[(String, String)]) -> Result<Option<Month>, ApiError> {
    asked.iter().find(|(k, _)| k == "month").map(|(_, m)| month_param(m)).transpose()
}

/// The links to the same page in every other language with a catalog.
fn other_languages(lang: Lang, path: &str, query: &[(String, String)]) -> Vec<(Lang, String)> {
    let pairs: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "lang").cloned().collect();
    Lang::all()
        .into_iter()
        .filter(|other| *other != lang)
        .map(|other| {
            let mut pairs = pairs.clone();
            pairs.push(("lang".into(), other.code().into()));
            (other, format!("{path}?{}", encode(&pairs)))
        })
        .collect()
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
fn layout(lang: Lang, title: &str, caller: &Caller, others: Vec<(Lang, String)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Vigie" }
                link rel="stylesheet" href="/assets/vigie.css";
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                script src="/assets/vigie.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.text("ui-skip")) }
                header.bar {
                    div.top {
                        a.brand href="/dashboard" { "Vigie" }
                        div.who {
                            @for (other, href) in &others {
                                a href=(href) lang=(other.code()) hreflang=(other.code()) { (other.text("ui-language-name")) }
                            }
                            @if let Some(user) = &caller.user {
                                span { (words(lang, "ui-signed-in-as", &[("name", user.name.clone()), ("role", role_name(lang, user.role))])) }
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
                    nav aria-label="Vigie" {
                        a href="/dashboard" { (lang.text("ui-dashboard")) }
                        a href="/reports" { (lang.text("ui-reports")) }
                        @if sees_records(caller) {
                            @for kind in RecordKind::ALL {
                                a href=(records::path(kind)) { (lang.text(records::title(kind))) }
                            }
                            a href="/imports" { (lang.text("ui-imports")) }
                            a href="/submissions" { (lang.text("ui-submissions")) }
                        }
                        @if caller.may(Role::may_verify) {
                            a href="/duplicates" { (lang.text("ui-duplicates")) }
                        }
                        @if caller.may(Role::analyses) {
                            a href="/texts" { (lang.text("ui-texts")) }
                        }
                        @if caller.may(Role::administers) {
                            a href="/admin" { (lang.text("ui-admin")) }
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
    caller.may(Role::handles_records)
}

/// A role as people name it.
fn role_name(lang: Lang, role: Role) -> String {
    lang.text(&format!("ui-role-{}", role.name().replace('_', "-")))
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
    let other = other_languages(lang, "/login", &[]);
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
pub(crate) const FILTERS: [(&str, &str); 11] = [
    ("region", "ui-filter-region"),
    ("cercle", "ui-filter-cercle"),
    ("commune", "ui-filter-commune"),
    ("category", "ui-filter-category"),
    ("subtype", "ui-filter-subtype"),
    ("perpetrator", "ui-filter-perpetrator"),
    ("sex", "ui-filter-sex"),
    ("age_group", "ui-filter-age"),
    ("population", "ui-filter-population"),
    ("organization", "ui-filter-organization"),
    ("verification", "ui-verification"),
];

/// A choice of a form's list, with the region and cercle a place's choice belongs to (for the
/// cascade of `vigie.js`) and its group.
pub(crate) struct Choice {
    pub code: String,
    pub label: String,
    pub region: Option<String>,
    pub cercle: Option<String>,
}

impl Choice {
    pub fn new(code: &str, label: &str) -> Choice {
        Choice { code: code.to_owned(), label: label.to_owned(), region: None, cercle: None }
    }
}

/// The reporting regions, cercles or communes (each with its region and cercle), by name.
pub(crate) fn places(catalog: &Catalog, lang: Lang, level: &str) -> Vec<Choice> {
    let g = &catalog.geography;
    match level {
        "region" => g.regions.iter().map(|r| Choice::new(&r.code, lang.pick(&r.name))).collect(),
        "cercle" => g
            .cercles
            .iter()
            .enumerate()
            .map(|(i, ce)| {
                // A cercle's reporting region is its communes'.
                let commune = g.communes.iter().find(|co| usize::from(co.cercle) == i);
                Choice {
                    region: commune.map(|co| g.region(co.region).code.clone()),
                    ..Choice::new(&ce.unit.pcode, &ce.unit.name)
                }
            })
            .collect(),
        _ => {
            let mut communes: Vec<Choice> = g
                .communes
                .iter()
                .map(|co| {
                    let cercle = &g.cercles[co.cercle as usize].unit;
                    Choice {
                        region: Some(g.region(co.region).code.clone()),
                        cercle: Some(cercle.pcode.clone()),
                        ..Choice::new(&co.unit.pcode, &format!("{} ({})", co.unit.name, cercle.name))
                    }
                })
                .collect();
            communes.sort_by(|a, b| a.label.cmp(&b.label));
            communes
        }
    }
}

/// The choices of a filter.
fn choices(catalog: &Catalog, lang: Lang, name: &str, organizations: &[String]) -> Vec<Choice> {
    let t = &catalog.typology;
    match name {
        "region" | "cercle" | "commune" => places(catalog, lang, name),
        "category" => t
            .categories
            .iter()
            .map(|c| Choice::new(&c.code, &format!("{} — {}", c.code, lang.pick(&c.label))))
            .collect(),
        "subtype" => {
            t.subtypes.iter().map(|s| Choice::new(&s.code, &format!("{} — {}", s.code, lang.pick(&s.label)))).collect()
        }
        "organization" => organizations.iter().map(|o| Choice::new(o, o)).collect(),
        "verification" => Verification::ALL.iter().map(|v| Choice::new(v.code(), &lang.text(&v.label_id()))).collect(),
        _ => match ListKind::ALL.into_iter().find(|k| k.name() == name) {
            Some(kind) => {
                catalog.lists.get(kind).codes.iter().map(|c| Choice::new(&c.code, lang.pick(&c.label))).collect()
            }
            None => Vec::new(),
        },
    }
}

/// The filter form's fields (the dashboard's and the list's), with the choices `asked` made;
/// a code-list filter chosen by a click on a chart (a place, an occupation) gets its field
/// too. No organisation filter on the public dashboard.
fn filter_fields(
    catalog: &Catalog,
    lang: Lang,
    asked: &[(String, String)],
    organizations: &[String],
    public: bool,
    fields: &[(&str, &str)],
) -> Markup {
    let chosen = |name: &str| asked.iter().filter(|(k, _)| k == name).map(|(_, c)| c.as_str()).collect::<Vec<_>>();
    let date = |name: &str| chosen(name).first().map(|d| (*d).to_owned()).unwrap_or_default();
    let mut shown: Vec<(&str, String)> = fields.iter().map(|&(name, message)| (name, lang.text(message))).collect();
    for kind in ListKind::ALL {
        if !shown.iter().any(|(n, _)| *n == kind.name()) && !chosen(kind.name()).is_empty() {
            shown.push((kind.name(), lang.text(&format!("field-{}", kind.column()))));
        }
    }
    html! {
        @for (name, label) in &shown {
            // Anonymous visitors filter by the public report's cuts only.
            @if !public || vigie_core::aggregate::PUBLIC_FILTERS.contains(name) {
                label {
                    (label)
                    @if *name == "commune" {
                        input type="search" data-commune-search autocomplete="off"
                            placeholder=(lang.text("ui-commune-search")) aria-label=(lang.text("ui-commune-search"));
                    }
                    select name=(name) data-place=[matches!(*name, "region" | "cercle" | "commune").then_some(*name)] {
                        option value="" { (lang.text("ui-all")) }
                        @for c in choices(catalog, lang, name, organizations) {
                            option value=(c.code) selected[chosen(name).contains(&c.code.as_str())]
                                data-region=[c.region.as_ref()] data-cercle=[c.cercle.as_ref()] { (c.label) }
                        }
                    }
                }
            }
        }
        @if !public {
            label { (lang.text("ui-filter-from")) input type="date" name="from" value=(date("from")); }
            label { (lang.text("ui-filter-to")) input type="date" name="to" value=(date("to")); }
        }
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

pub(crate) fn month_name(lang: Lang, month: Month) -> String {
    let mut args = Args::new();
    args.set("month", lang.text(&format!("month-{}", month.number())));
    args.set("year", month.year().to_string());
    lang.format("month-year", &args)
}

/// The dashboard: the month's key figures beside the month before and the same month a year
/// earlier, then the report's figures with the table behind each, for the filters of the URL.
/// An anonymous visitor (public access on) gets the public version; whoever has records hidden
/// from them (a viewer, a partner) gets the public version's figures as the disclosure rule
/// lets them through, and a filter too narrow for it gets no figure at all.
pub async fn dashboard(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (lang, cookie, asked) = page_query(&query, &headers);
    let public = caller.user.is_none();
    let catalog = state.shared.catalog();
    let filter = Filter::from_codes(
        catalog,
        asked.iter().filter(|(k, _)| k != "month" && k != "map").map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .map_err(|e| ApiError::bad_request(e).page())?;
    let map_level = match asked.iter().find(|(k, _)| k == "map") {
        Some((_, level)) => vigie_report::MapLevel::parse(level)
            .ok_or_else(|| ApiError::bad_request("map by region, cercle or commune").page())?,
        None => vigie_report::MapLevel::Commune,
    };
    crate::api::public_filters_only(
        &caller,
        asked.iter().map(|(k, _)| k.as_str()).filter(|k| *k != "month" && *k != "map"),
    )
    .map_err(ApiError::page)?;
    let sight = caller.sight();
    let restricted = sight != Sight::Everything;
    // A map by cercle or region would show places below the region beside their withheld figures.
    let map_level = if restricted { vigie_report::MapLevel::Commune } else { map_level };
    let month = asked_month(&asked)?;
    let other = other_languages(lang, "/dashboard", &asked);
    let asker = caller.clone();
    let (body, figures) = state
        .blocking(move |state, store| {
            let caller = asker;
            let live = state.shared.refresh(&*store)?;
            let Some(month) = month.or_else(|| live.facts.latest().map(Month::of)) else {
                return Ok((html! { h1 { (lang.text("ui-dashboard")) } p.notice { (lang.text("ui-no-data")) } }, None));
            };
            let filters: Vec<(String, String)> =
                asked.iter().filter(|(k, _)| k != "month" && k != "map").cloned().collect();
            let (answer, disclosure) = crate::api::disclosed(state, &mut *store, &caller, month, &filter, &filters)?;
            let year_earlier = Month::new(month.year() - 1, month.number()).unwrap_or(month);
            let earlier = state.shared.month_tables(&*store, year_earlier, &filter)?;
            let earlier_disclosure = state.shared.disclosure(&*store, &earlier, &filter, &sight, state.min_count)?;
            let organizations = live.facts.organizations().to_vec();
            let shown = DashboardView {
                catalog: state.shared.catalog(),
                lang,
                month,
                public,
                restricted,
                asked: &asked,
                organizations: &organizations,
                records: caller.may(vigie_store::Role::handles_records),
            };
            if disclosure.too_few() {
                return Ok((dashboard_body(shown, &Keys::withheld(disclosure.min_count())), None));
            }
            let keys = Keys::of(&answer.0, &disclosure, &earlier.0, &earlier_disclosure);
            let form = format!("dashboard {} {sight:?} {}", lang.code(), map_level.name());
            let counted = state.shared.coverage(&*store, &live, month)?;
            let coverage = answer.rendered(&format!("coverage {} {restricted}", lang.code()), |answer| {
                let panel = Coverage {
                    communes: state.shared.catalog().geography.communes.len() as u64,
                    with_violations: counted.communes.iter().filter(|&&n| n > 0).count() as u64,
                    assessed: answer.0.risk.communes.len() as u64,
                    violations: counted.violations,
                    // Counts of records lacking a field, not a published cut.
                    quality: (!restricted).then_some((counted.no_report_date, counted.no_location)),
                };
                Ok::<_, ApiError>(panel.render(lang, month).into_string().into_bytes())
            })?;
            // Linked to this view's filters (in one order, so that a view is linked once).
            let mut view = asked.clone();
            view.sort();
            // The figures are kept linked only: one copy of the maps per view in the cache.
            let linked = answer.rendered(&format!("{form} {}", encode(&view)), |answer| {
                // The signals as this caller may see them (a partner's own records aside).
                let signals = restricted.then(|| crate::api::shown_signals(state, &answer.0, &sight));
                let annexes = vigie_report::Annexes {
                    signals,
                    alerts: answer.1.clone(),
                    coverage: counted.communes.clone(),
                    map_level,
                };
                let figures =
                    figures(state.shared.catalog(), lang, &answer.0, &annexes, restricted.then_some(&*disclosure));
                let links = Links { catalog: state.shared.catalog(), lang, view: &view, month, records: shown.records };
                let linked =
                    vigie_report::charts::link_filters(&figures.into_string(), &|name, code| links.part(name, code));
                let linked =
                    vigie_report::document::link_cells(&linked, &|table, row, column| links.cell(table, row, column));
                let geography = &state.shared.catalog().geography;
                Ok::<_, ApiError>(vigie_report::charts::shared_outlines(geography, &linked).into_bytes())
            })?;
            // The maps' outlines, once for the page (see `shared_outlines`).
            let outlines = vigie_report::charts::outline_defs(&state.shared.catalog().geography);
            Ok((dashboard_body(shown, &keys), Some((outlines, coverage, linked))))
        })
        .await
        .map_err(ApiError::page)?;
    let page_text = layout(lang, &lang.text("ui-dashboard"), &caller, other, body).into_string();
    let parts = match &figures {
        Some((outlines, coverage, linked)) => vec![outlines.as_bytes(), coverage, linked],
        None => vec![],
    };
    Ok(spliced(&page_text, &parts, cookie))
}

/// Where the dashboard's figures go in its page. The page is written around this mark and the
/// figures, kept rendered in the answer cache (a megabyte, most of it maps), take its place as
/// bytes: neither copied into the markup nor checked again as text for each request.
const FIGURES_MARK: &str = "<!--figures-->";

/// The page `text` with `parts` in place of its [`FIGURES_MARK`], as an HTML response.
fn spliced(text: &str, parts: &[&[u8]], cookie: Option<HeaderValue>) -> Response {
    let (head, tail) = text.split_once(FIGURES_MARK).unwrap_or((text, ""));
    let mut bytes = Vec::with_capacity(text.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    bytes.extend_from_slice(head.as_bytes());
    for part in parts {
        bytes.extend_from_slice(part);
    }
    bytes.extend_from_slice(tail.as_bytes());
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Where the dashboard's figures lead. Whoever may see records goes from a figure to its
/// violations: the list with the view's filters and the figure's own (verification included).
/// The others drill down: the dashboard filtered by the chart's bar or the map's commune.
struct Links<'a> {
    catalog: &'a Catalog,
    lang: Lang,
    view: &'a [(String, String)],
    month: Month,
    records: bool,
}

impl Links<'_> {
    /// The violations list for the view's filters, `own` replacing those of its dimensions
    /// (any place every place; dates, the view's month).
    fn list(&self, own: &[(&str, String)]) -> String {
        let place = |k: &str| matches!(k, "region" | "cercle" | "commune");
        let date = |k: &str| matches!(k, "month" | "from" | "to");
        let replaced = |k: &str| own.iter().any(|(o, _)| *o == k || (place(o) && place(k)) || (date(o) && date(k)));
        let mut pairs: Vec<(String, String)> =
            self.view.iter().filter(|(k, _)| k != "map" && k != "month" && !replaced(k)).cloned().collect();
        if !own.iter().any(|(o, _)| date(o)) {
            pairs.push(("month".into(), self.month.to_string()));
        }
        pairs.extend(own.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        format!("/violations?{}", encode(&pairs))
    }

    /// A chart's bar or a map's commune: `name=code`.
    fn part(&self, name: &str, code: &str) -> Option<Link> {
        if self.records {
            return Some(Link { href: self.list(&[(name, code.to_owned())]), purpose: self.lang.text("ui-link-list") });
        }
        let href = filtered_by(self.catalog, self.view, name, code)?;
        Some(Link { href, purpose: self.lang.text("ui-link-filter") })
    }

    /// A table's cell: its violations, for whoever may see records. A signal, for the others:
    /// the dashboard of its region (and category), the place behind it as far as they may filter.
    fn cell(&self, table: &str, row: &str, column: &str) -> Option<Link> {
        let own = vigie_report::cell_filters(table, row, column, self.month)?;
        if self.records {
            return Some(Link { href: self.list(&own), purpose: self.lang.text("ui-link-list") });
        }
        if table != "signals" {
            return None;
        }
        let g = &self.catalog.geography;
        let region = own.iter().find_map(|(level, unit)| match *level {
            "region" => Some(unit.clone()),
            "cercle" => {
                let cercle = g.cercles.iter().position(|c| c.unit.pcode == *unit)?;
                let commune = g.communes.iter().find(|c| c.cercle as usize == cercle)?;
                Some(g.region(commune.region).code.clone())
            }
            "commune" => Some(g.region(g.commune(g.commune_by_pcode(unit)?).region).code.clone()),
            _ => None,
        })?;
        let mut pairs = vec![("month".to_owned(), self.month.to_string()), ("region".to_owned(), region)];
        pairs.extend(own.iter().filter(|(k, _)| *k == "category").map(|(k, v)| ((*k).to_owned(), v.clone())));
        Some(Link { href: format!("/dashboard?{}", encode(&pairs)), purpose: self.lang.text("ui-link-filter") })
    }

    /// A key figure: the month's violations, or the year's to the month's end.
    fn key(&self, year: bool) -> Option<String> {
        let january = self.month.months_of_year().next().unwrap_or(self.month);
        let own = match year {
            true => vec![("from", january.first_day().to_string()), ("to", self.month.last_day().to_string())],
            false => vec![("month", self.month.to_string())],
        };
        self.records.then(|| self.list(&own))
    }
}

/// The dashboard's address for the filters of `asked` and one more, chosen by a click on a
/// chart's bar (`perpetrator=FAMA`, replacing that filter's choice) or a map's commune. A
/// commune drills down: outside the chosen region it chooses its region, inside it the commune.
fn filtered_by(catalog: &Catalog, asked: &[(String, String)], name: &str, code: &str) -> Option<String> {
    let place = |k: &str| matches!(k, "region" | "cercle" | "commune");
    let mut pairs: Vec<(String, String)> = asked.iter().filter(|(k, _)| k != name).cloned().collect();
    if name == "commune" {
        let g = &catalog.geography;
        let region = &g.region(g.commune(g.commune_by_pcode(code)?).region).code;
        let inside = asked.iter().any(|(k, v)| k == "region" && v == region);
        pairs.retain(|(k, _)| !place(k));
        pairs.push(("region".into(), region.clone()));
        if inside {
            pairs.push(("commune".into(), code.to_owned()));
        }
    } else {
        pairs.push((name.to_owned(), code.to_owned()));
    }
    Some(format!("/dashboard?{}", encode(&pairs)))
}

/// How far the month's figures can be trusted: where monitors and key informants were, and
/// what the records lack.
struct Coverage {
    communes: u64,
    /// Communes with a violation recorded since January (all organisations).
    with_violations: u64,
    /// Communes assessed by key informants this month (for the page's places).
    assessed: u64,
    /// The month's violations (all of them, whatever the filters), and those without a report
    /// date or coordinates (for readers who see every record).
    violations: u64,
    quality: Option<(u64, u64)>,
}

impl Coverage {
    fn render(&self, lang: Lang, month: Month) -> Markup {
        let share = |part: u64, whole: u64| {
            if whole == 0 { "–".to_owned() } else { lang.percent(part as f64 / whole as f64 * 100.0, 0) }
        };
        let of = |id: &str, part: u64, whole: u64| {
            words(lang, id, &[("part", lang.int(part)), ("whole", lang.int(whole)), ("share", share(part, whole))])
        };
        html! {
            section.coverage aria-labelledby="coverage-title" {
                h2 #coverage-title { (lang.text("ui-coverage")) }
                ul {
                    li #coverage-monitored { (of("ui-coverage-monitored", self.with_violations, self.communes)) }
                    li #coverage-assessed { (of("ui-coverage-assessed", self.assessed, self.communes)) }
                    @if let Some((no_report_date, no_location)) = self.quality {
                        li #coverage-report-date { (of("ui-coverage-report-date", no_report_date, self.violations)) }
                        li #coverage-location { (of("ui-coverage-location", no_location, self.violations)) }
                    }
                }
                p.hint { (words(lang, "ui-coverage-note", &[("month", month_name(lang, month))])) }
            }
        }
    }
}

struct DashboardView<'a> {
    catalog: &'a Catalog,
    lang: Lang,
    month: Month,
    public: bool,
    /// Some records are hidden from the reader: figures pass the disclosure rule.
    restricted: bool,
    asked: &'a [(String, String)],
    organizations: &'a [String],
    /// The reader may see records: figures lead to the violations list.
    records: bool,
}

/// The key figures as the reader may see them (`None`: withheld), with what they are compared
/// to; a comparison is shown only when both of its figures are.
struct Keys {
    k: u64,
    too_few: bool,
    withheld_any: bool,
    month: Option<u64>,
    previous: Option<u64>,
    year: Option<u64>,
    incidents: Option<u64>,
    previous_incidents: Option<u64>,
    /// The same month a year earlier (`None` when nothing was recorded that year).
    earlier: Option<Earlier>,
}

/// The same month a year earlier: its month's and year-to-date figures as the reader may see them.
struct Earlier {
    month: Option<u64>,
    year: Option<u64>,
}

impl Keys {
    /// No figure: too few hidden violations match the filters.
    fn withheld(k: u64) -> Keys {
        Keys {
            k,
            too_few: true,
            withheld_any: true,
            month: None,
            previous: None,
            year: None,
            incidents: None,
            previous_incidents: None,
            earlier: None,
        }
    }

    fn of(now: &MonthTables, d: &Disclosure, earlier: &MonthTables, ed: &Disclosure) -> Keys {
        let shown = |d: &Disclosure, table: &str, row: &str, column: &str, value: u64| {
            (!d.withholds(table, row, column)).then_some(value)
        };
        let month = now.month;
        let previous = month.previous();
        // The month before is in the year's table unless the month is January.
        let previous_total = if previous.year() == month.year() {
            shown(d, "category_by_month", "TOTAL", &previous.to_string(), now.previous.total)
        } else {
            d.is_exact().then_some(now.previous.total)
        };
        Keys {
            k: d.min_count(),
            too_few: false,
            withheld_any: !d.is_exact(),
            month: shown(d, "category_by_month", "TOTAL", &month.to_string(), now.current.total),
            previous: previous_total,
            year: shown(d, "region_by_month", "TOTAL", "TOTAL", now.year_to_date()),
            incidents: (!d.withholds_incidents()).then_some(now.current.incidents),
            previous_incidents: d.is_exact().then_some(now.previous.incidents),
            earlier: (earlier.year_to_date() > 0).then(|| Earlier {
                month: shown(ed, "category_by_month", "TOTAL", &earlier.month.to_string(), earlier.current.total),
                year: shown(ed, "region_by_month", "TOTAL", "TOTAL", earlier.year_to_date()),
            }),
        }
    }
}

/// The dashboard's page without its figures: a [`FIGURES_MARK`] where they go.
fn dashboard_body(v: DashboardView<'_>, keys: &Keys) -> Markup {
    let lang = v.lang;
    let compared = |id: &str, now: Option<u64>, then: Option<u64>, month: Month| match (now, then) {
        (Some(now), Some(then)) => {
            Some(words(lang, id, &[("change", change(lang, now, then)), ("month", month_name(lang, month))]))
        }
        _ => None,
    };
    // A year with nothing recorded (for these filters) is no ground for a comparison.
    let to_earlier = |now: Option<u64>, pick: fn(&Earlier) -> Option<u64>| {
        let then = Month::new(v.month.year() - 1, v.month.number()).unwrap_or(v.month);
        match &keys.earlier {
            None => Some(words(lang, "ui-no-data-for", &[("month", month_name(lang, then))])),
            Some(earlier) => compared("ui-vs-year-earlier", now, pick(earlier), then),
        }
    };
    let previous = v.month.previous();
    let this = month_name(lang, v.month);
    let k = keys.k.to_string();
    let links = Links { catalog: v.catalog, lang, view: v.asked, month: v.month, records: v.records };
    let (month_list, year_list) = (links.key(false), links.key(true));
    html! {
        h1 { (lang.text("ui-dashboard")) " — " (this) }
        @if v.public { p.notice { (lang.text("ui-public")) } }
        @if keys.too_few {
            p.notice #too-few { (words(lang, "ui-too-few", &[("k", k.clone())])) }
        } @else {
            @if v.restricted && keys.withheld_any { p.hint #withheld-note { (words(lang, "ui-withheld-note", &[("k", k.clone())])) } }
            section.keys aria-label=(this) {
                (key(lang, "key-month", &words(lang, "ui-key-month", &[("month", this.clone())]), (keys.month, month_list.as_deref()), keys.k, &[
                    compared("ui-vs-previous", keys.month, keys.previous, previous),
                    to_earlier(keys.month, |e| e.month),
                ]))
                (key(lang, "key-year", &words(lang, "ui-key-year", &[("year", v.month.year().to_string())]), (keys.year, year_list.as_deref()), keys.k, &[
                    to_earlier(keys.year, |e| e.year),
                ]))
                (key(lang, "key-incidents", &words(lang, "ui-key-incidents", &[("month", this.clone())]), (keys.incidents, month_list.as_deref()), keys.k, &[
                    compared("ui-vs-previous", keys.incidents, keys.previous_incidents, previous),
                ]))
            }
        }
        form.filters method="get" action="/dashboard" aria-label=(lang.text("ui-filters")) {
            label { (lang.text("ui-month")) input type="month" name="month" value=(v.month.to_string()); }
            (filter_fields(v.catalog, lang, v.asked, v.organizations, v.public, &FILTERS))
            @if !v.restricted {
                label {
                    (lang.text("ui-map-level"))
                    select name="map" {
                        @for (level, message) in [("commune", "ui-filter-commune"), ("cercle", "ui-filter-cercle"), ("region", "ui-filter-region")] {
                            option value=(level) selected[v.asked.iter().any(|(k, l)| k == "map" && l == level)] { (lang.text(message)) }
                        }
                    }
                }
            }
            button.primary type="submit" { (lang.text("ui-apply")) }
            a href={ "/dashboard?month=" (v.month) } { (lang.text("ui-reset")) }
        }
        (PreEscaped(FIGURES_MARK))
    }
}

/// A key figure (`<k` when withheld) and its comparisons.
/// A key figure, linked to its violations (`list`) for whoever may see them.
fn key(
    lang: Lang,
    id: &str,
    label: &str,
    (value, list): (Option<u64>, Option<&str>),
    k: u64,
    changes: &[Option<String>],
) -> Markup {
    html! {
        div.key id=(id) {
            div.label { (label) }
            @match (value, list) {
                (Some(value), Some(list)) => div.value data-value=(value) {
                    a href=(list) aria-label={ (lang.int(value)) " — " (lang.text("ui-link-list")) } { (lang.int(value)) }
                },
                (Some(value), None) => div.value data-value=(value) { (lang.int(value)) },
                (None, _) => div.value.withheld { "<" (k) },
            }
            @for change in changes.iter().flatten() { p.change { (change) } }
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
    restricted: Option<&Disclosure>,
) -> Markup {
    let cells = vigie_report::cells(tables, catalog);
    let cells = match restricted {
        Some(disclosure) => vigie_report::disclosed(cells, disclosure),
        None => cells,
    };
    let (document, _) = vigie_report::narrative::build(
        tables,
        catalog,
        &cells,
        lang,
        &vigie_report::Inputs::default(),
        annexes,
        restricted,
    );
    // Sections of figures: a level-1 heading opens one. A figure's data is its own, or the
    // table right after it (the alerts' map).
    let mut sections: Vec<(String, Vec<Chart>)> = Vec::new();
    let mut blocks = document.blocks.iter().peekable();
    while let Some(block) = blocks.next() {
        match block {
            Block::Heading { level: 1, text } => sections.push((text.clone(), Vec::new())),
            Block::Figure { caption, svg, data } => {
                let data = match (data, blocks.peek()) {
                    (Some(t), _) | (None, Some(Block::Table(t))) => Some(t.to_html()),
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
