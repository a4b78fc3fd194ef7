//! Accounts (Art. 9–10): real names, one person one account, usernames never reused,
//! and the lifecycle of a person's account: disable, enable, reset, passwd.

mod common;
use common::*;

/// `account add … --format json` as the Ministry admin.
fn add(env: &Env, unit: &str, role: &str, name: &str, mobile: &str) -> Run {
    env.add_account(unit, role, name, mobile, &["--format", "json"])
}

#[test]
fn art10_an_account_needs_a_real_name_and_an_11_digit_mobile() {
    let env = Env::national();
    let before = env.count("SELECT count(*) FROM account");
    add(&env, "130102", "admin", " ", "13700000001").code(6).stderr_has("the person's name (姓名) is required");
    add(&env, "130102", "admin", "赵敏", "1370000000").code(6).stderr_has("1370000000 is not a mobile number");
    add(&env, "130102", "admin", "赵敏", "23700000001").code(6);
    env.add_account("130102", "admin", "赵敏", "13700000001", &["--email", "not-an-email"])
        .code(6)
        .stderr_has("not-an-email is not an email address");
    assert_eq!(env.count("SELECT count(*) FROM account"), before);
}

#[test]
fn art10_one_person_one_account_no_two_active_accounts_share_a_mobile() {
    let env = Env::national();
    add(&env, "130102", "admin", "赵敏", "13700000001").ok();
    add(&env, "130104", "admin", "赵敏", "13700000001")
        .code(5)
        .stderr_has("mobile 13700000001 already belongs to the active account 130102-A01")
        .stderr_has("if the person changed post, disable the old account first");
    // Personnel change (人员变动): disable the old account, issue a new one.
    env.admin(&["account", "disable", "130102-A01", "--reason", "调离"]).ok();
    let j = add(&env, "130104", "admin", "赵敏", "13700000001").ok().json();
    assert_eq!(j["username"], "130104-A01");
    // The old one cannot come back while the mobile is taken.
    env.admin(&["account", "enable", "130102-A01"])
        .code(5)
        .stderr_has("already belongs to the active account 130104-A01");
}

#[test]
fn spec2_a_unit_has_at_most_one_active_reviewer_and_inspector_but_several_admins() {
    let env = Env::national();
    add(&env, "130102", "reviewer", "孙强", "13700000002").ok();
    add(&env, "130102", "reviewer", "钱进", "13700000003")
        .code(5)
        .stderr_has("130102 already has an active reviewer: 130102-R01")
        .stderr_has("eip account disable 130102-R01");
    add(&env, "130102", "inspector", "赵敏", "13700000004").ok();
    add(&env, "130102", "inspector", "李四", "13700000005").code(5);
    add(&env, "130102", "admin", "周丽", "13700000006").ok();
    add(&env, "130102", "admin", "吴昊", "13700000007").ok();
    assert_eq!(env.count("SELECT count(*) FROM account a JOIN org o ON o.id = a.org_id WHERE o.code = '130102'"), 4);
}

#[test]
fn spec2_usernames_are_generated_and_never_reused() {
    let env = Env::national();
    assert_eq!(add(&env, "130102", "reviewer", "孙强", "13700000002").ok().json()["username"], "130102-R01");
    env.admin(&["account", "disable", "130102-R01", "--reason", "退休"]).ok();
    assert_eq!(add(&env, "130102", "reviewer", "钱进", "13700000003").ok().json()["username"], "130102-R02");
    assert_eq!(add(&env, "130102", "admin", "周丽", "13700000006").ok().json()["username"], "130102-A01");
    assert_eq!(add(&env, "000000", "support", "技术员", "13700000009").ok().json()["username"], "000000-T01");
    // There is no override: --username is not an option (tests/accounts_trust.rs).
    // A role must fit its org: support is held at any admin unit (Art. 6; tests/personnel.rs).
    assert_eq!(add(&env, "130102", "support", "x", "13700000011").ok().json()["username"], "130102-T01");
    add(&env, "130102", "school_admin", "x", "13700000012").code(6).stderr_has("belongs to a school");
}

#[test]
fn art10_disable_keeps_the_account_ends_its_sessions_and_is_audited() {
    let env = Env::national();
    let user = env.person("130102", "reviewer", "孙强", "13700000002");
    env.run(Some(&user), &["whoami"]).ok();
    env.admin(&["account", "disable", &user]).code(2);
    env.admin(&["account", "disable", &user, "--reason", "调离"]).ok().stderr_has("disabled 130102-R01");
    env.run(Some(&user), &["whoami"]).code(3);
    env.run_stdin(Some(&user), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n"))
        .code(3)
        .stderr_has("is disabled");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username = '130102-R01' AND status = 'disabled' AND disabled_reason = '调离'"), 1);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM audit WHERE action = 'account.disable' AND target = '130102-R01' AND reason = '调离'"
        ),
        1
    );
    // Disabling again is refused (exit 5), changes nothing and records nothing.
    let events = env.audit_count();
    env.admin(&["account", "disable", &user, "--reason", "调离"]).code(5).stderr_has("already disabled");
    assert_eq!(env.audit_count(), events);
    // It can be enabled again (a mistake), with its password.
    env.admin(&["account", "enable", &user]).ok();
    env.login(&user, PASSWORD);
}

