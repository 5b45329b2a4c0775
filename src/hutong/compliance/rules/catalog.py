"""Rules over catalog entries, their items and maintenance tasks (M2018 §17–18, §25, §27–30;
N2021 tasks 2, 3, 5, 7–11). Subject: the entry (its resource code), a task, or a unit;
responsible unit: the provider."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, exists, func, not_, or_, select

from hutong.catalog.models import Item, MaintenanceTask, Resource
from hutong.catalog.overlaps import unjustified
from hutong.catalog.vocab import (
    SENSITIVE_PI,
    Grade,
    OpenType,
    PiCategory,
    ShareType,
    Status,
    reaches_million,
)
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.compliance.sql import age_days
from hutong.data.models import DatasetVersion
from hutong.data.quality import CYCLE_DAYS
from hutong.identity.models import Unit

R = Resource
H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
#: Entries that count: accepted by review or published (drafts are work in progress).
LIVE = (Status.APPROVED.value, Status.PUBLISHED.value)
SENSITIVE = [c.value for c in SENSITIVE_PI]


def _live(detail: str):  # type: ignore[no-untyped-def]
    return failing(R.code, R.provider_unit_id, detail).where(R.status.in_(LIVE))


def _has_item(*conditions) -> exists:  # type: ignore[no-untyped-def, valid-type]
    return exists().where(Item.resource_id == R.id, *conditions)


def _special_pi():  # type: ignore[no-untyped-def]
    """Sensitive or children's personal information (N2021 tasks 10–11)."""
    return or_(R.has_child_pi.is_(True), _has_item(Item.sensitive.is_(True)))


