//! `eip demo`: a demonstration database built from one real province of the embedded
//! national list — its prefectures and counties, a few hundred schools and teaching points,
//! accounts for every role — and one month taken through the whole cycle by moving the test
//! clock: schools fill and confirm, counties submit (one late, auto-submitted), the prefecture
//! returns one county and it resubmits, one withdrawal is requested and approved, the province
//! submits and files its monthly text. It ends with the province's status table.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use clap::Args;

use crate::account::{self, Person, Role};
use crate::audit::{AuditActor, Event};
use crate::auth::{self, Actor};
use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::csvio;
use crate::db::Db;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::model::{Level, Org, MINISTRY_CODE};
use crate::schools::{self, Info};
use crate::submission;
use crate::units;
use crate::values::{self, Indicator};

use super::report::status::{status, StatusArgs};

/// The national list of admin units (3,212 units), embedded for the demo.
pub const DIVISIONS_CSV: &str = include_str!("../../examples/data/divisions.csv");

/// Every demo account's password, printed so a person can sign in as anyone.
pub const DEMO_PASSWORD: &str = "demo-password";

/// How many counties get schools, and how many schools each.
const DEMO_COUNTIES: usize = 4;
const SCHOOLS_PER_COUNTY: usize = 60;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The province to build it from
    #[arg(long, default_value = "130000", value_name = "CODE")]
    pub province: String,
}

fn demo_path(ctx: &Ctx) -> PathBuf {
    if ctx.db_explicit {
        return ctx.db_path.clone();
    }
    directories::ProjectDirs::from("cn", "edu", "eip")
        .map(|p| p.data_dir().join("demo.db"))
        .unwrap_or_else(|| PathBuf::from("demo.db"))
}

/// The rows of the embedded list inside one province (and the Ministry row).
fn province_rows(province: &str) -> Result<String> {
    if province.len() != 6 || !province.ends_with("0000") {
        return Err(error::not_found(tf("demo.no_province", &[("code", &province)])).into());
    }
    let prefix = &province[..2];
    let mut lines = DIVISIONS_CSV.lines();
    let mut text = String::from(lines.next().unwrap_or("code,name,level,parent"));
    text.push('\n');
    let mut found = false;
    for line in lines {
        if line.starts_with(prefix) || line.starts_with(MINISTRY_CODE) {
            found |= line.starts_with(&format!("{province},"));
            text.push_str(line);
            text.push('\n');
        }
    }
    if !found {
        return Err(error::not_found(tf("demo.no_province", &[("code", &province)])).into());
    }
    Ok(text)
}

/// A moment of the demo: day `day` of month `m`, at `hour`:00 CST.
fn at(m: Period, day: u32, hour: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(m.year(), m.month(), day, hour, 0, 0)
        .single()
        .expect("demo times exist")
        .with_timezone(&Utc)
}

/// The demo's people: (unit, role, name, mobile) → username.
struct People {
    db: Db,
}

impl People {
    fn actor(&self, username: &str) -> Result<Actor> {
        auth::actor_by_username(&self.db.conn, username)
    }

    fn issue(&mut self, issuer: &Actor, org: &Org, role: Role, name: &str, mobile: &str) -> Result<String> {
        let person = Person { name: Some(name.into()), mobile: mobile.into(), ..Default::default() };
        self.db.write(&issuer.audit_actor(), |tx| {
            let i = account::issue(tx, org, role, &person, Some(issuer.account_id))?;
            crate::auth::set_password(tx, i.id, &i.username, DEMO_PASSWORD, true, "account.activate")?;
            Ok(i.username)
        })
    }
}

/// A school's basic info (students, teachers, classes): deterministic, varied; `n` is the
/// school's number in its county plus 100 for each county before it.
fn school_size(n: usize, tp: bool) -> (i64, i64, i64) {
    let n = n as i64;
    if tp {
        (20 + n % 30, 2 + n % 3, 2)
    } else {
        (300 + (n * 41) % 1200, 20 + (n * 7) % 80, 6 + n % 30)
    }
}

/// The school whose figures trip a plausibility warning: more students with a
/// learning space than the school has students, as a slip of the keyboard would give.
const DEMO_SLIP: usize = 4;

