//! The monthly report as a [`Document`], section by section as in the seed report. Every
//! number in a sentence is read from the `tables.csv` cells through [`Figures`], which records
//! it as a claim: the consistency test checks each claim, and each number of the text, against
//! the tables.

use std::cell::RefCell;
use std::collections::HashMap;

use vigie_core::aggregate::{MonthTables, Ranked};
use vigie_core::{Catalog, ListKind, Month};

use crate::charts;
use crate::document::{Block, Document, Table};
use crate::format::{self, Trend, capitalize, de, int, list};
use crate::labels::Lang;
use crate::long_form::Cell;

/// What analysts add to a report (`--inputs DIR`).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Actor, action, zone, follow-up.
    pub recommendations: Vec<[String; 4]>,
    /// Per reporting-region code, the analyst's paragraphs.
    pub analyses: HashMap<String, String>,
}

/// What the annexes show beside the tables: the month's flash alerts, and per commune the
/// violations from January to the report month (the monitoring's coverage).
#[derive(Debug, Clone, Default)]
pub struct Annexes {
    pub alerts: Vec<vigie_core::Alert>,
    pub coverage: Vec<u64>,
}

/// A figure quoted in the text: `(table, row, column) = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub table: String,
    pub row: String,
    pub column: String,
    pub value: u64,
}

/// The `tables.csv` cells, looked up by key; every lookup is recorded.
pub struct Figures {
    cells: HashMap<(String, String, String), u64>,
    claims: RefCell<Vec<Claim>>,
}

impl Figures {
    pub fn new(cells: &[Cell]) -> Figures {
        Figures {
            cells: cells.iter().map(|c| ((c.table.to_owned(), c.row.clone(), c.column.clone()), c.value)).collect(),
            claims: RefCell::new(Vec::new()),
        }
    }

    /// A cell's value (0 for an omitted zero cell), recorded as a claim.
    pub fn get(&self, table: &str, row: &str, column: &str) -> u64 {
        let value = self.cells.get(&(table.to_owned(), row.to_owned(), column.to_owned())).copied().unwrap_or(0);
        self.claims.borrow_mut().push(Claim { table: table.into(), row: row.into(), column: column.into(), value });
        value
    }

    pub fn claims(&self) -> Vec<Claim> {
        self.claims.borrow().clone()
    }
}

struct Ctx<'a> {
    t: &'a MonthTables,
    c: &'a Catalog,
    lang: Lang,
    f: &'a Figures,
    month: Month,
    /// `2021-11`
    m: String,
    /// `2021-10`
    p: String,
}

impl Ctx<'_> {
    fn fr(&self) -> bool {
        self.lang == Lang::Fr
    }

    /// The month as a sentence says it after "au mois" ("de novembre 2021", "d'octobre 2021") or
    /// "in" ("November 2021"): the same argument for both languages' templates.
    fn month_words(&self, month: Month) -> String {
        if self.fr() { de(&self.month_name(month)) } else { self.month_name(month) }
    }

    fn month_name(&self, month: Month) -> String {
        format!("{} {}", self.lang.month_name(month.number()), month.year())
    }

    fn category_label(&self, i: usize) -> String {
        self.lang.pick(&self.c.typology.categories[i].label).to_owned()
    }

    fn region_name(&self, i: usize) -> String {
        self.lang.pick(&self.c.geography.regions[i].name).to_owned()
    }

    /// A paragraph written in both languages, in the report's.
    fn paragraph(&self, fr: &str, en: &str) -> Block {
        Block::Paragraph(if self.fr() { fr } else { en }.to_owned())
    }

    /// A level of the month's risk index definition, as a sentence says it ("critique").
    fn level_name(&self, level: u64) -> String {
        let levels = &self.c.risk.definition(self.month).levels;
        levels
            .iter()
            .find(|l| u64::from(l.level) == level)
            .map_or_else(|| level.to_string(), |l| self.lang.pick(&l.label).to_lowercase())
    }

    fn n(&self, n: u64) -> String {
        int(self.lang, n)
    }

    fn pct(&self, part: u64, whole: u64, decimals: usize) -> String {
        format::percent(self.lang, vigie_core::aggregate::share(part, whole), decimals)
    }

    fn source(&self) -> String {
        let when = self.month_name(self.month);
        if self.fr() {
            format!("Source : système de monitoring de protection, {when} (Vigie)")
        } else {
            format!("Source: protection monitoring system, {when} (Vigie)")
        }
    }
}

const MONTHS_FR: [&str; 12] = ["Jan", "Fév", "Mars", "Avr", "Mai", "Juin", "Juil", "Août", "Sept", "Oct", "Nov", "Déc"];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Builds the report. `public` leaves out every sentence, the analyses and every figure below
/// region level or by victim profile; its tables are suppressed by the caller.
pub fn build(
    t: &MonthTables,
    catalog: &Catalog,
    cells: &[Cell],
    lang: Lang,
    inputs: &Inputs,
    extra: &Annexes,
    public: bool,
) -> (Document, Vec<Claim>) {
    let figures = Figures::new(cells);
    let cx = Ctx {
        t,
        c: catalog,
        lang,
        f: &figures,
        month: t.month,
        m: t.month.to_string(),
        p: t.month.previous().to_string(),
    };
    let mut blocks = Vec::new();
    typology(&cx, &mut blocks);
    overview(&cx, &mut blocks, public);
    categories(&cx, &mut blocks, public);
    regions(&cx, &mut blocks, inputs, public);
    risk(&cx, &mut blocks, public);
    if !public {
        people_and_places(&cx, &mut blocks);
    }
    recommendations(&cx, &mut blocks, inputs);
    annexes(&cx, &mut blocks, extra, public);
    let (title, subtitle) = if cx.fr() {
        (
            format!("Rapport mensuel de monitoring de protection — {}", lang.pick(&catalog.geography.country.name)),
            format!(
                "N° {} – {}{}",
                t.month.number(),
                capitalize(&cx.month_name(t.month)),
                if public { " (version publique)" } else { "" }
            ),
        )
    } else {
        (
            format!("Monthly protection monitoring report — {}", lang.pick(&catalog.geography.country.name)),
            format!(
                "No. {} – {}{}",
                t.month.number(),
                cx.month_name(t.month),
                if public { " (public version)" } else { "" }
            ),
        )
    };
    (Document { lang, title, subtitle, blocks }, figures.claims())
}

