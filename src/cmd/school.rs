//! `eip school …`: schools and teaching points.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::account::Person;
use crate::calendar;
use crate::context::Ctx;
use crate::csvio::{self, ExportWriter};
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::import;
use crate::output::{interactive, Cell, Out};
use crate::schools::{self, Filter, Info, School, StatusChange};
use crate::scope;

use super::account::form::{issue_with_codes_file, write_codes};
use super::{ExportFile, ImportFile};

#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Create a school (or teaching point) under your unit, optionally with its admin account
    Add(AddArgs),
    /// List schools under a unit [default: your scope]
    List(ListArgs),
    /// Show one school
    Show(ShowArgs),
    /// Edit a school's basic information (the school itself, its supervising admin, or support)
    Edit(EditArgs),
    /// Suspend enrolment (暂停招生); the school still reports
    Suspend(ReasonArgs),
    /// Return a suspended school to normal
    Resume(ReasonArgs),
    /// Merge a school into another active school; its accounts are disabled
    Merge(MergeArgs),
    /// Revoke (撤销) a school; its accounts are disabled
    Revoke(ReasonArgs),
    /// Delete a school that has filled nothing in; or, once filled, request deletion from the Ministry
    Delete(DeleteArgs),
    /// Request a change of supervising unit, approved level by level up to the Ministry (Art. 13)
    Transfer(TransferArgs),
    /// Import schools from CSV (code,name,kind,unit,category,location,address,students,teachers,classes);
    /// all or nothing
    Import(ImportArgs),
    /// Export schools as CSV (the columns of import, and status), ready to import again
    Export(ExportArgs),
}

fn parse_kind(s: &str) -> Result<String, String> {
    schools::parse_kind(s).map(str::to_string).ok_or_else(|| tf("school.bad_kind", &[("value", &s)]))
}

/// The basic-info fields, shared by add and edit.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// school or teaching-point (教学点)
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<String>,
    /// 小学, 初中, 高中, 完全中学, 九年一贯制学校, 十二年一贯制学校, 中等职业学校, 特殊教育学校, 其他
    #[arg(long)]
    pub category: Option<String>,
    /// 城区, 镇区 or 乡村
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub students: Option<i64>,
    #[arg(long)]
    pub teachers: Option<i64>,
    #[arg(long)]
    pub classes: Option<i64>,
}

impl InfoArgs {
    fn info(&self, name: Option<String>) -> Info {
        Info {
            name,
            kind: self.kind.clone(),
            category: self.category.clone(),
            location: self.location.clone(),
            address: self.address.clone(),
            students: self.students,
            teachers: self.teachers,
            classes: self.classes,
        }
    }
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The 10-digit 学校标识码, e.g. 2113010001
    pub code: String,
    pub name: String,
    /// The supervising unit (your own)
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    #[command(flatten)]
    pub info: InfoArgs,
    /// Also create the school's admin account: the person's real name
    #[arg(long, requires = "admin_mobile")]
    pub admin_name: Option<String>,
    /// … and mobile
    #[arg(long, requires = "admin_name")]
    pub admin_mobile: Option<String>,
    /// … and email
    #[arg(long, requires = "admin_name")]
    pub admin_email: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// normal, suspended, merged or revoked
    #[arg(long, value_parser = ["normal", "suspended", "merged", "revoked"])]
    pub status: Option<String>,
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<String>,
    /// Only schools whose name contains this
    #[arg(long)]
    pub search: Option<String>,
    /// Deleted schools instead (their history stays)
    #[arg(long)]
    pub deleted: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub code: String,
    /// Show the deleted school with this code
    #[arg(long)]
    pub deleted: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub code: String,
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub info: InfoArgs,
    /// Why (required for support's corrections)
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    pub code: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    pub code: String,
    /// The active school it joins
    #[arg(long, value_name = "CODE")]
    pub into: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    pub code: String,
    /// Skip the confirmation
    #[arg(long)]
    pub yes: bool,
    /// Ask the Ministry to delete a school that has filled in its information
    #[arg(long)]
    pub request: bool,
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    pub code: String,
    /// The new supervising unit
    #[arg(long, value_name = "CODE")]
    pub to: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub csv: ImportFile,
    /// Write the activation codes of the school admins the file names (columns admin_name,
    /// admin_mobile: 学校管理员姓名, 学校管理员手机号) to this new file, created with mode 0600,
    /// instead of standard output
    #[arg(long, value_name = "FILE")]
    pub codes_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub csv: ExportFile,
}

