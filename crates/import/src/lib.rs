//! Vigie's import pipeline: a reader per exchange format yields validated domain records into a
//! storage session; the session writes them in one transaction.
//!
//! Invariant: an import writes all of its files or nothing. Every row is validated; if any row
//! of any file is invalid, or a file cannot be read, the session is dropped and the database is
//! left as it was. An import that would change nothing (a re-import) is rolled back as well, so
//! it leaves no trace.

mod reader;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use vigie_core::Catalog;
use vigie_core::records::Schema;
use vigie_store::{
    Actor, BatchSource, Counts, ImportSession, Outcome, PreparedRows, Record, RecordKind, Store, StoreError,
};

pub use reader::{CsvRows, MAX_LINE, ReadError, detect_delimiter};

/// How many row errors are listed before the rest are only counted.
pub const DEFAULT_MAX_ERRORS: usize = 50;

#[derive(Debug, Clone)]
pub struct Options {
    /// Validate and count, then roll back.
    pub dry_run: bool,
    pub max_errors: usize,
    /// The day "not in the future" is measured against.
    pub today: NaiveDate,
    /// A partner's import: only rows of this organisation, and no id another organisation's
    /// record holds.
    pub organization: Option<String>,
    /// Who the audit log names for the import's changes.
    pub actor: Actor,
    /// Records of a form that this import replaces (KoBo/ODK exports): see [`Replace`].
    pub replace: Option<Replace>,
}

/// A form's earlier rows that an export replaces. Violation ids are
/// `<prefix><submission>:<entry>:<subtype>`: a stored row of a submission in the export that the
/// export no longer has (a victim or subtype edited away) is deleted, and with `sync`, so are
/// the rows of submissions gone from the export. Rows whose id lacks the prefix are never
/// touched.
#[derive(Debug, Clone, Default)]
pub struct Replace {
    /// `<form id>:`.
    pub prefix: String,
    /// The export's submissions, as `<prefix><submission>`.
    pub submissions: std::collections::HashSet<String>,
    pub sync: bool,
}

/// One broken rule, located to the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub expected: String,
    /// The rule broken, when a cell broke one (not for a row repeated in the file).
    pub rule: Option<vigie_core::Rule>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = if self.value.is_empty() { "nothing".to_owned() } else { format!("`{}`", self.value) };
        write!(
            f,
            "{}, line {}, column `{}`: found {found}, expected {}",
            self.file, self.line, self.column, self.expected
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}", invalid_message(.errors, *.more))]
    Invalid { errors: Vec<RowError>, more: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid_message(errors: &[RowError], more: u64) -> String {
    error_list(errors, more, "Nothing was imported: fix these rows and import the file(s) again.")
}

/// Errors one per line, then how many more were not listed, then what to do.
pub fn error_list(errors: &[impl fmt::Display], more: u64, advice: &str) -> String {
    let mut text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if more > 0 {
        text.push(format!("… and {more} more errors"));
    }
    text.push(advice.to_owned());
    text.join("\n")
}

#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    /// The file's name in messages and in its batch (its path, unless the caller named it).
    pub name: String,
    pub rows: u64,
    pub counts: Counts,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub files: Vec<FileReport>,
    pub total: Counts,
    /// The records deleted (or, after a dry run, that would be) because an export replaced them.
    pub deleted: Vec<String>,
    /// False after a dry run, or when the files held nothing new.
    pub committed: bool,
    /// How long the commit took (writing the last pages and checkpointing): `--stats` shows it.
    pub commit_time: std::time::Duration,
}

/// Reading progress, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub bytes_read: u64,
    pub bytes_total: u64,
}

