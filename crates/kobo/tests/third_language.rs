//! A language is data: with a third catalog registered and a label column of its own in every
//! reference file, Vigie's form is labelled in it too, and `mapping init` matches a partner's
//! choices labelled in it alone. Its own test binary: a registered language stays for the whole
//! process.

use vigie_core::Catalog;
use vigie_i18n::Lang;
use vigie_kobo::form::XlsForm;
use vigie_kobo::table::{Row, Sheet};

const CODE: &str = "bm";

fn catalog() -> Catalog {
    Catalog::builtin_with_language(CODE, &|french| format!("[bm] {french}")).expect("a catalog with Bambara")
}

#[test]
fn a_third_language_labels_vigies_form_and_is_matched_by_mapping_init() {
    let french = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/messages/fr.ftl"))
        .expect("the French catalog");
    let third = french.replace("form-language = French (fr)", "form-language = Bamanankan (bm)");
    assert_ne!(third, french);
    Lang::register(CODE, &third).expect("a whole catalog");
    let catalog = catalog();

    // `vigie form write`: a label column in the third language, its texts from its catalog and
    // its reference columns.
    let form = XlsForm::vigie(&catalog);
    let label = form.survey.column("label::Bamanankan (bm)").expect("the survey's third label column");
    assert!(form.survey.rows.iter().any(|r| !r[label].is_empty()), "questions labelled in it");
    let choice_label = form.choices.column("label::Bamanankan (bm)").expect("the choices' third label column");
    let (list, name) = (form.choices.column("list_name").expect("list"), form.choices.column("name").expect("name"));
    let male = form.choices.rows.iter().find(|r| &r[name] == "M").expect("the sex list's M");
    assert_eq!(&male[choice_label], "[bm] Homme");

    // `vigie mapping init`: a partner's choices named c1, c2… and labelled in the third language
    // only are matched to their codes by those labels.
    let sex_list = male[list].to_owned();
    let keep: Vec<usize> = (0..form.choices.header.len())
        .filter(|&c| !form.choices.header[c].starts_with("label") || c == choice_label)
        .collect();
    let mut choices = Sheet::new("choices", keep.iter().map(|&c| form.choices.header[c].clone()).collect());
    let mut expected = std::collections::BTreeMap::new();
    for (i, row) in form.choices.rows.iter().enumerate() {
        let mut cells: Vec<String> = keep.iter().map(|&c| row[c].to_owned()).collect();
        if row[list] == *sex_list {
            let renamed = format!("c{i}");
            expected.insert(renamed.clone(), row[name].to_owned());
            cells[keep.iter().position(|&c| c == name).expect("name kept")] = renamed;
        }
        choices.rows.push(Row::new(cells));
    }
    let partner = XlsForm { survey: form.survey.clone(), choices, settings: form.settings.clone() };
    let draft = vigie_kobo::mapping::init(&partner, &catalog);
    let matched = draft.mapping.choices.get("victim_sex").cloned().unwrap_or_default();
    assert_eq!(matched, expected, "every renamed choice matched by its third-language label");
}
