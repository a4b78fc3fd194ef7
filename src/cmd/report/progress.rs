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
use crate::cmd::parse_period;

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
    crate::submission::catch_up(db)?;
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

/// What the acting account may do next about a child (machine names; words for a person).
#[allow(clippy::too_many_arguments)]
fn next_actions(
    conn: &crate::store::Conn,
    actor: &crate::auth::Actor,
    parent: &Org,
    parent_state: crate::cycle::UnitState,
    child: &Org,
    state: &str,
    period: Period,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>> {
    use crate::account::Role;
    let mut next = Vec::new();
    let submitted = matches!(state, "submitted" | "auto_submitted");
    let is = |role: Role, org: &Org| actor.role == role && actor.org.id == org.id;
    if child.level == Level::School {
        if is(Role::Reviewer, parent) && state == "confirmed" && !parent_state.is_submitted() {
            next.push("return".to_string());
        }
        if is(Role::Admin, parent) && state != "confirmed" {
            next.push("urge".to_string());
        }
        return Ok(next);
    }
    if is(Role::Reviewer, child) {
        let f = crate::submission::facts(conn, child, period, now)?;
        if crate::cycle::can_submit(&f).is_ok() {
            next.push("submit".to_string());
        }
        if crate::cycle::can_request_withdrawal(&f).is_ok() {
            next.push("withdraw_request".to_string());
        }
    }
    if is(Role::Reviewer, parent) && submitted && !parent_state.is_submitted() {
        next.push("return".to_string());
        let pending: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT id FROM request WHERE kind = 'withdraw' AND status = 'pending' AND org_id = ?1 AND period = ?2",
            rusqlite::params![child.id, period.to_string()],
            |r| r.get(0),
        ))?;
        if let Some(id) = pending {
            next.push(format!("approve_withdrawal:{id}"));
        }
    }
    if is(Role::Inspector, child) && submitted {
        next.push("ratify".to_string());
    }
    if is(Role::Admin, parent) && !submitted {
        next.push("urge".to_string());
    }
    Ok(next)
}

fn next_words(out: &Out, next: &[String]) -> Cell {
    if out.is_machine() {
        return Cell::from(next.join(" "));
    }
    let words: Vec<String> = next
        .iter()
        .map(|n| match n.split_once(':') {
            Some((_, id)) => tf("next.approve_withdrawal", &[("id", &id)]),
            None => crate::i18n::t(match n.as_str() {
                "submit" => "next.submit",
                "withdraw_request" => "next.withdraw_request",
                "return" => "next.return",
                "ratify" => "next.ratify",
                _ => "next.urge",
            })
            .to_string(),
        })
        .collect();
    Cell::from(words.join(", "))
}

