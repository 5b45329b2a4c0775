"""Rows for compliance tests, written straight to the tables so a test can build states the
services would refuse (a user with two officer roles, a stale dataset, an old purge)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from hutong.catalog.models import Classification, InformationSystem, Item, Resource
from hutong.compliance.models import Assessment, SecurityAudit, SystemProfile
from hutong.core.clock import today_local, utcnow
from hutong.data.models import DatasetVersion
from hutong.identity.models import Unit, User

GOOD_PROFILE = dict(
    persons_pi=2_000_000,
    responsible_person="李主任",
    mlps_level=3,
    provincial_filing_date=date(2026, 1, 5),
    provincial_filing_ref="京教备〔2026〕1号",
    security_rules_doc="《系统数据安全管理办法》",
    emergency_plan_doc="《网络安全事件应急预案》",
    emergency_plan_covers_data=True,
    confidentiality_review="passed",
    confidentiality_review_date=date(2026, 1, 10),
    storage_plan_doc="《数据安全存储管理方案》",
    offsite_backup=True,
    encrypts_at_rest=True,
    encrypts_in_transit=True,
)


def unit_id(session, code: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.code == code))


def user_id(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


def system(session, owner: str, *, status: str = "operating", profile: bool = True, **changes):
    """A system of unit ``owner`` whose registry record passes every system rule."""
    owner_id = unit_id(session, owner)
    row = InformationSystem(
        name=f"系统{utcnow().timestamp()}",
        kind="admin_system",
        owner_unit_id=owner_id,
        operator_unit_id=owner_id,
        approval_status=status,
    )
    session.add(row)
    session.flush()
    if profile:
        values = {**GOOD_PROFILE, "pi_officer_user_id": user_id(session, "pi.officer"), **changes}
        session.add(SystemProfile(system_id=row.id, **values))
        session.add(
            SecurityAudit(
                system_id=row.id,
                audited_on=today_local() - timedelta(days=30),
                auditor="测评机构",
                conclusion="passed",
                recorded_by="test",
            )
        )
    session.flush()
    return row


def resource(session, provider: str, *, items=None, **changes) -> Resource:
    """A published general entry without PI that passes every resource rule."""
    node = session.scalar(select(Classification).where(Classification.code == "30101"))
    count = session.scalar(select(Resource.id).order_by(Resource.id.desc()).limit(1)) or 0
    values = dict(
        code=f"30101/{count + 1:06d}",
        status="published",
        classification_id=node.id,
        attribute="department",
        name="测试资源",
        provider_unit_id=unit_id(session, provider),
        summary="测试",
        format="table",
        share_type="conditional",
        open_type="not_open",
        update_cycle="irregular",
        data_kind="administrative",
        grade="general",
        responsible_person="王老师",
        release_date=today_local(),
    )
    values.update(changes)
    row = Resource(**values)
    row.items = items if items is not None else [item("学校名称")]
    session.add(row)
    session.flush()
    return row


def item(name: str, position: int = 1, **changes) -> Item:
    values = dict(name=name, position=position, data_type="字符型", pi_category="none")
    values.update(changes)
    return Item(**values)


def version(
    session,
    resource_id: int,
    number: int,
    *,
    score: float = 95.0,
    at: datetime | None = None,
    **detection,
) -> DatasetVersion:
    row = DatasetVersion(
        resource_id=resource_id,
        version=number,
        location=f"r{resource_id}/v{number}",
        rows=10,
        columns=[],
        content_sha256="0" * 64,
        source_name="t.csv",
        source_encoding="utf-8",
        quality={},
        quality_score=score,
        detection={"columns": {}, "mismatches": [], **detection},
        ingested_by="test",
        ingested_at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def assessment(session, system_row, *, status: str = "reported") -> Assessment:
    row = Assessment(
        subject_kind="system",
        system_id=system_row.id,
        unit_id=system_row.owner_unit_id,
        answers={},
        evidence={},
        score=10.0,
        level="low",
        status=status,
        assessed_by="test",
    )
    session.add(row)
    session.flush()
    return row
