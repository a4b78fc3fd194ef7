//! `eip request …`: one inbox for requests and their decisions.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::output::{Cell, Format, Out};
use crate::requests::{self, Request};
use crate::roster::Diff;
use crate::schools::{self, TransferStep};

use super::account::form::{issue_with_codes_file, print_diff, write_codes};

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// What awaits your decision and what you filed (pending); --all for every request you may see
    List(ListArgs),
    /// Show one request and what it would change
    Show(ShowArgs),
    /// Approve a request
    Approve(ApproveArgs),
    /// Reject a request, with the reason
    Reject(RejectArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Every request in your scope, decided ones included
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    pub id: i64,
    /// Roster: write the activation codes to this file (created with mode 0600) instead of
    /// standard output
    #[arg(long, value_name = "FILE")]
    pub codes_out: Option<PathBuf>,
    /// Withdrawal: until when the unit may correct (the period returns to it)
    #[arg(long, value_name = "TIME")]
    pub due: Option<String>,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    pub id: i64,
    /// Why; recorded and shown to the filer
    #[arg(long)]
    pub reason: String,
}

pub fn cmd_request(ctx: &mut Ctx, command: RequestCommand) -> Result<()> {
    match command {
        RequestCommand::List(a) => list(ctx, a),
        RequestCommand::Show(a) => show(ctx, a),
        RequestCommand::Approve(a) => approve(ctx, a),
        RequestCommand::Reject(a) => reject(ctx, a),
    }
}

fn status_cell(out: &Out, status: &str) -> Cell {
    let label = match status {
        "pending" => t("request.status.pending"),
        "approved" => t("request.status.approved"),
        "rejected" => t("request.status.rejected"),
        other => other,
    };
    out.word(status, label)
}

fn kind_cell(out: &Out, kind: &str) -> Cell {
    let label = match kind {
        "roster" => t("request.kind.roster"),
        "school_delete" => t("request.kind.school_delete"),
        "school_transfer" => t("request.kind.school_transfer"),
        "withdraw" => t("request.kind.withdraw"),
        other => other,
    };
    out.word(kind, label)
}

/// One line of what a request is about.
fn summary(r: &Request) -> String {
    match r.kind.as_str() {
        "roster" => serde_json::from_str::<Diff>(&r.payload).map(|d| d.summary()).unwrap_or_default(),
        _ => r.reason.clone().unwrap_or_default(),
    }
}

const COLUMNS: &[(&str, &str)] = &[
    ("id", "col.id"),
    ("kind", "col.kind"),
    ("status", "col.status"),
    ("unit", "col.unit"),
    ("unit_name", "col.unit_name"),
    ("awaiting", "col.awaiting"),
    ("filed_by", "col.filed_by"),
    ("filed_at", "col.filed_at"),
    ("summary", "col.summary"),
];

fn row(out: &Out, r: &Request) -> Vec<Cell> {
    vec![
        Cell::Int(r.id),
        kind_cell(out, &r.kind),
        status_cell(out, &r.status),
        Cell::from(&r.org_code),
        Cell::from(&r.org_name),
        Cell::from(if r.status == "pending" { r.awaiting_code.clone() } else { None }),
        Cell::from(&r.filed_by),
        out.when(Some(&r.filed_at)),
        Cell::from(summary(r)),
    ]
}

fn list(ctx: &mut Ctx, a: ListArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let rows: Vec<Vec<Cell>> = requests::list(&db.conn, &actor, a.all)?.iter().map(|r| row(&out, r)).collect();
    out.list(COLUMNS, &rows)
}

fn show(ctx: &mut Ctx, a: ShowArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let r = requests::find(&db.conn, &actor, a.id)?;
    let mut cols = COLUMNS.to_vec();
    cols.extend([
        ("reason", "col.reason"),
        ("decided_by", "col.decided_by"),
        ("decided_at", "col.decided_at"),
        ("decision_reason", "col.decision_reason"),
    ]);
    let mut cells = row(&out, &r);
    cells.extend([
        Cell::from(r.reason.clone()),
        Cell::from(r.decided_by.clone()),
        out.when(r.decided_at.as_deref()),
        Cell::from(r.decision_reason.clone()),
    ]);
    let diff: Option<Diff> = (r.kind == "roster").then(|| serde_json::from_str(&r.payload)).transpose()?;
    if out.format == Format::Json {
        // One object: the request and, for a roster, its diff.
        let mut obj = serde_json::Map::new();
        for ((k, _), c) in cols.iter().zip(&cells) {
            obj.insert((*k).to_string(), cell_json(c));
        }
        if let Some(d) = &diff {
            obj.insert(
                "diff".into(),
                json!({ "add": d.add, "change": d.change, "disable": d.disable, "sync": d.sync, "file": d.file }),
            );
        }
        println!("{}", serde_json::to_string_pretty(&serde_json::Value::Object(obj))?);
        return Ok(());
    }
    out.record(&cols, &cells)?;
    if let Some(d) = &diff {
        print_diff(&out, d)?;
    }
    Ok(())
}

fn cell_json(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Null => serde_json::Value::Null,
        Cell::Str(s) => json!(s),
        Cell::Int(n) => json!(n),
        Cell::Float(f) => json!(f),
        Cell::Bool(b) => json!(b),
    }
}

fn approve(ctx: &mut Ctx, a: ApproveArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let r = requests::find(&db.conn, &actor, a.id)?;
    match r.kind.as_str() {
        "withdraw" => {
            let due = a.due.as_deref().ok_or_else(|| error::usage(t("withdraw.needs_due")))?;
            let due = crate::calendar::parse_user_time(due)
                .ok_or_else(|| error::usage(tf("return.bad_due", &[("value", &due)])))?;
            super::withdraw::approve_withdrawal(ctx, a.id, due)
        }
        "roster" => {
            let approval = requests::check_roster(&db.conn, &actor, &r)?;
            let (codes, file) = issue_with_codes_file(a.codes_out.as_deref(), || {
                db.write(&actor.audit_actor(), |tx| requests::approve_roster(tx, &actor, &r, &approval))
            })?;
            out.status(&tf("request.approved", &[("id", &r.id), ("summary", &approval.diff().summary())]));
            write_codes(&out, &codes, file)
        }
        "school_delete" => {
            db.write(&actor.audit_actor(), |tx| schools::approve_delete(tx, &actor, &r))?;
            out.status(&tf("school.delete_approved", &[("id", &r.id), ("code", &r.org_code)]));
            Ok(())
        }
        "school_transfer" => {
            match db.write(&actor.audit_actor(), |tx| schools::approve_transfer(tx, &actor, &r))? {
                TransferStep::Passed { unit, next } => {
                    out.status(&tf("school.transfer_step", &[("id", &r.id), ("unit", &unit), ("next", &next)]))
                }
                TransferStep::Moved { to } => {
                    out.status(&tf("school.transferred", &[("id", &r.id), ("code", &r.org_code), ("unit", &to)]))
                }
            }
            Ok(())
        }
        other => Err(error::refused(tf("request.kind_unsupported", &[("kind", &other)])).into()),
    }
}

fn reject(ctx: &mut Ctx, a: RejectArgs) -> Result<()> {
    let reason = a.reason.trim().to_string();
    if reason.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let r = requests::find(&db.conn, &actor, a.id)?;
    db.write(&actor.audit_actor(), |tx| requests::reject(tx, &actor, &r, &reason))?;
    out.status(&tf("request.rejected", &[("id", &r.id), ("reason", &reason)]));
    Ok(())
}
