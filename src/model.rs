//! The types every layer speaks in (docs/ARCHITECTURE.md): levels and orgs, roles, who is acting,
//! and the reporting month. Types and their small pure methods only: no storage, no rules that
//! need the database, so every module may use them without tying itself to another.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::i18n::t;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Reviewer,
    Inspector,
    SchoolAdmin,
    Support,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Inspector => "inspector",
            Role::SchoolAdmin => "school_admin",
            Role::Support => "support",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" | "管理员" => Role::Admin,
            "reviewer" | "审核员" => Role::Reviewer,
            "inspector" | "视察员" => Role::Inspector,
            "school_admin" | "学校管理员" => Role::SchoolAdmin,
            "support" | "技术支持" => Role::Support,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => t("role.admin"),
            Role::Reviewer => t("role.reviewer"),
            Role::Inspector => t("role.inspector"),
            Role::SchoolAdmin => t("role.school_admin"),
            Role::Support => t("role.support"),
        }
    }
    /// The letter in generated usernames: `130102-R01`.
    pub fn letter(self) -> char {
        match self {
            Role::Admin => 'A',
            Role::Reviewer => 'R',
            Role::Inspector => 'I',
            Role::SchoolAdmin => 'S',
            Role::Support => 'T',
        }
    }
    /// Whether the role may be held at an org of this level.
    pub fn fits(self, level: Level) -> bool {
        match self {
            // Art. 6, 21: each level names its technical support unit.
            Role::Admin | Role::Reviewer | Role::Inspector | Role::Support => level.is_unit(),
            Role::SchoolAdmin => level == Level::School,
        }
    }
}

/// Who is acting, and through what.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub org: Org,
    pub via: Via,
    pub expires_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

impl Actor {
    pub fn audit_actor(&self) -> AuditActor {
        AuditActor { name: self.username.clone(), unit: Some(self.org.code.clone()) }
    }
    /// The account's scope: its own org and everything below it.
    pub fn scope(&self) -> &Org {
        &self.org
    }
}

/// Who an event is recorded against: a username and its org's code, or `system`.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub name: String,
    pub unit: Option<String>,
}

impl AuditActor {
    pub fn system() -> Self {
        AuditActor { name: "system".into(), unit: None }
    }
}

/// A reporting month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((2000..=2999).contains(&year) && (1..=12).contains(&month)).then_some(Period { year, month })
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }
    pub fn prev(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }
    /// The month (in CST) that contains `now`.
    pub fn containing(now: DateTime<Utc>) -> Period {
        let local = now.with_timezone(&Shanghai);
        Period { year: local.year(), month: local.month() }
    }
    /// The first instant of the period: its 1st at 00:00 CST.
    pub fn starts(self) -> DateTime<Utc> {
        cst(self.year, self.month, 1)
    }
    /// The first instant after the period.
    pub fn ends(self) -> DateTime<Utc> {
        self.next().starts()
    }
    /// Whether the period has begun at `now` (a future period is never writable).
    pub fn has_started(self, now: DateTime<Utc>) -> bool {
        now >= self.starts()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = ();
    fn from_str(s: &str) -> Result<Period, ()> {
        let b = s.as_bytes();
        if b.len() != 7
            || b[4] != b'-'
            || !s[..4].bytes().all(|c| c.is_ascii_digit())
            || !s[5..].bytes().all(|c| c.is_ascii_digit())
        {
            return Err(());
        }
        let year: i32 = s[..4].parse().map_err(|_| ())?;
        let month: u32 = s[5..].parse().map_err(|_| ())?;
        Period::new(year, month).ok_or(())
    }
}

/// 00:00 CST of the given day, as UTC.
pub(crate) fn cst(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    let date = NaiveDate::from_ymd_opt(year, month, day).expect("calendar days used here exist in every month");
    // China has had no daylight saving time since 1991: midnight is always unambiguous.
    Shanghai
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("CST midnight is unambiguous")
        .with_timezone(&Utc)
}

/// Periods `from..=to` (`YYYY-MM..YYYY-MM`, or one `YYYY-MM`), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRange {
    pub from: Period,
    pub to: Period,
}

/// The longest range a command reads: three years of months.
pub const MAX_RANGE_MONTHS: usize = 36;

/// Why a range as typed is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// Not `YYYY-MM` or `YYYY-MM..YYYY-MM`.
    Malformed,
    /// Its end is before its start.
    Reversed,
    /// Longer than [`MAX_RANGE_MONTHS`].
    TooLong(usize),
}

impl PeriodRange {
    pub fn single(p: Period) -> PeriodRange {
        PeriodRange { from: p, to: p }
    }

    /// `YYYY-MM` or `YYYY-MM..YYYY-MM`.
    pub fn parse(s: &str) -> Result<PeriodRange, RangeError> {
        let s = s.trim();
        let (a, b) = match s.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (s, s),
        };
        let (from, to): (Period, Period) =
            (a.parse().map_err(|_| RangeError::Malformed)?, b.parse().map_err(|_| RangeError::Malformed)?);
        if to < from {
            return Err(RangeError::Reversed);
        }
        let r = PeriodRange { from, to };
        let n = r.len();
        if n > MAX_RANGE_MONTHS {
            return Err(RangeError::TooLong(n));
        }
        Ok(r)
    }

    /// How many months it holds.
    pub fn len(self) -> usize {
        ((self.to.year() - self.from.year()) * 12 + self.to.month() as i32 - self.from.month() as i32 + 1) as usize
    }

    pub fn is_empty(self) -> bool {
        false
    }

    /// Its months, in order.
    pub fn periods(self) -> Vec<Period> {
        let mut out = vec![self.from];
        while *out.last().expect("one") < self.to {
            let next = out.last().expect("one").next();
            out.push(next);
        }
        out
    }

    /// The range of the same length just before it (for "the change since the previous period").
    pub fn previous(self) -> PeriodRange {
        let mut from = self.from;
        for _ in 0..self.len() {
            from = from.prev();
        }
        PeriodRange { from, to: self.from.prev() }
    }
}

impl fmt::Display for PeriodRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}..{}", self.from, self.to)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_in_order_and_refuse_what_is_not_one() {
        let r = PeriodRange::parse("2026-01..2026-03").unwrap();
        assert_eq!(r.periods().iter().map(|p| p.to_string()).collect::<Vec<_>>(), ["2026-01", "2026-02", "2026-03"]);
        assert_eq!((r.len(), r.to_string()), (3, "2026-01..2026-03".to_string()));
        assert_eq!(PeriodRange::parse("2026-11").unwrap().periods().len(), 1);
        assert_eq!(PeriodRange::parse("2025-11..2026-02").unwrap().len(), 4, "across a year");
        assert_eq!(r.previous().to_string(), "2025-10..2025-12");
        assert_eq!(PeriodRange::parse("2026-03..2026-01"), Err(RangeError::Reversed));
        assert_eq!(PeriodRange::parse("2023-01..2026-01"), Err(RangeError::TooLong(37)));
        assert!(PeriodRange::parse("2023-02..2026-01").is_ok(), "36 months");
        for bad in ["2026-13", "2026-1..", "..2026-01", "2026-01...2026-02", "x"] {
            assert_eq!(PeriodRange::parse(bad), Err(RangeError::Malformed), "{bad}");
        }
    }

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
