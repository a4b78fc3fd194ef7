//! Monthly reporting (§4.5, §5.3; Art. 14–15, 17, 20): the indicator catalogue,
//! typed values, filling by the school or by proxy, the no-change confirmation that carries last
//! month forward, the calendar locks, who is expected to report, the unit aggregates and their
//! rates (checked against figures computed here by hand), the CSV round trip, the progress and
//! 催报 lists, the provinces' monthly texts, and the county's cron script.

mod common;
use common::admins::*;
use common::*;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

const COUNTY: &str = "130102";
/// 长安区第一小学, 第二小学, 育才小学 (ordinary schools of 130102, from the example CSV).
const S1: &str = "2113010001";
const S2: &str = "2113010002";
const S3: &str = "2113010003";
const S4: &str = "2113010004";
const S5: &str = "2113010005";
const S8: &str = "3113010008";
/// The two teaching points of the example CSV.
const TP6: &str = "2213010006";
const TP7: &str = "2213010007";
/// All 14 schools of examples/changan-schools.csv.
const ALL14: [&str; 14] = CHANGAN_SCHOOLS;
/// The ten indicators every school fills, in catalogue order.
const SCHOOL_INDICATORS: [&str; 10] = [
    "internet_access",
    "bandwidth_mbps",
    "classrooms",
    "multimedia_classrooms",
    "digital_resources_all_classes",
    "teacher_spaces",
    "student_spaces",
    "teacher_computers",
    "student_computers",
    "excellent_lesson_teachers",
];
const TP_INDICATORS: [&str; 3] = ["tp_equipment_in_place", "tp_resources_in_place", "tp_teaching_in_place"];
const UNIT_INDICATORS: [&str; 5] =
    ["funding", "trained_persons", "platform_linked", "platform_users", "policy_documents"];

/// The county admin imports the 14 schools of examples/changan-schools.csv.
fn import_schools(env: &Env, county: &str) {
    env.run(Some(county), &["school", "import", &example("changan-schools.csv")]).ok().stderr_has("14 rows: 14 added");
}

/// A national env with the county admin and its 14 schools; returns the county admin.
fn changan(env: &Env) -> String {
    let c = county(env);
    import_schools(env, &c);
    c
}

/// `report set --org ORG --period P pairs…` as `user`.
fn set(env: &Env, user: &str, org: &str, period: &str, pairs: &[&str]) -> Run {
    let mut args = vec!["report", "set", "--org", org, "--period", period];
    args.extend_from_slice(pairs);
    env.run(Some(user), &args)
}

/// A stored value and its carried flag.
fn stored(env: &Env, org: &str, period: &str, ind: &str) -> Option<(String, bool)> {
    env.conn()
        .query_row(
            "SELECT v.value, v.carried FROM value v JOIN org o ON o.id = v.org_id
             WHERE o.code = ?1 AND v.period = ?2 AND v.indicator = ?3",
            [org, period, ind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

fn value(env: &Env, org: &str, period: &str, ind: &str) -> Option<String> {
    stored(env, org, period, ind).map(|(v, _)| v)
}

/// Every stored value of an org in a period: indicator → (value, carried).
fn values(env: &Env, org: &str, period: &str) -> BTreeMap<String, (String, bool)> {
    let conn = env.conn();
    let mut stmt = conn
        .prepare(
            "SELECT v.indicator, v.value, v.carried FROM value v JOIN org o ON o.id = v.org_id
             WHERE o.code = ?1 AND v.period = ?2",
        )
        .unwrap();
    let rows = stmt.query_map([org, period], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).unwrap();
    rows.map(Result::unwrap).collect()
}

fn value_rows(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM value")
}

/// The org's data state in a period (None: no row, i.e. open).
fn op_state(env: &Env, org: &str, period: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT op.state FROM org_period op JOIN org o ON o.id = op.org_id WHERE o.code = ?1 AND op.period = ?2",
            [org, period],
            |r| r.get(0),
        )
        .ok()
}

/// The details of audit events with this action and target, oldest first.
fn details(env: &Env, action: &str, target: &str) -> Vec<(String, Value)> {
    env.trail(action, target).into_iter().map(|e| (e.actor, e.detail)).collect()
}

fn info_filled_at(env: &Env, school: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT s.info_filled_at FROM school s JOIN org o ON o.id = s.org_id WHERE o.code = ?1",
            [school],
            |r| r.get(0),
        )
        .expect("the school exists")
}

/// The row whose `key` column is `code`.
fn row<'a>(maps: &'a [BTreeMap<String, String>], key: &str, code: &str) -> &'a BTreeMap<String, String> {
    maps.iter().find(|m| m.get(key).map(String::as_str) == Some(code)).unwrap_or_else(|| panic!("no row {code}"))
}

fn json_row<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array().expect("a JSON list").iter().find(|o| o["code"] == code).unwrap_or_else(|| panic!("no row {code}"))
}

fn json_codes(list: &Value) -> Vec<String> {
    list.as_array().expect("a JSON list").iter().map(|o| o["code"].as_str().unwrap().to_string()).collect()
}

/// A rate as README "Monthly data" defines it, rounded to 4 decimals.
fn rate(n: f64, d: f64) -> f64 {
    (n / d * 10_000.0).round() / 10_000.0
}

#[track_caller]
fn assert_rate(m: &BTreeMap<String, String>, col: &str, want: f64) {
    let got: f64 = m[col].parse().unwrap_or_else(|_| panic!("{col} = {:?} is not a number", m[col]));
    assert!((got - want).abs() < 1e-9, "{col}: got {got}, want {want}");
}

// ---------------------------------------------------------------- 1. the catalogue (§4.1)

#[test]
fn spec41_the_catalogue_lists_the_18_seeded_indicators_with_who_fills_them() {
    let env = Env::national();
    let j = env.admin(&["report", "indicators", "--format", "json"]).ok().json();
    let list = j.as_array().expect("a list");
    assert_eq!(list.len(), 18);
    let codes: Vec<&str> = list.iter().map(|i| i["code"].as_str().unwrap()).collect();
    let want: Vec<&str> =
        SCHOOL_INDICATORS.iter().chain(TP_INDICATORS.iter()).chain(UNIT_INDICATORS.iter()).copied().collect();
    assert_eq!(codes, want, "the seeded order");
    for i in list {
        let code = i["code"].as_str().unwrap();
        let by = i["filled_by"].as_str().unwrap();
        let want = if SCHOOL_INDICATORS.contains(&code) {
            "school"
        } else if TP_INDICATORS.contains(&code) {
            "teaching_point"
        } else {
            "unit"
        };
        assert_eq!(by, want, "{code}");
        assert_eq!(i["retired"], false, "{code}");
        assert!(!i["name_zh"].as_str().unwrap().is_empty() && !i["name_en"].as_str().unwrap().is_empty());
    }
    let by_code = |c: &str| list.iter().find(|i| i["code"] == c).unwrap();
    assert_eq!(by_code("internet_access")["kind"], "bool");
    assert_eq!(by_code("internet_access")["name_zh"], "是否接入互联网");
    assert_eq!(by_code("bandwidth_mbps")["kind"], "decimal");
    assert_eq!(by_code("bandwidth_mbps")["unit"], "Mbps");
    assert_eq!(by_code("classrooms")["kind"], "count");
    assert_eq!(by_code("funding")["kind"], "decimal");
    assert_eq!(by_code("funding")["unit"], "万元");
    // Reading the catalogue is open to every role.
    let c = county(&env);
    let j = env.run(Some(&c), &["report", "indicators", "--format", "json"]).ok().json();
    assert_eq!(j.as_array().unwrap().len(), 18);
}

#[test]
fn spec41_only_a_ministry_admin_adds_an_indicator() {
    let env = Env::national();
    let c = county(&env);
    let p = province(&env);
    let add = ["report", "indicators", "add", "smart_boards", "--name-zh", "智慧黑板", "--name-en", "Smart boards"];
    let tail = ["--kind", "count", "--filled-by", "school"];
    let args: Vec<&str> = add.iter().chain(tail.iter()).copied().collect();
    for user in [&c, &p] {
        env.run(Some(user), &args).code(3).stderr_has("Ministry admin");
    }
    assert_eq!(env.count("SELECT count(*) FROM indicator WHERE code = 'smart_boards'"), 0);
    env.admin(&args).ok().stderr_has("smart_boards");
    assert_eq!(env.events_on("indicator.add", "smart_boards"), 1);
    let j = env.admin(&["report", "indicators", "--format", "json"]).ok().json();
    let list = j.as_array().unwrap();
    assert_eq!(list.len(), 19);
    let last = &list[18];
    assert_eq!(last["code"], "smart_boards");
    assert_eq!(last["name_zh"], "智慧黑板");
    assert_eq!(last["name_en"], "Smart boards");
    assert_eq!(last["kind"], "count");
    assert_eq!(last["filled_by"], "school");
    assert_eq!(last["retired"], false);
    // The same code twice is refused; nothing more is recorded.
    env.admin(&args).code(5);
    assert_eq!(env.events_on("indicator.add", "smart_boards"), 1);
    // And schools can fill it at once.
    import_schools(&env, &c);
    set(&env, &c, S1, "2026-11", &["smart_boards=3"]).ok();
    assert_eq!(value(&env, S1, "2026-11", "smart_boards").as_deref(), Some("3"));
}

/// Adds smart_boards, gives S1 a value for it in 2026-11, then retires it.
fn retired_smart_boards(env: &Env) -> String {
    let c = changan(env);
    env.admin(&[
        "report",
        "indicators",
        "add",
        "smart_boards",
        "--name-zh",
        "智慧黑板",
        "--name-en",
        "Smart boards",
        "--kind",
        "count",
        "--filled-by",
        "school",
    ])
    .ok();
    set(env, &c, S1, "2026-11", &["smart_boards=2"]).ok();
    env.run(Some(&c), &["report", "indicators", "retire", "smart_boards"]).code(3);
    env.admin(&["report", "indicators", "retire", "smart_boards"]).ok().stderr_has("retired");
    assert_eq!(env.events_on("indicator.retire", "smart_boards"), 1);
    c
}

