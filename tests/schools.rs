//! Schools and teaching points (Art. 11–13; §5.2 schools CSV; §6 requests): created by
//! the supervising unit's admin with the school's own account, basic info filled in by the school,
//! status changes, guarded deletion, transfers that climb level by level up to the Ministry, and
//! all-or-nothing CSV imports that round-trip.

mod common;
use common::admins::*;
use common::*;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

/// The school most tests work on, supervised by 长安区 (130102).
const S1: &str = "2113010001";
/// The path a school of 130102 gets.
const S1_PATH: &str = "/000000/130000/130100/130102/2113010001/";

/// S1's category and location, and its school admin 赵敏, as `school add` takes them (printing
/// the record as JSON).
const S1_WITH_ADMIN: [&str; 10] = [
    "--category",
    "小学",
    "--location",
    "城区",
    "--admin-name",
    "赵敏",
    "--admin-mobile",
    "13700000001",
    "--format",
    "json",
];

/// Technical support at the Ministry.
fn support(env: &Env) -> String {
    env.person("000000", "support", "技术支持", "13700000105")
}

/// `school add CODE NAME --unit UNIT [extra…]` as `user`.
fn add(env: &Env, user: &str, code: &str, name: &str, unit: &str, extra: &[&str]) -> Run {
    let mut args = vec!["school", "add", code, name, "--unit", unit];
    args.extend_from_slice(extra);
    env.run(Some(user), &args)
}

/// Activate an account with PASSWORD and sign it in.
fn activate(env: &Env, user: &str, code: &str) {
    env.activate(user, code).ok().stderr_has(&format!("signed in as {user}"));
}

/// S1 added by `county` with its school admin 赵敏, who is activated and signed in; returns the
/// school admin's username.
fn add_s1_with_admin(env: &Env, county: &str) -> String {
    let j = add(env, county, S1, "长安区第一小学", "130102", &S1_WITH_ADMIN).ok().json();
    let user = j["username"].as_str().expect("username").to_string();
    activate(env, &user, j["activation_code"].as_str().expect("activation code"));
    user
}

/// `school show CODE --format json` as the Ministry admin.
fn show(env: &Env, code: &str) -> Value {
    env.admin(&["school", "show", code, "--format", "json"]).ok().json()
}

/// Live schools (not deleted) in the database.
fn live_schools(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM org WHERE level = 'school' AND deleted_at IS NULL")
}

/// The codes in a JSON list.
fn codes(list: &Value) -> Vec<String> {
    list.as_array().expect("a JSON list").iter().map(|o| o["code"].as_str().expect("code").to_string()).collect()
}

fn account_status(env: &Env, user: &str) -> String {
    env.conn()
        .query_row("SELECT status FROM account WHERE username = ?1", [user], |r| r.get(0))
        .expect("the account exists")
}

fn parent_and_path(env: &Env, code: &str) -> (String, String) {
    env.conn()
        .query_row(
            "SELECT p.code, o.path FROM org o JOIN org p ON p.id = o.parent_id WHERE o.code = ?1 AND o.deleted_at IS NULL",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the school exists")
}

/// The request awaiting unit's code (None once decided).
fn awaiting(env: &Env, id: i64) -> (String, Option<String>) {
    env.conn()
        .query_row(
            "SELECT r.status, CASE WHEN r.status = 'pending' THEN w.code END
             FROM request r LEFT JOIN org w ON w.id = r.awaiting_org_id WHERE r.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the request exists")
}

/// The ids in `request list --format json` as `user`.
fn request_ids(env: &Env, user: &str, all: bool) -> Vec<i64> {
    let mut args = vec!["request", "list", "--format", "json"];
    if all {
        args.push("--all");
    }
    let j = env.run(Some(user), &args).ok().json();
    j.as_array().expect("a JSON list").iter().map(|r| r["id"].as_i64().expect("id")).collect()
}

// ---------------------------------------------------------------- create (Art. 11)

#[test]
fn art11_county_admin_creates_a_school_with_its_admin_account() {
    let env = Env::national();
    let c = county(&env);
    let r = add(&env, &c, S1, "长安区第一小学", "130102", &S1_WITH_ADMIN);
    r.ok().stderr_has("added school 2113010001 长安区第一小学 under 130102").stderr_lacks("warning");
    let j = r.json();
    assert_eq!(j["code"], S1);
    assert_eq!(j["name"], "长安区第一小学");
    assert_eq!(j["unit"], "130102");
    assert_eq!(j["username"], "2113010001-S01");
    let code = j["activation_code"].as_str().expect("an activation code is printed");
    assert!(code.len() >= 26, "≥ 128 random bits: {code}");

    // The org row: a school under 130102, with its materialised path.
    let (level, path, parent): (String, String, String) = env
        .conn()
        .query_row(
            "SELECT o.level, o.path, p.code FROM org o JOIN org p ON p.id = o.parent_id WHERE o.code = ?1",
            [S1],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((level.as_str(), path.as_str(), parent.as_str()), ("school", S1_PATH, "130102"));
    // The school row.
    let (kind, category, location, status, filled): (String, String, String, String, Option<String>) = env
        .conn()
        .query_row(
            "SELECT s.kind, s.category, s.location, s.status, s.info_filled_at
             FROM school s JOIN org o ON o.id = s.org_id WHERE o.code = ?1",
            [S1],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), category.as_str(), location.as_str(), status.as_str()),
        ("school", "小学", "城区", "normal")
    );
    assert_eq!(filled, None, "creation is not the school filling in its information");

    // The school admin's account exists at the school and the code activates it.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM account a JOIN org o ON o.id = a.org_id
             WHERE a.username = '2113010001-S01' AND a.role = 'school_admin' AND o.code = '2113010001'
               AND a.name = '赵敏' AND a.mobile = '13700000001'"
        ),
        1
    );
    activate(&env, "2113010001-S01", code);
    let who = env.run(Some("2113010001-S01"), &["whoami", "--format", "json"]).ok().json();
    assert_eq!(who["username"], "2113010001-S01");
    assert_eq!(who["unit"], S1);
    assert_eq!(who["role"], "school_admin");

    // Audited as school.add, by the county admin.
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.add", "--format", "json"]).ok().json();
    assert_eq!(ev.as_array().unwrap().len(), 1);
    assert_eq!(ev[0]["actor"], "130102-A01");
    assert!(ev[0]["detail"].as_str().unwrap().contains(r#""unit":"130102""#), "{}", ev[0]["detail"]);

    // Shown as a normal school of 长安区.
    let s = show(&env, S1);
    assert_eq!(s["unit"], "130102");
    assert_eq!(s["unit_name"], "长安区");
    assert_eq!(s["kind"], "school");
    assert_eq!(s["status"], "normal");
    assert_eq!(s["info_filled_at"], Value::Null);
}

#[test]
fn art11_a_teaching_point_is_created_with_kind_teaching_point() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, "2213010006", "长安区北村教学点", "130102", &["--kind", "teaching-point"])
        .ok()
        .stderr_has("added teaching point 2213010006 长安区北村教学点 under 130102");
    assert_eq!(
        env.count("SELECT count(*) FROM school s JOIN org o ON o.id = s.org_id WHERE o.code = '2213010006' AND s.kind = 'teaching_point'"),
        1
    );
    // Without --admin-name no account is created, and none is printed.
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username LIKE '2213010006-%'"), 0);
    assert_eq!(show(&env, "2213010006")["kind"], "teaching_point");
    // Chinese kind names are accepted too.
    add(&env, &c, "2213010007", "长安区东营教学点", "130102", &["--kind", "教学点"]).ok();
    assert_eq!(show(&env, "2213010007")["kind"], "teaching_point");
    // An unknown kind is a usage error from the parser.
    let r = add(&env, &c, "2213010008", "x", "130102", &["--kind", "幼儿班"]);
    assert_ne!(r.code, 0);
    r.stderr_has("幼儿班");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2213010008'"), 0);
}

