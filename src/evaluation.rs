//! The evaluation (纳入评估) and the bulletin (通报) built on the facts: each unit's
//! reporting over a range of periods summed up as DHIS2's reporting-rate summary extended with
//! eip's facts (`eip report timeliness`), scored by a weighted composite, ranked, and the units to
//! name picked by a stated rule with the facts that put them there (`eip report bulletin`).

use std::collections::BTreeMap;

use crate::error::{self, Result};
use crate::facts::{Fact, Text, UnitFacts};
use crate::i18n::tf;
use crate::model::{Org, Period};

/// One unit's reporting over a range: counts of its due periods and their rates.
#[derive(Debug, Clone)]
pub struct Summary {
    pub unit: Org,
    /// Periods the unit was expected to report whose deadline has passed.
    pub expected: i64,
    /// … submitted at all; by its reviewer on time; first by the system at the deadline.
    pub submitted: i64,
    pub on_time: i64,
    pub auto: i64,
    pub returned: i64,
    pub withdrawn: i64,
    pub resubmitted_in_due: i64,
    /// Schools expected and confirmed by the deadline, summed over the periods.
    pub schools_expected: i64,
    pub schools_confirmed: i64,
    /// Periods whose own figures were filled in or confirmed, of those known.
    pub own_done: i64,
    pub own_known: i64,
    /// Warnings passed on, and periods that recorded them.
    pub flags: i64,
    pub flags_known: i64,
    /// Periods with an active admin, reviewer and inspector, of those known.
    pub staffed: i64,
    pub staff_known: i64,
    /// Schools with an active school admin, and the schools expected in those periods.
    pub schools_with_admin: i64,
    pub schools_admin_base: i64,
    pub ratified: i64,
    /// Provinces: the monthly text on time, late, missing.
    pub text_on_time: i64,
    pub text_late: i64,
    pub text_missing: i64,
    pub urged: i64,
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl Summary {
    /// A unit with nothing counted yet.
    pub fn new(unit: Org) -> Summary {
        Summary {
            unit,
            expected: 0,
            submitted: 0,
            on_time: 0,
            auto: 0,
            returned: 0,
            withdrawn: 0,
            resubmitted_in_due: 0,
            schools_expected: 0,
            schools_confirmed: 0,
            own_done: 0,
            own_known: 0,
            flags: 0,
            flags_known: 0,
            staffed: 0,
            staff_known: 0,
            schools_with_admin: 0,
            schools_admin_base: 0,
            ratified: 0,
            text_on_time: 0,
            text_late: 0,
            text_missing: 0,
            urged: 0,
        }
    }

    pub fn of(u: &UnitFacts) -> Summary {
        let mut s = Summary::new(u.unit.clone());
        for f in u.facts.iter().filter(|f| f.expected && f.due) {
            s.add(f);
        }
        s
    }

    fn add(&mut self, f: &Fact) {
        self.expected += 1;
        self.submitted += i64::from(f.any_submission());
        self.on_time += i64::from(f.on_time);
        self.auto += i64::from(f.auto);
        self.returned += f.returned;
        self.withdrawn += f.withdrawn;
        self.resubmitted_in_due += f.resubmitted_in_due;
        self.schools_expected += f.schools_expected.unwrap_or(0);
        self.schools_confirmed += f.schools_confirmed.unwrap_or(0);
        if let Some(done) = f.own_done {
            self.own_known += 1;
            self.own_done += i64::from(done);
        }
        if let Some(n) = f.flags {
            self.flags_known += 1;
            self.flags += n;
        }
        if let Some(missing) = &f.staff_missing {
            self.staff_known += 1;
            self.staffed += i64::from(missing.is_empty());
        }
        if let Some(n) = f.schools_with_admin {
            self.schools_with_admin += n;
            self.schools_admin_base += f.schools_expected.unwrap_or(0);
        }
        self.ratified += i64::from(f.ratified);
        match f.text {
            Some(Text::OnTime) => self.text_on_time += 1,
            Some(Text::Late) => self.text_late += 1,
            Some(Text::Missing) => self.text_missing += 1,
            None => {}
        }
        self.urged += f.urged;
    }

    /// A total over several units (the headline of a report).
    pub fn total(all: &[Summary], unit: Org) -> Summary {
        let mut t = Summary::new(unit);
        for s in all {
            t.expected += s.expected;
            t.submitted += s.submitted;
            t.on_time += s.on_time;
            t.auto += s.auto;
            t.returned += s.returned;
            t.withdrawn += s.withdrawn;
            t.resubmitted_in_due += s.resubmitted_in_due;
            t.schools_expected += s.schools_expected;
            t.schools_confirmed += s.schools_confirmed;
            t.own_done += s.own_done;
            t.own_known += s.own_known;
            t.flags += s.flags;
            t.flags_known += s.flags_known;
            t.staffed += s.staffed;
            t.staff_known += s.staff_known;
            t.schools_with_admin += s.schools_with_admin;
            t.schools_admin_base += s.schools_admin_base;
            t.ratified += s.ratified;
            t.text_on_time += s.text_on_time;
            t.text_late += s.text_late;
            t.text_missing += s.text_missing;
            t.urged += s.urged;
        }
        t
    }

    /// Submitted ÷ expected (DHIS2's reporting rate).
    pub fn reporting_rate(&self) -> Option<f64> {
        ratio(self.submitted, self.expected)
    }
    /// Submitted by the reviewer on time ÷ expected (DHIS2's timeliness).
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.expected)
    }
    /// Schools confirmed by the deadline ÷ schools expected.
    pub fn school_confirmation_rate(&self) -> Option<f64> {
        ratio(self.schools_confirmed, self.schools_expected)
    }
    /// Share of the schools without a plausibility warning passed on.
    pub fn quality(&self) -> Option<f64> {
        (self.flags_known > 0 && self.schools_expected > 0)
            .then(|| (1.0 - self.flags as f64 / self.schools_expected as f64).max(0.0))
    }
    /// Staffing: periods fully staffed, and schools with their own admin, averaged.
    pub fn staffing(&self) -> Option<f64> {
        let parts: Vec<f64> =
            [ratio(self.staffed, self.staff_known), ratio(self.schools_with_admin, self.schools_admin_base)]
                .into_iter()
                .flatten()
                .collect();
        (!parts.is_empty()).then(|| parts.iter().sum::<f64>() / parts.len() as f64)
    }
}