#[test]
fn spec41_a_retired_indicator_takes_no_new_values_and_its_history_stays_readable() {
    let env = Env::national();
    let c = retired_smart_boards(&env);
    let audit = env.audit_count();
    let r = set(&env, &c, S1, "2026-11", &["smart_boards=1"]);
    assert_ne!(r.code, 0, "{r:?}");
    r.stderr_has("smart_boards is retired");
    assert_eq!(value(&env, S1, "2026-11", "smart_boards").as_deref(), Some("2"), "unchanged");
    assert_eq!(env.events_on("report.set", S1), 1);
    // A retired indicator alongside a good value: nothing at all is written.
    let r = set(&env, &c, S1, "2026-11", &["classrooms=30", "smart_boards=1"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert_eq!(value(&env, S1, "2026-11", "classrooms"), None);
    assert!(env.audit_count() <= audit + 2, "at most the refusals are recorded");
    assert_eq!(env.events_on("report.set", S1), 1);
    // Still listed (as retired) and its value still shown.
    let j = env.admin(&["report", "indicators", "--format", "json"]).ok().json();
    assert_eq!(json_row_by(&j, "code", "smart_boards")["retired"], true);
    let show =
        env.run(Some(&c), &["report", "show", "--org", S1, "--period", "2026-11", "--format", "json"]).ok().json();
    let sb = json_row_by(&show, "indicator", "smart_boards");
    assert_eq!(sb["value"], "2");
    // A school without a value for it no longer shows the retired indicator.
    let show =
        env.run(Some(&c), &["report", "show", "--org", S2, "--period", "2026-11", "--format", "json"]).ok().json();
    assert!(show.as_array().unwrap().iter().all(|i| i["indicator"] != "smart_boards"));
    // Retiring twice changes nothing.
    env.admin(&["report", "indicators", "retire", "smart_boards"]).ok();
    assert_eq!(env.events_on("indicator.retire", "smart_boards"), 1);
}

#[test]
fn spec41_a_value_for_a_retired_indicator_is_refused_with_exit_5() {
    let env = Env::national();
    let c = retired_smart_boards(&env);
    set(&env, &c, S1, "2026-11", &["smart_boards=1"]).code(5).stderr_has("smart_boards is retired");
}

fn json_row_by<'a>(list: &'a Value, key: &str, code: &str) -> &'a Value {
    list.as_array().expect("a JSON list").iter().find(|o| o[key] == code).unwrap_or_else(|| panic!("no {key} {code}"))
}

// ---------------------------------------------------------------- 2. typed values (§4.2)

#[test]
fn spec42_a_count_refuses_negative_fractional_and_words_naming_indicator_and_value() {
    let env = Env::national();
    let c = changan(&env);
    for bad in ["-1", "1.5", "abc", ""] {
        let pair = format!("classrooms={bad}");
        let r = set(&env, &c, S1, "2026-11", &[pair.as_str()]);
        r.code(6).stderr_has(&format!("classrooms: {bad} is not a count"));
    }
    assert_eq!(value_rows(&env), 0);
    assert_eq!(env.events("report.set"), 0);
    assert_eq!(op_state(&env, S1, "2026-11"), None);
}

#[test]
fn spec42_several_bad_pairs_are_all_named_at_once_and_nothing_is_written() {
    let env = Env::national();
    let c = changan(&env);
    let r = set(
        &env,
        &c,
        S1,
        "2026-11",
        &["teacher_spaces=5", "classrooms=-1", "bandwidth_mbps=fast", "internet_access=maybe", "student_spaces=7"],
    );
    r.code(6)
        .stderr_has("classrooms: -1 is not a count")
        .stderr_has("bandwidth_mbps: fast is not a number")
        .stderr_has("internet_access: maybe is not yes or no");
    assert_eq!(value_rows(&env), 0, "the good pairs are not written either");
    assert_eq!(env.events("report.set"), 0);
    assert_eq!(info_filled_at(&env, S1), None);
    // An unknown indicator is named too.
    set(&env, &c, S1, "2026-11", &["classrooms=3", "blackboards=2"]).code(6).stderr_has("blackboards");
    assert_eq!(value_rows(&env), 0);
}

#[test]
fn spec42_decimals_and_bools_are_stored_in_canonical_form() {
    let env = Env::national();
    let c = changan(&env);
    for (given, want) in [("100", "100"), ("12.50", "12.5"), ("0.5", "0.5"), ("007", "7")] {
        set(&env, &c, S1, "2026-11", &[format!("bandwidth_mbps={given}").as_str()]).ok();
        assert_eq!(value(&env, S1, "2026-11", "bandwidth_mbps").as_deref(), Some(want), "{given}");
    }
    for bad in ["-3", "1,5", "12.", "ten"] {
        set(&env, &c, S1, "2026-11", &[format!("bandwidth_mbps={bad}").as_str()]).code(6).stderr_has("bandwidth_mbps");
    }
    assert_eq!(value(&env, S1, "2026-11", "bandwidth_mbps").as_deref(), Some("7"), "the refusals wrote nothing");
    for (given, want) in
        [("是", "1"), ("否", "0"), ("1", "1"), ("0", "0"), ("true", "1"), ("false", "0"), ("TRUE", "1")]
    {
        set(&env, &c, S1, "2026-11", &[format!("internet_access={given}").as_str()]).ok();
        assert_eq!(value(&env, S1, "2026-11", "internet_access").as_deref(), Some(want), "{given}");
    }
    for bad in ["2", "maybe", "有"] {
        set(&env, &c, S1, "2026-11", &[format!("internet_access={bad}").as_str()])
            .code(6)
            .stderr_has("internet_access");
    }
    // Counts: a leading zero is the same number.
    set(&env, &c, S1, "2026-11", &["classrooms=030"]).ok();
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"));
    // A Chinese indicator name works as the key.
    set(&env, &c, S1, "2026-11", &["普通教室数=31"]).ok();
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("31"));
    // The human show says yes/no, JSON keeps the stored form.
    let j = env.run(Some(&c), &["report", "show", "--org", S1, "--period", "2026-11", "--format", "json"]).ok().json();
    assert_eq!(json_row_by(&j, "indicator", "internet_access")["value"], "1");
    assert_eq!(json_row_by(&j, "indicator", "bandwidth_mbps")["value"], "7");
}

#[test]
fn spec41_a_blank_is_not_reported_and_zero_is_a_value() {
    let env = Env::national();
    let c = changan(&env);
    set(&env, &c, S1, "2026-11", &["classrooms=0", "internet_access=0"]).ok();
    // Stored: the zeros; nothing for what was never set.
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("0"));
    assert_eq!(value(&env, S1, "2026-11", "multimedia_classrooms"), None);
    assert_eq!(values(&env, S2, "2026-11").len(), 0);
    let j = env.run(Some(&c), &["report", "show", "--org", S1, "--period", "2026-11", "--format", "json"]).ok().json();
    assert_eq!(json_row_by(&j, "indicator", "classrooms")["value"], "0");
    assert_eq!(json_row_by(&j, "indicator", "multimedia_classrooms")["value"], Value::Null);
    // The school export: 0 for S1, empty for the blank ones.
    let out = env.run(Some(&c), &["report", "export", "--period", "2026-11", "--under", COUNTY]).ok().stdout.clone();
    let maps = csv_maps(&out);
    assert_eq!(row(&maps, "org", S1)["classrooms"], "0");
    assert_eq!(row(&maps, "org", S1)["multimedia_classrooms"], "");
    assert_eq!(row(&maps, "org", S2)["classrooms"], "");
    // The aggregate: S1 reported (a zero is a report), the others did not.
    let out = env
        .run(Some(&c), &["report", "export", "--period", "2026-11", "--under", COUNTY, "--level", "county"])
        .ok()
        .stdout
        .clone();
    let maps = csv_maps(&out);
    let m = row(&maps, "org", COUNTY);
    assert_eq!(m["schools_reported"], "1");
    assert_eq!(m["classrooms"], "0");
    assert_eq!(m["multimedia_classrooms"], "", "no school reported it: blank, not 0");
    assert_eq!(m["internet_access_rate"], "0");
    assert_eq!(m["multimedia_coverage"], "", "0 ÷ 0 is no rate");
}

#[test]
fn spec42_who_fills_an_indicator_is_enforced() {
    let env = Env::national();
    let c = changan(&env);
    // A county cannot set a school indicator on itself.
    env.run(Some(&c), &["report", "set", "--period", "2026-11", "classrooms=3"])
        .code(6)
        .stderr_has("classrooms is filled by schools and teaching points; 130102 cannot set it");
    // A school cannot set the teaching-point checks, nor a unit's figures.
    set(&env, &c, S1, "2026-11", &["tp_equipment_in_place=1"])
        .code(6)
        .stderr_has("tp_equipment_in_place is filled by teaching points only; 2113010001 cannot set it");
    set(&env, &c, S1, "2026-11", &["funding=10"]).code(6).stderr_has("funding is filled by admin units");
    assert_eq!(value_rows(&env), 0);
    // What each may fill is accepted.
    set(&env, &c, TP6, "2026-11", &["tp_equipment_in_place=1", "classrooms=3"]).ok();
    env.run(Some(&c), &["report", "set", "--period", "2026-11", "funding=10"]).ok();
    assert_eq!(value(&env, TP6, "2026-11", "tp_equipment_in_place").as_deref(), Some("1"));
    assert_eq!(value(&env, TP6, "2026-11", "classrooms").as_deref(), Some("3"));
    assert_eq!(value(&env, COUNTY, "2026-11", "funding").as_deref(), Some("10"));
    assert_eq!(value_rows(&env), 3);
}

// ---------------------------------------------------------------- 3. set, confirm, show (Art. 14–15)

/// 2113010015 added by the county admin with its school admin 赵敏, activated and signed in.
fn school_with_admin(env: &Env, county: &str, code: &str) -> String {
    env.school_admin(
        county,
        &[
            code,
            "长安区新建小学",
            "--unit",
            COUNTY,
            "--teachers",
            "10",
            "--students",
            "100",
            "--admin-name",
            "赵敏",
            "--admin-mobile",
            "13700000001",
        ],
    )
}

#[test]
fn art15_a_school_admin_fills_its_own_school_and_that_marks_its_information_filled() {
    let mut env = Env::national();
    let c = county(&env);
    let s = school_with_admin(&env, &c, "2113010015");
    assert_eq!(s, "2113010015-S01");
    assert_eq!(info_filled_at(&env, "2113010015"), None);
    // A proxy entry by the county is not the school filling in its information.
    set(&env, &c, "2113010015", "2026-11", &["classrooms=12"]).ok();
    assert_eq!(info_filled_at(&env, "2113010015"), None);
    // The school's own account: its own org, no --org needed; the period is printed.
    env.now = "2026-11-20T11:30:00+08:00".into();
    env.run(Some(&s), &["report", "set", "internet_access=是", "classrooms=12"])
        .ok()
        .stderr_has("period 2026-11 for 2113010015")
        .stderr_has("2113010015 2026-11: 1 changed, 1 unchanged");
    assert_eq!(value(&env, "2113010015", "2026-11", "internet_access").as_deref(), Some("1"));
    assert_eq!(info_filled_at(&env, "2113010015").as_deref(), Some("2026-11-20T03:30:00Z"));
    let d = details(&env, "report.set", "2113010015");
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].0, "130102-A01");
    assert_eq!(d[0].1["proxy"], true);
    assert_eq!(d[1].0, "2113010015-S01");
    assert_eq!(d[1].1["proxy"], false);
    assert_eq!(d[1].1["indicator"], "internet_access");
    // A later value does not move the first time.
    env.now = "2026-11-20T12:30:00+08:00".into();
    env.run(Some(&s), &["report", "set", "classrooms=13"]).ok();
    assert_eq!(info_filled_at(&env, "2113010015").as_deref(), Some("2026-11-20T03:30:00Z"));
    assert_eq!(op_state(&env, "2113010015", "2026-11").as_deref(), Some("filled"));
    // A school admin cannot write another school.
    import_schools(&env, &c);
    env.run(Some(&s), &["report", "set", "--org", S1, "classrooms=1"]).code(4);
    assert_eq!(value(&env, S1, "2026-11", "classrooms"), None);
}

