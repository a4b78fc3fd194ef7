//! Benchmark: `eip audit verify` on a chain of a million events (whole process), and the rate at
//! which the chain is appended. Run: `cargo bench --bench audit`.

use std::time::Instant;

mod common;
use common::*;

use eip::audit::{AuditActor, Event};
use eip::db::Db;

fn main() {
    // A million events in a benchmark run, 5,000 in a smoke run (`cargo test`).
    let events: usize = size(1_000_000, 5_000);
    // A test-clock database, the Ministry admin signed in.
    let env = Env::new();
    let path = env.db.clone();
    // A million events, appended through the same code every change uses.
    std::env::set_var("EIP_NOW", "2026-11-20T10:00:00+08:00");
    let mut db = Db::open(&path, None).unwrap();
    let start = Instant::now();
    db.write(&AuditActor { name: "000000-A01".into(), unit: Some("000000".into()) }, |tx| {
        for i in 0..events {
            tx.audit(
                Event::new("report.set")
                    .target(format!("2113{:06}", i % 520_000))
                    .scope("/000000/130000/130100/130102/")
                    .period("2026-11")
                    .detail(serde_json::json!({ "indicator": "classrooms", "before": null, "after": (i % 40).to_string(), "proxy": false })),
            )?;
        }
        Ok(())
    })
    .unwrap();
    let append = start.elapsed();
    drop(db);
    let mut verify = Vec::new();
    for _ in 0..3 {
        let (t, r) = timed(&env, Some(ADMIN), &["audit", "verify"]);
        let stderr = &r.stderr;
        let n: usize = stderr
            .split("intact: ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {stderr}"));
        assert!(n > events, "every appended event verified: {stderr}");
        verify.push(t);
    }
    verify.sort();
    let v = verify[1];
    println!("audit chain of {} events", events);
    println!("| what | time | events per second |");
    println!("|---|---|---|");
    println!(
        "| append {events} events in one transaction (in-process) | {:.0} ms | {:.0} |",
        append.as_secs_f64() * 1e3,
        events as f64 / append.as_secs_f64()
    );
    println!(
        "| `eip audit verify` (whole process, median of 3) | {:.0} ms | {:.0} |",
        v.as_secs_f64() * 1e3,
        events as f64 / v.as_secs_f64()
    );
}
