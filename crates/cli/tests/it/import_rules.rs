//! One bad file per rule of DATA-FORMATS.md: each import must fail with exit code 1, name the
//! line, column and value, say what was expected, and leave the database unchanged.

use crate::helpers::*;

/// The columns of [`VIOLATION_HEADER`], for editing one cell of a row.
fn set(header: &str, row: &str, column: &str, value: &str) -> String {
    let i = header.split(',').position(|c| c == column).unwrap_or_else(|| panic!("no column {column}"));
    let mut cells: Vec<&str> = row.split(',').collect();
    cells[i] = value;
    cells.join(",")
}

/// A valid violation row with no quoted cell, to edit.
const BASE: &str =
    "V-9,I-9,2021-11-03,2021-11-04,ML04,ML0405,ML040503,,14.2,-6.1,C1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,";

struct Case {
    rule: &'static str,
    kind: &'static str,
    file: Vec<u8>,
    line: u64,
    column: &'static str,
    value: &'static str,
    expected: &'static str,
}

fn violation_case(
    rule: &'static str,
    edits: &[(&'static str, &'static str)],
    column: &'static str,
    value: &'static str,
    expected: &'static str,
) -> Case {
    let mut row = BASE.to_owned();
    for (c, v) in edits {
        row = set(VIOLATION_HEADER, &row, c, v);
    }
    // The bad row is on line 4, after two valid rows.
    let file = violations_csv(&[VIOLATION_ROWS[0], VIOLATION_ROWS[2], &row]).into_bytes();
    Case { rule, kind: "violations", file, line: 4, column, value, expected }
}

fn check(case: &Case) {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let file = scratch.write("bad.csv", &case.file);
    let out = scratch.import(case.kind, &file);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "rule `{}` did not fail: {err}", case.rule);
    let located = format!("bad.csv, line {}, column `{}`", case.line, case.column);
    assert!(err.contains(&located), "rule `{}`: `{located}` not in: {err}", case.rule);
    let found = if case.value.is_empty() { "found nothing".to_owned() } else { format!("found `{}`", case.value) };
    assert!(err.contains(&found), "rule `{}`: `{found}` not in: {err}", case.rule);
    assert!(err.contains(case.expected), "rule `{}`: `{}` not in: {err}", case.rule, case.expected);
    assert!(err.contains("Nothing was imported"), "rule `{}`: {err}", case.rule);
    assert_eq!(scratch.digest(), before, "rule `{}` changed the database", case.rule);
}

