//! `eip submit` (Art. 16–17): the reviewer submits its unit's period, or `--sweep`
//! performs every automatic submission that is due.

use clap::Args;

use crate::calendar::Period;
use crate::context::Ctx;
use crate::error::Result;
use crate::i18n::tf;
use crate::output::Cell;
use crate::periods::{self, Purpose};
use crate::rules;
use crate::submission;

use super::cycle_args::show_time;
use super::parse_period;

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

/// How many of the flags a submission passed on it shows.
const SHOWN_FLAGS: usize = 5;

pub fn cmd_submit(ctx: &mut Ctx, a: SubmitArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    if a.sweep {
        let done = submission::sweep(db, true)?;
        out.status(&tf("submit.swept", &[("count", &done.len())]));
        let rows: Vec<Vec<Cell>> = done.iter().map(|(u, p)| vec![Cell::from(u), Cell::from(p.to_string())]).collect();
        return out.list(&[("unit", "col.unit"), ("period", "col.period")], &rows);
    }
    // Who may submit is settled before the cycle is brought up to now: a refused submission makes
    // no automatic ones.
    submission::may_submit(&actor)?;
    let (db, actor) = ctx.current()?;
    let unit = actor.org.clone();
    let period = periods::default(a.period, &db.conn, &unit, Purpose::Submit, db.now)?;
    out.status(&tf("report.period_used", &[("period", &period), ("org", &unit.code)]));
    let now = db.now;
    // Read and decided inside the write transaction: of two submissions started together, the
    // second finds the first and is refused (docs/DECISIONS.md).
    let incomplete = db.write(&actor.audit_actor(), |tx| submission::submit(tx, &actor, period, a.allow_incomplete))?;
    let note = if incomplete > 0 { tf("submit.incomplete_note", &[("count", &incomplete)]) } else { String::new() };
    out.status(&tf("submit.done", &[("unit", &unit.code), ("period", &period), ("incomplete", &note)]));
    // The plausibility flags it passed on: how many, and the first few.
    let (first, flags) = rules::first_flags(&db.conn, &unit, period, SHOWN_FLAGS)?;
    if flags > 0 {
        out.status(&tf("rules.passed_on", &[("count", &flags), ("unit", &unit.code), ("period", &period)]));
        for f in &first {
            out.status(&format!(
                "  {}",
                tf(
                    "rules.tripped",
                    &[
                        ("org", &format!("{} {}", f.code, f.name)),
                        ("period", &period),
                        ("rule", &f.rule),
                        ("message", &f.message()),
                        ("values", &f.values())
                    ],
                )
            ));
        }
        if flags > first.len() as i64 {
            out.status(&format!("  {}", tf("rules.passed_on_more", &[("more", &(flags - first.len() as i64))])));
        }
    }
    out.record(
        &[
            ("unit", "col.unit"),
            ("period", "col.period"),
            ("state", "col.state"),
            ("submitted_at", "col.submitted_at"),
            ("incomplete_schools", "col.schools"),
            ("flags", "col.flags"),
        ],
        &[
            Cell::from(unit.code),
            Cell::from(period.to_string()),
            Cell::from("submitted"),
            Cell::from(show_time(&out, now)),
            Cell::Int(incomplete),
            Cell::Int(flags),
        ],
    )
}
