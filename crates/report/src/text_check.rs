//! The numbers of an analyst's own words held against the month's figures. Hand-written text
//! is where reports go wrong (the seed report writes 6 039 where its tables say 6 033, and
//! gives property's 42 % to "right to life"), so every number of a context or a regional
//! analysis is looked up among the figures of its section: a count must be one of them, a
//! share one of the categories' shares, and the category the sentence names must be the one
//! whose share it is. Nothing is changed: the analyst gets warnings with the figures the
//! number might have meant, and decides.

use vigie_core::Catalog;
use vigie_i18n::Lang;

use crate::Pick;
use crate::long_form::Cell;

/// A number of the text that the figures do not bear out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextWarning {
    /// The number as written.
    pub number: String,
    /// What is wrong, in the reader's language.
    pub message: String,
    /// Figures it might have meant, each written out (`6 033: category_by_region, total × total`).
    pub candidates: Vec<String>,
}

const TOTAL: &str = "TOTAL";

/// The warnings of an analyst's every text: the context (section `None`) and each regional
/// analysis (its region's code), in that order.
pub fn check_inputs(
    inputs: &crate::Inputs,
    lang: Lang,
    catalog: &Catalog,
    cells: &[Cell],
) -> Vec<(Option<String>, TextWarning)> {
    let mut regions: Vec<(&String, &String)> = inputs.analyses.iter().collect();
    regions.sort();
    let texts = inputs.context.iter().map(|t| (None, t)).chain(regions.into_iter().map(|(r, t)| (Some(r.clone()), t)));
    texts
        .flat_map(|(region, text)| {
            check(text, lang, catalog, cells, region.as_deref()).into_iter().map(move |w| (region.clone(), w))
        })
        .collect()
}

