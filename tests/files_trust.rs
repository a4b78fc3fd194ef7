//! Files eip creates and reads ("Files eip creates are private", "Sessions"; §7 the
//! checkpoint; §8 exit codes; §9 storage): private whatever the umask, never through a symbolic
//! link, a damaged database said in words, a chain that shows it was cut, session files that
//! cannot hang the command.

mod common;
use common::*;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- helpers

/// The same command, run by `sh` under umask 022 (what most systems give a login shell).
fn under_umask_022(c: Command) -> Command {
    let mut s = Command::new("sh");
    s.arg("-c").arg("umask 022; exec \"$0\" \"$@\"").arg(c.get_program()).args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => s.env(k, v),
            None => s.env_remove(k),
        };
    }
    s
}

/// Run a command with a time limit: `None` if it had to be killed (it hung).
fn run_with_timeout(mut c: Command, limit: Duration) -> Option<Run> {
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("eip runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return Some(Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg("-m").arg("600").arg(p).status().expect("mkfifo runs");
    assert!(st.success(), "mkfifo {}", p.display());
}

/// The one session file of a person (their own config dir).
fn session_path(env: &Env, user: &str) -> PathBuf {
    let files = env.session_files(user);
    assert_eq!(
        files.len(),
        1,
        "one session file in {}: {files:?}",
        env.config_dir(Some(user)).join("sessions").display()
    );
    files.into_iter().next().unwrap()
}

// ---------------------------------------------------------------- private files

#[test]
fn spec2_every_file_eip_creates_is_0600_under_umask_022() {
    let env = Env::empty();
    let run = |user: Option<&str>, args: &[&str], stdin: Option<&str>| {
        Env::run_cmd(under_umask_022(env.command(user, args)), stdin)
    };
    run(None, &init_args(), Some(&format!("{PASSWORD}\n"))).ok();
    run(Some(ADMIN), &["login", ADMIN, "--password-stdin"], Some(&format!("{PASSWORD}\n"))).ok();
    run(Some(ADMIN), &["unit", "import", &data("divisions.csv")], None).ok();
    let codes = env.path("codes.csv");
    let form = env.write_file(
        "form.csv",
        "序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱\n1,孙强,130102,区县级审核员,电教站,站长,0311-85000002,13910000022,\n"
            .as_bytes(),
    );
    run(Some(ADMIN), &["account", "import", &form, "--codes-out", codes.to_str().unwrap()], None).ok();
    let units = env.path("units.csv");
    run(Some(ADMIN), &["unit", "export", "--under", "130000", "-o", units.to_str().unwrap()], None).ok();
    let events = env.path("events.jsonl");
    run(Some(ADMIN), &["audit", "export", "-o", events.to_str().unwrap()], None).ok();
    let rejects = env.path("rejects.csv");
    let bad = env.write_file("bad.csv", "code,name,level,parent\n139999,x,county,999999\n".as_bytes());
    run(Some(ADMIN), &["unit", "import", &bad, "--rejects", rejects.to_str().unwrap()], None).code(6);

    let wal = PathBuf::from(format!("{}-wal", env.db.display()));
    let shm = PathBuf::from(format!("{}-shm", env.db.display()));
    let session = session_path(&env, ADMIN);
    let mut files = vec![&session, &codes, &units, &events, &rejects];
    // The database and its companions are files on SQLite only.
    if !on_pg() {
        files.extend([&env.db, &wal, &shm]);
    }
    for p in files {
        assert_eq!(mode_of(p), 0o600, "{} is {:o}", p.display(), mode_of(p));
    }
    let checkpoint = env.path("head.json");
    run(Some(ADMIN), &["audit", "checkpoint", "-o", checkpoint.to_str().unwrap()], None).ok();
    assert_eq!(mode_of(&checkpoint), 0o600, "the checkpoint");
    assert_eq!(mode_of(session.parent().unwrap()), 0o700, "the sessions directory");
    // An export over an existing file others could read is made private too.
    std::fs::set_permissions(&units, std::fs::Permissions::from_mode(0o644)).unwrap();
    run(Some(ADMIN), &["unit", "export", "--under", "130000", "-o", units.to_str().unwrap()], None).ok();
    assert_eq!(mode_of(&units), 0o600, "an overwritten export");
}

#[test]
fn spec2_the_demo_database_is_0600_under_umask_022() {
    let env = Env::empty();
    // The demo's own file, on either backend.
    let db = env.path("demo.db");
    let mut c = env.command(None, &["demo", "--db", db.to_str().unwrap()]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(under_umask_022(c), None).ok();
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode_of(&p), 0o600, "{} is {:o}", p.display(), mode_of(&p));
    }
}

