//! Sign-in ("Accounts and roles", Art. 10 and 22; §4.3 clock): passwords, activation
//! codes, sessions, the lockout, API tokens, and the test clock's refusal on a production database.

mod common;
use common::*;

use std::process::Stdio;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

// ---------------------------------------------------------------- helpers

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issue an account as the Ministry admin; (username, activation code, expiry).
fn issue(env: &Env, unit: &str, role: &str, name: &str, mobile: &str) -> (String, String, String) {
    let r = env.add_account(unit, role, name, mobile, &["--format", "json"]);
    r.ok();
    let j = r.json();
    (
        j["username"].as_str().expect("username").to_string(),
        j["activation_code"].as_str().expect("activation_code").to_string(),
        j["activation_expires_at"].as_str().expect("activation_expires_at").to_string(),
    )
}

fn activate(env: &Env, user: &str, code: &str, password: &str) -> Run {
    env.run_stdin(Some(user), &["login", user, "--activate", code, "--password-stdin"], &format!("{password}\n"))
}

fn password_hash(env: &Env, user: &str) -> Option<String> {
    env.conn().query_row("SELECT password_hash FROM account WHERE username = ?1", params![user], |r| r.get(0)).unwrap()
}

fn login_failed_events(env: &Env, target: &str) -> Vec<String> {
    let conn = env.conn();
    let mut st =
        conn.prepare("SELECT detail FROM audit WHERE action = 'login.failed' AND target = ?1 ORDER BY seq").unwrap();
    let rows = st.query_map(params![target], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn why(detail: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(detail).unwrap();
    v["why"].as_str().unwrap_or("").to_string()
}

// ---------------------------------------------------------------- login, whoami, logout

#[test]
fn spec2_login_with_password_stdin_then_whoami_in_every_format() {
    let env = Env::new();
    // Env::new signed the Ministry admin in with --password-stdin.
    let j = env.admin(&["whoami", "--format", "json"]).ok().json();
    assert_eq!(j["username"], ADMIN);
    assert_eq!(j["role"], "admin");
    assert_eq!(j["unit"], "000000");
    assert_eq!(j["via"], "session");
    // NOW is 2026-11-20 10:00 CST; a session lasts 12 hours.
    assert_eq!(j["expires_at"], "2026-11-20T22:00:00+08:00");

    let r = env.admin(&["whoami", "--format", "tsv"]);
    r.ok();
    let rows = r.tsv();
    assert_eq!(rows.len(), 2, "a header and one row: {rows:?}");
    let col = |k: &str| rows[0].iter().position(|h| h == k).unwrap_or_else(|| panic!("no column {k}: {rows:?}"));
    assert_eq!(rows[1][col("username")], ADMIN);
    assert_eq!(rows[1][col("role")], "admin");
    assert_eq!(rows[1][col("unit")], "000000");
    assert_eq!(rows[1][col("via")], "session");
    assert_eq!(rows[1][col("expires_at")], "2026-11-20T22:00:00+08:00");

    let r = env.admin(&["whoami", "--format", "table"]);
    r.ok().stdout_has(ADMIN).stdout_has("000000").stdout_has("2026-11-20 22:00 CST");
    // One record, as a person reads it: `Label: value` lines (tests/readable.rs).
    assert!(r.stdout.lines().any(|l| l.starts_with("Username:") && l.ends_with(ADMIN)), "a record:\n{}", r.stdout);

    // The sign-in itself is in the audit trail, and a session row exists.
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'login' AND target = '000000-A01'"), 1);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.username = '000000-A01'"
        ),
        1
    );
}

#[test]
fn spec2_logout_removes_the_session_and_whoami_then_says_not_signed_in() {
    let env = Env::new();
    assert_eq!(env.session_files(ADMIN).len(), 1);
    let before = env.audit_count();
    env.admin(&["logout"]).ok().stderr_has("signed out");
    assert!(env.session_files(ADMIN).is_empty(), "the session file is removed");
    assert_eq!(env.count("SELECT count(*) FROM session"), 0, "the session row is removed");
    assert_eq!(env.audit_count(), before + 1);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'logout' AND target = '000000-A01'"), 1);

    env.admin(&["whoami"]).code(3).stderr_has("not signed in").stderr_has("eip login");
    // Other commands are refused the same way.
    env.admin(&["unit", "list"]).code(3).stderr_has("not signed in");
}

