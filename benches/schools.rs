//! Benchmark: `eip school import` of 520,000 rows (one county admin's file, whole process, on the
//! national unit tree) against the floor of the `sqlite3` shell's `.import` of the same CSV into a
//! bare table (no validation, no audit), and of inserting the rows into a bare table in-process;
//! then listings on the result. Run: `cargo bench --bench schools` (`cargo test` runs it small).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

fn schools_csv(n: usize) -> String {
    schools_csv_for(n, "130102", 0, false)
}

/// `n` schools of `unit`, serials from `first + 1`; with `admins`, the columns admin_name and
/// admin_mobile name each school's admin (mobiles 139 and the serial, so none is taken).
fn schools_csv_for(n: usize, unit: &str, first: usize, admins: bool) -> String {
    let mut s = String::from("code,name,kind,unit,category,location,address,students,teachers,classes");
    s.push_str(if admins { ",admin_name,admin_mobile\n" } else { "\n" });
    for i in first + 1..=first + n {
        let kind = if i % 7 == 0 { "teaching_point" } else { "school" };
        s.push_str(&format!(
            "2113{i:06},基准学校{i},{kind},{unit},小学,乡村,基准路{i}号,{},{},{}",
            300 + i % 900,
            20 + i % 60,
            6 + i % 30
        ));
        if admins {
            s.push_str(&format!(",管理员{i},139{i:08}"));
        }
        s.push('\n');
    }
    s
}

