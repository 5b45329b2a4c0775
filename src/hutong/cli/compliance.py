"""``hutong compliance``: the rules, their findings, rectification notices and the registry
of information systems (监督检查)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Column, Table

from hutong.cli.common import (
    ActingUser,
    DataDir,
    InputFile,
    acting,
    group,
    in_transaction,
    opened,
    out,
    parsed,
    read_json,
)
from hutong.compliance import findings, notices, registry, runner
from hutong.compliance.findings import rules_catalog
from hutong.compliance.rules import selected
from hutong.compliance.schemas import SystemIn
from hutong.identity.authz import system_actor

app = group()


@app.command("run")
def compliance_run(
    data_dir: DataDir = None,
    rule: Annotated[list[str] | None, typer.Option(help="只运行这些规则，可重复")] = None,
    subject: Annotated[
        list[str] | None, typer.Option(help="只运行这类对象的规则（system、resource…），可重复")
    ] = None,
) -> None:
    """立即运行合规规则（默认全部），新开、关闭或重新打开问题。"""
    with opened(data_dir) as db, Progress(console=out, transient=True) as progress:
        task = progress.add_task("运行合规规则…", total=len(selected(rule, subject)))
        done = in_transaction(
            db,
            lambda s: runner.run(
                s,
                system_actor("compliance"),
                rule,
                subject,
                progress=lambda r: progress.update(task, advance=1, description=r.id),
            ),
        )
    out.print(
        f"[green]已运行 {done.rules} 条规则[/green]（{done.seconds:.2f} 秒）：未通过 {done.failing} 项，"
        f"新开 {done.opened}，重新打开 {done.reopened}，关闭 {done.closed}"
    )


@app.command("rules")
def compliance_rules(data_dir: DataDir = None) -> None:
    """列出全部合规规则及其依据条款（不读数据库；--data-dir 仅为与其他命令一致）。"""
    table = Table(
        Column("规则", no_wrap=True), Column("依据", no_wrap=True), "级别", "对象", "标题"
    )
    for row in rules_catalog():
        table.add_row(row["id"], row["article"], row["severity"], row["subject"], row["title_zh"])
    out.print(table)


@app.command("findings")
def compliance_findings(
    user: ActingUser,
    data_dir: DataDir = None,
    unit: Annotated[str | None, typer.Option(help="责任单位代码")] = None,
    status: Annotated[str, typer.Option(help="open | closed | all")] = "open",
    limit: Annotated[int, typer.Option(help="显示条数")] = 100,
) -> None:
    """列出问题（本单位人员只能看到本单位的问题）。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = findings.list_findings(
            session,
            acting(session, user),
            status=None if status == "all" else status,
            unit_code=unit,
            limit=limit,
        )

    table = Table(
        "编号",
        "规则",
        Column("依据", no_wrap=True),
        "对象",
        "单位",
        "状态",
        title=f"共 {len(rows)} 项",
    )
    for f in rows:
        table.add_row(str(f.id), f.title_zh, f.article, f.subject_id, f.unit_code or "", f.status)
    out.print(table)


@app.command("notices")
def compliance_notices(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[
        str | None, typer.Option(help="issued | answered | escalated | closed")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期未整改的")] = False,
) -> None:
    """列出整改通知单；--state escalated 即通报名单。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = [
            (n.number, n.unit.name, notices.STATE_ZH[n.state], n.deadline.isoformat())
            for n in notices.list_notices(
                session, acting(session, user), state=state, overdue_only=overdue
            )
        ]
    table = Table("编号", "责任单位", "状态", "整改期限")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@app.command("escalate")
def compliance_escalate(data_dir: DataDir = None) -> None:
    """通报：把逾期未整改的通知单转为已通报（定时任务也会执行）。"""
    with opened(data_dir) as db:
        numbers = in_transaction(
            db,
            lambda s: [n.number for n in notices.escalate_overdue(s, system_actor("compliance"))],
        )
    out.print(f"已通报 {len(numbers)} 份通知单" + (f"：{'、'.join(numbers)}" if numbers else ""))


@app.command("systems")
def compliance_systems(user: ActingUser, data_dir: DataDir = None) -> None:
    """列出信息系统登记（人数、等级保护、负责人、备案、未关闭问题）。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = registry.list_systems(session, acting(session, user))
    table = Table("编号", "名称", "主管单位", "个人信息人数", "等保", "保护负责人", "问题")
    for s in rows:
        p = s.profile
        table.add_row(
            str(s.id),
            s.name,
            s.owner_unit_name,
            f"{p.persons_pi:,}" if p else "未登记",
            str(p.mlps_level or "—") if p else "—",
            (p.pi_officer_username or "—") if p else "—",
            str(s.open_findings),
        )
    out.print(table)


@app.command("register-system")
def compliance_register_system(file: InputFile, user: ActingUser, data_dir: DataDir = None) -> None:
    """按 JSON 文件（与 POST /api/v1/systems 相同）登记一个信息系统。"""
    with opened(data_dir) as db:
        data = parsed(SystemIn, **read_json(file))
        with db.transaction() as session:
            system_id = registry.register(session, acting(session, user), data).id
    out.print(f"[green]已登记信息系统[/green] {data.name}（编号 {system_id}）")
