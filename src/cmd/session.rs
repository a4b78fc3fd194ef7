//! `eip login`, `logout`, `whoami`: a session begun, ended and shown. The rules of
//! signing in (passwords and activation codes, the lockout) are [`crate::auth`]'s.

use std::io::{BufRead, IsTerminal};

use clap::Args;

use crate::auth::{self, Via};
use crate::calendar;
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::model::Role;
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
    /// With --activate, for an account issued without a name (the personnel form as published
    /// has no 姓名): your real name. Asked for on a terminal; required without one
    #[arg(long, value_name = "NAME", requires = "activate")]
    pub name: Option<String>,
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

/// The person's real name, asked for on a terminal; `None` without one (the login then says
/// that --name is needed).
fn ask_name() -> Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let name = dialoguer::Input::<String>::new()
        .with_prompt(t("prompt.real_name"))
        .validate_with(|s: &String| crate::text::clean_person_name(s).map(|_| ()).map_err(|e| e.message))
        .interact_text()?;
    Ok(Some(name))
}

pub fn cmd_login(ctx: &mut Ctx, args: LoginArgs) -> Result<()> {
    let out = ctx.out.clone();
    let username = args.username.trim().to_string();
    // An account issued without a name asks for it first, once its code is
    // known to be good.
    let name = match (&args.activate, args.name) {
        (Some(code), None) => {
            let db = ctx.db()?;
            if auth::activation_needs_name(&db.conn, &username, code, db.now)? {
                ask_name()?
            } else {
                None
            }
        }
        (_, given) => given,
    };
    let secret = if args.activate.is_some() {
        read_new_password(args.password_stdin)?
    } else {
        read_password(args.password_stdin)?
    };
    let signed_in = auth::login(ctx.db()?, &username, &secret, args.activate.as_deref(), name.as_deref())?;
    auth::write_session_file(&ctx.db_path, &signed_in.token)?;
    let auth::SignedIn { expires, name, role, unit, .. } = signed_in;
    let until = calendar::parse_stored(&expires)
        .map(|t| format!("{} {}", calendar::show_cst(t, false), t_cst()))
        .unwrap_or(expires);
    let role_label = Role::parse(&role).map_or(role.clone(), |r| r.label().to_string());
    if args.activate.is_some() {
        out.status(&tf("account.activated", &[("username", &username)]));
    }
    out.status(&tf(
        "login.done",
        &[("username", &username), ("name", &name), ("role", &role_label), ("unit", &unit), ("until", &until)],
    ));
    Ok(())
}

fn t_cst() -> &'static str {
    t("cst")
}

pub fn cmd_logout(ctx: &mut Ctx) -> Result<()> {
    let out = ctx.out.clone();
    let path = ctx.db_path.display().to_string();
    let token = auth::read_session_file(&ctx.db_path)?;
    if let Some(token) = token {
        auth::logout(ctx.db()?, &token)?;
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
    // Machines read RFC 3339; a person reads the time in CST as every table shows it.
    let expires = calendar::parse_stored(&actor.expires_at).map_or(actor.expires_at.clone(), |t| {
        if out.is_machine() {
            calendar::rfc3339_cst(t)
        } else {
            format!("{} {}", calendar::show_cst(t, false), crate::i18n::t("cst"))
        }
    });
    let via = match actor.via {
        Via::Session => "session",
        Via::Token => "token",
    };
    let via_label = match actor.via {
        Via::Session => t("via.session"),
        Via::Token => t("via.token"),
    };
    let db = ctx.db()?;
    let next = crate::status::next_deadline(&db.conn, &actor, db.now)?;
    let deadline = next.map(|(_, d)| {
        if out.is_machine() {
            calendar::rfc3339_cst(d)
        } else {
            format!("{} {}", calendar::show_cst(d, true), t("cst"))
        }
    });
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
            ("deadline_period", "col.deadline_period"),
            ("next_deadline", "col.next_deadline"),
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
            Cell::from(next.map(|(p, _)| p.to_string())),
            Cell::from(deadline),
        ],
    )
}
