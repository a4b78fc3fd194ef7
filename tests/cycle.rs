//! The reporting cycle (§6; Art. 7, 16–19): the county reviewer submits inside
//! the window only, the system submits what exists at the deadline, submitted data is read-only,
//! a parent waits for its children, returns (退回) and withdrawals (撤报) reopen a period until a
//! due time, the inspector ratifies (审定), `submit --sweep` is idempotent, snapshots freeze the
//! figures, and the progress table says who may do what next — all in China Standard Time,
//! whatever the machine's zone.

mod common;
use common::*;

use std::collections::BTreeMap;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

const P: &str = "2026-11";
const COUNTY: &str = "130102";
const OTHER: &str = "130104";
const THIRD: &str = "130105";
const PREF: &str = "130100";
const PROV: &str = "130000";
const S1: &str = "2113010001";
const S2: &str = "2113010002";
const S3: &str = "2113010003";

/// The county deadline of 2026-11 (2026-12-06 00:00 CST) as stored.
const COUNTY_DEADLINE_UTC: &str = "2026-12-05T16:00:00Z";
const PREF_DEADLINE_UTC: &str = "2026-12-10T16:00:00Z";
const PROV_DEADLINE_UTC: &str = "2026-12-15T16:00:00Z";

/// The cast of 石家庄 (issued at the test's start, 2026-11-20).
fn county_admin(env: &Env) -> Who {
    who(env, COUNTY, "admin", "长安管", "13700000101")
}
fn county_reviewer(env: &Env) -> Who {
    let w = who(env, COUNTY, "reviewer", "长安审", "13700000102");
    assert_eq!(w.user, "130102-R01");
    w
}
fn county_inspector(env: &Env) -> Who {
    who(env, COUNTY, "inspector", "长安视", "13700000103")
}
fn other_reviewer(env: &Env) -> Who {
    who(env, OTHER, "reviewer", "桥西审", "13700000104")
}
fn pref_reviewer(env: &Env) -> Who {
    let w = who(env, PREF, "reviewer", "市审", "13700000105");
    assert_eq!(w.user, "130100-R01");
    w
}
fn pref_admin(env: &Env) -> Who {
    who(env, PREF, "admin", "市管", "13700000106")
}
fn prov_admin(env: &Env) -> Who {
    who(env, PROV, "admin", "省管", "13700000107")
}
fn prov_reviewer(env: &Env) -> Who {
    who(env, PROV, "reviewer", "省审", "13700000108")
}

/// The Ministry admin, with a token.
fn ministry(env: &Env) -> Who {
    Who { user: ADMIN.into(), tok: token(env, ADMIN) }
}

/// The county admin imports the 14 schools of examples/changan-schools.csv.
fn import_schools(env: &Env, admin: &Who) {
    run(env, admin, &["school", "import", &example("changan-schools.csv")]).ok().stderr_has("14 rows: 14 added");
}

/// The county admin fills and confirms a school's month (by proxy).
fn fill_and_confirm(env: &Env, admin: &Who, school: &str, pairs: &[&str]) {
    let mut args = vec!["report", "set", "--org", school, "--period", P];
    args.extend_from_slice(pairs);
    run(env, admin, &args).ok();
    run(env, admin, &["report", "confirm", "--org", school, "--period", P]).ok();
}

/// 长安区's admin and reviewer; its schools imported, S1 confirmed with 30 classrooms, and the
/// county's own funding of 12 for November.
fn changan_with_funding(env: &Env) -> (Who, Who) {
    let a = county_admin(env);
    let r = county_reviewer(env);
    import_schools(env, &a);
    fill_and_confirm(env, &a, S1, &["classrooms=30"]);
    run(env, &a, &["report", "set", "--period", P, "funding=12"]).ok();
    (a, r)
}

/// `w` (the prefecture's reviewer) returns `unit`'s November until 2026-12-08 18:00 CST: 数据有误.
fn return_until_the_8th(env: &Env, w: &Who, unit: &str) -> Run {
    run(env, w, &["report", "return", unit, "--period", P, "--due", "2026-12-08T18:00+08:00", "--reason", "数据有误"])
}

/// The one JSON error object a `--format json` run writes on stderr.
fn json_error(r: &Run) -> Value {
    let line = r.stderr.lines().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON error:\n{}", r.stderr));
    serde_json::from_str(line).expect("JSON error object")
}

/// Run with `--format json`, expect a refusal (exit 5) with this reason; returns the error object.
#[track_caller]
fn refused(env: &Env, w: &Who, args: &[&str], reason: &str) -> Value {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--format", "json"]);
    let r = run(env, w, &a);
    r.code(5);
    let e = json_error(&r);
    assert_eq!(e["reason"], reason, "{e}");
    assert_eq!(e["exit_code"], 5, "{e}");
    e
}

/// A unit's submission row, as stored (usernames resolved).
#[derive(Debug, Clone, PartialEq, Default)]
struct Sub {
    state: String,
    submitted_at: Option<String>,
    submitted_by: Option<String>,
    incomplete: Option<i64>,
    return_due: Option<String>,
    return_reason: Option<String>,
    ratified_at: Option<String>,
    ratified_by: Option<String>,
}

fn sub(env: &Env, code: &str) -> Option<Sub> {
    use common::Optional;
    env.conn()
        .query_row(
            "SELECT s.state, s.submitted_at, a.username, s.incomplete_schools, ret.due, ret.reason,
                    s.ratified_at, r.username
             FROM submission s JOIN org o ON o.id = s.org_id
             LEFT JOIN account a ON a.id = s.submitted_by LEFT JOIN account r ON r.id = s.ratified_by
             LEFT JOIN period_return ret ON ret.id = s.return_id
             WHERE o.code = ?1 AND s.period = ?2",
            [code, P],
            |r| {
                Ok(Sub {
                    state: r.get(0)?,
                    submitted_at: r.get(1)?,
                    submitted_by: r.get(2)?,
                    incomplete: r.get(3)?,
                    return_due: r.get(4)?,
                    return_reason: r.get(5)?,
                    ratified_at: r.get(6)?,
                    ratified_by: r.get(7)?,
                })
            },
        )
        .optional()
        .expect("query")
}

fn state(env: &Env, code: &str) -> Option<String> {
    sub(env, code).map(|s| s.state)
}

fn snapshots(env: &Env, code: &str) -> i64 {
    env.count(&format!(
        "SELECT count(*) FROM snapshot n JOIN org o ON o.id = n.org_id WHERE o.code = '{code}' AND n.period = '{P}'"
    ))
}

/// The newest snapshot's figures.
fn snapshot_figures(env: &Env, code: &str) -> Value {
    let s: String = env
        .conn()
        .query_row(
            "SELECT n.figures FROM snapshot n JOIN org o ON o.id = n.org_id WHERE o.code = ?1 AND n.period = ?2
             ORDER BY n.id DESC LIMIT 1",
            [code, P],
            |r| r.get(0),
        )
        .expect("a snapshot");
    serde_json::from_str(&s).unwrap()
}

/// A school's data state (None: no row, i.e. open).
fn op_state(env: &Env, org: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT op.state FROM org_period op JOIN org o ON o.id = op.org_id WHERE o.code = ?1 AND op.period = ?2",
            [org, P],
            |r| r.get(0),
        )
        .ok()
}

fn value(env: &Env, org: &str, ind: &str) -> Option<String> {
    env.conn()
        .query_row(
            "SELECT v.value FROM value v JOIN org o ON o.id = v.org_id WHERE o.code = ?1 AND v.period = ?2 AND v.indicator = ?3",
            [org, P, ind],
            |r| r.get(0),
        )
        .ok()
}

/// Audit events (actor, at, detail) with this action and target, oldest first; the event's
/// reason in the detail as `_reason`.
fn events(env: &Env, action: &str, target: &str) -> Vec<(String, String, Value)> {
    let with_reason = |e: Event| {
        let mut d = e.detail;
        d["_reason"] = e.reason.map(Value::String).unwrap_or(Value::Null);
        (e.actor, e.at, d)
    };
    env.trail(action, target).into_iter().map(with_reason).collect()
}

