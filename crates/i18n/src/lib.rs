//! Vigie's words: every sentence, heading, label and note a person reads, in Project Fluent
//! message catalogs, one file per language (`reference/messages/<code>.ftl`, embedded at build
//! time). Adding a language is adding a file — and a `label_<code>` column to the reference
//! lists — with no code to change. The report renders from these catalogs; the web interface
//! will read the same ones.
//!
//! Numbers are written with the separators each catalog gives (`number-group-separator`,
//! `number-decimal-separator`), also where a message shows a `{ $count }`; plural forms follow
//! Fluent's rules for the catalog's language.

use std::fmt;
use std::sync::{LazyLock, RwLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentArgs as Args;

// `EMBEDDED`: every catalog of `reference/messages/`, found by build.rs.
include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// The language of outputs when none is asked for; every other catalog has its messages.
pub const DEFAULT_LANGUAGE: &str = "fr";

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("`{0}` is not a language code (e.g. fr, en, pt-BR)")]
    Code(String),
    #[error("message catalog `{code}`: {errors}")]
    Syntax { code: String, errors: String },
    #[error("message catalog `{code}` lacks {count} message(s) of the default catalog: {missing}")]
    Missing { code: String, count: usize, missing: String },
}

/// One language: its catalog and how it writes numbers.
pub struct Language {
    code: String,
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
    digits: Digits,
    lowercase_labels: bool,
}

/// How a language writes numbers.
#[derive(Debug, Clone, Default)]
struct Digits {
    group: String,
    decimal: String,
}

impl Digits {
    /// `value` with `decimals` decimals, thousands grouped: `6 033`, `52,73`.
    fn write(&self, value: f64, decimals: usize) -> String {
        let text = format!("{:.*}", decimals, value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::with_capacity(text.len() + 8);
        if value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push_str(&self.group);
            }
            out.push(digit);
        }
        if !fraction.is_empty() {
            out.push_str(&self.decimal);
            out.push_str(fraction);
        }
        out
    }
}

/// The catalog a Fluent bundle belongs to, found from inside Fluent's number formatter.
impl intl_memoizer::Memoizable for Digits {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        let code = lang.to_string();
        let languages = LANGUAGES.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        languages.iter().find(|l| l.code == code).map(|l| l.digits.clone()).ok_or(())
    }
}

/// Fluent writes a `{ $count }` through this: with the language's separators, and the decimals
/// its arguments ask for.
fn write_number(value: &FluentValue<'_>, intls: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    let FluentValue::Number(number) = value else { return None };
    let decimals = number.options.minimum_fraction_digits.unwrap_or(0);
    intls.with_try_get::<Digits, _, _>((), |digits| digits.write(number.value, decimals)).ok()
}

/// Whether a name starts with a vowel: what French elision (« d'Ansongo ») and other languages'
/// forms choose on, as `INITIAL($name)` in a catalog.
fn initial<'a>(positional: &[FluentValue<'a>], _: &Args<'_>) -> FluentValue<'a> {
    let vowel = match positional.first() {
        Some(FluentValue::String(name)) => {
            name.chars().next().is_some_and(|c| "AEIOUÉÈÊÀÂÎÔÛaeiouéèêàâîôû".contains(c))
        }
        _ => false,
    };
    FluentValue::from(if vowel { "vowel" } else { "consonant" })
}

impl Language {
    fn parse(code: &str, text: &str) -> Result<Language, I18nError> {
        let id: LanguageIdentifier = code.parse().map_err(|_| I18nError::Code(code.to_owned()))?;
        let syntax = |errors: String| I18nError::Syntax { code: code.to_owned(), errors };
        let resource = FluentResource::try_new(text.to_owned())
            .map_err(|(_, errors)| syntax(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
        let ids = resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(write_number));
        bundle.add_function("INITIAL", initial).map_err(|e| syntax(e.to_string()))?;
        bundle
            .add_resource(resource)
            .map_err(|errors| syntax(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
        let mut language =
            Language { code: id.to_string(), bundle, ids, digits: Digits::default(), lowercase_labels: true };
        let setting = |id: &str| language.try_format(id, None).unwrap_or_default();
        let digits = Digits { group: setting("number-group-separator"), decimal: setting("number-decimal-separator") };
        let lowercase_labels = setting("label-case-in-sentence") != "keep";
        language.digits = digits;
        language.lowercase_labels = lowercase_labels;
        Ok(language)
    }

    fn try_format(&self, id: &str, args: Option<&Args<'_>>) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors).into_owned();
        debug_assert!(errors.is_empty(), "message `{id}` of catalog `{}`: {errors:?}", self.code);
        Some(text)
    }

    /// A message; a missing one shows as `[id]` (and fails debug builds: tests find it).
    fn format(&self, id: &str, args: Option<&Args<'_>>) -> String {
        self.try_format(id, args).unwrap_or_else(|| {
            debug_assert!(false, "message `{id}` is missing from catalog `{}`", self.code);
            format!("[{id}]")
        })
    }
}

static LANGUAGES: LazyLock<RwLock<Vec<&'static Language>>> = LazyLock::new(|| {
    // The embedded catalogs are tested to parse: failing here is a build defect, not bad input.
    let languages = EMBEDDED
        .iter()
        .map(|(code, text)| {
            let language = Language::parse(code, text).unwrap_or_else(|e| panic!("embedded {e}"));
            &*Box::leak(Box::new(language))
        })
        .collect();
    RwLock::new(languages)
});

fn languages() -> std::sync::RwLockReadGuard<'static, Vec<&'static Language>> {
    LANGUAGES.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A language of Vigie's outputs: a handle on its catalog, cheap to copy.
#[derive(Clone, Copy)]
pub struct Lang(&'static Language);

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Lang {}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.code)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.code)
    }
}

