//! `eip account import | export`: the personnel form (附件2 管理人员信息表).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::account::Role;
use crate::calendar;
use crate::context::Ctx;

use super::super::{ExportFile, ImportFile};
use crate::csvio::{Column, ExportWriter};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::import;
use crate::model::Level;
use crate::output::{Cell, Out};
use crate::roster::{self, Applied, Diff, IssuedCode};
use crate::scope;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub csv: ImportFile,
    /// Also disable the staff of the units the form lists who are no longer on it (never you;
    /// never staff of a unit the form does not list)
    #[arg(long)]
    pub sync: bool,
    /// With --sync: only inside this unit's subtree [default: your own unit; the Ministry names one]
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

/// The diff as rows: what a dry run and `request show` print. In the order of the form; people
/// to disable (not on it) last.
pub(crate) fn print_diff(out: &Out, diff: &Diff) -> Result<()> {
    let mut rows: Vec<(u64, Vec<Cell>)> = diff
        .changes()
        .map(|c| {
            let line = c.form_line();
            let mut row = vec![line.map_or(Cell::Null, |l| Cell::Int(l as i64)), c.word(out)];
            row.extend(import::Change::cells(&c, out));
            (line.unwrap_or(u64::MAX), row)
        })
        .collect();
    rows.sort_by_key(|(line, _)| *line);
    let rows: Vec<Vec<Cell>> = rows.into_iter().map(|(_, r)| r).collect();
    let mut columns = vec![("line", "col.line"), ("change", "col.change")];
    columns.extend_from_slice(roster::PREVIEW_COLUMNS);
    out.list(&columns, &rows)
}

fn role_cell(out: &Out, role: &str) -> Cell {
    out.word(role, Role::parse(role).map(Role::label).unwrap_or(role))
}

