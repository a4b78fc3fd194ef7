//! Every state change decides inside its own write transaction (docs/SECURITY.md
//! "Races"): N copies of the same command — and, for decisions, the opposite decision — started
//! at once, round after round. Exactly one wins; the others exit 5 naming what happened first;
//! one audit event, one snapshot; `doctor` clean at the end.

mod common;
use common::*;

// ---------------------------------------------------------------- the cast and the helpers

const PROV: &str = "130000";
const PREF: &str = "130100";
const COUNTY: &str = "130102";
const OTHER: &str = "130104";
/// Copies of one command started at once.
const N: usize = 6;

/// The Ministry admin's token, made when the tree was set up (its session expires as the rounds
/// move the clock on).
fn ministry(env: &Env) -> Who {
    let tok = std::fs::read_to_string(env.path("ministry.token")).expect("small_tree made a Ministry token");
    Who { user: ADMIN.into(), tok }
}

/// 河北省 › 石家庄市 › 长安区 and 桥西区: a small tree, so each process's sweep is cheap (built
/// once, each test its own copy).
fn small_tree() -> Env {
    Env::fixture("small_tree", |env| {
        env.initialise();
        env.admin(&["unit", "add", PROV, "河北省", "--parent", "000000"]).ok();
        env.admin(&["unit", "add", PREF, "石家庄市", "--parent", PROV]).ok();
        env.admin(&["unit", "add", COUNTY, "长安区", "--parent", PREF]).ok();
        env.admin(&["unit", "add", OTHER, "桥西区", "--parent", PREF]).ok();
        env.write_file("ministry.token", token(env, ADMIN).as_bytes());
    })
}

/// N copies of `args` as `w`, at once.
fn race_same(env: &Env, w: &Who, args: &[&str]) -> Vec<Run> {
    race((0..N).map(|_| command(env, w, args)).collect())
}

/// Exactly one exit 0; every other exits 5 saying `why`. Returns the winner's index.
#[track_caller]
fn one_winner(what: &str, runs: &[Run], why: &[&str]) -> usize {
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    let winners: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].code == 0).collect();
    assert_eq!(winners.len(), 1, "{what}: exactly one winner, exit codes {codes:?}\n{}", dump(runs));
    for (i, r) in runs.iter().enumerate() {
        if i != winners[0] {
            assert_eq!(r.code, 5, "{what}: a loser exits 5, exit codes {codes:?}\n{}", dump(runs));
            assert!(
                why.iter().any(|w| r.stderr.contains(w)),
                "{what}: the loser is told why (one of {why:?}):\n{}",
                r.stderr
            );
        }
    }
    winners[0]
}

fn dump(runs: &[Run]) -> String {
    runs.iter().map(|r| format!("[{}] {}", r.code, r.stderr.trim())).collect::<Vec<_>>().join("\n")
}

fn snapshots(env: &Env, code: &str, period: &str) -> i64 {
    env.count(&format!(
        "SELECT count(*) FROM snapshot n JOIN org o ON o.id = n.org_id WHERE o.code = '{code}' AND n.period = '{period}'"
    ))
}

fn sub_state(env: &Env, code: &str, period: &str) -> String {
    env.conn()
        .query_row(
            "SELECT s.state FROM submission s JOIN org o ON o.id = s.org_id WHERE o.code = ?1 AND s.period = ?2",
            [code, period],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| "open".into())
}

#[track_caller]
fn doctor_clean(env: &Env) {
    let m = ministry(env);
    run(env, &m, &["doctor"]).ok();
    run(env, &m, &["audit", "verify"]).ok().stderr_has("intact");
}

