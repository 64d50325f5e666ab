//! Who is calling, and whether they may: every route is declared here with the roles it
//! allows, and reaches its handler only through [`guard`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use vigie_core::aggregate::Sight;
use vigie_store::accounts::token_hash;
use vigie_store::{Actor, RecordKind, Role, User};

use crate::error::ApiError;
use crate::{AppState, api, pages, records};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// Anyone, signed in or not.
    Anyone,
    /// Signed-in users (by session or bearer token) with one of these roles.
    Roles(&'static [Role]),
    /// The same, and anonymous visitors while an admin has switched public access on: they get
    /// the public version (small counts hidden, no narrative, no incident list).
    PublicOr(&'static [Role]),
}

/// A route and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub allow: Allow,
    /// What it does, in the OpenAPI document.
    pub summary: &'static str,
}

const EVERY_ROLE: &[Role] = &Role::ALL;
/// An upload's whole body: its files, each within [`crate::uploads::IMPORT_LIMIT`], and a form's
/// other fields.
const UPLOAD_BODY: usize = 2 * crate::uploads::IMPORT_LIMIT as usize;
const ADMIN: &[Role] = &[Role::Admin];
/// Who writes the report's own words: the analysts.
const ANALYSTS: &[Role] = &[Role::Admin, Role::ImOfficer];
/// Who may see and write individual records (a partner, only its own organisation's).
const RECORDS: &[Role] = &[Role::Admin, Role::ImOfficer, Role::Partner];

fn spec(method: &'static str, path: &'static str, allow: Allow, summary: &'static str) -> RouteSpec {
    RouteSpec { method, path, allow, summary }
}

