//! Reads an exchange-format CSV file: a UTF-8 BOM, `;` or `,` separators, CRLF line ends,
//! columns in any order and unknown columns (with a warning) are all accepted. The file is
//! streamed row by row; memory does not grow with its size.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};
use vigie_core::records::Schema;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{file}, line {line}, column `{column}`: the text is not UTF-8. Save the file as \"CSV UTF-8\" \
         in your spreadsheet (Excel: File > Save As > CSV UTF-8), or convert it with \
         `iconv -f WINDOWS-1252 -t UTF-8 {file} > fixed.csv`"
    )]
    NotUtf8 { file: String, line: u64, column: String },
    #[error("{file}: missing required column(s) {}; the header has: {}", .missing.join(", "), .found.join(", "))]
    MissingColumns { file: String, missing: Vec<String>, found: Vec<String> },
    #[error("{file}, line 1: column `{column}` appears twice in the header")]
    DuplicateColumn { file: String, column: String },
    #[error("{file}, line {line}: {message}")]
    Malformed { file: String, line: u64, message: String },
}

/// Hashes the bytes as the CSV parser reads them, so the checksum costs no second pass, and notes
/// where the line feeds are, so that errors name the line a text editor shows.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the line feeds read but not yet passed by a row (a read-ahead's worth).
    line_feeds: VecDeque<u64>,
    /// Where the line being read began, and how many lines came before it.
    line_start: u64,
    lines: u64,
}

/// The longest line a file may have: a row a person wrote is far shorter, and the parser holds
/// a whole row in memory.
pub const MAX_LINE: u64 = 1024 * 1024;

impl<R> Hashing<R> {
    fn new(inner: R) -> Hashing<R> {
        Hashing { inner, hasher: Sha256::new(), offset: 0, line_feeds: VecDeque::new(), line_start: 0, lines: 0 }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        let before = self.line_feeds.len();
        self.line_feeds.extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| self.offset + i as u64));
        if let Some(&last) = self.line_feeds.back().filter(|_| self.line_feeds.len() > before) {
            self.lines += (self.line_feeds.len() - before) as u64;
            self.line_start = last + 1;
        }
        self.offset += n as u64;
        if self.offset - self.line_start > MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line {} is longer than {} KiB: is this a CSV file?", self.lines + 1, MAX_LINE / 1024),
            ));
        }
        Ok(n)
    }
}

/// Physical line numbers: 1 + the line feeds before a byte. The CSV parser's own line count is
/// off by one after CRLF ends; counting line feeds is right for LF and CRLF files alike, and for
/// line breaks inside quoted cells.
#[derive(Default)]
struct Lines {
    before: u64,
}

impl Lines {
    /// The line of a row that starts at byte `offset` of the file; offsets only grow from call
    /// to call. After a CRLF end the parser places the next row at the line feed of that end
    /// (it ended the row at the carriage return): a line feed at the offset itself is before.
    fn at<R>(&mut self, source: &mut Hashing<R>, offset: u64) -> u64 {
        while source.line_feeds.front().is_some_and(|&at| at <= offset) {
            source.line_feeds.pop_front();
            self.before += 1;
        }
        self.before + 1
    }
}

pub struct CsvRows {
    file: String,
    reader: csv::Reader<BufReader<Hashing<File>>>,
    record: csv::ByteRecord,
    header: Vec<String>,
    /// Bytes before the parser's offset 0 (a BOM).
    skipped: u64,
    lines: Lines,
    /// For each schema column, its position in the file.
    positions: Vec<Option<usize>>,
    pub warnings: Vec<String>,
}

/// One data row, its cells aligned with the schema (`None`: absent column or empty cell).
pub struct Row<'a> {
    pub line: u64,
    pub byte: u64,
    cells: Vec<Option<&'a str>>,
}

impl<'a> Row<'a> {
    pub fn values(&self) -> &[Option<&'a str>] {
        &self.cells
    }
}

