//! The 通报 (the notice's bulletin): for a unit about the units of a level below it, over
//! a range of periods — the headline figures, every unit ranked by the composite score with its
//! weights, the units to name under the default rule with the facts that put them there, the best,
//! the change since the previous range, and the deadline for correction. Built here as data; its
//! documents (Markdown, CSV, self-contained HTML with its charts) are written by the modules below,
//! each a pure function of the data, so the same database and arguments give the same bytes.

pub mod csv;
pub mod html;
pub mod markdown;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::evaluation::{self, Reason, Summary, Weights};
use crate::facts::{self, UnitFacts};
use crate::model::{Level, Org, Period, PeriodRange};
use crate::store::Conn;

/// How many of the best a bulletin commends.
pub const BEST: usize = 3;

/// One unit's line in the ranking.
#[derive(Debug, Clone)]
pub struct Line {
    pub rank: usize,
    pub summary: Summary,
    pub score: Option<f64>,
    /// Its rank and score over the previous range, if it was ranked there.
    pub previous: Option<(usize, Option<f64>)>,
    /// Why it is named, if it is.
    pub named: Vec<Reason>,
}

/// The bulletin's data.
#[derive(Debug, Clone)]
pub struct Bulletin {
    pub root: Org,
    pub level: Level,
    pub range: PeriodRange,
    pub previous: PeriodRange,
    /// The weights, as shares of 100.
    pub weights: Weights,
    pub total: Summary,
    /// Every unit, best first.
    pub lines: Vec<Line>,
    /// The reporting over the range, period by period, for the root's units together:
    /// (period, reporting rate, on-time rate).
    pub by_period: Vec<(Period, Option<f64>, Option<f64>)>,
    pub correct_by: Option<DateTime<Utc>>,
}

impl Bulletin {
    /// The units to name, in ranking order.
    pub fn named(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| !l.named.is_empty())
    }

    /// The best, with a score, not named.
    pub fn best(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.score.is_some() && l.named.is_empty()).take(BEST)
    }
}

/// The reporting of every unit together, period by period.
fn by_period(all: &[UnitFacts], range: PeriodRange) -> Vec<(Period, Option<f64>, Option<f64>)> {
    range
        .periods()
        .into_iter()
        .enumerate()
        .map(|(k, p)| {
            let due: Vec<_> = all.iter().filter_map(|u| u.facts.get(k)).filter(|f| f.expected && f.due).collect();
            let n = due.len() as f64;
            let rate = |c: usize| (n > 0.0).then(|| c as f64 / n);
            (p, rate(due.iter().filter(|f| f.any_submission()).count()), rate(due.iter().filter(|f| f.on_time).count()))
        })
        .collect()
}

/// Build the bulletin of `root`'s units of `level` over `range` with `weights`, as of `now`.
pub fn build(
    conn: &Conn,
    root: &Org,
    level: Level,
    range: PeriodRange,
    weights: Weights,
    correct_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Bulletin> {
    let weights = weights.normalised();
    // The range and the one before it, read at once (one pass over the facts, not two), then
    // split: each unit's periods are in order, the previous range's first.
    let previous = range.previous();
    let both = facts::facts(conn, root, level, PeriodRange { from: previous.from, to: range.to }, now)?;
    let (prev, all): (Vec<UnitFacts>, Vec<UnitFacts>) = both
        .into_iter()
        .map(|mut u| {
            let current = u.facts.split_off(previous.len());
            (UnitFacts { unit: u.unit.clone(), facts: u.facts }, UnitFacts { unit: u.unit, facts: current })
        })
        .unzip();
    let summaries: Vec<Summary> = all.iter().map(Summary::of).collect();
    let before: BTreeMap<String, (usize, Option<f64>)> = {
        let prev: Vec<Summary> = prev.iter().map(Summary::of).collect();
        evaluation::ranking(&prev, weights)
            .into_iter()
            .enumerate()
            .filter(|(_, (i, _))| prev[*i].expected > 0)
            .map(|(rank, (i, score))| (prev[i].unit.code.clone(), (rank + 1, score)))
            .collect()
    };
    let mut named: BTreeMap<usize, Vec<Reason>> = evaluation::to_name(&all, &summaries).into_iter().collect();
    let lines = evaluation::ranking(&summaries, weights)
        .into_iter()
        .enumerate()
        .map(|(rank, (i, score))| Line {
            rank: rank + 1,
            summary: summaries[i].clone(),
            score,
            previous: before.get(&summaries[i].unit.code).copied(),
            named: named.remove(&i).unwrap_or_default(),
        })
        .collect();
    let total = Summary::total(&summaries, root.clone());
    Ok(Bulletin {
        root: root.clone(),
        level,
        range,
        previous,
        weights,
        total,
        lines,
        by_period: by_period(&all, range),
        correct_by,
    })
}
