//! `eip submit`, `eip withdraw …`, `eip report return | ratify` (SPEC §4.4, Art. 16–19).

use clap::{Args, Subcommand};

use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::hierarchy::{self, Level};
use crate::i18n::{t, tf};
use crate::output::Cell;
use crate::perm::{self, Action};
use crate::requests;
use crate::submission;

use super::parse_period;

fn parse_due(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    calendar::parse_user_time(s).ok_or_else(|| tf("return.bad_due", &[("value", &s)]))
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// YYYY-MM [default: a returned period, else last month]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM", conflicts_with = "sweep")]
    pub period: Option<Period>,
    /// Submit although some schools have not confirmed (the count is recorded)
    #[arg(long, conflicts_with = "sweep")]
    pub allow_incomplete: bool,
    /// Perform every automatic submission that is due (cron), counties first, reading every past
    /// month (other commands skip the months already known to be complete)
    #[arg(long)]
    pub sweep: bool,
}

#[derive(Debug, Subcommand)]
pub enum WithdrawCommand {
    /// Ask the unit above to let you withdraw a submitted period (Art. 18)
    Request(WithdrawRequestArgs),
    /// Withdrawal requests you filed or that await your decision
    List(WithdrawListArgs),
    /// Approve: the period returns to the unit until the due time
    Approve(WithdrawApproveArgs),
    /// Reject, with the reason
    Reject(WithdrawRejectArgs),
}

#[derive(Debug, Args)]
pub struct WithdrawRequestArgs {
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct WithdrawListArgs {
    /// Decided ones too
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct WithdrawApproveArgs {
    pub id: i64,
    /// Until when the unit may correct, e.g. 2026-12-09T12:00+08:00 (not after your own deadline)
    #[arg(long, value_parser = parse_due, value_name = "TIME")]
    pub due: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Args)]
pub struct WithdrawRejectArgs {
    pub id: i64,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    /// The child unit, or a school your unit supervises directly
    pub org: String,
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// Until when it may correct and resubmit, e.g. 2026-12-08T18:00+08:00
    #[arg(long, value_parser = parse_due, value_name = "TIME")]
    pub due: chrono::DateTime<chrono::Utc>,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RatifyArgs {
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

fn reason(r: &str) -> Result<String> {
    let r = r.trim();
    if r.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    Ok(r.to_string())
}

fn show(ctx: &Ctx, at: chrono::DateTime<chrono::Utc>) -> String {
    if ctx.out.is_machine() {
        calendar::rfc3339_cst(at)
    } else {
        format!("{} {}", calendar::show_cst(at, false), t("cst"))
    }
}

pub fn cmd_submit(ctx: &mut Ctx, a: SubmitArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    if a.sweep {
        let done = submission::sweep(db, true)?;
        out.status(&tf("submit.swept", &[("count", &done.len())]));
        let rows: Vec<Vec<Cell>> = done.iter().map(|(u, p)| vec![Cell::from(u), Cell::from(p.to_string())]).collect();
        return out.list(&[("unit", "col.unit"), ("period", "col.period")], &rows);
    }
    perm::require(&actor, Action::Submit, &actor.org)?;
    if actor.org.level == Level::Ministry {
        return Err(error::refused(t("submit.ministry")).into());
    }
    submission::catch_up(db)?;
    let unit = actor.org.clone();
    let period = match a.period {
        Some(p) => p,
        None => crate::periods::default(&db.conn, &unit, crate::periods::Purpose::Submit, db.now)?,
    };
    out.status(&tf("report.period_used", &[("period", &period), ("org", &unit.code)]));
    let now = db.now;
    // Read and decided inside the write transaction: of two submissions started together, the
    // second finds the first and is refused (docs/DECISIONS.md).
    let incomplete = db.write(&actor.audit_actor(), |tx| {
        submission::submit(tx, actor.account_id, &unit, period, a.allow_incomplete)
    })?;
    let note = if incomplete > 0 { tf("submit.incomplete_note", &[("count", &incomplete)]) } else { String::new() };
    out.status(&tf("submit.done", &[("unit", &unit.code), ("period", &period), ("incomplete", &note)]));
    out.record(
        &[
            ("unit", "col.unit"),
            ("period", "col.period"),
            ("state", "col.state"),
            ("submitted_at", "col.submitted_at"),
            ("incomplete_schools", "col.schools"),
        ],
        &[
            Cell::from(unit.code),
            Cell::from(period.to_string()),
            Cell::from("submitted"),
            Cell::from(show(ctx, now)),
            Cell::Int(incomplete),
        ],
    )
}

pub fn cmd_withdraw(ctx: &mut Ctx, c: WithdrawCommand) -> Result<()> {
    let out = ctx.out.clone();
    match c {
        WithdrawCommand::Request(a) => {
            let why = reason(&a.reason)?;
            let (db, actor) = ctx.signed_in()?;
            perm::require(&actor, Action::Submit, &actor.org)?;
            submission::catch_up(db)?;
            let unit = actor.org.clone();
            let period =
                crate::periods::or_default(a.period, &db.conn, &actor.org, crate::periods::Purpose::Report, db.now)?;
            let (id, parent) = db.write(&actor.audit_actor(), |tx| {
                submission::file_withdrawal(tx, actor.account_id, &unit, period, &why)
            })?;
            out.status(&tf("withdraw.filed", &[("id", &id), ("parent", &parent.code)]));
            out.record(&[("id", "col.id"), ("kind", "col.kind")], &[Cell::Int(id), Cell::from("withdraw")])
        }
        WithdrawCommand::List(a) => {
            let (db, actor) = ctx.signed_in()?;
            let rows: Vec<Vec<Cell>> = requests::list(&db.conn, &actor, a.all)?
                .into_iter()
                .filter(|r| r.kind == "withdraw")
                .map(|r| {
                    vec![
                        Cell::Int(r.id),
                        Cell::from(r.org_code),
                        Cell::from(r.period),
                        Cell::from(r.status),
                        Cell::from(r.awaiting_code),
                        Cell::from(r.filed_by),
                        Cell::from(r.reason),
                    ]
                })
                .collect();
            out.list(
                &[
                    ("id", "col.id"),
                    ("unit", "col.unit"),
                    ("period", "col.period"),
                    ("status", "col.status"),
                    ("awaiting", "col.awaiting"),
                    ("filed_by", "col.filed_by"),
                    ("reason", "col.reason"),
                ],
                &rows,
            )
        }
        WithdrawCommand::Approve(a) => approve_withdrawal(ctx, a.id, a.due),
        WithdrawCommand::Reject(a) => {
            let why = reason(&a.reason)?;
            let (db, actor) = ctx.signed_in()?;
            let r = requests::find(&db.conn, &actor, a.id)?;
            if r.kind != "withdraw" {
                return Err(error::not_found(tf("request.none", &[("id", &a.id)])).into());
            }
            let awaiting = hierarchy::find(&db.conn, r.awaiting_code.as_deref().unwrap_or(""))?
                .ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &r.org_code)])))?;
            perm::require(&actor, Action::ReturnChild, &awaiting)?;
            requests::require_pending(&r)?;
            db.write(&actor.audit_actor(), |tx| {
                let r = requests::reload_pending(tx, &actor, &r)?;
                requests::record_decision(tx, &actor, &r, false, Some(&why))
            })?;
            out.status(&tf("request.rejected", &[("id", &r.id), ("reason", &why)]));
            Ok(())
        }
    }
}

