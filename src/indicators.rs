//! The indicator catalogue (Art. 14): what is reported each month, its type and unit,
//! who fills it, and the Ministry's additions and retirements. Below values, aggregation and the
//! cycle, which all read it.

use serde_json::json;

use crate::audit::Event;
use crate::error::{self, Error, Result};
use crate::i18n::{lang, t, tf, Lang};
use crate::model::Actor;
use crate::model::Level;
use crate::perm::{self, Action};
use crate::store::{values as store, Tx};

pub use crate::store::values::{catalogue, Indicator};

/// Who fills an indicator.
pub const FILLED_BY: &[&str] = &["school", "teaching_point", "unit"];
pub const KINDS: &[&str] = &["count", "decimal", "bool", "text"];
/// What a value is: a state at the month's end, or what happened during the month.
pub const MEASURES: &[&str] = &["stock", "flow"];

/// A measure's word for a person.
pub fn measure_label(measure: &str) -> &'static str {
    if measure == "flow" {
        t("measure.flow")
    } else {
        t("measure.stock")
    }
}

/// A kind's word for a person.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "count" => t("kind.count"),
        "decimal" => t("kind.decimal"),
        "bool" => t("kind.bool"),
        _ => t("kind.text"),
    }
}

/// Who fills an indicator, in words for a person.
pub fn filled_by_label(filled_by: &str) -> &'static str {
    match filled_by {
        "school" => t("filled_by.school"),
        "teaching_point" => t("filled_by.teaching_point"),
        _ => t("filled_by.unit"),
    }
}

impl Indicator {
    /// An org's value over several months, given month by month in order (a blank where none was
    /// reported): a flow adds up (year to date), a stock is the latest value reported.
    /// `None` when no month has one.
    pub fn over_months<'a>(&self, months: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
        let reported: Vec<&str> = months.into_iter().flatten().collect();
        if !self.is_flow() || self.kind == "text" || self.kind == "bool" {
            return reported.last().map(|v| v.to_string());
        }
        if reported.is_empty() {
            return None;
        }
        if self.kind == "count" {
            return Some(reported.iter().map(|v| v.parse::<i64>().unwrap_or(0)).sum::<i64>().to_string());
        }
        let total: f64 = reported.iter().map(|v| v.parse::<f64>().unwrap_or(0.0)).sum();
        // Decimals as stored: no trailing zeros, at most four places.
        let s = format!("{:.4}", (total * 10_000.0).round() / 10_000.0);
        Some(s.trim_end_matches('0').trim_end_matches('.').to_string())
    }

    /// Whether a confirmation records it as 0 rather than carrying last month's value.
    pub fn is_flow(&self) -> bool {
        self.measure == "flow"
    }

    /// The name in the reader's language.
    pub fn name(&self) -> &str {
        if lang() == Lang::Zh {
            &self.name_zh
        } else {
            &self.name_en
        }
    }

    /// Whether an org of this level (and, for a school, kind) fills it.
    pub fn applies_to(&self, level: Level, school_kind: Option<&str>) -> bool {
        match self.filled_by.as_str() {
            "unit" => level.is_unit(),
            "school" => level == Level::School,
            "teaching_point" => level == Level::School && school_kind == Some("teaching_point"),
            _ => false,
        }
    }

    /// A value as typed, in its canonical stored form; anything else is refused naming the
    /// indicator and the value.
    pub fn parse(&self, raw: &str) -> Result<String, Error> {
        let v = raw.trim();
        let bad = || {
            error::invalid(tf(
                "value.bad",
                &[("indicator", &self.code), ("value", &raw), ("kind", &kind_words(&self.kind))],
            ))
        };
        match self.kind.as_str() {
            "count" => {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > 15 {
                    return Err(bad());
                }
                Ok(v.trim_start_matches('0').to_string()).map(|s| if s.is_empty() { "0".into() } else { s })
            }
            "decimal" => {
                let (int, frac) = v.split_once('.').unwrap_or((v, ""));
                if int.is_empty()
                    || int.len() > 15
                    || !int.bytes().all(|b| b.is_ascii_digit())
                    || !frac.bytes().all(|b| b.is_ascii_digit())
                    || (v.contains('.') && frac.is_empty())
                {
                    return Err(bad());
                }
                let int = int.trim_start_matches('0');
                let frac = frac.trim_end_matches('0');
                let int = if int.is_empty() { "0" } else { int };
                Ok(if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") })
            }
            "bool" => match v.to_lowercase().as_str() {
                "1" | "true" | "是" | "yes" => Ok("1".into()),
                "0" | "false" | "否" | "no" => Ok("0".into()),
                _ => Err(bad()),
            },
            _ => {
                if v.is_empty() {
                    return Err(bad());
                }
                // A text value is free text (docs/SECURITY.md).
                crate::text::check_free_text(v, &tf("field.value", &[("indicator", &self.code)]))?;
                Ok(v.to_string())
            }
        }
    }
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "count" => t("value.kind.count"),
        "decimal" => t("value.kind.decimal"),
        "bool" => t("value.kind.bool"),
        _ => t("value.kind.text"),
    }
}

/// A stored value shown to a person: bools as 是/否 or yes/no.
pub fn show_value(kind: &str, v: &str, machine: bool) -> String {
    if kind == "bool" && !machine {
        return if v == "1" { t("yes").into() } else { t("no").into() };
    }
    v.to_string()
}