fn typology(cx: &Ctx<'_>, out: &mut Vec<Block>) {
    out.push(Block::Heading {
        level: 1,
        text: if cx.fr() { "Typologie des violations" } else { "Typology of violations" }.into(),
    });
    let items =
        cx.c.typology
            .categories
            .iter()
            .enumerate()
            .map(|(i, category)| {
                let subtypes: Vec<&str> =
                    cx.c.typology
                        .subtypes
                        .iter()
                        .filter(|s| s.category as usize == i)
                        .map(|s| cx.lang.pick(&s.label))
                        .collect();
                format!("{}. {} : {}.", category.code, cx.lang.pick(&category.label), subtypes.join(", "))
            })
            .collect();
    out.push(Block::Bullets(items));
}

fn overview(cx: &Ctx<'_>, out: &mut Vec<Block>, public: bool) {
    let f = cx.f;
    let fr = cx.fr();
    out.push(Block::Heading {
        level: 1,
        text: if fr {
            "I – Aperçu de l'environnement de protection"
        } else {
            "I – Overview of the protection environment"
        }
        .into(),
    });
    let total = f.get("category_by_month", "TOTAL", &cx.m);
    let previous = f.get("category_by_month", "TOTAL", &cx.p);
    let ytd = f.get("region_by_month", "TOTAL", "TOTAL");
    let january = Month::new(cx.month.year(), 1).unwrap_or(cx.month);
    out.push(Block::Bullets(if fr {
        vec![
            format!("Nombre de violations en {} : {}", cx.month_name(cx.month), cx.n(total)),
            format!("Nombre de violations depuis {} : {}", cx.month_name(january), cx.n(ytd)),
        ]
    } else {
        vec![
            format!("Violations in {}: {}", cx.month_name(cx.month), cx.n(total)),
            format!("Violations since {}: {}", cx.month_name(january), cx.n(ytd)),
        ]
    }));
    let months: Vec<Month> = cx.month.months_of_year().take_while(|m| *m <= cx.month).collect();
    let labels: Vec<String> = months.iter().map(|m| month_abbrev(cx.lang, *m).to_owned()).collect();
    let values: Vec<u64> = (0..months.len()).map(|i| cx.t.month_total(i)).collect();
    let caption = if fr { "Violations documentées par mois" } else { "Violations documented per month" };
    out.push(Block::Figure {
        caption: caption.into(),
        svg: charts::lines(caption, &labels, &[(caption.into(), values)], &cx.source()),
    });
    if public {
        return;
    }
    let trend = Trend::of(total, previous).word(cx.lang);
    let (year, now, then) = (cx.month.year(), cx.month_words(cx.month), cx.month_words(cx.month.previous()));
    let (documented, previous) = (format::were_documented(cx.lang, total), cx.n(previous));
    let mut text = if fr {
        let since = format::were_documented(cx.lang, ytd);
        format!(
            "Depuis le début de l'année {year}, {since} par le système de monitoring de protection. Au mois {now}, {documented}, contre {previous} au mois {then} ({trend})."
        )
    } else {
        let since = format::count_violations(cx.lang, ytd);
        format!(
            "Since the beginning of {year}, the protection monitoring system has documented {since}. In {now}, {documented}, against {previous} in {then} ({trend})."
        )
    };
    if total == 0 {
        out.push(Block::Paragraph(text));
        return;
    }
    let codes: Vec<String> = cx.c.typology.categories.iter().map(|c| c.code.clone()).collect();
    let counts: Vec<u64> = codes.iter().map(|c| f.get("category_by_month", c, &cx.m)).collect();
    let top: Vec<String> = Ranked::rank(&counts)
        .iter()
        .take(3)
        .map(|r| format!("« {} » ({}, {})", cx.category_label(r.index), cx.n(r.count), cx.pct(r.count, total, 0)))
        .collect();
    text.push(' ');
    text.push_str(&if fr {
        format!("Les catégories les plus documentées ce mois sont {}.", list(cx.lang, &top))
    } else {
        format!("The most documented categories this month are {}.", list(cx.lang, &top))
    });
    let regions: Vec<u64> = cx.c.geography.regions.iter().map(|r| f.get("region_by_month", &r.code, &cx.m)).collect();
    let ranked = Ranked::rank(&regions);
    if let Some((first, rest)) = ranked.split_first() {
        let others: Vec<String> = rest
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} ({})",
                    if fr { de(&cx.region_name(r.index)) } else { cx.region_name(r.index) },
                    cx.pct(r.count, total, 2)
                )
            })
            .collect();
        text.push(' ');
        text.push_str(&if fr {
            format!(
                "Avec {} des violations documentées, la région {} est celle qui en a enregistré le plus{}",
                cx.pct(first.count, total, 2),
                de(&cx.region_name(first.index)),
                if others.is_empty() {
                    ".".to_owned()
                } else {
                    format!(". Elle est suivie des régions {}.", list(cx.lang, &others))
                }
            )
        } else {
            format!(
                "With {} of the violations documented, {} is the region that recorded the most{}",
                cx.pct(first.count, total, 2),
                cx.region_name(first.index),
                if others.is_empty() { ".".to_owned() } else { format!(", followed by {}.", list(cx.lang, &others)) }
            )
        });
    }
    out.push(Block::Paragraph(text));
}

