//! The personnel form as published (§5.1; 附件2 has no 姓名 column) and support
//! at every level (Art. 6, 21): the form imports exactly as published and the person gives their
//! name at activation; export writes 单位 as the unit's name with its code beside and round-trips;
//! `--sync` covers only the units a form lists and never the importer; every fault of a file is
//! named in one pass; a province's support resets below its own unit and never runs `doctor`; the
//! help and `doctor` name the Ministry's support line.

mod common;
use common::*;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

/// The form exactly as published: 序号, 单位, 类别, 处室, 职务, 办公电话, 手机号, 电子邮箱 — no
/// 姓名 — with its preamble, in GBK with CRLF line ends, as Excel on Chinese Windows saves it.
const PUBLISHED: &str = "hebei-personnel-form-published-gbk.csv";

/// The usernames its ten people get when 河北省's admin (130000-A01) proposes them, form order.
const USERS: [&str; 10] = [
    "130000-I01",
    "130000-R01",
    "130100-I01",
    "130100-R01",
    "130100-A01",
    "130102-I01",
    "130102-R01",
    "130102-A01",
    "130108-R01",
    "130108-A01",
];

const HEADER: &str = "序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱";

/// A form in the official layout, UTF-8, its header on line 3: the first data row is line 4.
fn form(env: &Env, name: &str, rows: &[&str]) -> String {
    let mut s = String::from("全国教育信息化工作进展信息系统管理人员信息表,,,,,,,,\n单位名称（盖章）：测试,,,,,,,,\n");
    s.push_str(HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    env.write_file(name, s.as_bytes())
}

/// 河北省's admin: 130000-A01.
fn province(env: &Env) -> String {
    let u = env.person("130000", "admin", "省管", "13700000001");
    assert_eq!(u, "130000-A01");
    u
}

fn import(env: &Env, user: &str, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["account", "import", file];
    args.extend_from_slice(extra);
    env.run(Some(user), &args)
}

fn field(env: &Env, user: &str, col: &str) -> Option<String> {
    env.conn()
        .query_row(&format!("SELECT {col} FROM account WHERE username = ?1"), params![user], |r| r.get(0))
        .unwrap_or_else(|e| panic!("no account {user}: {e}"))
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.as_array().expect("array").iter().map(|o| o[key].as_str().unwrap_or("").to_string()).collect()
}

/// The line numbers of the `line N: …` errors on stderr, in order (one per error).
fn error_lines(r: &Run) -> Vec<u64> {
    r.stderr.lines().filter_map(|l| l.strip_prefix("line ")?.split_once(':')?.0.parse().ok()).collect()
}

/// A codes file: username → its row (username, name, unit, role, mobile, code, expires).
fn read_codes(p: &Path) -> HashMap<String, Vec<String>> {
    let (_, rows) = read_bom_csv(p);
    rows.into_iter().map(|r| (r[0].clone(), r)).collect()
}

/// The province files the published form and the Ministry approves it: (province admin, codes).
fn published_and_approved(env: &Env) -> (String, HashMap<String, Vec<String>>) {
    let prov = province(env);
    let id = import(env, &prov, &example(PUBLISHED), &["--format", "json"]).ok().json()["id"].as_i64().unwrap();
    let codes = env.path("codes.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes.to_str().unwrap()]).ok();
    (prov, read_codes(&codes))
}

/// `login USER --activate CODE --password-stdin` with these extra arguments, stdin not a terminal.
fn activate_with(env: &Env, user: &str, code: &str, extra: &[&str]) -> Run {
    let mut args = vec!["login", user, "--activate", code, "--password-stdin"];
    args.extend_from_slice(extra);
    env.run_stdin(Some(user), &args, &format!("{PASSWORD}\n"))
}

// ---------------------------------------------------------------- 1. the form as published

#[test]
fn spec51_the_published_form_imports_as_published_and_the_person_gives_the_name_at_activation() {
    let env = Env::national();
    let prov = province(&env);

    // The dry run: ten people, none named, the lines of the original file (4 lines before them).
    let r = import(&env, &prov, &example(PUBLISHED), &["--dry-run", "--format", "json"]);
    r.ok().stderr_has("10 people on the form: 0 unchanged; 10 new, 0 changed, 0 to disable");
    let rows = r.json();
    let lines: Vec<i64> = rows.as_array().unwrap().iter().map(|o| o["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, (5..=14).collect::<Vec<_>>());
    assert!(rows.as_array().unwrap().iter().all(|o| o["name"].is_null()), "{rows}");
    assert_eq!(rows[6]["unit"], "130102", "长安区 by name");
    assert_eq!(rows[6]["role"], "reviewer");
    assert_eq!(rows[8]["unit"], "130108", "裕华区 by name");
    // A table says what a missing name means.
    import(&env, &prov, &example(PUBLISHED), &["--dry-run", "--format", "table"])
        .ok()
        .stdout_has("(awaiting its name)");

    // The request: pending accounts without names.
    let r = import(&env, &prov, &example(PUBLISHED), &["--format", "json"]);
    r.ok().stderr_has("roster request #1 filed");
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending' AND name IS NULL"), 10);
    assert_eq!(field(&env, "130102-R01", "email").as_deref(), Some("djz@example.cn"));
    let show = env.admin(&["request", "show", &id.to_string(), "--format", "json"]).ok().json();
    assert_eq!(strs(&show["diff"]["add"], "username"), USERS);
    assert!(show["diff"]["add"][6]["name"].is_null(), "{show}");

    // Approved: active, still nameless; the codes file has an empty name.
    let codes_path = env.path("codes.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes_path.to_str().unwrap()]).ok();
    let codes = read_codes(&codes_path);
    assert_eq!(codes.len(), 10);
    let sun = &codes["130102-R01"];
    assert_eq!(&sun[1..5], ["", "130102", "reviewer", "13960000022"]);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'active' AND name IS NULL"), 10);

    // Lists show the account as awaiting its name, in both languages; machine formats leave it empty.
    let list = env.admin(&["account", "list", "--under", "130102", "--format", "json"]).ok().json();
    assert!(list.as_array().unwrap().iter().all(|o| o["name"].is_null()), "{list}");
    env.admin(&["account", "list", "--under", "130102", "--format", "table"]).ok().stdout_has("(awaiting its name)");
    env.admin(&["account", "list", "--under", "130102", "--format", "table", "--lang", "zh"])
        .ok()
        .stdout_has("（待本人激活时填写）");
    env.admin(&["account", "show", "130102-R01", "--format", "table"]).ok().stdout_has("(awaiting its name)");
    // The 催报 list still gives the unit's contact's mobile.
    let missing =
        env.admin(&["report", "missing", "--under", "130102", "--period", "2026-11", "--format", "json"]).ok().json();
    let changan = missing.as_array().unwrap().iter().find(|o| o["code"] == "130102").expect("130102 is missing");
    assert!(changan["contact"].is_null(), "{changan}");
    assert_eq!(changan["mobile"], "13960000023", "its admin's: {changan}");

    // Without a terminal and without --name, activation is refused and writes nothing.
    let audit0 = env.audit_count();
    activate_with(&env, "130102-R01", &sun[5], &[])
        .code(2)
        .stderr_has("130102-R01 was issued without a name")
        .stderr_has("--name");
    activate_with(&env, "130102-R01", &sun[5], &["--name", "  "]).code(6).stderr_has("姓名");
    assert_eq!(env.audit_count(), audit0, "nothing recorded, not even a failure");
    assert_eq!(field(&env, "130102-R01", "password_hash"), None);
    assert_eq!(field(&env, "130102-R01", "activated_at"), None);
    assert_eq!(env.count("SELECT failed_logins FROM account WHERE username = '130102-R01'"), 0);
    // The schema itself refuses an activated account without a name.
    let err = env
        .conn()
        .execute("UPDATE account SET activated_at = '2026-11-20T02:00:00Z' WHERE username = '130102-R01'", [])
        .expect_err("an activated account needs a name");
    // (SQLite's words, or PostgreSQL's.)
    let said = err.to_string();
    assert!(said.contains("CHECK constraint failed") || said.contains("violates check constraint"), "{said}");

    // With --name: the name is the person's, recorded in the activation's audit event.
    activate_with(&env, "130102-R01", &sun[5], &["--name", " 孙强 "])
        .ok()
        .stderr_has("signed in as 130102-R01 (孙强, reviewer of 130102)");
    assert_eq!(field(&env, "130102-R01", "name").as_deref(), Some("孙强"));
    assert!(field(&env, "130102-R01", "activated_at").is_some());
    let ev = env.trail("account.activate", "130102-R01");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].detail["after"]["name"], "孙强");
    env.run(Some("130102-R01"), &["whoami", "--format", "json"]).ok();
    let list = env.admin(&["account", "list", "--under", "130102", "--format", "json"]).ok().json();
    let names: Vec<&Value> = list.as_array().unwrap().iter().map(|o| &o["name"]).collect();
    assert_eq!(names, [&Value::Null, &Value::Null, &Value::from("孙强")], "A01, I01, R01 in username order");
}

#[test]
fn spec2_an_account_with_a_name_refuses_another_one_at_activation() {
    let env = Env::national();
    let j = env.add_account("130102", "reviewer", "孙强", "13700000002", &["--format", "json"]).ok().json();
    let code = j["activation_code"].as_str().unwrap().to_string();
    let audit0 = env.audit_count();
    activate_with(&env, "130102-R01", &code, &["--name", "李四"])
        .code(5)
        .stderr_has("130102-R01 was issued to 孙强")
        .stderr_has("ask the issuer");
    assert_eq!(env.audit_count(), audit0, "nothing written: the code still works");
    assert_eq!(field(&env, "130102-R01", "password_hash"), None);
    // The name it has is no change: a script that always passes --name still works.
    activate_with(&env, "130102-R01", &code, &["--name", "孙强"]).ok();
    assert_eq!(field(&env, "130102-R01", "name").as_deref(), Some("孙强"));
    // --name belongs to an activation.
    env.run_stdin(Some("130102-R01"), &["login", "130102-R01", "--password-stdin", "--name", "孙强"], PASSWORD).code(2);
}

#[test]
fn spec2_on_a_terminal_the_activation_asks_for_the_name() {
    // `script` (util-linux) gives eip a terminal; without it there is no terminal to test with.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` on PATH to run eip on a terminal");
        return;
    }
    let env = Env::national();
    let (_prov, codes) = published_and_approved(&env);
    let user = "130102-A01";
    let c = env.command(Some(user), &["login", user, "--activate", &codes[user][5], "--password-stdin"]);
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(c.get_program()).chain(c.get_args()).map(quote).collect();
    let mut sh = std::process::Command::new("timeout");
    sh.arg("30").arg("script").arg("-qec").arg(line.join(" ")).arg("/dev/null");
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    // The name at the prompt, then the password on the terminal's standard input.
    let r = Env::run_cmd(sh, Some(&format!("周丽\n{PASSWORD}\n")));
    r.ok().stdout_has("Your real name (姓名)");
    assert_eq!(field(&env, user, "name").as_deref(), Some("周丽"));
    assert_eq!(env.trail("account.activate", user)[0].detail["after"]["name"], "周丽");
}

#[test]
fn spec51_the_published_form_again_keeps_the_names_people_gave() {
    let env = Env::national();
    let (prov, codes) = published_and_approved(&env);
    activate_with(&env, "130102-R01", &codes["130102-R01"][5], &["--name", "孙强"]).ok();
    let audit0 = env.audit_count();
    import(&env, &prov, &example(PUBLISHED), &[])
        .ok()
        .stderr_has("10 people on the form: 10 unchanged; 0 new, 0 changed, 0 to disable")
        .stderr_has("nothing to do");
    assert_eq!(env.audit_count(), audit0);
    assert_eq!(field(&env, "130102-R01", "name").as_deref(), Some("孙强"));
    // A form that does give a name names a nameless account (a change, for the Ministry to approve).
    let f = form(&env, "named.csv", &["1,周丽,长安区,区县级管理员,电教站,科员,0311-85000003,13960000023,"]);
    let d = import(&env, &prov, &f, &["--dry-run", "--format", "json"]).ok().json();
    assert_eq!(strs(&d, "change"), ["change"]);
    assert!(d[0]["detail"].as_str().unwrap().contains("name:  → 周丽"), "{d}");
}

// ---------------------------------------------------------------- 2. export

#[test]
fn spec51_export_writes_the_units_name_with_its_code_beside_and_round_trips_with_or_without_names() {
    let env = Env::national();
    let (prov, codes) = published_and_approved(&env);
    activate_with(&env, "130102-R01", &codes["130102-R01"][5], &["--name", "孙强"]).ok();

    let out = env.path("export.csv");
    env.admin(&["account", "export", "--under", "130000", "-o", out.to_str().unwrap()]).ok();
    let text = std::fs::read_to_string(&out).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[3], "序号,姓名,单位,单位代码,类别,处室,职务,办公电话,手机号,电子邮箱");
    assert_eq!(lines.len(), 4 + 11, "the ten and the province's admin");
    assert!(lines.contains(&"3,省管,河北省,130000,省级管理员,,,,13700000001,"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l
                .ends_with(",孙强,长安区,130102,区县级审核员,电教站,站长,0311-85000002,13960000022,djz@example.cn")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with(",,裕华区,130108,区县级管理员,电教站,科员,0311-85200003,13960000033,")),
        "{text}"
    );

    // The export imports back unchanged, for the province and the Ministry (长安区 names two
    // units in the country: its code beside it says which).
    let audit0 = env.audit_count();
    import(&env, &prov, out.to_str().unwrap(), &[]).ok().stderr_has("11 people on the form: 11 unchanged");
    env.admin(&["account", "import", out.to_str().unwrap()]).ok().stderr_has("nothing to do");
    // Without its 姓名 column too: the names people gave are kept.
    let nameless: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i < 3 {
                return format!("{l}\n");
            }
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(1);
            format!("{}\n", cells.join(","))
        })
        .collect();
    let f = env.write_file("nameless.csv", nameless.as_bytes());
    import(&env, &prov, &f, &[]).ok().stderr_has("11 people on the form: 11 unchanged");
    assert_eq!(env.audit_count(), audit0);
    assert_eq!(env.count("SELECT count(*) FROM request"), 1);

    // A 单位 that is not its 单位代码's unit is a row error naming both.
    let wrong = text.replace(",孙强,长安区,130102,", ",孙强,裕华区,130102,");
    let f = env.write_file("wrong.csv", wrong.as_bytes());
    let r = import(&env, &prov, &f, &[]);
    r.code(6).stderr_has("单位 裕华区 is not the unit of 单位代码 130102 (长安区)");
    assert_eq!(error_lines(&r).len(), 1);
}

