//! Which violations a list shows, and in what order: the same facts and filter as the tables,
//! so that a list's total is always the count the tables give for the same filter.

use super::facts::Facts;
use super::filter::Filter;
use crate::Catalog;

/// What a list of violations is sorted by; ties are broken by storage key (the order of
/// writing), so that every order is total and a cursor is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortBy {
    #[default]
    IncidentDate,
    /// Geography order (P-code order within each cercle and region).
    Commune,
    /// Typology order.
    Subtype,
    /// Organisation code, alphabetically.
    Organization,
    /// The order of writing.
    Stored,
}

impl SortBy {
    /// The sort keys lists accept, named after the exchange format's columns.
    pub const NAMES: [(&'static str, SortBy); 5] = [
        ("incident_date", SortBy::IncidentDate),
        ("admin3_pcode", SortBy::Commune),
        ("violation_code", SortBy::Subtype),
        ("organization", SortBy::Organization),
        ("stored", SortBy::Stored),
    ];

    pub fn parse(name: &str) -> Option<SortBy> {
        SortBy::NAMES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }
}

/// Where a page ends: the last row's sort value and storage key. The next page starts after it,
/// whatever was written in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub value: i64,
    pub key: u32,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (value, key) = text.split_once('.')?;
        Some(Cursor { value: value.parse().ok()?, key: key.parse().ok()? })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.value, self.key)
    }
}

/// A page of a list of violations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The storage keys of the page's violations, in order.
    pub keys: Vec<u32>,
    /// How many violations the filter selects in all.
    pub total: u64,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// How a list is paged: after a cursor, or after skipping `offset` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub sort: SortBy,
    pub descending: bool,
    pub after: Option<Cursor>,
    pub offset: usize,
    pub limit: usize,
}

impl Facts {
    /// A page of the violations `filter` selects, sorted as `page` says. The whole selection is
    /// ordered only as far as the page needs (a partial selection, then a sort of the page).
    pub fn select(&self, catalog: &Catalog, filter: &Filter, page: &PageRequest) -> Selection {
        page_of(self.sort_values(catalog, filter, page.sort), page)
    }

    /// Every violation `filter` selects, with its sort value, in `(value, key)` order reversed
    /// when `descending`: what a server keeps to serve every page of a list it was asked for.
    pub fn ordered(&self, catalog: &Catalog, filter: &Filter, sort: SortBy, descending: bool) -> Ordered {
        let mut rows = self.sort_values(catalog, filter, sort);
        rows.sort_unstable();
        if descending {
            rows.reverse();
        }
        Ordered { rows, descending }
    }

    /// The selected rows, each as its sort value and storage key, in no particular order.
    fn sort_values(&self, catalog: &Catalog, filter: &Filter, sort: SortBy) -> Vec<(i64, u32)> {
        let masks = self.masks(catalog, filter);
        let organization_rank = {
            let mut order: Vec<usize> = (0..self.organizations().len()).collect();
            order.sort_by_key(|&i| &self.organizations()[i]);
            let mut rank = vec![0i64; order.len()];
            for (r, i) in order.into_iter().enumerate() {
                rank[i] = r as i64;
            }
            rank
        };
        let value = |r: usize| -> i64 {
            match sort {
                SortBy::IncidentDate => i64::from(self.day[r]),
                SortBy::Commune => i64::from(self.commune[r]),
                SortBy::Subtype => i64::from(self.subtype[r]),
                SortBy::Organization => organization_rank[self.organization[r] as usize],
                SortBy::Stored => 0,
            }
        };
        (0..self.day.len()).filter(|&r| self.selected(r, &masks)).map(|r| (value(r), self.key[r])).collect()
    }

    /// The storage keys of every violation `filter` selects, in no particular order: what a
    /// download of the whole selection reads.
    pub fn keys(&self, catalog: &Catalog, filter: &Filter) -> Vec<u32> {
        let masks = self.masks(catalog, filter);
        (0..self.day.len()).filter(|&r| self.selected(r, &masks)).map(|r| self.key[r]).collect()
    }
}

/// A page of `rows` — each a sort value and a storage key — in (value, key) order, reversed
/// when descending. Only as much is ordered as the page needs: a partial selection, then a
/// sort of the page. Shared by every list, of violations and of the other records.
pub fn page_of(rows: Vec<(i64, u32)>, page: &PageRequest) -> Selection {
    // Sorted ascending on (value, key), negated for a descending list.
    let sign = if page.descending { -1 } else { 1 };
    let order = |value: i64, key: u32| (sign * value, sign * i64::from(key));
    let total = rows.len() as u64;
    let mut rows: Vec<(i64, i64)> = rows.into_iter().map(|(value, key)| order(value, key)).collect();
    if let Some(after) = page.after {
        let after = order(after.value, after.key);
        rows.retain(|row| *row > after);
    }
    let remaining = rows.len();
    let end = (page.offset + page.limit).min(remaining);
    if end < remaining {
        rows.select_nth_unstable(end);
        rows.truncate(end);
    }
    rows.sort_unstable();
    let page_rows = rows.get(page.offset.min(end)..).unwrap_or_default();
    let unorder = |(value, key): (i64, i64)| Cursor { value: sign * value, key: (sign * key) as u32 };
    let keys: Vec<u32> = page_rows.iter().map(|&row| unorder(row).key).collect();
    let next = if end < remaining { page_rows.last().map(|&row| unorder(row)) } else { None };
    Selection { keys, total, next }
}

/// A whole selection in list order (see [`Facts::ordered`]): every page of it is a slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordered {
    rows: Vec<(i64, u32)>,
    descending: bool,
}

impl Ordered {
    /// The page `page` asks for (its sort and direction must be this selection's): the same
    /// page [`page_of`] gives.
    pub fn page(&self, page: &PageRequest) -> Selection {
        let total = self.rows.len() as u64;
        let start = match page.after {
            // The first row past the cursor, in list order.
            Some(after) => {
                let after = (after.value, after.key);
                self.rows.partition_point(|&row| if self.descending { row >= after } else { row <= after })
            }
            None => 0,
        };
        let from = (start + page.offset).min(self.rows.len());
        let end = (from + page.limit).min(self.rows.len());
        let rows = &self.rows[from..end];
        let next = (end < self.rows.len()).then(|| rows.last().map(|&(value, key)| Cursor { value, key })).flatten();
        Selection { keys: rows.iter().map(|&(_, key)| key).collect(), total, next }
    }

    /// What it holds in memory, in bytes (caches are bounded by it).
    pub fn bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<(i64, u32)>()
    }
}
