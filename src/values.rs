//! Monthly values (Art. 14–15): typed values, filling, the no-change
//! confirmation that carries last month forward, the writability of a period, and the import of
//! a values file.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::audit::Event;
use crate::calendar::{self, Period};
use crate::csvio::{Columns, Sheet};
use crate::cycle;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::import::{ChangeKind, ImportPlan};
use crate::model::{Actor, Level, Org, Role};
use crate::output::{Cell, Out};
use crate::perm::{self, Action};
use crate::rules::{self, RuleSet, Tripped};
use crate::scope;
use crate::store::{orgs, values as store, Conn, Tx};

pub use crate::indicators::{catalogue, find_indicator, show_value, Indicator};
pub use crate::store::values::{state_of, values_of, StoredValue};

/// Why a period cannot be written: the words, the way out, and a machine-readable reason
/// (`period_not_started`, `deadline_passed`, `submitted`, `parent_submitted`,
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

    /// A lock reason's words for a person (the reason itself is for programs).
    pub fn label(reason: &str) -> &'static str {
        match reason {
            "period_not_started" => t("lock.why.period_not_started"),
            "deadline_passed" => t("lock.why.deadline_passed"),
            "submitted" => t("lock.why.submitted"),
            "parent_submitted" => t("lock.why.parent_submitted"),
            "returned_due_passed" => t("lock.why.returned_due_passed"),
            "org_not_expected" => t("lock.why.org_not_expected"),
            "window_not_open" => t("lock.why.window_not_open"),
            _ => t("lock.why.submitted"),
        }
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

/// The unit whose deadline governs an org's data for a period: a school's supervising unit — or,
/// for a period that stayed with the unit it moved from, that unit — else the unit itself.
pub fn reporting_unit(conn: &Conn, org: &Org, period: Period) -> Result<Org> {
    if org.level == Level::School {
        if let Some(unit) = crate::store::schools::held_by(conn, org.id, period)? {
            return orgs::by_id(conn, unit);
        }
        let parent = org.parent_code.as_deref().unwrap_or("");
        return orgs::find(conn, parent)?.ok_or_else(|| anyhow::anyhow!("supervising unit {parent} vanished"));
    }
    Ok(org.clone())
}

/// Whether `org` may write `period` at `now`: the period has begun, the org reports it, and the
/// unit that reports its data (a school's supervising unit) has neither submitted nor passed its
/// deadline (or its due, if returned) — nor has that unit's parent submitted.
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
    let unit = reporting_unit(conn, org, period)?;
    let facts = crate::submission::lock_facts(conn, &unit, period, now)?;
    // A school its unit returned (Art. 19) may correct until its due, while the unit is open.
    if org.level == Level::School {
        if let Some(due) = store::return_due(conn, org.id, period)?.as_deref().and_then(calendar::parse_stored) {
            if now >= due {
                let due_s = format!("{} {}", calendar::show_cst(due, false), t("cst"));
                return Ok(Some(Lock {
                    reason: "returned_due_passed",
                    message: tf("cycle.due_passed", &[("period", &period), ("unit", &org.code), ("due", &due_s)]),
                    hint: None,
                }));
            }
            if !facts.state.is_submitted() && !facts.parent.is_some_and(cycle::UnitState::is_submitted) {
                return Ok(None);
            }
        }
    }
    match cycle::data_writable(&facts) {
        Ok(()) => Ok(None),
        Err(r) => {
            let (message, hint) = crate::submission::describe(conn, r, &unit, period, &facts)?;
            Ok(Some(Lock { reason: r.reason(), message, hint }))
        }
    }
}

/// Whether the org reports this period at all (§4.5: created before it ended; a school
/// also not merged or revoked before it began).
pub fn expected(conn: &Conn, org: &Org, period: Period) -> Result<bool> {
    if org.level != Level::School {
        return Ok(org.created_at < calendar::stored(period.ends()));
    }
    let (status, changed, deleted) = crate::store::schools::life(conn, org.id)?;
    Ok(crate::schools::is_expected(&org.created_at, deleted.as_deref(), &status, changed.as_deref(), period))
}

