//! Sign-in: argon2id passwords with their cost stored in each hash, one-time
//! activation codes, sessions kept in a 0600 file in the user's config dir, API tokens for
//! scripts, and the lockout after five failures.
//!
//! The secrets are made and hashed here, below [`crate::account`], which issues accounts with
//! them; this module knows accounts only as the store keeps them.

use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{hex, AuditActor, Event};
use crate::calendar::{self, stored};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::model::Role;
use crate::store::{accounts, orgs, Conn, Db, Tx};

pub use crate::model::{Actor, Via};
pub use crate::store::accounts::{LoginTarget, Token};

pub const ACTIVATION_DAYS: i64 = 14;
pub const SESSION_HOURS: i64 = 12;
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

// ---------------------------------------------------------------- secrets

/// `n` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source is available");
    buf
}

/// SHA-256 of a secret, hex; how tokens and activation codes are stored.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A one-time activation code: 160 random bits in Crockford base32, grouped for reading aloud.
pub fn new_activation_code() -> String {
    let bytes = random_bytes::<20>();
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut out = String::new();
    for b in bytes {
        bits = (bits << 8) | b as u64;
        nbits += 8;
        while nbits >= 5 {
            nbits -= 5;
            out.push(CROCKFORD[((bits >> nbits) & 31) as usize] as char);
        }
    }
    out.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("-")
}

/// The canonical form of a code as typed: no dashes or spaces, upper case, O→0, I/L→1.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A session or API token: 256 random bits.
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", hex(&random_bytes::<32>()))
}

// ---------------------------------------------------------------- passwords

/// The password policy: at least 10 characters, not all digits.
pub fn check_password_policy(pw: &str) -> Result<(), Error> {
    if pw.chars().count() < 10 {
        return Err(error::invalid(t("password.too_short")));
    }
    if pw.chars().all(|c| c.is_ascii_digit()) {
        return Err(error::invalid(t("password.all_digits")));
    }
    Ok(())
}

/// argon2id; production cost per OWASP (19 MiB, 2 passes). Test-clock databases use a cheap
/// cost so test suites stay fast; the cost is stored in each hash, so both verify alike.
pub fn hash_password(pw: &str, cheap: bool) -> Result<String> {
    let params = if cheap { Params::new(256, 1, 1, None) } else { Params::new(19 * 1024, 2, 1, None) }
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon.hash_password(pw.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("argon2: {e}"))?.to_string())
}

