//! An export, through a mapping, into violations in the exchange format: one violation per
//! submission, victim (repeat entry) and subtype, placed like `vigie locate`.

use std::collections::HashMap;
use std::fmt;

use vigie_core::records::ViolationColumn;
use vigie_core::{Catalog, ListKind};
use vigie_place::{Placer, Query, fold};

use crate::export::Export;
use crate::mapping::{Mapping, coded};
use crate::table::Sheet;

/// One broken rule in an export, located to the sheet, line and form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoboRowError {
    pub file: String,
    pub sheet: String,
    pub line: u64,
    pub field: String,
    pub value: String,
    pub expected: String,
    /// The import's rule broken, when it was one (the pages say it in the reader's language).
    pub rule: Option<vigie_core::Rule>,
}

impl fmt::Display for KoboRowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = if self.value.is_empty() { "nothing".to_owned() } else { format!("`{}`", self.value) };
        write!(
            f,
            "{}, sheet `{}`, line {}, field `{}`: found {found}, expected {}",
            self.file, self.sheet, self.line, self.field, self.expected
        )
    }
}

/// Where a target's value comes from.
#[derive(Debug, Clone)]
enum Source {
    /// A column of the submissions' sheet.
    Main(usize),
    /// A column of the victims' repeat sheet.
    Entry(usize),
    /// A select_multiple exported only as one 0/1 column per choice, on either sheet.
    Choices {
        entry: bool,
        columns: Vec<(usize, String)>,
    },
    Constant(String),
    Absent,
}

/// Violations converted from one export, with where each came from, to locate the import's own
/// errors in the export.
pub struct Converted {
    /// The violations as an exchange-format CSV file, header included: held as text, a large
    /// export's rows take a tenth of the memory they would as cells.
    csv: csv::Writer<Vec<u8>>,
    /// Each row's first line in the CSV text, and where it came from.
    origins: Vec<(u64, Origin)>,
    /// The CSV line the next row starts on.
    next_line: u64,
    /// Per exchange column: the form field and whether it is read on the victims' sheet.
    fields: Vec<(String, bool)>,
    /// The file and sheet of the submissions, then of the victims.
    main_sheet: (String, String),
    entry_sheet: (String, String),
    /// Every submission's id: what `--sync` keeps.
    pub submission_ids: Vec<String>,
    pub warnings: Vec<String>,
    pub errors: Vec<KoboRowError>,
}

#[derive(Debug, Clone, Copy)]
struct Origin {
    main: u64,
    entry: u64,
}

impl Converted {
    /// The export's place of an error the import found at `line` of the converted CSV text, in
    /// column `column`.
    pub fn locate(&self, error: vigie_import::RowError) -> KoboRowError {
        let vigie_import::RowError { line, column, value, expected, rule, .. } = error;
        let at = ViolationColumn::all().position(|c| c.name() == column);
        let (field, entry) = at.and_then(|i| self.fields.get(i)).cloned().unwrap_or_else(|| (column.clone(), false));
        let row = self.origins.partition_point(|(first, _)| *first <= line).saturating_sub(1);
        let origin = self.origins.get(row).map_or(Origin { main: 0, entry: 0 }, |(_, o)| *o);
        let ((file, sheet), line) =
            if entry { (self.entry_sheet.clone(), origin.entry) } else { (self.main_sheet.clone(), origin.main) };
        KoboRowError { file, sheet, line, field, value, expected, rule }
    }
}

/// The column of `sheet` holding form field `field`: its name alone or after a group path
/// (`incident/admin3`, `incident.admin3`, ODK Central's `incident-admin3`); the shortest wins.
pub fn find_column(sheet: &Sheet, field: &str) -> Option<usize> {
    let ends = |h: &str| {
        h == field || h.strip_suffix(field).is_some_and(|p| p.ends_with('/') || p.ends_with('.') || p.ends_with('-'))
    };
    (0..sheet.header.len()).filter(|&i| ends(&sheet.header[i])).min_by_key(|&i| sheet.header[i].len())
}

