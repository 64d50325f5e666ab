//! `vigie signals` on the sample data: the CSV's columns, the JSON, a cluster's own rules from a
//! folder, and a clear error for bad ones.

use crate::helpers::{demo, stderr, stdout, vigie};

#[test]
fn signals_are_written_as_csv_and_json_and_a_cluster_s_own_rules_are_read() {
    let dir = demo();
    let db = dir.path().join("demo/vigie.db");
    let out = vigie(dir.path(), &db, &["signals", "--month", "2021-11"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("kind,unit_level,unit,category,observed,expected,threshold"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().any(|r| r[0] == "surge" && !r[5].is_empty() && !r[6].is_empty()), "{csv}");
    assert!(rows.iter().any(|r| r[0] == "sentinel" && r[1] == "commune" && r[5].is_empty()), "{csv}");
    for row in &rows {
        if row[0] == "surge" {
            let (observed, threshold): (u64, u64) = (row[4].parse().expect("n"), row[6].parse().expect("n"));
            assert!(observed > threshold && observed >= 3, "{row:?}");
        }
    }

    let json = vigie(dir.path(), &db, &["signals", "--month", "2021-11", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(json["signals"].as_array().map(Vec::len), Some(rows.len()));

    // A cluster's own rules: no sentinel, surges from 50 violations.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    let settings =
        vigie_core::catalog::embedded("signals/signals.csv").replace("surge_min_count,3", "surge_min_count,50");
    std::fs::write(rules.join("signals.csv"), settings).expect("write");
    std::fs::write(rules.join("sentinels.csv"), "name,subtypes,age_group,min_in_incident\n").expect("write");
    let own = vigie(dir.path(), &db, &["signals", "--month", "2021-11", "--rules", "rules"]);
    assert!(own.status.success(), "{}", stderr(&own));
    let own = stdout(&own);
    assert!(own.lines().skip(1).all(|l| l.starts_with("surge,") || l.starts_with("risk")), "{own}");
    assert!(own.lines().count() < csv.lines().count());

    std::fs::write(rules.join("sentinels.csv"), "name,subtypes,age_group,min_in_incident\nx,Z9,,1\n").expect("write");
    let bad = vigie(dir.path(), &db, &["signals", "--month", "2021-11", "--rules", "rules"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("sentinels.csv: line 2: `Z9` is no subtype"), "{}", stderr(&bad));
}
