"""API shapes of the identity domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hutong.identity.models import UnitKind
from hutong.identity.roles import Role


class UnitCreate(BaseModel):
    code: str = Field(
        min_length=2,
        max_length=32,
        description="统一社会信用代码, 学校标识码 or internal code",
        title="单位代码",
    )
    name: str = Field(min_length=1, max_length=128, title="单位名称")
    kind: UnitKind = Field(title="单位类型")
    parent_code: str | None = Field(None, title="上级单位代码")


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None


class UserCreate(BaseModel):
    username: str = Field(
        min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$", title="用户名"
    )
    display_name: str = Field(min_length=1, max_length=128, title="姓名")
    unit_code: str = Field(title="所属单位代码")
    roles: list[Role] = Field(min_length=1, title="角色")
    password: str | None = Field(
        None,
        description="Initial password; omitted: a one-time password is generated",
        title="初始密码",
    )


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    unit_code: str
    roles: list[Role]
    enabled: bool
    locked: bool
    must_change_password: bool
    last_login_at: datetime | None


class UserCreated(UserOut):
    one_time_password: str | None = Field(
        None,
        description="Shown once when Hutong generated the password; must be changed at first login",
    )


class RolesUpdate(BaseModel):
    roles: list[Role] = Field(min_length=1, title="角色")


class ClientCreate(BaseModel):
    client_id: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=128)
    unit_code: str
    roles: list[Role] = Field(min_length=1)
    scopes: list[str] = Field(min_length=1, description="Actions the client may request")


class ClientCreated(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; stored hashed")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


class PasswordChange(BaseModel):
    username: str
    current_password: str
    new_password: str
    totp: str | None = None