/// The first `n` ranked names with their counts, ties together: "Mopti et Ségou (8 chacune)".
/// A tie is never cut: a group that starts before `n` is named whole.
fn ranked_names(lang: Lang, ranked: &[Ranked], n: usize, name: &dyn Fn(usize) -> String, feminine: bool) -> String {
    let mut out = Vec::new();
    let mut named = 0;
    for group in ranked.chunk_by(|a, b| a.count == b.count) {
        if named >= n {
            break;
        }
        named += group.len();
        let names: Vec<String> = group.iter().map(|r| name(r.index)).collect();
        let count = int(lang, group[0].count);
        if let [one] = names.as_slice() {
            out.push(format!("{one} ({count})"));
        } else {
            let each = match (lang, feminine) {
                (Lang::Fr, true) => "chacune",
                (Lang::Fr, false) => "chacun",
                (Lang::En, _) => "each",
            };
            out.push(format!("{} ({count} {each})", list(lang, &names)));
        }
    }
    // With a tie in the list, "a, b et c" would be ambiguous: groups are separated by ";".
    if named > out.len() { out.join(if lang == Lang::Fr { " ; " } else { "; " }) } else { list(lang, &out) }
}

fn month_abbrev(lang: Lang, month: Month) -> &'static str {
    let i = month.number() as usize - 1;
    if lang == Lang::Fr { MONTHS_FR[i] } else { MONTHS_EN[i] }
}

fn categories(cx: &Ctx<'_>, out: &mut Vec<Block>, public: bool) {
    let (f, fr) = (cx.f, cx.fr());
    out.push(Block::Heading {
        level: 1,
        text: if fr { "II – Tendances par catégorie" } else { "II – Trends by category" }.into(),
    });
    let months: Vec<Month> = cx.month.months_of_year().collect();
    let mut header = vec![
        if fr { "Typologies de violations (documentées)" } else { "Violation categories (documented)" }.to_owned(),
    ];
    header.extend(months.iter().map(|m| month_abbrev(cx.lang, *m).to_owned()));
    header.push(cx.lang.total().into());
    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut order: Vec<usize> = (0..codes.len()).filter(|&i| cx.t.category_year_to_date(i) > 0).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cx.t.category_year_to_date(i)));
    for &i in &order {
        let mut row = vec![cx.category_label(i)];
        row.extend(months.iter().map(|m| cx.n(f.get("category_by_month", codes[i], &m.to_string()))));
        row.push(cx.n(cx.t.category_year_to_date(i)));
        rows.push(row);
    }
    let mut total = vec![cx.lang.total().to_owned()];
    total.extend(months.iter().map(|m| cx.n(f.get("category_by_month", "TOTAL", &m.to_string()))));
    total.push(cx.n(cx.t.year_to_date()));
    rows.push(total);
    out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));
    if public {
        return;
    }
    let month_total = f.get("category_by_month", "TOTAL", &cx.m);
    let mut by_count: Vec<usize> = (0..codes.len()).collect();
    by_count.sort_by_key(|&i| std::cmp::Reverse(f.get("category_by_month", codes[i], &cx.m)));
    for i in by_count {
        let n = f.get("category_by_month", codes[i], &cx.m);
        let before = f.get("category_by_month", codes[i], &cx.p);
        out.push(Block::Heading { level: 2, text: cx.category_label(i) });
        if n == 0 {
            let (now, then, before) = (cx.month_words(cx.month), cx.month_words(cx.month.previous()), cx.n(before));
            out.push(Block::Paragraph(if fr {
                format!(
                    "Aucune violation n'a été documentée dans cette catégorie au mois {now} (contre {before} au mois {then})."
                )
            } else {
                format!("No violation was documented in this category in {now} (against {before} in {then}).")
            }));
            continue;
        }
        let subtypes: Vec<(usize, &str)> =
            cx.c.typology
                .subtypes
                .iter()
                .enumerate()
                .filter(|(_, s)| s.category as usize == i)
                .map(|(j, s)| (j, s.code.as_str()))
                .collect();
        let sub_counts: Vec<u64> = subtypes.iter().map(|(_, code)| f.get("subtype", code, "count")).collect();
        let top_sub: Vec<String> = Ranked::rank(&sub_counts)
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} ({})",
                    cx.lang.pick(&cx.c.typology.subtypes[subtypes[r.index].0].label).to_lowercase(),
                    cx.n(r.count)
                )
            })
            .collect();
        let region_counts: Vec<u64> =
            cx.c.geography.regions.iter().map(|r| f.get("category_by_region", codes[i], &r.code)).collect();
        let top_regions = ranked_names(cx.lang, &Ranked::rank(&region_counts), 3, &|r| cx.region_name(r), true);
        let trend = Trend::of(n, before).word(cx.lang);
        let (now, then) = (cx.month_words(cx.month), cx.month_words(cx.month.previous()));
        let (documented, share, before) =
            (format::were_documented(cx.lang, n), cx.pct(n, month_total, 0), cx.n(before));
        let types = list(cx.lang, &top_sub);
        out.push(Block::Paragraph(if fr {
            format!(
                "Au mois {now}, {documented} dans cette catégorie, soit {share} de toutes les violations du mois ({trend} par rapport au mois {then} : {before}). Les types de violations les plus documentés sont : {types}. Les régions les plus concernées sont {top_regions}."
            )
        } else {
            format!(
                "In {now}, {documented} in this category, {share} of all violations of the month ({trend} from {then}: {before}). The most documented types are: {types}. The regions most affected are {top_regions}."
            )
        }));
    }
}

