//! The OpenRosa server ODK Collect talks to: `/openrosa/{key}/…`, the key a device's own
//! (`vigie device add`), bound to its organisation. The form list and Vigie's form as an XForm
//! (`vigie_kobo::xform`, the same definition as `vigie form write`); the submission endpoint's
//! handshake (`HEAD`).
//!
//! A key travels in the URL because ODK Collect's server URL is all a monitor configures; it is
//! checked on every request, and every refusal is audited.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use md5::Digest;
use vigie_kobo::form::{VIGIE_FORM_ID, VIGIE_FORM_VERSION, XlsForm};

use crate::AppState;
use crate::error::ApiError;

/// The largest submission accepted, as the handshake announces it.
pub const MAX_SUBMISSION: u64 = 10 * 1024 * 1024;

const OPENROSA_VERSION: (header::HeaderName, HeaderValue) =
    (header::HeaderName::from_static("x-openrosa-version"), HeaderValue::from_static("1.0"));

/// The device of `key`, or 401 (audited).
async fn device(state: &Arc<AppState>, key: String) -> Result<vigie_store::Device, ApiError> {
    state
        .blocking(move |state, store| {
            let found = store.device_for_key(&vigie_store::accounts::token_hash(&key))?;
            if found.is_none() {
                let actor = vigie_store::Actor { name: "?".into(), client: None };
                state.audit_read(&mut *store, actor, "openrosa_refused", "devices", "?", serde_json::json!({}))?;
            }
            found.ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "unknown or revoked device key")
            })
        })
        .await
}

/// Vigie's form as an XForm, and its MD5 as OpenRosa writes it (`md5:…`).
fn form(state: &AppState) -> (String, String) {
    let xml = vigie_kobo::xform::xform(&XlsForm::vigie(state.shared.catalog()));
    let hash = md5::Md5::digest(xml.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    (xml, format!("md5:{hash}"))
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8")), OPENROSA_VERSION], body)
        .into_response()
}

/// Where the request came in, as the device reached it (`X-Forwarded-Proto` behind a proxy).
fn base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let https = headers.get("x-forwarded-proto").is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /openrosa/{key}/formList`: the one form, with its hash and where to download it.
pub async fn form_list(
    State(state): State<Arc<AppState>>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    device(&state, key.clone()).await?;
    let (_, hash) = form(&state);
    let title = vigie_i18n::Lang::default().text("form-title");
    let url = format!("{}/openrosa/{key}/forms/{VIGIE_FORM_ID}.xml", base(&headers));
    Ok(xml(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xforms xmlns=\"http://openrosa.org/xforms/xformsList\"><xform><formID>{VIGIE_FORM_ID}</formID><name>{}</name><version>{VIGIE_FORM_VERSION}</version><hash>{hash}</hash><downloadUrl>{}</downloadUrl></xform></xforms>",
            escape(&title),
            escape(&url)
        ),
    ))
}

/// `GET /openrosa/{key}/forms/{form}.xml`: the XForm.
pub async fn download(
    State(state): State<Arc<AppState>>,
    Path((key, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    device(&state, key).await?;
    if file != format!("{VIGIE_FORM_ID}.xml") {
        return Err(ApiError::not_found());
    }
    Ok(xml(StatusCode::OK, form(&state).0))
}

/// `HEAD /openrosa/{key}/submission`: the handshake before a submission.
pub async fn handshake(State(state): State<Arc<AppState>>, Path(key): Path<String>) -> Result<Response, ApiError> {
    device(&state, key).await?;
    let limit = HeaderValue::from(MAX_SUBMISSION);
    Ok((
        StatusCode::NO_CONTENT,
        [OPENROSA_VERSION, (header::HeaderName::from_static("x-openrosa-accept-content-length"), limit)],
    )
        .into_response())
}
