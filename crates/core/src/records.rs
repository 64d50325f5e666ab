//! The three input records of DATA-FORMATS.md — violations, flash alerts, risk-index answers —
//! and the rules that turn a row of text into one of them.
//!
//! A row arrives as a slice of optional cells aligned with its [`Schema`] (`None` is an absent
//! column or an empty cell). Parsing checks every rule and reports every broken one, so that a
//! partner fixes a file in one round; `write_fields` writes a record back in the same column order
//! (`fields` collects it), the one path by which records become text again (storage, sample files,
//! audit log).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

use crate::Catalog;
use crate::geography::CommuneId;
use crate::month::Month;
use crate::reference::{ByList, ListKind};

/// One broken rule in one cell: what the import names together with its file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub column: String,
    pub value: String,
    /// What the cell should hold, in English, with the limits: what the import reports.
    pub expected: String,
    /// Which rule was broken, so that a form can say it in its reader's language.
    pub rule: Rule,
}

/// The rules a cell can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Required,
    Identifier,
    Organization,
    Date,
    Month,
    NotFuture,
    /// A report date before the incident's.
    BeforeIncident,
    /// A code not in its list (typology, code list, question's options).
    Code,
    Commune,
    /// A region or cercle that is not the commune's.
    NotTheCommunes,
    Coordinate,
    /// One of latitude and longitude without the other.
    BothCoordinates,
    WholeNumber,
    /// Another organisation's record, for a partner.
    OtherOrganization,
    /// A new record's identifier that a stored record already has.
    Taken,
}

impl Rule {
    /// The message that says the rule in a catalog of `reference/messages`.
    pub fn message_id(self) -> &'static str {
        match self {
            Rule::Required => "rule-required",
            Rule::Identifier => "rule-identifier",
            Rule::Organization => "rule-organization",
            Rule::Date => "rule-date",
            Rule::Month => "rule-month",
            Rule::NotFuture => "rule-not-future",
            Rule::BeforeIncident => "rule-before-incident",
            Rule::Code => "rule-code",
            Rule::Commune => "rule-commune",
            Rule::NotTheCommunes => "rule-not-the-communes",
            Rule::Coordinate => "rule-coordinate",
            Rule::BothCoordinates => "rule-both-coordinates",
            Rule::WholeNumber => "rule-whole-number",
            Rule::OtherOrganization => "rule-other-organization",
            Rule::Taken => "rule-taken",
        }
    }
}

/// The columns of one input format, in the order that parsing and `fields` use.
#[derive(Debug, Clone)]
pub struct Schema {
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub required: bool,
}

impl Schema {
    fn new(columns: &[(&str, bool)]) -> Schema {
        Schema { columns: columns.iter().map(|&(name, required)| Column { name: name.to_owned(), required }).collect() }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }
}

/// The columns of `violations.csv`, in file order. Adding a column is adding a variant: the
/// compiler then asks for its name, whether it is required, its place, and how a record
/// writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationColumn {
    ViolationId,
    IncidentId,
    IncidentDate,
    ReportDate,
    Admin1,
    Admin2,
    Admin3,
    Locality,
    Latitude,
    Longitude,
    ViolationCode,
    /// One column per code list, in the order of [`ListKind::ALL`].
    Code(ListKind),
    Organization,
    Narrative,
}

impl ViolationColumn {
    /// Every column, in file order.
    pub fn all() -> impl Iterator<Item = ViolationColumn> {
        use ViolationColumn::*;
        [ViolationId, IncidentId, IncidentDate, ReportDate, Admin1, Admin2, Admin3, Locality, Latitude, Longitude]
            .into_iter()
            .chain([ViolationCode])
            .chain(ListKind::ALL.map(Code))
            .chain([Organization, Narrative])
    }

    /// The column's place in [`ViolationColumn::all`] (and in a row aligned with the schema).
    pub const fn position(self) -> usize {
        use ViolationColumn::*;
        // The code columns follow `violation_code`.
        const CODES: usize = 11;
        match self {
            ViolationId => 0,
            IncidentId => 1,
            IncidentDate => 2,
            ReportDate => 3,
            Admin1 => 4,
            Admin2 => 5,
            Admin3 => 6,
            Locality => 7,
            Latitude => 8,
            Longitude => 9,
            ViolationCode => CODES - 1,
            Code(kind) => CODES + kind as usize,
            Organization => CODES + ListKind::COUNT,
            Narrative => CODES + ListKind::COUNT + 1,
        }
    }

