//! `eip login`, `logout`, `whoami` (SPEC §2): passwords and activation codes, sessions, lockout.

use std::io::{BufRead, IsTerminal};

use clap::Args;
use rusqlite::params;
use serde_json::json;

use crate::audit::{AuditActor, Event};
use crate::auth::{self, Via};
use crate::calendar::{self, stored};
use crate::context::Ctx;
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::output::Cell;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Username, e.g. 130102-R01
    pub username: String,
    /// Read the password from standard input (no prompt)
    #[arg(long)]
    pub password_stdin: bool,
    /// Activate the account with its one-time code and set a password
    #[arg(long, value_name = "CODE")]
    pub activate: Option<String>,
}

/// A password from `--password-stdin` (first line), or a prompt on a terminal; never a prompt
/// when stdin is not a terminal.
pub fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            return Err(error::invalid(t("password.empty")).into());
        }
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        return Err(error::usage(t("password.no_tty")).hint(t("password.no_tty.hint")).into());
    }
    Ok(dialoguer::Password::new().with_prompt(t("prompt.password")).interact()?)
}

/// A new password, checked against the policy; typed twice at a prompt.
pub fn read_new_password(from_stdin: bool) -> Result<String> {
    let pw = if from_stdin || !std::io::stdin().is_terminal() {
        read_password(from_stdin)?
    } else {
        dialoguer::Password::new()
            .with_prompt(t("prompt.new_password"))
            .with_confirmation(t("prompt.password_again"), t("prompt.mismatch"))
            .interact()?
    };
    auth::check_password_policy(&pw)?;
    Ok(pw)
}

/// Set an account's password (activation, or a change), clearing its code and lock.
pub fn set_password(tx: &mut Tx, account_id: i64, username: &str, pw: &str, cheap: bool, action: &str) -> Result<()> {
    set_password_noting(tx, account_id, username, pw, cheap, action, None)
}

/// [`set_password`], with a detail for its audit event (what else the change ended).
pub fn set_password_noting(
    tx: &mut Tx,
    account_id: i64,
    username: &str,
    pw: &str,
    cheap: bool,
    action: &str,
    detail: Option<serde_json::Value>,
) -> Result<()> {
    let hash = auth::hash_password(pw, cheap)?;
    let now = tx.now_stored();
    tx.execute(
        "UPDATE account SET password_hash = ?1, activation_hash = NULL, activation_expires_at = NULL,
                activated_at = COALESCE(activated_at, ?2), failed_logins = 0, locked_until = NULL
         WHERE id = ?3",
        params![hash, now, account_id],
    )?;
    let scope: String = tx.query_row(
        "SELECT o.path FROM account a JOIN org o ON o.id = a.org_id WHERE a.id = ?1",
        params![account_id],
        |r| r.get(0),
    )?;
    // The detail never holds the password or its hash.
    let mut ev = Event::new(action).target(username).scope(scope);
    if let Some(d) = detail {
        ev = ev.detail(d);
    }
    tx.audit(ev)?;
    Ok(())
}

enum Outcome {
    SignedIn { token: String, expires: String, name: String, role: String, unit: String },
    Refused(Error),
}

