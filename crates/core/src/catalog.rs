//! Everything a record is validated against, in one value.

use std::sync::LazyLock;

use crate::geography::{Geography, GeographySource};
use crate::reference::{CodeLists, Typology};
use crate::risk::{RiskDefinition, RiskIndex};

/// The reference lists, the geography and the risk index definitions. A command builds one from
/// the geography it was given ([`Catalog::with_geography`], [`Catalog::embedded`]); a store
/// with loaded risk definitions adds them to it.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub typology: Typology,
    pub lists: CodeLists,
    pub geography: Geography,
    pub risk: RiskIndex,
}

macro_rules! reference_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../reference/", $path)))
    };
}

/// The embedded spec files, by their path under `reference/`.
pub const EMBEDDED: [(&str, &str); 7] = [
    reference_file!("spec/typology.csv"),
    reference_file!("spec/codelists.csv"),
    reference_file!("spec/risk_index.csv"),
    reference_file!("spec/risk_levels.csv"),
    reference_file!("signals/signals.csv"),
    reference_file!("signals/sentinels.csv"),
    reference_file!("spec/DATA-FORMATS.md"),
];

// `EMBEDDED_GEOGRAPHIES`: every folder of `reference/geography/`, found by build.rs.
include!(concat!(env!("OUT_DIR"), "/geographies.rs"));

/// The geography a database gets when nothing else is said.
pub const DEFAULT_GEOGRAPHY: &str = "mli-2015";

/// An embedded reference file's text, by its path under `reference/` ("" if there is none).
pub fn embedded(path: &str) -> &'static str {
    EMBEDDED.iter().find(|(p, _)| *p == path).map_or("", |(_, text)| text)
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    // The embedded files are tested to parse; failing here is a build defect, not bad input.
    Catalog::embedded(DEFAULT_GEOGRAPHY)
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("embedded geography {DEFAULT_GEOGRAPHY} is missing or invalid"))
});

impl Catalog {
    /// The embedded lists with the default geography, parsed once: for the sample data (made
    /// for it) and for tests.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    /// The embedded geographies' names.
    pub fn embedded_geographies() -> impl Iterator<Item = &'static str> {
        EMBEDDED_GEOGRAPHIES.iter().map(|g| g.name)
    }

    /// The embedded lists with an embedded geography, by name (`None`: no such geography).
    pub fn embedded(geography: &str) -> Option<Result<Catalog, crate::ReferenceError>> {
        EMBEDDED_GEOGRAPHIES.iter().find(|g| g.name == geography).map(Catalog::with_geography)
    }

    /// The builtin catalog with one more language, `code`, in every labelled reference file
    /// (a `{prefix}{code}` column beside `{prefix}fr`), its texts made from the French by `label`:
    /// how a third language, or a translator's pseudo-language, is tried before its texts exist.
    pub fn builtin_with_language(code: &str, label: &dyn Fn(&str) -> String) -> Result<Catalog, crate::ReferenceError> {
        let column = |file: &str, text: &str, prefix: &str| with_language(file, text, prefix, code, label);
        let source = EMBEDDED_GEOGRAPHIES.iter().find(|g| g.name == DEFAULT_GEOGRAPHY);
        let source = source.unwrap_or_else(|| panic!("embedded geography {DEFAULT_GEOGRAPHY} is missing"));
        let reporting_regions = column("reporting_regions.csv", source.reporting_regions, "name_")?;
        let country = column("country.csv", source.country, "name_")?;
        let geography = GeographySource { reporting_regions: &reporting_regions, country: &country, ..*source };
        Ok(Catalog {
            typology: Typology::parse(
                "typology.csv",
                &column("typology.csv", embedded("spec/typology.csv"), "label_")?,
            )?,
            lists: CodeLists::parse(
                "codelists.csv",
                &column("codelists.csv", embedded("spec/codelists.csv"), "label_")?,
            )?,
            geography: Geography::parse(&geography)?,
            risk: RiskIndex::new(RiskDefinition::parse(
                "risk_index.csv",
                &column("risk_index.csv", embedded("spec/risk_index.csv"), "text_")?,
                "risk_levels.csv",
                &column("risk_levels.csv", embedded("spec/risk_levels.csv"), "label_")?,
            )?),
        })
    }

    /// The embedded lists with a geography's files, embedded or read by the caller.
    pub fn with_geography(source: &GeographySource<'_>) -> Result<Catalog, crate::ReferenceError> {
        Ok(Catalog {
            typology: Typology::parse("typology.csv", embedded("spec/typology.csv"))?,
            lists: CodeLists::parse("codelists.csv", embedded("spec/codelists.csv"))?,
            geography: Geography::parse(source)?,
            risk: RiskIndex::new(RiskDefinition::parse(
                "risk_index.csv",
                embedded("spec/risk_index.csv"),
                "risk_levels.csv",
                embedded("spec/risk_levels.csv"),
            )?),
        })
    }
}

