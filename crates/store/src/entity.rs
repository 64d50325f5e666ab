//! How each record kind is laid out as a table: its columns are the exchange format's columns
//! (so that a stored row reads like the file it came from), plus the batch that last wrote it.

use std::borrow::Cow;

use vigie_core::records::{alert_schema, violation_schema};
use vigie_core::{Alert, Catalog, RiskAnswer, Violation};

use crate::RecordKind;

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
        Entity::new("violations", "violation_id", violation_schema().names().map(str::to_owned).collect())
    }

    pub fn alerts() -> Entity {
        Entity::new("alerts", "alert_id", alert_schema().names().map(str::to_owned).collect())
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

/// A record in the text form its table stores, built off the storing thread: one string and
/// the end of each cell in it, so that handing it over costs two allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRow {
    pub kind: RecordKind,
    text: String,
    ends: Vec<u32>,
}

impl PreparedRow {
    pub fn violation(v: &Violation, catalog: &Catalog) -> PreparedRow {
        PreparedRow::from_cells(RecordKind::Violations, &v.fields(catalog))
    }

    pub fn alert(a: &Alert, catalog: &Catalog) -> PreparedRow {
        PreparedRow::from_cells(RecordKind::Alerts, &a.fields(catalog))
    }

    /// Answers are kept as `Q01=CODE;Q02=CODE…`, the questions of the month's definition only
    /// (see [`Entity::risk_answers`]).
    pub fn risk_answer(answer: &RiskAnswer, catalog: &Catalog) -> PreparedRow {
        let fields = answer.fields(catalog);
        let codes = catalog.risk.question_codes();
        let answers: Vec<String> = codes
            .iter()
            .zip(&fields[3..3 + codes.len()])
            .filter(|(_, option)| !option.is_empty())
            .map(|(q, option)| format!("{q}={option}"))
            .collect();
        let answers = Cow::Owned(answers.join(";"));
        let cells = [&fields[0], &fields[1], &fields[2], &answers, &fields[3 + codes.len()]];
        PreparedRow::from_cells(RecordKind::RiskAnswers, &cells.map(|c| c.clone()))
    }

    fn from_cells(kind: RecordKind, cells: &[Cow<'_, str>]) -> PreparedRow {
        let mut text = String::with_capacity(cells.iter().map(|c| c.len()).sum());
        let mut ends = Vec::with_capacity(cells.len());
        for cell in cells {
            text.push_str(cell);
            ends.push(text.len() as u32);
        }
        PreparedRow { kind, text, ends }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The record's identifier: the first cell.
    pub fn key(&self) -> &str {
        self.get(0)
    }

    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}
