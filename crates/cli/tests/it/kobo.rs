//! KoBoToolbox and ODK: Vigie's own XLSForm (checked by pyxform, the reference converter), real
//! exports and forms, the round trip of generated data through every export layout, and a
//! newer export's edits and deletions.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/kobo").join(name)
}

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}\n{}", stdout(out), stderr(out));
    stdout(out)
}

#[test]
fn vigies_form_converts_with_pyxform_without_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(&vigie(dir.path(), &dir.path().join("unused.db"), &["form", "write", "--out", "form.xlsx"]));
    // `scripts/test.sh` installs pyxform (PyPI) when it is missing.
    let out = Command::new("xls2xform")
        .current_dir(dir.path())
        .args(["--json", "form.xlsx", "form.xml"])
        .output()
        .expect("xls2xform (pip install pyxform) runs");
    // pyxform 4 writes its JSON answer on standard error.
    let said = format!("{}{}", stdout(&out), stderr(&out));
    let answer: serde_json::Value = said
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("pyxform's answer: {said}"));
    assert_eq!(answer["code"], 100, "{answer}");
    assert_eq!(answer["warnings"], serde_json::json!([]), "{answer}");
    let xml = std::fs::read_to_string(dir.path().join("form.xml")).expect("the XForm");
    for expected in [
        "<translation lang=\"French (fr)\" default=\"true()\">",
        "<translation lang=\"English (en)\">",
        "filter_admin2= /data/incident/admin2 ]",
        "nodeset=\"/data/victims\"",
        "type=\"geopoint\"",
        "Enlèvement",
    ] {
        assert!(xml.contains(expected), "the XForm has {expected}");
    }
}

/// The XForm Vigie writes itself (what ODK Collect will download from Vigie) and pyxform's
/// conversion of Vigie's XLSForm read the same: primary instance, binds, body, choice lists and
/// translations (`python/xform_compare.py`, which catches a planted difference).
#[test]
fn vigies_own_xform_reads_as_pyxform_s_conversion_of_its_xlsform() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("unused.db");
    ok(&vigie(dir.path(), &db, &["form", "write", "--out", "form.xlsx"]));
    ok(&vigie(dir.path(), &db, &["form", "write", "--out", "vigie.xml"]));
    let out = Command::new("xls2xform").current_dir(dir.path()).args(["form.xlsx", "pyxform.xml"]).output();
    assert!(out.expect("xls2xform (pip install pyxform) runs").status.success());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/python/xform_compare.py");
    let compare = |other: &str| {
        Command::new("python3")
            .current_dir(dir.path())
            .arg(&script)
            .args(["pyxform.xml", other])
            .output()
            .expect("python3 runs")
    };
    let same = compare("vigie.xml");
    assert!(same.status.success(), "{}", stdout(&same));
    let ours = std::fs::read_to_string(dir.path().join("vigie.xml")).expect("the XForm");
    std::fs::write(dir.path().join("planted.xml"), ours.replacen(" required=\"true()\"", "", 1)).expect("write");
    let planted = compare("planted.xml");
    assert!(!planted.status.success() && stdout(&planted).contains("1 differences"), "{}", stdout(&planted));
}

/// Generated data's `tables.csv` for November 2021, imported directly.
fn direct_tables(dir: &Path) -> String {
    let db = dir.join("direct.db");
    ok(&vigie(dir, &db, &["import", "violations", "g/violations.csv"]));
    ok(&vigie(dir, &db, &["tables", "--month", "2021-11"]))
}

#[test]
fn generated_data_round_trips_through_every_export_layout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let unused = dir.path().join("unused.db");
    ok(&vigie(dir.path(), &unused, &["generate", "--out", "g"]));
    let expected = direct_tables(dir.path());
    assert!(expected.lines().count() > 300);
    for format in ["xlsx", "xlsx-dot", "csv", "json"] {
        let out = dir.path().join(format);
        std::fs::create_dir_all(&out).expect("folder");
        std::fs::copy(dir.path().join("g/violations.csv"), out.join("violations.csv")).expect("copy");
        let written = ok(&vigie(dir.path(), &unused, &["generate", "--out", "g", "--kobo", format]));
        let files: Vec<String> = std::fs::read_dir(dir.path().join("g/kobo"))
            .expect("kobo folder")
            .map(|e| e.expect("entry").path().display().to_string())
            .collect();
        assert!(!files.is_empty(), "{written}");
        let db = dir.path().join(format!("{format}.db"));
        let mut args = vec!["import", "kobo"];
        args.extend(files.iter().map(String::as_str));
        let report = ok(&vigie(dir.path(), &db, &args));
        assert!(report.contains("imported (total: 6033 inserted, 0 updated, 0 unchanged)"), "{format}: {report}");
        let tables = ok(&vigie(dir.path(), &db, &["tables", "--month", "2021-11"]));
        assert!(tables == expected, "{format}: the tables differ from the direct import's");
        // The same export again changes nothing.
        let again = ok(&vigie(dir.path(), &db, &args));
        assert!(again.contains("nothing to change"), "{format}: {again}");
        std::fs::remove_dir_all(dir.path().join("g/kobo")).expect("clean");
    }
    assert_eq!(count(&dir.path().join("json.db"), "SELECT count(DISTINCT incident_id) FROM violations"), 3332);
}

