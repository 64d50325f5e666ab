//! `vigie report`: the PDF shows the seed report's tables, every number of the narrative agrees
//! with `tables.csv`, the HTML is snapshotted, and the public version reveals no small count.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use vigie_core::Month;
use vigie_core::aggregate::Filter;
use vigie_report::{Inputs, Lang};
use vigie_store::{LiveFacts, SqliteStore};

use crate::helpers::*;

fn normalize(text: &str) -> String {
    text.replace(['\u{202F}', '\u{a0}'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_text_shows_both_yearly_tables_with_the_seed_numbers() {
    let dir = demo();
    let pdf = dir.path().join("demo/rapport-2021-11.pdf");
    let out =
        Command::new("pdftotext").args(["-layout", pdf.to_str().expect("path"), "-"]).output().expect("pdftotext runs");
    assert!(out.status.success());
    let text = normalize(&String::from_utf8_lossy(&out.stdout));
    let seed = |name: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/data").join(name)).expect("seed")
    };
    for (name, with_total) in [("category_by_month_2021.csv", false), ("region_by_month_2021.csv", true)] {
        for line in seed(name).lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            // Thousands are written "3 016" in French.
            let numbers: Vec<String> = cells[1..if with_total { 14 } else { 13 }]
                .iter()
                .map(|n| Lang::default().int(n.parse().expect("number")).replace('\u{202F}', " "))
                .collect();
            let expected = numbers.join(" ");
            assert!(text.contains(&expected), "{name}: row {} ({expected}) not in the PDF text", cells[0]);
        }
    }
    assert!(text.contains("Nombre de violations en novembre 2021 : 531"), "{text}");
    assert!(text.contains("52,73 %"), "shares as in the seed report");
    // Charts and maps keep their text as text.
    assert!(text.contains("Source : système de monitoring de protection, novembre 2021"), "chart text searchable");
    assert!(text.contains("Personnes armées non identifiées"), "bar labels searchable");
}

/// `(table, row, column) -> value` of a tables.csv.
type Cells = BTreeMap<(String, String, String), u64>;

/// The demo's November report in `lang`, built as `vigie report` builds it, with the tables.csv
/// cells it was built from.
fn demo_document(dir: &Path, lang: Lang) -> (vigie_report::document::Document, Vec<vigie_report::Claim>, Cells) {
    let store = SqliteStore::open(&dir.join("demo/vigie.db")).expect("open");
    let catalog = &vigie_store::catalog(&store, vigie_core::Catalog::builtin().clone()).expect("catalog");
    let live = LiveFacts::load(&store, catalog).expect("load");
    let month = Month::new(2021, 11).expect("month");
    let (tables, _) =
        vigie_store::month_tables(&store, catalog, &live.facts, month, &Filter::default()).expect("tables");
    let cells = vigie_report::cells(&tables, catalog);
    let (document, claims) = vigie_report::narrative::build(
        &tables,
        catalog,
        &cells,
        lang,
        &Inputs::default(),
        &vigie_report::Annexes::default(),
        None,
    );
    let csv = std::fs::read_to_string(dir.join("demo/tables-2021-11.csv")).expect("tables");
    let table = csv
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            ((c[0].into(), c[1].into(), c[2].into()), c[3].parse().expect("value"))
        })
        .collect();
    (document, claims, table)
}

/// Every claim is the tables.csv cell it names, and every number of every sentence and table
/// cell is, in order, one its own text quotes.
fn check_consistency(dir: &Path, lang: Lang) -> vigie_report::document::Document {
    let (document, claims, table) = demo_document(dir, lang);
    assert!(claims.len() > 100, "the narrative quotes the tables");
    for c in &claims {
        let key = (c.table.clone(), c.row.clone(), c.column.clone());
        assert_eq!(table.get(&key).copied().unwrap_or(0), c.value, "claim {c:?}");
    }
    assert_eq!(vigie_report::consistency::check_document(&document), Vec::<String>::new(), "{lang:?}");
    let texts = document.texts();
    let numbers: usize = texts.iter().map(|t| vigie_report::consistency::numbers(lang, &t.text).len()).sum();
    assert!(numbers > 400, "{numbers} numbers checked in {} texts", texts.len());
    document
}

#[test]
fn every_number_of_the_report_agrees_with_its_own_quotes_in_both_languages() {
    let dir = demo();
    for code in ["fr", "en"] {
        check_consistency(dir.path(), Lang::parse(code).expect("language"));
    }
}

