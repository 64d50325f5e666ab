//! The one aggregation layer: every figure Vigie shows — report, dashboard, API, export — is
//! computed here, from coded violations, so that no two places can disagree.
//!
//! Violations are held as [`Facts`]: an in-memory columnar copy of their coded fields (a few
//! bytes each), sorted by day so that a month is a contiguous range. It is loaded at start and
//! kept in step with every write ([`Facts::upsert`]); there is no rebuild step.

mod disclosure;
mod facts;
mod filter;
mod monitoring;
mod select;
mod signals;
mod tables;

pub use disclosure::{Disclosure, MinCount, PUBLIC_FILTERS, Sight};
pub use facts::{Fact, FactText, Facts};
pub use filter::Filter;
pub use monitoring::{AlertTables, CommuneRisk, RiskTables};
pub use select::{Cursor, Ordered, PageRequest, Selection, SortBy, page_of};
pub use signals::{
    Sentinel, Shown, Signal, SignalKind, SignalRules, UnitLevel, disclose, month_signals, predictive_alpha, signals,
    upper_quantile,
};
pub use tables::{Late, MonthCounts, MonthTables, Ranked, share};

/// A date as the facts store it: days since 0001-01-01.
pub(crate) fn day_of(date: chrono::NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}
