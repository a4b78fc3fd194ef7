//! Accounts under attack and under load (§9; docs/SECURITY.md "Accounts: no borrowed
//! power, tokens die with the person's change"): a reset never hands anyone more power than they
//! hold, a reset, password change or disable ends every token and session (an enable brings none
//! back), `token create > file` makes a file EIP_TOKEN reads, usernames are always generated, and
//! account decisions taken by many copies at once have exactly one winner.

mod common;
use common::*;

use std::process::Stdio;

/// A named API token for `user` (as JSON, forced), returning (id, token).
fn token(env: &Env, user: &str, name: &str) -> (i64, String) {
    let j = env.token_record(user, name, "30");
    (j["id"].as_i64().expect("id"), j["token"].as_str().expect("token").to_string())
}

#[test]
fn spec2_a_reset_never_hands_anyone_more_power_than_they_hold() {
    let env = Env::national();
    let support = env.person("000000", "support", "技术员", "13700000009");
    let support2 = env.person("000000", "support", "技术员二", "13700000008");
    let province = env.person("130000", "admin", "李明", "13700000002");
    let county = env.person("130102", "admin", "周丽", "13700000006");
    let hash = |u: &str| -> Option<String> {
        env.conn()
            .query_row("SELECT password_hash FROM account WHERE username = ?1", [u], |r| r.get(0))
            .expect("account")
    };
    let admin_hash = hash(ADMIN);

    // Support may not reset the Ministry admin: that code would make support the Ministry admin.
    for target in [ADMIN, support.as_str(), support2.as_str()] {
        let d = env.events("denied");
        env.run(Some(&support), &["account", "reset", target])
            .code(3)
            .stderr_has(&format!("{support} may not reset"))
            .stderr_has("a Ministry admin");
        assert_eq!(env.events("denied"), d + 1, "the refusal to reset {target} is audited");
    }
    assert_eq!(hash(ADMIN), admin_hash, "the Ministry admin's password still stands");
    assert_eq!(env.events("account.reset"), 0);
    env.run_stdin(Some("x"), &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n")).ok();

    // A province admin cannot reset a Ministry account either (it is not even in its scope),
    // nor its own province's staff (the Ministry issues them).
    env.run(Some(&province), &["account", "reset", ADMIN]).code(4);
    env.run(Some(&province), &["account", "reset", &county]).code(3);
    assert_eq!(hash(ADMIN), admin_hash);

    // Support resets accounts of units strictly below its own: a county admin, a province admin.
    env.run(Some(&support), &["account", "reset", &county, "--format", "json"]).ok().json()["activation_code"]
        .as_str()
        .expect("a code");
    env.run(Some(&support), &["account", "reset", &province]).ok();
    assert_eq!(env.events("account.reset"), 2);
    // The Ministry admin resets any account, the Ministry's support included.
    env.admin(&["account", "reset", &support]).ok();
    assert_eq!(env.events("account.reset"), 3);
}

#[test]
fn spec2_support_resets_a_schools_account_in_its_scope() {
    let env = Env::national();
    let support = env.person("000000", "support", "技术员", "13700000009");
    let county = env.person("130102", "admin", "周丽", "13700000006");
    let school = env.changan_first_school(&county, "钱校长", "13700000010");
    env.run(Some(&support), &["account", "reset", &school]).ok();
    env.run(Some(&school), &["whoami"]).code(3);
}

#[test]
fn spec2_a_reset_revokes_every_token_and_session_of_the_account() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    let (_, tok) = token(&env, &user, "cron");
    with_token(&env, &tok, &["whoami"]).ok();
    env.run(Some(&user), &["whoami"]).ok();
    env.admin(&["account", "reset", &user]).ok();
    with_token(&env, &tok, &["whoami"]).code(3).stderr_has("revoked").stderr_has("eip login");
    env.run(Some(&user), &["whoami"]).code(3).stderr_has("eip login");
    assert_eq!(env.count("SELECT count(*) FROM api_token WHERE revoked_at IS NULL"), 0);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.username = '130102-A01'"
        ),
        0
    );
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM audit WHERE action = 'account.reset' AND target = '130102-A01' AND {} AND {}",
            json_eq("detail", "revoked.tokens", "1"),
            json_eq("detail", "revoked.sessions", "1")
        )),
        1
    );
}

