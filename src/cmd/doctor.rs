//! `eip doctor` (the Ministry's admin and its support: the whole file): one report on the database's health; exit 0 when
//! every check passes, 7 when the file is damaged (SQLite's own check, run first), 8 when the
//! audit chain is broken, 1 for any other problem.

use crate::context::Ctx;
use crate::doctor;
use crate::error::{Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::output::Cell;

pub fn cmd_doctor(ctx: &mut Ctx) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let checks = doctor::run_as(&db.conn, &actor, &db.path)?;
    let rows: Vec<Vec<Cell>> = checks
        .iter()
        .map(|c| {
            vec![
                out.word(c.name, c.label()),
                out.word(if c.ok { "ok" } else { "failed" }, if c.ok { t("doctor.ok") } else { t("doctor.failed") }),
                out.word(&c.detail, &c.words),
            ]
        })
        .collect();
    out.list(&[("check", "col.check"), ("result", "col.result"), ("detail", "col.detail")], &rows)?;
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    // Each failed check by its words, and its stable name a support engineer can search for.
    let failed_words: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| tf("doctor.failed_check", &[("label", &c.label()), ("name", &c.name)]))
        .collect();
    if failed.is_empty() {
        out.status(&tf("doctor.healthy", &[("count", &checks.len())]));
        return Ok(());
    }
    // Either hint names the Ministry's support line (Art. 21).
    let (kind, hint) = if failed.contains(&"audit_chain") {
        (Kind::AuditBroken, t("audit.broken.hint"))
    } else {
        (Kind::Other, t("doctor.problems.hint"))
    };
    Err(Error::new(kind, tf("doctor.problems", &[("checks", &failed_words.join(t("list.sep")))])).hint(hint).into())
}
