//! `eip report trend`: one indicator or one derived rate per unit, month by month, over
//! a range — each month the unit's figures as the monthly table has them (its snapshot once
//! submitted, else live), and over the whole range a flow added up and a stock taken as it stands
//! at the end.

use crate::aggregate::{self, Agg, RATE_NAMES};
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::indicators::Indicator;
use crate::model::{Level, Org, Period, PeriodRange};
use crate::store::{orgs, Conn};

/// What a trend follows.
#[derive(Debug, Clone)]
pub enum Measure {
    Indicator(Indicator),
    /// A derived rate of the monthly table (README, "Monthly data"), by its code.
    Rate(&'static str),
}

impl Measure {
    /// `--indicator K` or `--rate R`, checked: a numeric or yes/no indicator of the catalogue, or
    /// one of the six rates.
    pub fn pick(catalogue: &[Indicator], indicator: Option<&str>, rate: Option<&str>) -> Result<Measure> {
        match (indicator, rate) {
            (Some(k), None) => {
                let Some(i) = catalogue.iter().find(|i| i.code == k.trim()) else {
                    let codes: Vec<&str> =
                        catalogue.iter().filter(|i| i.kind != "text").map(|i| i.code.as_str()).collect();
                    return Err(error::usage(tf("trend.unknown_indicator", &[("code", &k)]))
                        .hint(tf("trend.indicators", &[("codes", &codes.join(", "))]))
                        .into());
                };
                if i.kind == "text" {
                    return Err(error::usage(tf("trend.text_indicator", &[("code", &i.code)])).into());
                }
                Ok(Measure::Indicator(i.clone()))
            }
            (None, Some(r)) => match RATE_NAMES.iter().find(|(code, zh)| *code == r.trim() || *zh == r.trim()) {
                Some((code, _)) => Ok(Measure::Rate(code)),
                None => {
                    let codes: Vec<&str> = RATE_NAMES.iter().map(|(c, _)| *c).collect();
                    Err(error::usage(tf("trend.unknown_rate", &[("rate", &r)]))
                        .hint(tf("trend.rates", &[("codes", &codes.join(", "))]))
                        .into())
                }
            },
            _ => Err(error::usage(t("trend.one_measure")).into()),
        }
    }

    /// Its code.
    pub fn code(&self) -> &str {
        match self {
            Measure::Indicator(i) => &i.code,
            Measure::Rate(r) => r,
        }
    }

    /// Its name in the reader's language.
    pub fn label(&self) -> String {
        let zh = crate::i18n::lang() == crate::i18n::Lang::Zh;
        match self {
            Measure::Indicator(i) if zh => i.name_zh.clone(),
            Measure::Indicator(i) => i.name_en.clone(),
            Measure::Rate(r) if zh => {
                RATE_NAMES.iter().find(|(c, _)| c == r).map_or(r.to_string(), |(_, z)| z.to_string())
            }
            Measure::Rate(r) => r.replace('_', " "),
        }
    }

    /// Whether its values are fractions (shown as percentages).
    pub fn is_rate(&self) -> bool {
        matches!(self, Measure::Rate(_))
    }

    /// Whether it adds up over months (a flow) rather than standing as it is (a stock or a rate).
    pub fn is_flow(&self) -> bool {
        matches!(self, Measure::Indicator(i) if i.is_flow())
    }

    /// Its value in one unit's aggregate for one month: a rate; for a school indicator, the sum
    /// over the unit's schools (yes/no: how many said yes); for a unit indicator, the unit's own.
    fn of(&self, a: &Agg) -> Option<f64> {
        match self {
            Measure::Rate(r) => a.rates().get(r),
            Measure::Indicator(i) if i.filled_by == "unit" => a.own.get(&i.code).and_then(|v| v.parse().ok()),
            Measure::Indicator(i) if i.kind == "bool" => {
                a.reported.get(&i.code).filter(|n| **n > 0).map(|_| *a.yes.get(&i.code).unwrap_or(&0) as f64)
            }
            Measure::Indicator(i) => {
                a.reported.get(&i.code).filter(|n| **n > 0).and_then(|_| a.sums.get(&i.code).copied())
            }
        }
    }
}

/// One unit's trend.
#[derive(Debug, Clone)]
pub struct Row {
    pub unit: Org,
    /// A value per period of the range (None: nothing reported that month).
    pub values: Vec<Option<f64>>,
}

impl Row {
    /// Over the range: a flow added up, anything else the latest month with a value.
    pub fn over(&self, m: &Measure) -> Option<f64> {
        if m.is_flow() {
            let known: Vec<f64> = self.values.iter().flatten().copied().collect();
            (!known.is_empty()).then(|| known.iter().sum())
        } else {
            self.values.iter().rev().flatten().next().copied()
        }
    }
}

/// The trend of `measure` for every unit of `level` under `root` over `range`.
pub fn trend(
    conn: &Conn,
    root: &Org,
    level: Level,
    range: PeriodRange,
    measure: &Measure,
    catalogue: &[Indicator],
) -> Result<(Vec<Period>, Vec<Row>)> {
    let periods = range.periods();
    let units: Vec<Org> = orgs::units_at_level(conn, root, level)?;
    let mut rows: Vec<Row> = units.into_iter().map(|unit| Row { unit, values: vec![None; periods.len()] }).collect();
    for (k, &p) in periods.iter().enumerate() {
        let figures = if level == Level::School {
            // A county's schools: each school's own figures.
            let mut f = std::collections::BTreeMap::new();
            aggregate::for_each_school(conn, root, p, |s| {
                f.insert(s.code.clone(), aggregate::of_school(&s, catalogue));
            })?;
            f
        } else {
            aggregate::aggregate(conn, root, p, catalogue)?
        };
        for r in rows.iter_mut() {
            r.values[k] = figures.get(&r.unit.code).and_then(|a| measure.of(a));
        }
    }
    Ok((periods, rows))
}

/// A row's values as a sparkline: one block per month, scaled from the row's least to its most
/// (a flat row sits in the middle); a blank month is a space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = known.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-12 => BLOCKS[3],
            Some(v) => BLOCKS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_runs_from_the_rows_least_to_its_most_with_a_gap_for_a_blank_month() {
        assert_eq!(sparkline(&[Some(0.0), Some(7.0), None, Some(3.5)]), "▁█ ▅");
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "▄▄", "a flat row sits in the middle");
        assert_eq!(sparkline(&[None, None]), "  ");
    }
}