#[test]
fn art15_a_county_admin_enters_its_school_s_data_by_proxy_audited_as_such() {
    let env = Env::national();
    let c = changan(&env);
    set(&env, &c, S1, "2026-11", &["classrooms=30", "bandwidth_mbps=12.50"])
        .ok()
        .stderr_has("period 2026-11 for 2113010001")
        .stderr_has("2 changed, 0 unchanged");
    let d = details(&env, "report.set", S1);
    assert_eq!(d.len(), 2);
    for (actor, detail) in &d {
        assert_eq!(actor, "130102-A01");
        assert_eq!(detail["proxy"], true);
        assert_eq!(detail["before"], Value::Null);
    }
    assert_eq!(d[1].1["indicator"], "bandwidth_mbps");
    assert_eq!(d[1].1["after"], "12.5");
    let period: String = env
        .conn()
        .query_row("SELECT period FROM audit WHERE action = 'report.set' ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(period, "2026-11");
    // The county's own data is not proxy.
    env.run(Some(&c), &["report", "set", "funding=3"]).ok().stderr_has("period 2026-11 for 130102");
    let d = details(&env, "report.set", COUNTY);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].1["proxy"], false);
    // Shown with who set it.
    let j = env.run(Some(&c), &["report", "show", "--org", S1, "--format", "json"]).ok().json();
    let v = json_row_by(&j, "indicator", "classrooms");
    assert_eq!(v["value"], "30");
    assert_eq!(v["set_by"], "130102-A01");
    assert_eq!(v["carried"], false);
    assert_eq!(v["set_at"], "2026-11-20T10:00:00+08:00");
}

#[test]
fn spec2_a_prefecture_admin_may_not_enter_a_county_school_s_data() {
    let env = Env::national();
    let _c = changan(&env);
    let p = prefecture(&env);
    let audit_sets = env.events("report.set");
    set(&env, &p, S1, "2026-11", &["classrooms=30"]).code(3).stderr_has("supervising unit");
    env.run(Some(&p), &["report", "confirm", "--org", S1]).code(3);
    assert_eq!(value_rows(&env), 0);
    assert_eq!(env.events("report.set"), audit_sets);
    assert_eq!(op_state(&env, S1, "2026-11"), None);
    // Each refusal is audited.
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM audit WHERE action = 'denied' AND target = '{S1}' AND actor = '{p}'")),
        2
    );
    // Another county's admin does not even see it.
    let o = other_county(&env);
    set(&env, &o, S1, "2026-11", &["classrooms=30"]).code(4).stderr_has("no unit or school 2113010001 in your scope");
    assert_eq!(value_rows(&env), 0);
}

#[test]
fn spec42_every_data_command_prints_the_period_it_used() {
    let env = Env::national();
    let c = changan(&env);
    let want = "period 2026-11 for 2113010001";
    set(&env, &c, S1, "2026-11", &["classrooms=30"]).ok().stderr_has(want);
    env.run(Some(&c), &["report", "set", "--org", S1, "classrooms=30"]).ok().stderr_has(want);
    env.run(Some(&c), &["report", "confirm", "--org", S1]).ok().stderr_has(want);
    env.run(Some(&c), &["report", "show", "--org", S1]).ok().stderr_has(want);
    let county_p = "period 2026-11 for 130102";
    env.run(Some(&c), &["report", "export"]).ok().stderr_has(county_p);
    env.run(Some(&c), &["report", "status"]).ok().stderr_has(county_p);
    env.run(Some(&c), &["report", "missing"]).ok().stderr_has(county_p);
    // A refusal prints it too.
    set(&env, &c, S1, "2026-11", &["classrooms=x"]).code(6).stderr_has(want);
}

#[test]
fn spec7_the_same_value_set_twice_records_nothing() {
    let env = Env::national();
    let c = changan(&env);
    set(&env, &c, S1, "2026-11", &["classrooms=30", "internet_access=1"]).ok();
    let audit = env.audit_count();
    let before = values(&env, S1, "2026-11");
    // The same values, written differently.
    set(&env, &c, S1, "2026-11", &["classrooms=030", "internet_access=是"]).ok().stderr_has("0 changed, 2 unchanged");
    assert_eq!(env.audit_count(), audit);
    assert_eq!(values(&env, S1, "2026-11"), before);
    // One change: one event with before and after.
    set(&env, &c, S1, "2026-11", &["classrooms=31", "internet_access=1"]).ok().stderr_has("1 changed, 1 unchanged");
    assert_eq!(env.audit_count(), audit + 1);
    let d = details(&env, "report.set", S1);
    let last = &d.last().unwrap().1;
    assert_eq!(last["indicator"], "classrooms");
    assert_eq!(last["before"], "30");
    assert_eq!(last["after"], "31");
}

#[test]
fn art15_confirm_carries_exactly_last_month_s_values_forward() {
    let mut env = Env::national_at("2026-10-10T10:00:00+08:00");
    let c = changan(&env);
    let tok = token(&env, &c);
    // October: S1 reports five values.
    set(
        &env,
        &c,
        S1,
        "2026-10",
        &["classrooms=30", "multimedia_classrooms=20", "internet_access=1", "bandwidth_mbps=50", "teacher_spaces=60"],
    )
    .ok();
    let october = values(&env, S1, "2026-10");
    assert_eq!(october.len(), 5);
    // November: one value changed, then "no other change".
    env.now = "2026-11-20T10:00:00+08:00".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "classrooms=31"]).ok().stderr_has("period 2026-11");
    let audit = env.audit_count();
    let r = with_token(&env, &tok, &["report", "confirm", "--org", S1, "--format", "json"]);
    r.ok()
        .stderr_has("period 2026-11 for 2113010001")
        .stderr_has("2113010001 2026-11 confirmed; 4 values carried forward");
    let carried_list = r.json();
    let mut listed: Vec<(String, String, String)> = carried_list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["indicator"].as_str().unwrap().to_string(),
                c["value"].as_str().unwrap().to_string(),
                c["from"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        vec![
            ("bandwidth_mbps".into(), "50".into(), "2026-10".into()),
            ("internet_access".into(), "1".into(), "2026-10".into()),
            ("multimedia_classrooms".into(), "20".into(), "2026-10".into()),
            ("teacher_spaces".into(), "60".into(), "2026-10".into()),
        ]
    );
    let november = values(&env, S1, "2026-11");
    assert_eq!(november.len(), 5, "nothing beyond October's indicators");
    for (ind, (v, _)) in &october {
        if ind == "classrooms" {
            assert_eq!(november[ind], ("31".to_string(), false), "set this month: kept, not carried");
        } else {
            assert_eq!(november[ind], (v.clone(), true), "{ind} carried from October");
        }
    }
    assert_eq!(op_state(&env, S1, "2026-11").as_deref(), Some("confirmed"));
    let confirmed_by: String = env
        .conn()
        .query_row(
            "SELECT a.username FROM org_period op JOIN org o ON o.id = op.org_id JOIN account a ON a.id = op.confirmed_by
             WHERE o.code = ?1 AND op.period = '2026-11'",
            [S1],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(confirmed_by, "130102-A01");
    // One event, with what was carried; no report.set events for carried values.
    assert_eq!(env.audit_count(), audit + 1);
    let d = details(&env, "report.confirm", S1);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].1["carried"]["teacher_spaces"]["value"], "60");
    assert_eq!(d[0].1["carried"]["teacher_spaces"]["from"], "2026-10");
    assert_eq!(d[0].1["after"]["state"], "confirmed");
    assert_eq!(d[0].1["proxy"], true);
    // October is untouched.
    assert_eq!(values(&env, S1, "2026-10"), october);
    // Shown as carried.
    let j = with_token(&env, &tok, &["report", "show", "--org", S1, "--format", "json"]).ok().json();
    assert_eq!(json_row_by(&j, "indicator", "teacher_spaces")["carried"], true);
    assert_eq!(json_row_by(&j, "indicator", "classrooms")["carried"], false);
    // Confirming again records nothing.
    with_token(&env, &tok, &["report", "confirm", "--org", S1]).ok().stderr_has("already confirmed");
    assert_eq!(env.audit_count(), audit + 1);
    assert_eq!(values(&env, S1, "2026-11"), november);
}

#[test]
fn art14_a_county_confirms_its_own_unchanged_figures_month_by_month_carrying_stocks_and_recording_flows_as_zero() {
    // The units must exist before October to report it.
    let mut env = Env::national_at("2026-10-10T10:00:00+08:00");
    let c = county(&env);
    let tok = token(&env, &c);
    env.run(Some(&c), &["report", "set", "funding=3.50", "platform_linked=是", "trained_persons=120"])
        .ok()
        .stderr_has("period 2026-10 for 130102");
    env.now = "2026-11-20T10:00:00+08:00".into();
    // Moving the clock past October's deadlines lets the system submit October: do
    // that first, so that what is counted below is the confirmation alone.
    with_token(&env, &tok, &["report", "show"]).ok();
    assert!(env.count("SELECT count(*) FROM audit WHERE action = 'submit.auto'") > 3000);
    let audit = env.audit_count();
    with_token(&env, &tok, &["report", "confirm"])
        .ok()
        .stderr_has("period 2026-11 for 130102")
        .stderr_has("130102 2026-11 confirmed; 1 values carried forward")
        .stderr_has("recorded as 0 for: funding, trained_persons, policy_documents");
    let nov = values(&env, COUNTY, "2026-11");
    let want: BTreeMap<String, (String, bool)> = [
        // The stock carried; the flows (this month's spending, training, documents) are 0, never
        // last month's again.
        ("funding".to_string(), ("0".to_string(), true)),
        ("platform_linked".to_string(), ("1".to_string(), true)),
        ("policy_documents".to_string(), ("0".to_string(), true)),
        ("trained_persons".to_string(), ("0".to_string(), true)),
    ]
    .into_iter()
    .collect();
    assert_eq!(nov, want);
    assert_eq!(op_state(&env, COUNTY, "2026-11").as_deref(), Some("confirmed"));
    assert_eq!(env.audit_count(), audit + 1);
    let d = details(&env, "report.confirm", COUNTY);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, "130102-A01");
    assert_eq!(d[0].1["proxy"], false);
    // December: a change is an update, the stock carried from November, the other flows 0.
    env.now = "2026-12-20T10:00:00+08:00".into();
    with_token(&env, &tok, &["report", "set", "funding=4"]).ok().stderr_has("period 2026-12 for 130102");
    with_token(&env, &tok, &["report", "confirm"]).ok().stderr_has("1 values carried forward");
    assert_eq!(stored(&env, COUNTY, "2026-12", "funding"), Some(("4".to_string(), false)));
    assert_eq!(stored(&env, COUNTY, "2026-12", "platform_linked"), Some(("1".to_string(), true)));
    assert_eq!(stored(&env, COUNTY, "2026-12", "trained_persons"), Some(("0".to_string(), true)));
}

