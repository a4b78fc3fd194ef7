//! `eip report timeliness`: how every unit of a level reported over a range of
//! periods — DHIS2's reporting-rate summary (expected, submitted, on time, rates) extended with
//! eip's facts as they were at each deadline.

use clap::Args;

use crate::context::Ctx;
use crate::error::Result;
use crate::evaluation::Summary;
use crate::facts;
use crate::i18n::tf;
use crate::model::{Level, PeriodRange};
use crate::output::{Cell, Out};

use crate::cmd::{parse_level, parse_range};

#[derive(Debug, Args)]
pub struct TimelinessArgs {
    /// YYYY-MM or YYYY-MM..YYYY-MM (at most 36 months, none in the future)
    #[arg(long, value_parser = parse_range, value_name = "RANGE")]
    pub period: PeriodRange,
    /// The unit whose units to report on [default: your own]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// The level of the units reported on [default: the level below --under]
    #[arg(long, value_parser = parse_level, value_name = "LEVEL")]
    pub level: Option<Level>,
}

/// A rate: a percentage in a table, a fraction in a machine format.
pub fn rate(out: &Out, r: Option<f64>) -> Cell {
    match r {
        None => Cell::Null,
        Some(r) if out.is_machine() => Cell::Float((r * 10_000.0).round() / 10_000.0),
        Some(r) => Cell::from(format!("{:.1}%", r * 100.0)),
    }
}

/// "x of y" in a table, x in a machine format (its own column holds y).
fn of(out: &Out, n: i64, d: i64) -> Cell {
    if out.is_machine() {
        Cell::Int(n)
    } else {
        Cell::from(format!("{n}/{d}"))
    }
}

pub fn timeliness(ctx: &mut Ctx, a: TimelinessArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let range = facts::check_range(a.period, db.now)?;
    let (root, level) = facts::units(&db.conn, &actor, a.under.as_deref(), a.level)?;
    let all = facts::facts(&db.conn, &root, level, range, db.now)?;
    let summaries: Vec<Summary> = all.iter().map(Summary::of).collect();
    let total = Summary::total(&summaries, root.clone());
    out.status(&tf(
        "timeliness.headline",
        &[
            ("range", &range),
            ("root", &root.code),
            ("level", &level.label()),
            ("units", &summaries.len()),
            ("expected", &total.expected),
            ("submitted", &total.submitted),
            ("on_time", &total.on_time),
            ("auto", &total.auto),
        ],
    ));
    let provinces = level == Level::Province;
    let mut columns = vec![
        ("code", "col.code"),
        ("name", "col.name"),
        ("expected", "col.expected_reports"),
        ("submitted", "col.submitted_reports"),
        ("on_time", "col.on_time"),
        ("auto_submitted", "col.auto_submitted"),
        ("reporting_rate", "col.reporting_rate"),
        ("on_time_rate", "col.on_time_rate"),
        ("returned", "col.returned"),
        ("withdrawn", "col.withdrawn"),
        ("resubmitted_in_due", "col.resubmitted_in_due"),
        ("schools_expected", "col.schools_expected"),
        ("schools_confirmed", "col.schools_confirmed_on_time"),
        ("school_confirmation_rate", "col.school_confirmation_rate"),
        ("own_figures", "col.own_figures"),
        ("flags", "col.flags_passed_on"),
        ("staffed", "col.staffed"),
        ("schools_with_admin", "col.schools_with_admin"),
        ("ratified", "col.ratified"),
        ("urged", "col.urged"),
    ];
    if provinces {
        columns.extend([
            ("text_on_time", "col.text_on_time"),
            ("text_late", "col.text_late"),
            ("text_missing", "col.text_missing"),
        ]);
    }
    let rows: Vec<Vec<Cell>> = summaries
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::from(&s.unit.code),
                Cell::from(&s.unit.name),
                Cell::Int(s.expected),
                Cell::Int(s.submitted),
                Cell::Int(s.on_time),
                Cell::Int(s.auto),
                rate(&out, s.reporting_rate()),
                rate(&out, s.on_time_rate()),
                Cell::Int(s.returned),
                Cell::Int(s.withdrawn),
                Cell::Int(s.resubmitted_in_due),
                Cell::Int(s.schools_expected),
                Cell::Int(s.schools_confirmed),
                rate(&out, s.school_confirmation_rate()),
                of(&out, s.own_done, s.own_known),
                if s.flags_known > 0 { Cell::Int(s.flags) } else { Cell::Null },
                of(&out, s.staffed, s.staff_known),
                Cell::Int(s.schools_with_admin),
                Cell::Int(s.ratified),
                Cell::Int(s.urged),
            ];
            if provinces {
                row.extend([Cell::Int(s.text_on_time), Cell::Int(s.text_late), Cell::Int(s.text_missing)]);
            }
            row
        })
        .collect();
    out.list(&columns, &rows)
}

