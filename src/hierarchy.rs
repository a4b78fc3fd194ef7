//! The organisation hierarchy (SPEC §1): levels, codes, the materialised path that makes
//! "everything under X" one indexed range query, and lookups within a scope.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{self, Result};
use crate::i18n::{t, tf};

pub const MINISTRY_CODE: &str = "000000";

/// An org's level. Admin units are ranked ministry > province > prefecture > county; schools hang
/// under any admin unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Ministry,
    Province,
    Prefecture,
    County,
    School,
}

impl Level {
    pub const UNITS: [Level; 4] = [Level::Ministry, Level::Province, Level::Prefecture, Level::County];

    /// Stable machine name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ministry => "ministry",
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::School => "school",
        }
    }

    /// The level's word for a person.
    pub fn label(self) -> &'static str {
        match self {
            Level::Ministry => t("level.ministry"),
            Level::Province => t("level.province"),
            Level::Prefecture => t("level.prefecture"),
            Level::County => t("level.county"),
            Level::School => t("level.school"),
        }
    }

    /// Chinese form name used in CSV files (级别).
    pub fn zh(self) -> &'static str {
        match self {
            Level::Ministry => "部级",
            Level::Province => "省级",
            Level::Prefecture => "地市级",
            Level::County => "区县级",
            Level::School => "学校",
        }
    }

    /// A level as stored, or as written in a form: English or Chinese.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim() {
            "ministry" | "部级" | "教育部" => Level::Ministry,
            "province" | "省级" | "省" => Level::Province,
            "prefecture" | "地市级" | "地市" | "市级" => Level::Prefecture,
            "county" | "区县级" | "区县" | "县级" => Level::County,
            "school" | "学校" => Level::School,
            _ => return None,
        })
    }

    /// Whether `self` is strictly higher than `other` (ministry is highest).
    pub fn is_above(self, other: Level) -> bool {
        self < other
    }

    /// The level a new unit takes by default under a parent of this level.
    pub fn below(self) -> Option<Level> {
        match self {
            Level::Ministry => Some(Level::Province),
            Level::Province => Some(Level::Prefecture),
            Level::Prefecture => Some(Level::County),
            Level::County | Level::School => None,
        }
    }

    pub fn is_unit(self) -> bool {
        self != Level::School
    }
}

/// A unit code is six digits (GB/T 2260); `000000` is the Ministry's alone.
pub fn is_unit_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// An org as stored: an admin unit or a school.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub path: String,
    pub created_at: String,
}

impl Org {
    /// The path of a child of this org with the given code.
    pub fn child_path(&self, code: &str) -> String {
        format!("{}{}/", self.path, code)
    }

    /// The bounds of this org's subtree (itself included) as a half-open text range over `path`.
    pub fn subtree(&self) -> (String, String) {
        subtree_range(&self.path)
    }

    /// Whether `path` lies in this org's subtree (itself included).
    pub fn contains_path(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }

    /// The province code this org lies in, if any (the second element of its path).
    pub fn province_code(&self) -> Option<&str> {
        self.path.split('/').nth(2).filter(|s| !s.is_empty())
    }
}

/// `[path, upper)`: every path that starts with `path`. Paths are digits and `/`, and `0` is the
/// character right after `/`, so the range ends at the path with its final `/` turned into `0`.
pub fn subtree_range(path: &str) -> (String, String) {
    debug_assert!(path.ends_with('/'));
    let mut upper = path[..path.len() - 1].to_string();
    upper.push('0');
    (path.to_string(), upper)
}

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
pub fn find(conn: &Connection, code: &str) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM org o LEFT JOIN org p ON p.id = o.parent_id WHERE o.code = ?1 AND o.deleted_at IS NULL"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![code], org_from_row).optional()?)
}

pub fn find_by_id(conn: &Connection, id: i64) -> Result<Org> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM org o LEFT JOIN org p ON p.id = o.parent_id WHERE o.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row(params![id], org_from_row)?)
}

/// The admin unit with this code inside `scope`, or the SPEC §1 answer for a code that does not
/// exist — the same whether it is missing or outside the scope, so existence does not leak.
pub fn unit_in_scope(conn: &Connection, scope: &Org, code: &str) -> Result<Org> {
    match find(conn, code)? {
        Some(o) if o.level.is_unit() && scope.contains_path(&o.path) => Ok(o),
        _ => Err(error::not_found(tf("unit.none", &[("code", &code)])).into()),
    }
}

/// How many units and schools lie below an org (excluding itself).
pub fn count_below(conn: &Connection, org: &Org) -> Result<(i64, i64)> {
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
