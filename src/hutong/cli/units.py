"""``hutong units``: the unit tree (组织机构树), provisioned from the host's shell."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hutong.cli.common import DataDir, group, in_transaction, opened, out, parsed
from hutong.identity.authz import system_actor
from hutong.identity.models import UNIT_KIND_ZH, UnitKind
from hutong.identity.schemas import UnitCreate
from hutong.identity.service import create_unit, list_units

app = group()


@app.command("create")
def units_create(
    code: Annotated[str, typer.Option(help="统一社会信用代码 / 学校标识码 / 内部代码")],
    name: Annotated[str, typer.Option(help="单位名称")],
    kind: Annotated[
        str,
        typer.Option(
            help="ministry_department | affiliated_unit | provincial_department | school | other_government"
        ),
    ],
    parent: Annotated[str | None, typer.Option(help="上级单位代码")] = None,
    data_dir: DataDir = None,
) -> None:
    """创建单位。"""
    with opened(data_dir) as db:
        data = parsed(UnitCreate, code=code, name=name, kind=kind, parent_code=parent)
        in_transaction(db, lambda s: create_unit(s, system_actor("cli"), data))
    out.print(f"[green]已创建单位[/green] {code} {name}")


@app.command("list")
def units_list(data_dir: DataDir = None) -> None:
    """列出单位。"""
    with opened(data_dir) as db:
        rows = in_transaction(
            db, lambda s: [(u.code, u.name, u.kind) for u in list_units(s, system_actor("cli"))]
        )
    table = Table("代码", "名称", "类型")
    for code, name, kind in rows:
        table.add_row(code, name, UNIT_KIND_ZH[UnitKind(kind)])
    out.print(table)
