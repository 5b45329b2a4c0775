"""First start: the operating unit and the first system administrator (``hutong init``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.identity.authz import system_actor
from hutong.identity.models import Unit, UnitKind, User
from hutong.identity.roles import Role
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.service import create_unit, create_user


def bootstrap(session: Session, unit_code: str, unit_name: str, admin: str) -> str | None:
    """Create the root unit and a system administrator with a one-time password, once.

    Returns the one-time password, or None when accounts already exist (init is idempotent).
    """
    if session.scalar(select(func.count()).select_from(User)):
        return None
    actor = system_actor("init")
    if session.scalar(select(Unit.id).where(Unit.code == unit_code)) is None:
        create_unit(
            session,
            actor,
            UnitCreate(code=unit_code, name=unit_name, kind=UnitKind.MINISTRY_DEPARTMENT),
        )
    created = create_user(
        session,
        actor,
        UserCreate(
            username=admin,
            display_name="系统管理员",
            unit_code=unit_code,
            roles=[Role.SYSTEM_ADMIN],
        ),
    )
    return created.one_time_password
