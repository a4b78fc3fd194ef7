//! The personnel form (附件2 管理人员信息表, SPEC §5.1): reading it as offices fill it in Excel or
//! WPS, turning it into a diff against the accounts (new people, changed contact details, and with
//! `--sync` people no longer listed), and applying that diff — directly for the Ministry, or as a
//! roster request a province files and the Ministry decides (Art. 9–10).

use std::collections::{HashMap, HashSet};

use crate::store::Conn;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account::{self, AccountRow, Issued, Person, Role};
use crate::audit::Event;
use crate::auth::Actor;
use crate::csvio::{Columns, Row, RowError, Sheet};
use crate::db::Tx;
use crate::error::{self, Error, Kind, Result};
use crate::hierarchy::{self, Level, Org, MINISTRY_CODE};
use crate::i18n::{t, tf};

/// The form's columns by header, Chinese or English, in any order.
pub const FORM_COLUMNS: &[(&str, &[&str])] = &[
    ("no", &["序号", "no"]),
    ("name", &["姓名", "name"]),
    ("unit", &["单位", "unit"]),
    ("category", &["类别", "category"]),
    ("department", &["处室", "department"]),
    ("title", &["职务", "title"]),
    ("office_phone", &["办公电话", "office_phone"]),
    ("mobile", &["手机号", "mobile"]),
    ("email", &["电子邮箱", "email"]),
];

/// The header row is the first with both 单位 and 类别 (the preamble has neither).
pub fn is_header(h: &[String]) -> bool {
    let c = Columns::find(h, FORM_COLUMNS);
    c.has("unit") && c.has("category")
}

/// The staff roles on the form, in its order.
pub const FORM_ROLES: [Role; 3] = [Role::Inspector, Role::Reviewer, Role::Admin];

/// `区县级审核员` → (county, reviewer); English `county reviewer` too.
pub fn parse_category(s: &str) -> Option<(Level, Role)> {
    let s = s.trim();
    for level in [Level::Province, Level::Prefecture, Level::County] {
        for role in FORM_ROLES {
            let zh = format!("{}{}", level.zh(), role_zh(role));
            let en = format!("{} {}", level.as_str(), role.as_str());
            let en2 = format!("{}_{}", level.as_str(), role.as_str());
            if s == zh || s.eq_ignore_ascii_case(&en) || s.eq_ignore_ascii_case(&en2) {
                return Some((level, role));
            }
        }
    }
    None
}

fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Admin => "管理员",
        Role::Reviewer => "审核员",
        Role::Inspector => "视察员",
        Role::SchoolAdmin => "学校管理员",
        Role::Support => "技术支持",
    }
}

/// The form's 类别 for a level and role: `区县级审核员`.
pub fn category(level: Level, role: Role) -> String {
    format!("{}{}", level.zh(), role_zh(role))
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A new person to issue an account to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Add {
    pub line: u64,
    pub unit: String,
    pub role: String,
    #[serde(flatten)]
    pub person: Person,
    /// Set once the pending account is created.
    #[serde(default)]
    pub username: Option<String>,
}

/// New contact details for an existing account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Update {
    pub line: u64,
    pub username: String,
    pub unit: String,
    pub role: String,
    pub before: Person,
    pub after: Person,
}

/// Someone no longer listed (with `--sync`), to disable.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Disable {
    pub username: String,
    pub name: String,
    pub unit: String,
    pub role: String,
}

/// The diff a form makes: what a roster request holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Diff {
    pub file: String,
    pub sync: bool,
    pub add: Vec<Add>,
    pub change: Vec<Update>,
    pub disable: Vec<Disable>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.change.is_empty() && self.disable.is_empty()
    }
    /// `3 new, 1 changed, 0 to disable`.
    pub fn summary(&self) -> String {
        tf(
            "roster.summary",
            &[("add", &self.add.len()), ("change", &self.change.len()), ("disable", &self.disable.len())],
        )
    }
}

/// The checked form: the diff, how many rows matched what is stored, and every row's errors.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: usize,
    pub unchanged: usize,
    pub diff: Diff,
    pub errors: Vec<RowError>,
}

/// Units in a scope, found by code or by name.
struct Units {
    by_code: HashMap<String, Org>,
    by_name: HashMap<String, Vec<Org>>,
}

