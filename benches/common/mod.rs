//! What every benchmark shares: the tests' harness (tests/common: `Env`, running the real `eip`
//! as a whole process, the fixtures, the people), timing those processes, medians, the national
//! fixtures the benchmarks build on, and whether this is a benchmark run or a smoke run.
#![allow(dead_code)]

#[path = "../../tests/common/mod.rs"]
mod harness;
#[allow(unused_imports)]
pub use harness::*;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `eip` as `user` in `env` (at its clock) and time the whole process; panics unless it
/// exits 0.
pub fn timed(env: &Env, user: Option<&str>, args: &[&str]) -> (Duration, Run) {
    finished(Env::timed_cmd(env.command(user, args), None))
}

/// The same, with `stdin` as its input.
pub fn timed_stdin(env: &Env, user: Option<&str>, args: &[&str], stdin: &str) -> (Duration, Run) {
    finished(Env::timed_cmd(env.command(user, args), Some(stdin)))
}

/// The same, with an API token instead of a session.
pub fn timed_token(env: &Env, tok: &str, args: &[&str]) -> (Duration, Run) {
    finished(Env::timed_cmd(env.command_with_token(tok, args), None))
}

fn finished((took, run): (Duration, Run)) -> (Duration, Run) {
    run.ok();
    (took, run)
}

/// `cargo bench` passes `--bench`; `cargo test` (CI) runs the same program without it, as a
/// smoke run: small sizes, every command run and checked, no timing claims.
pub fn smoke() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// `full` for a benchmark run, `small` for a smoke run.
pub fn size<T>(full: T, small: T) -> T {
    if smoke() {
        small
    } else {
        full
    }
}

/// Whether the `sqlite3` shell is on this machine (a fresh machine need not have it: the floors
/// it gives are then skipped, and said to be).
pub fn has_sqlite3() -> bool {
    Command::new("sqlite3")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// The national units (imported at `now`, the test clock) and 长安区's admin 赵敏, signed in:
/// what the reporting and school benchmarks start from. Returns the county admin's username.
pub fn national_with_county_admin(now: &str) -> (Env, String) {
    let env = Env::national_at(now);
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    (env, county)
}

/// The units `which` selects (an SQL condition on `org`), as (id, code, path), in code order.
pub fn units(db: &Path, which: &str) -> Vec<(i64, String, String)> {
    rusqlite::Connection::open(db)
        .unwrap()
        .prepare(&format!("SELECT id, code, path FROM org WHERE {which} ORDER BY code"))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Schools written straight into the database (the rows eip writes, without audit events) so
/// that a national-scale fixture takes minutes, not hours: schools `first..first + n`, school
/// `i` under `counties[i % counties.len()]` (id, code, path), every seventh a teaching point,
/// each with the ten school indicators' values for every one of `periods`.
pub fn insert_schools(db: &Path, counties: &[(i64, String, String)], first: usize, n: usize, periods: &[String]) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "cache_size", -262144).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut org = tx.prepare("INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, ?2, 'school', ?3, ?4, '2020-01-01T00:00:00Z')").unwrap();
        let mut school = tx
            .prepare("INSERT INTO school(org_id, kind, students, teachers, classes) VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        let mut value = tx.prepare("INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00Z')").unwrap();
        for i in first..first + n {
            let (id, ccode, path) = &counties[i % counties.len()];
            let tp = i % 7 == 0;
            let code = format!("{}{}{:06}", if tp { "22" } else { "21" }, &ccode[..2], i);
            org.execute(rusqlite::params![code, format!("学校{i}"), id, format!("{path}{code}/")]).unwrap();
            let sid = tx.last_insert_rowid();
            school
                .execute(rusqlite::params![
                    sid,
                    if tp { "teaching_point" } else { "school" },
                    300 + i % 900,
                    20 + i % 60,
                    6 + i % 30
                ])
                .unwrap();
            for p in periods {
                let classrooms = 6 + i % 30;
                for (ind, v) in [
                    ("internet_access", (i % 10 != 0) as usize),
                    ("bandwidth_mbps", 4 + i % 200),
                    ("classrooms", classrooms),
                    ("multimedia_classrooms", classrooms - i % 5),
                    ("digital_resources_all_classes", (i % 3 != 0) as usize),
                    ("teacher_spaces", 10 + i % 50),
                    ("student_spaces", 100 + i % 700),
                    ("teacher_computers", 10 + i % 40),
                    ("student_computers", 20 + i % 300),
                    ("excellent_lesson_teachers", i % 20),
                ] {
                    value.execute(rusqlite::params![sid, p, ind, v.to_string()]).unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
}

/// One whole `eip` process with an API token, at `env`'s clock; panics unless it exits 0.
pub fn eip(env: &Env, token: &str, args: &[&str]) -> (Duration, String) {
    let (took, r) = timed_token(env, token, args);
    (took, r.stdout)
}

/// The median of `runs` runs of one command.
pub fn time(env: &Env, token: &str, args: &[&str], runs: usize) -> Duration {
    median((0..runs).map(|_| eip(env, token, args).0).collect())
}

/// An API token for `username`, written straight into the database (the fixture's shortcut: the
/// generated accounts have never signed in, and `account token create` needs a session).
pub fn token_for(conn: &rusqlite::Connection, username: &str) -> String {
    let token = format!("eipt_bench_{username}");
    conn.execute(
        "INSERT INTO api_token(account_id, name, token_hash, created_at, expires_at)
         SELECT id, 'bench', ?2, '2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z' FROM account WHERE username = ?1",
        rusqlite::params![username, eip::auth::hash_secret(&token)],
    )
    .unwrap();
    token
}

/// What a county's monthly script does: confirm each of its schools' figures on their behalf
/// (carried forward), then run `examples/county-monthly-confirm.sh` (the county's own figures,
/// the 催报 list, and the reviewer's submission once no one is behind). Returns each step's time.
pub fn county_script(env: &Env, county: &str, schools: &[String], admin: &str, reviewer: &str) -> Vec<Duration> {
    let mut steps = Vec::new();
    for s in schools {
        steps.push(eip(env, admin, &["report", "confirm", "--org", s, "-q"]).0);
    }
    let start = Instant::now();
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/county-monthly-confirm.sh"))
        .env("EIP", bin())
        .env("EIP_DB", &env.db)
        .env("EIP_CONFIG_DIR", env.config_dir(None))
        .env("EIP_NOW", &env.now)
        .env("EIP_TOKEN", admin)
        .env("EIP_REVIEWER_TOKEN", reviewer)
        .output()
        .unwrap();
    steps.push(start.elapsed());
    assert!(
        out.status.success(),
        "{county}'s script: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    steps
}
