//! The questions `eip doctor` asks of the stored data: the engine's own checks of the file, and
//! counts of rows that break a rule the schema alone cannot hold.

use super::{params, Conn, Dialect};

/// PostgreSQL: the server keeps its own pages (checksums, WAL); what eip can ask is whether every
/// table of the schema is there and readable.
fn server_check(conn: &Conn) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for table in ["setting", "org", "school", "account", "value", "submission", "snapshot", "audit", "write_lock"] {
        let present: bool = conn.one("SELECT to_regclass(?1) IS NOT NULL", params![table], |r| r.get(0))?;
        if !present {
            found.push(format!("table {table} is missing"));
        }
    }
    if found.is_empty() {
        found.push("ok".into());
    }
    Ok(found)
}
use crate::error::Result;

/// The engine's full check of the file (SQLite: `PRAGMA integrity_check`, every index compared),
/// its first few findings: `["ok"]` for a sound file.
pub fn integrity(conn: &Conn) -> Result<Vec<String>> {
    if conn.dialect() == Dialect::Postgres {
        return server_check(conn);
    }
    // SQLite: the engine's own check.
    conn.all("PRAGMA integrity_check(5)", params![], |r| r.get(0))
}

/// The engine's quicker check (SQLite: `PRAGMA quick_check`, no index comparison).
pub fn quick_check(conn: &Conn) -> Result<Vec<String>> {
    if conn.dialect() == Dialect::Postgres {
        return server_check(conn);
    }
    // SQLite: the engine's own check.
    conn.all("PRAGMA quick_check(5)", params![], |r| r.get(0))
}

/// Rows whose foreign key points at a missing row.
pub fn dangling_references(conn: &Conn) -> Result<i64> {
    if conn.dialect() == Dialect::Postgres {
        // PostgreSQL checks every foreign key on every write, whoever writes.
        return Ok(0);
    }
    // SQLite: foreign keys are checked per connection; this lists what an older writer left.
    let mut n = 0;
    conn.each("PRAGMA foreign_key_check", params![], |_| {
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

fn count(conn: &Conn, sql: &str) -> Result<i64> {
    conn.one(sql, params![], |r| r.get(0))
}

/// Units with more than one active reviewer or inspector.
pub fn units_with_two_reviewers_or_inspectors(conn: &Conn) -> Result<i64> {
    count(
        conn,
        "SELECT count(*) FROM (SELECT org_id, role FROM account WHERE status = 'active'
           AND role IN ('reviewer', 'inspector') GROUP BY org_id, role HAVING count(*) > 1) t",
    )
}

/// Mobiles held by more than one active account.
pub fn shared_mobiles(conn: &Conn) -> Result<i64> {
    count(
        conn,
        "SELECT count(*) FROM (SELECT mobile FROM account WHERE status = 'active' GROUP BY mobile HAVING count(*) > 1) t",
    )
}

/// Orgs whose path or level does not follow their parent's.
pub fn misplaced_orgs(conn: &Conn) -> Result<i64> {
    count(
        conn,
        "SELECT count(*) FROM org o JOIN org p ON p.id = o.parent_id WHERE o.path <> p.path || o.code || '/'
           OR (o.level <> 'school' AND CASE p.level WHEN 'ministry' THEN 0 WHEN 'province' THEN 1 WHEN 'prefecture' THEN 2 ELSE 3 END
              >= CASE o.level WHEN 'province' THEN 1 WHEN 'prefecture' THEN 2 ELSE 3 END)",
    )
}

/// Values set (not carried) after the unit responsible for them submitted their period.
pub fn values_after_submission(conn: &Conn) -> Result<i64> {
    count(
        conn,
        "SELECT count(*) FROM value v JOIN org o ON o.id = v.org_id
         JOIN submission s ON s.org_id = (CASE WHEN o.level = 'school' THEN o.parent_id ELSE o.id END) AND s.period = v.period
         WHERE s.state IN ('submitted', 'auto_submitted') AND v.set_at > s.submitted_at AND v.carried = 0",
    )
}

/// Every snapshot's figures and children (both JSON), streamed.
pub fn each_snapshot(conn: &Conn, mut f: impl FnMut(&str, &str)) -> Result<()> {
    conn.each("SELECT figures, children FROM snapshot", params![], |r| {
        f(&r.get::<String>(0)?, &r.get::<String>(1)?);
        Ok(())
    })
}
