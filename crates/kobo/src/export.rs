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
                    read_xlsx(path, true, limits).map_err(|e| e.named(&file))?.into_iter().partition(|s| !is_repeat(s));
                if main.is_empty() {
                    return Err(KoboError::Read { file, message: "no sheet of submissions".into() });
                }
                exports.push(Export { file, main: main.swap_remove(0), repeats });
            }
            "csv" => {
                csv_sheets.push(read_csv(&file, &bytes()?, limits)?);
                csv_files.push(file);
            }
            "json" => exports.push(read_json(&file, &bytes()?, limits)?),
            // ODK Central's "CSV files (.zip)": the submissions' file and one per repeat group.
            "zip" => {
                let sheets = read_zip(
                    &file,
                    &std::fs::read(path).map_err(|e| KoboError::Read { file: file.clone(), message: e.to_string() })?,
                    limits,
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
fn read_zip(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, KoboError> {
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
        sheets.push(read_csv(&format!("{file}/{name}"), &text, limits)?);
    }
    if sheets.is_empty() {
        return Err(error("no CSV file in the archive".into()));
    }
    Ok(sheets)
}

/// A KoBo API v2 data file: one page (`{"count", "next", "results": [...]}`), a list of pages,
/// or a bare list of submissions. A repeat group is a list of objects in its submission.
///
/// Read as it is parsed, one submission at a time, into at most `limits.rows` rows a sheet: a
/// JSON tree costs a hundred times its text when its values are small (a 45 MB file of `{"a":1}`
/// took 8 GB that way).
pub fn read_json(file: &str, bytes: &[u8], limits: &Limits) -> Result<Export, KoboError> {
    let mut sink = Submissions {
        main: Builder::new(Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file)),
        repeats: Vec::new(),
        count: 0,
        rows: limits.rows,
        refused: None,
    };
    let mut parser = serde_json::Deserializer::from_slice(bytes);
    let read = serde::de::DeserializeSeed::deserialize(json::Top(&mut sink), &mut parser).and_then(|()| parser.end());
    if let Some(refused) = sink.refused.take() {
        return Err(refused.named(file));
    }
    read.map_err(|e| KoboError::Read { file: file.to_owned(), message: e.to_string() })?;
    let Submissions { main, repeats, .. } = sink;
    Ok(Export { file: file.to_owned(), main: main.sheet, repeats: repeats.into_iter().map(|r| r.sheet).collect() })
}

/// Where a JSON export's submissions go, as they are read.
struct Submissions {
    main: Builder,
    repeats: Vec<Builder>,
    count: usize,
    rows: usize,
    /// Why reading stopped, when it was the limits (the parser's error only says "stopped").
    refused: Option<KoboError>,
}

impl Submissions {
    /// Adds one submission: its fields (as the document orders them) and repeat groups.
    fn add(&mut self, mut fields: Vec<(String, json::Value)>) -> Result<(), String> {
        self.count += 1;
        // Columns and groups in the order of their names, the last of a repeated name kept.
        fields.reverse();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields.dedup_by(|a, b| a.0 == b.0);
        let index = self.count.to_string();
        let mut row = vec![("_index".to_owned(), index.clone())];
        for (key, value) in fields {
            match value {
                json::Value::Scalar(text) => row.push((key, text)),
                json::Value::Objects(entries) if !key.starts_with('_') => {
                    let group = key.rsplit('/').next().unwrap_or(&key);
                    let at = match self.repeats.iter().position(|r| r.sheet.name == group) {
                        Some(at) => at,
                        None => {
                            self.repeats.push(Builder::new(group));
                            self.repeats.len() - 1
                        }
                    };
                    for entry in entries {
                        let mut cells = vec![("_parent_index".to_owned(), index.clone())];
                        cells.extend(entry);
                        self.repeats[at].push(cells);
                        self.check(self.repeats[at].sheet.rows.len())?;
                    }
                }
                json::Value::Objects(_) | json::Value::Other => {}
            }
        }
        self.main.push(row);
        self.check(self.main.sheet.rows.len())
    }

    fn check(&mut self, rows: usize) -> Result<(), String> {
        if rows > self.rows {
            let message = format!("more than {} rows in a sheet, more than an upload may hold", self.rows);
            self.refused = Some(crate::bounds::too_large("", message.clone()));
            return Err(message);
        }
        Ok(())
    }
}

/// The JSON reader's visitors: a page or a submission, a page's results, a field's value.
mod json {
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use super::Submissions;

    /// A submission's field: text (numbers and booleans as written, null as empty), a list of
    /// objects (a repeat group's entries, their own text fields), or anything else (not a cell).
    pub(super) enum Value {
        Scalar(String),
        Objects(Vec<Vec<(String, String)>>),
        Other,
    }

    /// The whole file: a page, a submission, or a list of either.
    pub(super) struct Top<'a>(pub &'a mut Submissions);

    impl<'de> DeserializeSeed<'de> for Top<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Top<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("KoBo API pages (objects with `results`) or submissions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
            while items.next_element_seed(PageOrSubmission(&mut *self.0))?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
            PageOrSubmission(self.0).visit_map(map)
        }
    }

    /// An object at the top: a page when it has `results`, else a submission.
    struct PageOrSubmission<'a>(&'a mut Submissions);

    impl<'de> DeserializeSeed<'de> for PageOrSubmission<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for PageOrSubmission<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("KoBo API pages (objects with `results`) or submissions")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut fields = Vec::new();
            let mut page = false;
            while let Some(key) = map.next_key::<String>()? {
                if key == "results" {
                    map.next_value_seed(Results(&mut *self.0))?;
                    page = true;
                } else {
                    fields.push((key, map.next_value_seed(Field)?));
                }
            }
            if page { Ok(()) } else { self.0.add(fields).map_err(A::Error::custom) }
        }
    }

    /// A page's `results`: its submissions.
    struct Results<'a>(&'a mut Submissions);

    impl<'de> DeserializeSeed<'de> for Results<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Results<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("`results` as a list of submissions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
            while let Some(fields) = items.next_element_seed(Submission(self.0.count + 1))? {
                self.0.add(fields).map_err(A::Error::custom)?;
            }
            Ok(())
        }
    }

    /// One submission of a page: an object, whose every key is a field. The number is for the
    /// message when it is not an object.
    struct Submission(usize);

    impl<'de> DeserializeSeed<'de> for Submission {
        type Value = Vec<(String, Value)>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Submission {
        type Value = Vec<(String, Value)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "submission {} as an object", self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut fields = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                fields.push((key, map.next_value_seed(Field)?));
            }
            Ok(fields)
        }
    }

    /// A field's value.
    struct Field;

    impl<'de> DeserializeSeed<'de> for Field {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Field {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a value")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value::Scalar(v.to_owned()))
        }
        fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
            Ok(Value::Scalar(v))
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Scalar(v.to_string()))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
            Ok(Value::Scalar(v.to_string()))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
            // As serde_json writes it (`1.0`, not `1`).
            Ok(Value::Scalar(serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string())))
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Scalar(v.to_string()))
        }
        fn visit_unit<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Scalar(String::new()))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Value::Other)
        }
        /// A list of objects is a repeat group's entries, each object's text fields its cells.
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
            let mut entries = Some(Vec::new());
            while let Some(entry) = items.next_element_seed(Entry)? {
                match (entry, &mut entries) {
                    (Some(cells), Some(entries)) => entries.push(cells),
                    _ => entries = None,
                }
            }
            Ok(entries.map_or(Value::Other, Value::Objects))
        }
    }

    /// An entry of a list: its text fields when it is an object.
    struct Entry;

    impl<'de> DeserializeSeed<'de> for Entry {
        type Value = Option<Vec<(String, String)>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Entry {
        type Value = Option<Vec<(String, String)>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut cells: Vec<(String, String)> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if let Value::Scalar(text) = map.next_value_seed(Field)? {
                    cells.push((key, text));
                }
            }
            // In the order of their names, the last of a repeated name kept.
            cells.reverse();
            cells.sort_by(|a, b| a.0.cmp(&b.0));
            cells.dedup_by(|a, b| a.0 == b.0);
            Ok(Some(cells))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
            while items.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_str<E: Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(sheet: &Sheet) -> Vec<Vec<&str>> {
        sheet.rows.iter().map(|r| r.cells().collect()).collect()
    }

    #[test]
    fn a_kobo_api_file_is_read_as_pages_or_submissions_with_their_repeat_groups() {
        let page = r#"{"count": 2, "next": null, "results": [
            {"z": "last", "a": 1.0, "_id": 7, "flag": true, "none": null, "nested": {"x": 1},
             "grp/victims": [{"sex": "F", "age": 30}, {"age": 4, "sex": "M"}]},
            {"a": 2, "a": 3, "_attachments": [{"x": 1}], "tags": ["x", 1]}
        ]}"#;
        let export = read_json("page.json", page.as_bytes(), &Limits::UPLOAD).expect("a page");
        // Columns in the order of their names after `_index`; lists and objects are not cells.
        assert_eq!(export.main.header, ["_index", "_id", "a", "flag", "none", "z"]);
        assert_eq!(rows(&export.main), [["1", "7", "1.0", "true", "", "last"], ["2", "", "3", "", "", ""]]);
        assert_eq!(export.repeats.len(), 1);
        assert_eq!(export.repeats[0].name, "victims");
        assert_eq!(export.repeats[0].header, ["_parent_index", "age", "sex"]);
        assert_eq!(rows(&export.repeats[0]), [["1", "30", "F"], ["1", "4", "M"]]);

        let pages = format!("[{page}, {page}]");
        let export = read_json("pages.json", pages.as_bytes(), &Limits::UPLOAD).expect("pages");
        assert_eq!((export.main.rows.len(), export.repeats[0].rows.len()), (4, 4));
        assert_eq!(rows(&export.main)[3][0], "4", "numbered across pages");
        let bare = read_json("bare.json", br#"[{"a": "x"}, {"b": "y"}]"#, &Limits::UPLOAD).expect("submissions");
        assert_eq!(rows(&bare.main), [vec!["1", "x"], vec!["2", "", "y"]]);

        for (text, expected) in [
            ("42", "pages"),
            (r#"{"results": 3}"#, "`results` as a list"),
            (r#"{"results": [1]}"#, "submission 1 as an object"),
            (r#"[{"a": 1}"#, "EOF"),
            (r#"{"a": 1} x"#, "trailing"),
        ] {
            let error = read_json("bad.json", text.as_bytes(), &Limits::UPLOAD).expect_err(text).to_string();
            assert!(error.starts_with("bad.json: ") && error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn a_file_of_more_rows_than_an_upload_may_hold_is_refused_as_it_is_read() {
        let limits = Limits { rows: 1000, ..Limits::UPLOAD };
        let many = format!("[{}{{}}]", "{},".repeat(1000));
        let refused = read_json("many.json", many.as_bytes(), &limits).expect_err("too many");
        assert!(matches!(refused, KoboError::TooLarge { .. }), "{refused}");
        assert!(refused.to_string().starts_with("many.json: too large: more than 1000 rows"), "{refused}");
        let entries = format!(r#"[{{"g": [{}{{}}]}}]"#, "{},".repeat(1000));
        assert!(matches!(read_json("g.json", entries.as_bytes(), &limits), Err(KoboError::TooLarge { .. })));
        let csv = format!("a\n{}", "1\n".repeat(1001));
        let refused = read_csv("many.csv", csv.as_bytes(), &limits).expect_err("too many");
        assert!(matches!(refused, KoboError::TooLarge { .. }), "{refused}");
        let enough = Limits { rows: 1001, ..limits };
        assert_eq!(read_csv("enough.csv", csv.as_bytes(), &enough).expect("within").rows.len(), 1001);
        let cells = Limits { cells: 1000, ..enough };
        assert!(matches!(read_csv("cells.csv", csv.as_bytes(), &cells), Err(KoboError::TooLarge { .. })));
        let long = format!("a\n{}\n", ",".repeat(2 << 20));
        let refused = read_csv("long.csv", long.as_bytes(), &Limits::UPLOAD).expect_err("a long line");
        assert!(refused.to_string().contains("a line longer than 1024 KiB"), "{refused}");
    }
}