/// Imports `paths` into `store`, all or nothing.
pub fn import_files(
    store: &mut dyn Store,
    catalog: &Catalog,
    kind: RecordKind,
    paths: &[PathBuf],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, ImportError> {
    let named: Vec<(PathBuf, String)> = paths.iter().map(|p| (p.clone(), p.display().to_string())).collect();
    import_named(store, catalog, kind, &named, options, progress)
}

/// Imports files, each read from its path and named in messages and batches by its name (a
/// converted export is read from a temporary file but named after the export).
pub fn import_named(
    store: &mut dyn Store,
    catalog: &Catalog,
    kind: RecordKind,
    sources: &[(PathBuf, String)],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, ImportError> {
    let paths: Vec<&PathBuf> = sources.iter().map(|(p, _)| p).collect();
    let bytes_total = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let mut bytes_done = 0;
    let schema = vigie_store::schema(kind, catalog);
    let mut session = store.import()?;
    session.bind_geography(&catalog.geography.name)?;
    session.act_as(&options.actor);
    if let Some(organization) = &options.organization {
        session.restrict_to(organization);
    }
    if kind == RecordKind::RiskAnswers {
        // Another process may have loaded a definition since `catalog` was read: the answers
        // would be checked against the wrong version. The session's lock keeps this true to the end.
        let latest = session.latest_risk_version()?;
        let known = catalog.risk.versions().iter().map(|v| v.version).max().unwrap_or(1);
        if latest != known {
            return Err(ImportError::Store(StoreError::Conflict(format!(
                "risk index definition version {latest} was loaded while this import started (it knew version \
                 {known}); nothing was imported: run the import again"
            ))));
        }
    }
    let mut errors = Vec::new();
    let mut more = 0u64;
    let mut files = Vec::new();
    let mut total = Counts::default();
    let mut seen = std::collections::HashSet::new();
    for (path, name) in sources {
        let file = import_file(
            session.as_mut(),
            catalog,
            kind,
            &schema,
            path,
            name,
            &mut |key| {
                if options.replace.as_ref().is_some_and(|r| key.starts_with(&r.prefix)) {
                    seen.insert(key.to_owned());
                }
            },
            options,
            &mut |e| {
                if errors.len() < options.max_errors {
                    errors.push(e);
                } else {
                    more += 1;
                }
            },
            &mut |bytes| progress(Progress { bytes_read: bytes_done + bytes, bytes_total }),
        )?;
        bytes_done += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        total.inserted += file.counts.inserted;
        total.updated += file.counts.updated;
        total.unchanged += file.counts.unchanged;
        files.push(file);
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid { errors, more });
    }
    let mut deleted = Vec::new();
    if let Some(replace) = &options.replace {
        for id in session.ids_with_prefix(kind, &replace.prefix)? {
            if seen.contains(&id) {
                continue;
            }
            // `<prefix><submission>:<entry>:<subtype>`: the submission is all but the last two parts.
            let submission = id.rsplitn(3, ':').nth(2).unwrap_or_default();
            if replace.sync || replace.submissions.contains(submission) {
                session.delete(kind, &id)?;
                deleted.push(id);
            }
        }
    }
    let committed = !options.dry_run && (total.changed() || !deleted.is_empty());
    let started = std::time::Instant::now();
    if committed {
        session.commit()?;
    }
    Ok(Report { files, total, deleted, committed, commit_time: started.elapsed() })
}

#[expect(clippy::too_many_arguments, reason = "one call site; a struct would only rename them")]
fn import_file(
    session: &mut dyn ImportSession,
    catalog: &Catalog,
    kind: RecordKind,
    schema: &Schema,
    path: &Path,
    file_name: &str,
    seen: &mut dyn FnMut(&str),
    options: &Options,
    report_error: &mut dyn FnMut(RowError),
    progress: &mut dyn FnMut(u64),
) -> Result<FileReport, ImportError> {
    let file_name = file_name.to_owned();
    let mut rows = CsvRows::open(path, schema)?;
    session.begin_file(&BatchSource { kind, file_name: file_name.clone() })?;
    let mut counts = Counts::default();
    let mut failed = false;
    // Two stages on two threads: this one stores, a reader thread reads and parses. The
    // channel is bounded, so memory stays flat whatever the file's size; emptied batches go
    // back to the reader to be refilled.
    let (read, n) = std::thread::scope(|scope| -> Result<(ReadOutcome, u64), ImportError> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(4);
        let (recycle, recycled) = std::sync::mpsc::sync_channel::<Batch>(8);
        let reader = std::thread::Builder::new()
            .name("vigie-reader".into())
            .spawn_scoped(scope, move || {
                read_and_parse(&mut rows, kind, catalog, options, &sender, &recycled).map(|()| rows)
            })
            .map_err(|source| ReadError::Io { file: file_name.clone(), source })?;
        let mut n = 0u64;
        let mut outcomes = Vec::new();
        for mut batch in receiver {
            for line in &mut batch.lines {
                n += 1;
                if n.is_multiple_of(8192) {
                    progress(line.byte);
                }
                if !line.errors.is_empty() {
                    failed = true;
                    for e in line.errors.drain(..) {
                        report_error(RowError {
                            file: file_name.clone(),
                            line: line.line,
                            column: e.column,
                            value: e.value,
                            expected: e.expected,
                            rule: Some(e.rule),
                        });
                    }
                }
            }
            // Once a row is invalid nothing will be written: keep validating, stop storing.
            if !failed && !batch.rows.is_empty() {
                session.put(&batch.rows, &mut outcomes)?;
                // Every line of the batch is valid, so its rows are its lines, in order.
                for (i, (line, &outcome)) in batch.lines.iter().zip(&outcomes).enumerate() {
                    let key = batch.rows.get(i).key();
                    seen(key);
                    if outcome == Outcome::ConflictInFile {
                        failed = true;
                        report_error(RowError {
                            file: file_name.clone(),
                            line: line.line,
                            column: schema.columns[0].name.clone(),
                            value: key.to_owned(),
                            expected: "an identifier used once per file: an earlier row has the same id with \
                                       different content"
                                .into(),
                            rule: None,
                        });
                    }
                    counts.add(outcome);
                }
            }
            batch.clear();
            let _ = recycle.try_send(batch);
        }
        let mut rows = reader.join().map_err(|_| ReadError::Malformed {
            file: file_name.clone(),
            line: 0,
            message: "the reader thread stopped unexpectedly".into(),
        })??;
        let (bytes, sha256) = rows.finish();
        Ok((ReadOutcome { bytes, sha256, warnings: std::mem::take(&mut rows.warnings) }, n))
    })?;
    progress(read.bytes);
    if !failed {
        session.end_file(&counts, &read.sha256)?;
    }
    Ok(FileReport { path: path.to_owned(), name: file_name, rows: n, counts, warnings: read.warnings })
}