pub fn cmd_school(ctx: &mut Ctx, command: SchoolCommand) -> Result<()> {
    match command {
        SchoolCommand::Add(a) => add(ctx, a),
        SchoolCommand::List(a) => list(ctx, a),
        SchoolCommand::Show(a) => show(ctx, a),
        SchoolCommand::Edit(a) => edit(ctx, a),
        SchoolCommand::Suspend(a) => status(ctx, &a.code, &a.reason, |_| Ok(StatusChange::Suspend)),
        SchoolCommand::Resume(a) => status(ctx, &a.code, &a.reason, |_| Ok(StatusChange::Resume)),
        SchoolCommand::Revoke(a) => status(ctx, &a.code, &a.reason, |_| Ok(StatusChange::Revoke)),
        SchoolCommand::Merge(a) => {
            let into = a.into.clone();
            status(ctx, &a.code, &a.reason, move |ctx| {
                let (db, actor) = ctx.signed_in()?;
                Ok(StatusChange::Merge { into: Box::new(scope::school(&db.conn, &actor, &into)?) })
            })
        }
        SchoolCommand::Delete(a) => delete(ctx, a),
        SchoolCommand::Transfer(a) => transfer(ctx, a),
        SchoolCommand::Import(a) => import(ctx, a),
        SchoolCommand::Export(a) => export(ctx, a),
    }
}

fn need_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    Ok(r.to_string())
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let unit = scope::unit(&db.conn, &actor, &a.unit)?;
    let code = a.code.trim().to_string();
    let info = a.info.info(Some(a.name.clone()));
    let admin = a.admin_name.as_ref().map(|name| Person {
        name: Some(name.trim().to_string()),
        mobile: a.admin_mobile.clone().unwrap_or_default().trim().to_string(),
        email: a.admin_email.clone(),
        ..Default::default()
    });
    if let Some(w) = schools::check_new(&db.conn, &actor, &unit, &code, &info)? {
        out.warn(&w);
    }
    let (org, issued) =
        db.write(&actor.audit_actor(), |tx| schools::add(tx, &actor, &unit, &code, &info, admin.as_ref()))?;
    let kind = schools::kind_label(info.kind.as_deref().unwrap_or("school"));
    out.status(&tf("school.added", &[("kind", &kind), ("code", &org.code), ("name", &org.name), ("unit", &unit.code)]));
    let (username, code, expires) = match issued {
        Some(i) => {
            let p = admin.as_ref().expect("issued with a person");
            out.status(&super::account::code_hint(p.name.as_deref(), &i.username));
            let exp = calendar::parse_stored(&i.expires_at).map_or(i.expires_at.clone(), calendar::rfc3339_cst);
            (Some(i.username), Some(i.code), Some(exp))
        }
        None => (None, None, None),
    };
    out.record(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("unit", "col.unit"),
            ("username", "col.username"),
            ("activation_code", "col.activation_code"),
            ("activation_expires_at", "col.activation_expires"),
        ],
        &[
            Cell::from(org.code),
            Cell::from(org.name),
            Cell::from(unit.code),
            Cell::from(username),
            Cell::from(code),
            Cell::from(expires),
        ],
    )
}

const LIST_COLUMNS: &[(&str, &str)] = &[
    ("code", "col.code"),
    ("name", "col.name"),
    ("kind", "col.kind_school"),
    ("unit", "col.unit"),
    ("status", "col.status"),
    ("category", "col.category"),
    ("location", "col.location"),
    ("students", "col.students"),
    ("teachers", "col.teachers"),
    ("classes", "col.classes"),
];

fn cells(out: &Out, s: &School) -> Vec<Cell> {
    vec![
        Cell::from(&s.org.code),
        Cell::from(&s.org.name),
        out.word(&s.kind, schools::kind_label(&s.kind)),
        Cell::from(s.org.parent_code.clone()),
        out.word(&s.status, schools::status_label(&s.status)),
        Cell::from(s.category.clone()),
        Cell::from(s.location.clone()),
        Cell::from(s.students),
        Cell::from(s.teachers),
        Cell::from(s.classes),
    ]
}

