//! Admin units (§5.0): adding, renaming and importing, with every rule checked before
//! anything is written.

use std::collections::HashMap;

use serde_json::json;

use crate::audit::Event;
use crate::csvio::{Columns, Sheet};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::import::{ChangeKind, ImportPlan};
use crate::model::{is_unit_code, Actor, Level, Org, MINISTRY_CODE};
use crate::output::{Cell, Out};
use crate::perm::{self, Action};
use crate::store::{orgs, Conn, Tx};

/// The rules a new unit's code and level obey against its parent.
fn check_new(code: &str, level: Level, parent_code: &str, parent_level: Level) -> Result<(), Error> {
    if !is_unit_code(code) {
        return Err(error::invalid(tf("unit.bad_code", &[("code", &code)])));
    }
    if code == MINISTRY_CODE {
        return Err(error::invalid(t("unit.ministry_code")));
    }
    if level == Level::Ministry {
        return Err(error::invalid(t("unit.ministry_level")));
    }
    if !parent_level.is_above(level) {
        return Err(error::invalid(tf(
            "unit.parent_level",
            &[("level", &level.label()), ("parent", &parent_code), ("parent_level", &parent_level.label())],
        )));
    }
    Ok(())
}

/// The level a new unit takes: the one given, else one below its parent.
pub fn level_under(parent: &Org, level: Option<Level>) -> Result<Level, Error> {
    match level {
        Some(l) => Ok(l),
        None => {
            parent.level.below().ok_or_else(|| error::invalid(tf("unit.no_level_below", &[("parent", &parent.code)])))
        }
    }
}

fn insert(tx: &mut Tx, code: &str, name: &str, level: Level, parent_id: i64, path: &str) -> Result<i64> {
    let id = orgs::insert_unit(tx, code, name, level, parent_id, path, &tx.now_stored())?;
    tx.audit(Event::new("unit.add").target(code).scope(path).detail(json!({
        "after": { "code": code, "name": name, "level": level.as_str(), "parent": path_parent(path) }
    })))?;
    Ok(id)
}

fn path_parent(path: &str) -> Option<&str> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    (parts.len() >= 2).then(|| parts[parts.len() - 2])
}

fn already_exists(conn: &Conn, code: &str) -> Result<Option<Error>> {
    Ok(orgs::find(conn, code)?.map(|o| {
        Error::new(Kind::Refused, tf("unit.exists", &[("code", &code), ("name", &o.name)]))
            .hint(tf("unit.exists.hint", &[("code", &code)]))
    }))
}

/// `eip unit add`: a new unit under `parent` (already found in the actor's scope).
pub fn add(tx: &mut Tx, actor: &Actor, code: &str, name: &str, parent: &Org, level: Option<Level>) -> Result<Org> {
    perm::require(actor, Action::UnitManage, parent)?;
    let name = crate::text::clean_name(name)?;
    let level = level_under(parent, level)?;
    check_new(code, level, &parent.code, parent.level)?;
    if let Some(e) = already_exists(tx, code)? {
        return Err(e.into());
    }
    let path = parent.child_path(code);
    insert(tx, code, &name, level, parent.id, &path)?;
    Ok(orgs::find(tx, code)?.expect("inserted above"))
}

/// `eip unit rename`: returns false when the name is already that (nothing recorded).
pub fn rename(tx: &mut Tx, actor: &Actor, unit: &Org, name: &str) -> Result<bool> {
    perm::require(actor, Action::UnitManage, unit)?;
    if unit.code == MINISTRY_CODE {
        return Err(error::refused(t("unit.rename_ministry")).into());
    }
    let name = crate::text::clean_name(name)?;
    // Compared with the name read in this transaction: the same rename started twice at once
    // is recorded once.
    let unit = &orgs::by_id(tx, unit.id)?;
    if name == unit.name {
        return Ok(false);
    }
    rename_unchecked(tx, unit, &name)?;
    Ok(true)
}

