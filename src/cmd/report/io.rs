//! `eip report export | import` (SPEC §5.3): monthly values, long or wide, and unit aggregates.

use std::collections::BTreeMap;

use clap::{Args, ValueEnum};

use crate::aggregate::{self, Agg, RATE_NAMES};
use crate::calendar::Period;
use crate::context::Ctx;
use crate::csvio::{self, Columns, ExportWriter, RowError};
use crate::error::{self, Result};
use crate::hierarchy::{self, Level, Org};
use crate::i18n::{t, tf};
use crate::output::Cell;
use crate::progress::Progress;
use crate::values::{self, Indicator, Target};

use super::super::{ExportFile, ImportFile};
use super::data::period_for;
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
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
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

fn fixed_headers(zh: bool) -> Vec<&'static str> {
    if zh {
        vec!["代码", "名称", "级别", "月份"]
    } else {
        vec!["org", "name", "level", "period"]
    }
}

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    crate::submission::catch_up(db)?;
    let root = match &a.csv.under {
        Some(c) => hierarchy::unit_in_scope(&db.conn, actor.scope(), c.trim())?,
        None => actor.scope().clone(),
    };
    let period = period_for(&out, db, &root, a.period)?;
    let cat = values::catalogue(&db.conn)?;
    let zh = a.headers == Headers::Zh;
    let level = a.level.unwrap_or(Level::School);
    let mut w = ExportWriter::create(a.csv.output.as_deref(), a.csv.encoding)?;
    let p = period.to_string();
    if level == Level::School {
        let inds: Vec<&Indicator> = cat.iter().filter(|i| i.filled_by != "unit").collect();
        if a.layout == Layout::Wide {
            let mut h: Vec<String> = fixed_headers(zh).into_iter().map(str::to_string).collect();
            h.extend(inds.iter().map(|i| if zh { i.name_zh.clone() } else { i.code.clone() }));
            w.record(&h)?;
        } else {
            w.record(if zh { ["代码", "月份", "指标", "值"] } else { ["org", "period", "indicator", "value"] })?;
        }
        let mut failed = None;
        aggregate::for_each_school(&db.conn, &root, period, |s| {
            if failed.is_some() {
                return;
            }
            let r = if a.layout == Layout::Wide {
                let mut row = vec![s.code.clone(), s.name.clone(), "school".to_string(), p.clone()];
                row.extend(inds.iter().map(|i| s.values.get(&i.code).cloned().unwrap_or_default()));
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
        return w.finish();
    }
    // Unit aggregates of one level, all computed in one pass over the subtree.
    let aggs = aggregate::aggregate(&db.conn, &root, period, &cat)?;
    let (lo, hi) = root.subtree();
    let mut stmt = db.conn.prepare(&format!(
        "SELECT {} FROM org o LEFT JOIN org p ON p.id = o.parent_id
         WHERE o.path >= ?1 AND o.path < ?2 AND o.level = ?3 ORDER BY o.path",
        hierarchy::ORG_COLUMNS
    ))?;
    let units: Vec<Org> = stmt
        .query_map(rusqlite::params![lo, hi, level.as_str()], hierarchy::org_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let empty = Agg::default();
    let sample = agg_fields(&empty, &cat);
    if a.layout == Layout::Wide {
        let mut h: Vec<String> = fixed_headers(zh).into_iter().map(str::to_string).collect();
        h.extend(sample.iter().map(|(c, z, _)| if zh { z.clone() } else { c.clone() }));
        w.record(&h)?;
    } else {
        w.record(if zh { ["代码", "月份", "指标", "值"] } else { ["org", "period", "indicator", "value"] })?;
    }
    for u in &units {
        let agg = aggs.get(&u.code).unwrap_or(&empty);
        let fields = agg_fields(agg, &cat);
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
    w.finish()
}

/// A checked value of an import: the indicator, the canonical value, and its line.
type Checked = (Indicator, String, u64);

/// Columns of a values file that are not indicators.
const FIXED: &[(&str, &[&str])] = &[
    ("org", &["org", "代码", "code"]),
    ("name", &["name", "名称"]),
    ("level", &["level", "级别"]),
    ("period", &["period", "月份"]),
    ("indicator", &["indicator", "指标"]),
    ("value", &["value", "值"]),
];

pub fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    let out = ctx.out.clone();
    let sheet = a.csv.rows(|h| Columns::find(h, FIXED).has("org"), "org")?;
    let (db, actor) = ctx.signed_in()?;
    // Only an admin imports values (for its unit and the schools it supervises): say so once.
    crate::perm::require(&actor, crate::perm::Action::ReportImport, &actor.org)?;
    crate::submission::catch_up(db)?;
    let cat = values::catalogue(&db.conn)?;
    let cols = Columns::find(&sheet.headers, FIXED);
    let long = cols.has("indicator") && cols.has("value");
    // Wide: every other column must be an indicator (a misspelt header is not silently dropped).
    let mut wide_cols: Vec<(usize, &Indicator)> = Vec::new();
    if !long {
        let fixed: Vec<&str> = FIXED.iter().flat_map(|(_, names)| names.iter().copied()).collect();
        let mut unknown = Vec::new();
        for (i, h) in sheet.headers.iter().enumerate() {
            if fixed.iter().any(|f| f.eq_ignore_ascii_case(h)) {
                continue;
            }
            match values::find_indicator(&cat, h) {
                Some(ind) => wide_cols.push((i, ind)),
                None => unknown.push(h.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(error::invalid(tf(
                "import.unknown_columns",
                &[("file", &sheet.file), ("columns", &unknown.join(", "))],
            ))
            .hint(t("value.hint"))
            .into());
        }
    }
    // Check every row; group the values by (org, period).
    let mut errors: Vec<RowError> = Vec::new();
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    let mut by_key: BTreeMap<(String, Period), Vec<Checked>> = BTreeMap::new();
    let mut rows = 0;
    for row in &sheet.rows {
        rows += 1;
        let mut err = |m: String| errors.push(RowError { line: row.line, message: m });
        let code = cols.get(row, "org").to_string();
        let period = match (cols.get(row, "period"), a.period) {
            ("", Some(p)) => p,
            ("", None) => {
                err(t("import.no_period").to_string());
                continue;
            }
            (text, given) => match text.parse::<Period>() {
                Ok(p) if given.is_none_or(|g| g == p) => p,
                Ok(p) => {
                    err(tf(
                        "import.other_period",
                        &[("period", &p), ("given", &given.map(|g| g.to_string()).unwrap_or_default())],
                    ));
                    continue;
                }
                Err(_) => {
                    err(tf("calendar.bad_period", &[("value", &text)]));
                    continue;
                }
            },
        };
        if !targets.contains_key(&code) {
            match values::target(&db.conn, &actor, Some(&code)) {
                Ok(t) => {
                    targets.insert(code.clone(), t);
                }
                // A row the importer may not write is a refusal of the whole import (exit 3,
                // audited), not bad input.
                Err(e) if error::kind_of(&e) == error::Kind::Denied => return Err(e),
                Err(e) => {
                    err(error::eip_error(&e).map_or(e.to_string(), |x| x.message.clone()));
                    continue;
                }
            }
        }
        let target = &targets[&code];
        if let Some(l) = values::lock(&db.conn, &target.org, period, db.now)? {
            err(l.describe(period));
            continue;
        }
        let pairs: Vec<(String, String)> = if long {
            vec![(cols.get(row, "indicator").to_string(), cols.get(row, "value").to_string())]
        } else {
            wide_cols
                .iter()
                .filter_map(|(i, ind)| {
                    row.fields.get(*i).filter(|v| !v.is_empty()).map(|v| (ind.code.clone(), v.clone()))
                })
                .collect()
        };
        for (k, v) in pairs {
            match values::check_one(&cat, target, &k, &v) {
                Ok((ind, val)) => {
                    let vals = by_key.entry((code.clone(), period)).or_default();
                    match vals.iter().find(|(i, _, _)| i.code == ind.code) {
                        Some((_, _, first)) => err(tf(
                            "import.value_twice",
                            &[("org", &code), ("indicator", &ind.code), ("period", &period), ("line", first)],
                        )),
                        None => vals.push((ind, val, row.line)),
                    }
                }
                Err(e) => err(e.message),
            }
        }
    }
    if !errors.is_empty() {
        return csvio::reject(&sheet, rows, &errors, a.csv.rejects.as_deref(), &out);
    }
    // What would change.
    let mut changed = 0;
    let mut unchanged = 0;
    let mut changes: Vec<Vec<Cell>> = Vec::new();
    for ((code, period), vals) in &by_key {
        let stored = values::values_of(&db.conn, targets[code].org.id, *period)?;
        for (ind, v, line) in vals {
            if stored.get(&ind.code).is_some_and(|s| s.value == *v) {
                unchanged += 1;
            } else {
                changed += 1;
                changes.push(vec![
                    Cell::Int(*line as i64),
                    Cell::from(code),
                    Cell::from(period.to_string()),
                    Cell::from(&ind.code),
                    Cell::from(stored.get(&ind.code).map(|s| s.value.clone())),
                    Cell::from(v),
                ]);
            }
        }
    }
    let summary = tf("import.values_summary", &[("rows", &rows), ("changed", &changed), ("unchanged", &unchanged)]);
    if a.csv.dry_run {
        out.list(
            &[
                ("line", "col.line"),
                ("org", "col.code"),
                ("period", "col.period"),
                ("indicator", "col.indicator"),
                ("before", "col.before"),
                ("after", "col.after"),
            ],
            &changes,
        )?;
        out.status(&summary);
        out.status(t("csv.dry_run"));
        return Ok(());
    }
    let mut progress = Progress::new(by_key.len() as u64, out.quiet);
    db.write(&actor.audit_actor(), |tx| {
        for ((code, period), vals) in &by_key {
            let v: Vec<(Indicator, String)> = vals.iter().map(|(i, v, _)| (i.clone(), v.clone())).collect();
            values::set(tx, &actor, &targets[code], *period, &v)?;
            progress.inc();
        }
        Ok(())
    })?;
    progress.finish();
    out.status(&summary);
    Ok(())
}
