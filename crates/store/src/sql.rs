//! The store's SQL, written once for both databases.
//!
//! A method whose SQL the two dialects agree on is written once, against [`Sql`]: statements
//! with `$1, $2…` placeholders, parameters and cells as [`Value`]s. Each backend gives a
//! connection ([`Backend::read_sql`]) and a write transaction ([`Backend::write_sql`]: the
//! write lock held, the audit entries sealed). The backend files keep only what differs: import
//! fast paths, locks, migrations, notifications.

use crate::portable::Value;
use crate::{Actor, Result, StoreError};

/// A connection the shared SQL runs on.
pub trait Sql {
    fn dialect(&self) -> Dialect;
    /// Hands each row of `sql` to `visit` as it is read, never holding them all; `visit` stops
    /// early by answering `false`. `what` names the work in an error.
    fn for_each(
        &mut self,
        what: &str,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(&dyn Cells) -> Result<bool>,
    ) -> Result<()>;
    /// Runs `sql`, answering how many rows it changed.
    fn execute(&mut self, what: &str, sql: &str, params: &[Value]) -> Result<u64>;

    /// The rows of `sql`, each cell as its column holds it.
    fn query(&mut self, what: &str, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.for_each(what, sql, params, &mut |cells| {
            rows.push(Row((0..cells.len()).map(|i| cells.value(i)).collect::<Result<_>>()?));
            Ok(true)
        })?;
        Ok(rows)
    }
}

/// A row being read, its cells borrowed from the driver's buffer.
pub trait Cells {
    fn len(&self) -> usize;
    /// Cell `i` as text (`None`: NULL); a cell holding another type is unreadable, said with
    /// its column's name and type.
    fn text(&self, i: usize) -> Result<Option<&str>>;
    /// Cell `i` as its column holds it.
    fn value(&self, i: usize) -> Result<Value>;
}

/// Where the two databases' SQL differs, each difference in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The column holding a record table's storage key: SQLite's rowid, PostgreSQL's own column.
    pub(crate) fn key(self, table: &str) -> &'static str {
        match self {
            Dialect::Sqlite => "rowid",
            Dialect::Postgres if table == "violations" => "id",
            Dialect::Postgres => "row_id",
        }
    }

    /// Where a column of the portable format is stored (SQLite keeps `row_id` as the rowid).
    pub(crate) fn stored(self, table: &crate::portable::Table, column: &'static str) -> &'static str {
        if self == Dialect::Sqlite && table.is_rowid(column) { "rowid" } else { column }
    }

    /// Empties a scratch table of the transaction.
    pub(crate) fn empty(self, table: &str) -> String {
        match self {
            Dialect::Sqlite => format!("DELETE FROM {table}"),
            Dialect::Postgres => format!("TRUNCATE {table}"),
        }
    }

    /// What wakes the other processes when a write appends to the change feed (SQLite's
    /// readers poll the feed).
    pub(crate) fn notify(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(crate::postgres::NOTIFY),
        }
    }

    /// What wakes the other processes when a write changes who may do what.
    pub(crate) fn notify_access(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(crate::postgres::NOTIFY_ACCESS),
        }
    }

    /// `column` for an `ORDER BY` in byte order, SQLite's own for text.
    pub(crate) fn byte_order(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => column.to_owned(),
            Dialect::Postgres => format!("{column} COLLATE \"C\""),
        }
    }
}