#[test]
fn art15_a_confirm_with_nothing_to_carry_is_refused_listing_the_missing_indicators() {
    let env = Env::national();
    let c = changan(&env);
    let r = env.run(Some(&c), &["report", "confirm", "--org", S1, "--period", "2026-11"]);
    r.code(5).stderr_has("2113010001 has nothing to confirm for 2026-11");
    let missing_line = r.stderr.lines().find(|l| l.contains("Missing:")).expect("the missing list").to_string();
    for i in SCHOOL_INDICATORS {
        assert!(missing_line.contains(i), "{i} listed: {missing_line}");
    }
    for i in TP_INDICATORS.iter().chain(UNIT_INDICATORS.iter()) {
        assert!(!missing_line.contains(i), "{i} is not a school's: {missing_line}");
    }
    // A teaching point misses the three checks too.
    let r = env.run(Some(&c), &["report", "confirm", "--org", TP6, "--period", "2026-11"]);
    r.code(5);
    for i in TP_INDICATORS {
        r.stderr_has(i);
    }
    // The county itself: its own figures.
    let r = env.run(Some(&c), &["report", "confirm", "--period", "2026-11"]);
    r.code(5).stderr_has("funding").stderr_has("policy_documents").stderr_lacks("classrooms");
    assert_eq!(op_state(&env, S1, "2026-11"), None);
    assert_eq!(op_state(&env, COUNTY, "2026-11"), None);
    assert_eq!(env.events("report.confirm"), 0);
    assert_eq!(value_rows(&env), 0);
    // One value this month is enough to confirm, and nothing is carried.
    set(&env, &c, S1, "2026-11", &["classrooms=30"]).ok();
    env.run(Some(&c), &["report", "confirm", "--org", S1, "--period", "2026-11"]).ok().stderr_has("0 values carried");
    assert_eq!(op_state(&env, S1, "2026-11").as_deref(), Some("confirmed"));
    assert_eq!(value_rows(&env), 1);
}

// ---------------------------------------------------------------- 4. locks and the calendar (§4.2–4.3, Art. 17)

#[test]
fn spec42_a_future_period_is_refused_with_reason_period_not_started() {
    let env = Env::national();
    let c = changan(&env);
    set(&env, &c, S1, "2026-12", &["classrooms=30"])
        .code(5)
        .stderr_has("2026-12 has not begun: it opens 2026-12-01 00:00");
    let r =
        env.run(Some(&c), &["report", "set", "--org", S1, "--period", "2026-12", "classrooms=30", "--format", "json"]);
    r.code(5);
    let line = r.stderr.lines().find(|l| l.starts_with('{')).expect("a JSON error on stderr");
    let e: Value = serde_json::from_str(line).unwrap();
    assert_eq!(e["reason"], "period_not_started");
    assert_eq!(e["exit_code"], 5);
    assert_eq!(e["kind"], "refused");
    env.run(Some(&c), &["report", "confirm", "--org", S1, "--period", "2027-01"]).code(5).stderr_has("has not begun");
    assert_eq!(value_rows(&env), 0);
}

#[test]
fn art17_a_month_opens_at_midnight_china_standard_time() {
    let mut env = Env::national();
    let c = changan(&env);
    let tok = token(&env, &c);
    // 2026-12-01 00:00 CST is 2026-11-30 16:00 UTC, whatever zone the clock is written in.
    env.now = "2026-11-30T15:59:59Z".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-12", "classrooms=1"])
        .code(5)
        .stderr_has("it opens 2026-12-01 00:00");
    env.now = "2026-11-30T16:00:00Z".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-12", "classrooms=1"]).ok();
    assert_eq!(value(&env, S1, "2026-12", "classrooms").as_deref(), Some("1"));
    // The same instant written in CST: November is still the default for a county school.
    env.now = "2026-12-01T00:00:00+08:00".into();
    with_token(&env, &tok, &["report", "show", "--org", S1]).ok().stderr_has("period 2026-11 for 2113010001");
}

#[test]
fn spec7_two_values_for_one_indicator_in_one_write_keep_the_audit_history_true() {
    let env = Env::national();
    let c = changan(&env);
    let check = |org: &str, r: &Run| {
        if r.code != 0 {
            // Refusing the conflict is fine too, as long as nothing is written.
            assert_eq!(r.code, 6, "{r:?}");
            assert_eq!(values(&env, org, "2026-11").len(), 0);
            return;
        }
        let d = details(&env, "report.set", org);
        let mut prev = Value::Null;
        for (_, e) in &d {
            assert_eq!(e["before"], prev, "each event's before is the value it replaced: {d:?}");
            prev = e["after"].clone();
        }
        assert_eq!(Value::String(value(&env, org, "2026-11", "classrooms").unwrap_or_default()), prev);
    };
    // One command.
    let r = set(&env, &c, S1, "2026-11", &["classrooms=5", "classrooms=6"]);
    check(S1, &r);
    // One import file.
    let file = env.write_file(
        "dup.csv",
        "org,period,indicator,value\n2113010002,2026-11,classrooms,31\n2113010002,2026-11,classrooms,32\n".as_bytes(),
    );
    let r = env.run(Some(&c), &["report", "import", &file]);
    check(S2, &r);
}

#[test]
fn spec2_a_reviewer_may_not_import_monthly_data() {
    let env = Env::national();
    let _c = changan(&env);
    let r = env.person(COUNTY, "reviewer", "长审", "13700000106");
    let file = env.write_file("v.csv", "org,period,indicator,value\n2113010003,2026-11,classrooms,31\n".as_bytes());
    env.run(Some(&r), &["report", "import", &file]).code(3).stderr_has("admin");
    assert_eq!(value_rows(&env), 0);
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE action = 'denied' AND actor = '{r}'")), 1);
}

#[test]
fn art17_after_the_county_deadline_a_county_school_s_month_is_closed() {
    let mut env = Env::national();
    let c = changan(&env);
    let tok = token(&env, &c);
    set(&env, &c, S1, "2026-11", &["classrooms=30"]).ok();
    // The last second of the 5th: still open — also given as a UTC clock string (the same instant).
    env.now = "2026-12-05T15:59:59Z".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=33"]).ok();
    env.now = "2026-12-05T23:59:59+08:00".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=31"]).ok();
    // The 6th, 00:00 CST: closed, naming the unit whose deadline it is and when.
    env.now = "2026-12-06T00:00:00+08:00".into();
    // The system submitted the county's month as it stood at the deadline (Art. 17); the school's
    // data is read-only with it.
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=32"])
        .code(5)
        .stderr_has("2026-11 was submitted by 130102 (the system, automatically) on 2026-12-06 00:00 CST");
    let r = with_token(
        &env,
        &tok,
        &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=32", "--format", "json"],
    );
    r.code(5);
    let e: Value = serde_json::from_str(r.stderr.lines().find(|l| l.starts_with('{')).expect("JSON error")).unwrap();
    assert_eq!(e["reason"], "submitted");
    assert!(e["error"].as_str().unwrap().contains("130102"), "{e}");
    with_token(&env, &tok, &["report", "confirm", "--org", S1, "--period", "2026-11"]).code(5).stderr_has("read-only");
    with_token(&env, &tok, &["report", "set", "--period", "2026-11", "funding=1"])
        .code(5)
        .stderr_has("was submitted by 130102");
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("31"));
    assert_eq!(value(&env, COUNTY, "2026-11", "funding"), None);
    assert_eq!(op_state(&env, S1, "2026-11").as_deref(), Some("filled"));
    // The 6th is already December's own month: open.
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-12", "classrooms=32"]).ok();
    // 16:00 UTC on the 5th is the same instant as 00:00 CST on the 6th: closed.
    env.now = "2026-12-05T16:00:00Z".into();
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=34"]).code(5);
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("31"));
}

#[test]
fn art17_a_prefecture_s_data_and_its_own_schools_follow_the_prefecture_s_deadline() {
    let mut env = Env::national();
    let c = changan(&env);
    let ctok = token(&env, &c);
    let p = prefecture(&env);
    // A school supervised directly by the prefecture.
    env.run(Some(&p), &["school", "add", "2113019001", "石家庄市直属小学", "--unit", "130100"]).ok();
    let ptok = token(&env, &p);
    env.now = "2026-12-07T10:00:00+08:00".into();
    with_token(&env, &ptok, &["report", "set", "--period", "2026-11", "funding=10"])
        .ok()
        .stderr_has("period 2026-11 for 130100");
    with_token(&env, &ptok, &["report", "set", "--org", "2113019001", "--period", "2026-11", "classrooms=8"]).ok();
    assert_eq!(value(&env, "130100", "2026-11", "funding").as_deref(), Some("10"));
    assert_eq!(value(&env, "2113019001", "2026-11", "classrooms").as_deref(), Some("8"));
    // … while a county's school is closed for 2026-11 the same day.
    with_token(&env, &ctok, &["report", "set", "--org", S1, "--period", "2026-11", "classrooms=8"])
        .code(5)
        .stderr_has("2026-11 was submitted by 130102 (the system, automatically)");
    // After the 10th the prefecture's month is closed too.
    env.now = "2026-12-11T00:00:00+08:00".into();
    with_token(&env, &ptok, &["report", "set", "--period", "2026-11", "funding=11"])
        .code(5)
        .stderr_has("2026-11 was submitted by 130100 (the system, automatically) on 2026-12-11 00:00 CST");
    with_token(&env, &ptok, &["report", "set", "--org", "2113019001", "--period", "2026-11", "classrooms=9"])
        .code(5)
        .stderr_has("was submitted by 130100");
    assert_eq!(value(&env, "130100", "2026-11", "funding").as_deref(), Some("10"));
    assert_eq!(value(&env, "2113019001", "2026-11", "classrooms").as_deref(), Some("8"));
}

