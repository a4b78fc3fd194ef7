//! `eip account disable | enable | reset | passwd` (Art. 10): personnel changes and
//! passwords.

use std::io::{BufRead, IsTerminal};

use clap::Args;

use crate::account;
use crate::auth;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};

use super::super::session::read_new_password;

#[derive(Debug, Args)]
pub struct DisableArgs {
    pub username: String,
    /// Why (调离, 退休 …); recorded in the audit trail
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct EnableArgs {
    pub username: String,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    pub username: String,
    /// Issue a new code even though the account's earlier code is still unused (that code then
    /// stops working): for a code that was lost
    #[arg(long)]
    pub new_code: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the current and the new password from standard input, one per line
    #[arg(long)]
    pub password_stdin: bool,
}

pub fn disable(ctx: &mut Ctx, a: DisableArgs) -> Result<()> {
    let reason = a.reason.trim().to_string();
    if reason.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    let (db, actor) = ctx.signed_in()?;
    let account = account::disable_as(db, &actor, &a.username, &reason)?;
    ctx.out.status(&tf("account.disabled", &[("username", &account.username)]));
    Ok(())
}

pub fn enable(ctx: &mut Ctx, a: EnableArgs) -> Result<()> {
    let (db, actor) = ctx.signed_in()?;
    let account = account::enable_as(db, &actor, &a.username)?;
    ctx.out.status(&tf("account.enabled", &[("username", &account.username)]));
    Ok(())
}

pub fn reset(ctx: &mut Ctx, a: ResetArgs) -> Result<()> {
    let (db, actor) = ctx.signed_in()?;
    let (account, issued) = account::reset_as(db, &actor, &a.username, a.new_code)?;
    let out = ctx.out.clone();
    out.status(&tf("account.reset_done", &[("username", &account.username)]));
    out.status(&super::code_hint(account.name.as_deref(), &account.username));
    super::print_issued(&out, issued)
}

/// The current and the new password: two lines on stdin, or prompts on a terminal.
fn read_passwords(from_stdin: bool) -> Result<(String, String)> {
    if from_stdin {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = || -> Result<String> {
            let l = lines.next().transpose()?.unwrap_or_default();
            let l = l.trim_end_matches('\r').to_string();
            if l.is_empty() {
                return Err(error::invalid(t("passwd.two_lines")).into());
            }
            Ok(l)
        };
        let current = next()?;
        let new = next()?;
        auth::check_password_policy(&new)?;
        return Ok((current, new));
    }
    if !std::io::stdin().is_terminal() {
        return Err(error::usage(t("password.no_tty")).hint(t("passwd.no_tty.hint")).into());
    }
    let current = dialoguer::Password::new().with_prompt(t("prompt.current_password")).interact()?;
    Ok((current, read_new_password(false)?))
}

pub fn passwd(ctx: &mut Ctx, a: PasswdArgs) -> Result<()> {
    let (current, new) = read_passwords(a.password_stdin)?;
    let (db, actor) = ctx.signed_in()?;
    let path = db.path.clone();
    if let Some(token) = account::change_password(db, &actor, &current, &new)? {
        auth::write_session_file(&path, &token)?;
    }
    ctx.out.status(&tf("account.passwd_done", &[("username", &actor.username)]));
    Ok(())
}
