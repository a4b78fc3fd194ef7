//! Benchmark: the same national dataset on both backends, side by side in one run. The dataset is
//! generated once (`eip::dataset`, as `examples/gen-national.sh`) into a file, then moved to
//! PostgreSQL by `eip db copy` (timed). On each backend, each as a whole `eip` process against its
//! own floor measured in the same run by the database's own shell:
//!
//! - a county's school import of a new CSV, against the shell loading the same CSV into a bare
//!   table (`sqlite3 .import`; `psql \copy`, i.e. COPY);
//! - the national `report export --level county`, against the same aggregation as one SQL query
//!   in the shell;
//! - one `report confirm --org SCHOOL`, against the shell answering `select 1`;
//! - 16 county scripts at once (confirm each school, then examples/county-monthly-confirm.sh);
//! - the national `submit --sweep` at the month's end.
//!
//!   EIP_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres cargo bench --bench backends
//!   EIP_BENCH_SCHOOLS=520000 … (default 100,000)
//!
//! Without a server (`EIP_TEST_PG`) only the SQLite column is measured. `cargo test` runs it small.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use eip::calendar::Period;

mod common;
use common::*;

const SCRIPTS: usize = 16;

/// Where a backend's database is, and how its own shell is run.
struct Backend {
    name: &'static str,
    env: Env,
}

impl Backend {
    fn is_pg(&self) -> bool {
        self.env.db.to_string_lossy().starts_with("postgres")
    }

    /// The database's own shell running `sql`, timed; `None` when the shell is not installed.
    fn shell(&self, sql: &str) -> Option<Duration> {
        let mut c = if self.is_pg() {
            let mut c = Command::new("psql");
            c.arg(self.env.db.as_os_str()).arg("-X").arg("-q").arg("-v").arg("ON_ERROR_STOP=1").arg("-c").arg(sql);
            c
        } else {
            let mut c = Command::new("sqlite3");
            c.arg(&self.env.db).arg(sql);
            c
        };
        let start = Instant::now();
        let ok = c.stdout(Stdio::null()).stderr(Stdio::inherit()).status().ok()?.success();
        assert!(ok, "{}: {sql}", self.name);
        Some(start.elapsed())
    }

