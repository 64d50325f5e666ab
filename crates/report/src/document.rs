//! The report as a small document model, rendered twice — to HTML and to typst (for the PDF) —
//! so that both outputs show the same sections, sentences and figures.

use std::fmt::Write;

use vigie_i18n::Lang;

use crate::charts::escape;
use crate::narrative::Claim;

/// A number a text shows, and what it must agree with: the consistency check reads every
/// number of a text, in order, against the text's quotes.
#[derive(Debug, Clone, PartialEq)]
pub enum Quote {
    /// A cell of `tables.csv`. A zero may be written as a word ("aucune violation").
    Cell(Claim),
    /// The sum of cells (a row total that `tables.csv` does not list).
    Sum(Vec<Claim>),
    /// `part` as a percentage of `whole`, with `decimals` decimals.
    Share { part: Claim, whole: Claim, decimals: usize },
    /// The word for the change from `before` to `now` (no number).
    Trend { now: Claim, before: Claim },
    /// Words that are no figure (a month and its year, an age group's label, a date, an
    /// analyst's text): their numbers are shown as they are.
    Literal(String),
}

/// A text of the report with the numbers it quotes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Text {
    pub text: String,
    pub quotes: Vec<Quote>,
}

impl Text {
    /// Words whose numbers, if any, are no figure.
    pub fn literal(text: impl Into<String>) -> Text {
        let text = text.into();
        let quotes =
            if text.chars().any(|c| c.is_ascii_digit()) { vec![Quote::Literal(text.clone())] } else { Vec::new() };
        Text { text, quotes }
    }

    /// Appends `other`, after `separator` unless this text is empty.
    pub fn push(&mut self, separator: char, other: Text) {
        if !self.text.is_empty() {
            self.text.push(separator);
        }
        self.text.push_str(&other.text);
        self.quotes.extend(other.quotes);
    }
}