/// The county aggregates under 130100 for 2026-11, as `w` exports them: code → row.
fn county_export(env: &Env, w: &Who) -> BTreeMap<String, BTreeMap<String, String>> {
    let r = run(env, w, &["report", "export", "--period", P, "--level", "county", "--under", PREF, "--format", "csv"]);
    r.ok();
    csv_maps(&r.stdout).into_iter().map(|m| (m["org"].clone(), m)).collect()
}

/// `report status --under 130100` rows as `w` sees them: code → row.
fn status(env: &Env, w: &Who, under: &str) -> BTreeMap<String, Value> {
    let j = run(env, w, &["report", "status", "--under", under, "--period", P, "--format", "json"]).ok().json();
    j.as_array().expect("a list").iter().map(|o| (o["code"].as_str().unwrap().to_string(), o.clone())).collect()
}

// ---------------------------------------------------------------- submitting (Art. 16, 17)

#[test]
fn art17_a_county_cannot_submit_before_its_window_opens_and_is_told_when() {
    let mut env = Env::national();
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    env.now = "2026-11-30T23:59:59+08:00".into();
    let e = refused(&env, &r, &["submit", "--period", P], "window_not_open");
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("130102") && msg.contains("2026-12-01 00:00 CST"), "{msg}");
    assert!(msg.contains("2026-12-05 24:00 CST"), "{msg}");
    run(&env, &r, &["submit", "--period", P])
        .code(5)
        .stderr_has("its window is 2026-12-01 00:00 CST – 2026-12-05 24:00 CST");
    assert_eq!(sub(&env, COUNTY), None);
    assert_eq!(env.events("submit"), 0);
    // A prefecture's window opens on the 5th: the 4th is too early for it.
    env.now = "2026-12-04T23:59:59+08:00".into();
    let e = refused(&env, &p, &["submit", "--period", P], "window_not_open");
    assert!(e["error"].as_str().unwrap().contains("2026-12-05 00:00 CST"), "{e}");
    assert_eq!(sub(&env, PREF), None);
}

#[test]
fn art17_the_window_is_china_standard_time_whatever_the_machine_s_zone() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let r = county_reviewer(&env);
    let q = other_reviewer(&env);
    let in_zone = |env: &Env, w: &Who, tz: &str, args: &[&str]| {
        let mut c = command(env, w, args);
        c.env("TZ", tz);
        Env::run_cmd(c, None)
    };
    // One second before midnight CST on the 1st: 10:59:59 on 30 November in New York, 15:59:59 UTC.
    env.now = "2026-11-30T15:59:59Z".into();
    let ny =
        in_zone(&env, &r, "America/New_York", &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    let utc = in_zone(&env, &r, "UTC", &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    let sh = in_zone(&env, &r, "Asia/Shanghai", &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    for x in [&ny, &utc, &sh] {
        x.code(5);
        assert_eq!(json_error(x)["reason"], "window_not_open");
    }
    assert_eq!(ny.stderr, utc.stderr);
    assert_eq!(ny.stderr, sh.stderr);
    assert!(ny.stderr.contains("2026-12-01 00:00 CST"), "{}", ny.stderr);
    assert_eq!(sub(&env, COUNTY), None);
    // Midnight CST: open, in every zone.
    env.now = "2026-11-30T16:00:00Z".into();
    let a = in_zone(&env, &r, "America/New_York", &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    let b = in_zone(&env, &q, "UTC", &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    a.ok();
    b.ok();
    assert_eq!(a.json()["submitted_at"], "2026-12-01T00:00:00+08:00");
    assert_eq!(b.json()["submitted_at"], "2026-12-01T00:00:00+08:00");
    for code in [COUNTY, OTHER] {
        let s = sub(&env, code).expect("submitted");
        assert_eq!(s.state, "submitted");
        assert_eq!(s.submitted_at.as_deref(), Some("2026-11-30T16:00:00Z"));
    }
}

#[test]
fn art16_the_reviewer_submits_on_the_last_second_recording_unconfirmed_schools() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let i = county_inspector(&env);
    import_schools(&env, &a);
    fill_and_confirm(&env, &a, S1, &["classrooms=30", "internet_access=1"]);
    fill_and_confirm(&env, &a, S2, &["classrooms=20"]);
    env.now = "2026-12-05T23:59:59+08:00".into();
    // Only the reviewer submits (exit 3 naming the role); the refusal is audited.
    let denied = env.count("SELECT count(*) FROM audit WHERE action = 'denied'");
    run(&env, &a, &["submit", "--period", P]).code(3).stderr_has("reviewer");
    run(&env, &i, &["submit", "--period", P]).code(3).stderr_has("reviewer");
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'denied'"), denied + 2);
    assert_eq!(sub(&env, COUNTY), None);
    // 12 of 14 schools have not confirmed: refused, naming the count, unless --allow-incomplete.
    let e = refused(&env, &r, &["submit", "--period", P], "schools_unconfirmed");
    assert!(e["error"].as_str().unwrap().contains("12 schools under 130102 have not confirmed 2026-11"), "{e}");
    assert!(e["hint"].as_str().unwrap().contains("--allow-incomplete"), "{e}");
    assert_eq!(sub(&env, COUNTY), None);
    assert_eq!(snapshots(&env, COUNTY), 0);
    let out = run(&env, &r, &["submit", "--period", P, "--allow-incomplete", "--format", "json"]);
    out.ok().stderr_has("130102 submitted 2026-11 with 12 schools not confirmed");
    let j = out.json();
    assert_eq!(j["unit"], COUNTY);
    assert_eq!(j["state"], "submitted");
    assert_eq!(j["submitted_at"], "2026-12-05T23:59:59+08:00");
    assert_eq!(j["incomplete_schools"], 12);
    let s = sub(&env, COUNTY).expect("a submission row");
    assert_eq!(s.state, "submitted");
    assert_eq!(s.submitted_at.as_deref(), Some("2026-12-05T15:59:59Z"));
    assert_eq!(s.submitted_by.as_deref(), Some("130102-R01"));
    assert_eq!(s.incomplete, Some(12));
    assert_eq!(snapshots(&env, COUNTY), 1);
    let ev = events(&env, "submit", COUNTY);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0, "130102-R01");
    assert_eq!(ev[0].2["after"]["state"], "submitted");
    assert_eq!(ev[0].2["after"]["incomplete_schools"], 12);
    // Submitting again is refused: it is submitted.
    let e = refused(&env, &r, &["submit", "--period", P, "--allow-incomplete"], "submitted");
    assert!(e["error"].as_str().unwrap().contains("130102-R01"), "{e}");
    assert_eq!(snapshots(&env, COUNTY), 1);
    // The deadline passes: nothing more happens to an already submitted county.
    env.now = "2026-12-06T00:00:00+08:00".into();
    run(&env, &r, &["report", "status", "--period", P]).ok();
    assert_eq!(sub(&env, COUNTY), Some(s));
    assert!(events(&env, "submit.auto", COUNTY).is_empty());
}

#[test]
fn art17_at_the_deadline_the_system_submits_what_exists() {
    let mut env = Env::national();
    let (a, r) = changan_with_funding(&env);
    env.now = "2026-12-06T00:00:00+08:00".into();
    // The reviewer comes too late: the system has submitted already (the command sweeps first).
    let e = refused(&env, &r, &["submit", "--period", P, "--allow-incomplete"], "submitted");
    let msg = e["error"].as_str().unwrap();
    assert!(
        msg.contains("2026-11 was submitted by 130102 (the system, automatically) on 2026-12-06 00:00 CST"),
        "{msg}"
    );
    let s = sub(&env, COUNTY).expect("auto-submitted");
    assert_eq!(s.state, "auto_submitted");
    assert_eq!(s.submitted_at.as_deref(), Some(COUNTY_DEADLINE_UTC));
    assert_eq!(s.submitted_by, None);
    assert_eq!(s.incomplete, Some(13));
    assert_eq!(snapshots(&env, COUNTY), 1);
    let ev = events(&env, "submit.auto", COUNTY);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0, "system");
    assert_eq!(ev[0].1, COUNTY_DEADLINE_UTC);
    assert_eq!(ev[0].2["after"]["state"], "auto_submitted");
    assert!(events(&env, "submit", COUNTY).is_empty());
    // What was submitted is what existed at the deadline; writes are refused from now on.
    run(&env, &a, &["report", "set", "--period", P, "funding=13"]).code(5).stderr_has("(the system, automatically)");
    assert_eq!(value(&env, COUNTY, "funding").as_deref(), Some("12"));
}

#[test]
fn art17_a_late_sweep_dates_each_auto_submission_at_its_deadline() {
    let mut env = Env::national();
    let r = county_reviewer(&env);
    // Nobody ran anything between the 5th and the 8th: the first command submits, dated the deadline.
    env.now = "2026-12-08T09:30:00+08:00".into();
    run(&env, &r, &["report", "status", "--period", P]).ok();
    let s = sub(&env, COUNTY).expect("auto-submitted");
    assert_eq!((s.state.as_str(), s.submitted_at.as_deref()), ("auto_submitted", Some(COUNTY_DEADLINE_UTC)));
    let ev = events(&env, "submit.auto", COUNTY);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].1, "2026-12-08T01:30:00Z", "the event is recorded when it happened");
    assert_eq!(ev[0].2["after"]["at"], COUNTY_DEADLINE_UTC, "as of the deadline");
    // The prefecture's deadline has not passed: it is still open.
    assert_eq!(sub(&env, PREF), None);
    run(&env, &r, &["report", "status", "--period", P]).ok().stderr_has("130102 长安区 2026-11: auto-submitted");
}

