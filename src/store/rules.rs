//! Storage of the plausibility rules (`rule`) and the warnings they raise on an org's
//! period (`flag`). What a rule's expression means is the domain's (`src/rules.rs`).

use std::collections::BTreeMap;

use super::{in_subtree, is_unit, params, Conn, Row, Tx};
use crate::error::Result;
use crate::model::Period;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub code: String,
    /// `school` or `unit`: whose values it reads.
    pub applies_to: String,
    pub expression: String,
    /// `error` (refuses the write) or `warning` (flags it).
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
    pub position: i64,
    pub retired_at: Option<String>,
}

fn rule_from_row(r: &Row) -> Result<Rule> {
    Ok(Rule {
        code: r.get(0)?,
        applies_to: r.get(1)?,
        expression: r.get(2)?,
        severity: r.get(3)?,
        message_zh: r.get(4)?,
        message_en: r.get(5)?,
        position: r.get(6)?,
        retired_at: r.get(7)?,
    })
}

/// Every rule, in its order (retired ones included).
pub fn all(conn: &Conn) -> Result<Vec<Rule>> {
    conn.all(
        "SELECT code, applies_to, expression, severity, message_zh, message_en, position, retired_at
         FROM rule ORDER BY position",
        params![],
        rule_from_row,
    )
}

/// The next free position at the end of the catalogue.
pub fn next_position(conn: &Conn) -> Result<i64> {
    conn.one("SELECT coalesce(max(position), 0) + 1 FROM rule", params![], |r| r.get(0))
}

/// Add a rule at `position`.
pub fn insert(tx: &Tx, rule: &Rule) -> Result<()> {
    tx.exec(
        "INSERT INTO rule(code, applies_to, expression, severity, message_zh, message_en, position, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            rule.code,
            rule.applies_to,
            rule.expression,
            rule.severity,
            rule.message_zh,
            rule.message_en,
            rule.position,
            tx.now_stored()
        ],
    )?;
    Ok(())
}

/// The rules a new database starts with: `examples/data/rules.csv`, embedded.
pub const SEEDED_CSV: &str = include_str!("../../examples/data/rules.csv");

/// The seeded rules, in the file's order (positions from 1).
pub fn seeded() -> Result<Vec<Rule>> {
    let mut reader = csv::Reader::from_reader(SEEDED_CSV.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let r = rec?;
        let f = |k: usize| r.get(k).unwrap_or("").to_string();
        out.push(Rule {
            code: f(0),
            applies_to: f(1),
            expression: f(2),
            severity: f(3),
            message_zh: f(4),
            message_en: f(5),
            position: i as i64 + 1,
            retired_at: None,
        });
    }
    Ok(out)
}

/// What a rule's `rule.add` audit event records.
pub fn added_detail(rule: &Rule) -> serde_json::Value {
    serde_json::json!({ "after": {
        "code": rule.code, "applies_to": rule.applies_to, "expression": rule.expression,
        "severity": rule.severity, "message_zh": rule.message_zh, "message_en": rule.message_en,
    } })
}

/// The rule with this code (retired or not).
pub fn find(conn: &Conn, code: &str) -> Result<Option<Rule>> {
    conn.opt(
        "SELECT code, applies_to, expression, severity, message_zh, message_en, position, retired_at
         FROM rule WHERE code = ?1",
        params![code],
        rule_from_row,
    )
}

/// Retire a rule as of `now`.
pub fn retire(tx: &Tx, code: &str, now: &str) -> Result<()> {
    tx.exec("UPDATE rule SET retired_at = ?1 WHERE code = ?2", params![now, code])?;
    Ok(())
}

// ---------------------------------------------------------------- flags

