//! Submitting, returning, withdrawing, ratifying and auto-submitting a unit's period (
//! Art. 16–19), with the snapshot each submission freezes. The rules themselves are the pure
//! functions of [`crate::cycle`]; this module gathers their facts, checks who may act
//! ([`crate::perm`]), and writes their outcomes.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::aggregate::{self, Agg};
use crate::audit::{AuditActor, Event};
use crate::calendar::{self, Period};
use crate::cycle::{self, Facts, Refusal, UnitState};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::indicators;
use crate::model::{Actor, Level, Org};
use crate::perm::{self, Action};
use crate::requests::{self, Request};
use crate::store::{self, orgs, submissions, Conn, Db, Tx};

pub use crate::store::submissions::{submission, Submission};

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

/// The direct child units that report the period (created before it ended).
pub fn child_units(conn: &Conn, unit: &Org, period: Period) -> Result<Vec<Org>> {
    orgs::child_units_before(conn, unit, &calendar::stored(period.ends()))
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
        Some(p) => match orgs::find(conn, p)? {
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
/// reason (§8).
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
    let cat = indicators::catalogue(tx)?;
    // Built from its parts (own values, direct schools, sub-units' snapshots): a province's
    // snapshot does not walk the schools its prefectures already froze.
    let aggregate::UnitParts { mut agg, units, schools } = aggregate::unit_aggregate(tx, unit, period, &cat)?;
    // The facts the evaluation reads as they were at this submission: the unit's
    // staffing, and the schools below it with an active school admin (its own schools', and its
    // sub-units' as their snapshots hold them).
    let roles = crate::store::accounts::active_staff_roles(tx, unit.id)?;
    agg.staff_missing = Some(
        ["admin", "reviewer", "inspector"]
            .iter()
            .filter(|r| !roles.iter().any(|x| x == *r))
            .map(|r| r.to_string())
            .collect(),
    );
    let direct: Vec<i64> = schools.iter().map(|s| s.id).collect();
    let own = crate::store::accounts::with_active_school_admin(tx, &direct)?;
    let below: Option<i64> = units.iter().map(|(_, a)| a.schools_with_admin).sum();
    agg.schools_with_admin = below.map(|b| b + own);
    let mut children = Vec::new();
    for (c, a) in &units {
        let state = submission(tx, c.id, period)?.state;
        children.push(json!({ "code": c.code, "name": c.name, "level": c.level.as_str(), "state": state, "agg": a }));
    }
    for s in &schools {
        children.push(json!({ "code": s.code, "name": s.name, "level": "school", "kind": s.kind, "state": s.state, "values": s.values }));
    }
    submissions::insert_snapshot(
        tx,
        unit.id,
        period,
        &tx.now_stored(),
        &serde_json::to_string(&agg)?,
        &serde_json::to_string(&children)?,
    )?;
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

/// The first `few` expected schools directly under a unit that have not confirmed the period, by
/// code: what a submission's audit event names, beside their count.
pub fn unconfirmed_codes(conn: &Conn, unit: &Org, period: Period, few: usize) -> Result<Vec<String>> {
    let mut codes = Vec::new();
    aggregate::for_each_direct_school(conn, unit, period, |s| {
        if s.state != "confirmed" && codes.len() < few {
            codes.push(s.code);
        }
    })?;
    codes.sort();
    Ok(codes)
}

/// How many unconfirmed schools a submission's audit event names by code.
const NAMED_SCHOOLS: usize = 10;

/// Whether the actor may submit its unit's period at all: its reviewer, below the Ministry (which
/// submits to no one). [`submit`] asks it again; a command asks it first, before it brings the
/// cycle up to now.
pub fn may_submit(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::Submit, &actor.org)?;
    if actor.org.level == Level::Ministry {
        return Err(error::refused(t("submit.ministry")).into());
    }
    Ok(())
}

/// `eip submit`: the reviewer submits its unit's period (Art. 16), decided inside the write
/// transaction on the state read there (docs/DECISIONS.md, "Every state change decides inside
/// its transaction"): of two submissions started together the second finds the first. Returns
/// the unconfirmed schools.
pub fn submit(tx: &mut Tx, actor: &Actor, period: Period, allow_incomplete: bool) -> Result<i64> {
    may_submit(actor)?;
    let unit = &actor.org;
    let f = facts(tx, unit, period, tx.now)?;
    if let Err(r) = cycle::can_submit(&f) {
        return Err(refusal_error(tx, r, unit, period, &f)?);
    }
    let incomplete = unconfirmed_schools(tx, unit, period)?;
    // The unit's own figures (Art. 14), like its schools': filled in or confirmed this period.
    let own_missing = own_missing(tx, unit, period)?;
    if (incomplete > 0 || !own_missing.is_empty()) && !allow_incomplete {
        let mut lines = Vec::new();
        if incomplete > 0 {
            lines.push(tf("submit.unconfirmed", &[("count", &incomplete), ("unit", &unit.code), ("period", &period)]));
        }
        if !own_missing.is_empty() {
            lines.push(tf(
                "submit.own_open",
                &[("unit", &unit.code), ("period", &period), ("indicators", &own_missing.join(", "))],
            ));
        }
        let (reason, hint) = if incomplete > 0 {
            ("schools_unconfirmed", tf("submit.unconfirmed.hint", &[("period", &period)]))
        } else {
            ("own_figures_open", tf("submit.own_open.hint", &[("period", &period)]))
        };
        return Err(Error::new(Kind::Refused, lines.join("\n")).reason(reason).hint(hint).into());
    }
    let now = tx.now;
    record_submit(tx, unit, period, Some(actor.account_id), now, incomplete)?;
    Ok(incomplete)
}

/// The unit's own indicators (`unit`) it has not filled in for the period, when its own
/// figures are still open (neither filled nor confirmed); empty otherwise.
pub fn own_missing(conn: &Conn, unit: &Org, period: Period) -> Result<Vec<String>> {
    if store::values::state_of(conn, unit.id, period)? != "open" {
        return Ok(Vec::new());
    }
    let set = store::values::values_of(conn, unit.id, period)?;
    Ok(store::values::catalogue(conn)?
        .into_iter()
        .filter(|i| i.retired_at.is_none() && i.applies_to(unit.level, None) && !set.contains_key(&i.code))
        .map(|i| i.code)
        .collect())
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
    let own_missing = own_missing(tx, unit, period)?;
    let agg = take_snapshot(tx, unit, period)?;
    // The plausibility flags it passes on (§4.7): every flag of its subtree's period.
    let flags = crate::rules::count_under(tx, unit, period)?;
    let unconfirmed = if incomplete > 0 { unconfirmed_codes(tx, unit, period, NAMED_SCHOOLS)? } else { vec![] };
    submissions::record(tx, unit.id, period, state, &calendar::stored(at), by, incomplete, &agg.own_state, flags)?;
    let mut detail = json!({
        "before": { "state": before },
        "after": { "state": state, "at": calendar::stored(at), "incomplete_schools": incomplete,
                   "schools_expected": agg.schools_expected, "schools_confirmed": agg.schools_confirmed,
                   "own_state": agg.own_state, "own_missing": own_missing, "flags": flags },
    });
    // Which schools were not confirmed, by code (the first few), so the trail names them.
    if !unconfirmed.is_empty() {
        detail["after"]["incomplete_school_codes"] = json!(unconfirmed);
    }
    tx.audit(
        Event::new(if by.is_some() { "submit" } else { "submit.auto" })
            .target(&unit.code)
            .scope(&unit.path)
            .period(period.to_string())
            .detail(detail),
    )?;
    Ok(())
}

/// How many admin units there are (the level index alone answers it).
fn admin_units(conn: &Conn) -> Result<i64> {
    crate::store::orgs::submitting_unit_count(conn)
}

/// The month the first admin unit was created in: the first that may have automatic submissions
/// due (it reads every admin unit's row, so only when there is no usable hint).
fn first_unit_period(conn: &Conn) -> Result<Option<Period>> {
    Ok(crate::store::orgs::first_unit_created(conn)?
        .as_deref()
        .and_then(calendar::parse_stored)
        .map(Period::containing))
}

/// The first period anything was submitted for: returned periods are no earlier (an index end).
fn first_submission_period(conn: &Conn) -> Result<Option<Period>> {
    submissions::first_submitted_period(conn)
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
    let hint = store::setting(conn, CHECKED)?;
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

/// Every automatic submission due at `now` (Art. 17): counties first, then
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
                for o in submissions::unsubmitted(conn, level, &calendar::stored(p.ends()), p)? {
                    out.push((o, p, deadline));
                }
            }
            // Returned periods past their due.
            if returned_from.is_none_or(|f| p < f) {
                continue;
            }
            for (o, due) in submissions::returned_due_by(conn, p, &calendar::stored(now), level)? {
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
    submissions::put_setting_without_waiting(conn, CHECKED, &format!("{through}/{units}"))
}

/// A due time out of range, naming the org returned and the latest due allowed.
fn due_error(org: &Org, period: Period, parent: &Facts) -> anyhow::Error {
    let latest = cycle::closes(parent).map(|l| cst(l, true)).unwrap_or_default();
    Error::new(Kind::Refused, tf("cycle.due_range", &[("org", &org.code), ("period", &period), ("latest", &latest)]))
        .reason(Refusal::DueOutOfRange.reason())
        .into()
}

/// May `parent`'s reviewer return `child`'s period with this due time (Art. 18, 19)? Read and
/// decided on the connection given: inside the write transaction that then returns it.
fn check_return(
    conn: &Conn,
    parent: &Org,
    child: &Org,
    period: Period,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = facts(conn, child, period, now)?;
    let p = facts(conn, parent, period, now)?;
    match cycle::can_return(&c, &p, due) {
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
    let (by, at, due) = submissions::returned_by(conn, unit.id, period)?;
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
fn return_school_checked(
    tx: &mut Tx,
    by: i64,
    unit: &Org,
    school: &Org,
    period: Period,
    due: DateTime<Utc>,
    reason: &str,
) -> Result<()> {
    let parent = facts(tx, unit, period, tx.now)?;
    let state = store::values::state_of(tx, school.id, period)?;
    if let Err(r) = cycle::can_return_school(state == "confirmed", &parent, due) {
        return Err(match r {
            Refusal::DueOutOfRange => due_error(school, period, &parent),
            Refusal::NotSubmitted if state == "returned" => {
                let (at, due) = store::values::returned(tx, school.id, period)?;
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
    return_school(tx, by, school, period, due, reason)
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
    let id = store::returns::insert(tx, unit.id, period, action, by, &calendar::stored(due), reason)?;
    submissions::mark_returned(tx, unit.id, period, id)?;
    // Reopened: its own figures are judged again by the rules in force now.
    crate::rules::refresh(tx, &crate::rules::RuleSet::load(tx)?, unit, period)?;
    tx.audit(
        Event::new(action).target(&unit.code).scope(&unit.path).period(period.to_string()).reason(Some(reason)).detail(
            json!({ "before": { "state": before }, "after": { "state": "returned", "due": calendar::stored(due) } }),
        ),
    )?;
    Ok(())
}

/// Return a school's confirmed period to it: it corrects and confirms again by `due`.
fn return_school(tx: &mut Tx, by: i64, school: &Org, period: Period, due: DateTime<Utc>, reason: &str) -> Result<()> {
    let id = store::returns::insert(tx, school.id, period, "report.return", by, &calendar::stored(due), reason)?;
    store::values::mark_returned(tx, school.id, period, id)?;
    // Reopened: its values are judged again by the rules in force now.
    crate::rules::refresh(tx, &crate::rules::RuleSet::load(tx)?, school, period)?;
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

/// Whether the actor may return `target`'s period: the reviewer of the unit `target` reports to
/// (a child unit, or a school the unit supervises directly). [`return_period`] asks it again; a
/// command asks it first, before it says which period it works on.
pub fn may_return(actor: &Actor, target: &Org) -> Result<()> {
    perm::require(actor, Action::ReturnChild, &actor.org)?;
    if target.parent_code.as_deref() != Some(actor.org.code.as_str()) {
        return Err(error::refused(tf("return.not_child", &[("org", &target.code), ("unit", &actor.org.code)])).into());
    }
    Ok(())
}

/// `eip report return`: the reviewer returns a child unit's submitted period, or a directly
/// supervised school's confirmed one, to correct until `due` (Art. 19). Decided inside the write
/// transaction on the state read there: of two returns started together, the second finds the
/// period already returned.
pub fn return_period(
    tx: &mut Tx,
    actor: &Actor,
    target: &Org,
    period: Period,
    due: DateTime<Utc>,
    reason: &str,
) -> Result<()> {
    may_return(actor, target)?;
    let unit = &actor.org;
    if target.level == Level::School {
        return_school_checked(tx, actor.account_id, unit, target, period, due, reason)
    } else {
        let now = tx.now;
        check_return(tx, unit, target, period, due, now)?;
        return_unit(tx, actor.account_id, target, period, due, reason, "report.return")
    }
}

/// The unit a withdrawal request awaits, if the actor may decide it there (that unit's
/// reviewer) and it is still pending as `r` was read.
fn deciding(conn: &Conn, actor: &Actor, r: &Request) -> Result<Org> {
    if r.kind != "withdraw" {
        return Err(error::not_found(tf("request.none", &[("id", &r.id)])).into());
    }
    let awaiting = orgs::find(conn, r.awaiting_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &r.org_code)])))?;
    perm::require(actor, Action::ReturnChild, &awaiting)?;
    requests::require_pending(r)?;
    Ok(awaiting)
}

/// `eip withdraw approve`: the parent's reviewer returns the period to the unit that asked, until
/// `due` (Art. 18). The request still pending and the period still returnable, both as read
/// inside the write transaction: an approval racing a rejection (or another approval) finds it
/// decided. Returns the unit and the period.
pub fn approve_withdrawal(tx: &mut Tx, actor: &Actor, r: &Request, due: DateTime<Utc>) -> Result<(Org, Period)> {
    let awaiting = deciding(tx, actor, r)?;
    let unit = orgs::by_id(tx, r.org_id)?;
    let period: Period =
        r.period.as_deref().unwrap_or("").parse().map_err(|_| anyhow::anyhow!("request {} has no period", r.id))?;
    let why = r.reason.clone().unwrap_or_default();
    let r = requests::reload_pending(tx, actor, r)?;
    let now = tx.now;
    check_return(tx, &awaiting, &unit, period, due, now)?;
    return_unit(tx, actor.account_id, &unit, period, due, &why, "withdraw.approve")?;
    requests::record_decision(tx, actor, &r, true, None)?;
    Ok((unit, period))
}

/// `eip withdraw reject`: the parent's reviewer refuses the withdrawal, with the reason; decided
/// on the request as read inside the write transaction.
pub fn reject_withdrawal(tx: &mut Tx, actor: &Actor, r: &Request, reason: &str) -> Result<()> {
    deciding(tx, actor, r)?;
    let r = requests::reload_pending(tx, actor, r)?;
    requests::record_decision(tx, actor, &r, false, Some(reason))
}

/// Whether the actor may ratify its unit's periods: its inspector. [`ratify`] asks it again; a
/// command asks it first, before it brings the cycle up to now.
pub fn may_ratify(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::Ratify, &actor.org)
}

/// `eip report ratify`: the inspector's ratification of its unit's period (审定, Art. 7): recorded,
/// not a gate. Decided inside the write transaction: only a submitted period, and only once (a
/// second ratification is refused, naming who ratified and when: docs/DECISIONS.md).
pub fn ratify(tx: &mut Tx, actor: &Actor, period: Period) -> Result<()> {
    may_ratify(actor)?;
    let unit = &actor.org;
    let f = lock_facts(tx, unit, period, tx.now)?;
    if let Err(r) = cycle::can_ratify(f.state) {
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
    submissions::mark_ratified(tx, unit.id, period, &tx.now_stored(), actor.account_id)?;
    tx.audit(
        Event::new("report.ratify")
            .target(&unit.code)
            .scope(&unit.path)
            .period(period.to_string())
            .detail(json!({ "before": { "ratified": false }, "after": { "ratified": true } })),
    )?;
    Ok(())
}

/// Whether the actor may ask to withdraw its unit's submission: its reviewer. [`file_withdrawal`]
/// asks it again; a command asks it first, before it brings the cycle up to now.
pub fn may_request_withdrawal(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::Submit, &actor.org)
}

/// `eip withdraw request`: the reviewer asks the unit above to let its unit withdraw a submitted
/// period (Art. 18), decided inside the write transaction: the period must be submitted and the
/// parent not, as read there. Returns the request and the parent it went to.
pub fn file_withdrawal(tx: &mut Tx, actor: &Actor, period: Period, reason: &str) -> Result<(i64, Org)> {
    may_request_withdrawal(actor)?;
    let unit = &actor.org;
    let f = facts(tx, unit, period, tx.now)?;
    if let Err(r) = cycle::can_request_withdrawal(&f) {
        return Err(refusal_error(tx, r, unit, period, &f)?);
    }
    let parent = orgs::find(tx, unit.parent_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| error::refused(t("submit.ministry")))?;
    let id = request_withdrawal(tx, actor.account_id, unit, &parent, period, reason)?;
    Ok((id, parent))
}

/// File a withdrawal request (Art. 18) with the parent; one pending per unit and period.
pub fn request_withdrawal(tx: &mut Tx, by: i64, unit: &Org, parent: &Org, period: Period, reason: &str) -> Result<i64> {
    if let Some(id) = crate::store::requests::pending_withdrawal(tx, unit.id, period)? {
        return Err(Error::new(Kind::Refused, tf("withdraw.pending", &[("id", &id), ("period", &period)])).into());
    }
    let id = crate::store::requests::insert_withdrawal(tx, unit.id, period, parent.id, reason, by, &tx.now_stored())?;
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