#[test]
fn spec42_the_default_period_is_the_oldest_still_open_for_the_org() {
    let mut env = Env::national();
    let c = changan(&env);
    let p = prefecture(&env);
    let pr = province(&env);
    let ctok = token(&env, &c);
    let ptok = token(&env, &p);
    let prtok = token(&env, &pr);
    // 3 December: county schools still report November.
    env.now = "2026-12-03T10:00:00+08:00".into();
    with_token(&env, &ctok, &["report", "set", "--org", S1, "classrooms=30"])
        .ok()
        .stderr_has("period 2026-11 for 2113010001");
    with_token(&env, &ctok, &["report", "set", "funding=1"]).ok().stderr_has("period 2026-11 for 130102");
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"));
    assert_eq!(value(&env, S1, "2026-12", "classrooms"), None);
    // 7 December: November is closed for the county, so December; the prefecture still has November.
    env.now = "2026-12-07T10:00:00+08:00".into();
    with_token(&env, &ctok, &["report", "set", "--org", S1, "classrooms=31"])
        .ok()
        .stderr_has("period 2026-12 for 2113010001");
    assert_eq!(value(&env, S1, "2026-12", "classrooms").as_deref(), Some("31"));
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"));
    with_token(&env, &ptok, &["report", "set", "funding=2"]).ok().stderr_has("period 2026-11 for 130100");
    with_token(&env, &ctok, &["report", "show", "--org", S1]).ok().stderr_has("period 2026-12");
    // 12 December: the prefecture moves on; the province (deadline the 15th) still has November.
    env.now = "2026-12-12T10:00:00+08:00".into();
    with_token(&env, &ptok, &["report", "set", "funding=3"]).ok().stderr_has("period 2026-12 for 130100");
    with_token(&env, &prtok, &["report", "set", "funding=4"]).ok().stderr_has("period 2026-11 for 130000");
    assert_eq!(value(&env, "130100", "2026-11", "funding").as_deref(), Some("2"));
    assert_eq!(value(&env, "130100", "2026-12", "funding").as_deref(), Some("3"));
    assert_eq!(value(&env, "130000", "2026-11", "funding").as_deref(), Some("4"));
    // 16 December: the province too.
    env.now = "2026-12-16T10:00:00+08:00".into();
    with_token(&env, &prtok, &["report", "set", "funding=5"]).ok().stderr_has("period 2026-12 for 130000");
}

// ---------------------------------------------------------------- 5. who is expected (§3, §4.5)

/// 长安区's aggregate row of `period`, exported with the token `tok`.
fn county_row(env: &Env, tok: &str, period: &str) -> BTreeMap<String, String> {
    let out = with_token(
        env,
        tok,
        &["report", "export", "--period", period, "--under", COUNTY, "--level", "county", "--format", "csv"],
    )
    .ok()
    .stdout
    .clone();
    row(&csv_maps(&out), "org", COUNTY).clone()
}

#[test]
fn spec45_a_school_merged_in_october_is_expected_in_october_but_not_in_november() {
    let mut env = Env::national_at("2026-09-15T10:00:00+08:00");
    let c = changan(&env);
    let tok = token(&env, &c);
    env.now = "2026-10-15T10:00:00+08:00".into();
    with_token(&env, &tok, &["school", "merge", S5, "--into", S4, "--reason", "撤并"]).ok();
    env.now = "2026-11-03T10:00:00+08:00".into();
    let export = |period: &str| county_row(&env, &tok, period);
    assert_eq!(export("2026-10")["schools_expected"], "14");
    assert_eq!(export("2026-11")["schools_expected"], "13");
    let school_rows = |period: &str| -> Vec<String> {
        let out =
            with_token(&env, &tok, &["report", "export", "--period", period, "--under", COUNTY]).ok().stdout.clone();
        csv_maps(&out).iter().map(|m| m["org"].clone()).collect()
    };
    assert!(school_rows("2026-10").contains(&S5.to_string()));
    assert_eq!(school_rows("2026-10").len(), 14);
    assert!(!school_rows("2026-11").contains(&S5.to_string()));
    assert_eq!(school_rows("2026-11").len(), 13);
    let status = |period: &str| {
        with_token(&env, &tok, &["report", "status", "--under", COUNTY, "--period", period, "--format", "json"])
            .ok()
            .json()
    };
    assert!(json_codes(&status("2026-10")).contains(&S5.to_string()));
    assert_eq!(json_codes(&status("2026-10")).len(), 14);
    assert!(!json_codes(&status("2026-11")).contains(&S5.to_string()));
    assert_eq!(json_codes(&status("2026-11")).len(), 13);
    let missing = |period: &str| -> Vec<String> {
        let out =
            with_token(&env, &tok, &["report", "missing", "--period", period, "--format", "csv"]).ok().stdout.clone();
        csv_maps(&out).iter().map(|m| m["code"].clone()).collect()
    };
    assert!(missing("2026-10").contains(&S5.to_string()));
    assert!(!missing("2026-11").contains(&S5.to_string()));
    assert_eq!(missing("2026-11").len(), 14, "the county and its 13 schools");
    // It may still report October (before the county's deadline), not November.
    with_token(&env, &tok, &["report", "set", "--org", S5, "--period", "2026-10", "classrooms=12"]).ok();
    let r = with_token(
        &env,
        &tok,
        &["report", "set", "--org", S5, "--period", "2026-11", "classrooms=12", "--format", "json"],
    );
    r.code(5);
    let e: Value = serde_json::from_str(r.stderr.lines().find(|l| l.starts_with('{')).unwrap()).unwrap();
    assert_eq!(e["reason"], "org_not_expected");
    assert_eq!(value(&env, S5, "2026-10", "classrooms").as_deref(), Some("12"));
    assert_eq!(value(&env, S5, "2026-11", "classrooms"), None);
}

#[test]
fn spec45_a_school_created_in_november_is_not_expected_in_october() {
    let mut env = Env::national_at("2026-10-10T10:00:00+08:00");
    let c = changan(&env);
    let tok = token(&env, &c);
    env.now = "2026-11-02T10:00:00+08:00".into();
    with_token(&env, &tok, &["school", "add", "2113010015", "长安区新建小学", "--unit", COUNTY, "--teachers", "10"])
        .ok();
    env.now = "2026-11-03T10:00:00+08:00".into();
    // October (still open for the county until the 5th): refused for the new school only.
    with_token(&env, &tok, &["report", "set", "--org", "2113010015", "--period", "2026-10", "classrooms=5"])
        .code(5)
        .stderr_has("2113010015 does not report 2026-10");
    let r = with_token(
        &env,
        &tok,
        &["report", "set", "--org", "2113010015", "--period", "2026-10", "classrooms=5", "--format", "json"],
    );
    r.code(5);
    let e: Value = serde_json::from_str(r.stderr.lines().find(|l| l.starts_with('{')).unwrap()).unwrap();
    assert_eq!(e["reason"], "org_not_expected");
    with_token(&env, &tok, &["report", "set", "--org", S1, "--period", "2026-10", "classrooms=5"]).ok();
    assert_eq!(value(&env, "2113010015", "2026-10", "classrooms"), None);
    // Its default period is November, where it is expected.
    with_token(&env, &tok, &["report", "set", "--org", "2113010015", "classrooms=5"])
        .ok()
        .stderr_has("period 2026-11 for 2113010015");
    let agg = |period: &str| county_row(&env, &tok, period);
    assert_eq!(agg("2026-10")["schools_expected"], "14");
    assert_eq!(agg("2026-11")["schools_expected"], "15");
    let status_oct =
        with_token(&env, &tok, &["report", "status", "--under", COUNTY, "--period", "2026-10", "--format", "json"])
            .ok()
            .json();
    assert!(!json_codes(&status_oct).contains(&"2113010015".to_string()));
    let status_nov =
        with_token(&env, &tok, &["report", "status", "--under", COUNTY, "--period", "2026-11", "--format", "json"])
            .ok()
            .json();
    assert!(json_codes(&status_nov).contains(&"2113010015".to_string()));
    let miss_oct =
        with_token(&env, &tok, &["report", "missing", "--period", "2026-10", "--format", "csv"]).ok().stdout.clone();
    assert!(!miss_oct.contains("2113010015"));
    let miss_nov =
        with_token(&env, &tok, &["report", "missing", "--period", "2026-11", "--format", "csv"]).ok().stdout.clone();
    assert!(miss_nov.contains("2113010015"));
}

// ---------------------------------------------------------------- 6. aggregates (§4.5)

/// Σ students and Σ teachers of the example CSV, read from the file.
fn csv_totals() -> (i64, i64) {
    let text = std::fs::read_to_string(example("changan-schools.csv")).unwrap();
    let maps = csv_maps(&text);
    assert_eq!(maps.len(), 14);
    let sum = |col: &str| maps.iter().map(|m| m[col].parse::<i64>().unwrap()).sum::<i64>();
    (sum("学生数"), sum("教师数"))
}

/// The small tree of the aggregation tests: values for five schools of 130102 (two of them the
/// teaching points), the county's own figures, and one school supervised by the prefecture.
fn aggregation_tree(env: &Env) -> (String, String) {
    let c = changan(env);
    let p = prefecture(env);
    let ok = |user: &str, org: &str, pairs: &[&str]| set(env, user, org, "2026-11", pairs).ok().stderr.clone();
    ok(
        &c,
        S1,
        &[
            "internet_access=1",
            "bandwidth_mbps=10",
            "classrooms=30",
            "multimedia_classrooms=24",
            "teacher_spaces=60",
            "student_spaces=900",
        ],
    );
    ok(
        &c,
        S2,
        &["internet_access=否", "bandwidth_mbps=9.5", "classrooms=24", "multimedia_classrooms=12", "teacher_spaces=40"],
    );
    ok(
        &c,
        S8,
        &[
            "internet_access=true",
            "bandwidth_mbps=100",
            "classrooms=33",
            "multimedia_classrooms=33",
            "teacher_spaces=100",
            "student_spaces=1000",
        ],
    );
    ok(
        &c,
        TP6,
        &[
            "tp_equipment_in_place=1",
            "tp_resources_in_place=是",
            "tp_teaching_in_place=true",
            "internet_access=1",
            "bandwidth_mbps=4",
            "classrooms=3",
            "multimedia_classrooms=1",
        ],
    );
    ok(
        &c,
        TP7,
        &[
            "tp_equipment_in_place=1",
            "tp_resources_in_place=0",
            "tp_teaching_in_place=1",
            "classrooms=4",
            "multimedia_classrooms=0",
        ],
    );
    env.run(Some(&c), &["report", "set", "--period", "2026-11", "funding=3.5", "trained_persons=120"]).ok();
    // S1 confirms; the others only filled.
    env.run(Some(&c), &["report", "confirm", "--org", S1, "--period", "2026-11"]).ok();
    // The prefecture's own school (20 teachers, 200 students) and own figures.
    env.run(
        Some(&p),
        &[
            "school",
            "add",
            "2113019001",
            "石家庄市直属小学",
            "--unit",
            "130100",
            "--teachers",
            "20",
            "--students",
            "200",
        ],
    )
    .ok();
    ok(
        &p,
        "2113019001",
        &["internet_access=1", "bandwidth_mbps=50", "classrooms=10", "multimedia_classrooms=10", "teacher_spaces=20"],
    );
    env.run(Some(&p), &["report", "set", "--period", "2026-11", "funding=12.5"]).ok();
    (c, p)
}