/// The floor without validation: the same rows into a bare table, in-process, one transaction.
fn bare_insert(csv: &str) -> Duration {
    let fdir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let mut conn = rusqlite::Connection::open(fdir.path().join("floor.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE t(code, name, kind, unit, category, location, address, students, teachers, classes)",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)").unwrap();
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        for rec in r.records() {
            let rec = rec.unwrap();
            stmt.execute(rusqlite::params_from_iter(rec.iter())).unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

/// What eip's schema itself costs: the same rows into eip's own tables (an `org` row with its four
/// indexes and guard trigger, a `school` row, an `audit` row with its four indexes and guard
/// trigger), in-process, one transaction, prepared statements — but no validation, no JSON, no
/// hashing (a fixed detail and hash). The gap between this and the bare floor is the schema's; the
/// gap between eip and this is eip's own work.
fn schema_insert(csv: &str) -> Duration {
    let fdir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let mut conn = rusqlite::Connection::open(fdir.path().join("floor.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "cache_size", -262144).unwrap();
    conn.pragma_update(None, "temp_store", "MEMORY").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.execute_batch(eip::db::SCHEMA).unwrap();
    conn.execute_batch(
        "INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES
           (1, '000000', '教育部', 'ministry', NULL, '/000000/', '2026-01-01T00:00:00Z'),
           (2, '130102', '长安区', 'county', 1, '/000000/130102/', '2026-01-01T00:00:00Z')",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut org = tx
            .prepare("INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES (?1, ?2, 'school', 2, ?3, '2026-11-20T02:00:00Z')")
            .unwrap();
        let mut school = tx
            .prepare("INSERT INTO school(org_id, kind, category, location, address, students, teachers, classes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .unwrap();
        let mut audit = tx
            .prepare("INSERT INTO audit(seq, at, actor, actor_unit, action, target, scope_path, detail, prev_hash, hash) VALUES (?1, '2026-11-20T02:00:00Z', '130102-A01', '130102', 'school.add', ?2, ?3, ?4, ?5, ?5)")
            .unwrap();
        let hash = "0".repeat(64);
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        for (i, rec) in r.records().enumerate() {
            let rec = rec.unwrap();
            let path = format!("/000000/130102/{}/", &rec[0]);
            org.execute(rusqlite::params![&rec[0], &rec[1], path]).unwrap();
            let id = tx.last_insert_rowid();
            school
                .execute(rusqlite::params![id, &rec[2], &rec[4], &rec[5], &rec[6], &rec[7], &rec[8], &rec[9]])
                .unwrap();
            let detail = format!(
                "{{\"after\":{{\"code\":\"{}\",\"name\":\"{}\",\"address\":\"{}\"}}}}",
                &rec[0], &rec[1], &rec[6]
            );
            audit.execute(rusqlite::params![i as i64 + 1, &rec[0], path, detail, hash]).unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

/// Runs the `sqlite3` shell on a fresh file (WAL, like eip's) with `commands` as its arguments,
/// as a whole process; the last command counts rows, which must be `rows`.
fn sqlite3_timed(commands: &[String], rows: usize) -> Duration {
    let fdir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = Command::new("sqlite3")
        .arg(fdir.path().join("floor.db"))
        .arg("PRAGMA journal_mode=WAL")
        .args(commands)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().last(), Some(rows.to_string().as_str()), "sqlite3 {commands:?}: {text}");
    took
}

/// The floor the issue names: the `sqlite3` shell's `.import` of the file into a bare table.
fn sqlite3_import(file: &Path, rows: usize) -> Duration {
    sqlite3_timed(
        &[
            "CREATE TABLE t(code, name, kind, unit, category, location, address, students, teachers, classes)".into(),
            format!(".import --csv --skip 1 {} t", file.display()),
            "SELECT count(*) FROM t".into(),
        ],
        rows,
    )
}

/// eip's schema as the floor, through the same shell: the CSV `.import`ed into a bare table, then
/// written into eip's own `org`, `school` and `audit` tables (their indexes, checks and, when
/// `guards`, the anti-REPLACE triggers) with one `INSERT … SELECT` each, in one transaction — no
/// validation, JSON building or hashing per row.
fn sqlite3_schema(file: &Path, rows: usize, guards: bool) -> Duration {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.sql");
    let guards = if guards { "SELECT 1 WHERE 0" } else { "DROP TRIGGER org_no_replace; DROP TRIGGER audit_no_replace" };
    sqlite3_timed(
        &[
            "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON"
                .into(),
            format!(".read {}", schema.display()),
            guards.into(),
            "INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES \
               (1, '000000', '教育部', 'ministry', NULL, '/000000/', '2026-01-01T00:00:00Z'), \
               (2, '130102', '长安区', 'county', 1, '/000000/130102/', '2026-01-01T00:00:00Z')"
                .into(),
            "CREATE TEMP TABLE t(code, name, kind, unit, category, location, address, students, teachers, classes)"
                .into(),
            format!(".import --csv --skip 1 {} t", file.display()),
            "BEGIN; \
             INSERT INTO org(code, name, level, parent_id, path, created_at) \
               SELECT code, name, 'school', 2, '/000000/130102/' || code || '/', '2026-11-20T02:00:00Z' FROM t; \
             INSERT INTO school(org_id, kind, category, location, address, students, teachers, classes) \
               SELECT o.id, t.kind, t.category, t.location, t.address, t.students, t.teachers, t.classes \
               FROM t JOIN org o ON o.code = t.code AND o.deleted_at IS NULL; \
             INSERT INTO audit(seq, at, actor, actor_unit, action, target, scope_path, detail, prev_hash, hash) \
               SELECT o.id, '2026-11-20T02:00:00Z', '130102-A01', '130102', 'school.add', t.code, o.path, \
                      '{\"after\":{\"code\":\"' || t.code || '\",\"name\":\"' || t.name || '\",\"address\":\"' || t.address || '\"}}', \
                      hex(randomblob(32)), hex(randomblob(32)) \
               FROM t JOIN org o ON o.code = t.code AND o.deleted_at IS NULL; \
             COMMIT"
                .into(),
            "SELECT count(*) FROM school".into(),
        ],
        rows,
    )
}

fn main() {
    let total: usize = size(520_000, 3_000);
    let runs: usize = size(3, 1);
    let (env, c) = national_with_county_admin(NOW);
    let db = env.db.clone();
    let csv = schools_csv(total);
    let file = env.path("schools.csv");
    std::fs::write(&file, &csv).unwrap();

    // The import, once (it fills the database), then the same file again (nothing to change).
    let (import, _) = timed(&env, Some(&c), &["school", "import", file.to_str().unwrap()]);
    let (reimport, _) = timed(&env, Some(&c), &["school", "import", file.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM school"), total as i64, "every row became a school");
    assert_eq!(
        count("SELECT count(*) FROM audit WHERE action = 'school.add'"),
        total as i64,
        "one audit event per school, none for the unchanged file"
    );
    let bare = median((0..runs).map(|_| bare_insert(&csv)).collect());
    let schema = median((0..runs).map(|_| schema_insert(&csv)).collect());
    let shell = has_sqlite3().then(|| median((0..runs).map(|_| sqlite3_import(&file, total)).collect()));
    let shell_schema = has_sqlite3().then(|| {
        let with = median((0..runs).map(|_| sqlite3_schema(&file, total, true)).collect());
        let without = median((0..runs).map(|_| sqlite3_schema(&file, total, false)).collect());
        (with, without)
    });

    // Listings: the county's whole list, and one other county's from the same database.
    insert_schools(&db, &units(&db, "code = '130104'"), 900_000, 183, &[]);
    let (mut list_other, mut list_all, mut whoami) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..size(5, 1) {
        let (t, r) = timed(&env, Some(ADMIN), &["school", "list", "--under", "130104", "--format", "csv"]);
        assert_eq!(r.stdout.lines().count(), 184, "130104's 183 schools and the header");
        list_other.push(t);
        let (t, r) = timed(&env, Some(&c), &["school", "list", "--format", "csv"]);
        assert_eq!(r.stdout.lines().count(), total + 1, "130102's schools and the header");
        list_all.push(t);
        whoami.push(timed(&env, Some(ADMIN), &["whoami"]).0);
    }
    // Schools with their admins (issue 16): a file naming each school's admin issues their
    // accounts, the codes into a file; the same size without admins, in another county, beside it.
    let with = size(20_000, 200);
    let xinhua = env.person("130105", "admin", "新华管", "13700000105");
    let jingxing = env.person("130107", "admin", "井陉管", "13700000107");
    let admins_file = env.path("with-admins.csv");
    std::fs::write(&admins_file, schools_csv_for(with, "130105", 600_000, true)).unwrap();
    let plain_file = env.path("without-admins.csv");
    std::fs::write(&plain_file, schools_csv_for(with, "130107", 700_000, false)).unwrap();
    let codes = env.path("codes.csv");
    let (with_admins, _) = timed(
        &env,
        Some(&xinhua),
        &["school", "import", admins_file.to_str().unwrap(), "--codes-out", codes.to_str().unwrap()],
    );
    assert_eq!(read_bom_csv(&codes).1.len(), with, "a code a school");
    assert_eq!(count("SELECT count(*) FROM account WHERE role = 'school_admin' AND status = 'active'"), with as i64);
    let (without_admins, _) = timed(&env, Some(&jingxing), &["school", "import", plain_file.to_str().unwrap()]);

    // The staffing list: the whole country (every unit lacks someone; every school but the
    // 130105 ones lacks its admin), and one county.
    let gaps = count("SELECT count(*) FROM org WHERE level <> 'school'")
        + count("SELECT count(*) FROM org o WHERE o.level = 'school' AND NOT EXISTS (SELECT 1 FROM account a WHERE a.org_id = o.id AND a.status = 'active')");
    let (mut staffing_all, mut staffing_one) = (Vec::new(), Vec::new());
    for _ in 0..size(3, 1) {
        let (t, r) = timed(&env, Some(ADMIN), &["unit", "staffing", "--format", "csv"]);
        assert_eq!(r.stdout.lines().count() as i64, gaps + 1, "every gap and the header");
        staffing_all.push(t);
        let (t, r) = timed(&env, Some(ADMIN), &["unit", "staffing", "--under", "130104", "--format", "csv"]);
        assert_eq!(r.stdout.lines().count(), 185, "130104, its 183 schools and the header");
        staffing_one.push(t);
    }

    println!(
        "schools: a file of {total} rows imported by one county admin (whole process, once); floors medians of {runs}"
    );
    println!("| what | time |");
    println!("|---|---|");
    println!(
        "| eip school import of {total} rows | {} ({:.0} rows/s) |",
        ms(import),
        total as f64 / import.as_secs_f64()
    );
    println!("| the same file again ({total} unchanged, nothing written) | {} |", ms(reimport));
    match shell {
        Some(f) => {
            println!("| floor: `sqlite3` shell `.import` of the same CSV into a bare table | {} |", ms(f));
            println!("| ratio import / `.import` floor (goal ≤ 2×) | {:.1}× |", import.as_secs_f64() / f.as_secs_f64());
        }
        None => println!("| floor: `sqlite3` shell `.import` | not measured: no sqlite3 on this machine |"),
    }
    println!("| floor: the same rows into a bare table, in-process | {} |", ms(bare));
    println!(
        "| eip's schema without eip: the same rows into `org`, `school` and `audit`, in-process, no validation, JSON or hashing | {} |",
        ms(schema)
    );
    if let (Some(f), Some((with, without))) = (shell, shell_schema) {
        println!(
            "| eip's schema in `sqlite3`: `.import`, then one `INSERT … SELECT` into each of `org`, `school`, `audit` | {} ({:.1}× `.import`) |",
            ms(with),
            with.as_secs_f64() / f.as_secs_f64()
        );
        println!(
            "| the same without the two anti-REPLACE guard triggers | {} ({:.1}× `.import`) |",
            ms(without),
            without.as_secs_f64() / f.as_secs_f64()
        );
        println!("| ratio import / eip's schema in `sqlite3` | {:.1}× |", import.as_secs_f64() / with.as_secs_f64());
    }
    println!("| ratio import / in-process floor | {:.1}× |", import.as_secs_f64() / bare.as_secs_f64());
    println!("| school list --under 130104 (183 schools) from {} | {} |", total + 183, ms(median(list_other)));
    println!("| school list of 130102's {total} schools as CSV | {} |", ms(median(list_all)));
    println!("| whoami (process start, open, sign-in) on the same database | {} |", ms(median(whoami)));
    println!(
        "| eip school import of {with} rows naming their admins ({with} accounts issued, codes to a file) | {} ({:.0} rows/s) |",
        ms(with_admins),
        with as f64 / with_admins.as_secs_f64()
    );
    println!(
        "| the same size without admin columns (another county) | {} ({:.1}× less) |",
        ms(without_admins),
        with_admins.as_secs_f64() / without_admins.as_secs_f64()
    );
    println!("| unit staffing of the whole country ({gaps} rows) as CSV | {} |", ms(median(staffing_all)));
    println!("| unit staffing --under 130104 (184 rows) | {} |", ms(median(staffing_one)));
}
