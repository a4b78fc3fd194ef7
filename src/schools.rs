//! Schools and teaching points (SPEC §3, Art. 11–13): the 学校标识码, creation with the school's
//! account, basic info, status changes, guarded deletion, and the expected-reporter rule that the
//! monthly data reads.

use crate::store::Conn;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::account::{self, AccountRow, Issued, Person, Role};
use crate::audit::Event;
use crate::auth::Actor;
use crate::calendar::{self, Period};
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::{self, Org};
use crate::i18n::{t, tf};
use crate::perm::{self, Action};

/// The school-type part of a 学校标识码 (its first two digits) and what it means.
pub const SCHOOL_TYPES: &[(&str, &str)] = &[
    ("11", "幼儿园"),
    ("21", "小学"),
    ("22", "小学教学点"),
    ("31", "普通初中"),
    ("32", "九年一贯制学校"),
    ("33", "十二年一贯制学校"),
    ("34", "普通高中"),
    ("35", "完全中学"),
    ("36", "中等职业学校"),
    ("51", "特殊教育学校"),
    ("91", "其他"),
];

/// The province part of a 学校标识码 (digits 3–4): GB/T 2260 province prefixes, and 66 for the
/// Xinjiang Production and Construction Corps.
pub const PROVINCE_PREFIXES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "66",
];

pub const CATEGORIES: &[&str] =
    &["小学", "初中", "高中", "完全中学", "九年一贯制学校", "十二年一贯制学校", "中等职业学校", "特殊教育学校", "其他"];

pub const LOCATIONS: &[&str] = &["城区", "镇区", "乡村"];

/// Check a 学校标识码: 10 digits, a known type, a known province (SPEC §3).
pub fn check_code(code: &str) -> Result<(), Error> {
    if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error::invalid(tf("school.bad_code", &[("code", &code)])));
    }
    if !SCHOOL_TYPES.iter().any(|(c, _)| *c == &code[..2]) {
        let known: Vec<String> = SCHOOL_TYPES.iter().map(|(c, n)| format!("{c} {n}")).collect();
        return Err(error::invalid(tf(
            "school.bad_type",
            &[("code", &code), ("type", &&code[..2]), ("known", &known.join(", "))],
        )));
    }
    if !PROVINCE_PREFIXES.contains(&&code[2..4]) {
        return Err(error::invalid(tf("school.bad_province", &[("code", &code), ("province", &&code[2..4])])));
    }
    Ok(())
}

/// A warning when the code's province part is not the supervising unit's province.
pub fn province_warning(code: &str, unit: &Org) -> Option<String> {
    let province = unit.province_code()?;
    (province[..2] != code[2..4]).then(|| {
        tf(
            "school.province_mismatch",
            &[("code", &code), ("part", &&code[2..4]), ("unit", &unit.code), ("province", &province)],
        )
    })
}

/// `school` or `teaching_point` (also `teaching-point`, 学校, 教学点).
pub fn parse_kind(s: &str) -> Option<&'static str> {
    match s.trim() {
        "school" | "学校" => Some("school"),
        "teaching_point" | "teaching-point" | "教学点" => Some("teaching_point"),
        _ => None,
    }
}

pub fn kind_label(kind: &str) -> &'static str {
    if kind == "teaching_point" {
        t("kind.teaching_point")
    } else {
        t("kind.school")
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "suspended" => t("school.status.suspended"),
        "merged" => t("school.status.merged"),
        "revoked" => t("school.status.revoked"),
        _ => t("school.status.normal"),
    }
}

/// A school's basic info (SPEC §3), as given to add, edit or import. `None` leaves a field as it is
/// on edit; on add it is blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub location: Option<String>,
    pub address: Option<String>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
}

impl Info {
    /// Check each field given; every message names the rule.
    pub fn check(&self) -> Result<(), Error> {
        if let Some(n) = &self.name {
            crate::text::clean_name(n)?;
        }
        if let Some(a) = &self.address {
            crate::text::check_address(a, t("field.address"))?;
        }
        if let Some(k) = &self.kind {
            if parse_kind(k).is_none() {
                return Err(error::invalid(tf("school.bad_kind", &[("value", k)])));
            }
        }
        if let Some(c) = &self.category {
            if !CATEGORIES.contains(&c.as_str()) {
                return Err(error::invalid(tf(
                    "school.bad_category",
                    &[("value", c), ("known", &CATEGORIES.join(", "))],
                )));
            }
        }
        if let Some(l) = &self.location {
            if !LOCATIONS.contains(&l.as_str()) {
                return Err(error::invalid(tf("school.bad_location", &[("value", l)])));
            }
        }
        for (field, v) in [("students", self.students), ("teachers", self.teachers), ("classes", self.classes)] {
            if v.is_some_and(|n| n < 0) {
                return Err(error::invalid(tf("school.negative", &[("field", &field)])));
            }
        }
        Ok(())
    }
}

