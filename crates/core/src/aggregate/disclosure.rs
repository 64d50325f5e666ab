//! Disclosure control: the one rule by which counts of records a caller may not see one by one
//! reach that caller. Every aggregate surface (the API's tables, the dashboard's figures, charts
//! and maps, the report and its tables) asks [`Disclosure`] which of its figures to withhold.
//!
//! - Whose records are *hidden* is the caller's [`Sight`]: nothing for admins and IM officers,
//!   other organisations' records for a partner, every record for viewers and visitors.
//! - **Published cuts stay exact**: violations by month, category and region, and the national
//!   subtype, perpetrator, place and time-slot tables, as the monthly report has always
//!   published them (and their slices by the report's own cuts: a region, a category).
//! - **Small cells**: any other figure counting 1 to k−1 hidden records is withheld (shown as
//!   `<k`). For a partner a figure mixing its own and hidden records is withheld on its hidden
//!   part alone, so that subtracting its own records gives nothing back.
//! - **Secondary suppression**: every row and column of a table, and every place with the
//!   places inside it, is a *line* whose parts add up to its total. A line never has exactly one
//!   withheld figure: while one has, another of its figures (the smallest, preferring one with
//!   hidden records) is withheld too, until no total gives a withheld figure back.
//! - **Narrow filters**: an answer filtered beyond the published cuts that holds 1 to k−1 hidden
//!   violations in its month shows no count at all ([`Disclosure::too_few`]).
//!
//! What it does not guarantee: two overlapping answers (a commune this month, the same commune
//! and one day fewer) can still be subtracted from each other; that is why suppressed answers
//! are audited (the server does).

use std::collections::{HashMap, HashSet};

use super::{Filter, MonthTables};
use crate::Catalog;
use crate::reference::ListKind;

/// Whose records a caller may see one by one. Everything else is hidden: it reaches the caller
/// only through counts that obey [`Disclosure`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sight {
    /// Admins and IM officers: every record.
    Everything,
    /// A partner: its own organisation's records.
    Organization(String),
    /// Viewers and anonymous visitors: no record.
    Nothing,
}

impl Sight {
    /// The filter that selects the hidden records among those `filter` selects, or `None` when
    /// none of them is hidden. `organizations` are every organisation of the facts.
    pub fn hidden(&self, filter: &Filter, organizations: &[String]) -> Option<Filter> {
        match self {
            Sight::Everything => None,
            Sight::Nothing => Some(filter.clone()),
            Sight::Organization(own) => {
                let asked = if filter.organizations.is_empty() { organizations } else { &filter.organizations };
                let others: Vec<String> = asked.iter().filter(|o| *o != own).cloned().collect();
                // An empty list would mean "every organisation".
                (!others.is_empty()).then(|| Filter { organizations: others, ..filter.clone() })
            }
        }
    }
}

/// The smallest count of hidden records a figure may show: k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinCount(u64);

impl MinCount {
    /// Below 3, a withheld figure (1 or 2) would be guessed right half the time.
    pub const LOWEST: u64 = 3;