/// What each backend gives the SQL written once. Public in a private module: the store's
/// trait builds on it, and no caller outside this crate can name it.
pub trait Backend {
    /// Runs `reads` on the store's connection.
    fn read_sql(&self, reads: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()>;
    /// Runs `reads` in one read transaction: one snapshot, whatever commits meanwhile.
    fn read_snapshot(&self, reads: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()>;
    /// Runs `writes` in one transaction, committed if they succeed, holding the write lock when
    /// `lock` (data, not only accounts or audit); the audit entries it adds are sealed.
    fn write_sql(&mut self, lock: bool, writes: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()>;
}

/// What `reads` answers, run on `store`'s connection.
pub(crate) fn read<T>(store: &(impl Backend + ?Sized), mut reads: impl FnMut(&mut dyn Sql) -> Result<T>) -> Result<T> {
    let mut out = None;
    store.read_sql(&mut |db| {
        out = Some(reads(db)?);
        Ok(())
    })?;
    out.ok_or_else(|| StoreError::Unsupported("a read that never ran".into()))
}

/// What `writes` answers, run in one transaction of `store` (see [`Backend::write_sql`]).
pub(crate) fn write<T>(
    store: &mut (impl Backend + ?Sized),
    lock: bool,
    mut writes: impl FnMut(&mut dyn Sql) -> Result<T>,
) -> Result<T> {
    let mut out = None;
    store.write_sql(lock, &mut |db| {
        out = Some(writes(db)?);
        Ok(())
    })?;
    out.ok_or_else(|| StoreError::Unsupported("a write that never ran".into()))
}

/// [`write`] for a change of access (sessions, tokens, users, public access): it wakes the other
/// processes' caches of sessions and tokens when it commits, and this process's once committed.
pub(crate) fn write_access<T>(
    store: &mut (impl Backend + ?Sized),
    lock: bool,
    mut writes: impl FnMut(&mut dyn Sql) -> Result<T>,
) -> Result<T> {
    let out = write(store, lock, |db| {
        let out = writes(db)?;
        if let Some(notify) = db.dialect().notify_access() {
            db.execute("announcing a change of access", notify, &[])?;
        }
        Ok(out)
    })?;
    crate::accounts::access_changed();
    Ok(out)
}

/// One row of an answer.
#[derive(Debug)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Cell `i` as `T`; a cell of another type is an unreadable database.
    pub(crate) fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let value = self.0.get(i).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| StoreError::Unreadable {
            what: format!("column {i} of a row"),
            reason: format!("{value:?} is not {}", T::WHAT),
        })
    }
}

/// A Rust value a cell reads as.
pub(crate) trait FromValue: Sized {
    const WHAT: &'static str;
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for String {
    const WHAT: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}

impl FromValue for i64 {
    const WHAT: &'static str = "a whole number";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }
}

impl FromValue for u64 {
    const WHAT: &'static str = "a whole number, 0 or more";
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u64::try_from(n).ok())
    }
}

impl FromValue for u32 {
    const WHAT: &'static str = "a small whole number, 0 or more";
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).and_then(|n| u32::try_from(n).ok())
    }
}

/// SQLite keeps a boolean as 0 or 1.
impl FromValue for bool {
    const WHAT: &'static str = "true or false";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const WHAT: &'static str = T::WHAT;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Value {
        Value::Text(text.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// The parameters of a statement, each turned into a [`Value`].
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::portable::Value::from($value)),*]
    };
}
pub(crate) use args;

/// Adds an entry to the audit log, in the caller's transaction (sealed when it commits).
pub(crate) fn audit(
    db: &mut dyn Sql,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: &str,
    new: serde_json::Value,
) -> Result<()> {
    db.execute(
        "writing audit log",
        "INSERT INTO audit_log (at, action, entity, entity_id, new_values, actor, client)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![crate::entity::now(), action, entity, id, new.to_string(), actor.name.as_str(), actor.client.as_deref()],
    )?;
    Ok(())
}

/// `sql` with SQLite's numbered placeholders (`?1`) for PostgreSQL's (`$1`), outside quotes.
pub(crate) fn numbered_for_sqlite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '$' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('?');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_for_sqlite_outside_quotes() {
        assert_eq!(
            numbered_for_sqlite("SELECT '$1', a FROM t WHERE b = $1 AND c = $12"),
            "SELECT '$1', a FROM t WHERE b = ?1 AND c = ?12"
        );
    }
}
