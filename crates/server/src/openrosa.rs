//! The OpenRosa server ODK Collect talks to: `/openrosa/{key}/…`, the key a device's own
//! (`vigie device add`), bound to its organisation. The form list and Vigie's form as an XForm
//! (`vigie_kobo::xform`, the same definition as `vigie form write`); submissions, each read into
//! the KoBo API's layout and imported as a KoBo export is (conversion, placement, validation,
//! audit, change feed), its organisation the device's whatever the form says. A submission is
//! kept as received whatever becomes of it: one that breaks a rule is never refused once the
//! phone has sent it, but kept as needing attention.
//!
//! A key travels in the URL because ODK Collect's server URL is all a monitor configures; it is
//! checked on every request, and every refusal is audited.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use md5::Digest;
use vigie_kobo::form::{VIGIE_FORM_ID, VIGIE_FORM_VERSION, XlsForm};
use vigie_report::charts::escape;

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

/// Vigie's form as an XForm, and its MD5 as OpenRosa writes it (`md5:…`): made once per
/// process, as the catalog it is written from does not change.
fn form(state: &AppState) -> &(String, String) {
    state.xform.get_or_init(|| {
        let xml = vigie_kobo::xform::xform(&XlsForm::vigie(state.shared.catalog()));
        let hash = md5::Md5::digest(xml.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
        (xml, format!("md5:{hash}"))
    })
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

/// `GET /openrosa/{key}/formList`: the one form, with its hash and where to download it.
pub async fn form_list(
    State(state): State<Arc<AppState>>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    device(&state, key.clone()).await?;
    let hash = &form(&state).1;
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
    Ok(xml(StatusCode::OK, form(&state).0.clone()))
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

/// Fields as `(group/field path, value)`, as the KoBo API names them.
type Fields = Vec<(String, String)>;

/// A submission's fields, each repeat group's entries apart.
#[derive(Debug, Default)]
struct Submitted {
    form_id: String,
    instance_id: String,
    deprecated_id: Option<String>,
    fields: Fields,
    repeats: Vec<(String, Vec<Fields>)>,
}

impl Submitted {
    fn read(xml: &str, repeats: &[&str]) -> Result<Submitted, String> {
        let document = roxmltree::Document::parse(xml).map_err(|e| format!("the submission is no XML: {e}"))?;
        let root = document.root_element();
        let mut out =
            Submitted { form_id: root.attribute("id").unwrap_or_default().to_owned(), ..Submitted::default() };
        /// Vigie's form is three levels deep: anything deeper is no field of it, and is not read
        /// (a hostile document cannot make this recursion deep).
        const DEPTH: usize = 8;
        fn walk(node: roxmltree::Node<'_, '_>, prefix: &str, repeats: &[&str], out: &mut Submitted) {
            if prefix.matches('/').count() >= DEPTH {
                return;
            }
            for child in node.children().filter(roxmltree::Node::is_element) {
                let path = format!("{prefix}{}", child.tag_name().name());
                if repeats.contains(&child.tag_name().name()) && prefix.is_empty() {
                    let mut entry = Submitted::default();
                    walk(child, &format!("{path}/"), &[], &mut entry);
                    match out.repeats.iter_mut().find(|(name, _)| *name == path) {
                        Some((_, entries)) => entries.push(entry.fields),
                        None => out.repeats.push((path, vec![entry.fields])),
                    }
                } else if child.children().any(|c| c.is_element()) {
                    walk(child, &format!("{path}/"), repeats, out);
                } else {
                    out.fields.push((path, child.text().unwrap_or_default().trim().to_owned()));
                }
            }
        }
        walk(root, "", repeats, &mut out);
        let field =
            |name: &str| out.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        out.instance_id = field("meta/instanceID").ok_or("the submission has no meta/instanceID")?;
        out.deprecated_id = field("meta/deprecatedID");
        Ok(out)
    }

    /// The submission as one result of the KoBo API, its submission id `root`, its organisation
    /// the device's.
    fn kobo_json(&self, root: &str, organization: &str) -> String {
        let mut object = serde_json::Map::new();
        for (key, value) in &self.fields {
            object.insert(key.clone(), value.clone().into());
        }
        let organization_field = self.fields.iter().find(|(k, _)| k.rsplit('/').next() == Some("organization"));
        let key = organization_field.map_or("organization".to_owned(), |(k, _)| k.clone());
        object.insert(key, organization.into());
        let id = root.strip_prefix("uuid:").unwrap_or(root);
        object.insert("_uuid".into(), id.into());
        object.insert("rootUuid".into(), id.into());
        for (name, entries) in &self.repeats {
            let entries: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| e.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone()))).collect())
                .collect();
            object.insert(name.clone(), entries.into());
        }
        serde_json::json!({ "results": [object] }).to_string()
    }
}

