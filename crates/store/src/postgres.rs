//! The cluster-wide store: PostgreSQL, with several Vigie processes in front of one database.
//!
//! It keeps SQLite's story and schema (see `migrations/postgres/`), with what a server that
//! commits transactions concurrently needs:
//! - **one writer at a time**: every data write (an import, a deletion, a risk definition, a
//!   setting) takes the database's write lock, a transaction-level advisory lock held until it
//!   commits, as SQLite's `BEGIN IMMEDIATE` does. Two imports never interleave, and the change
//!   feed's `seq` is given in commit order, so a reader that has seen entry n has seen every
//!   entry below it. Account, session and audit-only writes need no lock;
//! - **storage keys given by the writer**, the next after the largest, under the lock: a
//!   sequence would leave gaps after every rolled-back import (a dry run), and each process holds
//!   the aggregation layer's facts in arrays indexed by these keys;
//! - **bulk imports by batch**: an import's rows go in by `COPY` into a staging table, then a
//!   few set-based statements compare, insert and update a whole batch;
//! - **a notification** (`NOTIFY vigie_changes`) with every entry of the change feed, which
//!   wakes the other processes' aggregation layers (see [`Listener`]).

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::time::Duration;

use tokio_postgres::types::{ToSql, Type};

use crate::audit_chain;
use crate::entity::{Entity, PreparedRows, entity_index, entity_of, now};
use crate::pg_conn::Conn as Client;
use crate::portable::{Kind, Load, ROWS_WRITTEN, TABLES, Table, Value};
use crate::sql;
use crate::{Actor, BatchSource, Counts, ImportSession, Outcome, RecordKind, Result, Store, StoreError, WriteWait};

use crate::migrations::POSTGRES as MIGRATIONS;

/// The advisory lock every data write holds until it commits ("VIGIE" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x56_49_47_49_45;
/// The advisory lock migrations hold, so that processes starting together migrate once.
const MIGRATE_LOCK: i64 = WRITE_LOCK + 1;
/// The channel the change feed's notifications go to.
pub(crate) const CHANNEL: &str = "vigie_changes";
/// Wakes the listeners of [`CHANNEL`] when the transaction commits.
pub(crate) const NOTIFY: &str = "NOTIFY vigie_changes";
/// The channel of changes of access: a session ended, a token revoked, a user disabled.
pub(crate) const ACCESS_CHANNEL: &str = "vigie_access";
/// Wakes the listeners of [`ACCESS_CHANNEL`] when the transaction commits.
pub(crate) const NOTIFY_ACCESS: &str = "NOTIFY vigie_access";

pub struct PostgresStore {
    /// The trait reads through `&self`; the client needs `&mut` for every statement.
    client: RefCell<Client>,
    wait: WriteWait,
}

