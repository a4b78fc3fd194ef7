//! Storage of the organisation tree (`org`): admin units and schools in one table, each with the
//! materialised path that makes "everything under X" one indexed range (docs/ARCHITECTURE.md).

use super::{in_subtree, is_unit, params, Conn, Row};
use crate::error::Result;
use crate::model::{Level, Org};

/// The columns [`org_from_row`] reads, for `FROM org o LEFT JOIN org p ON p.id = o.parent_id`.
pub const ORG_COLUMNS: &str = "o.id, o.code, o.name, o.level, p.code, o.path, o.created_at";

/// `SELECT` of every org column, ready for a `WHERE` on `o`.
macro_rules! org_select {
    () => {
        "SELECT o.id, o.code, o.name, o.level, p.code, o.path, o.created_at FROM org o LEFT JOIN org p ON p.id = o.parent_id"
    };
}
#[allow(unused_imports)]
pub(crate) use org_select;

/// An org read from the first seven columns of a row ([`ORG_COLUMNS`]), from column `at`.
pub fn org_at(r: &Row, at: usize) -> Result<Org> {
    let level: String = r.get(at + 3)?;
    Ok(Org {
        id: r.get(at)?,
        code: r.get(at + 1)?,
        name: r.get(at + 2)?,
        level: Level::parse(&level).unwrap_or(Level::School),
        parent_code: r.get(at + 4)?,
        path: r.get(at + 5)?,
        created_at: r.get(at + 6)?,
    })
}

/// An org read from a row of [`ORG_COLUMNS`].
pub fn org_from_row(r: &Row) -> Result<Org> {
    org_at(r, 0)
}

/// The live org with this code, whatever the scope (once scope is settled).
pub fn find(conn: &Conn, code: &str) -> Result<Option<Org>> {
    conn.opt(concat!(org_select!(), " WHERE o.code = ?1 AND o.deleted_at IS NULL"), params![code], org_from_row)
}

/// The org with this id, live or deleted.
pub fn by_id(conn: &Conn, id: i64) -> Result<Org> {
    conn.one(concat!(org_select!(), " WHERE o.id = ?1"), params![id], org_from_row)
}

/// How many units and schools lie below an org (itself excluded).
pub fn count_below(conn: &Conn, org: &Org) -> Result<(i64, i64)> {
    let (lo, hi) = org.subtree();
    conn.one(
        "SELECT COALESCE(SUM(CASE WHEN level <> 'school' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN level = 'school' THEN 1 ELSE 0 END), 0)
         FROM org WHERE path > ?1 AND path < ?2 AND deleted_at IS NULL",
        params![lo, hi],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Active accounts of an org and everything below it.
pub fn active_accounts_under(conn: &Conn, org: &Org) -> Result<i64> {
    let (lo, hi) = org.subtree();
    let sql = format!(
        "SELECT count(*) FROM account a JOIN org o ON o.id = a.org_id WHERE {} AND a.status = 'active'",
        in_subtree("o", "?1", "?2")
    );
    conn.one(&sql, params![lo, hi], |r| r.get(0))
}

/// Every admin unit of a subtree (its root included), parents before children.
pub fn units_under(conn: &Conn, root: &Org) -> Result<Vec<Org>> {
    let (lo, hi) = root.subtree();
    let sql =
        format!(concat!(org_select!(), " WHERE {} AND {} ORDER BY o.path"), in_subtree("o", "?1", "?2"), is_unit("o"));
    conn.all(&sql, params![lo, hi], org_from_row)
}

/// The units of one level inside a subtree, in tree order.
pub fn units_at_level(conn: &Conn, root: &Org, level: Level) -> Result<Vec<Org>> {
    let (lo, hi) = root.subtree();
    let sql =
        format!(concat!(org_select!(), " WHERE {} AND o.level = ?3 ORDER BY o.path"), in_subtree("o", "?1", "?2"));
    conn.all(&sql, params![lo, hi, level.as_str()], org_from_row)
}

/// Every unit that submits (province, prefecture, county), nationwide, in tree order.
pub fn submitting_units(conn: &Conn) -> Result<Vec<Org>> {
    let sql = format!(concat!(org_select!(), " WHERE {} ORDER BY o.path"), super::is_submitting_unit("o"));
    conn.all(&sql, params![], org_from_row)
}

/// The live direct children of an org: sub-units first, then schools, each in code order.
pub fn children(conn: &Conn, unit: &Org) -> Result<Vec<Org>> {
    conn.all(
        concat!(org_select!(), " WHERE o.parent_id = ?1 AND o.deleted_at IS NULL ORDER BY o.level = 'school', o.code"),
        params![unit.id],
        org_from_row,
    )
}

/// The direct child units created before `before` (a stored time), in code order.
pub fn child_units_before(conn: &Conn, unit: &Org, before: &str) -> Result<Vec<Org>> {
    conn.all(
        concat!(org_select!(), " WHERE o.parent_id = ?1 AND o.level <> 'school' AND o.created_at < ?2 ORDER BY o.code"),
        params![unit.id, before],
        org_from_row,
    )
}

/// Add an admin unit; its new id.
pub fn insert_unit(
    conn: &Conn,
    code: &str,
    name: &str,
    level: Level,
    parent_id: i64,
    path: &str,
    now: &str,
) -> Result<i64> {
    conn.insert(
        "INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![code, name, level.as_str(), parent_id, path, now],
    )
}

/// The Ministry, the tree's root: the first org of a new database.
pub fn insert_ministry(conn: &Conn, code: &str, name: &str, path: &str, now: &str) -> Result<()> {
    conn.exec(
        "INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, ?2, 'ministry', NULL, ?3, ?4)",
        params![code, name, path, now],
    )?;
    Ok(())
}

/// Give an org a new name.
pub fn rename(conn: &Conn, id: i64, name: &str) -> Result<()> {
    conn.exec("UPDATE org SET name = ?1 WHERE id = ?2", params![name, id])?;
    Ok(())
}

/// The highest org id in use (0 when none): bulk inserts number their rows from here.
pub fn max_id(conn: &Conn) -> Result<i64> {
    conn.one("SELECT coalesce(max(id), 0) FROM org", params![], |r| r.get(0))
}

/// How many units submit (province, prefecture, county): the level index alone answers it.
pub fn submitting_unit_count(conn: &Conn) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM org o WHERE {}", super::is_submitting_unit("o"));
    conn.one(&sql, params![], |r| r.get(0))
}

/// When the first unit that submits was created (it reads every such unit's row).
pub fn first_unit_created(conn: &Conn) -> Result<Option<String>> {
    let sql = format!("SELECT min(created_at) FROM org o WHERE {}", super::is_submitting_unit("o"));
    conn.one(&sql, params![], |r| r.get(0))
}
