//! The embedded default store: one SQLite file in WAL mode, foreign keys on, migrations embedded
//! and run at open.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Statement, params};

use crate::audit_chain;
use crate::entity::{Entity, PreparedRow, PreparedRows, entity_index, entity_of, now};
use crate::portable::{Load, ROWS_WRITTEN, Table, Value};
use crate::sql;
use crate::{Actor, BatchSource, Counts, ImportSession, Outcome, RecordKind, Result, Store, StoreError, WriteWait};

use crate::migrations::SQLITE as MIGRATIONS;

pub struct SqliteStore {
    conn: Connection,
    wait: WriteWait,
}

/// How long SQLite itself retries a lock before answering "busy", outside writes that wait.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy)
}

fn err(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::database(context, source.to_string())
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let what = format!("opening SQLite database {}", path.display());
        let mut conn = Connection::open(path).map_err(err(what.clone()))?;
        // A new database gets 64 KiB pages (an existing one keeps its own: SQLite ignores this
        // once a table exists). Vigie's work is bulk imports and whole-table reads: measured on
        // 1 M violations, 64 KiB pages import 15–20 % faster than SQLite's 4 KiB default, and the
        // commit, which copies every written page from the WAL into the database, a third faster.
        // The busy timeout first: switching a new file to WAL takes a lock another process
        // opening it at the same moment may hold, and waits for it only with a timeout set.
        conn.execute_batch(
            "PRAGMA busy_timeout = 5000;
             PRAGMA page_size = 65536;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536;",
        )
        .map_err(err(what.clone()))?;
        // What the lock triggers call (migration 13): refuses the statement, naming the lock.
        conn.create_scalar_function("vigie_month_locked", 1, rusqlite::functions::FunctionFlags::SQLITE_UTF8, |cx| {
            let lock: String = cx.get(0)?;
            Err::<i64, _>(rusqlite::Error::UserFunctionError(format!("{}{lock}", vigie_core::Lock::MARKER).into()))
        })
        .map_err(err(what))?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn, wait: WriteWait::default() })
    }

    fn delete_row(&self, entity: &Entity, id: &str, owner: Option<&str>, actor: &Actor) -> Result<bool> {
        crate::writes_sql::delete_row(&mut Lite(&self.conn), entity, id, owner, actor)
    }

    /// Runs `writes` in one write transaction (waiting for another writer), committed if they
    /// succeed and rolled back if not.
    fn write<T>(&self, writes: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.begin_write()?;
        let result = writes(&self.conn).and_then(|done| seal_audit(&self.conn).map(|()| done));
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(err("ending a write"))?;
        result
    }

    /// Starts a write transaction, waiting for another writer — another process's import, or a
    /// server — to finish: it says so once, then waits up to the store's [`WriteWait`].
    fn begin_write(&self) -> Result<()> {
        let conn = &self.conn;
        let what = "waiting for the database's write lock";
        conn.busy_timeout(Duration::from_millis(200)).map_err(err(what))?;
        let result = match conn.execute_batch("BEGIN IMMEDIATE") {
            Err(e) if is_busy(&e) => {
                (self.wait.notify)();
                conn.busy_timeout(self.wait.timeout).map_err(err(what))?;
                conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| {
                    if is_busy(&e) {
                        StoreError::Busy(format!(
                            "another process held the database's write lock for {} s: nothing was written; \
                             run this again once it is done",
                            self.wait.timeout.as_secs()
                        ))
                    } else {
                        err("starting a write")(e)
                    }
                })
            }
            other => other.map_err(err("starting a write")),
        };
        let _ = conn.busy_timeout(BUSY_TIMEOUT);
        result
    }

    /// The schema version applied, for tests and `vigie db` commands.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err("reading schema version"))
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err("reading schema version"))?;
    if usize::try_from(applied).is_ok_and(|applied| applied == MIGRATIONS.len()) {
        // Up to date: no write, so opening never waits for another process's import.
        return Ok(());
    }
    // IMMEDIATE: two processes opening a new database at once migrate it one after the other
    // (a deferred transaction that turns into a write would fail at once instead of waiting).
    let tx =
        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err("starting migration"))?;
    let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err("reading schema version"))?;
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    crate::migrations::check(applied, MIGRATIONS.len())?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql).map_err(err(format!("applying migration {}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(err("recording schema version"))?;
    }
    tx.commit().map_err(err("committing migration"))
}

#[cfg(test)]
fn count(conn: &Connection, sql: &str) -> Result<u64> {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(err(sql.to_owned()))
}

/// A connection (or a transaction on it) for the SQL written once.
struct Lite<'c>(&'c Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
        }))
    }
}