fn regions(cx: &Ctx<'_>, out: &mut Vec<Block>, inputs: &Inputs, public: bool) {
    let (f, fr) = (cx.f, cx.fr());
    out.push(Block::Heading {
        level: 1,
        text: if fr { "III – Tendances par région" } else { "III – Trends by region" }.into(),
    });
    let months: Vec<Month> = cx.month.months_of_year().collect();
    let mut header = vec![if fr { "Région" } else { "Region" }.to_owned()];
    header.extend(months.iter().map(|m| month_abbrev(cx.lang, *m).to_owned()));
    header.push(cx.lang.total().into());
    header.push("%".into());
    let ytd = f.get("region_by_month", "TOTAL", "TOTAL");
    let regions = &cx.c.geography.regions;
    let mut order: Vec<usize> = (0..regions.len()).filter(|&r| cx.t.region_year_to_date(r) > 0).collect();
    order.sort_by_key(|&r| cx.region_name(r));
    let mut rows = Vec::new();
    for &r in &order {
        let mut row = vec![cx.region_name(r)];
        row.extend(months.iter().map(|m| cx.n(f.get("region_by_month", &regions[r].code, &m.to_string()))));
        let total = f.get("region_by_month", &regions[r].code, "TOTAL");
        row.push(cx.n(total));
        row.push(cx.pct(total, ytd, 0));
        rows.push(row);
    }
    let mut total = vec![cx.lang.total().to_owned()];
    total.extend(months.iter().map(|m| cx.n(f.get("region_by_month", "TOTAL", &m.to_string()))));
    total.push(cx.n(ytd));
    total.push(cx.pct(ytd, ytd, 0));
    rows.push(total);
    out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));

    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let labels: Vec<String> = (0..codes.len()).map(|i| cx.category_label(i)).collect();
    let month_total = f.get("region_by_month", "TOTAL", &cx.m);
    let mut silent = Vec::new();
    for &r in &order {
        let code = &regions[r].code;
        let n = f.get("region_by_month", code, &cx.m);
        let before = f.get("region_by_month", code, &cx.p);
        if n == 0 && before == 0 {
            silent.push(cx.region_name(r));
            continue;
        }
        let name = cx.region_name(r);
        out.push(Block::Heading {
            level: 2,
            text: if fr { format!("Région {}", de(&name)) } else { format!("{name} region") },
        });
        if !public {
            let trend = Trend::of(n, before).word(cx.lang);
            let (now, then) = (cx.month_words(cx.month), cx.month_words(cx.month.previous()));
            let (documented, share, before) =
                (format::were_documented(cx.lang, n), cx.pct(n, month_total, 0), cx.n(before));
            out.push(Block::Paragraph(if fr {
                let region = de(&name);
                format!(
                    "Au mois {now}, {documented} dans la région {region}, contre {before} au mois {then} ({trend}), soit {share} des violations du mois."
                )
            } else {
                format!(
                    "In {now}, {documented} in {name}, against {before} in {then} ({trend}), {share} of the month's violations."
                )
            }));
        }
        if n > 0 {
            let items: Vec<(String, u64)> = (0..codes.len())
                .map(|i| (labels[i].clone(), f.get("category_by_region", codes[i], code)))
                .filter(|(_, v)| *v > 0)
                .collect();
            let caption = if fr {
                format!("Violations par catégorie, région {}", de(&name))
            } else {
                format!("Violations by category, {name}")
            };
            let lang = cx.lang;
            out.push(Block::Figure { svg: charts::bars(&caption, &items, &|v| int(lang, v), &cx.source()), caption });
        }
        if !public && n > 0 {
            let cercles: Vec<(String, u64)> =
                cx.c.geography
                    .cercles
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        cx.c.geography.communes.iter().any(|c| c.cercle as usize == *i && c.region.0 as usize == r)
                    })
                    .map(|(_, c)| (c.unit.name.clone(), f.get("admin2", &c.unit.pcode, "count")))
                    .collect();
            let counts: Vec<u64> = cercles.iter().map(|c| c.1).collect();
            let top = ranked_names(cx.lang, &Ranked::rank(&counts), 4, &|c| cercles[c].0.clone(), false);
            if !top.is_empty() {
                out.push(Block::Bullets(vec![if fr {
                    format!("Cercles les plus touchés : {top}.")
                } else {
                    format!("Most affected cercles: {top}.")
                }]));
            }
        }
        if !public && let Some(text) = inputs.analyses.get(code.as_str()) {
            out.push(Block::Analysis(text.trim().to_owned()));
        }
    }
    let quiet: Vec<String> =
        (0..regions.len()).filter(|&r| !order.contains(&r)).map(|r| cx.region_name(r)).chain(silent).collect();
    if !quiet.is_empty() && !public {
        let (now, quiet) = (cx.month_words(cx.month), list(cx.lang, &quiet));
        out.push(Block::Paragraph(if fr {
            format!("Aucune violation n'a été documentée au mois {now} dans les régions suivantes : {quiet}.")
        } else {
            format!("No violation was documented in {now} in the following regions: {quiet}.")
        }));
    }
}

