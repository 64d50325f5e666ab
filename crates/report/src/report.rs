//! `vigie report`: the month's report as PDF, HTML, an incident-list workbook and
//! `tables.csv`, all drawn from one [`MonthTables`].

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};
use vigie_core::aggregate::{Disclosure, MonthTables};
use vigie_core::{Catalog, ListKind, Month, Violation};

use vigie_i18n::{Args, Lang};

use crate::labels::Pick;
use crate::long_form::{Cell, cells};
use crate::narrative::{self, Annexes, Claim, Inputs};
use crate::{ReportError, document::Document};

/// The four files of a month's report, named in the report's language (`file-report`,
/// `file-incidents` of its catalog).
pub struct FileNames {
    pub pdf: String,
    pub html: String,
    pub incidents: String,
    pub tables: String,
}

pub fn file_names(lang: Lang, month: Month) -> FileNames {
    let mut args = Args::new();
    args.set("month", month.to_string());
    let (report, annex) = (lang.format("file-report", &args), lang.format("file-incidents", &args));
    FileNames {
        pdf: format!("{report}.pdf"),
        html: format!("{report}.html"),
        incidents: format!("{annex}.xlsx"),
        tables: format!("tables-{month}.csv"),
    }
}

/// What was written, for the command's summary and for tests.
pub struct Written {
    pub files: Vec<PathBuf>,
    pub pages: usize,
    pub document: Document,
    pub claims: Vec<Claim>,
}

/// A month's report as one reader may see it: the cells and the document every file is drawn
/// from. Each file is made only when asked, so a download of the HTML or the tables does not
/// pay for the PDF. A `restricted` reader (some records hidden from it: a partner, a viewer, the
/// public) gets the public version, its figures as the disclosure lets them through.
pub struct Report {
    pub names: FileNames,
    pub cells: Vec<Cell>,
    pub document: Document,
    pub claims: Vec<Claim>,
}

impl Report {
    pub fn build(
        tables: &MonthTables,
        catalog: &Catalog,
        lang: Lang,
        inputs: &Inputs,
        restricted: Option<&Disclosure>,
        extra: &Annexes,
    ) -> Report {
        let cells = tables_cells(tables, catalog, restricted);
        let (document, claims) = narrative::build(tables, catalog, &cells, lang, inputs, extra, restricted);
        Report { names: file_names(lang, tables.month), cells, document, claims }
    }

    pub fn tables_csv(&self) -> Result<Vec<u8>, ReportError> {
        let mut bytes = Vec::new();
        crate::write_csv(&self.cells, &mut bytes)?;
        Ok(bytes)
    }

    pub fn html(&self) -> String {
        self.document.to_html()
    }

    /// The PDF and its number of pages.
    pub fn pdf(&self) -> Result<(Vec<u8>, usize), ReportError> {
        crate::pdf::compile(self.document.to_typst(), &self.document.figures())
    }
}

/// The month's cells as a reader may see them: all of them, or those the disclosure lets through.
pub fn tables_cells(tables: &MonthTables, catalog: &Catalog, restricted: Option<&Disclosure>) -> Vec<Cell> {
    match restricted {
        Some(disclosure) => crate::disclosed(cells(tables, catalog), disclosure),
        None => cells(tables, catalog),
    }
}

/// Writes `bytes` to `path` as they are.
pub fn plain(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::write(path, bytes)?;
    Ok(path.to_owned())
}

