//! Repeated sign-in attempts slow an attacker down: an attempt is counted, per account and per
//! address, *before* its password is checked, in one atomic statement of the database that every
//! process serving it shares. So at most [`MAX_FAILURES`] attempts within [`WINDOW`] are ever
//! checked for one account or from one address, however many arrive at once; a successful
//! sign-in no longer counts, and forgets the account's failures.

use std::time::Duration;

pub const MAX_FAILURES: u64 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The keys an attempt is counted under.
pub(crate) fn keys(name: &str, client: Option<&str>) -> [String; 2] {
    [format!("user:{name}"), format!("addr:{}", client.unwrap_or("?"))]
}

/// When the current counting window began, at the latest (RFC 3339).
pub(crate) fn window_start() -> String {
    let window = chrono::Duration::from_std(WINDOW).unwrap_or(chrono::Duration::minutes(15));
    (chrono::Utc::now() - window).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
