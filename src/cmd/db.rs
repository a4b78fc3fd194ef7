//! `eip db copy`: move a database between a file and PostgreSQL (docs/DEPLOYMENT.md).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::context::Ctx;
use crate::db::Db;
use crate::error::Result;
use crate::i18n::tf;
use crate::output::Cell;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every table into a new database: a file to PostgreSQL, or back (one transaction; the audit heads match)
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy: a file, or postgres://USER@HOST[:PORT]/DB
    #[arg(long, value_name = "DB")]
    pub from: PathBuf,
    /// The new database: a file that does not exist yet, or an empty PostgreSQL database
    #[arg(long, value_name = "DB")]
    pub to: PathBuf,
}

pub fn cmd_db(ctx: &mut Ctx, c: DbCommand) -> Result<()> {
    match c {
        DbCommand::Copy(args) => copy(ctx, args),
    }
}

fn copy(ctx: &mut Ctx, args: CopyArgs) -> Result<()> {
    let out = ctx.out.clone();
    let from = Db::open(&args.from, ctx.journal)?;
    let copied =
        crate::store::copy::copy(&from, &args.to, ctx.journal, |table, n| out.debug(&format!("{table}: {n}")))?;
    let head = crate::store::audit::head(&from.conn)?.map(|(seq, hash)| format!("{seq} {hash}")).unwrap_or_default();
    let rows: Vec<Vec<Cell>> = copied.tables.iter().map(|(table, n)| vec![Cell::from(*table), Cell::Int(*n)]).collect();
    out.list(&[("table", "col.table"), ("rows", "col.rows")], &rows)?;
    let total: i64 = copied.tables.iter().map(|(_, n)| n).sum();
    out.status(&tf(
        "db.copied",
        &[("from", &from.path.display()), ("to", &copied.target), ("rows", &total), ("head", &head)],
    ));
    Ok(())
}
