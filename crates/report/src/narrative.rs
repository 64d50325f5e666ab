//! The monthly report as a [`Document`], section by section as in the seed report. Every word
//! comes from the language's message catalog; every number of a sentence or table cell is read
//! from the `tables.csv` cells through [`Figures`] and recorded with the text that shows it, as
//! a [`Quote`]: the consistency check (`consistency.rs`) holds each text's numbers, in order,
//! against its own quotes.

use std::cell::RefCell;
use std::collections::HashMap;

use vigie_core::aggregate::{Disclosure, MinCount, MonthTables, Ranked, Shown, SignalKind, UnitLevel};
use vigie_core::reference::UNKNOWN;
use vigie_core::{Catalog, ListKind, Month};
use vigie_i18n::{Args, Lang};

use crate::charts;
use crate::document::{Block, Document, Quote, Table, Text};
use crate::format::{Trend, capitalize};
use crate::labels::Pick;
use crate::long_form::Cell;

/// What analysts add to a report (`--inputs DIR`).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The month's context: the events an analyst tells before the figures (section I).
    pub context: Option<String>,
    /// Actor, action, zone, follow-up.
    pub recommendations: Vec<[String; 4]>,
    /// Per reporting-region code, the analyst's paragraphs.
    pub analyses: HashMap<String, String>,
}

impl Inputs {
    /// What analysts wrote in the pages: the month's texts (`context`, or a region's code, and
    /// its text) and the open recommendations' rows.
    pub fn written(texts: Vec<(String, String)>, recommendations: Vec<[String; 4]>) -> Inputs {
        let mut inputs = Inputs { recommendations, ..Inputs::default() };
        for (section, body) in texts {
            if section == "context" {
                inputs.context = Some(body);
            } else {
                inputs.analyses.insert(section, body);
            }
        }
        inputs
    }

    /// These inputs, each part replaced by `files`' where they have one (the command line's
    /// `--inputs` folder wins over the pages).
    pub fn overridden_by(mut self, files: Inputs) -> Inputs {
        if files.context.is_some() {
            self.context = files.context;
        }
        if !files.recommendations.is_empty() {
            self.recommendations = files.recommendations;
        }
        self.analyses.extend(files.analyses);
        self
    }
}

/// What the annexes show beside the tables: the month's flash alerts, and per commune the
/// violations from January to the report month (the monitoring's coverage).
#[derive(Debug, Clone, Default)]
pub struct Annexes {
    /// The month's signals as the reader may see them, when the caller disclosed them for that
    /// reader (a partner's dashboard); otherwise the tables' own, every figure shown, or, for a
    /// reader who sees no record, as [`Shown::to_anyone`] shows them.
    pub signals: Option<Vec<Shown>>,
    pub alerts: Vec<vigie_core::Alert>,
    pub coverage: Vec<u64>,
    /// The places the violations map shades: communes (the report's), or their cercles or
    /// regions (the dashboard lets its reader choose).
    pub map_level: MapLevel,
}

impl Annexes {
    /// The monthly report's: the month's alerts, violations by commune since January, the map
    /// by commune.
    pub fn of_report(
        alerts: Vec<vigie_core::Alert>,
        facts: &vigie_core::aggregate::Facts,
        catalog: &Catalog,
        month: Month,
    ) -> Annexes {
        let january = month.months_of_year().next().unwrap_or(month);
        Annexes {
            signals: None,
            alerts,
            coverage: facts.commune_counts(catalog, january, month),
            map_level: MapLevel::Commune,
        }
    }
}

/// The administrative level a map counts violations by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MapLevel {
    Region,
    Cercle,
    #[default]
    Commune,
}

impl MapLevel {
    pub fn parse(name: &str) -> Option<MapLevel> {
        match name {
            "region" => Some(MapLevel::Region),
            "cercle" => Some(MapLevel::Cercle),
            "commune" => Some(MapLevel::Commune),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            MapLevel::Region => "region",
            MapLevel::Cercle => "cercle",
            MapLevel::Commune => "commune",
        }
    }
}

/// A figure quoted in the text: `(table, row, column) = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub table: String,
    pub row: String,
    pub column: String,
    pub value: u64,
    /// `Some(k)`: withheld from this reader (shown as `<k`, never as its value).
    pub withheld: Option<u64>,
}

/// The `tables.csv` cells, looked up by key; every lookup is recorded.
pub struct Figures {
    cells: HashMap<(String, String, String), (u64, Option<u64>)>,
    claims: RefCell<Vec<Claim>>,
    disclosure: Disclosure,
}

impl Figures {
    /// The cells as [`crate::disclosed`] marked them for the reader, and the disclosure that
    /// marked them (for the figures that are no cell of `tables.csv`).
    pub fn new(cells: &[Cell], disclosure: &Disclosure) -> Figures {
        Figures {
            cells: cells
                .iter()
                .map(|c| ((c.table.to_owned(), c.row.clone(), c.column.clone()), (c.value, c.withheld)))
                .collect(),
            claims: RefCell::new(Vec::new()),
            disclosure: disclosure.clone(),
        }
    }

    /// A cell (0 for an omitted zero cell), recorded.
    pub fn get(&self, table: &str, row: &str, column: &str) -> Claim {
        let (value, withheld) =
            self.cells.get(&(table.to_owned(), row.to_owned(), column.to_owned())).copied().unwrap_or((0, None));
        let claim = Claim { table: table.into(), row: row.into(), column: column.into(), value, withheld };
        self.claims.borrow_mut().push(claim.clone());
        claim
    }

    /// Whether a figure that is no cell of `tables.csv` (a category's year total) is withheld.
    fn withholds(&self, table: &str, row: &str, column: &str) -> Option<u64> {
        self.disclosure.withholds(table, row, column).then_some(self.disclosure.min_count())
    }

    /// Whether a commune's count is withheld (the map).
    fn withholds_commune(&self, commune: usize) -> bool {
        self.disclosure.withholds_commune(commune)
    }

    pub fn claims(&self) -> Vec<Claim> {
        self.claims.borrow().clone()
    }
}

/// One message of the catalog with its arguments, and the quotes of the numbers it shows, in
/// the order the text shows them (the order of the calls).
struct Sentence<'a> {
    lang: Lang,
    id: &'a str,
    args: Args<'a>,
    quotes: Vec<Quote>,
}

