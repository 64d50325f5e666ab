use super::day_of;
use super::facts::Facts;
use super::filter::{Filter, Masks};
use super::monitoring::{AlertTables, RiskTables};
use crate::Catalog;
use crate::month::Month;
use crate::publication::Publication;
use crate::records::{Alert, RiskAnswer};
use crate::reference::ByList;
use crate::reference::ListKind::{self, *};

/// Everything counted over one month's violations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCounts {
    pub month: Month,
    pub total: u64,
    /// Distinct incidents: distinct incident ids among the month's violations.
    pub incidents: u64,
    /// `[category * regions + region]`.
    pub category_by_region: Vec<u64>,
    pub subtype: Vec<u64>,
    /// Per cercle index of the geography.
    pub cercle: Vec<u64>,
    /// Per commune index of the geography.
    pub commune: Vec<u64>,
    /// `[commune * categories + category]`.
    pub commune_category: Vec<u64>,
    /// Per code list, per code index.
    pub codes: ByList<Vec<u64>>,
    /// `[time slot * categories + category]`.
    pub time_slot_by_category: Vec<u64>,
    /// Per organisation index of the facts.
    pub organization: Vec<u64>,
    /// Per verification status (index of [`crate::Verification::ALL`]).
    pub verification: Vec<u64>,
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
            commune_category: vec![0; g.communes.len() * c],
            codes: ByList::from_fn(|_| vec![0; 256]),
            time_slot_by_category: vec![0; 256 * c],
            organization: vec![0; facts.organizations().len()],
            verification: vec![0; crate::Verification::ALL.len()],
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
}

/// A month's full table set: the month, the previous month (for comparisons), and the
/// year's category × month and region × month tables up to the end of the month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthTables {
    pub month: Month,
    pub current: MonthCounts,
    pub previous: MonthCounts,
    /// `[category][month of year]`; months after the report month are 0: a report describes
    /// the year as of its month.
    pub category_by_month: Vec<[u64; 12]>,
    pub region_by_month: Vec<[u64; 12]>,
    /// The month's risk index (empty until [`MonthTables::with_monitoring`]).
    pub risk: RiskTables,
    /// The month's flash alerts (empty until [`MonthTables::with_monitoring`]).
    pub alerts: AlertTables,
    /// Earlier signed-off months and the violations each received since its newest published
    /// version (empty until [`MonthTables::with_late`]).
    pub late: Vec<Late>,
    /// The month's early-warning signals in the filter's places and categories (empty until
    /// [`MonthTables::with_signals`]).
    pub signals: Vec<super::Signal>,
    /// The rules the signals follow (a sentinel signal's `category` indexes their sentinels).
    pub signal_rules: super::SignalRules,
}

/// A published month's late reports: its violations written since its newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Late {
    pub month: Month,
    pub version: u32,
    pub count: u64,
}

impl MonthTables {
    /// Adds the month's risk index and flash alerts, selected by the same filter as the
    /// violations. `answers` must hold the report month and the month before; `alerts` the
    /// report month (others are ignored).
    pub fn with_monitoring(
        mut self,
        catalog: &Catalog,
        answers: &[RiskAnswer],
        alerts: &[Alert],
        filter: &Filter,
    ) -> Self {
        self.risk = RiskTables::compute(catalog, self.month, answers, filter);
        self.alerts = AlertTables::compute(catalog, self.month, alerts, filter);
        self
    }

    /// Adds the late reports of every month before this one that was published, as `filter`
    /// selects them (its dates aside: a late report is dated in its own month).
    pub fn with_late(mut self, facts: &Facts, catalog: &Catalog, published: &[Publication], filter: &Filter) -> Self {
        let masks = facts.masks(catalog, &Filter { from: None, to: None, ..filter.clone() });
        // Versions come oldest first: a month's newest is its last.
        let mut newest: Vec<&Publication> = Vec::new();
        for p in published.iter().filter(|p| p.month < self.month) {
            match newest.last_mut() {
                Some(last) if last.month == p.month => *last = p,
                _ => newest.push(p),
            }
        }
        self.late = newest
            .into_iter()
            .map(|p| Late {
                month: p.month,
                version: p.version,
                count: facts.written_after_masked(p.month, p.last_batch, &masks),
            })
            .collect();
        self
    }

