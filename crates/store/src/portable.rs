//! Whole databases moved and kept, whatever the store: `vigie db copy` (SQLite ⇄ PostgreSQL)
//! and `vigie backup` / `vigie restore`.
//!
//! Both stores expose every table as the same portable rows ([`TABLES`], [`Value`]): a copy
//! reads them from one store in one consistent snapshot and loads them into the other in one
//! transaction. A backup is those rows in a file of Vigie's own (gzip-compressed JSON lines):
//!
//! ```text
//! {"format":"vigie-backup","version":1,"data_schema":1,"written_by":"vigie 0.1.0","created_at":"…","rows":N}
//! {"table":"import_batches","columns":["batch_id","kind",…]}
//! [1,"violations","v.csv",…]
//! …
//! {"end":N}
//! ```
//!
//! `data_schema` is the version of [`TABLES`], the same for both stores; a Vigie refuses a
//! backup of a newer one. Keys, the audit log, the change feed and the risk index versions are
//! copied as they are, so a copy is the same database, not a re-import of its records.

use std::io::{BufRead, Write};

use crate::{Result, Store, StoreError};

/// The format's name, in every backup's first line.
pub const FORMAT: &str = "vigie-backup";
/// The file layout's version (the header, table and end lines).
pub const FILE_VERSION: u32 = 1;
/// How a column's values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    /// 0/1 in SQLite, a boolean in PostgreSQL.
    Bool,
}

/// A table as both stores hold it, in an order where every row's references come first.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// Identity columns PostgreSQL numbers itself once loaded (its sequence is moved past them).
    pub identity: Option<&'static str>,
}

impl Table {
    /// The column SQLite keeps as the table's rowid (`row_id` here, an explicit column in
    /// PostgreSQL).
    pub fn is_rowid(&self, column: &str) -> bool {
        column == "row_id" && matches!(self.name, "alerts" | "risk_answers")
    }
}

use Kind::{Bool, Int, Text};

// `TABLES` and `DATA_SCHEMA`, read by build.rs from the PostgreSQL migrations.
include!(concat!(env!("OUT_DIR"), "/tables.rs"));

/// Counts the rows of the tables only people and imports write: a database to load into must
/// have none (the same SQL for both stores).
pub(crate) const ROWS_WRITTEN: &str = "SELECT (SELECT COUNT(*) FROM import_batches) + (SELECT COUNT(*) FROM audit_log)
    + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM organizations) + (SELECT COUNT(*) FROM settings)
    + (SELECT COUNT(*) FROM risk_definitions) + (SELECT COUNT(*) FROM recommendations)
    + (SELECT COUNT(*) FROM report_texts)";

/// The refusal to load into a database that holds data.
pub(crate) fn not_empty() -> StoreError {
    StoreError::Conflict(
        "the database to copy or restore into holds data already: give a new, empty one (a copy never merges)".into(),
    )
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

impl Value {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(n) => (*n).into(),
            Value::Text(t) => t.as_str().into(),
            Value::Bool(b) => (*b).into(),
        }
    }

    /// A cell of a column of `kind`, as a backup holds it.
    fn from_json(value: &serde_json::Value, kind: Kind) -> Option<Value> {
        Some(match (value, kind) {
            (serde_json::Value::Null, _) => Value::Null,
            (serde_json::Value::Number(n), Kind::Int) => Value::Int(n.as_i64()?),
            (serde_json::Value::String(t), Kind::Text) => Value::Text(t.clone()),
            (serde_json::Value::Bool(b), Kind::Bool) => Value::Bool(*b),
            _ => return None,
        })
    }
}

/// Loading a whole database into an empty one, in one transaction: nothing of it is visible
/// until [`Load::commit`], and dropping it instead leaves the database empty.
pub trait Load {
    /// Appends rows of `table`, each aligned with its columns.
    fn rows(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()>;
    fn commit(self: Box<Self>) -> Result<()>;
}

/// How many rows each table held, in [`TABLES`] order.
pub type Copied = Vec<(&'static str, u64)>;

/// Copies every table of `from` into `to`, which must be empty, and says how many rows of each.
pub fn copy(from: &dyn Store, to: &mut dyn Store) -> Result<Copied> {
    let mut load = to.load()?;
    let mut copied = Vec::with_capacity(TABLES.len());
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    let mut current: Option<&'static Table> = None;
    from.dump(&mut |table, row| {
        if current.is_some_and(|c| !std::ptr::eq(c, table)) {
            flush(&mut *load, current, &mut batch)?;
        }
        if current.is_none_or(|c| !std::ptr::eq(c, table)) {
            copied.push((table.name, 0));
        }
        current = Some(table);
        if let Some((_, n)) = copied.last_mut() {
            *n += 1;
        }
        batch.push(row);
        if batch.len() == BATCH { flush(&mut *load, current, &mut batch) } else { Ok(()) }
    })?;
    flush(&mut *load, current, &mut batch)?;
    load.commit()?;
    Ok(with_empty_tables(copied))
}

const BATCH: usize = 4096;

fn flush(load: &mut dyn Load, table: Option<&Table>, batch: &mut Vec<Vec<Value>>) -> Result<()> {
    if let Some(table) = table
        && !batch.is_empty()
    {
        load.rows(table, batch)?;
    }
    batch.clear();
    Ok(())
}

/// Every table's count, those without rows included.
fn with_empty_tables(copied: Copied) -> Copied {
    TABLES.iter().map(|t| (t.name, copied.iter().find(|(name, _)| *name == t.name).map_or(0, |(_, n)| *n))).collect()
}

fn io(what: &str) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Unsupported(format!("{what}: {e}"))
}

/// Writes a backup of `store` to `out` (one consistent snapshot of it).
pub fn backup(store: &dyn Store, out: impl Write) -> Result<Copied> {
    let what = "writing the backup";
    let mut gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(out), flate2::Compression::fast());
    let header = serde_json::json!({
        "format": FORMAT,
        "version": FILE_VERSION,
        "data_schema": DATA_SCHEMA,
        "written_by": concat!("vigie ", env!("CARGO_PKG_VERSION")),
        "created_at": crate::entity::now(),
    });
    writeln!(gz, "{header}").map_err(io(what))?;
    let mut copied: Copied = Vec::new();
    let mut current: Option<&'static Table> = None;
    let mut line = Vec::new();
    store.dump(&mut |table, row| {
        if current.is_none_or(|c| !std::ptr::eq(c, table)) {
            let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
            writeln!(gz, "{}", serde_json::json!({ "table": table.name, "columns": columns })).map_err(io(what))?;
            copied.push((table.name, 0));
            current = Some(table);
        }
        if let Some((_, n)) = copied.last_mut() {
            *n += 1;
        }
        line.clear();
        let cells: Vec<serde_json::Value> = row.iter().map(Value::to_json).collect();
        serde_json::to_writer(&mut line, &cells).map_err(|e| StoreError::Unsupported(format!("{what}: {e}")))?;
        line.push(b'\n');
        gz.write_all(&line).map_err(io(what))
    })?;
    let total: u64 = copied.iter().map(|(_, n)| n).sum();
    writeln!(gz, "{}", serde_json::json!({ "end": total })).map_err(io(what))?;
    gz.finish().and_then(|mut w| w.flush()).map_err(io(what))?;
    Ok(with_empty_tables(copied))
}

