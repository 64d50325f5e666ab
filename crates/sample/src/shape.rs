//! The shape of a monitoring year: the seed report's margins, and the weights that make the
//! details look like field data.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use vigie_core::{Catalog, CommuneId, Month, RegionId};

use crate::SampleError;

const CATEGORY_BY_MONTH: &str = include_str!("../data/category_by_month_2021.csv");
const REGION_BY_MONTH: &str = include_str!("../data/region_by_month_2021.csv");

/// Picks an index with probability proportional to its weight.
pub(crate) fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

pub(crate) fn day_in(rng: &mut ChaCha8Rng, month: Month, today: NaiveDate) -> NaiveDate {
    let day = month.first_day() + chrono::Days::new(rng.random_range(0..month.days()) as u64);
    day.min(today)
}

/// The seed report's two yearly tables, keyed by category index and reporting region.
pub(crate) struct SeedTables {
    categories: Vec<(u8, [u64; 12])>,
    regions: Vec<(RegionId, [u64; 12])>,
}

/// What one month must add up to.
pub(crate) struct MonthPlan {
    pub categories: Vec<(u8, u64)>,
    pub regions: Vec<(RegionId, u64)>,
}

fn parse_table<K>(text: &str, key: impl Fn(&str) -> Option<K>) -> Result<Vec<(K, [u64; 12])>, SampleError> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.first() == Some(&"TOTAL") {
            continue;
        }
        let k =
            key(cells[0]).ok_or_else(|| SampleError::Invalid(format!("unknown row `{}` in seed table", cells[0])))?;
        let mut months = [0u64; 12];
        for (m, cell) in months.iter_mut().zip(&cells[1..]) {
            *m = cell.parse().map_err(|_| SampleError::Invalid(format!("`{cell}` in seed table")))?;
        }
        out.push((k, months));
    }
    Ok(out)
}

/// Splits `total` into whole numbers proportional to `weights` (largest remainder).
fn apportion(weights: &[u64], total: u64) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<u128> = weights.iter().map(|&w| w as u128 * total as u128).collect();
    let mut out: Vec<u64> = exact.iter().map(|e| (e / sum as u128) as u64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(exact[i] % sum as u128));
    let short = total - out.iter().sum::<u64>();
    for &i in order.iter().take(short as usize) {
        out[i] += 1;
    }
    out
}

impl SeedTables {
    pub fn load(catalog: &Catalog) -> Result<SeedTables, SampleError> {
        let g = &catalog.geography;
        Ok(SeedTables {
            categories: parse_table(CATEGORY_BY_MONTH, |c| catalog.typology.category(c))?,
            regions: parse_table(REGION_BY_MONTH, |name| {
                g.regions.iter().position(|r| r.name.get("fr") == name).map(|i| RegionId(i as u8))
            })?,
        })
    }

    /// The year's plan, scaled to `target` violations if given.
    pub fn plan(&self, target: Option<u64>) -> Vec<MonthPlan> {
        let mut categories = self.categories.clone();
        if let Some(target) = target {
            let flat: Vec<u64> = categories.iter().flat_map(|(_, m)| m.iter().copied()).collect();
            let scaled = apportion(&flat, target);
            for (i, (_, months)) in categories.iter_mut().enumerate() {
                months.copy_from_slice(&scaled[i * 12..i * 12 + 12]);
            }
        }
        (0..12)
            .map(|m| {
                let month_total: u64 = categories.iter().map(|(_, months)| months[m]).sum();
                let region_weights: Vec<u64> = self.regions.iter().map(|(_, months)| months[m]).collect();
                let region_counts = apportion(&region_weights, month_total);
                MonthPlan {
                    categories: categories.iter().map(|(c, months)| (*c, months[m])).collect(),
                    regions: self.regions.iter().zip(region_counts).map(|((r, _), n)| (*r, n)).collect(),
                }
            })
            .collect()
    }
}

/// The seeded choices that stay fixed over a generated year.
pub(crate) struct Profile {
    /// Per reporting region, its communes and their weights (hot spots first).
    hot_spots: Vec<Vec<(CommuneId, f64)>>,
    /// Per category, the weight of each region (a category's geography).
    affinity: Vec<Vec<f64>>,
    /// Per category, its subtypes and their weights.
    subtypes: Vec<Vec<(u8, f64)>>,
    categories: Vec<String>,
    /// Regions with violations in the seed tables: the ones with key informants.
    monitored: Vec<RegionId>,
}

/// Cercles where the seed report places most violations.
const HOT_CERCLES: [&str; 9] =
    ["Douentza", "Bandiagara", "Bankass", "Koro", "Djenne", "Niono", "Macina", "Gourma-Rharous", "Ansongo"];

const PARTNERS: [&str; 8] = ["DRC", "NRC", "IRC", "INTERSOS", "AMSS", "CAEB", "GREFFA", "ASDAP"];