// ---------------------------------------------------------------- read-only after submission (Art. 18)

#[test]
fn art18_after_submission_the_county_s_own_and_its_schools_data_are_read_only() {
    let mut env = Env::national();
    let (a, r) = changan_with_funding(&env);
    env.now = "2026-12-03T14:02:00+08:00".into();
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    let audit = env.audit_count();
    for args in [
        vec!["report", "set", "--period", P, "funding=13"],
        vec!["report", "set", "--org", S1, "--period", P, "classrooms=31"],
        vec!["report", "set", "--org", S2, "--period", P, "classrooms=5"],
        vec!["report", "confirm", "--org", S2, "--period", P],
    ] {
        let e = refused(&env, &a, &args, "submitted");
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains("2026-11 was submitted by 130102 (130102-R01) on 2026-12-03 14:02 CST"),
            "{e}"
        );
        assert!(e["hint"].as_str().unwrap().contains("eip withdraw request --period 2026-11"), "{e}");
    }
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=31"])
        .code(5)
        .stderr_has("hint: to change it, file a withdrawal: eip withdraw request --period 2026-11");
    assert_eq!(env.audit_count(), audit);
    assert_eq!(value(&env, COUNTY, "funding").as_deref(), Some("12"));
    assert_eq!(value(&env, S1, "classrooms").as_deref(), Some("30"));
    assert_eq!(value(&env, S2, "classrooms"), None);
    assert_eq!(op_state(&env, S2), None);
    // The county's own status shows why each school is locked.
    let rows = status(&env, &r, COUNTY);
    assert_eq!(rows.len(), 14);
    assert!(rows.values().all(|o| o["lock_reason"] == "submitted"), "{rows:?}");
    // December is another month: writable.
    run(&env, &a, &["report", "set", "--org", S1, "--period", "2026-12", "classrooms=31"]).ok();
}

#[test]
fn art14_a_unit_submits_with_its_own_figures_filled_or_confirmed_or_records_what_was_missing() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let q = other_reviewer(&env);
    let oa = who(&env, OTHER, "admin", "桥西管", "13700000109");
    // 长安区's schools all confirm; the county's own figures stay open.
    import_schools(&env, &a);
    for school in common::CHANGAN_SCHOOLS {
        fill_and_confirm(&env, &a, school, &["classrooms=30"]);
    }
    env.now = "2026-12-03T10:00:00+08:00".into();
    let e = refused(&env, &r, &["submit", "--period", P], "own_figures_open");
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("130102's own figures for 2026-11 are not filled in"), "{msg}");
    for own in ["funding", "trained_persons", "platform_linked", "platform_users", "policy_documents"] {
        assert!(msg.contains(own), "{own} named: {msg}");
    }
    assert!(e["hint"].as_str().unwrap().contains("eip report confirm --period 2026-11"), "{e}");
    assert_eq!(sub(&env, COUNTY), None, "nothing written");
    // With --allow-incomplete it goes through, and the submission records what was missing.
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    assert_eq!(env.count("SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id WHERE o.code = '130102' AND s.own_state = 'open'"), 1);
    let ev = events(&env, "submit", COUNTY);
    assert_eq!(ev[0].2["after"]["own_state"], "open");
    assert_eq!(ev[0].2["after"]["own_missing"].as_array().map(Vec::len), Some(5));
    // 桥西区 fills in one figure: filled is enough, and nothing is listed as missing.
    run(&env, &oa, &["report", "set", "--period", P, "funding=2.5"]).ok();
    run(&env, &q, &["submit", "--period", P]).ok();
    let ev = events(&env, "submit", OTHER);
    assert_eq!(
        (ev[0].2["after"]["own_state"].as_str(), ev[0].2["after"]["own_missing"].as_array().map(Vec::len)),
        (Some("filled"), Some(0))
    );
}

// ---------------------------------------------------------------- the parent waits (Art. 16)

#[test]
fn art16_a_prefecture_cannot_submit_while_a_county_below_it_has_not() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    // The 5th: the prefecture's window is open, its counties have not submitted.
    env.now = "2026-12-05T10:00:00+08:00".into();
    run(&env, &r, &["submit", "--allow-incomplete", "--period", P]).ok();
    let e = refused(&env, &p, &["submit", "--allow-incomplete", "--period", P], "children_not_submitted");
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("130104 桥西区") && msg.contains("130105 新华区"), "{msg}");
    assert!(!msg.contains("130102"), "130102 has submitted: {msg}");
    assert!(e["hint"].as_str().unwrap().contains("eip report missing --period 2026-11"), "{e}");
    assert_eq!(sub(&env, PREF), None);
    // After the counties' deadline all are submitted; the prefecture returns 长安区 …
    env.now = "2026-12-07T09:00:00+08:00".into();
    return_until_the_8th(&env, &p, COUNTY).ok();
    // … and now waits for it alone.
    let e = refused(&env, &p, &["submit", "--allow-incomplete", "--period", P], "children_not_submitted");
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("not submitted below it: 130102 长安区"), "{msg}");
    assert!(!msg.contains("130104"), "{msg}");
    assert_eq!(sub(&env, PREF), None);
    run(&env, &r, &["submit", "--allow-incomplete", "--period", P]).ok();
    let out = run(&env, &p, &["submit", "--allow-incomplete", "--period", P, "--format", "json"]);
    out.ok().stderr_has("130100 submitted 2026-11");
    assert_eq!(out.json()["submitted_at"], "2026-12-07T09:00:00+08:00");
    let s = sub(&env, PREF).unwrap();
    assert_eq!((s.state.as_str(), s.submitted_by.as_deref()), ("submitted", Some("130100-R01")));
    assert_eq!(snapshots(&env, PREF), 1);
    // The prefecture's snapshot lists each county's state at that moment.
    let children: String = env
        .conn()
        .query_row("SELECT n.children FROM snapshot n JOIN org o ON o.id = n.org_id WHERE o.code = '130100'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let children: Value = serde_json::from_str(&children).unwrap();
    let c = children.as_array().unwrap().iter().find(|c| c["code"] == COUNTY).expect("130102 in the snapshot");
    assert_eq!(c["state"], "submitted");
    let o = children.as_array().unwrap().iter().find(|c| c["code"] == OTHER).expect("130104 in the snapshot");
    assert_eq!(o["state"], "auto_submitted");
}

// ---------------------------------------------------------------- return (Art. 19)