pub fn verify_password(pw: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(pw.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

// ---------------------------------------------------------------- session files

/// Where sessions are kept: `EIP_CONFIG_DIR`, else the platform config dir (`directories`).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("EIP_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("cn", "edu", "eip")
        .map(|p| p.config_dir().to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("cannot find a config directory (no home directory)"))
}

/// The session file for a database: one file per database path.
pub fn session_file(db_path: &Path) -> Result<PathBuf> {
    let canonical = std::fs::canonicalize(db_path).unwrap_or_else(|_| db_path.to_path_buf());
    let key = hash_secret(&canonical.to_string_lossy());
    Ok(config_dir()?.join("sessions").join(&key[..32]))
}

/// Write the session token, readable by the owner only (mode 0600, created that way).
pub fn write_session_file(db_path: &Path, token: &str) -> Result<()> {
    let file = session_file(db_path)?;
    let dir = file.parent().expect("session files live in a directory");
    std::fs::create_dir_all(dir)?;
    let tmp = file.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    // 0600 whatever the umask, never through a link (docs/SECURITY.md); the rename then replaces whatever
    // stood at the session's path, a link or a FIFO included, without following it.
    let mut f = crate::files::create_private(&tmp, crate::files::Existing::Refuse)?;
    writeln!(f, "{token}")?;
    writeln!(f, "{}", std::fs::canonicalize(db_path).unwrap_or_else(|_| db_path.to_path_buf()).display())?;
    f.sync_all()?;
    // A rename replaces a FIFO or a link but not a directory: an empty one is removed, one that
    // holds anything is not eip's to delete and is refused in words.
    if let Ok(meta) = std::fs::symlink_metadata(&file) {
        if meta.is_dir() && std::fs::remove_dir(&file).is_err() {
            let _ = std::fs::remove_file(&tmp);
            let kind = crate::files::kind_word(&meta.file_type());
            return Err(Error::new(
                Kind::Refused,
                tf("file.not_regular", &[("path", &file.display()), ("kind", &kind)]),
            )
            .hint(tf("session.dir.hint", &[("path", &file.display())]))
            .into());
        }
    }
    std::fs::rename(&tmp, &file)?;
    Ok(())
}

/// The longest session file read: a token and a path are far shorter.
const SESSION_FILE_LIMIT: u64 = 64 * 1024;

/// The token in the session file, if there is one; refused if others can read the file, and
/// "unreadable, sign in again" (exit 3) if it is not a small regular text file — a FIFO, a
/// device, a link, a directory or binary bytes never hang the command or show a raw error.
pub fn read_session_file(db_path: &Path) -> Result<Option<String>> {
    use crate::files::{read_regular, Unreadable};
    let file = session_file(db_path)?;
    let unreadable = |why: String| -> anyhow::Error {
        Error::new(Kind::Denied, tf("session.unreadable", &[("path", &file.display()), ("why", &why)]))
            .hint(t("session.unreadable.hint"))
            .into()
    };
    let bytes = match read_regular(&file, SESSION_FILE_LIMIT) {
        Ok(b) => b,
        Err(Unreadable::Missing) => return Ok(None),
        Err(Unreadable::NotRegular(kind)) => return Err(unreadable(kind)),
        Err(Unreadable::TooLong) => return Err(unreadable(t("session.why.long").to_string())),
        Err(Unreadable::Io(e)) => return Err(unreadable(e.to_string())),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(unreadable(t("session.why.binary").to_string()));
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::symlink_metadata(&file)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::new(
                Kind::Denied,
                tf("session.unsafe", &[("path", &file.display()), ("mode", &format!("{mode:o}"))]),
            )
            .hint(tf("session.unsafe.hint", &[("path", &file.display())]))
            .into());
        }
    }
    Ok(text.lines().next().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()))
}

pub fn remove_session_file(db_path: &Path) -> Result<bool> {
    match std::fs::remove_file(session_file(db_path)?) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- resolving the actor

fn actor_from(conn: &Conn, account_id: i64, via: Via, expires_at: String) -> Result<Actor> {
    let accounts::Holder { username, name, role, status, org_id } = accounts::holder(conn, account_id)?;
    if status != "active" {
        return Err(Error::new(Kind::Denied, tf("auth.inactive", &[("username", &username)]))
            .hint(t("auth.none.hint"))
            .into());
    }
    let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role} in the database"))?;
    let org = orgs::by_id(conn, org_id)?;
    Ok(Actor { account_id, username, name: name.unwrap_or_default(), role, org, via, expires_at })
}

/// An account as an actor, by username (the demo acts as each of its people in turn).
pub fn actor_by_username(conn: &Conn, username: &str) -> Result<Actor> {
    let id = accounts::id_of(conn, username)?;
    actor_from(conn, id, Via::Session, String::new())
}

/// The signed-in account: `EIP_TOKEN` if set, else this database's session file.
pub fn current_actor(conn: &Conn, db_path: &Path, now: DateTime<Utc>) -> Result<Actor> {
    let now_s = stored(now);
    if let Some(token) = std::env::var("EIP_TOKEN").ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        return match accounts::token_by_hash(conn, &hash_secret(&token))? {
            Some((id, exp, None)) if exp > now_s => actor_from(conn, id, Via::Token, exp),
            // Whoever holds the token learns only that it was revoked: a reset, a password change
            // or a disable of its account ends it (docs/SECURITY.md), and signing in again is the way on.
            Some((_, _, Some(_))) => {
                Err(Error::new(Kind::Denied, t("auth.token_revoked")).hint(t("auth.sign_in_again.token")).into())
            }
            _ => Err(Error::new(Kind::Denied, t("auth.bad_token")).hint(t("auth.sign_in_again.token")).into()),
        };
    }
    let path_s = db_path.display().to_string();
    let Some(token) = read_session_file(db_path)? else {
        return Err(Error::new(Kind::Denied, tf("auth.none", &[("path", &path_s)])).hint(t("auth.none.hint")).into());
    };
    match accounts::session_by_hash(conn, &hash_secret(&token))? {
        Some((id, exp)) if exp > now_s => actor_from(conn, id, Via::Session, exp),
        Some(_) => {
            Err(Error::new(Kind::Denied, tf("auth.expired", &[("path", &path_s)])).hint(t("auth.none.hint")).into())
        }
        // The file names a session that is gone: signed out elsewhere, or ended by a reset, a
        // password change or a disable (docs/SECURITY.md).
        None => Err(Error::new(Kind::Denied, tf("auth.session_ended", &[("path", &path_s)]))
            .hint(t("auth.sign_in_again"))
            .into()),
    }
}

