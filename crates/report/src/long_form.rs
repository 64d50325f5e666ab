//! `tables.csv`: the report's figures in long form, `table,row,column,value`, as DATA-FORMATS.md
//! §4 specifies: rows sorted by table, then by code (TOTAL last); zero cells omitted except in
//! the two yearly tables, which list every month of every category and region with violations
//! in the year.

use std::cmp::Ordering;
use std::io::Write;

use vigie_core::aggregate::{Disclosure, MonthTables};
use vigie_core::{Catalog, EventType, ListKind, Month};

use crate::ReportError;

/// One figure of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub table: &'static str,
    pub row: String,
    pub column: String,
    pub value: u64,
    /// `Some(k)`: withheld by the disclosure rule, shown as `<k` (never its value).
    pub withheld: Option<u64>,
}

impl Cell {
    /// The cell as a reader sees it: its count, or `<k` when withheld.
    pub fn shown(&self) -> String {
        match self.withheld {
            Some(k) => format!("<{k}"),
            None => self.value.to_string(),
        }
    }
}

/// The cells as a caller may see them: each withheld one marked, and the withheld zero cells
/// (which `tables.csv` would omit) added, so that a reader cannot take them for 0. Exact cells
/// are returned as they are.
pub fn disclosed(mut cells: Vec<Cell>, disclosure: &Disclosure) -> Vec<Cell> {
    if disclosure.is_exact() {
        return cells;
    }
    let k = disclosure.min_count();
    if disclosure.too_few() {
        // No count at all: an answer of fewer than k hidden violations.
        return Vec::new();
    }
    for c in &mut cells {
        if disclosure.withholds(c.table, &c.row, &c.column) {
            c.withheld = Some(k);
        }
    }
    for (table, row, column) in disclosure.withheld_zeros() {
        let known = cells.iter().any(|c| c.table == table && c.row == row && c.column == column);
        if !known {
            cells.push(Cell { table, row: row.into(), column: column.into(), value: 0, withheld: Some(k) });
        }
    }
    cells.sort_by(|a, b| a.table.cmp(b.table));
    cells
}

const TOTAL: &str = "TOTAL";

/// What a cell of `month`'s `tables.csv` counts, as the violations list's filters (beside the
/// reader's own): the list of exactly those violations. `None` for a cell that counts no listed
/// violation (the risk index, alerts, late reports).
pub fn cell_filters(table: &str, row: &str, column: &str, month: Month) -> Option<Vec<(&'static str, String)>> {
    let code = |dimension: &'static str, code: &str| (code != TOTAL).then(|| (dimension, code.to_owned()));
    // A month's column, or the year to the report month's end (its TOTAL column).
    let when = |column: &str| match column {
        TOTAL => {
            let january = month.months_of_year().next().unwrap_or(month);
            vec![("from", january.first_day().to_string()), ("to", month.last_day().to_string())]
        }
        other => vec![("month", other.to_owned())],
    };
    let this = || vec![("month", month.to_string())];
    let filters = match table {
        "category_by_month" => [when(column), code("category", row).into_iter().collect()].concat(),
        "region_by_month" => [when(column), code("region", row).into_iter().collect()].concat(),
        "category_by_region" => {
            [this(), code("category", row).into_iter().chain(code("region", column)).collect()].concat()
        }
        "subtype" => [this(), code("subtype", row).into_iter().collect()].concat(),
        "admin2" => [this(), code("cercle", row).into_iter().collect()].concat(),
        "verification" => [this(), code("verification", row).into_iter().collect()].concat(),
        "time_slot_by_category" => {
            [this(), code("time_slot", row).into_iter().chain(code("category", column)).collect()].concat()
        }
        // A signal's count (`kind:level:unit:category`): the violations of its place (and
        // category, a surge's) in the month; a threshold and a risk level count none.
        "signals" if column == "observed" => {
            let mut parts = row.split(':');
            let (kind, level, unit, category) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let level = ["region", "cercle", "commune"].into_iter().find(|l| *l == level)?;
            match kind {
                "surge" => [this(), vec![(level, unit.to_owned()), ("category", category.to_owned())]].concat(),
                "new_area" | "sentinel" => [this(), vec![(level, unit.to_owned())]].concat(),
                _ => return None,
            }
        }
        "signals" => return None,
        list => {
            let kind = ListKind::ALL.into_iter().find(|k| k.name() == list)?;
            [this(), code(kind.name(), row).into_iter().collect()].concat()
        }
    };
    Some(filters)
}

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

/// The indexes of `codes` in natural order.
fn sorted(codes: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..codes.len()).collect();
    order.sort_by(|&a, &b| natural(codes[a], codes[b]));
    order
}

/// The cells being collected.
struct Cells(Vec<Cell>);

impl Cells {
    fn push(&mut self, table: &'static str, row: &str, column: &str, value: u64) {
        self.0.push(Cell { table, row: row.to_owned(), column: column.to_owned(), value, withheld: None });
    }

    /// A cell that may be omitted when zero (DATA-FORMATS.md §4).
    fn nonzero(&mut self, table: &'static str, row: &str, column: &str, value: u64) {
        if value > 0 {
            self.push(table, row, column, value);
        }
    }
}

