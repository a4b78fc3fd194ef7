//! Reading the audit trail straight from the database.

use serde_json::Value;

use super::{params, Env};

/// One audit event, as stored.
#[derive(Debug, Clone)]
pub struct Event {
    pub actor: String,
    pub at: String,
    pub detail: Value,
    pub reason: Option<String>,
}

impl Env {
    pub fn audit_count(&self) -> i64 {
        self.count("SELECT count(*) FROM audit")
    }

    /// How many audit events have this action.
    pub fn events(&self, action: &str) -> i64 {
        self.conn().query_row("SELECT count(*) FROM audit WHERE action = ?1", [action], |r| r.get(0)).unwrap()
    }

    /// How many audit events have this action and target.
    pub fn events_on(&self, action: &str, target: &str) -> i64 {
        self.conn()
            .query_row("SELECT count(*) FROM audit WHERE action = ?1 AND target = ?2", [action, target], |r| r.get(0))
            .unwrap()
    }

    /// How many audit events have this action and target, in this period.
    pub fn events_in(&self, action: &str, target: &str, period: &str) -> i64 {
        self.conn()
            .query_row(
                "SELECT count(*) FROM audit WHERE action = ?1 AND target = ?2 AND period = ?3",
                [action, target, period],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// The audit events with this action and target, oldest first.
    pub fn trail(&self, action: &str, target: &str) -> Vec<Event> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT actor, at, detail, reason FROM audit WHERE action = ?1 AND target = ?2 ORDER BY seq")
            .unwrap();
        stmt.query_map(params![action, target], |r| {
            let detail: String = r.get(2)?;
            Ok(Event {
                actor: r.get(0)?,
                at: r.get(1)?,
                detail: serde_json::from_str(&detail).expect("detail is JSON"),
                reason: r.get(3)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }
}

/// How many audit events hold `needle` in any of their text columns.
pub fn audit_rows_containing(env: &Env, needle: &str) -> i64 {
    assert!(!needle.is_empty(), "a needle to look for");
    // `replace` changes a text that holds the needle (instr and strpos are each one backend's).
    env.conn()
        .query_row(
            "SELECT count(*) FROM (SELECT
                 coalesce(at,'') || '|' || coalesce(actor,'') || '|' || coalesce(actor_unit,'') || '|' ||
                 coalesce(action,'') || '|' || coalesce(target,'') || '|' || coalesce(scope_path,'') || '|' ||
                 coalesce(period,'') || '|' || coalesce(detail,'') || '|' || coalesce(reason,'') AS t FROM audit) a
             WHERE replace(t, ?1, '') <> t",
            params![needle],
            |r| r.get(0),
        )
        .unwrap()
}