/// A school as stored.
#[derive(Debug, Clone)]
pub struct School {
    pub org: Org,
    pub kind: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub address: Option<String>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
    pub status: String,
    pub status_changed_at: Option<String>,
    pub merged_into: Option<String>,
    pub info_filled_at: Option<String>,
    pub deleted_at: Option<String>,
    pub unit_name: String,
}

impl School {
    pub fn info(&self) -> Info {
        Info {
            name: Some(self.org.name.clone()),
            kind: Some(self.kind.clone()),
            category: self.category.clone(),
            location: self.location.clone(),
            address: self.address.clone(),
            students: self.students,
            teachers: self.teachers,
            classes: self.classes,
        }
    }

    pub fn info_json(&self) -> Value {
        json!({
            "name": self.org.name, "kind": self.kind, "category": self.category, "location": self.location,
            "address": self.address, "students": self.students, "teachers": self.teachers, "classes": self.classes,
        })
    }

    pub fn is_active(&self) -> bool {
        self.deleted_at.is_none() && matches!(self.status.as_str(), "normal" | "suspended")
    }
}

/// The query every school lookup starts from (a macro so that lookups run per row of an import
/// can add their `WHERE` at compile time instead of formatting it each time).
macro_rules! school_select {
    () => {
        "SELECT o.id, o.code, o.name, o.level, p.code, o.path, o.created_at,
        s.kind, s.category, s.location, s.address, s.students, s.teachers, s.classes, s.status,
        s.status_changed_at, m.code, s.info_filled_at, o.deleted_at, p.name
    FROM org o JOIN school s ON s.org_id = o.id JOIN org p ON p.id = o.parent_id LEFT JOIN org m ON m.id = s.merged_into"
    };
}
pub const SCHOOL_SELECT: &str = school_select!();

pub fn school_from_row(r: &rusqlite::Row) -> rusqlite::Result<School> {
    Ok(School {
        org: hierarchy::org_from_row(r)?,
        kind: r.get(7)?,
        category: r.get(8)?,
        location: r.get(9)?,
        address: r.get(10)?,
        students: r.get(11)?,
        teachers: r.get(12)?,
        classes: r.get(13)?,
        status: r.get(14)?,
        status_changed_at: r.get(15)?,
        merged_into: r.get(16)?,
        info_filled_at: r.get(17)?,
        deleted_at: r.get(18)?,
        unit_name: r.get(19)?,
    })
}

/// The live school with this code, wherever it is.
pub fn find_live(conn: &Conn, code: &str) -> Result<Option<School>> {
    Ok(conn
        .prepare_cached(concat!(school_select!(), " WHERE o.code = ?1 AND o.deleted_at IS NULL"))?
        .query_row(params![code], school_from_row)
        .optional()?)
}

/// The live school with this code inside `scope`, or "no school … in your scope" (SPEC §1).
pub fn in_scope(conn: &Conn, scope: &Org, code: &str) -> Result<School> {
    match find_live(conn, code)? {
        Some(s) if scope.contains_path(&s.org.path) => Ok(s),
        _ => Err(error::not_found(tf("school.none", &[("code", &code)])).into()),
    }
}

/// The school a request was filed for, by id, if it is still there (not deleted): a deleted
/// school's code may have been given to another school since.
pub fn live_by_id(conn: &Conn, id: i64) -> Result<Option<School>> {
    Ok(conn
        .prepare_cached(concat!(school_select!(), " WHERE o.id = ?1 AND o.deleted_at IS NULL"))?
        .query_row(params![id], school_from_row)
        .optional()?)
}

/// The school as it is now, read inside the write transaction that will change it (docs/
/// DECISIONS.md, "Every state change decides inside its transaction"); refused (exit 5) if it
/// was deleted meanwhile.
pub fn still_live(conn: &Conn, seen: &School) -> Result<School> {
    match live_by_id(conn, seen.org.id)? {
        Some(s) => Ok(s),
        None => Err(already_deleted(conn, seen.org.id, &seen.org.code)?),
    }
}

/// "2113010001 was already deleted at …" (exit 5).
pub fn already_deleted(conn: &Conn, id: i64, code: &str) -> Result<anyhow::Error> {
    let at: Option<String> =
        conn.query_row("SELECT deleted_at FROM org WHERE id = ?1", params![id], |r| r.get(0)).optional()?.flatten();
    let at = at.as_deref().and_then(calendar::parse_stored).map(|t| calendar::show_cst(t, false)).unwrap_or_default();
    Ok(Error::new(Kind::Refused, tf("races.school_deleted", &[("code", &code), ("at", &at)])).reason("deleted").into())
}

