//! Plausibility rules (Art. 1: 准确性; issue 16): the seeded catalogue, each rule with a
//! value that passes and one that trips it; rules added (a syntax error or an unknown indicator
//! refused with its position) and retired by the Ministry admin alone; error rules refusing
//! `report set`, `confirm` and `import` (exit 6, the rule, its values and the line named, nothing
//! written); warnings stored as flags, listed by `report validate`, counted by `report status`,
//! shown in the export, shown and recorded at `submit` (and by the automatic submission); a
//! corrected value clearing its flag; and the flags judged again when what they read changes
//! elsewhere (last month's value, the school's basic info, a return).

mod common;
use common::*;

use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const COUNTY: &str = "130102";
const S1: &str = "2113010001"; // 1200 students, 80 teachers, 30 classes
const S2: &str = "2113010002"; // 960 students
const S3: &str = "2113010003";
const S4: &str = "2113010004";
const S5: &str = "2113010005";
const TP6: &str = "2213010006"; // a teaching point: 3 classes
const S8: &str = "3113010008"; // 33 classes
const S9: &str = "3113010009"; // 29 classes
const S10: &str = "3213010010";
/// "Last month" and "this month" of these tests: November, filled on the 20th; December, on the
/// 3rd (November still open for the counties until the 5th).
const NOV: &str = "2026-11";
const DEC: &str = "2026-12";
const DEC_3RD: &str = "2026-12-03T10:00:00+08:00";

/// 长安区 with its 14 schools (examples/changan-schools.csv), the Ministry admin and the county
/// admin, each with a token.
struct Changan {
    env: Env,
    ministry: Who,
    county: Who,
}

fn changan() -> Changan {
    let env = Env::national();
    let ministry = Who { user: ADMIN.into(), tok: token(&env, ADMIN) };
    let county = who(&env, COUNTY, "admin", "长安管", "13700000101");
    run(&env, &county, &["school", "import", &example("changan-schools.csv")]).ok().stderr_has("14 rows: 14 added");
    Changan { env, ministry, county }
}

/// `report set --org ORG --period P pairs…` as `w`.
fn set(env: &Env, w: &Who, org: &str, period: &str, pairs: &[&str]) -> Run {
    let mut args = vec!["report", "set", "--org", org, "--period", period];
    args.extend_from_slice(pairs);
    run(env, w, &args)
}

fn value(env: &Env, org: &str, period: &str, ind: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT v.value FROM value v JOIN org o ON o.id = v.org_id WHERE o.code = ?1 AND v.period = ?2 AND v.indicator = ?3",
            [org, period, ind],
            |r| r.get(0),
        )
        .ok()
}

/// An org-period's flags as stored: rule → the values it read.
fn flags(env: &Env, org: &str, period: &str) -> Vec<(String, Value)> {
    let conn = env.conn();
    let mut stmt = conn
        .prepare(
            "SELECT f.rule, f.detail FROM flag f JOIN org o ON o.id = f.org_id
             WHERE o.code = ?1 AND f.period = ?2 ORDER BY f.rule",
        )
        .unwrap();
    let rows = stmt
        .query_map([org, period], |r| {
            let d: String = r.get(1)?;
            Ok((r.get::<_, String>(0)?, serde_json::from_str(&d).unwrap()))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn flag_rules(env: &Env, org: &str, period: &str) -> Vec<String> {
    flags(env, org, period).into_iter().map(|(r, _)| r).collect()
}

fn add_rule(env: &Env, w: &Who, code: &str, applies: &str, severity: &str, expr: &str) -> Run {
    run(
        env,
        w,
        &[
            "report",
            "rules",
            "add",
            code,
            "--applies-to",
            applies,
            "--severity",
            severity,
            "--expression",
            expr,
            "--message-zh",
            "测试规则",
            "--message-en",
            "A test rule",
        ],
    )
}

/// `report validate` as CSV rows (header first).
fn validate(env: &Env, w: &Who, period: &str, under: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    csv_maps(&run(env, w, &["report", "validate", "--period", period, "--under", under, "--format", "csv"]).ok().stdout)
}

// ---------------------------------------------------------------- 1. the seeded rules

/// One seeded rule: the org it is tried on, last month's values, values that pass, values that
/// trip it, and the values the trip names.
struct Case {
    rule: &'static str,
    error: bool,
    org: &'static str,
    last: &'static [&'static str],
    pass: &'static [&'static str],
    trip: &'static [&'static str],
    reads: &'static str,
}

