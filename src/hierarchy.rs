//! The organisation hierarchy (SPEC §1): levels, codes, the materialised path that makes
//! "everything under X" one indexed range query, and lookups within a scope.

use crate::store::Conn;

use crate::error::{self, Result};
use crate::i18n::tf;

// Moved to the model; kept here until every caller imports it from there.
pub use crate::model::{is_unit_code, subtree_range, Level, Org, MINISTRY_CODE};

pub use crate::store::orgs::{by_id as find_by_id, count_below, find, ORG_COLUMNS};

/// An org from a driver row of [`ORG_COLUMNS`]: for the statements not yet moved into the store
/// (docs/ARCHITECTURE.md, "The store"); [`crate::store::orgs::org_from_row`] is the store's own.
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

/// The admin unit with this code inside `scope` (see [`crate::scope::unit`]).
pub fn unit_in_scope(conn: &Conn, scope: &Org, code: &str) -> Result<Org> {
    match find(conn, code)? {
        Some(o) if o.level.is_unit() && scope.contains_path(&o.path) => Ok(o),
        _ => Err(error::not_found(tf("unit.none", &[("code", &code)])).into()),
    }
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
