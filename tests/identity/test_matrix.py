"""The permission matrix, cell by cell, restated independently of the code's table."""

from __future__ import annotations

import pytest

from hutong.identity.authz import Actor, Target, is_allowed, public_actor, system_actor
from hutong.identity.roles import MATRIX, Action, Role

# Expected permissions written out by hand from DESIGN rules 1–2 and the issue text.
READERS = {
    "catalog_reviewer",
    "security_reviewer",
    "data_steward",
    "data_consumer",
    "publisher",
    "pi_officer",
    "security_admin",
}
EXPECTED: dict[str, set[str]] = {
    "unit.read": READERS | {"system_admin"},
    "unit.manage": {"system_admin"},
    "user.read": {"system_admin"},
    "user.manage": {"system_admin"},
    "client.manage": {"system_admin"},
    "config.manage": {"system_admin"},
    "audit.read": {"auditor"},
    "audit.export": {"auditor"},
    "audit.verify": {"auditor"},
    "audit.purge": set(),
    "key.manage": {"security_admin"},
    "grade.manage": {"security_admin"},
    "catalog.read": READERS,
    "catalog.edit": {"data_steward"},
    "catalog.submit": {"data_steward"},
    "catalog.review": {"catalog_reviewer"},
    "catalog.classify": {"catalog_reviewer"},
    "catalog.publish": {"data_steward"},
    "catalog.retire": {"data_steward"},
    "catalog.overlaps": {"catalog_reviewer"},
    "data.read": {"data_steward"},
    "data.ingest": {"data_steward"},
    "system.read": READERS,
    "system.register": {"data_steward"},
    "system.approve": {"catalog_reviewer", "security_reviewer"},
    "compliance.read": {
        "catalog_reviewer",
        "security_reviewer",
        "security_admin",
        "pi_officer",
        "data_steward",
    },
    "compliance.run": {"catalog_reviewer", "security_reviewer", "security_admin"},
    "notice.issue": {"catalog_reviewer", "security_reviewer"},
    "notice.answer": {"data_steward"},
    "notice.review": {"catalog_reviewer", "security_reviewer"},
    "notice.escalate": {"catalog_reviewer", "security_reviewer"},
    "assessment.edit": {"data_steward", "pi_officer"},
    # sharing exchange (issue 6)
    "share.apply": {"data_consumer"},
    "share.read": {
        "data_consumer",
        "data_steward",
        "security_reviewer",
        "catalog_reviewer",
        "pi_officer",
    },
    "share.supplement": {"data_consumer"},
    "share.decide": {"data_steward"},
    "share.security_review": {"security_reviewer"},
    "share.record": {"data_steward", "pi_officer"},
    "share.overdue": {"catalog_reviewer"},
    "grant.read": {"data_consumer", "data_steward", "security_reviewer", "security_admin"},
    "grant.manage": {"data_steward"},
    "grant.trace": {"security_admin", "security_reviewer"},
    "data.query": {"data_consumer"},
    "feedback.file": {"data_consumer", "data_steward"},
    "feedback.answer": {"data_steward"},
    "notification.read": READERS,
    "privacy.notice.publish": {"data_steward", "pi_officer"},
    "consent.read": {"data_steward", "pi_officer"},
    "consent.record": {"data_steward", "pi_officer"},
    "consent.check": {"data_steward", "data_consumer", "pi_officer"},
    "sensitive.decide": {"pi_officer"},
    "automated_decision.edit": {"data_steward", "pi_officer"},
    "privacy.release": {"data_steward"},
    "extract.request": {"data_steward", "data_consumer"},
    "extract.approve": {"data_steward"},
    "extract.read": {"data_steward", "data_consumer"},
    "complaint.handle": {"pi_officer", "security_admin"},
    "portal.read": READERS,
    "release.read": {"data_steward", "publisher", "security_reviewer"},
    "release.submit": {"data_steward"},
    "release.approve": {"publisher"},
    "release.review": {"security_reviewer"},
    "release.withdraw": {"publisher", "security_reviewer"},
    "disclosure.submit": set(),
    "disclosure.handle": {"publisher"},
    # monitoring and early warning (issue 16)
    "monitor.run": {"security_admin"},
    "alert.read": {"security_admin", "security_reviewer"},
    "alert.handle": {"security_admin", "security_reviewer"},
    "alert.silence": {"security_admin"},
    "alert.escalate": {"security_admin", "security_reviewer"},
    # backups (issue 15): the security administrator, and Hutong itself from the host
    "backup.create": {"security_admin"},
    "backup.read": {"security_admin"},
    "backup.verify": {"security_admin"},
    "backup.restore": {"security_admin"},
    "backup.drill": {"security_admin"},
    "key.escrow": {"security_admin"},
}
#: What the anonymous public may do on the open portal: read public data, apply for disclosure.
PUBLIC_MAY = {"portal.read", "disclosure.submit"}
SYSTEM_MAY = {
    "unit.read",
    "unit.manage",
    "user.read",
    "user.manage",
    "client.manage",
    "config.manage",
    "audit.verify",
    "audit.purge",
    "compliance.run",
    "notice.escalate",
    "share.overdue",
    "consent.check",
    "monitor.run",
    "backup.create",
    "backup.read",
    "backup.verify",
    "backup.restore",
    "backup.drill",
    "key.escrow",
}
OWN_UNIT_ACTIONS = {
    "catalog.edit",
    "catalog.submit",
    "catalog.publish",
    "catalog.retire",
    "data.read",
    "data.ingest",
    "system.register",
    "notice.answer",
    "assessment.edit",
    "share.supplement",
    "grant.manage",
    "feedback.answer",
    "privacy.notice.publish",
    "consent.read",
    "consent.record",
    "sensitive.decide",
    "automated_decision.edit",
    "privacy.release",
    "extract.request",
    "extract.read",
    "release.submit",
}
OTHER_UNIT_ACTIONS = {
    "catalog.review",
    "system.approve",
    "notice.issue",
    "notice.review",
    "notice.escalate",
    "share.security_review",
    "extract.approve",
    "release.approve",
    "release.review",
}
#: the provider's unit decides on a request made by another unit
PROVIDER_ACTIONS = {"share.decide", "share.record"}
MY_UNIT, OTHER_UNIT = 1, 2


