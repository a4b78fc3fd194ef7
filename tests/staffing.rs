//! Staffing, and schools with their admins in bulk (Art. 6, 8, 10, §3, §4.2, §4.5, §4.7,
//! §5.2): `unit staffing` lists every unit lacking an active admin, reviewer or inspector and every
//! school without an active school admin; the 催报 list says "no school admin" where it has no
//! contact; a schools import with 学校管理员姓名 and 学校管理员手机号 issues the school admins'
//! accounts, their codes written by `--codes-out` as a roster approval writes them; and one
//! `report confirm` confirms several schools, all of them or none.

mod common;
use common::admins::*;
use common::*;

use serde_json::Value;

const COUNTY: &str = "130102";
const S1: &str = "2113010001";
const S2: &str = "2113010002";
const S3: &str = "2113010003";
const S4: &str = "2113010004";
const S5: &str = "2113010005";
const TP6: &str = "2213010006";
const P: &str = "2026-11";

/// The codes file's header, as a roster approval writes it.
const CODES_HEADER: [&str; 7] = ["username", "name", "unit", "role", "mobile", "activation_code", "expires_at"];

/// The 14 schools of 长安区 imported by its admin `c`.
fn import_changan(env: &Env, c: &str) {
    env.run(Some(c), &["school", "import", &example("changan-schools.csv")]).ok().stderr_has("14 rows: 14 added");
}

/// `account add --unit SCHOOL --role school_admin` as `by`: the username.
fn school_admin(env: &Env, by: &str, school: &str, name: &str, mobile: &str) -> String {
    let j = env
        .run(
            Some(by),
            &[
                "account",
                "add",
                "--unit",
                school,
                "--role",
                "school_admin",
                "--name",
                name,
                "--mobile",
                mobile,
                "--format",
                "json",
            ],
        )
        .ok()
        .json();
    j["username"].as_str().expect("username").to_string()
}

/// `unit staffing ARGS… --format json` as `user`: (code, level, parent, missing) of each row.
fn staffing(env: &Env, user: &str, args: &[&str]) -> Vec<(String, String, String, String)> {
    let mut a = vec!["unit", "staffing"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json"]);
    let j = env.run(Some(user), &a).ok().json();
    j.as_array()
        .expect("a JSON list")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_else(|| panic!("{k} in {r}")).to_string();
            // The Ministry has no parent: null.
            let parent = r["parent"].as_str().unwrap_or_default().to_string();
            (s("code"), s("level"), parent, s("missing"))
        })
        .collect()
}

fn row(code: &str, level: &str, parent: &str, missing: &str) -> (String, String, String, String) {
    (code.into(), level.into(), parent.into(), missing.into())
}

/// The line of a table that holds `code`.
fn line_of<'a>(table: &'a str, code: &str) -> &'a str {
    table.lines().find(|l| l.contains(code)).unwrap_or_else(|| panic!("no line for {code} in\n{table}"))
}

fn op_state(env: &Env, org: &str, period: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT op.state FROM org_period op JOIN org o ON o.id = op.org_id WHERE o.code = ?1 AND op.period = ?2",
            [org, period],
            |r| r.get(0),
        )
        .ok()
}

