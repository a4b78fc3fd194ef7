//! The storage boundary (docs/ARCHITECTURE.md): every SQL statement eip runs lives in this module
//! and its children, one child per aggregate. This file opens, creates and upgrades the database,
//! keeps its clock, and gives the one way to write: a `BEGIN IMMEDIATE` transaction that carries
//! its audit events. A second backend is one more implementation of what lives here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::model::{AuditActor, Level};

/// The schema, embedded.
pub const SCHEMA: &str = include_str!("../../schema.sql");
/// The same schema in PostgreSQL's terms (docs/DEPLOYMENT.md), embedded.
pub const PG_SCHEMA: &str = include_str!("../../schema.pg.sql");
/// The grants of the least-privilege roles on PostgreSQL (`{writer}`, `{reader}` filled in).
const PG_ROLES: &str = include_str!("pg-roles.sql");

pub mod accounts;
pub mod audit;
mod bind;
mod conn;
pub mod copy;
pub mod errors;
pub mod facts;
pub mod health;
mod migrations;
pub mod orgs;
pub mod pg;
pub mod requests;
pub mod returns;
pub mod rules;
pub mod schools;
pub mod submissions;
pub mod texts;
pub mod values;
pub(crate) use conn::params;
pub use conn::{Column, Conn, Dialect, Param, Row, Tx, Value, ValueRef};
pub use migrations::{MIGRATIONS, PG_MIGRATIONS};

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 1 + MIGRATIONS.len() as i64;
/// The version a new PostgreSQL database starts at: PostgreSQL came with version 3, so its own
/// numbered migrations (`PG_MIGRATIONS`) take it from there, in step with SQLite's.
pub const PG_FIRST_VERSION: i64 = 3;
const _: () = assert!(PG_FIRST_VERSION + PG_MIGRATIONS.len() as i64 == SCHEMA_VERSION);

/// How long a write waits for another process's write to finish before giving up (exit 7).
/// County scripts started together by cron queue instead of failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The journal mode: WAL on a local disk; DELETE for files on network shares, where WAL's shared
/// memory does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Journal {
    Wal,
    Delete,
}

pub struct Db {
    pub conn: Conn,
    pub path: PathBuf,
    /// "Now" for this whole command: the real time, or `EIP_NOW` in a test-clock database.
    pub now: DateTime<Utc>,
    pub test_clock: bool,
}

fn configure(conn: &Connection, journal: Option<Journal>) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    match journal {
        Some(Journal::Wal) => {
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        }
        Some(Journal::Delete) => {
            conn.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))?;
        }
        None => {}
    }
    // WAL with synchronous=NORMAL is durable across application crashes and much faster.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A national import changes hundreds of thousands of pages in one transaction: a 64 MiB page
    // cache keeps them in memory instead of spilling to the journal mid-transaction.
    conn.pragma_update(None, "cache_size", -262144)?;
    // Every INSERT that can abort mid-statement (a trigger, a unique index) keeps a statement
    // journal; in a temporary file that is a write() per page, a third of a bulk import's time.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    // SQLite: the schema version lives in the file's header.
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// A file SQLite cannot read at all: damaged (in words), or unusable for another reason.
fn unusable(path: &Path, e: rusqlite::Error) -> Error {
    if errors::is_damage(&e) {
        damaged(path, &e.to_string())
    } else {
        Error::new(Kind::Database, format!("{}: {}", t("db.unusable"), e))
    }
}

/// The time `EIP_NOW` names, if set; refused unless the database has a test clock.
fn clock(test_clock: bool) -> Result<DateTime<Utc>> {
    match std::env::var("EIP_NOW") {
        Ok(v) if !v.is_empty() => {
            if !test_clock {
                return Err(Error::new(Kind::Denied, t("clock.refused")).hint(t("clock.refused.hint")).into());
            }
            DateTime::parse_from_rfc3339(v.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| error::usage(tf("clock.bad", &[("value", &v)])).into())
        }
        _ => Ok(Utc::now()),
    }
}

