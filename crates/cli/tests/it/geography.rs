//! Geography is data: a folder of geography files gives a country its own report (title, maps,
//! places) with no code; a database keeps the geography its data was coded with.

use std::path::PathBuf;

use crate::helpers::*;

fn testland() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/geography/tst-2026")
}

#[test]
fn a_geography_folder_gives_its_country_a_report_and_binds_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("tst.db");
    let geography = testland();
    let geography = geography.to_str().expect("path");
    let rows = [
        "V-1,I-1,2021-11-03,,TS01,TS0101,TS010101,,,,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,",
        "V-2,I-1,2021-11-03,,,,TS010102,,,,D1,NSAG_RADICAL,FIELD,DAY,F,CHILD,FARMER,IDP,DRC,",
        "V-3,I-2,2021-10-30,,,,TS020101,,,,B2,NSAG_MILITIA,HOME,NIGHT,M,ELDER,HERDER,RETURNEE,NRC,",
    ];
    std::fs::write(dir.path().join("v.csv"), violations_csv(&rows)).expect("write");
    let out = vigie(dir.path(), &db, &["--geography", geography, "import", "violations", "v.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = vigie(
        dir.path(),
        &db,
        &["--geography", geography, "report", "--month", "2021-11", "--lang", "en", "--out", "r"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("r/report-2021-11.html")).expect("html");
    assert!(html.contains("<h1>Monthly protection monitoring report — Testland</h1>"), "the country of the geography");
    assert!(!html.contains("Mali"), "nothing of another country");
    assert!(html.contains("North") && html.contains("South"), "its regions, in the report's language");
    // Each map draws the geography's own three communes.
    let map = html
        .split("<svg")
        .find(|svg| svg.contains("<title>Annex 1 – Map of violations by commune"))
        .expect("commune map");
    assert_eq!(map.matches("stroke-width=\"0.3\"").count(), 3, "three commune outlines");

    // The database now belongs to that geography: another one is refused, reading or writing.
    let out = vigie(dir.path(), &db, &["tables", "--month", "2021-11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("holds data coded with geography tst-2026, not mli-2015"), "{}", stderr(&out));
    let scratch = Scratch::new();
    let out = vigie(scratch.path(), &scratch.db(), &["--geography", geography, "import", "violations", "v.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("geography mli-2015, not tst-2026"), "{}", stderr(&out));

    let out = vigie(dir.path(), &db, &["--geography", "atlantis", "status"]);
    assert!(out.status.success(), "status reads no places");
    let out = vigie(dir.path(), &db, &["--geography", "atlantis", "tables", "--month", "2021-11"]);
    assert!(stderr(&out).contains("unknown geography `atlantis`: name an embedded one (mli-2015)"), "{}", stderr(&out));
}
