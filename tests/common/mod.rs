//! One harness for every integration test and every benchmark: the real `eip` binary against a
//! temporary database with the test clock, each person with their own config dir (their own
//! session).
//!
//! - here: `Env` (a place, its clock, running `eip` in it), `Run` (what a run gave back), races,
//!   and the files the tests read (`data`, `example`);
//! - `fixtures`: `Env::new()`, `Env::national()`, `Env::national_at()` and `Env::fixture()` — each
//!   a database built once per `eip` build and copied into every test that asks for it;
//! - `cast`: the people (`person`, `activate`, API tokens, `Who`, the admins of 石家庄);
//! - `trail`: reading the audit trail (`events`, `trail`);
//! - `csvs`: reading the CSV eip writes.
//!
//! The benchmarks include this file too (`benches/common/mod.rs`).
#![allow(dead_code)]

mod cast;
mod csvs;
mod fixtures;
mod trail;

#[allow(unused_imports)]
pub use cast::*;
#[allow(unused_imports)]
pub use csvs::*;
#[allow(unused_imports)]
pub use trail::*;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN: &str = "000000-A01";
pub const PASSWORD: &str = "correct horse battery";
/// A time inside November 2026 (CST), the default "now" of these tests.
pub const NOW: &str = "2026-11-20T10:00:00+08:00";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// The test clock (`EIP_NOW`) every run gets; empty: none, the real time.
    pub now: String,
    extra_env: HashMap<String, String>,
}

/// What a run gave back.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing everything when it is not the expected one.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Run {
        assert_eq!(self.code, want, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0)
    }
    #[track_caller]
    pub fn stdout_has(&self, s: &str) -> &Run {
        self.has("stdout", &self.stdout, s)
    }
    #[track_caller]
    pub fn stderr_has(&self, s: &str) -> &Run {
        self.has("stderr", &self.stderr, s)
    }
    #[track_caller]
    fn has(&self, name: &str, stream: &str, s: &str) -> &Run {
        assert!(stream.contains(s), "{name} lacks {s:?}\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
    #[track_caller]
    pub fn stderr_lacks(&self, s: &str) -> &Run {
        assert!(!self.stderr.contains(s), "stderr has {s:?}\n--- stderr\n{}", self.stderr);
        self
    }
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
    /// stdout as TSV rows (header first).
    pub fn tsv(&self) -> Vec<Vec<String>> {
        self.stdout.lines().map(|l| l.split('\t').map(str::to_string).collect()).collect()
    }
}

impl Run {
    /// Wait for a started `eip` and take what it gave back.
    pub fn finished(child: std::process::Child) -> Run {
        let out: Output = child.wait_with_output().expect("eip finishes");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Start every command at once, then wait for all of them (the race tests).
pub fn race(cmds: Vec<Command>) -> Vec<Run> {
    let children: Vec<_> = cmds
        .into_iter()
        .map(|mut c| {
            c.stdout(Stdio::piped()).stderr(Stdio::piped());
            c.spawn().expect("eip runs")
        })
        .collect();
    children.into_iter().map(Run::finished).collect()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_eip")
}

/// `eip init` with the test clock and the Ministry's first admin 王芳, her password on stdin.
pub fn init_args() -> Vec<&'static str> {
    vec!["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"]
}

impl Env {
    /// A temporary place with no database yet.
    pub fn empty() -> Env {
        Env::at(tempfile::tempdir().expect("temp dir"), NOW)
    }

    /// A place in `dir`, its database `dir/eip.db`, its clock `now`.
    fn at(dir: tempfile::TempDir, now: &str) -> Env {
        let db = dir.path().join("eip.db");
        Env { dir, db, now: now.to_string(), extra_env: HashMap::new() }
    }

    /// What `Env::new()` holds, made here: `eip init` with the test clock, the Ministry admin
    /// signed in.
    pub fn initialise(&self) {
        self.run_stdin(None, &init_args(), &format!("{PASSWORD}\n")).ok();
        self.login(ADMIN, PASSWORD);
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.extra_env.insert(k.into(), v.into());
    }

    /// Each person's own config dir, so each has their own session.
    pub fn config_dir(&self, user: Option<&str>) -> PathBuf {
        self.dir.path().join("config").join(user.unwrap_or("_nobody"))
    }

    pub fn command(&self, user: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args);
        // Tests read English unless they ask for another language.
        if !args.contains(&"--lang") {
            c.arg("--lang").arg("en");
        }
        c.env("EIP_DB", &self.db).env("EIP_CONFIG_DIR", self.config_dir(user));
        if self.now.is_empty() {
            c.env_remove("EIP_NOW");
        } else {
            c.env("EIP_NOW", &self.now);
        }
        // COLUMNS too: a table's layout follows it (tests/readable.rs sets it), never the runner's.
        c.env_remove("EIP_TOKEN").env_remove("LC_ALL").env_remove("COLUMNS").env("LANG", "C").stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
        c
    }

    pub fn run_cmd(c: Command, stdin: Option<&str>) -> Run {
        Env::timed_cmd(c, stdin).1
    }

    /// Run a command and time it, from its start to its end (what the benchmarks measure).
    pub fn timed_cmd(mut c: Command, stdin: Option<&str>) -> (Duration, Run) {
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        }
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = c.spawn().expect("eip runs");
        if let Some(input) = stdin {
            // eip may refuse and exit before it reads its input: a closed pipe is not a failure.
            match child.stdin.take().expect("piped").write_all(input.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
                _ => {}
            }
        }
        let run = Run::finished(child);
        (start.elapsed(), run)
    }

    /// Run as `user` (their own session), stdin empty.
    pub fn run(&self, user: Option<&str>, args: &[&str]) -> Run {
        Env::run_cmd(self.command(user, args), None)
    }

    pub fn run_stdin(&self, user: Option<&str>, args: &[&str], stdin: &str) -> Run {
        Env::run_cmd(self.command(user, args), Some(stdin))
    }

    /// Run as the Ministry admin.
    pub fn admin(&self, args: &[&str]) -> Run {
        self.run(Some(ADMIN), args)
    }

    pub fn login(&self, user: &str, password: &str) -> Run {
        let r = self.run_stdin(Some(user), &["login", user, "--password-stdin"], &format!("{password}\n"));
        r.ok();
        r
    }

    /// A direct connection, to look into the database.
    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open db")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).expect("count query")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write_file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write file");
        p.display().to_string()
    }

    /// The session files in a person's config dir (none if they never signed in).
    pub fn session_files(&self, user: &str) -> Vec<PathBuf> {
        let dir = self.config_dir(Some(user)).join("sessions");
        match std::fs::read_dir(&dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => vec![],
        }
    }
}

/// A file under examples/data.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data").join(name).display().to_string()
}

/// A file under examples/.
pub fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name).display().to_string()
}

/// The 14 schools and teaching points of examples/changan-schools.csv (130102's), in its order.
pub const CHANGAN_SCHOOLS: [&str; 14] = [
    "2113010001",
    "2113010002",
    "2113010003",
    "2113010004",
    "2113010005",
    "2213010006",
    "2213010007",
    "3113010008",
    "3113010009",
    "3213010010",
    "3413010011",
    "3613010012",
    "5113010013",
    "1113010014",
];

/// A file's permission bits (of the link itself, if it is one).
pub fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}
