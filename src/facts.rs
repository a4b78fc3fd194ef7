//! Facts as they were (the notice's 通报 and 纳入评估): per admin unit and period, what
//! happened as of that period's deadlines — submitted by a person on time, submitted by the system
//! when the deadline passed, returned, withdrawn and resubmitted within the due, the schools it
//! held confirmed, its own figures, the warnings it passed on, its staffing, ratified, the
//! province's monthly text, and how often it was urged. Read from what is stored (the audit
//! trail's submission events, the returns, the first snapshot of each period, the texts, the
//! urgings), never from today's state: a county auto-submitted in March stays auto-submitted in
//! March's figures whatever happened later. The timeliness report and the bulletin are built on
//! these.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::calendar;
use crate::error::{self, Result};
use crate::i18n::tf;
use crate::model::{Actor, Level, Org, Period, PeriodRange};
use crate::scope;
use crate::store::{facts as store, orgs, Conn};

/// The province's monthly text for a period (Art. 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    OnTime,
    Late,
    Missing,
}

impl Text {
    pub fn as_str(self) -> &'static str {
        match self {
            Text::OnTime => "on_time",
            Text::Late => "late",
            Text::Missing => "missing",
        }
    }
}

/// One admin unit's period, as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub period: Period,
    /// Whether the unit was expected to report the period (it existed before the period ended).
    pub expected: bool,
    /// Whether the period's deadline has passed (a period still open to submit is "pending").
    pub due: bool,
    /// The deadline of the unit's level for the period.
    pub deadline: Option<DateTime<Utc>>,
    /// Submitted by its reviewer by the deadline (its first submission).
    pub on_time: bool,
    /// First submitted by the system when the deadline passed.
    pub auto: bool,
    /// Submitted by its reviewer, but after the deadline (after a return of an auto-submission).
    pub submitted: bool,
    /// Times returned by the parent, and withdrawals approved.
    pub returned: i64,
    pub withdrawn: i64,
    /// Returns and withdrawals followed by the reviewer's submission within their due.
    pub resubmitted_in_due: i64,
    /// What its first submission froze: schools expected and confirmed then (confirmed by the
    /// deadline, for a unit submitted on time or by the system at it).
    pub schools_expected: Option<i64>,
    pub schools_confirmed: Option<i64>,
    /// The unit's own figures then: filled in or confirmed (`None` when not known).
    pub own_done: Option<bool>,
    /// Plausibility warnings passed on by its first submission (`None` when not recorded).
    pub flags: Option<i64>,
    /// Staff roles missing then, and schools below with an active school admin (`None` before
    /// eip kept them).
    pub staff_missing: Option<Vec<String>>,
    pub schools_with_admin: Option<i64>,
    pub ratified: bool,
    /// Provinces only.
    pub text: Option<Text>,
    pub urged: i64,
}

impl Fact {
    fn empty(period: Period) -> Fact {
        Fact {
            period,
            expected: false,
            due: false,
            deadline: None,
            on_time: false,
            auto: false,
            submitted: false,
            returned: 0,
            withdrawn: 0,
            resubmitted_in_due: 0,
            schools_expected: None,
            schools_confirmed: None,
            own_done: None,
            flags: None,
            staff_missing: None,
            schools_with_admin: None,
            ratified: false,
            text: None,
            urged: 0,
        }
    }

    /// Submitted at all (by the reviewer or the system).
    pub fn any_submission(&self) -> bool {
        self.on_time || self.auto || self.submitted
    }
}

/// One unit and its facts, period by period.
#[derive(Debug, Clone)]
pub struct UnitFacts {
    pub unit: Org,
    pub facts: Vec<Fact>,
}

/// The range a person asked for, checked against the clock: not in the future.
pub fn check_range(range: PeriodRange, now: DateTime<Utc>) -> Result<PeriodRange> {
    let this = Period::containing(now);
    if range.to > this {
        return Err(error::usage(tf("range.future", &[("range", &range), ("this", &this)]))
            .hint(tf("range.future.hint", &[("last", &this.prev())]))
            .into());
    }
    Ok(range)
}

/// Which units a report is about: the children of `under`'s level, or `level` below it.
pub fn units(conn: &Conn, actor: &Actor, under: Option<&str>, level: Option<Level>) -> Result<(Org, Level)> {
    let root = scope::under(conn, actor, under)?;
    let level = level_below(&root, level)?;
    Ok((root, level))
}

/// Which units, or schools, a trend follows: as [`units`], and also the schools under a unit
/// (`--level school`, and by default under a county, which has no unit level below it).
pub fn units_or_schools(conn: &Conn, actor: &Actor, under: Option<&str>, level: Option<Level>) -> Result<(Org, Level)> {
    let root = scope::under(conn, actor, under)?;
    let level = match level {
        Some(Level::School) if root.level.is_unit() => Level::School,
        None if root.level == Level::County => Level::School,
        level => level_below(&root, level)?,
    };
    Ok((root, level))
}

