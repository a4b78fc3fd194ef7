//! The database beyond one file (docs/DEPLOYMENT.md): `eip db copy` between the backends, and on
//! PostgreSQL the least-privilege roles, the password file, and what a lost connection or a
//! killed process leaves. The copy's tests run on either backend; the rest need a server
//! (`EIP_TEST_PG`) and say so when there is none.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{on_pg, pg_admin, pg_base, pg_url, Env, PgDb, ADMIN, PASSWORD};

/// A place for a second database: on PostgreSQL a fresh database (dropped with the guard), else a
/// file in the Env's directory.
fn second_db(env: &Env, name: &str) -> (String, Option<PgDb>) {
    match pg_base() {
        Some(base) => {
            let db_name = format!("eip_t_{}_{name}_{}", std::process::id(), rand_suffix());
            let db = PgDb::create(&db_name);
            (pg_url(&base, &db_name), Some(db))
        }
        None => (env.path(&format!("{name}.db")).display().to_string(), None),
    }
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

/// `audit verify` on `db` with the Ministry admin's API token (tokens travel with a copy; a
/// sign-in would add an event): its events and head.
fn verified_head(env: &Env, token: &str, db: &str) -> String {
    let r = Env::run_cmd(env.command_with_token(token, &["--db", db, "--format", "json", "audit", "verify"]), None);
    r.ok();
    let v = r.json();
    format!("{} {}", v["events"], v["head"].as_str().unwrap_or_else(|| panic!("no head in {v}")))
}

#[test]
fn spec9_db_copy_moves_every_table_and_both_ends_verify_to_the_same_head() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    env.run(Some(&county), &["school", "add", "2113010099", "长安区第一小学", "--unit", "130102"]).ok();
    let here = env.db.display().to_string();
    let token = env.token_record(ADMIN, "copy", "30")["token"].as_str().unwrap().to_string();
    let head = verified_head(&env, &token, &here);

    // To the other backend (PostgreSQL when there is a server, else a second file), and back.
    let (there, _guard) = second_db(&env, "copy");
    let r = env.run(None, &["db", "copy", "--from", &here, "--to", &there]);
    r.ok().stderr_has("audit head");
    assert_eq!(verified_head(&env, &token, &there), head, "the copy verifies to the source's head");
    let back = env.path("back.db").display().to_string();
    env.run(None, &["db", "copy", "--from", &there, "--to", &back]).ok();
    assert_eq!(verified_head(&env, &token, &back), head, "and so does the copy of the copy");

    // The copy is a database eip works in: the county's school is there, and a new one numbers on.
    env.run_stdin(Some(&county), &["--db", &back, "login", &county, "--password-stdin"], &format!("{PASSWORD}\n")).ok();
    env.run(Some(&county), &["--db", &back, "--format", "tsv", "school", "list"]).ok().stdout_has("2113010099");
    env.run_stdin(Some(ADMIN), &["--db", &there, "login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n"));
    env.run(Some(ADMIN), &["--db", &there, "unit", "add", "130199", "测试县", "--parent", "130100"]).ok();

    // A target that holds a database is refused, and left as it was.
    let before = verified_head(&env, &token, &back);
    let again = env.run(None, &["db", "copy", "--from", &here, "--to", &back]);
    again.code(5).stderr_has("already");
    assert_eq!(verified_head(&env, &token, &back), before);
}

#[test]
fn spec9_a_failed_copy_leaves_no_database_behind() {
    let env = Env::new();
    let missing = env.path("missing.db").display().to_string();
    let target = env.path("target.db");
    env.run(None, &["db", "copy", "--from", &missing, "--to", &target.display().to_string()]).code(7);
    assert!(!target.exists(), "nothing is created when the source cannot be read");
}

