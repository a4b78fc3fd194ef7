//! Trust (Art. 22): `eip doctor`, the audit export, concurrency, crash safety and bad input.

mod common;
use common::*;

use std::process::Stdio;

#[test]
fn art22_doctor_reports_a_healthy_database_and_finds_what_was_broken() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    env.run(Some(&county), &["school", "import", &example("changan-schools.csv")]).ok();
    let r = env.admin(&["doctor", "--format", "csv"]);
    r.ok().stderr_has("all 8 checks passed");
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows[0], "check,result,detail");
    for name in [
        "integrity",
        "foreign_keys",
        "audit_chain",
        "one_reviewer_inspector",
        "one_account_per_mobile",
        "tree_paths",
        "no_write_after_lock",
        "snapshots",
    ] {
        assert!(rows.iter().any(|l| l.starts_with(&format!("{name},ok,"))), "{name}: {}", r.stdout);
    }
    // Support may run it; a county admin may not (exit 3, audited).
    let support = env.person("000000", "support", "周杰", "13700000009");
    env.run(Some(&support), &["doctor"]).ok();
    env.run(Some(&county), &["doctor"]).code(3).stderr_has("a Ministry admin or the Ministry's support may");
    // A path edited behind the tool's back.
    let c = env.conn();
    c.execute("UPDATE org SET path = '/000000/130000/2113010001/' WHERE code = '2113010001'", []).unwrap();
    env.admin(&["doctor", "--format", "csv"])
        .code(1)
        .stdout_has("tree_paths,failed,1 orgs")
        .stderr_has("doctor found problems: the tree (tree_paths)");
    c.execute("UPDATE org SET path = '/000000/130000/130100/130102/2113010001/' WHERE code = '2113010001'", [])
        .unwrap();
    // Two active reviewers (the unique index dropped first).
    c.execute_batch("DROP INDEX account_one_per_unit").unwrap();
    let a = env.person("130104", "reviewer", "甲", "13700000011");
    c.execute(
        &format!("UPDATE account SET org_id = (SELECT id FROM org WHERE code = '130102') WHERE username = '{a}'"),
        [],
    )
    .unwrap();
    let _ = env.person("130104", "reviewer", "乙", "13700000012");
    c.execute(
        "UPDATE account SET org_id = (SELECT id FROM org WHERE code = '130102') WHERE username = '130104-R02'",
        [],
    )
    .unwrap();
    env.admin(&["doctor", "--format", "csv"]).code(1).stdout_has("one_reviewer_inspector,failed");
    // The audit chain: exit 8.
    c.tamper_audit("audit_no_update", "UPDATE audit SET reason = 'x' WHERE seq = 3", []).unwrap();
    env.admin(&["doctor", "--format", "csv"]).code(8).stdout_has("audit_chain,failed,broken at event 3");
}

#[test]
fn art22_audit_export_streams_the_scope_as_jsonl_csv_or_json() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    env.run(Some(&county), &["school", "import", &example("changan-schools.csv")]).ok();
    let all = env.audit_count();
    let out = env.path("audit.jsonl");
    env.admin(&["audit", "export", "-o", out.to_str().unwrap()]).ok();
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    assert_eq!(lines.len() as i64, all);
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[0]["prev_hash"], "0".repeat(64));
    assert_eq!(lines[1]["prev_hash"], lines[0]["hash"], "the chain is in the file");
    assert!(lines.iter().all(|l| l["detail"].is_object()), "detail as JSON, not a string");
    // The county's export holds its subtree's events only.
    let mine = env.run(Some(&county), &["audit", "export", "--action", "school"]).ok().stdout.clone();
    let mine: Vec<serde_json::Value> = mine.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(mine.len(), 14);
    assert!(mine.iter().all(|l| l["scope_path"].as_str().unwrap().starts_with("/000000/130000/130100/130102/")));
    // CSV and a JSON array.
    let csv = env.admin(&["audit", "export", "--as", "csv", "--since", "2026-11-01"]).ok().stdout.clone();
    assert!(csv.starts_with("seq,at,actor,actor_unit,action,target,scope_path,period,detail,reason,prev_hash,hash\n"));
    let arr: serde_json::Value =
        serde_json::from_str(&env.admin(&["audit", "export", "--as", "json", "--action", "login"]).ok().stdout)
            .unwrap();
    assert!(arr.as_array().unwrap().iter().all(|e| e["action"] == "login"));
    // Nothing secret in it: no activation code, password or token.
    assert!(!text.contains(PASSWORD) && !text.contains("eipt_") && !text.contains("eips_"));
}

