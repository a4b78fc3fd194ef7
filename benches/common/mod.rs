//! What every benchmark shares: running the real `eip` as a whole process, and medians.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `eip` against `dir/eip.db` as `user` (their own config dir), at `now` (a test-clock
/// database) or the real time; returns the wall time and stdout. Panics if eip fails.
pub fn eip(dir: &Path, user: &str, now: Option<&str>, args: &[&str], stdin: Option<&str>) -> (Duration, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eip"));
    c.args(args)
        .env("EIP_DB", dir.join("eip.db"))
        .env("EIP_CONFIG_DIR", dir.join(user))
        .env_remove("EIP_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    match now {
        Some(n) => c.env("EIP_NOW", n),
        None => c.env_remove("EIP_NOW"),
    };
    let start = Instant::now();
    let mut child = c.spawn().expect("eip runs");
    if let Some(s) = stdin {
        std::io::Write::write_all(&mut child.stdin.take().expect("piped"), s.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("eip finishes");
    let took = start.elapsed();
    assert!(out.status.success(), "eip {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    (took, String::from_utf8_lossy(&out.stdout).into_owned())
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