const CASES: [Case; 10] = [
    Case {
        rule: "mm_le_classrooms",
        error: true,
        org: TP6, // a teaching point answers to the school rules too
        last: &[],
        pass: &["classrooms=10", "multimedia_classrooms=8"],
        trip: &["multimedia_classrooms=50"],
        reads: "multimedia_classrooms=50, classrooms=10",
    },
    Case {
        rule: "teacher_spaces_le_teachers",
        error: false,
        org: S1,
        last: &[],
        pass: &["teacher_spaces=80"],
        trip: &["teacher_spaces=81"],
        reads: "teacher_spaces=81, school.teachers=80",
    },
    Case {
        rule: "student_spaces_le_students",
        error: false,
        org: S2,
        last: &[],
        pass: &["student_spaces=960"],
        trip: &["student_spaces=961"],
        reads: "student_spaces=961, school.students=960",
    },
    Case {
        rule: "bandwidth_range",
        error: true,
        org: S3,
        last: &[],
        pass: &["bandwidth_mbps=100000"],
        trip: &["bandwidth_mbps=100000.5"],
        reads: "bandwidth_mbps=100000.5",
    },
    Case {
        rule: "bandwidth_needs_access",
        error: false,
        org: S4,
        last: &[],
        pass: &["internet_access=1", "bandwidth_mbps=50"],
        trip: &["internet_access=0"],
        reads: "bandwidth_mbps=50, internet_access=0",
    },
    Case {
        rule: "access_needs_bandwidth",
        error: false,
        org: S5,
        last: &[],
        pass: &["internet_access=1", "bandwidth_mbps=20"],
        trip: &["bandwidth_mbps=0"],
        reads: "internet_access=1, bandwidth_mbps=0",
    },
    Case {
        rule: "classrooms_vs_classes",
        error: false,
        org: S8,
        last: &[],
        pass: &["classrooms=109"],
        trip: &["classrooms=110"],
        reads: "classrooms=110, school.classes=33",
    },
    Case {
        rule: "classrooms_jump",
        error: false,
        org: S9,
        last: &["classrooms=10"],
        pass: &["classrooms=30"],
        trip: &["classrooms=31"],
        reads: "classrooms=31, classrooms@2026-11=10",
    },
    Case {
        rule: "computers_jump",
        error: false,
        org: S10,
        last: &["student_computers=100"],
        pass: &["student_computers=33"],
        trip: &["student_computers=32"],
        reads: "student_computers=32, student_computers@2026-11=100",
    },
    Case {
        rule: "platform_users_jump",
        error: false,
        org: COUNTY, // a unit rule: the county's own figures
        last: &["platform_users=1000"],
        pass: &["platform_users=3000"],
        trip: &["platform_users=3001"],
        reads: "platform_users=3001, platform_users@2026-11=1000",
    },
];