/// Values a school reports: deterministic, varied, and plausible but for
/// [`DEMO_SLIP`] of the first county.
fn school_values(n: usize, tp: bool) -> Vec<(&'static str, String)> {
    let (students, teachers, classes) = school_size(n, tp);
    let connected = n % 9 != 0;
    let classrooms = classes + (n % 4) as i64;
    let student_spaces = if n == DEMO_SLIP { students * 10 } else { students * (40 + (n % 60) as i64) / 100 };
    let mut v = vec![
        ("internet_access", if connected { "1" } else { "0" }.to_string()),
        ("bandwidth_mbps", if connected { (4 + (n * 37) % 200).to_string() } else { "0".into() }),
        ("classrooms", classrooms.to_string()),
        ("multimedia_classrooms", (classrooms - (n % 3) as i64).max(0).to_string()),
        ("digital_resources_all_classes", if n % 3 == 0 { "0" } else { "1" }.to_string()),
        ("teacher_spaces", (teachers * (50 + (n % 50) as i64) / 100).to_string()),
        ("student_spaces", student_spaces.to_string()),
        ("teacher_computers", (teachers / 2 + (n % 5) as i64).to_string()),
        ("student_computers", (students / 10 + (n * 7 % 40) as i64).to_string()),
        ("excellent_lesson_teachers", ((n % 12) as i64).min(teachers).to_string()),
    ];
    if tp {
        v.push(("tp_equipment_in_place", "1".into()));
        v.push(("tp_resources_in_place", if n % 2 == 0 { "1" } else { "0" }.into()));
        v.push(("tp_teaching_in_place", "1".into()));
    }
    v
}

fn checked(cat: &[Indicator], target: &values::Target, pairs: &[(&str, String)]) -> Result<Vec<(Indicator, String)>> {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    values::check_pairs(cat, target, &pairs)
}

