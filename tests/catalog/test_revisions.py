"""Changes to a published entry (M2018 §11, §30; N2021 task 3): the grade is the security
administrator's; a change that loosens protection waits for the catalog reviewer while the
published version stays in force everywhere; a tightening change applies at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.catalog import protection, revisions, service, workflow
from hutong.catalog.schemas import GradeIn
from hutong.catalog.versions import snapshot
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from tests.support import entry, published

#: A general, conditionally shared entry without personal information.
PLAIN = dict(
    grade="general",
    general_level=2,
    has_pi=False,
    approx_persons=None,
    items=[
        {"name": "学校标识码", "data_type": "字符型", "length": 10},
        {"name": "专任教师数", "data_type": "整数型", "length": 8},
    ],
)
MORE = {"name": "生师比", "data_type": "数值型", "length": 5, "precision": 2}


def save(db, actor, code, **changes):
    with db.transaction() as session:
        return service.update(session, actor, code, entry_like(db, code, **changes))


def entry_like(db, code, **changes):
    """The entry as it is now, with ``changes``."""
    from hutong.catalog.schemas import ResourceIn

    with db.sessions() as session:
        now = service.out(service.by_code(session, code)).model_dump()
    return ResourceIn.model_validate({**now, **changes})


def state(db, code):
    with db.sessions() as session:
        resource = service.by_code(session, code)
        return resource.version, snapshot(resource), revisions.pending(session, resource)


def events(db, name):
    with db.sessions() as session:
        return session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.event == name).order_by(AuditEvent.seq)
        ).all()


def decide(db, actor, code, number, name, reason=""):
    with db.transaction() as session:
        return workflow.decide_revision(session, actor, code, number, name, reason).status


@pytest.fixture
def plain(db, org, classes, actors):
    return published(db, actors, entry(org, name="全国学校专任教师统计", **PLAIN))


# --- what loosens ----------------------------------------------------------------------------


def snap(org, **changes):
    from hutong.catalog.rules import normalise

    data = normalise(entry(org, **{**PLAIN, **changes}))
    return {
        **data.model_dump(mode="json"),
        "items": [i.model_dump(mode="json") for i in data.items],
    }


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        (
            {"grade": "important", "general_level": None},
            {},
            "数据级别由「重要数据」降为「一般数据（2 级）」",
        ),
        ({"general_level": 3}, {"general_level": 2}, "降为「一般数据（2 级）」"),
        ({}, {"share_type": "unconditional"}, "共享类型由「有条件共享」放宽为「无条件共享」"),
        (
            {"share_type": "not_shared", "share_legal_basis": "《中华人民共和国统计法》"},
            {},
            "共享类型由「不予共享」放宽为「有条件共享」",
        ),
        ({"open_type": "on_request"}, {"open_type": "proactive"}, "公开类型由「依申请公开」"),
        ({"has_pi": True}, {}, "取消「含个人信息」标记"),
        (
            {"has_pi": True, "has_child_pi": True},
            {"has_pi": True},
            "取消「含儿童个人信息」标记",
        ),
        (
            {"has_pi": True, "sensitive_categories": ["health"]},
            {"has_pi": True},
            "删除敏感个人信息类别：医疗健康",
        ),
        ({}, {"deidentified": True}, "声明已去标识化"),
        ({"approx_persons": 2_000_000}, {"approx_persons": 900_000}, "涉及人数减少"),
        ({}, {"items": [*PLAIN["items"], MORE]}, "新增信息项「生师比」"),
        (
            {"items": [{**PLAIN["items"][0], "pi_category": "identity"}, PLAIN["items"][1]]},
            {"has_pi": True},
            "信息项「学校标识码」的个人信息类别由「个人身份信息」改为「非个人信息」",
        ),
        (
            {"items": [{**PLAIN["items"][0], "default_mask": "partial"}, PLAIN["items"][1]]},
            {"items": [{**PLAIN["items"][0], "default_mask": "generalize"}, PLAIN["items"][1]]},
            "信息项「学校标识码」的默认脱敏由「部分遮盖」改为「泛化」",
        ),
    ],
)
def test_what_loosens_protection(org, before, after, reason):
    loosened = protection.loosenings(snap(org, **before), snap(org, **after))
    assert any(reason in text for text in loosened), loosened


@pytest.mark.parametrize(
    "after",
    [
        {"grade": "important", "general_level": None},
        {"general_level": 4},
        {"share_type": "not_shared", "share_legal_basis": "《中华人民共和国统计法》"},
        {"has_pi": True, "approx_persons": 10},
        {"items": PLAIN["items"][:1]},
        {"items": [{**PLAIN["items"][0], "default_mask": "null"}, PLAIN["items"][1]]},
        {"summary": "新的摘要", "update_cycle": "monthly"},
    ],
)
def test_tightening_or_neutral_changes_loosen_nothing(org, after):
    assert protection.loosenings(snap(org), snap(org, **after)) == []


# --- the grade -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change", [{"grade": "important", "general_level": None}, {"general_level": 1}]
)
def test_a_steward_cannot_change_a_published_grade(db, actors, plain, change):
    before = state(db, plain)
    with pytest.raises(PermissionDenied):
        save(db, actors["data_steward"], plain, **change)
    assert state(db, plain) == before
    assert events(db, "grade.manage") == ["denied"]


def test_the_issues_one_save_from_important_to_general_and_unconditional_is_refused(
    db, org, classes, actors
):
    code = published(
        db,
        actors,
        entry(
            org, name="全国教师资格信息", **{**PLAIN, "grade": "important", "general_level": None}
        ),
    )
    with pytest.raises(PermissionDenied):
        save(db, actors["data_steward"], code, grade="general", share_type="unconditional")
    _version, snap_now, pending = state(db, code)
    assert snap_now["grade"] == "important" and snap_now["share_type"] == "conditional"
    assert pending is None


def test_the_security_admin_raises_a_grade_at_once_and_lowers_it_through_review(db, actors, plain):
    admin, reviewer = actors["security_admin"], actors["catalog_reviewer"]
    version = state(db, plain)[0]
    with db.transaction() as session:
        service.change_grade(
            session, admin, plain, GradeIn(grade="important", reason="涉及全国教师队伍规模")
        )
    raised = state(db, plain)
    assert raised[0] == version + 1 and raised[1]["grade"] == "important" and raised[2] is None
    with db.transaction() as session:
        service.change_grade(
            session, admin, plain, GradeIn(grade="general", general_level=2, reason="复核后调整")
        )
    after = state(db, plain)
    assert after[0] == version + 1 and after[1]["grade"] == "important"  # still in force
    assert after[2].loosenings == ["数据级别由「重要数据」降为「一般数据（2 级）」"]
    assert decide(db, reviewer, plain, after[2].number, "approve") == "approved"
    assert state(db, plain)[1]["grade"] == "general"


def test_only_the_security_admin_uses_the_grade_operation(db, actors, plain):
    with pytest.raises(PermissionDenied), db.transaction() as session:
        service.change_grade(
            session, actors["data_steward"], plain, GradeIn(grade="important", reason="理由")
        )


# --- revisions -------------------------------------------------------------------------------


def test_a_loosening_change_is_filed_and_the_published_version_stays(db, actors, plain):
    version, before, _ = state(db, plain)
    save(
        db, actors["data_steward"], plain, share_type="unconditional", items=[*PLAIN["items"], MORE]
    )
    after_version, now, pending = state(db, plain)
    assert (after_version, now) == (version, before)
    assert pending.number == 1 and pending.proposed_by == "data.steward"
    assert pending.loosenings == [
        "共享类型由「有条件共享」放宽为「无条件共享」",
        "新增信息项「生师比」",
    ]
    assert events(db, "catalog.revision.file") == ["allowed"]
    with db.transaction() as session:
        shown = revisions.one(session, actors["catalog_reviewer"], plain, 1)
    labels = {c.label: (c.before, c.after) for c in shown.changes}
    assert labels == {
        "共享类型": ("conditional", "unconditional"),
        "信息项「生师比」": ("", "新增"),
    }


def test_approval_puts_the_revision_in_force_as_the_next_version(db, actors, plain):
    version = state(db, plain)[0]
    save(db, actors["data_steward"], plain, share_type="unconditional")
    assert decide(db, actors["catalog_reviewer"], plain, 1, "approve", "同意") == "approved"
    after_version, now, pending = state(db, plain)
    assert after_version == version + 1 and now["share_type"] == "unconditional" and not pending
    with db.transaction() as session:
        last = service.history(session, actors["catalog_reviewer"], plain)[-1]
    assert last.changed_by == "catalog.reviewer" and "修订第 1 号由 data.steward 提出" in last.note
    assert events(db, "catalog.revision.approved") == ["allowed"]


def test_a_returned_revision_needs_a_reason_and_changes_nothing(db, actors, plain):
    version, before, _ = state(db, plain)
    save(db, actors["data_steward"], plain, open_type="proactive")
    reviewer = actors["catalog_reviewer"]
    with pytest.raises(InvalidInput):
        decide(db, reviewer, plain, 1, "return")
    assert decide(db, reviewer, plain, 1, "return", "公开前须完成去标识化评估") == "returned"
    assert state(db, plain) == (version, before, None)
    with pytest.raises(Conflict):
        decide(db, reviewer, plain, 1, "approve")


def test_nobody_of_the_entrys_own_unit_decides_its_revision(db, org, classes, actors, system):
    from hutong.identity.auth import actor_for
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user, user_by_name

    code = published(db, actors, entry(org, name="全国学校专任教师统计", **PLAIN))
    save(db, actors["data_steward"], code, share_type="unconditional")
    with db.transaction() as session:
        create_user(
            session,
            system,
            UserCreate(
                username="reviewer.jsgzs",
                display_name="reviewer.jsgzs",
                unit_code=org.dept_a,  # the provider's own unit
                roles=["catalog_reviewer"],
                password=org.password,
            ),
        )
        own = actor_for(user_by_name(session, "reviewer.jsgzs"))
    for who in (own, actors["data_steward"]):
        with pytest.raises(PermissionDenied):
            decide(db, who, code, 1, "approve")
    assert state(db, code)[2] is not None


def test_a_tightening_change_applies_at_once_and_a_pending_revision_lapses(db, actors, plain):
    version = state(db, plain)[0]
    save(db, actors["data_steward"], plain, open_type="on_request")
    basis = "《中华人民共和国统计法》第三十九条"
    save(db, actors["data_steward"], plain, share_type="not_shared", share_legal_basis=basis)
    after_version, now, pending = state(db, plain)
    assert after_version == version + 1 and now["share_type"] == "not_shared" and not pending
    assert now["open_type"] == "not_open"  # the filed loosening never took effect
    assert events(db, "catalog.revision.lapsed") == ["allowed"]
    with pytest.raises(Conflict):
        decide(db, actors["catalog_reviewer"], plain, 1, "approve")


def test_only_the_proposer_replaces_a_pending_revision(db, org, actors, plain, system):
    from hutong.identity.auth import actor_for
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user, user_by_name

    save(db, actors["data_steward"], plain, share_type="unconditional")
    save(db, actors["data_steward"], plain, open_type="on_request")  # replaces number 1
    with db.sessions() as session:
        assert revisions.pending(session, service.by_code(session, plain)).number == 2
    with db.transaction() as session:
        create_user(
            session,
            system,
            UserCreate(
                username="steward.two",
                display_name="steward.two",
                unit_code=org.dept_a,
                roles=["data_steward"],
                password=org.password,
            ),
        )
        colleague = actor_for(user_by_name(session, "steward.two"))
    with pytest.raises(Conflict):
        save(db, colleague, plain, open_type="proactive")


# --- in force everywhere -----------------------------------------------------------------------


def test_the_portal_sees_only_the_version_in_force(db, org, classes, actors, tmp_path):
    from hutong.data.ingest import ingest_file
    from hutong.openportal import release

    code = published(
        db, actors, entry(org, name="全国学校专任教师统计", **{**PLAIN, "open_type": "on_request"})
    )
    path = tmp_path / "t.csv"
    path.write_text("学校标识码,专任教师数\n4111010001,120\n", encoding="utf-8")
    ingest_file(db, actors["data_steward"], code, path)
    save(db, actors["data_steward"], code, open_type="proactive")
    with pytest.raises(Conflict), db.transaction() as session:
        release.submit(session, actors["data_steward"], code)
    decide(db, actors["catalog_reviewer"], code, 1, "approve")
    with db.transaction() as session:
        assert release.submit(session, actors["data_steward"], code).resource_id


def test_compliance_judges_the_version_in_force(db, org, classes, actors):
    from hutong.compliance import runner
    from hutong.compliance.models import Finding

    items = [{"name": "姓名", "data_type": "字符型", "pi_category": "identity"}]
    code = published(
        db,
        actors,
        entry(
            org,
            name="全国教师姓名",
            **{**PLAIN, "items": items, "has_pi": True, "open_type": "on_request"},
        ),
    )

    def finding():
        with db.transaction() as session:
            runner.run(session, actors["catalog_reviewer"], ["resource.pi.proactive"])
        with db.sessions() as session:
            return session.scalar(
                select(Finding.status).where(
                    Finding.rule_id == "resource.pi.proactive", Finding.subject_id == code
                )
            )

    save(db, actors["data_steward"], code, open_type="proactive")
    assert finding() is None  # the filed change is not what the platform does
    decide(db, actors["catalog_reviewer"], code, 1, "approve")
    assert finding() == "open"
