//! Which month a command works on when `--period` is not given: one function, by what the command
//! does (docs/ARCHITECTURE.md, "States"). Every command prints the period it used.

use crate::store::Conn;
use chrono::{DateTime, Utc};

use crate::calendar;
use crate::error::Result;
use crate::model::{Org, Period};
use crate::store;

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

/// `given`, or the default for `org` and `purpose` at `now`.
pub fn or_default(
    given: Option<Period>,
    conn: &Conn,
    org: &Org,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Period> {
    match given {
        Some(p) => Ok(p),
        None => default(conn, org, purpose, now),
    }
}

/// The period `org` works on for `purpose` at `now` when none is given.
pub fn default(conn: &Conn, org: &Org, purpose: Purpose, now: DateTime<Utc>) -> Result<Period> {
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
            store::submissions::first_returned(conn, org.id)?.unwrap_or_else(|| calendar::reporting_period(now))
        }
        Purpose::Report => calendar::reporting_period(now),
    })
}