#[test]
fn each_seeded_rule_passes_a_plausible_value_and_trips_an_implausible_one() {
    let Changan { mut env, county, .. } = changan();
    let seeded: Vec<String> = csv_maps(&run(&env, &county, &["report", "rules", "--format", "csv"]).ok().stdout)
        .into_iter()
        .map(|r| r["code"].clone())
        .collect();
    assert_eq!(seeded, CASES.iter().map(|c| c.rule).collect::<Vec<_>>(), "the ten seeded rules, in order");
    for c in &CASES {
        if !c.last.is_empty() {
            set(&env, &county, c.org, NOV, c.last).ok();
        }
    }
    env.now = DEC_3RD.into();
    for c in &CASES {
        let pass = set(&env, &county, c.org, DEC, c.pass);
        pass.ok().stderr_lacks("warning").stderr_lacks(c.rule);
        assert_eq!(flag_rules(&env, c.org, DEC), Vec::<String>::new(), "{}: passes", c.rule);
        let (key, v) = c.trip[0].split_once('=').unwrap();
        let before = value(&env, c.org, DEC, key);
        let events = env.audit_count();
        let trip = set(&env, &county, c.org, DEC, c.trip);
        if c.error {
            // Refused whole (exit 6), naming the rule, its message and the values it read.
            trip.code(6).stderr_has(&format!("rule {}", c.rule)).stderr_has(c.reads).stderr_has("nothing was written");
            assert_eq!(value(&env, c.org, DEC, key), before, "{}: nothing written", c.rule);
            assert_eq!(env.audit_count(), events, "{}: nothing recorded", c.rule);
            assert!(flag_rules(&env, c.org, DEC).is_empty());
        } else {
            // Stored, flagged, and said on stderr.
            trip.ok().stderr_has("warning: ").stderr_has(&format!("rule {}", c.rule)).stderr_has(c.reads);
            assert_eq!(value(&env, c.org, DEC, key).as_deref(), Some(v), "{}: stored", c.rule);
            assert_eq!(flag_rules(&env, c.org, DEC), vec![c.rule.to_string()], "{}: flagged", c.rule);
            // A corrected value clears its flag.
            set(&env, &county, c.org, DEC, c.pass).ok().stderr_lacks("warning");
            assert!(flag_rules(&env, c.org, DEC).is_empty(), "{}: cleared", c.rule);
        }
    }
}

/// A blank is "not reported", not implausible: a rule that reads one is skipped — so values can be
/// entered in any order, and a school connected to the internet whose bandwidth is not reported yet
/// is not warned about (`access_needs_bandwidth` warns on a reported 0: the missing bandwidth is
/// what `report missing` and the confirmation's list are for).
#[test]
fn a_rule_that_reads_a_blank_is_skipped_neither_passed_nor_tripped() {
    let Changan { env, county, .. } = changan();
    set(&env, &county, S1, NOV, &["multimedia_classrooms=50"]).ok().stderr_lacks("rule ");
    set(&env, &county, S1, NOV, &["internet_access=1"]).ok().stderr_lacks("rule ");
    set(&env, &county, S2, NOV, &["internet_access=0", "teacher_spaces=500"]).ok().stderr_lacks("bandwidth");
    assert!(flag_rules(&env, S1, NOV).is_empty());
    // What is reported is judged: S2's 500 teacher spaces for its 64 teachers.
    assert_eq!(flag_rules(&env, S2, NOV), vec!["teacher_spaces_le_teachers"]);
    // Once the other side is reported, the rule is judged: here, refused (and nothing written).
    let r = run(&env, &county, &["report", "set", "--org", S1, "--period", NOV, "classrooms=10", "--format", "json"]);
    r.code(6).stderr_has("\"reason\":\"rule_error\"");
    assert_eq!(value(&env, S1, NOV, "classrooms"), None);
    set(&env, &county, S1, NOV, &["classrooms=60"]).ok();
}

#[test]
fn a_flag_keeps_the_values_it_read_and_validate_lists_them_in_the_readers_language() {
    let Changan { env, county, .. } = changan();
    set(&env, &county, S1, NOV, &["teacher_spaces=90", "classrooms=20", "multimedia_classrooms=5"]).ok();
    set(&env, &county, S2, NOV, &["internet_access=0", "bandwidth_mbps=12.5"]).ok();
    assert_eq!(
        flags(&env, S1, NOV),
        vec![("teacher_spaces_le_teachers".to_string(), json!({ "teacher_spaces": 90, "school.teachers": 80 }))]
    );
    assert_eq!(
        flags(&env, S2, NOV),
        vec![("bandwidth_needs_access".to_string(), json!({ "bandwidth_mbps": 12.5, "internet_access": 0 }))]
    );
    let rows = validate(&env, &county, NOV, COUNTY);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let r = &rows[0];
    assert_eq!(
        (r["org"].as_str(), r["name"].as_str(), r["level"].as_str(), r["period"].as_str()),
        (S1, "长安区第一小学", "school", NOV)
    );
    assert_eq!((r["rule"].as_str(), r["severity"].as_str()), ("teacher_spaces_le_teachers", "warning"));
    assert_eq!(r["message"], "More teachers with a learning space than teachers at the school");
    assert_eq!(r["values"], "teacher_spaces=90, school.teachers=80");
    assert!(r["raised_at"].starts_with("2026-11-20T10:00:00"), "{}", r["raised_at"]);
    assert_eq!(rows[1]["org"], S2);
    assert_eq!(rows[1]["values"], "bandwidth_mbps=12.5, internet_access=0");
    // In Chinese, the Chinese message; under one school, its flag alone; exit 0 with none.
    let zh =
        run(&env, &county, &["report", "validate", "--period", NOV, "--under", S2, "--format", "csv", "--lang", "zh"]);
    let zh = csv_maps(&zh.ok().stdout);
    assert_eq!(zh.len(), 1);
    assert_eq!(zh[0]["message"], "未接入互联网却填报了出口带宽");
    let none = run(&env, &county, &["report", "validate", "--period", NOV, "--under", S3]);
    none.ok().stderr_has("0 flags under 2113010003 for 2026-11");
    // Outside the county's scope: not found.
    run(&env, &county, &["report", "validate", "--period", NOV, "--under", "130104"]).code(4);
}

