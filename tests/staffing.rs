//! Staffing (Art. 6, 8; SPEC §2, §4.5, §4.7): `unit staffing` lists every unit lacking an active
//! admin, reviewer or inspector and every school without an active school admin; the 催报 list
//! says "no school admin" where it has no contact.

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

// ---------------------------------------------------------------- unit staffing (SPEC §4.7, Art. 6, 8)

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

// ---------------------------------------------------------------- the 催报 list (SPEC §4.5)

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
