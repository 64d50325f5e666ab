//! Placing a record: which commune a row is in, from whatever a partner's file gives.
//!
//! Field data names places every way: P-codes, names with or without accents, other spellings
//! ("Timbuktu", "Barouéli"), a village, a GPS point. [`Placer::place`] turns any of them into a
//! commune of the geography, says how it did ([`How`]), and warns when what was given disagrees
//! (a GPS point in another commune, with the distance). It reads only the catalog's geography:
//! its units, its boundaries and its gazetteer (`places/` of the geography folder).

mod boundaries;
mod names;

use std::collections::HashMap;
use std::fmt;

use vigie_core::geography::{CommuneId, Geography};

pub use boundaries::Boundaries;
pub use names::{edits, fold, unit_key};

/// How far outside every commune a GPS point may lie (simplified outlines, a border) and still be
/// placed in the nearest one, with a warning.
pub const NEAR_KM: f64 = 2.0;

/// An administrative level of the geography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Admin1,
    Admin2,
    Admin3,
}

impl Level {
    /// The column name the exchange formats and `vigie locate` use for the level.
    pub fn column(self) -> &'static str {
        match self {
            Level::Admin1 => "admin1",
            Level::Admin2 => "admin2",
            Level::Admin3 => "admin3",
        }
    }

    fn unit_name(self) -> &'static str {
        match self {
            Level::Admin1 => "region",
            Level::Admin2 => "cercle",
            Level::Admin3 => "commune",
        }
    }
}

/// How a row's commune was found: the first of these that the row gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A P-code.
    Code,
    /// A unit's name, whatever its case, accents and punctuation.
    Name,
    /// A spelling from the gazetteer's aliases.
    Alias,
    /// A GPS point inside (or within [`NEAR_KM`] of) the commune's boundary.
    Gps,
    /// A village or town of the gazetteer.
    Locality,
    /// The nearest spelling of a unit's name among the units of the cercle or region given.
    Near,
}

impl How {
    /// The word `vigie locate` writes in its `placed_by` column.
    pub fn as_str(self) -> &'static str {
        match self {
            How::Code => "code",
            How::Name => "name",
            How::Alias => "alias",
            How::Gps => "gps",
            How::Locality => "locality",
            How::Near => "near",
        }
    }
}

/// What a row says about its place. Every field is optional; admin fields hold a P-code or a name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<'a> {
    pub admin1: Option<&'a str>,
    pub admin2: Option<&'a str>,
    pub admin3: Option<&'a str>,
    pub locality: Option<&'a str>,
    /// Latitude and longitude, WGS 84 degrees.
    pub point: Option<(f64, f64)>,
}

/// Where a row is.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub commune: CommuneId,
    pub how: How,
    /// The row's point: the one given, else its locality's.
    pub point: Option<(f64, f64)>,
    /// Something given that disagrees with the commune chosen; the row is placed all the same.
    pub warnings: Vec<Warning>,
}

/// A disagreement between what a row gave, kept beside its placement.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A region or cercle given that does not contain the commune.
    Parent { level: Level, given: String, actual: String },
    /// The GPS point lies in another commune, `km` from the one chosen.
    PointElsewhere { point_in: String, commune: String, km: f64 },
    /// The GPS point lies in no commune; the nearest, chosen, is `km` away.
    PointOutside { commune: String, km: f64 },
    /// A name known nowhere, taken as the nearest spelling of a unit of the cercle or region given.
    Near { level: Level, given: String, taken: String },
}

impl Warning {
    /// The kind of disagreement, as `vigie locate` counts them.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::Parent { .. } => "unit above elsewhere",
            Warning::PointElsewhere { .. } => "GPS point in another commune",
            Warning::PointOutside { .. } => "GPS point outside every commune",
            Warning::Near { .. } => "name taken as its nearest spelling",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Parent { level, given, actual } => {
                write!(f, "{} `{given}` does not contain the commune, which is in {actual}", level.unit_name())
            }
            Warning::PointElsewhere { point_in, commune, km } => {
                write!(f, "the GPS point lies in {point_in}, {km:.1} km from {commune}")
            }
            Warning::PointOutside { commune, km } => {
                write!(f, "the GPS point lies outside every commune, {km:.1} km from {commune}")
            }
            Warning::Near { level, given, taken } => write!(f, "{} `{given}` taken as {taken}", level.unit_name()),
        }
    }
}