// ---------------------------------------------------------------- 3. --sync

#[test]
fn spec51_sync_proposes_disabling_only_staff_of_the_listed_units_and_never_the_importer() {
    let env = Env::national();
    let prov = province(&env);
    // Issued separately by the Ministry: the province's reviewer, a county's admin the form does
    // not list, and 长安区's reviewer who has left.
    let prov_reviewer = env.person("130000", "reviewer", "张伟", "13700000002");
    let yuhua = env.person("130108", "admin", "裕管", "13700000003");
    let sun = env.person("130102", "reviewer", "孙强", "13700000004");
    // The form lists 河北省 (its new inspector) and 长安区 (its new reviewer); not its importer.
    let f = form(
        &env,
        "sync.csv",
        &[
            "1,刘洋,河北省,省级视察员,厅领导,副厅长,,13960000101,",
            "2,钱新,长安区,区县级审核员,电教站,站长,,13960000102,",
        ],
    );
    let r = import(&env, &prov, &f, &["--sync", "--dry-run", "--format", "json"]);
    r.ok().stderr_has("2 people on the form: 0 unchanged; 2 new, 0 changed, 2 to disable");
    let d = r.json();
    assert_eq!(strs(&d, "change"), ["add", "add", "disable", "disable"]);
    assert_eq!(strs(&d, "username")[2..], [prov_reviewer.as_str(), sun.as_str()]);

    let id = import(&env, &prov, &f, &["--sync", "--format", "json"]).ok().json()["id"].as_i64().unwrap();
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", env.path("c.csv").to_str().unwrap()]).ok();
    assert_eq!(field(&env, &prov_reviewer, "status").as_deref(), Some("disabled"));
    assert_eq!(field(&env, &sun, "status").as_deref(), Some("disabled"));
    assert_eq!(field(&env, &prov, "status").as_deref(), Some("active"), "never the importer");
    assert_eq!(field(&env, &yuhua, "status").as_deref(), Some("active"), "a unit the form does not list");
    assert_eq!(field(&env, "130102-R02", "status").as_deref(), Some("active"));
    env.run(Some(&prov), &["whoami"]).ok();
}

