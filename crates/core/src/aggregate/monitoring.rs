//! The month's risk index and flash alerts, counted beside the violations so that the report,
//! `tables.csv` and the dashboard read them from the same layer.

use std::collections::BTreeMap;

use super::filter::Filter;
use crate::Catalog;
use crate::geography::CommuneId;
use crate::month::Month;
use crate::records::{Alert, EventType, RiskAnswer};

/// One assessed commune of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommuneRisk {
    pub commune: CommuneId,
    pub score: u32,
    pub level: u8,
    /// The level of the month before, scored with that month's definition; `None` when the
    /// commune was not assessed then.
    pub previous_level: Option<u8>,
    pub informants: u32,
}

impl CommuneRisk {
    /// A level change since the previous month (a commune first assessed is not a change).
    pub fn changed(&self) -> bool {
        self.previous_level.is_some_and(|p| p != self.level)
    }
}

/// The risk index of one month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskTables {
    /// The definition version that scored the month.
    pub version: u32,
    /// Number of levels of that definition.
    pub levels: usize,
    /// Assessed communes, in the geography's order.
    pub communes: Vec<CommuneRisk>,
    /// `[region * levels + level - 1]`: assessed communes per region and level.
    pub by_region_level: Vec<u64>,
    /// Communes of the geography per region (the denominator of the coverage).
    pub region_communes: Vec<u64>,
}

impl RiskTables {
    /// Scores every commune with answers in `month` (and in the month before, for the change),
    /// each month with its own definition. `answers` may hold any months; others are ignored.
    pub fn compute(catalog: &Catalog, month: Month, answers: &[RiskAnswer], filter: &Filter) -> RiskTables {
        let g = &catalog.geography;
        let keep = filter.place_and_organization(catalog);
        let score = |m: Month| -> BTreeMap<CommuneId, (u32, u8, u32)> {
            let definition = catalog.risk.definition(m);
            let mut by_commune: BTreeMap<CommuneId, Vec<&[u8]>> = BTreeMap::new();
            for a in answers.iter().filter(|a| a.month == m && keep(a.commune, &a.organization)) {
                by_commune.entry(a.commune).or_default().push(&a.options);
            }
            by_commune
                .into_iter()
                .filter_map(|(commune, informants)| {
                    let n = informants.len() as u32;
                    let score = definition.score(informants)?;
                    Some((commune, (score, definition.level(score).level, n)))
                })
                .collect()
        };
        let (current, previous) = (score(month), score(month.previous()));
        let version = catalog.risk.for_month(month);
        let levels = version.definition.levels.len();
        let mut by_region_level = vec![0; g.regions.len() * levels];
        let communes: Vec<CommuneRisk> = current
            .into_iter()
            .map(|(commune, (score, level, informants))| {
                let region = g.commune(commune).region.0 as usize;
                by_region_level[region * levels + usize::from(level) - 1] += 1;
                CommuneRisk { commune, score, level, previous_level: previous.get(&commune).map(|p| p.1), informants }
            })
            .collect();
        let mut region_communes = vec![0; g.regions.len()];
        for (c, selected) in g.communes.iter().zip(filter.commune_mask(catalog)) {
            if selected {
                region_communes[c.region.0 as usize] += 1;
            }
        }
        RiskTables { version: version.version, levels, communes, by_region_level, region_communes }
    }

    pub fn region_level(&self, region: usize, level: u8) -> u64 {
        self.by_region_level.get(region * self.levels + usize::from(level).wrapping_sub(1)).copied().unwrap_or(0)
    }

    pub fn level_total(&self, level: u8) -> u64 {
        (0..self.region_communes.len()).map(|r| self.region_level(r, level)).sum()
    }

    pub fn region_assessed(&self, region: usize) -> u64 {
        (1..=self.levels as u8).map(|l| self.region_level(region, l)).sum()
    }

