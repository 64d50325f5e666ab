//! `tables.csv`: the report's figures in long form, `table,row,column,value`, as DATA-FORMATS.md
//! §4 specifies: rows sorted by table, then by code (TOTAL last); zero cells omitted except in
//! the two yearly tables, which list every month of every category and region with violations
//! in the year.

use std::cmp::Ordering;
use std::io::Write;

use vigie_core::aggregate::MonthTables;
use vigie_core::records::CODE_LISTS;
use vigie_core::{Catalog, ListKind};

use crate::ReportError;

/// One figure of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub table: &'static str,
    pub row: String,
    pub column: String,
    pub value: u64,
}

const TOTAL: &str = "TOTAL";

/// Codes in natural order (`C2` before `C10`, `ML0405` before `ML0501`), `TOTAL` last.
pub(crate) fn natural(a: &str, b: &str) -> Ordering {
    fn key(s: &str) -> (bool, &str, u64, &str) {
        let digits_start = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
        let rest = &s[digits_start..];
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        (s == TOTAL, &s[..digits_start], rest[..digits_end].parse().unwrap_or(0), &rest[digits_end..])
    }
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Every figure of the month's tables, in the order of `tables.csv`.
pub fn cells(t: &MonthTables, catalog: &Catalog) -> Vec<Cell> {
    let mut out = Vec::new();
    let mut push = |table: &'static str, row: &str, column: &str, value: u64| {
        out.push(Cell { table, row: row.to_owned(), column: column.to_owned(), value });
    };
    let months: Vec<String> = t.month.months_of_year().map(|m| m.to_string()).collect();
    let categories: Vec<&str> = catalog.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let regions: Vec<&str> = catalog.geography.regions.iter().map(|r| r.code.as_str()).collect();
    let sorted = |codes: &[&str]| -> Vec<usize> {
        let mut order: Vec<usize> = (0..codes.len()).collect();
        order.sort_by(|&a, &b| natural(codes[a], codes[b]));
        order
    };

    for c in sorted(&categories) {
        if t.category_by_month[c].iter().any(|&n| n > 0) {
            for (m, month) in months.iter().enumerate() {
                push("category_by_month", categories[c], month, t.category_by_month[c][m]);
            }
        }
    }
    for (m, month) in months.iter().enumerate() {
        push("category_by_month", TOTAL, month, t.month_total(m));
    }

    for r in sorted(&regions) {
        if t.region_by_month[r].iter().any(|&n| n > 0) {
            for (m, month) in months.iter().enumerate() {
                push("region_by_month", regions[r], month, t.region_by_month[r][m]);
            }
            push("region_by_month", regions[r], TOTAL, t.region_year_to_date(r));
        }
    }
    for (m, month) in months.iter().enumerate() {
        push("region_by_month", TOTAL, month, t.month_total(m));
    }
    push("region_by_month", TOTAL, TOTAL, t.year_to_date());

    let now = &t.current;
    let nonzero = |push: &mut dyn FnMut(&'static str, &str, &str, u64), table, row: &str, column: &str, n: u64| {
        if n > 0 {
            push(table, row, column, n);
        }
    };
    for c in sorted(&categories) {
        for r in sorted(&regions) {
            nonzero(&mut push, "category_by_region", categories[c], regions[r], now.category_region(c, r));
        }
        nonzero(&mut push, "category_by_region", categories[c], TOTAL, now.category(c));
    }
    for r in sorted(&regions) {
        nonzero(&mut push, "category_by_region", TOTAL, regions[r], now.region(r));
    }
    nonzero(&mut push, "category_by_region", TOTAL, TOTAL, now.total);

    let subtypes: Vec<&str> = catalog.typology.subtypes.iter().map(|s| s.code.as_str()).collect();
    for s in sorted(&subtypes) {
        nonzero(&mut push, "subtype", subtypes[s], "count", now.subtype[s]);
    }
    let cercles: Vec<&str> = catalog.geography.cercles.iter().map(|c| c.unit.pcode.as_str()).collect();
    for c in sorted(&cercles) {
        nonzero(&mut push, "admin2", cercles[c], "count", now.cercle[c]);
    }
    for (k, kind) in CODE_LISTS.iter().enumerate() {
        let list = catalog.lists.get(*kind);
        let codes: Vec<&str> = list.codes.iter().map(|c| c.code.as_str()).collect();
        for i in sorted(&codes) {
            nonzero(&mut push, kind.name(), codes[i], "count", now.codes[k][i]);
        }
    }
    let slots: Vec<&str> = catalog.lists.get(ListKind::TimeSlot).codes.iter().map(|c| c.code.as_str()).collect();
    for s in sorted(&slots) {
        for c in sorted(&categories) {
            nonzero(&mut push, "time_slot_by_category", slots[s], categories[c], now.time_slot_category(s, c));
        }
        nonzero(&mut push, "time_slot_by_category", slots[s], TOTAL, now.codes[2][s]);
    }
    out.sort_by(|a, b| a.table.cmp(b.table));
    out
}

pub fn write_csv(cells: &[Cell], out: impl Write) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["table", "row", "column", "value"])?;
    for c in cells {
        w.write_record([c.table, &c.row, &c.column, &c.value.to_string()])?;
    }
    w.flush()?;
    Ok(())
}

pub fn write_json(month: &str, cells: &[Cell], out: impl Write) -> Result<(), ReportError> {
    let rows: Vec<serde_json::Value> = cells
        .iter()
        .map(|c| serde_json::json!({"table": c.table, "row": c.row, "column": c.column, "value": c.value}))
        .collect();
    serde_json::to_writer_pretty(out, &serde_json::json!({"month": month, "tables": rows}))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_naturally_with_total_last() {
        let mut codes = vec!["TOTAL", "C10", "C2", "ML0501", "A1", "ML0405", "C1"];
        codes.sort_by(|a, b| natural(a, b));
        assert_eq!(codes, ["A1", "C1", "C2", "C10", "ML0405", "ML0501", "TOTAL"]);
    }
}
