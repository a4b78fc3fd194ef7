//! Benchmark: `eip unit import` of the 3,212 national units, as a whole process on a fresh
//! database, against the floor of inserting the same rows into a bare table with SQLite in one
//! transaction (no validation, no audit). Run: `cargo bench --bench units`.

use std::time::Instant;

mod common;
use common::*;

/// A database on the real clock (no test clock), the Ministry admin signed in.
fn production() -> Env {
    let mut env = Env::empty();
    env.now.clear();
    let init = ["init", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"];
    env.run_stdin(None, &init, &format!("{PASSWORD}\n")).ok();
    env.login(ADMIN, PASSWORD);
    env
}

fn main() {
    #[allow(non_snake_case)]
    let RUNS: usize = size(15, 1);
    let csv = data("divisions.csv");
    let csv_s = csv.as_str();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut import = Vec::new();
    let mut reimport = Vec::new();
    let mut floor = Vec::new();
    for _ in 0..RUNS {
        let env = production();
        import.push(timed(&env, Some(ADMIN), &["unit", "import", csv_s]).0);
        reimport.push(timed(&env, Some(ADMIN), &["unit", "import", csv_s]).0);

        // The floor: the same rows into a bare table, one transaction, one prepared statement.
        let fdir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let mut conn = rusqlite::Connection::open(fdir.path().join("floor.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        conn.execute_batch("CREATE TABLE t(code TEXT, name TEXT, level TEXT, parent TEXT)").unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut stmt = tx.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)").unwrap();
            let mut r = csv::Reader::from_reader(text.as_bytes());
            for rec in r.records() {
                let rec = rec.unwrap();
                stmt.execute(rusqlite::params![&rec[0], &rec[1], &rec[2], &rec[3]]).unwrap();
            }
        }
        tx.commit().unwrap();
        floor.push(start.elapsed());
    }
    let units: i64 = {
        let env = production();
        env.admin(&["unit", "import", csv_s]).ok();
        env.count("SELECT count(*) FROM org WHERE level <> 'school'")
    };
    assert_eq!(units, 3212, "every national unit imported");
    let (i, r, f) = (median(import), median(reimport), median(floor));
    println!("national units import, {RUNS} runs, medians");
    println!("| what | median |");
    println!("|---|---|");
    println!("| eip unit import (3,212 rows into a fresh database, whole process) | {:.1} ms |", i.as_secs_f64() * 1e3);
    println!("| eip unit import again (3,212 unchanged) | {:.1} ms |", r.as_secs_f64() * 1e3);
    println!("| floor: same rows into a bare table, in-process | {:.1} ms |", f.as_secs_f64() * 1e3);
    println!("| ratio import / floor | {:.1}× |", i.as_secs_f64() / f.as_secs_f64());
}
