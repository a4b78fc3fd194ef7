//! The audit trail (Art. 22): one event per change, in the same transaction, each
//! hashed with the one before it so that any edit behind the tool's back is found.

use serde_json::{json, Value};

use crate::error::Result;
use crate::i18n::{t, tf};
use crate::model::{Actor, MINISTRY_CODE};
use crate::perm::{self, Action};
use crate::store::{self, Conn, Tx};

pub use crate::model::AuditActor;
pub use crate::store::audit::{Filter, Stored, STORED_COLUMNS};

use crate::store::audit::chain_hash;
pub use crate::store::audit::{hex, GENESIS};

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

impl Tx<'_> {
    /// Append one event to the chain, inside this transaction.
    pub fn audit(&mut self, ev: Event) -> Result<()> {
        self.audit_many([ev])
    }

    /// Append events to the chain in order, inside this transaction, a batch per statement
    /// (`db::insert_rows`): a bulk import's events cost little more than their rows.
    pub fn audit_many(&mut self, events: impl IntoIterator<Item = Event>) -> Result<()> {
        let head = match self.head.take() {
            Some(h) => h,
            None => store::audit::head(self)?.unwrap_or((0, GENESIS.to_string())),
        };
        let events = events.into_iter().map(|ev| store::audit::NewEvent {
            detail: ev.detail.to_string(),
            action: ev.action,
            target: ev.target,
            scope_path: ev.scope_path,
            period: ev.period,
            reason: ev.reason,
        });
        let at = self.now_stored();
        let (name, unit) = (self.actor.name.clone(), self.actor.unit.clone());
        self.head = Some(store::audit::append_events(self, head, &name, unit.as_deref(), &at, events)?);
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

/// Walk the whole chain; `Ok(count)` if intact.
pub fn verify(conn: &Conn) -> Result<std::result::Result<i64, Break>> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut broken = None;
    store::audit::scan(conn, |ev| {
        if ev.seq != expected_seq {
            broken = Some(Break::Gap(ev.seq));
        } else if ev.prev_hash != prev {
            broken = Some(Break::Prev(ev.seq));
        } else if ev.expected_hash() != ev.hash {
            broken = Some(Break::Hash(ev.seq));
        } else {
            prev = ev.hash;
            expected_seq += 1;
        }
        Ok(broken.is_none())
    })?;
    Ok(match broken {
        Some(b) => Err(b),
        None => Ok(expected_seq - 1),
    })
}

/// `audit verify` and `audit checkpoint` are the Ministry's admin's and its support's:
/// the chain is the whole file's, which a province's support does not see.
pub fn require_verifier(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::AuditVerify, actor.scope())
}

/// The events a reader asks for, inside what they may read: a unit reads its subtree's events,
/// `under` (a unit in its scope) narrows that, and the Ministry reads everything.
pub fn readable(conn: &Conn, actor: &Actor, under: Option<&str>, mut filter: Filter) -> Result<Filter> {
    let root = match under {
        Some(c) => Some(crate::scope::unit(conn, actor, c)?),
        None if actor.scope().code != MINISTRY_CODE => Some(actor.scope().clone()),
        None => None,
    };
    filter.within = root.map(|r| r.subtree());
    Ok(filter)
}

/// The accounts `who` names for `audit log --actor`: `system`, a username, or the name
/// of a person holding accounts in the reader's scope. One name held by different people is
/// refused with their usernames (exit 2), a name nobody in scope holds is not found (exit 4).
pub fn actors_named(conn: &Conn, actor: &Actor, who: &str) -> Result<Vec<String>> {
    let who = who.trim();
    if who == "system" || store::accounts::find(conn, who)?.is_some() {
        return Ok(vec![who.to_string()]);
    }
    let held = store::accounts::named_under(conn, actor.scope(), who)?;
    let people: std::collections::BTreeSet<&str> = held.iter().map(|a| a.mobile.as_str()).collect();
    match (held.len(), people.len()) {
        (0, _) => {
            Err(crate::error::not_found(tf("audit.no_actor", &[("who", &who)])).hint(t("audit.no_actor.hint")).into())
        }
        // One person (one mobile) may hold several accounts: all of theirs.
        (_, 1) => Ok(held.into_iter().map(|a| a.username).collect()),
        _ => {
            let list: Vec<String> =
                held.iter().map(|a| format!("{} ({} {})", a.username, a.org_code, a.org_name)).collect();
            Err(crate::error::usage(tf(
                "audit.ambiguous_actor",
                &[("who", &who), ("accounts", &list.join(t("list.sep")))],
            ))
            .hint(tf("audit.ambiguous_actor.hint", &[("username", &held[0].username)]))
            .into())
        }
    }
}

