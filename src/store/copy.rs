//! `eip db copy`: every table of one database into a new one, on either backend, in one
//! transaction on the target (docs/DEPLOYMENT.md, "Moving a database").

use std::path::Path;

use super::{params, Conn, Db, Dialect, Journal, Tx, Value};
use crate::error::Result;
use crate::model::AuditActor;

/// Every table, in the schema's order (the target's foreign keys are checked at the commit, so
/// rows that point at each other — an account and the request that made it — copy in any order).
pub const TABLES: &[&str] = &[
    "setting",
    "org",
    "school",
    "request",
    "request_step",
    "account",
    "session",
    "api_token",
    "indicator",
    "rule",
    "flag",
    "value",
    "urge",
    "school_owner",
    "period_return",
    "org_period",
    "submission",
    "snapshot",
    "report_text",
    "audit",
];

// On PostgreSQL the ids' sequences follow the copied ids by themselves: schema.pg.sql's
// `*_id_follows` triggers, which also serve the bulk school import's own ids.

/// Rows read and written per statement batch.
const BATCH: usize = 5_000;

/// What a copy moved: rows per table.
pub struct Copied {
    pub tables: Vec<(&'static str, i64)>,
    pub target: String,
}

/// A table's columns, in order, as the source database has them.
fn columns(conn: &Conn, table: &str) -> Result<Vec<String>> {
    match conn.dialect() {
        Dialect::Sqlite => {
            conn.all("SELECT name FROM pragma_table_info(?1) ORDER BY cid", params![table], |r| r.get(0))
        }
        Dialect::Postgres => conn.all(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            params![table],
            |r| r.get(0),
        ),
    }
}

/// The primary key's columns, to read a table in a stable order.
fn order_of(table: &str) -> &'static str {
    match table {
        "setting" => "key",
        "school" => "org_id",
        "request_step" => "request_id, seq",
        "session" => "token_hash",
        "indicator" | "rule" => "code",
        "flag" => "org_id, period, rule",
        "value" => "org_id, period, indicator",
        "school_owner" => "org_id, until_period",
        "org_period" | "submission" => "org_id, period",
        "audit" => "seq",
        _ => "id",
    }
}

/// Copy the database `from` into a new database `to` (a file or PostgreSQL): refused when `to`
/// already holds tables (exit 5). The source is read from one snapshot; the target is written in
/// one transaction, so a copy is whole or not there.
pub fn copy(from: &Db, to: &Path, journal: Option<Journal>, mut progress: impl FnMut(&str, i64)) -> Result<Copied> {
    let src = &from.conn;
    let _snapshot = src.snapshot()?;
    // A file this copy creates is removed again if the copy fails: no empty database is left.
    let new_file = !super::pg::is_url(to) && !to.exists();
    let made = Db::create_with(to, journal, from.now, &AuditActor::system(), |w| {
        defer_foreign_keys(w)?;
        let mut tables = Vec::new();
        for &table in TABLES {
            let cols = columns(src, table)?;
            let n = copy_table(src, w, table, &cols, &mut progress)?;
            tables.push((table, n));
        }
        Ok(tables)
    });
    match made {
        Ok((_conn, shown, tables)) => Ok(Copied { tables, target: shown.display().to_string() }),
        Err(e) => {
            if new_file {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = to.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Err(e)
        }
    }
}

/// Foreign keys checked when the copy commits, not row by row.
fn defer_foreign_keys(w: &Tx) -> Result<()> {
    match w.dialect() {
        Dialect::Sqlite => w.batch("PRAGMA defer_foreign_keys = ON"),
        Dialect::Postgres => w.batch("SET CONSTRAINTS ALL DEFERRED"),
    }
}

fn copy_table(src: &Conn, w: &Tx, table: &str, cols: &[String], progress: &mut impl FnMut(&str, i64)) -> Result<i64> {
    let list = cols.join(", ");
    let into = format!("{table}({list})");
    let select = format!("SELECT {list} FROM {table} ORDER BY {}", order_of(table));
    let width = cols.len();
    let mut rows: Vec<Value> = Vec::with_capacity(BATCH * width);
    let mut n = 0i64;
    let push = |r: &super::Row, rows: &mut Vec<Value>| -> Result<()> {
        for i in 0..width {
            rows.push(r.get::<Value>(i)?);
        }
        Ok(())
    };
    match src.dialect() {
        Dialect::Sqlite => {
            let mut failed = None;
            src.scan(&select, params![], |r| {
                push(r, &mut rows)?;
                n += 1;
                if rows.len() >= BATCH * width {
                    if let Err(e) = w.insert_rows(&into, width, &rows) {
                        failed = Some(e);
                        return Ok(false);
                    }
                    rows.clear();
                    progress(table, n);
                }
                Ok(true)
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Dialect::Postgres => {
            // PostgreSQL: a cursor in the snapshot's transaction, read a batch at a time, so that
            // a national table is never held whole in memory.
            // One cursor name per table: a prepared FETCH knows its cursor's columns.
            let cursor = format!("eip_copy_{table}");
            src.batch(&format!("DECLARE {cursor} NO SCROLL CURSOR FOR {select}"))?;
            loop {
                let mut got = 0;
                src.each(&format!("FETCH {BATCH} FROM {cursor}"), params![], |r| {
                    got += 1;
                    push(r, &mut rows)
                })?;
                if got == 0 {
                    break;
                }
                n += got;
                w.insert_rows(&into, width, &rows)?;
                rows.clear();
                progress(table, n);
            }
            src.batch(&format!("CLOSE {cursor}"))?;
        }
    }
    if !rows.is_empty() {
        w.insert_rows(&into, width, &rows)?;
        progress(table, n);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_of_the_schema_is_copied_and_nothing_else() {
        let c = Conn::in_memory();
        let tables: Vec<String> = c
            .all("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, TABLES.iter().map(|t| t.to_string()).collect::<Vec<_>>());
    }
}