#[test]
fn spec3_a_malformed_school_code_is_refused_and_nothing_is_written() {
    let env = Env::national();
    let c = county(&env);
    let before = env.audit_count();
    add(&env, &c, "211301000", "九位", "130102", &[]).code(6).stderr_has("211301000 is not a 学校标识码");
    add(&env, &c, "21130100011", "十一位", "130102", &[]).code(6).stderr_has("is not a 学校标识码");
    add(&env, &c, "21130100a1", "字母", "130102", &[]).code(6).stderr_has("is not a 学校标识码");
    add(&env, &c, "9913010001", "未知类型", "130102", &[]).code(6).stderr_has("99 is not a school type");
    add(&env, &c, "2199010001", "未知省份", "130102", &[]).code(6).stderr_has("99 is not a province code");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), 0);
    assert_eq!(env.audit_count(), before, "refused input records nothing");
}

#[test]
fn spec3_a_province_part_other_than_the_units_province_is_only_a_warning() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, "2114010001", "外省代码小学", "130102", &[])
        .ok()
        .stderr_has("warning: 2114010001: its province part 14 differs from 130102's province 130000")
        .stderr_has("added school 2114010001");
    assert_eq!(live_schools(&env), 1);
    assert_eq!(env.events_on("school.add", "2114010001"), 1);
}

#[test]
fn spec3_a_duplicate_code_is_refused_with_exit_5() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    let before = env.audit_count();
    add(&env, &c, S1, "另一所小学", "130102", &[]).code(5).stderr_has("school 2113010001 already exists");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 1);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE name = '另一所小学'"), 0);
    assert_eq!(env.audit_count(), before);
}

#[test]
fn art11_only_the_supervising_units_admin_creates_its_schools() {
    let env = Env::national();
    let p = prefecture(&env);
    let q = other_county(&env);
    // A prefecture admin may see 130102 but does not supervise its schools: exit 3, naming who may.
    add(&env, &p, S1, "长安区第一小学", "130102", &[]).code(3).stderr_has("may not");
    // Another county is outside 130104's scope: answered as not found.
    add(&env, &q, S1, "长安区第一小学", "130102", &[]).code(4).stderr_has("no unit 130102 in your scope");
    // Not even the Ministry admin adds a county's school (Art. 11: each level manages its own).
    env.admin(&["school", "add", S1, "长安区第一小学", "--unit", "130102"]).code(3).stderr_has("may not");
    // A county that does not exist.
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130103", &[]).code(4).stderr_has("no unit 130103 in your scope");
    // Nor under a school.
    add(&env, &c, "2113010002", "x", "130102", &[]).ok();
    add(&env, &c, S1, "长安区第一小学", "2113010002", &[]).code(4).stderr_has("no unit 2113010002 in your scope");
    env.run(Some(&c), &["school", "delete", "2113010002", "--yes"]).ok();
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 0);
    assert_eq!(live_schools(&env), 0);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.add' AND target = '2113010001'"), 0);
    // Each refusal is in the audit trail.
    assert!(env.count("SELECT count(*) FROM audit WHERE actor = '130100-A01' AND target = '130102'") >= 1);
    // The prefecture adds a school of its own: allowed.
    add(&env, &p, "2113000001", "市直属小学", "130100", &[]).ok();
    assert_eq!(parent_and_path(&env, "2113000001").1, "/000000/130000/130100/2113000001/");
}

#[test]
fn art11_a_failing_school_admin_account_leaves_nothing_written() {
    let env = Env::national();
    let c = county(&env);
    let before = env.audit_count();
    let r = add(&env, &c, S1, "长安区第一小学", "130102", &["--admin-name", "赵敏", "--admin-mobile", "1370000"]);
    r.code(6);
    assert!(r.stdout.is_empty(), "no code or activation code is printed: {}", r.stdout);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 0, "no school without its account");
    assert_eq!(env.count("SELECT count(*) FROM school"), 0);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username LIKE '2113010001-%'"), 0);
    assert_eq!(env.audit_count(), before, "no school.add event for a school that was not created");
    // A mobile already used by an active account fails the same way.
    add(&env, &c, S1, "长安区第一小学", "130102", &["--admin-name", "赵敏", "--admin-mobile", "13700000101"]).code(5);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 0);
    // And the same command with a good mobile then works.
    add(&env, &c, S1, "长安区第一小学", "130102", &["--admin-name", "赵敏", "--admin-mobile", "13700000001"]).ok();
    assert_eq!(live_schools(&env), 1);
}

// ---------------------------------------------------------------- basic info (Art. 12)

#[test]
fn art12_the_schools_own_edit_sets_info_filled_at_once() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    env.run(
        Some(&s),
        &[
            "school",
            "edit",
            S1,
            "--students",
            "1200",
            "--teachers",
            "80",
            "--classes",
            "30",
            "--address",
            "长安区建设北大街1号",
        ],
    )
    .ok()
    .stderr_has("updated 2113010001");
    let j = show(&env, S1);
    assert_eq!(j["students"], 1200);
    assert_eq!(j["teachers"], 80);
    assert_eq!(j["classes"], 30);
    assert_eq!(j["address"], "长安区建设北大街1号");
    assert_eq!(j["info_filled_at"], "2026-11-20T10:00:00+08:00");
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.edit", "--format", "json"]).ok().json();
    assert_eq!(ev.as_array().unwrap().len(), 1);
    assert_eq!(ev[0]["actor"], s.as_str());
    let detail = ev[0]["detail"].as_str().unwrap();
    assert!(detail.contains(r#""students":1200"#) && detail.contains(r#""info_filled":true"#), "{detail}");

    // A later edit keeps the first time.
    let mut env = env;
    env.now = "2026-11-20T16:00:00+08:00".into();
    env.run(Some(&s), &["school", "edit", S1, "--students", "1210"]).ok();
    let j = show(&env, S1);
    assert_eq!(j["students"], 1210);
    assert_eq!(j["info_filled_at"], "2026-11-20T10:00:00+08:00");
}

#[test]
fn art12_the_supervising_admins_edit_does_not_count_as_filled() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    env.run(Some(&c), &["school", "edit", S1, "--students", "1200", "--category", "小学", "--location", "乡村"]).ok();
    let j = show(&env, S1);
    assert_eq!(j["students"], 1200);
    assert_eq!(j["location"], "乡村");
    assert_eq!(j["info_filled_at"], Value::Null);
    assert_eq!(env.events_on("school.edit", S1), 1);
    // So it may still be deleted outright.
    env.run(Some(&c), &["school", "delete", S1, "--yes"]).ok();
}

#[test]
fn art12_support_edits_only_with_a_reason() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    let t = support(&env);
    let before = env.audit_count();
    env.run(Some(&t), &["school", "edit", S1, "--name", "长安区第一实验小学"])
        .code(2)
        .stderr_has("support corrects school information only with --reason");
    assert_eq!(show(&env, S1)["name"], "长安区第一小学");
    assert_eq!(env.audit_count(), before);
    env.run(Some(&t), &["school", "edit", S1, "--name", "长安区第一实验小学", "--reason", "工单 123：校名更正"]).ok();
    assert_eq!(show(&env, S1)["name"], "长安区第一实验小学");
    assert_eq!(show(&env, S1)["info_filled_at"], Value::Null, "support is not the school");
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.edit", "--format", "json"]).ok().json();
    assert_eq!(ev.as_array().unwrap().len(), 1);
    assert_eq!(ev[0]["actor"], t.as_str());
    assert_eq!(ev[0]["reason"], "工单 123：校名更正");
}

#[test]
fn art12_others_cannot_edit_a_school_outside_their_scope() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    let q = other_county(&env);
    add(&env, &q, "2113040001", "桥西区第一小学", "130104", &[]).ok();
    let before = env.audit_count();
    env.run(Some(&q), &["school", "edit", S1, "--students", "1"])
        .code(4)
        .stderr_has("no school 2113010001 in your scope");
    env.run(Some(&s), &["school", "edit", "2113040001", "--students", "1"])
        .code(4)
        .stderr_has("no school 2113040001 in your scope");
    assert_eq!(show(&env, S1)["students"], Value::Null);
    assert_eq!(show(&env, "2113040001")["students"], Value::Null);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.edit'"), 0);
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE seq > {before} AND action LIKE 'school.%'")), 0);
    // The prefecture sees the school but does not supervise it: exit 3.
    let p = prefecture(&env);
    env.run(Some(&p), &["school", "edit", S1, "--students", "1"]).code(3).stderr_has("may not");
    assert_eq!(show(&env, S1)["students"], Value::Null);
}

