//! Schools and teaching points (Art. 11–13): the 学校标识码, creation with the school's
//! account, basic info, status changes, guarded deletion, and the expected-reporter rule that the
//! monthly data reads.

use serde_json::{json, Value};

use crate::account::{self, AccountRow, Issued, Person, Role};
use crate::audit::Event;
use crate::calendar::{self, Period};
use crate::csvio::{Columns, Sheet};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::import::{ChangeKind, ImportPlan};
use crate::model::{Actor, Level, Org, MINISTRY_CODE};
use crate::output::{Cell, Out};
use crate::perm::{self, Action};
use crate::requests::{self, Request};
use crate::roster::IssuedCode;
use crate::scope;
use crate::store::schools::{Fields, NewSchool};
use crate::store::{self, orgs, Conn, Tx};

pub use crate::store::schools::{Filter, School};

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

/// Check a 学校标识码: 10 digits, a known type, a known province.
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

/// A school's basic info, as given to add, edit or import. `None` leaves a field as it is
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

/// A stored school, as the rules read it.
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

/// The school as it is now, read inside the write transaction that will change it (docs/
/// DECISIONS.md, "Every state change decides inside its transaction"); refused (exit 5) if it
/// was deleted meanwhile.
pub fn still_live(conn: &Conn, seen: &School) -> Result<School> {
    match store::schools::live_by_id(conn, seen.org.id)? {
        Some(s) => Ok(s),
        None => Err(already_deleted(conn, seen.org.id, &seen.org.code)?),
    }
}

/// "2113010001 was already deleted at …" (exit 5).
pub fn already_deleted(conn: &Conn, id: i64, code: &str) -> Result<anyhow::Error> {
    let at = store::schools::deleted_at(conn, id)?;
    let at = at.as_deref().and_then(calendar::parse_stored).map(|t| calendar::show_cst(t, false)).unwrap_or_default();
    Ok(Error::new(Kind::Refused, tf("races.school_deleted", &[("code", &code), ("at", &at)])).reason("deleted").into())
}

/// The schools under `root` (already found in the actor's scope) that `filter` lets through, in
/// tree order.
pub fn list(conn: &Conn, root: &Org, filter: &Filter) -> Result<Vec<School>> {
    store::schools::under(conn, root, filter)
}

/// Every live school under `root` (already found in the actor's scope), streamed through `f` in
/// tree order.
pub fn each_live(conn: &Conn, root: &Org, f: impl FnMut(School) -> Result<()>) -> Result<()> {
    store::schools::each_live_under(conn, root, f)
}

/// Whether a school is expected to report `period` (§4.5): created before the period
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

/// Whether the school has filled anything in: its basic info or any monthly value (Art. 11).
pub fn is_filled(conn: &Conn, school: &School) -> Result<bool> {
    if school.info_filled_at.is_some() {
        return Ok(true);
    }
    store::schools::has_values(conn, school.org.id)
}

fn insert(tx: &mut Tx, unit: &Org, code: &str, info: &Info) -> Result<Org> {
    let mut id = 0;
    insert_many(tx, [(unit, code, info)], |i| id = i)?;
    let name = crate::text::clean_name(info.name.as_deref().unwrap_or(""))?;
    Ok(school_org(id, unit, code, name, &tx.now_stored()))
}

/// The org of a school just written under `unit` with this id.
fn school_org(id: i64, unit: &Org, code: &str, name: String, created_at: &str) -> Org {
    Org {
        id,
        code: code.to_string(),
        name,
        level: Level::School,
        parent_code: Some(unit.code.clone()),
        path: unit.child_path(code),
        created_at: created_at.to_string(),
    }
}