/// Approve a withdrawal: the parent's reviewer returns the period with a due time (Art. 18).
pub fn approve_withdrawal(ctx: &mut Ctx, id: i64, due: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    submission::catch_up(db)?;
    let r = requests::find(&db.conn, &actor, id)?;
    if r.kind != "withdraw" {
        return Err(error::not_found(tf("request.none", &[("id", &id)])).into());
    }
    let awaiting = hierarchy::find(&db.conn, r.awaiting_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &r.org_code)])))?;
    perm::require(&actor, Action::ReturnChild, &awaiting)?;
    requests::require_pending(&r)?;
    let unit = hierarchy::find_by_id(&db.conn, r.org_id)?;
    let period: Period =
        r.period.as_deref().unwrap_or("").parse().map_err(|_| anyhow::anyhow!("request {id} has no period"))?;
    let why = r.reason.clone().unwrap_or_default();
    // The request still pending and the period still returnable, both as read inside the write
    // transaction: an approval racing a rejection (or another approval) finds it decided.
    db.write(&actor.audit_actor(), |tx| {
        let r = requests::reload_pending(tx, &actor, &r)?;
        let now = tx.now;
        submission::check_return(tx, &awaiting, &unit, period, due, now)?;
        submission::return_unit(tx, actor.account_id, &unit, period, due, &why, "withdraw.approve")?;
        requests::record_decision(tx, &actor, &r, true, None)
    })?;
    out.status(&tf(
        "withdraw.approved",
        &[("id", &id), ("unit", &unit.code), ("period", &period), ("due", &show(ctx, due))],
    ));
    Ok(())
}

pub fn cmd_return(ctx: &mut Ctx, a: ReturnArgs) -> Result<()> {
    let out = ctx.out.clone();
    let why = reason(&a.reason)?;
    let (db, actor) = ctx.signed_in()?;
    submission::catch_up(db)?;
    let target = hierarchy::find(&db.conn, a.org.trim())?
        .filter(|o| actor.scope().contains_path(&o.path))
        .ok_or_else(|| error::not_found(tf("org.none", &[("code", &a.org.trim())])))?;
    perm::require(&actor, Action::ReturnChild, &actor.org)?;
    let unit = actor.org.clone();
    if target.parent_code.as_deref() != Some(unit.code.as_str()) {
        return Err(error::refused(tf("return.not_child", &[("org", &target.code), ("unit", &unit.code)])).into());
    }
    let period = crate::periods::or_default(a.period, &db.conn, &actor.org, crate::periods::Purpose::Report, db.now)?;
    out.status(&tf("report.period_used", &[("period", &period), ("org", &target.code)]));
    // Decided inside the write transaction on the state read there: of two returns started
    // together, the second finds the period already returned.
    db.write(&actor.audit_actor(), |tx| {
        if target.level == Level::School {
            submission::return_school_checked(tx, &unit, &target, period, a.due, &why)
        } else {
            let now = tx.now;
            submission::check_return(tx, &unit, &target, period, a.due, now)?;
            submission::return_unit(tx, actor.account_id, &target, period, a.due, &why, "report.return")
        }
    })?;
    out.status(&tf(
        "return.done",
        &[("org", &target.code), ("period", &period), ("due", &show(ctx, a.due)), ("reason", &why)],
    ));
    Ok(())
}

pub fn cmd_ratify(ctx: &mut Ctx, a: RatifyArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    perm::require(&actor, Action::Ratify, &actor.org)?;
    submission::catch_up(db)?;
    let unit = actor.org.clone();
    let period = crate::periods::or_default(a.period, &db.conn, &actor.org, crate::periods::Purpose::Report, db.now)?;
    db.write(&actor.audit_actor(), |tx| submission::ratify(tx, actor.account_id, &unit, period))?;
    out.status(&tf("ratify.done", &[("unit", &unit.code), ("period", &period)]));
    Ok(())
}