fn account(env: &Env, username: &str) -> Option<(String, String, String, String, String)> {
    env.conn()
        .query_row(
            "SELECT a.status, a.role, o.code, a.name, a.mobile FROM account a JOIN org o ON o.id = a.org_id
             WHERE a.username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .ok()
}

fn accounts(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM account")
}

fn schools(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM org WHERE level = 'school'")
}

// ---------------------------------------------------------------- unit staffing (Art. 6, 8)

/// 长安区 with its admin and a reviewer but no inspector; its 14 schools, 第一小学 with its admin,
/// 第二小学's admin disabled, 西兆通小学 revoked and 第五 deleted. Returns the county admin.
fn changan_with_gaps(env: &Env) -> String {
    let c = county(env);
    env.person(COUNTY, "reviewer", "长安审", "13700000111");
    import_changan(env, &c);
    school_admin(env, &c, S1, "赵敏", "13700000201");
    let s2 = school_admin(env, &c, S2, "钱二", "13700000202");
    env.run(Some(&c), &["account", "disable", &s2, "--reason", "调离"]).ok();
    env.run(Some(&c), &["school", "revoke", S4, "--reason", "撤并"]).ok();
    env.run(Some(&c), &["school", "delete", S5, "--yes"]).ok();
    c
}

#[test]
fn art6_staffing_lists_each_unit_and_school_with_the_roles_it_lacks() {
    let env = Env::national();
    let c = changan_with_gaps(&env);
    // The county lacks its inspector; every live, active school without an active school admin
    // is listed (第二小学's admin was disabled), in tree order; 第一小学 (staffed), 西兆通小学
    // (revoked) and 第五 (deleted) are not.
    let want = vec![
        row(COUNTY, "county", "130100", "inspector"),
        row("1113010014", "school", COUNTY, "school_admin"),
        row(S2, "school", COUNTY, "school_admin"),
        row(S3, "school", COUNTY, "school_admin"),
        row(TP6, "school", COUNTY, "school_admin"),
        row("2213010007", "school", COUNTY, "school_admin"),
        row("3113010008", "school", COUNTY, "school_admin"),
        row("3113010009", "school", COUNTY, "school_admin"),
        row("3213010010", "school", COUNTY, "school_admin"),
        row("3413010011", "school", COUNTY, "school_admin"),
        row("3613010012", "school", COUNTY, "school_admin"),
        row("5113010013", "school", COUNTY, "school_admin"),
    ];
    assert_eq!(staffing(&env, &c, &[]), want, "the county admin's scope");
    assert_eq!(staffing(&env, &c, &["--under", COUNTY]), want, "--under its own unit: the same");

    // CSV: stable keys; the roles a unit lacks, space-separated.
    let csv = env.run(Some(&c), &["unit", "staffing", "--format", "csv"]).ok().stdout.clone();
    assert_eq!(csv_rows(&csv)[0], vec!["code", "name", "level", "parent", "missing"]);
    let maps = csv_maps(&csv);
    assert_eq!(maps[0]["name"], "长安区");
    assert_eq!(maps[2]["name"], "长安区第二小学");

    // A table says it in words, in either language.
    let table = env.run(Some(&c), &["unit", "staffing", "--format", "table"]).ok().stdout.clone();
    assert!(line_of(&table, COUNTY).contains("inspector"), "{table}");
    assert!(line_of(&table, S2).contains("school admin"), "{table}");
    let zh = env.run(Some(&c), &["unit", "staffing", "--format", "table", "--lang", "zh"]).ok().stdout.clone();
    assert!(line_of(&zh, COUNTY).contains("视察员"), "{zh}");
    assert!(line_of(&zh, S2).contains("学校管理员"), "{zh}");

    // The prefecture sees itself (an admin, no reviewer or inspector), each of its counties, and
    // their schools.
    let p = prefecture(&env);
    let rows = staffing(&env, &p, &[]);
    assert_eq!(rows[0], row("130100", "prefecture", "130000", "reviewer inspector"));
    assert!(rows.contains(&row("130104", "county", "130100", "admin reviewer inspector")), "{rows:?}");
    assert!(rows.contains(&row(COUNTY, "county", "130100", "inspector")), "{rows:?}");
    assert_eq!(rows.iter().filter(|r| r.1 == "school").count(), 11);
    let counties = env.count("SELECT count(*) FROM org WHERE level = 'county' AND path LIKE '/000000/130000/130100/%'");
    assert_eq!(rows.iter().filter(|r| r.1 == "county").count() as i64, counties, "every county lacks someone");

    // A unit that lacks nothing is not listed; a school whose admin is issued leaves the list.
    env.person(COUNTY, "inspector", "长安视", "13700000112");
    school_admin(&env, &c, S3, "李华", "13700000203");
    let rows = staffing(&env, &c, &[]);
    assert_eq!(rows.len(), want.len() - 2);
    assert!(rows.iter().all(|r| r.0 != COUNTY && r.0 != S3), "{rows:?}");
    assert_eq!(rows[0], row("1113010014", "school", COUNTY, "school_admin"));
}

#[test]
fn art6_a_unit_without_anyone_lacks_all_three_and_the_ministry_sees_the_country() {
    let env = Env::national();
    let rows = staffing(&env, ADMIN, &[]);
    // The Ministry has its admin and no reviewer or inspector; no province has anyone.
    assert_eq!(rows[0], row("000000", "ministry", "", "reviewer inspector"));
    let units = env.count("SELECT count(*) FROM org WHERE level <> 'school'");
    assert_eq!(rows.len() as i64, units, "every one of the country's units lacks someone");
    assert!(rows[1..].iter().all(|r| r.3 == "admin reviewer inspector"), "{:?}", &rows[..3]);
    assert_eq!(
        staffing(&env, ADMIN, &["--under", "130104"]),
        vec![row("130104", "county", "130100", "admin reviewer inspector")]
    );
}

#[test]
fn spec1_staffing_reads_only_inside_the_scope() {
    let env = Env::national();
    let c = changan_with_gaps(&env);
    // Outside the county admin's scope: not found, whether a neighbour or its own parent.
    for other in ["130104", "130100", "999999"] {
        env.run(Some(&c), &["unit", "staffing", "--under", other]).code(4).stderr_has(&format!("no unit {other}"));
    }
    // Reading is open to every role in its scope: the county's inspector reads it too.
    let inspector = env.person(COUNTY, "inspector", "长安视", "13700000112");
    assert_eq!(staffing(&env, &inspector, &[]).len(), 11, "the 11 schools; the county lacks no one now");
    // A school's own admin sees its school alone, staffed: nothing; and no unit at all.
    let s = env.school_admin(
        &c,
        &["2113010020", "长安区新学校", "--unit", COUNTY, "--admin-name", "孙七", "--admin-mobile", "13700000220"],
    );
    assert_eq!(staffing(&env, &s, &[]), vec![]);
    env.run(Some(&s), &["unit", "staffing", "--under", COUNTY]).code(4);
}

// ---------------------------------------------------------------- the 催报 list

#[test]
fn spec45_missing_says_no_school_admin_in_a_table_and_leaves_the_fields_empty_for_programs() {
    let env = Env::national();
    let c = county(&env);
    import_changan(&env, &c);
    school_admin(&env, &c, S1, "赵敏", "13700000201");
    let args = ["report", "missing", "--under", COUNTY, "--period", P];
    let table = env.run(Some(&c), &[&args[..], &["--format", "table"]].concat()).ok().stdout.clone();
    assert!(line_of(&table, S2).contains("no school admin"), "{table}");
    assert!(line_of(&table, S1).contains("赵敏") && !line_of(&table, S1).contains("no school admin"), "{table}");
    assert!(!line_of(&table, COUNTY).contains("no "), "the county has its admin: {table}");
    let zh = env.run(Some(&c), &[&args[..], &["--format", "table", "--lang", "zh"]].concat()).ok().stdout.clone();
    assert!(line_of(&zh, S2).contains("无学校管理员"), "{zh}");

    // For programs the columns are as they were: the contact's fields empty.
    for format in ["csv", "json"] {
        let out = env.run(Some(&c), &[&args[..], &["--format", format]].concat()).ok().stdout.clone();
        assert!(!out.contains("no school admin"), "{format}: {out}");
    }
    let csv = env.run(Some(&c), &[&args[..], &["--format", "csv"]].concat()).ok().stdout.clone();
    assert_eq!(csv_rows(&csv)[0], vec!["code", "name", "level", "parent", "state", "contact", "mobile", "email"]);
    let maps = csv_maps(&csv);
    let s2 = maps.iter().find(|m| m["code"] == S2).unwrap();
    assert_eq!((s2["contact"].as_str(), s2["mobile"].as_str(), s2["email"].as_str()), ("", "", ""));
    let j = env.run(Some(&c), &[&args[..], &["--format", "json"]].concat()).ok().json();
    let s2 = j.as_array().unwrap().iter().find(|m| m["code"] == S2).unwrap();
    assert_eq!(s2["contact"], Value::Null);

    // A unit without an active admin says so too.
    let p = prefecture(&env);
    let table = env.run(Some(&p), &["report", "missing", "--period", P, "--format", "table"]).ok().stdout.clone();
    assert!(line_of(&table, "130104").contains("no admin"), "{table}");
    assert!(line_of(&table, "130100").contains("市管"), "{table}");
}

// ---------------------------------------------------------------- schools import with their admins

const WITH_ADMINS: &str = "code,name,kind,unit,admin_name,admin_mobile
2113010001,长安区第一小学,school,130102,赵敏,13700000201
2113010002,长安区第二小学,school,130102,,
2113010003,长安区育才小学,school,130102,李华,13700000203
";

#[test]
fn spec52_an_import_issues_each_new_schools_admin_and_writes_the_codes_file() {
    let env = Env::national();
    let c = county(&env);
    let f = env.write_file("schools.csv", WITH_ADMINS.as_bytes());
    let codes = env.path("codes.csv");
    let before = env.audit_count();
    // A dry run issues nothing and creates no codes file.
    env.run(Some(&c), &["school", "import", &f, "--dry-run", "--codes-out", codes.to_str().unwrap()])
        .ok()
        .stderr_has("3 rows: 3 added");
    assert!(!codes.exists());
    assert_eq!(env.audit_count(), before);

    let r = env.run(Some(&c), &["school", "import", &f, "--codes-out", codes.to_str().unwrap()]);
    r.ok().stderr_has("3 rows: 3 added, 0 changed, 0 unchanged").stderr_has("2 activation codes written to");
    assert_eq!(r.stdout, "", "the codes are in the file, not on stdout");
    assert_eq!(mode_of(&codes), 0o600);
    let (header, rows) = read_bom_csv(&codes);
    assert_eq!(header, CODES_HEADER);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][..5], ["2113010001-S01", "赵敏", S1, "school_admin", "13700000201"]);
    assert_eq!(rows[1][..5], ["2113010003-S01", "李华", S3, "school_admin", "13700000203"]);
    // The accounts: active school admins of their schools, issued by the county admin, one
    // `account.add` each beside each `school.add`, as `school add --admin-name` records them.
    assert_eq!(
        account(&env, "2113010001-S01"),
        Some(("active".into(), "school_admin".into(), S1.into(), "赵敏".into(), "13700000201".into()))
    );
    assert_eq!(account(&env, "2113010002-S01"), None, "no admin named for 第二小学");
    for (user, school) in [("2113010001-S01", S1), ("2113010003-S01", S3)] {
        let t = env.trail("account.add", user);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].actor, c);
        assert_eq!(t[0].detail["after"]["org"], school);
        assert_eq!(t[0].detail["after"]["role"], "school_admin");
        assert_eq!(t[0].detail["after"]["status"], "active");
        assert_eq!(env.events_on("school.add", school), 1);
    }
    assert_eq!(env.audit_count() - before, 5, "three schools, two accounts");
    // Each code activates its account.
    env.activate("2113010001-S01", &rows[0][5]).ok();
    env.run(Some("2113010001-S01"), &["whoami"]).ok().stdout_has(S1);

    // The same file again: nothing to do, nothing recorded (the named admins are the schools'
    // own, by their mobile); the codes file it asks for holds no code.
    let audit = env.audit_count();
    let again = env.path("again.csv");
    env.run(Some(&c), &["school", "import", &f, "--codes-out", again.to_str().unwrap()])
        .ok()
        .stderr_has("3 rows: 0 added, 0 changed, 3 unchanged");
    assert_eq!(env.audit_count(), audit);
    assert_eq!(read_bom_csv(&again).1.len(), 0);
}

