//! Submitting, returning, withdrawing, ratifying and auto-submitting a unit's period (SPEC §4.4,
//! Art. 16–19), with the snapshot each submission freezes. The rules themselves are the pure
//! functions of [`crate::cycle`]; this module gathers their facts and writes their outcomes.

use crate::store::Conn;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::aggregate::{self, Agg};
use crate::audit::{AuditActor, Event};
use crate::calendar::{self, Period};
use crate::cycle::{Facts, Refusal, UnitState};
use crate::db::{Db, Tx};
use crate::error::{Error, Kind, Result};
use crate::hierarchy::{self, Level, Org};
use crate::i18n::{t, tf};
use crate::values;

/// A unit's submission row, as stored.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub state: String,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub incomplete_schools: Option<i64>,
    pub return_due: Option<String>,
    pub return_reason: Option<String>,
    pub ratified_at: Option<String>,
    pub ratified_by: Option<String>,
}

impl Submission {
    pub fn unit_state(&self) -> UnitState {
        match self.state.as_str() {
            "submitted" => UnitState::Submitted,
            "auto_submitted" => UnitState::AutoSubmitted,
            "returned" => UnitState::Returned {
                due: self.return_due.as_deref().and_then(calendar::parse_stored).unwrap_or_else(Utc::now),
            },
            _ => UnitState::Open,
        }
    }
}

pub fn submission(conn: &Conn, org_id: i64, period: Period) -> Result<Submission> {
    Ok(conn
        .prepare_cached(
            "SELECT s.state, s.submitted_at, a.username, s.incomplete_schools, s.return_due, s.return_reason,
                    s.ratified_at, r.username
             FROM submission s LEFT JOIN account a ON a.id = s.submitted_by LEFT JOIN account r ON r.id = s.ratified_by
             WHERE s.org_id = ?1 AND s.period = ?2",
        )?
        .query_row(params![org_id, period.to_string()], |r| {
            Ok(Submission {
                state: r.get(0)?,
                submitted_at: r.get(1)?,
                submitted_by: r.get(2)?,
                incomplete_schools: r.get(3)?,
                return_due: r.get(4)?,
                return_reason: r.get(5)?,
                ratified_at: r.get(6)?,
                ratified_by: r.get(7)?,
            })
        })
        .optional()?
        .unwrap_or_else(|| Submission { state: "open".into(), ..Default::default() }))
}

