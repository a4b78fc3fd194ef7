//! `eip request …` (SPEC §6): one inbox for requests and their decisions.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::calendar;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::hierarchy;
use crate::i18n::{t, tf};
use crate::output::{Cell, Format, Out};
use crate::perm::{self, Action};
use crate::requests::{self, Request};
use crate::roster::{self, Diff};
use crate::schools;

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

fn when(out: &Out, s: &Option<String>) -> Cell {
    Cell::from(s.as_deref().map(|v| {
        calendar::parse_stored(v).map_or(v.to_string(), |t| {
            if out.is_machine() {
                calendar::rfc3339_cst(t)
            } else {
                calendar::show_cst(t, false)
            }
        })
    }))
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
        when(out, &Some(r.filed_at.clone())),
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
        when(&out, &r.decided_at),
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

/// The live org a request is about (a school may have gone since it was filed).
fn live(conn: &crate::store::Conn, code: &str, id: i64) -> Result<crate::hierarchy::Org> {
    hierarchy::find(conn, code)?
        .ok_or_else(|| error::refused(tf("request.stale", &[("id", &id), ("code", &code)])).into())
}

/// The school a request was filed for, by id; refused if it has been deleted since.
fn filed_school(conn: &crate::store::Conn, r: &Request) -> Result<schools::School> {
    schools::live_by_id(conn, r.org_id)?
        .ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &r.org_code)])).into())
}

fn payload_str(r: &Request, key: &str) -> String {
    serde_json::from_str::<serde_json::Value>(&r.payload)
        .ok()
        .and_then(|p| p[key].as_str().map(str::to_string))
        .unwrap_or_default()
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
            super::submit::approve_withdrawal(ctx, a.id, due)
        }
        "roster" => {
            let org = live(&db.conn, &r.org_code, r.id)?;
            perm::require(&actor, Action::RosterDecide, &org)?;
            requests::require_pending(&r)?;
            let diff: Diff = serde_json::from_str(&r.payload)?;
            let (codes, file) = issue_with_codes_file(a.codes_out.as_deref(), || {
                db.write(&actor.audit_actor(), |tx| {
                    // Decided inside the transaction: still pending as read here.
                    let r = requests::reload_pending(tx, &actor, &r)?;
                    let codes = roster::approve(tx, &actor, r.id, &diff)?;
                    requests::record_decision(tx, &actor, &r, true, None)?;
                    Ok(codes)
                })
            })?;
            out.status(&tf("request.approved", &[("id", &r.id), ("summary", &diff.summary())]));
            write_codes(&out, &codes, file)
        }
        "school_delete" => {
            // Decided already (the school then gone): say so before looking the school up, here
            // and again inside the transaction, where a decision that won meanwhile is seen first.
            requests::require_pending(&r)?;
            let org = hierarchy::find_by_id(&db.conn, r.org_id)?;
            perm::require(&actor, Action::SchoolDeleteDecide, &org)?;
            db.write(&actor.audit_actor(), |tx| {
                let r = requests::reload_pending(tx, &actor, &r)?;
                let school = filed_school(tx, &r)?;
                schools::soft_delete(tx, &school, r.reason.as_deref())?;
                requests::record_decision(tx, &actor, &r, true, None)
            })?;
            out.status(&tf("school.delete_approved", &[("id", &r.id), ("code", &r.org_code)]));
            Ok(())
        }
        "school_transfer" => {
            requests::require_awaiting(&actor, &r)?;
            let awaiting = live(&db.conn, r.awaiting_code.as_deref().unwrap_or(""), r.id)?;
            perm::require(&actor, Action::TransferDecide, &awaiting)?;
            requests::require_pending(&r)?;
            let school = filed_school(&db.conn, &r)?;
            match &awaiting.parent_code {
                // Each level up approves in turn; the Ministry's approval moves the school.
                Some(parent) => {
                    let next = live(&db.conn, parent, r.id)?;
                    db.write(&actor.audit_actor(), |tx| {
                        let r = requests::reload_pending(tx, &actor, &r)?;
                        requests::record_step(tx, &actor, &r, Some(next.id), true, None)
                    })?;
                    out.status(&tf(
                        "school.transfer_step",
                        &[("id", &r.id), ("unit", &awaiting.code), ("next", &next.code)],
                    ));
                }
                None => {
                    // The school may have changed while the request climbed.
                    if !school.is_active() {
                        return Err(error::refused(tf(
                            "school.transfer_inactive",
                            &[("code", &school.org.code), ("status", &schools::status_label(&school.status))],
                        ))
                        .hint(t("request.reject_hint"))
                        .into());
                    }
                    let to = live(&db.conn, &payload_str(&r, "to"), r.id)?;
                    db.write(&actor.audit_actor(), |tx| {
                        let r = requests::reload_pending(tx, &actor, &r)?;
                        let school = schools::still_live(tx, &school)?;
                        if !school.is_active() {
                            return Err(error::refused(tf(
                                "school.transfer_inactive",
                                &[("code", &school.org.code), ("status", &schools::status_label(&school.status))],
                            ))
                            .hint(t("request.reject_hint"))
                            .into());
                        }
                        requests::record_step(tx, &actor, &r, None, true, None)?;
                        schools::move_school(tx, &school, &to, r.id)?;
                        requests::record_decision(tx, &actor, &r, true, None)
                    })?;
                    out.status(&tf("school.transferred", &[("id", &r.id), ("code", &r.org_code), ("unit", &to.code)]));
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
    requests::require_awaiting(&actor, &r)?;
    // Who decides, by kind; rejection at any level ends a request.
    let (action, target) = match r.kind.as_str() {
        "roster" => (Action::RosterDecide, live(&db.conn, &r.org_code, r.id)?),
        "school_delete" => (Action::SchoolDeleteDecide, hierarchy::find_by_id(&db.conn, r.org_id)?),
        "school_transfer" => (Action::TransferDecide, live(&db.conn, r.awaiting_code.as_deref().unwrap_or(""), r.id)?),
        "withdraw" => (Action::ReturnChild, live(&db.conn, r.awaiting_code.as_deref().unwrap_or(""), r.id)?),
        other => return Err(error::refused(tf("request.kind_unsupported", &[("kind", &other)])).into()),
    };
    perm::require(&actor, action, &target)?;
    requests::require_pending(&r)?;
    db.write(&actor.audit_actor(), |tx| {
        // Decided inside the transaction: still pending, and awaiting the same unit, as read here.
        let r = requests::reload_pending(tx, &actor, &r)?;
        match r.kind.as_str() {
            "roster" => roster::reject(tx, r.id, &serde_json::from_str::<Diff>(&r.payload)?, &reason)?,
            "school_transfer" => requests::record_step(tx, &actor, &r, None, false, Some(&reason))?,
            _ => {}
        }
        requests::record_decision(tx, &actor, &r, false, Some(&reason))
    })?;
    out.status(&tf("request.rejected", &[("id", &r.id), ("reason", &reason)]));
    Ok(())
}
