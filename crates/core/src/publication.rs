//! A month's publication. An IM officer signs a month off: its report is frozen as a published
//! version, and the month's violations are locked (no edit, deletion or verification change)
//! until an admin reopens it. New violations for a locked month are still accepted, as *late*
//! reports: counted from then on, absent from the published version. A later sign-off
//! publishes the next version; earlier ones stay as they were.

use crate::Month;

/// One published version of a month, and whether it was reopened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub month: Month,
    pub version: u32,
    /// RFC 3339, UTC.
    pub signed_at: String,
    pub signed_by: String,
    pub note: Option<String>,
    /// The newest import batch when it was signed off: the month's violations written by a
    /// later batch are late reports (or, once reopened, changes since publication).
    pub last_batch: i64,
    pub reopened: Option<Reopening>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopening {
    pub at: String,
    pub by: String,
    pub reason: String,
}

impl Publication {
    /// Whether this version locks its month: the newest version, not reopened.
    pub fn locks(&self) -> bool {
        self.reopened.is_none()
    }

    pub fn lock(&self) -> Lock {
        Lock {
            month: self.month,
            version: self.version,
            signed_by: self.signed_by.clone(),
            signed_at: self.signed_at.clone(),
        }
    }
}

/// Where a month stands, from its newest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthState {
    /// Never signed off.
    Open,
    SignedOff,
    /// Signed off once at least, then reopened.
    Reopened,
}

impl MonthState {
    pub fn of(newest: Option<&Publication>) -> MonthState {
        match newest {
            None => MonthState::Open,
            Some(last) if last.locks() => MonthState::SignedOff,
            Some(_) => MonthState::Reopened,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MonthState::Open => "open",
            MonthState::SignedOff => "signed_off",
            MonthState::Reopened => "reopened",
        }
    }
}

/// Why a change was refused: its month is signed off (by whom, when, as which version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub month: Month,
    pub version: u32,
    pub signed_by: String,
    pub signed_at: String,
}

impl Lock {
    /// What the databases' lock triggers raise: this prefix, then the month, the version, the
    /// time and who, separated by `|` (who last, as a name may hold anything).
    pub const MARKER: &'static str = "vigie-month-locked|";

    /// A lock from a database error's message, wherever the marker is in it.
    pub fn from_message(message: &str) -> Option<Lock> {
        let rest = &message[message.find(Self::MARKER)? + Self::MARKER.len()..];
        let mut parts = rest.splitn(4, '|');
        let month = Month::parse(parts.next()?)?;
        let version = parts.next()?.parse().ok()?;
        let signed_at = parts.next()?.to_owned();
        // PostgreSQL may add context on lines of its own.
        let signed_by = parts.next()?.lines().next()?.to_owned();
        Some(Lock { month, version, signed_by, signed_at })
    }
}

/// Late reports: violations of a signed-off month written after its newest version was
/// published, of one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateReports {
    pub month: Month,
    pub organization: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_from_either_database_s_message() {
        let lock = Lock::from_message(
            "updating violations: vigie-month-locked|2021-11|2|2026-12-04T10:00:00Z|awa|ba\nCONTEXT: PL/pgSQL function",
        )
        .expect("a lock");
        assert_eq!(lock.month, Month::new(2021, 11).expect("month"));
        assert_eq!(
            (lock.version, lock.signed_at.as_str(), lock.signed_by.as_str()),
            (2, "2026-12-04T10:00:00Z", "awa|ba")
        );
        assert_eq!(Lock::from_message("UNIQUE constraint failed"), None);
    }

    #[test]
    fn a_month_s_state_is_its_newest_version_s() {
        let month = Month::new(2021, 11).expect("month");
        let v = |reopened: bool| Publication {
            month,
            version: 1,
            signed_at: String::new(),
            signed_by: "im".into(),
            note: None,
            last_batch: 0,
            reopened: reopened.then(|| Reopening { at: String::new(), by: "ad".into(), reason: "late data".into() }),
        };
        assert_eq!(MonthState::of(None), MonthState::Open);
        assert_eq!(MonthState::of(Some(&v(true))), MonthState::Reopened);
        assert_eq!(MonthState::of([v(true), v(false)].last()), MonthState::SignedOff);
    }
}
