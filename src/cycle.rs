//! The reporting cycle as a pure state machine (Art. 16–19): what may happen to a
//! unit's period, or a school's, given the facts — no database, the time a parameter.
//!
//! Unit-period states: `open` → `submitted` (by its reviewer) or `auto_submitted` (at the
//! deadline) → `returned` (by the parent, with a due time) → submitted again.
//! School-period states (data): `open` → `filled` → `confirmed`; `returned` → `confirmed`.

use chrono::{DateTime, Utc};

use crate::calendar::Window;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitState {
    Open,
    Submitted,
    AutoSubmitted,
    Returned { due: DateTime<Utc> },
}

impl UnitState {
    pub fn is_submitted(self) -> bool {
        matches!(self, UnitState::Submitted | UnitState::AutoSubmitted)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            UnitState::Open => "open",
            UnitState::Submitted => "submitted",
            UnitState::AutoSubmitted => "auto_submitted",
            UnitState::Returned { .. } => "returned",
        }
    }
}

/// Why an action is refused: a stable machine reason for every refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Before the unit's window opens.
    WindowNotOpen,
    /// After the deadline (the system has submitted, or will at once).
    DeadlinePassed,
    /// Already submitted (and not returned).
    Submitted,
    /// Some direct child unit has not submitted.
    ChildrenNotSubmitted,
    /// The parent has submitted: locks are consistent all the way up.
    ParentSubmitted,
    /// Returned, and the due time has passed.
    ReturnedDuePassed,
    /// Return/withdraw/ratify of a period that is not submitted.
    NotSubmitted,
    /// A return's due time after the parent's own deadline (or due), or not in the future.
    DueOutOfRange,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::WindowNotOpen => "window_not_open",
            Refusal::DeadlinePassed => "deadline_passed",
            Refusal::Submitted => "submitted",
            Refusal::ChildrenNotSubmitted => "children_not_submitted",
            Refusal::ParentSubmitted => "parent_submitted",
            Refusal::ReturnedDuePassed => "returned_due_passed",
            Refusal::NotSubmitted => "not_submitted",
            Refusal::DueOutOfRange => "due_out_of_range",
        }
    }
}

/// The facts about one unit's period that the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub now: DateTime<Utc>,
    /// The unit's own window for the period (`None`: the Ministry, which submits to no one).
    pub window: Option<Window>,
    pub state: UnitState,
    /// The parent's state for the same period (`None` at the top).
    pub parent: Option<UnitState>,
    /// Whether every direct child unit has submitted.
    pub children_submitted: bool,
}

/// The last moment the unit's own data may change, if it is not locked for another reason: its
/// due when returned, else its deadline.
pub fn closes(f: &Facts) -> Option<DateTime<Utc>> {
    match f.state {
        UnitState::Returned { due } => Some(due),
        _ => f.window.map(|w| w.closes),
    }
}

/// May the unit's own data (and its directly supervised schools' data) change now?
pub fn data_writable(f: &Facts) -> Result<(), Refusal> {
    if f.parent.is_some_and(UnitState::is_submitted) {
        return Err(Refusal::ParentSubmitted);
    }
    match f.state {
        UnitState::Submitted | UnitState::AutoSubmitted => Err(Refusal::Submitted),
        UnitState::Returned { due } if f.now >= due => Err(Refusal::ReturnedDuePassed),
        UnitState::Returned { .. } => Ok(()),
        UnitState::Open => match f.window {
            Some(w) if f.now >= w.closes => Err(Refusal::DeadlinePassed),
            _ => Ok(()),
        },
    }
}

