//! The personnel form (附件2 管理人员信息表): reading it as offices fill it in Excel or
//! WPS, turning it into a diff against the accounts (new people, changed contact details, and with
//! `--sync` people no longer listed), and applying that diff — directly for the Ministry, or as a
//! roster request a province files and the Ministry decides (Art. 9–10). It goes through the one
//! import pipeline (`crate::import`): [`plan`] makes an [`ImportPlan`] of [`Change`]s, [`apply`]
//! writes it.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account::{self, AccountRow, Issued, Person, Role};
use crate::audit::Event;
use crate::csvio::{Columns, Row, Sheet};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::import::{ChangeKind, ImportPlan};
use crate::model::{Actor, Level, Org, MINISTRY_CODE};
use crate::output::{Cell, Out};
use crate::perm::{self, Action};
use crate::scope;
use crate::store::{self, accounts, orgs, Conn, Tx};

/// The form's columns by header, Chinese or English, in any order.
pub const FORM_COLUMNS: &[(&str, &[&str])] = &[
    ("no", &["序号", "no"]),
    ("name", &["姓名", "name"]),
    ("unit", &["单位", "unit"]),
    // Not on the published form: what `account export` writes beside 单位 (the unit's name).
    ("unit_code", &["单位代码", "unit_code"]),
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
    #[serde(default)]
    pub name: Option<String>,
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
    /// The diff of a checked form: its changes, each kind in the plan's order.
    pub fn of(form: &Form, plan: &Plan) -> Diff {
        let mut diff = Diff { file: form.sheet.file.clone(), sync: form.sync, ..Default::default() };
        for c in &plan.changes {
            match c {
                Change::Add(a) => diff.add.push(a.clone()),
                Change::Update(u) => diff.change.push(u.clone()),
                Change::Disable(d) => diff.disable.push(d.clone()),
            }
        }
        diff
    }

    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.change.is_empty() && self.disable.is_empty()
    }

    /// `3 new, 1 changed, 0 to disable`.
    pub fn summary(&self) -> String {
        counted(self.add.len(), self.change.len(), self.disable.len())
    }

    /// Its changes, as a preview lists them before sorting: new people, changes, disables.
    pub fn changes(&self) -> impl Iterator<Item = Change> + '_ {
        let add = self.add.iter().cloned().map(Change::Add);
        let change = self.change.iter().cloned().map(Change::Update);
        add.chain(change).chain(self.disable.iter().cloned().map(Change::Disable))
    }
}

fn counted(add: usize, change: usize, disable: usize) -> String {
    tf("roster.summary", &[("add", &add), ("change", &change), ("disable", &disable)])
}

/// One change a form makes.
#[derive(Debug, Clone)]
pub enum Change {
    Add(Add),
    Update(Update),
    Disable(Disable),
}

impl Change {
    /// The form's line it comes from; none for someone to disable (not on the form).
    pub fn form_line(&self) -> Option<u64> {
        match self {
            Change::Add(a) => Some(a.line),
            Change::Update(u) => Some(u.line),
            Change::Disable(_) => None,
        }
    }

    /// What it does, as the preview's change column says it.
    pub fn word(&self, out: &Out) -> Cell {
        match self {
            Change::Add(_) => out.word("add", t("change.added")),
            Change::Update(_) => out.word("change", t("change.changed")),
            Change::Disable(_) => out.word("disable", t("change.disable")),
        }
    }
}

/// The roster preview's columns after the line and the change.
pub const PREVIEW_COLUMNS: &[(&str, &str)] = &[
    ("username", "col.username"),
    ("name", "col.person"),
    ("unit", "col.unit"),
    ("role", "col.role"),
    ("mobile", "col.mobile"),
    ("detail", "col.detail"),
];

fn role_cell(out: &Out, role: &str) -> Cell {
    out.word(role, Role::parse(role).map(Role::label).unwrap_or(role))
}

