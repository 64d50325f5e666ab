//! Early warning: where a month is worse than its past, from the same counts as the tables
//! (counted violations only: neither rejected nor duplicates).
//!
//! What public-health surveillance learnt on small counts with many zeros is applied here:
//! - **Surge**: a cercle's or region's month, for a category, above the upper quantile (99 %) of
//!   a negative-binomial baseline (Poisson when the counts are not overdispersed), fitted on the
//!   months before — never the month itself — with the dispersion pooled over the region's
//!   cercles (over the regions, for regions), so that a unit with few data borrows strength;
//!   with a floor on the count and on the history, as Farrington's and ACLED's rules have.
//! - **New area**: a commune with violations after a year with none.
//! - **Sentinel**: events grave enough that one is a signal (a child recruited), as WHO's EWARN
//!   treats its sentinel diseases.
//! - **Risk deterioration**: a commune whose risk level rose two months running, or by two
//!   levels at once.
//!
//! The rules' numbers and the sentinel events are data (`reference/signals/signals.csv`,
//! `reference/signals/sentinels.csv`): a cluster changes them without code.

use std::collections::HashMap;

use super::monitoring::RiskTables;
use super::{Facts, day_of};
use crate::Catalog;
use crate::month::Month;
use crate::reference::ListKind;

/// The numbers of the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRules {
    /// The baseline's quantile a surge exceeds (0.99).
    pub quantile: f64,
    /// The fewest violations a surge counts.
    pub surge_min: u64,
    /// The fewest months of history a surge's baseline needs.
    pub history_min: u32,
    /// The months before the month a baseline reads at most.
    pub baseline_months: u32,
    /// The fewest violations a new area counts in the month.
    pub new_area_min: u64,
    /// The months before without any violation that make a commune a new area.
    pub quiet_months: u32,
    /// The months running a risk level rises for a deterioration.
    pub risk_rise_months: u32,
    /// The levels at once that make a deterioration.
    pub risk_jump: u8,
    pub sentinels: Vec<Sentinel>,
}

impl Default for SignalRules {
    /// The embedded `signals.csv`'s numbers, without sentinels (which name a catalog's codes:
    /// [`SignalRules::builtin`] has them).
    fn default() -> SignalRules {
        SignalRules {
            quantile: 0.99,
            surge_min: 3,
            history_min: 6,
            baseline_months: 24,
            new_area_min: 3,
            quiet_months: 12,
            risk_rise_months: 2,
            risk_jump: 2,
            sentinels: Vec::new(),
        }
    }
}

/// An event that is a signal at its first occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentinel {
    /// Its name in the signals' `category` column: `child_recruitment`.
    pub name: String,
    /// Subtypes (indexes) that are the event.
    pub subtypes: Vec<u8>,
    /// Only for victims of this age group (index), when given.
    pub age_group: Option<u8>,
    /// Violations of these subtypes in one incident that make the event (killings of several
    /// people: 3); 1 for an event on its own.
    pub min_in_incident: u64,
    /// Its label in each language, by the language's code.
    pub labels: Vec<(String, String)>,
}

/// Why a file of rules cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}: line {line}: {message}")]
pub struct RulesError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl SignalRules {
    /// The rules of the embedded reference files.
    pub fn builtin(catalog: &Catalog) -> SignalRules {
        // The embedded files are tested to parse: failing here is a build defect.
        SignalRules::parse(
            crate::catalog::embedded("signals/signals.csv"),
            crate::catalog::embedded("signals/sentinels.csv"),
            catalog,
        )
        .unwrap_or_else(|e| panic!("embedded signal rules: {e}"))
    }