/// The most recent deleted school with this code inside `scope` (its history stays readable).
pub fn deleted_in_scope(conn: &Conn, scope: &Org, code: &str) -> Result<School> {
    let s = conn
        .prepare_cached(&format!(
            "{SCHOOL_SELECT} WHERE o.code = ?1 AND o.deleted_at IS NOT NULL ORDER BY o.deleted_at DESC LIMIT 1"
        ))?
        .query_row(params![code], school_from_row)
        .optional()?;
    match s {
        Some(s) if scope.contains_path(&s.org.path) => Ok(s),
        _ => Err(error::not_found(tf("school.none", &[("code", &code)])).into()),
    }
}

/// Whether a school is expected to report `period` (SPEC §3, §4.5): created before the period
/// ended, not deleted, and not merged or revoked before the period began (the month of the change
/// still reports). A pure function of the stored facts.
pub fn is_expected(
    created_at: &str,
    deleted_at: Option<&str>,
    status: &str,
    status_changed_at: Option<&str>,
    period: Period,
) -> bool {
    let ends = calendar::stored(period.ends());
    let starts = calendar::stored(period.starts());
    if deleted_at.is_some() || created_at >= ends.as_str() {
        return false;
    }
    match status {
        "merged" | "revoked" => status_changed_at.is_none_or(|at| at >= starts.as_str()),
        _ => true,
    }
}

/// The same rule as SQL over `o` (org) and `s` (school), with `:period_start` and `:period_end`
/// the period's bounds as stored times — for set-based queries over a subtree.
pub const EXPECTED_SQL: &str = "o.deleted_at IS NULL AND o.created_at < :period_end
    AND (s.status NOT IN ('merged', 'revoked') OR s.status_changed_at >= :period_start)";

/// Whether the school has filled anything in: its basic info or any monthly value (Art. 11).
pub fn is_filled(conn: &Conn, school: &School) -> Result<bool> {
    if school.info_filled_at.is_some() {
        return Ok(true);
    }
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM value WHERE org_id = ?1)", params![school.org.id], |r| r.get(0))?)
}

fn insert(tx: &mut Tx, unit: &Org, code: &str, info: &Info) -> Result<Org> {
    let mut id = 0;
    insert_many(tx, [(unit, code, info)], |i| id = i)?;
    Ok(Org {
        id,
        code: code.to_string(),
        name: crate::text::clean_name(info.name.as_deref().unwrap_or(""))?,
        level: crate::hierarchy::Level::School,
        parent_code: Some(unit.code.clone()),
        path: unit.child_path(code),
        created_at: tx.now_stored(),
    })
}

/// Schools added in bulk, a thousand at a time: their `org` and `school` rows and one
/// `school.add` event each, in order, written a batch per statement (`db::insert_rows`). Ids
/// follow the largest in use, as SQLite would give them; `done` is told each new id.
fn insert_many<'a>(
    tx: &mut Tx,
    new: impl IntoIterator<Item = (&'a Org, &'a str, &'a Info)>,
    mut done: impl FnMut(i64),
) -> Result<()> {
    use crate::store::Value as V;
    let now = tx.now_stored();
    let mut id: i64 = tx.prepare_cached("SELECT coalesce(max(id), 0) FROM org")?.query_row([], |r| r.get(0))?;
    let mut new = new.into_iter().peekable();
    while new.peek().is_some() {
        let (mut orgs, mut schools, mut events, mut ids) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (unit, code, info) in new.by_ref().take(1000) {
            id += 1;
            let path = unit.child_path(code);
            let name = crate::text::clean_name(info.name.as_deref().unwrap_or(""))?;
            let kind = parse_kind(info.kind.as_deref().unwrap_or("school")).unwrap_or("school");
            events.push(Event::new("school.add").target(code).scope(&path).detail(json!({
                "after": {
                    "code": code, "name": name, "kind": kind, "unit": unit.code, "category": info.category,
                    "location": info.location, "address": info.address, "students": info.students,
                    "teachers": info.teachers, "classes": info.classes,
                }
            })));
            orgs.extend([
                V::Int(id),
                V::Text(code.to_string()),
                V::Text(name),
                V::Text("school".into()),
                V::Int(unit.id),
                V::Text(path),
                V::Text(now.clone()),
            ]);
            schools.extend([
                V::Int(id),
                V::Text(kind.into()),
                V::from(info.category.clone()),
                V::from(info.location.clone()),
                V::from(info.address.clone()),
                V::from(info.students),
                V::from(info.teachers),
                V::from(info.classes),
            ]);
            ids.push(id);
        }
        crate::db::insert_rows(tx, "org(id, code, name, level, parent_id, path, created_at)", 7, &orgs)?;
        crate::db::insert_rows(
            tx,
            "school(org_id, kind, category, location, address, students, teachers, classes)",
            8,
            &schools,
        )?;
        tx.audit_many(events)?;
        ids.into_iter().for_each(&mut done);
    }
    Ok(())
}

