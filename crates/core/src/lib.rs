//! Vigie's domain core.
//!
//! Everything here is pure: reference lists and geography are parsed from text embedded in the
//! binary (or handed in by the caller), records are validated against them, and nothing reads a
//! file, a clock or a database. The "today" that a rule such as "not in the future" needs is a
//! parameter, so that every rule can be tested with a fixed date.

pub mod aggregate;
pub mod catalog;
pub mod geography;
pub mod month;
pub mod records;
pub mod reference;
pub mod risk;

pub use catalog::Catalog;
pub use geography::{CommuneId, Geography, RegionId};
pub use month::Month;
pub use records::{Alert, EventType, FieldError, RiskAnswer, Violation};
pub use reference::{ByList, CodeList, ListKind, Typology};
pub use risk::{RiskDefinition, RiskIndex, RiskVersion};

/// A reference file that does not parse: only raised for data handed in by a user (the embedded
/// copies are checked by tests), so it names the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("{file}, line {line}: {message}")]
    Invalid { file: String, line: u64, message: String },
    #[error("{file}: {source}")]
    Csv {
        file: String,
        #[source]
        source: csv::Error,
    },
}

/// Reads an embedded or user-supplied reference CSV into records, with the header checked.
pub(crate) fn read_reference_csv(
    file: &str,
    text: &str,
    expected_header: &[&str],
) -> Result<Vec<Vec<String>>, ReferenceError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().map_err(|source| ReferenceError::Csv { file: file.to_owned(), source })?.clone();
    for name in expected_header {
        if !header.iter().any(|h| h == *name) {
            return Err(ReferenceError::Invalid {
                file: file.to_owned(),
                line: 1,
                message: format!("missing column `{name}`"),
            });
        }
    }
    let positions: Vec<usize> =
        expected_header.iter().map(|name| header.iter().position(|h| h == *name).unwrap_or_default()).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| ReferenceError::Csv { file: file.to_owned(), source })?;
        rows.push(positions.iter().map(|&i| record.get(i).unwrap_or("").trim().to_owned()).collect());
    }
    Ok(rows)
}

pub(crate) fn invalid(file: &str, line: u64, message: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid { file: file.to_owned(), line, message: message.into() }
}