/// The direct child units that report the period (created before it ended).
pub fn child_units(conn: &Conn, unit: &Org, period: Period) -> Result<Vec<Org>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM org o LEFT JOIN org p ON p.id = o.parent_id
         WHERE o.parent_id = ?1 AND o.level <> 'school' AND o.created_at < ?2 ORDER BY o.code",
        hierarchy::ORG_COLUMNS
    ))?;
    let rows = stmt
        .query_map(params![unit.id, calendar::stored(period.ends())], hierarchy::org_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The direct child units not yet submitted.
pub fn children_not_submitted(conn: &Conn, unit: &Org, period: Period) -> Result<Vec<Org>> {
    let mut out = Vec::new();
    for c in child_units(conn, unit, period)? {
        if !submission(conn, c.id, period)?.unit_state().is_submitted() {
            out.push(c);
        }
    }
    Ok(out)
}

/// The facts the cycle's rules need about a unit's period.
pub fn facts(conn: &Conn, unit: &Org, period: Period, now: DateTime<Utc>) -> Result<Facts> {
    let mut f = lock_facts(conn, unit, period, now)?;
    f.children_submitted = children_not_submitted(conn, unit, period)?.is_empty();
    Ok(f)
}

/// The facts without the children (cheaper; data locks do not look at them).
pub fn lock_facts(conn: &Conn, unit: &Org, period: Period, now: DateTime<Utc>) -> Result<Facts> {
    let state = submission(conn, unit.id, period)?.unit_state();
    let parent = match unit.parent_code.as_deref() {
        Some(p) => match hierarchy::find(conn, p)? {
            Some(po) => Some(submission(conn, po.id, period)?.unit_state()),
            None => None,
        },
        None => None,
    };
    Ok(Facts { now, window: calendar::window_for(unit.level, period), state, parent, children_submitted: true })
}

fn cst(at: DateTime<Utc>, closing: bool) -> String {
    format!("{} {}", calendar::show_cst(at, closing), t("cst"))
}

/// A refusal as a person-readable error naming the rule and the way out, with its machine
/// reason (SPEC §4.5, §8).
pub fn refusal_error(conn: &Conn, r: Refusal, unit: &Org, period: Period, f: &Facts) -> Result<anyhow::Error> {
    let (msg, hint) = describe(conn, r, unit, period, f)?;
    let mut e = Error::new(Kind::Refused, msg).reason(r.reason());
    if let Some(h) = hint {
        e = e.hint(h);
    }
    Ok(e.into())
}

/// What a refusal says, and the way out.
pub fn describe(conn: &Conn, r: Refusal, unit: &Org, period: Period, f: &Facts) -> Result<(String, Option<String>)> {
    let p = period.to_string();
    let (msg, hint) = match r {
        Refusal::WindowNotOpen => {
            let w = f.window.expect("a window to be early for");
            (
                tf(
                    "cycle.window_not_open",
                    &[
                        ("period", &p),
                        ("unit", &unit.code),
                        ("opens", &cst(w.opens, false)),
                        ("closes", &cst(w.closes, true)),
                    ],
                ),
                None,
            )
        }
        Refusal::DeadlinePassed => {
            let w = f.window.expect("a window to be late for");
            (
                tf(
                    "cycle.deadline_passed",
                    &[("period", &p), ("unit", &unit.code), ("deadline", &cst(w.closes, true))],
                ),
                Some(tf("cycle.ask_return", &[("unit", &unit.code)])),
            )
        }
        Refusal::Submitted => {
            let s = submission(conn, unit.id, period)?;
            let at =
                s.submitted_at.as_deref().and_then(calendar::parse_stored).map(|t| cst(t, false)).unwrap_or_default();
            let by = s.submitted_by.unwrap_or_else(|| t("cycle.the_system").to_string());
            (
                tf("cycle.submitted", &[("period", &p), ("unit", &unit.code), ("by", &by), ("at", &at)]),
                Some(tf("cycle.withdraw_hint", &[("period", &p)])),
            )
        }
        Refusal::ChildrenNotSubmitted => {
            let missing: Vec<String> =
                children_not_submitted(conn, unit, period)?.iter().map(|c| format!("{} {}", c.code, c.name)).collect();
            (
                tf(
                    "cycle.children_not_submitted",
                    &[("period", &p), ("unit", &unit.code), ("children", &missing.join(", "))],
                ),
                Some(tf("cycle.children_hint", &[("period", &p)])),
            )
        }
        Refusal::ParentSubmitted => {
            let parent = unit.parent_code.clone().unwrap_or_default();
            (
                tf("cycle.parent_submitted", &[("period", &p), ("unit", &unit.code), ("parent", &parent)]),
                Some(tf("cycle.parent_hint", &[("parent", &parent), ("period", &p)])),
            )
        }
        Refusal::ReturnedDuePassed => {
            let due = match f.state {
                UnitState::Returned { due } => cst(due, false),
                _ => String::new(),
            };
            (tf("cycle.due_passed", &[("period", &p), ("unit", &unit.code), ("due", &due)]), None)
        }
        Refusal::NotSubmitted => (tf("cycle.not_submitted", &[("period", &p), ("unit", &unit.code)]), None),
        Refusal::DueOutOfRange => (tf("cycle.due_out_of_range", &[("period", &p), ("unit", &unit.code)]), None),
    };
    Ok((msg, hint))
}

/// The snapshot a submission freezes: the unit's aggregate, and a summary of each direct child.
pub fn take_snapshot(tx: &mut Tx, unit: &Org, period: Period) -> Result<Agg> {
    let cat = values::catalogue(tx)?;
    // Built from its parts (own values, direct schools, sub-units' snapshots): a province's
    // snapshot does not walk the schools its prefectures already froze.
    let aggregate::UnitParts { agg, units, schools } = aggregate::unit_aggregate(tx, unit, period, &cat)?;
    let mut children = Vec::new();
    for (c, a) in &units {
        let state = submission(tx, c.id, period)?.state;
        children.push(json!({ "code": c.code, "name": c.name, "level": c.level.as_str(), "state": state, "agg": a }));
    }
    for s in &schools {
        children.push(json!({ "code": s.code, "name": s.name, "level": "school", "kind": s.kind, "state": s.state, "values": s.values }));
    }
    tx.prepare_cached("INSERT INTO snapshot(org_id, period, taken_at, figures, children) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![
            unit.id,
            period.to_string(),
            tx.now_stored(),
            serde_json::to_string(&agg)?,
            serde_json::to_string(&children)?
        ])?;
    Ok(agg)
}

