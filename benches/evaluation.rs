//! Benchmark: the evaluation over a national year — 3,212 units, 520,000 schools and teaching
//! points, twelve months (2025-11 to 2026-10), each month taken through its cycle by `submit
//! --sweep` (every unit submitted by the system at its deadline, with its snapshot and its audit
//! event). Measures, each as a whole `eip` process: the national 12-month `report timeliness` and
//! `report bulletin` (the Ministry about the provinces), a province's bulletin of its 167 counties
//! and a prefecture's of its counties; against the floor, the same counts per province over the
//! twelve months computed by one SQL query in the `sqlite3` shell, in the same run. Run:
//! `cargo bench --bench evaluation` (`cargo test` runs it small; `EIP_BENCH_KEEP=FILE` keeps the
//! database).
//!
//! The schools and values are written straight into the database, as the reporting benchmark
//! does; the cycles run through eip.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

/// The month after `p` (YYYY-MM).
fn next_month(p: &str) -> String {
    let (y, m): (i32, u32) = (p[..4].parse().unwrap(), p[5..].parse().unwrap());
    let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    format!("{y:04}-{m:02}")
}

fn main() {
    #[allow(non_snake_case)]
    let (SCHOOLS, MONTHS, RUNS): (usize, usize, usize) = (size(520_000, 3_000), size(12, 2), size(7, 1));
    // The units exist from 2025-11-01, so November 2025 is the first month they report.
    let (mut env, _county) = national_with_county_admin("2025-11-01T10:00:00+08:00");
    let db = env.db.clone();
    let mtoken = env.token_record(ADMIN, "bench", "730")["token"].as_str().unwrap().to_string();
    let periods: Vec<String> = (0..MONTHS)
        .map(|i| {
            let m = 11 + i as i64; // 2025-11 onwards
            let (y, m) = if m <= 12 { (2025, m) } else { (2026, m - 12) };
            format!("{y:04}-{m:02}")
        })
        .collect();
    let build = Instant::now();
    insert_schools(&db, &units(&db, "level = 'county'"), 0, SCHOOLS, &periods);
    // Each month's cycle: on the 16th of the next month every deadline has passed.
    for p in &periods {
        env.now = format!("{}-16T09:00:00+08:00", next_month(p));
        let (_, r) = timed_token(&env, &mtoken, &["submit", "--sweep"]);
        r.ok();
    }
    let build = build.elapsed();
    let range = format!("{}..{}", periods[0], periods[periods.len() - 1]);
    // The 20th of the month after the last: every deadline of the year has passed.
    env.now = format!("{}-20T10:00:00+08:00", next_month(&periods[periods.len() - 1]));

    let out = env.path("通报.md");
    let out_s = out.to_str().unwrap().to_string();
    let run = |args: &[&str]| -> (Duration, Run) { timed_token(&env, &mtoken, args) };
    let (mut timeliness, mut bulletin, mut province, mut prefecture) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (t, r) = run(&["report", "timeliness", "--period", &range, "--format", "csv"]);
        // The 32 provinces, each expected every month, each submitted by the system.
        let rows = csv_maps(&r.stdout);
        assert_eq!(rows.len(), 32, "{}", r.stdout);
        assert!(rows.iter().all(|r| r["expected"] == MONTHS.to_string() && r["auto_submitted"] == MONTHS.to_string()));
        timeliness.push(t);
        let (t, _) = run(&["report", "bulletin", "--period", &range, "-o", &out_s]);
        let md = std::fs::read_to_string(&out).unwrap();
        assert!(md.contains("河北省") && md.contains("新疆维吾尔自治区"), "{md:.400}");
        bulletin.push(t);
        province.push(run(&["report", "bulletin", "--period", &range, "--under", "130000", "--level", "county"]).0);
        prefecture.push(run(&["report", "bulletin", "--period", &range, "--under", "130100"]).0);
    }
    // The floor: per province over the twelve months, the counts the timeliness report starts from
    // (expected, submitted, on time by the reviewer, by the system) and the schools expected and
    // confirmed from each period's first snapshot, as one query in the sqlite3 shell.
    let floor_sql = format!(
        "WITH RECURSIVE p(period) AS (SELECT '{first}' UNION ALL
             SELECT strftime('%Y-%m', period || '-01', '+1 month') FROM p WHERE period < '{last}')
         SELECT o.code, count(*), sum(s.state IN ('submitted', 'auto_submitted')),
                sum(a.action = 'submit'), sum(a.action = 'submit.auto'),
                sum(json_extract(n.figures, '$.schools_expected')), sum(json_extract(n.figures, '$.schools_confirmed'))
         FROM org o CROSS JOIN p
         LEFT JOIN submission s ON s.org_id = o.id AND s.period = p.period
         LEFT JOIN audit a ON a.target = o.code AND a.period = p.period AND a.action IN ('submit', 'submit.auto')
         LEFT JOIN snapshot n ON n.id = (SELECT min(m.id) FROM snapshot m WHERE m.org_id = o.id AND m.period = p.period)
         WHERE o.level = 'province' GROUP BY o.code",
        first = periods[0],
        last = periods[periods.len() - 1]
    );
    let sqlite3 = |sql: &str| -> Option<Duration> {
        let start = Instant::now();
        let out =
            Command::new("sqlite3").arg(&db).arg(sql).stdout(Stdio::null()).stderr(Stdio::null()).status().ok()?;
        out.success().then(|| start.elapsed())
    };
    let mut floor = Vec::new();
    if has_sqlite3() {
        for _ in 0..RUNS {
            floor.push(sqlite3(&floor_sql).expect("the floor query runs"));
        }
    }
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "national year: 3,212 units, {SCHOOLS} schools, {MONTHS} months ({range}), {:.1} GB; built in {:.0} s",
        size as f64 / 1e9,
        build.as_secs_f64()
    );
    println!("| command (median of {RUNS}) | time | against the floor |");
    println!("|---|---|---|");
    let ratio = |d: Duration| {
        if floor.is_empty() {
            "—".to_string()
        } else {
            format!("{:.2}×", d.as_secs_f64() / median(floor.clone()).as_secs_f64())
        }
    };
    for (what, v) in [
        ("national `report timeliness` over the year (32 provinces)", &timeliness),
        ("national `report bulletin` over the year (32 provinces, Markdown)", &bulletin),
        ("河北省's bulletin of its 167 counties over the year", &province),
        ("石家庄市's bulletin of its counties over the year", &prefecture),
    ] {
        let m = median(v.clone());
        println!("| {what} | {} | {} |", ms(m), ratio(m));
    }
    // EIP_BENCH_KEEP=FILE keeps the national year for a closer look (it is 9 GB).
    if let Some(keep) = std::env::var_os("EIP_BENCH_KEEP") {
        std::fs::rename(&db, &keep).or_else(|_| std::fs::copy(&db, &keep).map(|_| ())).unwrap();
    }
    if floor.is_empty() {
        println!("(no sqlite3 shell on this machine: the floor was not measured)");
    } else {
        println!("| floor: the same counts per province as one SQL query in `sqlite3` | {} | 1× |", ms(median(floor)));
    }
}