    /// The rules from `signals.csv` (`setting,value,meaning`) and `sentinels.csv`
    /// (`name,subtypes,age_group,min_in_incident,label_…`), codes checked against `catalog`.
    pub fn parse(settings: &str, sentinels: &str, catalog: &Catalog) -> Result<SignalRules, RulesError> {
        let error = |file: &str, line: u64, message: String| RulesError { file: file.into(), line, message };
        let mut values: HashMap<String, (u64, String)> = HashMap::new();
        let mut reader = csv::Reader::from_reader(settings.as_bytes());
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| error("signals.csv", line, e.to_string()))?;
            values.insert(
                row.get(0).unwrap_or_default().trim().to_owned(),
                (line, row.get(1).unwrap_or_default().trim().to_owned()),
            );
        }
        let number = |name: &str| -> Result<f64, RulesError> {
            let (line, value) =
                values.get(name).ok_or_else(|| error("signals.csv", 1, format!("no setting `{name}`")))?;
            value.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                error("signals.csv", *line, format!("`{name}` is `{value}`: a number 0 or more was expected"))
            })
        };
        let whole = |name: &str| -> Result<u64, RulesError> {
            let v = number(name)?;
            if v.fract() != 0.0 {
                let line = values.get(name).map_or(1, |(l, _)| *l);
                return Err(error("signals.csv", line, format!("`{name}` is {v}: a whole number was expected")));
            }
            Ok(v as u64)
        };
        let quantile = number("surge_quantile")?;
        if !(0.5..1.0).contains(&quantile) {
            let line = values.get("surge_quantile").map_or(1, |(l, _)| *l);
            return Err(error(
                "signals.csv",
                line,
                format!("`surge_quantile` is {quantile}: between 0.5 and 1 (excluded) was expected"),
            ));
        }
        let mut rules = SignalRules {
            quantile,
            surge_min: whole("surge_min_count")?,
            history_min: whole("surge_min_history_months")? as u32,
            baseline_months: whole("surge_baseline_months")? as u32,
            new_area_min: whole("new_area_min_count")?,
            quiet_months: whole("new_area_quiet_months")? as u32,
            risk_rise_months: whole("risk_rise_months")? as u32,
            risk_jump: whole("risk_jump_levels")?.min(u64::from(u8::MAX)) as u8,
            sentinels: Vec::new(),
        };
        let mut reader = csv::Reader::from_reader(sentinels.as_bytes());
        let headers = reader.headers().map_err(|e| error("sentinels.csv", 1, e.to_string()))?.clone();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let (Some(name), Some(subtypes), Some(age), Some(min)) =
            (column("name"), column("subtypes"), column("age_group"), column("min_in_incident"))
        else {
            return Err(error(
                "sentinels.csv",
                1,
                "the columns are name,subtypes,age_group,min_in_incident,label_…".into(),
            ));
        };
        let labels: Vec<(usize, String)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.strip_prefix("label_").map(|lang| (i, lang.to_owned())))
            .collect();
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| error("sentinels.csv", line, e.to_string()))?;
            let cell = |c: usize| row.get(c).unwrap_or_default().trim();
            let codes = cell(subtypes)
                .split_whitespace()
                .map(|code| {
                    catalog
                        .typology
                        .subtype(code)
                        .ok_or_else(|| error("sentinels.csv", line, format!("`{code}` is no subtype of the typology")))
                })
                .collect::<Result<Vec<u8>, _>>()?;
            if codes.is_empty() {
                return Err(error("sentinels.csv", line, "a sentinel names one subtype or more".into()));
            }
            let age_group = match cell(age) {
                "" => None,
                code => Some(catalog.lists.get(ListKind::AgeGroup).find(code).ok_or_else(|| {
                    error("sentinels.csv", line, format!("`{code}` is no age group of the code lists"))
                })?),
            };
            let min_in_incident = cell(min).parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                error("sentinels.csv", line, format!("`min_in_incident` is `{}`: a whole number 1 or more", cell(min)))
            })?;
            rules.sentinels.push(Sentinel {
                name: cell(name).to_owned(),
                subtypes: codes,
                age_group,
                min_in_incident,
                labels: labels.iter().map(|(c, lang)| (lang.clone(), cell(*c).to_owned())).collect(),
            });
        }
        Ok(rules)
    }
}

/// What a signal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalKind {
    Surge,
    NewArea,
    Sentinel,
    RiskDeterioration,
}

impl SignalKind {
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Surge => "surge",
            SignalKind::NewArea => "new_area",
            SignalKind::Sentinel => "sentinel",
            SignalKind::RiskDeterioration => "risk_deterioration",
        }
    }
}

/// Where a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitLevel {
    Region,
    Cercle,
    Commune,
}

impl UnitLevel {
    pub fn name(self) -> &'static str {
        match self {
            UnitLevel::Region => "region",
            UnitLevel::Cercle => "cercle",
            UnitLevel::Commune => "commune",
        }
    }
}

