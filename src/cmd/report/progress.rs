//! `eip report status | missing` (SPEC §4.5, Art. 7, 16): who has filled and confirmed, and the
//! 催报 list with each responsible person's contact.

use clap::Args;
use rusqlite::named_params;

use crate::aggregate;
use crate::calendar::{self, Period};
use crate::context::Ctx;
use crate::error::{self, Result};
use crate::hierarchy::{self, Level, Org};
use crate::i18n::tf;
use crate::output::{Cell, Out};
use crate::schools::EXPECTED_SQL;
use crate::values;

use super::data::{period_for, state_word};
use super::parse_period;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// The unit whose direct children to show [default: your own unit]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
}

#[derive(Debug, Args)]
pub struct MissingArgs {
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// Everything below this unit [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
}

/// The unit a progress report starts from: `--under` in scope, else the actor's unit.
fn root(ctx: &mut Ctx, under: Option<&str>) -> Result<Org> {
    let (db, actor) = ctx.signed_in()?;
    let org = match under {
        Some(c) => hierarchy::unit_in_scope(&db.conn, actor.scope(), c.trim())?,
        None => actor.scope().clone(),
    };
    if !org.level.is_unit() {
        return Err(error::not_found(tf("unit.none", &[("code", &org.code)])).into());
    }
    Ok(org)
}

fn when(out: &Out, s: Option<&str>) -> Cell {
    Cell::from(s.map(|v| {
        calendar::parse_stored(v).map_or(v.to_string(), |t| {
            if out.is_machine() {
                calendar::rfc3339_cst(t)
            } else {
                calendar::show_cst(t, false)
            }
        })
    }))
}

pub fn status(ctx: &mut Ctx, a: StatusArgs) -> Result<()> {
    let out = ctx.out.clone();
    let unit = root(ctx, a.under.as_deref())?;
    let db = ctx.db()?;
    let period = period_for(&out, db, &unit, a.period)?;
    let cat = values::catalogue(&db.conn)?;
    let aggs = aggregate::aggregate(&db.conn, &unit, period, &cat)?;
    // Schools directly under the unit: their own rows from the same pass.
    let mut schools = std::collections::HashMap::new();
    aggregate::for_each_school(&db.conn, &unit, period, |s| {
        if s.path == unit.child_path(&s.code) {
            schools.insert(s.code.clone(), s);
        }
    })?;
    let mut rows = Vec::new();
    for child in aggregate::children(&db.conn, &unit)? {
        if child.level == Level::School {
            // A school that is not expected this period (merged, revoked, too new) has no row.
            let Some(s) = schools.get(&child.code) else { continue };
            rows.push(vec![
                Cell::from(&child.code),
                Cell::from(&child.name),
                out.word(child.level.as_str(), child.level.label()),
                state_word(&out, &s.state),
                Cell::Int((s.state == "confirmed") as i64),
                Cell::Int(1),
                when(&out, s.last_set.as_deref()),
            ]);
        } else {
            let agg = aggs.get(&child.code).cloned().unwrap_or_default();
            rows.push(vec![
                Cell::from(&child.code),
                Cell::from(&child.name),
                out.word(child.level.as_str(), child.level.label()),
                state_word(&out, if agg.own_state.is_empty() { "open" } else { &agg.own_state }),
                Cell::Int(agg.schools_confirmed),
                Cell::Int(agg.schools_expected),
                when(&out, agg.last_change.as_deref()),
            ]);
        }
    }
    out.list(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("state", "col.state"),
            ("schools_confirmed", "col.schools_confirmed"),
            ("schools_expected", "col.schools_expected"),
            ("last_change", "col.last_change"),
        ],
        &rows,
    )
}

pub fn missing(ctx: &mut Ctx, a: MissingArgs) -> Result<()> {
    let out = ctx.out.clone();
    let unit = root(ctx, a.under.as_deref())?;
    let db = ctx.db()?;
    let period = period_for(&out, db, &unit, a.period)?;
    let (lo, hi) = unit.subtree();
    // Every unit below the Ministry and every expected school, not yet confirmed, with the first
    // active admin (or school admin) as the contact.
    let sql = format!(
        "SELECT o.code, o.name, o.level, p.code, COALESCE(op.state, 'open'), s.kind,
                (SELECT a.name || char(31) || a.mobile || char(31) || COALESCE(a.email, '')
                 FROM account a WHERE a.org_id = o.id AND a.status = 'active' AND a.role IN ('admin', 'school_admin')
                 ORDER BY a.username LIMIT 1)
         FROM org o LEFT JOIN org p ON p.id = o.parent_id
         LEFT JOIN school s ON s.org_id = o.id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = :period
         WHERE o.path >= :lo AND o.path < :hi AND o.level <> 'ministry'
           AND (o.level <> 'school' OR ({EXPECTED_SQL}))
           AND COALESCE(op.state, 'open') <> 'confirmed'
         ORDER BY o.path"
    );
    let mut stmt = db.conn.prepare(&sql)?;
    let mut q = stmt.query(named_params! {
        ":period": period.to_string(),
        ":lo": lo,
        ":hi": hi,
        ":period_start": calendar::stored(period.starts()),
        ":period_end": calendar::stored(period.ends()),
    })?;
    let mut rows = Vec::new();
    while let Some(r) = q.next()? {
        let level: String = r.get(2)?;
        let level = Level::parse(&level).unwrap_or(Level::School);
        let contact: Option<String> = r.get(6)?;
        let mut parts = contact.as_deref().unwrap_or("").split('\u{1f}').map(str::to_string);
        let (name, mobile, email) = (parts.next(), parts.next(), parts.next());
        let state: String = r.get(4)?;
        rows.push(vec![
            Cell::from(r.get::<_, String>(0)?),
            Cell::from(r.get::<_, String>(1)?),
            out.word(level.as_str(), level.label()),
            Cell::from(r.get::<_, Option<String>>(3)?),
            state_word(&out, &state),
            Cell::from(name.filter(|s| !s.is_empty())),
            Cell::from(mobile.filter(|s| !s.is_empty())),
            Cell::from(email.filter(|s| !s.is_empty())),
        ]);
    }
    out.list(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("parent", "col.parent"),
            ("state", "col.state"),
            ("contact", "col.contact"),
            ("mobile", "col.mobile"),
            ("email", "col.email"),
        ],
        &rows,
    )
}