/// A PostgreSQL error with what Vigie was doing, and the server's own message and detail.
pub(crate) fn err(context: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> StoreError {
    let context = context.into();
    move |e| StoreError::database(context, message(&e))
}

pub(crate) fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        // A connection failure: the client's words, then the cause's (refused, unknown host…).
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// Connects to a `postgres://` URL (a password in it stays out of every message).
pub(crate) fn connect(url: &str) -> Result<Client> {
    Client::connect(url).map_err(|message| StoreError::Database {
        context: format!("connecting to {}", crate::DbUrl::Postgres(url.to_owned())),
        message,
    })
}

impl PostgresStore {
    /// Connects, and creates or migrates the schema.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let mut client = connect(url)?;
        migrate(&mut client)?;
        Ok(PostgresStore { client: RefCell::new(client), wait: WriteWait::default() })
    }

    fn c(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    /// Runs `writes` in one transaction, committed if they succeed and rolled back if not;
    /// holding the write lock when they change data.
    fn write<T>(&self, lock: bool, writes: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let mut client = self.c();
        begin(&mut client, lock.then_some(&self.wait))?;
        let result = writes(&mut client);
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        client.batch_execute(end).map_err(err("ending a write"))?;
        if result.is_ok() {
            seal_audit(&mut client)?;
        }
        result
    }
}

/// `n` text cells of a row from column `first` on.
fn texts(row: &tokio_postgres::Row, first: usize, n: usize, what: &str) -> Result<Vec<Option<String>>> {
    (first..first + n)
        .map(|i| row.try_get::<_, Option<String>>(i))
        .collect::<std::result::Result<_, _>>()
        .map_err(err(format!("reading {what}")))
}

/// The advisory lock of the audit log's sealer: one at a time, apart from the write lock, so
/// that an audit-only write (a sign-in) never waits for an import.
const SEAL_LOCK: i64 = WRITE_LOCK + 2;

/// Seals the committed audit entries not yet in the chain, in their order, in a transaction of
/// its own (entries of transactions still running are sealed by the next sealer).
fn seal_audit(c: &mut Client) -> Result<()> {
    let what = "sealing the audit log";
    let unsealed =
        c.query_opt("SELECT 1 FROM audit_log WHERE chain_position IS NULL LIMIT 1", &[]).map_err(err(what))?;
    if unsealed.is_none() {
        return Ok(());
    }
    c.batch_execute("BEGIN").map_err(err(what))?;
    let sealed = (|| -> Result<()> {
        c.execute("SELECT pg_advisory_xact_lock($1)", &[&SEAL_LOCK]).map_err(err(what))?;
        audit_chain::seal(&mut *c)
    })();
    let end = if sealed.is_ok() { "COMMIT" } else { "ROLLBACK" };
    c.batch_execute(end).map_err(err(what))?;
    sealed
}

/// Starts a transaction; with `wait`, takes the write lock, waiting for another writer as it
/// says (it is told once, and gives up after its timeout with [`StoreError::Busy`]).
fn begin(client: &mut Client, wait: Option<&WriteWait>) -> Result<()> {
    client.batch_execute("BEGIN").map_err(err("starting a write"))?;
    let Some(wait) = wait else { return Ok(()) };
    let locked = (|| -> Result<()> {
        let what = "waiting for the database's write lock";
        let free: bool =
            client.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&WRITE_LOCK]).map_err(err(what))?.get(0);
        if free {
            return Ok(());
        }
        (wait.notify)();
        let busy = || {
            StoreError::Busy(format!(
                "another process held the database's write lock for {} s: nothing was written; run this again once \
                 it is done",
                wait.timeout.as_secs()
            ))
        };
        let ms = wait.timeout.as_millis();
        if ms == 0 {
            return Err(busy());
        }
        client.batch_execute(&format!("SET LOCAL lock_timeout = {ms}")).map_err(err(what))?;
        match client.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]) {
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) => return Err(busy()),
            other => other.map_err(err(what))?,
        };
        client.batch_execute("SET LOCAL lock_timeout = 0").map_err(err(what))
    })();
    if locked.is_err() {
        let _ = client.batch_execute("ROLLBACK");
    }
    locked
}

fn schema_version(client: &mut Client) -> Result<u32> {
    let what = "reading the schema version";
    let exists: bool =
        client.query_one("SELECT to_regclass('vigie_schema') IS NOT NULL", &[]).map_err(err(what))?.get(0);
    if !exists {
        return Ok(0);
    }
    let version: i32 =
        client.query_one("SELECT COALESCE(MAX(version), 0) FROM vigie_schema", &[]).map_err(err(what))?.get(0);
    Ok(version.unsigned_abs())
}

fn migrate(client: &mut Client) -> Result<()> {
    let what = "migrating the schema";
    if schema_version(client)? as usize == MIGRATIONS.len() {
        // Up to date: opening takes no lock and needs no right to create tables.
        return Ok(());
    }
    client.batch_execute("BEGIN").map_err(err(what))?;
    let migrated = (|| -> Result<()> {
        client.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK]).map_err(err(what))?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS vigie_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .map_err(err(what))?;
        let applied = schema_version(client)? as usize;
        crate::migrations::check(applied, MIGRATIONS.len())?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            client.batch_execute(sql).map_err(err(format!("applying migration {}", i + 1)))?;
            client
                .execute("INSERT INTO vigie_schema (version, applied_at) VALUES ($1, $2)", &[&(i as i32 + 1), &now()])
                .map_err(err(what))?;
        }
        Ok(())
    })();
    let end = if migrated.is_ok() { "COMMIT" } else { "ROLLBACK" };
    client.batch_execute(end).map_err(err(what))?;
    migrated
}