#[test]
fn spec9_the_role_eip_runs_as_cannot_rewrite_history_even_with_its_own_sql() {
    let Some(base) = pg_base() else {
        eprintln!("PostgreSQL only: needs EIP_TEST_PG");
        return;
    };
    // Initialised here (not a fixture's copy), so the roles are named for this database.
    let env = Env::empty();
    env.initialise();
    let db_name = env.db.display().to_string().rsplit('/').next().unwrap().to_string();
    let host = format!("host_{}_{}", std::process::id(), rand_suffix());
    let analyst = format!("ana_{}_{}", std::process::id(), rand_suffix());
    let mut admin = pg_admin();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {host} LOGIN IN ROLE \"{db_name}_writer\"; CREATE ROLE {analyst} LOGIN IN ROLE \"{db_name}_reader\""
        ))
        .unwrap();
    let as_host = pg_url(&base, &db_name).replacen("postgres@", &format!("{host}@"), 1);
    assert!(as_host.contains(&host), "{as_host}");

    // eip itself works as the host's role: sign in, add a unit, verify the chain.
    env.run_stdin(Some(ADMIN), &["--db", &as_host, "login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n")).ok();
    env.run(Some(ADMIN), &["--db", &as_host, "unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    env.run(Some(ADMIN), &["--db", &as_host, "audit", "verify"]).ok();

    // The same role, with its own SQL: history cannot be changed, nor its guards taken away.
    let mut c = postgres::Client::connect(&as_host, postgres::NoTls).unwrap();
    // The grants refuse what touches the audit table or the schema (42501, before any trigger
    // runs); the triggers refuse deleting history the role may otherwise write (P0001).
    for (sql, want) in [
        ("UPDATE audit SET actor = 'nobody' WHERE seq = 1", "42501"),
        ("DELETE FROM audit WHERE seq = 1", "42501"),
        ("TRUNCATE audit", "42501"),
        ("ALTER TABLE audit DISABLE TRIGGER ALL", "42501"),
        ("DROP TABLE audit", "42501"),
        ("DELETE FROM account", "P0001"),
        ("DELETE FROM org", "P0001"),
    ] {
        let e = c.batch_execute(sql).expect_err(sql);
        assert_eq!(e.code().map(|s| s.code()), Some(want), "{sql}: {e:?}");
    }
    // It may append (that is its job), but a forged event breaks the chain, and verify says so.
    c.batch_execute(
        "INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash)
         SELECT max(seq) + 1, '2026-11-20T02:00:00Z', 'forger', 'unit.add', '{}', 'x', 'y' FROM audit",
    )
    .unwrap();
    env.run(Some(ADMIN), &["--db", &as_host, "audit", "verify"]).code(8);

    // The analyst reads the views and nothing else.
    let as_analyst = pg_url(&base, &db_name).replacen("postgres@", &format!("{analyst}@"), 1);
    let mut a = postgres::Client::connect(&as_analyst, postgres::NoTls).unwrap();
    let n: i64 = a.query_one("SELECT count(*) FROM v_audit", &[]).unwrap().get(0);
    assert!(n > 0);
    for sql in ["SELECT * FROM account", "SELECT * FROM audit", "INSERT INTO setting VALUES ('x', 'y')"] {
        let e = a.batch_execute(sql).expect_err(sql);
        assert_eq!(e.code().map(|s| s.code()), Some("42501"), "{sql}: {e:?}");
    }
    drop((c, a));
    let _ = admin.batch_execute(&format!("DROP OWNED BY {host}, {analyst}; DROP ROLE {host}; DROP ROLE {analyst}"));
}

#[test]
fn spec9_the_password_comes_from_the_password_file_never_from_the_url() {
    let Some(base) = pg_base() else {
        eprintln!("PostgreSQL only: needs EIP_TEST_PG");
        return;
    };
    // Initialised here (not a fixture's copy), so the roles are named for this database.
    let env = Env::empty();
    env.initialise();
    let db_name = env.db.display().to_string().rsplit('/').next().unwrap().to_string();
    // The server asks this role for its password (.ci/pg); every other local role is trusted.
    let secret = format!("pw-{}-{}", std::process::id(), rand_suffix());
    let mut admin = pg_admin();
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eip_pw_test') THEN
                 CREATE ROLE eip_pw_test LOGIN; END IF; END $$;
             ALTER ROLE eip_pw_test PASSWORD '{secret}'; GRANT \"{db_name}_writer\" TO eip_pw_test"
        ))
        .unwrap();
    let url = pg_url(&base, &db_name).replacen("postgres@", "eip_pw_test@", 1);
    let (host_port, _) = url.split_once("://").unwrap().1.split_once('@').unwrap().1.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));

    // With the password in the URL: refused before connecting, and the password is not repeated.
    let with = url.replacen("eip_pw_test@", &format!("eip_pw_test:{secret}@"), 1);
    let r = env.run(None, &["--db", &with, "report", "calendar"]);
    r.code(2).stderr_has(".pgpass");
    assert!(!r.stderr.contains(&secret) && !r.stdout.contains(&secret));

    let file = env.path("pgpass");
    std::fs::write(&file, format!("# eip hosts\n{host}:{port}:{db_name}:eip_pw_test:{secret}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut c = env.command(None, &["--db", &url, "report", "calendar"]);
    c.env("PGPASSFILE", &file).env_remove("PGPASSWORD");
    let r = Env::run_cmd(c, None);
    // Whether or not the server asks this role for a password, the file is read and eip runs
    // (`report calendar` without `--period` reads the database's clock: it connects).
    r.ok().stdout_has("deadline");
    assert!(!r.stderr.contains("can be read by others"), "a 0600 file draws no warning: {}", r.stderr);

    // The same file readable by others is ignored, with the warning that says so (as libpq).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = env.command(None, &["--db", &url, "report", "calendar"]);
        c.env("PGPASSFILE", &file).env_remove("PGPASSWORD");
        let r = Env::run_cmd(c, None);
        r.stderr_has("can be read by others");
        assert_eq!(r.stderr.matches("can be read by others").count(), 1, "one warning: {}", r.stderr);
        assert!(!r.stderr.contains(&secret) && !r.stdout.contains(&secret));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // Without the file, a server that asks for the password refuses, and eip says where it goes.
    let asks: bool = admin
        .query_one("SELECT count(*) > 0 FROM pg_hba_file_rules WHERE 'eip_pw_test' = ANY(user_name)", &[])
        .map(|r| r.get(0))
        .unwrap_or(false);
    if asks {
        let mut c = env.command(None, &["--db", &url, "report", "calendar"]);
        c.env("PGPASSFILE", env.path("none")).env_remove("PGPASSWORD").env("HOME", env.path("home"));
        let r = Env::run_cmd(c, None);
        r.code(7).stderr_has("~/.pgpass");
    } else {
        eprintln!("the server trusts eip_pw_test: the refusal without a password is not checked here");
    }
    let _ = admin.batch_execute(&format!("REVOKE \"{db_name}_writer\" FROM eip_pw_test"));
}

/// Another session adds, without committing, the school the import's last row names, so the
/// import — past the write lock, its first batches written — waits on that row's unique code.
const HELD_CODE: &str = "2113002000";
fn hold_the_last_school(holder: &mut postgres::Client) {
    holder
        .batch_execute(&format!(
            "BEGIN; INSERT INTO org(code, name, level, parent_id, path, created_at)
             SELECT '{HELD_CODE}', 'held', 'school', id, path || '{HELD_CODE}/', '2026-01-01T00:00:00Z'
             FROM org WHERE code = '130102'"
        ))
        .unwrap();
}

/// Wait until an eip process on `db_name` waits for a lock inside an `INSERT` (it has written
/// part of its change): its pid.
fn writing_and_waiting(admin: &mut postgres::Client, db_name: &str) -> i32 {
    let waiting = Instant::now();
    loop {
        let rows = admin
            .query(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'eip' AND wait_event_type = 'Lock'",
                &[&db_name],
            )
            .unwrap();
        if let Some(r) = rows.first() {
            let query: String = r.get(1);
            assert!(query.trim_start().starts_with("INSERT"), "the import waits past the write lock, writing: {query}");
            return r.get(0);
        }
        assert!(waiting.elapsed() < Duration::from_secs(30), "the import never waited inside an INSERT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The connection lost in the middle of a write (what a restarted server does to its clients:
/// it ends their sessions): exit 7 with the way out, and nothing of the change written.
#[test]
fn spec9_a_connection_lost_mid_write_is_exit_7_and_writes_nothing() {
    if !on_pg() {
        eprintln!("PostgreSQL only: needs EIP_TEST_PG");
        return;
    }
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let db_name = env.db.display().to_string().rsplit('/').next().unwrap().to_string();
    let schools_before = env.count("SELECT count(*) FROM org WHERE level = 'school'");
    let events_before = env.count("SELECT count(*) FROM audit");
    let mut csv = String::from("code,name,kind,unit\n");
    for i in 1..=2_000 {
        csv.push_str(&format!("2113{i:06},学校{i},school,130102\n"));
    }
    let file = env.write_file("schools.csv", csv.as_bytes());

    // The import writes its first batches, then waits on the school another session holds …
    let mut holder = postgres::Client::connect(&env.db.display().to_string(), postgres::NoTls).unwrap();
    hold_the_last_school(&mut holder);
    let mut c = env.command(Some(&county), &["school", "import", &file]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    let mut admin = pg_admin();
    let pid = writing_and_waiting(&mut admin, &db_name);
    // … and the server ends its session, as a restart would.
    admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).unwrap();
    let r = common::Run::finished(child);
    holder.batch_execute("ROLLBACK").unwrap();
    r.code(7).stderr_has("nothing of this change was written");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), schools_before);
    assert_eq!(env.count("SELECT count(*) FROM audit"), events_before);
    env.admin(&["audit", "verify"]).ok();
    // Run again once the server is back: the whole file.
    env.run(Some(&county), &["school", "import", &file]).ok();
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), schools_before + 2_000);
}

