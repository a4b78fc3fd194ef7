//! The audit trail (SPEC §7, Art. 22): one event per change, in the same transaction, each
//! hashed with the one before it so that any edit behind the tool's back is found.

use crate::store::Conn;
use rusqlite::OptionalExtension;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::db::Tx;
use crate::error::Result;

pub use crate::model::AuditActor;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub action: String,
    pub target: Option<String>,
    /// The tree path the event belongs to (the target org's, or the actor's unit's), so a unit
    /// sees its subtree's events.
    pub scope_path: Option<String>,
    pub period: Option<String>,
    /// Before and after.
    pub detail: Value,
    pub reason: Option<String>,
}

impl Event {
    pub fn new(action: &str) -> Self {
        Event { action: action.into(), detail: json!({}), ..Default::default() }
    }
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
    pub fn scope(mut self, path: impl Into<String>) -> Self {
        self.scope_path = Some(path.into());
        self
    }
    pub fn period(mut self, period: impl Into<String>) -> Self {
        self.period = Some(period.into());
        self
    }
    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
    pub fn reason(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_string);
        self
    }
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

impl Stored {
    /// The hash this event should have, from its contents and the hash before it.
    pub fn expected_hash(&self) -> String {
        chain_hash(
            self.seq,
            &self.at,
            &self.actor,
            self.actor_unit.as_deref(),
            &self.action,
            self.target.as_deref(),
            self.scope_path.as_deref(),
            self.period.as_deref(),
            &self.detail,
            self.reason.as_deref(),
            &self.prev_hash,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
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

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

impl Tx<'_> {
    /// Append one event to the chain, inside this transaction.
    pub fn audit(&mut self, ev: Event) -> Result<()> {
        self.audit_many([ev])
    }

    /// Append events to the chain in order, inside this transaction, a batch per statement
    /// (`db::insert_rows`): a bulk import's events cost little more than their rows.
    pub fn audit_many(&mut self, events: impl IntoIterator<Item = Event>) -> Result<()> {
        use crate::store::Value as V;
        let (mut seq, mut prev): (i64, String) = match self.head.take() {
            Some(h) => h,
            None => self
                .opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", crate::store::params![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .unwrap_or((0, GENESIS.to_string())),
        };
        let at = self.now_stored();
        let mut rows: Vec<V> = Vec::new();
        for ev in events {
            seq += 1;
            let detail = ev.detail.to_string();
            let hash = chain_hash(
                seq,
                &at,
                &self.actor.name,
                self.actor.unit.as_deref(),
                &ev.action,
                ev.target.as_deref(),
                ev.scope_path.as_deref(),
                ev.period.as_deref(),
                &detail,
                ev.reason.as_deref(),
                &prev,
            );
            rows.extend([
                V::Int(seq),
                V::Text(at.clone()),
                V::Text(self.actor.name.clone()),
                V::from(self.actor.unit.clone()),
                V::Text(ev.action),
                V::from(ev.target),
                V::from(ev.scope_path),
                V::from(ev.period),
                V::Text(detail),
                V::from(ev.reason),
                V::Text(std::mem::replace(&mut prev, hash.clone())),
                V::Text(hash),
            ]);
        }
        crate::db::insert_rows(
            self,
            "audit(seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash)",
            12,
            &rows,
        )?;
        self.head = Some((seq, prev));
        Ok(())
    }
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's contents do not give its hash.
    Hash(i64),
    /// The event's `prev_hash` is not the previous event's hash.
    Prev(i64),
    /// Sequence numbers skip: events before this one are missing.
    Gap(i64),
}

pub const STORED_COLUMNS: &str =
    "seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash";

pub fn stored_from_row(r: &rusqlite::Row) -> rusqlite::Result<Stored> {
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

/// Walk the whole chain; `Ok(count)` if intact.
pub fn verify(conn: &Conn) -> Result<std::result::Result<i64, Break>> {
    let mut stmt = conn.prepare(&format!("SELECT {STORED_COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let ev = stored_from_row(row)?;
        if ev.seq != expected_seq {
            return Ok(Err(Break::Gap(ev.seq)));
        }
        if ev.prev_hash != prev {
            return Ok(Err(Break::Prev(ev.seq)));
        }
        if ev.expected_hash() != ev.hash {
            return Ok(Err(Break::Hash(ev.seq)));
        }
        prev = ev.hash;
        expected_seq += 1;
        count += 1;
    }
    Ok(Ok(count))
}

/// The head of the chain written down (docs/SECURITY.md): a chain cannot show that its newest events
/// were cut off, but a head kept elsewhere can. The file is one JSON object:
/// `{"eip_audit_checkpoint": 1, "seq": N, "hash": "…", "at": "…", "taken_at": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The format's version; always 1.
    pub eip_audit_checkpoint: u32,
    /// The newest event's sequence number and hash, and its time (as stored, UTC).
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// When the checkpoint was taken.
    pub taken_at: String,
}

/// Why a checkpoint file is not one.
pub fn parse_checkpoint(bytes: &[u8]) -> std::result::Result<Checkpoint, String> {
    let cp: Checkpoint = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if cp.eip_audit_checkpoint != 1 {
        return Err(format!("format version {} is unknown", cp.eip_audit_checkpoint));
    }
    if cp.seq < 1 {
        return Err(format!("event {} cannot be a chain's head", cp.seq));
    }
    if cp.hash.len() != 64 || !cp.hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err("its hash is not 64 hexadecimal digits".into());
    }
    Ok(cp)
}

/// The chain's head now, as a checkpoint taken at `taken_at`; `None` for an empty chain.
pub fn checkpoint(conn: &Conn, taken_at: &str) -> Result<Option<Checkpoint>> {
    Ok(conn
        .query_row("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok(Checkpoint {
                eip_audit_checkpoint: 1,
                seq: r.get(0)?,
                hash: r.get(1)?,
                at: r.get(2)?,
                taken_at: taken_at.to_string(),
            })
        })
        .optional()?)
}