    /// One number from the database.
    fn count(&self, sql: &str) -> i64 {
        if self.is_pg() {
            let mut c = postgres::Client::connect(&self.env.db.to_string_lossy(), postgres::NoTls).unwrap();
            c.query_one(&format!("SELECT ({sql})::bigint"), &[]).unwrap().get(0)
        } else {
            rusqlite::Connection::open(&self.env.db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
        }
    }

    /// The shell loading `file` (a CSV with a header) into a bare table of `columns`.
    fn bulk_load(&self, file: &Path, columns: &str) -> Option<Duration> {
        let table = "bench_floor";
        self.shell(&format!("DROP TABLE IF EXISTS {table}"))?;
        let cols: Vec<String> = columns.split(',').map(|c| format!("{c} TEXT")).collect();
        self.shell(&format!("CREATE TABLE {table} ({})", cols.join(", ")))?;
        let took = if self.is_pg() {
            self.shell(&format!("\\copy {table} FROM '{}' WITH (FORMAT csv, HEADER true)", file.display()))
        } else {
            let start = Instant::now();
            let ok = Command::new("sqlite3")
                .arg(&self.env.db)
                .arg(format!(".import --csv --skip 1 {} {table}", file.display()))
                .status()
                .ok()?
                .success();
            assert!(ok);
            Some(start.elapsed())
        };
        self.shell(&format!("DROP TABLE {table}"))?;
        took
    }
}

fn ratio(a: Duration, b: Option<Duration>) -> String {
    match b {
        Some(b) => format!("{} / {} = {:.1}×", ms(a), ms(b), a.as_secs_f64() / b.as_secs_f64()),
        None => format!("{} (no shell for the floor)", ms(a)),
    }
}

fn main() {
    let schools: usize = if smoke() {
        20_000
    } else {
        std::env::var("EIP_BENCH_SCHOOLS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000)
    };
    let runs = size(5, 1);
    let import_rows = size(20_000, 500);
    // One generated month (2025-12); the commands run in the next month's county window.
    let first = Period::new(2025, 12).unwrap();
    let open = first.next();
    let open_s = open.to_string();
    let last_s = first.to_string();
    let now = format!("{}-{:02}-02T10:00:00+08:00", open.next().year(), open.next().month());
    let sweep_at = format!("{}-{:02}-16T09:00:00+08:00", open.next().year(), open.next().month());

    // The dataset, generated once into a file.
    let mut lite = Env::empty();
    lite.db = lite.path("national.db");
    lite.now = now.clone();
    let start = Instant::now();
    eip::dataset::generate(&lite.db, schools, 1, 2016, false).unwrap();
    let generated = start.elapsed();
    // Tokens for the Ministry and the script counties, and the counties' schools.
    let conn = rusqlite::Connection::open(&lite.db).unwrap();
    let all: Vec<String> = conn
        .prepare("SELECT code FROM org WHERE level = 'county' ORDER BY code")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let counties: Vec<String> =
        all.iter().step_by((all.len() / (SCRIPTS + 1)).max(1)).take(SCRIPTS + 1).cloned().collect();
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

    let mut backends = vec![Backend { name: "SQLite", env: lite }];
    let mut copied = None;
    if pg_base().is_some() {
        let mut pg = Env::empty();
        pg.now = now.clone();
        let from = backends[0].env.db.display().to_string();
        let to = pg.db.display().to_string();
        let start = Instant::now();
        Env::run_cmd(pg.command(None, &["db", "copy", "--from", &from, "--to", &to, "-q"]), None).ok();
        copied = Some(start.elapsed());
        backends.push(Backend { name: "PostgreSQL", env: pg });
    }

    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut push = |what: &str, v: String| match rows.iter_mut().find(|r| r.0 == what) {
        Some(r) => r.1.push(v),
        None => rows.push((what.to_string(), vec![v])),
    };
    let import_csv = {
        let mut csv = String::from("code,name,kind,unit\n");
        for i in 0..import_rows {
            // School codes: the kind (21, a primary school), the province, then a number the
            // generator leaves unused.
            csv.push_str(&format!("21{}9{i:05},新学校{i},school,{}\n", &counties[0][..2], counties[0]));
        }
        csv
    };
    for b in &mut backends {
        b.env.now = now.clone();
        let file = b.env.write_file("import.csv", import_csv.as_bytes());
        let admin = &tokens[0].0;
        let name = b.name;
        let env = &b.env;

        // One confirmation, against the shell's `select 1`.
        let confirm = median(
            county_schools[0]
                .iter()
                .take(runs)
                .map(|s| eip(env, admin, &["report", "confirm", "--org", s, "-q"]).0)
                .collect(),
        );
        let floor_open = (0..runs).map(|_| b.shell("select 1")).collect::<Option<Vec<_>>>().map(median);
        push("one `report confirm --org SCHOOL` / the shell's `select 1`", ratio(confirm, floor_open));

        // The national export, against the same aggregation in the shell.
        let export = time(env, &ministry, &["report", "export", "--period", &last_s, "--level", "county"], runs);
        let floor_sql = format!(
            "SELECT o.parent_id AS county, count(DISTINCT o.id), count(DISTINCT v.org_id),
                sum(CASE WHEN v.indicator IN ('classrooms','multimedia_classrooms','teacher_spaces','student_spaces',
                    'teacher_computers','student_computers','excellent_lesson_teachers','bandwidth_mbps') THEN CAST(v.value AS REAL) END),
                sum(CASE WHEN v.indicator IN ('internet_access','digital_resources_all_classes') AND v.value = '1' THEN 1 END),
                sum(s.teachers), sum(s.students)
             FROM org o JOIN school s ON s.org_id = o.id LEFT JOIN value v ON v.org_id = o.id AND v.period = '{last_s}'
             WHERE o.level = 'school' AND o.deleted_at IS NULL GROUP BY county"
        );
        let floor_export = (0..runs).map(|_| b.shell(&floor_sql)).collect::<Option<Vec<_>>>().map(median);
        push(
            "national `report export --level county` / the same aggregation in the shell",
            ratio(export, floor_export),
        );

        // 16 county scripts at once.
        let start = Instant::now();
        let slowest = std::thread::scope(|s| {
            let handles: Vec<_> = (1..=SCRIPTS)
                .map(|i| {
                    let (c, schools, (a, r)) = (&counties[i], &county_schools[i], &tokens[i]);
                    s.spawn(move || {
                        let t = Instant::now();
                        county_script(env, c, schools, a, r);
                        t.elapsed()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).max().unwrap_or_default()
        });
        let together = start.elapsed();
        let list = counties[1..].iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",");
        let submitted = b.count(&format!(
            "SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id WHERE s.period = '{open_s}' AND s.state = 'submitted' AND o.code IN ({list})"
        ));
        assert_eq!(submitted, SCRIPTS as i64, "{name}: every county script submitted its county");
        push("16 county scripts at once: all done / slowest", format!("{} / {}", ms(together), ms(slowest)));

        // The county's school import, against the shell's bulk load of the same file.
        let before = b.count("SELECT count(*) FROM org WHERE level = 'school'");
        let (import, _) = timed_token(env, admin, &["school", "import", &file, "-q"]);
        assert_eq!(b.count("SELECT count(*) FROM org WHERE level = 'school'"), before + import_rows as i64);
        let floor_import = b.bulk_load(Path::new(&file), "code,name,kind,unit");
        push(
            &format!("county `school import` of {import_rows} rows / the shell's bulk load (COPY, .import)"),
            ratio(import, floor_import),
        );

        // The month's end.
        b.env.now = sweep_at.clone();
        let (t, _) = eip(&b.env, &ministry, &["submit", "--sweep", "-q"]);
        let swept =
            b.count(&format!("SELECT count(*) FROM submission WHERE period = '{open_s}' AND state = 'auto_submitted'"));
        assert_eq!(swept, 3211 - SCRIPTS as i64, "{name}: every unit not submitted by a script was swept");
        push(
            "national `submit --sweep`",
            format!("{} ({swept} units, {:.0}/s)", ms(t), swept as f64 / t.as_secs_f64()),
        );
    }

    println!(
        "both backends, one run: the generated national dataset (eip::dataset, seed 2016), {schools} schools, 3,212 units, one month (generated in {}{}); medians of {runs} (whole process)",
        ms(generated),
        copied.map(|c| format!(", copied to PostgreSQL by `eip db copy` in {}", ms(c))).unwrap_or_default()
    );
    print!("| what |");
    for b in &backends {
        print!(" {} |", b.name);
    }
    println!("\n|---|{}", "---|".repeat(backends.len()));
    for (what, vals) in rows {
        println!("| {what} | {} |", vals.join(" | "));
    }
    if backends.len() == 1 {
        println!("(PostgreSQL not measured: set EIP_TEST_PG to a server's URL)");
    }
}
