//! Storage of the monthly cycle: each unit's submission of a period (`submission`),
//! the snapshot each submission freezes (`snapshot`), the withdrawal requests a submission may
//! meet (`request` rows of kind `withdraw`), and the reads the automatic submissions are found by.

use super::orgs::{org_at, org_from_row, org_select};
use super::{in_subtree, params, Conn, Tx};
use crate::error::Result;
use crate::model::{Level, Org, Period};

// ---------------------------------------------------------------- a unit's submission

/// A unit's submission of a period, as stored (`open` when there is none). What its state means
/// for the cycle is [`crate::submission`]'s.
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

/// A unit's submission of a period; `open` when there is none.
pub fn submission(conn: &Conn, org_id: i64, period: Period) -> Result<Submission> {
    Ok(conn
        .opt(
            "SELECT s.state, s.submitted_at, a.username, s.incomplete_schools, ret.due, ret.reason,
                    s.ratified_at, r.username
             FROM submission s LEFT JOIN account a ON a.id = s.submitted_by LEFT JOIN account r ON r.id = s.ratified_by
                  LEFT JOIN period_return ret ON ret.id = s.return_id
             WHERE s.org_id = ?1 AND s.period = ?2",
            params![org_id, period.to_string()],
            |r| {
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
            },
        )?
        .unwrap_or_else(|| Submission { state: "open".into(), ..Default::default() }))
}

/// The earliest period returned to a unit and not yet submitted again, if any.
pub fn first_returned(conn: &Conn, org_id: i64) -> Result<Option<Period>> {
    let returned: Option<String> = conn.opt(
        "SELECT period FROM submission WHERE org_id = ?1 AND state = 'returned' ORDER BY period LIMIT 1",
        params![org_id],
        |r| r.get(0),
    )?;
    Ok(returned.and_then(|p| p.parse().ok()))
}

/// The latest period a unit's submission holds (submitted, submitted by the system, or returned
/// to be submitted again), if any.
pub fn latest_held(conn: &Conn, org_id: i64) -> Result<Option<Period>> {
    let p: Option<String> =
        conn.one("SELECT max(period) FROM submission WHERE org_id = ?1", params![org_id], |r| r.get(0))?;
    Ok(p.and_then(|p| p.parse().ok()))
}

/// Record a unit's submission (`submitted` by `by`, or `auto_submitted` by the system) as of `at`.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &Conn,
    org_id: i64,
    period: Period,
    state: &str,
    at: &str,
    by: Option<i64>,
    incomplete: i64,
    own_state: &str,
    flags: i64,
) -> Result<()> {
    conn.exec(
        "INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, incomplete_schools, own_state, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(org_id, period) DO UPDATE SET state = excluded.state, submitted_at = excluded.submitted_at,
             submitted_by = excluded.submitted_by, incomplete_schools = excluded.incomplete_schools,
             own_state = excluded.own_state, flags = excluded.flags, return_id = NULL",
        params![org_id, period.to_string(), state, at, by, incomplete, own_state, flags],
    )?;
    Ok(())
}

/// Mark a unit's submitted period returned, under the return `return_id`
/// ([`super::returns::insert`]); its ratification, if any, is void.
pub fn mark_returned(tx: &Tx, org_id: i64, period: Period, return_id: i64) -> Result<()> {
    tx.exec(
        "UPDATE submission SET state = 'returned', return_id = ?1, ratified_at = NULL, ratified_by = NULL
         WHERE org_id = ?2 AND period = ?3",
        params![return_id, org_id, period.to_string()],
    )?;
    Ok(())
}

