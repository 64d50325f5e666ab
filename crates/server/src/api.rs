//! The handlers of `/api/v1`. Each runs after [`crate::caller`] let its caller in; store work
//! runs on blocking threads.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use vigie_core::Month;
use vigie_core::aggregate::{Disclosure, Filter, PUBLIC_FILTERS, Sight};
use vigie_store::accounts::{generate_token, token_hash, verify_password};
use vigie_store::{Role, Session, User};

use crate::AppState;
use crate::caller::{Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::uploads::Upload;

fn user_json(user: &User) -> serde_json::Value {
    serde_json::json!({ "name": user.name, "role": user.role.name(), "organization": user.organization })
}

/// `ok`, or `degraded` when the last scheduled backup failed; with the backups' state when some
/// are scheduled (an operator's monitoring reads it).
pub async fn health(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let backups = state.backups.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let failing = backups.as_ref().is_some_and(|b| b.last_error.is_some());
    let mut answer = serde_json::json!({ "status": if failing { "degraded" } else { "ok" } });
    if let Some(backups) = backups {
        answer["backup"] = serde_json::json!(backups);
    }
    Json(answer)
}

#[derive(Deserialize)]
pub struct Login {
    pub(crate) name: String,
    pub(crate) password: String,
}

/// Checks a password (throttled per account and address), opens a session in an HttpOnly,
/// SameSite=Strict cookie and returns the session's CSRF token. Both outcomes are audited.
pub async fn login(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let (user, cookie, session) = open_session(&state, &caller, &headers, body.name, body.password).await?;
    let mut response =
        Json(serde_json::json!({ "user": user_json(&user), "csrf_token": session.csrf })).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// A new session for a name and password (the API's login and the sign-in page's), with its
/// cookie: throttled per account and address, and audited whatever the outcome.
pub(crate) async fn open_session(
    state: &Arc<AppState>,
    caller: &Caller,
    headers: &axum::http::HeaderMap,
    name: String,
    password: String,
) -> Result<(User, HeaderValue, Session), ApiError> {
    // Secure when served over HTTPS: by configuration, or as the proxy in front says. (A forged
    // header only makes the browser more careful.)
    let https = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let secure = state.secure_cookies || https;
    let keys = crate::throttle::keys(&name, caller.client.as_deref());
    let actor = vigie_store::Actor { name: name.clone(), client: caller.client.clone() };
    let ttl = state.session_ttl;
    let opened = state
        .blocking(move |_, store| {
            // Counted before the password is checked: parallel attempts cannot all be checked.
            if store.count_attempt(&keys, &crate::throttle::window_start())? > crate::throttle::MAX_FAILURES {
                store.record(&actor, "login_throttled", "users", &actor.name, serde_json::json!({}))?;
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    "too many failed sign-ins: wait a quarter of an hour",
                ));
            }
            let found = store.user_for_login(&name)?;
            // The password is checked even for an unknown name, against a real hash of a
            // password nobody has, so that timing does not tell which names exist.
            const NOBODY: &str =
                "$argon2id$v=19$m=19456,t=2,p=1$HU2oplL6r33goSjoqe7l7g$Yv4i3jH2WA9YpCv1Eug8RpUMJ7fys9lLYWYIesGRmvk";
            let hash = found.as_ref().map_or(NOBODY, |(_, h)| h.as_str());
            let valid = verify_password(&password, hash);
            match found {
                Some((user, _)) if valid && !user.disabled => {
                    let id = generate_token().map_err(ApiError::from)?;
                    let csrf = generate_token().map_err(ApiError::from)?;
                    let expires = chrono::Utc::now()
                        + chrono::Duration::from_std(ttl).map_err(|e| ApiError::internal(e.to_string()))?;
                    let session = Session {
                        hash: token_hash(&id),
                        user: user.name.clone(),
                        csrf,
                        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    };
                    store.add_session(&session)?;
                    store.attempt_succeeded(&keys[0], &keys[1])?;
                    store.purge_expired()?;
                    store.record(&actor, "login", "users", &user.name, serde_json::json!({}))?;
                    Ok(Some((user, id, session)))
                }
                _ => {
                    store.record(&actor, "login_failed", "users", &actor.name, serde_json::json!({}))?;
                    Ok(None)
                }
            }
        })
        .await?;
    let Some((user, id, session)) = opened else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "wrong name or password"));
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", ttl.as_secs());
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((user, cookie, session))
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let expired = end_session(&state, &caller).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
}

