//! Who may do what — one table, [`RULES`]. Scope is settled first by the lookups (a
//! code outside the scope is "not found"); this module answers whether the role may act on a
//! target inside it, and names who may when it may not (exit 3).

use crate::error::{Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::model::{Actor, Role};
use crate::model::{Level, Org, MINISTRY_CODE};

/// An action that not every role may perform. Reading (list, show, tree, status, export,
/// `audit log`) is open to every role within its scope and is not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `unit add / rename / import` (target: the parent, or the unit renamed).
    UnitManage,
    /// `account add` for unit staff and support (target: the unit).
    AccountIssueStaff,
    /// `account add` for a school's admin (target: the school).
    AccountIssueSchool,
    /// `account disable / enable` (target: the account's org).
    AccountDisable,
    /// `account reset` (target: the account's org).
    AccountReset,
    /// `account import`: a Ministry admin applies it; a province admin proposes it (target: the
    /// importer's unit).
    RosterImport,
    /// `request approve / reject` of a roster request (target: the filing unit).
    RosterDecide,
    /// `audit verify`, `doctor`.
    AuditVerify,
    /// `school add / import` (target: the supervising unit).
    SchoolAdd,
    /// `school suspend / resume / merge / revoke / delete / transfer` (target: the school).
    SchoolManage,
    /// `school edit` (target: the school).
    SchoolEdit,
    /// `request approve / reject` of a school deletion (target: the school).
    SchoolDeleteDecide,
    /// `request approve / reject` of a transfer at its current step (target: the unit whose turn
    /// it is).
    TransferDecide,
    /// `report set / confirm / import` (target: the org whose data it is).
    ReportWrite,
    /// `report indicators add / retire`.
    IndicatorManage,
    /// `report rules add / retire`: the plausibility rules.
    RuleManage,
    /// `report import` (target: the importer's unit).
    ReportImport,
    /// `report text` (target: the province).
    ReportText,
    /// `submit`, `withdraw request` (target: the unit).
    Submit,
    /// `report return`, `withdraw approve / reject` (target: the parent unit).
    ReturnChild,
    /// `report ratify` (target: the unit).
    Ratify,
    /// `report missing --notify`: urge the units below (催报, target: the urging unit).
    Urge,
}

/// Who may: each holds or not for an actor and a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An admin of the Ministry (000000).
    MinistryAdmin,
    /// An admin of a province, for targets inside that province.
    ProvinceAdminWithin,
    /// An admin of the unit that supervises the target school.
    SupervisingAdmin,
    /// Whoever issues accounts at the target org: the Ministry for unit staff, the supervising
    /// unit's admin for a school (Art. 9).
    Issuer,
    /// Technical support, at any level (Art. 6, 21), inside its scope (settled by the lookups).
    Support,
    /// The Ministry's technical support (中央电教馆, Art. 5): the whole file.
    MinistrySupport,
    /// Technical support, for a target strictly below its own unit (never its own unit's
    /// accounts or above: a reset never hands anyone more power than they hold, docs/SECURITY.md).
    SupportBelow,
    /// An admin of the target unit itself.
    UnitAdmin,
    /// The target school's own admin account.
    SchoolOwnAdmin,
    /// A province's own admin or reviewer.
    ProvinceAdminOrReviewer,
    /// The target unit's own reviewer.
    UnitReviewer,
    /// The target unit's own inspector.
    UnitInspector,
}

