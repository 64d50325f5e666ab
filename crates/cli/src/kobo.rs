//! `vigie import kobo`, `vigie form write` and `vigie mapping init`: KoBoToolbox and ODK exports
//! read into violations through a mapping, with the import's all-or-nothing rules.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use vigie_core::Catalog;
use vigie_import::{Options, Report};
use vigie_kobo::form::XlsForm;
use vigie_kobo::mapping::{self, Mapping};
use vigie_store::Store;

/// What `vigie import kobo` reads, and how.
pub struct KoboImport<'a> {
    pub files: &'a [PathBuf],
    /// The KoBo API's data URL, and the token.
    pub url: Option<(&'a str, Option<&'a str>)>,
    pub mapping: Option<&'a Path>,
    pub sync: bool,
}

/// Reads the mapping given, else Vigie's own form's.
fn read_mapping(path: Option<&Path>) -> Result<Mapping> {
    let Some(path) = path else { return Ok(Mapping::vigie()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Mapping::parse(&path.display().to_string(), &text)?)
}

/// Imports the exports, and prints the placing warnings met.
pub fn import(store: &mut dyn Store, catalog: &Catalog, what: &KoboImport<'_>, options: &Options) -> Result<Report> {
    let mapping = read_mapping(what.mapping)?;
    let mut exports = vigie_kobo::export::read(what.files, &vigie_kobo::bounds::Limits::LOCAL)?;
    if let Some((url, token)) = what.url {
        let token = token.context("--url needs the account's API token: --token or VIGIE_KOBO_TOKEN")?;
        exports.push(vigie_kobo::fetch::fetch(url, token)?);
    }
    let imported = vigie_kobo::import::import_exports(store, catalog, &exports, &mapping, what.sync, options)?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(imported.report)
}

/// `vigie form write`: Vigie's own XLSForm.
pub fn write_form(catalog: &Catalog, out: &Path) -> Result<()> {
    let form = XlsForm::vigie(catalog);
    // An `.xml` file: the form as the XForm ODK Collect reads, which Vigie writes itself.
    match out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
        true => std::fs::write(out, vigie_kobo::xform::xform(&form))
            .with_context(|| format!("cannot write {}", out.display()))?,
        false => form.write(out)?,
    }
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
