//! Which stored records to read, and one record written as an import of its own (the API's
//! writes). The record itself (`Record`, `RecordKind`, their schemas) is the core's.

use vigie_core::{Catalog, Record};

use crate::{Actor, BatchSource, Counts, Outcome, PreparedRows, Result, Store};

/// Which stored records to read.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    /// The one with this id.
    Id(&'a str),
    /// Those with these storage keys (violations the aggregation layer selected), in that order.
    Keys(&'a [u32]),
    /// Every one of an organisation, or of all (`None`), in storage order.
    Organization(Option<&'a str>),
    /// Those whose last write was import batch `batch`, after storage key `after`, of an
    /// organisation or of all: the first `limit` in storage order (a page of the change feed).
    Batch { batch: i64, after: u32, organization: Option<&'a str>, limit: u32 },
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