pub fn cmd_login(ctx: &mut Ctx, args: LoginArgs) -> Result<()> {
    let out = ctx.out.clone();
    let secret = if args.activate.is_some() {
        read_new_password(args.password_stdin)?
    } else {
        read_password(args.password_stdin)?
    };
    let db = ctx.db()?;
    let now = db.now;
    let cheap = db.test_clock;
    let username = args.username.trim().to_string();
    // What was typed as a username is never stored as such: it may be a password typed in the
    // wrong field. Probes of one name still correlate through its hash.
    let typed = format!("unknown:{}", &auth::hash_secret(&username)[..12]);
    let outcome = db.write(&AuditActor { name: "anonymous".into(), unit: None }, |tx| {
        let Some(target) = auth::login_target(tx, &username)? else {
            tx.audit(Event::new("login.failed").target(&typed).detail(json!({ "why": "unknown_user" })))?;
            return Ok(Outcome::Refused(Error::new(Kind::Denied, t("login.bad")).hint(t("login.bad.hint_any"))));
        };
        tx.actor = AuditActor { name: target.username.clone(), unit: Some(target.org_code.clone()) };
        let fail = |tx: &mut Tx, why: &str, err: Error| -> Result<Outcome> {
            tx.audit(
                Event::new("login.failed")
                    .target(&target.username)
                    .scope(&target.org_path)
                    .detail(json!({ "why": why })),
            )?;
            Ok(Outcome::Refused(err))
        };
        match target.status.as_str() {
            "disabled" => {
                let e = Error::new(Kind::Denied, tf("login.disabled", &[("username", &target.username)]))
                    .hint(t("login.disabled.hint"));
                return fail(tx, "disabled", e);
            }
            "pending" => {
                return fail(
                    tx,
                    "pending",
                    Error::new(Kind::Denied, tf("login.pending", &[("username", &target.username)])),
                )
            }
            _ => {}
        }
        if let Some(until) = auth::locked_until(&target, now) {
            let e = Error::new(Kind::Denied, tf("login.locked", &[("username", &target.username), ("until", &until)]))
                .hint(tf("login.locked.hint", &[("username", &target.username)]));
            return fail(tx, "locked", e);
        }
        let ok = match &args.activate {
            Some(code) => {
                target.activation_hash.as_deref() == Some(auth::hash_secret(&auth::normalize_code(code)).as_str())
                    && target.activation_expires_at.as_deref().is_some_and(|e| e > stored(now).as_str())
            }
            None => match &target.password_hash {
                Some(h) => auth::verify_password(&secret, h),
                None => {
                    // The same answer as a wrong password: existence does not leak.
                    let e = Error::new(Kind::Denied, t("login.bad")).hint(t("login.bad.hint_any"));
                    return fail(tx, "not_activated", e);
                }
            },
        };
        if !ok {
            let (count, lock) = auth::after_failure(target.failed_logins, now);
            tx.execute(
                "UPDATE account SET failed_logins = ?1, locked_until = COALESCE(?2, locked_until) WHERE id = ?3",
                params![count, lock, target.id],
            )?;
            let (why, e) = if args.activate.is_some() {
                (
                    "bad_code",
                    Error::new(Kind::Denied, t("login.bad_code"))
                        .hint(tf("login.bad_code.hint", &[("username", &target.username)])),
                )
            } else {
                (
                    "bad_password",
                    // The same words as for an unknown username, which is never echoed (it
                    // is often a password typed in the wrong field).
                    Error::new(Kind::Denied, t("login.bad")).hint(t("login.bad.hint_any")),
                )
            };
            tx.audit(
                Event::new("login.failed")
                    .target(&target.username)
                    .scope(&target.org_path)
                    .detail(json!({ "why": why, "locked_until": lock })),
            )?;
            return Ok(Outcome::Refused(e));
        }
        if args.activate.is_some() {
            set_password(tx, target.id, &target.username, &secret, cheap, "account.activate")?;
        } else if target.failed_logins > 0 || target.locked_until.is_some() {
            tx.execute("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?1", params![target.id])?;
        }
        let (token, expires) = auth::open_session(tx, target.id, now)?;
        tx.audit(Event::new("login").target(&target.username).scope(&target.org_path))?;
        let (name, role, unit): (String, String, String) = tx.query_row(
            "SELECT a.name, a.role, o.code FROM account a JOIN org o ON o.id = a.org_id WHERE a.id = ?1",
            params![target.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(Outcome::SignedIn { token, expires, name, role, unit })
    })?;
    match outcome {
        Outcome::Refused(e) => Err(e.into()),
        Outcome::SignedIn { token, expires, name, role, unit } => {
            auth::write_session_file(&ctx.db_path, &token)?;
            let until = calendar::parse_stored(&expires)
                .map(|t| format!("{} {}", calendar::show_cst(t, false), t_cst()))
                .unwrap_or(expires);
            let role_label = crate::account::Role::parse(&role).map_or(role.clone(), |r| r.label().to_string());
            if args.activate.is_some() {
                out.status(&tf("account.activated", &[("username", &username)]));
            }
            out.status(&tf(
                "login.done",
                &[("username", &username), ("name", &name), ("role", &role_label), ("unit", &unit), ("until", &until)],
            ));
            Ok(())
        }
    }
}

fn t_cst() -> &'static str {
    t("cst")
}

pub fn cmd_logout(ctx: &mut Ctx) -> Result<()> {
    let out = ctx.out.clone();
    let path = ctx.db_path.display().to_string();
    let token = auth::read_session_file(&ctx.db_path)?;
    if let Some(token) = token {
        let db = ctx.db()?;
        let hash = auth::hash_secret(&token);
        let who: Option<(String, String, String)> = db
            .conn
            .query_row(
                "SELECT a.username, o.code, o.path FROM session s JOIN account a ON a.id = s.account_id
                 JOIN org o ON o.id = a.org_id WHERE s.token_hash = ?1",
                params![hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        if let Some((username, unit, scope)) = who {
            db.write(&AuditActor { name: username.clone(), unit: Some(unit) }, |tx| {
                tx.execute("DELETE FROM session WHERE token_hash = ?1", params![hash])?;
                tx.audit(Event::new("logout").target(&username).scope(&scope))
            })?;
        }
        auth::remove_session_file(&ctx.db_path)?;
        out.status(&tf("logout.done", &[("path", &path)]));
    } else {
        out.status(&tf("logout.none", &[("path", &path)]));
    }
    Ok(())
}

pub fn cmd_whoami(ctx: &mut Ctx) -> Result<()> {
    let out = ctx.out.clone();
    let actor = ctx.actor()?;
    let expires = calendar::parse_stored(&actor.expires_at).map_or(actor.expires_at.clone(), calendar::rfc3339_cst);
    let via = match actor.via {
        Via::Session => "session",
        Via::Token => "token",
    };
    let via_label = match actor.via {
        Via::Session => t("via.session"),
        Via::Token => t("via.token"),
    };
    out.record(
        &[
            ("username", "col.username"),
            ("name", "col.person"),
            ("role", "col.role"),
            ("unit", "col.unit"),
            ("unit_name", "col.unit_name"),
            ("level", "col.level"),
            ("via", "col.signed_in_via"),
            ("expires_at", "col.expires_at"),
        ],
        &[
            Cell::from(&actor.username),
            Cell::from(&actor.name),
            out.word(actor.role.as_str(), actor.role.label()),
            Cell::from(&actor.org.code),
            Cell::from(&actor.org.name),
            out.word(actor.org.level.as_str(), actor.org.level.label()),
            out.word(via, via_label),
            Cell::from(expires),
        ],
    )
}
