//! Where a unit's period stands (Art. 7, 16): its own submission, each direct child's
//! state, figures and lock, and what the acting account may do next about each — read from the
//! cycle's rules ([`crate::cycle`]) and the permission table ([`crate::perm`]), not decided
//! again here; and the 催报 list of everyone in a subtree not yet done.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::aggregate::{self, Agg, SchoolRow};
use crate::calendar::{self, Period};
use crate::cycle::{self, UnitState};
use crate::error::{self, Result};
use crate::i18n::tf;
use crate::indicators;
use crate::model::{Actor, Level, Org, Role};
use crate::perm::{self, Action};
use crate::rules;
use crate::scope;
use crate::store::{self, orgs, submissions, Conn};
use crate::submission::{self, Submission};
use crate::values;

pub use crate::store::submissions::Missing;

/// Something the acting account may do next about a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Submit the child's period (the child's reviewer).
    Submit,
    /// Ask to withdraw the child's submission (the child's reviewer).
    WithdrawRequest,
    /// Return the child's period (the parent's reviewer).
    Return,
    /// Decide the pending withdrawal request with this id (the parent's reviewer).
    ApproveWithdrawal(i64),
    /// Ratify the child's period (the child's inspector).
    Ratify,
    /// Urge the child to report (催报: the parent's admin).
    Urge,
}

impl Next {
    /// Its machine name: `submit`, `withdraw_request`, `return`, `approve_withdrawal:ID`,
    /// `ratify`, `urge`.
    pub fn machine(self) -> String {
        match self {
            Next::Submit => "submit".into(),
            Next::WithdrawRequest => "withdraw_request".into(),
            Next::Return => "return".into(),
            Next::ApproveWithdrawal(id) => format!("approve_withdrawal:{id}"),
            Next::Ratify => "ratify".into(),
            Next::Urge => "urge".into(),
        }
    }
}

/// Where a child stands this period.
#[derive(Debug, Clone)]
pub enum Standing {
    /// A school the unit supervises directly: its figures and data state, and its due if returned.
    School { school: SchoolRow, return_due: Option<String> },
    /// A child unit: its submission and its aggregate.
    Unit { submission: Submission, agg: Box<Agg> },
}

/// One direct child of the unit, as the status table shows it.
#[derive(Debug, Clone)]
pub struct Child {
    pub org: Org,
    pub standing: Standing,
    /// Why its data cannot be written now, if it cannot.
    pub lock: Option<&'static str>,
    pub next: Vec<Next>,
    /// The plausibility flags of its subtree's period (a school's own).
    pub flags: i64,
}

/// `eip report status`: a unit's period and its direct children's.
#[derive(Debug, Clone)]
pub struct Status {
    /// The unit's own submission.
    pub own: Submission,
    /// Its direct children that report the period: sub-units first, then schools, by code.
    pub children: Vec<Child>,
    /// The plausibility flags of the unit's whole subtree's period, its own included.
    pub flags: i64,
}

/// The unit a progress report starts from: `--under` in the actor's scope, else the actor's own
/// unit (a school's account has none: "no unit", exit 4).
pub fn root(conn: &Conn, actor: &Actor, under: Option<&str>) -> Result<Org> {
    let org = scope::under(conn, actor, under)?;
    if !org.level.is_unit() {
        return Err(error::not_found(tf("unit.none", &[("code", &org.code)])).into());
    }
    Ok(org)
}