/// An indicator by code, or by its Chinese name (as a `--headers zh` file has it).
/// The indicator `audit log --indicator` names, by its code or its Chinese name (exit 4 when
/// the catalogue has none).
pub fn indicator_named(conn: &crate::store::Conn, key: &str) -> Result<String> {
    let cat = catalogue(conn)?;
    match find_indicator(&cat, key.trim()) {
        Some(i) => Ok(i.code.clone()),
        None => {
            Err(error::not_found(tf("audit.no_indicator", &[("code", &key)])).hint(t("audit.no_indicator.hint")).into())
        }
    }
}

pub fn find_indicator<'a>(cat: &'a [Indicator], key: &str) -> Option<&'a Indicator> {
    cat.iter().find(|i| i.code == key || i.name_zh == key)
}

/// Whether the actor may change the catalogue (the Ministry admin): asked inside the transaction
/// and, by the command, before it, so a refusal never waits for another writer.
pub fn may_manage(actor: &Actor) -> Result<()> {
    perm::require(actor, Action::IndicatorManage, &actor.org)
}

/// `eip report indicators add` (Ministry admin).
pub fn add_indicator(tx: &mut Tx, actor: &Actor, ind: &Indicator) -> Result<()> {
    may_manage(actor)?;
    add(tx, ind)
}

/// An indicator checked and added to the catalogue, with its audit event: `add_indicator` once
/// the Ministry admin is known, or the seed of a new database.
pub(crate) fn add(tx: &mut Tx, ind: &Indicator) -> Result<()> {
    let valid_code = !ind.code.is_empty()
        && ind.code.len() <= 40
        && ind.code.starts_with(|c: char| c.is_ascii_lowercase())
        && ind.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid_code {
        return Err(error::invalid(tf("indicator.bad_code", &[("code", &ind.code)])).into());
    }
    if !KINDS.contains(&ind.kind.as_str())
        || !FILLED_BY.contains(&ind.filled_by.as_str())
        || !MEASURES.contains(&ind.measure.as_str())
    {
        return Err(
            error::invalid(tf("indicator.bad_kind", &[("kind", &ind.kind), ("filled_by", &ind.filled_by)])).into()
        );
    }
    if ind.name_zh.trim().is_empty() || ind.name_en.trim().is_empty() {
        return Err(error::invalid(t("indicator.names")).into());
    }
    for (v, what) in [(&ind.name_zh, "field.name"), (&ind.name_en, "field.name"), (&ind.unit, "field.unit_of_measure")]
    {
        crate::text::check_name(v.trim(), t(what))?;
    }
    if store::indicator_exists(tx, &ind.code)? {
        return Err(error::refused(tf("indicator.exists", &[("code", &ind.code)])).into());
    }
    let pos = store::next_position(tx)?;
    let stored =
        Indicator { name_zh: ind.name_zh.trim().to_string(), name_en: ind.name_en.trim().to_string(), ..ind.clone() };
    store::insert_indicator(tx, &stored, pos, &tx.now_stored())?;
    tx.audit(Event::new("indicator.add").target(&ind.code).detail(json!({
        "after": { "code": ind.code, "name_zh": ind.name_zh, "name_en": ind.name_en, "kind": ind.kind,
                   "unit": ind.unit, "filled_by": ind.filled_by, "measure": ind.measure }
    })))?;
    Ok(())
}

/// `eip report indicators retire` (Ministry admin): no new values; the old stay readable.
pub fn retire_indicator(tx: &mut Tx, actor: &Actor, code: &str) -> Result<bool> {
    may_manage(actor)?;
    match store::retired_at(tx, code)? {
        None => Err(error::not_found(tf("indicator.none", &[("code", &code)])).into()),
        Some(Some(_)) => Ok(false),
        Some(None) => {
            store::retire(tx, code, &tx.now_stored())?;
            tx.audit(
                Event::new("indicator.retire")
                    .target(code)
                    .detail(json!({ "before": { "retired": false }, "after": { "retired": true } })),
            )?;
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(kind: &str, measure: &str) -> Indicator {
        Indicator {
            code: "x".into(),
            name_zh: "x".into(),
            name_en: "x".into(),
            kind: kind.into(),
            unit: String::new(),
            filled_by: "unit".into(),
            position: 1,
            retired_at: None,
            measure: measure.into(),
        }
    }

    #[test]
    fn over_several_months_flows_add_up_and_stocks_take_the_latest_value() {
        let months = [Some("2"), None, Some("0"), Some("3")];
        assert_eq!(ind("count", "flow").over_months(months), Some("5".into()));
        assert_eq!(ind("count", "stock").over_months(months), Some("3".into()));
        assert_eq!(ind("decimal", "flow").over_months([Some("3.5"), Some("0.25")]), Some("3.75".into()));
        assert_eq!(ind("decimal", "flow").over_months([Some("1"), Some("2")]), Some("3".into()));
        assert_eq!(ind("count", "stock").over_months([Some("7"), None]), Some("7".into()), "the latest reported");
        assert_eq!(ind("count", "flow").over_months([None, None]), None, "nothing reported is not 0");
        assert_eq!(ind("bool", "stock").over_months([Some("1"), Some("0")]), Some("0".into()));
    }
}
