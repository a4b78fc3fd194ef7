//! The provinces' monthly report texts (Art. 20): a province files its text by the end of the
//! month; a late text is accepted and marked late. Every version is kept; the latest is shown.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{hex, Event};
use crate::calendar::{self, Period};
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::model::{Actor, Level, Org};
use crate::perm::{self, Action};
use crate::store::{texts as store, Conn, Db, Tx};

pub use crate::store::texts::Text;

/// A text filed: its id, and whether it came after the month's end.
#[derive(Debug, Clone, Copy)]
pub struct Filed {
    pub id: i64,
    pub late: bool,
}

/// `eip report text --file`: the actor's province files its text for `period` (its admin or
/// reviewer). `read` gives the text: asked for only once the actor may file, so a refusal comes
/// before anything is read. A text must hold something, be a document (lines and tabs, no other
/// control character: docs/SECURITY.md), and report on a month that has begun.
pub fn file(db: &mut Db, actor: &Actor, period: Period, read: impl FnOnce() -> Result<String>) -> Result<Filed> {
    perm::require(actor, Action::ReportText, &actor.org)?;
    let body = read()?;
    if body.trim().is_empty() {
        return Err(error::invalid(t("text.empty")).into());
    }
    crate::text::check(&body, t("field.monthly_text"), crate::text::DOCUMENT, crate::text::Allow::Lines)?;
    if !period.has_started(db.now) {
        return Err(error::refused(tf(
            "lock.not_started",
            &[("period", &period), ("opens", &calendar::show_cst(period.starts(), false))],
        ))
        .reason("period_not_started")
        .into());
    }
    let late = db.now >= period.ends();
    let id = db.write(&actor.audit_actor(), |tx| record(tx, actor, period, &body))?;
    Ok(Filed { id, late })
}

/// Record a province's text for a period (the write of [`file`], and the demo's); late after the
/// end of that month. Decided inside the write transaction: the same text filed again by the same
/// person as the province's latest is refused, naming when (the same file sent twice at once is
/// filed once: docs/DECISIONS.md); a different text, or one filed by another person, is a newer
/// version.
pub fn record(tx: &mut Tx, actor: &Actor, period: Period, body: &str) -> Result<i64> {
    let latest = store::latest(tx, actor.org.id, period)?;
    if let Some(l) = latest.filter(|l| l.body == body && l.filed_by == actor.username) {
        let at = calendar::parse_stored(&l.filed_at).map_or(l.filed_at.clone(), |t| calendar::show_cst(t, false));
        return Err(error::refused(tf("races.text_filed", &[("period", &period), ("by", &l.filed_by), ("at", &at)]))
            .reason("already_filed")
            .into());
    }
    let late = tx.now >= period.ends();
    let id = store::insert(tx, actor.org.id, period, body, actor.account_id, &tx.now_stored(), late)?;
    tx.audit(
        Event::new("report.text").target(&actor.org.code).scope(&actor.org.path).period(period.to_string()).detail(
            json!({ "after": { "id": id, "chars": body.chars().count(), "sha256": hex(&Sha256::digest(body.as_bytes())), "late": late } }),
        ),
    )?;
    Ok(id)
}

/// The latest text `unit` (a province, already found in the reader's scope) filed for `period`.
pub fn latest(conn: &Conn, unit: &Org, period: Period) -> Result<Text> {
    if unit.level != Level::Province {
        return Err(error::invalid(tf("text.not_province", &[("unit", &unit.code)])).into());
    }
    store::latest(conn, unit.id, period)?
        .ok_or_else(|| error::not_found(tf("text.none", &[("unit", &unit.code), ("period", &period)])).into())
}

/// The provinces in the actor's scope that have filed no text for `period`: (code, name).
pub fn missing(conn: &Conn, actor: &Actor, period: Period) -> Result<Vec<(String, String)>> {
    store::provinces_without(conn, actor.scope(), period)
}
