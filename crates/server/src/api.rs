//! The handlers of `/api/v1`. Each runs after [`crate::access`] let its caller in; store work
//! runs on blocking threads.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use vigie_core::Month;
use vigie_core::aggregate::Filter;
use vigie_store::accounts::{generate_token, token_hash, verify_password};
use vigie_store::{Session, User};

use crate::AppState;
use crate::access::{Caller, SESSION_COOKIE};
use crate::error::ApiError;

fn user_json(user: &User) -> serde_json::Value {
    serde_json::json!({ "name": user.name, "role": user.role.name(), "organization": user.organization })
}

pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Deserialize)]
pub struct Login {
    name: String,
    password: String,
}

/// Checks a password (throttled per account and address), opens a session in an HttpOnly,
/// SameSite=Strict cookie and returns the session's CSRF token. Both outcomes are audited.
pub async fn login(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let keys = vec![format!("user:{}", body.name), format!("addr:{}", caller.client.as_deref().unwrap_or("?"))];
    if !state.throttle.allows(&keys) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed sign-ins: wait a quarter of an hour",
        ));
    }
    let actor = vigie_store::Actor { name: body.name.clone(), client: caller.client.clone() };
    let ttl = state.session_ttl;
    let opened = state
        .blocking(move |_, store| {
            let found = store.user_for_login(&body.name)?;
            // The password is checked even for an unknown or disabled name, so that timing
            // does not tell which names exist.
            let hash = found.as_ref().map_or("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$invalid", |(_, h)| h.as_str());
            let valid = verify_password(&body.password, hash);
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
        state.throttle.failed(&keys);
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "wrong name or password"));
    };
    state.throttle.succeeded(&keys[0]);
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", ttl.as_secs());
    let mut response =
        Json(serde_json::json!({ "user": user_json(&user), "csrf_token": session.csrf })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?);
    Ok(response)
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
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
    let mut response = StatusCode::NO_CONTENT.into_response();
    let expired = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&expired).map_err(|e| ApiError::internal(e.to_string()))?);
    Ok(response)
}

pub async fn me(Extension(caller): Extension<Caller>) -> Result<Json<serde_json::Value>, ApiError> {
    caller.user.as_ref().map(|u| Json(user_json(u))).ok_or_else(ApiError::unauthenticated)
}

/// The month's cells, as `vigie tables --format json` writes them, for the filters of the
/// query string (the CLI's names; a name may repeat).
pub async fn tables(
    State(state): State<Arc<AppState>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let month = query
        .iter()
        .find(|(k, _)| k == "month")
        .and_then(|(_, v)| Month::parse(v))
        .ok_or_else(|| ApiError::bad_request("give the month as month=YYYY-MM"))?;
    let catalog = state.shared.catalog();
    let filter =
        Filter::from_codes(catalog, query.iter().filter(|(k, _)| k != "month").map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(ApiError::bad_request)?;
    let body = state
        .blocking(move |state, store| {
            let answer = state.shared.month_tables(&*store, month, &filter)?;
            let cells = vigie_report::cells(&answer.0, state.shared.catalog());
            let mut body = Vec::new();
            vigie_report::write_json(&month.to_string(), &cells, &mut body).map_err(ApiError::internal)?;
            Ok(body)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
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

pub async fn audit(State(state): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, ApiError> {
    let entries = state.blocking(|_, store| Ok(store.audit_log(200)?)).await?;
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
