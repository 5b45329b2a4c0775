"""``hutong init``: a new data directory, its database, and the first system administrator."""

from __future__ import annotations

from typing import Annotated

import typer

from hutong.cli.common import DataDir, in_transaction, opened, out
from hutong.identity.bootstrap import bootstrap

app = typer.Typer(add_completion=False)


@app.command()
def init(
    data_dir: DataDir = None,
    unit_code: Annotated[str, typer.Option(help="平台运营单位代码")] = "MOE",
    unit_name: Annotated[str, typer.Option(help="平台运营单位名称")] = "中华人民共和国教育部",
    admin: Annotated[str, typer.Option(help="首个系统管理员用户名")] = "sysadmin",
) -> None:
    """创建数据目录、应用数据库迁移，并创建首个系统管理员（打印一次性密码）。"""
    with opened(data_dir, create=True) as db:
        created = in_transaction(db, lambda s: bootstrap(s, unit_code, unit_name, admin))
    if created is None:
        out.print("[green]已初始化；数据库已是最新版本。[/green]")
        return
    out.print(f"[green]已创建系统管理员[/green] {admin}，一次性密码：[bold]{created}[/bold]")
    out.print("首次登录须修改密码，并绑定动态验证码（三员账号要求）。")