/// Expected schools directly under a unit that have not confirmed the period.
pub fn unconfirmed_schools(conn: &Conn, unit: &Org, period: Period) -> Result<i64> {
    let mut n = 0;
    aggregate::for_each_direct_school(conn, unit, period, |s| {
        if s.state != "confirmed" {
            n += 1;
        }
    })?;
    Ok(n)
}

/// The reviewer's submission (Art. 16), decided inside the write transaction on the state read
/// there (docs/DECISIONS.md, "Every state change decides inside its transaction"): of two
/// submissions started together the second finds the first. Returns the unconfirmed schools.
pub fn submit(tx: &mut Tx, by: i64, unit: &Org, period: Period, allow_incomplete: bool) -> Result<i64> {
    let f = facts(tx, unit, period, tx.now)?;
    if let Err(r) = crate::cycle::can_submit(&f) {
        return Err(refusal_error(tx, r, unit, period, &f)?);
    }
    let incomplete = unconfirmed_schools(tx, unit, period)?;
    if incomplete > 0 && !allow_incomplete {
        return Err(Error::new(
            Kind::Refused,
            tf("submit.unconfirmed", &[("count", &incomplete), ("unit", &unit.code), ("period", &period)]),
        )
        .reason("schools_unconfirmed")
        .hint(tf("submit.unconfirmed.hint", &[("period", &period)]))
        .into());
    }
    let now = tx.now;
    record_submit(tx, unit, period, Some(by), now, incomplete)?;
    Ok(incomplete)
}

/// Record a submission (by the reviewer, or the system as of `at`) and freeze its snapshot.
pub fn record_submit(
    tx: &mut Tx,
    unit: &Org,
    period: Period,
    by: Option<i64>,
    at: DateTime<Utc>,
    incomplete: i64,
) -> Result<()> {
    let before = submission(tx, unit.id, period)?.state;
    let state = if by.is_some() { "submitted" } else { "auto_submitted" };
    // The snapshot first: while the unit is not yet marked submitted, its schools are still read
    // live (a submitted unit's figures are its snapshot).
    let agg = take_snapshot(tx, unit, period)?;
    tx.prepare_cached(
        "INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, incomplete_schools)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(org_id, period) DO UPDATE SET state = excluded.state, submitted_at = excluded.submitted_at,
             submitted_by = excluded.submitted_by, incomplete_schools = excluded.incomplete_schools",
    )?
    .execute(params![unit.id, period.to_string(), state, calendar::stored(at), by, incomplete])?;
    tx.audit(
        Event::new(if by.is_some() { "submit" } else { "submit.auto" })
            .target(&unit.code)
            .scope(&unit.path)
            .period(period.to_string())
            .detail(json!({
                "before": { "state": before },
                "after": { "state": state, "at": calendar::stored(at), "incomplete_schools": incomplete,
                           "schools_expected": agg.schools_expected, "schools_confirmed": agg.schools_confirmed },
            })),
    )?;
    Ok(())
}

/// How many admin units there are (the level index alone answers it).
fn admin_units(conn: &Conn) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM org o WHERE o.level IN ('province', 'prefecture', 'county')", [], |r| {
        r.get(0)
    })?)
}