#[test]
fn spec45_county_aggregates_and_rates_match_hand_computed_figures() {
    let env = Env::national();
    let (_c, p) = aggregation_tree(&env);
    let (students, teachers) = csv_totals();
    assert_eq!((students, teachers), (13453, 1012), "the example CSV's totals, added up by hand");

    let out = env
        .run(
            Some(&p),
            &["report", "export", "--period", "2026-11", "--level", "county", "--under", "130100", "--format", "csv"],
        )
        .ok()
        .stderr_has("period 2026-11")
        .stdout
        .clone();
    let rows = csv_rows(&out);
    assert_eq!(&rows[0][..4], &["org", "name", "level", "period"]);
    let maps = csv_maps(&out);
    let counties = env.count("SELECT count(*) FROM org WHERE level = 'county' AND path LIKE '/000000/130000/130100/%'");
    assert_eq!(maps.len() as i64, counties, "one row per county of 130100");
    let m = row(&maps, "org", COUNTY);
    assert_eq!(m["name"], "长安区");
    assert_eq!(m["level"], "county");
    assert_eq!(m["period"], "2026-11");
    assert_eq!(m["schools_expected"], "14");
    assert_eq!(m["schools_reported"], "5");
    assert_eq!(m["schools_confirmed"], "1");
    assert_eq!(m["teaching_points_expected"], "2");
    assert_eq!(m["teaching_points_reported"], "2");
    // Sums: counts and decimals over the schools that reported them; bools count the yeses.
    assert_eq!(m["classrooms"], (30 + 24 + 33 + 3 + 4).to_string());
    assert_eq!(m["multimedia_classrooms"], (24 + 12 + 33 + 1).to_string());
    assert_eq!(m["teacher_spaces"], "200");
    assert_eq!(m["student_spaces"], "1900");
    assert_eq!(m["bandwidth_mbps"], "123.5");
    assert_eq!(m["internet_access"], "3");
    assert_eq!(m["tp_equipment_in_place"], "2");
    assert_eq!(m["tp_resources_in_place"], "1");
    assert_eq!(m["tp_teaching_in_place"], "2");
    assert_eq!(m["digital_resources_all_classes"], "0");
    assert_eq!(m["teacher_computers"], "", "nobody reported it");
    // The county's own figures.
    assert_eq!(m["funding"], "3.5");
    assert_eq!(m["trained_persons"], "120");
    assert_eq!(m["platform_users"], "");
    // The rates: every expected school in the denominator.
    assert_rate(m, "internet_access_rate", rate(3.0, 14.0));
    assert_eq!(m["internet_access_rate"], "0.2143");
    assert_rate(m, "bandwidth_10m_share", rate(2.0, 14.0)); // 10 counts, 9.5 and 4 do not
    assert_eq!(m["bandwidth_10m_share"], "0.1429");
    assert_rate(m, "multimedia_coverage", rate(70.0, 94.0));
    assert_eq!(m["multimedia_coverage"], "0.7447");
    assert_rate(m, "teacher_space_rate", rate(200.0, teachers as f64));
    assert_eq!(m["teacher_space_rate"], "0.1976");
    assert_rate(m, "student_space_rate", rate(1900.0, students as f64));
    assert_eq!(m["student_space_rate"], "0.1412");
    assert_rate(m, "teaching_point_ready_share", rate(1.0, 2.0));
    assert_eq!(m["teaching_point_ready_share"], "0.5");
    // A county without schools: zero expected, no rates.
    let q = row(&maps, "org", "130104");
    assert_eq!(q["schools_expected"], "0");
    assert_eq!(q["internet_access_rate"], "");
    assert_eq!(q["classrooms"], "");
    // The county admin reads the same row for its own county.
    let c_out = env
        .run(Some("130102-A01"), &["report", "export", "--period", "2026-11", "--level", "county", "--format", "csv"])
        .ok()
        .stdout
        .clone();
    let cm = csv_maps(&c_out);
    assert_eq!(cm.len(), 1);
    assert_eq!(&cm[0], m);
}

#[test]
fn spec45_prefecture_and_province_aggregates_add_the_prefecture_s_own_school_and_figures() {
    let env = Env::national();
    let _ = aggregation_tree(&env);
    let (students, teachers) = csv_totals();
    for (level, under, code) in [("prefecture", "130000", "130100"), ("province", "000000", "130000")] {
        let out = env
            .admin(&["report", "export", "--period", "2026-11", "--level", level, "--under", under, "--format", "csv"])
            .ok()
            .stdout
            .clone();
        let maps = csv_maps(&out);
        let m = row(&maps, "org", code);
        assert_eq!(m["level"], level);
        assert_eq!(m["schools_expected"], "15", "{level}");
        assert_eq!(m["schools_reported"], "6", "{level}");
        assert_eq!(m["teaching_points_expected"], "2");
        assert_eq!(m["classrooms"], "104");
        assert_eq!(m["multimedia_classrooms"], "80");
        assert_eq!(m["teacher_spaces"], "220");
        assert_eq!(m["bandwidth_mbps"], "173.5");
        assert_eq!(m["internet_access"], "4");
        assert_rate(m, "internet_access_rate", rate(4.0, 15.0));
        assert_rate(m, "bandwidth_10m_share", rate(3.0, 15.0));
        assert_rate(m, "multimedia_coverage", rate(80.0, 104.0));
        assert_rate(m, "teacher_space_rate", rate(220.0, (teachers + 20) as f64));
        assert_rate(m, "student_space_rate", rate(1900.0, (students + 200) as f64));
        assert_rate(m, "teaching_point_ready_share", rate(1.0, 2.0));
        // Own figures are the unit's own, not summed from below.
        if level == "prefecture" {
            assert_eq!(m["funding"], "12.5");
            assert_eq!(m["trained_persons"], "");
            let other = row(&maps, "org", "130200");
            assert_eq!(other["schools_expected"], "0");
        } else {
            assert_eq!(m["funding"], "");
            let provinces = env.count("SELECT count(*) FROM org WHERE level = 'province'");
            assert_eq!(maps.len() as i64, provinces);
        }
    }
}

#[test]
fn spec53_aggregate_exports_in_chinese_headers_and_in_the_long_layout() {
    let env = Env::national();
    let (_c, p) = aggregation_tree(&env);
    let out = env
        .run(
            Some(&p),
            &["report", "export", "--period", "2026-11", "--level", "county", "--under", "130100", "--headers", "zh"],
        )
        .ok()
        .stdout
        .clone();
    let rows = csv_rows(&out);
    assert_eq!(&rows[0][..4], &["代码", "名称", "级别", "月份"]);
    for h in
        ["应报学校数", "已报学校数", "普通教室数", "互联网接入率", "教学点\"三到位\"比例", "本月本级教育信息化经费投入"]
    {
        assert!(rows[0].iter().any(|x| x == h), "header {h}: {:?}", rows[0]);
    }
    assert!(!rows[0].iter().any(|x| x == "classrooms" || x == "internet_access_rate"));
    let maps = csv_maps(&out);
    let m = row(&maps, "代码", COUNTY);
    assert_eq!(m["应报学校数"], "14");
    assert_eq!(m["已报学校数"], "5");
    assert_eq!(m["普通教室数"], "94");
    assert_eq!(m["互联网接入率"], "0.2143");
    assert_eq!(m["教学点\"三到位\"比例"], "0.5");
    assert_eq!(m["本月本级教育信息化经费投入"], "3.5");

    let out = env
        .run(
            Some(&p),
            &["report", "export", "--period", "2026-11", "--level", "county", "--under", "130100", "--layout", "long"],
        )
        .ok()
        .stdout
        .clone();
    let rows = csv_rows(&out);
    assert_eq!(rows[0], vec!["org", "period", "indicator", "value"]);
    let county: BTreeMap<String, String> =
        rows[1..].iter().filter(|r| r[0] == COUNTY).map(|r| (r[2].clone(), r[3].clone())).collect();
    assert!(rows[1..].iter().all(|r| r[1] == "2026-11" && !r[3].is_empty()), "no blank values in the long layout");
    assert_eq!(county["schools_expected"], "14");
    assert_eq!(county["schools_reported"], "5");
    assert_eq!(county["classrooms"], "94");
    assert_eq!(county["teacher_space_rate"], "0.1976");
    assert_eq!(county["multimedia_coverage"], "0.7447");
    assert_eq!(county["funding"], "3.5");
    assert!(!county.contains_key("teacher_computers"), "blank: left out");
    // A school-free county has its counts but no rate rows.
    let empty: BTreeMap<String, String> =
        rows[1..].iter().filter(|r| r[0] == "130104").map(|r| (r[2].clone(), r[3].clone())).collect();
    assert_eq!(empty["schools_expected"], "0");
    assert!(!empty.contains_key("internet_access_rate"));
}

// ---------------------------------------------------------------- 7. export → import (§5, §5.3)

/// The county's schools with a few values in 2026-11.
fn filled_county(env: &Env) -> String {
    let c = changan(env);
    set(env, &c, S1, "2026-11", &["classrooms=30", "internet_access=1", "bandwidth_mbps=12.5"]).ok();
    set(env, &c, S2, "2026-11", &["classrooms=24", "internet_access=0"]).ok();
    set(env, &c, TP6, "2026-11", &["tp_equipment_in_place=1", "tp_resources_in_place=0"]).ok();
    c
}

/// `report export --period 2026-11 --under 130102 [extra…] -o FILE` as `user`.
fn export_to(env: &Env, user: &str, file: &Path, extra: &[&str]) -> Run {
    let file = file.display().to_string();
    let args = [&["report", "export", "--period", "2026-11", "--under", COUNTY][..], extra, &["-o", &file]].concat();
    env.run(Some(user), &args)
}