/// A value bound as the column's type asks: PostgreSQL does not turn a `BIGINT` into an
/// `INTEGER`, nor an integer into a boolean.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(tokio_postgres::types::IsNull::Yes),
            Value::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::BOOL => (*n != 0).to_sql(ty, out),
            Value::Int(n) => n.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A row of tokio-postgres's, read by the SQL written once.
struct PgCells<'r>(&'r tokio_postgres::Row);

impl PgCells<'_> {
    fn unreadable(&self, i: usize, e: &tokio_postgres::Error) -> StoreError {
        StoreError::Unreadable { what: format!("column {}", self.0.columns()[i].name()), reason: message(e) }
    }
}

impl sql::Cells for PgCells<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn text(&self, i: usize) -> Result<Option<&str>> {
        self.0.try_get::<_, Option<&str>>(i).map_err(|e| self.unreadable(i, &e))
    }

    fn value(&self, i: usize) -> Result<Value> {
        let row = self.0;
        let ty = row.columns()[i].type_();
        let unreadable = |e: tokio_postgres::Error| self.unreadable(i, &e);
        Ok(if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i).map_err(unreadable)?.map_or(Value::Null, Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i).map_err(unreadable)?.map_or(Value::Null, |n| Value::Int(n.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i).map_err(unreadable)?.map_or(Value::Null, |n| Value::Int(n.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i).map_err(unreadable)?.map_or(Value::Null, Value::Bool)
        } else {
            row.try_get::<_, Option<String>>(i).map_err(unreadable)?.map_or(Value::Null, Value::Text)
        })
    }
}

impl sql::Sql for Client {
    fn dialect(&self) -> sql::Dialect {
        sql::Dialect::Postgres
    }

    fn for_each(
        &mut self,
        what: &str,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(&dyn sql::Cells) -> Result<bool>,
    ) -> Result<()> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Client::for_each(self, sql, &params, what, |row| visit(&PgCells(row)))
    }

    fn execute(&mut self, what: &str, sql: &str, params: &[Value]) -> Result<u64> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Client::execute(self, sql, &params).map_err(err(what))
    }
}

impl sql::Backend for PostgresStore {
    fn read_sql(&self, reads: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        reads(&mut *self.c())
    }

    fn read_snapshot(&self, reads: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        let mut c = self.c();
        c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").map_err(err("reading the database"))?;
        let result = reads(&mut *c);
        let _ = c.batch_execute("COMMIT");
        result
    }

    fn write_sql(&mut self, lock: bool, writes: &mut dyn FnMut(&mut dyn sql::Sql) -> Result<()>) -> Result<()> {
        self.write(lock, |c| writes(c))
    }
}

impl Store for PostgresStore {
    fn import(&mut self) -> Result<Box<dyn ImportSession + '_>> {
        begin(&mut self.c(), Some(&self.wait))?;
        let session = PgSession {
            client: &self.client,
            open: true,
            batch_id: 0,
            batch_table: "violations",
            owner: None,
            actor: Actor::cli(),
            next_key: [None; 3],
            staging: [false; 3],
            entities: [Entity::violations(), Entity::alerts(), Entity::risk_answers()],
        };
        session
            .c()
            .batch_execute("CREATE TEMP TABLE import_seen (key TEXT PRIMARY KEY) ON COMMIT DROP")
            .map_err(err("starting import"))?;
        Ok(Box::new(session))
    }

    fn set_write_wait(&mut self, wait: WriteWait) {
        self.wait = wait;
    }

    fn is_broken(&self) -> bool {
        self.client.try_borrow().is_ok_and(|client| client.is_closed())
    }

    fn delete_owned(&mut self, kind: RecordKind, id: &str, owner: Option<&str>, actor: &Actor) -> Result<bool> {
        let entity = entity_of(kind);
        self.write(true, |c| crate::writes_sql::delete_row(c, &entity, id, owner, actor))
    }

    fn load(&mut self) -> Result<Box<dyn Load + '_>> {
        let mut c = self.c();
        begin(&mut c, Some(&self.wait))?;
        let written = c.query_one(ROWS_WRITTEN, &[]).map(|r| r.get::<_, i64>(0));
        let refused = match written {
            Ok(0) => None,
            Ok(_) => Some(crate::portable::not_empty()),
            Err(e) => Some(err("checking the database is empty")(e)),
        };
        if let Some(refused) = refused {
            let _ = c.batch_execute("ROLLBACK");
            return Err(refused);
        }
        drop(c);
        Ok(Box::new(PgLoad { client: &self.client, open: true }))
    }

    fn schema_version(&self) -> Result<u32> {
        schema_version(&mut self.c())
    }
}