/// Check that a new school may be created under `unit` by the actor; returns province warnings.
pub fn check_new(conn: &Conn, actor: &Actor, unit: &Org, code: &str, info: &Info) -> Result<Option<String>> {
    perm::require(actor, Action::SchoolAdd, unit)?;
    check_code(code)?;
    info.check()?;
    if info.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(error::invalid(t("unit.empty_name")).into());
    }
    if let Some(o) = hierarchy::find(conn, code)? {
        return Err(Error::new(Kind::Refused, exists_message(actor, &o)).into());
    }
    Ok(province_warning(code, unit))
}

/// A code already in use: named with its school inside the actor's scope; outside it, only that
/// it is taken (the code must be refused, but the other school's name is not the actor's to know).
fn exists_message(actor: &Actor, o: &Org) -> String {
    if actor.scope().contains_path(&o.path) {
        tf("school.exists", &[("code", &o.code), ("name", &o.name)])
    } else {
        tf("school.code_taken", &[("code", &o.code)])
    }
}

/// `eip school add`: the school and, if asked, its `school_admin` account, in one transaction.
pub fn add(
    tx: &mut Tx,
    actor: &Actor,
    unit: &Org,
    code: &str,
    info: &Info,
    admin: Option<&Person>,
) -> Result<(Org, Option<Issued>)> {
    check_new(tx, actor, unit, code, info)?;
    let org = insert(tx, unit, code, info)?;
    let issued = match admin {
        Some(p) => Some(account::issue(tx, &org, Role::SchoolAdmin, p, Some(actor.account_id))?),
        None => None,
    };
    Ok((org, issued))
}

/// The fields of `after` that differ from `before`, as (name, before, after) JSON.
fn changed_fields(before: &Info, after: &Info) -> Vec<(&'static str, Value, Value)> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($f:ident) => {
            if after.$f.is_some() && after.$f != before.$f {
                out.push((stringify!($f), json!(before.$f), json!(after.$f)));
            }
        };
    }
    cmp!(name);
    cmp!(kind);
    cmp!(category);
    cmp!(location);
    cmp!(address);
    cmp!(students);
    cmp!(teachers);
    cmp!(classes);
    out
}

/// `eip school edit`: basic info, by the school's own admin, its supervising admin, or support
/// with a reason. The first save by the school's own account sets `info_filled_at` (Art. 12).
/// Returns whether anything changed.
pub fn edit(tx: &mut Tx, actor: &Actor, school: &School, info: &Info, reason: Option<&str>) -> Result<bool> {
    // Compared with the school as read in this transaction: the same edit started twice at once
    // changes it once, and the second finds nothing to change.
    let school = &still_live(tx, school)?;
    perm::require(actor, Action::SchoolEdit, &school.org)?;
    if actor.role == Role::Support && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(error::usage(t("school.support_reason")).into());
    }
    let mut info = info.clone();
    if let Some(k) = &info.kind {
        info.kind = parse_kind(k).map(str::to_string).or(info.kind.clone());
    }
    info.check()?;
    if let Some(n) = &info.name {
        info.name = Some(crate::text::clean_name(n)?);
    }
    let changes = changed_fields(&school.info(), &info);
    let own = actor.role == Role::SchoolAdmin && actor.org.id == school.org.id;
    let first_fill = own && school.info_filled_at.is_none();
    if changes.is_empty() && !first_fill {
        return Ok(false);
    }
    let merged = |f: &Option<String>, old: &Option<String>| f.clone().or(old.clone());
    let num = |f: Option<i64>, old: Option<i64>| f.or(old);
    tx.prepare_cached("UPDATE org SET name = ?1 WHERE id = ?2")?
        .execute(params![info.name.clone().unwrap_or(school.org.name.clone()), school.org.id])?;
    tx.prepare_cached(
        "UPDATE school SET kind = ?1, category = ?2, location = ?3, address = ?4, students = ?5, teachers = ?6,
                classes = ?7, info_filled_at = CASE WHEN ?8 THEN COALESCE(info_filled_at, ?9) ELSE info_filled_at END
         WHERE org_id = ?10",
    )?
    .execute(params![
        info.kind.clone().unwrap_or(school.kind.clone()),
        merged(&info.category, &school.category),
        merged(&info.location, &school.location),
        merged(&info.address, &school.address),
        num(info.students, school.students),
        num(info.teachers, school.teachers),
        num(info.classes, school.classes),
        own,
        tx.now_stored(),
        school.org.id
    ])?;
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for (k, b, a) in &changes {
        before.insert((*k).into(), b.clone());
        after.insert((*k).into(), a.clone());
    }
    if first_fill {
        after.insert("info_filled".into(), json!(true));
    }
    tx.audit(
        Event::new("school.edit")
            .target(&school.org.code)
            .scope(&school.org.path)
            .reason(reason)
            .detail(json!({ "before": before, "after": after })),
    )?;
    Ok(true)
}

/// A status change (Art. 11).
#[derive(Debug, Clone)]
pub enum StatusChange {
    Suspend,
    Resume,
    Merge { into: Box<School> },
    Revoke,
}

