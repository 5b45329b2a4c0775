"""Rules over the open portal (issue 7): public releases (N2021 tasks 7–8, M2018 §25) and
disclosure requests (M2018 §26; 《政府信息公开条例》第三十三条). Subjects: a release
(``<resource code>#r<id>``, responsible unit: the entry's provider) and a disclosure request
(its tracking number, responsible unit: the platform's operator, which handles them)."""

from __future__ import annotations

from sqlalchemy import String, cast, literal, or_

from hutong.catalog.models import Resource
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.openportal.models import DisclosureRequest, Release

R, P, D = Resource, Release, DisclosureRequest


def release_id():  # type: ignore[no-untyped-def]
    return R.code + literal("#r") + cast(P.id, String)


def _public_releases(detail: str):  # type: ignore[no-untyped-def]
    return (
        failing(release_id(), R.provider_unit_id, detail)
        .select_from(P)
        .join(R, R.id == P.resource_id)
        .where(P.state == "public")
    )


@rule(
    "release.pi_not_deidentified",
    "公开的数据版本未通过去标识化检查（含直接标识符或 k 值不足）",
    "a public release did not pass the de-identification check (direct identifiers or k too low)",
    "N2021 task 8",
    Severity.HIGH,
    Subject.RELEASE,
)
def pi_not_deidentified(ctx: Context):  # type: ignore[no-untyped-def]
    return _public_releases("公开数据未通过自动检查").where(P.check_passed.is_(False))


@rule(
    "release.unreviewed",
    "公开的数据版本没有安全审核员的政策风险评估意见",
    "a public release has no policy-risk note from the security reviewer",
    "N2021 task 7",
    Severity.HIGH,
    Subject.RELEASE,
)
def unreviewed(ctx: Context):  # type: ignore[no-untyped-def]
    return _public_releases("未经安全审核").where(or_(P.risk_note == "", P.reviewed_by == ""))


@rule(
    "disclosure.overdue",
    "依申请公开超过答复期限（20 个工作日，延期后以延长的期限为准）仍未答复",
    "a disclosure request is past its due date unanswered",
    "M2018 §26",
    Severity.MEDIUM,
    Subject.DISCLOSURE,
)
def disclosure_overdue(ctx: Context):  # type: ignore[no-untyped-def]
    return failing(D.tracking_no, ctx.platform_unit_id, "逾期未答复").where(
        D.state != "answered", D.due_date < ctx.today
    )