// ---------------------------------------------------------------- failures

#[test]
fn art22_wrong_password_is_refused_audited_and_the_password_is_never_recorded() {
    let env = Env::new();
    let typed = "Tr0ub4dor&3-not-it";
    let before = env.audit_count();
    let r = env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("{typed}\n"));
    r.code(3).stderr_has("wrong username or password");
    assert!(!r.stderr.contains(typed) && !r.stdout.contains(typed), "the password is not echoed");

    // Committed although the command failed.
    assert_eq!(env.audit_count(), before + 1);
    let failed = login_failed_events(&env, ADMIN);
    assert_eq!(failed.len(), 1, "one login.failed event");
    assert_eq!(why(&failed[0]), "bad_password");
    assert_eq!(
        env.count("SELECT failed_logins FROM account WHERE username = '000000-A01'"),
        1,
        "the failure is counted"
    );
    // Neither the wrong password nor the right one appears anywhere in the audit trail or the file.
    assert!(audit_rows_containing(&env, "bad_password") > 0, "control: the search finds what is there");
    assert_eq!(audit_rows_containing(&env, typed), 0);
    assert_eq!(audit_rows_containing(&env, PASSWORD), 0);
    assert!(env.db_holds("王芳"), "control: the byte search finds what is there");
    assert!(!env.db_holds(typed), "the typed password is not in the database file");
    assert!(!env.db_holds(PASSWORD), "the real password is not in the database file");
    // No session was written for the refused attempt.
    assert!(env.session_files("_nobody").is_empty());
}

#[test]
fn art22_unknown_username_answers_exactly_like_a_wrong_password() {
    let env = Env::new();
    let wrong = env.run_stdin(None, &["login", ADMIN, "--password-stdin"], "not the password\n");
    wrong.code(3).stderr_has("wrong username or password");
    let before = env.audit_count();
    let unknown = env.run_stdin(None, &["login", "130102-A07", "--password-stdin"], "not the password\n");
    unknown.code(3).stderr_has("wrong username or password");
    // Same words, apart from the username echoed back in the hint.
    assert_eq!(
        unknown.stderr.replace("130102-A07", "USER"),
        wrong.stderr.replace(ADMIN, "USER"),
        "an unknown username must not be told apart from a wrong password"
    );
    assert_eq!(unknown.stdout, wrong.stdout);
    // Audited as a failed sign-in, too.
    assert_eq!(env.audit_count(), before + 1);
    // What was typed as a username is kept only as a hash (it may be a mistyped password).
    let hashed = format!("unknown:{}", &eip::auth::hash_secret("130102-A07")[..12]);
    let failed = login_failed_events(&env, &hashed);
    assert_eq!(failed.len(), 1);
    assert_eq!(why(&failed[0]), "unknown_user");
    assert_eq!(audit_rows_containing(&env, "not the password"), 0);
    assert_eq!(audit_rows_containing(&env, "130102-A07"), 0);
}

