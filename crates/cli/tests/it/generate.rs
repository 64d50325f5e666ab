//! The sample generator: deterministic, valid, and faithful to the seed report's yearly tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::*;

/// `row -> month -> count` from a seed table CSV, keyed as the database keys it.
fn seed_table(text: &str, key: impl Fn(&str) -> String) -> BTreeMap<(String, String), i64> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let mut out = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[0] == "TOTAL" {
            continue;
        }
        for (month, value) in header[1..13].iter().zip(&cells[1..13]) {
            let n: i64 = value.parse().expect("number");
            if n > 0 {
                out.insert((key(cells[0]), (*month).to_owned()), n);
            }
        }
    }
    out
}

fn db_table(db: &Path, row_sql: &str) -> BTreeMap<(String, String), i64> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let sql = format!("SELECT {row_sql}, substr(incident_date, 1, 7), COUNT(*) FROM violations GROUP BY 1, 2");
    let mut stmt = conn.prepare(&sql).expect("prepare");
    stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

fn region_code(name: &str) -> String {
    let regions = include_str!("../../../../reference/geography/mli-2015/reporting_regions.csv");
    regions
        .lines()
        .find_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[1] == name).then(|| cells[0].to_owned())
        })
        .unwrap_or_else(|| panic!("no region named {name}"))
}

#[test]
fn the_demo_reproduces_the_seed_reports_yearly_tables_exactly() {
    let dir = demo();
    let db = dir.path().join("demo/vigie.db");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM violations"), 6033);

    // The embedded tables are copies of shared/seed/'s, found next to the checkout or where
    // VIGIE_SHARED says; a missing shared/ fails, unless VIGIE_SHARED=none says to do without.
    let shared = match std::env::var("VIGIE_SHARED") {
        Ok(none) if none == "none" => None,
        Ok(path) => Some(PathBuf::from(path).join("seed")),
        Err(_) => Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed")),
    };
    let read = |name: &str| {
        let embedded = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/data").join(name);
        let text = std::fs::read_to_string(embedded).expect("embedded seed table");
        if let Some(shared) = &shared {
            let theirs = std::fs::read_to_string(shared.join(name))
                .unwrap_or_else(|e| panic!("{}: {e}; set VIGIE_SHARED to shared/, or to `none`", shared.display()));
            assert_eq!(text, theirs, "crates/sample/data/{name} differs from shared/seed/{name}");
        }
        text
    };
    let categories = seed_table(&read("category_by_month_2021.csv"), str::to_owned);
    assert_eq!(db_table(&db, "substr(violation_code, 1, 1)"), categories);
    // The region is derived from the commune, not stored: count the generated file's regions.
    let regions = seed_table(&read("region_by_month_2021.csv"), region_code);
    let file = std::fs::read_to_string(dir.path().join("demo/violations.csv")).expect("violations.csv");
    let mut lines = file.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (date, admin1, admin2) = (column("incident_date"), column("admin1_pcode"), column("admin2_pcode"));
    let mut generated: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    for record in reader.records() {
        let record = record.expect("record");
        assert!(record[admin1] != *"ML10" || record[admin2] == *"ML0704", "Ménaka is cercle ML0704");
        *generated.entry((record[admin1].to_owned(), record[date][..7].to_owned())).or_default() += 1;
    }
    assert_eq!(generated, regions);
    assert!(regions.contains_key(&("ML10".to_owned(), "2021-11".to_owned())), "Ménaka is reported as ML10");
}

#[test]
fn generation_is_deterministic_for_a_seed_and_scales_to_a_requested_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let generate = |out: &str, seed: &str, n: &str| {
        let o = Command::new(vigie_bin())
            .current_dir(dir.path())
            .args(["generate", "--out", out, "--seed", seed, "--violations", n])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", stderr(&o));
        let read = |f: &str| std::fs::read(dir.path().join(out).join(f)).expect("read");
        (read("violations.csv"), read("alerts.csv"), read("risk_answers.csv"))
    };
    let a = generate("a", "7", "20000");
    let b = generate("b", "7", "20000");
    let c = generate("c", "8", "20000");
    assert!(a == b, "same seed, same files");
    assert!(a.0 != c.0, "another seed, other violations");
    let rows = a.0.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(rows, 20_001, "header + 20 000 violations");

    // Incidents group several violations; extortion happens on roads, mostly in daytime.
    let db = dir.path().join("v.db");
    let out = vigie(dir.path(), &db, &["import", "violations", "a/violations.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let incidents = count(&db, "SELECT COUNT(DISTINCT incident_id) FROM violations");
    assert!(incidents < 15_000 && incidents > 5_000, "{incidents} incidents");
    let e1 = count(&db, "SELECT COUNT(*) FROM violations WHERE violation_code = 'E1'");
    let e1_road_day = count(
        &db,
        "SELECT COUNT(*) FROM violations WHERE violation_code = 'E1' AND place_code = 'ROAD' AND time_slot_code = 'DAY'",
    );
    assert!(e1_road_day * 4 > e1, "{e1_road_day} of {e1} extortions on roads by day");
    for (kind, file) in [("alerts", "a/alerts.csv"), ("risk", "a/risk_answers.csv")] {
        let out = vigie(dir.path(), &db, &["import", kind, file]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Key informants in about 180 communes, several of whom sometimes disagree.
    let communes = count(&db, "SELECT COUNT(DISTINCT admin3_pcode) FROM risk_answers WHERE month = '2021-11'");
    assert!((150..=200).contains(&communes), "{communes} communes assessed");
    let disagreeing = count(
        &db,
        "SELECT COUNT(*) FROM (SELECT admin3_pcode FROM risk_answers WHERE month = '2021-11'
         GROUP BY admin3_pcode HAVING COUNT(DISTINCT answers) > 1)",
    );
    assert!(disagreeing > 20, "{disagreeing} communes with informants who disagree");
}
