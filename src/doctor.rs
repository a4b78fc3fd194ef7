//! `eip doctor`: the database's health in one report — SQLite's own checks, the audit chain, and
//! the rules that must hold whatever wrote the file.

use crate::aggregate::Agg;
use crate::audit::{self, Break};
use crate::error::Result;
use crate::model::Actor;
use crate::store::{health, Conn};

/// One check: its stable name, whether it passed, and what it found.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn check(name: &'static str, problems: i64, what: &str) -> Check {
    Check { name, ok: problems == 0, detail: if problems == 0 { "ok".into() } else { format!("{problems} {what}") } }
}

/// SQLite's own check of the file, first of all: on a damaged file every other check would only
/// report what the damage makes it read. Its first few findings, joined.
pub fn integrity(conn: &Conn) -> Result<Check> {
    let detail = health::integrity(conn)?.join("; ");
    Ok(Check { name: "integrity", ok: detail == "ok", detail })
}

/// Whether the file is damaged, by SQLite's quicker check (no index comparison): what a failed
/// `audit verify` asks before blaming an edit behind eip's back.
pub fn damage(conn: &Conn) -> Result<Option<String>> {
    let detail = health::quick_check(conn)?.join("; ");
    Ok((detail != "ok").then_some(detail))
}

/// `eip doctor` is the Ministry's admin's and its support's (SPEC §7: the whole file); SQLite's own check comes first,
/// and a damaged file stops there, in words (exit 7): what the other checks would read is noise.
pub fn run_as(conn: &Conn, actor: &Actor, path: &std::path::Path) -> Result<Vec<Check>> {
    audit::require_verifier(actor)?;
    let first = integrity(conn)?;
    if !first.ok {
        return Err(crate::store::damaged(path, &first.detail).into());
    }
    run_after(conn, first)
}

/// Every check, in order.
pub fn run(conn: &Conn) -> Result<Vec<Check>> {
    let first = integrity(conn)?;
    run_after(conn, first)
}

/// The checks after SQLite's own, which `eip doctor` runs first.
pub fn run_after(conn: &Conn, integrity: Check) -> Result<Vec<Check>> {
    let mut out = vec![integrity];
    let fk = health::dangling_references(conn)?;
    out.push(check("foreign_keys", fk, "rows point at missing rows"));
    match audit::verify(conn)? {
        Ok(n) => out.push(Check { name: "audit_chain", ok: true, detail: format!("intact: {n} events") }),
        Err(b) => {
            let (seq, why) = match b {
                Break::Hash(s) => (s, "its contents do not match its hash"),
                Break::Prev(s) => (s, "it does not follow the event before it"),
                Break::Gap(s) => (s, "events are missing before it"),
            };
            out.push(Check { name: "audit_chain", ok: false, detail: format!("broken at event {seq}: {why}") });
        }
    }
    out.push(check(
        "one_reviewer_inspector",
        health::units_with_two_reviewers_or_inspectors(conn)?,
        "units with more than one active reviewer or inspector",
    ));
    out.push(check(
        "one_account_per_mobile",
        health::shared_mobiles(conn)?,
        "mobiles held by more than one active account",
    ));
    out.push(check(
        "tree_paths",
        health::misplaced_orgs(conn)?,
        "orgs whose path or level does not follow their parent",
    ));
    // No value of a period changed after the unit responsible for it submitted the period
    // (a return reopens it: values set then are before the resubmission).
    out.push(check(
        "no_write_after_lock",
        health::values_after_submission(conn)?,
        "values set after their period was submitted",
    ));
    // Each snapshot agrees with the children it lists.
    let mut bad = 0;
    health::each_snapshot(conn, |figures, children| {
        let (Ok(agg), Ok(kids)) =
            (serde_json::from_str::<Agg>(figures), serde_json::from_str::<Vec<serde_json::Value>>(children))
        else {
            bad += 1;
            return;
        };
        let from_children: i64 = kids
            .iter()
            .map(|k| if k["level"] == "school" { 1 } else { k["agg"]["schools_expected"].as_i64().unwrap_or(0) })
            .sum();
        if from_children != agg.schools_expected {
            bad += 1;
        }
    })?;
    out.push(check("snapshots", bad, "snapshots whose figures disagree with their children"));
    Ok(out)
}
