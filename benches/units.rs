//! Benchmark: `eip unit import` of the 3,212 national units, as a whole process on a fresh
//! database, against the floor of inserting the same rows into a bare table with SQLite in one
//! transaction (no validation, no audit). Run: `cargo bench --bench units`.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::median;

fn eip(dir: &Path, args: &[&str], stdin: Option<&str>) -> Duration {
    common::eip(dir, "config", None, args, stdin).0
}

fn main() {
    #[allow(non_snake_case)]
    let RUNS: usize = common::size(15, 1);
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/divisions.csv");
    let csv_s = csv.to_str().unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut import = Vec::new();
    let mut reimport = Vec::new();
    let mut floor = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        eip(
            dir.path(),
            &["init", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
            Some("correct horse battery\n"),
        );
        eip(dir.path(), &["login", "000000-A01", "--password-stdin"], Some("correct horse battery\n"));
        import.push(eip(dir.path(), &["unit", "import", csv_s], None));
        reimport.push(eip(dir.path(), &["unit", "import", csv_s], None));

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
        let dir = tempfile::tempdir().unwrap();
        eip(
            dir.path(),
            &["init", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
            Some("correct horse battery\n"),
        );
        eip(dir.path(), &["login", "000000-A01", "--password-stdin"], Some("correct horse battery\n"));
        eip(dir.path(), &["unit", "import", csv_s], None);
        rusqlite::Connection::open(dir.path().join("eip.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM org WHERE level <> 'school'", [], |r| r.get(0))
            .unwrap()
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