/// The unit level `level` names below `root`, checked, or the one just below it.
fn level_below(root: &Org, level: Option<Level>) -> Result<Level> {
    match level {
        Some(l) if l.is_unit() && root.level.is_above(l) => Ok(l),
        Some(l) => Err(error::usage(tf("facts.bad_level", &[("level", &l.label()), ("root", &root.code)])).into()),
        None => {
            Ok(root.level.below().ok_or_else(|| error::usage(tf("facts.no_level_below", &[("root", &root.code)])))?)
        }
    }
}

/// The facts of every unit of `level` under `root`, for every period of the range, as of `now`.
pub fn facts(conn: &Conn, root: &Org, level: Level, range: PeriodRange, now: DateTime<Utc>) -> Result<Vec<UnitFacts>> {
    let (lo, hi) = root.subtree();
    let s = store::Scope { level, lo: &lo, hi: &hi, from: range.from, to: range.to };
    let units = orgs::units_at_level(conn, root, level)?;
    let periods = range.periods();
    let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut out: Vec<UnitFacts> = units
        .into_iter()
        .map(|u| {
            let facts = periods
                .iter()
                .map(|p| {
                    let mut f = Fact::empty(*p);
                    f.expected = u.created_at < calendar::stored(p.ends());
                    f.deadline = calendar::deadline_for(level, *p);
                    f.due = f.deadline.is_some_and(|d| d <= now);
                    f.text = (level == Level::Province).then_some(Text::Missing);
                    f
                })
                .collect();
            UnitFacts { unit: u, facts }
        })
        .collect();
    // Where a unit's period sits in `out`.
    let slot = |org: i64, period: Period| -> Option<(usize, usize)> {
        Some((*index.get(&org)?, periods.iter().position(|p| *p == period)?))
    };
    // Returns first (the submissions after them are read against their due).
    let mut dues: HashMap<(i64, Period), Vec<(String, String)>> = HashMap::new();
    for r in store::returns(conn, s)? {
        if let Some((i, k)) = slot(r.org_id, r.period) {
            let f = &mut out[i].facts[k];
            if r.withdrawal {
                f.withdrawn += 1;
            } else {
                f.returned += 1;
            }
        }
        dues.entry((r.org_id, r.period)).or_default().push((r.returned_at, r.due));
    }
    let mut seen: HashMap<(i64, Period), ()> = HashMap::new();
    for e in store::submit_events(conn, s)? {
        let Some((i, k)) = slot(e.org_id, e.period) else { continue };
        let f = &mut out[i].facts[k];
        let first = seen.insert((e.org_id, e.period), ()).is_none();
        let at = calendar::parse_stored(&e.at);
        if first {
            f.flags = e.flags;
            if e.auto {
                f.auto = true;
            } else if at.zip(f.deadline).is_some_and(|(a, d)| a <= d) {
                f.on_time = true;
            } else {
                f.submitted = true;
            }
        } else if !e.auto {
            f.submitted |= !f.on_time;
            // A resubmission by the reviewer within the due of the return it answers.
            if let Some(list) = dues.get(&(e.org_id, e.period)) {
                if list.iter().any(|(from, due)| from.as_str() <= e.at.as_str() && e.at.as_str() <= due.as_str()) {
                    f.resubmitted_in_due += 1;
                }
            }
        }
    }
    for n in store::first_snapshots(conn, s)? {
        let Ok(period) = n.period.parse::<Period>() else { continue };
        let Some((i, k)) = slot(n.org_id, period) else { continue };
        let f = &mut out[i].facts[k];
        f.schools_expected = Some(n.schools_expected);
        f.schools_confirmed = Some(n.schools_confirmed);
        f.own_done = n.own_state.map(|s| s == "filled" || s == "confirmed");
        f.staff_missing = n.staff_missing.and_then(|j| serde_json::from_str(&j).ok());
        f.schools_with_admin = n.schools_with_admin;
    }
    for (org, period) in store::ratified(conn, s)? {
        if let Some((i, k)) = period.parse().ok().and_then(|p| slot(org, p)) {
            out[i].facts[k].ratified = true;
        }
    }
    for (org, period, _, late) in store::texts(conn, s)? {
        if let Some((i, k)) = period.parse().ok().and_then(|p| slot(org, p)) {
            out[i].facts[k].text = Some(if late { Text::Late } else { Text::OnTime });
        }
    }
    for (org, period, n) in store::urgings(conn, s)? {
        if let Some((i, k)) = period.parse().ok().and_then(|p| slot(org, p)) {
            out[i].facts[k].urged = n;
        }
    }
    Ok(out)
}