    /// Adds the month's early-warning signals of the places and categories `filter` selects.
    /// `signals` are the month's over every counted violation ([`super::month_signals`]): a
    /// signal is the cluster's, the same whatever the filter, so it is computed once a month
    /// and data version and only chosen here.
    pub fn with_signals(
        mut self,
        signals: &[super::Signal],
        catalog: &Catalog,
        rules: &super::SignalRules,
        filter: &Filter,
    ) -> Self {
        let communes = filter.commune_mask(catalog);
        let categories: Vec<bool> = (0..catalog.typology.categories.len())
            .map(|k| filter.categories.is_empty() || filter.categories.contains(&(k as u8)))
            .collect();
        let g = &catalog.geography;
        let kept = |s: &super::Signal| {
            let place = match s.level {
                super::UnitLevel::Commune => communes[s.unit],
                super::UnitLevel::Cercle => {
                    g.communes.iter().zip(&communes).any(|(c, &k)| k && c.cercle as usize == s.unit)
                }
                super::UnitLevel::Region => {
                    g.communes.iter().zip(&communes).any(|(c, &k)| k && c.region.0 as usize == s.unit)
                }
            };
            let category = s.kind != super::SignalKind::Surge || s.category.is_none_or(|k| categories[k]);
            place && category
        };
        self.signals = signals.iter().filter(|s| kept(s)).cloned().collect();
        self.signal_rules = rules.clone();
        self
    }

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

/// A month's counts in compact joint histograms: five increments per violation. The public
/// tables are sums over these, derived once at the end. Each code list is in one histogram: a
/// new list needs a place here (the property test's totals fail until it has one).
struct Tally {
    /// `[subtype * communes + commune]`
    subtype_commune: Vec<u32>,
    /// `[time slot * subtypes + subtype]`
    slot_subtype: Vec<u32>,
    /// `[perpetrator * places + place]`
    perpetrator_place: Vec<u32>,
    /// `[(sex * ages + age) * populations + population]`
    sex_age_population: Vec<u32>,
    /// `[occupation * organisations + organisation]`
    occupation_organization: Vec<u32>,
    /// Per verification state.
    verification: [u32; 256],
    incidents: u64,
}

impl Tally {
    fn new(f: &Facts) -> Tally {
        let s = &f.list_sizes;
        Tally {
            subtype_commune: vec![0; f.subtypes * f.communes],
            slot_subtype: vec![0; s[TimeSlot] * f.subtypes],
            perpetrator_place: vec![0; s[Perpetrator] * s[Place]],
            sex_age_population: vec![0; s[Sex] * s[AgeGroup] * s[Population]],
            occupation_organization: vec![0; s[Occupation] * f.organizations().len().max(1)],
            verification: [0; 256],
            incidents: 0,
        }
    }

    #[inline(always)]
    fn count(&mut self, f: &Facts, r: usize) {
        let s = &f.list_sizes;
        let code = |kind: ListKind| f.codes[kind][r] as usize;
        let subtype = f.subtype[r] as usize;
        self.subtype_commune[subtype * f.communes + f.commune[r] as usize] += 1;
        self.slot_subtype[code(TimeSlot) * f.subtypes + subtype] += 1;
        self.perpetrator_place[code(Perpetrator) * s[Place] + code(Place)] += 1;
        self.sex_age_population[(code(Sex) * s[AgeGroup] + code(AgeGroup)) * s[Population] + code(Population)] += 1;
        self.occupation_organization[code(Occupation) * f.organizations().len() + f.organization[r] as usize] += 1;
        self.verification[f.state[r] as usize] += 1;
    }

