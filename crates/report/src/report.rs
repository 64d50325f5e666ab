//! `vigie report`: the month's report as PDF, HTML, an incident-list workbook and
//! `tables.csv`, all drawn from one [`MonthTables`].

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};
use vigie_core::aggregate::{Disclosure, MonthTables};
use vigie_core::{Catalog, ListKind, Month, Violation};

use vigie_i18n::{Args, Lang};

use crate::labels::Pick;
use crate::long_form::cells;
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

/// Writes the report files into `dir`. A `restricted` reader (some records hidden from it: a
/// partner, a viewer, the public) gets the public version, its figures and `tables.csv` as the
/// disclosure lets them through, and no incident list.
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
) -> Result<Written, ReportError> {
    std::fs::create_dir_all(dir)?;
    let names = file_names(lang, tables.month);
    let all = match restricted {
        Some(disclosure) => crate::disclosed(cells(tables, catalog), disclosure),
        None => cells(tables, catalog),
    };
    let (document, claims) = narrative::build(tables, catalog, &all, lang, inputs, extra, restricted);
    let mut files = Vec::new();

    let path = dir.join(&names.tables);
    crate::write_csv(&all, std::io::BufWriter::new(std::fs::File::create(&path)?))?;
    files.push(path);

    let path = dir.join(&names.html);
    std::fs::write(&path, document.to_html())?;
    files.push(path);

    // The workbook and the PDF are independent: one core each.
    let incidents_path = restricted.is_none().then(|| dir.join(&names.incidents));
    let (pdf, workbook) = std::thread::scope(|s| {
        let workbook =
            s.spawn(|| incidents_path.as_ref().map_or(Ok(()), |p| write_incidents(p, incidents, catalog, lang)));
        let pdf = crate::pdf::compile(document.to_typst(), &document.figures());
        (pdf, workbook.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let (pdf, pages) = pdf?;
    workbook?;
    let path = dir.join(&names.pdf);
    std::fs::write(&path, &pdf)?;
    files.push(path);
    files.extend(incidents_path);
    Ok(Written { files, pages, document, claims })
}

/// The incident list: one row per incident (its violations share its id, DATA-FORMATS.md),
/// dated by its first violation, without narratives (case details stay out of reports).
fn write_incidents(path: &Path, violations: &[Violation], catalog: &Catalog, lang: Lang) -> Result<(), ReportError> {
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
    workbook.save(path)?;
    Ok(())
}