fn risk(cx: &Ctx<'_>, out: &mut Vec<Block>, public: bool) {
    let fr = cx.fr();
    let definition = cx.c.risk.definition(cx.month);
    let levels = &definition.levels;
    out.push(Block::Heading {
        level: 1,
        text: if fr { "IV – Indice de risque de protection" } else { "IV – Protection risk index" }.into(),
    });
    out.push(Block::Paragraph(
        if fr { "Légende des niveaux de l'indice des risques de protection" } else { "Protection risk index levels" }
            .into(),
    ));
    let rows = levels
        .iter()
        .rev()
        .map(|l| {
            let points = format!("{} – {} points", l.min_points, l.max_points);
            let text = crate::labels::level_description(cx.lang, l.level, levels.len())
                .map_or_else(|| cx.lang.pick(&l.label).to_owned(), str::to_owned);
            vec![l.level.to_string(), points, text]
        })
        .collect();
    let header = if fr { ["Niveau", "Points", "Situation"] } else { ["Level", "Points", "Situation"] };
    out.push(Block::Table(Table {
        header: header.map(str::to_owned).to_vec(),
        rows,
        numeric_from: 3,
        total_row: false,
    }));
    if !public {
        out.push(cx.paragraph(
            "La sévérité de protection mesurée par l'indice de risque est basée sur la perception de l'environnement de protection, collectée chaque mois auprès d'informateurs clés dans les communes suivies. L'indice n'est pas établi uniquement sur les incidents de protection rapportés au cours du mois : son questionnaire considère aussi les menaces présentes, les services de protection disponibles, la vulnérabilité et les capacités de la population civile à s'auto-protéger et à prévenir les risques de protection. Il permet de suivre l'évolution de la situation de protection au fil du temps et de dégager des tendances géographiques de sévérité.",
            "The protection severity measured by the risk index is based on the perception of the protection environment, collected every month from key informants in the monitored communes. The index does not rest only on the protection incidents reported during the month: its questionnaire also considers the threats present, the protection services available, and the civilian population's vulnerability and capacity to protect itself and prevent protection risks. It shows how the protection situation develops over time and where it is most severe.",
        ));
    }
    let risk = &cx.t.risk;
    if risk.communes.is_empty() {
        out.push(cx.paragraph(
            "Aucune donnée de l'indice de risque n'a été enregistrée pour ce mois.",
            "No risk index data was recorded for this month.",
        ));
        return;
    }
    let f = cx.f;
    // Column titles of the tables by level, most severe first.
    let level_headers: Vec<String> =
        levels.iter().rev().map(|l| capitalize(&cx.level_name(u64::from(l.level)))).collect();
    if !public {
        let assessed = f.get("risk_coverage", "TOTAL", "assessed");
        let communes = f.get("risk_coverage", "TOTAL", "communes");
        let per_level: Vec<String> = levels
            .iter()
            .rev()
            .map(|l| {
                let n = f.get("risk_level_by_region", "TOTAL", &l.level.to_string());
                if fr {
                    format!("{} en situation {}", cx.n(n), cx.level_name(u64::from(l.level)))
                } else {
                    format!("{} {}", cx.n(n), cx.level_name(u64::from(l.level)))
                }
            })
            .collect();
        let (when, n, of, share) =
            (cx.month_name(cx.month), cx.n(assessed), cx.n(communes), cx.pct(assessed, communes, 0));
        let per_level = list(cx.lang, &per_level);
        out.push(Block::Paragraph(if fr {
            format!(
                "En {when}, l'indice de risque a été établi pour {n} communes sur les {of} communes des régions suivies ({share}) : {per_level}. La carte de l'indice figure en annexe."
            )
        } else {
            format!(
                "In {when}, the risk index was established for {n} communes out of the {of} communes of the monitored regions ({share}): {per_level}. The map of the index is in the annexes."
            )
        }));
    }
    // Communes per region and level: a table of counts, readable in both versions.
    let regions: Vec<usize> = risk.monitored_regions().collect();
    let mut header = vec![if fr { "Région" } else { "Region" }.to_owned()];
    header.extend(level_headers.iter().cloned());
    header.push(if fr { "Communes évaluées" } else { "Communes assessed" }.to_owned());
    header.push(if fr { "Communes de la région" } else { "Communes of the region" }.to_owned());
    let mut rows: Vec<Vec<String>> = regions
        .iter()
        .map(|&r| {
            let mut row = vec![cx.region_name(r)];
            row.extend(levels.iter().rev().map(|l| cx.n(risk.region_level(r, l.level))));
            row.push(cx.n(risk.region_assessed(r)));
            row.push(cx.n(risk.region_communes[r]));
            row
        })
        .collect();
    let mut total = vec![cx.lang.total().to_owned()];
    total.extend(levels.iter().rev().map(|l| cx.n(risk.level_total(l.level))));
    total.push(cx.n(risk.communes.len() as u64));
    total.push(cx.n(risk.monitored_communes()));
    rows.push(total);
    out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));
    if public {
        return;
    }

    for &r in &regions {
        risk_region(cx, r, &level_headers, out);
    }
}

/// A monitored region's level changes, in sentences named from the `risk_level` cells, and its
/// assessed communes at each level, by cercle.
fn risk_region(cx: &Ctx<'_>, r: usize, level_headers: &[String], out: &mut Vec<Block>) {
    let (fr, f, g, risk) = (cx.fr(), cx.f, &cx.c.geography, &cx.t.risk);
    let levels = &cx.c.risk.definition(cx.month).levels;
    out.push(Block::Heading { level: 2, text: cx.region_name(r) });
    // Level changes, worst first, each named from the `risk_level` cells.
    let mut changes: Vec<(u64, u64, usize)> = risk
        .communes
        .iter()
        .filter(|c| g.commune(c.commune).region.0 as usize == r && c.changed())
        .map(|c| {
            let pcode = &g.commune(c.commune).unit.pcode;
            (f.get("risk_level", pcode, "previous_level"), f.get("risk_level", pcode, "level"), c.commune.0 as usize)
        })
        .collect();
    changes.sort_by_key(|&(from, to, _)| (std::cmp::Reverse(to), std::cmp::Reverse(from)));
    let mut sentences = Vec::new();
    for (k, group) in changes.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)).enumerate() {
        let (from, to) = (cx.level_name(group[0].0), cx.level_name(group[0].1));
        let places = communes_by_cercle(cx, &group.iter().map(|c| c.2).collect::<Vec<_>>());
        sentences.push(match (fr, k) {
            (true, 0) => format!(
                "Dans la région {}, la situation de protection est passée de {from} à {to} {places}.",
                de(&cx.region_name(r))
            ),
            (true, _) => format!("Elle est passée de {from} à {to} {places}."),
            (false, 0) => format!(
                "In the {} region, the protection situation went from {from} to {to} {places}.",
                cx.region_name(r)
            ),
            (false, _) => format!("It went from {from} to {to} {places}."),
        });
    }
    if sentences.is_empty() {
        let then = cx.month_words(cx.month.previous());
        sentences.push(if fr {
            let region = de(&cx.region_name(r));
            format!("Dans la région {region}, aucune commune évaluée au mois {then} n'a changé de niveau.")
        } else {
            let region = cx.region_name(r);
            format!("In the {region} region, no commune assessed in {then} changed level.")
        });
    }
    out.push(Block::Paragraph(sentences.join(" ")));
    // The communes at each level, grouped by cercle.
    let mut cercles: Vec<u16> = risk
        .communes
        .iter()
        .map(|c| g.commune(c.commune))
        .filter(|c| c.region.0 as usize == r)
        .map(|c| c.cercle)
        .collect();
    cercles.sort_unstable();
    cercles.dedup();
    let mut header = vec!["Cercle".to_owned()];
    header.extend(level_headers.iter().cloned());
    let rows = cercles
        .iter()
        .map(|&cercle| {
            let mut row = vec![g.cercles[cercle as usize].unit.name.clone()];
            row.extend(levels.iter().rev().map(|l| {
                let names: Vec<&str> = risk
                    .communes
                    .iter()
                    .filter(|c| c.level == l.level && g.commune(c.commune).cercle == cercle)
                    .map(|c| g.commune(c.commune).unit.name.as_str())
                    .collect();
                names.join(", ")
            }));
            row
        })
        .collect();
    out.push(Block::Table(Table { header, rows, numeric_from: levels.len() + 1, total_row: false }));
}

