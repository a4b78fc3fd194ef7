//! Benchmark: how each command's cost grows with the country, on the generated national dataset
//! (`eip::dataset`, the same as `examples/gen-national.sh`) at 20,000, 100,000 and 520,000 schools;
//! and 16 county scripts running at once against one script alone.
//!
//!   cargo bench --bench scale                      # sizes 20000,100000,520000; 2 months each
//!   EIP_BENCH_SIZES=20000 EIP_BENCH_SCALE_MONTHS=12 cargo bench --bench scale
//!
//! `cargo test` runs it as a smoke run: the generator at 20,000 schools and one month, every
//! command once, the 16 scripts checked for their outcome (CI: correctness, not time).
//!
//! The generated months are 2025-12 onwards, each swept by the system on the 16th of the month
//! after. The clock is then set inside the next month's county window (the 2nd of the month
//! after the last generated one), where every command below runs.

use std::time::{Duration, Instant};

use eip::calendar::Period;

mod common;
use common::*;

/// The 16 counties whose scripts run at once: spread over the provinces.
const SCRIPTS: usize = 16;

fn main() {
    let sizes: Vec<usize> = if smoke() {
        vec![20_000]
    } else {
        std::env::var("EIP_BENCH_SIZES")
            .unwrap_or_else(|_| "20000,100000,520000".into())
            .split(',')
            .map(|s| s.trim().parse().expect("EIP_BENCH_SIZES: numbers"))
            .collect()
    };
    let months: u32 = if smoke() {
        1
    } else {
        std::env::var("EIP_BENCH_SCALE_MONTHS").ok().and_then(|m| m.parse().ok()).unwrap_or(2)
    };
    let runs = size(5, 1);
    let first = Period::new(2025, 12).unwrap();
    let mut last = first;
    for _ in 1..months {
        last = last.next();
    }
    let open = last.next(); // the month the counties are confirming when the commands run
    let open_s = open.to_string();
    let last_s = last.to_string();
    let now = format!("{}-{:02}-02T10:00:00+08:00", open.next().year(), open.next().month());
    let sweep_at = format!("{}-{:02}-16T09:00:00+08:00", open.next().year(), open.next().month());

    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut push = |what: &str, v: String| match rows.iter_mut().find(|r| r.0 == what) {
        Some(r) => r.1.push(v),
        None => rows.push((what.to_string(), vec![v])),
    };
    let mut notes = Vec::new();
    for &n in &sizes {
        let mut env = Env::empty();
        env.now = now.clone();
        let db = env.db.clone();
        let start = Instant::now();
        eip::dataset::generate(&db, n, months, 2016, false).unwrap();
        let generated = start.elapsed();
        let size = std::fs::metadata(&db).unwrap().len();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(q("SELECT count(*) FROM school"), n as i64, "the generator made every school");
        assert_eq!(
            q("SELECT count(*) FROM account WHERE role = 'school_admin'"),
            n as i64,
            "every school has its account"
        );
        let events = q("SELECT count(*) FROM audit");
        let values = q("SELECT count(*) FROM value");
        // Every county, in code order (so province by province).
        let counties: Vec<String> = conn
            .prepare("SELECT code FROM org WHERE level = 'county' ORDER BY code")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap();
        // One alone and SCRIPTS at once, spread evenly over the country.
        let counties: Vec<String> =
            counties.iter().step_by((counties.len() / (SCRIPTS + 1)).max(1)).take(SCRIPTS + 1).cloned().collect();
        assert_eq!(counties.len(), SCRIPTS + 1, "one county alone and {SCRIPTS} at once");
        let county_schools: Vec<Vec<String>> = counties
            .iter()
            .map(|c| {
                conn.prepare("SELECT o.code FROM org o JOIN org c ON c.id = o.parent_id WHERE c.code = ?1 AND o.level = 'school' ORDER BY o.code")
                    .unwrap()
                    .query_map([c], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            })
            .collect();
        let ministry = token_for(&conn, "000000-A01");
        let tokens: Vec<(String, String)> = counties
            .iter()
            .map(|c| (token_for(&conn, &format!("{c}-A01")), token_for(&conn, &format!("{c}-R01"))))
            .collect();
        drop(conn);
        let (county, (admin, _)) = (&counties[0], &tokens[0]);
        let jobs: Vec<(&String, &Vec<String>, &String, &String)> = counties
            .iter()
            .zip(&county_schools)
            .zip(&tokens)
            .map(|((c, schools), (a, r))| (c, schools, a, r))
            .collect();
        let county_schools = &county_schools[0];

        push("schools (generated, with their accounts)", n.to_string());
        push("generation time (units, accounts, schools, months of values and sweeps)", ms(generated));
        push("database size", format!("{:.0} MB", size as f64 / 1e6));
        push("values / audit events", format!("{values} / {events}"));
        push(
            &format!("county `report status` ({county}'s schools)"),
            format!(
                "{} ({} schools)",
                ms(time(&env, admin, &["report", "status", "--period", &open_s], runs)),
                county_schools.len()
            ),
        );
        push("county `school list` (CSV)", ms(time(&env, admin, &["school", "list", "--format", "csv"], runs)));
        push(
            &format!("county `report export --period {last_s}` (its schools' values)"),
            ms(time(&env, admin, &["report", "export", "--period", &last_s, "--format", "csv"], runs)),
        );
        push(
            "one `report confirm --org SCHOOL` (county proxy)",
            ms(median(
                county_schools
                    .iter()
                    .take(runs)
                    .map(|s| eip(&env, admin, &["report", "confirm", "--org", s, "-q"]).0)
                    .collect(),
            )),
        );
        push(
            &format!("national `report status --period {last_s}` (submitted: from snapshots)"),
            ms(time(&env, &ministry, &["report", "status", "--period", &last_s], runs)),
        );
        let (t, csv) =
            eip(&env, &ministry, &["report", "export", "--period", &last_s, "--level", "county", "--format", "csv"]);
        assert_eq!(csv.lines().count(), 2846 + 1, "one row per county and the header");
        push(
            &format!("national `report export --level county --period {last_s}`"),
            ms(median(
                std::iter::once(t)
                    .chain((1..runs).map(|_| {
                        eip(&env, &ministry, &["report", "export", "--period", &last_s, "--level", "county"]).0
                    }))
                    .collect(),
            )),
        );
        let (t, _) = eip(&env, &ministry, &["report", "missing", "--period", &open_s, "--format", "csv"]);
        push(&format!("national `report missing --period {open_s}` (催报 list, everyone)"), ms(t));
        let (verify, r) = timed_token(&env, &ministry, &["audit", "verify"]);
        assert!(r.stderr.contains("intact"), "{}", r.stderr);
        push(
            "`audit verify` (whole chain)",
            format!("{} ({:.0} events/s)", ms(verify), events as f64 / verify.as_secs_f64()),
        );

        // 16 county scripts: one alone, then sixteen others at once.
        let alone_start = Instant::now();
        let alone_steps = county_script(&env, county, county_schools, &tokens[0].0, &tokens[0].1);
        let alone = alone_start.elapsed();
        let together_start = Instant::now();
        let results: Vec<(Duration, Vec<Duration>)> = std::thread::scope(|s| {
            let handles: Vec<_> = jobs[1..]
                .iter()
                .map(|(c, schools, a, r)| {
                    let env = &env;
                    s.spawn(move || {
                        let t = Instant::now();
                        let steps = county_script(env, c, schools, a, r);
                        (t.elapsed(), steps)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let together = together_start.elapsed();
        // Every script ended with its county submitted by its reviewer.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let submitted: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id WHERE s.period = '{open_s}' AND s.state = 'submitted' AND o.code IN ({})",
                    counties.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",")
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(submitted, counties.len() as i64, "every county script submitted its county");
        drop(conn);
        let worst_alone = alone_steps.iter().max().copied().unwrap_or_default();
        let worst = results.iter().flat_map(|r| r.1.iter()).max().copied().unwrap_or_default();
        let slowest = results.iter().map(|r| r.0).max().unwrap_or_default();
        let (per_alone, per_together) = (1.0 / alone.as_secs_f64(), SCRIPTS as f64 / together.as_secs_f64());
        push(
            "one county script alone (confirm each school, then county-monthly-confirm.sh)",
            format!("{} ({} processes)", ms(alone), alone_steps.len()),
        );
        push("16 county scripts at once: all done / slowest script", format!("{} / {}", ms(together), ms(slowest)));
        push(
            "throughput: 16 at once vs one alone (scripts per second)",
            format!("{per_together:.2} vs {per_alone:.2} = {:.1}×", per_together / per_alone),
        );
        push("worst single step: alone / among 16", format!("{} / {}", ms(worst_alone), ms(worst)));
        // The month's end: every other unit submitted by the system.
        env.now = sweep_at.clone();
        let (t, _) = eip(&env, &ministry, &["submit", "--sweep", "-q"]);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let swept: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM submission WHERE period = '{open_s}' AND state = 'auto_submitted'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(swept, 3211 - counties.len() as i64, "every unit not submitted by hand was swept");
        push(
            &format!("national `submit --sweep` of {open_s}"),
            format!("{} ({swept} units, {:.0}/s)", ms(t), swept as f64 / t.as_secs_f64()),
        );
        notes.push(format!("{n}: {events} audit events, {values} values"));
    }
    println!(
        "national dataset (eip::dataset, seed 2016): 3,212 units, {months} month(s) of values from 2025-12; commands at {now}; medians of {runs} runs (whole process) unless one"
    );
    print!("| what |");
    for n in &sizes {
        print!(" {n} schools |");
    }
    println!();
    print!("|---|");
    for _ in &sizes {
        print!("---|");
    }
    println!();
    for (what, vals) in rows {
        println!("| {what} | {} |", vals.join(" | "));
    }
}
