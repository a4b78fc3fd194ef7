//! What the monthly cycle's commands share (`submit`, `withdraw …`, `report return`): the due
//! time and the reason they take, and how they show a time.

use chrono::{DateTime, Utc};

use crate::calendar;
use crate::error::{self, Result};
use crate::i18n::{t, tf};
use crate::output::Out;

/// `--due TIME`, for clap.
pub fn parse_due(s: &str) -> Result<DateTime<Utc>, String> {
    calendar::parse_user_time(s).ok_or_else(|| tf("return.bad_due", &[("value", &s)]))
}

/// `--reason`, trimmed; an empty one is a usage error.
pub fn reason(r: &str) -> Result<String> {
    let r = r.trim();
    if r.is_empty() {
        return Err(error::usage(t("reason.empty")).into());
    }
    Ok(r.to_string())
}

/// A time as the output shows it: RFC 3339 in CST for a machine, else in words with "CST".
pub fn show_time(out: &Out, at: DateTime<Utc>) -> String {
    if out.is_machine() {
        calendar::rfc3339_cst(at)
    } else {
        format!("{} {}", calendar::show_cst(at, false), t("cst"))
    }
}