// ---------------------------------------------------------------- 4. every fault at once

#[test]
fn spec5_every_fault_of_every_row_is_named_in_one_pass() {
    let env = Env::national();
    let prov = province(&env);
    let holder = env.person("130104", "admin", "桥管", "13700000050");
    let f = form(
        &env,
        "faults.csv",
        &[
            // Line 4: an unknown unit.
            "1,甲,不存在区,区县级管理员,,,,13920000001,",
            // Line 5: the mobile of line 4 (a bad row still holds its mobile), and a bad email.
            "2,乙,130102,区县级管理员,,,,13920000001,yi.example.cn",
            // Line 6: a bad 类别, and a mobile another active account holds.
            "3,丙,130102,区县级审查员,,,,13700000050,",
            // Line 7: a bad mobile, and a 类别 of another level.
            "4,丁,130104,地市级视察员,,,,1391234,",
            // Line 8 is good; line 9 is a second reviewer of the same unit.
            "5,戊,130102,区县级审核员,,,,13920000005,",
            "6,己,130102,区县级审核员,,,,13920000006,",
        ],
    );
    let (accounts0, audit0) = (env.count("SELECT count(*) FROM account"), env.audit_count());
    let rejects = env.path("rejects.csv");
    let r = import(&env, &prov, &f, &["--rejects", rejects.to_str().unwrap()]);
    r.code(6);
    assert_eq!(error_lines(&r), [4, 5, 5, 6, 6, 7, 7, 9], "{}", r.stderr);
    r.stderr_has("line 4: no unit 不存在区 in your scope");
    r.stderr_has("line 5: mobile 13920000001 is already on line 4");
    r.stderr_has("line 5: yi.example.cn is not an email address");
    r.stderr_has("line 6: 区县级审查员 is not a 类别");
    r.stderr_has(&format!("line 6: mobile 13700000050 already belongs to the active account {holder}"));
    r.stderr_has("line 7: 1391234 is not a mobile number");
    r.stderr_has("line 7: 地市级视察员 is for a prefecture unit, but 130104 桥西区 is a county");
    r.stderr_has("line 9: 130102 already has a reviewer on line 8");
    r.stderr_has("5 of 6 rows are bad");
    // The rejects file holds each bad row once, with all of its faults.
    let (_, rows) = read_bom_csv(&rejects);
    assert_eq!(rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["1", "2", "3", "4", "6"]);
    assert!(rows[1][9].contains("already on line 4") && rows[1][9].contains("not an email address"), "{:?}", rows[1]);
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
    assert_eq!(env.audit_count(), audit0);
}