/// A CSV export's rows, `;`-separated, with its header.
fn read_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_path(path).expect("csv");
    let header = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("row").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

fn write_rows(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_path(path).expect("csv");
    writer.write_record(header).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    writer.flush().expect("flush");
}

#[test]
fn a_newer_export_updates_the_edited_submissions_and_sync_deletes_the_gone() {
    let dir = tempfile::tempdir().expect("temp dir");
    // On PostgreSQL too (scripts/test.sh's second run): the form's earlier rows are looked up there.
    let db = new_db(&dir.path().join("k.db"));
    ok(&vigie(dir.path(), &db, &["generate", "--out", "g", "--violations", "300", "--kobo", "csv"]));
    let (main_path, victims_path) =
        (dir.path().join("g/kobo/vigie_violations.csv"), dir.path().join("g/kobo/vigie_violations-victims.csv"));
    ok(&vigie(
        dir.path(),
        &db,
        &["import", "kobo", "g/kobo/vigie_violations.csv", "g/kobo/vigie_violations-victims.csv"],
    ));
    let total = count(&db, "SELECT count(*) FROM violations");
    assert_eq!(total, 300);

    // The newer export: three submissions edited (their perpetrator), two deleted.
    let (header, mut main) = read_rows(&main_path);
    let (victims_header, mut victims) = read_rows(&victims_path);
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (uuid, index, perpetrator) = (column("_uuid"), column("_index"), column("incident/perpetrator"));
    let parent = victims_header.iter().position(|h| h == "_parent_index").expect("_parent_index");
    let victims_of = |i: &str, victims: &[Vec<String>]| victims.iter().filter(|v| v[parent] == i).count() as i64;
    let mut edited_rows = 0;
    let mut edited = Vec::new();
    for row in main.iter_mut().skip(10).take(3) {
        row[perpetrator] = if row[perpetrator] == "FAMA" { "UNID_ARMED" } else { "FAMA" }.to_owned();
        edited_rows += victims_of(&row[index], &victims);
        edited.push(row[uuid].clone());
    }
    let gone: Vec<Vec<String>> = main.drain(20..22).collect();
    let gone_rows: i64 = gone.iter().map(|g| victims_of(&g[index], &victims)).sum();
    victims.retain(|v| !gone.iter().any(|g| g[index] == v[parent]));
    write_rows(&main_path, &header, &main);
    write_rows(&victims_path, &victims_header, &victims);
    let files = ["import", "kobo", "g/kobo/vigie_violations.csv", "g/kobo/vigie_violations-victims.csv"];

    let report = ok(&vigie(dir.path(), &db, &files));
    assert!(report.contains(&format!("total: 0 inserted, {edited_rows} updated")), "{report}");
    assert_eq!(count(&db, "SELECT count(*) FROM violations"), total, "without --sync, nothing is deleted");
    let updates = count(&db, "SELECT count(*) FROM audit_log WHERE action = 'update'");
    assert_eq!(updates, edited_rows);
    for uuid in &edited {
        let sql = format!(
            "SELECT count(*) FROM audit_log WHERE action = 'update' AND entity_id LIKE 'vigie_violations:{uuid}:%'"
        );
        assert!(count(&db, &sql) > 0, "the edit of {uuid} is audited");
    }

    // --sync --dry-run lists exactly the gone submissions' rows, and deletes nothing.
    let mut sync = files.to_vec();
    sync.extend(["--sync", "--dry-run"]);
    let preview = ok(&vigie(dir.path(), &db, &sync));
    assert!(preview.contains(&format!("would delete {gone_rows} rows")), "{preview}");
    for g in &gone {
        assert!(preview.contains(&format!("vigie_violations:{}:1:", g[uuid])), "{preview}");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM violations"), total);
    sync.pop();
    let synced = ok(&vigie(dir.path(), &db, &sync));
    assert!(synced.contains(&format!("deleted {gone_rows} rows")), "{synced}");
    assert_eq!(count(&db, "SELECT count(*) FROM violations"), total - gone_rows);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log WHERE action = 'delete'"), gone_rows);
    for g in &gone {
        let sql = format!(
            "SELECT count(*) FROM audit_log WHERE action = 'delete' AND entity_id LIKE 'vigie_violations:{}:%'",
            g[uuid]
        );
        assert!(count(&db, &sql) > 0, "the deletion of {} is audited", g[uuid]);
    }
    // Rows from elsewhere are never deleted by a form's sync.
    std::fs::write(dir.path().join("other.csv"), violations_csv(&VIOLATION_ROWS)).expect("write");
    ok(&vigie(dir.path(), &db, &["import", "violations", "other.csv"]));
    let again = ok(&vigie(dir.path(), &db, &sync));
    assert!(again.contains("nothing to change") && !again.contains("deleted"), "{again}");
    assert_eq!(count(&db, "SELECT count(*) FROM violations"), total - gone_rows + 3);
}

#[test]
fn a_real_kobo_export_and_real_forms_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let export = fixture("kobocruncher_sample_kobo_export.xlsx");
    let mapping = fixture("kobocruncher.toml");
    let (export, mapping) = (export.to_str().expect("path"), mapping.to_str().expect("path"));
    // Its `members` repeat sheet, joined on `_index`/`_parent_index`, "." separated paths.
    let report = ok(&vigie(dir.path(), &db, &["import", "kobo", export, "--mapping", mapping]));
    assert!(report.contains("12 rows: 12 inserted"), "{report}");
    assert_eq!(count(&db, "SELECT count(DISTINCT incident_id) FROM violations"), 5);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM violations WHERE incident_id = 'koboloadeR:48cc75b7-3d86-4c3e-a99b-24b4032b7b9c' AND incident_date = '2022-10-27'"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM violations WHERE victim_sex = 'F'"), 5);

    // A choice the mapping does not cover: its sheet, line, field and value; nothing imported.
    let partial = std::fs::read_to_string(fixture("kobocruncher.toml"))
        .expect("mapping")
        .replace("teacher = \"CIVIL_SERVANT\"\n", "");
    std::fs::write(dir.path().join("partial.toml"), partial).expect("write");
    let fresh = dir.path().join("fresh.db");
    let out = vigie(dir.path(), &fresh, &["import", "kobo", export, "--mapping", "partial.toml"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("sheet `Sample Dataset KoboloadeR`, line 5, field `occupation`: found `teacher`, expected a code of list `occupation`"),
        "{err}"
    );
    assert_eq!(err.matches("found `teacher`").count(), 1, "said once for the submission: {err}");

    // mapping init lists the small form's fields, and maps its repeat and sex choices.
    let form = fixture("kobocruncher_sample_xlsform.xlsx");
    let out = vigie(dir.path(), &db, &["mapping", "init", form.to_str().expect("path")]);
    let draft = ok(&out);
    for field in [
        "date (date)",
        "location (select_one location)",
        "country (select_one countries)",
        "occupation (text)",
        "reason (select_multiple reasons)",
        "HHSize (integer)",
        "age (integer)",
    ] {
        assert!(draft.contains(&format!("#   {field}\n")), "{field} is listed: {draft}");
    }
    assert!(draft.contains("id = \"koboloadeR\""), "{draft}");
    assert!(draft.contains("victim_sex = \"sex\"") && draft.contains("victims = \"members\""), "{draft}");
    assert!(draft.contains("[choices.victim_sex]\nfemale = \"F\"\nmale = \"M\""), "{draft}");

    // The REACH MSNA 2024 tool: its location cascade, bilingual labels, placeholder P-codes.
    let msna = fixture("reach_msna_2024_kobo_tool_draft_v11.xlsx");
    let out = vigie(dir.path(), &db, &["mapping", "init", msna.to_str().expect("path")]);
    let draft = ok(&out);
    assert!(draft.contains("admin1 = \"admin1\"\nadmin2 = \"admin2\"\nadmin3 = \"admin3\""), "{draft}");
    assert!(draft.contains("#   admin3: PCODE111\n"), "placeholder P-codes are listed: {draft}");
    assert!(draft.contains("#   admin4 (select_one l_admin4)\n"), "{draft}");
    assert!(stderr(&out).contains("198 form fields"), "{}", stderr(&out));
}

