//! Early-warning signals on small hand-made series: each rule, its floors (the count, the
//! history), all-zero baselines, a new commune, sentinels, the risk index; the rules read from
//! data; and a property: more violations in a unit's month never take its surge away.

use proptest::prelude::*;
use vigie_core::aggregate::{
    Facts, MinCount, RiskTables, Sight, Signal, SignalKind, SignalRules, UnitLevel, disclose, signals, upper_quantile,
};
use vigie_core::{ByList, Catalog, CommuneId, ListKind, Month, Violation};

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn month(text: &str) -> Month {
    Month::parse(text).expect("month")
}

/// A violation of `subtype` in commune `pcode` on the 10th of `month`, in incident `incident`.
fn violation(pcode: &str, subtype: &str, month: Month, incident: &str, organization: &str) -> Violation {
    let c = catalog();
    let date = month.first_day() + chrono::Days::new(9);
    Violation {
        id: String::new(),
        incident_id: incident.to_owned(),
        incident_date: date,
        report_date: None,
        commune: c.geography.commune_by_pcode(pcode).expect("commune"),
        locality: None,
        location: None,
        subtype: c.typology.subtype(subtype).expect("subtype"),
        codes: ByList::from_fn(|kind| {
            if kind == ListKind::AgeGroup { c.lists.get(kind).find("ADULT").unwrap_or(0) } else { 0 }
        }),
        organization: organization.to_owned(),
        narrative: None,
    }
}

/// Facts from `(commune, subtype, month, how many)`: each violation an incident of its own.
fn facts(series: &[(&str, &str, &str, usize)]) -> Facts {
    let mut facts = Facts::new(catalog());
    let mut key = 0;
    for &(pcode, subtype, m, n) in series {
        for _ in 0..n {
            let v = violation(pcode, subtype, month(m), &format!("I{key}"), "DRC");
            let fact = facts.fact_of(&v);
            facts.upsert(key, fact);
            key += 1;
        }
    }
    facts.compact();
    facts
}

fn rules() -> SignalRules {
    SignalRules::builtin(catalog())
}

fn of(facts: &Facts, m: &str) -> Vec<Signal> {
    let none = RiskTables::default();
    signals(facts, catalog(), &rules(), month(m), [&none, &none])
}

/// The months from `first` for `n` months, as text.
fn months(first: &str, n: usize) -> Vec<String> {
    let mut m = month(first);
    (0..n)
        .map(|_| {
            let text = m.to_string();
            m = m.next();
            text
        })
        .collect()
}

const SEVARE: &str = "ML050101"; // a commune of the cercle of Mopti (ML0501)
const OTHER: &str = "ML040503";

#[test]
fn the_rules_are_read_from_the_reference_files_and_bad_ones_said() {
    let r = rules();
    assert_eq!((r.quantile, r.surge_min, r.history_min, r.baseline_months), (0.99, 3, 6, 24));
    assert_eq!((r.new_area_min, r.quiet_months, r.risk_rise_months, r.risk_jump), (3, 12, 2, 2));
    let names: Vec<&str> = r.sentinels.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["child_recruitment", "sexual_violence", "mass_killing"]);
    assert_eq!(r.sentinels[2].min_in_incident, 3);
    assert_eq!(
        SignalRules { sentinels: Vec::new(), ..r.clone() },
        SignalRules::default(),
        "the defaults are the file's"
    );
    // A cluster's own numbers, from its own files.
    let settings =
        vigie_core::catalog::embedded("signals/signals.csv").replace("surge_min_count,3", "surge_min_count,5");
    let own = SignalRules::parse(&settings, "name,subtypes,age_group,min_in_incident\nabductions,D1,,1\n", catalog())
        .expect("rules");
    assert_eq!((own.surge_min, own.sentinels.len()), (5, 1));
    let bad = SignalRules::parse(&settings, "name,subtypes,age_group,min_in_incident\nx,Z9,,1\n", catalog());
    assert_eq!(
        bad.expect_err("no such subtype").to_string(),
        "sentinels.csv: line 2: `Z9` is no subtype of the typology"
    );
    let bad =
        SignalRules::parse(&settings.replace("0.99", "2"), "name,subtypes,age_group,min_in_incident\n", catalog());
    assert!(bad.expect_err("a quantile").to_string().contains("surge_quantile"));
}

