"""`hutong demo`, catalog part: classification, systems and 100+ entries through the real
workflow (stewards create and submit, the 发展规划司 reviewer approves, stewards publish)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.catalog import service, workflow
from hutong.catalog.models import Classification, InformationSystem, Resource
from hutong.catalog.schemas import ItemIn, ResourceIn
from hutong.catalog.vocab import SystemKind
from hutong.core.db import Database
from hutong.demo.catalog_data import CLASSIFICATIONS, DEMO_PROVINCES, NATIONAL, PROVINCIAL, Template
from hutong.demo.org_data import (
    DEMO_USERS,
    DEPARTMENTS,
    PROVINCE_DEPARTMENT_NAMES,
    DemoUser,
    affiliated_code,
    province_code,
)
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor
from hutong.identity.service import user_by_name

REVIEWER = "reviewer.fgs"
OTHER_REVIEWER = "reviewer.bgt"
SYSTEMS = [  # (name, kind, owner, operator, entries whose source it is)
    (
        "全国中小学生学籍信息管理系统",
        SystemKind.ADMIN_SYSTEM,
        "MOE-JCJYS",
        "教育部教育管理信息中心",
        "学籍",
    ),
    ("全国教育事业统计调查", SystemKind.SURVEY, "MOE-FGS", "教育部教育管理信息中心", "统计"),
    (
        "全国教师管理信息系统",
        SystemKind.ADMIN_SYSTEM,
        "MOE-JSGZS",
        "教育部教育管理信息中心",
        "教师",
    ),
]


def steward_name(unit_code: str) -> str:
    """The demo steward account of a unit (created with the other demo accounts)."""
    if unit_code == "MOE-JSGZS":
        return "steward.jsgzs"
    if unit_code == province_code("11"):
        return "steward.bjjw"
    if unit_code.startswith("MOE-"):
        return "steward." + unit_code[4:].lower()
    return "steward.p" + unit_code[2:4]


def contributing_units() -> list[str]:
    return [*NATIONAL, *(province_code(p) for p in DEMO_PROVINCES)]


def _actor(session: Session, username: str) -> Actor:
    return actor_for(user_by_name(session, username))


def _entry(
    template: Template, unit_code: str, province: str = "", systems: dict[str, int] | None = None
) -> ResourceIn:
    name = template.name.format(province=province)
    source = next((sid for key, sid in (systems or {}).items() if key in name), None)
    return ResourceIn(
        classification_code=template.classification,
        attribute=template.attribute,
        name=name,
        provider_unit_code=unit_code,
        summary=template.summary.format(province=province),
        format=template.fmt,
        share_type=template.share,
        share_legal_basis=template.legal_basis,
        share_conditions="仅用于履行法定职责，使用部门不得对外提供"
        if template.share == "conditional"
        else "",
        share_method="共享平台在线接口（用而不存）" if template.share != "not_shared" else "",
        open_type=template.open,
        open_method="教育数据公开平台" if template.open == "proactive" else "",
        update_cycle=template.cycle,
        data_kind=template.kind,
        grade=template.grade,
        general_level=template.level,
        has_pi=any(i[3] != "none" for i in template.items),
        has_child_pi=template.child,
        approx_persons=template.persons,
        deidentified=template.deidentified,
        source_system_id=source,
        overlap_justification=template.justification.format(province=province),
        responsible_person="数据管理员",
        usage_requirements="遵守《教育部机关及直属事业单位教育数据管理办法》",
        items=[
            ItemIn(name=n, data_type=t, length=length, pi_category=pi, default_mask=mask)
            for n, t, length, pi, mask in template.items
        ],
    )


def _ensure_taxonomy(session: Session) -> None:
    reviewer = _actor(session, REVIEWER)
    existing = set(session.scalars(select(Classification.code)))
    for code, name, parent in CLASSIFICATIONS:
        if code not in existing:
            service.add_classification(session, reviewer, code, name, parent)


def _ensure_systems(session: Session) -> dict[str, int]:
    ids = {}
    for name, kind, owner, operator, key in SYSTEMS:
        system = session.scalar(select(InformationSystem).where(InformationSystem.name == name))
        if system is None:
            system = service.register_system(
                session,
                _actor(session, steward_name(owner)),
                name,
                kind,
                owner,
                affiliated_code(operator),
            )
        ids[key] = system.id
    return ids


def planned_entries(systems: dict[str, int]) -> list[ResourceIn]:
    entries = [
        _entry(t, unit, systems=systems) for unit, templates in NATIONAL.items() for t in templates
    ]
    for province in DEMO_PROVINCES:
        short = (
            PROVINCE_DEPARTMENT_NAMES[province].removesuffix("教育委员会").removesuffix("教育厅")
        )
        entries += [_entry(t, province_code(province), short, systems) for t in PROVINCIAL]
    return entries


def seed_catalog(db: Database) -> int:
    """Create what is missing; returns the number of new entries."""
    with db.transaction() as session:
        _ensure_taxonomy(session)
        systems = _ensure_systems(session)
        existing = set(session.execute(select(Resource.name, Resource.provider_unit_id)).all())
    created = 0
    for number, data in enumerate(planned_entries(systems)):
        with db.transaction() as session:
            steward = _actor(session, steward_name(data.provider_unit_code))
            if (data.name, steward.unit_id) in existing:
                continue
            code = service.create(session, steward, data).code
            created += 1
            reviewer = _actor(
                session, OTHER_REVIEWER if data.provider_unit_code == "MOE-FGS" else REVIEWER
            )
            _advance(session, steward, reviewer, code, number)
    return created


def _advance(session: Session, steward: Actor, reviewer: Actor, code: str, number: int) -> None:
    """Most entries end published; a few stay in every other state so each queue has work."""
    if number % 17 == 5:
        return  # draft
    workflow.transition(session, steward, code, "submit")
    if number % 17 == 9:
        return  # waiting for review
    if number % 17 == 13:
        workflow.transition(session, reviewer, code, "return", "请补充共享条件和信息项说明")
        return
    workflow.transition(session, reviewer, code, "approve")
    workflow.transition(session, steward, code, "publish")


def steward_accounts() -> list[DemoUser]:
    """One steward per unit that registers demo entries (beyond the per-role demo accounts)."""
    names = {**DEPARTMENTS, **{province_code(p): n for p, n in PROVINCE_DEPARTMENT_NAMES.items()}}
    return [
        DemoUser(steward_name(code), f"{names[code]}数据管理员", code, ("data_steward",))
        for code in contributing_units()
        if steward_name(code) not in {u.username for u in DEMO_USERS}
    ]
