//! How each record kind is laid out as a table: its columns are the exchange format's columns
//! (so that a stored row reads like the file it came from), plus the batch that last wrote it.

use std::sync::LazyLock;

use vigie_core::records::{Schema, alert_schema, violation_schema};
use vigie_core::{Alert, Catalog, RiskAnswer, Violation};

use crate::{Record, RecordKind};

/// Columns of the exchange formats that are derived from the commune, and so not stored
/// (migration 0003): reads get them back from the geography.
const DERIVED: [&str; 2] = ["admin1_pcode", "admin2_pcode"];

fn stored_columns(schema: &Schema) -> Vec<String> {
    schema.names().filter(|n| !DERIVED.contains(n)).map(str::to_owned).collect()
}

/// The schema's columns as a select list, derived columns as NULL (the record's parse derives
/// them from the commune).
pub(crate) fn select_list(schema: &Schema) -> String {
    schema.names().map(|n| if DERIVED.contains(&n) { "NULL" } else { n }).collect::<Vec<_>>().join(", ")
}

/// Where the derived cells are in a violation's and an alert's fields.
static DERIVED_CELLS: LazyLock<[Vec<usize>; 2]> = LazyLock::new(|| {
    let positions = |schema: Schema| -> Vec<usize> {
        schema.names().enumerate().filter(|(_, n)| DERIVED.contains(n)).map(|(i, _)| i).collect()
    };
    [positions(violation_schema()), positions(alert_schema())]
});

pub(crate) struct Entity {
    pub table: &'static str,
    /// The record's stable identifier; also the audit log's entity name.
    pub key: &'static str,
    pub columns: Vec<String>,
    pub organization_column: usize,
    /// The statements, built once: they are looked up in the statement cache for every row.
    pub insert_sql: String,
    pub select_sql: String,
    pub update_sql: String,
}

impl Entity {
    fn new(table: &'static str, key: &'static str, columns: Vec<String>) -> Entity {
        let mut e = Entity {
            table,
            key,
            organization_column: columns.iter().position(|c| c == "organization").unwrap_or(0),
            columns,
            insert_sql: String::new(),
            select_sql: String::new(),
            update_sql: String::new(),
        };
        e.insert_sql = e.build_insert_sql();
        e.select_sql = e.build_select_sql();
        e.update_sql = e.build_update_sql();
        e
    }

    pub fn violations() -> Entity {
        Entity::new("violations", "violation_id", stored_columns(&violation_schema()))
    }

    pub fn alerts() -> Entity {
        Entity::new("alerts", "alert_id", stored_columns(&alert_schema()))
    }

    /// Answers are kept as `Q01=CODE;Q02=CODE…` so that a cluster's own questionnaire needs no
    /// schema change, and a stored answer keeps the option codes it was given.
    pub fn risk_answers() -> Entity {
        let columns = ["answer_id", "month", "admin3_pcode", "answers", "organization"];
        Entity::new("risk_answers", "answer_id", columns.map(str::to_owned).to_vec())
    }

    fn build_insert_sql(&self) -> String {
        let marks = vec!["?"; self.columns.len() + 1].join(", ");
        format!(
            "INSERT INTO {} ({}, batch_id) VALUES ({marks}) ON CONFLICT({}) DO NOTHING",
            self.table,
            self.columns.join(", "),
            self.key
        )
    }

    fn build_select_sql(&self) -> String {
        format!("SELECT {}, batch_id FROM {} WHERE {} = ?1", self.columns.join(", "), self.table, self.key)
    }

    fn build_update_sql(&self) -> String {
        let sets: Vec<String> = self.columns.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
        let n = self.columns.len();
        format!("UPDATE {} SET {}, batch_id = ?{} WHERE {} = ?{}", self.table, sets.join(", "), n + 1, self.key, n + 2)
    }
}

/// Records in the text form their tables store, many in one buffer. An import fills a batch on
/// its reader thread and stores it on the writing thread, then hands the emptied batch back to
/// be refilled: it allocates per batch, not per row, and never frees on one thread what the
/// other allocated (glibc's allocator serialises that on a lock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreparedRows {
    text: String,
    /// The end of each cell in `text`.
    ends: Vec<u32>,
    rows: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    kind: RecordKind,
    /// Where the row starts in `text`, and its first cell in `ends`.
    start: u32,
    first: u32,
    cells: u32,
    /// Bit `i`: cell `i` differs from the row before in the batch (all set for the first row).
    changed: u64,
}

impl PreparedRows {
    pub fn push_record(&mut self, record: &Record, catalog: &Catalog) {
        match record {
            Record::Violation(v) => self.push_violation(v, catalog),
            Record::Alert(a) => self.push_alert(a, catalog),
            Record::RiskAnswer(r) => self.push_risk_answer(r, catalog),
        }
    }

    pub fn push_violation(&mut self, v: &Violation, catalog: &Catalog) {
        let mut row = self.begin(RecordKind::Violations, &DERIVED_CELLS[0]);
        v.write_fields(catalog, |cell| row.cell(cell));
        row.end();
    }

    pub fn push_alert(&mut self, a: &Alert, catalog: &Catalog) {
        let mut row = self.begin(RecordKind::Alerts, &DERIVED_CELLS[1]);
        a.write_fields(catalog, |cell| row.cell(cell));
        row.end();
    }