    pub fn name(self) -> &'static str {
        use ViolationColumn::*;
        match self {
            ViolationId => "violation_id",
            IncidentId => "incident_id",
            IncidentDate => "incident_date",
            ReportDate => "report_date",
            Admin1 => "admin1_pcode",
            Admin2 => "admin2_pcode",
            Admin3 => "admin3_pcode",
            Locality => "locality",
            Latitude => "latitude",
            Longitude => "longitude",
            ViolationCode => "violation_code",
            Code(kind) => kind.column(),
            Organization => "organization",
            Narrative => "narrative",
        }
    }

    pub fn required(self) -> bool {
        use ViolationColumn::*;
        match self {
            ViolationId | IncidentId | IncidentDate | Admin3 | ViolationCode | Code(_) | Organization => true,
            ReportDate | Admin1 | Admin2 | Locality | Latitude | Longitude | Narrative => false,
        }
    }
}

/// `(name, required)` of each violation column, in file order: what `RowParser` reads.
static VIOLATION_COLUMNS: LazyLock<Vec<(&'static str, bool)>> =
    LazyLock::new(|| ViolationColumn::all().map(|c| (c.name(), c.required())).collect());

const ALERT_COLUMNS: [(&str, bool); 13] = [
    ("alert_id", true),
    ("alert_date", true),
    ("admin1_pcode", false),
    ("admin2_pcode", false),
    ("admin3_pcode", true),
    ("locality", false),
    ("latitude", false),
    ("longitude", false),
    ("event_type", true),
    ("affected_households", false),
    ("affected_persons", false),
    ("description", true),
    ("organization", true),
];

pub fn violation_schema() -> Schema {
    Schema::new(&VIOLATION_COLUMNS)
}

pub fn alert_schema() -> Schema {
    Schema::new(&ALERT_COLUMNS)
}

/// `answer_id, month, admin3_pcode`, one column per question of the risk index definitions (a
/// question asked by every version is required), then `organization`.
pub fn risk_answer_schema(catalog: &Catalog) -> Schema {
    Schema::new(&risk_answer_columns(catalog))
}

fn risk_answer_columns(catalog: &Catalog) -> Vec<(&str, bool)> {
    let mut columns: Vec<(&str, bool)> = vec![("answer_id", true), ("month", true), ("admin3_pcode", true)];
    columns.extend(catalog.risk.question_columns().iter().map(|(code, required)| (code.as_str(), *required)));
    columns.push(("organization", true));
    columns
}

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// One violation suffered by one person: the counting unit of every table.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub id: String,
    pub incident_id: String,
    pub incident_date: NaiveDate,
    pub report_date: Option<NaiveDate>,
    pub commune: CommuneId,
    pub locality: Option<String>,
    pub location: Option<LatLon>,
    /// Index into the typology's subtypes.
    pub subtype: u8,
    /// Per code list, the index of the violation's code.
    pub codes: ByList<u8>,
    pub organization: String,
    pub narrative: Option<String>,
}

impl Violation {
    pub fn code(&self, kind: ListKind) -> u8 {
        self.codes[kind]
    }

    /// Parses a row aligned with [`violation_schema`]; `today` bounds the dates.
    pub fn parse(values: &[Option<&str>], catalog: &Catalog, today: NaiveDate) -> Result<Violation, Vec<FieldError>> {
        use ViolationColumn as C;
        let mut p = RowParser::new(&VIOLATION_COLUMNS, values);
        let id = p.identifier(C::ViolationId.position());
        let incident_id = p.identifier(C::IncidentId.position());
        let incident_date = p.date(C::IncidentDate.position(), today);
        let report_date = p.date(C::ReportDate.position(), today);
        if let (Some(incident), Some(report)) = (incident_date, report_date)
            && report < incident
        {
            p.error::<()>(
                C::ReportDate.position(),
                Rule::BeforeIncident,
                format!("a date on or after incident_date ({incident})"),
            );
        }
        let commune = p.commune(C::Admin1.position(), C::Admin2.position(), C::Admin3.position(), catalog);
        let locality = p.text(C::Locality.position());
        let location = p.location(C::Latitude.position(), C::Longitude.position());
        let subtype =
            p.lookup(C::ViolationCode.position(), |v| catalog.typology.subtype(v), || catalog.typology.subtype_codes());
        let codes = ByList::from_fn(|kind| {
            let list = catalog.lists.get(kind);
            p.lookup(C::Code(kind).position(), |v| list.find(v), || list.expected()).unwrap_or(0)
        });
        let organization = p.organization(C::Organization.position());
        let narrative = p.text(C::Narrative.position());
        match (id, incident_id, incident_date, commune, subtype, organization, p.errors.is_empty()) {
            (
                Some(id),
                Some(incident_id),
                Some(incident_date),
                Some(commune),
                Some(subtype),
                Some(organization),
                true,
            ) => Ok(Violation {
                id,
                incident_id,
                incident_date,
                report_date,
                commune,
                locality,
                location,
                subtype,
                codes,
                organization,
                narrative,
            }),
            _ => Err(p.errors),
        }
    }

