//! `eip account …`: issuing accounts, listing them, and API tokens for scripts.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::account::{self, Person, Role};
use crate::auth;
use crate::calendar;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::output::{Cell, Format, Out};
use crate::scope;

pub mod form;
pub mod lifecycle;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Issue an account: active at once, with a one-time activation code shown once
    ///
    /// Its username is always generated, <code>-<letter><seq> (e.g. 130102-R01), and never reused.
    Add(AddArgs),
    /// List accounts in your scope
    List(ListArgs),
    /// Show one account
    Show(ShowArgs),
    /// Disable an account (the person left or changed post); it is kept, never deleted
    ///
    /// Every API token and session of the account ends; enabling it again brings none back.
    Disable(lifecycle::DisableArgs),
    /// Enable a disabled account again
    Enable(lifecycle::EnableArgs),
    /// Unlock an account and issue a new activation code (the old password stops working)
    ///
    /// Every API token and session of the account ends. Support resets accounts of units below
    /// its own and of schools; the Ministry's accounts are reset only by a Ministry admin.
    Reset(lifecycle::ResetArgs),
    /// Change your own password
    ///
    /// Your API tokens and your other sessions end; this shell stays signed in.
    Passwd(lifecycle::PasswdArgs),
    /// Import the personnel form (附件2 管理人员信息表): applied by the Ministry, proposed by a province
    ///
    /// The form as published has no 姓名 column: its people give their names when they activate
    /// (eip login USER --activate CODE). A 姓名 column, when present, is used.
    Import(form::ImportArgs),
    /// Export the personnel form (附件2) of a unit and everything below it
    ///
    /// 单位 holds the unit's name, as the form has it, with its code in 单位代码 beside it; 姓名
    /// is included. The file imports again unchanged.
    Export(form::ExportArgs),
    /// API tokens for scripts (EIP_TOKEN)
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The unit (6-digit code) or school (10-digit code) the account belongs to
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    #[arg(long, value_enum)]
    pub role: Role,
    /// Real name (姓名)
    #[arg(long)]
    pub name: String,
    /// Mobile (手机号): 11 digits starting with 1
    #[arg(long)]
    pub mobile: String,
    #[arg(long)]
    pub email: Option<String>,
    /// Office phone (办公电话)
    #[arg(long)]
    pub office_phone: Option<String>,
    /// Department (处室)
    #[arg(long)]
    pub department: Option<String>,
    /// Title (职务)
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Accounts of this unit and everything below it [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    #[arg(long, value_enum)]
    pub role: Option<Role>,
    /// pending, active or disabled
    #[arg(long, value_parser = ["pending", "active", "disabled"])]
    pub status: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub username: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a named token for scripts; it is shown once
    ///
    /// With -q, or when stdout is not a terminal, only the bare token is printed (its id on
    /// stderr), so `eip account token create --name cron --days 365 > tok` makes a file that
    /// `EIP_TOKEN="$(cat tok)"` reads. --format json|csv|tsv prints the whole record.
    Create(TokenCreateArgs),
    /// List your tokens
    List,
    /// Revoke one of your tokens
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// A name that says where it is used, e.g. cron
    #[arg(long)]
    pub name: String,
    /// Days it stays valid (1–3650)
    #[arg(long, default_value_t = 90)]
    pub days: i64,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (from `eip account token list`)
    pub id: i64,
}

pub fn cmd_account(ctx: &mut Ctx, command: AccountCommand) -> Result<()> {
    match command {
        AccountCommand::Add(a) => add(ctx, a),
        AccountCommand::List(a) => list(ctx, a),
        AccountCommand::Show(a) => show(ctx, a),
        AccountCommand::Disable(a) => lifecycle::disable(ctx, a),
        AccountCommand::Enable(a) => lifecycle::enable(ctx, a),
        AccountCommand::Reset(a) => lifecycle::reset(ctx, a),
        AccountCommand::Passwd(a) => lifecycle::passwd(ctx, a),
        AccountCommand::Import(a) => form::import(ctx, a),
        AccountCommand::Export(a) => form::export(ctx, a),
        AccountCommand::Token(TokenCommand::Create(a)) => token_create(ctx, a),
        AccountCommand::Token(TokenCommand::List) => token_list(ctx),
        AccountCommand::Token(TokenCommand::Revoke(a)) => token_revoke(ctx, a),
    }
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let org = scope::unit_or_school(&db.conn, &actor, &a.unit)?;
    let person = Person {
        name: Some(a.name.trim().to_string()),
        mobile: a.mobile.trim().to_string(),
        office_phone: a.office_phone,
        email: a.email,
        department: a.department,
        title: a.title,
    };
    account::may_add(&actor, &org, a.role)?;
    let issued = db.write(&actor.audit_actor(), |tx| account::add(tx, &actor, &org, a.role, &person))?;
    let name = a.name.trim();
    out.status(&tf(
        "account.added",
        &[("role", &a.role.label()), ("username", &issued.username), ("name", &name), ("unit", &org.code)],
    ));
    out.status(&code_hint(Some(name), &issued.username));
    print_issued(&out, issued)
}

/// How the person signs in with the code just shown; one issued without a name gives it then.
pub(crate) fn code_hint(name: Option<&str>, username: &str) -> String {
    match name {
        Some(name) => tf("account.code_hint", &[("name", &name), ("username", &username)]),
        None => tf("account.code_hint_nameless", &[("username", &username)]),
    }
}

/// An account's username and its one-time activation code: the one time it is shown.
pub(crate) fn print_issued(out: &Out, issued: account::Issued) -> Result<()> {
    let expires = calendar::parse_stored(&issued.expires_at).map_or(issued.expires_at.clone(), calendar::rfc3339_cst);
    out.record(
        &[
            ("username", "col.username"),
            ("activation_code", "col.activation_code"),
            ("activation_expires_at", "col.activation_expires"),
        ],
        &[Cell::from(issued.username), Cell::from(issued.code), Cell::from(expires)],
    )
}