// ------------------------------------------------------------------ values of one org

/// The org an actor writes: its own, or (`--org`) a school its unit supervises directly (proxy).
pub struct Target {
    pub org: Org,
    pub school_kind: Option<String>,
    pub proxy: bool,
}

/// Settle who writes what (`report set / confirm`).
pub fn target(conn: &Conn, actor: &Actor, org: Option<&str>) -> Result<Target> {
    let org = match org {
        None => actor.org.clone(),
        Some(code) => scope::org(conn, actor, code)?,
    };
    target_of(conn, actor, org)
}

/// The org found (in scope) as the actor's target, if the actor may write it.
fn target_of(conn: &Conn, actor: &Actor, org: Org) -> Result<Target> {
    let proxy = org.id != actor.org.id;
    perm::require(actor, Action::ReportWrite, &org)?;
    let school_kind = kind_of(conn, &org)?;
    Ok(Target { org, school_kind, proxy })
}

/// Settle who writes what for `report confirm --org A --org B …` (a supervising admin
/// confirming several schools at once): each org as [`target`] settles one — the scope of every
/// one first, then the permission for each — an org named twice once, none given the actor's own.
/// With several, the refusal of one names it and says that nothing was confirmed.
pub fn targets(conn: &Conn, actor: &Actor, orgs: &[String]) -> Result<Vec<Target>> {
    if orgs.len() <= 1 {
        return Ok(vec![target(conn, actor, orgs.first().map(String::as_str))?]);
    }
    let mut found: Vec<Org> = Vec::new();
    for code in orgs {
        let org = scope::org(conn, actor, code).map_err(|e| none_confirmed(e, code.trim()))?;
        if !found.iter().any(|o| o.id == org.id) {
            found.push(org);
        }
    }
    found
        .into_iter()
        .map(|org| {
            let code = org.code.clone();
            target_of(conn, actor, org).map_err(|e| none_confirmed(e, &code))
        })
        .collect()
}

/// The refusal of one org of several, with the org named (if its message does not name it) and
/// "nothing was confirmed"; its kind (and so its exit code), hint and reason as they were.
fn none_confirmed(err: anyhow::Error, org: &str) -> anyhow::Error {
    let Some(e) = error::eip_error(&err) else { return err };
    let mut e = e.clone();
    let message = if e.message.contains(org) { e.message.clone() } else { format!("{org}: {}", e.message) };
    e.message = tf("confirm.none_confirmed", &[("message", &message)]);
    e.into()
}

/// An org's school kind (school, teaching_point): which indicators it fills. `None` for a unit.
pub fn kind_of(conn: &Conn, org: &Org) -> Result<Option<String>> {
    if org.level == Level::School {
        crate::store::schools::kind(conn, org.id)
    } else {
        Ok(None)
    }
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
    store::mark_filled(tx, org_id, period, &tx.now_stored())
}

/// The first value a school's own account saves marks its information filled in (Art. 11).
fn mark_school_filled(tx: &Tx, actor: &Actor, org: &Org) -> Result<()> {
    if org.level == Level::School && actor.role == Role::SchoolAdmin && actor.org.id == org.id {
        crate::store::schools::mark_info_filled(tx, org.id)?;
    }
    Ok(())
}

/// What a write did: how many values changed, and the warnings the org's period trips now
/// (stored as its flags).
#[derive(Debug, Default)]
pub struct Written {
    pub changed: usize,
    pub warnings: Vec<Tripped>,
}

/// Write values for one org in one period; values equal to what is stored record nothing.
/// The plausibility rules judge the period's values as they would be after the
/// write: an error rule tripped refuses the whole write (exit 6, nothing written); the warnings
/// are stored as the period's flags.
pub fn set(tx: &mut Tx, actor: &Actor, t: &Target, period: Period, values: &[(Indicator, String)]) -> Result<Written> {
    let rules = RuleSet::load(tx)?;
    set_judged(tx, actor, t, period, values, &rules)
}