/// An import inside one transaction that holds the write lock, rolled back on drop unless
/// committed.
struct PgSession<'c> {
    client: &'c RefCell<Client>,
    open: bool,
    batch_id: i64,
    /// The table the current file's batch writes, for the change feed.
    batch_table: &'static str,
    owner: Option<String>,
    actor: Actor,
    /// Per entity, the next storage key (read once, under the lock).
    next_key: [Option<i64>; 3],
    /// Per entity, whether its staging table exists in this transaction.
    staging: [bool; 3],
    entities: [Entity; 3],
}

impl PgSession<'_> {
    fn c(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    /// Stores `rows[range]`, all of entity `index`: `COPY` into the staging table, then one
    /// statement each to read the stored versions, insert the new rows and update the changed.
    fn put_run(
        &mut self,
        index: usize,
        rows: &PreparedRows,
        range: std::ops::Range<usize>,
        outcomes: &mut [Outcome],
    ) -> Result<()> {
        let entity = &self.entities[index];
        let table = entity.table;
        let staging = format!("staging_{table}");
        let what = format!("storing {table}");
        let mut client = self.client.borrow_mut();
        let c = &mut *client;
        if !self.staging[index] {
            let columns: Vec<String> = entity.columns.iter().map(|n| format!("{n} TEXT")).collect();
            c.batch_execute(&format!(
                "CREATE TEMP TABLE {staging} (ord INTEGER NOT NULL, {}) ON COMMIT DROP",
                columns.join(", ")
            ))
            .map_err(err(what.clone()))?;
            self.staging[index] = true;
        } else {
            c.batch_execute(&format!("TRUNCATE {staging}")).map_err(err(what.clone()))?;
        }

        // A row repeated within the batch: the same content changes nothing more; other
        // content is a conflict in the file. Only first occurrences are staged.
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(range.len());
        let mut repeats = Vec::new();
        let mut staged = 0usize;
        {
            let types: Vec<Type> =
                std::iter::once(Type::INT4).chain(entity.columns.iter().map(|_| Type::TEXT)).collect();
            let sql = format!("COPY {staging} (ord, {}) FROM STDIN BINARY", entity.columns.join(", "));
            c.copy_in(&sql, &types, |write| {
                let mut cells: Vec<Option<&str>> = Vec::with_capacity(entity.columns.len());
                for i in range.clone() {
                    let row = rows.get(i);
                    if let Some(&earlier) = first.get(row.key()) {
                        repeats.push((i, earlier));
                        continue;
                    }
                    first.insert(row.key(), i);
                    cells.clear();
                    cells.extend(row.cells().map(|cell| Some(cell).filter(|v| !v.is_empty())));
                    let ord = i as i32;
                    let mut values: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(cells.len() + 1);
                    values.push(&ord);
                    values.extend(cells.iter().map(|c| c as &(dyn ToSql + Sync)));
                    write(&values)?;
                    staged += 1;
                }
                Ok(())
            })
            .map_err(err(what.clone()))?;
        }

        // The stored versions of the staged rows, with whether this file saw them unchanged.
        let stored_columns: Vec<String> = entity.columns.iter().map(|n| format!("t.{n}")).collect();
        let found = c
            .query(
                &format!(
                    "SELECT s.ord, t.batch_id, seen.key IS NOT NULL, {} FROM {staging} s
                     JOIN {table} t ON t.{key} = s.{key} LEFT JOIN import_seen seen ON seen.key = s.{key}",
                    stored_columns.join(", "),
                    key = entity.key
                ),
                &[],
            )
            .map_err(err(what.clone()))?;
        let mut unchanged_ords = Vec::new();
        let mut updated = Vec::new();
        for found in &found {
            let i = found.get::<_, i32>(0) as usize;
            let row = rows.get(i);
            let stored = texts(found, 3, entity.columns.len(), table)?;
            if let Some(owner) = &self.owner
                && stored.get(entity.organization_column).and_then(|v| v.as_deref()) != Some(owner.as_str())
            {
                return Err(StoreError::Forbidden(format!(
                    "{} {} is another organisation's record: {owner} cannot write it",
                    entity.key,
                    row.key()
                )));
            }
            let values: Vec<Option<&str>> = row.cells().map(|cell| Some(cell).filter(|v| !v.is_empty())).collect();
            if stored.iter().map(Option::as_deref).eq(values.iter().copied()) {
                outcomes[i - range.start] = Outcome::Unchanged;
                unchanged_ords.push(i as i32);
            } else if found.get::<_, i64>(1) == self.batch_id || found.get::<_, bool>(2) {
                outcomes[i - range.start] = Outcome::ConflictInFile;
            } else {
                outcomes[i - range.start] = Outcome::Updated;
                let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
                for ((column, before), after) in entity.columns.iter().zip(&stored).zip(&values) {
                    if before.as_deref() != *after {
                        old.insert(column.clone(), before.clone().into());
                        new.insert(column.clone(), after.map(str::to_owned).into());
                    }
                }
                updated.push((i as i32, row.key(), serde_json::Value::Object(old), serde_json::Value::Object(new)));
            }
        }

        // Organisations first: rows reference them.
        c.execute(
            &format!(
                "INSERT INTO organizations (code, first_batch) SELECT DISTINCT organization, $1::bigint FROM {staging}
                 ON CONFLICT (code) DO NOTHING"
            ),
            &[&self.batch_id],
        )
        .map_err(err("recording organisations"))?;

        let new = staged - found.len();
        if new > 0 {
            let key = sql::Dialect::Postgres.key(table);
            let next = match self.next_key[index] {
                Some(next) => next,
                None => c
                    .query_one(&format!("SELECT COALESCE(MAX({key}), 0) + 1 FROM {table}"), &[])
                    .map_err(err(what.clone()))?
                    .get(0),
            };
            let staged_columns: Vec<String> = entity.columns.iter().map(|n| format!("s.{n}")).collect();
            // The staged rows not found above are the new ones: filtering them by `ord` spares
            // a second index lookup per row (an anti-join cost a fifth of the batch's time).
            let stored: Vec<i32> = found.iter().map(|r| r.get::<_, i32>(0)).collect();
            let inserted = c
                .execute(
                    &format!(
                        "INSERT INTO {table} ({key}, {}, batch_id)
                         SELECT $1::bigint - 1 + row_number() OVER (ORDER BY s.ord), {}, $2::bigint FROM {staging} s
                         WHERE s.ord <> ALL($3)",
                        entity.columns.join(", "),
                        staged_columns.join(", "),
                    ),
                    &[&next, &self.batch_id, &stored],
                )
                .map_err(err(what.clone()))?;
            self.next_key[index] = Some(next + inserted as i64);
            let stored: std::collections::HashSet<i32> = stored.into_iter().collect();
            for &i in first.values() {
                if !stored.contains(&(i as i32)) {
                    outcomes[i - range.start] = Outcome::Inserted;
                }
            }
        }

        if !updated.is_empty() {
            let sets: Vec<String> = entity.columns.iter().map(|n| format!("{n} = s.{n}")).collect();
            let ords: Vec<i32> = updated.iter().map(|u| u.0).collect();
            c.execute(
                &format!(
                    "UPDATE {table} t SET {}, batch_id = $1 FROM {staging} s WHERE t.{key} = s.{key} AND s.ord = ANY($2)",
                    sets.join(", "),
                    key = entity.key
                ),
                &[&self.batch_id, &ords],
            )
            .map_err(err(what.clone()))?;
            let keys: Vec<&str> = updated.iter().map(|u| u.1).collect();
            let old: Vec<String> = updated.iter().map(|u| u.2.to_string()).collect();
            let new: Vec<String> = updated.iter().map(|u| u.3.to_string()).collect();
            c.execute(
                "INSERT INTO audit_log (at, action, entity, entity_id, old_values, new_values, batch_id, actor, client)
                 SELECT $1, 'update', $2, k, o, n, $3, $4, $5 FROM unnest($6::text[], $7::text[], $8::text[]) AS u(k, o, n)",
                &[&now(), &table, &self.batch_id, &self.actor.name, &self.actor.client, &keys, &old, &new],
            )
            .map_err(err("writing audit log"))?;
        }

        if !unchanged_ords.is_empty() {
            c.execute(
                &format!(
                    "INSERT INTO import_seen (key) SELECT {key} FROM {staging} WHERE ord = ANY($1) ON CONFLICT DO NOTHING",
                    key = entity.key
                ),
                &[&unchanged_ords],
            )
            .map_err(err(what.clone()))?;
        }

        // Repeats within the batch: as their first occurrence left the row.
        for (i, earlier) in repeats {
            let same = rows.get(i).cells().eq(rows.get(earlier).cells());
            outcomes[i - range.start] = match outcomes[earlier - range.start] {
                Outcome::ConflictInFile => Outcome::ConflictInFile,
                _ if same => Outcome::Unchanged,
                _ => Outcome::ConflictInFile,
            };
        }
        Ok(())
    }
}