/// The check catches what the old global one let through: two arguments swapped, the previous
/// month's figure, a share with the wrong base.
#[test]
fn the_consistency_check_catches_planted_errors() {
    use vigie_report::document::Quote;
    let dir = demo();
    let lang = Lang::parse("fr").expect("French");
    let document = check_consistency(dir.path(), lang);
    let (_, _, table) = demo_document(dir.path(), lang);
    let check = |text: &vigie_report::document::Text| vigie_report::consistency::check(lang, text);
    let texts = document.texts();

    // The overview: this month's count, then last month's.
    let overview = texts.iter().find(|t| t.text.starts_with("Depuis le début de l'année")).expect("overview");
    let counts: Vec<u64> = overview
        .quotes
        .iter()
        .filter_map(|q| match q {
            Quote::Cell(c) if c.table == "category_by_month" => Some(c.value),
            _ => None,
        })
        .collect();
    let (now, before) = (lang.int(counts[0]), lang.int(counts[1]));
    assert_ne!(now, before);
    let mut swapped = (*overview).clone();
    swapped.text = swapped.text.replacen(&now, "@", 1).replacen(&before, &now, 1).replacen('@', &before, 1);
    assert!(check(&swapped).is_err(), "swapped: {}", swapped.text);

    // A category's paragraph quoting the previous month's count as this month's.
    let category = texts.iter().find(|t| t.text.contains("dans cette catégorie, soit")).expect("category");
    let Some(Quote::Cell(current)) = category.quotes.iter().find(|q| matches!(q, Quote::Cell(_))) else {
        panic!("the paragraph quotes its count")
    };
    let previous_column = Month::parse(&current.column).expect("a month").previous().to_string();
    let previous = table.get(&(current.table.clone(), current.row.clone(), previous_column)).copied().unwrap_or(0);
    assert_ne!(previous, current.value);
    let mut stale = (*category).clone();
    stale.text = stale.text.replacen(
        &format!(", {} violations", lang.int(current.value)),
        &format!(", {} violations", lang.int(previous)),
        1,
    );
    assert_ne!(stale.text, category.text);
    assert!(check(&stale).is_err(), "previous month: {}", stale.text);

    // The same paragraph's share computed over the year instead of the month.
    let Some(Quote::Share { part, whole, decimals }) =
        category.quotes.iter().find(|q| matches!(q, Quote::Share { .. }))
    else {
        panic!("the paragraph quotes a share")
    };
    let year = table[&("region_by_month".to_owned(), "TOTAL".to_owned(), "TOTAL".to_owned())];
    let right = lang.percent(vigie_core::aggregate::share(part.value, whole.value), *decimals);
    let wrong = lang.percent(vigie_core::aggregate::share(part.value, year), *decimals);
    assert_ne!(right, wrong);
    let mut base = (*category).clone();
    base.text = base.text.replacen(&right, &wrong, 1);
    assert!(check(&base).is_err(), "wrong base: {}", base.text);

    // A table cell showing another region's total.
    let cell = texts
        .iter()
        .find(|t| matches!(t.quotes.as_slice(), [Quote::Cell(c)] if c.table == "region_by_month" && c.value > 0))
        .expect("a region cell");
    let mut other = (*cell).clone();
    other.text =
        lang.int(other.text.chars().filter(char::is_ascii_digit).collect::<String>().parse::<u64>().expect("n") + 1);
    assert!(check(&other).is_err(), "another figure: {}", other.text);
}

/// The HTML without its SVG figures (snapshotted apart from the drawing code).
fn redacted(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        out.push_str("[svg]");
        rest = rest[start..].find("</svg>").map_or("", |end| &rest[start + end + 6..]);
    }
    out.push_str(rest);
    out
}

/// Every `src`, `href`, CSS `url(…)` or `@import` that points outside the file (anything but an
/// anchor `#…` or a `data:` URL).
fn external_references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for opening in ["src=\"", "src='", "href=\"", "href='", "url(", "@import"] {
        for (at, _) in html.match_indices(opening) {
            let rest = html[at + opening.len()..].trim_start_matches(['"', '\'', ' ']);
            let target: String = rest.chars().take_while(|c| !matches!(c, '"' | '\'' | ')' | ' ' | '>')).collect();
            if !target.starts_with('#') && !target.starts_with("data:") {
                out.push(format!("{opening}{target}"));
            }
        }
    }
    out
}

#[test]
fn the_self_containment_check_finds_external_references() {
    assert_eq!(
        external_references("<a href=\"#s1\">x</a><img src=\"data:image/png;base64,AA\">"),
        Vec::<String>::new()
    );
    for page in [
        "<img src=\"logo.png\">",
        "<script src='https://cdn.example/x.js'></script>",
        "<link href=\"style.css\" rel=\"stylesheet\">",
        "<style>body{background:url(bg.png)}</style>",
        "<style>@import 'x.css';</style>",
    ] {
        assert_eq!(external_references(page).len(), 1, "{page}");
    }
}