// ---------------------------------------------------------------- the composite score

/// The weights of the composite score, in percent .
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub timeliness: f64,
    pub schools: f64,
    pub quality: f64,
    pub staffing: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { timeliness: 40.0, schools: 30.0, quality: 15.0, staffing: 15.0 }
    }
}

impl Weights {
    /// A weights file: one `name = percent` (or `name,percent`) a line, `#` comments; the names
    /// `timeliness`, `schools`, `quality`, `staffing` (or 及时性, 学校确认, 数据质量, 人员配备);
    /// those not named weigh 0; they need not add up to 100 (they are normalised).
    pub fn parse(file: &str, text: &str) -> Result<Weights> {
        let mut w = Weights { timeliness: 0.0, schools: 0.0, quality: 0.0, staffing: 0.0 };
        let mut any = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad =
                || error::invalid(tf("weights.bad_line", &[("file", &file), ("line", &(n + 1)), ("text", &line)]));
            let (k, v) = line.split_once(['=', ',', '\t']).ok_or_else(bad)?;
            let v: f64 = v.trim().trim_end_matches('%').parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&v) {
                return Err(bad().into());
            }
            match k.trim() {
                "timeliness" | "及时性" => w.timeliness = v,
                "schools" | "学校确认" => w.schools = v,
                "quality" | "数据质量" => w.quality = v,
                "staffing" | "人员配备" => w.staffing = v,
                _ => return Err(bad().hint(tf("weights.names", &[])).into()),
            }
            any = true;
        }
        if !any || w.timeliness + w.schools + w.quality + w.staffing <= 0.0 {
            return Err(error::invalid(tf("weights.none", &[("file", &file)])).hint(tf("weights.names", &[])).into());
        }
        Ok(w)
    }

    /// Each weight as a share of their sum.
    pub fn normalised(self) -> Weights {
        let sum = self.timeliness + self.schools + self.quality + self.staffing;
        Weights {
            timeliness: self.timeliness / sum * 100.0,
            schools: self.schools / sum * 100.0,
            quality: self.quality / sum * 100.0,
            staffing: self.staffing / sum * 100.0,
        }
    }
}

