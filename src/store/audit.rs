//! Storage of the audit trail (`audit`): appended in bulk, read back in order, filtered. The
//! table is append-only (triggers refuse UPDATE and DELETE); nothing here changes a stored event.

use sha2::{Digest, Sha256};

use super::{params, Conn, Dialect, Param, Row, Value};
use crate::error::Result;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash an event has, from its fields and the hash before it: SHA-256 of the fields written
/// as one JSON array (docs/SECURITY.md), hex.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    seq: i64,
    at: &str,
    actor: &str,
    actor_unit: Option<&str>,
    action: &str,
    target: Option<&str>,
    scope_path: Option<&str>,
    period: Option<&str>,
    detail: &str,
    reason: Option<&str>,
    prev: &str,
) -> String {
    // A JSON array is an unambiguous encoding of the fields (no separator can be forged); it is
    // written straight into the hasher (the same bytes as building the array and printing it).
    let mut hasher = Sha256::new();
    let fields = (seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev);
    serde_json::to_writer(&mut hasher, &fields).expect("hashing cannot fail");
    hex(&hasher.finalize())
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// One event to append, its detail already JSON text.
pub struct NewEvent {
    pub action: String,
    pub target: Option<String>,
    pub scope_path: Option<String>,
    pub period: Option<String>,
    pub detail: String,
    pub reason: Option<String>,
}

/// Append events to the chain after `head` (sequence number and hash; `(0, GENESIS)` for an
/// empty chain), all by one actor at one time, a batch per statement; the new head.
pub fn append_events(
    conn: &Conn,
    head: (i64, String),
    actor: &str,
    actor_unit: Option<&str>,
    at: &str,
    events: impl IntoIterator<Item = NewEvent>,
) -> Result<(i64, String)> {
    let (mut seq, mut prev) = head;
    let mut rows: Vec<Value> = Vec::new();
    for ev in events {
        seq += 1;
        let hash = chain_hash(
            seq,
            at,
            actor,
            actor_unit,
            &ev.action,
            ev.target.as_deref(),
            ev.scope_path.as_deref(),
            ev.period.as_deref(),
            &ev.detail,
            ev.reason.as_deref(),
            &prev,
        );
        rows.extend([
            Value::Int(seq),
            Value::Text(at.to_string()),
            Value::Text(actor.to_string()),
            Value::from(actor_unit),
            Value::Text(ev.action),
            Value::from(ev.target),
            Value::from(ev.scope_path),
            Value::from(ev.period),
            Value::Text(ev.detail),
            Value::from(ev.reason),
            Value::Text(std::mem::replace(&mut prev, hash.clone())),
            Value::Text(hash),
        ]);
    }
    append(conn, &rows)?;
    Ok((seq, prev))
}

/// A stored event, as read back.
#[derive(Debug, Clone)]
pub struct Stored {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub actor_unit: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub scope_path: Option<String>,
    pub period: Option<String>,
    pub detail: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Every column of an event, in the order [`stored_from_row`] reads and [`append`] writes them.
pub const STORED_COLUMNS: &str =
    "seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash";

/// The values [`append`] takes per event.
pub const WIDTH: usize = 12;

pub fn stored_from_row(r: &Row) -> Result<Stored> {
    Ok(Stored {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        actor_unit: r.get(3)?,
        action: r.get(4)?,
        target: r.get(5)?,
        scope_path: r.get(6)?,
        period: r.get(7)?,
        detail: r.get(8)?,
        reason: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// The newest event's sequence number and hash, if there is one.
pub fn head(conn: &Conn) -> Result<Option<(i64, String)>> {
    conn.opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", params![], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// The newest event's sequence number, hash and time, if there is one.
pub fn head_at(conn: &Conn) -> Result<Option<(i64, String, String)>> {
    conn.opt("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1", params![], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// The hash of event `seq`, if it is stored.
pub fn hash_at(conn: &Conn, seq: i64) -> Result<Option<String>> {
    conn.opt("SELECT hash FROM audit WHERE seq = ?1", params![seq], |r| r.get(0))
}

/// Append events, given flattened ([`WIDTH`] values each, in [`STORED_COLUMNS`] order), a batch
/// per statement.
pub fn append(conn: &Conn, values: &[Value]) -> Result<()> {
    conn.insert_rows(
        "audit(seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash)",
        WIDTH,
        values,
    )
}

/// Every event in sequence order, streamed through `f` while it answers `true`.
pub fn scan(conn: &Conn, mut f: impl FnMut(Stored) -> Result<bool>) -> Result<()> {
    conn.scan(&format!("SELECT {STORED_COLUMNS} FROM audit ORDER BY seq"), params![], |r| f(stored_from_row(r)?))
}

/// Which events a reader asks for; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A subtree's path bounds (`Org::subtree`): events whose scope path lies inside.
    pub within: Option<(String, String)>,
    /// Stored times: at or after `since`, before `until`.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Events by any of these actors (usernames, or `system`).
    pub actors: Option<Vec<String>>,
    /// An action, or a family of actions (`submit` matches `submit` and `submit.auto`).
    pub action: Option<String>,
    pub target: Option<String>,
    pub period: Option<String>,
    /// Value events of this indicator (their detail names it).
    pub indicator: Option<String>,
}

impl Filter {
    /// The `WHERE` clause (empty when nothing is asked) and its values, every value bound.
    fn clause(&self, dialect: Dialect) -> (String, Vec<Value>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: &str, args: &mut Vec<Value>| {
            args.push(Value::Text(v.to_string()));
            format!("?{}", args.len())
        };
        if let Some((lo, hi)) = &self.within {
            let (lo, hi) = (arg(lo, &mut args), arg(hi, &mut args));
            clauses.push(format!("scope_path >= {lo} AND scope_path < {hi}"));
        }
        if let Some(s) = &self.since {
            clauses.push(format!("at >= {}", arg(s, &mut args)));
        }
        if let Some(u) = &self.until {
            clauses.push(format!("at < {}", arg(u, &mut args)));
        }
        if let Some(names) = &self.actors {
            let list: Vec<String> = names.iter().map(|n| arg(n, &mut args)).collect();
            clauses.push(if list.is_empty() { "0 = 1".into() } else { format!("actor IN ({})", list.join(", ")) });
        }
        if let Some(x) = &self.action {
            let prefix = format!("{x}.");
            let (x, p1, p2) = (arg(x, &mut args), arg(&prefix, &mut args), arg(&prefix, &mut args));
            clauses.push(format!("(action = {x} OR substr(action, 1, length({p1})) = {p2})"));
        }
        if let Some(x) = &self.target {
            clauses.push(format!("target = {}", arg(x, &mut args)));
        }
        if let Some(p) = &self.period {
            clauses.push(format!("period = {}", arg(p, &mut args)));
        }
        if let Some(i) = &self.indicator {
            // The indicator a value event's detail names.
            let field = match dialect {
                Dialect::Sqlite => "json_extract(detail, '$.indicator')",
                Dialect::Postgres => "(detail::jsonb ->> 'indicator')",
            };
            clauses.push(format!("{field} = {}", arg(i, &mut args)));
        }
        let clause = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        (clause, args)
    }
}

fn bound(args: &[Value]) -> Vec<&dyn Param> {
    args.iter().map(|v| v as &dyn Param).collect()
}

/// The newest `limit` matching events (all with `None`), oldest first.
pub fn latest(conn: &Conn, filter: &Filter, limit: Option<usize>) -> Result<Vec<Stored>> {
    let (clause, args) = filter.clause(conn.dialect());
    let limit = limit.map_or(String::new(), |n| format!("LIMIT {n}"));
    let sql =
        format!("SELECT * FROM (SELECT {STORED_COLUMNS} FROM audit {clause} ORDER BY seq DESC {limit}) t ORDER BY seq");
    conn.all(&sql, &bound(&args), stored_from_row)
}

/// How many events the filter matches.
pub fn count(conn: &Conn, filter: &Filter) -> Result<i64> {
    let (clause, args) = filter.clause(conn.dialect());
    conn.one(&format!("SELECT COUNT(*) FROM audit {clause}"), &bound(&args), |r| r.get(0))
}

/// Every matching event in sequence order, streamed (a million events in constant memory).
pub fn each_matching(conn: &Conn, filter: &Filter, mut f: impl FnMut(Stored) -> Result<()>) -> Result<()> {
    let (clause, args) = filter.clause(conn.dialect());
    let sql = format!("SELECT {STORED_COLUMNS} FROM audit {clause} ORDER BY seq");
    conn.each(&sql, &bound(&args), |r| f(stored_from_row(r)?))
}
