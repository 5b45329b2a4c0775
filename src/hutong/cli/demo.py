"""``hutong demo``: a demonstration platform, idempotent (decision 0001)."""

from __future__ import annotations

from typing import Annotated

import typer

from hutong.cli.common import DataDir, opened, out
from hutong.demo.seed import seed

app = typer.Typer(add_completion=False)


@app.command()
def demo(
    data_dir: DataDir = None,
    schools: Annotated[int, typer.Option(help="演示学校数量")] = 300,
    students: Annotated[
        int, typer.Option(min=100, help="演示学籍数据的学生人数（教师约为其 1/14）")
    ] = 1_000_000,
) -> None:
    """创建演示组织、每个角色一个演示账号、演示目录与数据集（幂等，可重复运行）。"""
    with opened(data_dir, create=True) as db:
        accounts_file = seed(db, schools=schools, console=out, students=students)
    out.print(f"演示账号已写入 [bold]{accounts_file}[/bold]（仅所有者可读）")