fn all_values(env: &Env) -> Vec<(i64, String, String, String, i64)> {
    let conn = env.conn();
    let mut stmt =
        conn.prepare("SELECT org_id, period, indicator, value, carried FROM value ORDER BY 1, 2, 3").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn spec53_an_exported_file_imports_back_changing_nothing_wide_and_long() {
    let env = Env::national();
    let c = filled_county(&env);
    let wide = env.path("wide.csv");
    export_to(&env, &c, &wide, &[]).ok();
    let text = std::fs::read_to_string(&wide).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM");
    let maps = csv_maps(&text);
    assert_eq!(maps.len(), 14, "every expected school, blank or not");
    assert_eq!(row(&maps, "org", S1)["bandwidth_mbps"], "12.5");
    assert_eq!(row(&maps, "org", S1)["level"], "school");
    assert_eq!(row(&maps, "org", S1)["name"], "长安区第一小学");
    assert_eq!(row(&maps, "org", TP6)["tp_resources_in_place"], "0");

    let before = all_values(&env);
    let audit = env.audit_count();
    env.run(Some(&c), &["report", "import", &wide.display().to_string()])
        .ok()
        .stderr_has("14 rows: 0 values changed, 7 unchanged");
    assert_eq!(all_values(&env), before);
    assert_eq!(env.audit_count(), audit, "no audit events");

    let long = env.path("long.csv");
    export_to(&env, &c, &long, &["--layout", "long"]).ok();
    let rows = csv_rows(&std::fs::read_to_string(&long).unwrap());
    assert_eq!(rows[0], vec!["org", "period", "indicator", "value"]);
    assert_eq!(rows.len(), 1 + 7, "one row per stored value");
    assert!(rows.contains(&vec![S1.to_string(), "2026-11".into(), "bandwidth_mbps".into(), "12.5".into()]));
    env.run(Some(&c), &["report", "import", &long.display().to_string()])
        .ok()
        .stderr_has("7 rows: 0 values changed, 7 unchanged");
    assert_eq!(all_values(&env), before);
    assert_eq!(env.audit_count(), audit);
}

#[test]
fn spec53_a_modified_export_changes_exactly_the_edited_values_one_event_each() {
    let env = Env::national();
    let c = filled_county(&env);
    let out = env.run(Some(&c), &["report", "export", "--period", "2026-11", "--under", COUNTY]).ok().stdout.clone();
    let mut rows = csv_rows(&out);
    let head = rows[0].clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for r in rows.iter_mut().skip(1) {
        if r[0] == S1 {
            r[col("classrooms")] = "31".into(); // changed
        }
        if r[0] == S2 {
            r[col("internet_access")] = "是".into(); // changed: 0 → 1
        }
        if r[0] == S3 {
            r[col("teacher_spaces")] = "44".into(); // new
        }
    }
    let mut w = csv::Writer::from_writer(vec![]);
    for r in &rows {
        w.write_record(r).unwrap();
    }
    let file = env.write_file("modified.csv", &w.into_inner().unwrap());
    let before = all_values(&env);
    let audit = env.audit_count();
    let sets = env.events("report.set");
    env.run(Some(&c), &["report", "import", &file]).ok().stderr_has("14 rows: 3 values changed, 5 unchanged");
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("31"));
    assert_eq!(value(&env, S2, "2026-11", "internet_access").as_deref(), Some("1"));
    assert_eq!(value(&env, S3, "2026-11", "teacher_spaces").as_deref(), Some("44"));
    let after = all_values(&env);
    assert_eq!(after.len(), before.len() + 1);
    let changed = after.iter().filter(|a| !before.contains(a)).count();
    assert_eq!(changed, 3, "exactly the edited values");
    assert_eq!(env.audit_count(), audit + 3);
    assert_eq!(env.events("report.set"), sets + 3);
    let d = details(&env, "report.set", S1);
    let last = &d.last().unwrap().1;
    assert_eq!(
        (last["indicator"].as_str(), last["before"].as_str(), last["after"].as_str()),
        (Some("classrooms"), Some("30"), Some("31"))
    );
    assert_eq!(last["proxy"], true);
    assert_eq!(op_state(&env, S3, "2026-11").as_deref(), Some("filled"));
    // Importing it again changes nothing.
    env.run(Some(&c), &["report", "import", &file]).ok().stderr_has("0 values changed, 8 unchanged");
    assert_eq!(env.audit_count(), audit + 3);
}

/// A school of 桥西区 (130104), another county.
fn other_county_school(env: &Env) {
    let o = other_county(env);
    env.run(Some(&o), &["school", "add", "2113040001", "桥西区第一小学", "--unit", "130104"]).ok();
}

const BAD_IMPORT: &str = "org,period,indicator,value
2113010001,2026-11,classrooms,31
2113010002,2026-11,classrooms,many
2113019999,2026-11,classrooms,5
2113040001,2026-11,classrooms,5
2113010001,2026-11,tp_equipment_in_place,1
130102,2026-11,funding,2
";

#[test]
fn spec5_an_import_with_bad_rows_names_every_line_and_writes_nothing() {
    let env = Env::national();
    let c = filled_county(&env);
    other_county_school(&env);
    let file = env.write_file("bad.csv", BAD_IMPORT.as_bytes());
    let before = all_values(&env);
    let audit = env.audit_count();
    let sets = env.events("report.set");
    let r = env.run(Some(&c), &["report", "import", &file]);
    r.code(6)
        .stderr_has("line 3: classrooms: many is not a count")
        .stderr_has("line 4: no unit or school 2113019999 in your scope")
        .stderr_has("line 5: no unit or school 2113040001 in your scope")
        .stderr_has("line 6: tp_equipment_in_place is filled by teaching points only")
        .stderr_has("4 of 6 rows are bad; nothing was written")
        .stderr_lacks("line 2:")
        .stderr_lacks("line 7:");
    assert_eq!(all_values(&env), before);
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"), "the good line 2 is not written");
    assert_eq!(value(&env, COUNTY, "2026-11", "funding"), None, "nor line 7");
    assert_eq!(env.events("report.set"), sets);
    assert!(env.audit_count() <= audit + 1, "at most the refusal is recorded");
}

#[test]
fn spec5_rejects_holds_the_bad_rows_with_an_error_column() {
    let env = Env::national();
    let c = filled_county(&env);
    other_county_school(&env);
    let file = env.write_file("bad.csv", BAD_IMPORT.as_bytes());
    let rejects = env.path("rejects.csv");
    env.run(Some(&c), &["report", "import", &file, "--rejects", &rejects.display().to_string()]).code(6);
    let rows = csv_rows(&std::fs::read_to_string(&rejects).expect("the rejects file"));
    assert_eq!(rows[0], vec!["org", "period", "indicator", "value", "error"]);
    assert_eq!(rows.len(), 5, "header + 4 bad rows");
    let orgs: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(orgs, vec!["2113010002", "2113019999", "2113040001", "2113010001"]);
    assert_eq!(&rows[1][..4], &["2113010002", "2026-11", "classrooms", "many"]);
    assert!(rows[1][4].contains("not a count"), "{:?}", rows[1]);
    assert!(rows[4][4].contains("teaching points only"), "{:?}", rows[4]);
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"));
    // Fixed and re-imported: the fixed rows go in.
    let fixed = "org,period,indicator,value\n2113010002,2026-11,classrooms,25\n";
    let f = env.write_file("fixed.csv", fixed.as_bytes());
    env.run(Some(&c), &["report", "import", &f]).ok().stderr_has("1 values changed");
    assert_eq!(value(&env, S2, "2026-11", "classrooms").as_deref(), Some("25"));
}

#[test]
fn spec53_a_misspelt_column_header_is_refused_not_dropped() {
    let env = Env::national();
    let c = filled_county(&env);
    let file = env.write_file("typo.csv", "org,period,classroms,internet_access\n2113010001,2026-11,31,1\n".as_bytes());
    let before = all_values(&env);
    env.run(Some(&c), &["report", "import", &file]).code(6).stderr_has("classroms");
    assert_eq!(all_values(&env), before);
    assert_eq!(value(&env, S1, "2026-11", "classrooms").as_deref(), Some("30"));
}

#[test]
fn spec5_dry_run_shows_what_would_change_and_writes_nothing() {
    let env = Env::national();
    let c = filled_county(&env);
    let file = env.write_file(
        "change.csv",
        "org,period,indicator,value\n2113010001,2026-11,classrooms,31\n2113010001,2026-11,internet_access,1\n2113010003,2026-11,classrooms,12\n"
            .as_bytes(),
    );
    let before = all_values(&env);
    let audit = env.audit_count();
    let r = env.run(Some(&c), &["report", "import", &file, "--dry-run", "--format", "json"]);
    r.ok().stderr_has("3 rows: 2 values changed, 1 unchanged").stderr_has("dry run: nothing was written");
    let plan = r.json();
    let plan = plan.as_array().unwrap();
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0]["line"], 2);
    assert_eq!(plan[0]["org"], S1);
    assert_eq!(plan[0]["indicator"], "classrooms");
    assert_eq!(plan[0]["before"], "30");
    assert_eq!(plan[0]["after"], "31");
    assert_eq!(plan[1]["line"], 4);
    assert_eq!(plan[1]["org"], S3);
    assert_eq!(plan[1]["before"], Value::Null);
    assert_eq!(all_values(&env), before);
    assert_eq!(env.audit_count(), audit);
    // A dry run of a bad file fails the same way.
    let bad = env.write_file("bad.csv", "org,period,indicator,value\n2113010001,2026-11,classrooms,x\n".as_bytes());
    env.run(Some(&c), &["report", "import", &bad, "--dry-run"]).code(6).stderr_has("line 2:");
}

#[test]
fn spec5_a_gbk_file_with_chinese_headers_imports() {
    let env = Env::national();
    let c = filled_county(&env);
    let text = "代码,名称,级别,月份,普通教室数,是否接入互联网\r\n2113010003,长安区育才小学,school,2026-11,36,是\r\n2113010001,长安区第一小学,school,2026-11,30,否\r\n";
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GBK");
    let file = env.write_file("gbk.csv", &bytes);
    env.run(Some(&c), &["report", "import", &file]).ok().stderr_has("2 rows: 3 values changed, 1 unchanged");
    assert_eq!(value(&env, S3, "2026-11", "classrooms").as_deref(), Some("36"));
    assert_eq!(value(&env, S3, "2026-11", "internet_access").as_deref(), Some("1"));
    assert_eq!(value(&env, S1, "2026-11", "internet_access").as_deref(), Some("0"));
    // The same file forced as GBK, again: nothing changes.
    let audit = env.audit_count();
    env.run(Some(&c), &["report", "import", &file, "--encoding", "gbk"]).ok().stderr_has("0 values changed");
    assert_eq!(env.audit_count(), audit);
    // An export in GBK reads back unchanged.
    let out = env.path("out-gbk.csv");
    export_to(&env, &c, &out, &["--headers", "zh", "--encoding", "gbk"]).ok();
    let raw = std::fs::read(&out).unwrap();
    assert!(!raw.starts_with(b"\xEF\xBB\xBF"));
    let (decoded, _, _) = encoding_rs::GBK.decode(&raw);
    assert!(decoded.contains("长安区育才小学"));
    env.run(Some(&c), &["report", "import", &out.display().to_string()]).ok().stderr_has("0 values changed");
    assert_eq!(env.audit_count(), audit);
}

// ---------------------------------------------------------------- 8. status and missing (§4.5)

#[test]
fn spec45_status_shows_each_school_and_the_ministry_sees_schools_confirmed_of_expected() {
    let env = Env::national();
    let c = changan(&env);
    set(&env, &c, S1, "2026-11", &["classrooms=30"]).ok();
    env.run(Some(&c), &["report", "confirm", "--org", S1]).ok();
    set(&env, &c, S2, "2026-11", &["classrooms=24"]).ok();
    let j = env.run(Some(&c), &["report", "status", "--under", COUNTY, "--format", "json"]).ok().json();
    let list = j.as_array().unwrap();
    assert_eq!(list.len(), 14);
    let mut codes = json_codes(&j);
    codes.sort();
    let mut all: Vec<String> = ALL14.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(codes, all);
    let s1 = json_row(&j, S1);
    assert_eq!(
        (s1["state"].as_str(), s1["schools_confirmed"].as_i64(), s1["schools_expected"].as_i64()),
        (Some("confirmed"), Some(1), Some(1))
    );
    assert_eq!(s1["level"], "school");
    let s2 = json_row(&j, S2);
    assert_eq!(
        (s2["state"].as_str(), s2["schools_confirmed"].as_i64(), s2["schools_expected"].as_i64()),
        (Some("filled"), Some(0), Some(1))
    );
    let s3 = json_row(&j, S3);
    assert_eq!(
        (s3["state"].as_str(), s3["schools_confirmed"].as_i64(), s3["schools_expected"].as_i64()),
        (Some("open"), Some(0), Some(1))
    );
    assert_eq!(s3["last_change"], Value::Null);
    assert_eq!(s1["last_change"], "2026-11-20T10:00:00+08:00");

    // The Ministry, one level down from the prefecture.
    let j =
        env.admin(&["report", "status", "--under", "130100", "--period", "2026-11", "--format", "json"]).ok().json();
    let counties = env.count("SELECT count(*) FROM org WHERE level = 'county' AND path LIKE '/000000/130000/130100/%'");
    assert_eq!(j.as_array().unwrap().len() as i64, counties);
    let r = json_row(&j, COUNTY);
    assert_eq!(r["name"], "长安区");
    assert_eq!(r["level"], "county");
    assert_eq!(r["schools_confirmed"], 1);
    assert_eq!(r["schools_expected"], 14);
    let q = json_row(&j, "130104");
    assert_eq!((q["schools_confirmed"].as_i64(), q["schools_expected"].as_i64()), (Some(0), Some(0)));
    // A second confirmation shows up.
    env.run(Some(&c), &["report", "confirm", "--org", S2]).ok();
    let j =
        env.admin(&["report", "status", "--under", "130100", "--period", "2026-11", "--format", "json"]).ok().json();
    assert_eq!(json_row(&j, COUNTY)["schools_confirmed"], 2);
    // The table for people says so in words.
    env.run(Some(&c), &["report", "status", "--under", COUNTY]).ok().stdout_has("confirmed");
}

