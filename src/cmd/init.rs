//! `eip init` (SPEC §10): a new database with the Ministry, the seeded indicators and the first
//! Ministry admin. An initialised database is never touched.

use clap::Args;
use rusqlite::params;
use serde_json::json;

use crate::account::{self, Person, Role};
use crate::audit::{AuditActor, Event};
use crate::context::Ctx;
use crate::db::{Db, Tx};
use crate::error::{self, Result};
use crate::hierarchy::{self, MINISTRY_CODE};
use crate::i18n::{t, tf};
use crate::output::{interactive, Cell};

use super::sign_in::read_new_password;

/// The indicator catalogue `eip init` seeds (SPEC §4.1).
pub const INDICATORS_CSV: &str = include_str!("../../examples/data/indicators.csv");

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Let EIP_NOW set the time (test and demonstration databases only; recorded in the database)
    #[arg(long)]
    pub test_clock: bool,
    /// Real name (姓名) of the first Ministry administrator
    #[arg(long, value_name = "NAME")]
    pub admin_name: Option<String>,
    /// Mobile (手机号) of the first Ministry administrator
    #[arg(long, value_name = "MOBILE")]
    pub admin_mobile: Option<String>,
    /// Email of the first Ministry administrator
    #[arg(long, value_name = "EMAIL")]
    pub admin_email: Option<String>,
    /// Read the administrator's password from standard input (else: prompt on a terminal, or
    /// print a one-time activation code)
    #[arg(long)]
    pub password_stdin: bool,
}

fn ask(flag: Option<String>, prompt: &'static str) -> Result<String> {
    match flag {
        Some(v) => Ok(v),
        None if interactive() => Ok(dialoguer::Input::<String>::new().with_prompt(t(prompt)).interact_text()?),
        None => Err(error::usage(t("init.need_admin")).into()),
    }
}

pub fn cmd_init(ctx: &mut Ctx, args: InitArgs) -> Result<()> {
    let out = ctx.out.clone();
    let person = Person {
        name: ask(args.admin_name, "prompt.admin_name")?,
        mobile: ask(args.admin_mobile, "prompt.admin_mobile")?,
        email: args.admin_email,
        ..Default::default()
    };
    person.validate()?;
    let password =
        if args.password_stdin || interactive() { Some(read_new_password(args.password_stdin)?) } else { None };
    let cheap = args.test_clock;
    let (db, issued) = Db::create(&ctx.db_path, ctx.journal, args.test_clock, &AuditActor::system(), |tx| {
        seed(tx)?;
        let ministry = hierarchy::find(tx, MINISTRY_CODE)?.expect("seeded above");
        let issued = account::issue(tx, &ministry, Role::Admin, &person, None)?;
        if let Some(pw) = &password {
            super::sign_in::set_password(tx, issued.id, &issued.username, pw, cheap, "account.activate")?;
        }
        Ok(issued)
    })?;
    let path = ctx.db_path.display().to_string();
    out.status(&tf("init.done", &[("path", &path), ("username", &issued.username)]));
    if args.test_clock {
        out.status(t("init.test_clock"));
    }
    let code = password.is_none().then(|| issued.code.clone());
    if code.is_some() {
        out.status(&tf("init.code_hint", &[("name", &person.name), ("username", &issued.username)]));
    }
    out.record(
        &[
            ("database", "col.database"),
            ("username", "col.username"),
            ("activation_code", "col.activation_code"),
            ("test_clock", "col.test_clock"),
        ],
        &[Cell::from(path), Cell::from(issued.username), Cell::from(code), Cell::from(args.test_clock)],
    )?;
    ctx.set_db(db);
    Ok(())
}

/// The Ministry and the indicator catalogue, each audited.
pub fn seed(tx: &mut Tx) -> Result<()> {
    let now = tx.now_stored();
    tx.execute(
        "INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, '教育部', 'ministry', NULL, ?2, ?3)",
        params![MINISTRY_CODE, format!("/{MINISTRY_CODE}/"), now],
    )?;
    tx.audit(Event::new("unit.add").target(MINISTRY_CODE).scope(format!("/{MINISTRY_CODE}/")).detail(json!({
        "after": { "code": MINISTRY_CODE, "name": "教育部", "level": "ministry" }
    })))?;
    let mut reader = csv::Reader::from_reader(INDICATORS_CSV.as_bytes());
    for (pos, rec) in reader.records().enumerate() {
        let r = rec?;
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        tx.execute(
            "INSERT INTO indicator(code, name_zh, name_en, kind, unit, filled_by, position, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![f(0), f(1), f(2), f(3), f(4), f(5), pos as i64 + 1, now],
        )?;
        tx.audit(Event::new("indicator.add").target(f(0)).detail(json!({
            "after": { "code": f(0), "name_zh": f(1), "name_en": f(2), "kind": f(3), "unit": f(4), "filled_by": f(5) }
        })))?;
    }
    Ok(())
}
