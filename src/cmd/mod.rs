//! The command line: one variant per command, each handled by `cmd_<name>` in its own
//! module. The doc comments here are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::context::Ctx;
use crate::db::Journal;
use crate::error::Result;
use crate::output::Format;

pub mod account;
pub mod audit;
pub mod completions;
pub mod cycle_args;
pub mod db;
pub mod demo;
pub mod doctor;
pub mod examples;
pub mod export;
pub mod help;
pub mod init;
pub mod report;
pub mod request;
pub mod school;
pub mod session;
pub mod submit;
pub mod unit;
pub mod withdraw;

/// Administration tool for the National Education Informatization Work Progress Information
/// System (全国教育信息化工作进展信息系统).
///
/// Provinces, prefectures, counties and schools report their education informatization figures
/// through eip each month, level by level, under the Ministry of Education's management measures.
#[derive(Debug, Parser)]
#[command(name = "eip", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 ok · 1 other error · 2 usage, including a malformed argument value \
(a bad --period or --due) · 3 not signed in / not permitted · 4 not found · 5 refused by the rules · \
6 invalid input (nothing written) · 7 database busy, unusable or damaged · 8 audit chain broken\n\n\
Support: your own level's technical support unit first (Art. 6); the Ministry of Education's technical \
support line (教育部技术支持电话, Art. 21): 4008980910")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// The database: a file, or postgres://USER@HOST[:PORT]/DB [default: eip.db in the platform data directory]
    #[arg(long, global = true, env = "EIP_DB", value_name = "DB")]
    pub db: Option<PathBuf>,
    /// Output format [default: table on a terminal, tsv otherwise]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Language of messages and headers [default: from LC_ALL/LANG]
    #[arg(long, global = true, value_parser = ["zh", "en"], value_name = "LANG")]
    pub lang: Option<String>,
    /// Journal mode: wal on a local disk, delete for a file on a network share
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub journal: Option<Journal>,
    /// Print no status lines
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more detail on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a database: the Ministry, the indicators and the first Ministry admin (000000-A01)
    Init(init::InitArgs),
    /// Sign in (a session for this database, valid 12 hours)
    Login(session::LoginArgs),
    /// Sign out of this database
    Logout,
    /// Show the signed-in account and its scope
    Whoami,
    /// Build a demonstration database from one real province
    Demo(demo::DemoArgs),
    /// Check the database: integrity, foreign keys, the audit chain, the rules (the Ministry's admin and support)
    Doctor,
    /// Print shell completions
    Completions(completions::CompletionsArgs),
    /// The database itself: copy it between a file and PostgreSQL
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Admin units: provinces, prefectures, counties
    #[command(subcommand)]
    Unit(unit::UnitCommand),
    /// Accounts and API tokens
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Schools and teaching points
    #[command(subcommand)]
    School(school::SchoolCommand),
    /// Monthly reporting
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Submit your unit's period (reviewer, inside its window), or run the automatic submissions
    Submit(submit::SubmitArgs),
    /// Withdrawal of a submitted period (撤报, Art. 18)
    #[command(subcommand)]
    Withdraw(withdraw::WithdrawCommand),
    /// Requests awaiting a decision: roster, school deletion and transfer, withdrawal
    #[command(subcommand)]
    Request(request::RequestCommand),
    /// The audit trail
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// `YYYY-MM`, for clap.
pub fn parse_period(s: &str) -> std::result::Result<crate::model::Period, String> {
    s.trim().parse::<crate::model::Period>().map_err(|_| crate::i18n::tf("calendar.bad_period", &[("value", &s)]))
}

/// `YYYY-MM` or `YYYY-MM..YYYY-MM`, for clap: reversed or over 36 months refused with the rule.
pub fn parse_range(s: &str) -> std::result::Result<crate::model::PeriodRange, String> {
    use crate::model::{PeriodRange, RangeError, MAX_RANGE_MONTHS};
    PeriodRange::parse(s).map_err(|e| match e {
        RangeError::Malformed => crate::i18n::tf("range.bad", &[("value", &s)]),
        RangeError::Reversed => crate::i18n::tf("range.reversed", &[("value", &s)]),
        RangeError::TooLong(n) => {
            crate::i18n::tf("range.too_long", &[("value", &s), ("months", &n), ("max", &MAX_RANGE_MONTHS)])
        }
    })
}

/// An admin unit level (province, prefecture, county; English or Chinese), for clap.
pub fn parse_level(s: &str) -> std::result::Result<crate::model::Level, String> {
    crate::model::Level::parse(s)
        .filter(|l| l.is_unit())
        .ok_or_else(|| crate::i18n::tf("unit.bad_level", &[("value", &s)]))
}

fn parse_encoding(s: &str) -> Result<crate::csvio::Encoding, String> {
    crate::csvio::Encoding::parse(s).map_err(|e| e.message)
}

/// The options every file import takes (README, "Excel workbooks").
#[derive(Debug, Args)]
pub struct ImportFile {
    /// CSV file (UTF-8, UTF-8 with BOM or GBK) or Excel workbook (.xlsx, .xls); `-` for standard
    /// input
    pub file: PathBuf,
    /// The workbook's sheet to read [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Check everything and show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write the bad rows, with an error column, to this file
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// A CSV file's encoding [default: detected]
    #[arg(long, value_parser = parse_encoding, value_name = "ENCODING")]
    pub encoding: Option<crate::csvio::Encoding>,
}