/// The month the first admin unit was created in: the first that may have automatic submissions
/// due (it reads every admin unit's row, so only when there is no usable hint).
fn first_unit_period(conn: &Conn) -> Result<Option<Period>> {
    let first: Option<String> = conn.query_row(
        "SELECT min(created_at) FROM org o WHERE o.level IN ('province', 'prefecture', 'county')",
        [],
        |r| r.get(0),
    )?;
    Ok(first.as_deref().and_then(calendar::parse_stored).map(Period::containing))
}

/// The first period anything was submitted for: returned periods are no earlier (an index end).
fn first_submission_period(conn: &Conn) -> Result<Option<Period>> {
    let first: Option<String> = conn.query_row("SELECT min(period) FROM submission", [], |r| r.get(0))?;
    Ok(first.and_then(|p| p.parse().ok()))
}

/// Where the hint below is kept (`setting`).
const CHECKED: &str = "auto_submit_checked_through";

/// The hint that spares every command the check of every past month: `PERIOD/UNITS` says that
/// every period up to PERIOD had a submission from each of the UNITS admin units that existed
/// then. Submissions are never deleted and a unit is created at the time it is added, so that
/// stays true until a unit is added (UNITS then differs and the hint is ignored); returned
/// periods are checked regardless. Only the open-period check of `due` uses it; `submit --sweep`
/// checks every period.
fn checked_through(conn: &Conn, units: i64) -> Result<Option<Period>> {
    let hint = crate::db::setting(conn, CHECKED)?;
    Ok(hint.and_then(|h| {
        let (p, n) = h.split_once('/')?;
        (n.parse::<i64>().ok()? == units).then(|| p.parse().ok()).flatten()
    }))
}

/// The last period whose every deadline (county, prefecture, province) has passed at `now`.
fn settled(now: DateTime<Utc>) -> Option<Period> {
    let mut p = calendar::reporting_period(now);
    for _ in 0..2 {
        let last = [Level::County, Level::Prefecture, Level::Province]
            .iter()
            .filter_map(|&l| calendar::deadline_for(l, p))
            .max()?;
        if now >= last {
            return Some(p);
        }
        p = p.prev();
    }
    None
}

/// Every automatic submission due at `now` (SPEC §4.4, Art. 17): counties first, then
/// prefectures, then provinces, each as of its deadline (or, returned, its due). Idempotent.
/// The open-period check starts after `checked` (the `checked_through` hint), when given.
fn due(conn: &Conn, now: DateTime<Utc>, checked: Option<Period>) -> Result<Vec<(Org, Period, DateTime<Utc>)>> {
    let mut out = Vec::new();
    let last = calendar::reporting_period(now);
    // Months whose open units may be due: after the hint, or from the first unit's month.
    let open_from = match checked {
        Some(c) => Some(c.next()),
        None => first_unit_period(conn)?,
    };
    let returned_from = first_submission_period(conn)?;
    let mut ps = Vec::new();
    let mut p = match (open_from, returned_from) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return Ok(out),
    };
    while p <= last {
        ps.push(p);
        p = p.next();
    }
    for level in [Level::County, Level::Prefecture, Level::Province] {
        for &p in &ps {
            let Some(deadline) = calendar::deadline_for(level, p) else { continue };
            // Open periods past the deadline.
            if now >= deadline && open_from.is_some_and(|f| p >= f) {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {} FROM org o LEFT JOIN org p ON p.id = o.parent_id
                     WHERE o.level = ?1 AND o.created_at < ?2
                       AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.org_id = o.id AND s.period = ?3)
                     ORDER BY o.path",
                    hierarchy::ORG_COLUMNS
                ))?;
                let rows = stmt.query_map(
                    params![level.as_str(), calendar::stored(p.ends()), p.to_string()],
                    hierarchy::org_from_row,
                )?;
                for o in rows {
                    out.push((o?, p, deadline));
                }
            }
            // Returned periods past their due.
            if returned_from.is_none_or(|f| p < f) {
                continue;
            }
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {}, s.return_due FROM submission s CROSS JOIN org o ON o.id = s.org_id LEFT JOIN org p ON p.id = o.parent_id
                 WHERE s.period = ?1 AND s.state = 'returned' AND s.return_due <= ?2 AND o.level = ?3 ORDER BY o.path",
                hierarchy::ORG_COLUMNS
            ))?;
            let rows = stmt.query_map(params![p.to_string(), calendar::stored(now), level.as_str()], |r| {
                Ok((hierarchy::org_from_row(r)?, r.get::<_, String>(7)?))
            })?;
            for row in rows {
                let (o, due) = row?;
                let at = calendar::parse_stored(&due).unwrap_or(now);
                out.push((o, p, at));
            }
        }
    }
    Ok(out)
}

