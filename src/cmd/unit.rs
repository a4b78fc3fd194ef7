//! `eip unit …` (§5.0): admin units.

use clap::{Args, Subcommand};

use crate::context::Ctx;

use super::{ExportFile, ImportFile};
use crate::csvio::{self, ExportWriter};
use crate::error::Result;
use crate::i18n::tf;
use crate::model::{Level, Org, Role};
use crate::output::{Cell, Format};
use crate::scope;
use crate::units;

fn parse_unit_level(s: &str) -> Result<Level, String> {
    Level::parse(s).filter(|l| l.is_unit()).ok_or_else(|| tf("unit.bad_level", &[("value", &s)]))
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add a unit under a parent of a strictly higher level
    Add(AddArgs),
    /// List the units under a unit (default: your scope)
    List(ListArgs),
    /// Show a unit and what lies below it as a tree
    Tree(TreeArgs),
    /// Show one unit
    Show(ShowArgs),
    /// Rename a unit
    Rename(RenameArgs),
    /// Import units from CSV (code,name,level,parent); all or nothing
    Import(ImportArgs),
    /// Export units as CSV (code,name,level,parent), parents first, ready to import elsewhere
    Export(ExportArgs),
    /// Units lacking an active admin, reviewer or inspector, and schools without an active school
    /// admin (Art. 6, 8), each with the roles it lacks
    Staffing(StaffingArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Six-digit code (GB/T 2260), e.g. 130102
    pub code: String,
    /// Name, e.g. 长安区教育局
    pub name: String,
    /// The parent unit's code
    #[arg(long, value_name = "CODE")]
    pub parent: String,
    /// province, prefecture or county (省级, 地市级, 区县级) [default: one below the parent]
    #[arg(long, value_parser = parse_unit_level, value_name = "LEVEL")]
    pub level: Option<Level>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the units below this one [default: your own unit]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// Only units of this level
    #[arg(long, value_parser = parse_unit_level, value_name = "LEVEL")]
    pub level: Option<Level>,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The unit at the top [default: your own unit]
    pub code: Option<String>,
    /// How many levels below it to show
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub code: String,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    pub code: String,
    /// The new name
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub csv: ImportFile,
}

#[derive(Debug, Args)]
pub struct StaffingArgs {
    /// This unit and everything below it [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub csv: ExportFile,
}

pub fn cmd_unit(ctx: &mut Ctx, command: UnitCommand) -> Result<()> {
    match command {
        UnitCommand::Add(a) => add(ctx, a),
        UnitCommand::List(a) => list(ctx, a),
        UnitCommand::Tree(a) => tree(ctx, a),
        UnitCommand::Show(a) => show(ctx, a),
        UnitCommand::Rename(a) => rename(ctx, a),
        UnitCommand::Import(a) => import(ctx, a),
        UnitCommand::Export(a) => export(ctx, a),
        UnitCommand::Staffing(a) => staffing(ctx, a),
    }
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let parent = scope::unit(&db.conn, &actor, &a.parent)?;
    let code = a.code.trim().to_string();
    let unit = db.write(&actor.audit_actor(), |tx| units::add(tx, &actor, &code, &a.name, &parent, a.level))?;
    out.status(&tf(
        "unit.added",
        &[("code", &unit.code), ("name", &unit.name), ("level", &unit.level.label()), ("parent", &parent.code)],
    ));
    print_unit(ctx, &unit)
}

fn rename(ctx: &mut Ctx, a: RenameArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    let unit = scope::unit(&db.conn, &actor, &a.code)?;
    let changed = db.write(&actor.audit_actor(), |tx| units::rename(tx, &actor, &unit, &a.name))?;
    let new = crate::text::clean_name(&a.name)?;
    if changed {
        out.status(&tf("unit.renamed", &[("code", &unit.code), ("old", &unit.name), ("new", &new)]));
    } else {
        out.status(&tf("unit.unchanged", &[("code", &unit.code), ("name", &new)]));
    }
    let db = ctx.db()?;
    let unit = units::reread(&db.conn, &unit)?;
    print_unit(ctx, &unit)
}

fn print_unit(ctx: &mut Ctx, unit: &Org) -> Result<()> {
    let out = ctx.out.clone();
    let db = ctx.db()?;
    let units::Below { units: units_below, schools, accounts, parent_name } = units::below(&db.conn, unit)?;
    let created =
        crate::calendar::parse_stored(&unit.created_at).map_or(unit.created_at.clone(), crate::calendar::rfc3339_cst);
    out.record(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("parent", "col.parent"),
            ("parent_name", "col.parent_name"),
            ("path", "col.path"),
            ("units_below", "col.units_below"),
            ("schools", "col.schools"),
            ("accounts", "col.accounts"),
            ("created_at", "col.created_at"),
        ],
        &[
            Cell::from(&unit.code),
            Cell::from(&unit.name),
            out.word(unit.level.as_str(), unit.level.label()),
            Cell::from(unit.parent_code.clone()),
            Cell::from(parent_name),
            Cell::from(&unit.path),
            Cell::from(units_below),
            Cell::from(schools),
            Cell::from(accounts),
            Cell::from(created),
        ],
    )
}

fn show(ctx: &mut Ctx, a: ShowArgs) -> Result<()> {
    let (db, actor) = ctx.signed_in()?;
    let unit = scope::unit(&db.conn, &actor, &a.code)?;
    print_unit(ctx, &unit)
}

/// The root a read command starts from: `--under`/CODE inside the scope, else the scope itself.
fn root(ctx: &mut Ctx, code: Option<&str>) -> Result<Org> {
    let (db, actor) = ctx.signed_in()?;
    scope::under(&db.conn, &actor, code)
}

