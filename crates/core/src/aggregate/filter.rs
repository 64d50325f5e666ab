use chrono::NaiveDate;

use super::day_of;
use crate::Catalog;
use crate::geography::{CommuneId, RegionId};
use crate::reference::{ByList, ListKind};

/// Which violations a table counts. Empty lists mean "all"; several values of one dimension
/// are alternatives (or), dimensions combine (and).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub regions: Vec<RegionId>,
    /// Cercle indexes of the geography.
    pub cercles: Vec<u16>,
    pub communes: Vec<CommuneId>,
    /// Category indexes of the typology.
    pub categories: Vec<u8>,
    /// Subtype indexes of the typology.
    pub subtypes: Vec<u8>,
    /// Per code list, the accepted code indexes (empty: all).
    pub codes: ByList<Vec<u8>>,
    /// Organisation codes.
    pub organizations: Vec<String>,
    /// Inclusive incident-date bounds.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The verification statuses selected; empty: every status counted (all but rejected).
    pub verification: Vec<crate::Verification>,
}

/// A filter compiled to lookup tables: one indexed load per dimension and row.
pub(crate) struct Masks {
    pub any: bool,
    pub by_commune: bool,
    pub by_subtype: bool,
    pub by_codes: bool,
    /// The code lists the filter restricts.
    pub active_codes: Vec<ListKind>,
    pub by_organization: bool,
    pub by_date: bool,
    /// Whether each row's verification state is read: the filter names statuses, or a row
    /// that is not counted may be live.
    pub by_state: bool,
    /// Whether the filter names statuses (the month cube counts the counted ones only).
    pub state_asked: bool,
    pub commune: Vec<bool>,
    pub subtype: Vec<bool>,
    pub codes: ByList<Vec<bool>>,
    pub organization: Vec<bool>,
    /// Per verification state, whether the filter selects it.
    pub state: Vec<bool>,
    pub from: i32,
    pub to: i32,
}

impl Filter {
    /// A filter from `(dimension, code)` pairs as the command line and the API name them:
    /// `region`, `cercle`, `commune` (P-codes), `category`, `subtype`, each code list by its name
    /// (`perpetrator`, `sex`, …), `organization` (or `organisation`), `from` and `to`
    /// (YYYY-MM-DD, inclusive). Several codes of one dimension are alternatives. An unknown
    /// dimension or code is refused by name.
    pub fn from_codes<'a>(
        catalog: &Catalog,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Filter, String> {
        let g = &catalog.geography;
        let t = &catalog.typology;
        let mut f = Filter::default();
        let unknown = |what: &str, code: &str| format!("unknown {what} `{code}`");
        let date = |code: &str| {
            crate::records::parse_iso_date(code).ok_or_else(|| format!("`{code}` is not a date: write YYYY-MM-DD"))
        };
        for (dimension, code) in pairs {
            match dimension {
                "region" => f.regions.push(g.region_by_code(code).ok_or_else(|| unknown(dimension, code))?),
                "cercle" => f.cercles.push(
                    g.cercles
                        .iter()
                        .position(|c| c.unit.pcode == code)
                        .map(|i| i as u16)
                        .ok_or_else(|| unknown(dimension, code))?,
                ),
                "commune" => f.communes.push(g.commune_by_pcode(code).ok_or_else(|| unknown(dimension, code))?),
                "category" => f.categories.push(t.category(code).ok_or_else(|| unknown(dimension, code))?),
                "subtype" => f.subtypes.push(t.subtype(code).ok_or_else(|| unknown(dimension, code))?),
                "organization" | "organisation" => f.organizations.push(code.to_owned()),
                "from" => f.from = Some(date(code)?),
                "to" => f.to = Some(date(code)?),
                "verification" => f
                    .verification
                    .push(crate::Verification::parse(code).ok_or_else(|| unknown("verification status", code))?),
                _ => {
                    let kind = ListKind::ALL
                        .into_iter()
                        .find(|k| k.name() == dimension)
                        .ok_or_else(|| format!("unknown filter `{dimension}`"))?;
                    let list = catalog.lists.get(kind);
                    f.codes[kind].push(list.find(code).ok_or_else(|| unknown(dimension, code))?);
                }
            }
        }
        Ok(f)
    }

    /// The dimension names [`Filter::from_codes`] accepts (`organisation` aside), for the API's
    /// documentation.
    pub fn dimensions() -> Vec<&'static str> {
        let mut names = vec!["region", "cercle", "commune", "category", "subtype"];
        names.extend(ListKind::ALL.map(ListKind::name));
        names.extend(["organization", "from", "to", "verification"]);
        names
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Per commune of the geography, whether the filter's places select it.
    pub(crate) fn commune_mask(&self, catalog: &Catalog) -> Vec<bool> {
        catalog
            .geography
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (self.regions.is_empty() || self.regions.contains(&c.region))
                    && (self.cercles.is_empty() || self.cercles.contains(&c.cercle))
                    && (self.communes.is_empty() || self.communes.contains(&CommuneId(i as u16)))
            })
            .collect()
    }

    /// For the records beside violations (risk answers, alerts): whether the filter's places and
    /// organisations select a record of `commune` written by `organization`.
    pub fn place_and_organization(&self, catalog: &Catalog) -> impl Fn(CommuneId, &str) -> bool + '_ {
        let communes = self.commune_mask(catalog);
        move |commune, organization| {
            communes[commune.0 as usize]
                && (self.organizations.is_empty() || self.organizations.iter().any(|o| o == organization))
        }
    }

    /// The filter as lookup tables, for facts of `organizations` among which rows that are not
    /// counted may be live (`uncounted`).
    pub(crate) fn masks(&self, catalog: &Catalog, organizations: &[String], uncounted: bool) -> Masks {
        let commune = self.commune_mask(catalog);
        let subtype = (0..256)
            .map(|i| {
                let category = catalog.typology.subtypes.get(i).map(|s| s.category);
                (self.subtypes.is_empty() || self.subtypes.contains(&(i as u8)))
                    && (self.categories.is_empty() || category.is_some_and(|c| self.categories.contains(&c)))
            })
            .collect();
        let codes = ByList::from_fn(|kind| {
            let accepted = &self.codes[kind];
            (0..256).map(|i| accepted.is_empty() || accepted.contains(&(i as u8))).collect()
        });
        let organization =
            organizations.iter().map(|o| self.organizations.is_empty() || self.organizations.contains(o)).collect();
        Masks {
            any: !self.is_empty(),
            by_commune: !(self.regions.is_empty() && self.cercles.is_empty() && self.communes.is_empty()),
            by_subtype: !(self.categories.is_empty() && self.subtypes.is_empty()),
            by_codes: self.codes.values().any(|codes| !codes.is_empty()),
            active_codes: ListKind::ALL.into_iter().filter(|&kind| !self.codes[kind].is_empty()).collect(),
            by_organization: !self.organizations.is_empty(),
            by_date: self.from.is_some() || self.to.is_some(),
            by_state: uncounted || !self.verification.is_empty(),
            state_asked: !self.verification.is_empty(),
            commune,
            subtype,
            codes,
            organization,
            // A duplicate is never selected: its original counts for it.
            state: (0..=u8::MAX)
                .map(|state| match super::facts::verification(state) {
                    _ if state & super::Fact::DUPLICATE != 0 => false,
                    Some(status) if self.verification.is_empty() => status.counted(),
                    Some(status) => self.verification.contains(&status),
                    None => false,
                })
                .collect(),
            from: self.from.map_or(i32::MIN, day_of),
            to: self.to.map_or(i32::MAX, |d| day_of(d).saturating_add(1)),
        }
    }
}