impl Units {
    fn load(conn: &Conn, scope: &Org) -> Result<Units> {
        let (lo, hi) = scope.subtree();
        let sql = format!(
            "SELECT {} FROM org o LEFT JOIN org p ON p.id = o.parent_id
             WHERE o.path >= ?1 AND o.path < ?2 AND o.level IN ('ministry', 'province', 'prefecture', 'county')",
            hierarchy::ORG_COLUMNS
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<Org>> = HashMap::new();
        for o in stmt.query_map(params![lo, hi], hierarchy::org_from_row)? {
            let o = o?;
            by_name.entry(o.name.clone()).or_default().push(o.clone());
            by_code.insert(o.code.clone(), o);
        }
        Ok(Units { by_code, by_name })
    }

    /// A code, or a name that names exactly one unit in the scope.
    fn resolve(&self, text: &str) -> std::result::Result<&Org, String> {
        if let Some(o) = self.by_code.get(text) {
            return Ok(o);
        }
        match self.by_name.get(text).map(Vec::as_slice) {
            Some([one]) => Ok(one),
            Some(many) if !many.is_empty() => {
                let mut c: Vec<String> = many
                    .iter()
                    .map(|o| {
                        let parent = o.parent_code.as_deref().and_then(|p| self.by_code.get(p)).map_or("", |p| &p.name);
                        format!("{} {}（{}）", o.code, o.name, parent)
                    })
                    .collect();
                c.sort();
                Err(tf("roster.unit_ambiguous", &[("unit", &text), ("candidates", &c.join(", "))]))
            }
            _ => Err(tf("roster.unit_unknown", &[("unit", &text)])),
        }
    }
}

/// Unit staff accounts (admin, reviewer, inspector) in a subtree, Ministry staff excluded.
fn staff_in(conn: &Conn, root: &Org, statuses: &[&str]) -> Result<Vec<AccountRow>> {
    let (lo, hi) = root.subtree();
    let mut stmt = conn.prepare(&format!(
        "{} WHERE o.path >= ?1 AND o.path < ?2 AND o.level IN ('province', 'prefecture', 'county')
           AND a.role IN ('admin', 'reviewer', 'inspector') ORDER BY o.path, a.username",
        account::ACCOUNT_SELECT
    ))?;
    let rows = stmt.query_map(params![lo, hi], account::account_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().filter(|a| statuses.contains(&a.status.as_str())).collect())
}

/// One row read from the form, before it is compared with the accounts.
struct Entry {
    line: u64,
    unit: Org,
    role: Role,
    person: Person,
}

fn read_row(cols: &Columns, row: &Row, units: &Units) -> std::result::Result<Entry, Vec<String>> {
    let mut errs = Vec::new();
    let name = cols.get(row, "name").to_string();
    if name.is_empty() {
        errs.push(t("roster.name_empty").to_string());
    }
    let person = Person {
        name,
        mobile: cols.get(row, "mobile").replace([' ', '-'], ""),
        office_phone: opt(cols.get(row, "office_phone")),
        email: opt(cols.get(row, "email")),
        department: opt(cols.get(row, "department")),
        title: opt(cols.get(row, "title")),
    };
    if let Err(e) = person.check_text() {
        errs.push(e.message);
    }
    if !account::is_mobile(&person.mobile) {
        errs.push(tf("account.bad_mobile", &[("value", &person.mobile)]));
    }
    if let Some(e) = &person.email {
        if !account::is_email(e) {
            errs.push(tf("account.bad_email", &[("value", e)]));
        }
    }
    let unit_text = cols.get(row, "unit");
    let unit = match units.resolve(unit_text) {
        Ok(u) => Some(u.clone()),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let cat = cols.get(row, "category");
    let parsed = parse_category(cat);
    if parsed.is_none() {
        errs.push(tf("roster.bad_category", &[("value", &cat)]));
    }
    if let (Some(u), Some((level, _))) = (&unit, parsed) {
        if u.level != level {
            errs.push(tf(
                "roster.category_level",
                &[
                    ("category", &cat),
                    ("level", &level.label()),
                    ("unit", &u.code),
                    ("name", &u.name),
                    ("unit_level", &u.level.label()),
                ],
            ));
        }
    }
    match (unit, parsed) {
        (Some(unit), Some((_, role))) if errs.is_empty() => Ok(Entry { line: row.line, unit, role, person }),
        _ => Err(errs),
    }
}

/// Check every row of a form against the rules and the accounts, and work out the diff; write
/// nothing. `sync_root`: with `--sync`, the subtree whose staff not listed are to be disabled.
pub fn plan(conn: &Conn, actor: &Actor, sheet: &Sheet, sync_root: Option<&Org>) -> Result<Plan> {
    let cols = Columns::find(&sheet.headers, FORM_COLUMNS);
    if !cols.has("name") {
        return Err(Error::new(Kind::Invalid, tf("roster.no_name_column", &[("file", &sheet.file)]))
            .hint(t("roster.no_name_column.hint"))
            .into());
    }
    for key in ["mobile"] {
        if !cols.has(key) {
            return Err(
                error::invalid(tf("csv.missing_column", &[("file", &sheet.file), ("column", &"手机号")])).into()
            );
        }
    }
    let units = Units::load(conn, actor.scope())?;
    let existing = staff_in(conn, actor.scope(), &["active"])?;
    let mut by_mobile: HashMap<(String, &str, String), usize> = HashMap::new();
    let mut by_name: HashMap<(String, &str, String), Vec<usize>> = HashMap::new();
    for (i, a) in existing.iter().enumerate() {
        by_mobile.insert((a.org_code.clone(), role_key(&a.role), a.mobile.clone()), i);
        by_name.entry((a.org_code.clone(), role_key(&a.role), a.name.clone())).or_default().push(i);
    }

    let mut plan = Plan {
        diff: Diff { file: sheet.file.clone(), sync: sync_root.is_some(), ..Default::default() },
        ..Default::default()
    };
    let mut entries = Vec::new();
    let no_col = no_index(&sheet.headers);
    for row in &sheet.rows {
        // The printed form's numbered blank rows: only a 序号.
        let only_no = row.fields.iter().enumerate().all(|(i, f)| f.is_empty() || Some(i) == no_col);
        if only_no {
            continue;
        }
        plan.rows += 1;
        match read_row(&cols, row, &units) {
            Ok(e) => entries.push(e),
            Err(errs) => plan.errors.extend(errs.into_iter().map(|m| RowError { line: row.line, message: m })),
        }
    }

    // Within the file: one person, one account; one reviewer and one inspector per unit.
    let mut first_mobile: HashMap<String, u64> = HashMap::new();
    let mut first_single: HashMap<(String, Role), u64> = HashMap::new();
    let mut matched: HashSet<usize> = HashSet::new();
    let mut keep: Vec<(Entry, Option<usize>)> = Vec::new();
    for e in entries {
        if let Some(first) = first_mobile.get(&e.person.mobile) {
            plan.errors.push(RowError {
                line: e.line,
                message: tf("roster.dup_mobile", &[("mobile", &e.person.mobile), ("line", first)]),
            });
            continue;
        }
        first_mobile.insert(e.person.mobile.clone(), e.line);
        if matches!(e.role, Role::Reviewer | Role::Inspector) {
            let k = (e.unit.code.clone(), e.role);
            if let Some(first) = first_single.get(&k) {
                plan.errors.push(RowError {
                    line: e.line,
                    message: tf(
                        "roster.two_in_role",
                        &[("unit", &e.unit.code), ("role", &e.role.label()), ("line", first)],
                    ),
                });
                continue;
            }
            first_single.insert(k, e.line);
        }
        // The same person: same unit and role, and the same mobile — or else the same name.
        let key = |v: &str| (e.unit.code.clone(), role_key(e.role.as_str()), v.to_string());
        let found = by_mobile.get(&key(&e.person.mobile)).copied().or_else(|| {
            match by_name.get(&key(&e.person.name)).map(Vec::as_slice) {
                Some([one]) if !matched.contains(one) => Some(*one),
                _ => None,
            }
        });
        if let Some(i) = found {
            matched.insert(i);
        }
        keep.push((e, found));
    }

    // With --sync: every listed unit's staff not on the form are to be disabled.
    let mut disabled: HashSet<i64> = HashSet::new();
    if let Some(root) = sync_root {
        for (i, a) in existing.iter().enumerate() {
            if !matched.contains(&i) && root.contains_path(&a.org_path) {
                disabled.insert(a.id);
                plan.diff.disable.push(Disable {
                    username: a.username.clone(),
                    name: a.name.clone(),
                    unit: a.org_code.clone(),
                    role: a.role.clone(),
                });
            }
        }
    }

    // Against the accounts that stay: mobiles held elsewhere, a second reviewer or inspector.
    for (e, found) in keep {
        match found {
            Some(i) => {
                let a = &existing[i];
                let before = a.person();
                if before == e.person {
                    plan.unchanged += 1;
                    continue;
                }
                if before.mobile != e.person.mobile {
                    if let Some(holder) = mobile_holder(conn, &e.person.mobile, &disabled)? {
                        plan.errors.push(RowError {
                            line: e.line,
                            message: tf("account.mobile_taken", &[("mobile", &e.person.mobile), ("username", &holder)]),
                        });
                        continue;
                    }
                }
                plan.diff.change.push(Update {
                    line: e.line,
                    username: a.username.clone(),
                    unit: a.org_code.clone(),
                    role: a.role.clone(),
                    before,
                    after: e.person.clone(),
                });
            }
            None => {
                if let Some(holder) = mobile_holder(conn, &e.person.mobile, &disabled)? {
                    plan.errors.push(RowError {
                        line: e.line,
                        message: format!(
                            "{} ({})",
                            tf("account.mobile_taken", &[("mobile", &e.person.mobile), ("username", &holder)]),
                            t("roster.sync_hint")
                        ),
                    });
                    continue;
                }
                if matches!(e.role, Role::Reviewer | Role::Inspector) {
                    if let Some(holder) = existing
                        .iter()
                        .find(|a| a.org_code == e.unit.code && a.role == e.role.as_str() && !disabled.contains(&a.id))
                    {
                        plan.errors.push(RowError {
                            line: e.line,
                            message: format!(
                                "{} ({})",
                                tf(
                                    "account.role_taken",
                                    &[
                                        ("unit", &e.unit.code),
                                        ("role", &e.role.label()),
                                        ("username", &holder.username)
                                    ]
                                ),
                                t("roster.sync_hint")
                            ),
                        });
                        continue;
                    }
                }
                plan.diff.add.push(Add {
                    line: e.line,
                    unit: e.unit.code.clone(),
                    role: e.role.as_str().to_string(),
                    person: e.person,
                    username: None,
                });
            }
        }
    }
    plan.errors.sort_by_key(|e| e.line);
    Ok(plan)
}

fn no_index(headers: &[String]) -> Option<usize> {
    let names = FORM_COLUMNS[0].1;
    headers.iter().position(|h| names.iter().any(|n| n.eq_ignore_ascii_case(h.trim())))
}

fn role_key(role: &str) -> &'static str {
    Role::parse(role).map_or("", Role::as_str)
}

/// The active account holding a mobile, unless it is being disabled by the same form.
fn mobile_holder(conn: &Conn, mobile: &str, disabled: &HashSet<i64>) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT id, username FROM account WHERE mobile = ?1 AND status = 'active'")?;
    let found: Option<(i64, String)> = stmt.query_row(params![mobile], |r| Ok((r.get(0)?, r.get(1)?))).ok();
    Ok(found.filter(|(id, _)| !disabled.contains(id)).map(|(_, u)| u))
}

