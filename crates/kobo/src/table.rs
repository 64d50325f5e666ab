//! Sheets of text: what an XLSX workbook, a CSV file or an API page becomes before anything reads
//! it, so one conversion serves them all.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::KoboError;

/// A sheet: a header and rows of text cells, each row as long as the header. Row `i` is line
/// `i + 2` of its file (the header is line 1), as a spreadsheet numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    pub fn new(name: &str, header: Vec<String>) -> Sheet {
        Sheet { name: name.to_owned(), header, rows: Vec::new() }
    }

    /// The column with this name, whatever its case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The columns named `prefix` or `prefix::…` (`label`, `label::French (fr)`), in order.
    pub fn columns_starting(&self, prefix: &str) -> Vec<usize> {
        (0..self.header.len())
            .filter(|&i| {
                let h = self.header[i].to_ascii_lowercase();
                h == prefix || h.strip_prefix(prefix).is_some_and(|rest| rest.starts_with(':'))
            })
            .collect()
    }

    /// The line of row `i` in its file.
    pub fn line(i: usize) -> u64 {
        i as u64 + 2
    }
}

/// Every sheet of an `.xlsx` workbook, cells as text: dates as `YYYY-MM-DD` (with the time when
/// it has one), whole numbers without a decimal point.
pub fn read_xlsx(path: &Path) -> Result<Vec<Sheet>, KoboError> {
    let file = path.display().to_string();
    let error = |message: String| KoboError::Read { file: file.clone(), message };
    let mut book: Xlsx<_> = open_workbook(path).map_err(|e| error(format!("not a readable .xlsx workbook: {e}")))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| error(format!("sheet `{name}`: {e}")))?;
        let mut rows = range.rows().map(|row| row.iter().map(text).collect::<Vec<String>>());
        let Some(header) = rows.next() else {
            sheets.push(Sheet::new(&name, Vec::new()));
            continue;
        };
        let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let width = header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
        let mut sheet = Sheet::new(&name, header[..width].to_vec());
        for mut row in rows {
            row.resize(width, String::new());
            sheet.rows.push(row);
        }
        // Formatted but empty rows at the end of a sheet are not rows.
        while sheet.rows.last().is_some_and(|r| r.iter().all(String::is_empty)) {
            sheet.rows.pop();
        }
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// A cell as text, the way the export's CSV would have written it.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            None => d.as_f64().to_string(),
        },
    }
}

/// A CSV file as a sheet named after the file: UTF-8 (a BOM is skipped), `,` or `;` separated
/// (whichever the header has more of).
pub fn read_csv(name: &str, bytes: &[u8]) -> Result<Sheet, KoboError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    let separator = if count(b';') > count(b',') { b';' } else { b',' };
    let error = |message: String| KoboError::Read { file: name.to_owned(), message };
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().map_err(|e| error(e.to_string()))?.iter().map(|h| h.trim().to_owned()).collect();
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let mut sheet = Sheet::new(stem, header);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| error(format!("line {}: {e}", Sheet::line(i))))?;
        let mut row: Vec<String> = record.iter().map(str::to_owned).collect();
        row.resize(sheet.header.len(), String::new());
        sheet.rows.push(row);
    }
    Ok(sheet)
}
