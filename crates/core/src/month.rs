//! A calendar month, the period every report and risk index is computed for.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A month of the Gregorian calendar, stored as a count of months since year 0 so that months
/// compare, subtract and iterate as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then(|| Month(year * 12 + month as i32 - 1))
    }

    /// Parses `YYYY-MM`, exactly: `2021-1` or `2021-13` are refused.
    pub fn parse(text: &str) -> Option<Month> {
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' || !text[..4].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !text[5..].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Month::new(text[..4].parse().ok()?, text[5..].parse().ok()?)
    }

    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 12 + date.month0() as i32)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1 to 12.
    pub fn number(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    pub fn previous(self) -> Month {
        Month(self.0 - 1)
    }

    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.number(), 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn days(self) -> u32 {
        let next = self.next().first_day();
        (next - self.first_day()).num_days() as u32
    }

    /// January to December of this month's year.
    pub fn months_of_year(self) -> impl Iterator<Item = Month> {
        let january = Month(self.year() * 12);
        (0..12).map(move |i| Month(january.0 + i))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_months() {
        let m = Month::parse("2021-11").expect("valid");
        assert_eq!(m.to_string(), "2021-11");
        assert_eq!(m.previous().to_string(), "2021-10");
        assert_eq!(Month::parse("2021-01").map(|m| m.previous().to_string()), Some("2020-12".into()));
        assert_eq!(m.days(), 30);
        assert_eq!(Month::parse("2024-02").map(Month::days), Some(29));
        for bad in ["2021-13", "2021-00", "2021-1", "21-11", "2021/11", "2021-11-01"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }
}