// ---------------------------------------------------------------- 5. support at every level

#[test]
fn art6_a_provinces_support_resets_below_its_unit_and_reads_its_scope_only() {
    let env = Env::national();
    // Issued by the Ministry like other staff: the role letter T.
    let support = env.person("130000", "support", "省技支", "13700000060");
    assert_eq!(support, "130000-T01");
    let prov = province(&env);
    let pref = env.person("130100", "admin", "市管", "13700000061");
    let county = env.person("130102", "admin", "区管", "13700000062");
    let school = env.changan_first_school(&county, "校管", "13700000063");
    let beijing = env.person("110000", "admin", "京管", "13700000064");
    let ministry_support = env.person("000000", "support", "部技支", "13700000065");

    // Resets: strictly below its own unit, schools in scope.
    for target in [&pref, &county, &school] {
        let j = env.run(Some(&support), &["account", "reset", target, "--format", "json"]).ok().json();
        assert!(j["activation_code"].as_str().is_some_and(|c| c.len() >= 26), "{target}: {j}");
    }
    // Never its own unit's accounts, itself included; above or elsewhere is outside its scope.
    for target in [&prov, &support] {
        env.run(Some(&support), &["account", "reset", target]).code(3).stderr_has(&format!("{support} may not reset"));
    }
    for target in [ADMIN, beijing.as_str(), ministry_support.as_str()] {
        env.run(Some(&support), &["account", "reset", target]).code(4).stderr_has("in your scope");
    }
    assert_eq!(field(&env, &prov, "activation_hash"), None, "the province admin was not reset");

    // The whole file is the Ministry's: no doctor, no audit verify.
    for cmd in [vec!["doctor"], vec!["audit", "verify"]] {
        env.run(Some(&support), &cmd).code(3).stderr_has("a Ministry admin or the Ministry's support may");
    }
    env.run(Some(&ministry_support), &["doctor"]).ok();

    // Read-only in its scope; school basic info with a reason.
    let list = env.run(Some(&support), &["account", "list", "--format", "json"]).ok().json();
    let users = strs(&list, "username");
    assert!(users.contains(&county) && !users.contains(&beijing), "{users:?}");
    env.run(Some(&support), &["account", "show", &beijing]).code(4);
    env.run(Some(&support), &["school", "edit", "2113010001", "--students", "900", "--reason", "核对"]).ok();
    env.run(Some(&support), &["school", "edit", "2113010001", "--students", "901"]).code(2);
    env.run(Some(&support), &["report", "set", "--org", "2113010001", "classrooms=30"]).code(3);
    env.run(
        Some(&support),
        &["account", "add", "--unit", "130102", "--role", "admin", "--name", "x", "--mobile", "13700000066"],
    )
    .code(3);
    env.run(Some(&support), &["unit", "rename", "130102", "长安区"]).code(3);
    env.run(Some(&support), &["school", "show", "2113010001", "--format", "json"]).ok();

    // The Ministry's support resets it (below the Ministry); a school holds no support account.
    env.run(Some(&ministry_support), &["account", "reset", &support]).ok();
    env.add_account("2113010001", "support", "x", "13700000067", &[])
        .code(6)
        .stderr_has("a support account belongs to an admin unit");
}

// ---------------------------------------------------------------- 6. the support line (Art. 21)

#[test]
fn art21_the_help_footer_and_doctors_hints_name_the_ministrys_support_line() {
    let env = Env::national();
    env.run(None, &["--help"]).ok().stdout_has("教育部技术支持电话").stdout_has("4008980910");
    env.admin(&["doctor"]).ok().stderr_lacks("4008980910");
    // A path edited behind the tool's back: the hint names the line, in both languages.
    let c = env.conn();
    c.execute("UPDATE org SET path = '/000000/130000/999999/' WHERE code = '130100'", []).unwrap();
    env.admin(&["doctor"]).code(1).stderr_has("doctor found problems: the tree (tree_paths)").stderr_has("4008980910");
    env.admin(&["doctor", "--lang", "zh"]).code(1).stderr_has("教育部技术支持电话（第二十一条）：4008980910");
    c.execute("UPDATE org SET path = '/000000/130000/130100/' WHERE code = '130100'", []).unwrap();
    // A broken audit chain too.
    c.tamper_audit("audit_no_update", "UPDATE audit SET reason = 'x' WHERE seq = 3", []).unwrap();
    env.admin(&["doctor"]).code(8).stderr_has("4008980910");
}