const ACCOUNT_COLUMNS: &[(&str, &str)] = &[
    ("username", "col.username"),
    ("name", "col.person"),
    ("role", "col.role"),
    ("unit", "col.unit"),
    ("unit_name", "col.unit_name"),
    ("status", "col.status"),
    ("mobile", "col.mobile"),
    ("email", "col.email"),
    ("department", "col.department"),
    ("title", "col.title"),
];

pub(crate) fn role_word(out: &Out, role: &str) -> Cell {
    out.word(role, Role::parse(role).map(Role::label).unwrap_or(role))
}

pub(crate) fn status_word(out: &Out, status: &str) -> Cell {
    let label = match status {
        "pending" => t("status.pending"),
        "active" => t("status.active"),
        "disabled" => t("status.disabled"),
        other => other,
    };
    out.word(status, label)
}

fn list(ctx: &mut Ctx, a: ListArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let root = scope::under(&db.conn, &actor, a.under.as_deref())?;
    let rows = account::list(&db.conn, &root, a.role, a.status.as_deref())?;
    let cells: Vec<Vec<Cell>> = rows.iter().map(|r| account_cells(&out, r)).collect();
    out.list(ACCOUNT_COLUMNS, &cells)
}

/// The cells of ACCOUNT_COLUMNS for one account.
fn account_cells(out: &Out, r: &account::AccountRow) -> Vec<Cell> {
    vec![
        Cell::from(&r.username),
        out.person_name(r.name.as_deref()),
        role_word(out, &r.role),
        Cell::from(&r.org_code),
        Cell::from(&r.org_name),
        status_word(out, &r.status),
        Cell::from(&r.mobile),
        Cell::from(r.email.clone()),
        Cell::from(r.department.clone()),
        Cell::from(r.title.clone()),
    ]
}

pub(crate) fn cst(s: &Option<String>) -> Cell {
    Cell::from(s.as_deref().map(|v| calendar::parse_stored(v).map_or(v.to_string(), calendar::rfc3339_cst)))
}

fn show(ctx: &mut Ctx, a: ShowArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let r = scope::account(&db.conn, &actor, &a.username)?;
    let mut cols = ACCOUNT_COLUMNS.to_vec();
    cols.extend([
        ("office_phone", "col.office_phone"),
        ("issued_by", "col.issued_by"),
        ("created_at", "col.created_at"),
        ("disabled_at", "col.disabled_at"),
        ("locked_until", "col.locked_until"),
    ]);
    let mut row = account_cells(&out, &r);
    row.extend([
        Cell::from(r.office_phone.clone()),
        Cell::from(r.issued_by.clone()),
        cst(&Some(r.created_at.clone())),
        cst(&r.disabled_at),
        cst(&r.locked_until),
    ]);
    out.record(&cols, &row)
}

fn token_create(ctx: &mut Ctx, a: TokenCreateArgs) -> Result<()> {
    let out = ctx.out.clone();
    if !(1..=3650).contains(&a.days) {
        return Err(error::usage(t("token.bad_days")).into());
    }
    let name = a.name.trim().to_string();
    if name.is_empty() {
        return Err(error::usage(t("unit.empty_name")).into());
    }
    let (db, actor) = ctx.signed_in()?;
    let auth::NewToken { id, token, expires } =
        db.write(&actor.audit_actor(), |tx| auth::create_token(tx, &actor, &name, a.days))?;
    let until = calendar::rfc3339_cst(expires);
    out.status(&tf(
        "token.created_id",
        &[("id", &id), ("name", &name), ("username", &actor.username), ("until", &until)],
    ));
    if bare_token(&out) {
        // Only the token on stdout, so `> file` gives a file EIP_TOKEN reads (docs/SECURITY.md).
        let mut w = std::io::stdout().lock();
        writeln!(w, "{token}")?;
        w.flush()?;
        return Ok(());
    }
    out.status(t("token.hint"));
    out.record(
        &[("id", "col.id"), ("name", "col.token_name"), ("token", "col.token"), ("expires_at", "col.expires_at")],
        &[Cell::Int(id), Cell::from(name), Cell::from(token), Cell::from(until)],
    )
}

/// Whether `token create` prints the bare token: with `-q`, or when stdout is not a terminal
/// (the format was chosen, not asked for); a format asked for (`--format json|csv|tsv`) still
/// gives the whole record.
fn bare_token(out: &Out) -> bool {
    if out.explicit {
        out.quiet && out.format == Format::Table
    } else {
        out.quiet || out.format != Format::Table
    }
}

fn token_list(ctx: &mut Ctx) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let cells: Vec<Vec<Cell>> = auth::tokens(&db.conn, &actor)?
        .into_iter()
        .map(|t| {
            vec![
                Cell::Int(t.id),
                Cell::from(t.name),
                cst(&Some(t.created_at)),
                cst(&Some(t.expires_at)),
                cst(&t.revoked_at),
            ]
        })
        .collect();
    out.list(
        &[
            ("id", "col.id"),
            ("name", "col.token_name"),
            ("created_at", "col.created_at"),
            ("expires_at", "col.expires_at"),
            ("revoked_at", "col.revoked_at"),
        ],
        &cells,
    )
}

fn token_revoke(ctx: &mut Ctx, a: TokenRevokeArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let name = db.write(&actor.audit_actor(), |tx| auth::revoke_token(tx, &actor, a.id))?;
    out.status(&tf("token.revoked", &[("id", &a.id), ("name", &name)]));
    Ok(())
}