/// Writes the report's files into `dir`: `tables.csv`, the HTML, the PDF and, for a reader who
/// sees every record, the incident list (one row a violation, narratives included), saved by
/// `save_incidents`, which says where it put it: [`plain`], or encrypted by `vigie report
/// --encrypt`, so that it never touches the disk in clear.
#[expect(clippy::too_many_arguments, reason = "the report's inputs, each used once")]
pub fn write(
    dir: &Path,
    tables: &MonthTables,
    catalog: &Catalog,
    lang: Lang,
    inputs: &Inputs,
    restricted: Option<&Disclosure>,
    incidents: &[Violation],
    extra: &Annexes,
    save_incidents: &dyn Fn(&Path, &[u8]) -> std::io::Result<PathBuf>,
) -> Result<Written, ReportError> {
    std::fs::create_dir_all(dir)?;
    let report = Report::build(tables, catalog, lang, inputs, restricted, extra);
    let mut files = Vec::new();
    let mut save = |name: &str, bytes: &[u8]| -> Result<(), ReportError> {
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        files.push(path);
        Ok(())
    };
    save(&report.names.tables, &report.tables_csv()?)?;
    save(&report.names.html, report.html().as_bytes())?;

    // The workbook and the PDF are independent: one core each.
    let (pdf, workbook) = std::thread::scope(|s| {
        let workbook = s.spawn(|| restricted.is_none().then(|| incident_list(incidents, catalog, lang)).transpose());
        (report.pdf(), workbook.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let (pdf, pages) = pdf?;
    save(&report.names.pdf, &pdf)?;
    if let Some(workbook) = workbook? {
        files.push(save_incidents(&dir.join(&report.names.incidents), &workbook)?);
    }
    Ok(Written { files, pages, document: report.document, claims: report.claims })
}

/// What a published version of a month holds: in every language, the report as IM officers
/// read it (PDF, HTML, `tables.csv`, the tables' workbook, the incident list) and its public
/// version (the same but the incident list, its figures as `public` lets them through, no
/// analyst's text). Named `{language}/{edition}/{file}` ([`published_name`]).
pub fn published_files(
    tables: &MonthTables,
    catalog: &Catalog,
    inputs: &Inputs,
    incidents: &[Violation],
    extra: &Annexes,
    public: &Disclosure,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files = Vec::new();
    for lang in Lang::all() {
        for edition in [Edition::Full, Edition::Public] {
            let report = match edition {
                Edition::Full => Report::build(tables, catalog, lang, inputs, None, extra),
                Edition::Public => Report::build(tables, catalog, lang, &Inputs::default(), Some(public), extra),
            };
            let name = |file: &str| published_name(lang, edition, file);
            files.push((name("tables.csv"), report.tables_csv()?));
            files.push((name("tables.xlsx"), crate::tables_workbook(&report.cells, catalog, lang)?));
            files.push((name("html"), report.html().into_bytes()));
            if edition == Edition::Full {
                files.push((name("incidents.xlsx"), incident_list(incidents, catalog, lang)?));
            }
            files.push((name("pdf"), report.pdf()?.0));
        }
    }
    Ok(files)
}

/// Which reader a published file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// Whoever sees every record: admins and IM officers.
    Full,
    /// Everyone else: small counts withheld, no analyst's text, no incident list.
    Public,
}

impl Edition {
    pub fn code(self) -> &'static str {
        match self {
            Edition::Full => "full",
            Edition::Public => "public",
        }
    }
}

/// A published file's stored name: `fr/full/pdf`, `en/public/tables.csv`…
pub fn published_name(lang: Lang, edition: Edition, file: &str) -> String {
    format!("{}/{}/{file}", lang.code(), edition.code())
}

/// The incident list workbook: one row per incident (its violations share its id,
/// DATA-FORMATS.md), dated by its first violation, without narratives (case details stay out of
/// reports).
pub fn incident_list(violations: &[Violation], catalog: &Catalog, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(lang.text("incidents-sheet"))?;
    let bold = Format::new().set_bold();
    let header = [
        "incidents-incident",
        "incidents-date",
        "incidents-region",
        "incidents-cercle",
        "incidents-commune",
        "incidents-violations",
        "incidents-types",
        "incidents-perpetrator",
        "incidents-place",
        "incidents-time-slot",
        "incidents-organization",
    ]
    .map(|id| lang.text(id));
    for (j, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, h, &bold)?;
    }
    let mut sorted: Vec<&Violation> = violations.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.incident_id, a.incident_date, a.subtype).cmp(&(&b.incident_id, b.incident_date, b.subtype))
    });
    let mut incidents: Vec<&[&Violation]> = sorted.chunk_by(|a, b| a.incident_id == b.incident_id).collect();
    incidents.sort_by(|a, b| (a[0].incident_date, &a[0].incident_id).cmp(&(b[0].incident_date, &b[0].incident_id)));
    let g = &catalog.geography;
    let label = |kind: ListKind, v: &Violation| {
        let list = catalog.lists.get(kind);
        lang.pick(&list.codes[v.code(kind) as usize].label).to_owned()
    };
    let mut r = 0u32;
    for incident in incidents {
        let v = incident[0];
        r += 1;
        let commune = g.commune(v.commune);
        let region = g.region(commune.region);
        let mut subtypes: Vec<u8> = incident.iter().map(|v| v.subtype).collect();
        subtypes.sort_unstable();
        subtypes.dedup();
        let types: Vec<&str> = subtypes.iter().map(|&s| catalog.typology.subtypes[s as usize].code.as_str()).collect();
        let values = [
            v.incident_id.clone(),
            v.incident_date.to_string(),
            lang.pick(&region.name).to_owned(),
            g.cercles[commune.cercle as usize].unit.name.clone(),
            commune.unit.name.clone(),
        ];
        for (j, value) in values.iter().enumerate() {
            sheet.write_string(r, j as u16, value)?;
        }
        sheet.write_number(r, 5, incident.len() as f64)?;
        sheet.write_string(r, 6, types.join(", "))?;
        sheet.write_string(r, 7, label(ListKind::Perpetrator, v))?;
        sheet.write_string(r, 8, label(ListKind::Place, v))?;
        sheet.write_string(r, 9, label(ListKind::TimeSlot, v))?;
        sheet.write_string(r, 10, &v.organization)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, r, header.len() as u16 - 1)?;
    Ok(workbook.save_to_buffer()?)
}