/// A write waits for another's lock at most the lock timeout, then is exit 7 "busy"; an
/// initialised database is never initialised again.
#[test]
fn spec9_init_on_postgresql_refuses_an_initialised_database_and_doctor_passes() {
    if !on_pg() {
        eprintln!("PostgreSQL only: needs EIP_TEST_PG");
        return;
    }
    let env = Env::new();
    env.run_stdin(None, &common::init_args(), &format!("{PASSWORD}\n")).code(5).stderr_has("already");
    env.admin(&["doctor"]).ok();
    let r = env.run(None, &["--db", "postgres://eip@127.0.0.1:1/none?sslmode=sometimes", "report", "calendar"]);
    r.code(2).stderr_has("sslmode");
    let r = env.run(None, &["--db", "postgres://eip@127.0.0.1:1/none?sslmode=disable", "report", "calendar"]);
    r.code(7).stderr_has("cannot reach");
}

/// The settings named `key`, counted by a statement whose `?1 IS NULL` alone leaves PostgreSQL
/// unable to tell the parameter's type (42P18).
fn untyped_count(tx: &eip::store::Tx, key: &str) -> eip::error::Result<i64> {
    let none: Option<String> = None;
    tx.one(
        "SELECT count(*) FROM setting WHERE ?1 IS NULL AND key = ?2",
        &[&none as &dyn eip::store::Param, &key as &dyn eip::store::Param],
        |r| r.get(0),
    )
}