/// Round `k`'s period (2026-11 onwards) and a time inside its county window (the 3rd of the
/// month after, 10:00 CST).
fn round(k: u32) -> (String, String) {
    let (mut y, mut m) = (2026, 11 + k);
    while m > 12 {
        m -= 12;
        y += 1;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (format!("{y}-{m:02}"), format!("{ny}-{nm:02}-03T10:00:00+08:00"))
}

/// A day of November 2026 for round `k` of the tests that stay in one month.
fn day(k: u32) -> String {
    format!("2026-11-{:02}T10:00:00+08:00", 20 + k)
}

fn request_status(env: &Env, id: &str) -> String {
    env.conn().query_row("SELECT status FROM request WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

// ---------------------------------------------------------------- the reporting cycle

#[test]
fn six_submits_at_once_one_submission_one_snapshot_one_event() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now;
        let runs = race_same(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]);
        one_winner(&format!("submit {p}"), &runs, &[&format!("{p} was submitted by {COUNTY} (130102-R01)")]);
        assert_eq!(env.events_in("submit", COUNTY, &p), 1, "{p}: one submit event");
        assert_eq!(snapshots(&env, COUNTY, &p), 1, "{p}: one snapshot");
        assert_eq!(sub_state(&env, COUNTY, &p), "submitted");
    }
    doctor_clean(&env);
}

#[test]
fn sweeps_racing_the_reviewer_at_the_deadline_submit_each_unit_once() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    let m = ministry(&env);
    let mut by_reviewer = 0;
    for k in 0..10 {
        let (p, now) = round(k);
        // The reviewer a second before the county deadline (the 6th, 00:00 CST), the sweeps a
        // second after: whoever comes first submits, the other finds it done.
        let day = &now[..8];
        let before = format!("{day}05T23:59:59+08:00");
        let after = format!("{day}06T00:00:01+08:00");
        let mut cmds = Vec::new();
        for i in 0..N {
            env.now = if i % 2 == 0 { before.clone() } else { after.clone() };
            cmds.push(if i % 2 == 0 {
                command(&env, &r, &["submit", "--period", &p, "--allow-incomplete"])
            } else {
                command(&env, &m, &["submit", "--sweep"])
            });
        }
        let runs = race(cmds);
        let submits: Vec<&Run> = runs.iter().step_by(2).collect();
        for s in runs.iter().skip(1).step_by(2) {
            assert_eq!(s.code, 0, "a sweep never fails: {}", s.stderr);
        }
        let won = submits.iter().filter(|s| s.code == 0).count();
        assert!(won <= 1, "{p}: at most one reviewer submission wins:\n{}", dump(&runs));
        for s in submits.iter().filter(|s| s.code != 0) {
            assert_eq!(s.code, 5, "{}", s.stderr);
            assert!(s.stderr.contains(&format!("{p} was submitted by {COUNTY}")), "{}", s.stderr);
        }
        let by_hand = env.events_in("submit", COUNTY, &p);
        let auto = env.events_in("submit.auto", COUNTY, &p);
        assert_eq!((by_hand, by_hand + auto), (won as i64, 1), "{p}: one submission of {COUNTY}:\n{}", dump(&runs));
        assert_eq!(env.events_in("submit.auto", OTHER, &p), 1, "{p}: {OTHER} swept once");
        assert_eq!(snapshots(&env, COUNTY, &p), 1, "{p}");
        assert_eq!(snapshots(&env, OTHER, &p), 1, "{p}");
        env.now = after;
        by_reviewer += won;
    }
    eprintln!("reviewer against the sweep: the reviewer won {by_reviewer} of 10 rounds, the system the rest");
    doctor_clean(&env);
}

#[test]
fn six_ratifications_at_once_one_event_the_others_told_who_ratified() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    let i = who(&env, COUNTY, "inspector", "长安视", "13700000103");
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now;
        run(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]).ok();
        let runs = race_same(&env, &i, &["report", "ratify", "--period", &p]);
        one_winner(&format!("ratify {p}"), &runs, &[&format!("already ratified by {}", i.user)]);
        assert_eq!(env.events_in("report.ratify", COUNTY, &p), 1, "{p}");
    }
    doctor_clean(&env);
}

#[test]
fn six_withdrawal_requests_at_once_file_one() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now;
        run(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]).ok();
        let runs = race_same(&env, &r, &["withdraw", "request", "--period", &p, "--reason", "漏报"]);
        one_winner(&format!("withdraw request {p}"), &runs, &["already pending"]);
        assert_eq!(
            env.count(&format!("SELECT count(*) FROM request WHERE kind = 'withdraw' AND period = '{p}'")),
            1,
            "{p}"
        );
        assert_eq!(
            env.count(&format!(
                "SELECT count(*) FROM audit WHERE action = 'request.file' AND period = '{p}' AND detail LIKE '%withdraw%'"
            )),
            1,
            "{p}"
        );
    }
    doctor_clean(&env);
}