/// Why a row could not be placed. [`PlaceError::field`] names the input that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("no {} has the P-code or name `{value}`", level.unit_name())]
    Unknown { level: Level, value: String },
    #[error("`{value}` names {} {}s: {}; give the P-code or the unit above it", candidates.len(), level.unit_name(), candidates.join(", "))]
    Ambiguous { level: Level, value: String, candidates: Vec<String> },
    #[error("no village or town of the gazetteer is called `{value}`{within}")]
    UnknownLocality { value: String, within: String },
    #[error("{count} places are called `{value}` (in {}); give the commune", communes.join(", "))]
    AmbiguousLocality { value: String, count: usize, communes: Vec<String> },
    #[error("the GPS point ({lat}, {lon}) lies in no commune, {km:.1} km from the nearest")]
    Outside { lat: f64, lon: f64, km: f64 },
    #[error("a commune is needed: give its P-code or name, a GPS point or a village{known}")]
    NoCommune { known: String },
}

impl PlaceError {
    /// The query field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            PlaceError::Unknown { level, .. } | PlaceError::Ambiguous { level, .. } => level.column(),
            PlaceError::UnknownLocality { .. } | PlaceError::AmbiguousLocality { .. } => "locality",
            PlaceError::Outside { .. } => "gps",
            PlaceError::NoCommune { .. } => "admin3",
        }
    }

    /// The value the error is about, as given.
    pub fn value(&self) -> String {
        match self {
            PlaceError::Unknown { value, .. }
            | PlaceError::Ambiguous { value, .. }
            | PlaceError::UnknownLocality { value, .. }
            | PlaceError::AmbiguousLocality { value, .. } => value.clone(),
            PlaceError::Outside { lat, lon, .. } => format!("{lat} {lon}"),
            PlaceError::NoCommune { .. } => String::new(),
        }
    }
}

/// A geography's gazetteer data could not be read (a folder given with `--geography`).
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct GazetteerError {
    pub file: String,
    pub message: String,
}

/// A village or town of the gazetteer.
#[derive(Debug, Clone)]
struct Locality {
    commune: CommuneId,
    lat: f64,
    lon: f64,
}

/// A query field's value, unless it is blank.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The indexes placing needs, built once from a geography (tens of milliseconds).
pub struct Placer<'g> {
    geography: &'g Geography,
    boundaries: std::sync::Arc<Boundaries>,
    /// Folded official names, then folded aliases, per level: unit indexes.
    names: HashMap<(Level, String), Vec<u16>>,
    aliases: HashMap<(Level, String), Vec<u16>>,
    codes: HashMap<(Level, String), u16>,
    /// Each unit's [`unit_key`], per level: what a near spelling is measured against.
    keys: [Vec<String>; 3],
    /// The reporting regions by code and by name (every language): `ML10`, Ménaka, is one
    /// without being a 2015 admin1.
    reporting: HashMap<String, vigie_core::geography::RegionId>,
    localities: Vec<Locality>,
    locality_names: HashMap<String, Vec<u32>>,
}

/// A resolved unit of one level, by index, and how it was found.
type Found = (u16, How);

