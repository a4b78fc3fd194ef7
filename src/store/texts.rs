//! Storage of the provinces' monthly report texts (`report_text`, Art. 20): every version filed
//! is kept; the latest is the text.

use super::{in_subtree, params, Conn};
use crate::error::Result;
use crate::model::{Org, Period};

/// A filed text: the body, who filed it, when, and whether after the month's end.
#[derive(Debug, Clone)]
pub struct Text {
    pub body: String,
    pub filed_by: String,
    pub filed_at: String,
    pub late: bool,
}

/// The latest text an org filed for a period.
pub fn latest(conn: &Conn, org_id: i64, period: Period) -> Result<Option<Text>> {
    conn.opt(
        "SELECT r.body, a.username, r.filed_at, r.late FROM report_text r JOIN account a ON a.id = r.filed_by
         WHERE r.org_id = ?1 AND r.period = ?2 ORDER BY r.id DESC LIMIT 1",
        params![org_id, period.to_string()],
        |r| Ok(Text { body: r.get(0)?, filed_by: r.get(1)?, filed_at: r.get(2)?, late: r.get(3)? }),
    )
}

/// File a new version of an org's text; its id.
pub fn insert(conn: &Conn, org_id: i64, period: Period, body: &str, by: i64, now: &str, late: bool) -> Result<i64> {
    conn.insert(
        "INSERT INTO report_text(org_id, period, body, filed_by, filed_at, late) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![org_id, period.to_string(), body, by, now, late],
    )
}

/// The provinces of a subtree that have filed no text for the period: (code, name), by code.
pub fn provinces_without(conn: &Conn, root: &Org, period: Period) -> Result<Vec<(String, String)>> {
    let (lo, hi) = root.subtree();
    let sql = format!(
        "SELECT o.code, o.name FROM org o WHERE {} AND o.level = 'province'
           AND NOT EXISTS (SELECT 1 FROM report_text r WHERE r.org_id = o.id AND r.period = ?3)
         ORDER BY o.code",
        in_subtree("o", "?1", "?2")
    );
    conn.all(&sql, params![lo, hi, period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
}