/// One signal of a month.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: SignalKind,
    pub level: UnitLevel,
    /// The unit's index at its level (reporting region, cercle, commune of the geography).
    pub unit: usize,
    /// A surge's category (index); a sentinel's index in [`SignalRules::sentinels`].
    pub category: Option<usize>,
    /// Violations of the month (a risk deterioration: the level now).
    pub observed: u64,
    /// A surge's baseline mean; a risk deterioration's level it rose from.
    pub expected: Option<f64>,
    /// A surge's threshold: the most violations the baseline expects at its quantile.
    pub threshold: Option<u64>,
    /// The violations of the baseline's months (a surge): what discloses its expected figure.
    pub baseline_total: u64,
    /// The baseline's months (a surge); the months without a violation (a new area).
    pub baseline_months: u32,
}

/// Violations counted per month, by subtype × commune (`[subtype * communes + commune]`), for
/// the months `[first, last]`, oldest first.
fn cubes(facts: &Facts, first: Month, last: Month, organization: Option<u16>) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut month = first;
    while month <= last {
        match facts.month_cube.get(&month).filter(|_| !facts.cube_stale && organization.is_none()) {
            Some(cube) => out.push(cube.clone()),
            None if !facts.cube_stale && organization.is_none() => out.push(vec![0; facts.subtypes * facts.communes]),
            None => {
                // Writes not compacted yet, or one organisation's: the month's rows, as the cube
                // would count them.
                let mut cube = vec![0; facts.subtypes * facts.communes];
                let (from, to) = (day_of(month.first_day()), day_of(month.next().first_day()));
                let sorted = facts.sorted_range(from, to);
                let recent = (facts.sorted..facts.day.len()).filter(|&r| (from..to).contains(&facts.day[r]));
                let of = |r: usize| organization.is_none_or(|o| facts.organization[r] == o);
                for r in sorted.chain(recent).filter(|&r| facts.counts(r) && of(r)) {
                    cube[facts.subtype[r] as usize * facts.communes + facts.commune[r] as usize] += 1;
                }
                out.push(cube);
            }
        }
        month = month.next();
    }
    out
}

/// The month's violations that are `sentinel`'s event, by commune (of `organization`'s, when
/// given; an incident is the event when all its violations of the sentinel's are enough).
fn sentinel_counts(facts: &Facts, month: Month, sentinel: &Sentinel, organization: Option<u16>) -> HashMap<u16, u64> {
    let (from, to) = (day_of(month.first_day()), day_of(month.next().first_day()));
    let sorted = facts.sorted_range(from, to);
    let recent = (facts.sorted..facts.day.len()).filter(|&r| (from..to).contains(&facts.day[r]));
    let matches = |r: usize| {
        facts.counts(r)
            && sentinel.subtypes.contains(&facts.subtype[r])
            && sentinel.age_group.is_none_or(|a| facts.codes[ListKind::AgeGroup][r] == a)
    };
    // Per incident: its violations of the sentinel's, and those of `organization`.
    let mut by_incident: HashMap<(u16, u64), (u64, u64)> = HashMap::new();
    for r in sorted.chain(recent).filter(|&r| matches(r)) {
        let counts = by_incident.entry((facts.commune[r], facts.incident[r])).or_default();
        counts.0 += 1;
        counts.1 += u64::from(organization.is_none_or(|o| facts.organization[r] == o));
    }
    let mut by_commune: HashMap<u16, u64> = HashMap::new();
    for ((commune, _), (all, kept)) in by_incident {
        if all >= sentinel.min_in_incident && kept > 0 {
            *by_commune.entry(commune).or_default() += kept;
        }
    }
    by_commune
}

/// The smallest count whose cumulative probability reaches `quantile`, for a count of mean
/// `mean` with negative-binomial overdispersion `alpha` (variance `mean + alpha * mean²`;
/// Poisson when `alpha` is 0).
pub fn upper_quantile(mean: f64, alpha: f64, quantile: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    // The probabilities of 0, 1, 2… by their recurrence, in logs: a large mean's first ones
    // are far below the smallest float.
    // The negative binomial's size (none: Poisson).
    let size = (alpha > 1e-9).then(|| 1.0 / alpha);
    let log_first = size.map_or(-mean, |r| r * (r / (r + mean)).ln());
    // P(k + 1) / P(k).
    let ratio = |k: f64| size.map_or(mean / (k + 1.0), |r| (k + r) / (k + 1.0) * mean / (r + mean));
    let target = quantile.ln();
    let (mut log_p, mut log_cumulative, mut k) = (log_first, log_first, 0.0);
    // A bound on the loop: far beyond any count a month holds.
    while log_cumulative < target && k < 1e7 {
        log_p += ratio(k).ln();
        k += 1.0;
        let (high, low) = if log_cumulative > log_p { (log_cumulative, log_p) } else { (log_p, log_cumulative) };
        log_cumulative = high + (low - high).exp().ln_1p();
    }
    k as u64
}