// ---------------------------------------------------------------- 2. adding and retiring rules

#[test]
fn a_rule_with_a_syntax_error_or_an_unknown_indicator_is_refused_at_add_naming_the_position() {
    let Changan { env, ministry, .. } = changan();
    let events = env.audit_count();
    let cases = [
        ("school", "multimedia_classrooms <= )", "rule mm_half: at 26: expected a number or an indicator, found ')'"),
        ("school", "multimedia_classroms <= classrooms", "rule mm_half: at 1: unknown indicator multimedia_classroms"),
        ("school", "classrooms <= 3 * school.pupils", "rule mm_half: at 26: school.pupils is no basic info"),
        ("school", "classrooms <= funding", "rule mm_half: at 15: funding is filled by admin units"),
        ("unit", "platform_users <= school.students", "rule mm_half: at 19: school.students is a school's basic info"),
        ("school", "classrooms", "rule mm_half: at 11: expected a comparison"),
        ("school", "classrooms < 5 < 9", "rule mm_half: at 16: comparisons do not chain"),
        ("school", "change(classrooms) within 3..0.33", "rule mm_half: at 27: the range 3..0.33 is empty"),
        ("school", "1 <= 2", "rule mm_half: at 1: the rule reads no indicator"),
    ];
    for (applies, expr, said) in cases {
        add_rule(&env, &ministry, "mm_half", applies, "error", expr).code(6).stderr_has(said).stderr_has("hint: ");
    }
    // A text indicator cannot be read.
    run(
        &env,
        &ministry,
        &[
            "report",
            "indicators",
            "add",
            "remark",
            "--name-zh",
            "备注",
            "--name-en",
            "Remark",
            "--kind",
            "text",
            "--filled-by",
            "school",
        ],
    )
    .ok();
    let events = events + 1;
    add_rule(&env, &ministry, "mm_half", "school", "error", "classrooms > 0 and remark = 1")
        .code(6)
        .stderr_has("at 20: remark is text");
    // Nothing added, nothing recorded.
    assert_eq!(env.count("SELECT count(*) FROM rule"), 10);
    assert_eq!(env.audit_count(), events);
    // A bad code, and a code taken (exit 5).
    add_rule(&env, &ministry, "Mm-Half", "school", "error", "classrooms >= 0").code(6).stderr_has("not a rule code");
    add_rule(&env, &ministry, "mm_le_classrooms", "school", "error", "classrooms >= 0")
        .code(5)
        .stderr_has("already exists");
}

#[test]
fn only_the_ministry_admin_adds_and_retires_rules() {
    let Changan { env, county, .. } = changan();
    let province = who(&env, "130000", "admin", "省管", "13700000104");
    let denied = env.events("denied");
    for w in [&county, &province] {
        add_rule(&env, w, "mm_half", "school", "error", "multimedia_classrooms * 2 <= classrooms")
            .code(3)
            .stderr_has("Ministry");
        run(&env, w, &["report", "rules", "retire", "mm_le_classrooms"]).code(3);
    }
    assert_eq!(env.events("denied"), denied + 4, "each refusal audited");
    assert_eq!(env.count("SELECT count(*) FROM rule WHERE retired_at IS NULL"), 10);
    // Everyone reads the catalogue.
    run(&env, &county, &["report", "rules"]).ok().stdout_has("mm_le_classrooms");
}