    /// The record as text, aligned with [`violation_schema`] (absent values are empty), one cell
    /// at a time: an import writes millions of rows, and no cell is allocated on the way.
    pub fn write_fields(&self, catalog: &Catalog, mut cell: impl FnMut(&str)) {
        use ViolationColumn as C;
        let g = &catalog.geography;
        let commune = g.commune(self.commune);
        for column in C::all() {
            match column {
                C::ViolationId => cell(&self.id),
                C::IncidentId => cell(&self.incident_id),
                C::IncidentDate => with_iso_date(self.incident_date, &mut cell),
                C::ReportDate => match self.report_date {
                    Some(date) => with_iso_date(date, &mut cell),
                    None => cell(""),
                },
                C::Admin1 => cell(&g.region(commune.region).code),
                C::Admin2 => cell(&g.cercles[commune.cercle as usize].unit.pcode),
                C::Admin3 => cell(&commune.unit.pcode),
                C::Locality => cell(self.locality.as_deref().unwrap_or("")),
                C::Latitude => write_degrees(&mut cell, self.location.map(|p| p.lat)),
                C::Longitude => write_degrees(&mut cell, self.location.map(|p| p.lon)),
                C::ViolationCode => cell(&catalog.typology.subtypes[self.subtype as usize].code),
                C::Code(kind) => cell(catalog.lists.get(kind).code(self.codes[kind])),
                C::Organization => cell(&self.organization),
                C::Narrative => cell(self.narrative.as_deref().unwrap_or("")),
            }
        }
    }

    /// [`Violation::write_fields`], collected.
    pub fn fields(&self, catalog: &Catalog) -> Vec<String> {
        collect(|cell| self.write_fields(catalog, cell))
    }
}

/// The kinds of event a flash alert reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Attack,
    Clash,
    Displacement,
    Explosive,
    Abduction,
    Blockade,
    Other,
}

impl EventType {
    pub const ALL: [EventType; 7] = [
        EventType::Attack,
        EventType::Clash,
        EventType::Displacement,
        EventType::Explosive,
        EventType::Abduction,
        EventType::Blockade,
        EventType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventType::Attack => "ATTACK",
            EventType::Clash => "CLASH",
            EventType::Displacement => "DISPLACEMENT",
            EventType::Explosive => "EXPLOSIVE",
            EventType::Abduction => "ABDUCTION",
            EventType::Blockade => "BLOCKADE",
            EventType::Other => "OTHER",
        }
    }

    pub fn parse(code: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// A flash alert: a major event reported at once, before its violations are documented.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: String,
    pub date: NaiveDate,
    pub commune: CommuneId,
    pub locality: Option<String>,
    pub location: Option<LatLon>,
    pub event_type: EventType,
    pub affected_households: Option<u32>,
    pub affected_persons: Option<u32>,
    pub description: String,
    pub organization: String,
}

