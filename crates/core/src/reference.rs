//! The violation typology and the code lists of `reference/spec/`: contracts shared with every
//! partner, so they are data parsed at start, never enums in code.

use crate::{ReferenceError, invalid, read_labelled_csv};

/// A text in each language its reference file gives (`label_fr`, `label_en`, … columns).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Label(Vec<(String, String)>);

impl Label {
    /// From `(language, text)` pairs, the first being the fallback.
    pub fn new(texts: impl IntoIterator<Item = (String, String)>) -> Label {
        Label(texts.into_iter().collect())
    }

    /// Its text in every language its file has, the fallback first.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, text)| text.as_str())
    }

    /// The text in `language` (`fr`, `en`, or a regional `fr-ML` read as `fr`); the file's first
    /// language when it has no column for this one.
    pub fn get(&self, language: &str) -> &str {
        let base = language.split(['-', '_']).next().unwrap_or(language);
        self.0
            .iter()
            .find(|(l, _)| l == language)
            .or_else(|| self.0.iter().find(|(l, _)| l == base))
            .or_else(|| self.0.first())
            .map_or("", |(_, text)| text.as_str())
    }
}

/// The code every list of `spec/codelists.csv` has for a value not known.
pub const UNKNOWN: &str = "UNKNOWN";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtype {
    pub code: String,
    /// Index into [`Typology::categories`].
    pub category: u8,
    pub label: Label,
}

/// Six categories (A–F) and their subtypes, in file order.
#[derive(Debug, Clone)]
pub struct Typology {
    pub categories: Vec<Category>,
    pub subtypes: Vec<Subtype>,
}

impl Typology {
    pub fn parse(file: &str, text: &str) -> Result<Typology, ReferenceError> {
        let rows = read_labelled_csv(file, text, &["code", "category"], "label_")?;
        let mut categories: Vec<Category> = Vec::new();
        let mut subtypes = Vec::new();
        for (i, (row, label)) in rows.into_iter().enumerate() {
            let line = i as u64 + 2;
            if row[0].is_empty() {
                return Err(invalid(file, line, "empty code"));
            }
            if row[1].is_empty() {
                categories.push(Category { code: row[0].to_owned(), label });
            } else {
                let category = categories
                    .iter()
                    .position(|c| c.code == row[1])
                    .ok_or_else(|| invalid(file, line, format!("unknown category `{}`", row[1])))?;
                subtypes.push(Subtype { code: row[0].to_owned(), category: category as u8, label });
            }
        }
        if categories.len() > u8::MAX as usize || subtypes.len() > u8::MAX as usize {
            return Err(invalid(file, 1, "too many codes (at most 255)"));
        }
        Ok(Typology { categories, subtypes })
    }

    pub fn subtype(&self, code: &str) -> Option<u8> {
        self.subtypes.iter().position(|s| same_code(&s.code, code)).map(|i| i as u8)
    }

    pub fn category(&self, code: &str) -> Option<u8> {
        self.categories.iter().position(|c| c.code == code).map(|i| i as u8)
    }

    /// The codes a user may write, for error messages.
    pub fn subtype_codes(&self) -> String {
        format!(
            "a subtype code of the typology ({} … {})",
            self.subtypes.first().map_or("", |s| s.code.as_str()),
            self.subtypes.last().map_or("", |s| s.code.as_str())
        )
    }
}

/// Whether two codes are equal, looking at their lengths and end bytes before their text: an
/// import looks up eight codes per row, mostly among codes of one length ("A1" … "F4").
fn same_code(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.first() == b.first() && a.last() == b.last() && a == b
}

/// The code lists of `codelists.csv`; each violation carries one code of each. Adding a list
/// is adding a variant: the compiler then asks for its names, and every [`ByList`] has a place
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    Perpetrator,
    Place,
    TimeSlot,
    Sex,
    AgeGroup,
    Occupation,
    Population,
}

impl ListKind {
    /// Every list, in the order of the violation columns.
    pub const ALL: [ListKind; 7] = [
        ListKind::Perpetrator,
        ListKind::Place,
        ListKind::TimeSlot,
        ListKind::Sex,
        ListKind::AgeGroup,
        ListKind::Occupation,
        ListKind::Population,
    ];
    pub const COUNT: usize = ListKind::ALL.len();

    /// The list's place in [`ListKind::ALL`] and in every [`ByList`].
    const fn index(self) -> usize {
        self as usize
    }