/// Words with no number (a heading, a name, a message without figures).
impl From<String> for Text {
    fn from(text: String) -> Text {
        Text { text, quotes: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Text>>,
    /// Columns from this one on are numbers (right-aligned).
    pub numeric_from: usize,
    /// The last row is a total (bold).
    pub total_row: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Text),
    /// An analyst's own text, marked as such.
    Analysis(String),
    Bullets(Vec<Text>),
    Table(Table),
    Figure {
        caption: String,
        svg: String,
        /// The figure's data as a table: its text alternative (the HTML report and the
        /// dashboard show it behind a disclosure; the PDF does not).
        data: Option<Table>,
    },
    PageBreak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

/// Makes the counted cells of HTML tables (`<td … data-cell="table|row|column">`, see
/// [`Table::to_html`]) links: `href(table, row, column)` gives each one's address and what
/// following it does, said with the figure to a screen reader; or leaves it as it is.
pub fn link_cells(html: &str, href: &dyn Fn(&str, &str, &str) -> Option<crate::charts::Link>) -> String {
    const MARK: &str = " data-cell=\"";
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut rest = html;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let (Some(end), Some(close)) = (after.find('"'), after.find("</td>")) else { break };
        out.push_str(&rest[..at]);
        let key = after[..end].replace("&amp;", "&");
        let shown = after[end + 1..close].trim_start_matches('>');
        let mut parts = key.splitn(3, '|');
        let target = match (parts.next(), parts.next(), parts.next()) {
            (Some(table), Some(row), Some(column)) => href(table, row, column),
            _ => None,
        };
        match target {
            Some(crate::charts::Link { href: link, purpose }) => {
                let _ = write!(
                    out,
                    "><a href=\"{}\" aria-label=\"{shown} — {}\">{shown}</a></td>",
                    escape(&link),
                    escape(&purpose)
                );
            }
            None => {
                let _ = write!(out, ">{shown}</td>");
            }
        }
        rest = &after[close + "</td>".len()..];
    }
    out.push_str(rest);
    out
}

/// `html` without the marks a page links by (` data-label="…"`, ` data-cell="…"`).
pub fn without_marks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next =
            [" data-label=\"", " data-cell=\""].iter().filter_map(|m| rest.find(m).map(|at| (at, m.len()))).min();
        let Some((at, len)) = next else { break };
        out.push_str(&rest[..at]);
        let after = &rest[at + len..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

impl Table {
    /// The table as HTML (the report's and the dashboard's). Wide tables scroll inside their
    /// own box on a phone, not the whole page.
    pub fn to_html(&self) -> String {
        let mut body = String::from("<div class=\"table-scroll\"><table>\n<thead><tr>");
        for (i, h) in self.header.iter().enumerate() {
            let class = if i >= self.numeric_from { " class=\"n\"" } else { "" };
            let _ = write!(body, "<th{class}>{}</th>", escape(h));
        }
        body.push_str("</tr></thead>\n<tbody>\n");
        for (r, row) in self.rows.iter().enumerate() {
            let total = self.total_row && r + 1 == self.rows.len();
            body.push_str(if total { "<tr class=\"total\">" } else { "<tr>" });
            for (i, cell) in row.iter().enumerate() {
                let class = if i >= self.numeric_from { " class=\"n\"" } else { "" };
                // A cell that is one shown count of `tables.csv` says which (see `link_cells`).
                let counted = match cell.quotes.as_slice() {
                    [Quote::Cell(c)] if c.withheld.is_none() && c.value > 0 => Some(c),
                    _ => None,
                };
                match counted {
                    Some(c) => {
                        let key = format!("{}|{}|{}", c.table, c.row, c.column);
                        let _ = write!(body, "<td{class} data-cell=\"{}\">{}</td>", escape(&key), escape(&cell.text));
                    }
                    None => {
                        let _ = write!(body, "<td{class}>{}</td>", escape(&cell.text));
                    }
                }
            }
            body.push_str("</tr>\n");
        }
        body.push_str("</tbody></table></div>\n");
        body
    }

    /// Typst column widths. A table of figures spans the page from its label column; numbers
    /// take their width; text columns share the rest by how much text they hold (equal shares
    /// would squeeze a long action beside a short actor).
    fn typst_columns(&self) -> Vec<String> {
        let text = |i: usize| -> usize {
            let header = self.header.get(i).map_or(0, |h| h.chars().count());
            header + self.rows.iter().filter_map(|r| r.get(i)).map(|c| c.text.chars().count()).sum::<usize>()
        };
        (0..self.header.len())
            .map(|i| match i {
                0 if self.numeric_from == 1 => "1fr".to_owned(),
                i if i >= self.numeric_from => "auto".to_owned(),
                // A share grows a little more slowly than the text, and no column falls below a
                // short word's width.
                i => format!("{:.1}fr", (text(i) as f64).powf(0.75).max(4.0)),
            })
            .collect()
    }
}

impl Document {
    /// Every text that may show figures: paragraphs, bullets and table cells.
    pub fn texts(&self) -> Vec<&Text> {
        self.blocks
            .iter()
            .flat_map(|b| match b {
                Block::Paragraph(t) => vec![t],
                Block::Bullets(items) => items.iter().collect(),
                Block::Table(table) => table.rows.iter().flatten().collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// Every text a reader sees, for checks that no word escapes the catalogs.
    pub fn visible_text(&self) -> Vec<&str> {
        let mut out = vec![self.title.as_str(), self.subtitle.as_str()];
        for block in &self.blocks {
            match block {
                Block::Heading { text, .. } | Block::Analysis(text) => out.push(text),
                Block::Paragraph(t) => out.push(&t.text),
                Block::Bullets(items) => out.extend(items.iter().map(|t| t.text.as_str())),
                Block::Table(t) => {
                    out.extend(t.header.iter().map(String::as_str));
                    out.extend(t.rows.iter().flatten().map(|c| c.text.as_str()));
                }
                Block::Figure { caption, .. } => out.push(caption),
                Block::PageBreak => {}
            }
        }
        out
    }

    /// One self-contained HTML file: inline CSS and SVG, readable on screen and in print.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let lang = self.lang.code();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><h1>{}</h1><p class=\"subtitle\">{}</p></header>\n",
            escape(&self.title),
            escape(&self.title),
            escape(&self.subtitle)
        );
        let mut toc = String::from("<nav class=\"toc\"><ol>");
        let mut body = String::new();
        let mut anchor = 0;
        for block in &self.blocks {
            match block {
                Block::Heading { level, text } => {
                    anchor += 1;
                    if *level == 1 {
                        let _ = write!(toc, "<li><a href=\"#s{anchor}\">{}</a></li>", escape(text));
                    }
                    let _ = writeln!(body, "<h{0} id=\"s{anchor}\">{1}</h{0}>", level + 1, escape(text));
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(body, "<p>{}</p>", escape(&text.text));
                }
                Block::Analysis(text) => {
                    let label = escape(&self.lang.text("analysis-mark"));
                    let _ = writeln!(body, "<p class=\"analysis\"><strong>[{label}]</strong> {}</p>", escape(text));
                }
                Block::Bullets(items) => {
                    body.push_str("<ul>");
                    for item in items {
                        let _ = write!(body, "<li>{}</li>", escape(&item.text));
                    }
                    body.push_str("</ul>\n");
                }
                Block::Table(t) => body.push_str(&t.to_html()),
                Block::Figure { caption, svg, data } => {
                    let _ = write!(body, "<figure>{svg}<figcaption>{}</figcaption>", escape(caption));
                    if let Some(table) = data {
                        let summary = escape(&self.lang.text("figure-data"));
                        let _ = write!(body, "<details><summary>{summary}</summary>{}</details>", table.to_html());
                    }
                    body.push_str("</figure>\n");
                }
                Block::PageBreak => body.push_str("<div class=\"page-break\"></div>\n"),
            }
        }
        toc.push_str("</ol></nav>\n");
        out.push_str(&toc);
        out.push_str(&body);
        out.push_str("</body>\n</html>\n");
        // The marks that let the dashboard link its figures are no part of a report's file: a
        // map's labels name communes, which the public version does not.
        without_marks(&out)
    }

    /// Typst markup for the PDF. Every text goes in as a string literal, so nothing a partner
    /// wrote can be read as markup. Figures are files `fig-N.svg` of [`Document::figures`].
    pub fn to_typst(&self) -> String {
        // Typst knows languages by their ISO 639 code alone (`en` of `en-GB`).
        let lang = self.lang.code().split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        let mut out = String::new();
        let _ = write!(
            out,
            "#set document(title: {title})\n#set page(paper: \"a4\", margin: (x: 2cm, y: 2.2cm), numbering: \"1 / 1\", header: context {{ if counter(page).get().first() > 1 {{ set text(size: 8pt, fill: gray); {title} + \" — \" + {subtitle} }} }})\n#set text(font: \"Noto Sans\", size: 10pt, lang: \"{lang}\")\n#set par(justify: true)\n#set heading(numbering: none)\n#set figure(supplement: {supplement})\n#show heading.where(level: 1): it => {{ pagebreak(weak: true); set text(size: 15pt, fill: rgb(\"#0b3d6b\")); it }}\n#show heading.where(level: 2): set text(size: 12pt, fill: rgb(\"#0b3d6b\"))\n#show table.cell.where(y: 0): set text(weight: \"bold\")\n#show table: set par(justify: false)\n#align(center + horizon)[#set par(justify: false); #text(size: 22pt, weight: \"bold\", hyphenate: false, fill: rgb(\"#0b3d6b\"), {title}) \\ #v(1em) #text(size: 16pt, {subtitle})]\n#pagebreak()\n#outline(title: {contents}, depth: 1)\n",
            title = typst_string(&self.title),
            subtitle = typst_string(&self.subtitle),
            supplement = typst_string(&self.lang.text("figure-supplement")),
            contents = typst_string(&self.lang.text("contents"))
        );
        let mut figure = 0;
        for block in &self.blocks {
            match block {
                Block::Heading { level, text } => {
                    let _ = writeln!(out, "#heading(level: {level}, {})", typst_string(text));
                }
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "#par({})\n", typst_string(&text.text));
                }
                Block::Analysis(text) => {
                    let label = format!("[{}] ", self.lang.text("analysis-mark"));
                    let _ = writeln!(
                        out,
                        "#block(fill: rgb(\"#f2f6fa\"), inset: 8pt, width: 100%)[#text(weight: \"bold\", {}) #text(style: \"italic\", {})]\n",
                        typst_string(&label),
                        typst_string(text)
                    );
                }
                Block::Bullets(items) => {
                    let items: Vec<String> = items.iter().map(|i| format!("[#{}]", typst_string(&i.text))).collect();
                    let _ = writeln!(out, "#list({})\n", items.join(", "));
                }
                Block::Table(t) => {
                    let columns = t.typst_columns();
                    let aligns: Vec<&str> =
                        (0..t.header.len()).map(|i| if i < t.numeric_from { "left" } else { "right" }).collect();
                    let header: Vec<String> = t.header.iter().map(|h| format!("[#{}]", typst_string(h))).collect();
                    let _ = write!(
                        out,
                        "#text(size: 8pt, table(columns: ({},), align: ({},), stroke: 0.4pt + gray, fill: (x, y) => if y == 0 {{ rgb(\"#dbe7f3\") }}, table.header({}),",
                        columns.join(", "),
                        aligns.join(", "),
                        header.join(", ")
                    );
                    for (r, row) in t.rows.iter().enumerate() {
                        let total = t.total_row && r + 1 == t.rows.len();
                        for cell in row {
                            if total {
                                let _ = write!(out, " [#strong({})],", typst_string(&cell.text));
                            } else {
                                let _ = write!(out, " [#{}],", typst_string(&cell.text));
                            }
                        }
                    }
                    out.push_str("))\n\n");
                }
                Block::Figure { caption, .. } => {
                    figure += 1;
                    let _ = writeln!(
                        out,
                        "#figure(image(\"fig-{figure}.svg\", width: 100%), caption: {})\n",
                        typst_string(caption)
                    );
                }
                Block::PageBreak => out.push_str("#pagebreak()\n"),
            }
        }
        out
    }

    /// The figures' SVG, in the order `to_typst` numbers them.
    pub fn figures(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure { svg, .. } => Some(svg.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A typst string literal.
fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const CSS: &str = "body{font-family:'Noto Sans',Arial,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}\
header{border-bottom:3px solid #0b3d6b;margin-bottom:1em}h1{color:#0b3d6b}h2{color:#0b3d6b;border-bottom:1px solid #ccd;margin-top:2em}h3{color:#0b3d6b}\
.subtitle{font-size:1.2em}table{border-collapse:collapse;margin:1em 0;font-size:.85em;width:100%}th,td{border:1px solid #bbb;padding:.25em .45em}\
.table-scroll{overflow-x:auto;margin:1em 0}.table-scroll table{margin:0}th{background:#dbe7f3}td.n,th.n{text-align:right}tr.total td{font-weight:bold}figure{margin:1em 0;page-break-inside:avoid}figure svg{max-width:100%;height:auto}\
figcaption{font-size:.85em;color:#444}.analysis{background:#f2f6fa;padding:.6em;font-style:italic}.toc ol{columns:2}\
@media print{body{max-width:none;margin:0}.page-break{page-break-after:always}h2{page-break-before:always}}";

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]], numeric_from: usize) -> Table {
        Table {
            header: header.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|c| Text::literal(*c)).collect()).collect(),
            numeric_from,
            total_row: false,
        }
    }

    /// On a phone, a 14-column table scrolls inside its own box, not the whole page.
    #[test]
    fn html_tables_scroll_inside_their_own_box() {
        let cells: Vec<String> = (0..14).map(|i| i.to_string()).collect();
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        let html = Document {
            lang: Lang::default(),
            title: "T".into(),
            subtitle: "S".into(),
            blocks: vec![Block::Table(table(&cells, &[&cells], 1)), Block::Table(table(&["a"], &[&["b"]], 1))],
        }
        .to_html();
        assert_eq!(html.matches("<table>").count(), 2);
        assert_eq!(html.matches("<div class=\"table-scroll\"><table>").count(), 2);
        assert!(html.contains(".table-scroll{overflow-x:auto"), "the box scrolls");
    }

    /// Text columns share the width by their content: the long action gets the widest column.
    #[test]
    fn text_columns_are_sized_by_their_content() {
        let long =
            "Enquêter de manière approfondie sur les allégations de violations et poursuivre les auteurs présumés.";
        let t = table(&["Acteurs", "Actions", "Zones", "Suivi"], &[&["Gouvernement", long, "National", ""]], 4);
        let widths: Vec<f64> =
            t.typst_columns().iter().map(|w| w.trim_end_matches("fr").parse().expect("a share")).collect();
        assert!(
            widths[1] > 2.0 * widths[0] && widths[1] > 2.0 * widths[2] && widths[1] > 2.0 * widths[3],
            "{widths:?}"
        );
        let figures = table(&["Région", "Jan", "Total"], &[&["Mopti", "3", "3"]], 1);
        assert_eq!(figures.typst_columns(), ["1fr", "auto", "auto"]);
    }

    #[test]
    fn typst_strings_cannot_inject_markup() {
        assert_eq!(typst_string("a \"b\" #c \\ d"), "\"a \\\"b\\\" #c \\\\ d\"");
    }
}