#[test]
fn spec7_an_edit_that_changes_nothing_records_nothing() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    env.run(Some(&s), &["school", "edit", S1, "--students", "1200", "--location", "城区"]).ok();
    let before = env.audit_count();
    env.run(Some(&s), &["school", "edit", S1, "--students", "1200", "--location", "城区"])
        .ok()
        .stderr_has("2113010001: nothing changed");
    env.run(Some(&c), &["school", "edit", S1, "--students", "1200"]).ok().stderr_has("nothing changed");
    assert_eq!(env.audit_count(), before);
    assert_eq!(env.events_on("school.edit", S1), 1);
}

#[test]
fn spec3_invalid_basic_info_is_refused() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    let before = env.audit_count();
    env.run(Some(&s), &["school", "edit", S1, "--category", "大学"]).code(6).stderr_has("大学 is not a category");
    env.run(Some(&s), &["school", "edit", S1, "--location", "郊区"]).code(6).stderr_has("郊区 is not a location");
    env.run(Some(&s), &["school", "edit", S1, "--students=-5"]).code(6).stderr_has("students cannot be negative");
    env.run(Some(&c), &["school", "edit", S1, "--classes=-1"]).code(6).stderr_has("classes cannot be negative");
    add(&env, &c, "2113010002", "x", "130102", &["--teachers=-1"]).code(6).stderr_has("teachers cannot be negative");
    add(&env, &c, "2113010002", "x", "130102", &["--category", "大学"]).code(6);
    let j = show(&env, S1);
    assert_eq!(j["category"], "小学");
    assert_eq!(j["location"], "城区");
    assert_eq!(j["students"], Value::Null);
    assert_eq!(j["info_filled_at"], Value::Null, "a refused edit fills nothing in");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010002'"), 0);
    assert_eq!(env.audit_count(), before);
}

// ---------------------------------------------------------------- status (Art. 11)

#[test]
fn art11_status_changes_need_a_reason() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    add(&env, &c, "2113010002", "长安区第二小学", "130102", &[]).ok();
    let before = env.audit_count();
    for args in [
        vec!["school", "suspend", S1],
        vec!["school", "resume", S1],
        vec!["school", "revoke", S1],
        vec!["school", "merge", S1, "--into", "2113010002"],
        vec!["school", "suspend", S1, "--reason", " "],
        vec!["school", "merge", S1, "--into", "2113010002", "--reason", ""],
    ] {
        let r = env.run(Some(&c), &args);
        r.code(2);
        assert!(r.stderr.contains("--reason"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(show(&env, S1)["status"], "normal");
    assert_eq!(env.audit_count(), before);
}

#[test]
fn art11_suspend_and_resume_follow_the_states() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    // Resume a normal school: wrong state.
    env.run(Some(&c), &["school", "resume", S1, "--reason", "复课"]).code(5).stderr_has("2113010001 is normal");
    env.run(Some(&c), &["school", "suspend", S1, "--reason", "生源不足"])
        .ok()
        .stderr_has("2113010001: normal → suspended");
    let j = show(&env, S1);
    assert_eq!(j["status"], "suspended");
    assert_eq!(j["status_changed_at"], Value::Null, "suspension does not stop reporting (SPEC §3)");
    assert_eq!(account_status(&env, &s), "active", "a suspended school still reports");
    env.run(Some(&c), &["school", "suspend", S1, "--reason", "再次"]).code(5);
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.suspend", "--format", "json"]).ok().json();
    assert_eq!(ev.as_array().unwrap().len(), 1);
    assert_eq!(ev[0]["reason"], "生源不足");
    env.run(Some(&c), &["school", "resume", S1, "--reason", "恢复招生"]).ok();
    assert_eq!(show(&env, S1)["status"], "normal");
    assert_eq!(env.events_on("school.resume", S1), 1);
    // Only the supervising admin: the prefecture sees it (exit 3), another county does not (exit 4).
    let p = prefecture(&env);
    env.run(Some(&p), &["school", "suspend", S1, "--reason", "x"]).code(3);
    let q = other_county(&env);
    env.run(Some(&q), &["school", "suspend", S1, "--reason", "x"])
        .code(4)
        .stderr_has("no school 2113010001 in your scope");
    env.run(Some(&s), &["school", "suspend", S1, "--reason", "x"]).code(3);
    assert_eq!(show(&env, S1)["status"], "normal");
}

#[test]
fn art11_revoking_disables_the_schools_accounts() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    env.run(Some(&s), &["whoami"]).ok();
    env.run(Some(&c), &["school", "revoke", S1, "--reason", "撤并"])
        .ok()
        .stderr_has("2113010001: normal → revoked")
        .stderr_has("1 of its accounts disabled");
    let j = show(&env, S1);
    assert_eq!(j["status"], "revoked");
    assert_eq!(j["status_changed_at"], "2026-11-20T10:00:00+08:00");
    assert_eq!(account_status(&env, &s), "disabled");
    env.run(Some(&s), &["whoami"]).code(3);
    // A revoked school is not suspended, resumed or revoked again.
    env.run(Some(&c), &["school", "suspend", S1, "--reason", "x"]).code(5).stderr_has("2113010001 is revoked");
    env.run(Some(&c), &["school", "resume", S1, "--reason", "x"]).code(5);
    env.run(Some(&c), &["school", "revoke", S1, "--reason", "x"]).code(5);
    assert_eq!(env.events_on("school.revoke", S1), 1);
    assert_eq!(
        env.count("SELECT count(*) FROM audit WHERE action = 'account.disable' AND target = '2113010001-S01'"),
        1
    );
    let revoked = env.run(Some(&c), &["school", "list", "--status", "revoked", "--format", "json"]).ok().json();
    assert_eq!(codes(&revoked), vec![S1.to_string()]);
    let normal = env.run(Some(&c), &["school", "list", "--status", "normal", "--format", "json"]).ok().json();
    assert!(codes(&normal).is_empty());
}

