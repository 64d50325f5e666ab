//! Export layouts beyond the round trip's: ODK Central's zip of CSV files (`-` paths, `KEY` and
//! `PARENT_KEY`, `,` separated), labels instead of choice names, a select_multiple exported only
//! as one 0/1 column per choice, and places given by name, alias and GPS point.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;

use vigie_core::Catalog;
use vigie_kobo::convert::convert;
use vigie_kobo::export::read_named;
use vigie_kobo::mapping::Mapping;
use vigie_place::Placer;

/// The converted violations as CSV rows (header first).
fn converted_rows(files: &[(PathBuf, String)]) -> (Vec<Vec<String>>, Vec<String>) {
    let catalog = Catalog::builtin();
    let placer = Placer::new(&catalog.geography).unwrap();
    let exports = read_named(files, &vigie_kobo::bounds::Limits::LOCAL).unwrap();
    assert_eq!(exports.len(), 1);
    let mut converted = convert(&exports[0], &Mapping::vigie(), catalog, &placer);
    assert!(converted.errors.is_empty(), "{:?}", converted.errors);
    let mut csv = Vec::new();
    converted.write_csv(&mut csv).unwrap();
    let rows =
        csv::Reader::from_reader(&csv[..]).records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    (rows, converted.warnings)
}

#[test]
fn an_odk_central_zip_with_labels_and_choice_columns_converts() {
    let dir = tempfile::tempdir().unwrap();
    let main = "SubmissionDate,start,end,incident-incident_date,incident-report_date,incident-admin1,incident-admin2,incident-admin3,\
incident-locality,incident-gps-Latitude,incident-gps-Longitude,incident-gps,incident-perpetrator,incident-place,incident-time_slot,\
incident-organization,incident-narrative,meta-instanceID,KEY,SubmitterID,ReviewState\n\
2021-11-05T10:00:00.000Z,2021-11-05T09:00:00.000Z,2021-11-05T09:30:00.000Z,2021-11-03,2021-11-05,Ségou,,Kala Siguida,,,,,\
Personnes armées non identifiées,ROAD,DAY,DRC,,uuid:odk-1,uuid:odk-1,5,\n\
2021-11-06T10:00:00.000Z,2021-11-06T09:00:00.000Z,2021-11-06T09:30:00.000Z,2021-11-04,,Timbuktu,,Timbuktu,,,,,\
UNID_ARMED,HOME,NIGHT,NRC,,uuid:odk-2,uuid:odk-2,5,\n\
2021-11-07T10:00:00.000Z,2021-11-07T09:00:00.000Z,2021-11-07T09:30:00.000Z,2021-11-04,,,,,Moussawel,,,,\
UNID_ARMED,HOME,NIGHT,NRC,,uuid:odk-3,uuid:odk-3,5,\n";
    // The victims: sex by its label, violations only as one 0/1 column per subtype.
    let victims = "victims-sex,victims-age_group,victims-occupation,victims-population,victims-violations/D1,victims-violations/E1,PARENT_KEY,KEY\n\
Femme,ADULT,TRADER,RESIDENT,1,1,uuid:odk-1,uuid:odk-1/victims[1]\n\
M,CHILD,FARMER,IDP,0,1,uuid:odk-1,uuid:odk-1/victims[2]\n\
Male,ELDER,HERDER,RETURNEE,1,0,uuid:odk-2,uuid:odk-2/victims[1]\n\
F,ADULT,FARMER,RESIDENT,1,0,uuid:odk-3,uuid:odk-3/victims[1]\n";
    let path = dir.path().join("vigie_violations.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [("vigie_violations.csv", main), ("vigie_violations-victims.csv", victims)] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();

    let (rows, warnings) = converted_rows(&[(path, "vigie_violations.zip".into())]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "vigie_violations:odk-1:1:D1",
            "vigie_violations:odk-1:1:E1",
            "vigie_violations:odk-1:2:E1",
            "vigie_violations:odk-2:1:D1",
            "vigie_violations:odk-3:1:D1"
        ]
    );
    // Ségou + Kala Siguida by name; Timbuktu by its English name (aliases); Moussawel, a
    // village, gives its commune and its coordinates.
    let commune: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(commune, ["ML040503", "ML040503", "ML040503", "ML060106", "ML050101"]);
    assert_eq!((rows[4][8].as_str(), rows[4][9].as_str()), ("14.66952", "-3.99699"));
    // Labels are codes: the perpetrator's French label, the victim's sex in either language.
    assert_eq!(rows[0][11], "UNID_ARMED");
    let sexes: Vec<&str> = rows.iter().map(|r| r[14].as_str()).collect();
    assert_eq!(sexes, ["F", "F", "M", "M", "F"]);
    assert_eq!(rows[0][1], "vigie_violations:odk-1", "the incident is the submission");
}

#[test]
fn a_kobo_csv_export_with_semicolons_and_a_disagreeing_gps_point_warns() {
    let dir = tempfile::tempdir().unwrap();
    // Bangassi (Kayes) by P-code, with a GPS point in Kidal: placed by the code, with a warning.
    let main = "incident/incident_date;incident/admin3;incident/gps;incident/perpetrator;incident/place;incident/time_slot;\
incident/organization;_uuid;_index\n\
2021-11-03;ML010101;18.44 1.41 0 0;UNID_ARMED;ROAD;DAY;DRC;k-1;1\n";
    let victims = "victims/sex;victims/age_group;victims/occupation;victims/population;victims/violations;_index;_parent_index\n\
F;ADULT;TRADER;RESIDENT;E1 D1 E1;1;1\n";
    std::fs::write(dir.path().join("main.csv"), main).unwrap();
    std::fs::write(dir.path().join("victims.csv"), victims).unwrap();
    let files = ["main.csv", "victims.csv"].map(|f| (dir.path().join(f), f.to_owned()));
    let (rows, warnings) = converted_rows(&files);
    assert_eq!(rows.len(), 2, "a subtype ticked twice is one violation");
    assert_eq!(rows[0][6], "ML010101");
    assert_eq!((rows[0][8].as_str(), rows[0][9].as_str()), ("18.44", "1.41"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("main.csv, sheet `main`, line 2: the GPS point lies in Kidal (ML080102)"),
        "{}",
        warnings[0]
    );
}