/// May the unit's reviewer submit now?
pub fn can_submit(f: &Facts) -> Result<(), Refusal> {
    if f.parent.is_some_and(UnitState::is_submitted) {
        return Err(Refusal::ParentSubmitted);
    }
    match f.state {
        UnitState::Submitted | UnitState::AutoSubmitted => return Err(Refusal::Submitted),
        UnitState::Returned { due } if f.now >= due => return Err(Refusal::ReturnedDuePassed),
        UnitState::Returned { .. } => {}
        UnitState::Open => match f.window {
            Some(w) if f.now < w.opens => return Err(Refusal::WindowNotOpen),
            Some(w) if f.now >= w.closes => return Err(Refusal::DeadlinePassed),
            _ => {}
        },
    }
    if !f.children_submitted {
        return Err(Refusal::ChildrenNotSubmitted);
    }
    Ok(())
}

/// Is an automatic submission due? Returns the instant it takes effect: the deadline
/// for an open period, the due time for a returned one.
pub fn auto_due(f: &Facts) -> Option<DateTime<Utc>> {
    match f.state {
        UnitState::Open => f.window.map(|w| w.closes).filter(|c| f.now >= *c),
        UnitState::Returned { due } => (f.now >= due).then_some(due),
        _ => None,
    }
}

/// May the parent's reviewer return this child's period at all, whatever the due time: the child
/// has submitted, and the parent has not (nor, itself returned, passed its due).
pub fn returnable(child: UnitState, parent: UnitState, now: DateTime<Utc>) -> Result<(), Refusal> {
    if !child.is_submitted() {
        return Err(Refusal::NotSubmitted);
    }
    if parent.is_submitted() {
        return Err(Refusal::ParentSubmitted);
    }
    if let UnitState::Returned { due } = parent {
        if now >= due {
            return Err(Refusal::ReturnedDuePassed);
        }
    }
    Ok(())
}

/// May the parent's reviewer return this child's submitted period with this due time? `parent`
/// is the parent's own facts (its state and window).
pub fn can_return(child: &Facts, parent: &Facts, due: DateTime<Utc>) -> Result<(), Refusal> {
    returnable(child.state, parent.state, parent.now)?;
    // Due ≤ the parent's own deadline (or its own due, if it was itself returned), and ahead.
    let limit = closes(parent);
    if due <= parent.now || limit.is_some_and(|l| due > l) {
        return Err(Refusal::DueOutOfRange);
    }
    Ok(())
}

/// May a school's period be returned by its supervising unit's reviewer at all, whatever the due
/// time: the school has confirmed it, and the unit has not submitted.
pub fn school_returnable(school_confirmed: bool, unit: UnitState) -> Result<(), Refusal> {
    if !school_confirmed {
        return Err(Refusal::NotSubmitted);
    }
    if unit.is_submitted() {
        return Err(Refusal::Submitted);
    }
    Ok(())
}

/// May a school's period be returned by its supervising unit's reviewer with this due time? The
/// due follows the same limit as a unit's return.
pub fn can_return_school(school_confirmed: bool, unit: &Facts, due: DateTime<Utc>) -> Result<(), Refusal> {
    school_returnable(school_confirmed, unit.state)?;
    let limit = closes(unit);
    if due <= unit.now || limit.is_some_and(|l| due > l) {
        return Err(Refusal::DueOutOfRange);
    }
    Ok(())
}

/// May a submitted unit ask to withdraw (Art. 18)? Its parent must not have submitted.
pub fn can_request_withdrawal(f: &Facts) -> Result<(), Refusal> {
    if !f.state.is_submitted() {
        return Err(Refusal::NotSubmitted);
    }
    if f.parent.is_some_and(UnitState::is_submitted) {
        return Err(Refusal::ParentSubmitted);
    }
    Ok(())
}