/// Where `unit`'s period stands at `now`, and each direct child's, for `actor`.
pub fn status(conn: &Conn, actor: &Actor, unit: &Org, period: Period, now: DateTime<Utc>) -> Result<Status> {
    let cat = indicators::catalogue(conn)?;
    let aggs = aggregate::aggregate(conn, unit, period, &cat)?;
    let own = submission::submission(conn, unit.id, period)?;
    let unit_state = own.unit_state();
    // Schools directly under the unit: their own rows.
    let mut schools = HashMap::new();
    aggregate::for_each_direct_school(conn, unit, period, |s| {
        schools.insert(s.code.clone(), s);
    })?;
    let mut children = Vec::new();
    for child in orgs::children(conn, unit)? {
        let lock = values::lock(conn, &child, period, now)?.map(|l| l.reason);
        let (standing, next) = if child.level == Level::School {
            // A school that is not expected this period (merged, revoked, too new) has no row.
            let Some(school) = schools.remove(&child.code) else { continue };
            let next = next_for_school(actor, unit, unit_state, school.state == "confirmed");
            let return_due = store::values::return_due(conn, child.id, period)?;
            (Standing::School { school, return_due }, next)
        } else {
            if child.created_at >= calendar::stored(period.ends()) {
                continue;
            }
            let agg = aggs.get(&child.code).cloned().unwrap_or_default();
            let sub = submission::submission(conn, child.id, period)?;
            let next = next_for_unit(conn, actor, unit, unit_state, &child, sub.unit_state(), period, now)?;
            (Standing::Unit { submission: sub, agg: Box::new(agg) }, next)
        };
        children.push(Child { org: child, standing, lock, next, flags: 0 });
    }
    // Schools supervised elsewhere now whose period stays with this unit (they moved after its
    // submission held it): listed here, where the period's figures are.
    let mut held: Vec<SchoolRow> = schools.into_values().collect();
    held.sort_by(|a, b| a.code.cmp(&b.code));
    for school in held {
        let org = orgs::by_id(conn, school.id)?;
        let lock = values::lock(conn, &org, period, now)?.map(|l| l.reason);
        let next = next_for_school(actor, unit, unit_state, school.state == "confirmed");
        let return_due = store::values::return_due(conn, org.id, period)?;
        children.push(Child { org, standing: Standing::School { school, return_due }, lock, next, flags: 0 });
    }
    // The flags under each child, in one query over the unit's subtree.
    let paths: Vec<&str> = children.iter().map(|c| c.org.path.as_str()).collect();
    let mut counts = rules::counts_by(conn, unit, &paths, period)?;
    for c in &mut children {
        c.flags = counts.remove(&c.org.path).unwrap_or(0);
    }
    let flags = rules::count_under(conn, unit, period)?;
    Ok(Status { own, children, flags })
}

