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
pub(crate) fn base(headers: &HeaderMap) -> String {
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

/// Why a submission does not count: a field's value breaking a rule (said in the reader's
/// language), or a problem of the whole submission (`text`, as the import says it). Kept as JSON
/// with the submission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Problem {
    /// The form's field (`admin3`), if one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// The rule's message id (`rule-commune`), if a rule was broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What was expected, or what went wrong, in English: the import's words.
    pub text: String,
}

impl Problem {
    /// A problem of the whole submission, alone.
    fn whole(text: String) -> Vec<Problem> {
        vec![Problem { field: String::new(), value: String::new(), rule: None, text }]
    }

    /// The problems of a kept submission (a text that is not their JSON: one problem).
    pub(crate) fn read(kept: &str) -> Vec<Problem> {
        serde_json::from_str(kept).unwrap_or_else(|_| Problem::whole(kept.to_owned()))
    }
}

/// Reads a submission into violations as a KoBo export is, for `organization`, replacing those
/// of its chain's first submission `root`: why not, if it does not count.
fn import(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    submitted: &Submitted,
    root: &str,
    organization: &str,
    actor: vigie_store::Actor,
) -> Result<(), Vec<Problem>> {
    let json = submitted.kobo_json(root, organization);
    let options = vigie_import::Options {
        dry_run: false,
        max_errors: 50,
        today: chrono::Utc::now().date_naive(),
        organization: Some(organization.to_owned()),
        actor,
        replace: None,
    };
    let name = format!("submission {}", submitted.instance_id);
    let export = vigie_kobo::export::read_json(&name, json.as_bytes(), &vigie_kobo::bounds::Limits::UPLOAD)
        .map_err(|e| Problem::whole(e.to_string()))?;
    let mapping = vigie_kobo::mapping::Mapping::vigie();
    let catalog = state.shared.catalog();
    vigie_kobo::import::import_exports(store, catalog, &[export], &mapping, false, &options).map(|_| ()).map_err(|e| {
        match e {
            // Each broken rule apart (the export's advice, its sheets and lines, are no
            // submission's).
            vigie_kobo::import::KoboImportError::Invalid { errors, .. } => errors
                .into_iter()
                .map(|e| Problem {
                    field: e.field,
                    value: e.value,
                    rule: e.rule.map(|r| r.message_id().to_owned()),
                    text: e.expected,
                })
                .collect(),
            other => Problem::whole(other.to_string()),
        }
    })
}

/// A value of a submission that a person may correct: an element holding text, but for `meta`
/// and the organisation, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leaf {
    /// `incident/admin3`, `victims/sex`: as the form names it, groups first.
    pub path: String,
    /// Which entry of its repeat group (from 1), if in one.
    pub entry: Option<usize>,
    pub value: String,
}

/// The leaves of `xml` and their elements, in document order (8 levels read at most, as
/// [`Submitted::read`]).
fn leaf_nodes<'a, 'input>(document: &'a roxmltree::Document<'input>) -> Vec<(Leaf, roxmltree::Node<'a, 'input>)> {
    fn walk<'a, 'input>(
        node: roxmltree::Node<'a, 'input>,
        prefix: &str,
        entry: Option<usize>,
        out: &mut Vec<(Leaf, roxmltree::Node<'a, 'input>)>,
    ) {
        if prefix.matches('/').count() >= 8 {
            return;
        }
        for child in node.children().filter(roxmltree::Node::is_element) {
            let name = child.tag_name().name();
            // The submission's ids make it the submission it is; its organisation is its device's.
            if prefix.is_empty() && name == "meta" || name == "organization" {
                continue;
            }
            let path = format!("{prefix}{name}");
            if child.children().any(|c| c.is_element()) {
                // A victim is an entry of the repeat group: numbered in order.
                let entry = if name == vigie_kobo::form::VICTIMS {
                    let before = std::iter::successors(child.prev_sibling_element(), |n| n.prev_sibling_element());
                    Some(before.filter(|n| n.tag_name().name() == name).count() + 1)
                } else {
                    entry
                };
                walk(child, &format!("{path}/"), entry, out);
            } else {
                let value = child.text().unwrap_or_default().trim().to_owned();
                out.push((Leaf { path, entry, value }, child));
            }
        }
    }
    let mut out = Vec::new();
    walk(document.root_element(), "", None, &mut out);
    out
}

/// The values of a submission a person may correct.
pub(crate) fn leaves(xml: &str) -> Result<Vec<Leaf>, String> {
    let document = roxmltree::Document::parse(xml).map_err(|e| format!("the submission is no XML: {e}"))?;
    Ok(leaf_nodes(&document).into_iter().map(|(leaf, _)| leaf).collect())
}

/// A value a person changed, as the audit log keeps it.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Change {
    field: String,
    before: String,
    after: String,
}

