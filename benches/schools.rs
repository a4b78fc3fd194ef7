//! Benchmark: importing 100,000 schools into the national unit tree (one county admin's file,
//! whole process) against the floor of inserting the same rows into a bare table; then listing one
//! county's schools from a database of 520,000. Run: `cargo bench --bench schools`.
//!
//! The 420,000 schools beyond the imported ones are written straight into the database (the rows
//! `eip school import` writes, without audit events) so the fixture takes seconds, not minutes.

use std::path::Path;
use std::time::{Duration, Instant};

const IMPORTED: usize = 100_000;
const TOTAL: usize = 520_000;
const RUNS: usize = 5;
const NOW: &str = "2026-11-20T10:00:00+08:00";

mod common;
use common::{median, ms};

fn eip(dir: &Path, user: &str, args: &[&str], stdin: Option<&str>) -> (Duration, String) {
    common::eip(dir, user, Some(NOW), args, stdin)
}

fn schools_csv() -> String {
    let mut s = String::from("code,name,kind,unit,category,location,address,students,teachers,classes\n");
    for i in 1..=IMPORTED {
        let kind = if i % 7 == 0 { "teaching_point" } else { "school" };
        s.push_str(&format!(
            "2113{i:06},基准学校{i},{kind},130102,小学,乡村,基准路{i}号,{},{},{}\n",
            300 + i % 900,
            20 + i % 60,
            6 + i % 30
        ));
    }
    s
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let units = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/divisions.csv");
    let pw = Some("correct horse battery\n");
    eip(
        d,
        "m",
        &["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
        pw,
    );
    eip(d, "m", &["login", "000000-A01", "--password-stdin"], pw);
    eip(d, "m", &["unit", "import", units.to_str().unwrap()], None);
    let (_, out) = eip(
        d,
        "m",
        &[
            "account",
            "add",
            "--unit",
            "130102",
            "--role",
            "admin",
            "--name",
            "赵敏",
            "--mobile",
            "13700000001",
            "--format",
            "csv",
        ],
        None,
    );
    let code = out.lines().nth(1).unwrap().split(',').nth(1).unwrap().to_string();
    eip(d, "c", &["login", "130102-A01", "--activate", &code, "--password-stdin"], pw);
    let csv = schools_csv();
    std::fs::write(d.join("schools.csv"), &csv).unwrap();

    // The import, once (it fills the database), and its floor several times.
    let (import, _) = eip(d, "c", &["school", "import", d.join("schools.csv").to_str().unwrap()], None);
    let (reimport, _) = eip(d, "c", &["school", "import", d.join("schools.csv").to_str().unwrap()], None);
    let mut floor = Vec::new();
    for _ in 0..RUNS {
        let fdir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let mut conn = rusqlite::Connection::open(fdir.path().join("floor.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        conn.execute_batch(
            "CREATE TABLE t(code, name, kind, unit, category, location, address, students, teachers, classes)",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut stmt = tx.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)").unwrap();
            let mut r = csv::Reader::from_reader(csv.as_bytes());
            for rec in r.records() {
                let rec = rec.unwrap();
                stmt.execute(rusqlite::params_from_iter(rec.iter())).unwrap();
            }
        }
        tx.commit().unwrap();
        floor.push(start.elapsed());
    }
    let floor = median(floor);

    // Grow to 520,000 schools spread over every county.
    {
        let mut conn = rusqlite::Connection::open(d.join("eip.db")).unwrap();
        let counties: Vec<(i64, String, String)> = conn
            .prepare("SELECT id, code, path FROM org WHERE level = 'county' ORDER BY code")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut org = tx.prepare("INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, ?2, 'school', ?3, ?4, '2026-01-01T00:00:00Z')").unwrap();
            let mut school = tx.prepare("INSERT INTO school(org_id, kind) VALUES (?1, 'school')").unwrap();
            for i in 0..(TOTAL - IMPORTED) {
                let (id, ccode, path) = &counties[i % counties.len()];
                let code = format!("21{}{:06}", &ccode[..2], 200_000 + i);
                org.execute(rusqlite::params![code, format!("学校{i}"), id, format!("{path}{code}/")]).unwrap();
                school.execute([tx.last_insert_rowid()]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let per_county = (TOTAL - IMPORTED) / 2846;
    let mut list_county = Vec::new();
    let mut list_county_csv = Vec::new();
    for _ in 0..RUNS {
        list_county.push(eip(d, "m", &["school", "list", "--under", "130104", "--format", "json"], None).0);
        list_county_csv.push(eip(d, "c", &["school", "list", "--format", "csv"], None).0);
    }
    let mut whoami = Vec::new();
    for _ in 0..RUNS {
        whoami.push(eip(d, "m", &["whoami"], None).0);
    }
    println!("schools: {IMPORTED} imported, {TOTAL} in the database; medians of {RUNS} runs (whole process)");
    println!("| what | time |");
    println!("|---|---|");
    println!(
        "| eip school import of {IMPORTED} rows (one county admin's file) | {} ({:.0} rows/s) |",
        ms(import),
        IMPORTED as f64 / import.as_secs_f64()
    );
    println!("| the same file again ({IMPORTED} unchanged) | {} |", ms(reimport));
    println!("| floor: the same rows into a bare table, in-process | {} |", ms(floor));
    println!("| ratio import / floor | {:.1}× |", import.as_secs_f64() / floor.as_secs_f64());
    println!("| school list --under 130104 (≈{per_county} schools) from {TOTAL} | {} |", ms(median(list_county)));
    println!("| school list of 130102's {IMPORTED} schools as CSV | {} |", ms(median(list_county_csv)));
    println!("| whoami (process start, open, sign-in) on the same database | {} |", ms(median(whoami)));
}
