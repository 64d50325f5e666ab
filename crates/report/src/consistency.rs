//! Every number a reader sees in a sentence or table cell is one the text quotes: this reads
//! the numbers of a [`Text`] in order and holds each against the text's own [`Quote`]s — a
//! cell of `tables.csv`, a share of two cells, a sum, or words that are no figure. A sentence
//! that quotes another region's count, the previous month's figure, a share with the wrong
//! base, or its arguments swapped, fails here.

use vigie_i18n::{Args, Lang};

use crate::document::{Document, Quote, Text};
use crate::format::Trend;

/// The numbers of `text` as the language writes them (`6 033`, `52,73`, `6,033`, `52.73`), in
/// order.
pub fn numbers(lang: Lang, text: &str) -> Vec<String> {
    let group = lang.int(1000).trim_start_matches('1').trim_end_matches("000").to_owned();
    let decimal = lang.decimal(0.5, 1).trim_start_matches('0').trim_end_matches('5').to_owned();
    let digits_at = |rest: &str, n: usize| rest.chars().take(n).filter(char::is_ascii_digit).count() == n;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        rest = &rest[start..];
        let mut end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        loop {
            let after = &rest[end..];
            if !group.is_empty()
                && let Some(next) = after.strip_prefix(&group)
                && digits_at(next, 3)
                && !next.chars().nth(3).is_some_and(|c| c.is_ascii_digit())
            {
                end += group.len() + 3;
            } else if !decimal.is_empty()
                && let Some(next) = after.strip_prefix(&decimal)
                && digits_at(next, 1)
            {
                end += decimal.len() + next.find(|c: char| !c.is_ascii_digit()).unwrap_or(next.len());
                break;
            } else {
                break;
            }
        }
        out.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    out
}

/// What a quote shows, as numbers in the text.
fn shown(lang: Lang, quote: &Quote) -> Vec<String> {
    match quote {
        Quote::Cell(claim) => vec![lang.int(claim.value)],
        Quote::Sum(claims) => vec![lang.int(claims.iter().map(|c| c.value).sum())],
        Quote::Share { part, whole, decimals } => {
            vec![lang.decimal(vigie_core::aggregate::share(part.value, whole.value), *decimals)]
        }
        Quote::Trend { .. } => Vec::new(),
        Quote::Literal(words) => numbers(lang, words),
    }
}

/// Checks one text: its numbers, in order, are those its quotes show; each trend word is the
/// one its two figures give.
pub fn check(lang: Lang, text: &Text) -> Result<(), String> {
    let found = numbers(lang, &text.text);
    let mut found = found.iter().peekable();
    for quote in &text.quotes {
        if let Quote::Trend { now, before } = quote {
            let mut args = Args::new();
            args.set("trend", Trend::of(now.value, before.value).key());
            let word = lang.format("trend", &args);
            if !text.text.contains(&word) {
                return Err(format!(
                    "«{}» does not say “{word}” for {} against {}",
                    text.text, now.value, before.value
                ));
            }
            continue;
        }
        // A zero figure may be written as a word ("aucune violation n'a été documentée").
        if let Quote::Cell(claim) = quote
            && claim.value == 0
            && found.peek().is_none_or(|n| **n != "0")
        {
            continue;
        }
        for expected in shown(lang, quote) {
            match found.next() {
                Some(n) if *n == expected => {}
                Some(n) => return Err(format!("«{}» shows {n} where {quote:?} is {expected}", text.text)),
                None => return Err(format!("«{}» does not show {expected} ({quote:?})", text.text)),
            }
        }
    }
    match found.next() {
        Some(n) => Err(format!("«{}» shows {n}, which it quotes from nowhere", text.text)),
        None => Ok(()),
    }
}

/// Every problem of every text of `document` that may show figures.
pub fn check_document(document: &Document) -> Vec<String> {
    document.texts().into_iter().filter_map(|t| check(document.lang, t).err()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrative::Claim;

    fn fr() -> Lang {
        Lang::parse("fr").expect("fr")
    }

    fn cell(column: &str, value: u64) -> Quote {
        Quote::Cell(Claim { table: "t".into(), row: "TOTAL".into(), column: column.into(), value, withheld: None })
    }

    #[test]
    fn numbers_are_read_as_each_language_writes_them() {
        let text = "Au mois de novembre 2021, 6\u{202F}033 violations (52,73\u{202F}%) ; 1, 2 et 3.";
        assert_eq!(numbers(fr(), text), ["2021", "6\u{202F}033", "52,73", "1", "2", "3"]);
        let en = Lang::parse("en").expect("en");
        assert_eq!(
            numbers(en, "In 2021, 6,033 (52.73%), Mopti (128), 1, 2."),
            ["2021", "6,033", "52.73", "128", "1", "2"]
        );
    }

    #[test]
    fn a_text_passes_only_with_its_numbers_in_order() {
        let quotes = vec![Quote::Literal("novembre 2021".into()), cell("2021-11", 531), cell("2021-10", 384)];
        let good = Text { text: "En novembre 2021, 531 contre 384.".into(), quotes: quotes.clone() };
        assert_eq!(check(fr(), &good), Ok(()));
        let swapped = Text { text: "En novembre 2021, 384 contre 531.".into(), quotes: quotes.clone() };
        assert!(check(fr(), &swapped).is_err());
        let extra = Text { text: "En novembre 2021, 531 contre 384 et 7.".into(), quotes };
        assert!(check(fr(), &extra).is_err());
        let zero = Text {
            text: "Aucune violation, contre 384.".into(),
            quotes: vec![cell("2021-11", 0), cell("2021-10", 384)],
        };
        assert_eq!(check(fr(), &zero), Ok(()), "a zero may be a word");
    }
}