fn response(status: StatusCode, message: &str) -> Response {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\"><message nature=\"submit_success\">{}</message></OpenRosaResponse>",
            escape(message)
        ),
    )
}

/// `POST /openrosa/{key}/submission`: a submission (multipart, `xml_submission_file`). Sent
/// again as it was: accepted once. The same `instanceID` with other content: 409. With a
/// `deprecatedID`: an edit, replacing the violations of the submission it edits.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    Path(key): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let device = device(&state, key).await?;
    let unreadable = |e: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e);
    let mut xml = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.to_string()))? {
        let named = field.name() == Some("xml_submission_file");
        let bytes = field.bytes().await.map_err(|e| unreadable(e.to_string()))?;
        if named && bytes.len() as u64 > MAX_SUBMISSION {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the submission is larger than 10 MiB",
            ));
        }
        if named {
            xml =
                Some(String::from_utf8(bytes.to_vec()).map_err(|_| unreadable("the submission is not UTF-8".into()))?);
        }
    }
    let xml = xml.ok_or_else(|| unreadable("no xml_submission_file in the request".into()))?;
    let submitted = Submitted::read(&xml, &[vigie_kobo::form::VICTIMS]).map_err(unreadable)?;
    if submitted.form_id != VIGIE_FORM_ID {
        return Err(unreadable(format!("form `{}`: this server takes {VIGIE_FORM_ID}", submitted.form_id)));
    }
    state
        .blocking(move |state, store| {
            let sha256 = vigie_store::sha256_hex(xml.as_bytes());
            if let Some((_, stored, _)) = store.submission(&submitted.instance_id)? {
                if stored == sha256 {
                    return Ok(response(StatusCode::CREATED, "already received"));
                }
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("{} was received already with other content", submitted.instance_id),
                ));
            }
            // An edit replaces its chain's violations: those of the chain's first submission.
            let root = match &submitted.deprecated_id {
                Some(old) => store.submission(old)?.map_or_else(|| old.clone(), |(root, ..)| root),
                None => submitted.instance_id.clone(),
            };
            let json = submitted.kobo_json(&root, &device.organization);
            let catalog = state.shared.catalog();
            let actor = vigie_store::Actor { name: format!("device:{}", device.name), client: None };
            let options = vigie_import::Options {
                dry_run: false,
                max_errors: 50,
                today: chrono::Utc::now().date_naive(),
                organization: Some(device.organization.clone()),
                actor,
                replace: None,
            };
            let name = format!("submission {}", submitted.instance_id);
            let imported = vigie_kobo::export::read_json(&name, json.as_bytes(), &vigie_kobo::bounds::Limits::UPLOAD)
                .map_err(|e| e.to_string())
                .and_then(|export| {
                    let mapping = vigie_kobo::mapping::Mapping::vigie();
                    vigie_kobo::import::import_exports(store, catalog, &[export], &mapping, false, &options).map_err(
                        |e| match e {
                            // Each broken rule on a line of its own (the export's advice is no
                            // submission's).
                            vigie_kobo::import::KoboImportError::Invalid { errors, .. } => {
                                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
                            }
                            other => other.to_string(),
                        },
                    )
                });
            let (status, errors) = match &imported {
                Ok(_) => ("imported", None),
                Err(e) => ("needs_attention", Some(e.clone())),
            };
            let kept = vigie_store::Submission {
                instance_id: submitted.instance_id.clone(),
                root_id: root,
                device: device.name.clone(),
                organization: device.organization.clone(),
                received_at: String::new(),
                sha256,
                xml,
                status: status.to_owned(),
                errors,
            };
            let replaces = submitted.deprecated_id.as_deref().filter(|_| imported.is_ok());
            store.keep_submission(&kept, replaces)?;
            state.shared.catch_up(&*store)?;
            Ok(response(
                StatusCode::CREATED,
                match imported {
                    Ok(_) => "received",
                    Err(_) => "received; it needs an IM officer's attention before it counts",
                },
            ))
        })
        .await
}
