//! One error type for everything a user can cause, and the one place where an error becomes an
//! exit code.

use std::fmt;

/// What kind of failure this is; each kind has exactly one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything else (exit 1).
    Other,
    /// Bad command-line usage (exit 2).
    Usage,
    /// Not signed in, not permitted (exit 3).
    Denied,
    /// Not found, or outside the acting account's scope (exit 4).
    NotFound,
    /// Refused by a rule: locked, outside the window, wrong state, already exists (exit 5).
    Refused,
    /// Invalid input; nothing was written (exit 6).
    Invalid,
    /// Database busy or unusable (exit 7).
    Database,
    /// The audit chain is broken (exit 8).
    AuditBroken,
}

impl Kind {
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Other => 1,
            Kind::Usage => 2,
            Kind::Denied => 3,
            Kind::NotFound => 4,
            Kind::Refused => 5,
            Kind::Invalid => 6,
            Kind::Database => 7,
            Kind::AuditBroken => 8,
        }
    }

    /// Stable machine name, used in `--format json` errors.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Other => "other",
            Kind::Usage => "usage",
            Kind::Denied => "denied",
            Kind::NotFound => "not_found",
            Kind::Refused => "refused",
            Kind::Invalid => "invalid",
            Kind::Database => "database",
            Kind::AuditBroken => "audit_broken",
        }
    }
}

/// An error a person can act on: what happened, and the way out.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// Machine-readable reason (e.g. `deadline_passed`), shown in `--format json`.
    pub reason: Option<&'static str>,
    /// A refusal worth an audit event (permission refusals are audited).
    pub denial: Option<Denial>,
}

/// The action and target of a refused attempt, for the audit trail.
#[derive(Debug, Clone)]
pub struct Denial {
    pub action: String,
    pub target: String,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hint: None, reason: None, denial: None }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }
    pub fn denial(mut self, action: impl Into<String>, target: impl Into<String>) -> Self {
        self.denial = Some(Denial { action: action.into(), target: target.into() });
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = anyhow::Error> = std::result::Result<T, E>;

/// Shorthands that build an `anyhow::Error` carrying an [`Error`].
pub fn denied(message: impl Into<String>) -> Error {
    Error::new(Kind::Denied, message)
}
pub fn not_found(message: impl Into<String>) -> Error {
    Error::new(Kind::NotFound, message)
}
pub fn refused(message: impl Into<String>) -> Error {
    Error::new(Kind::Refused, message)
}
pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(Kind::Invalid, message)
}
pub fn usage(message: impl Into<String>) -> Error {
    Error::new(Kind::Usage, message)
}
pub fn database(message: impl Into<String>) -> Error {
    Error::new(Kind::Database, message)
}

/// The kind our own error in the chain gives, if there is one (`store::errors::kind_of` also
/// reads the database's own errors).
pub fn own_kind(err: &anyhow::Error) -> Option<Kind> {
    eip_error(err).map(|e| e.kind)
}

/// The kind of an error as far as eip's own errors tell: theirs, else `Other`.
pub fn kind_of(err: &anyhow::Error) -> Kind {
    own_kind(err).unwrap_or(Kind::Other)
}

/// Our own error, if the chain carries one.
pub fn eip_error(err: &anyhow::Error) -> Option<&Error> {
    err.downcast_ref::<Error>().or_else(|| err.chain().find_map(|c| c.downcast_ref::<Error>()))
}
