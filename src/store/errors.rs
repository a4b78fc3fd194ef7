//! What the database's own errors mean to a person: busy, unusable or damaged (exit 7), found
//! wherever they were raised. The one place that reads the driver's error codes.

use crate::error::{self, Kind};
use crate::i18n::t;

/// The kind of any error that reached `main`: a damaged file first (exit 7 wherever it was
/// found, even under a more general error), then our own error, then the database's.
pub fn kind_of(err: &anyhow::Error) -> Kind {
    if damage_of(err).is_some() {
        return Kind::Database;
    }
    // Our error may be the context of a lower one (anyhow finds contexts by downcasting the
    // whole error, not by walking the chain).
    if let Some(e) = err.downcast_ref::<error::Error>() {
        return e.kind;
    }
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<error::Error>() {
            return e.kind;
        }
        if let Some(e) = cause.downcast_ref::<postgres::Error>() {
            return super::pg::kind(e);
        }
        if let Some(e) = cause.downcast_ref::<rusqlite::Error>() {
            if let Some(code) = e.sqlite_error_code() {
                use rusqlite::ErrorCode as C;
                return match code {
                    C::DatabaseBusy
                    | C::DatabaseLocked
                    | C::DatabaseCorrupt
                    | C::NotADatabase
                    | C::CannotOpen
                    | C::ReadOnly
                    | C::DiskFull
                    | C::SystemIoFailure => Kind::Database,
                    _ => Kind::Other,
                };
            }
        }
    }
    Kind::Other
}

/// Whether SQLite found the file damaged, or read back what eip never writes (text that is not
/// UTF-8, a value of the wrong type): both mean a damaged file, said in words (exit 7).
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    use rusqlite::Error as E;
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
        || matches!(e, E::FromSqlConversionFailure(..) | E::Utf8Error(..) | E::InvalidColumnType(..))
}

/// The damage in an error's chain, if any, in words: SQLite's own for a damaged page; for a
/// value eip never wrote, what was found (the raw conversion error stays in the cause chain).
pub fn damage_of(err: &anyhow::Error) -> Option<String> {
    let e = err.chain().find_map(|c| c.downcast_ref::<rusqlite::Error>().filter(|e| is_damage(e)))?;
    Some(match e {
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::Utf8Error(..) => {
            t("db.damaged.text").to_string()
        }
        rusqlite::Error::InvalidColumnType(..) => t("db.damaged.type").to_string(),
        e => e.to_string(),
    })
}