#[test]
fn spec2_five_failures_lock_the_account_for_fifteen_minutes() {
    let mut env = Env::new();
    for i in 1..=5 {
        env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("wrong password {i}\n"))
            .code(3)
            .stderr_has("wrong username or password");
    }
    // 10:00 CST = 02:00 UTC; locked for 15 minutes.
    let locked: Option<String> = env
        .conn()
        .query_row("SELECT locked_until FROM account WHERE username = ?1", params![ADMIN], |r| r.get(0))
        .unwrap();
    assert_eq!(locked.as_deref(), Some("2026-11-20T02:15:00Z"));

    // The sixth attempt, with the RIGHT password, is refused.
    let r = env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n"));
    r.code(3).stderr_has("locked");
    assert!(env.session_files("_nobody").is_empty(), "no session while locked");
    let failed = login_failed_events(&env, ADMIN);
    assert_eq!(failed.len(), 6, "five wrong passwords and the locked attempt are audited");
    assert_eq!(why(&failed[5]), "locked");

    // Still locked 14 minutes later.
    env.now = "2026-11-20T10:14:00+08:00".into();
    env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n")).code(3).stderr_has("locked");

    // 16 minutes later the right password works, and the counters are cleared.
    env.now = "2026-11-20T10:16:00+08:00".into();
    env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n")).ok();
    assert_eq!(env.session_files("_nobody").len(), 1);
    assert_eq!(env.count("SELECT failed_logins FROM account WHERE username = '000000-A01'"), 0);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username = '000000-A01' AND locked_until IS NULL"), 1);
    env.run(None, &["whoami", "--format", "json"]).ok();
}

// ---------------------------------------------------------------- the session file

#[test]
fn spec2_session_file_is_mode_0600_and_refused_when_others_can_read_it() {
    let env = Env::new();
    let files = env.session_files(ADMIN);
    assert_eq!(files.len(), 1, "one session file: {files:?}");
    let file = &files[0];
    assert_eq!(mode_of(file), 0o600, "session file mode");
    assert_eq!(mode_of(file.parent().unwrap()) & 0o077, 0, "the sessions dir is private");
    // The file holds a token, never the password.
    let text = std::fs::read_to_string(file).unwrap();
    assert!(!text.contains(PASSWORD));
    let token = text.lines().next().unwrap().trim().to_string();
    assert!(token.len() >= 64, "a long random token: {token}");
    // Only its hash is stored.
    assert_eq!(env.count(&format!("SELECT count(*) FROM session WHERE token_hash = '{}'", sha256_hex(&token))), 1);
    assert!(!env.db_holds(&token), "the session token is not in the database");

    env.admin(&["whoami"]).ok();
    let chmod = |mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(0o644);
    env.admin(&["whoami"]).code(3).stderr_has("session file").stderr_has("644");
    env.admin(&["unit", "list"]).code(3).stderr_has("session file");
    // Readable by the group only is still readable by others.
    chmod(0o640);
    env.admin(&["whoami"]).code(3).stderr_has("session file").stderr_has("640");
    // Back to 0600, it is used again.
    chmod(0o600);
    env.admin(&["whoami"]).ok();
}

#[test]
fn spec2_session_expires_after_twelve_hours() {
    let mut env = Env::new();
    env.now = "2026-11-20T21:59:00+08:00".into();
    env.admin(&["whoami"]).ok();
    env.now = "2026-11-20T22:00:00+08:00".into();
    env.admin(&["whoami"]).code(3).stderr_has("expired").stderr_has("eip login");
    env.now = "2026-11-21T10:00:00+08:00".into();
    env.admin(&["unit", "list"]).code(3).stderr_has("expired");
    // Signing in again works.
    env.login(ADMIN, PASSWORD);
    let j = env.admin(&["whoami", "--format", "json"]).ok().json();
    assert_eq!(j["expires_at"], "2026-11-21T22:00:00+08:00");
}

// ---------------------------------------------------------------- activation