/// "dans les communes de A et de B (cercle de Niono) et dans la commune de C (cercle de Ségou)".
fn communes_by_cercle(cx: &Ctx<'_>, communes: &[usize]) -> String {
    let g = &cx.c.geography;
    let mut by_cercle: Vec<(u16, Vec<&str>)> = Vec::new();
    for &i in communes {
        let c = &g.communes[i];
        match by_cercle.iter_mut().find(|(cercle, _)| *cercle == c.cercle) {
            Some((_, names)) => names.push(&c.unit.name),
            None => by_cercle.push((c.cercle, vec![&c.unit.name])),
        }
    }
    let parts: Vec<String> = by_cercle
        .iter()
        .map(|(cercle, names)| {
            let cercle = &g.cercles[*cercle as usize].unit.name;
            if cx.fr() {
                let names: Vec<String> = names.iter().map(|n| de(n)).collect();
                let which = if names.len() == 1 { "la commune" } else { "les communes" };
                format!("dans {which} {} (cercle {})", list(cx.lang, &names), de(cercle))
            } else {
                let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
                let which = if names.len() == 1 { "the commune of" } else { "the communes of" };
                format!("in {which} {} ({cercle} cercle)", list(cx.lang, &names))
            }
        })
        .collect();
    list(cx.lang, &parts)
}

fn people_and_places(cx: &Ctx<'_>, out: &mut Vec<Block>) {
    let (f, fr) = (cx.f, cx.fr());
    out.push(Block::Heading {
        level: 1,
        text: if fr {
            "V – Auteurs, victimes, lieux et horaires des violations"
        } else {
            "V – Perpetrators, victims, places and times"
        }
        .into(),
    });
    let total = f.get("category_by_region", "TOTAL", "TOTAL");
    let lang = cx.lang;
    let shares = |kind: ListKind, title_fr: &str, title_en: &str, out: &mut Vec<Block>, chart: bool| {
        let list_ = cx.c.lists.get(kind);
        let counts: Vec<u64> = list_.codes.iter().map(|c| f.get(kind.name(), &c.code, "count")).collect();
        let ranked = Ranked::rank(&counts);
        let title = if fr { title_fr } else { title_en };
        out.push(Block::Heading { level: 2, text: title.into() });
        if chart {
            let items: Vec<(String, u64)> =
                ranked.iter().map(|r| (lang.pick(&list_.codes[r.index].label).to_owned(), r.count)).collect();
            out.push(Block::Figure {
                svg: charts::bars(title, &items, &|v| int(lang, v), &cx.source()),
                caption: title.into(),
            });
        }
        let top: Vec<String> = ranked
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} ({} ; {})",
                    lang.pick(&list_.codes[r.index].label).to_lowercase(),
                    int(lang, r.count),
                    cx.pct(r.count, total, 0)
                )
                .replace(" ; ", if fr { " ; " } else { "; " })
            })
            .collect();
        if !top.is_empty() {
            out.push(Block::Paragraph(if fr {
                format!("{} les plus fréquents : {}.", title, list(lang, &top))
                    .replace("Lieux des violations les plus", "Lieux les plus")
            } else {
                format!("Most frequent {}: {}.", title.to_lowercase(), list(lang, &top))
            }));
        }
    };
    shares(ListKind::Perpetrator, "Présumés auteurs", "Alleged perpetrators", out, true);
    shares(ListKind::Occupation, "Statut socio-économique des victimes", "Victims' occupations", out, true);
    shares(ListKind::Sex, "Sexe des victimes", "Victims' sex", out, false);
    shares(ListKind::AgeGroup, "Âge des victimes", "Victims' age", out, false);
    shares(ListKind::Population, "Statut de déplacement des victimes", "Victims' displacement status", out, false);
    shares(ListKind::Place, "Lieux des violations", "Places of violations", out, true);

    let slots = cx.c.lists.get(ListKind::TimeSlot);
    let title = if fr { "Tranches horaires des violations" } else { "Time of day" };
    out.push(Block::Heading { level: 2, text: title.into() });
    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let groups: Vec<String> = slots.codes.iter().map(|s| lang.pick(&s.label).to_owned()).collect();
    let series: Vec<String> = (0..codes.len()).map(|i| cx.category_label(i)).collect();
    let value = |g: usize, s: usize| f.get("time_slot_by_category", &slots.codes[g].code, codes[s]);
    out.push(Block::Figure {
        svg: charts::stacked_columns(title, &groups, &series, &value, &cx.source()),
        caption: title.into(),
    });
    let slot_totals: Vec<u64> = slots.codes.iter().map(|s| f.get("time_slot_by_category", &s.code, "TOTAL")).collect();
    if let Some(top) = Ranked::rank(&slot_totals).first() {
        let by_category: Vec<u64> =
            codes.iter().map(|c| f.get("time_slot_by_category", &slots.codes[top.index].code, c)).collect();
        let main = Ranked::rank(&by_category);
        let slot = lang.pick(&slots.codes[top.index].label).to_lowercase();
        let detail = main.first().map(|m| (cx.category_label(m.index), m.count));
        out.push(Block::Paragraph(match (fr, detail) {
            (true, Some((label, n))) => format!(
                "La tranche horaire la plus fréquente est : {slot} ({}), dont {} dans la catégorie « {label} ».",
                int(lang, top.count),
                int(lang, n)
            ),
            (false, Some((label, n))) => format!(
                "The most frequent time of day is: {slot} ({}), of which {} in the category “{label}”.",
                int(lang, top.count),
                int(lang, n)
            ),
            (true, None) | (false, None) => String::new(),
        }));
    }
}