/// `xml` with the values of its leaves numbered in `values` (by their place in [`leaves`])
/// replaced, each changed element rewritten in place and everything else as received; and the
/// changes.
pub(crate) fn corrected(xml: &str, values: &[(usize, String)]) -> Result<(String, Vec<Change>), String> {
    let document = roxmltree::Document::parse(xml).map_err(|e| format!("the submission is no XML: {e}"))?;
    let nodes = leaf_nodes(&document);
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    for (index, value) in values {
        let (leaf, node) = nodes.get(*index).ok_or_else(|| format!("the submission has no field {index}"))?;
        let value = value.trim();
        if value == leaf.value {
            continue;
        }
        let range = node.range();
        let source = &xml[range.clone()];
        let text = escape(value);
        let edit = match source.strip_suffix("/>") {
            // `<locality/>`: written out with its value.
            Some(open) => {
                let name = open[1..].split(|c: char| c.is_whitespace()).next().unwrap_or_default();
                (range, format!("{}>{text}</{name}>", open.trim_end()))
            }
            None => {
                let inner_start = range.start + source.find('>').map_or(0, |i| i + 1);
                let inner_end = range.start + source.rfind("</").unwrap_or(source.len());
                (inner_start..inner_end, text)
            }
        };
        edits.push(edit);
        changes.push(Change { field: leaf.path.clone(), before: leaf.value.clone(), after: value.to_owned() });
    }
    // From the end, so that each range still points where it did.
    edits.sort_by_key(|(range, _): &(std::ops::Range<usize>, String)| range.start);
    edits.dedup_by_key(|(range, _)| range.start);
    let mut out = xml.to_owned();
    for (range, text) in edits.into_iter().rev() {
        out.replace_range(range, &text);
    }
    Ok((out, changes))
}

/// Corrects a submission needing attention with a person's `values` (numbered as [`corrected`]) and
/// imports it as a submission is, for its device's organisation: counted then, and audited with
/// each value changed; or why it still does not count, and nothing changed.
pub(crate) fn correct(
    state: &AppState,
    store: &mut dyn vigie_store::Store,
    kept: &vigie_store::Submission,
    values: &[(usize, String)],
    actor: vigie_store::Actor,
) -> Result<Result<(), Vec<Problem>>, ApiError> {
    let (xml, changes) = match corrected(&kept.xml, values) {
        Ok(done) => done,
        Err(e) => return Ok(Err(Problem::whole(e))),
    };
    let submitted = match Submitted::read(&xml, &[vigie_kobo::form::VICTIMS]) {
        Ok(read) => read,
        Err(e) => return Ok(Err(Problem::whole(e))),
    };
    if let Err(errors) = import(state, store, &submitted, &kept.root_id, &kept.organization, actor.clone()) {
        return Ok(Err(errors));
    }
    store.correct_submission(&kept.instance_id, &xml, serde_json::json!({ "changes": changes }), &actor)?;
    state.shared.catch_up(&*store)?;
    Ok(Ok(()))
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
            if let Some(stored) = store.submission(&submitted.instance_id)? {
                if stored.sha256 == sha256 {
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
                Some(old) => store.submission(old)?.map_or_else(|| old.clone(), |s| s.root_id),
                None => submitted.instance_id.clone(),
            };
            let actor = vigie_store::Actor { name: format!("device:{}", device.name), client: None };
            let imported = import(state, store, &submitted, &root, &device.organization, actor);
            let (status, errors) = match &imported {
                Ok(()) => ("imported", None),
                Err(problems) => ("needs_attention", Some(serde_json::json!(problems).to_string())),
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

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version='1.0' ?><data id=\"vigie_violations\"><incident><admin3>ML999999</admin3>\
        <locality/><organization>NRC</organization><narrative>R&#233;cit</narrative></incident>\
        <victims><sex>F</sex></victims><victims><sex>M</sex></victims><meta><instanceID>uuid:a</instanceID></meta></data>";

    #[test]
    fn a_person_may_correct_every_value_but_the_ids_and_the_organisation() {
        let leaves = leaves(XML).expect("leaves");
        let named: Vec<(&str, Option<usize>, &str)> =
            leaves.iter().map(|l| (l.path.as_str(), l.entry, l.value.as_str())).collect();
        assert_eq!(
            named,
            [
                ("incident/admin3", None, "ML999999"),
                ("incident/locality", None, ""),
                ("incident/narrative", None, "Récit"),
                ("victims/sex", Some(1), "F"),
                ("victims/sex", Some(2), "M"),
            ]
        );
    }

    #[test]
    fn a_correction_rewrites_the_changed_elements_only_and_says_what_changed() {
        let values = [(0, "ML040503"), (1, "Sévaré <gare>"), (2, "Récit"), (4, "F")].map(|(i, v)| (i, v.to_owned()));
        let (xml, changes) = corrected(XML, &values).expect("corrected");
        assert_eq!(
            xml,
            XML.replace("ML999999", "ML040503")
                .replace("<locality/>", "<locality>Sévaré &lt;gare&gt;</locality>")
                .replace("<sex>M</sex>", "<sex>F</sex>"),
            "everything else as received, the escaped narrative too"
        );
        assert_eq!(changes.len(), 3);
        assert_eq!(
            changes[0],
            Change { field: "incident/admin3".into(), before: "ML999999".into(), after: "ML040503".into() }
        );
        assert_eq!(leaves(&xml).expect("read again")[1].value, "Sévaré <gare>");
        assert!(corrected(XML, &[(5, "F".into())]).is_err(), "no field 5");
    }
}
