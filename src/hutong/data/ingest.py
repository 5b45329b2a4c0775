"""Ingest a CSV file as a new dataset version of a catalog entry (N2021 task 3, M2018 §12).

Steps: detect the encoding (GBK files are converted to UTF-8 on the way), map the header to
the entry's information items and refuse unknown or missing columns before anything is
written, let DuckDB turn the CSV into Parquet in a staging folder, then publish atomically:
the folder is renamed into place and the version row committed with its audit event.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import by_code, target
from hutong.core.clock import as_utc, local, utcnow
from hutong.core.errors import InvalidInput
from hutong.data import encoding
from hutong.data.detect import detect
from hutong.data.models import DatasetVersion
from hutong.data.quality import ROW, invalid_rows, measure, quote, split
from hutong.data.rules import check_for
from hutong.data.store import LocalStore
from hutong.data.validators import install as install_validators
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action

PART = "part-0.parquet"
RAW = "staged.parquet"
REJECTS = "rejects.csv"


def store_for(session: Session) -> LocalStore:
    return LocalStore(session.info["settings"].datasets_dir)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _header(path: Path, file_encoding: str) -> list[str]:
    """The first line's column names, read by Python's csv module: DuckDB's sniffer may pick
    another line as the header when rows are ragged, so nothing is left to guessing."""
    with path.open(encoding=file_encoding, newline="") as handle:
        header = next(csv.reader(handle), [])
    names = [name.strip() for name in header]
    if not any(names):
        raise InvalidInput("缺少表头行", "the header row is missing", field="file")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            f"表头列名重复：{'、'.join(duplicates)}", "duplicate column names", field="columns"
        )
    return names


def plan_columns(
    header: list[str], items: list[str], mapping: dict[str, str] | None
) -> list[tuple[str, str]]:
    """(CSV column, item) pairs; unknown columns and items left without a column are errors."""
    mapping = mapping or {}
    pairs = [(column, mapping.get(column, column)) for column in header]
    unknown = [column for column, item in pairs if item not in items]
    missing = [item for item in items if item not in {i for _c, i in pairs}]
    problems = []
    if unknown:
        problems.append(f"以下列不是该资源的信息项：{'、'.join(unknown)}")
    if missing:
        problems.append(f"缺少以下信息项：{'、'.join(missing)}")
    if problems:
        raise InvalidInput(
            "；".join(problems) + "（可在映射中指定列与信息项的对应关系）",
            f"columns do not match the entry's items (unknown: {len(unknown)}, missing: {len(missing)})",
            field="columns",
            unknown=len(unknown),
            missing=len(missing),
        )
    return pairs


def ingest_csv(
    session: Session,
    actor: Actor,
    code: str,
    path: Path,
    mapping: dict[str, str] | None = None,
    on_invalid: str = "reject",
    key: list[str] | None = None,
) -> DatasetVersion:
    """``on_invalid``: "reject" refuses the whole file when any value fails its check;
    "quarantine" publishes the valid rows and puts the others in ``rejects.csv``."""
    if on_invalid not in ("reject", "quarantine"):
        raise InvalidInput(
            "无效值处理方式须为 reject 或 quarantine",
            "on_invalid must be reject or quarantine",
            field="on_invalid",
        )
    resource = by_code(session, code)
    authorize(session, actor, Action.DATA_INGEST, target(resource))
    items = {item.name: item for item in resource.items}
    if key and not set(key) <= set(items):
        raise InvalidInput(
            "主键必须是该资源的信息项", "key columns must be items of the entry", field="key"
        )
    previous = current(session, resource.id)
    store = store_for(session)
    staging = store.staging(resource.id)
    try:
        detected = encoding.detect(path)
        source = path
        if detected == "gb18030":
            source = staging / "source.utf8.csv"
            encoding.to_utf8(path, source, detected)
        header = _header(source, "utf-8-sig")
        pairs = plan_columns(header, list(items), mapping)
        checks = {item: check_for(items[item]) for _column, item in pairs}
        connection = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
        try:
            install_validators(connection)
            _stage_rows(connection, source, header, pairs, staging / RAW)
            connection.execute(
                f"CREATE VIEW staged AS SELECT * FROM read_parquet({_sql_text(str(staging / RAW))})"
            )
            now = utcnow()
            report = measure(
                connection,
                "staged",
                checks,
                key or [],
                as_utc(previous.ingested_at) if previous else None,
                now,
                resource.update_cycle,
            )
            if report.rows == 0:
                raise InvalidInput("文件没有数据行", "the file has no data rows", field="file")
            invalid = sum(c.invalid for c in report.columns)
            if invalid and on_invalid == "reject":
                examples = invalid_rows(connection, "staged", checks, limit=20)
                listed = "；".join(
                    f"第 {row} 行“{column}”：{message}" for row, column, message in examples
                )
                raise InvalidInput(
                    f"共 {invalid} 个值未通过校验，整个文件未导入。{listed}",
                    f"{invalid} values failed validation; nothing was imported",
                    field="rows",
                    invalid=invalid,
                )
            found = detect(
                connection, "staged", [item for _c, item in pairs], resource, local(now).date()
            )
            rejected = split(connection, "staged", checks, staging / PART, staging / REJECTS)
        finally:
            connection.close()
        for leftover in (staging / RAW, staging / "source.utf8.csv"):
            leftover.unlink(missing_ok=True)
        if not rejected:
            (staging / REJECTS).unlink()
        row = DatasetVersion(
            resource_id=resource.id,
            version=_next_version(session, resource.id),
            location="",
            rows=report.rows - rejected,
            rejected=rejected,
            quality=report.as_json(),
            quality_score=report.score,
            detection=found.as_json(),
            columns=[{"name": i, "type": "VARCHAR"} for _c, i in pairs],
            content_sha256=_sha256(staging / PART),
            source_name=path.name[:256],
            source_encoding=detected,
            ingested_by=actor.name,
            ingested_at=now,
        )
        session.add(row)
        session.flush()
        row.location = store.publish(staging, resource.id, row.version)
    except BaseException:
        store.discard(staging)
        raise
    record(
        session,
        actor,
        "data.ingest",
        category=Category.INSERT,
        target=target(resource),
        rows=row.rows,
        details={
            "version": row.version,
            "encoding": detected,
            "rejected": rejected,
            "score": report.score,
            "sha256": row.content_sha256,
        },
    )
    return row


def _stage_rows(
    connection: duckdb.DuckDBPyConnection,
    source: Path,
    header: list[str],
    pairs: list[tuple[str, str]],
    target_file: Path,
) -> None:
    """CSV → Parquet with item names and the file's line number of every row."""
    columns = "{" + ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in header) + "}"
    select_list = ", ".join(f"{quote(column)} AS {quote(item)}" for column, item in pairs)
    try:
        connection.execute(
            f"COPY (SELECT row_number() OVER () + 1 AS {ROW}, {select_list} FROM read_csv({_sql_text(str(source))}, "
            f"header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
            f"strict_mode = true, null_padding = false)) TO {_sql_text(str(target_file))} (FORMAT parquet)"
        )
    except duckdb.Error as error:
        raise InvalidInput(
            "CSV 格式错误（行的列数不一致或引号未闭合）",
            f"malformed CSV: {str(error).splitlines()[0][:300]}",
            field="file",
        ) from None


def _next_version(session: Session, resource_id: int) -> int:
    last = session.scalar(
        select(func.max(DatasetVersion.version)).where(DatasetVersion.resource_id == resource_id)
    )
    return (last or 0) + 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def current(session: Session, resource_id: int) -> DatasetVersion | None:
    return session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.resource_id == resource_id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