/// The warnings for `text`, an analysis of `region` (a reporting region's code) or, with
/// `None`, of the whole month, against the month's `cells` (`tables.csv`).
pub fn check(text: &str, lang: Lang, catalog: &Catalog, cells: &[Cell], region: Option<&str>) -> Vec<TextWarning> {
    let scope = region.unwrap_or(TOTAL);
    // The counts of the section: every cell of the region (or every cell, for the month).
    let counts: Vec<&Cell> = cells.iter().filter(|c| region.is_none() || c.row == scope || c.column == scope).collect();
    // Each category's share of the section's violations since January, and of the month's.
    let categories = &catalog.typology.categories;
    let mut shares: Vec<(usize, f64, &'static str)> = Vec::new();
    let value = |table: &str, row: &str, column: &str| {
        cells.iter().find(|c| c.table == table && c.row == row && c.column == column).map(|c| c.value)
    };
    let total = value("category_by_region", TOTAL, scope).unwrap_or(0);
    let latest =
        cells.iter().filter(|c| c.table == "category_by_month" && c.column != TOTAL).map(|c| c.column.clone()).max();
    for (i, category) in categories.iter().enumerate() {
        if total > 0
            && let Some(n) = value("category_by_region", &category.code, scope)
        {
            shares.push((i, n as f64 / total as f64 * 100.0, "ui-text-share-year"));
        }
        if region.is_none()
            && let Some(month) = &latest
            && let (Some(n), Some(all)) =
                (value("category_by_month", &category.code, month), value("category_by_month", TOTAL, month))
            && all > 0
        {
            shares.push((i, n as f64 / all as f64 * 100.0, "ui-text-share-month"));
        }
    }
    let keywords = category_keywords(catalog, lang);
    let mut warnings = Vec::new();
    for found in located_numbers(lang, text) {
        let Some((number, decimals)) = parse(lang, &found.text) else { continue };
        if found.percent {
            let rounded = |share: f64| round(share, decimals);
            let matching: Vec<&(usize, f64, &str)> = shares.iter().filter(|(_, s, _)| rounded(*s) == number).collect();
            let named: Vec<usize> = (0..categories.len())
                .filter(|&i| keywords[i].iter().any(|k| found.sentence.contains(k.as_str())))
                .collect();
            if matching.is_empty() {
                let mut nearest: Vec<&(usize, f64, &str)> = shares.iter().collect();
                nearest.sort_by(|a, b| (a.1 - number).abs().total_cmp(&(b.1 - number).abs()));
                warnings.push(TextWarning {
                    number: found.text.clone(),
                    message: lang.text("ui-text-no-share"),
                    candidates: nearest.iter().take(3).map(|s| share_text(lang, catalog, s, decimals)).collect(),
                });
            } else if !named.is_empty() && !matching.iter().any(|(i, _, _)| named.contains(i)) {
                let mut args = vigie_i18n::Args::new();
                args.set("named", lang.pick(&categories[named[0]].label).to_owned());
                warnings.push(TextWarning {
                    number: found.text.clone(),
                    message: lang.format("ui-text-other-share", &args),
                    candidates: matching.iter().map(|s| share_text(lang, catalog, s, decimals)).collect(),
                });
            }
            continue;
        }
        if number.fract() != 0.0 || counts.iter().any(|c| c.value as f64 == number) {
            continue;
        }
        // A year or a day of a date is no figure.
        if found.in_date || (1990.0..=2100.0).contains(&number) {
            continue;
        }
        let mut nearest: Vec<&&Cell> = counts.iter().filter(|c| c.value > 0).collect();
        nearest.sort_by_key(|c| (c.value as f64 - number).abs() as u64);
        nearest.dedup_by_key(|c| c.value);
        warnings.push(TextWarning {
            number: found.text.clone(),
            message: lang.text("ui-text-no-figure"),
            candidates: nearest.iter().take(3).map(|c| cell_text(lang, catalog, c)).collect(),
        });
    }
    warnings
}

fn round(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (value * scale).round() / scale
}

/// A number found in the text: as written, whether `%` follows it, whether it is part of a
/// date, and its sentence (folded for keyword search).
struct Found {
    text: String,
    percent: bool,
    in_date: bool,
    sentence: String,
}

fn located_numbers(lang: Lang, text: &str) -> Vec<Found> {
    let decimal = decimal_separator(lang);
    // People type thousands apart with a space (any kind) in French, a comma in English.
    let group = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}') || (c == ',' && decimal != ',');
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !digit(i) || (i > 0 && chars[i - 1].1.is_alphanumeric()) {
            i += 1;
            continue;
        }
        let first = i;
        while digit(i) {
            i += 1;
        }
        while i < chars.len() && group(chars[i].1) && (1..=3).all(|k| digit(i + k)) && !digit(i + 4) {
            i += 4;
        }
        if i < chars.len() && chars[i].1 == decimal && digit(i + 1) {
            i += 1;
            while digit(i) {
                i += 1;
            }
        }
        let at = chars[first].0;
        let end = chars.get(i).map_or(text.len(), |(b, _)| *b);
        let after = text[end..].trim_start_matches([' ', '\u{a0}', '\u{202f}']);
        let before = text[..at].chars().next_back();
        let next = text[end..].chars().next();
        let in_date = matches!(before, Some('/' | '-')) || matches!(next, Some('/' | '-'));
        // The sentence: from the last end of sentence before the number to the next one.
        let start = text[..at]
            .rfind(['!', '?', '\n', ';'])
            .map_or(0, |i| i + 1)
            .max(text[..at].rfind(". ").map_or(0, |i| i + 1));
        let stop = text[end..].find(['!', '?', '\n', ';']).map_or(text.len(), |i| i + end);
        let stop = text[end..stop].find(". ").map_or(stop, |i| i + end);
        out.push(Found {
            text: text[at..end].to_owned(),
            percent: after.starts_with('%'),
            in_date,
            sentence: fold(&text[start..stop]),
        });
    }
    out
}

fn decimal_separator(lang: Lang) -> char {
    lang.decimal(0.5, 1).chars().find(|c| !c.is_ascii_digit()).unwrap_or('.')
}

/// A number as the language writes it, and how many decimals it was written with.
fn parse(lang: Lang, written: &str) -> Option<(f64, usize)> {
    let decimal = decimal_separator(lang);
    let decimals = written.split_once(decimal).map_or(0, |(_, d)| d.len());
    let plain: String = written
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            c if c == decimal => Some('.'),
            _ => None,
        })
        .collect();
    Some((plain.parse().ok()?, decimals))
}