#[test]
fn the_threshold_is_the_count_model_s_upper_quantile() {
    // Poisson(2): P(X <= 6) = 0.9955, P(X <= 5) = 0.9834.
    assert_eq!(upper_quantile(2.0, 0.0, 0.99), 6);
    // Overdispersed, the tail is longer.
    assert!(upper_quantile(2.0, 1.0, 0.99) > 6);
    assert_eq!(upper_quantile(0.0, 0.5, 0.99), 0, "an all-zero baseline expects none");
    // A large mean, whose first probabilities are below the smallest float: about mean + 2.33 sd.
    let large = upper_quantile(5000.0, 0.0, 0.99);
    assert!((5160..=5170).contains(&large), "{large}");
}

#[test]
fn a_tripled_cercle_month_is_a_surge_with_its_figures_and_a_steady_one_is_none() {
    // Three abductions (D1) a month for a year, then nine.
    let mut series: Vec<(&str, &str, String, usize)> =
        months("2020-11", 12).into_iter().map(|m| (SEVARE, "D1", m, 3)).collect();
    series.push((SEVARE, "D1", "2021-11".into(), 9));
    let series: Vec<(&str, &str, &str, usize)> = series.iter().map(|(a, b, m, n)| (*a, *b, m.as_str(), *n)).collect();
    let facts = facts(&series);
    let found = of(&facts, "2021-11");
    let surges: Vec<&Signal> = found.iter().filter(|s| s.kind == SignalKind::Surge).collect();
    let cercle = catalog().geography.cercles.iter().position(|c| c.unit.pcode == "ML0501").expect("Mopti");
    let d = catalog().typology.categories.iter().position(|c| c.code == "D").expect("D");
    let at_cercle = surges.iter().find(|s| s.level == UnitLevel::Cercle).expect("the cercle's surge");
    assert_eq!((at_cercle.unit, at_cercle.category, at_cercle.observed), (cercle, Some(d), 9));
    // No overdispersion (the same count every month): Poisson(3), whose 99 % quantile is 8.
    assert_eq!((at_cercle.expected, at_cercle.threshold), (Some(3.0), Some(8)));
    assert!(surges.iter().any(|s| s.level == UnitLevel::Region), "the region's too");
    // The same month with two: nothing.
    let steady: Vec<(&str, &str, &str, usize)> =
        series.iter().map(|&(a, b, m, n)| (a, b, m, if m == "2021-11" { 3 } else { n })).collect();
    assert!(of(&self::facts(&steady), "2021-11").iter().all(|s| s.kind != SignalKind::Surge));
}

#[test]
fn a_surge_needs_its_floor_of_violations_and_of_history() {
    // An all-zero baseline of a year elsewhere: two violations are under the floor, three are a surge.
    let mut series: Vec<(&str, &str, String, usize)> =
        months("2020-11", 12).into_iter().map(|m| (OTHER, "E1", m, 1)).collect();
    series.push((SEVARE, "D1", "2021-11".into(), 2));
    let two: Vec<(&str, &str, &str, usize)> = series.iter().map(|(a, b, m, n)| (*a, *b, m.as_str(), *n)).collect();
    let surge_at = |facts: &Facts| {
        of(facts, "2021-11").into_iter().filter(|s| s.kind == SignalKind::Surge && s.level == UnitLevel::Cercle).count()
    };
    assert_eq!(surge_at(&facts(&two)), 0, "two violations: under the floor of three");
    let three: Vec<(&str, &str, &str, usize)> =
        two.iter().map(|&(a, b, m, n)| (a, b, m, if a == SEVARE { 3 } else { n })).collect();
    assert_eq!(surge_at(&facts(&three)), 1, "three after a year of none");
    // Five months of history only: no surge, however many.
    let short: Vec<(&str, &str, &str, usize)> =
        vec![(OTHER, "E1", "2021-06", 1), (SEVARE, "D1", "2021-07", 1), (SEVARE, "D1", "2021-11", 20)];
    assert_eq!(surge_at(&facts(&short)), 0, "less than 6 months of history");
}