impl StatusChange {
    fn action(&self) -> &'static str {
        match self {
            StatusChange::Suspend => "school.suspend",
            StatusChange::Resume => "school.resume",
            StatusChange::Merge { .. } => "school.merge",
            StatusChange::Revoke => "school.revoke",
        }
    }
    fn target_status(&self) -> &'static str {
        match self {
            StatusChange::Suspend => "suspended",
            StatusChange::Resume => "normal",
            StatusChange::Merge { .. } => "merged",
            StatusChange::Revoke => "revoked",
        }
    }
    /// The states it may start from.
    fn from(&self) -> &'static [&'static str] {
        match self {
            StatusChange::Suspend => &["normal"],
            StatusChange::Resume => &["suspended"],
            StatusChange::Merge { .. } | StatusChange::Revoke => &["normal", "suspended"],
        }
    }
}

/// The school's accounts that are still active, for disabling.
fn active_accounts(conn: &Conn, org_id: i64) -> Result<Vec<AccountRow>> {
    crate::store::accounts::not_disabled_at(conn, org_id)
}

fn disable_accounts(tx: &mut Tx, org_id: i64, reason: &str) -> Result<usize> {
    let accounts = active_accounts(tx, org_id)?;
    for a in &accounts {
        account::disable(tx, a, reason)?;
    }
    Ok(accounts.len())
}

/// `eip school suspend | resume | merge | revoke`, with the reason. Merged and revoked schools'
/// accounts are disabled; they stop being expected from the month after.
pub fn change_status(
    tx: &mut Tx,
    actor: &Actor,
    school: &School,
    change: &StatusChange,
    reason: &str,
) -> Result<(usize, String)> {
    // Decided on the status read in this transaction: of a merge and a revoke started together,
    // the second finds the school merged (or revoked) and is refused.
    let school = &still_live(tx, school)?;
    perm::require(actor, Action::SchoolManage, &school.org)?;
    if !change.from().contains(&school.status.as_str()) {
        return Err(Error::new(
            Kind::Refused,
            tf(
                "school.wrong_status",
                &[("code", &school.org.code), ("status", &status_label(&school.status)), ("action", &change.action())],
            ),
        )
        .into());
    }
    let now = tx.now_stored();
    let to = change.target_status();
    let (into_id, into_code) = match change {
        StatusChange::Merge { into } => {
            let into = &still_live(tx, into)?;
            if into.org.id == school.org.id {
                return Err(error::invalid(tf("school.merge_self", &[("code", &school.org.code)])).into());
            }
            if !into.is_active() {
                return Err(Error::new(
                    Kind::Refused,
                    tf("school.merge_inactive", &[("code", &into.org.code), ("status", &status_label(&into.status))]),
                )
                .into());
            }
            (Some(into.org.id), Some(into.org.code.clone()))
        }
        _ => (None, None),
    };
    let final_change = matches!(change, StatusChange::Merge { .. } | StatusChange::Revoke);
    tx.prepare_cached(
        "UPDATE school SET status = ?1, merged_into = COALESCE(?2, merged_into),
                status_changed_at = CASE WHEN ?3 THEN ?4 ELSE status_changed_at END WHERE org_id = ?5",
    )?
    .execute(params![to, into_id, final_change, now, school.org.id])?;
    tx.audit(
        Event::new(change.action()).target(&school.org.code).scope(&school.org.path).reason(Some(reason)).detail(
            json!({ "before": { "status": school.status }, "after": { "status": to, "merged_into": into_code } }),
        ),
    )?;
    if final_change {
        let why = tf("school.accounts_disabled_reason", &[("code", &school.org.code), ("status", &to)]);
        return Ok((disable_accounts(tx, school.org.id, &why)?, school.status.clone()));
    }
    Ok((0, school.status.clone()))
}

/// Soft-delete a school: it leaves lists and expectations; its row, data and history stay, and
/// its accounts are disabled.
pub fn soft_delete(tx: &mut Tx, school: &School, reason: Option<&str>) -> Result<()> {
    let now = tx.now_stored();
    tx.prepare_cached("UPDATE org SET deleted_at = ?1 WHERE id = ?2")?.execute(params![now, school.org.id])?;
    tx.audit(
        Event::new("school.delete")
            .target(&school.org.code)
            .scope(&school.org.path)
            .reason(reason)
            .detail(json!({ "before": school.info_json(), "after": { "deleted": true } })),
    )?;
    let why = tf("school.deleted_reason", &[("code", &school.org.code)]);
    disable_accounts(tx, school.org.id, &why)?;
    Ok(())
}

/// `eip school delete` (Art. 11): outright only while the school has filled nothing in.
pub fn delete(tx: &mut Tx, actor: &Actor, school: &School) -> Result<()> {
    let school = &still_live(tx, school)?;
    perm::require(actor, Action::SchoolManage, &school.org)?;
    if is_filled(tx, school)? {
        return Err(Error::new(Kind::Refused, tf("school.filled", &[("code", &school.org.code)]))
            .hint(tf("school.filled.hint", &[("code", &school.org.code)]))
            .into());
    }
    soft_delete(tx, school, None)
}