/// Every figure of the month's tables, in the order of `tables.csv`.
pub fn cells(t: &MonthTables, catalog: &Catalog) -> Vec<Cell> {
    let mut out = Cells(Vec::new());
    let months: Vec<String> = t.month.months_of_year().map(|m| m.to_string()).collect();
    let categories: Vec<&str> = catalog.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let regions: Vec<&str> = catalog.geography.regions.iter().map(|r| r.code.as_str()).collect();

    for c in sorted(&categories) {
        if t.category_by_month[c].iter().any(|&n| n > 0) {
            for (m, month) in months.iter().enumerate() {
                out.push("category_by_month", categories[c], month, t.category_by_month[c][m]);
            }
        }
    }
    for (m, month) in months.iter().enumerate() {
        out.push("category_by_month", TOTAL, month, t.month_total(m));
    }

    for r in sorted(&regions) {
        if t.region_by_month[r].iter().any(|&n| n > 0) {
            for (m, month) in months.iter().enumerate() {
                out.push("region_by_month", regions[r], month, t.region_by_month[r][m]);
            }
            out.push("region_by_month", regions[r], TOTAL, t.region_year_to_date(r));
        }
    }
    for (m, month) in months.iter().enumerate() {
        out.push("region_by_month", TOTAL, month, t.month_total(m));
    }
    out.push("region_by_month", TOTAL, TOTAL, t.year_to_date());

    let now = &t.current;
    for c in sorted(&categories) {
        for r in sorted(&regions) {
            out.nonzero("category_by_region", categories[c], regions[r], now.category_region(c, r));
        }
        out.nonzero("category_by_region", categories[c], TOTAL, now.category(c));
    }
    for r in sorted(&regions) {
        out.nonzero("category_by_region", TOTAL, regions[r], now.region(r));
    }
    out.nonzero("category_by_region", TOTAL, TOTAL, now.total);

    let subtypes: Vec<&str> = catalog.typology.subtypes.iter().map(|s| s.code.as_str()).collect();
    for s in sorted(&subtypes) {
        out.nonzero("subtype", subtypes[s], "count", now.subtype[s]);
    }
    let cercles: Vec<&str> = catalog.geography.cercles.iter().map(|c| c.unit.pcode.as_str()).collect();
    for c in sorted(&cercles) {
        out.nonzero("admin2", cercles[c], "count", now.cercle[c]);
    }
    for (kind, counts) in now.codes.iter() {
        let list = catalog.lists.get(kind);
        let codes: Vec<&str> = list.codes.iter().map(|c| c.code.as_str()).collect();
        for i in sorted(&codes) {
            out.nonzero(kind.name(), codes[i], "count", counts[i]);
        }
    }
    // How far the month's violations were verified (Vigie's own table: not in DATA-FORMATS.md).
    for (status, &n) in vigie_core::Verification::ALL.iter().zip(&now.verification) {
        out.nonzero("verification", status.code(), "count", n);
    }
    // Earlier signed-off months' late reports (Vigie's own table).
    for late in &t.late {
        out.nonzero("late_reports", &late.month.to_string(), "count", late.count);
    }
    let slots: Vec<&str> = catalog.lists.get(ListKind::TimeSlot).codes.iter().map(|c| c.code.as_str()).collect();
    for s in sorted(&slots) {
        for c in sorted(&categories) {
            out.nonzero("time_slot_by_category", slots[s], categories[c], now.time_slot_category(s, c));
        }
        out.nonzero("time_slot_by_category", slots[s], TOTAL, now.codes[ListKind::TimeSlot][s]);
    }
    risk_cells(t, catalog, &regions, &mut out);
    alert_cells(t, &regions, &mut out);
    let mut out = out.0;
    out.sort_by(|a, b| a.table.cmp(b.table));
    out
}

/// `risk_level` (DATA-FORMATS.md §4: score, level, previous level of each assessed commune),
/// `risk_level_by_region` (assessed communes per region and level) and `risk_coverage`
/// (communes assessed out of the communes of each monitored region).
fn risk_cells(t: &MonthTables, catalog: &Catalog, regions: &[&str], out: &mut Cells) {
    let g = &catalog.geography;
    let risk = &t.risk;
    let mut communes: Vec<_> = risk.communes.iter().collect();
    communes.sort_by(|a, b| natural(&g.commune(a.commune).unit.pcode, &g.commune(b.commune).unit.pcode));
    for c in communes {
        let pcode = &g.commune(c.commune).unit.pcode;
        out.push("risk_level", pcode, "score", u64::from(c.score));
        out.push("risk_level", pcode, "level", u64::from(c.level));
        if let Some(previous) = c.previous_level {
            out.push("risk_level", pcode, "previous_level", u64::from(previous));
        }
    }
    let levels: Vec<u8> = (1..=risk.levels as u8).collect();
    for r in sorted(regions) {
        for &l in &levels {
            out.nonzero("risk_level_by_region", regions[r], &l.to_string(), risk.region_level(r, l));
        }
        let assessed = risk.region_assessed(r);
        if assessed > 0 {
            out.push("risk_level_by_region", regions[r], TOTAL, assessed);
            out.push("risk_coverage", regions[r], "assessed", assessed);
            out.push("risk_coverage", regions[r], "communes", risk.region_communes[r]);
        }
    }
    for &l in &levels {
        out.nonzero("risk_level_by_region", TOTAL, &l.to_string(), risk.level_total(l));
    }
    if !risk.communes.is_empty() {
        out.push("risk_level_by_region", TOTAL, TOTAL, risk.communes.len() as u64);
        out.push("risk_coverage", TOTAL, "assessed", risk.communes.len() as u64);
        out.push("risk_coverage", TOTAL, "communes", risk.monitored_communes());
    }
}