    fn finish(self, month: Month, f: &Facts, catalog: &Catalog) -> MonthCounts {
        let mut m = MonthCounts::new(month, f, catalog);
        let s = &f.list_sizes;
        for subtype in 0..f.subtypes {
            let category = f.category_of_subtype[subtype] as usize;
            for commune in 0..f.communes {
                let n = u64::from(self.subtype_commune[subtype * f.communes + commune]);
                if n > 0 {
                    m.total += n;
                    m.subtype[subtype] += n;
                    m.commune[commune] += n;
                    m.commune_category[commune * f.categories + category] += n;
                    m.cercle[f.cercle_of_commune[commune] as usize] += n;
                    m.category_by_region[category * f.regions + f.region_of_commune[commune] as usize] += n;
                }
            }
            for slot in 0..s[TimeSlot] {
                let n = u64::from(self.slot_subtype[slot * f.subtypes + subtype]);
                m.codes[TimeSlot][slot] += n;
                m.time_slot_by_category[slot * f.categories + category] += n;
            }
        }
        for (i, &n) in self.perpetrator_place.iter().enumerate() {
            m.codes[Perpetrator][i / s[Place]] += u64::from(n);
            m.codes[Place][i % s[Place]] += u64::from(n);
        }
        for (i, &n) in self.sex_age_population.iter().enumerate() {
            m.codes[Sex][i / (s[AgeGroup] * s[Population])] += u64::from(n);
            m.codes[AgeGroup][i / s[Population] % s[AgeGroup]] += u64::from(n);
            m.codes[Population][i % s[Population]] += u64::from(n);
        }
        let organizations = f.organizations().len();
        for (i, &n) in self.occupation_organization.iter().enumerate().filter(|_| organizations > 0) {
            m.codes[Occupation][i / organizations] += u64::from(n);
            m.organization[i % organizations] += u64::from(n);
        }
        for (state, &n) in self.verification.iter().enumerate() {
            if let Some(status) = super::facts::verification(state as u8) {
                m.verification[status.index() as usize] += u64::from(n);
            }
        }
        m.incidents = self.incidents;
        m
    }
}

impl Facts {
    /// The full table set of `month` for the violations that `filter` selects.
    pub fn tables(&self, catalog: &Catalog, month: Month, filter: &Filter) -> MonthTables {
        let masks = self.masks(catalog, filter);
        let undated = Filter { from: None, to: None, ..filter.clone() };
        // Two cores: each counts one of the two months and about half of the year's rows.
        let january = month.months_of_year().next().unwrap_or(month);
        let rows_before = |m: Month| self.sorted_range(day_of(january.first_day()), day_of(m.first_day())).len();
        let year_rows = rows_before(month.next());
        let half = month.months_of_year().take_while(|m| *m <= month && rows_before(*m) * 2 < year_rows).count();
        let ((current, mut year), (previous, later)) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                let later = self.year_tables(month, &masks, &undated, half..12);
                (self.month_counts_masked(catalog, month.previous(), &masks), later)
            });
            let mine =
                (self.month_counts_masked(catalog, month, &masks), self.year_tables(month, &masks, &undated, 0..half));
            (mine, other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        });
        for (ours, theirs) in year.0.iter_mut().chain(year.1.iter_mut()).zip(later.0.iter().chain(&later.1)) {
            for (a, b) in ours.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        MonthTables {
            month,
            current,
            previous,
            category_by_month: year.0,
            region_by_month: year.1,
            risk: RiskTables::default(),
            alerts: AlertTables::default(),
            late: Vec::new(),
            signals: Vec::new(),
            signal_rules: super::SignalRules::default(),
        }
    }

    /// Violations per commune from `first` to `last` (months, inclusive): the coverage map.
    pub fn commune_counts(&self, catalog: &Catalog, first: Month, last: Month) -> Vec<u64> {
        let mut out = vec![0; self.communes];
        let mut month = first;
        while month <= last {
            if self.cube_stale {
                for (total, n) in out.iter_mut().zip(self.month_counts(catalog, month, &Filter::default()).commune) {
                    *total += n;
                }
            } else if let Some(cube) = self.month_cube.get(&month) {
                // The cube kept in step with every write counts each subtype × commune: a sum
                // of 34 rows rather than a pass over the month's violations.
                for row in cube.chunks_exact(self.communes) {
                    for (total, &n) in out.iter_mut().zip(row) {
                        *total += u64::from(n);
                    }
                }
            }
            month = month.next();
        }
        out
    }

    pub fn month_counts(&self, catalog: &Catalog, month: Month, filter: &Filter) -> MonthCounts {
        self.month_counts_masked(catalog, month, &self.masks(catalog, filter))
    }

    fn month_counts_masked(&self, catalog: &Catalog, month: Month, masks: &Masks) -> MonthCounts {
        let mut tally = Tally::new(self);
        let from = day_of(month.first_day()).max(masks.from);
        let to = day_of(month.next().first_day()).min(masks.to);
        if from >= to {
            return tally.finish(month, self, catalog);
        }
        let check = masks.any || masks.by_state || self.dead_count > 0;
        // An incident is its id (DATA-FORMATS.md): rows sharing it are one incident, whatever
        // their dates. Sorted rows of one day are grouped by incident, so runs push once.
        let mut incidents: Vec<u64> = Vec::new();
        for r in self.sorted_range(from, to) {
            if check && !self.selected(r, masks) {
                continue;
            }
            tally.count(self, r);
            if incidents.last() != Some(&self.incident[r]) {
                incidents.push(self.incident[r]);
            }
        }
        for r in self.sorted..self.day.len() {
            if (from..to).contains(&self.day[r]) && self.selected(r, masks) {
                tally.count(self, r);
                incidents.push(self.incident[r]);
            }
        }
        incidents.sort_unstable();
        incidents.dedup();
        tally.incidents = incidents.len() as u64;
        tally.finish(month, self, catalog)
    }

    /// Per row of `range` (rows of the dates asked for), whether it is live and passes the
    /// filter: a column at a time, each a tight loop without branches, since a row-at-a-time
    /// test mispredicts on every selective filter.
    fn kept(&self, range: std::ops::Range<usize>, m: &Masks) -> Vec<bool> {
        fn and<T: Copy>(keep: &mut [bool], column: &[T], mask: &[bool], index: impl Fn(T) -> usize) {
            for (k, &value) in keep.iter_mut().zip(column) {
                *k &= mask.get(index(value)).copied().unwrap_or(false);
            }
        }
        let mut keep = vec![true; range.len()];
        if self.dead_count > 0 {
            for (k, &dead) in keep.iter_mut().zip(&self.dead[range.clone()]) {
                *k &= !dead;
            }
        }
        if m.by_commune {
            and(&mut keep, &self.commune[range.clone()], &m.commune, usize::from);
        }
        if m.by_subtype {
            and(&mut keep, &self.subtype[range.clone()], &m.subtype, usize::from);
        }
        if m.by_organization {
            and(&mut keep, &self.organization[range.clone()], &m.organization, usize::from);
        }
        if m.by_state {
            and(&mut keep, &self.state[range.clone()], &m.state, usize::from);
        }
        for &kind in &m.active_codes {
            and(&mut keep, &self.codes[kind][range.clone()], &m.codes[kind], usize::from);
        }
        keep
    }

    /// The counted violations of `month` that `filter` selects (its dates aside), written by an
    /// import batch after `batch`: a published month's late reports, or its changes since
    /// publication once reopened.
    pub fn written_after(&self, catalog: &Catalog, month: Month, batch: i64, filter: &Filter) -> u64 {
        let undated = Filter { from: None, to: None, ..filter.clone() };
        self.written_after_masked(month, batch, &self.masks(catalog, &undated))
    }

    fn written_after_masked(&self, month: Month, batch: i64, masks: &Masks) -> u64 {
        let (from, to) = (day_of(month.first_day()), day_of(month.next().first_day()));
        let recent = (self.sorted..self.day.len()).filter(|&r| (from..to).contains(&self.day[r]));
        self.sorted_range(from, to)
            .chain(recent)
            .filter(|&r| i64::from(self.batch[r]) > batch && self.counts(r) && self.selected(r, masks))
            .count() as u64
    }

    /// Whether row `r` is live and passes the filter; only the filter's own dimensions are read.
    #[inline(always)]
    pub(crate) fn selected(&self, r: usize, m: &Masks) -> bool {
        !self.dead[r]
            && (!m.by_commune || m.commune[self.commune[r] as usize])
            && (!m.by_subtype || m.subtype[self.subtype[r] as usize])
            && (!m.by_organization || m.organization[self.organization[r] as usize])
            && (!m.by_state || m.state[self.state[r] as usize])
            && (!m.by_date || (m.from..m.to).contains(&self.day[r]))
            && (!m.by_codes || m.active_codes.iter().all(|&k| m.codes[k][self.codes[k][r] as usize]))
    }

    /// Category × month and region × month for the months `part` of the year (0 = January)
    /// that are not after the report month. `undated` is the filter without its dates: the
    /// key of the whole months' counts kept from earlier requests.
    fn year_tables(
        &self,
        month: Month,
        masks: &Masks,
        undated: &Filter,
        part: std::ops::Range<usize>,
    ) -> (Vec<[u64; 12]>, Vec<[u64; 12]>) {
        let mut by_category = vec![[0u64; 12]; self.categories];
        let mut by_region = vec![[0u64; 12]; self.regions];
        let months = month.months_of_year().enumerate().filter(|(i, m)| part.contains(i) && *m <= month);
        // Places and typology only: the cube kept in step with every write answers each month
        // the dates take whole (unless rows were appended since the last compaction; then the
        // rows do).
        let cube_answers = !masks.by_codes && !masks.by_organization && !masks.state_asked && !self.cube_stale;
        for (i, m) in months {
            let (first, next) = (day_of(m.first_day()), day_of(m.next().first_day()));
            let from = first.max(masks.from);
            let to = next.min(masks.to);
            if from >= to {
                continue;
            }
            if cube_answers && (from, to) == (first, next) {
                let Some(cube) = self.month_cube.get(&m) else { continue };
                for subtype in (0..self.subtypes).filter(|&s| masks.subtype[s]) {
                    let category = self.category_of_subtype[subtype] as usize;
                    let row = &cube[subtype * self.communes..(subtype + 1) * self.communes];
                    for (commune, &n) in row.iter().enumerate() {
                        if n > 0 && masks.commune[commune] {
                            by_category[category][i] += u64::from(n);
                            by_region[self.region_of_commune[commune] as usize][i] += u64::from(n);
                        }
                    }
                }
                continue;
            }
            let whole = (from, to) == (first, next);
            if whole && let Some(piece) = self.months_counted.get(m, undated) {
                for (row, &n) in by_category.iter_mut().zip(&piece.0) {
                    row[i] += n;
                }
                for (row, &n) in by_region.iter_mut().zip(&piece.1) {
                    row[i] += n;
                }
                continue;
            }
            // Per category × commune first (one increment a row), regions summed after.
            let mut cells = vec![0u32; self.categories * self.communes];
            let mut add = |r: usize| {
                let category = self.category_of_subtype[self.subtype[r] as usize] as usize;
                cells[category * self.communes + self.commune[r] as usize] += 1;
            };
            let range = self.sorted_range(from, to);
            for (offset, _) in self.kept(range.clone(), masks).iter().enumerate().filter(|(_, keep)| **keep) {
                add(range.start + offset);
            }
            for r in self.sorted..self.day.len() {
                if (from..to).contains(&self.day[r]) && self.selected(r, masks) {
                    add(r);
                }
            }
            let (mut categories, mut regions) = (vec![0u64; self.categories], vec![0u64; self.regions]);
            for (cell, &n) in cells.iter().enumerate().filter(|(_, n)| **n > 0) {
                categories[cell / self.communes] += u64::from(n);
                regions[self.region_of_commune[cell % self.communes] as usize] += u64::from(n);
            }
            for (row, &n) in by_category.iter_mut().zip(&categories).chain(by_region.iter_mut().zip(&regions)) {
                row[i] += n;
            }
            if whole {
                self.months_counted.put(m, undated, std::sync::Arc::new((categories, regions)));
            }
        }
        (by_category, by_region)
    }
}