/// `;` when the header line has more semicolons than commas outside quotes, else `,`.
pub fn detect_delimiter(first_line: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in first_line.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

impl CsvRows {
    pub fn open(path: &Path, schema: &Schema) -> Result<CsvRows, ReadError> {
        let file = path.display().to_string();
        let io_error = |source| ReadError::Io { file: file.clone(), source };
        let handle = File::open(path).map_err(io_error)?;
        let hashing = Hashing::new(handle);
        let mut buffered = BufReader::with_capacity(1 << 16, hashing);
        let head = buffered.fill_buf().map_err(io_error)?;
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        let delimiter = detect_delimiter(if bom { &head[3..] } else { head });
        if bom {
            buffered.consume(3);
        }
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(buffered);
        let skipped = if bom { 3 } else { 0 };
        let raw_header = match reader.byte_headers() {
            Ok(header) => header.clone(),
            Err(e) => return Err(csv_error(&file, e, 1)),
        };
        let mut header = Vec::with_capacity(raw_header.len());
        for cell in raw_header.iter() {
            let name = std::str::from_utf8(cell).map_err(|_| ReadError::NotUtf8 {
                file: file.clone(),
                line: 1,
                column: "(header)".into(),
            })?;
            let name = name.trim().to_owned();
            if !name.is_empty() && header.contains(&name) {
                return Err(ReadError::DuplicateColumn { file, column: name });
            }
            header.push(name);
        }
        let positions: Vec<Option<usize>> =
            schema.columns.iter().map(|c| header.iter().position(|h| *h == c.name)).collect();
        let missing: Vec<String> = schema
            .columns
            .iter()
            .zip(&positions)
            .filter(|(c, p)| c.required && p.is_none())
            .map(|(c, _)| c.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns { file, missing, found: header });
        }
        let warnings = header
            .iter()
            .filter(|h| !schema.names().any(|n| n == h.as_str()))
            .map(|h| format!("{file}: unknown column `{h}` ignored"))
            .collect();
        Ok(CsvRows {
            file,
            reader,
            record: csv::ByteRecord::new(),
            header,
            skipped,
            lines: Lines::default(),
            positions,
            warnings,
        })
    }

    /// The physical line of the parser's byte `offset`.
    fn line_at(&mut self, offset: u64) -> u64 {
        self.lines.at(self.reader.get_mut().get_mut(), offset + self.skipped)
    }

    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ReadError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.line_at(p.byte()));
                    return Err(csv_error(&self.file, e, line));
                }
            }
            // Spreadsheets leave rows of empty cells below the data: skip them.
            if !self.record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                break;
            }
        }
        let byte = self.record.position().map_or(0, csv::Position::byte);
        let line = self.line_at(byte);
        if self.record.len() > self.header.len() {
            return Err(ReadError::Malformed {
                file: self.file.clone(),
                line,
                message: format!(
                    "{} cells where the header has {} columns: check the separators and quotes of this row",
                    self.record.len(),
                    self.header.len()
                ),
            });
        }
        // One UTF-8 check for the whole row; cells are slices of it.
        let all = match std::str::from_utf8(self.record.as_slice()) {
            Ok(all) => all,
            Err(_) => {
                let bad = (0..self.record.len())
                    .find(|&i| self.record.get(i).is_some_and(|b| std::str::from_utf8(b).is_err()))
                    .and_then(|i| self.header.get(i))
                    .cloned()
                    .unwrap_or_default();
                return Err(ReadError::NotUtf8 { file: self.file.clone(), line, column: bad });
            }
        };
        let mut cells = Vec::with_capacity(self.positions.len());
        for p in &self.positions {
            let cell = p.and_then(|i| self.record.range(i)).and_then(|range| all.get(range)).and_then(|text| {
                // Most cells have nothing to trim: skip the scan unless an end may be a space.
                let may_have_space = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii());
                let bytes = text.as_bytes();
                let text =
                    if may_have_space(bytes.first()) || may_have_space(bytes.last()) { text.trim() } else { text };
                // A formula-like text a CSV writer guarded with a `'` (Vigie's own downloads).
                Some(vigie_core::spreadsheet::unguard(text)).filter(|t| !t.is_empty())
            });
            cells.push(cell);
        }
        Ok(Some(Row { line, byte, cells }))
    }

    /// Bytes read and the file's SHA-256, once every row has been read.
    pub fn finish(&mut self) -> (u64, String) {
        let hashing = self.reader.get_ref().get_ref();
        let digest = hashing.hasher.clone().finalize();
        (self.reader.position().byte(), digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn csv_error(file: &str, e: csv::Error, line: u64) -> ReadError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => ReadError::Io { file: file.to_owned(), source },
        other => ReadError::Malformed { file: file.to_owned(), line, message: format!("{other:?}") },
    }
}