    pub fn new(k: u64) -> Result<MinCount, String> {
        if k < Self::LOWEST {
            return Err(format!("the minimum count is {k}: it must be {} or more", Self::LOWEST));
        }
        Ok(MinCount(k))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for MinCount {
    fn default() -> MinCount {
        MinCount(5)
    }
}

/// The filter names an anonymous visitor may use (besides the month): the public report's cuts.
pub const PUBLIC_FILTERS: [&str; 2] = ["region", "category"];

impl Filter {
    /// Whether the filter restricts only by the report's published cuts (region, category).
    pub fn within_published_cuts(&self) -> bool {
        self.cercles.is_empty()
            && self.communes.is_empty()
            && self.subtypes.is_empty()
            && self.codes.values().all(Vec::is_empty)
            && self.organizations.is_empty()
            && self.from.is_none()
            && self.to.is_none()
            && self.verification.is_empty()
    }
}

/// A long-form cell's key: `(table, row, column)` as `tables.csv` names it.
type Key = (String, String, String);

/// What one answer may show to one caller: which of its figures are withheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    k: u64,
    too_few: bool,
    cells: HashSet<Key>,
    /// Withheld cells whose count is 0 (a line's second withheld figure, where every other part
    /// is 0): `tables.csv` omits zero cells, so these must be added to show them withheld.
    zeros: Vec<(&'static str, String, String)>,
    communes: Vec<bool>,
    incidents: bool,
}

impl Disclosure {
    /// Every figure shown: the caller may see every record counted.
    pub fn exact() -> Disclosure {
        Disclosure {
            k: MinCount::default().get(),
            too_few: false,
            cells: HashSet::new(),
            zeros: Vec::new(),
            communes: Vec::new(),
            incidents: false,
        }
    }

    /// The figures of `tables` (selected by `filter`) that a caller may see, `hidden` being the
    /// same tables over the records hidden from that caller.
    pub fn of(
        tables: &MonthTables,
        hidden: &MonthTables,
        catalog: &Catalog,
        filter: &Filter,
        k: MinCount,
    ) -> Disclosure {
        let k = k.get();
        let published = filter.within_published_cuts();
        let mut grid = Grid::build(tables, hidden, catalog, filter);
        let too_few = !published && (1..k).contains(&grid.hidden_total);
        grid.suppress(k);
        let withheld = || grid.keys.iter().filter(|(_, n)| grid.withheld[**n]);
        let cells =
            withheld().map(|((table, row, column), _)| (table.to_string(), row.clone(), column.clone())).collect();
        // A category's year total is no cell of `tables.csv` (the report's table adds it up).
        let mut zeros: Vec<(&'static str, String, String)> = withheld()
            .filter(|((table, _, column), n)| {
                grid.value[**n] == 0 && !(*table == "category_by_month" && column == "TOTAL")
            })
            .map(|(key, _)| key.clone())
            .collect();
        zeros.sort();
        let communes = grid.communes.iter().map(|&n| grid.withheld[n]).collect();
        Disclosure { k, too_few, cells, zeros, communes, incidents: grid.withheld[grid.incidents] }
    }

    /// k: withheld figures read `<k`.
    pub fn min_count(&self) -> u64 {
        self.k
    }

    /// The answer shows no count at all: it is filtered beyond the published cuts and holds
    /// fewer than k hidden violations.
    pub fn too_few(&self) -> bool {
        self.too_few
    }

    /// Nothing is withheld.
    pub fn is_exact(&self) -> bool {
        !self.too_few && self.cells.is_empty() && !self.communes.contains(&true) && !self.incidents
    }

    /// Whether the `tables.csv` cell `(table, row, column)` is withheld.
    pub fn withholds(&self, table: &str, row: &str, column: &str) -> bool {
        self.too_few
            || (!self.cells.is_empty() && self.cells.contains(&(table.to_owned(), row.to_owned(), column.to_owned())))
    }

    /// Whether the count of a commune (by its index in the geography) is withheld.
    pub fn withholds_commune(&self, commune: usize) -> bool {
        self.too_few || self.communes.get(commune).copied().unwrap_or(false)
    }

    /// Whether the month's count of distinct incidents is withheld.
    pub fn withholds_incidents(&self) -> bool {
        self.too_few || self.incidents
    }

    /// The withheld cells whose count is 0, which `tables.csv` would otherwise omit (a zero is
    /// withheld where a line's every other part is 0, so that its total gives nothing back).
    pub fn withheld_zeros(&self) -> impl Iterator<Item = (&'static str, &str, &str)> {
        self.zeros.iter().map(|(t, r, c)| (*t, r.as_str(), c.as_str()))
    }
}

/// Every figure of an answer as a node (a figure shown in several tables is one node), and the
/// lines they add up along.
struct Grid {
    value: Vec<u64>,
    hidden: Vec<u64>,
    /// Subject to the small-cell rule (not a published cut).
    small: Vec<bool>,
    withheld: Vec<bool>,
    /// Parts, then their total.
    lines: Vec<Vec<usize>>,
    keys: HashMap<(&'static str, String, String), usize>,
    communes: Vec<usize>,
    incidents: usize,
    /// The month's hidden violations.
    hidden_total: u64,
}

impl Grid {
    fn node(&mut self, value: u64, hidden: u64, small: bool) -> usize {
        self.value.push(value);
        self.hidden.push(hidden);
        self.small.push(small);
        self.withheld.push(false);
        self.value.len() - 1
    }

    fn key(&mut self, node: usize, table: &'static str, row: &str, column: &str) {
        self.keys.insert((table, row.to_owned(), column.to_owned()), node);
    }

    fn line(&mut self, parts: impl IntoIterator<Item = usize>, total: usize) {
        let mut line: Vec<usize> = parts.into_iter().collect();
        line.push(total);
        self.lines.push(line);
    }

    fn build(t: &MonthTables, h: &MonthTables, catalog: &Catalog, filter: &Filter) -> Grid {
        let mut g = Grid {
            value: Vec::new(),
            hidden: Vec::new(),
            small: Vec::new(),
            withheld: Vec::new(),
            lines: Vec::new(),
            keys: HashMap::new(),
            communes: Vec::new(),
            incidents: 0,
            hidden_total: h.current.total,
        };
        let geo = &catalog.geography;
        let typology = &catalog.typology;
        let published = filter.within_published_cuts();
        let national = published && filter.regions.is_empty();
        let every_category = filter.categories.is_empty() && filter.subtypes.is_empty();
        let months: Vec<String> = t.month.months_of_year().map(|m| m.to_string()).collect();
        let now = t.month.number() as usize - 1;
        let (categories, regions) = (t.category_by_month.len(), t.region_by_month.len());
        const TOTAL: &str = "TOTAL";

        // The yearly tables and the month's category × region table: published cuts.
        let month_totals: Vec<usize> =
            (0..12).map(|m| g.node(t.month_total(m), h.month_total(m), !published)).collect();
        let year = g.node(t.year_to_date(), h.year_to_date(), !published);
        g.key(year, "region_by_month", TOTAL, TOTAL);
        g.line(month_totals.iter().copied(), year);
        for (m, &n) in month_totals.iter().enumerate() {
            g.key(n, "category_by_month", TOTAL, &months[m]);
            g.key(n, "region_by_month", TOTAL, &months[m]);
        }
        g.key(month_totals[now], "category_by_region", TOTAL, TOTAL);
        let by_month = |g: &mut Grid, table: &'static str, codes: Vec<&str>, exact: &[[u64; 12]], hid: &[[u64; 12]]| {
            let mut rows = Vec::new();
            for (i, code) in codes.iter().enumerate() {
                let cells: Vec<usize> = (0..12).map(|m| g.node(exact[i][m], hid[i][m], !published)).collect();
                for (m, &n) in cells.iter().enumerate() {
                    g.key(n, table, code, &months[m]);
                }
                let row_total = g.node(exact[i].iter().sum(), hid[i].iter().sum(), !published);
                g.key(row_total, table, code, TOTAL);
                g.line(cells.iter().copied(), row_total);
                rows.push((cells, row_total));
            }
            for m in 0..12 {
                g.line(rows.iter().map(|(cells, _)| cells[m]), month_totals[m]);
            }
            g.line(rows.iter().map(|(_, total)| *total), year);
            rows.into_iter().map(|(cells, _)| cells[now]).collect::<Vec<usize>>()
        };
        let category_codes: Vec<&str> = typology.categories.iter().map(|c| c.code.as_str()).collect();
        let region_codes: Vec<&str> = geo.regions.iter().map(|r| r.code.as_str()).collect();
        let category_now =
            by_month(&mut g, "category_by_month", category_codes.clone(), &t.category_by_month, &h.category_by_month);
        let region_now =
            by_month(&mut g, "region_by_month", region_codes.clone(), &t.region_by_month, &h.region_by_month);
        let (now_t, now_h) = (&t.current, &h.current);
        let month_total = month_totals[now];
        for (c, &n) in category_now.iter().enumerate() {
            g.key(n, "category_by_region", category_codes[c], TOTAL);
        }
        for (r, &n) in region_now.iter().enumerate() {
            g.key(n, "category_by_region", TOTAL, region_codes[r]);
        }
        let mut cr = vec![vec![0; regions]; categories];
        for c in 0..categories {
            for r in 0..regions {
                let n = g.node(now_t.category_region(c, r), now_h.category_region(c, r), !published);
                g.key(n, "category_by_region", category_codes[c], region_codes[r]);
                cr[c][r] = n;
            }
            g.line(cr[c].clone(), category_now[c]);
        }
        for r in 0..regions {
            g.line((0..categories).map(|c| cr[c][r]), region_now[r]);
        }

        // National subtypes and time slots by category: published when the filter is national.
        let subtypes: Vec<usize> = (0..typology.subtypes.len())
            .map(|s| {
                let n = g.node(now_t.subtype[s], now_h.subtype[s], !national);
                g.key(n, "subtype", &typology.subtypes[s].code, "count");
                n
            })
            .collect();
        for (c, &total) in category_now.iter().enumerate() {
            let parts: Vec<usize> = (0..subtypes.len())
                .filter(|&s| typology.subtypes[s].category as usize == c)
                .map(|s| subtypes[s])
                .collect();
            g.line(parts, total);
        }
        let mut lists = Vec::new();
        for kind in ListKind::ALL {
            let published_list = match kind {
                ListKind::TimeSlot => national,
                ListKind::Perpetrator | ListKind::Place => national && every_category,
                _ => false,
            };
            let list = catalog.lists.get(kind);
            let nodes: Vec<usize> = (0..list.codes.len())
                .map(|i| {
                    let n = g.node(now_t.codes[kind][i], now_h.codes[kind][i], !published_list);
                    g.key(n, kind.name(), &list.codes[i].code, "count");
                    n
                })
                .collect();
            g.line(nodes.iter().copied(), month_total);
            lists.push(nodes);
        }
        // The month's violations by verification status: parts of its total, never a published cut.
        let statuses: Vec<usize> = crate::Verification::ALL
            .iter()
            .enumerate()
            .map(|(i, status)| {
                let n = g.node(now_t.verification[i], now_h.verification[i], true);
                g.key(n, "verification", status.code(), "count");
                n
            })
            .collect();
        g.line(statuses, month_total);
        // Earlier months' late reports: small counts of their own, part of no published line.
        for late in &t.late {
            let hidden = h.late.iter().find(|l| l.month == late.month).map_or(0, |l| l.count);
            let n = g.node(late.count, hidden, true);
            g.key(n, "late_reports", &late.month.to_string(), "count");
        }
        let slots = &lists[ListKind::ALL.iter().position(|&k| k == ListKind::TimeSlot).unwrap_or(0)];
        let slot_codes = &catalog.lists.get(ListKind::TimeSlot).codes;
        let mut by_slot = vec![Vec::new(); categories];
        for (s, &slot) in slots.iter().enumerate() {
            let cells: Vec<usize> = (0..categories)
                .map(|c| {
                    let n = g.node(now_t.time_slot_category(s, c), now_h.time_slot_category(s, c), !national);
                    g.key(n, "time_slot_by_category", &slot_codes[s].code, category_codes[c]);
                    by_slot[c].push(n);
                    n
                })
                .collect();
            g.key(slot, "time_slot_by_category", &slot_codes[s].code, TOTAL);
            g.line(cells, slot);
        }
        for (c, cells) in by_slot.into_iter().enumerate() {
            g.line(cells, category_now[c]);
        }

        // Places below the region: never a published cut. Cercles add up to their region,
        // communes to their cercle.
        let cercles: Vec<usize> = geo
            .cercles
            .iter()
            .enumerate()
            .map(|(i, cercle)| {
                let n = g.node(now_t.cercle[i], now_h.cercle[i], true);
                g.key(n, "admin2", &cercle.unit.pcode, "count");
                n
            })
            .collect();
        g.communes = (0..geo.communes.len()).map(|i| g.node(now_t.commune[i], now_h.commune[i], true)).collect();
        for (r, &region) in region_now.iter().enumerate() {
            let mut inside: Vec<usize> =
                geo.communes.iter().filter(|c| c.region.0 as usize == r).map(|c| cercles[c.cercle as usize]).collect();
            inside.sort_unstable();
            inside.dedup();
            g.line(inside, region);
        }
        for (k, &cercle) in cercles.iter().enumerate() {
            let inside: Vec<usize> = (0..geo.communes.len())
                .filter(|&i| geo.communes[i].cercle as usize == k)
                .map(|i| g.communes[i])
                .collect();
            g.line(inside, cercle);
        }
        g.incidents = g.node(now_t.incidents, now_h.incidents, !published);
        // The only part of a published total is that total (a region's one cercle): as
        // published as it is.
        loop {
            let alone: Vec<usize> = g
                .lines
                .iter()
                .filter(|line| line.len() == 2 && g.small[line[0]] && !g.small[line[1]])
                .map(|line| line[0])
                .collect();
            if alone.is_empty() {
                break;
            }
            for n in alone {
                g.small[n] = false;
            }
        }
        g
    }

    /// Withholds every small figure of 1 to k−1 hidden records, then, line by line, a second
    /// figure wherever a line has only one, until none has.
    fn suppress(&mut self, k: u64) {
        for n in 0..self.value.len() {
            self.withheld[n] = self.small[n] && (1..k).contains(&self.hidden[n]);
        }
        loop {
            let mut changed = false;
            for line in &self.lines {
                if line.iter().filter(|&&n| self.withheld[n]).count() != 1 {
                    continue;
                }
                // A published figure stays exact; among the others, one with hidden records
                // first, then any with records, then a zero, the smallest first.
                let pick = line
                    .iter()
                    .copied()
                    .filter(|&n| !self.withheld[n] && self.small[n])
                    .min_by_key(|&n| (self.hidden[n] == 0, self.value[n] == 0, self.value[n], n));
                if let Some(n) = pick {
                    self.withheld[n] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::aggregate::Facts;
    use crate::{ByList, CommuneId, Month, Violation};

    fn catalog() -> &'static Catalog {
        Catalog::builtin()
    }

    const COMMUNES: [&str; 5] = ["ML050101", "ML050102", "ML040503", "ML070403", "ML060101"];
    const ORGANIZATIONS: [&str; 3] = ["DRC", "NRC", "IRC"];

    /// Violations of November 2021 (and a few of October) over five communes.
    fn violation() -> impl Strategy<Value = Violation> {
        let c = catalog();
        let sizes = ByList::from_fn(|kind| c.lists.get(kind).codes.len() as u8);
        (
            0..COMMUNES.len(),
            0..c.typology.subtypes.len() as u8,
            proptest::collection::vec(0u8..3, 7),
            0..45u64,
            0..3usize,
        )
            .prop_map(move |(commune, subtype, codes, day, org)| {
                let date = NaiveDate::from_ymd_opt(2021, 10, 15).expect("date") + chrono::Days::new(day);
                let mut drawn = codes.into_iter();
                Violation {
                    id: String::new(),
                    incident_id: format!("I{day}{commune}"),
                    incident_date: date,
                    report_date: None,
                    commune: catalog().geography.commune_by_pcode(COMMUNES[commune]).unwrap_or(CommuneId(0)),
                    locality: None,
                    location: None,
                    subtype,
                    codes: ByList::from_fn(|kind| drawn.next().unwrap_or(0) % sizes[kind]),
                    organization: ORGANIZATIONS[org].to_owned(),
                    narrative: None,
                }
            })
    }

    fn filter() -> impl Strategy<Value = Filter> {
        prop_oneof![
            Just(Vec::new()),
            Just(vec![("region", "ML05")]),
            Just(vec![("category", "A")]),
            Just(vec![("commune", "ML050101")]),
            Just(vec![("sex", "F")]),
            Just(vec![("from", "2021-11-03"), ("to", "2021-11-20")]),
            Just(vec![("region", "ML05"), ("perpetrator", "UNKNOWN")]),
        ]
        .prop_map(|pairs| Filter::from_codes(catalog(), pairs).unwrap_or_default())
    }

    fn sight() -> impl Strategy<Value = Sight> {
        prop_oneof![Just(Sight::Nothing), Just(Sight::Organization("DRC".into()))]
    }

    fn grid_of(violations: &[Violation], filter: &Filter, sight: &Sight, k: u64) -> (Grid, Disclosure) {
        let c = catalog();
        let mut facts = Facts::new(c);
        let rows: Vec<(u32, crate::aggregate::Fact)> =
            violations.iter().enumerate().map(|(i, v)| (i as u32, facts.fact_of(v))).collect();
        facts.load(rows);
        let month = Month::new(2021, 11).expect("month");
        let tables = facts.tables(c, month, filter);
        let hidden = match sight.hidden(filter, facts.organizations()) {
            Some(h) => facts.tables(c, month, &h),
            None => facts.tables(c, month, &Filter { organizations: vec!["nobody".into()], ..Filter::default() }),
        };
        let mut grid = Grid::build(&tables, &hidden, c, filter);
        grid.suppress(k);
        (grid, Disclosure::of(&tables, &hidden, c, filter, MinCount::new(k).expect("k")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The rule's promises, checked on the figures: no small figure of 1 to k−1 hidden
        /// records is shown, published cuts stay exact, and an attacker who solves every line
        /// (parts add up to their total) for its one unknown, again and again, recovers no
        /// withheld figure.
        #[test]
        fn no_withheld_figure_can_be_recomputed_from_the_totals(
            violations in proptest::collection::vec(violation(), 0..300),
            filter in filter(),
            sight in sight(),
            k in 3u64..7,
        ) {
            let (grid, disclosure) = grid_of(&violations, &filter, &sight, k);
            for n in 0..grid.value.len() {
                if grid.small[n] && (1..k).contains(&grid.hidden[n]) {
                    prop_assert!(grid.withheld[n], "a figure of {} hidden records is shown", grid.hidden[n]);
                }
                if !grid.small[n] {
                    prop_assert!(!grid.withheld[n], "a published figure is withheld");
                }
            }
            let mut known: Vec<bool> = grid.withheld.iter().map(|w| !w).collect();
            loop {
                let mut learnt = false;
                for line in &grid.lines {
                    let unknown: Vec<usize> = line.iter().copied().filter(|&n| !known[n]).collect();
                    if let [n] = unknown[..] {
                        known[n] = true;
                        learnt = true;
                    }
                }
                if !learnt {
                    break;
                }
            }
            for (n, (&known, &withheld)) in known.iter().zip(&grid.withheld).enumerate() {
                prop_assert!(known != withheld, "withheld figure {n} recomputed from the totals");
            }
            prop_assert_eq!(disclosure.is_exact(), !grid.withheld.contains(&true));
            let published = filter.within_published_cuts();
            prop_assert_eq!(disclosure.too_few(), !published && (1..k).contains(&grid.hidden_total));
        }
    }

    #[test]
    fn a_partner_sees_its_own_records_exactly_and_mixed_cells_by_their_hidden_part() {
        let c = catalog();
        let base = |org: &str, commune: &str| Violation {
            id: String::new(),
            incident_id: format!("{org}{commune}"),
            incident_date: NaiveDate::from_ymd_opt(2021, 11, 5).expect("date"),
            report_date: None,
            commune: c.geography.commune_by_pcode(commune).expect("commune"),
            locality: None,
            location: None,
            subtype: 0,
            codes: ByList::default(),
            organization: org.into(),
            narrative: None,
        };
        // ML050101: 1 of DRC's. ML050102: 10 of DRC's and 2 of NRC's.
        let mut violations = vec![base("DRC", "ML050101")];
        violations.extend(std::iter::repeat_n(base("DRC", "ML050102"), 10));
        violations.extend(std::iter::repeat_n(base("NRC", "ML050102"), 2));
        let commune = |p: &str| c.geography.commune_by_pcode(p).expect("commune").0 as usize;
        let drc = Sight::Organization("DRC".into());
        let (_, own) = grid_of(&violations, &Filter::default(), &drc, 5);
        assert!(!own.withholds_commune(commune("ML050101")), "its own single violation");
        assert!(own.withholds_commune(commune("ML050102")), "12, of which 2 hidden: the 2 would be given back");
        let (_, viewer) = grid_of(&violations, &Filter::default(), &Sight::Nothing, 5);
        assert!(viewer.withholds_commune(commune("ML050101")));
        let one = Filter::from_codes(c, [("commune", "ML050101"), ("from", "2021-11-05"), ("to", "2021-11-05")])
            .expect("filter");
        let (_, viewer) = grid_of(&violations, &one, &Sight::Nothing, 5);
        assert!(viewer.too_few(), "one violation on a commune and day: no count at all");
        let (_, own) = grid_of(&violations, &one, &drc, 5);
        assert!(own.is_exact(), "its own: exact");
        let nrc = Sight::Organization("NRC".into());
        let (_, other) = grid_of(&violations, &one, &nrc, 5);
        assert!(other.too_few(), "another organisation's single violation");
    }

    #[test]
    fn k_is_three_or_more() {
        assert!(MinCount::new(2).is_err());
        assert_eq!(MinCount::new(3).map(MinCount::get), Ok(3));
        assert_eq!(MinCount::default().get(), 5);
    }
}
