//! Real XLSForms read back: the REACH MSNA 2024 tool (bilingual labels, a P-code location
//! cascade, repeat groups) and Vigie's own form, written then read.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use vigie_core::Catalog;
use vigie_kobo::form::XlsForm;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/it/fixtures/kobo").join(name)
}

#[test]
fn the_msna_tools_cascade_labels_and_repeats_are_read() {
    let form = XlsForm::read(&fixture("reach_msna_2024_kobo_tool_draft_v11.xlsx")).unwrap();
    let questions = form.questions();
    let question = |name: &str| questions.iter().find(|q| q.name == name).unwrap_or_else(|| panic!("{name}"));
    let admin2 = question("admin2");
    assert_eq!((admin2.kind.as_str(), admin2.list.as_deref()), ("select_one", Some("l_admin2")));
    assert_eq!(admin2.choice_filter.as_deref(), Some("filter_admin1=${admin1}"));
    assert_eq!(question("admin3").choice_filter.as_deref(), Some("filter_admin2=${admin2}"));
    // Bilingual: `label::english` and `label::french`.
    let consent = question("consent");
    assert_eq!(consent.labels.len(), 2, "{:?}", consent.labels);
    assert_ne!(consent.labels[0], consent.labels[1]);
    // Repeat groups: a roster member's questions are in `roster`.
    assert_eq!(question("ind_age").repeat.as_deref(), Some("roster"));
    let choices = form.choices();
    let admin3: Vec<_> = choices.iter().filter(|c| c.list == "l_admin3").collect();
    assert!(admin3.len() >= 4 && admin3[0].labels.len() == 2, "{admin3:?}");
}

#[test]
fn vigies_own_form_reads_back_with_its_cascade_and_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.xlsx");
    let catalog = Catalog::builtin();
    XlsForm::vigie(catalog).write(&path).unwrap();
    let form = XlsForm::read(&path).unwrap();
    assert_eq!(form.id(), Some("vigie_violations"));
    let questions = form.questions();
    let admin3 = questions.iter().find(|q| q.name == "admin3").unwrap();
    assert_eq!(admin3.choice_filter.as_deref(), Some("filter_admin2=${admin2}"));
    assert_eq!(admin3.labels, ["Commune", "Commune"], "French and English");
    let violations = questions.iter().find(|q| q.name == "violations").unwrap();
    assert_eq!((violations.kind.as_str(), violations.repeat.as_deref()), ("select_multiple", Some("victims")));
    let choices = form.choices();
    assert_eq!(choices.iter().filter(|c| c.list == "l_admin3").count(), catalog.geography.communes.len());
    assert_eq!(choices.iter().filter(|c| c.list == "subtype").count(), catalog.typology.subtypes.len());
}
