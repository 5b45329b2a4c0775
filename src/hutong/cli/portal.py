"""``hutong portal``: releases to the open portal (数据公开审核), from the automatic checks
through the publisher's and the security review to a withdrawal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hutong.cli.common import ActingUser, DataDir, acting, group, opened, out
from hutong.openportal import release

app = group()


@app.command("releases")
def portal_releases(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str, typer.Option(help="只列出该状态（如 awaiting_publisher、public）")] = "",
) -> None:
    """列出数据公开申请及其状态、自动检查结果。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = release.queue(session, acting(session, user), (state,) if state else ())
        lines = [
            (str(r.id), e.code, e.name, str(r.version), release.STATE_ZH[r.state],
             "；".join(p["zh"] for p in r.check_report.get("problems", [])) or "—")
            for r, e in rows
        ]  # fmt: skip
    table = Table(
        "编号", "资源代码", "名称", "版本", "状态", "自动检查", title=f"共 {len(lines)} 条"
    )
    for line in lines:
        table.add_row(*line)
    out.print(table)


@app.command("submit")
def portal_submit(
    code: str,
    user: ActingUser,
    data_dir: DataDir = None,
    version: Annotated[int | None, typer.Option(help="数据版本（默认最新版本）")] = None,
) -> None:
    """申请公开一个主动公开资源的数据版本；立即运行自动检查（直接标识符、k-匿名、小单元格）。"""
    with opened(data_dir) as db, db.transaction() as session:
        row = release.submit(session, acting(session, user), code, version)
        state, report = row.state, row.check_report
        number = row.id
    out.print(f"公开申请 {number}：{release.STATE_ZH[state]}")
    for problem in report["problems"]:
        rows = (
            f"（行 {', '.join(map(str, problem['sample_rows']))}）"
            if problem.get("sample_rows")
            else ""
        )
        out.print(f"  [red]✗[/red] {problem['zh']}{rows}")
        for proposal in problem.get("proposals", []):
            out.print(f"      建议：{proposal['zh']}")


@app.command("step")
def portal_step(
    release_id: int,
    name: Annotated[str, typer.Argument(help="approve / reject / clear / refuse / withdraw")],
    user: ActingUser,
    data_dir: DataDir = None,
    note: Annotated[
        str, typer.Option(help="意见或理由；安全审核（clear/refuse）须填写政策风险评估意见")
    ] = "",
) -> None:
    """审核数据公开申请：发布审核（approve/reject）、安全审核（clear/refuse）或撤回公开（withdraw）。"""
    with opened(data_dir) as db, db.transaction() as session:
        state = release.transition(session, acting(session, user), release_id, name, note).state
    out.print(f"公开申请 {release_id}：{release.STATE_ZH[state]}")