/// Every route of the server with its handler: the one list the router is built from.
fn table() -> Vec<(RouteSpec, MethodRouter<Arc<AppState>>)> {
    let mut table = vec![
        (spec("GET", "/api/v1/health", Allow::Anyone, "Whether the server answers."), get(api::health)),
        (spec("GET", "/api/openapi.json", Allow::Anyone, "This document."), get(crate::openapi::serve)),
        (spec("GET", "/", Allow::Anyone, "Page: to the dashboard."), get(pages::home)),
        (spec("GET", "/assets/vigie.css", Allow::Anyone, "The pages' stylesheet."), get(pages::stylesheet)),
        (
            spec("GET", "/assets/vigie.js", Allow::Anyone, "The pages' script (progressive enhancement)."),
            get(pages::script),
        ),
        (spec("GET", "/login", Allow::Anyone, "Page: the sign-in form."), get(pages::sign_in_page)),
        (spec("POST", "/login", Allow::Anyone, "Page: sign in (a form), then the dashboard."), post(pages::sign_in)),
        (spec("POST", "/logout", Allow::Roles(EVERY_ROLE), "Page: sign out (a form)."), post(pages::sign_out)),
        (
            spec(
                "GET",
                "/dashboard",
                Allow::PublicOr(EVERY_ROLE),
                "Page: the month's key figures and charts, for the filters of the URL.",
            ),
            get(pages::dashboard),
        ),
        (
            spec(
                "GET",
                "/violations.csv",
                Allow::Roles(RECORDS),
                "Download: the violations of the list's filters as violations.csv, streamed (audited).",
            ),
            get(pages::records::download_csv),
        ),
        (
            spec(
                "GET",
                "/violations.xlsx",
                Allow::Roles(RECORDS),
                "Download: the violations of the list's filters as an Excel workbook (audited).",
            ),
            get(pages::records::download_xlsx),
        ),
        (
            spec("GET", "/imports", Allow::Roles(RECORDS), "Page: upload a file to import, and the import history."),
            get(pages::imports::imports),
        ),
        (
            spec("POST", "/imports", Allow::Roles(RECORDS), "Page: a file uploaded (a form), imported all or nothing."),
            post(pages::imports::upload).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY)),
        ),
        (
            spec(
                "GET",
                "/reports",
                Allow::PublicOr(EVERY_ROLE),
                "Page: the month's report, tables and incident list, by role.",
            ),
            get(pages::reports::reports),
        ),
        (
            spec(
                "GET",
                "/texts",
                Allow::Roles(ANALYSTS),
                "Page: the report's texts and recommendations, numbers checked.",
            ),
            get(pages::texts::texts),
        ),
        (
            spec("POST", "/texts", Allow::Roles(ANALYSTS), "Page: a report text saved (a form)."),
            post(pages::texts::save_text),
        ),
        (
            spec("POST", "/recommendations", Allow::Roles(ANALYSTS), "Page: a recommendation added (a form)."),
            post(pages::texts::add_recommendation),
        ),
        (
            spec(
                "POST",
                "/recommendations/{id}",
                Allow::Roles(ANALYSTS),
                "Page: a recommendation followed up or closed (a form).",
            ),
            post(pages::texts::follow_up),
        ),
        (
            spec("GET", "/admin", Allow::Roles(ADMIN), "Page: accounts, organisations, public access."),
            get(pages::admin::admin),
        ),
        (
            spec("POST", "/admin/users", Allow::Roles(ADMIN), "Page: an account added (a form)."),
            post(pages::admin::add_user),
        ),
        (
            spec(
                "POST",
                "/admin/users/{name}",
                Allow::Roles(ADMIN),
                "Page: an account disabled, enabled or given a password (a form).",
            ),
            post(pages::admin::change_user),
        ),
        (
            spec("POST", "/admin/organizations", Allow::Roles(ADMIN), "Page: an organisation added (a form)."),
            post(pages::admin::add_organization),
        ),
        (
            spec("POST", "/admin/settings", Allow::Roles(ADMIN), "Page: public access switched (a form)."),
            post(pages::admin::settings),
        ),
        (
            spec("GET", "/admin/audit", Allow::Roles(ADMIN), "Page: the audit log, by actor, action and day."),
            get(pages::admin::audit),
        ),
        (
            spec("POST", "/api/v1/login", Allow::Anyone, "Sign in: a session cookie and its CSRF token."),
            post(api::login),
        ),
        (spec("POST", "/api/v1/logout", Allow::Roles(EVERY_ROLE), "End the session."), post(api::logout)),
        (spec("GET", "/api/v1/me", Allow::Roles(EVERY_ROLE), "Who is signed in."), get(api::me)),
        (
            spec(
                "GET",
                "/api/v1/tables",
                Allow::PublicOr(EVERY_ROLE),
                "A month's report tables (`vigie tables --format json`), for the tables' filters.",
            ),
            get(api::tables),
        ),
        (
            spec(
                "GET",
                "/api/v1/reports/{month}/{file}",
                Allow::PublicOr(EVERY_ROLE),
                "A file of the month's report: pdf, html, tables.csv, tables.xlsx (signed in) or incidents.xlsx (IM officers and admins).",
            ),
            get(api::report),
        ),
        (
            spec(
                "POST",
                "/api/v1/imports/{kind}",
                Allow::Roles(RECORDS),
                "Import a CSV body (violations, alerts or risk), all or nothing.",
            ),
            post(api::import).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY)),
        ),
        (spec("GET", "/api/v1/users", Allow::Roles(ADMIN), "The accounts."), get(api::users)),
        (spec("GET", "/api/v1/settings", Allow::Roles(ADMIN), "The settings."), get(api::settings)),
        (
            spec("PUT", "/api/v1/settings", Allow::Roles(ADMIN), "Switch public access on or off."),
            put(api::change_settings),
        ),
        (
            spec(
                "GET",
                "/api/v1/audit",
                Allow::Roles(ADMIN),
                "The newest audit entries, by actor, action and days (`from`, `to`).",
            ),
            get(api::audit),
        ),
    ];
    // Violations, alerts and risk answers: the same five routes, one handler each.
    for kind in RecordKind::ALL {
        let (list, one) = records::paths(kind);
        let routes: [(&'static str, &'static str, &'static str, MethodRouter<Arc<AppState>>); 5] = [
            ("GET", list, "The records the caller may see: filtered, sorted, paged.", get(records::list)),
            ("POST", list, "Create a record, validated as an import row.", post(records::create)),
            ("GET", one, "One record, details included (audited).", get(records::get)),
            ("PUT", one, "Correct a record, validated as an import row.", put(records::update)),
            ("DELETE", one, "Delete a record (its old values stay in the audit log).", delete(records::delete)),
        ];
        for (method, path, summary, handler) in routes {
            table.push((spec(method, path, Allow::Roles(RECORDS), summary), handler.layer(Extension(kind))));
        }
        let (list, new, one, edit) = pages::records::paths(kind);
        let routes: [(&'static str, &'static str, &'static str, MethodRouter<Arc<AppState>>); 6] = [
            ("GET", list, "Page: the records the caller may see.", get(pages::records::list)),
            ("GET", new, "Page: the entry form.", get(pages::records::new)),
            ("POST", new, "Page: the entry form, sent.", post(pages::records::create)),
            ("GET", one, "Page: one record, its long text included (audited).", get(pages::records::view)),
            ("GET", edit, "Page: a record's edit form (audited as a view).", get(pages::records::edit)),
            ("POST", edit, "Page: the edit form, sent.", post(pages::records::update)),
        ];
        for (method, path, summary, handler) in routes {
            table.push((spec(method, path, Allow::Roles(RECORDS), summary), handler.layer(Extension(kind))));
        }
    }
    table
}

/// Every route, each behind [`guard`] with its permission.
pub(crate) fn routes(state: &Arc<AppState>) -> Vec<(RouteSpec, MethodRouter<Arc<AppState>>)> {
    table()
        .into_iter()
        .map(|(spec, handler)| {
            let guarded: MethodRouter<Arc<AppState>> = handler
                .layer::<_, std::convert::Infallible>(middleware::from_fn_with_state(Arc::clone(state), guard))
                .layer::<_, std::convert::Infallible>(Extension(spec));
            (spec, guarded)
        })
        .collect()
}

/// The declared routes, for the authorization test and the documentation.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_iter().map(|(spec, _)| spec).collect()
}