/// A select_multiple's one-column-per-choice form: `<path>/<choice>` columns whose path ends
/// with the field.
fn choice_columns(sheet: &Sheet, field: &str) -> Vec<(usize, String)> {
    (0..sheet.header.len())
        .filter_map(|i| {
            let h = &sheet.header[i];
            let cut = h.rfind(['/', '.'])?;
            let (path, choice) = (&h[..cut], &h[cut + 1..]);
            let inside = path == field
                || path.strip_suffix(field).is_some_and(|p| p.ends_with('/') || p.ends_with('.') || p.ends_with('-'));
            inside.then(|| (i, choice.to_owned()))
        })
        .collect()
}

/// Choice names and labels → codes, for one coded target.
struct Coder {
    codes: HashMap<String, String>,
}

impl Coder {
    fn new(
        catalog: &Catalog,
        list: Option<ListKind>,
        table: Option<&std::collections::BTreeMap<String, String>>,
    ) -> Coder {
        let mut codes = HashMap::new();
        let entries: Vec<(&str, &vigie_core::reference::Label)> = match list {
            None => catalog.typology.subtypes.iter().map(|s| (s.code.as_str(), &s.label)).collect(),
            Some(kind) => catalog.lists.get(kind).codes.iter().map(|c| (c.code.as_str(), &c.label)).collect(),
        };
        for (code, label) in &entries {
            for text in label.texts() {
                codes.insert(fold(text), (*code).to_owned());
                // Vigie's form labels a subtype `A1 — …`: an export of labels reads the same.
                codes.insert(fold(&format!("{code} — {text}")), (*code).to_owned());
            }
        }
        for (code, _) in &entries {
            codes.insert(fold(code), (*code).to_owned());
        }
        for (choice, code) in table.into_iter().flatten() {
            codes.insert(fold(choice), code.clone());
        }
        Coder { codes }
    }

    fn code(&self, value: &str) -> Option<&str> {
        self.codes.get(&fold(value)).map(String::as_str)
    }
}