#[test]
fn spec52_the_codes_file_is_never_written_over_and_nothing_is_imported_then() {
    let env = Env::national();
    let c = county(&env);
    let f = env.write_file("schools.csv", WITH_ADMINS.as_bytes());
    let codes = env.write_file("codes.csv", b"keep me");
    let before = (env.audit_count(), schools(&env), accounts(&env));
    env.run(Some(&c), &["school", "import", &f, "--codes-out", &codes]).code(5).stderr_has("exists");
    assert_eq!(std::fs::read(&codes).unwrap(), b"keep me");
    assert_eq!((env.audit_count(), schools(&env), accounts(&env)), before);
    // Nor through a link.
    let target = env.path("elsewhere.csv");
    let link = env.path("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    env.run(Some(&c), &["school", "import", &f, "--codes-out", link.to_str().unwrap()]).code(5);
    assert!(!target.exists());
    assert_eq!((env.audit_count(), schools(&env), accounts(&env)), before);
}

#[test]
fn spec52_without_codes_out_the_codes_are_listed_as_a_roster_approval_lists_them() {
    let env = Env::national();
    let c = county(&env);
    let f = env.write_file("schools.csv", WITH_ADMINS.as_bytes());
    let j = env.run(Some(&c), &["school", "import", &f, "--format", "json"]).ok().json();
    let list = j.as_array().expect("a list of codes");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["username"], "2113010001-S01");
    assert_eq!(list[0]["unit"], S1);
    assert_eq!(list[0]["role"], "school_admin");
    let code = list[1]["activation_code"].as_str().expect("a code");
    env.activate("2113010003-S01", code).ok();
    // A file without the admin columns prints nothing on stdout, as before.
    let r = env.run(Some(&c), &["school", "import", &example("changan-schools.csv"), "--format", "json"]);
    r.ok().stderr_has("14 rows: 11 added, 3 changed, 0 unchanged");
    assert_eq!(r.stdout, "");
}