    /// The list's name in `codelists.csv` (and the table's name in `tables.csv`).
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Perpetrator => "perpetrator",
            ListKind::Place => "place",
            ListKind::TimeSlot => "time_slot",
            ListKind::Sex => "sex",
            ListKind::AgeGroup => "age_group",
            ListKind::Occupation => "occupation",
            ListKind::Population => "population",
        }
    }

    /// The column of `violations.csv` that holds a code of this list.
    pub fn column(self) -> &'static str {
        match self {
            ListKind::Perpetrator => "perpetrator_code",
            ListKind::Place => "place_code",
            ListKind::TimeSlot => "time_slot_code",
            ListKind::Sex => "victim_sex",
            ListKind::AgeGroup => "victim_age_group",
            ListKind::Occupation => "victim_occupation",
            ListKind::Population => "victim_population",
        }
    }
}

/// One value per code list, indexed by [`ListKind`]: a violation's codes, the counts of a
/// month, a filter's accepted codes. Nothing selects a list by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ByList<T>([T; ListKind::COUNT]);

impl<T> ByList<T> {
    pub fn from_fn(mut value: impl FnMut(ListKind) -> T) -> ByList<T> {
        ByList(std::array::from_fn(|i| value(ListKind::ALL[i])))
    }

    pub fn iter(&self) -> impl Iterator<Item = (ListKind, &T)> {
        ListKind::ALL.into_iter().zip(&self.0)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (ListKind, &mut T)> {
        ListKind::ALL.into_iter().zip(&mut self.0)
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }

    pub fn map<U>(self, value: impl FnMut(T) -> U) -> ByList<U> {
        ByList(self.0.map(value))
    }
}

impl<T> std::ops::Index<ListKind> for ByList<T> {
    type Output = T;

    fn index(&self, kind: ListKind) -> &T {
        &self.0[kind.index()]
    }
}

impl<T> std::ops::IndexMut<ListKind> for ByList<T> {
    fn index_mut(&mut self, kind: ListKind) -> &mut T {
        &mut self.0[kind.index()]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub label: Label,
}

#[derive(Debug, Clone)]
pub struct CodeList {
    pub kind: ListKind,
    pub codes: Vec<Code>,
}

impl CodeList {
    pub fn find(&self, code: &str) -> Option<u8> {
        self.codes.iter().position(|c| same_code(&c.code, code)).map(|i| i as u8)
    }

    pub fn code(&self, index: u8) -> &str {
        self.codes.get(index as usize).map_or("", |c| c.code.as_str())
    }

    /// "one of A, B, C", for error messages.
    pub fn expected(&self) -> String {
        let codes: Vec<&str> = self.codes.iter().map(|c| c.code.as_str()).collect();
        format!("a code of list `{}`: one of {}", self.kind.name(), codes.join(", "))
    }
}

/// All code lists, indexable by [`ListKind`].
#[derive(Debug, Clone)]
pub struct CodeLists(ByList<CodeList>);

impl CodeLists {
    pub fn parse(file: &str, text: &str) -> Result<CodeLists, ReferenceError> {
        let rows = read_labelled_csv(file, text, &["list", "code"], "label_")?;
        let mut lists = ByList::from_fn(|kind| CodeList { kind, codes: Vec::new() });
        for (i, (row, label)) in rows.into_iter().enumerate() {
            let line = i as u64 + 2;
            let kind = ListKind::ALL
                .into_iter()
                .find(|k| k.name() == row[0])
                .ok_or_else(|| invalid(file, line, format!("unknown list `{}`", row[0])))?;
            let list = &mut lists[kind];
            if row[1].is_empty() || list.find(&row[1]).is_some() {
                return Err(invalid(file, line, format!("empty or repeated code `{}`", row[1])));
            }
            list.codes.push(Code { code: row[1].to_owned(), label });
        }
        if let Some((_, empty)) = lists.iter().find(|(_, l)| l.codes.is_empty() || l.codes.len() > 255) {
            return Err(invalid(file, 1, format!("list `{}` needs 1 to 255 codes", empty.kind.name())));
        }
        Ok(CodeLists(lists))
    }

    pub fn get(&self, kind: ListKind) -> &CodeList {
        &self.0[kind]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_its_own_place_names_and_column() {
        for (i, kind) in ListKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i, "{kind:?} sits at its place in ALL");
        }
        let names: std::collections::HashSet<_> = ListKind::ALL.iter().map(|k| (k.name(), k.column())).collect();
        assert_eq!(names.len(), ListKind::COUNT);
        let by_list = ByList::from_fn(ListKind::name);
        assert_eq!(by_list[ListKind::Sex], "sex");
        assert_eq!(by_list.iter().map(|(k, n)| (k, *n)).last(), Some((ListKind::Population, "population")));
    }
}
