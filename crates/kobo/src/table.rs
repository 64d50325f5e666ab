//! Sheets of text: what an XLSX workbook, a CSV file or an API page becomes before anything reads
//! it, so one conversion serves them all.

use std::path::Path;

use calamine::{DataRef, Reader, Xlsx, open_workbook};

use crate::KoboError;
use crate::bounds::Limits;

/// A sheet: a header and rows of text cells, each row as long as the header. Row `i` is line
/// `i + 2` of its file (the header is line 1), as a spreadsheet numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// The file the sheet is, when it is one of an export's several files (CSV); empty for a
    /// workbook's sheet.
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// A row's cells in one buffer: a large export holds millions of cells, most of them short.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    text: String,
    ends: Vec<u32>,
}

impl Row {
    pub fn new<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Row {
        let mut row = Row::default();
        for cell in cells {
            row.text.push_str(cell.as_ref());
            row.ends.push(row.text.len() as u32);
        }
        row
    }

    /// Cell `i`; empty past the row's end.
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start as usize..end as usize]
    }

    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

impl std::ops::Index<usize> for Row {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        self.get(i)
    }
}

impl Sheet {
    pub fn new(name: &str, header: Vec<String>) -> Sheet {
        Sheet { name: name.to_owned(), file: String::new(), header, rows: Vec::new() }
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

    /// Adds a row of cells.
    pub fn push<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(Row::new(cells));
    }

    /// The line of row `i` in its file.
    pub fn line(i: usize) -> u64 {
        i as u64 + 2
    }
}

