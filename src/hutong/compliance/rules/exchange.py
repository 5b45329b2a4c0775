"""Rules over the sharing exchange (issue 6; M2018 §19–23, N2021 tasks 9–10). Subjects: an
application or a grant (its id / code; responsible unit: the provider, who decides and must hold
the gate documents), an external-provision request or a correction report (responsible unit: the
provider, who must answer in writing)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, cast, exists, func, literal, or_

from hutong.catalog.models import Resource
from hutong.catalog.vocab import reaches_million
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.exchange.models import (
    Application,
    Correction,
    Document,
    ExternalProvision,
    Grant,
    GrantUsage,
)
from hutong.exchange.vocab import AppStatus, DocumentKind, GrantStatus, RequestStatus

A, G, R = Application, Grant, Resource
H, M = Severity.HIGH, Severity.MEDIUM
#: Answers are due within 10 working days; two calendar weeks never count fewer.
ANSWER_WITHIN = timedelta(days=14)


def _live_grants(ctx: Context, detail: str):  # type: ignore[no-untyped-def]
    """Grants in force now, joined to their entry."""
    return (
        failing(G.code, G.provider_unit_id, detail)
        .select_from(G)
        .join(R, R.id == G.resource_id)
        .where(G.status == GrantStatus.ACTIVE, G.valid_until > ctx.now)
    )


def _without(kind: DocumentKind):  # type: ignore[no-untyped-def]
    """The grant's application holds no gate document of ``kind`` (or there is none)."""
    return or_(
        G.application_id.is_(None),
        ~exists().where(Document.application_id == G.application_id, Document.kind == kind),
    )


@rule(
    "application.unanswered",
    "有条件共享申请超过 10 个工作日未答复",
    "a conditional share application is unanswered past its 10-working-day due date",
    "M2018 §20",
    M,
    Subject.APPLICATION,
)
def application_unanswered(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(cast(A.id, String), A.provider_unit_id, "逾期未答复").where(
        A.status == AppStatus.SUBMITTED, A.due_date < ctx.today
    )


@rule(
    "application.refusal_reason",
    "不予共享的答复未说明理由",
    "a refused application carries no reason",
    "M2018 §20",
    M,
    Subject.APPLICATION,
)
def refusal_reason(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(cast(A.id, String), A.provider_unit_id, "拒绝未说明理由").where(
        A.status == AppStatus.REFUSED, func.trim(A.refusal_reason) == ""
    )


@rule(
    "grant.agreement",
    "涉及个人信息或重要、核心数据的共享授权没有安全保密协议",
    "a grant on personal, important or core data has no security and confidentiality agreement",
    "M2018 §21",
    H,
    Subject.GRANT,
)
def grant_agreement(ctx: Context):  # type: ignore[no-untyped-def]
    return _live_grants(ctx, "缺少安全保密协议").where(
        or_(R.has_pi.is_(True), R.grade.in_(("core", "important"))),
        _without(DocumentKind.AGREEMENT),
    )


@rule(
    "grant.million_pi_provincial",
    "共享百万人以上个人信息未经省级教育行政部门批准",
    "personal information of one million persons or more is shared without provincial approval",
    "N2021 task 9",
    H,
    Subject.GRANT,
)
def million_pi_provincial(ctx: Context):  # type: ignore[no-untyped-def]
    return _live_grants(ctx, "缺少省级批准").where(
        R.has_pi.is_(True),
        reaches_million(R.approx_persons),
        _without(DocumentKind.PROVINCIAL_APPROVAL),
    )


@rule(
    "grant.children_third_party",
    "向第三方提供儿童个人信息未做安全评估、未签责任书",
    "children's information is granted to another unit without a security assessment and letter",
    "N2021 task 10",
    H,
    Subject.GRANT,
)
def children_third_party(ctx: Context):  # type: ignore[no-untyped-def]
    return _live_grants(ctx, "缺少儿童信息安全评估").where(
        R.has_child_pi.is_(True),
        G.consumer_unit_id != G.provider_unit_id,
        _without(DocumentKind.CHILD_ASSESSMENT),
    )


@rule(
    "grant.expired_in_use",
    "共享授权过期或撤销后仍被使用",
    "a grant was used after it expired or was revoked",
    "M2018 §19",
    H,
    Subject.GRANT,
)
def expired_in_use(ctx: Context):  # type: ignore[no-untyped-def]
    ended = func.coalesce(G.revoked_at, G.valid_until)
    used_after = exists().where(
        GrantUsage.grant_id == G.id,
        GrantUsage.rows > 0,
        GrantUsage.day > func.date(ended),
    )
    return failing(G.code, G.provider_unit_id, "过期后仍有使用").select_from(G).where(used_after)


@rule(
    "provision.unanswered",
    "使用部门对外提供或公开共享数据的申请，提供部门逾期未书面答复",
    "a consumer's request to pass shared data on is unanswered in writing",
    "M2018 §22",
    M,
    Subject.PROVISION,
)
def provision_unanswered(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(
        literal("P") + cast(ExternalProvision.id, String),
        ExternalProvision.provider_unit_id,
        "对外提供申请未答复",
    ).where(
        ExternalProvision.status == RequestStatus.OPEN,
        ExternalProvision.filed_at < ctx.now - ANSWER_WITHIN,
    )


@rule(
    "correction.unanswered",
    "使用部门反馈的数据错误，提供部门逾期未答复",
    "a consumer's correction report is unanswered",
    "M2018 §23",
    M,
    Subject.CORRECTION,
)
def correction_unanswered(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(
        literal("C") + cast(Correction.id, String), Correction.provider_unit_id, "纠错反馈未答复"
    ).where(
        Correction.status == RequestStatus.OPEN,
        Correction.filed_at < ctx.now - ANSWER_WITHIN,
    )