#[test]
fn withdrawal_approvals_racing_rejections_one_decision_consistent_state() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    let pr = who(&env, PREF, "reviewer", "市审", "13700000105");
    let (mut approved, mut rejected) = (0, 0);
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now.clone();
        run(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]).ok();
        let j =
            run(&env, &r, &["withdraw", "request", "--period", &p, "--reason", "漏报", "--format", "json"]).ok().json();
        let id = j["id"].as_i64().unwrap().to_string();
        let due = format!("{}08T12:00:00+08:00", &now[..8]);
        // Both spellings of each decision: `withdraw approve|reject` and `request approve|reject`.
        let cmds = vec![
            command(&env, &pr, &["withdraw", "approve", &id, "--due", &due]),
            command(&env, &pr, &["withdraw", "reject", &id, "--reason", "不予撤报"]),
            command(&env, &pr, &["request", "approve", &id, "--due", &due]),
            command(&env, &pr, &["request", "reject", &id, "--reason", "不予撤报"]),
            command(&env, &pr, &["withdraw", "approve", &id, "--due", &due]),
            command(&env, &pr, &["withdraw", "reject", &id, "--reason", "不予撤报"]),
        ];
        let runs = race(cmds);
        let w = one_winner(
            &format!("withdraw decision {p}"),
            &runs,
            &[&format!("request #{id} was already approved by"), &format!("request #{id} was already rejected by")],
        );
        let approve = w % 2 == 0;
        let decisions = env.events_on("request.approve", &id) + env.events_on("request.reject", &id);
        assert_eq!(decisions, 1, "{p}: one decision event");
        if approve {
            approved += 1;
            assert_eq!(request_status(&env, &id), "approved");
            assert_eq!(sub_state(&env, COUNTY, &p), "returned", "{p}: approved, so returned");
            assert_eq!(env.events_in("withdraw.approve", COUNTY, &p), 1);
            // Resubmit so the next round starts clean.
            run(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]).ok();
        } else {
            rejected += 1;
            assert_eq!(request_status(&env, &id), "rejected");
            assert_eq!(sub_state(&env, COUNTY, &p), "submitted", "{p}: rejected, so still submitted");
            assert_eq!(env.events_in("withdraw.approve", COUNTY, &p), 0);
        }
    }
    eprintln!("withdrawal decisions: {approved} approved, {rejected} rejected over 10 rounds");
    doctor_clean(&env);
}

#[test]
fn six_returns_of_a_county_at_once_return_it_once() {
    let mut env = small_tree();
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    let pr = who(&env, PREF, "reviewer", "市审", "13700000105");
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now.clone();
        run(&env, &r, &["submit", "--period", &p, "--allow-incomplete"]).ok();
        let due = format!("{}08T12:00:00+08:00", &now[..8]);
        let runs =
            race_same(&env, &pr, &["report", "return", COUNTY, "--period", &p, "--due", &due, "--reason", "数据有误"]);
        one_winner(&format!("return {p}"), &runs, &[&format!("{p} of {COUNTY} was already returned by 130100-R01")]);
        assert_eq!(env.events_in("report.return", COUNTY, &p), 1, "{p}");
        assert_eq!(sub_state(&env, COUNTY, &p), "returned");
    }
    doctor_clean(&env);
}

#[test]
fn six_returns_of_a_school_at_once_return_it_once() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    let r = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    run(&env, &a, &["school", "add", "2113010001", "长安一小", "--unit", COUNTY]).ok();
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now.clone();
        run(&env, &a, &["report", "set", "--org", "2113010001", "--period", &p, "classrooms=30", "internet_access=1"])
            .ok();
        run(&env, &a, &["report", "confirm", "--org", "2113010001", "--period", &p]).ok();
        let due = format!("{}04T12:00:00+08:00", &now[..8]);
        let runs = race_same(
            &env,
            &r,
            &["report", "return", "2113010001", "--period", &p, "--due", &due, "--reason", "数据有误"],
        );
        one_winner(&format!("return school {p}"), &runs, &[&format!("{p} of 2113010001 was already returned")]);
        assert_eq!(env.events_in("report.return", "2113010001", &p), 1, "{p}");
    }
    doctor_clean(&env);
}