#[test]
fn spec52_an_existing_school_without_an_admin_gets_one_and_one_with_an_admin_keeps_it() {
    let env = Env::national();
    let c = county(&env);
    import_changan(&env, &c);
    school_admin(&env, &c, S1, "赵敏", "13700000201");
    // 第二小学 has no admin: the import issues one (a change to the school); 第一小学's admin is
    // named again: unchanged. Chinese headers.
    let text = "学校标识码,学校名称,类型,主管单位,学校管理员姓名,学校管理员手机号
2113010001,长安区第一小学,学校,130102,赵敏,13700000201
2113010002,长安区第二小学,学校,130102,钱二,13700000202
";
    let f = env.write_file("more.csv", text.as_bytes());
    let codes = env.path("codes.csv");
    let before = env.audit_count();
    let r = env.run(Some(&c), &["school", "import", &f, "--dry-run", "--format", "json"]);
    r.ok().stderr_has("2 rows: 0 added, 1 changed, 1 unchanged");
    assert_eq!(r.json()[0]["code"], S2);
    assert_eq!(r.json()[0]["admin"], "钱二");
    env.run(Some(&c), &["school", "import", &f, "--codes-out", codes.to_str().unwrap()])
        .ok()
        .stderr_has("2 rows: 0 added, 1 changed, 1 unchanged");
    assert_eq!(account(&env, "2113010002-S01").unwrap().0, "active");
    assert_eq!(read_bom_csv(&codes).1[0][0], "2113010002-S01");
    assert_eq!(env.audit_count() - before, 1, "one account.add; the school's info is unchanged");
    assert_eq!(env.events("school.edit"), 0);

    // Another person named for a school that has its admin: a row error (replacing a school's
    // admin is a personnel change: disable the old account first), nothing written.
    let text = "code,name,unit,admin_name,admin_mobile\n2113010001,长安区第一小学,130102,孙七,13700000207\n";
    let f = env.write_file("other.csv", text.as_bytes());
    let audit = env.audit_count();
    env.run(Some(&c), &["school", "import", &f])
        .code(6)
        .stderr_has("line 2:")
        .stderr_has("2113010001 already has an active school admin 2113010001-S01");
    assert_eq!(env.audit_count(), audit);
    // Once that account is disabled, the import issues the new one.
    env.run(Some(&c), &["account", "disable", "2113010001-S01", "--reason", "调离"]).ok();
    env.run(Some(&c), &["school", "import", &f, "--format", "json"]).ok().stderr_has("1 changed");
    assert_eq!(account(&env, "2113010001-S02").unwrap().4, "13700000207");
}

