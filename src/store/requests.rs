//! Storage of requests: the `request` table, one row per request whatever its kind, and
//! `request_step`, the levels that decided a request that climbs (a school transfer, Art. 13).

use super::{params, Conn, Row, Tx};
use crate::error::Result;
use crate::model::Period;

/// A request as listed and shown.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub kind: String,
    pub status: String,
    /// The org the request is about, by id: a deleted school's code may be used again.
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub awaiting_code: Option<String>,
    pub period: Option<String>,
    pub payload: String,
    pub reason: Option<String>,
    pub filed_by: String,
    pub filed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    /// The units that have approved a step so far (school transfers climb level by level).
    pub steps: Vec<String>,
}

/// Every column of [`Request`], ready for a `WHERE` or an `ORDER BY` on `r`.
macro_rules! request_select {
    () => {
        "SELECT r.id, r.kind, r.status, o.code, o.name, o.path, w.code, r.period, r.payload, r.reason,
        f.username, r.filed_at, d.username, r.decided_at, r.decision_reason,
        (SELECT group_concat(so.code, ',') FROM request_step st JOIN org so ON so.id = st.org_id WHERE st.request_id = r.id),
        r.org_id
    FROM request r JOIN org o ON o.id = r.org_id LEFT JOIN org w ON w.id = r.awaiting_org_id
    JOIN account f ON f.id = r.filed_by LEFT JOIN account d ON d.id = r.decided_by"
    };
}

fn request_from_row(r: &Row) -> Result<Request> {
    Ok(Request {
        id: r.get(0)?,
        kind: r.get(1)?,
        status: r.get(2)?,
        org_code: r.get(3)?,
        org_name: r.get(4)?,
        org_path: r.get(5)?,
        awaiting_code: r.get(6)?,
        period: r.get(7)?,
        payload: r.get(8)?,
        reason: r.get(9)?,
        filed_by: r.get(10)?,
        filed_at: r.get(11)?,
        decided_by: r.get(12)?,
        decided_at: r.get(13)?,
        decision_reason: r.get(14)?,
        steps: r.get::<Option<String>>(15)?.map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default(),
        org_id: r.get(16)?,
    })
}

/// The request with this id.
pub fn by_id(conn: &Conn, id: i64) -> Result<Option<Request>> {
    conn.opt(concat!(request_select!(), " WHERE r.id = ?1"), params![id], request_from_row)
}

/// Every request, newest first.
pub fn newest_first(conn: &Conn) -> Result<Vec<Request>> {
    conn.all(concat!(request_select!(), " ORDER BY r.id DESC"), params![], request_from_row)
}

/// The pending request of this kind about this org, if there is one.
pub fn pending_for(conn: &Conn, kind: &str, org_id: i64) -> Result<Option<i64>> {
    conn.opt(
        "SELECT id FROM request WHERE kind = ?1 AND status = 'pending' AND org_id = ?2",
        params![kind, org_id],
        |r| r.get(0),
    )
}

/// A new request, pending, about one org and awaiting another's decision, filed now.
pub struct NewRequest<'a> {
    pub kind: &'a str,
    pub org_id: i64,
    pub awaiting_org_id: i64,
    pub payload: &'a str,
    pub reason: Option<&'a str>,
    pub filed_by: i64,
}

/// File a request ([`NewRequest`]); its id.
pub fn insert(tx: &Tx, new: &NewRequest) -> Result<i64> {
    tx.insert(
        "INSERT INTO request(kind, status, org_id, awaiting_org_id, payload, reason, filed_by, filed_at)
         VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![new.kind, new.org_id, new.awaiting_org_id, new.payload, new.reason, new.filed_by, tx.now_stored()],
    )
}

/// One level's decision on a request that climbs, now: step `seq` (from 1), by an account of
/// `org_id`.
pub fn insert_step(
    tx: &Tx,
    request_id: i64,
    seq: i64,
    org_id: i64,
    decision: &str,
    decided_by: i64,
    reason: Option<&str>,
) -> Result<()> {
    tx.exec(
        "INSERT INTO request_step(request_id, seq, org_id, decision, decided_by, decided_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![request_id, seq, org_id, decision, decided_by, tx.now_stored(), reason],
    )?;
    Ok(())
}

/// Pass a request on to the org whose decision it now awaits.
pub fn set_awaiting(tx: &Tx, id: i64, org_id: i64) -> Result<()> {
    tx.exec("UPDATE request SET awaiting_org_id = ?1 WHERE id = ?2", params![org_id, id])?;
    Ok(())
}

/// Decide a request that is still pending, now (`status` is `approved` or `rejected`); whether
/// it was (false: it had been decided already).
pub fn decide(tx: &Tx, id: i64, status: &str, decided_by: i64, reason: Option<&str>) -> Result<bool> {
    let n = tx.exec(
        "UPDATE request SET status = ?1, decided_by = ?2, decided_at = ?3, decision_reason = ?4
         WHERE id = ?5 AND status = 'pending'",
        params![status, decided_by, tx.now_stored(), reason, id],
    )?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- withdrawal requests

/// The pending withdrawal request of a unit's period, if any.
pub fn pending_withdrawal(conn: &Conn, org_id: i64, period: Period) -> Result<Option<i64>> {
    conn.opt(
        "SELECT id FROM request WHERE kind = 'withdraw' AND status = 'pending' AND org_id = ?1 AND period = ?2",
        params![org_id, period.to_string()],
        |r| r.get(0),
    )
}

/// File a withdrawal request of a unit's period with its parent; its id.
pub fn insert_withdrawal(
    conn: &Conn,
    org_id: i64,
    period: Period,
    parent_id: i64,
    reason: &str,
    by: i64,
    now: &str,
) -> Result<i64> {
    conn.insert(
        "INSERT INTO request(kind, status, org_id, period, awaiting_org_id, payload, reason, filed_by, filed_at)
         VALUES ('withdraw', 'pending', ?1, ?2, ?3, '{}', ?4, ?5, ?6)",
        params![org_id, period.to_string(), parent_id, reason, by, now],
    )
}

// ---------------------------------------------------------------- roster requests

/// File a roster request from `org_id` awaiting `awaiting_org_id`, its payload still empty; its
/// new id.
pub fn file_roster(tx: &Tx, org_id: i64, awaiting_org_id: i64, filed_by: i64, now: &str) -> Result<i64> {
    tx.insert(
        "INSERT INTO request(kind, status, org_id, awaiting_org_id, payload, filed_by, filed_at)
         VALUES ('roster', 'pending', ?1, ?2, '{}', ?3, ?4)",
        params![org_id, awaiting_org_id, filed_by, now],
    )
}

/// Store a roster request's payload (its diff, as JSON).
pub fn set_payload(tx: &Tx, id: i64, payload: &str) -> Result<()> {
    tx.exec("UPDATE request SET payload = ?1 WHERE id = ?2", params![payload, id])?;
    Ok(())
}