// ---------------------------------------------------------------- sessions

/// Start a session for an account: a fresh token (returned, for the session file) whose hash is
/// stored with its expiry; the account's expired sessions are cleared.
pub fn open_session(tx: &Tx, account_id: i64, now: DateTime<Utc>) -> Result<(String, String)> {
    let token = new_token("eips_");
    let expires = stored(now + Duration::hours(SESSION_HOURS));
    accounts::delete_expired_sessions(tx, account_id, &stored(now))?;
    accounts::insert_session(tx, &hash_secret(&token), account_id, &stored(now), &expires)?;
    Ok((token, expires))
}

/// The account a person is signing in to, with what the sign-in rules need.
pub fn login_target(conn: &Conn, username: &str) -> Result<Option<LoginTarget>> {
    accounts::login_target(conn, username)
}

/// The lock in force at `now`, if any, shown in CST.
pub fn locked_until(target: &LoginTarget, now: DateTime<Utc>) -> Option<String> {
    let until = target.locked_until.as_deref().and_then(calendar::parse_stored)?;
    (until > now).then(|| format!("{} {}", calendar::show_cst(until, false), t("cst")))
}

/// After a failure: the new failure count and lock.
pub fn after_failure(failed_logins: i64, now: DateTime<Utc>) -> (i64, Option<String>) {
    let n = failed_logins + 1;
    if n >= MAX_FAILURES {
        (0, Some(stored(now + Duration::minutes(LOCK_MINUTES))))
    } else {
        (n, None)
    }
}

/// Count a failed sign-in of an account that had `failed_logins` (a wrong password, code or
/// current password): five in a row lock it for fifteen minutes. The lock it brings, if any.
pub fn count_failure(tx: &Tx, account_id: i64, failed_logins: i64) -> Result<Option<String>> {
    let (count, lock) = after_failure(failed_logins, tx.now);
    accounts::record_failure(tx, account_id, count, lock.as_deref())?;
    Ok(lock)
}

/// Set an account's password (activation, or a change), clearing its code and lock; audited as
/// `action`.
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
    let hash = hash_password(pw, cheap)?;
    accounts::set_password(tx, account_id, &hash, &tx.now_stored())?;
    let scope = accounts::org_path(tx, account_id)?;
    // The detail never holds the password or its hash.
    let mut ev = Event::new(action).target(username).scope(scope);
    if let Some(d) = detail {
        ev = ev.detail(d);
    }
    tx.audit(ev)?;
    Ok(())
}

// ---------------------------------------------------------------- login and logout

/// A sign-in that succeeded: the new session's token (for the session file) and its expiry, and
/// who signed in.
pub struct SignedIn {
    pub token: String,
    pub expires: String,
    pub name: String,
    pub role: String,
    pub unit: String,
}

enum Outcome {
    SignedIn(SignedIn),
    Refused(Error),
}

/// Whether activating `username` with `code` needs the person's real name: the code is good (the
/// account exists, is active and unlocked, the code unused and unexpired) and the account was
/// issued without a name (the published personnel form has none). Reads only;
/// [`login`] decides again. Only the holder of a good code learns anything from it.
pub fn activation_needs_name(conn: &Conn, username: &str, code: &str, now: DateTime<Utc>) -> Result<bool> {
    let Some(target) = login_target(conn, username)? else { return Ok(false) };
    Ok(target.name.is_none()
        && target.status == "active"
        && locked_until(&target, now).is_none()
        && code_matches(&target, code, now))
}