/// A write's first prepare of a statement goes without a savepoint (two round trips fewer per
/// statement); when the server cannot type a parameter there, the write is run again with that
/// statement prepared under a savepoint, and what the first run did is not written.
#[test]
fn spec9_a_write_the_server_cannot_type_at_first_runs_again_and_is_written_once() {
    if !on_pg() {
        eprintln!("skipped: EIP_TEST_PG is not set (a PostgreSQL-only path)");
        return;
    }
    let env = Env::national();
    let mut db = eip::store::Db::open(&env.db, None).expect("open the test database");
    let mut runs = 0;
    let counted: i64 = db
        .write(&eip::model::AuditActor::system(), |tx| {
            runs += 1;
            let run = runs.to_string();
            tx.exec("INSERT INTO setting(key, value) VALUES ('retry_probe', ?1)", &[&run as &dyn eip::store::Param])?;
            untyped_count(tx, "retry_probe")
        })
        .expect("the write succeeds on its second run");
    assert_eq!(runs, 2, "the refused prepare ran the write again");
    assert_eq!(counted, 1, "the second run sees only its own row");
    let stored: Vec<String> = db
        .conn
        .all("SELECT value FROM setting WHERE key = 'retry_probe'", &[], |r| r.get(0))
        .expect("read the probe back");
    assert_eq!(stored, vec!["2".to_string()], "the first run's row was rolled back");
    // Once marked, the statement is prepared guarded: a second write runs once.
    let mut again = 0;
    db.write(&eip::model::AuditActor::system(), |tx| {
        again += 1;
        untyped_count(tx, "retry_probe")
    })
    .expect("the second write");
    assert_eq!(again, 1);

    // A transaction nothing runs again (`init`'s, a copy's) prepares under a savepoint: the same
    // kind of statement, new on this connection, succeeds the first time.
    let (url, _created) = second_db(&env, "create");
    let (_db, found) = eip::store::Db::create(Path::new(&url), None, false, &eip::model::AuditActor::system(), |tx| {
        untyped_count(tx, "created_at")
    })
    .expect("a new database whose first transaction meets an untyped parameter");
    assert_eq!(found, 1);
}