fn rename_unchecked(tx: &mut Tx, unit: &Org, name: &str) -> Result<()> {
    orgs::rename(tx, unit.id, name)?;
    tx.audit(
        Event::new("unit.rename")
            .target(&unit.code)
            .scope(&unit.path)
            .detail(json!({ "before": { "name": unit.name }, "after": { "name": name } })),
    )?;
    Ok(())
}

/// The admin units of a subtree (its root included), parents before children.
pub fn under(conn: &Conn, root: &Org) -> Result<Vec<Org>> {
    orgs::units_under(conn, root)
}

/// The units of one level inside a subtree, in tree order.
pub fn at_level(conn: &Conn, root: &Org, level: Level) -> Result<Vec<Org>> {
    orgs::units_at_level(conn, root, level)
}

/// The live org with this code, whatever the scope (the demo and the generator, which build
/// their own tree).
pub fn find(conn: &Conn, code: &str) -> Result<Option<Org>> {
    orgs::find(conn, code)
}

/// A unit as it stands now (after a change to it).
pub fn reread(conn: &Conn, unit: &Org) -> Result<Org> {
    orgs::by_id(conn, unit.id)
}

pub use crate::store::accounts::Gap;

/// `eip unit staffing` (Art. 6, 8): every admin unit of the subtree under `root`
/// (already found in the actor's scope; itself included) that lacks an active admin, reviewer or
/// inspector, and every school there, normal or suspended, without an active school admin, with
/// the roles each lacks, in tree order. Reading: open to every role in its scope.
pub fn staffing(conn: &Conn, root: &Org) -> Result<Vec<Gap>> {
    let (lo, hi) = root.subtree();
    crate::store::accounts::staffing_gaps(conn, &lo, &hi)
}

/// What lies below a unit, for `unit show`.
pub struct Below {
    pub units: i64,
    pub schools: i64,
    /// Active accounts of the unit and everything below it.
    pub accounts: i64,
    pub parent_name: Option<String>,
}

pub fn below(conn: &Conn, unit: &Org) -> Result<Below> {
    let (units, schools) = orgs::count_below(conn, unit)?;
    let accounts = orgs::active_accounts_under(conn, unit)?;
    let parent_name = match &unit.parent_code {
        Some(p) => orgs::find(conn, p)?.map(|o| o.name),
        None => None,
    };
    Ok(Below { units, schools, accounts, parent_name })
}

/// The headers of a units file, English or Chinese.
pub const UNIT_COLUMNS: &[(&str, &[&str])] = &[
    ("code", &["code", "代码", "单位代码"]),
    ("name", &["name", "名称", "单位名称"]),
    ("level", &["level", "级别"]),
    ("parent", &["parent", "上级代码", "上级"]),
];

/// A change an import would make.
#[derive(Debug, Clone)]
pub enum Change {
    Add { line: u64, code: String, name: String, level: Level, parent: String },
    Rename { line: u64, unit: Org, name: String },
}

impl crate::import::Change for Change {
    const COLUMNS: &'static [(&'static str, &'static str)] =
        &[("code", "col.code"), ("name", "col.name"), ("level", "col.level"), ("parent", "col.parent")];

    fn line(&self) -> u64 {
        match self {
            Change::Add { line, .. } | Change::Rename { line, .. } => *line,
        }
    }

    fn kind(&self) -> ChangeKind {
        match self {
            Change::Add { .. } => ChangeKind::Added,
            Change::Rename { .. } => ChangeKind::Renamed,
        }
    }

    fn cells(&self, out: &Out) -> Vec<Cell> {
        match self {
            Change::Add { code, name, level, parent, .. } => {
                vec![Cell::from(code), Cell::from(name), out.word(level.as_str(), level.label()), Cell::from(parent)]
            }
            Change::Rename { unit, name, .. } => vec![
                Cell::from(&unit.code),
                Cell::from(name),
                out.word(unit.level.as_str(), unit.level.label()),
                Cell::from(unit.parent_code.clone()),
            ],
        }
    }
}

