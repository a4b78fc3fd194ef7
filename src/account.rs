//! Accounts and roles (SPEC §2, Art. 6–10): real-name accounts, usernames never reused, at most
//! one active reviewer and inspector per unit, one active account per mobile.

use crate::store::Conn;
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::audit::Event;
use crate::auth;
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::Org;
use crate::i18n::{t, tf};

pub use crate::model::Role;

/// A mobile number: 11 digits starting with 1 (SPEC §2).
pub fn is_mobile(s: &str) -> bool {
    s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible email address: something@domain.tld, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// A real person's details (Art. 10).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub name: String,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
}

impl Person {
    /// Check the details; every message names the rule.
    pub fn validate(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(error::invalid(t("account.empty_name")));
        }
        self.check_text()?;
        if !is_mobile(&self.mobile) {
            return Err(error::invalid(tf("account.bad_mobile", &[("value", &self.mobile)])));
        }
        if let Some(e) = &self.email {
            if !is_email(e) {
                return Err(error::invalid(tf("account.bad_email", &[("value", e)])));
            }
        }
        Ok(())
    }
}

impl Person {
    /// No control characters and no over-long values in the free-form details (docs/SECURITY.md).
    pub fn check_text(&self) -> Result<(), Error> {
        use crate::text::{check_address, check_name};
        check_name(&self.name, t("field.person_name"))?;
        for (value, what) in [
            (&self.department, "field.department"),
            (&self.title, "field.title"),
            (&self.office_phone, "field.office_phone"),
        ] {
            if let Some(v) = value {
                check_name(v, t(what))?;
            }
        }
        if let Some(e) = &self.email {
            check_address(e, t("field.email"))?;
        }
        Ok(())
    }
}

/// The next unused username for a role at an org: `<code>-<letter><2-digit seq>`. Accounts are
/// never deleted, so the highest one ever issued is still there.
pub fn next_username(conn: &Conn, code: &str, role: Role) -> Result<String> {
    let prefix = format!("{code}-{}", role.letter());
    let max: Option<String> = conn
        .prepare_cached(
            "SELECT max(username) FROM account WHERE username >= ?1 AND username < ?2 AND length(username) = ?3",
        )?
        .query_row(params![format!("{prefix}00"), format!("{prefix}:"), prefix.len() as i64 + 2], |r| r.get(0))?;
    let next = max.and_then(|m| m[prefix.len()..].parse::<u32>().ok()).map_or(1, |n| n + 1);
    if next > 99 {
        // Beyond 99 the sequence grows a digit; still unique and never reused.
        let max3: Option<String> = conn
            .prepare_cached(
                "SELECT max(username) FROM account WHERE username >= ?1 AND username < ?2 AND length(username) = ?3",
            )?
            .query_row(params![format!("{prefix}000"), format!("{prefix}:"), prefix.len() as i64 + 3], |r| r.get(0))?;
        let n = max3.and_then(|m| m[prefix.len()..].parse::<u32>().ok()).map_or(100, |n| n + 1);
        return Ok(format!("{prefix}{n:03}"));
    }
    Ok(format!("{prefix}{next:02}"))
}

/// The active account that already holds this mobile, if any.
pub fn active_with_mobile(conn: &Conn, mobile: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT username FROM account WHERE mobile = ?1 AND status = 'active'")?
        .query_row(params![mobile], |r| r.get(0))
        .optional()?)
}

/// The active reviewer or inspector of a unit, if any.
pub fn active_in_role(conn: &Conn, org_id: i64, role: Role) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT username FROM account WHERE org_id = ?1 AND role = ?2 AND status = 'active'")?
        .query_row(params![org_id, role.as_str()], |r| r.get(0))
        .optional()?)
}

/// What issuing an account gives back: the username and the one-time activation code.
pub struct Issued {
    pub id: i64,
    pub username: String,
    pub code: String,
    pub expires_at: String,
}

/// Check the rules for a new active account at `org`.
/// A role is held at an org of the right kind: staff at admin units, school admins at schools,
/// support at the Ministry.
pub fn check_role_fits(org: &Org, role: Role) -> Result<(), Error> {
    if role.fits(org.level) {
        return Ok(());
    }
    let place = match role {
        Role::SchoolAdmin => t("account.where.school"),
        Role::Support => t("account.where.ministry"),
        _ => t("account.where.unit"),
    };
    Err(error::invalid(tf("account.role_unit", &[("role", &role.label()), ("where", &place)])))
}