#[test]
fn spec2_account_add_prints_a_one_time_code_and_activation_sets_the_password() {
    let env = Env::new();
    let (user, code, expires) = issue(&env, "000000", "reviewer", "李雷", "13900000002");
    assert_eq!(user, "000000-R01");
    assert_eq!(expires, "2026-12-04T10:00:00+08:00", "valid 14 days");
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    assert!(plain.len() * 5 >= 128, "at least 128 random bits: {code}");
    // Stored only as a hash.
    assert!(!env.db_holds(&code) && !env.db_holds(&plain), "the code is not stored");
    assert_eq!(audit_rows_containing(&env, &plain), 0);
    assert_eq!(password_hash(&env, &user), None);

    // Before activation the account cannot sign in.
    env.run_stdin(Some(&user), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n")).code(3);

    let first = "first password 1";
    activate(&env, &user, &code, first).ok().stderr_has("password set");
    let hash = password_hash(&env, &user).expect("a password hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM audit WHERE action = 'account.activate' AND target = '{user}'")),
        1
    );
    assert_eq!(audit_rows_containing(&env, first), 0, "the password is not audited");
    // Activation signs in.
    let j = env.run(Some(&user), &["whoami", "--format", "json"]).ok().json();
    assert_eq!(j["username"], user.as_str());
    assert_eq!(j["role"], "reviewer");

    // The code cannot be used twice.
    let second = "second password 2";
    activate(&env, &user, &code, second).code(3).stderr_has("activation code");
    assert_eq!(password_hash(&env, &user).as_deref(), Some(hash.as_str()), "the password is unchanged");
    env.run_stdin(None, &["login", &user, "--password-stdin"], &format!("{second}\n")).code(3);
    env.run_stdin(None, &["login", &user, "--password-stdin"], &format!("{first}\n")).ok();
}

#[test]
fn spec2_wrong_activation_code_is_refused() {
    let env = Env::new();
    let (user, code, _) = issue(&env, "000000", "inspector", "韩梅梅", "13900000003");
    let wrong = match code.strip_prefix('0') {
        Some(rest) => format!("1{rest}"),
        None => format!("0{}", &code[1..]),
    };
    let before = env.audit_count();
    activate(&env, &user, &wrong, PASSWORD).code(3).stderr_has("activation code");
    assert_eq!(password_hash(&env, &user), None, "no password was set");
    assert!(env.session_files(&user).is_empty());
    assert_eq!(env.audit_count(), before + 1);
    let failed = login_failed_events(&env, &user);
    assert_eq!(failed.len(), 1);
    assert_eq!(why(&failed[0]), "bad_code");
    // The right code still works afterwards.
    activate(&env, &user, &code, PASSWORD).ok();
    assert!(password_hash(&env, &user).is_some());
}

#[test]
fn spec2_activation_code_expires_after_fourteen_days() {
    let mut env = Env::new();
    let (late, late_code, _) = issue(&env, "000000", "admin", "张三", "13900000004");
    let (ontime, ontime_code, _) = issue(&env, "000000", "admin", "李四", "13900000005");

    env.now = "2026-12-04T09:59:00+08:00".into();
    activate(&env, &ontime, &ontime_code, PASSWORD).ok();

    env.now = "2026-12-04T10:01:00+08:00".into();
    activate(&env, &late, &late_code, PASSWORD).code(3).stderr_has("expired");
    assert_eq!(password_hash(&env, &late), None);
    assert!(env.session_files(&late).is_empty());
}

#[test]
fn spec2_password_policy_refuses_short_or_all_digit_passwords_and_changes_nothing() {
    let env = Env::new();
    let (user, code, _) = issue(&env, "000000", "reviewer", "李雷", "13900000002");
    let before = env.audit_count();
    activate(&env, &user, &code, "short1").code(6).stderr_has("at least 10 characters");
    activate(&env, &user, &code, "123456789").code(6);
    activate(&env, &user, &code, "12345678901234").code(6).stderr_has("all digits");

    assert_eq!(password_hash(&env, &user), None, "still no password");
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM account WHERE username = '{user}' AND activation_hash IS NOT NULL")),
        1,
        "the code is not consumed"
    );
    assert_eq!(env.count(&format!("SELECT failed_logins FROM account WHERE username = '{user}'")), 0);
    assert_eq!(env.audit_count(), before, "nothing recorded: nothing changed");
    assert!(env.session_files(&user).is_empty());
    // Ten characters, not all digits, is enough.
    activate(&env, &user, &code, "abcdefghi1").ok();
}

// ---------------------------------------------------------------- no terminal

