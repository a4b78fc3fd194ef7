//! The audit trail (Art. 22: 合规、可追溯): the hash chain and its verification, the
//! append-only schema, `audit log` filters and scope, and which changes are recorded.

mod common;
use common::*;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

/// `audit log … --format json` as `user`, parsed.
fn log_as(env: &Env, user: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["audit", "log", "--format", "json"];
    args.extend_from_slice(extra);
    let r = env.run(Some(user), &args);
    r.ok();
    r.json().as_array().expect("a JSON array").clone()
}

fn log(env: &Env, extra: &[&str]) -> Vec<Value> {
    log_as(env, ADMIN, extra)
}

fn field<'a>(events: &'a [Value], key: &str) -> Vec<&'a str> {
    events.iter().map(|e| e[key].as_str().unwrap_or("")).collect()
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().expect("seq")).collect()
}

/// The newest event as (actor, actor_unit, action, target, detail).
fn last_event(env: &Env) -> (String, Option<String>, String, Option<String>, String) {
    env.conn()
        .query_row("SELECT actor, actor_unit, action, target, detail FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
}

// ---------------------------------------------------------------- verify

#[test]
fn art22_verify_reports_an_intact_chain_with_the_event_count() {
    let env = Env::new();
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    let n = env.audit_count();
    assert!(n > 20, "init, the first sign-in and the unit add are recorded: {n}");
    let r = env.admin(&["audit", "verify"]);
    r.ok().stderr_has(&format!("intact: {n} events"));
    let rows = r.tsv();
    // The head: the newest event's hash (the same at both ends of a copy, tests/postgres.rs).
    let head: String =
        env.conn().query_row("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(
        rows,
        vec![vec!["intact".to_string(), "events".into(), "head".into()], vec!["true".into(), n.to_string(), head]]
    );
    // Verifying records nothing and changes nothing.
    assert_eq!(env.audit_count(), n);
    env.admin(&["audit", "verify"]).ok().stderr_has(&format!("intact: {n} events"));
}

#[test]
fn art22_verify_finds_an_edited_event() {
    let env = Env::new();
    let conn = env.conn();
    let changed = conn
        .tamper_audit(
            "audit_no_update",
            "UPDATE audit SET detail = '{\"after\":{\"code\":\"forged\"}}' WHERE seq = 5",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    env.admin(&["audit", "verify"])
        .code(8)
        .stderr_has("event 5")
        .stderr_has("do not match its hash")
        .stderr_lacks("intact");
}

#[test]
fn art22_verify_finds_a_deleted_event() {
    let env = Env::new();
    let conn = env.conn();
    assert_eq!(conn.tamper_audit("audit_no_delete", "DELETE FROM audit WHERE seq = 3", []).unwrap(), 1);
    drop(conn);
    env.admin(&["audit", "verify"]).code(8).stderr_has("event 4").stderr_has("missing");
}

#[test]
fn art22_verify_finds_a_changed_prev_hash() {
    let env = Env::new();
    let conn = env.conn();
    conn.tamper_audit("audit_no_update", "UPDATE audit SET prev_hash = ?1 WHERE seq = 6", params!["ab".repeat(32)])
        .unwrap();
    drop(conn);
    env.admin(&["audit", "verify"]).code(8).stderr_has("event 6").stderr_has("does not follow");
}

#[test]
fn art22_verify_finds_a_rehashed_event_that_breaks_the_link_to_the_next() {
    // Editing an event and recomputing its own hash still breaks the next event's prev_hash.
    let env = Env::new();
    let conn = env.conn();
    conn.tamper_audit("audit_no_update", "UPDATE audit SET hash = ?1 WHERE seq = 7", params!["cd".repeat(32)]).unwrap();
    drop(conn);
    // Event 7's contents no longer give its (new) hash: 7 is the first broken one.
    env.admin(&["audit", "verify"]).code(8).stderr_has("event 7");
}

#[test]
fn art22_the_schema_refuses_update_and_delete_on_audit() {
    let env = Env::new();
    let n = env.audit_count();
    let conn = env.conn();
    let e = conn.execute("UPDATE audit SET detail = '{}' WHERE seq = 5", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = conn.execute("DELETE FROM audit WHERE seq = 3", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = conn.execute("DELETE FROM audit", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    drop(conn);
    assert_eq!(env.audit_count(), n);
    env.admin(&["audit", "verify"]).ok().stderr_has(&format!("intact: {n} events"));
}

#[test]
fn art22_the_schema_refuses_replacing_an_audit_event() {
    let env = Env::new();
    let conn = env.conn();
    let before: String = conn.query_row("SELECT detail FROM audit WHERE seq = 5", [], |r| r.get(0)).unwrap();
    // SQLite's INSERT OR REPLACE; PostgreSQL's is an upsert.
    let replace = if on_pg() {
        "INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash)
         VALUES (5, '2026-11-20T02:00:00Z', 'system', 'indicator.add', '{\"forged\":true}', 'x', 'y')
         ON CONFLICT (seq) DO UPDATE SET detail = excluded.detail, prev_hash = excluded.prev_hash, hash = excluded.hash"
    } else {
        "INSERT OR REPLACE INTO audit(seq, at, actor, action, detail, prev_hash, hash)
         VALUES (5, '2026-11-20T02:00:00Z', 'system', 'indicator.add', '{\"forged\":true}', 'x', 'y')"
    };
    let res = conn.execute(replace, []);
    let after: String = conn.query_row("SELECT detail FROM audit WHERE seq = 5", [], |r| r.get(0)).unwrap();
    assert!(res.is_err(), "INSERT OR REPLACE was accepted; event 5 is now {after}");
    assert!(res.unwrap_err().to_string().contains("append-only"));
    assert_eq!(after, before);
}

// ---------------------------------------------------------------- audit log filters

#[test]
fn art22_audit_log_filters_by_action_actor_target_and_limit() {
    let env = Env::new();
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    env.admin(&["unit", "rename", "130000", "河北省教育厅"]).ok();
    let total = env.audit_count();

    // --action unit: unit.add and unit.rename (and the Ministry's unit.add at init), nothing else.
    let ev = log(&env, &["--action", "unit", "--limit", "0"]);
    assert_eq!(field(&ev, "action"), vec!["unit.add", "unit.add", "unit.rename"]);
    assert_eq!(field(&ev, "target"), vec!["000000", "130000", "130000"]);
    // A prefix that is not a whole action segment matches nothing.
    assert!(log(&env, &["--action", "uni", "--limit", "0"]).is_empty());
    // An exact action.
    let ev = log(&env, &["--action", "unit.rename", "--limit", "0"]);
    assert_eq!(field(&ev, "action"), vec!["unit.rename"]);

    // --actor
    let ev = log(&env, &["--actor", ADMIN, "--limit", "0"]);
    assert!(field(&ev, "actor").iter().all(|a| *a == ADMIN));
    assert_eq!(ev.len() as i64, env.count("SELECT count(*) FROM audit WHERE actor = '000000-A01'"));
    assert!(field(&ev, "action").contains(&"unit.rename"));
    let ev = log(&env, &["--actor", "system", "--limit", "0"]);
    assert_eq!(ev.len() as i64, env.count("SELECT count(*) FROM audit WHERE actor = 'system'"));
    assert!(field(&ev, "action").contains(&"indicator.add"));
    assert!(!field(&ev, "action").contains(&"unit.rename"));

    // --target
    let ev = log(&env, &["--target", "130000", "--limit", "0"]);
    assert_eq!(field(&ev, "action"), vec!["unit.add", "unit.rename"]);

    // --limit: the newest N, printed oldest first.
    let ev = log(&env, &["--limit", "3"]);
    assert_eq!(seqs(&ev), vec![total - 2, total - 1, total]);
    assert_eq!(ev[2]["action"], "unit.rename");
    // All of them with --limit 0, in order.
    let ev = log(&env, &["--limit", "0"]);
    assert_eq!(seqs(&ev), (1..=total).collect::<Vec<_>>());
    // The default limit is 100; there are fewer here, so all are shown.
    assert_eq!(log(&env, &[]).len() as i64, total);
}

#[test]
fn art22_audit_log_json_has_the_documented_keys() {
    let env = Env::new();
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    env.admin(&["unit", "rename", "130000", "河北省教育厅"]).ok();
    let ev = log(&env, &["--action", "unit.rename"]);
    assert_eq!(ev.len(), 1);
    let e = ev[0].as_object().expect("an object");
    let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
    keys.sort();
    let mut want = vec!["seq", "at", "actor", "actor_unit", "action", "target", "period", "detail", "reason"];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(e["seq"].as_i64(), Some(env.audit_count()));
    assert_eq!(e["at"], NOW);
    assert_eq!(e["actor"], ADMIN);
    assert_eq!(e["actor_unit"], "000000");
    assert_eq!(e["target"], "130000");
    assert!(e["period"].is_null());
    assert!(e["reason"].is_null());
    let detail: Value = serde_json::from_str(e["detail"].as_str().expect("detail is JSON text")).unwrap();
    assert_eq!(detail["before"]["name"], "河北省");
    assert_eq!(detail["after"]["name"], "河北省教育厅");
}

#[test]
fn art22_audit_log_since_and_until_take_dates_in_cst() {
    let mut env = Env::new();
    // 23:30 CST on the 24th is 15:30 UTC on the 24th; 00:30 CST on the 25th is 16:30 UTC on the 24th.
    env.now = "2026-11-24T23:30:00+08:00".into();
    env.login(ADMIN, PASSWORD);
    env.admin(&["unit", "add", "120000", "天津市", "--parent", "000000"]).ok();
    env.now = "2026-11-25T00:30:00+08:00".into();
    env.admin(&["unit", "add", "110000", "北京市", "--parent", "000000"]).ok();

    let ev = log(&env, &["--since", "2026-11-25", "--limit", "0"]);
    assert_eq!(field(&ev, "target"), vec!["110000"], "{ev:?}");
    assert_eq!(ev[0]["at"], "2026-11-25T00:30:00+08:00");

    let ev = log(&env, &["--since", "2026-11-24", "--until", "2026-11-25", "--limit", "0"]);
    assert_eq!(field(&ev, "action"), vec!["login", "unit.add"]);
    assert_eq!(field(&ev, "target"), vec![ADMIN, "120000"]);

    let ev = log(&env, &["--until", "2026-11-25", "--limit", "0"]);
    assert!(!field(&ev, "target").contains(&"110000"));
    assert!(field(&ev, "target").contains(&"120000"));
    assert_eq!(ev.len() as i64, env.audit_count() - 1);

    // A time, too.
    let ev = log(&env, &["--since", "2026-11-25T00:30:00+08:00", "--limit", "0"]);
    assert_eq!(field(&ev, "target"), vec!["110000"]);
    // Not a date: a usage error.
    env.admin(&["audit", "log", "--since", "yesterday"]).code(2);
}

// ---------------------------------------------------------------- scope

#[test]
fn spec1_audit_log_is_scoped_to_the_accounts_subtree() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    assert_eq!(county, "130102-A01");
    // 130103 (桥东区, merged in 2014) is not in the current list; add it back as a sibling.
    env.admin(&["unit", "add", "130103", "桥东区", "--parent", "130100"]).ok();
    env.admin(&["unit", "rename", "130102", "长安区教育局"]).ok();
    env.admin(&["unit", "rename", "130103", "桥东区教育局"]).ok();

    let r = env.run(Some(&county), &["audit", "log", "--format", "json", "--limit", "0"]);
    r.ok();
    let ev = r.json().as_array().unwrap().clone();
    let renames: Vec<&Value> = ev.iter().filter(|e| e["action"] == "unit.rename").collect();
    assert_eq!(renames.len(), 1, "{ev:?}");
    assert_eq!(renames[0]["target"], "130102");
    assert!(
        !r.stdout.contains("130103") && !r.stdout.contains("桥东区"),
        "another county's events leak:\n{}",
        r.stdout
    );
    // Nor the national events above the county.
    assert!(!field(&ev, "action").contains(&"indicator.add"));
    assert!(!field(&ev, "target").contains(&"130100"));
    // But its own account's story is there.
    assert!(field(&ev, "action").contains(&"account.add"));
    assert!(field(&ev, "action").contains(&"login"));

    // The Ministry sees both renames.
    let all = log(&env, &["--action", "unit.rename"]);
    assert_eq!(field(&all, "target"), vec!["130102", "130103"]);
    // --under for the Ministry narrows to that subtree.
    let under = log(&env, &["--under", "130103", "--action", "unit", "--limit", "0"]);
    assert_eq!(field(&under, "action"), vec!["unit.add", "unit.rename"]);
    assert!(field(&under, "target").iter().all(|t| *t == "130103"));

    // Outside the scope: exactly like a code that does not exist.
    let outside = env.run(Some(&county), &["audit", "log", "--under", "130103"]);
    outside.code(4).stderr_has("no unit 130103 in your scope");
    let missing = env.run(Some(&county), &["audit", "log", "--under", "999999"]);
    missing.code(4).stderr_has("no unit 999999 in your scope");
    assert_eq!(outside.stderr.replace("130103", "CODE"), missing.stderr.replace("999999", "CODE"));
    assert_eq!(outside.stdout, missing.stdout);
    // Its own code is fine.
    assert_eq!(log_as(&env, &county, &["--under", "130102", "--action", "unit.rename"]).len(), 1);
}

#[test]
fn spec2_a_county_admin_may_not_verify_and_the_refusal_is_audited() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let before = env.audit_count();
    env.run(Some(&county), &["audit", "verify"])
        .code(3)
        .stderr_has("a Ministry admin or the Ministry's support")
        .stderr_lacks("intact");
    assert_eq!(env.audit_count(), before + 1, "the refusal is one event");
    let (actor, unit, action, _target, detail) = last_event(&env);
    assert_eq!(actor, county);
    assert_eq!(unit.as_deref(), Some("130102"));
    assert_eq!(action, "denied");
    let d: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(d["attempted"], "audit.verify");
    // And the county sees its own refusal.
    let ev = log_as(&env, &county, &["--action", "denied"]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["actor"], county.as_str());
    // The chain is still whole, refusal included.
    env.admin(&["audit", "verify"]).ok().stderr_has(&format!("intact: {} events", before + 1));
}

// ---------------------------------------------------------------- what is recorded

#[test]
fn art22_a_no_op_records_nothing_and_a_rename_records_one_event() {
    let env = Env::new();
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    let n = env.audit_count();
    env.admin(&["unit", "rename", "130000", "河北省"]).ok().stderr_has("nothing changed");
    assert_eq!(env.audit_count(), n, "the same name again records nothing");

    env.admin(&["unit", "rename", "130000", "河北省教育厅"]).ok();
    assert_eq!(env.audit_count(), n + 1, "one rename, one event");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130000' AND name = '河北省教育厅'"), 1);
    let (actor, unit, action, target, detail) = last_event(&env);
    assert_eq!(actor, ADMIN);
    assert_eq!(unit.as_deref(), Some("000000"));
    assert_eq!(action, "unit.rename");
    assert_eq!(target.as_deref(), Some("130000"));
    let d: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(d["before"]["name"], "河北省");
    assert_eq!(d["after"]["name"], "河北省教育厅");

    // Renaming to the new name again is again a no-op.
    env.admin(&["unit", "rename", "130000", "河北省教育厅"]).ok();
    assert_eq!(env.audit_count(), n + 1);
    env.admin(&["audit", "verify"]).ok().stderr_has(&format!("intact: {} events", n + 1));
}

// ---------------------------------------------------------------- a reader that stops early

/// `eip audit log --limit 0 --format FMT | head -1`: the reader goes away before eip is done.
fn log_into_closed_pipe(env: &Env, format: &str) -> Run {
    use std::process::Stdio;
    let mut c = env.command(Some(ADMIN), &["audit", "log", "--limit", "0", "--format", format]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take()); // the reader is gone
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn spec8_audit_log_into_a_closed_pipe_exits_quietly_tsv_and_table() {
    let env = Env::national(); // thousands of events: far more than a pipe buffer
    for format in ["tsv", "table"] {
        let r = log_into_closed_pipe(&env, format);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "--format {format}");
    }
}

#[test]
fn spec8_audit_log_into_a_closed_pipe_exits_quietly_json_and_csv() {
    let env = Env::national();
    for format in ["json", "csv"] {
        let r = log_into_closed_pipe(&env, format);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "--format {format}");
    }
}