impl<'a> Sentence<'a> {
    fn new(lang: Lang, id: &'a str) -> Sentence<'a> {
        Sentence { lang, id, args: Args::new(), quotes: Vec::new() }
    }

    /// A name or words; one with digits (a month and year, an age group) is quoted as it is.
    fn text(mut self, name: &'a str, value: impl Into<String>) -> Self {
        let value = value.into();
        if value.chars().any(|c| c.is_ascii_digit()) {
            self.quotes.push(Quote::Literal(value.clone()));
        }
        self.args.set(name, value);
        self
    }

    /// A figure of `tables.csv`.
    fn count(mut self, name: &'a str, claim: Claim) -> Self {
        self.args.set(name, claim.value);
        self.quotes.push(Quote::Cell(claim));
        self
    }

    /// `part` as a percentage of `whole`.
    fn share(mut self, name: &'a str, part: Claim, whole: Claim, decimals: usize) -> Self {
        self.args.set(name, self.lang.percent(vigie_core::aggregate::share(part.value, whole.value), decimals));
        self.quotes.push(Quote::Share { part, whole, decimals });
        self
    }

    /// `$assessed` communes of `$communes`, and their `$share`: the risk index's coverage.
    fn coverage(self, assessed: Claim, communes: Claim) -> Self {
        self.count("assessed", assessed.clone())
            .count("communes", communes.clone())
            .share("share", assessed, communes, 0)
    }

    /// `$trend`: the direction from `before` to `now`.
    fn trend(mut self, now: &Claim, before: &Claim) -> Self {
        self.args.set("trend", Trend::of(now.value, before.value).key());
        self.quotes.push(Quote::Trend { now: now.clone(), before: before.clone() });
        self
    }

    /// A text made of other messages (a list), with its quotes.
    fn part(mut self, name: &'a str, text: Text) -> Self {
        self.args.set(name, text.text);
        self.quotes.extend(text.quotes);
        self
    }

    fn done(self) -> Text {
        Text { text: self.lang.format(self.id, &self.args), quotes: self.quotes }
    }
}

/// Texts joined as the language lists them ("a, b et c"), their quotes in order.
fn list(lang: Lang, items: Vec<Text>) -> Text {
    let words: Vec<String> = items.iter().map(|t| t.text.clone()).collect();
    Text { text: lang.list(&words), quotes: items.into_iter().flat_map(|t| t.quotes).collect() }
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

impl<'a> Ctx<'a> {
    fn sentence(&self, id: &'a str) -> Sentence<'a> {
        Sentence::new(self.lang, id)
    }

    fn text(&self, id: &str) -> String {
        self.lang.text(id)
    }

    /// A message whose arguments are all words.
    fn words(&self, id: &str, args: &[(&str, String)]) -> String {
        let mut fluent = Args::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.lang.format(id, &fluent)
    }

    /// "novembre 2021", "November 2021".
    fn month_name(&self, month: Month) -> String {
        let name = self.text(&format!("month-{}", month.number()));
        self.words("month-year", &[("month", name), ("year", month.year().to_string())])
    }

    fn month_abbrev(&self, month: Month) -> String {
        self.text(&format!("month-short-{}", month.number()))
    }

    fn category_label(&self, i: usize) -> String {
        self.lang.pick(&self.c.typology.categories[i].label).to_owned()
    }

    fn region_name(&self, i: usize) -> String {
        self.lang.pick(&self.c.geography.regions[i].name).to_owned()
    }

    /// A code list's label inside a sentence ("meurtre").
    fn in_sentence(&self, label: &vigie_core::Label) -> String {
        self.lang.in_sentence(self.lang.pick(label))
    }

    /// A level of the month's risk index definition, as a sentence says it ("critique").
    fn level_name(&self, level: u64) -> String {
        let levels = &self.c.risk.definition(self.month).levels;
        levels
            .iter()
            .find(|l| u64::from(l.level) == level)
            .map_or_else(|| level.to_string(), |l| self.in_sentence(&l.label))
    }

    fn source(&self) -> String {
        self.words("source", &[("month", self.month_name(self.month))])
    }

    fn int(&self, n: u64) -> String {
        self.lang.int(n)
    }

    /// A table cell showing a figure (`<k` when withheld).
    fn cell(&self, claim: Claim) -> Text {
        match claim.withheld {
            Some(k) => withheld(k),
            None => Text { text: self.int(claim.value), quotes: vec![Quote::Cell(claim)] },
        }
    }

    /// A table cell showing a total of figures, `withheld` when the disclosure says so.
    fn sum(&self, claims: Vec<Claim>, withheld_as: Option<u64>) -> Text {
        match withheld_as {
            Some(k) => withheld(k),
            None => Text { text: self.int(claims.iter().map(|c| c.value).sum()), quotes: vec![Quote::Sum(claims)] },
        }
    }

    /// A table cell showing a share (`<k` when either figure is withheld, as the share would
    /// give it back).
    fn share_cell(&self, part: Claim, whole: Claim, decimals: usize) -> Text {
        if let Some(k) = part.withheld.or(whole.withheld) {
            return withheld(k);
        }
        let text = self.lang.percent(vigie_core::aggregate::share(part.value, whole.value), decimals);
        Text { text, quotes: vec![Quote::Share { part, whole, decimals }] }
    }

    /// A figure's value for a chart, `None` when withheld: a chart shows no withheld figure.
    fn plotted(&self, claims: &[Claim]) -> Option<Vec<u64>> {
        claims.iter().map(|c| c.withheld.is_none().then_some(c.value)).collect()
    }

    /// "Annexe 1 – Carte …", numbered in order.
    fn annex(&self, number: &mut u32, title: String) -> String {
        *number += 1;
        self.words("annex", &[("number", number.to_string()), ("title", title)])
    }
}

/// Builds the report. A `restricted` reader (one from whom some records are hidden) gets the
/// public version: no sentence, no figure below region level or by victim profile but the map,
/// and every figure as the disclosure lets it through (`cells` marked by [`crate::disclosed`]
/// with the same disclosure). The analysts' texts are shown when `inputs` has them: the caller
/// gives none to anonymous readers.
pub fn build(
    t: &MonthTables,
    catalog: &Catalog,
    cells: &[Cell],
    lang: Lang,
    inputs: &Inputs,
    extra: &Annexes,
    restricted: Option<&Disclosure>,
) -> (Document, Vec<Claim>) {
    let public = restricted.is_some();
    let figures = Figures::new(cells, restricted.unwrap_or(&Disclosure::exact()));
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
    overview(&cx, &mut blocks, inputs, public);
    categories(&cx, &mut blocks, public);
    regions(&cx, &mut blocks, inputs, public);
    signals(&cx, &mut blocks, extra, restricted);
    risk(&cx, &mut blocks, public);
    if !public {
        people_and_places(&cx, &mut blocks);
    }
    recommendations(&cx, &mut blocks, inputs);
    annexes(&cx, &mut blocks, extra, public);
    let title = cx.words("report-title", &[("country", lang.pick(&catalog.geography.country.name).to_owned())]);
    let subtitle = cx.words(
        if public { "report-subtitle-public" } else { "report-subtitle" },
        &[("number", t.month.number().to_string()), ("month", capitalize(&cx.month_name(t.month)))],
    );
    (Document { lang, title, subtitle, blocks }, figures.claims())
}

/// The early-warning signals: what they are, one sentence each (the first ones), a map of where
/// they are and their table; every figure as the reader may see it.
fn signals(cx: &Ctx<'_>, out: &mut Vec<Block>, extra: &Annexes, restricted: Option<&Disclosure>) {
    /// Sentences at most: the table lists every signal.
    const SAID: usize = 12;
    let shown: Vec<Shown> = match (&extra.signals, restricted) {
        (Some(shown), _) => shown.clone(),
        (None, None) => cx.t.signals.iter().cloned().map(Shown::exact).collect(),
        (None, Some(d)) => {
            let k = MinCount::new(d.min_count()).unwrap_or_default();
            cx.t.signals.iter().cloned().map(|s| Shown::to_anyone(s, k)).collect()
        }
    };
    let k = restricted.map_or(MinCount::default().get(), Disclosure::min_count);
    let g = &cx.c.geography;
    out.push(heading(cx, 1, "heading-signals"));
    // The public version: as everywhere, no sentence and no place below the region but the map.
    let public = restricted.is_some();
    let rules = &cx.t.signal_rules;
    let about = match public {
        true => cx.text("signals-about-public").into(),
        false => cx
            .sentence("signals-about")
            .text("months", rules.baseline_months.to_string())
            .text("quantile", cx.lang.percent(rules.quantile * 100.0, 0))
            .text("quiet", rules.quiet_months.to_string())
            .done(),
    };
    out.push(Block::Paragraph(about));
    let month = cx.month_name(cx.month);
    let count = Claim {
        table: "signals".into(),
        row: "TOTAL".into(),
        column: "count".into(),
        value: shown.len() as u64,
        withheld: None,
    };
    if !public {
        let intro = cx.sentence("signals-intro").count("count", count).text("month", month.clone()).done();
        out.push(Block::Paragraph(intro));
    }
    if shown.is_empty() {
        if public {
            out.push(Block::Paragraph(cx.words("signals-none", &[("month", month)]).into()));
        }
        return;
    }
    // A signal's figure, keyed `kind:level:unit:category` (what the dashboard links it to).
    let key = |s: &Shown| {
        let (unit, category) = crate::signals::codes(&s.signal, cx.c, &cx.t.signal_rules);
        format!("{}:{}:{unit}:{category}", s.signal.kind.name(), s.signal.level.name())
    };
    let claim = |s: &Shown, column: &str, value: Option<u64>, raw: u64| Claim {
        table: "signals".into(),
        row: key(s),
        column: column.into(),
        value: value.unwrap_or(raw),
        withheld: value.is_none().then_some(k),
    };
    let place = |s: &Shown| {
        let (level, name) = match s.signal.level {
            UnitLevel::Region => ("region", cx.region_name(s.signal.unit)),
            UnitLevel::Cercle => ("cercle", g.cercles[s.signal.unit].unit.name.clone()),
            UnitLevel::Commune => ("commune", g.communes[s.signal.unit].unit.name.clone()),
        };
        capitalize(&cx.words("signal-place", &[("level", level.into()), ("name", name)]))
    };
    let what = |s: &Shown| match (s.signal.kind, s.signal.category) {
        (SignalKind::Surge, Some(c)) => cx.category_label(c),
        (SignalKind::Sentinel, Some(i)) => {
            cx.t.signal_rules.sentinels.get(i).map_or_else(String::new, |e| sentinel_label(cx, e))
        }
        (SignalKind::RiskDeterioration, _) => cx.words(
            "signal-risk-what",
            &[
                ("from", cx.level_name(s.signal.expected.unwrap_or_default() as u64)),
                ("to", cx.level_name(s.signal.observed)),
            ],
        ),
        _ => String::new(),
    };
    let sentences: Vec<Text> = shown
        .iter()
        .filter(|_| !public)
        .take(SAID)
        .map(|s| {
            let observed = cx.cell(claim(s, "observed", s.observed, s.signal.observed));
            let months = |n: u32| n.to_string();
            match s.signal.kind {
                SignalKind::Surge => cx
                    .sentence("signal-surge")
                    .text("place", place(s))
                    .part("observed", observed)
                    .text("category", what(s))
                    .text("month", month.clone())
                    .text("months", months(s.signal.baseline_months))
                    .part("threshold", cx.cell(claim(s, "threshold", s.threshold, s.signal.threshold.unwrap_or(0))))
                    .done(),
                SignalKind::NewArea => cx
                    .sentence("signal-new-area")
                    .text("place", place(s))
                    .part("observed", observed)
                    .text("month", month.clone())
                    .text("months", months(s.signal.baseline_months))
                    .done(),
                SignalKind::Sentinel => cx
                    .sentence("signal-sentinel")
                    .text("place", place(s))
                    .text("event", what(s))
                    .part("observed", observed)
                    .done(),
                SignalKind::RiskDeterioration => cx
                    .sentence("signal-risk")
                    .text("place", place(s))
                    .text("from", cx.level_name(s.signal.expected.unwrap_or_default() as u64))
                    .text("to", cx.level_name(s.signal.observed))
                    .done(),
            }
        })
        .collect();
    if !sentences.is_empty() {
        out.push(Block::Bullets(sentences));
    }
    if !public && shown.len() > SAID {
        let more = Claim {
            table: "signals".into(),
            row: "TOTAL".into(),
            column: "more".into(),
            value: (shown.len() - SAID) as u64,
            withheld: None,
        };
        out.push(Block::Paragraph(cx.sentence("signals-more").count("count", more).done()));
    }
    // Where: each commune of a cercle's surge, and each commune of its own signal, coloured by
    // the signal (a region's surge is in the table: it would colour a whole region).
    let kinds = [SignalKind::Surge, SignalKind::NewArea, SignalKind::Sentinel, SignalKind::RiskDeterioration];
    let colours = ["#f0a830", "#f5d76e", "#c0392b", "#8e44ad"];
    let mut classes = vec![(cx.text("map-signals-none"), "#ffffff")];
    classes.extend(kinds.iter().zip(colours).map(|(k, c)| (cx.words("signal-kind", &[("kind", k.name().into())]), c)));
    let mut by_commune: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for s in &shown {
        let class = 1 + kinds.iter().position(|k| *k == s.signal.kind).unwrap_or(0);
        let communes: Vec<&str> = match s.signal.level {
            UnitLevel::Region => Vec::new(),
            UnitLevel::Cercle => g
                .communes
                .iter()
                .filter(|c| c.cercle as usize == s.signal.unit)
                .map(|c| c.unit.pcode.as_str())
                .collect(),
            UnitLevel::Commune => vec![g.communes[s.signal.unit].unit.pcode.as_str()],
        };
        for pcode in communes {
            let kept = by_commune.entry(pcode).or_insert(class);
            // A commune's gravest signal: a sentinel over a new area over a surge.
            *kept = (*kept).max(class);
        }
    }
    let title = cx.words("map-signals", &[("month", month.clone())]);
    let svg = charts::map(g, &title, &|pcode| by_commune.get(pcode).copied(), &classes, &[], &cx.source());
    let header = [
        "signal-kind-header",
        "signal-place-header",
        "signal-what-header",
        "signal-observed-header",
        "signal-threshold-header",
    ]
    .map(|id| cx.text(id))
    .to_vec();
    let rows: Vec<Vec<Text>> = shown
        .iter()
        .filter(|s| !public || s.signal.level == UnitLevel::Region)
        .map(|s| {
            let threshold = match s.signal.threshold {
                Some(t) => cx.cell(claim(s, "threshold", s.threshold, t)),
                None => Text::default(),
            };
            vec![
                Text::from(cx.words("signal-kind", &[("kind", s.signal.kind.name().into())])),
                Text::from(place(s)),
                Text::literal(capitalize(&what(s))),
                cx.cell(claim(s, "observed", s.observed, s.signal.observed)),
                threshold,
            ]
        })
        .collect();
    out.push(Block::Figure { caption: title, svg, data: None });
    if !rows.is_empty() {
        out.push(Block::Table(Table { header, rows, numeric_from: 3, total_row: false }));
    }
}

/// A sentinel event's label in the reader's language: its message (`sentinel-child-recruitment`),
/// else its own `label_<language>` in the cluster's `sentinels.csv`, else its name.
fn sentinel_label(cx: &Ctx<'_>, sentinel: &vigie_core::aggregate::Sentinel) -> String {
    let id = format!("sentinel-{}", sentinel.name.replace('_', "-"));
    if cx.lang.message_ids().contains(&id) {
        return cx.lang.in_sentence(&cx.text(&id));
    }
    let code = cx.lang.code();
    let label = sentinel.labels.iter().find(|(l, _)| l == code).or_else(|| sentinel.labels.first());
    cx.lang.in_sentence(label.map_or(sentinel.name.as_str(), |(_, text)| text.as_str()))
}

/// A withheld figure as the reader sees it.
fn withheld(k: u64) -> Text {
    Text::literal(format!("<{k}"))
}

/// A chart with its data table; when the chart would show a withheld figure (`svg` is `None`),
/// a note in its place, and the data table (which shows it as `<k`).
fn figure(cx: &Ctx<'_>, out: &mut Vec<Block>, caption: String, data: Table, svg: Option<String>) {
    let svg = svg.unwrap_or_else(|| {
        let k = cx.f.disclosure.min_count().to_string();
        charts::withheld(&caption, &cx.words("chart-withheld", &[("k", k)]), &cx.source())
    });
    out.push(Block::Figure { svg, caption, data: Some(data) });
}

/// A figure's data as a table: a label column, then numbers.
/// A figure's data: a label and its values per row. A value that is a `tables.csv` cell is given
/// as one (`Ctx::cell`), so that the dashboard can link it to its violations.
fn data_table(header: Vec<String>, rows: Vec<(String, Vec<Text>)>) -> Table {
    Table {
        header,
        rows: rows
            .into_iter()
            .map(|(label, values)| std::iter::once(Text::literal(label)).chain(values).collect())
            .collect(),
        numeric_from: 1,
        total_row: false,
    }
}

fn heading(cx: &Ctx<'_>, level: u8, id: &str) -> Block {
    Block::Heading { level, text: cx.text(id) }
}

fn typology(cx: &Ctx<'_>, out: &mut Vec<Block>) {
    out.push(heading(cx, 1, "heading-typology"));
    let items =
        cx.c.typology
            .categories
            .iter()
            .enumerate()
            .map(|(i, category)| {
                let subtypes: Vec<String> =
                    cx.c.typology
                        .subtypes
                        .iter()
                        .filter(|s| s.category as usize == i)
                        .map(|s| cx.lang.pick(&s.label).to_owned())
                        .collect();
                cx.sentence("typology-item")
                    .text("code", category.code.clone())
                    .text("category", cx.lang.pick(&category.label))
                    .text("subtypes", subtypes.join(&cx.text("list-separator")))
                    .done()
            })
            .collect();
    out.push(Block::Bullets(items));
}

fn overview(cx: &Ctx<'_>, out: &mut Vec<Block>, inputs: &Inputs, public: bool) {
    let f = cx.f;
    out.push(heading(cx, 1, "heading-overview"));
    if let Some(context) = inputs.context.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        out.push(Block::Analysis(context.to_owned()));
    }
    let total = f.get("category_by_month", "TOTAL", &cx.m);
    let previous = f.get("category_by_month", "TOTAL", &cx.p);
    let ytd = f.get("region_by_month", "TOTAL", "TOTAL");
    let january = Month::new(cx.month.year(), 1).unwrap_or(cx.month);
    let mut bullets = vec![
        cx.sentence("overview-month-count").text("month", cx.month_name(cx.month)).count("count", total.clone()).done(),
        cx.sentence("overview-year-count").text("january", cx.month_name(january)).count("count", ytd.clone()).done(),
    ];
    // How many of them an IM officer verified (said only where the figure may be shown).
    let verified = f.get("verification", vigie_core::Verification::Verified.code(), "count");
    if total.value > 0 && verified.withheld.is_none() && total.withheld.is_none() {
        bullets.push(
            cx.sentence("overview-verified")
                .count("verified", verified.clone())
                .count("count", total.clone())
                .share("share", verified, total.clone(), 0)
                .done(),
        );
    }
    // Late reports of months published earlier: counted from now on, not in their versions.
    for late in &cx.t.late {
        let count = f.get("late_reports", &late.month.to_string(), "count");
        if count.value > 0 && count.withheld.is_none() {
            bullets.push(
                // A sentence of its own, starting with a capital in every language.
                cx.sentence("overview-late")
                    .text("version", late.version.to_string())
                    .text("month", cx.month_name(late.month))
                    .count("count", count)
                    .done(),
            );
        }
    }
    out.push(Block::Bullets(bullets));
    let months: Vec<Month> = cx.month.months_of_year().take_while(|m| *m <= cx.month).collect();
    let labels: Vec<String> = months.iter().map(|m| cx.month_abbrev(*m)).collect();
    let claims: Vec<Claim> = months.iter().map(|m| f.get("category_by_month", "TOTAL", &m.to_string())).collect();
    let caption = cx.text("chart-per-month");
    let data = data_table(
        vec![cx.text("data-month"), cx.text("data-violations")],
        months.iter().zip(&claims).map(|(m, c)| (cx.month_name(*m), vec![cx.cell(c.clone())])).collect(),
    );
    figure(
        cx,
        out,
        caption.clone(),
        data,
        cx.plotted(&claims).map(|values| charts::lines(&caption, &labels, &[(caption.clone(), values)], &cx.source())),
    );
    if public {
        return;
    }
    let mut text = cx
        .sentence("overview-text")
        .text("year", cx.month.year().to_string())
        .count("year-count", ytd)
        .text("now", cx.month_name(cx.month))
        .count("count", total.clone())
        .count("previous", previous.clone())
        .text("then", cx.month_name(cx.month.previous()))
        .trend(&total, &previous)
        .done();
    if total.value == 0 {
        out.push(Block::Paragraph(text));
        return;
    }
    let claims: Vec<Claim> =
        cx.c.typology.categories.iter().map(|c| f.get("category_by_month", &c.code, &cx.m)).collect();
    let counts: Vec<u64> = claims.iter().map(|c| c.value).collect();
    let top = Ranked::rank(&counts)
        .iter()
        .take(3)
        .map(|r| {
            let name = cx.words("quoted", &[("text", cx.category_label(r.index))]);
            cx.sentence("share-item")
                .text("name", name)
                .count("count", claims[r.index].clone())
                .share("share", claims[r.index].clone(), total.clone(), 0)
                .done()
        })
        .collect();
    text.push(' ', cx.sentence("overview-categories").part("categories", list(cx.lang, top)).done());
    let claims: Vec<Claim> = cx.c.geography.regions.iter().map(|r| f.get("region_by_month", &r.code, &cx.m)).collect();
    let counts: Vec<u64> = claims.iter().map(|c| c.value).collect();
    let ranked = Ranked::rank(&counts);
    if let Some((first, rest)) = ranked.split_first() {
        let others: Vec<Text> = rest
            .iter()
            .take(3)
            .map(|r| {
                cx.sentence("overview-other-region")
                    .text("region", cx.region_name(r.index))
                    .share("share", claims[r.index].clone(), total.clone(), 2)
                    .done()
            })
            .collect();
        let id = if others.is_empty() { "overview-top-region" } else { "overview-top-regions" };
        let sentence = cx
            .sentence(id)
            .share("share", claims[first.index].clone(), total.clone(), 2)
            .text("region", cx.region_name(first.index))
            .part("others", list(cx.lang, others))
            .done();
        text.push(' ', sentence);
    }
    out.push(Block::Paragraph(text));
}

/// The first `n` ranked names with their counts, ties together: "Mopti et Ségou (8 chacune)".
/// A tie is never cut: a group that starts before `n` is named whole. `tie` is the message for
/// a group (its agreement depends on what is named).
fn ranked_names(
    lang: Lang,
    ranked: &[Ranked],
    claims: &[Claim],
    n: usize,
    name: &dyn Fn(usize) -> String,
    tie: &str,
) -> Text {
    let mut out = Vec::new();
    let mut named = 0;
    for group in ranked.chunk_by(|a, b| a.count == b.count) {
        if named >= n {
            break;
        }
        named += group.len();
        let names: Vec<String> = group.iter().map(|r| name(r.index)).collect();
        let claim = claims[group[0].index].clone();
        out.push(match names.as_slice() {
            [one] => Sentence::new(lang, "ranked-item").text("name", one.clone()).count("count", claim).done(),
            _ => Sentence::new(lang, tie).text("names", lang.list(&names)).count("count", claim).done(),
        });
    }
    // With a tie in the list, "a, b et c" would be ambiguous: groups get their own separator.
    if named > out.len() {
        let separator = lang.text("list-group-separator");
        let mut joined = Text::default();
        for (i, item) in out.into_iter().enumerate() {
            if i > 0 {
                joined.text.push_str(&separator);
            }
            joined.text.push_str(&item.text);
            joined.quotes.extend(item.quotes);
        }
        joined
    } else {
        list(lang, out)
    }
}

fn categories(cx: &Ctx<'_>, out: &mut Vec<Block>, public: bool) {
    let f = cx.f;
    out.push(heading(cx, 1, "heading-categories"));
    let months: Vec<Month> = cx.month.months_of_year().collect();
    let mut header = vec![cx.text("categories-table-label")];
    header.extend(months.iter().map(|m| cx.month_abbrev(*m)));
    header.push(cx.text("total"));
    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let mut rows: Vec<Vec<Text>> = Vec::new();
    let mut order: Vec<usize> = (0..codes.len()).filter(|&i| cx.t.category_year_to_date(i) > 0).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cx.t.category_year_to_date(i)));
    let months_to_date = || months.iter().filter(|m| **m <= cx.month);
    for &i in &order {
        let mut row = vec![Text::from(cx.category_label(i))];
        row.extend(months.iter().map(|m| cx.cell(f.get("category_by_month", codes[i], &m.to_string()))));
        row.push(cx.sum(
            months_to_date().map(|m| f.get("category_by_month", codes[i], &m.to_string())).collect(),
            f.withholds("category_by_month", codes[i], "TOTAL"),
        ));
        rows.push(row);
    }
    let mut total = vec![Text::from(cx.text("total"))];
    total.extend(months.iter().map(|m| cx.cell(f.get("category_by_month", "TOTAL", &m.to_string()))));
    total.push(cx.cell(f.get("region_by_month", "TOTAL", "TOTAL")));
    rows.push(total);
    out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));
    if public {
        return;
    }
    let month_total = f.get("category_by_month", "TOTAL", &cx.m);
    let mut by_count: Vec<usize> = (0..codes.len()).collect();
    by_count.sort_by_key(|&i| std::cmp::Reverse(cx.t.category_by_month[i][cx.month.number() as usize - 1]));
    for i in by_count {
        let n = f.get("category_by_month", codes[i], &cx.m);
        let before = f.get("category_by_month", codes[i], &cx.p);
        out.push(Block::Heading { level: 2, text: cx.category_label(i) });
        if n.value == 0 {
            out.push(Block::Paragraph(
                cx.sentence("category-none")
                    .text("now", cx.month_name(cx.month))
                    .count("previous", before)
                    .text("then", cx.month_name(cx.month.previous()))
                    .done(),
            ));
            continue;
        }
        let subtypes: Vec<usize> =
            (0..cx.c.typology.subtypes.len()).filter(|&j| cx.c.typology.subtypes[j].category as usize == i).collect();
        let sub_claims: Vec<Claim> =
            subtypes.iter().map(|&j| f.get("subtype", &cx.c.typology.subtypes[j].code, "count")).collect();
        let sub_counts: Vec<u64> = sub_claims.iter().map(|c| c.value).collect();
        let types: Vec<Text> = Ranked::rank(&sub_counts)
            .iter()
            .take(3)
            .map(|r| {
                cx.sentence("ranked-item")
                    .text("name", cx.in_sentence(&cx.c.typology.subtypes[subtypes[r.index]].label))
                    .count("count", sub_claims[r.index].clone())
                    .done()
            })
            .collect();
        let region_claims: Vec<Claim> =
            cx.c.geography.regions.iter().map(|r| f.get("category_by_region", codes[i], &r.code)).collect();
        let region_counts: Vec<u64> = region_claims.iter().map(|c| c.value).collect();
        let top_regions = ranked_names(
            cx.lang,
            &Ranked::rank(&region_counts),
            &region_claims,
            3,
            &|r| cx.region_name(r),
            "tie-regions",
        );
        out.push(Block::Paragraph(
            cx.sentence("category-text")
                .text("now", cx.month_name(cx.month))
                .count("count", n.clone())
                .share("share", n.clone(), month_total.clone(), 0)
                .trend(&n, &before)
                .text("then", cx.month_name(cx.month.previous()))
                .count("previous", before)
                .part("types", list(cx.lang, types))
                .part("regions", top_regions)
                .done(),
        ));
    }
}

