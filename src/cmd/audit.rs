//! `eip audit …`: the audit trail, read within the scope, and its verification.

use clap::{Args, Subcommand};

use crate::audit::{self, Break};
use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::error::{Error, Kind, Result};
use crate::files::{self, Existing};
use crate::i18n::{t, tf};
use crate::output::Cell;

use super::parse_period;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Show audit events in your scope, oldest first
    Log(LogArgs),
    /// Check the whole hash chain (exit 8 naming the first broken event), and with --checkpoint
    /// that it still reaches a head written down earlier (exit 8 when events it covered are gone)
    Verify(VerifyArgs),
    /// Write the chain's head (sequence, hash, time) to keep elsewhere: the chain alone cannot
    /// show that its newest events were cut off; `audit verify --checkpoint FILE` can
    Checkpoint(CheckpointArgs),
    /// Write the events in your scope, streamed: JSON lines (default), CSV or a JSON array
    Export(ExportArgs),
}

fn parse_time(s: &str) -> Result<String, String> {
    calendar::parse_user_time(s).map(calendar::stored).ok_or_else(|| tf("audit.bad_time", &[("value", &s)]))
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show the latest N events (0: all)
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A file written by `eip audit checkpoint`: also check that the chain still reaches the event
    /// it recorded, with the same hash
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The file is one JSON object: {\"eip_audit_checkpoint\": 1, \"seq\": N, \"hash\": \"…\", \"at\": \"…\", \"taken_at\": \"…\"}, created mode 0600. Taking a checkpoint is a read: it records no event, so the head it writes is still the head. Keep it where this database's users cannot change it."
)]
pub struct CheckpointArgs {
    /// Write to this file (replaced if it exists; never through a symbolic link) instead of
    /// standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// jsonl (one event a line), csv, or json (one array)
    #[arg(long = "as", value_enum, default_value = "jsonl", value_name = "FORMAT")]
    pub as_format: ExportFormat,
    /// Write to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// The filters `audit log` and `audit export` share.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Events at or after this time (a date is 00:00 CST)
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub since: Option<String>,
    /// Events before this time
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub until: Option<String>,
    /// Events by this username, by the accounts of the person of this name, or by `system`
    #[arg(long, value_name = "USER")]
    pub actor: Option<String>,
    /// Events of this action or its sub-actions (e.g. `unit` matches unit.add and unit.rename)
    #[arg(long)]
    pub action: Option<String>,
    /// Events about this code, username or id
    #[arg(long)]
    pub target: Option<String>,
    /// Events about this unit and everything below it
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// Events about this period
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// Values set of this indicator (its code, as `eip report indicators` lists it)
    #[arg(long, value_name = "CODE")]
    pub indicator: Option<String>,
}

pub fn cmd_audit(ctx: &mut Ctx, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Log(a) => log(ctx, a),
        AuditCommand::Verify(a) => verify(ctx, a),
        AuditCommand::Checkpoint(a) => checkpoint(ctx, a),
        AuditCommand::Export(a) => export(ctx, a),
    }
}

impl FilterArgs {
    /// The events asked for, inside what the actor may read.
    fn filter(self, conn: &crate::store::Conn, actor: &crate::model::Actor) -> Result<audit::Filter> {
        let actors = self.actor.as_deref().map(|who| audit::actors_named(conn, actor, who)).transpose()?;
        let indicator =
            self.indicator.as_deref().map(|code| crate::indicators::indicator_named(conn, code)).transpose()?;
        let f = audit::Filter {
            since: self.since,
            until: self.until,
            actors,
            action: self.action,
            target: self.target,
            period: self.period.map(|p| p.to_string()),
            indicator,
            within: None,
        };
        audit::readable(conn, actor, self.under.as_deref(), f)
    }
}

