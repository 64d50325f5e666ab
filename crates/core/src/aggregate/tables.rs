use std::collections::HashSet;

use super::facts::{Facts, day_of};
use super::filter::{Filter, Masks};
use crate::Catalog;
use crate::month::Month;

/// Everything counted over one month's violations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCounts {
    pub month: Month,
    pub total: u64,
    /// Distinct incidents (an incident's violations share its id and date).
    pub incidents: u64,
    /// `[category * regions + region]`.
    pub category_by_region: Vec<u64>,
    pub subtype: Vec<u64>,
    /// Per cercle index of the geography.
    pub cercle: Vec<u64>,
    /// Per commune index of the geography.
    pub commune: Vec<u64>,
    /// Per code list (in the order of a violation's codes), per code index.
    pub codes: [Vec<u64>; 7],
    /// `[time slot * categories + category]`.
    pub time_slot_by_category: Vec<u64>,
    /// Per organisation index of the facts.
    pub organization: Vec<u64>,
    pub regions: usize,
    pub categories: usize,
}

impl MonthCounts {
    fn new(month: Month, facts: &Facts, catalog: &Catalog) -> MonthCounts {
        let g = &catalog.geography;
        let (c, r) = (facts.categories, facts.regions);
        MonthCounts {
            month,
            total: 0,
            incidents: 0,
            category_by_region: vec![0; c * r],
            subtype: vec![0; catalog.typology.subtypes.len()],
            cercle: vec![0; g.cercles.len()],
            commune: vec![0; g.communes.len()],
            codes: std::array::from_fn(|_| vec![0; 256]),
            time_slot_by_category: vec![0; 256 * c],
            organization: vec![0; facts.organizations().len()],
            regions: r,
            categories: c,
        }
    }

    pub fn category_region(&self, category: usize, region: usize) -> u64 {
        self.category_by_region[category * self.regions + region]
    }

    pub fn category(&self, category: usize) -> u64 {
        (0..self.regions).map(|r| self.category_region(category, r)).sum()
    }

    pub fn region(&self, region: usize) -> u64 {
        (0..self.categories).map(|c| self.category_region(c, region)).sum()
    }

    pub fn time_slot_category(&self, slot: usize, category: usize) -> u64 {
        self.time_slot_by_category[slot * self.categories + category]
    }

    /// Counts by category, indexed by category.
    pub fn categories(&self) -> Vec<u64> {
        (0..self.categories).map(|c| self.category(c)).collect()
    }

    pub fn regions(&self) -> Vec<u64> {
        (0..self.regions).map(|r| self.region(r)).collect()
    }

    fn count(&mut self, facts: &Facts, r: usize) {
        let subtype = facts.subtype[r] as usize;
        let category = facts.category_of_subtype[subtype] as usize;
        let commune = facts.commune[r] as usize;
        let region = facts.region_of_commune[commune] as usize;
        self.total += 1;
        self.category_by_region[category * self.regions + region] += 1;
        self.subtype[subtype] += 1;
        self.cercle[facts.cercle_of_commune[commune] as usize] += 1;
        self.commune[commune] += 1;
        for (counts, column) in self.codes.iter_mut().zip(&facts.codes) {
            counts[column[r] as usize] += 1;
        }
        self.time_slot_by_category[facts.codes[2][r] as usize * self.categories + category] += 1;
        self.organization[facts.organization[r] as usize] += 1;
    }
}

/// A month's full table set: the month, the previous month (for comparisons), and the
/// year's category × month and region × month tables up to the end of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTables {
    pub month: Month,
    pub current: MonthCounts,
    pub previous: MonthCounts,
    /// `[category][month of year]`; months after the report month are 0: a report describes
    /// the year as of its month.
    pub category_by_month: Vec<[u64; 12]>,
    pub region_by_month: Vec<[u64; 12]>,
}

impl MonthTables {
    /// Violations from January to the end of the report month.
    pub fn year_to_date(&self) -> u64 {
        self.category_by_month.iter().flatten().sum()
    }

    pub fn region_year_to_date(&self, region: usize) -> u64 {
        self.region_by_month[region].iter().sum()
    }

    pub fn category_year_to_date(&self, category: usize) -> u64 {
        self.category_by_month[category].iter().sum()
    }

    pub fn month_total(&self, month_index: usize) -> u64 {
        self.category_by_month.iter().map(|m| m[month_index]).sum()
    }
}

/// `part` as a percentage of `whole` (0 when `whole` is 0).
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

/// One entry of a ranking: equal counts share a rank (1, 2, 2, 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub index: usize,
    pub count: u64,
    pub rank: usize,
}