    /// Regions with at least one assessed commune this month.
    pub fn monitored_regions(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.region_communes.len()).filter(|&r| self.region_assessed(r) > 0)
    }

    /// Communes of the monitored regions: what the assessed communes are a share of.
    pub fn monitored_communes(&self) -> u64 {
        self.monitored_regions().map(|r| self.region_communes[r]).sum()
    }

    pub fn changes(&self) -> impl Iterator<Item = &CommuneRisk> {
        self.communes.iter().filter(|c| c.changed())
    }

    pub fn get(&self, commune: CommuneId) -> Option<&CommuneRisk> {
        self.communes.binary_search_by_key(&commune, |c| c.commune).ok().map(|i| &self.communes[i])
    }
}

/// The month's flash alerts, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertTables {
    pub total: u64,
    /// `[region * event types + event type]`, event types in [`EventType::ALL`] order.
    pub by_region_event: Vec<u64>,
    /// Persons affected, per region (alerts without the figure count 0).
    pub persons_by_region: Vec<u64>,
}

impl AlertTables {
    pub fn compute(catalog: &Catalog, month: Month, alerts: &[Alert], filter: &Filter) -> AlertTables {
        let regions = catalog.geography.regions.len();
        let keep = filter.place_and_organization(catalog);
        let mut out = AlertTables {
            total: 0,
            by_region_event: vec![0; regions * EventType::ALL.len()],
            persons_by_region: vec![0; regions],
        };
        for a in alerts.iter().filter(|a| Month::of(a.date) == month && keep(a.commune, &a.organization)) {
            let region = catalog.geography.commune(a.commune).region.0 as usize;
            let event = EventType::ALL.iter().position(|e| *e == a.event_type).unwrap_or_default();
            out.total += 1;
            out.by_region_event[region * EventType::ALL.len() + event] += 1;
            out.persons_by_region[region] += u64::from(a.affected_persons.unwrap_or(0));
        }
        out
    }

    pub fn region_event(&self, region: usize, event: usize) -> u64 {
        self.by_region_event.get(region * EventType::ALL.len() + event).copied().unwrap_or(0)
    }

    pub fn region(&self, region: usize) -> u64 {
        (0..EventType::ALL.len()).map(|e| self.region_event(region, e)).sum()
    }

    pub fn event(&self, event: usize) -> u64 {
        (0..self.persons_by_region.len()).map(|r| self.region_event(r, event)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(catalog: &Catalog, id: &str, month: Month, pcode: &str, points: u8) -> RiskAnswer {
        let d = catalog.risk.definition(month);
        let options =
            d.questions.iter().map(|q| q.options.iter().position(|o| o.points == points).unwrap_or(0) as u8).collect();
        let commune = catalog.geography.commune_by_pcode(pcode).expect("commune");
        RiskAnswer { id: id.into(), month, commune, options, organization: "ORG".into() }
    }

    #[test]
    fn levels_changes_and_coverage() {
        let c = Catalog::builtin();
        let (oct, nov) = (Month::new(2021, 10).expect("m"), Month::new(2021, 11).expect("m"));
        let communes: Vec<&str> = c.geography.communes.iter().take(3).map(|c| c.unit.pcode.as_str()).collect();
        let answers = vec![
            answer(c, "a", oct, communes[0], 0),
            answer(c, "b", nov, communes[0], 2), // 30 points: stable → critical
            answer(c, "c", nov, communes[1], 0), // assessed for the first time
            // Two informants, 0 and 1 → 1 a question; Q03 and Q07 have no 1-point option: 13.
            answer(c, "d", nov, communes[1], 1),
            answer(c, "e", oct, communes[2], 0), // assessed in October only
        ];
        let t = RiskTables::compute(c, nov, &answers, &Filter::default());
        assert_eq!(t.communes.len(), 2);
        let first = t.communes[0];
        assert_eq!((first.score, first.level, first.previous_level, first.informants), (30, 4, Some(1), 1));
        let second = t.communes[1];
        assert_eq!((second.score, second.level, second.previous_level, second.informants), (13, 2, None, 2));
        assert_eq!(t.changes().count(), 1);
        assert_eq!((t.level_total(4), t.level_total(2)), (1, 1));
        let region = c.geography.communes[0].region.0 as usize;
        assert_eq!(t.monitored_regions().collect::<Vec<_>>(), vec![region]);
        assert_eq!(t.monitored_communes(), t.region_communes[region]);
    }
}