/// An org-period's flags: (rule, detail), in no particular order.
pub fn flags_of(conn: &Conn, org_id: i64, period: Period) -> Result<Vec<(String, String)>> {
    conn.all(
        "SELECT rule, detail FROM flag WHERE org_id = ?1 AND period = ?2",
        params![org_id, period.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Raise (or keep) a flag with the values it read; a flag that read other values before is
/// raised anew at `now`.
pub fn put_flag(conn: &Conn, org_id: i64, period: Period, rule: &str, detail: &str, now: &str) -> Result<()> {
    conn.exec(
        "INSERT INTO flag(org_id, period, rule, detail, raised_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(org_id, period, rule) DO UPDATE SET
             raised_at = CASE WHEN flag.detail = excluded.detail THEN flag.raised_at ELSE excluded.raised_at END,
             detail = excluded.detail",
        params![org_id, period.to_string(), rule, detail, now],
    )?;
    Ok(())
}

/// Clear one flag of an org-period.
pub fn delete_flag(conn: &Conn, org_id: i64, period: Period, rule: &str) -> Result<()> {
    conn.exec(
        "DELETE FROM flag WHERE org_id = ?1 AND period = ?2 AND rule = ?3",
        params![org_id, period.to_string(), rule],
    )?;
    Ok(())
}

/// Withdraw every flag a rule raised (it was retired); how many.
pub fn delete_rule_flags(tx: &Tx, rule: &str) -> Result<usize> {
    tx.exec("DELETE FROM flag WHERE rule = ?1", params![rule])
}

/// Whether an org stored any value for a period.
pub fn has_values(conn: &Conn, org_id: i64, period: Period) -> Result<bool> {
    conn.one(
        "SELECT EXISTS (SELECT 1 FROM value WHERE org_id = ?1 AND period = ?2)",
        params![org_id, period.to_string()],
        |r| r.get(0),
    )
}

/// A flag as `report validate` lists it: the org, the rule, and the values it read.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub path: String,
    pub rule: String,
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
    /// The values the rule read, as JSON (name → value, a blank as null).
    pub detail: String,
    pub raised_at: String,
}

/// Which way a question about a subtree's flags reads, as (FROM, WHERE): from the period's flags
/// (`whole`: the subtree is the whole tree, where there are far fewer flags than orgs), else from
/// the subtree's orgs, each looked up in `flag` by its key. ?1 the period, ?2 and ?3 the subtree.
/// SQLite: CROSS JOIN fixes the join order; in another engine an ordinary join, its planner
/// choosing.
fn flags_in(whole: bool) -> (&'static str, String) {
    let from = if whole {
        "flag f CROSS JOIN org o ON o.id = f.org_id"
    } else {
        "org o CROSS JOIN flag f ON f.org_id = o.id AND f.period = ?1"
    };
    (from, format!("f.period = ?1 AND {} AND o.deleted_at IS NULL", in_subtree("o", "?2", "?3")))
}

/// The flags of a subtree's period (`lo..hi`; `whole`: see [`flags_in`]), in tree order then the
/// rules' order; the first `limit` when given.
pub fn flags_under(
    conn: &Conn,
    lo: &str,
    hi: &str,
    whole: bool,
    period: Period,
    limit: Option<usize>,
) -> Result<Vec<FlagRow>> {
    let (from, place) = flags_in(whole);
    let sql = format!(
        "SELECT o.code, o.name, o.level, o.path, f.rule, r.severity, r.message_zh, r.message_en, f.detail, f.raised_at
         FROM {from} JOIN rule r ON r.code = f.rule WHERE {place} ORDER BY o.path, r.position"
    );
    let mut out = Vec::new();
    conn.scan(&sql, params![period.to_string(), lo, hi], |r| {
        out.push(FlagRow {
            code: r.get(0)?,
            name: r.get(1)?,
            level: r.get(2)?,
            path: r.get(3)?,
            rule: r.get(4)?,
            severity: r.get(5)?,
            message_zh: r.get(6)?,
            message_en: r.get(7)?,
            detail: r.get(8)?,
            raised_at: r.get(9)?,
        });
        Ok(limit.is_none_or(|l| out.len() < l))
    })?;
    Ok(out)
}

/// How many flags a subtree's period (`lo..hi`; `whole`: see [`flags_in`]) holds.
pub fn count_under(conn: &Conn, lo: &str, hi: &str, whole: bool, period: Period) -> Result<i64> {
    let (from, place) = flags_in(whole);
    let sql = format!("SELECT count(*) FROM {from} WHERE {place}");
    conn.one(&sql, params![period.to_string(), lo, hi], |r| r.get(0))
}

/// Each org of a subtree's period (`lo..hi`; `whole`: see [`flags_in`]) that has flags: its path
/// and how many, in one query.
pub fn each_flag_count(
    conn: &Conn,
    lo: &str,
    hi: &str,
    whole: bool,
    period: Period,
    mut f: impl FnMut(&str, i64),
) -> Result<()> {
    let (from, place) = flags_in(whole);
    let sql = format!("SELECT o.path, count(*) FROM {from} WHERE {place} GROUP BY o.id");
    conn.each(&sql, params![period.to_string(), lo, hi], |r| {
        let path: String = r.get(0)?;
        f(&path, r.get(1)?);
        Ok(())
    })
}

/// One org's values of a period and of the month before, with its basic info (a school's).
#[derive(Debug, Clone, Default)]
pub struct OrgPeriod {
    pub org_id: i64,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
    pub this: BTreeMap<String, String>,
    pub last: BTreeMap<String, String>,
}

/// Stream every live school (`schools`) or every admin unit that stored a value for `period`, with
/// its values of `indicators` for the period and (`with_last`) the month before (none of them: empty
/// maps): one pass over the orgs in id order, each value looked up by its key.
pub fn each_org_period(
    conn: &Conn,
    schools: bool,
    period: Period,
    with_last: bool,
    indicators: &[String],
    mut f: impl FnMut(&OrgPeriod),
) -> Result<()> {
    // ?1 this period, ?2 last (or this again), ?3… the indicators (`NULL`, which matches none, for
    // a rule that reads basic info alone).
    let list: Vec<String> = (0..indicators.len()).map(|i| format!("?{}", i + 3)).collect();
    let list = if list.is_empty() { "NULL".to_string() } else { list.join(", ") };
    let values = format!(
        "LEFT JOIN value v ON v.org_id = o.id AND v.period IN (?1, ?2) AND v.indicator IN ({list})
         WHERE EXISTS (SELECT 1 FROM value t WHERE t.org_id = o.id AND t.period = ?1)"
    );
    let sql = if schools {
        format!(
            "SELECT o.id, s.students, s.teachers, s.classes, v.period, v.indicator, v.value
             FROM org o JOIN school s ON s.org_id = o.id {values}
             AND o.level = 'school' AND o.deleted_at IS NULL ORDER BY o.id"
        )
    } else {
        format!(
            "SELECT o.id, NULL, NULL, NULL, v.period, v.indicator, v.value
             FROM org o {values} AND {} ORDER BY o.id",
            is_unit("o")
        )
    };
    let this = period.to_string();
    let last = if with_last { period.prev().to_string() } else { this.clone() };
    let mut bound: Vec<&dyn super::Param> = vec![&this, &last];
    bound.extend(indicators.iter().map(|i| i as &dyn super::Param));
    let mut cur: Option<OrgPeriod> = None;
    conn.each(&sql, &bound, |r| {
        let id: i64 = r.get(0)?;
        if cur.as_ref().is_none_or(|c| c.org_id != id) {
            if let Some(done) = cur.take() {
                f(&done);
            }
            cur = Some(OrgPeriod {
                org_id: id,
                students: r.get(1)?,
                teachers: r.get(2)?,
                classes: r.get(3)?,
                ..Default::default()
            });
        }
        let c = cur.as_mut().expect("set above");
        if let Some(p) = r.get::<Option<String>>(4)? {
            let into = if p == this { &mut c.this } else { &mut c.last };
            into.insert(r.get(5)?, r.get(6)?);
        }
        Ok(())
    })?;
    if let Some(done) = cur {
        f(&done);
    }
    Ok(())
}
