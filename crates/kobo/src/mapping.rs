//! A mapping: which form field feeds which violation column, and which choice is which code.
//! Vigie's own form has one built in; `vigie mapping init` writes a starting one for any form.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};
use vigie_core::{Catalog, ListKind};
use vigie_place::fold;

use crate::KoboError;
use crate::form::{Question, VIGIE_FORM_ID, XlsForm};

/// What a mapping can feed: the violation columns a form can give, plus the place inputs that
/// are placed like `vigie locate` (admin names or P-codes, a village, a GPS point).
pub const TARGETS: [(&str, &str); 21] = [
    ("submission_id", "the submission's stable id [default: meta/rootUuid, _uuid, KEY or meta/instanceID]"),
    ("incident_date", "the incident's date"),
    ("report_date", "the report's date"),
    ("admin1", "the region: P-code or name"),
    ("admin2", "the cercle: P-code or name"),
    ("admin3", "the commune: P-code or name"),
    ("locality", "the village or place"),
    ("gps", "a geopoint: `latitude longitude [altitude accuracy]`"),
    ("latitude", "the latitude, when not a geopoint"),
    ("longitude", "the longitude, when not a geopoint"),
    ("violation_code", "the violations: a select_multiple of subtypes gives one violation per choice"),
    ("perpetrator_code", "the alleged perpetrator"),
    ("place_code", "the place"),
    ("time_slot_code", "the time of day"),
    ("victim_sex", "the victim's sex"),
    ("victim_age_group", "the victim's age group"),
    ("victim_occupation", "the victim's occupation"),
    ("victim_population", "the victim's displacement status"),
    ("organization", "the partner organisation's code"),
    ("narrative", "the narrative"),
    ("victims", "the repeat group of victims [default: the one holding the victim fields]"),
];

/// The place targets whose choices may be mapped to P-codes.
pub const ADMIN: [&str; 3] = ["admin1", "admin2", "admin3"];

