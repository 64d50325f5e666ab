//! `vigie tables`: the aggregation layer's figures for the generated 2021 data equal the seed
//! report's yearly tables, and the whole `tables.csv` is snapshotted.

use std::collections::BTreeMap;
use std::path::Path;

use crate::helpers::*;

/// `(table, row, column) -> value` from a tables.csv.
fn parse_tables(text: &str) -> BTreeMap<(String, String, String), u64> {
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            ((c[0].to_owned(), c[1].to_owned(), c[2].to_owned()), c[3].parse().expect("value"))
        })
        .collect()
}

fn region_code(name: &str) -> String {
    include_str!("../../../../reference/geography/mli-2015/reporting_regions.csv")
        .lines()
        .find_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[1] == name || name == "TOTAL")
                .then(|| if name == "TOTAL" { "TOTAL".to_owned() } else { c[0].to_owned() })
        })
        .unwrap_or_else(|| panic!("no region {name}"))
}

/// Every cell of a seed table (names mapped to codes), including zeros and totals.
fn seed(name: &str, table: &str, key: impl Fn(&str) -> String) -> BTreeMap<(String, String, String), u64> {
    let embedded = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/data").join(name);
    let text = std::fs::read_to_string(embedded).expect("seed table");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let mut out = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for (column, value) in header[1..].iter().zip(&cells[1..]) {
            out.insert((table.to_owned(), key(cells[0]), (*column).to_owned()), value.parse().expect("number"));
        }
    }
    out
}

#[test]
fn the_2021_tables_equal_the_seed_reports_yearly_tables_cell_by_cell_and_match_the_snapshot() {
    let dir = demo();
    let csv = std::fs::read_to_string(dir.path().join("demo/tables-2021-11.csv")).expect("demo wrote tables");
    let tables = parse_tables(&csv);
    for (table, expected) in [
        ("category_by_month", seed("category_by_month_2021.csv", "category_by_month", str::to_owned)),
        ("region_by_month", seed("region_by_month_2021.csv", "region_by_month", region_code)),
    ] {
        let ours: BTreeMap<_, _> =
            tables.iter().filter(|((t, _, _), _)| t == table).map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(ours, expected, "{table}");
    }
    // November's month tables add up to the month's total, 531.
    let month_total = |table: &str| -> u64 {
        tables.iter().filter(|((t, r, c), _)| t == table && r != "TOTAL" && c != "TOTAL").map(|(_, v)| v).sum()
    };
    for table in [
        "category_by_region",
        "time_slot_by_category",
        "subtype",
        "admin2",
        "perpetrator",
        "place",
        "sex",
        "age_group",
        "occupation",
        "population",
    ] {
        assert_eq!(month_total(table), 531, "{table}");
    }
    insta::assert_snapshot!("tables_2021_11", csv);
}

#[test]
fn filters_restrict_the_counts_and_unknown_codes_are_refused() {
    let dir = demo();
    let db = dir.path().join("demo/vigie.db");
    let run = |args: &[&str]| vigie(dir.path(), &db, args);
    let mopti = run(&["tables", "--month", "2021-11", "--region", "ML05"]);
    assert!(mopti.status.success(), "{}", stderr(&mopti));
    let t = parse_tables(&stdout(&mopti));
    let key = |t: &str, r: &str, c: &str| (t.to_owned(), r.to_owned(), c.to_owned());
    assert_eq!(t.get(&key("region_by_month", "ML05", "2021-11")), Some(&280));
    assert_eq!(t.get(&key("region_by_month", "TOTAL", "TOTAL")), Some(&3016));
    assert_eq!(t.get(&key("category_by_region", "TOTAL", "TOTAL")), Some(&280));
    assert!(!t.keys().any(|(table, row, _)| table == "region_by_month" && row == "ML04"));

    let e_road = run(&["tables", "--month", "2021-11", "--category", "E", "--place", "ROAD", "--place", "MARKET"]);
    let t = parse_tables(&stdout(&e_road));
    let total = t.get(&key("category_by_region", "TOTAL", "TOTAL")).copied().unwrap_or(0);
    let road = t.get(&key("place", "ROAD", "count")).copied().unwrap_or(0);
    let market = t.get(&key("place", "MARKET", "count")).copied().unwrap_or(0);
    assert!(total > 0 && total < 225 && road + market == total, "{total} {road} {market}");

    let bad = run(&["tables", "--month", "2021-11", "--perpetrator", "ALIENS"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("unknown perpetrator `ALIENS`"), "{}", stderr(&bad));
    let bad = run(&["tables", "--month", "2021-13"]);
    assert!(stderr(&bad).contains("is not a month"), "{}", stderr(&bad));
}

#[test]
fn tables_are_also_written_as_json_and_as_a_workbook() {
    let dir = demo();
    let db = dir.path().join("demo/vigie.db");
    let out = vigie(dir.path(), &db, &["tables", "--month", "2021-11", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let csv = std::fs::read_to_string(dir.path().join("demo/tables-2021-11.csv")).expect("csv");
    assert_eq!(json["month"], "2021-11");
    assert_eq!(json["tables"].as_array().map(Vec::len), Some(csv.lines().count() - 1));

    for lang in ["fr", "en"] {
        let path = dir.path().join(format!("tables-{lang}.xlsx"));
        let out = vigie(
            dir.path(),
            &db,
            &[
                "tables",
                "--month",
                "2021-11",
                "--format",
                "xlsx",
                "--lang",
                lang,
                "--out",
                path.to_str().expect("path"),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let bytes = std::fs::read(&path).expect("xlsx written");
        assert!(bytes.starts_with(b"PK"), "an XLSX is a zip file");
    }
    let out = vigie(dir.path(), &db, &["tables", "--month", "2021-11", "--format", "xlsx"]);
    assert!(stderr(&out).contains("needs --out"), "{}", stderr(&out));
}