/// `text` (a reference CSV) with a `{prefix}{code}` column made from `{prefix}fr` by `label`.
fn with_language(
    file: &str,
    text: &str,
    prefix: &str,
    code: &str,
    label: &dyn Fn(&str) -> String,
) -> Result<String, crate::ReferenceError> {
    let csv_error = |source| crate::ReferenceError::Csv { file: file.to_owned(), source };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(csv_error)?.clone();
    let french = header.iter().position(|h| h == format!("{prefix}fr")).ok_or_else(|| {
        crate::ReferenceError::Invalid { file: file.to_owned(), line: 1, message: format!("no {prefix}fr column") }
    })?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut names: Vec<String> = header.iter().map(str::to_owned).collect();
    names.push(format!("{prefix}{code}"));
    writer.write_record(&names).map_err(csv_error)?;
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
        cells.push(label(&record[french]));
        writer.write_record(&cells).map_err(csv_error)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ListKind;

    #[test]
    fn embedded_reference_parses_with_the_expected_sizes() {
        let c = Catalog::builtin();
        assert_eq!(c.typology.categories.len(), 6);
        assert_eq!(c.typology.subtypes.len(), 34);
        assert_eq!(c.lists.get(ListKind::Perpetrator).codes.len(), 12);
        assert_eq!(c.lists.get(ListKind::Sex).find("F"), Some(0));
        let risk = &c.risk.current().definition;
        assert_eq!(risk.questions.len(), 15);
        assert_eq!(risk.levels.len(), 4);
        assert_eq!(risk.questions[2].options.len(), 2);
        assert_eq!((c.geography.country.iso3.as_str(), c.geography.country.name.get("fr")), ("MLI", "Mali"));
    }

    /// Every folder of `reference/geography/` is embedded, and parses.
    #[test]
    fn every_embedded_geography_parses() {
        let folders = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/geography"))
            .expect("geography folder")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count();
        assert_eq!(Catalog::embedded_geographies().count(), folders);
        for name in Catalog::embedded_geographies() {
            let catalog = Catalog::embedded(name).expect("listed").expect("parses");
            assert_eq!(catalog.geography.name, name);
        }
        assert!(Catalog::embedded("atlantis-1999").is_none());
    }

    /// The copies in `reference/spec/` are contracts: they must stay equal to the shared spec.
    /// `shared/` is found next to the checkout, or where `VIGIE_SHARED` says; a missing one fails
    /// the test, unless `VIGIE_SHARED=none` says to do without (scripts/test.sh says so aloud).
    #[test]
    fn embedded_spec_equals_the_shared_spec() {
        let shared = match std::env::var("VIGIE_SHARED") {
            Ok(none) if none == "none" => return,
            Ok(path) => std::path::PathBuf::from(path),
            Err(_) => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        }
        .join("spec");
        assert!(shared.is_dir(), "{} not found: set VIGIE_SHARED to shared/, or to `none`", shared.display());
        let mut compared = 0;
        for (path, text) in EMBEDDED.iter().filter(|(p, _)| p.starts_with("spec/")) {
            let name = path.trim_start_matches("spec/");
            let theirs = std::fs::read_to_string(shared.join(name)).expect("shared spec file readable");
            assert_eq!(*text, theirs, "reference/{path} differs from shared/spec/{name}");
            compared += 1;
        }
        assert_eq!(compared, 5);
    }
}