#[test]
fn art19_the_prefecture_returns_a_county_which_corrects_and_resubmits() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    import_schools(&env, &a);
    fill_and_confirm(&env, &a, S1, &["classrooms=30"]);
    env.now = "2026-12-03T10:00:00+08:00".into();
    // Not submitted yet: nothing to return.
    let ret = |due: &str| {
        vec!["report", "return", COUNTY, "--period", P, "--due", due, "--reason", "数据有误"]
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let args = ret("2026-12-08T18:00+08:00");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&env, &p, &args, "not_submitted");
    assert_eq!(sub(&env, COUNTY), None);
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    env.now = "2026-12-07T09:00:00+08:00".into();
    // Only the parent's reviewer returns: the county reviewer may not return itself.
    run(&env, &r, &args).code(5);
    // A due after the prefecture's own deadline, or in the past: refused.
    for bad in ["2026-12-11T00:00:01+08:00", "2026-12-07T08:59:59+08:00"] {
        let b = ret(bad);
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        refused(&env, &p, &b, "due_out_of_range");
    }
    run(&env, &p, &["report", "return", COUNTY, "--period", P, "--due", "garbage", "--reason", "x"]).code(2);
    run(&env, &p, &["report", "return", COUNTY, "--period", P, "--due", "2026-12-08T18:00+08:00", "--reason", " "])
        .code(2);
    run(&env, &p, &["report", "return", "130103", "--period", P, "--due", "2026-12-08T18:00+08:00", "--reason", "x"])
        .code(4);
    assert_eq!(state(&env, COUNTY).as_deref(), Some("submitted"));
    assert!(events(&env, "report.return", COUNTY).is_empty());
    // Returned until 18:00 on the 8th.
    run(&env, &p, &args).ok().stderr_has("returned 130102's 2026-11 until");
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!(s.state, "returned");
    assert_eq!(s.return_due.as_deref(), Some("2026-12-08T10:00:00Z"));
    assert_eq!(s.return_reason.as_deref(), Some("数据有误"));
    let ev = events(&env, "report.return", COUNTY);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0, "130100-R01");
    assert_eq!(ev[0].2["_reason"], "数据有误");
    assert_eq!(ev[0].2["after"]["state"], "returned");
    // Returning it again: it is not submitted now.
    refused(&env, &p, &args, "not_submitted");
    // Writable again: the county's data and its schools'.
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=31"]).ok();
    run(&env, &a, &["report", "set", "--period", P, "funding=7"]).ok();
    assert_eq!(value(&env, S1, "classrooms").as_deref(), Some("31"));
    // The reviewer's default period is the returned one.
    let out = run(&env, &r, &["submit", "--allow-incomplete", "--format", "json"]);
    out.ok().stderr_has("period 2026-11 for 130102");
    assert_eq!(out.json()["submitted_at"], "2026-12-07T09:00:00+08:00");
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!((s.state.as_str(), s.submitted_at.as_deref()), ("submitted", Some("2026-12-07T01:00:00Z")));
    assert_eq!(snapshots(&env, COUNTY), 2);
    assert_eq!(events(&env, "submit", COUNTY).len(), 2);
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=32"]).code(5);
    // A due exactly at the prefecture's deadline is allowed.
    run(&env, &p, &["report", "return", COUNTY, "--period", P, "--due", "2026-12-11T00:00+08:00", "--reason", "再核"])
        .ok();
    assert_eq!(sub(&env, COUNTY).unwrap().return_due.as_deref(), Some(PREF_DEADLINE_UTC));
}

#[test]
fn art19_a_returned_county_that_misses_its_due_is_submitted_automatically_then() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let p = pref_reviewer(&env);
    env.now = "2026-12-07T09:00:00+08:00".into();
    return_until_the_8th(&env, &p, COUNTY).ok();
    assert_eq!(state(&env, COUNTY).as_deref(), Some("returned"));
    env.now = "2026-12-08T17:59:59+08:00".into();
    run(&env, &a, &["report", "set", "--period", P, "funding=5"]).ok();
    assert_eq!(state(&env, COUNTY).as_deref(), Some("returned"));
    env.now = "2026-12-08T18:00:00+08:00".into();
    let e = refused(&env, &a, &["report", "set", "--period", P, "funding=6"], "submitted");
    assert!(e["error"].as_str().unwrap().contains("(the system, automatically) on 2026-12-08 18:00 CST"), "{e}");
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!(s.state, "auto_submitted");
    assert_eq!(s.submitted_at.as_deref(), Some("2026-12-08T10:00:00Z"));
    assert_eq!(s.submitted_by, None);
    let ev = events(&env, "submit.auto", COUNTY);
    assert_eq!(ev.len(), 2, "at the deadline, and at the due");
    assert_eq!(ev[0].2["after"]["at"], COUNTY_DEADLINE_UTC);
    assert_eq!((ev[1].0.as_str(), ev[1].1.as_str()), ("system", "2026-12-08T10:00:00Z"));
    assert_eq!(ev[1].2["after"]["at"], "2026-12-08T10:00:00Z");
    assert_eq!(ev[1].2["before"]["state"], "returned");
    assert_eq!(snapshots(&env, COUNTY), 2);
    assert_eq!(value(&env, COUNTY, "funding").as_deref(), Some("5"));
}

#[test]
fn art19_the_county_reviewer_returns_a_confirmed_school_which_confirms_again() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    import_schools(&env, &a);
    env.now = "2026-12-03T10:00:00+08:00".into();
    fill_and_confirm(&env, &a, S1, &["classrooms=30"]);
    assert_eq!(op_state(&env, S1).as_deref(), Some("confirmed"));
    let ret = |school: &'static str, due: &'static str| {
        vec!["report", "return", school, "--period", P, "--due", due, "--reason", "数据有误"]
    };
    // Not confirmed: nothing to return. Due after the county's deadline: refused.
    refused(&env, &r, &ret(S2, "2026-12-04T18:00+08:00"), "not_submitted");
    refused(&env, &r, &ret(S1, "2026-12-06T00:00:01+08:00"), "due_out_of_range");
    // The admin may not return; the reviewer does.
    run(&env, &a, &ret(S1, "2026-12-04T18:00+08:00")).code(3);
    assert_eq!(op_state(&env, S1).as_deref(), Some("confirmed"));
    run(&env, &r, &ret(S1, "2026-12-04T18:00+08:00")).ok();
    assert_eq!(op_state(&env, S1).as_deref(), Some("returned"));
    let due: Option<String> = env
        .conn()
        .query_row(
            "SELECT ret.due FROM org_period op JOIN org o ON o.id = op.org_id
             JOIN period_return ret ON ret.id = op.return_id WHERE o.code = ?1 AND op.period = ?2",
            [S1, P],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(due.as_deref(), Some("2026-12-04T10:00:00Z"));
    assert_eq!(events(&env, "report.return", S1).len(), 1);
    let rows = status(&env, &r, COUNTY);
    assert_eq!(rows[S1]["state"], "returned");
    assert_eq!(rows[S1]["due"], "2026-12-04T18:00:00+08:00");
    assert_eq!(rows[S1]["schools_confirmed"], 0);
    // The school corrects and confirms again.
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=31"]).ok();
    assert_eq!(op_state(&env, S1).as_deref(), Some("returned"));
    run(&env, &a, &["report", "confirm", "--org", S1, "--period", P]).ok();
    assert_eq!(op_state(&env, S1).as_deref(), Some("confirmed"));
    assert_eq!(value(&env, S1, "classrooms").as_deref(), Some("31"));
    // A returned school that lets its due pass is locked (docs/DECISIONS.md); it counts as unconfirmed.
    fill_and_confirm(&env, &a, S3, &["classrooms=20"]);
    run(&env, &r, &ret(S3, "2026-12-04T18:00+08:00")).ok();
    env.now = "2026-12-04T18:00:00+08:00".into();
    let e = refused(&env, &a, &["report", "confirm", "--org", S3, "--period", P], "returned_due_passed");
    assert!(e["error"].as_str().unwrap().contains("2026-12-04 18:00 CST"), "{e}");
    assert_eq!(op_state(&env, S3).as_deref(), Some("returned"));
    assert_eq!(status(&env, &r, COUNTY)[S3]["lock_reason"], "returned_due_passed");
    let e = refused(&env, &r, &["submit", "--period", P], "schools_unconfirmed");
    assert!(e["error"].as_str().unwrap().starts_with("13 schools"), "S1 alone is confirmed: {e}");
    // Once the county has submitted, its schools are no longer returned.
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    assert_eq!(sub(&env, COUNTY).unwrap().incomplete, Some(13));
    refused(&env, &r, &ret(S1, "2026-12-04T18:00+08:00"), "submitted");
    assert_eq!(op_state(&env, S1).as_deref(), Some("confirmed"));
}

// ---------------------------------------------------------------- withdrawal (Art. 18)