/// A row of rusqlite's, read by the SQL written once.
struct LiteCells<'r, 's>(&'r rusqlite::Row<'s>);

impl LiteCells<'_, '_> {
    fn unreadable(&self, i: usize, value: rusqlite::types::ValueRef<'_>, expected: &str) -> StoreError {
        StoreError::Unreadable {
            what: format!("column {}", self.0.as_ref().column_name(i).unwrap_or("?")),
            reason: format!("a {} value where {expected} is stored", value.data_type()),
        }
    }
}

impl sql::Cells for LiteCells<'_, '_> {
    fn len(&self) -> usize {
        self.0.as_ref().column_count()
    }

    fn text(&self, i: usize) -> Result<Option<&str>> {
        use rusqlite::types::ValueRef;
        match self.0.get_ref(i).map_err(err("reading a row"))? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t).map(Some).map_err(|e| StoreError::Unreadable {
                what: format!("column {}", self.0.as_ref().column_name(i).unwrap_or("?")),
                reason: e.to_string(),
            }),
            other => Err(self.unreadable(i, other, "text")),
        }
    }

    fn value(&self, i: usize) -> Result<Value> {
        use rusqlite::types::ValueRef;
        Ok(match self.0.get_ref(i).map_err(err("reading a row"))? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Int(n),
            ValueRef::Real(x) => Value::Text(x.to_string()),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            other => return Err(self.unreadable(i, other, "a number or text")),
        })
    }
}

impl sql::Sql for Lite<'_> {
    fn dialect(&self) -> sql::Dialect {
        sql::Dialect::Sqlite
    }

    fn for_each(
        &mut self,
        what: &str,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(&dyn sql::Cells) -> Result<bool>,
    ) -> Result<()> {
        let mut statement = self.0.prepare_cached(&sql::numbered_for_sqlite(sql)).map_err(err(what))?;
        let mut rows = statement.query(rusqlite::params_from_iter(params)).map_err(err(what))?;
        while let Some(row) = rows.next().map_err(err(what))? {
            if !visit(&LiteCells(row))? {
                break;
            }
        }
        Ok(())
    }

    fn execute(&mut self, what: &str, sql: &str, params: &[Value]) -> Result<u64> {
        let mut statement = self.0.prepare_cached(&sql::numbered_for_sqlite(sql)).map_err(err(what))?;
        Ok(statement.execute(rusqlite::params_from_iter(params)).map_err(err(what))? as u64)
    }
}

impl sql::Backend for SqliteStore {
    fn read_sql(&self, reads: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        reads(&mut Lite(&self.conn))
    }

    fn read_snapshot(&self, reads: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        self.conn.execute_batch("BEGIN").map_err(err("reading the database"))?;
        let result = reads(&mut Lite(&self.conn));
        let _ = self.conn.execute_batch("COMMIT");
        result
    }

    /// Every SQLite write takes the database's one write lock (`BEGIN IMMEDIATE`).
    fn write_sql(&mut self, _lock: bool, writes: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        self.write(|conn| writes(&mut Lite(conn)))
    }
}