#[test]
fn import_refuses_each_invalid_violation_cell_and_changes_nothing() {
    let long_id = Box::leak("X".repeat(200).into_boxed_str());
    let cases = [
        violation_case("violation_id required", &[("violation_id", "")], "violation_id", "", "required"),
        violation_case("violation_id length", &[("violation_id", long_id)], "violation_id", long_id, "at most 128"),
        violation_case("incident_id required", &[("incident_id", "")], "incident_id", "", "required"),
        violation_case("incident_date required", &[("incident_date", "")], "incident_date", "", "required"),
        violation_case(
            "incident_date calendar",
            &[("incident_date", "2021-13-01")],
            "incident_date",
            "2021-13-01",
            "YYYY-MM-DD",
        ),
        violation_case(
            "incident_date format",
            &[("incident_date", "25/11/2021")],
            "incident_date",
            "25/11/2021",
            "YYYY-MM-DD",
        ),
        violation_case(
            "incident_date future",
            &[("incident_date", "2999-01-01"), ("report_date", "")],
            "incident_date",
            "2999-01-01",
            "not in the future",
        ),
        violation_case(
            "report_date format",
            &[("report_date", "2021-11-31")],
            "report_date",
            "2021-11-31",
            "YYYY-MM-DD",
        ),
        violation_case(
            "report_date order",
            &[("report_date", "2021-11-01")],
            "report_date",
            "2021-11-01",
            "on or after incident_date",
        ),
        violation_case(
            "admin1 matches commune",
            &[("admin1_pcode", "ML05")],
            "admin1_pcode",
            "ML05",
            "the region of commune ML040503",
        ),
        violation_case(
            "admin2 matches commune",
            &[("admin2_pcode", "ML0501")],
            "admin2_pcode",
            "ML0501",
            "the cercle of commune ML040503: ML0405",
        ),
        violation_case("admin3 required", &[("admin3_pcode", "")], "admin3_pcode", "", "required"),
        violation_case(
            "admin3 known",
            &[("admin3_pcode", "ML999999")],
            "admin3_pcode",
            "ML999999",
            "commune (admin3) P-code",
        ),
        violation_case(
            "latitude without longitude",
            &[("longitude", "")],
            "longitude",
            "",
            "latitude and longitude together",
        ),
        violation_case(
            "longitude without latitude",
            &[("latitude", "")],
            "latitude",
            "",
            "latitude and longitude together",
        ),
        violation_case("latitude range", &[("latitude", "95")], "latitude", "95", "between -90 and 90"),
        violation_case("longitude number", &[("longitude", "abc")], "longitude", "abc", "between -180 and 180"),
        violation_case(
            "violation_code typology",
            &[("violation_code", "G1")],
            "violation_code",
            "G1",
            "subtype code of the typology",
        ),
        violation_case(
            "violation_code is a subtype",
            &[("violation_code", "E")],
            "violation_code",
            "E",
            "subtype code",
        ),
        violation_case(
            "perpetrator list",
            &[("perpetrator_code", "ALIENS")],
            "perpetrator_code",
            "ALIENS",
            "list `perpetrator`",
        ),
        violation_case("place list", &[("place_code", "MOON")], "place_code", "MOON", "list `place`"),
        violation_case("time slot list", &[("time_slot_code", "NOON")], "time_slot_code", "NOON", "list `time_slot`"),
        violation_case("sex list", &[("victim_sex", "X")], "victim_sex", "X", "list `sex`"),
        violation_case(
            "age group list",
            &[("victim_age_group", "TEEN")],
            "victim_age_group",
            "TEEN",
            "list `age_group`",
        ),
        violation_case(
            "occupation list",
            &[("victim_occupation", "PIRATE")],
            "victim_occupation",
            "PIRATE",
            "list `occupation`",
        ),
        violation_case(
            "population list",
            &[("victim_population", "NOMAD")],
            "victim_population",
            "NOMAD",
            "list `population`",
        ),
        violation_case("code lists are case-sensitive", &[("victim_sex", "f")], "victim_sex", "f", "list `sex`"),
        violation_case("organization required", &[("organization", "")], "organization", "", "required"),
        violation_case(
            "organization short code",
            &[("organization", "Save the Children")],
            "organization",
            "Save the Children",
            "short code",
        ),
    ];
    for case in &cases {
        check(case);
    }
}

#[test]
fn import_refuses_an_id_repeated_with_different_content_in_one_file() {
    let other = set(VIOLATION_HEADER, BASE, "victim_sex", "F");
    let file = violations_csv(&[BASE, VIOLATION_ROWS[0], &other]).into_bytes();
    check(&Case {
        rule: "id unique in file",
        kind: "violations",
        file,
        line: 4,
        column: "violation_id",
        value: "V-9",
        expected: "used once per file",
    });
    // The same id, repeated with the same content, is harmless.
    let scratch = Scratch::new();
    let same = scratch.write("same.csv", violations_csv(&[BASE, BASE]).as_bytes());
    let out = scratch.import("violations", &same);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&scratch.db(), "SELECT COUNT(*) FROM violations WHERE violation_id = 'V-9'"), 1);
}

