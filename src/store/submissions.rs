//! Storage of the monthly cycle: each org's data state per period (`org_period`) and each unit's
//! submission (`submission`).

use crate::store::Conn;
use rusqlite::{params, OptionalExtension};

use crate::error::Result;
use crate::model::Period;

/// The data state of an org in a period (docs/ARCHITECTURE.md, "States"): open, filled, confirmed, returned.
pub fn state_of(conn: &Conn, org_id: i64, period: Period) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT state FROM org_period WHERE org_id = ?1 AND period = ?2")?
        .query_row(params![org_id, period.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "open".into()))
}

/// The earliest period returned to a unit and not yet submitted again, if any.
pub fn first_returned(conn: &Conn, org_id: i64) -> Result<Option<Period>> {
    let returned: Option<String> = conn
        .prepare_cached(
            "SELECT period FROM submission WHERE org_id = ?1 AND state = 'returned' ORDER BY period LIMIT 1",
        )?
        .query_row(params![org_id], |r| r.get(0))
        .optional()?;
    Ok(returned.and_then(|p| p.parse().ok()))
}