#[test]
fn spec52_every_fault_of_the_admin_columns_is_named_in_one_pass_and_nothing_is_written() {
    let env = Env::national();
    let c = county(&env);
    let f = env.write_file("schools.csv", WITH_ADMINS.as_bytes());
    env.run(Some(&c), &["school", "import", &f, "--format", "json"]).ok();
    let long = "张".repeat(101);
    let text = format!(
        "code,name,unit,students,admin_name,admin_mobile
2113010004,长安区西兆通小学,130102,,孙七,
2113010005,长安区第五小学,130102,,,13700000205
2213010006,教学点六,130102,,周八,2391234567
2213010007,教学点七,130102,-5,{long},1370000020x
3113010008,初中八,130102,,吴九,13700000208
3113010009,初中九,130102,,郑十,13700000208
3213010010,九年一贯十,130102,,冯一,13700000101
2113010001,长安区第一小学,130102,,钱二,13700000209
3413010011,高中十一,130102,,陈三,13700000210
"
    );
    let bad = env.write_file("bad.csv", text.as_bytes());
    let codes = env.path("codes.csv");
    let before = (env.audit_count(), schools(&env), accounts(&env));
    let r = env.run(Some(&c), &["school", "import", &bad, "--codes-out", codes.to_str().unwrap()]);
    r.code(6);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let on = |n: u64| -> Vec<&str> {
        let prefix = format!("line {n}:");
        lines.iter().copied().filter(|l| l.starts_with(&prefix)).collect()
    };
    // Half an admin: both cells or neither.
    assert!(
        on(2).iter().any(|l| l.contains("admin_name and admin_mobile (学校管理员姓名, 学校管理员手机号) go together")),
        "{lines:?}"
    );
    assert!(
        on(3).iter().any(|l| l.contains("admin_name and admin_mobile (学校管理员姓名, 学校管理员手机号) go together")),
        "{lines:?}"
    );
    assert!(on(4).iter().any(|l| l.contains("2391234567 is not a mobile number")), "{lines:?}");
    // Every fault of a row, not only its first: the count, the name and the mobile.
    let l5 = on(5);
    assert!(l5.iter().any(|l| l.contains("students")), "{l5:?}");
    assert!(l5.iter().any(|l| l.contains("101 characters long")), "{l5:?}");
    assert!(l5.iter().any(|l| l.contains("1370000020x is not a mobile number")), "{l5:?}");
    // One person, one account: in the file, and against the active accounts.
    assert!(on(6).is_empty(), "line 6 is good on its own: {lines:?}");
    assert!(on(7).iter().any(|l| l.contains("13700000208 is already on line 6")), "{lines:?}");
    assert!(on(8).iter().any(|l| l.contains("already belongs to the active account 130102-A01")), "{lines:?}");
    assert!(on(9).iter().any(|l| l.contains("already has an active school admin 2113010001-S01")), "{lines:?}");
    assert!(on(10).is_empty(), "{lines:?}");
    // Nothing written, and the codes file it asked for is gone again.
    assert_eq!((env.audit_count(), schools(&env), accounts(&env)), before);
    assert!(!codes.exists(), "the codes file is removed when the import fails");
}

