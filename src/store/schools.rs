//! Storage of schools and teaching points: the `school` table and the school rows of `org`
//!. A school is an org (its code, name, place in the tree) and a `school` row (kind,
//! basic info, status); every lookup reads both.

use super::orgs::org_at;
use super::{in_subtree, params, Conn, Row, Tx, Value};
use crate::error::Result;
use crate::model::{Org, Period};

/// A school as stored.
#[derive(Debug, Clone)]
pub struct School {
    pub org: Org,
    pub kind: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub address: Option<String>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
    pub status: String,
    pub status_changed_at: Option<String>,
    pub merged_into: Option<String>,
    pub info_filled_at: Option<String>,
    pub deleted_at: Option<String>,
    pub unit_name: String,
}

/// The query every school lookup starts from, ready for a `WHERE` on `o` (org) and `s` (school):
/// a macro so that lookups run per row of an import add their `WHERE` at compile time instead of
/// formatting it each time.
macro_rules! school_select {
    () => {
        "SELECT o.id, o.code, o.name, o.level, p.code, o.path, o.created_at,
        s.kind, s.category, s.location, s.address, s.students, s.teachers, s.classes, s.status,
        s.status_changed_at, m.code, s.info_filled_at, o.deleted_at, p.name
    FROM org o JOIN school s ON s.org_id = o.id JOIN org p ON p.id = o.parent_id LEFT JOIN org m ON m.id = s.merged_into"
    };
}
#[allow(unused_imports)]
pub(crate) use school_select;

/// [`school_select!`] as a constant.
pub const SCHOOL_SELECT: &str = school_select!();

/// A school read from a row of [`SCHOOL_SELECT`].
pub fn school_from_row(r: &Row) -> Result<School> {
    Ok(School {
        org: org_at(r, 0)?,
        kind: r.get(7)?,
        category: r.get(8)?,
        location: r.get(9)?,
        address: r.get(10)?,
        students: r.get(11)?,
        teachers: r.get(12)?,
        classes: r.get(13)?,
        status: r.get(14)?,
        status_changed_at: r.get(15)?,
        merged_into: r.get(16)?,
        info_filled_at: r.get(17)?,
        deleted_at: r.get(18)?,
        unit_name: r.get(19)?,
    })
}

// ---------------------------------------------------------------- the school-life clause

/// Whether a school is expected to report a period (the rule `schools::is_expected` states in
/// Rust), as SQL over `o` (org) and `s` (school), with `start` and `end` the placeholders bound to
/// the period's bounds as stored times: `expected_clause("?4", "?5")`. For set-based queries over
/// a subtree; `schools::tests` checks that the two agree.
pub fn expected_clause(start: &str, end: &str) -> String {
    format!(
        "o.deleted_at IS NULL AND o.created_at < {end}
    AND (s.status NOT IN ('merged', 'revoked') OR s.status_changed_at >= {start})"
    )
}

// ---------------------------------------------------------------- lookups

/// A school's kind (school, teaching_point), if the org is a school.
pub fn kind(conn: &Conn, org_id: i64) -> Result<Option<String>> {
    conn.opt("SELECT kind FROM school WHERE org_id = ?1", params![org_id], |r| r.get(0))
}

