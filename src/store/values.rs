//! Storage of the monthly values: the indicator catalogue (`indicator`), each
//! org's values (`value`), and each org's data state per period (`org_period`: open, filled,
//! confirmed, returned; docs/ARCHITECTURE.md, "States"). Also the set-based reads the unit
//! figures are built from: every expected school of a subtree with its values, in one query.

use std::collections::{BTreeMap, HashSet};

use super::{in_subtree, is_unit, params, Conn, Tx, Value};
use crate::error::Result;
use crate::model::Period;

// ---------------------------------------------------------------- the catalogue

/// An indicator of the catalogue, as stored. Its rules — who fills it, how a value
/// is typed — are [`crate::indicators`]'.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub unit: String,
    pub filled_by: String,
    pub position: i64,
    pub retired_at: Option<String>,
    /// `stock` or `flow`.
    pub measure: String,
}

/// The whole catalogue, in its order (retired ones included).
pub fn catalogue(conn: &Conn) -> Result<Vec<Indicator>> {
    conn.all(
        "SELECT code, name_zh, name_en, kind, unit, filled_by, position, retired_at, measure FROM indicator ORDER BY position",
        params![],
        |r| {
            Ok(Indicator {
                code: r.get(0)?,
                name_zh: r.get(1)?,
                name_en: r.get(2)?,
                kind: r.get(3)?,
                unit: r.get(4)?,
                filled_by: r.get(5)?,
                position: r.get(6)?,
                retired_at: r.get(7)?,
                measure: r.get(8)?,
            })
        },
    )
}

/// Whether an indicator with this code exists (retired or not).
pub fn indicator_exists(conn: &Conn, code: &str) -> Result<bool> {
    conn.one("SELECT count(*) > 0 FROM indicator WHERE code = ?1", params![code], |r| r.get(0))
}

/// The position a new indicator takes: after the last.
pub fn next_position(conn: &Conn) -> Result<i64> {
    conn.one("SELECT COALESCE(max(position), 0) + 1 FROM indicator", params![], |r| r.get(0))
}

/// Add an indicator at `position`.
pub fn insert_indicator(conn: &Conn, ind: &Indicator, position: i64, now: &str) -> Result<()> {
    conn.exec(
        "INSERT INTO indicator(code, name_zh, name_en, kind, unit, filled_by, position, created_at, measure)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![ind.code, ind.name_zh, ind.name_en, ind.kind, ind.unit, ind.filled_by, position, now, ind.measure],
    )?;
    Ok(())
}

/// An indicator's retirement time: `None` when there is no such indicator, `Some(None)` when it
/// is in use.
pub fn retired_at(conn: &Conn, code: &str) -> Result<Option<Option<String>>> {
    conn.opt("SELECT retired_at FROM indicator WHERE code = ?1", params![code], |r| r.get(0))
}

/// Retire an indicator as of `now`.
pub fn retire(conn: &Conn, code: &str, now: &str) -> Result<()> {
    conn.exec("UPDATE indicator SET retired_at = ?1 WHERE code = ?2", params![now, code])?;
    Ok(())
}

// ---------------------------------------------------------------- one org's values

/// A value as stored, with who set it and when.
#[derive(Debug, Clone)]
pub struct StoredValue {
    pub value: String,
    pub carried: bool,
    pub set_by: Option<String>,
    pub set_at: String,
}

/// The stored values of an org in a period, by indicator.
pub fn values_of(conn: &Conn, org_id: i64, period: Period) -> Result<BTreeMap<String, StoredValue>> {
    let mut out = BTreeMap::new();
    conn.each(
        "SELECT v.indicator, v.value, v.carried, a.username, v.set_at FROM value v LEFT JOIN account a ON a.id = v.set_by
         WHERE v.org_id = ?1 AND v.period = ?2",
        params![org_id, period.to_string()],
        |r| {
            out.insert(r.get(0)?, StoredValue { value: r.get(1)?, carried: r.get(2)?, set_by: r.get(3)?, set_at: r.get(4)? });
            Ok(())
        },
    )?;
    Ok(out)
}