fn log(ctx: &mut Ctx, a: LogArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let filter = a.filter.filter(&db.conn, &actor)?;
    let events = audit::latest(&db.conn, &filter, (a.limit > 0).then_some(a.limit))?;
    // Say when the limit cut rows off: the count is asked only then.
    if a.limit > 0 && events.len() == a.limit {
        let total = audit::count(&db.conn, &filter)?;
        if total > events.len() as i64 {
            out.status(&tf("audit.shown", &[("shown", &events.len()), ("total", &total)]));
        }
    }
    let machine = out.is_machine();
    let rows: Vec<Vec<Cell>> = events
        .into_iter()
        .map(|e| {
            let at = out.time(&e.at);
            vec![
                Cell::Int(e.seq),
                Cell::from(at),
                if e.actor == "system" { out.word("system", t("actor.system")) } else { Cell::from(e.actor) },
                Cell::from(e.actor_unit),
                Cell::from(e.action),
                Cell::from(e.target),
                Cell::from(e.period),
                if machine { Cell::from(e.detail) } else { Cell::from(audit::describe(&e.detail)) },
                Cell::from(e.reason),
            ]
        })
        .collect();
    out.list(
        &[
            ("seq", "col.seq"),
            ("at", "col.at"),
            ("actor", "col.actor"),
            ("actor_unit", "col.actor_unit"),
            ("action", "col.action"),
            ("target", "col.target"),
            ("period", "col.period"),
            ("detail", "col.detail"),
            ("reason", "col.reason"),
        ],
        &rows,
    )
}

/// `audit export`: every matching event, streamed row by row (a million events in constant
/// memory), with its hash so the file itself can be checked.
fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    use std::io::Write;
    let (db, actor) = ctx.signed_in()?;
    let filter = a.filter.filter(&db.conn, &actor)?;
    let sink: Box<dyn Write> = match &a.output {
        Some(p) if p.as_os_str() != "-" => Box::new(files::create_private(p, Existing::Replace)?),
        _ => Box::new(std::io::stdout()),
    };
    let mut w = std::io::BufWriter::new(sink);
    if a.as_format == ExportFormat::Csv {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "seq",
            "at",
            "actor",
            "actor_unit",
            "action",
            "target",
            "scope_path",
            "period",
            "detail",
            "reason",
            "prev_hash",
            "hash",
        ])?;
        audit::each(&db.conn, &filter, |e| {
            let o = |v: Option<String>| v.unwrap_or_default();
            // Every text cell safe to open in a spreadsheet (docs/SECURITY.md): a checker of the
            // file's hashes drops the one leading `'`, as every import does.
            let cell = |s: String| crate::text::csv_cell(&s).into_owned();
            c.write_record([
                e.seq.to_string(),
                e.at,
                cell(e.actor),
                cell(o(e.actor_unit)),
                e.action,
                cell(o(e.target)),
                o(e.scope_path),
                o(e.period),
                cell(e.detail),
                cell(o(e.reason)),
                e.prev_hash,
                e.hash,
            ])?;
            Ok(())
        })?;
        c.flush()?;
        return Ok(());
    }
    let array = a.as_format == ExportFormat::Json;
    if array {
        w.write_all(b"[")?;
    }
    let mut first = true;
    audit::each(&db.conn, &filter, |e| {
        let detail: serde_json::Value =
            serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::String(e.detail.clone()));
        let obj = serde_json::json!({
            "seq": e.seq, "at": e.at, "actor": e.actor, "actor_unit": e.actor_unit, "action": e.action,
            "target": e.target, "scope_path": e.scope_path, "period": e.period, "detail": detail,
            "reason": e.reason, "prev_hash": e.prev_hash, "hash": e.hash,
        });
        if array && !first {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut w, &obj)?;
        if !array {
            w.write_all(b"\n")?;
        }
        first = false;
        Ok(())
    })?;
    if array {
        w.write_all(b"]\n")?;
    }
    w.flush()?;
    Ok(())
}

/// A checkpoint file, read without following a link or waiting on a FIFO; anything that is not
/// one is invalid input (exit 6).
fn read_checkpoint(path: &std::path::Path) -> Result<audit::Checkpoint> {
    use crate::files::{read_regular, Unreadable};
    let file = path.display();
    let cannot = |why: String| -> anyhow::Error {
        Error::new(Kind::Invalid, tf("checkpoint.cannot_read", &[("file", &file), ("why", &why)]))
            .hint(t("checkpoint.bad.hint"))
            .into()
    };
    let bytes = match read_regular(path, 64 * 1024) {
        Ok(b) => b,
        Err(Unreadable::Missing) => return Err(cannot(std::io::Error::from(std::io::ErrorKind::NotFound).to_string())),
        Err(Unreadable::NotRegular(kind)) => {
            return Err(cannot(tf("file.not_regular", &[("path", &file), ("kind", &kind)])))
        }
        Err(Unreadable::TooLong) => return Err(cannot(t("session.why.long").to_string())),
        Err(Unreadable::Io(e)) => return Err(cannot(e.to_string())),
    };
    audit::parse_checkpoint(&bytes).map_err(|why| {
        Error::new(Kind::Invalid, tf("checkpoint.bad", &[("file", &file), ("why", &why)]))
            .hint(t("checkpoint.bad.hint"))
            .into()
    })
}