/// Schools added in bulk, a thousand at a time: their `org` and `school` rows and one
/// `school.add` event each, in order, written a batch per statement (`store::schools::
/// insert_many`). Ids follow the largest in use, as SQLite would give them; `done` is told each
/// new id.
fn insert_many<'a>(
    tx: &mut Tx,
    new: impl IntoIterator<Item = (&'a Org, &'a str, &'a Info)>,
    mut done: impl FnMut(i64),
) -> Result<()> {
    let mut id = orgs::max_id(tx)?;
    let mut new = new.into_iter().peekable();
    while new.peek().is_some() {
        let first = id + 1;
        let (mut rows, mut events) = (Vec::with_capacity(1000), Vec::with_capacity(1000));
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
            rows.push(NewSchool {
                id,
                code,
                name,
                unit_id: unit.id,
                path,
                fields: Fields {
                    kind,
                    category: info.category.as_deref(),
                    location: info.location.as_deref(),
                    address: info.address.as_deref(),
                    students: info.students,
                    teachers: info.teachers,
                    classes: info.classes,
                },
            });
        }
        store::schools::insert_many(tx, rows)?;
        tx.audit_many(events)?;
        (first..=id).for_each(&mut done);
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
    if let Some(o) = orgs::find(conn, code)? {
        return Err(Error::new(Kind::Refused, exists_message(actor, &o)).into());
    }
    Ok(province_warning(code, unit))
}