#[test]
fn art11_merging_needs_another_active_school_in_scope() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    add(&env, &c, "2113010002", "长安区第二小学", "130102", &[]).ok();
    add(&env, &c, "2113010003", "长安区第三小学", "130102", &[]).ok();
    let q = other_county(&env);
    add(&env, &q, "2113040001", "桥西区第一小学", "130104", &[]).ok();
    let before = env.audit_count();

    env.run(Some(&c), &["school", "merge", S1, "--into", S1, "--reason", "x"])
        .code(6)
        .stderr_has("2113010001 cannot be merged into itself");
    env.run(Some(&c), &["school", "merge", S1, "--into", "2113040001", "--reason", "x"])
        .code(4)
        .stderr_has("no school 2113040001 in your scope");
    env.run(Some(&c), &["school", "merge", S1, "--into", "2113019999", "--reason", "x"])
        .code(4)
        .stderr_has("no school 2113019999 in your scope");
    env.run(Some(&c), &["school", "revoke", "2113010003", "--reason", "撤销"]).ok();
    env.run(Some(&c), &["school", "merge", S1, "--into", "2113010003", "--reason", "x"])
        .code(5)
        .stderr_has("2113010003 is revoked");
    assert_eq!(show(&env, S1)["status"], "normal");
    assert_eq!(account_status(&env, &s), "active");
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.merge'"), 0);
    assert_eq!(env.events_on("school.revoke", "2113010003"), 1);
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE seq > {before} AND action LIKE 'school.%'")), 1);

    // Into an active school: merged, accounts disabled, the date recorded.
    env.run(Some(&c), &["school", "merge", S1, "--into", "2113010002", "--reason", "布局调整"])
        .ok()
        .stderr_has("2113010001: normal → merged");
    let j = show(&env, S1);
    assert_eq!(j["status"], "merged");
    assert_eq!(j["merged_into"], "2113010002");
    assert_eq!(j["status_changed_at"], "2026-11-20T10:00:00+08:00");
    assert_eq!(account_status(&env, &s), "disabled");
    env.run(Some(&s), &["whoami"]).code(3);
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.merge", "--format", "json"]).ok().json();
    assert_eq!(ev[0]["reason"], "布局调整");
    assert!(ev[0]["detail"].as_str().unwrap().contains(r#""merged_into":"2113010002""#));
    // Nothing merges into a merged school either.
    env.run(Some(&c), &["school", "merge", "2113010002", "--into", S1, "--reason", "x"]).code(5);
    // The list filters by status.
    let merged = env.run(Some(&c), &["school", "list", "--status", "merged", "--format", "json"]).ok().json();
    assert_eq!(codes(&merged), vec![S1.to_string()]);
    let revoked = env.run(Some(&c), &["school", "list", "--status", "revoked", "--format", "json"]).ok().json();
    assert_eq!(codes(&revoked), vec!["2113010003".to_string()]);
    let normal = env.run(Some(&c), &["school", "list", "--status", "normal", "--format", "json"]).ok().json();
    assert_eq!(codes(&normal), vec!["2113010002".to_string()]);
}

// ---------------------------------------------------------------- delete (Art. 11)

#[test]
fn art11_an_unfilled_school_is_deleted_outright_with_yes() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    let before = env.audit_count();
    env.run(Some(&c), &["school", "delete", S1]).code(2).stderr_has("--yes is required");
    assert_eq!(live_schools(&env), 1);
    assert_eq!(env.audit_count(), before);

    env.run(Some(&c), &["school", "delete", S1, "--yes"]).ok().stderr_has("deleted 2113010001 长安区第一小学");
    // Gone from the list and from show …
    let list = env.run(Some(&c), &["school", "list", "--format", "json"]).ok().json();
    assert!(codes(&list).is_empty(), "{list}");
    env.run(Some(&c), &["school", "show", S1]).code(4).stderr_has("no school 2113010001 in your scope");
    // … but the row stays, with deleted_at, and its accounts are disabled.
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001' AND deleted_at IS NOT NULL"), 1);
    assert_eq!(env.count("SELECT count(*) FROM school s JOIN org o ON o.id = s.org_id WHERE o.code = '2113010001'"), 1);
    assert_eq!(account_status(&env, &s), "disabled");
    assert_eq!(env.events_on("school.delete", S1), 1);
    let d = env.run(Some(&c), &["school", "show", S1, "--deleted", "--format", "json"]).ok().json();
    assert_eq!(d["code"], S1);
    assert_eq!(d["deleted_at"], "2026-11-20T10:00:00+08:00");
    let deleted = env.run(Some(&c), &["school", "list", "--deleted", "--format", "json"]).ok().json();
    assert_eq!(codes(&deleted), vec![S1.to_string()]);

    // The same code can be used again; the new school has its own row and a new account name.
    let j = add(
        &env,
        &c,
        S1,
        "长安区第一小学（新）",
        "130102",
        &["--admin-name", "钱进", "--admin-mobile", "13700000002", "--format", "json"],
    )
    .ok()
    .json();
    assert_eq!(j["username"], "2113010001-S02", "usernames are never reused");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 2);
    assert_eq!(show(&env, S1)["name"], "长安区第一小学（新）");
}

#[test]
fn art11_deletion_is_only_for_the_supervising_admin() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    let p = prefecture(&env);
    let q = other_county(&env);
    env.run(Some(&p), &["school", "delete", S1, "--yes"]).code(3).stderr_has("may not");
    env.run(Some(&q), &["school", "delete", S1, "--yes"]).code(4);
    env.run(Some(&s), &["school", "delete", S1, "--yes"]).code(3);
    env.admin(&["school", "delete", S1, "--yes"]).code(3);
    assert_eq!(live_schools(&env), 1);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.delete'"), 0);
}

#[test]
fn art11_a_school_that_filled_in_its_info_is_not_deleted_outright() {
    let env = Env::national();
    let c = county(&env);
    let s = add_s1_with_admin(&env, &c);
    env.run(Some(&s), &["school", "edit", S1, "--students", "1200"]).ok();
    let before = env.audit_count();
    env.run(Some(&c), &["school", "delete", S1, "--yes"])
        .code(5)
        .stderr_has("2113010001 has filled in its information")
        .stderr_has("eip school delete 2113010001 --request --reason");
    // Also without --yes: the rule is checked before asking anything.
    env.run(Some(&c), &["school", "delete", S1]).code(5).stderr_has("--request --reason");
    assert_eq!(live_schools(&env), 1);
    assert_eq!(account_status(&env, &s), "active");
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.delete'"), 0);
    assert_eq!(env.audit_count(), before);
}

#[test]
fn art11_a_school_with_monthly_data_is_not_deleted_outright() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    env.conn()
        .execute(
            "INSERT INTO value(org_id, period, indicator, value, set_at)
             VALUES ((SELECT id FROM org WHERE code = '2113010001'), '2026-10', 'classrooms', '30', '2026-11-01T00:00:00Z')",
            [],
        )
        .unwrap();
    assert_eq!(show(&env, S1)["info_filled_at"], Value::Null);
    env.run(Some(&c), &["school", "delete", S1, "--yes"]).code(5).stderr_has("--request --reason");
    assert_eq!(live_schools(&env), 1);
    assert_eq!(env.count("SELECT count(*) FROM value"), 1);
}

/// S1 filled in by its own admin, and a school_delete request filed by the county; returns
/// (county admin, school admin, request id).
fn filled_with_delete_request(env: &Env) -> (String, String, i64) {
    let c = county(env);
    let s = add_s1_with_admin(env, &c);
    env.run(Some(&s), &["school", "edit", S1, "--students", "1200"]).ok();
    // --request needs a reason.
    env.run(Some(&c), &["school", "delete", S1, "--request"]).code(2).stderr_has("--request needs --reason");
    let r = env.run(Some(&c), &["school", "delete", S1, "--request", "--reason", "重复建档", "--format", "json"]);
    r.ok().stderr_has("school_delete request");
    let j = r.json();
    assert_eq!(j["kind"], "school_delete");
    let id = j["id"].as_i64().expect("a request id");
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM request r JOIN org w ON w.id = r.awaiting_org_id
             WHERE r.id = {id} AND r.kind = 'school_delete' AND r.status = 'pending' AND w.code = '000000'
               AND r.reason = '重复建档'"
        )),
        1
    );
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE action = 'request.file' AND target = '{id}'")), 1);
    (c, s, id)
}

#[test]
fn art11_deleting_a_filled_school_is_a_request_the_ministry_approves() {
    let env = Env::national();
    let (c, s, id) = filled_with_delete_request(&env);
    // Still there while pending; a second request is refused.
    assert_eq!(live_schools(&env), 1);
    env.run(Some(&c), &["school", "delete", S1, "--request", "--reason", "再次申请"])
        .code(5)
        .stderr_has(&format!("request #{id} about 2113010001 is still pending"));
    assert_eq!(env.count("SELECT count(*) FROM request WHERE kind = 'school_delete'"), 1);
    // The Ministry's inbox has it.
    assert!(request_ids(&env, ADMIN, false).contains(&id));
    // The county cannot decide it: exit 3, nothing changes.
    env.run(Some(&c), &["request", "approve", &id.to_string()]).code(3).stderr_has("may not");
    let p = prefecture(&env);
    env.run(Some(&p), &["request", "approve", &id.to_string()]).code(3);
    assert_eq!(live_schools(&env), 1);
    assert_eq!(awaiting(&env, id).0, "pending");

    env.admin(&["request", "approve", &id.to_string()]).ok().stderr_has(&format!("approved request #{id}"));
    assert_eq!(awaiting(&env, id).0, "approved");
    // A soft delete: gone from lists, the row and its data stay, accounts disabled.
    assert_eq!(live_schools(&env), 0);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001' AND deleted_at IS NOT NULL"), 1);
    env.run(Some(&c), &["school", "show", S1]).code(4);
    assert_eq!(account_status(&env, &s), "disabled");
    env.run(Some(&s), &["whoami"]).code(3);
    // History readable by the Ministry.
    let ev = env.admin(&["audit", "log", "--target", S1, "--format", "json"]).ok().json();
    let actions: Vec<&str> = ev.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["school.add", "school.edit", "school.delete"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let del = ev.as_array().unwrap().iter().find(|e| e["action"] == "school.delete").unwrap();
    assert_eq!(del["actor"], ADMIN);
    assert_eq!(del["reason"], "重复建档");
    let shown = env.admin(&["school", "show", S1, "--deleted", "--format", "json"]).ok().json();
    assert_eq!(shown["students"], 1200);
    // Decided once only.
    env.admin(&["request", "approve", &id.to_string()]).code(5);
    env.admin(&["request", "reject", &id.to_string(), "--reason", "x"]).code(5);
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM audit WHERE action = 'request.approve' AND target = '{id}'")),
        1
    );
}