/// concurrent county scripts queue instead of failing. Sixteen processes at once — schools
/// confirming, values being set, a county submitting, sweeps — against one database.
#[test]
fn spec9_sixteen_processes_at_once_lose_nothing_and_keep_the_chain() {
    let mut env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let reviewer = env.person("130102", "reviewer", "孙强", "13700000002");
    env.run(Some(&county), &["school", "import", &example("changan-schools.csv")]).ok();
    let token = |u: &str| -> String { env.token_record(u, "t", "30")["token"].as_str().unwrap().to_string() };
    let (ct, rt, mt) = (token(&county), token(&reviewer), token(ADMIN));
    let schools: Vec<String> = env
        .conn()
        .prepare("SELECT code FROM org WHERE level = 'school' ORDER BY code")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // December 3rd: November is open for the county; its window is open.
    env.now = "2026-12-03T10:00:00+08:00".into();
    let before = env.audit_count();
    let spawn = |tok: &str, args: &[&str]| {
        let mut c = env.command(Some("x"), args);
        c.env("EIP_TOKEN", tok).stdout(Stdio::piped()).stderr(Stdio::piped());
        c.spawn().unwrap()
    };
    let started = std::time::Instant::now();
    let mut children = Vec::new();
    for s in schools.iter().take(13) {
        children.push((
            "set",
            spawn(&ct, &["report", "set", "--org", s, "--period", "2026-11", "classrooms=30", "internet_access=1"]),
        ));
    }
    children.push(("sweep", spawn(&ct, &["submit", "--sweep"])));
    children.push(("sweep", spawn(&rt, &["submit", "--sweep"])));
    children.push(("county", spawn(&ct, &["report", "set", "--period", "2026-11", "funding=9"])));
    let mut worst = std::time::Duration::ZERO;
    for (what, c) in children {
        let out = c.wait_with_output().unwrap();
        worst = worst.max(started.elapsed());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {stderr}");
        assert!(!stderr.contains("locked") && !stderr.contains("busy"), "{what}: {stderr}");
    }
    eprintln!("16 processes, spawned at once, all finished within {worst:?}");
    // Nothing lost: 13 schools × 2 values, the county's value, each audited once.
    assert_eq!(env.count("SELECT count(*) FROM value WHERE period = '2026-11' AND carried = 0"), 27);
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'report.set'"), 27);
    assert!(env.audit_count() >= before + 27);
    // Then the county submits while schools still write: every write either lands before the
    // submission or is refused after it — and the chain stays intact.
    let mut children = Vec::new();
    children.push(("submit", spawn(&rt, &["submit", "--period", "2026-11", "--allow-incomplete"])));
    for s in schools.iter().skip(13).take(1) {
        children.push(("late", spawn(&ct, &["report", "set", "--org", s, "--period", "2026-11", "classrooms=31"])));
    }
    for (what, c) in children {
        let out = c.wait_with_output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        assert!(code == 0 || (what == "late" && code == 5), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut c = env.command(Some("x"), &["doctor"]);
    c.env("EIP_TOKEN", &mt);
    Env::run_cmd(c, None).ok().stderr_has("all 8 checks passed");
}

/// A killed import leaves nothing half-done: all of the file or none of it. The import is timed
/// once on a copy of the database; then it is killed at points spread over that time, most of
/// them late, while it writes.
#[test]
fn spec5_a_killed_import_writes_all_or_nothing() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let mut csv = String::from("code,name,kind,unit\n");
    for i in 1..=60_000 {
        csv.push_str(&format!("2113{i:06},学校{i},school,130102\n"));
    }
    let file = env.write_file("big.csv", csv.as_bytes());
    // Keep a copy of the database to return to after each run.
    let saved = env.save_db();
    let restore = || env.restore_db(&saved);
    let start = std::time::Instant::now();
    env.run(Some(&county), &["school", "import", &file]).ok();
    let full = start.elapsed();
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), 60_000);
    let mut outcomes = Vec::new();
    for fraction in [0.3, 0.6, 0.8, 0.9, 0.97] {
        restore();
        let mut c = env.command(Some(&county), &["school", "import", &file]);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(full.mul_f64(fraction));
        let _ = child.kill();
        let _ = child.wait();
        let n = env.count("SELECT count(*) FROM org WHERE level = 'school'");
        let events = env.count("SELECT count(*) FROM audit WHERE action = 'school.add'");
        assert!(n == 0 || n == 60_000, "killed at {fraction} of {full:?}: {n} schools");
        assert_eq!(events, n, "one event per school written, none without");
        env.admin(&["doctor"]).ok();
        outcomes.push(n);
    }
    eprintln!("import {full:?}; after kills at 30–97%: {outcomes:?}");
}

