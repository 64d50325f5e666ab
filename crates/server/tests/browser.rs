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
    for (name, role) in [("im", Role::ImOfficer), ("viewer", Role::Viewer)] {
        let user = User { name: name.into(), role, organization: None, disabled: false, created_at: String::new() };
        store.add_user(&user, &hash_password(PASSWORD).expect("hash"), &Actor::cli()).expect("user");
    }
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

    // A click on a commune of the map filters the whole page by its region, and the URL says so.
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
    assert_eq!(key_figure(&client, "key-month").await, "1", "the map's region");

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
    client.goto(&format!("{base}/violations/V-1")).await.expect("open");
    let body = client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert!(body.contains("403") && !body.contains("Récit A"), "{body}");
    client.close().await.expect("close the browser");
}