struct ReadOutcome {
    bytes: u64,
    sha256: String,
    warnings: Vec<String>,
}

/// Rows read and parsed: each line either broke rules or is the next of `rows`.
#[derive(Default)]
struct Batch {
    lines: Vec<Line>,
    rows: PreparedRows,
}

struct Line {
    line: u64,
    byte: u64,
    errors: Vec<vigie_core::FieldError>,
}

impl Batch {
    fn clear(&mut self) {
        self.lines.clear();
        self.rows.clear();
    }
}

const BATCH: usize = 4096;

fn read_and_parse(
    rows: &mut CsvRows,
    kind: RecordKind,
    catalog: &Catalog,
    options: &Options,
    sender: &std::sync::mpsc::SyncSender<Batch>,
    recycled: &std::sync::mpsc::Receiver<Batch>,
) -> Result<(), ReadError> {
    let today = options.today;
    // A partner's rows name its own organisation.
    let own = |organization: &str| match &options.organization {
        Some(own) if own != organization => Err(vec![vigie_core::FieldError {
            column: "organization".into(),
            value: organization.into(),
            expected: format!("`{own}`: a partner imports its own organisation's records only"),
            rule: vigie_core::Rule::OtherOrganization,
        }]),
        _ => Ok(()),
    };
    let mut batch = Batch::default();
    while let Some(row) = rows.next_row()? {
        let values = row.values();
        let prepared = &mut batch.rows;
        let result = Record::parse(kind, values, catalog, today)
            .and_then(|r| own(r.organization()).map(|()| prepared.push_record(&r, catalog)));
        batch.lines.push(Line { line: row.line, byte: row.byte, errors: result.err().unwrap_or_default() });
        if batch.lines.len() == BATCH {
            let next = recycled.try_recv().unwrap_or_default();
            if sender.send(std::mem::replace(&mut batch, next)).is_err() {
                // The storing side stopped (a store error): it reports why.
                return Ok(());
            }
        }
    }
    let _ = sender.send(batch);
    Ok(())
}