/// [`set`] with the rules in force already read (an import reads them once).
fn set_judged(
    tx: &mut Tx,
    actor: &Actor,
    t: &Target,
    period: Period,
    values: &[(Indicator, String)],
    rules: &RuleSet,
) -> Result<Written> {
    if let Some(l) = lock(tx, &t.org, period, tx.now)? {
        return Err(l.into_error(period).into());
    }
    let stored = values_of(tx, t.org.id, period)?;
    // The same value again changes nothing (carried or not) and records nothing.
    let changes: Vec<&(Indicator, String)> =
        values.iter().filter(|(ind, v)| stored.get(&ind.code).is_none_or(|b| b.value != *v)).collect();
    if changes.is_empty() {
        return Ok(Written::default());
    }
    let mut after: BTreeMap<String, String> = stored.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
    for (ind, v) in &changes {
        after.insert(ind.code.clone(), v.clone());
    }
    let tripped = rules::judge(tx, rules, &t.org, period, &after)?;
    rules::refuse_errors(&tripped, &t.org, period)?;
    for (ind, v) in &changes {
        let before = stored.get(&ind.code);
        store::put(tx, t.org.id, period, &ind.code, v, actor.account_id, &tx.now_stored())?;
        tx.audit(Event::new("report.set").target(&t.org.code).scope(&t.org.path).period(period.to_string()).detail(
            json!({
                "indicator": ind.code,
                "before": before.map(|b| b.value.clone()),
                "after": v,
                "proxy": t.proxy,
            }),
        ))?;
    }
    mark_filled(tx, t.org.id, period)?;
    mark_school_filled(tx, actor, &t.org)?;
    rules::record(tx, &t.org, period, &tripped)?;
    rules::refresh_next(tx, rules, &t.org, period)?;
    Ok(Written { changed: changes.len(), warnings: tripped })
}

/// What a confirmation did.
pub struct Confirmed {
    /// Stocks carried from an earlier period: (indicator, value, from period).
    pub carried: Vec<(String, String, String)>,
    /// Flows recorded as 0: nothing happened this month.
    pub zeroed: Vec<String>,
    pub already: bool,
    /// The warnings the confirmed period trips (stored as its flags).
    pub warnings: Vec<Tripped>,
}