#[test]
fn art11_a_rejected_deletion_leaves_the_school_as_it_was() {
    let env = Env::national();
    let (c, s, id) = filled_with_delete_request(&env);
    env.admin(&["request", "reject", &id.to_string()]).code(2);
    env.admin(&["request", "reject", &id.to_string(), "--reason", "请核实后再报"]).ok().stderr_has("请核实后再报");
    assert_eq!(awaiting(&env, id).0, "rejected");
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM request WHERE id = {id} AND decision_reason = '请核实后再报'")),
        1
    );
    let j = show(&env, S1);
    assert_eq!(j["status"], "normal");
    assert_eq!(j["students"], 1200);
    assert_eq!(j["deleted_at"], Value::Null);
    assert_eq!(account_status(&env, &s), "active");
    assert_eq!(env.events_on("school.delete", S1), 0);
    env.admin(&["request", "approve", &id.to_string()]).code(5);
    assert_eq!(live_schools(&env), 1);
    // Once decided, a new request may be filed.
    env.run(Some(&c), &["school", "delete", S1, "--request", "--reason", "核实无误"]).ok();
}

#[test]
fn art11_a_deletion_request_deletes_only_the_school_it_was_filed_for() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    let id = env
        .run(Some(&c), &["school", "delete", S1, "--request", "--reason", "重复建档", "--format", "json"])
        .ok()
        .json()["id"]
        .as_i64()
        .unwrap();
    // Still unfilled: the county deletes it outright and creates a new school with the code.
    env.run(Some(&c), &["school", "delete", S1, "--yes"]).ok();
    add(&env, &c, S1, "长安区第一小学（新建）", "130102", &[]).ok();
    let _ = env.admin(&["request", "approve", &id.to_string()]);
    assert_eq!(live_schools(&env), 1, "the new school, which nobody asked to delete, stays");
    assert_eq!(show(&env, S1)["name"], "长安区第一小学（新建）");
}

// ---------------------------------------------------------------- transfer (Art. 13)

/// S1 under 130102 with a transfer to 130104 filed by the county; returns the request id.
fn filed_transfer(env: &Env, c: &str) -> i64 {
    add(env, c, S1, "长安区第一小学", "130102", &[]).ok();
    let r = env.run(Some(c), &["school", "transfer", S1, "--to", "130104", "--reason", "区划调整", "--format", "json"]);
    r.ok().stderr_has("130100 decides first");
    let j = r.json();
    assert_eq!(j["kind"], "school_transfer");
    assert_eq!(j["awaiting"], "130100");
    j["id"].as_i64().expect("a request id")
}

#[test]
fn art13_a_transfer_climbs_level_by_level_to_the_ministry() {
    let env = Env::national();
    let c = county(&env);
    let p = prefecture(&env);
    let v = province(&env);
    let q = other_county(&env);
    let id = filed_transfer(&env, &c);
    let ids = id.to_string();
    assert_eq!(awaiting(&env, id), ("pending".into(), Some("130100".into())));
    assert!(request_ids(&env, &c, false).contains(&id), "the filer sees what it filed");
    assert!(request_ids(&env, &p, false).contains(&id));

    // Not yet the Ministry's turn: it neither lists nor sees it.
    assert!(!request_ids(&env, ADMIN, false).contains(&id));
    assert!(!request_ids(&env, ADMIN, true).contains(&id));
    env.admin(&["request", "show", &ids]).code(4).stderr_has(&format!("no request {id} in your scope"));
    env.admin(&["request", "approve", &ids]).code(4);
    // Nor the province, nor the destination county.
    assert!(!request_ids(&env, &v, false).contains(&id));
    env.run(Some(&v), &["request", "approve", &ids]).code(4);
    env.run(Some(&q), &["request", "show", &ids]).code(4);
    // The filer sees it but does not decide it.
    env.run(Some(&c), &["request", "show", &ids]).ok();
    env.run(Some(&c), &["request", "approve", &ids]).code(3);
    assert_eq!(awaiting(&env, id), ("pending".into(), Some("130100".into())));

    // Step 1: the prefecture.
    env.run(Some(&p), &["request", "approve", &ids]).ok().stderr_has("130000 decides next");
    assert_eq!(awaiting(&env, id), ("pending".into(), Some("130000".into())));
    assert!(!request_ids(&env, ADMIN, false).contains(&id));
    env.admin(&["request", "show", &ids]).code(4);
    // Its step decided, the prefecture is told so (refused, exit 5), not "not permitted".
    env.run(Some(&p), &["request", "approve", &ids]).code(5).stderr_has("no longer awaiting 130100");
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));

    // Step 2: the province.
    assert!(request_ids(&env, &v, false).contains(&id));
    env.run(Some(&v), &["request", "approve", &ids]).ok().stderr_has("000000 decides next");
    assert_eq!(awaiting(&env, id), ("pending".into(), Some("000000".into())));
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));

    // Step 3: the Ministry sees it now, and its approval moves the school.
    assert!(request_ids(&env, ADMIN, false).contains(&id));
    let shown = env.admin(&["request", "show", &ids, "--format", "json"]).ok().json();
    assert_eq!(shown["kind"], "school_transfer");
    assert_eq!(shown["awaiting"], "000000");
    assert_eq!(shown["reason"], "区划调整");
    env.admin(&["request", "approve", &ids]).ok().stderr_has("2113010001 is now supervised by 130104");
    assert_eq!(awaiting(&env, id).0, "approved");
    assert_eq!(parent_and_path(&env, S1), ("130104".into(), "/000000/130000/130100/130104/2113010001/".into()));
    let ev =
        env.admin(&["audit", "log", "--target", S1, "--action", "school.transfer", "--format", "json"]).ok().json();
    assert_eq!(ev.as_array().unwrap().len(), 1);
    assert_eq!(ev[0]["actor"], ADMIN);
    // One step per level, in order.
    let steps: Vec<(i64, String, String)> = env
        .conn()
        .prepare(
            "SELECT st.seq, o.code, st.decision FROM request_step st JOIN org o ON o.id = st.org_id
             WHERE st.request_id = ?1 ORDER BY st.seq",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        steps,
        vec![
            (1, "130100".to_string(), "approved".to_string()),
            (2, "130000".to_string(), "approved".to_string()),
            (3, "000000".to_string(), "approved".to_string()),
        ]
    );

    // Now 130104 supervises it and 130102 no longer sees it.
    env.run(Some(&c), &["school", "show", S1]).code(4);
    let j = env.run(Some(&q), &["school", "show", S1, "--format", "json"]).ok().json();
    assert_eq!(j["unit"], "130104");
    env.run(Some(&q), &["school", "suspend", S1, "--reason", "新主管单位管理"]).ok();
    env.run(Some(&c), &["school", "suspend", S1, "--reason", "x"]).code(4);
    // Decided: no more approvals.
    env.admin(&["request", "approve", &ids]).code(5);
}