fn regions(cx: &Ctx<'_>, out: &mut Vec<Block>, inputs: &Inputs, public: bool) {
    let f = cx.f;
    out.push(heading(cx, 1, "heading-regions"));
    let months: Vec<Month> = cx.month.months_of_year().collect();
    let mut header = vec![cx.text("region")];
    header.extend(months.iter().map(|m| cx.month_abbrev(*m)));
    header.push(cx.text("total"));
    header.push("%".into());
    let ytd = f.get("region_by_month", "TOTAL", "TOTAL");
    let regions = &cx.c.geography.regions;
    let mut order: Vec<usize> = (0..regions.len()).filter(|&r| cx.t.region_year_to_date(r) > 0).collect();
    order.sort_by_key(|&r| cx.region_name(r));
    let mut rows = Vec::new();
    for &r in &order {
        let mut row = vec![Text::from(cx.region_name(r))];
        row.extend(months.iter().map(|m| cx.cell(f.get("region_by_month", &regions[r].code, &m.to_string()))));
        let total = f.get("region_by_month", &regions[r].code, "TOTAL");
        row.push(cx.cell(total.clone()));
        row.push(cx.share_cell(total, ytd.clone(), 0));
        rows.push(row);
    }
    let mut total = vec![Text::from(cx.text("total"))];
    total.extend(months.iter().map(|m| cx.cell(f.get("region_by_month", "TOTAL", &m.to_string()))));
    total.push(cx.cell(ytd.clone()));
    total.push(cx.share_cell(ytd.clone(), ytd, 0));
    rows.push(total);
    out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));

    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let month_total = f.get("region_by_month", "TOTAL", &cx.m);
    let mut silent = Vec::new();
    for &r in &order {
        let code = &regions[r].code;
        let n = f.get("region_by_month", code, &cx.m);
        let before = f.get("region_by_month", code, &cx.p);
        if n.value == 0 && before.value == 0 {
            silent.push(cx.region_name(r));
            continue;
        }
        let name = cx.region_name(r);
        out.push(Block::Heading { level: 2, text: cx.words("heading-region", &[("region", name.clone())]) });
        if !public {
            out.push(Block::Paragraph(
                cx.sentence("region-text")
                    .text("now", cx.month_name(cx.month))
                    .count("count", n.clone())
                    .text("region", name.clone())
                    .count("previous", before.clone())
                    .text("then", cx.month_name(cx.month.previous()))
                    .trend(&n, &before)
                    .share("share", n.clone(), month_total.clone(), 0)
                    .done(),
            ));
        }
        if n.value > 0 {
            let (claims, filters): (Vec<(usize, Claim)>, Vec<String>) = (0..codes.len())
                .map(|i| ((i, f.get("category_by_region", codes[i], code)), format!("category={}", codes[i])))
                .filter(|((_, c), _)| c.value > 0)
                .unzip();
            let caption = cx.words("chart-region-categories", &[("region", name.clone())]);
            let lang = cx.lang;
            let data = data_table(
                vec![cx.text("data-category"), cx.text("data-violations")],
                claims.iter().map(|(i, c)| (cx.category_label(*i), vec![cx.cell(c.clone())])).collect(),
            );
            let values: Vec<Claim> = claims.iter().map(|(_, c)| c.clone()).collect();
            let svg = cx.plotted(&values).map(|values| {
                let items: Vec<(String, u64)> =
                    claims.iter().zip(values).map(|((i, _), v)| (cx.category_label(*i), v)).collect();
                charts::bars(&caption, &items, &filters, &|v| lang.int(v), &cx.source())
            });
            figure(cx, out, caption, data, svg);
        }
        if !public && n.value > 0 {
            let g = &cx.c.geography;
            let cercles: Vec<(String, Claim)> = g
                .cercles
                .iter()
                .enumerate()
                .filter(|(i, _)| g.communes.iter().any(|c| c.cercle as usize == *i && c.region.0 as usize == r))
                .map(|(_, c)| (c.unit.name.clone(), f.get("admin2", &c.unit.pcode, "count")))
                .collect();
            let claims: Vec<Claim> = cercles.iter().map(|c| c.1.clone()).collect();
            let counts: Vec<u64> = claims.iter().map(|c| c.value).collect();
            let top =
                ranked_names(cx.lang, &Ranked::rank(&counts), &claims, 4, &|c| cercles[c].0.clone(), "tie-cercles");
            if !top.text.is_empty() {
                out.push(Block::Bullets(vec![cx.sentence("region-cercles").part("cercles", top).done()]));
            }
        }
        if let Some(text) = inputs.analyses.get(code.as_str()) {
            out.push(Block::Analysis(text.trim().to_owned()));
        }
    }
    let quiet: Vec<String> =
        (0..regions.len()).filter(|&r| !order.contains(&r)).map(|r| cx.region_name(r)).chain(silent).collect();
    if !quiet.is_empty() && !public {
        out.push(Block::Paragraph(
            cx.sentence("regions-quiet")
                .text("now", cx.month_name(cx.month))
                .text("regions", cx.lang.list(&quiet))
                .done(),
        ));
    }
}

