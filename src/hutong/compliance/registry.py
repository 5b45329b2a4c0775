"""The registry of information systems (N2021 tasks 2, 9, 15; M2018 §5, §6, §13, §37):
owner and operator units, third-party platform and agreement, MLPS level, persons with PI,
PI officer, provincial filing, yearly security audits, rules, plans and reviews.

Every change re-runs the system rules at once (``hooks.after_change``), so a registry edit
opens or closes its findings in the same transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog import service as catalog
from hutong.catalog.models import InformationSystem
from hutong.compliance import hooks
from hutong.compliance.models import Finding, SecurityAudit, SystemProfile
from hutong.compliance.notices import ensure_may_approve
from hutong.compliance.rules import Subject
from hutong.compliance.schemas import (
    ProfileIn,
    SecurityAuditIn,
    SecurityAuditOut,
    SystemIn,
    SystemOut,
)
from hutong.core.clock import today_local, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import User
from hutong.identity.roles import Action, Role
from hutong.identity.service import unit_by_code

PROFILE_FIELDS = set(ProfileIn.model_fields) - {"pi_officer_username"}


def target(system: InformationSystem) -> Target:
    return Target("system", str(system.id), system.owner_unit_id)


def by_id(session: Session, system_id: int) -> InformationSystem:
    system = session.get(InformationSystem, system_id)
    if system is None:
        raise NotFound("信息系统不存在", "unknown information system", field="system_id")
    return system


def _officer_id(session: Session, username: str | None) -> int | None:
    if not username:
        return None
    found = session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise NotFound(
            "个人信息保护负责人账号不存在", "unknown PI officer", field="pi_officer_username"
        )
    return found


def _write_profile(session: Session, system: InformationSystem, data: ProfileIn) -> SystemProfile:
    profile = session.get(SystemProfile, system.id) or SystemProfile(system_id=system.id)
    for field in PROFILE_FIELDS:
        setattr(profile, field, getattr(data, field))
    profile.pi_officer_user_id = _officer_id(session, data.pi_officer_username)
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile


def register(session: Session, actor: Actor, data: SystemIn) -> InformationSystem:
    """A new survey project or administrative system with its registry record."""
    owner = unit_by_code(session, data.owner_unit_code, "owner_unit_code")
    authorize(session, actor, Action.SYSTEM_REGISTER, Target("system", data.name, owner.id))
    system = catalog.register_system(
        session,
        actor,
        data.name,
        data.kind,
        data.owner_unit_code,
        data.operator_unit_code,
        proposed=data.proposed,
    )
    _write_profile(session, system, data.profile)
    hooks.after_change(session, Subject.SYSTEM)
    return system


def update_profile(session: Session, actor: Actor, system_id: int, data: ProfileIn) -> None:
    """Create or replace a system's registry record (its owner unit's data steward)."""
    system = by_id(session, system_id)
    authorize(session, actor, Action.SYSTEM_REGISTER, target(system))
    _write_profile(session, system, data)
    record(
        session, actor, "system.profile", category=Category.UPDATE, target=target(system), rows=1
    )
    hooks.after_change(session, Subject.SYSTEM)


def add_audit(
    session: Session, actor: Actor, system_id: int, data: SecurityAuditIn
) -> SecurityAudit:
    """Record a security audit of the system's PI processing (N2021 task 9: yearly)."""
    system = by_id(session, system_id)
    authorize(session, actor, Action.SYSTEM_REGISTER, target(system))
    if data.audited_on > today_local():
        raise InvalidInput(
            "审计日期不能晚于今天", "audit date is in the future", field="audited_on"
        )
    audit = SecurityAudit(system_id=system.id, recorded_by=actor.name, **data.model_dump())
    session.add(audit)
    session.flush()
    record(
        session,
        actor,
        "system.audit",
        category=Category.INSERT,
        target=target(system),
        rows=1,
        details={"audited_on": data.audited_on.isoformat(), "conclusion": data.conclusion},
    )
    hooks.after_change(session, Subject.SYSTEM)
    return audit