pub fn check_new_active(conn: &Conn, org: &Org, role: Role, person: &Person) -> Result<()> {
    person.validate()?;
    check_role_fits(org, role)?;
    if let Some(u) = active_with_mobile(conn, &person.mobile)? {
        return Err(Error::new(
            Kind::Refused,
            tf("account.mobile_taken", &[("mobile", &person.mobile), ("username", &u)]),
        )
        .hint(tf("account.mobile_taken.hint", &[("username", &u)]))
        .into());
    }
    if matches!(role, Role::Reviewer | Role::Inspector) {
        if let Some(u) = active_in_role(conn, org.id, role)? {
            return Err(Error::new(
                Kind::Refused,
                tf("account.role_taken", &[("unit", &org.code), ("role", &role.label()), ("username", &u)]),
            )
            .hint(tf("account.role_taken.hint", &[("username", &u)]))
            .into());
        }
    }
    Ok(())
}

/// The JSON of a person's details, as audited (never a password, hash or code).
pub fn person_json(p: &Person) -> serde_json::Value {
    json!({
        "name": p.name.trim(), "mobile": p.mobile, "office_phone": p.office_phone,
        "email": p.email, "department": p.department, "title": p.title,
    })
}

/// Create an account row: `active` (issued directly) or `pending` (proposed in a roster request,
/// cannot sign in). Audited as `account.add`. The username is always generated.
pub fn create(
    tx: &mut Tx,
    org: &Org,
    role: Role,
    person: &Person,
    issued_by: Option<i64>,
    pending_request: Option<i64>,
) -> Result<(i64, String)> {
    if pending_request.is_none() {
        check_new_active(tx, org, role, person)?;
    } else {
        person.validate()?;
    }
    let username = next_username(tx, &org.code, role)?;
    let status = if pending_request.is_some() { "pending" } else { "active" };
    let now = tx.now_stored();
    tx.prepare_cached(
        "INSERT INTO account(username, org_id, role, status, name, mobile, office_phone, email, department, title,
                             issued_by, request_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        username,
        org.id,
        role.as_str(),
        status,
        person.name.trim(),
        person.mobile,
        person.office_phone,
        person.email,
        person.department,
        person.title,
        issued_by,
        pending_request,
        now
    ])?;
    let id = tx.last_insert_rowid();
    let mut after = person_json(person);
    after["username"] = json!(username);
    after["org"] = json!(org.code);
    after["role"] = json!(role.as_str());
    after["status"] = json!(status);
    tx.audit(Event::new("account.add").target(&username).scope(&org.path).detail(json!({ "after": after })))?;
    Ok((id, username))
}

/// A fresh one-time activation code for an account (stored only as its hash, valid 14 days).
pub fn new_code(tx: &mut Tx, account_id: i64) -> Result<(String, String)> {
    let code = auth::new_activation_code();
    let expires_at = crate::calendar::stored(tx.now + chrono::Duration::days(auth::ACTIVATION_DAYS));
    tx.prepare_cached("UPDATE account SET activation_hash = ?1, activation_expires_at = ?2 WHERE id = ?3")?
        .execute(params![auth::hash_secret(&auth::normalize_code(&code)), expires_at, account_id])?;
    Ok((code, expires_at))
}

/// Issue an active account with a fresh activation code (SPEC §2), audited as `account.add`.
pub fn issue(tx: &mut Tx, org: &Org, role: Role, person: &Person, issued_by: Option<i64>) -> Result<Issued> {
    let (id, username) = create(tx, org, role, person, issued_by, None)?;
    let (code, expires_at) = new_code(tx, id)?;
    Ok(Issued { id, username, code, expires_at })
}

/// Activate a pending account (its roster request approved): the rules are checked again, as
/// the world may have changed since it was proposed.
pub fn activate_pending(tx: &mut Tx, account: &AccountRow, org: &Org, issued_by: i64) -> Result<Issued> {
    let role = Role::parse(&account.role).ok_or_else(|| anyhow::anyhow!("unknown role {}", account.role))?;
    check_new_active(tx, org, role, &account.person())?;
    tx.prepare_cached("UPDATE account SET status = 'active', issued_by = ?1 WHERE id = ?2")?
        .execute(params![issued_by, account.id])?;
    tx.audit(
        Event::new("account.approve")
            .target(&account.username)
            .scope(&account.org_path)
            .detail(json!({ "before": { "status": "pending" }, "after": { "status": "active" } })),
    )?;
    let (code, expires_at) = new_code(tx, account.id)?;
    Ok(Issued { id: account.id, username: account.username.clone(), code, expires_at })
}

