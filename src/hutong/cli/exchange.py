"""``hutong exchange``: share applications from submission to grant, revocation, overdue
answers, and tracing a leaked file back to its grant and recipient (共享交换)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Column, Table

from hutong.cli.common import ActingUser, DataDir, InputFile, acting, group, opened, out, parsed
from hutong.exchange import access, applications, grants, service
from hutong.exchange.schemas import ApplicationIn
from hutong.identity.authz import system_actor

app = group()


@app.command("apply")
def exchange_apply(
    code: str,
    user: ActingUser,
    purpose: Annotated[str, typer.Option(help="用途")],
    item: Annotated[list[str], typer.Option(help="申请的信息项，可重复（最小必要）")],
    category: Annotated[str, typer.Option(help="用途类别，如 verification、statistics")] = (
        "administration"
    ),
    mode: Annotated[str, typer.Option(help="online_only（用而不存）| file_delivery")] = (
        "online_only"
    ),
    measures: Annotated[str, typer.Option(help="安全保护措施")] = "专人负责，专网访问",
    until: Annotated[str | None, typer.Option(help="使用期限截止日 YYYY-MM-DD")] = None,
    data_dir: DataDir = None,
) -> None:
    """申请共享一条信息资源（无条件共享即时授权；不予共享被拒并给出依据）。"""
    data = parsed(
        ApplicationIn,
        resource_code=code,
        purpose=purpose,
        purpose_category=category,
        items=item,
        access_mode=mode,
        security_measures=measures,
        period_until=until,
    )
    with opened(data_dir) as db, db.transaction() as session:
        application = applications.submit(session, acting(session, user), data)
        status, due = application.status, application.due_date
        number = application.id
    out.print(f"[green]共享申请 {number}[/green]：{status}" + (f"，答复期限 {due}" if due else ""))


@app.command("list")
def exchange_list(
    user: ActingUser,
    view: Annotated[str, typer.Option(help="mine | review | overdue | all")] = "mine",
    data_dir: DataDir = None,
) -> None:
    """列出共享申请及其答复期限。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            service.out(session, a) for a in service.listing(session, acting(session, user), view)
        ]
    table = Table(Column("编号", no_wrap=True), "信息资源", "申请单位", "状态", "答复期限", "逾期")
    for a in rows:
        due = "暂停" if a.paused else str(a.due_date or "—")
        table.add_row(
            str(a.id),
            a.resource_name,
            a.applicant_unit,
            a.status_label,
            due,
            "是" if a.overdue else "",
        )
    out.print(table)


@app.command("step")
def exchange_step(
    application_id: int,
    name: Annotated[
        str,
        typer.Argument(
            help="request_info | supplement | approve | refuse | security_approve | security_refuse | withdraw"
        ),
    ],
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="理由（拒绝、要求补充材料时必填）")] = "",
    data_dir: DataDir = None,
) -> None:
    """推进共享申请：答复、补充、安全审核、撤回。"""
    with opened(data_dir) as db, db.transaction() as session:
        status = applications.transition(
            session, acting(session, user), application_id, name, reason
        ).status
    out.print(f"[green]共享申请 {application_id}[/green]：{status}")


@app.command("grants")
def exchange_grants(user: ActingUser, data_dir: DataDir = None) -> None:
    """列出本单位使用或提供的共享授权。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = [service.grant_out(g) for g in grants.visible(session, acting(session, user))]
    table = Table(Column("授权", no_wrap=True), "信息资源", "使用单位", "方式", "有效期至", "状态")
    for g in rows:
        table.add_row(
            g.code,
            g.resource_name,
            g.consumer_unit,
            g.access_mode,
            str(g.valid_until.date()),
            g.state,
        )
    out.print(table)


@app.command("revoke")
def exchange_revoke(
    grant: str,
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="撤销理由")],
    data_dir: DataDir = None,
) -> None:
    """撤销共享授权（下一次查询即被拒绝）。"""
    with opened(data_dir) as db, db.transaction() as session:
        grants.revoke(session, acting(session, user), grant, reason)
    out.print(f"[green]已撤销[/green] {grant}")


@app.command("overdue")
def exchange_overdue(data_dir: DataDir = None) -> None:
    """标记逾期未答复的共享申请，通知提供单位与目录审核员（可由定时任务运行）。"""
    with opened(data_dir) as db, db.transaction() as session:
        flagged = [
            (a.id, str(a.due_date))
            for a in applications.flag_overdue(session, system_actor("exchange"))
        ]
    for number, due in flagged:
        out.print(f"[red]逾期[/red] 共享申请 {number}（答复期限 {due}）")
    out.print(f"新标记逾期 {len(flagged)} 件")


@app.command("trace")
def exchange_trace(file: InputFile, user: ActingUser, data_dir: DataDir = None) -> None:
    """泄露文件溯源：由文件中的交付指纹（或整个文件的摘要）找到授权与接收方。"""
    with opened(data_dir) as db, db.transaction() as session:
        found = access.trace(session, acting(session, user), file)
        grant = found.grant
        line = (
            f"授权 {grant.code}：{grant.resource.name} → {grant.consumer_unit.name}；"
            f"接收人 {found.recipient}，{found.created_at:%Y-%m-%d %H:%M} UTC，"
            f"{found.rows} 行，格式 {found.format}"
        )
    out.print(line)