/// The caller of a request, as [`guard`] established it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Option<User>,
    /// The session's cookie hash, when signed in by session.
    pub session: Option<String>,
    /// The session's CSRF token, for the forms of a page.
    pub csrf: Option<String>,
    pub client: Option<String>,
}

impl Caller {
    /// Whose records the caller may see one by one; the rest reach it only through the
    /// disclosure rule. Admins and IM officers see every record, a partner its organisation's.
    pub fn sight(&self) -> Sight {
        match self.user.as_ref().map(|u| (u.role, &u.organization)) {
            Some((Role::Admin | Role::ImOfficer, _)) => Sight::Everything,
            Some((Role::Partner, Some(own))) => Sight::Organization(own.clone()),
            _ => Sight::Nothing,
        }
    }

    /// Who the audit log names.
    pub fn actor(&self, fallback: &str) -> Actor {
        Actor {
            name: self.user.as_ref().map_or_else(|| fallback.to_owned(), |u| u.name.clone()),
            client: self.client.clone(),
        }
    }
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vigie_session";
/// The header a session-authenticated write must carry, with the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

fn cookie<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| c.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
    })
}

/// Establishes the caller (bearer token, else session cookie, else anonymous), refuses what
/// the route does not allow — 401 to the anonymous, 403 to others, and 403 to a session's
/// write without its CSRF token — and hands the caller to the handler.
async fn guard(
    State(state): State<Arc<AppState>>,
    Extension(spec): Extension<RouteSpec>,
    request: Request,
    next: Next,
) -> Response {
    match admit(state, spec, request, next).await {
        Ok(response) => response,
        Err(refusal) if !spec.path.starts_with("/api/") => refusal.page().into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn admit(state: Arc<AppState>, spec: RouteSpec, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| crate::proxy::client_address(c.0.ip(), forwarded, &state.trusted_proxies).to_string());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|token| token_hash(token.trim()));
    let session = cookie(&request, SESSION_COOKIE).map(token_hash);
    // A page's form carries the token in its action's query (`?csrf=`): forms send no headers.
    let in_query =
        request.uri().query().and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("csrf=")).map(str::to_owned));
    let csrf = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned).or(in_query);
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let caller = match (bearer, session) {
        (Some(hash), _) => {
            let user = state
                .blocking(move |_, store| {
                    let Some((user, token)) = store.user_for_token(&hash)? else { return Ok(None) };
                    // When it was last used, to the hour: one write an hour, not one a request.
                    if token.last_used_at.as_deref().is_none_or(|at| at < an_hour_ago().as_str()) {
                        store.touch_token(&hash)?;
                    }
                    Ok(Some(user))
                })
                .await?;
            if user.is_none() {
                return Err(ApiError::unauthenticated());
            }
            Caller { user, session: None, csrf: None, client }
        }
        (None, Some(hash)) => {
            let lookup = hash.clone();
            let found = state.blocking(move |_, store| Ok(store.session(&lookup)?)).await?;
            match found {
                Some((user, session)) if !expired(&session.expires_at) => {
                    if writes && csrf.as_deref() != Some(session.csrf.as_str()) {
                        return Err(ApiError::new(
                            axum::http::StatusCode::FORBIDDEN,
                            "csrf",
                            "this write needs the session's CSRF token in the X-CSRF-Token header",
                        ));
                    }
                    Caller { user: Some(user), session: Some(hash), csrf: Some(session.csrf), client }
                }
                // An unknown or expired session signs nobody in.
                _ => Caller { user: None, session: None, csrf: None, client },
            }
        }
        (None, None) => Caller { user: None, session: None, csrf: None, client },
    };
    match (spec.allow, &caller.user) {
        (Allow::Anyone, _) => {}
        (Allow::PublicOr(_), None) => {
            if !state.blocking(|_, store| Ok(store.public_access()?)).await? {
                return Err(ApiError::unauthenticated());
            }
        }
        (Allow::Roles(_), None) => return Err(ApiError::unauthenticated()),
        (Allow::Roles(roles) | Allow::PublicOr(roles), Some(user)) if !roles.contains(&user.role) => {
            return Err(ApiError::forbidden());
        }
        (Allow::Roles(_) | Allow::PublicOr(_), Some(_)) => {}
    }
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

fn an_hour_ago() -> String {
    (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether an RFC 3339 expiry time has passed (an unreadable one has).
fn expired(expires_at: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(expires_at).map_or(true, |at| at <= chrono::Utc::now())
}