/// The composite score, 0–100: the weighted mean of the components that can be measured (a
/// component with nothing to measure — no schools, no recorded warnings — leaves the others'
/// weights to share its own). `None` when nothing can be measured.
pub fn score(s: &Summary, w: Weights) -> Option<f64> {
    let parts = [
        (w.timeliness, s.on_time_rate()),
        (w.schools, s.school_confirmation_rate()),
        (w.quality, s.quality()),
        (w.staffing, s.staffing()),
    ];
    let (mut num, mut den) = (0.0, 0.0);
    for (weight, v) in parts {
        if let Some(v) = v {
            num += weight * v;
            den += weight;
        }
    }
    (den > 0.0).then(|| (num / den * 1000.0).round() / 10.0)
}

// ---------------------------------------------------------------- who is named

/// Why a unit is named in the bulletin (the default rule).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Submitted by the system (the deadline passed) in these periods, at least two of the last
    /// three.
    AutoSubmitted(Vec<Period>),
    /// Its schools confirmed under 80 % by the deadline (the rate, 0–1).
    SchoolsUnconfirmed(f64),
}

/// The units to name: auto-submitted in at least two of the range's last three periods, or with
/// school confirmation under 80 %, each with the reasons that put it there.
pub fn to_name(facts: &[UnitFacts], summaries: &[Summary]) -> Vec<(usize, Vec<Reason>)> {
    let mut out = Vec::new();
    for (i, (u, s)) in facts.iter().zip(summaries).enumerate() {
        let mut reasons = Vec::new();
        let last3: Vec<&Fact> = u.facts.iter().rev().filter(|f| f.expected && f.due).take(3).collect();
        let autos: Vec<Period> = last3.iter().rev().filter(|f| f.auto).map(|f| f.period).collect();
        if autos.len() >= 2 {
            reasons.push(Reason::AutoSubmitted(autos));
        }
        if let Some(r) = s.school_confirmation_rate().filter(|r| *r < 0.8) {
            reasons.push(Reason::SchoolsUnconfirmed(r));
        }
        if !reasons.is_empty() {
            out.push((i, reasons));
        }
    }
    out
}

/// The ranking: indices into `summaries`, best score first; ties (and units without a score, last)
/// by code, so the same facts give the same order.
pub fn ranking(summaries: &[Summary], w: Weights) -> Vec<(usize, Option<f64>)> {
    let mut r: Vec<(usize, Option<f64>)> = summaries.iter().enumerate().map(|(i, s)| (i, score(s, w))).collect();
    r.sort_by(|a, b| {
        let (sa, sb) = (a.1.unwrap_or(-1.0), b.1.unwrap_or(-1.0));
        sb.partial_cmp(&sa)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| summaries[a.0].unit.code.cmp(&summaries[b.0].unit.code))
    });
    r
}

/// Each unit's rank by code (1 = best), for "the change since the previous period".
pub fn ranks(summaries: &[Summary], w: Weights) -> BTreeMap<String, usize> {
    ranking(summaries, w)
        .into_iter()
        .enumerate()
        .map(|(rank, (i, _))| (summaries[i].unit.code.clone(), rank + 1))
        .collect()
}
