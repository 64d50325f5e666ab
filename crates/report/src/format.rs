//! What words cannot carry: the direction of a change between two months, and sentence case.
//! Every number and word itself is written by the language's catalog (`vigie-i18n`).

/// The direction of a change, as the catalog's `trend` message selects it.
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

    /// The selector of the `trend` message: `up`, `down`, `stable`.
    pub fn key(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Stable => "stable",
        }
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
    fn trends_and_sentence_case() {
        assert_eq!(Trend::of(78, 7).key(), "up");
        assert_eq!(Trend::of(23, 31).key(), "down");
        assert_eq!(Trend::of(18, 18).key(), "stable");
        assert_eq!(capitalize("été"), "Été");
    }
}