fn find_account(tx: &Tx, username: &str) -> Result<AccountRow> {
    Ok(tx
        .prepare_cached(&format!("{} WHERE a.username = ?1", account::ACCOUNT_SELECT))?
        .query_row(params![username], account::account_from_row)?)
}

fn unit(tx: &Tx, code: &str) -> Result<Org> {
    hierarchy::find(tx, code)?.ok_or_else(|| anyhow::anyhow!("unit {code} vanished"))
}

/// An activation code issued by an import or an approval, for the codes file.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub username: String,
    pub name: String,
    pub unit: String,
    pub role: String,
    pub mobile: String,
    pub code: String,
    pub expires_at: String,
}

fn issued(a: &Add, i: Issued) -> IssuedCode {
    IssuedCode {
        username: i.username,
        name: a.person.name.clone(),
        unit: a.unit.clone(),
        role: a.role.clone(),
        mobile: a.person.mobile.clone(),
        code: i.code,
        expires_at: i.expires_at,
    }
}

/// Disables first (a replacement may take the freed role or mobile), then changes.
fn apply_disables_and_changes(tx: &mut Tx, diff: &Diff, reason: &str) -> Result<()> {
    for d in &diff.disable {
        let a = find_account(tx, &d.username)?;
        account::disable(tx, &a, reason)?;
    }
    for c in &diff.change {
        let a = find_account(tx, &c.username)?;
        if a.status != "active" || a.person() != c.before {
            return Err(Error::new(Kind::Refused, tf("roster.stale", &[("username", &c.username)]))
                .hint(t("roster.stale.hint"))
                .into());
        }
        account::update_person(tx, &a, &c.after)?;
    }
    Ok(())
}