/// `eip report confirm` (Art. 14–15, 无变化每月确认): carry every applicable stock not set this
/// period from the latest earlier period, record every flow not set as 0, and mark the period
/// confirmed. Refused, listing what is
/// missing, when there is nothing at all to confirm.
pub fn confirm(tx: &mut Tx, actor: &Actor, t: &Target, period: Period, cat: &[Indicator]) -> Result<Confirmed> {
    if let Some(l) = lock(tx, &t.org, period, tx.now)? {
        return Err(l.into_error(period).into());
    }
    let applicable: Vec<&Indicator> =
        cat.iter().filter(|i| i.retired_at.is_none() && i.applies_to(t.org.level, t.school_kind.as_deref())).collect();
    let stored = values_of(tx, t.org.id, period)?;
    // The latest earlier value of each indicator.
    let earlier = store::latest_before(tx, t.org.id, period)?;
    // A stock not set this period is carried from its latest earlier value; a flow is what
    // happened this month, so one not set is recorded as 0 (never carried:).
    let mut carried = Vec::new();
    let mut zeroed = Vec::new();
    for ind in &applicable {
        if stored.contains_key(&ind.code) {
            continue;
        }
        if ind.is_flow() {
            zeroed.push(ind.code.clone());
        } else if let Some((v, from)) = earlier.get(&ind.code) {
            carried.push((ind.code.clone(), v.clone(), from.clone()));
        }
    }
    // Something to confirm: a value this period, a stock to carry, or a flow to record as 0 for an
    // org that has reported before (a new org with nothing at all is told what is missing).
    let has_any = applicable.iter().any(|i| stored.contains_key(&i.code))
        || !carried.is_empty()
        || (!zeroed.is_empty() && !earlier.is_empty());
    if !has_any {
        let missing: Vec<&str> = applicable.iter().map(|i| i.code.as_str()).collect();
        return Err(Error::new(
            Kind::Refused,
            tf("confirm.nothing", &[("org", &t.org.code), ("period", &period), ("missing", &missing.join(", "))]),
        )
        .hint(tf("confirm.nothing.hint", &[("period", &period)]))
        .into());
    }
    let state = store::state_of(tx, t.org.id, period)?;
    if state == "confirmed" && carried.is_empty() && zeroed.is_empty() {
        return Ok(Confirmed { carried, zeroed, already: true, warnings: Vec::new() });
    }
    // The rules judge the period as the confirmation leaves it: what is stored, carried, or 0.
    let rules = RuleSet::load(tx)?;
    let mut after: BTreeMap<String, String> = stored.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
    for (code, v, _) in &carried {
        after.insert(code.clone(), v.clone());
    }
    for code in &zeroed {
        after.insert(code.clone(), "0".into());
    }
    let tripped = rules::judge(tx, &rules, &t.org, period, &after)?;
    rules::refuse_errors(&tripped, &t.org, period)?;
    let rows: Vec<(&str, &str)> = carried
        .iter()
        .map(|(code, v, _)| (code.as_str(), v.as_str()))
        .chain(zeroed.iter().map(|code| (code.as_str(), "0")))
        .collect();
    store::carry(tx, t.org.id, period, &rows, actor.account_id, &tx.now_stored())?;
    store::mark_confirmed(tx, t.org.id, period, &tx.now_stored(), actor.account_id)?;
    let carried_json: serde_json::Map<String, serde_json::Value> =
        carried.iter().map(|(c, v, from)| (c.clone(), json!({ "value": v, "from": from }))).collect();
    tx.audit(
        Event::new("report.confirm")
            .target(&t.org.code)
            .scope(&t.org.path)
            .period(period.to_string())
            .detail(json!({ "before": { "state": state }, "after": { "state": "confirmed" }, "carried": carried_json, "zeroed": zeroed, "proxy": t.proxy })),
    )?;
    mark_school_filled(tx, actor, &t.org)?;
    rules::record(tx, &t.org, period, &tripped)?;
    rules::refresh_next(tx, &rules, &t.org, period)?;
    Ok(Confirmed { carried, zeroed, already: false, warnings: tripped })
}

/// `eip report confirm --org A --org B …`: every target confirmed, each in its period, in the one
/// transaction `tx` — all of them or none, as a file is imported: the first refusal
/// rolls back the confirmations before it, so a command that failed changed nothing and is simply
/// run again. The results in the targets' order.
pub fn confirm_all(
    tx: &mut Tx,
    actor: &Actor,
    targets: &[(Target, Period)],
    cat: &[Indicator],
) -> Result<Vec<Confirmed>> {
    let several = targets.len() > 1;
    targets
        .iter()
        .map(|(t, period)| {
            confirm(tx, actor, t, *period, cat).map_err(|e| if several { none_confirmed(e, &t.org.code) } else { e })
        })
        .collect()
}

// ------------------------------------------------------------------ importing a values file

/// Columns of a values file that are not indicators: the org, its name and level (ignored), the
/// period, and in a long file the indicator and its value. Every other column of a wide file is an
/// indicator.
pub const FILE_COLUMNS: &[(&str, &[&str])] = &[
    ("org", &["org", "代码", "code"]),
    ("name", &["name", "名称"]),
    ("level", &["level", "级别"]),
    ("period", &["period", "月份"]),
    ("indicator", &["indicator", "指标"]),
    ("value", &["value", "值"]),
    // What an export adds beside the values: the row's plausibility flags.
    ("flags", &["flags", "校验提示数"]),
];

/// Whether the actor may import values at all: an admin, for its unit and the schools it
/// supervises. [`plan_import`] asks it again; a command asks it first, before it brings
/// the cycle up to now.
pub fn may_import(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::ReportImport, &actor.org)
}

/// One value an import would change.
#[derive(Debug, Clone)]
pub struct ValueChange {
    pub line: u64,
    pub org: String,
    pub period: Period,
    pub indicator: String,
    pub before: Option<String>,
    pub after: String,
}

