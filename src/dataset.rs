//! A reproducible national dataset for benchmarks and scale tests (`examples/gen_national.rs`,
//! `examples/gen-national.sh`): the real 3,212 units, N schools and teaching points spread evenly
//! over the counties (so each province gets schools in proportion to its counties; every seventh a
//! teaching point), staff accounts for every unit and an account for every school (issued, not yet
//! activated: 520,000 argon2 hashes would take hours), and M months of values — every unit's own
//! figures, and each school's, nine in ten entered by the school's own account and the tenth by
//! its county (代填). Each sets its figures the first month and then, month by month, either
//! confirms them unchanged (carried forward) or changes a few — with the cycle run after each
//! month: level by level, each unit's reviewer submits before the deadline as often as that unit
//! always does (most nearly always, one in eight hardly ever), and the system submits the rest at
//! the deadline, each with its snapshot. Deterministic: a seed drives every choice.
//! Everything is written through eip's own rules and audit trail, as the commands would.

use std::path::Path;

use chrono::{TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::account::{self, Person, Role};
use crate::audit::AuditActor;
use crate::auth;
use crate::calendar::Period;
use crate::csvio;
use crate::db::Db;
use crate::error::Result;
use crate::model::{Level, Org, MINISTRY_CODE};
use crate::schools::{self, Info};
use crate::store::orgs;
use crate::{submission, units, values};

const DIVISIONS: &str = include_str!("../examples/data/divisions.csv");

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Build the dataset at `db_path` (replaced if it exists); progress on stderr when `verbose`.
/// A school's basic info, which its figures must fit.
#[derive(Debug, Clone, Copy)]
struct Size {
    students: u64,
    teachers: u64,
    classes: u64,
}

pub fn generate(db_path: &Path, schools_n: usize, months: u32, seed: u64, verbose: bool) -> Result<()> {
    let mut rng = Rng(seed);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db_path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    let say = |s: String| {
        if verbose {
            eprintln!("{s}");
        }
    };
    let first = Period::new(2025, 12).expect("a period");
    let at = |p: Period, day: u32, hour: u32| {
        Shanghai.with_ymd_and_hms(p.year(), p.month(), day, hour, 0, 0).single().expect("a time").with_timezone(&Utc)
    };
    let started = std::time::Instant::now();
    let person = Person { name: Some("王芳".into()), mobile: "13800000001".into(), ..Default::default() };
    let (mut db, _) = Db::create_at(db_path, None, true, at(first, 1, 9), &AuditActor::system(), |tx| {
        crate::setup::seed(tx)?;
        let ministry = orgs::find(tx, MINISTRY_CODE)?.expect("seeded");
        account::issue(tx, &ministry, Role::Admin, &person, None).map(|_| ())
    })?;
    let admin = auth::actor_by_username(&db.conn, "000000-A01")?;
    let sheet = csvio::parse_sheet("divisions.csv", DIVISIONS, |h| h.first().is_some_and(|c| c == "code"), "code")?;
    let plan = units::plan_import(&db.conn, &admin, &sheet)?;
    db.write(&admin.audit_actor(), |tx| units::apply(tx, &plan, &mut || {}))?;
    // Staff for every unit: an admin, a reviewer and an inspector.
    let all_units: Vec<Org> = crate::store::orgs::submitting_units(&db.conn)?;
    let mut mobile = 13_000_000_000u64;
    db.write(&admin.audit_actor(), |tx| {
        for u in &all_units {
            for role in [Role::Admin, Role::Reviewer, Role::Inspector] {
                mobile += 1;
                let p = Person {
                    name: Some(format!("{}{}", u.name, role.as_str())),
                    mobile: mobile.to_string(),
                    ..Default::default()
                };
                account::issue(tx, u, role, &p, Some(admin.account_id))?;
            }
        }
        Ok(())
    })?;
    say(format!("units and {} staff accounts: {:.1} s", all_units.len() * 3, started.elapsed().as_secs_f64()));
    // Schools, county by county, each created by its county's admin.
    let counties: Vec<&Org> = all_units.iter().filter(|u| u.level == Level::County).collect();
    // (code, teaching point?, the school's own account, its basic info)
    let mut per_county: Vec<Vec<(String, bool, String, Size)>> = vec![Vec::new(); counties.len()];
    let mut made = 0usize;
    let mut next_serial: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (ci, c) in counties.iter().enumerate() {
        let admin = auth::actor_by_username(&db.conn, &format!("{}-A01", c.code))?;
        let n = schools_n / counties.len() + usize::from(ci < schools_n % counties.len());
        let list = &mut per_county[ci];
        db.write(&admin.audit_actor(), |tx| {
            for k in 0..n {
                // Every seventh school of the country is a teaching point.
                made += 1;
                let tp = made % 7 == 0;
                // The 6-digit serial counts within the province (unique with its 2-digit part).
                let serial = next_serial.entry(c.code[..2].to_string()).or_insert(0);
                *serial += 1;
                let code = format!("{}{}{:06}", if tp { "22" } else { "21" }, &c.code[..2], *serial);
                let size = Size {
                    students: if tp { 15 + rng.below(40) } else { 200 + rng.below(1800) },
                    teachers: if tp { 1 + rng.below(4) } else { 15 + rng.below(120) },
                    classes: if tp { 1 + rng.below(3) } else { 6 + rng.below(40) },
                };
                let info = Info {
                    name: Some(format!("{}第{}{}", c.name, k + 1, if tp { "教学点" } else { "小学" })),
                    kind: Some(if tp { "teaching_point" } else { "school" }.into()),
                    students: Some(size.students as i64),
                    teachers: Some(size.teachers as i64),
                    classes: Some(size.classes as i64),
                    ..Default::default()
                };
                // Every school gets its own account (school_admin), issued as `school add` does.
                mobile += 1;
                let head = Person {
                    name: Some(format!("{}校管员", c.name)),
                    mobile: mobile.to_string(),
                    ..Default::default()
                };
                let (_, issued) = schools::add(tx, &admin, c, &code, &info, Some(&head))?;
                let username = issued.map(|i| i.username).unwrap_or_default();
                list.push((code, tp, username, size));
            }
            Ok(())
        })?;
    }
    say(format!("{schools_n} schools: {:.1} s", started.elapsed().as_secs_f64()));
    // A year of values: the first month set in full; then each month most schools confirm
    // unchanged and some change a few figures. At the month's end the cycle runs.
    let cat = values::catalogue(&db.conn)?;
    // How often each unit's reviewer submits before the deadline, in percent: most units nearly
    // always, one in eight hardly ever (a bulletin has someone to name).
    let diligence: Vec<u64> =
        all_units.iter().map(|_| if rng.below(8) == 0 { 10 + rng.below(30) } else { 80 + rng.below(21) }).collect();
    let mut period = first;
    for m in 0..months {
        db.now = at(period, 20, 10);
        for (ci, c) in counties.iter().enumerate() {
            let admin = auth::actor_by_username(&db.conn, &format!("{}-A01", c.code))?;
            let schools = per_county[ci].clone();
            db.write(&admin.audit_actor(), |tx| {
                for (code, tp, username, size) in &schools {
                    // Nine schools in ten fill in their own figures; the county fills in (代填)
                    // for the tenth.
                    let own = rng.below(10) != 0;
                    let actor = if own { auth::actor_by_username(tx, username)? } else { admin.clone() };
                    tx.actor = actor.audit_actor();
                    let target = values::target(tx, &actor, if own { None } else { Some(code) })?;
                    if m == 0 || rng.below(5) == 0 {
                        // Figures that fit the school , but for one
                        // school-month in fifty with a slip that a warning catches.
                        let connected = rng.below(12) != 0;
                        let classrooms = size.classes + rng.below(size.classes / 3 + 2);
                        let slip = rng.below(50) == 0;
                        let mut pairs = vec![
                            ("internet_access", if connected { "1" } else { "0" }.to_string()),
                            ("bandwidth_mbps", if connected { (4 + rng.below(300)).to_string() } else { "0".into() }),
                            ("classrooms", classrooms.to_string()),
                            ("multimedia_classrooms", (classrooms - rng.below(classrooms / 2 + 1)).to_string()),
                            ("digital_resources_all_classes", rng.below(2).to_string()),
                            ("teacher_spaces", (size.teachers * (40 + rng.below(61)) / 100).to_string()),
                            (
                                "student_spaces",
                                if slip { size.students * 10 } else { size.students * (20 + rng.below(81)) / 100 }
                                    .to_string(),
                            ),
                            ("teacher_computers", (size.teachers / 2 + rng.below(size.teachers + 1)).to_string()),
                            ("student_computers", (size.students / 10 + rng.below(size.students / 10 + 1)).to_string()),
                            ("excellent_lesson_teachers", rng.below(size.teachers.min(20) + 1).to_string()),
                        ];
                        if *tp {
                            for k in ["tp_equipment_in_place", "tp_resources_in_place", "tp_teaching_in_place"] {
                                pairs.push((k, if rng.below(6) == 0 { "0" } else { "1" }.to_string()));
                            }
                        }
                        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                        let checked = values::check_pairs(&cat, &target, &pairs)?;
                        values::set(tx, &actor, &target, period, &checked)?;
                    }
                    // One school in forty forgets to confirm.
                    if rng.below(40) != 0 {
                        values::confirm(tx, &actor, &target, period, &cat)?;
                    }
                }
                Ok(())
            })?;
        }
        // Every unit's own figures (spending, training, the regional platform), by its admin:
        // set the first month, then confirmed month by month, sometimes changed.
        for u in &all_units {
            let admin = auth::actor_by_username(&db.conn, &format!("{}-A01", u.code))?;
            db.write(&admin.audit_actor(), |tx| {
                let target = values::target(tx, &admin, None)?;
                if m == 0 || rng.below(3) == 0 {
                    let pairs: Vec<(String, String)> = [
                        ("funding", format!("{}.{}", 10 + rng.below(5000), rng.below(100))),
                        ("trained_persons", rng.below(3000).to_string()),
                        ("platform_linked", if rng.below(5) == 0 { "0" } else { "1" }.to_string()),
                        // A platform's users grow and shrink by a tenth at most: each unit has its own size.
                        (
                            "platform_users",
                            ((1000 + (u.id as u64 * 7919) % 500_000) * (90 + rng.below(21)) / 100).to_string(),
                        ),
                        ("policy_documents", rng.below(3).to_string()),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                    let checked = values::check_pairs(&cat, &target, &pairs)?;
                    values::set(tx, &admin, &target, period, &checked)?;
                }
                if rng.below(40) != 0 {
                    values::confirm(tx, &admin, &target, period, &cat)?;
                }
                Ok(())
            })?;
        }
        // The month after: level by level, before each level's deadline, its units' reviewers
        // submit — each unit as diligent as it always is — and at the deadline the system submits
        // the rest (counties by the 5th, prefectures by the 10th, provinces by the 15th).
        let next = period.next();
        let (mut by_reviewer, mut by_system) = (0usize, 0usize);
        for (level, day) in [(Level::County, 3), (Level::Prefecture, 8), (Level::Province, 13)] {
            db.now = at(next, day, 9);
            by_system += submission::catch_up(&mut db)?.len();
            for (u, _) in all_units.iter().zip(&diligence).filter(|(u, d)| u.level == level && rng.below(100) < **d) {
                let reviewer = auth::actor_by_username(&db.conn, &format!("{}-R01", u.code))?;
                let incomplete = submission::unconfirmed_schools(&db.conn, u, period)?;
                let when = db.now;
                db.write(&reviewer.audit_actor(), |tx| {
                    submission::record_submit(tx, u, period, Some(reviewer.account_id), when, incomplete)
                })?;
                by_reviewer += 1;
            }
        }
        db.now = at(next, 16, 9);
        by_system += submission::catch_up(&mut db)?.len();
        say(format!(
            "{period}: values and the cycle ({by_reviewer} submitted by reviewers, {by_system} by the system): {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        period = period.next();
    }
    let size = std::fs::metadata(db_path).map(|m| m.len()).unwrap_or(0);
    say(format!(
        "{}: 3,212 units, {schools_n} schools, {months} months, {:.1} MB, {:.1} s",
        db_path.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Give a generated dataset's Ministry admin (000000-A01, issued, not activated) a password, so a
/// person can sign in to explore it (`examples/gen-national.sh … --password-stdin`). Recorded as
/// an activation, in the audit trail, at the real time.
pub fn activate_admin(db_path: &Path, password: &str) -> Result<()> {
    let mut db = Db::open(db_path, None)?;
    db.now = Utc::now();
    let admin = auth::actor_by_username(&db.conn, "000000-A01")?;
    db.write(&admin.audit_actor(), |tx| {
        auth::set_password(tx, admin.account_id, "000000-A01", password, false, "account.activate")
    })
}
