//! The same event reported twice, by two partners most often: pairs of violations an IM officer
//! should look at side by side, best first. Neither Primero nor DHIS2 does this; clusters do it
//! by hand in Excel.
//!
//! A pair is a candidate when its violations belong to different incidents (the violations of
//! one incident are several victims, never a duplicate), happened in the same commune at most
//! [`MAX_DAYS`] apart, and share their subtype or at least its category. The score (0 to 1)
//! adds what else they share: the victim's sex, age group, population and occupation, the
//! perpetrator, the place, the time of day, the locality, words of the narratives, and how close
//! the dates are. Candidates are found by commune and date order (a window of [`MAX_DAYS`]),
//! never by comparing every pair.

use std::collections::HashSet;

use chrono::Datelike;

use crate::{Catalog, ListKind, Month, Violation};

/// Incident dates further apart are never the same event.
pub const MAX_DAYS: i64 = 3;
/// The score from which a pair is proposed.
pub const DEFAULT_THRESHOLD: f64 = 0.84;

/// The sum of every weight a pair can have at most: scores are shares of it.
const MAX_SCORE: f64 = 0.30 + 0.12 * 2.0 + 0.08 * 2.0 + 0.06 * 2.0 + 0.05 * 4.0 + 0.10;

/// Why a pair scores: each shared trait (the codes a reader sees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    SameSubtype,
    SameCategory,
    SameVictimSex,
    SameAgeGroup,
    SamePopulation,
    SameOccupation,
    SamePerpetrator,
    /// One report names the perpetrator, the other says unidentified.
    PerpetratorUnidentified,
    SamePlace,
    SameTimeSlot,
    SameLocality,
    SimilarNarrative,
    SameDay,
    DaysApart(u8),
    /// Reported by two organisations: what a duplicate across partners is.
    OtherOrganization,
}

impl Reason {
    /// The code a CSV or JSON reader gets.
    pub fn code(self) -> String {
        match self {
            Reason::SameSubtype => "same_subtype".into(),
            Reason::SameCategory => "same_category".into(),
            Reason::SameVictimSex => "same_victim_sex".into(),
            Reason::SameAgeGroup => "same_age_group".into(),
            Reason::SamePopulation => "same_population".into(),
            Reason::SameOccupation => "same_occupation".into(),
            Reason::SamePerpetrator => "same_perpetrator".into(),
            Reason::PerpetratorUnidentified => "perpetrator_unidentified_in_one".into(),
            Reason::SamePlace => "same_place".into(),
            Reason::SameTimeSlot => "same_time_slot".into(),
            Reason::SameLocality => "same_locality".into(),
            Reason::SimilarNarrative => "similar_narrative".into(),
            Reason::SameDay => "same_day".into(),
            Reason::DaysApart(n) => format!("{n}_days_apart"),
            Reason::OtherOrganization => "other_organization".into(),
        }
    }

    /// What it adds to the score.
    fn weight(self) -> f64 {
        match self {
            Reason::SameSubtype => 0.30,
            Reason::SameCategory => 0.15,
            Reason::SameVictimSex | Reason::SameAgeGroup => 0.12,
            Reason::SamePopulation | Reason::SamePerpetrator => 0.08,
            Reason::SamePlace => 0.06,
            Reason::SameOccupation | Reason::SameTimeSlot | Reason::SameLocality | Reason::SameDay => 0.05,
            Reason::PerpetratorUnidentified => 0.04,
            Reason::SimilarNarrative => 0.06,
            Reason::DaysApart(n) => 0.01 * f64::from(4 - n.min(3)),
            Reason::OtherOrganization => 0.10,
        }
    }
}

/// A proposed pair: `a` reported first (or the lesser id), `b` the possible duplicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub a: String,
    pub b: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Pairs already decided, which are never proposed again (either order).
#[derive(Debug, Clone, Default)]
pub struct Decided(HashSet<(String, String)>);

impl Decided {
    pub fn add(&mut self, a: &str, b: &str) {
        self.0.insert(ordered(a, b));
    }

