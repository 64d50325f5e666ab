//! The pages in a real browser: headless Chromium driven through WebDriver (Debian's
//! `chromium-driver`, which `scripts/test.sh` installs), against the server on a real socket
//! over a real SQLite file.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use vigie_core::Catalog;
use vigie_store::accounts::hash_password;
use vigie_store::{Actor, DbUrl, RecordKind, Role, SqliteStore, Store, User};

const HEADER: &str = "violation_id,incident_id,incident_date,report_date,admin1_pcode,admin2_pcode,admin3_pcode,locality,latitude,longitude,violation_code,perpetrator_code,place_code,time_slot_code,victim_sex,victim_age_group,victim_occupation,victim_population,organization,narrative";
const ROWS: [&str; 2] = [
    "V-1,I-1,2021-11-03,,,,ML040503,,,,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,Récit A",
    "V-2,I-2,2021-11-04,,,,ML050101,,,,D1,NSAG_RADICAL,FIELD,DAY,F,CHILD,FARMER,IDP,NRC,Récit B",
];
const PASSWORD: &str = "a long enough password";

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A headless Chromium through a chromedriver of its own.
async fn browser() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian's chromium-driver: scripts/test.sh installs it)");
    let driver = Driver(child);
    let mut capabilities = serde_json::Map::new();
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ];
    capabilities.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    // The console's messages, read back by `console_errors`.
    capabilities.insert("goog:loggingPrefs".into(), serde_json::json!({ "browser": "ALL" }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    // chromedriver takes a moment to listen.
    for attempt in 0.. {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if attempt >= 100 => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    unreachable!("the loop returns or panics")
}

/// The server on a free port over a database with two violations, an IM officer and a viewer.
async fn server(dir: &std::path::Path) -> String {
    let db = dir.join("v.db");
    let mut store = SqliteStore::open(&db).expect("open");
    let file = dir.join("v.csv");
    std::fs::write(&file, format!("{HEADER}\n{}\n", ROWS.join("\n"))).expect("write");
    let options = vigie_import::Options {
        dry_run: false,
        max_errors: 10,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        organization: None,
        actor: Actor::cli(),
        replace: None,
    };
    let catalog = Catalog::builtin().clone();
    vigie_import::import_files(&mut store, &catalog, RecordKind::Violations, &[file], &options, &mut |_| {})
        .expect("import");
    for (name, role) in [("im", Role::ImOfficer), ("viewer", Role::Viewer), ("admin", Role::Admin)] {
        let user = User { name: name.into(), role, organization: None, disabled: false, created_at: String::new() };
        store.add_user(&user, &hash_password(PASSWORD).expect("hash"), &Actor::cli()).expect("user");
    }
    // A submission from ODK Collect with a commune no one knows: kept, needing attention.
    let xml = "<?xml version='1.0' ?><data id=\"vigie_violations\" version=\"2026.12\"><incident>\
        <incident_date>2021-11-18</incident_date><admin1>ML04</admin1><admin2>ML0405</admin2><admin3>ML999999</admin3>\
        <perpetrator>UNID_ARMED</perpetrator></incident><victims><sex>F</sex><violations>E1</violations></victims>\
        <meta><instanceID>uuid:b1</instanceID></meta></data>";
    let kept = vigie_store::Submission {
        instance_id: "uuid:b1".into(),
        root_id: "uuid:b1".into(),
        device: "phone-a".into(),
        organization: "DRC".into(),
        received_at: String::new(),
        sha256: "0".into(),
        xml: xml.into(),
        status: "needs_attention".into(),
        errors: Some("field `admin3`: found `ML999999`, expected no commune has this P-code".into()),
    };
    store.keep_submission(&kept, None).expect("kept");
    let state = Arc::new(vigie_server::AppState::open(DbUrl::Sqlite(db), catalog).expect("state"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let address = listener.local_addr().expect("address");
    tokio::spawn(vigie_server::serve(listener, state, std::future::pending()));
    format!("http://{address}")
}

async fn sign_in(client: &Client, base: &str, name: &str) {
    client.goto(&format!("{base}/login")).await.expect("open");
    let form = client.form(Locator::Css("form.login")).await.expect("the sign-in form");
    form.set_by_name("name", name).await.expect("name");
    form.set_by_name("password", PASSWORD).await.expect("password");
    form.submit().await.expect("sign in");
    client.wait().for_element(Locator::Css("#key-month")).await.expect("the dashboard");
}

async fn key_figure(client: &Client, id: &str) -> String {
    let key = client.wait().for_element(Locator::Css(&format!("#{id} .value"))).await.expect("a key figure");
    key.attr("data-value").await.expect("its value").expect("a data-value")
}

/// Sign in, filter, click the map, enter a violation, upload a file with errors, download the
/// report, switch to English, sign out; then a viewer: as a person would, in a browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_use_vigie_in_a_browser_each_as_their_role_allows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = server(dir.path()).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/dashboard")).await.expect("open");
    assert_eq!(client.current_url().await.expect("url").path(), "/login", "sent to sign in");
    let form = client.form(Locator::Css("form.login")).await.expect("the sign-in form");
    form.set_by_name("name", "im").await.expect("name");
    form.set_by_name("password", PASSWORD).await.expect("password");
    form.submit().await.expect("sign in");
    assert_eq!(key_figure(&client, "key-month").await, "2", "both violations of November 2021");

    // A filter changes the figures, and the URL holds it.
    client
        .find(Locator::Css("select[name=region]"))
        .await
        .expect("region")
        .select_by_value("ML05")
        .await
        .expect("Mopti");
    client.find(Locator::Css("form.filters button[type=submit]")).await.expect("apply").click().await.expect("apply");
    client
        .wait()
        .for_element(Locator::Css("select[name=region] option[value=ML05][selected]"))
        .await
        .expect("filtered");
    assert!(client.current_url().await.expect("url").query().is_some_and(|q| q.contains("region=ML05")));
    assert_eq!(key_figure(&client, "key-month").await, "1", "Mopti's one violation");

    // Back is the view before.
    client.back().await.expect("back");
    for _ in 0..100 {
        let url = client.current_url().await.expect("url");
        if !url.query().unwrap_or_default().contains("region=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(key_figure(&client, "key-month").await, "2");

    // A click on a chart's bar lists its violations, with the view's filters.
    client
        .find(Locator::Css("a[data-filter=\"perpetrator=NSAG_RADICAL\"]"))
        .await
        .expect("a bar of the perpetrators' chart")
        .click()
        .await
        .expect("click");
    client.wait().for_element(Locator::Css("main table tbody")).await.expect("the list");
    let url = client.current_url().await.expect("url");
    assert_eq!(url.path(), "/violations", "{url}");
    assert!(
        url.query().is_some_and(|q| q.contains("perpetrator=NSAG_RADICAL") && q.contains("month=2021-11")),
        "{url}"
    );
    let listed = client.find_all(Locator::Css("main table tbody tr")).await.expect("rows");
    assert_eq!(listed.len(), 1, "V-2, the one violation of that perpetrator");
    client.back().await.expect("back");
    client.wait().for_element(Locator::Css("#key-month")).await.expect("the dashboard");

    // A violation entered with a mistake: the message is next to its field; fixed, it is saved.
    client.goto(&format!("{base}/violations")).await.expect("open");
    client.find(Locator::Css("a[href=\"/violations/new\"]")).await.expect("new").click().await.expect("click");
    client.wait().for_element(Locator::Css("form.record")).await.expect("the entry form");
    // The commune is found by part of its name, accents and case ignored, and its region and
    // cercle follow.
    client
        .find(Locator::Css("input[data-commune-search]"))
        .await
        .expect("search")
        .send_keys("BASSÍR")
        .await
        .expect("type");
    let commune = client.find(Locator::Css("select[name=admin3_pcode]")).await.expect("commune");
    assert_eq!(commune.prop("value").await.expect("value").as_deref(), Some("ML050101"), "found: Bassirou");
    let region = client.find(Locator::Css("select[name=admin1_pcode]")).await.expect("region");
    assert_eq!(region.prop("value").await.expect("value").as_deref(), Some("ML05"), "its region");
    let form = client.form(Locator::Css("form.record")).await.expect("form");
    for (name, value) in [
        ("incident_date", "2021-11-20"),
        ("report_date", "2021-11-10"),
        ("violation_code", "B1"),
        ("perpetrator_code", "UNID_ARMED"),
        ("place_code", "ROAD"),
        ("time_slot_code", "NIGHT"),
        ("victim_sex", "M"),
        ("victim_age_group", "ADULT"),
        ("victim_occupation", "TRADER"),
        ("victim_population", "RESIDENT"),
        ("organization", "DRC"),
    ] {
        form.set_by_name(name, value).await.expect(name);
    }
    form.submit().await.expect("save");
    let error = client
        .wait()
        .for_element(Locator::Css("#report_date + .field-error"))
        .await
        .expect("the error next to its field");
    assert_eq!(
        error.text().await.expect("text"),
        "La date du rapport ne peut pas précéder la date de l’incident. (saisi : 2021-11-10)"
    );
    let form = client.form(Locator::Css("form.record")).await.expect("form");
    form.set_by_name("report_date", "2021-11-21").await.expect("fixed");
    form.submit().await.expect("save");
    client.wait().for_element(Locator::Css("p.notice[role=status]")).await.expect("saved");
    client.goto(&format!("{base}/dashboard?month=2021-11")).await.expect("open");
    assert_eq!(key_figure(&client, "key-month").await, "3", "the new violation, counted at once");

    // A file with errors: every one listed, nothing imported.
    let file = dir.path().join("errors.csv");
    let bad = ROWS[0].replace("V-1,I-1", "V-30,I-30").replace("ML040503", "ML000000").replace("UNID_ARMED", "ALIENS");
    std::fs::write(&file, format!("{HEADER}\n{bad}\n")).expect("write");
    client.goto(&format!("{base}/imports")).await.expect("open");
    client
        .find(Locator::Css("input[type=file]"))
        .await
        .expect("file")
        .send_keys(&file.display().to_string())
        .await
        .expect("choose");
    client.find(Locator::Css("form.upload button[type=submit]")).await.expect("import").click().await.expect("send");
    client.wait().for_element(Locator::Css("#import-errors")).await.expect("the errors");
    let rows = client.find_all(Locator::Css("table.errors tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 2, "the commune and the perpetrator");
    let first = rows[0].text().await.expect("text");
    assert!(first.contains("errors.csv") && first.contains("admin3_pcode") && first.contains("ML000000"), "{first}");

    // The month's report downloads with the session.
    client.goto(&format!("{base}/reports?month=2021-11")).await.expect("open");
    let link = client.find(Locator::Css("ul.downloads a[href*=\"/pdf\"]")).await.expect("the PDF");
    let href = link.attr("href").await.expect("href").expect("an address");
    let fetched = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]))",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("fetch");
    assert_eq!(fetched[0], 200, "{fetched}");
    assert_eq!(fetched[1], "application/pdf");
    assert!(fetched[2].as_u64().is_some_and(|n| n > 10_000), "{fetched}");
    client.goto(&format!("{base}/dashboard")).await.expect("open");

    // English, a click away.
    client.find(Locator::Css("header.bar a[hreflang=en]")).await.expect("English").click().await.expect("click");
    client.wait().for_element(Locator::Css("html[lang=en]")).await.expect("in English");
    let heading = client.find(Locator::Css("h1")).await.expect("heading").text().await.expect("text");
    assert!(heading.starts_with("Dashboard"), "{heading}");

    // Sign out, and the dashboard is closed again.
    client.find(Locator::Css("header.bar form button")).await.expect("sign out").click().await.expect("click");
    client.wait().for_element(Locator::Css("form.login")).await.expect("the sign-in page");
    client.goto(&format!("{base}/dashboard")).await.expect("open");
    assert_eq!(client.current_url().await.expect("url").path(), "/login");

    // A viewer finds no way to a violation: no link, and the address refused.
    sign_in(&client, &base, "viewer").await;
    assert!(client.find_all(Locator::Css("a[href^=\"/violations\"]")).await.expect("links").is_empty());
    // Its map's communes filter the whole dashboard by their region instead, and the URL says so.
    client
        .find(Locator::Css("a[data-filter=\"commune=ML050602\"]"))
        .await
        .expect("a commune of Mopti")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::Css("select[name=region] option[value=ML05][selected]"))
        .await
        .expect("filtered");
    let url = client.current_url().await.expect("url");
    assert!(url.query().is_some_and(|q| q.contains("region=ML05")), "{url}");
    client.goto(&format!("{base}/violations/V-1")).await.expect("open");
    let body = client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert!(body.contains("403") && !body.contains("Récit A"), "{body}");
    client.close().await.expect("close the browser");
}

/// An admin adds a device on its page, and the QR code shown, read off the screen by a real QR
/// reader (`zbarimg`, Debian's zbar-tools), is ODK Collect's settings (zlib, then base64, JSON)
/// naming the server URL with the device's key, which opens the form list; once revoked on the
/// page, the key opens nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_device_whose_qr_code_sets_odk_collect_up() {
    use std::io::Read;

    use base64::Engine;

    let dir = tempfile::tempdir().expect("temp dir");
    let base = server(dir.path()).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "admin").await;
    client.goto(&format!("{base}/admin/devices?lang=en")).await.expect("open");
    let form = client.form(Locator::Css("form.record")).await.expect("the device form");
    form.set_by_name("name", "phone-awa").await.expect("name");
    let select = client.find(Locator::Css("#device-organization")).await.expect("the organisations");
    select.select_by_value("NRC").await.expect("organisation");
    form.submit().await.expect("add");
    let code = client.wait().for_element(Locator::Css(".qr svg")).await.expect("the QR code");
    let png = dir.path().join("qr.png");
    std::fs::write(&png, code.screenshot().await.expect("a screenshot")).expect("write");
    let scanned = Command::new("zbarimg").args(["--raw", "-q"]).arg(&png).output().expect("zbarimg (zbar-tools)");
    assert!(scanned.status.success(), "zbarimg read no code: {}", String::from_utf8_lossy(&scanned.stderr));
    let text = String::from_utf8(scanned.stdout).expect("text");
    let zlib = base64::engine::general_purpose::STANDARD.decode(text.trim()).expect("base64");
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(&zlib[..]).read_to_string(&mut json).expect("zlib");
    let settings: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let url = settings["general"]["server_url"].as_str().expect("a server URL").to_owned();
    assert!(url.starts_with(&format!("{base}/openrosa/vigie_")), "{url}");
    assert_eq!(settings["project"]["name"], "Vigie NRC");
    let shown = client.find(Locator::Css("#server-url")).await.expect("the URL").text().await.expect("text");
    assert_eq!(shown, url, "the URL shown is the code's");
    let status = |url: String| {
        let out = Command::new("curl").args(["-s", "-o", "/dev/null", "-w", "%{http_code}"]).arg(url).output();
        String::from_utf8(out.expect("curl").stdout).expect("a status")
    };
    assert_eq!(status(format!("{url}/formList")), "200", "the key opens the form list");

    client.goto(&format!("{base}/admin/devices?lang=en")).await.expect("open");
    assert!(client.find(Locator::Css(".qr")).await.is_err(), "the key is shown once only");
    client.find(Locator::Css("#devices button")).await.expect("revoke").click().await.expect("click");
    client.wait().for_element(Locator::Css("p.notice[role=status]")).await.expect("revoked");
    assert_eq!(status(format!("{url}/formList")), "401", "a revoked key opens nothing");
    client.close().await.expect("close the browser");
}

/// A real client of the form and the server that no one here wrote: Enketo. enketo-transformer
/// turns the XForm the server serves into Enketo's form, enketo-core loads it without an error,
/// a monitor's answers fill it (a cascade of region, cercle and commune; two victims in the
/// repeat group) and it validates; its submission, posted to the device's submission URL, counts
/// in the month's tables for the device's organisation. `scripts/test.sh` bundles Enketo
/// (`scripts/enketo/build.sh`) and sets `VIGIE_ENKETO`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enketo_fills_the_served_xform_and_its_submission_counts() {
    let path = std::env::var("VIGIE_ENKETO")
        .expect("VIGIE_ENKETO names the Enketo bundle (scripts/test.sh builds it with scripts/enketo/build.sh)");
    let enketo = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let base = server(dir.path()).await;
    let key = vigie_store::accounts::generate_token().expect("key");
    let mut store = SqliteStore::open(&dir.path().join("v.db")).expect("open");
    store.add_device("phone-b", "NRC", &vigie_store::accounts::token_hash(&key), &Actor::cli()).expect("device");
    let download = format!("{base}/openrosa/{key}/forms/vigie_violations.xml");
    let form = Command::new("curl").args(["-s", "--fail", &download]).output().expect("curl");
    let xform = String::from_utf8(form.stdout).expect("the XForm");
    assert!(xform.contains("vigie_violations"), "{xform}");

    let (_driver, client) = browser().await;
    // A page of the server's, so that the submission is posted to its own origin, as Enketo's
    // are.
    client.goto(&format!("{base}/login")).await.expect("a page of the server's");
    client.execute(&enketo, Vec::new()).await.expect("Enketo loads");
    let url = format!("{base}/openrosa/{key}/submission");
    let filled = client
        .execute_async(include_str!("enketo_fill.js"), vec![xform.into(), url.into()])
        .await
        .expect("the form filled");
    assert!(filled.get("error").is_none(), "{}", filled["error"]);
    assert_eq!(filled["loadErrors"], serde_json::json!([]), "Enketo loads the form without an error");
    assert_eq!(filled["victims"], 2);
    assert_eq!(filled["valid"], true, "every answer valid: {}", filled["invalid"]);
    let xml = filled["xml"].as_str().expect("the submission").to_owned();
    assert!(xml.contains("<instanceID>uuid:"), "{xml}");
    assert_eq!(filled["status"], 201, "{}", filled["answer"]);
    assert!(filled["answer"].as_str().is_some_and(|a| a.contains("<OpenRosaResponse")), "{}", filled["answer"]);
    client.close().await.expect("close the browser");

    let instance = xml.split("<instanceID>").nth(1).and_then(|s| s.split('<').next()).expect("its id").to_owned();
    let kept = store.submission(&instance).expect("read").expect("the submission received");
    assert_eq!((kept.status.as_str(), kept.errors), ("imported", None), "it counts");
    let organizations = store.organizations().expect("organisations");
    let nrc = organizations.iter().find(|o| o.code == "NRC").expect("NRC");
    assert_eq!(nrc.violations, 1 + 3, "V-2, then the three violations of the two victims");
}