/// The latest value of each indicator an org stored before `period`: indicator → (value, the
/// period it is from).
pub fn latest_before(conn: &Conn, org_id: i64, period: Period) -> Result<BTreeMap<String, (String, String)>> {
    let mut out: BTreeMap<String, (String, String)> = BTreeMap::new();
    conn.each(
        "SELECT indicator, value, period FROM value WHERE org_id = ?1 AND period < ?2 ORDER BY period DESC",
        params![org_id, period.to_string()],
        |r| {
            out.entry(r.get(0)?).or_insert((r.get(1)?, r.get(2)?));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Set a value (typed or imported): not carried.
pub fn put(conn: &Conn, org_id: i64, period: Period, indicator: &str, value: &str, by: i64, now: &str) -> Result<()> {
    conn.exec(
        "INSERT INTO value(org_id, period, indicator, value, carried, set_by, set_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)
         ON CONFLICT(org_id, period, indicator) DO UPDATE SET value = excluded.value, carried = 0,
             set_by = excluded.set_by, set_at = excluded.set_at",
        params![org_id, period.to_string(), indicator, value, by, now],
    )?;
    Ok(())
}

/// Carry values forward from an earlier period (a no-change confirmation): `(indicator, value)`
/// pairs, in one statement (on PostgreSQL one round trip for all of them, inside the write lock).
pub fn carry(conn: &Conn, org_id: i64, period: Period, values: &[(&str, &str)], by: i64, now: &str) -> Result<()> {
    let period = period.to_string();
    let rows: Vec<Value> = values
        .iter()
        .flat_map(|&(indicator, value)| {
            [
                Value::Int(org_id),
                Value::Text(period.clone()),
                Value::Text(indicator.into()),
                Value::Text(value.into()),
                Value::Int(1),
                Value::Int(by),
                Value::Text(now.into()),
            ]
        })
        .collect();
    conn.insert_rows("value(org_id, period, indicator, value, carried, set_by, set_at)", 7, &rows)
}

// ---------------------------------------------------------------- data states (org_period)

/// The data state of an org in a period: open, filled, confirmed, returned.
pub fn state_of(conn: &Conn, org_id: i64, period: Period) -> Result<String> {
    Ok(conn
        .opt(
            "SELECT state FROM org_period WHERE org_id = ?1 AND period = ?2",
            params![org_id, period.to_string()],
            |r| r.get(0),
        )?
        .unwrap_or_else(|| "open".into()))
}

/// Mark an org's period filled (a value was set), unless it is already further along.
pub fn mark_filled(conn: &Conn, org_id: i64, period: Period, now: &str) -> Result<()> {
    conn.exec(
        "INSERT INTO org_period(org_id, period, state, filled_at) VALUES (?1, ?2, 'filled', ?3)
         ON CONFLICT(org_id, period) DO UPDATE SET filled_at = COALESCE(org_period.filled_at, excluded.filled_at),
             state = CASE WHEN org_period.state = 'open' THEN 'filled' ELSE org_period.state END",
        params![org_id, period.to_string(), now],
    )?;
    Ok(())
}

/// Mark an org's period confirmed by `by`.
pub fn mark_confirmed(conn: &Conn, org_id: i64, period: Period, now: &str, by: i64) -> Result<()> {
    conn.exec(
        "INSERT INTO org_period(org_id, period, state, confirmed_at, confirmed_by) VALUES (?1, ?2, 'confirmed', ?3, ?4)
         ON CONFLICT(org_id, period) DO UPDATE SET state = 'confirmed', confirmed_at = excluded.confirmed_at,
             confirmed_by = excluded.confirmed_by, return_id = NULL",
        params![org_id, period.to_string(), now, by],
    )?;
    Ok(())
}

/// Mark an org's period returned, under the return `return_id` ([`super::returns::insert`]).
pub fn mark_returned(tx: &Tx, org_id: i64, period: Period, return_id: i64) -> Result<()> {
    tx.exec(
        "UPDATE org_period SET state = 'returned', return_id = ?1 WHERE org_id = ?2 AND period = ?3",
        params![return_id, org_id, period.to_string()],
    )?;
    Ok(())
}

/// The due time of an org's returned period, if it is returned.
pub fn return_due(conn: &Conn, org_id: i64, period: Period) -> Result<Option<String>> {
    conn.opt(
        "SELECT r.due FROM org_period op JOIN period_return r ON r.id = op.return_id
         WHERE op.org_id = ?1 AND op.period = ?2 AND op.state = 'returned'",
        params![org_id, period.to_string()],
        |r| r.get(0),
    )
}

/// When an org's period was last returned, and until when: (returned_at, due).
pub fn returned(conn: &Conn, org_id: i64, period: Period) -> Result<(Option<String>, Option<String>)> {
    Ok(conn
        .opt(
            "SELECT returned_at, due FROM period_return WHERE org_id = ?1 AND period = ?2 ORDER BY id DESC LIMIT 1",
            params![org_id, period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or((None, None)))
}

// ---------------------------------------------------------------- what the figures are built from

/// One expected school's figures for a period, as read in one pass over a subtree.
#[derive(Debug, Clone, Default)]
pub struct SchoolRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
    pub kind: String,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    /// Its data state this period.
    pub state: String,
    pub values: BTreeMap<String, String>,
    /// The latest time one of its values was set this period.
    pub last_set: Option<String>,
}

/// Which schools of a subtree a pass reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schools {
    /// Every expected school of the subtree.
    All,
    /// The expected schools the root unit supervises directly.
    Direct,
    /// The expected schools whose supervising unit has not submitted the period: the schools
    /// whose figures are still live (a submitted unit's are in its snapshot).
    Live,
}

/// Stream the expected schools of the subtree `lo..hi` (the root's [`subtree`](crate::model::Org::subtree))
/// with their values for the period, in tree order. A school whose period belongs to another unit
/// than its supervising unit now (it moved after that unit's submission held the period:
/// [`super::schools::held_elsewhere`]) is read with the unit it belongs to, its path for the
/// period that unit's path and its code, so that every pass counts each school once.
pub fn each_school(
    conn: &Conn,
    which: Schools,
    lo: &str,
    hi: &str,
    period: Period,
    mut f: impl FnMut(SchoolRow),
) -> Result<()> {
    let held = super::schools::held_elsewhere(conn, period)?;
    let away: HashSet<i64> = held.iter().map(|h| h.school_id).collect();
    // The moved schools this pass reads where their period belongs, in tree order.
    let mut here: Vec<SchoolRow> = Vec::new();
    for h in &held {
        let inside = match which {
            Schools::All => h.unit_path.as_str() >= lo && h.unit_path.as_str() < hi,
            Schools::Direct => h.unit_path == lo,
            Schools::Live => {
                h.unit_path.as_str() >= lo
                    && h.unit_path.as_str() < hi
                    && !matches!(
                        super::submissions::submission(conn, h.unit_id, period)?.state.as_str(),
                        "submitted" | "auto_submitted"
                    )
            }
        };
        if inside {
            // ?2 the school's id, ?3 unused (every pass binds the same five parameters).
            stream_schools(
                conn,
                "o.id = CAST(?2 AS INTEGER) AND ?3 = ''",
                &h.school_id.to_string(),
                "",
                period,
                |mut s| {
                    s.path = format!("{}{}/", h.unit_path, s.code);
                    here.push(s);
                },
            )?;
        }
    }
    here.sort_by(|a, b| a.path.cmp(&b.path));
    let mut here = here.into_iter().peekable();
    // ?1 the period, ?2 and ?3 the subtree, ?4 and ?5 the period's bounds.
    let place = match which {
        Schools::All => in_subtree("o", "?2", "?3"),
        Schools::Direct => {
            "o.path > ?2 AND o.path < ?3 AND o.parent_id = (SELECT id FROM org WHERE path = ?2 AND deleted_at IS NULL)"
                .to_string()
        }
        Schools::Live => format!(
            "{} AND NOT EXISTS (SELECT 1 FROM submission sub WHERE sub.org_id = o.parent_id
                 AND sub.period = ?1 AND sub.state IN ('submitted', 'auto_submitted'))",
            in_subtree("o", "?2", "?3")
        ),
    };
    stream_schools(conn, &place, lo, hi, period, |s| {
        if away.contains(&s.id) {
            return;
        }
        while here.peek().is_some_and(|m| m.path < s.path) {
            f(here.next().expect("peeked"));
        }
        f(s);
    })?;
    here.for_each(f);
    Ok(())
}

/// The expected schools `place` selects (a condition on `o`, with ?2 and ?3 bound to `lo` and
/// `hi`), each with its values for the period, in tree order, in one query.
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
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = ?1
         LEFT JOIN value v ON v.org_id = o.id AND v.period = ?1
         WHERE {place} AND o.level = 'school' AND {}
         ORDER BY o.path",
        super::schools::expected_clause("?4", "?5")
    );
    let starts = crate::calendar::stored(period.starts());
    let ends = crate::calendar::stored(period.ends());
    let mut cur: Option<SchoolRow> = None;
    conn.each(&sql, params![period.to_string(), lo, hi, starts, ends], |r| {
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
        if let Some(ind) = r.get::<Option<String>>(8)? {
            c.values.insert(ind, r.get(9)?);
            let at: String = r.get(10)?;
            if c.last_set.as_deref().is_none_or(|l| at.as_str() > l) {
                c.last_set = Some(at);
            }
        }
        Ok(())
    })?;
    if let Some(done) = cur {
        f(done);
    }
    Ok(())
}

