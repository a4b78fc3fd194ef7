//! `eip doctor`: the database's health in one report — SQLite's own checks, the audit chain, and
//! the rules that must hold whatever wrote the file.

use crate::store::Conn;

use crate::aggregate::Agg;
use crate::audit::{self, Break};
use crate::error::Result;

/// One check: its stable name, whether it passed, and what it found.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn count(conn: &Conn, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

fn check(name: &'static str, problems: i64, what: &str) -> Check {
    Check { name, ok: problems == 0, detail: if problems == 0 { "ok".into() } else { format!("{problems} {what}") } }
}

/// SQLite's own check of the file, first of all: on a damaged file every other check would only
/// report what the damage makes it read. Its first few findings, joined.
pub fn integrity(conn: &Conn) -> Result<Check> {
    let found: Vec<String> =
        conn.prepare("PRAGMA integrity_check(5)")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let detail = found.join("; ");
    Ok(Check { name: "integrity", ok: detail == "ok", detail })
}

/// Whether the file is damaged, by SQLite's quicker check (no index comparison): what a failed
/// `audit verify` asks before blaming an edit behind eip's back.
pub fn damage(conn: &Conn) -> Result<Option<String>> {
    let found: Vec<String> =
        conn.prepare("PRAGMA quick_check(5)")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let detail = found.join("; ");
    Ok((detail != "ok").then_some(detail))
}

/// Every check, in order.
pub fn run(conn: &Conn) -> Result<Vec<Check>> {
    let first = integrity(conn)?;
    run_after(conn, first)
}

/// The checks after SQLite's own, which `eip doctor` runs first.
pub fn run_after(conn: &Conn, integrity: Check) -> Result<Vec<Check>> {
    let mut out = vec![integrity];
    let fk = conn.prepare("PRAGMA foreign_key_check")?.query_map([], |_| Ok(()))?.count() as i64;
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
        count(
            conn,
            "SELECT count(*) FROM (SELECT org_id, role FROM account WHERE status = 'active'
               AND role IN ('reviewer', 'inspector') GROUP BY org_id, role HAVING count(*) > 1)",
        )?,
        "units with more than one active reviewer or inspector",
    ));
    out.push(check(
        "one_account_per_mobile",
        count(conn, "SELECT count(*) FROM (SELECT mobile FROM account WHERE status = 'active' GROUP BY mobile HAVING count(*) > 1)")?,
        "mobiles held by more than one active account",
    ));
    out.push(check(
        "tree_paths",
        count(
            conn,
            "SELECT count(*) FROM org o JOIN org p ON p.id = o.parent_id WHERE o.path <> p.path || o.code || '/'
               OR (o.level <> 'school' AND CASE p.level WHEN 'ministry' THEN 0 WHEN 'province' THEN 1 WHEN 'prefecture' THEN 2 ELSE 3 END
                  >= CASE o.level WHEN 'province' THEN 1 WHEN 'prefecture' THEN 2 ELSE 3 END)",
        )?,
        "orgs whose path or level does not follow their parent",
    ));
    // No value of a period changed after the unit responsible for it submitted the period
    // (a return reopens it: values set then are before the resubmission).
    out.push(check(
        "no_write_after_lock",
        count(
            conn,
            "SELECT count(*) FROM value v JOIN org o ON o.id = v.org_id
             JOIN submission s ON s.org_id = (CASE WHEN o.level = 'school' THEN o.parent_id ELSE o.id END) AND s.period = v.period
             WHERE s.state IN ('submitted', 'auto_submitted') AND v.set_at > s.submitted_at AND v.carried = 0",
        )?,
        "values set after their period was submitted",
    ));
    // Each snapshot agrees with the children it lists.
    let mut bad = 0;
    let mut stmt = conn.prepare("SELECT figures, children FROM snapshot")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let figures: String = r.get(0)?;
        let children: String = r.get(1)?;
        let (Ok(agg), Ok(kids)) =
            (serde_json::from_str::<Agg>(&figures), serde_json::from_str::<Vec<serde_json::Value>>(&children))
        else {
            bad += 1;
            continue;
        };
        let from_children: i64 = kids
            .iter()
            .map(|k| if k["level"] == "school" { 1 } else { k["agg"]["schools_expected"].as_i64().unwrap_or(0) })
            .sum();
        if from_children != agg.schools_expected {
            bad += 1;
        }
    }
    out.push(check("snapshots", bad, "snapshots whose figures disagree with their children"));
    Ok(out)
}