impl Store for SqliteStore {
    fn import(&mut self) -> Result<Box<dyn ImportSession + '_>> {
        let conn = &self.conn;
        // IMMEDIATE takes the write lock now, so a concurrent writer fails here, not mid-import.
        // Foreign keys are not checked inside an import (about a tenth of its writing time): a
        // session writes each parent before its children (the batch row at `begin_file`, an
        // organisation before its first row), and checking is back on once it ends.
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (key TEXT PRIMARY KEY) WITHOUT ROWID;
             PRAGMA foreign_keys = OFF;",
        )
        .map_err(err("starting import"))?;
        if let Err(e) = self.begin_write() {
            let _ = conn.execute_batch("PRAGMA foreign_keys = ON");
            return Err(e);
        }
        // From here on, dropping the session rolls back and turns foreign keys back on.
        let mut session = SqliteSession {
            conn,
            _flusher: WalFlusher::start(conn),
            open: true,
            inserts: Vec::new(),
            batch_id: 0,
            batch_table: "violations",
            owner: None,
            actor: Actor::cli(),
            known_organizations: HashSet::new(),
            last_organization: String::new(),
            bound_batch: [0; 3],
            entities: [Entity::violations(), Entity::alerts(), Entity::risk_answers()],
        };
        session.conn.execute("DELETE FROM import_seen", []).map_err(err("starting import"))?;
        // Prepared once: the hot path of an import is one execution of one of these per row.
        for entity in &session.entities {
            session.inserts.push(conn.prepare(&entity.insert_sql).map_err(err("preparing import"))?);
        }
        Ok(Box::new(session))
    }

    fn set_write_wait(&mut self, wait: WriteWait) {
        self.wait = wait;
    }

    fn cap_cache(&self, bytes: usize) -> Result<()> {
        // A negative size is in KiB.
        let kib = -(i64::try_from(bytes >> 10).unwrap_or(i64::MAX));
        self.conn.pragma_update(None, "cache_size", kib).map_err(err("bounding the page cache"))
    }

    fn delete_owned(&mut self, kind: RecordKind, id: &str, owner: Option<&str>, actor: &Actor) -> Result<bool> {
        let entity = entity_of(kind);
        self.begin_write()?;
        let result = self.delete_row(&entity, id, owner, actor).and_then(|done| seal_audit(&self.conn).map(|()| done));
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(err("deleting"))?;
        result
    }

    fn load(&mut self) -> Result<Box<dyn Load + '_>> {
        self.begin_write()?;
        let written: i64 = match self.conn.query_row(ROWS_WRITTEN, [], |r| r.get(0)) {
            Ok(n) => n,
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(err("checking the database is empty")(e));
            }
        };
        if written > 0 {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(crate::portable::not_empty());
        }
        Ok(Box::new(SqliteLoad { conn: &self.conn, open: true }))
    }

    fn schema_version(&self) -> Result<u32> {
        SqliteStore::schema_version(self)
    }
}

/// Seals the audit entries not yet in the chain inside the write transaction that wrote them
/// (SQLite has one writer at a time).
fn seal_audit(conn: &Connection) -> Result<()> {
    audit_chain::seal(&mut Lite(conn))
}

/// A whole database loaded in one write transaction, rolled back on drop unless committed.
struct SqliteLoad<'c> {
    conn: &'c Connection,
    open: bool,
}

impl Load for SqliteLoad<'_> {
    fn rows(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
        let what = format!("loading {}", table.name);
        let columns: Vec<&str> =
            table.columns.iter().map(|(c, _)| if table.is_rowid(c) { "rowid" } else { c }).collect();
        let marks = vec!["?"; columns.len()].join(", ");
        let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", table.name, columns.join(", "));
        let mut insert = self.conn.prepare_cached(&sql).map_err(err(what.clone()))?;
        for row in rows {
            let values = row.iter().map(|v| match v {
                Value::Null => rusqlite::types::Value::Null,
                Value::Int(n) => rusqlite::types::Value::Integer(*n),
                Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
                Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
            });
            insert.execute(rusqlite::params_from_iter(values)).map_err(err(what.clone()))?;
        }
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        seal_audit(self.conn)?;
        self.conn.execute_batch("COMMIT").map_err(err("committing the copy"))?;
        self.open = false;
        Ok(())
    }
}

