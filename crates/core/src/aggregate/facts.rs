use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use chrono::{Datelike, NaiveDate};

use super::day_of;
use crate::Catalog;
use crate::geography::CommuneId;
use crate::month::Month;
use crate::records::Violation;
use crate::reference::ByList;

/// The coded fields of one violation: what every table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// Days since 0001-01-01 (chrono's `num_days_from_ce`).
    pub day: i32,
    pub commune: CommuneId,
    pub subtype: u8,
    /// As [`Violation::codes`].
    pub codes: ByList<u8>,
    /// Index into [`Facts::organizations`].
    pub organization: u16,
    /// A 64-bit hash of the incident id: violations of one incident are counted once in
    /// incident counts.
    pub incident: u64,
    /// What the record lacks of the details a month's completeness counts ([`Fact::NO_REPORT_DATE`],
    /// [`Fact::NO_LOCATION`]): so that the dashboard's coverage panel reads memory, not every row.
    pub lacks: u8,
    /// Its [`Verification`](crate::Verification) (index), and [`Fact::DUPLICATE`] when it
    /// was decided to be another's duplicate: a rejected violation or a duplicate stays stored
    /// but leaves every count.
    pub state: u8,
    /// The import batch that last wrote it (0: not from a store): a violation of a signed-off
    /// month written by a batch after its sign-off is a late report.
    pub batch: u32,
}

impl Fact {
    pub const NO_REPORT_DATE: u8 = 1;
    pub const NO_LOCATION: u8 = 2;
    /// The [`Fact::state`] bit of a duplicate.
    pub const DUPLICATE: u8 = 0x10;

    /// The [`Fact::lacks`] bits of a record with and without these details.
    pub fn lacks(report_date: bool, location: bool) -> u8 {
        (if report_date { 0 } else { Fact::NO_REPORT_DATE }) | (if location { 0 } else { Fact::NO_LOCATION })
    }
}

/// The stored text of a violation's coded fields.
pub struct FactText<'a> {
    pub incident_id: &'a str,
    pub incident_date: &'a str,
    pub admin3_pcode: &'a str,
    pub violation_code: &'a str,
    pub codes: ByList<&'a str>,
    pub organization: &'a str,
    /// Empty when the record has no report date, or no coordinates.
    pub report_date: &'a str,
    pub latitude: &'a str,
    /// The verification status's code.
    pub verification: &'a str,
    /// The violation it duplicates (empty: none).
    pub duplicate_of: &'a str,
    /// The import batch that last wrote it, in decimal.
    pub batch: &'a str,
}

/// Where a fact sits: its storage key (the store's row id) maps to a position.
const NONE: u32 = u32::MAX;

/// Violations as columns. Rows `[0, sorted)` are sorted by (day, incident); rows after that are
/// recent writes, scanned in full until the next [`Facts::compact`]. A replaced row is marked
/// dead rather than moved.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub(crate) day: Vec<i32>,
    pub(crate) commune: Vec<u16>,
    pub(crate) subtype: Vec<u8>,
    pub(crate) codes: ByList<Vec<u8>>,
    pub(crate) organization: Vec<u16>,
    pub(crate) incident: Vec<u64>,
    pub(crate) lacks: Vec<u8>,
    pub(crate) state: Vec<u8>,
    pub(crate) batch: Vec<u32>,
    /// Whether a row that is not counted (rejected, or a duplicate) may be among the live ones:
    /// until the next compaction, once one was written. Counting checks each row's state only then.
    pub(crate) uncounted: bool,
    pub(crate) dead: Vec<bool>,
    pub(crate) dead_count: usize,
    pub(crate) sorted: usize,
    /// Storage key of each row, and position of each storage key (keys are dense row ids).
    pub(crate) key: Vec<u32>,
    position: Vec<u32>,
    organizations: Vec<String>,
    organization_index: HashMap<String, u16>,
    /// Per month, counts by subtype × commune (`[subtype * communes + commune]`), kept in step
    /// with every write: the yearly tables read it instead of the rows whenever the filter is
    /// only on places and the typology.
    pub(crate) month_cube: HashMap<Month, Vec<u32>>,
    /// Set by [`Facts::append`] (the cube is not kept in step then); [`Facts::compact`]
    /// rebuilds the cube. Readers must not use a stale cube.
    pub(crate) cube_stale: bool,
    pub(crate) categories: usize,
    pub(crate) regions: usize,
    pub(crate) subtypes: usize,
    pub(crate) communes: usize,
    /// Number of codes of each list.
    pub(crate) list_sizes: ByList<usize>,
    pub(crate) category_of_subtype: Vec<u8>,
    pub(crate) region_of_commune: Vec<u8>,
    pub(crate) cercle_of_commune: Vec<u16>,
    /// Whole months' yearly-table counts per filter, worked out once per version of the facts.
    pub(crate) months_counted: MonthMemo,
}

