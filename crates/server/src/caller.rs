//! Who calls: the guard in front of every route establishes the caller (bearer token, else
//! session cookie, else anonymous), refuses what the route's [`Allow`] does not let it do, and
//! hands the [`Caller`] to the handler.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vigie_core::aggregate::Sight;
use vigie_store::accounts::token_hash;
use vigie_store::{Actor, Role, User};

use crate::AppState;
use crate::access_cache::Entry;
use crate::error::ApiError;

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
        self.user.as_ref().map_or(Sight::Nothing, |u| u.role.sight(u.organization.as_deref()))
    }

    /// Whether the caller's role has a permission (`Role::analyses`, …); anonymous: none.
    pub fn may(&self, permission: fn(Role) -> bool) -> bool {
        self.user.as_ref().is_some_and(|u| permission(u.role))
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
pub(crate) async fn guard(
    State(state): State<Arc<AppState>>,
    Extension(spec): Extension<RouteSpec>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let metrics = Arc::clone(&state);
    let response = match admit(state, spec, request, next).await {
        Ok(response) => response,
        Err(refusal) if !spec.path.starts_with("/api/") => refusal.page().into_response(),
        Err(refusal) => refusal.into_response(),
    };
    let took = started.elapsed();
    metrics.metrics.request(spec.method, spec.path, response.status(), took);
    // One line a request: the route's template, never its path or query (ids, names, filters).
    let ms = took.as_secs_f64() * 1000.0;
    tracing::info!(method = spec.method, route = spec.path, status = response.status().as_u16(), ms, "request");
    response
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
    // Taken before anything is read: a change of access committed after it makes what was read
    // with it stale.
    let tag = state.shared.access_tag();
    let caller = match (bearer, session) {
        (Some(hash), _) => {
            let Some(Entry::Token(user, mut token)) = signed_in(&state, &hash, tag, Credential::Token).await? else {
                return Err(ApiError::unauthenticated());
            };
            if expired(&token.expires_at) {
                return Err(ApiError::unauthenticated());
            }
            // When it was last used, to the hour: one write an hour, not one a request.
            if token.last_used_at.as_deref().is_none_or(|at| at < an_hour_ago().as_str()) {
                let touched = hash.clone();
                state.blocking(move |_, store| Ok(store.touch_token(&touched)?)).await?;
                token.last_used_at = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                state.access.keep(hash, tag, Entry::Token(user.clone(), token));
            }
            Caller { user: Some(user), session: None, csrf: None, client }
        }
        (None, Some(hash)) => {
            match signed_in(&state, &hash, tag, Credential::Session).await? {
                Some(Entry::Session(user, session)) if !expired(&session.expires_at) => {
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
            if !public_access(&state, tag).await? {
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Credential {
    Token,
    Session,
}

/// Whom the credential with `hash` signs in, expired or not: from the cache while `tag` holds,
/// else from the store (and then kept).
async fn signed_in(
    state: &Arc<AppState>,
    hash: &str,
    tag: Option<(u64, u64)>,
    kind: Credential,
) -> Result<Option<Entry>, ApiError> {
    let cached =
        state.access.get(hash, tag).filter(|entry| matches!(entry, Entry::Token(..)) == (kind == Credential::Token));
    if cached.is_some() {
        return Ok(cached);
    }
    let lookup = hash.to_owned();
    let found = state
        .blocking(move |_, store| {
            Ok(match kind {
                Credential::Token => store.user_for_token(&lookup)?.map(|(user, token)| Entry::Token(user, token)),
                Credential::Session => store.session(&lookup)?.map(|(user, session)| Entry::Session(user, session)),
            })
        })
        .await?;
    if let Some(entry) = &found {
        state.access.keep(hash.to_owned(), tag, entry.clone());
    }
    Ok(found)
}

/// Whether an admin has switched public access on, from the cache while `tag` holds.
pub(crate) async fn public_access(state: &Arc<AppState>, tag: Option<(u64, u64)>) -> Result<bool, ApiError> {
    if let Some(on) = state.access.public_access(tag) {
        return Ok(on);
    }
    let on = state.blocking(|_, store| Ok(store.public_access()?)).await?;
    state.access.keep_public_access(tag, on);
    Ok(on)
}

fn an_hour_ago() -> String {
    (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether an RFC 3339 expiry time has passed (an unreadable one has).
fn expired(expires_at: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(expires_at).map_or(true, |at| at <= chrono::Utc::now())
}