    /// Answers are kept as `Q01=CODE;Q02=CODE…`, the questions of the month's definition only
    /// (see [`Entity::risk_answers`]).
    pub fn push_risk_answer(&mut self, answer: &RiskAnswer, catalog: &Catalog) {
        let fields = answer.fields(catalog);
        let codes = catalog.risk.question_columns();
        let answers: Vec<String> = codes
            .iter()
            .zip(&fields[3..3 + codes.len()])
            .filter(|(_, option)| !option.is_empty())
            .map(|((q, _), option)| format!("{q}={option}"))
            .collect();
        let mut row = self.begin(RecordKind::RiskAnswers, &[]);
        for cell in [&fields[0], &fields[1], &fields[2], &answers.join(";"), &fields[3 + codes.len()]] {
            row.cell(cell);
        }
        row.end();
    }

    /// Starts a row; its cells at `skip` (derived, not stored) are left out.
    fn begin<'r>(&'r mut self, kind: RecordKind, skip: &'r [usize]) -> RowWriter<'r> {
        let previous = self.rows.last().copied().filter(|p| p.kind == kind);
        let (previous_start, previous_cell) = previous.map_or((0, 0), |p| (p.start as usize, p.first as usize));
        RowWriter {
            span: Span {
                kind,
                start: self.text.len() as u32,
                first: self.ends.len() as u32,
                cells: 0,
                changed: if previous.is_none() { u64::MAX } else { 0 },
            },
            previous,
            previous_start,
            previous_cell,
            skip,
            column: 0,
            rows: self,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Empties the batch, keeping its memory for the next one.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
    }

    pub fn get(&self, i: usize) -> PreparedRow<'_> {
        self.get_span(self.rows[i])
    }

    fn get_span(&self, span: Span) -> PreparedRow<'_> {
        let first = span.first as usize;
        PreparedRow {
            kind: span.kind,
            text: &self.text,
            start: span.start,
            ends: &self.ends[first..first + span.cells as usize],
            changed: span.changed,
        }
    }
}

/// Appends one row's cells to a [`PreparedRows`], marking those that differ from the row before.
struct RowWriter<'r> {
    rows: &'r mut PreparedRows,
    span: Span,
    previous: Option<Span>,
    /// Where the previous row's cell of the same position starts in `text`, and its index in `ends`.
    previous_start: usize,
    previous_cell: usize,
    skip: &'r [usize],
    /// The record's column of the next cell (skipped ones included).
    column: usize,
}

impl RowWriter<'_> {
    fn cell(&mut self, cell: &str) {
        let column = self.column;
        self.column += 1;
        if self.skip.contains(&column) {
            return;
        }
        let rows = &mut *self.rows;
        let i = self.span.cells;
        // Compared here, on the reader thread, so that the writer rebinds only what changed.
        if self.previous.is_some() {
            let end = rows.ends.get(self.previous_cell).map_or(0, |&e| e as usize);
            if i >= 64 || rows.text.as_bytes().get(self.previous_start..end) != Some(cell.as_bytes()) {
                self.span.changed |= 1u64.checked_shl(i).unwrap_or(0);
            }
            (self.previous_start, self.previous_cell) = (end, self.previous_cell + 1);
        }
        rows.text.push_str(cell);
        rows.ends.push(rows.text.len() as u32);
        self.span.cells += 1;
    }

    fn end(mut self) {
        if self.span.cells > 64 || self.previous.is_some_and(|p| p.cells != self.span.cells) {
            self.span.changed = u64::MAX;
        }
        self.rows.rows.push(self.span);
    }
}

/// One record of a [`PreparedRows`] batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreparedRow<'a> {
    pub kind: RecordKind,
    text: &'a str,
    start: u32,
    ends: &'a [u32],
    changed: u64,
}

impl<'a> PreparedRow<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        let start = if i == 0 { self.start } else { self.ends[i - 1] } as usize;
        &self.text[start..self.ends[i] as usize]
    }

    /// The cells that may differ from the row before in the batch (all of them for the first
    /// row, or with `all`), with their positions: the writer binds these and skips the rest.
    pub fn changed_cells(&self, all: bool) -> impl Iterator<Item = (usize, &'a str)> + use<'a> {
        let row = *self;
        let mut mask = if all { u64::MAX } else { self.changed };
        if row.len() < 64 {
            mask &= (1u64 << row.len()) - 1;
        }
        let bits = std::iter::from_fn(move || {
            let i = mask.trailing_zeros() as usize;
            mask &= mask.wrapping_sub(1);
            (i < 64).then_some(i)
        });
        // A row of more than 64 cells is marked all changed (see `RowWriter::end`).
        bits.chain(64..row.len().max(64)).map(move |i| (i, row.get(i)))
    }

    /// The record's identifier: the first cell.
    pub fn key(&self) -> &'a str {
        self.get(0)
    }

    pub fn cells(&self) -> impl Iterator<Item = &'a str> + 'a {
        let text = self.text;
        let mut start = self.start as usize;
        self.ends.iter().map(move |&end| {
            let cell = &text[start..end as usize];
            start = end as usize;
            cell
        })
    }
}