/// Where PostgreSQL's programs are, as `.ci/pg` finds them.
fn pg_bin() -> String {
    std::env::var("PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into())
}

/// A PostgreSQL server of this test's own (`.ci/pg start`), stopped and removed when dropped.
struct OwnServer {
    dir: String,
    url: String,
}

impl OwnServer {
    fn start() -> OwnServer {
        let pg = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg");
        let out = std::process::Command::new("bash")
            .arg(pg)
            .arg("start")
            .env("EIP_PG_FIRST_PORT", "54700")
            .stderr(Stdio::inherit())
            .output()
            .expect("run .ci/pg start");
        let text = String::from_utf8_lossy(&out.stdout);
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .map(str::to_string)
                .unwrap_or_else(|| panic!(".ci/pg start printed no {name}: {text}"))
        };
        let server = OwnServer { dir: var("EIP_TEST_PG_DIR"), url: var("EIP_TEST_PG") };
        assert!(out.status.success(), ".ci/pg start failed: {text}");
        server
    }

    /// `pg_ctl restart -m fast`: every session ended, the server back on the same port.
    fn restart(&self) {
        let pg_ctl = format!("{}/pg_ctl", pg_bin());
        let data = format!("{}/data", self.dir);
        let root =
            std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
        let mut c = if root {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--", &pg_ctl]);
            c
        } else {
            std::process::Command::new(&pg_ctl)
        };
        let log = format!("{}/server.log", self.dir);
        let ok =
            c.args(["-D", &data, "-l", &log, "-m", "fast", "-w", "-t", "60", "restart"]).stdout(Stdio::null()).status();
        assert!(ok.is_ok_and(|s| s.success()), "pg_ctl restart");
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let pg = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg");
        let _ = std::process::Command::new("bash").args([pg, "stop", &self.dir]).stderr(Stdio::null()).status();
    }
}

