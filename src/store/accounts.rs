//! Storage of accounts and what they sign in with: the accounts themselves (`account`), the
//! sessions of `eip login` (`session`) and the API tokens for scripts (`api_token`). Secrets are
//! stored only as hashes; what they are hashed with, and every rule about them, is the domain's
//! (`auth`, `account`; docs/SECURITY.md).

use super::orgs::{org_from_row, ORG_COLUMNS};
use super::{in_subtree, is_submitting_unit, is_unit, params, Conn, Row, Tx};
use crate::error::Result;
use crate::model::{Level, Org, Role};

// ---------------------------------------------------------------- the account row

/// A real person's details (Art. 10), as an account holds them. What they must satisfy is
/// checked in [`crate::account`] (`Person::validate`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    /// `None` until the person gives it at activation: the published form has no 姓名 column
    ///.
    #[serde(default)]
    pub name: Option<String>,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
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
    /// `None` until the person gives it at activation.
    pub name: Option<String>,
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

/// `SELECT` of every column [`account_from_row`] reads, ready for a `WHERE` on `a` (the account)
/// and `o` (its org).
macro_rules! account_select {
    () => {
        "SELECT a.id, a.username, o.code, o.name, o.path, a.role, a.status, a.name, a.mobile,
        a.office_phone, a.email, a.department, a.title, a.created_at, a.disabled_at, a.locked_until, i.username,
        a.request_id, o.level
    FROM account a JOIN org o ON o.id = a.org_id LEFT JOIN account i ON i.id = a.issued_by"
    };
}

/// [`account_select!`] as a constant, for the statements of other store modules.
pub const ACCOUNT_SELECT: &str = account_select!();

/// An account read from a row of [`ACCOUNT_SELECT`].
pub fn account_from_row(r: &Row) -> Result<AccountRow> {
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

// ---------------------------------------------------------------- reading accounts

/// The account with this id (accounts are never deleted).
pub fn by_id(conn: &Conn, id: i64) -> Result<AccountRow> {
    conn.one(concat!(account_select!(), " WHERE a.id = ?1"), params![id], account_from_row)
}

/// The account with this username, if there is one.
pub fn find(conn: &Conn, username: &str) -> Result<Option<AccountRow>> {
    conn.opt(concat!(account_select!(), " WHERE a.username = ?1"), params![username], account_from_row)
}

/// The account with this username; an error if there is none.
pub fn by_username(conn: &Conn, username: &str) -> Result<AccountRow> {
    conn.one(concat!(account_select!(), " WHERE a.username = ?1"), params![username], account_from_row)
}

/// The id of the account with this username; an error if there is none.
pub fn id_of(conn: &Conn, username: &str) -> Result<i64> {
    conn.one("SELECT id FROM account WHERE username = ?1", params![username], |r| r.get(0))
}

/// The accounts of a subtree, with this role and status when given, in tree order.
pub fn under(conn: &Conn, root: &Org, role: Option<Role>, status: Option<&str>) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree();
    let sql = format!(
        concat!(
            account_select!(),
            " WHERE {} AND (?3 IS NULL OR a.role = ?3) AND (?4 IS NULL OR a.status = ?4) ORDER BY o.path, a.username"
        ),
        in_subtree("o", "?1", "?2")
    );
    conn.all(&sql, params![lo, hi, role.map(Role::as_str), status], account_from_row)
}

/// The unit staff (admins, reviewers, inspectors of provinces, prefectures and counties) of a
/// subtree, in tree order: the people on the personnel form.
pub fn staff_under(conn: &Conn, root: &Org) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree();
    let sql = format!(
        concat!(
            account_select!(),
            " WHERE {} AND {} AND a.role IN ('admin', 'reviewer', 'inspector') ORDER BY o.path, a.username"
        ),
        in_subtree("o", "?1", "?2"),
        is_submitting_unit("o")
    );
    conn.all(&sql, params![lo, hi], account_from_row)
}

/// The accounts of an org that are not disabled (active or pending).
pub fn not_disabled_at(conn: &Conn, org_id: i64) -> Result<Vec<AccountRow>> {
    conn.all(
        concat!(account_select!(), " WHERE a.org_id = ?1 AND a.status <> 'disabled'"),
        params![org_id],
        account_from_row,
    )
}

/// The org an account belongs to.
pub fn org_of(conn: &Conn, account_id: i64) -> Result<Org> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM account a JOIN org o ON o.id = a.org_id LEFT JOIN org p ON p.id = o.parent_id
         WHERE a.id = ?1"
    );
    conn.one(&sql, params![account_id], org_from_row)
}

