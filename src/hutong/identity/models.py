"""Identity tables: the unit tree, users and their roles, API clients, tokens, console sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime


class UnitKind(StrEnum):
    MINISTRY_DEPARTMENT = "ministry_department"  # 部机关司局
    AFFILIATED_UNIT = "affiliated_unit"  # 直属事业单位
    PROVINCIAL_DEPARTMENT = "provincial_department"  # 省级教育行政部门
    SCHOOL = "school"  # 学校
    OTHER_GOVERNMENT = "other_government"  # 其他政务部门


UNIT_KIND_ZH = {
    UnitKind.MINISTRY_DEPARTMENT: "部机关司局",
    UnitKind.AFFILIATED_UNIT: "直属事业单位",
    UnitKind.PROVINCIAL_DEPARTMENT: "省级教育行政部门",
    UnitKind.SCHOOL: "学校",
    UnitKind.OTHER_GOVERNMENT: "其他政务部门",
}


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(256))  # sealed by core.keys.SecretBox
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the last TOTP time step accepted: a code is accepted once (RFC 6238 §5.2)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ApiClient(Base):
    """A unit's information system calling the API with OAuth2 client credentials."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(256))  # comma-separated Role values
    scopes: Mapped[str] = mapped_column(Text)  # space-separated Action values it may request
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()


class ApiToken(Base):
    """An issued bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"), index=True)
    scopes: Mapped[str | None] = mapped_column(Text)  # None: the holder's roles decide
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SessionStage(StrEnum):
    FULL = "full"
    CHANGE_PASSWORD = "change_password"  # one-time password must be replaced first
    ENROL_TOTP = "enrol_totp"  # a 三员 account must set up its second factor first


class ConsoleSession(Base):
    """A console login; the cookie holds the token, the table its hash and CSRF secret."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16), default=SessionStage.FULL.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