#[test]
fn import_refuses_an_id_repeated_after_an_unchanged_copy_of_a_stored_row() {
    // V-1 is stored; the file repeats it unchanged, then with other content.
    let changed = VIOLATION_ROWS[0].replace(",M,ADULT,", ",F,ADULT,");
    check(&Case {
        rule: "id unique in file, first copy unchanged",
        kind: "violations",
        file: violations_csv(&[VIOLATION_ROWS[0], BASE, &changed]).into_bytes(),
        line: 4,
        column: "violation_id",
        value: "V-1",
        expected: "used once per file",
    });
}

#[test]
fn import_refuses_each_invalid_alert_cell_and_changes_nothing() {
    let case = |rule, column: &'static str, value: &'static str, expected| {
        let row = set(ALERT_HEADER, "A-9,2021-11-12,ML04,ML0405,ML040503,,,,ATTACK,40,250,Attaque,DRC", column, value);
        Case {
            rule,
            kind: "alerts",
            file: format!("{ALERT_HEADER}\n{ALERT_ROW}\n{row}\n").into_bytes(),
            line: 3,
            column,
            value,
            expected,
        }
    };
    for c in [
        case("alert_id required", "alert_id", "", "required"),
        case("alert_date format", "alert_date", "2021-11-XX", "YYYY-MM-DD"),
        case("alert_date future", "alert_date", "2999-11-12", "not in the future"),
        case("admin3 known", "admin3_pcode", "ML000000", "commune (admin3) P-code"),
        case("admin1 matches", "admin1_pcode", "ML07", "the region of commune"),
        case("admin2 matches", "admin2_pcode", "ML0704", "the cercle of commune"),
        case("latitude range", "latitude", "-91", "between -90 and 90"),
        case("event type list", "event_type", "RAID", "one of ATTACK, CLASH, DISPLACEMENT"),
        case("households whole", "affected_households", "-3", "whole number"),
        case("persons whole", "affected_persons", "12.5", "whole number"),
        case("description required", "description", "", "required"),
        case("organization required", "organization", "", "required"),
    ] {
        check(&c);
    }
}

#[test]
fn import_refuses_each_invalid_risk_answer_cell_and_changes_nothing() {
    let case = |rule, column: &'static str, value: &'static str, expected| {
        let row = set(RISK_HEADER, &RISK_ROW.replace("R-1", "R-9"), column, value);
        Case {
            rule,
            kind: "risk",
            file: format!("{RISK_HEADER}\n{RISK_ROW}\n{row}\n").into_bytes(),
            line: 3,
            column,
            value,
            expected,
        }
    };
    for c in [
        case("answer_id required", "answer_id", "", "required"),
        case("month format", "month", "11/2021", "YYYY-MM"),
        case("month calendar", "month", "2021-13", "YYYY-MM"),
        case("month future", "month", "2999-01", "not in the future"),
        case("admin3 known", "admin3_pcode", "ML0405", "commune (admin3) P-code"),
        case("option of the question", "Q03", "PASSING", "an option of question Q03: one of NO, YES"),
        case("option list", "Q05", "MAYBE", "an option of question Q05"),
        case("question required", "Q15", "", "required"),
        case("organization required", "organization", "", "required"),
    ] {
        check(&c);
    }
}

#[test]
fn import_refuses_a_file_missing_a_required_column_and_names_it() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let header = VIOLATION_HEADER.replace(",victim_sex", "");
    let row = "V-9,I-9,2021-11-03,,,,ML040503,,,,C1,UNID_ARMED,ROAD,DAY,ADULT,TRADER,RESIDENT,DRC,";
    let file = scratch.write("nosex.csv", format!("{header}\n{row}\n").as_bytes());
    let out = scratch.import("violations", &file);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("nosex.csv: missing required column(s) victim_sex"), "{err}");
    assert_eq!(scratch.digest(), before);

    let file = scratch.write("noq.csv", format!("{}\n", RISK_HEADER.replace(",Q07", "")).as_bytes());
    let err = stderr(&scratch.import("risk", &file));
    assert!(err.contains("missing required column(s) Q07"), "{err}");
    assert_eq!(scratch.digest(), before);
}