// ---------------------------------------------------------------- report confirm --org A --org B

#[test]
fn spec42_one_confirm_confirms_several_schools_in_one_transaction() {
    let env = Env::national();
    let c = county(&env);
    import_changan(&env, &c);
    for s in [S1, S2, S4] {
        env.run(Some(&c), &["report", "set", "--org", s, "--period", P, "classrooms=30"]).ok();
    }
    let r = env.run(Some(&c), &["report", "confirm", "--org", S1, "--org", S2, "--org", S1, "--period", P]);
    r.ok()
        .stderr_has("2113010001 2026-11 confirmed; 0 values carried forward")
        .stderr_has("2113010002 2026-11 confirmed; 0 values carried forward")
        .stderr_lacks("already confirmed");
    assert_eq!(op_state(&env, S1, P).as_deref(), Some("confirmed"));
    assert_eq!(op_state(&env, S2, P).as_deref(), Some("confirmed"));
    assert_eq!(env.events_in("report.confirm", S1, P), 1, "named twice, confirmed once");
    assert_eq!(env.events_in("report.confirm", S2, P), 1);

    // All or nothing: 育才小学 has nothing to confirm, so 西兆通小学, confirmable, is not confirmed
    // either; the refusal is the one a single confirm gives (exit 5).
    let audit = env.audit_count();
    env.run(Some(&c), &["report", "confirm", "--org", S4, "--org", S3, "--period", P])
        .code(5)
        .stderr_has("2113010003 has nothing to confirm for 2026-11")
        .stderr_has("nothing was confirmed");
    assert_eq!(op_state(&env, S4, P).as_deref(), Some("filled"));
    assert_eq!(env.audit_count(), audit);
}

