//! `eip demo` (SPEC §10): a demonstration database built from one real province of the embedded
//! national list, with accounts for its staff, signed in as the Ministry admin, ending with the
//! province's tree and the commands to explore further.

use std::path::PathBuf;

use clap::Args;

use crate::account::{self, Person, Role};
use crate::audit::{AuditActor, Event};
use crate::auth;
use crate::context::Ctx;
use crate::csvio;
use crate::db::Db;
use crate::error::{self, Result};
use crate::hierarchy::{self, Level, MINISTRY_CODE};
use crate::i18n::{t, tf};
use crate::units;

use super::unit::{cmd_unit, TreeArgs, UnitCommand};

/// The national list of admin units (3,212 units), embedded for the demo.
pub const DIVISIONS_CSV: &str = include_str!("../../examples/data/divisions.csv");

/// The demo Ministry admin's password, printed so a person can sign in again.
pub const DEMO_PASSWORD: &str = "demo-password";

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
    if !found || province.len() != 6 || !province.ends_with("0000") {
        return Err(error::not_found(tf("demo.no_province", &[("code", &province)])).into());
    }
    Ok(text)
}

pub fn cmd_demo(ctx: &mut Ctx, args: DemoArgs) -> Result<()> {
    let out = ctx.out.clone();
    let province = args.province.trim().to_string();
    let rows = province_rows(&province)?;
    let path = demo_path(ctx);
    out.status(&tf("demo.building", &[("path", &path.display())]));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let _ = auth::remove_session_file(&path);

    let person = Person { name: "王芳".into(), mobile: "13800000001".into(), ..Default::default() };
    let (mut db, admin_id) = Db::create(&path, ctx.journal, true, &AuditActor::system(), |tx| {
        super::init::seed(tx)?;
        let ministry = hierarchy::find(tx, MINISTRY_CODE)?.expect("seeded above");
        let issued = account::issue(tx, &ministry, Role::Admin, &person, None, None)?;
        super::sign_in::set_password(tx, issued.id, &issued.username, DEMO_PASSWORD, true, "account.activate")?;
        Ok(issued.id)
    })?;
    // Sign in as the Ministry admin, so the commands printed at the end work at once.
    let now = db.now;
    let (token, _) = db.write(&AuditActor { name: "000000-A01".into(), unit: Some(MINISTRY_CODE.into()) }, |tx| {
        let session = auth::open_session(tx, admin_id, now)?;
        tx.audit(Event::new("login").target("000000-A01").scope(format!("/{MINISTRY_CODE}/")))?;
        Ok(session)
    })?;
    auth::write_session_file(&path, &token)?;
    ctx.db_path = path.clone();
    ctx.set_db(db);

    // The province's units, imported through the same rules as `eip unit import`.
    let actor = ctx.actor()?;
    let sheet = csvio::parse_sheet("divisions.csv", &rows, |h| h.first().is_some_and(|c| c == "code"), "code")?;
    let db = ctx.db()?;
    let plan = units::plan_import(&db.conn, &actor, &sheet)?;
    if let Some(e) = plan.errors.first() {
        return Err(anyhow::anyhow!("the embedded list does not import: line {}: {}", e.line, e.message));
    }
    db.write(&actor.audit_actor(), |tx| units::apply(tx, &plan, || {}))?;

    // Staff for the province and its first prefecture and county (Art. 6–7).
    let first_prefecture = first_below(db, &province, Level::Prefecture)?;
    let first_county = first_below(db, &province, Level::County)?;
    let mut staff = vec![
        (province.clone(), Role::Admin, "李明", "13900000001"),
        (province.clone(), Role::Reviewer, "张伟", "13900000002"),
        (province.clone(), Role::Inspector, "刘洋", "13900000003"),
    ];
    if let Some(p) = &first_prefecture {
        staff.push((p.clone(), Role::Admin, "陈静", "13900000011"));
        staff.push((p.clone(), Role::Reviewer, "杨帆", "13900000012"));
    }
    if let Some(c) = &first_county {
        staff.push((c.clone(), Role::Admin, "赵敏", "13900000021"));
        staff.push((c.clone(), Role::Reviewer, "孙强", "13900000022"));
    }
    db.write(&actor.audit_actor(), |tx| {
        for (code, role, name, mobile) in &staff {
            let org = hierarchy::find(tx, code)?.expect("imported above");
            let person = Person { name: (*name).into(), mobile: (*mobile).into(), ..Default::default() };
            account::issue(tx, &org, *role, &person, None, Some(admin_id))?;
        }
        Ok(())
    })?;

    cmd_unit(ctx, UnitCommand::Tree(TreeArgs { code: Some(province.clone()), depth: Some(1) }))?;
    let p = path.display();
    out.status(&tf("demo.done", &[("path", &p)]));
    out.status(t("demo.explore"));
    for c in [
        format!("  eip --db {p} whoami                       # signed in as 000000-A01 (password: {DEMO_PASSWORD})"),
        format!("  eip --db {p} unit tree {province} --depth 2"),
        format!("  eip --db {p} unit list --under {province} --level prefecture"),
        format!("  eip --db {p} account list --under {province}"),
        "  eip report calendar --period 2026-11".to_string(),
        format!("  eip --db {p} audit log --limit 20"),
        format!("  eip --db {p} audit verify"),
    ] {
        out.status(&c);
    }
    Ok(())
}

/// The first unit (by code) of a level inside a province.
fn first_below(db: &Db, province: &str, level: Level) -> Result<Option<String>> {
    let (lo, hi) = hierarchy::subtree_range(&format!("/{MINISTRY_CODE}/{province}/"));
    Ok(db
        .conn
        .query_row(
            "SELECT code FROM org WHERE path >= ?1 AND path < ?2 AND level = ?3 ORDER BY path LIMIT 1",
            rusqlite::params![lo, hi, level.as_str()],
            |r| r.get(0),
        )
        .ok())
}
