"""Every workflow transition and who may make it; versions and readable diffs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.catalog import service, workflow
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from tests.support import entry


@pytest.fixture
def draft(db, org, classes, actors) -> str:
    with db.transaction() as session:
        return service.create(session, actors["data_steward"], entry(org)).code


def move(db, actor, code, name, reason=""):
    with db.transaction() as session:
        return workflow.transition(session, actor, code, name, reason).status


def test_codes_are_classification_plus_sequence(db, org, classes, actors, draft):
    assert draft == "30101/000001"
    with db.transaction() as session:
        second = service.create(session, actors["data_steward"], entry(org, name="教师资格信息"))
    assert second.code == "30101/000002"


def test_full_happy_path(db, actors, draft):
    steward, reviewer = actors["data_steward"], actors["catalog_reviewer"]
    assert move(db, steward, draft, "submit") == "submitted"
    assert move(db, reviewer, draft, "approve") == "approved"
    assert move(db, steward, draft, "publish") == "published"
    assert move(db, steward, draft, "retire", "数据已由新系统替代") == "retired"


def test_return_needs_reason_and_allows_resubmission(db, actors, draft):
    steward, reviewer = actors["data_steward"], actors["catalog_reviewer"]
    move(db, steward, draft, "submit")
    with pytest.raises(InvalidInput) as info:
        move(db, reviewer, draft, "return")
    assert info.value.field == "reason"
    assert move(db, reviewer, draft, "return", "摘要过于简略") == "returned"
    assert move(db, steward, draft, "submit") == "submitted"


@pytest.mark.parametrize(
    ("role", "step"),
    [
        ("catalog_reviewer", "submit"),
        ("data_steward", "approve"),
        ("data_steward", "return"),
        ("data_consumer", "submit"),
        ("system_admin", "approve"),
        ("catalog_reviewer", "publish"),
    ],
)
def test_who_may_not_make_a_transition(db, actors, draft, role, step):
    if step in ("approve", "return", "publish"):
        move(db, actors["data_steward"], draft, "submit")
    if step == "publish":
        move(db, actors["catalog_reviewer"], draft, "approve")
    with pytest.raises(PermissionDenied):
        move(db, actors[role], draft, step, "理由")
    with db.sessions() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [e.event for e in denied] == [workflow.TRANSITIONS[step].action.value]


def test_reviewer_cannot_approve_an_entry_of_their_own_unit(db, org, classes, actors, system):
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user

    with db.transaction() as session:  # a 发展规划司 steward registers an entry of 发展规划司
        create_user(
            session,
            system,
            UserCreate(
                username="fgs.steward",
                display_name="x",
                unit_code=org.dept_b,
                roles=["data_steward"],
                password=org.password,
            ),
        )
    from hutong.identity.auth import actor_for
    from hutong.identity.service import user_by_name

    with db.sessions() as session:
        fgs_steward = actor_for(user_by_name(session, "fgs.steward"))
    with db.transaction() as session:
        code = service.create(session, fgs_steward, entry(org, provider_unit_code=org.dept_b)).code
    move(db, fgs_steward, code, "submit")
    with pytest.raises(PermissionDenied):
        move(db, actors["catalog_reviewer"], code, "approve")


def test_steward_cannot_edit_another_units_entry(db, org, classes, actors, draft):
    with pytest.raises(PermissionDenied), db.transaction() as session:
        service.create(session, actors["data_steward"], entry(org, provider_unit_code=org.dept_b))


@pytest.mark.parametrize("step", ["approve", "publish", "retire"])
def test_transitions_from_the_wrong_state_are_refused(db, actors, draft, step):
    actor = actors["catalog_reviewer"] if step == "approve" else actors["data_steward"]
    with pytest.raises(Conflict):
        move(db, actor, draft, step, "理由")


def test_published_edits_are_versions_with_readable_diff(db, org, actors, draft):
    steward, reviewer = actors["data_steward"], actors["catalog_reviewer"]
    for actor, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        move(db, actor, draft, step)
    changed = entry(org, update_cycle="quarterly", items=entry(org).items[:3])
    with db.transaction() as session:
        resource = service.update(session, steward, draft, changed, "更新周期调整")
        assert resource.status == "published"
    with db.transaction() as session:
        history = service.history(session, reviewer, draft)
        assert [v.version for v in history] == [1, 2, 3, 4, 5]
        assert history[-1].changed_by == "data.steward" and history[-1].note == "更新周期调整"
        changes = {
            c.label: (c.before, c.after) for c in service.compare(session, reviewer, draft, 4, 5)
        }
    assert changes == {"更新周期": ("monthly", "quarterly"), "信息项「任教学科」": ("存在", "删除")}
    with db.transaction() as session:
        status_changes = service.compare(session, reviewer, draft, 1, 4)
    assert [(c.field, c.before, c.after) for c in status_changes if c.field == "status"] == [
        ("status", "draft", "published")
    ]


def test_retired_entries_cannot_be_edited(db, org, actors, draft):
    steward, reviewer = actors["data_steward"], actors["catalog_reviewer"]
    for actor, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        move(db, actor, draft, step)
    move(db, steward, draft, "retire", "停止采集")
    with pytest.raises(Conflict), db.transaction() as session:
        service.update(session, steward, draft, entry(org))


def test_a_proposed_system_is_ready_for_approval_only_with_a_catalog_draft(
    db, org, classes, actors
):
    """M2018 §31: the pre-compiled catalog is an approval document of a new system."""
    from hutong.catalog.vocab import SystemKind

    with db.transaction() as session:
        system = service.register_system(
            session,
            actors["data_steward"],
            "全国教师培训管理系统",
            SystemKind.ADMIN_SYSTEM,
            org.dept_a,
            org.dept_a,
            proposed=True,
        )
        assert system.approval_status == "proposed" and not service.ready_for_approval(
            session, system
        )
        service.create(session, actors["data_steward"], entry(org, source_system_id=system.id))
        assert service.ready_for_approval(session, system)
        assert [r.status for r in service.catalog_drafts_of(session, system)] == ["draft"]
    with pytest.raises(PermissionDenied), db.transaction() as session:
        service.register_system(
            session, actors["data_steward"], "他单位系统", SystemKind.SURVEY, org.dept_b, org.dept_b
        )
