//! Benchmark: monthly reporting on a national-scale database — 3,212 units, 520,000 schools and
//! teaching points, and twelve months of values (every school, ten indicators a month). Measures,
//! each as a whole `eip` process: a county's `report status`, a national `report export --level
//! county` (every county's aggregate), one `report confirm`, then `submit --sweep` for the whole nation's month (every
//! unit submitted by the system at its deadline, with its snapshot) and a national `report status`
//! on the result. And the plausibility rules' cost: a national `report validate` and the national
//! export with every rule retired and with the seeded rules in force (their flags raised by
//! adding them again), and `rules add` checking a rule against the nation's month. Run:
//! `cargo bench --bench reporting` (`EIP_BENCH_MONTHS=3` for a smaller run; `cargo test` runs it
//! small).
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
    // The plausibility rules: `report validate` of the nation's month and the national
    // export with the seeded rules in force and with every rule retired, measured in the same run,
    // in turn. The fixture's values were written straight into the database, so they carry no
    // flags: the seeded rules are retired, then added again under new codes, each checked at once
    // against the month's stored values — which raises their flags (and times `rules add` at
    // national scale). A copy of the database then has every rule retired: each measurement runs
    // once on each file, one after the other, so both meet the machine in the same state.
    let seeded: Vec<(String, String, String, String, String, String)> = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare("SELECT code, applies_to, expression, severity, message_zh, message_en FROM rule ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(seeded.len(), 10, "the seeded rules");
    for (code, ..) in &seeded {
        run(&env, &mtoken, &["report", "rules", "retire", code]);
    }
    let mut add = Vec::new();
    for (code, applies, expression, severity, zh, en) in &seeded {
        let again = format!("{code}_again");
        let args = [
            "report",
            "rules",
            "add",
            &again,
            "--applies-to",
            applies,
            "--expression",
            expression,
            "--severity",
            severity,
            "--message-zh",
            zh,
            "--message-en",
            en,
        ];
        add.push(run(&env, &mtoken, &args));
    }
    let flags: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM flag WHERE period = '2026-10'", [], |r| r.get(0))
        .unwrap();
    assert!(flags > 0, "the fixture's values trip the seeded warnings");
    // The copy, every rule retired: no rules, no flags.
    let off_db = db.with_file_name("eip-no-rules.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    std::fs::copy(&db, &off_db).unwrap();
    let off = |args: &[&str]| -> (Duration, String) {
        let mut c = env.command_with_token(&mtoken, args);
        c.env("EIP_DB", &off_db);
        let (took, r) = Env::timed_cmd(c, None);
        r.ok();
        (took, r.stdout)
    };
    for (code, ..) in &seeded {
        off(&["report", "rules", "retire", &format!("{code}_again")]);
    }
    let validate_args = ["report", "validate", "--period", "2026-10", "--format", "csv"];
    let export_args = ["report", "export", "--period", "2026-10", "--level", "county", "--format", "csv"];
    let flags_column = |csv: &str| -> i64 {
        let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let at = rows.headers().unwrap().iter().position(|h| h == "flags").expect("a flags column");
        rows.records().map(|r| r.unwrap()[at].parse::<i64>().unwrap()).sum()
    };
    let (mut validate_on, mut export_on, mut validate_off, mut export_off) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (t, csv) = run_out(&env, &mtoken, &validate_args);
        assert_eq!(csv.lines().count() as i64, flags + 1, "every flag of the month, and the header");
        validate_on.push(t);
        let (t, csv) = off(&validate_args);
        assert_eq!(csv.lines().count(), 1, "no rules, no flags: the header alone");
        validate_off.push(t);
        let (t, csv) = run_out(&env, &mtoken, &export_args);
        assert_eq!(flags_column(&csv), flags, "the counties' flags add up to the nation's");
        export_on.push(t);
        let (t, csv) = off(&export_args);
        assert_eq!((csv.lines().count(), flags_column(&csv)), (2846 + 1, 0));
        export_off.push(t);
    }
    let _ = std::fs::remove_file(&off_db);
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
    let passed_on: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT sum(s.flags) FROM submission s JOIN org o ON o.id = s.org_id WHERE s.period = '2026-10' AND o.level = 'county'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(passed_on, flags, "the counties passed every flag on");
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
    println!("| the month's plausibility flags (the seeded rules over its values) | {flags} |");
    println!("| `report rules add` of a seeded rule again, checked at once against the months being reported (median of 10) | {} |", ms(median(add)));
    let fastest = |v: &[Duration]| *v.iter().min().unwrap();
    let (vo, vf) = (median(validate_on.clone()), median(validate_off.clone()));
    let (eo, ef) = (median(export_on.clone()), median(export_off.clone()));
    println!(
        "| national `report validate` (every flag of the month), every rule retired / the seeded rules | {} / {} |",
        ms(vf),
        ms(vo)
    );
    println!(
        "| national `report export --level county`, every rule retired / the seeded rules | {} / {} |",
        ms(ef),
        ms(eo)
    );
    println!(
        "| ratio export with the rules / without (goal < 1.25×) | {:.2}× (fastest runs: {:.2}×) |",
        eo.as_secs_f64() / ef.as_secs_f64(),
        fastest(&export_on).as_secs_f64() / fastest(&export_off).as_secs_f64()
    );
    println!(
        "| ratio `report validate` with the rules / the export without them | {:.2}× |",
        vo.as_secs_f64() / ef.as_secs_f64()
    );
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
