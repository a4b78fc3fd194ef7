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
//! - `csvs`: reading the CSV eip writes;
//! - `sql`: `Sql`, a look into the database on either backend (`Env::conn()`).
//!
//! The backend: SQLite (a file in the test's temporary directory) unless `EIP_TEST_PG` names a
//! PostgreSQL server (`postgres://USER@HOST:PORT/DB`, a user who may create databases and
//! roles); then each `Env` gets a database of its own on it, `eip_t_<pid>_<n>`, dropped with its
//! roles when the `Env` is. `on_pg()` says which; a test about the SQLite file itself starts with
//! `if sqlite_only("why") { return; }`.
//!
//! The benchmarks include this file too (`benches/common/mod.rs`).
#![allow(dead_code)]

mod cast;
mod csvs;
mod fixtures;
mod sql;
mod trail;

#[allow(unused_imports)]
pub use cast::*;
#[allow(unused_imports)]
pub use csvs::*;
#[allow(unused_imports)]
pub use sql::*;
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
    /// What eip is given as `EIP_DB`: the SQLite file, or the PostgreSQL URL of this Env's own
    /// database.
    pub db: PathBuf,
    /// The test clock (`EIP_NOW`) every run gets; empty: none, the real time.
    pub now: String,
    extra_env: HashMap<String, String>,
    /// On PostgreSQL, this Env's database (dropped with it).
    pg: Option<PgDb>,
}

/// The PostgreSQL server the tests run against (`EIP_TEST_PG`), if any.
pub fn pg_base() -> Option<String> {
    std::env::var("EIP_TEST_PG").ok().filter(|s| !s.trim().is_empty())
}

/// Whether the tests run against PostgreSQL.
pub fn on_pg() -> bool {
    pg_base().is_some()
}

/// A test about the SQLite file itself: on PostgreSQL it says so on stderr and is skipped
/// (`if sqlite_only("file modes") { return; }`).
pub fn sqlite_only(why: &str) -> bool {
    if on_pg() {
        eprintln!("SQLite only: {why}");
        true
    } else {
        false
    }
}

/// The URL of database `name` on the server at `base` (its database part replaced).
pub fn pg_url(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = head[scheme_end..].find('/').map(|i| scheme_end + i).unwrap_or(head.len());
    let mut url = format!("{}/{name}", &head[..host_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// A superuser connection to the server's base database (`EIP_TEST_PG`).
pub fn pg_admin() -> postgres::Client {
    let base = pg_base().expect("EIP_TEST_PG");
    postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| panic!("connect to EIP_TEST_PG {base}: {e}"))
}

/// One database on the PostgreSQL server, dropped (with the roles eip made for it) when this is.
pub struct PgDb {
    pub name: String,
    keep: bool,
}

impl PgDb {
    /// A fresh, empty database `name` (an old one by that name, left by a run that was killed,
    /// is dropped first).
    pub fn create(name: &str) -> PgDb {
        let mut c = pg_admin();
        drop_database(&mut c, name).unwrap_or_else(|e| panic!("drop database {name}: {e}"));
        c.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        PgDb { name: name.to_string(), keep: false }
    }

    /// A database `name` copied from `template` (which nobody may be connected to).
    pub fn copy(template: &str, name: &str) -> PgDb {
        let mut c = pg_admin();
        drop_database(&mut c, name).unwrap_or_else(|e| panic!("drop database {name}: {e}"));
        c.batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
            .unwrap_or_else(|e| panic!("copy database {template} to {name}: {e}"));
        PgDb { name: name.to_string(), keep: false }
    }

    /// Not dropped with this value (a fixture, kept for the copies).
    pub fn keep(mut self) -> String {
        self.keep = true;
        self.name.clone()
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if !self.keep {
            if let Ok(mut c) = postgres::Client::connect(&pg_base().unwrap_or_default(), postgres::NoTls) {
                if let Err(e) = drop_database(&mut c, &self.name) {
                    eprintln!("drop database {}: {e}", self.name);
                }
            }
        }
    }
}

/// Drop database `name` and the roles eip makes for it (`<name>_writer`, `<name>_reader`), if
/// they exist.
pub fn drop_database(c: &mut postgres::Client, name: &str) -> Result<(), postgres::Error> {
    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
    for role in [format!("{name}_writer"), format!("{name}_reader")] {
        c.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""))?;
    }
    Ok(())
}

/// A name for a new database of this process: `eip_t_<pid>_<n>`.
pub fn pg_name() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("eip_t_{}_{n}", std::process::id())
}