/// Whether `code` is the account's activation code, unused and unexpired at `now`.
fn code_matches(target: &LoginTarget, code: &str, now: DateTime<Utc>) -> bool {
    target.activation_hash.as_deref() == Some(hash_secret(&normalize_code(code)).as_str())
        && target.activation_expires_at.as_deref().is_some_and(|e| e > stored(now).as_str())
}

/// The name an activation records, if it records one: the account's own when it has one (a
/// different `given` one is refused: the issuer vouched for that name, Art. 10), else `given`
/// (required: nobody signs in without a real name).
fn name_at_activation(target: &LoginTarget, given: Option<&str>) -> Result<Option<String>> {
    match (&target.name, given) {
        (Some(have), Some(given)) if have.trim() != given => Err(Error::new(
            Kind::Refused,
            tf("activate.other_name", &[("username", &target.username), ("name", &have)]),
        )
        .hint(tf("activate.other_name.hint", &[("username", &target.username)]))
        .into()),
        (Some(_), _) => Ok(None),
        (None, Some(given)) => Ok(Some(given.to_string())),
        (None, None) => Err(Error::new(Kind::Usage, tf("activate.name_needed", &[("username", &target.username)]))
            .hint(tf("activate.name_needed.hint", &[("username", &target.username)]))
            .into()),
    }
}

