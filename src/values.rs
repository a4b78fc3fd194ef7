//! Monthly values (SPEC §4.1–4.2, Art. 14–15): the indicator catalogue, typed values, filling and
//! the no-change confirmation that carries last month forward, and the writability of a period.

use std::collections::BTreeMap;

use crate::store::Conn;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::account::Role;
use crate::audit::Event;
use crate::auth::Actor;
use crate::calendar::{self, Period};
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::{self, Level, Org};
use crate::i18n::{t, tf};

pub use crate::indicators::{catalogue, find_indicator, show_value, Indicator};

/// Why a period cannot be written: the words, the way out, and a machine-readable reason
/// (SPEC §4.5: `period_not_started`, `deadline_passed`, `submitted`, `parent_submitted`,
/// `returned_due_passed`, and `org_not_expected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub reason: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl Lock {
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    pub fn describe(&self, _period: Period) -> String {
        self.message.clone()
    }

    pub fn into_error(self, _period: Period) -> Error {
        let e = Error::new(Kind::Refused, self.message).reason(self.reason);
        match self.hint {
            Some(h) => e.hint(h),
            None => e,
        }
    }
}

/// The unit whose deadline governs an org's data: a school's supervising unit, else the unit.
pub fn reporting_unit(conn: &Conn, org: &Org) -> Result<Org> {
    if org.level == Level::School {
        let parent = org.parent_code.as_deref().unwrap_or("");
        return hierarchy::find(conn, parent)?.ok_or_else(|| anyhow::anyhow!("supervising unit {parent} vanished"));
    }
    Ok(org.clone())
}

/// Whether `org` may write `period` at `now`: the period has begun, the org reports it, and the
/// unit that reports its data (a school's supervising unit) has neither submitted nor passed its
/// deadline (or its due, if returned) — nor has that unit's parent submitted (SPEC §4.2–4.4).
pub fn lock(conn: &Conn, org: &Org, period: Period, now: DateTime<Utc>) -> Result<Option<Lock>> {
    if !period.has_started(now) {
        let opens = format!("{} {}", calendar::show_cst(period.starts(), false), t("cst"));
        return Ok(Some(Lock {
            reason: "period_not_started",
            message: tf("lock.not_started", &[("period", &period), ("opens", &opens)]),
            hint: None,
        }));
    }
    if !expected(conn, org, period)? {
        return Ok(Some(Lock {
            reason: "org_not_expected",
            message: tf("lock.not_expected", &[("period", &period), ("org", &org.code)]),
            hint: None,
        }));
    }
    let unit = reporting_unit(conn, org)?;
    let facts = crate::submission::lock_facts(conn, &unit, period, now)?;
    // A school its unit returned (Art. 19) may correct until its due, while the unit is open.
    if org.level == Level::School {
        let returned: Option<Option<String>> = conn
            .prepare_cached(
                "SELECT return_due FROM org_period WHERE org_id = ?1 AND period = ?2 AND state = 'returned'",
            )?
            .query_row(params![org.id, period.to_string()], |r| r.get(0))
            .optional()?;
        if let Some(due) = returned.flatten().as_deref().and_then(calendar::parse_stored) {
            if now >= due {
                let due_s = format!("{} {}", calendar::show_cst(due, false), t("cst"));
                return Ok(Some(Lock {
                    reason: "returned_due_passed",
                    message: tf("cycle.due_passed", &[("period", &period), ("unit", &org.code), ("due", &due_s)]),
                    hint: None,
                }));
            }
            if !facts.state.is_submitted() && !facts.parent.is_some_and(crate::cycle::UnitState::is_submitted) {
                return Ok(None);
            }
        }
    }
    match crate::cycle::data_writable(&facts) {
        Ok(()) => Ok(None),
        Err(r) => {
            let (message, hint) = crate::submission::describe(conn, r, &unit, period, &facts)?;
            Ok(Some(Lock { reason: r.reason(), message, hint }))
        }
    }
}

