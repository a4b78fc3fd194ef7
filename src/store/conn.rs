//! The one way eip talks to its database: [`Conn`] runs plain SQL with `?1`-style placeholders,
//! binds [`Param`]s and reads [`Row`]s, and [`Tx`] is a write transaction on it. The store's
//! modules speak only this, never a driver's own types, so a second backend is one more
//! implementation of this file (docs/ARCHITECTURE.md, "The store").
//!
//! Every statement is prepared once per process and kept (the driver's statement cache): a bulk
//! import or an aggregation runs the same few statements many times.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::AuditActor;

pub use super::bind::{Param, Value, ValueRef};

/// `params![a, b, c]`: the parameters of one statement, in placeholder order (`?1`, `?2`, …).
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::Param]
    };
    ($($x:expr),+ $(,)?) => {
        &[$(&$x as &dyn $crate::store::Param),+] as &[&dyn $crate::store::Param]
    };
}
pub(crate) use params;

impl rusqlite::ToSql for ValueRef<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as V};
        Ok(ToSqlOutput::Borrowed(match *self {
            ValueRef::Null => V::Null,
            ValueRef::Int(v) => V::Integer(v),
            ValueRef::Real(v) => V::Real(v),
            ValueRef::Text(v) => V::Text(v.as_bytes()),
        }))
    }
}

fn bind<'p>(params: &'p [&'p dyn Param]) -> impl rusqlite::Params + 'p {
    rusqlite::params_from_iter(params.iter().map(|p| p.value()))
}

/// A column value read from a row.
pub trait Column: Sized {
    fn read(row: &Row<'_>, i: usize) -> Result<Self>;
}

/// What a PostgreSQL value may be read as (SQLite's types, which eip's code was written for:
/// a comparison is an integer, a sum of integers an integer).
trait FromAny: Sized {
    fn from_any(v: super::pg::Any) -> Option<Self>;
}

macro_rules! int_from_any {
    ($($t:ty),*) => {$(
        impl FromAny for $t {
            fn from_any(v: super::pg::Any) -> Option<Self> {
                use super::pg::Any;
                match v {
                    Any::Int(i) => <$t>::try_from(i).ok(),
                    Any::Bool(b) => Some(<$t>::from(b as u8)),
                    _ => None,
                }
            }
        }
    )*};
}
int_from_any!(i64, i32, u32, u64, usize);

impl FromAny for f64 {
    fn from_any(v: super::pg::Any) -> Option<Self> {
        match v {
            super::pg::Any::Real(r) => Some(r),
            super::pg::Any::Int(i) => Some(i as f64),
            _ => None,
        }
    }
}

impl FromAny for bool {
    fn from_any(v: super::pg::Any) -> Option<Self> {
        match v {
            super::pg::Any::Bool(b) => Some(b),
            super::pg::Any::Int(i) => Some(i != 0),
            _ => None,
        }
    }
}

impl FromAny for String {
    fn from_any(v: super::pg::Any) -> Option<Self> {
        match v {
            super::pg::Any::Text(s) => Some(s),
            _ => None,
        }
    }
}

fn pg_read<T: FromAny>(row: &postgres::Row, i: usize) -> Result<Option<T>> {
    let v = super::pg::column(row, i)?;
    if v == super::pg::Any::Null {
        return Ok(None);
    }
    let shown = format!("{v:?}");
    match T::from_any(v) {
        Some(t) => Ok(Some(t)),
        None => Err(anyhow::anyhow!(
            "column {i} ({}) holds {shown}, not a {}",
            row.columns().get(i).map_or("?", |c| c.name()),
            std::any::type_name::<T>()
        )),
    }
}

macro_rules! column {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn read(row: &Row<'_>, i: usize) -> Result<Self> {
                match row.inner {
                    RowRef::Sqlite(r) => Ok(r.get::<_, $t>(i)?),
                    RowRef::Pg(r) => pg_read::<$t>(r, i)?
                        .ok_or_else(|| anyhow::anyhow!("column {i} is NULL where a value is expected")),
                }
            }
        }
        impl Column for Option<$t> {
            fn read(row: &Row<'_>, i: usize) -> Result<Self> {
                match row.inner {
                    RowRef::Sqlite(r) => Ok(r.get::<_, Option<$t>>(i)?),
                    RowRef::Pg(r) => pg_read::<$t>(r, i),
                }
            }
        }
    )*};
}
column!(i64, i32, u32, u64, usize, f64, bool, String);

