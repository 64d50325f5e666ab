//! Databases for tests, in this crate's and the others': a fresh PostgreSQL database each, the
//! store a run asks for (`VIGIE_TEST_STORE`), raw SQL behind Vigie's back, and another writer
//! holding the write lock. Behind the `test-support` feature: no part of the store's API.

use crate::DbUrl;

/// For tests: a new, empty PostgreSQL database on the server `VIGIE_TEST_POSTGRES` names (an
/// administrator's URL; `scripts/test.sh` starts a throwaway server and sets it), as a URL.
/// Panics when the variable is unset, so that a test meant for both stores never passes on one
/// alone.
pub fn postgres_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var("VIGIE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!("VIGIE_TEST_POSTGRES is not set: run scripts/test.sh, which starts a PostgreSQL server for the tests")
    });
    let name = format!(
        "vigie_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    );
    let mut client = crate::postgres::connect(&admin).unwrap_or_else(|e| panic!("{e}"));
    let client = &mut client;
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("creating {name}: {e}"));
    match admin.rfind('/') {
        Some(slash) => format!("{}/{name}", &admin[..slash]),
        None => panic!("VIGIE_TEST_POSTGRES is no URL: {admin}"),
    }
}

/// For tests that run on either store: a new database, SQLite in `dir` unless
/// `VIGIE_TEST_STORE=postgres` (scripts/test.sh runs those tests a second time so).
pub fn database(dir: &std::path::Path) -> DbUrl {
    match std::env::var("VIGIE_TEST_STORE").as_deref() {
        Ok("postgres") => DbUrl::Postgres(postgres_database()),
        _ => DbUrl::Sqlite(dir.join("v.db")),
    }
}

/// For tests: runs `sql` on a connection of its own, outside every rule of the store; the
/// database's message when it refuses.
pub fn execute(url: &DbUrl, sql: &str) -> std::result::Result<(), String> {
    match url {
        DbUrl::Sqlite(path) => {
            rusqlite::Connection::open(path).and_then(|c| c.execute_batch(sql)).map_err(|e| e.to_string())
        }
        DbUrl::SqliteMemory => Err("an in-memory database has no other connection".into()),
        DbUrl::Postgres(url) => {
            let mut client = crate::pg_conn::Conn::connect(url)?;
            client.batch_execute(sql).map_err(|e| crate::postgres::message(&e))
        }
    }
}

/// For tests: the rows `sql` answers, every cell as text (PostgreSQL's simple query protocol;
/// SQLite's values as text).
pub fn query(url: &DbUrl, sql: &str) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
    match url {
        DbUrl::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
            let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                                rusqlite::types::ValueRef::Blob(b) => Some(format!("{b:?}")),
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| e.to_string())?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| e.to_string())
        }
        DbUrl::SqliteMemory => Err("an in-memory database has no other connection".into()),
        DbUrl::Postgres(url) => {
            crate::pg_conn::Conn::connect(url)?.simple_query(sql).map_err(|e| crate::postgres::message(&e))
        }
    }
}

/// Runs a statement on a connection of its own.
type RunSql = Box<dyn FnMut(&str) -> std::result::Result<(), String>>;

/// For tests: holds the database's write lock, as a running import does, until released or
/// dropped.
pub struct WriteLock {
    run: RunSql,
    take: String,
}

impl WriteLock {
    pub fn hold(url: &DbUrl) -> std::result::Result<WriteLock, String> {
        let mut lock = match url {
            DbUrl::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                WriteLock {
                    run: Box::new(move |sql| conn.execute_batch(sql).map_err(|e| e.to_string())),
                    take: "BEGIN IMMEDIATE".into(),
                }
            }
            DbUrl::SqliteMemory => return Err("an in-memory database has no other connection".into()),
            DbUrl::Postgres(url) => {
                let mut conn = crate::pg_conn::Conn::connect(url)?;
                WriteLock {
                    run: Box::new(move |sql| conn.batch_execute(sql).map_err(|e| crate::postgres::message(&e))),
                    take: format!("BEGIN; SELECT pg_advisory_xact_lock({})", crate::postgres::WRITE_LOCK),
                }
            }
        };
        lock.take()?;
        Ok(lock)
    }

    /// Takes the lock (again, after a release).
    pub fn take(&mut self) -> std::result::Result<(), String> {
        (self.run)(&self.take.clone())
    }

    pub fn release(&mut self) -> std::result::Result<(), String> {
        (self.run)("ROLLBACK")
    }
}