#[test]
fn spec5_bad_files_are_refused_with_a_reason_never_a_panic() {
    let env = Env::national();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "has no header row"),
        ("header-only.csv", b"code,name,level,parent\n".to_vec(), "has no data rows"),
        ("truncated.csv", b"code,name,level,parent\n130199,\"unfinished".to_vec(), ""),
        (
            "dup-headers.csv",
            b"code,code,name,level,parent\n130199,130199,x,county,130100\n".to_vec(),
            "names the column code twice",
        ),
        ("binary.csv", vec![0xff, 0xfe, 0x00, 0xd8, 0x00, 0x00, 0x01, 0x02], ""),
    ];
    for (name, bytes, says) in cases {
        let f = env.write_file(name, &bytes);
        let r = env.admin(&["unit", "import", &f]);
        assert!(r.code != 0 && r.code != 101, "{name}: exit {}", r.code);
        assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("error"), "{name}: {}", r.stderr);
        if !says.is_empty() {
            assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
        }
    }
    // A UTF-16 file (Excel's "Unicode text", tab-separated) imports.
    let mut u16 = vec![0xFF, 0xFE];
    for u in "code\tname\tlevel\tparent\r\n130199\t测试区\tcounty\t130100\r\n".encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    let f = env.write_file("utf16.txt", &u16);
    env.admin(&["unit", "import", &f]).ok().stderr_has("1 added");
    // A 100 MB single field: refused as a bad row, not a crash.
    let mut big = b"code,name,level,parent\n130198,".to_vec();
    big.extend(std::iter::repeat_n(b'x', 100 * 1024 * 1024));
    big.extend_from_slice(b",county,130100\n");
    let f = env.write_file("huge.csv", &big);
    env.admin(&["unit", "import", &f])
        .code(6)
        .stderr_has("line 2: the name is 104,857,600 characters long; at most 100 are allowed");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130198'"), 0);
}

#[test]
fn security_sql_looking_names_are_stored_literally_and_v_logs_hold_no_secret() {
    let env = Env::national();
    let name = "'); DROP TABLE org; --";
    env.admin(&["unit", "add", "130198", name, "--parent", "130100"]).ok();
    let stored: i64 = env.conn().query_row("SELECT count(*) FROM org WHERE name = ?1", [name], |r| r.get(0)).unwrap();
    assert_eq!(stored, 1);
    env.admin(&["unit", "show", "130198", "--format", "json"]).ok().stdout_has("DROP TABLE org");
    // -v says who acts, never the session token or a password.
    let r = env.admin(&["-v", "whoami"]);
    r.ok().stderr_has("acting as 000000-A01");
    let session = env.session_files(ADMIN).remove(0);
    let token = std::fs::read_to_string(session).unwrap().lines().next().unwrap().to_string();
    assert!(token.starts_with("eips_"));
    assert!(!r.stderr.contains(&token) && !r.stdout.contains(&token) && !r.stderr.contains(PASSWORD));
    // The database holds the token's hash, not the token.
    assert!(env.db_holds("000000-A01"), "control: the search finds what is there");
    assert!(!env.db_holds(&token));
}
