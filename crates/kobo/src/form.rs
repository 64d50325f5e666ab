//! XLSForms: Vigie's own protection-monitoring form, written from the catalog, and any form's
//! `survey` and `choices` sheets read back (for `vigie mapping init`).

use std::path::Path;

use vigie_core::{Catalog, ListKind};
use vigie_i18n::Lang;

use crate::KoboError;
use crate::table::{Row, Sheet, read_xlsx};

/// The `form_id` of Vigie's own form: its exports need no mapping, and `--sync` deletes only
/// the earlier rows of this form.
pub const VIGIE_FORM_ID: &str = "vigie_violations";

/// The form's version: a new one each time its questions change.
pub const VIGIE_FORM_VERSION: &str = "2026.12";

/// The repeat group of Vigie's form: one entry per victim.
pub const VICTIMS: &str = "victims";

/// An XLSForm as its three sheets.
#[derive(Debug, Clone)]
pub struct XlsForm {
    pub survey: Sheet,
    pub choices: Sheet,
    pub settings: Sheet,
}

/// One question of a form's `survey` sheet, as `mapping init` needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// `select_one`, `select_multiple`, `text`, `date`, `geopoint`, `begin_repeat`, …
    pub kind: String,
    /// The choice list of a select.
    pub list: Option<String>,
    pub name: String,
    /// Its labels, every language.
    pub labels: Vec<String>,
    /// The repeat group it is in, if any.
    pub repeat: Option<String>,
    /// Its `choice_filter` (a cascade: `filter_admin1=${admin1}`), if any.
    pub choice_filter: Option<String>,
}

/// One choice of a form's `choices` sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub list: String,
    pub name: String,
    pub labels: Vec<String>,
}

impl XlsForm {
    /// Vigie's own form, labelled in every language of the catalogs: the typology, the code
    /// lists and the region → cercle → commune cascade by P-code, victims in a repeat group.
    pub fn vigie(catalog: &Catalog) -> XlsForm {
        let langs = Lang::all();
        let language = |lang: Lang| lang.text("form-language");
        let labelled = |prefix: &str| langs.iter().map(|&l| format!("{prefix}::{}", language(l))).collect::<Vec<_>>();
        let mut survey_header: Vec<String> = ["type", "name"].map(str::to_owned).to_vec();
        survey_header.extend(labelled("label"));
        survey_header.extend(labelled("hint"));
        survey_header.extend(["required", "constraint"].map(str::to_owned));
        survey_header.extend(labelled("constraint_message"));
        survey_header.extend(["choice_filter", "appearance"].map(str::to_owned));
        let mut survey = Sheet::new("survey", survey_header);
        let texts =
            |id: Option<&str>| langs.iter().map(|l| id.map(|id| l.text(id)).unwrap_or_default()).collect::<Vec<_>>();
        let mut question = |kind: &str, name: &str, label: Option<&str>, q: Q<'_>| {
            let mut row = vec![kind.to_owned(), name.to_owned()];
            row.extend(texts(label));
            row.extend(texts(q.hint));
            row.extend([if q.required { "yes" } else { "" }, q.constraint].map(str::to_owned));
            row.extend(texts(q.message));
            row.extend([q.choice_filter, q.appearance].map(str::to_owned));
            survey.push(row);
        };
        let required = Q { required: true, ..Q::default() };
        for meta in ["start", "end", "today"] {
            question(meta, meta, None, Q::default());
        }
        question("begin_group", "incident", Some("form-incident"), Q::default());
        let not_future = Q { constraint: ". <= today()", message: Some("rule-not-future"), ..required };
        question("date", "incident_date", Some("field-incident_date"), not_future);
        let report = Q {
            required: false,
            constraint: ". >= ${incident_date} and . <= today()",
            message: Some("rule-before-incident"),
            ..Q::default()
        };
        question("date", "report_date", Some("field-report_date"), report);
        question("select_one l_admin1", "admin1", Some("field-admin1_pcode"), Q { appearance: "minimal", ..required });
        let cascade = |filter| Q { choice_filter: filter, appearance: "minimal", ..required };
        question("select_one l_admin2", "admin2", Some("field-admin2_pcode"), cascade("filter_admin1=${admin1}"));
        question("select_one l_admin3", "admin3", Some("field-admin3_pcode"), cascade("filter_admin2=${admin2}"));
        question("text", "locality", Some("field-locality"), Q::default());
        question("geopoint", "gps", Some("form-gps"), Q::default());
        for kind in [ListKind::Perpetrator, ListKind::Place, ListKind::TimeSlot] {
            question(&format!("select_one {}", kind.name()), kind.name(), Some(&field_message(kind)), required);
        }
        let organization = Q {
            hint: Some("form-organization-hint"),
            constraint: "regex(., '^[A-Za-z0-9._-]{1,32}$')",
            message: Some("rule-organization"),
            ..required
        };
        question("text", "organization", Some("field-organization"), organization);
        let narrative = Q { hint: Some("form-narrative-hint"), appearance: "multiline", ..Q::default() };
        question("text", "narrative", Some("field-narrative"), narrative);
        question("end_group", "", None, Q::default());
        question("begin_repeat", VICTIMS, Some("form-victims"), Q::default());
        for kind in [ListKind::Sex, ListKind::AgeGroup, ListKind::Occupation, ListKind::Population] {
            question(&format!("select_one {}", kind.name()), kind.name(), Some(&field_message(kind)), required);
        }
        let violations = Q { hint: Some("form-violations-hint"), ..required };
        question("select_multiple subtype", "violations", Some("form-violations"), violations);
        question("end_repeat", "", None, Q::default());