#[test]
fn spec2_an_older_databases_open_companions_are_narrowed_and_a_readable_database_is_warned_of() {
    if sqlite_only("the modes of the database file and its -wal/-shm") {
        return;
    }
    let env = Env::new();
    let wal = PathBuf::from(format!("{}-wal", env.db.display()));
    let shm = PathBuf::from(format!("{}-shm", env.db.display()));
    // eip opens the database (Env::new's is a checkpointed copy: one file) and leaves its WAL
    // companions; what an older eip left behind under umask 022.
    env.admin(&["whoami"]).ok();
    for p in [&wal, &shm] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    env.admin(&["whoami"]).ok().stderr_lacks("warning");
    for p in [&wal, &shm] {
        assert_eq!(mode_of(p), 0o600, "{} narrowed to the database's mode", p.display());
    }
    // The database's own mode is the operator's: not changed, but a readable one is said.
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.admin(&["whoami"]).ok().stderr_has("can be read by other users").stderr_has("chmod 600");
    assert_eq!(mode_of(&env.db), 0o644);
    // A group-shared database (0640) keeps its companions at most 0640, and no warning.
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o666)).unwrap();
    env.admin(&["whoami"]).ok().stderr_lacks("warning");
    assert_eq!(mode_of(&wal), 0o640);
}

#[test]
fn spec2_an_export_is_never_written_through_a_symlink_or_into_a_fifo() {
    let env = Env::new();
    let target = env.write_file("precious.txt", b"keep me\n");
    let link = env.path("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for args in [
        vec!["unit", "export", "-o", link.to_str().unwrap()],
        vec!["audit", "export", "-o", link.to_str().unwrap()],
        vec!["audit", "checkpoint", "-o", link.to_str().unwrap()],
    ] {
        env.admin(&args).code(5).stderr_has("symbolic link").stderr_has("hint:");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me\n", "{args:?}: the link's target is untouched");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
    // A FIFO at the -o path: refused at once, not a hang waiting for a reader.
    let fifo = env.path("fifo.csv");
    mkfifo(&fifo);
    let r = run_with_timeout(
        env.command(Some(ADMIN), &["unit", "export", "-o", fifo.to_str().unwrap()]),
        Duration::from_secs(20),
    )
    .expect("an export into a FIFO must not hang");
    r.code(5).stderr_has("not a regular file");
}

#[test]
fn spec9_a_database_made_with_an_empty_file_at_a_symlink_is_refused() {
    if sqlite_only("a link at the database file's path") {
        return;
    }
    let env = Env::empty();
    let target = env.write_file("elsewhere.db", b"");
    std::os::unix::fs::symlink(&target, &env.db).unwrap();
    env.run_stdin(None, &init_args(), &format!("{PASSWORD}\n")).code(5).stderr_has("symbolic link");
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 0, "nothing written through the link");
}

// ---------------------------------------------------------------- damaged files

/// Overwrite bytes in every 37th page of the database (its WAL checkpointed first): `how` turns
/// a page's bytes into damaged ones.
fn damage(env: &Env, how: impl Fn(&mut [u8])) {
    let (page_size, pages): (i64, i64) = {
        let c = env.conn();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        c.lite().pragma_update(None, "journal_mode", "DELETE").unwrap();
        let ps = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let n = c.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        (ps, n)
    };
    assert!(pages > 74, "a database big enough to damage: {pages} pages");
    let mut bytes = std::fs::read(&env.db).unwrap();
    // Every 19th page: the org table's text among them, whatever else the schema holds.
    let mut page = 19;
    while page <= pages {
        let start = ((page - 1) * page_size) as usize;
        how(&mut bytes[start..start + page_size as usize]);
        page += 19;
    }
    std::fs::write(&env.db, bytes).unwrap();
}