impl Ranked {
    /// Non-zero counts, largest first; ties keep index order and share a rank.
    pub fn rank(counts: &[u64]) -> Vec<Ranked> {
        let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
        order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        let mut out: Vec<Ranked> = Vec::with_capacity(order.len());
        for (position, &index) in order.iter().enumerate() {
            let rank = match out.last() {
                Some(last) if last.count == counts[index] => last.rank,
                _ => position + 1,
            };
            out.push(Ranked { index, count: counts[index], rank });
        }
        out
    }
}

impl Facts {
    /// The full table set of `month` for the violations that `filter` selects.
    pub fn tables(&self, catalog: &Catalog, month: Month, filter: &Filter) -> MonthTables {
        let masks = filter.masks(catalog, self.organizations());
        let (current, (previous, (category_by_month, region_by_month))) = std::thread::scope(|s| {
            let year = s.spawn(|| self.year_tables(month, &masks));
            let previous = self.month_counts_masked(catalog, month.previous(), &masks);
            let current = self.month_counts_masked(catalog, month, &masks);
            (current, (previous, year.join().unwrap_or_else(|e| std::panic::resume_unwind(e))))
        });
        MonthTables { month, current, previous, category_by_month, region_by_month }
    }

    pub fn month_counts(&self, catalog: &Catalog, month: Month, filter: &Filter) -> MonthCounts {
        self.month_counts_masked(catalog, month, &filter.masks(catalog, self.organizations()))
    }

    fn month_counts_masked(&self, catalog: &Catalog, month: Month, masks: &Masks) -> MonthCounts {
        let mut counts = MonthCounts::new(month, self, catalog);
        let from = day_of(month.first_day()).max(masks.from);
        let to = day_of(month.next().first_day()).min(masks.to);
        if from >= to {
            return counts;
        }
        let check = masks.any || self.dead_count > 0;
        let mut last = None;
        for r in self.sorted_range(from, to) {
            if check && !self.selected(r, masks) {
                continue;
            }
            counts.count(self, r);
            // Sorted by (day, incident): a new pair is a new incident.
            let key = (self.day[r], self.incident[r]);
            if last != Some(key) {
                counts.incidents += 1;
                last = Some(key);
            }
        }
        let mut recent = HashSet::new();
        for r in self.sorted..self.day.len() {
            if (from..to).contains(&self.day[r]) && self.selected(r, masks) {
                counts.count(self, r);
                let key = (self.day[r], self.incident[r]);
                if recent.insert(key) && !self.sorted_has_incident(key, masks) {
                    counts.incidents += 1;
                }
            }
        }
        counts
    }

    fn sorted_has_incident(&self, (day, incident): (i32, u64), masks: &Masks) -> bool {
        let rows = &self.day[..self.sorted];
        let start = rows.partition_point(|&d| d < day);
        (start..rows.partition_point(|&d| d <= day)).any(|r| self.incident[r] == incident && self.selected(r, masks))
    }

    #[inline]
    fn selected(&self, r: usize, m: &Masks) -> bool {
        !self.dead[r]
            && m.commune[self.commune[r] as usize]
            && m.subtype[self.subtype[r] as usize]
            && m.organization[self.organization[r] as usize]
            && (m.from..m.to).contains(&self.day[r])
            && self.codes.iter().zip(&m.codes).all(|(column, mask)| mask[column[r] as usize])
    }

    /// Category × month and region × month, January to the report month.
    fn year_tables(&self, month: Month, masks: &Masks) -> (Vec<[u64; 12]>, Vec<[u64; 12]>) {
        let (categories, regions) = (self.categories, self.regions);
        let mut by_category = vec![[0u64; 12]; categories];
        let mut by_region = vec![[0u64; 12]; regions];
        for (i, m) in month.months_of_year().enumerate().take_while(|(_, m)| *m <= month) {
            if !masks.any {
                // Unfiltered: the cube kept in step with every write.
                if let Some(cube) = self.month_cube.get(&m) {
                    for c in 0..categories {
                        for r in 0..regions {
                            by_category[c][i] += cube[c * regions + r];
                            by_region[r][i] += cube[c * regions + r];
                        }
                    }
                }
                continue;
            }
            let from = day_of(m.first_day()).max(masks.from);
            let to = day_of(m.next().first_day()).min(masks.to);
            if from >= to {
                continue;
            }
            let recent = (self.sorted..self.day.len()).filter(|&r| (from..to).contains(&self.day[r]));
            for r in self.sorted_range(from, to).chain(recent) {
                if self.selected(r, masks) {
                    let commune = self.commune[r] as usize;
                    by_category[self.category_of_subtype[self.subtype[r] as usize] as usize][i] += 1;
                    by_region[self.region_of_commune[commune] as usize][i] += 1;
                }
            }
        }
        (by_category, by_region)
    }
}