impl Default for Lang {
    fn default() -> Lang {
        // The default catalog is embedded (tested).
        Lang::parse(DEFAULT_LANGUAGE).unwrap_or_else(|| Lang(languages()[0]))
    }
}

impl Lang {
    /// The language with this code (`fr`, `en`, …), if it has a catalog.
    pub fn parse(code: &str) -> Option<Lang> {
        languages().iter().find(|l| l.code.eq_ignore_ascii_case(code)).map(|l| Lang(l))
    }

    /// Every language with a catalog, the embedded ones first.
    pub fn all() -> Vec<Lang> {
        languages().iter().map(|l| Lang(l)).collect()
    }

    /// Adds a catalog at run time (a language not shipped, or a test's pseudo-language). It
    /// must have every message of the default catalog. A code already known returns that
    /// language unchanged.
    pub fn register(code: &str, text: &str) -> Result<Lang, I18nError> {
        if let Some(known) = Lang::parse(code) {
            return Ok(known);
        }
        let language = Language::parse(code, text)?;
        let default = Lang::default();
        let missing: Vec<&String> = default.0.ids.iter().filter(|id| !language.ids.contains(id)).collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().take(10).map(|s| s.as_str()).collect();
            return Err(I18nError::Missing { code: code.to_owned(), count: missing.len(), missing: list.join(", ") });
        }
        let mut languages = LANGUAGES.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = languages.iter().find(|l| l.code == language.code) {
            return Ok(Lang(known));
        }
        let language: &'static Language = Box::leak(Box::new(language));
        languages.push(language);
        Ok(Lang(language))
    }

    /// The language's code: the catalog's file name, and the suffix of label columns.
    pub fn code(self) -> &'static str {
        &self.0.code
    }

    /// The ids of the catalog's messages, in file order.
    pub fn message_ids(self) -> &'static [String] {
        &self.0.ids
    }

    /// A message without arguments.
    pub fn text(self, id: &str) -> String {
        self.0.format(id, None)
    }

    /// A message with its arguments.
    pub fn format(self, id: &str, args: &Args<'_>) -> String {
        self.0.format(id, Some(args))
    }

    /// A whole number as the language writes it: `6 033`, `6,033`.
    pub fn int(self, n: u64) -> String {
        self.0.digits.write(n as f64, 0)
    }

    /// A number with `decimals` decimals: `52,73`.
    pub fn decimal(self, value: f64, decimals: usize) -> String {
        self.0.digits.write(value, decimals)
    }

    /// A percentage: `52,73 %`, `52.73%`.
    pub fn percent(self, value: f64, decimals: usize) -> String {
        let mut args = Args::new();
        args.set("value", number(value, decimals));
        self.format("percent", &args)
    }

    /// `a, b et c`: the catalog's separators around the last item.
    pub fn list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => {
                let mut args = Args::new();
                args.set("first", init.join(&self.text("list-separator")));
                args.set("last", last.clone());
                self.format("list-and", &args)
            }
        }
    }

    /// A code list's label as it reads inside a sentence: lower case in French and English, but
    /// an acronym (IDP, PDI) stays as written.
    pub fn in_sentence(self, label: &str) -> String {
        if !self.0.lowercase_labels {
            return label.to_owned();
        }
        let acronym = |word: &str| {
            let mut letters = word.chars().filter(|c| c.is_alphabetic()).peekable();
            letters.peek().is_some()
                && word.chars().filter(|c| c.is_alphabetic()).count() > 1
                && letters.all(char::is_uppercase)
        };
        label
            .split(' ')
            .map(|word| if acronym(word) { word.to_owned() } else { word.to_lowercase() })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A number argument shown with `decimals` decimals.
pub fn number(value: f64, decimals: usize) -> FluentValue<'static> {
    let options = FluentNumberOptions {
        minimum_fraction_digits: Some(decimals),
        maximum_fraction_digits: Some(decimals),
        ..FluentNumberOptions::default()
    };
    FluentValue::Number(FluentNumber::new(value, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label inside a sentence is lower case, its acronyms kept.
    #[test]
    fn a_label_in_a_sentence_keeps_its_acronyms() {
        let english = Lang::parse("en").expect("English");
        assert_eq!(english.in_sentence("Internally displaced person (IDP)"), "internally displaced person (IDP)");
        assert_eq!(english.in_sentence("Host / resident population"), "host / resident population");
        assert_eq!(english.in_sentence("A Killing"), "a killing");
    }

    fn fr() -> Lang {
        Lang::parse("fr").expect("French")
    }

    fn en() -> Lang {
        Lang::parse("en").expect("English")
    }

    #[test]
    fn every_embedded_catalog_has_the_default_catalogs_messages() {
        let default = Lang::default();
        assert_eq!(default, fr());
        // The embedded ones: other tests register catalogs of their own meanwhile.
        for lang in Lang::all().into_iter().filter(|l| EMBEDDED.iter().any(|(code, _)| *code == l.code())) {
            let missing: Vec<&String> =
                default.message_ids().iter().filter(|id| !lang.message_ids().contains(id)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<&String> =
                lang.message_ids().iter().filter(|id| !default.message_ids().contains(id)).collect();
            assert!(extra.is_empty(), "{lang} has messages the default lacks: {extra:?}");
        }
        assert!(Lang::all().len() >= 2);
    }

    #[test]
    fn numbers_use_each_languages_separators() {
        assert_eq!(fr().int(6033), "6\u{202F}033");
        assert_eq!(fr().int(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(fr().int(531), "531");
        assert_eq!(fr().int(0), "0");
        assert_eq!(fr().percent(52.7306, 2), "52,73\u{202F}%");
        assert_eq!(fr().percent(17.89, 0), "18\u{202F}%");
        assert_eq!(en().int(6033), "6,033");
        assert_eq!(en().int(1_000_000), "1,000,000");
        assert_eq!(en().percent(52.7306, 2), "52.73%");
        assert_eq!(en().decimal(-1234.5, 1), "-1,234.5");
    }

    #[test]
    fn plurals_follow_fluents_rules_french_counting_0_and_1_as_singular() {
        let documented = |lang: Lang, n: u64| {
            let mut args = Args::new();
            args.set("count", n);
            lang.format("were-documented", &args)
        };
        assert_eq!(documented(fr(), 0), "aucune violation n'a été documentée");
        assert_eq!(documented(fr(), 1), "1 violation a été documentée");
        assert_eq!(documented(fr(), 6033), "6\u{202F}033 violations ont été documentées");
        assert_eq!(documented(en(), 1), "1 violation was documented");
        assert_eq!(documented(en(), 3), "3 violations were documented");
        // French `one` covers 0 and 1: without the exact `[0]` variant, 0 reads as singular.
        let lang = Lang::register("fr-BE", &format!("{}\nwere-documented = {{ $count ->\n    [one] {{ $count }} violation\n   *[other] {{ $count }} violations\n}}\n", include_str!("../../../reference/messages/fr.ftl").replace("were-documented =", "unused-were-documented ="))).expect("catalog");
        assert_eq!(documented(lang, 0), "0 violation");
    }

    #[test]
    fn lists_and_elisions_read_naturally() {
        let items = ["Mopti".to_owned(), "Gao".to_owned(), "Ségou".to_owned()];
        assert_eq!(fr().list(&items), "Mopti, Gao et Ségou");
        assert_eq!(en().list(&items[..2]), "Mopti and Gao");
        let of = |region: &str| {
            let mut args = Args::new();
            args.set("region", region.to_owned());
            fr().format("of-region", &args)
        };
        assert_eq!(of("Mopti"), "de Mopti");
        assert_eq!(of("Ansongo"), "d'Ansongo");
        assert_eq!(of("Ménaka"), "de Ménaka");
    }

    #[test]
    fn a_catalog_without_every_message_is_refused() {
        let error = Lang::register("xx", "total = Total\n").map(|_| ()).expect_err("incomplete");
        assert!(error.to_string().contains("lacks"), "{error}");
        assert!(Lang::register("not a code!", "").is_err());
    }
}