/// What a units import would do, once every row has been checked.
pub type Plan = ImportPlan<Change>;

/// Check every row of a units file against the rules and the database; write nothing.
pub fn plan_import(conn: &Conn, actor: &Actor, sheet: &Sheet) -> Result<Plan> {
    let cols = Columns::find(&sheet.headers, UNIT_COLUMNS);
    for key in ["code", "name", "level", "parent"] {
        if !cols.has(key) {
            return Err(error::invalid(tf("csv.missing_column", &[("file", &sheet.file), ("column", &key)])).into());
        }
    }
    // The whole command needs the right role somewhere; rows are then checked one by one.
    if !(actor.role == crate::account::Role::Admin && matches!(actor.org.level, Level::Ministry | Level::Province)) {
        perm::require(actor, Action::UnitManage, &actor.org)?;
    }
    let scope = actor.scope();
    // One snapshot for the whole check (a read transaction): a unit added by another process
    // meanwhile is seen by every lookup or by none (then `apply` finds it in its transaction).
    let _snapshot = conn.snapshot()?;
    let existing = existing_units(conn, scope)?;
    let mut plan = Plan::new(conn, sheet.rows.len())?;

    // First pass: each row on its own; remember the file's units by code.
    struct FileUnit {
        line: u64,
        name: String,
        level: Level,
        parent: String,
    }
    let mut in_file: HashMap<String, FileUnit> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for row in &sheet.rows {
        let mut err = |m: String| plan.error(row.line, m);
        let code = cols.code(row, "code");
        let parent = cols.code(row, "parent");
        let level_text = cols.get(row, "level");
        if !is_unit_code(&code) {
            err(tf("unit.bad_code", &[("code", &code)]));
            continue;
        }
        if let Some(first) = in_file.get(&code) {
            err(tf("unit.dup_in_file", &[("code", &code), ("line", &first.line)]));
            continue;
        }
        let name = match crate::text::clean_name(cols.get(row, "name")) {
            Ok(n) => n,
            Err(e) => {
                err(e.message);
                continue;
            }
        };
        let Some(level) = Level::parse(level_text).filter(|l| l.is_unit()) else {
            err(tf("unit.bad_level", &[("value", &level_text)]));
            continue;
        };
        if (code == MINISTRY_CODE) != (level == Level::Ministry) {
            err(if code == MINISTRY_CODE { t("unit.ministry_code").into() } else { t("unit.ministry_level").into() });
            continue;
        }
        in_file.insert(code.clone(), FileUnit { line: row.line, name, level, parent });
        order.push(code);
    }

    // Second pass: against the database and the rest of the file.
    for code in &order {
        let u = &in_file[code];
        let mut err = |m: String| plan.error(u.line, m);
        if let Some(stored) = existing.get(code) {
            // A known unit: the same place and level, maybe a new name.
            let same_parent = stored.parent_code.as_deref().unwrap_or("") == u.parent;
            if !same_parent || stored.level != u.level {
                err(tf(
                    "unit.moved",
                    &[
                        ("code", &code),
                        ("old_parent", &stored.parent_code.as_deref().unwrap_or("-")),
                        ("old_level", &stored.level.label()),
                    ],
                ));
            } else if stored.name == u.name {
                plan.unchanged += 1;
            } else if code == MINISTRY_CODE {
                err(t("unit.rename_ministry").into());
            } else if !perm::allows(actor, Action::UnitManage, stored) {
                err(t("unit.province_scope").into());
            } else {
                plan.changes.push(Change::Rename { line: u.line, unit: stored.clone(), name: u.name.clone() });
            }
            continue;
        }
        if code == MINISTRY_CODE {
            err(t("unit.ministry_level").into());
            continue;
        }
        if orgs::find(conn, code)?.is_some() {
            // Exists outside the importer's scope.
            err(tf("unit.exists", &[("code", &code), ("name", &"…")]));
            continue;
        }
        let parent_level = match (existing.get(&u.parent), in_file.get(&u.parent)) {
            (Some(p), _) => {
                if !perm::allows(actor, Action::UnitManage, p) {
                    err(t("unit.province_scope").into());
                    continue;
                }
                p.level
            }
            (None, Some(p)) => p.level,
            (None, None) => {
                err(tf("unit.no_parent", &[("code", &u.parent)]));
                continue;
            }
        };
        if let Err(e) = check_new(code, u.level, &u.parent, parent_level) {
            err(e.message);
            continue;
        }
        plan.changes.push(Change::Add {
            line: u.line,
            code: code.clone(),
            name: u.name.clone(),
            level: u.level,
            parent: u.parent.clone(),
        });
    }
    // A new unit whose parent row in the file was bad cannot be added either.
    let bad_lines: std::collections::HashSet<u64> = plan.errors.iter().map(|e| e.line).collect();
    let bad_codes: std::collections::HashSet<&String> =
        in_file.iter().filter(|(_, u)| bad_lines.contains(&u.line)).map(|(c, _)| c).collect();
    let mut extra = Vec::new();
    for c in &plan.changes {
        if let Change::Add { line, parent, .. } = c {
            if bad_codes.contains(parent) && !existing.contains_key(parent) {
                extra.push((*line, tf("unit.no_parent", &[("code", &parent)])));
            }
        }
    }
    for (line, message) in extra {
        plan.error(line, message);
    }
    plan.errors.sort_by_key(|e| e.line);
    Ok(plan)
}

