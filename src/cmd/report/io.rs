//! `eip report export | import`: monthly values, long or wide, and unit aggregates.

use clap::{Args, ValueEnum};

use crate::aggregate::{self, Agg, RATE_NAMES};
use crate::calendar::Period;
use crate::context::Ctx;
use crate::csvio::{Column, Columns, ExportWriter};
use crate::error::Result;
use crate::i18n::{t, tf};
use crate::import::Change;
use crate::model::Level;
use crate::output::Cell;
use crate::progress::Progress;
use crate::rules;
use crate::scope;
use crate::values::{self, Indicator, ValueChange};

use super::super::{ExportFile, ImportFile};
use crate::cmd::parse_period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    Wide,
    Long,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Headers {
    Code,
    Zh,
}

fn parse_export_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| tf("unit.bad_level", &[("value", &s)]))
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// YYYY-MM, or a range YYYY-MM..YYYY-MM (each month's rows in turn)
    /// [default: the oldest period still open for writing]
    #[arg(long, value_parser = crate::cmd::parse_range, value_name = "YYYY-MM")]
    pub period: Option<crate::model::PeriodRange>,
    /// school (each school's values) or a unit level (each unit's aggregate) [default: school]
    #[arg(long, value_parser = parse_export_level, value_name = "LEVEL")]
    pub level: Option<Level>,
    /// wide: one row per org; long: one row per org and indicator
    #[arg(long, value_enum, default_value = "wide")]
    pub layout: Layout,
    /// Column headers: indicator codes, or their Chinese names
    #[arg(long, value_enum, default_value = "code")]
    pub headers: Headers,
    #[command(flatten)]
    pub csv: ExportFile,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub csv: ImportFile,
    /// The period of rows that do not name one (and the only period accepted)
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
}

/// A number for a file: whole numbers without a decimal point.
fn num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{}", (f * 10_000.0).round() / 10_000.0)
    }
}

/// The aggregate's fields, in column order: (code, Chinese header, value).
fn agg_fields(a: &Agg, cat: &[Indicator]) -> Vec<(String, String, String)> {
    let mut f: Vec<(String, String, String)> = vec![
        ("schools_expected".into(), "应报学校数".into(), a.schools_expected.to_string()),
        ("schools_reported".into(), "已报学校数".into(), a.schools_reported.to_string()),
        ("schools_confirmed".into(), "已确认学校数".into(), a.schools_confirmed.to_string()),
        ("teaching_points_expected".into(), "应报教学点数".into(), a.teaching_points_expected.to_string()),
        ("teaching_points_reported".into(), "已报教学点数".into(), a.teaching_points_reported.to_string()),
    ];
    for i in cat.iter().filter(|i| i.filled_by != "unit") {
        let v = match i.kind.as_str() {
            "count" | "decimal" => a.sums.get(&i.code).map(|s| num(*s)),
            "bool" => Some(a.yes.get(&i.code).copied().unwrap_or(0).to_string()),
            _ => None,
        };
        if i.kind != "text" {
            f.push((i.code.clone(), i.name_zh.clone(), v.unwrap_or_default()));
        }
    }
    for i in cat.iter().filter(|i| i.filled_by == "unit") {
        f.push((i.code.clone(), i.name_zh.clone(), a.own.get(&i.code).cloned().unwrap_or_default()));
    }
    let rates = a.rates();
    for (code, zh) in RATE_NAMES {
        f.push((code.into(), zh.into(), rates.get(code).map(num).unwrap_or_default()));
    }
    f
}

/// The header of the flags column: how many plausibility flags the row's values raise (a school's
/// own, a unit's whole subtree's).
fn flags_header(zh: bool) -> &'static str {
    if zh {
        "校验提示数"
    } else {
        "flags"
    }
}

/// A workbook's columns: the first `text` (codes, names, level, period) text, the figures after
/// them numbers — each a number cell when it is one, a text value staying text.
fn figure_columns(text: usize, all: usize) -> Vec<Column> {
    (0..all).map(|i| if i < text { Column::Text } else { Column::Number }).collect()
}