/// Where a school's own period stands (Art. 12), as its own account sees it.
#[derive(Debug, Clone)]
pub struct SchoolView {
    pub school: Org,
    pub period: Period,
    /// open, filled, confirmed or returned.
    pub state: String,
    /// The unit whose deadline the school works to, and the deadline: the unit's own, or its due
    /// if it was returned; the school's due when the school itself was returned.
    pub unit: Org,
    pub deadline: Option<DateTime<Utc>>,
    /// When the school's confirmation was returned to it: why, and until when.
    pub returned: Option<(String, String)>,
    /// Why the period cannot be written now, if it cannot (a machine reason and its words).
    pub lock: Option<(&'static str, String)>,
    /// What to do next: `fill`, `confirm`, `correct`, or nothing.
    pub next: Option<&'static str>,
}

/// `eip report status` as a school's own account: its period, the deadline it works to, whether
/// it was returned, why and until when, and what to do next.
pub fn school_view(conn: &Conn, actor: &Actor, period: Period, now: DateTime<Utc>) -> Result<SchoolView> {
    let school = actor.org.clone();
    let unit = values::reporting_unit(conn, &school, period)?;
    let state = store::values::state_of(conn, school.id, period)?;
    let returned = if state == "returned" { store::returns::in_force(conn, school.id, period)? } else { None };
    let lock = values::lock(conn, &school, period, now)?.map(|l| (l.reason, l.message));
    let unit_sub = submission::submission(conn, unit.id, period)?;
    let deadline = match (&returned, unit_sub.unit_state()) {
        (Some((_, due)), _) => calendar::parse_stored(due),
        (None, UnitState::Returned { due }) => Some(due),
        _ => calendar::deadline_for(unit.level, period),
    };
    let next = match (lock.is_some(), state.as_str()) {
        (true, _) => None,
        (false, "returned") => Some("correct"),
        (false, "open") => Some("fill"),
        (false, "filled") => Some("confirm"),
        _ => None,
    };
    Ok(SchoolView { school, period, state, unit, deadline, returned, lock, next })
}

/// The next deadline the actor works to (for `whoami`): a school's unit's deadline for the month
/// it fills in; a unit's own deadline for the first period it has still to submit (a returned
/// one's due first). None for the Ministry, which submits to no one.
pub fn next_deadline(conn: &Conn, actor: &Actor, now: DateTime<Utc>) -> Result<Option<(Period, DateTime<Utc>)>> {
    let org = &actor.org;
    if org.level == Level::Ministry {
        return Ok(None);
    }
    if org.level == Level::School {
        let period = crate::periods::default(None, conn, org, crate::periods::Purpose::Entry, now)?;
        let v = school_view(conn, actor, period, now)?;
        return Ok(v.deadline.map(|d| (period, d)));
    }
    // The first period not yet submitted whose deadline (or due) is still ahead: one that has
    // passed is the system's to submit at once.
    let mut period = crate::periods::default(None, conn, org, crate::periods::Purpose::Submit, now)?;
    for _ in 0..3 {
        let due = match submission::submission(conn, org.id, period)?.unit_state() {
            UnitState::Returned { due } => Some(due),
            s if s.is_submitted() => None,
            _ => calendar::deadline_for(org.level, period),
        };
        if let Some(due) = due.filter(|d| *d > now) {
            return Ok(Some((period, due)));
        }
        period = period.next();
    }
    Ok(None)
}

/// Whether the actor is the admin of `org`: the one who urges its children (催报).
fn is_admin_of(actor: &Actor, org: &Org) -> bool {
    actor.role == Role::Admin && actor.org.id == org.id
}

/// What the actor may do next about a school `unit` supervises directly.
fn next_for_school(actor: &Actor, unit: &Org, unit_state: UnitState, confirmed: bool) -> Vec<Next> {
    let mut next = Vec::new();
    if perm::allows(actor, Action::ReturnChild, unit) && cycle::school_returnable(confirmed, unit_state).is_ok() {
        next.push(Next::Return);
    }
    if is_admin_of(actor, unit) && !confirmed {
        next.push(Next::Urge);
    }
    next
}

/// What the actor may do next about `child`, a direct child unit of `parent`.
#[allow(clippy::too_many_arguments)]
fn next_for_unit(
    conn: &Conn,
    actor: &Actor,
    parent: &Org,
    parent_state: UnitState,
    child: &Org,
    state: UnitState,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<Next>> {
    let mut next = Vec::new();
    if perm::allows(actor, Action::Submit, child) {
        let f = submission::facts(conn, child, period, now)?;
        if cycle::can_submit(&f).is_ok() {
            next.push(Next::Submit);
        }
        if cycle::can_request_withdrawal(&f).is_ok() {
            next.push(Next::WithdrawRequest);
        }
    }
    if perm::allows(actor, Action::ReturnChild, parent) && cycle::returnable(state, parent_state, now).is_ok() {
        next.push(Next::Return);
        if let Some(id) = crate::store::requests::pending_withdrawal(conn, child.id, period)? {
            next.push(Next::ApproveWithdrawal(id));
        }
    }
    if perm::allows(actor, Action::Ratify, child) && cycle::can_ratify(state).is_ok() {
        next.push(Next::Ratify);
    }
    if is_admin_of(actor, parent) && !state.is_submitted() {
        next.push(Next::Urge);
    }
    Ok(next)
}

/// `eip report missing`: the 催报 list — every unit below the Ministry in `unit`'s subtree not
/// yet submitted and every expected school not yet confirmed, in tree order, each with its
/// contact.
pub fn missing(conn: &Conn, unit: &Org, period: Period) -> Result<Vec<Missing>> {
    let (lo, hi) = unit.subtree();
    submissions::missing(conn, &lo, &hi, period)
}

/// `eip report missing --notify`: record that the actor urged (催报) every unit below `unit` that
/// has not submitted `period` — each audited, so the bulletin can say how often a unit was urged
/// while still missing. Schools are listed, not recorded: the facts are the units'.
/// Decided inside the transaction on the list as it stands there. Returns the units urged.
pub fn urge(tx: &mut crate::store::Tx, actor: &Actor, unit: &Org, period: Period) -> Result<Vec<String>> {
    perm::require(actor, Action::Urge, unit)?;
    let mut urged = Vec::new();
    for m in missing(tx, unit, period)? {
        if !m.level.is_unit() || m.code == unit.code {
            continue;
        }
        let Some(org) = orgs::find(tx, &m.code)? else { continue };
        crate::store::facts::urge(tx, org.id, period, actor.account_id)?;
        tx.audit(
            crate::audit::Event::new("report.urge")
                .target(&org.code)
                .scope(&org.path)
                .period(period.to_string())
                .detail(serde_json::json!({ "state": m.state })),
        )?;
        urged.push(org.code);
    }
    Ok(urged)
}