fn recommendations(cx: &Ctx<'_>, out: &mut Vec<Block>, inputs: &Inputs) {
    let fr = cx.fr();
    out.push(Block::Heading {
        level: 1,
        text: if fr { "VI – Recommandations" } else { "VI – Recommendations" }.into(),
    });
    if inputs.recommendations.is_empty() {
        out.push(cx.paragraph(
            "Aucune recommandation n'a été fournie pour ce mois.",
            "No recommendation was provided for this month.",
        ));
        return;
    }
    let header = if fr {
        ["Acteurs concernés", "Actions recommandées", "Zones d'intervention", "Suivi du Cluster"]
    } else {
        ["Actors", "Recommended actions", "Areas", "Cluster follow-up"]
    };
    out.push(Block::Table(Table {
        header: header.map(str::to_owned).to_vec(),
        rows: inputs.recommendations.iter().map(|r| r.to_vec()).collect(),
        numeric_from: 4,
        total_row: false,
    }));
}

fn annexes(cx: &Ctx<'_>, out: &mut Vec<Block>, extra: &Annexes, public: bool) {
    let fr = cx.fr();
    let lang = cx.lang;
    let when = cx.month_name(cx.month);
    out.push(Block::Heading { level: 1, text: "VII – Annexes".into() });
    let mut number = 0;
    let mut annex = |fr_title: &str, en_title: &str| {
        number += 1;
        if fr { format!("Annexe {number} – {fr_title}") } else { format!("Annex {number} – {en_title}") }
    };
    let counts = &cx.t.current.commune;
    let geography = &cx.c.geography;
    let value_of = |pcode: &str| {
        geography.commune_by_pcode(pcode).map(|id| {
            let n = counts[id.0 as usize];
            // Public maps show small counts only as a class below 5.
            if public && (1..5).contains(&n) { 1 } else { n }
        })
    };
    let legend = move |lower: u64, upper: u64| {
        if public && upper < 5 {
            "< 5".to_owned()
        } else if lower == upper {
            int(lang, lower)
        } else {
            format!("{} – {}", int(lang, lower), int(lang, upper))
        }
    };
    let none = if fr { "Aucune violation documentée" } else { "No violation documented" };
    let title =
        annex(&format!("Carte des violations par commune ({when})"), &format!("Map of violations by commune ({when})"));
    out.push(Block::Heading { level: 2, text: title.clone() });
    out.push(Block::Figure {
        svg: charts::choropleth(geography, &title, &value_of, &legend, none, &[], &cx.source()),
        caption: title,
    });

    let title = annex(&format!("Carte des alertes flash ({when})"), &format!("Map of flash alerts ({when})"));
    alerts(cx, out, extra, public, title);

    let title = annex(&format!("Carte de l'indice de risque ({when})"), &format!("Risk index map ({when})"));
    let risk = &cx.t.risk;
    let levels = &cx.c.risk.definition(cx.month).levels;
    let mut classes = vec![(if fr { "Non évaluée" } else { "Not assessed" }.to_owned(), "#e6e6e6")];
    for (l, colour) in levels.iter().zip(charts::severity_colours(levels.len())) {
        classes.push((format!("{} – {}", l.level, lang.pick(&l.label)), colour));
    }
    // A commune without answers is "not assessed", never "stable".
    let class_of = |pcode: &str| {
        Some(geography.commune_by_pcode(pcode).and_then(|id| risk.get(id)).map_or(0, |c| usize::from(c.level)))
    };
    out.push(Block::Heading { level: 2, text: title.clone() });
    out.push(Block::Figure {
        svg: charts::map(geography, &title, &class_of, &classes, &[], &cx.source()),
        caption: title,
    });

    if !public {
        out.push(Block::Heading { level: 2, text: annex("Liste des incidents", "List of incidents") });
        let file = crate::report::file_names(cx.lang, cx.month).incidents;
        out.push(Block::Paragraph(if fr {
            format!("La liste des incidents du mois est fournie dans le classeur {file}.")
        } else {
            format!("The month's list of incidents is in the workbook {file}.")
        }));
    }

    let title = annex(
        &format!("Zone de couverture du monitoring de protection ({when})"),
        &format!("Protection monitoring coverage ({when})"),
    );
    out.push(Block::Heading { level: 2, text: title.clone() });
    if !public && !risk.communes.is_empty() {
        let (assessed, communes) =
            (cx.f.get("risk_coverage", "TOTAL", "assessed"), cx.f.get("risk_coverage", "TOTAL", "communes"));
        let (now, share) = (cx.month_words(cx.month), cx.pct(assessed, communes, 0));
        let (assessed, communes) = (cx.n(assessed), cx.n(communes));
        out.push(Block::Paragraph(if fr {
            format!(
                "Au mois {now}, des informateurs clés ont été interrogés dans {assessed} des {communes} communes des régions suivies ({share})."
            )
        } else {
            format!(
                "In {now}, key informants were interviewed in {assessed} of the {communes} communes of the monitored regions ({share})."
            )
        }));
    }
    let classes = if fr {
        [
            ("Non couverte", "#ffffff"),
            ("Violations documentées depuis janvier", "#9ecae1"),
            ("Risque évalué ce mois par des informateurs clés", "#08519c"),
        ]
    } else {
        [
            ("Not covered", "#ffffff"),
            ("Violations documented since January", "#9ecae1"),
            ("Risk assessed this month by key informants", "#08519c"),
        ]
    }
    .map(|(label, colour)| (label.to_owned(), colour));
    let coverage = |pcode: &str| {
        let id = geography.commune_by_pcode(pcode)?;
        Some(if risk.get(id).is_some() {
            2
        } else if extra.coverage.get(id.0 as usize).is_some_and(|&n| n > 0) {
            1
        } else {
            0
        })
    };
    out.push(Block::Figure {
        svg: charts::map(geography, &title, &coverage, &classes, &[], &cx.source()),
        caption: title,
    });
}