/// The overdispersion of the distribution of next month's count, when the mean is estimated
/// from `months` months of a count of overdispersion `alpha`: the estimate's own variance,
/// `(mean + alpha mean²) / months`, widens it (as Farrington's prediction interval does).
pub fn predictive_alpha(mean: f64, alpha: f64, months: u32) -> f64 {
    if mean <= 0.0 || months == 0 {
        return alpha;
    }
    let variance = (mean + alpha * mean * mean) * (1.0 + 1.0 / f64::from(months));
    ((variance - mean) / (mean * mean)).max(0.0)
}

/// The signals of `month` over every counted violation of `facts`, with the risk index of the
/// month and the month before counted from `answers` (which must hold the report month and the
/// two before: a level rising two months running).
pub fn month_signals(
    facts: &Facts,
    catalog: &Catalog,
    rules: &SignalRules,
    month: Month,
    answers: &[crate::RiskAnswer],
) -> Vec<Signal> {
    let everywhere = super::Filter::default();
    let now = super::RiskTables::compute(catalog, month, answers, &everywhere);
    let before = super::RiskTables::compute(catalog, month.previous(), answers, &everywhere);
    signals(facts, catalog, rules, month, [&now, &before])
}

/// The signals of `month` over `facts`; `risk` the risk index of the month and of the month
/// before (for a rise two months running). In a fixed order: kind, level, unit, category.
pub fn signals(
    facts: &Facts,
    catalog: &Catalog,
    rules: &SignalRules,
    month: Month,
    risk: [&RiskTables; 2],
) -> Vec<Signal> {
    let mut out = Vec::new();
    let g = &catalog.geography;
    let (subtypes, communes) = (facts.subtypes, facts.communes);
    let categories = facts.categories;
    // The months of data: a baseline or a quiet year reads none before the first.
    let first_month = facts.earliest().map(Month::of);
    let history = |months: u32| {
        let mut m = month;
        let mut n = 0;
        while n < months && first_month.is_some_and(|f| m.previous() >= f) {
            m = m.previous();
            n += 1;
        }
        (m, n)
    };
    let window = rules.baseline_months.max(rules.quiet_months);
    let (oldest, _) = history(window);
    let months = cubes(facts, oldest, month, None);
    let Some((current, past)) = months.split_last() else { return out };

    // Counts by unit × category, per month: cercles and regions.
    let cercles = g.cercles.len();
    let regions = g.regions.len();
    let by_unit = |cube: &[u32], unit_of: &dyn Fn(usize) -> usize, units: usize| {
        let mut counts = vec![0u64; units * categories];
        for s in 0..subtypes {
            let category = facts.category_of_subtype[s] as usize;
            for (c, &n) in cube[s * communes..(s + 1) * communes].iter().enumerate() {
                if n > 0 {
                    counts[unit_of(c) * categories + category] += u64::from(n);
                }
            }
        }
        counts
    };
    let cercle_of = |c: usize| facts.cercle_of_commune[c] as usize;
    let region_of = |c: usize| facts.region_of_commune[c] as usize;
    let (_, history_months) = history(rules.baseline_months);
    if history_months >= rules.history_min {
        let baseline = &past[past.len() - history_months as usize..];
        // The region of each cercle, for pooling (a cercle's communes share their region).
        let mut cercle_region = vec![usize::MAX; cercles];
        for commune in &g.communes {
            cercle_region[commune.cercle as usize] = commune.region.0 as usize;
        }
        // Units pool their dispersion with the others of their group: a cercle with its
        // region's cercles, a region with every region.
        let one_group = vec![0; regions];
        for (level, unit_of, units, groups) in [
            (UnitLevel::Region, &region_of as &dyn Fn(usize) -> usize, regions, &one_group),
            (UnitLevel::Cercle, &cercle_of as &dyn Fn(usize) -> usize, cercles, &cercle_region),
        ] {
            let now = by_unit(current, unit_of, units);
            let series: Vec<Vec<u64>> = baseline.iter().map(|cube| by_unit(cube, unit_of, units)).collect();
            let n = series.len() as f64;
            // Mean and variance of each unit × category over the baseline.
            let moments: Vec<(f64, f64, u64)> = (0..units * categories)
                .map(|i| {
                    let total: u64 = series.iter().map(|s| s[i]).sum();
                    let mean = total as f64 / n;
                    let variance =
                        series.iter().map(|s| (s[i] as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
                    (mean, variance, total)
                })
                .collect();
            // Overdispersion pooled over each group's units, per category (moments' estimate of
            // alpha in variance = mean + alpha mean²).
            let mut pooled: HashMap<(usize, usize), (f64, f64)> = HashMap::new();
            for u in 0..units {
                for k in 0..categories {
                    let (mean, variance, _) = moments[u * categories + k];
                    let sums = pooled.entry((groups[u], k)).or_default();
                    sums.0 += variance - mean;
                    sums.1 += mean * mean;
                }
            }
            for u in 0..units {
                for k in 0..categories {
                    let observed = now[u * categories + k];
                    if observed < rules.surge_min {
                        continue;
                    }
                    let (mean, _, total) = moments[u * categories + k];
                    let (excess, squares) = pooled.get(&(groups[u], k)).copied().unwrap_or_default();
                    let alpha = if squares > 0.0 { (excess / squares).max(0.0) } else { 0.0 };
                    let alpha = predictive_alpha(mean, alpha, history_months);
                    let threshold = upper_quantile(mean, alpha, rules.quantile);
                    if observed > threshold {
                        out.push(Signal {
                            kind: SignalKind::Surge,
                            level,
                            unit: u,
                            category: Some(k),
                            observed,
                            expected: Some(mean),
                            threshold: Some(threshold),
                            baseline_total: total,
                            baseline_months: history_months,
                        });
                    }
                }
            }
        }
    }

    // New areas: violations in a commune after a year with none (a year the data covers).
    let (_, quiet) = history(rules.quiet_months);
    if quiet >= rules.quiet_months && rules.quiet_months > 0 {
        let quiet_months = &past[past.len() - quiet as usize..];
        let per_commune =
            |cube: &[u32], c: usize| (0..subtypes).map(|s| u64::from(cube[s * communes + c])).sum::<u64>();
        for c in 0..communes {
            let observed = per_commune(current, c);
            if observed >= rules.new_area_min.max(1) && quiet_months.iter().all(|cube| per_commune(cube, c) == 0) {
                out.push(Signal {
                    kind: SignalKind::NewArea,
                    level: UnitLevel::Commune,
                    unit: c,
                    category: None,
                    observed,
                    expected: Some(0.0),
                    threshold: None,
                    baseline_total: 0,
                    baseline_months: quiet,
                });
            }
        }
    }

    // Sentinels: the month's rows, by commune (and by incident, for several victims in one).
    for (i, sentinel) in rules.sentinels.iter().enumerate() {
        for (commune, observed) in sentinel_counts(facts, month, sentinel, None) {
            out.push(Signal {
                kind: SignalKind::Sentinel,
                level: UnitLevel::Commune,
                unit: commune as usize,
                category: Some(i),
                observed,
                expected: None,
                threshold: None,
                baseline_total: 0,
                baseline_months: 0,
            });
        }
    }

    // Risk: a level up two months running, or by two levels at once.
    let [now, before] = risk;
    for assessed in &now.communes {
        let Some(previous) = assessed.previous_level else { continue };
        let rose = |from: u8, to: u8| to > from;
        let earlier = before.communes.iter().find(|c| c.commune == assessed.commune).and_then(|c| c.previous_level);
        let running =
            rules.risk_rise_months >= 2 && rose(previous, assessed.level) && earlier.is_some_and(|e| rose(e, previous));
        let single = rules.risk_rise_months == 1 && rose(previous, assessed.level);
        let jump = rules.risk_jump > 0 && assessed.level >= previous.saturating_add(rules.risk_jump);
        if running || single || jump {
            out.push(Signal {
                kind: SignalKind::RiskDeterioration,
                level: UnitLevel::Commune,
                unit: assessed.commune.0 as usize,
                category: None,
                observed: u64::from(assessed.level),
                expected: Some(f64::from(if jump { previous } else { earlier.unwrap_or(previous) })),
                threshold: None,
                baseline_total: 0,
                baseline_months: 0,
            });
        }
    }
    out.sort_by_key(|s| (s.kind, s.level, s.unit, s.category));
    out
}

/// A signal's figures as one caller may see them: `None` where the disclosure rule withholds
/// one (read `<k`), as every figure of hidden records.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub signal: Signal,
    pub observed: Option<u64>,
    pub expected: Option<f64>,
    pub threshold: Option<u64>,
}

impl Shown {
    /// `signal` as a reader who sees no record one by one may see it (the public, viewers):
    /// every record it counts is hidden.
    pub fn to_anyone(signal: Signal, k: super::MinCount) -> Shown {
        let small = |hidden: u64| signal.kind != SignalKind::RiskDeterioration && (1..k.get()).contains(&hidden);
        let (now, before) = (small(signal.observed), small(signal.baseline_total));
        Shown {
            observed: (!now).then_some(signal.observed),
            expected: signal.expected.filter(|_| !before),
            threshold: signal.threshold.filter(|_| !before),
            signal,
        }
    }

    /// `signal` with every figure: for a reader who sees every record.
    pub fn exact(signal: Signal) -> Shown {
        Shown { observed: Some(signal.observed), expected: signal.expected, threshold: signal.threshold, signal }
    }
}

/// `signals` of `month` as a caller of `sight` may see them, by the one disclosure rule: a
/// figure counting 1 to k−1 records hidden from the caller is withheld (a partner's own records
/// aside, so that subtracting them gives nothing back); a surge's expected figure and threshold
/// when its baseline does. Risk levels are no count of records: shown.
pub fn disclose(
    signals: Vec<Signal>,
    facts: &Facts,
    rules: &SignalRules,
    month: Month,
    sight: &super::Sight,
    k: super::MinCount,
) -> Vec<Shown> {
    use super::Sight;

    let small = |hidden: u64| (1..k.get()).contains(&hidden);
    let own = match sight {
        Sight::Everything => return signals.into_iter().map(Shown::exact).collect(),
        Sight::Nothing => return signals.into_iter().map(|s| Shown::to_anyone(s, k)).collect(),
        Sight::Organization(code) => facts.organization_index(code),
    };
    // A partner's own records, month by month over the longest baseline.
    let longest = signals.iter().map(|s| s.baseline_months).max().unwrap_or(0);
    let mut oldest = month;
    for _ in 0..longest {
        oldest = oldest.previous();
    }
    let own_cubes = match own {
        Some(index) => cubes(facts, oldest, month, Some(index)),
        None => Vec::new(),
    };
    let (subtypes, communes) = (facts.subtypes, facts.communes);
    let in_unit = |signal: &Signal, commune: usize| match signal.level {
        UnitLevel::Region => facts.region_of_commune[commune] as usize == signal.unit,
        UnitLevel::Cercle => facts.cercle_of_commune[commune] as usize == signal.unit,
        UnitLevel::Commune => commune == signal.unit,
    };
    let own_in = |cube: &[u32], signal: &Signal| -> u64 {
        let mut n = 0;
        for s in 0..subtypes {
            if signal.category.is_some_and(|k| facts.category_of_subtype[s] as usize != k)
                && signal.kind == SignalKind::Surge
            {
                continue;
            }
            for c in (0..communes).filter(|&c| in_unit(signal, c)) {
                n += u64::from(cube[s * communes + c]);
            }
        }
        n
    };
    signals
        .into_iter()
        .map(|signal| {
            let (own_now, own_before) = match (own, signal.kind) {
                (Some(index), SignalKind::Sentinel) => {
                    let sentinel = signal.category.and_then(|i| rules.sentinels.get(i));
                    let counts = sentinel.map(|s| sentinel_counts(facts, month, s, Some(index))).unwrap_or_default();
                    (counts.get(&(signal.unit as u16)).copied().unwrap_or(0), 0)
                }
                (Some(_), _) if !own_cubes.is_empty() => {
                    let (now, past) = own_cubes.split_last().unwrap_or((&own_cubes[0], &[]));
                    let months = (signal.baseline_months as usize).min(past.len());
                    let before = past[past.len() - months..].iter().map(|cube| own_in(cube, &signal)).sum();
                    (own_in(now, &signal), before)
                }
                _ => (0, 0),
            };
            let counts = signal.kind != SignalKind::RiskDeterioration;
            let hidden_now = signal.observed.saturating_sub(own_now);
            let hidden_before = signal.baseline_total.saturating_sub(own_before);
            let withhold_now = counts && small(hidden_now);
            let withhold_before = counts && small(hidden_before);
            Shown {
                observed: (!withhold_now).then_some(signal.observed),
                expected: signal.expected.filter(|_| !withhold_before),
                threshold: signal.threshold.filter(|_| !withhold_before),
                signal,
            }
        })
        .collect()
}