/// A KoBo API server of the test's own: it replays a recorded answer's submissions as pages of
/// `per_page`, linked by `next` as KoBo links them (`start=`), to requests carrying the token,
/// and answers 401 to others. Returns its address.
fn replay_kobo_api(results: Vec<serde_json::Value>, per_page: usize, token: &'static str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let base = format!("{address}/api/v2/assets/aTest/data/?format=json&limit={per_page}");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push(line);
            }
            let path = head.first().and_then(|l| l.split(' ').nth(1)).unwrap_or_default().to_owned();
            let authorized = head.iter().any(|h| {
                h.trim() == format!("authorization: Token {token}")
                    || h.trim() == format!("Authorization: Token {token}")
            });
            let start: usize = path.split("start=").nth(1).and_then(|s| s.split('&').next()?.parse().ok()).unwrap_or(0);
            let page = |start: usize| {
                let end = (start + per_page).min(results.len());
                let next = if end < results.len() {
                    serde_json::json!(format!("{base}&start={end}"))
                } else {
                    serde_json::Value::Null
                };
                serde_json::json!({"count": results.len(), "next": next, "previous": null, "results": &results[start..end]}).to_string()
            };
            let (status, body) = if !authorized {
                ("401 Unauthorized", r#"{"detail": "Invalid token."}"#.to_owned())
            } else if start <= results.len() {
                ("200 OK", page(start))
            } else {
                ("404 Not Found", "{}".to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    address
}

#[test]
fn submissions_are_fetched_live_from_the_kobo_api_page_after_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let unused = dir.path().join("unused.db");
    ok(&vigie(dir.path(), &unused, &["generate", "--out", "g", "--violations", "400", "--kobo", "json"]));
    let expected = direct_tables(dir.path());
    // The recorded answer, replayed in pages of 90 submissions.
    let recorded = std::fs::read_to_string(dir.path().join("g/kobo/vigie_violations-page1.json")).expect("page");
    let recorded: serde_json::Value = serde_json::from_str(&recorded).expect("json");
    let results = recorded["results"].as_array().expect("results").clone();
    assert!(results.len() > 180, "at least three pages");
    let url = format!("{}/api/v2/assets/aTest/data/?format=json", replay_kobo_api(results, 90, "s3cret"));
    let db = dir.path().join("live.db");
    let fetch = |token: &str| {
        Command::new(vigie_bin())
            .current_dir(dir.path())
            .env("VIGIE_KOBO_TOKEN", token)
            .args(["--db", &format!("sqlite://{}", db.display()), "import", "kobo", "--url", &url])
            .output()
            .expect("vigie runs")
    };
    let refused = fetch("wrong");
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("the server refused the token"), "{}", stderr(&refused));
    assert!(!stderr(&refused).contains("wrong"), "the token is never printed");
    let report = ok(&fetch("s3cret"));
    assert!(report.contains("imported (total: 400 inserted"), "{report}");
    assert_eq!(ok(&vigie(dir.path(), &db, &["tables", "--month", "2021-11"])), expected);
}

