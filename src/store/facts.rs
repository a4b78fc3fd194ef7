//! The stored history the evaluation reads ("facts as they were"): every submission
//! event of the units of one level in a subtree over a range of periods, their returns, the
//! snapshot their first submission froze, their ratification, the provinces' texts and the
//! urgings. Each is one set-based query over the range, whatever its length.

use super::{in_subtree, params, Conn, Dialect, Tx};
use crate::error::Result;
use crate::model::{Level, Period};

/// One submission of a unit's period, as the audit trail recorded it, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitEvent {
    pub org_id: i64,
    pub period: Period,
    /// By the system at the deadline (`submit.auto`), or by the unit's reviewer.
    pub auto: bool,
    pub at: String,
    /// The plausibility warnings it passed on, where the event records them.
    pub flags: Option<i64>,
}

/// The bounds every query takes: the units of `level` in the subtree `lo..hi`, periods `from..=to`.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub level: Level,
    pub lo: &'a str,
    pub hi: &'a str,
    pub from: Period,
    pub to: Period,
}

/// Every submission event of the scope's units in its periods, oldest first.
pub fn submit_events(conn: &Conn, s: Scope) -> Result<Vec<SubmitEvent>> {
    // The count the event's detail recorded.
    let flags = match conn.dialect() {
        Dialect::Sqlite => "json_extract(a.detail, '$.after.flags')",
        Dialect::Postgres => "(a.detail::jsonb #>> '{after,flags}')::bigint",
    };
    let sql = format!(
        "SELECT o.id, a.period, a.action, a.at, {flags}
         FROM audit a JOIN org o ON o.code = a.target AND o.deleted_at IS NULL
         WHERE a.action IN ('submit', 'submit.auto') AND a.period >= ?1 AND a.period <= ?2
           AND o.level = ?3 AND {}
         ORDER BY a.seq",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        let period: String = r.get(1)?;
        let action: String = r.get(2)?;
        Ok(SubmitEvent {
            org_id: r.get(0)?,
            period: period.parse().map_err(|_| anyhow::anyhow!("a stored period {period}"))?,
            auto: action == "submit.auto",
            at: r.get(3)?,
            flags: r.get(4)?,
        })
    })
}

/// One return of a unit's period (a return by its parent, or a withdrawal approved).
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub org_id: i64,
    pub period: Period,
    pub withdrawal: bool,
    pub returned_at: String,
    pub due: String,
}

/// Every return of the scope's units in its periods, oldest first.
pub fn returns(conn: &Conn, s: Scope) -> Result<Vec<Return>> {
    let sql = format!(
        "SELECT r.org_id, r.period, r.action, r.returned_at, r.due FROM period_return r JOIN org o ON o.id = r.org_id
         WHERE r.period >= ?1 AND r.period <= ?2 AND o.level = ?3 AND {} ORDER BY r.id",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        let period: String = r.get(1)?;
        let action: String = r.get(2)?;
        Ok(Return {
            org_id: r.get(0)?,
            period: period.parse().map_err(|_| anyhow::anyhow!("a stored period {period}"))?,
            withdrawal: action == "withdraw.approve",
            returned_at: r.get(3)?,
            due: r.get(4)?,
        })
    })
}

/// What a unit's first submission of a period froze (its first snapshot).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FirstSnapshot {
    pub org_id: i64,
    pub period: String,
    pub schools_expected: i64,
    pub schools_confirmed: i64,
    pub own_state: Option<String>,
    /// JSON array of the roles missing, where the snapshot recorded them.
    pub staff_missing: Option<String>,
    pub schools_with_admin: Option<i64>,
}

/// The first snapshot of each of the scope's units' periods.
pub fn first_snapshots(conn: &Conn, s: Scope) -> Result<Vec<FirstSnapshot>> {
    // One JSON array of the figures the facts need; the units first (CROSS JOIN keeps that order
    // in SQLite), each unit's snapshots by their index.
    let figures = match conn.dialect() {
        Dialect::Sqlite => {
            "json_extract(n.figures, '$.schools_expected', '$.schools_confirmed', '$.own_state',
                          '$.staff_missing', '$.schools_with_admin')"
        }
        Dialect::Postgres => {
            "(SELECT jsonb_build_array(f -> 'schools_expected', f -> 'schools_confirmed', f -> 'own_state',
                                       f -> 'staff_missing', f -> 'schools_with_admin')::text
              FROM (SELECT n.figures::jsonb AS f) j)"
        }
    };
    let sql = format!(
        "SELECT n.org_id, n.period, {figures}
         FROM org o CROSS JOIN snapshot n ON n.org_id = o.id
         WHERE n.period >= ?1 AND n.period <= ?2 AND o.level = ?3 AND {}
           AND n.id = (SELECT min(m.id) FROM snapshot m WHERE m.org_id = n.org_id AND m.period = n.period)",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        let parts: String = r.get(2)?;
        let v: serde_json::Value = serde_json::from_str(&parts)?;
        let int = |k: usize| v.get(k).and_then(serde_json::Value::as_i64);
        Ok(FirstSnapshot {
            org_id: r.get(0)?,
            period: r.get(1)?,
            schools_expected: int(0).unwrap_or(0),
            schools_confirmed: int(1).unwrap_or(0),
            own_state: v.get(2).and_then(|x| x.as_str()).map(str::to_string),
            staff_missing: v.get(3).filter(|x| !x.is_null()).map(|x| x.to_string()),
            schools_with_admin: int(4),
        })
    })
}

/// Each of the scope's units' periods that is ratified now: (org, period).
pub fn ratified(conn: &Conn, s: Scope) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT sub.org_id, sub.period FROM submission sub JOIN org o ON o.id = sub.org_id
         WHERE sub.period >= ?1 AND sub.period <= ?2 AND sub.ratified_at IS NOT NULL AND o.level = ?3 AND {}",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Each of the scope's units' monthly texts (provinces, Art. 20): (org, period, first filed,
/// whether the first was late).
pub fn texts(conn: &Conn, s: Scope) -> Result<Vec<(i64, String, String, bool)>> {
    let sql = format!(
        "SELECT t.org_id, t.period, min(t.filed_at), min(t.late) FROM report_text t JOIN org o ON o.id = t.org_id
         WHERE t.period >= ?1 AND t.period <= ?2 AND o.level = ?3 AND {} GROUP BY t.org_id, t.period",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
}

/// How often each of the scope's units was urged for each period: (org, period, times).
pub fn urgings(conn: &Conn, s: Scope) -> Result<Vec<(i64, String, i64)>> {
    let sql = format!(
        "SELECT u.org_id, u.period, count(*) FROM urge u JOIN org o ON o.id = u.org_id
         WHERE u.period >= ?1 AND u.period <= ?2 AND o.level = ?3 AND {} GROUP BY u.org_id, u.period",
        in_subtree("o", "?4", "?5")
    );
    conn.all(&sql, params![s.from.to_string(), s.to.to_string(), s.level.as_str(), s.lo, s.hi], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// Record that `by` urged a unit for a period (催报).
pub fn urge(tx: &Tx, org_id: i64, period: Period, by: i64) -> Result<()> {
    tx.exec(
        "INSERT INTO urge(org_id, period, urged_by, urged_at) VALUES (?1, ?2, ?3, ?4)",
        params![org_id, period.to_string(), by, tx.now_stored()],
    )?;
    Ok(())
}