/// How many tokens and sessions a change of the person's account ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revoked {
    pub tokens: usize,
    pub sessions: usize,
}

impl Revoked {
    pub fn json(self) -> serde_json::Value {
        json!({ "tokens": self.tokens, "sessions": self.sessions })
    }
}

/// End every API token and session of an account (a reset, a password change, a disable: SPEC
/// §2). Tokens are marked revoked, never un-revoked, so no later enable brings them back.
pub fn revoke_access(tx: &mut Tx, account_id: i64) -> Result<Revoked> {
    let now = tx.now_stored();
    let tokens = tx
        .prepare_cached("UPDATE api_token SET revoked_at = ?1 WHERE account_id = ?2 AND revoked_at IS NULL")?
        .execute(params![now, account_id])?;
    let sessions = tx.prepare_cached("DELETE FROM session WHERE account_id = ?1")?.execute(params![account_id])?;
    Ok(Revoked { tokens, sessions })
}

/// The account as it is now, read inside the write transaction that decides on it (docs/DECISIONS.md).
pub fn current(tx: &Tx, account_id: i64) -> Result<AccountRow> {
    Ok(tx
        .prepare_cached(&format!("{ACCOUNT_SELECT} WHERE a.id = ?1"))?
        .query_row(params![account_id], account_from_row)?)
}

/// Disable an account (the person left or changed post, Art. 10): kept for history, its tokens
/// and sessions ended. Returns false if it was already disabled (nothing recorded).
pub fn disable(tx: &mut Tx, account: &AccountRow, reason: &str) -> Result<bool> {
    if account.status == "disabled" {
        return Ok(false);
    }
    let now = tx.now_stored();
    tx.prepare_cached(
        "UPDATE account SET status = 'disabled', disabled_at = ?1, disabled_reason = ?2,
                activation_hash = NULL, activation_expires_at = NULL WHERE id = ?3",
    )?
    .execute(params![now, reason, account.id])?;
    let revoked = revoke_access(tx, account.id)?;
    tx.audit(
        Event::new("account.disable").target(&account.username).scope(&account.org_path).reason(Some(reason)).detail(
            json!({
                "before": { "status": account.status }, "after": { "status": "disabled" }, "revoked": revoked.json(),
            }),
        ),
    )?;
    Ok(true)
}

/// Enable a disabled account again, if the one-person rules allow. Returns false if it was
/// already active. Nothing ended by the disable comes back: any token or session still standing
/// (from a database written before disables revoked them) is revoked here.
pub fn enable(tx: &mut Tx, account: &AccountRow, org: &Org) -> Result<bool> {
    match account.status.as_str() {
        "active" => return Ok(false),
        "pending" => {
            return Err(error::refused(tf("account.enable_pending", &[("username", &account.username)])).into())
        }
        _ => {}
    }
    let role = Role::parse(&account.role).ok_or_else(|| anyhow::anyhow!("unknown role {}", account.role))?;
    check_new_active(tx, org, role, &account.person())?;
    tx.prepare_cached(
        "UPDATE account SET status = 'active', disabled_at = NULL, disabled_reason = NULL WHERE id = ?1",
    )?
    .execute(params![account.id])?;
    let revoked = revoke_access(tx, account.id)?;
    tx.audit(Event::new("account.enable").target(&account.username).scope(&account.org_path).detail(json!({
        "before": { "status": "disabled" }, "after": { "status": "active" }, "revoked": revoked.json(),
    })))?;
    Ok(true)
}

/// When the account's earlier activation code, still unused, expires: a second reset would void
/// it without its holder knowing (two people answering the same call), so it is refused unless
/// asked for (`--new-code`).
pub fn unused_code_until(tx: &Tx, account_id: i64) -> Result<Option<String>> {
    Ok(tx
        .prepare_cached(
            "SELECT activation_expires_at FROM account
             WHERE id = ?1 AND activation_hash IS NOT NULL AND activation_expires_at > ?2",
        )?
        .query_row(params![account_id, tx.now_stored()], |r| r.get(0))
        .optional()?)
}

/// Unlock an account and give it a new activation code; the old password, every token and every
/// session stop working.
pub fn reset(tx: &mut Tx, account: &AccountRow) -> Result<Issued> {
    if account.status != "active" {
        return Err(error::refused(tf(
            "account.reset_inactive",
            &[("username", &account.username), ("status", &account.status)],
        ))
        .into());
    }
    tx.prepare_cached("UPDATE account SET password_hash = NULL, failed_logins = 0, locked_until = NULL WHERE id = ?1")?
        .execute(params![account.id])?;
    let revoked = revoke_access(tx, account.id)?;
    let (code, expires_at) = new_code(tx, account.id)?;
    tx.audit(
        Event::new("account.reset")
            .target(&account.username)
            .scope(&account.org_path)
            .detail(json!({ "after": { "unlocked": true, "new_activation_code": true }, "revoked": revoked.json() })),
    )?;
    Ok(Issued { id: account.id, username: account.username.clone(), code, expires_at })
}

