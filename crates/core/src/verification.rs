//! Whether an IM officer has checked a violation: the status every violation carries, and the
//! rule for changing it. Modelled on Primero MRM's verification status, reduced to what a
//! protection cluster decides: reported (pending), verified, not verified, rejected (with why).
//! Rejected violations leave every count; the others all count.

/// A violation's verification status. `reported` on entry and import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Verification {
    /// Pending verification.
    #[default]
    Reported,
    Verified,
    /// Could not be verified.
    NotVerified,
    /// Did not occur, or not a protection violation ([`Rejection`]).
    Rejected,
}

/// Why a violation was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejection {
    DidNotOccur,
    NotAProtectionViolation,
}

/// A status with its reason, as it is decided and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Decision {
    pub status: Verification,
    /// Set exactly when the status is [`Verification::Rejected`].
    pub reason: Option<Rejection>,
}

impl Verification {
    pub const ALL: [Verification; 4] =
        [Verification::Reported, Verification::Verified, Verification::NotVerified, Verification::Rejected];

    /// The code stored, exchanged and written in filters (`verification=verified`).
    pub fn code(self) -> &'static str {
        match self {
            Verification::Reported => "reported",
            Verification::Verified => "verified",
            Verification::NotVerified => "not_verified",
            Verification::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<Verification> {
        Verification::ALL.into_iter().find(|v| v.code() == code)
    }

    /// Its place in [`Verification::ALL`] (the aggregation layer's column holds it).
    pub fn index(self) -> u8 {
        self as u8
    }

    pub fn from_index(index: u8) -> Option<Verification> {
        Verification::ALL.get(usize::from(index)).copied()
    }

    /// Whether a violation of this status is counted by the tables and the report.
    pub fn counted(self) -> bool {
        self != Verification::Rejected
    }

    /// The message id of its label (the message catalogs hold the words).
    pub fn label_id(self) -> String {
        format!("verification-{}", self.code().replace('_', "-"))
    }
}

impl Rejection {
    pub const ALL: [Rejection; 2] = [Rejection::DidNotOccur, Rejection::NotAProtectionViolation];

    pub fn code(self) -> &'static str {
        match self {
            Rejection::DidNotOccur => "did_not_occur",
            Rejection::NotAProtectionViolation => "not_a_protection_violation",
        }
    }

    pub fn parse(code: &str) -> Option<Rejection> {
        Rejection::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_id(self) -> String {
        format!("rejection-{}", self.code().replace('_', "-"))
    }
}

impl Decision {
    /// A status and reason as they are written (an API body, a command line, a decisions file):
    /// a reason is required for `rejected` and refused for any other status. The error says
    /// what was expected.
    pub fn parse(status: &str, reason: Option<&str>) -> Result<Decision, String> {
        let codes = |all: &mut dyn Iterator<Item = &'static str>| all.collect::<Vec<_>>().join(", ");
        let status = Verification::parse(status.trim()).ok_or_else(|| {
            format!(
                "unknown verification status `{status}`: expected one of {}",
                codes(&mut Verification::ALL.iter().map(|v| v.code()))
            )
        })?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        match (status, reason) {
            (Verification::Rejected, None) => Err(format!(
                "a rejection needs its reason: one of {}",
                codes(&mut Rejection::ALL.iter().map(|r| r.code()))
            )),
            (Verification::Rejected, Some(reason)) => {
                let reason = Rejection::parse(reason).ok_or_else(|| {
                    format!(
                        "unknown rejection reason `{reason}`: expected one of {}",
                        codes(&mut Rejection::ALL.iter().map(|r| r.code()))
                    )
                })?;
                Ok(Decision { status, reason: Some(reason) })
            }
            (_, Some(reason)) => {
                Err(format!("a reason (`{reason}`) goes only with the status rejected, not {}", status.code()))
            }
            (_, None) => Ok(Decision { status, reason: None }),
        }
    }

    /// As stored: the status's code and the reason's, if any.
    pub fn codes(self) -> (&'static str, Option<&'static str>) {
        (self.status.code(), self.reason.map(Rejection::code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_goes_with_a_rejection_and_only_with_it() {
        assert_eq!(Decision::parse("verified", None), Ok(Decision { status: Verification::Verified, reason: None }));
        assert_eq!(
            Decision::parse("rejected", Some("did_not_occur")),
            Ok(Decision { status: Verification::Rejected, reason: Some(Rejection::DidNotOccur) })
        );
        assert!(Decision::parse("rejected", None).expect_err("refused").contains("did_not_occur"));
        assert!(Decision::parse("rejected", Some("bored")).expect_err("refused").contains("bored"));
        assert!(Decision::parse("verified", Some("did_not_occur")).expect_err("refused").contains("only with"));
        assert!(Decision::parse("checked", None).expect_err("refused").contains("not_verified"));
        for v in Verification::ALL {
            assert_eq!(Verification::parse(v.code()), Some(v));
            assert_eq!(Verification::from_index(v.index()), Some(v));
        }
    }
}