impl crate::import::Change for Change {
    const COLUMNS: &'static [(&'static str, &'static str)] = PREVIEW_COLUMNS;

    /// Someone to disable is not on the form: sorted after every line.
    fn line(&self) -> u64 {
        self.form_line().unwrap_or(u64::MAX)
    }

    /// A disable is a change of an account's status.
    fn kind(&self) -> ChangeKind {
        match self {
            Change::Add(_) => ChangeKind::Added,
            Change::Update(_) | Change::Disable(_) => ChangeKind::Changed,
        }
    }

    fn cells(&self, out: &Out) -> Vec<Cell> {
        match self {
            Change::Add(a) => vec![
                Cell::from(a.username.clone()),
                out.person_name(a.person.name.as_deref()),
                Cell::from(&a.unit),
                role_cell(out, &a.role),
                Cell::from(&a.person.mobile),
                Cell::Null,
            ],
            Change::Update(c) => {
                let mut what = Vec::new();
                let (b, a) = (&c.before, &c.after);
                for (k, x, y) in [
                    ("name", b.name.as_ref(), a.name.as_ref()),
                    ("mobile", Some(&b.mobile), Some(&a.mobile)),
                    ("office_phone", b.office_phone.as_ref(), a.office_phone.as_ref()),
                    ("email", b.email.as_ref(), a.email.as_ref()),
                    ("department", b.department.as_ref(), a.department.as_ref()),
                    ("title", b.title.as_ref(), a.title.as_ref()),
                ] {
                    if x != y {
                        what.push(format!("{k}: {} → {}", x.map_or("", |s| s.as_str()), y.map_or("", |s| s.as_str())));
                    }
                }
                vec![
                    Cell::from(&c.username),
                    out.person_name(a.name.as_deref()),
                    Cell::from(&c.unit),
                    role_cell(out, &c.role),
                    Cell::from(&a.mobile),
                    Cell::from(what.join("; ")),
                ]
            }
            Change::Disable(d) => vec![
                Cell::from(&d.username),
                out.person_name(d.name.as_deref()),
                Cell::from(&d.unit),
                role_cell(out, &d.role),
                Cell::Null,
                Cell::Null,
            ],
        }
    }
}

/// The checked form: its changes, how many rows matched what is stored, and every row's errors.
pub type Plan = ImportPlan<Change>;

/// `N rows: …, U unchanged` with the diff's counts: what the import says once checked.
pub fn summary(plan: &Plan) -> String {
    let count = |f: fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    let diff = counted(
        count(|c| matches!(c, Change::Add(_))),
        count(|c| matches!(c, Change::Update(_))),
        count(|c| matches!(c, Change::Disable(_))),
    );
    tf("roster.rows", &[("rows", &plan.rows), ("unchanged", &plan.unchanged), ("diff", &diff)])
}

/// A personnel form to import, as the command line gives it: its rows, and whether `--sync`
/// disables the staff it no longer lists — of the units it lists, inside `under` (or the
/// importer's scope), never the importer.
pub struct Form<'a> {
    pub sheet: &'a Sheet,
    pub sync: bool,
    pub under: Option<&'a str>,
}

/// Whether the actor's import is applied at once (the Ministry's) or filed as a roster request
/// for the Ministry to decide (a province's; Art. 9–10).
pub fn applies_directly(actor: &Actor) -> bool {
    actor.org.code == MINISTRY_CODE
}

/// Units in a scope, found by code or by name.
struct Units {
    by_code: HashMap<String, Org>,
    by_name: HashMap<String, Vec<Org>>,
}

impl Units {
    fn load(conn: &Conn, scope: &Org) -> Result<Units> {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<Org>> = HashMap::new();
        for o in orgs::units_under(conn, scope)? {
            by_name.entry(o.name.clone()).or_default().push(o.clone());
            by_code.insert(o.code.clone(), o);
        }
        Ok(Units { by_code, by_name })
    }

