//! `vigie locate`: any CSV's rows placed by code, name, alias, GPS point or village, written back
//! with their P-codes; rows that cannot be placed are errors with their line and value.

use crate::helpers::*;

#[test]
fn locate_places_every_row_and_names_what_it_could_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = "\u{feff}id;Admin1;admin2;admin3;locality;latitude;longitude;admin3_pcode\n\
        1;Tombouctou;;Ber;;;;stale\n\
        2;;;ml010112;;;;\n\
        3;;;Barouéli;;;;\n\
        4;;;;;16,27;-0,04;\n\
        5;;;;Moussawel;;;\n\
        6;;;ML010101;;18.44;1.41;\n\
        7;;;Bamba;;;;\n\
        8;Mopti;;;;;;\n";
    std::fs::write(dir.path().join("partner.csv"), rows).expect("write");
    let out = vigie(dir.path(), &dir.path().join("unused.db"), &["locate", "partner.csv", "--out", "placed.csv"]);
    assert!(!out.status.success(), "two rows cannot be placed");
    let err = stderr(&out);
    assert!(err.contains("partner.csv: line 8: column admin3, value `Bamba`: `Bamba` names 2 communes"), "{err}");
    assert!(err.contains("partner.csv: line 9: column admin3: a commune is needed"), "{err}");
    assert!(err.contains("line 7: warning: the GPS point lies in Kidal (ML080102), 14"), "{err}");
    assert!(err.contains("8 rows: 6 placed (2 by code, 1 by name, 1 by alias, 1 by gps, 1 by locality), 1 with a warning, 2 not placed"), "{err}");

    let placed = std::fs::read_to_string(dir.path().join("placed.csv")).expect("the rows are written all the same");
    let lines: Vec<&str> = placed.lines().collect();
    assert_eq!(
        lines[0],
        "id;Admin1;admin2;admin3;locality;admin1_pcode;admin2_pcode;admin3_pcode;latitude;longitude;placed_by;warning;error"
    );
    assert_eq!(lines[1], "1;Tombouctou;;Ber;;ML06;ML0601;ML060102;;;name;;", "the stale column is replaced");
    assert_eq!(lines[2], "2;;;ml010112;;ML01;ML0101;ML010112;;;code;;");
    assert_eq!(lines[3], "3;;;Barouéli;;ML04;ML0401;ML040101;;;alias;;");
    assert!(lines[4].starts_with("4;;;;;ML07;ML0701;ML070103;16.27;-0.04;gps;;"), "{}", lines[4]);
    assert_eq!(lines[5], "5;;;;Moussawel;ML05;ML0501;ML050101;14.66952;-3.99699;locality;;");
    assert!(lines[6].contains(";code;the GPS point lies in Kidal"), "{}", lines[6]);
    assert!(lines[7].starts_with("7;;;Bamba;;;;;;;;;") && lines[7].contains("give the P-code"), "{}", lines[7]);
    assert_eq!(lines.len(), 9);
}