// ---------------------------------------------------------------- requests

/// Approvers and rejecters of request `id` as `w`, half each, interleaved.
fn decide_race(env: &Env, w: &Who, id: &str, extra: &[&str]) -> Vec<Run> {
    let cmds = (0..N)
        .map(|i| {
            if i % 2 == 0 {
                let mut a = vec!["request", "approve", id];
                a.extend_from_slice(extra);
                command(env, w, &a)
            } else {
                command(env, w, &["request", "reject", id, "--reason", "不同意"])
            }
        })
        .collect();
    race(cmds)
}

fn decided_msg(id: &str) -> [String; 2] {
    [format!("request #{id} was already approved by"), format!("request #{id} was already rejected by")]
}

#[test]
fn roster_request_approvals_racing_rejections_one_decision() {
    let mut env = small_tree();
    let prov = who(&env, PROV, "admin", "省管", "13700000001");
    let m = ministry(&env);
    for k in 0..10u32 {
        env.now = day(k);
        let form = format!(
            "全国教育信息化工作进展信息系统管理人员信息表,,,,,,,,\n单位名称（盖章）：测试,,,,,,,,\n序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱\n1,甲{k},130102,区县级管理员,电教站,科员,,1392000000{k},\n"
        );
        let f = env.write_file(&format!("form{k}.csv"), form.as_bytes());
        let j = run(&env, &prov, &["account", "import", &f, "--format", "json"]).ok().json();
        let id = j["id"].as_i64().expect("a roster request").to_string();
        let runs = decide_race(&env, &m, &id, &[]);
        let msgs = decided_msg(&id);
        let w = one_winner(&format!("roster {id}"), &runs, &[&msgs[0], &msgs[1]]);
        let decisions = env.events_on("request.approve", &id) + env.events_on("request.reject", &id);
        assert_eq!(decisions, 1, "roster {id}: one decision event");
        let want = if w % 2 == 0 { ("approved", "active") } else { ("rejected", "disabled") };
        assert_eq!(request_status(&env, &id), want.0);
        let account: String = env
            .conn()
            .query_row(&format!("SELECT status FROM account WHERE mobile = '1392000000{k}'"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(account, want.1, "roster {id}: the proposed account follows the one decision");
    }
    doctor_clean(&env);
}

#[test]
fn school_delete_request_approvals_racing_rejections_one_decision() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    let m = ministry(&env);
    for k in 0..10u32 {
        let code = format!("21130100{k:02}");
        run(&env, &a, &["school", "add", &code, &format!("长安{k}小"), "--unit", COUNTY]).ok();
        run(&env, &a, &["report", "set", "--org", &code, "--period", "2026-11", "classrooms=30"]).ok();
        let j = run(&env, &a, &["school", "delete", &code, "--request", "--reason", "撤并", "--format", "json"])
            .ok()
            .json();
        let id = j["id"].as_i64().unwrap().to_string();
        let runs = decide_race(&env, &m, &id, &[]);
        let msgs = decided_msg(&id);
        let w = one_winner(&format!("school_delete {id}"), &runs, &[&msgs[0], &msgs[1]]);
        let decisions = env.events_on("request.approve", &id) + env.events_on("request.reject", &id);
        assert_eq!(decisions, 1);
        assert_eq!(env.events_on("school.delete", &code), i64::from(w % 2 == 0), "{code}");
        env.now = day(k + 1);
    }
    doctor_clean(&env);
}

#[test]
fn school_transfer_steps_racing_decide_each_level_once() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    let pa = who(&env, PREF, "admin", "市管", "13700000106");
    let va = who(&env, PROV, "admin", "省管", "13700000107");
    let m = ministry(&env);
    let (mut steps, mut moved) = (0, 0);
    for k in 0..10u32 {
        let code = format!("21130200{k:02}");
        run(&env, &a, &["school", "add", &code, &format!("长安转{k}"), "--unit", COUNTY]).ok();
        let j = run(&env, &a, &["school", "transfer", &code, "--to", OTHER, "--reason", "划转", "--format", "json"])
            .ok()
            .json();
        let id = j["id"].as_i64().unwrap().to_string();
        // Even rounds: approvals only at the prefecture and the province, then approve against
        // reject at the Ministry; odd rounds: approve against reject at every level.
        for (level, w) in [(PREF, &pa), (PROV, &va), ("000000", &m)] {
            let mixed = k % 2 == 1 || level == "000000";
            let runs =
                if mixed { decide_race(&env, w, &id, &[]) } else { race_same(&env, w, &["request", "approve", &id]) };
            let msgs = decided_msg(&id);
            let moved_on = format!("request #{id} is no longer awaiting {level}");
            let win = one_winner(&format!("transfer {id} at {level}"), &runs, &[&msgs[0], &msgs[1], &moved_on]);
            steps += 1;
            let steps_at = env.count(&format!(
                "SELECT count(*) FROM request_step st JOIN org o ON o.id = st.org_id WHERE st.request_id = {id} AND o.code = '{level}'"
            ));
            assert_eq!(steps_at, 1, "transfer {id}: one step recorded at {level}");
            if mixed && win % 2 == 1 {
                assert_eq!(request_status(&env, &id), "rejected");
                break;
            }
        }
        let transfers = env.events_on("school.transfer", &code);
        assert!(transfers <= 1, "{code} moved at most once");
        moved += transfers;
        let decisions = env.events_on("request.approve", &id) + env.events_on("request.reject", &id);
        assert_eq!(decisions, 1, "transfer {id}: one final decision");
        env.now = day(k + 1);
    }
    eprintln!("school transfers: {steps} step races, {moved} of 10 schools moved");
    doctor_clean(&env);
}

