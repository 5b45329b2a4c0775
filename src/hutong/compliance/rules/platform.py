"""Rules over the platform's own audit log (N2021 tasks 6 and 17). Subject: the platform
(``audit-log``, ``audit-chain``, ``audit-checkpoints``); responsible unit: the operator at the
root of the unit tree."""

from __future__ import annotations

from sqlalchemy import exists, false, func, literal, or_, select

from hutong.audit.models import AuditAnchor, AuditCheckpoint, AuditEvent
from hutong.audit.service import Outcome
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.core.settings import MIN_AUDIT_RETENTION_DAYS

E = AuditEvent
H, M = Severity.HIGH, Severity.MEDIUM
VERIFY_EVENT = "audit.verify"


def _platform(ctx: Context, subject: str, detail: str):  # type: ignore[no-untyped-def]
    return failing(literal(subject), ctx.platform_unit_id, detail)


@rule(
    "audit.retention",
    "审计日志保留不足六个月（180 天内的事件已被清除）",
    "the audit log no longer covers the last 180 days",
    "N2021 task 6",
    H,
    Subject.PLATFORM,
)
def retention(ctx: Context):  # type: ignore[no-untyped-def]
    """A purge left an anchor, yet the oldest event kept is younger than 180 days."""
    oldest = select(func.min(E.ts_us)).scalar_subquery()
    return _platform(ctx, "audit-log", "保留期不足").where(
        exists().where(AuditAnchor.id.is_not(None)),
        oldest > ctx.us_ago(MIN_AUDIT_RETENTION_DAYS),
    )


@rule(
    "audit.verification",
    "审计哈希链近期未校验通过或最近一次校验失败",
    "the audit chain was not verified recently, or its last verification failed",
    "N2021 task 6",
    H,
    Subject.PLATFORM,
)
def verification(ctx: Context):  # type: ignore[no-untyped-def]
    last = (
        select(E.outcome).where(E.event == VERIFY_EVENT).order_by(E.seq.desc()).limit(1)
    ).scalar_subquery()
    recent_ok = exists().where(
        E.event == VERIFY_EVENT,
        E.outcome == Outcome.ALLOWED.value,
        E.ts_us >= ctx.us_ago(ctx.settings.compliance_verify_days),
    )
    return _platform(ctx, "audit-chain", "未按期校验或校验失败").where(
        or_(~recent_ok, last == Outcome.FAILED.value)
    )


@rule(
    "audit.checkpoints",
    "审计链头长期未签名检查点",
    "the audit chain head has gone unsigned for too long",
    "N2021 task 17",
    M,
    Subject.PLATFORM,
)
def checkpoints(ctx: Context):  # type: ignore[no-untyped-def]
    every = ctx.settings.audit_checkpoint_every
    head = select(func.max(E.seq)).scalar_subquery()
    signed = select(func.coalesce(func.max(AuditCheckpoint.seq), 0)).scalar_subquery()
    query = _platform(ctx, "audit-checkpoints", "检查点滞后")
    if every <= 0:
        return query.where(false())
    return query.where(head - signed > 2 * every)