/// Who last returned a unit's period, when, and until when: (username, returned_at, due).
pub fn returned_by(
    conn: &Conn,
    org_id: i64,
    period: Period,
) -> Result<(Option<String>, Option<String>, Option<String>)> {
    Ok(conn
        .opt(
            "SELECT a.username, r.returned_at, r.due FROM period_return r LEFT JOIN account a ON a.id = r.returned_by
             WHERE r.org_id = ?1 AND r.period = ?2 ORDER BY r.id DESC LIMIT 1",
            params![org_id, period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .unwrap_or((None, None, None)))
}

/// Record the inspector's ratification of a unit's period.
pub fn mark_ratified(conn: &Conn, org_id: i64, period: Period, now: &str, by: i64) -> Result<()> {
    conn.exec(
        "UPDATE submission SET ratified_at = ?1, ratified_by = ?2 WHERE org_id = ?3 AND period = ?4",
        params![now, by, org_id, period.to_string()],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- snapshots

/// Freeze a submission's snapshot: the unit's figures and its children's, as JSON.
pub fn insert_snapshot(
    conn: &Conn,
    org_id: i64,
    period: Period,
    now: &str,
    figures: &str,
    children: &str,
) -> Result<()> {
    conn.exec(
        "INSERT INTO snapshot(org_id, period, taken_at, figures, children) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![org_id, period.to_string(), now, figures, children],
    )?;
    Ok(())
}

/// Stream the latest snapshot figures of every unit of the subtree `lo..hi` that has submitted
/// the period: (code, figures).
pub fn each_frozen(
    conn: &Conn,
    lo: &str,
    hi: &str,
    period: Period,
    mut f: impl FnMut(String, String) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT o.code, (SELECT figures FROM snapshot n WHERE n.org_id = o.id AND n.period = ?1 ORDER BY n.id DESC LIMIT 1)
         FROM submission s JOIN org o ON o.id = s.org_id
         WHERE s.period = ?1 AND s.state IN ('submitted', 'auto_submitted') AND {}",
        in_subtree("o", "?2", "?3")
    );
    conn.each(&sql, params![period.to_string(), lo, hi], |r| match r.get::<Option<String>>(1)? {
        Some(figures) => f(r.get(0)?, figures),
        None => Ok(()),
    })
}

/// The latest snapshot figures of a unit that has submitted the period, if it has.
pub fn frozen(conn: &Conn, org_id: i64, period: Period) -> Result<Option<String>> {
    conn.opt(
        "SELECT n.figures FROM submission s JOIN snapshot n ON n.org_id = s.org_id AND n.period = s.period
         WHERE s.org_id = ?1 AND s.period = ?2 AND s.state IN ('submitted', 'auto_submitted')
         ORDER BY n.id DESC LIMIT 1",
        params![org_id, period.to_string()],
        |r| r.get(0),
    )
}

// ---------------------------------------------------------------- what the automatic submissions are found by

/// The first period anything was submitted for (an index end).
pub fn first_submitted_period(conn: &Conn) -> Result<Option<Period>> {
    let first: Option<String> = conn.one("SELECT min(period) FROM submission", params![], |r| r.get(0))?;
    Ok(first.and_then(|p| p.parse().ok()))
}

/// The units of `level` created before `created_before` (a stored time) with no submission of
/// the period at all, in tree order.
pub fn unsubmitted(conn: &Conn, level: Level, created_before: &str, period: Period) -> Result<Vec<Org>> {
    conn.all(
        concat!(
            org_select!(),
            " WHERE o.level = ?1 AND o.created_at < ?2
               AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.org_id = o.id AND s.period = ?3)
             ORDER BY o.path"
        ),
        params![level.as_str(), created_before, period.to_string()],
        org_from_row,
    )
}

/// The units of `level` whose period was returned with a due time at or before `now` (a stored
/// time), in tree order, each with its due.
pub fn returned_due_by(conn: &Conn, period: Period, now: &str, level: Level) -> Result<Vec<(Org, String)>> {
    // SQLite: CROSS JOIN fixes the join order (submission first, by its period index); in
    // another dialect this is a plain JOIN.
    conn.all(
        "SELECT o.id, o.code, o.name, o.level, p.code, o.path, o.created_at, ret.due
         FROM submission s CROSS JOIN org o ON o.id = s.org_id LEFT JOIN org p ON p.id = o.parent_id
              JOIN period_return ret ON ret.id = s.return_id
         WHERE s.period = ?1 AND s.state = 'returned' AND ret.due <= ?2 AND o.level = ?3 ORDER BY o.path",
        params![period.to_string(), now, level.as_str()],
        |r| Ok((org_at(r, 0)?, r.get(7)?)),
    )
}

/// Keep a setting without waiting for another writer: a best-effort write (a busy or read-only
/// file leaves it as it was, and that is not an error).
pub fn put_setting_without_waiting(conn: &Conn, key: &str, value: &str) -> Result<()> {
    let sql = "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    match conn.raw() {
        // SQLite: the busy timeout is the driver's; none for this write, then the usual again.
        Some(raw) => {
            raw.busy_timeout(std::time::Duration::ZERO)?;
            let _ = conn.exec(sql, params![key, value]);
            raw.busy_timeout(super::BUSY_TIMEOUT)?;
        }
        // PostgreSQL: a lock not had at once is given up on (and the session's timeout restored).
        None => {
            let _ = conn.batch("SET lock_timeout = 1");
            let _ = conn.exec(sql, params![key, value]);
            let _ = conn.batch("RESET lock_timeout; SET lock_timeout = '60s'");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the 催报 list

/// One org of the 催报 list: not yet submitted (a unit) or confirmed (a school), with the first
/// active admin (or school admin) as its contact: none when it has no active admin (an active
/// account always has a mobile, so `mobile` is empty exactly then).
#[derive(Debug, Clone)]
pub struct Missing {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    /// The unit's submission state, or the school's data state.
    pub state: String,
    pub contact: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

impl Missing {
    /// Whether it has an active admin (a school: school admin) to urge.
    pub fn has_contact(&self) -> bool {
        self.mobile.is_some()
    }
}

/// Every unit below the Ministry in the subtree `lo..hi` not yet submitted and every expected
/// school not yet confirmed, in tree order.
pub fn missing(conn: &Conn, lo: &str, hi: &str, period: Period) -> Result<Vec<Missing>> {
    // SQLite: char(31) joins the contact's three fields in one subquery; a name not yet given
    // is empty, so the mobile and email still come through.
    let sql = format!(
        "SELECT o.code, o.name, o.level, p.code,
                CASE WHEN o.level = 'school' THEN COALESCE(op.state, 'open') ELSE COALESCE(sub.state, 'open') END, s.kind,
                (SELECT COALESCE(a.name, '') || char(31) || a.mobile || char(31) || COALESCE(a.email, '')
                 FROM account a WHERE a.org_id = o.id AND a.status = 'active' AND a.role IN ('admin', 'school_admin')
                 ORDER BY a.username LIMIT 1)
         FROM org o LEFT JOIN org p ON p.id = o.parent_id
         LEFT JOIN school s ON s.org_id = o.id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = ?1
         LEFT JOIN submission sub ON sub.org_id = o.id AND sub.period = ?1
         WHERE (({} AND NOT EXISTS ({held} AND NOT (u.path >= ?2 AND u.path < ?3)))
                OR o.id IN (SELECT so.org_id FROM school_owner so JOIN org u ON u.id = so.unit_id
                            WHERE so.until_period > ?1 AND u.path >= ?2 AND u.path < ?3
                              AND so.until_period = (SELECT min(s2.until_period) FROM school_owner s2
                                                     WHERE s2.org_id = so.org_id AND s2.until_period > ?1)))
           AND o.level <> 'ministry'
           AND ((o.level <> 'school' AND o.created_at < ?5
                 AND COALESCE(sub.state, 'open') NOT IN ('submitted', 'auto_submitted'))
             OR (o.level = 'school' AND ({}) AND COALESCE(op.state, 'open') <> 'confirmed'))
         ORDER BY o.path",
        in_subtree("o", "?2", "?3"),
        super::schools::expected_clause("?4", "?5"),
        // A school whose period belongs to a unit other than its supervising unit now (it moved
        // after that unit's submission held the period) is listed where the period belongs.
        held = "SELECT 1 FROM school_owner so JOIN org u ON u.id = so.unit_id
                WHERE so.org_id = o.id AND so.until_period > ?1
                  AND so.until_period = (SELECT min(s2.until_period) FROM school_owner s2
                                         WHERE s2.org_id = so.org_id AND s2.until_period > ?1)"
    );
    let starts = crate::calendar::stored(period.starts());
    let ends = crate::calendar::stored(period.ends());
    conn.all(&sql, params![period.to_string(), lo, hi, starts, ends], |r| {
        let level: String = r.get(2)?;
        let contact: Option<String> = r.get(6)?;
        let mut parts = contact.as_deref().unwrap_or("").split('\u{1f}').map(str::to_string);
        let mut next = || parts.next().filter(|s| !s.is_empty());
        let (contact, mobile, email) = (next(), next(), next());
        Ok(Missing {
            code: r.get(0)?,
            name: r.get(1)?,
            level: Level::parse(&level).unwrap_or(Level::School),
            parent: r.get(3)?,
            state: r.get(4)?,
            contact,
            mobile,
            email,
        })
    })
}
