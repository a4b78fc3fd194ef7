//! Accounts and roles (Art. 6–10): real-name accounts, usernames never reused, at most
//! one active reviewer and inspector per unit, one active account per mobile. The operations a
//! person asks for (`account add | disable | enable | reset | passwd`) check scope and permission
//! themselves; the secrets they hand out are [`crate::auth`]'s.

use serde_json::json;

use crate::audit::Event;
use crate::auth::{self, Actor, Via};
use crate::calendar;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::model::Org;
use crate::perm::{self, Action};
use crate::scope;
use crate::store::{accounts, Conn, Db, Tx};

pub use crate::model::Role;
pub use crate::store::accounts::{AccountRow, Person};

/// A mobile number: 11 digits starting with 1.
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

// A real person's details (Art. 10) are stored as `store::accounts::Person`; the rules they obey
// are these.
impl Person {
    /// Check the details; every message names the rule.
    pub fn validate(&self) -> Result<(), Error> {
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

    /// No control characters and no over-long values in the free-form details (docs/SECURITY.md);
    /// a name, when there is one, is not empty (none: the person gives it at activation).
    pub fn check_text(&self) -> Result<(), Error> {
        use crate::text::{check_address, check_name, clean_person_name};
        if let Some(name) = &self.name {
            clean_person_name(name)?;
        }
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
    let max = accounts::max_username(conn, &format!("{prefix}00"), &format!("{prefix}:"), prefix.len() + 2)?;
    let next = max.and_then(|m| m[prefix.len()..].parse::<u32>().ok()).map_or(1, |n| n + 1);
    if next > 99 {
        // Beyond 99 the sequence grows a digit; still unique and never reused.
        let max3 = accounts::max_username(conn, &format!("{prefix}000"), &format!("{prefix}:"), prefix.len() + 3)?;
        let n = max3.and_then(|m| m[prefix.len()..].parse::<u32>().ok()).map_or(100, |n| n + 1);
        return Ok(format!("{prefix}{n:03}"));
    }
    Ok(format!("{prefix}{next:02}"))
}

/// The active account that already holds this mobile, if any.
pub fn active_with_mobile(conn: &Conn, mobile: &str) -> Result<Option<String>> {
    Ok(accounts::active_with_mobile(conn, mobile)?.map(|(_, username)| username))
}

/// The active reviewer or inspector of a unit, if any.
pub fn active_in_role(conn: &Conn, org_id: i64, role: Role) -> Result<Option<String>> {
    accounts::active_in_role(conn, org_id, role)
}

/// What issuing an account gives back: the username and the one-time activation code.
pub struct Issued {
    pub id: i64,
    pub username: String,
    pub code: String,
    pub expires_at: String,
}

/// A role is held at an org of the right kind: staff and support at admin units (Art. 6: each
/// level names its technical support unit), school admins at schools.
pub fn check_role_fits(org: &Org, role: Role) -> Result<(), Error> {
    if role.fits(org.level) {
        return Ok(());
    }
    let place = match role {
        Role::SchoolAdmin => t("account.where.school"),
        _ => t("account.where.unit"),
    };
    Err(error::invalid(tf("account.role_unit", &[("role", &role.label()), ("where", &place)])))
}

/// Check the rules for a new active account at `org`.
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
        "name": p.name.as_deref().map(str::trim), "mobile": p.mobile, "office_phone": p.office_phone,
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
    let id = accounts::insert(
        tx,
        &accounts::NewAccount {
            username: &username,
            org_id: org.id,
            role,
            status,
            person,
            issued_by,
            request_id: pending_request,
            created_at: &now,
        },
    )?;
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
    let expires_at = calendar::stored(tx.now + chrono::Duration::days(auth::ACTIVATION_DAYS));
    accounts::set_activation(tx, account_id, &auth::hash_secret(&auth::normalize_code(&code)), &expires_at)?;
    Ok((code, expires_at))
}

/// Issue an active account with a fresh activation code, audited as `account.add`.
pub fn issue(tx: &mut Tx, org: &Org, role: Role, person: &Person, issued_by: Option<i64>) -> Result<Issued> {
    let (id, username) = create(tx, org, role, person, issued_by, None)?;
    let (code, expires_at) = new_code(tx, id)?;
    Ok(Issued { id, username, code, expires_at })
}

/// `eip account add`: issue an account at `org` (found in the actor's scope) with a role the
/// actor may issue there. A role that cannot be held at that org is bad input, whoever asks.
pub fn add(tx: &mut Tx, actor: &Actor, org: &Org, role: Role, person: &Person) -> Result<Issued> {
    may_add(actor, org, role)?;
    issue(tx, org, role, person, Some(actor.account_id))
}

/// Whether the actor may issue `role` at `org`: [`add`] asks it inside its transaction; a command
/// asks it first, so a refusal never waits for another writer.
pub fn may_add(actor: &Actor, org: &Org, role: Role) -> Result<()> {
    check_role_fits(org, role)?;
    perm::require(actor, Action::issue_for(role), org)
}

/// Activate a pending account (its roster request approved): the rules are checked again, as
/// the world may have changed since it was proposed.
pub fn activate_pending(tx: &mut Tx, account: &AccountRow, org: &Org, issued_by: i64) -> Result<Issued> {
    let role = Role::parse(&account.role).ok_or_else(|| anyhow::anyhow!("unknown role {}", account.role))?;
    check_new_active(tx, org, role, &account.person())?;
    accounts::activate(tx, account.id, issued_by)?;
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

/// End every API token and session of an account (a reset, a password change, a disable).
/// Tokens are marked revoked, never un-revoked, so no later enable brings them back.
pub fn revoke_access(tx: &mut Tx, account_id: i64) -> Result<Revoked> {
    let tokens = accounts::revoke_tokens(tx, account_id, &tx.now_stored())?;
    let sessions = accounts::delete_sessions(tx, account_id)?;
    Ok(Revoked { tokens, sessions })
}

/// Disable an account (the person left or changed post, Art. 10): kept for history, its tokens
/// and sessions ended. Returns false if it was already disabled (nothing recorded).
pub fn disable(tx: &mut Tx, account: &AccountRow, reason: &str) -> Result<bool> {
    if account.status == "disabled" {
        return Ok(false);
    }
    accounts::mark_disabled(tx, account.id, &tx.now_stored(), reason)?;
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
fn enable(tx: &mut Tx, account: &AccountRow, org: &Org) -> Result<bool> {
    match account.status.as_str() {
        "active" => return Ok(false),
        "pending" => {
            return Err(error::refused(tf("account.enable_pending", &[("username", &account.username)])).into())
        }
        _ => {}
    }
    let role = Role::parse(&account.role).ok_or_else(|| anyhow::anyhow!("unknown role {}", account.role))?;
    check_new_active(tx, org, role, &account.person())?;
    accounts::mark_enabled(tx, account.id)?;
    let revoked = revoke_access(tx, account.id)?;
    tx.audit(Event::new("account.enable").target(&account.username).scope(&account.org_path).detail(json!({
        "before": { "status": "disabled" }, "after": { "status": "active" }, "revoked": revoked.json(),
    })))?;
    Ok(true)
}

/// Unlock an account and give it a new activation code; the old password, every token and every
/// session stop working.
fn reset(tx: &mut Tx, account: &AccountRow) -> Result<Issued> {
    if account.status != "active" {
        return Err(error::refused(tf(
            "account.reset_inactive",
            &[("username", &account.username), ("status", &account.status)],
        ))
        .into());
    }
    accounts::clear_password(tx, account.id)?;
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
    accounts::update_person(tx, account.id, after)?;
    tx.audit(
        Event::new("account.update")
            .target(&account.username)
            .scope(&account.org_path)
            .detail(json!({ "before": person_json(&before), "after": person_json(after) })),
    )?;
    Ok(true)
}

/// `eip account list`: the accounts of a subtree (found in the actor's scope), with this role
/// and status when given, in tree order.
pub fn list(conn: &Conn, root: &Org, role: Option<Role>, status: Option<&str>) -> Result<Vec<AccountRow>> {
    accounts::under(conn, root, role, status)
}

// ---------------------------------------------------------------- personnel changes

/// The account `username` in the actor's scope and its org, for an action only its issuer (or
/// support) may take: scope first, then permission.
fn target(conn: &Conn, actor: &Actor, username: &str, action: Action) -> Result<(AccountRow, Org)> {
    let account = scope::account(conn, actor, username)?;
    let org = accounts::org_of(conn, account.id)?;
    perm::require(actor, action, &org)?;
    Ok((account, org))
}

/// The account and its org as they are inside the write transaction, scope and permission asked
/// again there (docs/DECISIONS.md): a school moved to another supervising unit a moment ago has
/// a new issuer.
fn decide_on(tx: &Tx, actor: &Actor, account_id: i64, action: Action) -> Result<(AccountRow, Org)> {
    let account = scope::account_by_id(tx, actor, account_id)?;
    let org = accounts::org_of(tx, account.id)?;
    perm::require(actor, action, &org)?;
    Ok((account, org))
}

/// `eip account disable`: the account `username` (in the actor's scope, theirs to disable) is
/// disabled with the reason. The account as found.
pub fn disable_as(db: &mut Db, actor: &Actor, username: &str, reason: &str) -> Result<AccountRow> {
    let (account, _) = target(&db.conn, actor, username, Action::AccountDisable)?;
    // Decided on the account as it is inside the transaction (docs/DECISIONS.md): of two disables
    // at once, the second finds it disabled and is refused.
    db.write(&actor.audit_actor(), |tx| {
        let (now, _) = decide_on(tx, actor, account.id, Action::AccountDisable)?;
        if !disable(tx, &now, reason)? {
            return Err(error::refused(tf("account.race.already_disabled", &[("username", &now.username)]))
                .hint(tf("account.race.already_disabled.hint", &[("username", &now.username)]))
                .into());
        }
        Ok(())
    })?;
    Ok(account)
}

/// `eip account enable`: the disabled account `username` is enabled again, if the one-person
/// rules allow. The account as found.
pub fn enable_as(db: &mut Db, actor: &Actor, username: &str) -> Result<AccountRow> {
    let (account, _) = target(&db.conn, actor, username, Action::AccountDisable)?;
    db.write(&actor.audit_actor(), |tx| {
        let (now, org) = decide_on(tx, actor, account.id, Action::AccountDisable)?;
        if !enable(tx, &now, &org)? {
            return Err(error::refused(tf("account.race.already_active", &[("username", &now.username)])).into());
        }
        Ok(())
    })?;
    Ok(account)
}

/// `eip account reset`: the account `username` is unlocked and given a new activation code. An
/// earlier code still unused is not voided without `new_code` (two people answering the same
/// call would each think theirs valid). The account as found, and what was issued.
pub fn reset_as(db: &mut Db, actor: &Actor, username: &str, new_code: bool) -> Result<(AccountRow, Issued)> {
    let (account, _) = target(&db.conn, actor, username, Action::AccountReset)?;
    let issued = db.write(&actor.audit_actor(), |tx| {
        let (now, _) = decide_on(tx, actor, account.id, Action::AccountReset)?;
        if !new_code && now.status == "active" {
            if let Some(until) = accounts::unused_code_until(tx, now.id, &tx.now_stored())? {
                let until = calendar::parse_stored(&until).map_or(until.clone(), calendar::rfc3339_cst);
                return Err(Error::new(
                    Kind::Refused,
                    tf("account.reset.unused_code", &[("username", &now.username), ("until", &until)]),
                )
                .hint(tf("account.reset.unused_code.hint", &[("username", &now.username)]))
                .into());
            }
        }
        reset(tx, &now)
    })?;
    Ok((account, issued))
}

/// `eip account passwd`: the actor changes their own password from `current` to `new` (already
/// checked against the policy). Every token and session ends with the old password
/// (docs/SECURITY.md); signed in with a session, the person stays signed in with a fresh one
/// (docs/DECISIONS.md), whose token is returned for the session file. A wrong current password
/// counts toward the lockout, like any failed sign-in, and is refused once that is written.
pub fn change_password(db: &mut Db, actor: &Actor, current: &str, new: &str) -> Result<Option<String>> {
    let cheap = db.test_clock;
    let changed = db.write(&actor.audit_actor(), |tx| {
        // The password and the status as they are inside the transaction (docs/DECISIONS.md): a
        // reset or a disable that committed a moment ago wins, and this change cannot undo it.
        let (hash, status, failed) = accounts::password_state(tx, actor.account_id)?;
        if status != "active" {
            return Err(Error::new(Kind::Denied, tf("auth.inactive", &[("username", &actor.username)])).into());
        }
        if !hash.as_deref().is_some_and(|h| auth::verify_password(current, h)) {
            let lock = auth::count_failure(tx, actor.account_id, failed)?;
            tx.audit(
                Event::new("login.failed")
                    .target(&actor.username)
                    .scope(&actor.org.path)
                    .detail(json!({ "why": "passwd_bad_current", "locked_until": lock })),
            )?;
            return Ok(None);
        }
        let revoked = revoke_access(tx, actor.account_id)?;
        let this_session = actor.via == Via::Session;
        let detail = json!({ "revoked": revoked.json(), "this_session_kept": this_session });
        auth::set_password_noting(tx, actor.account_id, &actor.username, new, cheap, "account.passwd", Some(detail))?;
        let session = if this_session { Some(auth::open_session(tx, actor.account_id, tx.now)?.0) } else { None };
        Ok(Some(session))
    })?;
    changed.ok_or_else(|| Error::new(Kind::Denied, t("passwd.bad_current")).into())
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
        assert!(Role::Support.fits(Level::Province));
        assert!(Role::Support.fits(Level::County));
        assert!(!Role::Support.fits(Level::School));
    }
}