impl<'g> Placer<'g> {
    pub fn new(geography: &'g Geography) -> Result<Placer<'g>, GazetteerError> {
        let boundaries = Boundaries::shared(geography)?;
        let mut names: HashMap<(Level, String), Vec<u16>> = HashMap::new();
        let mut codes = HashMap::new();
        let mut keys: [Vec<String>; 3] = Default::default();
        let units = geography
            .admin1
            .iter()
            .enumerate()
            .map(|(i, u)| (Level::Admin1, i, u))
            .chain(geography.cercles.iter().enumerate().map(|(i, c)| (Level::Admin2, i, &c.unit)))
            .chain(geography.communes.iter().enumerate().map(|(i, c)| (Level::Admin3, i, &c.unit)));
        for (level, i, unit) in units {
            let key = unit_key(&unit.name);
            names.entry((level, key.clone())).or_default().push(i as u16);
            keys[level as usize].push(key);
            codes.insert((level, unit.pcode.to_ascii_uppercase()), i as u16);
        }
        let mut reporting = HashMap::new();
        for (i, region) in geography.regions.iter().enumerate() {
            let id = vigie_core::geography::RegionId(i as u8);
            reporting.insert(region.code.to_ascii_uppercase(), id);
            for name in region.name.texts() {
                reporting.insert(unit_key(name), id);
            }
        }
        let mut placer = Placer {
            geography,
            boundaries,
            names,
            aliases: HashMap::new(),
            codes,
            keys,
            reporting,
            localities: Vec::new(),
            locality_names: HashMap::new(),
        };
        placer.read_aliases()?;
        placer.read_localities()?;
        Ok(placer)
    }

    pub fn boundaries(&self) -> &Boundaries {
        &self.boundaries
    }

    fn read_aliases(&mut self) -> Result<(), GazetteerError> {
        let file = "places/aliases.csv";
        for (line, row) in gazetteer_rows(file, &self.geography.gazetteer.aliases, &["level", "alias", "pcode"])? {
            let error =
                |message: String| GazetteerError { file: file.into(), message: format!("line {line}: {message}") };
            let level = match row[0].as_str() {
                "admin1" => Level::Admin1,
                "admin2" => Level::Admin2,
                "admin3" => Level::Admin3,
                other => return Err(error(format!("level `{other}` is not admin1, admin2 or admin3"))),
            };
            let unit = self
                .codes
                .get(&(level, row[2].to_ascii_uppercase()))
                .ok_or_else(|| error(format!("no {} has the P-code `{}`", level.unit_name(), row[2])))?;
            let alias = unit_key(&row[1]);
            self.aliases.entry((level, alias)).or_default().push(*unit);
        }
        Ok(())
    }

    fn read_localities(&mut self) -> Result<(), GazetteerError> {
        let file = "places/localities.csv";
        let columns = ["name", "refName", "admin3Pcode", "lon", "lat"];
        for (line, row) in gazetteer_rows(file, &self.geography.gazetteer.localities, &columns)? {
            let error =
                |message: String| GazetteerError { file: file.into(), message: format!("line {line}: {message}") };
            let commune = self
                .geography
                .commune_by_pcode(&row[2])
                .ok_or_else(|| error(format!("no commune has the P-code `{}`", row[2])))?;
            let number = |text: &str| text.parse::<f64>().map_err(|_| error(format!("`{text}` is not a number")));
            let id = self.localities.len() as u32;
            self.localities.push(Locality { commune, lon: number(&row[3])?, lat: number(&row[4])? });
            for name in [&row[0], &row[1]].into_iter().filter(|n| !n.is_empty()) {
                let ids = self.locality_names.entry(fold(name)).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
        Ok(())
    }

    fn unit_name(&self, level: Level, i: u16) -> String {
        let unit = match level {
            Level::Admin1 => &self.geography.admin1[i as usize],
            Level::Admin2 => &self.geography.cercles[i as usize].unit,
            Level::Admin3 => &self.geography.communes[i as usize].unit,
        };
        format!("{} ({})", unit.name, unit.pcode)
    }

    /// The unit `value` names at `level`: its P-code, else its name, else an alias, else — when
    /// the row gave a unit above (`bounded`) — the one nearest spelling among the units
    /// `within` keeps. `within` keeps the units under what the row gave above (a name repeats
    /// across cercles: 13 commune names in Mali's 2015 P-codes). A name found only outside
    /// what was given above, when one spelling under it is near, is read as that spelling
    /// mistyped, as a person reads `Fakola` in the cercle of Djenné (Fakala, not Fakola of
    /// Kolondiéba).
    fn unit(
        &self,
        level: Level,
        value: &str,
        within: &dyn Fn(u16) -> bool,
        bounded: bool,
    ) -> Result<Found, PlaceError> {
        if let Some(&i) = self.codes.get(&(level, value.trim().to_ascii_uppercase())) {
            return Ok((i, How::Code));
        }
        let key = (level, unit_key(value));
        for (table, how) in [(&self.names, How::Name), (&self.aliases, How::Alias)] {
            let Some(all) = table.get(&key) else { continue };
            let inside: Vec<u16> = all.iter().copied().filter(|&i| within(i)).collect();
            // A name found only outside what was given above, and near none under it, is still
            // the row's unit: the disagreement is then a warning, the most specific unit winning.
            if inside.is_empty()
                && bounded
                && let Some(i) = self.nearest(level, &key.1, within)
            {
                return Ok((i, How::Near));
            }
            let candidates = if inside.is_empty() { all.clone() } else { inside };
            if let [one] = candidates[..] {
                return Ok((one, how));
            }
            let candidates = candidates.iter().map(|&i| self.unit_name(level, i)).collect();
            return Err(PlaceError::Ambiguous { level, value: value.to_owned(), candidates });
        }
        if bounded && let Some(i) = self.nearest(level, &key.1, within) {
            return Ok((i, How::Near));
        }
        Err(PlaceError::Unknown { level, value: value.to_owned() })
    }

    /// The one unit `within` keeps whose name is the fewest edits from `key`: at most one edit
    /// for a name of up to 5 letters, two beyond; none when two are as near.
    fn nearest(&self, level: Level, key: &str, within: &dyn Fn(u16) -> bool) -> Option<u16> {
        let limit = if key.chars().count() <= 5 { 1 } else { 2 };
        let mut best: Option<(usize, u16)> = None;
        let mut tied = false;
        for (i, name) in self.keys[level as usize].iter().enumerate() {
            let i = i as u16;
            if !within(i) {
                continue;
            }
            let d = edits(key, name, limit);
            match best {
                _ if d > limit => {}
                Some((b, _)) if d > b => {}
                Some((b, _)) if d == b => tied = true,
                _ => (best, tied) = (Some((d, i)), false),
            }
        }
        best.filter(|_| !tied).map(|(_, i)| i)
    }

    /// Places a row. The commune comes from the first of: `admin3`, the GPS point, the locality;
    /// what else was given is checked against it.
    pub fn place(&self, query: &Query<'_>) -> Result<Placement, PlaceError> {
        let geography = self.geography;
        let mut warnings = Vec::new();

        // A region given as a reporting region that is no admin1 (the exchange formats' `ML10`,
        // or its name, Ménaka) narrows to that region's communes, and is checked against the
        // commune's reporting region.
        let (admin1, reporting) = match given(query.admin1) {
            None => (None, None),
            Some(v) => match self.unit(Level::Admin1, v, &|_| true, false) {
                Ok(found) => (Some(found), None),
                Err(e) => {
                    let region = self
                        .reporting
                        .get(&v.trim().to_ascii_uppercase())
                        .or_else(|| self.reporting.get(&unit_key(v)))
                        .copied();
                    (None, Some(region.ok_or(e)?))
                }
            },
        };
        let in_region = |commune: &vigie_core::geography::Commune| reporting.is_none_or(|r| commune.region == r);
        let in_admin1 = |cercle: u16| {
            admin1.is_none_or(|(a, _)| geography.cercles[cercle as usize].admin1 == a as u8)
                && (reporting.is_none() || geography.communes.iter().any(|c| c.cercle == cercle && in_region(c)))
        };
        let above1 = admin1.is_some() || reporting.is_some();
        let admin2 = given(query.admin2).map(|v| self.unit(Level::Admin2, v, &in_admin1, above1)).transpose()?;
        let in_admin2 = |commune: u16| {
            let c = &geography.communes[commune as usize];
            admin2.map_or(in_admin1(c.cercle) && in_region(c), |(a, _)| c.cercle == a)
        };
        let above2 = above1 || admin2.is_some();
        let admin3 = given(query.admin3).map(|v| self.unit(Level::Admin3, v, &in_admin2, above2)).transpose()?;
        // Names taken as their nearest spelling say so.
        for (level, found, value) in [
            (Level::Admin1, admin1, query.admin1),
            (Level::Admin2, admin2, query.admin2),
            (Level::Admin3, admin3, query.admin3),
        ] {
            if let (Some((i, How::Near)), Some(value)) = (found, given(value)) {
                warnings.push(Warning::Near { level, given: value.to_owned(), taken: self.unit_name(level, i) });
            }
        }

        let mut point = query.point;
        let (commune, how) = if let Some((i, how)) = admin3 {
            (CommuneId(i), how)
        } else if let Some((lat, lon)) = point {
            match self.boundaries.commune_at(lat, lon) {
                Some(commune) => (commune, How::Gps),
                None => match self.boundaries.nearest(lat, lon) {
                    Some((commune, km)) if km <= NEAR_KM => (commune, How::Gps),
                    nearest => {
                        return Err(PlaceError::Outside { lat, lon, km: nearest.map_or(f64::INFINITY, |n| n.1) });
                    }
                },
            }
        } else if let Some(name) = given(query.locality) {
            let locality = self.locality(name, &in_admin2)?;
            point = Some((locality.lat, locality.lon));
            (locality.commune, How::Locality)
        } else {
            let known = match (admin2, admin1) {
                (Some((a, _)), _) => format!(" (only the cercle {} is known)", self.unit_name(Level::Admin2, a)),
                (None, Some((a, _))) => format!(" (only the region {} is known)", self.unit_name(Level::Admin1, a)),
                (None, None) => String::new(),
            };
            return Err(PlaceError::NoCommune { known });
        };

        // What was given above the commune, and the point, are checked against it.
        let c = geography.commune(commune);
        let commune_name = || self.unit_name(Level::Admin3, commune.0);
        if let Some((a, _)) = admin2
            && a != c.cercle
        {
            let actual = self.unit_name(Level::Admin2, c.cercle);
            warnings.push(Warning::Parent {
                level: Level::Admin2,
                given: given(query.admin2).unwrap_or("").into(),
                actual,
            });
        } else if let Some((a, _)) = admin1
            && a as u8 != c.admin1
        {
            let actual = self.unit_name(Level::Admin1, u16::from(c.admin1));
            warnings.push(Warning::Parent {
                level: Level::Admin1,
                given: given(query.admin1).unwrap_or("").into(),
                actual,
            });
        }
        if let Some(region) = reporting
            && region != c.region
        {
            let actual = geography.region(c.region).code.clone();
            warnings.push(Warning::Parent {
                level: Level::Admin1,
                given: given(query.admin1).unwrap_or("").into(),
                actual,
            });
        }
        if how != How::Gps
            && let Some((lat, lon)) = query.point
        {
            match self.boundaries.commune_at(lat, lon) {
                Some(other) if other == commune => {}
                Some(other) => warnings.push(Warning::PointElsewhere {
                    point_in: self.unit_name(Level::Admin3, other.0),
                    commune: commune_name(),
                    km: self.boundaries.distance_km(commune, lat, lon),
                }),
                None => warnings.push(Warning::PointOutside {
                    commune: commune_name(),
                    km: self.boundaries.distance_km(commune, lat, lon),
                }),
            }
        } else if how == How::Gps
            && let Some((lat, lon)) = query.point
            && self.boundaries.commune_at(lat, lon).is_none()
        {
            warnings.push(Warning::PointOutside {
                commune: commune_name(),
                km: self.boundaries.distance_km(commune, lat, lon),
            });
        }
        // A known commune and a village without a point: the village's coordinates.
        if point.is_none()
            && let Some(name) = given(query.locality)
            && let Ok(locality) = self.locality(name, &|i| i == commune.0)
            && locality.commune == commune
        {
            point = Some((locality.lat, locality.lon));
        }
        Ok(Placement { commune, how, point, warnings })
    }

    /// The one locality called `name` among the communes `within` keeps (all if none).
    fn locality(&self, name: &str, within: &dyn Fn(u16) -> bool) -> Result<&Locality, PlaceError> {
        let all = self.locality_names.get(&fold(name)).map(Vec::as_slice).unwrap_or_default();
        let inside: Vec<&Locality> =
            all.iter().map(|&i| &self.localities[i as usize]).filter(|l| within(l.commune.0)).collect();
        match inside[..] {
            [one] => Ok(one),
            [] => Err(PlaceError::UnknownLocality {
                value: name.to_owned(),
                within: if all.is_empty() { String::new() } else { " in the units given".to_owned() },
            }),
            _ => {
                let mut communes: Vec<String> =
                    inside.iter().map(|l| self.unit_name(Level::Admin3, l.commune.0)).collect();
                communes.dedup();
                communes.truncate(5);
                Err(PlaceError::AmbiguousLocality { value: name.to_owned(), count: inside.len(), communes })
            }
        }
    }

    /// The P-codes of a placed commune and the units above it: admin1, admin2, admin3.
    pub fn pcodes(&self, commune: CommuneId) -> [&'g str; 3] {
        let c = self.geography.commune(commune);
        let cercle = &self.geography.cercles[c.cercle as usize];
        [&self.geography.admin1[c.admin1 as usize].pcode, &cercle.unit.pcode, &c.unit.pcode]
    }
}

/// A gazetteer file's rows with the columns asked for, by name, each with its line; an empty
/// file (a geography without a gazetteer) has none.
fn gazetteer_rows(file: &str, text: &str, columns: &[&str]) -> Result<Vec<(u64, Vec<String>)>, GazetteerError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let error = |message: String| GazetteerError { file: file.into(), message };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| error(e.to_string()))?.clone();
    let index = columns
        .iter()
        .map(|c| header.iter().position(|h| h == *c).ok_or_else(|| error(format!("no `{c}` column"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| error(e.to_string()))?;
        rows.push((i as u64 + 2, index.iter().map(|&c| record.get(c).unwrap_or("").to_owned()).collect()));
    }
    Ok(rows)
}
