"""``hutong disclosure``: requests for disclosure (依申请公开), listed by answer deadline and
handled step by step: correction, one extension, the answer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hutong.cli.common import ActingUser, DataDir, acting, group, opened, out, parsed
from hutong.openportal import disclosure
from hutong.openportal.schemas import DisclosureStepIn

app = group()


@app.command("list")
def disclosure_list(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str, typer.Option(help="received / correction / answered")] = "",
) -> None:
    """列出依申请公开申请（不含申请人个人信息），按答复期限排序。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            (r.tracking_no, disclosure.STATE_ZH[r.state], r.due_date.isoformat(),
             "已延期" if r.extended else "", r.description[:40])
            for r in disclosure.listing(session, acting(session, user), state or None)
        ]  # fmt: skip
    table = Table("申请编号", "状态", "答复期限", "延期", "申请内容", title=f"共 {len(rows)} 件")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@app.command("step")
def disclosure_step(
    tracking_no: str,
    name: Annotated[str, typer.Argument(help="ask_correction / extend / decide")],
    user: ActingUser,
    data_dir: DataDir = None,
    note: Annotated[str, typer.Option(help="补正：需申请人补充的内容")] = "",
    days: Annotated[int, typer.Option(help="延期：工作日数（≤ 20，仅一次）")] = 0,
    reason: Annotated[str, typer.Option(help="延期理由，或不予公开、部分公开的法律依据")] = "",
    approver: Annotated[str, typer.Option(help="延期：批准的负责人")] = "",
    decision: Annotated[
        str, typer.Option(help="答复：disclose / partial / refuse / not_exist / not_ours")
    ] = "",
    answer: Annotated[str, typer.Option(help="答复：公开的内容及获取方式")] = "",
    other_office: Annotated[str, typer.Option(help="答复 not_ours：负责公开的机关")] = "",
) -> None:
    """办理依申请公开：要求补正、延长答复期限（一次）或答复。"""
    body = parsed(
        DisclosureStepIn, note=note, days=days, reason=reason, approver=approver,
        decision=decision, answer=answer, other_office=other_office,
    )  # fmt: skip
    with opened(data_dir) as db, db.transaction() as session:
        request = disclosure.apply(session, acting(session, user), tracking_no, name, body)
        state, due = request.state, request.due_date
    out.print(f"{tracking_no}：{disclosure.STATE_ZH[state]}，答复期限 {due.isoformat()}")