#[test]
fn every_error_of_an_export_is_listed_in_one_pass_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    // Submission 1: a commune nobody knows (the conversion's error). Submission 2: a narrative
    // over three lines, then a perpetrator and a subtype that are no codes (the import's errors,
    // on the line of their submission and victim whatever the narrative's line breaks).
    let export = r#"{"count": 3, "next": null, "results": [
        {"_uuid": "e-1", "incident/incident_date": "2021-11-03", "incident/admin3": "Atlantis", "incident/perpetrator": "UNID_ARMED",
         "incident/place": "ROAD", "incident/time_slot": "DAY", "incident/organization": "DRC",
         "victims": [{"victims/sex": "F", "victims/age_group": "ADULT", "victims/occupation": "TRADER", "victims/population": "RESIDENT", "victims/violations": "E1"}]},
        {"_uuid": "e-2", "incident/incident_date": "2021-11-03", "incident/admin3": "ML050101", "incident/perpetrator": "UNID_ARMED",
         "incident/place": "ROAD", "incident/time_slot": "DAY", "incident/organization": "DRC", "incident/narrative": "one\ntwo\nthree",
         "victims": [{"victims/sex": "F", "victims/age_group": "ADULT", "victims/occupation": "TRADER", "victims/population": "RESIDENT", "victims/violations": "E1"}]},
        {"_uuid": "e-3", "incident/incident_date": "2021-11-03", "incident/admin3": "ML050101", "incident/perpetrator": "aliens",
         "incident/place": "ROAD", "incident/time_slot": "DAY", "incident/organization": "DRC",
         "victims": [{"victims/sex": "F", "victims/age_group": "ADULT", "victims/occupation": "TRADER", "victims/population": "RESIDENT", "victims/violations": "E1"},
                     {"victims/sex": "F", "victims/age_group": "ADULT", "victims/occupation": "TRADER", "victims/population": "RESIDENT", "victims/violations": "Z9"}]}]}"#;
    std::fs::write(dir.path().join("page.json"), export).expect("write");
    let out = vigie(dir.path(), &db, &["import", "kobo", "page.json"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].contains("page.json, sheet `page`, line 2, field `admin3`: found `Atlantis`"), "{err}");
    assert!(lines[1].contains("page.json, sheet `page`, line 4, field `perpetrator`: found `aliens`"), "{err}");
    assert!(lines[2].contains("page.json, sheet `victims`, line 5, field `violations`: found `Z9`"), "{err}");
    assert_eq!(lines.len(), 4, "three errors and the verdict: {err}");
    assert_eq!(count(&db, "SELECT count(*) FROM violations"), 0, "nothing imported");
}