/// Change a person's contact details; a new mobile must not belong to another active account.
pub fn update_person(tx: &mut Tx, account: &AccountRow, after: &Person) -> Result<bool> {
    let before = account.person();
    if before == *after {
        return Ok(false);
    }
    after.validate()?;
    if after.mobile != before.mobile && account.status == "active" {
        if let Some(u) = active_with_mobile(tx, &after.mobile)? {
            return Err(Error::new(
                Kind::Refused,
                tf("account.mobile_taken", &[("mobile", &after.mobile), ("username", &u)]),
            )
            .into());
        }
    }
    tx.prepare_cached(
        "UPDATE account SET name = ?1, mobile = ?2, office_phone = ?3, email = ?4, department = ?5, title = ?6
         WHERE id = ?7",
    )?
    .execute(params![
        after.name.trim(),
        after.mobile,
        after.office_phone,
        after.email,
        after.department,
        after.title,
        account.id
    ])?;
    tx.audit(
        Event::new("account.update")
            .target(&account.username)
            .scope(&account.org_path)
            .detail(json!({ "before": person_json(&before), "after": person_json(after) })),
    )?;
    Ok(true)
}

/// An account row as listed and shown.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub role: String,
    pub status: String,
    pub name: String,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub created_at: String,
    pub disabled_at: Option<String>,
    pub locked_until: Option<String>,
    pub issued_by: Option<String>,
    pub request_id: Option<i64>,
    pub org_level: String,
}

pub const ACCOUNT_SELECT: &str = "SELECT a.id, a.username, o.code, o.name, o.path, a.role, a.status, a.name, a.mobile,
        a.office_phone, a.email, a.department, a.title, a.created_at, a.disabled_at, a.locked_until, i.username,
        a.request_id, o.level
    FROM account a JOIN org o ON o.id = a.org_id LEFT JOIN account i ON i.id = a.issued_by";

impl AccountRow {
    pub fn person(&self) -> Person {
        Person {
            name: self.name.clone(),
            mobile: self.mobile.clone(),
            office_phone: self.office_phone.clone(),
            email: self.email.clone(),
            department: self.department.clone(),
            title: self.title.clone(),
        }
    }
}

pub fn account_from_row(r: &rusqlite::Row) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        username: r.get(1)?,
        org_code: r.get(2)?,
        org_name: r.get(3)?,
        org_path: r.get(4)?,
        role: r.get(5)?,
        status: r.get(6)?,
        name: r.get(7)?,
        mobile: r.get(8)?,
        office_phone: r.get(9)?,
        email: r.get(10)?,
        department: r.get(11)?,
        title: r.get(12)?,
        created_at: r.get(13)?,
        disabled_at: r.get(14)?,
        locked_until: r.get(15)?,
        issued_by: r.get(16)?,
        request_id: r.get(17)?,
        org_level: r.get(18)?,
    })
}

/// The account with this username inside `scope`; outside the scope it is "not found" (SPEC §1).
pub fn in_scope(conn: &Conn, scope: &Org, username: &str) -> Result<AccountRow> {
    let row = conn
        .prepare_cached(&format!("{ACCOUNT_SELECT} WHERE a.username = ?1"))?
        .query_row(params![username], account_from_row)
        .optional()?;
    match row {
        Some(a) if scope.contains_path(&a.org_path) => Ok(a),
        _ => Err(error::not_found(tf("account.none", &[("username", &username)])).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    #[test]
    fn mobiles_are_eleven_digits_from_1() {
        assert!(is_mobile("13912345678"));
        for bad in ["23912345678", "1391234567", "139123456789", "1391234567a", ""] {
            assert!(!is_mobile(bad), "{bad}");
        }
    }

    #[test]
    fn roles_fit_their_orgs() {
        assert!(Role::Reviewer.fits(Level::County));
        assert!(!Role::Reviewer.fits(Level::School));
        assert!(Role::SchoolAdmin.fits(Level::School));
        assert!(!Role::SchoolAdmin.fits(Level::County));
        assert!(Role::Support.fits(Level::Ministry));
        assert!(!Role::Support.fits(Level::Province));
    }
}
