//! Storage of roster requests: the `request` rows a province files with its personnel form for
//! the Ministry to decide (Art. 9–10). Listing and deciding requests of every kind is the
//! requests module's own.

use super::{params, Conn, Tx};
use crate::error::Result;

/// The id of the roster request a unit has pending, if any.
pub fn pending_of(conn: &Conn, org_id: i64) -> Result<Option<i64>> {
    conn.opt(
        "SELECT id FROM request WHERE kind = 'roster' AND status = 'pending' AND org_id = ?1",
        params![org_id],
        |r| r.get(0),
    )
}

/// File a roster request from `org_id` awaiting `awaiting_org_id`, its payload still empty; its
/// new id.
pub fn file(tx: &Tx, org_id: i64, awaiting_org_id: i64, filed_by: i64, now: &str) -> Result<i64> {
    tx.one(
        "INSERT INTO request(kind, status, org_id, awaiting_org_id, payload, filed_by, filed_at)
         VALUES ('roster', 'pending', ?1, ?2, '{}', ?3, ?4) RETURNING id",
        params![org_id, awaiting_org_id, filed_by, now],
        |r| r.get(0),
    )
}

/// Store a roster request's payload (its diff, as JSON).
pub fn set_payload(tx: &Tx, id: i64, payload: &str) -> Result<()> {
    tx.exec("UPDATE request SET payload = ?1 WHERE id = ?2", params![payload, id])?;
    Ok(())
}