#[test]
fn a_commune_with_violations_after_a_quiet_year_is_a_new_area() {
    let mut series: Vec<(&str, &str, String, usize)> =
        months("2020-11", 12).into_iter().map(|m| (OTHER, "E1", m, 1)).collect();
    series.push((SEVARE, "E1", "2021-11".into(), 3));
    let series: Vec<(&str, &str, &str, usize)> = series.iter().map(|(a, b, m, n)| (*a, *b, m.as_str(), *n)).collect();
    let found = of(&facts(&series), "2021-11");
    let sevare = catalog().geography.commune_by_pcode(SEVARE).expect("Sévaré").0 as usize;
    let new: Vec<&Signal> = found.iter().filter(|s| s.kind == SignalKind::NewArea).collect();
    assert_eq!(new.len(), 1);
    assert_eq!((new[0].unit, new[0].observed), (sevare, 3));
    // One violation in the year before: not new.
    let mut again = series.clone();
    again.push((SEVARE, "E1", "2021-02", 1));
    assert!(of(&facts(&again), "2021-11").iter().all(|s| s.kind != SignalKind::NewArea));
    // A store that does not reach a year back cannot tell.
    let young = [(SEVARE, "E1", "2021-11", 3), (OTHER, "E1", "2021-06", 1)];
    assert!(of(&facts(&young), "2021-11").iter().all(|s| s.kind != SignalKind::NewArea));
}

#[test]
fn sentinels_are_signals_at_their_first_occurrence() {
    let c = catalog();
    let mut facts = Facts::new(c);
    let november = month("2021-11");
    let child = c.lists.get(ListKind::AgeGroup).find("CHILD").expect("CHILD");
    let mut recruited = violation(SEVARE, "D3", november, "R1", "DRC");
    recruited.codes[ListKind::AgeGroup] = child;
    let adult = violation(OTHER, "D3", november, "R2", "DRC");
    // Two killed in one incident, three in another.
    let killed = [("K1", 2), ("K2", 3)];
    let mut key = 0;
    let mut add = |facts: &mut Facts, v: &Violation| {
        let fact = facts.fact_of(v);
        facts.upsert(key, fact);
        key += 1;
    };
    add(&mut facts, &recruited);
    add(&mut facts, &adult);
    for (incident, n) in killed {
        for _ in 0..n {
            add(&mut facts, &violation(OTHER, "B2", november, incident, "DRC"));
        }
    }
    facts.compact();
    let found = of(&facts, "2021-11");
    let sentinels: Vec<(&str, usize, u64)> = found
        .iter()
        .filter(|s| s.kind == SignalKind::Sentinel)
        .map(|s| (rules().sentinels[s.category.expect("a sentinel")].name.clone(), s.unit, s.observed))
        .map(|(name, unit, n)| {
            (
                if name == "child_recruitment" {
                    "child"
                } else if name == "mass_killing" {
                    "killing"
                } else {
                    "other"
                },
                unit,
                n,
            )
        })
        .collect();
    let sevare = c.geography.commune_by_pcode(SEVARE).expect("Sévaré").0 as usize;
    let other = c.geography.commune_by_pcode(OTHER).expect("commune").0 as usize;
    let mut sentinels = sentinels;
    sentinels.sort();
    assert_eq!(
        sentinels,
        [("child", sevare, 1), ("killing", other, 3)],
        "an adult recruited is none; two killed is none"
    );
}

