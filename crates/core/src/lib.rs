//! Vigie's domain core.
//!
//! Everything here is pure: reference lists and geography are parsed from text embedded in the
//! binary (or handed in by the caller), records are validated against them, and nothing reads a
//! file, a clock or a database. The "today" that a rule such as "not in the future" needs is a
//! parameter, so that every rule can be tested with a fixed date.

pub mod aggregate;
pub mod catalog;
pub mod duplicates;
pub mod geography;
pub mod month;
pub mod publication;
pub mod records;
pub mod reference;
pub mod risk;
pub mod roles;
pub mod spreadsheet;
pub mod verification;

pub use catalog::Catalog;
pub use geography::{CommuneId, Geography, RegionId};
pub use month::Month;
pub use publication::{LateReports, Lock, MonthState, Publication, Reopening};
pub use records::{Alert, EventType, FieldError, Record, RecordKind, RiskAnswer, Rule, Violation};
pub use reference::{ByList, CodeList, Label, ListKind, Typology};
pub use risk::{RiskDefinition, RiskIndex, RiskVersion};
pub use roles::Role;
pub use verification::{Decision, Rejection, Verification};

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
    Ok(read_csv(file, text, expected_header, None)?.into_iter().map(|(row, _)| row).collect())
}

/// [`read_reference_csv`], with each row's text in every language the file gives: the columns
/// named `{prefix}{language}` (`label_fr`, `label_en`, …). A language is added with a column.
pub(crate) fn read_labelled_csv(
    file: &str,
    text: &str,
    expected_header: &[&str],
    prefix: &str,
) -> Result<Vec<(Vec<String>, Label)>, ReferenceError> {
    read_csv(file, text, expected_header, Some(prefix))
}

fn read_csv(
    file: &str,
    text: &str,
    expected_header: &[&str],
    label_prefix: Option<&str>,
) -> Result<Vec<(Vec<String>, Label)>, ReferenceError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().map_err(|source| ReferenceError::Csv { file: file.to_owned(), source })?.clone();
    let languages: Vec<(usize, String)> = label_prefix.map_or_else(Vec::new, |prefix| {
        header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.strip_prefix(prefix).filter(|l| !l.is_empty()).map(|l| (i, l.to_owned())))
            .collect()
    });
    if let Some(prefix) = label_prefix
        && languages.is_empty()
    {
        return Err(ReferenceError::Invalid {
            file: file.to_owned(),
            line: 1,
            message: format!("no `{prefix}<language>` column (e.g. `{prefix}fr`)"),
        });
    }
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
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let label = Label::new(languages.iter().map(|(i, language)| (language.clone(), cell(*i))));
        rows.push((positions.iter().map(|&i| cell(i)).collect(), label));
    }
    Ok(rows)
}

pub(crate) fn invalid(file: &str, line: u64, message: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid { file: file.to_owned(), line, message: message.into() }
}