impl Drop for SqliteLoad<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Flushes a database's write-ahead log to disk every [`WalFlusher::EVERY`] while an import
/// writes, as RocksDB's `wal_bytes_per_sync` does: the commit, which must have the whole log on
/// disk, then finds most of it there already (measured on 1 M violations: the commit a fifth
/// shorter, the import about 5 % faster). It only makes durable earlier what SQLite wrote.
///
/// Only the `-wal` file is opened: SQLite holds no POSIX locks on it, whereas closing another
/// descriptor of the database file itself would drop the locks SQLite holds on that file.
struct WalFlusher {
    /// Dropped to stop the thread.
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WalFlusher {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(100);

    /// `None` for an in-memory database, or if the thread cannot start (the import goes on
    /// without it).
    fn start(conn: &Connection) -> Option<WalFlusher> {
        let wal = format!("{}-wal", conn.path().filter(|p| !p.is_empty())?);
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("vigie-wal-flush".into())
            .spawn(move || {
                let mut file = None;
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Self::EVERY) {
                    // The log appears with the import's first spilled page.
                    if file.is_none() {
                        file = std::fs::File::open(&wal).ok();
                    }
                    if let Some(file) = &file {
                        // A failure here is SQLite's to see and report at commit.
                        let _ = file.sync_data();
                    }
                }
            })
            .ok()?;
        Some(WalFlusher { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for WalFlusher {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An import inside one explicit transaction, rolled back on drop unless committed.
struct SqliteSession<'c> {
    conn: &'c Connection,
    /// Runs as long as the session.
    _flusher: Option<WalFlusher>,
    open: bool,
    inserts: Vec<Statement<'c>>,
    batch_id: i64,
    /// The table the current file's batch writes, for the change feed.
    batch_table: &'static str,
    /// The one organisation whose records this import may write (a partner's), if any.
    owner: Option<String>,
    /// Who the audit log names for this import's changes.
    actor: Actor,
    known_organizations: HashSet<String>,
    last_organization: String,
    /// Per entity, the batch its insert statement's last parameter holds (0: nothing bound yet).
    bound_batch: [i64; 3],
    /// Violations, alerts, risk answers.
    entities: [Entity; 3],
}

impl SqliteSession<'_> {
    fn record_organization(&mut self, organization: &str) -> Result<()> {
        // Rows of a file mostly repeat the organisation of the row before.
        if self.last_organization != organization {
            if !self.known_organizations.contains(organization) {
                self.conn
                    .prepare_cached(
                        "INSERT INTO organizations (code, first_batch) VALUES (?1, ?2) ON CONFLICT (code) DO NOTHING",
                    )
                    .and_then(|mut s| s.execute(params![organization, self.batch_id]))
                    .map_err(err("recording organisation"))?;
                self.known_organizations.insert(organization.to_string());
            }
            organization.clone_into(&mut self.last_organization);
        }
        Ok(())
    }

    fn store(&mut self, index: usize, row: PreparedRow<'_>) -> Result<Outcome> {
        self.record_organization(row.get(self.entities[index].organization_column))?;
        let entity = &self.entities[index];
        let key = row.key();

        let what = || format!("storing {} {key}", entity.table);
        // Empty cells are stored as NULL.
        fn value(cell: &str) -> Option<&str> {
            Some(cell).filter(|v| !v.is_empty())
        }
        let insert = &mut self.inserts[index];
        // A parameter keeps its value from one execution to the next, and every row runs this
        // statement: only the cells that differ from the row before are bound again (rows of one
        // incident share most; `PreparedRows` compared them on the reader thread). The first row
        // of a session binds everything.
        let all = self.bound_batch[index] == 0;
        let inserted = (|| {
            for (i, cell) in row.changed_cells(all) {
                insert.raw_bind_parameter(i + 1, value(cell))?;
            }
            if self.bound_batch[index] != self.batch_id {
                insert.raw_bind_parameter(row.len() + 1, self.batch_id)?;
                self.bound_batch[index] = self.batch_id;
            }
            insert.raw_execute()
        })()
        .map_err(|e| err(what())(e))?;
        if inserted == 1 {
            return Ok(Outcome::Inserted);
        }
        let values: Vec<Option<&str>> = row.cells().map(value).collect();

        let (stored, stored_batch) = self
            .conn
            .prepare_cached(&entity.select_sql)
            .and_then(|mut s| {
                s.query_row([key], |r| {
                    let stored: Vec<Option<String>> =
                        (0..entity.columns.len()).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
                    Ok((stored, r.get::<_, i64>(entity.columns.len())?))
                })
            })
            .map_err(|e| err(what())(e))?;
        if let Some(owner) = &self.owner
            && stored.get(entity.organization_column).and_then(|v| v.as_deref()) != Some(owner.as_str())
        {
            return Err(StoreError::Forbidden(format!(
                "{} {key} is another organisation's record: {owner} cannot write it",
                entity.key
            )));
        }
        if stored.iter().map(Option::as_deref).eq(values.iter().copied()) {
            self.conn
                .prepare_cached("INSERT INTO import_seen (key) VALUES (?1) ON CONFLICT (key) DO NOTHING")
                .and_then(|mut s| s.execute([key]))
                .map_err(|e| err(what())(e))?;
            return Ok(Outcome::Unchanged);
        }
        let seen_unchanged = self
            .conn
            .prepare_cached("SELECT 1 FROM import_seen WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |_| Ok(())).optional())
            .map_err(|e| err(what())(e))?
            .is_some();
        if stored_batch == self.batch_id || seen_unchanged {
            return Ok(Outcome::ConflictInFile);
        }

        let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
        for ((column, before), after) in entity.columns.iter().zip(&stored).zip(&values) {
            if before.as_deref() != *after {
                old.insert(column.clone(), before.clone().into());
                new.insert(column.clone(), after.map(str::to_owned).into());
            }
        }
        self.conn
            .prepare_cached(&entity.update_sql)
            .and_then(|mut update| {
                for (i, v) in values.iter().enumerate() {
                    update.raw_bind_parameter(i + 1, v)?;
                }
                update.raw_bind_parameter(values.len() + 1, self.batch_id)?;
                update.raw_bind_parameter(values.len() + 2, key)?;
                update.raw_execute()
            })
            .map_err(|e| err(what())(e))?;
        self.conn
            .prepare_cached(
                "INSERT INTO audit_log (at, action, entity, entity_id, old_values, new_values, batch_id, actor, client)
                 VALUES (?1, 'update', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    now(),
                    entity.table,
                    key,
                    serde_json::Value::Object(old).to_string(),
                    serde_json::Value::Object(new).to_string(),
                    self.batch_id,
                    self.actor.name,
                    self.actor.client,
                ])
            })
            .map_err(err("writing audit log"))?;
        Ok(Outcome::Updated)
    }
}

impl ImportSession for SqliteSession<'_> {
    fn begin_file(&mut self, source: &BatchSource) -> Result<()> {
        self.batch_table = self.entities[entity_index(source.kind)].table;
        self.batch_id = crate::writes_sql::begin_batch(&mut Lite(self.conn), source)?;
        Ok(())
    }

    fn put(&mut self, rows: &PreparedRows, outcomes: &mut Vec<Outcome>) -> Result<()> {
        outcomes.clear();
        for i in 0..rows.len() {
            let row = rows.get(i);
            outcomes.push(self.store(entity_index(row.kind), row)?);
        }
        Ok(())
    }

    fn end_file(&mut self, counts: &Counts, sha256: &str) -> Result<()> {
        let batch = (self.batch_id, self.batch_table);
        crate::writes_sql::end_batch(&mut Lite(self.conn), batch, counts, sha256, &self.actor)
    }

    fn ids_with_prefix(&mut self, kind: RecordKind, prefix: &str) -> Result<Vec<String>> {
        let entity = &self.entities[entity_index(kind)];
        crate::writes_sql::ids_with_prefix(&mut Lite(self.conn), entity, prefix, self.owner.as_deref())
    }

    fn delete(&mut self, kind: RecordKind, id: &str) -> Result<bool> {
        let entity = &self.entities[entity_index(kind)];
        crate::writes_sql::delete_row(&mut Lite(self.conn), entity, id, self.owner.as_deref(), &self.actor)
    }

    fn restrict_to(&mut self, organization: &str) {
        self.owner = Some(organization.to_owned());
    }

    fn act_as(&mut self, actor: &Actor) {
        self.actor = actor.clone();
    }

    fn bind_geography(&mut self, name: &str) -> Result<()> {
        crate::writes_sql::bind_geography(&mut Lite(self.conn), name)
    }

    fn latest_risk_version(&self) -> Result<u32> {
        crate::writes_sql::latest_risk_version(&mut Lite(self.conn))
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let mut session = self;
        seal_audit(session.conn)?;
        session.conn.execute_batch("COMMIT").map_err(err("committing import"))?;
        session.open = false;
        session.conn.execute_batch("PRAGMA foreign_keys = ON").map_err(err("restoring foreign keys"))?;
        Ok(())
    }
}

impl Drop for SqliteSession<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of an unfinished import may remain; if even ROLLBACK fails, SQLite rolls
            // the journal back at the next open.
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = self.conn.execute_batch("PRAGMA foreign_keys = ON");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::PreparedRows;
    use crate::{Changed, Rows};
    use vigie_core::Catalog;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date")
    }

    /// A line of violations.csv, parsed.
    fn parse(line: &str) -> vigie_core::Violation {
        let values: Vec<Option<&str>> = line.split(',').map(|v| Some(v).filter(|v| !v.is_empty())).collect();
        vigie_core::Violation::parse(&values, Catalog::builtin(), today()).expect("valid violation")
    }

    fn violation(id: &str, organization: &str) -> PreparedRows {
        let v = parse(&format!(
            "{id},I-1,2021-11-03,2021-11-05,,,ML040503,,,,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,{organization},"
        ));
        let mut rows = PreparedRows::default();
        rows.push_violation(&v, Catalog::builtin());
        rows
    }

    fn import(store: &mut SqliteStore, rows: &PreparedRows, commit: bool) {
        let mut session = store.import().expect("session");
        let source = BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() };
        session.begin_file(&source).expect("batch");
        let mut outcomes = Vec::new();
        session.put(rows, &mut outcomes).expect("put");
        assert_eq!(outcomes, [Outcome::Inserted]);
        session.end_file(&Counts { inserted: 1, ..Counts::default() }, "digest").expect("end");
        if commit {
            session.commit().expect("commit");
        }
    }

    #[test]
    fn a_new_database_has_large_pages_and_an_existing_one_keeps_its_own() {
        let dir = tempfile::tempdir().expect("temp dir");
        let page_size = |store: &SqliteStore| -> i64 {
            store.conn.query_row("PRAGMA page_size", [], |r| r.get(0)).expect("page size")
        };
        let store = SqliteStore::open(&dir.path().join("new.db")).expect("open");
        assert_eq!(page_size(&store), 65536);

        let old = dir.path().join("old.db");
        Connection::open(&old).and_then(|c| c.execute_batch("CREATE TABLE t (x)")).expect("old database");
        let store = SqliteStore::open(&old).expect("open");
        assert_eq!(page_size(&store), 4096, "an existing database keeps its pages");
        assert_eq!(store.schema_version().expect("version"), MIGRATIONS.len() as u32, "and is migrated");
    }

    /// Consecutive rows share cells, and only changed cells are bound again: every stored row
    /// must still be exactly its own.
    #[test]
    fn rows_sharing_cells_are_stored_exactly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = SqliteStore::open(&dir.path().join("v.db")).expect("open");
        let catalog = Catalog::builtin();
        let lines = [
            "V-1,I-1,2021-11-03,2021-11-05,,,ML040503,Kala,14.2,-6.1,E1,UNID_ARMED,ROAD,DAY,M,ADULT,TRADER,RESIDENT,DRC,récit",
            "V-2,I-1,2021-11-03,2021-11-05,,,ML040503,Kala,14.2,-6.1,E1,UNID_ARMED,ROAD,DAY,F,CHILD,TRADER,RESIDENT,DRC,",
            "V-3,I-2,2021-11-04,,,,ML040503,,,,D1,NSAG_RADICAL,ROAD,NIGHT,F,CHILD,FARMER,IDP,NRC,",
            "V-4,I-2,2021-11-04,,,,ML040503,,,,D1,NSAG_RADICAL,ROAD,NIGHT,F,CHILD,FARMER,IDP,NRC,autre récit",
        ];
        let mut rows = PreparedRows::default();
        for line in lines {
            rows.push_violation(&parse(line), catalog);
        }
        let mut session = store.import().expect("session");
        session.begin_file(&BatchSource { kind: RecordKind::Violations, file_name: "v.csv".into() }).expect("batch");
        let mut outcomes = Vec::new();
        session.put(&rows, &mut outcomes).expect("put");
        assert_eq!(outcomes, [Outcome::Inserted; 4]);
        session.end_file(&Counts { inserted: 4, ..Counts::default() }, "digest").expect("end");
        session.commit().expect("commit");
        let stored =
            store.violations_between(catalog, today() - chrono::Duration::days(365), today()).expect("read back");
        let written: Vec<Vec<String>> = stored.iter().map(|v| v.fields(catalog)).collect();
        let expected: Vec<Vec<String>> = lines.iter().map(|line| parse(line).fields(catalog)).collect();
        assert_eq!(written, expected);
    }

    /// Imports write without foreign-key checks (parents first, by construction): the written
    /// rows must still pass them, and checking must be back on once the session ends.
    #[test]
    fn imports_leave_every_reference_valid_and_foreign_keys_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = SqliteStore::open(&dir.path().join("v.db")).expect("open");
        import(&mut store, &violation("V-1", "DRC"), true);
        import(&mut store, &violation("V-2", "NRC"), false);
        import(&mut store, &violation("V-3", "IRC"), true);
        let on: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
        assert_eq!(on, 1);
        let orphans: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .expect("foreign key check");
        assert_eq!(orphans, 0);
        assert_eq!(count(&store.conn, "SELECT COUNT(*) FROM violations").expect("count"), 2);
        assert_eq!(count(&store.conn, "SELECT COUNT(*) FROM organizations").expect("count"), 2);
        let orphan = store.conn.execute(
            "INSERT INTO violations (violation_id, incident_id, incident_date, admin3_pcode, violation_code,
                perpetrator_code, place_code, time_slot_code, victim_sex, victim_age_group, victim_occupation,
                victim_population, organization, batch_id)
             VALUES ('V-9', 'I', '2021-11-03', 'ML040503', 'E1', 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'NOBODY', 1)",
            [],
        );
        assert!(orphan.is_err(), "outside an import, a row without its organisation is refused");

        // An import that cannot start (another writer holds the lock) leaves checking on too.
        let other = Connection::open(dir.path().join("v.db")).expect("second connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("lock");
        store.set_write_wait(WriteWait { timeout: Duration::ZERO, notify: Box::new(|| ()) });
        assert!(store.import().is_err(), "the database is locked");
        let on: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
        assert_eq!(on, 1);
    }

    /// A stored code that is not text (a damaged row, or one written by another tool) is
    /// reported as what it is, with its row and column, not read as an empty, unknown code.
    #[test]
    fn a_stored_cell_that_is_not_text_is_an_error_that_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = SqliteStore::open(&dir.path().join("v.db")).expect("open");
        import(&mut store, &violation("V-1", "DRC"), true);
        store.conn.execute("UPDATE violations SET place_code = x'ff00'", []).expect("damage the row");
        let error = store.for_each_coded_violation(Rows::All, &mut |_, _| ()).expect_err("a blob is no code");
        let message = error.to_string();
        assert!(message.contains("violation row 1, column place_code"), "{message}");
        assert!(message.contains("Blob"), "{message}");
        assert!(!message.contains("unknown"), "{message}");
    }

    /// The change feed holds every committed import batch and deletion, in order; a deleted
    /// row leaves its old values in the audit log; an upgraded database gets its batches in it.
    #[test]
    fn writes_append_to_the_change_feed_and_an_upgrade_fills_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v.db");
        let mut store = SqliteStore::open(&path).expect("open");
        assert_eq!(store.last_change().expect("feed"), 0);
        import(&mut store, &violation("V-1", "DRC"), true);
        import(&mut store, &violation("V-2", "DRC"), false);
        import(&mut store, &violation("V-3", "NRC"), true);
        let changes = store.changes_since(0).expect("feed");
        let batches: Vec<Changed> = changes.iter().map(|c| c.what).collect();
        assert_eq!(batches, [Changed::Batch(1), Changed::Batch(2)], "the rolled-back import left nothing");
        assert!(changes.iter().all(|c| c.violations));

        assert!(store.delete(RecordKind::Violations, "V-1", &Actor::cli()).expect("delete"));
        assert!(!store.delete(RecordKind::Violations, "V-9", &Actor::cli()).expect("no such row"));
        let last = store.changes_since(changes[1].seq).expect("feed");
        assert_eq!(last.iter().map(|c| c.what).collect::<Vec<_>>(), [Changed::Deleted(1)]);
        let audit = store.audit_log(1).expect("audit");
        assert_eq!((audit[0].action.as_str(), audit[0].entity_id.as_str()), ("delete", "V-1"));
        assert!(audit[0].old.as_deref().is_some_and(|old| old.contains("\"violation_code\":\"E1\"")));
        assert!(store.conn.execute("DELETE FROM changes", []).is_err(), "the feed is append-only");

        // A database from before the feed: its batches become the feed's first entries.
        store
            .conn
            .execute_batch(
                "DROP TABLE submissions; DROP TABLE devices;
                 DROP TRIGGER violations_locked_update; DROP TRIGGER violations_locked_delete;
                 DROP TABLE published_files; DROP TABLE month_versions;
                 ALTER TABLE violations DROP COLUMN duplicate_of; DROP TABLE duplicate_decisions;
                 DROP TRIGGER violations_verification_rule; ALTER TABLE violations DROP COLUMN verification_reason;
                 ALTER TABLE violations DROP COLUMN verification;
                 DROP TRIGGER audit_log_is_append_only_update; DROP INDEX audit_log_chain; DROP INDEX audit_log_unsealed;
                 ALTER TABLE audit_log DROP COLUMN chain_position; ALTER TABLE audit_log DROP COLUMN hash;
                 CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
                     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                 DROP TABLE recommendation_follow_ups; DROP TABLE recommendations; DROP TABLE report_texts;
                 DROP TRIGGER changes_are_append_only_update; DROP TRIGGER changes_are_append_only_delete;
                 DROP TABLE changes; DROP TABLE login_attempts; DROP TABLE sessions; DROP TABLE tokens; DROP TABLE users;
                 ALTER TABLE audit_log DROP COLUMN actor; ALTER TABLE audit_log DROP COLUMN client;
                 PRAGMA user_version = 4;",
            )
            .expect("downgrade");
        drop(store);
        let store = SqliteStore::open(&path).expect("upgrade");
        let upgraded: Vec<Changed> = store.changes_since(0).expect("feed").iter().map(|c| c.what).collect();
        assert_eq!(upgraded, [Changed::Batch(1), Changed::Batch(2)]);
    }
}