/// Every unit in the scope, by code, and the scope root's parent (named by the root's row).
fn existing_units(conn: &Conn, scope: &Org) -> Result<HashMap<String, Org>> {
    let mut map: HashMap<String, Org> =
        orgs::units_under(conn, scope)?.into_iter().map(|o| (o.code.clone(), o)).collect();
    if let Some(pc) = &scope.parent_code {
        if let Some(p) = orgs::find(conn, pc)? {
            map.entry(p.code.clone()).or_insert(p);
        }
    }
    Ok(map)
}

/// Write a checked plan: parents before children, one audit event per changed unit.
pub fn apply(tx: &mut Tx, plan: &Plan, progress: &mut dyn FnMut()) -> Result<()> {
    // Something changed since the file was checked: what it adds must still be new, as read in
    // this transaction (the same file imported twice at once adds each unit once).
    if plan.changed_since(tx)? {
        for c in &plan.changes {
            if let Change::Add { code, .. } = c {
                if orgs::find(tx, code)?.is_some() {
                    return Err(crate::import::stale(code));
                }
            }
        }
    }
    let mut adds: Vec<&Change> = plan.changes.iter().filter(|c| matches!(c, Change::Add { .. })).collect();
    adds.sort_by_key(|c| match c {
        Change::Add { level, .. } => *level,
        Change::Rename { .. } => Level::School,
    });
    let mut paths: HashMap<String, (i64, String)> = HashMap::new();
    for c in adds {
        if let Change::Add { code, name, level, parent, .. } = c {
            let (parent_id, parent_path) = match paths.get(parent) {
                Some(p) => p.clone(),
                None => {
                    let p = orgs::find(tx, parent)?
                        .ok_or_else(|| anyhow::anyhow!("parent {parent} vanished during import"))?;
                    (p.id, p.path)
                }
            };
            let path = format!("{parent_path}{code}/");
            let id = insert(tx, code, name, *level, parent_id, &path)?;
            paths.insert(code.clone(), (id, path));
            progress();
        }
    }
    for c in &plan.changes {
        if let Change::Rename { unit, name, .. } = c {
            // As read in this transaction: renamed to the same name meanwhile, nothing to record.
            let unit = orgs::by_id(tx, unit.id)?;
            if unit.name != *name {
                rename_unchecked(tx, &unit, name)?;
            }
            progress();
        }
    }
    Ok(())
}
