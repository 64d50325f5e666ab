//! A record of any kind, so that what is the same for violations, flash alerts and risk
//! answers — parsing an exchange-format row, reading one back, writing one through the API,
//! scoping it to its organisation — is written once.

use chrono::NaiveDate;
use vigie_core::records::{Schema, alert_schema, risk_answer_schema, violation_schema};
use vigie_core::{Alert, Catalog, CommuneId, FieldError, RiskAnswer, Violation};

use crate::{Actor, BatchSource, Counts, Outcome, PreparedRows, RecordKind, Result, Store};

/// One stored record of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Violation(Violation),
    Alert(Alert),
    RiskAnswer(RiskAnswer),
}

/// The columns of a kind's exchange format (DATA-FORMATS.md), in file order.
pub fn schema(kind: RecordKind, catalog: &Catalog) -> Schema {
    match kind {
        RecordKind::Violations => violation_schema(),
        RecordKind::Alerts => alert_schema(),
        RecordKind::RiskAnswers => risk_answer_schema(catalog),
    }
}

impl Record {
    /// Parses a row aligned with [`schema`] with the import's rules.
    pub fn parse(
        kind: RecordKind,
        values: &[Option<&str>],
        catalog: &Catalog,
        today: NaiveDate,
    ) -> std::result::Result<Record, Vec<FieldError>> {
        Ok(match kind {
            RecordKind::Violations => Record::Violation(Violation::parse(values, catalog, today)?),
            RecordKind::Alerts => Record::Alert(Alert::parse(values, catalog, today)?),
            RecordKind::RiskAnswers => Record::RiskAnswer(RiskAnswer::parse(values, catalog, today)?),
        })
    }

    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Violation(_) => RecordKind::Violations,
            Record::Alert(_) => RecordKind::Alerts,
            Record::RiskAnswer(_) => RecordKind::RiskAnswers,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Violation(v) => &v.id,
            Record::Alert(a) => &a.id,
            Record::RiskAnswer(r) => &r.id,
        }
    }

    /// The partner organisation that documented it: the unit of record scoping.
    pub fn organization(&self) -> &str {
        match self {
            Record::Violation(v) => &v.organization,
            Record::Alert(a) => &a.organization,
            Record::RiskAnswer(r) => &r.organization,
        }
    }

    pub fn commune(&self) -> CommuneId {
        match self {
            Record::Violation(v) => v.commune,
            Record::Alert(a) => a.commune,
            Record::RiskAnswer(r) => r.commune,
        }
    }

    /// The days it covers: the incident's or alert's date, or a risk answer's whole month.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Record::Violation(v) => (v.incident_date, v.incident_date),
            Record::Alert(a) => (a.date, a.date),
            Record::RiskAnswer(r) => (r.month.first_day(), r.month.last_day()),
        }
    }

    /// The record as a row of its exchange format, aligned with [`schema`].
    pub fn fields(&self, catalog: &Catalog) -> Vec<String> {
        match self {
            Record::Violation(v) => v.fields(catalog),
            Record::Alert(a) => a.fields(catalog),
            Record::RiskAnswer(r) => r.fields(catalog),
        }
    }
}

/// Which stored records to read.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    /// The one with this id.
    Id(&'a str),
    /// Those with these storage keys (violations the aggregation layer selected), in that order.
    Keys(&'a [u32]),
    /// Every one of an organisation, or of all (`None`), in storage order.
    Organization(Option<&'a str>),
}

/// Writes one record as an import of its own (validated by the caller with the import's rules),
/// by `actor`: inserted or updated with its audit entry and its place in the change feed, or
/// nothing when it changes nothing.
pub fn put_record(
    store: &mut dyn Store,
    catalog: &Catalog,
    record: &Record,
    owner: Option<&str>,
    actor: &Actor,
) -> Result<Outcome> {
    let mut rows = PreparedRows::default();
    rows.push_record(record, catalog);
    let mut session = store.import()?;
    session.act_as(actor);
    // A partner's write: the stored record's owner is checked in this write's transaction.
    if let Some(owner) = owner {
        session.restrict_to(owner);
    }
    session.bind_geography(&catalog.geography.name)?;
    session.begin_file(&BatchSource { kind: record.kind(), file_name: "(api)".into() })?;
    let mut outcomes = Vec::with_capacity(1);
    session.put(&rows, &mut outcomes)?;
    let outcome = outcomes.first().copied().unwrap_or(Outcome::Unchanged);
    let mut counts = Counts::default();
    counts.add(outcome);
    session.end_file(&counts, "")?;
    if counts.changed() {
        session.commit()?;
    }
    Ok(outcome)
}