impl Db {
    /// Open an initialised database, upgrading an older schema and refusing a newer one.
    pub fn open(path: &Path, journal: Option<Journal>) -> Result<Db> {
        if pg::is_url(path) {
            return Db::open_pg(path);
        }
        if !path.exists() {
            return Err(Error::new(Kind::Database, tf("db.missing", &[("path", &path.display())]))
                .hint(tf("db.missing.hint", &[("path", &path.display())]))
                .into());
        }
        tighten_companions(path);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        configure(&conn, journal)?;
        let version = user_version(&conn).map_err(|e| unusable(path, e))?;
        if version < 0 {
            // No eip writes a negative version: taking it as "current" would run on a file whose
            // schema nobody knows.
            return Err(Error::new(
                Kind::Database,
                tf("db.bad_version", &[("path", &path.display()), ("found", &version)]),
            )
            .hint(tf("db.damaged.hint", &[("path", &path.display())]))
            .into());
        }
        if version == 0 {
            return Err(Error::new(Kind::Database, tf("db.not_initialised", &[("path", &path.display())]))
                .hint(tf("db.missing.hint", &[("path", &path.display())]))
                .into());
        }
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                Kind::Database,
                tf("db.too_new", &[("path", &path.display()), ("found", &version), ("known", &SCHEMA_VERSION)]),
            )
            .hint(t("db.too_new.hint"))
            .into());
        }
        Db::opened(Conn::sqlite(conn), path, version, MIGRATIONS)
    }

    /// An opened database at `version`: its clock read, older schemas upgraded.
    fn opened(conn: Conn, path: &Path, version: i64, migrations: &[migrations::Step]) -> Result<Db> {
        let test_clock = setting(&conn, "test_clock")?.as_deref() == Some("1");
        let now = clock(test_clock)?;
        if version < SCHEMA_VERSION {
            migrate(&conn, version, migrations, now)?;
        }
        Ok(Db { conn, path: path.to_path_buf(), now, test_clock })
    }

    /// Whether there is an eip database at `path`: a file that exists, or a PostgreSQL database
    /// that holds eip's schema (an empty one is "no database yet", as a missing file is).
    pub fn exists(path: &Path) -> Result<bool> {
        if !pg::is_url(path) {
            return Ok(path.exists());
        }
        let target = pg::Target::parse(&path.to_string_lossy())?;
        let conn = Conn::postgres(pg::Pg::new(target.connect()?)?);
        conn.one("SELECT to_regclass('schema_version') IS NOT NULL", params![], |r| r.get(0))
    }

    /// Open a PostgreSQL database eip initialised: its version read from `schema_version`.
    fn open_pg(url: &Path) -> Result<Db> {
        let target = pg::Target::parse(&url.to_string_lossy())?;
        let conn = Conn::postgres(pg::Pg::new(target.connect()?)?);
        let shown = PathBuf::from(&target.shown);
        let initialised: bool =
            conn.one("SELECT to_regclass('schema_version') IS NOT NULL", params![], |r| r.get(0))?;
        let version: i64 = if initialised {
            conn.opt("SELECT version FROM schema_version", params![], |r| r.get(0))?.unwrap_or(0)
        } else {
            0
        };
        if version == 0 {
            return Err(Error::new(Kind::Database, tf("db.not_initialised", &[("path", &shown.display())]))
                .hint(tf("db.missing.hint", &[("path", &shown.display())]))
                .into());
        }
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                Kind::Database,
                tf("db.too_new", &[("path", &shown.display()), ("found", &version), ("known", &SCHEMA_VERSION)]),
            )
            .hint(t("db.too_new.hint"))
            .into());
        }
        let steps = &PG_MIGRATIONS[((version - PG_FIRST_VERSION).max(0) as usize).min(PG_MIGRATIONS.len())..];
        Db::opened(conn, &shown, version, steps).map(|mut db| {
            db.path = shown;
            db
        })
    }

    /// Create a new database with the whole schema and run `init` in the same transaction, so a
    /// database is either fully initialised or not at all. Refuses an initialised one (exit 5).
    pub fn create<T>(
        path: &Path,
        journal: Option<Journal>,
        test_clock: bool,
        actor: &AuditActor,
        init: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<(Db, T)> {
        // The clock rule holds before anything is written.
        let now = clock(test_clock)?;
        Db::create_at(path, journal, test_clock, now, actor, init)
    }

    /// `create`, at a given time (the demo, which moves its own test clock).
    pub fn create_at<T>(
        path: &Path,
        journal: Option<Journal>,
        test_clock: bool,
        now: DateTime<Utc>,
        actor: &AuditActor,
        init: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<(Db, T)> {
        let (conn, shown, out) = Db::create_with(path, journal, now, actor, |w| {
            first_settings(w, test_clock, now)?;
            init(w)
        })?;
        Ok((Db { conn, path: shown, now, test_clock }, out))
    }

    /// A new database (file or PostgreSQL) that holds no table yet: the whole schema and `fill`
    /// in one transaction, so that it is either complete or not there at all. Refuses an
    /// initialised one (exit 5). The connection, the database as shown to a person, `fill`'s answer.
    pub(crate) fn create_with<T>(
        path: &Path,
        journal: Option<Journal>,
        now: DateTime<Utc>,
        actor: &AuditActor,
        fill: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<(Conn, PathBuf, T)> {
        if pg::is_url(path) {
            return Db::create_pg(path, now, actor, fill);
        }
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        // The file is made private (0600, not through a link) before SQLite opens it: SQLite gives
        // the -wal, -shm and -journal files it creates the main file's mode (docs/SECURITY.md).
        drop(crate::files::create_private(path, crate::files::Existing::Keep)?);
        let conn = Connection::open(path)?;
        configure(&conn, Some(journal.unwrap_or(Journal::Wal)))?;
        let version = user_version(&conn).map_err(|e| unusable(path, e))?;
        let has_tables: bool = conn.query_row("SELECT count(*) > 0 FROM sqlite_schema", [], |r| r.get(0))?;
        if version > 0 || has_tables {
            return Err(Error::new(Kind::Refused, tf("db.already", &[("path", &path.display())]))
                .hint(tf("db.already.hint", &[("path", &path.display())]))
                .into());
        }
        let conn = Conn::sqlite(conn);
        let out = {
            let mut w = Tx::begin_with(&conn, actor, now, Some(SCHEMA))?;
            w.raw().expect("SQLite").pragma_update(None, "user_version", SCHEMA_VERSION)?;
            let out = fill(&mut w)?;
            w.commit()?;
            out
        };
        Ok((conn, path.to_path_buf(), out))
    }

    /// `create_with` on PostgreSQL: the schema, the least-privilege roles and `fill` in one
    /// transaction, in a database that holds no table yet.
    fn create_pg<T>(
        url: &Path,
        now: DateTime<Utc>,
        actor: &AuditActor,
        fill: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<(Conn, PathBuf, T)> {
        let target = pg::Target::parse(&url.to_string_lossy())?;
        let conn = Conn::postgres(pg::Pg::new(target.connect()?)?);
        let shown = PathBuf::from(&target.shown);
        let tables: i64 = conn.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            params![],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(Error::new(Kind::Refused, tf("db.already", &[("path", &shown.display())]))
                .hint(tf("pg.already.hint", &[("path", &shown.display())]))
                .into());
        }
        let setup = format!(
            "{PG_SCHEMA};\n{};\nINSERT INTO schema_version(version) VALUES ({SCHEMA_VERSION})",
            pg_roles(&target.dbname)
        );
        let out = {
            let mut w = Tx::begin_with(&conn, actor, now, Some(&setup))?;
            let out = fill(&mut w)?;
            w.commit()?;
            out
        };
        Ok((conn, shown, out))
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction with `actor` recorded on its audit events.
    /// Either all of it, audit events included, is written, or none of it.
    pub fn write<T>(&mut self, actor: &AuditActor, mut f: impl FnMut(&mut Tx) -> Result<T>) -> Result<T> {
        let mut tries = 0;
        self.conn.set_rerunnable(true);
        let done = loop {
            let done = (|| {
                let mut w = Tx::begin(&self.conn, actor, self.now)?;
                let out = f(&mut w)?;
                w.commit()?;
                Ok(out)
            })();
            match done {
                // PostgreSQL-protocol engines that run every transaction SERIALIZABLE (or find a
                // deadlock) ask for the transaction again: nothing of it was written.
                Err(e) if tries < WRITE_RETRIES && pg::is_retryable(&e) => tries += 1,
                // A statement PostgreSQL could not type, now marked: outside the budget, since
                // each such run marks one statement more (`pg::PrepareAgain`).
                Err(e) if pg::prepare_again(&e) => {}
                done => break done,
            }
        };
        self.conn.set_rerunnable(false);
        done
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.conn.dialect() == Dialect::Postgres
    }

    pub fn now_stored(&self) -> String {
        crate::calendar::stored(self.now)
    }
}

/// How many times a write asked again by the server (serialisation failure, deadlock) is retried.
const WRITE_RETRIES: usize = 5;

/// The settings every new database starts with.
fn first_settings(w: &Tx, test_clock: bool, now: DateTime<Utc>) -> Result<()> {
    w.exec("INSERT INTO setting(key, value) VALUES ('test_clock', ?1)", params![if test_clock { "1" } else { "0" }])?;
    w.exec("INSERT INTO setting(key, value) VALUES ('created_at', ?1)", params![crate::calendar::stored(now)])?;
    Ok(())
}

/// The two group roles of a PostgreSQL database `db`: `<db>_writer`, which eip's hosts run as,
/// and `<db>_reader`, for analysts (docs/DEPLOYMENT.md).
pub fn pg_role_names(db: &str) -> (String, String) {
    (format!("{db}_writer"), format!("{db}_reader"))
}

fn pg_roles(db: &str) -> String {
    let (writer, reader) = pg_role_names(db);
    let quote = |r: &str| format!("\"{}\"", r.replace('"', "\"\""));
    PG_ROLES.replace("{writer}", &quote(&writer)).replace("{reader}", &quote(&reader))
}

/// A busy database after the timeout is exit 7 with words a person understands.
pub(crate) fn busy(e: rusqlite::Error) -> anyhow::Error {
    if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)) {
        anyhow::Error::new(e).context(Error::new(Kind::Database, t("db.busy")))
    } else {
        e.into()
    }
}

/// A damaged database, in words, with the way out (exit 7).
pub fn damaged(path: &Path, detail: &str) -> Error {
    let hint = if pg::is_url(path) { "pg.damaged.hint" } else { "db.damaged.hint" };
    Error::new(Kind::Database, tf("db.damaged", &[("path", &path.display()), ("detail", &detail)]))
        .hint(tf(hint, &[("path", &path.display())]))
}

/// The `-wal` and `-shm` files of an existing database are never more open than the database
/// itself: files left 0644 by an older eip (they held password hashes) are narrowed to the
/// database's mode. The database's own mode is the operator's choice and is not changed
/// (docs/DECISIONS.md); `Ctx` warns when others can read it.
fn tighten_companions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Some(db_mode) = crate::files::mode_of(path) else { return };
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_file() && mode & !db_mode != 0 {
                let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode & db_mode));
            }
        }
    }
}