/// Ends the caller's session (audited) and returns the cookie that clears it.
pub(crate) async fn end_session(state: &Arc<AppState>, caller: &Caller) -> Result<HeaderValue, ApiError> {
    let actor = caller.actor("?");
    if let Some(hash) = caller.session.clone() {
        state
            .blocking(move |_, store| {
                store.end_session(&hash)?;
                store.record(&actor, "logout", "users", &actor.name, serde_json::json!({}))?;
                Ok(())
            })
            .await?;
    }
    Ok(HeaderValue::from_static("vigie_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
}

pub async fn me(Extension(caller): Extension<Caller>) -> Result<Json<serde_json::Value>, ApiError> {
    caller.user.as_ref().map(|u| Json(user_json(u))).ok_or_else(ApiError::unauthenticated)
}

/// An anonymous visitor filters only by the public report's cuts: anything else is refused,
/// naming what is allowed. `names` are the query's names besides the month (and the page's own).
pub(crate) fn public_filters_only<'a>(
    caller: &Caller,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), ApiError> {
    if caller.user.is_some() {
        return Ok(());
    }
    match names.into_iter().find(|name| !PUBLIC_FILTERS.contains(name)) {
        None => Ok(()),
        Some(name) => Err(ApiError::bad_request(format!(
            "the public figures are filtered by month, {} only, not by `{name}`",
            PUBLIC_FILTERS.join(" and ")
        ))),
    }
}

/// The month's answer for `filter`, and what the caller may see of it (the disclosure rule).
/// Every filtered answer that withholds a figure from its caller is audited with its filters
/// (`asked`), so that probing by overlapping filters shows in the audit log (an unfiltered
/// month, the dashboard's first view, probes nothing and is not).
pub(crate) fn disclosed(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    caller: &Caller,
    month: Month,
    filter: &Filter,
    asked: &[(String, String)],
) -> Result<(Arc<vigie_store::CachedAnswer>, Arc<Disclosure>), ApiError> {
    let answer = state.shared.month_tables(&*store, month, filter)?;
    let disclosure = state.shared.disclosure(&*store, &answer, filter, &caller.sight(), state.min_count)?;
    if !disclosure.is_exact() && !asked.is_empty() {
        let filters: Vec<String> = asked.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let what = serde_json::json!({ "filters": filters, "too_few": disclosure.too_few() });
        state.audit_read(store, caller.actor("anonymous"), "withheld", "tables", &month.to_string(), what)?;
    }
    Ok((answer, disclosure))
}

/// The month's cells, as `vigie tables --format json` writes them, for the filters of the
/// query string (the CLI's names; a name may repeat), as the disclosure rule lets the caller
/// see them: a withheld cell is `null` with `"suppressed": true`.
pub async fn tables(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (month, asked, filter) = month_and_filter(&state, &caller, query)?;
    let body = state
        .blocking(move |state, store| {
            let (answer, disclosure) = disclosed(state, &mut *store, &caller, month, &filter, &asked)?;
            let catalog = state.shared.catalog();
            answer.rendered(&format!("json {:?}", caller.sight()), |answer| {
                let mut body = Vec::new();
                let cells = vigie_report::disclosed(vigie_report::cells(&answer.0, catalog), &disclosure);
                vigie_report::write_json_disclosed(&month.to_string(), &cells, &disclosure, &mut body)
                    .map_err(ApiError::internal)?;
                Ok(body)
            })
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], axum::body::Bytes::from_owner(body)).into_response())
}

/// A query's names and values, in order.
type Pairs = Vec<(String, String)>;