/// The file a sheet is in: its own (an export of several CSV files), else the export's.
fn file_of(export: &Export, sheet: &Sheet) -> String {
    if sheet.file.is_empty() { export.file.clone() } else { sheet.file.clone() }
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Converts an export. Rows that cannot be converted are errors; the rows that could are
/// returned too, so the import's own rules check them in the same pass.
pub fn convert(export: &Export, mapping: &Mapping, catalog: &Catalog, placer: &Placer<'_>) -> Converted {
    let main = &export.main;
    let field = |target: &str| mapping.fields.get(target).map(String::as_str);
    // The victims' sheet: the one the mapping names, else the repeat holding a victim field.
    let entries = match field("victims") {
        Some(group) => export.repeats.iter().find(|s| s.name == group || s.name.ends_with(group)),
        None => export.repeats.iter().find(|s| {
            ["violation_code", "victim_sex"].iter().any(|t| field(t).is_some_and(|f| find_column(s, f).is_some()))
        }),
    };
    let source = |target: &str| -> Source {
        if let Some(value) = mapping.constants.get(target) {
            return Source::Constant(value.clone());
        }
        let Some(f) = field(target) else { return Source::Absent };
        if let Some(c) = entries.and_then(|s| find_column(s, f)) {
            return Source::Entry(c);
        }
        if let Some(c) = find_column(main, f) {
            return Source::Main(c);
        }
        for (sheet, entry) in [(entries, true), (Some(main), false)] {
            let columns = sheet.map(|s| choice_columns(s, f)).unwrap_or_default();
            if !columns.is_empty() {
                return Source::Choices { entry, columns };
            }
        }
        Source::Absent
    };
    let mut converted = Converted {
        csv: csv::Writer::from_writer(Vec::new()),
        origins: Vec::new(),
        next_line: 2,
        fields: Vec::new(),
        main_sheet: (file_of(export, main), main.name.clone()),
        entry_sheet: entries
            .map_or_else(|| (file_of(export, main), main.name.clone()), |s| (file_of(export, s), s.name.clone())),
        submission_ids: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let _ = converted.csv.write_record(ViolationColumn::all().map(|c| c.name()));
    let main_error = |row: usize, field: &str, value: &str, expected: &str| KoboRowError {
        file: file_of(export, main),
        sheet: main.name.clone(),
        line: Sheet::line(row),
        field: field.to_owned(),
        value: value.to_owned(),
        expected: expected.to_owned(),
        rule: None,
    };

    // The submission's id: the mapping's, else the tools' stable ids, most stable first.
    let id_column = match field("submission_id") {
        Some(f) => find_column(main, f),
        None => ["rootUuid", "_uuid", "KEY", "instanceID"].iter().find_map(|f| find_column(main, f)),
    };
    let Some(id_column) = id_column else {
        converted.errors.push(main_error(
            0,
            field("submission_id").unwrap_or("_uuid"),
            "",
            "a column of submission ids (`_uuid`, `KEY` or `meta/instanceID`)",
        ));
        return converted;
    };
    let form = &mapping.form.id;

    // Each target's source, and the exchange columns' fields for locating the import's errors.
    let targets: HashMap<&str, Source> = crate::mapping::TARGETS.iter().map(|(t, _)| (*t, source(t))).collect();
    for column in ViolationColumn::all() {
        let target = match column {
            ViolationColumn::ViolationId | ViolationColumn::IncidentId => "submission_id",
            ViolationColumn::Admin1 | ViolationColumn::Admin2 | ViolationColumn::Admin3 => "admin3",
            ViolationColumn::Latitude | ViolationColumn::Longitude => "gps",
            other => other.name(),
        };
        let entry = matches!(targets.get(target), Some(Source::Entry(_) | Source::Choices { entry: true, .. }));
        let name = if target == "submission_id" {
            main.header[id_column].clone()
        } else {
            field(target).unwrap_or(target).to_owned()
        };
        converted.fields.push((name, entry));
    }
    for required in ["incident_date", "violation_code", "organization"] {
        if matches!(targets[required], Source::Absent) {
            let f = field(required).unwrap_or(required);
            converted.errors.push(main_error(
                0,
                f,
                "",
                &format!("a column for `{required}`: map it in the mapping's [fields] or [constants]"),
            ));
        }
    }
    if !converted.errors.is_empty() {
        return converted;
    }

    // Repeat entries by the submission they belong to, in their order.
    let mut by_parent: HashMap<&str, Vec<usize>> = HashMap::new();
    let link = entries.and_then(|s| {
        let parent = s
            .column("_parent_index")
            .map(|p| (p, main.column("_index")))
            .or_else(|| s.column("PARENT_KEY").map(|p| (p, main.column("KEY"))))?;
        Some((s, parent.0, parent.1?))
    });
    if let Some((sheet, parent, _)) = link {
        for (j, row) in sheet.rows.iter().enumerate() {
            by_parent.entry(&row[parent]).or_default().push(j);
        }
    }
    let coders: HashMap<&str, Coder> = crate::mapping::TARGETS
        .iter()
        .filter_map(|(t, _)| Some((*t, Coder::new(catalog, coded(t)?, mapping.choices.get(*t)))))
        .collect();

    for (i, row) in main.rows.iter().enumerate() {
        if row.is_blank() {
            continue;
        }
        let sid = row[id_column].trim();
        let sid = sid.strip_prefix("uuid:").unwrap_or(sid);
        if sid.is_empty() {
            converted.errors.push(main_error(i, &main.header[id_column], "", "the submission's id"));
            continue;
        }
        converted.submission_ids.push(sid.to_owned());
        let entry_rows: Vec<Option<usize>> = match link {
            Some((_, _, key)) => {
                by_parent.get(&row[key]).map(|e| e.iter().map(|&j| Some(j)).collect()).unwrap_or_default()
            }
            None => vec![None],
        };
        if entry_rows.is_empty() {
            converted.warnings.push(format!(
                "{}, sheet `{}`, line {}: submission {sid} has no victims: no violation",
                file_of(export, main),
                main.name,
                Sheet::line(i)
            ));
            continue;
        }
        // Where the submission is: placed once for all its violations.
        let value = |target: &str, entry: Option<usize>| -> String {
            let entry_row = entry.and_then(|j| entries.map(|s| &s.rows[j]));
            let cell = match &targets[target] {
                Source::Main(c) => &row[*c],
                Source::Entry(c) => entry_row.map_or("", |r| &r[*c]),
                Source::Constant(v) => v.as_str(),
                Source::Absent => "",
                Source::Choices { entry, columns } => {
                    let cells = if *entry { entry_row } else { Some(row) };
                    let picked: Vec<&str> = columns
                        .iter()
                        .filter(|(c, _)| {
                            cells.is_some_and(|r| matches!(r[*c].trim(), "1" | "1.0" | "true" | "True" | "TRUE"))
                        })
                        .map(|(_, choice)| choice.as_str())
                        .collect();
                    return picked.join(" ");
                }
            };
            cell.trim().to_owned()
        };
        let first = entry_rows[0];
        // A choice the mapping gives a P-code for is that P-code.
        let place = |target: &str| {
            let v = value(target, first);
            let table = mapping.choices.get(target);
            table
                .and_then(|t| t.get(&v).or_else(|| t.iter().find(|(k, _)| fold(k) == fold(&v)).map(|(_, p)| p)))
                .cloned()
                .unwrap_or(v)
        };
        let (admin1, admin2, admin3, locality) =
            (place("admin1"), place("admin2"), place("admin3"), value("locality", first));
        let (gps, lat, lon) = (value("gps", first), value("latitude", first), value("longitude", first));
        let point = if !gps.is_empty() {
            let mut parts = gps.split_whitespace().map(str::parse::<f64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(lat)), Some(Ok(lon))) => Some((lat, lon)),
                _ => {
                    converted.errors.push(main_error(
                        i,
                        field("gps").unwrap_or("gps"),
                        &gps,
                        "a geopoint: `latitude longitude [altitude accuracy]`",
                    ));
                    continue;
                }
            }
        } else if !lat.is_empty() || !lon.is_empty() {
            match (lat.replace(',', ".").parse::<f64>(), lon.replace(',', ".").parse::<f64>()) {
                (Ok(lat), Ok(lon)) => Some((lat, lon)),
                _ => {
                    converted.errors.push(main_error(
                        i,
                        field("latitude").unwrap_or("latitude"),
                        &format!("{lat} {lon}"),
                        "decimal degrees",
                    ));
                    continue;
                }
            }
        } else {
            None
        };
        let query = Query {
            admin1: nonempty(&admin1),
            admin2: nonempty(&admin2),
            admin3: nonempty(&admin3),
            locality: nonempty(&locality),
            point,
        };
        let placed = match placer.place(&query) {
            Ok(placed) => placed,
            Err(e) => {
                let target = e.field();
                let entry = matches!(targets.get(target), Some(Source::Entry(_)));
                let ((file, sheet), line) = match (entry, first) {
                    (true, Some(j)) => (converted.entry_sheet.clone(), Sheet::line(j)),
                    _ => (converted.main_sheet.clone(), Sheet::line(i)),
                };
                let value = if e.value().is_empty() { admin3.clone() } else { e.value() };
                converted.errors.push(KoboRowError {
                    file,
                    sheet,
                    line,
                    field: field(target).unwrap_or(target).to_owned(),
                    value,
                    expected: e.to_string(),
                    // Said in the reader's language by the pages; the English words say why.
                    rule: Some(vigie_core::Rule::Commune),
                });
                continue;
            }
        };
        for w in &placed.warnings {
            converted.warnings.push(format!(
                "{}, sheet `{}`, line {}: {w}",
                file_of(export, main),
                main.name,
                Sheet::line(i)
            ));
        }
        let [_, _, commune] = placer.pcodes(placed.commune);
        let (latitude, longitude) =
            placed.point.map_or((String::new(), String::new()), |(a, o)| (a.to_string(), o.to_string()));
        let date = |target: &str, entry| {
            let v = value(target, entry);
            // A date-time (KoBo's `start`, an ISO timestamp) counts by its day.
            if v.len() > 10 && v.as_bytes()[4] == b'-' && v.is_char_boundary(10) { v[..10].to_owned() } else { v }
        };

        for (n, &entry) in entry_rows.iter().enumerate() {
            let origin = Origin { main: Sheet::line(i), entry: entry.map_or(Sheet::line(i), Sheet::line) };
            let raw = value("violation_code", entry);
            let separator = if raw.contains(';') { ';' } else { ' ' };
            let mut subtypes: Vec<String> = Vec::new();
            let parts: Vec<&str> = if separator == ';' {
                raw.split(';').map(str::trim).collect()
            } else {
                raw.split_whitespace().collect()
            };
            let coder = &coders["violation_code"];
            for part in parts.into_iter().filter(|p| !p.is_empty()) {
                match coder.code(part) {
                    Some(code) if !subtypes.iter().any(|s| s == code) => subtypes.push(code.to_owned()),
                    Some(_) => {}
                    // The import names the value and what was expected.
                    None => subtypes.push(part.to_owned()),
                }
            }
            if subtypes.is_empty() {
                // No violation for this victim: the import says the field is required.
                subtypes.push(String::new());
            }
            for subtype in subtypes {
                let mut out = Vec::with_capacity(ViolationColumn::all().count());
                for column in ViolationColumn::all() {
                    out.push(match column {
                        ViolationColumn::ViolationId => format!("{form}:{sid}:{}:{subtype}", n + 1),
                        ViolationColumn::IncidentId => format!("{form}:{sid}"),
                        ViolationColumn::IncidentDate => date("incident_date", entry),
                        ViolationColumn::ReportDate => date("report_date", entry),
                        ViolationColumn::Admin1 | ViolationColumn::Admin2 => String::new(),
                        ViolationColumn::Admin3 => commune.to_owned(),
                        ViolationColumn::Locality => locality.clone(),
                        ViolationColumn::Latitude => latitude.clone(),
                        ViolationColumn::Longitude => longitude.clone(),
                        ViolationColumn::ViolationCode => subtype.clone(),
                        ViolationColumn::Code(kind) => {
                            let v = value(kind.column(), entry);
                            coders[kind.column()].code(&v).map_or(v, str::to_owned)
                        }
                        ViolationColumn::Organization => value("organization", entry),
                        ViolationColumn::Narrative => value("narrative", entry),
                    });
                }
                // Guarded as Vigie's downloads are: the import removes the guard.
                let guarded = out.iter().map(|c| vigie_core::spreadsheet::guard_text(c));
                if converted.csv.write_record(guarded.map(|c| c.into_owned())).is_ok() {
                    // A narrative may hold line breaks: the import names a row by its first line.
                    converted.origins.push((converted.next_line, origin));
                    converted.next_line += 1 + out.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
                }
            }
        }
    }
    converted
}

impl Converted {
    /// The rows as an exchange-format `violations.csv`, for the import.
    pub fn write_csv(&mut self, mut out: impl std::io::Write) -> std::io::Result<()> {
        self.csv.flush()?;
        out.write_all(self.csv.get_ref())?;
        out.flush()
    }
}
