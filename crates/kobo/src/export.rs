//! A form's exported submissions, whatever the tool and format: KoBo XLSX (one sheet per repeat
//! group), KoBo and ODK Central CSV (repeats in their own files), KoBo API v2 JSON pages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::KoboError;
use crate::bounds::{Limits, check_archive, check_file};
use crate::table::{Sheet, read_csv, read_xlsx};

/// One export: the submissions (`main`, one row each) and the repeat groups' entries, each
/// sheet linked to its parent row by `_parent_index` → `_index` (KoBo) or `PARENT_KEY` → `KEY`
/// (ODK Central).
#[derive(Debug, Clone)]
pub struct Export {
    /// The file(s) it was read from, for messages and the import's batch.
    pub file: String,
    pub main: Sheet,
    pub repeats: Vec<Sheet>,
}

/// Whether a sheet holds a repeat group's entries.
fn is_repeat(sheet: &Sheet) -> bool {
    sheet.column("_parent_index").is_some() || sheet.column("PARENT_KEY").is_some()
}

/// Reads export files, each named in messages by its path.
pub fn read(paths: &[PathBuf], limits: &Limits) -> Result<Vec<Export>, KoboError> {
    let named: Vec<(PathBuf, String)> = paths.iter().map(|p| (p.clone(), p.display().to_string())).collect();
    read_named(&named, limits)
}

/// Reads export files, each read from its path and named in messages by its name (an upload is
/// read from a temporary file). A workbook or an API JSON file is one export; CSV files are one
/// export together: the one without a parent column holds the submissions, the others their
/// repeats. Each is read within `limits`: an archive is checked before it is read.
pub fn read_named(files: &[(PathBuf, String)], limits: &Limits) -> Result<Vec<Export>, KoboError> {
    let mut exports = Vec::new();
    let mut csv_sheets = Vec::new();
    let mut csv_files = Vec::new();
    for (path, name) in files {
        let file = name.clone();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        let bytes = || {
            check_file(&file, path, limits)?;
            std::fs::read(path).map_err(|e| KoboError::Read { file: file.clone(), message: e.to_string() })
        };
        if matches!(extension.as_str(), "xlsx" | "zip") {
            check_archive(&file, path, limits)?;
        }
        match extension.as_str() {
            "xlsx" => {
                let (mut main, repeats): (Vec<Sheet>, Vec<Sheet>) =
                    read_xlsx(path, true).map_err(|e| e.named(&file))?.into_iter().partition(|s| !is_repeat(s));
                if main.is_empty() {
                    return Err(KoboError::Read { file, message: "no sheet of submissions".into() });
                }
                exports.push(Export { file, main: main.swap_remove(0), repeats });
            }
            "csv" => {
                csv_sheets.push(read_csv(&file, &bytes()?)?);
                csv_files.push(file);
            }
            "json" => exports.push(read_json(&file, &bytes()?)?),
            // ODK Central's "CSV files (.zip)": the submissions' file and one per repeat group.
            "zip" => {
                let sheets = read_zip(
                    &file,
                    &std::fs::read(path).map_err(|e| KoboError::Read { file: file.clone(), message: e.to_string() })?,
                )?;
                exports.push(csv_export(file.clone(), sheets)?);
            }
            _ => {
                return Err(KoboError::Read {
                    file,
                    message:
                        "expected a KoBo or ODK export: .xlsx, .csv, ODK Central's .zip of CSV files or KoBo API .json"
                            .into(),
                });
            }
        }
    }
    if !csv_sheets.is_empty() {
        exports.push(csv_export(csv_files.join(", "), csv_sheets)?);
    }
    Ok(exports)
}

/// CSV sheets as one export: the one without a parent column holds the submissions.
fn csv_export(file: String, sheets: Vec<Sheet>) -> Result<Export, KoboError> {
    let (mut main, repeats): (Vec<Sheet>, Vec<Sheet>) = sheets.into_iter().partition(|s| !is_repeat(s));
    if main.len() != 1 {
        return Err(KoboError::Read {
            file,
            message: format!(
                "{} CSV files of submissions: import each form's export on its own, its repeat groups' files with it",
                main.len()
            ),
        });
    }
    let main = main.swap_remove(0);
    // The export is named after its submissions' file; each sheet keeps its own.
    let file = if main.file.is_empty() { file } else { main.file.clone() };
    Ok(Export { file, main, repeats })
}