    /// The unit of a row: its 单位代码 when it has one (what `account export` writes beside the
    /// name), which its 单位 must then agree with; else its 单位, a code or a name.
    fn of_row(&self, unit: &str, code: &str) -> std::result::Result<&Org, String> {
        if code.is_empty() {
            return self.resolve(unit);
        }
        let Some(o) = self.by_code.get(code) else {
            return Err(tf("roster.unit_unknown", &[("unit", &code)]));
        };
        if !unit.is_empty() && unit != o.name && unit != o.code {
            return Err(tf("roster.unit_code_mismatch", &[("unit", &unit), ("code", &code), ("name", &o.name)]));
        }
        Ok(o)
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
    let rows = accounts::staff_under(conn, root)?;
    Ok(rows.into_iter().filter(|a| statuses.contains(&a.status.as_str())).collect())
}

/// One row read from the form, before it is compared with the accounts: what could be read of
/// it, and every fault found in it so far (a row is checked whole, so that a form is fixed in
/// one round).
struct Entry {
    line: u64,
    unit: Option<Org>,
    role: Option<Role>,
    person: Person,
    errs: Vec<String>,
}

impl Entry {
    /// The unit and role, when both could be read: the row can then be matched to an account.
    fn place(&self) -> Option<(&Org, Role)> {
        Some((self.unit.as_ref()?, self.role?))
    }
}

fn read_row(cols: &Columns, row: &Row, units: &Units) -> Entry {
    let mut errs = Vec::new();
    // No 姓名 (the form as published has no such column) or an empty one: the person gives
    // their name at activation.
    // Full-width digits read as ASCII; a mobile Excel showed in scientific notation has lost
    // digits: refused with the way to fix the sheet (README, "Excel workbooks").
    let (mobile, mobile_err) = match cols.mobile(row, "mobile") {
        Ok(m) => (m, None),
        Err(e) => (cols.get(row, "mobile").to_string(), Some(e)),
    };
    let person = Person {
        name: opt(cols.get(row, "name")),
        mobile,
        office_phone: opt(cols.get(row, "office_phone")),
        email: opt(cols.get(row, "email")),
        department: opt(cols.get(row, "department")),
        title: opt(cols.get(row, "title")),
    };
    if let Err(e) = person.check_text() {
        errs.push(e.message);
    }
    if let Some(e) = mobile_err {
        errs.push(e);
    } else if !account::is_mobile(&person.mobile) {
        errs.push(tf("account.bad_mobile", &[("value", &person.mobile)]));
    }
    if let Some(e) = &person.email {
        if !account::is_email(e) {
            errs.push(tf("account.bad_email", &[("value", e)]));
        }
    }
    // 单位 is a code or a name: full-width digits are read as ASCII when it is a code.
    let unit_code = cols.code(row, "unit");
    let unit_text =
        if unit_code.bytes().all(|b| b.is_ascii_digit()) { unit_code.as_str() } else { cols.get(row, "unit") };
    let unit = match units.of_row(unit_text, &cols.code(row, "unit_code")) {
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
    let mut role = parsed.map(|(_, r)| r);
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
            // A role at the wrong level names nobody's account.
            role = None;
        }
    }
    Entry { line: row.line, unit, role, person, errs }
}

/// What `--sync` covers: `--under` in the actor's scope, else the actor's own unit — which for the
/// Ministry would be the whole country, so there it must be named.
fn sync_root(conn: &Conn, actor: &Actor, form: &Form) -> Result<Option<Org>> {
    if !form.sync {
        return Ok(None);
    }
    if form.under.is_none() && actor.org.code == MINISTRY_CODE {
        return Err(error::usage(t("roster.sync_needs_under")).into());
    }
    Ok(Some(scope::under(conn, actor, form.under)?))
}

