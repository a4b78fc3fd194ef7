//! Storage of returns (`period_return`): every time a period went back to an org — a unit's
//! submission returned by its parent's reviewer or its withdrawal approved, a school's confirmed
//! figures returned by its unit. The one place a return's due and reason live; the org's state
//! row points at the return in force while it is returned. Rows are history: never changed.

use super::{params, Conn, Tx};
use crate::error::Result;
use crate::model::Period;

/// Record a return of `org_id`'s `period` by account `by`, due at `due` (a stored time); its id,
/// for the state row to point at.
pub fn insert(tx: &Tx, org_id: i64, period: Period, action: &str, by: i64, due: &str, reason: &str) -> Result<i64> {
    tx.insert(
        "INSERT INTO period_return(org_id, period, action, returned_at, returned_by, due, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![org_id, period.to_string(), action, tx.now_stored(), by, due, reason],
    )
}

/// The return in force on an org's returned period: (reason, due).
pub fn in_force(conn: &Conn, org_id: i64, period: Period) -> Result<Option<(String, String)>> {
    conn.opt(
        "SELECT r.reason, r.due FROM org_period op JOIN period_return r ON r.id = op.return_id
         WHERE op.org_id = ?1 AND op.period = ?2
         UNION ALL
         SELECT r.reason, r.due FROM submission s JOIN period_return r ON r.id = s.return_id
         WHERE s.org_id = ?1 AND s.period = ?2",
        params![org_id, period.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}
