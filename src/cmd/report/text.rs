//! `eip report text` (Art. 20): a province files its monthly report text by the end of the month;
//! late texts are accepted and marked late.

use std::path::PathBuf;

use clap::Args;
use rusqlite::{params, OptionalExtension};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{hex, Event};
use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::csvio;
use crate::error::{self, Result};
use crate::hierarchy::{self, Level};
use crate::i18n::{t, tf};
use crate::output::Cell;
use crate::perm::{self, Action};

use crate::cmd::parse_period;

#[derive(Debug, Args)]
pub struct TextArgs {
    /// The month the text reports on
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Period,
    /// File the text in this file (UTF-8 or GBK; `-` for standard input)
    #[arg(long, value_name = "FILE", conflicts_with = "missing")]
    pub file: Option<PathBuf>,
    /// The province whose text to show [default: your own]
    #[arg(long, value_name = "CODE")]
    pub unit: Option<String>,
    /// List the provinces in your scope that have not filed a text for the period
    #[arg(long)]
    pub missing: bool,
}

/// File a province's text for a period (Art. 20); late after the end of that month. Decided
/// inside the write transaction: the same text filed again by the same person as the
/// province's latest is refused, naming when (the same file sent twice at once is filed once:
/// docs/DECISIONS.md); a different text, or one filed by another person, is a newer version.
pub fn file_text(tx: &mut crate::db::Tx, actor: &crate::auth::Actor, period: Period, body: &str) -> Result<i64> {
    let latest: Option<(String, String, String)> = tx
        .query_row(
            "SELECT r.body, a.username, r.filed_at FROM report_text r JOIN account a ON a.id = r.filed_by
             WHERE r.org_id = ?1 AND r.period = ?2 ORDER BY r.id DESC LIMIT 1",
            params![actor.org.id, period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((_, by, at)) = latest.filter(|(b, by, _)| b == body && *by == actor.username) {
        let at = calendar::parse_stored(&at).map_or(at.clone(), |t| calendar::show_cst(t, false));
        return Err(error::refused(tf("races.text_filed", &[("period", &period), ("by", &by), ("at", &at)]))
            .reason("already_filed")
            .into());
    }
    let late = tx.now >= period.ends();
    tx.execute(
        "INSERT INTO report_text(org_id, period, body, filed_by, filed_at, late) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![actor.org.id, period.to_string(), body, actor.account_id, tx.now_stored(), late],
    )?;
    let id = tx.last_insert_rowid();
    tx.audit(
        Event::new("report.text").target(&actor.org.code).scope(&actor.org.path).period(period.to_string()).detail(
            json!({ "after": { "id": id, "chars": body.chars().count(), "sha256": hex(&Sha256::digest(body.as_bytes())), "late": late } }),
        ),
    )?;
    Ok(id)
}

pub fn text(ctx: &mut Ctx, a: TextArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let due = a.period.ends();
    if a.missing {
        let (lo, hi) = actor.scope().subtree();
        let mut stmt = db.conn.prepare(
            "SELECT o.code, o.name FROM org o WHERE o.path >= ?1 AND o.path < ?2 AND o.level = 'province'
               AND NOT EXISTS (SELECT 1 FROM report_text r WHERE r.org_id = o.id AND r.period = ?3)
             ORDER BY o.code",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map(params![lo, hi, a.period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let overdue = db.now >= due;
        let due_s = if out.is_machine() { calendar::rfc3339_cst(due) } else { calendar::show_cst(due, true) };
        let cells: Vec<Vec<Cell>> = rows
            .into_iter()
            .map(|(c, n)| vec![Cell::from(c), Cell::from(n), Cell::from(due_s.clone()), Cell::Bool(overdue)])
            .collect();
        return out.list(
            &[("code", "col.code"), ("name", "col.name"), ("due", "col.deadline"), ("overdue", "col.overdue")],
            &cells,
        );
    }
    if let Some(file) = &a.file {
        perm::require(&actor, Action::ReportText, &actor.org)?;
        let bytes = if file.as_os_str() == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
            b
        } else {
            std::fs::read(file)
                .map_err(|e| error::invalid(tf("csv.cannot_read", &[("file", &file.display()), ("detail", &e)])))?
        };
        let body = csvio::decode(&file.display().to_string(), &bytes, None)?;
        if body.trim().is_empty() {
            return Err(error::invalid(t("text.empty")).into());
        }
        // A document: its lines and tabs are its own; no other control character (docs/SECURITY.md).
        crate::text::check(&body, t("field.monthly_text"), crate::text::DOCUMENT, crate::text::Allow::Lines)?;
        if !a.period.has_started(db.now) {
            return Err(error::refused(tf(
                "lock.not_started",
                &[("period", &a.period), ("opens", &calendar::show_cst(a.period.starts(), false))],
            ))
            .reason("period_not_started")
            .into());
        }
        let late = db.now >= due;
        let id = db.write(&actor.audit_actor(), |tx| file_text(tx, &actor, a.period, &body))?;
        let key = if late { "text.filed_late" } else { "text.filed" };
        out.status(&tf(key, &[("unit", &actor.org.code), ("period", &a.period)]));
        return out.record(&[("id", "col.id"), ("late", "col.late")], &[Cell::Int(id), Cell::Bool(late)]);
    }
    // Show the latest text.
    let unit = match &a.unit {
        Some(c) => hierarchy::unit_in_scope(&db.conn, actor.scope(), c.trim())?,
        None => actor.org.clone(),
    };
    if unit.level != Level::Province {
        return Err(error::invalid(tf("text.not_province", &[("unit", &unit.code)])).into());
    }
    let found: Option<(String, String, String, bool)> = db
        .conn
        .query_row(
            "SELECT r.body, a.username, r.filed_at, r.late FROM report_text r JOIN account a ON a.id = r.filed_by
             WHERE r.org_id = ?1 AND r.period = ?2 ORDER BY r.id DESC LIMIT 1",
            params![unit.id, a.period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((body, by, at, late)) = found else {
        return Err(error::not_found(tf("text.none", &[("unit", &unit.code), ("period", &a.period)])).into());
    };
    let at = calendar::parse_stored(&at).map_or(at.clone(), |t| calendar::show_cst(t, false));
    out.status(&tf("text.meta", &[("by", &by), ("at", &at), ("late", &if late { t("text.late") } else { "" })]));
    use std::io::Write;
    let mut w = std::io::stdout().lock();
    // Texts filed before control characters were refused may hold them: shown escaped.
    w.write_all(crate::terminal::escape_document(&body).as_bytes())?;
    if !body.ends_with('\n') {
        writeln!(w)?;
    }
    Ok(())
}
