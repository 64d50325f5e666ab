//! Administrative units and the reporting regions they are counted under.
//!
//! A geography is a version of a country's P-codes (Mali's 2015 COD is the default). It is data:
//! a new version is a new folder of the same CSV files, since P-code generations reuse codes with
//! other meanings (`ML09` is Bamako in 2015 and Taoudenni in 2025).

use std::collections::HashMap;
use std::sync::Arc;

use crate::reference::Label;
use crate::{ReferenceError, invalid, read_labelled_csv, read_reference_csv};

/// Index of a commune (admin3) in its geography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommuneId(pub u16);

/// Index of a reporting region in its geography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(pub u8);

#[derive(Debug, Clone)]
pub struct Unit {
    pub pcode: String,
    pub name: String,
    /// A point inside the unit, for labels and for placing what has no coordinates.
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone)]
pub struct Commune {
    pub unit: Unit,
    /// Index into [`Geography::cercles`].
    pub cercle: u16,
    /// Index into [`Geography::admin1`].
    pub admin1: u8,
    pub region: RegionId,
}

#[derive(Debug, Clone)]
pub struct Cercle {
    pub unit: Unit,
    pub admin1: u8,
}

/// A region as reports count it, which may differ from the admin1 of the P-code generation.
#[derive(Debug, Clone)]
pub struct ReportingRegion {
    pub code: String,
    /// Its name in each language (`name_fr`, `name_en`, … columns).
    pub name: Label,
}

/// The country a geography covers (`country.csv`).
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO 3166-1 alpha-3.
    pub iso3: String,
    pub name: Label,
}

/// The text of a geography version's files: one folder of `reference/geography/` (embedded at
/// build time) or one a user names at run time.
#[derive(Debug, Clone, Copy)]
pub struct GeographySource<'a> {
    pub name: &'a str,
    pub country: &'a str,
    pub regions: &'a str,
    pub cercles: &'a str,
    pub communes: &'a str,
    pub reporting_regions: &'a str,
    /// GeoJSON, one feature per admin1 unit: the region outlines of maps.
    pub admin1_boundaries: &'a str,
    /// GeoJSON, one feature per commune, with its P-code in the `admin3Pcode` property.
    pub admin3_boundaries: &'a str,
    /// The same at full resolution, gzipped (`boundaries/admin3_full.geojson.gz`): where GPS
    /// points are placed. Optional: without it, points are placed on `admin3_boundaries`.
    pub admin3_boundaries_full: Option<&'a [u8]>,
    /// `places/aliases.csv`: other spellings of units' names (`level,alias,pcode`); may be empty.
    pub aliases: &'a str,
    /// `places/localities.csv`: villages and towns with their commune and coordinates; may be empty.
    pub localities: &'a str,
}

/// The boundaries of a geography's units as GeoJSON text, drawn by the map renderer (shared, not
/// copied, when a catalog is cloned).
#[derive(Debug, Clone)]
pub struct Boundaries {
    pub admin1: Arc<str>,
    pub admin3: Arc<str>,
    /// Gzipped GeoJSON of the communes at full resolution, if the geography has it.
    pub admin3_full: Option<Arc<[u8]>>,
}

