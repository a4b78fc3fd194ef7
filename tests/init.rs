//! The database and `eip init` (§10).

mod common;
use common::*;

#[test]
fn spec10_init_creates_the_ministry_indicators_and_first_admin() {
    let env = Env::empty();
    let r = env.run_stdin(None, &[&init_args()[..], &["--format", "json"]].concat(), &format!("{PASSWORD}\n"));
    r.ok().stderr_has("Ministry 000000 and its first admin 000000-A01");
    let j = r.json();
    assert_eq!(j["username"], "000000-A01");
    assert_eq!(j["test_clock"], true);
    assert!(j["activation_code"].is_null(), "a password was set, so no code");
    assert_eq!(
        env.count("SELECT count(*) FROM org WHERE code = '000000' AND level = 'ministry' AND path = '/000000/'"),
        1
    );
    assert_eq!(env.count("SELECT count(*) FROM indicator"), 18);
    assert_eq!(env.count("SELECT count(*) FROM indicator WHERE filled_by = 'teaching_point'"), 3);
    assert_eq!(
        env.count("SELECT count(*) FROM account WHERE username = '000000-A01' AND role = 'admin' AND status = 'active' AND name = '王芳' AND password_hash LIKE '$argon2id$%'"),
        1
    );
    // ministry + 18 indicators + 10 plausibility rules + account.add + account.activate
    assert_eq!(env.audit_count(), 31);
    // The SQLite file: its schema version, WAL, mode 0600.
    if !on_pg() {
        let version: i64 = env.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, eip::db::SCHEMA_VERSION);
        let mode: String = env.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&env.db).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn spec10_an_initialised_database_is_never_overwritten() {
    let env = Env::national();
    let events = env.audit_count();
    env.run_stdin(None, &init_args(), &format!("{PASSWORD}\n"))
        .code(5)
        .stderr_has("is already an initialised eip database; init never overwrites one");
    assert_eq!(env.audit_count(), events);
    assert_eq!(env.count("SELECT count(*) FROM org"), 3212);
}

#[test]
fn spec10_without_a_password_init_prints_a_one_time_activation_code() {
    let env = Env::empty();
    let r = env.run(
        None,
        &["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--format", "json"],
    );
    r.ok().stderr_has("eip login 000000-A01 --activate CODE");
    let code = r.json()["activation_code"].as_str().unwrap().to_string();
    assert!(code.replace('-', "").len() >= 26, "at least 128 bits: {code}");
    // Only its hash is stored.
    assert_eq!(env.count(&format!("SELECT count(*) FROM account WHERE activation_hash LIKE '%{}%'", &code[..8])), 0);
    env.activate(ADMIN, &code).ok();
    env.admin(&["whoami"]).ok().stdout_has("000000-A01");
}

#[test]
fn spec10_init_checks_the_person_before_creating_anything() {
    let env = Env::empty();
    env.run_stdin(
        None,
        &["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "2380000000", "--password-stdin"],
        "x\n",
    )
    .code(6)
    .stderr_has("is not a mobile number");
    assert!(env.nothing_written());
    env.run_stdin(
        None,
        &["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
        "short\n",
    )
    .code(6)
    .stderr_has("at least 10 characters");
    assert!(env.nothing_written());
    // Not interactive and no name: a usage error, no prompt.
    env.run(None, &["init", "--test-clock"]).code(2).stderr_has("--admin-name and --admin-mobile are required");
    assert!(env.nothing_written());
}

#[test]
fn spec9_a_missing_or_uninitialised_database_is_exit_7_with_the_way_out() {
    let env = Env::empty();
    if on_pg() {
        // An empty database (no file to be missing, empty or not SQLite).
        env.run(None, &["whoami"]).code(7).stderr_has("is not an initialised eip database");
        return;
    }
    env.run(None, &["whoami"])
        .code(7)
        .stderr_has("no eip database at")
        .stderr_has("hint: create one with: eip init --db");
    std::fs::write(&env.db, b"").unwrap();
    env.run(None, &["whoami"]).code(7).stderr_has("is not an initialised eip database");
    std::fs::write(&env.db, b"this is not sqlite at all, just text that is long enough to be a header").unwrap();
    env.run(None, &["whoami"]).code(7);
}

#[test]
fn spec9_a_database_from_a_newer_eip_is_refused() {
    if sqlite_only("PRAGMA user_version") {
        return;
    }
    let env = Env::new();
    env.conn().lite().pragma_update(None, "user_version", 99).unwrap();
    env.admin(&["whoami"]).code(7).stderr_has("was written by a newer eip (schema version 99");
}

#[test]
fn spec9_journal_delete_for_network_shares() {
    if sqlite_only("the journal mode") {
        return;
    }
    let env = Env::empty();
    env.run_stdin(None, &[&init_args()[..], &["--journal", "delete"]].concat(), &format!("{PASSWORD}\n")).ok();
    let mode: String = env.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete");
    env.login(ADMIN, PASSWORD);
    env.admin(&["unit", "add", "990000", "测试省", "--parent", "000000", "--journal", "delete"]).ok();
    assert!(!env.path("eip.db-wal").exists());
}

#[test]
fn spec9_history_cannot_be_deleted_through_sql() {
    let env = Env::national();
    let c = env.conn();
    for sql in [
        "DELETE FROM org WHERE code = '130102'",
        "DELETE FROM account",
        "DELETE FROM audit",
        "UPDATE audit SET actor = 'x'",
    ] {
        let e = c.execute(sql, []).unwrap_err().to_string();
        assert!(e.contains("never deleted") || e.contains("append-only"), "{sql}: {e}");
    }
    // Read-only views for support staff.
    let n: i64 = c.query_row("SELECT count(*) FROM v_unit WHERE level = 'county'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2846);
    let who: String =
        c.query_row("SELECT name FROM v_account WHERE username = '000000-A01'", [], |r| r.get(0)).unwrap();
    assert_eq!(who, "王芳");
}

#[test]
fn spec2_a_database_others_can_write_is_warned_about() {
    if sqlite_only("the database file's mode") {
        return;
    }
    let env = Env::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o666)).unwrap();
        env.admin(&["whoami"]).ok().stderr_has("can be written by other users of this machine (mode 666)");
    }
}

