//! `eip init`: a new database with the Ministry, the seeded indicators and the first
//! Ministry admin. An initialised database is never touched.

use clap::Args;

use crate::account::Person;
use crate::audit::AuditActor;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::output::{interactive, Cell};
use crate::setup;
use crate::store::Db;

use super::session::read_new_password;

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
        name: Some(ask(args.admin_name, "prompt.admin_name")?),
        mobile: ask(args.admin_mobile, "prompt.admin_mobile")?,
        email: args.admin_email,
        ..Default::default()
    };
    person.validate()?;
    let password =
        if args.password_stdin || interactive() { Some(read_new_password(args.password_stdin)?) } else { None };
    let cheap = args.test_clock;
    let (db, issued) = Db::create(&ctx.db_path, ctx.journal, args.test_clock, &AuditActor::system(), |tx| {
        setup::first_database(tx, &person, password.as_deref(), cheap)
    })?;
    let path = ctx.db_path.display().to_string();
    out.status(&tf("init.done", &[("path", &path), ("username", &issued.username)]));
    if args.test_clock {
        out.status(t("init.test_clock"));
    }
    let code = password.is_none().then(|| issued.code.clone());
    if code.is_some() {
        out.status(&tf(
            "init.code_hint",
            &[("name", &person.name.as_deref().unwrap_or_default()), ("username", &issued.username)],
        ));
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