/// Whether the org reports this period at all (SPEC §3, §4.5: created before it ended; a school
/// also not merged or revoked before it began).
pub fn expected(conn: &Conn, org: &Org, period: Period) -> Result<bool> {
    if org.level != Level::School {
        return Ok(org.created_at < calendar::stored(period.ends()));
    }
    let (status, changed, deleted): (String, Option<String>, Option<String>) = conn
        .prepare_cached("SELECT s.status, s.status_changed_at, o.deleted_at FROM school s JOIN org o ON o.id = s.org_id WHERE s.org_id = ?1")?
        .query_row(params![org.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(crate::schools::is_expected(&org.created_at, deleted.as_deref(), &status, changed.as_deref(), period))
}

// ------------------------------------------------------------------ values of one org

/// The org an actor writes: its own, or (`--org`) a school its unit supervises directly (proxy).
pub struct Target {
    pub org: Org,
    pub school_kind: Option<String>,
    pub proxy: bool,
}

/// Settle who writes what (SPEC §2 table: `report set / confirm`).
pub fn target(conn: &Conn, actor: &Actor, org: Option<&str>) -> Result<Target> {
    let org = match org {
        None => actor.org.clone(),
        Some(code) => {
            let o = hierarchy::find(conn, code.trim())?
                .filter(|o| actor.scope().contains_path(&o.path))
                .ok_or_else(|| error::not_found(tf("org.none", &[("code", &code.trim())])))?;
            o
        }
    };
    let proxy = org.id != actor.org.id;
    crate::perm::require(actor, crate::perm::Action::ReportWrite, &org)?;
    let school_kind: Option<String> = if org.level == Level::School {
        conn.query_row("SELECT kind FROM school WHERE org_id = ?1", params![org.id], |r| r.get(0)).optional()?
    } else {
        None
    };
    Ok(Target { org, school_kind, proxy })
}

/// The stored values of an org in a period: indicator → (value, carried, set_by, set_at).
pub fn values_of(conn: &Conn, org_id: i64, period: Period) -> Result<BTreeMap<String, StoredValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.indicator, v.value, v.carried, a.username, v.set_at FROM value v LEFT JOIN account a ON a.id = v.set_by
         WHERE v.org_id = ?1 AND v.period = ?2",
    )?;
    let rows = stmt.query_map(params![org_id, period.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StoredValue { value: r.get(1)?, carried: r.get(2)?, set_by: r.get(3)?, set_at: r.get(4)? },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?)
}

#[derive(Debug, Clone)]
pub struct StoredValue {
    pub value: String,
    pub carried: bool,
    pub set_by: Option<String>,
    pub set_at: String,
}

/// Check `KEY=VALUE` pairs against the catalogue and the org: every problem at once.
pub fn check_pairs(cat: &[Indicator], target: &Target, pairs: &[(String, String)]) -> Result<Vec<(Indicator, String)>> {
    let mut out: Vec<(Indicator, String)> = Vec::new();
    let mut problems: Vec<Error> = Vec::new();
    for (key, raw) in pairs {
        match check_one(cat, target, key, raw) {
            Ok(v) if out.iter().any(|(i, _)| i.code == v.0.code) => {
                problems.push(error::invalid(tf("value.twice", &[("indicator", &v.0.code)])));
            }
            Ok(v) => out.push(v),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        // Bad input is exit 6; a pair refused only by a rule (a retired indicator) is exit 5.
        let kind = if problems.iter().all(|e| e.kind == Kind::Refused) { Kind::Refused } else { Kind::Invalid };
        let message = problems.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("\n");
        return Err(Error::new(kind, message).hint(t("value.hint")).into());
    }
    Ok(out)
}

/// One value for one org: the indicator exists, is not retired, fits the org, and the value has
/// its type.
pub fn check_one(cat: &[Indicator], target: &Target, key: &str, raw: &str) -> Result<(Indicator, String), Error> {
    let ind = find_indicator(cat, key.trim()).ok_or_else(|| error::invalid(tf("indicator.none", &[("code", &key)])))?;
    if ind.retired_at.is_some() {
        return Err(error::refused(tf("indicator.retired", &[("code", &ind.code)])));
    }
    if !ind.applies_to(target.org.level, target.school_kind.as_deref()) {
        let who = match ind.filled_by.as_str() {
            "unit" => t("filled_by.unit"),
            "teaching_point" => t("filled_by.teaching_point"),
            _ => t("filled_by.school"),
        };
        return Err(error::invalid(tf(
            "value.not_for_org",
            &[("indicator", &ind.code), ("who", &who), ("org", &target.org.code)],
        )));
    }
    Ok((ind.clone(), ind.parse(raw)?))
}

/// Mark the org's period as filled (a value was set), unless it is already further along.
fn mark_filled(tx: &Tx, org_id: i64, period: Period) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO org_period(org_id, period, state, filled_at) VALUES (?1, ?2, 'filled', ?3)
         ON CONFLICT(org_id, period) DO UPDATE SET filled_at = COALESCE(filled_at, excluded.filled_at),
             state = CASE WHEN state = 'open' THEN 'filled' ELSE state END",
    )?
    .execute(params![org_id, period.to_string(), tx.now_stored()])?;
    Ok(())
}

/// The first value a school's own account saves marks its information filled in (Art. 11).
fn mark_school_filled(tx: &Tx, actor: &Actor, org: &Org) -> Result<()> {
    if org.level == Level::School && actor.role == Role::SchoolAdmin && actor.org.id == org.id {
        tx.prepare_cached("UPDATE school SET info_filled_at = COALESCE(info_filled_at, ?1) WHERE org_id = ?2")?
            .execute(params![tx.now_stored(), org.id])?;
    }
    Ok(())
}