#[derive(Debug, Args)]
#[command(
    after_help = "A weights file holds one `name = percent` a line: timeliness, schools, quality, staffing (or 及时性, 学校确认, 数据质量, 人员配备)."
)]
pub struct BulletinArgs {
    /// YYYY-MM or YYYY-MM..YYYY-MM (at most 36 months, none in the future)
    #[arg(long, value_parser = parse_range, value_name = "RANGE")]
    pub period: PeriodRange,
    /// The unit whose units the bulletin is about [default: your own]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
    /// The level of the units ranked [default: the level below --under]
    #[arg(long, value_parser = parse_level, value_name = "LEVEL")]
    pub level: Option<Level>,
    /// The weights of the composite score [default: timeliness 40, schools 30, quality 15, staffing 15]
    #[arg(long, value_name = "FILE")]
    pub weights: Option<std::path::PathBuf>,
    /// The date by which the units named correct their reporting (a date is its 24:00 CST)
    #[arg(long, value_name = "DATE")]
    pub correct_by: Option<String>,
    /// Write to this file: .md, .html, .csv or .xlsx [default: Markdown on standard output]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// The documents a bulletin is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    Markdown,
    Html,
    Csv,
    /// The CSV's table as an Excel workbook (README, "Excel workbooks").
    Workbook,
}

fn document(path: Option<&std::path::Path>) -> Result<Document> {
    let Some(p) = path.filter(|p| p.as_os_str() != "-") else { return Ok(Document::Markdown) };
    match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("md" | "markdown") => Ok(Document::Markdown),
        Some("html" | "htm") => Ok(Document::Html),
        Some("csv") => Ok(Document::Csv),
        Some("xlsx") => Ok(Document::Workbook),
        _ => Err(crate::error::usage(tf("bulletin.bad_output", &[("file", &p.display())])).into()),
    }
}

pub fn bulletin(ctx: &mut Ctx, a: BulletinArgs) -> Result<()> {
    use std::io::Write;
    let out = ctx.out.clone();
    let doc = document(a.output.as_deref())?;
    let lang_given = ctx.lang_given;
    let weights = match &a.weights {
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| crate::error::invalid(tf("weights.unreadable", &[("file", &f.display()), ("why", &e)])))?;
            crate::evaluation::Weights::parse(&f.display().to_string(), &text)?
        }
        None => crate::evaluation::Weights::default(),
    };
    let correct_by = a
        .correct_by
        .as_deref()
        .map(|d| {
            crate::calendar::parse_user_time(d)
                .map(|t| if d.trim().len() == 10 { t + chrono::Duration::days(1) } else { t })
                .ok_or_else(|| crate::error::usage(tf("bulletin.bad_date", &[("value", &d)])))
        })
        .transpose()?;
    let (db, actor) = ctx.current()?;
    let range = facts::check_range(a.period, db.now)?;
    let (root, level) = facts::units(&db.conn, &actor, a.under.as_deref(), a.level)?;
    let b = crate::bulletin::build(&db.conn, &root, level, range, weights, correct_by, db.now)?;
    // The 通报 is a Chinese document: Chinese unless --lang says otherwise.
    if !lang_given {
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
    }
    if let (Document::Workbook, Some(p)) = (doc, a.output.as_deref()) {
        let mut w = crate::csvio::ExportWriter::create(Some(p), crate::csvio::Encoding::Utf8)?;
        let text = crate::bulletin::csv::TEXT_COLUMNS;
        let columns = (0..crate::bulletin::csv::HEADER.len())
            .map(|i| if text.contains(&i) { crate::csvio::Column::Text } else { crate::csvio::Column::Figure })
            .collect();
        w.columns(columns);
        w.record(crate::bulletin::csv::HEADER)?;
        for row in crate::bulletin::csv::rows(&b) {
            w.record(&row)?;
        }
        // Excel's own charts, as the HTML document draws them: the ranking beside the table, the
        // reporting month by month on a sheet of its own.
        if let Some(book) = w.book() {
            let col = |name: &str| crate::bulletin::csv::HEADER.iter().position(|h| *h == name).map(|i| i as u16);
            if let (Some(name), Some(score)) = (col("name"), col("score")) {
                book.bar_chart(crate::i18n::t("bulletin.chart.ranking"), name, score, 100.0)?;
            }
            let months: Vec<(String, Vec<Option<f64>>)> =
                b.by_period.iter().map(|(p, rate, on_time)| (p.to_string(), vec![*rate, *on_time])).collect();
            book.line_sheet(
                crate::i18n::t("bulletin.sheet.months"),
                crate::i18n::t("bulletin.chart.timeliness"),
                &[
                    crate::i18n::t("col.period"),
                    crate::i18n::t("bulletin.series.reporting"),
                    crate::i18n::t("bulletin.series.on_time"),
                ],
                &months,
            )?;
        }
        w.finish()?;
        out.status(&tf(
            "bulletin.written",
            &[("file", &p.display()), ("units", &b.lines.len()), ("named", &b.named().count())],
        ));
        return Ok(());
    }
    let bytes = match doc {
        Document::Markdown => crate::bulletin::markdown::render(&b).into_bytes(),
        // A workbook was written above; this arm is never reached with one.
        Document::Csv | Document::Workbook => {
            let mut v = b"\xEF\xBB\xBF".to_vec();
            v.extend(crate::bulletin::csv::render(&b)?);
            v
        }
        Document::Html => crate::bulletin::html::render(&b)?.into_bytes(),
    };
    match a.output.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let mut f = crate::files::create_private(p, crate::files::Existing::Replace)?;
            f.write_all(&bytes)?;
            out.status(&tf(
                "bulletin.written",
                &[("file", &p.display()), ("units", &b.lines.len()), ("named", &b.named().count())],
            ));
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