impl Profile {
    pub fn new(catalog: &Catalog, tables: &SeedTables, seed: u64) -> Profile {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E0);
        let g = &catalog.geography;
        let hot_spots = (0..g.regions.len())
            .map(|r| {
                let mut communes: Vec<(CommuneId, f64)> = g
                    .communes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.region.0 as usize == r)
                    .map(|(i, c)| {
                        let cercle = &g.cercles[c.cercle as usize].unit.name;
                        let boost = if HOT_CERCLES.contains(&cercle.as_str()) { 4.0 } else { 1.0 };
                        (CommuneId(i as u16), boost * rng.random_range(0.2..1.0))
                    })
                    .collect();
                communes.sort_by(|a, b| b.1.total_cmp(&a.1));
                // Zipf-like: a few communes hold most incidents.
                for (rank, c) in communes.iter_mut().enumerate() {
                    c.1 /= (rank as f64 + 1.0).powf(1.1);
                }
                communes
            })
            .collect();
        let affinity = catalog
            .typology
            .categories
            .iter()
            .map(|c| {
                g.regions
                    .iter()
                    .map(|r| match (c.code.as_str(), r.name.get("fr")) {
                        ("A", "Mopti") | ("D", "Mopti") => 4.0,
                        ("C", "Tombouctou") | ("C", "Ségou") => 2.5,
                        ("E", "Mopti") | ("E", "Tombouctou") | ("E", "Gao") => 2.0,
                        ("B", "Ségou") | ("B", "Mopti") => 2.0,
                        _ => 1.0,
                    })
                    .collect()
            })
            .collect();
        let subtypes = (0..catalog.typology.categories.len())
            .map(|c| {
                catalog
                    .typology
                    .subtypes
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.category as usize == c)
                    .enumerate()
                    .map(|(rank, (i, s))| {
                        let weight = match s.code.as_str() {
                            "E1" => 12.0,
                            "C3" => 0.8,
                            "A1" => 6.0,
                            "D1" => 4.0,
                            _ => 1.0 / (rank as f64 + 1.0).powf(1.5),
                        };
                        (i as u8, weight)
                    })
                    .collect()
            })
            .collect();
        Profile {
            hot_spots,
            affinity,
            subtypes,
            categories: catalog.typology.categories.iter().map(|c| c.code.clone()).collect(),
            monitored: tables.regions.iter().filter(|(_, m)| m.iter().sum::<u64>() > 0).map(|(r, _)| *r).collect(),
        }
    }

    /// A month's category × region cells, drawn so that both margins hold exactly: each
    /// violation of a category goes to a region with probability proportional to the region's
    /// remaining count times the category's affinity for it.
    pub fn split_month(&self, rng: &mut ChaCha8Rng, plan: &MonthPlan) -> Vec<(u8, RegionId, u64)> {
        let mut left: Vec<u64> = plan.regions.iter().map(|(_, n)| *n).collect();
        let mut cells = Vec::new();
        for &(category, count) in &plan.categories {
            let mut per_region = vec![0u64; left.len()];
            for _ in 0..count {
                let weights: Vec<f64> = plan
                    .regions
                    .iter()
                    .zip(&left)
                    .map(|((r, _), &n)| n as f64 * self.affinity[category as usize][r.0 as usize])
                    .collect();
                let i = pick(rng, &weights);
                left[i] -= 1;
                per_region[i] += 1;
            }
            cells.extend(
                plan.regions.iter().zip(per_region).filter(|(_, n)| *n > 0).map(|((r, _), n)| (category, *r, n)),
            );
        }
        cells
    }

    pub fn incident_size(&self, rng: &mut ChaCha8Rng, category: u8) -> u64 {
        if self.categories[category as usize] == "A" {
            [1, 2, 3, 5, 8, 12, 20][pick(rng, &[3.0, 2.0, 2.0, 1.5, 1.0, 0.7, 0.4])]
        } else {
            [1, 2, 3, 4, 6][pick(rng, &[6.0, 2.0, 1.0, 0.6, 0.3])]
        }
    }

    pub fn hot_commune(&self, rng: &mut ChaCha8Rng, region: RegionId) -> CommuneId {
        let communes = &self.hot_spots[region.0 as usize];
        let weights: Vec<f64> = communes.iter().map(|c| c.1).collect();
        communes[pick(rng, &weights)].0
    }

    pub fn subtype(&self, rng: &mut ChaCha8Rng, category: u8) -> u8 {
        let subtypes = &self.subtypes[category as usize];
        let weights: Vec<f64> = subtypes.iter().map(|s| s.1).collect();
        subtypes[pick(rng, &weights)].0
    }

    pub fn organization(&self, rng: &mut ChaCha8Rng, region: RegionId) -> &'static str {
        // Each region has three partners.
        PARTNERS[(region.0 as usize * 3 + rng.random_range(0..3)) % PARTNERS.len()]
    }

    /// The communes with key informants, and their initial severity (0 to 1): up to 45 hot
    /// spots in each region where violations are documented, about 180 in all.
    pub fn monitored_communes(&self) -> Vec<(CommuneId, f64)> {
        let mut out = Vec::new();
        for (region, communes) in self.hot_spots.iter().enumerate() {
            if !self.monitored.contains(&RegionId(region as u8)) {
                continue;
            }
            let top = communes.first().map_or(1.0, |c| c.1);
            out.extend(communes.iter().take(45).map(|&(c, w)| (c, (0.15 + 0.7 * (w / top).sqrt()).min(1.0))));
        }
        out
    }
}