#[test]
fn art13_a_rejection_at_any_level_ends_the_transfer() {
    let env = Env::national();
    let c = county(&env);
    let p = prefecture(&env);
    let v = province(&env);
    let id = filed_transfer(&env, &c);
    let ids = id.to_string();
    env.run(Some(&p), &["request", "approve", &ids]).ok();
    env.run(Some(&v), &["request", "reject", &ids]).code(2);
    env.run(Some(&v), &["request", "reject", &ids, "--reason", "不符合规划"]).ok().stderr_has("不符合规划");
    assert_eq!(awaiting(&env, id).0, "rejected");
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM request_step st JOIN org o ON o.id = st.org_id
             WHERE st.request_id = {id} AND st.seq = 2 AND o.code = '130000' AND st.decision = 'rejected'
               AND st.reason = '不符合规划'"
        )),
        1
    );
    // Later approvals are refused.
    env.run(Some(&v), &["request", "approve", &ids]).code(5).stderr_has("already rejected");
    env.run(Some(&v), &["request", "reject", &ids, "--reason", "x"]).code(5);
    // The Ministry never had its turn: the request does not exist for it.
    env.admin(&["request", "approve", &ids]).code(4);
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.transfer'"), 0);
    // The filer sees the outcome; a new transfer may be filed.
    let all = request_ids(&env, &c, true);
    assert!(all.contains(&id));
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130104", "--reason", "再次申请"]).ok();
}

#[test]
fn art13_a_rejection_at_the_first_level_ends_it_too() {
    let env = Env::national();
    let c = county(&env);
    let p = prefecture(&env);
    let id = filed_transfer(&env, &c);
    env.run(Some(&p), &["request", "reject", &id.to_string(), "--reason", "暂缓"]).ok();
    assert_eq!(awaiting(&env, id).0, "rejected");
    env.run(Some(&p), &["request", "approve", &id.to_string()]).code(5);
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));
}

#[test]
fn art13_approval_moves_the_school_that_was_filed_not_a_new_one_with_its_code() {
    let env = Env::national();
    let c = county(&env);
    let p = prefecture(&env);
    let v = province(&env);
    let id = filed_transfer(&env, &c);
    // While the transfer is pending, the county deletes the (unfilled) school and creates a new
    // one with the same code.
    env.run(Some(&c), &["school", "delete", S1, "--yes"]).ok();
    add(&env, &c, S1, "长安区新第一小学", "130102", &[]).ok();
    let new_id: i64 =
        env.conn().query_row("SELECT id FROM org WHERE code = ?1 AND deleted_at IS NULL", [S1], |r| r.get(0)).unwrap();
    let filed_id: i64 = env.conn().query_row("SELECT org_id FROM request WHERE id = ?1", [id], |r| r.get(0)).unwrap();
    assert_ne!(new_id, filed_id);
    // Whatever the levels decide, the request is about the school that was filed, which is gone:
    // the new school, which no level reviewed, must not move.
    let _ = env.run(Some(&p), &["request", "approve", &id.to_string()]);
    let _ = env.run(Some(&v), &["request", "approve", &id.to_string()]);
    let last = env.admin(&["request", "approve", &id.to_string()]);
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()), "{last:?}");
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.transfer'"), 0);
}

#[test]
fn art13_a_school_revoked_while_its_transfer_is_pending_is_not_moved() {
    let env = Env::national();
    let c = county(&env);
    let p = prefecture(&env);
    let v = province(&env);
    let id = filed_transfer(&env, &c);
    env.run(Some(&c), &["school", "revoke", S1, "--reason", "撤销"]).ok();
    env.run(Some(&p), &["request", "approve", &id.to_string()]).ok();
    env.run(Some(&v), &["request", "approve", &id.to_string()]).ok();
    // "only an active school is transferred": the final approval must refuse.
    env.admin(&["request", "approve", &id.to_string()]).code(5);
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));
}

#[test]
fn art13_transfer_targets_must_be_another_existing_unit() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130102", "--reason", "x"])
        .code(6)
        .stderr_has("2113010001 is already supervised by 130102");
    env.run(Some(&c), &["school", "transfer", S1, "--to", "999999", "--reason", "x"]).code(4).stderr_has("999999");
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130103", "--reason", "x"]).code(4);
    // A school is not a supervising unit.
    add(&env, &c, "2113010002", "长安区第二小学", "130102", &[]).ok();
    env.run(Some(&c), &["school", "transfer", S1, "--to", "2113010002", "--reason", "x"])
        .code(4)
        .stderr_has("no unit 2113010002");
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130104"]).code(2);
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130104", "--reason", " "]).code(2);
    // Only the supervising admin files it.
    let p = prefecture(&env);
    env.run(Some(&p), &["school", "transfer", S1, "--to", "130104", "--reason", "x"]).code(3);
    let q = other_county(&env);
    env.run(Some(&q), &["school", "transfer", S1, "--to", "130104", "--reason", "x"]).code(4);
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
    // One pending transfer at a time.
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130104", "--reason", "区划调整"]).ok();
    env.run(Some(&c), &["school", "transfer", S1, "--to", "130200", "--reason", "区划调整"]).code(5);
    assert_eq!(env.count("SELECT count(*) FROM request"), 1);
}

#[test]
fn spec1_another_schools_admin_does_not_see_a_transfer_of_a_school_outside_its_scope() {
    let env = Env::national();
    let c = county(&env);
    let j = add(
        &env,
        &c,
        "2113010002",
        "长安区第二小学",
        "130102",
        &["--admin-name", "孙丽", "--admin-mobile", "13700000003", "--format", "json"],
    )
    .ok()
    .json();
    let s2 = j["username"].as_str().unwrap().to_string();
    activate(&env, &s2, j["activation_code"].as_str().unwrap());
    let id = filed_transfer(&env, &c);
    // 2113010002's admin's scope is 2113010002 alone: the request about 2113010001 does not exist for it.
    env.run(Some(&s2), &["request", "show", &id.to_string()]).code(4);
    assert!(!request_ids(&env, &s2, true).contains(&id));
}

// ---------------------------------------------------------------- CSV

#[test]
fn spec52_a_province_part_mismatch_in_a_file_is_a_warning_on_its_line() {
    let env = Env::national();
    let c = county(&env);
    let f = env.write_file(
        "warn.csv",
        "code,name,kind,unit\n2113010001,一小,school,130102\n2114010002,外省码小学,school,130102\n".as_bytes(),
    );
    env.run(Some(&c), &["school", "import", &f])
        .ok()
        .stderr_has("line 3: 2114010002: its province part 14 differs from 130102's province 130000")
        .stderr_lacks("line 2:")
        .stderr_has("2 rows: 2 added, 0 changed, 0 unchanged");
    assert_eq!(live_schools(&env), 2);
}

/// The 14 schools of examples/changan-schools.csv.
const EXAMPLE_CODES: [&str; 14] = CHANGAN_SCHOOLS;

#[test]
fn spec52_the_gbk_example_imports_once_and_reimports_as_unchanged() {
    let env = Env::national();
    let c = county(&env);
    let gbk = example("changan-schools-gbk.csv");
    let before = env.audit_count();

    // Dry run: lists the 14 additions, writes nothing.
    let r = env.run(Some(&c), &["school", "import", &gbk, "--dry-run", "--format", "json"]);
    r.ok().stderr_has("14 rows: 14 added, 0 changed, 0 unchanged").stderr_has("dry run: nothing was written");
    let plan = r.json();
    assert_eq!(codes(&plan), EXAMPLE_CODES.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(plan.as_array().unwrap().iter().all(|o| o["change"] == "added"), "{plan}");
    assert_eq!(plan[0]["line"], 2);
    assert_eq!(plan[0]["name"], "长安区第一小学", "GBK decoded");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), 0);
    assert_eq!(env.audit_count(), before);

    // The import.
    env.run(Some(&c), &["school", "import", &gbk]).ok().stderr_has("14 rows: 14 added, 0 changed, 0 unchanged");
    assert_eq!(live_schools(&env), 14);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'school.add' AND actor = '130102-A01'"), 14);
    assert_eq!(env.audit_count() - before, 14, "one event per school, none per file");
    assert_eq!(
        env.count("SELECT count(*) FROM school s JOIN org o ON o.id = s.org_id WHERE s.kind = 'teaching_point'"),
        2
    );
    let j = show(&env, "2113010001");
    assert_eq!(j["name"], "长安区第一小学");
    assert_eq!(j["unit"], "130102");
    assert_eq!(j["category"], "小学");
    assert_eq!(j["location"], "城区");
    assert_eq!(j["address"], "长安区建设北大街1号");
    assert_eq!(
        (j["students"].as_i64(), j["teachers"].as_i64(), j["classes"].as_i64()),
        (Some(1200), Some(80), Some(30))
    );
    assert_eq!(j["info_filled_at"], Value::Null, "the county importing is not the school filling in");
    assert_eq!(show(&env, "2213010006")["kind"], "teaching_point");
    assert_eq!(
        env.count("SELECT count(*) FROM org WHERE level = 'school' AND path <> '/000000/130000/130100/130102/' || code || '/'"),
        0
    );

    // Again: all unchanged, nothing recorded. The UTF-8 version is the same data.
    let events_now = env.audit_count();
    env.run(Some(&c), &["school", "import", &gbk]).ok().stderr_has("14 rows: 0 added, 0 changed, 14 unchanged");
    env.run(Some(&c), &["school", "import", &example("changan-schools.csv")])
        .ok()
        .stderr_has("14 rows: 0 added, 0 changed, 14 unchanged");
    assert_eq!(env.audit_count(), events_now);
    assert_eq!(live_schools(&env), 14);
}