/// Perform every automatic submission due (the sweep every period command runs first). Cheap
/// when none is due: a read of the months after the `checked_through` hint.
pub fn catch_up(db: &mut Db) -> Result<Vec<(String, Period)>> {
    sweep(db, false)
}

/// The sweep; with `every_period` (`submit --sweep`), every past month is checked, not only
/// those after the hint.
pub fn sweep(db: &mut Db, every_period: bool) -> Result<Vec<(String, Period)>> {
    let now = db.now;
    let units = admin_units(&db.conn)?;
    let hint = checked_through(&db.conn, units)?;
    let checked = if every_period { None } else { hint };
    let pending = due(&db.conn, now, checked)?;
    let done = if pending.is_empty() {
        vec![]
    } else {
        db.write(&AuditActor::system(), |tx| {
            // Look again inside the write lock: another process may have swept meanwhile.
            let pending = due(tx, now, checked)?;
            let mut done = Vec::new();
            for (unit, period, at) in pending {
                let incomplete = unconfirmed_schools(tx, &unit, period)?;
                record_submit(tx, &unit, period, None, at, incomplete)?;
                done.push((unit.code.clone(), period));
            }
            Ok(done)
        })?
    };
    // Every period whose deadlines have all passed now has its submissions: remember it.
    if let Some(p) = settled(now).filter(|&p| hint.is_none_or(|h| h < p)) {
        remember_checked(&db.conn, p, units)?;
    }
    Ok(done)
}

/// Move the hint to `through` for `units` admin units (when it is behind: about once a month).
/// Best effort: it is a shortcut, not a record (no audit event; a wrong or missing hint only makes
/// the check longer or, tampered with, leaves old months to `submit --sweep`), so a busy or
/// read-only file does not fail the command, and it never waits for another writer.
fn remember_checked(conn: &Conn, through: Period, units: i64) -> Result<()> {
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let _ = conn.execute(
        "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![CHECKED, format!("{through}/{units}")],
    );
    conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    Ok(())
}

/// A due time out of range, naming the org returned and the latest due allowed.
pub fn due_error(org: &Org, period: Period, parent: &Facts) -> anyhow::Error {
    let latest = crate::cycle::closes(parent).map(|l| cst(l, true)).unwrap_or_default();
    Error::new(Kind::Refused, tf("cycle.due_range", &[("org", &org.code), ("period", &period), ("latest", &latest)]))
        .reason(Refusal::DueOutOfRange.reason())
        .into()
}

/// May `parent`'s reviewer return `child`'s period with this due time (Art. 18, 19)? Read and
/// decided on the connection given: inside the write transaction that then returns it.
pub fn check_return(
    conn: &Conn,
    parent: &Org,
    child: &Org,
    period: Period,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = facts(conn, child, period, now)?;
    let p = facts(conn, parent, period, now)?;
    match crate::cycle::can_return(&c, &p, due) {
        Ok(()) => Ok(()),
        Err(Refusal::DueOutOfRange) => Err(due_error(child, period, &p)),
        // Returned a moment ago by someone else: say who and until when.
        Err(Refusal::NotSubmitted) if matches!(c.state, UnitState::Returned { .. }) => {
            Err(already_returned(conn, child, period)?)
        }
        Err(r @ Refusal::NotSubmitted) => Err(refusal_error(conn, r, child, period, &c)?),
        Err(r) => Err(refusal_error(conn, r, parent, period, &p)?),
    }
}

