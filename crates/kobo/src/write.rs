//! Violations written back as exports of Vigie's own form, laid out as KoBoToolbox writes them:
//! for the round-trip tests, the import benchmark and demonstrations (`vigie generate --kobo`).
//! Each incident is a submission; each violation a victim entry with its one subtype.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Workbook};
use vigie_core::records::ViolationColumn;
use vigie_core::{Catalog, ListKind};

use crate::KoboError;
use crate::form::{VICTIMS, VIGIE_FORM_ID, VIGIE_FORM_VERSION};

/// The export formats KoBo offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One workbook, the submissions' sheet then the victims' sheet; `separator` joins group
    /// paths (`/`, KoBo's default, or `.`).
    Xlsx { separator: char },
    /// `;`-separated submissions file, and the victims' file beside it.
    Csv,
    /// API v2 data pages of `page` submissions, one file each.
    Json { page: usize },
}

/// The submission fields of Vigie's form, in the incident group, by the violation column each
/// comes from.
const INCIDENT: [(&str, ViolationColumn); 8] = [
    ("incident_date", ViolationColumn::IncidentDate),
    ("report_date", ViolationColumn::ReportDate),
    ("admin1", ViolationColumn::Admin1),
    ("admin2", ViolationColumn::Admin2),
    ("admin3", ViolationColumn::Admin3),
    ("locality", ViolationColumn::Locality),
    ("organization", ViolationColumn::Organization),
    ("narrative", ViolationColumn::Narrative),
];

/// One submission: an incident's violations (exchange-format rows).
struct Submission<'a> {
    uuid: String,
    rows: Vec<&'a [String]>,
}

/// Groups rows (in [`ViolationColumn::all`] order, admin1 and admin2 filled) into submissions
/// by incident, in the order incidents first appear.
fn submissions(rows: &[Vec<String>]) -> Vec<Submission<'_>> {
    let incident = ViolationColumn::IncidentId.position();
    let mut order: Vec<Submission<'_>> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let i = *at.entry(row[incident].as_str()).or_insert_with(|| {
            let n = order.len() + 1;
            order.push(Submission { uuid: format!("{:08x}-0000-4000-8000-{:012x}", n >> 16, n), rows: Vec::new() });
            n - 1
        });
        order[i].rows.push(row);
    }
    order
}

fn cell(row: &[String], column: ViolationColumn) -> &str {
    &row[column.position()]
}

/// A geopoint as ODK writes it: `latitude longitude altitude accuracy`.
fn gps(row: &[String]) -> String {
    let (lat, lon) = (cell(row, ViolationColumn::Latitude), cell(row, ViolationColumn::Longitude));
    if lat.is_empty() { String::new() } else { format!("{lat} {lon} 0 0") }
}

/// Writes `rows` as an export of Vigie's form into `folder`; returns the files written. The
/// region and cercle are the commune's admin1 and admin2, the form's cascade.
pub fn write(
    catalog: &Catalog,
    rows: &[Vec<String>],
    format: Format,
    folder: &Path,
) -> Result<Vec<PathBuf>, KoboError> {
    let geography = &catalog.geography;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            if let Some(id) = geography.commune_by_pcode(cell(&row, ViolationColumn::Admin3)) {
                let commune = geography.commune(id);
                row[ViolationColumn::Admin1.position()] = geography.admin1[commune.admin1 as usize].pcode.clone();
                row[ViolationColumn::Admin2.position()] = geography.cercle_of(id).unit.pcode.clone();
            }
            row
        })
        .collect();
    let subtypes: Vec<String> = catalog.typology.subtypes.iter().map(|s| s.code.clone()).collect();
    let (rows, subtypes) = (&rows, &subtypes);
    let submissions = submissions(rows);
    match format {
        Format::Json { page } => write_json(&submissions, page.max(1), folder),
        Format::Csv => write_csv(&submissions, subtypes, folder),
        Format::Xlsx { separator } => write_xlsx(&submissions, subtypes, separator, folder),
    }
}