#[test]
fn spec52_a_changed_cell_is_one_change() {
    let env = Env::national();
    let c = county(&env);
    env.run(Some(&c), &["school", "import", &example("changan-schools.csv")]).ok();
    let text = std::fs::read_to_string(example("changan-schools.csv")).unwrap();
    let changed = text.replacen("长安区建设北大街1号,1200,80,30", "长安区建设北大街1号,1250,80,30", 1);
    assert_ne!(changed, text);
    let f = env.write_file("changed.csv", changed.as_bytes());
    let before = env.audit_count();
    let r = env.run(Some(&c), &["school", "import", &f, "--dry-run", "--format", "json"]);
    r.ok().stderr_has("14 rows: 0 added, 1 changed, 13 unchanged");
    assert_eq!(codes(&r.json()), vec![S1.to_string()]);
    assert_eq!(r.json()[0]["change"], "changed");
    assert_eq!(show(&env, S1)["students"], 1200);
    env.run(Some(&c), &["school", "import", &f]).ok().stderr_has("14 rows: 0 added, 1 changed, 13 unchanged");
    assert_eq!(show(&env, S1)["students"], 1250);
    assert_eq!(env.audit_count() - before, 1);
    let ev = env.admin(&["audit", "log", "--target", S1, "--action", "school.edit", "--format", "json"]).ok().json();
    let detail = ev[0]["detail"].as_str().unwrap();
    assert!(detail.contains(r#""students":1200"#) && detail.contains(r#""students":1250"#), "{detail}");
}

#[test]
fn spec52_a_file_with_bad_rows_writes_nothing_and_names_every_line() {
    let env = Env::national();
    let c = county(&env);
    let q = other_county(&env);
    add(&env, &q, "2113040001", "桥西区第一小学", "130104", &[]).ok();
    let header = "学校标识码,学校名称,类型,主管单位,办学类型,城乡,地址,学生数,教师数,班级数";
    // A quoted address over two lines (a line break, refused in an address like every control
    // character), and a blank line: line numbers are the file's own.
    let rows = [
        "2113010101,长安区新建小学,学校,130102,小学,城区,\"长安区\n建设路\",100,10,5", // lines 2–3: line break
        "",                                                                            // line 4: blank
        "21130102,九位代码小学,学校,130102,小学,城区,,,,",                             // line 5: bad code
        "2113010101,重复小学,学校,130102,小学,城区,,,,",                               // line 6: duplicate of line 2
        "2113010103,未知类型小学,幼儿班,130102,小学,城区,,,,",                         // line 7: unknown kind
        "2113010104,负数小学,学校,130102,小学,城区,,-5,10,5",                          // line 8: negative students
        "2113010105,桥西小学,学校,130104,小学,城区,,,,",                               // line 9: another county
        "2113040001,桥西区第一小学,学校,130102,小学,城区,,,,",                         // line 10: exists elsewhere
        "2113010107,长安区好小学,学校,130102,小学,城区,,300,20,6",                     // line 11: good
    ];
    let text = format!("{header}\n{}\n", rows.join("\n"));
    let f = env.write_file("bad.csv", text.as_bytes());
    let rejects = env.path("rejects.csv");
    let before = env.audit_count();
    let r = env.run(Some(&c), &["school", "import", &f, "--rejects", rejects.to_str().unwrap()]);
    r.code(6)
        .stderr_has("line 2: the address holds a control character (U+000A")
        .stderr_has("line 5: 21130102 is not a 学校标识码")
        .stderr_has("line 6: ")
        .stderr_has("line 7: 幼儿班 is not a kind")
        .stderr_has("line 8: students cannot be negative")
        .stderr_has("line 9: no unit 130104 in your scope")
        .stderr_has("line 10: the code 2113040001 is already in use by another school")
        .stderr_has("7 of 8 rows are bad; nothing was written")
        .stderr_lacks("line 3:")
        .stderr_lacks("line 11:");
    let line6 = r.stderr.lines().find(|l| l.contains("line 6:")).unwrap();
    assert!(line6.contains("2113010101") && line6.contains('2'), "the duplicate names the first line: {line6}");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), 1, "only 130104's own school");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code IN ('2113010101', '2113010107')"), 0);
    assert_eq!(env.audit_count(), before, "nothing written, not even the good rows");

    // The rejects file: the bad rows, each with its error, ready to fix.
    let bytes = std::fs::read(&rejects).expect("rejects written");
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv_rows(text);
    let head = rdr.remove(0);
    assert_eq!(head.last().map(String::as_str), Some("error"));
    assert_eq!(head[0], "学校标识码");
    let bad_codes: Vec<&str> = rdr.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        bad_codes,
        vec!["2113010101", "21130102", "2113010101", "2113010103", "2113010104", "2113010105", "2113040001"]
    );
    assert_eq!(rdr[0][6], "长安区\\n建设路", "the line break shown escaped, ready to fix");
    assert!(rdr[4].last().unwrap().contains("students cannot be negative"), "{:?}", rdr[4]);
    assert_eq!(rdr[2][1], "重复小学", "the duplicate row itself, not the first one");

    // Dry run reports the same and exits 6 too.
    env.run(Some(&c), &["school", "import", &f, "--dry-run"]).code(6).stderr_has("line 9:");
}

#[test]
fn art13_an_import_does_not_move_a_school_to_another_unit() {
    let env = Env::national();
    let c = county(&env);
    add(&env, &c, S1, "长安区第一小学", "130102", &[]).ok();
    let p = prefecture(&env);
    let f = env.write_file("move.csv", "code,name,unit\n2113010001,长安区第一小学,130100\n".as_bytes());
    env.run(Some(&p), &["school", "import", &f])
        .code(6)
        .stderr_has("line 2: 2113010001 is supervised by 130102")
        .stderr_has("eip school transfer");
    assert_eq!(parent_and_path(&env, S1), ("130102".into(), S1_PATH.into()));
    // The prefecture does not edit a county's school through an import either.
    let f = env.write_file("edit.csv", "code,name,unit,students\n2113010001,长安区第一小学,130102,5\n".as_bytes());
    env.run(Some(&p), &["school", "import", &f]).code(6).stderr_has("line 2:");
    assert_eq!(show(&env, S1)["students"], Value::Null);
    // A school admin imports nothing.
    let f = env.write_file("own.csv", "code,name,unit\n2113010002,x,130102\n".as_bytes());
    let s = {
        let j = add(
            &env,
            &c,
            "2113010003",
            "长安区第三小学",
            "130102",
            &["--admin-name", "孙丽", "--admin-mobile", "13700000003", "--format", "json"],
        )
        .ok()
        .json();
        let u = j["username"].as_str().unwrap().to_string();
        activate(&env, &u, j["activation_code"].as_str().unwrap());
        u
    };
    env.run(Some(&s), &["school", "import", &f]).code(3);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010002'"), 0);
}

