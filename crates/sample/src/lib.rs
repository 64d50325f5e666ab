//! Deterministic sample data in the exchange formats, for demos, tests and benchmarks.
//!
//! By default a year's violations reproduce the two yearly tables of the seed report
//! (`data/*_2021.csv`) exactly: category × month and region × month. The joint
//! category × region split of each month is drawn so that both margins hold. Within a cell,
//! violations are grouped into incidents in hot-spot communes, with place, time of day,
//! perpetrator and victim profiles that depend on the category (extortion on roads in daytime,
//! abductions in fields, displacement in large groups).

mod shape;

use std::io::Write;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigie_core::records::{LatLon, alert_schema, risk_answer_schema, violation_schema};
use vigie_core::{Alert, ByList, Catalog, CommuneId, EventType, ListKind, Month, RegionId, RiskAnswer, Violation};

use shape::{Profile, SeedTables};

#[derive(Debug, Clone)]
pub struct Options {
    pub year: i32,
    pub seed: u64,
    /// Scale the year to this many violations; `None` keeps the seed report's 6 033.
    pub violations: Option<u64>,
    /// Nothing is dated after this day.
    pub today: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("writing sample data: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing sample data: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub violations: u64,
    pub incidents: u64,
    pub alerts: u64,
    pub risk_answers: u64,
}

/// The three files' writers.
pub struct Sinks<V: Write, A: Write, R: Write> {
    pub violations: csv::Writer<V>,
    pub alerts: csv::Writer<A>,
    pub risk_answers: csv::Writer<R>,
}

pub fn generate<V: Write, A: Write, R: Write>(
    catalog: &Catalog,
    options: &Options,
    sinks: &mut Sinks<V, A, R>,
) -> Result<Stats, SampleError> {
    let tables = SeedTables::load(catalog)?;
    let profile = Profile::new(catalog, &tables, options.seed);
    let plan = tables.plan(options.violations);
    let mut stats = Stats::default();

    sinks.violations.write_record(violation_schema().names())?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    for (month_index, month_plan) in plan.iter().enumerate() {
        let month = Month::new(options.year, month_index as u32 + 1)
            .ok_or_else(|| SampleError::Invalid(format!("year {} out of range", options.year)))?;
        if month.first_day() > options.today {
            break;
        }
        let cells = profile.split_month(&mut rng, month_plan);
        for (category, region, count) in cells {
            let mut left = count;
            while left > 0 {
                let size = profile.incident_size(&mut rng, category).min(left);
                left -= size;
                stats.incidents += 1;
                let incident_id = format!("INC-{}-{:07}", options.year, stats.incidents);
                let incident = profile.incident(&mut rng, catalog, category, region, month, options.today);
                for _ in 0..size {
                    stats.violations += 1;
                    let id = format!("VIO-{}-{:08}", options.year, stats.violations);
                    let v = profile.violation(&mut rng, catalog, &incident, id, incident_id.clone());
                    sinks.violations.write_record(v.fields(catalog))?;
                }
            }
        }
    }

    stats.alerts = write_alerts(catalog, options, &profile, &plan, &mut sinks.alerts)?;
    stats.risk_answers = write_risk_answers(catalog, options, &profile, &plan, &mut sinks.risk_answers)?;
    sinks.violations.flush()?;
    sinks.alerts.flush()?;
    sinks.risk_answers.flush()?;
    Ok(stats)
}

/// A few flash alerts a month in the month's most affected regions' hot spots.
fn write_alerts<W: Write>(
    catalog: &Catalog,
    options: &Options,
    profile: &Profile,
    plan: &[shape::MonthPlan],
    out: &mut csv::Writer<W>,
) -> Result<u64, SampleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0xA1E7);
    out.write_record(alert_schema().names())?;
    let mut n = 0;
    for (i, month_plan) in plan.iter().enumerate() {
        let Some(month) = Month::new(options.year, i as u32 + 1) else {
            continue;
        };
        let total: u64 = month_plan.regions.iter().map(|(_, c)| c).sum();
        if total == 0 || month.first_day() > options.today {
            continue;
        }
        let alerts = 2 + (total / 60).min(30);
        for _ in 0..alerts {
            let weights: Vec<f64> = month_plan.regions.iter().map(|(_, c)| *c as f64).collect();
            let region = month_plan.regions[shape::pick(&mut rng, &weights)].0;
            let commune = profile.hot_commune(&mut rng, region);
            let event_type = EventType::ALL[shape::pick(&mut rng, &[5.0, 2.0, 3.0, 1.5, 2.0, 1.0, 0.5])];
            let households = rng.random_range(5..400u32);
            n += 1;
            let alert = Alert {
                id: format!("ALT-{}-{n:05}", options.year),
                date: shape::day_in(&mut rng, month, options.today),
                commune,
                locality: None,
                location: Some(jitter(&mut rng, catalog, commune)),
                event_type,
                affected_households: Some(households),
                affected_persons: Some(households * rng.random_range(5..9u32)),
                description: format!(
                    "Alerte {} (données fictives générées par Vigie)",
                    event_type.code().to_lowercase()
                ),
                organization: profile.organization(&mut rng, catalog.geography.commune(commune).region).to_owned(),
            };
            out.write_record(alert.fields(catalog))?;
        }
    }
    Ok(n)
}