/// 长安区 with its schools, S1 confirmed with 30 classrooms, submitted by its reviewer on the 3rd;
/// the clock then on the 7th, every other county auto-submitted.
fn submitted_changan(env: &mut Env) -> (Who, Who, Who) {
    let a = county_admin(env);
    let r = county_reviewer(env);
    let p = pref_reviewer(env);
    import_schools(env, &a);
    fill_and_confirm(env, &a, S1, &["classrooms=30", "internet_access=1"]);
    env.now = "2026-12-03T10:00:00+08:00".into();
    run(env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    env.now = "2026-12-07T10:00:00+08:00".into();
    (a, r, p)
}

fn withdraw_request(env: &Env, r: &Who) -> i64 {
    let out = run(env, r, &["withdraw", "request", "--period", P, "--reason", "学校数据漏报", "--format", "json"]);
    out.ok().stderr_has("filed with 130100");
    let j = out.json();
    assert_eq!(j["kind"], "withdraw");
    j["id"].as_i64().expect("an id")
}

/// (status, awaiting unit, decided_by, decision_reason) of a request.
fn request_row(env: &Env, id: i64) -> (String, Option<String>, Option<String>, Option<String>) {
    env.conn()
        .query_row(
            "SELECT r.status, w.code, d.username, r.decision_reason FROM request r LEFT JOIN org w ON w.id = r.awaiting_org_id
             LEFT JOIN account d ON d.id = r.decided_by WHERE r.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

#[test]
fn art18_a_county_that_has_not_submitted_has_nothing_to_withdraw() {
    let mut env = Env::national();
    let r = county_reviewer(&env);
    let a = county_admin(&env);
    env.now = "2026-12-03T10:00:00+08:00".into();
    refused(&env, &r, &["withdraw", "request", "--period", P, "--reason", "x"], "not_submitted");
    run(&env, &a, &["withdraw", "request", "--period", P, "--reason", "x"]).code(3);
    run(&env, &r, &["withdraw", "request", "--period", P]).code(2);
    assert_eq!(env.count("SELECT count(*) FROM request WHERE kind = 'withdraw'"), 0);
}

#[test]
fn art18_an_approved_withdrawal_returns_the_period_and_the_county_resubmits() {
    let mut env = Env::national();
    let (a, r, p) = submitted_changan(&mut env);
    let id = withdraw_request(&env, &r);
    let ids = id.to_string();
    let (st, awaiting, decided, _) = request_row(&env, id);
    assert_eq!((st.as_str(), awaiting.as_deref(), decided), ("pending", Some(PREF), None));
    assert_eq!(
        env.count(&format!("SELECT count(*) FROM request WHERE id = {id} AND kind = 'withdraw' AND period = '{P}'")),
        1
    );
    let ev = events(&env, "request.file", &ids);
    assert_eq!((ev.len(), ev[0].0.as_str()), (1, "130102-R01"));
    assert_eq!(ev[0].2["_reason"], "学校数据漏报");
    // One pending request at a time.
    run(&env, &r, &["withdraw", "request", "--period", P, "--reason", "再次"]).code(5).stderr_has("already pending");
    // The prefecture's reviewer sees it in both inboxes; the filer sees what it filed.
    for args in [["withdraw", "list", "--format", "json"], ["request", "list", "--format", "json"]] {
        let l = run(&env, &p, &args).ok().json();
        let row = l.as_array().unwrap().iter().find(|o| o["id"] == id).unwrap_or_else(|| panic!("{id} not in {l}"));
        assert_eq!(row["awaiting"], PREF);
        assert_eq!(row["status"], "pending");
        assert_eq!(row["unit"], COUNTY);
    }
    let mine = run(&env, &r, &["withdraw", "list", "--format", "json"]).ok().json();
    assert!(mine.as_array().unwrap().iter().any(|o| o["id"] == id), "{mine}");
    // Status tells the prefecture's reviewer what to do.
    let rows = status(&env, &p, PREF);
    assert_eq!(rows[COUNTY]["next"], format!("return approve_withdrawal:{id}"));
    // Only the prefecture's reviewer decides; the due must not pass its own deadline.
    run(&env, &r, &["withdraw", "approve", &ids, "--due", "2026-12-08T18:00+08:00"]).code(3);
    run(&env, &a, &["withdraw", "approve", &ids, "--due", "2026-12-08T18:00+08:00"]).code(3);
    refused(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-11T00:00:01+08:00"], "due_out_of_range");
    run(&env, &p, &["request", "approve", &ids]).code(2).stderr_has("--due");
    assert_eq!(request_row(&env, id).0, "pending");
    assert_eq!(state(&env, COUNTY).as_deref(), Some("submitted"));
    // Approved: returned until the due.
    run(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-08T18:00+08:00"])
        .ok()
        .stderr_has(&format!("approved withdrawal #{id}: 130102's 2026-11 is returned until"));
    let (st, _, decided, _) = request_row(&env, id);
    assert_eq!((st.as_str(), decided.as_deref()), ("approved", Some("130100-R01")));
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!(s.state, "returned");
    assert_eq!(s.return_due.as_deref(), Some("2026-12-08T10:00:00Z"));
    assert_eq!(s.return_reason.as_deref(), Some("学校数据漏报"));
    assert_eq!(events(&env, "withdraw.approve", COUNTY).len(), 1);
    assert_eq!(events(&env, "request.approve", &ids).len(), 1);
    run(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-08T18:00+08:00"]).code(5);
    // The county corrects and resubmits: a second snapshot.
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=40"]).ok();
    run(&env, &a, &["report", "set", "--org", S2, "--period", P, "classrooms=8"]).ok();
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    assert_eq!(state(&env, COUNTY).as_deref(), Some("submitted"));
    assert_eq!(snapshots(&env, COUNTY), 2);
    let schools: String = env
        .conn()
        .query_row(
            "SELECT n.children FROM snapshot n JOIN org o ON o.id = n.org_id WHERE o.code = ?1 ORDER BY n.id DESC LIMIT 1",
            [COUNTY],
            |r| r.get(0),
        )
        .unwrap();
    let schools: Value = serde_json::from_str(&schools).unwrap();
    let s1 = schools.as_array().unwrap().iter().find(|c| c["code"] == S1).expect("S1 in the snapshot");
    assert_eq!(s1["values"]["classrooms"], "40");
    let s2 = schools.as_array().unwrap().iter().find(|c| c["code"] == S2).expect("S2 in the snapshot");
    assert_eq!(s2["values"]["classrooms"], "8");
    // Submitted again: read-only again.
    refused(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=41"], "submitted");
}

#[test]
fn art18_after_a_withdrawal_the_prefecture_reads_the_county_s_new_figures() {
    let mut env = Env::national();
    let m = ministry(&env);
    let (a, r, p) = submitted_changan(&mut env);
    let before = county_export(&env, &p);
    assert_eq!(before[COUNTY]["schools_expected"], "14");
    assert_eq!(before[COUNTY]["schools_confirmed"], "1");
    assert_eq!(before[COUNTY]["classrooms"], "30");
    let id = withdraw_request(&env, &r).to_string();
    run(&env, &p, &["withdraw", "approve", &id, "--due", "2026-12-08T18:00+08:00"]).ok();
    run(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=40"]).ok();
    run(&env, &a, &["report", "set", "--org", S2, "--period", P, "classrooms=8"]).ok();
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    let fig = snapshot_figures(&env, COUNTY);
    assert_eq!(fig["schools_expected"], 14);
    assert_eq!(fig["sums"]["classrooms"], 48.0);
    for rows in [county_export(&env, &p), county_export(&env, &m)] {
        assert_eq!(rows[COUNTY]["classrooms"], "48", "{:?}", rows[COUNTY]);
        assert_eq!(rows[COUNTY]["schools_expected"], "14");
        assert_eq!(rows[COUNTY]["schools_reported"], "2");
    }
}

#[test]
fn art18_a_rejected_withdrawal_leaves_the_period_submitted() {
    let mut env = Env::national();
    let (a, r, p) = submitted_changan(&mut env);
    let id = withdraw_request(&env, &r);
    let ids = id.to_string();
    run(&env, &p, &["withdraw", "reject", &ids]).code(2);
    run(&env, &p, &["withdraw", "reject", &ids, "--reason", " "]).code(2);
    run(&env, &r, &["withdraw", "reject", &ids, "--reason", "自己驳回"]).code(3);
    assert_eq!(request_row(&env, id).0, "pending");
    run(&env, &p, &["withdraw", "reject", &ids, "--reason", "数据无误，不同意撤报"])
        .ok()
        .stderr_has("rejected request #");
    let (st, _, decided, why) = request_row(&env, id);
    assert_eq!(st, "rejected");
    assert_eq!(decided.as_deref(), Some("130100-R01"));
    assert_eq!(why.as_deref(), Some("数据无误，不同意撤报"));
    let ev = events(&env, "request.reject", &ids);
    assert_eq!((ev.len(), ev[0].2["_reason"].as_str()), (1, Some("数据无误，不同意撤报")));
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!((s.state.as_str(), s.return_due), ("submitted", None));
    assert_eq!(snapshots(&env, COUNTY), 1);
    refused(&env, &a, &["report", "set", "--org", S1, "--period", P, "classrooms=31"], "submitted");
    // Decided: no more decisions; the inbox is empty; a new request may be filed.
    run(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-08T18:00+08:00"]).code(5);
    assert_eq!(state(&env, COUNTY).as_deref(), Some("submitted"));
    let l = run(&env, &p, &["withdraw", "list", "--format", "json"]).ok().json();
    assert!(!l.as_array().unwrap().iter().any(|o| o["id"] == id), "{l}");
    let all = run(&env, &p, &["withdraw", "list", "--all", "--format", "json"]).ok().json();
    let row = all.as_array().unwrap().iter().find(|o| o["id"] == id).expect("listed with --all");
    assert_eq!(row["status"], "rejected");
    assert_ne!(withdraw_request(&env, &r), id);
}

#[test]
fn art18_a_county_cannot_withdraw_once_its_prefecture_has_submitted() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let v = prov_reviewer(&env);
    let (_a, r, p) = submitted_changan(&mut env);
    run(&env, &p, &["submit", "--allow-incomplete", "--period", P]).ok();
    let e = refused(&env, &r, &["withdraw", "request", "--period", P, "--reason", "学校数据漏报"], "parent_submitted");
    assert!(e["error"].as_str().unwrap().contains("130100 has submitted"), "{e}");
    let hint = e["hint"].as_str().unwrap();
    assert!(hint.contains("130100 must first withdraw its own submission"), "{hint}");
    assert!(hint.contains("eip withdraw request --period 2026-11"), "{hint}");
    assert_eq!(env.count("SELECT count(*) FROM request WHERE kind = 'withdraw'"), 0);
    // The prefecture can no longer return it either.
    refused(
        &env,
        &p,
        &["report", "return", COUNTY, "--period", P, "--due", "2026-12-09T18:00+08:00", "--reason", "x"],
        "parent_submitted",
    );
    // The prefecture withdraws its own first (to the province), then the county may.
    let out = run(&env, &p, &["withdraw", "request", "--period", P, "--reason", "县区数据有误", "--format", "json"]);
    out.ok().stderr_has("filed with 130000");
    let pid = out.json()["id"].as_i64().unwrap().to_string();
    run(&env, &v, &["withdraw", "approve", &pid, "--due", "2026-12-14T18:00+08:00"]).ok();
    assert_eq!(state(&env, PREF).as_deref(), Some("returned"));
    let id = withdraw_request(&env, &r);
    assert_eq!(request_row(&env, id).1.as_deref(), Some(PREF));
    // The prefecture, itself returned until the 14th, may grant the county up to that due.
    let ids = id.to_string();
    refused(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-14T18:00:01+08:00"], "due_out_of_range");
    run(&env, &p, &["withdraw", "approve", &ids, "--due", "2026-12-12T18:00+08:00"]).ok();
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!((s.state.as_str(), s.return_due.as_deref()), ("returned", Some("2026-12-12T10:00:00Z")));
}

// ---------------------------------------------------------------- ratify (Art. 7)

#[test]
fn art7_the_county_inspector_ratifies_a_submitted_period() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let r = county_reviewer(&env);
    let i = county_inspector(&env);
    let p = pref_reviewer(&env);
    env.now = "2026-12-03T10:00:00+08:00".into();
    // Open: nothing to ratify.
    let e = refused(&env, &i, &["report", "ratify", "--period", P], "not_submitted");
    assert!(e["error"].as_str().unwrap().contains("has not been submitted by 130102"), "{e}");
    run(&env, &r, &["submit", "--allow-incomplete", "--period", P]).ok();
    // Only the inspector ratifies.
    run(&env, &r, &["report", "ratify", "--period", P]).code(3).stderr_has("inspector");
    assert_eq!(sub(&env, COUNTY).unwrap().ratified_at, None);
    env.now = "2026-12-04T09:15:00+08:00".into();
    run(&env, &i, &["report", "ratify", "--period", P]).ok().stderr_has("130102's 2026-11 ratified");
    let s = sub(&env, COUNTY).unwrap();
    assert_eq!(s.ratified_at.as_deref(), Some("2026-12-04T01:15:00Z"));
    assert_eq!(s.ratified_by.as_deref(), Some(i.user.as_str()));
    assert_eq!(s.state, "submitted", "ratifying is no gate and changes no state");
    let ev = events(&env, "report.ratify", COUNTY);
    assert_eq!((ev.len(), ev[0].0.as_str()), (1, i.user.as_str()));
    // Again: refused, naming who ratified and when; nothing recorded.
    let audit = env.audit_count();
    let e = refused(&env, &i, &["report", "ratify", "--period", P], "ratified");
    assert!(e["error"].as_str().unwrap().contains("already ratified by 130102-I01 at 2026-12-04 09:15"), "{e}");
    assert_eq!(env.audit_count(), audit);
    // The prefecture's status shows it.
    let rows = status(&env, &p, PREF);
    assert_eq!(rows[COUNTY]["ratified"], true);
    assert_eq!(rows[OTHER]["ratified"], false);
    // A return reopens the period: the ratification no longer stands.
    env.now = "2026-12-07T09:00:00+08:00".into();
    return_until_the_8th(&env, &p, COUNTY).ok();
    assert_eq!(sub(&env, COUNTY).unwrap().ratified_at, None);
    refused(&env, &i, &["report", "ratify", "--period", P], "not_submitted");
    assert_eq!(status(&env, &p, PREF)[COUNTY]["ratified"], false);
}

// ---------------------------------------------------------------- the sweep (§4.4)

#[test]
fn art17_submit_sweep_submits_every_due_unit_counties_first_and_is_idempotent() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let m = ministry(&env);
    let units = env.count("SELECT count(*) FROM org WHERE level IN ('county', 'prefecture', 'province')");
    assert_eq!(units, 3211);
    // 长安区 submitted itself in time; every other unit is submitted by the system.
    env.now = "2026-12-02T10:00:00+08:00".into();
    run(&env, &r, &["submit", "--allow-incomplete", "--period", P]).ok();
    // Not signed in: refused.
    env.now = "2026-12-16T00:00:00+08:00".into();
    env.run(None, &["submit", "--sweep"]).code(3);
    assert_eq!(env.count("SELECT count(*) FROM submission"), 1);
    // Any signed-in account may sweep; here the county's admin.
    let out = run(&env, &a, &["submit", "--sweep"]);
    out.ok().stderr_has(&format!("{} automatic submissions", units - 1));
    let rows = out.tsv();
    assert_eq!(rows.len() as i64, units, "a header and one row per unit:\n{}", out.stdout);
    assert_eq!(rows[0], vec!["unit", "period"]);
    assert!(rows[1..].iter().all(|r| r[1] == P), "every row is 2026-11");
    assert!(!rows.iter().any(|r| r[0] == COUNTY), "130102 had submitted itself");
    assert_eq!(env.count("SELECT count(*) FROM submission WHERE state = 'auto_submitted'"), units - 1);
    assert_eq!(env.events("submit.auto"), units - 1);
    assert_eq!(env.count("SELECT count(*) FROM snapshot"), units);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'submit.auto' AND actor <> 'system'"), 0);
    // Each as of its own deadline.
    for (level, deadline) in
        [("county", COUNTY_DEADLINE_UTC), ("prefecture", PREF_DEADLINE_UTC), ("province", PROV_DEADLINE_UTC)]
    {
        let wrong = env.count(&format!(
            "SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id
             WHERE o.level = '{level}' AND s.state = 'auto_submitted' AND s.submitted_at <> '{deadline}'"
        ));
        assert_eq!(wrong, 0, "{level} auto-submissions dated {deadline}");
    }
    // Counties first, then prefectures, then provinces.
    let seq = |level: &str, agg: &str| {
        env.count(&format!(
            "SELECT {agg}(a.seq) FROM audit a JOIN org o ON o.code = a.target WHERE a.action = 'submit.auto' AND o.level = '{level}'"
        ))
    };
    assert!(seq("county", "max") < seq("prefecture", "min"));
    assert!(seq("prefecture", "max") < seq("province", "min"));
    // The prefecture's snapshot was taken after its counties'.
    assert_eq!(sub(&env, PREF).unwrap().state, "auto_submitted");
    assert_eq!(sub(&env, PROV).unwrap().submitted_at.as_deref(), Some(PROV_DEADLINE_UTC));
    assert_eq!(sub(&env, COUNTY).unwrap().state, "submitted");
    // Twice: nothing more.
    let audit = env.audit_count();
    let again = run(&env, &a, &["submit", "--sweep"]);
    again.ok().stderr_has("0 automatic submissions");
    assert_eq!(again.tsv().len(), 1, "only the header:\n{}", again.stdout);
    run(&env, &r, &["report", "status", "--period", P]).ok();
    assert_eq!(env.audit_count(), audit);
    assert_eq!(env.count("SELECT count(*) FROM snapshot"), units);
    let verify = run(&env, &m, &["audit", "verify"]);
    verify.ok().stdout_has("intact");
}

/// The sweep every command runs first remembers how far every unit has submitted (the
/// `auto_submit_checked_through` setting, with the number of admin units then), so that it need
/// not read every past month again. A unit that appears afterwards with an earlier creation time
/// (a restored backup, a row written by hand) changes the count: the next command reads every
/// month again and submits it. A hint edited by hand can make commands skip old months, but never
/// `submit --sweep`, which always reads every month.
#[test]
fn art17_the_sweeps_shortcut_never_hides_a_due_unit_from_submit_sweep() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let units = env.count("SELECT count(*) FROM org WHERE level IN ('county', 'prefecture', 'province')");
    env.now = "2026-12-16T00:00:00+08:00".into();
    run(&env, &a, &["report", "status", "--period", P]).ok();
    assert_eq!(env.count("SELECT count(*) FROM submission WHERE period = '2026-11'"), units);
    let hint = || -> String {
        env.conn()
            .query_row("SELECT value FROM setting WHERE key = 'auto_submit_checked_through'", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(hint(), format!("2026-11/{units}"));
    let add_county = |code: &str| {
        env.conn()
            .execute(
                "INSERT INTO org(code, name, level, parent_id, path, created_at)
                 SELECT ?1, '补录县', 'county', id, path || ?1 || '/', '2026-10-01T00:00:00Z' FROM org WHERE code = ?2",
                [code, PREF],
            )
            .unwrap();
    };
    let submitted = |code: &str| {
        env.count(&format!(
            "SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id
             WHERE o.code = '{code}' AND s.state = 'auto_submitted' AND s.period IN ('2026-10', '2026-11')"
        ))
    };
    // A county that existed since October, written in afterwards: the count no longer matches.
    add_county("130199");
    run(&env, &a, &["report", "status", "--period", P]).ok();
    assert_eq!(submitted("130199"), 2, "October and November, each at its deadline");
    assert_eq!(hint(), format!("2026-11/{}", units + 1));
    // A hint edited to hide a unit: commands trust it; `submit --sweep` does not.
    add_county("130198");
    env.conn()
        .execute(
            "UPDATE setting SET value = ?1 WHERE key = 'auto_submit_checked_through'",
            [format!("2026-11/{}", units + 2)],
        )
        .unwrap();
    run(&env, &a, &["report", "status", "--period", P]).ok();
    assert_eq!(submitted("130198"), 0);
    run(&env, &a, &["submit", "--sweep"]).ok().stderr_has("2 automatic submissions");
    assert_eq!(submitted("130198"), 2);
}

#[test]
fn art17_a_sweep_before_any_deadline_does_nothing() {
    let mut env = Env::national();
    let a = county_admin(&env);
    env.now = "2026-12-05T23:59:59+08:00".into();
    let audit = env.audit_count();
    run(&env, &a, &["submit", "--sweep"]).ok().stderr_has("0 automatic submissions");
    assert_eq!(env.count("SELECT count(*) FROM submission"), 0);
    assert_eq!(env.audit_count(), audit);
    // --sweep takes no period: it sweeps everything due.
    run(&env, &a, &["submit", "--sweep", "--period", P]).code(2);
}

// ---------------------------------------------------------------- snapshots (§3 transfer, §4.4)

#[test]
fn spec44_a_snapshot_holds_the_county_s_schools_as_submitted() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    import_schools(&env, &a);
    fill_and_confirm(&env, &a, S1, &["classrooms=30", "internet_access=1"]);
    fill_and_confirm(&env, &a, S3, &["classrooms=20"]);
    // Before submitting: the live figures.
    let live = county_export(&env, &p);
    assert_eq!(live[COUNTY]["schools_expected"], "14");
    assert_eq!(live[COUNTY]["classrooms"], "50");
    env.now = "2026-12-03T10:00:00+08:00".into();
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    let fig = snapshot_figures(&env, COUNTY);
    assert_eq!(fig["schools_expected"], 14, "{fig}");
    assert_eq!(fig["schools_confirmed"], 2, "{fig}");
    assert_eq!(fig["teaching_points_expected"], 2, "{fig}");
    assert_eq!(fig["sums"]["classrooms"], 50.0, "{fig}");
    let ev = events(&env, "submit", COUNTY);
    assert_eq!(ev[0].2["after"]["schools_expected"], 14);
    let rows = county_export(&env, &p);
    assert_eq!(rows[COUNTY]["schools_expected"], "14");
    assert_eq!(rows[COUNTY]["schools_confirmed"], "2");
    assert_eq!(rows[COUNTY]["classrooms"], "50");
    assert_eq!(rows[COUNTY]["internet_access_rate"], format!("{}", (1.0f64 / 14.0 * 10_000.0).round() / 10_000.0));
    let st = status(&env, &p, PREF);
    assert_eq!(st[COUNTY]["schools_expected"], 14);
    assert_eq!(st[COUNTY]["schools_confirmed"], 2);
}

#[test]
fn spec44_a_school_transferred_after_the_county_submitted_leaves_its_figures_untouched_and_counts_once() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    let pa = pref_admin(&env);
    let va = prov_admin(&env);
    let m = ministry(&env);
    import_schools(&env, &a);
    fill_and_confirm(&env, &a, S1, &["classrooms=30"]);
    env.now = "2026-12-03T10:00:00+08:00".into();
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    let before = county_export(&env, &p);
    // 长安区第一小学 moves to 桥西区: the county files, each level up approves.
    let out = run(&env, &a, &["school", "transfer", S1, "--to", OTHER, "--reason", "区划调整", "--format", "json"]);
    out.ok();
    let id = out.json()["id"].as_i64().unwrap().to_string();
    run(&env, &pa, &["request", "approve", &id]).ok();
    run(&env, &va, &["request", "approve", &id]).ok();
    run(&env, &m, &["request", "approve", &id]).ok().stderr_has("2113010001 is now supervised by 130104");
    let parent: String = env
        .conn()
        .query_row("SELECT p.code FROM org o JOIN org p ON p.id = o.parent_id WHERE o.code = ?1", [S1], |r| r.get(0))
        .unwrap();
    assert_eq!(parent, OTHER);
    // 长安区's November is what it submitted.
    let after = county_export(&env, &p);
    assert_eq!(after[COUNTY], before[COUNTY]);
    assert_eq!(after[COUNTY]["schools_expected"], "14");
    assert_eq!(after[COUNTY]["classrooms"], "30");
    assert_eq!(snapshot_figures(&env, COUNTY)["schools_expected"], 14);
    // 桥西区 has not submitted November, but the school's November is 长安区's (its submission
    // holds it): 桥西区 does not count it, live or in its own snapshot (one owner per school per
    // month, docs/DECISIONS.md).
    assert_eq!(after[OTHER]["schools_expected"], "0");
    env.now = "2026-12-06T10:00:00+08:00".into();
    let frozen = county_export(&env, &p);
    assert_eq!(frozen[COUNTY], before[COUNTY]);
    assert_eq!(state(&env, OTHER).as_deref(), Some("auto_submitted"));
    assert_eq!(snapshot_figures(&env, OTHER)["schools_expected"], 0);
}

// ---------------------------------------------------------------- progress (§4.5)

#[test]
fn spec45_status_shows_each_county_s_state_and_what_the_prefecture_reviewer_may_do_next() {
    // The units' own figures are left open here: their submissions say so (--allow-incomplete).
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let q = other_reviewer(&env);
    let p = pref_reviewer(&env);
    let pa = pref_admin(&env);
    import_schools(&env, &a);
    fill_and_confirm(&env, &a, S1, &["classrooms=30"]);
    let counties = env.count(
        "SELECT count(*) FROM org WHERE level = 'county' AND parent_id = (SELECT id FROM org WHERE code = '130100')",
    );
    // The 3rd: every county open; 长安区 has 1 of 14 schools confirmed.
    env.now = "2026-12-03T10:00:00+08:00".into();
    let rows = status(&env, &p, PREF);
    assert_eq!(rows.len() as i64, counties);
    let c = &rows[COUNTY];
    assert_eq!(c["state"], "open");
    assert_eq!(c["level"], "county");
    assert_eq!(c["submitted_at"], Value::Null);
    assert_eq!(c["submitted_by"], Value::Null);
    assert_eq!(c["schools_confirmed"], 1);
    assert_eq!(c["schools_expected"], 14);
    assert_eq!(c["next"], "");
    assert_eq!(c["lock_reason"], Value::Null);
    // The prefecture's admin may urge an open county.
    assert_eq!(status(&env, &pa, PREF)[COUNTY]["next"], "urge");
    run(&env, &r, &["submit", "--period", P, "--allow-incomplete"]).ok();
    // The 7th: the others auto-submitted; 桥西区 asks to withdraw; 新华区 is returned.
    env.now = "2026-12-07T10:00:00+08:00".into();
    let out = run(&env, &q, &["withdraw", "request", "--period", P, "--reason", "学校数据漏报", "--format", "json"]);
    let id = out.ok().json()["id"].as_i64().unwrap();
    return_until_the_8th(&env, &p, THIRD).ok();
    let rows = status(&env, &p, PREF);
    assert_eq!(rows.len() as i64, counties);
    let c = &rows[COUNTY];
    assert_eq!(c["state"], "submitted");
    assert_eq!(c["submitted_at"], "2026-12-03T10:00:00+08:00");
    assert_eq!(c["submitted_by"], "130102-R01");
    assert_eq!(c["auto"], false);
    assert_eq!(c["ratified"], false);
    assert_eq!(c["due"], Value::Null);
    assert_eq!(c["next"], "return");
    assert_eq!(c["lock_reason"], "submitted");
    assert_eq!(c["schools_confirmed"], 1, "from the snapshot");
    assert_eq!(c["schools_expected"], 14, "from the snapshot");
    let o = &rows[OTHER];
    assert_eq!(o["state"], "auto_submitted");
    assert_eq!(o["submitted_at"], "2026-12-06T00:00:00+08:00");
    assert_eq!(o["submitted_by"], "system");
    assert_eq!(o["auto"], true);
    assert_eq!(o["next"], format!("return approve_withdrawal:{id}"));
    assert_eq!(o["lock_reason"], "submitted");
    assert_eq!(o["schools_expected"], 0);
    let t = &rows[THIRD];
    assert_eq!(t["state"], "returned");
    assert_eq!(t["due"], "2026-12-08T18:00:00+08:00");
    assert_eq!(t["next"], "");
    assert_eq!(t["lock_reason"], Value::Null);
    // Every other county was submitted by the system.
    assert!(
        rows.iter()
            .filter(|(k, _)| ![COUNTY, OTHER, THIRD].contains(&k.as_str()))
            .all(|(_, o)| o["state"] == "auto_submitted" && o["next"] == "return" && o["submitted_by"] == "system"),
        "{rows:?}"
    );
    // The table in words, for a person.
    let text = run(&env, &p, &["report", "status", "--under", PREF, "--period", P, "--format", "table"]);
    text.ok().stdout_has(&format!("approve withdrawal #{id}"));
    // The 催报 list: units not submitted (新华区 returned, the prefecture itself), with contacts.
    let miss = run(&env, &p, &["report", "missing", "--under", PREF, "--period", P, "--format", "csv"]);
    let m = csv_maps(&miss.ok().stdout);
    let units: Vec<&str> = m.iter().filter(|r| r["level"] != "school").map(|r| r["code"].as_str()).collect();
    assert_eq!(units, vec![PREF, THIRD], "{}", miss.stdout);
    let pref_row = m.iter().find(|r| r["code"] == PREF).unwrap();
    assert_eq!(pref_row["contact"], "市管");
    assert_eq!(pref_row["state"], "open");
    assert_eq!(m.iter().find(|r| r["code"] == THIRD).unwrap()["state"], "returned");
    // Once the prefecture has submitted, the counties are locked by it.
    run(&env, &p, &["withdraw", "reject", &id.to_string(), "--reason", "不同意"]).ok();
    env.now = "2026-12-08T18:00:00+08:00".into();
    run(&env, &p, &["submit", "--allow-incomplete", "--period", P]).ok();
    let rows = status(&env, &p, PREF);
    assert_eq!(rows[COUNTY]["lock_reason"], "parent_submitted");
    assert_eq!(rows[COUNTY]["next"], "");
    assert_eq!(rows[THIRD]["state"], "auto_submitted");
    assert_eq!(rows[THIRD]["submitted_at"], "2026-12-08T18:00:00+08:00");
    let miss = run(&env, &p, &["report", "missing", "--under", PREF, "--period", P, "--format", "csv"]);
    assert!(csv_maps(&miss.ok().stdout).iter().all(|r| r["level"] == "school"), "{}", miss.stdout);
}

#[test]
fn art19_a_due_out_of_range_refusal_names_the_returned_county() {
    let mut env = Env::national();
    let p = pref_reviewer(&env);
    env.now = "2026-12-07T09:00:00+08:00".into();
    let e = refused(
        &env,
        &p,
        &["report", "return", COUNTY, "--period", P, "--due", "2026-12-11T00:00:01+08:00", "--reason", "x"],
        "due_out_of_range",
    );
    let msg = e["error"].as_str().unwrap();
    assert!(msg.contains("130102's 2026-11"), "{msg}");
    assert!(!msg.contains("130100's 2026-11"), "{msg}");
    assert!(msg.contains("2026-12-10 24:00 CST"), "{msg}");
}

#[test]
fn art17_concurrent_sweeps_submit_each_county_exactly_once() {
    let mut env = Env::national();
    let a = county_admin(&env);
    let r = county_reviewer(&env);
    let p = pref_reviewer(&env);
    let counties = env.count("SELECT count(*) FROM org WHERE level = 'county'");
    env.now = "2026-12-06T00:00:00+08:00".into();
    // Four cron jobs and two people at the same moment: each due submission happens once.
    let mut children = Vec::new();
    for (w, args) in [
        (&a, vec!["submit", "--sweep"]),
        (&r, vec!["submit", "--sweep"]),
        (&p, vec!["submit", "--sweep"]),
        (&a, vec!["submit", "--sweep"]),
        (&r, vec!["report", "status", "--period", P]),
        (&p, vec!["report", "export", "--period", P, "--level", "county", "--under", PREF]),
    ] {
        let mut c = command(&env, w, &args);
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        children.push(c.spawn().expect("eip runs"));
    }
    let mut swept = 0;
    for ch in children {
        let out = ch.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{err}");
        if let Some(n) = err.lines().find_map(|l| l.strip_suffix(" automatic submissions")) {
            swept += n.trim().parse::<i64>().unwrap();
        }
    }
    assert!(swept <= counties, "{swept} reported for {counties} counties");
    assert_eq!(env.events("submit.auto"), counties);
    assert_eq!(env.count("SELECT count(*) FROM submission WHERE state = 'auto_submitted'"), counties);
    assert_eq!(env.count("SELECT count(*) FROM snapshot"), counties);
    assert_eq!(env.count("SELECT count(*) FROM (SELECT target FROM audit WHERE action = 'submit.auto' GROUP BY target HAVING count(*) > 1) AS twice"), 0);
}
