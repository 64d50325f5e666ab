//! The protection risk index questionnaire and its levels (`risk_index.csv`, `risk_levels.csv`).
//! A cluster may load its own questionnaire, so it is data, not code.

use crate::reference::Label;
use crate::{ReferenceError, invalid, read_reference_csv};

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
        let rows = read_reference_csv(
            questions_file,
            questions,
            &["question", "dimension", "option", "points", "text_fr", "text_en"],
        )?;
        let mut parsed: Vec<Question> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let line = i as u64 + 2;
            let text = Label { fr: r[4].to_owned(), en: r[5].to_owned() };
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
        let levels =
            read_reference_csv(levels_file, levels, &["level", "min_points", "max_points", "label_fr", "label_en"])?
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let n = |s: &str| {
                        s.parse::<u32>()
                            .map_err(|_| invalid(levels_file, i as u64 + 2, format!("`{s}` is not a whole number")))
                    };
                    Ok(Level {
                        level: n(&r[0])? as u8,
                        min_points: n(&r[1])?,
                        max_points: n(&r[2])?,
                        label: Label { fr: r[3].to_owned(), en: r[4].to_owned() },
                    })
                })
                .collect::<Result<Vec<_>, ReferenceError>>()?;
        Ok(RiskDefinition { questions: parsed, levels })
    }
}