#[test]
fn the_html_reports_match_their_snapshots() {
    let dir = demo();
    let fr = std::fs::read_to_string(dir.path().join("demo/rapport-2021-11.html")).expect("html");
    let en = std::fs::read_to_string(dir.path().join("demo/report-2021-11.html")).expect("html");
    for html in [&fr, &en] {
        assert!(html.contains("<svg"), "figures inline");
        assert_eq!(external_references(html), Vec::<String>::new(), "self-contained");
    }
    // The demo shows a newcomer every section filled: the sample analyst's recommendations and
    // regional analysis are in both languages' reports.
    assert!(!fr.contains("Aucune recommandation") && !en.contains("No recommendation"));
    assert!(fr.contains("<td>Gouvernement du Mali</td>") && en.contains("<td>Government of Mali</td>"));
    assert!(fr.contains("<strong>[Analyse]</strong> (Exemple d'analyse"), "French analysis");
    assert!(en.contains("<strong>[Analysis]</strong> (A sample analysis"), "English analysis");
    insta::assert_snapshot!("report_2021_11_fr", redacted(&fr));
    insta::assert_snapshot!("report_2021_11_en", redacted(&en));
}

#[test]
fn analysts_recommendations_and_analyses_are_placed_and_marked() {
    let dir = demo();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir_all(inputs.join("analyses")).expect("mkdir");
    std::fs::write(
        inputs.join("recommandations.csv"),
        "acteur,action,zone,suivi\nGouvernement du Mali,Enquêter sur les allégations,National,Note de plaidoyer\n",
    )
    .expect("write");
    std::fs::write(inputs.join("analyses/ML05.md"), "La région de Mopti a connu une intensification de la violence.\n")
        .expect("write");
    let out = vigie(
        dir.path(),
        &dir.path().join("demo/vigie.db"),
        &["report", "--month", "2021-11", "--out", "r", "--inputs", "inputs"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("r/rapport-2021-11.html")).expect("html");
    assert!(html.contains("<td>Enquêter sur les allégations</td>"), "recommendation in section VI");
    let mopti = html.find("Région de Mopti").expect("Mopti section");
    let analysis = html.find("<strong>[Analyse]</strong> La région de Mopti a connu").expect("analysis marked");
    let next = html[mopti..].find("Région de Ségou").map_or(usize::MAX, |i| mopti + i);
    assert!(analysis > mopti && analysis < next, "the analysis sits in its region's section");
    for file in ["rapport-2021-11.pdf", "annexe-incidents-2021-11.xlsx", "tables-2021-11.csv"] {
        assert!(dir.path().join("r").join(file).exists(), "{file}");
    }
}

#[test]
fn the_analysts_numbers_are_checked_against_the_figures_as_the_report_is_built() {
    let dir = demo();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    // The seed report's two slips: 6 039 for the tables' 6 033, and property's 42 % given to
    // the right to life.
    let context = "De janvier à novembre 2021, 6 039 violations ont été documentées. \
                   Les atteintes au droit à la vie représentent 42 % des violations.\n";
    std::fs::write(inputs.join("contexte.md"), context).expect("write");
    let out = vigie(
        dir.path(),
        &dir.path().join("demo/vigie.db"),
        &["report", "--month", "2021-11", "--out", "r", "--inputs", "inputs"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("warning: context"))
        .map(|l| l.replace('\u{202f}', " "))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("“6 039”") && warnings[0].contains("6 033 (region_by_month: total × total)"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("“42”") && warnings[1].contains("42 % : Atteintes au droit à la propriété"),
        "{}",
        warnings[1]
    );
    let html = std::fs::read_to_string(dir.path().join("r/rapport-2021-11.html")).expect("html");
    assert!(html.contains("6 039 violations ont été documentées"), "the text is the analyst's, unchanged");
}

#[test]
fn the_public_version_hides_small_counts_narratives_and_the_incident_list() {
    let dir = demo();
    let out = vigie(
        dir.path(),
        &dir.path().join("demo/vigie.db"),
        &["report", "--month", "2021-11", "--out", "pub", "--public"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("pub/tables-2021-11.csv")).expect("tables");
    let mut hidden = 0;
    for line in csv.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if ["admin2", "sex", "age_group", "occupation", "population"].contains(&c[0]) {
            match c[3] {
                "<5" => hidden += 1,
                v => assert!(v.parse::<u64>().expect("number") >= 5, "{line} reveals a small count"),
            }
        }
    }
    assert!(hidden > 0, "the generated month has small counts to hide");
    let html = std::fs::read_to_string(dir.path().join("pub/rapport-2021-11.html")).expect("html");
    // Generated narratives always quote figures: no paragraph of the public report has one.
    for paragraph in html.split("<p>").skip(1) {
        let text = paragraph.split("</p>").next().unwrap_or("");
        assert!(!text.chars().any(|c| c.is_ascii_digit()), "narrative in the public report: {text}");
    }
    assert!(!html.contains("[Analyse]"));
    assert!(!html.contains("Cercles les plus touchés") && !html.contains("Douentza"), "no place below region level");
    assert!(!dir.path().join("pub/annexe-incidents-2021-11.xlsx").exists(), "no incident list");
    assert!(html.contains("version publique"));
}
