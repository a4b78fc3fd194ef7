//! One harness for every integration test: the real `eip` binary against a fresh temporary
//! database with the test clock, each person with their own config dir (their own session).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const ADMIN: &str = "000000-A01";
pub const PASSWORD: &str = "correct horse battery";
/// A time inside November 2026 (CST), the default "now" of these tests.
pub const NOW: &str = "2026-11-20T10:00:00+08:00";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
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
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
    #[track_caller]
    pub fn stderr_has(&self, s: &str) -> &Run {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
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

impl Env {
    /// A temporary place with no database yet.
    pub fn empty() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("eip.db");
        Env { dir, db, now: NOW.to_string(), extra_env: HashMap::new() }
    }

    /// A test-clock database with the Ministry admin signed in.
    pub fn new() -> Env {
        let env = Env::empty();
        env.run_stdin(
            None,
            &["init", "--test-clock", "--admin-name", "王芳", "--admin-mobile", "13800000001", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        env.login(ADMIN, PASSWORD);
        env
    }

    /// With the 3,212 national units imported.
    pub fn national() -> Env {
        let env = Env::new();
        env.admin(&["unit", "import", &data("divisions.csv")]).ok();
        env
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
        c.env("EIP_DB", &self.db)
            .env("EIP_CONFIG_DIR", self.config_dir(user))
            .env("EIP_NOW", &self.now)
            .env_remove("EIP_TOKEN")
            .env_remove("LC_ALL")
            .env("LANG", "C")
            .stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
        c
    }

    pub fn run_cmd(mut c: Command, stdin: Option<&str>) -> Run {
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        }
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("eip runs");
        if let Some(input) = stdin {
            // eip may refuse and exit before it reads its input: a closed pipe is not a failure.
            match child.stdin.take().expect("piped").write_all(input.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
                _ => {}
            }
        }
        Run::finished(child)
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

    /// Issue an account as the Ministry admin, activate it with PASSWORD and sign it in.
    /// Returns the username.
    pub fn person(&self, unit: &str, role: &str, name: &str, mobile: &str) -> String {
        let r = self.admin(&[
            "account", "add", "--unit", unit, "--role", role, "--name", name, "--mobile", mobile, "--format", "json",
        ]);
        r.ok();
        let j = r.json();
        let user = j["username"].as_str().expect("username").to_string();
        let code = j["activation_code"].as_str().expect("code").to_string();
        self.run_stdin(
            Some(&user),
            &["login", &user, "--activate", &code, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        user
    }

    /// A direct connection, to look into the database.
    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open db")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).expect("count query")
    }

    pub fn audit_count(&self) -> i64 {
        self.count("SELECT count(*) FROM audit")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write_file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write file");
        p.display().to_string()
    }
}

/// A file under examples/data.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data").join(name).display().to_string()
}
