//! Unit figures: school values summed over each unit's subtree of *expected* schools,
//! the unit's own values, and the derived rates — non-reporters in every denominator, so silence
//! never flatters a rate. One set-based pass over a subtree computes every unit in it at once.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::calendar::{self, Period};
use crate::error::Result;
use crate::indicators::Indicator;
use crate::model::{Level, Org};
use crate::store::values::{self as store, Schools};
use crate::store::{orgs, submissions, Conn};

pub use crate::store::values::SchoolRow;

/// One unit's aggregate for one period. Serialisable: a submission snapshot stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agg {
    /// Schools and teaching points expected to report (life rules).
    pub schools_expected: i64,
    /// … of which reported at least one value this period.
    pub schools_reported: i64,
    /// … of which confirmed this period.
    pub schools_confirmed: i64,
    pub teaching_points_expected: i64,
    pub teaching_points_reported: i64,
    /// Basic info of the expected schools (the space-rate denominators).
    pub students: i64,
    pub teachers: i64,
    /// Count and decimal school indicators, summed over the schools that reported them.
    pub sums: BTreeMap<String, f64>,
    /// Bool school indicators: how many schools said yes.
    pub yes: BTreeMap<String, i64>,
    /// Per school indicator: how many expected schools reported it.
    pub reported: BTreeMap<String, i64>,
    /// Schools with `bandwidth_mbps` ≥ 10.
    pub bandwidth_10m: i64,
    /// Teaching points with all three `tp_*` checks true.
    pub teaching_points_ready: i64,
    /// The unit's own values (unit indicators), as stored.
    pub own: BTreeMap<String, String>,
    /// The unit's own data state this period.
    pub own_state: String,
    /// The latest time a value in the subtree was set this period.
    pub last_change: Option<String>,
    /// At the submission this aggregate was frozen by (facts as they were): the roles
    /// the unit had no active account for (`admin`, `reviewer`, `inspector`), and how many of the
    /// schools below it had an active school admin. `None` in live figures and in snapshots taken
    /// before eip kept them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_missing: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schools_with_admin: Option<i64>,
}

/// The six derived rates; `None` when the denominator is zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub internet_access_rate: Option<f64>,
    pub bandwidth_10m_share: Option<f64>,
    pub multimedia_coverage: Option<f64>,
    pub teacher_space_rate: Option<f64>,
    pub student_space_rate: Option<f64>,
    pub teaching_point_ready_share: Option<f64>,
}

pub const RATE_NAMES: [(&str, &str); 6] = [
    ("internet_access_rate", "互联网接入率"),
    ("bandwidth_10m_share", "10M以上宽带比例"),
    ("multimedia_coverage", "多媒体教室覆盖率"),
    ("teacher_space_rate", "教师空间开通率"),
    ("student_space_rate", "学生空间开通率"),
    ("teaching_point_ready_share", "教学点\"三到位\"比例"),
];

fn ratio(n: f64, d: f64) -> Option<f64> {
    (d > 0.0).then(|| (n / d * 10_000.0).round() / 10_000.0)
}

impl Agg {
    pub fn rates(&self) -> Rates {
        let sum = |k: &str| self.sums.get(k).copied().unwrap_or(0.0);
        Rates {
            internet_access_rate: ratio(
                *self.yes.get("internet_access").unwrap_or(&0) as f64,
                self.schools_expected as f64,
            ),
            bandwidth_10m_share: ratio(self.bandwidth_10m as f64, self.schools_expected as f64),
            multimedia_coverage: ratio(sum("multimedia_classrooms"), sum("classrooms")),
            teacher_space_rate: ratio(sum("teacher_spaces"), self.teachers as f64),
            student_space_rate: ratio(sum("student_spaces"), self.students as f64),
            teaching_point_ready_share: ratio(self.teaching_points_ready as f64, self.teaching_points_expected as f64),
        }
    }
}

impl Rates {
    pub fn get(&self, name: &str) -> Option<f64> {
        match name {
            "internet_access_rate" => self.internet_access_rate,
            "bandwidth_10m_share" => self.bandwidth_10m_share,
            "multimedia_coverage" => self.multimedia_coverage,
            "teacher_space_rate" => self.teacher_space_rate,
            "student_space_rate" => self.student_space_rate,
            "teaching_point_ready_share" => self.teaching_point_ready_share,
            _ => None,
        }
    }
}