/// Every CSV file of a zip archive, as sheets named after the files.
fn read_zip(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, KoboError> {
    use std::io::Read;
    let error = |message: String| KoboError::Read { file: file.to_owned(), message };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| error(format!("not a zip archive: {e}")))?;
    let mut sheets = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| error(e.to_string()))?;
        let name = entry.name().to_owned();
        if !name.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        let mut text = Vec::new();
        entry.read_to_end(&mut text).map_err(|e| error(format!("{name}: {e}")))?;
        sheets.push(read_csv(&format!("{file}/{name}"), &text)?);
    }
    if sheets.is_empty() {
        return Err(error("no CSV file in the archive".into()));
    }
    Ok(sheets)
}

/// A KoBo API v2 data file: one page (`{"count", "next", "results": [...]}`), a list of pages,
/// or a bare list of submissions. A repeat group is a list of objects in its submission.
pub fn read_json(file: &str, bytes: &[u8]) -> Result<Export, KoboError> {
    let error = |message: String| KoboError::Read { file: file.to_owned(), message };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| error(format!("not JSON: {e}")))?;
    let mut submissions = Vec::new();
    let mut take_page = |page: &serde_json::Value| -> Result<(), KoboError> {
        match page {
            serde_json::Value::Object(o) if o.contains_key("results") => {
                let results = o["results"].as_array().ok_or_else(|| error("`results` is not a list".into()))?;
                submissions.extend(results.iter().cloned());
            }
            serde_json::Value::Object(_) => submissions.push(page.clone()),
            _ => return Err(error("expected KoBo API pages (objects with `results`) or submissions".into())),
        }
        Ok(())
    };
    match &value {
        serde_json::Value::Array(items) => items.iter().try_for_each(&mut take_page)?,
        page => take_page(page)?,
    }
    let mut main = Builder::new(Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file));
    let mut repeats: Vec<Builder> = Vec::new();
    for (i, submission) in submissions.iter().enumerate() {
        let serde_json::Value::Object(fields) = submission else {
            return Err(error(format!("submission {} is not an object", i + 1)));
        };
        let index = (i + 1).to_string();
        let mut row = vec![("_index".to_owned(), index.clone())];
        for (key, value) in fields {
            match value {
                serde_json::Value::Array(entries)
                    if entries.iter().all(serde_json::Value::is_object) && !key.starts_with('_') =>
                {
                    let group = key.rsplit('/').next().unwrap_or(key);
                    let at = match repeats.iter().position(|r| r.sheet.name == group) {
                        Some(at) => at,
                        None => {
                            repeats.push(Builder::new(group));
                            repeats.len() - 1
                        }
                    };
                    for entry in entries.iter().filter_map(serde_json::Value::as_object) {
                        let mut cells = vec![("_parent_index".to_owned(), index.clone())];
                        cells.extend(entry.iter().filter_map(|(k, v)| Some((k.clone(), scalar(v)?))));
                        repeats[at].push(cells);
                    }
                }
                other => {
                    if let Some(text) = scalar(other) {
                        row.push((key.clone(), text));
                    }
                }
            }
        }
        main.push(row);
    }
    Ok(Export { file: file.to_owned(), main: main.sheet, repeats: repeats.into_iter().map(|r| r.sheet).collect() })
}

/// A JSON value as a cell: text, numbers and booleans as written; lists and objects are not cells.
fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A sheet built from rows of named cells, its columns in order of first appearance.
struct Builder {
    sheet: Sheet,
    columns: HashMap<String, usize>,
}

impl Builder {
    fn new(name: &str) -> Builder {
        Builder { sheet: Sheet::new(name, Vec::new()), columns: HashMap::new() }
    }

    fn push(&mut self, cells: Vec<(String, String)>) {
        let mut row = vec![String::new(); self.sheet.header.len()];
        for (name, value) in cells {
            let at = *self.columns.entry(name.clone()).or_insert_with(|| {
                self.sheet.header.push(name);
                self.sheet.header.len() - 1
            });
            if at >= row.len() {
                row.resize(at + 1, String::new());
            }
            row[at] = value;
        }
        // Rows read before a later column appeared are shorter: their missing cells are empty.
        self.sheet.push(row);
    }
}