/// The whole table: an action, and everyone who may perform it.
pub const RULES: &[(Action, &[Who])] = &[
    (Action::UnitManage, &[Who::MinistryAdmin, Who::ProvinceAdminWithin]),
    (Action::AccountIssueStaff, &[Who::MinistryAdmin]),
    (Action::AccountIssueSchool, &[Who::SupervisingAdmin]),
    (Action::AccountDisable, &[Who::Issuer]),
    (Action::AccountReset, &[Who::Issuer, Who::SupportBelow]),
    (Action::RosterImport, &[Who::MinistryAdmin, Who::ProvinceAdminWithin]),
    (Action::RosterDecide, &[Who::MinistryAdmin]),
    // The whole file: the Ministry's admin and its support alone (a province's support sees
    // only its subtree, and the chain and the file's health are the whole file's).
    (Action::AuditVerify, &[Who::MinistryAdmin, Who::MinistrySupport]),
    // Art. 11: each level manages the schools it supervises.
    (Action::SchoolAdd, &[Who::UnitAdmin]),
    (Action::SchoolManage, &[Who::SupervisingAdmin]),
    // Art. 12: the school fills in its own information; support corrects it with a reason.
    (Action::SchoolEdit, &[Who::SchoolOwnAdmin, Who::SupervisingAdmin, Who::Support]),
    (Action::SchoolDeleteDecide, &[Who::MinistryAdmin]),
    // Art. 13: each level up approves a change of supervising unit in turn.
    (Action::TransferDecide, &[Who::UnitAdmin]),
    // Art. 7–8, 14–15: each org's admin fills its own data; a supervising admin may enter a
    // school's data for it (proxy entry, audited as such).
    (Action::ReportWrite, &[Who::UnitAdmin, Who::SchoolOwnAdmin, Who::SupervisingAdmin]),
    (Action::IndicatorManage, &[Who::MinistryAdmin]),
    (Action::RuleManage, &[Who::MinistryAdmin]),
    // a unit admin imports values for its unit and the schools it supervises directly.
    (Action::ReportImport, &[Who::UnitAdmin]),
    // Art. 20: the province files its monthly report text.
    (Action::ReportText, &[Who::ProvinceAdminOrReviewer]),
    // Art. 7, 16–19: the reviewer submits, returns a child's data, decides its withdrawals; the
    // inspector ratifies (审定).
    (Action::Submit, &[Who::UnitReviewer]),
    (Action::ReturnChild, &[Who::UnitReviewer]),
    (Action::Ratify, &[Who::UnitInspector]),
    // Art. 7: the admin urges and checks the units below (催报).
    (Action::Urge, &[Who::UnitAdmin]),
];

fn is_ministry_admin(actor: &Actor) -> bool {
    actor.role == Role::Admin && actor.org.code == MINISTRY_CODE
}

fn is_supervising_admin(actor: &Actor, target: &Org) -> bool {
    actor.role == Role::Admin
        && target.level == Level::School
        && target.parent_code.as_deref() == Some(actor.org.code.as_str())
}

impl Who {
    pub fn holds(self, actor: &Actor, target: &Org) -> bool {
        match self {
            Who::MinistryAdmin => is_ministry_admin(actor),
            Who::ProvinceAdminWithin => {
                actor.role == Role::Admin && actor.org.level == Level::Province && actor.org.contains_path(&target.path)
            }
            Who::SupervisingAdmin => is_supervising_admin(actor, target),
            Who::Issuer => {
                if target.level == Level::School {
                    is_supervising_admin(actor, target)
                } else {
                    is_ministry_admin(actor)
                }
            }
            Who::Support => actor.role == Role::Support,
            Who::MinistrySupport => actor.role == Role::Support && actor.org.code == MINISTRY_CODE,
            Who::SupportBelow => {
                actor.role == Role::Support && target.id != actor.org.id && actor.org.contains_path(&target.path)
            }
            Who::UnitAdmin => actor.role == Role::Admin && actor.org.id == target.id,
            Who::SchoolOwnAdmin => actor.role == Role::SchoolAdmin && actor.org.id == target.id,
            Who::UnitReviewer => actor.role == Role::Reviewer && actor.org.id == target.id,
            Who::UnitInspector => actor.role == Role::Inspector && actor.org.id == target.id,
            Who::ProvinceAdminOrReviewer => {
                matches!(actor.role, Role::Admin | Role::Reviewer)
                    && actor.org.level == Level::Province
                    && actor.org.id == target.id
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Who::MinistryAdmin => t("who.ministry_admin"),
            Who::ProvinceAdminWithin => t("who.province_admin_within"),
            Who::SupervisingAdmin => t("who.supervising_admin"),
            Who::Issuer => t("who.issuer"),
            Who::Support => t("who.support"),
            Who::MinistrySupport => t("who.ministry_support"),
            Who::SupportBelow => t("who.support_below"),
            Who::UnitAdmin => t("who.unit_admin"),
            Who::SchoolOwnAdmin => t("who.school_own_admin"),
            Who::ProvinceAdminOrReviewer => t("who.province_admin_or_reviewer"),
            Who::UnitReviewer => t("who.unit_reviewer"),
            Who::UnitInspector => t("who.unit_inspector"),
        }
    }
}

impl Action {
    /// Stable name, recorded with a refusal in the audit trail.
    pub fn key(self) -> &'static str {
        match self {
            Action::UnitManage => "unit.manage",
            Action::AccountIssueStaff => "account.issue_staff",
            Action::AccountIssueSchool => "account.issue_school",
            Action::AccountDisable => "account.disable",
            Action::AccountReset => "account.reset",
            Action::RosterImport => "account.import",
            Action::RosterDecide => "request.decide_roster",
            Action::AuditVerify => "audit.verify",
            Action::SchoolAdd => "school.add",
            Action::SchoolManage => "school.manage",
            Action::SchoolEdit => "school.edit",
            Action::SchoolDeleteDecide => "request.decide_school_delete",
            Action::TransferDecide => "request.decide_school_transfer",
            Action::ReportWrite => "report.write",
            Action::IndicatorManage => "report.indicators",
            Action::RuleManage => "report.rules",
            Action::ReportImport => "report.import",
            Action::ReportText => "report.text",
            Action::Submit => "submit",
            Action::ReturnChild => "report.return",
            Action::Ratify => "report.ratify",
            Action::Urge => "report.urge",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Action::UnitManage => t("action.unit_manage"),
            Action::AccountIssueStaff => t("action.issue_staff_account"),
            Action::AccountIssueSchool => t("action.issue_school_account"),
            Action::AccountDisable => t("action.account_disable"),
            Action::AccountReset => t("action.account_reset"),
            Action::RosterImport => t("action.roster_import"),
            Action::RosterDecide => t("action.roster_decide"),
            Action::AuditVerify => t("action.audit_verify"),
            Action::SchoolAdd => t("action.school_add"),
            Action::SchoolManage => t("action.school_manage"),
            Action::SchoolEdit => t("action.school_edit"),
            Action::SchoolDeleteDecide => t("action.school_delete_decide"),
            Action::TransferDecide => t("action.transfer_decide"),
            Action::ReportWrite => t("action.report_write"),
            Action::IndicatorManage => t("action.indicator_manage"),
            Action::RuleManage => t("action.rule_manage"),
            Action::ReportImport => t("action.report_import"),
            Action::ReportText => t("action.report_text"),
            Action::Submit => t("action.submit"),
            Action::ReturnChild => t("action.return_child"),
            Action::Ratify => t("action.ratify"),
            Action::Urge => t("action.urge"),
        }
    }

