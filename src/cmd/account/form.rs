//! `eip account import | export`: the personnel form (附件2 管理人员信息表, SPEC §5.1).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::account::Role;
use crate::calendar;
use crate::context::Ctx;

use super::super::{ExportFile, ImportFile};
use crate::csvio::{self, ExportWriter};
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::{self, Level, MINISTRY_CODE};
use crate::i18n::{t, tf};
use crate::output::{Cell, Out};
use crate::perm::{self, Action};
use crate::roster::{self, Diff, IssuedCode};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub csv: ImportFile,
    /// Also disable the staff of your scope (or of --under) who are no longer listed
    #[arg(long)]
    pub sync: bool,
    /// With --sync: the unit whose subtree the form covers [default: your own unit]
    #[arg(long, value_name = "CODE", requires = "sync")]
    pub under: Option<String>,
    /// Ministry import: write the new activation codes to this file (created with mode 0600)
    /// instead of standard output
    #[arg(long, value_name = "FILE")]
    pub codes_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub csv: ExportFile,
}

/// The diff as rows: what a dry run and `request show` print.
pub(crate) fn print_diff(out: &Out, diff: &Diff) -> Result<()> {
    let mut rows = Vec::new();
    for a in &diff.add {
        rows.push(vec![
            Cell::Int(a.line as i64),
            out.word("add", t("change.added")),
            Cell::from(a.username.clone()),
            Cell::from(&a.person.name),
            Cell::from(&a.unit),
            role_cell(out, &a.role),
            Cell::from(&a.person.mobile),
            Cell::Null,
        ]);
    }
    for c in &diff.change {
        let mut what = Vec::new();
        let (b, a) = (&c.before, &c.after);
        for (k, x, y) in [
            ("name", Some(&b.name), Some(&a.name)),
            ("mobile", Some(&b.mobile), Some(&a.mobile)),
            ("office_phone", b.office_phone.as_ref(), a.office_phone.as_ref()),
            ("email", b.email.as_ref(), a.email.as_ref()),
            ("department", b.department.as_ref(), a.department.as_ref()),
            ("title", b.title.as_ref(), a.title.as_ref()),
        ] {
            if x != y {
                what.push(format!("{k}: {} → {}", x.map_or("", |s| s.as_str()), y.map_or("", |s| s.as_str())));
            }
        }
        rows.push(vec![
            Cell::Int(c.line as i64),
            out.word("change", t("change.changed")),
            Cell::from(&c.username),
            Cell::from(&a.name),
            Cell::from(&c.unit),
            role_cell(out, &c.role),
            Cell::from(&a.mobile),
            Cell::from(what.join("; ")),
        ]);
    }
    for d in &diff.disable {
        rows.push(vec![
            Cell::Null,
            out.word("disable", t("change.disable")),
            Cell::from(&d.username),
            Cell::from(&d.name),
            Cell::from(&d.unit),
            role_cell(out, &d.role),
            Cell::Null,
            Cell::Null,
        ]);
    }
    // In the order of the form; people to disable (not on it) last.
    rows.sort_by_key(|r| match r[0] {
        Cell::Int(n) => n,
        _ => i64::MAX,
    });
    out.list(
        &[
            ("line", "col.line"),
            ("change", "col.change"),
            ("username", "col.username"),
            ("name", "col.person"),
            ("unit", "col.unit"),
            ("role", "col.role"),
            ("mobile", "col.mobile"),
            ("detail", "col.detail"),
        ],
        &rows,
    )
}

fn role_cell(out: &Out, role: &str) -> Cell {
    out.word(role, Role::parse(role).map(Role::label).unwrap_or(role))
}

/// A codes file must be new: it is created (mode 0600) before anything is written, so a refusal
/// leaves the database untouched, and an activation code is never written over.
pub(crate) fn open_codes_file(path: &Path) -> Result<std::fs::File> {
    crate::files::create_private(path, crate::files::Existing::Refuse).map_err(|e| {
        if crate::files::already_exists(&e) {
            Error::new(Kind::Refused, tf("codes.exists", &[("file", &path.display())]))
                .hint(t("codes.exists.hint"))
                .into()
        } else {
            e
        }
    })
}

/// An open codes file and its path.
pub(crate) type CodesFile<'a> = (std::fs::File, &'a Path);

/// Issue activation codes with the codes file (if asked for) created first — so that a file that
/// exists refuses everything before anything is written — and removed again if issuing fails.
pub(crate) fn issue_with_codes_file(
    codes_out: Option<&Path>,
    issue: impl FnOnce() -> Result<Vec<IssuedCode>>,
) -> Result<(Vec<IssuedCode>, Option<CodesFile<'_>>)> {
    let file = match codes_out {
        Some(p) => Some((open_codes_file(p)?, p)),
        None => None,
    };
    match issue() {
        Ok(codes) => Ok((codes, file)),
        Err(e) => {
            if let Some(p) = codes_out {
                let _ = std::fs::remove_file(p);
            }
            Err(e)
        }
    }
}