/// Words of each category's label that no other category's label has: what a sentence names
/// a category by ("propriété", "vie", "property", "life").
fn category_keywords(catalog: &Catalog, lang: Lang) -> Vec<Vec<String>> {
    const SMALL: [&str; 12] =
        ["aux", "des", "les", "une", "par", "sur", "the", "and", "for", "and/or", "et/ou", "with"];
    let words: Vec<Vec<String>> = catalog
        .typology
        .categories
        .iter()
        .map(|c| {
            fold(lang.pick(&c.label))
                .split(|ch: char| !ch.is_alphanumeric() && ch != '/')
                .filter(|w| w.chars().count() >= 3 && !SMALL.contains(w))
                .map(str::to_owned)
                .collect()
        })
        .collect();
    words
        .iter()
        .enumerate()
        .map(|(i, own)| {
            own.iter()
                .filter(|w| words.iter().enumerate().all(|(j, other)| j == i || !other.contains(w)))
                .cloned()
                .collect()
        })
        .collect()
}

/// Lower case, without accents: how words are compared.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' | 'Û' => 'u',
            'ç' | 'Ç' => 'c',
            '’' => '\'',
            other => other.to_lowercase().next().unwrap_or(other),
        })
        .collect()
}

fn share_text(lang: Lang, catalog: &Catalog, (i, share, which): &(usize, f64, &str), decimals: usize) -> String {
    let mut args = vigie_i18n::Args::new();
    args.set("share", lang.percent(*share, decimals));
    args.set("category", lang.pick(&catalog.typology.categories[*i].label).to_owned());
    lang.format(which, &args)
}

/// A cell as a reader can find it: its value, table, row and column (codes named).
fn cell_text(lang: Lang, catalog: &Catalog, c: &Cell) -> String {
    let name = |code: &str| -> String {
        if code == TOTAL {
            return lang.text("ui-text-total");
        }
        if let Some(r) = catalog.geography.regions.iter().find(|r| r.code == code) {
            return lang.pick(&r.name).to_owned();
        }
        if let Some(k) = catalog.typology.categories.iter().find(|k| k.code == code) {
            return lang.pick(&k.label).to_owned();
        }
        code.to_owned()
    };
    format!("{} ({}: {} × {})", lang.int(c.value), c.table, name(&c.row), name(&c.column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells() -> Vec<Cell> {
        let cell = |table: &'static str, row: &str, column: &str, value: u64| Cell {
            table,
            row: row.into(),
            column: column.into(),
            value,
            withheld: None,
        };
        vec![
            cell("category_by_region", "B", "TOTAL", 100),
            cell("category_by_region", "E", "TOTAL", 420),
            cell("category_by_region", "A", "TOTAL", 480),
            cell("category_by_region", "TOTAL", "TOTAL", 1000),
            cell("category_by_region", "E", "ML05", 30),
            cell("category_by_region", "TOTAL", "ML05", 60),
        ]
    }

    #[test]
    fn a_count_that_is_no_figure_and_a_share_given_to_another_category_are_flagged() {
        let catalog = Catalog::builtin();
        let lang = Lang::parse("fr").expect("fr");
        let text = "En 2021, 1 006 violations ont été documentées. Les atteintes au droit à la vie représentent 42 % des violations.";
        let warnings = check(text, lang, catalog, &cells(), None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(warnings[0].number, "1 006");
        assert!(
            warnings[0].candidates[0].replace('\u{202f}', " ").starts_with("1 000 ("),
            "{:?}",
            warnings[0].candidates
        );
        assert_eq!(warnings[1].number, "42");
        assert!(warnings[1].candidates[0].contains("propriété"), "property's share: {:?}", warnings[1].candidates);
    }

    #[test]
    fn figures_of_the_section_and_their_right_shares_pass() {
        let catalog = Catalog::builtin();
        let lang = Lang::parse("fr").expect("fr");
        let text = "Au 23/11/2021, 1 000 violations, dont 420 atteintes au droit à la propriété (42 %).";
        assert!(check(text, lang, catalog, &cells(), None).is_empty());
        let mopti = "À Mopti, 60 violations, la moitié (50 %) contre la propriété.";
        assert!(check(mopti, lang, catalog, &cells(), Some("ML05")).is_empty());
        let elsewhere = check("À Mopti, 420 violations.", lang, catalog, &cells(), Some("ML05"));
        assert_eq!(elsewhere.len(), 1, "another section's figure");
    }
}