/// Write values for one org in one period; values equal to what is stored record nothing.
/// Returns how many changed.
pub fn set(tx: &mut Tx, actor: &Actor, t: &Target, period: Period, values: &[(Indicator, String)]) -> Result<usize> {
    if let Some(l) = lock(tx, &t.org, period, tx.now)? {
        return Err(l.into_error(period).into());
    }
    let stored = values_of(tx, t.org.id, period)?;
    let mut changed = 0;
    for (ind, v) in values {
        let before = stored.get(&ind.code);
        // The same value again changes nothing (carried or not) and records nothing.
        if before.is_some_and(|b| b.value == *v) {
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO value(org_id, period, indicator, value, carried, set_by, set_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)
             ON CONFLICT(org_id, period, indicator) DO UPDATE SET value = excluded.value, carried = 0,
                 set_by = excluded.set_by, set_at = excluded.set_at",
        )?
        .execute(params![t.org.id, period.to_string(), ind.code, v, actor.account_id, tx.now_stored()])?;
        tx.audit(Event::new("report.set").target(&t.org.code).scope(&t.org.path).period(period.to_string()).detail(
            json!({
                "indicator": ind.code,
                "before": before.map(|b| b.value.clone()),
                "after": v,
                "proxy": t.proxy,
            }),
        ))?;
        changed += 1;
    }
    if changed > 0 {
        mark_filled(tx, t.org.id, period)?;
        mark_school_filled(tx, actor, &t.org)?;
    }
    Ok(changed)
}

/// What a confirmation did.
pub struct Confirmed {
    pub carried: Vec<(String, String, String)>,
    pub already: bool,
}

/// `eip report confirm` (Art. 14–15, 无变化每月确认): carry every applicable value not set this
/// period from the latest earlier period, and mark the period confirmed. Refused, listing what is
/// missing, when there is nothing at all to confirm.
pub fn confirm(tx: &mut Tx, actor: &Actor, t: &Target, period: Period, cat: &[Indicator]) -> Result<Confirmed> {
    if let Some(l) = lock(tx, &t.org, period, tx.now)? {
        return Err(l.into_error(period).into());
    }
    let applicable: Vec<&Indicator> =
        cat.iter().filter(|i| i.retired_at.is_none() && i.applies_to(t.org.level, t.school_kind.as_deref())).collect();
    let stored = values_of(tx, t.org.id, period)?;
    // The latest earlier value of each indicator.
    let mut earlier: BTreeMap<String, (String, String)> = BTreeMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT indicator, value, period FROM value WHERE org_id = ?1 AND period < ?2 ORDER BY period DESC",
        )?;
        let rows = stmt.query_map(params![t.org.id, period.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (ind, v, p) = row?;
            earlier.entry(ind).or_insert((v, p));
        }
    }
    let mut carried = Vec::new();
    for ind in &applicable {
        if stored.contains_key(&ind.code) {
            continue;
        }
        if let Some((v, from)) = earlier.get(&ind.code) {
            carried.push((ind.code.clone(), v.clone(), from.clone()));
        }
    }
    let has_any = applicable.iter().any(|i| stored.contains_key(&i.code)) || !carried.is_empty();
    if !has_any {
        let missing: Vec<&str> = applicable.iter().map(|i| i.code.as_str()).collect();
        return Err(Error::new(
            Kind::Refused,
            tf("confirm.nothing", &[("org", &t.org.code), ("period", &period), ("missing", &missing.join(", "))]),
        )
        .hint(tf("confirm.nothing.hint", &[("period", &period)]))
        .into());
    }
    let state = crate::store::submissions::state_of(tx, t.org.id, period)?;
    if state == "confirmed" && carried.is_empty() {
        return Ok(Confirmed { carried, already: true });
    }
    for (code, v, _) in &carried {
        tx.prepare_cached(
            "INSERT INTO value(org_id, period, indicator, value, carried, set_by, set_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
        )?
        .execute(params![t.org.id, period.to_string(), code, v, actor.account_id, tx.now_stored()])?;
    }
    tx.prepare_cached(
        "INSERT INTO org_period(org_id, period, state, confirmed_at, confirmed_by) VALUES (?1, ?2, 'confirmed', ?3, ?4)
         ON CONFLICT(org_id, period) DO UPDATE SET state = 'confirmed', confirmed_at = excluded.confirmed_at,
             confirmed_by = excluded.confirmed_by",
    )?
    .execute(params![t.org.id, period.to_string(), tx.now_stored(), actor.account_id])?;
    let carried_json: serde_json::Map<String, serde_json::Value> =
        carried.iter().map(|(c, v, from)| (c.clone(), json!({ "value": v, "from": from }))).collect();
    tx.audit(
        Event::new("report.confirm")
            .target(&t.org.code)
            .scope(&t.org.path)
            .period(period.to_string())
            .detail(json!({ "before": { "state": state }, "after": { "state": "confirmed" }, "carried": carried_json, "proxy": t.proxy })),
    )?;
    mark_school_filled(tx, actor, &t.org)?;
    Ok(Confirmed { carried, already: false })
}
