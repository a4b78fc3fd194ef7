//! `eip report indicators | set | confirm | show` (Art. 14–15).

use clap::{Args, Subcommand};

use crate::calendar::Period;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::indicators;
use crate::model::Org;
use crate::output::{Cell, Out};
use crate::periods::{self, Purpose};
use crate::scope;
use crate::store::Db;
use crate::values::{self, Indicator, Target};

use crate::cmd::parse_period;

#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// Add an indicator to the catalogue (Ministry admin)
    Add(IndicatorAddArgs),
    /// Retire an indicator: no new values, the old stay readable (Ministry admin)
    Retire(IndicatorRetireArgs),
}

#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    #[command(subcommand)]
    pub command: Option<IndicatorsCommand>,
}

#[derive(Debug, Args)]
pub struct IndicatorAddArgs {
    /// snake_case code, e.g. smart_classrooms
    pub code: String,
    #[arg(long)]
    pub name_zh: String,
    #[arg(long)]
    pub name_en: String,
    /// count, decimal, bool or text
    #[arg(long, value_parser = ["count", "decimal", "bool", "text"])]
    pub kind: String,
    /// Unit of measure (间, 人, Mbps …)
    #[arg(long, default_value = "")]
    pub unit: String,
    /// school, teaching_point or unit
    #[arg(long, value_parser = ["school", "teaching_point", "unit"])]
    pub filled_by: String,
    /// stock (a state at the month's end, carried forward by a confirmation) or flow (what
    /// happened during the month, recorded as 0 by a confirmation)
    #[arg(long, value_parser = ["stock", "flow"], default_value = "stock")]
    pub measure: String,
}

#[derive(Debug, Args)]
pub struct IndicatorRetireArgs {
    pub code: String,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// KEY=VALUE pairs: indicator code (or Chinese name) and value
    #[arg(required = true, value_name = "KEY=VALUE")]
    pub pairs: Vec<String>,
    /// A school your unit supervises directly (proxy entry) [default: your own org]
    #[arg(long, value_name = "CODE")]
    pub org: Option<String>,
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// A school your unit supervises directly (proxy entry) [default: your own org]; repeat it to
    /// confirm several in one go, all of them or none
    #[arg(long, value_name = "CODE")]
    pub org: Vec<String>,
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Any unit or school in your scope [default: your own org]
    #[arg(long, value_name = "CODE")]
    pub org: Option<String>,
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

pub fn indicators(ctx: &mut Ctx, a: IndicatorsArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    match a.command {
        None => {
            let cat = values::catalogue(&db.conn)?;
            let rows: Vec<Vec<Cell>> = cat
                .iter()
                .map(|i| {
                    vec![
                        Cell::from(&i.code),
                        Cell::from(&i.name_zh),
                        Cell::from(&i.name_en),
                        out.word(&i.kind, crate::indicators::kind_label(&i.kind)),
                        Cell::from(&i.unit),
                        out.word(&i.filled_by, crate::indicators::filled_by_label(&i.filled_by)),
                        out.word(&i.measure, crate::indicators::measure_label(&i.measure)),
                        Cell::Bool(i.retired_at.is_some()),
                    ]
                })
                .collect();
            out.list(
                &[
                    ("code", "col.code"),
                    ("name_zh", "col.name_zh"),
                    ("name_en", "col.name_en"),
                    ("kind", "col.kind"),
                    ("unit", "col.unit_of_measure"),
                    ("filled_by", "col.filled_by"),
                    ("measure", "col.measure"),
                    ("retired", "col.retired"),
                ],
                &rows,
            )
        }
        Some(IndicatorsCommand::Add(i)) => {
            let ind = Indicator {
                code: i.code.trim().to_string(),
                name_zh: i.name_zh,
                name_en: i.name_en,
                kind: i.kind,
                unit: i.unit,
                filled_by: i.filled_by,
                position: 0,
                retired_at: None,
                measure: i.measure,
            };
            indicators::may_manage(&actor)?;
            db.write(&actor.audit_actor(), |tx| indicators::add_indicator(tx, &actor, &ind))?;
            out.status(&tf("indicator.added", &[("code", &ind.code)]));
            Ok(())
        }
        Some(IndicatorsCommand::Retire(r)) => {
            let code = r.code.trim().to_string();
            indicators::may_manage(&actor)?;
            let done = db.write(&actor.audit_actor(), |tx| indicators::retire_indicator(tx, &actor, &code))?;
            let key = if done { "indicator.retired_now" } else { "indicator.already_retired" };
            out.status(&tf(key, &[("code", &code)]));
            Ok(())
        }
    }
}

/// The period given, or the org's default; printed either way.
pub fn period_for(out: &Out, db: &Db, org: &Org, given: Option<Period>) -> Result<Period> {
    let p = periods::default(given, &db.conn, org, Purpose::Entry, db.now)?;
    out.status(&tf("report.period_used", &[("period", &p), ("org", &org.code)]));
    Ok(p)
}

/// The months a report reads: the range given, checked (none in the future); or, for one month
/// or none, the month as `period_for` picks it, said on stderr.
pub fn months_for(out: &Out, db: &Db, org: &Org, given: Option<crate::model::PeriodRange>) -> Result<Vec<Period>> {
    match given {
        Some(r) if r.from != r.to => Ok(crate::facts::check_range(r, db.now)?.periods()),
        given => Ok(vec![period_for(out, db, org, given.map(|r| r.from))?]),
    }
}

fn parse_pairs(pairs: &[String]) -> Result<Vec<(String, String)>> {
    if pairs.is_empty() {
        return Err(error::usage(t("value.none_given")).into());
    }
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| error::usage(tf("value.pair", &[("arg", p)])).into())
        })
        .collect()
}