/// `eip account import`: check every row of a form against the rules and the accounts, and work
/// out the diff; write nothing. The importer's permission is asked first, then `--under`. Every
/// fault of every row is found in this one pass (a row's own, then the file's, then against the
/// accounts), so that one refusal names them all.
pub fn plan(conn: &Conn, actor: &Actor, form: &Form) -> Result<Plan> {
    perm::require(actor, Action::RosterImport, actor.scope())?;
    let sync_root = sync_root(conn, actor, form)?;
    let sync_root = sync_root.as_ref();
    let sheet = form.sheet;
    let cols = Columns::find(&sheet.headers, FORM_COLUMNS);
    if !cols.has("mobile") {
        return Err(error::invalid(tf("csv.missing_column", &[("file", &sheet.file), ("column", &"手机号")])).into());
    }
    let units = Units::load(conn, actor.scope())?;
    let existing = staff_in(conn, actor.scope(), &["active"])?;
    let mut by_mobile: HashMap<(String, &str, String), usize> = HashMap::new();
    let mut by_name: HashMap<(String, &str, String), Vec<usize>> = HashMap::new();
    for (i, a) in existing.iter().enumerate() {
        by_mobile.insert((a.org_code.clone(), role_key(&a.role), a.mobile.clone()), i);
        if let Some(name) = &a.name {
            by_name.entry((a.org_code.clone(), role_key(&a.role), name.clone())).or_default().push(i);
        }
    }

    // Not `ImportPlan::new`: nothing here compares the audit chain's head, as every change is
    // checked again inside the transaction that applies it (roster.stale, the one-person rules).
    let mut plan = Plan::default();
    let mut entries = Vec::new();
    let no_col = no_index(&sheet.headers);
    for row in &sheet.rows {
        // The printed form's numbered blank rows: only a 序号.
        let only_no = row.fields.iter().enumerate().all(|(i, f)| f.is_empty() || Some(i) == no_col);
        if only_no {
            continue;
        }
        plan.rows += 1;
        entries.push(read_row(&cols, row, &units));
    }

    // Within the file: one person, one account; one reviewer and one inspector per unit. A row
    // with other faults still holds its mobile and its place, so a repeat of either is named too.
    let mut first_mobile: HashMap<String, u64> = HashMap::new();
    let mut first_single: HashMap<(String, Role), u64> = HashMap::new();
    for e in &mut entries {
        if account::is_mobile(&e.person.mobile) {
            match first_mobile.get(&e.person.mobile) {
                Some(first) => e.errs.push(tf("roster.dup_mobile", &[("mobile", &e.person.mobile), ("line", first)])),
                None => {
                    first_mobile.insert(e.person.mobile.clone(), e.line);
                }
            }
        }
        if let Some((unit, role @ (Role::Reviewer | Role::Inspector))) = e.place() {
            let k = (unit.code.clone(), role);
            match first_single.get(&k) {
                Some(first) => {
                    let msg =
                        tf("roster.two_in_role", &[("unit", &unit.code), ("role", &role.label()), ("line", first)]);
                    e.errs.push(msg);
                }
                None => {
                    first_single.insert(k, e.line);
                }
            }
        }
    }

    // Each row's account, if it has one: the same unit and role, and the same mobile — or else
    // the same name.
    let mut matched: HashSet<usize> = HashSet::new();
    let mut found: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    for e in &entries {
        let f = e.place().and_then(|(unit, role)| {
            let key = |v: &str| (unit.code.clone(), role_key(role.as_str()), v.to_string());
            by_mobile.get(&key(&e.person.mobile)).copied().or_else(|| {
                match e.person.name.as_deref().and_then(|n| by_name.get(&key(n))).map(Vec::as_slice) {
                    Some([one]) if !matched.contains(one) => Some(*one),
                    _ => None,
                }
            })
        });
        if let Some(i) = f {
            matched.insert(i);
        }
        found.push(f);
    }

    // With --sync: the staff of the units the form lists who are not on it are to be disabled —
    // never the importer, and nobody of a unit the form does not list (issued separately).
    let listed: HashSet<&str> = entries.iter().filter_map(|e| e.unit.as_ref()).map(|u| u.code.as_str()).collect();
    let mut disabled: HashSet<i64> = HashSet::new();
    if let Some(root) = sync_root {
        for (i, a) in existing.iter().enumerate() {
            let covered = root.contains_path(&a.org_path) && listed.contains(a.org_code.as_str());
            if !matched.contains(&i) && covered && a.id != actor.account_id {
                disabled.insert(a.id);
                plan.changes.push(Change::Disable(Disable {
                    username: a.username.clone(),
                    name: a.name.clone(),
                    unit: a.org_code.clone(),
                    role: a.role.clone(),
                }));
            }
        }
    }

    // Against the accounts that stay: mobiles held elsewhere, a second reviewer or inspector.
    for (mut e, found) in entries.into_iter().zip(found) {
        let existing_one = found.map(|i| &existing[i]);
        let mobile_moves = existing_one.is_none_or(|a| a.mobile != e.person.mobile);
        if account::is_mobile(&e.person.mobile) && mobile_moves {
            if let Some((id, holder)) = mobile_holder(conn, &e.person.mobile, &disabled)? {
                // A row whose unit or role could not be read may be the holder's own account:
                // not a fault of its own, which fixing the unit or role will show.
                let maybe_own = found.is_none()
                    && existing.iter().any(|a| {
                        a.id == id
                            && e.unit.as_ref().is_none_or(|u| u.code == a.org_code)
                            && e.role.is_none_or(|r| r.as_str() == a.role)
                    });
                if !maybe_own {
                    let taken = tf("account.mobile_taken", &[("mobile", &e.person.mobile), ("username", &holder)]);
                    e.errs.push(if found.is_some() { taken } else { format!("{taken} ({})", t("roster.sync_hint")) });
                }
            }
        }
        if let (None, Some((unit, role @ (Role::Reviewer | Role::Inspector)))) = (found, e.place()) {
            if let Some(holder) = existing
                .iter()
                .find(|a| a.org_code == unit.code && a.role == role.as_str() && !disabled.contains(&a.id))
            {
                let taken = tf(
                    "account.role_taken",
                    &[("unit", &unit.code), ("role", &role.label()), ("username", &holder.username)],
                );
                e.errs.push(format!("{taken} ({})", t("roster.sync_hint")));
            }
        }
        if !e.errs.is_empty() {
            for m in e.errs {
                plan.error(e.line, m);
            }
            continue;
        }
        let (Some(unit), Some(role)) = (e.unit, e.role) else { continue };
        match existing_one {
            Some(a) => {
                let before = a.person();
                // A form without a name (the published one) keeps the name the person gave.
                let after = Person { name: e.person.name.or_else(|| before.name.clone()), ..e.person };
                if before == after {
                    plan.unchanged += 1;
                    continue;
                }
                plan.changes.push(Change::Update(Update {
                    line: e.line,
                    username: a.username.clone(),
                    unit: a.org_code.clone(),
                    role: a.role.clone(),
                    before,
                    after,
                }));
            }
            None => plan.changes.push(Change::Add(Add {
                line: e.line,
                unit: unit.code.clone(),
                role: role.as_str().to_string(),
                person: e.person,
                username: None,
            })),
        }
    }
    // A stable sort: each row's faults in the order they were found.
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

/// The active account holding a mobile (its id and username), unless it is being disabled by the
/// same form.
fn mobile_holder(conn: &Conn, mobile: &str, disabled: &HashSet<i64>) -> Result<Option<(i64, String)>> {
    let found = accounts::active_with_mobile(conn, mobile)?;
    Ok(found.filter(|(id, _)| !disabled.contains(id)))
}

fn unit(tx: &Tx, code: &str) -> Result<Org> {
    orgs::find(tx, code)?.ok_or_else(|| anyhow::anyhow!("unit {code} vanished"))
}

/// An activation code issued by an import or an approval, for the codes file.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub username: String,
    /// `None`: the person gives it at activation.
    pub name: Option<String>,
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
fn apply_disables_and_changes(tx: &mut Tx, diff: &Diff, reason: &str, tick: &mut dyn FnMut()) -> Result<()> {
    for d in &diff.disable {
        let a = accounts::by_username(tx, &d.username)?;
        account::disable(tx, &a, reason)?;
        tick();
    }
    for c in &diff.change {
        let a = accounts::by_username(tx, &c.username)?;
        if a.status != "active" || a.person() != c.before {
            return Err(Error::new(Kind::Refused, tf("roster.stale", &[("username", &c.username)]))
                .hint(t("roster.stale.hint"))
                .into());
        }
        account::update_person(tx, &a, &c.after)?;
        tick();
    }
    Ok(())
}

/// What applying a form did.
pub enum Applied {
    /// The Ministry's: applied at once, with the new people's activation codes.
    Issued(Vec<IssuedCode>),
    /// A province's: filed as this roster request.
    Filed(i64),
}

/// Apply a checked form in the transaction `tx`: the Ministry's at once, a province's as a roster
/// request ([`applies_directly`]).
pub fn apply(tx: &mut Tx, actor: &Actor, form: &Form, plan: &Plan, tick: &mut dyn FnMut()) -> Result<Applied> {
    let diff = Diff::of(form, plan);
    if applies_directly(actor) {
        Ok(Applied::Issued(apply_direct(tx, actor, &diff, tick)?))
    } else {
        Ok(Applied::Filed(file_request(tx, actor, diff, tick)?))
    }
}

/// A Ministry admin's import: applied at once; new people get active accounts and codes.
fn apply_direct(tx: &mut Tx, actor: &Actor, diff: &Diff, tick: &mut dyn FnMut()) -> Result<Vec<IssuedCode>> {
    apply_disables_and_changes(tx, diff, &tf("roster.disable_reason", &[("file", &diff.file)]), tick)?;
    let mut codes = Vec::new();
    for a in &diff.add {
        let org = unit(tx, &a.unit)?;
        let role = Role::parse(&a.role).ok_or_else(|| anyhow::anyhow!("bad role {}", a.role))?;
        let i = account::issue(tx, &org, role, &a.person, Some(actor.account_id))?;
        codes.push(issued(a, i));
        tick();
    }
    Ok(codes)
}

/// A province's import: one roster request for the Ministry, with the new people as pending
/// accounts (their usernames reserved). Returns the request id.
fn file_request(tx: &mut Tx, actor: &Actor, mut diff: Diff, tick: &mut dyn FnMut()) -> Result<i64> {
    if let Some(id) = store::requests::pending_for(tx, "roster", actor.org.id)? {
        return Err(Error::new(Kind::Refused, tf("roster.already_pending", &[("id", &id), ("unit", &actor.org.code)]))
            .hint(tf("roster.already_pending.hint", &[("id", &id)]))
            .into());
    }
    let ministry = unit(tx, MINISTRY_CODE)?;
    let id = store::requests::file_roster(tx, actor.org.id, ministry.id, actor.account_id, &tx.now_stored())?;
    for a in diff.add.iter_mut() {
        let org = unit(tx, &a.unit)?;
        let role = Role::parse(&a.role).ok_or_else(|| anyhow::anyhow!("bad role {}", a.role))?;
        let (_, username) = account::create(tx, &org, role, &a.person, Some(actor.account_id), Some(id))?;
        a.username = Some(username);
        tick();
    }
    let payload = serde_json::to_string(&diff)?;
    store::requests::set_payload(tx, id, &payload)?;
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
    apply_disables_and_changes(tx, diff, &tf("roster.disable_reason_request", &[("id", &id)]), &mut || {})?;
    let mut codes = Vec::new();
    for a in &diff.add {
        let username = a.username.as_deref().ok_or_else(|| anyhow::anyhow!("request {id} lacks a username"))?;
        let acc = accounts::by_username(tx, username)?;
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
            let acc = accounts::by_username(tx, u)?;
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
