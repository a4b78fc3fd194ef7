//! `eip report trend`: one indicator or rate per unit, month by month.

use std::io::Write;

use clap::Args;

use crate::chart::{self, Axis, Series};
use crate::cmd::{parse_level, parse_range};
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::facts;
use crate::i18n::{t, tf};
use crate::model::{Level, PeriodRange};
use crate::output::Cell;
use crate::trend::{self, Measure};

/// The most lines a chart draws: more cannot be told apart.
pub const CHART_LINES: usize = 12;

#[derive(Debug, Args)]
#[command(
    after_help = "The rates: internet_access_rate, bandwidth_10m_share, multimedia_coverage, teacher_space_rate, \
student_space_rate, teaching_point_ready_share. A monthly figure (a flow: funding, trained_persons, \
policy_documents) adds up over the range; any other stands as it is at the range's end."
)]
pub struct TrendArgs {
    /// The indicator followed (its code; `eip report indicators` lists them)
    #[arg(long, value_name = "CODE", conflicts_with = "rate", required_unless_present = "rate")]
    pub indicator: Option<String>,
    /// The derived rate followed (its code or its Chinese name)
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// YYYY-MM..YYYY-MM (at most 36 months, none in the future)
    #[arg(long, value_parser = parse_range, value_name = "RANGE")]
    pub period: PeriodRange,
    /// The unit whose units to follow [default: your own]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// The level of the units followed, or school [default: the level below --under; a county's schools]
    #[arg(long, value_parser = parse_level, value_name = "LEVEL")]
    pub level: Option<Level>,
    /// Also draw a line chart into this SVG file (at most 12 units: narrow with --under)
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<std::path::PathBuf>,
}

/// The chart file, checked before anything is read: an SVG.
fn chart_path(p: &std::path::Path) -> Result<()> {
    match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(()),
        Some("png") => Err(error::usage(tf("trend.png", &[("file", &p.display())])).hint(t("trend.png.hint")).into()),
        _ => Err(error::usage(tf("trend.bad_chart", &[("file", &p.display())])).into()),
    }
}

pub fn trend(ctx: &mut Ctx, a: TrendArgs) -> Result<()> {
    let out = ctx.out.clone();
    if let Some(p) = &a.chart {
        chart_path(p)?;
    }
    let (db, actor) = ctx.current()?;
    let range = facts::check_range(a.period, db.now)?;
    let catalogue = crate::indicators::catalogue(&db.conn)?;
    let measure = Measure::pick(&catalogue, a.indicator.as_deref(), a.rate.as_deref())?;
    let (root, level) = facts::units_or_schools(&db.conn, &actor, a.under.as_deref(), a.level)?;
    let (periods, rows) = trend::trend(&db.conn, &root, level, range, &measure, &catalogue)?;
    out.status(&tf(
        "trend.headline",
        &[
            ("measure", &measure.code()),
            ("range", &range),
            ("root", &root.code),
            ("level", &level.label()),
            ("units", &rows.len()),
        ],
    ));
    let value = |v: Option<f64>| -> Cell {
        match v {
            None => Cell::Null,
            Some(v) if measure.is_rate() && !out.is_machine() => Cell::from(format!("{:.1}%", v * 100.0)),
            Some(v) if measure.is_rate() => Cell::Float(v),
            Some(v) => Cell::from(chart::number(v)),
        }
    };
    // The months are the columns; their names live as long as the command.
    let months: Vec<&'static str> = periods.iter().map(|p| &*Box::leak(p.to_string().into_boxed_str())).collect();
    let mut columns: Vec<(&'static str, &'static str)> = vec![("code", "col.code"), ("name", "col.name")];
    columns.extend(months.iter().map(|m| (*m, *m)));
    columns.push(if measure.is_flow() { ("total", "col.trend_total") } else { ("latest", "col.trend_latest") });
    let sparklines = !out.is_machine();
    if sparklines {
        columns.push(("trend", "col.trend"));
    }
    let table: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::from(&r.unit.code), Cell::from(&r.unit.name)];
            row.extend(r.values.iter().map(|v| value(*v)));
            row.push(value(r.over(&measure)));
            if sparklines {
                row.push(Cell::from(trend::sparkline(&r.values)));
            }
            row
        })
        .collect();
    out.list(&columns, &table)?;
    if let Some(p) = &a.chart {
        let drawn: Vec<Series> = rows
            .iter()
            .take(CHART_LINES)
            .map(|r| Series { name: format!("{} {}", r.unit.code, r.unit.name), values: r.values.clone() })
            .collect();
        if rows.len() > CHART_LINES {
            out.warn(&tf("trend.chart_cut", &[("shown", &CHART_LINES), ("units", &rows.len())]));
        }
        let x: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        let title = tf("trend.chart_title", &[("measure", &measure.label()), ("root", &root.name), ("range", &range)]);
        let svg = chart::line_chart(&title, &x, &drawn, if measure.is_rate() { Axis::Percent } else { Axis::Number })?;
        let mut f = crate::files::create_private(p, crate::files::Existing::Replace)?;
        f.write_all(svg.as_bytes())?;
        out.status(&tf("trend.chart_written", &[("file", &p.display()), ("lines", &drawn.len())]));
    }
    Ok(())
}
