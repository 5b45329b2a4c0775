"""``hutong data``: ingest files as dataset versions, quarantined rows, and the data keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hutong.cli.common import ActingUser, DataDir, InputFile, acting, group, opened, out, writable
from hutong.data import keys
from hutong.data.ingest import ingest_file
from hutong.data.mapping import from_pairs
from hutong.data.service import rejects_file, summary

app = group()


@app.command("ingest")
def data_ingest(
    code: str,
    file: InputFile,
    user: ActingUser,
    data_dir: DataDir = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="列名=信息项名，可重复")] = None,
    on_invalid: Annotated[
        str,
        typer.Option(help="reject：有无效值则整个文件不导入；quarantine：无效行另存 rejects.csv"),
    ] = "reject",
    key: Annotated[
        list[str] | None, typer.Option(help="主键信息项，可重复（用于唯一性检查）")
    ] = None,
) -> None:
    """把 CSV（UTF-8 或 GBK）、XLSX、JSON Lines 或 Parquet 文件导入为信息资源的新数据版本；失败时保留原版本。"""
    with opened(data_dir) as db:
        mapping = from_pairs(map_)
        with db.transaction() as session:
            actor = acting(session, user)
        with out.status(f"导入 {file.name}（编码识别、校验、转换为 Parquet）…"):
            version = ingest_file(db, actor, code, file, mapping, on_invalid, key)
        told, encoding, score = summary(version), version.source_encoding, version.quality_score
    out.print(
        f"[green]已发布第 {told.version} 版[/green]（源文件编码 {encoding}，质量得分 {score}）："
        f"{told.zh}",
        soft_wrap=True,
    )
    if told.set_aside:
        out.print(
            f"被隔离的行及原因：hutong data rejects {code} {told.version} --as {user}",
            soft_wrap=True,
        )


@app.command("rejects")
def data_rejects(
    code: str,
    version: int,
    user: ActingUser,
    data_dir: DataDir = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", callback=writable, help="写入的文件（默认 rejects-v版本号.csv）"),
    ] = None,
) -> None:
    """导出某一数据版本被隔离的行（含行号与原因）为 CSV，供修改后重新导入（本单位数据管理员）。"""
    target = output or Path(f"rejects-v{version}.csv")
    with opened(data_dir) as db:
        with db.transaction() as session:
            chunks = rejects_file(session, acting(session, user), code, version)
        with target.open("wb") as handle:
            handle.writelines(chunks)
    out.print(f"已写出被隔离的行：{target}")


@app.command("rotate-master-key")
def data_rotate_master_key(user: ActingUser, data_dir: DataDir = None) -> None:
    """轮换主密钥：所有数据密钥在一个事务中重新封装，数据文件不重写；旧主密钥随后销毁（安全保密管理员）。"""
    with opened(data_dir) as db:
        with db.transaction() as session:
            new_id, rewrapped, retired = keys.rotate_master(session, acting(session, user))
        with db.sessions() as session:
            keys.erase_retired(session, retired)
    out.print(
        f"[green]新主密钥 {new_id}[/green]：重新封装 {rewrapped} 个数据密钥，销毁旧主密钥 {len(retired)} 个"
    )


@app.command("destroy-key")
def data_destroy_key(
    code: str,
    user: ActingUser,
    reason: Annotated[str, typer.Option(help="销毁原因（必填，记入审计）")],
    data_dir: DataDir = None,
) -> None:
    """销毁信息资源的数据密钥：其所有加密版本从此不可读取，不可恢复（安全保密管理员）。"""
    with opened(data_dir) as db, db.transaction() as session:
        count = keys.destroy(session, acting(session, user), code, reason)
    out.print(f"已销毁 {code} 的 {count} 个数据密钥；其加密版本已不可读取")