#[test]
fn spec2_a_password_change_revokes_tokens_and_other_sessions_but_keeps_this_one() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    let (_, tok) = token(&env, &user, "cron");
    // A second session of the same person, elsewhere.
    env.run_stdin(Some("laptop"), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n")).ok();
    env.run(Some("laptop"), &["whoami"]).ok();
    env.run_stdin(Some(&user), &["account", "passwd", "--password-stdin"], &format!("{PASSWORD}\nanother secret 1\n"))
        .ok();
    env.run(Some(&user), &["whoami"]).ok();
    env.run(Some("laptop"), &["whoami"]).code(3).stderr_has("eip login");
    with_token(&env, &tok, &["whoami"]).code(3).stderr_has("eip login");
    assert_eq!(env.count("SELECT count(*) FROM api_token WHERE revoked_at IS NULL"), 0);
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM audit WHERE action = 'account.passwd' AND {} AND {}",
            json_eq("detail", "revoked.tokens", "1"),
            json_eq("detail", "revoked.sessions", "2")
        )),
        1
    );
}

#[test]
fn spec2_a_disable_revokes_tokens_and_sessions_and_an_enable_does_not_revive_them() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    let (_, tok) = token(&env, &user, "cron");
    env.admin(&["account", "disable", &user, "--reason", "调离"]).ok();
    with_token(&env, &tok, &["whoami"]).code(3);
    env.run(Some(&user), &["whoami"]).code(3);
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM audit WHERE action = 'account.disable' AND {} AND {}",
            json_eq("detail", "revoked.tokens", "1"),
            json_eq("detail", "revoked.sessions", "1")
        )),
        1
    );
    env.admin(&["account", "enable", &user]).ok();
    with_token(&env, &tok, &["whoami"]).code(3).stderr_has("revoked").stderr_has("eip login");
    env.run(Some(&user), &["whoami"]).code(3).stderr_has("eip login");
    assert_eq!(env.count("SELECT count(*) FROM api_token WHERE revoked_at IS NULL"), 0);
    // The person signs in again with their password and makes a new token.
    env.login(&user, PASSWORD);
    token(&env, &user, "cron");
}

#[test]
fn spec2_token_create_into_a_file_makes_a_file_eip_token_reads() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    // stdout is a pipe here, as in `> tok`.
    let r = env.run(Some(&user), &["account", "token", "create", "--name", "cron", "--days", "365"]);
    r.ok().stderr_has("cron");
    let tok = r.stdout.strip_suffix('\n').expect("one line");
    assert!(
        tok.starts_with("eipt_") && tok.len() == 69 && !tok.contains(['\t', '\n', ' ']),
        "bare token: {:?}",
        r.stdout
    );
    let file = env.write_file("tok", r.stdout.as_bytes());
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(format!("EIP_TOKEN=\"$(cat '{file}')\" exec \"$0\" --lang en whoami --format json")).arg(bin());
    c.env("EIP_DB", &env.db)
        .env("EIP_CONFIG_DIR", env.config_dir(None))
        .env("EIP_NOW", &env.now)
        .env_remove("EIP_TOKEN");
    let w = Env::run_cmd(c, None);
    assert_eq!(w.ok().json()["username"], user.as_str());
    assert_eq!(w.json()["via"], "token");
    // -q: the bare token alone, nothing on stderr.
    let q = env.run(Some(&user), &["-q", "account", "token", "create", "--name", "q", "--days", "1"]);
    assert!(q.ok().stdout.starts_with("eipt_") && q.stdout.lines().count() == 1, "{:?}", q.stdout);
    assert_eq!(q.stderr, "");
    // A format asked for still gives the whole record.
    let j = env.run(Some(&user), &["account", "token", "create", "--name", "j", "--days", "1", "--format", "json"]);
    assert!(j.ok().json()["token"].as_str().unwrap().starts_with("eipt_"));
    assert!(j.json()["id"].is_i64());
    let t = env.run(Some(&user), &["account", "token", "create", "--name", "t", "--days", "1", "--format", "tsv"]);
    assert_eq!(t.ok().tsv()[0], ["id", "name", "token", "expires_at"]);
}

#[test]
fn spec2_usernames_are_always_generated_no_override() {
    let env = Env::national();
    let before = env.count("SELECT count(*) FROM account");
    let long = "x".repeat(5000);
    for bad in ["system", "anonymous", "", "000000-A02", "130102-A01 ", "０００000-A01", "a\u{1b}[2Jb", long.as_str()]
    {
        env.add_account("130102", "admin", "郑洁", "13700000010", &["--username", bad])
            .code(2)
            .stderr_has("--username");
    }
    assert_eq!(env.count("SELECT count(*) FROM account"), before);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'account.add'"), before);
    // Without it the username is generated.
    let j = env.add_account("130102", "admin", "郑洁", "13700000010", &["--format", "json"]).ok().json();
    assert_eq!(j["username"], "130102-A01");
}