/// A whole month's counts by category and by region for one filter (its dates aside).
pub(crate) type MonthPiece = std::sync::Arc<(Vec<u64>, Vec<u64>)>;

/// The yearly tables' whole months, by month and filter (dates cleared), as counted once: a
/// dashboard asks for the same places and attributes over many periods, and every one of those
/// requests then reads only the months its dates cut. Any write empties it (and a copy of the
/// facts starts empty), so it always holds counts of these very rows.
#[derive(Debug, Default)]
pub(crate) struct MonthMemo(std::sync::Mutex<HashMap<(Month, super::Filter), MonthPiece>>);

impl Clone for MonthMemo {
    fn clone(&self) -> MonthMemo {
        MonthMemo::default()
    }
}

impl MonthMemo {
    /// Kept pieces at most; then it starts again.
    const MAX: usize = 4096;

    pub(crate) fn get(&self, month: Month, filter: &super::Filter) -> Option<MonthPiece> {
        let memo = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.get(&(month, filter.clone())).cloned()
    }

    pub(crate) fn put(&self, month: Month, filter: &super::Filter, piece: MonthPiece) {
        let mut memo = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if memo.len() >= MonthMemo::MAX {
            memo.clear();
        }
        memo.insert((month, filter.clone()), piece);
    }

    fn clear(&mut self) {
        self.0.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// Whether a fact of this state is counted: not rejected, not a duplicate.
pub(crate) fn counted(state: u8) -> bool {
    state & Fact::DUPLICATE == 0 && verification(state).is_some_and(crate::Verification::counted)
}

/// The verification status of a fact's state.
pub(crate) fn verification(state: u8) -> Option<crate::Verification> {
    crate::Verification::from_index(state & !Fact::DUPLICATE)
}

fn incident_hash(id: &str) -> u64 {
    // FNV-1a: stable across runs and Rust versions, unlike the std hasher's seed.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    id.hash(&mut h);
    h.finish()
}

impl Facts {
    pub fn new(catalog: &Catalog) -> Facts {
        let g = &catalog.geography;
        Facts {
            categories: catalog.typology.categories.len(),
            subtypes: catalog.typology.subtypes.len(),
            communes: g.communes.len(),
            list_sizes: ByList::from_fn(|kind| catalog.lists.get(kind).codes.len()),
            regions: g.regions.len(),
            category_of_subtype: catalog.typology.subtypes.iter().map(|s| s.category).collect(),
            region_of_commune: g.communes.iter().map(|c| c.region.0).collect(),
            cercle_of_commune: g.communes.iter().map(|c| c.cercle).collect(),
            ..Facts::default()
        }
    }

    /// The coded fields of a violation, interning its organisation.
    pub fn fact_of(&mut self, v: &Violation) -> Fact {
        let organization = match self.organization_index.get(&v.organization) {
            Some(&i) => i,
            None => {
                let i = self.organizations.len() as u16;
                self.organizations.push(v.organization.clone());
                self.organization_index.insert(v.organization.clone(), i);
                i
            }
        };
        Fact {
            day: v.incident_date.num_days_from_ce(),
            commune: v.commune,
            subtype: v.subtype,
            codes: v.codes,
            organization,
            incident: incident_hash(&v.incident_id),
            lacks: Fact::lacks(v.report_date.is_some(), v.location.is_some()),
            state: crate::Verification::default().index(),
            batch: 0,
        }
    }

    /// The coded fields straight from stored text, for loading millions of rows at start
    /// without building whole records. Uses the same lookups as [`Violation::parse`]; `None`
    /// if a code is not in the catalog.
    pub fn fact_from_text(&mut self, catalog: &Catalog, cells: &FactText<'_>) -> Option<Fact> {
        let mut codes = ByList::default();
        for (kind, code) in codes.iter_mut() {
            *code = catalog.lists.get(kind).find(cells.codes[kind])?;
        }
        let organization = match self.organization_index.get(cells.organization) {
            Some(&i) => i,
            None => {
                let i = self.organizations.len() as u16;
                self.organizations.push(cells.organization.to_owned());
                self.organization_index.insert(cells.organization.to_owned(), i);
                i
            }
        };
        Some(Fact {
            day: crate::records::parse_iso_date(cells.incident_date)?.num_days_from_ce(),
            commune: catalog.geography.commune_by_pcode(cells.admin3_pcode)?,
            subtype: catalog.typology.subtype(cells.violation_code)?,
            codes,
            organization,
            incident: incident_hash(cells.incident_id),
            lacks: Fact::lacks(!cells.report_date.is_empty(), !cells.latitude.is_empty()),
            state: crate::Verification::parse(cells.verification)?.index()
                | if cells.duplicate_of.is_empty() { 0 } else { Fact::DUPLICATE },
            batch: cells.batch.parse().ok()?,
        })
    }

    pub fn organizations(&self) -> &[String] {
        &self.organizations
    }

    pub fn organization_index(&self, code: &str) -> Option<u16> {
        self.organization_index.get(code).copied()
    }

    /// Live violations.
    pub fn len(&self) -> usize {
        self.day.len() - self.dead_count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the columns and indexes, for benchmarks.
    pub fn heap_bytes(&self) -> usize {
        let rows = self.day.capacity();
        rows * (4 + 2 + 1 + 7 + 2 + 8 + 1 + 1 + 4 + 1 + 4) + self.position.capacity() * 4
    }

    /// Loads many violations at once (at start), sorting once at the end.
    pub fn load(&mut self, rows: impl IntoIterator<Item = (u32, Fact)>) {
        for (key, fact) in rows {
            self.append(key, fact);
        }
        self.compact();
    }

    /// Adds or replaces a violation without re-sorting: for streaming loads, which end with
    /// [`Facts::compact`]. Answers stay right in between, only slower.
    pub fn append(&mut self, key: u32, fact: Fact) {
        self.months_counted.clear();
        self.put(key, fact, false);
        self.cube_stale = true;
    }

    /// Rebuilds the month cube from the rows (after a load, one pass over sorted days).
    fn rebuild_cube(&mut self) {
        self.month_cube.clear();
        let mut r = 0;
        while r < self.day.len() {
            let month = Month::of(NaiveDate::from_num_days_from_ce_opt(self.day[r]).unwrap_or_default());
            let end = if r < self.sorted {
                self.sorted_range(day_of(month.first_day()), day_of(month.next().first_day())).end.max(r + 1)
            } else {
                r + 1
            };
            let (subtypes, communes) = (self.subtypes, self.communes);
            let cube = self.month_cube.entry(month).or_insert_with(|| vec![0; subtypes * communes]);
            for row in r..end {
                if !self.dead[row] && counted(self.state[row]) {
                    cube[self.subtype[row] as usize * communes + self.commune[row] as usize] += 1;
                }
            }
            r = end;
        }
    }

    /// Adds or replaces the violation stored under `key` (the store's dense row id): the next
    /// answer counts it.
    pub fn upsert(&mut self, key: u32, fact: Fact) {
        self.put(key, fact, !self.cube_stale);
        self.compact_if_needed();
    }

    /// Removes the violation stored under `key`, if the facts hold it: the next answer no
    /// longer counts it.
    pub fn remove(&mut self, key: u32) {
        self.months_counted.clear();
        let Some(&row) = self.position.get(key as usize) else { return };
        if row == NONE {
            return;
        }
        let row = row as usize;
        if !self.cube_stale {
            self.cube_add(row, -1);
        }
        self.dead[row] = true;
        self.dead_count += 1;
        self.position[key as usize] = NONE;
    }

    /// Re-sorts once recent writes grow past a sixteenth of the rows (at least 65 536).
    pub fn compact_if_needed(&mut self) {
        if self.day.len() - self.sorted > (64 * 1024).max(self.sorted / 16) {
            self.compact();
        }
    }

    fn put(&mut self, key: u32, fact: Fact, track_cube: bool) {
        self.months_counted.clear();
        let slot = key as usize;
        if slot >= self.position.len() {
            self.position.resize(slot + 1, NONE);
        }
        let old = self.position[slot];
        if old != NONE {
            let old = old as usize;
            if track_cube {
                self.cube_add(old, -1);
            }
            let same_place = self.day[old] == fact.day && self.incident[old] == fact.incident;
            if same_place || old >= self.sorted {
                self.write_row(old, &fact);
                if track_cube {
                    self.cube_add(old, 1);
                }
                return;
            }
            self.dead[old] = true;
            self.dead_count += 1;
        }
        let row = self.day.len();
        self.day.push(fact.day);
        self.commune.push(fact.commune.0);
        self.subtype.push(fact.subtype);
        for (kind, column) in self.codes.iter_mut() {
            column.push(fact.codes[kind]);
        }
        self.organization.push(fact.organization);
        self.incident.push(fact.incident);
        self.lacks.push(fact.lacks);
        self.state.push(fact.state);
        self.batch.push(fact.batch);
        self.uncounted |= !counted(fact.state);
        self.dead.push(false);
        self.key.push(key);
        self.position[slot] = row as u32;
        if track_cube {
            self.cube_add(row, 1);
        }
    }

    fn write_row(&mut self, row: usize, fact: &Fact) {
        self.day[row] = fact.day;
        self.commune[row] = fact.commune.0;
        self.subtype[row] = fact.subtype;
        for (kind, column) in self.codes.iter_mut() {
            column[row] = fact.codes[kind];
        }
        self.organization[row] = fact.organization;
        self.incident[row] = fact.incident;
        self.lacks[row] = fact.lacks;
        self.state[row] = fact.state;
        self.batch[row] = fact.batch;
        self.uncounted |= !counted(fact.state);
    }

    fn cube_add(&mut self, row: usize, delta: i32) {
        if !counted(self.state[row]) {
            return;
        }
        let month = Month::of(NaiveDate::from_num_days_from_ce_opt(self.day[row]).unwrap_or_default());
        let (subtypes, communes) = (self.subtypes, self.communes);
        let cell = self.subtype[row] as usize * communes + self.commune[row] as usize;
        let cube = self.month_cube.entry(month).or_insert_with(|| vec![0; subtypes * communes]);
        cube[cell] = cube[cell].wrapping_add_signed(delta);
    }

    /// Sorts every live row by (day, incident) and drops dead ones.
    pub fn compact(&mut self) {
        let mut order: Vec<u32> = (0..self.day.len() as u32).filter(|&r| !self.dead[r as usize]).collect();
        order.sort_unstable_by_key(|&r| (self.day[r as usize], self.incident[r as usize]));
        fn gather<T: Copy>(column: &[T], order: &[u32]) -> Vec<T> {
            order.iter().map(|&r| column[r as usize]).collect()
        }
        self.day = gather(&self.day, &order);
        self.commune = gather(&self.commune, &order);
        self.subtype = gather(&self.subtype, &order);
        for (_, column) in self.codes.iter_mut() {
            *column = gather(column, &order);
        }
        self.organization = gather(&self.organization, &order);
        self.incident = gather(&self.incident, &order);
        self.lacks = gather(&self.lacks, &order);
        self.state = gather(&self.state, &order);
        self.batch = gather(&self.batch, &order);
        self.uncounted = self.state.iter().any(|&s| !counted(s));
        self.key = gather(&self.key, &order);
        self.dead = vec![false; order.len()];
        self.dead_count = 0;
        self.sorted = order.len();
        self.position.iter_mut().for_each(|p| *p = NONE);
        for (row, &key) in self.key.iter().enumerate() {
            self.position[key as usize] = row as u32;
        }
        if self.cube_stale {
            self.rebuild_cube();
            self.cube_stale = false;
        }
    }

    /// The sorted rows of the days `[from, to)`.
    pub(crate) fn sorted_range(&self, from: i32, to: i32) -> std::ops::Range<usize> {
        let days = &self.day[..self.sorted];
        days.partition_point(|&d| d < from)..days.partition_point(|&d| d < to)
    }

    /// The latest incident date held: the month a dashboard opens on.
    pub fn latest(&self) -> Option<NaiveDate> {
        // The sorted rows' last live one, and the recent writes after them: no full scan.
        let sorted = (0..self.sorted).rev().find(|&r| !self.dead[r]).map(|r| self.day[r]);
        let recent = (self.sorted..self.day.len()).filter(|&r| !self.dead[r]).map(|r| self.day[r]).max();
        NaiveDate::from_num_days_from_ce_opt(sorted.max(recent)?)
    }

    /// The earliest incident date counted: where the history of every series starts.
    pub fn earliest(&self) -> Option<NaiveDate> {
        let sorted = (0..self.sorted).find(|&r| self.counts(r)).map(|r| self.day[r]);
        let recent = (self.sorted..self.day.len()).filter(|&r| self.counts(r)).map(|r| self.day[r]).min();
        let day = match (sorted, recent) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        NaiveDate::from_num_days_from_ce_opt(day)
    }

    /// Every live fact, in row order: for reference implementations and exports.
    pub fn iter(&self) -> impl Iterator<Item = Fact> + '_ {
        (0..self.day.len()).filter(|&r| !self.dead[r]).map(|r| Fact {
            day: self.day[r],
            commune: CommuneId(self.commune[r]),
            subtype: self.subtype[r],
            codes: ByList::from_fn(|kind| self.codes[kind][r]),
            organization: self.organization[r],
            incident: self.incident[r],
            lacks: self.lacks[r],
            state: self.state[r],
            batch: self.batch[r],
        })
    }

    /// `filter` as lookup tables over these facts.
    pub(crate) fn masks(&self, catalog: &Catalog, filter: &super::Filter) -> super::filter::Masks {
        filter.masks(catalog, &self.organizations, self.uncounted)
    }

    /// The verification status of the violation stored under `key`, if it is held.
    pub fn verification_of(&self, key: u32) -> Option<crate::Verification> {
        let row = *self.position.get(key as usize)?;
        (row != NONE).then(|| verification(self.state[row as usize])).flatten()
    }

    /// Whether row `r` is live and counted (not rejected, not a duplicate).
    pub(crate) fn counts(&self, r: usize) -> bool {
        !self.dead[r] && counted(self.state[r])
    }

    /// The violations of `month` (those counted), and how many of them lack a report date, or
    /// coordinates.
    pub fn completeness(&self, month: Month) -> (u64, u64, u64) {
        let sorted = self.sorted_range(day_of(month.first_day()), day_of(month.next().first_day()));
        let (first, last) = (day_of(month.first_day()), day_of(month.last_day()));
        let recent = (self.sorted..self.day.len()).filter(|&r| (first..=last).contains(&self.day[r]));
        let (mut all, mut no_report_date, mut no_location) = (0, 0, 0);
        for row in sorted.chain(recent).filter(|&r| self.counts(r)) {
            all += 1;
            no_report_date += u64::from(self.lacks[row] & Fact::NO_REPORT_DATE != 0);
            no_location += u64::from(self.lacks[row] & Fact::NO_LOCATION != 0);
        }
        (all, no_report_date, no_location)
    }
}