/// The submissions' sheet: header and rows, each cell a text or a date.
fn main_sheet(submissions: &[Submission<'_>], separator: char) -> (Vec<String>, Vec<Vec<String>>) {
    let path = |f: &str| format!("incident{separator}{f}");
    let mut header: Vec<String> = ["start", "end", "today"].map(str::to_owned).to_vec();
    let mut fields: Vec<String> = INCIDENT.iter().take(6).map(|(f, _)| path(f)).collect();
    fields.push(path("gps"));
    fields.extend(["latitude", "longitude", "altitude", "precision"].map(|p| path(&format!("_gps_{p}"))));
    fields.extend([ListKind::Perpetrator, ListKind::Place, ListKind::TimeSlot].map(|k| path(k.name())));
    fields.extend(INCIDENT.iter().skip(6).map(|(f, _)| path(f)));
    header.extend(fields);
    header.extend(
        [
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ]
        .map(str::to_owned),
    );
    let mut out = Vec::with_capacity(submissions.len());
    for (n, s) in submissions.iter().enumerate() {
        let first = s.rows[0];
        let date = cell(first, ViolationColumn::IncidentDate);
        let mut row = vec![format!("{date}T08:00:00.000+00:00"), format!("{date}T08:20:00.000+00:00"), date.to_owned()];
        row.extend(INCIDENT.iter().take(6).map(|(_, c)| cell(first, *c).to_owned()));
        let point = gps(first);
        row.push(point.clone());
        let mut parts = point.split(' ').map(str::to_owned).collect::<Vec<_>>();
        parts.resize(4, String::new());
        row.extend(parts);
        row.extend(
            [ListKind::Perpetrator, ListKind::Place, ListKind::TimeSlot]
                .map(|k| cell(first, ViolationColumn::Code(k)).to_owned()),
        );
        row.extend(INCIDENT.iter().skip(6).map(|(_, c)| cell(first, *c).to_owned()));
        row.extend([
            (100_000 + n).to_string(),
            s.uuid.clone(),
            format!("{date}T09:00:00"),
            String::new(),
            String::new(),
            "submitted_via_web".to_owned(),
            String::new(),
            VIGIE_FORM_VERSION.to_owned(),
            String::new(),
            (n + 1).to_string(),
        ]);
        out.push(row);
    }
    (header, out)
}

const VICTIM_LISTS: [ListKind; 4] = [ListKind::Sex, ListKind::AgeGroup, ListKind::Occupation, ListKind::Population];

/// The victims' sheet: one entry per violation, linked to its submission.
fn victims_sheet(
    submissions: &[Submission<'_>],
    subtypes: &[String],
    separator: char,
) -> (Vec<String>, Vec<Vec<String>>) {
    let path = |f: &str| format!("{VICTIMS}{separator}{f}");
    let mut header: Vec<String> = VICTIM_LISTS.iter().map(|k| path(k.name())).collect();
    header.push(path("violations"));
    header.extend(subtypes.iter().map(|s| format!("{VICTIMS}{separator}violations{separator}{s}")));
    header.extend(
        [
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
            "_submission__submission_time",
        ]
        .map(str::to_owned),
    );
    let mut out = Vec::new();
    for (n, s) in submissions.iter().enumerate() {
        for row in &s.rows {
            let subtype = cell(row, ViolationColumn::ViolationCode);
            let mut cells: Vec<String> =
                VICTIM_LISTS.iter().map(|k| cell(row, ViolationColumn::Code(*k)).to_owned()).collect();
            cells.push(subtype.to_owned());
            cells.extend(subtypes.iter().map(|s| if s == subtype { "1" } else { "0" }.to_owned()));
            let date = cell(row, ViolationColumn::IncidentDate);
            cells.extend([
                (out.len() + 1).to_string(),
                VIGIE_FORM_ID.to_owned(),
                (n + 1).to_string(),
                (100_000 + n).to_string(),
                s.uuid.clone(),
                format!("{date}T09:00:00"),
            ]);
            out.push(cells);
        }
    }
    (header, out)
}

fn write_csv(submissions: &[Submission<'_>], subtypes: &[String], folder: &Path) -> Result<Vec<PathBuf>, KoboError> {
    let mut files = Vec::new();
    for (name, (header, rows)) in [
        ("vigie_violations.csv", main_sheet(submissions, '/')),
        ("vigie_violations-victims.csv", victims_sheet(submissions, subtypes, '/')),
    ] {
        let path = folder.join(name);
        let error = |e: csv::Error| KoboError::Write { file: path.display().to_string(), message: e.to_string() };
        let mut writer = csv::WriterBuilder::new().delimiter(b';').from_path(&path).map_err(error)?;
        writer.write_record(&header).map_err(error)?;
        for row in rows {
            writer.write_record(&row).map_err(error)?;
        }
        writer.flush().map_err(|e| KoboError::Write { file: path.display().to_string(), message: e.to_string() })?;
        files.push(path);
    }
    Ok(files)
}

fn write_xlsx(
    submissions: &[Submission<'_>],
    subtypes: &[String],
    separator: char,
    folder: &Path,
) -> Result<Vec<PathBuf>, KoboError> {
    let path = folder.join("vigie_violations.xlsx");
    let error =
        |e: rust_xlsxwriter::XlsxError| KoboError::Write { file: path.display().to_string(), message: e.to_string() };
    let mut book = Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let sheets = [
        ("Protection monitoring", main_sheet(submissions, separator)),
        (VICTIMS, victims_sheet(submissions, subtypes, separator)),
    ];
    for (name, (header, rows)) in sheets {
        let ws = book.add_worksheet_with_constant_memory().map_err(error)?;
        ws.set_name(name).map_err(error)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h).map_err(error)?;
        }
        let dates: Vec<bool> =
            header.iter().map(|h| h.ends_with("incident_date") || h.ends_with("report_date") || h == "today").collect();
        let numbers: Vec<bool> = header
            .iter()
            .map(|h| {
                matches!(h.as_str(), "_id" | "_index" | "_parent_index" | "_submission__id")
                    || h.contains("violations") && h.len() > 20
            })
            .collect();
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                let col = c as u16;
                // KoBo writes dates as date cells and numbers as numbers.
                if dates[c]
                    && let Ok(d) = ExcelDateTime::parse_from_str(value)
                {
                    ws.write_datetime_with_format(r, col, &d, &date_format).map_err(error)?;
                } else if numbers[c]
                    && let Ok(n) = value.parse::<f64>()
                {
                    ws.write_number(r, col, n).map_err(error)?;
                } else {
                    ws.write_string(r, col, value).map_err(error)?;
                }
            }
        }
    }
    book.save(&path).map_err(error)?;
    Ok(vec![path])
}