impl Alert {
    pub fn parse(values: &[Option<&str>], catalog: &Catalog, today: NaiveDate) -> Result<Alert, Vec<FieldError>> {
        let mut p = RowParser::new(&ALERT_COLUMNS, values);
        let id = p.identifier(0);
        let date = p.date(1, today);
        let commune = p.commune(2, 3, 4, catalog);
        let locality = p.text(5);
        let location = p.location(6, 7);
        let event_type = p.lookup(8, EventType::parse, || {
            let codes: Vec<&str> = EventType::ALL.iter().map(|e| e.code()).collect();
            format!("one of {}", codes.join(", "))
        });
        let affected_households = p.whole_number(9);
        let affected_persons = p.whole_number(10);
        let description = p.required(11).map(str::to_owned);
        let organization = p.organization(12);
        match (id, date, commune, event_type, description, organization, p.errors.is_empty()) {
            (Some(id), Some(date), Some(commune), Some(event_type), Some(description), Some(organization), true) => {
                Ok(Alert {
                    id,
                    date,
                    commune,
                    locality,
                    location,
                    event_type,
                    affected_households,
                    affected_persons,
                    description,
                    organization,
                })
            }
            _ => Err(p.errors),
        }
    }

    /// The record as text, aligned with [`alert_schema`] (absent values are empty).
    pub fn write_fields(&self, catalog: &Catalog, mut cell: impl FnMut(&str)) {
        let g = &catalog.geography;
        let commune = g.commune(self.commune);
        cell(&self.id);
        with_iso_date(self.date, &mut cell);
        cell(&g.region(commune.region).code);
        cell(&g.cercles[commune.cercle as usize].unit.pcode);
        cell(&commune.unit.pcode);
        cell(self.locality.as_deref().unwrap_or(""));
        write_location(&mut cell, self.location);
        cell(self.event_type.code());
        for n in [self.affected_households, self.affected_persons] {
            cell(&n.map(|n| n.to_string()).unwrap_or_default());
        }
        cell(&self.description);
        cell(&self.organization);
    }

    /// [`Alert::write_fields`], collected.
    pub fn fields(&self, catalog: &Catalog) -> Vec<String> {
        collect(|cell| self.write_fields(catalog, cell))
    }
}

/// One key informant's answers for one commune and month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskAnswer {
    pub id: String,
    pub month: Month,
    pub commune: CommuneId,
    /// One option index per question of the questionnaire, in its order.
    pub options: Vec<u8>,
    pub organization: String,
}

impl RiskAnswer {
    /// Parses a row aligned with [`risk_answer_schema`] for the same catalog.
    pub fn parse(values: &[Option<&str>], catalog: &Catalog, today: NaiveDate) -> Result<RiskAnswer, Vec<FieldError>> {
        let codes = catalog.risk.question_columns();
        let columns = risk_answer_columns(catalog);
        let mut p = RowParser::new(&columns, values);
        let id = p.identifier(0);
        let month = p.required(1).and_then(|v| match Month::parse(v) {
            Some(m) if m <= Month::of(today) => Some(m),
            Some(_) => p.error(1, Rule::NotFuture, format!("a month not in the future (today is {today})")),
            None => p.error(1, Rule::Month, "a month as YYYY-MM, e.g. 2021-11"),
        });
        let commune = p.commune_only(2, catalog);
        // Answers are checked against the definition that scores their month.
        let version = catalog.risk.for_month(month.unwrap_or(Month::of(today)));
        let mut options = Vec::with_capacity(version.definition.questions.len());
        for question in &version.definition.questions {
            let i = 3 + codes.iter().position(|(c, _)| *c == question.code).unwrap_or_default();
            if p.value(i).is_none() {
                let expected = format!(
                    "a value (this column is required: {} is scored with version {} of the risk index, which asks {})",
                    month.map_or_else(|| "this month".to_owned(), |m| m.to_string()),
                    version.version,
                    question.code
                );
                p.error::<()>(i, Rule::Required, expected);
                continue;
            }
            options.push(p.lookup(i, |v| question.option(v), || question.expected()).unwrap_or(0));
        }
        let organization = p.organization(3 + codes.len());
        match (id, month, commune, organization, p.errors.is_empty()) {
            (Some(id), Some(month), Some(commune), Some(organization), true) => {
                Ok(RiskAnswer { id, month, commune, options, organization })
            }
            _ => Err(p.errors),
        }
    }

