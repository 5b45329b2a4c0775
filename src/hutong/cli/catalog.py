"""``hutong catalog``: search, show, import, export and the 一数一源 overlaps, as a named user."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hutong.catalog import revisions, service, transfer, workbook
from hutong.catalog.overlaps import grouped, listing
from hutong.catalog.search import Query, search
from hutong.catalog.vocab import ShareType
from hutong.cli.common import (
    ActingUser,
    DataDir,
    InputFile,
    OutputFile,
    acting,
    err,
    group,
    opened,
    out,
)
from hutong.core.errors import ImportRejected

app = group()


@app.command("search")
def catalog_search(
    q: str,
    user: ActingUser,
    data_dir: DataDir = None,
    limit: Annotated[int, typer.Option(help="显示条数")] = 20,
) -> None:
    """检索已发布的目录（中文全文检索）。"""
    with opened(data_dir) as db, db.transaction() as session:
        page = search(session, acting(session, user), Query(q=q, limit=limit))
        rows = [
            (r.code, r.name, r.provider_unit.name, ShareType(r.share_type).zh)
            for r in page.resources
        ]
    table = Table("资源代码", "名称", "提供方", "共享类型", title=f"共 {page.total} 条")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@app.command("show")
def catalog_show(code: str, user: ActingUser, data_dir: DataDir = None) -> None:
    """以 JSON 显示一条信息资源。"""
    with opened(data_dir) as db, db.transaction() as session:
        text = service.out(service.read(session, acting(session, user), code)).model_dump_json(
            indent=2
        )
    out.print_json(text)


@app.command("import")
def catalog_import(file: InputFile, user: ActingUser, data_dir: DataDir = None) -> None:
    """导入目录（.xlsx 工作簿、.json 或 .csv）；有任何错误则全部不导入，并逐行列出错误。"""
    suffix = file.suffix.lower().lstrip(".")
    try:
        with opened(data_dir) as db:
            with out.status(f"校验 {file.name}…"):
                parsed = workbook.parse(file.read_bytes(), suffix)
            with out.status(f"写入 {len(parsed.entries)} 条信息资源…"), db.transaction() as session:
                actor = acting(session, user)
                saved = transfer.import_entries(session, actor, parsed, suffix)
                pending = revisions.awaiting_review(session, actor, saved)
    except typer.Exit as stop:
        if isinstance(stop.__cause__, ImportRejected):
            for problem in stop.__cause__.problems[:200]:
                err.print(f"  {problem['message']}")
        raise
    out.print(f"[green]已导入 {len(saved)} 条信息资源[/green]")
    if pending:
        out.print(
            f"其中 {len(pending)} 条已发布资源的修改放宽了保护，已提交目录审核员审核，"
            f"审核通过前不生效：{'、'.join(pending)}",
            soft_wrap=True,
        )


@app.command("export")
def catalog_export(
    file: OutputFile,
    user: ActingUser,
    data_dir: DataDir = None,
    q: Annotated[str, typer.Option(help="只导出匹配的条目")] = "",
) -> None:
    """导出已发布的目录；格式由文件扩展名决定（.xlsx / .json / .csv）。"""
    fmt = file.suffix.lower().lstrip(".")
    with opened(data_dir) as db:
        fmt = workbook.check_format(fmt)  # refuse a bad extension before anything is read
        with db.transaction() as session:
            entries = transfer.export_entries(session, acting(session, user), q, fmt)
        file.write_bytes(workbook.export(entries, fmt))
    out.print(f"已导出 {len(entries)} 条信息资源到 {file}")


@app.command("overlaps")
def catalog_overlaps(
    user: ActingUser,
    data_dir: DataDir = None,
    missing: Annotated[bool, typer.Option("--missing", help="只列出尚未说明理由的")] = False,
    limit: Annotated[int, typer.Option(help="显示条数")] = 100,
) -> None:
    """一数一源：列出已由其他单位信息资源提供、又被重复登记的信息项及其说明（目录审核员）。"""
    with opened(data_dir) as db, db.transaction() as session:
        total, rows = listing(session, acting(session, user), missing, 0, limit)
    out.print(f"共 {total} 个重复登记的信息项")
    for first, items in grouped(rows):
        why = first.justification or "[red]未说明理由[/red]"
        out.print(
            f"{first.code} {first.name}（{first.unit}）：{'、'.join(items)}\n"
            f"  已由 {first.source_code} {first.source_name}（{first.source_unit}）提供；说明：{why}",
            soft_wrap=True,
        )