/// Upgrade a file at version `from` through `migrations` (`migrations[i]` takes version `i + 1`
/// to `i + 2`), all in one transaction: a failed migration leaves the file as it was. Foreign keys
/// are off while tables are rebuilt (SQLite's procedure for changing a table's constraints) and
/// checked before the commit; the version is read again inside the transaction, so two commands
/// that open an old file at once upgrade it once.
fn migrate(conn: &Conn, from: i64, migrations: &[migrations::Step], now: DateTime<Utc>) -> Result<()> {
    let Some(raw) = conn.raw() else {
        return migrate_pg(conn, from, migrations, now);
    };
    raw.pragma_update(None, "foreign_keys", "OFF")?;
    raw.pragma_update(None, "legacy_alter_table", "ON")?;
    let done = (|| -> Result<()> {
        let tx = Tx::begin(conn, &AuditActor::system(), now)?;
        let at = user_version(raw)?.max(from);
        for (i, step) in migrations.iter().enumerate().skip((at - 1) as usize) {
            match step {
                migrations::Step::Sql(sql) => tx.batch(sql)?,
                migrations::Step::Run(f) => f(&tx)?,
            }
            raw.pragma_update(None, "user_version", i as i64 + 2)?;
        }
        let dangling: i64 = tx.one("SELECT count(*) FROM pragma_foreign_key_check", params![], |r| r.get(0))?;
        if dangling > 0 {
            return Err(anyhow::anyhow!("{dangling} rows would point at missing rows after the upgrade"));
        }
        tx.commit()
    })();
    raw.pragma_update(None, "legacy_alter_table", "OFF")?;
    raw.pragma_update(None, "foreign_keys", "ON")?;
    // A busy or unusable file says so in its own words (exit 7, its own hint); anything else an
    // upgrade met is a row or rule the new schema refuses.
    done.map_err(|e| {
        if error::eip_error(&e).is_some() || errors::kind_of(&e) == Kind::Database {
            e
        } else {
            e.context(Error::new(Kind::Database, t("db.migration_failed")).hint(t("db.migration_failed.hint")))
        }
    })
}

