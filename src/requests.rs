//! One inbox for requests (SPEC §6): who filed what, whose decision it awaits, and the decision.
//! Each kind's own rules live with its domain (roster requests in [`crate::roster`]).

use crate::store::Conn;
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::audit::Event;
use crate::auth::Actor;
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::tf;

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

const SELECT: &str = "SELECT r.id, r.kind, r.status, o.code, o.name, o.path, w.code, r.period, r.payload, r.reason,
        f.username, r.filed_at, d.username, r.decided_at, r.decision_reason,
        (SELECT group_concat(so.code) FROM request_step st JOIN org so ON so.id = st.org_id WHERE st.request_id = r.id),
        r.org_id
    FROM request r JOIN org o ON o.id = r.org_id LEFT JOIN org w ON w.id = r.awaiting_org_id
    JOIN account f ON f.id = r.filed_by LEFT JOIN account d ON d.id = r.decided_by";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Request> {
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
        steps: r.get::<_, Option<String>>(15)?.map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default(),
        org_id: r.get(16)?,
    })
}

impl Request {
    /// Whether the actor may see it: it concerns the actor's scope, or awaits the actor's unit.
    /// A school transfer climbs level by level (Art. 13): each ancestor sees it only from its turn
    /// on, so above the filing unit only the units whose turn has come see it.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        let awaits_me = self.status == "pending" && self.awaiting_code.as_deref() == Some(actor.org.code.as_str());
        if self.kind == "school_transfer" {
            // The filing side: the supervising unit that filed it, and the school itself.
            let from = serde_json::from_str::<serde_json::Value>(&self.payload)
                .ok()
                .and_then(|p| p["from"].as_str().map(str::to_string))
                .unwrap_or_default();
            let filer_side = actor.org.code == from || actor.org.id == self.org_id;
            let decided = self.steps.contains(&actor.org.code);
            let destination = self.status == "approved" && actor.scope().contains_path(&self.org_path);
            return awaits_me || filer_side || decided || destination;
        }
        actor.scope().contains_path(&self.org_path) || awaits_me
    }
}

/// The request with this id, if the actor may see it; else "not found" (SPEC §1).
pub fn find(conn: &Conn, actor: &Actor, id: i64) -> Result<Request> {
    let r = conn.prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?.query_row(params![id], from_row).optional()?;
    match r {
        Some(r) if r.visible_to(actor) => Ok(r),
        _ => Err(error::not_found(tf("request.none", &[("id", &id)])).into()),
    }
}

/// What awaits the actor's unit and what the actor filed (pending), or with `all` every
/// request the actor may see; newest first.
pub fn list(conn: &Conn, actor: &Actor, all: bool) -> Result<Vec<Request>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY r.id DESC"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            if all {
                r.visible_to(actor)
            } else {
                r.status == "pending"
                    && (r.awaiting_code.as_deref() == Some(actor.org.code.as_str()) || r.filed_by == actor.username)
            }
        })
        .collect())
}

/// A request must still be pending to be decided.
pub fn require_pending(r: &Request) -> Result<()> {
    if r.status != "pending" {
        return Err(Error::new(
            Kind::Refused,
            tf(
                "request.decided",
                &[("id", &r.id), ("status", &r.status), ("by", &r.decided_by.as_deref().unwrap_or("-"))],
            ),
        )
        .into());
    }
    Ok(())
}

/// A school transfer that has climbed past the actor's unit: the actor's unit decided its step
/// and the request now awaits the next unit up. Said as a refusal (exit 5), not as "not
/// permitted", so the loser of two decisions of one step learns what happened.
pub fn require_awaiting(actor: &Actor, r: &Request) -> Result<()> {
    let awaiting = r.awaiting_code.as_deref().unwrap_or("");
    if r.status == "pending" && awaiting != actor.org.code && r.steps.contains(&actor.org.code) {
        return Err(Error::new(
            Kind::Refused,
            tf("races.moved_on", &[("id", &r.id), ("unit", &actor.org.code), ("next", &awaiting)]),
        )
        .reason("decided")
        .into());
    }
    Ok(())
}

/// The request `seen` again, read inside the write transaction that decides it: still pending,
/// and still awaiting the unit it awaited when the decision was checked (docs/DECISIONS.md,
/// "Every state change decides inside its transaction"). Of an approval and a rejection started
/// together, the second finds the first's decision and is refused (exit 5).
pub fn reload_pending(tx: &Tx, actor: &Actor, seen: &Request) -> Result<Request> {
    let r = find(tx, actor, seen.id)?;
    require_pending(&r)?;
    if r.awaiting_code != seen.awaiting_code {
        let unit = seen.awaiting_code.as_deref().unwrap_or("");
        let next = r.awaiting_code.as_deref().unwrap_or("");
        return Err(Error::new(
            Kind::Refused,
            tf("races.moved_on", &[("id", &r.id), ("unit", &unit), ("next", &next)]),
        )
        .reason("decided")
        .into());
    }
    Ok(r)
}

/// Record one level's approval of a request that climbs (a school transfer), and pass it on.
pub fn record_step(
    tx: &mut Tx,
    actor: &Actor,
    r: &Request,
    next: Option<i64>,
    approved: bool,
    reason: Option<&str>,
) -> Result<()> {
    let seq = r.steps.len() as i64 + 1;
    let decision = if approved { "approved" } else { "rejected" };
    tx.execute(
        "INSERT INTO request_step(request_id, seq, org_id, decision, decided_by, decided_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.id, seq, actor.org.id, decision, actor.account_id, tx.now_stored(), reason],
    )?;
    if let Some(next) = next {
        tx.execute("UPDATE request SET awaiting_org_id = ?1 WHERE id = ?2", params![next, r.id])?;
        tx.audit(
            Event::new("request.step")
                .target(r.id.to_string())
                .scope(&actor.org.path)
                .detail(json!({ "kind": r.kind, "step": seq, "approved_by": actor.org.code })),
        )?;
    }
    Ok(())
}

/// Record the decision on the request row and in the audit trail.
pub fn record_decision(tx: &mut Tx, actor: &Actor, r: &Request, approved: bool, reason: Option<&str>) -> Result<()> {
    let status = if approved { "approved" } else { "rejected" };
    let now = tx.now_stored();
    // Only a pending request is decided: the last guard of the rule that a decision is taken
    // once (the caller has read it pending in this same transaction).
    let n = tx.execute(
        "UPDATE request SET status = ?1, decided_by = ?2, decided_at = ?3, decision_reason = ?4
         WHERE id = ?5 AND status = 'pending'",
        params![status, actor.account_id, now, reason, r.id],
    )?;
    if n != 1 {
        return Err(Error::new(Kind::Refused, tf("races.decided", &[("id", &r.id)])).reason("decided").into());
    }
    tx.audit(
        Event::new(if approved { "request.approve" } else { "request.reject" })
            .target(r.id.to_string())
            .scope(&r.org_path)
            .reason(reason)
            .detail(json!({ "kind": r.kind, "before": { "status": "pending" }, "after": { "status": status } })),
    )?;
    Ok(())
}
