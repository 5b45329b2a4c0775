"""Rules over personal-information protection (N2021 tasks 4, 6, 8, 10, 11, 14): collection
notices, consents, sensitive-PI leadership decisions, automated decisions, research extracts
and complaints. Subject: the system, entry, extract, complaint or decision register entry."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from hutong.catalog.models import InformationSystem, Item, Resource
from hutong.catalog.vocab import Status
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.exchange.models import Grant
from hutong.privacy.models import (
    AutomatedDecision,
    CollectionNotice,
    Complaint,
    Consent,
    Extract,
    SensitiveDecision,
)

S = InformationSystem
H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
LIVE = (Status.APPROVED.value, Status.PUBLISHED.value)


@rule(
    "notice.missing",
    "采集个人信息的系统未公布收集使用规则",
    "a system that collects PI publishes no collection notice",
    "N2021 task 8",
    H,
    Subject.SYSTEM,
)
def notice_missing(ctx: Context):  # type: ignore[no-untyped-def]
    collects_pi = exists().where(
        Resource.source_system_id == S.id, Resource.status.in_(LIVE), Resource.has_pi.is_(True)
    )
    published = exists().where(CollectionNotice.system_id == S.id)
    return failing(S.id, S.owner_unit_id, "未公布收集使用规则").where(collects_pi, ~published)


def _baseline():  # type: ignore[no-untyped-def]
    return (
        select(func.max(CollectionNotice.version))
        .where(CollectionNotice.system_id == S.id, CollectionNotice.material_change.is_(True))
        .scalar_subquery()
    )


@rule(
    "consent.missing",
    "以同意为处理依据的个人信息未经同意即被共享",
    "PI shared where consent is the legal basis, without filtering on consent",
    "N2021 task 8",
    H,
    Subject.GRANT,
)
def consent_missing(ctx: Context):  # type: ignore[no-untyped-def]
    """An active grant on a PI entry whose source system's current notice names consent as
    the legal basis, while the grant names no consent basis (so rows of subjects without
    consent are served)."""
    later = aliased(CollectionNotice)
    newest = (
        select(func.max(later.version))
        .where(later.system_id == Resource.source_system_id)
        .correlate(Resource)
        .scalar_subquery()
    )
    by_consent = exists().where(
        CollectionNotice.system_id == Resource.source_system_id,
        CollectionNotice.version == newest,
        CollectionNotice.legal_basis == "consent",
    )
    return failing(Grant.code, Grant.provider_unit_id, "以同意为依据却未按同意筛选").where(
        Grant.resource_id == Resource.id,
        Grant.status == "active",
        Grant.valid_until > ctx.now,
        Grant.consent_system_id.is_(None),
        Resource.has_pi.is_(True),
        by_consent,
    )


@rule(
    "consent.stale_after_change",
    "收集使用规则的目的、方式或种类变更后仍有未重新取得的同意",
    "consents not renewed after a notice changed purpose, method or categories",
    "N2021 task 8",
    M,
    Subject.SYSTEM,
)
def consent_stale(ctx: Context):  # type: ignore[no-untyped-def]
    stale = exists().where(
        Consent.system_id == S.id,
        Consent.withdrawn_at.is_(None),
        Consent.notice_version < _baseline(),
    )
    return failing(S.id, S.owner_unit_id, "变更后未重新取得同意").where(stale)


@rule(
    "consent.guardian",
    "不满十四周岁儿童的同意未由监护人作出",
    "a child's consent was not given by a guardian",
    "N2021 task 10",
    H,
    Subject.SYSTEM,
)
def consent_guardian(ctx: Context):  # type: ignore[no-untyped-def]
    bad = exists().where(
        Consent.system_id == S.id,
        Consent.child.is_(True),
        Consent.withdrawn_at.is_(None),
        or_(Consent.given_by != "guardian", Consent.guardian == ""),
    )
    return failing(S.id, S.owner_unit_id, "儿童同意无监护人").where(bad)


@rule(
    "sensitive.leadership_decision",
    "敏感个人信息项未经必要性论证和领导班子集体决策",
    "a sensitive item without a justified collective leadership decision",
    "N2021 task 11",
    H,
    Subject.RESOURCE,
)
def sensitive_decision(ctx: Context):  # type: ignore[no-untyped-def]
    later = aliased(SensitiveDecision)
    newest = (
        select(func.max(later.id))
        .where(later.resource_id == Item.resource_id, later.item_name == Item.name)
        .correlate(Item)
        .scalar_subquery()
    )
    undecided = exists().where(
        Item.resource_id == Resource.id,
        Item.sensitive.is_(True),
        ~exists().where(SensitiveDecision.id == newest, SensitiveDecision.outcome == "approved"),
    )
    return failing(Resource.code, Resource.provider_unit_id, "敏感信息项缺集体决策").where(
        Resource.status.in_(LIVE), undecided
    )


@rule(
    "automated_decision.fairness",
    "利用个人信息的自动化决策未记录公平性检验或检验未通过",
    "automated decision-making without a passed fairness check",
    "N2021 task 8",
    M,
    Subject.DECISION,
)
def automated_fairness(ctx: Context):  # type: ignore[no-untyped-def]
    D = AutomatedDecision
    return failing(D.id, D.unit_id, "缺少或未通过公平性检验").where(
        or_(D.fairness_passed.is_(None), D.fairness_passed.is_(False))
    )


@rule(
    "extract.unapproved",
    "统计分析、科学研究用数据提取未经数据主管单位同意即生成",
    "a research extract produced without the owner unit's approval",
    "N2021 task 6",
    H,
    Subject.EXTRACT,
)
def extract_unapproved(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(Extract.number, Extract.requester_unit_id, "未经同意生成").where(
        Extract.produced_at.is_not(None),
        or_(Extract.decided_at.is_(None), Extract.decided_by == ""),
    )


@rule(
    "complaint.unanswered",
    "个人信息投诉超过答复期限未答复",
    "a PI complaint past its due date is unanswered",
    "N2021 task 14",
    M,
    Subject.COMPLAINT,
)
def complaint_unanswered(ctx: Context):  # type: ignore[no-untyped-def]
    owner = select(S.owner_unit_id).where(S.id == Complaint.system_id).scalar_subquery()
    unit = func.coalesce(owner, literal(ctx.platform_unit_id))
    return failing(Complaint.number, unit, "投诉逾期未答复").where(
        and_(Complaint.state != "answered", Complaint.due_date < ctx.today)
    )
