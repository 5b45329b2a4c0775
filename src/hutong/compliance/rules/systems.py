"""Rules over the registry of information systems (N2021 tasks 2, 5, 8, 9, 13, 15; M2018 §5,
§6, §13, §31, §37). Subject: the system (its id); responsible unit: its owner (主管单位)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select

from hutong.catalog.models import InformationSystem, Item, Resource
from hutong.catalog.vocab import Grade, Status, reaches_million
from hutong.compliance.models import Assessment, SecurityAudit, SystemProfile
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.data.models import DatasetVersion
from hutong.identity.models import User, UserRole
from hutong.identity.roles import Role

S, P = InformationSystem, SystemProfile
H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _profiled(detail: str):  # type: ignore[no-untyped-def]
    """Systems with a registry record, as failing rows (the caller adds the condition)."""
    return failing(S.id, S.owner_unit_id, detail).join(P, P.system_id == S.id)


def _million(detail: str):  # type: ignore[no-untyped-def]
    return _profiled(detail).where(reaches_million(P.persons_pi))


@rule(
    "system.registry.missing",
    "信息系统未登记安全与个人信息档案",
    "information system has no registry record",
    "N2021 task 2",
    M,
    Subject.SYSTEM,
)
def registry_missing(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(S.id, S.owner_unit_id, "未登记").where(~exists().where(P.system_id == S.id))


@rule(
    "system.million.pi_officer",
    "存储百万人以上个人信息的系统未明确个人信息保护负责人",
    "system storing PI of one million persons or more has no PI protection officer",
    "N2021 task 9",
    H,
    Subject.SYSTEM,
)
def million_pi_officer(ctx: Context):  # type: ignore[no-untyped-def]
    return _million("未指定个人信息保护负责人").where(P.pi_officer_user_id.is_(None))


@rule(
    "system.pi_officer.valid",
    "个人信息保护负责人不是主管单位在用的个人信息保护负责人账号",
    "the named PI officer is not an enabled pi_officer of the owner unit",
    "N2021 task 9",
    M,
    Subject.SYSTEM,
)
def pi_officer_valid(ctx: Context):  # type: ignore[no-untyped-def]
    holds = (
        exists()
        .where(User.id == P.pi_officer_user_id, User.enabled.is_(True))
        .where(User.unit_id == S.owner_unit_id)
        .where(UserRole.user_id == User.id, UserRole.role == Role.PI_OFFICER.value)
    )
    return _profiled("负责人账号无效").where(P.pi_officer_user_id.is_not(None), ~holds)


@rule(
    "system.million.filing",
    "存储百万人以上个人信息的系统未向省级教育行政部门备案",
    "system storing PI of one million persons or more is not filed with the provincial department",
    "N2021 task 9",
    H,
    Subject.SYSTEM,
)
def million_filing(ctx: Context):  # type: ignore[no-untyped-def]
    return _million("未备案").where(
        or_(P.provincial_filing_date.is_(None), P.provincial_filing_ref == "")
    )


@rule(
    "system.million.mlps",
    "收集存储百万人以上个人信息的系统等级保护低于三级",
    "system with PI of one million persons or more is below MLPS level 3",
    "N2021 task 9",
    H,
    Subject.SYSTEM,
)
def million_mlps(ctx: Context):  # type: ignore[no-untyped-def]
    return _million("等级保护低于三级").where(or_(P.mlps_level.is_(None), P.mlps_level < 3))


@rule(
    "system.million.yearly_audit",
    "存储百万人以上个人信息的系统近 12 个月未开展个人信息处理安全审计",
    "system with PI of one million persons or more had no security audit in the last 12 months",
    "N2021 task 9",
    H,
    Subject.SYSTEM,
)
def million_yearly_audit(ctx: Context):  # type: ignore[no-untyped-def]
    recent = exists().where(
        SecurityAudit.system_id == S.id,
        SecurityAudit.audited_on >= ctx.today - timedelta(days=365),
    )
    return _million("近一年无安全审计").where(~recent)


@rule(
    "system.mlps.missing",
    "信息系统未确定网络安全等级保护级别",
    "information system has no MLPS (等级保护) level",
    "N2021 task 2",
    M,
    Subject.SYSTEM,
)
def mlps_missing(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("未定级").where(P.mlps_level.is_(None))


@rule(
    "system.third_party.agreement",
    "利用第三方平台但未签订数据使用和保密协议",
    "third-party platform without a data-use and confidentiality agreement",
    "N2021 task 2",
    H,
    Subject.SYSTEM,
)
def third_party_agreement(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("缺少第三方协议").where(
        P.third_party_platform != "",
        or_(P.third_party_agreement_ref == "", P.third_party_agreement_date.is_(None)),
    )


@rule(
    "system.third_party.expired",
    "第三方平台数据使用和保密协议已过期",
    "the third-party agreement has expired",
    "N2021 task 2",
    M,
    Subject.SYSTEM,
)
def third_party_expired(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("协议已过期").where(
        P.third_party_platform != "", P.third_party_agreement_expires < ctx.today
    )


@rule(
    "system.security_rules",
    "信息系统未制定数据安全管理办法（安全准则）",
    "system has no data security management rules",
    "M2018 §37",
    M,
    Subject.SYSTEM,
)
def security_rules(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("缺少安全管理办法").where(P.security_rules_doc == "")


@rule(
    "system.emergency_plan",
    "应急预案未涵盖数据泄露、破坏等数据安全事件",
    "no emergency plan covering data incidents",
    "N2021 task 15",
    M,
    Subject.SYSTEM,
)
def emergency_plan(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("应急预案缺失或未涵盖数据安全事件").where(
        or_(P.emergency_plan_doc == "", P.emergency_plan_covers_data.is_(False))
    )


@rule(
    "system.confidentiality_review",
    "采集数据未经保密审查或审查结果未报部保密办备案",
    "collected data has no passed confidentiality review filed with the secrecy office",
    "M2018 §6",
    M,
    Subject.SYSTEM,
)
def confidentiality_review(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("无通过的保密审查").where(
        or_(P.confidentiality_review != "passed", P.confidentiality_review_date.is_(None))
    )


@rule(
    "system.storage_backup",
    "无数据安全存储管理方案或未异地备份",
    "no secure storage plan or no backup in a different place",
    "M2018 §13",
    M,
    Subject.SYSTEM,
)
def storage_backup(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("存储方案或异地备份缺失").where(
        or_(P.storage_plan_doc == "", P.offsite_backup.is_(False))
    )


@rule(
    "system.abroad",
    "数据存储于境外但未开展数据出境安全评估",
    "data stored abroad without an export security assessment",
    "N2021 task 5",
    H,
    Subject.SYSTEM,
)
def abroad(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("境外存储无出境评估").where(
        P.stores_abroad.is_(True), P.export_assessment_ref == ""
    )


@rule(
    "system.pi.encryption",
    "存储个人信息的系统未对存储和传输加密",
    "system storing PI does not encrypt it at rest and in transit",
    "N2021 task 8",
    H,
    Subject.SYSTEM,
)
def pi_encryption(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("未加密存储或传输").where(
        P.persons_pi > 0,
        or_(P.encrypts_at_rest.is_(False), P.encrypts_in_transit.is_(False)),
    )


@rule(
    "system.responsible_person",
    "信息系统未明确数据安全责任人",
    "system names no person responsible for data security",
    "M2018 §37",
    L,
    Subject.SYSTEM,
)
def responsible_person(ctx: Context):  # type: ignore[no-untyped-def]
    return _profiled("未明确责任人").where(P.responsible_person == "")


@rule(
    "system.persons.understated",
    "目录登记的个人信息规模达百万人，系统档案登记不足百万",
    "catalog entries declare one million persons or more but the registry says fewer",
    "N2021 task 9",
    M,
    Subject.SYSTEM,
)
def persons_understated(ctx: Context):  # type: ignore[no-untyped-def]
    declared = (
        select(Resource.source_system_id.label("sid"), func.max(Resource.approx_persons).label("n"))
        .where(Resource.source_system_id.is_not(None))
        .group_by(Resource.source_system_id)
        .subquery()
    )
    return (
        _profiled("档案人数低于目录登记")
        .join(declared, declared.c.sid == S.id)
        .where(reaches_million(declared.c.n), ~reaches_million(P.persons_pi))
    )


def _source_of_important() -> exists:  # type: ignore[valid-type]
    return exists().where(
        Resource.source_system_id == S.id,
        Resource.grade.in_([Grade.IMPORTANT.value, Grade.CORE.value]),
    )


@rule(
    "system.assessment.periodic",
    "存储重要数据的系统近 12 个月未开展并报送风险评估",
    "system storing important data has no reported risk assessment in the last 12 months",
    "N2021 task 13",
    H,
    Subject.SYSTEM,
)
def assessment_periodic(ctx: Context):  # type: ignore[no-untyped-def]
    reported = exists().where(
        Assessment.system_id == S.id,
        Assessment.status == "reported",
        Assessment.assessed_at >= ctx.days_ago(365),
    )
    return failing(S.id, S.owner_unit_id, "近一年无已报送的风险评估").where(
        _source_of_important(), ~reported
    )


@rule(
    "system.assessment.sensitive",
    "处理敏感个人信息或儿童信息的系统未事前开展风险评估",
    "system processing sensitive or children's PI had no risk assessment before processing began",
    "N2021 task 13",
    H,
    Subject.SYSTEM,
)
def assessment_sensitive(ctx: Context):  # type: ignore[no-untyped-def]
    """事前: an assessment counts only if it was made before processing began, i.e. before the
    first dataset version of any of the system's sensitive or children's entries; until data
    arrives, any assessment counts."""
    special = and_(
        Resource.source_system_id == S.id,
        or_(
            Resource.has_child_pi.is_(True),
            exists().where(Item.resource_id == Resource.id, Item.sensitive.is_(True)),
        ),
    )
    began = (
        select(func.min(DatasetVersion.ingested_at))
        .join(Resource, Resource.id == DatasetVersion.resource_id)
        .where(special)
        .scalar_subquery()
    )
    beforehand = exists().where(
        Assessment.system_id == S.id, or_(began.is_(None), Assessment.assessed_at <= began)
    )
    return failing(S.id, S.owner_unit_id, "无事前风险评估").where(
        exists().where(special), ~beforehand
    )


@rule(
    "system.catalog.draft",
    "拟立项的系统未预编资源目录",
    "a proposed system has no pre-compiled catalog draft",
    "M2018 §31",
    M,
    Subject.SYSTEM,
)
def catalog_draft(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(S.id, S.owner_unit_id, "未预编目录").where(
        S.approval_status == "proposed", ~exists().where(Resource.source_system_id == S.id)
    )


@rule(
    "system.catalog.published",
    "运行中的系统无已发布的资源目录",
    "an operating system has no published catalog entry",
    "M2018 §31",
    L,
    Subject.SYSTEM,
)
def catalog_published(ctx: Context):  # type: ignore[no-untyped-def]
    published = exists().where(
        and_(Resource.source_system_id == S.id, Resource.status == Status.PUBLISHED.value)
    )
    return failing(S.id, S.owner_unit_id, "目录未纳入").where(
        S.approval_status == "operating", ~published
    )