/// How an intact chain of `count` events (1..=count) stands against a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The event at the checkpoint's sequence number has its hash.
    Reached,
    /// The chain ends before the checkpoint's event: events were cut off.
    EndsAt(i64),
    /// The event at that sequence number is another one.
    Differs,
}

pub fn reaches(conn: &Conn, count: i64, cp: &Checkpoint) -> Result<Reach> {
    if cp.seq > count {
        return Ok(Reach::EndsAt(count));
    }
    let hash: Option<String> =
        conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [cp.seq], |r| r.get(0)).optional()?;
    Ok(if hash.as_deref() == Some(cp.hash.as_str()) { Reach::Reached } else { Reach::Differs })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is taken over exactly the bytes of the fields printed as a JSON array, as the
    /// chains already stored were hashed: writing into the hasher must not change one byte.
    #[test]
    fn chain_hash_is_the_json_array_of_the_fields() {
        let cases = [
            (
                1,
                "2026-01-01T00:00:00Z",
                "000000-A01",
                Some("000000"),
                "unit.add",
                Some("130000"),
                None,
                None,
                "{}",
                None,
            ),
            (
                524_288,
                "2026-11-20T02:00:00Z",
                "system",
                None,
                "school.add",
                Some("2113000001"),
                Some("/000000/130000/130100/130102/2113000001/"),
                Some("2026-10"),
                r#"{"after":{"name":"基准学校 \"一\"\n\\","students":300}}"#,
                Some("合并\t撤销"),
            ),
        ];
        for (seq, at, actor, unit, action, target, scope, period, detail, reason) in cases {
            let printed =
                json!([seq, at, actor, unit, action, target, scope, period, detail, reason, GENESIS]).to_string();
            assert_eq!(
                chain_hash(seq, at, actor, unit, action, target, scope, period, detail, reason, GENESIS),
                hex(&Sha256::digest(printed.as_bytes())),
                "{printed}"
            );
        }
    }

    #[test]
    fn checkpoints_parse_only_what_eip_writes() {
        let good = Checkpoint {
            eip_audit_checkpoint: 1,
            seq: 7,
            hash: "ab".repeat(32),
            at: "2026-11-20T02:00:00Z".into(),
            taken_at: "2026-11-20T02:00:01Z".into(),
        };
        let text = serde_json::to_vec(&good).unwrap();
        assert_eq!(parse_checkpoint(&text).unwrap(), good);
        for bad in [
            &b"{}"[..],
            b"\xff\x00",
            br#"{"eip_audit_checkpoint":2,"seq":7,"hash":"","at":"","taken_at":""}"#,
            br#"{"eip_audit_checkpoint":1,"seq":0,"hash":"","at":"","taken_at":""}"#,
            br#"{"eip_audit_checkpoint":1,"seq":7,"hash":"XYZ","at":"","taken_at":""}"#,
        ] {
            assert!(parse_checkpoint(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