    /// The row of `risk_answer_schema`: questions its month's definition does not ask are empty.
    pub fn write_fields(&self, catalog: &Catalog, mut cell: impl FnMut(&str)) {
        cell(&self.id);
        cell(&self.month.to_string());
        cell(&catalog.geography.commune(self.commune).unit.pcode);
        let questions = &catalog.risk.definition(self.month).questions;
        for (code, _) in catalog.risk.question_columns() {
            let option = questions
                .iter()
                .zip(&self.options)
                .find(|(q, _)| q.code == *code)
                .and_then(|(q, &o)| q.options.get(usize::from(o)).map(|o| o.code.as_str()));
            cell(option.unwrap_or(""));
        }
        cell(&self.organization);
    }

    /// [`RiskAnswer::write_fields`], collected.
    pub fn fields(&self, catalog: &Catalog) -> Vec<String> {
        collect(|cell| self.write_fields(catalog, cell))
    }
}

fn collect(write: impl FnOnce(&mut dyn FnMut(&str))) -> Vec<String> {
    let mut out = Vec::new();
    write(&mut |cell| out.push(cell.to_owned()));
    out
}

/// `YYYY-MM-DD`.
pub fn iso_date(date: NaiveDate) -> String {
    with_iso_date(date, str::to_owned)
}

/// Hands `YYYY-MM-DD` to `f` from a buffer on the stack, written by hand: it runs twice per row
/// of every import.
fn with_iso_date<R>(date: NaiveDate, f: impl FnOnce(&str) -> R) -> R {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&y) {
        return f(&date.to_string());
    }
    let mut out = [b'-'; 10];
    for (i, n) in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10].into_iter().enumerate() {
        out[i] = b'0' + n as u8;
    }
    for (at, part) in [(5, m), (8, d)] {
        out[at] = b'0' + (part / 10) as u8;
        out[at + 1] = b'0' + (part % 10) as u8;
    }
    // ASCII digits and dashes only: always UTF-8.
    f(std::str::from_utf8(&out).unwrap_or_default())
}

/// Parses exactly `YYYY-MM-DD` (a real calendar day), without chrono's format machinery.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

fn write_location(cell: &mut impl FnMut(&str), location: Option<LatLon>) {
    write_degrees(cell, location.map(|p| p.lat));
    write_degrees(cell, location.map(|p| p.lon));
}

fn write_degrees(cell: &mut impl FnMut(&str), degrees: Option<f64>) {
    match degrees {
        Some(x) => with_degrees(x, &mut *cell),
        None => cell(""),
    }
}

/// Hands `x` to `f` as `x.to_string()` writes it (the shortest text that reads back as `x`, never
/// an exponent), through ryu: the standard formatter took nearly a tenth of an import's reading time.
fn with_degrees<R>(x: f64, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format(x);
    let significant = text.bytes().filter(u8::is_ascii_digit).skip_while(|&b| b == b'0').count();
    // Both write the shortest digits, and up to 15 significant digits only one such text exists;
    // beyond, two may, and the two formatters may pick differently. ryu also writes exponents
    // where `Display` does not. In those cases, `Display` it is.
    if significant > 15 || text.contains(['e', 'N', 'i']) {
        return f(&x.to_string());
    }
    f(text.strip_suffix(".0").unwrap_or(text))
}

/// A partner's short code: letters, digits, `-`, `_` or `.`, at most 32 characters.
pub fn is_organization_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_ORGANIZATION
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Reads the cells of one row, collecting every broken rule instead of stopping at the first.
struct RowParser<'a> {
    columns: &'a [(&'a str, bool)],
    values: &'a [Option<&'a str>],
    errors: Vec<FieldError>,
}

/// The longest identifier, in characters.
pub const MAX_IDENTIFIER: usize = 128;
/// The longest organisation code, in characters (all ASCII).
pub const MAX_ORGANIZATION: usize = 32;