pub fn set(ctx: &mut Ctx, a: SetArgs) -> Result<()> {
    let out = ctx.out.clone();
    let pairs = parse_pairs(&a.pairs)?;
    let (db, actor) = ctx.current()?;
    let target: Target = values::target(&db.conn, &actor, a.org.as_deref())?;
    let period = period_for(&out, db, &target.org, a.period)?;
    let cat = values::catalogue(&db.conn)?;
    let checked = values::check_pairs(&cat, &target, &pairs)?;
    let done = db.write(&actor.audit_actor(), |tx| values::set(tx, &actor, &target, period, &checked))?;
    out.status(&tf(
        "report.set_done",
        &[
            ("org", &target.org.code),
            ("period", &period),
            ("changed", &done.changed),
            ("same", &(checked.len() - done.changed)),
        ],
    ));
    warn_flags(&out, &target.org, period, &done.warnings);
    Ok(())
}

/// Each warning a write left on the org's period, on stderr: the rule, its message, the values.
fn warn_flags(out: &Out, org: &Org, period: Period, warnings: &[crate::rules::Tripped]) {
    for w in warnings {
        out.warn(&tf("rules.flagged", &[("line", &w.describe(&org.code, period))]));
    }
}

pub fn confirm(ctx: &mut Ctx, a: ConfirmArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let targets = values::targets(&db.conn, &actor, &a.org)?;
    let mut jobs = Vec::with_capacity(targets.len());
    for target in targets {
        let period = period_for(&out, db, &target.org, a.period)?;
        jobs.push((target, period));
    }
    let cat = values::catalogue(&db.conn)?;
    let done = db.write(&actor.audit_actor(), |tx| values::confirm_all(tx, &actor, &jobs, &cat))?;
    // With several orgs, each row of the list says whose value it is.
    let several = jobs.len() > 1;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for ((target, period), done) in jobs.iter().zip(&done) {
        let org = &target.org.code;
        if done.already {
            out.status(&tf("report.already_confirmed", &[("org", org), ("period", period)]));
        } else {
            out.status(&tf("report.confirmed", &[("org", org), ("period", period), ("carried", &done.carried.len())]));
        }
        if !done.zeroed.is_empty() {
            out.status(&tf("report.flows_zeroed", &[("indicators", &done.zeroed.join(", "))]));
        }
        warn_flags(&out, &target.org, *period, &done.warnings);
        let lead = |mut row: Vec<Cell>| {
            if several {
                row.insert(0, Cell::from(org));
            }
            row
        };
        rows.extend(done.carried.iter().map(|(c, v, from)| lead(vec![Cell::from(c), Cell::from(v), Cell::from(from)])));
        rows.extend(done.zeroed.iter().map(|c| lead(vec![Cell::from(c), Cell::from("0"), Cell::Null])));
    }
    if !rows.is_empty() {
        let mut columns = vec![("indicator", "col.indicator"), ("value", "col.value"), ("from", "col.period")];
        if several {
            columns.insert(0, ("org", "col.code"));
        }
        out.list(&columns, &rows)?;
    }
    Ok(())
}

pub fn state_word(out: &Out, state: &str) -> Cell {
    let label = match state {
        "filled" => t("state.filled"),
        "confirmed" => t("state.confirmed"),
        "returned" => t("state.returned"),
        "submitted" => t("state.submitted"),
        "auto_submitted" => t("state.auto_submitted"),
        _ => t("state.open"),
    };
    out.word(state, label)
}

pub fn show(ctx: &mut Ctx, a: ShowArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let org = match &a.org {
        None => actor.org.clone(),
        Some(code) => scope::org(&db.conn, &actor, code)?,
    };
    let period = period_for(&out, db, &org, a.period)?;
    let kind = values::kind_of(&db.conn, &org)?;
    let cat = values::catalogue(&db.conn)?;
    let stored = values::values_of(&db.conn, org.id, period)?;
    let state = values::state_of(&db.conn, org.id, period)?;
    out.status(&format!("{}: {}", t("col.state"), values_state_label(&state)));
    let machine = out.is_machine();
    let rows: Vec<Vec<Cell>> = cat
        .iter()
        .filter(|i| {
            i.applies_to(org.level, kind.as_deref()) && (i.retired_at.is_none() || stored.contains_key(&i.code))
        })
        .map(|i| {
            let v = stored.get(&i.code);
            vec![
                Cell::from(&i.code),
                Cell::from(i.name().to_string()),
                Cell::from(v.map(|v| values::show_value(&i.kind, &v.value, machine))),
                Cell::from(&i.unit),
                Cell::from(v.map(|v| v.carried)),
                Cell::from(v.and_then(|v| v.set_by.clone())),
                out.when(v.map(|v| v.set_at.as_str())),
            ]
        })
        .collect();
    out.list(
        &[
            ("indicator", "col.indicator"),
            ("name", "col.name"),
            ("value", "col.value"),
            ("unit", "col.unit_of_measure"),
            ("carried", "col.carried"),
            ("set_by", "col.set_by"),
            ("set_at", "col.set_at"),
        ],
        &rows,
    )
}

fn values_state_label(state: &str) -> &'static str {
    match state {
        "filled" => t("state.filled"),
        "confirmed" => t("state.confirmed"),
        "returned" => t("state.returned"),
        _ => t("state.open"),
    }
}