    fn contains(&self, a: &str, b: &str) -> bool {
        self.0.contains(&ordered(a, b))
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

/// The candidate pairs with at least one violation in `month`, scoring `threshold` or more,
/// best first. `violations` should hold the month and [`MAX_DAYS`] around it, counted ones
/// only (not rejected, not already a duplicate).
pub fn candidates(
    violations: &[Violation],
    catalog: &Catalog,
    month: Month,
    decided: &Decided,
    threshold: f64,
) -> Vec<Candidate> {
    let unidentified = catalog.lists.get(ListKind::Perpetrator).find("UNID_ARMED");
    let words: Vec<HashSet<String>> = violations.iter().map(|v| narrative_words(v.narrative.as_deref())).collect();
    // What the inner loop compares, worked out once per violation.
    let day: Vec<i64> = violations.iter().map(|v| i64::from(v.incident_date.num_days_from_ce())).collect();
    let in_month: Vec<bool> = violations.iter().map(|v| Month::of(v.incident_date) == month).collect();
    let category: Vec<u8> = violations.iter().map(|v| catalog.typology.subtypes[v.subtype as usize].category).collect();
    // By commune, then date: each violation is compared with those at most MAX_DAYS after it.
    let mut order: Vec<usize> = (0..violations.len()).collect();
    order.sort_by_key(|&i| (violations[i].commune.0, day[i]));
    let mut out = Vec::new();
    for (at, &i) in order.iter().enumerate() {
        let a = &violations[i];
        for &j in &order[at + 1..] {
            let b = &violations[j];
            let days = day[j] - day[i];
            if b.commune != a.commune || days > MAX_DAYS {
                break;
            }
            if !(in_month[i] || in_month[j]) {
                continue;
            }
            let typology = if a.subtype == b.subtype {
                Reason::SameSubtype
            } else if category[i] == category[j] {
                Reason::SameCategory
            } else {
                continue;
            };
            if a.incident_id == b.incident_id {
                continue;
            }
            let mut reasons = vec![typology];
            let same = |kind: ListKind| a.code(kind) == b.code(kind);
            for (kind, reason) in [
                (ListKind::Sex, Reason::SameVictimSex),
                (ListKind::AgeGroup, Reason::SameAgeGroup),
                (ListKind::Population, Reason::SamePopulation),
                (ListKind::Occupation, Reason::SameOccupation),
                (ListKind::Place, Reason::SamePlace),
                (ListKind::TimeSlot, Reason::SameTimeSlot),
            ] {
                if same(kind) {
                    reasons.push(reason);
                }
            }
            if same(ListKind::Perpetrator) {
                reasons.push(Reason::SamePerpetrator);
            } else if unidentified
                .is_some_and(|u| a.code(ListKind::Perpetrator) == u || b.code(ListKind::Perpetrator) == u)
            {
                reasons.push(Reason::PerpetratorUnidentified);
            }
            if let (Some(x), Some(y)) = (&a.locality, &b.locality)
                && x.trim().to_lowercase() == y.trim().to_lowercase()
            {
                reasons.push(Reason::SameLocality);
            }
            reasons.push(if days == 0 { Reason::SameDay } else { Reason::DaysApart(days as u8) });
            if a.organization != b.organization {
                reasons.push(Reason::OtherOrganization);
            }
            let score = |reasons: &[Reason]| (reasons.iter().map(|r| r.weight()).sum::<f64>() / MAX_SCORE).min(1.0);
            // The narratives are compared only where they could make the difference.
            let with_narrative = score(&reasons) + Reason::SimilarNarrative.weight() / MAX_SCORE;
            if with_narrative < threshold {
                continue;
            }
            if jaccard(&words[i], &words[j]) >= 0.3 {
                reasons.push(Reason::SimilarNarrative);
            }
            let score = score(&reasons);
            reasons.sort_unstable();
            if score >= threshold && !decided.contains(&a.id, &b.id) {
                // The earlier report first: the other is the possible duplicate.
                let (first, second) =
                    if (a.incident_date, &a.id) <= (b.incident_date, &b.id) { (a, b) } else { (b, a) };
                out.push(Candidate { a: first.id.clone(), b: second.id.clone(), score: round(score), reasons });
            }
        }
    }
    out.sort_by(|x, y| y.score.total_cmp(&x.score).then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b))));
    out
}

fn round(score: f64) -> f64 {
    (score * 100.0).round() / 100.0
}

/// A narrative's words of three letters or more, lower-cased.
fn narrative_words(text: Option<&str>) -> HashSet<String> {
    text.unwrap_or_default()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// The days a month's candidates are looked for in: the month and [`MAX_DAYS`] on each side.
pub fn window(month: Month) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let margin = chrono::Days::new(MAX_DAYS as u64);
    (month.first_day() - margin, month.last_day() + margin)
}