impl<'a> RowParser<'a> {
    fn new(columns: &'a [(&'a str, bool)], values: &'a [Option<&'a str>]) -> Self {
        RowParser { columns, values, errors: Vec::new() }
    }

    fn value(&self, i: usize) -> Option<&'a str> {
        self.values.get(i).copied().flatten()
    }

    /// Records a broken rule on column `i` and returns `None`, so callers can `return p.error(..)`.
    fn error<T>(&mut self, i: usize, rule: Rule, expected: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError {
            column: self.columns[i].0.to_owned(),
            value: self.value(i).unwrap_or("").to_owned(),
            expected: expected.into(),
            rule,
        });
        None
    }

    fn required(&mut self, i: usize) -> Option<&'a str> {
        match self.value(i) {
            Some(v) => Some(v),
            None if self.columns[i].1 => self.error(i, Rule::Required, "a value (this column is required)"),
            None => None,
        }
    }

    fn text(&mut self, i: usize) -> Option<String> {
        self.value(i).map(str::to_owned)
    }

    fn identifier(&mut self, i: usize) -> Option<String> {
        let v = self.required(i)?;
        // Control characters in ASCII text are control bytes; other text is read as characters.
        let control =
            if v.is_ascii() { v.bytes().any(|b| b.is_ascii_control()) } else { v.chars().any(char::is_control) };
        if (v.len() > MAX_IDENTIFIER && v.chars().count() > MAX_IDENTIFIER) || control {
            return self.error(
                i,
                Rule::Identifier,
                format!("an identifier of at most {MAX_IDENTIFIER} characters, on one line"),
            );
        }
        Some(v.to_owned())
    }

    fn organization(&mut self, i: usize) -> Option<String> {
        let v = self.required(i)?;
        if !is_organization_code(v) {
            return self.error(
                i,
                Rule::Organization,
                format!(
                    "a partner's short code: letters, digits, '-', '_' or '.', at most {MAX_ORGANIZATION} characters"
                ),
            );
        }
        Some(v.to_owned())
    }

    fn date(&mut self, i: usize, today: NaiveDate) -> Option<NaiveDate> {
        let v = self.required(i)?;
        let parsed = parse_iso_date(v);
        match parsed {
            Some(d) if d <= today => Some(d),
            Some(_) => self.error(i, Rule::NotFuture, format!("a date not in the future (today is {today})")),
            None => self.error(i, Rule::Date, "a date as YYYY-MM-DD, e.g. 2021-11-23"),
        }
    }

    fn lookup<T>(
        &mut self,
        i: usize,
        find: impl FnOnce(&str) -> Option<T>,
        expected: impl FnOnce() -> String,
    ) -> Option<T> {
        let v = self.required(i)?;
        match find(v) {
            Some(found) => Some(found),
            None => self.error(i, Rule::Code, expected()),
        }
    }

    fn commune_only(&mut self, i: usize, catalog: &Catalog) -> Option<CommuneId> {
        let g = &catalog.geography;
        let v = self.required(i)?;
        match g.commune_by_pcode(v) {
            Some(commune) => Some(commune),
            None => self.error(
                i,
                Rule::Commune,
                format!("a commune (admin3) P-code of geography {}, e.g. ML050101", g.name),
            ),
        }
    }

    /// The commune, and the optional region and cercle checked against it.
    fn commune(&mut self, admin1: usize, admin2: usize, admin3: usize, catalog: &Catalog) -> Option<CommuneId> {
        let g = &catalog.geography;
        let commune = self.commune_only(admin3, catalog)?;
        if let Some(region) = self.value(admin1)
            && !g.is_region_of(region, commune)
        {
            {
                let c = g.commune(commune);
                let expected = format!(
                    "the region of commune {}: {} (or reporting region {})",
                    c.unit.pcode,
                    g.admin1[c.admin1 as usize].pcode,
                    g.region(c.region).code
                );
                self.error::<()>(admin1, Rule::NotTheCommunes, expected);
            }
        }
        if let Some(cercle) = self.value(admin2) {
            let expected = &g.cercle_of(commune).unit.pcode;
            if cercle != expected {
                let message = format!("the cercle of commune {}: {expected}", g.commune(commune).unit.pcode);
                self.error::<()>(admin2, Rule::NotTheCommunes, message);
            }
        }
        Some(commune)
    }

    fn location(&mut self, lat: usize, lon: usize) -> Option<LatLon> {
        let number = |p: &mut Self, i: usize, limit: f64, what: &str| -> Option<f64> {
            let v = p.value(i)?;
            // A decimal comma (French spreadsheets) is read as a point.
            let parsed = if v.contains(',') { v.replacen(',', ".", 1).parse::<f64>() } else { v.parse::<f64>() };
            match parsed {
                Ok(n) if n.is_finite() && n.abs() <= limit => Some(n),
                _ => p.error(
                    i,
                    Rule::Coordinate,
                    format!("a {what} in decimal degrees (WGS 84) between -{limit} and {limit}"),
                ),
            }
        };
        let (lat_value, lon_value) = (self.value(lat), self.value(lon));
        let parsed = (number(self, lat, 90.0, "latitude"), number(self, lon, 180.0, "longitude"));
        match parsed {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => {
                if lat_value.is_some() != lon_value.is_some() {
                    let missing = if lat_value.is_some() { lon } else { lat };
                    self.error::<()>(missing, Rule::BothCoordinates, "latitude and longitude together, or neither");
                }
                None
            }
        }
    }

    fn whole_number(&mut self, i: usize) -> Option<u32> {
        let v = self.value(i)?;
        match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => self.error(i, Rule::WholeNumber, "a whole number, 0 or more"),
        }
    }
}

