//! The protection risk index questionnaire and its levels (`risk_index.csv`, `risk_levels.csv`),
//! and how a commune is scored. A cluster may load its own questionnaire, so it is data, not
//! code; and because a month must keep the definition its answers were scored with, definitions
//! are versioned ([`RiskIndex`]).

use crate::month::Month;
use crate::reference::Label;
use crate::{ReferenceError, invalid, read_labelled_csv};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskOption {
    pub code: String,
    pub points: u8,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub code: String,
    pub dimension: String,
    pub text: Label,
    pub options: Vec<RiskOption>,
}

impl Question {
    pub fn option(&self, code: &str) -> Option<u8> {
        self.options.iter().position(|o| o.code == code).map(|i| i as u8)
    }

    pub fn expected(&self) -> String {
        let codes: Vec<&str> = self.options.iter().map(|o| o.code.as_str()).collect();
        format!("an option of question {}: one of {}", self.code, codes.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub level: u8,
    pub min_points: u32,
    pub max_points: u32,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskDefinition {
    pub questions: Vec<Question>,
    pub levels: Vec<Level>,
}

impl RiskDefinition {
    pub fn parse(
        questions_file: &str,
        questions: &str,
        levels_file: &str,
        levels: &str,
    ) -> Result<RiskDefinition, ReferenceError> {
        let rows =
            read_labelled_csv(questions_file, questions, &["question", "dimension", "option", "points"], "text_")?;
        let mut parsed: Vec<Question> = Vec::new();
        for (i, (r, text)) in rows.into_iter().enumerate() {
            let line = i as u64 + 2;
            if r[2].is_empty() {
                if parsed.iter().any(|q| q.code == r[0]) {
                    return Err(invalid(questions_file, line, format!("question `{}` defined twice", &r[0])));
                }
                parsed.push(Question { code: r[0].to_owned(), dimension: r[1].to_owned(), text, options: Vec::new() });
                continue;
            }
            let points: u8 = r[3]
                .parse()
                .map_err(|_| invalid(questions_file, line, format!("points `{}` is not a whole number", &r[3])))?;
            let question = parsed
                .iter_mut()
                .find(|q| q.code == r[0])
                .ok_or_else(|| invalid(questions_file, line, format!("option before its question `{}`", &r[0])))?;
            question.options.push(RiskOption { code: r[2].to_owned(), points, label: text });
        }
        if parsed.is_empty() || parsed.iter().any(|q| q.options.is_empty()) {
            return Err(invalid(questions_file, 1, "every question needs at least one option"));
        }
        let levels = read_labelled_csv(levels_file, levels, &["level", "min_points", "max_points"], "label_")?
            .into_iter()
            .enumerate()
            .map(|(i, (r, label))| {
                let n = |s: &str| {
                    s.parse::<u32>()
                        .map_err(|_| invalid(levels_file, i as u64 + 2, format!("`{s}` is not a whole number")))
                };
                Ok(Level { level: n(&r[0])? as u8, min_points: n(&r[1])?, max_points: n(&r[2])?, label })
            })
            .collect::<Result<Vec<_>, ReferenceError>>()?;
        let definition = RiskDefinition { questions: parsed, levels };
        definition.check_levels().map_err(|message| invalid(levels_file, 1, message))?;
        Ok(definition)
    }

    /// The highest score the questionnaire allows.
    pub fn max_score(&self) -> u32 {
        self.questions.iter().map(|q| q.options.iter().map(|o| u32::from(o.points)).max().unwrap_or(0)).sum()
    }

    /// Levels must be numbered 1, 2, … and cover every possible score exactly once, so that
    /// every commune gets exactly one level.
    fn check_levels(&self) -> Result<(), String> {
        let mut next = 0;
        for (i, level) in self.levels.iter().enumerate() {
            if usize::from(level.level) != i + 1 {
                return Err(format!(
                    "levels must be numbered 1, 2, … in order; found {} at position {}",
                    level.level,
                    i + 1
                ));
            }
            if level.min_points != next || level.max_points < level.min_points {
                return Err(format!(
                    "level {} covers {}–{} points; expected it to start at {next}, right after the level before",
                    level.level, level.min_points, level.max_points
                ));
            }
            next = level.max_points + 1;
        }
        if next <= self.max_score() {
            return Err(format!(
                "the levels stop at {} points, but the questionnaire allows up to {}",
                next.saturating_sub(1),
                self.max_score()
            ));
        }
        Ok(())
    }

    /// The level a score falls in (levels cover every possible score: checked at parse).
    pub fn level(&self, score: u32) -> &Level {
        self.levels.iter().find(|l| (l.min_points..=l.max_points).contains(&score)).unwrap_or_else(|| {
            // Unreachable for a parsed definition; the top level is the safe answer for a score above it.
            &self.levels[self.levels.len() - 1]
        })
    }

    /// A commune's score for a month, from its informants' answers (option indexes per question,
    /// in the questionnaire's order): the sum over questions of the median of the informants'
    /// points, rounded up when it falls between two points (DATA-FORMATS.md §3). `None` without
    /// answers.
    pub fn score<'a>(&self, informants: impl IntoIterator<Item = &'a [u8]>) -> Option<u32> {
        let informants: Vec<&[u8]> = informants.into_iter().collect();
        if informants.is_empty() {
            return None;
        }
        let mut points = Vec::with_capacity(informants.len());
        let mut total = 0;
        for (q, question) in self.questions.iter().enumerate() {
            points.clear();
            points.extend(informants.iter().map(|options| {
                options.get(q).and_then(|&o| question.options.get(usize::from(o))).map_or(0, |o| u32::from(o.points))
            }));
            total += median_rounded_up(&mut points);
        }
        Some(total)
    }
}

/// The median of whole points, rounded up when it falls between two values.
pub fn median_rounded_up(points: &mut [u32]) -> u32 {
    points.sort_unstable();
    let n = points.len();
    match n {
        0 => 0,
        _ if n % 2 == 1 => points[n / 2],
        _ => (points[n / 2 - 1] + points[n / 2]).div_ceil(2),
    }
}

/// One version of the risk index definition, and the first month it scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskVersion {
    /// 1 is the definition embedded in Vigie; loaded definitions count on from 2.
    pub version: u32,
    /// `None`: from the beginning.
    pub from: Option<Month>,
    pub definition: RiskDefinition,
}

/// Every version of the risk index definition, each scoring the months from its `from` to the
/// next version's. A month is always scored with the version in force for it, so loading a new
/// definition never rescores the months before its `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskIndex {
    /// Sorted by `from`, then version; never empty.
    versions: Vec<RiskVersion>,
    /// See [`RiskIndex::question_columns`]; kept with the versions, read for every answer.
    columns: Vec<(String, bool)>,
}

