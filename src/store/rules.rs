//! Storage of the plausibility rules (`rule`, SPEC §4.6) and the warnings they raise on an org's
//! period (`flag`). What a rule's expression means is the domain's (`src/rules.rs`).

use super::{params, Conn, Row, Tx};
use crate::error::Result;

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

/// The rules a new database starts with (SPEC §4.6): `examples/data/rules.csv`, embedded.
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