#[test]
fn an_added_rule_checks_the_months_being_reported_at_once_and_a_retired_one_withdraws_its_flags() {
    let Changan { env, ministry, county } = changan();
    set(&env, &county, S1, NOV, &["classrooms=20", "multimedia_classrooms=15"]).ok();
    set(&env, &county, S2, NOV, &["classrooms=20", "multimedia_classrooms=8"]).ok();
    // A new error rule: S1's stored values trip it — flagged (as an error), not refused after the fact.
    add_rule(&env, &ministry, "mm_half", "school", "error", "multimedia_classrooms * 2 <= classrooms")
        .ok()
        .stderr_has("added rule mm_half; checked against 2026-10, 2026-11: 1 flags raised");
    assert_eq!(flag_rules(&env, S1, NOV), vec!["mm_half"]);
    assert!(flag_rules(&env, S2, NOV).is_empty());
    let rows = validate(&env, &county, NOV, COUNTY);
    assert_eq!((rows.len(), rows[0]["rule"].as_str(), rows[0]["severity"].as_str()), (1, "mm_half", "error"));
    let added = env.trail("rule.add", "mm_half");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].actor, ADMIN);
    assert_eq!(added[0].detail["after"]["expression"], "multimedia_classrooms * 2 <= classrooms");
    assert_eq!(added[0].detail["flags"]["raised"], 1);
    // From now on it refuses the write that trips it.
    set(&env, &county, S2, NOV, &["multimedia_classrooms=11"]).code(6).stderr_has("rule mm_half");
    let listed = csv_maps(&run(&env, &county, &["report", "rules", "--format", "csv"]).ok().stdout);
    let last = listed.last().unwrap();
    assert_eq!(
        (last["code"].as_str(), last["severity"].as_str(), last["retired"].as_str()),
        ("mm_half", "error", "false")
    );
    // Retired: it no longer applies, its flags are withdrawn, it stays listed.
    run(&env, &ministry, &["report", "rules", "retire", "mm_half"])
        .ok()
        .stderr_has("retired rule mm_half; 1 flags withdrawn");
    assert!(flag_rules(&env, S1, NOV).is_empty());
    set(&env, &county, S2, NOV, &["multimedia_classrooms=11"]).ok().stderr_lacks("mm_half");
    let listed = csv_maps(&run(&env, &county, &["report", "rules", "--format", "csv"]).ok().stdout);
    assert_eq!(listed.last().unwrap()["retired"], "true");
    let retired = env.trail("rule.retire", "mm_half");
    assert_eq!(retired.len(), 1);
    assert_eq!(retired[0].detail["flags_withdrawn"], 1);
    // Again: nothing to do, nothing recorded; an unknown rule is not found.
    run(&env, &ministry, &["report", "rules", "retire", "mm_half"]).ok().stderr_has("already retired");
    assert_eq!(env.events("rule.retire"), 1);
    run(&env, &ministry, &["report", "rules", "retire", "no_such_rule"]).code(4);
    // A seeded rule retired: its writes go through.
    run(&env, &ministry, &["report", "rules", "retire", "mm_le_classrooms"]).ok();
    set(&env, &county, S2, NOV, &["multimedia_classrooms=50"]).ok();
}

#[test]
fn an_added_rule_judges_the_stored_months_as_a_write_would() {
    let Changan { env, ministry, county } = changan();
    set(&env, &county, S1, NOV, &["teacher_spaces=10"]).ok(); // 1200 students, no classrooms
    set(&env, &county, S2, NOV, &["teacher_spaces=10"]).ok(); // 960 students
                                                              // false and unknown is false: S1 trips it without a classrooms value; S3 reported nothing.
    add_rule(&env, &ministry, "big_school", "school", "warning", "school.students <= 1000 and classrooms >= 0")
        .ok()
        .stderr_has("1 flags raised");
    assert_eq!(flag_rules(&env, S1, NOV), vec!["big_school"]);
    assert!(flag_rules(&env, S2, NOV).is_empty());
    assert!(flag_rules(&env, S3, NOV).is_empty(), "nothing reported, nothing judged");
    // A write judges it the same way.
    set(&env, &county, S3, NOV, &["teacher_spaces=10"]).ok().stderr_has("rule big_school");
    assert_eq!(flag_rules(&env, S3, NOV), vec!["big_school"]);
}