#[test]
fn a_risk_level_rising_two_months_running_or_two_levels_at_once_is_a_deterioration() {
    use vigie_core::aggregate::CommuneRisk;
    let risk = |levels: &[(u16, u8, Option<u8>)]| RiskTables {
        communes: levels
            .iter()
            .map(|&(c, level, previous)| CommuneRisk {
                commune: CommuneId(c),
                score: 0,
                level,
                previous_level: previous,
                informants: 1,
            })
            .collect(),
        ..RiskTables::default()
    };
    // Commune 1: 1 → 2 → 3 (running); commune 2: 1 → 3 (a jump); commune 3: 2 → 1 → 2 (none).
    let now = risk(&[(1, 3, Some(2)), (2, 3, Some(1)), (3, 2, Some(1))]);
    let before = risk(&[(1, 2, Some(1)), (2, 1, Some(1)), (3, 1, Some(2))]);
    let found = signals(&Facts::new(catalog()), catalog(), &rules(), month("2021-11"), [&now, &before]);
    let risen: Vec<(usize, u64, Option<f64>)> = found
        .iter()
        .filter(|s| s.kind == SignalKind::RiskDeterioration)
        .map(|s| (s.unit, s.observed, s.expected))
        .collect();
    assert_eq!(risen, [(1, 3, Some(1.0)), (2, 3, Some(1.0))]);
}

#[test]
fn a_caller_who_may_not_see_the_records_gets_small_figures_withheld() {
    // A sentinel of one: the viewer sees the signal, not its count; an IM officer, both.
    let c = catalog();
    let mut facts = Facts::new(c);
    let mut v = violation(SEVARE, "C5", month("2021-11"), "S1", "DRC");
    v.codes[ListKind::AgeGroup] = 0;
    let fact = facts.fact_of(&v);
    facts.upsert(0, fact);
    facts.compact();
    let found = of(&facts, "2021-11");
    assert_eq!(found.len(), 1);
    let k = MinCount::default();
    let viewer = disclose(found.clone(), &facts, &rules(), month("2021-11"), &Sight::Nothing, k);
    assert_eq!(viewer[0].observed, None, "1 is under k");
    let im = disclose(found.clone(), &facts, &rules(), month("2021-11"), &Sight::Everything, k);
    assert_eq!(im[0].observed, Some(1));
    let own = disclose(found, &facts, &rules(), month("2021-11"), &Sight::Organization("DRC".into()), k);
    assert_eq!(own[0].observed, Some(1), "its own record: nothing hidden");
}

proptest! {
    /// Adding violations to a unit's month never takes its surge away: the baseline leaves the
    /// month out, so only the observed count grows.
    #[test]
    fn more_violations_in_the_month_never_remove_a_surge(
        history in proptest::collection::vec(0usize..6, 12..20),
        now in 0usize..12,
        more in 1usize..10,
    ) {
        let base = months("2019-01", history.len());
        let current = month("2019-01");
        let mut m = current;
        for _ in 0..history.len() { m = m.next(); }
        let current = m.to_string();
        let series = |n: usize| {
            let mut s: Vec<(&str, &str, &str, usize)> =
                base.iter().zip(&history).map(|(m, &h)| (SEVARE, "D1", m.as_str(), h)).collect();
            s.push((OTHER, "E1", base[0].as_str(), 1));
            s.push((SEVARE, "D1", current.as_str(), n));
            facts(&s)
        };
        let surges = |facts: &Facts| -> Vec<(UnitLevel, usize, Option<usize>)> {
            of(facts, &current).into_iter().filter(|s| s.kind == SignalKind::Surge).map(|s| (s.level, s.unit, s.category)).collect()
        };
        let before = surges(&series(now));
        let after = surges(&series(now + more));
        for unit in before {
            prop_assert!(after.contains(&unit), "{unit:?} lost");
        }
    }
}
