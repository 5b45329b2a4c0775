"""``hutong audit``: verify the hash chain, sign and export checkpoints, purge by retention."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hutong.audit.checkpoints import export_checkpoints, read_exported
from hutong.audit.retention import purge
from hutong.audit.service import checkpoint_now
from hutong.audit.verify import record_verification, verify_chain
from hutong.cli.common import DataDir, OutputFile, err, group, in_transaction, opened, out, readable
from hutong.identity.authz import system_actor

app = group()


@app.command("verify")
def audit_verify(
    data_dir: DataDir = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            callback=readable,
            help="在平台之外保存的签名检查点导出文件（audit export-checkpoints 的输出）；"
            "链中对应序号的哈希须与之一致，可发现被替换的数据库或重建的审计链",
        ),
    ] = None,
    allow_empty: Annotated[
        bool, typer.Option(help="没有任何审计事件也视为通过（仅限确知尚未使用的数据目录）")
    ] = False,
) -> None:
    """校验整条审计哈希链与签名检查点；发现篡改时指出第一个异常事件并以非零状态退出。"""
    with opened(data_dir) as db:
        exported = read_exported(checkpoints) if checkpoints else None
        report = verify_chain(db.engine, db.settings, exported=exported, allow_empty=allow_empty)
        in_transaction(db, lambda s: record_verification(s, system_actor("verify"), report))
    if report.ok:
        out.print(
            f"[green]审计链完整[/green]：{report.events} 个事件，{report.checkpoints} 个签名检查点，"
            f"链头序号 {report.head_seq}"
        )
        if exported is not None:
            out.print(
                f"与导出的 {report.exported} 个签名检查点一致"
                + (f"（其中 {report.exported_purged} 个早于保留期清除，无法比对）"
                   if report.exported_purged else "")
            )  # fmt: skip
        return
    bad = report.first_bad
    assert bad is not None
    err.print(f"[red]审计链被篡改[/red]：第一个异常事件序号 {bad.seq} — {bad.reason_zh}")
    err.print(f"[dim]audit chain broken: first bad event seq {bad.seq} — {bad.reason_en}[/dim]")
    raise typer.Exit(1)


@app.command("checkpoint")
def audit_checkpoint(data_dir: DataDir = None) -> None:
    """立即对链头签名一个检查点。"""
    with opened(data_dir) as db:
        seq = in_transaction(db, checkpoint_now)
    out.print(f"已签名检查点，序号 {seq}")


@app.command("export-checkpoints")
def audit_export_checkpoints(file: OutputFile, data_dir: DataDir = None) -> None:
    """导出签名检查点与公钥（JSON），供离线核验。"""
    with opened(data_dir) as db:
        count = in_transaction(db, lambda s: export_checkpoints(s, file))
    out.print(f"已导出 {count} 个检查点到 {file}")


@app.command("purge")
def audit_purge(
    retention_days: Annotated[int | None, typer.Option(help="保留天数（不少于 180）")] = None,
    data_dir: DataDir = None,
) -> None:
    """把超过保留期的事件导出为签名归档后清除；链在清除后仍可校验。"""
    with opened(data_dir) as db:
        result = in_transaction(db, lambda s: purge(s, system_actor("retention"), retention_days))
    if result.purged:
        out.print(
            f"已清除 {result.purged} 个事件（序号 {result.first_seq}–{result.last_seq}），"
            f"归档：{result.archive}"
        )
    else:
        out.print("没有超过保留期的事件。")