impl RiskIndex {
    pub fn new(built_in: RiskDefinition) -> RiskIndex {
        let mut index = RiskIndex { versions: Vec::new(), columns: Vec::new() };
        index.add(RiskVersion { version: 1, from: None, definition: built_in });
        index
    }

    /// Adds a version; a later version with the same `from` replaces an earlier one.
    pub fn add(&mut self, version: RiskVersion) {
        self.versions.push(version);
        self.versions.sort_by_key(|v| (v.from, v.version));
        let mut columns: Vec<(String, bool)> = Vec::new();
        for v in self.versions.iter().rev() {
            for q in &v.definition.questions {
                if !columns.iter().any(|(code, _)| *code == q.code) {
                    let everywhere =
                        self.versions.iter().all(|v| v.definition.questions.iter().any(|o| o.code == q.code));
                    columns.push((q.code.clone(), everywhere));
                }
            }
        }
        self.columns = columns;
    }

    pub fn versions(&self) -> &[RiskVersion] {
        &self.versions
    }

    /// The version that scores `month`.
    pub fn for_month(&self, month: Month) -> &RiskVersion {
        self.versions.iter().rev().find(|v| v.from.is_none_or(|from| from <= month)).unwrap_or(&self.versions[0])
    }

    /// The version that scores months from now on: the one with the latest `from`.
    pub fn current(&self) -> &RiskVersion {
        &self.versions[self.versions.len() - 1]
    }

    /// The definition of `month`, for callers that need no version number.
    pub fn definition(&self, month: Month) -> &RiskDefinition {
        &self.for_month(month).definition
    }