fn pending_request(conn: &Conn, kind: &str, org_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM request WHERE kind = ?1 AND status = 'pending' AND org_id = ?2",
            params![kind, org_id],
            |r| r.get(0),
        )
        .optional()?)
}

fn file(
    tx: &mut Tx,
    actor: &Actor,
    kind: &str,
    school: &School,
    awaiting: &Org,
    payload: Value,
    reason: &str,
) -> Result<i64> {
    if let Some(id) = pending_request(tx, kind, school.org.id)? {
        return Err(Error::new(
            Kind::Refused,
            tf("school.request_pending", &[("id", &id), ("code", &school.org.code)]),
        )
        .into());
    }
    tx.execute(
        "INSERT INTO request(kind, status, org_id, awaiting_org_id, payload, reason, filed_by, filed_at)
         VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![kind, school.org.id, awaiting.id, payload.to_string(), reason, actor.account_id, tx.now_stored()],
    )?;
    let id = tx.last_insert_rowid();
    tx.audit(
        Event::new("request.file")
            .target(id.to_string())
            .scope(&school.org.path)
            .reason(Some(reason))
            .detail(json!({ "kind": kind, "payload": payload })),
    )?;
    Ok(id)
}

/// `eip school delete --request`: a `school_delete` request for the Ministry.
pub fn request_delete(tx: &mut Tx, actor: &Actor, school: &School, reason: &str) -> Result<i64> {
    let school = &still_live(tx, school)?;
    perm::require(actor, Action::SchoolManage, &school.org)?;
    let ministry = hierarchy::find(tx, hierarchy::MINISTRY_CODE)?.ok_or_else(|| anyhow::anyhow!("no Ministry"))?;
    let payload = json!({ "school": school.org.code, "name": school.org.name, "unit": school.org.parent_code });
    file(tx, actor, "school_delete", school, &ministry, payload, reason)
}

/// `eip school transfer --to UNIT` (Art. 13): a `school_transfer` request that climbs from the
/// supervising unit's parent up to the Ministry.
pub fn request_transfer(tx: &mut Tx, actor: &Actor, school: &School, to: &Org, reason: &str) -> Result<i64> {
    let school = &still_live(tx, school)?;
    perm::require(actor, Action::SchoolManage, &school.org)?;
    if !school.is_active() {
        return Err(Error::new(
            Kind::Refused,
            tf("school.transfer_inactive", &[("code", &school.org.code), ("status", &status_label(&school.status))]),
        )
        .into());
    }
    if school.org.parent_code.as_deref() == Some(to.code.as_str()) {
        return Err(
            error::invalid(tf("school.transfer_same", &[("code", &school.org.code), ("unit", &to.code)])).into()
        );
    }
    let from = hierarchy::find(tx, school.org.parent_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| anyhow::anyhow!("supervising unit vanished"))?;
    let first = match &from.parent_code {
        Some(p) => hierarchy::find(tx, p)?.ok_or_else(|| anyhow::anyhow!("unit {p} vanished"))?,
        None => from.clone(),
    };
    let payload = json!({
        "school": school.org.code, "name": school.org.name, "from": from.code, "from_path": from.path, "to": to.code,
    });
    file(tx, actor, "school_transfer", school, &first, payload, reason)
}