/// May the inspector ratify (审定)? Only a submitted period.
pub fn can_ratify(state: UnitState) -> Result<(), Refusal> {
    if state.is_submitted() {
        Ok(())
    } else {
        Err(Refusal::NotSubmitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{window_for, Period};
    use crate::model::Level;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn county(now: &str, state: UnitState, parent: Option<UnitState>, children: bool) -> Facts {
        Facts {
            now: at(now),
            window: window_for(Level::County, "2026-11".parse::<Period>().unwrap()),
            state,
            parent,
            children_submitted: children,
        }
    }

    const BEFORE: &str = "2026-11-30T23:59:59+08:00";
    const OPENS: &str = "2026-12-01T00:00:00+08:00";
    const LAST: &str = "2026-12-05T23:59:59+08:00";
    const AFTER: &str = "2026-12-06T00:00:00+08:00";

    fn states(due: &str) -> [UnitState; 4] {
        [UnitState::Open, UnitState::Submitted, UnitState::AutoSubmitted, UnitState::Returned { due: at(due) }]
    }

    /// Every state × every moment × children → the exact outcome of submit.
    #[test]
    fn submit_every_state_every_moment() {
        let due = "2026-12-08T18:00:00+08:00";
        for now in [BEFORE, OPENS, LAST, AFTER, "2026-12-08T17:59:59+08:00", "2026-12-08T18:00:00+08:00"] {
            for state in states(due) {
                for children in [true, false] {
                    for parent in [None, Some(UnitState::Open), Some(UnitState::Submitted)] {
                        let f = county(now, state, parent, children);
                        let got = can_submit(&f);
                        let t = at(now);
                        let want = if parent == Some(UnitState::Submitted) {
                            Err(Refusal::ParentSubmitted)
                        } else {
                            match state {
                                UnitState::Submitted | UnitState::AutoSubmitted => Err(Refusal::Submitted),
                                UnitState::Returned { due } if t >= due => Err(Refusal::ReturnedDuePassed),
                                UnitState::Open if t < at(OPENS) => Err(Refusal::WindowNotOpen),
                                UnitState::Open if t >= at(AFTER) => Err(Refusal::DeadlinePassed),
                                _ if !children => Err(Refusal::ChildrenNotSubmitted),
                                _ => Ok(()),
                            }
                        };
                        assert_eq!(got, want, "{now} {state:?} children={children} parent={parent:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_window_s_first_and_last_second() {
        assert_eq!(can_submit(&county(BEFORE, UnitState::Open, None, true)), Err(Refusal::WindowNotOpen));
        assert_eq!(can_submit(&county(OPENS, UnitState::Open, None, true)), Ok(()));
        assert_eq!(can_submit(&county(LAST, UnitState::Open, None, true)), Ok(()));
        assert_eq!(can_submit(&county(AFTER, UnitState::Open, None, true)), Err(Refusal::DeadlinePassed));
        assert_eq!(auto_due(&county(LAST, UnitState::Open, None, true)), None);
        assert_eq!(auto_due(&county(AFTER, UnitState::Open, None, true)), Some(at(AFTER)));
    }

    #[test]
    fn data_locks() {
        // Open: writable up to the deadline, also before the window (data is filled all month).
        assert_eq!(data_writable(&county(BEFORE, UnitState::Open, None, true)), Ok(()));
        assert_eq!(data_writable(&county(AFTER, UnitState::Open, None, true)), Err(Refusal::DeadlinePassed));
        for s in [UnitState::Submitted, UnitState::AutoSubmitted] {
            assert_eq!(data_writable(&county(LAST, s, None, true)), Err(Refusal::Submitted));
        }
        let due = at("2026-12-08T18:00:00+08:00");
        let returned = UnitState::Returned { due };
        assert_eq!(data_writable(&county("2026-12-07T00:00:00+08:00", returned, None, true)), Ok(()));
        assert_eq!(
            data_writable(&county("2026-12-08T18:00:00+08:00", returned, None, true)),
            Err(Refusal::ReturnedDuePassed)
        );
        assert_eq!(
            data_writable(&county(LAST, UnitState::Open, Some(UnitState::Submitted), true)),
            Err(Refusal::ParentSubmitted)
        );
        assert_eq!(auto_due(&county("2026-12-08T18:00:00+08:00", returned, None, true)), Some(due));
        assert_eq!(auto_due(&county("2026-12-08T17:00:00+08:00", returned, None, true)), None);
    }

    fn prefecture(now: &str, state: UnitState) -> Facts {
        Facts {
            now: at(now),
            window: window_for(Level::Prefecture, "2026-11".parse::<Period>().unwrap()),
            state,
            parent: Some(UnitState::Open),
            children_submitted: true,
        }
    }

    #[test]
    fn returns_respect_the_parents_deadline_or_due() {
        let now = "2026-12-07T09:00:00+08:00";
        let child = county(now, UnitState::Submitted, Some(UnitState::Open), true);
        let parent = prefecture(now, UnitState::Open);
        assert_eq!(can_return(&child, &parent, at("2026-12-08T18:00:00+08:00")), Ok(()));
        assert_eq!(can_return(&child, &parent, at("2026-12-10T23:59:59+08:00")), Ok(()));
        assert_eq!(can_return(&child, &parent, at("2026-12-11T00:00:01+08:00")), Err(Refusal::DueOutOfRange));
        assert_eq!(can_return(&child, &parent, at("2026-12-07T08:00:00+08:00")), Err(Refusal::DueOutOfRange));
        // A returned parent: its own due is the limit.
        let returned = prefecture(now, UnitState::Returned { due: at("2026-12-09T12:00:00+08:00") });
        assert_eq!(can_return(&child, &returned, at("2026-12-09T12:00:00+08:00")), Ok(()));
        assert_eq!(can_return(&child, &returned, at("2026-12-09T12:00:01+08:00")), Err(Refusal::DueOutOfRange));
        // Not submitted, or the parent has submitted.
        let open = county(now, UnitState::Open, Some(UnitState::Open), true);
        assert_eq!(can_return(&open, &parent, at("2026-12-08T18:00:00+08:00")), Err(Refusal::NotSubmitted));
        let submitted_parent = prefecture(now, UnitState::Submitted);
        assert_eq!(
            can_return(&child, &submitted_parent, at("2026-12-08T18:00:00+08:00")),
            Err(Refusal::ParentSubmitted)
        );
    }

    #[test]
    fn withdrawal_and_ratification() {
        let now = "2026-12-07T09:00:00+08:00";
        assert_eq!(can_request_withdrawal(&county(now, UnitState::Submitted, Some(UnitState::Open), true)), Ok(()));
        assert_eq!(can_request_withdrawal(&county(now, UnitState::AutoSubmitted, Some(UnitState::Open), true)), Ok(()));
        assert_eq!(
            can_request_withdrawal(&county(now, UnitState::Submitted, Some(UnitState::Submitted), true)),
            Err(Refusal::ParentSubmitted)
        );
        assert_eq!(can_request_withdrawal(&county(now, UnitState::Open, None, true)), Err(Refusal::NotSubmitted));
        assert_eq!(can_ratify(UnitState::AutoSubmitted), Ok(()));
        assert_eq!(can_ratify(UnitState::Returned { due: at(AFTER) }), Err(Refusal::NotSubmitted));
    }

    #[test]
    fn school_returns() {
        let now = "2026-12-03T09:00:00+08:00";
        let unit = county(now, UnitState::Open, Some(UnitState::Open), true);
        assert_eq!(can_return_school(true, &unit, at("2026-12-04T18:00:00+08:00")), Ok(()));
        assert_eq!(can_return_school(true, &unit, at("2026-12-06T00:00:01+08:00")), Err(Refusal::DueOutOfRange));
        assert_eq!(can_return_school(false, &unit, at("2026-12-04T18:00:00+08:00")), Err(Refusal::NotSubmitted));
        let submitted = county(now, UnitState::Submitted, Some(UnitState::Open), true);
        assert_eq!(can_return_school(true, &submitted, at("2026-12-04T18:00:00+08:00")), Err(Refusal::Submitted));
    }
}