// ---------------------------------------------------------------- 3. refusals: confirm, import

#[test]
fn a_confirmation_that_would_carry_values_an_error_rule_refuses_is_refused_whole() {
    let Changan { mut env, ministry, county } = changan();
    set(&env, &county, S1, NOV, &["classrooms=10", "multimedia_classrooms=8", "teacher_spaces=20"]).ok();
    add_rule(&env, &ministry, "mm_half", "school", "error", "multimedia_classrooms * 2 <= classrooms").ok();
    env.now = DEC_3RD.into();
    let events = env.audit_count();
    let r = run(&env, &county, &["report", "confirm", "--org", S1, "--period", DEC]);
    r.code(6).stderr_has("2113010001 2026-12: rule mm_half").stderr_has("multimedia_classrooms=8, classrooms=10");
    assert_eq!(value(&env, S1, DEC, "classrooms"), None, "nothing carried");
    assert_eq!(env.count("SELECT count(*) FROM org_period op JOIN org o ON o.id = op.org_id WHERE o.code = '2113010001' AND op.period = '2026-12'"), 0);
    assert_eq!(env.audit_count(), events);
    // Corrected in the same month, it confirms.
    set(&env, &county, S1, DEC, &["multimedia_classrooms=5"]).ok();
    run(&env, &county, &["report", "confirm", "--org", S1, "--period", DEC]).ok();
    assert_eq!(value(&env, S1, DEC, "classrooms").as_deref(), Some("10"));
}

#[test]
fn an_import_names_each_line_a_rule_refuses_writes_nothing_and_stores_its_warnings() {
    let Changan { env, county, .. } = changan();
    let wide = env.write_file(
        "values.csv",
        format!(
            "org,period,classrooms,multimedia_classrooms,bandwidth_mbps,teacher_spaces\n\
             {S1},{NOV},30,20,50,10\n\
             {S2},{NOV},10,50,,\n\
             {S3},{NOV},,,200000,\n\
             {S4},{NOV},abc,,,\n"
        )
        .as_bytes(),
    );
    let rejects = env.path("rejects.csv");
    let values = env.count("SELECT count(*) FROM value");
    let r = run(&env, &county, &["report", "import", &wide, "--rejects", rejects.to_str().unwrap()]);
    r.code(6)
        .stderr_has("line 3: 2113010002 2026-11: rule mm_le_classrooms")
        .stderr_has("multimedia_classrooms=50, classrooms=10")
        .stderr_has("line 4: 2113010003 2026-11: rule bandwidth_range")
        .stderr_has("line 5: ");
    assert_eq!(env.count("SELECT count(*) FROM value"), values, "nothing written");
    let (_, bad) = read_bom_csv(&rejects);
    let lines: Vec<&str> = bad.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, vec![S2, S3, S4], "the rows a rule refused go to the rejects file with the others");
    assert!(bad[0].last().unwrap().contains("mm_le_classrooms"));
    // Long layout: the line of the value the rule read that the file gives.
    set(&env, &county, S5, NOV, &["classrooms=10"]).ok();
    let long = env.write_file(
        "long.csv",
        format!("org,period,indicator,value\n{S5},{NOV},teacher_spaces,5\n{S5},{NOV},multimedia_classrooms,11\n")
            .as_bytes(),
    );
    run(&env, &county, &["report", "import", &long])
        .code(6)
        .stderr_has("line 3: 2113010005 2026-11: rule mm_le_classrooms");
    // A warning: the file is imported, the flag stored, the line named on stderr (a dry run too).
    let warn =
        env.write_file("warn.csv", format!("org,period,indicator,value\n{S1},{NOV},teacher_spaces,81\n").as_bytes());
    run(&env, &county, &["report", "import", &warn, "--dry-run"])
        .ok()
        .stderr_has("warning: line 2: 2113010001 2026-11: rule teacher_spaces_le_teachers");
    assert!(flag_rules(&env, S1, NOV).is_empty(), "a dry run stores nothing");
    run(&env, &county, &["report", "import", &warn])
        .ok()
        .stderr_has("warning: line 2: 2113010001 2026-11: rule teacher_spaces_le_teachers");
    assert_eq!(flag_rules(&env, S1, NOV), vec!["teacher_spaces_le_teachers"]);
    // Corrected by a second import, the flag clears.
    let fix =
        env.write_file("fix.csv", format!("org,period,indicator,value\n{S1},{NOV},teacher_spaces,79\n").as_bytes());
    run(&env, &county, &["report", "import", &fix]).ok().stderr_lacks("warning");
    assert!(flag_rules(&env, S1, NOV).is_empty());
}

