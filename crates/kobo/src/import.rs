//! Exports imported: converted through a mapping, then through the import's own rules, all at
//! once. Used by `vigie import kobo` and the web import page.

use std::collections::HashSet;
use std::path::PathBuf;

use vigie_core::Catalog;
use vigie_import::{ImportError, Options, Replace, Report};
use vigie_place::Placer;
use vigie_store::{RecordKind, Store};

use crate::KoboError;
use crate::convert::{Converted, KoboRowError, convert};
use crate::export::Export;
use crate::mapping::Mapping;

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum KoboImportError {
    #[error(transparent)]
    Kobo(#[from] KoboError),
    /// Broken rules, located in the exports; `more` were not listed.
    #[error("{}", invalid_message(.errors, *.more))]
    Invalid { errors: Vec<KoboRowError>, more: u64 },
    #[error(transparent)]
    Import(ImportError),
    #[error("{0}")]
    Other(String),
}

fn invalid_message(errors: &[KoboRowError], more: u64) -> String {
    let advice = "Nothing was imported: fix these submissions (or the mapping) and import the export(s) again.";
    vigie_import::error_list(errors, more, advice)
}

/// What an import of exports did, and the placing warnings it met.
pub struct KoboReport {
    pub report: Report,
    pub warnings: Vec<String>,
}

/// Converts the exports (files read from their path, named by their name), then imports them
/// all at once. Any error in any export, the conversion's (a choice, a place) or the import's
/// (a rule), stops everything. With `sync`, the form's earlier rows whose submissions are gone
/// from the exports are deleted.
pub fn import(
    store: &mut dyn Store,
    catalog: &Catalog,
    files: &[(PathBuf, String)],
    mapping: &Mapping,
    sync: bool,
    options: &Options,
    limits: &crate::bounds::Limits,
) -> Result<KoboReport, KoboImportError> {
    let exports = crate::export::read_named(files, limits)?;
    import_exports(store, catalog, &exports, mapping, sync, options)
}

/// Imports exports already read (or fetched from the KoBo API), as [`import`] does.
pub fn import_exports(
    store: &mut dyn Store,
    catalog: &Catalog,
    exports: &[Export],
    mapping: &Mapping,
    sync: bool,
    options: &Options,
) -> Result<KoboReport, KoboImportError> {
    let placer = Placer::new(&catalog.geography).map_err(|e| KoboImportError::Other(e.to_string()))?;
    let mut converted: Vec<Converted> = exports.iter().map(|e| convert(e, mapping, catalog, &placer)).collect();
    let warnings: Vec<String> = converted.iter().flat_map(|c| c.warnings.iter().cloned()).collect();
    // Rows that could not be converted are errors; the others still go through the import's
    // rules (without writing), so that one pass lists every error.
    let errors: Vec<KoboRowError> = converted.iter().flat_map(|c| c.errors.iter().cloned()).collect();

    // Each export's violations go through the import as an exchange-format file, named after
    // the export in messages and in its batch.
    let folder = tempfile::tempdir().map_err(|e| KoboImportError::Other(format!("a temporary folder: {e}")))?;
    let mut sources = Vec::new();
    for (i, c) in converted.iter_mut().enumerate() {
        let path = folder.path().join(format!("export-{i}.csv"));
        let written = std::fs::File::create(&path).and_then(|file| c.write_csv(std::io::BufWriter::new(file)));
        written.map_err(|e| KoboImportError::Other(format!("{}: {e}", path.display())))?;
        sources.push((path, exports[i].file.clone()));
    }
    // `Mapping::parse` refuses a mapping without a form id: every row of the form has it.
    let prefix = format!("{}:", mapping.form.id);
    let submissions: HashSet<String> =
        converted.iter().flat_map(|c| &c.submission_ids).map(|id| format!("{prefix}{id}")).collect();
    let dry_run = options.dry_run || !errors.is_empty();
    let options = Options { replace: Some(Replace { prefix, submissions, sync }), dry_run, ..options.clone() };
    let (mut errors, more) =
        match vigie_import::import_named(store, catalog, RecordKind::Violations, &sources, &options, &mut |_| {}) {
            Ok(report) if errors.is_empty() => return Ok(KoboReport { report, warnings }),
            Ok(_) => (errors, 0),
            Err(ImportError::Invalid { errors: found, more }) => {
                // The import's errors, located in the exports: sheet, line and form field.
                let located = found.into_iter().map(|e| {
                    let export = sources.iter().position(|(_, name)| *name == e.file).unwrap_or(0);
                    converted[export].locate(e)
                });
                (errors.into_iter().chain(located).collect(), more)
            }
            Err(e) => return Err(KoboImportError::Import(e)),
        };
    errors.sort_by(|a, b| (&a.file, &a.sheet, a.line).cmp(&(&b.file, &b.sheet, b.line)));
    Err(limited(errors, options.max_errors, more))
}

/// At most `max` errors, the rest counted; a submission's field repeats on each of its
/// violations, so it is said once.
fn limited(mut errors: Vec<KoboRowError>, max: usize, more: u64) -> KoboImportError {
    errors.dedup();
    let shown = errors.len().min(max);
    let more = more + (errors.len() - shown) as u64;
    errors.truncate(shown);
    KoboImportError::Invalid { errors, more }
}
