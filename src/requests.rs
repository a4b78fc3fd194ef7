//! One inbox for requests: who filed what, whose decision it awaits, and the decision.
//! Each kind's own rules live with its domain (school deletions and transfers in
//! [`crate::schools`], withdrawals in [`crate::submission`]); roster requests, whose rules live in
//! [`crate::roster`], are decided here.

use serde_json::json;

use crate::audit::Event;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::tf;
use crate::model::{Actor, Org};
use crate::perm::{self, Action};
use crate::roster::{self, Diff, IssuedCode};
use crate::store::{self, orgs, Conn, Tx};

pub use crate::store::requests::Request;

impl Request {
    /// Whether the actor may see it: it concerns the actor's scope, or awaits the actor's unit.
    /// A school transfer climbs level by level (Art. 13): each ancestor sees it only from its turn
    /// on, so above the filing unit only the units whose turn has come see it.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        let awaits_me = self.status == "pending" && self.awaiting_code.as_deref() == Some(actor.org.code.as_str());
        if self.kind == "school_transfer" {
            // The filing side: the supervising unit that filed it, and the school itself.
            let from = self.payload_str("from");
            let filer_side = actor.org.code == from || actor.org.id == self.org_id;
            let decided = self.steps.contains(&actor.org.code);
            let destination = self.status == "approved" && crate::scope::sees(actor, &self.org_path);
            return awaits_me || filer_side || decided || destination;
        }
        crate::scope::sees(actor, &self.org_path) || awaits_me
    }

    /// A text field of the request's payload (`""` when it has none).
    pub fn payload_str(&self, key: &str) -> String {
        serde_json::from_str::<serde_json::Value>(&self.payload)
            .ok()
            .and_then(|p| p[key].as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// The request with this id, if the actor may see it; else "not found".
pub fn find(conn: &Conn, actor: &Actor, id: i64) -> Result<Request> {
    match store::requests::by_id(conn, id)? {
        Some(r) if r.visible_to(actor) => Ok(r),
        _ => Err(error::not_found(tf("request.none", &[("id", &id)])).into()),
    }
}

/// What awaits the actor's unit and what the actor filed (pending), or with `all` every
/// request the actor may see; newest first.
pub fn list(conn: &Conn, actor: &Actor, all: bool) -> Result<Vec<Request>> {
    Ok(store::requests::newest_first(conn)?
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

/// The live org `code` a request names (the unit it awaits, the unit it was filed by, …);
/// refused (exit 5) when it has gone since the request was filed.
pub fn live_org(conn: &Conn, r: &Request, code: &str) -> Result<Org> {
    orgs::find(conn, code)?.ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &code)])).into())
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

/// The request still awaits the unit it awaited when it was first read (`seen`): else it moved
/// on meanwhile, and the decision is refused (exit 5).
pub fn require_same_turn(seen: &Request, r: &Request) -> Result<()> {
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
    Ok(())
}

/// The request `seen` again, read inside the write transaction that decides it: still pending,
/// and still awaiting the unit it awaited when the decision was checked (docs/DECISIONS.md,
/// "Every state change decides inside its transaction"). Of an approval and a rejection started
/// together, the second finds the first's decision and is refused (exit 5).
pub fn reload_pending(tx: &Tx, actor: &Actor, seen: &Request) -> Result<Request> {
    let r = find(tx, actor, seen.id)?;
    require_pending(&r)?;
    require_same_turn(seen, &r)?;
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
    store::requests::insert_step(tx, r.id, seq, actor.org.id, decision, actor.account_id, reason)?;
    if let Some(next) = next {
        store::requests::set_awaiting(tx, r.id, next)?;
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
    // Only a pending request is decided: the last guard of the rule that a decision is taken
    // once (the caller has read it pending in this same transaction).
    if !store::requests::decide(tx, r.id, status, actor.account_id, reason)? {
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

// ---------------------------------------------------------------- roster requests (Art. 9–10)

/// A roster request checked for approval ([`check_roster`]): the diff it carries. Made only by
/// that check, so [`approve_roster`] runs only on a request that passed it.
pub struct RosterApproval {
    diff: Diff,
}

impl RosterApproval {
    /// What the request would change.
    pub fn diff(&self) -> &Diff {
        &self.diff
    }
}

/// `eip request approve` of a roster request, checked before anything is written (the codes file
/// included): the filing unit still there, the actor allowed to decide (the Ministry), the
/// request still pending.
pub fn check_roster(conn: &Conn, actor: &Actor, r: &Request) -> Result<RosterApproval> {
    let org = live_org(conn, r, &r.org_code)?;
    perm::require(actor, Action::RosterDecide, &org)?;
    require_pending(r)?;
    Ok(RosterApproval { diff: serde_json::from_str(&r.payload)? })
}

/// Approve a roster request checked by [`check_roster`], decided inside the transaction: still
/// pending as read here. The activation codes of the accounts it issues.
pub fn approve_roster(
    tx: &mut Tx,
    actor: &Actor,
    seen: &Request,
    approval: &RosterApproval,
) -> Result<Vec<IssuedCode>> {
    let r = reload_pending(tx, actor, seen)?;
    let codes = roster::approve(tx, actor, r.id, &approval.diff)?;
    record_decision(tx, actor, &r, true, None)?;
    Ok(codes)
}

// ---------------------------------------------------------------- rejection, of any kind

/// `eip request reject`: a rejection at any level ends a request. Decided inside the
/// transaction, on the request as read there: its step not decided already, then who decides by
/// kind, then still pending and awaiting the same unit as when `seen` was read.
pub fn reject(tx: &mut Tx, actor: &Actor, seen: &Request, reason: &str) -> Result<()> {
    let r = find(tx, actor, seen.id)?;
    require_awaiting(actor, &r)?;
    let awaiting = || r.awaiting_code.as_deref().unwrap_or("");
    let (action, target) = match r.kind.as_str() {
        "roster" => (Action::RosterDecide, live_org(tx, &r, &r.org_code)?),
        "school_delete" => (Action::SchoolDeleteDecide, orgs::by_id(tx, r.org_id)?),
        "school_transfer" => (Action::TransferDecide, live_org(tx, &r, awaiting())?),
        "withdraw" => (Action::ReturnChild, live_org(tx, &r, awaiting())?),
        other => return Err(error::refused(tf("request.kind_unsupported", &[("kind", &other)])).into()),
    };
    perm::require(actor, action, &target)?;
    require_pending(&r)?;
    require_same_turn(seen, &r)?;
    match r.kind.as_str() {
        "roster" => roster::reject(tx, r.id, &serde_json::from_str::<Diff>(&r.payload)?, reason)?,
        "school_transfer" => record_step(tx, actor, &r, None, false, Some(reason))?,
        _ => {}
    }
    record_decision(tx, actor, &r, false, Some(reason))
}