impl ImportSession for PgSession<'_> {
    fn begin_file(&mut self, source: &BatchSource) -> Result<()> {
        self.batch_table = self.entities[entity_index(source.kind)].table;
        let batch = crate::writes_sql::begin_batch(&mut *self.c(), source)?;
        self.batch_id = batch;
        Ok(())
    }

    fn put(&mut self, rows: &PreparedRows, outcomes: &mut Vec<Outcome>) -> Result<()> {
        outcomes.clear();
        outcomes.resize(rows.len(), Outcome::Unchanged);
        // Runs of rows of one kind (an import's batch is all of one).
        let mut start = 0;
        while start < rows.len() {
            let kind = rows.get(start).kind;
            let end = (start..rows.len()).find(|&i| rows.get(i).kind != kind).unwrap_or(rows.len());
            self.put_run(entity_index(kind), rows, start..end, &mut outcomes[start..end])?;
            start = end;
        }
        Ok(())
    }

    fn end_file(&mut self, counts: &Counts, sha256: &str) -> Result<()> {
        let batch = (self.batch_id, self.batch_table);
        crate::writes_sql::end_batch(&mut *self.c(), batch, counts, sha256, &self.actor)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let mut session = self;
        session.c().batch_execute("COMMIT").map_err(err("committing import"))?;
        session.open = false;
        seal_audit(&mut session.c())?;
        Ok(())
    }

    fn ids_with_prefix(&mut self, kind: RecordKind, prefix: &str) -> Result<Vec<String>> {
        let entity = &self.entities[entity_index(kind)];
        crate::writes_sql::ids_with_prefix(&mut *self.c(), entity, prefix, self.owner.as_deref())
    }

    fn delete(&mut self, kind: RecordKind, id: &str) -> Result<bool> {
        let entity = &self.entities[entity_index(kind)];
        crate::writes_sql::delete_row(&mut *self.c(), entity, id, self.owner.as_deref(), &self.actor)
    }

    fn restrict_to(&mut self, organization: &str) {
        self.owner = Some(organization.to_owned());
    }

    fn act_as(&mut self, actor: &Actor) {
        self.actor = actor.clone();
    }

    fn bind_geography(&mut self, name: &str) -> Result<()> {
        crate::writes_sql::bind_geography(&mut *self.c(), name)
    }

    fn latest_risk_version(&self) -> Result<u32> {
        crate::writes_sql::latest_risk_version(&mut *self.c())
    }
}

