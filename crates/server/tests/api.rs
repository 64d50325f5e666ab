//! The server through its router, on a real SQLite file: who may call what (every declared
//! route, as every kind of caller), sessions, CSRF, throttling, body limits, headers, and
//! answers that follow the data.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigie_core::Catalog;
use vigie_store::accounts::{generate_token, hash_password, token_hash};
use vigie_store::{Actor, DbUrl, RecordKind, Role, Store, User};

const HEADER: &str = "violation_id,incident_id,incident_date,report_date,admin1_pcode,admin2_pcode,admin3_pcode,locality,latitude,longitude,violation_code,perpetrator_code,place_code,time_slot_code,victim_sex,victim_age_group,victim_occupation,victim_population,organization,narrative";
const PASSWORD: &str = "a long enough password";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    ImOfficer,
    PartnerA,
    PartnerB,
    Viewer,
    /// A bearer token (of an IM officer's account).
    Token,
}

const EVERYONE: &[Who] =
    &[Who::Anonymous, Who::Admin, Who::ImOfficer, Who::PartnerA, Who::PartnerB, Who::Viewer, Who::Token];
const SIGNED_IN: &[Who] = &[Who::Admin, Who::ImOfficer, Who::PartnerA, Who::PartnerB, Who::Viewer, Who::Token];
const ADMIN: &[Who] = &[Who::Admin];
/// Who writes the report's texts: IM officers (the token is one's) and admins.
const ANALYSTS: &[Who] = &[Who::Admin, Who::ImOfficer, Who::Token];
/// Individual records: IM officers and admins, and partners for their own organisation's.
const RECORDS: &[Who] = &[Who::Admin, Who::ImOfficer, Who::PartnerA, Who::Token];
/// Lists of records: partner B gets one too, of its own organisation's records only.
const LISTS: &[Who] = &[Who::Admin, Who::ImOfficer, Who::PartnerA, Who::PartnerB, Who::Token];

/// The expected permissions, written out by hand: every route of the server must be here. The
/// record routes are called on partner A's V-1, A-1 and R-1 (and write DRC's records): partner
/// B is refused, and for an existing record it does not exist (404).
const MATRIX: &[(&str, &str, &[Who])] = &[
    ("GET", "/api/v1/health", EVERYONE),
    ("GET", "/openrosa/{key}/formList", EVERYONE),
    ("GET", "/openrosa/{key}/forms/{file}", EVERYONE),
    ("HEAD", "/openrosa/{key}/submission", EVERYONE),
    ("POST", "/openrosa/{key}/submission", EVERYONE),
    ("GET", "/api/openapi.json", EVERYONE),
    ("GET", "/", EVERYONE),
    ("GET", "/assets/vigie.css", EVERYONE),
    ("GET", "/assets/icon.svg", EVERYONE),
    ("GET", "/assets/vigie.js", EVERYONE),
    ("GET", "/login", EVERYONE),
    ("POST", "/login", EVERYONE),
    ("POST", "/logout", SIGNED_IN),
    ("GET", "/dashboard", SIGNED_IN),
    ("GET", "/violations", LISTS),
    ("GET", "/violations.csv", LISTS),
    ("GET", "/violations.xlsx", LISTS),
    ("GET", "/imports", LISTS),
    ("GET", "/submissions", LISTS),
    ("GET", "/submissions/{id}", RECORDS),
    ("POST", "/submissions/{id}", RECORDS),
    ("GET", "/reports", SIGNED_IN),
    ("POST", "/reports/sign-off", ANALYSTS),
    ("POST", "/reports/reopen", ADMIN),
    ("POST", "/verification", ANALYSTS),
    ("GET", "/duplicates", ANALYSTS),
    ("POST", "/duplicates", ANALYSTS),
    ("PUT", "/api/v1/violations/{id}/verification", ANALYSTS),
    ("GET", "/api/v1/changes", LISTS),
    ("GET", "/api/v1/duplicates", ANALYSTS),
    ("GET", "/api/v1/geojson", SIGNED_IN),
    ("POST", "/api/v1/duplicates", ANALYSTS),
    ("GET", "/texts", ANALYSTS),
    ("POST", "/texts", ANALYSTS),
    ("POST", "/recommendations", ANALYSTS),
    ("POST", "/recommendations/{id}", ANALYSTS),
    ("GET", "/admin", ADMIN),
    ("POST", "/admin/users", ADMIN),
    ("POST", "/admin/users/{name}", ADMIN),
    ("POST", "/admin/organizations", ADMIN),
    ("POST", "/admin/settings", ADMIN),
    ("GET", "/admin/audit", ADMIN),
    ("GET", "/admin/devices", ADMIN),
    ("GET", "/metrics", ADMIN),
    ("POST", "/admin/devices", ADMIN),
    ("POST", "/admin/devices/{name}/revoke", ADMIN),
    ("POST", "/imports", RECORDS),
    ("GET", "/violations/new", LISTS),
    ("POST", "/violations/new", RECORDS),
    ("GET", "/violations/{id}", RECORDS),
    ("GET", "/violations/{id}/edit", RECORDS),
    ("POST", "/violations/{id}/edit", RECORDS),
    ("GET", "/alerts", LISTS),
    ("GET", "/alerts/new", LISTS),
    ("POST", "/alerts/new", RECORDS),
    ("GET", "/alerts/{id}", RECORDS),
    ("GET", "/alerts/{id}/edit", RECORDS),
    ("POST", "/alerts/{id}/edit", RECORDS),
    ("GET", "/risk-answers", LISTS),
    ("GET", "/risk-answers/new", LISTS),
    ("POST", "/risk-answers/new", RECORDS),
    ("GET", "/risk-answers/{id}", RECORDS),
    ("GET", "/risk-answers/{id}/edit", RECORDS),
    ("POST", "/risk-answers/{id}/edit", RECORDS),
    ("POST", "/api/v1/login", EVERYONE),
    ("POST", "/api/v1/logout", SIGNED_IN),
    ("GET", "/api/v1/me", SIGNED_IN),
    ("GET", "/api/v1/tables", SIGNED_IN),
    ("GET", "/api/v1/signals", SIGNED_IN),
    ("GET", "/api/v1/reports/{month}/{file}", SIGNED_IN),
    ("GET", "/api/v1/months", SIGNED_IN),
    ("POST", "/api/v1/months/{month}/sign-off", ANALYSTS),
    ("POST", "/api/v1/months/{month}/reopen", ADMIN),
    ("GET", "/api/v1/months/{month}/versions/{version}/{file}", SIGNED_IN),
    ("GET", "/api/v1/violations", LISTS),
    ("POST", "/api/v1/violations", RECORDS),
    ("GET", "/api/v1/violations/{id}", RECORDS),
    ("PUT", "/api/v1/violations/{id}", RECORDS),
    ("DELETE", "/api/v1/violations/{id}", RECORDS),
    ("GET", "/api/v1/alerts", LISTS),
    ("POST", "/api/v1/alerts", RECORDS),
    ("GET", "/api/v1/alerts/{id}", RECORDS),
    ("PUT", "/api/v1/alerts/{id}", RECORDS),
    ("DELETE", "/api/v1/alerts/{id}", RECORDS),
    ("GET", "/api/v1/risk-answers", LISTS),
    ("POST", "/api/v1/risk-answers", RECORDS),
    ("GET", "/api/v1/risk-answers/{id}", RECORDS),
    ("PUT", "/api/v1/risk-answers/{id}", RECORDS),
    ("DELETE", "/api/v1/risk-answers/{id}", RECORDS),
    ("POST", "/api/v1/imports/{kind}", RECORDS),
    ("GET", "/api/v1/users", ADMIN),
    ("GET", "/api/v1/settings", ADMIN),
    ("PUT", "/api/v1/settings", ADMIN),
    ("GET", "/api/v1/audit", ADMIN),
];

const V1: &str = "V-1,I-1,2021-11-03,,,,ML040503,,,,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,Récit A";
const ALERT_HEADER: &str = "alert_id,alert_date,admin1_pcode,admin2_pcode,admin3_pcode,locality,latitude,longitude,event_type,affected_households,affected_persons,description,organization";
const A1: &str = "A-1,2021-11-12,ML04,ML0405,ML040503,Kala,,,ATTACK,40,250,Attaque du village,DRC";
const RISK_HEADER: &str =
    "answer_id,month,admin3_pcode,Q01,Q02,Q03,Q04,Q05,Q06,Q07,Q08,Q09,Q10,Q11,Q12,Q13,Q14,Q15,organization";
const R1: &str = "R-1,2021-11,ML040503,CONTROL,SEVERAL,YES,REPEATED,CONFIRMED,FREQUENT,NO,SOME,PARTIAL,DISRUPTED,CONSTRAINED,PARTIAL,WEAK,LIMITED,LATENT,DRC";

/// Per record route, its kind, its exchange format's header and partner A's record.
fn record_of(path: &str) -> Option<(RecordKind, &'static str, &'static str)> {
    // The API's record routes, and the pages of records.
    let segment = path.strip_prefix("/api/v1/").or_else(|| path.strip_prefix('/'))?.split('/').next()?;
    match segment {
        "violations" => Some((RecordKind::Violations, HEADER, V1)),
        "alerts" => Some((RecordKind::Alerts, ALERT_HEADER, A1)),
        "risk-answers" => Some((RecordKind::RiskAnswers, RISK_HEADER, R1)),
        _ => None,
    }
}

/// A row of an exchange format as the API's JSON object.
fn row_body(header: &str, row: &str) -> serde_json::Value {
    let object: serde_json::Map<String, serde_json::Value> = header
        .split(',')
        .zip(row.split(','))
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    serde_json::Value::Object(object)
}

const BOUNDARY: &str = "vigie-test-boundary";

/// A `multipart/form-data` body: each part's name, file name and content.
fn multipart(parts: &[(&str, Option<&str>, &str)]) -> String {
    let mut body = String::new();
    for (name, file, content) in parts {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\""));
        if let Some(file) = file {
            body.push_str(&format!("; filename=\"{file}\"\r\nContent-Type: text/csv"));
        }
        body.push_str(&format!("\r\n\r\n{content}\r\n"));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body
}

/// A row of an exchange format as a form's body.
fn form_encode(header: &str, row: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    header
        .split(',')
        .zip(row.split(','))
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A violation row of the exchange format as the API's JSON object.
fn violation_body(row: &str) -> serde_json::Value {
    row_body(HEADER, row)
}

struct Server {
    _dir: tempfile::TempDir,
    url: DbUrl,
    state: Arc<vigie_server::AppState>,
    token: String,
    /// The key of partner A's device (ODK Collect).
    device_key: String,
}

fn user(name: &str, role: Role, organization: Option<&str>) -> User {
    User {
        name: name.into(),
        role,
        organization: organization.map(str::to_owned),
        disabled: false,
        created_at: String::new(),
    }
}

/// A database with violations of two partners, a user of each role and a token.
fn server(configure: impl FnOnce(&mut vigie_server::AppState)) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = vigie_store::testing::database(dir.path());
    let mut store = vigie_store::open(&url).expect("open");
    let rows = [V1, "V-2,I-2,2021-11-04,,,,ML050101,,,,D1,NSAG_RADICAL,FIELD,DAY,F,CHILD,FARMER,IDP,NRC,Récit B"];
    let file = dir.path().join("v.csv");
    std::fs::write(&file, format!("{HEADER}\n{}\n", rows.join("\n"))).expect("write");
    let options = vigie_import::Options {
        dry_run: false,
        max_errors: 10,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        organization: None,
        actor: vigie_store::Actor::cli(),
        replace: None,
    };
    let catalog = Catalog::builtin().clone();
    vigie_import::import_files(&mut *store, &catalog, RecordKind::Violations, &[file], &options, &mut |_| {})
        .expect("import");
    for (kind, header, row) in [(RecordKind::Alerts, ALERT_HEADER, A1), (RecordKind::RiskAnswers, RISK_HEADER, R1)] {
        let file = dir.path().join(format!("{}.csv", kind.name()));
        std::fs::write(&file, format!("{header}\n{row}\n")).expect("write");
        vigie_import::import_files(&mut *store, &catalog, kind, &[file], &options, &mut |_| {}).expect("import");
    }
    let hash = hash_password(PASSWORD).expect("hash");
    let cli = Actor::cli();
    for (name, role, organization) in [
        ("admin", Role::Admin, None),
        ("im", Role::ImOfficer, None),
        ("partner-a", Role::Partner, Some("DRC")),
        ("partner-b", Role::Partner, Some("NRC")),
        ("viewer", Role::Viewer, None),
    ] {
        store.add_user(&user(name, role, organization), &hash, &cli).expect("user");
    }
    let token = generate_token().expect("token");
    store.add_token("im", &token_hash(&token), "2099-01-01T00:00:00Z", &cli).expect("token").expect("im's token");
    let mut state = vigie_server::AppState::open(url.clone(), catalog).expect("state");
    configure(&mut state);
    let device_key = generate_token().expect("key");
    store.add_device("phone-a", "DRC", &token_hash(&device_key), &cli).expect("a device of DRC");
    Server { _dir: dir, url, state: Arc::new(state), token, device_key }
}

