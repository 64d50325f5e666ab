//! The PDF, through typst embedded as a library: an in-memory [`World`] with the embedded
//! fonts and the report's figures as files. No system fonts, no network.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::ReportError;

const FONTS: [&[u8]; 4] = [
    include_bytes!("../../../reference/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../../reference/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../../reference/fonts/NotoSans-Italic.ttf"),
    include_bytes!("../../../reference/fonts/NotoSans-BoldItalic.ttf"),
];

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Fonts and the standard library, built once per process.
static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::NotFound("report.typ".into())) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| FileError::NotFound("figure".into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Reports are reproducible: the document never reads the clock.
        None
    }
}

/// Compiles typst markup with its figures (`fig-1.svg`, …) to PDF bytes and a page count.
pub fn compile(markup: String, figures: &[&str]) -> Result<(Vec<u8>, usize), ReportError> {
    let file = |name: &str| -> Result<FileId, ReportError> {
        let path = VirtualPath::new(name).map_err(|e| ReportError::Pdf(format!("{name}: {e:?}")))?;
        Ok(FileId::new(RootedPath::new(VirtualRoot::Project, path)))
    };
    let main = Source::new(file("report.typ")?, markup);
    let mut files = Vec::new();
    for (i, svg) in figures.iter().enumerate() {
        files.push((file(&format!("fig-{}.svg", i + 1))?, Bytes::new(svg.as_bytes().to_vec())));
    }
    let world = ReportWorld { main, files };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        ReportError::Pdf(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    let pages = document.pages().len();
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map(|bytes| (bytes, pages))
        .map_err(|errors| ReportError::Pdf(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}