/// Key informants in about 180 monitored communes, 1 to 3 a commune, every month with data.
/// Each commune has a latent severity that drifts month to month; informants disagree a little.
fn write_risk_answers<W: Write>(
    catalog: &Catalog,
    options: &Options,
    profile: &Profile,
    plan: &[shape::MonthPlan],
    out: &mut csv::Writer<W>,
) -> Result<u64, SampleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x715C);
    out.write_record(risk_answer_schema(catalog).names())?;
    let communes = profile.monitored_communes();
    let mut severity: Vec<f64> = communes.iter().map(|&(_, s)| s).collect();
    // The same informants every month, each with a lasting view of each question: levels
    // change when the situation drifts, not from month-to-month noise.
    let informants: Vec<usize> = communes.iter().map(|_| 1 + shape::pick(&mut rng, &[3.0, 5.0, 2.0])).collect();
    let questions = catalog.risk.current().definition.questions.len();
    let bias: Vec<f64> = (0..communes.len() * 3 * questions).map(|_| rng.random_range(-0.5..0.5)).collect();
    let mut n = 0;
    for (i, month_plan) in plan.iter().enumerate() {
        let Some(month) = Month::new(options.year, i as u32 + 1) else {
            continue;
        };
        let total: u64 = month_plan.regions.iter().map(|(_, c)| c).sum();
        if total == 0 || month.first_day() > options.today {
            continue;
        }
        for (k, &(commune, _)) in communes.iter().enumerate() {
            severity[k] = (severity[k] + rng.random_range(-0.04..0.04)).clamp(0.0, 1.0);
            for informant in 0..informants[k] {
                let options_chosen = catalog
                    .risk
                    .definition(month)
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(j, q)| {
                        let lasting = bias.get((k * 3 + informant) * questions + j).copied().unwrap_or(0.0);
                        let noise: f64 = lasting + rng.random_range(-0.15..0.15);
                        let max = q.options.iter().map(|o| o.points).max().unwrap_or(0) as f64;
                        let target = (severity[k] * max * 1.25 + noise).clamp(0.0, max);
                        // The option whose points are closest to the informant's perception.
                        q.options
                            .iter()
                            .enumerate()
                            .min_by(|a, b| {
                                let da = (a.1.points as f64 - target).abs();
                                let db = (b.1.points as f64 - target).abs();
                                da.total_cmp(&db)
                            })
                            .map_or(0, |(i, _)| i as u8)
                    })
                    .collect();
                n += 1;
                let answer = RiskAnswer {
                    id: format!("RSK-{month}-{}-{}", catalog.geography.commune(commune).unit.pcode, informant + 1),
                    month,
                    commune,
                    options: options_chosen,
                    organization: profile.organization(&mut rng, catalog.geography.commune(commune).region).to_owned(),
                };
                out.write_record(answer.fields(catalog))?;
            }
        }
    }
    Ok(n)
}

fn jitter(rng: &mut ChaCha8Rng, catalog: &Catalog, commune: CommuneId) -> LatLon {
    let unit = &catalog.geography.commune(commune).unit;
    let round = |x: f64| (x * 1e5).round() / 1e5;
    LatLon {
        lat: round(unit.lat + rng.random_range(-0.04..0.04)),
        lon: round(unit.lon + rng.random_range(-0.04..0.04)),
    }
}

