//! How each record kind is laid out as a table: its columns are the exchange format's columns
//! (so that a stored row reads like the file it came from), plus the batch that last wrote it.

use std::borrow::Cow;

use vigie_core::records::{alert_schema, violation_schema};
use vigie_core::{Alert, Catalog, RiskAnswer, Violation};

pub(crate) struct Entity {
    pub table: &'static str,
    /// The record's stable identifier; also the audit log's entity name.
    pub key: &'static str,
    pub columns: Vec<String>,
}

impl Entity {
    pub fn violations() -> Entity {
        Entity {
            table: "violations",
            key: "violation_id",
            columns: violation_schema().names().map(str::to_owned).collect(),
        }
    }

    pub fn alerts() -> Entity {
        Entity {
            table: "alerts",
            key: "alert_id",
            columns: alert_schema().names().map(str::to_owned).collect(),
        }
    }

    /// Answers are kept as `Q01=CODE;Q02=CODE…` so that a cluster's own questionnaire needs no
    /// schema change, and a stored answer keeps the option codes it was given.
    pub fn risk_answers() -> Entity {
        let columns = [
            "answer_id",
            "month",
            "admin3_pcode",
            "answers",
            "organization",
        ];
        Entity {
            table: "risk_answers",
            key: "answer_id",
            columns: columns.map(str::to_owned).to_vec(),
        }
    }

    pub fn organization_column(&self) -> usize {
        self.columns
            .iter()
            .position(|c| c == "organization")
            .unwrap_or(0)
    }

    pub fn insert_sql(&self) -> String {
        let marks = vec!["?"; self.columns.len() + 1].join(", ");
        format!(
            "INSERT INTO {} ({}, batch_id) VALUES ({marks}) ON CONFLICT({}) DO NOTHING",
            self.table,
            self.columns.join(", "),
            self.key
        )
    }

    pub fn select_sql(&self) -> String {
        format!(
            "SELECT {}, batch_id FROM {} WHERE {} = ?1",
            self.columns.join(", "),
            self.table,
            self.key
        )
    }

    pub fn update_sql(&self) -> String {
        let sets: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        let n = self.columns.len();
        format!(
            "UPDATE {} SET {}, batch_id = ?{} WHERE {} = ?{}",
            self.table,
            sets.join(", "),
            n + 1,
            self.key,
            n + 2
        )
    }
}

pub(crate) fn risk_answer_row<'a>(
    answer: &'a RiskAnswer,
    catalog: &'a Catalog,
) -> Vec<Cow<'a, str>> {
    let fields = answer.fields(catalog);
    let questions = &catalog.risk.questions;
    let answers: Vec<String> = questions
        .iter()
        .zip(&fields[3..3 + questions.len()])
        .map(|(q, option)| format!("{}={option}", q.code))
        .collect();
    vec![
        fields[0].clone(),
        fields[1].clone(),
        fields[2].clone(),
        Cow::Owned(answers.join(";")),
        fields[3 + questions.len()].clone(),
    ]
}

pub(crate) fn violation_row<'a>(v: &'a Violation, catalog: &'a Catalog) -> Vec<Cow<'a, str>> {
    v.fields(catalog)
}

pub(crate) fn alert_row<'a>(a: &'a Alert, catalog: &'a Catalog) -> Vec<Cow<'a, str>> {
    a.fields(catalog)
}