/// `alert_by_region`: the month's flash alerts by event type and region; `alert_persons`: the
/// persons they report affected, by region.
fn alert_cells(t: &MonthTables, regions: &[&str], out: &mut Cells) {
    let alerts = &t.alerts;
    let order = sorted(regions);
    let events: Vec<&str> = EventType::ALL.iter().map(|e| e.code()).collect();
    for e in sorted(&events) {
        for &r in &order {
            out.nonzero("alert_by_region", events[e], regions[r], alerts.region_event(r, e));
        }
        out.nonzero("alert_by_region", events[e], TOTAL, alerts.event(e));
    }
    for &r in &order {
        out.nonzero("alert_by_region", TOTAL, regions[r], alerts.region(r));
        let persons = alerts.persons_by_region.get(r).copied().unwrap_or(0);
        out.nonzero("alert_persons", regions[r], "count", persons);
    }
    out.nonzero("alert_by_region", TOTAL, TOTAL, alerts.total);
    out.nonzero("alert_persons", TOTAL, "count", alerts.persons_by_region.iter().sum());
}

pub fn write_csv(cells: &[Cell], out: impl Write) -> Result<(), ReportError> {
    write_csv_with(cells, out, false)
}

/// `tables.csv`, with HXL's hashtag row under its header when `hxl` says so.
pub fn write_csv_with(cells: &[Cell], out: impl Write, hxl: bool) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["table", "row", "column", "value"])?;
    if hxl {
        w.write_record(crate::hxl::TABLES)?;
    }
    for c in cells {
        let guard = vigie_core::spreadsheet::guard_text;
        w.write_record(
            [guard(c.table), guard(&c.row), guard(&c.column), guard(&c.shown())].iter().map(|c| c.as_ref()),
        )?;
    }
    w.flush()?;
    Ok(())
}

pub fn write_json(month: &str, cells: &[Cell], out: impl Write) -> Result<(), ReportError> {
    write_json_disclosed(month, cells, &Disclosure::exact(), out)
}

/// The cells as JSON: a withheld cell's value is `null`, with `"suppressed": true`; an answer
/// with too few hidden violations to show anything says so (`suppressed` and `min_count` at the
/// top, no table).
pub fn write_json_disclosed(
    month: &str,
    cells: &[Cell],
    disclosure: &Disclosure,
    out: impl Write,
) -> Result<(), ReportError> {
    /// A cell's fields in alphabetical order, as the format has always written them.
    #[derive(serde::Serialize)]
    struct JsonCell<'c> {
        column: &'c str,
        row: &'c str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        suppressed: bool,
        table: &'c str,
        value: Option<u64>,
    }
    #[derive(serde::Serialize)]
    struct Document<'c> {
        month: &'c str,
        #[serde(skip_serializing_if = "Option::is_none")]
        min_count: Option<u64>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        suppressed: bool,
        tables: Vec<JsonCell<'c>>,
    }
    let tables = cells
        .iter()
        .map(|c| JsonCell {
            column: &c.column,
            row: &c.row,
            suppressed: c.withheld.is_some(),
            table: c.table,
            value: c.withheld.is_none().then_some(c.value),
        })
        .collect();
    let min_count = (!disclosure.is_exact()).then_some(disclosure.min_count());
    let document = Document { month, min_count, suppressed: disclosure.too_few(), tables };
    serde_json::to_writer_pretty(out, &document)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables without the monitoring part (risk index, alerts) still give their cells.
    #[test]
    fn tables_without_risk_or_alerts_have_no_such_rows() {
        let catalog = Catalog::builtin();
        let facts = vigie_core::aggregate::Facts::new(catalog);
        let month = vigie_core::Month::new(2021, 11).expect("month");
        let t = facts.tables(catalog, month, &vigie_core::aggregate::Filter::default());
        let all = cells(&t, catalog);
        assert!(all.iter().all(|c| !c.table.starts_with("risk") && !c.table.starts_with("alert")));
        assert!(all.iter().any(|c| c.table == "category_by_month"));
    }

    #[test]
    fn codes_sort_naturally_with_total_last() {
        let mut codes = vec!["TOTAL", "C10", "C2", "ML0501", "A1", "ML0405", "C1"];
        codes.sort_by(|a, b| natural(a, b));
        assert_eq!(codes, ["A1", "C1", "C2", "C10", "ML0405", "ML0501", "TOTAL"]);
    }
}