/// The codes, shown once: into the codes file, or on stdout.
pub(crate) fn write_codes(out: &Out, codes: &[IssuedCode], file: Option<CodesFile>) -> Result<()> {
    let shown =
        |c: &IssuedCode| calendar::parse_stored(&c.expires_at).map_or(c.expires_at.clone(), calendar::rfc3339_cst);
    match file {
        Some((mut f, path)) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["username", "name", "unit", "role", "mobile", "activation_code", "expires_at"])?;
            for c in codes {
                w.write_record([&c.username, &c.name, &c.unit, &c.role, &c.mobile, &c.code, &shown(c)])?;
            }
            let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("CSV writer: {e}"))?;
            f.write_all(b"\xEF\xBB\xBF")?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            out.status(&tf("codes.written", &[("count", &codes.len()), ("file", &path.display())]));
            Ok(())
        }
        None => {
            if codes.is_empty() {
                return Ok(());
            }
            let rows: Vec<Vec<Cell>> = codes
                .iter()
                .map(|c| {
                    vec![
                        Cell::from(&c.username),
                        Cell::from(&c.name),
                        Cell::from(&c.unit),
                        role_cell(out, &c.role),
                        Cell::from(&c.mobile),
                        Cell::from(&c.code),
                        Cell::from(shown(c)),
                    ]
                })
                .collect();
            out.list(
                &[
                    ("username", "col.username"),
                    ("name", "col.person"),
                    ("unit", "col.unit"),
                    ("role", "col.role"),
                    ("mobile", "col.mobile"),
                    ("activation_code", "col.activation_code"),
                    ("expires_at", "col.activation_expires"),
                ],
                &rows,
            )
        }
    }
}

pub fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let text = csvio::read_file(&a.csv.file, a.csv.encoding)?;
    let label = a.csv.file.display().to_string();
    let sheet = csvio::parse_sheet(&label, &text, roster::is_header, "单位, 类别")?;
    let (db, actor) = ctx.signed_in()?;
    perm::require(&actor, Action::RosterImport, actor.scope())?;
    let sync_root = if a.sync {
        match &a.under {
            Some(c) => Some(hierarchy::unit_in_scope(&db.conn, actor.scope(), c.trim())?),
            None if actor.org.code == MINISTRY_CODE => {
                return Err(error::usage(t("roster.sync_needs_under")).into());
            }
            None => Some(actor.scope().clone()),
        }
    } else {
        None
    };
    let plan = roster::plan(&db.conn, &actor, &sheet, sync_root.as_ref())?;
    if !plan.errors.is_empty() {
        return csvio::reject(&sheet, plan.rows, &plan.errors, a.csv.rejects.as_deref(), &out);
    }
    let summary =
        tf("roster.rows", &[("rows", &plan.rows), ("unchanged", &plan.unchanged), ("diff", &plan.diff.summary())]);
    if a.csv.dry_run {
        print_diff(&out, &plan.diff)?;
        out.status(&summary);
        out.status(t("csv.dry_run"));
        return Ok(());
    }
    if plan.diff.is_empty() {
        out.status(&summary);
        out.status(t("roster.nothing"));
        return Ok(());
    }
    let direct = actor.org.code == MINISTRY_CODE;
    if direct {
        let (codes, file) = issue_with_codes_file(a.codes_out.as_deref(), || {
            db.write(&actor.audit_actor(), |tx| roster::apply_direct(tx, &actor, &plan.diff))
        })?;
        out.status(&summary);
        write_codes(&out, &codes, file)
    } else {
        if a.codes_out.is_some() {
            return Err(error::usage(t("roster.codes_out_province")).into());
        }
        let diff = plan.diff.clone();
        let id = db.write(&actor.audit_actor(), |tx| roster::file_request(tx, &actor, diff))?;
        out.status(&summary);
        out.status(&tf("roster.filed", &[("id", &id)]));
        out.record(
            &[("id", "col.id"), ("kind", "col.kind"), ("status", "col.status"), ("summary", "col.summary")],
            &[
                Cell::Int(id),
                Cell::from("roster"),
                out.word("pending", t("status.pending")),
                Cell::from(plan.diff.summary()),
            ],
        )
    }
}

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let (db, actor) = ctx.signed_in()?;
    let root = match &a.csv.under {
        Some(c) => hierarchy::unit_in_scope(&db.conn, actor.scope(), c.trim())?,
        None => actor.scope().clone(),
    };
    let rows = roster::export_rows(&db.conn, &root)?;
    let date = db.now.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string();
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    w.record(["全国教育信息化工作进展信息系统管理人员信息表"])?;
    w.record([format!("单位名称（盖章）：{}", root.name)])?;
    w.record([format!("填表日期：{date}")])?;
    w.record(["序号", "姓名", "单位", "类别", "处室", "职务", "办公电话", "手机号", "电子邮箱"])?;
    for (i, r) in rows.iter().enumerate() {
        let level = Level::parse(&r.org_level).unwrap_or(Level::County);
        let role = Role::parse(&r.role).unwrap_or(Role::Admin);
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        w.record([
            (i + 1).to_string(),
            r.name.clone(),
            r.org_code.clone(),
            roster::category(level, role),
            o(&r.department),
            o(&r.title),
            o(&r.office_phone),
            r.mobile.clone(),
            o(&r.email),
        ])?;
    }
    w.finish()
}
