//! How each record kind is laid out as a table: its columns are the exchange format's columns
//! (so that a stored row reads like the file it came from), plus the batch that last wrote it.

use std::borrow::Cow;

use std::sync::LazyLock;

use vigie_core::records::{Schema, alert_schema, violation_schema};
use vigie_core::{Alert, Catalog, RiskAnswer, Violation};

use crate::RecordKind;

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
    pub fn push_violation(&mut self, v: &Violation, catalog: &Catalog) {
        self.push(RecordKind::Violations, &v.fields(catalog), &DERIVED_CELLS[0]);
    }

    pub fn push_alert(&mut self, a: &Alert, catalog: &Catalog) {
        self.push(RecordKind::Alerts, &a.fields(catalog), &DERIVED_CELLS[1]);
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
        let answers = Cow::Owned(answers.join(";"));
        let cells = [&fields[0], &fields[1], &fields[2], &answers, &fields[3 + codes.len()]];
        self.push(RecordKind::RiskAnswers, &cells.map(|c| c.clone()), &[]);
    }

    /// Appends a row of `cells`, leaving out those at `skip` (derived, not stored).
    fn push(&mut self, kind: RecordKind, cells: &[Cow<'_, str>], skip: &[usize]) {
        let previous = self.rows.last().copied().filter(|p| p.kind == kind);
        let first = self.ends.len();
        let start = self.text.len() as u32;
        // Compared here, on the reader thread, so that the writer rebinds only what changed.
        let mut changed = if previous.is_none() { u64::MAX } else { 0 };
        let (mut previous_start, mut previous_cell) = previous.map_or((0, 0), |p| (p.start as usize, p.first as usize));
        for (i, cell) in cells.iter().enumerate().filter(|(i, _)| !skip.contains(i)).map(|(_, c)| c).enumerate() {
            if previous.is_some() {
                let end = self.ends.get(previous_cell).map_or(0, |&e| e as usize);
                if i >= 64 || self.text.as_bytes().get(previous_start..end) != Some(cell.as_bytes()) {
                    changed |= 1u64.checked_shl(i as u32).unwrap_or(0);
                }
                (previous_start, previous_cell) = (end, previous_cell + 1);
            }
            self.text.push_str(cell);
            self.ends.push(self.text.len() as u32);
        }
        let cells = (self.ends.len() - first) as u32;
        if cells > 64 || previous.is_some_and(|p| p.cells != cells) {
            changed = u64::MAX;
        }
        self.rows.push(Span { kind, start, first: first as u32, cells, changed });
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

    pub fn get(&self, i: usize) -> &'a str {
        let start = if i == 0 { self.start } else { self.ends[i - 1] } as usize;
        &self.text[start..self.ends[i] as usize]
    }

    /// Whether cell `i` may differ from the row before it in its batch (always, for the first).
    pub fn changed(&self, i: usize) -> bool {
        i >= 64 || self.changed & (1 << i) != 0
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