#[test]
fn spec2_login_without_a_tty_or_password_stdin_fails_with_a_hint() {
    let env = Env::new();
    let before = env.audit_count();
    // stdin is /dev/null (the harness): not a terminal.
    env.run(None, &["login", ADMIN]).code(2).stderr_has("--password-stdin");

    // stdin an open pipe that never says anything: must not wait for it.
    let mut c = env.command(None, &["login", ADMIN]);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let held_open = child.stdin.take();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("eip login waited for input on a pipe");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(held_open);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    assert!(env.session_files("_nobody").is_empty());
    assert_eq!(env.audit_count(), before);
}

// ---------------------------------------------------------------- API tokens

fn whoami_with_token(env: &Env, token: &str) -> Run {
    // A config dir of someone who never signed in: no session to fall back on.
    let mut c = env.command(Some("cron-host"), &["whoami", "--format", "json"]);
    c.env("EIP_TOKEN", token);
    Env::run_cmd(c, None)
}

#[test]
fn spec2_api_token_is_shown_once_works_without_a_session_and_is_stored_as_sha256() {
    let env = Env::new();
    let r = env.admin(&["account", "token", "create", "--name", "cron", "--days", "30", "--format", "json"]);
    r.ok();
    let j = r.json();
    let id = j["id"].as_i64().expect("id");
    let token = j["token"].as_str().expect("token").to_string();
    assert_eq!(j["name"], "cron");
    assert_eq!(j["expires_at"], "2026-12-20T10:00:00+08:00");
    assert!(token.len() >= 64, "{token}");

    // Only the hash is stored, nowhere the token itself.
    let stored: String =
        env.conn().query_row("SELECT token_hash FROM api_token WHERE id = ?1", params![id], |r| r.get(0)).unwrap();
    assert_eq!(stored, sha256_hex(&token));
    assert!(!env.db_holds(&token), "the token text is not in the database");
    assert_eq!(audit_rows_containing(&env, &token), 0);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'token.create'"), 1);

    // Works with no session at all.
    assert!(env.session_files("cron-host").is_empty());
    let w = whoami_with_token(&env, &token);
    w.ok();
    let w = w.json();
    assert_eq!(w["username"], ADMIN);
    assert_eq!(w["via"], "token");
    assert_eq!(w["expires_at"], "2026-12-20T10:00:00+08:00");
    assert!(env.session_files("cron-host").is_empty(), "a token does not create a session");
    // Without the token the same config dir is not signed in.
    env.run(Some("cron-host"), &["whoami"]).code(3).stderr_has("not signed in");

    // The list never shows the token.
    for fmt in ["json", "tsv", "csv", "table"] {
        let l = env.admin(&["account", "token", "list", "--format", fmt]);
        l.ok().stdout_has("cron");
        assert!(!l.stdout.contains(&token) && !l.stderr.contains(&token), "token list --format {fmt} shows the token");
    }
    let l = env.admin(&["account", "token", "list", "--format", "json"]).ok().json();
    let arr = l.as_array().expect("an array");
    assert_eq!(arr.len(), 1);
    assert_eq!(arr[0]["id"].as_i64(), Some(id));
    assert_eq!(arr[0]["name"], "cron");
    assert!(arr[0].get("token").is_none());
    assert!(arr[0]["revoked_at"].is_null());
}

#[test]
fn spec2_revoked_token_is_refused() {
    let env = Env::new();
    let j =
        env.admin(&["account", "token", "create", "--name", "cron", "--days", "30", "--format", "json"]).ok().json();
    let id = j["id"].as_i64().unwrap().to_string();
    let token = j["token"].as_str().unwrap().to_string();
    whoami_with_token(&env, &token).ok();

    env.admin(&["account", "token", "revoke", &id]).ok();
    assert_eq!(env.count(&format!("SELECT count(*) FROM api_token WHERE id = {id} AND revoked_at IS NOT NULL")), 1);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'token.revoke'"), 1);
    whoami_with_token(&env, &token).code(3).stderr_has("EIP_TOKEN");
    let l = env.admin(&["account", "token", "list", "--format", "json"]).ok().json();
    assert!(!l[0]["revoked_at"].is_null(), "the list shows it revoked: {l}");
    // Revoking twice is refused by the rules.
    env.admin(&["account", "token", "revoke", &id]).code(5);
}