#[test]
fn spec9_a_damaged_database_is_said_in_words_with_exit_7() {
    if sqlite_only("a damaged database file") {
        return;
    }
    let env = Env::national();
    // The end of a page holds its cells: garbage there breaks the records themselves.
    damage(&env, |page| {
        let n = page.len();
        page[n - 300..n - 100].fill(0xFF)
    });
    for args in [vec!["doctor"], vec!["audit", "verify"]] {
        let r = env.admin(&args);
        r.code(7)
            .stderr_has("is damaged")
            .stderr_has("restore it from a backup")
            .stderr_has(".recover")
            .stderr_lacks("Conversion error");
    }
    // In JSON too, with its kind.
    let r = env.admin(&["doctor", "--format", "json"]);
    r.code(7).stderr_has("\"kind\":\"database\"").stderr_has("\"exit_code\":7");
}

#[test]
fn spec9_text_that_is_not_utf8_is_damage_too_not_a_conversion_error() {
    if sqlite_only("a damaged database file") {
        return;
    }
    let env = Env::national();
    // Only the lead bytes of Chinese characters overwritten: the records stay whole, their text
    // is no longer UTF-8 (what SQLite's page checks cannot see).
    damage(&env, |page| {
        for b in page.iter_mut().filter(|b| (0xE4..=0xE9).contains(*b)) {
            *b = 0xFF;
        }
    });
    for args in [vec!["audit", "verify"], vec!["unit", "list", "--format", "csv"], vec!["audit", "log", "--limit", "0"]]
    {
        let r = env.admin(&args);
        r.code(7).stderr_has("is damaged").stderr_has(".recover").stderr_lacks("Conversion error");
    }
}

#[test]
fn spec9_an_impossible_schema_version_is_refused() {
    if sqlite_only("PRAGMA user_version") {
        return;
    }
    let env = Env::new();
    env.conn().lite().pragma_update(None, "user_version", -1).unwrap();
    env.admin(&["whoami"]).code(7).stderr_has("schema version -1").stderr_has("hint:");
    env.admin(&["doctor"]).code(7).stderr_has("schema version -1");
    let v: i64 = env.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, -1, "the file is left as it was");
}

// ---------------------------------------------------------------- the checkpoint

fn checkpoint_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn spec7_a_checkpoint_shows_that_the_newest_events_were_cut_off() {
    let env = Env::new();
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    let cp = env.path("head.json");
    let before = env.audit_count();
    let r = env.admin(&["audit", "checkpoint", "-o", cp.to_str().unwrap()]);
    r.ok().stderr_has(&format!("event {before}"));
    assert_eq!(env.audit_count(), before, "a checkpoint is a read: the head it wrote is still the head");
    let j = checkpoint_json(&cp);
    assert_eq!(j["seq"], before);
    let head: String =
        env.conn().query_row("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(j["hash"], head.as_str());
    assert!(j["at"].as_str().is_some());
    assert_eq!(mode_of(&cp), 0o600);

    // Later events: the chain still reaches the checkpoint.
    env.admin(&["unit", "add", "140000", "山西省", "--parent", "000000"]).ok();
    env.admin(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]).ok().stderr_has("reaches checkpoint");
    // Deleting events after the checkpoint is beyond what it covers.
    let c = env.conn();
    c.tamper_audit("audit_no_delete", "DELETE FROM audit WHERE seq > ?1", [before]).unwrap();
    env.admin(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]).ok();

    // The newest two events it covered, deleted behind eip's back: plain verify cannot tell…
    c.tamper_audit("audit_no_delete", "DELETE FROM audit WHERE seq > ?1", [before - 2]).unwrap();
    env.admin(&["audit", "verify"]).ok();
    // …the checkpoint can.
    let r = env.admin(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
    r.code(8)
        .stderr_has(&format!(
            "the chain ends at event {} but checkpoint {} covers event {before}",
            before - 2,
            cp.display()
        ))
        .stderr_has("hint:");
    assert_eq!(env.audit_count(), before - 2, "verify writes nothing");

    // An event rewritten in the checkpoint's place: a different hash at that seq.
    let other = env.path("other.json");
    let mut forged = checkpoint_json(&cp);
    forged["seq"] = serde_json::json!(before - 3);
    std::fs::write(&other, forged.to_string()).unwrap();
    env.admin(&["audit", "verify", "--checkpoint", other.to_str().unwrap()])
        .code(8)
        .stderr_has(&format!("event {} is not the one checkpoint", before - 3));
}