/// A Ministry admin's import: applied at once; new people get active accounts and codes.
pub fn apply_direct(tx: &mut Tx, actor: &Actor, diff: &Diff) -> Result<Vec<IssuedCode>> {
    apply_disables_and_changes(tx, diff, &tf("roster.disable_reason", &[("file", &diff.file)]))?;
    let mut codes = Vec::new();
    for a in &diff.add {
        let org = unit(tx, &a.unit)?;
        let role = Role::parse(&a.role).ok_or_else(|| anyhow::anyhow!("bad role {}", a.role))?;
        let i = account::issue(tx, &org, role, &a.person, Some(actor.account_id))?;
        codes.push(issued(a, i));
    }
    Ok(codes)
}

/// A province's import: one roster request for the Ministry, with the new people as pending
/// accounts (their usernames reserved). Returns the request id.
pub fn file_request(tx: &mut Tx, actor: &Actor, mut diff: Diff) -> Result<i64> {
    let pending: Option<i64> = tx
        .query_row(
            "SELECT id FROM request WHERE kind = 'roster' AND status = 'pending' AND org_id = ?1",
            params![actor.org.id],
            |r| r.get(0),
        )
        .ok();
    if let Some(id) = pending {
        return Err(Error::new(Kind::Refused, tf("roster.already_pending", &[("id", &id), ("unit", &actor.org.code)]))
            .hint(tf("roster.already_pending.hint", &[("id", &id)]))
            .into());
    }
    let ministry = unit(tx, MINISTRY_CODE)?;
    let now = tx.now_stored();
    tx.execute(
        "INSERT INTO request(kind, status, org_id, awaiting_org_id, payload, filed_by, filed_at)
         VALUES ('roster', 'pending', ?1, ?2, '{}', ?3, ?4)",
        params![actor.org.id, ministry.id, actor.account_id, now],
    )?;
    let id = tx.last_insert_rowid();
    for a in diff.add.iter_mut() {
        let org = unit(tx, &a.unit)?;
        let role = Role::parse(&a.role).ok_or_else(|| anyhow::anyhow!("bad role {}", a.role))?;
        let (_, username) = account::create(tx, &org, role, &a.person, Some(actor.account_id), Some(id))?;
        a.username = Some(username);
    }
    let payload = serde_json::to_string(&diff)?;
    tx.execute("UPDATE request SET payload = ?1 WHERE id = ?2", params![payload, id])?;
    tx.audit(
        Event::new("request.file")
            .target(id.to_string())
            .scope(&actor.org.path)
            .detail(json!({ "kind": "roster", "file": diff.file, "add": diff.add.len(), "change": diff.change.len(), "disable": diff.disable.len() })),
    )?;
    Ok(id)
}

