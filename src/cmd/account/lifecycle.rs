//! `eip account disable | enable | reset | passwd` (SPEC §2, Art. 10): personnel changes and
//! passwords.

use std::io::{BufRead, IsTerminal};

use clap::Args;
use rusqlite::params;
use serde_json::json;

use crate::account::{self, AccountRow};
use crate::audit::Event;
use crate::auth::{self, Actor, Via};
use crate::calendar;
use crate::context::Ctx;
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::{self, Org};
use crate::i18n::{t, tf};
use crate::perm::{self, Action};

use super::super::sign_in::{read_new_password, set_password_noting};

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

/// The account in scope and its org, for an action only its issuer (or support) may take.
fn target(ctx: &mut Ctx, username: &str, action: Action) -> Result<(AccountRow, Org)> {
    let (db, actor) = ctx.signed_in()?;
    let account = account::in_scope(&db.conn, actor.scope(), username.trim())?;
    let org = hierarchy::find_by_id(&db.conn, org_id(&db.conn, account.id)?)?;
    perm::require(&actor, action, &org)?;
    Ok((account, org))
}

/// The account and its org as they are inside the write transaction, scope and permission asked
/// again there (docs/DECISIONS.md): a school moved to another supervising unit a moment ago has a new issuer.
fn decide_on(tx: &Tx, actor: &Actor, account_id: i64, action: Action) -> Result<(AccountRow, Org)> {
    let account = account::current(tx, account_id)?;
    if !actor.scope().contains_path(&account.org_path) {
        return Err(error::not_found(tf("account.none", &[("username", &account.username)])).into());
    }
    let org = hierarchy::find_by_id(tx, org_id(tx, account.id)?)?;
    perm::require(actor, action, &org)?;
    Ok((account, org))
}

fn org_id(conn: &crate::store::Conn, account_id: i64) -> Result<i64> {
    Ok(conn.query_row("SELECT org_id FROM account WHERE id = ?1", params![account_id], |r| r.get(0))?)
}

pub fn disable(ctx: &mut Ctx, a: DisableArgs) -> Result<()> {
    let reason = a.reason.trim().to_string();
    if reason.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    let (account, _) = target(ctx, &a.username, Action::AccountDisable)?;
    let (db, actor) = ctx.signed_in()?;
    // Decided on the account as it is inside the transaction (docs/DECISIONS.md): of two disables at once,
    // the second finds it disabled and is refused.
    db.write(&actor.audit_actor(), |tx| {
        let (now, _) = decide_on(tx, &actor, account.id, Action::AccountDisable)?;
        if !account::disable(tx, &now, &reason)? {
            return Err(error::refused(tf("account.race.already_disabled", &[("username", &now.username)]))
                .hint(tf("account.race.already_disabled.hint", &[("username", &now.username)]))
                .into());
        }
        Ok(())
    })?;
    ctx.out.status(&tf("account.disabled", &[("username", &account.username)]));
    Ok(())
}

pub fn enable(ctx: &mut Ctx, a: EnableArgs) -> Result<()> {
    let (account, _) = target(ctx, &a.username, Action::AccountDisable)?;
    let (db, actor) = ctx.signed_in()?;
    db.write(&actor.audit_actor(), |tx| {
        let (now, org) = decide_on(tx, &actor, account.id, Action::AccountDisable)?;
        if !account::enable(tx, &now, &org)? {
            return Err(error::refused(tf("account.race.already_active", &[("username", &now.username)])).into());
        }
        Ok(())
    })?;
    ctx.out.status(&tf("account.enabled", &[("username", &account.username)]));
    Ok(())
}

pub fn reset(ctx: &mut Ctx, a: ResetArgs) -> Result<()> {
    let (account, _) = target(ctx, &a.username, Action::AccountReset)?;
    let (db, actor) = ctx.signed_in()?;
    let issued = db.write(&actor.audit_actor(), |tx| {
        let (now, _) = decide_on(tx, &actor, account.id, Action::AccountReset)?;
        if !a.new_code && now.status == "active" {
            if let Some(until) = account::unused_code_until(tx, now.id)? {
                let until = calendar::parse_stored(&until).map_or(until.clone(), calendar::rfc3339_cst);
                return Err(Error::new(
                    Kind::Refused,
                    tf("account.reset.unused_code", &[("username", &now.username), ("until", &until)]),
                )
                .hint(tf("account.reset.unused_code.hint", &[("username", &now.username)]))
                .into());
            }
        }
        account::reset(tx, &now)
    })?;
    let out = ctx.out.clone();
    out.status(&tf("account.reset_done", &[("username", &account.username)]));
    out.status(&tf("account.code_hint", &[("name", &account.name), ("username", &account.username)]));
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
    let cheap = db.test_clock;
    let now = db.now;
    let path = db.path.clone();
    let session = db.write(&actor.audit_actor(), |tx| {
        // The password and the status as they are inside the transaction (docs/DECISIONS.md): a reset or a
        // disable that committed a moment ago wins, and this change cannot undo it.
        let (hash, status): (Option<String>, String) =
            tx.query_row("SELECT password_hash, status FROM account WHERE id = ?1", params![actor.account_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if status != "active" {
            return Err(Error::new(Kind::Denied, tf("auth.inactive", &[("username", &actor.username)])).into());
        }
        let ok = hash.as_deref().is_some_and(|h| auth::verify_password(&current, h));
        if !ok {
            // A wrong current password counts toward the lockout, like any failed sign-in.
            let failed: i64 =
                tx.query_row("SELECT failed_logins FROM account WHERE id = ?1", params![actor.account_id], |r| {
                    r.get(0)
                })?;
            let (count, lock) = auth::after_failure(failed, now);
            tx.execute(
                "UPDATE account SET failed_logins = ?1, locked_until = COALESCE(?2, locked_until) WHERE id = ?3",
                params![count, lock, actor.account_id],
            )?;
            tx.audit(
                Event::new("login.failed")
                    .target(&actor.username)
                    .scope(&actor.org.path)
                    .detail(json!({ "why": "passwd_bad_current", "locked_until": lock })),
            )?;
            return Ok(None);
        }
        // Every token and session ends with the old password (docs/SECURITY.md); the person stays signed
        // in in this shell with a fresh session token (docs/DECISIONS.md).
        let revoked = account::revoke_access(tx, actor.account_id)?;
        let this_session = actor.via == Via::Session;
        let detail = json!({ "revoked": revoked.json(), "this_session_kept": this_session });
        set_password_noting(tx, actor.account_id, &actor.username, &new, cheap, "account.passwd", Some(detail))?;
        if this_session {
            return Ok(Some(auth::open_session(tx, actor.account_id, now)?.0));
        }
        Ok(Some(String::new()))
    })?;
    match session {
        None => Err(Error::new(Kind::Denied, t("passwd.bad_current")).into()),
        Some(token) => {
            if !token.is_empty() {
                auth::write_session_file(&path, &token)?;
            }
            ctx.out.status(&tf("account.passwd_done", &[("username", &actor.username)]));
            Ok(())
        }
    }
}
