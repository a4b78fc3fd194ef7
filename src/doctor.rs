//! `eip doctor`: the database's health in one report — SQLite's own checks, the audit chain, and
//! the rules that must hold whatever wrote the file.

use crate::aggregate::Agg;
use crate::audit::{self, Break};
use crate::error::Result;
use crate::i18n::{t, tf};
use crate::model::Actor;
use crate::store::{health, Conn};

/// One check: its stable name, whether it passed, and what it found.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// What it found, in English (the machine formats' value).
    pub detail: String,
    /// What it found, in the reader's language.
    pub words: String,
}

impl Check {
    /// The check's name in the reader's language.
    pub fn label(&self) -> &'static str {
        match self.name {
            "integrity" => t("doctor.check.integrity"),
            "foreign_keys" => t("doctor.check.foreign_keys"),
            "audit_chain" => t("doctor.check.audit_chain"),
            "one_reviewer_inspector" => t("doctor.check.one_reviewer_inspector"),
            "one_account_per_mobile" => t("doctor.check.one_account_per_mobile"),
            "tree_paths" => t("doctor.check.tree_paths"),
            "no_write_after_lock" => t("doctor.check.no_write_after_lock"),
            "snapshots" => t("doctor.check.snapshots"),
            other => other,
        }
    }
}

/// A check that counts problems: `what` in English, `key` its words in the catalogue (`{count}`).
fn check(name: &'static str, problems: i64, what: &str, key: &'static str) -> Check {
    let ok = problems == 0;
    Check {
        name,
        ok,
        detail: if ok { "ok".into() } else { format!("{problems} {what}") },
        words: if ok { t("doctor.ok").to_string() } else { tf(key, &[("count", &problems)]) },
    }
}

/// SQLite's own check of the file, first of all: on a damaged file every other check would only
/// report what the damage makes it read. Its first few findings, joined.
pub fn integrity(conn: &Conn) -> Result<Check> {
    let detail = health::integrity(conn)?.join("; ");
    let ok = detail == "ok";
    let words = if ok { t("doctor.ok").to_string() } else { detail.clone() };
    Ok(Check { name: "integrity", ok, detail, words })
}

/// Whether the file is damaged, by SQLite's quicker check (no index comparison): what a failed
/// `audit verify` asks before blaming an edit behind eip's back.
pub fn damage(conn: &Conn) -> Result<Option<String>> {
    let detail = health::quick_check(conn)?.join("; ");
    Ok((detail != "ok").then_some(detail))
}

/// `eip doctor` is the Ministry's admin's and its support's (the whole file); SQLite's own check comes first,
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
    out.push(check("foreign_keys", fk, "rows point at missing rows", "doctor.found.foreign_keys"));
    match audit::verify(conn)? {
        Ok(n) => out.push(Check {
            name: "audit_chain",
            ok: true,
            detail: format!("intact: {n} events"),
            words: tf("audit.intact", &[("count", &n)]),
        }),
        Err(b) => {
            let (seq, why, key) = match b {
                Break::Hash(s) => (s, "its contents do not match its hash", "audit.why.hash"),
                Break::Prev(s) => (s, "it does not follow the event before it", "audit.why.prev"),
                Break::Gap(s) => (s, "events are missing before it", "audit.why.gap"),
            };
            out.push(Check {
                name: "audit_chain",
                ok: false,
                detail: format!("broken at event {seq}: {why}"),
                words: tf("audit.broken", &[("seq", &seq), ("why", &t(key))]),
            });
        }
    }
    out.push(check(
        "one_reviewer_inspector",
        health::units_with_two_reviewers_or_inspectors(conn)?,
        "units with more than one active reviewer or inspector",
        "doctor.found.one_reviewer_inspector",
    ));
    out.push(check(
        "one_account_per_mobile",
        health::shared_mobiles(conn)?,
        "mobiles held by more than one active account",
        "doctor.found.one_account_per_mobile",
    ));
    out.push(check(
        "tree_paths",
        health::misplaced_orgs(conn)?,
        "orgs whose path or level does not follow their parent",
        "doctor.found.tree_paths",
    ));
    // No value of a period changed after the unit responsible for it submitted the period
    // (a return reopens it: values set then are before the resubmission).
    out.push(check(
        "no_write_after_lock",
        health::values_after_submission(conn)?,
        "values set after their period was submitted",
        "doctor.found.no_write_after_lock",
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
    out.push(check("snapshots", bad, "snapshots whose figures disagree with their children", "doctor.found.snapshots"));
    Ok(out)
}