/// "2026-11 of 130102 was already returned by 130100-R01 at …, due …" (exit 5).
fn already_returned(conn: &Conn, unit: &Org, period: Period) -> Result<anyhow::Error> {
    let (by, at, due): (Option<String>, Option<String>, Option<String>) = conn.query_row(
        "SELECT a.username, s.returned_at, s.return_due FROM submission s LEFT JOIN account a ON a.id = s.returned_by
         WHERE s.org_id = ?1 AND s.period = ?2",
        params![unit.id, period.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let when =
        |v: Option<String>| v.as_deref().and_then(calendar::parse_stored).map(|t| cst(t, false)).unwrap_or_default();
    Ok(Error::new(
        Kind::Refused,
        tf(
            "races.already_returned",
            &[
                ("period", &period),
                ("unit", &unit.code),
                ("by", &by.unwrap_or_default()),
                ("at", &when(at)),
                ("due", &when(due)),
            ],
        ),
    )
    .reason(Refusal::NotSubmitted.reason())
    .into())
}

/// Return a school's confirmed period (Art. 19), decided inside the write transaction: the
/// school must be confirmed and its unit not submitted, as read there.
pub fn return_school_checked(
    tx: &mut Tx,
    unit: &Org,
    school: &Org,
    period: Period,
    due: DateTime<Utc>,
    reason: &str,
) -> Result<()> {
    let parent = facts(tx, unit, period, tx.now)?;
    let state = crate::store::submissions::state_of(tx, school.id, period)?;
    if let Err(r) = crate::cycle::can_return_school(state == "confirmed", &parent, due) {
        return Err(match r {
            Refusal::DueOutOfRange => due_error(school, period, &parent),
            Refusal::NotSubmitted if state == "returned" => {
                let (at, due): (Option<String>, Option<String>) = tx.query_row(
                    "SELECT returned_at, return_due FROM org_period WHERE org_id = ?1 AND period = ?2",
                    params![school.id, period.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let when = |v: Option<String>| {
                    v.as_deref().and_then(calendar::parse_stored).map(|t| cst(t, false)).unwrap_or_default()
                };
                Error::new(
                    Kind::Refused,
                    tf(
                        "races.school_already_returned",
                        &[("period", &period), ("school", &school.code), ("at", &when(at)), ("due", &when(due))],
                    ),
                )
                .reason(Refusal::NotSubmitted.reason())
                .into()
            }
            Refusal::NotSubmitted => refusal_error(tx, r, school, period, &parent)?,
            r => refusal_error(tx, r, unit, period, &parent)?,
        });
    }
    return_school(tx, school, period, due, reason)
}

/// Return a unit's submitted period to it (Art. 19), or approve its withdrawal (Art. 18): the
/// period is writable again until `due`, then submitted automatically.
pub fn return_unit(
    tx: &mut Tx,
    by: i64,
    unit: &Org,
    period: Period,
    due: DateTime<Utc>,
    reason: &str,
    action: &str,
) -> Result<()> {
    let before = submission(tx, unit.id, period)?.state;
    tx.prepare_cached(
        "UPDATE submission SET state = 'returned', returned_at = ?1, returned_by = ?2, return_due = ?3, return_reason = ?4,
             ratified_at = NULL, ratified_by = NULL
         WHERE org_id = ?5 AND period = ?6",
    )?
    .execute(params![tx.now_stored(), by, calendar::stored(due), reason, unit.id, period.to_string()])?;
    tx.audit(
        Event::new(action).target(&unit.code).scope(&unit.path).period(period.to_string()).reason(Some(reason)).detail(
            json!({ "before": { "state": before }, "after": { "state": "returned", "due": calendar::stored(due) } }),
        ),
    )?;
    Ok(())
}

/// Return a school's confirmed period to it: it corrects and confirms again by `due`.
pub fn return_school(tx: &mut Tx, school: &Org, period: Period, due: DateTime<Utc>, reason: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE org_period SET state = 'returned', returned_at = ?1, return_due = ?2, return_reason = ?3
         WHERE org_id = ?4 AND period = ?5",
    )?
    .execute(params![tx.now_stored(), calendar::stored(due), reason, school.id, period.to_string()])?;
    tx.audit(
        Event::new("report.return")
            .target(&school.code)
            .scope(&school.path)
            .period(period.to_string())
            .reason(Some(reason))
            .detail(json!({ "before": { "state": "confirmed" }, "after": { "state": "returned", "due": calendar::stored(due) } })),
    )?;
    Ok(())
}

/// The inspector's ratification (审定, Art. 7): recorded, not a gate. Decided inside the write
/// transaction: only a submitted period, and only once (a second ratification is refused, naming
/// who ratified and when: docs/DECISIONS.md).
pub fn ratify(tx: &mut Tx, by: i64, unit: &Org, period: Period) -> Result<()> {
    let f = lock_facts(tx, unit, period, tx.now)?;
    if let Err(r) = crate::cycle::can_ratify(&f) {
        return Err(refusal_error(tx, r, unit, period, &f)?);
    }
    let s = submission(tx, unit.id, period)?;
    if let Some(at) = &s.ratified_at {
        let at = calendar::parse_stored(at).map(|t| cst(t, false)).unwrap_or_default();
        return Err(Error::new(
            Kind::Refused,
            tf(
                "races.already_ratified",
                &[("unit", &unit.code), ("period", &period), ("by", &s.ratified_by.unwrap_or_default()), ("at", &at)],
            ),
        )
        .reason("ratified")
        .into());
    }
    tx.prepare_cached("UPDATE submission SET ratified_at = ?1, ratified_by = ?2 WHERE org_id = ?3 AND period = ?4")?
        .execute(params![tx.now_stored(), by, unit.id, period.to_string()])?;
    tx.audit(
        Event::new("report.ratify")
            .target(&unit.code)
            .scope(&unit.path)
            .period(period.to_string())
            .detail(json!({ "before": { "ratified": false }, "after": { "ratified": true } })),
    )?;
    Ok(())
}

/// `eip withdraw request`, decided inside the write transaction: the period must be submitted
/// and the parent not, as read there. Returns the request and the parent it went to.
pub fn file_withdrawal(tx: &mut Tx, by: i64, unit: &Org, period: Period, reason: &str) -> Result<(i64, Org)> {
    let f = facts(tx, unit, period, tx.now)?;
    if let Err(r) = crate::cycle::can_request_withdrawal(&f) {
        return Err(refusal_error(tx, r, unit, period, &f)?);
    }
    let parent = hierarchy::find(tx, unit.parent_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| crate::error::refused(t("submit.ministry")))?;
    let id = request_withdrawal(tx, by, unit, &parent, period, reason)?;
    Ok((id, parent))
}

/// File a withdrawal request (Art. 18) with the parent; one pending per unit and period.
pub fn request_withdrawal(tx: &mut Tx, by: i64, unit: &Org, parent: &Org, period: Period, reason: &str) -> Result<i64> {
    let pending: Option<i64> = tx
        .query_row(
            "SELECT id FROM request WHERE kind = 'withdraw' AND status = 'pending' AND org_id = ?1 AND period = ?2",
            params![unit.id, period.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = pending {
        return Err(Error::new(Kind::Refused, tf("withdraw.pending", &[("id", &id), ("period", &period)])).into());
    }
    tx.execute(
        "INSERT INTO request(kind, status, org_id, period, awaiting_org_id, payload, reason, filed_by, filed_at)
         VALUES ('withdraw', 'pending', ?1, ?2, ?3, '{}', ?4, ?5, ?6)",
        params![unit.id, period.to_string(), parent.id, reason, by, tx.now_stored()],
    )?;
    let id = tx.last_insert_rowid();
    tx.audit(
        Event::new("request.file")
            .target(id.to_string())
            .scope(&unit.path)
            .period(period.to_string())
            .reason(Some(reason))
            .detail(json!({ "kind": "withdraw", "unit": unit.code, "to": parent.code })),
    )?;
    Ok(id)
}