fn risk(cx: &Ctx<'_>, out: &mut Vec<Block>, public: bool) {
    let definition = cx.c.risk.definition(cx.month);
    let levels = &definition.levels;
    out.push(heading(cx, 1, "heading-risk"));
    out.push(Block::Paragraph(cx.text("risk-legend-title").into()));
    let rows = levels
        .iter()
        .rev()
        .map(|l| {
            let points =
                cx.words("risk-points-range", &[("min", l.min_points.to_string()), ("max", l.max_points.to_string())]);
            // The cluster's legend describes the four levels of the spec's definition; a cluster's
            // own levels show their labels.
            let text = if levels.len() == 4 {
                cx.text(&format!("risk-level-{}-of-4", l.level))
            } else {
                cx.lang.pick(&l.label).to_owned()
            };
            vec![Text::literal(l.level.to_string()), Text::literal(points), Text::literal(text)]
        })
        .collect();
    out.push(Block::Table(Table {
        header: ["risk-level", "risk-points", "risk-situation"].map(|id| cx.text(id)).to_vec(),
        rows,
        numeric_from: 3,
        total_row: false,
    }));
    if !public {
        out.push(Block::Paragraph(cx.text("risk-about").into()));
    }
    let risk = &cx.t.risk;
    if risk.communes.is_empty() {
        out.push(Block::Paragraph(cx.text("risk-none").into()));
        return;
    }
    let f = cx.f;
    // Column titles of the tables by level, most severe first.
    let level_headers: Vec<String> =
        levels.iter().rev().map(|l| capitalize(&cx.level_name(u64::from(l.level)))).collect();
    if !public {
        let per_level: Vec<Text> = levels
            .iter()
            .rev()
            .map(|l| {
                cx.sentence("risk-at-level")
                    .count("count", f.get("risk_level_by_region", "TOTAL", &l.level.to_string()))
                    .text("level", cx.level_name(u64::from(l.level)))
                    .done()
            })
            .collect();
        out.push(Block::Paragraph(
            cx.sentence("risk-text")
                .text("month", cx.month_name(cx.month))
                .coverage(f.get("risk_coverage", "TOTAL", "assessed"), f.get("risk_coverage", "TOTAL", "communes"))
                .part("levels", list(cx.lang, per_level))
                .done(),
        ));
    }
    // Communes per region and level: a table of counts, readable in both versions.
    let regions: Vec<usize> = risk.monitored_regions().collect();
    let mut header = vec![cx.text("region")];
    header.extend(level_headers.iter().cloned());
    header.push(cx.text("risk-communes-assessed"));
    header.push(cx.text("risk-communes-of-region"));
    let mut rows: Vec<Vec<Text>> = regions
        .iter()
        .map(|&r| {
            let code = &cx.c.geography.regions[r].code;
            let mut row = vec![Text::from(cx.region_name(r))];
            row.extend(levels.iter().rev().map(|l| cx.cell(f.get("risk_level_by_region", code, &l.level.to_string()))));
            row.push(cx.cell(f.get("risk_level_by_region", code, "TOTAL")));
            row.push(cx.cell(f.get("risk_coverage", code, "communes")));
            row
        })
        .collect();
    let mut total = vec![Text::from(cx.text("total"))];
    total.extend(levels.iter().rev().map(|l| cx.cell(f.get("risk_level_by_region", "TOTAL", &l.level.to_string()))));
    total.push(cx.cell(f.get("risk_level_by_region", "TOTAL", "TOTAL")));
    total.push(cx.cell(f.get("risk_coverage", "TOTAL", "communes")));
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
    let (f, g, risk) = (cx.f, &cx.c.geography, &cx.t.risk);
    let levels = &cx.c.risk.definition(cx.month).levels;
    out.push(Block::Heading { level: 2, text: cx.region_name(r) });
    // Level changes, worst first, each named from the `risk_level` cells.
    let mut changes: Vec<(u64, u64, usize)> = risk
        .communes
        .iter()
        .filter(|c| g.commune(c.commune).region.0 as usize == r && c.changed())
        .map(|c| {
            let pcode = &g.commune(c.commune).unit.pcode;
            let (from, to) = (f.get("risk_level", pcode, "previous_level"), f.get("risk_level", pcode, "level"));
            (from.value, to.value, c.commune.0 as usize)
        })
        .collect();
    changes.sort_by_key(|&(from, to, _)| (std::cmp::Reverse(to), std::cmp::Reverse(from)));
    let mut sentences = Text::default();
    for (k, group) in changes.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)).enumerate() {
        let places = communes_by_cercle(cx, &group.iter().map(|c| c.2).collect::<Vec<_>>());
        let sentence = cx
            .sentence(if k == 0 { "risk-change-first" } else { "risk-change-next" })
            .text("region", cx.region_name(r))
            .text("from", cx.level_name(group[0].0))
            .text("to", cx.level_name(group[0].1))
            .text("places", places)
            .done();
        sentences.push(' ', sentence);
    }
    if sentences.text.is_empty() {
        sentences = cx
            .sentence("risk-no-change")
            .text("region", cx.region_name(r))
            .text("then", cx.month_name(cx.month.previous()))
            .done();
    }
    out.push(Block::Paragraph(sentences));
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
    let mut header = vec![cx.text("cercle")];
    header.extend(level_headers.iter().cloned());
    let rows = cercles
        .iter()
        .map(|&cercle| {
            let mut row = vec![Text::from(g.cercles[cercle as usize].unit.name.clone())];
            row.extend(levels.iter().rev().map(|l| {
                let names: Vec<&str> = risk
                    .communes
                    .iter()
                    .filter(|c| c.level == l.level && g.commune(c.commune).cercle == cercle)
                    .map(|c| g.commune(c.commune).unit.name.as_str())
                    .collect();
                Text::literal(names.join(", "))
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
            let names: Vec<String> =
                names.iter().map(|n| cx.words("commune-of", &[("name", (*n).to_owned())])).collect();
            let mut args = Args::new();
            args.set("count", names.len());
            args.set("communes", cx.lang.list(&names));
            args.set("cercle", g.cercles[*cercle as usize].unit.name.clone());
            cx.lang.format("risk-communes-in-cercle", &args)
        })
        .collect();
    cx.lang.list(&parts)
}

fn people_and_places(cx: &Ctx<'_>, out: &mut Vec<Block>) {
    let f = cx.f;
    out.push(heading(cx, 1, "heading-people"));
    let total = f.get("category_by_region", "TOTAL", "TOTAL");
    let lang = cx.lang;
    let shares = |kind: ListKind, name: &str, out: &mut Vec<Block>, chart: bool| {
        let list_ = cx.c.lists.get(kind);
        let claims: Vec<Claim> = list_.codes.iter().map(|c| f.get(kind.name(), &c.code, "count")).collect();
        let counts: Vec<u64> = claims.iter().map(|c| c.value).collect();
        let ranked = Ranked::rank(&counts);
        let title = cx.text(&format!("people-{name}"));
        out.push(Block::Heading { level: 2, text: title.clone() });
        if chart {
            let items: Vec<(String, u64)> =
                ranked.iter().map(|r| (lang.pick(&list_.codes[r.index].label).to_owned(), r.count)).collect();
            let filters: Vec<String> =
                ranked.iter().map(|r| format!("{}={}", kind.name(), list_.codes[r.index].code)).collect();
            let data = data_table(
                vec![title.clone(), cx.text("data-violations")],
                ranked
                    .iter()
                    .zip(&items)
                    .map(|(r, (label, _))| (label.clone(), vec![cx.cell(claims[r.index].clone())]))
                    .collect(),
            );
            out.push(Block::Figure {
                svg: charts::bars(&title, &items, &filters, &|v| lang.int(v), &cx.source()),
                caption: title,
                data: Some(data),
            });
        }
        // "Unknown" is no one's most frequent value; a label that ends in a parenthesis takes
        // its count after a colon, for every item of the list alike.
        let top: Vec<_> = ranked.iter().filter(|r| list_.codes[r.index].code != UNKNOWN).take(3).collect();
        let item = if top.iter().any(|r| lang.pick(&list_.codes[r.index].label).ends_with(')')) {
            "people-item-bracketed"
        } else {
            "people-item"
        };
        let top: Vec<Text> = top
            .into_iter()
            .map(|r| {
                cx.sentence(item)
                    .text("name", cx.in_sentence(&list_.codes[r.index].label))
                    .count("count", claims[r.index].clone())
                    .share("share", claims[r.index].clone(), total.clone(), 0)
                    .done()
            })
            .collect();
        if !top.is_empty() {
            let id = format!("people-most-{name}");
            out.push(Block::Paragraph(Sentence::new(lang, &id).part("items", list(lang, top)).done()));
        }
    };
    shares(ListKind::Perpetrator, "perpetrator", out, true);
    shares(ListKind::Occupation, "occupation", out, true);
    shares(ListKind::Sex, "sex", out, true);
    shares(ListKind::AgeGroup, "age-group", out, true);
    shares(ListKind::Population, "population", out, true);
    shares(ListKind::Place, "place", out, true);

    let slots = cx.c.lists.get(ListKind::TimeSlot);
    let title = cx.text("people-time-slot");
    out.push(Block::Heading { level: 2, text: title.clone() });
    let codes: Vec<&str> = cx.c.typology.categories.iter().map(|c| c.code.as_str()).collect();
    let groups: Vec<String> = slots.codes.iter().map(|s| lang.pick(&s.label).to_owned()).collect();
    let series: Vec<String> = (0..codes.len()).map(|i| cx.category_label(i)).collect();
    let value = |g: usize, s: usize| f.get("time_slot_by_category", &slots.codes[g].code, codes[s]).value;
    let data = data_table(
        std::iter::once(title.clone()).chain(series.iter().cloned()).chain([cx.text("data-total")]).collect(),
        groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let columns = codes.iter().copied().chain(["TOTAL"]);
                let cells = columns.map(|c| cx.cell(f.get("time_slot_by_category", &slots.codes[g].code, c)));
                (group.clone(), cells.collect())
            })
            .collect(),
    );
    out.push(Block::Figure {
        svg: charts::stacked_columns(&title, &groups, &series, &value, &cx.source()),
        caption: title,
        data: Some(data),
    });
    let slot_claims: Vec<Claim> =
        slots.codes.iter().map(|s| f.get("time_slot_by_category", &s.code, "TOTAL")).collect();
    let slot_totals: Vec<u64> = slot_claims.iter().map(|c| c.value).collect();
    if let Some(top) = Ranked::rank(&slot_totals).first() {
        let by_category: Vec<Claim> =
            codes.iter().map(|c| f.get("time_slot_by_category", &slots.codes[top.index].code, c)).collect();
        let counts: Vec<u64> = by_category.iter().map(|c| c.value).collect();
        if let Some(main) = Ranked::rank(&counts).first() {
            out.push(Block::Paragraph(
                cx.sentence("people-time-slot-text")
                    .text("slot", cx.in_sentence(&slots.codes[top.index].label))
                    .count("count", slot_claims[top.index].clone())
                    .count("in-category", by_category[main.index].clone())
                    .text("category", cx.category_label(main.index))
                    .done(),
            ));
        }
    }
}

