"""``hutong privacy``: collection notices, consents, the consent check over a file, local
anonymization, and complaints (个人信息保护).

The two commands that read a local data file run it through a scratch connection of the data
engine; what the engine cannot read is refused in words that quote none of the file's values."""

from __future__ import annotations

import csv
from contextlib import closing
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from hutong.cli.common import (
    ActingUser,
    DataDir,
    InputFile,
    acting,
    fail,
    group,
    opened,
    out,
    parsed,
    read_json,
    writable,
)
from hutong.core.errors import HutongError, InvalidInput
from hutong.data.engine import ENGINE_ERRORS, scratch
from hutong.data.sql import literal
from hutong.privacy import anonymity, complaints, consent, generalization, ledger, notices
from hutong.privacy.schemas import NoticeIn

app = group()


@app.command("publish-notice")
def privacy_publish_notice(file: InputFile, user: ActingUser, data_dir: DataDir = None) -> None:
    """按 JSON 文件（与 POST /api/v1/collection-notices 相同）公布信息系统的新版收集使用规则。"""
    with opened(data_dir) as db:
        data = parsed(NoticeIn, **read_json(file))
        with db.transaction() as session:
            notice = notices.publish(session, acting(session, user), data)
            version, material = notice.version, notice.material_change
    note = "（目的、方式或种类已变更：此前的同意须重新取得）" if material else ""
    out.print(f"[green]已公布第 {version} 版收集使用规则[/green]{note}")


@app.command("import-consents")
def privacy_import_consents(
    system_id: int,
    notice_version: int,
    file: InputFile,
    user: ActingUser,
    receipts: Annotated[
        Path, typer.Option(callback=writable, help="凭证码输出文件（CSV：line,code）")
    ],
    data_dir: DataDir = None,
) -> None:
    """从 CSV 批量导入同意记录（每行一项用途或一类敏感信息）；有错误则整个文件不导入。"""
    with opened(data_dir) as db, db.transaction() as session:
        count, codes = consent.import_file(
            session, acting(session, user), system_id, notice_version, file.read_bytes()
        )
    with receipts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["line", "code"])
        writer.writeheader()
        writer.writerows(codes)
    receipts.chmod(0o600)
    out.print(f"[green]已导入 {count} 项同意[/green]；凭证码写入 {receipts}（仅所有者可读）")


@app.command("check-consents")
def privacy_check_consents(
    system_id: int,
    purpose: str,
    file: InputFile,
    user: ActingUser,
    column: Annotated[str, typer.Option(help="证件号所在列")] = "subject_id",
    sensitive: Annotated[list[str] | None, typer.Option(help="还须单独同意的敏感类别")] = None,
    data_dir: DataDir = None,
) -> None:
    """回答“这些人的数据能否为此目的处理”：对 CSV/Parquet 文件的证件号列做一次批量连接。"""
    with opened(data_dir) as db:
        with db.transaction() as session:
            consents = ledger.open_check(
                session, acting(session, user), system_id, purpose, sensitive or []
            )
        relation = (
            f"read_parquet({literal(str(file))})"
            if file.suffix == ".parquet"
            else f"read_csv_auto({literal(str(file))}, all_varchar=true)"
        )
        with closing(scratch()) as connection:
            try:
                allowed, refused = ledger.count(connection, relation, column, consents)
            except ENGINE_ERRORS:
                _unreadable(
                    f"无法读取文件 {file.name}，或其中没有“{column}”列",
                    f"cannot read {file.name}, or it has no column {column}",
                )
    out.print(f"可处理 {allowed:,} 行，不可处理 {refused:,} 行")


@app.command("anonymize")
def privacy_anonymize(
    file: InputFile,
    quasi: Annotated[list[str], typer.Option(help="准标识符列，可重复")],
    k: Annotated[int, typer.Option(help="目标 k")] = 5,
    budget: Annotated[float, typer.Option(help="最多隐匿的行比例")] = 0.05,
    output: Annotated[
        Path | None, typer.Option(callback=writable, help="写出泛化后的 Parquet 文件")
    ] = None,
) -> None:
    """对本地 Parquet 文件测量 k-匿名、给出泛化方案并（可选）写出结果，打印前后风险。"""
    with closing(scratch()) as connection:
        try:
            connection.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({literal(str(file))})")
            before = anonymity.measure(connection, "t", quasi, k=k)
            proposals = generalization.propose_generalizations(connection, "t", quasi, k, budget=budget)
            sql = generalization.generalized_sql(connection, "t", quasi, proposals, k)
            after = anonymity.measure(connection, f"({sql})", quasi, k=k)
            if output:
                connection.execute(f"COPY ({sql}) TO {literal(str(output))} (FORMAT PARQUET)")
        except HutongError as error:
            fail(error)
        except ENGINE_ERRORS:
            _unreadable(
                f"无法把文件 {file.name} 读作 Parquet，或其中没有所给的准标识符列",
                f"cannot read {file.name} as Parquet with the given quasi-identifiers",
            )
    for p in proposals:
        out.print(f"· {p.zh}")
    out.print(
        f"之前：k={before.k_achieved}，最大重识别风险 {before.max_risk:.3f}，平均 {before.average_risk:.4f}；"
        f"之后：k={after.k_achieved}，最大 {after.max_risk:.3f}，平均 {after.average_risk:.4f}，{after.rows:,} 行"
    )


def _unreadable(zh: str, en: str) -> NoReturn:
    """The engine could not read the file: say so without the engine's words, which may
    quote a value from it (DESIGN rule 6)."""
    fail(InvalidInput(zh, en, field="file"))


@app.command("complaints")
def privacy_complaints(
    user: ActingUser,
    data_dir: DataDir = None,
    state: Annotated[str | None, typer.Option(help="received | answered")] = None,
) -> None:
    """列出个人信息投诉（个人信息保护负责人、安全保密管理员），逾期标红。"""
    with opened(data_dir) as db, db.transaction() as session:
        rows = complaints.list_all(session, acting(session, user), state)
    table = Table("受理编号", "类别", "状态", "答复期限")
    for c in rows:
        due = f"[red]{c.due_date}[/red]" if c.overdue else str(c.due_date)
        table.add_row(c.number, c.category, c.state, due)
    out.print(table)
