//! The violation typology and the code lists of `reference/spec/`: contracts shared with every
//! partner, so they are data parsed at start, never enums in code.

use crate::{ReferenceError, invalid, read_reference_csv};

/// A label in the two languages Vigie speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub fr: String,
    pub en: String,
}

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
        let rows = read_reference_csv(file, text, &["code", "category", "label_fr", "label_en"])?;
        let mut categories: Vec<Category> = Vec::new();
        let mut subtypes = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let line = i as u64 + 2;
            let label = Label { fr: row[2].to_owned(), en: row[3].to_owned() };
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

/// The code lists of `codelists.csv`; each violation carries one code of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    Perpetrator,
    Place,
    TimeSlot,
    Occupation,
    Sex,
    AgeGroup,
    Population,
}

impl ListKind {
    pub const ALL: [ListKind; 7] = [
        ListKind::Perpetrator,
        ListKind::Place,
        ListKind::TimeSlot,
        ListKind::Occupation,
        ListKind::Sex,
        ListKind::AgeGroup,
        ListKind::Population,
    ];

    /// The list's name in `codelists.csv` (and the table's name in `tables.csv`).
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Perpetrator => "perpetrator",
            ListKind::Place => "place",
            ListKind::TimeSlot => "time_slot",
            ListKind::Occupation => "occupation",
            ListKind::Sex => "sex",
            ListKind::AgeGroup => "age_group",
            ListKind::Population => "population",
        }
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
pub struct CodeLists(Vec<CodeList>);

impl CodeLists {
    pub fn parse(file: &str, text: &str) -> Result<CodeLists, ReferenceError> {
        let rows = read_reference_csv(file, text, &["list", "code", "label_fr", "label_en"])?;
        let mut lists: Vec<CodeList> = ListKind::ALL.iter().map(|&kind| CodeList { kind, codes: Vec::new() }).collect();
        for (i, row) in rows.iter().enumerate() {
            let line = i as u64 + 2;
            let list = lists
                .iter_mut()
                .find(|l| l.kind.name() == row[0])
                .ok_or_else(|| invalid(file, line, format!("unknown list `{}`", row[0])))?;
            if row[1].is_empty() || list.find(&row[1]).is_some() {
                return Err(invalid(file, line, format!("empty or repeated code `{}`", row[1])));
            }
            list.codes
                .push(Code { code: row[1].to_owned(), label: Label { fr: row[2].to_owned(), en: row[3].to_owned() } });
        }
        if let Some(empty) = lists.iter().find(|l| l.codes.is_empty() || l.codes.len() > 255) {
            return Err(invalid(file, 1, format!("list `{}` needs 1 to 255 codes", empty.kind.name())));
        }
        Ok(CodeLists(lists))
    }

    pub fn get(&self, kind: ListKind) -> &CodeList {
        // Built from ListKind::ALL in order, so the position is the discriminant.
        &self.0[kind as usize]
    }
}
