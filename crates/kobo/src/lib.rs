//! KoBoToolbox and ODK: what partners' monitors really collect, read into violations.
//!
//! Field monitors collect with XLSForm forms on phones; partners export what they collected.
//! [`form::XlsForm::vigie`] is Vigie's own form. [`export::read`] reads exports (KoBo XLSX with
//! one sheet per repeat group, KoBo and ODK Central CSV, KoBo API v2 JSON) into sheets;
//! [`convert::convert`] turns them, through a [`mapping::Mapping`], into exchange-format
//! violations that the import validates like any file: one per submission, victim and subtype,
//! with ids derived from the submission's stable id so a newer export updates what was edited.

pub mod bounds;
pub mod collect;
pub mod convert;
pub mod export;
pub mod fetch;
pub mod form;
pub mod import;
pub mod mapping;
pub mod table;
pub mod write;
pub mod xform;

/// A file that could not be read or written, or a mapping that does not hold.
#[derive(Debug, thiserror::Error)]
pub enum KoboError {
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: {message}")]
    Form { file: String, message: String },
    #[error("{file}: {message}")]
    Mapping { file: String, message: String },
    #[error("{file}: {message}")]
    Write { file: String, message: String },
    /// Larger than the limits allow ([`bounds::Limits`]), or a zip bomb.
    #[error("{file}: too large: {message}")]
    TooLarge { file: String, message: String },
}

impl KoboError {
    /// The same error, about the file as the user named it (a temporary file's upload).
    pub fn named(self, name: &str) -> KoboError {
        match self {
            KoboError::Read { message, .. } => KoboError::Read { file: name.to_owned(), message },
            KoboError::TooLarge { message, .. } => KoboError::TooLarge { file: name.to_owned(), message },
            other => other,
        }
    }
}
