//! Databases built once and copied: `Env::new()` (init and the Ministry admin signed in),
//! `Env::national()` (and the 3,212 real units imported), `Env::national_at(now)`, and a test
//! file's own `Env::fixture(name, build)`.
//!
//! A fixture is built by the real binary, exactly as a test used to build it, into
//! `$CARGO_TARGET_TMPDIR/eip-fixtures/`, under a file lock, so that parallel tests and test
//! binaries wait for the first to build it instead of racing. Its name says what is in it and on
//! which clock; it lives in a group keyed by the `eip` binary (size and modification time), this
//! harness's source, and `examples/data/divisions.csv` — a new build of any of them makes new
//! fixtures, and stale groups are removed. A test file's own fixtures are keyed by its test
//! binary too, so that changing how one is built rebuilds it. Once built, the fixture's WAL is
//! checkpointed into the database file (no `-wal` or `-shm` is left), and the whole is renamed
//! into place: a fixture that exists is complete. Before that, a throwaway copy checks that
//! everyone the fixture signed in is signed in in a copy (`whoami`), so that a change to how eip
//! names session files fails here, in words. A process remembers the fixtures it has seen.
//!
//! Every test gets its own copy in its own temporary directory — no test sees another's writes.
//! Sessions are rows in the database and a file per person whose name is derived from the
//! canonical path of the database (`eip::auth::session_file`): the copy keeps the rows, and each
//! person's session file is written again for the copy's path, with the same token. So everyone
//! the fixture signed in is signed in in the copy, on the same clock, with the same sessions, and
//! the database holds exactly what the test used to build itself.
//!
//! On PostgreSQL (`EIP_TEST_PG`) the same, in the server's terms: a fixture is a database of its
//! own, `eip_f_<key>`, named in the fixture's directory by the file `pg-database` (which stands
//! for `eip.db`: a fixture whose directory exists is complete), and each copy is a new database
//! made from it as a template (`CREATE DATABASE … TEMPLATE`). A session file is named for the
//! URL eip is given. The fixtures' groups are `pg-…` and keyed by the server too; a stale group's
//! databases are dropped with it.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::{data, drop_database, on_pg, pg_admin, pg_base, pg_name, Env, PgDb, NOW};

/// The file in a fixture's directory that holds its database: the SQLite file itself, or on
/// PostgreSQL the name of the fixture's database.
fn db_file() -> &'static str {
    if on_pg() {
        "pg-database"
    } else {
        "eip.db"
    }
}

impl Env {
    /// A test-clock database with the Ministry admin signed in.
    pub fn new() -> Env {
        Env::copy_of(&fixture("new", NOW, Keyed::Shared, |env| env.initialise()), NOW)
    }

    /// With the 3,212 national units imported.
    pub fn national() -> Env {
        Env::national_at(NOW)
    }

    /// Like `Env::national()`, but initialised and with the units imported at `now`.
    pub fn national_at(now: &str) -> Env {
        let built = fixture("national", now, Keyed::Shared, |env| {
            env.initialise();
            env.admin(&["unit", "import", &data("divisions.csv")]).ok();
        });
        Env::copy_of(&built, now)
    }

    /// A test file's own fixture: `build` fills a fresh place (no database yet, the clock at
    /// NOW) once per build of this test binary; each call gets its own copy of what it made (the
    /// database, whoever it signed in, and any file it wrote into the place).
    pub fn fixture(name: &str, build: impl FnOnce(&mut Env)) -> Env {
        Env::copy_of(&fixture(name, NOW, Keyed::ThisBinary, build), NOW)
    }

    /// A fresh place holding a copy of the fixture at `from`, its clock at `now`.
    fn copy_of(from: &Path, now: &str) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let env = if on_pg() {
            let template = fs::read_to_string(from.join(db_file())).expect("the fixture's database name");
            Env::at_pg(dir, now, PgDb::copy(template.trim(), &pg_name()))
        } else {
            Env::at(dir, now)
        };
        copy_place(from, &env);
        env
    }
}

/// Whose fixture it is: every binary's (the harness's own), or one test binary's.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Keyed {
    Shared,
    ThisBinary,
}