/// Move a school under another unit: its path follows (one row; schools have no subtree).
pub fn move_school(tx: &mut Tx, school: &School, to: &Org, request_id: i64) -> Result<()> {
    let path = to.child_path(&school.org.code);
    tx.prepare_cached("UPDATE org SET parent_id = ?1, path = ?2 WHERE id = ?3")?.execute(params![
        to.id,
        path,
        school.org.id
    ])?;
    tx.audit(Event::new("school.transfer").target(&school.org.code).scope(&path).detail(json!({
        "before": { "unit": school.org.parent_code, "path": school.org.path },
        "after": { "unit": to.code, "path": path },
        "request": request_id,
    })))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_codes() {
        assert!(check_code("2113010001").is_ok());
        assert!(check_code("1166000001").is_ok());
        for bad in ["211301000", "21130100011", "21130100a1", "9913010001", "2199010001", "", "2113 10001"] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
    }

    /// The SQL form of the rule agrees with the function on every kind of school life.
    #[test]
    fn expected_sql_agrees_with_the_rule() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(crate::db::SCHEMA).unwrap();
        c.execute("INSERT INTO org(id, code, name, level, path, created_at) VALUES (1, '000000', 'm', 'ministry', '/000000/', '2020-01-01T00:00:00Z')", []).unwrap();
        let lives: &[(&str, Option<&str>, &str, Option<&str>)] = &[
            ("2020-01-01T00:00:00Z", None, "normal", None),
            ("2026-11-30T15:59:59Z", None, "normal", None),
            ("2026-11-30T16:00:00Z", None, "normal", None),
            ("2020-01-01T00:00:00Z", Some("2026-12-20T00:00:00Z"), "normal", None),
            ("2020-01-01T00:00:00Z", None, "merged", Some("2026-10-31T16:00:00Z")),
            ("2020-01-01T00:00:00Z", None, "revoked", Some("2026-10-31T15:59:59Z")),
            ("2020-01-01T00:00:00Z", None, "suspended", Some("2026-01-01T00:00:00Z")),
        ];
        for (i, (created, deleted, status, changed)) in lives.iter().enumerate() {
            let id = i as i64 + 10;
            c.execute(
                "INSERT INTO org(id, code, name, level, parent_id, path, created_at, deleted_at) VALUES (?1, ?2, 's', 'school', 1, ?3, ?4, ?5)",
                params![id, format!("21130100{id:02}"), format!("/000000/{id}/"), created, deleted],
            )
            .unwrap();
            c.execute(
                "INSERT INTO school(org_id, kind, status, status_changed_at) VALUES (?1, 'school', ?2, ?3)",
                params![id, status, changed],
            )
            .unwrap();
        }
        for period in ["2026-10", "2026-11", "2026-12"] {
            let p: Period = period.parse().unwrap();
            let sql =
                format!("SELECT o.id FROM org o JOIN school s ON s.org_id = o.id WHERE {EXPECTED_SQL} ORDER BY o.id");
            let mut stmt = c.prepare(&sql).unwrap();
            let got: Vec<i64> = stmt
                .query_map(
                    rusqlite::named_params! {
                        ":period_start": calendar::stored(p.starts()),
                        ":period_end": calendar::stored(p.ends()),
                    },
                    |r| r.get(0),
                )
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let want: Vec<i64> = lives
                .iter()
                .enumerate()
                .filter(|(_, (cr, de, st, ch))| is_expected(cr, *de, st, *ch, p))
                .map(|(i, _)| i as i64 + 10)
                .collect();
            assert_eq!(got, want, "{period}");
        }
    }

    #[test]
    fn expected_reporters_follow_each_schools_life() {
        let p: Period = "2026-11".parse().unwrap();
        // Created during the month: expected; created after it: not.
        assert!(is_expected("2026-11-30T15:59:59Z", None, "normal", None, p));
        assert!(!is_expected("2026-11-30T16:00:00Z", None, "normal", None, p));
        // Deleted: never.
        assert!(!is_expected("2020-01-01T00:00:00Z", Some("2026-12-20T00:00:00Z"), "normal", None, p));
        // Merged or revoked during the month: still reports it; before it began: not.
        assert!(is_expected("2020-01-01T00:00:00Z", None, "merged", Some("2026-10-31T16:00:00Z"), p));
        assert!(!is_expected("2020-01-01T00:00:00Z", None, "revoked", Some("2026-10-31T15:59:59Z"), p));
        // Suspended schools still report.
        assert!(is_expected("2020-01-01T00:00:00Z", None, "suspended", Some("2026-01-01T00:00:00Z"), p));
    }
}

// ------------------------------------------------------------------ the schools CSV (SPEC §5.2)

/// The columns of a schools file, English or Chinese.
pub const SCHOOL_COLUMNS: &[(&str, &[&str])] = &[
    ("code", &["code", "学校标识码"]),
    ("name", &["name", "学校名称"]),
    ("kind", &["kind", "类型"]),
    ("unit", &["unit", "主管单位"]),
    ("category", &["category", "办学类型"]),
    ("location", &["location", "城乡"]),
    ("address", &["address", "地址"]),
    ("students", &["students", "学生数"]),
    ("teachers", &["teachers", "教师数"]),
    ("classes", &["classes", "班级数"]),
];

/// What a schools import would do.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub rows: usize,
    pub adds: Vec<(u64, Org, String, Info)>,
    pub changes: Vec<(u64, School, Info)>,
    pub unchanged: usize,
    pub errors: Vec<crate::csvio::RowError>,
    pub warnings: Vec<(u64, String)>,
    /// The newest audit event when the file was checked: if another change came since, the
    /// plan's additions are checked again inside the write transaction.
    pub seen: i64,
}

fn count_cell(field: &'static str, text: &str) -> std::result::Result<Option<i64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        Ok(_) => Err(tf("school.negative", &[("field", &field)])),
        Err(_) => Err(tf("school.bad_count", &[("field", &field), ("value", &text)])),
    }
}