fn recommendations(cx: &Ctx<'_>, out: &mut Vec<Block>, inputs: &Inputs) {
    out.push(heading(cx, 1, "heading-recommendations"));
    if inputs.recommendations.is_empty() {
        out.push(Block::Paragraph(cx.text("recommendations-none").into()));
        return;
    }
    let header = ["recommendation-actor", "recommendation-action", "recommendation-zone", "recommendation-follow-up"]
        .map(|id| cx.text(id))
        .to_vec();
    out.push(Block::Table(Table {
        header,
        // An analyst's words, shown as written (their numbers are no figure of the tables).
        rows: inputs.recommendations.iter().map(|r| r.iter().map(|c| Text::literal(c.clone())).collect()).collect(),
        numeric_from: 4,
        total_row: false,
    }));
}

fn annexes(cx: &Ctx<'_>, out: &mut Vec<Block>, extra: &Annexes, public: bool) {
    let lang = cx.lang;
    let when = cx.month_name(cx.month);
    let titled = |id: &str| cx.words(id, &[("month", when.clone())]);
    out.push(heading(cx, 1, "heading-annexes"));
    let mut number = 0;
    let geography = &cx.c.geography;
    // Each commune's count, or its cercle's or region's when the map is by cercle or region.
    let level = if public { MapLevel::Commune } else { extra.map_level };
    let commune_counts = &cx.t.current.commune;
    let mut by_place: std::collections::BTreeMap<usize, (String, u64)> = std::collections::BTreeMap::new();
    for (i, n) in commune_counts.iter().enumerate() {
        let (place, name) = place_of(cx, level, i);
        by_place.entry(place).or_insert((name, 0)).1 += n;
    }
    let counts: Vec<u64> = (0..commune_counts.len()).map(|i| by_place[&place_of(cx, level, i).0].1).collect();
    let counts = &counts;
    let k = cx.f.disclosure.min_count();
    let value_of = |pcode: &str| {
        geography.commune_by_pcode(pcode).map(|id| {
            let n = counts[id.0 as usize];
            // A withheld count shows only as the class below k; so does any count below k in the
            // public version's map (its classes then start at k).
            if cx.f.withholds_commune(id.0 as usize) || (public && (1..k).contains(&n)) { 1 } else { n }
        })
    };
    let small = cx.words("map-small-counts", &[("k", k.to_string())]);
    let legend = move |lower: u64, upper: u64| {
        let lower = if public { lower.max(k) } else { lower };
        if public && upper < k {
            small.clone()
        } else if lower >= upper {
            lang.int(upper)
        } else {
            let mut args = Args::new();
            args.set("lower", lower);
            args.set("upper", upper);
            lang.format("map-range", &args)
        }
    };
    let title = cx.annex(
        &mut number,
        titled(match level {
            MapLevel::Region => "annex-violations-map-region",
            MapLevel::Cercle => "annex-violations-map-cercle",
            MapLevel::Commune => "annex-violations-map",
        }),
    );
    out.push(Block::Heading { level: 2, text: title.clone() });
    // The map's data: every commune with a violation, the most first (small counts as a class
    // in the public version, as on the map).
    let mut mapped: Vec<(usize, u64)> = commune_counts.iter().copied().enumerate().filter(|(_, n)| *n > 0).collect();
    mapped.sort_by_key(|&(i, n)| (std::cmp::Reverse(n), i));
    // The public version names no place below the region: its table is by region.
    let data = if public {
        let claims: Vec<Claim> =
            geography.regions.iter().map(|r| cx.f.get("category_by_region", "TOTAL", &r.code)).collect();
        data_table(
            vec![cx.text("data-region"), cx.text("data-violations")],
            (0..claims.len())
                .filter(|&r| claims[r].value > 0)
                .map(|r| (cx.region_name(r), vec![cx.cell(claims[r].clone())]))
                .collect(),
        )
    } else if level != MapLevel::Commune {
        // The map's places, the most first.
        let mut places: Vec<(String, u64)> = by_place.values().filter(|(_, n)| *n > 0).cloned().collect();
        places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let header = if level == MapLevel::Region { "data-region" } else { "data-cercle" };
        data_table(
            vec![cx.text(header), cx.text("data-violations")],
            places.into_iter().map(|(place, n)| (place, vec![Text::literal(lang.int(n))])).collect(),
        )
    } else {
        data_table(
            vec![cx.text("data-commune"), cx.text("data-region"), cx.text("data-violations")],
            mapped
                .iter()
                .map(|&(i, n)| {
                    let commune = geography.commune(vigie_core::CommuneId(i as u16));
                    let region = lang.pick(&geography.region(commune.region).name).to_owned();
                    (commune.unit.name.clone(), vec![Text::literal(region), Text::literal(lang.int(n))])
                })
                .collect(),
        )
    };
    out.push(Block::Figure {
        svg: charts::choropleth(geography, &title, &value_of, &legend, &cx.text("map-no-violation"), &[], &cx.source()),
        caption: title,
        data: Some(data),
    });

    let title = cx.annex(&mut number, titled("annex-alerts-map"));
    alerts(cx, out, extra, public, title);

    let title = cx.annex(&mut number, titled("annex-risk-map"));
    let risk = &cx.t.risk;
    let levels = &cx.c.risk.definition(cx.month).levels;
    let mut classes = vec![(cx.text("map-not-assessed"), "#e6e6e6")];
    for (l, colour) in levels.iter().zip(charts::severity_colours(levels.len())) {
        let label = cx.words("map-level", &[("level", l.level.to_string()), ("label", lang.pick(&l.label).to_owned())]);
        classes.push((label, colour));
    }
    // A commune without answers is "not assessed", never "stable".
    let class_of = |pcode: &str| {
        Some(geography.commune_by_pcode(pcode).and_then(|id| risk.get(id)).map_or(0, |c| usize::from(c.level)))
    };
    out.push(Block::Heading { level: 2, text: title.clone() });
    let mut assessed: Vec<_> = risk.communes.iter().collect();
    assessed.sort_by_key(|c| (std::cmp::Reverse(c.level), c.commune.0));
    let level_of = |c: &&vigie_core::aggregate::CommuneRisk| {
        classes.get(usize::from(c.level)).map(|(label, _)| label.clone()).unwrap_or_default()
    };
    // The public version names no commune: how many communes are at each level.
    let data = if public {
        data_table(
            vec![cx.text("data-level"), cx.text("data-communes")],
            classes
                .iter()
                .enumerate()
                .skip(1)
                .map(|(l, (label, _))| {
                    let n = assessed.iter().filter(|c| usize::from(c.level) == l).count() as u64;
                    (label.clone(), vec![Text::literal(lang.int(n))])
                })
                .collect(),
        )
    } else {
        data_table(
            vec![cx.text("data-commune"), cx.text("data-level")],
            assessed
                .iter()
                .map(|c| (geography.commune(c.commune).unit.name.clone(), vec![Text::literal(level_of(c))]))
                .collect(),
        )
    };
    out.push(Block::Figure {
        svg: charts::map(geography, &title, &class_of, &classes, &[], &cx.source()),
        caption: title,
        data: Some(data),
    });

    if !public {
        out.push(Block::Heading { level: 2, text: cx.annex(&mut number, cx.text("annex-incidents")) });
        let file = crate::report::file_names(cx.lang, cx.month).incidents;
        out.push(Block::Paragraph(cx.sentence("incidents-file").text("file", file).done()));
    }

    let title = cx.annex(&mut number, titled("annex-coverage"));
    out.push(Block::Heading { level: 2, text: title.clone() });
    if !public && !risk.communes.is_empty() {
        out.push(Block::Paragraph(
            cx.sentence("coverage-text")
                .text("now", cx.month_name(cx.month))
                .coverage(
                    cx.f.get("risk_coverage", "TOTAL", "assessed"),
                    cx.f.get("risk_coverage", "TOTAL", "communes"),
                )
                .done(),
        ));
    }
    let classes = [
        ("map-not-covered", "#ffffff"),
        ("map-violations-since-january", "#9ecae1"),
        ("map-assessed-this-month", "#08519c"),
    ]
    .map(|(id, colour)| (cx.text(id), colour));
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
    let mut per_class = [0u64; 3];
    for c in &geography.communes {
        if let Some(class) = coverage(&c.unit.pcode) {
            per_class[class] += 1;
        }
    }
    let data = data_table(
        vec![cx.text("data-coverage"), cx.text("data-communes")],
        classes
            .iter()
            .zip(per_class)
            .map(|((label, _), n)| (label.clone(), vec![Text::literal(lang.int(n))]))
            .collect(),
    );
    out.push(Block::Figure {
        svg: charts::map(geography, &title, &coverage, &classes, &[], &cx.source()),
        caption: title,
        data: Some(data),
    });
}

