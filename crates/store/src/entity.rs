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
    schema.names().map(|n| if DERIVED.contains(&n) { "CAST(NULL AS TEXT)" } else { n }).collect::<Vec<_>>().join(", ")
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

pub(crate) fn entity_of(kind: RecordKind) -> Entity {
    match kind {
        RecordKind::Violations => Entity::violations(),
        RecordKind::Alerts => Entity::alerts(),
        RecordKind::RiskAnswers => Entity::risk_answers(),
    }
}

/// A stored risk answer (`answer_id, month, admin3_pcode, answers, organization`) back as a row
/// of `risk_answers.csv`: `Q01=CODE;Q02=CODE…` spread over the questions' columns.
pub(crate) fn risk_answer_values<'t>(
    schema: &vigie_core::records::Schema,
    texts: &'t [Option<String>],
) -> Vec<Option<&'t str>> {
    let mut values: Vec<Option<&str>> = vec![None; schema.columns.len()];
    let text = |i: usize| texts.get(i).and_then(|t| t.as_deref());
    values[0] = text(0);
    values[1] = text(1);
    values[2] = text(2);
    for pair in text(3).unwrap_or("").split(';') {
        if let Some((question, option)) = pair.split_once('=')
            && let Some(i) = schema.columns.iter().position(|c| c.name == question)
        {
            values[i] = Some(option);
        }
    }
    values[schema.columns.len() - 1] = text(4);
    values
}

pub(crate) fn entity_index(kind: RecordKind) -> usize {
    match kind {
        RecordKind::Violations => 0,
        RecordKind::Alerts => 1,
        RecordKind::RiskAnswers => 2,
    }
}

/// The audit log's and batches' clock: RFC 3339 in UTC, to the second.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How a download's rows are laid out: the kind's exchange-format columns, of which the stored
/// ones are read (`select`, in `stored` order) and the region and cercle filled in from the
/// commune (`derive`). The same for both stores.
pub(crate) struct ExportLayout<'c> {
    pub width: usize,
    /// Each stored column's place in the row, in `select` order.
    pub stored: Vec<usize>,
    /// The stored columns, comma-separated.
    pub select: String,
    /// Where the region, cercle and commune are in the row.
    admin: [usize; 3],
    geography: &'c vigie_core::Geography,
}

impl<'c> ExportLayout<'c> {
    /// The most columns an exported kind has (violations: 20).
    pub const WIDEST: usize = 32;

    pub fn new(catalog: &'c Catalog, kind: RecordKind) -> crate::Result<ExportLayout<'c>> {
        let schema = crate::schema(kind, catalog);
        let names: Vec<&str> = schema.names().collect();
        if kind == RecordKind::RiskAnswers || names.len() > Self::WIDEST {
            return Err(crate::StoreError::Conflict(format!("{} are not exported row by row", kind.table())));
        }
        let stored: Vec<usize> = (0..names.len()).filter(|&i| !DERIVED.contains(&names[i])).collect();
        let select = stored.iter().map(|&i| names[i]).collect::<Vec<_>>().join(", ");
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap_or(0);
        Ok(ExportLayout {
            width: names.len(),
            stored,
            select,
            admin: [at("admin1_pcode"), at("admin2_pcode"), at("admin3_pcode")],
            geography: &catalog.geography,
        })
    }

    /// Fills in a row's region and cercle from its commune.
    pub fn derive<'a>(&self, cells: &mut [&'a [u8]])
    where
        'c: 'a,
    {
        let g: &'c vigie_core::Geography = self.geography;
        let [region, cercle, commune] = self.admin;
        let found =
            std::str::from_utf8(cells[commune]).ok().and_then(|p| g.commune_by_pcode(p)).map(|id| g.commune(id));
        if let Some(found) = found {
            cells[region] = g.region(found.region).code.as_bytes();
            cells[cercle] = g.cercles[found.cercle as usize].unit.pcode.as_bytes();
        }
    }
}

/// The query of the aggregation layer's load path: the storage key, the fixed coded columns, then
/// one per code list, of the violations `condition` selects, in key order.
pub(crate) fn coded_violations_sql(condition: &str) -> String {
    format!(
        "SELECT id, incident_id, incident_date, admin3_pcode, violation_code, organization,
                COALESCE(report_date, ''), COALESCE(latitude, ''), verification, COALESCE(duplicate_of, ''),
                CAST(batch_id AS TEXT), {}
         FROM violations
         WHERE {condition} ORDER BY id",
        vigie_core::ListKind::ALL.map(vigie_core::ListKind::column).join(", ")
    )
}

/// A row of [`coded_violations_sql`] as the aggregation layer reads it, its cells given by
/// `text(column)`.
pub(crate) fn coded_text<'r>(
    text: impl Fn(usize) -> crate::Result<&'r str>,
) -> crate::Result<vigie_core::aggregate::FactText<'r>> {
    let mut codes = vigie_core::ByList::default();
    for (i, (_, code)) in codes.iter_mut().enumerate() {
        *code = text(11 + i)?;
    }
    Ok(vigie_core::aggregate::FactText {
        incident_id: text(1)?,
        incident_date: text(2)?,
        admin3_pcode: text(3)?,
        violation_code: text(4)?,
        codes,
        organization: text(5)?,
        report_date: text(6)?,
        latitude: text(7)?,
        verification: text(8)?,
        duplicate_of: text(9)?,
        batch: text(10)?,
    })
}