/// A month's answer's query: its month (`month=YYYY-MM`), the other names asked, and the filter
/// they make (an anonymous visitor: the public cuts only).
fn month_and_filter(state: &AppState, caller: &Caller, query: Pairs) -> Result<(Month, Pairs, Filter), ApiError> {
    let month = query
        .iter()
        .find(|(k, _)| k == "month")
        .and_then(|(_, v)| Month::parse(v))
        .ok_or_else(|| ApiError::bad_request("give the month as month=YYYY-MM"))?;
    let asked: Vec<(String, String)> = query.into_iter().filter(|(k, _)| k != "month").collect();
    public_filters_only(caller, asked.iter().map(|(k, _)| k.as_str()))?;
    let filter = Filter::from_codes(state.shared.catalog(), asked.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::bad_request)?;
    Ok((month, asked, filter))
}

/// `GET /api/v1/signals?month=`: the month's early-warning signals in the places and categories
/// of the tables' filters, as `vigie signals --format json` writes them, each figure as the
/// caller may see it (a withheld one `null`, named in its signal's `suppressed`). A withheld
/// figure is audited, as the tables' are.
pub async fn signals(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    Query(mut query): Query<Vec<(String, String)>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let asked = query.iter().position(|(k, _)| k == "lang").map(|i| query.remove(i).1);
    let lang = crate::pages::request_language(asked.as_deref(), &headers);
    let (month, _, filter) = month_and_filter(&state, &caller, query)?;
    state
        .blocking(move |state, store| {
            let rows = month_signals(state, &mut *store, &caller.sight(), month, &filter, lang)?;
            if rows.iter().any(|r| !r.withheld.is_empty()) {
                let what = serde_json::json!({ "signals": true });
                state.audit_read(store, caller.actor("anonymous"), "withheld", "signals", &month.to_string(), what)?;
            }
            Ok(Json(vigie_report::signals::to_json(&month.to_string(), &rows, state.min_count.get())))
        })
        .await
}

/// The signals of `tables` (a month's, for a filter) as a caller of `sight` may see them, by
/// the one disclosure rule: the API's and the dashboard's.
pub(crate) fn shown_signals(
    state: &AppState,
    tables: &vigie_core::aggregate::MonthTables,
    sight: &vigie_core::aggregate::Sight,
) -> Vec<vigie_core::aggregate::Shown> {
    let live = state.shared.current();
    let rules = state.shared.signal_rules();
    vigie_core::aggregate::disclose(tables.signals.clone(), &live.facts, rules, tables.month, sight, state.min_count)
}

/// The month's signals in the places and categories of `filter`, as a caller of `sight` may
/// see them.
fn month_signals(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    sight: &vigie_core::aggregate::Sight,
    month: Month,
    filter: &Filter,
    lang: vigie_i18n::Lang,
) -> Result<Vec<vigie_report::signals::SignalRow>, ApiError> {
    let answer = state.shared.month_tables(&*store, month, filter)?;
    let shown = shown_signals(state, &answer.0, sight);
    Ok(vigie_report::signals::rows(&shown, state.shared.catalog(), state.shared.signal_rules(), lang))
}

pub async fn users(State(state): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, ApiError> {
    let users = state.blocking(|_, store| Ok(store.users()?)).await?;
    let users: Vec<serde_json::Value> = users
        .iter()
        .map(|u| {
            let mut json = user_json(u);
            json["disabled"] = u.disabled.into();
            json
        })
        .collect();
    Ok(Json(serde_json::json!({ "users": users })))
}

/// The audit log's filters: `actor`, `action`, `from` and `to` (days, UTC) and `limit`.
#[derive(Deserialize, Default)]
pub struct AuditFilters {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
}

impl AuditFilters {
    pub(crate) fn query(&self) -> Result<vigie_store::AuditQuery, ApiError> {
        let day = |text: &Option<String>| -> Result<Option<chrono::NaiveDate>, ApiError> {
            match text.as_deref().filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => vigie_core::records::parse_iso_date(t)
                    .map(Some)
                    .ok_or_else(|| ApiError::bad_request(format!("`{t}` is not a day: write YYYY-MM-DD"))),
            }
        };
        let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        Ok(vigie_store::AuditQuery {
            actor: text(&self.actor),
            action: text(&self.action),
            from: day(&self.from)?,
            to: day(&self.to)?,
            limit: self.limit.unwrap_or(200).clamp(1, 5000),
        })
    }
}

