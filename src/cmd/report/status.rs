//! `eip report status | missing` (Art. 7, 16): who has filled and confirmed, and the
//! 催报 list with each responsible person's contact.

use clap::Args;

use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::model::PeriodRange;
use crate::output::{Cell, Out};
use crate::status::{self, Next, Standing};

use super::data::{months_for, period_for, state_word};
use crate::cmd::{parse_period, parse_range};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// YYYY-MM, or a range YYYY-MM..YYYY-MM (a period column, one row per child and month)
    /// [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_range, value_name = "YYYY-MM")]
    pub period: Option<PeriodRange>,
    /// The unit whose direct children to show [default: your own unit]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
}

#[derive(Debug, Args)]
pub struct MissingArgs {
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// Everything below this unit [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// Record that you urged (催报) every unit listed (an admin; the bulletin counts it)
    #[arg(long)]
    pub notify: bool,
}

/// A school's own period, as one record (Art. 12).
fn school_status(out: &Out, v: &status::SchoolView) -> Result<()> {
    let next = v.next.map(|n| match n {
        "fill" => tf("school.next.fill", &[("period", &v.period)]),
        "confirm" => tf("school.next.confirm", &[("period", &v.period)]),
        _ => tf("school.next.correct", &[("period", &v.period)]),
    });
    out.record(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("period", "col.period"),
            ("state", "col.state"),
            ("unit", "col.unit"),
            ("deadline", "col.deadline"),
            ("returned_reason", "col.return_reason"),
            ("due", "col.due"),
            ("lock_reason", "col.lock_reason"),
            ("lock", "col.lock"),
            ("next", "col.next"),
        ],
        &[
            Cell::from(&v.school.code),
            Cell::from(&v.school.name),
            Cell::from(v.period.to_string()),
            state_word(out, &v.state),
            Cell::from(&v.unit.code),
            Cell::from(v.deadline.map(|d| {
                if out.is_machine() {
                    calendar::rfc3339_cst(d)
                } else {
                    calendar::show_cst(d, true)
                }
            })),
            Cell::from(v.returned.as_ref().map(|r| r.0.clone())),
            out.when(v.returned.as_ref().map(|r| r.1.as_str())),
            v.lock.as_ref().map_or(Cell::Null, |l| out.word(l.0, crate::values::Lock::label(l.0))),
            Cell::from(v.lock.as_ref().map(|l| l.1.clone())),
            if out.is_machine() { Cell::from(v.next) } else { Cell::from(next) },
        ],
    )
}

fn next_words(out: &Out, next: &[Next]) -> Cell {
    if out.is_machine() {
        return Cell::from(next.iter().map(|n| n.machine()).collect::<Vec<_>>().join(" "));
    }
    let words: Vec<String> = next
        .iter()
        .map(|n| match n {
            Next::ApproveWithdrawal(id) => tf("next.approve_withdrawal", &[("id", id)]),
            Next::Submit => t("next.submit").to_string(),
            Next::WithdrawRequest => t("next.withdraw_request").to_string(),
            Next::Return => t("next.return").to_string(),
            Next::Ratify => t("next.ratify").to_string(),
            Next::Urge => t("next.urge").to_string(),
        })
        .collect();
    Cell::from(words.join(", "))
}

pub fn status(ctx: &mut Ctx, a: StatusArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    if actor.org.level == crate::model::Level::School && a.under.is_none() {
        let period = match a.period {
            Some(r) if r.from != r.to => return Err(error::usage(t("status.school_one_month")).into()),
            given => period_for(&out, db, &actor.org, given.map(|r| r.from))?,
        };
        return school_status(&out, &status::school_view(&db.conn, &actor, period, db.now)?);
    }
    let unit = status::root(&db.conn, &actor, a.under.as_deref())?;
    let months = months_for(&out, db, &unit, a.period)?;
    let many = months.len() > 1;
    let mut rows = Vec::new();
    for period in months {
        let status = status::status(&db.conn, &actor, &unit, period, db.now)?;
        // The unit itself, on stderr: its own submission.
        let mut heading =
            format!("{} {} {}{}{}", unit.code, unit.name, period, t("colon"), t(state_key(&status.own.state)));
        if status.flags > 0 {
            heading.push_str(&format!("{}{}", t("sep.clause"), tf("rules.status_flags", &[("count", &status.flags)])));
        }
        out.status(&heading);
        for row in child_rows(&out, &status) {
            rows.push(if many { std::iter::once(Cell::from(period.to_string())).chain(row).collect() } else { row });
        }
    }
    let mut columns: Vec<(&'static str, &'static str)> = if many { vec![("period", "col.period")] } else { vec![] };
    columns.extend_from_slice(STATUS_COLUMNS);
    out.list(&columns, &rows)
}