/// The code list a coded target takes its codes from (`None`: the typology's subtypes).
pub fn coded(target: &str) -> Option<Option<ListKind>> {
    if target == "violation_code" {
        return Some(None);
    }
    ListKind::ALL.into_iter().find(|k| k.column() == target).map(Some)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSection {
    /// The form's `form_id`: violation ids start with it, and `--sync` deletes only the earlier
    /// rows of this form.
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub form: FormSection,
    /// Target (see [`TARGETS`]) → the form field's name (without its group path).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Target → one value for every submission (an organisation's code, say).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<String, String>,
    /// Coded target → a form choice (its name or label) → the Vigie code. A value not listed is
    /// taken as a code, or matched against the codes' labels. `admin1`, `admin2` and `admin3`
    /// take a choice → P-code table too.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub choices: BTreeMap<String, BTreeMap<String, String>>,
}

impl Mapping {
    /// The mapping of Vigie's own form: its fields are named after the columns and its choices
    /// are Vigie's codes.
    pub fn vigie() -> Mapping {
        let pairs = [
            ("incident_date", "incident_date"),
            ("report_date", "report_date"),
            ("admin1", "admin1"),
            ("admin2", "admin2"),
            ("admin3", "admin3"),
            ("locality", "locality"),
            ("gps", "gps"),
            ("violation_code", "violations"),
            ("organization", "organization"),
            ("narrative", "narrative"),
            ("victims", crate::form::VICTIMS),
        ];
        let mut fields: BTreeMap<String, String> =
            pairs.iter().map(|(t, f)| ((*t).to_owned(), (*f).to_owned())).collect();
        for kind in ListKind::ALL {
            fields.insert(kind.column().to_owned(), kind.name().to_owned());
        }
        Mapping { form: FormSection { id: VIGIE_FORM_ID.to_owned() }, fields, ..Mapping::default() }
    }

    /// Reads a mapping file (TOML) and checks its targets.
    pub fn parse(file: &str, text: &str) -> Result<Mapping, KoboError> {
        let error = |message: String| KoboError::Mapping { file: file.to_owned(), message };
        let mapping: Mapping = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        let known = |t: &str| TARGETS.iter().any(|(name, _)| *name == t);
        for target in mapping.fields.keys().chain(mapping.constants.keys()) {
            if !known(target) {
                let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
                return Err(error(format!("unknown target `{target}`: expected one of {}", names.join(", "))));
            }
        }
        for target in mapping.choices.keys() {
            if coded(target).is_none() && !ADMIN.contains(&target.as_str()) {
                return Err(error(format!("`[choices.{target}]`: `{target}` takes no codes")));
            }
        }
        if mapping.form.id.trim().is_empty() {
            return Err(error("`[form] id` is empty: name the form (its form_id)".into()));
        }
        Ok(mapping)
    }

    /// The mapping as a TOML file.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// What `vigie mapping init` found in a form: a starting mapping, and what it could not match.
pub struct Draft {
    pub mapping: Mapping,
    pub unmatched_targets: Vec<&'static str>,
    pub unmatched_fields: Vec<String>,
    /// `(target, choice name)` for every choice of a mapped select that matched no code.
    pub unmatched_choices: Vec<(String, String)>,
}

/// Words that say which target a question is: compared with its folded name and labels.
const HINTS: [(&str, &[&str]); 18] = [
    ("incident_date", &["incident date", "date incident", "date of incident", "date de l incident", "incident_date"]),
    ("report_date", &["report date", "date du rapport", "date of report", "report_date", "date de rapport"]),
    ("admin1", &["admin1", "region", "région"]),
    ("admin2", &["admin2", "cercle", "province", "district", "department", "departement"]),
    ("admin3", &["admin3", "commune"]),
    ("locality", &["locality", "localite", "village", "lieu dit"]),
    ("violation_code", &["violation", "violations", "type of violation", "type de violation", "incident type"]),
    ("perpetrator_code", &["perpetrator", "auteur", "auteur presume", "alleged perpetrator"]),
    ("place_code", &["place", "lieu", "place of incident"]),
    ("time_slot_code", &["time slot", "moment", "time of day", "time_slot"]),
    ("victim_sex", &["sex", "sexe", "gender", "genre"]),
    ("victim_age_group", &["age group", "age", "tranche d age", "age_group"]),
    ("victim_occupation", &["occupation", "profession"]),
    ("victim_population", &["population", "displacement status", "statut", "population group"]),
    ("organization", &["organization", "organisation", "partner", "partenaire"]),
    ("narrative", &["narrative", "recit", "description", "comments"]),
    ("gps", &["gps", "geopoint", "location gps", "coordinates"]),
    ("latitude", &["latitude", "lat"]),
];

/// A starting mapping for an XLSForm: each target gets the question whose name or label
/// matches it (by folded word), each mapped select's choices are matched to codes by name,
/// label or P-code. What stays unmatched is listed for the IM officer to finish by hand.
pub fn init(form: &XlsForm, catalog: &Catalog) -> Draft {
    let questions: Vec<Question> = form
        .questions()
        .into_iter()
        .filter(|q| !matches!(q.kind.as_str(), "start" | "end" | "today" | "note" | "calculate" | "deviceid"))
        .collect();
    let choices = form.choices();
    let mut mapping =
        Mapping { form: FormSection { id: form.id().unwrap_or("FORM_ID").to_owned() }, ..Mapping::default() };
    let mut used: Vec<&str> = Vec::new();
    let matches = |q: &Question, words: &[&str]| {
        let names = std::iter::once(&q.name).chain(&q.labels).map(|n| fold(n)).collect::<Vec<_>>();
        words.iter().map(|w| fold(w)).any(|w| names.iter().any(|n| *n == w || n.split(' ').eq(w.split(' '))))
    };
    for (target, words) in HINTS {
        let found = questions
            .iter()
            .filter(|q| !used.contains(&q.name.as_str()) && q.kind != "begin_repeat" && q.kind != "begin")
            .find(|q| {
                matches(q, words)
                    && (target != "gps" || q.kind == "geopoint")
                    && (coded(target).is_none() || q.kind.starts_with("select"))
            });
        if let Some(q) = found {
            used.push(&q.name);
            mapping.fields.insert(target.to_owned(), q.name.clone());
        }
    }
    // A geopoint is the GPS point whatever its name.
    if !mapping.fields.contains_key("gps")
        && let Some(q) = questions.iter().find(|q| q.kind == "geopoint")
    {
        used.push(&q.name);
        mapping.fields.insert("gps".into(), q.name.clone());
    }
    let victims = questions.iter().filter(|q| q.kind.starts_with("begin") && q.kind.contains("repeat")).find(|r| {
        ["victim_sex", "violation_code"].iter().any(|t| {
            mapping
                .fields
                .get(*t)
                .is_some_and(|f| questions.iter().any(|q| &q.name == f && q.repeat.as_ref() == Some(&r.name)))
        })
    });
    if let Some(r) = victims {
        used.push(&r.name);
        mapping.fields.insert("victims".into(), r.name.clone());
    }

    let mut unmatched_choices = Vec::new();
    for (target, field) in mapping.fields.clone() {
        let Some(list) = coded(&target) else { continue };
        let Some(question) = questions.iter().find(|q| q.name == field) else { continue };
        let Some(list_name) = &question.list else { continue };
        let codes: Vec<(String, Vec<String>)> = match list {
            None => catalog.typology.subtypes.iter().map(|s| (s.code.clone(), label_texts(&s.label))).collect(),
            Some(kind) => {
                catalog.lists.get(kind).codes.iter().map(|c| (c.code.clone(), label_texts(&c.label))).collect()
            }
        };
        let mut table = BTreeMap::new();
        for choice in choices.iter().filter(|c| &c.list == list_name) {
            let names: Vec<String> = std::iter::once(&choice.name).chain(&choice.labels).map(|n| fold(n)).collect();
            let code = codes
                .iter()
                .find(|(code, labels)| names.iter().any(|n| *n == fold(code) || labels.iter().any(|l| fold(l) == *n)));
            match code {
                Some((code, _)) if code != &choice.name => {
                    table.insert(choice.name.clone(), code.clone());
                }
                Some(_) => {}
                None => unmatched_choices.push((target.clone(), choice.name.clone())),
            }
        }
        if !table.is_empty() {
            mapping.choices.insert(target, table);
        }
    }
    // The place cascade: each choice a P-code of its level, else a unit's name.
    let geography = &catalog.geography;
    for (level, target) in ADMIN.iter().enumerate() {
        let Some(question) = mapping.fields.get(*target).and_then(|f| questions.iter().find(|q| &q.name == f)) else {
            continue;
        };
        let Some(list_name) = &question.list else { continue };
        let units: Vec<&vigie_core::geography::Unit> = match level {
            0 => geography.admin1.iter().collect(),
            1 => geography.cercles.iter().map(|c| &c.unit).collect(),
            _ => geography.communes.iter().map(|c| &c.unit).collect(),
        };
        let mut table = BTreeMap::new();
        for choice in choices.iter().filter(|c| &c.list == list_name) {
            if units.iter().any(|u| u.pcode.eq_ignore_ascii_case(&choice.name)) {
                continue;
            }
            let named = units.iter().find(|u| {
                let name = fold(&u.name);
                std::iter::once(&choice.name).chain(&choice.labels).any(|l| fold(l) == name)
            });
            match named {
                Some(unit) => {
                    table.insert(choice.name.clone(), unit.pcode.clone());
                }
                None => unmatched_choices.push(((*target).to_owned(), choice.name.clone())),
            }
        }
        if !table.is_empty() {
            mapping.choices.insert((*target).to_owned(), table);
        }
    }
    let required = [
        "incident_date",
        "admin3",
        "violation_code",
        "perpetrator_code",
        "place_code",
        "time_slot_code",
        "victim_sex",
        "victim_age_group",
        "victim_occupation",
        "victim_population",
        "organization",
    ];
    let unmatched_targets = required
        .into_iter()
        .filter(|t| !(mapping.fields.contains_key(*t) || *t == "admin3" && mapping.fields.contains_key("gps")))
        .collect();
    let unmatched_fields = questions
        .iter()
        .filter(|q| !used.contains(&q.name.as_str()) && !q.kind.starts_with("begin") && !q.name.is_empty())
        .map(|q| format!("{} ({}{})", q.name, q.kind, q.list.as_deref().map(|l| format!(" {l}")).unwrap_or_default()))
        .collect();
    Draft { mapping, unmatched_targets, unmatched_fields, unmatched_choices }
}

fn label_texts(label: &vigie_core::reference::Label) -> Vec<String> {
    label.texts().map(str::to_owned).collect()
}

impl Draft {
    /// The mapping file, with what is unmatched as comments at its top.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Vigie mapping, written by `vigie mapping init`: check it, then finish what is listed here.\n",
        );
        let mut list = |title: &str, items: &[String]| {
            if !items.is_empty() {
                let _ = writeln!(out, "#\n# {title}:");
                for item in items {
                    let _ = writeln!(out, "#   {item}");
                }
            }
        };
        list(
            "Required columns no field was found for (map them in [fields] or [constants])",
            &self.unmatched_targets.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>(),
        );
        list("Form fields not mapped", &self.unmatched_fields);
        list(
            "Choices that match no code (map them in [choices.<column>])",
            &self.unmatched_choices.iter().map(|(t, c)| format!("{t}: {c}")).collect::<Vec<_>>(),
        );
        out.push('\n');
        out.push_str(&self.mapping.to_toml());
        out
    }
}
