//! A language is files: a test-only pseudo-language — the French catalog with every message
//! wrapped in ⁅ ⁆, and a label column that wraps every label the same way — renders the whole
//! report with no code of its own. No visible text of the document, its charts and maps, the
//! HTML or the PDF escapes the markers, but numbers, punctuation and place names.

use std::process::Command;

use vigie_core::aggregate::Filter;
use vigie_core::{Catalog, Month};
use vigie_report::{Inputs, Lang};
use vigie_store::{LiveFacts, SqliteStore};

use crate::helpers::*;

const OPEN: char = '⁅';
const CLOSE: char = '⁆';
const CODE: &str = "en-XA";

/// Messages that are settings, not words a reader sees: kept as they are.
const SETTINGS: [&str; 3] = ["number-group-separator", "number-decimal-separator", "label-case-in-sentence"];

/// The French catalog with each message's value wrapped in markers.
fn pseudo_catalog() -> String {
    let french = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/messages/fr.ftl"))
        .expect("French catalog");
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in french.lines() {
        // A message goes on over indented lines, and over a placeable's closing brace.
        let continues = line.starts_with(' ') || line.starts_with('}');
        if open && !continues {
            if let Some(last) = out.iter_mut().rev().find(|l| !l.trim().is_empty()) {
                last.push(CLOSE);
            }
            open = false;
        }
        match line.split_once(" = ") {
            Some((id, value)) if !continues && id.starts_with(|c: char| c.is_ascii_lowercase()) => {
                if SETTINGS.contains(&id) {
                    out.push(line.to_owned());
                } else {
                    out.push(format!("{id} = {OPEN}{value}"));
                    open = true;
                }
            }
            _ => out.push(line.to_owned()),
        }
    }
    if open && let Some(last) = out.iter_mut().rev().find(|l| !l.trim().is_empty()) {
        last.push(CLOSE);
    }
    out.join("\n") + "\n"
}

/// The builtin catalog with a pseudo-language column in every labelled reference file.
fn pseudo_reference() -> Catalog {
    Catalog::builtin_with_language(CODE, &|french| format!("{OPEN}{french}{CLOSE}")).expect("a pseudo-language catalog")
}

/// What is left of `text` once marked words and place names are taken out: what escaped the
/// catalogs, as letters.
fn escaped(text: &str, places: &[String]) -> String {
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            OPEN => depth += 1,
            CLOSE => depth = depth.saturating_sub(1),
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let mut outside = outside.split_whitespace().collect::<Vec<_>>().join(" ");
    for place in places {
        outside = outside.replace(place.as_str(), " ");
    }
    outside.chars().filter(|c| c.is_alphabetic()).collect()
}

/// The text nodes of SVG or HTML markup, entities decoded; `<style>` left out.
fn markup_text(markup: &str) -> String {
    let markup = match (markup.find("<style>"), markup.find("</style>")) {
        (Some(start), Some(end)) => format!("{}{}", &markup[..start], &markup[end..]),
        _ => markup.to_owned(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[test]
fn the_whole_report_renders_in_a_pseudo_language_with_nothing_outside_its_catalog() {
    let lang = Lang::register(CODE, &pseudo_catalog()).expect("the pseudo catalog has every message");
    let base = pseudo_reference();
    let mut places: Vec<String> = base.geography.cercles.iter().map(|c| c.unit.name.clone()).collect();
    places.extend(base.geography.communes.iter().map(|c| c.unit.name.clone()));
    places.sort_by_key(|p| std::cmp::Reverse(p.len()));
    assert_eq!(escaped(&format!("{OPEN}Rapport{CLOSE} (12) Mopti, hello"), &places), "hello", "the check can fail");

    let dir = demo();
    let store = SqliteStore::open(&dir.path().join("demo/vigie.db")).expect("open");
    let catalog = vigie_store::catalog(&store, base).expect("catalog");
    let live = LiveFacts::load(&store, &catalog).expect("load");
    let month = Month::new(2021, 11).expect("month");
    let (tables, alerts) =
        vigie_store::month_tables(&store, &catalog, &live.facts, month, &Filter::default()).expect("tables");
    let incidents = vigie_store::Store::violations_between(&store, &catalog, month.first_day(), month.last_day())
        .expect("incidents");
    let annexes = vigie_report::Annexes::of_report(alerts, &live.facts, &catalog, month);
    let out = dir.path().join("pseudo");
    let plain = &vigie_report::report::plain;
    let written = vigie_report::report::write(
        &out,
        &tables,
        &catalog,
        lang,
        &Inputs::default(),
        None,
        &incidents,
        &annexes,
        plain,
    )
    .expect("the report renders");
    assert!(written.pages > 10, "{} pages", written.pages);

    // The document: title, headings, sentences, table cells, captions.
    let document = &written.document;
    for text in document.visible_text() {
        assert_eq!(escaped(text, &places), "", "«{text}» escapes the catalog");
    }
    assert_eq!(vigie_report::consistency::check_document(document), Vec::<String>::new(), "its numbers are right");
    // Every chart and map: labels, legends, titles, the source line.
    let figures = document.figures();
    assert!(figures.len() > 10);
    for svg in figures {
        let text = markup_text(svg);
        assert_eq!(escaped(&text, &places), "", "an SVG text escapes the catalog: {text}");
    }
    // The HTML page as a browser shows it, and the PDF's text.
    let file = |extension: &str| {
        written.files.iter().find(|f| f.extension().is_some_and(|e| e == extension)).expect("written").clone()
    };
    let html = std::fs::read_to_string(file("html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-XA\">"));
    let text = markup_text(&html);
    assert_eq!(escaped(&text, &places), "", "the HTML shows words outside the catalog");
    let pdf = Command::new("pdftotext").arg(file("pdf")).arg("-").output().expect("pdftotext runs");
    assert!(pdf.status.success());
    // Words the PDF hyphenated at a line end are joined again before place names are matched
    // (a name's own hyphen, "Gourma-Rharous", may be the one at the line end).
    let text = String::from_utf8_lossy(&pdf.stdout).replace("-\n", "");
    places.extend(places.clone().iter().filter(|p| p.contains('-')).map(|p| p.replace('-', "")));
    places.sort_by_key(|p| std::cmp::Reverse(p.len()));
    assert!(text.matches(OPEN).count() > 500, "the PDF shows the marked words");
    assert_eq!(escaped(&text, &places), "", "the PDF shows words outside the catalog");
}