#[test]
fn spec45_missing_lists_every_unconfirmed_org_with_its_contact() {
    let env = Env::national();
    let c = changan(&env);
    // 李华, the school admin of 育才小学.
    let j = env
        .run(
            Some(&c),
            &[
                "account",
                "add",
                "--unit",
                S3,
                "--role",
                "school_admin",
                "--name",
                "李华",
                "--mobile",
                "13700000003",
                "--email",
                "lihua@example.cn",
                "--format",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(j["username"], "2113010003-S01");
    set(&env, &c, S1, "2026-11", &["classrooms=30"]).ok();
    env.run(Some(&c), &["report", "confirm", "--org", S1]).ok();
    set(&env, &c, S2, "2026-11", &["classrooms=24"]).ok();

    let out = env.run(Some(&c), &["report", "missing", "--under", COUNTY, "--format", "csv"]).ok().stdout.clone();
    let rows = csv_rows(&out);
    assert_eq!(rows[0], vec!["code", "name", "level", "parent", "state", "contact", "mobile", "email"]);
    let maps = csv_maps(&out);
    assert_eq!(maps.len(), 14, "the county and 13 unconfirmed schools");
    assert!(maps.iter().all(|m| m["code"] != S1), "confirmed: not listed");
    let county_row = row(&maps, "code", COUNTY);
    assert_eq!(county_row["level"], "county");
    assert_eq!(county_row["parent"], "130100");
    assert_eq!(county_row["contact"], "长安管");
    assert_eq!(county_row["mobile"], "13700000101");
    let s3 = row(&maps, "code", S3);
    assert_eq!(s3["name"], "长安区育才小学");
    assert_eq!(s3["parent"], COUNTY);
    assert_eq!(s3["state"], "open");
    assert_eq!(s3["contact"], "李华");
    assert_eq!(s3["mobile"], "13700000003");
    assert_eq!(s3["email"], "lihua@example.cn");
    assert_eq!(row(&maps, "code", S2)["state"], "filled");
    assert_eq!(row(&maps, "code", S2)["contact"], "", "no school admin yet");
    // 育才小学 confirms: it disappears. The county confirms its own figures, but a unit stays on
    // the list until it has submitted.
    env.run(Some(&c), &["report", "set", "funding=1"]).ok();
    env.run(Some(&c), &["report", "confirm"]).ok();
    set(&env, &c, S3, "2026-11", &["classrooms=36"]).ok();
    env.run(Some(&c), &["report", "confirm", "--org", S3]).ok();
    let out = env.run(Some(&c), &["report", "missing", "--format", "csv"]).ok().stdout.clone();
    let maps = csv_maps(&out);
    assert_eq!(maps.len(), 13);
    assert!(maps.iter().all(|m| m["code"] != S3 && m["code"] != S1));
    assert_eq!(row(&maps, "code", COUNTY)["state"], "open", "confirmed, not submitted");
    assert!(maps.iter().filter(|m| m["code"] != COUNTY).all(|m| m["level"] == "school" && m["state"] != "confirmed"));
    // The prefecture's view includes its counties.
    let p = prefecture(&env);
    let out = env.run(Some(&p), &["report", "missing", "--period", "2026-11", "--format", "csv"]).ok().stdout.clone();
    let maps = csv_maps(&out);
    assert!(maps.iter().any(|m| m["code"] == "130100" && m["contact"] == "市管"));
    assert!(maps.iter().any(|m| m["code"] == "130104"));
    assert_eq!(row(&maps, "code", COUNTY)["state"], "open", "the county has not submitted");
}

// ---------------------------------------------------------------- 9. monthly texts (Art. 20)

#[test]
fn art20_a_province_files_its_monthly_text_and_late_ones_are_marked_late() {
    let mut env = Env::national();
    let pa = province(&env);
    let pr = env.person("130000", "reviewer", "省审", "13700000105");
    let c = county(&env);
    let patok = token(&env, &pa);
    let prtok = token(&env, &pr);
    let mintok = token(&env, ADMIN);
    let f1 = env.write_file("text1.txt", "河北省2026年11月教育信息化工作月报：宽带网络校校通进展顺利。\n".as_bytes());
    // A county may not file one.
    env.run(Some(&c), &["report", "text", "--period", "2026-11", "--file", &f1]).code(3);
    // A future month may not be filed yet.
    env.run(Some(&pa), &["report", "text", "--period", "2026-12", "--file", &f1]).code(5);
    assert_eq!(env.count("SELECT count(*) FROM report_text"), 0);
    // During November: on time.
    let r = env.run(Some(&pa), &["report", "text", "--period", "2026-11", "--file", &f1, "--format", "json"]);
    r.ok();
    assert_eq!(r.json()["late"], false);
    assert_eq!(env.count("SELECT count(*) FROM report_text WHERE late = 0"), 1);
    // The Ministry's missing list: every province but Hebei.
    let miss = env.admin(&["report", "text", "--period", "2026-11", "--missing", "--format", "json"]).ok().json();
    let provinces = env.count("SELECT count(*) FROM org WHERE level = 'province'");
    assert_eq!(miss.as_array().unwrap().len() as i64, provinces - 1);
    let codes = json_codes(&miss);
    assert!(!codes.contains(&"130000".to_string()));
    assert!(codes.contains(&"110000".to_string()));
    assert_eq!(json_row(&miss, "110000")["overdue"], false);
    // After the end of November: accepted, marked late.
    env.now = "2026-12-01T00:00:00+08:00".into();
    let f2 = env.write_file("text2.txt", "河北省11月月报（修订）：教学点数字教育资源全覆盖。\n".as_bytes());
    let r = with_token(&env, &prtok, &["report", "text", "--period", "2026-11", "--file", &f2, "--format", "json"]);
    r.ok().stderr_has("marked late");
    assert_eq!(r.json()["late"], true);
    assert_eq!(env.count("SELECT count(*) FROM report_text WHERE late = 1"), 1);
    assert_eq!(env.events_on("report.text", "130000"), 2);
    // The latest body is what is shown.
    let r = with_token(&env, &patok, &["report", "text", "--period", "2026-11"]);
    r.ok().stderr_has("130000-R01");
    assert_eq!(r.stdout, "河北省11月月报（修订）：教学点数字教育资源全覆盖。\n");
    // The Ministry's list is now overdue for the others.
    let miss = with_token(&env, &mintok, &["report", "text", "--period", "2026-11", "--missing", "--format", "json"])
        .ok()
        .json();
    assert_eq!(miss.as_array().unwrap().len() as i64, provinces - 1);
    assert_eq!(json_row(&miss, "110000")["overdue"], true);
    // A province with no text: not found.
    with_token(&env, &mintok, &["report", "text", "--period", "2026-11", "--unit", "110000"]).code(4);
}

// ---------------------------------------------------------------- 10. the county's cron script

fn run_script(env: &Env, tok: Option<&str>, user: &str) -> Run {
    let mut c = Command::new("bash");
    c.arg(example("county-monthly-confirm.sh"))
        .env("EIP", bin())
        .env("EIP_DB", &env.db)
        .env("EIP_NOW", &env.now)
        .env("EIP_CONFIG_DIR", env.config_dir(Some(user)))
        .env_remove("EIP_TOKEN")
        .env_remove("LC_ALL")
        .env("LANG", "C");
    if let Some(t) = tok {
        c.env("EIP_TOKEN", t);
    }
    Env::run_cmd(c, None)
}

#[test]
fn examples_the_county_monthly_confirm_script_exits_10_until_everyone_has_confirmed() {
    let env = Env::national();
    let c = changan(&env);
    let tok = token(&env, &c);
    // Without a token: a usage error, nothing done.
    let r = run_script(&env, None, &c);
    r.code(2).stderr_has("EIP_TOKEN");
    assert_eq!(env.events("report.confirm"), 0);
    // The county has its own figures; its schools have not confirmed.
    env.run(Some(&c), &["report", "set", "funding=2.5", "trained_persons=40"]).ok();
    let r = run_script(&env, Some(&tok), &c);
    r.code(10).stderr_has("14 not confirmed yet");
    let rows = csv_rows(&r.stdout);
    assert_eq!(rows[0], vec!["code", "name", "level", "parent", "state", "contact", "mobile", "email"]);
    assert_eq!(rows.len(), 15);
    let mut listed: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    listed.sort();
    let mut all: Vec<String> = ALL14.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(listed, all, "every school, and not the county it just confirmed");
    assert_eq!(op_state(&env, COUNTY, "2026-11").as_deref(), Some("confirmed"));
    // Every school gets a value and is confirmed by proxy.
    let mut long = String::from("org,period,indicator,value\n");
    for (i, s) in ALL14.iter().enumerate() {
        long.push_str(&format!("{s},2026-11,classrooms,{}\n", 10 + i));
    }
    let file = env.write_file("all.csv", long.as_bytes());
    env.run(Some(&c), &["report", "import", &file]).ok().stderr_has("14 values changed");
    for s in ALL14.iter().take(13) {
        env.run(Some(&c), &["report", "confirm", "--org", s]).ok();
    }
    // One left: still behind.
    let r = run_script(&env, Some(&tok), &c);
    r.code(10).stderr_has("1 not confirmed yet");
    assert_eq!(csv_rows(&r.stdout).len(), 2);
    env.run(Some(&c), &["report", "confirm", "--org", ALL14[13]]).ok();
    let r = run_script(&env, Some(&tok), &c);
    r.ok().stderr_has("everyone has confirmed");
    assert_eq!(r.stdout.trim(), "");
    assert_eq!(env.events_on("report.confirm", COUNTY), 1, "the re-runs did not confirm the county again");
}