/// The kind of record a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Violations,
    Alerts,
    RiskAnswers,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [RecordKind::Violations, RecordKind::Alerts, RecordKind::RiskAnswers];

    /// The name imports and the audit log use (`vigie import violations|alerts|risk`).
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Violations => "violations",
            RecordKind::Alerts => "alerts",
            RecordKind::RiskAnswers => "risk",
        }
    }

    /// Its table, and the audit log's entity name.
    pub fn table(self) -> &'static str {
        match self {
            RecordKind::Violations => "violations",
            RecordKind::Alerts => "alerts",
            RecordKind::RiskAnswers => "risk_answers",
        }
    }
}

/// A record of any kind, so that what is the same for violations, flash alerts and risk
/// answers — parsing an exchange-format row, reading one back, writing one through the API,
/// scoping it to its organisation — is written once.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Violation(Violation),
    Alert(Alert),
    RiskAnswer(RiskAnswer),
}

/// The columns of a kind's exchange format (DATA-FORMATS.md), in file order.
pub fn schema(kind: RecordKind, catalog: &Catalog) -> Schema {
    match kind {
        RecordKind::Violations => violation_schema(),
        RecordKind::Alerts => alert_schema(),
        RecordKind::RiskAnswers => risk_answer_schema(catalog),
    }
}