/// `migrate` on PostgreSQL, where DDL is transactional and constraints need no rebuilt tables:
/// `migrations[i]` takes the database from `from + i` to `from + i + 1`, all in one transaction
/// that reads the version again under the write lock.
fn migrate_pg(conn: &Conn, from: i64, migrations: &[migrations::Step], now: DateTime<Utc>) -> Result<()> {
    let tx = Tx::begin(conn, &AuditActor::system(), now)?;
    let at: i64 = tx.one("SELECT version FROM schema_version", params![], |r| r.get(0))?;
    for (i, step) in migrations.iter().enumerate().skip((at - from).max(0) as usize) {
        match step {
            migrations::Step::Sql(sql) => tx.batch(sql)?,
            migrations::Step::Run(f) => f(&tx)?,
        }
        tx.exec("UPDATE schema_version SET version = ?1", params![from + i as i64 + 1])?;
    }
    tx.commit()
}

pub fn setting(conn: &Conn, key: &str) -> Result<Option<String>> {
    conn.opt("SELECT value FROM setting WHERE key = ?1", params![key], |r| r.get(0))
}

/// Insert rows in bulk: [`Conn::insert_rows`].
pub fn insert_rows(conn: &Conn, into: &str, width: usize, values: &[Value]) -> Result<()> {
    conn.insert_rows(into, width, values)
}