type Weights = &'static [(&'static str, f64)];

/// Place, time-slot and perpetrator weights of an incident of a category.
pub(crate) fn incident_weights(category: &str) -> (Weights, Weights, Weights) {
    match category {
        "E" => (
            &[("ROAD", 0.55), ("HOME", 0.15), ("MARKET", 0.1), ("TOWN", 0.1), ("FIELD", 0.05), ("PASTURE", 0.05)],
            &[("DAY", 0.6), ("EARLY_MORNING", 0.2), ("EVENING", 0.15), ("NIGHT", 0.05)],
            &[("UNID_ARMED", 0.6), ("NSAG_RADICAL", 0.25), ("NSAG_MILITIA", 0.1), ("CIVILIAN", 0.05)],
        ),
        "D" => (
            &[("ROAD", 0.4), ("FIELD", 0.25), ("HOME", 0.25), ("TOWN", 0.1)],
            &[("DAY", 0.55), ("EARLY_MORNING", 0.25), ("EVENING", 0.1), ("NIGHT", 0.1)],
            &[("NSAG_RADICAL", 0.4), ("UNID_ARMED", 0.3), ("NSAG_DOZO", 0.2), ("NSAG_MILITIA", 0.1)],
        ),
        "B" => (
            &[("ROAD", 0.35), ("FIELD", 0.25), ("HOME", 0.25), ("TOWN", 0.15)],
            &[("DAY", 0.35), ("EARLY_MORNING", 0.25), ("EVENING", 0.2), ("NIGHT", 0.2)],
            &[("UNID_ARMED", 0.5), ("NSAG_RADICAL", 0.3), ("NSAG_MILITIA", 0.1), ("FAMA", 0.05), ("UNKNOWN", 0.05)],
        ),
        "A" => (
            &[("TOWN", 0.6), ("HOME", 0.3), ("IDP_SITE", 0.1)],
            &[("EARLY_MORNING", 0.4), ("DAY", 0.4), ("NIGHT", 0.2)],
            &[("NSAG_RADICAL", 0.5), ("UNID_ARMED", 0.3), ("NSAG_MILITIA", 0.2)],
        ),
        "F" => (
            &[("SCHOOL", 0.4), ("HEALTH", 0.3), ("TOWN", 0.2), ("ROAD", 0.1)],
            &[("DAY", 0.8), ("EARLY_MORNING", 0.2)],
            &[("NSAG_RADICAL", 0.6), ("UNID_ARMED", 0.4)],
        ),
        _ => (
            &[("HOME", 0.35), ("TOWN", 0.25), ("ROAD", 0.25), ("FIELD", 0.15)],
            &[("DAY", 0.4), ("EVENING", 0.25), ("EARLY_MORNING", 0.2), ("NIGHT", 0.15)],
            &[
                ("UNID_ARMED", 0.4),
                ("NSAG_RADICAL", 0.25),
                ("CIVILIAN", 0.15),
                ("COMMUNITY", 0.1),
                ("FAMA", 0.04),
                ("NSAG_MILITIA", 0.04),
                ("BARKHANE", 0.01),
                ("MINUSMA", 0.01),
            ],
        ),
    }
}

pub(crate) const AGES: Weights = &[("ADULT", 0.7), ("CHILD", 0.18), ("ELDER", 0.1), ("UNKNOWN", 0.02)];
pub(crate) const OCCUPATIONS: Weights = &[
    ("FARMER", 0.23),
    ("TRADER", 0.22),
    ("HERDER", 0.13),
    ("DRIVER", 0.08),
    ("HOUSEHOLD", 0.08),
    ("STUDENT", 0.05),
    ("ARTISAN", 0.04),
    ("FISHER", 0.03),
    ("LEADER", 0.03),
    ("CIVIL_SERVANT", 0.02),
    ("HUMANITARIAN", 0.01),
    ("UNEMPLOYED", 0.04),
    ("OTHER", 0.02),
    ("UNKNOWN", 0.02),
];
pub(crate) const POPULATIONS: Weights =
    &[("RESIDENT", 0.62), ("IDP", 0.3), ("RETURNEE", 0.05), ("REFUGEE", 0.01), ("UNKNOWN", 0.02)];