/// The gazetteer's files as text, read by `vigie-place` to place names and points (shared, not
/// copied, when a catalog is cloned).
#[derive(Debug, Clone)]
pub struct Gazetteer {
    pub aliases: Arc<str>,
    pub localities: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Geography {
    /// The version's name, e.g. `mli-2015`: data coded with one version means nothing in another.
    pub name: String,
    pub country: Country,
    pub boundaries: Boundaries,
    pub gazetteer: Gazetteer,
    pub admin1: Vec<Unit>,
    pub cercles: Vec<Cercle>,
    pub communes: Vec<Commune>,
    pub regions: Vec<ReportingRegion>,
    by_pcode: HashMap<String, CommuneId>,
}

fn unit(row: &[String], file: &str, line: u64, pcode: usize, name: usize, lon: usize) -> Result<Unit, ReferenceError> {
    let number =
        |i: usize| row[i].parse::<f64>().map_err(|_| invalid(file, line, format!("`{}` is not a number", &row[i])));
    Ok(Unit { pcode: row[pcode].to_owned(), name: row[name].to_owned(), lon: number(lon)?, lat: number(lon + 1)? })
}

impl Geography {
    pub fn parse(source: &GeographySource<'_>) -> Result<Geography, ReferenceError> {
        let name = source.name;
        let file = |f: &str| format!("{name}/{f}");

        let f = file("regions.csv");
        let admin1 = read_reference_csv(&f, source.regions, &["admin1Pcode", "admin1Name", "lon", "lat"])?
            .iter()
            .enumerate()
            .map(|(i, r)| unit(r, &f, i as u64 + 2, 0, 1, 2))
            .collect::<Result<Vec<_>, _>>()?;
        let admin1_index = |code: &str, f: &str, line: u64| {
            admin1
                .iter()
                .position(|u| u.pcode == code)
                .map(|i| i as u8)
                .ok_or_else(|| invalid(f, line, format!("unknown admin1 `{code}`")))
        };

        let f = file("cercles.csv");
        let mut cercles = Vec::new();
        for (i, r) in
            read_reference_csv(&f, source.cercles, &["admin1Pcode", "admin2Pcode", "admin2Name", "lon", "lat"])?
                .iter()
                .enumerate()
        {
            let line = i as u64 + 2;
            cercles.push(Cercle { unit: unit(r, &f, line, 1, 2, 3)?, admin1: admin1_index(&r[0], &f, line)? });
        }

        let f = file("reporting_regions.csv");
        let mut regions = Vec::new();
        let mut members: Vec<(String, RegionId)> = Vec::new();
        for (i, (r, name)) in
            read_labelled_csv(&f, source.reporting_regions, &["code", "members"], "name_")?.into_iter().enumerate()
        {
            let id = RegionId(i as u8);
            members.extend(r[1].split_whitespace().map(|m| (m.to_owned(), id)));
            regions.push(ReportingRegion { code: r[0].to_owned(), name });
        }

        let f = file("country.csv");
        let (iso3, country_name) = read_labelled_csv(&f, source.country, &["iso3"], "name_")?
            .into_iter()
            .next()
            .ok_or_else(|| invalid(&f, 2, "no country"))?;
        let country = Country { iso3: iso3[0].to_owned(), name: country_name };
        let boundaries = Boundaries {
            admin1: Arc::from(source.admin1_boundaries),
            admin3: Arc::from(source.admin3_boundaries),
            admin3_full: source.admin3_boundaries_full.map(Arc::from),
        };
        let gazetteer = Gazetteer { aliases: Arc::from(source.aliases), localities: Arc::from(source.localities) };
        // The most specific member wins: longer P-codes are deeper units.
        members.sort_by_key(|(code, _)| std::cmp::Reverse(code.len()));

        let f = file("communes.csv");
        let mut communes = Vec::new();
        let mut by_pcode = HashMap::new();
        for (i, r) in read_reference_csv(
            &f,
            source.communes,
            &["admin1Pcode", "admin2Pcode", "admin3Pcode", "admin3Name", "lon", "lat"],
        )?
        .iter()
        .enumerate()
        {
            let line = i as u64 + 2;
            let cercle = cercles
                .iter()
                .position(|c| c.unit.pcode == r[1])
                .ok_or_else(|| invalid(&f, line, format!("unknown admin2 `{}`", &r[1])))?;
            let admin1 = admin1_index(&r[0], &f, line)?;
            let region = members
                .iter()
                .find(|(m, _)| m == &r[2] || m == &r[1] || m == &r[0])
                .map(|(_, id)| *id)
                .ok_or_else(|| invalid(&f, line, format!("commune `{}` is in no reporting region", &r[2])))?;
            let id = CommuneId(communes.len() as u16);
            if by_pcode.insert(r[2].to_owned(), id).is_some() {
                return Err(invalid(&f, line, format!("repeated P-code `{}`", &r[2])));
            }
            communes.push(Commune { unit: unit(r, &f, line, 2, 3, 4)?, cercle: cercle as u16, admin1, region });
        }
        Ok(Geography {
            name: name.to_owned(),
            country,
            boundaries,
            gazetteer,
            admin1,
            cercles,
            communes,
            regions,
            by_pcode,
        })
    }

    pub fn commune_by_pcode(&self, pcode: &str) -> Option<CommuneId> {
        self.by_pcode.get(pcode).copied()
    }

    pub fn commune(&self, id: CommuneId) -> &Commune {
        &self.communes[id.0 as usize]
    }

    pub fn cercle_of(&self, id: CommuneId) -> &Cercle {
        &self.cercles[self.commune(id).cercle as usize]
    }

    pub fn region(&self, id: RegionId) -> &ReportingRegion {
        &self.regions[id.0 as usize]
    }

    pub fn region_by_code(&self, code: &str) -> Option<RegionId> {
        self.regions.iter().position(|r| r.code == code).map(|i| RegionId(i as u8))
    }

    /// Whether `code` names the commune's region: its admin1 in the P-code generation, or the
    /// reporting region it is counted under (partners write either for Ménaka).
    pub fn is_region_of(&self, code: &str, id: CommuneId) -> bool {
        let commune = self.commune(id);
        self.admin1[commune.admin1 as usize].pcode == code || self.region(commune.region).code == code
    }
}

#[cfg(test)]
mod tests {
    use crate::Catalog;

    #[test]
    fn mali_2015_has_its_units_and_menaka_reports_as_a_region() {
        let g = &Catalog::builtin().geography;
        assert_eq!((g.admin1.len(), g.cercles.len(), g.communes.len()), (9, 50, 701));
        let menaka = g.commune_by_pcode("ML070403").expect("Ménaka commune");
        assert_eq!(g.region(g.commune(menaka).region).code, "ML10");
        assert!(g.is_region_of("ML07", menaka) && g.is_region_of("ML10", menaka));
        let gao = g.commune_by_pcode("ML070101").expect("a Gao commune");
        assert_eq!(g.region(g.commune(gao).region).code, "ML07");
        assert!(!g.is_region_of("ML10", gao));
        let per_region = |code: &str| g.communes.iter().filter(|c| g.region(c.region).code == code).count();
        assert_eq!(per_region("ML10"), 4);
        assert_eq!(g.communes.len(), g.regions.iter().map(|r| per_region(&r.code)).sum::<usize>());
    }
}