/// Check every row of a schools file; write nothing. Blank cells leave what is stored as it is.
pub fn plan_import(conn: &Conn, actor: &Actor, sheet: &crate::csvio::Sheet) -> Result<ImportPlan> {
    use crate::csvio::{Columns, RowError};
    let cols = Columns::find(&sheet.headers, SCHOOL_COLUMNS);
    for key in ["code", "unit"] {
        if !cols.has(key) {
            return Err(error::invalid(tf("csv.missing_column", &[("file", &sheet.file), ("column", &key)])).into());
        }
    }
    // Only admins add and edit schools: say so once, not on every row.
    if actor.role != Role::Admin {
        perm::require(actor, Action::SchoolAdd, &actor.org)?;
    }
    // One snapshot for the whole check (a read transaction): a school added by another process
    // meanwhile is seen by every lookup or by none (then `apply_import` finds it in its own).
    let _snapshot = if conn.is_autocommit() { Some(conn.unchecked_transaction()?) } else { None };
    let mut plan = ImportPlan { rows: sheet.rows.len(), seen: crate::store::audit_head(conn)?, ..Default::default() };
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut units: std::collections::HashMap<String, Option<Org>> = std::collections::HashMap::new();
    for row in &sheet.rows {
        let line = row.line;
        let mut errs: Vec<String> = Vec::new();
        let code = cols.get(row, "code").to_string();
        if let Err(e) = check_code(&code) {
            plan.errors.push(RowError { line, message: e.message });
            continue;
        }
        if let Some(first) = seen.get(&code) {
            plan.errors.push(RowError { line, message: tf("unit.dup_in_file", &[("code", &code), ("line", first)]) });
            continue;
        }
        seen.insert(code.clone(), line);
        let opt = |k: &str| Some(cols.get(row, k).to_string()).filter(|s| !s.is_empty());
        let mut info = Info {
            name: opt("name"),
            kind: opt("kind"),
            category: opt("category"),
            location: opt("location"),
            address: opt("address"),
            ..Default::default()
        };
        for (field, slot) in
            [("students", &mut info.students), ("teachers", &mut info.teachers), ("classes", &mut info.classes)]
        {
            match count_cell(field, cols.get(row, field)) {
                Ok(v) => *slot = v,
                Err(e) => errs.push(e),
            }
        }
        if let Some(k) = info.kind.take() {
            match parse_kind(&k) {
                Some(k) => info.kind = Some(k.to_string()),
                None => errs.push(tf("school.bad_kind", &[("value", &k)])),
            }
        }
        if let Err(e) = info.check() {
            errs.push(e.message);
        }
        let unit_code = cols.get(row, "unit").to_string();
        let unit = units
            .entry(unit_code.clone())
            .or_insert_with(|| hierarchy::unit_in_scope(conn, actor.scope(), &unit_code).ok())
            .clone();
        let Some(unit) = unit else {
            errs.push(tf("unit.none", &[("code", &unit_code)]));
            plan.errors.extend(errs.into_iter().map(|m| RowError { line, message: m }));
            continue;
        };
        let live = find_live(conn, &code)?;
        match live.clone().filter(|s| actor.scope().contains_path(&s.org.path)) {
            Some(existing) => {
                if existing.org.parent_code.as_deref() != Some(unit.code.as_str()) {
                    errs.push(tf(
                        "school.moved_unit",
                        &[("code", &code), ("unit", &existing.org.parent_code.clone().unwrap_or_default())],
                    ));
                } else if !perm::allows(actor, Action::SchoolEdit, &existing.org) {
                    errs.push(tf("school.not_own_unit", &[("unit", &unit.code)]));
                }
                if errs.is_empty() {
                    if changed_fields(&existing.info(), &info).is_empty() {
                        plan.unchanged += 1;
                    } else {
                        plan.changes.push((line, existing, info));
                    }
                }
            }
            None => {
                if !perm::allows(actor, Action::SchoolAdd, &unit) {
                    errs.push(tf("school.not_own_unit", &[("unit", &unit.code)]));
                } else if info.name.is_none() {
                    errs.push(t("unit.empty_name").to_string());
                } else if let Some(other) = &live {
                    // Live, but outside the scope (in scope it was matched above).
                    errs.push(exists_message(actor, &other.org));
                }
                if errs.is_empty() {
                    if let Some(w) = province_warning(&code, &unit) {
                        plan.warnings.push((line, w));
                    }
                    plan.adds.push((line, unit, code, info));
                }
            }
        }
        plan.errors.extend(errs.into_iter().map(|m| RowError { line, message: m }));
    }
    Ok(plan)
}

/// Write a checked schools plan: one audit event per school added or changed.
pub fn apply_import(tx: &mut Tx, actor: &Actor, plan: &ImportPlan, mut progress: impl FnMut()) -> Result<()> {
    // Something changed since the file was checked (the same file imported twice at once):
    // what it adds must still be new, as read in this transaction.
    if crate::store::audit_head(tx)? != plan.seen {
        for (_, _, code, _) in &plan.adds {
            if find_live(tx, code)?.is_some() {
                return Err(crate::import::stale(code));
            }
        }
    }
    insert_many(tx, plan.adds.iter().map(|(_, unit, code, info)| (unit, code.as_str(), info)), |_| progress())?;
    for (_, school, info) in &plan.changes {
        edit(tx, actor, school, info, None)?;
        progress();
    }
    Ok(())
}
