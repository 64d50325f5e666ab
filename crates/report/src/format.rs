//! Numbers and words as a reader of each language expects them: `6 033` (narrow no-break
//! space) and `52,73 %` in French, `6,033` and `52.73%` in English; plural and gender agreement;
//! the word for a change between two months.

use crate::labels::Lang;

/// French thousands separator and the space before `%`: U+202F NARROW NO-BREAK SPACE.
pub const NNBSP: char = '\u{202F}';

/// A whole number with thousands separators.
pub fn int(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::Fr => NNBSP,
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A percentage with `decimals` decimals: `52,73 %`, `52.73%`.
pub fn percent(lang: Lang, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match lang {
        Lang::Fr => format!("{}{NNBSP}%", text.replace('.', ",")),
        Lang::En => format!("{text}%"),
    }
}

/// `part` as a share of `whole`, rounded to a whole percent (`18 %`), as the seed report
/// writes shares in sentences.
pub fn share(lang: Lang, part: u64, whole: u64) -> String {
    percent(lang, vigie_core::aggregate::share(part, whole), 0)
}

/// "1 violation documentée", "23 violations documentées", "aucune violation documentée".
pub fn violations(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::Fr, 0) => "aucune violation documentée".into(),
        (Lang::Fr, 1) => "1 violation documentée".into(),
        (Lang::Fr, n) => format!("{} violations documentées", int(lang, n)),
        (Lang::En, 0) => "no violation documented".into(),
        (Lang::En, 1) => "1 violation documented".into(),
        (Lang::En, n) => format!("{} violations documented", int(lang, n)),
    }
}

/// A clause: "1 violation a été documentée", "23 violations ont été documentées", "aucune
/// violation n'a été documentée"; in English "1 violation was documented", …
pub fn were_documented(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::Fr, 0) => "aucune violation n'a été documentée".into(),
        (Lang::Fr, 1) => "1 violation a été documentée".into(),
        (Lang::Fr, n) => format!("{} violations ont été documentées", int(lang, n)),
        (Lang::En, 0) => "no violation was documented".into(),
        (Lang::En, 1) => "1 violation was documented".into(),
        (Lang::En, n) => format!("{} violations were documented", int(lang, n)),
    }
}

/// "1 violation", "23 violations" (no participle).
pub fn count_violations(lang: Lang, n: u64) -> String {
    let word = if n > 1 { "violations" } else { "violation" };
    format!("{} {word}", int(lang, n))
}

/// The direction of a change: hausse / baisse / stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Stable,
}

impl Trend {
    pub fn of(now: u64, before: u64) -> Trend {
        match now.cmp(&before) {
            std::cmp::Ordering::Greater => Trend::Up,
            std::cmp::Ordering::Less => Trend::Down,
            std::cmp::Ordering::Equal => Trend::Stable,
        }
    }

    /// "en hausse", "en baisse", "stable" / "up", "down", "stable".
    pub fn word(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Fr, Trend::Up) => "en hausse",
            (Lang::Fr, Trend::Down) => "en baisse",
            (Lang::Fr, Trend::Stable) => "stable",
            (Lang::En, Trend::Up) => "up",
            (Lang::En, Trend::Down) => "down",
            (Lang::En, Trend::Stable) => "stable",
        }
    }
}

/// "de Mopti", "d'Ansongo": French elision before a vowel.
pub fn de(name: &str) -> String {
    let elide = name.chars().next().is_some_and(|c| "AEIOUÉÈÊaeiouéèê".contains(c));
    if elide { format!("d'{name}") } else { format!("de {name}") }
}

/// "A, B et C" / "A, B and C".
pub fn list(lang: Lang, items: &[String]) -> String {
    let and = match lang {
        Lang::Fr => "et",
        Lang::En => "and",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// Sentence case: the first letter in capitals.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_use_narrow_no_break_spaces_and_decimal_commas() {
        assert_eq!(int(Lang::Fr, 6033), "6\u{202F}033");
        assert_eq!(int(Lang::Fr, 1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(int(Lang::Fr, 531), "531");
        assert_eq!(int(Lang::Fr, 0), "0");
        assert_eq!(percent(Lang::Fr, 52.7306, 2), "52,73\u{202F}%");
        assert_eq!(share(Lang::Fr, 95, 531), "18\u{202F}%");
    }

    #[test]
    fn english_numbers_use_commas_and_points() {
        assert_eq!(int(Lang::En, 6033), "6,033");
        assert_eq!(int(Lang::En, 1_000_000), "1,000,000");
        assert_eq!(percent(Lang::En, 52.7306, 2), "52.73%");
        assert_eq!(share(Lang::En, 225, 531), "42%");
    }

    #[test]
    fn plurals_agree_with_the_count() {
        assert_eq!(violations(Lang::Fr, 1), "1 violation documentée");
        assert_eq!(violations(Lang::Fr, 23), "23 violations documentées");
        assert_eq!(violations(Lang::Fr, 0), "aucune violation documentée");
        assert_eq!(violations(Lang::Fr, 6033), "6\u{202F}033 violations documentées");
        assert_eq!(violations(Lang::En, 1), "1 violation documented");
        assert_eq!(violations(Lang::En, 2), "2 violations documented");
        assert_eq!(were_documented(Lang::Fr, 1), "1 violation a été documentée");
        assert_eq!(were_documented(Lang::Fr, 0), "aucune violation n'a été documentée");
        assert_eq!(were_documented(Lang::En, 3), "3 violations were documented");
        assert_eq!(count_violations(Lang::Fr, 1), "1 violation");
        assert_eq!(count_violations(Lang::En, 0), "0 violation");
    }

    #[test]
    fn trends_lists_and_elision_read_naturally() {
        assert_eq!(Trend::of(78, 7).word(Lang::Fr), "en hausse");
        assert_eq!(Trend::of(23, 31).word(Lang::En), "down");
        assert_eq!(Trend::of(18, 18).word(Lang::Fr), "stable");
        assert_eq!(de("Mopti"), "de Mopti");
        assert_eq!(de("Ansongo"), "d'Ansongo");
        let items = ["Mopti".to_owned(), "Gao".to_owned(), "Ségou".to_owned()];
        assert_eq!(list(Lang::Fr, &items), "Mopti, Gao et Ségou");
        assert_eq!(list(Lang::En, &items[..2]), "Mopti and Gao");
        assert_eq!(capitalize("été"), "Été");
    }
}