/// A code already in use: named with its school inside the actor's scope; outside it, only that
/// it is taken (the code must be refused, but the other school's name is not the actor's to know).
fn exists_message(actor: &Actor, o: &Org) -> String {
    if scope::sees(actor, &o.path) {
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
    let or_old = |f: &Option<String>, old: &Option<String>| f.clone().or(old.clone());
    let name = info.name.clone().unwrap_or(school.org.name.clone());
    let (kind, category, location, address) = (
        info.kind.clone().unwrap_or(school.kind.clone()),
        or_old(&info.category, &school.category),
        or_old(&info.location, &school.location),
        or_old(&info.address, &school.address),
    );
    orgs::rename(tx, school.org.id, &name)?;
    let fields = Fields {
        kind: &kind,
        category: category.as_deref(),
        location: location.as_deref(),
        address: address.as_deref(),
        students: info.students.or(school.students),
        teachers: info.teachers.or(school.teachers),
        classes: info.classes.or(school.classes),
    };
    store::schools::update_info(tx, school.org.id, &fields, own)?;
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for (k, b, a) in &changes {
        before.insert((*k).into(), b.clone());
        after.insert((*k).into(), a.clone());
    }
    if first_fill {
        after.insert("info_filled".into(), json!(true));
    }
    // The plausibility rules read the basic info (school.students|teachers|classes): the months
    // still being reported are judged again.
    if changes.iter().any(|(k, _, _)| matches!(*k, "students" | "teachers" | "classes")) {
        crate::rules::refresh_open(tx, &school.org)?;
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
    /// The status it leaves the school in.
    pub fn target_status(&self) -> &'static str {
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
    store::schools::set_status(tx, school.org.id, to, into_id, final_change)?;
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
    store::schools::mark_deleted(tx, school.org.id)?;
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

/// The rules of `eip school delete` (Art. 11), checked before anything is asked or written: the
/// actor may manage the school, and the school has filled nothing in.
pub fn check_delete(conn: &Conn, actor: &Actor, school: &School) -> Result<()> {
    perm::require(actor, Action::SchoolManage, &school.org)?;
    if is_filled(conn, school)? {
        return Err(Error::new(Kind::Refused, tf("school.filled", &[("code", &school.org.code)]))
            .hint(tf("school.filled.hint", &[("code", &school.org.code)]))
            .into());
    }
    Ok(())
}

/// `eip school delete` (Art. 11): outright only while the school has filled nothing in, as read
/// in this transaction.
pub fn delete(tx: &mut Tx, actor: &Actor, school: &School) -> Result<()> {
    let school = &still_live(tx, school)?;
    check_delete(tx, actor, school)?;
    soft_delete(tx, school, None)
}

/// File a request about a school, awaiting `awaiting`'s decision: one pending of each kind per
/// school.
fn file(
    tx: &mut Tx,
    actor: &Actor,
    kind: &str,
    school: &School,
    awaiting: &Org,
    payload: Value,
    reason: &str,
) -> Result<i64> {
    if let Some(id) = store::requests::pending_for(tx, kind, school.org.id)? {
        return Err(Error::new(
            Kind::Refused,
            tf("school.request_pending", &[("id", &id), ("code", &school.org.code)]),
        )
        .into());
    }
    let id = store::requests::insert(
        tx,
        &store::requests::NewRequest {
            kind,
            org_id: school.org.id,
            awaiting_org_id: awaiting.id,
            payload: &payload.to_string(),
            reason: Some(reason),
            filed_by: actor.account_id,
        },
    )?;
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
    let ministry = orgs::find(tx, MINISTRY_CODE)?.ok_or_else(|| anyhow::anyhow!("no Ministry"))?;
    let payload = json!({ "school": school.org.code, "name": school.org.name, "unit": school.org.parent_code });
    file(tx, actor, "school_delete", school, &ministry, payload, reason)
}

/// `eip school transfer --to UNIT` (Art. 13): a `school_transfer` request that climbs from the
/// supervising unit's parent up to the Ministry. Returns the request's id and the code of the
/// unit whose decision it awaits first.
pub fn request_transfer(tx: &mut Tx, actor: &Actor, school: &School, to: &Org, reason: &str) -> Result<(i64, String)> {
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
    let from = orgs::find(tx, school.org.parent_code.as_deref().unwrap_or(""))?
        .ok_or_else(|| anyhow::anyhow!("supervising unit vanished"))?;
    let first = match &from.parent_code {
        Some(p) => orgs::find(tx, p)?.ok_or_else(|| anyhow::anyhow!("unit {p} vanished"))?,
        None => from.clone(),
    };
    let payload = json!({
        "school": school.org.code, "name": school.org.name, "from": from.code, "from_path": from.path, "to": to.code,
    });
    let id = file(tx, actor, "school_transfer", school, &first, payload, reason)?;
    Ok((id, first.code))
}

/// Move a school under another unit: its path follows (one row; schools have no subtree).
pub fn move_school(tx: &mut Tx, school: &School, to: &Org, request_id: i64) -> Result<()> {
    let path = to.child_path(&school.org.code);
    let parent = school.org.parent_code.as_deref().unwrap_or_default();
    let from = orgs::find(tx, parent)?.ok_or_else(|| anyhow::anyhow!("supervising unit {parent} vanished"))?;
    // One owner per school per month (docs/DECISIONS.md): the periods a submission of the unit it
    // leaves already holds — or that the unit it joins has already submitted without it — stay
    // with the unit it leaves; the later ones move with it.
    let held = [store::submissions::latest_held(tx, from.id)?, store::submissions::latest_held(tx, to.id)?]
        .into_iter()
        .flatten()
        .max();
    let until = held.map(Period::next);
    if let Some(until) = until {
        store::schools::hold(tx, school.org.id, until, from.id)?;
    }
    store::schools::move_to(tx, school.org.id, to.id, &path)?;
    tx.audit(Event::new("school.transfer").target(&school.org.code).scope(&path).detail(json!({
        "before": { "unit": school.org.parent_code, "path": school.org.path },
        "after": { "unit": to.code, "path": path },
        "request": request_id,
        "periods_before_stay": until.map(|p| p.to_string()),
    })))?;
    Ok(())
}

// ---------------------------------------------------------------- deciding requests about schools

/// The school a request was filed for, by id, as read in the deciding transaction; refused
/// (exit 5) if it has been deleted since (a deleted school's code may have been given to another
/// school since, so never by code).
fn filed_school(conn: &Conn, r: &Request) -> Result<School> {
    store::schools::live_by_id(conn, r.org_id)?
        .ok_or_else(|| error::refused(tf("request.stale", &[("id", &r.id), ("code", &r.org_code)])).into())
}

/// `eip request approve` of a `school_delete` request (the Ministry's decision). Decided inside
/// the transaction: a request decided already (the school then gone) says so before the school
/// is looked up, so the loser of two decisions started together learns that it lost.
pub fn approve_delete(tx: &mut Tx, actor: &Actor, seen: &Request) -> Result<()> {
    let r = requests::reload_pending(tx, actor, seen)?;
    let org = orgs::by_id(tx, r.org_id)?;
    perm::require(actor, Action::SchoolDeleteDecide, &org)?;
    let school = filed_school(tx, &r)?;
    soft_delete(tx, &school, r.reason.as_deref())?;
    requests::record_decision(tx, actor, &r, true, None)
}

/// What approving one step of a school transfer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferStep {
    /// `unit` approved; the request now awaits `next`, one level up.
    Passed { unit: String, next: String },
    /// The Ministry approved: the school now lies under `to`.
    Moved { to: String },
}

/// A school that is no longer active cannot move (it may have changed while the request
/// climbed); the request can still be rejected.
fn require_active_for_transfer(school: &School) -> Result<()> {
    if !school.is_active() {
        return Err(error::refused(tf(
            "school.transfer_inactive",
            &[("code", &school.org.code), ("status", &status_label(&school.status))],
        ))
        .hint(t("request.reject_hint"))
        .into());
    }
    Ok(())
}

/// `eip request approve` of a `school_transfer` request at its current step (Art. 13): each
/// level up approves in turn; the Ministry's approval moves the school. Decided inside the
/// transaction, on the request as read there: its step not decided already, the unit whose turn
/// it is and the actor's right to decide for it, still pending at the same step, then the school.
pub fn approve_transfer(tx: &mut Tx, actor: &Actor, seen: &Request) -> Result<TransferStep> {
    let r = requests::find(tx, actor, seen.id)?;
    requests::require_awaiting(actor, &r)?;
    let awaiting = requests::live_org(tx, &r, r.awaiting_code.as_deref().unwrap_or(""))?;
    perm::require(actor, Action::TransferDecide, &awaiting)?;
    requests::require_pending(&r)?;
    requests::require_same_turn(seen, &r)?;
    let school = filed_school(tx, &r)?;
    match &awaiting.parent_code {
        Some(parent) => {
            let next = requests::live_org(tx, &r, parent)?;
            requests::record_step(tx, actor, &r, Some(next.id), true, None)?;
            Ok(TransferStep::Passed { unit: awaiting.code, next: next.code })
        }
        None => {
            require_active_for_transfer(&school)?;
            let to = requests::live_org(tx, &r, &r.payload_str("to"))?;
            requests::record_step(tx, actor, &r, None, true, None)?;
            move_school(tx, &school, &to, r.id)?;
            requests::record_decision(tx, actor, &r, true, None)?;
            Ok(TransferStep::Moved { to: to.code })
        }
    }
}

// ------------------------------------------------------------------ the schools CSV

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
    ("admin_name", &["admin_name", "学校管理员姓名"]),
    ("admin_mobile", &["admin_mobile", "学校管理员手机号"]),
];

/// A change a schools import would make.
#[derive(Debug, Clone)]
pub enum Change {
    /// A new school under `unit` (found in the importer's scope), with its school admin's account
    /// if the row names one.
    Add { line: u64, unit: Org, code: String, info: Info, admin: Option<Box<Person>> },
    /// A school in the importer's scope: new basic info (blank cells leave a field as it is),
    /// and the account of the school admin the row names if the school has no active one.
    Edit { line: u64, school: Box<School>, info: Info, admin: Option<Box<Person>> },
}

impl crate::import::Change for Change {
    const COLUMNS: &'static [(&'static str, &'static str)] =
        &[("code", "col.code"), ("name", "col.name"), ("unit", "col.unit"), ("admin", "col.school_admin")];

    fn line(&self) -> u64 {
        match self {
            Change::Add { line, .. } | Change::Edit { line, .. } => *line,
        }
    }

    fn kind(&self) -> ChangeKind {
        match self {
            Change::Add { .. } => ChangeKind::Added,
            Change::Edit { .. } => ChangeKind::Changed,
        }
    }

    fn cells(&self, _out: &Out) -> Vec<Cell> {
        let admin = |a: &Option<Box<Person>>| Cell::from(a.as_ref().map(|p| p.name.clone()));
        match self {
            Change::Add { unit, code, info, admin: a, .. } => {
                vec![Cell::from(code), Cell::from(info.name.clone()), Cell::from(&unit.code), admin(a)]
            }
            Change::Edit { school, info, admin: a, .. } => vec![
                Cell::from(&school.org.code),
                Cell::from(info.name.clone().unwrap_or(school.org.name.clone())),
                Cell::from(school.org.parent_code.clone()),
                admin(a),
            ],
        }
    }
}

/// What a schools import would do, once every row has been checked.
pub type Plan = ImportPlan<Change>;

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

/// The school admin a row names (学校管理员姓名, 学校管理员手机号), checked on its own and against
/// the rows before it: both cells or neither, a valid name, a mobile of 11 digits from 1 that no
/// earlier row gave. Every fault goes to `errs`; `None` when the row names no one (or badly).
fn admin_cells(
    cols: &Columns,
    row: &crate::csvio::Row,
    mobiles: &mut std::collections::HashMap<String, u64>,
    errs: &mut Vec<String>,
) -> Option<Box<Person>> {
    let name = cols.get(row, "admin_name").trim();
    // Full-width digits read as ASCII; a mobile Excel showed in scientific notation refused with
    // the way to fix it (README, "Excel workbooks").
    let mobile = match cols.mobile(row, "admin_mobile") {
        Ok(m) => m,
        Err(e) => {
            errs.push(e);
            return None;
        }
    };
    let mobile = mobile.as_str();
    if name.is_empty() && mobile.is_empty() {
        return None;
    }
    if name.is_empty() || mobile.is_empty() {
        errs.push(t("school.admin_half").to_string());
        return None;
    }
    let mut ok = true;
    if let Err(e) = crate::text::check_name(name, t("field.person_name")) {
        errs.push(e.message);
        ok = false;
    }
    if !account::is_mobile(mobile) {
        errs.push(tf("account.bad_mobile", &[("value", &mobile)]));
        return None;
    }
    if let Some(first) = mobiles.get(mobile) {
        errs.push(tf("roster.dup_mobile", &[("mobile", &mobile), ("line", first)]));
        return None;
    }
    mobiles.insert(mobile.to_string(), row.line);
    ok.then(|| Box::new(Person { name: Some(name.to_string()), mobile: mobile.to_string(), ..Default::default() }))
}

/// The active account holding the mobile a row names for a school's admin, as a row error (one
/// person, one account: Art. 10).
fn mobile_taken(conn: &Conn, admin: &Person) -> Result<Option<String>> {
    Ok(account::active_with_mobile(conn, &admin.mobile)?
        .map(|u| tf("account.mobile_taken", &[("mobile", &admin.mobile), ("username", &u)])))
}

/// Check every row of a schools file; write nothing. Blank cells leave what is stored as it is.
/// A file with the columns 学校管理员姓名 and 学校管理员手机号 (`admin_name`, `admin_mobile`)
/// names each school's admin: a new school gets that account, and so does an existing school
/// without an active school admin; a school whose active school admin has that mobile is as it
/// was; one with another active school admin is a row error (a personnel change: disable the old
/// account first, Art. 10). A file without the columns costs nothing more.
pub fn plan_import(conn: &Conn, actor: &Actor, sheet: &Sheet) -> Result<Plan> {
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
    let _snapshot = conn.snapshot()?;
    let mut plan = Plan::new(conn, sheet.rows.len())?;
    let mut in_file: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut units: std::collections::HashMap<String, Option<Org>> = std::collections::HashMap::new();
    let with_admins = cols.has("admin_name") || cols.has("admin_mobile");
    let mut mobiles: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for row in &sheet.rows {
        let line = row.line;
        let mut errs: Vec<String> = Vec::new();
        let code = cols.code(row, "code");
        if let Err(e) = check_code(&code) {
            plan.error(line, e.message);
            continue;
        }
        if let Some(first) = in_file.get(&code) {
            plan.error(line, tf("unit.dup_in_file", &[("code", &code), ("line", first)]));
            continue;
        }
        in_file.insert(code.clone(), line);
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
        let mut admin = if with_admins { admin_cells(&cols, row, &mut mobiles, &mut errs) } else { None };
        let unit_code = cols.code(row, "unit");
        let unit = units.entry(unit_code.clone()).or_insert_with(|| scope::unit(conn, actor, &unit_code).ok()).clone();
        let Some(unit) = unit else {
            errs.push(tf("unit.none", &[("code", &unit_code)]));
            errs.into_iter().for_each(|m| plan.error(line, m));
            continue;
        };
        let live = store::schools::live_by_code(conn, &code)?;
        match live.clone().filter(|s| scope::sees(actor, &s.org.path)) {
            Some(existing) => {
                if existing.org.parent_code.as_deref() != Some(unit.code.as_str()) {
                    errs.push(tf(
                        "school.moved_unit",
                        &[("code", &code), ("unit", &existing.org.parent_code.clone().unwrap_or_default())],
                    ));
                } else if !perm::allows(actor, Action::SchoolEdit, &existing.org) {
                    errs.push(tf("school.not_own_unit", &[("unit", &unit.code)]));
                }
                if let Some(p) = admin.take() {
                    admin = existing_school_admin(conn, &existing, p, &mut errs)?;
                }
                if errs.is_empty() {
                    if changed_fields(&existing.info(), &info).is_empty() && admin.is_none() {
                        plan.unchanged += 1;
                    } else {
                        plan.changes.push(Change::Edit { line, school: Box::new(existing), info, admin });
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
                if let Some(p) = &admin {
                    errs.extend(mobile_taken(conn, p)?);
                }
                if errs.is_empty() {
                    if let Some(w) = province_warning(&code, &unit) {
                        plan.warn(line, w);
                    }
                    plan.changes.push(Change::Add { line, unit, code, info, admin });
                }
            }
        }
        errs.into_iter().for_each(|m| plan.error(line, m));
    }
    Ok(plan)
}

/// What a row naming the admin of an existing school asks for: `Some` to issue that account (the
/// school has no active school admin), `None` when the school's active school admin is that
/// person (by mobile) or on a row error (another active school admin: a personnel change is
/// disabling the old account first; a merged or revoked school, whose accounts stay disabled; a
/// mobile held by another active account).
fn existing_school_admin(
    conn: &Conn,
    school: &School,
    p: Box<Person>,
    errs: &mut Vec<String>,
) -> Result<Option<Box<Person>>> {
    let current = store::accounts::all_active_in_role(conn, school.org.id, Role::SchoolAdmin)?;
    if current.iter().any(|(_, mobile)| *mobile == p.mobile) {
        return Ok(None);
    }
    if let Some((username, _)) = current.first() {
        errs.push(tf("school.admin_exists", &[("code", &school.org.code), ("username", username)]));
        return Ok(None);
    }
    if !school.is_active() {
        errs.push(tf(
            "school.admin_inactive",
            &[("code", &school.org.code), ("status", &status_label(&school.status))],
        ));
        return Ok(None);
    }
    if let Some(e) = mobile_taken(conn, &p)? {
        errs.push(e);
        return Ok(None);
    }
    Ok(Some(p))
}

/// Issue a school's admin account in an import, as `school add --admin-name --admin-mobile` does
/// (`account.add`), and give back its code for the codes file.
fn issue_admin(tx: &mut Tx, actor: &Actor, school: &Org, p: &Person) -> Result<IssuedCode> {
    let i = account::issue(tx, school, Role::SchoolAdmin, p, Some(actor.account_id))?;
    Ok(IssuedCode {
        username: i.username,
        name: p.name.clone(),
        unit: school.code.clone(),
        role: Role::SchoolAdmin.as_str().to_string(),
        mobile: p.mobile.clone(),
        code: i.code,
        expires_at: i.expires_at,
    })
}

/// Write a checked schools plan: the new schools first, in bulk, then the accounts of their
/// admins, then the edits (each with its school's new admin); one audit event per school added
/// or changed and per account issued. The activation codes of the accounts issued, in file order
/// of the new schools, then of the others.
pub fn apply_import(tx: &mut Tx, actor: &Actor, plan: &Plan, progress: &mut dyn FnMut()) -> Result<Vec<IssuedCode>> {
    // Something changed since the file was checked (the same file imported twice at once):
    // what it adds must still be new, and a school given an admin must still have none, as read
    // in this transaction.
    if plan.changed_since(tx)? {
        for c in &plan.changes {
            match c {
                Change::Add { code, .. } => {
                    if store::schools::live_by_code(tx, code)?.is_some() {
                        return Err(crate::import::stale(code));
                    }
                }
                Change::Edit { school, admin: Some(_), .. } => {
                    if !store::accounts::all_active_in_role(tx, school.org.id, Role::SchoolAdmin)?.is_empty() {
                        return Err(crate::import::stale(&school.org.code));
                    }
                }
                Change::Edit { .. } => {}
            }
        }
    }
    let adds = || {
        plan.changes.iter().filter_map(|c| match c {
            Change::Add { unit, code, info, admin, .. } => Some((unit, code.as_str(), info, admin.as_deref())),
            Change::Edit { .. } => None,
        })
    };
    // The ids of the new schools with an admin, in order; a new school with an admin ticks once
    // its account is issued too.
    let mut named = adds().map(|(.., admin)| admin.is_some());
    let mut ids = Vec::new();
    insert_many(tx, adds().map(|(unit, code, info, _)| (unit, code, info)), |id| {
        if named.next() == Some(true) {
            ids.push(id);
        } else {
            progress();
        }
    })?;
    let mut codes = Vec::with_capacity(ids.len());
    let now = tx.now_stored();
    let named = adds().filter_map(|(unit, code, info, admin)| admin.map(|p| (unit, code, info, p)));
    for ((unit, code, info, p), id) in named.zip(ids) {
        let name = crate::text::clean_name(info.name.as_deref().unwrap_or(""))?;
        codes.push(issue_admin(tx, actor, &school_org(id, unit, code, name, &now), p)?);
        progress();
    }
    for c in &plan.changes {
        if let Change::Edit { school, info, admin, .. } = c {
            edit(tx, actor, school, info, None)?;
            if let Some(p) = admin {
                perm::require(actor, Action::AccountIssueSchool, &school.org)?;
                codes.push(issue_admin(tx, actor, &school.org, p)?);
            }
            progress();
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{params, Conn};

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
        let c = Conn::in_memory();
        c.exec("INSERT INTO org(id, code, name, level, path, created_at) VALUES (1, '000000', 'm', 'ministry', '/000000/', '2020-01-01T00:00:00Z')", params![]).unwrap();
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
            c.exec(
                "INSERT INTO org(id, code, name, level, parent_id, path, created_at, deleted_at) VALUES (?1, ?2, 's', 'school', 1, ?3, ?4, ?5)",
                params![id, format!("21130100{id:02}"), format!("/000000/{id}/"), created, deleted],
            )
            .unwrap();
            let merged_into = (*status == "merged").then_some(10i64);
            c.exec(
                "INSERT INTO school(org_id, kind, status, status_changed_at, merged_into) VALUES (?1, 'school', ?2, ?3, ?4)",
                params![id, status, changed, merged_into],
            )
            .unwrap();
        }
        for period in ["2026-10", "2026-11", "2026-12"] {
            let p: Period = period.parse().unwrap();
            let sql = format!(
                "SELECT o.id FROM org o JOIN school s ON s.org_id = o.id WHERE {} ORDER BY o.id",
                store::schools::expected_clause("?1", "?2")
            );
            let got: Vec<i64> =
                c.all(&sql, params![calendar::stored(p.starts()), calendar::stored(p.ends())], |r| r.get(0)).unwrap();
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