#[test]
fn spec2_expired_token_is_refused() {
    let mut env = Env::new();
    let j =
        env.admin(&["account", "token", "create", "--name", "cron", "--days", "30", "--format", "json"]).ok().json();
    let token = j["token"].as_str().unwrap().to_string();
    env.now = "2026-12-20T09:59:00+08:00".into();
    whoami_with_token(&env, &token).ok();
    env.now = "2026-12-20T10:00:00+08:00".into();
    whoami_with_token(&env, &token).code(3).stderr_has("EIP_TOKEN");
    env.now = "2027-01-20T10:00:00+08:00".into();
    whoami_with_token(&env, &token).code(3).stderr_has("expired");
}

#[test]
fn spec2_a_wrong_token_is_refused_even_with_a_valid_session() {
    let env = Env::new();
    let mut c = env.command(Some(ADMIN), &["whoami"]);
    c.env("EIP_TOKEN", "eipt_0000000000000000000000000000000000000000000000000000000000000000");
    Env::run_cmd(c, None).code(3).stderr_has("EIP_TOKEN");
}

// ---------------------------------------------------------------- the clock

fn production(env: &Env) {
    let mut c =
        env.command(None, &["init", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, Some(&format!("{PASSWORD}\n"))).ok();
}

#[test]
fn spec4_3_eip_now_is_refused_on_a_production_database() {
    let env = Env::empty();
    production(&env);
    assert_eq!(
        env.conn()
            .query_row("SELECT value FROM setting WHERE key = 'test_clock'", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "0"
    );
    // Sign in with the real clock.
    let mut c = env.command(Some(ADMIN), &["login", ADMIN, "--password-stdin"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, Some(&format!("{PASSWORD}\n"))).ok();
    let mut c = env.command(Some(ADMIN), &["whoami", "--format", "json"]);
    c.env_remove("EIP_NOW");
    let r = Env::run_cmd(c, None);
    r.ok();
    assert_eq!(r.json()["username"], ADMIN);

    // Any command with EIP_NOW set is refused.
    let before = env.audit_count();
    env.admin(&["whoami"]).code(3).stderr_has("EIP_NOW");
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).code(3).stderr_has("EIP_NOW");
    env.admin(&["audit", "log"]).code(3).stderr_has("EIP_NOW");
    env.run_stdin(None, &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n")).code(3).stderr_has("EIP_NOW");
    assert_eq!(env.audit_count(), before, "nothing was written with a forged time");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130000'"), 0);
}

#[test]
fn spec4_3_init_without_test_clock_refuses_eip_now_and_creates_nothing() {
    let env = Env::empty();
    env.run_stdin(
        None,
        &["init", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    )
    .code(3)
    .stderr_has("EIP_NOW");
    assert!(env.nothing_written(), "no database was created");
    assert!(!env.db.with_extension("db-wal").exists());
    // The same init without EIP_NOW succeeds: the refusal was about the clock alone.
    production(&env);
    assert!(!env.nothing_written());
}

#[test]
fn art22_an_account_not_yet_activated_answers_like_a_wrong_password() {
    let env = Env::new();
    let r = env.admin(&[
        "account",
        "add",
        "--unit",
        "000000",
        "--role",
        "support",
        "--name",
        "周杰",
        "--mobile",
        "13600000009",
        "--format",
        "json",
    ]);
    let user = r.ok().json()["username"].as_str().unwrap().to_string();
    assert_eq!(user, "000000-T01");
    let inactive = env.run_stdin(None, &["login", &user, "--password-stdin"], "some password\n");
    let unknown = env.run_stdin(None, &["login", "000000-T09", "--password-stdin"], "some password\n");
    inactive.code(3).stderr_has("--activate CODE");
    assert_eq!(inactive.stderr.replace(&user, "USER"), unknown.stderr.replace("000000-T09", "USER"));
}