// ---------------------------------------------------------------- SQL written once

/// The audit chain's last sequence number (0 when empty): a plan made outside a transaction
/// notes it, and its transaction compares, to know whether anything changed in between.
pub fn audit_head(conn: &Conn) -> Result<i64> {
    conn.one("SELECT coalesce(max(seq), 0) FROM audit", params![], |r| r.get(0))
}

/// `alias.path` inside a subtree, itself included: `lo <= path < hi`, with `lo` and `hi` the
/// placeholders (`?1`, `:lo`, …) bound to [`Org::subtree`](crate::model::Org::subtree). The
/// materialised path makes "everything under X" one indexed range.
pub fn in_subtree(alias: &str, lo: &str, hi: &str) -> String {
    format!("{alias}.path >= {lo} AND {alias}.path < {hi}")
}

/// `alias.level` is an admin unit's (the Ministry included): `level IN ('ministry', …)`.
pub fn is_unit(alias: &str) -> String {
    levels_in(alias, &Level::UNITS)
}

/// `alias.level` is a unit that submits (province, prefecture or county): `level IN (…)`.
pub fn is_submitting_unit(alias: &str) -> String {
    levels_in(alias, &Level::UNITS[1..])
}

fn levels_in(alias: &str, levels: &[Level]) -> String {
    let list: Vec<String> = levels.iter().map(|l| format!("'{}'", l.as_str())).collect();
    format!("{alias}.level IN ({})", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_clauses_read_as_written_by_hand() {
        assert_eq!(in_subtree("o", "?1", "?2"), "o.path >= ?1 AND o.path < ?2");
        assert_eq!(is_unit("o"), "o.level IN ('ministry', 'province', 'prefecture', 'county')");
        assert_eq!(is_submitting_unit("p"), "p.level IN ('province', 'prefecture', 'county')");
    }

    fn version(c: &Conn) -> i64 {
        user_version(c.raw().expect("SQLite")).unwrap()
    }

    fn memory(sql: &str) -> Conn {
        let c = Conn::sqlite(Connection::open_in_memory().unwrap());
        c.batch(sql).unwrap();
        c
    }

    #[test]
    fn migrations_run_in_order_from_the_files_version() {
        let c = memory("CREATE TABLE t(a); PRAGMA user_version = 2;");
        use migrations::Step::Sql;
        let steps =
            [Sql("CREATE TABLE never(x)"), Sql("ALTER TABLE t ADD COLUMN b"), Sql("ALTER TABLE t ADD COLUMN c")];
        migrate(&c, 2, &steps, Utc::now()).unwrap();
        assert_eq!(version(&c), 4);
        c.exec("INSERT INTO t(a, b, c) VALUES (1, 2, 3)", params![]).unwrap();
        let never: i64 =
            c.one("SELECT count(*) FROM sqlite_schema WHERE name = 'never'", params![], |r| r.get(0)).unwrap();
        assert_eq!(never, 0, "steps below the file's version are not run again");
    }

    #[test]
    fn a_failed_migration_leaves_the_file_as_it_was() {
        let c = memory("CREATE TABLE t(a); PRAGMA user_version = 1;");
        use migrations::Step::Sql;
        let steps = [Sql("ALTER TABLE t ADD COLUMN b"), Sql("ALTER TABLE missing ADD COLUMN c")];
        assert!(migrate(&c, 1, &steps, Utc::now()).is_err());
        assert_eq!(version(&c), 1);
        assert!(c.exec("INSERT INTO t(a, b) VALUES (1, 2)", params![]).is_err(), "the first step was rolled back");
    }

    #[test]
    fn the_embedded_schema_is_valid_sql() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
    }
}