#[test]
fn spec52_export_round_trips_in_utf8_with_bom_and_in_gbk() {
    let env = Env::national();
    let c = county(&env);
    env.run(Some(&c), &["school", "import", &example("changan-schools-gbk.csv")]).ok();
    // UTF-8 with BOM by default, to stdout.
    let r = env.run(Some(&c), &["school", "export"]);
    r.ok();
    assert!(r.stdout.starts_with('\u{feff}'), "UTF-8 BOM first: {:?}", &r.stdout.chars().take(5).collect::<String>());
    let lines: Vec<&str> = r.stdout.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 15, "a header and 14 schools");
    assert!(
        lines[0].starts_with("code,name,kind,unit,category,location,address,students,teachers,classes"),
        "{}",
        lines[0]
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("2113010001,长安区第一小学,school,130102,小学,城区,长安区建设北大街1号,1200,80,30")));
    assert!(lines.iter().any(|l| l.starts_with("2213010006,长安区北村教学点,teaching_point,130102,")));

    // To a file, and back in: all unchanged, nothing recorded.
    let out = env.path("export.csv");
    env.run(Some(&c), &["school", "export", "-o", out.to_str().unwrap()]).ok();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let before = env.audit_count();
    env.run(Some(&c), &["school", "import", out.to_str().unwrap()])
        .ok()
        .stderr_has("14 rows: 0 added, 0 changed, 14 unchanged");

    // GBK on request: no BOM, not UTF-8, and it reads back the same.
    let gbk = env.path("export-gbk.csv");
    env.run(Some(&c), &["school", "export", "--encoding", "gbk", "-o", gbk.to_str().unwrap()]).ok();
    let bytes = std::fs::read(&gbk).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK-encoded Chinese is not valid UTF-8");
    // 长 in GBK is B3 A4.
    assert!(bytes.windows(2).any(|w| w == [0xB3, 0xA4]));
    env.run(Some(&c), &["school", "import", gbk.to_str().unwrap()])
        .ok()
        .stderr_has("14 rows: 0 added, 0 changed, 14 unchanged");
    assert_eq!(env.audit_count(), before);

    // A county exports only its own; the Ministry exports everything under a unit it names.
    let q = other_county(&env);
    add(&env, &q, "2113040001", "桥西区第一小学", "130104", &[]).ok();
    let r = env.run(Some(&c), &["school", "export"]);
    assert!(!r.ok().stdout.contains("2113040001"));
    let r = env.admin(&["school", "export", "--under", "130100"]);
    assert_eq!(r.ok().stdout.lines().count(), 16);
    env.run(Some(&c), &["school", "export", "--under", "130104"]).code(4);
}

// ---------------------------------------------------------------- lists

#[test]
fn spec3_list_filters_by_unit_name_and_kind() {
    let env = Env::national();
    let c = county(&env);
    env.run(Some(&c), &["school", "import", &example("changan-schools.csv")]).ok();
    let q = other_county(&env);
    add(&env, &q, "2213040001", "桥西区第一教学点", "130104", &["--kind", "teaching_point"]).ok();
    add(&env, &q, "2113040002", "桥西区第一小学", "130104", &[]).ok();
    let v = province(&env);
    // A school of the province itself: under 河北 but not under 石家庄.
    add(&env, &v, "2213000001", "省直第一教学点", "130000", &["--kind", "teaching_point"]).ok();

    let j = env
        .admin(&[
            "school",
            "list",
            "--under",
            "130100",
            "--search",
            "第一",
            "--kind",
            "teaching_point",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(codes(&j), vec!["2213040001".to_string()]);
    assert_eq!(j[0]["kind"], "teaching_point");
    assert_eq!(j[0]["unit"], "130104");
    assert_eq!(j[0]["name"], "桥西区第一教学点");

    let j = env.admin(&["school", "list", "--under", "130100", "--search", "第一", "--format", "json"]).ok().json();
    assert_eq!(codes(&j), vec!["2113010001", "3113010008", "2113040002", "2213040001"]);
    let j =
        env.admin(&["school", "list", "--under", "130100", "--kind", "teaching-point", "--format", "json"]).ok().json();
    assert_eq!(codes(&j), vec!["2213010006", "2213010007", "2213040001"]);
    let j =
        env.admin(&["school", "list", "--under", "130000", "--kind", "teaching_point", "--format", "json"]).ok().json();
    assert_eq!(j.as_array().unwrap().len(), 4);
    let j = env.admin(&["school", "list", "--under", "140000", "--format", "json"]).ok().json();
    assert_eq!(j.as_array().unwrap().len(), 0);

    // A county sees its own schools only.
    let j = env.run(Some(&c), &["school", "list", "--format", "json"]).ok().json();
    let mut mine = codes(&j);
    mine.sort();
    let mut want: Vec<String> = EXAMPLE_CODES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(mine, want);
    assert!(j.as_array().unwrap().iter().all(|s| s["unit"] == "130102"));
    assert_eq!(j.as_array().unwrap().len(), 14);
    env.run(Some(&c), &["school", "list", "--under", "130104"]).code(4).stderr_has("no unit 130104 in your scope");
    env.run(Some(&c), &["school", "show", "2113040002"]).code(4).stderr_has("no school 2113040002 in your scope");
    let j = env.run(Some(&q), &["school", "list", "--format", "json"]).ok().json();
    assert_eq!(codes(&j), vec!["2113040002", "2213040001"]);
    // The prefecture sees both counties' schools.
    let p = prefecture(&env);
    let j = env.run(Some(&p), &["school", "list", "--format", "json"]).ok().json();
    assert_eq!(j.as_array().unwrap().len(), 16);
}

/// A large import is written a batch at a time (up to a hundred rows per statement, a thousand per
/// round): 2,345 rows cross both boundaries with a remainder. Every row must still become its own
/// org and school, in file order, with one event each that continues the chain — and the next
/// school added by hand follows on.
#[test]
fn spec52_a_large_import_is_whole_in_order_and_on_the_chain() {
    let env = Env::national();
    let c = county(&env);
    let n = 2_345;
    let mut csv = String::from("code,name,kind,unit,students\n");
    for i in 1..=n {
        let kind = if i % 7 == 0 { "teaching_point" } else { "school" };
        csv.push_str(&format!("2113{:06},长安区学校{i},{kind},130102,{}\n", 100_000 + i, i % 900));
    }
    let f = env.write_file("large.csv", csv.as_bytes());
    let before = env.audit_count();
    let first_id = env.count("SELECT max(id) FROM org") + 1;
    env.run(Some(&c), &["school", "import", &f]).ok().stderr_has("2345 rows: 2345 added, 0 changed, 0 unchanged");

    assert_eq!(live_schools(&env), n);
    // Ids follow the file's order without a gap, each org with its school row and its fields.
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM org o JOIN school s ON s.org_id = o.id
             WHERE o.id = {first_id} + CAST(substr(o.code, 5) AS INTEGER) - 100001
               AND o.name = '长安区学校' || (CAST(substr(o.code, 5) AS INTEGER) - 100000)
               AND s.students = (CAST(substr(o.code, 5) AS INTEGER) - 100000) % 900
               AND s.kind = CASE WHEN (CAST(substr(o.code, 5) AS INTEGER) - 100000) % 7 = 0
                                 THEN 'teaching_point' ELSE 'school' END
               AND o.path = '/000000/130000/130100/130102/' || o.code || '/'"
        )),
        n
    );
    // One event per school, in the same order as the ids, each naming its school.
    assert_eq!(env.audit_count() - before, n);
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM audit a JOIN org o ON o.code = a.target
             WHERE a.action = 'school.add' AND a.seq - {before} = o.id - {first_id} + 1
               AND {}",
            json_eq("a.detail", "after.name", "o.name")
        )),
        n
    );
    add(&env, &c, "2113099999", "长安区后加学校", "130102", &[]).ok();
    assert_eq!(env.count("SELECT id FROM org WHERE code = '2113099999'"), first_id + n);
    let events = env.audit_count();
    env.admin(&["audit", "verify"]).ok().stderr_has(&format!("intact: {events} events"));
}
