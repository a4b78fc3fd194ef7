//! Which month a command works on when `--period` is not given: one function, by what the command
//! does (docs/ARCHITECTURE.md, "States"). Every command prints the period it used.

use chrono::{DateTime, Utc};

use crate::calendar;
use crate::error::Result;
use crate::model::{Org, Period};
use crate::store::{submissions, Conn};

/// What the command does with the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Filling in or confirming values: last month while it can still be written, else this month.
    Entry,
    /// Submitting: the earliest period returned to the unit, else the period being reported.
    Submit,
    /// Every other command (withdraw, return, ratify, status): the period being reported, the month
    /// before this one (Art. 17).
    Report,
}

/// The period `org` works on for `purpose` at `now`: `given` when the command was given one,
/// else the default.
pub fn default(given: Option<Period>, conn: &Conn, org: &Org, purpose: Purpose, now: DateTime<Utc>) -> Result<Period> {
    if let Some(p) = given {
        return Ok(p);
    }
    Ok(match purpose {
        Purpose::Entry => {
            let this = Period::containing(now);
            let last = this.prev();
            if crate::values::lock(conn, org, last, now)?.is_none() {
                last
            } else {
                this
            }
        }
        Purpose::Submit => {
            submissions::first_returned(conn, org.id)?.unwrap_or_else(|| calendar::reporting_period(now))
        }
        Purpose::Report => calendar::reporting_period(now),
    })
}
