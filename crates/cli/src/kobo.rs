//! `vigie import kobo`, `vigie form write` and `vigie mapping init`: KoBoToolbox and ODK exports
//! read into violations through a mapping, with the import's all-or-nothing rules.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use vigie_core::Catalog;
use vigie_import::{ImportError, Options, Replace, Report};
use vigie_kobo::convert::{Converted, KoboRowError, convert};
use vigie_kobo::export::Export;
use vigie_kobo::form::XlsForm;
use vigie_kobo::mapping::{self, Mapping};
use vigie_place::Placer;
use vigie_store::{RecordKind, Store};

/// What `vigie import kobo` reads, and how.
pub struct KoboImport<'a> {
    pub files: &'a [PathBuf],
    pub mapping: Option<&'a Path>,
    pub sync: bool,
}

/// Reads the mapping given, else Vigie's own form's.
fn read_mapping(path: Option<&Path>) -> Result<Mapping> {
    let Some(path) = path else { return Ok(Mapping::vigie()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Mapping::parse(&path.display().to_string(), &text)?)
}

/// Converts the exports, then imports them all at once. Any error in any export, whether the
/// conversion's (a choice, a place) or the import's (a rule), stops everything.
pub fn import(store: &mut dyn Store, catalog: &Catalog, what: &KoboImport<'_>, options: &Options) -> Result<Report> {
    let mapping = read_mapping(what.mapping)?;
    let placer = Placer::new(&catalog.geography).context("the geography's gazetteer")?;
    let exports: Vec<Export> = vigie_kobo::export::read(what.files)?;
    let form = if mapping.form.id.is_empty() {
        exports.iter().find_map(|e| e.form_id.clone()).context("the mapping names no form: add `[form] id`")?
    } else {
        mapping.form.id.clone()
    };
    let converted: Vec<Converted> = exports.iter().map(|e| convert(e, &mapping, catalog, &placer)).collect();
    for warning in converted.iter().flat_map(|c| &c.warnings) {
        eprintln!("warning: {warning}");
    }
    let errors: Vec<&KoboRowError> = converted.iter().flat_map(|c| &c.errors).collect();
    if !errors.is_empty() {
        fail(errors.into_iter().cloned().collect(), options.max_errors, 0)?;
    }

    // Each export's violations go through the import as an exchange-format file, named after
    // the export in messages and in its batch.
    let folder = tempfile::tempdir().context("cannot create a temporary folder")?;
    let mut sources = Vec::new();
    for (i, c) in converted.iter().enumerate() {
        let path = folder.path().join(format!("export-{i}.csv"));
        let file = std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        c.write_csv(std::io::BufWriter::new(file)).with_context(|| format!("cannot write {}", path.display()))?;
        sources.push((path, exports[i].file.clone()));
    }
    let prefix = format!("{form}:");
    let submissions: HashSet<String> =
        converted.iter().flat_map(|c| &c.submission_ids).map(|id| format!("{prefix}{id}")).collect();
    let options = Options { replace: Some(Replace { prefix, submissions, sync: what.sync }), ..options.clone() };
    match vigie_import::import_named(store, catalog, RecordKind::Violations, &sources, &options, &mut |_| {}) {
        Ok(report) => Ok(report),
        Err(ImportError::Invalid { errors, more }) => {
            // The import's errors, located in the exports: sheet, line and form field.
            let located = errors
                .into_iter()
                .map(|e| {
                    let export = sources.iter().position(|(_, name)| *name == e.file).unwrap_or(0);
                    let row = (e.line as usize).saturating_sub(2);
                    converted[export].locate(row, &e.column, e.value, e.expected)
                })
                .collect::<Vec<_>>();
            // A submission's field repeats on each of its violations: say it once.
            let mut located = located;
            located.dedup();
            fail(located, options.max_errors, more)
        }
        Err(e) => Err(e.into()),
    }
}

fn fail(errors: Vec<KoboRowError>, max: usize, more: u64) -> Result<Report> {
    let shown = errors.len().min(max);
    let mut text: Vec<String> = errors[..shown].iter().map(ToString::to_string).collect();
    let more = more + (errors.len() - shown) as u64;
    if more > 0 {
        text.push(format!("… and {more} more errors"));
    }
    text.push("Nothing was imported: fix these submissions (or the mapping) and import the export(s) again.".into());
    bail!("{}", text.join("\n"))
}

/// `vigie form write`: Vigie's own XLSForm.
pub fn write_form(catalog: &Catalog, out: &Path) -> Result<()> {
    XlsForm::vigie(catalog).write(out)?;
    println!(
        "wrote Vigie's protection-monitoring form ({}, version {}) to {}: deploy it on KoBoToolbox or ODK Central; its exports need no mapping",
        vigie_kobo::form::VIGIE_FORM_ID,
        vigie_kobo::form::VIGIE_FORM_VERSION,
        out.display()
    );
    Ok(())
}

/// `vigie mapping init`: a starting mapping for an XLSForm, and what it could not match.
pub fn init_mapping(catalog: &Catalog, form: &Path, out: Option<&Path>) -> Result<()> {
    let draft = mapping::init(&XlsForm::read(form)?, catalog);
    let text = draft.to_toml();
    match out {
        Some(path) => std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    let mapped = draft.mapping.fields.len();
    eprintln!(
        "{}: {mapped} fields mapped; {} required columns without a field, {} form fields and {} choices unmatched (listed at the top of the mapping)",
        form.display(),
        draft.unmatched_targets.len(),
        draft.unmatched_fields.len(),
        draft.unmatched_choices.len()
    );
    Ok(())
}

/// `vigie generate --kobo`: the generated `violations.csv` written again as an export of Vigie's
/// form, into `out/kobo/`.
pub fn write_sample_export(out: &Path, format: crate::cli::KoboFormat) -> Result<Vec<PathBuf>> {
    use crate::cli::KoboFormat;
    use vigie_kobo::write::Format;
    let source = out.join("violations.csv");
    let mut reader = csv::Reader::from_path(&source).with_context(|| format!("cannot read {}", source.display()))?;
    let rows = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect::<Vec<String>>()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot read {}", source.display()))?;
    let folder = out.join("kobo");
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let format = match format {
        KoboFormat::Xlsx => Format::Xlsx { separator: '/' },
        KoboFormat::XlsxDot => Format::Xlsx { separator: '.' },
        KoboFormat::Csv => Format::Csv,
        KoboFormat::Json => Format::Json { page: 1000 },
    };
    Ok(vigie_kobo::write::write(Catalog::builtin(), &rows, format, &folder)?)
}
