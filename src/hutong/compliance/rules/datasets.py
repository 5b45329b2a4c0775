"""Rules over dataset versions (M2018 §12, §30; N2021 tasks 5, 9, 10). Subject: a version,
``<resource code>#v<n>``; responsible unit: the entry's provider.

The data-vs-catalog mismatches that ingest records on a version (``data/detect.py``) become
findings here: they stay open until the entry is edited after that version or a newer
version agrees with the catalog."""

from __future__ import annotations

from sqlalchemy import String, and_, cast, func, literal, or_, select
from sqlalchemy.orm import aliased

from hutong.catalog.models import Resource
from hutong.catalog.vocab import Grade, reaches_million
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.compliance.sql import age_days, json_array_length
from hutong.data.models import DatasetVersion

V, R = DatasetVersion, Resource
H, M = Severity.HIGH, Severity.MEDIUM


def must_be_sealed():  # type: ignore[no-untyped-def]
    """Versions of entries holding PI or graded important/core are sealed at rest (N2021
    tasks 5, 8), as ingest decides (``data.ingest.must_seal``)."""
    return or_(R.has_pi.is_(True), R.grade.in_((Grade.CORE.value, Grade.IMPORTANT.value)))


def version_id(version=V):  # type: ignore[no-untyped-def]
    return R.code + literal("#v") + cast(version.version, String)


def _newest(detail: str):  # type: ignore[no-untyped-def]
    """The newest version of each entry, joined to its entry."""
    top = (
        select(V.resource_id.label("rid"), func.max(V.version).label("v"))
        .group_by(V.resource_id)
        .subquery()
    )
    return (
        failing(version_id(), R.provider_unit_id, detail)
        .select_from(V)
        .join(top, and_(top.c.rid == V.resource_id, top.c.v == V.version))
        .join(R, R.id == V.resource_id)
    )


@rule(
    "dataset.catalog_mismatch",
    "数据与目录登记不一致且目录未随之更新",
    "the data disagrees with its catalog entry and the entry was not updated since",
    "M2018 §30",
    M,
    Subject.DATASET,
)
def catalog_mismatch(ctx: Context):  # type: ignore[no-untyped-def]
    return _newest("数据与目录不一致").where(
        json_array_length(V.detection, "mismatches") > 0, R.updated_at <= V.ingested_at
    )


@rule(
    "dataset.quality.low_twice",
    "数据质量得分连续两个版本低于阈值",
    "quality score below the threshold for two versions running",
    "M2018 §12",
    M,
    Subject.DATASET,
)
def quality_low_twice(ctx: Context):  # type: ignore[no-untyped-def]
    previous = aliased(V)
    threshold = ctx.settings.compliance_quality_threshold
    return (
        _newest("连续两版质量不达标")
        .join(
            previous,
            and_(previous.resource_id == V.resource_id, previous.version == V.version - 1),
        )
        .where(V.quality_score < threshold, previous.quality_score < threshold)
    )


@rule(
    "dataset.persons.undeclared",
    "数据中检出百万人以上个人信息但目录登记不足百万",
    "the data holds PI of one million persons or more but the entry declares fewer",
    "N2021 task 9",
    H,
    Subject.DATASET,
)
def persons_undeclared(ctx: Context):  # type: ignore[no-untyped-def]
    return _newest("百万级个人信息未登记").where(
        reaches_million(V.detection["persons"].as_integer()),
        or_(R.approx_persons.is_(None), ~reaches_million(R.approx_persons)),
    )


@rule(
    "dataset.children.undeclared",
    "数据中检出不满十四周岁儿童信息但目录未登记",
    "the data holds children's information the entry does not declare",
    "N2021 task 10",
    H,
    Subject.DATASET,
)
def children_undeclared(ctx: Context):  # type: ignore[no-untyped-def]
    return _newest("儿童信息未登记").where(
        V.detection["children"].as_integer() > 0, R.has_child_pi.is_(False)
    )


@rule(
    "dataset.retention.exceeded",
    "数据版本超过规定的存储期限仍未归档或销毁",
    "a dataset version is kept beyond the entry's retention period",
    "N2021 task 5",
    M,
    Subject.DATASET,
)
def retention_exceeded(ctx: Context):  # type: ignore[no-untyped-def]
    return (
        failing(version_id(), R.provider_unit_id, "超过存储期限")
        .select_from(V)
        .join(R, R.id == V.resource_id)
        .where(R.retention_days.is_not(None), age_days(V.ingested_at, ctx.now) > R.retention_days)
    )


@rule(
    "dataset.pi_unencrypted",
    "含个人信息或重要数据的数据版本未加密存储",
    "a dataset version holding PI or important/core data is stored unencrypted",
    "N2021 task 8",
    H,
    Subject.DATASET,
)
def pi_unencrypted(ctx: Context):  # type: ignore[no-untyped-def]
    return (
        failing(version_id(), R.provider_unit_id, "未加密存储")
        .select_from(V)
        .join(R, R.id == V.resource_id)
        .where(V.data_key_id.is_(None), must_be_sealed())
    )