fn list(ctx: &mut Ctx, a: ListArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let root = scope::under(&db.conn, &actor, a.under.as_deref())?;
    let filter = Filter {
        deleted: a.deleted,
        status: a.status.as_deref(),
        kind: a.kind.as_deref(),
        search: a.search.as_deref(),
    };
    let rows = schools::list(&db.conn, &root, &filter)?;
    let cells: Vec<Vec<Cell>> = rows.iter().map(|s| cells(&out, s)).collect();
    out.list(LIST_COLUMNS, &cells)
}

fn when(s: &Option<String>) -> Cell {
    Cell::from(s.as_deref().map(|v| calendar::parse_stored(v).map_or(v.to_string(), calendar::rfc3339_cst)))
}

fn show(ctx: &mut Ctx, a: ShowArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let s = if a.deleted {
        scope::deleted_school(&db.conn, &actor, &a.code)?
    } else {
        scope::school(&db.conn, &actor, &a.code)?
    };
    let mut cols = LIST_COLUMNS.to_vec();
    cols.extend([
        ("unit_name", "col.unit_name"),
        ("address", "col.address"),
        ("merged_into", "col.merged_into"),
        ("status_changed_at", "col.status_changed_at"),
        ("info_filled_at", "col.info_filled_at"),
        ("created_at", "col.created_at"),
        ("deleted_at", "col.deleted_at"),
    ]);
    let mut row = cells(&out, &s);
    row.extend([
        Cell::from(s.unit_name.clone()),
        Cell::from(s.address.clone()),
        Cell::from(s.merged_into.clone()),
        when(&s.status_changed_at),
        when(&s.info_filled_at),
        when(&Some(s.org.created_at.clone())),
        when(&s.deleted_at),
    ]);
    out.record(&cols, &row)
}

fn edit(ctx: &mut Ctx, a: EditArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let school = scope::school(&db.conn, &actor, &a.code)?;
    let info = a.info.info(a.name.clone());
    let changed =
        db.write(&actor.audit_actor(), |tx| schools::edit(tx, &actor, &school, &info, a.reason.as_deref()))?;
    let key = if changed { "school.edited" } else { "school.unchanged" };
    out.status(&tf(key, &[("code", &school.org.code)]));
    Ok(())
}

fn status(
    ctx: &mut Ctx,
    code: &str,
    reason: &str,
    change: impl FnOnce(&mut Ctx) -> Result<StatusChange>,
) -> Result<()> {
    let out = ctx.out.clone();
    let reason = need_reason(reason)?;
    let change = change(ctx)?;
    let (db, actor) = ctx.signed_in()?;
    let school = scope::school(&db.conn, &actor, code)?;
    let (disabled, before) =
        db.write(&actor.audit_actor(), |tx| schools::change_status(tx, &actor, &school, &change, &reason))?;
    let after = change.target_status();
    out.status(&tf(
        "school.status_done",
        &[
            ("code", &school.org.code),
            ("before", &schools::status_label(&before)),
            ("after", &schools::status_label(after)),
        ],
    ));
    if disabled > 0 {
        out.status(&tf("school.accounts_disabled", &[("count", &disabled)]));
    }
    Ok(())
}

fn delete(ctx: &mut Ctx, a: DeleteArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let school = match scope::school(&db.conn, &actor, &a.code) {
        Ok(s) => s,
        // Deleted a moment ago (two deletions started together): say so, exit 5.
        Err(e) => match scope::deleted_school(&db.conn, &actor, &a.code) {
            Ok(gone) if !a.request => return Err(schools::already_deleted(&db.conn, gone.org.id, &gone.org.code)?),
            _ => return Err(e),
        },
    };
    if a.request {
        let reason = need_reason(a.reason.as_deref().ok_or_else(|| error::usage(t("school.delete_needs_reason")))?)?;
        let id = db.write(&actor.audit_actor(), |tx| schools::request_delete(tx, &actor, &school, &reason))?;
        out.status(&tf("school.requested_delete", &[("id", &id)]));
        return out.record(&[("id", "col.id"), ("kind", "col.kind")], &[Cell::Int(id), Cell::from("school_delete")]);
    }
    // Check the rules before asking anything.
    schools::check_delete(&db.conn, &actor, &school)?;
    if !a.yes {
        if !interactive() {
            return Err(error::usage(t("yes.required")).into());
        }
        let name = crate::terminal::escape_for_terminal(&school.org.name);
        let prompt = tf("school.delete_confirm", &[("code", &school.org.code), ("name", &name)]);
        if !dialoguer::Confirm::new().with_prompt(prompt).default(false).interact()? {
            return Ok(());
        }
    }
    db.write(&actor.audit_actor(), |tx| schools::delete(tx, &actor, &school))?;
    out.status(&tf("school.deleted", &[("code", &school.org.code), ("name", &school.org.name)]));
    Ok(())
}