#[test]
fn spec7_a_malformed_or_missing_checkpoint_is_invalid_input() {
    let env = Env::new();
    let bad = env.write_file("bad.json", b"{\"seq\": \"x\"}");
    env.admin(&["audit", "verify", "--checkpoint", &bad]).code(6).stderr_has("not an eip audit checkpoint");
    let bin = env.write_file("bin.json", &[0xFF, 0x00, 0xFE]);
    env.admin(&["audit", "verify", "--checkpoint", &bin]).code(6).stderr_has("not an eip audit checkpoint");
    let missing = env.path("missing.json");
    env.admin(&["audit", "verify", "--checkpoint", missing.to_str().unwrap()]).code(6).stderr_has("cannot read");
    let fifo = env.path("cp.fifo");
    mkfifo(&fifo);
    let r = run_with_timeout(
        env.command(Some(ADMIN), &["audit", "verify", "--checkpoint", fifo.to_str().unwrap()]),
        Duration::from_secs(20),
    )
    .expect("a FIFO checkpoint must not hang");
    r.code(6).stderr_has("not a regular file");
    // A county admin may not take one (exit 3), as for verify.
    env.admin(&["unit", "add", "130000", "河北省", "--parent", "000000"]).ok();
    let p = env.person("130000", "admin", "省管", "13700000001");
    env.run(Some(&p), &["audit", "checkpoint"]).code(3);
}

// ---------------------------------------------------------------- session files

#[test]
fn spec2_a_fifo_session_file_is_refused_not_waited_on() {
    let env = Env::new();
    let s = session_path(&env, ADMIN);
    std::fs::remove_file(&s).unwrap();
    mkfifo(&s);
    let r = run_with_timeout(env.command(Some(ADMIN), &["whoami"]), Duration::from_secs(20))
        .expect("whoami with a FIFO session file must not hang");
    r.code(3).stderr_has("your saved session is unreadable").stderr_has("eip login USERNAME").stderr_lacks("UTF-8");
    // A directory or a symlink in its place: the same.
    std::fs::remove_file(&s).unwrap();
    std::fs::create_dir(&s).unwrap();
    env.admin(&["whoami"]).code(3).stderr_has("your saved session is unreadable");
    // Signing in again, as the hint says, replaces an empty directory…
    env.login(ADMIN, PASSWORD);
    env.admin(&["whoami"]).ok();
    // …and refuses, in words, one that holds something (it is not eip's to delete).
    std::fs::remove_file(&s).unwrap();
    std::fs::create_dir(&s).unwrap();
    std::fs::write(s.join("keep"), b"x").unwrap();
    env.run_stdin(Some(ADMIN), &["login", ADMIN, "--password-stdin"], &format!("{PASSWORD}\n"))
        .code(5)
        .stderr_has("is not a regular file (it is a directory)")
        .stderr_has("hint: move it out of the way")
        .stderr_lacks("os error");
    assert!(s.join("keep").exists());
    std::fs::remove_dir_all(&s).unwrap();
    let real = env.write_file("real-session", b"eips_x\n");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&real, &s).unwrap();
    env.admin(&["whoami"]).code(3).stderr_has("your saved session is unreadable");
    // Signing in again replaces it.
    std::fs::remove_file(&s).unwrap();
    env.login(ADMIN, PASSWORD);
    env.admin(&["whoami"]).ok();
}

#[test]
fn spec2_a_binary_session_file_says_sign_in_again() {
    let env = Env::new();
    let s = session_path(&env, ADMIN);
    std::fs::write(&s, [0xFF, 0xFE, 0x00, 0x80, b'\n']).unwrap();
    std::fs::set_permissions(&s, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.admin(&["whoami"])
        .code(3)
        .stderr_has("your saved session is unreadable")
        .stderr_has("eip login USERNAME")
        .stderr_lacks("UTF-8");
    // A huge file is not read whole.
    std::fs::write(&s, vec![b'a'; 8 << 20]).unwrap();
    env.admin(&["whoami"]).code(3).stderr_has("your saved session is unreadable");
}

// ---------------------------------------------------------------- exit codes

#[test]
fn spec8_a_malformed_argument_value_is_exit_2_and_the_help_says_so() {
    let env = Env::new();
    env.admin(&["report", "status", "--period", "2026-13"]).code(2);
    let r = env.run(None, &["--help"]);
    r.ok();
    let help = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("2 usage, including a malformed argument value (a bad --period or --due)"), "{help}");
    let man = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("man/eip.1")).unwrap();
    let man = man.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(man.contains("malformed argument value"), "man/eip.1 lists it");
}