/// The time of the newest event, if there is one (the chain's head: one indexed read).
pub fn newest_at(conn: &Conn) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(store::audit::head_at(conn)?.and_then(|(_, _, at)| crate::calendar::parse_stored(&at)))
}

/// How many events the filter matches.
pub fn count(conn: &Conn, filter: &Filter) -> Result<i64> {
    store::audit::count(conn, filter)
}

/// An event's detail (JSON) in words for a person, in the reader's language, its times in CST:
/// `State: open → submitted; Schools not confirmed: 1 (2113010058)`. Keys the catalogue does not
/// name are shown as they are stored.
pub fn describe(detail: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(detail) else { return detail.to_string() };
    let field = |k: &str, v: &Value| format!("{}{}{}", label(k), t("label.sep"), word(k, v));
    // What the event is about first (`indicator: …`), then what changed.
    let mut parts: Vec<String> =
        map.iter().filter(|(k, v)| *k != "before" && *k != "after" && !is_empty(v)).map(|(k, v)| field(k, v)).collect();
    match (map.get("before"), map.get("after")) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(old) if old != v => {
                        parts.push(format!("{}{}{} → {}", label(k), t("label.sep"), word(k, old), word(k, v)))
                    }
                    _ if is_empty(v) => {}
                    _ => parts.push(field(k, v)),
                }
            }
            for (k, v) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                parts.push(format!("{}{}{} → —", label(k), t("label.sep"), word(k, v)));
            }
        }
        (None, Some(Value::Object(a))) => {
            parts.extend(a.iter().filter(|(_, v)| !is_empty(v)).map(|(k, v)| field(k, v)))
        }
        (b, Some(a)) => parts.push(format!(
            "{}{}{} → {}",
            label("value"),
            t("label.sep"),
            word("value", b.unwrap_or(&Value::Null)),
            word("value", a)
        )),
        _ => {}
    }
    parts.retain(|p| !p.is_empty());
    parts.join(t("detail.sep"))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A detail key's label, else the key.
fn label(key: &str) -> String {
    crate::i18n::lookup(&format!("detail.{key}")).map_or_else(|| key.to_string(), str::to_string)
}

/// A detail value in words: a stored time in CST, a state or a role by its word, yes or no.
fn word(key: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => t(if *b { "yes" } else { "no" }).into(),
        Value::String(s) => {
            if s.len() == 20 && s.ends_with('Z') {
                if let Some(at) = crate::calendar::parse_stored(s) {
                    return format!("{} {}", crate::calendar::show_cst(at, false), t("cst"));
                }
            }
            let family = match key {
                "state" | "own_state" => Some("state"),
                "role" => Some("role"),
                "level" => Some("level"),
                "status" => Some("status"),
                _ => None,
            };
            family
                .and_then(|f| crate::i18n::lookup(&format!("{f}.{s}")))
                .map_or_else(|| crate::terminal::escape_for_terminal(s).into_owned(), str::to_string)
        }
        Value::Array(items) => items.iter().map(|i| word(key, i)).collect::<Vec<_>>().join(t("list.sep")),
        Value::Object(o) => {
            let inner: Vec<String> =
                o.iter().map(|(k, v)| format!("{}{}{}", label(k), t("label.sep"), word(k, v))).collect();
            format!("({})", inner.join(t("list.sep")))
        }
        n => n.to_string(),
    }
}

/// The newest `limit` events the filter matches (all with `None`), oldest first.
pub fn latest(conn: &Conn, filter: &Filter, limit: Option<usize>) -> Result<Vec<Stored>> {
    store::audit::latest(conn, filter, limit)
}

/// Every event the filter matches, oldest first, streamed.
pub fn each(conn: &Conn, filter: &Filter, f: impl FnMut(Stored) -> Result<()>) -> Result<()> {
    store::audit::each_matching(conn, filter, f)
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
    Ok(store::audit::head_at(conn)?.map(|(seq, hash, at)| Checkpoint {
        eip_audit_checkpoint: 1,
        seq,
        hash,
        at,
        taken_at: taken_at.to_string(),
    }))
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
    let hash = store::audit::hash_at(conn, cp.seq)?;
    Ok(if hash.as_deref() == Some(cp.hash.as_str()) { Reach::Reached } else { Reach::Differs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

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