        let mut choices_header: Vec<String> = ["list_name", "name"].map(str::to_owned).to_vec();
        choices_header.extend(labelled("label"));
        choices_header.extend(["filter_admin1", "filter_admin2"].map(str::to_owned));
        let mut choices = Sheet::new("choices", choices_header);
        let mut choice = |list: &str, name: &str, labels: Vec<String>, filters: [&str; 2]| {
            let mut row = vec![list.to_owned(), name.to_owned()];
            row.extend(labels);
            row.extend(filters.map(str::to_owned));
            choices.push(row);
        };
        let same = |name: &str| langs.iter().map(|_| name.to_owned()).collect::<Vec<_>>();
        let geography = &catalog.geography;
        for unit in &geography.admin1 {
            choice("l_admin1", &unit.pcode, same(&unit.name), ["", ""]);
        }
        for cercle in &geography.cercles {
            let admin1 = &geography.admin1[cercle.admin1 as usize].pcode;
            choice("l_admin2", &cercle.unit.pcode, same(&cercle.unit.name), [admin1, ""]);
        }
        for commune in &geography.communes {
            let (admin1, cercle) =
                (&geography.admin1[commune.admin1 as usize].pcode, &geography.cercles[commune.cercle as usize]);
            choice("l_admin3", &commune.unit.pcode, same(&commune.unit.name), [admin1, &cercle.unit.pcode]);
        }
        for kind in ListKind::ALL {
            for code in &catalog.lists.get(kind).codes {
                choice(
                    kind.name(),
                    &code.code,
                    langs.iter().map(|l| code.label.get(l.code()).to_owned()).collect(),
                    ["", ""],
                );
            }
        }
        for subtype in &catalog.typology.subtypes {
            let labels = langs.iter().map(|l| format!("{} — {}", subtype.code, subtype.label.get(l.code()))).collect();
            choice("subtype", &subtype.code, labels, ["", ""]);
        }