/// The place a commune counts in on a map by `level` (an index of its level's units), and that
/// place's name.
fn place_of(cx: &Ctx<'_>, level: MapLevel, commune: usize) -> (usize, String) {
    let g = &cx.c.geography;
    let c = g.commune(vigie_core::CommuneId(commune as u16));
    match level {
        MapLevel::Region => (usize::from(c.region.0), cx.region_name(usize::from(c.region.0))),
        MapLevel::Cercle => (usize::from(c.cercle), g.cercles[c.cercle as usize].unit.name.clone()),
        MapLevel::Commune => (commune, c.unit.name.clone()),
    }
}

/// The month's flash alerts: a map (points at their coordinates, else at their commune's
/// centroid; only at the commune in the public version), sized by persons affected, and a table
/// (one row per alert; counts by region and event type in the public version).
fn alerts(cx: &Ctx<'_>, out: &mut Vec<Block>, extra: &Annexes, public: bool, title: String) {
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
    out.push(Block::Heading { level: 2, text: title.clone() });
    // Its data is the table of alerts that follows it.
    out.push(Block::Figure {
        svg: charts::map(g, &title, &|_| None, &[(cx.text("map-alert-circle"), "#ffffff")], &points, &cx.source()),
        caption: title,
        data: None,
    });
    if extra.alerts.is_empty() {
        out.push(Block::Paragraph(cx.text("alerts-none").into()));
        return;
    }
    let event = |e: vigie_core::EventType| cx.words("event-type", &[("type", e.code().to_owned())]);
    if public {
        let f = cx.f;
        let alerts = &cx.t.alerts;
        let regions: Vec<usize> = (0..g.regions.len()).filter(|&r| alerts.region(r) > 0).collect();
        let mut header = vec![cx.text("alert-event-type")];
        header.extend(regions.iter().map(|&r| cx.region_name(r)));
        header.push(cx.text("total"));
        let mut rows: Vec<Vec<Text>> = vigie_core::EventType::ALL
            .iter()
            .enumerate()
            .filter(|(e, _)| alerts.event(*e) > 0)
            .map(|(_, event_type)| {
                let code = event_type.code();
                let mut row = vec![Text::from(event(*event_type))];
                row.extend(regions.iter().map(|&r| cx.cell(f.get("alert_by_region", code, &g.regions[r].code))));
                row.push(cx.cell(f.get("alert_by_region", code, "TOTAL")));
                row
            })
            .collect();
        let mut total = vec![Text::from(cx.text("total"))];
        total.extend(regions.iter().map(|&r| cx.cell(f.get("alert_by_region", "TOTAL", &g.regions[r].code))));
        total.push(cx.cell(f.get("alert_by_region", "TOTAL", "TOTAL")));
        rows.push(total);
        out.push(Block::Table(Table { header, rows, numeric_from: 1, total_row: true }));
        return;
    }
    let header = [
        "alert-date",
        "alert-region",
        "alert-cercle",
        "alert-commune",
        "alert-event-type",
        "alert-households",
        "alert-persons",
    ]
    .map(|id| cx.text(id))
    .to_vec();
    // One alert's own details: shown as reported, not figures of the tables.
    let optional = |n: Option<u32>| Text::literal(n.map_or_else(|| cx.text("alert-missing"), |n| cx.int(u64::from(n))));
    let rows = extra
        .alerts
        .iter()
        .map(|a| {
            let commune = g.commune(a.commune);
            vec![
                Text::literal(vigie_core::records::iso_date(a.date)),
                Text::from(cx.region_name(commune.region.0 as usize)),
                Text::from(g.cercles[commune.cercle as usize].unit.name.clone()),
                Text::from(commune.unit.name.clone()),
                Text::from(event(a.event_type)),
                optional(a.affected_households),
                optional(a.affected_persons),
            ]
        })
        .collect();
    out.push(Block::Table(Table { header, rows, numeric_from: 5, total_row: false }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(value: u64) -> Claim {
        Claim { table: "t".into(), row: "r".into(), column: "c".into(), value, withheld: None }
    }

    #[test]
    fn ties_are_named_together_and_never_cut() {
        let names = ["Mopti", "Ségou", "Tombouctou", "Gao"];
        let name = |i: usize| names[i].to_owned();
        let (fr, en) = (Lang::parse("fr").expect("fr"), Lang::parse("en").expect("en"));
        let counts = [8, 8, 4, 4];
        let claims: Vec<Claim> = counts.iter().map(|&n| claim(n)).collect();
        let ranked = Ranked::rank(&counts);
        assert_eq!(
            ranked_names(fr, &ranked, &claims, 3, &name, "tie-regions").text,
            "Mopti et Ségou (8 chacune) ; Tombouctou et Gao (4 chacune)"
        );
        assert_eq!(ranked_names(en, &ranked, &claims, 2, &name, "tie-regions").text, "Mopti and Ségou (8 each)");
        let counts = [1200, 3, 0, 1];
        let claims: Vec<Claim> = counts.iter().map(|&n| claim(n)).collect();
        let named = ranked_names(fr, &Ranked::rank(&counts), &claims, 3, &name, "tie-cercles");
        assert_eq!(named.text, "Mopti (1\u{202F}200), Ségou (3) et Gao (1)");
        assert_eq!(named.quotes.len(), 3, "one quote per count, in order");
        assert_eq!(ranked_names(fr, &Ranked::rank(&[0, 0]), &claims, 3, &name, "tie-cercles").text, "");
    }
}