    /// Who may, from the table.
    pub fn who(self) -> &'static [Who] {
        RULES.iter().find(|(a, _)| *a == self).map_or(&[], |(_, w)| w)
    }

    /// The account kind an issuer action is about.
    pub fn issue_for(role: Role) -> Action {
        if role == Role::SchoolAdmin {
            Action::AccountIssueSchool
        } else {
            Action::AccountIssueStaff
        }
    }
}

/// Whether the actor's role may perform `action` on `target` (which is already in scope).
pub fn allows(actor: &Actor, action: Action, target: &Org) -> bool {
    action.who().iter().any(|w| w.holds(actor, target))
}

/// `Ok` if allowed; else exit 3 naming who may, carrying the refusal for the audit trail.
pub fn require(actor: &Actor, action: Action, target: &Org) -> Result<()> {
    if allows(actor, action, target) {
        return Ok(());
    }
    let who: Vec<&str> = action.who().iter().map(|w| w.label()).collect();
    Err(Error::new(
        Kind::Denied,
        tf(
            "perm.denied",
            &[
                ("role", &actor.role.label()),
                ("username", &actor.username),
                ("action", &action.words()),
                ("who", &who.join(t("perm.or"))),
            ],
        ),
    )
    .denial(action.key(), target.code.clone())
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_rule() {
        for a in [
            Action::UnitManage,
            Action::AccountIssueStaff,
            Action::AccountIssueSchool,
            Action::AccountDisable,
            Action::AccountReset,
            Action::RosterImport,
            Action::RosterDecide,
            Action::AuditVerify,
            Action::SchoolAdd,
            Action::SchoolManage,
            Action::SchoolEdit,
            Action::SchoolDeleteDecide,
            Action::TransferDecide,
            Action::ReportWrite,
            Action::IndicatorManage,
            Action::RuleManage,
            Action::ReportImport,
            Action::ReportText,
            Action::Submit,
            Action::ReturnChild,
            Action::Ratify,
            Action::Urge,
        ] {
            assert!(!a.who().is_empty(), "{a:?} has nobody who may");
        }
    }
}