fn fixed_headers(zh: bool) -> Vec<&'static str> {
    if zh {
        vec!["代码", "名称", "级别", "月份"]
    } else {
        vec!["org", "name", "level", "period"]
    }
}

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    let root = scope::under(&db.conn, &actor, a.csv.under.as_deref())?;
    let months = super::data::months_for(&out, db, &root, a.period)?;
    let cat = values::catalogue(&db.conn)?;
    let zh = a.headers == Headers::Zh;
    let level = a.level.unwrap_or(Level::School);
    if crate::cmd::export::as_rows(&out, &a.csv)? {
        return export_rows(&out, db, &root, &months, &cat, level, a.layout);
    }
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    let long_header = if zh { ["代码", "月份", "指标", "值"] } else { ["org", "period", "indicator", "value"] };
    if level == Level::School {
        let inds: Vec<&Indicator> = cat.iter().filter(|i| i.filled_by != "unit").collect();
        if a.layout == Layout::Wide {
            let mut h: Vec<String> = fixed_headers(zh).into_iter().map(str::to_string).collect();
            h.extend(inds.iter().map(|i| if zh { i.name_zh.clone() } else { i.code.clone() }));
            h.push(flags_header(zh).to_string());
            w.columns(figure_columns(fixed_headers(zh).len(), h.len()));
            w.record(&h)?;
        } else {
            w.columns(figure_columns(3, 4));
            w.record(long_header)?;
        }
        for period in months {
            let p = period.to_string();
            // Each school's plausibility flags, read once; the wide layout shows how
            // many beside its values (the long one is the values alone).
            let flags = if a.layout == Layout::Wide {
                rules::counts_per_org(&db.conn, &root, period)?
            } else {
                Default::default()
            };
            let mut failed = None;
            aggregate::for_each_school(&db.conn, &root, period, |s| {
                if failed.is_some() {
                    return;
                }
                let r = if a.layout == Layout::Wide {
                    let mut row = vec![s.code.clone(), s.name.clone(), "school".to_string(), p.clone()];
                    row.extend(inds.iter().map(|i| s.values.get(&i.code).cloned().unwrap_or_default()));
                    row.push(flags.get(&s.path).copied().unwrap_or(0).to_string());
                    w.record(&row)
                } else {
                    inds.iter().filter_map(|i| s.values.get(&i.code).map(|v| (i, v))).try_for_each(|(i, v)| {
                        w.record([s.code.as_str(), p.as_str(), if zh { &i.name_zh } else { &i.code }, v.as_str()])
                    })
                };
                if let Err(e) = r {
                    failed = Some(e);
                }
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        return w.finish();
    }
    let units = crate::units::at_level(&db.conn, &root, level)?;
    let empty = Agg::default();
    let sample = agg_fields(&empty, &cat);
    if a.layout == Layout::Wide {
        let mut h: Vec<String> = fixed_headers(zh).into_iter().map(str::to_string).collect();
        h.extend(sample.iter().map(|(c, z, _)| if zh { z.clone() } else { c.clone() }));
        h.push(flags_header(zh).to_string());
        w.columns(figure_columns(fixed_headers(zh).len(), h.len()));
        w.record(&h)?;
    } else {
        w.columns(figure_columns(3, 4));
        w.record(long_header)?;
    }
    let paths: Vec<&str> = units.iter().map(|u| u.path.as_str()).collect();
    for period in months {
        let p = period.to_string();
        // Unit aggregates of one level, all computed in one pass over the subtree; the
        // plausibility flags under each unit in one query: the last field.
        let aggs = aggregate::aggregate(&db.conn, &root, period, &cat)?;
        let flags = rules::counts_by(&db.conn, &root, &paths, period)?;
        for u in &units {
            let agg = aggs.get(&u.code).unwrap_or(&empty);
            let mut fields = agg_fields(agg, &cat);
            let n = flags.get(&u.path).copied().unwrap_or(0);
            fields.push(("flags".into(), flags_header(true).into(), n.to_string()));
            if a.layout == Layout::Wide {
                let mut row = vec![u.code.clone(), u.name.clone(), u.level.as_str().to_string(), p.clone()];
                row.extend(fields.into_iter().map(|(_, _, v)| v));
                w.record(&row)?;
            } else {
                for (c, z, v) in fields.into_iter().filter(|(_, _, v)| !v.is_empty()) {
                    w.record([u.code.as_str(), p.as_str(), if zh { z.as_str() } else { c.as_str() }, v.as_str()])?;
                }
            }
        }
    }
    w.finish()
}

/// A stored value as a cell of its kind: a number, yes or no, or text.
fn typed(kind: &str, v: &str) -> Cell {
    if v.is_empty() {
        return Cell::Null;
    }
    match kind {
        "count" => v.parse().map_or_else(|_| Cell::from(v), Cell::Int),
        "decimal" => v.parse().map_or_else(|_| Cell::from(v), Cell::Float),
        "bool" if v == "1" || v == "0" => Cell::Bool(v == "1"),
        _ => Cell::from(v),
    }
}

/// An indicator's name in the reader's language.
fn ind_name(i: &Indicator) -> String {
    if crate::i18n::lang() == crate::i18n::Lang::Zh {
        i.name_zh.clone()
    } else {
        i.name_en.clone()
    }
}

/// `report export` for a person or a program (a table, TSV, JSON): the same rows as the
/// interchange CSV, each value typed, rates as percentages in a table and fractions otherwise,
/// the headers in the reader's language and the keys the CSV's codes.
fn export_rows(
    out: &crate::output::Out,
    db: &crate::db::Db,
    root: &crate::model::Org,
    months: &[Period],
    cat: &[Indicator],
    level: Level,
    layout: Layout,
) -> Result<()> {
    let col = |k: &str, h: &'static str| (k.to_string(), t(h).to_string());
    let mut columns = vec![col("org", "col.code")];
    let long = layout == Layout::Long;
    if long {
        columns.extend([col("period", "col.period"), col("indicator", "col.indicator"), col("value", "col.value")]);
    } else {
        columns.extend([col("name", "col.name"), col("level", "col.level"), col("period", "col.period")]);
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    if level == Level::School {
        let inds: Vec<&Indicator> = cat.iter().filter(|i| i.filled_by != "unit").collect();
        if !long {
            columns.extend(inds.iter().map(|i| (i.code.clone(), ind_name(i))));
            columns.push(col("flags", "col.flags"));
        }
        for &period in months {
            let p = period.to_string();
            let flags = if long { Default::default() } else { rules::counts_per_org(&db.conn, root, period)? };
            aggregate::for_each_school(&db.conn, root, period, |s| {
                if long {
                    for i in &inds {
                        if let Some(v) = s.values.get(&i.code) {
                            rows.push(vec![
                                Cell::from(&s.code),
                                Cell::from(&p),
                                out.word(&i.code, &ind_name(i)),
                                typed(&i.kind, v),
                            ]);
                        }
                    }
                } else {
                    let mut row = vec![
                        Cell::from(&s.code),
                        Cell::from(&s.name),
                        out.word("school", Level::School.label()),
                        Cell::from(&p),
                    ];
                    row.extend(inds.iter().map(|i| s.values.get(&i.code).map_or(Cell::Null, |v| typed(&i.kind, v))));
                    row.push(Cell::Int(flags.get(&s.path).copied().unwrap_or(0)));
                    rows.push(row);
                }
            })?;
        }
        return out.list_named(&columns, &rows);
    }
    let units = crate::units::at_level(&db.conn, root, level)?;
    let empty = Agg::default();
    let header = |code: &str, zh: &str| -> String {
        if crate::i18n::lang() == crate::i18n::Lang::Zh {
            zh.to_string()
        } else {
            cat.iter().find(|i| i.code == code).map_or_else(
                || {
                    let words = code.replace('_', " ");
                    let mut c = words.chars();
                    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
                },
                |i| i.name_en.clone(),
            )
        }
    };
    if !long {
        columns.extend(agg_fields(&empty, cat).iter().map(|(c, z, _)| (c.clone(), header(c, z))));
        columns.push(col("flags", "col.flags"));
    }
    let paths: Vec<&str> = units.iter().map(|u| u.path.as_str()).collect();
    let cell = |code: &str, v: &str| -> Cell {
        if RATE_NAMES.iter().any(|(c, _)| *c == code) {
            return super::evaluation::rate(out, v.parse().ok());
        }
        match cat.iter().find(|i| i.code == code) {
            Some(i) if i.filled_by == "unit" => typed(&i.kind, v),
            _ if v.is_empty() => Cell::Null,
            _ => v
                .parse::<i64>()
                .map(Cell::Int)
                .or_else(|_| v.parse::<f64>().map(Cell::Float))
                .unwrap_or_else(|_| Cell::from(v)),
        }
    };
    for &period in months {
        let p = period.to_string();
        let aggs = aggregate::aggregate(&db.conn, root, period, cat)?;
        let flags = rules::counts_by(&db.conn, root, &paths, period)?;
        for u in &units {
            let agg = aggs.get(&u.code).unwrap_or(&empty);
            let mut fields = agg_fields(agg, cat);
            fields.push(("flags".into(), t("col.flags").into(), flags.get(&u.path).copied().unwrap_or(0).to_string()));
            if long {
                for (c, z, v) in fields.into_iter().filter(|(_, _, v)| !v.is_empty()) {
                    let name = if c == "flags" { z } else { header(&c, &z) };
                    rows.push(vec![Cell::from(&u.code), Cell::from(&p), out.word(&c, &name), cell(&c, &v)]);
                }
            } else {
                let mut row = vec![
                    Cell::from(&u.code),
                    Cell::from(&u.name),
                    out.word(u.level.as_str(), u.level.label()),
                    Cell::from(&p),
                ];
                row.extend(fields.iter().map(|(c, _, v)| cell(c, v)));
                rows.push(row);
            }
        }
    }
    out.list_named(&columns, &rows)
}

pub fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let sheet = a.csv.rows(|h| Columns::find(h, values::FILE_COLUMNS).has("org"), "org")?;
    let (_, actor) = ctx.signed_in()?;
    // Only an admin imports values (for its unit and the schools it supervises): said once, before
    // the cycle is brought up to now.
    values::may_import(&actor)?;
    let (db, actor) = ctx.current()?;
    // The import pipeline's steps (docs/ARCHITECTURE.md, "One import pipeline"), by hand: this
    // file's preview has no change column and keeps the plan's order, its summary counts values,
    // and applying writes every checked value (changed or not), one org-period at a time.
    // TODO(merge): import::run, once ImportPlan and Change can say all of that.
    let (plan, writes) = values::plan_import(&db.conn, &actor, &sheet, a.period, db.now)?;
    plan.review(&sheet, false, a.csv.rejects.as_deref(), &out)?;
    let summary = values::import_summary(&plan);
    if a.csv.dry_run {
        let mut columns = vec![("line", "col.line")];
        columns.extend_from_slice(ValueChange::COLUMNS);
        let rows: Vec<Vec<Cell>> = plan
            .changes
            .iter()
            .map(|c| {
                let mut row = vec![Cell::Int(c.line() as i64)];
                row.extend(c.cells(&out));
                row
            })
            .collect();
        out.list(&columns, &rows)?;
        out.status(&summary);
        out.status(t("csv.dry_run"));
        return Ok(());
    }
    let mut progress = Progress::new(writes.len() as u64, out.quiet);
    db.write(&actor.audit_actor(), |tx| values::apply_import(tx, &actor, &writes, &mut || progress.inc()))?;
    progress.finish();
    out.status(&summary);
    Ok(())
}
