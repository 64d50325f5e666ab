//! Everything a record is validated against, in one value.

use std::sync::LazyLock;

use crate::geography::{Geography, GeographySource};
use crate::reference::{CodeLists, Typology};
use crate::risk::{RiskDefinition, RiskIndex};

/// The reference lists, the geography and the risk index definitions. [`Catalog::mali`] holds
/// the embedded definition only; a store with loaded definitions adds them to a copy.
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

/// The embedded reference files, by their path under `reference/`.
pub const EMBEDDED: [(&str, &str); 9] = [
    reference_file!("spec/typology.csv"),
    reference_file!("spec/codelists.csv"),
    reference_file!("spec/risk_index.csv"),
    reference_file!("spec/risk_levels.csv"),
    reference_file!("spec/DATA-FORMATS.md"),
    reference_file!("geography/mli-2015/regions.csv"),
    reference_file!("geography/mli-2015/cercles.csv"),
    reference_file!("geography/mli-2015/communes.csv"),
    reference_file!("geography/mli-2015/reporting_regions.csv"),
];

/// An embedded reference file's text, by its path under `reference/` ("" if there is none).
pub fn embedded(path: &str) -> &'static str {
    EMBEDDED.iter().find(|(p, _)| *p == path).map_or("", |(_, text)| text)
}

static MALI: LazyLock<Catalog> = LazyLock::new(|| {
    // The embedded files are tested to parse; failing here is a build defect, not bad input.
    Catalog::parse_embedded().unwrap_or_else(|e| panic!("embedded reference data is invalid: {e}"))
});

impl Catalog {
    /// Mali's default catalog: the spec's lists and the 2015 COD geography, embedded.
    pub fn mali() -> &'static Catalog {
        &MALI
    }

    fn parse_embedded() -> Result<Catalog, crate::ReferenceError> {
        Ok(Catalog {
            typology: Typology::parse("typology.csv", embedded("spec/typology.csv"))?,
            lists: CodeLists::parse("codelists.csv", embedded("spec/codelists.csv"))?,
            geography: Geography::parse(&GeographySource {
                name: "mli-2015",
                regions: embedded("geography/mli-2015/regions.csv"),
                cercles: embedded("geography/mli-2015/cercles.csv"),
                communes: embedded("geography/mli-2015/communes.csv"),
                reporting_regions: embedded("geography/mli-2015/reporting_regions.csv"),
            })?,
            risk: RiskIndex::new(RiskDefinition::parse(
                "risk_index.csv",
                embedded("spec/risk_index.csv"),
                "risk_levels.csv",
                embedded("spec/risk_levels.csv"),
            )?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ListKind;

    #[test]
    fn embedded_reference_parses_with_the_expected_sizes() {
        let c = Catalog::parse_embedded().expect("embedded data parses");
        assert_eq!(c.typology.categories.len(), 6);
        assert_eq!(c.typology.subtypes.len(), 34);
        assert_eq!(c.lists.get(ListKind::Perpetrator).codes.len(), 12);
        assert_eq!(c.lists.get(ListKind::Sex).find("F"), Some(0));
        let risk = &c.risk.current().definition;
        assert_eq!(risk.questions.len(), 15);
        assert_eq!(risk.levels.len(), 4);
        assert_eq!(risk.questions[2].options.len(), 2);
    }

    /// The copies in `reference/spec/` are contracts: they must stay equal to the shared spec.
    #[test]
    fn embedded_spec_equals_the_shared_spec_when_present() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec");
        if !shared.is_dir() {
            eprintln!("{} not present: nothing to compare", shared.display());
            return;
        }
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
