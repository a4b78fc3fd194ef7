//! `eip report return | ratify` (Art. 7, 19): a unit's reviewer returns a child's
//! period to correct until a due time; its inspector ratifies (审定) the unit's own.

use clap::Args;

use crate::calendar::Period;
use crate::cmd::cycle_args::{parse_due, reason, show_time};
use crate::cmd::parse_period;
use crate::context::Ctx;
use crate::error::Result;
use crate::i18n::tf;
use crate::periods::{self, Purpose};
use crate::scope;
use crate::submission;

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

pub fn cmd_return(ctx: &mut Ctx, a: ReturnArgs) -> Result<()> {
    let out = ctx.out.clone();
    let why = reason(&a.reason)?;
    let (db, actor) = ctx.current()?;
    let target = scope::org(&db.conn, &actor, &a.org)?;
    // Who may return is settled before the period is said.
    submission::may_return(&actor, &target)?;
    let period = periods::default(a.period, &db.conn, &actor.org, Purpose::Report, db.now)?;
    out.status(&tf("report.period_used", &[("period", &period), ("org", &target.code)]));
    db.write(&actor.audit_actor(), |tx| submission::return_period(tx, &actor, &target, period, a.due, &why))?;
    out.status(&tf(
        "return.done",
        &[("org", &target.code), ("period", &period), ("due", &show_time(&out, a.due)), ("reason", &why)],
    ));
    Ok(())
}

pub fn cmd_ratify(ctx: &mut Ctx, a: RatifyArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (_, actor) = ctx.signed_in()?;
    // Who may ratify is settled before the cycle is brought up to now (as for `submit`).
    submission::may_ratify(&actor)?;
    let (db, actor) = ctx.current()?;
    let period = periods::default(a.period, &db.conn, &actor.org, Purpose::Report, db.now)?;
    db.write(&actor.audit_actor(), |tx| submission::ratify(tx, &actor, period))?;
    out.status(&tf("ratify.done", &[("unit", &actor.org.code), ("period", &period)]));
    Ok(())
}