/// Units in a subtree (root included), parents before children.
fn subtree_units(ctx: &mut Ctx, root: &Org) -> Result<Vec<Org>> {
    units::under(&ctx.db()?.conn, root)
}

const LIST_COLUMNS: &[(&str, &str)] =
    &[("code", "col.code"), ("name", "col.name"), ("level", "col.level"), ("parent", "col.parent")];

fn list(ctx: &mut Ctx, a: ListArgs) -> Result<()> {
    let out = ctx.out.clone();
    let root = root(ctx, a.under.as_deref())?;
    let units = subtree_units(ctx, &root)?;
    let rows: Vec<Vec<Cell>> = units
        .iter()
        .filter(|u| u.id != root.id && a.level.is_none_or(|l| u.level == l))
        .map(|u| list_cells(&out, u))
        .collect();
    out.list(LIST_COLUMNS, &rows)
}

/// A unit's cells under [`LIST_COLUMNS`].
fn list_cells(out: &crate::output::Out, u: &Org) -> Vec<Cell> {
    vec![
        Cell::from(&u.code),
        Cell::from(&u.name),
        out.word(u.level.as_str(), u.level.label()),
        Cell::from(u.parent_code.clone()),
    ]
}

fn depth_of(path: &str) -> usize {
    path.matches('/').count().saturating_sub(2)
}

fn tree(ctx: &mut Ctx, a: TreeArgs) -> Result<()> {
    let out = ctx.out.clone();
    let root = root(ctx, a.code.as_deref())?;
    let base = depth_of(&root.path);
    let units: Vec<Org> = subtree_units(ctx, &root)?
        .into_iter()
        .filter(|u| a.depth.is_none_or(|d| depth_of(&u.path) - base <= d))
        .collect();
    if out.explicit && out.format != Format::Table {
        let rows: Vec<Vec<Cell>> = units
            .iter()
            .map(|u| {
                let mut cells = list_cells(&out, u);
                cells.push(Cell::from((depth_of(&u.path) - base) as i64));
                cells
            })
            .collect();
        let mut cols = LIST_COLUMNS.to_vec();
        cols.push(("depth", "col.depth"));
        return out.list(&cols, &rows);
    }
    // A drawing: each line's prefix shows, for each ancestor, whether more siblings follow.
    use std::io::Write;
    let mut w = std::io::stdout().lock();
    let last_child: Vec<bool> = (0..units.len())
        .map(|i| {
            let d = depth_of(&units[i].path);
            units[i + 1..].iter().map(|u| depth_of(&u.path)).find(|&nd| nd <= d).is_none_or(|nd| nd < d)
        })
        .collect();
    let mut open: Vec<bool> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let d = depth_of(&u.path) - base;
        open.truncate(d);
        let mut line = String::new();
        for (k, more) in open.iter().enumerate() {
            if k == 0 {
                continue;
            }
            line.push_str(if *more { "│   " } else { "    " });
        }
        if d > 0 {
            line.push_str(if last_child[i] { "└── " } else { "├── " });
        }
        writeln!(w, "{line}{} {} ({})", u.code, crate::terminal::escape_for_terminal(&u.name), u.level.label())?;
        open.push(!last_child[i]);
    }
    w.flush()?;
    Ok(())
}

/// The roles an org lacks: their keys, space-separated, for programs; their names for a person.
fn roles_cell(out: &crate::output::Out, roles: &[Role]) -> Cell {
    if out.is_machine() {
        return Cell::from(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "));
    }
    Cell::from(roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "))
}

fn staffing(ctx: &mut Ctx, a: StaffingArgs) -> Result<()> {
    let out = ctx.out.clone();
    let root = root(ctx, a.under.as_deref())?;
    let gaps = units::staffing(&ctx.db()?.conn, &root)?;
    let rows: Vec<Vec<Cell>> = gaps
        .iter()
        .map(|g| {
            vec![
                Cell::from(&g.code),
                Cell::from(&g.name),
                out.word(g.level.as_str(), g.level.label()),
                Cell::from(g.parent.clone()),
                roles_cell(&out, &g.missing),
            ]
        })
        .collect();
    out.list(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("parent", "col.parent"),
            ("missing", "col.missing_roles"),
        ],
        &rows,
    )
}

fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    a.csv.import(
        ctx,
        |h| {
            let cols = csvio::Columns::find(h, units::UNIT_COLUMNS);
            cols.has("code") && cols.has("name")
        },
        "code,name,level,parent",
        units::plan_import,
        |tx, _, plan, tick| units::apply(tx, plan, tick),
    )
}

fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let root = root(ctx, a.csv.under.as_deref())?;
    let units = subtree_units(ctx, &root)?;
    let out = ctx.out.clone();
    if super::export::as_rows(&out, &a.csv)? {
        let rows: Vec<Vec<Cell>> = units
            .iter()
            .map(|u| {
                vec![
                    Cell::from(&u.code),
                    Cell::from(&u.name),
                    out.word(u.level.as_str(), u.level.label()),
                    Cell::from(u.parent_code.clone()),
                ]
            })
            .collect();
        return out.list(
            &[("code", "col.code"), ("name", "col.name"), ("level", "col.level"), ("parent", "col.parent")],
            &rows,
        );
    }
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    w.record(["code", "name", "level", "parent"])?;
    for u in &units {
        w.record([u.code.as_str(), u.name.as_str(), u.level.as_str(), u.parent_code.as_deref().unwrap_or("")])?;
    }
    w.finish()
}