fn transfer(ctx: &mut Ctx, a: TransferArgs) -> Result<()> {
    let out = ctx.out.clone();
    let reason = need_reason(&a.reason)?;
    let (db, actor) = ctx.signed_in()?;
    let school = scope::school(&db.conn, &actor, &a.code)?;
    // The new unit may lie outside the filer's scope (a neighbouring county).
    let to = scope::unit_anywhere(&db.conn, &a.to)?;
    let (id, first) =
        db.write(&actor.audit_actor(), |tx| schools::request_transfer(tx, &actor, &school, &to, &reason))?;
    out.status(&tf("school.requested_transfer", &[("id", &id), ("unit", &first)]));
    out.record(
        &[("id", "col.id"), ("kind", "col.kind"), ("awaiting", "col.awaiting")],
        &[Cell::Int(id), Cell::from("school_transfer"), Cell::from(first)],
    )
}

/// The schools file through the one import pipeline; the codes of the school admins it issues
/// written as a roster approval writes them: into `--codes-out` (created before anything is
/// checked, so that a file that exists refuses the import at once, and removed if the import
/// fails), else listed on standard output.
fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let sheet = a.csv.rows(
        |h| {
            let c = csvio::Columns::find(h, schools::SCHOOL_COLUMNS);
            c.has("code") && c.has("unit")
        },
        "code,name,kind,unit",
    )?;
    let (db, actor) = ctx.signed_in()?;
    let source = a.csv.source();
    // A dry run issues nothing, so it writes no codes file.
    let codes_out = if source.dry_run { None } else { a.codes_out.as_deref() };
    let (done, file) = issue_with_codes_file(codes_out, || {
        import::run(
            db,
            &actor,
            &out,
            &source,
            &sheet,
            |conn| schools::plan_import(conn, &actor, &sheet),
            |tx, plan, tick| schools::apply_import(tx, &actor, plan, tick),
        )
    })?;
    let Some((plan, codes)) = done else { return Ok(()) };
    out.status(&plan.summary());
    write_codes(&out, &codes, file)
}

fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let root = scope::under(&db.conn, &actor, a.csv.under.as_deref())?;
    if super::export::as_rows(&out, &a.csv)? {
        let mut rows = Vec::new();
        schools::each_live(&db.conn, &root, |s| {
            let mut row = cells(&out, &s);
            row.insert(7, Cell::from(s.address.clone()));
            rows.push(row);
            Ok(())
        })?;
        let mut columns = LIST_COLUMNS.to_vec();
        columns.insert(7, ("address", "col.address"));
        return out.list(&columns, &rows);
    }
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    // The three counts are numbers in a workbook; codes stay text.
    let mut columns = vec![csvio::Column::Text; 11];
    columns[7..10].fill(csvio::Column::Number);
    w.columns(columns);
    w.record([
        "code", "name", "kind", "unit", "category", "location", "address", "students", "teachers", "classes", "status",
    ])?;
    let n = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    schools::each_live(&db.conn, &root, |s| {
        w.record([
            s.org.code,
            s.org.name,
            s.kind,
            s.org.parent_code.unwrap_or_default(),
            s.category.unwrap_or_default(),
            s.location.unwrap_or_default(),
            s.address.unwrap_or_default(),
            n(s.students),
            n(s.teachers),
            n(s.classes),
            s.status,
        ])
    })?;
    w.finish()
}