/// Any column as it is stored: what a copy of a whole table reads and writes back.
impl Column for Value {
    fn read(row: &Row<'_>, i: usize) -> Result<Self> {
        use super::pg::Any;
        match row.inner {
            RowRef::Sqlite(r) => Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(v) => Value::Int(v),
                rusqlite::types::ValueRef::Real(v) => Value::Real(v),
                rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8(t.to_vec())?),
                rusqlite::types::ValueRef::Blob(_) => anyhow::bail!("column {i} holds bytes, which eip never writes"),
            }),
            RowRef::Pg(r) => Ok(match super::pg::column(r, i)? {
                Any::Null => Value::Null,
                Any::Int(v) => Value::Int(v),
                Any::Bool(b) => Value::Int(i64::from(b)),
                Any::Real(v) => Value::Real(v),
                Any::Text(t) => Value::Text(t),
            }),
        }
    }
}

#[derive(Clone, Copy)]
enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

/// One row of a query's result.
pub struct Row<'r> {
    inner: RowRef<'r>,
}

impl Row<'_> {
    /// Column `i` (from 0), as `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        T::read(self, i)
    }
}

/// Which SQL the database speaks, for the few statements written once for each
/// (docs/ARCHITECTURE.md, "The store").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    // One per process: its size does not matter.
    Pg(Box<super::pg::Pg>),
}

/// A connection to eip's database.
pub struct Conn {
    backend: Backend,
}

