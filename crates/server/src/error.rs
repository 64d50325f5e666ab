//! One JSON envelope for every error: a stable code, a message a person can act on, details
//! where there are some. Nothing internal (a statement, a path, a stack) reaches a client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<String>,
    /// Refused or failed for a page: an anonymous visitor is sent to the sign-in page, anything
    /// else is a short HTML page.
    pub page: bool,
    /// Refused because the month is signed off: said in the reader's language by
    /// [`json_errors`], which knows the request.
    pub lock: Option<Box<vigie_core::Lock>>,
}

/// A stored time (RFC 3339 in UTC) as a reader reads it: `2026-12-04 18:24 UTC`.
pub(crate) fn utc_minute(at: &str) -> String {
    let at = at.replacen('T', " ", 1);
    format!("{} UTC", at.get(..16).unwrap_or(&at))
}

/// What a refusal for a signed-off month says, in `lang`: the month, who signed it off and when.
pub fn locked_message(lang: vigie_i18n::Lang, lock: &vigie_core::Lock) -> String {
    let mut args = vigie_i18n::Args::new();
    args.set("month", crate::pages::month_name(lang, lock.month));
    args.set("who", lock.signed_by.clone());
    args.set("when", utc_minute(&lock.signed_at));
    args.set("version", lock.version.to_string());
    lang.format("month-locked", &args)
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), details: Vec::new(), page: false, lock: None }
    }

    /// The same refusal, for a page.
    pub fn page(mut self) -> ApiError {
        self.page = true;
        self
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this")
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// A failure of the server itself: logged here, said to the client without its details.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        eprintln!("vigie serve: internal error: {detail}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not answer; try again later")
    }
}

impl From<vigie_store::StoreError> for ApiError {
    fn from(e: vigie_store::StoreError) -> ApiError {
        match e {
            vigie_store::StoreError::Busy(message) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message),
            vigie_store::StoreError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            vigie_store::StoreError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            vigie_store::StoreError::NotFound(_) => ApiError::not_found(),
            vigie_store::StoreError::Locked(lock) => {
                let mut refusal = ApiError::new(StatusCode::CONFLICT, "month_locked", "");
                refusal.message = locked_message(vigie_i18n::Lang::default(), &lock);
                refusal.details = vec![
                    lock.month.to_string(),
                    lock.version.to_string(),
                    lock.signed_by.clone(),
                    lock.signed_at.clone(),
                ];
                refusal.lock = Some(Box::new(lock));
                refusal
            }
            other => ApiError::internal(other),
        }
    }
}

/// Every error of the API in the one envelope, whoever answered it: axum's own refusals of a
/// body, a query or a path (plain text), a method the route lacks (405), are rewritten into it,
/// their message kept.
pub async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let lang = crate::pages::request_language(request.uri().query(), request.headers());
    let mut response = next.run(request).await;
    if let Some(mut refusal) = response.extensions_mut().remove::<Refusal>().map(|r| r.0) {
        // A refusal for a signed-off month, said again in the reader's language.
        if let Some(lock) = &refusal.lock {
            refusal.message = locked_message(lang, lock);
        }
        return refusal.into_response();
    }
    let status = response.status();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ if status.is_server_error() => "internal",
        _ => "refused",
    };
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if text.is_empty() { status.canonical_reason().unwrap_or("refused").to_owned() } else { text };
    let mut rewritten = ApiError::new(status, code, message).into_response();
    // Headers the refusal carried (Allow, Retry-After) stay.
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// A refusal kept with its response, for [`json_errors`] to say in the reader's language.
#[derive(Clone)]
struct Refusal(ApiError);

impl IntoResponse for ApiError {
    fn into_response(mut self) -> Response {
        if let Some(lock) = self.lock.take() {
            let mut response = self.clone().into_response();
            self.lock = Some(lock);
            response.extensions_mut().insert(Refusal(self));
            return response;
        }
        if self.page {
            if self.status == StatusCode::UNAUTHORIZED {
                return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, "/login")]).into_response();
            }
            let page = maud::html! {
                (maud::DOCTYPE)
                html { head { meta charset="utf-8"; title { (self.status) } link rel="stylesheet" href="/assets/vigie.css"; }
                body { main { h1 { (self.status) } p { (self.message) } p { a href="/" { "Vigie" } } } } }
            };
            return (self.status, page).into_response();
        }
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message, "details": self.details }
        });
        (self.status, Json(body)).into_response()
    }
}