impl Server {
    /// A connection of the test's own to the server's database.
    fn store(&self) -> Box<dyn Store> {
        vigie_store::open(&self.url).expect("open")
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: serde_json::Value,
    text: String,
}

async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("a response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Answer { status, headers, json, text: String::from_utf8_lossy(&bytes).into_owned() }
}

/// `method path` as the IM officer's bearer token, with a JSON body.
async fn with_token(
    app: &Router,
    server: &Server,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Answer {
    let text = body.as_ref().map(ToString::to_string).unwrap_or_default();
    let request = request(method, path, body)
        .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
        .body(Body::from(text))
        .expect("request");
    call(app, request).await
}

/// The month's total in a tables answer.
fn month_total(answer: &Answer) -> Option<u64> {
    let cells = answer.json["tables"].as_array()?;
    let total =
        cells.iter().find(|c| c["table"] == "category_by_region" && c["row"] == "TOTAL" && c["column"] == "TOTAL");
    total.and_then(|c| c["value"].as_u64())
}

fn request(method: &str, path: &str, body: Option<serde_json::Value>) -> axum::http::request::Builder {
    let builder = Request::builder().method(method).uri(path);
    match body {
        Some(_) => builder.header(header::CONTENT_TYPE, "application/json"),
        None => builder,
    }
}

/// A signed-in session: its cookie and CSRF token.
async fn login(app: &Router, name: &str) -> (String, String) {
    let body = serde_json::json!({ "name": name, "password": PASSWORD });
    let answer = call(
        app,
        request("POST", "/api/v1/login", Some(body.clone())).body(Body::from(body.to_string())).expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.json);
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let value = cookie.split(';').next().expect("name=value").to_owned();
    (value, answer.json["csrf_token"].as_str().expect("csrf").to_owned())
}

/// Each caller's session, signed in once (each sign-in is an argon2 check): name → (cookie, CSRF).
type Sessions = BTreeMap<&'static str, (String, String)>;

/// `method path` as `who`, with what a legitimate caller sends. Signing out gets a session of its
/// own, so that the others' stay valid.
async fn as_caller(
    app: &Router,
    server: &Server,
    sessions: &mut Sessions,
    who: Who,
    method: &str,
    path: &str,
) -> Answer {
    let record = record_of(path);
    let body = match (method, path, record) {
        (_, "/api/v1/login", _) => Some(serde_json::json!({ "name": "viewer", "password": PASSWORD })),
        ("PUT", "/api/v1/settings", _) => Some(serde_json::json!({ "public_access": false })),
        ("PUT", "/api/v1/violations/{id}/verification", _) => Some(serde_json::json!({ "status": "verified" })),
        ("POST", "/api/v1/duplicates", _) => {
            Some(serde_json::json!({ "a": "V-1", "b": "V-2", "decision": "distinct" }))
        }
        ("POST", "/api/v1/months/{month}/sign-off", _) => Some(serde_json::json!({ "note": "matrix" })),
        ("POST", "/api/v1/months/{month}/reopen", _) => Some(serde_json::json!({ "reason": "matrix" })),
        // A new record (id 9), or partner A's own, as it is.
        ("POST", _, Some((_, header, row))) => Some(row_body(header, &row.replacen("-1,", "-9,", 2))),
        ("PUT", _, Some((_, header, row))) => Some(row_body(header, row)),
        _ => None,
    };
    let id = record.map_or("", |(_, _, row)| row.split(',').next().unwrap_or_default());
    let uri = match path {
        "/api/v1/tables" | "/api/v1/duplicates" | "/api/v1/geojson" | "/api/v1/signals" => {
            format!("{path}?month=2021-11")
        }
        // Each caller signs off a month of its own (the admin's is reopened and downloaded):
        // 2021-11's records stay open to the other routes' writes.
        "/api/v1/months/{month}/sign-off" => format!("/api/v1/months/2021-{:02}/sign-off", who as u8 + 1),
        // ODK Collect's requests carry partner A's device key, whoever else's session rides along.
        openrosa if openrosa.starts_with("/openrosa/") => {
            openrosa.replace("{key}", &server.device_key).replace("{file}", "vigie_violations.xml")
        }
        "/api/v1/months/{month}/reopen" | "/api/v1/months/{month}/versions/{version}/{file}" => {
            path.replace("{month}", "2021-02").replace("{version}", "1").replace("{file}", "html")
        }
        _ => path
            .replace("{id}", id)
            .replace("{kind}", "violations")
            .replace("{month}", "2021-11")
            .replace("{file}", "html"),
    };
    let page_month = format!("month=2020-{:02}", who as u8 + 1);
    let csv = (path == "/api/v1/imports/{kind}").then(|| format!("{HEADER}\n{}\n", V1.replace("V-1,I-1", "V-7,I-7")));
    let upload = (method, path) == ("POST", "/imports") || (method, path) == ("POST", "/openrosa/{key}/submission");
    let csv = if path.starts_with("/openrosa/") && upload {
        Some(multipart(&[(
            "xml_submission_file",
            Some("submission.xml"),
            &submission("uuid:matrix", None, "ML040503"),
        )]))
    } else if upload {
        Some(multipart(&[
            ("kind", None, "violations"),
            ("file", Some("v.csv"), &format!("{HEADER}\n{}\n", V1.replace("V-1,I-1", "V-7,I-7"))),
        ]))
    } else {
        csv
    };
    // The sign-in page's form, and the record pages' forms: a new record (an id of each
    // caller's own) or partner A's, as it is; the analysts' forms.
    let record_form = method == "POST" && !path.starts_with("/api/") && record.is_some();
    let analyst_form = match (method, path) {
        ("POST", "/reports/sign-off") => Some(page_month.as_str()),
        ("POST", "/reports/reopen") => Some("month=2020-02&reason=matrix"),
        ("POST", "/texts") => Some("month=2021-11&section=ML05&body=280+violations"),
        ("POST", "/verification") => Some("id=V-1&status=verified&back=%2Fviolations%2FV-1"),
        ("POST", "/duplicates") => Some("a=V-1&b=V-2&decision=distinct&month=2021-11"),
        ("POST", "/recommendations") => Some("month=2021-11&actor=Cluster&action=Plaider&zone=Mopti"),
        ("POST", "/recommendations/{id}") => Some("month=2021-11&follow_up=Fait"),
        ("POST", "/admin/users") => Some("name=newcomer&role=viewer&password=a+long+enough+password"),
        ("POST", "/admin/users/{name}") => Some("password=another+long+password"),
        ("POST", "/admin/organizations") => Some("code=IRC&name=International+Rescue+Committee"),
        ("POST", "/admin/settings") => Some("public_access=false"),
        ("POST", "/admin/devices") => Some("name=phone-matrix&organization=DRC"),
        // The commune, corrected.
        ("POST", "/submissions/{id}") => Some("v7=ML040503"),
        ("POST", "/admin/devices/{name}/revoke") => Some(""),
        _ => None,
    };
    let form = (method, path) == ("POST", "/login") || record_form || analyst_form.is_some();
    let uri = match path {
        "/recommendations/{id}" => "/recommendations/1".to_owned(),
        "/admin/users/{name}" => "/admin/users/newcomer".to_owned(),
        "/admin/devices/{name}/revoke" => "/admin/devices/phone-matrix/revoke".to_owned(),
        "/submissions/{id}" => format!("/submissions/uuid:m{}", who as u8),
        _ => uri,
    };
    let body = match record {
        _ if analyst_form.is_some() => analyst_form.map(|f| serde_json::Value::String(f.to_owned())),
        _ if (method, path) == ("POST", "/login") => {
            Some(serde_json::Value::String(format!("name=viewer&password={}", PASSWORD.replace(' ', "+"))))
        }
        Some((_, header, row)) if record_form => {
            let row =
                if path.ends_with("/new") { row.replacen("-1,", &format!("-9{},", who as u8), 2) } else { row.into() };
            Some(serde_json::Value::String(form_encode(header, &row)))
        }
        _ => body,
    };
    if let ("DELETE", Some((kind, _, row))) = (method, record) {
        // Each caller deletes a record that exists.
        let mut store = server.store();
        let values: Vec<Option<&str>> = row.split(',').map(|v| Some(v).filter(|v| !v.is_empty())).collect();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let record = vigie_store::Record::parse(kind, &values, Catalog::builtin(), today).expect("record");
        vigie_store::put_record(&mut *store, Catalog::builtin(), &record, None, &Actor::cli()).expect("again");
    }
    let mut builder = request(method, &uri, if form { None } else { body.clone() });
    let name = match who {
        Who::Admin => Some("admin"),
        Who::ImOfficer => Some("im"),
        Who::PartnerA => Some("partner-a"),
        Who::PartnerB => Some("partner-b"),
        Who::Viewer => Some("viewer"),
        Who::Anonymous | Who::Token => None,
    };
    if let Some(name) = name {
        let (cookie, csrf) = match sessions.get(name) {
            _ if path.ends_with("/logout") => login(app, name).await,
            Some(session) => session.clone(),
            None => {
                let session = login(app, name).await;
                sessions.insert(name, session.clone());
                session
            }
        };
        builder = builder.header(header::COOKIE, cookie).header("x-csrf-token", csrf);
    }
    if who == Who::Token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", server.token));
    }
    if upload {
        builder = builder.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    } else if csv.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "text/csv");
    }
    if form {
        builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let body = match (body, csv) {
        (_, Some(csv)) => Body::from(csv),
        (Some(serde_json::Value::String(form)), None) => Body::from(form),
        (Some(json), None) => Body::from(json.to_string()),
        (None, None) => Body::empty(),
    };
    call(app, builder.body(body).expect("request")).await
}

#[tokio::test]
async fn every_route_is_called_as_every_caller_and_refuses_all_but_its_roles() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let declared: BTreeSet<(&str, &str)> = vigie_server::route_specs().iter().map(|s| (s.method, s.path)).collect();
    let expected: BTreeSet<(&str, &str)> = MATRIX.iter().map(|(m, p, _)| (*m, *p)).collect();
    assert_eq!(declared, expected, "every route has its line in the matrix, and only routes do");
    // A submission of partner A's device needing attention for each caller to correct.
    for who in EVERYONE {
        let instance_id = format!("uuid:m{}", *who as u8);
        let kept = vigie_store::Submission {
            instance_id: instance_id.clone(),
            root_id: instance_id.clone(),
            device: "phone-a".into(),
            organization: "DRC".into(),
            received_at: String::new(),
            sha256: instance_id.clone(),
            xml: submission(&instance_id, None, "ML999999"),
            status: "needs_attention".into(),
            errors: Some("no commune ML999999".into()),
        };
        server.store().keep_submission(&kept, None).expect("kept");
    }
    let mut sessions = Sessions::new();
    for (method, path, allowed) in MATRIX {
        for who in EVERYONE {
            let answer = as_caller(&app, &server, &mut sessions, *who, method, path).await;
            let to_sign_in = answer.headers.get(header::LOCATION).is_some_and(|l| l == "/login");
            let page = !path.starts_with("/api/");
            if allowed.contains(who) {
                // Signing out ends on the sign-in page; any other page sent there was refused.
                let done = answer.status.is_success()
                    || (answer.status.is_redirection() && (!to_sign_in || *path == "/logout"));
                assert!(done, "{who:?} {method} {path}: {} {}", answer.status, answer.json);
            } else if page && *who == Who::Anonymous {
                // A page sends the anonymous to the sign-in page, with nothing else.
                assert_eq!((answer.status, to_sign_in), (StatusCode::SEE_OTHER, true), "{who:?} {method} {path}");
            } else if page {
                // Partner A's records do not exist for partner B; a new one of partner A's is
                // refused.
                // Partner A's rows in partner B's upload: every one an error, nothing imported.
                let hidden = *who == Who::PartnerB
                    && (record_of(path).is_some() || *path == "/imports" || path.starts_with("/submissions/"))
                    && !path.ends_with("/new");
                let refusal = match (hidden, *path) {
                    (true, "/imports") => StatusCode::UNPROCESSABLE_ENTITY,
                    (true, _) => StatusCode::NOT_FOUND,
                    (false, _) => StatusCode::FORBIDDEN,
                };
                assert_eq!(answer.status, refusal, "{who:?} {method} {path}");
                assert!(
                    !answer.text.contains("Récit") && !answer.text.contains("V-1"),
                    "no record data: {}",
                    answer.text
                );
            } else {
                // Deciding on a record is an analyst's permission, not a matter of whose it is.
                let record_route = path.contains("{id}") && !path.ends_with("/verification");
                let refusal = match (who, *method, record_route) {
                    (Who::Anonymous, _, _) => StatusCode::UNAUTHORIZED,
                    // Partner A's records do not exist for partner B (V-9, posted first by the
                    // admin, neither).
                    (Who::PartnerB, "POST", _) if path.starts_with("/api/v1/imports") => {
                        StatusCode::UNPROCESSABLE_ENTITY
                    }
                    (Who::PartnerB, _, true) => StatusCode::NOT_FOUND,
                    (Who::PartnerB, "POST", _) if record_of(path).is_some() => StatusCode::NOT_FOUND,
                    _ => StatusCode::FORBIDDEN,
                };
                assert_eq!(answer.status, refusal, "{who:?} {method} {path}: {}", answer.json);
                let keys: Vec<&String> = answer.json.as_object().map(|o| o.keys().collect()).unwrap_or_default();
                assert_eq!(keys, ["error"], "a refusal carries no data: {}", answer.json);
            }
        }
    }
}