impl Conn {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn { backend: Backend::Sqlite(conn) }
    }

    pub(crate) fn postgres(conn: super::pg::Pg) -> Conn {
        Conn { backend: Backend::Pg(Box::new(conn)) }
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Pg(_) => Dialect::Postgres,
        }
    }

    /// A private database in memory holding the whole schema, for unit tests of rules that have
    /// an SQL form.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Conn {
        let c = Conn::sqlite(rusqlite::Connection::open_in_memory().expect("an in-memory database"));
        c.batch(super::SCHEMA).expect("the schema");
        c
    }

    /// SQLite's own connection, for the store's set-up of a file (pragmas, the schema); none on
    /// PostgreSQL.
    pub(crate) fn raw(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Pg(_) => None,
        }
    }

    /// Run a statement; the number of rows it changed.
    pub fn exec(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(bind(params))?),
            Backend::Pg(c) => c.exec(sql, &values(params)),
        }
    }

    /// Run an `INSERT` of one row into a table whose key is an integer `id`; the new row's id.
    /// (SQLite: the connection's last row id, cheaper than `RETURNING`, which materialises the
    /// returned rows; PostgreSQL: `RETURNING id`.)
    pub fn insert(&self, sql: &str, params: &[&dyn Param]) -> Result<i64> {
        match &self.backend {
            Backend::Sqlite(c) => {
                c.prepare_cached(sql)?.execute(bind(params))?;
                Ok(c.last_insert_rowid())
            }
            Backend::Pg(_) => self.one(&format!("{sql} RETURNING id"), params, |r| r.get(0)),
        }
    }

    /// Run several statements separated by `;`, without parameters.
    pub fn batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Pg(c) => c.batch(sql),
        }
    }

    /// The first row, read by `f`; an error if there is none.
    pub fn one<T>(&self, sql: &str, params: &[&dyn Param], f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        match self.opt(sql, params, f)? {
            Some(v) => Ok(v),
            None => Err(rusqlite::Error::QueryReturnedNoRows.into()),
        }
    }

    /// The first row, read by `f`, if there is one.
    pub fn opt<T>(&self, sql: &str, params: &[&dyn Param], f: impl FnOnce(&Row) -> Result<T>) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.scan(sql, params, |r| {
            out = Some((f.take().expect("called once"))(r)?);
            Ok(false)
        })?;
        Ok(out)
    }

    /// Every row, each read by `f`.
    pub fn all<T>(&self, sql: &str, params: &[&dyn Param], mut f: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every row, streamed through `f` in order (nothing is collected).
    pub fn each(&self, sql: &str, params: &[&dyn Param], mut f: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        self.scan(sql, params, |r| {
            f(r)?;
            Ok(true)
        })
    }

    /// Whether the transactions begun from here on may be run again when the server asks
    /// (`Db::write` does), which lets PostgreSQL prepare a write's statements without a savepoint
    /// (`Pg::statement`). SQLite never asks.
    pub(crate) fn set_rerunnable(&self, yes: bool) {
        if let Backend::Pg(c) = &self.backend {
            c.rerunnable.set(yes);
        }
    }

    /// Read everything that follows from one snapshot of the database, until the guard is
    /// dropped: a check of a whole file sees another process's write in every lookup or in none.
    /// Inside a transaction already, the transaction is the snapshot.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let open = match &self.backend {
            Backend::Sqlite(c) => c.is_autocommit(),
            Backend::Pg(c) => !c.in_tx.get(),
        };
        if open {
            match &self.backend {
                Backend::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
                Backend::Pg(c) => {
                    c.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                    c.in_tx.set(true);
                    c.failed.set(false);
                }
            }
        }
        Ok(Snapshot { conn: self, open })
    }

    /// Rows streamed through `f` in order while it answers `true`: the first `false` stops
    /// the query there (a check that has found what it looks for reads no further).
    pub fn scan(&self, sql: &str, params: &[&dyn Param], mut f: impl FnMut(&Row) -> Result<bool>) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(bind(params))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row { inner: RowRef::Sqlite(r) })? {
                        break;
                    }
                }
            }
            Backend::Pg(c) => {
                // The rows are read before `f` sees them, so that `f` may query the same
                // connection (the driver has one statement in flight at a time).
                for r in &c.query(sql, &values(params))? {
                    if !f(&Row { inner: RowRef::Pg(r) })? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Insert rows into `into` ("table(col, …)"), `width` values each, given flattened: one
    /// multi-row `INSERT … VALUES (…), (…), …` per hundred rows (fewer for wide rows). A
    /// statement's start and its statement journal are then paid once per batch rather than once
    /// per row, which is most of a bulk import's cost beyond the indexes themselves.
    pub fn insert_rows(&self, into: &str, width: usize, values: &[Value]) -> Result<()> {
        debug_assert!(
            width > 0 && values.len() % width == 0,
            "{into}: {} values are not rows of {width}",
            values.len()
        );
        let row = format!("({})", vec!["?"; width].join(","));
        for chunk in values.chunks(width * (MAX_VALUES / width).clamp(1, BULK_ROWS)) {
            let sql = format!("INSERT INTO {into} VALUES {}", vec![row.as_str(); chunk.len() / width].join(","));
            match &self.backend {
                Backend::Sqlite(c) => {
                    c.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(chunk.iter().map(|v| v.value())))?;
                }
                Backend::Pg(c) => {
                    c.insert_values(&sql, chunk)?;
                }
            }
        }
        Ok(())
    }

    /// Begin, commit or roll back a transaction (`BEGIN IMMEDIATE` on SQLite; on PostgreSQL
    /// `BEGIN` and the one row of `write_lock` locked, so writers queue the same way).
    fn begin_write(&self, setup: Option<&str>) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => {
                c.execute_batch("BEGIN IMMEDIATE").map_err(super::busy)?;
                if let Some(sql) = setup {
                    if let Err(e) = c.execute_batch(sql) {
                        let _ = c.execute_batch("ROLLBACK");
                        return Err(e.into());
                    }
                }
                Ok(())
            }
            Backend::Pg(c) => {
                c.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
                c.in_tx.set(true);
                c.failed.set(false);
                let locked = setup
                    .map_or(Ok(()), |sql| c.batch(sql))
                    .and_then(|_| c.batch("SELECT id FROM write_lock FOR UPDATE"));
                if locked.is_err() {
                    let _ = self.end(false);
                }
                locked
            }
        }
    }

    fn end(&self, commit: bool) -> Result<()> {
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        match &self.backend {
            Backend::Sqlite(c) => c.execute_batch(sql).map_err(super::busy),
            Backend::Pg(c) => {
                // A transaction one of whose statements failed was aborted by the server, which
                // answers COMMIT by rolling back, without an error: say so instead.
                let failed = commit && c.failed.get();
                let done = c.batch(if failed { "ROLLBACK" } else { sql });
                c.in_tx.set(false);
                c.failed.set(false);
                if failed {
                    return Err(anyhow::anyhow!(
                        "a statement of this change failed and its error was not passed on (an eip bug); nothing of it was written"
                    ));
                }
                done
            }
        }
    }
}

fn values<'p>(params: &'p [&'p dyn Param]) -> Vec<ValueRef<'p>> {
    params.iter().map(|p| p.value()).collect()
}

/// A read snapshot ([`Conn::snapshot`]), ended when dropped.
pub struct Snapshot<'a> {
    conn: &'a Conn,
    open: bool,
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.end(false);
        }
    }
}