impl Record {
    /// Parses a row aligned with [`schema`] with the import's rules.
    pub fn parse(
        kind: RecordKind,
        values: &[Option<&str>],
        catalog: &Catalog,
        today: NaiveDate,
    ) -> std::result::Result<Record, Vec<FieldError>> {
        Ok(match kind {
            RecordKind::Violations => Record::Violation(Violation::parse(values, catalog, today)?),
            RecordKind::Alerts => Record::Alert(Alert::parse(values, catalog, today)?),
            RecordKind::RiskAnswers => Record::RiskAnswer(RiskAnswer::parse(values, catalog, today)?),
        })
    }

    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Violation(_) => RecordKind::Violations,
            Record::Alert(_) => RecordKind::Alerts,
            Record::RiskAnswer(_) => RecordKind::RiskAnswers,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Violation(v) => &v.id,
            Record::Alert(a) => &a.id,
            Record::RiskAnswer(r) => &r.id,
        }
    }

    /// The partner organisation that documented it: the unit of record scoping.
    pub fn organization(&self) -> &str {
        match self {
            Record::Violation(v) => &v.organization,
            Record::Alert(a) => &a.organization,
            Record::RiskAnswer(r) => &r.organization,
        }
    }

    pub fn commune(&self) -> CommuneId {
        match self {
            Record::Violation(v) => v.commune,
            Record::Alert(a) => a.commune,
            Record::RiskAnswer(r) => r.commune,
        }
    }

    /// The days it covers: the incident's or alert's date, or a risk answer's whole month.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Record::Violation(v) => (v.incident_date, v.incident_date),
            Record::Alert(a) => (a.date, a.date),
            Record::RiskAnswer(r) => (r.month.first_day(), r.month.last_day()),
        }
    }

    /// The record as a row of its exchange format, aligned with [`schema`].
    pub fn fields(&self, catalog: &Catalog) -> Vec<String> {
        match self {
            Record::Violation(v) => v.fields(catalog),
            Record::Alert(a) => a.fields(catalog),
            Record::RiskAnswer(r) => r.fields(catalog),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog whose version 2, from December 2021, no longer asks Q15.
    fn catalog_without_q15_from_december() -> Catalog {
        let mut catalog = Catalog::builtin().clone();
        let questions: String = crate::catalog::embedded("spec/risk_index.csv")
            .lines()
            .filter(|l| !l.starts_with("Q15"))
            .fold(String::new(), |mut text, line| {
                text.push_str(line);
                text.push('\n');
                text
            });
        let levels = "level,min_points,max_points,label_fr,label_en\n1,0,5,S,S\n2,6,14,M,M\n3,15,19,G,G\n4,20,28,C,C\n";
        let definition = crate::RiskDefinition::parse("q.csv", &questions, "l.csv", levels).expect("definition");
        catalog.risk.add(crate::RiskVersion { version: 2, from: Month::new(2021, 12), definition });
        catalog
    }

    #[test]
    fn risk_answers_follow_the_definition_of_their_month() {
        let catalog = catalog_without_q15_from_december();
        let schema = risk_answer_schema(&catalog);
        let q15 = schema.columns.iter().position(|c| c.name == "Q15").expect("Q15 is still a column");
        assert!(!schema.columns[q15].required, "only some versions ask it");
        let today = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date");
        let row = |month: &'static str| -> Vec<Option<&'static str>> {
            let mut values = vec![Some("R-1"), Some(month), Some("ML040503")];
            values.extend(std::iter::repeat_n(Some("NONE"), 14));
            values[3 + 2] = Some("NO"); // Q03
            values[3 + 6] = Some("NO"); // Q07
            values[3 + 9] = Some("NORMAL"); // Q10
            values[3 + 10] = Some("FREE"); // Q11
            values[3 + 11] = Some("PRESENT"); // Q12
            values[3 + 12] = Some("EFFECTIVE"); // Q13
            values[3 + 13] = Some("AVAILABLE"); // Q14
            values.push(None); // Q15
            values.push(Some("DRC"));
            values
        };
        let december = RiskAnswer::parse(&row("2021-12"), &catalog, today).expect("December does not ask Q15");
        assert_eq!(december.options.len(), 14);
        assert_eq!(december.fields(&catalog)[q15], "", "written back with Q15 empty");
        let errors = RiskAnswer::parse(&row("2021-11"), &catalog, today).expect_err("November asks Q15");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, "Q15");
        assert!(errors[0].expected.contains("version 1"), "{}", errors[0].expected);
    }

    #[test]
    fn every_violation_column_sits_at_its_position_and_lists_follow_their_kinds() {
        let columns: Vec<ViolationColumn> = ViolationColumn::all().collect();
        for (i, column) in columns.iter().enumerate() {
            assert_eq!(column.position(), i, "{column:?}");
        }
        assert_eq!(violation_schema().columns.len(), columns.len());
        for kind in ListKind::ALL {
            assert_eq!(columns[ViolationColumn::Code(kind).position()].name(), kind.column());
        }
    }

    #[test]
    fn iso_dates_round_trip_and_bad_ones_are_refused() {
        let d = NaiveDate::from_ymd_opt(2021, 3, 9).expect("date");
        assert_eq!(iso_date(d), "2021-03-09");
        assert_eq!(parse_iso_date("2021-03-09"), Some(d));
        for bad in ["2021-02-29", "2021-13-01", "2021-1-01", "21-01-01x", "2021/01/01", "２０２１-01-01", "+021-01-01"]
        {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        assert_eq!(parse_iso_date("2024-02-29").map(iso_date), Some("2024-02-29".into()));
    }

    proptest::proptest! {
        /// Stored coordinates must read exactly as `to_string` wrote them before (re-imports
        /// compare stored text): any coordinate, any finite number, and the odd ones below.
        #[test]
        fn degrees_are_written_as_display_writes_them(lat in -90.0f64..=90.0, any in proptest::num::f64::ANY) {
            for x in [lat, any, any / 1e9, lat.round(), lat * 1e-7] {
                let written = with_degrees(x, str::to_owned);
                proptest::prop_assert_eq!(&written, &x.to_string());
            }
        }
    }

    #[test]
    fn odd_degrees_are_written_as_display_writes_them() {
        // 980176570689692.3: ryu writes …692.2, as short and as exact.
        let odd =
            [0.0, -0.0, 1e-7, -1e-5, 1e-4, 14.0, -180.0, 1e16, 1e21, 980176570689692.3, f64::MIN_POSITIVE, f64::NAN];
        for x in odd {
            assert_eq!(with_degrees(x, str::to_owned), x.to_string(), "{x:?}");
        }
    }
}