/// The directory of the fixture `name` on the clock `now`, built if need be.
fn fixture(name: &str, now: &str, keyed: Keyed, build: impl FnOnce(&mut Env)) -> PathBuf {
    static SEEN: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let dir_name = format!("{name}-{}", now.replace([':', '+'], "-"));
    let id = format!("{keyed:?}/{dir_name}");
    // One builder per process at a time; the file lock below is for other processes.
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = seen.get(&id) {
        return p.clone();
    }
    let (prefix, key) = group(keyed);
    let group_name = format!("{prefix}-{key}");
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("eip-fixtures");
    fs::create_dir_all(&root).expect("the fixtures directory");
    let group_dir = root.join(&group_name);
    let ready = group_dir.join(&dir_name);
    if !ready.join(db_file()).exists() {
        let _lock = Lock::take(&root.join(format!("{prefix}.lock")));
        remove_stale(&root, &prefix, &group_dir);
        if !ready.join(db_file()).exists() {
            fs::create_dir_all(&group_dir).expect("the fixture group");
            build_into(&group_dir, &dir_name, now, build);
        }
    }
    // In use: not stale for another ten minutes.
    let _ = fs::File::open(&group_dir).and_then(|f| f.set_modified(SystemTime::now()));
    seen.insert(id, ready.clone());
    ready
}

/// What names and keys a group of fixtures: (prefix, key). The prefix is stable from one build to
/// the next (`shared-debug`, or a test binary's file name); the key is not.
fn group(keyed: Keyed) -> (String, String) {
    let mut h = Sha256::new();
    let eip = Path::new(env!("CARGO_BIN_EXE_eip"));
    let meta = fs::metadata(eip).expect("the eip binary");
    h.update(format!("{}:{}:{:?}", eip.display(), meta.len(), meta.modified().ok()));
    for source in [
        include_str!("mod.rs"),
        include_str!("fixtures.rs"),
        include_str!("cast.rs"),
        include_str!("trail.rs"),
        include_str!("csvs.rs"),
    ] {
        h.update(source);
    }
    h.update(fs::read(data("divisions.csv")).expect("examples/data/divisions.csv"));
    // On PostgreSQL the fixtures are databases on that server.
    h.update(pg_base().unwrap_or_default());
    let prefix = match keyed {
        Keyed::Shared => {
            let profile = eip.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
            format!("shared-{}", profile.unwrap_or_default())
        }
        Keyed::ThisBinary => {
            // `cargo` names a test binary NAME-HASH, the same from one build of it to the next.
            let me = std::env::current_exe().expect("this test binary");
            let meta = fs::metadata(&me).expect("this test binary");
            h.update(format!("{}:{}:{:?}", me.display(), meta.len(), meta.modified().ok()));
            me.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
        }
    };
    let key: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let prefix = if on_pg() { format!("pg-{prefix}") } else { prefix };
    (prefix, key)
}

/// Build the fixture `dir_name` in `group_dir`: in a place of its own, then checkpointed, checked
/// and renamed into place whole.
fn build_into(group_dir: &Path, dir_name: &str, now: &str, build: impl FnOnce(&mut Env)) {
    let tmp = tempfile::Builder::new().prefix(&format!("{dir_name}.building.")).tempdir_in(group_dir).expect("tmp");
    let mut env = if on_pg() {
        // Named for the group and the fixture: a build that stopped half-way is dropped here.
        let key = Sha256::digest(format!("{}/{dir_name}", group_dir.display()));
        let name: String = key.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Env::at_pg(tmp, now, PgDb::create(&format!("eip_f_{name}")))
    } else {
        Env::at(tmp, now)
    };
    build(&mut env);
    if let Some(name) = env.pg_name() {
        fs::write(env.path(db_file()), name).expect("the fixture's database name");
    } else {
        // The WAL into the database file: the copy is the one file.
        let c = env.conn();
        let (busy, _, _): (i64, i64, i64) = c
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("checkpoint the fixture");
        assert_eq!(busy, 0, "the fixture {dir_name} is still in use");
    }
    let wal = env.path("eip.db-wal");
    if wal.exists() {
        assert_eq!(fs::metadata(&wal).unwrap().len(), 0, "the fixture {dir_name}'s WAL is checkpointed");
        fs::remove_file(&wal).expect("remove the empty WAL");
    }
    let _ = fs::remove_file(env.path("eip.db-shm"));
    // Everyone the fixture signed in is signed in in a copy (the session files' names are eip's).
    let check = Env::copy_of(env.dir.path(), now);
    for user in signed_in(env.dir.path()) {
        let r = check.run(Some(&user), &["whoami"]);
        assert_eq!(
            r.code, 0,
            "{user} is not signed in in a copy of the fixture {dir_name}: the harness writes session files as \
             src/auth.rs session_file names them (tests/common/fixtures.rs)\n{}",
            r.stderr
        );
    }
    drop(check);
    let Env { dir, pg, .. } = env;
    // The fixture's database stays, for the copies (a stale group's are dropped with it).
    if let Some(pg) = pg {
        pg.keep();
    }
    let built = dir.keep();
    fs::rename(&built, group_dir.join(dir_name)).expect("the fixture into place");
}