/// A school's basic info, as the plausibility rules read it: (students, teachers, classes).
pub fn basic_info(conn: &Conn, org_id: i64) -> Result<(Option<i64>, Option<i64>, Option<i64>)> {
    Ok(conn
        .opt("SELECT students, teachers, classes FROM school WHERE org_id = ?1", params![org_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .unwrap_or((None, None, None)))
}

/// A school's life, as the expected-reporter rule reads it: (status, status_changed_at,
/// deleted_at).
pub fn life(conn: &Conn, org_id: i64) -> Result<(String, Option<String>, Option<String>)> {
    conn.one(
        "SELECT s.status, s.status_changed_at, o.deleted_at FROM school s JOIN org o ON o.id = s.org_id WHERE s.org_id = ?1",
        params![org_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Note the first time a school filled in its own information (Art. 11).
pub fn mark_info_filled(tx: &Tx, org_id: i64) -> Result<()> {
    tx.exec(
        "UPDATE school SET info_filled_at = COALESCE(info_filled_at, ?1) WHERE org_id = ?2",
        params![tx.now_stored(), org_id],
    )?;
    Ok(())
}

/// The live school with this code, wherever it is.
pub fn live_by_code(conn: &Conn, code: &str) -> Result<Option<School>> {
    conn.opt(concat!(school_select!(), " WHERE o.code = ?1 AND o.deleted_at IS NULL"), params![code], school_from_row)
}

/// The school with this id, if it is still there (not deleted).
pub fn live_by_id(conn: &Conn, id: i64) -> Result<Option<School>> {
    conn.opt(concat!(school_select!(), " WHERE o.id = ?1 AND o.deleted_at IS NULL"), params![id], school_from_row)
}

/// The most recently deleted school with this code.
pub fn last_deleted_by_code(conn: &Conn, code: &str) -> Result<Option<School>> {
    conn.opt(
        concat!(school_select!(), " WHERE o.code = ?1 AND o.deleted_at IS NOT NULL ORDER BY o.deleted_at DESC LIMIT 1"),
        params![code],
        school_from_row,
    )
}

/// When the org with this id was deleted (`None` while it is live).
pub fn deleted_at(conn: &Conn, id: i64) -> Result<Option<String>> {
    Ok(conn.opt("SELECT deleted_at FROM org WHERE id = ?1", params![id], |r| r.get::<Option<String>>(0))?.flatten())
}

/// Whether any monthly value was ever stored for the school.
pub fn has_values(conn: &Conn, org_id: i64) -> Result<bool> {
    conn.one("SELECT EXISTS (SELECT 1 FROM value WHERE org_id = ?1)", params![org_id], |r| r.get(0))
}

/// Which schools a listing shows, besides lying under its root.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Deleted schools instead of live ones.
    pub deleted: bool,
    pub status: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// Only names containing this.
    pub search: Option<&'a str>,
}

/// The schools under `root` that `filter` lets through, in tree order.
pub fn under(conn: &Conn, root: &Org, filter: &Filter) -> Result<Vec<School>> {
    let (lo, hi) = root.subtree();
    // SQLite: instr (PostgreSQL's strpos).
    let sql = format!(
        "{SCHOOL_SELECT} WHERE {} AND o.level = 'school'
           AND (o.deleted_at IS NOT NULL) = ?3
           AND (?4 IS NULL OR s.status = ?4) AND (?5 IS NULL OR s.kind = ?5)
           AND (?6 IS NULL OR instr(o.name, ?6) > 0)
         ORDER BY o.path",
        in_subtree("o", "?1", "?2")
    );
    conn.all(&sql, params![lo, hi, filter.deleted, filter.status, filter.kind, filter.search], school_from_row)
}

/// Every live school under `root`, streamed through `f` in tree order (an export of a whole
/// province does not hold its schools in memory).
pub fn each_live_under(conn: &Conn, root: &Org, mut f: impl FnMut(School) -> Result<()>) -> Result<()> {
    let (lo, hi) = root.subtree();
    let sql = format!(
        "{SCHOOL_SELECT} WHERE {} AND o.level = 'school' AND o.deleted_at IS NULL ORDER BY o.path",
        in_subtree("o", "?1", "?2")
    );
    conn.each(&sql, params![lo, hi], |r| f(school_from_row(r)?))
}

// ---------------------------------------------------------------- writes

/// A school's own columns (its `school` row), as written.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub kind: &'a str,
    pub category: Option<&'a str>,
    pub location: Option<&'a str>,
    pub address: Option<&'a str>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
}

/// A new school: its `org` row (numbered by the caller) and its `school` row.
#[derive(Debug)]
pub struct NewSchool<'a> {
    pub id: i64,
    pub code: &'a str,
    pub name: String,
    pub unit_id: i64,
    pub path: String,
    pub fields: Fields<'a>,
}

/// Add schools in bulk, created now (the transaction's time): their `org` rows, then their `school` rows, a hundred
/// rows per statement ([`Conn::insert_rows`]).
pub fn insert_many(tx: &Tx, new: Vec<NewSchool>) -> Result<()> {
    let now = tx.now_stored();
    let mut orgs = Vec::with_capacity(new.len() * 7);
    let mut schools = Vec::with_capacity(new.len() * 8);
    for s in new {
        orgs.extend([
            Value::Int(s.id),
            Value::from(s.code),
            Value::Text(s.name),
            Value::from("school"),
            Value::Int(s.unit_id),
            Value::Text(s.path),
            Value::Text(now.clone()),
        ]);
        let f = s.fields;
        schools.extend([
            Value::Int(s.id),
            Value::from(f.kind),
            Value::from(f.category),
            Value::from(f.location),
            Value::from(f.address),
            Value::from(f.students),
            Value::from(f.teachers),
            Value::from(f.classes),
        ]);
    }
    tx.insert_rows("org(id, code, name, level, parent_id, path, created_at)", 7, &orgs)?;
    tx.insert_rows("school(org_id, kind, category, location, address, students, teachers, classes)", 8, &schools)
}

/// Write a school's basic info; with `first_fill`, also note that it was first filled in now (the
/// first save by the school's own account, Art. 12), unless it was already.
pub fn update_info(tx: &Tx, org_id: i64, f: &Fields, first_fill: bool) -> Result<()> {
    tx.exec(
        "UPDATE school SET kind = ?1, category = ?2, location = ?3, address = ?4, students = ?5, teachers = ?6,
                classes = ?7, info_filled_at = CASE WHEN ?8 THEN COALESCE(info_filled_at, ?9) ELSE info_filled_at END
         WHERE org_id = ?10",
        params![
            f.kind,
            f.category,
            f.location,
            f.address,
            f.students,
            f.teachers,
            f.classes,
            first_fill,
            tx.now_stored(),
            org_id
        ],
    )?;
    Ok(())
}

/// Give a school a new status; `merged_into` when merged; `status_changed_at` set to now when
/// `final_change` (a merge or a revocation, which end what the school is expected to report).
pub fn set_status(tx: &Tx, org_id: i64, status: &str, merged_into: Option<i64>, final_change: bool) -> Result<()> {
    tx.exec(
        "UPDATE school SET status = ?1, merged_into = COALESCE(?2, merged_into),
                status_changed_at = CASE WHEN ?3 THEN ?4 ELSE status_changed_at END WHERE org_id = ?5",
        params![status, merged_into, final_change, tx.now_stored(), org_id],
    )?;
    Ok(())
}

/// Soft-delete a school's org row, now.
pub fn mark_deleted(tx: &Tx, org_id: i64) -> Result<()> {
    tx.exec("UPDATE org SET deleted_at = ?1 WHERE id = ?2", params![tx.now_stored(), org_id])?;
    Ok(())
}

/// Put a school under another unit, at its new path (a school has no subtree to move along).
pub fn move_to(tx: &Tx, org_id: i64, unit_id: i64, path: &str) -> Result<()> {
    tx.exec("UPDATE org SET parent_id = ?1, path = ?2 WHERE id = ?3", params![unit_id, path, org_id])?;
    Ok(())
}

// ---------------------------------------------------------------- whose a school's period is

/// A school whose figures for a period belong to a unit other than its supervising unit now: it
/// moved after that unit's submission held the period (Art. 13; `school_owner`).
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub school_id: i64,
    /// The unit whose figures the school's period is part of, and its path.
    pub unit_id: i64,
    pub unit_path: String,
}

/// Every school whose `period` belongs to another unit than its supervising unit now (a handful
/// at most: the table holds one row per move).
pub fn held_elsewhere(conn: &Conn, period: Period) -> Result<Vec<Held>> {
    conn.all(
        "SELECT so.org_id, so.unit_id, u.path FROM school_owner so
         JOIN org u ON u.id = so.unit_id JOIN org o ON o.id = so.org_id
         WHERE so.until_period > ?1
           AND so.until_period = (SELECT min(s2.until_period) FROM school_owner s2
                                  WHERE s2.org_id = so.org_id AND s2.until_period > ?1)
           AND so.unit_id <> o.parent_id",
        params![period.to_string()],
        |r| Ok(Held { school_id: r.get(0)?, unit_id: r.get(1)?, unit_path: r.get(2)? }),
    )
}

/// The unit a school's `period` belongs to when that is not its supervising unit now.
pub fn held_by(conn: &Conn, school_id: i64, period: Period) -> Result<Option<i64>> {
    conn.opt(
        "SELECT so.unit_id FROM school_owner so JOIN org o ON o.id = so.org_id
         WHERE so.org_id = ?1 AND so.until_period > ?2 AND so.unit_id <> o.parent_id
         ORDER BY so.until_period LIMIT 1",
        params![school_id, period.to_string()],
        |r| r.get(0),
    )
}

/// Record that a school's periods before `until` stay with `unit_id`, the unit it is leaving.
pub fn hold(tx: &Tx, school_id: i64, until: Period, unit_id: i64) -> Result<()> {
    tx.exec(
        "INSERT INTO school_owner(org_id, until_period, unit_id, moved_at) VALUES (?1, ?2, ?3, ?4)",
        params![school_id, until.to_string(), unit_id, tx.now_stored()],
    )?;
    Ok(())
}
