"""The system registry and project approval: registry edits open and close findings at
once, and approvals need a catalog draft, the right supervisor and no open notice."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from hutong.audit.service import Category, record
from hutong.compliance import notices, registry, runner
from hutong.compliance.models import Finding
from hutong.compliance.schemas import ProfileIn, SecurityAuditIn, SystemIn
from hutong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.compliance import builders as b


def _status(db, rule: str, system_id: int) -> str | None:
    with db.sessions() as session:
        return session.scalar(
            select(Finding.status).where(
                Finding.rule_id == rule, Finding.subject_id == str(system_id)
            )
        )


def test_million_person_system_needs_an_officer_and_registry_edits_rerun_the_rules(db, people, org):
    steward = people["data.steward"]
    data = SystemIn(
        name="全国教师管理信息系统",
        kind="admin_system",
        owner_unit_code=org.dept_a,
        operator_unit_code=org.dept_a,
        profile=ProfileIn(persons_pi=18_000_000, mlps_level=3),
    )
    with db.transaction() as session:
        system_id = registry.register(session, steward, data).id
    assert _status(db, "system.million.pi_officer", system_id) == "open"
    assert _status(db, "system.million.yearly_audit", system_id) == "open"
    fixed = data.profile.model_copy(update={"pi_officer_username": "pi.officer"})
    with db.transaction() as session:
        registry.update_profile(session, steward, system_id, fixed)
        registry.add_audit(
            session,
            steward,
            system_id,
            SecurityAuditIn(audited_on=date.today(), auditor="某测评中心", conclusion="passed"),
        )
    assert _status(db, "system.million.pi_officer", system_id) == "closed"
    assert _status(db, "system.million.yearly_audit", system_id) == "closed"
    with db.transaction() as session:
        shown = registry.read(session, people["security.reviewer"], system_id)
    assert shown.profile.pi_officer_username == "pi.officer" and len(shown.audits) == 1


def test_registry_bad_input_and_permissions(db, people, org):
    with pytest.raises(ValidationError):
        ProfileIn(mlps_level=7)
    with pytest.raises(ValidationError):
        ProfileIn(
            third_party_agreement_date=date(2026, 5, 1),
            third_party_agreement_expires=date(2026, 1, 1),
        )
    data = SystemIn(
        name="某系统",
        kind="survey",
        owner_unit_code=org.dept_a,
        operator_unit_code=org.dept_a,
        profile=ProfileIn(pi_officer_username="nobody"),
    )
    with pytest.raises(NotFound) as unknown, db.transaction() as session:
        registry.register(session, people["data.steward"], data)
    assert unknown.value.field == "pi_officer_username"
    ok = data.model_copy(update={"profile": ProfileIn()})
    with pytest.raises(PermissionDenied), db.transaction() as session:
        registry.register(
            session, people["data.steward"], ok.model_copy(update={"owner_unit_code": org.dept_b})
        )
    with db.transaction() as session:
        system_id = registry.register(session, people["data.steward"], ok).id
    with pytest.raises(InvalidInput), db.transaction() as session:
        registry.add_audit(
            session,
            people["data.steward"],
            system_id,
            SecurityAuditIn(audited_on=date(2999, 1, 1), auditor="某机构", conclusion="passed"),
        )
    for officer in ("system.admin", "auditor"):  # 三员: the registry is business data
        with pytest.raises(PermissionDenied), db.transaction() as session:
            registry.list_systems(session, people[officer])


def test_approval_needs_draft_right_supervisor_and_no_open_notice(db, people, org, classes, system):
    with db.transaction() as session:
        proposed = b.system(session, org.dept_a, status="proposed")
        b.resource(session, org.dept_a, share_type="not_shared")
        record(session, system, "test.arrange", category=Category.INSERT)
    with pytest.raises(Conflict) as no_draft, db.transaction() as session:
        registry.approve(session, people["security.reviewer"], proposed.id)
    assert no_draft.value.field == "catalog"
    with db.transaction() as session:
        b.resource(session, org.dept_a, status="draft", source_system_id=proposed.id)
        record(session, system, "test.arrange", category=Category.INSERT)
        runner.run(session, system, ["resource.not_shared.legal_basis"])
        finding_ids = session.scalars(select(Finding.id)).all()
        notice = notices.issue(session, people["security.reviewer"], finding_ids, 10)
    with pytest.raises(PermissionDenied), db.transaction() as session:
        registry.approve(session, people["catalog.reviewer"], proposed.id)  # surveys only
    with pytest.raises(Conflict) as blocked, db.transaction() as session:
        registry.approve(session, people["security.reviewer"], proposed.id)
    assert "第四十一条" in blocked.value.zh
    with db.transaction() as session:
        session.get(type(notice), notice.id).state = "closed"
        record(session, system, "test.arrange", category=Category.UPDATE)
    with db.transaction() as session:
        assert (
            registry.approve(session, people["security.reviewer"], proposed.id).approval_status
            == "approved"
        )