/// Loads a backup into `store`, which must be empty: all of it or, on any error, nothing.
pub fn restore(input: impl std::io::Read, store: &mut dyn Store) -> Result<Copied> {
    let bad = |line: usize, why: &str| {
        StoreError::Conflict(format!("not a Vigie backup, or a damaged one: line {line}: {why}"))
    };
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(input));
    let mut lines = reader.lines().enumerate();
    let mut next = || -> Result<Option<(usize, serde_json::Value)>> {
        match lines.next() {
            None => Ok(None),
            Some((i, line)) => {
                let line = line.map_err(|e| bad(i + 1, &e.to_string()))?;
                let value = serde_json::from_str(&line).map_err(|e| bad(i + 1, &e.to_string()))?;
                Ok(Some((i + 1, value)))
            }
        }
    };
    let Some((_, header)) = next()? else { return Err(bad(1, "the file is empty")) };
    if header["format"] != FORMAT {
        return Err(bad(1, "no `vigie-backup` header"));
    }
    let schema = header["data_schema"].as_u64().unwrap_or(u64::MAX);
    let written_by = header["written_by"].as_str().unwrap_or("an unknown Vigie");
    if schema > u64::from(DATA_SCHEMA) || header["version"].as_u64() != Some(u64::from(FILE_VERSION)) {
        return Err(StoreError::Unsupported(format!(
            "this backup was written by {written_by} with data schema {schema}, newer than this Vigie reads \
             ({DATA_SCHEMA}): restore it with that version of Vigie or a later one"
        )));
    }
    let mut load = store.load()?;
    let mut copied: Copied = Vec::new();
    let mut table: Option<(&'static Table, Vec<usize>)> = None;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    loop {
        let Some((n, value)) = next()? else {
            return Err(StoreError::Conflict(
                "the backup ends before its last line: it is truncated, and nothing was restored".into(),
            ));
        };
        if let Some(cells) = value.as_array() {
            let Some((current, order)) = &table else { return Err(bad(n, "a row before any table")) };
            let mut row = Vec::with_capacity(current.columns.len());
            for (&at, (name, kind)) in order.iter().zip(current.columns) {
                let cell = Value::from_json(cells.get(at).unwrap_or(&serde_json::Value::Null), *kind)
                    .ok_or_else(|| bad(n, &format!("column {name}: not a {kind:?} value")))?;
                row.push(cell);
            }
            batch.push(row);
            if let Some((_, count)) = copied.last_mut() {
                *count += 1;
            }
            if batch.len() == BATCH {
                flush(&mut *load, Some(current), &mut batch)?;
            }
        } else if let Some(name) = value["table"].as_str() {
            flush(&mut *load, table.as_ref().map(|(t, _)| *t), &mut batch)?;
            let known =
                TABLES.iter().find(|t| t.name == name).ok_or_else(|| bad(n, &format!("unknown table {name}")))?;
            let columns: Vec<&str> =
                value["columns"].as_array().into_iter().flatten().filter_map(|c| c.as_str()).collect();
            // A column added since the backup was written (an older data schema) is empty.
            let order: Vec<usize> =
                known.columns.iter().map(|(c, _)| columns.iter().position(|x| x == c).unwrap_or(usize::MAX)).collect();
            copied.push((known.name, 0));
            table = Some((known, order));
        } else if let Some(end) = value["end"].as_u64() {
            flush(&mut *load, table.as_ref().map(|(t, _)| *t), &mut batch)?;
            let total: u64 = copied.iter().map(|(_, n)| n).sum();
            if end != total {
                return Err(bad(n, &format!("{total} rows read, {end} written")));
            }
            break;
        } else {
            return Err(bad(n, "neither a row, a table nor the end"));
        }
    }
    load.commit()?;
    Ok(with_empty_tables(copied))
}