#[tokio::test]
async fn a_session_write_needs_its_csrf_token_and_sessions_expire() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "im").await;
    for token in [None, Some("forged")] {
        let mut builder = request("POST", "/api/v1/logout", None).header(header::COOKIE, &cookie);
        if let Some(token) = token {
            builder = builder.header("x-csrf-token", token);
        }
        let answer = call(&app, builder.body(Body::empty()).expect("request")).await;
        assert_eq!((answer.status, answer.json["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("csrf")));
    }
    let me = |cookie: String| request("GET", "/api/v1/me", None).header(header::COOKIE, cookie).body(Body::empty());
    assert_eq!(call(&app, me(cookie.clone()).expect("request")).await.status, StatusCode::OK, "a read needs no token");
    let logout = request("POST", "/api/v1/logout", None).header(header::COOKIE, &cookie).header("x-csrf-token", &csrf);
    assert_eq!(call(&app, logout.body(Body::empty()).expect("request")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, me(cookie).expect("request")).await.status, StatusCode::UNAUTHORIZED, "logged out");

    // Over HTTPS (a proxy in front says so), the cookie is Secure.
    let body = serde_json::json!({ "name": "im", "password": PASSWORD }).to_string();
    let https = request("POST", "/api/v1/login", Some(serde_json::Value::Null)).header("x-forwarded-proto", "https");
    let answer = call(&app, https.body(Body::from(body)).expect("request")).await;
    assert!(answer.headers[header::SET_COOKIE].to_str().expect("cookie").contains("; Secure"));

    // A session past its time signs nobody in.
    let server = server_with_ttl(Duration::ZERO);
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, _) = login(&app, "im").await;
    assert_eq!(call(&app, me(cookie).expect("request")).await.status, StatusCode::UNAUTHORIZED, "expired");
}

fn server_with_ttl(ttl: Duration) -> Server {
    server(|state| state.session_ttl = ttl)
}

#[tokio::test]
async fn failed_logins_are_throttled_and_audited_and_big_bodies_refused() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let attempt = |password: &str| {
        let body = serde_json::json!({ "name": "admin", "password": password }).to_string();
        request("POST", "/api/v1/login", Some(serde_json::Value::Null)).body(Body::from(body)).expect("request")
    };
    for _ in 0..vigie_server::MAX_FAILURES {
        assert_eq!(call(&app, attempt("wrong password!")).await.status, StatusCode::UNAUTHORIZED);
    }
    let answer = call(&app, attempt(PASSWORD)).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {}", answer.json);
    let store = server.store();
    let failed = store.audit_log(50).expect("audit").iter().filter(|e| e.action == "login_failed").count();
    assert_eq!(failed, vigie_server::MAX_FAILURES as usize);

    let big = "x".repeat(vigie_server::BODY_LIMIT + 1);
    let body = serde_json::json!({ "name": "admin", "password": big }).to_string();
    let answer = call(
        &app,
        request("POST", "/api/v1/login", Some(serde_json::Value::Null)).body(Body::from(body)).expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn answers_carry_security_headers_and_follow_the_data() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let tables = || {
        request("GET", "/api/v1/tables?month=2021-11&region=ML04", None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(Body::empty())
            .expect("request")
    };
    let answer = call(&app, tables()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let csp = answer.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let total = |json: &serde_json::Value| {
        json["tables"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["table"] == "category_by_region" && c["row"] == "TOTAL" && c["column"] == "TOTAL")
            .map_or(0, |c| c["value"].as_u64().unwrap_or(0))
    };
    assert_eq!(total(&answer.json), 1, "Ségou's one violation");
    let missing = call(&app, request("GET", "/api/v1/nothing", None).body(Body::empty()).expect("request")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.contains_key(header::CONTENT_SECURITY_POLICY), "errors too");
    let bad = call(
        &app,
        request("GET", "/api/v1/tables?month=2021-11&sex=Q", None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!((bad.status, bad.json["error"]["message"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown sex `Q`")));

    // An edit through the API is in the next answer: V-1 moves from category E to B.
    let cell = |json: &serde_json::Value, row: &str| {
        json["tables"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["table"] == "category_by_region" && c["row"] == row && c["column"] == "TOTAL")
            .map_or(0, |c| c["value"].as_u64().unwrap_or(0))
    };
    assert_eq!((cell(&answer.json, "E"), cell(&answer.json, "B")), (1, 0));
    let edit = request("PUT", "/api/v1/violations/V-1", Some(serde_json::Value::Null))
        .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
        .body(Body::from(violation_body(&V1.replace(",E1,", ",B1,")).to_string()))
        .expect("request");
    let edited = call(&app, edit).await;
    assert_eq!((edited.status, edited.json["outcome"].as_str()), (StatusCode::OK, Some("updated")), "{}", edited.json);
    let store = server.store();
    let update = store.audit_log(20).expect("audit").into_iter().find(|e| e.action == "update").expect("audited");
    assert_eq!((update.entity_id.as_str(), update.actor.as_deref()), ("V-1", Some("im")), "with its actor");
    let after = call(&app, tables()).await;
    assert_eq!((cell(&after.json, "E"), cell(&after.json, "B")), (0, 1), "the next answer counts the edit");

    // A deletion by another connection is in an answer as soon as the process has taken it
    // in (a request waits for the refresher a moment only: on a busy machine, the next one may
    // not yet count it).
    let mut store = server.store();
    assert!(store.delete(RecordKind::Violations, "V-1", &Actor::cli()).expect("delete"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while total(&call(&app, tables()).await.json) != 0 {
        assert!(std::time::Instant::now() < deadline, "the deletion never reached the answers");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Partner B reads, lists, corrects, overwrites or deletes partner A's violation by no route,
/// and every attempt is in the audit log; its own records it reads and corrects.
#[tokio::test]
async fn partners_see_and_write_only_their_own_records() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "partner-b").await;
    let send = |method: &str, path: &str, body: Option<serde_json::Value>| {
        let builder = request(method, path, body.clone()).header(header::COOKIE, &cookie).header("x-csrf-token", &csrf);
        builder.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).expect("request")
    };
    let list = call(&app, send("GET", "/api/v1/violations", None)).await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<&str> =
        list.json["violations"].as_array().expect("rows").iter().filter_map(|v| v["violation_id"].as_str()).collect();
    assert_eq!((ids, list.json["total"].as_u64()), (vec!["V-2"], Some(1)), "only NRC's");
    for path in ["/api/v1/violations?organization=DRC", "/api/v1/alerts", "/api/v1/risk-answers?organization=DRC"] {
        let list = call(&app, send("GET", path, None)).await;
        assert_eq!((list.status, list.json["total"].as_u64()), (StatusCode::OK, Some(0)), "{path}: {}", list.json);
    }
    let own = call(&app, send("GET", "/api/v1/violations/V-2", None)).await;
    assert_eq!(
        (own.status, own.json["narrative"].as_str()),
        (StatusCode::OK, Some("Récit B")),
        "its own, narrative included"
    );

    let takeover = violation_body(&V1.replace(",DRC,", ",NRC,"));
    for (method, path, body) in [
        ("GET", "/api/v1/violations/V-1", None),
        ("PUT", "/api/v1/violations/V-1", Some(violation_body(V1))),
        ("PUT", "/api/v1/violations/V-1", Some(takeover.clone())),
        ("POST", "/api/v1/violations", Some(takeover)),
        ("DELETE", "/api/v1/violations/V-1", None),
    ] {
        let answer = call(&app, send(method, path, body)).await;
        assert!(
            matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{method} {path}: {} {}",
            answer.status,
            answer.json
        );
        assert!(
            !answer.json.to_string().contains("Récit A") && !answer.json.to_string().contains("UNID_ARMED"),
            "no data"
        );
    }
    // An import is refused both ways: a row naming another organisation, and A's id under B's
    // name.
    let csv = |row: &str| {
        request("POST", "/api/v1/imports/violations", None)
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(format!("{HEADER}\n{row}\n")))
            .expect("request")
    };
    let answer = call(&app, csv(&V1.replace("V-1,I-1", "V-6,I-6"))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.json);
    assert!(
        answer.json["error"]["details"].to_string().contains("line 2, column `organization`: found `DRC`"),
        "{}",
        answer.json
    );
    assert!(!answer.json.to_string().contains("/tmp"), "no server path: {}", answer.json);
    let answer = call(&app, csv(&V1.replace(",DRC,", ",NRC,"))).await;
    assert_eq!(
        (answer.status, answer.json["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{}",
        answer.json
    );
    let answer = call(&app, csv(&V1.replace("V-1,I-1", "V-5,I-5").replace(",DRC,", ",NRC,"))).await;
    assert_eq!(
        (answer.status, answer.json["committed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "its own: {}",
        answer.json
    );

    // Writing a record that names another organisation is refused too.
    let other =
        call(&app, send("POST", "/api/v1/violations", Some(violation_body(&V1.replace("V-1,I-1", "V-8,I-8"))))).await;
    assert_eq!(
        (other.status, other.json["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("other_organization"))
    );

    let store = server.store();
    let v1 = store.records(Catalog::builtin(), RecordKind::Violations, vigie_store::Select::Id("V-1")).expect("read");
    let Some((_, vigie_store::Record::Violation(v1))) = v1.first() else { panic!("V-1 is untouched") };
    assert_eq!((v1.organization.as_str(), v1.narrative.as_deref()), ("DRC", Some("Récit A")));
    let denied = store
        .audit_log(100)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "denied" && e.actor.as_deref() == Some("partner-b"))
        .count();
    assert_eq!(denied, 7, "every attempt on another organisation's record is audited");

    // A correction of its own record is validated with the import's rules, then stored.
    let bad = violation_body(&V1.replace("V-1,I-1", "V-2,I-2").replace(",DRC,", ",NRC,").replace("E1", "Z9"));
    let answer = call(&app, send("PUT", "/api/v1/violations/V-2", Some(bad))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = answer.json["error"]["details"].to_string();
    assert!(details.contains("column `violation_code`: found `Z9`"), "{details}");

    // A correction's id is its address's: the body may leave it out, and may not name another.
    let row = V1.replace("V-1,I-1", "V-2,I-2").replace(",DRC,", ",NRC,").replace("Récit A", "Récit B corrigé");
    let mut body = violation_body(&row);
    body.as_object_mut().expect("an object").remove("violation_id");
    let answer = call(&app, send("PUT", "/api/v1/violations/V-2", Some(body.clone()))).await;
    let record = &answer.json["record"];
    assert_eq!(
        (answer.status, record["violation_id"].as_str(), record["narrative"].as_str()),
        (StatusCode::OK, Some("V-2"), Some("Récit B corrigé")),
        "{}",
        answer.json
    );
    body["violation_id"] = "V-3".into();
    let answer = call(&app, send("PUT", "/api/v1/violations/V-2", Some(body))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.json);
}

/// The month's report as files: the HTML for every signed-in role; the incident list (every
/// organisation's incidents) for IM officers and admins only; each download audited.
#[tokio::test]
async fn reports_are_downloaded_by_role_and_audited() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |cookie: &str, file: &str| {
        request("GET", &format!("/api/v1/reports/2021-11/{file}?lang=en"), None)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request")
    };
    let (viewer, _) = login(&app, "viewer").await;
    let response = app.clone().oneshot(get(&viewer, "html")).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_DISPOSITION], "attachment; filename=\"report-2021-11.html\"");
    let html =
        String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8");
    assert!(html.contains("Monthly protection monitoring report"));
    for who in ["viewer", "partner-a"] {
        let (cookie, _) = login(&app, who).await;
        assert_eq!(call(&app, get(&cookie, "incidents.xlsx")).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    let (im, _) = login(&app, "im").await;
    let response = app.clone().oneshot(get(&im, "incidents.xlsx")).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    // Read back: one row per incident, dated, placed and attributed, without narratives.
    let rows: Vec<Vec<String>> = {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
        let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect()
    };
    let incidents: Vec<(&str, &str, &str, &str)> =
        rows[1..].iter().map(|r| (r[0].as_str(), r[1].as_str(), r[4].as_str(), r[r.len() - 1].as_str())).collect();
    assert_eq!(incidents, [("I-1", "2021-11-03", "Kala Siguida", "DRC"), ("I-2", "2021-11-04", "Bassirou", "NRC")]);
    assert!(!rows.iter().flatten().any(|cell| cell.contains("Récit")), "no narrative in the incident list");
    let store = server.store();
    let downloads: Vec<String> = store
        .audit_log(100)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "download")
        .map(|e| format!("{} {}", e.actor.unwrap_or_default(), e.entity_id))
        .collect();
    assert_eq!(downloads, ["im annex-incidents-2021-11.xlsx", "viewer report-2021-11.html"]);
}

/// Public access, off until an admin switches it on, gives anonymous visitors the public
/// aggregates (small counts of victim tables hidden) and the public report, nothing else.
#[tokio::test]
async fn public_access_gives_anonymous_visitors_the_public_version_only() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let anonymous = |path: &str| request("GET", path, None).body(Body::empty()).expect("request");
    assert_eq!(call(&app, anonymous("/api/v1/tables?month=2021-11")).await.status, StatusCode::UNAUTHORIZED);

    let (cookie, csrf) = login(&app, "admin").await;
    let switch = |on: bool| {
        request("PUT", "/api/v1/settings", Some(serde_json::Value::Null))
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .body(Body::from(serde_json::json!({ "public_access": on }).to_string()))
            .expect("request")
    };
    assert_eq!(call(&app, switch(true)).await.status, StatusCode::OK);
    let tables = call(&app, anonymous("/api/v1/tables?month=2021-11")).await;
    assert_eq!(tables.status, StatusCode::OK, "{}", tables.json);
    assert_eq!(tables.json["min_count"], 5, "figures pass the disclosure rule");
    let sex = tables.json["tables"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["table"] == "sex")
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        !sex.is_empty() && sex.iter().all(|c| c["value"].is_null() && c["suppressed"] == true),
        "one victim of each sex: withheld {sex:?}"
    );
    let report = app.clone().oneshot(anonymous("/api/v1/reports/2021-11/html")).await.expect("response");
    assert_eq!(report.status(), StatusCode::OK);
    let html = String::from_utf8(report.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8");
    assert!(html.contains("version publique") && !html.contains("Liste des incidents"), "the public version");
    for path in ["/api/v1/reports/2021-11/incidents.xlsx", "/api/v1/violations", "/api/v1/me"] {
        let status = call(&app, anonymous(path)).await.status;
        assert!(matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{path}: {status}");
    }
    assert_eq!(call(&app, switch(false)).await.status, StatusCode::OK);
    assert_eq!(call(&app, anonymous("/api/v1/tables?month=2021-11")).await.status, StatusCode::UNAUTHORIZED);
    let store = server.store();
    let settings = store.audit_log(50).expect("audit").into_iter().filter(|e| e.action == "setting").count();
    assert_eq!(settings, 2, "both switches audited");
}

/// Lists of every kind are filtered with the tables' filter names, sorted both ways and paged
/// by cursor; alerts and risk answers are written and read like violations.
#[tokio::test]
async fn lists_are_filtered_sorted_and_paged_and_every_kind_is_written_alike() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let send = |method: &str, path: &str, body: Option<serde_json::Value>| {
        request(method, path, body.clone())
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request")
    };
    let ids = |json: &serde_json::Value, key: &str, id: &str| -> Vec<String> {
        json[key].as_array().expect("rows").iter().filter_map(|r| r[id].as_str().map(str::to_owned)).collect()
    };
    // Oldest first, one a page: the cursor leads from V-1 to V-2, then ends.
    let first = call(&app, send("GET", "/api/v1/violations?sort=incident_date&limit=1", None)).await;
    assert_eq!(ids(&first.json, "violations", "violation_id"), ["V-1"], "{}", first.json);
    let cursor = first.json["next"].as_str().expect("a next page").to_owned();
    let second =
        call(&app, send("GET", &format!("/api/v1/violations?sort=incident_date&limit=1&cursor={cursor}"), None)).await;
    assert_eq!(ids(&second.json, "violations", "violation_id"), ["V-2"]);
    assert!(second.json["next"].is_null(), "the last page");
    let newest = call(&app, send("GET", "/api/v1/violations", None)).await;
    assert_eq!(ids(&newest.json, "violations", "violation_id"), ["V-2", "V-1"], "newest first by default");
    for (query, expected) in [
        ("region=ML05", vec!["V-2"]),
        ("category=E", vec!["V-1"]),
        ("sex=F&organization=NRC", vec!["V-2"]),
        ("to=2021-11-03", vec!["V-1"]),
    ] {
        let answer = call(&app, send("GET", &format!("/api/v1/violations?{query}"), None)).await;
        assert_eq!(ids(&answer.json, "violations", "violation_id"), expected, "{query}");
        assert_eq!(answer.json["total"].as_u64(), Some(expected.len() as u64));
    }
    for query in ["sort=narrative", "limit=0", "limit=1001", "cursor=x", "region=XX"] {
        let answer = call(&app, send("GET", &format!("/api/v1/violations?{query}"), None)).await;
        assert_eq!(
            (answer.status, answer.json["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{query}"
        );
    }

    // An alert of another region, written through the API, listed by place; a typology filter
    // does not apply to alerts.
    let a2 = row_body(ALERT_HEADER, "A-2,2021-11-20,,,ML050101,,,,DISPLACEMENT,10,60,Départs,NRC");
    let created = call(&app, send("POST", "/api/v1/alerts", Some(a2))).await;
    assert_eq!(
        (created.status, created.json["outcome"].as_str()),
        (StatusCode::CREATED, Some("inserted")),
        "{}",
        created.json
    );
    assert_eq!(created.json["record"]["admin1_pcode"].as_str(), Some("ML05"), "its region from its commune");
    let by_region = call(&app, send("GET", "/api/v1/alerts?region=ML05", None)).await;
    assert_eq!(ids(&by_region.json, "alerts", "alert_id"), ["A-2"]);
    let by_date = call(&app, send("GET", "/api/v1/alerts?sort=alert_date", None)).await;
    assert_eq!(ids(&by_date.json, "alerts", "alert_id"), ["A-1", "A-2"]);
    let wrong = call(&app, send("GET", "/api/v1/alerts?category=E", None)).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let bad = row_body(ALERT_HEADER, "A-3,2021-11-20,,,ML050101,,,,FLOOD,10,60,Crue,NRC");
    let refused = call(&app, send("POST", "/api/v1/alerts", Some(bad))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json["error"]["details"].to_string().contains("column `event_type`: found `FLOOD`"),
        "{}",
        refused.json
    );

    // A risk answer is corrected and deleted; the risk index in `tables` follows.
    let risk_cells = |json: &serde_json::Value| -> usize {
        json["tables"]
            .as_array()
            .expect("cells")
            .iter()
            .filter(|c| {
                c["table"].as_str().is_some_and(|t| t.starts_with("risk")) && c["value"].as_u64().unwrap_or(0) > 0
            })
            .count()
    };
    let before = call(&app, send("GET", "/api/v1/tables?month=2021-11", None)).await;
    assert!(risk_cells(&before.json) > 0, "R-1 places its commune on the index");
    let r1 = call(&app, send("GET", "/api/v1/risk-answers/R-1", None)).await;
    assert_eq!((r1.status, r1.json["Q01"].as_str()), (StatusCode::OK, Some("CONTROL")), "{}", r1.json);
    let corrected = call(
        &app,
        send("PUT", "/api/v1/risk-answers/R-1", Some(row_body(RISK_HEADER, &R1.replace("CONTROL", "PASSING")))),
    )
    .await;
    assert_eq!(corrected.json["outcome"].as_str(), Some("updated"), "{}", corrected.json);
    let listed =
        call(&app, send("GET", "/api/v1/risk-answers?commune=ML040503&from=2021-11-01&to=2021-11-30", None)).await;
    assert_eq!(ids(&listed.json, "risk_answers", "Q01"), ["PASSING"]);
    assert_eq!(call(&app, send("DELETE", "/api/v1/risk-answers/R-1", None)).await.status, StatusCode::NO_CONTENT);
    let after = call(&app, send("GET", "/api/v1/tables?month=2021-11", None)).await;
    assert_eq!(risk_cells(&after.json), 0, "no answer, no index: {}", after.json);
    let store = server.store();
    let deletion = store.audit_log(20).expect("audit").into_iter().find(|e| e.action == "delete").expect("audited");
    assert_eq!(
        (deletion.entity.as_str(), deletion.entity_id.as_str(), deletion.actor.as_deref()),
        ("risk_answers", "R-1", Some("im"))
    );
}

/// The OpenAPI document is served to anyone, lists every declared route with its method and
/// summary (a route cannot be left out of it), and is checked against its snapshot.
#[tokio::test]
async fn the_openapi_document_lists_every_route_and_is_served_to_anyone() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let answer = call(&app, request("GET", "/api/openapi.json", None).body(Body::empty()).expect("request")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", answer.json["openapi"]);
    let paths = answer.json["paths"].as_object().expect("paths");
    let mut operations = 0;
    for spec in vigie_server::route_specs().into_iter().filter(|s| s.path.starts_with("/api/")) {
        let operation = &paths[spec.path][spec.method.to_lowercase()];
        assert_eq!(operation["summary"].as_str(), Some(spec.summary), "{} {}", spec.method, spec.path);
        operations += 1;
    }
    let documented: usize = paths.values().map(|item| item.as_object().map_or(0, |o| o.len())).sum();
    assert_eq!(documented, operations, "and nothing else");
    let violation = &answer.json["components"]["schemas"]["Violation"];
    assert!(violation["required"].as_array().expect("required").iter().any(|c| c == "violation_code"));
    let pretty = serde_json::to_string_pretty(&answer.json).expect("json");
    insta::assert_snapshot!("openapi", pretty);
}

/// A download's bytes (it must succeed).
async fn bytes(app: &Router, request: Request<Body>) -> Vec<u8> {
    let response = app.clone().oneshot(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.expect("body").to_bytes().to_vec()
}

/// The `count` column of row `row` of sheet `sheet` of the tables' workbook at `bytes`: a number,
/// or the text shown in its place (`<5`).
fn workbook_cell(bytes: &[u8], sheet: &str, row: &str) -> Option<String> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = book.worksheet_range(sheet).expect("the sheet");
    range.rows().find(|r| r.first().is_some_and(|c| *c == row)).and_then(|r| r.get(2)).map(|c| c.to_string())
}

/// The disclosure rule through the aggregate surfaces: V-1 (partner A's, DRC) is alone on its
/// commune and day. Its own partner and the IM officer read its count; a viewer, the other
/// organisation's partner and an anonymous visitor read no count below k anywhere.
#[tokio::test]
async fn one_violation_on_a_commune_and_day_reaches_only_its_partner_and_the_im_officer() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |path: &str, cookie: Option<&str>| {
        let mut request = request("GET", path, None);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).expect("request")
    };
    let (admin, csrf) = login(&app, "admin").await;
    let public = request("PUT", "/api/v1/settings", Some(serde_json::Value::Null))
        .header(header::COOKIE, &admin)
        .header("x-csrf-token", &csrf)
        .body(Body::from(serde_json::json!({ "public_access": true }).to_string()))
        .expect("request");
    assert_eq!(call(&app, public).await.status, StatusCode::OK);
    let filtered = "month=2021-11&commune=ML040503&from=2021-11-03&to=2021-11-03";
    let total = |json: &serde_json::Value| {
        json["tables"].as_array().and_then(|cells| {
            cells
                .iter()
                .find(|c| c["table"] == "category_by_region" && c["row"] == "TOTAL" && c["column"] == "TOTAL")
                .cloned()
        })
    };
    for who in ["im", "partner-a"] {
        let (cookie, _) = login(&app, who).await;
        let answer = call(&app, get(&format!("/api/v1/tables?{filtered}"), Some(&cookie))).await;
        assert_eq!(total(&answer.json).map(|c| c["value"].clone()), Some(1.into()), "{who}: {}", answer.json);
        let page = call(&app, get(&format!("/dashboard?{filtered}"), Some(&cookie))).await;
        assert!(page.text.contains("data-value=\"1\""), "{who}: the dashboard's key figure");
        let csv = call(&app, get("/api/v1/reports/2021-11/tables.csv", Some(&cookie))).await;
        assert!(csv.text.contains("admin2,ML0405,count,1"), "{who}: {}", csv.text);
        let workbook = bytes(&app, get("/api/v1/reports/2021-11/tables.xlsx", Some(&cookie))).await;
        assert_eq!(workbook_cell(&workbook, "admin2", "ML0405").as_deref(), Some("1"), "{who}: the workbook");
    }
    // The IM officer's report names V-1's cercle (Niono) with its count, in the HTML and the PDF
    // alike (a partner reads the public narrative, its own records exact in the tables above).
    let (im, _) = login(&app, "im").await;
    let html = call(&app, get("/api/v1/reports/2021-11/html", Some(&im))).await;
    assert!(html.text.contains("Cercles les plus touchés : Niono (1)"), "the IM officer's HTML report");
    let pdf = pdf_text(&bytes(&app, get("/api/v1/reports/2021-11/pdf", Some(&im))).await);
    assert!(pdf.contains("Niono (1)"), "the IM officer's PDF report: {pdf}");
    for who in ["viewer", "partner-b"] {
        let (cookie, _) = login(&app, who).await;
        let answer = call(&app, get(&format!("/api/v1/tables?{filtered}"), Some(&cookie))).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            (answer.json["suppressed"].clone(), total(&answer.json)),
            (true.into(), None),
            "{who}: no count at all"
        );
        let page = call(&app, get(&format!("/dashboard?{filtered}"), Some(&cookie))).await;
        assert!(page.text.contains("id=\"too-few\"") && !page.text.contains("data-value="), "{who}: {}", page.text);
        // Every filter that singles V-1 out: no count from 1 to 4 in any cell of any answer.
        for filter in [
            "commune=ML040503",
            "cercle=ML0405",
            "from=2021-11-03&to=2021-11-03",
            "sex=M",
            "age_group=ADULT",
            "occupation=TRADER",
            "population=RESIDENT",
            "perpetrator=UNID_ARMED",
            "place=ROAD",
            "subtype=E1",
            "organization=DRC",
            "region=ML04",
            "category=E",
            "region=ML04&category=E",
        ] {
            let answer = call(&app, get(&format!("/api/v1/tables?month=2021-11&{filter}"), Some(&cookie))).await;
            let cells = answer.json["tables"].as_array().cloned().unwrap_or_default();
            let published = ["category_by_month", "region_by_month", "category_by_region"];
            for cell in cells
                .iter()
                .filter(|c| !c["table"].as_str().is_some_and(|t| t.starts_with("risk") || t.starts_with("alert")))
            {
                let value = cell["value"].as_u64().unwrap_or(0);
                // Region and category are the report's own cuts: their month, category and region
                // tables stay exact; everything else of a filtered answer is a small cell.
                // A category's national subtypes and time slots are a slice of the national
                // tables, published too.
                let table = cell["table"].as_str().unwrap_or("");
                let exact = ((filter.starts_with("region") || filter.starts_with("category"))
                    && published.contains(&table))
                    || (filter == "category=E" && ["subtype", "time_slot", "time_slot_by_category"].contains(&table));
                assert!(exact || !(1..5).contains(&value), "{who}, {filter}: {cell}");
            }
        }
        let national = call(&app, get("/api/v1/tables?month=2021-11", Some(&cookie))).await;
        // Partner B's own V-2 (ML0501, F) is exact for it; V-1 (ML0405, M) is hidden from both.
        for cell in national.json["tables"].as_array().expect("cells") {
            let (table, row) = (cell["table"].as_str().unwrap_or(""), cell["row"].as_str().unwrap_or(""));
            let sensitive = ["admin2", "sex", "age_group", "occupation", "population"].contains(&table);
            if sensitive && (who == "viewer" || ["ML0405", "M", "ADULT", "TRADER", "RESIDENT"].contains(&row)) {
                assert!(cell["value"].is_null() && cell["suppressed"] == true, "{who}: {cell}");
            }
        }
        assert_eq!(total(&national.json).map(|c| c["value"].clone()), Some(2.into()), "a published cut stays exact");
        let csv = call(&app, get("/api/v1/reports/2021-11/tables.csv", Some(&cookie))).await;
        assert!(csv.text.contains("admin2,ML0405,count,<5") && !csv.text.contains("admin2,ML0405,count,1"), "{who}");
        let workbook = bytes(&app, get("/api/v1/reports/2021-11/tables.xlsx", Some(&cookie))).await;
        for (sheet, row) in [("admin2", "ML0405"), ("sex", "M"), ("occupation", "TRADER")] {
            assert_eq!(workbook_cell(&workbook, sheet, row).as_deref(), Some("<5"), "{who}: the workbook's {sheet}");
        }
        let html = call(&app, get("/api/v1/reports/2021-11/html", Some(&cookie))).await;
        assert!(!html.text.contains("Liste des incidents"), "{who}: no incident list");
        // The public narrative: the cercle's small count is not named, the map's class is `<5`.
        let pdf = pdf_text(&bytes(&app, get("/api/v1/reports/2021-11/pdf", Some(&cookie))).await);
        for (what, text, small) in [("HTML", &html.text, "&lt; 5"), ("PDF", &pdf, "<5")] {
            assert!(!text.contains("Niono"), "{who}: the {what} report: {text}");
            assert!(text.contains("version publique") && text.contains(small), "{who}: the {what} report: {text}");
        }
    }
    let anonymous = call(&app, get(&format!("/api/v1/tables?{filtered}"), None)).await;
    assert_eq!(anonymous.status, StatusCode::BAD_REQUEST, "{}", anonymous.json);
    assert!(anonymous.text.contains("region and category"), "the allowed filters are named: {}", anonymous.text);
    let dashboard = call(&app, get(&format!("/dashboard?{filtered}"), None)).await;
    assert_eq!(dashboard.status, StatusCode::BAD_REQUEST);
    let store = server.store();
    let withheld = store.audit_log(200).expect("audit").into_iter().filter(|e| e.action == "withheld").count();
    assert!(withheld >= 4, "every withheld answer audited: {withheld}");
}

/// The text of a PDF, as poppler's `pdftotext` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("scratch");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).expect("write the PDF");
    let out = std::process::Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext reads it");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A partner's text that a spreadsheet would run (`=HYPERLINK(…)`, `+SUM(…)`) reaches the
/// download behind a `'`, a longitude stays a number, and the download imports back unchanged.
#[tokio::test]
async fn downloads_carry_no_formula_and_import_back_as_they_were() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let bearer = format!("Bearer {}", server.token);
    let hostile = V1
        .replace(",,,,ML040503,,,,", ",,,,ML040503,+SUM(1,2),14.5,-3.9914,")
        .replace("Récit A", "=HYPERLINK(\"http://x?\"&A2,\"details\")");
    let csv_body = format!(
        "{HEADER}\n{}\n",
        hostile.replace("+SUM(1,2)", "\"+SUM(1,2)\"").replace(
            "=HYPERLINK(\"http://x?\"&A2,\"details\")",
            "\"=HYPERLINK(\"\"http://x?\"\"&A2,\"\"details\"\")\""
        )
    );
    let import = |body: String| {
        request("POST", "/api/v1/imports/violations", None)
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(body))
            .expect("request")
    };
    let first = call(&app, import(csv_body)).await;
    assert_eq!(first.json["total"]["updated"], 1, "{}", first.json);
    let download = request("GET", "/violations.csv", None)
        .header(header::AUTHORIZATION, &bearer)
        .body(Body::empty())
        .expect("request");
    let download = call(&app, download).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.text.contains("\"'=HYPERLINK(\"\"http://x?\"\"&A2,\"\"details\"\")\""), "{}", download.text);
    assert!(download.text.contains("\"'+SUM(1,2)\"") && download.text.contains(",-3.9914,"), "{}", download.text);
    for line in download.text.lines() {
        for cell in line.split(',') {
            assert!(!cell.trim_start_matches('"').starts_with(['=', '+', '@']), "{cell} in {line}");
        }
    }
    let again = call(&app, import(download.text.clone())).await;
    assert_eq!(
        (again.json["total"]["updated"].clone(), again.json["total"]["inserted"].clone()),
        (0.into(), 0.into()),
        "the download imports back unchanged: {}",
        again.json
    );
}

/// The pages: sign-in by form, the dashboard's key figures equal to the tables' for the same
/// month and filters, the language kept in a cookie, sign-out by form with its CSRF token.
#[tokio::test]
async fn the_dashboard_shows_the_tables_figures_to_a_signed_in_user_in_their_language() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let anonymous = call(&app, request("GET", "/dashboard", None).body(Body::empty()).expect("request")).await;
    assert_eq!(
        (anonymous.status, anonymous.headers.get(header::LOCATION).map(|l| l.to_str().ok())),
        (StatusCode::SEE_OTHER, Some(Some("/login")))
    );
    let sign_in = |password: &str| {
        request("POST", "/login", None)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("name=im&password={}", password.replace(' ', "+"))))
            .expect("request")
    };
    let wrong = call(&app, sign_in("not the password")).await;
    assert_eq!(wrong.headers.get(header::LOCATION).map(|l| l.to_str().ok()), Some(Some("/login?failed=1")));
    let signed = call(&app, sign_in(PASSWORD)).await;
    assert_eq!(
        (signed.status, signed.headers.get(header::LOCATION).map(|l| l.to_str().ok())),
        (StatusCode::SEE_OTHER, Some(Some("/dashboard")))
    );
    let cookie =
        signed.headers[header::SET_COOKIE].to_str().expect("cookie").split(';').next().expect("cookie").to_owned();

    let page = |query: &str, extra_cookie: &str| {
        let cookies = format!("{cookie}{extra_cookie}");
        let request = request("GET", &format!("/dashboard?{query}"), None).header(header::COOKIE, cookies);
        let app = app.clone();
        async move {
            let response = app.oneshot(request.body(Body::empty()).expect("request")).await.expect("response");
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.expect("body").to_bytes();
            (status, headers, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let key = |html: &str, id: &str| -> u64 {
        let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} in the page"));
        let rest = &html[at..];
        let value = rest.find("data-value=\"").map(|i| &rest[i + 12..]).expect("a value");
        value[..value.find('"').expect("quote")].parse().expect("a number")
    };
    let tables_total = |query: &str| {
        let request = request("GET", &format!("/api/v1/tables?month=2021-11&{query}"), None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(Body::empty())
            .expect("request");
        let app = app.clone();
        async move {
            let answer = call(&app, request).await;
            answer.json["tables"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["table"] == "category_by_region" && c["row"] == "TOTAL" && c["column"] == "TOTAL")
                .map_or(0, |c| c["value"].as_u64().unwrap_or(0))
        }
    };
    for query in ["", "region=ML05", "category=E", "sex=F&region=ML05", "region=ML01"] {
        let (status, _, html) = page(&format!("month=2021-11&{query}"), "").await;
        assert_eq!(status, StatusCode::OK, "{query}: {html}");
        assert_eq!(
            key(&html, "key-month"),
            tables_total(query).await,
            "{query}: the dashboard's figure is the tables'"
        );
    }
    let (_, _, html) = page("month=2021-11", "").await;
    assert!(html.contains("<html lang=\"fr\"") && html.contains("Tableau de bord"), "French by default");
    // The coverage panel: V-1 and V-2, in two communes, lack a report date and coordinates.
    for (id, said) in [
        ("coverage-monitored", "janvier : 2 sur 701"),
        ("coverage-report-date", "date de rapport : 2 sur 2"),
        ("coverage-location", "coordonnées : 2 sur 2"),
    ] {
        assert!(html.contains(&format!("<li id=\"{id}\">")) && html.contains(said), "{id}: {said}");
    }
    assert!(html.contains("<svg"), "the report's charts");
    assert_eq!(html.matches("<figure>").count(), html.matches("<details>").count(), "each chart and map with its data");
    let scripts = html.matches("<script").count();
    assert_eq!(scripts, html.matches("<script src=\"/assets/vigie.js\" defer></script>").count(), "no inline script");
    assert!(!html.contains("style=\""), "nothing the CSP forbids");

    let (_, headers, html) = page("month=2021-11&lang=en", "").await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("Dashboard"));
    let lang = headers[header::SET_COOKIE].to_str().expect("cookie").split(';').next().expect("lang").to_owned();
    assert_eq!(lang, "vigie_lang=en");
    let (_, _, html) = page("month=2021-11", &format!("; {lang}")).await;
    assert!(html.contains("<html lang=\"en\""), "kept");

    // Sign-out is a form with the session's token in its action.
    let action = html
        .split("action=\"/logout?csrf=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a sign-out form")
        .to_owned();
    let out = |query: String| {
        request("POST", &format!("/logout{query}"), None)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(call(&app, out(String::new())).await.status, StatusCode::FORBIDDEN, "no token, no sign-out");
    let signed_out = call(&app, out(format!("?csrf={action}"))).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    let (status, headers, _) = page("month=2021-11", "").await;
    assert_eq!(
        (status, headers.get(header::LOCATION).map(|l| l.to_str().ok())),
        (StatusCode::SEE_OTHER, Some(Some("/login")))
    );
}

/// The violation pages: a list scoped like the API's, a violation's page with its narrative
/// (audited), nothing of another organisation's for a partner, and no way in for a viewer.
#[tokio::test]
async fn violation_pages_show_each_role_what_it_may_see() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |cookie: String, path: &str| {
        let request = request("GET", path, None).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    let (im, _) = login(&app, "im").await;
    let list = get(im.clone(), "/violations?sort=incident_date").await;
    assert_eq!(list.status, StatusCode::OK);
    let first = list.text.find("V-1").expect("V-1 listed");
    assert!(list.text[first..].contains("V-2"), "oldest first");
    assert!(list.text.contains("data-value=\"2\""), "both counted");
    let one = get(im.clone(), "/violations/V-1").await;
    assert!(one.status == StatusCode::OK && one.text.contains("Récit A"), "{}", one.text);
    let store = server.store();
    let views =
        store.audit_log(20).expect("audit").into_iter().filter(|e| e.action == "view" && e.entity_id == "V-1").count();
    assert_eq!(views, 1, "the view is audited");

    let (partner_b, _) = login(&app, "partner-b").await;
    let own = get(partner_b.clone(), "/violations").await;
    assert!(own.text.contains("V-2") && !own.text.contains("V-1"), "only NRC's");
    let other = get(partner_b, "/violations/V-1").await;
    assert!(other.status == StatusCode::NOT_FOUND && !other.text.contains("Récit A"));

    let (viewer, _) = login(&app, "viewer").await;
    let dashboard = get(viewer.clone(), "/dashboard?month=2021-11").await;
    assert!(!dashboard.text.contains("href=\"/violations"), "no link a viewer cannot follow");
    assert_eq!(get(viewer, "/violations").await.status, StatusCode::FORBIDDEN);
}

/// Verification: an IM officer decides through the API and the pages (a violation's page, the
/// list's ticked rows); a rejected violation leaves the tables and the list's default, and is
/// found under its status; the body is checked; a partner may not decide.
#[tokio::test]
async fn an_im_officer_verifies_and_rejected_violations_leave_the_tables() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let total = month_total;
    assert_eq!(total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await), Some(2));

    let path = "/api/v1/violations/V-1/verification";
    let refused = with_token(&app, &server, "PUT", path, Some(serde_json::json!({ "status": "rejected" }))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.json);
    assert!(refused.json["error"]["message"].as_str().is_some_and(|m| m.contains("did_not_occur")));
    let missing = with_token(
        &app,
        &server,
        "PUT",
        "/api/v1/violations/V-404/verification",
        Some(serde_json::json!({ "status": "verified" })),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let body = serde_json::json!({ "status": "rejected", "reason": "did_not_occur" });
    let done = with_token(&app, &server, "PUT", path, Some(body)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["previous"]["status"], "reported");
    assert_eq!((done.json["status"].as_str(), done.json["reason"].as_str()), (Some("rejected"), Some("did_not_occur")));
    assert_eq!(
        total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await),
        Some(1),
        "V-1 leaves the tables"
    );
    let rejected = with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11&verification=rejected", None).await;
    assert_eq!(total(&rejected), Some(1), "and is counted under its status");

    // The list takes the dashboard's filters as they are, the month included.
    let listed = with_token(&app, &server, "GET", "/api/v1/violations?month=2021-11&verification=rejected", None).await;
    assert_eq!(listed.json["total"], 1, "{}", listed.json);
    assert_eq!(with_token(&app, &server, "GET", "/api/v1/violations?month=2021-10", None).await.json["total"], 0);
    // The pages: V-2 verified from the list's ticked rows, then the list by status.
    let (cookie, csrf) = login(&app, "im").await;
    let list = call(
        &app,
        request("GET", "/violations", None).header(header::COOKIE, &cookie).body(Body::empty()).expect("request"),
    )
    .await;
    assert!(
        list.text.contains("name=\"id\" value=\"V-2\"") && !list.text.contains("value=\"V-1\""),
        "V-1 left the default list"
    );
    let form = "id=V-2&status=verified&reason=did_not_occur&back=%2Fviolations%3Fverification%3Dverified";
    let sent =
        call(&app, form_request(&cookie, &csrf, "POST", &format!("/verification?csrf={csrf}"), form.into())).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let back = sent.headers[header::LOCATION].to_str().expect("location").to_owned();
    assert_eq!(back, "/violations?verification=verified&saved=verified");
    let verified =
        call(&app, request("GET", &back, None).header(header::COOKIE, &cookie).body(Body::empty()).expect("request"))
            .await;
    assert!(verified.text.contains("V-2") && verified.text.contains("data-value=\"1\""), "{}", verified.text);
    let page = call(
        &app,
        request("GET", "/violations/V-1", None).header(header::COOKIE, &cookie).body(Body::empty()).expect("request"),
    )
    .await;
    assert!(page.text.contains("data-status=\"rejected\"") && page.text.contains("n’a pas eu lieu"), "{}", page.text);
    let decided: Vec<_> =
        server.store().audit_log(30).expect("audit").into_iter().filter(|e| e.action == "verify").collect();
    assert_eq!(decided.len(), 2, "each decision audited");

    // A partner may not decide, even on its own organisation's record.
    let (partner, partner_csrf) = login(&app, "partner-a").await;
    let form = "id=V-1&status=verified&back=%2Fviolations";
    let denied = call(
        &app,
        form_request(&partner, &partner_csrf, "POST", &format!("/verification?csrf={partner_csrf}"), form.into()),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// Duplicates: a second partner's report of V-1's event is proposed with V-1, reviewed side by
/// side on a page, decided `same` (it leaves the tables, V-1's page links it), no longer
/// proposed, and undone from its page; a partner may not decide.
#[tokio::test]
async fn a_second_report_of_one_event_is_proposed_decided_and_undone() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    // V-1's event as NRC reported it: another incident, a day later, no narrative.
    let copy = violation_body(&V1.replace("V-1,I-1,2021-11-03", "V-9,I-9,2021-11-04").replace("DRC,Récit A", "NRC,"));
    assert_eq!(with_token(&app, &server, "POST", "/api/v1/violations", Some(copy)).await.status, StatusCode::CREATED);
    let total = month_total;
    assert_eq!(total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await), Some(3));

    let proposed = with_token(&app, &server, "GET", "/api/v1/duplicates?month=2021-11", None).await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.json);
    let pairs = proposed.json["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 1, "{}", proposed.json);
    assert_eq!((pairs[0]["a"].as_str(), pairs[0]["b"].as_str()), (Some("V-1"), Some("V-9")));
    assert!(pairs[0]["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r == "other_organization")));

    let (cookie, csrf) = login(&app, "im").await;
    let get = |path: &str| {
        call(&app, request("GET", path, None).header(header::COOKIE, &cookie).body(Body::empty()).expect("request"))
    };
    let review = get("/duplicates?month=2021-11").await;
    assert!(
        review.text.contains("data-value=\"1\"")
            && review.text.contains("V-9")
            && review.text.contains("deux organisations"),
        "{}",
        review.text
    );
    let form = "a=V-1&b=V-9&decision=same&month=2021-11";
    let sent = call(&app, form_request(&cookie, &csrf, "POST", &format!("/duplicates?csrf={csrf}"), form.into())).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    assert_eq!(
        total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await),
        Some(2),
        "the duplicate leaves the tables"
    );
    assert!(
        with_token(&app, &server, "GET", "/api/v1/duplicates?month=2021-11", None).await.json["pairs"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert!(get("/violations/V-1").await.text.contains("href=\"/violations/V-9\""), "V-1's page links its duplicate");
    let page = get("/violations/V-9").await;
    assert!(page.text.contains("id=\"duplicate-of\"") && page.text.contains("value=\"undo\""), "{}", page.text);

    // Chains are refused with a reason; undoing counts it again.
    let chain = with_token(
        &app,
        &server,
        "POST",
        "/api/v1/duplicates",
        Some(serde_json::json!({ "a": "V-9", "b": "V-2", "decision": "same" })),
    )
    .await;
    assert_eq!(chain.status, StatusCode::CONFLICT, "{}", chain.json);
    let undo = with_token(
        &app,
        &server,
        "POST",
        "/api/v1/duplicates",
        Some(serde_json::json!({ "a": "V-1", "b": "V-9", "decision": "undo" })),
    )
    .await;
    assert_eq!(undo.status, StatusCode::OK, "{}", undo.json);
    assert_eq!(total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await), Some(3));
    let audited = server.store().audit_log(50).expect("audit").into_iter().filter(|e| e.action == "duplicate").count();
    assert_eq!(audited, 2, "each decision audited");

    let (partner, partner_csrf) = login(&app, "partner-b").await;
    let denied = call(
        &app,
        form_request(&partner, &partner_csrf, "POST", &format!("/duplicates?csrf={partner_csrf}"), form.into()),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// (kind, id) -> record, as a follower of the change feed holds them.
type Mirror = BTreeMap<(String, String), serde_json::Value>;

/// Applies the change feed from `since` to its end, a page of one entry at a time, as the
/// token's user or the session of `cookie`; `since` is left at the last `next`.
async fn follow(app: &Router, token: &str, mirror: &mut Mirror, since: &mut String, cookie: Option<&str>) {
    loop {
        let builder = request("GET", &format!("/api/v1/changes?limit=1&since={since}"), None);
        let builder = match cookie {
            Some(cookie) => builder.header(header::COOKIE, cookie),
            None => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        };
        let page = call(app, builder.body(Body::empty()).expect("request")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        let entries = page.json["changes"].as_array().expect("changes");
        for entry in entries {
            let key = (entry["kind"].as_str().expect("kind").to_owned(), entry["id"].as_str().expect("id").to_owned());
            match entry["op"].as_str() {
                Some("upsert") => mirror.insert(key, entry["record"].clone()),
                _ => mirror.remove(&key),
            };
        }
        *since = page.json["next"].as_str().expect("next").to_owned();
        if page.json["more"] == false && entries.is_empty() {
            break;
        }
    }
}

/// HXL: the violations download and the month's tables as CSV, with `hxl`, carry a hashtag row
/// that libhxl (PyPI, installed by scripts/test.sh) reads, every hashtag of HXL's core schema;
/// the data rows are the same as without it.
#[tokio::test]
async fn downloads_carry_hxl_hashtags_that_libhxl_reads() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |path: &str| {
        request("GET", path, None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(Body::empty())
            .expect("request")
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, plain, tagged) in [
        ("violations.csv", "/violations.csv", "/violations.csv?hxl=1"),
        ("tables.csv", "/api/v1/reports/2021-11/tables.csv", "/api/v1/reports/2021-11/tables.csv?hxl=true"),
    ] {
        let (plain, tagged) = (bytes(&app, get(plain)).await, bytes(&app, get(tagged)).await);
        let text = String::from_utf8(tagged.clone()).expect("utf-8");
        let mut lines = text.lines();
        let header = lines.next().expect("header");
        assert!(lines.next().is_some_and(|tags| tags.starts_with('#')), "{text}");
        let rest: Vec<&str> = lines.collect();
        let expected: Vec<String> =
            String::from_utf8(plain).expect("utf-8").lines().skip(1).map(str::to_owned).collect();
        assert_eq!(rest, expected, "{name}: the same rows under the hashtags");
        assert!(header.starts_with("violation_id") || header.starts_with("table"));
        let path = dir.path().join(name);
        std::fs::write(&path, tagged).expect("write");
        files.push((path, expected.len()));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/hxl_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(files.iter().map(|(p, _)| p))
        .output()
        .expect("python3 runs: scripts/test.sh installs libhxl");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    for ((path, rows), line) in files.iter().zip(said.lines()) {
        assert!(line.starts_with(&path.display().to_string()) && line.ends_with(&format!(" {rows}")), "{line}");
    }
}

/// GeoJSON: one feature per region, cercle or commune, valid for the `geojson` package (PyPI,
/// installed by scripts/test.sh); the IM officer gets every figure, a viewer the disclosure
/// rule's (the commune of a single violation: no count, `suppressed`).
#[tokio::test]
async fn the_month_as_geojson_has_a_feature_per_unit_under_the_disclosure_rule() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (viewer, _) = login(&app, "viewer").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let geography = &Catalog::builtin().geography;
    let mut files = Vec::new();
    for (level, units) in [
        ("region", geography.regions.len()),
        ("cercle", geography.cercles.len()),
        ("commune", geography.communes.len()),
    ] {
        let path = format!("/api/v1/geojson?month=2021-11&level={level}");
        let request = request("GET", &path, None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .body(Body::empty())
            .expect("request");
        let file = dir.path().join(format!("{level}.geojson"));
        std::fs::write(&file, bytes(&app, request).await).expect("write");
        files.push((file, units));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/geojson_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("python3 runs: scripts/test.sh installs geojson");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    for ((file, units), line) in files.iter().zip(said.lines()) {
        assert_eq!(line, format!("{} {units}", file.display()), "one feature per unit");
    }

    let commune = |json: &serde_json::Value| {
        json["features"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["properties"]["code"] == "ML040503"))
            .cloned()
            .expect("Niono")
    };
    let im: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[2].0).expect("read")).expect("json");
    let niono = commune(&im);
    assert_eq!(niono["properties"]["violations"], 1);
    assert_eq!(niono["properties"]["violations_by_category"]["E"], 1);
    let seen = call(
        &app,
        request("GET", "/api/v1/geojson?month=2021-11", None)
            .header(header::COOKIE, viewer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    let niono = commune(&seen.json);
    assert!(niono["properties"]["violations"].is_null() && niono["properties"]["suppressed"] == true, "{niono}");
    assert!(niono["properties"].get("violations_by_category").is_none(), "no breakdown below the region");
}

/// The change feed: a follower that applies every entry from an empty cursor, a page at a time
/// (an import batch's records over several pages), through creations, corrections,
/// verification decisions, deletions and an import, holds exactly the records the caller may
/// see; a partner's follower holds its organisation's only; a viewer may not follow.
#[tokio::test]
async fn the_change_feed_rebuilds_exactly_what_the_caller_may_see() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let api = |method: &str, path: &str, body: Option<String>, cookie: Option<&str>| {
        let mut builder = request(method, path, None);
        builder = match cookie {
            Some(cookie) => builder.header(header::COOKIE, cookie),
            None => builder.header(header::AUTHORIZATION, format!("Bearer {}", server.token)),
        };
        if let Some(body) = &body {
            let kind = if body.starts_with('{') { "application/json" } else { "text/csv" };
            builder = builder.header(header::CONTENT_TYPE, kind);
        }
        let request = builder.body(Body::from(body.unwrap_or_default())).expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    let (partner, _) = login(&app, "partner-a").await;
    let (mut all, mut partners) = (Mirror::new(), Mirror::new());
    let (mut since, mut partner_since) = (String::new(), String::new());
    follow(&app, &server.token, &mut all, &mut since, None).await;
    follow(&app, &server.token, &mut partners, &mut partner_since, Some(&partner)).await;
    assert_eq!(all.len(), 4, "two violations, an alert and a risk answer: {all:?}");

    // Writes of every kind.
    let v3 = violation_body(&V1.replace("V-1,I-1", "V-3,I-3")).to_string();
    assert_eq!(api("POST", "/api/v1/violations", Some(v3), None).await.status, StatusCode::CREATED);
    let mut corrected = violation_body(&V1.replace("Récit A", "Récit A, corrigé"));
    corrected.as_object_mut().expect("object").remove("violation_id");
    assert_eq!(api("PUT", "/api/v1/violations/V-1", Some(corrected.to_string()), None).await.status, StatusCode::OK);
    let rejected = serde_json::json!({ "status": "rejected", "reason": "not_a_protection_violation" }).to_string();
    assert_eq!(api("PUT", "/api/v1/violations/V-2/verification", Some(rejected), None).await.status, StatusCode::OK);
    let verified = serde_json::json!({ "status": "verified" }).to_string();
    assert_eq!(api("PUT", "/api/v1/violations/V-1/verification", Some(verified), None).await.status, StatusCode::OK);
    assert_eq!(api("DELETE", "/api/v1/violations/V-3", None, None).await.status, StatusCode::NO_CONTENT);
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        V1.replace("V-1,I-1", "V-4,I-4"),
        V1.replace("V-1,I-1", "V-5,I-5").replace("DRC", "NRC")
    );
    assert_eq!(api("POST", "/api/v1/imports/violations", Some(csv), None).await.status, StatusCode::OK);
    assert_eq!(api("DELETE", "/api/v1/alerts/A-1", None, None).await.status, StatusCode::NO_CONTENT);

    follow(&app, &server.token, &mut all, &mut since, None).await;
    follow(&app, &server.token, &mut partners, &mut partner_since, Some(&partner)).await;

    // What the store holds now, as the API lists it, with each violation's verification.
    let store = server.store();
    let mut now = Mirror::new();
    for (kind, id_column) in [("violations", "violation_id"), ("alerts", "alert_id"), ("risk-answers", "answer_id")] {
        // Every status: the list's default leaves the rejected out, as the tables do.
        let every = if kind == "violations" {
            "&verification=reported&verification=verified&verification=not_verified&verification=rejected"
        } else {
            ""
        };
        let list = api("GET", &format!("/api/v1/{kind}?limit=1000{every}"), None, None).await;
        for record in list.json[kind.replace('-', "_")].as_array().expect("records") {
            let id = record[id_column].as_str().expect("id").to_owned();
            let mut record = record.clone();
            if kind == "violations" {
                let (status, reason) = store.verification_of(&id).expect("read").expect("stored").codes();
                record["verification"] = serde_json::json!({ "status": status, "reason": reason });
            }
            now.insert((kind.to_owned(), id), record);
        }
    }
    assert!(now.keys().any(|(_, id)| id == "V-2"), "the rejected violation is still a record");
    assert_eq!(all, now, "the follower holds the store's records exactly");
    let own: Mirror = now.into_iter().filter(|(_, r)| r["organization"] == "DRC").collect();
    assert_eq!(partners, own, "a partner follows its own organisation's records");

    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(api("GET", "/api/v1/changes", None, Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api("GET", "/api/v1/changes?since=x", None, None).await.status, StatusCode::BAD_REQUEST);
}

/// `method path` with a form's body, by a signed-in session.
fn form_request(cookie: &str, csrf: &str, method: &str, path: &str, body: String) -> Request<Body> {
    request(method, path, None)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request")
}

/// A form's body from `name=value` pairs.
fn form_body(pairs: &[(&str, &str)]) -> String {
    let header: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let row: Vec<&str> = pairs.iter().map(|(_, v)| *v).collect();
    form_encode(&header.join(","), &row.join(","))
}

#[tokio::test]
async fn the_entry_form_validates_like_the_import_and_says_why_next_to_each_field() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "partner-a").await;
    let post = |path: &str, body: String, lang: &str| {
        let request = request("POST", &format!("{path}?csrf={csrf}"), None)
            .header(header::COOKIE, format!("{cookie}; vigie_lang={lang}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    let mut fields = vec![
        ("violation_id", "V-50"),
        ("incident_id", "I-50"),
        ("incident_date", "2021-11-20"),
        ("report_date", "2021-11-10"),
        ("admin3_pcode", "ML040503"),
        ("violation_code", "E1"),
        ("perpetrator_code", "UNID_ARMED"),
        ("place_code", "ROAD"),
        ("time_slot_code", "DAY"),
        ("victim_sex", "M"),
        ("victim_age_group", "ADULT"),
        ("victim_occupation", "TRADER"),
        ("victim_population", "RESIDENT"),
        ("organization", "DRC"),
    ];
    let wrong = post("/violations/new", form_body(&fields), "fr").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = "La date du rapport ne peut pas précéder la date de l’incident.";
    let next_to_field =
        format!("aria-describedby=\"error-report_date\"><p class=\"field-error\" id=\"error-report_date\">{message}");
    assert!(wrong.text.contains(&next_to_field), "the message, in French, next to its field: {}", wrong.text);
    assert!(wrong.text.contains("value=\"V-50\""), "what was typed is kept");
    let english = post("/violations/new", form_body(&fields), "en").await;
    assert!(english.text.contains("The report date cannot come before the incident date."), "in English too");
    assert!(
        server
            .store()
            .records(Catalog::builtin(), RecordKind::Violations, vigie_store::Select::Id("V-50"))
            .expect("read")
            .is_empty(),
        "nothing saved"
    );

    fields[3].1 = "2021-11-21";
    let saved = post("/violations/new", form_body(&fields), "fr").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert_eq!(saved.headers[header::LOCATION], "/violations/V-50?saved=inserted");
    let taken = post("/violations/new", form_body(&fields), "en").await;
    assert!(
        taken.status == StatusCode::UNPROCESSABLE_ENTITY && taken.text.contains("already has this identifier"),
        "a new record never overwrites one"
    );
    let dashboard = call(
        &app,
        request("GET", "/dashboard?month=2021-11&commune=ML040503", None)
            .header(header::COOKIE, cookie.clone())
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let key = &dashboard.text[dashboard.text.find("id=\"key-month\"").expect("key figure")..];
    assert!(key.contains("class=\"value\" data-value=\"2\""), "the new violation is counted at once: {key}");

    // Another organisation's record: the form cannot reach it, even by its id.
    fields[0].1 = "V-2";
    let other = post("/violations/new", form_body(&fields), "fr").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let edited = post("/violations/V-50/edit", form_body(&fields[1..]).replace("V-2", "V-50"), "fr").await;
    assert_eq!(edited.headers[header::LOCATION], "/violations/V-50?saved=unchanged", "the id is the address's");
}

#[tokio::test]
async fn the_filtered_list_downloads_whole_scoped_to_the_partner_and_audited() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |cookie: String, path: &str| {
        let request = request("GET", path, None).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    let (im, _) = login(&app, "im").await;
    // Pages travel gzipped to a browser that takes it; downloads as they are.
    for (path, gzipped) in [("/dashboard?month=2021-11", true), ("/violations.csv", false)] {
        let request = request("GET", path, None)
            .header(header::COOKIE, im.clone())
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .expect("request");
        let answer = call(&app, request).await;
        assert_eq!(answer.headers.get(header::CONTENT_ENCODING).is_some_and(|e| e == "gzip"), gzipped, "{path}");
    }
    let all = get(im.clone(), "/violations.csv").await;
    assert_eq!(all.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let lines: Vec<&str> = all.text.lines().collect();
    assert_eq!(lines[0], HEADER, "the exchange format, importable again");
    assert_eq!(lines[1].replace(",ML04,ML0405,", ",,,"), V1, "the region and cercle filled in");
    assert_eq!(lines.len(), 3);
    let mopti = get(im, "/violations.csv?region=ML05&sort=-incident_date&cursor=1.1").await;
    assert_eq!(mopti.text.lines().count(), 2, "the filters hold, the paging does not: {}", mopti.text);
    let (partner_a, _) = login(&app, "partner-a").await;
    let own = get(partner_a.clone(), "/violations.csv?organization=NRC").await;
    assert_eq!(own.text.lines().count(), 1, "another organisation's: nothing but the header");
    let own = get(partner_a.clone(), "/violations.csv").await;
    assert!(own.text.contains("V-1") && !own.text.contains("V-2"));
    let workbook = get(partner_a, "/violations.xlsx").await;
    assert!(workbook.status == StatusCode::OK && workbook.text.starts_with("PK"), "a workbook");
    let store = server.store();
    let downloads: Vec<String> = store
        .audit_log(50)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "download")
        .map(|e| e.new.unwrap_or_default())
        .collect();
    assert_eq!(downloads.len(), 6, "every download is audited");
    assert!(downloads[0].contains("\"format\":\"xlsx\"") && downloads[0].contains("\"rows\":1"), "{}", downloads[0]);
}

/// From a figure to its records: for whoever may see records, every chart bar, map commune,
/// key figure and table cell of the dashboard links to the violations list with the view's
/// filters and its own (the list takes them as they are); for a viewer, a bar or a commune
/// filters the dashboard instead. Every link is named for a screen reader.
#[tokio::test]
async fn a_click_on_a_figure_lists_its_violations_or_filters_the_viewers_dashboard() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |who: &'static str, path: &'static str| {
        let app = app.clone();
        async move {
            let (cookie, _) = login(&app, who).await;
            let request =
                request("GET", path, None).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
            call(&app, request).await
        }
    };
    let page = get("im", "/dashboard?month=2021-11&verification=reported").await;
    let links: Vec<&str> = page.text.split("href=\"").skip(1).filter_map(|l| l.split('"').next()).collect();
    for (what, link) in [
        ("a commune", "/violations?verification=reported&amp;month=2021-11&amp;commune=ML040503"),
        ("a bar", "/violations?verification=reported&amp;month=2021-11&amp;perpetrator=UNID_ARMED"),
        ("the month's key figure", "/violations?verification=reported&amp;month=2021-11"),
        ("the year's", "/violations?verification=reported&amp;from=2021-01-01&amp;to=2021-11-30"),
        (
            "a cell of the category × region table",
            "/violations?verification=reported&amp;month=2021-11&amp;category=E&amp;region=ML04",
        ),
    ] {
        assert!(links.contains(&link), "{what}: {link} in {links:?}");
    }
    assert!(
        page.text.contains("data-filter=\"commune=ML040503\" aria-label=\"Kala Siguida: ")
            && page.text.contains(" — la liste de ces violations\""),
        "a commune says where it leads"
    );
    // The list takes each of them as it is, and counts what the figure counted.
    let cell = get("im", "/violations?verification=reported&month=2021-11&category=E&region=ML04").await;
    assert_eq!(cell.status, StatusCode::OK, "{}", cell.text);
    assert!(cell.text.contains("V-1") && !cell.text.contains("V-2"), "{}", cell.text);
    let year = get("im", "/violations?verification=reported&from=2021-01-01&to=2021-11-30").await;
    assert!(year.text.contains("V-1") && year.text.contains("V-2"));

    // A viewer: a commune chooses its region, a bar its filter, on the dashboard.
    let viewer = get("viewer", "/dashboard?month=2021-11").await;
    assert!(!viewer.text.contains("href=\"/violations"), "no way to a record");
    let link = "<a href=\"/dashboard?month=2021-11&amp;region=ML04\" tabindex=\"-1\" data-filter=\"commune=ML040503\" aria-label=\"Kala Siguida";
    assert!(viewer.text.contains(link), "a commune of the map links to its region");
    assert!(viewer.text.contains("filtrer le tableau de bord"));
    let region = get("viewer", "/dashboard?month=2021-11&region=ML04").await;
    assert!(region.text.contains("id=\"key-month\"><div class=\"label\">") && region.text.contains("data-value=\"1\""));
    let drill = "href=\"/dashboard?month=2021-11&amp;region=ML04&amp;commune=ML040503\"";
    assert!(region.text.contains(drill), "inside the region, a commune links to itself");
    // The violations map by region: each region's count, in the map's data.
    let by_region = get("im", "/dashboard?month=2021-11&map=region").await;
    assert!(by_region.text.contains("Carte des violations par région"));
    assert!(by_region.text.contains("<td>Ségou</td><td class=\"n\">1</td>"), "Ségou's one violation");
}

#[tokio::test]
async fn an_uploaded_file_is_imported_whole_or_its_every_error_listed_and_the_history_kept() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let upload = |who: &'static str, lang: &'static str, csv: String| {
        let app = app.clone();
        async move {
            let (cookie, csrf) = login(&app, who).await;
            let request = request("POST", &format!("/imports?csrf={csrf}"), None)
                .header(header::COOKIE, format!("{cookie}; vigie_lang={lang}"))
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(Body::from(multipart(&[("kind", None, "violations"), ("file", Some("novembre.csv"), &csv)])))
                .expect("request");
            call(&app, request).await
        }
    };
    let good = V1.replace("V-1,I-1", "V-20,I-20");
    let bad = format!("{HEADER}\n{}\n{}\n", good, V1.replace("V-1,I-1", "V-21,I-21").replace("ML040503", "ML999999"));
    let wrong = upload("im", "fr", bad.replace("2021-11-03", "2021-13-03")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text.contains("3 erreurs : rien n’a été importé"), "{}", wrong.text);
    // The cells without their labels for phones.
    let mut plain = wrong.text.clone();
    while let Some(at) = plain.find(" data-label=\"") {
        let end = plain[at + 13..].find('"').map_or(plain.len(), |e| at + 14 + e);
        plain.replace_range(at..end, "");
    }
    for cell in [
        "<td>novembre.csv</td><td class=\"n\">2</td><td><code>incident_date</code></td><td><code>2021-13-03</code></td><td>Une date au format AAAA-MM-JJ",
        "<td class=\"n\">3</td><td><code>admin3_pcode</code></td><td><code>ML999999</code></td><td>Choisissez une commune de la liste.",
    ] {
        assert!(plain.contains(cell), "each error located, in French: {cell}");
    }
    let fixed = upload("im", "en", format!("{HEADER}\n{good}\n")).await;
    assert_eq!(fixed.status, StatusCode::OK);
    assert!(
        fixed.text.contains("novembre.csv imported.") && fixed.text.contains("1 added, 0 corrected, 0 unchanged"),
        "{}",
        fixed.text
    );
    let again = upload("im", "en", format!("{HEADER}\n{good}\n")).await;
    assert!(again.text.contains("0 added, 0 corrected, 1 unchanged"), "importing again changes nothing");
    let history = &again.text[again.text.find("id=\"batches\"").expect("history")..];
    assert_eq!(
        history.matches("<td>novembre.csv</td><td>im</td>").count(),
        1,
        "one batch: the no-change import left none"
    );
    let partner = upload("partner-a", "en", format!("{HEADER}\n{}\n", good.replace("V-20,I-20", "V-22,I-22"))).await;
    let history = &partner.text[partner.text.find("id=\"batches\"").expect("history")..];
    assert!(
        history.contains("<td>novembre.csv</td><td>partner-a</td>") && !history.contains("<td>im</td>"),
        "a partner sees its organisation's batches only"
    );
    let (partner_b, _) = login(&app, "partner-b").await;
    let theirs = call(
        &app,
        request("GET", "/imports", None).header(header::COOKIE, partner_b).body(Body::empty()).expect("request"),
    )
    .await;
    assert!(!theirs.text.contains("novembre.csv"), "nor another organisation's");
}

#[tokio::test]
async fn a_kobo_export_is_uploaded_like_a_file_and_its_errors_located_in_the_export() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "im").await;
    let upload = |export: String| {
        let request = request("POST", &format!("/imports?csrf={csrf}"), None)
            .header(header::COOKIE, format!("{cookie}; vigie_lang=en"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(multipart(&[
                ("kind", None, "kobo"),
                ("file", Some("kobo-page1.json"), &export),
                ("mapping", Some(""), ""),
            ])))
            .expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    // A KoBo API page of Vigie's form: one submission, one victim with two violations.
    let export = r#"{"count": 1, "next": null, "previous": null, "results": [{"_id": 7, "_uuid": "5d3c7a4e-0001",
        "_xform_id_string": "vigie_violations", "incident/incident_date": "2021-11-03", "incident/admin1": "Ségou",
        "incident/admin3": "Kala Siguida", "incident/perpetrator": "UNID_ARMED", "incident/place": "ROAD",
        "incident/time_slot": "DAY", "incident/organization": "DRC",
        "victims": [{"victims/sex": "F", "victims/age_group": "ADULT", "victims/occupation": "TRADER",
                     "victims/population": "RESIDENT", "victims/violations": "E1 D1"}]}]}"#;
    let done = upload(export.to_owned()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert!(
        done.text.contains("kobo-page1.json imported.") && done.text.contains("2 added, 0 corrected"),
        "{}",
        done.text
    );
    let dashboard = call(
        &app,
        request("GET", "/api/v1/violations/vigie_violations:5d3c7a4e-0001:1:E1", None)
            .header(header::COOKIE, cookie.clone())
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(dashboard.text.contains("ML040503"), "placed by name in Kala Siguida: {}", dashboard.text);
    let wrong = upload(export.replace("\"UNID_ARMED\"", "\"aliens\"")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text.contains("kobo-page1.json (kobo-page1)")
            && wrong.text.contains("<code>perpetrator</code>")
            && wrong.text.contains("<code>aliens</code>"),
        "the error names the export, its field and value: {}",
        wrong.text
    );
}

#[tokio::test]
async fn the_reports_page_offers_each_role_the_files_it_may_have() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |cookie: String, path: &str| {
        let request = request("GET", path, None).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
        let app = app.clone();
        async move { call(&app, request).await }
    };
    let (viewer, _) = login(&app, "viewer").await;
    let page = get(viewer.clone(), "/reports?month=2021-11").await;
    for file in ["pdf?lang=fr", "html?lang=fr", "tables.csv?lang=fr", "tables.xlsx?lang=fr"] {
        assert!(page.text.contains(&format!("href=\"/api/v1/reports/2021-11/{file}\"")), "{file}");
    }
    assert!(!page.text.contains("incidents.xlsx"), "no incident list for a viewer");
    let workbook = get(viewer, "/api/v1/reports/2021-11/tables.xlsx").await;
    assert!(workbook.status == StatusCode::OK && workbook.text.starts_with("PK"), "the tables' workbook");
    let (im, _) = login(&app, "im").await;
    assert!(
        get(im, "/reports").await.text.contains("/api/v1/reports/2021-11/incidents.xlsx"),
        "the latest month by default"
    );
}

#[tokio::test]
async fn analysts_write_the_reports_words_in_pages_and_their_numbers_are_checked() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "im").await;
    let send = |method: &str, path: &str, body: String| {
        let (app, request) = (app.clone(), form_request(&cookie, &csrf, method, path, body));
        async move { call(&app, request).await }
    };
    // Two violations in November: "3" is no figure, and Ségou (ML04) has one.
    let context = form_body(&[("month", "2021-11"), ("section", "context"), ("body", "En novembre 17 violations.")]);
    assert_eq!(send("POST", "/texts", context).await.status, StatusCode::SEE_OTHER);
    let analysis = form_body(&[("month", "2021-11"), ("section", "ML04"), ("body", "À Ségou 1 violation.")]);
    send("POST", "/texts", analysis).await;
    let page = send("GET", "/texts?month=2021-11", String::new()).await;
    let context = &page.text[page.text.find("id=\"text-context\"").expect("context")..];
    assert!(
        context.contains("<mark>17</mark>") && context.contains("ne correspond à aucun chiffre"),
        "flagged: {}",
        &context[..2000.min(context.len())]
    );
    let segou = &page.text[page.text.find("id=\"text-ML04\"").expect("Ségou")..];
    assert!(segou[..segou.find("</section>").expect("end")].contains("Tous les nombres de ce texte correspondent"));

    let added = send(
        "POST",
        "/recommendations",
        form_body(&[("month", "2021-11"), ("actor", "Cluster"), ("action", "Plaider pour l’accès"), ("zone", "Mopti")]),
    )
    .await;
    assert_eq!(added.headers[header::LOCATION], "/texts?month=2021-11#recommendation-1");
    send("POST", "/recommendations/1", form_body(&[("month", "2021-11"), ("follow_up", "Lettre envoyée")])).await;
    send(
        "POST",
        "/recommendations/1",
        form_body(&[("month", "2021-12"), ("follow_up", "Réunion tenue"), ("close", "1")]),
    )
    .await;
    let store = server.store();
    let month = |m: &str| vigie_core::Month::parse(m).expect("month");
    let november = store.recommendations(month("2021-11")).expect("read");
    assert_eq!(november[0].row()[3], "Lettre envoyée", "November's report shows November's follow-up");
    let december = store.recommendations(month("2021-12")).expect("read");
    assert_eq!((december[0].row()[3].as_str(), december[0].closed), ("Réunion tenue", Some(month("2021-12"))));
    assert!(store.recommendations(month("2022-01")).expect("read").is_empty(), "closed: gone from January");
    let audited = store
        .audit_log(50)
        .expect("audit")
        .iter()
        .filter(|e| e.entity == "recommendations" || e.entity == "report_texts")
        .count();
    assert_eq!(audited, 6, "two texts, an addition, two follow-ups and a closing: each audited");

    let report = send("GET", "/api/v1/reports/2021-11/html", String::new()).await;
    assert!(
        report.text.contains("En novembre 17 violations.") && report.text.contains("Lettre envoyée"),
        "in the report"
    );
}

#[tokio::test]
async fn admins_manage_accounts_and_read_the_audit_log_by_actor_action_and_day() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, csrf) = login(&app, "admin").await;
    let send = |method: &str, path: &str, body: String| {
        let (app, request) = (app.clone(), form_request(&cookie, &csrf, method, path, body));
        async move { call(&app, request).await }
    };
    let short = send("POST", "/admin/users", "name=amadou&role=partner&organization=DRC&password=short".into()).await;
    let location = short.headers[header::LOCATION].to_str().expect("location").to_owned();
    assert!(location.starts_with("/admin?failed=") && location.contains("10"), "why it failed: {location}");
    let page = send("GET", &location, String::new()).await;
    assert!(page.text.contains("class=\"error\"") && page.text.contains("at least 10 characters"), "said in the page");
    let added = send(
        "POST",
        "/admin/users",
        format!("name=amadou&role=partner&organization=DRC&password={}", PASSWORD.replace(' ', "+")),
    )
    .await;
    assert_eq!(added.headers[header::LOCATION], "/admin?done=saved#users");
    login(&app, "amadou").await;
    send("POST", "/admin/users/amadou", "disabled=true".into()).await;
    let body = serde_json::json!({ "name": "amadou", "password": PASSWORD });
    let refused = call(
        &app,
        request("POST", "/api/v1/login", Some(body.clone())).body(Body::from(body.to_string())).expect("request"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "a disabled account signs in no more");

    let today = chrono::Utc::now().date_naive();
    let audit =
        send("GET", &format!("/admin/audit?actor=admin&action=user_add&from={today}&to={today}"), String::new()).await;
    let rows = audit.text.matches("<td><code>").count();
    assert_eq!(rows, 1, "amadou's addition only: {}", audit.text);
    assert!(audit.text.contains("<code>user_add</code>") && audit.text.contains("users amadou"));
    let yesterday = today.pred_opt().expect("a day before");
    let none = send("GET", &format!("/admin/audit?actor=admin&to={yesterday}"), String::new()).await;
    assert_eq!(none.text.matches("<td><code>").count(), 0, "nothing before today");
    let api = send("GET", "/api/v1/audit?action=user_disable", String::new()).await;
    assert_eq!(api.json["entries"].as_array().map(Vec::len), Some(1), "the API filters alike");
}

/// One HTTP/1.1 request over a real socket to `addr` (so the server sees the client's address),
/// read to its end: the status and the whole answer.
async fn raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

/// Serves `server` on a real socket of the loopback; stops when the sender is dropped.
async fn listening(server: &Server) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(vigie_server::serve(listener, Arc::clone(&server.state), async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// 40 wrong passwords for one account sent at once: each attempt is counted before its password
/// is checked, so no more than the limit are checked (401) and the rest are refused (429); the
/// address that sent them (the socket's) is then refused for another account too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_sign_ins_are_checked_no_more_than_the_limit_per_account_and_address() {
    let server = server(|_| ());
    let (addr, _stop) = listening(&server).await;
    let body = serde_json::json!({ "name": "viewer", "password": "not the password" }).to_string();
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let body = body.clone();
        attempts.spawn(async move {
            raw(addr, "POST", "/api/v1/login", &[("Content-Type", "application/json")], &body).await.0
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = attempts.join_next().await {
        statuses.push(status.expect("attempt"));
    }
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let refused = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!((checked + refused, checked as u64), (40, vigie_server::MAX_FAILURES), "{statuses:?}");
    let store = server.store();
    let failed: Vec<_> =
        store.audit_log(200).expect("audit").into_iter().filter(|e| e.action == "login_failed").collect();
    assert_eq!(failed.len(), checked, "every checked attempt audited");
    // The right password for another account, from the same address: refused too.
    let im = serde_json::json!({ "name": "im", "password": PASSWORD }).to_string();
    let (status, _) = raw(addr, "POST", "/api/v1/login", &[("Content-Type", "application/json")], &im).await;
    assert_eq!(status, 429, "throttled per address as well as per account");
}

/// Every write route of the route table, called with a signed-in session's cookie but without
/// its CSRF token, is refused before its handler runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_route_takes_a_session_without_its_csrf_token() {
    let server = server(|_| ());
    let (addr, _stop) = listening(&server).await;
    let app = vigie_server::router(Arc::clone(&server.state));
    let (cookie, _) = login(&app, "admin").await;
    let writes: Vec<_> =
        vigie_server::route_specs().into_iter().filter(|s| s.method != "GET" && s.method != "HEAD").collect();
    assert!(writes.len() > 15, "{} write routes", writes.len());
    for spec in writes {
        let path: String = spec
            .path
            .split('/')
            .map(|part| if part.starts_with('{') { "x" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        let (status, answer) =
            raw(addr, spec.method, &path, &[("Cookie", &cookie), ("Content-Type", "application/json")], "{}").await;
        assert_eq!(status, 403, "{} {path}: {answer}", spec.method);
        if path.starts_with("/api/") {
            assert!(answer.contains("\"csrf\""), "{} {path}: refused for its token: {answer}", spec.method);
        }
    }
}

/// axum's own refusals — a body that is not JSON, a wrong content type, a query that does not
/// parse, a method the route lacks — answer in the API's one JSON envelope too.
#[tokio::test]
async fn every_api_error_is_the_json_envelope_extractor_refusals_included() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let (admin, _) = login(&app, "admin").await;
    let cases = [
        ("POST", "/api/v1/login", Some("application/json"), "{not json", StatusCode::BAD_REQUEST),
        ("POST", "/api/v1/login", Some("text/plain"), "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("POST", "/api/v1/login", Some("application/json"), "{\"name\": 3}", StatusCode::UNPROCESSABLE_ENTITY),
        ("GET", "/api/v1/audit?limit=many", None, "", StatusCode::BAD_REQUEST),
        ("DELETE", "/api/v1/me", None, "", StatusCode::METHOD_NOT_ALLOWED),
        ("GET", "/api/v1/nothing-here", None, "", StatusCode::NOT_FOUND),
    ];
    for (method, path, content_type, body, status) in cases {
        // Signed in for reads (a session's write would first need its CSRF token).
        let mut request = request(method, path, None);
        if method == "GET" {
            request = request.header(header::COOKIE, &admin);
        } else if method == "DELETE" {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", server.token));
        }
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let answer = call(&app, request.body(Body::from(body)).expect("request")).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text);
        assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json", "{method} {path}");
        let error = &answer.json["error"];
        assert!(
            error["code"].is_string() && error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: {}",
            answer.text
        );
    }
}

/// `method path` as a signed-in session (cookie and CSRF token), with a JSON body and headers.
async fn as_session(
    app: &Router,
    (cookie, csrf): &(String, String),
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let text = body.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut builder = request(method, path, body).header(header::COOKIE, cookie).header("x-csrf-token", csrf);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    call(app, builder.body(Body::from(text)).expect("request")).await
}

/// A month signed off by the IM officer: its report stored as version 1 and served byte for
/// byte whatever changes after; every change to its violations refused with the lock named in
/// the reader's language; a new violation accepted as a late report, counted in the next
/// month's tables and as a change since publication; reopened by an admin only, then signed
/// off as version 2 while version 1 stays as it was.
#[tokio::test]
async fn a_signed_off_month_is_locked_served_as_published_and_reopened_into_version_two() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let signed = with_token(
        &app,
        &server,
        "POST",
        "/api/v1/months/2021-11/sign-off",
        Some(serde_json::json!({ "note": "final" })),
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.json);
    assert_eq!((signed.json["version"].as_u64(), signed.json["signed_by"].as_str()), (Some(1), Some("im")));
    let again = with_token(&app, &server, "POST", "/api/v1/months/2021-11/sign-off", None).await;
    assert_eq!((again.status, again.json["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("month_locked")));

    let november = vigie_core::Month::new(2021, 11).expect("month");
    let stored = |name: &str| server.store().published_file(november, 1, name).expect("read").expect("stored");
    let published_csv = stored("fr/full/tables.csv");
    let download = |path: &'static str| with_token(&app, &server, "GET", path, None);
    let first = download("/api/v1/months/2021-11/versions/1/tables.csv").await;
    assert_eq!((first.status, first.text.as_bytes()), (StatusCode::OK, published_csv.as_slice()));
    let pdf = download("/api/v1/months/2021-11/versions/1/pdf?lang=en").await;
    assert!(pdf.text.starts_with("%PDF") && pdf_text(&stored("en/full/pdf")).contains("November 2021"));

    // Every kind of change to the month's violations: refused, the lock said in the reader's language.
    let verify = Some(serde_json::json!({ "status": "verified" }));
    let refused = with_token(&app, &server, "PUT", "/api/v1/violations/V-1/verification", verify.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    let message = refused.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("novembre 2021 est clos") && message.contains("im l’a publié"), "{message}");
    let english = with_token(&app, &server, "PUT", "/api/v1/violations/V-1/verification?lang=en", verify).await;
    let message = english.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("November 2021 is signed off: im published it on "), "{message}");
    let deleted = with_token(&app, &server, "DELETE", "/api/v1/violations/V-1", None).await;
    assert_eq!(deleted.status, StatusCode::CONFLICT, "{}", deleted.json);
    let mut edit = violation_body(&V1.replace("Récit A", "Récit A corrigé"));
    edit.as_object_mut().expect("an object").remove("violation_id");
    let edited = with_token(&app, &server, "PUT", "/api/v1/violations/V-1", Some(edit)).await;
    assert_eq!(edited.status, StatusCode::CONFLICT, "{}", edited.json);
    let pair = Some(serde_json::json!({ "a": "V-1", "b": "V-2", "decision": "same" }));
    assert_eq!(with_token(&app, &server, "POST", "/api/v1/duplicates", pair).await.status, StatusCode::CONFLICT);
    // The pages say it in the page's language too.
    let (cookie, csrf) = login(&app, "im").await;
    let form = "id=V-1&status=verified&back=%2Fviolations";
    let page =
        call(&app, form_request(&cookie, &csrf, "POST", &format!("/verification?csrf={csrf}&lang=en"), form.into()))
            .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text.contains("<html") && page.text.contains("November 2021 is signed off"), "{}", page.text);

    // A late report: accepted, counted, not in the published version.
    let late = format!("{HEADER}\n{}\n", V1.replace("V-1,I-1", "V-7,I-7"));
    let imported = call(
        &app,
        request("POST", "/api/v1/imports/violations", None)
            .header(header::AUTHORIZATION, format!("Bearer {}", server.token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(late))
            .expect("request"),
    )
    .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.json);
    let months = download("/api/v1/months").await;
    assert_eq!(months.json["months"][0]["state"], "signed_off", "{}", months.json);
    assert_eq!(months.json["months"][0]["changes_since_publication"], 1, "{}", months.json);
    let page = call(
        &app,
        request("GET", "/violations/V-7?lang=en", None)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(page.text.contains("Late report: written after November 2021 was published (version 1)"), "{}", page.text);
    let december = download("/api/v1/tables?month=2021-12").await;
    let late_cell = december.json["tables"].as_array().and_then(|cells| {
        cells.iter().find(|c| c["table"] == "late_reports" && c["row"] == "2021-11").map(|c| c["value"].clone())
    });
    assert_eq!(late_cell, Some(1.into()), "{}", december.json);
    assert_eq!(month_total(&download("/api/v1/tables?month=2021-11").await), Some(3), "counted live");
    assert_eq!(
        download("/api/v1/months/2021-11/versions/1/tables.csv").await.text.as_bytes(),
        published_csv.as_slice()
    );

    // A viewer gets the public edition; no incident list.
    let viewer = login(&app, "viewer").await;
    let public = as_session(&app, &viewer, "GET", "/api/v1/months/2021-11/versions/1/tables.csv", None, &[]).await;
    assert_eq!(public.text.as_bytes(), stored("fr/public/tables.csv").as_slice());
    let listed = as_session(&app, &viewer, "GET", "/api/v1/months", None, &[]).await;
    assert!(listed.json["months"][0].get("changes_since_publication").is_none(), "{}", listed.json);
    let names = listed.json["months"][0]["versions"][0]["files"].to_string();
    assert!(names.contains("fr/public/pdf") && !names.contains("full"), "{names}");
    let incidents =
        as_session(&app, &viewer, "GET", "/api/v1/months/2021-11/versions/1/incidents.xlsx", None, &[]).await;
    assert_eq!(incidents.status, StatusCode::FORBIDDEN);

    // Reopening: admins only, with a reason; then version 2, version 1 unchanged.
    let reason = Some(serde_json::json!({ "reason": "late reports from DRC" }));
    let denied = with_token(&app, &server, "POST", "/api/v1/months/2021-11/reopen", reason.clone()).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let admin = login(&app, "admin").await;
    let reopened = as_session(&app, &admin, "POST", "/api/v1/months/2021-11/reopen", reason, &[]).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.json);
    assert_eq!(
        with_token(&app, &server, "DELETE", "/api/v1/violations/V-7", None).await.status,
        StatusCode::NO_CONTENT
    );
    let form = form_request(
        &admin.0,
        &admin.1,
        "POST",
        &format!("/reports/sign-off?csrf={}", admin.1),
        "month=2021-11&note=v2".into(),
    );
    let second = call(&app, form).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.text);
    assert_eq!(stored("fr/full/tables.csv"), published_csv, "version 1 byte-identical");
    assert_eq!(
        download("/api/v1/months/2021-11/versions/1/tables.csv").await.text.as_bytes(),
        published_csv.as_slice()
    );
    assert_eq!(download("/api/v1/months/2021-11/versions/2/html").await.status, StatusCode::OK);
    let page = as_session(&app, &admin, "GET", "/reports?month=2021-11&lang=en", None, &[]).await;
    for said in
        ["Version 2, signed off by admin", "Version 1, signed off by im", "Reopened by admin", "late reports from DRC"]
    {
        assert!(page.text.contains(said), "{said}: {}", page.text);
    }
    let actions: Vec<String> = server.store().audit_log(100).expect("audit").into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "sign_off").count(), 2, "{actions:?}");
    assert!(actions.contains(&"reopen".to_owned()), "{actions:?}");
}

/// ODK Collect's first steps with a device's key: the form list (the form's id, version, MD5
/// hash and download address), the XForm whose MD5 that is, the submission handshake. An
/// unknown or revoked key gets 401, audited.
#[tokio::test]
async fn odk_collect_lists_and_downloads_the_form_and_shakes_hands_with_a_device_key() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let get = |method: &str, path: String| {
        let request = request(method, &path, None).header(header::HOST, "vigie.example:8080").body(Body::empty());
        call(&app, request.expect("request"))
    };
    let key = &server.device_key;
    let list = get("GET", format!("/openrosa/{key}/formList")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.headers["x-openrosa-version"], "1.0");
    assert!(list.headers[header::CONTENT_TYPE].to_str().is_ok_and(|t| t.starts_with("text/xml")));
    let field = |name: &str| {
        let open = format!("<{name}>");
        let start = list.text.find(&open).map(|i| i + open.len()).expect(name);
        list.text[start..].split('<').next().unwrap_or_default().to_owned()
    };
    assert_eq!((field("formID").as_str(), field("version").as_str()), ("vigie_violations", "2026.12"));
    let address = format!("http://vigie.example:8080/openrosa/{key}/forms/vigie_violations.xml");
    assert_eq!(field("downloadUrl"), address);
    let form = get("GET", format!("/openrosa/{key}/forms/vigie_violations.xml")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("<data id=\"vigie_violations\" version=\"2026.12\">"));
    let md5 = {
        use md5::Digest;
        md5::Md5::digest(form.text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(field("hash"), format!("md5:{md5}"), "the list's hash is the form's");
    let shake = get("HEAD", format!("/openrosa/{key}/submission")).await;
    assert_eq!(shake.status, StatusCode::NO_CONTENT);
    assert_eq!(shake.headers["x-openrosa-version"], "1.0");
    assert_eq!(shake.headers["x-openrosa-accept-content-length"], "10485760");

    assert_eq!(get("GET", "/openrosa/vigie_not-a-key/formList".into()).await.status, StatusCode::UNAUTHORIZED);
    assert!(server.store().revoke_device("phone-a", &Actor::cli()).expect("revoked"));
    for path in [format!("/openrosa/{key}/formList"), format!("/openrosa/{key}/forms/vigie_violations.xml")] {
        assert_eq!(get("GET", path).await.status, StatusCode::UNAUTHORIZED, "a revoked key opens nothing");
    }
    let refused =
        server.store().audit_log(20).expect("audit").into_iter().filter(|e| e.action == "openrosa_refused").count();
    assert_eq!(refused, 3, "every refusal audited");
    let devices = server.store().devices().expect("devices");
    assert!(devices[0].revoked_at.is_some() && devices[0].organization == "DRC");
}

/// A submission of Vigie's form as ODK Collect sends it: two victims, the second with two
/// subtypes (three violations), in the commune `admin3`; `deprecated` makes it an edit.
fn submission(instance: &str, deprecated: Option<&str>, admin3: &str) -> String {
    let edit = deprecated.map(|d| format!("<deprecatedID>{d}</deprecatedID>")).unwrap_or_default();
    format!(
        "<?xml version='1.0' ?><data id=\"vigie_violations\" version=\"2026.12\" xmlns:jr=\"http://openrosa.org/javarosa\">\
         <start>2021-11-20T10:00:00.000Z</start><end>2021-11-20T10:20:00.000Z</end><today>2021-11-20</today>\
         <incident><incident_date>2021-11-18</incident_date><report_date>2021-11-19</report_date><admin1>ML04</admin1>\
         <admin2>ML0405</admin2><admin3>{admin3}</admin3><locality/><gps/><perpetrator>UNID_ARMED</perpetrator>\
         <place>ROAD</place><time_slot>DAY</time_slot><organization>NRC</organization><narrative>Récit du moniteur</narrative></incident>\
         <victims><sex>F</sex><age_group>ADULT</age_group><occupation>TRADER</occupation><population>IDP</population><violations>E1</violations></victims>\
         <victims><sex>M</sex><age_group>CHILD</age_group><occupation>FARMER</occupation><population>RESIDENT</population><violations>E1 B1</violations></victims>\
         <meta><instanceID>{instance}</instanceID>{edit}</meta></data>"
    )
}

/// The month's early-warning signals through the API, each figure by the disclosure rule: a
/// rape (a sentinel event) counts 1, which the IM officer and the partner whose record it is
/// see, and the viewer and another partner see withheld (`null`, named in `suppressed`), the
/// signal itself shown to all; the withheld answer audited.
#[tokio::test]
async fn signals_show_each_caller_what_the_disclosure_rule_lets_it_see() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let rape = V1.replace("V-1,I-1", "V-8,I-8").replace(",E1,", ",C5,").replace("M,ADULT", "F,ADULT");
    let posted = with_token(&app, &server, "POST", "/api/v1/violations", Some(violation_body(&rape))).await;
    assert!(posted.status.is_success(), "{}", posted.json);
    let signals_as = |who: &'static str| {
        let app = app.clone();
        async move {
            let (cookie, _) = login(&app, who).await;
            let request = request("GET", "/api/v1/signals?month=2021-11", None).header(header::COOKIE, cookie);
            call(&app, request.body(Body::empty()).expect("request")).await
        }
    };
    for (who, seen) in [("im", true), ("partner-a", true), ("viewer", false), ("partner-b", false)] {
        let answer = signals_as(who).await;
        assert_eq!(answer.status, StatusCode::OK, "{who}: {}", answer.json);
        let signals = answer.json["signals"].as_array().expect("signals").clone();
        let sentinel = signals
            .iter()
            .find(|s| s["kind"] == "sentinel" && s["category"] == "sexual_violence")
            .unwrap_or_else(|| panic!("{who}: the sentinel: {}", answer.json));
        assert_eq!(sentinel["unit"], "ML040503");
        if seen {
            assert_eq!(
                (&sentinel["observed"], &sentinel["suppressed"]),
                (&serde_json::json!(1), &serde_json::json!([]))
            );
        } else {
            assert_eq!(sentinel["observed"], serde_json::Value::Null, "{who}");
            assert_eq!(sentinel["suppressed"], serde_json::json!(["observed"]), "{who}");
        }
    }
    let audit = server.store().audit_log(10).expect("audit");
    assert!(audit.iter().any(|e| e.action == "withheld" && e.entity == "signals"), "audited");
    // The dashboard's panel: the IM officer's signal leads to its violations; the viewer's
    // names no commune (nothing below the region but the map) and shows the count withheld.
    for (who, listed) in [("im", true), ("viewer", false)] {
        let (cookie, _) = login(&app, who).await;
        let request = request("GET", "/dashboard?month=2021-11&lang=en", None).header(header::COOKIE, cookie);
        let page = call(&app, request.body(Body::empty()).expect("request")).await;
        assert!(page.text.contains("Early-warning signals"), "{who}");
        let link = "/violations?month=2021-11&amp;commune=ML040503";
        assert_eq!(page.text.contains(link), listed, "{who}: {}", page.text);
        assert_eq!(page.text.contains("Sexual violence"), listed, "{who}");
    }
    let bad = with_token(&app, &server, "GET", "/api/v1/signals?month=2021-13", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The tables' filters choose the places: Ségou's signal is none of Mopti's.
    let mopti = with_token(&app, &server, "GET", "/api/v1/signals?month=2021-11&region=ML05", None).await;
    assert_eq!(mopti.json["signals"], serde_json::json!([]), "{}", mopti.json);
    let segou = with_token(&app, &server, "GET", "/api/v1/signals?month=2021-11&region=ML04", None).await;
    assert_eq!(segou.json["signals"].as_array().map(Vec::len), Some(1), "{}", segou.json);
}

/// `GET /metrics`, for admins (a token or a session): OpenMetrics text that the Prometheus
/// Python client's parser reads (PyPI; `scripts/test.sh` installs it), counting the requests
/// made by route and status, the imports by outcome and the answers found in the cache, with
/// the data's version.
#[tokio::test]
async fn metrics_are_openmetrics_text_that_prometheus_s_parser_reads() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    for _ in 0..3 {
        assert_eq!(with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await.status, StatusCode::OK);
    }
    let (cookie, csrf) = login(&app, "admin").await;
    // An import with a row of no violation type: counted as invalid.
    let import = request("POST", "/api/v1/imports/violations", None)
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(format!("{HEADER}\n{}\n", V1.replace(",E1,", ",ZZ9,"))))
        .expect("request");
    assert_eq!(call(&app, import).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let request_metrics = |cookie: String| request("GET", "/metrics", None).header(header::COOKIE, cookie);
    let metrics = call(&app, request_metrics(cookie).body(Body::empty()).expect("request")).await;
    assert_eq!(metrics.status, StatusCode::OK, "{}", metrics.text);
    assert!(
        metrics.headers[header::CONTENT_TYPE].to_str().is_ok_and(|t| t.starts_with("application/openmetrics-text"))
    );
    let tables = "vigie_requests_total{method=\"GET\",route=\"/api/v1/tables\",status=\"200\"} 3";
    assert!(metrics.text.contains(tables), "{}", metrics.text);
    let invalid = "vigie_imports_total{kind=\"violations\",outcome=\"invalid\"} 1";
    assert!(metrics.text.contains(invalid), "{}", metrics.text);
    // The same month's tables three times: counted once, then from the cache.
    let hits = metrics.text.lines().find_map(|l| l.strip_prefix("vigie_answer_cache_hits_total "));
    assert!(hits.and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 2), "{}", metrics.text);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/metrics_check.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (scripts/test.sh installs prometheus-client)");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), metrics.text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let families = String::from_utf8_lossy(&out.stdout).into_owned();
    for family in [
        "vigie_requests counter",
        "vigie_request_duration_seconds histogram",
        "vigie_store_wait_seconds histogram",
        "vigie_data_version gauge",
        "vigie_backup_age_seconds gauge",
        "vigie_imports counter",
        "vigie_imported_rows counter",
        "vigie_answer_cache_hits counter",
    ] {
        assert!(families.contains(family), "{family} in {families}");
    }
    // Not for a viewer.
    let (cookie, _) = login(&app, "viewer").await;
    let refused = call(&app, request_metrics(cookie).body(Body::empty()).expect("request")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// An HTTP/1.1 exchange over a real socket: `request`'s bytes as they are, the answer's status,
/// headers (lower-case names) and body (gunzipped, as Collect's HTTP client does).
async fn raw_exchange(address: std::net::SocketAddr, request: &[u8]) -> (u16, BTreeMap<String, String>, String) {
    use std::io::Read;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut socket = tokio::net::TcpStream::connect(address).await.expect("connect");
    socket.write_all(request).await.expect("send");
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.expect("the answer");
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
    let head = String::from_utf8(answer[..split].to_vec()).expect("an HTTP head");
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
    let headers: BTreeMap<String, String> =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    let mut body = answer[split..].to_vec();
    if headers.get("transfer-encoding").is_some_and(|t| t == "chunked") {
        let mut joined = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").expect("a chunk size");
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).expect("hex"), 16).expect("size");
            if size == 0 {
                break;
            }
            joined.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 4 + size..];
        }
        body = joined;
    }
    if headers.get("content-encoding").is_some_and(|e| e == "gzip") {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut text).expect("gzip");
        body = text;
    }
    (status, headers, String::from_utf8(body).expect("UTF-8"))
}

