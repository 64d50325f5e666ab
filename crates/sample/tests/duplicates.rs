//! The duplicate detector's recall and precision on planted duplicates: a month of generated
//! violations (shaped like the seed report's), copies of random ones as a second partner would
//! report them (another id, incident and organisation, the date up to two days off, sometimes an
//! unidentified perpetrator, another narrative, no locality), and distinct events that only look
//! alike (same commune, subtype and days, another victim). Recall: planted copies proposed.
//! Precision: proposals that are planted copies (every other proposal, the generated data's own
//! look-alikes included, counts against it).

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use vigie_core::duplicates::{DEFAULT_THRESHOLD, Decided, candidates, window};
use vigie_core::{Catalog, ListKind, Month, Violation};

fn generated(catalog: &Catalog) -> Vec<Violation> {
    let options = vigie_sample::Options {
        year: 2021,
        seed: 2021,
        violations: None,
        today: chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date"),
    };
    let mut sinks = vigie_sample::Sinks {
        violations: csv::Writer::from_writer(Vec::new()),
        alerts: csv::Writer::from_writer(std::io::sink()),
        risk_answers: csv::Writer::from_writer(std::io::sink()),
    };
    vigie_sample::generate(catalog, &options, &mut sinks).expect("generate");
    let bytes = sinks.violations.into_inner().expect("flush");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    reader
        .records()
        .map(|row| {
            let row = row.expect("row");
            let values: Vec<Option<&str>> = row.iter().map(|v| Some(v).filter(|v| !v.is_empty())).collect();
            Violation::parse(&values, catalog, options.today).expect("valid")
        })
        .collect()
}

#[test]
fn planted_duplicates_are_found_and_look_alikes_mostly_not() {
    let catalog = Catalog::builtin();
    let month = Month::new(2021, 11).expect("month");
    let (from, to) = window(month);
    let mut violations: Vec<Violation> =
        generated(catalog).into_iter().filter(|v| (from..=to).contains(&v.incident_date)).collect();
    let originals: Vec<Violation> =
        violations.iter().filter(|v| Month::of(v.incident_date) == month).cloned().collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(26);
    let unidentified = catalog.lists.get(ListKind::Perpetrator).find("UNID_ARMED").expect("code");
    let narratives: Vec<String> = originals.iter().filter_map(|v| v.narrative.clone()).collect();
    let mut planted = HashSet::new();
    for n in 0..200 {
        let original = &originals[rng.random_range(0..originals.len())];
        let mut copy = original.clone();
        copy.id = format!("DUP-{n}");
        copy.incident_id = format!("DUP-I-{n}");
        copy.organization = if original.organization == "NRC" { "DRC".into() } else { "NRC".into() };
        let shift = rng.random_range(-2i64..=2);
        copy.incident_date = original.incident_date + chrono::Duration::days(shift);
        if rng.random_bool(0.3) {
            copy.codes[ListKind::Perpetrator] = unidentified;
        }
        copy.narrative = (!narratives.is_empty()).then(|| narratives[rng.random_range(0..narratives.len())].clone());
        copy.locality = None;
        copy.location = None;
        planted.insert((original.id.clone(), copy.id.clone()));
        violations.push(copy);
    }
    for n in 0..200 {
        let original = &originals[rng.random_range(0..originals.len())];
        let mut alike = original.clone();
        alike.id = format!("ALIKE-{n}");
        alike.incident_id = format!("ALIKE-I-{n}");
        alike.incident_date = original.incident_date + chrono::Duration::days(rng.random_range(-3i64..=3));
        for kind in
            [ListKind::Sex, ListKind::AgeGroup, ListKind::Population, ListKind::Occupation, ListKind::Perpetrator]
        {
            let size = catalog.lists.get(kind).codes.len();
            alike.codes[kind] = rng.random_range(0..size) as u8;
        }
        alike.narrative = None;
        violations.push(alike);
    }
    let proposed = candidates(&violations, catalog, month, &Decided::default(), DEFAULT_THRESHOLD);
    let is_planted = |a: &str, b: &str| {
        planted.contains(&(a.to_owned(), b.to_owned())) || planted.contains(&(b.to_owned(), a.to_owned()))
    };
    let found = planted
        .iter()
        .filter(|(a, b)| {
            proposed.iter().any(|c| is_planted(&c.a, &c.b) && (c.a == *a || c.b == *a) && (c.a == *b || c.b == *b))
        })
        .count();
    let right = proposed.iter().filter(|c| is_planted(&c.a, &c.b)).count();
    let recall = found as f64 / planted.len() as f64;
    let precision = right as f64 / proposed.len().max(1) as f64;
    eprintln!(
        "duplicates at threshold {DEFAULT_THRESHOLD}: {} violations in the window, {} planted copies, {} look-alikes; \
         {} proposed, {found} planted found: recall {recall:.3}, precision {precision:.3}",
        violations.len(),
        planted.len(),
        200,
        proposed.len()
    );
    assert!(recall >= 0.9, "recall {recall}");
    assert!(precision >= 0.8, "precision {precision}");
}