/// The Ministry approves a roster request: disables, changes, then the pending accounts become
/// active with their codes. Checked again against the accounts as they are now.
pub fn approve(tx: &mut Tx, actor: &Actor, id: i64, diff: &Diff) -> Result<Vec<IssuedCode>> {
    apply_disables_and_changes(tx, diff, &tf("roster.disable_reason_request", &[("id", &id)]))?;
    let mut codes = Vec::new();
    for a in &diff.add {
        let username = a.username.as_deref().ok_or_else(|| anyhow::anyhow!("request {id} lacks a username"))?;
        let acc = find_account(tx, username)?;
        if acc.status != "pending" {
            return Err(Error::new(Kind::Refused, tf("roster.stale", &[("username", &username)]))
                .hint(t("roster.stale.hint"))
                .into());
        }
        let org = unit(tx, &a.unit)?;
        let i = account::activate_pending(tx, &acc, &org, actor.account_id)?;
        codes.push(issued(a, i));
    }
    Ok(codes)
}

/// The Ministry rejects a roster request: its pending accounts are disabled (kept for history;
/// their usernames are never reused).
pub fn reject(tx: &mut Tx, id: i64, diff: &Diff, reason: &str) -> Result<()> {
    let why = tf("roster.rejected_reason", &[("id", &id), ("reason", &reason)]);
    for a in &diff.add {
        if let Some(u) = &a.username {
            let acc = find_account(tx, u)?;
            account::disable(tx, &acc, &why)?;
        }
    }
    Ok(())
}

/// Everyone on the form for a subtree, for `account export`: active unit staff, form order.
pub fn export_rows(conn: &Conn, root: &Org) -> Result<Vec<AccountRow>> {
    let mut rows = staff_in(conn, root, &["active"])?;
    let rank = |r: &str| FORM_ROLES.iter().position(|x| x.as_str() == r).unwrap_or(9);
    rows.sort_by(|a, b| {
        a.org_path.cmp(&b.org_path).then(rank(&a.role).cmp(&rank(&b.role))).then(a.username.cmp(&b.username))
    });
    Ok(rows)
}
