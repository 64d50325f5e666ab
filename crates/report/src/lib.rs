//! Vigie's outputs, all drawn from the aggregation layer's [`MonthTables`]: the long-form
//! `tables.csv` of DATA-FORMATS.md §4 (also as JSON), and the same tables as a workbook.

pub mod charts;
pub mod consistency;
pub mod document;
pub mod format;
pub mod geojson;
pub mod hxl;
mod labels;
mod long_form;
pub mod narrative;
mod pdf;
pub mod report;
pub mod signals;
pub mod text_check;
mod xlsx;

pub use labels::Pick;
pub use long_form::{
    Cell, cell_filters, cells, disclosed, write_csv, write_csv_with, write_json, write_json_disclosed,
};
pub use narrative::{Annexes, Claim, Inputs, MapLevel};
pub use pdf::compile as compile_pdf;
pub use vigie_i18n::Lang;
pub use xlsx::{tables_workbook, write_xlsx};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("typesetting the PDF: {0}")]
    Pdf(String),
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
