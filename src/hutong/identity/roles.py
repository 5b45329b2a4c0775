"""Roles, actions and the one permission matrix (DESIGN rule 1, N2021 task 6).

The matrix is a single table: each action names the scope it needs on its target and the
roles that may perform it. Anything not in the table is denied. ``tests/identity/
test_matrix.py`` restates the expected table independently and checks every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"  # 系统管理员: accounts and configuration, no business data
    SECURITY_ADMIN = "security_admin"  # 安全保密管理员: grades, policies, keys
    AUDITOR = "auditor"  # 安全审计员: reads and exports the audit log, nothing else
    CATALOG_REVIEWER = "catalog_reviewer"  # 发展规划司 reviews catalog entries
    SECURITY_REVIEWER = "security_reviewer"  # 网信办 reviews sharing and publication security
    DATA_STEWARD = "data_steward"  # registers and maintains its unit's resources
    DATA_CONSUMER = "data_consumer"  # applies for and uses shared data
    PUBLISHER = "publisher"  # approves releases to the open portal
    PI_OFFICER = "pi_officer"  # 个人信息保护负责人 (N2021 task 9)


#: 三员: no account holds two of these (N2021 task 6, DESIGN rule 2).
THREE_OFFICERS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})

ROLE_NAMES_ZH = {
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全保密管理员",
    Role.AUDITOR: "安全审计员",
    Role.CATALOG_REVIEWER: "目录审核员",
    Role.SECURITY_REVIEWER: "安全审核员",
    Role.DATA_STEWARD: "数据管理员",
    Role.DATA_CONSUMER: "数据使用人",
    Role.PUBLISHER: "公开发布审核员",
    Role.PI_OFFICER: "个人信息保护负责人",
}


class Scope(StrEnum):
    """What an action requires of its target besides the role."""

    ANY = "any"  # no condition on the target
    OWN_UNIT = "own_unit"  # the target belongs to the actor's unit
    OTHER_UNIT = "other_unit"  # decisions: never on a target the actor's unit made (rule 2)
    #: the provider's own decision on another unit's request: the target belongs to the
    #: actor's unit and was requested by a different unit (share applications, rule 2)
    PROVIDER = "provider"


class Action(StrEnum):
    UNIT_READ = "unit.read"
    UNIT_MANAGE = "unit.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    CLIENT_MANAGE = "client.manage"
    CONFIG_MANAGE = "config.manage"
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    KEY_MANAGE = "key.manage"
    GRADE_MANAGE = "grade.manage"
    CATALOG_READ = "catalog.read"
    CATALOG_EDIT = "catalog.edit"
    CATALOG_SUBMIT = "catalog.submit"
    CATALOG_REVIEW = "catalog.review"
    CATALOG_CLASSIFY = "catalog.classify"
    CATALOG_PUBLISH = "catalog.publish"
    CATALOG_RETIRE = "catalog.retire"
    CATALOG_OVERLAPS = "catalog.overlaps"  # 一数一源: list items registered by several units
    DATA_READ = "data.read"
    DATA_INGEST = "data.ingest"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_PURGE = "audit.purge"
    SYSTEM_READ = "system.read"
    SYSTEM_REGISTER = "system.register"
    SYSTEM_APPROVE = "system.approve"
    COMPLIANCE_READ = "compliance.read"
    COMPLIANCE_RUN = "compliance.run"
    NOTICE_ISSUE = "notice.issue"
    NOTICE_ANSWER = "notice.answer"
    NOTICE_REVIEW = "notice.review"
    NOTICE_ESCALATE = "notice.escalate"
    ASSESSMENT_EDIT = "assessment.edit"
    # sharing exchange (issue 6; M2018 §15–23)
    SHARE_APPLY = "share.apply"
    SHARE_READ = "share.read"
    SHARE_SUPPLEMENT = "share.supplement"
    SHARE_DECIDE = "share.decide"
    SHARE_SECURITY_REVIEW = "share.security_review"
    SHARE_RECORD = "share.record"
    SHARE_OVERDUE = "share.overdue"
    GRANT_READ = "grant.read"
    GRANT_MANAGE = "grant.manage"
    GRANT_TRACE = "grant.trace"
    DATA_QUERY = "data.query"
    FEEDBACK_FILE = "feedback.file"
    FEEDBACK_ANSWER = "feedback.answer"
    NOTIFICATION_READ = "notification.read"
    # Personal-information protection (N2021 tasks 4, 6, 8–11, 14)
    PRIVACY_NOTICE_PUBLISH = "privacy.notice.publish"
    CONSENT_READ = "consent.read"
    CONSENT_RECORD = "consent.record"
    CONSENT_CHECK = "consent.check"
    SENSITIVE_DECIDE = "sensitive.decide"
    AUTOMATED_DECISION_EDIT = "automated_decision.edit"
    PRIVACY_RELEASE = "privacy.release"
    EXTRACT_REQUEST = "extract.request"
    EXTRACT_APPROVE = "extract.approve"
    EXTRACT_READ = "extract.read"
    COMPLAINT_HANDLE = "complaint.handle"
    PORTAL_READ = "portal.read"  # public datasets on the open portal (M2018 §26, §34)
    RELEASE_READ = "release.read"
    RELEASE_SUBMIT = "release.submit"
    RELEASE_APPROVE = "release.approve"
    RELEASE_REVIEW = "release.review"
    RELEASE_WITHDRAW = "release.withdraw"
    DISCLOSURE_SUBMIT = "disclosure.submit"  # 依申请公开: anyone may apply (M2018 §24)
    DISCLOSURE_HANDLE = "disclosure.handle"
    # Monitoring and early warning (issue 16; N2021 task 14)
    MONITOR_RUN = "monitor.run"
    ALERT_READ = "alert.read"
    ALERT_HANDLE = "alert.handle"  # acknowledge, assign, resolve
    ALERT_SILENCE = "alert.silence"
    ALERT_ESCALATE = "alert.escalate"
    # Lifecycle: backups, restores and drills (M2018 §13, N2021 task 5)
    BACKUP_CREATE = "backup.create"
    BACKUP_READ = "backup.read"
    BACKUP_VERIFY = "backup.verify"
    BACKUP_RESTORE = "backup.restore"
    BACKUP_DRILL = "backup.drill"
    KEY_ESCROW = "key.escrow"  # export or install the master keys' escrow file


@dataclass(frozen=True)
class Rule:
    scope: Scope
    roles: frozenset[Role]
    #: Hutong's own host-side actor (CLI provisioning, retention, verification) may do it.
    system: bool = False
    #: The anonymous public on the open portal (no account) may do it.
    public: bool = False


def _rule(scope: Scope, *roles: Role, system: bool = False, public: bool = False) -> Rule:
    return Rule(scope, frozenset(roles), system, public)


R = Role
BUSINESS_READERS = (
    R.CATALOG_REVIEWER,
    R.SECURITY_REVIEWER,
    R.DATA_STEWARD,
    R.DATA_CONSUMER,
    R.PUBLISHER,
    R.PI_OFFICER,
    R.SECURITY_ADMIN,
)
#: 发展规划司 and 网信办 supervise survey projects and systems (M2018 §40).
SUPERVISORS = (R.CATALOG_REVIEWER, R.SECURITY_REVIEWER)
#: Who decides what the open portal shows: the publisher and 网信办's security reviewer.
RELEASERS = (R.PUBLISHER, R.SECURITY_REVIEWER)
#: Who watches the alerts of the audit stream: the security administrator and 网信办.
WATCHERS = (R.SECURITY_ADMIN, R.SECURITY_REVIEWER)

#: The permission matrix. Rows are actions; a role absent from a row is denied.
MATRIX: dict[Action, Rule] = {
    Action.UNIT_READ: _rule(Scope.ANY, R.SYSTEM_ADMIN, *BUSINESS_READERS, system=True),
    Action.UNIT_MANAGE: _rule(Scope.ANY, R.SYSTEM_ADMIN, system=True),
    Action.USER_READ: _rule(Scope.ANY, R.SYSTEM_ADMIN, system=True),
    Action.USER_MANAGE: _rule(Scope.ANY, R.SYSTEM_ADMIN, system=True),
    Action.CLIENT_MANAGE: _rule(Scope.ANY, R.SYSTEM_ADMIN, system=True),
    Action.CONFIG_MANAGE: _rule(Scope.ANY, R.SYSTEM_ADMIN, system=True),
    Action.AUDIT_READ: _rule(Scope.ANY, R.AUDITOR),
    Action.AUDIT_EXPORT: _rule(Scope.ANY, R.AUDITOR),
    Action.KEY_MANAGE: _rule(Scope.ANY, R.SECURITY_ADMIN),
    Action.GRADE_MANAGE: _rule(Scope.ANY, R.SECURITY_ADMIN),
    Action.CATALOG_READ: _rule(Scope.ANY, *BUSINESS_READERS),
    Action.CATALOG_EDIT: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.CATALOG_SUBMIT: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.CATALOG_REVIEW: _rule(Scope.OTHER_UNIT, R.CATALOG_REVIEWER),
    Action.CATALOG_CLASSIFY: _rule(Scope.ANY, R.CATALOG_REVIEWER),
    Action.CATALOG_PUBLISH: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.CATALOG_RETIRE: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.CATALOG_OVERLAPS: _rule(Scope.ANY, R.CATALOG_REVIEWER),
    Action.DATA_READ: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.DATA_INGEST: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.AUDIT_VERIFY: _rule(Scope.ANY, R.AUDITOR, system=True),
    Action.AUDIT_PURGE: _rule(Scope.ANY, system=True),
    # Supervision (M2018 §40–41, N2021 tasks 2, 9, 13): the registry is business data, so the
    # system administrator and the auditor see none of it (DESIGN rule 2).
    Action.SYSTEM_READ: _rule(Scope.ANY, *BUSINESS_READERS),
    Action.SYSTEM_REGISTER: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.SYSTEM_APPROVE: _rule(Scope.OTHER_UNIT, *SUPERVISORS),
    Action.COMPLIANCE_READ: _rule(
        Scope.ANY, *SUPERVISORS, R.SECURITY_ADMIN, R.PI_OFFICER, R.DATA_STEWARD
    ),
    Action.COMPLIANCE_RUN: _rule(Scope.ANY, *SUPERVISORS, R.SECURITY_ADMIN, system=True),
    Action.NOTICE_ISSUE: _rule(Scope.OTHER_UNIT, *SUPERVISORS),
    Action.NOTICE_ANSWER: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.NOTICE_REVIEW: _rule(Scope.OTHER_UNIT, *SUPERVISORS),
    Action.NOTICE_ESCALATE: _rule(Scope.OTHER_UNIT, *SUPERVISORS, system=True),
    Action.ASSESSMENT_EDIT: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.PI_OFFICER),
    # A consumer applies; the provider's steward decides (never on its own unit's request);
    # the 网信办 security reviewer reviews PI and important/core data (N2021 task 7); the
    # provider records the agreement, provincial approval and children's assessment.
    Action.SHARE_APPLY: _rule(Scope.ANY, R.DATA_CONSUMER),
    Action.SHARE_READ: _rule(
        Scope.ANY,
        R.DATA_CONSUMER,
        R.DATA_STEWARD,
        R.SECURITY_REVIEWER,
        R.CATALOG_REVIEWER,
        R.PI_OFFICER,
    ),
    Action.SHARE_SUPPLEMENT: _rule(Scope.OWN_UNIT, R.DATA_CONSUMER),
    Action.SHARE_DECIDE: _rule(Scope.PROVIDER, R.DATA_STEWARD),
    Action.SHARE_SECURITY_REVIEW: _rule(Scope.OTHER_UNIT, R.SECURITY_REVIEWER),
    Action.SHARE_RECORD: _rule(Scope.PROVIDER, R.DATA_STEWARD, R.PI_OFFICER),
    Action.SHARE_OVERDUE: _rule(Scope.ANY, R.CATALOG_REVIEWER, system=True),
    Action.GRANT_READ: _rule(
        Scope.ANY, R.DATA_CONSUMER, R.DATA_STEWARD, R.SECURITY_REVIEWER, R.SECURITY_ADMIN
    ),
    Action.GRANT_MANAGE: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.GRANT_TRACE: _rule(Scope.ANY, R.SECURITY_ADMIN, R.SECURITY_REVIEWER),
    Action.DATA_QUERY: _rule(Scope.ANY, R.DATA_CONSUMER),
    Action.FEEDBACK_FILE: _rule(Scope.ANY, R.DATA_CONSUMER, R.DATA_STEWARD),
    Action.FEEDBACK_ANSWER: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.NOTIFICATION_READ: _rule(Scope.ANY, *BUSINESS_READERS),
    # Personal information: the owner unit (主管单位) of a system publishes its collection
    # notices and keeps its consents; the PI officer watches over them (N2021 tasks 8–9).
    Action.PRIVACY_NOTICE_PUBLISH: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.PI_OFFICER),
    Action.CONSENT_READ: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.PI_OFFICER),
    Action.CONSENT_RECORD: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.PI_OFFICER),
    # The bulk question "may these subjects be processed for this purpose?" (the exchange).
    Action.CONSENT_CHECK: _rule(
        Scope.ANY, R.DATA_STEWARD, R.DATA_CONSUMER, R.PI_OFFICER, system=True
    ),
    # 集体决策 is recorded by the unit's PI officer (N2021 task 11).
    Action.SENSITIVE_DECIDE: _rule(Scope.OWN_UNIT, R.PI_OFFICER),
    Action.AUTOMATED_DECISION_EDIT: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.PI_OFFICER),
    Action.PRIVACY_RELEASE: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    # Research extracts (N2021 task 6): any unit asks, the owner unit approves (never its own
    # unit's request, DESIGN rule 2), the requesting unit reads the result.
    Action.EXTRACT_REQUEST: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.DATA_CONSUMER),
    Action.EXTRACT_APPROVE: _rule(Scope.OTHER_UNIT, R.DATA_STEWARD),
    Action.EXTRACT_READ: _rule(Scope.OWN_UNIT, R.DATA_STEWARD, R.DATA_CONSUMER),
    # Complaints are seen by the PI officer and the security administrator (N2021 task 14).
    Action.COMPLAINT_HANDLE: _rule(Scope.ANY, R.PI_OFFICER, R.SECURITY_ADMIN),
    # Open portal (issue 7): public data for everyone; a release needs the provider's steward,
    # a publisher and a security reviewer of other units (N2021 task 7, DESIGN rule 2).
    Action.PORTAL_READ: _rule(Scope.ANY, *BUSINESS_READERS, public=True),
    Action.RELEASE_READ: _rule(Scope.ANY, R.DATA_STEWARD, *RELEASERS),
    Action.RELEASE_SUBMIT: _rule(Scope.OWN_UNIT, R.DATA_STEWARD),
    Action.RELEASE_APPROVE: _rule(Scope.OTHER_UNIT, R.PUBLISHER),
    Action.RELEASE_REVIEW: _rule(Scope.OTHER_UNIT, R.SECURITY_REVIEWER),
    Action.RELEASE_WITHDRAW: _rule(Scope.ANY, *RELEASERS),
    Action.DISCLOSURE_SUBMIT: _rule(Scope.ANY, public=True),
    # The applicant's personal information is seen by the handling staff only.
    Action.DISCLOSURE_HANDLE: _rule(Scope.ANY, R.PUBLISHER),
    # 监测预警 (N2021 task 14): the security administrator and 网信办's security reviewer
    # watch and handle alerts; silencing one is the security administrator's call alone.
    # Hutong's own detector runs the rules, and the security administrator may on demand.
    # The system administrator and the auditor see none of it (DESIGN rule 2).
    Action.MONITOR_RUN: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.ALERT_READ: _rule(Scope.ANY, *WATCHERS),
    Action.ALERT_HANDLE: _rule(Scope.ANY, *WATCHERS),
    Action.ALERT_SILENCE: _rule(Scope.ANY, R.SECURITY_ADMIN),
    Action.ALERT_ESCALATE: _rule(Scope.ANY, *WATCHERS),
    # Backups hold every unit's data and keys: the security administrator runs them; Hutong's
    # own actor runs scheduled ones and restores a lost server from the host (decision 0015).
    Action.BACKUP_CREATE: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.BACKUP_READ: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.BACKUP_VERIFY: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.BACKUP_RESTORE: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.BACKUP_DRILL: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
    Action.KEY_ESCROW: _rule(Scope.ANY, R.SECURITY_ADMIN, system=True),
}


def roles_allowed(action: Action) -> frozenset[Role]:
    rule = MATRIX.get(action)
    return rule.roles if rule else frozenset()