/// The audit log's entries for `query`; the reading itself is audited, with its filters.
pub(crate) async fn read_audit(
    state: &Arc<AppState>,
    caller: &Caller,
    query: vigie_store::AuditQuery,
) -> Result<Vec<vigie_store::AuditEntry>, ApiError> {
    let actor = caller.actor("?");
    state
        .blocking(move |_, store| {
            let read = serde_json::json!({
                "actor": query.actor, "action": query.action, "limit": query.limit,
                "from": query.from.map(|d| d.to_string()), "to": query.to.map(|d| d.to_string()),
            });
            store.record(&actor, "audit_read", "audit_log", "", read)?;
            Ok(store.audit_search(&query)?)
        })
        .await
}

pub async fn audit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(filters): Query<AuditFilters>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let entries = read_audit(&state, &caller, filters.query()?).await?;
    let entries: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "at": e.at, "action": e.action, "entity": e.entity, "entity_id": e.entity_id,
                "old": e.old, "new": e.new, "actor": e.actor,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "entries": entries })))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// Imports a CSV body in an exchange format (`violations`, `alerts`, `risk`), all or nothing,
/// with the command line's validation and row errors. A partner imports its own
/// organisation's rows only, and no id of another organisation's record.
pub async fn import(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(kind): Path<String>,
    Query(query): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let kind = match kind.as_str() {
        "violations" => vigie_store::RecordKind::Violations,
        "alerts" => vigie_store::RecordKind::Alerts,
        "risk" => vigie_store::RecordKind::RiskAnswers,
        _ => return Err(ApiError::not_found()),
    };
    let _taking_in = state.upload_slot()?;
    let mut upload = Upload::new()?;
    if let Err(refused) = upload.body(body, "upload.csv").await {
        return Err(state.refused_upload(&caller, refused).await);
    }
    state
        .blocking(move |state, store| {
            let report = match imported(state, store, kind, &caller, &upload, query.dry_run, DEFAULT_MAX_ERRORS)? {
                Imported::Done(report) => report,
                Imported::Invalid { errors, more } => {
                    let mut error = ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid",
                        "nothing was imported: fix these rows",
                    );
                    error.details = errors.iter().map(ToString::to_string).collect();
                    if more > 0 {
                        error.details.push(format!("… and {more} more errors"));
                    }
                    return Err(error);
                }
            };
            let t = report.total;
            let counts = serde_json::json!({ "inserted": t.inserted, "updated": t.updated, "unchanged": t.unchanged });
            let warnings: Vec<String> = report.files.iter().flat_map(|f| f.warnings.iter().cloned()).collect();
            Ok(Json(serde_json::json!({ "committed": report.committed, "total": counts, "warnings": warnings })))
        })
        .await
}

use vigie_import::DEFAULT_MAX_ERRORS;

/// What an uploaded file's import did: its report, or the rules its rows broke (the first
/// `max_errors` of them, and how many more), nothing imported.
pub(crate) enum Imported {
    Done(vigie_import::Report),
    Invalid { errors: Vec<vigie_import::RowError>, more: u64 },
}

/// Imports an uploaded file as the command does — all or nothing, re-imports changing nothing
/// — as `caller` (a partner, its own organisation's rows only), audited. Its messages name the
/// file as the caller named it, never a path of the server.
#[allow(clippy::too_many_arguments)]
pub(crate) fn imported(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    kind: vigie_store::RecordKind,
    caller: &Caller,
    upload: &Upload,
    dry_run: bool,
    max_errors: usize,
) -> Result<Imported, ApiError> {
    let outcome = import_upload(state, store, kind, caller, upload, dry_run, max_errors);
    counted(state, kind.name(), outcome)
}

