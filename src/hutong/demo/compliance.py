"""`hutong demo`, supervision part: a registry of systems where some units pass and some
fail, a rule run, notices in every state (one overdue and escalated, 通报), and risk
assessments — all through the real services, as the accounts that would do it.

Two liberties are taken so that the dashboards have a history to show. The inspection is
replayed over the past ten weeks: a first rule run judged as of ten weeks ago finds the gaps,
then the rectified units fix theirs in three waves, each followed by a run judged as of its
week (the runner's ``now``), so findings open and close week by week. And the overdue notice
is back-dated (issued 30 days ago) so that its deadline has passed; the change is audited as
``demo.backdate``. Every run is itself audited when it happens."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.audit.verify import record_verification, verify_chain
from hutong.catalog import service as catalog
from hutong.catalog.models import InformationSystem, Resource
from hutong.catalog.schemas import GradeIn, ResourceIn
from hutong.catalog.vocab import reaches_million
from hutong.compliance import assessment, notices, registry, runner
from hutong.compliance.models import ComplianceRun, Finding, FindingEvent, SystemProfile
from hutong.compliance.schemas import ProfileIn, SecurityAuditIn, SystemIn
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import today_local, utcnow
from hutong.core.db import Database
from hutong.demo.catalog import _actor, steward_name
from hutong.demo.catalog_data import DEMO_PROVINCES
from hutong.demo.org_data import province_code
from hutong.identity.authz import Target, system_actor
from hutong.identity.models import Unit

SECURITY_REVIEWER = "secreviewer.wxb"
COMPLETE = dict(
    responsible_person="数据安全处负责人",
    mlps_level=3,
    provincial_filing_date=date(2025, 3, 18),
    provincial_filing_ref="教备〔2025〕12号",
    security_rules_doc="《系统数据安全管理办法》（2025 年修订）",
    emergency_plan_doc="《网络安全事件应急预案》",
    emergency_plan_covers_data=True,
    confidentiality_review="passed",
    confidentiality_review_date=date(2025, 2, 20),
    storage_plan_doc="《数据安全存储管理方案》",
    offsite_backup=True,
    encrypts_at_rest=True,
    encrypts_in_transit=True,
)
#: existing demo systems: name → (registry record, months since the last security audit)
EXISTING = {
    "全国教师管理信息系统": (
        dict(COMPLETE, persons_pi=18_000_000, pi_officer_username="pio.jsgzs"),
        2,
    ),
    # above one million persons without a PI officer, last audit over a year ago
    "全国中小学生学籍信息管理系统": (dict(COMPLETE, persons_pi=210_000_000), 14),
}
#: new provincial systems: (name, province, record, months since audit or None)
PROVINCIAL = [
    (
        "北京市中小学生综合素质评价系统",
        "11",
        dict(COMPLETE, persons_pi=1_600_000, pi_officer_username="pio.bjjw"),
        3,
    ),
    (
        "上海市学生体质健康监测系统",
        "31",
        dict(
            COMPLETE,
            persons_pi=1_200_000,
            mlps_level=2,
            provincial_filing_ref="",
            third_party_platform="某云服务商健康数据平台",
            encrypts_at_rest=False,
        ),
        None,
    ),
    (
        "江苏省教师资格认定管理系统",
        "32",
        dict(COMPLETE, persons_pi=300_000, emergency_plan_covers_data=False),
        5,
    ),
]


def _audit(session: Session, steward, system_id: int, months: int | None) -> None:  # type: ignore[no-untyped-def]
    if months is None:
        return
    registry.add_audit(
        session,
        steward,
        system_id,
        SecurityAuditIn(
            audited_on=today_local() - timedelta(days=30 * months),
            auditor="国家信息技术安全研究中心",
            conclusion="passed",
            report_ref=f"测评报告 {today_local().year}-{system_id:03d}",
        ),
    )


def _register(session: Session) -> dict[str, int]:
    ids = {}
    for system in session.scalars(select(InformationSystem).order_by(InformationSystem.id)):
        if system.name in EXISTING:
            record_, months = EXISTING[system.name]
            steward = _actor(session, steward_name(system.owner_unit.code))
            registry.update_profile(session, steward, system.id, ProfileIn(**record_))
            _audit(session, steward, system.id, months)
        ids[system.name] = system.id
    for name, province, record_, months in PROVINCIAL:
        unit = province_code(province)
        steward = _actor(session, steward_name(unit))
        created = registry.register(
            session,
            steward,
            SystemIn(
                name=name,
                kind="admin_system",
                owner_unit_code=unit,
                operator_unit_code=unit,
                profile=ProfileIn(**record_),
            ),
        )
        _audit(session, steward, created.id, months)
        ids[name] = created.id
    return ids


def _findings_of(session: Session, system_id: int, *rules: str) -> list[int]:
    stmt = select(Finding.id).where(
        Finding.subject_kind == "system",
        Finding.subject_id == str(system_id),
        Finding.status == "open",
    )
    return list(session.scalars(stmt.where(Finding.rule_id.in_(rules)) if rules else stmt))


def _notices(session: Session, ids: dict[str, int]) -> None:
    reviewer = _actor(session, SECURITY_REVIEWER)
    # 学籍: overdue and escalated (通报)
    overdue = notices.issue(
        session,
        reviewer,
        _findings_of(session, ids["全国中小学生学籍信息管理系统"]),
        10,
        "请明确个人信息保护负责人并完成年度个人信息处理安全审计。",
    )
    issued = utcnow() - timedelta(days=30)
    overdue.issued_at = issued
    overdue.deadline = WorkingCalendar.from_session(session).due_date(issued, 10)
    record(
        session,
        system_actor("demo"),
        "demo.backdate",
        category=Category.UPDATE,
        target=notices.target(overdue),
        details={"issued_at": issued.isoformat()},
    )
    notices.escalate_overdue(session, system_actor("demo"))
    # 上海: open, within its deadline — blocks new project approvals of that unit
    notices.issue(
        session,
        reviewer,
        _findings_of(session, ids["上海市学生体质健康监测系统"]),
        15,
        "请提升等级保护级别、补签第三方平台协议、完成备案并落实加密存储。",
    )
    # 江苏: the whole cycle — issued, fixed, answered with evidence, accepted
    jiangsu = ids["江苏省教师资格认定管理系统"]
    plan = _findings_of(session, jiangsu, "system.emergency_plan")
    cycle = notices.issue(session, reviewer, plan, 10, "完善应急预案。")
    steward = _actor(session, steward_name(province_code("32")))
    fixed = dict(PROVINCIAL[2][2], emergency_plan_covers_data=True)
    registry.update_profile(session, steward, jiangsu, ProfileIn(**fixed))
    notices.answer(
        session,
        steward,
        cycle.id,
        {
            f.id: "已修订应急预案，纳入数据泄露、破坏等数据安全事件的处置措施。"
            for f in cycle.findings
        },
    )
    notices.accept(session, reviewer, cycle.id, "经复查，问题已整改。")


def _assessments(session: Session, ids: dict[str, int]) -> None:
    low = {q.id: min(1, q.high) for q in assessment.QUESTIONS}
    for name in ("全国教师管理信息系统", "北京市中小学生综合素质评价系统"):
        owner = session.get(InformationSystem, ids[name]).owner_unit.code
        steward = _actor(session, steward_name(owner))
        done = assessment.assess(session, steward, ids[name], low)
        assessment.report(session, steward, done.id)
    student = ids["全国中小学生学籍信息管理系统"]
    owner = session.get(InformationSystem, student).owner_unit.code
    high = {q.id: max(0, q.high - 1) for q in assessment.QUESTIONS}
    assessment.assess(
        session, _actor(session, steward_name(owner)), student, high, "学籍异动与转学审核"
    )


#: The security administrator, who grades published entries (GRADE_MANAGE).
SECURITY_ADMIN = "secadmin.emic"
#: Units that put their catalog in order before the inspection: the rest keep their gaps.
RECTIFIED = ["MOE-JSGZS", "MOE-GJS", "MOE-XSS", *(province_code(p) for p in DEMO_PROVINCES[::2])]


def _rectify(session: Session, units: list[str]) -> int:
    """Stewards of the rectified units set retention periods and share what must not be
    unconditional conditionally; the security administrator raises the grades (N2021 tasks
    3, 5, 9–11): all through the real catalog service. Returns how many entries they edited."""
    edited = 0
    systems = {
        owner: sid
        for sid, owner in session.execute(
            select(InformationSystem.id, InformationSystem.owner_unit_id).order_by(
                InformationSystem.id.desc()
            )
        )
    }
    units = [u for u in units if u != province_code("31")]
    rows = session.scalars(
        select(Resource)
        .join(Unit, Unit.id == Resource.provider_unit_id)
        .where(Unit.code.in_(units), Resource.status == "published", Resource.has_pi.is_(True))
        .order_by(Resource.id)
    ).all()
    for row in rows:
        data = ResourceIn.model_validate(
            catalog.out(row).model_dump(include=set(ResourceIn.model_fields))
        )
        special = (
            data.has_child_pi
            or bool(data.sensitive_categories)
            or reaches_million(data.approx_persons or 0)
        )
        changes: dict[str, object] = {"retention_days": data.retention_days or 3650}
        if reaches_million(data.approx_persons or 0) and data.source_system_id is None:
            changes["source_system_id"] = systems.get(row.provider_unit_id)
        regrade = special and data.grade == "general"
        if regrade and data.share_type == "unconditional":
            changes["share_type"] = "conditional"  # important data is never unconditional
        steward = _actor(session, steward_name(row.provider_unit.code))
        corrected = ResourceIn.model_validate({**data.model_dump(), **changes})
        catalog.update(session, steward, row.code, corrected, "按合规检查整改")
        if regrade:
            important = GradeIn(grade="important", reason="涉及敏感、儿童或百万人以上个人信息")
            catalog.change_grade(session, _actor(session, SECURITY_ADMIN), row.code, important)
        edited += 1
    return edited


#: weeks ago of the first inspection and of each wave of rectification
INSPECTED, WAVES = 10, (7, 4, 2)


def _date_earlier_findings(session: Session, inspected: ComplianceRun) -> None:
    """Findings that incremental runs opened while the demo was being built (registry
    edits, data ingest) are dated to the inspection, so the history reads in order."""
    earlier = select(FindingEvent.finding_id).where(FindingEvent.run_id < inspected.id)
    moment = inspected.started_at
    session.execute(
        update(FindingEvent).where(FindingEvent.run_id < inspected.id).values(at=moment)
    )
    session.execute(
        update(Finding)
        .where(Finding.id.in_(earlier), Finding.times_opened == 1)
        .values(first_opened_at=moment, opened_at=moment)
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        system_actor("demo"),
        "demo.backdate",
        category=Category.UPDATE,
        target=Target("compliance", str(inspected.id)),
        details={"findings_dated_to": moment.isoformat()},
    )


def _replay(session: Session, ids: dict[str, int]) -> None:
    """The inspection and the rectification waves, each with a run judged as of its week;
    the assessments are reported this week and the last run is judged now."""
    demo = system_actor("demo")
    inspected = runner.run(session, demo, now=utcnow() - timedelta(weeks=INSPECTED))
    _date_earlier_findings(session, inspected)
    waves = [RECTIFIED[i :: len(WAVES)] for i in range(len(WAVES))]
    for weeks, units in zip(WAVES, waves, strict=True):
        _rectify(session, units)
        runner.run(session, demo, now=utcnow() - timedelta(weeks=weeks, days=2))
    _assessments(session, ids)
    runner.run(session, demo)


def seed_compliance(db: Database) -> int:
    """Create the supervision demo once; returns the number of open findings."""
    with db.transaction() as session:
        if session.scalar(select(SystemProfile.system_id).limit(1)) is not None:
            return 0
    report = verify_chain(db.engine, db.settings)
    with db.transaction() as session:
        record_verification(session, system_actor("demo"), report)
        ids = _register(session)
        _replay(session, ids)
        _notices(session, ids)
        return len(session.scalars(select(Finding.id).where(Finding.status == "open")).all())