/// ODK Collect's requests byte for byte, over a socket to `vigie serve`'s own server: the headers
/// Collect's HTTP client (OkHttp) sends, a multipart body with the form's XML and a photo
/// attached, sent with a length and, for an edit, in chunks. Form list, form download with its
/// hash, the HEAD handshake, a submission with a repeat group of victims, the same again, the same
/// id with other content, an edit by `deprecatedID`: the violations are in the tables afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odk_collect_s_exchange_byte_for_byte_over_a_socket() {
    let server = server(|_| ());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let address = listener.local_addr().expect("address");
    tokio::spawn(vigie_server::serve(listener, Arc::clone(&server.state), std::future::pending()));
    let key = &server.device_key;
    let collect = format!(
        "X-OpenRosa-Version: 1.0\r\nDate: Sat, 20 Nov 2021 10:20:00 GMT+00:00\r\n\
         User-Agent: org.odk.collect.android/v2024.3.1 okhttp/4.12.0 Dalvik/2.1.0 (Linux; U; Android 13)\r\n\
         Host: {address}\r\nConnection: close\r\nAccept-Encoding: gzip\r\n"
    );
    let get = |path: String| format!("GET {path} HTTP/1.1\r\n{collect}\r\n").into_bytes();

    let (status, headers, list) = raw_exchange(address, &get(format!("/openrosa/{key}/formList"))).await;
    assert_eq!((status, headers["x-openrosa-version"].as_str()), (200, "1.0"), "{list}");
    let field =
        |name: &str| list.split(&format!("<{name}>")).nth(1).and_then(|s| s.split('<').next()).map(str::to_owned);
    let url = field("downloadUrl").expect("a download URL");
    assert_eq!(url, format!("http://{address}/openrosa/{key}/forms/vigie_violations.xml"));
    let path = url.trim_start_matches(&format!("http://{address}")).to_owned();
    let (status, _, xform) = raw_exchange(address, &get(path)).await;
    assert_eq!(status, 200);
    let md5 = {
        use md5::Digest;
        md5::Md5::digest(xform.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(field("hash"), Some(format!("md5:{md5}")), "the form as downloaded has the listed hash");

    let submission_path = format!("/openrosa/{key}/submission");
    let (status, headers, _) =
        raw_exchange(address, format!("HEAD {submission_path} HTTP/1.1\r\n{collect}\r\n").as_bytes()).await;
    assert_eq!((status, headers["x-openrosa-accept-content-length"].as_str()), (204, "10485760"));

    // OkHttp's multipart: a UUID boundary, each part with its type and length.
    let boundary = "6f5bd2f0-4c9a-4a57-a2f4-2a4e7bd93b1e";
    let photo: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let body = |xml: &str| {
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"Violation_2021-11-20_10-20-00.xml\"\r\n\
             Content-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n{xml}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"1637403600000.jpg\"; filename=\"1637403600000.jpg\"\r\n\
             Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            xml.len(),
            photo.len()
        )
        .into_bytes();
        body.extend_from_slice(&photo);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        body
    };
    let head = |framing: String| {
        format!(
            "POST {submission_path} HTTP/1.1\r\n{collect}Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n"
        )
        .into_bytes()
    };
    let with_length = |xml: &str| {
        let body = body(xml);
        let mut request = head(format!("Content-Length: {}\r\n", body.len()));
        request.extend_from_slice(&body);
        request
    };
    let chunked = |xml: &str| {
        let mut request = head("Transfer-Encoding: chunked\r\n".into());
        for chunk in body(xml).chunks(1000) {
            request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            request.extend_from_slice(chunk);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        request
    };
    let app = vigie_server::router(Arc::clone(&server.state));
    let november =
        || async { month_total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await) };
    assert_eq!(november().await, Some(2));

    let (status, headers, answer) = raw_exchange(address, &with_length(&submission("uuid:s1", None, "ML040503"))).await;
    assert_eq!((status, headers["x-openrosa-version"].as_str()), (201, "1.0"), "{answer}");
    assert!(answer.contains("<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">"), "{answer}");
    assert_eq!(november().await, Some(5), "two victims, three violations");
    let (status, _, _) = raw_exchange(address, &with_length(&submission("uuid:s1", None, "ML040503"))).await;
    assert_eq!((status, november().await), (201, Some(5)), "sent again: accepted once");
    let (status, _, _) = raw_exchange(address, &with_length(&submission("uuid:s1", None, "ML040501"))).await;
    assert_eq!(status, 409, "the same instanceID with other content");
    let edit = submission("uuid:s2", Some("uuid:s1"), "ML040503")
        .replace("<violations>E1 B1</violations>", "<violations>E1</violations>");
    let (status, _, answer) = raw_exchange(address, &chunked(&edit)).await;
    assert_eq!(status, 201, "an edit sent in chunks: {answer}");
    assert_eq!(november().await, Some(4), "the edit replaced the submission's violations");
}

/// ODK Collect's submission exchange with partner A's device: a new submission counted (its
/// organisation the device's, whatever the form says), sent again and accepted once, the same
/// instanceID with other content refused (409), an edit by deprecatedID replacing the
/// violations, and a submission with an unknown commune kept and listed, never refused.
#[tokio::test]
async fn odk_collect_submits_resubmits_edits_and_nothing_sent_is_lost() {
    let server = server(|_| ());
    let app = vigie_server::router(Arc::clone(&server.state));
    let key = server.device_key.clone();
    let post = |xml: String| {
        let body = multipart(&[("xml_submission_file", Some("submission.xml"), &xml)]);
        let request = request("POST", &format!("/openrosa/{key}/submission"), None)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(body))
            .expect("request");
        call(&app, request)
    };
    let november =
        || async { month_total(&with_token(&app, &server, "GET", "/api/v1/tables?month=2021-11", None).await) };
    assert_eq!(november().await, Some(2));
    let first = post(submission("uuid:a1", None, "ML040503")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert!(first.text.contains("<OpenRosaResponse") && first.headers["x-openrosa-version"] == "1.0");
    assert_eq!(november().await, Some(5), "three violations counted at once");
    let listed = with_token(&app, &server, "GET", "/api/v1/violations?month=2021-11&organization=DRC", None).await;
    assert_eq!(listed.json["total"], 4, "the device's organisation, not the form's NRC: {}", listed.json);

    let again = post(submission("uuid:a1", None, "ML040503")).await;
    assert_eq!((again.status, november().await), (StatusCode::CREATED, Some(5)), "accepted once");
    let other = post(submission("uuid:a1", None, "ML040501")).await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.text);

    // An edit: the second victim now suffered E1 only.
    let edited = submission("uuid:a2", Some("uuid:a1"), "ML040503")
        .replace("<violations>E1 B1</violations>", "<violations>E1</violations>");
    assert_eq!(post(edited).await.status, StatusCode::CREATED);
    assert_eq!(november().await, Some(4), "the edit replaced the submission's violations");

    // An unknown commune: kept, listed, not counted.
    let lost = post(submission("uuid:b1", None, "ML999999")).await;
    assert_eq!(lost.status, StatusCode::CREATED, "{}", lost.text);
    assert!(lost.text.contains("attention"));
    assert_eq!(november().await, Some(4));
    let waiting = server.store().submissions_needing_attention(Some("DRC")).expect("listed");
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].errors.as_deref().is_some_and(|e| e.contains("ML999999")), "{:?}", waiting[0].errors);
    assert!(waiting[0].xml.contains("uuid:b1"), "kept as received");
    // Listed on a page for the device's organisation and the IM officer, not for another partner.
    for (who, listed) in [("im", true), ("partner-a", true), ("partner-b", false)] {
        let (cookie, _) = login(&app, who).await;
        let request = request("GET", "/submissions?lang=en", None).header(header::COOKIE, cookie).body(Body::empty());
        let page = call(&app, request.expect("request")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text.contains("uuid:b1") && page.text.contains("ML999999"), listed, "{who}: {}", page.text);
    }
    let audit = server.store().audit_log(50).expect("audit");
    assert!(
        audit.iter().any(|e| e.actor.as_deref() == Some("device:phone-a") && e.action == "import"),
        "the device is the actor"
    );

    // Corrected on its page by partner A's IM officer (not partner B, for whom it does not
    // exist): it counts, and the audit log keeps the change.
    let page = |who: &'static str, method: &'static str, body: Option<String>| {
        let app = app.clone();
        async move {
            let (cookie, csrf) = login(&app, who).await;
            let builder = request(method, &format!("/submissions/uuid%3Ab1?csrf={csrf}"), None)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            call(&app, builder.body(body.map_or_else(Body::empty, Body::from)).expect("request")).await
        }
    };
    assert_eq!(page("partner-b", "GET", None).await.status, StatusCode::NOT_FOUND);
    let form = page("partner-a", "GET", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let fields: Vec<String> = form
        .text
        .split("<input id=\"v")
        .skip(1)
        .map(|input| {
            let (index, rest) = input.split_once('"').expect("an id");
            let value = rest.split("value=\"").nth(1).and_then(|v| v.split('"').next()).expect("a value");
            let value = if value == "ML999999" { "ML04050Z" } else { value };
            format!("v{index}={}", value.replace(' ', "+"))
        })
        .collect();
    assert!(fields.iter().any(|f| f.ends_with("=ML04050Z")), "{}", form.text);
    let still = page("partner-a", "POST", Some(fields.join("&"))).await;
    assert_eq!(still.status, StatusCode::UNPROCESSABLE_ENTITY, "still a commune no one knows");
    assert!(still.text.contains("ML04050Z"), "the value entered kept: {}", still.text);
    let fields = fields.join("&").replace("ML04050Z", "ML040503");
    let done = page("partner-a", "POST", Some(fields.clone())).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(november().await, Some(7), "the corrected submission's three violations count");
    assert!(server.store().submissions_needing_attention(None).expect("listed").is_empty());
    let corrected = server.store().audit_log(5).expect("audit");
    let entry = corrected.iter().find(|e| e.action == "submission_correct").expect("audited");
    assert_eq!(entry.actor.as_deref(), Some("partner-a"));
    assert!(entry.new.as_deref().is_some_and(|n| n.contains("ML999999") && n.contains("ML040503")), "{entry:?}");
    assert_eq!(page("partner-a", "POST", Some(fields)).await.status, StatusCode::NOT_FOUND, "corrected once");
    let again = post(submission("uuid:b1", None, "ML999999")).await;
    assert_eq!((again.status, november().await), (StatusCode::CREATED, Some(7)), "the phone's copy changes nothing");

    assert!(server.store().revoke_device("phone-a", &Actor::cli()).expect("revoked"));
    assert_eq!(post(submission("uuid:c1", None, "ML040503")).await.status, StatusCode::UNAUTHORIZED);
}