fn write_json(submissions: &[Submission<'_>], page: usize, folder: &Path) -> Result<Vec<PathBuf>, KoboError> {
    let (header, rows) = main_sheet(submissions, '/');
    let (victim_header, victims) = victims_sheet(submissions, &[], '/');
    let parent = victim_header.iter().position(|h| h == "_parent_index").unwrap_or(0);
    let mut by_parent: HashMap<&str, Vec<&Vec<String>>> = HashMap::new();
    for v in &victims {
        by_parent.entry(v[parent].as_str()).or_default().push(v);
    }
    let pages = rows.chunks(page).count();
    let mut files = Vec::new();
    for (p, chunk) in rows.chunks(page).enumerate() {
        let url = |n: usize| {
            format!(
                "https://kf.kobotoolbox.org/api/v2/assets/aVigieForm/data/?format=json&limit={page}&start={}",
                n * page
            )
        };
        let results: Vec<serde_json::Value> = chunk
            .iter()
            .map(|row| {
                let mut object = serde_json::Map::new();
                for (h, v) in header.iter().zip(row) {
                    if !v.is_empty() && h != "_index" && !h.contains("_gps_") {
                        let value = if h == "_id" {
                            serde_json::json!(v.parse::<u64>().unwrap_or(0))
                        } else {
                            serde_json::json!(v)
                        };
                        object.insert(h.clone(), value);
                    }
                }
                object.insert("_xform_id_string".into(), serde_json::json!(VIGIE_FORM_ID));
                let index = row.last().map(String::as_str).unwrap_or_default();
                let entries: Vec<serde_json::Value> = by_parent
                    .get(index)
                    .into_iter()
                    .flatten()
                    .map(|v| {
                        let cells = victim_header.iter().zip(v.iter()).filter(|(h, _)| h.starts_with(VICTIMS));
                        serde_json::Value::Object(cells.map(|(h, v)| (h.clone(), serde_json::json!(v))).collect())
                    })
                    .collect();
                object.insert(VICTIMS.into(), serde_json::Value::Array(entries));
                serde_json::Value::Object(object)
            })
            .collect();
        let body = serde_json::json!({
            "count": rows.len(),
            "next": if p + 1 < pages { serde_json::json!(url(p + 1)) } else { serde_json::Value::Null },
            "previous": if p > 0 { serde_json::json!(url(p - 1)) } else { serde_json::Value::Null },
            "results": results,
        });
        let path = folder.join(format!("vigie_violations-page{}.json", p + 1));
        std::fs::write(&path, body.to_string())
            .map_err(|e| KoboError::Write { file: path.display().to_string(), message: e.to_string() })?;
        files.push(path);
    }
    Ok(files)
}
