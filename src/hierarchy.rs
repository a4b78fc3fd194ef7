//! The organisation hierarchy (SPEC §1): levels, codes, the materialised path that makes
//! "everything under X" one indexed range query, and lookups within a scope.

use crate::store::Conn;
use rusqlite::{params, OptionalExtension};

use crate::error::{self, Result};
use crate::i18n::tf;

// Moved to the model; kept here until every caller imports it from there.
pub use crate::model::{is_unit_code, subtree_range, Level, Org, MINISTRY_CODE};

pub const ORG_COLUMNS: &str = "o.id, o.code, o.name, o.level, p.code, o.path, o.created_at";

pub fn org_from_row(row: &rusqlite::Row) -> rusqlite::Result<Org> {
    let level: String = row.get(3)?;
    Ok(Org {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        level: Level::parse(&level).unwrap_or(Level::School),
        parent_code: row.get(4)?,
        path: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// The org with this code, whatever the scope (for internal use once scope is settled).
pub fn find(conn: &Conn, code: &str) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM org o LEFT JOIN org p ON p.id = o.parent_id WHERE o.code = ?1 AND o.deleted_at IS NULL"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![code], org_from_row).optional()?)
}

pub fn find_by_id(conn: &Conn, id: i64) -> Result<Org> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM org o LEFT JOIN org p ON p.id = o.parent_id WHERE o.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row(params![id], org_from_row)?)
}

/// The admin unit with this code inside `scope`, or the SPEC §1 answer for a code that does not
/// exist — the same whether it is missing or outside the scope, so existence does not leak.
pub fn unit_in_scope(conn: &Conn, scope: &Org, code: &str) -> Result<Org> {
    match find(conn, code)? {
        Some(o) if o.level.is_unit() && scope.contains_path(&o.path) => Ok(o),
        _ => Err(error::not_found(tf("unit.none", &[("code", &code)])).into()),
    }
}

/// How many units and schools lie below an org (excluding itself).
pub fn count_below(conn: &Conn, org: &Org) -> Result<(i64, i64)> {
    let (lo, hi) = org.subtree();
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(SUM(level <> 'school'), 0), COALESCE(SUM(level = 'school'), 0)
         FROM org WHERE path > ?1 AND path < ?2 AND deleted_at IS NULL",
    )?;
    Ok(stmt.query_row(params![lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_covers_descendants_only() {
        let (lo, hi) = subtree_range("/000000/130000/");
        for inside in ["/000000/130000/", "/000000/130000/130100/", "/000000/130000/130100/2113010001/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/000000/", "/000000/120000/", "/000000/140000/", "/000000/1300001/", "/000000/130001/"] {
            assert!(!(outside >= lo.as_str() && outside < hi.as_str()), "{outside}");
        }
    }

    #[test]
    fn levels_rank_and_parse() {
        assert!(Level::Ministry.is_above(Level::Province));
        assert!(Level::Province.is_above(Level::County));
        assert!(!Level::County.is_above(Level::County));
        assert!(!Level::County.is_above(Level::Prefecture));
        assert_eq!(Level::parse("区县级"), Some(Level::County));
        assert_eq!(Level::parse("省级"), Some(Level::Province));
        assert_eq!(Level::parse("地市级"), Some(Level::Prefecture));
        assert_eq!(Level::parse("town"), None);
        assert_eq!(Level::Prefecture.below(), Some(Level::County));
        assert_eq!(Level::County.below(), None);
    }

    #[test]
    fn unit_codes_are_six_digits() {
        assert!(is_unit_code("130102"));
        for bad in ["13010", "1301020", "13010a", "", "１３０１０２"] {
            assert!(!is_unit_code(bad), "{bad}");
        }
    }
}