// ---------------------------------------------------------------- 4. flags counted, exported, passed on

/// 长安区's November with three flags: two at S1, one at S2.
fn three_flags(c: &Changan) {
    let Changan { env, county, .. } = c;
    set(env, county, S1, NOV, &["teacher_spaces=90", "student_spaces=1300"]).ok();
    set(env, county, S2, NOV, &["internet_access=1", "bandwidth_mbps=0"]).ok();
    set(env, county, S3, NOV, &["classrooms=20"]).ok();
    assert_eq!(env.count("SELECT count(*) FROM flag"), 3);
}

#[test]
fn status_counts_the_flags_under_each_child_and_the_export_shows_them() {
    let c = changan();
    three_flags(&c);
    let Changan { env, county, ministry } = &c;
    let prefecture =
        run(env, ministry, &["report", "status", "--period", NOV, "--under", "130100", "--format", "json"]);
    let rows = prefecture.ok().json();
    let flags_of = |rows: &Value, code: &str| {
        rows.as_array().unwrap().iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("{code}"))["flags"].clone()
    };
    assert_eq!(flags_of(&rows, COUNTY), 3);
    assert_eq!(flags_of(&rows, "130104"), 0);
    let r = run(env, county, &["report", "status", "--period", NOV, "--under", COUNTY, "--format", "json"]);
    r.ok().stderr_has("3 plausibility flags");
    let rows = r.json();
    assert_eq!((flags_of(&rows, S1), flags_of(&rows, S2), flags_of(&rows, S3)), (json!(2), json!(1), json!(0)));
    // The export: a flags column, each school's own, each unit's subtree's.
    let out = run(env, county, &["report", "export", "--period", NOV, "--under", COUNTY, "--format", "csv"])
        .ok()
        .stdout
        .clone();
    let maps = csv_maps(&out);
    let school = |code: &str| maps.iter().find(|m| m["org"] == code).unwrap()["flags"].clone();
    assert_eq!((school(S1), school(S2), school(S3)), ("2".into(), "1".into(), "0".into()));
    let counties = run(
        env,
        ministry,
        &["report", "export", "--period", NOV, "--level", "county", "--under", "130100", "--format", "csv"],
    );
    let maps = csv_maps(&counties.ok().stdout);
    let unit = |code: &str| maps.iter().find(|m| m["org"] == code).unwrap()["flags"].clone();
    assert_eq!((unit(COUNTY), unit("130104")), ("3".into(), "0".into()));
    let zh = run(
        env,
        ministry,
        &[
            "report",
            "export",
            "--period",
            NOV,
            "--level",
            "prefecture",
            "--under",
            "130000",
            "--headers",
            "zh",
            "--format",
            "csv",
        ],
    );
    let maps = csv_maps(&zh.ok().stdout);
    assert_eq!(maps.iter().find(|m| m["代码"] == "130100").unwrap()["校验提示数"], "3");
    // The school export, flags column and all, imports back with no change.
    let file = env.path("export.csv");
    run(env, county, &["report", "export", "--period", NOV, "--under", COUNTY, "-o", file.to_str().unwrap()]).ok();
    let events = env.audit_count();
    run(env, county, &["report", "import", file.to_str().unwrap()]).ok().stderr_has("0 values changed");
    assert_eq!(env.audit_count(), events);
}

