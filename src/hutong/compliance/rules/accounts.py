"""Rules over accounts and units' staffing (N2021 tasks 6, 14, 17; M2018 §28). Subject: an
account (its username) or a unit (its code); responsible unit: the account's unit.

The audit-based ones read the audit log (N2021 task 14's monitoring): denied actions, failed
logins and exports by one account in the last 24 hours, and business reads by a system
administrator, which the permission matrix forbids (DESIGN rule 2)."""

from __future__ import annotations

from sqlalchemy import String, and_, cast, exists, func, or_, select

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, Outcome
from hutong.catalog.models import Resource
from hutong.compliance.rules.base import Context, Severity, Subject, failing, rule
from hutong.identity.models import Unit, User, UserRole
from hutong.identity.roles import THREE_OFFICERS, Role

U, E = User, AuditEvent
H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
OFFICERS = sorted(r.value for r in THREE_OFFICERS)


def _user(detail: str):  # type: ignore[no-untyped-def]
    return failing(U.username, U.unit_id, detail)


def _per_actor(ctx: Context, measure, *conditions):  # type: ignore[no-untyped-def]
    """(actor id, actor name, measure) over the last 24 hours of the audit log."""
    return (
        select(E.actor_id.label("aid"), E.actor_name.label("name"), measure.label("n"))
        .where(E.ts_us >= ctx.us_ago(1), *conditions)
        .group_by(E.actor_id, E.actor_name)
        .subquery()
    )


def _matches(events) -> object:  # type: ignore[no-untyped-def]
    return and_(events.c.aid == cast(U.id, String), events.c.name == U.username)


def _at_least(detail: str, events, threshold: int):  # type: ignore[no-untyped-def]
    """Accounts whose measure over their own audit events reaches the threshold."""
    return _user(detail).join(events, _matches(events)).where(events.c.n >= threshold)


@rule(
    "user.three_officers",
    "同一账号兼任系统管理员、安全保密管理员、安全审计员中的两个",
    "one account holds two of the three officer roles",
    "N2021 task 6",
    H,
    Subject.USER,
)
def three_officers(ctx: Context):  # type: ignore[no-untyped-def]
    doubled = (
        select(UserRole.user_id)
        .where(UserRole.role.in_(OFFICERS))
        .group_by(UserRole.user_id)
        .having(func.count() > 1)
    )
    return _user("三员兼任").where(U.id.in_(doubled))


@rule(
    "user.dormant",
    "长期未使用的账号仍处于启用状态",
    "an account unused for the dormancy period is still enabled",
    "N2021 task 6",
    M,
    Subject.USER,
)
def dormant(ctx: Context):  # type: ignore[no-untyped-def]
    last_used = func.coalesce(U.last_login_at, U.created_at)
    return _user("长期未使用").where(
        U.enabled.is_(True), last_used < ctx.days_ago(ctx.settings.compliance_dormant_days)
    )


@rule(
    "user.officer.totp",
    "三员账号未启用动态验证码",
    "an officer account has no second factor",
    "N2021 task 17",
    H,
    Subject.USER,
)
def officer_totp(ctx: Context):  # type: ignore[no-untyped-def]
    officer = exists().where(UserRole.user_id == U.id, UserRole.role.in_(OFFICERS))
    return _user("未启用动态验证码").where(U.enabled.is_(True), U.totp_enabled.is_(False), officer)


@rule(
    "user.one_time_password",
    "一次性密码超过 7 天未修改",
    "a one-time password was not replaced within 7 days",
    "N2021 task 6",
    L,
    Subject.USER,
)
def one_time_password(ctx: Context):  # type: ignore[no-untyped-def]
    return _user("一次性密码未修改").where(
        U.enabled.is_(True), U.must_change_password.is_(True), U.created_at < ctx.days_ago(7)
    )


@rule(
    "user.denied_burst",
    "账号 24 小时内越权操作次数过多",
    "an account was denied too many actions in 24 hours",
    "N2021 task 14",
    M,
    Subject.USER,
)
def denied_burst(ctx: Context):  # type: ignore[no-untyped-def]
    denied = _per_actor(ctx, func.count(), E.outcome == Outcome.DENIED.value)
    return _at_least("频繁越权", denied, ctx.settings.compliance_denied_per_day)


@rule(
    "user.login_failures",
    "账号 24 小时内登录失败次数过多",
    "an account had too many failed logins in 24 hours",
    "N2021 task 14",
    M,
    Subject.USER,
)
def login_failures(ctx: Context):  # type: ignore[no-untyped-def]
    failed = (
        select(E.target_id.label("name"), func.count().label("n"))
        .where(
            E.ts_us >= ctx.us_ago(1),
            E.event == "auth.login",
            E.outcome == Outcome.FAILED.value,
            E.target_type == "user",
        )
        .group_by(E.target_id)
        .subquery()
    )
    return (
        _user("频繁登录失败")
        .join(failed, failed.c.name == U.username)
        .where(failed.c.n >= ctx.settings.compliance_failed_logins_per_day)
    )


@rule(
    "user.bulk_export",
    "账号 24 小时内导出数据量异常",
    "an account exported an unusual number of rows in 24 hours",
    "N2021 task 6",
    M,
    Subject.USER,
)
def bulk_export(ctx: Context):  # type: ignore[no-untyped-def]
    exported = _per_actor(ctx, func.sum(E.rows), E.category == Category.EXPORT.value)
    return _at_least("异常批量导出", exported, ctx.settings.compliance_export_rows_per_day)


@rule(
    "user.sysadmin.business_read",
    "系统管理员账号读取了业务数据",
    "a system administrator account read business data",
    "N2021 task 6",
    H,
    Subject.USER,
)
def sysadmin_business_read(ctx: Context):  # type: ignore[no-untyped-def]
    reads = (
        select(E.actor_id.label("aid"), E.actor_name.label("name"))
        .where(
            E.ts_us >= ctx.us_ago(30),
            E.outcome == Outcome.ALLOWED.value,
            E.category.in_([Category.QUERY.value, Category.EXPORT.value]),
            or_(E.event.like("catalog.%"), E.event.like("data.%")),
            E.actor_roles.like(f"%{Role.SYSTEM_ADMIN.value}%"),
        )
        .distinct()
        .subquery()
    )
    return _user("系统管理员读取业务数据").join(reads, _matches(reads))


@rule(
    "unit.data_steward",
    "提供资源的单位没有在用的数据管理员账号",
    "a unit that provides catalog entries has no enabled data steward",
    "M2018 §28",
    L,
    Subject.UNIT,
)
def data_steward(ctx: Context):  # type: ignore[no-untyped-def]
    provides = exists().where(Resource.provider_unit_id == Unit.id)
    steward = exists().where(
        U.unit_id == Unit.id,
        U.enabled.is_(True),
        UserRole.user_id == U.id,
        UserRole.role == Role.DATA_STEWARD.value,
    )
    return failing(Unit.code, Unit.id, "无数据管理员").where(provides, ~steward)