/// Every sheet of an `.xlsx` workbook, cells as text: dates as `YYYY-MM-DD` (with the time when
/// it has one), whole numbers without a decimal point. With `drop_choice_columns`, the columns a
/// KoBo export adds for each choice of a select_multiple (`group/field/choice`, 0 or 1) are left
/// out when the field's own column (its choices, space-separated) is there: they say the same,
/// and are most of a large export's cells.
pub fn read_xlsx(path: &Path, drop_choice_columns: bool, limits: &Limits) -> Result<Vec<Sheet>, KoboError> {
    let file = path.display().to_string();
    // A gap between two rows is empty rows, each as wide as the header: a workbook of two cells
    // far apart would otherwise be millions of rows.
    let mut cells = 0usize;
    let mut admit = |sheet: &Sheet, width: usize| {
        cells = cells.saturating_add(width);
        if sheet.rows.len() >= limits.rows || cells > limits.cells {
            let message =
                format!("more than {} rows or {} cells, more than an upload may hold", limits.rows, limits.cells);
            return Err(crate::bounds::too_large(&file, message));
        }
        Ok(())
    };
    let error = |message: String| KoboError::Read { file: file.clone(), message };
    let mut book: Xlsx<_> = open_workbook(path).map_err(|e| error(format!("not a readable .xlsx workbook: {e}")))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let sheet_error = |e: calamine::XlsxError| error(format!("sheet `{name}`: {e}"));
        let mut cells = book.worksheet_cells_reader(&name).map_err(sheet_error)?;
        let first = cells.dimensions().start.0;
        let mut header: Vec<String> = Vec::new();
        // Per column of the file, its column in the sheet (`None`: left out); known once the
        // header row is read.
        let mut keep: Option<Vec<Option<usize>>> = None;
        let mut sheet = Sheet::new(&name, Vec::new());
        // The row being read; its cells are moved into a compact `Row` when the next begins.
        let mut row: Vec<String> = Vec::new();
        let mut at_row = first;
        while let Some(cell) = cells.next_cell().map_err(sheet_error)? {
            let (r, c) = cell.get_position();
            if r == first {
                if header.len() <= c as usize {
                    header.resize(c as usize + 1, String::new());
                }
                header[c as usize] = text(cell.get_value()).trim().to_owned();
                continue;
            }
            let columns = keep.get_or_insert_with(|| {
                let columns = kept_columns(&header, drop_choice_columns);
                sheet.header =
                    header.iter().zip(&columns).filter(|(_, k)| k.is_some()).map(|(h, _)| h.clone()).collect();
                row = vec![String::new(); sheet.header.len()];
                columns
            });
            while at_row < r {
                // Rows are read in order; a gap is empty rows.
                if at_row > first {
                    admit(&sheet, row.len())?;
                    sheet.push(&row);
                    row.iter_mut().for_each(String::clear);
                }
                at_row += 1;
            }
            if let Some(Some(to)) = columns.get(c as usize) {
                row[*to] = text(cell.get_value());
            }
        }
        match keep {
            Some(_) => {
                admit(&sheet, row.len())?;
                sheet.push(&row);
            }
            None => sheet.header = header,
        }
        let width = sheet.header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
        sheet.header.truncate(width);
        for row in &mut sheet.rows {
            row.ends.truncate(width);
        }
        // Formatted but empty rows at the end of a sheet are not rows.
        while sheet.rows.last().is_some_and(Row::is_blank) {
            sheet.rows.pop();
        }
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// Per column of a header, its place among the kept columns.
fn kept_columns(header: &[String], drop_choice_columns: bool) -> Vec<Option<usize>> {
    let names: std::collections::HashSet<&str> = header.iter().map(String::as_str).collect();
    let choice = |h: &str| h.rfind(['/', '.']).is_some_and(|cut| names.contains(&h[..cut]));
    let mut next = 0;
    header
        .iter()
        .map(|h| {
            (!(drop_choice_columns && choice(h))).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// A cell as text, the way the export's CSV would have written it.
fn text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            None => d.as_f64().to_string(),
        },
    }
}

/// A CSV file as a sheet named after the file: UTF-8 (a BOM is skipped), `,` or `;` separated
/// (whichever the header has more of), within the rows and cells `limits` allow and lines of
/// at most [`vigie_import::MAX_LINE`] bytes (the parser holds a whole row).
pub fn read_csv(name: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, KoboError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut line_start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
        if (end - line_start) as u64 > vigie_import::MAX_LINE {
            let message = format!("a line longer than {} KiB: is this a CSV file?", vigie_import::MAX_LINE / 1024);
            return Err(crate::bounds::too_large(name, message));
        }
        line_start = end + 1;
    }
    let mut cells = 0;
    let separator = vigie_import::detect_delimiter(bytes);
    let error = |message: String| KoboError::Read { file: name.to_owned(), message };
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().map_err(|e| error(e.to_string()))?.iter().map(|h| h.trim().to_owned()).collect();
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let mut sheet = Sheet::new(stem, header);
    sheet.file = name.to_owned();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| error(format!("line {}: {e}", Sheet::line(i))))?;
        cells += record.len();
        if i >= limits.rows || cells > limits.cells {
            let message =
                format!("more than {} rows or {} cells, more than an upload may hold", limits.rows, limits.cells);
            return Err(crate::bounds::too_large(name, message));
        }
        sheet.push(record.iter());
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(path: &Path, cells: &[(u32, u16)]) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for &(row, column) in cells {
            sheet.write_string(row, column, format!("r{row}c{column}")).expect("cell");
        }
        book.save(path).expect("save");
    }

    /// Two cells far apart in a workbook of a few kilobytes are a million empty rows between
    /// them: refused as they are read.
    #[test]
    fn a_workbook_whose_cells_are_far_apart_is_refused_as_it_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let gap = dir.path().join("gap.xlsx");
        workbook(&gap, &[(0, 0), (0, 16_000), (1_000_000, 0)]);
        assert!(std::fs::metadata(&gap).expect("size").len() < 10_000);
        let refused = read_xlsx(&gap, true, &Limits::UPLOAD).expect_err("too many cells");
        assert!(matches!(refused, KoboError::TooLarge { .. }), "{refused}");
        let rows = dir.path().join("rows.xlsx");
        let cells: Vec<(u32, u16)> = (0..=12).map(|r| (r, 0)).collect();
        workbook(&rows, &cells);
        assert_eq!(read_xlsx(&rows, true, &Limits { rows: 12, ..Limits::UPLOAD }).expect("within")[0].rows.len(), 12);
        let refused = read_xlsx(&rows, true, &Limits { rows: 11, ..Limits::UPLOAD }).expect_err("a row too many");
        assert!(refused.to_string().contains("more than 11 rows"), "{refused}");
    }
}