#[test]
fn spec42_a_school_the_actor_may_not_confirm_confirms_none_of_them() {
    let env = Env::national();
    let c = county(&env);
    import_changan(&env, &c);
    env.run(Some(&c), &["report", "set", "--org", S1, "--period", P, "classrooms=30"]).ok();
    // A school of the neighbouring county: outside the scope, exit 4 as for one.
    let q = other_county(&env);
    env.run(Some(&q), &["school", "add", "2113040001", "桥西区小学", "--unit", "130104"]).ok();
    env.run(Some(&c), &["report", "confirm", "--org", S1, "--org", "2113040001", "--period", P])
        .code(4)
        .stderr_has("2113040001");
    assert_eq!(op_state(&env, S1, P).as_deref(), Some("filled"));
    // The prefecture's own school and a county's school it sees but does not supervise: exit 3.
    let p = prefecture(&env);
    env.run(Some(&p), &["school", "add", "2113000099", "市直小学", "--unit", "130100"]).ok();
    env.run(Some(&p), &["report", "set", "--org", "2113000099", "--period", P, "classrooms=40"]).ok();
    let audit = env.events("report.confirm");
    env.run(Some(&p), &["report", "confirm", "--org", "2113000099", "--org", S1, "--period", P])
        .code(3)
        .stderr_has("2113010001");
    assert_eq!(op_state(&env, "2113000099", P).as_deref(), Some("filled"));
    assert_eq!(op_state(&env, S1, P).as_deref(), Some("filled"));
    assert_eq!(env.events("report.confirm"), audit);
    // Each on its own, as before: the prefecture confirms its own school.
    env.run(Some(&p), &["report", "confirm", "--org", "2113000099", "--period", P]).ok();
    assert_eq!(op_state(&env, "2113000099", P).as_deref(), Some("confirmed"));
}