/// A copy of an Env's database (`Env::save_db`).
pub enum Saved {
    Lite(PathBuf),
    Pg(PgDb),
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

    /// A place in `dir`, its database `dir/eip.db` (on PostgreSQL a fresh database of its own),
    /// its clock `now`.
    fn at(dir: tempfile::TempDir, now: &str) -> Env {
        match pg_base() {
            Some(_) => Env::at_pg(dir, now, PgDb::create(&pg_name())),
            None => {
                let db = dir.path().join("eip.db");
                Env { dir, db, now: now.to_string(), extra_env: HashMap::new(), pg: None }
            }
        }
    }

    /// A place in `dir` whose database is `pg`.
    fn at_pg(dir: tempfile::TempDir, now: &str, pg: PgDb) -> Env {
        let db = PathBuf::from(pg_url(&pg_base().expect("EIP_TEST_PG"), &pg.name));
        Env { dir, db, now: now.to_string(), extra_env: HashMap::new(), pg: Some(pg) }
    }

    /// On PostgreSQL, the name of this Env's database.
    pub fn pg_name(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.name.as_str())
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

    /// A direct connection, to look into the database (on PostgreSQL as the server's superuser).
    pub fn conn(&self) -> Sql {
        Sql::open(&self.db.to_string_lossy())
    }

    /// Nothing was written to the database: on SQLite no file, on PostgreSQL no table and none
    /// of the roles eip makes.
    pub fn nothing_written(&self) -> bool {
        match &self.pg {
            None => !self.db.exists(),
            Some(pg) => {
                let tables = self.count(
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                );
                let roles = self.count(&format!(
                    "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname IN ('{0}_writer', '{0}_reader')",
                    pg.name
                ));
                tables == 0 && roles == 0
            }
        }
    }

    /// Whether the raw bytes of the database files (main file, WAL, shared memory) hold `needle`;
    /// on PostgreSQL, whether any row of any table does, as text.
    pub fn db_holds(&self, needle: &str) -> bool {
        if on_pg() {
            let c = self.conn();
            let tables: Vec<String> = c
                .prepare(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_catalog.pg_tables
                     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                )
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(!tables.is_empty(), "the database has tables");
            return tables.iter().any(|t| {
                let n: i64 = c
                    .query_row(&format!("SELECT count(*) FROM {t} r WHERE strpos(r::text, ?1) > 0"), [needle], |r| {
                        r.get(0)
                    })
                    .unwrap();
                n > 0
            });
        }
        let needle = needle.as_bytes();
        let mut names = vec![self.db.clone()];
        for ext in ["db-wal", "db-shm", "db-journal"] {
            names.push(self.db.with_extension(ext));
        }
        names.iter().any(|p| match std::fs::read(p) {
            Ok(bytes) => bytes.windows(needle.len()).any(|w| w == needle),
            Err(_) => false,
        })
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("count query {sql}: {e}"))
    }

    /// Keep a copy of the database as it is now, to return to with `restore_db` (nobody may be
    /// using it: on SQLite its WAL is checkpointed into the copy, on PostgreSQL it is a template).
    pub fn save_db(&self) -> Saved {
        match &self.pg {
            None => {
                self.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
                let copy = self.path("saved.db");
                std::fs::copy(&self.db, &copy).expect("copy the database");
                Saved::Lite(copy)
            }
            Some(pg) => Saved::Pg(PgDb::copy(&pg.name, &format!("{}_saved", pg.name))),
        }
    }

    /// The database as `save_db` kept it.
    pub fn restore_db(&self, saved: &Saved) {
        match (saved, &self.pg) {
            (Saved::Lite(copy), None) => {
                let _ = std::fs::remove_file(self.db.with_extension("db-wal"));
                let _ = std::fs::remove_file(self.db.with_extension("db-shm"));
                std::fs::copy(copy, &self.db).expect("restore the database");
            }
            (Saved::Pg(copy), Some(pg)) => {
                // The roles eip made for this database stay: the copy's grants name them.
                let mut c = pg_admin();
                // Each on its own: neither may run inside a transaction block.
                c.batch_execute(&format!("DROP DATABASE \"{}\" WITH (FORCE)", pg.name)).expect("drop the database");
                c.batch_execute(&format!("CREATE DATABASE \"{}\" TEMPLATE \"{}\"", pg.name, copy.name))
                    .expect("restore the database");
            }
            _ => panic!("a database saved on the other backend"),
        }
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