/// The people with a session file in a place's config dirs.
fn signed_in(place: &Path) -> Vec<String> {
    let Ok(rd) = fs::read_dir(place.join("config")) else { return vec![] };
    rd.map(|e| e.unwrap().path())
        .filter(|p| fs::read_dir(p.join("sessions")).is_ok_and(|mut s| s.next().is_some()))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Copy a fixture into `env`'s place: the database (checkpointed: one file), any other file it
/// holds, and each person's config dir with their session file named for the copy's database.
fn copy_place(from: &Path, env: &Env) {
    if !on_pg() {
        fs::copy(from.join("eip.db"), &env.db).expect("copy the fixture's database");
    }
    for entry in fs::read_dir(from).expect("the fixture") {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap();
        if name == db_file() {
            continue;
        } else if name == "config" {
            copy_config(&p, &env.dir.path().join("config"), &env.db);
        } else if p.is_dir() {
            copy_tree(&p, &env.dir.path().join(name));
        } else {
            fs::copy(&p, env.dir.path().join(name)).expect("copy a fixture file");
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir(to).expect("copy a fixture directory");
    fs::set_permissions(to, fs::metadata(from).unwrap().permissions()).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            fs::copy(&p, &dest).expect("copy a fixture file");
        }
    }
}

/// The config dirs, each `sessions/` file rewritten as eip writes it for `db`: the token, then
/// the database's canonical path (a URL as given), in a file named by the hash of that path
/// (src/auth.rs).
fn copy_config(from: &Path, to: &Path, db: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let canonical = if on_pg() { db.to_path_buf() } else { fs::canonicalize(db).expect("the copied database") };
    let key = eip::auth::hash_secret(&canonical.to_string_lossy());
    fs::create_dir(to).expect("the config dirs");
    fs::set_permissions(to, fs::metadata(from).unwrap().permissions()).unwrap();
    for user in fs::read_dir(from).unwrap() {
        let user = user.unwrap().path();
        let dest = to.join(user.file_name().unwrap());
        fs::create_dir(&dest).expect("a config dir");
        fs::set_permissions(&dest, fs::metadata(&user).unwrap().permissions()).unwrap();
        for entry in fs::read_dir(&user).unwrap() {
            let p = entry.unwrap().path();
            if p.file_name().unwrap() != "sessions" {
                copy_tree(&p, &dest.join(p.file_name().unwrap()));
                continue;
            }
            let sessions = dest.join("sessions");
            fs::create_dir(&sessions).expect("a sessions dir");
            fs::set_permissions(&sessions, fs::metadata(&p).unwrap().permissions()).unwrap();
            let files: Vec<PathBuf> = fs::read_dir(&p).unwrap().map(|f| f.unwrap().path()).collect();
            assert!(files.len() <= 1, "one database, one session file a person: {files:?}");
            for file in files {
                let text = fs::read_to_string(file).expect("a session file");
                let token = text.lines().next().expect("a session token");
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(sessions.join(&key[..32]))
                    .expect("write a session file");
                writeln!(f, "{token}\n{}", canonical.display()).unwrap();
            }
        }
    }
}

/// Under the lock: fixtures whose build stopped half-way, and groups of other builds untouched
/// for ten minutes (a run using one keeps it fresh).
fn remove_stale(root: &Path, prefix: &str, current: &Path) {
    if let Ok(rd) = fs::read_dir(current) {
        for entry in rd.flatten() {
            if entry.file_name().to_string_lossy().contains(".building.") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let Ok(rd) = fs::read_dir(root) else { return };
    for entry in rd.flatten() {
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_group = p.is_dir()
            && name
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('-'))
                .is_some_and(|key| key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() > Duration::from_secs(600));
        if is_group && p != current && old {
            drop_databases_of(&p);
            let _ = fs::remove_dir_all(&p);
        }
    }
}

/// On PostgreSQL, drop the databases of a group's fixtures.
fn drop_databases_of(group: &Path) {
    if !on_pg() {
        return;
    }
    let mut c = pg_admin();
    for entry in fs::read_dir(group).into_iter().flatten().flatten() {
        if let Ok(name) = fs::read_to_string(entry.path().join(db_file())) {
            let _ = drop_database(&mut c, name.trim());
        }
    }
}

/// An exclusive lock on a file, held until dropped.
struct Lock(fs::File);

impl Lock {
    fn take(path: &Path) -> Lock {
        use std::os::unix::io::AsRawFd;
        let f = fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).expect("the lock file");
        // SAFETY: flock on a descriptor this File owns; the lock ends when the File is closed.
        let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(r, 0, "lock {}: {}", path.display(), std::io::Error::last_os_error());
        Lock(f)
    }
}
