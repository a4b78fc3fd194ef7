//! Periods, reporting windows and deadlines (Art. 17), in China Standard Time whatever
//! the machine's zone. Pure functions of their inputs: the time is always a parameter.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

pub use crate::model::Period;
use crate::model::{cst, Level};

/// When a level reports a period: `opens <= t < closes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl Window {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.opens <= t && t < self.closes
    }
}

/// The days (of the month after the period) that open and close each level's window (Art. 17):
/// counties the 1st–5th, prefectures the 5th–10th, provinces the 10th–15th, each to 24:00.
fn window_days(level: Level) -> Option<(u32, u32)> {
    match level {
        Level::County => Some((1, 5)),
        Level::Prefecture => Some((5, 10)),
        Level::Province => Some((10, 15)),
        Level::Ministry | Level::School => None,
    }
}

/// The window in which a unit of `level` submits `period`; `None` for the Ministry and schools,
/// which do not submit.
pub fn window_for(level: Level, period: Period) -> Option<Window> {
    let (first, last) = window_days(level)?;
    let m = period.next();
    Some(Window { opens: cst(m.year(), m.month(), first), closes: cst(m.year(), m.month(), last + 1) })
}

/// The deadline (end of the window) for `level` and `period`.
pub fn deadline_for(level: Level, period: Period) -> Option<DateTime<Utc>> {
    window_for(level, period).map(|w| w.closes)
}

/// The period being reported at `now`: the month before the current one.
pub fn reporting_period(now: DateTime<Utc>) -> Period {
    Period::containing(now).prev()
}

/// An instant shown to a person in CST, `2026-12-03 14:02`; a midnight that closes a day may be
/// shown as `24:00` of the day before (`closing = true`), as Art. 17 counts days.
pub fn show_cst(t: DateTime<Utc>, closing: bool) -> String {
    let local = t.with_timezone(&Shanghai);
    if closing && local.format("%H:%M:%S").to_string() == "00:00:00" {
        let prev = local - chrono::Duration::days(1);
        return format!("{} 24:00", prev.format("%Y-%m-%d"));
    }
    local.format("%Y-%m-%d %H:%M").to_string()
}

/// An instant as stored and as given in machine formats: RFC 3339 in UTC, second precision, so
/// that stored times sort as text.
pub fn stored(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An instant in machine output: RFC 3339 with the CST offset.
pub fn rfc3339_cst(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai).format("%Y-%m-%dT%H:%M:%S+08:00").to_string()
}

/// Parse a stored time back.
pub fn parse_stored(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Parse a time a person typed: RFC 3339 (with or without seconds), or a date (00:00 CST), or
/// `YYYY-MM-DD HH:MM` in CST.
pub fn parse_user_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Shanghai.from_local_datetime(&n).single().map(|t| t.with_timezone(&Utc));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(cst(d.year(), d.month(), d.day()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn periods_parse_strictly() {
        assert_eq!("2026-11".parse::<Period>().unwrap().to_string(), "2026-11");
        for bad in
            ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "", "abcd-ef", "1999-12", "+026-11"]
        {
            assert!(bad.parse::<Period>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn december_rolls_into_january() {
        let p: Period = "2026-12".parse().unwrap();
        assert_eq!(p.next().to_string(), "2027-01");
        assert_eq!(p.next().prev(), p);
        let w = window_for(Level::County, p).unwrap();
        assert_eq!(w.opens, at("2027-01-01T00:00:00+08:00"));
        assert_eq!(w.closes, at("2027-01-06T00:00:00+08:00"));
    }

    #[test]
    fn art17_windows_every_month_of_three_years() {
        for year in 2025..=2027 {
            for month in 1..=12 {
                let p = Period::new(year, month).unwrap();
                let n = p.next();
                for (level, first, last) in
                    [(Level::County, 1, 5), (Level::Prefecture, 5, 10), (Level::Province, 10, 15)]
                {
                    let w = window_for(level, p).unwrap();
                    let open = format!("{:04}-{:02}-{:02}T00:00:00+08:00", n.year(), n.month(), first);
                    let last_second = format!("{:04}-{:02}-{:02}T23:59:59+08:00", n.year(), n.month(), last);
                    let before = at(&open) - chrono::Duration::seconds(1);
                    assert!(!w.contains(before), "{level:?} {p}: a second before the window");
                    assert!(w.contains(at(&open)), "{level:?} {p}: the window's first second");
                    assert!(w.contains(at(&last_second)), "{level:?} {p}: the window's last second");
                    assert!(!w.contains(at(&last_second) + chrono::Duration::seconds(1)), "{level:?} {p}: after 24:00");
                    assert_eq!(deadline_for(level, p), Some(w.closes));
                    assert_eq!(show_cst(w.closes, true), format!("{:04}-{:02}-{:02} 24:00", n.year(), n.month(), last));
                }
                assert!(window_for(Level::Ministry, p).is_none());
                assert!(window_for(Level::School, p).is_none());
            }
        }
    }

    #[test]
    fn the_period_is_read_in_cst_not_utc() {
        // 2026-11-30 16:30 UTC is already 2026-12-01 00:30 in Beijing.
        let t = at("2026-11-30T16:30:00Z");
        assert_eq!(Period::containing(t).to_string(), "2026-12");
        assert_eq!(reporting_period(t).to_string(), "2026-11");
        assert!("2026-12".parse::<Period>().unwrap().has_started(t));
        assert!(!"2026-12".parse::<Period>().unwrap().has_started(t - chrono::Duration::hours(1)));
    }

    #[test]
    fn user_times_in_several_forms() {
        let want = at("2026-12-08T18:00:00+08:00");
        for s in ["2026-12-08T18:00+08:00", "2026-12-08T18:00:00+08:00", "2026-12-08T10:00:00Z", "2026-12-08 18:00"] {
            assert_eq!(parse_user_time(s), Some(want), "{s}");
        }
        assert_eq!(parse_user_time("2026-12-08"), Some(at("2026-12-08T00:00:00+08:00")));
        assert_eq!(parse_user_time("tomorrow"), None);
        assert_eq!(stored(want), "2026-12-08T10:00:00Z");
        assert_eq!(rfc3339_cst(want), "2026-12-08T18:00:00+08:00");
        assert_eq!(parse_stored(&stored(want)), Some(want));
    }
}
