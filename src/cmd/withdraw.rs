//! `eip withdraw …` (撤报, Art. 18): a unit's reviewer asks the unit above to let it withdraw a
//! submitted period; that unit's reviewer approves (the period returns to the unit until a due
//! time) or rejects.

use clap::{Args, Subcommand};

use crate::calendar::Period;
use crate::context::Ctx;
use crate::error::Result;
use crate::i18n::tf;
use crate::output::Cell;
use crate::periods::{self, Purpose};
use crate::requests;
use crate::submission;

use super::cycle_args::{parse_due, reason, show_time};
use super::parse_period;

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

pub fn cmd_withdraw(ctx: &mut Ctx, c: WithdrawCommand) -> Result<()> {
    match c {
        WithdrawCommand::Request(a) => request(ctx, a),
        WithdrawCommand::List(a) => list(ctx, a),
        WithdrawCommand::Approve(a) => approve_withdrawal(ctx, a.id, a.due),
        WithdrawCommand::Reject(a) => reject(ctx, a),
    }
}

fn request(ctx: &mut Ctx, a: WithdrawRequestArgs) -> Result<()> {
    let out = ctx.out.clone();
    let why = reason(&a.reason)?;
    let (_, actor) = ctx.signed_in()?;
    // Who may ask is settled before the cycle is brought up to now (as for `submit`).
    submission::may_request_withdrawal(&actor)?;
    let (db, actor) = ctx.current()?;
    let period = periods::default(a.period, &db.conn, &actor.org, Purpose::Report, db.now)?;
    let (id, parent) = db.write(&actor.audit_actor(), |tx| submission::file_withdrawal(tx, &actor, period, &why))?;
    out.status(&tf("withdraw.filed", &[("id", &id), ("parent", &parent.code)]));
    out.record(&[("id", "col.id"), ("kind", "col.kind")], &[Cell::Int(id), Cell::from("withdraw")])
}

fn list(ctx: &mut Ctx, a: WithdrawListArgs) -> Result<()> {
    let out = ctx.out.clone();
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

/// Approve a withdrawal (`withdraw approve`, `request approve`): the parent's reviewer returns the
/// period with a due time (Art. 18).
pub fn approve_withdrawal(ctx: &mut Ctx, id: i64, due: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let r = requests::find(&db.conn, &actor, id)?;
    let (unit, period) = db.write(&actor.audit_actor(), |tx| submission::approve_withdrawal(tx, &actor, &r, due))?;
    out.status(&tf(
        "withdraw.approved",
        &[("id", &id), ("unit", &unit.code), ("period", &period), ("due", &show_time(&out, due))],
    ));
    Ok(())
}

fn reject(ctx: &mut Ctx, a: WithdrawRejectArgs) -> Result<()> {
    let out = ctx.out.clone();
    let why = reason(&a.reason)?;
    let (db, actor) = ctx.signed_in()?;
    let r = requests::find(&db.conn, &actor, a.id)?;
    db.write(&actor.audit_actor(), |tx| submission::reject_withdrawal(tx, &actor, &r, &why))?;
    out.status(&tf("request.rejected", &[("id", &r.id), ("reason", &why)]));
    Ok(())
}
