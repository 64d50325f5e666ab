//! The report tables as a workbook: one sheet per table, codes kept in the first column and
//! labels in the chosen language beside them.

use std::collections::BTreeMap;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use vigie_core::Catalog;

use vigie_i18n::Lang;

use crate::ReportError;
use crate::labels::label;
use crate::long_form::{Cell, natural};

pub fn write_xlsx(cells: &[Cell], catalog: &Catalog, lang: Lang, path: &Path) -> Result<(), ReportError> {
    Ok(std::fs::write(path, tables_workbook(cells, catalog, lang)?)?)
}

/// The workbook's bytes.
pub fn tables_workbook(cells: &[Cell], catalog: &Catalog, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let mut tables: BTreeMap<&str, Vec<&Cell>> = BTreeMap::new();
    for c in cells {
        tables.entry(c.table).or_default().push(c);
    }
    for (table, cells) in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table)?;
        let mut rows: Vec<&str> = Vec::new();
        let mut columns: Vec<&str> = Vec::new();
        for c in &cells {
            if !rows.contains(&c.row.as_str()) {
                rows.push(&c.row);
            }
            if !columns.contains(&c.column.as_str()) {
                columns.push(&c.column);
            }
        }
        columns.sort_by(|a, b| natural(a, b));
        sheet.write_string_with_format(0, 0, lang.text("tables-code"), &bold)?;
        sheet.write_string_with_format(0, 1, lang.text("tables-label"), &bold)?;
        for (j, column) in columns.iter().enumerate() {
            let heading =
                if *column == "count" { lang.text("tables-count") } else { label(catalog, lang, table, column) };
            sheet.write_string_with_format(0, j as u16 + 2, &heading, &bold)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, *row)?;
            sheet.write_string(r, 1, label(catalog, lang, table, row))?;
            for (j, column) in columns.iter().enumerate() {
                match cells.iter().find(|c| c.row == *row && c.column == *column) {
                    Some(c) if c.withheld.is_some() => sheet.write_string(r, j as u16 + 2, c.shown())?,
                    found => sheet.write_number(r, j as u16 + 2, found.map_or(0, |c| c.value) as f64)?,
                };
            }
        }
        sheet.set_column_width(1, 40)?;
        sheet.set_freeze_panes(1, 2)?;
    }
    Ok(workbook.save_to_buffer()?)
}