/// An import's outcome, counted for the operator's metrics as it goes by.
fn counted(state: &AppState, kind: &str, outcome: Result<Imported, ApiError>) -> Result<Imported, ApiError> {
    let (label, rows) = match &outcome {
        Ok(Imported::Done(report)) => {
            (if report.committed { "committed" } else { "dry_run" }, report.files.iter().map(|f| f.rows).sum())
        }
        Ok(Imported::Invalid { .. }) => ("invalid", 0),
        Err(e) if e.status.is_server_error() => ("failed", 0),
        Err(_) => ("refused", 0),
    };
    state.metrics.import(kind, label, rows);
    outcome
}

fn import_upload(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    kind: vigie_store::RecordKind,
    caller: &Caller,
    upload: &Upload,
    dry_run: bool,
    max_errors: usize,
) -> Result<Imported, ApiError> {
    let actor = caller.actor("?");
    let path =
        upload.files.first().map(|(path, _)| path.clone()).ok_or_else(|| ApiError::bad_request("send a file"))?;
    let hide = |text: String| upload.hide(text);
    let options = upload_options(caller, &actor, dry_run, max_errors);
    let catalog = state.shared.catalog();
    let mut report = match vigie_import::import_files(store, catalog, kind, &[path], &options, &mut |_| {}) {
        Ok(report) => report,
        Err(vigie_import::ImportError::Invalid { mut errors, more }) => {
            for e in &mut errors {
                e.file = hide(std::mem::take(&mut e.file));
            }
            return Ok(Imported::Invalid { errors, more });
        }
        Err(vigie_import::ImportError::Read(e)) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable", hide(e.to_string())));
        }
        Err(vigie_import::ImportError::Store(vigie_store::StoreError::Forbidden(message))) => {
            store.record(&actor, "denied", kind.name(), "import", serde_json::json!({ "why": message }))?;
            return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", message));
        }
        Err(vigie_import::ImportError::Store(e)) => return Err(e.into()),
    };
    for file in &mut report.files {
        file.warnings = file.warnings.drain(..).map(hide).collect();
    }
    if report.committed {
        state.shared.catch_up(&*store)?;
    }
    Ok(Imported::Done(report))
}

/// An upload's import options: as `caller` (a partner: its own organisation's rows only).
fn upload_options(
    caller: &Caller,
    actor: &vigie_store::Actor,
    dry_run: bool,
    max_errors: usize,
) -> vigie_import::Options {
    vigie_import::Options {
        dry_run,
        max_errors,
        today: chrono::Utc::now().date_naive(),
        organization: crate::records::scope(caller),
        actor: actor.clone(),
        replace: None,
    }
}

/// Imports uploaded KoBo/ODK exports (files named as the caller named them) through `mapping`
/// (a mapping file's text, else Vigie's own form's), with the same rules as [`imported`].
pub(crate) fn imported_kobo(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    caller: &Caller,
    upload: &Upload,
    mapping: Option<&str>,
    max_errors: usize,
) -> Result<Imported, ApiError> {
    let outcome = import_kobo_upload(state, store, caller, upload, mapping, max_errors);
    counted(state, "kobo", outcome)
}

