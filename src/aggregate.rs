//! Unit figures (SPEC §4.5): school values summed over each unit's subtree of *expected* schools,
//! the unit's own values, and the derived rates — non-reporters in every denominator, so silence
//! never flatters a rate. One set-based pass over a subtree computes every unit in it at once.

use std::collections::{BTreeMap, HashMap};

use crate::store::Conn;
use rusqlite::named_params;
use serde::{Deserialize, Serialize};

use crate::calendar::{self, Period};
use crate::error::Result;
use crate::hierarchy::{self, Org};
use crate::schools::EXPECTED_SQL;
use crate::values::Indicator;

/// One unit's aggregate for one period. Serialisable: a submission snapshot stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agg {
    /// Schools and teaching points expected to report (SPEC §3 life rules).
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
}

/// The six derived rates (SPEC §4.5); `None` when the denominator is zero.
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

/// One expected school's figures for a period, as read in the pass.
#[derive(Debug, Clone, Default)]
pub struct SchoolRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
    pub kind: String,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub state: String,
    pub values: BTreeMap<String, String>,
    pub last_set: Option<String>,
}

/// Stream every expected school of a subtree with its values for the period, in tree order, in
/// one query.
pub fn for_each_school(conn: &Conn, root: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = root.subtree();
    stream_schools(conn, "o.path >= :lo AND o.path < :hi", &lo, &hi, period, f)
}

/// Stream the expected schools a unit supervises directly.
pub fn for_each_direct_school(conn: &Conn, unit: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = unit.subtree();
    stream_schools(
        conn,
        "o.path > :lo AND o.path < :hi AND o.parent_id = (SELECT id FROM org WHERE path = :lo AND deleted_at IS NULL)",
        &lo,
        &hi,
        period,
        f,
    )
}

/// The expected schools of a subtree whose supervising unit has not submitted the period: the
/// schools whose figures are still live (a submitted unit's are in its snapshot).
fn for_each_live_school(conn: &Conn, root: &Org, period: Period, f: impl FnMut(SchoolRow)) -> Result<()> {
    let (lo, hi) = root.subtree();
    stream_schools(
        conn,
        "o.path >= :lo AND o.path < :hi AND NOT EXISTS (SELECT 1 FROM submission sub WHERE sub.org_id = o.parent_id
             AND sub.period = :period AND sub.state IN ('submitted', 'auto_submitted'))",
        &lo,
        &hi,
        period,
        f,
    )
}

fn stream_schools(
    conn: &Conn,
    place: &str,
    lo: &str,
    hi: &str,
    period: Period,
    mut f: impl FnMut(SchoolRow),
) -> Result<()> {
    let sql = format!(
        "SELECT o.id, o.code, o.name, o.path, s.kind, s.students, s.teachers, COALESCE(op.state, 'open'),
                v.indicator, v.value, v.set_at
         FROM org o JOIN school s ON s.org_id = o.id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = :period
         LEFT JOIN value v ON v.org_id = o.id AND v.period = :period
         WHERE {place} AND o.level = 'school' AND {EXPECTED_SQL}
         ORDER BY o.path"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(named_params! {
        ":period": period.to_string(),
        ":lo": lo,
        ":hi": hi,
        ":period_start": calendar::stored(period.starts()),
        ":period_end": calendar::stored(period.ends()),
    })?;
    let mut cur: Option<SchoolRow> = None;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if cur.as_ref().is_none_or(|c| c.id != id) {
            if let Some(done) = cur.take() {
                f(done);
            }
            cur = Some(SchoolRow {
                id,
                code: r.get(1)?,
                name: r.get(2)?,
                path: r.get(3)?,
                kind: r.get(4)?,
                students: r.get(5)?,
                teachers: r.get(6)?,
                state: r.get(7)?,
                ..Default::default()
            });
        }
        let c = cur.as_mut().expect("set above");
        if let Some(ind) = r.get::<_, Option<String>>(8)? {
            c.values.insert(ind, r.get(9)?);
            let at: String = r.get(10)?;
            if c.last_set.as_deref().is_none_or(|l| at.as_str() > l) {
                c.last_set = Some(at);
            }
        }
    }
    if let Some(done) = cur {
        f(done);
    }
    Ok(())
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
/// submitted the period is its snapshot (SPEC §4.4: what the parent and every later report read);
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
    {
        let mut stmt = conn.prepare_cached(
            "SELECT o.code, p.code, o.path, COALESCE(op.state, 'open'), v.indicator, v.value, v.set_at FROM org o
             LEFT JOIN org p ON p.id = o.parent_id
             LEFT JOIN org_period op ON op.org_id = o.id AND op.period = :period
             LEFT JOIN value v ON v.org_id = o.id AND v.period = :period
             WHERE o.path >= :lo AND o.path < :hi AND o.level IN ('ministry', 'province', 'prefecture', 'county')
               AND o.created_at < :period_end",
        )?;
        let mut rows = stmt.query(named_params! {
            ":period": period.to_string(), ":lo": lo, ":hi": hi, ":period_end": calendar::stored(period.ends()),
        })?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(0)?;
            if !parent_of.contains_key(&code) {
                parent_of.insert(code.clone(), r.get(1)?);
                paths.push((r.get(2)?, code.clone()));
            }
            let a = own.entry(code).or_default();
            a.own_state = r.get(3)?;
            if let Some(ind) = r.get::<_, Option<String>>(4)? {
                a.own.insert(ind, r.get(5)?);
                let at: Option<String> = r.get(6)?;
                if at > a.last_change {
                    a.last_change = at;
                }
            }
        }
    }
    // The snapshots of the units that have submitted.
    let mut frozen: HashMap<String, Agg> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT o.code, (SELECT figures FROM snapshot n WHERE n.org_id = o.id AND n.period = :period ORDER BY n.id DESC LIMIT 1)
             FROM submission s JOIN org o ON o.id = s.org_id
             WHERE s.period = :period AND s.state IN ('submitted', 'auto_submitted') AND o.path >= :lo AND o.path < :hi",
        )?;
        let mut rows = stmt.query(named_params! { ":period": period.to_string(), ":lo": lo, ":hi": hi })?;
        while let Some(r) = rows.next()? {
            if let Some(fig) = r.get::<_, Option<String>>(1)? {
                frozen.insert(r.get(0)?, serde_json::from_str(&fig)?);
            }
        }
    }
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