/// A codes file must be new: it is created (mode 0600) before anything is written, so a refusal
/// leaves the database untouched, and an activation code is never written over.
pub(crate) fn open_codes_file(path: &Path) -> Result<std::fs::File> {
    crate::workbook::check_output(path)?;
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
/// `issue` gives the codes (or, for an import, what it did with them).
pub(crate) fn issue_with_codes_file<T>(
    codes_out: Option<&Path>,
    issue: impl FnOnce() -> Result<T>,
) -> Result<(T, Option<CodesFile<'_>>)> {
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

/// The codes file's columns.
const CODES_HEADER: [&str; 7] = ["username", "name", "unit", "role", "mobile", "activation_code", "expires_at"];

/// The codes, shown once: into the codes file (a workbook when its name ends in `.xlsx`), or on
/// stdout.
pub(crate) fn write_codes(out: &Out, codes: &[IssuedCode], file: Option<CodesFile>) -> Result<()> {
    let shown =
        |c: &IssuedCode| calendar::parse_stored(&c.expires_at).map_or(c.expires_at.clone(), calendar::rfc3339_cst);
    match file {
        Some((f, path)) if crate::workbook::writes_workbook(path) => {
            // A workbook: every cell text (a mobile as a number would lose its digits).
            let mut w = ExportWriter::into_file(f, path, crate::csvio::Encoding::Utf8)?;
            w.record(CODES_HEADER)?;
            for c in codes {
                let name = c.name.as_deref().unwrap_or_default();
                w.record([&c.username, name, &c.unit, &c.role, &c.mobile, &c.code, &shown(c)])?;
            }
            w.finish()?;
            out.status(&tf("codes.written", &[("count", &codes.len()), ("file", &path.display())]));
            Ok(())
        }
        Some((mut f, path)) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(CODES_HEADER)?;
            for c in codes {
                let name = c.name.as_deref().unwrap_or_default();
                w.write_record([&c.username, name, &c.unit, &c.role, &c.mobile, &c.code, &shown(c)])?;
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
                        out.person_name(c.name.as_deref()),
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
    // A form whose numbered rows are all blank is still a form: it changes nothing.
    let sheet =
        import::read(&a.csv.file, a.csv.encoding, a.csv.sheet.as_deref(), roster::is_header, "单位, 类别", true)?;
    let (db, actor) = ctx.signed_in()?;
    let form = roster::Form { sheet: &sheet, sync: a.sync, under: a.under.as_deref() };
    let source = a.csv.source();
    if source.dry_run {
        // The roster's preview is its own (the change second, no line for a disable) and so is
        // its summary: import::run's review would print the generic ones, so the dry run is
        // reviewed here.
        let plan = roster::plan(&db.conn, &actor, &form)?;
        plan.review(&sheet, false, source.rejects, &out)?;
        print_diff(&out, &Diff::of(&form, &plan))?;
        out.status(&roster::summary(&plan));
        out.status(t("csv.dry_run"));
        return Ok(());
    }
    let direct = roster::applies_directly(&actor);
    // The codes file is created inside the transaction before anything is written, so that a file
    // that exists refuses everything, and removed again if the import fails.
    let mut codes_file: Option<std::fs::File> = None;
    let done = import::run(
        db,
        &actor,
        &out,
        &source,
        &sheet,
        |conn| roster::plan(conn, &actor, &form),
        |tx, plan, tick| {
            if plan.changes.is_empty() {
                return Ok(None);
            }
            match (a.codes_out.as_deref(), direct) {
                (Some(path), true) => codes_file = Some(open_codes_file(path)?),
                (Some(_), false) => return Err(error::usage(t("roster.codes_out_province")).into()),
                (None, _) => {}
            }
            roster::apply(tx, &actor, &form, plan, tick).map(Some)
        },
    );
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            if let (Some(_), Some(path)) = (&codes_file, &a.codes_out) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    };
    let Some((plan, applied)) = done else { return Ok(()) };
    out.status(&roster::summary(&plan));
    match applied {
        None => {
            out.status(t("roster.nothing"));
            Ok(())
        }
        Some(Applied::Issued(codes)) => write_codes(&out, &codes, codes_file.zip(a.codes_out.as_deref())),
        Some(Applied::Filed(id)) => {
            out.status(&tf("roster.filed", &[("id", &id)]));
            out.record(
                &[("id", "col.id"), ("kind", "col.kind"), ("status", "col.status"), ("summary", "col.summary")],
                &[
                    Cell::Int(id),
                    Cell::from("roster"),
                    out.word("pending", t("status.pending")),
                    Cell::from(Diff::of(&form, &plan).summary()),
                ],
            )
        }
    }
}

/// The exported form's header: the published columns, 姓名 after 序号, and 单位代码 beside 单位
/// (which holds the unit's name, as the form has it). `account import` reads it back unchanged.
pub const EXPORT_HEADER: [&str; 10] =
    ["序号", "姓名", "单位", "单位代码", "类别", "处室", "职务", "办公电话", "手机号", "电子邮箱"];

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let root = scope::under(&db.conn, &actor, a.csv.under.as_deref())?;
    let rows = roster::export_rows(&db.conn, &root)?;
    let date = db.now.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string();
    if crate::cmd::export::as_rows(&out, &a.csv)? {
        let o = |v: &Option<String>| Cell::from(v.clone());
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                let level = Level::parse(&r.org_level).unwrap_or(Level::County);
                let role = Role::parse(&r.role).unwrap_or(Role::Admin);
                vec![
                    out.person_name(r.name.as_deref()),
                    Cell::from(&r.org_code),
                    Cell::from(&r.org_name),
                    Cell::from(roster::category(level, role)),
                    o(&r.department),
                    o(&r.title),
                    o(&r.office_phone),
                    Cell::from(&r.mobile),
                    o(&r.email),
                ]
            })
            .collect();
        return out.list(
            &[
                ("name", "col.person"),
                ("unit_code", "col.unit"),
                ("unit_name", "col.unit_name"),
                ("category", "col.form_category"),
                ("department", "col.department"),
                ("title", "col.title"),
                ("office_phone", "col.office_phone"),
                ("mobile", "col.mobile"),
                ("email", "col.email"),
            ],
            &cells,
        );
    }
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    w.preamble("全国教育信息化工作进展信息系统管理人员信息表")?;
    w.preamble(&format!("单位名称（盖章）：{}", root.name))?;
    w.preamble(&format!("填表日期：{date}"))?;
    // 序号 a number; codes, phones and mobiles text (a mobile as a number loses its digits).
    let mut columns = vec![Column::Text; EXPORT_HEADER.len()];
    columns[0] = Column::Number;
    w.columns(columns);
    w.record(EXPORT_HEADER)?;
    for (i, r) in rows.iter().enumerate() {
        let level = Level::parse(&r.org_level).unwrap_or(Level::County);
        let role = Role::parse(&r.role).unwrap_or(Role::Admin);
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        w.record([
            (i + 1).to_string(),
            o(&r.name),
            r.org_name.clone(),
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