/// Stream every expected school of a subtree with its values for the period, in tree order, in
/// one query.
pub fn for_each_school(conn: &Conn, root: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = root.subtree();
    store::each_school(conn, Schools::All, &lo, &hi, period, f)
}

/// Stream the expected schools a unit supervises directly.
pub fn for_each_direct_school(conn: &Conn, unit: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = unit.subtree();
    store::each_school(conn, Schools::Direct, &lo, &hi, period, f)
}

/// The expected schools of a subtree whose supervising unit has not submitted the period: the
/// schools whose figures are still live (a submitted unit's are in its snapshot).
fn for_each_live_school(conn: &Conn, root: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = root.subtree();
    store::each_school(conn, Schools::Live, &lo, &hi, period, f)
}

impl Agg {
    /// Add a sub-unit's figures (its schools'; its own values stay its own).
    pub fn merge(&mut self, o: &Agg) {
        self.schools_expected += o.schools_expected;
        self.schools_reported += o.schools_reported;
        self.schools_confirmed += o.schools_confirmed;
        self.teaching_points_expected += o.teaching_points_expected;
        self.teaching_points_reported += o.teaching_points_reported;
        self.students += o.students;
        self.teachers += o.teachers;
        for (k, v) in &o.sums {
            *self.sums.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.yes {
            *self.yes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.reported {
            *self.reported.entry(k.clone()).or_default() += v;
        }
        self.bandwidth_10m += o.bandwidth_10m;
        self.teaching_points_ready += o.teaching_points_ready;
        if o.last_change > self.last_change {
            self.last_change = o.last_change.clone();
        }
    }
}

/// Add one school to an aggregate.
/// One school's figures as an aggregate of its own (a trend of a county's schools).
pub fn of_school(s: &SchoolRow, catalogue: &[Indicator]) -> Agg {
    let school_kinds: HashMap<String, String> =
        catalogue.iter().filter(|i| i.filled_by != "unit").map(|i| (i.code.clone(), i.kind.clone())).collect();
    let mut a = Agg::default();
    add_school(&mut a, s, &school_kinds);
    a
}

fn add_school(a: &mut Agg, s: &SchoolRow, school_kinds: &HashMap<String, String>) {
    let tp = s.kind == "teaching_point";
    a.schools_expected += 1;
    a.students += s.students.unwrap_or(0);
    a.teachers += s.teachers.unwrap_or(0);
    if tp {
        a.teaching_points_expected += 1;
    }
    if !s.values.is_empty() {
        a.schools_reported += 1;
        if tp {
            a.teaching_points_reported += 1;
        }
    }
    if s.state == "confirmed" {
        a.schools_confirmed += 1;
    }
    for (ind, v) in &s.values {
        let Some(kind) = school_kinds.get(ind) else { continue };
        *a.reported.entry(ind.clone()).or_default() += 1;
        match kind.as_str() {
            "count" | "decimal" => *a.sums.entry(ind.clone()).or_default() += v.parse::<f64>().unwrap_or(0.0),
            "bool" if v == "1" => *a.yes.entry(ind.clone()).or_default() += 1,
            _ => {}
        }
    }
    if s.values.get("bandwidth_mbps").and_then(|v| v.parse::<f64>().ok()).is_some_and(|b| b >= 10.0) {
        a.bandwidth_10m += 1;
    }
    if tp
        && ["tp_equipment_in_place", "tp_resources_in_place", "tp_teaching_in_place"]
            .iter()
            .all(|k| s.values.get(*k).is_some_and(|v| v == "1"))
    {
        a.teaching_points_ready += 1;
    }
    if s.last_set.as_deref() > a.last_change.as_deref() {
        a.last_change = s.last_set.clone();
    }
}

/// Every unit of a subtree (the root included) with its aggregate for the period. A unit that has
/// submitted the period is its snapshot (what the parent and every later report read);
/// any other unit is its own values, plus the schools it supervises directly (live), plus its
/// sub-units' aggregates. Three queries for the whole subtree, then composition bottom-up.
pub fn aggregate(conn: &Conn, root: &Org, period: Period, catalogue: &[Indicator]) -> Result<BTreeMap<String, Agg>> {
    let school_kinds: HashMap<String, String> =
        catalogue.iter().filter(|i| i.filled_by != "unit").map(|i| (i.code.clone(), i.kind.clone())).collect();
    let (lo, hi) = root.subtree();
    // The units: own values and state, and their parents.
    let mut own: BTreeMap<String, Agg> = BTreeMap::new();
    let mut parent_of: HashMap<String, Option<String>> = HashMap::new();
    let mut paths: Vec<(String, String)> = Vec::new();
    store::each_unit_value(conn, &lo, &hi, period, |u| {
        if !parent_of.contains_key(&u.code) {
            parent_of.insert(u.code.clone(), u.parent);
            paths.push((u.path, u.code.clone()));
        }
        let a = own.entry(u.code).or_default();
        a.own_state = u.state;
        if let Some(v) = u.value {
            a.own.insert(v.indicator, v.value);
            if v.set_at > a.last_change {
                a.last_change = v.set_at;
            }
        }
    })?;
    // The snapshots of the units that have submitted.
    let mut frozen: HashMap<String, Agg> = HashMap::new();
    submissions::each_frozen(conn, &lo, &hi, period, |code, figures| {
        frozen.insert(code, serde_json::from_str(&figures)?);
        Ok(())
    })?;
    // The live schools, each to its supervising unit.
    let mut direct: HashMap<String, Agg> = HashMap::new();
    for_each_live_school(conn, root, period, |s| {
        let segments: Vec<&str> = s.path.trim_matches('/').split('/').collect();
        if segments.len() >= 2 {
            add_school(direct.entry(segments[segments.len() - 2].to_string()).or_default(), &s, &school_kinds);
        }
    })?;
    // Compose, deepest units first.
    paths.sort_by_key(|p| std::cmp::Reverse(p.0.matches('/').count()));
    let mut out: BTreeMap<String, Agg> = BTreeMap::new();
    let mut pending: HashMap<String, Agg> = HashMap::new();
    for (_, code) in &paths {
        let agg = match frozen.remove(code) {
            Some(f) => f,
            None => {
                let mut a = own.remove(code).unwrap_or_default();
                if let Some(d) = direct.get(code) {
                    a.merge(d);
                }
                if let Some(c) = pending.remove(code) {
                    a.merge(&c);
                }
                a
            }
        };
        if let Some(Some(p)) = parent_of.get(code) {
            pending.entry(p.clone()).or_default().merge(&agg);
        }
        out.insert(code.clone(), agg);
    }
    Ok(out)
}

/// One unit's aggregate, from its parts, without walking its subtree: its own values, the schools
/// it supervises directly (live), and each sub-unit's snapshot (or, for a sub-unit that has not
/// submitted, its live aggregate). What a submission freezes.
pub fn unit_aggregate(conn: &Conn, unit: &Org, period: Period, catalogue: &[Indicator]) -> Result<UnitParts> {
    let school_kinds: HashMap<String, String> =
        catalogue.iter().filter(|i| i.filled_by != "unit").map(|i| (i.code.clone(), i.kind.clone())).collect();
    let mut agg = Agg::default();
    let (state, own) = store::own_values(conn, unit.id, period)?;
    agg.own_state = state;
    for v in own {
        agg.own.insert(v.indicator, v.value);
        if v.set_at > agg.last_change {
            agg.last_change = v.set_at;
        }
    }
    let mut schools = Vec::new();
    for_each_direct_school(conn, unit, period, |s| {
        add_school(&mut agg, &s, &school_kinds);
        schools.push(s);
    })?;
    let mut units = Vec::new();
    for c in orgs::children(conn, unit)? {
        if c.level == Level::School || c.created_at >= calendar::stored(period.ends()) {
            continue;
        }
        let a = match submissions::frozen(conn, c.id, period)? {
            Some(f) => serde_json::from_str(&f)?,
            None => aggregate(conn, &c, period, catalogue)?.remove(&c.code).unwrap_or_default(),
        };
        agg.merge(&a);
        units.push((c, a));
    }
    Ok(UnitParts { agg, units, schools })
}

/// A unit's aggregate and the parts it was built from.
pub struct UnitParts {
    pub agg: Agg,
    /// Each sub-unit reporting the period, with its aggregate.
    pub units: Vec<(Org, Agg)>,
    /// The expected schools the unit supervises directly.
    pub schools: Vec<SchoolRow>,
}