/// `audit checkpoint`: the head of the chain, written down. A read: recording it as an event
/// would move the head past what the file holds (docs/DECISIONS.md).
fn checkpoint(ctx: &mut Ctx, a: CheckpointArgs) -> Result<()> {
    use std::io::Write;
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    audit::require_verifier(&actor)?;
    let Some(cp) = audit::checkpoint(&db.conn, &db.now_stored())? else {
        return Err(Error::new(Kind::Refused, t("checkpoint.empty")).into());
    };
    let mut text = serde_json::to_string_pretty(&cp)?;
    text.push('\n');
    match &a.output {
        Some(p) if p.as_os_str() != "-" => {
            let mut f = files::create_private(p, Existing::Replace)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            let at = calendar::parse_stored(&cp.at).map_or(cp.at.clone(), |t| calendar::show_cst(t, false));
            out.status(&tf("checkpoint.written", &[("file", &p.display()), ("seq", &cp.seq), ("at", &at)]));
        }
        _ => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

fn verify(ctx: &mut Ctx, a: VerifyArgs) -> Result<()> {
    let out = ctx.out.clone();
    // A malformed checkpoint is refused before the chain is read.
    let cp = a.checkpoint.as_deref().map(|p| read_checkpoint(p).map(|cp| (cp, p.display().to_string()))).transpose()?;
    let (db, actor) = ctx.signed_in()?;
    audit::require_verifier(&actor)?;
    match audit::verify(&db.conn)? {
        Ok(count) => {
            // The head's hash: two databases with the same history (a copy, docs/DEPLOYMENT.md)
            // print the same one.
            let head = crate::store::audit::head(&db.conn)?.map(|(_, hash)| hash).unwrap_or_default();
            let Some((cp, file)) = cp else {
                out.status(&tf("audit.intact", &[("count", &count)]));
                return out.record(
                    &[("intact", "col.intact"), ("events", "col.events"), ("head", "col.head")],
                    &[Cell::Bool(true), Cell::Int(count), Cell::from(head.as_str())],
                );
            };
            let seq = cp.seq;
            let broken = |message: String| -> anyhow::Error {
                Error::new(Kind::AuditBroken, message).hint(t("checkpoint.broken.hint")).into()
            };
            match audit::reaches(&db.conn, count, &cp)? {
                audit::Reach::Reached => {}
                audit::Reach::EndsAt(last) => {
                    return Err(broken(tf(
                        "checkpoint.truncated",
                        &[("last", &last), ("file", &file), ("seq", &seq), ("from", &(last + 1))],
                    )))
                }
                audit::Reach::Differs => {
                    return Err(broken(tf("checkpoint.differs", &[("file", &file), ("seq", &seq)])))
                }
            }
            let at = calendar::parse_stored(&cp.taken_at).map_or(cp.taken_at.clone(), |t| calendar::show_cst(t, false));
            out.status(&tf("checkpoint.reached", &[("count", &count), ("file", &file), ("seq", &seq), ("at", &at)]));
            out.record(
                &[
                    ("intact", "col.intact"),
                    ("events", "col.events"),
                    ("head", "col.head"),
                    ("checkpoint_seq", "col.checkpoint_seq"),
                ],
                &[Cell::Bool(true), Cell::Int(count), Cell::from(head.as_str()), Cell::Int(seq)],
            )
        }
        Err(b) => {
            // A damaged file breaks the chain too: say that, not that someone edited it.
            if let Some(detail) = crate::doctor::damage(&db.conn)? {
                return Err(crate::db::damaged(&db.path, &detail).into());
            }
            let (seq, why) = match b {
                Break::Hash(s) => (s, t("audit.why.hash")),
                Break::Prev(s) => (s, t("audit.why.prev")),
                Break::Gap(s) => (s, t("audit.why.gap")),
            };
            Err(Error::new(Kind::AuditBroken, tf("audit.broken", &[("seq", &seq), ("why", &why)]))
                .hint(t("audit.broken.hint"))
                .into())
        }
    }
}
