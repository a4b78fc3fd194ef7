//! The harness on either backend (tests/common: `EIP_TEST_PG` switches the tests to
//! PostgreSQL): every Env has a database of its own, gone when the Env is, and the tests' look
//! into it (`Env::conn`, `Env::count`) reads the same on both.

mod common;
use common::*;

/// Whether database `name` exists on the test server.
fn pg_database_exists(name: &str) -> bool {
    let mut c = pg_admin();
    let n: i64 = c.query_one("SELECT count(*) FROM pg_database WHERE datname = $1", &[&name]).unwrap().get(0);
    n == 1
}

#[test]
fn harness_each_env_has_its_own_database_gone_after_drop() {
    let a = Env::new();
    let b = Env::new();
    assert_ne!(a.db, b.db);
    // What one writes the other does not see.
    a.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    assert_eq!(a.count("SELECT count(*) FROM org WHERE code = '130000'"), 1);
    assert_eq!(b.count("SELECT count(*) FROM org WHERE code = '130000'"), 0);
    match (a.pg_name().map(str::to_string), b.pg_name().map(str::to_string)) {
        (Some(an), Some(bn)) => {
            assert!(on_pg());
            assert_ne!(an, bn);
            assert_eq!(a.db.to_string_lossy(), pg_url(&pg_base().unwrap(), &an));
            assert!(pg_database_exists(&an) && pg_database_exists(&bn));
            drop(a);
            assert!(!pg_database_exists(&an), "{an} is dropped with its Env");
            assert!(pg_database_exists(&bn), "{bn} is not");
            let mut c = pg_admin();
            drop(b);
            assert!(!pg_database_exists(&bn));
            let roles: i64 = c
                .query_one(
                    "SELECT count(*) FROM pg_roles WHERE rolname IN ($1, $2, $3, $4)",
                    &[
                        &format!("{an}_writer"),
                        &format!("{an}_reader"),
                        &format!("{bn}_writer"),
                        &format!("{bn}_reader"),
                    ],
                )
                .unwrap()
                .get(0);
            assert_eq!(roles, 0, "the roles eip made for them are dropped too");
        }
        (None, None) => {
            assert!(!on_pg());
            assert!(a.db.starts_with(a.dir.path()) && a.db.exists(), "a SQLite file in the Env's own directory");
            let path = a.dir.path().to_path_buf();
            drop(a);
            assert!(!path.exists(), "removed with its Env");
        }
        other => panic!("one backend for every Env: {other:?}"),
    }
}

#[test]
fn harness_an_empty_env_gets_a_fresh_database_and_init_fills_it() {
    let env = Env::empty();
    assert!(env.nothing_written(), "nothing in it before init");
    env.initialise();
    assert!(!env.nothing_written());
    assert_eq!(env.count("SELECT count(*) FROM org"), 1, "the Ministry");
    env.admin(&["whoami"]).ok().stdout_has(ADMIN);
}

#[test]
fn harness_count_and_conn_read_the_same_on_both_backends() {
    let env = Env::new();
    assert_eq!(env.count("SELECT count(*) FROM org"), 1);
    let c = env.conn();
    assert_eq!(c.is_pg(), on_pg());
    // Integers of every width, sums, comparisons, text, NULL, as the tests ask for them.
    let (n, len, sum, yes, name, none): (i64, i64, i64, bool, String, Option<String>) = c
        .query_row(
            "SELECT count(*), length(min(code)), sum(id), count(*) = 1, min(name), min(deleted_at) FROM org WHERE code = ?1",
            ["000000"],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!((n, len, yes, none), (1, 6, true, None));
    assert!(sum > 0);
    assert_eq!(name, "教育部");
    let x: f64 = c.query_row("SELECT sum(CAST(id AS DOUBLE PRECISION)) / 2 FROM org", [], |r| r.get(0)).unwrap();
    assert_eq!(x, sum as f64 / 2.0);
    // Placeholders numbered, bare, and inside quotes (left alone).
    let s: String =
        c.query_row("SELECT CAST(?2 AS TEXT) || '?1' || CAST(?1 AS TEXT)", ["a", "b"], |r| r.get(0)).unwrap();
    assert_eq!(s, "b?1a");
    let id: i64 =
        c.query_row("SELECT id FROM org WHERE code = ? AND level = ?", ["000000", "ministry"], |r| r.get(0)).unwrap();
    assert_eq!(id, sum);
    // An integer bound to an integer column, a missing row.
    let code: Option<String> =
        c.query_row("SELECT code FROM org WHERE id = ?1", [id], |r| r.get(0)).optional().unwrap();
    assert_eq!(code.as_deref(), Some("000000"));
    let none: Option<String> =
        c.query_row("SELECT code FROM org WHERE id = ?1", [-1], |r| r.get(0)).optional().unwrap();
    assert_eq!(none, None);
    // A change, and how many rows it changed.
    let changed = c.execute("UPDATE org SET name = ?1 WHERE code = ?2", params!["教育部 ", "000000"]).unwrap();
    assert_eq!(changed, 1);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE name = '教育部 '"), 1);
}
