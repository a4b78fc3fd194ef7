//! The national dataset generator (`examples/gen_national.rs`): deterministic, and what it builds
//! through eip's rules passes `eip doctor` — a smoke run at a small size (the benchmarks use it large).

mod common;
use common::*;

fn digest(db: &std::path::Path) -> (i64, i64, i64, String) {
    let c = rusqlite::Connection::open(db).unwrap();
    let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let sums: String = c
        .query_row(
            "SELECT group_concat(t, ',') FROM (SELECT period || ':' || sum(CAST(value AS REAL)) AS t FROM value GROUP BY period ORDER BY period)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (
        n("SELECT count(*) FROM org WHERE level = 'school'"),
        n("SELECT count(*) FROM value"),
        n("SELECT count(*) FROM submission"),
        sums,
    )
}

#[test]
fn the_generated_national_dataset_is_reproducible_and_healthy() {
    let env = Env::empty();
    let a = env.path("a.db");
    let b = env.path("b.db");
    eip::dataset::generate(&a, 600, 2, 7, false).unwrap();
    eip::dataset::generate(&b, 600, 2, 7, false).unwrap();
    let (schools, values, submissions, sums) = digest(&a);
    assert_eq!(schools, 600);
    assert!(values > 600 * 10, "{values}");
    assert_eq!(submissions, 3211 * 2, "every unit submitted, by its reviewer or the system, each month");
    assert_eq!(digest(&b), (schools, values, submissions, sums.clone()), "same seed, same data");
    // What it built passes doctor: paths, one reviewer per unit, no write after a lock, snapshots.
    let db = eip::store::Db::open(&a, None).unwrap();
    let checks = eip::doctor::run(&db.conn).unwrap();
    let c = rusqlite::Connection::open(&a).unwrap();
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    // Teaching points are about one in seven.
    let tp: i64 = c.query_row("SELECT count(*) FROM school WHERE kind = 'teaching_point'", [], |r| r.get(0)).unwrap();
    assert!((70..=100).contains(&tp), "{tp}");
    // The figures fit their schools: a warning for about one school-month in fifty (the slips
    // the generator makes on purpose), never a wall of them.
    let flags: i64 = c.query_row("SELECT count(*) FROM flag", [], |r| r.get(0)).unwrap();
    assert!((5..=60).contains(&flags), "{flags} flags over 1,200 school-months");
    // Most units are submitted by their reviewer before the deadline, the rest by the system; at
    // every level (a bulletin has both to show).
    for level in ["county", "prefecture", "province"] {
        let share: f64 = c
            .query_row(
                "SELECT avg(s.state = 'submitted') FROM submission s JOIN org o ON o.id = s.org_id WHERE o.level = ?1",
                [level],
                |r| r.get(0),
            )
            .unwrap();
        assert!((0.65..0.95).contains(&share), "{level}: {share}");
    }
    let _ = ADMIN;
}