def _out(session: Session, system: InformationSystem) -> SystemOut:
    profile = session.get(SystemProfile, system.id)
    officer = (
        session.get(User, profile.pi_officer_user_id)
        if profile and profile.pi_officer_user_id
        else None
    )
    audits = session.scalars(
        select(SecurityAudit)
        .where(SecurityAudit.system_id == system.id)
        .order_by(SecurityAudit.audited_on.desc())
    )
    open_findings = session.scalar(
        select(func.count())
        .select_from(Finding)
        .where(
            Finding.subject_kind == Subject.SYSTEM.value,
            Finding.subject_id == str(system.id),
            Finding.status == "open",
        )
    )
    return SystemOut(
        id=system.id,
        name=system.name,
        kind=system.kind,
        owner_unit_code=system.owner_unit.code,
        owner_unit_name=system.owner_unit.name,
        operator_unit_code=system.operator_unit.code,
        operator_unit_name=system.operator_unit.name,
        approval_status=system.approval_status,
        registered=profile is not None,
        profile=ProfileIn.model_validate(
            {
                **{f: getattr(profile, f) for f in PROFILE_FIELDS},
                "pi_officer_username": officer.username if officer else None,
            }
        )
        if profile
        else None,
        audits=[
            SecurityAuditOut(
                id=a.id,
                audited_on=a.audited_on,
                auditor=a.auditor,
                conclusion=a.conclusion,  # type: ignore[arg-type]
                report_ref=a.report_ref,
                recorded_by=a.recorded_by,
            )
            for a in audits
        ],
        open_findings=open_findings or 0,
    )


def read(session: Session, actor: Actor, system_id: int) -> SystemOut:
    system = by_id(session, system_id)
    authorize(session, actor, Action.SYSTEM_READ, target(system))
    record(session, actor, "system.read", category=Category.QUERY, target=target(system), rows=1)
    return _out(session, system)


def list_systems(session: Session, actor: Actor, unit_code: str | None = None) -> list[SystemOut]:
    """Every registered system (or one owner unit's), in id order; audited as a query."""
    authorize(session, actor, Action.SYSTEM_READ, Target("system"))
    stmt = select(InformationSystem).order_by(InformationSystem.id)
    if unit_code:
        stmt = stmt.where(InformationSystem.owner_unit_id == unit_by_code(session, unit_code).id)
    systems = [_out(session, s) for s in session.scalars(stmt)]
    record(
        session,
        actor,
        "system.list",
        category=Category.QUERY,
        target=Target("system"),
        rows=len(systems),
    )
    return systems


#: Who approves what (M2018 §7, §40): survey projects by 发展规划司, systems by 网信办.
APPROVER = {"survey": Role.CATALOG_REVIEWER, "admin_system": Role.SECURITY_REVIEWER}


def approve(session: Session, actor: Actor, system_id: int, note: str = "") -> InformationSystem:
    """Approve a proposed collection project (立项): it needs a pre-compiled catalog draft
    (M2018 §31), and its owner unit may have no open rectification notice (M2018 §41)."""
    system = by_id(session, system_id)
    authorize(session, actor, Action.SYSTEM_APPROVE, target(system))
    if APPROVER[system.kind] not in actor.roles:
        raise PermissionDenied(
            "统计调查项目由发展规划司核准，信息系统由网信办核准（M2018 第七条、第四十条）",
            "surveys are approved by the catalog reviewer, systems by the security reviewer",
            field="kind",
        )
    if system.approval_status != "proposed":
        raise Conflict(
            "只有拟立项的系统可以核准", "only a proposed system can be approved", field="status"
        )
    if not catalog.ready_for_approval(session, system):
        raise Conflict(
            "未预编资源目录，不能立项（M2018 第三十一条）",
            "no pre-compiled catalog draft (M2018 §31)",
            field="catalog",
        )
    ensure_may_approve(session, system.owner_unit_id)
    system.approval_status = "approved"
    record(
        session,
        actor,
        "system.approve",
        category=Category.DECISION,
        target=target(system),
        rows=1,
        details={"note": note[:500]} if note else None,
    )
    return system