/// The month's flash alerts: a map (points at their coordinates, else at their commune's
/// centroid; only at the commune in the public version), sized by persons affected, and a table
/// (one row per alert; counts by region and event type in the public version).
fn alerts(cx: &Ctx<'_>, out: &mut Vec<Block>, extra: &Annexes, public: bool, title: String) {
    let fr = cx.fr();
    let g = &cx.c.geography;
    let points: Vec<(f64, f64, f64)> = extra
        .alerts
        .iter()
        .map(|a| {
            let unit = &g.commune(a.commune).unit;
            let (lat, lon) = match (a.location, public) {
                (Some(p), false) => (p.lat, p.lon),
                _ => (unit.lat, unit.lon),
            };
            (lon, lat, 2.5 + (a.affected_persons.unwrap_or(0) as f64).sqrt() / 6.0)
        })
        .collect();
    let dots = if fr {
        "Cercle : une alerte, sa taille selon les personnes affectées"
    } else {
        "Circle: one alert, sized by persons affected"
    };
    out.push(Block::Heading { level: 2, text: title.clone() });
    out.push(Block::Figure {
        svg: charts::map(g, &title, &|_| None, &[(dots.to_owned(), "#ffffff")], &points, &cx.source()),
        caption: title,
    });
    if extra.alerts.is_empty() {
        out.push(Block::Paragraph(
            if fr {
                "Aucune alerte flash n'a été reçue ce mois."
            } else {
                "No flash alert was received this month."
            }
            .into(),
        ));
        return;
    }
    let region_of = |a: &vigie_core::Alert| g.commune(a.commune).region.0 as usize;
    if public {
        let alerts = &cx.t.alerts;
        let regions: Vec<usize> = (0..g.regions.len()).filter(|&r| alerts.region(r) > 0).collect();
        let mut header = vec![if fr { "Type d'événement" } else { "Event type" }.to_owned()];
        header.extend(regions.iter().map(|&r| cx.region_name(r)));
        header.push(cx.lang.total().to_owned());
        let mut rows: Vec<Vec<String>> = vigie_core::EventType::ALL
            .iter()
            .enumerate()
            .filter(|(e, _)| alerts.event(*e) > 0)
            .map(|(e, event)| {
                let mut row = vec![crate::labels::event_type(cx.lang, *event).to_owned()];
                row.extend(regions.iter().map(|&r| cx.n(alerts.region_event(r, e))));
                row.push(cx.n(alerts.event(e)));
                row
            })
            .collect();
        let mut total = vec![cx.lang.total().to_owned()];
        total.extend(regions.iter().map(|&r| cx.n(alerts.region(r))));
        total.push(cx.n(alerts.total));
        rows.push(total);
        out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));
        return;
    }
    let header = if fr {
        ["Date", "Région", "Cercle", "Commune", "Type d'événement", "Ménages", "Personnes"]
    } else {
        ["Date", "Region", "Cercle", "Commune", "Event type", "Households", "Persons"]
    };
    let optional = |n: Option<u32>| n.map_or_else(|| "–".to_owned(), |n| cx.n(u64::from(n)));
    let rows = extra
        .alerts
        .iter()
        .map(|a| {
            let commune = g.commune(a.commune);
            vec![
                vigie_core::records::iso_date(a.date),
                cx.region_name(region_of(a)),
                g.cercles[commune.cercle as usize].unit.name.clone(),
                commune.unit.name.clone(),
                crate::labels::event_type(cx.lang, a.event_type).to_owned(),
                optional(a.affected_households),
                optional(a.affected_persons),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        header: header.map(str::to_owned).to_vec(),
        rows,
        numeric_from: 5,
        total_row: false,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_named_together_and_never_cut() {
        let names = ["Mopti", "Ségou", "Tombouctou", "Gao"];
        let name = |i: usize| names[i].to_owned();
        let ranked = Ranked::rank(&[8, 8, 4, 4]);
        assert_eq!(
            ranked_names(Lang::Fr, &ranked, 3, &name, true),
            "Mopti et Ségou (8 chacune) ; Tombouctou et Gao (4 chacune)"
        );
        assert_eq!(ranked_names(Lang::En, &ranked, 2, &name, true), "Mopti and Ségou (8 each)");
        let ranked = Ranked::rank(&[1200, 3, 0, 1]);
        assert_eq!(ranked_names(Lang::Fr, &ranked, 3, &name, false), "Mopti (1\u{202F}200), Ségou (3) et Gao (1)");
        assert_eq!(ranked_names(Lang::Fr, &Ranked::rank(&[0, 0]), 3, &name, false), "");
    }
}
