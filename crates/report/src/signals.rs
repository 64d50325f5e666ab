//! Early-warning signals as rows: the one way the CLI, the API, the dashboard and the report
//! name them (`kind,unit_level,unit,category,observed,expected,threshold`), withheld figures as
//! the disclosure rule left them.

use std::io::Write;

use vigie_core::Catalog;
use vigie_core::aggregate::{Shown, Signal, SignalKind, SignalRules, UnitLevel};

/// A signal as written: codes, not labels; `None` where a figure does not apply or is withheld.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRow {
    pub kind: &'static str,
    pub unit_level: &'static str,
    /// The unit's P-code (a reporting region's code).
    pub unit: String,
    pub unit_name: String,
    /// A surge's category code; a sentinel's name.
    pub category: String,
    pub observed: Option<u64>,
    pub expected: Option<f64>,
    pub threshold: Option<u64>,
    /// The figures withheld by the disclosure rule (`observed`, `expected`, `threshold`).
    pub withheld: Vec<&'static str>,
}

/// A signal's unit as a code (a P-code; a reporting region's code) and its category as one (a
/// surge's category; a sentinel's name; empty for the others).
pub fn codes(signal: &Signal, catalog: &Catalog, rules: &SignalRules) -> (String, String) {
    let g = &catalog.geography;
    let unit = match signal.level {
        UnitLevel::Region => g.regions[signal.unit].code.clone(),
        UnitLevel::Cercle => g.cercles[signal.unit].unit.pcode.clone(),
        UnitLevel::Commune => g.communes[signal.unit].unit.pcode.clone(),
    };
    let category = match (signal.kind, signal.category) {
        (SignalKind::Surge, Some(k)) => catalog.typology.categories[k].code.clone(),
        (SignalKind::Sentinel, Some(i)) => rules.sentinels.get(i).map(|s| s.name.clone()).unwrap_or_default(),
        _ => String::new(),
    };
    (unit, category)
}

/// The rows of `shown`, in its order, units named in `lang`.
pub fn rows(shown: &[Shown], catalog: &Catalog, rules: &SignalRules, lang: vigie_i18n::Lang) -> Vec<SignalRow> {
    let g = &catalog.geography;
    shown
        .iter()
        .map(|s| {
            let signal = &s.signal;
            let (unit, category) = codes(signal, catalog, rules);
            let unit_name = match signal.level {
                UnitLevel::Region => g.regions[signal.unit].name.get(lang.code()).to_owned(),
                UnitLevel::Cercle => g.cercles[signal.unit].unit.name.clone(),
                UnitLevel::Commune => g.communes[signal.unit].unit.name.clone(),
            };
            let mut withheld = Vec::new();
            if s.observed.is_none() {
                withheld.push("observed");
            }
            if signal.expected.is_some() && s.expected.is_none() {
                withheld.push("expected");
            }
            if signal.threshold.is_some() && s.threshold.is_none() {
                withheld.push("threshold");
            }
            SignalRow {
                kind: signal.kind.name(),
                unit_level: signal.level.name(),
                unit,
                unit_name,
                category,
                observed: s.observed,
                expected: s.expected,
                threshold: s.threshold,
                withheld,
            }
        })
        .collect()
}

/// A baseline mean as written: two decimals at most.
fn mean(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `kind,unit_level,unit,category,observed,expected,threshold`: empty where a figure does not
/// apply, `<k` where it is withheld.
pub fn write_csv(rows: &[SignalRow], k: u64, out: impl Write) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["kind", "unit_level", "unit", "category", "observed", "expected", "threshold"])?;
    for r in rows {
        let figure = |name: &str, value: Option<String>| {
            if r.withheld.contains(&name) { format!("<{k}") } else { value.unwrap_or_default() }
        };
        csv.write_record([
            r.kind.to_owned(),
            r.unit_level.to_owned(),
            r.unit.clone(),
            r.category.clone(),
            figure("observed", r.observed.map(|n| n.to_string())),
            figure("expected", r.expected.map(mean)),
            figure("threshold", r.threshold.map(|n| n.to_string())),
        ])?;
    }
    csv.flush()
}

/// The signals as JSON: `{"month", "min_count", "signals": [...]}`, a withheld figure `null`
/// and named in its signal's `suppressed`.
pub fn to_json(month: &str, rows: &[SignalRow], k: u64) -> serde_json::Value {
    let signals: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "kind": r.kind,
                "unit_level": r.unit_level,
                "unit": r.unit,
                "unit_name": r.unit_name,
                "category": r.category,
                "observed": r.observed,
                "expected": r.expected.map(|e| (e * 100.0).round() / 100.0),
                "threshold": r.threshold,
                "suppressed": r.withheld,
            })
        })
        .collect();
    serde_json::json!({ "month": month, "min_count": k, "signals": signals })
}