// ---------------------------------------------------------------- schools and texts

#[test]
fn school_status_changes_racing_happen_once() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    run(&env, &a, &["school", "add", "2113019999", "长安中心校", "--unit", COUNTY]).ok();
    for k in 0..10u32 {
        let code = format!("21130300{k:02}");
        run(&env, &a, &["school", "add", &code, &format!("长安状{k}"), "--unit", COUNTY]).ok();
        let runs = race_same(&env, &a, &["school", "suspend", &code, "--reason", "停招"]);
        one_winner(&format!("suspend {code}"), &runs, &[&format!("{code} is suspended")]);
        assert_eq!(env.events_on("school.suspend", &code), 1);
        let runs = race_same(&env, &a, &["school", "resume", &code, "--reason", "复招"]);
        one_winner(&format!("resume {code}"), &runs, &[&format!("{code} is normal")]);
        assert_eq!(env.events_on("school.resume", &code), 1);
        let cmds = (0..N)
            .map(|i| {
                if i % 2 == 0 {
                    command(&env, &a, &["school", "merge", &code, "--into", "2113019999", "--reason", "合并"])
                } else {
                    command(&env, &a, &["school", "revoke", &code, "--reason", "撤销"])
                }
            })
            .collect();
        let runs = race(cmds);
        one_winner(
            &format!("merge/revoke {code}"),
            &runs,
            &[&format!("{code} is merged"), &format!("{code} is revoked")],
        );
        assert_eq!(env.events_on("school.merge", &code) + env.events_on("school.revoke", &code), 1);
        // An empty school deleted outright, six times at once.
        let gone = format!("21130400{k:02}");
        run(&env, &a, &["school", "add", &gone, &format!("长安删{k}"), "--unit", COUNTY]).ok();
        let runs = race_same(&env, &a, &["school", "delete", &gone, "--yes"]);
        one_winner(&format!("delete {gone}"), &runs, &[&format!("{gone} was already deleted")]);
        assert_eq!(env.events_on("school.delete", &gone), 1);
        env.now = day(k + 1);
    }
    doctor_clean(&env);
}

