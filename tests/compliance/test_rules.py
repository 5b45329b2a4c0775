"""Every rule, table-driven: build a failing state and see its finding open, repair it (or
let time pass) and see the finding close. A rule without a case here fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from hutong.audit.models import AuditAnchor, AuditCheckpoint
from hutong.audit.service import Category, EventInput, Outcome, checkpoint_now, record, record_many
from hutong.audit.verify import VerifyReport, record_verification
from hutong.catalog.models import InformationSystem, MaintenanceTask, Resource
from hutong.compliance import runner
from hutong.compliance.models import Finding, SecurityAudit, SystemProfile
from hutong.compliance.rules import load
from hutong.core.clock import now_us, today_local, utcnow
from hutong.data.models import DataKey, DatasetVersion
from hutong.identity.authz import Actor, Target
from hutong.identity.models import User, UserRole
from tests.compliance import builders as b

A = "MOE-JSGZS"  # the steward's unit (dept_a)
Fix = Callable[..., timedelta | None]


@dataclass
class Case:
    fail: Callable[..., str]  # builds the failing state, returns the subject id
    fix: Fix  # repairs it; may return how much time must pass instead


def _profile(s, o) -> SystemProfile:
    return s.get(SystemProfile, o["system"])


def profile_case(broken: dict, repaired: dict) -> Case:
    """A good system whose registry record is broken, then repaired, field by field."""

    def fail(s, o):
        o["system"] = b.system(s, A, **broken).id
        return str(o["system"])

    def fix(s, o):
        for field, value in repaired.items():
            setattr(_profile(s, o), field, value)

    return Case(fail, fix)


def resource_case(broken: dict, repaired: dict, items=None) -> Case:
    def fail(s, o):
        row = b.resource(s, A, items=items() if items else None, **broken)
        o["resource"] = row.id
        return row.code

    def fix(s, o):
        row = s.get(Resource, o["resource"])
        for field, value in repaired.items():
            if field == "item":
                for name, val in value.items():
                    setattr(row.items[0], name, val)
            else:
                setattr(row, field, value)

    return Case(fail, fix)


def pi_item(**changes):
    return lambda: [b.item("姓名", pi_category="identity", **changes)]


def sensitive_item(**changes):
    return lambda: [b.item("民族", **{"pi_category": "ethnicity", "sensitive": True, **changes})]


# --- systems --------------------------------------------------------------------------------


def _with_officer(s, o, username: str | None) -> str:
    """A good system (created on first call) whose PI officer is that account, or nobody."""
    if "system" not in o:
        o["system"] = b.system(s, A).id
    _profile(s, o).pi_officer_user_id = b.user_id(s, username) if username else None
    return str(o["system"])


def _bare_system(s, o):
    o["system"] = b.system(s, A, profile=False).id
    return str(o["system"])


def _add_profile(s, o):
    s.add(SystemProfile(system_id=o["system"], **b.GOOD_PROFILE))


def _stale_audit(s, o):
    o["system"] = b.system(s, A).id
    s.execute(delete(SecurityAudit).where(SecurityAudit.system_id == o["system"]))
    return str(o["system"])


def _fresh_audit(s, o):
    s.add(
        SecurityAudit(
            system_id=o["system"],
            audited_on=today_local(),
            auditor="测评机构",
            conclusion="passed",
            recorded_by="t",
        )
    )


def _understated(s, o):
    row = b.system(s, A, persons_pi=10)
    b.resource(s, A, source_system_id=row.id, approx_persons=3_000_000, grade="important")
    o["system"] = row.id
    return str(row.id)


def _important_unassessed(s, o):
    row = b.system(s, A)
    b.resource(s, A, source_system_id=row.id, grade="important")
    o["system"] = row.id
    return str(row.id)


def _assess(status):
    def fix(s, o):
        b.assessment(s, s.get(InformationSystem, o["system"]), status=status)

    return fix


def _child_source(s, o):
    row = b.system(s, A)
    b.resource(s, A, source_system_id=row.id, has_pi=True, has_child_pi=True, grade="important")
    o["system"] = row.id
    return str(row.id)


def _proposed(s, o):
    o["system"] = b.system(s, A, status="proposed").id
    return str(o["system"])


def _draft_for(s, o):
    b.resource(s, A, status="draft", source_system_id=o["system"])


def _operating_unpublished(s, o):
    row = b.system(s, A)
    o["resource"] = b.resource(s, A, status="draft", source_system_id=row.id).id
    o["system"] = row.id
    return str(row.id)


def _publish(s, o):
    s.get(Resource, o["resource"]).status = "published"


SYSTEM_CASES = {
    "system.registry.missing": Case(_bare_system, _add_profile),
    "system.million.pi_officer": Case(
        lambda s, o: _with_officer(s, o, None), lambda s, o: _with_officer(s, o, "pi.officer")
    ),
    "system.pi_officer.valid": Case(
        lambda s, o: _with_officer(s, o, "data.steward"),
        lambda s, o: _with_officer(s, o, "pi.officer"),
    ),
    "system.million.filing": profile_case(
        {"provincial_filing_ref": ""}, {"provincial_filing_ref": "京教备〔2026〕2号"}
    ),
    "system.million.mlps": profile_case({"mlps_level": 2}, {"mlps_level": 3}),
    "system.million.yearly_audit": Case(_stale_audit, _fresh_audit),
    "system.mlps.missing": profile_case({"mlps_level": None}, {"mlps_level": 4}),
    "system.third_party.agreement": profile_case(
        {"third_party_platform": "某云平台"},
        {
            "third_party_agreement_ref": "数据使用和保密协议",
            "third_party_agreement_date": today_local(),
        },
    ),
    "system.third_party.expired": profile_case(
        {
            "third_party_platform": "某云平台",
            "third_party_agreement_ref": "协议",
            "third_party_agreement_date": today_local() - timedelta(days=400),
            "third_party_agreement_expires": today_local() - timedelta(days=1),
        },
        {"third_party_agreement_expires": today_local() + timedelta(days=365)},
    ),
    "system.security_rules": profile_case(
        {"security_rules_doc": ""}, {"security_rules_doc": "《办法》"}
    ),
    "system.emergency_plan": profile_case(
        {"emergency_plan_covers_data": False}, {"emergency_plan_covers_data": True}
    ),
    "system.confidentiality_review": profile_case(
        {"confidentiality_review": "failed"}, {"confidentiality_review": "passed"}
    ),
    "system.storage_backup": profile_case({"offsite_backup": False}, {"offsite_backup": True}),
    "system.abroad": profile_case(
        {"stores_abroad": True}, {"export_assessment_ref": "出境评估〔2026〕3号"}
    ),
    "system.pi.encryption": profile_case({"encrypts_at_rest": False}, {"encrypts_at_rest": True}),
    "system.responsible_person": profile_case(
        {"responsible_person": ""}, {"responsible_person": "赵处长"}
    ),
    "system.persons.understated": Case(
        _understated, lambda s, o: setattr(_profile(s, o), "persons_pi", 3_000_000)
    ),
    "system.assessment.periodic": Case(_important_unassessed, _assess("reported")),
    "system.assessment.sensitive": Case(_child_source, _assess("draft")),
    "system.catalog.draft": Case(_proposed, _draft_for),
    "system.catalog.published": Case(_operating_unpublished, _publish),
}

# --- catalog --------------------------------------------------------------------------------


def _overdue_task(s, o):
    row = MaintenanceTask(
        kind="change",
        unit_id=b.unit_id(s, A),
        description="变更",
        due_date=today_local() - timedelta(days=1),
    )
    s.add(row)
    s.flush()
    o["task"] = row.id
    return str(row.id)


def _old_catalog(s, o):
    b.resource(s, A, release_date=today_local() - timedelta(days=400))
    return A


def _annual_review(s, o):
    s.add(
        MaintenanceTask(
            kind="annual_review",
            unit_id=b.unit_id(s, A),
            description="全面维护",
            due_date=today_local() + timedelta(days=365),
        )
    )


def _stale_data(s, o):
    row = b.resource(s, A, update_cycle="monthly")
    b.version(s, row.id, 1, at=utcnow() - timedelta(days=100))
    o["resource"] = row.id
    return row.code


CATALOG_CASES = {
    "resource.not_shared.legal_basis": resource_case(
        {"share_type": "not_shared"}, {"share_legal_basis": "依据《中华人民共和国统计法》"}
    ),
    "resource.grade.unconditional": resource_case(
        {"grade": "important", "share_type": "unconditional"}, {"share_type": "conditional"}
    ),
    "resource.special_pi.unconditional": resource_case(
        {"has_pi": True, "has_child_pi": True, "share_type": "unconditional"},
        {"deidentified": True},
    ),
    "resource.pi.proactive": resource_case(
        {"has_pi": True, "open_type": "proactive"}, {"open_type": "not_open"}, pi_item()
    ),
    "resource.child.disclosed": resource_case(
        {"has_pi": True, "has_child_pi": True, "open_type": "on_request"},
        {"open_type": "not_open"},
    ),
    "resource.pi.flag": resource_case({"has_pi": False}, {"has_pi": True}, pi_item()),
    "resource.sensitive.flag": resource_case(
        {"has_pi": True, "grade": "important"},
        {"item": {"sensitive": True}},
        sensitive_item(sensitive=False),
    ),
    "resource.million.grade": resource_case({"approx_persons": 2_000_000}, {"grade": "important"}),
    "resource.sensitive.grade": resource_case(
        {"has_pi": True}, {"grade": "important"}, sensitive_item(default_mask="partial")
    ),
    "resource.child.grade": resource_case(
        {"has_pi": True, "has_child_pi": True}, {"grade": "important"}
    ),
    "resource.pi.retention": resource_case({"has_pi": True}, {"retention_days": 3650}, pi_item()),
    "resource.sensitive.unmasked": resource_case(
        {"has_pi": True, "grade": "important"},
        {"item": {"default_mask": "partial"}},
        sensitive_item(),
    ),
    "resource.responsible_person": resource_case(
        {"responsible_person": ""}, {"responsible_person": "王老师"}
    ),
    "resource.items.empty": resource_case({}, {"items": [b.item("学校名称")]}, lambda: []),
    "resource.pi.source_system": Case(
        lambda s, o: resource_case({"has_pi": True, "approx_persons": 2_000_000}, {}).fail(s, o),
        lambda s, o: setattr(s.get(Resource, o["resource"]), "source_system_id", b.system(s, A).id),
    ),
    "resource.update.stale": Case(_stale_data, lambda s, o: b.version(s, o["resource"], 2)),
    "task.change.overdue": Case(
        _overdue_task, lambda s, o: setattr(s.get(MaintenanceTask, o["task"]), "status", "done")
    ),
    "unit.catalog.annual_review": Case(_old_catalog, _annual_review),
}

# --- datasets -------------------------------------------------------------------------------


def dataset_case(broken_resource: dict, detection: dict, repaired: dict, *, score=95.0) -> Case:
    def fail(s, o):
        row = b.resource(s, A, updated_at=utcnow() - timedelta(days=1), **broken_resource)
        b.version(s, row.id, 1, score=score, **detection)
        o["resource"] = row.id
        return f"{row.code}#v1"

    def fix(s, o):
        row = s.get(Resource, o["resource"])
        for field, value in repaired.items():
            setattr(row, field, value() if callable(value) else value)

    return Case(fail, fix)


def _low_twice(s, o):
    row = b.resource(s, A)
    b.version(s, row.id, 1, score=40.0)
    b.version(s, row.id, 2, score=50.0)
    o["resource"] = row.id
    return f"{row.code}#v2"


def _old_version(s, o):
    row = b.resource(s, A, retention_days=30)
    b.version(s, row.id, 1, at=utcnow() - timedelta(days=40))
    o["resource"] = row.id
    return f"{row.code}#v1"


def _unsealed(s, o):
    row = b.resource(s, A, has_pi=True, grade="important")
    o["resource"], o["version"] = row.id, b.version(s, row.id, 1).id
    return f"{row.code}#v1"


def _seal(s, o):
    key = DataKey(key_id="c0" * 16, resource_id=o["resource"], cipher="aes-256-gcm", wrapped="x")
    s.add(key)
    s.flush()
    s.get(DatasetVersion, o["version"]).data_key_id = key.id


DATASET_CASES = {
    "dataset.pi_unencrypted": Case(_unsealed, _seal),
    "dataset.catalog_mismatch": dataset_case(
        {},
        {"mismatches": [{"column": "", "zh": "目录登记为不含个人信息，但数据中检出个人信息"}]},
        {"updated_at": lambda: utcnow() + timedelta(minutes=1)},  # at repair time, not import
    ),
    "dataset.quality.low_twice": Case(
        _low_twice, lambda s, o: b.version(s, o["resource"], 3, score=90.0)
    ),
    "dataset.persons.undeclared": dataset_case(
        {"has_pi": True, "grade": "important"},
        {"persons": 1_500_000},
        {"approx_persons": 1_500_000},
    ),
    "dataset.children.undeclared": dataset_case(
        {"has_pi": True, "grade": "important"}, {"children": 12}, {"has_child_pi": True}
    ),
    "dataset.retention.exceeded": Case(
        _old_version, lambda s, o: setattr(s.get(Resource, o["resource"]), "retention_days", 3650)
    ),
}

# --- accounts -------------------------------------------------------------------------------


def _user(s, username: str) -> User:
    return s.get(User, b.user_id(s, username))


def _events(s, username: str, count: int, **fields) -> None:
    user = _user(s, username)
    actor = Actor("user", str(user.id), user.username, user.unit_id, "U", frozenset(user.roles))
    defaults = {"category": Category.QUERY, "event": "catalog.read"}
    defaults.update(fields)
    record_many(
        s,
        [
            EventInput(
                actor,
                defaults["event"],
                defaults["category"],
                Target(*defaults.get("target", ("resource", "x"))),
                defaults.get("outcome", Outcome.ALLOWED),
                defaults.get("rows", 0),
            )
            for _ in range(count)
        ],
    )


def _pass_days(days: int) -> Fix:
    return lambda s, o: timedelta(days=days)


def _doubled(s, o):
    s.add(UserRole(user_id=b.user_id(s, "auditor"), role="system_admin"))
    return "auditor"


ACCOUNT_CASES = {
    "user.three_officers": Case(
        _doubled,
        lambda s, o: s.execute(
            delete(UserRole).where(
                UserRole.user_id == b.user_id(s, "auditor"), UserRole.role == "system_admin"
            )
        ),
    ),
    "user.dormant": Case(
        lambda s, o: (
            setattr(_user(s, "publisher"), "last_login_at", utcnow() - timedelta(days=100))
            or "publisher"
        ),
        lambda s, o: setattr(_user(s, "publisher"), "last_login_at", utcnow()),
    ),
    "user.officer.totp": Case(
        lambda s, o: "security.admin",
        lambda s, o: setattr(_user(s, "security.admin"), "totp_enabled", True),
    ),
    "user.one_time_password": Case(
        lambda s, o: (
            [
                setattr(_user(s, "publisher"), "must_change_password", True),
                setattr(_user(s, "publisher"), "created_at", utcnow() - timedelta(days=10)),
            ]
            and "publisher"
        ),
        lambda s, o: setattr(_user(s, "publisher"), "must_change_password", False),
    ),
    "user.denied_burst": Case(
        lambda s, o: _events(s, "data.consumer", 20, outcome=Outcome.DENIED) or "data.consumer",
        _pass_days(2),
    ),
    "user.login_failures": Case(
        lambda s, o: (
            _events(
                s,
                "data.consumer",
                10,
                event="auth.login",
                category=Category.LOGIN,
                outcome=Outcome.FAILED,
                target=("user", "data.consumer"),
            )
            or "data.consumer"
        ),
        _pass_days(2),
    ),
    "user.bulk_export": Case(
        lambda s, o: (
            _events(s, "data.steward", 1, category=Category.EXPORT, rows=2_000_000)
            or "data.steward"
        ),
        _pass_days(2),
    ),
    "user.sysadmin.business_read": Case(
        lambda s, o: _events(s, "system.admin", 1) or "system.admin", _pass_days(31)
    ),
    "unit.data_steward": Case(
        lambda s, o: b.resource(s, "4111010001") and "4111010001",
        lambda s, o: (
            s.add(UserRole(user_id=b.user_id(s, "data.consumer"), role="data_steward"))
            or setattr(_user(s, "data.consumer"), "unit_id", b.unit_id(s, "4111010001"))
        ),
    ),
}

# --- platform -------------------------------------------------------------------------------


def _anchor(s, o):
    s.add(
        AuditAnchor(
            seq=0,
            hash="0" * 64,
            first_seq=0,
            archive="a",
            archive_sha256="0" * 64,
            ts_us=now_us(),
            key_id="k",
            signature="s",
        )
    )
    return "audit-log"


def _verified(ok: bool):
    def step(s, o):
        report = VerifyReport()
        if not ok:
            from hutong.audit.verify import Problem

            report.problems.append(Problem(1, "x", "x"))
        record_verification(s, Actor("system", "system", "system:t", None, None), report)
        return "audit-chain"

    return step


def _unsigned(s, o):
    """More than twice ``audit_checkpoint_every`` (1,000) events past the last signature."""
    _events(s, "data.steward", 2_100)
    s.execute(delete(AuditCheckpoint))
    return "audit-checkpoints"


PLATFORM_CASES = {
    "audit.retention": Case(_anchor, _pass_days(200)),
    "audit.verification": Case(_verified(False), _verified(True)),
    "audit.checkpoints": Case(_unsigned, lambda s, o: checkpoint_now(s) and None),
}

# --- privacy (issue 8) --------------------------------------------------------------------------


def _notice(s, system_id: int, version: int = 1, material: bool = False):
    from hutong.privacy.models import CollectionNotice

    row = CollectionNotice(
        system_id=system_id,
        version=version,
        title="收集使用规则",
        purposes=[{"code": "enrolment", "name": "学籍管理"}],
        method="入学登记",
        items=["姓名"],
        categories=["identity"],
        retention="毕业后 3 年",
        material_change=material,
        published_by="test",
    )
    s.add(row)
    s.flush()
    return row


def _consent(s, notice, **changes):
    from hutong.privacy.models import Consent

    values = dict(
        system_id=notice.system_id,
        notice_id=notice.id,
        notice_version=notice.version,
        subject="a" * 64,
        kind="purpose",
        code="enrolment",
        given_by="subject",
        source="api",
        recorded_by="test",
    )
    values.update(changes)
    row = Consent(**values)
    s.add(row)
    s.flush()
    return row


def _pi_source_without_notice(s, o):
    system = b.system(s, A)
    b.resource(s, A, has_pi=True, source_system_id=system.id, items=pi_item()())
    o["system"] = system.id
    return str(system.id)


def _stale_consent(s, o):
    system = b.system(s, A)
    first = _notice(s, system.id)
    o["consent"] = _consent(s, first).id
    o["v2"] = _notice(s, system.id, 2, material=True)
    return str(system.id)


def _renew(s, o):
    from hutong.privacy.models import Consent

    row = s.get(Consent, o["consent"])
    row.notice_id, row.notice_version = o["v2"].id, 2


def _child_without_guardian(s, o):
    system = b.system(s, A)
    o["consent"] = _consent(s, _notice(s, system.id), child=True).id
    return str(system.id)


def _add_guardian(s, o):
    from hutong.privacy.models import Consent

    row = s.get(Consent, o["consent"])
    row.given_by, row.guardian, row.guardian_relation = "guardian", "b" * 64, "mother"


def _undecided_sensitive(s, o):
    row = b.resource(
        s, A, has_pi=True, grade="important", items=sensitive_item(default_mask="null")()
    )
    o["resource"] = row.id
    return row.code


def _decide(s, o):
    from hutong.privacy.models import SensitiveDecision

    s.add(
        SensitiveDecision(
            resource_id=o["resource"],
            item_name="民族",
            category="ethnicity",
            necessity="必要",
            scientific="科学",
            ethics="伦理",
            meeting="党组会",
            meeting_date=today_local(),
            attendees=["甲", "乙", "丙"],
            outcome="approved",
            recorded_by="test",
        )
    )


def _unchecked_decision(s, o):
    from hutong.privacy.models import AutomatedDecision

    row = AutomatedDecision(
        unit_id=b.unit_id(s, A), name="自动排课", purpose="排课", logic="按规则", recorded_by="t"
    )
    s.add(row)
    s.flush()
    o["decision"] = row.id
    return str(row.id)


def _fair(s, o):
    from hutong.privacy.models import AutomatedDecision

    s.get(AutomatedDecision, o["decision"]).fairness_passed = True


def _unapproved_extract(s, o):
    from hutong.privacy.models import Extract

    resource = b.resource(s, A)
    row = Extract(
        number="YJ2026TEST",
        resource_id=resource.id,
        requester_unit_id=b.unit_id(s, A),
        requested_by="t",
        purpose="科研",
        produced_at=utcnow(),
    )
    s.add(row)
    s.flush()
    o["extract"] = row.id
    return row.number


def _approve_extract(s, o):
    from hutong.privacy.models import Extract

    row = s.get(Extract, o["extract"])
    row.decided_by, row.decided_at = "owner", utcnow()


def _overdue_complaint(s, o):
    from hutong.privacy.models import Complaint

    row = Complaint(
        number="GR2026TEST",
        category="use",
        contact_sealed="x",
        text_sealed="x",
        due_date=today_local() - timedelta(days=1),
    )
    s.add(row)
    s.flush()
    o["complaint"] = row.id
    return row.number


def _answer_complaint(s, o):
    from hutong.privacy.models import Complaint

    s.get(Complaint, o["complaint"]).state = "answered"


def _grant_without_consent_basis(s, o):
    from hutong.exchange.models import Grant

    system = b.system(s, A)
    _notice(s, system.id)  # legal basis: consent
    row = b.resource(s, A, has_pi=True, source_system_id=system.id, items=pi_item()())
    grant = Grant(
        code="GTESTCONSENT", resource_id=row.id, consumer_unit_id=row.provider_unit_id,
        provider_unit_id=row.provider_unit_id, items=[{"name": "姓名", "mask": {"op": "none"}}],
        purpose="学籍核查", purpose_category="verification", access_mode="online_only",
        max_rows_per_query=100, valid_from=utcnow() - timedelta(days=1),
        valid_until=utcnow() + timedelta(days=30), status="active", revision=1,
    )  # fmt: skip
    s.add(grant)
    s.flush()
    o["grant"], o["system"] = grant.id, system.id
    return grant.code


def _name_consent_basis(s, o):
    from hutong.exchange.models import Grant

    grant = s.get(Grant, o["grant"])
    grant.consent_system_id, grant.consent_purpose = o["system"], "enrolment"
    grant.consent_subject_item = "姓名"


PRIVACY_CASES = {
    "consent.missing": Case(_grant_without_consent_basis, _name_consent_basis),
    "notice.missing": Case(
        _pi_source_without_notice, lambda s, o: _notice(s, o["system"]) and None
    ),
    "consent.stale_after_change": Case(_stale_consent, _renew),
    "consent.guardian": Case(_child_without_guardian, _add_guardian),
    "sensitive.leadership_decision": Case(_undecided_sensitive, _decide),
    "automated_decision.fairness": Case(_unchecked_decision, _fair),
    "extract.unapproved": Case(_unapproved_extract, _approve_extract),
    "complaint.unanswered": Case(_overdue_complaint, _answer_complaint),
}

# --- open portal ----------------------------------------------------------------------------


def _public_release(**fields):
    def fail(s, o):
        from hutong.openportal.models import Release

        row = b.resource(s, A, open_type="proactive")
        version = b.version(s, row.id, 1)
        values = dict(check_passed=True, reviewed_by="security.reviewer", risk_note="风险低")
        values.update(fields)
        release = Release(
            resource_id=row.id, version_id=version.id, version=1, state="public",
            check_report={}, requested_by="t", requested_unit_id=row.provider_unit_id, **values,
        )  # fmt: skip
        s.add(release)
        s.flush()
        o["release"] = release.id
        return f"{row.code}#r{release.id}"

    return fail


def _withdraw(s, o):
    from hutong.openportal.models import Release

    s.get(Release, o["release"]).state = "withdrawn"


def _overdue_request(s, o):
    from hutong.openportal.models import DisclosureRequest

    request = DisclosureRequest(
        tracking_no="YSQ-TEST-1", state="received", applicant_sealed="x", applicant_key="k",
        id_type="citizen_id", description="d", preferred_format="electronic",
        due_date=today_local() - timedelta(days=1),
    )  # fmt: skip
    s.add(request)
    s.flush()
    o["request"] = request.id
    return request.tracking_no


def _answer(s, o):
    from hutong.openportal.models import DisclosureRequest

    s.get(DisclosureRequest, o["request"]).state = "answered"


PORTAL_CASES = {
    "release.pi_not_deidentified": Case(_public_release(check_passed=False), _withdraw),
    "release.unreviewed": Case(_public_release(risk_note=""), _withdraw),
    "disclosure.overdue": Case(_overdue_request, _answer),
}

# --- sharing exchange -----------------------------------------------------------------------

B = "MOE-FGS"  # a consumer unit other than the provider


def _application(s, status="submitted", **changes):
    from hutong.exchange.models import Application

    row = b.resource(s, A, **changes.pop("resource", {}))
    values = dict(
        resource_id=row.id, applicant_unit_id=b.unit_id(s, B), provider_unit_id=row.provider_unit_id,
        applicant_name="consumer", status=status, purpose="核查", purpose_category="administration",
        items=["学校名称"], period_from=date.today(), period_until=date.today() + timedelta(days=90),
        access_mode="online_only", security_measures="专人负责", submitted_at=utcnow(),
    )  # fmt: skip
    values.update(changes)
    application = Application(**values)
    s.add(application)
    s.flush()
    return row, application


def _grant(resource: dict | None = None, **changes):
    def fail(s, o):
        from hutong.exchange.models import Grant

        row, application = _application(s, status="granted", resource=resource or {})
        values = dict(
            code=f"G{application.id:06d}", application_id=application.id, resource_id=row.id,
            consumer_unit_id=application.applicant_unit_id, provider_unit_id=row.provider_unit_id,
            items=[{"name": "学校名称"}], purpose="核查", purpose_category="administration",
            access_mode="online_only", max_rows_per_query=1000, valid_from=utcnow(),
            valid_until=utcnow() + timedelta(days=30), status="active",
        )  # fmt: skip
        values.update(changes)
        grant = Grant(**values)
        s.add(grant)
        s.flush()
        o["grant"], o["application"] = grant.id, application.id
        return grant.code

    return fail


def _document(kind: str):
    def fix(s, o):
        from hutong.exchange.models import Document

        s.add(
            Document(
                application_id=o["application"], kind=kind, signatories=["甲", "乙"],
                signed_on=date.today(), file_name="a.pdf", file_sha256="0" * 64, file_size=1,
                recorded_by="steward",
            )
        )  # fmt: skip

    return fix


def _unanswered(s, o):
    _row, application = _application(s, due_date=date.today() - timedelta(days=3))
    o["application"] = application.id
    return str(application.id)


def _refused_silently(s, o):
    _row, application = _application(s, status="refused", refusal_reason=" ")
    o["application"] = application.id
    return str(application.id)


def _set_application(**fields):
    def fix(s, o):
        from hutong.exchange.models import Application

        for field, value in fields.items():
            setattr(s.get(Application, o["application"]), field, value)

    return fix


def _used_after_revocation(s, o):
    from hutong.exchange.models import Grant, GrantUsage

    code = _grant(status="revoked", revoked_at=utcnow() - timedelta(days=5))(s, o)
    s.add(GrantUsage(grant_id=o["grant"], day=date.today(), queries=1, rows=10))
    assert s.get(Grant, o["grant"]).code == code
    return code


def _forget_usage(s, o):
    from hutong.exchange.models import GrantUsage

    s.get(GrantUsage, (o["grant"], date.today())).rows = 0


def _old_request(model: str):
    def fail(s, o):
        from hutong.exchange import models

        row, _granted = _application(s, status="granted")
        filed = dict(filed_by="consumer", filed_at=utcnow() - timedelta(days=20), status="open")
        if model == "Correction":
            request = models.Correction(
                resource_id=row.id, reporter_unit_id=b.unit_id(s, B),
                provider_unit_id=row.provider_unit_id, item="学校名称", description="名称有误", **filed,
            )  # fmt: skip
        else:
            grant_code = _grant()(s, o)
            grant = s.scalar(select(models.Grant).where(models.Grant.code == grant_code))
            request = models.ExternalProvision(
                grant_id=grant.id, applicant_unit_id=grant.consumer_unit_id,
                provider_unit_id=grant.provider_unit_id, recipient="某研究院", purpose="研究",
                scope="汇总数据", **filed,
            )  # fmt: skip
        s.add(request)
        s.flush()
        o["request"], o["model"] = request.id, model
        return ("C" if model == "Correction" else "P") + str(request.id)

    return fail


def _answer_request(s, o):
    from hutong.exchange import models

    s.get(getattr(models, o["model"]), o["request"]).status = "answered"


def _duplicate(s, o):
    source = b.resource(s, A, items=[b.item("学校名称")])
    again = b.resource(s, B, items=[b.item("学校名称")])
    o["resource"], o["source"] = again.id, source.id
    return again.code


def _justify(s, o):
    from hutong.catalog.models import OverlapJustification

    s.add(
        OverlapJustification(
            resource_id=o["resource"], item_name="学校名称", matched_by="name",
            source_resource_id=o["source"], justification="省级同步副本，经批准", recorded_by="steward",
        )
    )  # fmt: skip


PI_ENTRY = {"has_pi": True, "grade": "important", "general_level": None}
EXCHANGE_CASES = {
    "collection.duplicate": Case(_duplicate, _justify),
    "application.unanswered": Case(_unanswered, _set_application(status="granted")),
    "application.refusal_reason": Case(
        _refused_silently, _set_application(refusal_reason="用途与共享条件不符")
    ),
    "grant.agreement": Case(_grant(PI_ENTRY), _document("agreement")),
    "grant.million_pi_provincial": Case(
        _grant({**PI_ENTRY, "approx_persons": 2_000_000}), _document("provincial_approval")
    ),
    "grant.children_third_party": Case(
        _grant({**PI_ENTRY, "has_child_pi": True}), _document("child_assessment")
    ),
    "grant.expired_in_use": Case(_used_after_revocation, _forget_usage),
    "provision.unanswered": Case(_old_request("ExternalProvision"), _answer_request),
    "correction.unanswered": Case(_old_request("Correction"), _answer_request),
}

CASES = {
    **SYSTEM_CASES, **CATALOG_CASES, **DATASET_CASES, **ACCOUNT_CASES, **PLATFORM_CASES,
    **PRIVACY_CASES, **PORTAL_CASES, **EXCHANGE_CASES,
}  # fmt: skip


def test_every_rule_has_a_case():
    assert set(CASES) == set(load())
    assert len(CASES) >= 40


def _status(db, rule_id: str, subject: str) -> str | None:
    with db.sessions() as session:
        return session.scalar(
            select(Finding.status).where(Finding.rule_id == rule_id, Finding.subject_id == subject)
        )


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_opens_and_closes_its_finding(db, org, classes, system, rule_id):
    case, objects = CASES[rule_id], {}
    with db.transaction() as session:
        subject = case.fail(session, objects)
        record(session, system, "test.arrange", category=Category.INSERT)
    with db.transaction() as session:
        runner.run(session, system, [rule_id])
    assert _status(db, rule_id, subject) == "open"
    with db.transaction() as session:
        later = case.fix(session, objects)
        record(session, system, "test.repair", category=Category.UPDATE)
    with db.transaction() as session:
        now = utcnow() + later if isinstance(later, timedelta) else None
        runner.run(session, system, [rule_id], now=now)
    assert _status(db, rule_id, subject) == "closed"


@pytest.mark.parametrize(("persons", "reached"), [(999_999, False), (1_000_000, True)])
def test_one_million_persons_reaches_the_threshold_in_the_gate_and_the_rules(
    db, org, classes, system, persons, reached
):
    """N2021 task 9: 达到 100 万人 — exactly one million needs the provincial approval before
    sharing and makes a general grade a finding, both drawn at the same line."""
    from hutong.exchange.gates import gates
    from hutong.exchange.vocab import DocumentKind

    with db.transaction() as session:
        row = b.resource(session, A, has_pi=True, approx_persons=persons)
        needs_approval = DocumentKind.PROVINCIAL_APPROVAL in gates(row).documents
        record(session, system, "test.arrange", category=Category.INSERT)
        code = row.code
    with db.transaction() as session:
        runner.run(session, system, ["resource.million.grade"])
    assert needs_approval is reached
    assert (_status(db, "resource.million.grade", code) == "open") is reached


def test_an_assessment_made_after_processing_began_is_not_made_beforehand(db, org, classes, system):
    """N2021 task 13: 事前 — the first data of a children's entry came before the assessment,
    so the assessment does not close the finding; one made before the data does."""
    began = utcnow() - timedelta(days=10)
    with db.transaction() as session:
        subject = _child_source(session, objects := {})
        entry = session.scalar(
            select(Resource).where(Resource.source_system_id == objects["system"])
        )
        b.version(session, entry.id, 1, at=began)
        late = b.assessment(session, session.get(InformationSystem, objects["system"]))
        record(session, system, "test.arrange", category=Category.INSERT)
    assert late.assessed_at > began
    with db.transaction() as session:
        runner.run(session, system, ["system.assessment.sensitive"])
    assert _status(db, "system.assessment.sensitive", subject) == "open"
    with db.transaction() as session:
        early = b.assessment(session, session.get(InformationSystem, objects["system"]))
        early.assessed_at = began - timedelta(days=1)
        record(session, system, "test.repair", category=Category.INSERT)
    with db.transaction() as session:
        runner.run(session, system, ["system.assessment.sensitive"])
    assert _status(db, "system.assessment.sensitive", subject) == "closed"
