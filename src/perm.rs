//! Who may do what (SPEC §2). Scope is settled first by the lookups (a code outside the scope is
//! "not found"); this module answers whether the role may act on a target inside it, and names
//! who may when it may not (exit 3).

use crate::account::Role;
use crate::auth::Actor;
use crate::error::{Error, Kind, Result};
use crate::hierarchy::{Level, Org, MINISTRY_CODE};
use crate::i18n::{t, tf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `unit add / rename / import` (target: the parent, or the unit renamed).
    UnitManage,
    /// Issue an account of a role at the target org.
    AccountIssue(Role),
    /// `audit verify`, `doctor`.
    AuditVerify,
}

impl Action {
    fn key(self) -> &'static str {
        match self {
            Action::UnitManage => "unit.manage",
            Action::AccountIssue(_) => "account.issue",
            Action::AuditVerify => "audit.verify",
        }
    }
    fn words(self) -> &'static str {
        match self {
            Action::UnitManage => t("action.unit_manage"),
            Action::AccountIssue(Role::SchoolAdmin) => t("action.issue_school_account"),
            Action::AccountIssue(_) => t("action.issue_staff_account"),
            Action::AuditVerify => t("action.audit_verify"),
        }
    }
    fn who(self) -> &'static str {
        match self {
            Action::UnitManage => t("who.unit_manage"),
            Action::AccountIssue(Role::SchoolAdmin) => t("who.issue_school_account"),
            Action::AccountIssue(_) => t("who.issue_staff_account"),
            Action::AuditVerify => t("who.audit_verify"),
        }
    }
}

fn is_ministry_admin(actor: &Actor) -> bool {
    actor.role == Role::Admin && actor.org.code == MINISTRY_CODE
}

/// Whether the actor's role may perform `action` on `target` (which is already in scope).
pub fn allows(actor: &Actor, action: Action, target: &Org) -> bool {
    match action {
        // Art. 9 and SPEC §2: the Ministry manages units; a province admin inside its province.
        Action::UnitManage => {
            is_ministry_admin(actor)
                || (actor.role == Role::Admin
                    && actor.org.level == Level::Province
                    && actor.org.contains_path(&target.path))
        }
        // Art. 9: unit staff accounts are issued by the Ministry; school accounts by the admin of
        // the school's supervising unit.
        Action::AccountIssue(Role::SchoolAdmin) => {
            actor.role == Role::Admin && target.parent_code.as_deref() == Some(actor.org.code.as_str())
        }
        Action::AccountIssue(_) => is_ministry_admin(actor),
        Action::AuditVerify => is_ministry_admin(actor) || actor.role == Role::Support,
    }
}

/// `Ok` if allowed; else exit 3 naming who may, carrying the refusal for the audit trail.
pub fn require(actor: &Actor, action: Action, target: &Org) -> Result<()> {
    if allows(actor, action, target) {
        return Ok(());
    }
    Err(Error::new(
        Kind::Denied,
        tf(
            "perm.denied",
            &[
                ("role", &actor.role.label()),
                ("username", &actor.username),
                ("action", &action.words()),
                ("who", &action.who()),
            ],
        ),
    )
    .denial(action.key(), target.code.clone())
    .into())
}