/// The status table's columns.
const STATUS_COLUMNS: &[(&str, &str)] = &[
    ("code", "col.code"),
    ("name", "col.name"),
    ("level", "col.level"),
    ("state", "col.state"),
    ("data_state", "col.data_state"),
    ("submitted_at", "col.submitted_at"),
    ("submitted_by", "col.submitted_by"),
    ("auto", "col.auto"),
    ("ratified", "col.ratified"),
    ("due", "col.due"),
    ("schools_confirmed", "col.schools_confirmed"),
    ("schools_expected", "col.schools_expected"),
    ("last_change", "col.last_change"),
    ("flags", "col.flags"),
    ("next", "col.next"),
    ("lock_reason", "col.lock_reason"),
];

/// One row per child of the status.
fn child_rows(out: &Out, status: &status::Status) -> Vec<Vec<Cell>> {
    let out = out.clone();
    let mut rows = Vec::new();
    for c in &status.children {
        let child = &c.org;
        rows.push(match &c.standing {
            Standing::School { school: s, return_due } => vec![
                Cell::from(&child.code),
                Cell::from(&child.name),
                out.word(child.level.as_str(), child.level.label()),
                state_word(&out, &s.state),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                out.when(return_due.as_deref()),
                Cell::Int((s.state == "confirmed") as i64),
                Cell::Int(1),
                out.when(s.last_set.as_deref()),
                Cell::Int(c.flags),
                next_words(&out, &c.next),
                lock_word(&out, c.lock),
            ],
            Standing::Unit { submission: sub, agg } => {
                let auto = sub.state == "auto_submitted" || (sub.submitted_at.is_some() && sub.submitted_by.is_none());
                vec![
                    Cell::from(&child.code),
                    Cell::from(&child.name),
                    out.word(child.level.as_str(), child.level.label()),
                    state_word(&out, &sub.state),
                    state_word(&out, if agg.own_state.is_empty() { "open" } else { &agg.own_state }),
                    out.when(sub.submitted_at.as_deref()),
                    match (&sub.submitted_by, &sub.submitted_at) {
                        (Some(by), _) => Cell::from(by),
                        (None, Some(_)) => out.word("system", t("actor.system")),
                        (None, None) => Cell::Null,
                    },
                    Cell::Bool(auto),
                    Cell::Bool(sub.ratified_at.is_some()),
                    out.when(if sub.state == "returned" { sub.return_due.as_deref() } else { None }),
                    Cell::Int(agg.schools_confirmed),
                    Cell::Int(agg.schools_expected),
                    out.when(agg.last_change.as_deref()),
                    Cell::Int(c.flags),
                    next_words(&out, &c.next),
                    lock_word(&out, c.lock),
                ]
            }
        });
    }
    rows
}

/// Why a child's period is locked: the reason for programs, its words in a table.
fn lock_word(out: &Out, lock: Option<&'static str>) -> Cell {
    lock.map_or(Cell::Null, |l| out.word(l, crate::values::Lock::label(l)))
}

fn state_key(state: &str) -> &'static str {
    match state {
        "submitted" => "state.submitted",
        "auto_submitted" => "state.auto_submitted",
        "returned" => "state.returned",
        "filled" => "state.filled",
        "confirmed" => "state.confirmed",
        _ => "state.open",
    }
}

/// The contact of an org on the 催报 list. Without an active admin, a table says so in words
/// ("no school admin", "no admin"); for programs the field stays empty, as the mobile beside it
/// does (an active account always has a mobile), so the columns mean what they always meant.
fn contact_cell(out: &Out, m: &status::Missing) -> Cell {
    if m.has_contact() || out.is_machine() {
        return Cell::from(m.contact.clone());
    }
    let key = if m.level == crate::model::Level::School { "missing.no_school_admin" } else { "missing.no_admin" };
    Cell::from(t(key))
}

pub fn missing(ctx: &mut Ctx, a: MissingArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let unit = status::root(&db.conn, &actor, a.under.as_deref())?;
    let period = period_for(&out, db, &unit, a.period)?;
    if a.notify {
        let urged = db.write(&actor.audit_actor(), |tx| status::urge(tx, &actor, &unit, period))?;
        out.status(&tf("missing.urged", &[("count", &urged.len()), ("period", &period)]));
    }
    let rows: Vec<Vec<Cell>> = status::missing(&db.conn, &unit, period)?
        .into_iter()
        .map(|m| {
            let contact = contact_cell(&out, &m);
            vec![
                Cell::from(m.code),
                Cell::from(m.name),
                out.word(m.level.as_str(), m.level.label()),
                Cell::from(m.parent),
                state_word(&out, &m.state),
                contact,
                Cell::from(m.mobile),
                Cell::from(m.email),
            ]
        })
        .collect();
    out.list(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("parent", "col.parent"),
            ("state", "col.state"),
            ("contact", "col.contact"),
            ("mobile", "col.mobile"),
            ("email", "col.email"),
        ],
        &rows,
    )
}
