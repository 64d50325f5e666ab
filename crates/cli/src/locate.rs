//! `vigie locate`: places every row of any CSV file, as the KoBo import does, and writes the rows
//! back with their P-codes, so an IM officer can place or check a partner's file before
//! importing it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use vigie_core::Catalog;
use vigie_place::{How, Placer, Query};

/// The columns placing reads, by what they mean; the first name a file has wins. Names compare
/// without case.
const INPUTS: [(&str, &[&str]); 6] = [
    ("admin1", &["admin1", "admin1_pcode", "admin1_name", "region"]),
    ("admin2", &["admin2", "admin2_pcode", "admin2_name", "cercle"]),
    ("admin3", &["admin3", "admin3_pcode", "admin3_name", "commune"]),
    ("locality", &["locality", "village"]),
    ("latitude", &["latitude", "lat"]),
    ("longitude", &["longitude", "lon", "lng"]),
];

/// The columns `locate` writes after the file's own (replacing any of the same name).
const OUTPUTS: [&str; 8] =
    ["admin1_pcode", "admin2_pcode", "admin3_pcode", "latitude", "longitude", "placed_by", "warning", "error"];

/// How many rows each way of placing placed, the warnings by kind, and the values that placed
/// nothing (what an IM officer would add to the aliases).
struct Summary {
    rows: u64,
    by: [(How, u64); 6],
    warnings: u64,
    kinds: std::collections::BTreeMap<&'static str, u64>,
    unplaced: std::collections::HashMap<(String, String), u64>,
    errors: u64,
}

pub fn run(catalog: &Catalog, file: &Path, out: Option<&Path>) -> Result<()> {
    let placer = Placer::new(&catalog.geography).context("the geography's gazetteer")?;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let separator = vigie_import::detect_delimiter(text.as_bytes());
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let find = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)));
    let columns: Vec<Option<usize>> = INPUTS.iter().map(|(_, names)| find(names)).collect();
    if columns.iter().all(Option::is_none) {
        let expected: Vec<&str> = INPUTS.iter().map(|(name, _)| *name).collect();
        bail!("{}: no column to place rows with: expected any of {}", file.display(), expected.join(", "));
    }
    // The file's own columns, but those `locate` writes.
    let kept: Vec<usize> =
        (0..header.len()).filter(|&i| !OUTPUTS.iter().any(|o| header[i].eq_ignore_ascii_case(o))).collect();

    let mut writer = csv::WriterBuilder::new().delimiter(separator).from_writer(match out {
        Some(path) => {
            Box::new(std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?)
                as Box<dyn Write>
        }
        None => Box::new(std::io::stdout().lock()),
    });
    writer.write_record(kept.iter().map(|&i| header[i].as_str()).chain(OUTPUTS))?;
    let mut summary = Summary {
        rows: 0,
        by: [How::Code, How::Name, How::Alias, How::Near, How::Gps, How::Locality].map(|how| (how, 0)),
        warnings: 0,
        kinds: Default::default(),
        unplaced: Default::default(),
        errors: 0,
    };
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.with_context(|| format!("{}: line {line}", file.display()))?;
        let cell = |k: usize| columns[k].and_then(|c| record.get(c)).map(str::trim).filter(|v| !v.is_empty());
        let mut out: Vec<String> = kept.iter().map(|&c| record.get(c).unwrap_or("").to_owned()).collect();
        summary.rows += 1;
        let point = match (cell(4), cell(5)) {
            (None, None) => None,
            (Some(lat), Some(lon)) => match (lat.replace(',', ".").parse(), lon.replace(',', ".").parse()) {
                (Ok(lat), Ok(lon)) => Some((lat, lon)),
                _ => {
                    summary.errors += 1;
                    let error = format!("`{lat}`, `{lon}` are not decimal degrees");
                    eprintln!("{}: line {line}: column latitude/longitude: {error}", file.display());
                    out.extend(["", "", "", lat, lon, "", ""].map(str::to_owned));
                    out.push(error);
                    writer.write_record(out.iter().map(|c| vigie_core::spreadsheet::guard_text(c).into_owned()))?;
                    continue;
                }
            },
            _ => None,
        };
        let query = Query { admin1: cell(0), admin2: cell(1), admin3: cell(2), locality: cell(3), point };
        match placer.place(&query) {
            Ok(placed) => {
                out.extend(placer.pcodes(placed.commune).map(str::to_owned));
                let (lat, lon) =
                    placed.point.map_or((String::new(), String::new()), |(a, o)| (a.to_string(), o.to_string()));
                out.extend([lat, lon, placed.how.as_str().to_owned()]);
                let warnings: Vec<String> = placed.warnings.iter().map(ToString::to_string).collect();
                for warning in &placed.warnings {
                    *summary.kinds.entry(warning.kind()).or_default() += 1;
                }
                if !warnings.is_empty() {
                    summary.warnings += 1;
                    eprintln!("{}: line {line}: warning: {}", file.display(), warnings.join("; "));
                }
                out.extend([warnings.join("; "), String::new()]);
                if let Some(entry) = summary.by.iter_mut().find(|(how, _)| *how == placed.how) {
                    entry.1 += 1;
                }
            }
            Err(e) => {
                summary.errors += 1;
                let named = |field: &'static str| -> String {
                    let column = INPUTS.iter().position(|(name, _)| *name == field).and_then(|k| columns[k]);
                    column.map_or(field, |c| header[c].as_str()).to_owned()
                };
                let column = match e.field() {
                    "gps" => format!("{}/{}", named("latitude"), named("longitude")),
                    field => named(field),
                };
                let value = e.value();
                *summary.unplaced.entry((column.clone(), value.clone())).or_default() += 1;
                let value = if value.is_empty() { String::new() } else { format!(", value `{value}`") };
                eprintln!("{}: line {line}: column {column}{value}: {e}", file.display());
                out.extend(["", "", "", cell(4).unwrap_or(""), cell(5).unwrap_or(""), "", ""].map(str::to_owned));
                out.push(e.to_string());
            }
        }
        writer.write_record(out.iter().map(|c| vigie_core::spreadsheet::guard_text(c).into_owned()))?;
    }
    writer.flush()?;
    let by: Vec<String> =
        summary.by.iter().filter(|(_, n)| *n > 0).map(|(how, n)| format!("{n} by {}", how.as_str())).collect();
    eprintln!(
        "{} rows: {} placed ({}), {} with a warning, {} not placed",
        summary.rows,
        summary.rows - summary.errors,
        if by.is_empty() { "none".to_owned() } else { by.join(", ") },
        summary.warnings,
        summary.errors
    );
    for (kind, n) in &summary.kinds {
        eprintln!("  {n} {kind}");
    }
    if !summary.unplaced.is_empty() {
        let mut unplaced: Vec<_> = summary.unplaced.iter().collect();
        unplaced.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        eprintln!("most frequent values that placed nothing (an alias would place them):");
        for ((column, value), n) in unplaced.iter().take(10) {
            eprintln!("  {n} × {column} `{value}`");
        }
    }
    if summary.errors > 0 {
        bail!(
            "{} of {} rows could not be placed: see the `error` column and the lines above",
            summary.errors,
            summary.rows
        );
    }
    Ok(())
}
