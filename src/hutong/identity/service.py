"""Units and users: the org tree, accounts and roles, with 三员分立 enforced (N2021 task 6)."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core.clock import as_utc, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound, SeparationOfDuties
from hutong.core.identifiers import is_internal_code, is_school_code, is_uscc
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit, UnitKind, User, UserRole
from hutong.identity.passwords import Passwords, check_policy
from hutong.identity.roles import ROLE_NAMES_ZH, THREE_OFFICERS, Action, Role
from hutong.identity.schemas import UnitCreate, UserCreate, UserCreated, UserOut


def passwords_for(session: Session) -> Passwords:
    settings = session.info["settings"]
    return Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)


def validate_unit_code(kind: UnitKind, code: str) -> None:
    """Schools carry a 学校标识码; ministry departments an internal code or a USCC; others a
    统一社会信用代码 checked with its GB 32100 check character."""
    if kind is UnitKind.SCHOOL:
        ok, zh, en = (
            is_school_code(code),
            "学校标识码无效（10 位：类别 2 位 + 省份 2 位 + 序号 6 位）",
            "invalid school code (10 digits: category 2 + province 2 + sequence 6)",
        )
    elif kind is UnitKind.MINISTRY_DEPARTMENT:
        ok, zh, en = (
            is_internal_code(code) or is_uscc(code),
            "部门代码无效（内部代码或统一社会信用代码）",
            "invalid department code (internal code or USCC)",
        )
    else:
        ok, zh, en = (
            is_uscc(code),
            "统一社会信用代码无效（GB 32100 校验未通过）",
            "invalid unified social credit code (GB 32100 check failed)",
        )
    if not ok:
        raise InvalidInput(zh, en, field="code")


def unit_by_code(session: Session, code: str, field: str = "unit_code") -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound("单位不存在", "unknown unit", field=field)
    return unit


def create_unit(session: Session, actor: Actor, data: UnitCreate) -> Unit:
    authorize(session, actor, Action.UNIT_MANAGE, Target("unit", data.code))
    validate_unit_code(data.kind, data.code)
    parent = unit_by_code(session, data.parent_code, "parent_code") if data.parent_code else None
    if session.scalar(select(Unit.id).where(Unit.code == data.code)) is not None:
        raise Conflict("单位代码已存在", "unit code already exists", field="code")
    unit = Unit(code=data.code, name=data.name, kind=data.kind.value, parent=parent)
    session.add(unit)
    session.flush()
    record(
        session,
        actor,
        "unit.create",
        category=Category.INSERT,
        target=Target("unit", unit.code, unit.id),
        rows=1,
    )
    return unit


def list_units(session: Session, actor: Actor) -> list[Unit]:
    authorize(session, actor, Action.UNIT_READ)
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    record(
        session, actor, "unit.list", category=Category.QUERY, target=Target("unit"), rows=len(units)
    )
    return units


def check_separation(roles: set[Role]) -> None:
    """三员分立: refuse any two of system_admin, security_admin and auditor on one account."""
    officers = roles & THREE_OFFICERS
    if len(officers) > 1:
        names = "、".join(ROLE_NAMES_ZH[r] for r in sorted(officers))
        raise SeparationOfDuties(
            f"三员分立：{names}不得由同一账号兼任",
            "separation of duties: one account cannot hold more than one of "
            "system_admin, security_admin, auditor",
            field="roles",
        )


def one_time_password() -> str:
    """A random password that satisfies the policy; the user must replace it at first login."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = (
            "".join(secrets.choice(alphabet) for _ in range(14))
            + "-"
            + secrets.choice(string.digits)
        )
        if any(c.isupper() for c in candidate) and any(c.islower() for c in candidate):
            return candidate


def create_user(session: Session, actor: Actor, data: UserCreate) -> UserCreated:
    authorize(session, actor, Action.USER_MANAGE, Target("user", data.username))
    roles = set(data.roles)
    check_separation(roles)
    unit = unit_by_code(session, data.unit_code)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict("用户名已存在", "username already exists", field="username")
    generated = data.password is None
    password = one_time_password() if generated else data.password
    check_policy(password, data.username)
    user = User(
        username=data.username,
        display_name=data.display_name,
        unit=unit,
        password_hash=passwords_for(session).hash(password),
        must_change_password=generated,
        role_rows=[UserRole(role=r.value) for r in sorted(roles)],
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        category=Category.INSERT,
        target=Target("user", user.username, unit.id),
        rows=1,
        details={"roles": sorted(roles)},
    )
    out = user_out(user)
    return UserCreated(**out.model_dump(), one_time_password=password if generated else None)


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("用户不存在", "unknown user", field="username")
    return user


def set_roles(session: Session, actor: Actor, username: str, roles: list[Role]) -> User:
    """Replace a user's roles; a permission change is audited as a grant."""
    authorize(session, actor, Action.USER_MANAGE, Target("user", username))
    wanted = {Role(r) for r in roles}
    check_separation(wanted)
    user = user_by_name(session, username)
    before = sorted(user.roles)
    # Keep rows that stay (same primary key), add the new ones, drop the rest.
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=r.value) for r in sorted(wanted - user.roles)
    ]
    session.flush()
    record(
        session,
        actor,
        "user.roles",
        category=Category.GRANT,
        target=Target("user", username, user.unit_id),
        rows=1,
        details={"before": before, "after": sorted(wanted)},
    )
    return user


def set_enabled(session: Session, actor: Actor, username: str, enabled: bool) -> User:
    authorize(session, actor, Action.USER_MANAGE, Target("user", username))
    user = user_by_name(session, username)
    user.enabled = enabled
    if enabled:
        user.failed_logins, user.locked_until = 0, None
    record(
        session,
        actor,
        "user.enable" if enabled else "user.disable",
        category=Category.UPDATE,
        target=Target("user", username, user.unit_id),
        rows=1,
    )
    return user


def list_users(session: Session, actor: Actor) -> list[UserOut]:
    authorize(session, actor, Action.USER_READ)
    users = list(session.scalars(select(User).order_by(User.username)))
    record(
        session, actor, "user.list", category=Category.QUERY, target=Target("user"), rows=len(users)
    )
    return [user_out(u) for u in users]


def is_locked(user: User) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > utcnow()


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit_code=user.unit.code,
        roles=sorted(Role(r) for r in user.roles),
        enabled=user.enabled,
        locked=is_locked(user),
        must_change_password=user.must_change_password,
        last_login_at=user.last_login_at,
    )