pub fn cmd_demo(ctx: &mut Ctx, args: DemoArgs) -> Result<()> {
    let out = ctx.out.clone();
    let province_code = args.province.trim().to_string();
    let rows = province_rows(&province_code)?;
    let path = demo_path(ctx);
    out.status(&tf("demo.building", &[("path", &path.display())]));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let _ = auth::remove_session_file(&path);

    // The month taken through the cycle lies wholly in the past: last month once its cycle has
    // ended (the 16th on), else the month before.
    let real_now = Utc::now();
    let this = Period::containing(real_now);
    let period = if real_now >= at(this, 16, 0) { this.prev() } else { this.prev().prev() };
    let m1 = period.next();
    let say = |when: DateTime<Utc>, what: String| out.status(&format!("[{}] {what}", calendar::show_cst(when, false)));

    // Day 2 of the period: the Ministry sets up.
    let start = at(period, 2, 9);
    let person = Person { name: Some("王芳".into()), mobile: "13800000001".into(), ..Default::default() };
    let (db, admin_id) = Db::create_at(&path, ctx.journal, true, start, &AuditActor::system(), |tx| {
        crate::setup::seed(tx)?;
        let ministry = units::find(tx, MINISTRY_CODE)?.expect("seeded above");
        let issued = account::issue(tx, &ministry, Role::Admin, &person, None)?;
        crate::auth::set_password(tx, issued.id, &issued.username, DEMO_PASSWORD, true, "account.activate")?;
        Ok(issued.id)
    })?;
    let mut p = People { db };
    let ministry_admin = p.actor("000000-A01")?;
    let sheet = csvio::parse_sheet("divisions.csv", &rows, |h| h.first().is_some_and(|c| c == "code"), "code")?;
    let plan = units::plan_import(&p.db.conn, &ministry_admin, &sheet)?;
    if let Some(e) = plan.errors.first() {
        return Err(anyhow::anyhow!("the embedded list does not import: line {}: {}", e.line, e.message));
    }
    p.db.write(&ministry_admin.audit_actor(), |tx| units::apply(tx, &plan, &mut || {}))?;
    let province = units::find(&p.db.conn, &province_code)?.expect("imported above");
    say(
        start,
        tf(
            "demo.step.units",
            &[("count", &plan.count(crate::import::ChangeKind::Added)), ("province", &province.name)],
        ),
    );

    // Staff for every role: the province, its first prefecture, and that prefecture's first counties.
    let prefecture = first_below(&p.db, &province, Level::Prefecture)?.unwrap_or_else(|| province.clone());
    let counties: Vec<Org> = units_below(&p.db, &prefecture, Level::County)?.into_iter().take(DEMO_COUNTIES).collect();
    let mut mobile = 13900000000u64;
    let mut next_mobile = || {
        mobile += 1;
        mobile.to_string()
    };
    let support = p.issue(
        &ministry_admin,
        &units::find(&p.db.conn, MINISTRY_CODE)?.expect("ministry"),
        Role::Support,
        "周杰",
        &next_mobile(),
    )?;
    let mut staff = |p: &mut People, org: &Org| -> Result<(String, String, String)> {
        let a = p.issue(&ministry_admin, org, Role::Admin, &format!("{}管理员", org.name), &next_mobile())?;
        let r = p.issue(&ministry_admin, org, Role::Reviewer, &format!("{}审核员", org.name), &next_mobile())?;
        let i = p.issue(&ministry_admin, org, Role::Inspector, &format!("{}视察员", org.name), &next_mobile())?;
        Ok((a, r, i))
    };
    let (prov_admin, prov_reviewer, prov_inspector) = staff(&mut p, &province)?;
    let (pref_admin, pref_reviewer, _pref_inspector) = staff(&mut p, &prefecture)?;
    let mut county_staff = Vec::new();
    for c in &counties {
        county_staff.push(staff(&mut p, c)?);
    }
    let _ = &support;

    // Schools: each demo county supervises its own, every seventh a teaching point, the first
    // few with their own admin account.
    let cat = values::catalogue(&p.db.conn)?;
    let mut school_codes: Vec<Vec<(String, bool)>> = Vec::new();
    let mut serial = 0usize;
    for (ci, c) in counties.iter().enumerate() {
        let admin = p.actor(&county_staff[ci].0)?;
        let mut codes = Vec::new();
        let prov2 = &province.code[..2];
        for n in 0..SCHOOLS_PER_COUNTY {
            serial += 1;
            let tp = n % 7 == 6;
            let code = format!("{}{prov2}{:06}", if tp { "22" } else { "21" }, 10_000 + serial);
            let name =
                if tp { format!("{}第{}教学点", c.name, n + 1) } else { format!("{}第{}小学", c.name, n + 1) };
            let info = Info {
                name: Some(name),
                kind: Some(if tp { "teaching_point" } else { "school" }.into()),
                category: Some("小学".into()),
                location: Some(["城区", "镇区", "乡村"][n % 3].into()),
                students: Some(school_size(n + ci * 100, tp).0),
                teachers: Some(school_size(n + ci * 100, tp).1),
                classes: Some(school_size(n + ci * 100, tp).2),
                ..Default::default()
            };
            let school_admin = (n < 3).then(|| Person {
                name: Some(format!("校管{serial}")),
                mobile: next_mobile(),
                ..Default::default()
            });
            p.db.write(&admin.audit_actor(), |tx| {
                schools::add(tx, &admin, c, &code, &info, school_admin.as_ref()).map(|_| ())
            })?;
            codes.push((code, tp));
        }
        school_codes.push(codes);
    }
    say(start, tf("demo.step.schools", &[("count", &serial), ("counties", &counties.len())]));

    // Day 20 of the month: schools fill and confirm (the county admins enter some by proxy); a few
    // stay behind; the counties fill and confirm their own figures.
    p.db.now = at(period, 20, 10);
    for (ci, c) in counties.iter().enumerate() {
        let admin = p.actor(&county_staff[ci].0)?;
        for (n, (code, tp)) in school_codes[ci].iter().enumerate() {
            // County 2 leaves three schools behind; its reviewer will submit anyway.
            if ci == 1 && n >= SCHOOLS_PER_COUNTY - 3 {
                continue;
            }
            let school = units::find(&p.db.conn, code)?.expect("added above");
            let own_admin = account::active_in_role(&p.db.conn, school.id, Role::SchoolAdmin)?;
            let actor = match &own_admin {
                Some(u) => p.actor(u)?,
                None => admin.clone(),
            };
            let target = values::target(&p.db.conn, &actor, Some(code))?;
            let vals = checked(&cat, &target, &school_values(n + ci * 100, *tp))?;
            p.db.write(&actor.audit_actor(), |tx| {
                values::set(tx, &actor, &target, period, &vals)?;
                values::confirm(tx, &actor, &target, period, &cat).map(|_| ())
            })?;
        }
        let target = values::target(&p.db.conn, &admin, None)?;
        let own = checked(
            &cat,
            &target,
            &[
                ("funding", format!("{}.5", 30 + ci * 7)),
                ("trained_persons", (200 + ci * 35).to_string()),
                ("platform_linked", "1".into()),
                ("platform_users", (5000 + ci * 800).to_string()),
                ("policy_documents", (ci % 2).to_string()),
            ],
        )?;
        p.db.write(&admin.audit_actor(), |tx| {
            values::set(tx, &admin, &target, period, &own)?;
            values::confirm(tx, &admin, &target, period, &cat).map(|_| ())
        })?;
        let _ = c;
    }
    let pa = p.actor(&pref_admin)?;
    let target = values::target(&p.db.conn, &pa, None)?;
    let own = checked(
        &cat,
        &target,
        &[
            ("funding", "260".into()),
            ("trained_persons", "1200".into()),
            ("platform_linked", "1".into()),
            ("platform_users", "42000".into()),
            ("policy_documents", "1".into()),
        ],
    )?;
    p.db.write(&pa.audit_actor(), |tx| {
        values::set(tx, &pa, &target, period, &own)?;
        values::confirm(tx, &pa, &target, period, &cat).map(|_| ())
    })?;
    say(p.db.now, tf("demo.step.filled", &[("period", &period)]));
    let slip = &school_codes[0][DEMO_SLIP].0;
    let flags = crate::rules::count_under(&p.db.conn, &province, period)?;
    say(p.db.now, tf("demo.step.flagged", &[("school", slip), ("count", &flags)]));

    // The province files its monthly report text before the month ends (Art. 20).
    p.db.now = at(period, 27, 16);
    let pa = p.actor(&prov_admin)?;
    let text =
        format!("{}{}月教育信息化工作月报\n\n全省各地按期完成学校数据填报与确认。\n", province.name, period.month());
    p.db.write(&pa.audit_actor(), |tx| crate::texts::record(tx, &pa, period, &text).map(|_| ()))?;
    say(p.db.now, tf("demo.step.text", &[("unit", &province.code)]));

    // The 2nd of the next month: three counties submit; the last one does not.
    let submit = |p: &mut People, reviewer: &str, when: DateTime<Utc>| -> Result<()> {
        p.db.now = when;
        let r = p.actor(reviewer)?;
        let unit = r.org.clone();
        submission::catch_up(&mut p.db)?;
        let incomplete = submission::unconfirmed_schools(&p.db.conn, &unit, period)?;
        p.db.write(&r.audit_actor(), |tx| {
            submission::record_submit(tx, &unit, period, Some(r.account_id), when, incomplete)
        })
    };
    for (ci, c) in counties.iter().enumerate().take(counties.len().saturating_sub(1)) {
        submit(&mut p, &county_staff[ci].1, at(m1, 2 + ci as u32, 9))?;
        say(p.db.now, tf("demo.step.submitted", &[("unit", &c.code)]));
    }
    // The 5th: a school of the third county, which has submitted, moves to the first county: its
    // month stays in the third county's submission, counted there and only there (Art. 13).
    if counties.len() >= 3 {
        let (from, to) = (&counties[2], &counties[0]);
        let (code, _) = school_codes[2].iter().find(|(_, tp)| !tp).expect("a school").clone();
        let fa = p.actor(&county_staff[2].0)?;
        p.db.now = at(m1, 5, 9);
        let school = crate::scope::school(&p.db.conn, &fa, &code)?;
        let (id, _) =
            p.db.write(&fa.audit_actor(), |tx| schools::request_transfer(tx, &fa, &school, to, "区划调整"))?;
        for approver in [p.actor(&pref_admin)?, p.actor(&prov_admin)?, ministry_admin.clone()] {
            let req = crate::requests::find(&p.db.conn, &approver, id)?;
            p.db.write(&approver.audit_actor(), |tx| schools::approve_transfer(tx, &approver, &req).map(|_| ()))?;
        }
        say(
            p.db.now,
            tf(
                "demo.step.transferred",
                &[("school", &code), ("from", &from.code), ("to", &to.code), ("period", &period)],
            ),
        );
    }
    // The 6th: the deadline passed; the system submits the last county (and every other county
    // of the province) as its data stood at the deadline.
    p.db.now = at(m1, 6, 8);
    let auto = submission::catch_up(&mut p.db)?;
    if let Some(last) = counties.last() {
        say(p.db.now, tf("demo.step.auto", &[("unit", &last.code), ("count", &auto.len())]));
    }

    // The 6th: the second county's reviewer asks to withdraw (学校数据漏报); the prefecture
    // approves, with a due time; the 7th: the prefecture returns the first county (数据有误).
    let (c1, c2) = (counties[0].clone(), counties[1.min(counties.len() - 1)].clone());
    let pr = p.actor(&pref_reviewer)?;
    p.db.now = at(m1, 6, 9);
    let r2 = p.actor(&county_staff[1.min(counties.len() - 1)].1)?;
    let reason = "学校数据漏报";
    let id = p.db.write(&r2.audit_actor(), |tx| {
        submission::request_withdrawal(tx, r2.account_id, &c2, &prefecture, period, reason)
    })?;
    say(p.db.now, tf("demo.step.withdraw", &[("unit", &c2.code), ("id", &id)]));
    p.db.now = at(m1, 6, 15);
    let req = crate::requests::find(&p.db.conn, &pr, id)?;
    p.db.write(&pr.audit_actor(), |tx| {
        submission::return_unit(tx, pr.account_id, &c2, period, at(m1, 8, 18), reason, "withdraw.approve")?;
        crate::requests::record_decision(tx, &pr, &req, true, None)
    })?;
    say(p.db.now, tf("demo.step.withdraw_approved", &[("id", &id), ("unit", &c2.code)]));
    p.db.now = at(m1, 7, 9);
    let why = "宽带数据有误，请核实";
    p.db.write(&pr.audit_actor(), |tx| {
        submission::return_unit(tx, pr.account_id, &c1, period, at(m1, 9, 12), why, "report.return")
    })?;
    say(p.db.now, tf("demo.step.returned", &[("unit", &c1.code)]));
    // The 7th: the second county fills its three missing schools by proxy and resubmits.
    p.db.now = at(m1, 7, 10);
    let a2 = p.actor(&county_staff[1.min(counties.len() - 1)].0)?;
    for (n, (code, tp)) in school_codes[1.min(counties.len() - 1)].iter().enumerate().skip(SCHOOLS_PER_COUNTY - 3) {
        let target = values::target(&p.db.conn, &a2, Some(code))?;
        let vals = checked(&cat, &target, &school_values(n + 100, *tp))?;
        p.db.write(&a2.audit_actor(), |tx| {
            values::set(tx, &a2, &target, period, &vals)?;
            values::confirm(tx, &a2, &target, period, &cat).map(|_| ())
        })?;
    }
    submit(&mut p, &county_staff[1.min(counties.len() - 1)].1, at(m1, 7, 16))?;
    say(p.db.now, tf("demo.step.resubmitted", &[("unit", &c2.code)]));
    // The 8th: the first county corrects a school's bandwidth and resubmits; its inspector ratifies.
    p.db.now = at(m1, 8, 9);
    let a1 = p.actor(&county_staff[0].0)?;
    let (code, _) = &school_codes[0][1];
    let target = values::target(&p.db.conn, &a1, Some(code))?;
    let vals = checked(&cat, &target, &[("bandwidth_mbps", "100".into())])?;
    p.db.write(&a1.audit_actor(), |tx| values::set(tx, &a1, &target, period, &vals).map(|_| ()))?;
    submit(&mut p, &county_staff[0].1, at(m1, 8, 10))?;
    say(p.db.now, tf("demo.step.resubmitted", &[("unit", &c1.code)]));
    p.db.now = at(m1, 8, 11);
    let ci = p.actor(&county_staff[0].2)?;
    p.db.write(&ci.audit_actor(), |tx| submission::ratify(tx, &ci, period).map(|_| ()))?;

    // The 9th: the prefecture submits; the 11th: the other prefectures are submitted at their
    // deadline; the 12th: the province submits and its inspector ratifies.
    submit(&mut p, &pref_reviewer, at(m1, 9, 10))?;
    say(p.db.now, tf("demo.step.submitted", &[("unit", &prefecture.code)]));
    p.db.now = at(m1, 11, 8);
    let auto = submission::catch_up(&mut p.db)?;
    say(p.db.now, tf("demo.step.auto_prefectures", &[("count", &auto.len())]));
    submit(&mut p, &prov_reviewer, at(m1, 12, 10))?;
    say(p.db.now, tf("demo.step.submitted", &[("unit", &province.code)]));
    let pi = p.actor(&prov_inspector)?;
    p.db.write(&pi.audit_actor(), |tx| submission::ratify(tx, &pi, period).map(|_| ()))?;

    // The 20th of the next month: the first county confirms it unchanged — its stocks carried,
    // its monthly figures (spending, training, documents) recorded as 0, never carried.
    p.db.now = at(m1, 20, 10).min(real_now);
    if p.db.now >= m1.starts() {
        let a1 = p.actor(&county_staff[0].0)?;
        let target = values::target(&p.db.conn, &a1, None)?;
        let done = p.db.write(&a1.audit_actor(), |tx| values::confirm(tx, &a1, &target, m1, &cat))?;
        say(
            p.db.now,
            tf(
                "demo.step.next_month",
                &[
                    ("unit", &c1.code),
                    ("period", &m1),
                    ("carried", &done.carried.len()),
                    ("zeroed", &done.zeroed.len()),
                ],
            ),
        );
    }

    // Sign in as the Ministry admin now, so the commands printed below work at once.
    p.db.now = real_now;
    let now = p.db.now;
    let (token, _) = p.db.write(&AuditActor { name: "000000-A01".into(), unit: Some(MINISTRY_CODE.into()) }, |tx| {
        let session = auth::open_session(tx, admin_id, now)?;
        tx.audit(Event::new("login").target("000000-A01").scope(format!("/{MINISTRY_CODE}/")))?;
        Ok(session)
    })?;
    auth::write_session_file(&path, &token)?;
    ctx.db_path = path.clone();
    ctx.set_db(p.db);

    status(
        ctx,
        StatusArgs { period: Some(crate::model::PeriodRange::single(period)), under: Some(prefecture.code.clone()) },
    )?;
    status(
        ctx,
        StatusArgs { period: Some(crate::model::PeriodRange::single(period)), under: Some(province.code.clone()) },
    )?;
    let dp = path.display();
    let pc = &province.code;
    let first = counties.first().map(|c| c.code.clone()).unwrap_or_default();
    out.status(&tf("demo.done", &[("path", &dp)]));
    out.status(&tf("demo.accounts", &[("password", &DEMO_PASSWORD)]));
    out.status(t("demo.explore"));
    let eip = program();
    for c in [
        format!("  {eip} --db {dp} whoami"),
        format!("  {eip} --db {dp} report status --period {period} --under {}", prefecture.code),
        format!("  {eip} --db {dp} report export --period {period} --under {pc} --level county --format table"),
        format!(
            "  {eip} --db {dp} report show --org {} --period {period}",
            school_codes.first().and_then(|c| c.first()).map(|c| c.0.clone()).unwrap_or_default()
        ),
        format!("  {eip} --db {dp} report validate --period {period} --under {pc}"),
        format!("  {eip} --db {dp} report text --period {period} --unit {pc}"),
        format!("  {eip} --db {dp} unit tree {pc} --depth 1"),
        format!("  {eip} --db {dp} account list --under {first}"),
        format!("  {eip} --db {dp} audit log --period {period} --action submit"),
        format!("  {eip} --db {dp} audit verify"),
    ] {
        out.status(&c);
    }
    Ok(())
}

/// How to call eip in the commands the demo prints: `eip` when that is on `PATH`, else the path
/// of the binary that ran (after `cargo run` it is not installed).
fn program() -> String {
    let on_path = std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| d.join(if cfg!(windows) { "eip.exe" } else { "eip" }).is_file())
    });
    if on_path {
        return "eip".into();
    }
    std::env::current_exe().map_or_else(|_| "eip".into(), |p| shell_word(&p.display().to_string()))
}

/// A path as one shell word: quoted when it holds anything but the characters paths usually do.
fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The first unit (by code) of a level inside a unit.
fn first_below(db: &Db, root: &Org, level: Level) -> Result<Option<Org>> {
    Ok(units_below(db, root, level)?.into_iter().next())
}

fn units_below(db: &Db, root: &Org, level: Level) -> Result<Vec<Org>> {
    units::at_level(&db.conn, root, level)
}