@rule(
    "resource.not_shared.legal_basis",
    "不予共享的资源未注明法律、行政法规或党中央、国务院政策依据",
    "not-shared entry cites no law, regulation or central policy",
    "M2018 §17",
    H,
    Subject.RESOURCE,
)
def not_shared_basis(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("缺少不予共享依据").where(
        R.share_type == ShareType.NOT_SHARED.value, not_(R.share_legal_basis.like("%《%》%"))
    )


@rule(
    "resource.grade.unconditional",
    "核心数据、重要数据被列为无条件共享",
    "core or important data is shared unconditionally",
    "N2021 task 3",
    H,
    Subject.RESOURCE,
)
def grade_unconditional(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("重要数据无条件共享").where(
        R.grade.in_([Grade.CORE.value, Grade.IMPORTANT.value]),
        R.share_type == ShareType.UNCONDITIONAL.value,
    )


@rule(
    "resource.special_pi.unconditional",
    "含敏感个人信息或儿童信息且未去标识化的资源被列为无条件共享",
    "sensitive or children's PI without de-identification is shared unconditionally",
    "N2021 task 11",
    H,
    Subject.RESOURCE,
)
def special_pi_unconditional(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("敏感信息无条件共享").where(
        _special_pi(), R.deidentified.is_(False), R.share_type == ShareType.UNCONDITIONAL.value
    )


@rule(
    "resource.pi.proactive",
    "含个人信息且未去标识化的资源被列为主动公开",
    "PI without de-identification is published proactively",
    "N2021 task 8",
    H,
    Subject.RESOURCE,
)
def pi_proactive(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("个人信息未去标识化即公开").where(
        R.has_pi.is_(True), R.deidentified.is_(False), R.open_type == OpenType.PROACTIVE.value
    )


@rule(
    "resource.child.disclosed",
    "含儿童信息且未去标识化的资源可向社会公开",
    "children's information without de-identification may be disclosed to the public",
    "N2021 task 10",
    H,
    Subject.RESOURCE,
)
def child_disclosed(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("儿童信息可公开").where(
        R.has_child_pi.is_(True),
        R.deidentified.is_(False),
        R.open_type != OpenType.NOT_OPEN.value,
    )


@rule(
    "resource.pi.flag",
    "信息项含个人信息但资源登记为不含个人信息",
    "an item holds PI but the entry says it holds none",
    "N2021 task 3",
    M,
    Subject.RESOURCE,
)
def pi_flag(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("个人信息标记不一致").where(
        R.has_pi.is_(False), _has_item(Item.pi_category != PiCategory.NONE.value)
    )


@rule(
    "resource.sensitive.flag",
    "敏感个人信息项未标记为敏感",
    "an item of a sensitive PI category is not marked sensitive",
    "N2021 task 11",
    M,
    Subject.RESOURCE,
)
def sensitive_flag(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("敏感信息项未标记").where(
        _has_item(Item.pi_category.in_(SENSITIVE), Item.sensitive.is_(False))
    )


@rule(
    "resource.million.grade",
    "涉及百万人以上个人信息的资源定为一般数据",
    "an entry with PI of one million persons or more is graded general",
    "N2021 task 3",
    M,
    Subject.RESOURCE,
)
def million_grade(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("百万级个人信息定级偏低").where(
        reaches_million(R.approx_persons), R.grade == Grade.GENERAL.value
    )


@rule(
    "resource.sensitive.grade",
    "含敏感个人信息的资源定为一般数据",
    "an entry with sensitive PI is graded general",
    "N2021 task 11",
    M,
    Subject.RESOURCE,
)
def sensitive_grade(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("敏感信息定级偏低").where(
        _has_item(Item.sensitive.is_(True)), R.grade == Grade.GENERAL.value
    )


@rule(
    "resource.child.grade",
    "含儿童信息的资源定为一般数据",
    "an entry with children's PI is graded general",
    "N2021 task 10",
    M,
    Subject.RESOURCE,
)
def child_grade(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("儿童信息定级偏低").where(R.has_child_pi.is_(True), R.grade == Grade.GENERAL.value)


@rule(
    "resource.pi.retention",
    "含个人信息的资源未规定存储期限",
    "an entry with PI sets no retention period",
    "N2021 task 5",
    M,
    Subject.RESOURCE,
)
def pi_retention(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("未定存储期限").where(R.has_pi.is_(True), R.retention_days.is_(None))


@rule(
    "resource.sensitive.unmasked",
    "可共享资源的敏感信息项默认不脱敏",
    "a shareable entry exposes a sensitive item without a default mask",
    "N2021 task 7",
    L,
    Subject.RESOURCE,
)
def sensitive_unmasked(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("敏感信息项未脱敏").where(
        R.share_type != ShareType.NOT_SHARED.value,
        _has_item(Item.sensitive.is_(True), Item.default_mask == "none"),
    )


@rule(
    "resource.responsible_person",
    "资源未明确责任人",
    "an entry names no responsible person",
    "M2018 §18",
    L,
    Subject.RESOURCE,
)
def responsible_person(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("未明确责任人").where(R.responsible_person == "")


@rule(
    "resource.items.empty",
    "资源未登记任何信息项",
    "an entry lists no information items",
    "M2018 §27",
    M,
    Subject.RESOURCE,
)
def items_empty(ctx: Context):  # type: ignore[no-untyped-def]
    return _live("无信息项").where(~_has_item())


@rule(
    "resource.pi.source_system",
    "涉及百万人以上个人信息的资源未登记来源系统",
    "an entry with PI of one million persons or more names no source system",
    "N2021 task 2",
    L,
    Subject.RESOURCE,
)
def pi_source_system(ctx: Context):  # type: ignore[no-untyped-def]
    """The system that stores it is where N2021 task 9's duties (officer, filing) attach."""
    return _live("未登记来源系统").where(
        R.has_pi.is_(True), reaches_million(R.approx_persons), R.source_system_id.is_(None)
    )


@rule(
    "resource.update.stale",
    "已发布资源的数据未按更新周期更新",
    "a published entry's data is older than its update cycle allows",
    "M2018 §18",
    M,
    Subject.RESOURCE,
)
def update_stale(ctx: Context):  # type: ignore[no-untyped-def]
    newest = (
        select(
            DatasetVersion.resource_id.label("rid"),
            func.max(DatasetVersion.ingested_at).label("at"),
        )
        .group_by(DatasetVersion.resource_id)
        .subquery()
    )
    allowed = case(
        *((R.update_cycle == cycle, days * 1.5) for cycle, days in CYCLE_DAYS.items()),
        else_=None,
    )
    return (
        failing(R.code, R.provider_unit_id, "数据未按周期更新")
        .join(newest, newest.c.rid == R.id)
        .where(R.status == Status.PUBLISHED.value, age_days(newest.c.at, ctx.now) > allowed)
    )


@rule(
    "task.change.overdue",
    "资源目录变更未在 7 个工作日内完成更新",
    "a catalog change was not reflected within 7 working days",
    "M2018 §30",
    M,
    Subject.TASK,
)
def change_overdue(ctx: Context):  # type: ignore[no-untyped-def]
    T = MaintenanceTask
    return failing(T.id, T.unit_id, "目录更新逾期").where(
        T.kind == "change", T.status == "open", T.due_date < ctx.today
    )


@rule(
    "unit.catalog.annual_review",
    "单位近一年未对资源目录进行全面维护",
    "a unit has not reviewed its whole catalog in the last year",
    "M2018 §30",
    M,
    Subject.UNIT,
)
def annual_review(ctx: Context):  # type: ignore[no-untyped-def]
    T = MaintenanceTask
    first_release = (
        select(R.provider_unit_id.label("uid"), func.min(R.release_date).label("first"))
        .where(R.status == Status.PUBLISHED.value)
        .group_by(R.provider_unit_id)
        .subquery()
    )
    reviewed = exists().where(
        T.unit_id == Unit.id, T.kind == "annual_review", T.opened_at >= ctx.days_ago(365)
    )
    return (
        failing(Unit.code, Unit.id, "一年内未全面维护")
        .join(first_release, first_release.c.uid == Unit.id)
        .where(first_release.c.first <= ctx.today - timedelta(days=365), ~reviewed)
    )


@rule(
    "collection.duplicate",
    "重复登记其他单位已提供的信息项而未说明理由（一数一源）",
    "an item another unit already provides is registered again without a justification",
    "M2018 §8",
    Severity.MEDIUM,
    Subject.RESOURCE,
)
def collection_duplicate(ctx: Context):  # type: ignore[no-untyped-def]
    unexplained = unjustified().subquery()
    return failing(Resource.code, Resource.provider_unit_id, "一数一源：重复登记未说明理由").where(
        Resource.id.in_(select(unexplained.c.resource_id))
    )