fn import_kobo_upload(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    caller: &Caller,
    upload: &Upload,
    mapping: Option<&str>,
    max_errors: usize,
) -> Result<Imported, ApiError> {
    let actor = caller.actor("?");
    let unreadable = |message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable", message);
    let mapping = match mapping {
        Some(text) => vigie_kobo::mapping::Mapping::parse("mapping", text).map_err(|e| unreadable(e.to_string()))?,
        None => vigie_kobo::mapping::Mapping::vigie(),
    };
    let options = upload_options(caller, &actor, false, max_errors);
    let catalog = state.shared.catalog();
    use vigie_kobo::import::KoboImportError as E;
    let limits = vigie_kobo::bounds::Limits::UPLOAD;
    let mut report = match vigie_kobo::import::import(store, catalog, &upload.files, &mapping, false, &options, &limits)
    {
        Ok(imported) => {
            let mut report = imported.report;
            if let Some(first) = report.files.first_mut() {
                first.warnings.extend(imported.warnings);
            }
            report
        }
        Err(E::Invalid { errors, more }) => {
            let errors = errors
                .into_iter()
                .map(|e| vigie_import::RowError {
                    file: format!("{} ({})", e.file, e.sheet),
                    line: e.line,
                    column: e.field,
                    value: e.value,
                    expected: e.expected,
                    rule: e.rule,
                })
                .collect();
            return Ok(Imported::Invalid { errors, more });
        }
        Err(E::Import(vigie_import::ImportError::Store(vigie_store::StoreError::Forbidden(message)))) => {
            store.record(&actor, "denied", "violations", "import", serde_json::json!({ "why": message }))?;
            return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", message));
        }
        Err(E::Import(vigie_import::ImportError::Store(e))) => return Err(e.into()),
        Err(E::Kobo(e @ vigie_kobo::KoboError::TooLarge { .. })) => {
            let refused = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string());
            store.record(&actor, "upload_refused", "imports", "kobo", serde_json::json!({ "why": refused.message }))?;
            return Err(refused);
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    for file in &mut report.files {
        file.warnings = file.warnings.drain(..).map(|w| upload.hide(w)).collect();
    }
    if report.committed {
        state.shared.catch_up(&*store)?;
    }
    Ok(Imported::Done(report))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    lang: Option<String>,
    /// `tables.csv`: HXL's hashtag row under the header.
    #[serde(default)]
    hxl: bool,
}

/// A file of the month's report — `pdf`, `html`, `tables.csv`, or `incidents.xlsx` (the
/// incident list names every organisation's incidents: IM officers and admins only) — drawn
/// from the same aggregation layer as every other answer. Every download is audited.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn report(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((month, file)): Path<(String, String)>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let month = Month::parse(&month).ok_or_else(|| ApiError::bad_request("give the month as YYYY-MM"))?;
    let lang = match query.lang.as_deref() {
        None => vigie_report::Lang::default(),
        Some(code) => {
            vigie_report::Lang::parse(code).ok_or_else(|| ApiError::bad_request(format!("no language `{code}`")))?
        }
    };
    let (file, content_type) = match file.as_str() {
        "pdf" => (ReportFile::Pdf, "application/pdf"),
        "html" => (ReportFile::Html, "text/html; charset=utf-8"),
        "tables.csv" => (ReportFile::TablesCsv, "text/csv; charset=utf-8"),
        "incidents.xlsx" => (ReportFile::Incidents, XLSX),
        "tables.xlsx" => (ReportFile::TablesXlsx, XLSX),
        _ => return Err(ApiError::not_found()),
    };
    let role = caller.user.as_ref().map(|u| u.role);
    // The incident list names incidents: IM officers and admins only. The tables' workbook:
    // signed-in users only.
    let allowed = match file {
        ReportFile::Incidents => role.is_some_and(Role::may_download_incident_list),
        ReportFile::TablesXlsx => role.is_some(),
        _ => true,
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    // An anonymous visitor (public access on) gets no analyst's text; whoever has records hidden
    // from them gets the figures the disclosure rule lets through.
    let public = role.is_none();
    let actor = caller.actor("?");
    let (name, bytes) = state
        .blocking(move |state, store| {
            let catalog = state.shared.catalog();
            let names = vigie_report::report::file_names(lang, month);
            // Only the file asked for is made: the PDF alone takes seconds to compile.
            let (name, bytes) = if file == ReportFile::Incidents {
                if caller.sight() != Sight::Everything {
                    return Err(ApiError::forbidden());
                }
                let incidents = store.violations_between(catalog, month.first_day(), month.last_day())?;
                let bytes = vigie_report::report::incident_list(&incidents, catalog, lang);
                (names.incidents, bytes.map_err(ApiError::internal)?)
            } else {
                let (answer, disclosure) = disclosed(state, &mut *store, &caller, month, &Filter::default(), &[])?;
                let restricted = (caller.sight() != Sight::Everything).then_some(&*disclosure);
                let cells = || vigie_report::report::tables_cells(&answer.0, catalog, restricted);
                match file {
                    ReportFile::TablesCsv => {
                        let mut bytes = Vec::new();
                        vigie_report::write_csv_with(&cells(), &mut bytes, query.hxl).map_err(ApiError::internal)?;
                        (names.tables, bytes)
                    }
                    ReportFile::TablesXlsx => {
                        let bytes = vigie_report::tables_workbook(&cells(), catalog, lang);
                        (format!("tables-{month}.xlsx"), bytes.map_err(ApiError::internal)?)
                    }
                    _ => {
                        let live = state.shared.current();
                        let annexes = vigie_report::Annexes::of_report(answer.1.clone(), &live.facts, catalog, month);
                        // The public version carries no analyst's text.
                        let inputs = if public {
                            vigie_report::Inputs::default()
                        } else {
                            crate::publish::written_inputs(&*store, month)?
                        };
                        let report = vigie_report::report::Report::build(
                            &answer.0, catalog, lang, &inputs, restricted, &annexes,
                        );
                        if file == ReportFile::Pdf {
                            (names.pdf, report.pdf().map_err(ApiError::internal)?.0)
                        } else {
                            (names.html, report.html().into_bytes())
                        }
                    }
                }
            };
            state.audit_read(
                &mut *store,
                actor,
                "download",
                "reports",
                &name,
                serde_json::json!({ "month": month.to_string() }),
            )?;
            Ok((name, bytes))
        })
        .await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    let disposition = HeaderValue::from_str(&disposition).map_err(ApiError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

/// The files of a month's report one may download.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReportFile {
    Pdf,
    Html,
    TablesCsv,
    TablesXlsx,
    Incidents,
}

pub async fn settings(State(state): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, ApiError> {
    let public = state.blocking(|_, store| Ok(store.public_access()?)).await?;
    Ok(Json(serde_json::json!({ "public_access": public })))
}

#[derive(Deserialize)]
pub struct Settings {
    public_access: bool,
}

/// Switches public access (the public aggregates for anonymous visitors) on or off; audited.
pub async fn change_settings(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<Settings>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = caller.actor("?");
    state.blocking(move |_, store| Ok(store.set_public_access(body.public_access, &actor)?)).await?;
    Ok(Json(serde_json::json!({ "public_access": body.public_access })))
}

/// A verification decision: a status, and for `rejected` its reason.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

/// A violation's verification as set, with what it was.
pub(crate) fn verified_json(done: &vigie_store::Verified) -> serde_json::Value {
    let codes = |d: &vigie_core::Decision| {
        let (status, reason) = d.codes();
        serde_json::json!({ "status": status, "reason": reason })
    };
    let mut answer = codes(&done.after);
    answer["id"] = done.id.clone().into();
    answer["previous"] = codes(&done.before);
    answer
}

/// Writes verification decisions (all or nothing, audited) for the API and the pages alike,
/// and waits until they are counted: the caller's next answer sees them.
pub(crate) async fn verified(
    state: &Arc<AppState>,
    caller: &Caller,
    decisions: Vec<(String, vigie_core::Decision)>,
) -> Result<Vec<vigie_store::Verified>, ApiError> {
    let actor = caller.actor("?");
    state
        .blocking(move |state, store| {
            let done = store.set_verification(&decisions, &actor)?;
            state.shared.catch_up(&*store)?;
            Ok(done)
        })
        .await
}

/// Records a decision about a pair of violations (audited) for the API and the pages alike,
/// and waits until the counts take it in.
pub(crate) async fn decided(
    state: &Arc<AppState>,
    caller: &Caller,
    a: &str,
    b: &str,
    decision: vigie_store::PairDecision,
) -> Result<(), ApiError> {
    let (actor, a, b) = (caller.actor("?"), a.to_owned(), b.to_owned());
    state
        .blocking(move |state, store| {
            store.decide_pair(&a, &b, decision, &actor)?;
            state.shared.catch_up(&*store)?;
            Ok(())
        })
        .await
}

/// Sets a violation's verification status (audited with its old and new values).
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<VerificationBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let decision = vigie_core::Decision::parse(&body.status, body.reason.as_deref()).map_err(ApiError::bad_request)?;
    let done = verified(&state, &caller, vec![(id, decision)]).await?;
    let done = done.first().ok_or_else(|| ApiError::internal("a decision without its outcome"))?;
    Ok(Json(verified_json(done)))
}

#[derive(Deserialize)]
pub struct DuplicatesQuery {
    month: String,
}

/// A proposed pair as the API and the review page show it.
pub(crate) fn candidate_json(c: &vigie_core::duplicates::Candidate) -> serde_json::Value {
    let reasons: Vec<String> = c.reasons.iter().map(|r| r.code()).collect();
    serde_json::json!({ "a": c.a, "b": c.b, "score": c.score, "reasons": reasons })
}

/// The month's pairs of violations that may be one event reported twice, best first.
pub async fn duplicates(
    State(state): State<Arc<AppState>>,
    Query(query): Query<DuplicatesQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let month = Month::parse(&query.month).ok_or_else(|| ApiError::bad_request("month: YYYY-MM"))?;
    let threshold = vigie_core::duplicates::DEFAULT_THRESHOLD;
    let pairs = state
        .blocking(move |state, store| {
            Ok(vigie_store::duplicate_candidates(&*store, state.shared.catalog(), month, threshold)?)
        })
        .await?;
    let pairs: Vec<serde_json::Value> = pairs.iter().map(candidate_json).collect();
    Ok(Json(serde_json::json!({ "month": month.to_string(), "threshold": threshold, "pairs": pairs })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairBody {
    a: String,
    b: String,
    decision: String,
}

/// Decides about a pair: `same` (b is a's duplicate and leaves every count), `distinct` (never
/// proposed again) or `undo`; audited.
pub async fn decide_pair(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PairBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let decision = vigie_store::PairDecision::parse(&body.decision)
        .ok_or_else(|| ApiError::bad_request("decision: same, distinct or undo"))?;
    decided(&state, &caller, &body.a, &body.b, decision).await?;
    Ok(Json(serde_json::json!({ "a": body.a, "b": body.b, "decision": decision.code() })))
}

#[derive(Deserialize)]
pub struct GeojsonQuery {
    month: String,
    level: Option<String>,
    lang: Option<String>,
}

/// The month's units (regions, cercles or communes) as GeoJSON with their figures, as the
/// disclosure rule lets the caller see them.
pub async fn geojson(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<GeojsonQuery>,
) -> Result<Response, ApiError> {
    let month = Month::parse(&query.month).ok_or_else(|| ApiError::bad_request("month: YYYY-MM"))?;
    let level = match query.level.as_deref() {
        None => vigie_report::MapLevel::Commune,
        Some(name) => vigie_report::MapLevel::parse(name)
            .ok_or_else(|| ApiError::bad_request("level: region, cercle or commune"))?,
    };
    let lang = match query.lang.as_deref() {
        None => vigie_report::Lang::default(),
        Some(code) => {
            vigie_report::Lang::parse(code).ok_or_else(|| ApiError::bad_request(format!("no language `{code}`")))?
        }
    };
    let bytes = state
        .blocking(move |state, store| {
            let (answer, disclosure) = disclosed(state, &mut *store, &caller, month, &Filter::default(), &[])?;
            let restricted = (caller.sight() != Sight::Everything).then_some(&*disclosure);
            let mut bytes = Vec::new();
            vigie_report::geojson::write(
                &answer.0,
                &answer.1,
                state.shared.catalog(),
                level,
                restricted,
                lang,
                &mut bytes,
            )
            .map_err(ApiError::internal)?;
            Ok(bytes)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"))], bytes).into_response())
}