/// The hot lookups use an index, never a scan of the whole tree (STYLE: subtree queries
/// use an index); a lost index fails here instead of slowing a national database.
#[test]
fn spec1_hot_queries_use_their_indexes() {
    if sqlite_only("SQLite's query plans") {
        return;
    }
    let env = Env::new();
    let c = env.conn();
    let plan = |sql: &str| -> String {
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        rows.join(" | ")
    };
    for (sql, index) in [
        ("SELECT id FROM org WHERE path >= '/000000/130000/' AND path < '/000000/1300000'", "org_path"),
        ("SELECT id FROM org WHERE code = '130102' AND deleted_at IS NULL", "org_code"),
        ("SELECT 1 FROM org WHERE id = 5", "PRIMARY KEY"),
        ("SELECT 1 FROM account WHERE username = '130102-A01'", "sqlite_autoindex_account_1"),
        ("SELECT username FROM account WHERE mobile = '13700000001' AND status = 'active'", "account_active_mobile"),
        (
            "SELECT count(*) FROM audit WHERE scope_path >= '/000000/130000/' AND scope_path < '/000000/1300000'",
            "audit_scope",
        ),
        ("SELECT account_id FROM api_token WHERE token_hash = 'x'", "sqlite_autoindex_api_token_1"),
        // The units of a level, of a subtree: never a scan of every school (the sweep, aggregates).
        ("SELECT o.id FROM org o WHERE o.level = 'county' AND o.created_at < '2026-12-01'", "org_level"),
        (
            "SELECT o.id FROM org o WHERE o.path >= '/000000/' AND o.path < '/0000000'
             AND o.level IN ('ministry', 'province', 'prefecture', 'county')",
            "org_level",
        ),
        ("SELECT min(created_at) FROM org o WHERE o.level IN ('province', 'prefecture', 'county')", "org_level"),
        // The sweep's hint: how many admin units (the level index alone), the first submitted month.
        (
            "SELECT count(*) FROM org o WHERE o.level IN ('province', 'prefecture', 'county')",
            "COVERING INDEX org_level",
        ),
        ("SELECT min(period) FROM submission", "COVERING INDEX submission_period"),
        (
            "SELECT o.code FROM submission s CROSS JOIN org o ON o.id = s.org_id
             JOIN period_return ret ON ret.id = s.return_id
             WHERE s.period = '2026-11' AND s.state = 'returned' AND ret.due <= 'x' AND o.level = 'county'",
            "submission_period",
        ),
        (
            "SELECT v.value FROM value v WHERE v.org_id = 7 AND v.period < '2026-11' ORDER BY v.period DESC",
            "PRIMARY KEY",
        ),
    ] {
        let p = plan(sql);
        assert!(p.contains(index), "{sql}\nplan: {p}");
        assert!(!p.starts_with("SCAN org") && !p.contains("SCAN account"), "{sql}\nplan: {p}");
    }
    // Period lookups. A subtree's month (status, export, missing, the sweep's snapshots): the
    // schools in path order from an index, each school's state and values of the month by key —
    // never a scan of the value table, never a sort of the subtree.
    let month = plan(
        "SELECT o.id, op.state, v.indicator, v.value FROM org o JOIN school s ON s.org_id = o.id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = '2026-11'
         LEFT JOIN value v ON v.org_id = o.id AND v.period = '2026-11'
         WHERE o.path >= '/000000/130000/' AND o.path < '/000000/1300000' AND o.level = 'school'
         ORDER BY o.path",
    );
    for part in [
        "SEARCH op USING PRIMARY KEY (org_id=? AND period=?)",
        "SEARCH v USING PRIMARY KEY (org_id=? AND period=?)",
        "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)",
    ] {
        assert!(month.contains(part), "{part}\nplan: {month}");
    }
    assert!(
        month.starts_with("SEARCH o USING") && (month.contains("org_level") || month.contains("org_path")),
        "{month}"
    );
    assert!(!month.contains("TEMP B-TREE") && !month.contains("SCAN v"), "{month}");
    // A unit's latest snapshot of a month (national status, composing a parent's snapshot).
    let snap =
        plan("SELECT figures FROM snapshot n WHERE n.org_id = 5 AND n.period = '2026-11' ORDER BY n.id DESC LIMIT 1");
    assert!(snap.contains("snapshot_org_period") && !snap.contains("TEMP B-TREE"), "{snap}");
    // A school's state in a month, and a month's open work (the missing list, the sweep).
    let state = plan("SELECT state FROM org_period WHERE org_id = 7 AND period = '2026-11'");
    assert!(state.contains("PRIMARY KEY"), "{state}");
    let due = plan("SELECT org_id FROM org_period WHERE period = '2026-11' AND state = 'returned'");
    assert!(due.contains("org_period_period"), "{due}");
    // The chain's head: the rowid b-tree read backwards, one row, no sort.
    let head = plan("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    assert!(!head.contains("TEMP B-TREE"), "{head}");
}
