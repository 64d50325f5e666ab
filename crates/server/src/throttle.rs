//! Repeated failed logins slow an attacker down: after [`MAX_FAILURES`] failures within
//! [`WINDOW`] for one account, or from one address, further attempts are refused until the
//! window has passed.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct Throttle {
    /// Per key (`user:NAME`, `addr:IP`): failures and when the first of them happened.
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Whether an attempt with these keys may be checked now.
    pub fn allows(&self, keys: &[String]) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        failures.retain(|_, (_, first)| now.duration_since(*first) < WINDOW);
        keys.iter().all(|k| failures.get(k).is_none_or(|(n, _)| *n < MAX_FAILURES))
    }

    pub fn failed(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            failures.entry(key.clone()).or_insert((0, Instant::now())).0 += 1;
        }
    }

    /// A successful login forgets the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(account);
    }
}