/// `eip login`: sign `username` in with a password, or with `activate`, its one-time activation
/// code, setting `secret` as its password — and, for an account issued without a name, `name` as
/// the person's real name (refused if the account has another). Decided in one transaction; a
/// refusal is returned as the error once its `login.failed` event (and the failure count) is
/// written.
pub fn login(
    db: &mut Db,
    username: &str,
    secret: &str,
    activate: Option<&str>,
    name: Option<&str>,
) -> Result<SignedIn> {
    let now = db.now;
    let cheap = db.test_clock;
    let name = name.map(crate::text::clean_person_name).transpose()?;
    // What was typed as a username is never stored as such: it may be a password typed in the
    // wrong field. Probes of one name still correlate through its hash.
    let typed = format!("unknown:{}", &hash_secret(username)[..12]);
    let outcome = db.write(&AuditActor { name: "anonymous".into(), unit: None }, |tx| {
        let Some(target) = login_target(tx, username)? else {
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
        if let Some(until) = locked_until(&target, now) {
            let e = Error::new(Kind::Denied, tf("login.locked", &[("username", &target.username), ("until", &until)]))
                .hint(tf("login.locked.hint", &[("username", &target.username)]));
            return fail(tx, "locked", e);
        }
        let ok = match activate {
            Some(code) => code_matches(&target, code, now),
            None => match &target.password_hash {
                Some(h) => verify_password(secret, h),
                None => {
                    // The same answer as a wrong password: existence does not leak.
                    let e = Error::new(Kind::Denied, t("login.bad")).hint(t("login.bad.hint_any"));
                    return fail(tx, "not_activated", e);
                }
            },
        };
        if !ok {
            let lock = count_failure(tx, target.id, target.failed_logins)?;
            let (why, e) = if activate.is_some() {
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
        let mut named = None;
        if activate.is_some() {
            // A refusal here writes nothing (the transaction rolls back): the code stays good.
            named = name_at_activation(&target, name.as_deref())?;
            if let Some(n) = &named {
                accounts::set_name(tx, target.id, n)?;
            }
            let detail = named.as_ref().map(|n| json!({ "after": { "name": n } }));
            set_password_noting(tx, target.id, &target.username, secret, cheap, "account.activate", detail)?;
        } else if target.failed_logins > 0 || target.locked_until.is_some() {
            accounts::clear_failures(tx, target.id)?;
        }
        let (token, expires) = open_session(tx, target.id, now)?;
        tx.audit(Event::new("login").target(&target.username).scope(&target.org_path))?;
        Ok(Outcome::SignedIn(SignedIn {
            token,
            expires,
            name: target.name.clone().or(named).unwrap_or_default(),
            role: target.role.clone(),
            unit: target.org_code.clone(),
        }))
    })?;
    match outcome {
        Outcome::SignedIn(s) => Ok(s),
        Outcome::Refused(e) => Err(e.into()),
    }
}

/// `eip logout`: end the session whose token the session file held, audited as `logout`
/// against its account. A token that names no session ends nothing.
pub fn logout(db: &mut Db, token: &str) -> Result<()> {
    let hash = hash_secret(token);
    let Some((username, unit, scope)) = accounts::session_holder(&db.conn, &hash)? else {
        return Ok(());
    };
    db.write(&AuditActor { name: username.clone(), unit: Some(unit) }, |tx| {
        accounts::delete_session(tx, &hash)?;
        tx.audit(Event::new("logout").target(&username).scope(&scope))
    })
}

// ---------------------------------------------------------------- API tokens

/// A token just made: shown once, never stored but as its hash.
pub struct NewToken {
    pub id: i64,
    pub token: String,
    pub expires: DateTime<Utc>,
}

/// `eip account token create`: a named token for the actor, valid `days` days. A name is used
/// by one unrevoked token at a time.
pub fn create_token(tx: &mut Tx, actor: &Actor, name: &str, days: i64) -> Result<NewToken> {
    let token = new_token("eipt_");
    let expires = tx.now + Duration::days(days);
    if let Some(id) = accounts::live_token_named(tx, actor.account_id, name)? {
        return Err(Error::new(Kind::Refused, tf("token.name_taken", &[("name", &name)]))
            .hint(tf("token.name_taken.hint", &[("id", &id)]))
            .into());
    }
    let id =
        accounts::insert_token(tx, actor.account_id, name, &hash_secret(&token), &tx.now_stored(), &stored(expires))?;
    tx.audit(
        Event::new("token.create")
            .target(&actor.username)
            .scope(&actor.org.path)
            .detail(json!({ "after": { "id": id, "name": name, "expires_at": stored(expires) } })),
    )?;
    Ok(NewToken { id, token, expires })
}

/// `eip account token list`: the actor's own tokens, revoked ones included, oldest first.
pub fn tokens(conn: &Conn, actor: &Actor) -> Result<Vec<Token>> {
    accounts::tokens_of(conn, actor.account_id)
}

/// `eip account token revoke`: revoke one of the actor's own tokens; its name.
pub fn revoke_token(tx: &mut Tx, actor: &Actor, id: i64) -> Result<String> {
    let Some((name, revoked)) = accounts::token_of(tx, id, actor.account_id)? else {
        return Err(error::not_found(tf("token.none", &[("id", &id)])).into());
    };
    if revoked.is_some() {
        return Err(error::refused(tf("token.already_revoked", &[("id", &id)])).into());
    }
    accounts::revoke_token(tx, id, &tx.now_stored())?;
    tx.audit(
        Event::new("token.revoke")
            .target(&actor.username)
            .scope(&actor.org.path)
            .detail(json!({ "before": { "id": id, "name": name }, "after": { "revoked": true } })),
    )?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_codes_carry_160_bits_and_normalise() {
        let c = new_activation_code();
        let n = normalize_code(&c);
        assert_eq!(n.len(), 32, "32 base32 characters = 160 bits: {c}");
        assert!(n.bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(normalize_code(&c.to_lowercase()), n);
        assert_ne!(new_activation_code(), c);
        assert_eq!(normalize_code("ab-cd o1 IL"), "ABCD0111");
    }

    #[test]
    fn password_policy() {
        assert!(check_password_policy("short").is_err());
        assert!(check_password_policy("1234567890").is_err());
        assert!(check_password_policy("correct horse").is_ok());
        assert!(check_password_policy("密码是很长的中文密码啊").is_ok());
    }

    #[test]
    fn password_hashes_carry_their_cost() {
        let cheap = hash_password("correct horse", true).unwrap();
        assert!(cheap.starts_with("$argon2id$") && cheap.contains("m=256,t=1"), "{cheap}");
        assert!(verify_password("correct horse", &cheap));
        assert!(!verify_password("correct horsf", &cheap));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let now = Utc::now();
        let mut n = 0;
        for _ in 0..4 {
            let (next, lock) = after_failure(n, now);
            assert!(lock.is_none());
            n = next;
        }
        let (next, lock) = after_failure(n, now);
        assert_eq!(next, 0);
        assert_eq!(lock, Some(stored(now + Duration::minutes(15))));
    }
}