/// The path of the org an account belongs to (the scope of its audit events).
pub fn org_path(conn: &Conn, account_id: i64) -> Result<String> {
    conn.one("SELECT o.path FROM account a JOIN org o ON o.id = a.org_id WHERE a.id = ?1", params![account_id], |r| {
        r.get(0)
    })
}

/// The highest username in `[lo, hi)` of exactly `len` characters (generated usernames of one
/// prefix), if any.
pub fn max_username(conn: &Conn, lo: &str, hi: &str, len: usize) -> Result<Option<String>> {
    conn.one(
        "SELECT max(username) FROM account WHERE username >= ?1 AND username < ?2 AND length(username) = ?3",
        params![lo, hi, len],
        |r| r.get(0),
    )
}

/// The active account that holds this mobile, if any: its id and username.
pub fn active_with_mobile(conn: &Conn, mobile: &str) -> Result<Option<(i64, String)>> {
    conn.opt("SELECT id, username FROM account WHERE mobile = ?1 AND status = 'active'", params![mobile], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// The username of the active account holding a role at an org, if any.
pub fn active_in_role(conn: &Conn, org_id: i64, role: Role) -> Result<Option<String>> {
    conn.opt(
        "SELECT username FROM account WHERE org_id = ?1 AND role = ?2 AND status = 'active'",
        params![org_id, role.as_str()],
        |r| r.get(0),
    )
}

/// The active accounts holding a role at an org (a school may have several school admins): their
/// usernames and mobiles, by username.
pub fn all_active_in_role(conn: &Conn, org_id: i64, role: Role) -> Result<Vec<(String, String)>> {
    conn.all(
        "SELECT username, mobile FROM account WHERE org_id = ?1 AND role = ?2 AND status = 'active' ORDER BY username",
        params![org_id, role.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

// ---------------------------------------------------------------- staffing (Art. 6, 8)

/// A unit or school that lacks an active account in a role it needs: an admin unit its admin,
/// reviewer and inspector; a school (normal or suspended) its school admin.
#[derive(Debug, Clone)]
pub struct Gap {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    /// The roles it lacks: of admin, reviewer, inspector for a unit (in that order); school admin
    /// for a school.
    pub missing: Vec<Role>,
}

/// Every admin unit of the subtree `lo..hi` (its root included) without an active admin, reviewer
/// or inspector, and every live school there, normal or suspended, without an active school admin,
/// in tree order. One statement: an index probe of `account(org_id, role)` per org and role, so a
/// subtree of half a million schools is one pass.
pub fn staffing_gaps(conn: &Conn, lo: &str, hi: &str) -> Result<Vec<Gap>> {
    let holds = |role: &str| {
        format!("EXISTS (SELECT 1 FROM account a WHERE a.org_id = o.id AND a.role = '{role}' AND a.status = 'active')")
    };
    let has = |role: &str| format!("CASE WHEN {} THEN 1 ELSE 0 END", holds(role));
    // The units (a few thousand) with their three answers, kept where one is no; the schools
    // (half a million) only where the one answer is no, so each is asked once.
    let sql = format!(
        "SELECT path, code, name, level, parent, has_admin, has_reviewer, has_inspector, 1 FROM (
           SELECT o.path, o.code, o.name, o.level, p.code AS parent,
                  {} AS has_admin, {} AS has_reviewer, {} AS has_inspector
           FROM org o LEFT JOIN org p ON p.id = o.parent_id
           WHERE {} AND {}
         ) u
         WHERE has_admin = 0 OR has_reviewer = 0 OR has_inspector = 0
         UNION ALL
         SELECT o.path, o.code, o.name, o.level, p.code, 1, 1, 1, 0
         FROM org o JOIN school s ON s.org_id = o.id JOIN org p ON p.id = o.parent_id
         WHERE {} AND o.level = 'school' AND o.deleted_at IS NULL AND s.status IN ('normal', 'suspended')
           AND NOT {}
         ORDER BY path",
        has("admin"),
        has("reviewer"),
        has("inspector"),
        in_subtree("o", "?1", "?2"),
        is_unit("o"),
        in_subtree("o", "?1", "?2"),
        holds("school_admin"),
    );
    conn.all(&sql, params![lo, hi], |r| {
        let level: String = r.get(3)?;
        let roles = [Role::Admin, Role::Reviewer, Role::Inspector, Role::SchoolAdmin];
        let mut missing = Vec::new();
        for (i, role) in roles.into_iter().enumerate() {
            if r.get::<i64>(5 + i)? == 0 {
                missing.push(role);
            }
        }
        Ok(Gap {
            code: r.get(1)?,
            name: r.get(2)?,
            level: Level::parse(&level).unwrap_or(Level::School),
            parent: r.get(4)?,
            missing,
        })
    })
}

/// When the account's activation code, still unused at `now`, expires.
pub fn unused_code_until(conn: &Conn, account_id: i64, now: &str) -> Result<Option<String>> {
    conn.opt(
        "SELECT activation_expires_at FROM account
         WHERE id = ?1 AND activation_hash IS NOT NULL AND activation_expires_at > ?2",
        params![account_id, now],
        |r| r.get(0),
    )
}

// ---------------------------------------------------------------- writing accounts

/// A new account row.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub org_id: i64,
    pub role: Role,
    /// `active` or `pending`.
    pub status: &'a str,
    pub person: &'a Person,
    pub issued_by: Option<i64>,
    /// The roster request a pending account was proposed in.
    pub request_id: Option<i64>,
    pub created_at: &'a str,
}

/// Add an account; its new id.
pub fn insert(tx: &Tx, a: &NewAccount) -> Result<i64> {
    let p = a.person;
    tx.insert(
        "INSERT INTO account(username, org_id, role, status, name, mobile, office_phone, email, department, title,
                             issued_by, request_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            a.username,
            a.org_id,
            a.role.as_str(),
            a.status,
            p.name.as_deref().map(str::trim),
            p.mobile,
            p.office_phone,
            p.email,
            p.department,
            p.title,
            a.issued_by,
            a.request_id,
            a.created_at
        ],
    )
}

/// Give an account a new activation code (its hash) valid until `expires_at`.
pub fn set_activation(tx: &Tx, account_id: i64, code_hash: &str, expires_at: &str) -> Result<()> {
    tx.exec(
        "UPDATE account SET activation_hash = ?1, activation_expires_at = ?2 WHERE id = ?3",
        params![code_hash, expires_at, account_id],
    )?;
    Ok(())
}

/// A pending account becomes active, issued by `issued_by`.
pub fn activate(tx: &Tx, account_id: i64, issued_by: i64) -> Result<()> {
    tx.exec("UPDATE account SET status = 'active', issued_by = ?1 WHERE id = ?2", params![issued_by, account_id])?;
    Ok(())
}

/// Disable an account, with when and why; its activation code stops working.
pub fn mark_disabled(tx: &Tx, account_id: i64, now: &str, reason: &str) -> Result<()> {
    tx.exec(
        "UPDATE account SET status = 'disabled', disabled_at = ?1, disabled_reason = ?2,
                activation_hash = NULL, activation_expires_at = NULL WHERE id = ?3",
        params![now, reason, account_id],
    )?;
    Ok(())
}

/// Enable a disabled account again.
pub fn mark_enabled(tx: &Tx, account_id: i64) -> Result<()> {
    tx.exec(
        "UPDATE account SET status = 'active', disabled_at = NULL, disabled_reason = NULL WHERE id = ?1",
        params![account_id],
    )?;
    Ok(())
}

/// Forget an account's password and unlock it (a reset).
pub fn clear_password(tx: &Tx, account_id: i64) -> Result<()> {
    tx.exec(
        "UPDATE account SET password_hash = NULL, failed_logins = 0, locked_until = NULL WHERE id = ?1",
        params![account_id],
    )?;
    Ok(())
}

/// Set an account's password (its hash): the activation code is spent, the account activated (if
/// it was not yet) at `now`, and unlocked.
pub fn set_password(tx: &Tx, account_id: i64, password_hash: &str, now: &str) -> Result<()> {
    tx.exec(
        "UPDATE account SET password_hash = ?1, activation_hash = NULL, activation_expires_at = NULL,
                activated_at = COALESCE(activated_at, ?2), failed_logins = 0, locked_until = NULL
         WHERE id = ?3",
        params![password_hash, now, account_id],
    )?;
    Ok(())
}

/// Record the real name a person gave at activation (before [`set_password`] marks the account
/// activated: the schema refuses an activated account without a name).
pub fn set_name(tx: &Tx, account_id: i64, name: &str) -> Result<()> {
    tx.exec("UPDATE account SET name = ?1 WHERE id = ?2", params![name, account_id])?;
    Ok(())
}

/// Store a person's new contact details.
pub fn update_person(tx: &Tx, account_id: i64, p: &Person) -> Result<()> {
    tx.exec(
        "UPDATE account SET name = ?1, mobile = ?2, office_phone = ?3, email = ?4, department = ?5, title = ?6
         WHERE id = ?7",
        params![p.name.as_deref().map(str::trim), p.mobile, p.office_phone, p.email, p.department, p.title, account_id],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- signing in

/// The account a person is signing in to, with what the sign-in rules need.
pub struct LoginTarget {
    pub id: i64,
    pub username: String,
    /// `None` until the person gives it at activation.
    pub name: Option<String>,
    pub role: String,
    pub org_code: String,
    pub org_path: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub activation_hash: Option<String>,
    pub activation_expires_at: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

/// The account `username` signs in to, if there is one.
pub fn login_target(conn: &Conn, username: &str) -> Result<Option<LoginTarget>> {
    conn.opt(
        "SELECT a.id, a.username, a.name, a.role, o.code, o.path, a.status, a.password_hash, a.activation_hash,
                a.activation_expires_at, a.failed_logins, a.locked_until
         FROM account a JOIN org o ON o.id = a.org_id WHERE a.username = ?1",
        params![username],
        |r| {
            Ok(LoginTarget {
                id: r.get(0)?,
                username: r.get(1)?,
                name: r.get(2)?,
                role: r.get(3)?,
                org_code: r.get(4)?,
                org_path: r.get(5)?,
                status: r.get(6)?,
                password_hash: r.get(7)?,
                activation_hash: r.get(8)?,
                activation_expires_at: r.get(9)?,
                failed_logins: r.get(10)?,
                locked_until: r.get(11)?,
            })
        },
    )
}

/// Who holds an account, as the signed-in actor is made of it.
pub struct Holder {
    pub username: String,
    /// Never `None` for an account that signed in (the schema: activated ⇒ named).
    pub name: Option<String>,
    pub role: String,
    pub status: String,
    pub org_id: i64,
}

pub fn holder(conn: &Conn, account_id: i64) -> Result<Holder> {
    conn.one("SELECT username, name, role, status, org_id FROM account WHERE id = ?1", params![account_id], |r| {
        Ok(Holder { username: r.get(0)?, name: r.get(1)?, role: r.get(2)?, status: r.get(3)?, org_id: r.get(4)? })
    })
}

/// An account's password hash, status and failed sign-ins, as a password change decides on them.
pub fn password_state(conn: &Conn, account_id: i64) -> Result<(Option<String>, String, i64)> {
    conn.one("SELECT password_hash, status, failed_logins FROM account WHERE id = ?1", params![account_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// Record a failed sign-in: the new count, and the lock when it brings one (an earlier lock is
/// kept otherwise). The one place the count is written, for `login` and `account passwd` alike.
pub fn record_failure(tx: &Tx, account_id: i64, failed_logins: i64, lock: Option<&str>) -> Result<()> {
    tx.exec(
        "UPDATE account SET failed_logins = ?1, locked_until = COALESCE(?2, locked_until) WHERE id = ?3",
        params![failed_logins, lock, account_id],
    )?;
    Ok(())
}

/// Forget an account's failed sign-ins and lock (a sign-in succeeded).
pub fn clear_failures(tx: &Tx, account_id: i64) -> Result<()> {
    tx.exec("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?1", params![account_id])?;
    Ok(())
}

// ---------------------------------------------------------------- sessions

/// The session with this token hash, if any: its account and expiry.
pub fn session_by_hash(conn: &Conn, token_hash: &str) -> Result<Option<(i64, String)>> {
    conn.opt("SELECT account_id, expires_at FROM session WHERE token_hash = ?1", params![token_hash], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Whose session this token hash is: the username, its org's code and path.
pub fn session_holder(conn: &Conn, token_hash: &str) -> Result<Option<(String, String, String)>> {
    conn.opt(
        "SELECT a.username, o.code, o.path FROM session s JOIN account a ON a.id = s.account_id
         JOIN org o ON o.id = a.org_id WHERE s.token_hash = ?1",
        params![token_hash],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Add a session.
pub fn insert_session(tx: &Tx, token_hash: &str, account_id: i64, now: &str, expires_at: &str) -> Result<()> {
    tx.exec(
        "INSERT INTO session(token_hash, account_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, account_id, now, expires_at],
    )?;
    Ok(())
}

/// Remove an account's sessions that expired by `now`.
pub fn delete_expired_sessions(tx: &Tx, account_id: i64, now: &str) -> Result<()> {
    tx.exec("DELETE FROM session WHERE account_id = ?1 AND expires_at <= ?2", params![account_id, now])?;
    Ok(())
}

/// End one session (`logout`).
pub fn delete_session(tx: &Tx, token_hash: &str) -> Result<()> {
    tx.exec("DELETE FROM session WHERE token_hash = ?1", params![token_hash])?;
    Ok(())
}

/// End every session of an account; how many there were.
pub fn delete_sessions(tx: &Tx, account_id: i64) -> Result<usize> {
    tx.exec("DELETE FROM session WHERE account_id = ?1", params![account_id])
}

// ---------------------------------------------------------------- API tokens

/// An API token as listed (never its hash).
pub struct Token {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// The token with this hash, if any: its account, expiry and revocation.
pub fn token_by_hash(conn: &Conn, token_hash: &str) -> Result<Option<(i64, String, Option<String>)>> {
    conn.opt(
        "SELECT account_id, expires_at, revoked_at FROM api_token WHERE token_hash = ?1",
        params![token_hash],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The id of the account's unrevoked token with this name, if any.
pub fn live_token_named(conn: &Conn, account_id: i64, name: &str) -> Result<Option<i64>> {
    conn.opt(
        "SELECT id FROM api_token WHERE account_id = ?1 AND name = ?2 AND revoked_at IS NULL",
        params![account_id, name],
        |r| r.get(0),
    )
}

/// Add a token (its hash); its new id.
pub fn insert_token(
    tx: &Tx,
    account_id: i64,
    name: &str,
    token_hash: &str,
    now: &str,
    expires_at: &str,
) -> Result<i64> {
    tx.insert(
        "INSERT INTO api_token(account_id, name, token_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![account_id, name, token_hash, now, expires_at],
    )
}

/// Every token of an account, oldest first.
pub fn tokens_of(conn: &Conn, account_id: i64) -> Result<Vec<Token>> {
    conn.all(
        "SELECT id, name, created_at, expires_at, revoked_at FROM api_token WHERE account_id = ?1 ORDER BY id",
        params![account_id],
        |r| {
            Ok(Token {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
                expires_at: r.get(3)?,
                revoked_at: r.get(4)?,
            })
        },
    )
}

/// The account's token `id`, if it has one: its name and revocation.
pub fn token_of(conn: &Conn, id: i64, account_id: i64) -> Result<Option<(String, Option<String>)>> {
    conn.opt("SELECT name, revoked_at FROM api_token WHERE id = ?1 AND account_id = ?2", params![id, account_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Revoke one token at `now`.
pub fn revoke_token(tx: &Tx, id: i64, now: &str) -> Result<()> {
    tx.exec("UPDATE api_token SET revoked_at = ?1 WHERE id = ?2", params![now, id])?;
    Ok(())
}

/// Revoke every unrevoked token of an account at `now`; how many there were.
pub fn revoke_tokens(tx: &Tx, account_id: i64, now: &str) -> Result<usize> {
    tx.exec(
        "UPDATE api_token SET revoked_at = ?1 WHERE account_id = ?2 AND revoked_at IS NULL",
        params![now, account_id],
    )
}

/// The accounts of a subtree whose holder has this name, in tree order.
pub fn named_under(conn: &Conn, root: &Org, name: &str) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree();
    let sql = format!(
        concat!(account_select!(), " WHERE {} AND a.name = ?3 ORDER BY o.path, a.username"),
        in_subtree("o", "?1", "?2")
    );
    conn.all(&sql, params![lo, hi, name], account_from_row)
}

/// The staff roles (`admin`, `reviewer`, `inspector`) an org has an active account for.
pub fn active_staff_roles(conn: &Conn, org_id: i64) -> Result<Vec<String>> {
    conn.all(
        "SELECT DISTINCT role FROM account WHERE org_id = ?1 AND status = 'active'
           AND role IN ('admin', 'reviewer', 'inspector') ORDER BY role",
        params![org_id],
        |r| r.get(0),
    )
}

/// How many of these schools have an active school admin.
pub fn with_active_school_admin(conn: &Conn, schools: &[i64]) -> Result<i64> {
    let mut n = 0;
    for chunk in schools.chunks(500) {
        let list = vec!["?"; chunk.len()].iter().enumerate().map(|(i, _)| format!("?{}", i + 1)).collect::<Vec<_>>();
        let sql = format!(
            "SELECT count(DISTINCT org_id) FROM account WHERE role = 'school_admin' AND status = 'active'
               AND org_id IN ({})",
            list.join(", ")
        );
        let args: Vec<&dyn super::Param> = chunk.iter().map(|id| id as &dyn super::Param).collect();
        n += conn.one(&sql, &args, |r| r.get::<i64>(0))?;
    }
    Ok(n)
}