    /// Every question code of every version, newest version first, in order of first
    /// appearance, each required when every version asks it: the question columns of
    /// `risk_answers.csv` (a file may span months of different versions).
    pub fn question_columns(&self) -> &[(String, bool)] {
        &self.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    fn definition() -> RiskDefinition {
        Catalog::builtin().risk.current().definition.clone()
    }

    /// Option index of `points` for question `q` of the built-in questionnaire.
    fn option(d: &RiskDefinition, q: usize, points: u8) -> u8 {
        d.questions[q].options.iter().position(|o| o.points == points).expect("option with these points") as u8
    }

    /// Answers giving `points` to Q01 and 0 to every other question.
    fn answers(d: &RiskDefinition, points: u8) -> Vec<u8> {
        (0..d.questions.len()).map(|q| option(d, q, if q == 0 { points } else { 0 })).collect()
    }

    #[test]
    fn median_rounds_up_only_between_two_points() {
        assert_eq!(median_rounded_up(&mut [2]), 2);
        assert_eq!(median_rounded_up(&mut [0, 2]), 1);
        assert_eq!(median_rounded_up(&mut [1, 2]), 2);
        assert_eq!(median_rounded_up(&mut [2, 0, 1]), 1);
        assert_eq!(median_rounded_up(&mut [0, 0, 2]), 0);
        assert_eq!(median_rounded_up(&mut [0, 1, 2, 2]), 2);
        assert_eq!(median_rounded_up(&mut [0, 0, 1, 2]), 1);
    }

    #[test]
    fn score_is_the_sum_of_per_question_medians() {
        let d = definition();
        let one = answers(&d, 2);
        assert_eq!(d.score([one.as_slice()]), Some(2), "one informant");
        let (zero, two, one_point) = (answers(&d, 0), answers(&d, 2), answers(&d, 1));
        assert_eq!(d.score([zero.as_slice(), two.as_slice()]), Some(1), "0 and 2 give 1");
        assert_eq!(d.score([one_point.as_slice(), two.as_slice()]), Some(2), "1 and 2 give 2");
        assert_eq!(d.score([zero.as_slice(), two.as_slice(), two.as_slice()]), Some(2), "three informants");
        assert_eq!(d.score(std::iter::empty::<&[u8]>()), None, "a month without answers has no score");
        // Every question at its highest option, by every informant: the maximum score.
        let top: Vec<u8> = d.questions.iter().map(|q| (q.options.len() - 1) as u8).collect();
        assert_eq!(d.score([top.as_slice(), top.as_slice()]), Some(d.max_score()));
        assert_eq!(d.max_score(), 30);
    }

    #[test]
    fn level_boundaries_follow_risk_levels_csv() {
        let d = definition();
        let level = |score| d.level(score).level;
        assert_eq!([level(0), level(5), level(6), level(14)], [1, 1, 2, 2]);
        assert_eq!([level(15), level(19), level(20), level(30)], [3, 3, 4, 4]);
    }

    #[test]
    fn levels_with_a_gap_or_short_of_the_maximum_are_refused() {
        let questions = crate::catalog::embedded("spec/risk_index.csv");
        let parse = |levels: &str| RiskDefinition::parse("q.csv", questions, "levels.csv", levels);
        let header = "level,min_points,max_points,label_fr,label_en\n";
        let gap = format!("{header}1,0,5,a,a\n2,7,30,b,b\n");
        assert!(parse(&gap).expect_err("gap").to_string().contains("expected it to start at 6"));
        let short = format!("{header}1,0,5,a,a\n2,6,20,b,b\n");
        assert!(parse(&short).expect_err("short").to_string().contains("up to 30"));
        assert!(parse(&format!("{header}1,0,10,a,a\n2,11,30,b,b\n")).is_ok());
    }

    #[test]
    fn each_month_keeps_the_version_in_force_for_it() {
        let built_in = definition();
        let mut strict = built_in.clone();
        strict.levels[0].max_points = 1;
        strict.levels[1].min_points = 2;
        let mut index = RiskIndex::new(built_in.clone());
        let month = |m| Month::new(2021, m).expect("month");
        index.add(RiskVersion { version: 2, from: Some(month(11)), definition: strict.clone() });
        assert_eq!(index.for_month(month(10)).version, 1);
        assert_eq!(index.for_month(month(11)).version, 2);
        assert_eq!(index.for_month(month(12)).version, 2);
        assert_eq!(index.current().version, 2);
        // The same answers: stable in October under version 1, moderate in November under 2.
        let a = answers(&built_in, 2);
        let (october, november) = (index.definition(month(10)), index.definition(month(11)));
        let level = |d: &RiskDefinition| d.level(d.score([a.as_slice(), a.as_slice()]).unwrap_or(0)).level;
        assert_eq!((level(october), level(november)), (1, 2));
        assert_eq!(index.question_columns().len(), 15);
    }
}
