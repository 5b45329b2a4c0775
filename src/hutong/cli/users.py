"""``hutong users``: accounts and their roles (三员分立 enforced by the service)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hutong.cli.common import DataDir, group, in_transaction, opened, out, parsed
from hutong.identity.authz import system_actor
from hutong.identity.schemas import RolesUpdate, UserCreate
from hutong.identity.service import create_user, set_enabled, set_roles

app = group()
Username = Annotated[str, typer.Option(help="用户名")]


@app.command("create")
def users_create(
    username: Username,
    unit: Annotated[str, typer.Option(help="所属单位代码")],
    role: Annotated[list[str], typer.Option(help="角色，可重复")],
    display_name: Annotated[str | None, typer.Option(help="姓名（默认同用户名）")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """创建用户；不给密码时生成一次性密码，首次登录须修改。"""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with opened(data_dir) as db:
        data = parsed(
            UserCreate,
            username=username,
            display_name=display_name or username,
            unit_code=unit,
            roles=role,
            password=password,
        )
        created = in_transaction(db, lambda s: create_user(s, system_actor("cli"), data))
    out.print(f"[green]已创建用户[/green] {username}（{', '.join(created.roles)}）")
    if created.one_time_password:
        out.print(f"一次性密码：[bold]{created.one_time_password}[/bold]（首次登录须修改）")


@app.command("roles")
def users_roles(
    username: Username,
    role: Annotated[list[str], typer.Option(help="新的角色集合，可重复")],
    data_dir: DataDir = None,
) -> None:
    """替换用户的角色（三员互斥）。"""
    with opened(data_dir) as db:
        roles = parsed(RolesUpdate, roles=role).roles
        in_transaction(db, lambda s: set_roles(s, system_actor("cli"), username, roles))
    out.print(f"[green]已更新角色[/green] {username}")


@app.command("disable")
def users_disable(username: Username, data_dir: DataDir = None) -> None:
    """停用账号（如离职、长期未使用）；停用后其令牌与会话立即失效。"""
    _set_enabled(username, False, data_dir)


@app.command("enable")
def users_enable(username: Username, data_dir: DataDir = None) -> None:
    """启用账号，并清除锁定。"""
    _set_enabled(username, True, data_dir)


def _set_enabled(username: str, enabled: bool, data_dir: Path | None) -> None:
    with opened(data_dir) as db:
        in_transaction(db, lambda s: set_enabled(s, system_actor("cli"), username, enabled))
    out.print(f"[green]已{'启用' if enabled else '停用'}账号[/green] {username}")