def actor(role: Role, unit: int = MY_UNIT) -> Actor:
    return Actor(
        kind="user", id="1", name="u", unit_id=unit, unit_code="U", roles=frozenset({role})
    )


def test_expected_table_covers_every_action():
    assert set(EXPECTED) == {a.value for a in Action} == {a.value for a in MATRIX}


CELLS = [(role, action) for role in Role for action in Action]


@pytest.mark.parametrize(("role", "action"), CELLS, ids=[f"{r.value}-{a.value}" for r, a in CELLS])
def test_cell(role: Role, action: Action):
    """Each (role, action): allowed exactly where expected, on a target that fits its scope."""
    if action.value in OWN_UNIT_ACTIONS:
        fitting = Target("x", "1", unit_id=MY_UNIT)
    elif action.value in OTHER_UNIT_ACTIONS:
        fitting = Target("x", "1", unit_id=OTHER_UNIT)
    elif action.value in PROVIDER_ACTIONS:
        fitting = Target("x", "1", unit_id=MY_UNIT, requester_unit_id=OTHER_UNIT)
    else:
        fitting = Target("x", "1", unit_id=OTHER_UNIT)
    assert is_allowed(actor(role), action, fitting) is (role.value in EXPECTED[action.value])


@pytest.mark.parametrize("action", sorted(OWN_UNIT_ACTIONS))
def test_own_unit_actions_refused_on_another_units_target(action):
    assert not is_allowed(
        actor(Role.DATA_STEWARD), Action(action), Target("x", "1", unit_id=OTHER_UNIT)
    )


def test_reviewer_cannot_review_own_units_submission():
    reviewer = actor(Role.CATALOG_REVIEWER)
    assert not is_allowed(reviewer, Action.CATALOG_REVIEW, Target("resource", "1", unit_id=MY_UNIT))
    assert not is_allowed(
        reviewer,
        Action.CATALOG_REVIEW,
        Target("application", "1", unit_id=OTHER_UNIT, requester_unit_id=MY_UNIT),
    )


@pytest.mark.parametrize("action", sorted(PROVIDER_ACTIONS))
def test_provider_actions_need_the_providers_unit_and_another_requester(action):
    steward = actor(Role.DATA_STEWARD)
    assert is_allowed(steward, Action(action), Target("a", "1", MY_UNIT, OTHER_UNIT))
    # the applicant's own unit can never decide, even when it is also the provider
    assert not is_allowed(steward, Action(action), Target("a", "1", MY_UNIT, MY_UNIT))
    assert not is_allowed(steward, Action(action), Target("a", "1", OTHER_UNIT, 3))
    assert not is_allowed(steward, Action(action), Target("a", "1", MY_UNIT))


def test_system_admin_reads_no_business_data_and_no_audit_log():
    admin = actor(Role.SYSTEM_ADMIN)
    for action in (Action.CATALOG_READ, Action.DATA_READ, Action.AUDIT_READ, Action.AUDIT_EXPORT):
        assert not is_allowed(admin, action, Target("x", "1", unit_id=MY_UNIT))


def test_auditor_reads_and_exports_audit_log_and_nothing_else():
    auditor = actor(Role.AUDITOR)
    allowed = {a.value for a in Action if is_allowed(auditor, a, Target("x", "1", unit_id=MY_UNIT))}
    assert allowed == {"audit.read", "audit.export", "audit.verify"}
    assert not is_allowed(
        auditor, Action.SHARE_DECIDE, Target("a", "1", unit_id=MY_UNIT, requester_unit_id=2)
    )


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_system_actor_cell(action):
    assert is_allowed(system_actor(), action, Target("x", "1", unit_id=MY_UNIT)) is (
        action.value in SYSTEM_MAY
    )


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_public_actor_cell(action):
    assert is_allowed(public_actor("203.0.113.5"), action, Target("x", "1", unit_id=MY_UNIT)) is (
        action.value in PUBLIC_MAY
    )


def test_publisher_and_security_reviewer_never_release_their_own_units_data():
    for role, action in (
        (Role.PUBLISHER, Action.RELEASE_APPROVE),
        (Role.SECURITY_REVIEWER, Action.RELEASE_REVIEW),
    ):
        own = Target("release", "1", unit_id=OTHER_UNIT, requester_unit_id=MY_UNIT)
        assert not is_allowed(actor(role), action, own)


def test_token_scopes_narrow_roles():
    steward = Actor(
        kind="client",
        id="c",
        name="c",
        unit_id=MY_UNIT,
        unit_code="U",
        roles=frozenset({Role.DATA_STEWARD}),
        scopes=frozenset({"catalog.read"}),
    )
    assert is_allowed(steward, Action.CATALOG_READ)
    assert not is_allowed(steward, Action.CATALOG_EDIT, Target("x", "1", unit_id=MY_UNIT))


def test_unknown_action_denied():
    assert not is_allowed(actor(Role.SYSTEM_ADMIN), "no.such.action")  # type: ignore[arg-type]