#[test]
fn spec2_an_unknown_username_is_not_echoed_and_looks_like_a_wrong_password() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    let typed = "my secret pass 123";
    let unknown = env.run_stdin(Some("x"), &["login", typed, "--password-stdin"], "whatever it is\n");
    unknown.code(3).stderr_lacks(typed).stderr_lacks("my secret");
    let wrong = env.run_stdin(Some("x"), &["login", &user, "--password-stdin"], "not the password\n");
    wrong.code(3);
    // The same words either way: whether an account exists does not leak.
    assert_eq!(unknown.stderr, wrong.stderr);
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM audit WHERE detail LIKE '%{typed}%' OR target LIKE '%{typed}%'")),
        0
    );
}

// ---------------------------------------------------------------- races

const COPIES: usize = 6;
const ROUNDS: usize = 4;

/// Start `COPIES` copies of the same command at once (as the Ministry admin) and wait for all.
fn race_admin(env: &Env, args: &[&str]) -> Vec<Run> {
    race((0..COPIES).map(|_| env.command(Some(ADMIN), args)).collect())
}

/// Exactly one copy won; every other one was refused (exit 5) with `reason`.
#[track_caller]
fn one_winner(what: &str, runs: &[Run], reason: &str) -> usize {
    let winners: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].code == 0).collect();
    assert_eq!(winners.len(), 1, "{what}: exactly one wins: {runs:#?}");
    for r in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(r.code, 5, "{what}: the others are refused: {r:#?}");
        assert!(r.stderr.contains(reason), "{what}: the reason {reason:?}: {r:#?}");
    }
    winners[0]
}

#[test]
fn spec9_account_decisions_raced_by_many_copies_have_exactly_one_winner() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    for round in 0..ROUNDS {
        let (d, e, r) = (env.events("account.disable"), env.events("account.enable"), env.events("account.reset"));
        let runs = race_admin(&env, &["account", "disable", &user, "--reason", "调离"]);
        one_winner(&format!("disable, round {round}"), &runs, "already disabled");
        assert_eq!(env.events("account.disable"), d + 1, "one disable event");

        let runs = race_admin(&env, &["account", "enable", &user]);
        one_winner(&format!("enable, round {round}"), &runs, "already active");
        assert_eq!(env.events("account.enable"), e + 1, "one enable event");

        let runs = race_admin(&env, &["account", "reset", &user, "--format", "json"]);
        let w = one_winner(&format!("reset, round {round}"), &runs, "unused activation code");
        assert_eq!(env.events("account.reset"), r + 1, "one reset event");
        // The winner's code is the one that works.
        let code = runs[w].json()["activation_code"].as_str().unwrap().to_string();
        env.activate(&user, &code).ok();

        let (id, _) = token(&env, ADMIN, &format!("race{round}"));
        let t = env.events("token.revoke");
        let runs = race_admin(&env, &["account", "token", "revoke", &id.to_string()]);
        one_winner(&format!("token revoke, round {round}"), &runs, "already revoked");
        assert_eq!(env.events("token.revoke"), t + 1, "one revoke event");
    }
    env.admin(&["doctor"]).ok();
    env.admin(&["audit", "verify"]).ok();
}

#[test]
fn spec9_a_password_change_racing_a_reset_never_outlives_the_reset() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    let mut pw = PASSWORD.to_string();
    for round in 0..8 {
        let new = format!("another secret {round}");
        let mut p = env.command(Some(&user), &["account", "passwd", "--password-stdin"]);
        p.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut r = env.command(Some(ADMIN), &["account", "reset", &user, "--format", "json"]);
        r.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut pc = p.spawn().expect("eip runs");
        let rc = r.spawn().expect("eip runs");
        {
            use std::io::Write;
            let _ = pc.stdin.take().expect("piped").write_all(format!("{pw}\n{new}\n").as_bytes());
        }
        let po = pc.wait_with_output().expect("passwd finishes");
        let ro = rc.wait_with_output().expect("reset finishes");
        assert!(ro.status.success(), "round {round}: the reset succeeds: {}", String::from_utf8_lossy(&ro.stderr));
        // Whichever ran first, the reset has the last word: no password, no session, no token.
        assert_eq!(
            env.count("SELECT count(*) FROM account WHERE username = '130102-A01' AND password_hash IS NULL"),
            1,
            "round {round}: passwd exit {:?}: {}",
            po.status.code(),
            String::from_utf8_lossy(&po.stderr)
        );
        assert_eq!(
            env.count(
                "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.username = '130102-A01'"
            ),
            0,
            "round {round}: no session outlives the reset"
        );
        env.run(Some(&user), &["whoami"]).code(3);
        let code = serde_json::from_slice::<serde_json::Value>(&ro.stdout).expect("json")["activation_code"]
            .as_str()
            .unwrap()
            .to_string();
        pw = format!("round {round} password");
        env.run_stdin(Some(&user), &["login", &user, "--activate", &code, "--password-stdin"], &format!("{pw}\n")).ok();
    }
}