impl ImportFile {
    /// The file read, decoded and split into rows past its preamble; a file with no data rows is
    /// refused (exit 6).
    pub fn rows(&self, is_header: impl Fn(&[String]) -> bool, columns_hint: &str) -> Result<crate::csvio::Sheet> {
        crate::import::read(&self.file, self.encoding, self.sheet.as_deref(), is_header, columns_hint, false)
    }

    /// The whole import of a file whose plan needs nothing but the rows: read it (its header is
    /// the first row `is_header` accepts), plan it as the signed-in actor, review it, apply it in
    /// one transaction ([`crate::import::run`]), and say what it did.
    pub fn import<C: crate::import::Change>(
        &self,
        ctx: &mut Ctx,
        is_header: impl Fn(&[String]) -> bool,
        columns_hint: &str,
        plan: impl FnOnce(
            &crate::store::Conn,
            &crate::model::Actor,
            &crate::csvio::Sheet,
        ) -> Result<crate::import::ImportPlan<C>>,
        mut apply: impl FnMut(
            &mut crate::store::Tx,
            &crate::model::Actor,
            &crate::import::ImportPlan<C>,
            &mut dyn FnMut(),
        ) -> Result<()>,
    ) -> Result<()> {
        let out = ctx.out.clone();
        let sheet = self.rows(is_header, columns_hint)?;
        let (db, actor) = ctx.signed_in()?;
        let done = crate::import::run(
            db,
            &actor,
            &out,
            &self.source(),
            &sheet,
            |conn| plan(conn, &actor, &sheet),
            |tx, plan, tick| apply(tx, &actor, plan, tick),
        )?;
        if let Some((plan, ())) = done {
            out.status(&plan.summary());
        }
        Ok(())
    }

    /// The dry-run and rejects options, for [`crate::import::run`].
    pub fn source(&self) -> crate::import::Source<'_> {
        crate::import::Source { dry_run: self.dry_run, rejects: self.rejects.as_deref() }
    }
}

/// The options every file export takes (README, "Excel workbooks").
#[derive(Debug, Args)]
pub struct ExportFile {
    /// Export this unit and everything below it [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// utf-8 (with BOM, as Excel expects) or gbk
    #[arg(long, value_parser = parse_encoding, value_name = "ENCODING", default_value = "utf-8")]
    pub encoding: crate::csvio::Encoding,
    /// Write to this file instead of standard output (a name ending in .xlsx writes an Excel
    /// workbook)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run_command(ctx: &mut Ctx, command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init::cmd_init(ctx, args),
        Command::Login(args) => session::cmd_login(ctx, args),
        Command::Logout => session::cmd_logout(ctx),
        Command::Whoami => session::cmd_whoami(ctx),
        Command::Demo(args) => demo::cmd_demo(ctx, args),
        Command::Doctor => doctor::cmd_doctor(ctx),
        Command::Completions(args) => completions::cmd_completions(args),
        Command::Db(c) => db::cmd_db(ctx, c),
        Command::Unit(c) => unit::cmd_unit(ctx, c),
        Command::Account(c) => account::cmd_account(ctx, c),
        Command::School(c) => school::cmd_school(ctx, c),
        Command::Report(c) => report::cmd_report(ctx, c),
        Command::Request(c) => request::cmd_request(ctx, c),
        Command::Submit(a) => submit::cmd_submit(ctx, a),
        Command::Withdraw(c) => withdraw::cmd_withdraw(ctx, c),
        Command::Audit(c) => audit::cmd_audit(ctx, c),
    }
}

/// The clap command, for completions, man pages and the help reference.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// The man pages in `lang`, generated from the command definition: `eip.1`, `eip-unit.1`,
/// `eip-unit-add.1` … (committed under `man/`, the Chinese ones under `man/zh_CN/`; a test fails
/// when they drift).
pub fn man_pages(lang: crate::i18n::Lang) -> Result<Vec<(String, Vec<u8>)>> {
    let mut pages = Vec::new();
    for (name, cmd) in help::walk(&help::dressed(lang, false)) {
        let file = format!("{}.1", name.replace(' ', "-"));
        let cmd = cmd.name(name.replace(' ', "-")).bin_name(name.clone());
        pages.push((file, help::man_page(cmd, &name, lang)?));
    }
    Ok(pages)
}

/// The full `--help` of every command in `lang`, one after another (the help reference snapshot:
/// docs/cli-reference.md, docs/cli-reference.zh.md).
pub fn help_reference(lang: crate::i18n::Lang) -> String {
    let mut s = match lang {
        crate::i18n::Lang::En => {
            String::from("# eip command-line reference\n\nGenerated from the command definition.\n")
        }
        crate::i18n::Lang::Zh => String::from("# eip 命令行参考\n\n由命令定义生成。\n"),
    };
    for (name, mut cmd) in help::walk(&help::command_in(lang)) {
        s.push_str(&format!("\n## {name}\n\n```\n{}\n```\n", cmd.render_long_help().to_string().trim_end()));
    }
    s
}
