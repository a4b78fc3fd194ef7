//! `eip report text` (Art. 20): a province files its monthly report text by the end of the month;
//! late texts are accepted and marked late.

use std::path::PathBuf;

use clap::Args;

use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::csvio;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::output::Cell;
use crate::scope;
use crate::texts;

use crate::cmd::parse_period;

/// Recording a text, under its old name (the demo files one).
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

/// The text in `file` (`-` for standard input), decoded.
fn read_text(file: &std::path::Path) -> Result<String> {
    let bytes = if file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(file)
            .map_err(|e| error::invalid(tf("csv.cannot_read", &[("file", &file.display()), ("detail", &e)])))?
    };
    csvio::decode(&file.display().to_string(), &bytes, None)
}

pub fn text(ctx: &mut Ctx, a: TextArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let due = a.period.ends();
    if a.missing {
        let rows = texts::missing(&db.conn, &actor, a.period)?;
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
        let filed = texts::file(db, &actor, a.period, || read_text(file))?;
        let key = if filed.late { "text.filed_late" } else { "text.filed" };
        out.status(&tf(key, &[("unit", &actor.org.code), ("period", &a.period)]));
        return out.record(&[("id", "col.id"), ("late", "col.late")], &[Cell::Int(filed.id), Cell::Bool(filed.late)]);
    }
    // Show the latest text.
    let unit = match &a.unit {
        Some(c) => scope::unit(&db.conn, &actor, c)?,
        None => actor.org.clone(),
    };
    let text = texts::latest(&db.conn, &unit, a.period)?;
    let at = calendar::parse_stored(&text.filed_at).map_or(text.filed_at.clone(), |t| calendar::show_cst(t, false));
    out.status(&tf(
        "text.meta",
        &[("by", &text.filed_by), ("at", &at), ("late", &if text.late { t("text.late") } else { "" })],
    ));
    use std::io::Write;
    let mut w = std::io::stdout().lock();
    // Texts filed before control characters were refused may hold them: shown escaped.
    w.write_all(crate::terminal::escape_document(&text.body).as_bytes())?;
    if !text.body.ends_with('\n') {
        writeln!(w)?;
    }
    Ok(())
}