#[test]
fn spec2_reset_unlocks_and_issues_a_new_code_the_old_password_stops_working() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    for _ in 0..5 {
        env.run_stdin(Some(&user), &["login", &user, "--password-stdin"], "wrong password!\n").code(3);
    }
    env.run_stdin(Some(&user), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n"))
        .code(3)
        .stderr_has("locked");
    let r = env.admin(&["account", "reset", &user, "--format", "json"]);
    let code = r.ok().json()["activation_code"].as_str().unwrap().to_string();
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username = '130102-A01' AND locked_until IS NULL AND failed_logins = 0 AND password_hash IS NULL"), 1);
    env.run_stdin(Some(&user), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n")).code(3);
    env.run_stdin(Some(&user), &["login", &user, "--activate", &code, "--password-stdin"], "a brand new secret\n").ok();
    env.run(Some(&user), &["whoami"]).ok();
    // Support may reset too; the code is never in the audit trail.
    let support = env.person("000000", "support", "技术员", "13700000009");
    let r = env.run(Some(&support), &["account", "reset", &user, "--format", "json"]);
    let code2 = r.ok().json()["activation_code"].as_str().unwrap().to_string();
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM audit WHERE detail LIKE '%{}%' OR detail LIKE '%{}%'",
            &code[..9],
            &code2[..9]
        )),
        0
    );
    // The second reset ended the session too; the new code signs in.
    env.run(Some(&user), &["whoami"]).code(3);
    env.run_stdin(Some(&user), &["login", &user, "--activate", &code2, "--password-stdin"], "a brand new secret\n")
        .ok();
    // A county admin may not reset even its own unit's accounts (the Ministry issues them).
    let other = env.person("130102", "reviewer", "孙强", "13700000002");
    env.run(Some(&user), &["account", "reset", &other]).code(3).stderr_has("whoever issues the account");
}

#[test]
fn spec2_passwd_changes_your_own_password() {
    let env = Env::national();
    let user = env.person("130102", "admin", "周丽", "13700000006");
    env.run_stdin(Some(&user), &["account", "passwd", "--password-stdin"], "not my password\nanother secret 1\n")
        .code(3)
        .stderr_has("the current password is wrong");
    env.run_stdin(Some(&user), &["account", "passwd", "--password-stdin"], &format!("{PASSWORD}\n12345678901\n"))
        .code(6)
        .stderr_has("must not be all digits");
    env.run_stdin(Some(&user), &["account", "passwd", "--password-stdin"], &format!("{PASSWORD}\n"))
        .code(6)
        .stderr_has("two lines");
    env.run_stdin(Some(&user), &["account", "passwd", "--password-stdin"], &format!("{PASSWORD}\nanother secret 1\n"))
        .ok()
        .stderr_has("password changed for 130102-A01");
    // The session goes on; the old password no longer signs in; the new one does.
    env.run(Some(&user), &["whoami"]).ok();
    env.run_stdin(Some("x"), &["login", &user, "--password-stdin"], &format!("{PASSWORD}\n")).code(3);
    env.run_stdin(Some("x"), &["login", &user, "--password-stdin"], "another secret 1\n").ok();
    env.run(Some(&user), &["account", "passwd"]).code(2).stderr_has("--password-stdin");
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'account.passwd' AND target = '130102-A01'"), 1);
}

#[test]
fn spec2_list_and_show_within_the_scope() {
    let env = Env::national();
    add(&env, "130102", "reviewer", "孙强", "13700000002").ok();
    add(&env, "130104", "reviewer", "吴昊", "13700000003").ok();
    add(&env, "130104", "admin", "郑洁", "13700000004").ok();
    let county = env.person("130102", "admin", "周丽", "13700000006");
    let all = env.admin(&["account", "list", "--under", "130100", "--role", "reviewer", "--format", "csv"]);
    let lines: Vec<&str> = all.ok().stdout.lines().collect();
    assert_eq!(lines[0], "username,name,role,unit,unit_name,status,mobile,email,department,title");
    assert_eq!(lines.len(), 3, "{lines:?}");
    let mine = env.run(Some(&county), &["account", "list", "--format", "json"]).ok().json();
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["130102-A01", "130102-R01"]);
    env.run(Some(&county), &["account", "show", "130104-R01"])
        .code(4)
        .stderr_has("no account 130104-R01 in your scope");
    env.run(Some(&county), &["account", "show", "130102-R01", "--format", "json"]).ok();
    let show = env.admin(&["account", "show", "130104-A01", "--format", "json"]).ok().json();
    assert_eq!(show["issued_by"], "000000-A01");
    assert_eq!(show["status"], "active");
    env.admin(&["account", "disable", "130104-A01", "--reason", "调离"]).ok();
    let disabled = env.admin(&["account", "list", "--status", "disabled", "--format", "json"]).ok().json();
    assert_eq!(disabled.as_array().unwrap().len(), 1);
}
