//! Benchmark: monthly reporting on a national-scale database — 3,212 units, 520,000 schools and
//! teaching points, and twelve months of values (every school, ten indicators a month). Measures,
//! each as a whole `eip` process: a county's `report status`, a national `report export --level
//! county` (every county's aggregate), one `report confirm`, then `submit --sweep` for the whole nation's month (every
//! unit submitted by the system at its deadline, with its snapshot) and a national `report status`
//! on the result. Run: `cargo bench --bench reporting` (`EIP_BENCH_MONTHS=3` for a smaller run;
//! `cargo test` runs it small).
//!
//! The schools and values are written straight into the database (the rows eip writes, without
//! audit events) so that the fixture takes minutes, not hours.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

fn main() {
    #[allow(non_snake_case)]
    let (SCHOOLS, RUNS): (usize, usize) = (size(520_000, 3_000), size(5, 1));
    let months: usize =
        if smoke() { 2 } else { std::env::var("EIP_BENCH_MONTHS").ok().and_then(|m| m.parse().ok()).unwrap_or(12) };
    // The units exist from October 1st, so October is the month they report.
    let (mut env, county) = national_with_county_admin("2026-10-01T10:00:00+08:00");
    let db = env.db.clone();
    let token = env.token_record(&county, "bench", "365")["token"].as_str().unwrap().to_string();
    let mtoken = env.token_record(ADMIN, "bench", "365")["token"].as_str().unwrap().to_string();

    // The fixture: 520,000 schools over every county (≈15% teaching points), values for `months`
    // months ending 2026-10.
    let build = Instant::now();
    let periods: Vec<String> = (0..months)
        .map(|i| {
            let m = 10 - i as i64; // 2026-10 backwards
            let (y, m) = if m >= 1 { (2026, m) } else { (2025, m + 12) };
            format!("{y:04}-{m:02}")
        })
        .collect();
    insert_schools(&db, &units(&db, "level = 'county'"), 0, SCHOOLS, &periods);
    let build = build.elapsed();
    let file_size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let values: i64 =
        rusqlite::Connection::open(&db).unwrap().query_row("SELECT count(*) FROM value", [], |r| r.get(0)).unwrap();

    let run_out = |env: &Env, tok: &str, args: &[&str]| -> (Duration, String) {
        let (took, r) = timed_token(env, tok, args);
        (took, r.stdout)
    };
    let run = |env: &Env, tok: &str, args: &[&str]| -> Duration { run_out(env, tok, args).0 };
    // November 3rd: October is still open for the counties (their deadline is the 5th).
    env.now = "2026-11-03T10:00:00+08:00".into();
    let mut status = Vec::new();
    let mut export = Vec::new();
    let mut confirm = Vec::new();
    let schools_130102: Vec<String> = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare("SELECT code FROM org WHERE path >= '/000000/130000/130100/130102/' AND path < '/000000/130000/130100/1301020' AND level = 'school' ORDER BY code LIMIT 10")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for school in schools_130102.iter().take(RUNS) {
        status.push(run(&env, &token, &["report", "status", "--period", "2026-10"]));
        let (t, csv) = run_out(
            &env,
            &mtoken,
            &["report", "export", "--period", "2026-10", "--level", "county", "--format", "csv"],
        );
        assert_eq!(csv.lines().count(), 2846 + 1, "every county's row and the header");
        export.push(t);
        confirm.push(run(&env, &token, &["report", "confirm", "--org", school, "--period", "2026-11"]));
    }
    // The floors, measured by the sqlite3 shell on the same file (when the machine has one): a
    // process that opens the database and answers `select 1`, and the export's aggregation
    // written as one SQL query (per province: expected schools, reporters, sums, yes counts).
    let sqlite3 = |sql: &str| -> Option<Duration> {
        let start = Instant::now();
        let out =
            Command::new("sqlite3").arg(&db).arg(sql).stdout(Stdio::null()).stderr(Stdio::null()).status().ok()?;
        out.success().then(|| start.elapsed())
    };
    let floor_sql = "SELECT o.parent_id AS county, count(DISTINCT o.id),
            count(DISTINCT v.org_id),
            sum(CASE WHEN v.indicator IN ('classrooms','multimedia_classrooms','teacher_spaces','student_spaces',
                'teacher_computers','student_computers','excellent_lesson_teachers','bandwidth_mbps') THEN CAST(v.value AS REAL) END),
            sum(CASE WHEN v.indicator IN ('internet_access','digital_resources_all_classes') AND v.value = '1' THEN 1 END),
            sum(s.teachers), sum(s.students)
        FROM org o JOIN school s ON s.org_id = o.id LEFT JOIN value v ON v.org_id = o.id AND v.period = '2026-10'
        WHERE o.level = 'school' AND o.deleted_at IS NULL GROUP BY county";
    let (mut floor_open, mut floor_export) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        if let (Some(a), Some(b)) = (sqlite3("select 1"), sqlite3(floor_sql)) {
            floor_open.push(a);
            floor_export.push(b);
        }
    }
    // November 16th: every deadline of October has passed — the whole nation's month is submitted
    // by the system, counties first, each with its snapshot.
    env.now = "2026-11-16T09:00:00+08:00".into();
    let sweep = run(&env, &mtoken, &["submit", "--sweep"]);
    let submitted: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM submission WHERE period = '2026-10' AND state = 'auto_submitted'", [], |r| {
            r.get(0)
        })
        .unwrap();
    // Every unit but the Ministry (3,211), each once, and nothing more the second time.
    assert_eq!(submitted, 3211, "every unit auto-submitted");
    let resweep = run(&env, &mtoken, &["submit", "--sweep"]);
    let again: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM submission WHERE period = '2026-10'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(again, submitted, "the second sweep found nothing due");
    let mut national_status = Vec::new();
    for _ in 0..RUNS {
        national_status.push(run(&env, &mtoken, &["report", "status", "--period", "2026-10"]));
    }
    println!("national database: 3,212 units, {SCHOOLS} schools, {months} months, {values} values, {:.1} GB; fixture built in {:.0} s", file_size as f64 / 1e9, build.as_secs_f64());
    println!("medians of {RUNS} runs (whole process)");
    println!("| what | time |");
    println!("|---|---|");
    println!("| a county's `report status` (130102, ≈{} schools) | {} |", SCHOOLS / 2846, ms(median(status)));
    println!("| national `report export --level county` (2,846 counties) | {} |", ms(median(export.clone())));
    println!("| one `report confirm` (a school, 10 values carried) | {} |", ms(median(confirm.clone())));
    println!("| `submit --sweep` of the nation's month ({submitted} units submitted with snapshots, once) | {} ({:.0} units/s) |", ms(sweep), submitted as f64 / sweep.as_secs_f64());
    println!("| `submit --sweep` again (nothing due) | {} |", ms(resweep));
    println!("| national `report status` (the 32 provinces, from snapshots) | {} |", ms(median(national_status)));
    if floor_open.is_empty() {
        println!("(no sqlite3 shell on this machine: the floors were not measured)");
    } else {
        let (fo, fe) = (median(floor_open), median(floor_export));
        println!("| floor: `sqlite3 eip.db 'select 1'` | {} |", ms(fo));
        println!(
            "| ratio `report confirm` / that floor (goal ≤ 3×) | {:.1}× |",
            median(confirm.clone()).as_secs_f64() / fo.as_secs_f64()
        );
        println!("| floor: the county aggregation as one SQL query in `sqlite3` | {} |", ms(fe));
        println!(
            "| ratio `report export --level county` / that floor (goal ≤ 1.5×) | {:.1}× |",
            median(export.clone()).as_secs_f64() / fe.as_secs_f64()
        );
    }
}