#[test]
fn submit_shows_the_flags_it_passes_on_and_records_how_many() {
    let c = changan();
    three_flags(&c);
    let Changan { mut env, .. } = c;
    let reviewer = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    env.now = "2026-12-02T10:00:00+08:00".into();
    let r = run(&env, &reviewer, &["submit", "--period", NOV, "--allow-incomplete", "--format", "json"]);
    r.ok()
        .stderr_has("3 plausibility flags passed on with 130102's 2026-11")
        .stderr_has("2113010001 长安区第一小学 2026-11: rule teacher_spaces_le_teachers")
        .stderr_has("2113010002 长安区第二小学 2026-11: rule access_needs_bandwidth");
    assert_eq!(r.json()["flags"], 3);
    assert_eq!(env.count("SELECT flags FROM submission s JOIN org o ON o.id = s.org_id WHERE o.code = '130102'"), 3);
    let ev = env.trail("submit", COUNTY);
    assert_eq!(ev.last().unwrap().detail["after"]["flags"], 3);
}

#[test]
fn the_automatic_submission_records_the_flags_it_passed_on() {
    let c = changan();
    three_flags(&c);
    let Changan { mut env, ministry, .. } = c;
    // December 6th: the county deadline of November has passed.
    env.now = "2026-12-06T09:00:00+08:00".into();
    run(&env, &ministry, &["submit", "--sweep"]).ok();
    let flags_of = |code: &str| {
        env.count(&format!("SELECT flags FROM submission s JOIN org o ON o.id = s.org_id WHERE o.code = '{code}' AND s.period = '{NOV}'"))
    };
    assert_eq!((flags_of(COUNTY), flags_of("130104")), (3, 0));
    let ev = env.trail("submit.auto", COUNTY);
    assert_eq!(ev.last().unwrap().detail["after"]["flags"], 3);
}

// ---------------------------------------------------------------- 5. judged again when what they read changes

#[test]
fn correcting_last_month_judges_this_months_change_again() {
    let Changan { mut env, county, .. } = changan();
    set(&env, &county, S1, NOV, &["classrooms=10"]).ok();
    env.now = DEC_3RD.into();
    set(&env, &county, S1, DEC, &["classrooms=40"]).ok().stderr_has("rule classrooms_jump");
    assert_eq!(flag_rules(&env, S1, DEC), vec!["classrooms_jump"]);
    // November is still open for the county (until the 5th): its classrooms were 20, not 10.
    set(&env, &county, S1, NOV, &["classrooms=20"]).ok();
    assert!(flag_rules(&env, S1, DEC).is_empty(), "40 over 20 is twofold");
    set(&env, &county, S1, NOV, &["classrooms=12"]).ok();
    assert_eq!(flag_rules(&env, S1, DEC), vec!["classrooms_jump"]);
}

#[test]
fn a_change_of_basic_info_judges_the_open_months_again() {
    let Changan { env, county, .. } = changan();
    set(&env, &county, S1, NOV, &["teacher_spaces=75"]).ok();
    assert!(flag_rules(&env, S1, NOV).is_empty());
    run(&env, &county, &["school", "edit", S1, "--teachers", "70"]).ok();
    assert_eq!(flag_rules(&env, S1, NOV), vec!["teacher_spaces_le_teachers"]);
    run(&env, &county, &["school", "edit", S1, "--teachers", "75"]).ok();
    assert!(flag_rules(&env, S1, NOV).is_empty());
}

#[test]
fn a_return_judges_the_reopened_values_again() {
    let Changan { mut env, county, .. } = changan();
    let reviewer = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    set(&env, &county, S1, NOV, &["teacher_spaces=90"]).ok();
    run(&env, &county, &["report", "confirm", "--org", S1, "--period", NOV]).ok();
    // As a database from before the rules holds it (the upgrade seeds the rules, not the flags).
    env.conn().execute("DELETE FROM flag", []).unwrap();
    env.now = "2026-12-02T10:00:00+08:00".into();
    run(
        &env,
        &reviewer,
        &["report", "return", S1, "--period", NOV, "--due", "2026-12-04T18:00+08:00", "--reason", "请核实"],
    )
    .ok();
    assert_eq!(flag_rules(&env, S1, NOV), vec!["teacher_spaces_le_teachers"]);
}