#[test]
fn the_same_school_edit_six_times_at_once_is_one_change() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    run(&env, &a, &["school", "add", "2113010001", "长安一小", "--unit", COUNTY]).ok();
    for k in 0..10u32 {
        let students = (100 + k).to_string();
        let runs = race_same(&env, &a, &["school", "edit", "2113010001", "--students", &students]);
        // An edit to the value it already has changes nothing: not a refusal, no event.
        for r in &runs {
            r.ok();
        }
        let edited = runs.iter().filter(|r| r.stderr.contains("updated")).count();
        assert_eq!(edited, 1, "one edit wins:\n{}", dump(&runs));
        assert_eq!(
            env.count(&format!(
                "SELECT count(*) FROM audit WHERE action = 'school.edit' AND target = '2113010001' AND detail LIKE '%\"students\":{students}%'"
            )),
            1,
            "one school.edit event to {students}"
        );
        env.now = day(k + 1);
    }
    doctor_clean(&env);
}

#[test]
fn the_same_monthly_text_six_times_at_once_is_filed_once() {
    let mut env = small_tree();
    let v = who(&env, PROV, "admin", "省管", "13700000107");
    for k in 0..10 {
        let (p, now) = round(k);
        env.now = now;
        let f = env.write_file(&format!("text{k}.txt"), format!("河北省 {p} 月报：进展顺利。\n").as_bytes());
        let runs = race_same(&env, &v, &["report", "text", "--period", &p, "--file", &f]);
        one_winner(&format!("text {p}"), &runs, &[&format!("this text for {p} was already filed by {}", v.user)]);
        assert_eq!(env.events_in("report.text", PROV, &p), 1, "{p}");
        assert_eq!(
            env.count(&format!(
                "SELECT count(*) FROM report_text r JOIN org o ON o.id = r.org_id WHERE o.code = '{PROV}' AND r.period = '{p}'"
            )),
            1
        );
    }
    doctor_clean(&env);
}

// ---------------------------------------------------------------- imports

#[test]
fn the_same_school_import_six_times_at_once_adds_each_school_once() {
    let mut env = small_tree();
    let a = who(&env, COUNTY, "admin", "长安管", "13700000101");
    for k in 0..10u32 {
        let mut csv = String::from("code,name,kind,unit\n");
        for i in 0..5 {
            csv.push_str(&format!("2113{:02}{:04},导入{k}-{i},school,{COUNTY}\n", 50 + k, i));
        }
        let f = env.write_file(&format!("schools{k}.csv"), csv.as_bytes());
        let runs = race_same(&env, &a, &["school", "import", &f]);
        // The first adds them; one that checked the file before that and writes after it is
        // refused (the schools changed meanwhile); one that checks after it finds nothing to add.
        for r in &runs {
            assert!(
                r.code == 0 || (r.code == 5 && r.stderr.contains("changed while")),
                "import {k}: exit 0, or 5 saying why:\n{}",
                dump(&runs)
            );
        }
        let added = runs.iter().filter(|r| r.code == 0 && r.stderr.contains("5 added")).count();
        assert_eq!(added, 1, "import {k}: one import adds the five schools:\n{}", dump(&runs));
        let events = env.count(&format!(
            "SELECT count(*) FROM audit WHERE action = 'school.add' AND target LIKE '2113{:02}%'",
            50 + k
        ));
        assert_eq!(events, 5, "import {k}: one event per school");
        env.now = day(k + 1);
    }
    doctor_clean(&env);
}

#[test]
fn the_same_unit_import_six_times_at_once_adds_each_unit_once() {
    let mut env = small_tree();
    let m = ministry(&env);
    for k in 0..10u32 {
        let csv = format!("code,name,level,parent\n1301{:02},新区{k},county,{PREF}\n", 50 + k);
        let f = env.write_file(&format!("units{k}.csv"), csv.as_bytes());
        let runs = race_same(&env, &m, &["unit", "import", &f]);
        for r in &runs {
            assert!(
                r.code == 0 || (r.code == 5 && r.stderr.contains("changed while")),
                "import {k}: exit 0, or 5 saying why:\n{}",
                dump(&runs)
            );
        }
        let code = format!("1301{:02}", 50 + k);
        assert_eq!(env.events_on("unit.add", &code), 1, "{code}: one event:\n{}", dump(&runs));
        env.now = day(k + 1);
    }
    doctor_clean(&env);
}
