//! `vigie verify`: verification decisions from the command line and from a decisions file, all
//! or nothing, and `vigie tables --verification` / `--verified-only`.

use crate::helpers::*;

/// The month's total of `vigie tables` for November 2021 with `filters`.
fn november_total(s: &Scratch, filters: &[&str]) -> u64 {
    let mut args = vec!["tables", "--month", "2021-11", "--format", "csv"];
    args.extend(filters);
    let out = vigie(s.path(), &s.db(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .find(|l| l.starts_with("category_by_region,TOTAL,TOTAL,"))
        .and_then(|l| l.rsplit(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no total in {}", stdout(&out)))
}

#[test]
fn decisions_change_what_counts_are_audited_and_a_bad_file_changes_nothing() {
    let s = Scratch::new();
    // V-1 and V-2 are of November 2021.
    assert_eq!(november_total(&s, &[]), 2);

    let out = vigie(s.path(), &s.db(), &["verify", "--status", "verified", "V-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("V-1: reported → verified"), "{}", stdout(&out));
    assert_eq!(november_total(&s, &["--verified-only"]), 1);
    // With --hxl, HXL's hashtags under the header (libhxl reads them in the server's test).
    let tagged = stdout(&vigie(s.path(), &s.db(), &["tables", "--month", "2021-11", "--hxl"]));
    assert_eq!(tagged.lines().nth(1), Some("#indicator+table,#meta+row+code,#meta+column+code,#indicator+value+num"));
    // The month's tables say how many were verified, and the report says it in words.
    let tables = stdout(&vigie(s.path(), &s.db(), &["tables", "--month", "2021-11"]));
    assert!(
        tables.contains("verification,verified,count,1\nverification,reported,count,1")
            || tables.contains("verification,reported,count,1\nverification,verified,count,1"),
        "{tables}"
    );
    let out = vigie(
        s.path(),
        &s.db(),
        &["report", "--month", "2021-11", "--out", s.path().join("r").to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(s.path().join("r/rapport-2021-11.html")).expect("report");
    assert!(html.contains("1 des 2 violations du mois ont été vérifiées par le cluster"), "{html}");

    // A rejection needs its reason; an unknown id changes nothing.
    let out = vigie(s.path(), &s.db(), &["verify", "--status", "rejected", "V-2"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("did_not_occur"), "{}", stderr(&out));
    let before = s.digest();
    let out = vigie(s.path(), &s.db(), &["verify", "--status", "not_verified", "V-2", "V-404"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("V-404"), "{}", stderr(&out));
    assert_eq!(s.digest(), before, "nothing changed");

    // A decisions file with a bad row: every bad row named, nothing written.
    let bad = s.write(
        "bad.csv",
        b"violation_id,status,reason\nV-2,rejected,did_not_occur\nV-3,checked,\nV-1,verified,did_not_occur\n",
    );
    let out = vigie(s.path(), &s.db(), &["verify", "--file", bad.to_str().expect("path")]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(said.contains("row 3, column status") && said.contains("checked"), "{said}");
    assert!(said.contains("row 4, column reason"), "{said}");
    assert_eq!(s.digest(), before, "nothing changed");

    let good = s.write("good.csv", b"violation_id,status,reason\nV-2,rejected,not_a_protection_violation\n");
    let out = vigie(s.path(), &s.db(), &["verify", "--file", good.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(november_total(&s, &[]), 1, "the rejected violation leaves the tables");
    assert_eq!(november_total(&s, &["--verification", "rejected"]), 1, "and is counted under its status");
    assert_eq!(
        count(&s.db(), "SELECT COUNT(*) FROM audit_log WHERE action = 'verify' AND entity_id = 'V-2'"),
        1,
        "each change is audited"
    );
}

#[test]
fn duplicates_are_listed_with_why_and_resolved_from_the_command_line() {
    let s = Scratch::new();
    // V-1's event as NRC reported it: another incident, the next day, no locality or narrative.
    let copy = VIOLATION_ROWS[0]
        .replace("V-1,I-1,2021-11-03", "V-9,I-9,2021-11-04")
        .replace("Kala,14.2,-6.1", ",,")
        .replace("DRC,\"Récit, avec virgule\"", "NRC,");
    let file = s.write("copy.csv", violations_csv(&[&copy]).as_bytes());
    assert!(s.import("violations", &file).status.success());
    let out = vigie(s.path(), &s.db(), &["duplicates", "--month", "2021-11", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "violation_a,violation_b,score,reasons");
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[1].starts_with("V-1,V-9,")
            && lines[1].contains("same_subtype")
            && lines[1].contains("other_organization"),
        "{listed}"
    );

    let out = vigie(s.path(), &s.db(), &["duplicates", "resolve", "V-1", "V-9", "--same"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(november_total(&s, &[]), 2, "the duplicate leaves the tables");
    let out = vigie(s.path(), &s.db(), &["duplicates", "--month", "2021-11", "--format", "csv"]);
    assert_eq!(stdout(&out).lines().count(), 1, "a decided pair is not proposed again");
    let out = vigie(s.path(), &s.db(), &["duplicates", "resolve", "V-1", "V-404", "--distinct"]);
    assert!(!out.status.success() && stderr(&out).contains("V-404"), "{}", stderr(&out));
    let out = vigie(s.path(), &s.db(), &["duplicates", "resolve", "V-1", "V-9", "--undo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(november_total(&s, &[]), 3);
}

#[test]
fn the_month_is_exported_as_geojson_a_feature_per_unit() {
    let s = Scratch::new();
    let out = vigie(s.path(), &s.db(), &["export", "geojson", "--month", "2021-11", "--level", "region"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let features = json["features"].as_array().expect("features");
    assert_eq!(features.len(), vigie_core::Catalog::builtin().geography.regions.len());
    let segou = features.iter().find(|f| f["properties"]["code"] == "ML04").expect("Ségou");
    assert_eq!(segou["properties"]["violations"], 2, "{segou}");
    assert_eq!(segou["geometry"]["type"], "MultiPolygon");
}

/// `vigie month`: a sign-off publishes the report and locks the month (the refusal in the
/// reader's language, `LANG`); `vigie report --published` writes the stored files byte for
/// byte after the data changed; reopening and a second sign-off give version 2, listed.
#[test]
fn a_month_is_signed_off_listed_served_as_published_reopened_and_signed_off_again() {
    let s = Scratch::new();
    let run = |args: &[&str]| {
        let out = vigie(s.path(), &s.db(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let signed = run(&["month", "sign-off", "2021-11", "--note", "final"]);
    assert!(signed.contains("2021-11 signed off: version 1, 18 files"), "{signed}");
    let v1 = s.path().join("v1");
    run(&["report", "--month", "2021-11", "--published", "--out", v1.to_str().expect("path")]);
    let published = std::fs::read(v1.join("tables-2021-11.csv")).expect("published tables");

    let refused = std::process::Command::new(vigie_bin())
        .current_dir(s.path())
        .env("LANG", "en_GB.UTF-8")
        .args(["--db", &db_url(&s.db()), "verify", "--status", "verified", "V-1"])
        .output()
        .expect("vigie runs");
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("November 2021 is signed off: cli published it on"), "{}", stderr(&refused));

    run(&["month", "reopen", "2021-11", "--reason", "a correction"]);
    run(&["verify", "--status", "verified", "V-1"]);
    run(&["month", "sign-off", "2021-11"]);
    let again = s.path().join("again");
    run(&["report", "--month", "2021-11", "--published", "--version", "1", "--out", again.to_str().expect("path")]);
    assert_eq!(std::fs::read(again.join("tables-2021-11.csv")).expect("v1 again"), published, "version 1 as it was");
    let listed = run(&["month", "list"]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(lines[1].starts_with("2021-11\tsuperseded\t1\t") && lines[1].contains("a correction"), "{listed}");
    assert!(lines[2].starts_with("2021-11\tsigned_off\t2\t"), "{listed}");
    let missing = vigie(s.path(), &s.db(), &["report", "--month", "2021-11", "--published", "--version", "3"]);
    assert!(stderr(&missing).contains("has no published version 3 (versions: 1, 2)"), "{}", stderr(&missing));
}