impl crate::import::Change for ValueChange {
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("org", "col.code"),
        ("period", "col.period"),
        ("indicator", "col.indicator"),
        ("before", "col.before"),
        ("after", "col.after"),
    ];

    fn line(&self) -> u64 {
        self.line
    }

    fn kind(&self) -> ChangeKind {
        ChangeKind::Changed
    }

    fn cells(&self, _out: &Out) -> Vec<Cell> {
        vec![
            Cell::from(&self.org),
            Cell::from(self.period.to_string()),
            Cell::from(&self.indicator),
            Cell::from(self.before.clone()),
            Cell::from(&self.after),
        ]
    }
}

/// A checked value of an import: the indicator, the canonical value, and its line.
type Checked = (Indicator, String, u64);

/// What applying a values import writes: every checked value of every org and period, the
/// unchanged ones included (each is compared again inside the transaction that writes it, as
/// `report set` does). Made only by [`plan_import`].
pub struct ImportWrites {
    targets: BTreeMap<String, Target>,
    by_key: BTreeMap<(String, Period), Vec<Checked>>,
}

impl ImportWrites {
    /// How many org-periods it writes.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// `eip report import`: check every row of a values file (long or wide) against the catalogue,
/// the importer's scope and role, and each period's locks at `now`; the values that would change,
/// and what applying writes. `period` is the period of rows that name none, and the only period
/// accepted. A file with a column that is no indicator is refused whole (exit 6), and so is one
/// with a row the importer may not write (exit 3).
pub fn plan_import(
    conn: &Conn,
    actor: &Actor,
    sheet: &Sheet,
    period: Option<Period>,
    now: DateTime<Utc>,
) -> Result<(ImportPlan<ValueChange>, ImportWrites)> {
    may_import(actor)?;
    let cat = catalogue(conn)?;
    let cols = Columns::find(&sheet.headers, FILE_COLUMNS);
    let long = cols.has("indicator") && cols.has("value");
    // Wide: every other column must be an indicator (a misspelt header is not silently dropped).
    let mut wide_cols: Vec<(usize, &Indicator)> = Vec::new();
    if !long {
        let fixed: Vec<&str> = FILE_COLUMNS.iter().flat_map(|(_, names)| names.iter().copied()).collect();
        let mut unknown = Vec::new();
        for (i, h) in sheet.headers.iter().enumerate() {
            if fixed.iter().any(|f| f.eq_ignore_ascii_case(h)) {
                continue;
            }
            match find_indicator(&cat, h) {
                Some(ind) => wide_cols.push((i, ind)),
                None => unknown.push(h.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(error::invalid(tf(
                "import.unknown_columns",
                &[("file", &sheet.file), ("columns", &unknown.join(", "))],
            ))
            .hint(t("value.hint"))
            .into());
        }
    }
    // The plan notes no audit head: applying compares every value again in its own transaction.
    let mut plan: ImportPlan<ValueChange> = ImportPlan { rows: sheet.rows.len(), ..Default::default() };
    // Check every row; group the values by (org, period).
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    let mut by_key: BTreeMap<(String, Period), Vec<Checked>> = BTreeMap::new();
    for row in &sheet.rows {
        let mut err = |m: String| plan.error(row.line, m);
        let code = cols.code(row, "org");
        let period = match (cols.get(row, "period"), period) {
            ("", Some(p)) => p,
            ("", None) => {
                err(t("import.no_period").to_string());
                continue;
            }
            (text, given) => match text.parse::<Period>() {
                Ok(p) if given.is_none_or(|g| g == p) => p,
                Ok(p) => {
                    err(tf(
                        "import.other_period",
                        &[("period", &p), ("given", &given.map(|g| g.to_string()).unwrap_or_default())],
                    ));
                    continue;
                }
                Err(_) => {
                    err(tf("calendar.bad_period", &[("value", &text)]));
                    continue;
                }
            },
        };
        if !targets.contains_key(&code) {
            match target(conn, actor, Some(&code)) {
                Ok(t) => {
                    targets.insert(code.clone(), t);
                }
                // A row the importer may not write is a refusal of the whole import (exit 3,
                // audited), not bad input.
                Err(e) if error::kind_of(&e) == Kind::Denied => return Err(e),
                Err(e) => {
                    err(error::eip_error(&e).map_or(e.to_string(), |x| x.message.clone()));
                    continue;
                }
            }
        }
        let target = &targets[&code];
        if let Some(l) = lock(conn, &target.org, period, now)? {
            err(l.describe(period));
            continue;
        }
        let pairs: Vec<(String, String)> = if long {
            vec![(cols.get(row, "indicator").to_string(), cols.get(row, "value").to_string())]
        } else {
            wide_cols
                .iter()
                .filter_map(|(i, ind)| {
                    row.fields.get(*i).filter(|v| !v.is_empty()).map(|v| (ind.code.clone(), v.clone()))
                })
                .collect()
        };
        for (k, v) in pairs {
            match check_one(&cat, target, &k, &v) {
                Ok((ind, val)) => {
                    let vals = by_key.entry((code.clone(), period)).or_default();
                    match vals.iter().find(|(i, _, _)| i.code == ind.code) {
                        Some((_, _, first)) => err(tf(
                            "import.value_twice",
                            &[("org", &code), ("indicator", &ind.code), ("period", &period), ("line", first)],
                        )),
                        None => vals.push((ind, val, row.line)),
                    }
                }
                Err(e) => err(e.message),
            }
        }
    }
    // Every org-period as the file would leave it, judged by the plausibility rules:
    // an error rule tripped is a bad row (at the line of the first value it read that the file
    // gives), a warning a row with a word of caution; and what would change.
    let rules = RuleSet::load(conn)?;
    for ((code, period), vals) in &by_key {
        let org = &targets[code].org;
        let stored = values_of(conn, org.id, *period)?;
        let mut after: BTreeMap<String, String> = stored.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
        for (ind, v, _) in vals {
            after.insert(ind.code.clone(), v.clone());
        }
        let changes = vals.iter().any(|(ind, v, _)| stored.get(&ind.code).is_none_or(|s| s.value != *v));
        if changes {
            for x in rules::judge(conn, &rules, org, *period, &after)? {
                let line = vals
                    .iter()
                    .filter(|(ind, _, _)| x.reads.iter().any(|r| r.indicator.as_deref() == Some(ind.code.as_str())))
                    .map(|(_, _, l)| *l)
                    .min()
                    .unwrap_or_else(|| vals.iter().map(|(_, _, l)| *l).min().unwrap_or(0));
                let said = x.describe(code, *period);
                if x.is_error() {
                    plan.error(line, said);
                } else {
                    plan.warn(line, tf("rules.flagged", &[("line", &said)]));
                }
            }
        }
        if !plan.errors.is_empty() {
            continue;
        }
        for (ind, v, line) in vals {
            let before = stored.get(&ind.code);
            if before.is_some_and(|s| s.value == *v) {
                plan.unchanged += 1;
            } else {
                plan.changes.push(ValueChange {
                    line: *line,
                    org: code.clone(),
                    period: *period,
                    indicator: ind.code.clone(),
                    before: before.map(|s| s.value.clone()),
                    after: v.clone(),
                });
            }
        }
    }
    plan.warnings.sort_by_key(|w| w.line);
    plan.errors.sort_by_key(|e| e.line);
    Ok((plan, ImportWrites { targets, by_key }))
}

/// "N rows: C values changed, U unchanged".
pub fn import_summary(plan: &ImportPlan<ValueChange>) -> String {
    tf(
        "import.values_summary",
        &[("rows", &plan.rows), ("changed", &plan.changes.len()), ("unchanged", &plan.unchanged)],
    )
}

/// Apply a values import in the transaction given: each org's period as `report set` writes it
/// (locks checked again, values compared again), `tick` after each.
pub fn apply_import(tx: &mut Tx, actor: &Actor, writes: &ImportWrites, tick: &mut dyn FnMut()) -> Result<()> {
    let rules = RuleSet::load(tx)?;
    for ((code, period), vals) in &writes.by_key {
        let v: Vec<(Indicator, String)> = vals.iter().map(|(i, v, _)| (i.clone(), v.clone())).collect();
        set_judged(tx, actor, &writes.targets[code], *period, &v, &rules)?;
        tick();
    }
    Ok(())
}