/// chromedriver's log of the browser's console since the last read (its own endpoint: WebDriver
/// has none).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// The console's errors (a failed request, a script error) since the last read.
async fn console_errors(client: &Client) -> Vec<String> {
    let log = client.issue_cmd(BrowserLog).await.expect("the browser's log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// axe-core's WCAG 2 A and AA rules (and 2.1's) over the page shown: each rule broken, with its
/// first elements.
async fn accessibility_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, Vec::new()).await.expect("axe-core loads");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.map(v => `${v.id} (${v.nodes.length}): ${v.help} — ` +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                .catch(e => done([`axe-core failed: ${e}`]));",
            Vec::new(),
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).expect("a list")
}

/// Every page, as the roles that reach it: axe-core (npm; `scripts/test.sh` fetches it and sets
/// `VIGIE_AXE_CORE`) finds no WCAG 2 A or AA violation, and the browser's console no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_core_s_wcag_rules_and_logs_no_console_error() {
    let path = std::env::var("VIGIE_AXE_CORE")
        .expect("VIGIE_AXE_CORE names axe.min.js (scripts/test.sh fetches axe-core from npm and sets it)");
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let base = server(dir.path()).await;
    let (_driver, client) = browser().await;
    let mut problems = Vec::new();
    let mut check = async |page: &str| {
        // A page's address, or what a form sent just showed (its name in brackets).
        if !page.starts_with('(') {
            client.goto(&format!("{base}{page}")).await.expect("open");
        }
        for violation in accessibility_violations(&client, &axe).await {
            problems.push(format!("{page}: {violation}"));
        }
        for error in console_errors(&client).await {
            problems.push(format!("{page}: console: {error}"));
        }
    };
    check("/login").await;
    sign_in(&client, &base, "admin").await;
    for page in [
        "/dashboard",
        "/dashboard?month=2021-11&map=region",
        "/dashboard?month=2021-11&region=ML05",
        "/violations",
        "/violations?month=2021-11&verification=reported",
        "/violations/V-1",
        "/violations/V-1/edit",
        "/violations/new",
        "/alerts",
        "/alerts/new",
        "/risk-answers",
        "/risk-answers/new",
        "/imports",
        "/submissions",
        "/submissions/uuid:b1",
        "/reports?month=2021-11",
        "/texts?month=2021-11",
        "/duplicates?month=2021-11",
        "/admin",
        "/admin/audit",
        "/admin/devices",
        "/dashboard?lang=en",
    ] {
        check(page).await;
    }
    // A device added: the page with its QR code.
    client.goto(&format!("{base}/admin/devices")).await.expect("open");
    let form = client.form(Locator::Css("form.record")).await.expect("the device form");
    form.set_by_name("name", "phone-1").await.expect("name");
    form.submit().await.expect("add");
    client.wait().for_element(Locator::Css(".qr svg")).await.expect("the QR code");
    check("(a device added)").await;
    // The sign-off button: the month's published version, then the pages of a signed-off month.
    client.goto(&format!("{base}/reports?month=2021-11")).await.expect("open");
    client.find(Locator::Css("form.sign-off button")).await.expect("the sign-off button").click().await.expect("click");
    client.wait().for_element(Locator::Css("p.notice[role=status]")).await.expect("signed off");
    let versions = client.find_all(Locator::Css("ul.versions > li")).await.expect("versions");
    assert_eq!(versions.len(), 1, "version 1 listed");
    for page in ["/reports?month=2021-11", "/violations/V-1", "/dashboard?month=2021-12"] {
        check(page).await;
    }
    // A viewer's dashboard drills down instead of listing records.
    client.delete_all_cookies().await.expect("signed out");
    sign_in(&client, &base, "viewer").await;
    for page in ["/dashboard", "/dashboard?month=2021-11&region=ML05", "/reports"] {
        check(page).await;
    }
    client.close().await.expect("close the browser");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
