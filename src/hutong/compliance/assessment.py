"""Risk assessments (N2021 task 13; M2018 §37–38): a questionnaire defined here, evidence
pulled from Hutong itself, a score and a level, stored per system or PI processing activity
and reported to the superior department.

The questionnaire is code, so each answer has a range and an out-of-range answer is refused
before anything is saved. The evidence is read, not typed: the grades and PI flags of the
system's catalog entries, its registry record (MLPS level, encryption, persons), its open
findings by severity, the audit log's denied or failed operations on its entries in the
last 30 days, and the data plane's record of which stored dataset versions of its entries are
sealed at rest (the data key on each version)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, Outcome, record
from hutong.catalog.models import InformationSystem, Item, Resource
from hutong.compliance import hooks
from hutong.compliance.findings import scoped
from hutong.compliance.models import Assessment, Finding, SystemProfile
from hutong.compliance.registry import by_id as system_by_id
from hutong.compliance.registry import target as system_target
from hutong.compliance.rules import Context, Subject
from hutong.compliance.rules.datasets import must_be_sealed
from hutong.compliance.schemas import AssessmentOut
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action


@dataclass(frozen=True)
class Question:
    id: str
    zh: str
    en: str
    choices: tuple[str, ...]  # answer i is choices[i]; 0 is the lowest risk
    weight: float

    @property
    def high(self) -> int:
        return len(self.choices) - 1


QUESTIONS: tuple[Question, ...] = (
    Question(
        "necessity",
        "处理目的是否明确、必要，收集范围是否最小必要",
        "is the purpose clear and the collection least necessary",
        ("明确且最小必要", "基本必要", "部分超出必要", "明显超出必要"),
        1.5,
    ),
    Question(
        "scale",
        "涉及个人信息的规模",
        "how many persons' information is processed",
        ("不足 1 万人", "1 万–10 万人", "10 万–100 万人", "100 万–1000 万人", "1000 万人以上"),
        1.5,
    ),
    Question(
        "sensitivity",
        "是否处理敏感个人信息或不满十四周岁儿童信息",
        "are sensitive or children's data processed",
        ("否", "少量敏感信息", "大量敏感信息", "儿童信息或生物特征"),
        2.0,
    ),
    Question(
        "impact",
        "处理活动对个人权益的影响程度",
        "impact of the processing on individuals",
        ("轻微", "一般", "较大", "重大"),
        2.0,
    ),
    Question(
        "third_party",
        "是否委托第三方处理或向第三方提供",
        "is a third party involved",
        ("否", "委托处理且有协议", "向第三方提供且有协议", "第三方参与且无协议"),
        1.0,
    ),
    Question(
        "access_control",
        "访问控制与管理、使用、审计权限分离的落实程度",
        "access control and separation of duties",
        ("完全落实", "基本落实", "部分落实", "未落实"),
        1.0,
    ),
    Question(
        "protection",
        "加密、脱敏、备份等技术措施的落实程度",
        "encryption, masking and backup measures",
        ("完全落实", "基本落实", "部分落实", "未落实"),
        1.0,
    ),
    Question(
        "incidents",
        "近一年发生的数据安全事件",
        "data security incidents in the last year",
        ("无", "一般事件", "较大事件", "重大事件"),
        1.0,
    ),
)
BY_ID = {q.id: q for q in QUESTIONS}
LEVELS = ((60.0, "high"), (30.0, "medium"), (0.0, "low"))
LEVEL_ZH = {"high": "高风险", "medium": "中风险", "low": "低风险"}


def validate_answers(answers: dict[str, int]) -> dict[str, int]:
    """Every question answered within its range; nothing else."""
    unknown = sorted(set(answers) - set(BY_ID))
    if unknown:
        raise InvalidInput("问卷中没有该问题", "unknown question", field=f"answers.{unknown[0]}")
    for question in QUESTIONS:
        if question.id not in answers:
            raise InvalidInput(
                f"未回答：{question.zh}", "question not answered", field=f"answers.{question.id}"
            )
        value = answers[question.id]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= question.high:
            raise InvalidInput(
                f"「{question.zh}」的答案须在 0–{question.high} 之间",
                f"answer to {question.id} must be 0–{question.high}",
                field=f"answers.{question.id}",
            )
    return {q.id: answers[q.id] for q in QUESTIONS}


def evidence(session: Session, system: InformationSystem) -> dict[str, object]:
    """What Hutong already knows about the system, gathered by a few aggregate queries."""
    R = Resource
    grades = dict(
        session.execute(
            select(R.grade, func.count()).where(R.source_system_id == system.id).group_by(R.grade)
        ).all()
    )
    codes = select(R.code).where(R.source_system_id == system.id)
    special = session.scalar(
        select(func.count())
        .select_from(R)
        .where(
            R.source_system_id == system.id,
            or_(R.has_child_pi.is_(True), R.id.in_(select(Item.resource_id).where(Item.sensitive))),
        )
    )
    findings = dict(
        session.execute(
            select(Finding.severity, func.count())
            .where(
                Finding.status == "open",
                or_(
                    (Finding.subject_kind == Subject.SYSTEM.value)
                    & (Finding.subject_id == str(system.id)),
                    (Finding.subject_kind == Subject.RESOURCE.value)
                    & Finding.subject_id.in_(codes),
                ),
            )
            .group_by(Finding.severity)
        ).all()
    )
    ctx = Context.build(session)
    anomalies = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.target_type == "resource",
            AuditEvent.target_id.in_(codes),
            AuditEvent.ts_us >= ctx.us_ago(30),
            AuditEvent.outcome.in_([Outcome.DENIED.value, Outcome.FAILED.value]),
        )
    )
    profile = session.get(SystemProfile, system.id)
    return {
        "grades": {k: grades.get(k, 0) for k in ("core", "important", "general")},
        "special_pi_entries": special or 0,
        "open_findings": {k: findings.get(k, 0) for k in ("high", "medium", "low")},
        "audit_anomalies_30d": anomalies or 0,
        "registered": profile is not None,
        "persons_pi": profile.persons_pi if profile else None,
        "mlps_level": profile.mlps_level if profile else None,
        "encrypts_at_rest": profile.encrypts_at_rest if profile else None,
        "encrypts_in_transit": profile.encrypts_in_transit if profile else None,
        "dataset_encryption": dataset_encryption(session, system),
    }


def dataset_encryption(session: Session, system: InformationSystem) -> dict[str, int]:
    """Stored versions of the system's entries, how many are sealed with a data key, and how
    many that must be sealed (PI, important or core) are not — read from the versions."""
    V = DatasetVersion
    unsealed = and_(V.data_key_id.is_(None), must_be_sealed())
    versions, sealed, exposed = session.execute(
        select(
            func.count(V.id),
            func.count(V.data_key_id),
            func.coalesce(func.sum(case((unsealed, 1), else_=0)), 0),
        )
        .join(Resource, Resource.id == V.resource_id)
        .where(Resource.source_system_id == system.id)
    ).one()
    return {"versions": versions, "sealed": sealed, "unsealed_required": int(exposed)}


def score(answers: dict[str, int], found: dict[str, object]) -> tuple[float, str]:
    """0–100: the weighted questionnaire (up to 80) plus what the evidence adds (up to 20)."""
    total_weight = sum(q.weight for q in QUESTIONS)
    asked = sum(q.weight * answers[q.id] / q.high for q in QUESTIONS) / total_weight * 80
    grades = found["grades"]
    open_findings = found["open_findings"]
    assert isinstance(grades, dict) and isinstance(open_findings, dict)
    extra = 0.0
    extra += 5 if grades["core"] or grades["important"] else 0
    extra += min(8, 2 * open_findings["high"] + open_findings["medium"] * 0.5)
    unsealed = found["dataset_encryption"]["unsealed_required"]  # type: ignore[index]
    declared_off = found["encrypts_at_rest"] is False or found["encrypts_in_transit"] is False
    extra += 4 if declared_off or unsealed else 0
    extra += min(3, int(found["audit_anomalies_30d"]) / 10)  # type: ignore[arg-type]
    value = round(min(100.0, asked + min(20.0, extra)), 1)
    level = next(name for floor, name in LEVELS if value >= floor)
    return value, level


def assess(
    session: Session, actor: Actor, system_id: int, answers: dict[str, int], activity: str = ""
) -> Assessment:
    """A new assessment (draft) of a system or of one PI processing activity of it."""
    system = system_by_id(session, system_id)
    authorize(session, actor, Action.ASSESSMENT_EDIT, system_target(system))
    checked = validate_answers(answers)
    found = evidence(session, system)
    value, level = score(checked, found)
    row = Assessment(
        subject_kind="activity" if activity.strip() else "system",
        system_id=system.id,
        activity=activity.strip(),
        unit_id=system.owner_unit_id,
        answers=checked,
        evidence=found,
        score=value,
        level=level,
        status="draft",
        assessed_by=actor.name,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "assessment.create",
        category=Category.INSERT,
        target=Target("assessment", str(row.id), system.owner_unit_id),
        rows=1,
        details={"score": value, "level": level},
    )
    hooks.after_change(session, Subject.SYSTEM)
    return row


def by_id(session: Session, assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound("风险评估不存在", "unknown assessment", field="assessment_id")
    return row


def report(session: Session, actor: Actor, assessment_id: int) -> Assessment:
    """Report the assessment to the superior department (the owner unit's parent)."""
    row = by_id(session, assessment_id)
    authorize(
        session, actor, Action.ASSESSMENT_EDIT, Target("assessment", str(row.id), row.unit_id)
    )
    if row.status == "reported":
        raise Conflict("该评估已报送", "already reported", field="status")
    unit = session.get(Unit, row.unit_id)
    assert unit is not None
    row.status = "reported"
    row.reported_to_unit_id = unit.parent_id or unit.id
    row.reported_at = utcnow()
    record(
        session,
        actor,
        "assessment.report",
        category=Category.DECISION,
        target=Target("assessment", str(row.id), row.unit_id),
        rows=1,
    )
    hooks.after_change(session, Subject.SYSTEM)
    return row


def list_assessments(session: Session, actor: Actor) -> list[Assessment]:
    """Assessments, newest first: every unit's for supervisors, the unit's own otherwise."""
    authorize(session, actor, Action.COMPLIANCE_READ, Target("assessment"))
    rows = list(
        session.scalars(
            scoped(actor, select(Assessment), Assessment.unit_id).order_by(Assessment.id.desc())
        )
    )
    record(
        session,
        actor,
        "assessment.list",
        category=Category.QUERY,
        target=Target("assessment"),
        rows=len(rows),
    )
    return rows


def out(session: Session, row: Assessment) -> AssessmentOut:
    """The assessment as the API answers it, units named by code."""
    unit = session.get(Unit, row.unit_id)
    assert unit is not None
    reported = session.get(Unit, row.reported_to_unit_id) if row.reported_to_unit_id else None
    return AssessmentOut(
        id=row.id,
        subject_kind=row.subject_kind,
        system_id=row.system_id,
        activity=row.activity,
        unit_code=unit.code,
        answers=row.answers,
        evidence=row.evidence,
        score=row.score,
        level=row.level,
        status=row.status,
        assessed_by=row.assessed_by,
        assessed_at=row.assessed_at,
        reported_to_unit_code=reported.code if reported else None,
        reported_at=row.reported_at,
    )