        let mut settings_header: Vec<String> =
            ["form_title", "form_id", "version", "default_language"].map(str::to_owned).to_vec();
        settings_header.push("allow_choice_duplicates".to_owned());
        let mut settings = Sheet::new("settings", settings_header);
        let default = Lang::default();
        settings.push([
            default.text("form-title"),
            VIGIE_FORM_ID.to_owned(),
            VIGIE_FORM_VERSION.to_owned(),
            language(default),
            "yes".to_owned(),
        ]);
        XlsForm { survey, choices, settings }
    }

    /// Reads an XLSForm's `survey`, `choices` and (if any) `settings` sheets.
    pub fn read(path: &Path) -> Result<XlsForm, KoboError> {
        let mut sheets = read_xlsx(path, false, &crate::bounds::Limits::LOCAL)?;
        let mut take =
            |name: &str| sheets.iter().position(|s| s.name.eq_ignore_ascii_case(name)).map(|i| sheets.swap_remove(i));
        let file = path.display().to_string();
        let missing = |sheet: &str| KoboError::Form {
            file: file.clone(),
            message: format!("no `{sheet}` sheet: is it an XLSForm?"),
        };
        let survey = take("survey").ok_or_else(|| missing("survey"))?;
        let choices = take("choices").ok_or_else(|| missing("choices"))?;
        let settings = take("settings").unwrap_or_else(|| Sheet::new("settings", Vec::new()));
        Ok(XlsForm { survey, choices, settings })
    }

    /// Writes the form as an `.xlsx` file, the format KoBoToolbox and ODK Central take.
    pub fn write(&self, path: &Path) -> Result<(), KoboError> {
        let error = |e: rust_xlsxwriter::XlsxError| KoboError::Write {
            file: path.display().to_string(),
            message: e.to_string(),
        };
        let mut book = rust_xlsxwriter::Workbook::new();
        for sheet in [&self.survey, &self.choices, &self.settings] {
            let ws = book.add_worksheet();
            ws.set_name(&sheet.name).map_err(error)?;
            let rows = std::iter::once(Row::new(&sheet.header)).chain(sheet.rows.iter().cloned());
            for (r, row) in rows.enumerate() {
                for (c, cell) in row.cells().enumerate().filter(|(_, cell)| !cell.is_empty()) {
                    ws.write_string(r as u32, c as u16, cell).map_err(error)?;
                }
            }
        }
        book.save(path).map_err(error)
    }

    /// The form's `form_id` setting, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.settings
            .column("form_id")
            .and_then(|c| self.settings.rows.first().map(|r| &r[c]))
            .filter(|v| !v.is_empty())
    }

    /// The survey's questions, with the repeat group each is in (groups are flattened: export
    /// columns are matched by a field's own name).
    pub fn questions(&self) -> Vec<Question> {
        let sheet = &self.survey;
        let (Some(kind), Some(name)) = (sheet.column("type"), sheet.column("name")) else { return Vec::new() };
        let labels = sheet.columns_starting("label");
        let filter = sheet.column("choice_filter");
        let mut repeats: Vec<String> = Vec::new();
        let mut questions = Vec::new();
        for row in &sheet.rows {
            let mut words = row[kind].split_whitespace();
            let Some(first) = words.next() else { continue };
            let list = words.next().map(str::to_owned);
            match first {
                "end_repeat" | "end repeat" => {
                    repeats.pop();
                }
                "begin_group" | "end_group" | "begin group" | "end group" => {}
                _ => {
                    let question = Question {
                        kind: first.to_owned(),
                        list,
                        name: row[name].trim().to_owned(),
                        labels: labels.iter().map(|&c| row[c].trim().to_owned()).filter(|l| !l.is_empty()).collect(),
                        repeat: repeats.last().cloned(),
                        choice_filter: filter.map(|c| row[c].trim().to_owned()).filter(|f| !f.is_empty()),
                    };
                    if matches!(first, "begin_repeat" | "begin repeat") {
                        repeats.push(question.name.clone());
                    }
                    questions.push(question);
                }
            }
        }
        questions
    }

    /// Every choice of the `choices` sheet.
    pub fn choices(&self) -> Vec<Choice> {
        let sheet = &self.choices;
        let (Some(list), Some(name)) = (sheet.column("list_name"), sheet.column("name")) else { return Vec::new() };
        let labels = sheet.columns_starting("label");
        sheet
            .rows
            .iter()
            .filter(|row| !row[list].trim().is_empty())
            .map(|row| Choice {
                list: row[list].trim().to_owned(),
                name: row[name].trim().to_owned(),
                labels: labels.iter().map(|&c| row[c].trim().to_owned()).filter(|l| !l.is_empty()).collect(),
            })
            .collect()
    }
}

/// The catalog message naming a code list's violation column (`field-victim_sex`, …).
fn field_message(kind: ListKind) -> String {
    format!("field-{}", kind.column())
}

/// A question's settings besides its type, name and label.
#[derive(Debug, Clone, Copy, Default)]
struct Q<'a> {
    hint: Option<&'a str>,
    required: bool,
    constraint: &'a str,
    message: Option<&'a str>,
    choice_filter: &'a str,
    appearance: &'a str,
}
