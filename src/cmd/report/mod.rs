//! `eip report …`: the group's commands, and the reporting calendar.

use clap::{Args, Subcommand};

use crate::calendar::{self, Period};
use crate::cmd::parse_period;
use crate::context::Ctx;
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::model::Level;
use crate::output::Cell;

pub mod data;
pub mod evaluation;
pub mod io;
pub mod review;
pub mod rules;
pub mod status;
pub mod text;
pub mod trend;

/// `report status | missing` under its old name.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The indicator catalogue; `add` and `retire` for a Ministry admin
    Indicators(data::IndicatorsArgs),
    /// The plausibility rules (校验规则); `add` and `retire` for a Ministry admin
    Rules(rules::RulesArgs),
    /// Fill in or update values (有变化即更新): KEY=VALUE …
    Set(data::SetArgs),
    /// No change this month (无变化每月确认): carry last month's values forward and confirm
    Confirm(data::ConfirmArgs),
    /// Show an org's values for a period
    Show(data::ShowArgs),
    /// Import values from CSV, long (org,period,indicator,value) or wide (org,…,period,<indicator>…);
    /// all or nothing
    Import(io::ImportArgs),
    /// Export values (schools) or aggregates (a unit level) as CSV, wide or long
    Export(io::ExportArgs),
    /// Progress of each direct child: state, schools confirmed x of y, last change
    Status(status::StatusArgs),
    /// The 催报 list: every org in scope not yet confirmed, with its contact
    Missing(status::MissingArgs),
    /// Every plausibility flag in scope: the org, the rule, its message and the values it read
    Validate(rules::ValidateArgs),
    /// A province's monthly report text (Art. 20): file, show, or list who is missing
    Text(text::TextArgs),
    /// Return a child unit's (or a directly supervised school's) submitted period, with a due time
    Return(review::ReturnArgs),
    /// Ratify (审定) your unit's submitted period (inspector)
    Ratify(review::RatifyArgs),
    /// Print the reporting windows and deadlines of a period, in China Standard Time (Art. 17)
    Calendar(CalendarArgs),
    /// How every unit of a level reported over a range: expected, submitted, on time, automatic,
    /// returned, withdrawn, schools confirmed, own figures, warnings, staffing, ratified, urged
    Timeliness(evaluation::TimelinessArgs),
    /// The 通报: every unit ranked by a composite score, the units to name and why, the best, the
    /// change since the previous range (Markdown, HTML with charts, or CSV)
    Bulletin(evaluation::BulletinArgs),
    /// An indicator or a rate per unit, month by month, over a range: a sparkline per row, a line
    /// chart with --chart
    Trend(trend::TrendArgs),
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The period reported, YYYY-MM [default: last month]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

pub fn cmd_report(ctx: &mut Ctx, command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Indicators(a) => data::indicators(ctx, a),
        ReportCommand::Rules(a) => rules::rules(ctx, a),
        ReportCommand::Set(a) => data::set(ctx, a),
        ReportCommand::Confirm(a) => data::confirm(ctx, a),
        ReportCommand::Show(a) => data::show(ctx, a),
        ReportCommand::Import(a) => io::import(ctx, a),
        ReportCommand::Export(a) => io::export(ctx, a),
        ReportCommand::Status(a) => status::status(ctx, a),
        ReportCommand::Missing(a) => status::missing(ctx, a),
        ReportCommand::Validate(a) => rules::validate(ctx, a),
        ReportCommand::Text(a) => text::text(ctx, a),
        ReportCommand::Return(a) => review::cmd_return(ctx, a),
        ReportCommand::Ratify(a) => review::cmd_ratify(ctx, a),
        ReportCommand::Calendar(a) => cmd_calendar(ctx, a),
        ReportCommand::Timeliness(a) => evaluation::timeliness(ctx, a),
        ReportCommand::Bulletin(a) => evaluation::bulletin(ctx, a),
        ReportCommand::Trend(a) => trend::trend(ctx, a),
    }
}

/// "Now" for a command that needs no sign-in: the database's clock if there is a database
/// (so the test-clock rule holds), else the real time, with `EIP_NOW` refused.
fn now_without_sign_in(ctx: &mut Ctx) -> Result<chrono::DateTime<chrono::Utc>> {
    if ctx.db_path.exists() || crate::store::pg::is_url(&ctx.db_path) {
        return Ok(ctx.db()?.now);
    }
    if std::env::var("EIP_NOW").is_ok_and(|v| !v.is_empty()) {
        return Err(Error::new(Kind::Denied, tf("clock.no_db", &[("path", &ctx.db_path.display())]))
            .hint(t("clock.refused.hint"))
            .into());
    }
    Ok(chrono::Utc::now())
}

fn cmd_calendar(ctx: &mut Ctx, a: CalendarArgs) -> Result<()> {
    let out = ctx.out.clone();
    let period = match a.period {
        Some(p) => p,
        None => calendar::reporting_period(now_without_sign_in(ctx)?),
    };
    out.status(&tf("calendar.period_used", &[("period", &period)]));
    let mut rows = Vec::new();
    for level in [Level::County, Level::Prefecture, Level::Province] {
        let w = calendar::window_for(level, period).ok_or_else(|| error::Error::new(Kind::Other, "no window"))?;
        let (opens, closes) = if out.is_machine() {
            (calendar::rfc3339_cst(w.opens), calendar::rfc3339_cst(w.closes))
        } else {
            (
                format!("{} {}", calendar::show_cst(w.opens, false), t("cst")),
                format!("{} {}", calendar::show_cst(w.closes, true), t("cst")),
            )
        };
        rows.push(vec![
            out.word(level.as_str(), level.label()),
            Cell::from(period.to_string()),
            Cell::from(opens),
            Cell::from(closes),
        ]);
    }
    out.list(
        &[("level", "col.level"), ("period", "col.period"), ("opens", "col.opens"), ("deadline", "col.deadline")],
        &rows,
    )
}
