//! Signing a month off, for the command line, the API and the pages alike: the month's report is
//! made from the aggregation layer's facts in every language and edition, then stored as the
//! month's next published version in one transaction, which also locks the month.

use vigie_core::aggregate::{Disclosure, Filter, MinCount};
use vigie_core::{Catalog, Month, Publication};
use vigie_store::{Actor, LiveFacts, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot make the report: {0}")]
    Report(#[from] vigie_report::ReportError),
}

/// What analysts wrote for the month's report in the pages: its texts and recommendations.
pub fn written_inputs(store: &dyn Store, month: Month) -> Result<vigie_report::Inputs, StoreError> {
    Ok(vigie_report::Inputs::written(
        store.report_texts(month)?,
        store.recommendations(month)?.iter().map(vigie_store::Recommendation::row).collect(),
    ))
}

/// Signs `month` off with the data `live` holds (which must be the store's newest: a write in
/// between refuses the sign-off with [`StoreError::Busy`], and the caller may catch up and try
/// again). The public edition withholds figures as the disclosure rule does for a visitor, with
/// minimum count `k`.
pub fn sign_off(
    store: &mut dyn Store,
    catalog: &Catalog,
    live: &LiveFacts,
    month: Month,
    note: Option<&str>,
    k: MinCount,
    actor: &Actor,
) -> Result<Publication, PublishError> {
    // Refused at once rather than after seconds of typesetting.
    if let Some(locked) = store.publications(Some(month))?.last().filter(|p| p.locks()) {
        return Err(StoreError::Locked(locked.lock()).into());
    }
    let filter = Filter::default();
    let (tables, alerts) = vigie_store::month_tables(&*store, catalog, &live.facts, month, &filter)?;
    let inputs = written_inputs(&*store, month)?;
    let incidents = store.violations_between(catalog, month.first_day(), month.last_day())?;
    let annexes = vigie_report::Annexes::of_report(alerts, &live.facts, catalog, month);
    // A visitor sees no record: every counted record is hidden from it.
    let public = Disclosure::of(&tables, &tables, catalog, &filter, k);
    let files = vigie_report::report::published_files(&tables, catalog, &inputs, &incidents, &annexes, &public)?;
    Ok(store.sign_off(month, note, &files, live.version(), actor)?)
}