/// What all violations of one incident share.
pub(crate) struct Incident {
    pub category: u8,
    pub commune: CommuneId,
    pub date: NaiveDate,
    pub report_date: NaiveDate,
    pub location: Option<LatLon>,
    pub place: u8,
    pub time_slot: u8,
    pub perpetrator: u8,
    pub organization: String,
}

impl Profile {
    fn incident(
        &self,
        rng: &mut ChaCha8Rng,
        catalog: &Catalog,
        category: u8,
        region: RegionId,
        month: Month,
        today: NaiveDate,
    ) -> Incident {
        let commune = self.hot_commune(rng, region);
        let date = shape::day_in(rng, month, today);
        let report_date = (date + chrono::Days::new(rng.random_range(0..12))).min(today);
        let code = |kind: ListKind, weights: &[(&str, f64)], rng: &mut ChaCha8Rng| {
            let list = catalog.lists.get(kind);
            let w: Vec<f64> = weights.iter().map(|(_, w)| *w).collect();
            list.find(weights[shape::pick(rng, &w)].0).unwrap_or(0)
        };
        let (places, slots, perpetrators) =
            shape::incident_weights(&catalog.typology.categories[category as usize].code);
        Incident {
            category,
            commune,
            date,
            report_date,
            location: rng.random_bool(0.7).then(|| jitter(rng, catalog, commune)),
            place: code(ListKind::Place, places, rng),
            time_slot: code(ListKind::TimeSlot, slots, rng),
            perpetrator: code(ListKind::Perpetrator, perpetrators, rng),
            organization: self.organization(rng, catalog.geography.commune(commune).region).to_owned(),
        }
    }

    fn violation(
        &self,
        rng: &mut ChaCha8Rng,
        catalog: &Catalog,
        incident: &Incident,
        id: String,
        incident_id: String,
    ) -> Violation {
        let subtype = self.subtype(rng, incident.category);
        let victim = |kind: ListKind, weights: &[(&str, f64)], rng: &mut ChaCha8Rng| {
            let w: Vec<f64> = weights.iter().map(|(_, w)| *w).collect();
            catalog.lists.get(kind).find(weights[shape::pick(rng, &w)].0).unwrap_or(0)
        };
        let sexual =
            matches!(catalog.typology.subtypes[subtype as usize].code.as_str(), "C5" | "C6" | "C7" | "C8" | "C9");
        let sex =
            if sexual { &[("F", 0.95), ("M", 0.05)][..] } else { &[("M", 0.68), ("F", 0.3), ("UNKNOWN", 0.02)][..] };
        // Drawn in this order, so that a seed always gives the same data.
        let sex = victim(ListKind::Sex, sex, rng);
        let age = victim(ListKind::AgeGroup, shape::AGES, rng);
        let occupation = victim(ListKind::Occupation, shape::OCCUPATIONS, rng);
        let population = victim(ListKind::Population, shape::POPULATIONS, rng);
        let codes = ByList::from_fn(|kind| match kind {
            ListKind::Perpetrator => incident.perpetrator,
            ListKind::Place => incident.place,
            ListKind::TimeSlot => incident.time_slot,
            ListKind::Sex => sex,
            ListKind::AgeGroup => age,
            ListKind::Occupation => occupation,
            ListKind::Population => population,
        });
        Violation {
            id,
            incident_id,
            incident_date: incident.date,
            report_date: Some(incident.report_date),
            commune: incident.commune,
            locality: None,
            location: incident.location,
            subtype,
            codes,
            organization: incident.organization.clone(),
            narrative: incident.date.day().is_multiple_of(4).then(|| "Récit fictif généré par Vigie.".to_owned()),
        }
    }
}

/// What an analyst adds to the demonstration month (`--inputs` folders): sample recommendations
/// and one regional analysis, per report language, by their path under the language's folder.
pub const ANALYST_INPUTS: [(&str, &str, &str); 4] = [
    ("fr", "recommandations.csv", include_str!("../data/analyst/fr/recommandations.csv")),
    ("fr", "analyses/ML05.md", include_str!("../data/analyst/fr/analyses/ML05.md")),
    ("en", "recommandations.csv", include_str!("../data/analyst/en/recommandations.csv")),
    ("en", "analyses/ML05.md", include_str!("../data/analyst/en/analyses/ML05.md")),
];