pub fn status(ctx: &mut Ctx, a: StatusArgs) -> Result<()> {
    let out = ctx.out.clone();
    let unit = root(ctx, a.under.as_deref())?;
    let actor = ctx.actor()?;
    let db = ctx.db()?;
    let period = period_for(&out, db, &unit, a.period)?;
    let cat = values::catalogue(&db.conn)?;
    let aggs = aggregate::aggregate(&db.conn, &unit, period, &cat)?;
    let parent_state = crate::submission::submission(&db.conn, unit.id, period)?.unit_state();
    // The unit itself, on stderr: its own submission.
    let own = crate::submission::submission(&db.conn, unit.id, period)?;
    out.status(&format!("{} {} {}: {}", unit.code, unit.name, period, crate::i18n::t(state_key(&own.state))));
    // Schools directly under the unit: their own rows.
    let mut schools = std::collections::HashMap::new();
    aggregate::for_each_direct_school(&db.conn, &unit, period, |s| {
        schools.insert(s.code.clone(), s);
    })?;
    let mut rows = Vec::new();
    for child in aggregate::children(&db.conn, &unit)? {
        let lock = values::lock(&db.conn, &child, period, db.now)?.map(|l| l.reason);
        if child.level == Level::School {
            // A school that is not expected this period (merged, revoked, too new) has no row.
            let Some(s) = schools.get(&child.code) else { continue };
            let next = next_actions(&db.conn, &actor, &unit, parent_state, &child, &s.state, period, db.now)?;
            let due: Option<String> = rusqlite::OptionalExtension::optional(db.conn.query_row(
                "SELECT return_due FROM org_period WHERE org_id = ?1 AND period = ?2 AND state = 'returned'",
                rusqlite::params![child.id, period.to_string()],
                |r| r.get(0),
            ))?
            .flatten();
            rows.push(vec![
                Cell::from(&child.code),
                Cell::from(&child.name),
                out.word(child.level.as_str(), child.level.label()),
                state_word(&out, &s.state),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                when(&out, due.as_deref()),
                Cell::Int((s.state == "confirmed") as i64),
                Cell::Int(1),
                when(&out, s.last_set.as_deref()),
                next_words(&out, &next),
                Cell::from(lock),
            ]);
        } else {
            if child.created_at >= crate::calendar::stored(period.ends()) {
                continue;
            }
            let agg = aggs.get(&child.code).cloned().unwrap_or_default();
            let sub = crate::submission::submission(&db.conn, child.id, period)?;
            let next = next_actions(&db.conn, &actor, &unit, parent_state, &child, &sub.state, period, db.now)?;
            let auto = sub.state == "auto_submitted" || (sub.submitted_at.is_some() && sub.submitted_by.is_none());
            rows.push(vec![
                Cell::from(&child.code),
                Cell::from(&child.name),
                out.word(child.level.as_str(), child.level.label()),
                state_word(&out, &sub.state),
                state_word(&out, if agg.own_state.is_empty() { "open" } else { &agg.own_state }),
                when(&out, sub.submitted_at.as_deref()),
                Cell::from(
                    sub.submitted_by.clone().or_else(|| sub.submitted_at.as_ref().map(|_| "system".to_string())),
                ),
                Cell::Bool(auto),
                Cell::Bool(sub.ratified_at.is_some()),
                when(&out, if sub.state == "returned" { sub.return_due.as_deref() } else { None }),
                Cell::Int(agg.schools_confirmed),
                Cell::Int(agg.schools_expected),
                when(&out, agg.last_change.as_deref()),
                next_words(&out, &next),
                Cell::from(lock),
            ]);
        }
    }
    out.list(
        &[
            ("code", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("state", "col.state"),
            ("data_state", "col.data_state"),
            ("submitted_at", "col.submitted_at"),
            ("submitted_by", "col.submitted_by"),
            ("auto", "col.auto"),
            ("ratified", "col.ratified"),
            ("due", "col.due"),
            ("schools_confirmed", "col.schools_confirmed"),
            ("schools_expected", "col.schools_expected"),
            ("last_change", "col.last_change"),
            ("next", "col.next"),
            ("lock_reason", "col.lock_reason"),
        ],
        &rows,
    )
}

fn state_key(state: &str) -> &'static str {
    match state {
        "submitted" => "state.submitted",
        "auto_submitted" => "state.auto_submitted",
        "returned" => "state.returned",
        "filled" => "state.filled",
        "confirmed" => "state.confirmed",
        _ => "state.open",
    }
}

pub fn missing(ctx: &mut Ctx, a: MissingArgs) -> Result<()> {
    let out = ctx.out.clone();
    let unit = root(ctx, a.under.as_deref())?;
    let db = ctx.db()?;
    let period = period_for(&out, db, &unit, a.period)?;
    let (lo, hi) = unit.subtree();
    // Every unit below the Ministry not yet submitted and every expected school not yet
    // confirmed, with the first active admin (or school admin) as the contact.
    let sql = format!(
        "SELECT o.code, o.name, o.level, p.code,
                CASE WHEN o.level = 'school' THEN COALESCE(op.state, 'open') ELSE COALESCE(sub.state, 'open') END, s.kind,
                (SELECT a.name || char(31) || a.mobile || char(31) || COALESCE(a.email, '')
                 FROM account a WHERE a.org_id = o.id AND a.status = 'active' AND a.role IN ('admin', 'school_admin')
                 ORDER BY a.username LIMIT 1)
         FROM org o LEFT JOIN org p ON p.id = o.parent_id
         LEFT JOIN school s ON s.org_id = o.id
         LEFT JOIN org_period op ON op.org_id = o.id AND op.period = :period
         LEFT JOIN submission sub ON sub.org_id = o.id AND sub.period = :period
         WHERE o.path >= :lo AND o.path < :hi AND o.level <> 'ministry'
           AND ((o.level <> 'school' AND o.created_at < :period_end
                 AND COALESCE(sub.state, 'open') NOT IN ('submitted', 'auto_submitted'))
             OR (o.level = 'school' AND ({EXPECTED_SQL}) AND COALESCE(op.state, 'open') <> 'confirmed'))
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