impl Drop for PgSession<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of an unfinished import may remain; if the connection is gone, the server
            // rolled the transaction back already.
            let _ = self.c().batch_execute("ROLLBACK");
        }
    }
}

/// A whole database loaded by `COPY`, in one transaction holding the write lock, rolled back on
/// drop unless committed.
struct PgLoad<'c> {
    client: &'c RefCell<Client>,
    open: bool,
}

impl Load for PgLoad<'_> {
    fn rows(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        let types: Vec<Type> = table
            .columns
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Int => Type::INT8,
                Kind::Text => Type::TEXT,
                Kind::Bool => Type::BOOL,
            })
            .collect();
        let sql = format!("COPY {} ({}) FROM STDIN BINARY", table.name, columns.join(", "));
        self.client
            .borrow_mut()
            .copy_in(&sql, &types, |write| {
                for row in rows {
                    let cells: Vec<Box<dyn ToSql + Sync>> = row
                        .iter()
                        .zip(table.columns)
                        .map(|(value, (_, kind))| -> Box<dyn ToSql + Sync> {
                            match (value, kind) {
                                (Value::Int(n), _) => Box::new(*n),
                                (Value::Text(t), _) => Box::new(t.clone()),
                                (Value::Bool(b), _) => Box::new(*b),
                                (Value::Null, Kind::Int) => Box::new(None::<i64>),
                                (Value::Null, Kind::Text) => Box::new(None::<String>),
                                (Value::Null, Kind::Bool) => Box::new(None::<bool>),
                            }
                        })
                        .collect();
                    let values: Vec<&(dyn ToSql + Sync)> = cells.iter().map(|c| c.as_ref()).collect();
                    write(&values)?;
                }
                Ok(())
            })
            .map_err(err(format!("loading {}", table.name)))?;
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        let mut c = self.client.borrow_mut();
        // Identity columns go on numbering after the rows loaded.
        for table in TABLES.iter().filter(|t| t.identity.is_some()) {
            let column = table.identity.unwrap_or_default();
            c.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), GREATEST(MAX({column}), 1), MAX({column}) IS NOT NULL)
                     FROM {table}",
                    table = table.name
                ),
                &[],
            )
            .map_err(err("numbering after the copy"))?;
        }
        c.batch_execute(&format!("NOTIFY {CHANNEL}; COMMIT")).map_err(err("committing the copy"))?;
        seal_audit(&mut c)?;
        drop(c);
        self.open = false;
        Ok(())
    }
}

impl Drop for PgLoad<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.client.borrow_mut().batch_execute("ROLLBACK");
        }
    }
}

/// Wakes a process when another commits a change: `LISTEN vigie_changes` and `LISTEN
/// vigie_access` on a connection of its own.
pub(crate) struct Listener {
    client: Client,
}

/// What the notifications received while waiting were about.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Woken {
    pub(crate) changes: bool,
    pub(crate) access: bool,
}

impl Listener {
    pub(crate) fn new(url: &str) -> Result<Listener> {
        let mut client = connect(url)?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}; LISTEN {ACCESS_CHANNEL}"))
            .map_err(err("listening for changes"))?;
        Ok(Listener { client })
    }

    /// Waits up to `timeout` for notifications; `Err` once the connection is lost.
    pub(crate) fn wait(&mut self, timeout: Duration) -> Result<Woken> {
        let got = self.client.wait_for_notification(timeout).map_err(err("listening for changes"))?;
        if self.client.is_closed() {
            return Err(StoreError::Unsupported("the connection listening for changes closed".into()));
        }
        Ok(Woken { changes: got.iter().any(|c| c == CHANNEL), access: got.iter().any(|c| c == ACCESS_CHANNEL) })
    }
}