/// The direct children of a unit: sub-units and schools (live), in code order.
pub fn children(conn: &Conn, unit: &Org) -> Result<Vec<Org>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM org o LEFT JOIN org p ON p.id = o.parent_id
         WHERE o.parent_id = ?1 AND o.deleted_at IS NULL ORDER BY o.level = 'school', o.code",
        hierarchy::ORG_COLUMNS
    ))?;
    let rows = stmt.query_map([unit.id], hierarchy::org_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One unit's aggregate, from its parts, without walking its subtree: its own values, the schools
/// it supervises directly (live), and each sub-unit's snapshot (or, for a sub-unit that has not
/// submitted, its live aggregate). What a submission freezes.
pub fn unit_aggregate(conn: &Conn, unit: &Org, period: Period, catalogue: &[Indicator]) -> Result<UnitParts> {
    let school_kinds: HashMap<String, String> =
        catalogue.iter().filter(|i| i.filled_by != "unit").map(|i| (i.code.clone(), i.kind.clone())).collect();
    let mut agg = Agg::default();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT COALESCE(op.state, 'open'), v.indicator, v.value, v.set_at FROM org o
             LEFT JOIN org_period op ON op.org_id = o.id AND op.period = :period
             LEFT JOIN value v ON v.org_id = o.id AND v.period = :period
             WHERE o.id = :id",
        )?;
        let mut rows = stmt.query(named_params! { ":period": period.to_string(), ":id": unit.id })?;
        while let Some(r) = rows.next()? {
            agg.own_state = r.get(0)?;
            if let Some(ind) = r.get::<_, Option<String>>(1)? {
                agg.own.insert(ind, r.get(2)?);
                let at: Option<String> = r.get(3)?;
                if at > agg.last_change {
                    agg.last_change = at;
                }
            }
        }
    }
    let mut schools = Vec::new();
    for_each_direct_school(conn, unit, period, |s| {
        add_school(&mut agg, &s, &school_kinds);
        schools.push(s);
    })?;
    let mut units = Vec::new();
    for c in children(conn, unit)? {
        if c.level == crate::hierarchy::Level::School || c.created_at >= calendar::stored(period.ends()) {
            continue;
        }
        let frozen: Option<String> = conn
            .prepare_cached(
                "SELECT n.figures FROM submission s JOIN snapshot n ON n.org_id = s.org_id AND n.period = s.period
                 WHERE s.org_id = ?1 AND s.period = ?2 AND s.state IN ('submitted', 'auto_submitted')
                 ORDER BY n.id DESC LIMIT 1",
            )?
            .query_row(rusqlite::params![c.id, period.to_string()], |r| r.get(0))
            .ok();
        let a = match frozen {
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