/// One of a unit's own values for a period, with when it was set.
#[derive(Debug, Clone)]
pub struct OwnValue {
    pub indicator: String,
    pub value: String,
    pub set_at: Option<String>,
}

/// One row of [`each_unit_value`]: a unit, its data state, and one of its own values (none when
/// it has none).
#[derive(Debug, Clone)]
pub struct UnitValue {
    pub code: String,
    pub parent: Option<String>,
    pub path: String,
    pub state: String,
    pub value: Option<OwnValue>,
}

fn own_value(r: &super::Row, at: usize) -> Result<Option<OwnValue>> {
    Ok(match r.get::<Option<String>>(at)? {
        Some(indicator) => Some(OwnValue { indicator, value: r.get(at + 1)?, set_at: r.get(at + 2)? }),
        None => None,
    })
}

/// Stream every admin unit of the subtree `lo..hi` created before `period` ended, with its data
/// state and own values for the period: a row per value (one row for a unit without any).
pub fn each_unit_value(conn: &Conn, lo: &str, hi: &str, period: Period, mut f: impl FnMut(UnitValue)) -> Result<()> {
    let sql = format!(
        "SELECT o.code, p.code, o.path, COALESCE(op.state, 'open'), v.indicator, v.value, v.set_at FROM org o
         LEFT JOIN org p ON p.id = o.parent_id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = ?1
         LEFT JOIN value v ON v.org_id = o.id AND v.period = ?1
         WHERE {} AND {} AND o.created_at < ?4",
        in_subtree("o", "?2", "?3"),
        is_unit("o")
    );
    let ends = crate::calendar::stored(period.ends());
    conn.each(&sql, params![period.to_string(), lo, hi, ends], |r| {
        f(UnitValue { code: r.get(0)?, parent: r.get(1)?, path: r.get(2)?, state: r.get(3)?, value: own_value(r, 4)? });
        Ok(())
    })
}

/// One org's data state for a period and its own values: the state, and each value.
pub fn own_values(conn: &Conn, org_id: i64, period: Period) -> Result<(String, Vec<OwnValue>)> {
    let mut state = String::new();
    let mut values = Vec::new();
    conn.each(
        "SELECT COALESCE(op.state, 'open'), v.indicator, v.value, v.set_at FROM org o
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = ?1
         LEFT JOIN value v ON v.org_id = o.id AND v.period = ?1
         WHERE o.id = ?2",
        params![period.to_string(), org_id],
        |r| {
            state = r.get(0)?;
            values.extend(own_value(r, 1)?);
            Ok(())
        },
    )?;
    Ok((state, values))
}