#[test]
fn import_refuses_a_file_that_is_not_utf8_and_says_how_to_fix_it() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let mut bytes = violations_csv(&[VIOLATION_ROWS[0]]).into_bytes();
    // A Latin-1 "é" in the narrative of a new row on line 3.
    bytes.extend_from_slice(
        b"V-9,I-9,2021-11-03,,,,ML040503,,,,C1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,S\xe9gou\n",
    );
    let file = scratch.write("latin1.csv", &bytes);
    let out = scratch.import("violations", &file);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("latin1.csv, line 3, column `narrative`: the text is not UTF-8"), "{err}");
    assert!(err.contains("CSV UTF-8"), "{err}");
    assert_eq!(scratch.digest(), before);
}

#[test]
fn import_lists_every_error_up_to_the_cap_then_counts_the_rest() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    // 40 rows with two errors each: 80 errors, 50 listed.
    let rows: Vec<String> = (0..40)
        .map(|i| format!("W-{i},I-9,2021-11-03,,,,ML040503,,,,Z9,UNID_ARMED,ROAD,DAY,Q,ADULT,TRADER,RESIDENT,DRC,"))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let file = scratch.write("many.csv", violations_csv(&refs).as_bytes());
    let err = stderr(&scratch.import("violations", &file));
    assert_eq!(err.matches("many.csv, line").count(), 50, "{err}");
    assert!(err.contains("line 2, column `violation_code`: found `Z9`"), "{err}");
    assert!(err.contains("line 2, column `victim_sex`: found `Q`"), "{err}");
    assert!(err.contains("and 30 more errors"), "{err}");
    assert_eq!(scratch.digest(), before);
}

#[test]
fn an_import_of_several_files_writes_none_when_one_is_invalid() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let good = scratch.write("good.csv", violations_csv(&[BASE]).as_bytes());
    let bad = scratch.write(
        "bad.csv",
        violations_csv(&[&set(VIOLATION_HEADER, BASE, "violation_id", "V-10").replace("C1", "C99")]).as_bytes(),
    );
    let out = vigie(
        scratch.path(),
        &scratch.db(),
        &["import", "violations", good.to_str().expect("path"), bad.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.csv, line 2, column `violation_code`: found `C99`"), "{}", stderr(&out));
    assert_eq!(scratch.digest(), before);
}

/// Errors name the physical line a text editor shows, with LF or CRLF (Excel on Windows) line
/// ends, a BOM, blank lines and line breaks inside quoted cells before the bad row.
#[test]
fn errors_name_the_physical_line_whatever_the_line_ends() {
    let scratch = Scratch::new();
    let before = scratch.digest();
    let good = |id: &str, narrative: &str| {
        format!("{id},I-9,2021-11-03,,,,ML040503,,,,C1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,{narrative}")
    };
    let lines = [
        VIOLATION_HEADER.to_owned(),
        good("V-20", "\"Récit sur\ntrois\nlignes\""),
        String::new(),
        good("V-21", "court"),
        good("V-22", "x").replace("C1", "C99"),
        good("V-23", "\"deux\nlignes\""),
        good("V-24", "y").replace("ROAD", "NOWHERE"),
    ];
    // Physical lines: header 1, V-20 2-4, blank 5, V-21 6, V-22 7, V-23 8-9, V-24 10.
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let mut text = String::from("\u{feff}");
        for line in &lines {
            text.push_str(&line.replace('\n', end));
            text.push_str(end);
        }
        let file = scratch.write(name, text.as_bytes());
        let err = stderr(&scratch.import("violations", &file));
        assert!(err.contains(&format!("{name}, line 7, column `violation_code`: found `C99`")), "{err}");
        assert!(err.contains(&format!("{name}, line 10, column `place_code`: found `NOWHERE`")), "{err}");
        assert_eq!(err.matches(", line ").count(), 2, "{err}");
        assert_eq!(scratch.digest(), before);
    }
}