/// The server restarted for real (`pg_ctl restart`) while an import waits inside its transaction:
/// exit 7 with the way out, nothing of the import written, and the same import runs once the
/// server is back. On a server of the test's own, since a restart ends every session on it.
#[test]
fn spec9_the_server_restarted_mid_import_is_exit_7_and_nothing_half_written() {
    if !on_pg() {
        eprintln!("PostgreSQL only: needs EIP_TEST_PG");
        return;
    }
    // With a server to test against, its tools are there too (.ci/pg starts it with them).
    assert!(Path::new(&format!("{}/pg_ctl", pg_bin())).exists(), "no pg_ctl in {} (set PG_BIN)", pg_bin());
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let token = env.token_record(&county, "restart", "30")["token"].as_str().unwrap().to_string();
    let ministry = env.token_record(ADMIN, "restart", "30")["token"].as_str().unwrap().to_string();
    let server = OwnServer::start();
    let db = format!("{}/eip_restart", server.url.rsplit_once('/').unwrap().0);
    let mut admin = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    admin.batch_execute("CREATE DATABASE eip_restart").unwrap();
    env.run(None, &["db", "copy", "--from", &env.db.display().to_string(), "--to", &db, "-q"]).ok();
    let count = |sql: &str| -> i64 {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
        c.query_one(&format!("SELECT ({sql})::bigint"), &[]).unwrap().get(0)
    };
    let schools_before = count("SELECT count(*) FROM org WHERE level = 'school'");
    let events_before = count("SELECT count(*) FROM audit");
    let mut csv = String::from("code,name,kind,unit\n");
    for i in 1..=2_000 {
        csv.push_str(&format!("2113{i:06},学校{i},school,130102\n"));
    }
    let file = env.write_file("schools.csv", csv.as_bytes());

    // The import writes its first batches, then waits on the school another session holds …
    let mut holder = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    hold_the_last_school(&mut holder);
    let mut c = env.command_with_token(&token, &["--db", &db, "school", "import", &file]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    writing_and_waiting(&mut admin, "eip_restart");
    // … when the server restarts.
    drop(admin);
    server.restart();
    let r = common::Run::finished(child);
    drop(holder);
    r.code(7).stderr_has("nothing of this change was written");
    assert_eq!(count("SELECT count(*) FROM org WHERE level = 'school'"), schools_before, "no school written");
    assert_eq!(count("SELECT count(*) FROM audit"), events_before, "no audit event written");
    Env::run_cmd(env.command_with_token(&ministry, &["--db", &db, "audit", "verify"]), None).ok();
    // Run again, the server back: the whole file, once.
    Env::run_cmd(env.command_with_token(&token, &["--db", &db, "school", "import", &file, "-q"]), None).ok();
    assert_eq!(count("SELECT count(*) FROM org WHERE level = 'school'"), schools_before + 2_000);
}

/// A statement that fails inside a write aborts the transaction on PostgreSQL, and the server
/// answers the `COMMIT` that follows by rolling back, without an error. Should a failure ever be
/// swallowed, the write must fail rather than report a change that was never written.
#[test]
fn spec9_a_write_whose_statement_failed_is_never_reported_done() {
    if !on_pg() {
        eprintln!("skipped: EIP_TEST_PG is not set (a PostgreSQL-only path)");
        return;
    }
    let env = Env::national();
    let mut db = eip::store::Db::open(&env.db, None).expect("open the test database");
    let done = db.write(&eip::model::AuditActor::system(), |tx| {
        let _ = tx.exec("UPDATE org SET no_such_column = 1", &[]);
        tx.exec("INSERT INTO setting(key, value) VALUES ('swallowed_probe', 'x')", &[])?;
        Ok(())
    });
    // (On PostgreSQL the INSERT after the failure fails too, 25P02; swallow it as well.)
    let swallowed = db.write(&eip::model::AuditActor::system(), |tx| {
        let _ = tx.exec("UPDATE org SET no_such_column = 1", &[]);
        let _ = tx.exec("INSERT INTO setting(key, value) VALUES ('swallowed_probe', 'y')", &[]);
        Ok(())
    });
    assert!(done.is_err(), "the second statement's own failure is passed on");
    let e = swallowed.expect_err("a write whose failures were all swallowed is not done");
    assert!(format!("{e:#}").contains("nothing of it was written"), "{e:#}");
    let n: i64 = db.conn.one("SELECT count(*) FROM setting WHERE key = 'swallowed_probe'", &[], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    // The connection is usable afterwards.
    db.write(&eip::model::AuditActor::system(), |tx| {
        tx.exec("INSERT INTO setting(key, value) VALUES ('swallowed_probe', 'z')", &[])?;
        Ok(())
    })
    .expect("a clean write");
}