/// Rows per statement in a bulk write ([`Conn::insert_rows`]), and the bound values a statement
/// may carry in any SQLite (999 before 3.32; the bundled one allows 32,766).
const BULK_ROWS: usize = 100;
const MAX_VALUES: usize = 999;

/// A write transaction: begun `IMMEDIATE` (the write lock taken at once, so what it reads is what
/// it decides on), the actor and time of its audit events, and the head of the audit chain once
/// it has been read. Rolled back when dropped without [`Tx::commit`].
pub struct Tx<'a> {
    conn: &'a Conn,
    pub actor: AuditActor,
    pub now: DateTime<Utc>,
    pub(crate) head: Option<(i64, String)>,
    /// `now` as stored, formatted once (a bulk import stamps every row with it).
    now_s: String,
    open: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl<'a> Tx<'a> {
    /// Begin a write transaction on `conn`.
    pub(crate) fn begin(conn: &'a Conn, actor: &AuditActor, now: DateTime<Utc>) -> Result<Tx<'a>> {
        Tx::begin_with(conn, actor, now, None)
    }

    /// Begin a write transaction that first runs `setup` (PostgreSQL: the schema of a new
    /// database, whose `write_lock` the transaction then takes).
    pub(crate) fn begin_with(
        conn: &'a Conn,
        actor: &AuditActor,
        now: DateTime<Utc>,
        setup: Option<&str>,
    ) -> Result<Tx<'a>> {
        conn.begin_write(setup)?;
        Ok(Tx { conn, actor: actor.clone(), now, head: None, now_s: crate::calendar::stored(now), open: true })
    }

    /// Make every change of the transaction, its audit events included, durable.
    pub(crate) fn commit(mut self) -> Result<()> {
        self.conn.end(true)?;
        self.open = false;
        Ok(())
    }

    pub fn now_stored(&self) -> String {
        self.now_s.clone()
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.end(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Conn {
        let c = Conn::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        c.batch("CREATE TABLE t(a INTEGER, b TEXT, c REAL)").unwrap();
        c
    }

    #[test]
    fn parameters_bind_in_placeholder_order_and_rows_read_back_typed() {
        let c = conn();
        let name = String::from("长安区");
        let none: Option<&str> = None;
        c.exec("INSERT INTO t(a, b, c) VALUES (?1, ?2, ?3)", params![7i64, name, 1.5]).unwrap();
        c.exec("INSERT INTO t(a, b, c) VALUES (?1, ?2, ?3)", params![true, none, 0.0]).unwrap();
        let rows: Vec<(i64, Option<String>, f64)> =
            c.all("SELECT a, b, c FROM t ORDER BY a", params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        assert_eq!(rows, vec![(1, None, 0.0), (7, Some("长安区".into()), 1.5)]);
        assert_eq!(c.opt("SELECT a FROM t WHERE a = ?1", params![3], |r| r.get::<i64>(0)).unwrap(), None);
        assert!(c.one("SELECT a FROM t WHERE a = ?1", params![3], |r| r.get::<i64>(0)).is_err());
    }

    #[test]
    fn bulk_rows_insert_in_batches_of_any_size() {
        let c = conn();
        let values: Vec<Value> =
            (0..250).flat_map(|i| [Value::Int(i), Value::from(format!("s{i}")), Value::Real(i as f64)]).collect();
        c.insert_rows("t(a, b, c)", 3, &values).unwrap();
        assert_eq!(
            c.one("SELECT count(*), sum(a) FROM t", params![], |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?))).unwrap(),
            (250, 31125)
        );
    }

    #[test]
    fn a_transaction_dropped_without_commit_writes_nothing() {
        let c = conn();
        let actor = AuditActor { name: "t".into(), unit: None };
        {
            let tx = Tx::begin(&c, &actor, Utc::now()).unwrap();
            tx.exec("INSERT INTO t(a) VALUES (1)", params![]).unwrap();
        }
        assert_eq!(c.one("SELECT count(*) FROM t", params![], |r| r.get::<i64>(0)).unwrap(), 0);
        let tx = Tx::begin(&c, &actor, Utc::now()).unwrap();
        tx.exec("INSERT INTO t(a) VALUES (1)", params![]).unwrap();
        tx.commit().unwrap();
        assert_eq!(c.one("SELECT count(*) FROM t", params![], |r| r.get::<i64>(0)).unwrap(), 1);
    }
}
