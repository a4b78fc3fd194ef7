//! Scope (Art. 7): an account sees and acts on its own org and everything below it, and
//! nothing else. A code outside the scope is answered as "not found", so nobody learns what lies
//! outside theirs. Every lookup by a code or name that a person typed goes through here
//! (docs/ARCHITECTURE.md, "One guard"); whether the role may act on what was found is
//! [`crate::perm`]'s question.

use crate::error::{self, Result};
use crate::i18n::tf;
use crate::model::{Actor, Org};
use crate::store::accounts::{self, AccountRow};
use crate::store::{orgs, Conn};

/// Whether `path` lies inside the actor's scope (its own org included).
pub fn sees(actor: &Actor, path: &str) -> bool {
    actor.scope().contains_path(path)
}

// ---------------------------------------------------------------- units and orgs

/// The admin unit `code`, which must lie inside the actor's scope (else exit 4, "no unit").
pub fn unit(conn: &Conn, actor: &Actor, code: &str) -> Result<Org> {
    let code = code.trim();
    match orgs::find(conn, code)? {
        Some(o) if o.level.is_unit() && sees(actor, &o.path) => Ok(o),
        _ => Err(error::not_found(tf("unit.none", &[("code", &code)])).into()),
    }
}

/// What `--under CODE` names: that unit inside the actor's scope, or the actor's own scope when
/// it is not given. Every list, export and status that takes `--under` resolves it here.
pub fn under(conn: &Conn, actor: &Actor, code: Option<&str>) -> Result<Org> {
    match code {
        Some(c) => unit(conn, actor, c),
        None => Ok(actor.scope().clone()),
    }
}

/// The live org `code` — a unit or a school — inside the actor's scope (else exit 4, "no org").
pub fn org(conn: &Conn, actor: &Actor, code: &str) -> Result<Org> {
    let code = code.trim();
    match orgs::find(conn, code)? {
        Some(o) if sees(actor, &o.path) => Ok(o),
        _ => Err(error::not_found(tf("org.none", &[("code", &code)])).into()),
    }
}

// ---------------------------------------------------------------- schools

/// The live school `code` inside the actor's scope (else exit 4, "no school").
pub fn school(conn: &Conn, actor: &Actor, code: &str) -> Result<crate::store::schools::School> {
    let code = code.trim();
    match crate::store::schools::live_by_code(conn, code)? {
        Some(s) if sees(actor, &s.org.path) => Ok(s),
        _ => Err(error::not_found(tf("school.none", &[("code", &code)])).into()),
    }
}

/// The most recently deleted school `code` inside the actor's scope (its history stays readable;
/// else exit 4, "no school").
pub fn deleted_school(conn: &Conn, actor: &Actor, code: &str) -> Result<crate::store::schools::School> {
    let code = code.trim();
    match crate::store::schools::last_deleted_by_code(conn, code)? {
        Some(s) if sees(actor, &s.org.path) => Ok(s),
        _ => Err(error::not_found(tf("school.none", &[("code", &code)])).into()),
    }
}

/// The admin unit `code` wherever it is, inside the actor's scope or not (else exit 4, "no
/// unit"): a school transfer's destination may be a neighbouring county, and GB/T 2260 codes are
/// public, so finding it leaks nothing.
pub fn unit_anywhere(conn: &Conn, code: &str) -> Result<Org> {
    let code = code.trim();
    match orgs::find(conn, code)? {
        Some(o) if o.level.is_unit() => Ok(o),
        _ => Err(error::not_found(tf("unit.none", &[("code", &code)])).into()),
    }
}

// ---------------------------------------------------------------- accounts

/// The account `username` inside the actor's scope (else exit 4, "no account").
pub fn account(conn: &Conn, actor: &Actor, username: &str) -> Result<AccountRow> {
    let username = username.trim();
    match accounts::find(conn, username)? {
        Some(a) if sees(actor, &a.org_path) => Ok(a),
        _ => Err(error::not_found(tf("account.none", &[("username", &username)])).into()),
    }
}

/// The account `id` as it is now — read inside the transaction that decides on it — if it is
/// still inside the actor's scope (else exit 4, "no account", by its username).
pub fn account_by_id(conn: &Conn, actor: &Actor, id: i64) -> Result<AccountRow> {
    let a = accounts::by_id(conn, id)?;
    if !sees(actor, &a.org_path) {
        return Err(error::not_found(tf("account.none", &[("username", &a.username)])).into());
    }
    Ok(a)
}

/// The live unit or school `code` an account is issued at, inside the actor's scope (else exit 4:
/// "no school" for a ten-digit code, "no unit" otherwise).
pub fn unit_or_school(conn: &Conn, actor: &Actor, code: &str) -> Result<Org> {
    let code = code.trim();
    match orgs::find(conn, code)? {
        Some(o) if sees(actor, &o.path) => Ok(o),
        _ => {
            let key = if code.len() == 10 { "school.none" } else { "unit.none" };
            Err(error::not_found(tf(key, &[("code", &code)])).into())
        }
    }
}
